"""The event step's entry points: one report's events, a set of reports' events as
GeoDataFrames, and the stream of events report by report (in worker processes for large
inputs) written as one GeoJSON FeatureCollection.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from geo import settings
from geo.events.detect import assign_roles
from geo.events.records import GEOJSON_HEAD, GEOJSON_TAIL, _frame, event_rows, feature_json, mention_rows
from geo._errors import ReportError
from geo.parse import ParseResult, geoparse
from geo.reports import Report, ReportIds, iter_report_files, read_reports
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

@dataclass
class EventsResult:
    """Events and mentions of a set of reports.

    `events` and `mentions` are GeoDataFrames (EPSG:4326) with the columns of
    geo.schema.EVENT_COLUMNS and MENTION_COLUMNS; `failures` the error of each report that
    could not be read; `warnings` "report id: message" strings.
    """

    events: object
    mentions: object
    reports: list[Report]
    failures: list[str]
    warnings: list[str]
    #: ACLED / UCDP exports read as events ("ACLED: path"), see events_from_inputs.
    datasets: list[str] = field(default_factory=list)


@dataclass
class ReportEvents:
    """What `iter_events` yields per report: event and mention rows (plain dicts)."""

    report_id: str
    events: list[dict]
    mentions: list[dict]
    warnings: list[str]


# --- public API ------------------------------------------------------------------------------------

def _gazetteer(gazetteer: "Gazetteer | None") -> "Gazetteer":
    if gazetteer is not None:
        return gazetteer
    from geo.gazetteer import Gazetteer

    return Gazetteer.default()


def parse_report(report: Report, gazetteer: "Gazetteer | None" = None) -> ParseResult:
    """Every place mention in `report.body`, resolved, with roles set (`event` for the places
    the report's events are located at: the event step decides them).

    Parameters
    ----------
    report: a Report (see geo.reports).
    gazetteer: the places to find; the built-in gazetteer when None.

    Returns a ParseResult: `.mentions` in text order, `.unresolved` names, `.warnings`.
    """
    result = geoparse(report, gazetteer)
    assign_roles(result)
    return result


def report_events(report: Report, gazetteer: "Gazetteer | None" = None) -> ReportEvents:
    """Parse one report and build its event and mention rows."""
    gaz = _gazetteer(gazetteer)
    result = geoparse(report, gaz)
    assign_roles(result)
    rows = event_rows(result, gaz)
    warnings = [f"{report.id}: {w}" for w in report.warnings]
    warnings += [f"{report.id}: event {r['event_id']}: {w}" for r in rows for w in r["warnings"].split("; ") if w]
    if not rows:
        warnings.append(f"{report.id}: no event found in the text")
    return ReportEvents(report.id, rows, mention_rows(result), warnings)


def events_from_reports(reports: Iterable[Report], gazetteer: "Gazetteer | None" = None,
                        correct=None) -> EventsResult:
    """Events of `reports` as GeoDataFrames.

    Parameters
    ----------
    reports: Report objects (see geo.reports.read_reports).
    gazetteer: the places; the built-in gazetteer when None.
    correct: when given, takes each report's event rows and returns them corrected
        (geo.corrections.Corrector).

    Returns an EventsResult (`events`, `mentions`, `reports`, `failures`, `warnings`).
    """
    gaz = _gazetteer(gazetteer)
    kept, events, mentions, warnings = [], [], [], []
    for report in reports:
        kept.append(report)
        out = report_events(report, gaz)
        events += correct(out.events) if correct else out.events
        mentions += out.mentions
        warnings += out.warnings
    return EventsResult(_frame(events, EVENT_COLUMNS), _frame(mentions, MENTION_COLUMNS),
                        kept, [], warnings)


def events_from_inputs(inputs: list[str | Path], gazetteer: "Gazetteer | None" = None,
                       fmt: str = "auto", correct=None) -> EventsResult:
    """Events of the report files and folders `inputs` (`-` for stdin; `fmt` as for
    geo.reports.read_reports). Files that cannot be read are listed in `.failures`; the
    others still go through.

    An ACLED or UCDP GED export among them (a CSV recognised by its columns, see
    geo.event_exports) is read as events already located, after the reports' events, and
    named in `.datasets`; its bad rows are failures like a bad report's. `correct` as in
    events_from_reports (it corrects the datasets' rows too)."""
    failures: list[str] = []
    reports, exports = _split_datasets(inputs, failures, fmt)
    result = events_from_reports(read_reports(reports, failures, fmt=fmt) if reports else (),
                                 gazetteer, correct)
    rows: list[dict] = []
    for export in _read_datasets(exports, failures):
        rows += correct(export.rows) if correct else export.rows
        result.datasets.append(f"{export.dataset}: {export.path}")
    if rows:
        import pandas as pd

        dataset_events = _frame([dict(r, geometry=(r["longitude"], r["latitude"])) for r in rows],
                                EVENT_COLUMNS)
        result.events = dataset_events if result.events.empty else pd.concat(
            [result.events, dataset_events], ignore_index=True)
    result.failures = failures
    return result


def _split_datasets(inputs, failures: list[str], fmt: str) -> tuple[list[str], list[str]]:
    """The report files of `inputs`, and apart from them the ACLED / UCDP exports."""
    from geo.event_exports import dataset_of_file

    reports: list[str] = []
    exports: list[str] = []
    for path in iter_report_files(inputs, failures):
        (exports if fmt in ("auto", "csv") and dataset_of_file(path) else reports).append(path)
    return reports, exports


def _read_datasets(exports: list[str], failures: list[str]):
    """Each export's events (geo.event_exports), its bad rows and unreadable files failures."""
    from geo.event_exports import read_event_export

    for path in exports:
        try:
            export = read_event_export(path)
        except ReportError as exc:
            failures.append(str(exc))
            continue
        failures.extend(export.failures)
        yield export


@dataclass
class GeoJSONRun:
    """What write_events_geojson did: reports read, events written, the ids of the reports
    that gave no event, the first warnings, and the errors of unreadable reports."""

    reports: int = 0
    events: int = 0
    no_event: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)  # ACLED / UCDP exports read as events


def write_events_geojson(inputs: Iterable[str | Path], output: str | Path | None = None,
                         max_warnings: int = 100, correct=None, **stream) -> GeoJSONRun:
    """Stream the events of `inputs` into one GeoJSON FeatureCollection: to `output`, written
    atomically (an earlier file stays as it was until the new one is complete, and is kept
    if the run fails), or to standard output when None. `correct`, when given, takes each
    report's event rows and returns them corrected (geo.corrections.Corrector). `stream`
    goes to iter_events (workers, extra_places, fmt, progress)."""
    from geo._atomic import atomic_files, check_folder

    run = GeoJSONRun()
    inputs = list(inputs)  # read twice: for the files, and to refuse an output among them
    reports, exports = _split_datasets(inputs, run.failures, stream.get("fmt", "auto"))

    def write(out) -> None:
        # The head waits for the first report: inputs with no report write nothing at all.
        started = False

        def features(batch: list[dict]) -> None:
            nonlocal started
            if not started:
                out.write(GEOJSON_HEAD)
                started = True
            for row in (correct(batch) if correct else batch):
                out.write((",\n" if run.events else "") + feature_json(row))
                run.events += 1

        for item in iter_events(reports, failures=run.failures, **stream) if reports else ():
            run.reports += 1
            if not item.events:
                run.no_event.append(item.report_id)
            if len(run.warnings) < max_warnings:
                run.warnings.extend(item.warnings[:max_warnings - len(run.warnings)])
            features(item.events)
        for export in _read_datasets(exports, run.failures):
            run.datasets.append(f"{export.dataset}: {export.path}")
            features(export.rows)
        if started:
            out.write(GEOJSON_TAIL)

    if output is None:
        write(sys.stdout)
        return run
    output = Path(output)
    check_folder(output.parent, output)  # fail before reading thousands of reports, not after
    from geo._outputs import check_outputs_not_inputs

    check_outputs_not_inputs([output], inputs)  # never replace a report, from Python as from the CLI
    with atomic_files([output]) as temps:
        with open(temps[0], "w", encoding="utf-8", newline="\n") as out:
            write(out)
        if not (run.reports or run.datasets):
            temps.discard()  # every report failed: the earlier file stays, the new one goes
    return run


# --- streaming -----------------------------------------------------------------------------------------

_WORKER_GAZ = None


def _worker_init(extra_places: tuple[str, ...]) -> None:
    global _WORKER_GAZ
    from geo.gazetteer import Gazetteer

    _WORKER_GAZ = Gazetteer.default(extra_places=extra_places)


def _events_of_reports(reports: list[Report]) -> list[ReportEvents]:
    return [report_events(r, _WORKER_GAZ) for r in reports]


def iter_events(inputs: Iterable[str | Path], gazetteer: "Gazetteer | None" = None,
                failures: list[str] | None = None, workers: int | None = None,
                extra_places: tuple[str, ...] = (), progress: bool | None = None,
                fmt: str = "auto") -> Iterator[ReportEvents]:
    """Events report by report, in input order, in constant memory.

    Parameters
    ----------
    inputs: files, folders or `-`.
    gazetteer: the places (in one process only; workers load the default gazetteer plus
        `extra_places`).
    failures: a list that collects each unreadable file's or record's error.
    workers: processes to use; by default both cores when the input is large (at least
        settings.STREAM_PARALLEL_MIN_FILES files or STREAM_PARALLEL_MIN_BYTES of text).
    progress: a progress bar on stderr (files read, reports done); by default only when
        stderr is a terminal.
    fmt: the input format, as for geo.reports.read_reports.

    Reports are read in this process and handed to the workers in batches, with only a few
    batches in flight, so one 10,000-line JSON Lines file streams like 10,000 files.
    """
    failures = failures if failures is not None else []
    paths = list(iter_report_files(inputs, failures))  # names only: small even for 10,000 files
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if _large_input(paths) else 1
    if gazetteer is not None:
        workers = 1
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(paths)) if show else None
    reports = _reports_of(paths, failures, fmt, bar)
    try:
        if workers <= 1:
            if gazetteer is None:
                from geo.gazetteer import Gazetteer

                gazetteer = Gazetteer.default(extra_places=extra_places)
            for report in reports:
                out = report_events(report, gazetteer)
                _advance(bar, done=1)
                yield out
        else:
            for out in _parallel(reports, workers, extra_places):
                _advance(bar, done=1)
                yield out
    finally:
        if bar is not None:
            bar[0].stop()


def _large_input(paths: list[str]) -> bool:
    if len(paths) >= settings.STREAM_PARALLEL_MIN_FILES:
        return True
    size = 0
    for path in paths:
        try:
            size += os.stat(path).st_size
        except OSError:
            continue  # stdin, or a file that the reader will report as unreadable
    return size >= settings.STREAM_PARALLEL_MIN_BYTES


def _reports_of(paths: list[str], failures: list[str], fmt: str, bar) -> Iterator[Report]:
    ids = ReportIds()  # one for all the files: a report id is unique across them
    for path in paths:
        yield from read_reports([path], failures, fmt=fmt, ids=ids)
        _advance(bar, files=1)


def _parallel(reports: Iterator[Report], workers: int, extra_places: tuple[str, ...]) -> Iterator[ReportEvents]:
    """Batches of reports through a pool, results in input order, a bounded number of
    batches in flight (Pool.imap would read the whole input ahead)."""
    import multiprocessing as mp
    from collections import deque
    from itertools import islice

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(workers, initializer=_worker_init, initargs=(tuple(extra_places),)) as pool:
        pending: deque = deque()
        while True:
            batch = list(islice(reports, settings.STREAM_BATCH_REPORTS))
            if batch:
                pending.append(pool.apply_async(_events_of_reports, (batch,)))
            while pending and (len(pending) > settings.STREAM_BATCHES_IN_FLIGHT * workers or not batch):
                yield from pending.popleft().get()
            if not batch:
                return


def _advance(bar, files: int = 0, done: int = 0) -> None:
    if bar is not None:
        progress, task, counter = bar
        if files:
            progress.advance(task, files)
        if done:
            counter[0] += done
            progress.update(task, reports=counter[0])


def _progress(total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("files"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[reports]} reports done"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("events", total=total, reports=0)
    bar.start()
    return bar, task, [0]
