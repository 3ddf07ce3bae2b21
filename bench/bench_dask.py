"""Dask: `geo events` on 1, 2 and 4 LocalCluster workers beside the single-process run, and a
simulated large archive streamed through the cluster.

The reports are short: the paragraphs of the test corpus (tests/corpus/corpus.yaml), the seed
reports and, when ../shared/reference/news-dev is present, its texts (measured on, never
copied into the project), cut into pieces of at most about 800 characters and repeated with
new ids and dates. They are written as JSON Lines files of 1,000 reports each, one line at a
time, so even the million-report archive is never in memory.

1. Scaling: the first --sample reports through geo.events.write_events_geojson in one process
   (the peer), then geo.dask.write_events_geojson on 1, 2 and 4 workers of a LocalCluster;
   wall time (the cluster's start, with each process's first report that imports geo and
   compiles the rules, counted apart, for the peer too), reports/s, speed-up over one Dask worker
   and over the single process, and whether the GeoJSON is byte for byte the peer's.
2. Archive: --reports reports on --archive-workers workers, the GeoJSON written to a file:
   throughput, and the peak memory of each worker process (sampled every half second) and of
   this process.

Run: python3 bench/bench_dask.py [--sample 3000] [--reports 1000000] [--archive-workers 2]
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
NEWS_DEV = PROJECT.parent / "shared" / "reference" / "news-dev"
PER_FILE = 1000

import yaml  # noqa: E402

from geo import settings  # noqa: E402
from geo.reports import read_reports  # noqa: E402


def pieces() -> list[str]:
    """Short report bodies: texts cut at paragraph ends into pieces of at most ~800 chars."""
    texts = [c["text"] for c in yaml.safe_load(
        (PROJECT / "tests" / "corpus" / "corpus.yaml").read_text(encoding="utf-8"))]
    texts += [r.body for r in read_reports([settings.SEEDS_DIR])]
    if NEWS_DEV.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(NEWS_DEV.glob("*.txt"))]
    else:
        print("note: ../shared/reference/news-dev is absent; corpus and seeds only")
    out = []
    for text in texts:
        piece = ""
        for para in (p.strip() for p in text.split("\n\n")):
            if not para:
                continue
            if piece and len(piece) + len(para) > 800:
                out.append(piece)
                piece = ""
            piece = f"{piece}\n\n{para}" if piece else para
        if piece:
            out.append(piece)
    return out


def write_archive(folder: Path, n: int, bodies: list[str]) -> tuple[list[str], int]:
    """n reports as JSON Lines files of PER_FILE lines, written one line at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    files, size = [], 0
    day0 = date(2023, 1, 1)
    for start in range(0, n, PER_FILE):
        path = folder / f"part-{start // PER_FILE:05d}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(start, min(n, start + PER_FILE)):
                line = json.dumps({"id": f"a{i:07d}", "published": str(day0 + timedelta(days=i % 700)),
                                   "source": "bench", "body": bodies[i % len(bodies)]},
                                  ensure_ascii=False) + "\n"
                fh.write(line)
                size += len(line.encode("utf-8"))
        files.append(str(path))
    return files, size


def rss_peaks(client, stop: threading.Event, peaks: dict) -> None:
    """Sample every worker's resident memory until `stop`, keeping each one's peak."""
    import psutil

    def rss():
        return psutil.Process().memory_info().rss

    while not stop.is_set():
        try:
            for worker, value in client.run(rss).items():
                peaks[worker] = max(peaks.get(worker, 0), value)
        except Exception:  # a worker between tasks may not answer; the next sample will
            pass
        stop.wait(0.5)


def warm(client, tiny):
    """Each worker imports geo and compiles the event rules on one report before timing, as
    the peer's process does (a cluster's start, not its throughput)."""
    from geo import dask as geo_dask

    gaz = geo_dask._ship_gazetteer(client)
    for worker in client.scheduler_info()["workers"]:
        client.submit(geo_dask.partition_events, [(tiny, 0, 1)], gaz, workers=[worker],
                      pure=False).result()


def timed_dask(files, out, workers, tiny, measure_memory=False):
    from geo import dask as geo_dask

    t0 = time.perf_counter()
    with geo_dask.cluster(None, workers) as client:
        warm(client, tiny)
        started = time.perf_counter() - t0
        peaks: dict = {}
        stop = threading.Event()
        sampler = None
        if measure_memory:
            sampler = threading.Thread(target=rss_peaks, args=(client, stop, peaks), daemon=True)
            sampler.start()
        t1 = time.perf_counter()
        run = _write(files, out, client)
        wall = time.perf_counter() - t1
        stop.set()
        if sampler:
            sampler.join()
    return {"start": started, "wall": wall, "events": run.events, "reports": run.reports,
            "peaks_mb": sorted(v / 2**20 for v in peaks.values())}


def _write(files, out, client):
    """geo.dask.write_events_geojson's loop on an already started cluster."""
    from geo.events import GEOJSON_HEAD, GEOJSON_TAIL, GeoJSONRun
    from geo import dask as geo_dask

    run = GeoJSONRun()
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for _, features, _, _ in geo_dask.iter_features(files, client, failures=run.failures,
                                                       progress=False):
            if not run.reports:
                fh.write(GEOJSON_HEAD)
            run.reports += 1
            for line in features:
                fh.write((",\n" if run.events else "") + line)
                run.events += 1
        if run.reports:
            fh.write(GEOJSON_TAIL)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=3000, help="reports for the scaling runs")
    ap.add_argument("--reports", type=int, default=1_000_000, help="reports in the archive")
    ap.add_argument("--archive-workers", type=int, default=2)
    ap.add_argument("--skip-archive", action="store_true")
    args = ap.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    bodies = pieces()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files, size = write_archive(root / "sample", args.sample, bodies)
        print(f"sample: {args.sample} reports ({len(bodies)} distinct bodies), "
              f"{size / 2**20:.1f} MB in {len(files)} files")
        from geo.events import write_events_geojson

        tiny, _ = write_archive(root / "tiny", 1, bodies)
        tiny = tiny[0]
        write_events_geojson([tiny], root / "tiny.geojson", workers=1, progress=False)  # warm
        peer_out = root / "peer.geojson"
        t0 = time.perf_counter()
        peer = write_events_geojson(files, peer_out, workers=1, progress=False)
        peer_wall = time.perf_counter() - t0
        print(f"{'run':<28}{'wall s':>8}{'reports/s':>11}{'vs 1 worker':>13}{'vs 1 process':>14}"
              f"{'same bytes':>12}{'start s':>9}")
        print(f"{'single process (peer)':<28}{peer_wall:>8.1f}{args.sample / peer_wall:>11.0f}"
              f"{'':>13}{1.0:>14.2f}{'-':>12}{'-':>9}")
        one = None
        for workers in (1, 2, 4):
            out = root / f"dask{workers}.geojson"
            r = timed_dask(files, out, workers, tiny)
            one = one or r["wall"]
            same = out.read_bytes() == peer_out.read_bytes()
            print(f"{f'dask, {workers} worker(s)':<28}{r['wall']:>8.1f}"
                  f"{args.sample / r['wall']:>11.0f}{one / r['wall']:>13.2f}"
                  f"{peer_wall / r['wall']:>14.2f}{str(same):>12}{r['start']:>9.1f}")
        print(f"events: {peer.events}")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if args.skip_archive:
            return
        for f in files:
            os.remove(f)
        t0 = time.perf_counter()
        files, size = write_archive(root / "archive", args.reports, bodies)
        print(f"\narchive: {args.reports} reports, {size / 2**20:.0f} MB in {len(files)} files "
              f"(written in {time.perf_counter() - t0:.0f} s)")
        r = timed_dask(files, root / "archive.geojson", args.archive_workers, tiny,
                       measure_memory=True)
        print(f"dask, {args.archive_workers} workers: {r['wall']:.0f} s, "
              f"{r['reports'] / r['wall']:.0f} reports/s, {r['events']} events; peak memory per "
              f"worker {', '.join(f'{p:.0f} MB' for p in r['peaks_mb'])}; this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
