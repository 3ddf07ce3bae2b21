"""PostGIS push: 100,000 events into a throw-away PostgreSQL + PostGIS server (or --db URL),
beside a bare COPY of the same event rows into a table with no key, index or upsert (the
database's own ingest rate, the peer in the same run).

The events are those of the test corpus (tests/corpus/corpus.yaml) and the seed reports,
geoparsed once and repeated under new report and event ids until there are --events of
them; only the push is timed (rows -> layers -> batches of --batch-reports reports, each one
transaction: the advisory lock, COPY into staging tables, upserts, place counts). Then the
same events are pushed again (every row unchanged: the re-run case).

Run: python3 bench/bench_postgis.py [--events 100000] [--batch-reports 500] [--db URL]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

import yaml  # noqa: E402

from geo import settings  # noqa: E402


def source_items():
    """ReportEvents of the corpus and seed texts (each text one report)."""
    from geo.events import iter_events
    from geo.reports import parse_report_text

    texts = [c["text"] for c in yaml.safe_load(
        (PROJECT / "tests" / "corpus" / "corpus.yaml").read_text(encoding="utf-8"))]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(texts):
            Path(tmp, f"c{i:03d}.md").write_text(
                f"---\nid: c{i:03d}\npublished: 2024-01-01\n---\n{text}\n", encoding="utf-8")
        items = list(iter_events([tmp, str(settings.SEEDS_DIR)], progress=False))
    del parse_report_text
    return [it for it in items if it.events]


def replicated(items, n_events):
    """ReportEvents repeated under new ids until n_events events (a generator)."""
    made, copy = 0, 0
    while made < n_events:
        for item in items:
            rid = f"{item.report_id}-x{copy}"
            events = []
            for k, row in enumerate(item.events, 1):
                events.append(dict(row, event_id=f"{rid}-{k}", report_id=rid))
            mentions = [dict(m, report_id=rid) for m in item.mentions]
            yield replace(item, report_id=rid, events=events, mentions=mentions)
            made += len(events)
            if made >= n_events:
                return
        copy += 1


def bare_copy(url, rows):
    """The peer: the same event attributes and points COPYed into a plain table."""
    import psycopg
    import shapely

    from geo.schema import EVENT_COLUMNS

    cols = [c for c in EVENT_COLUMNS if c != "geometry"]
    table = "bare_" + uuid.uuid4().hex[:8]
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in cols)}, "
                     "geom geometry(Point, 4326))")
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                g = row["geometry"]
                wkb = shapely.to_wkb(shapely.set_srid(shapely.Point(g), 4326), hex=True,
                                     include_srid=True) if g else None
                copy.write_row([None if row[c] is None else str(row[c]) for c in cols] + [wkb])
        conn.commit()
        wall = time.perf_counter() - t0
        conn.execute(f"DROP TABLE {table}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch-reports", type=int, default=500)
    ap.add_argument("--db", help="an existing database (default: start a throw-away server)")
    args = ap.parse_args()
    from geo import postgis

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cluster = None
    url = args.db
    if url is None:
        import pg_helpers

        why = pg_helpers.postgis_available()
        if why:
            sys.exit(f"cannot start a PostGIS server: {why}")
        cluster = pg_helpers.Cluster().start()
        url = cluster.url()
    try:
        items = source_items()
        rows = [row for item in replicated(items, args.events) for row in item.events]
        print(f"{len(rows)} events from {len(items)} distinct reports, repeated")
        schema = "bench_" + uuid.uuid4().hex[:8]
        in_db = [0.0]
        write_batch = postgis._write_batch

        def timed_batch(*a, **k):  # the database's share: the batch transaction alone
            t = time.perf_counter()
            write_batch(*a, **k)
            in_db[0] += time.perf_counter() - t

        postgis._write_batch = timed_batch
        for label in ("first push", "same again"):
            in_db[0] = 0.0
            t0 = time.perf_counter()
            result = postgis.push_items(replicated(items, args.events), url, schema=schema,
                                        batch_reports=args.batch_reports)
            wall = time.perf_counter() - t0
            print(f"{label:<12} {result.counts['events']} events, {result.counts['mentions']} "
                  f"mentions in {result.batches} batches: {wall:.1f} s, "
                  f"{result.counts['events'] / wall:,.0f} events/s; of which the batch "
                  f"transactions {in_db[0]:.1f} s ({result.counts['events'] / in_db[0]:,.0f} "
                  "events/s), building the layers (zones, places) the rest")
        peer = bare_copy(url, rows)
        print(f"{'bare COPY':<12} {len(rows)} events: {peer:.1f} s, {len(rows) / peer:,.0f} rows/s "
              "(no key, no index, no upsert: the peer)")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
