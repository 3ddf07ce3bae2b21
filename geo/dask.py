"""The pipeline on a Dask cluster: reports read and geoparsed in partitions by Dask workers,
for archives too large for one machine's cores.

- `partitions(inputs)` splits the report files into partitions of about `PARTITION_BYTES` of
  text, in input order: runs of small files, and blocks of the reports of a large file (a
  JSON Lines archive).
- `events_bag(inputs)` is a dask.bag of ReportEvents (one per report, in input order) and
  `events_frame(inputs)` a dask_geopandas GeoDataFrame of the events (geo.schema columns);
  `with_zones(events, zones)` fills each event's zones and front distance partition by
  partition, and `events_per_zone(events, zones)` counts them with dask-geopandas' spatial join,
  giving geo.zones.events_per_zone's table.
- `write_events_geojson(inputs, output, address=...)` is `geo events --dask`: the same
  GeoJSON, byte for byte and in input order, as the single-process run.

The gazetteer (with the user's places files) is built once in this process and scattered to
every worker once (`Client.scatter(broadcast=True)`); tasks name it and the workers keep
their copy. Workers must have `geo` installed and see the report files at the same paths (a
shared file system). With no scheduler address a LocalCluster of one single-threaded worker
process per core is started and stopped. Results come back in input order while later
partitions are still running; the scheduler runs partitions in submission order, so only a
few finished partitions wait in memory.

This module is named after the engine it drives; `import dask` inside it is the real Dask
(imports are absolute).
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._errors import GeoError

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask_geopandas
    import geopandas as gpd
    from distributed import Client

#: About this much report text per partition: large enough that a task's overhead (a few
#: milliseconds) is small beside its geoparsing (about a second per 100 kB), small enough that
#: a few partitions in memory are nothing.
PARTITION_BYTES = 256 * 1024
#: How long to wait for a scheduler that does not answer.
SCHEDULER_TIMEOUT = "10s"


class DaskError(GeoError):
    """The Dask cluster cannot be used (no scheduler at the address, stdin as input)."""


# --- partitions --------------------------------------------------------------------------

#: One unit of work: block `k` of `n` equal blocks of the reports of one file (0, 1 for a
#: whole file).
Unit = tuple[str, int, int]


def partitions(inputs: Iterable[str | os.PathLike], failures: list[str] | None = None,
               partition_bytes: int = PARTITION_BYTES) -> list[list[Unit]]:
    """The report files of `inputs` (files and folders, as geo.reports.iter_report_files walks
    them) as partitions of about `partition_bytes` each, in input order: runs of consecutive
    small files, and a file larger than that (a JSON Lines archive) cut into blocks of its
    reports. A path that does not exist goes to `failures` (raises without). Standard input
    (`-`) cannot be shared with workers: DaskError."""
    from geo.reports import STDIN, iter_report_files

    out: list[list[Unit]] = []
    current: list[Unit] = []
    size = 0
    for path in iter_report_files([os.fspath(i) for i in inputs], failures):
        if path == STDIN:
            raise DaskError("--dask reads report files on the workers: save standard input to "
                            "a file first")
        try:
            length = os.stat(path).st_size
        except OSError:
            length = 0  # the reader reports it, in its partition
        if length > partition_bytes:
            if current:
                out.append(current)
                current, size = [], 0
            blocks = -(-length // partition_bytes)
            out.extend([(path, k, blocks)] for k in range(blocks))
            continue
        if current and size + length > partition_bytes:
            out.append(current)
            current, size = [], 0
        current.append((path, 0, 1))
        size += length
    if current:
        out.append(current)
    return out


@dataclass
class Partition:
    """What one partition gave: its reports' events (ReportEvents, in order) and the errors
    of its unreadable files and records."""

    items: list
    failures: list[str]


def _read_block(path: str, k: int, n: int, fmt: str, failures: list[str]) -> list:
    """The reports of block k of n of one file, and (into `failures`) the errors the reader
    meets among them, in the order a single process meets them. The whole file is read (cheap
    beside geoparsing); each error goes to the block of the report it comes before."""
    from geo.reports import read_reports

    seen: list[str] = []
    reports, errors_after = [], []  # errors_after: (reports read before it, message)
    for report in read_reports([path], seen, fmt=fmt):
        errors_after += [(len(reports), m) for m in seen[len(errors_after):]]
        reports.append(report)
    errors_after += [(len(reports), m) for m in seen[len(errors_after):]]
    total = len(reports)
    start, end = k * total // n, (k + 1) * total // n
    last = k == n - 1
    failures.extend(m for before, m in errors_after
                    if start <= before < end or (last and before >= end))
    return reports[start:end]


def partition_events(units: Sequence[Unit], gazetteer: Any, fmt: str = "auto") -> Partition:
    """Read and geoparse the reports of the partition's units, in order (runs on a worker)."""
    from geo.events import report_events

    failures: list[str] = []
    items = []
    for path, k, n in units:
        items += [report_events(r, gazetteer) for r in _read_block(path, k, n, fmt, failures)]
    return Partition(items, failures)


@dataclass
class FeaturePartition:
    """A partition as GeoJSON text: per report (id, its feature lines, its warnings)."""

    reports: list[tuple[str, list[str], list[str]]]
    failures: list[str]


def partition_features(units: Sequence[Unit], gazetteer: Any, fmt: str = "auto"
                       ) -> FeaturePartition:
    """partition_events, with each event already written as its GeoJSON feature line (so the
    workers, not this process, do the JSON)."""
    from geo.events import feature_json

    part = partition_events(units, gazetteer, fmt)
    return FeaturePartition([(item.report_id, [feature_json(row) for row in item.events],
                              item.warnings) for item in part.items], part.failures)


# --- clusters ----------------------------------------------------------------------------

@contextlib.contextmanager
def cluster(address: str | None = None, workers: int | None = None) -> Iterator["Client"]:
    """A Client of the scheduler at `address`, or of a LocalCluster of `workers` processes
    (default: one per core) that is stopped at the end. DaskError when the scheduler cannot be
    reached."""
    import logging

    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise DaskError(f"cannot reach the Dask scheduler at {address}: "
                            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    try:
        import bokeh  # noqa: F401  (Dask's dashboard needs it)
        dashboard: str | None = "127.0.0.1:0"
    except ImportError:
        dashboard = None
    local = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                         processes=True, dashboard_address=dashboard,
                         silence_logs=logging.ERROR, host="127.0.0.1")
    client = Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()


def _ship_gazetteer(client: "Client", extra_places: Sequence[str] = (), gazetteer: Any = None):
    """The gazetteer, built here once, on every worker once: a future tasks can name."""
    if gazetteer is None:
        from geo.gazetteer import Gazetteer

        gazetteer = Gazetteer.default(extra_places=tuple(extra_places))
    return client.scatter(gazetteer, broadcast=True, hash=False)


# --- collections -------------------------------------------------------------------------

def _gazetteer_arg(gazetteer: Any, extra_places: Sequence[str]):
    """The gazetteer as a task argument: scattered to the workers when a distributed Client
    is current, else one shared delayed value of the local scheduler's graph."""
    import dask

    try:
        from distributed import get_client

        return _ship_gazetteer(get_client(), extra_places, gazetteer)
    except (ImportError, ValueError):
        if gazetteer is None:
            from geo.gazetteer import Gazetteer

            gazetteer = Gazetteer.default(extra_places=tuple(extra_places))
        return dask.delayed(gazetteer, pure=False)


def events_bag(inputs: Iterable[str | os.PathLike], *, gazetteer: Any = None,
               extra_places: Sequence[str] = (), fmt: str = "auto",
               failures: list[str] | None = None,
               partition_bytes: int = PARTITION_BYTES) -> "dask.bag.Bag":
    """A dask.bag of ReportEvents, one per report, in input order, one partition per run of
    files (see `partitions`). On the current distributed Client if there is one, else on
    Dask's local scheduler. Unreadable reports are left out (iter_features and
    write_events_geojson list them); `failures` collects the paths that do not exist."""
    import dask
    import dask.bag as db

    gaz = _gazetteer_arg(gazetteer, extra_places)
    parts = partitions(inputs, failures, partition_bytes)
    delayed = [dask.delayed(_items_of)(p, gaz, fmt) for p in parts]
    return db.from_delayed(delayed)


def _items_of(units: Sequence[Unit], gazetteer: Any, fmt: str) -> list:
    return partition_events(units, gazetteer, fmt).items


def _events_of(units: Sequence[Unit], gazetteer: Any, fmt: str) -> "gpd.GeoDataFrame":
    from geo._layers import rows_frame

    items = partition_events(units, gazetteer, fmt).items
    return rows_frame([row for item in items for row in item.events], "events")


def events_frame(inputs: Iterable[str | os.PathLike], *, gazetteer: Any = None,
                 extra_places: Sequence[str] = (), fmt: str = "auto",
                 failures: list[str] | None = None,
                 partition_bytes: int = PARTITION_BYTES) -> "dask_geopandas.GeoDataFrame":
    """The events of `inputs` as a dask_geopandas GeoDataFrame (geo.schema.EVENT_COLUMNS,
    EPSG:4326), one partition per run of files, in input order; `zones` empty until
    `with_zones`."""
    import dask
    import dask.dataframe as dd
    import dask_geopandas  # noqa: F401  (registers GeoDataFrame partitions with dask)

    from geo._layers import rows_frame

    gaz = _gazetteer_arg(gazetteer, extra_places)
    parts = partitions(inputs, failures, partition_bytes)
    meta = rows_frame([], "events")
    if not parts:
        return dask_geopandas.from_geopandas(meta, npartitions=1)
    delayed = [dask.delayed(_events_of)(p, gaz, fmt) for p in parts]
    return dd.from_delayed(delayed, meta=meta, verify_meta=False)


def with_zones(events: "dask_geopandas.GeoDataFrame", zones: "gpd.GeoDataFrame | None" = None
               ) -> "dask_geopandas.GeoDataFrame":
    """Each event's `zones` and `front_distance_km` (geo.zones.assign_zones), partition by
    partition."""
    from geo.zones import assign_zones, load_zones

    zones = load_zones() if zones is None else zones
    return events.map_partitions(assign_zones, zones, meta=events._meta)


def events_per_zone(events: "dask_geopandas.GeoDataFrame",
                    zones: "gpd.GeoDataFrame | None" = None):
    """geo.zones.events_per_zone's table (zone_id, name, kind, events, first_date, last_date),
    from dask-geopandas' spatial join of the events with the zones (`intersects`: an event on a
    zone's edge is in it, as in geo.zones)."""
    import dask_geopandas
    import pandas as pd

    from geo.zones import load_zones

    def dates(frame):  # the event's date, else the report's (as geo.zones counts them)
        def pick(value):
            return value if isinstance(value, str) and value else None

        return pd.Series([pick(e) or pick(p) for e, p in zip(frame["event_date"],
                                                             frame["published"])],
                         index=frame.index, dtype=object)

    zones = (load_zones() if zones is None else zones).reset_index(drop=True)
    located = events[~events.geometry.isna()]
    located = located.assign(day=located.map_partitions(dates, meta=("day", object)))[
        ["day", "geometry"]]
    joined = dask_geopandas.sjoin(located, dask_geopandas.from_geopandas(
        zones[["zone_id", "geometry"]], npartitions=1), predicate="intersects")
    found = joined[["zone_id", "day"]].compute()
    rows = []
    for zone in zones.itertuples():
        days = found.loc[found["zone_id"] == zone.zone_id, "day"]
        known = sorted(d for d in days if isinstance(d, str) and d)
        rows.append({"zone_id": zone.zone_id, "name": zone.name, "kind": zone.kind,
                     "events": int(len(days)), "first_date": known[0] if known else None,
                     "last_date": known[-1] if known else None})
    table = pd.DataFrame(rows, columns=["zone_id", "name", "kind", "events", "first_date",
                                        "last_date"])
    for column in ("first_date", "last_date"):
        table[column] = pd.Series([r[column] for r in rows], dtype=object, index=table.index)
    return table.sort_values(["events", "zone_id"], ascending=[False, True],
                             kind="mergesort").reset_index(drop=True)


# --- geo events --dask -------------------------------------------------------------------

def _progress_bar(futures: list) -> threading.Thread | None:
    """Dask's own text progress bar over the partitions, drawn on standard error (standard
    output may be the GeoJSON), in a thread; only on a terminal."""
    if not futures or not sys.stderr.isatty():
        return None
    from distributed.diagnostics.progressbar import TextProgressBar

    class StderrProgressBar(TextProgressBar):
        def _draw_bar(self, remaining, all, **kwargs):
            stdout, sys.stdout = sys.stdout, sys.stderr
            try:
                super()._draw_bar(remaining, all, **kwargs)
            finally:
                sys.stdout = stdout

        def _draw_stop(self, **kwargs):
            sys.stderr.write("\33[2K\r")
            sys.stderr.flush()

    thread = threading.Thread(target=StderrProgressBar, args=(futures,), daemon=True)
    thread.start()
    return thread


def iter_features(inputs: Iterable[str | os.PathLike], client: "Client", *,
                  failures: list[str], extra_places: Sequence[str] = (), fmt: str = "auto",
                  progress: bool | None = None, partition_bytes: int = PARTITION_BYTES,
                  correct=None) -> Iterator[tuple[str, list[str], list[str], bool]]:
    """(report id, feature lines, warnings, whether it gave events before any correction)
    per report, in input order, computed on the
    cluster of `client`; the errors of unreadable reports are appended to `failures` in the
    order a single process meets them. With `correct` (geo.corrections.Corrector, which
    keeps count of what it applied), the workers send event rows and the corrections are
    applied here, report by report, as a single process does."""
    parts = partitions(inputs, failures, partition_bytes)
    if not parts:
        return
    gaz = _ship_gazetteer(client, extra_places)
    task = partition_features if correct is None else partition_events
    futures = [client.submit(task, p, gaz, fmt, pure=False) for p in parts]
    bar = _progress_bar(futures) if progress is not False else None
    try:
        for i, future in enumerate(futures):
            part = future.result()
            futures[i] = None  # the partition's results are released once written
            future.release()
            failures.extend(part.failures)
            if correct is None:
                yield from ((*report, bool(report[1])) for report in part.reports)
                continue
            from geo.events import feature_json

            for item in part.items:
                yield (item.report_id, [feature_json(row) for row in correct(item.events)],
                       item.warnings, bool(item.events))
    finally:
        for future in futures:
            if future is not None:
                future.cancel()
        if bar is not None:
            bar.join(timeout=5)


def write_events_geojson(inputs: Iterable[str | os.PathLike], output: str | Path | None = None,
                         *, address: str | None = None, workers: int | None = None,
                         extra_places: Sequence[str] = (), fmt: str = "auto",
                         max_warnings: int = 100, progress: bool | None = None,
                         partition_bytes: int = PARTITION_BYTES, correct=None):
    """geo.events.write_events_geojson on a Dask cluster (the scheduler at `address`, else a
    LocalCluster of `workers`): the same GeoJSONRun, and the same bytes to `output` (written
    atomically) or to standard output; `correct` as there."""
    from geo._atomic import atomic_files, check_folder
    from geo.events import GEOJSON_HEAD, GEOJSON_TAIL, GeoJSONRun

    inputs = [os.fspath(i) for i in inputs]
    run = GeoJSONRun()

    def write(out, client) -> None:
        # As the single-process writer: the head waits for the first report.
        for report_id, features, warnings, found in iter_features(
                inputs, client, failures=run.failures, extra_places=extra_places, fmt=fmt,
                progress=progress, partition_bytes=partition_bytes, correct=correct):
            if not run.reports:
                out.write(GEOJSON_HEAD)
            run.reports += 1
            if not found:
                run.no_event.append(report_id)
            if len(run.warnings) < max_warnings:
                run.warnings.extend(warnings[:max_warnings - len(run.warnings)])
            for line in features:
                out.write((",\n" if run.events else "") + line)
                run.events += 1
        if run.reports:
            out.write(GEOJSON_TAIL)

    if output is not None:
        output = Path(output)
        check_folder(output.parent, output)  # before a cluster is started
    partitions(inputs, [])  # stdin refused before a cluster is started
    with cluster(address, workers) as client:
        if output is None:
            write(sys.stdout, client)
            return run
        with atomic_files([output]) as temps:
            with open(temps[0], "w", encoding="utf-8", newline="\n") as out:
                write(out, client)
            if not run.reports:
                temps.discard()
    return run
