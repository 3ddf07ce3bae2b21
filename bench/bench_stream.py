"""Streaming: a folder of generated reports through `geo events`, in constant memory, on both cores.

Writes N report files (default 10,000; Markdown with front matter, about 3 KB each, built from
the seed reports and the corpus texts with their dates shifted), runs `geo events FOLDER -o
FILE` as a separate process for a tenth of them and for all of them, and prints for each run:
wall time, reports per second, CPU time over wall time (about 2 when both cores work), the
peak memory of the largest process (the command or one of its workers), and the events
written. Constant memory shows as the same peak for both sizes.

Run: python3 bench/bench_stream.py [--reports 10000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import yaml  # noqa: E402

from geo import settings  # noqa: E402
from geo.reports import read_reports  # noqa: E402


def write_reports(folder: Path, n: int) -> int:
    """N report files in `folder`; returns their total size in bytes."""
    seeds = [r.body for r in read_reports([settings.SEEDS_DIR])]
    corpus = [c["text"] for c in yaml.safe_load((PROJECT / "tests" / "corpus" / "corpus.yaml")
                                                 .read_text(encoding="utf-8"))]
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    day0 = date(2023, 1, 1)
    for i in range(n):
        # A seed article with two short reports after it: about 3 KB, several events.
        body = "\n\n".join([seeds[i % len(seeds)], corpus[i % len(corpus)],
                             corpus[(i * 7 + 3) % len(corpus)]])
        text = (f"---\nid: gen-{i:05d}\ntitle: generated report {i}\n"
                f"published: {day0 + timedelta(days=i % 700)}\nsource: bench\n---\n{body}\n")
        path = folder / f"{i // 1000:02d}" / f"r{i:05d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def run(folder: Path, out: Path) -> dict:
    """`geo events folder -o out` in a child process (a fresh one, so its peak is its own)."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t0 = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-m', 'geo', 'events', sys.argv[1], '-o', sys.argv[2]],"
        " capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t0\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'rc': p.returncode, 'wall': wall, 'cpu': ru.ru_utime + ru.ru_stime,"
        " 'peak_mb': ru.ru_maxrss / 1024, 'stderr': p.stderr[-500:]}))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(folder), str(out)], capture_output=True,
                          text=True, check=True, cwd=PROJECT)
    result = json.loads(done.stdout)
    with open(out, encoding="utf-8") as fh:
        result["events"] = sum(1 for line in fh if line.startswith('{"type": "Feature"'))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="write the reports here and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        small_n = max(1, args.reports // 10)
        small_size = write_reports(root / "small", small_n)
        big_size = write_reports(root / "big", args.reports)
        print(f"cores: {os.cpu_count()}; reports of about {big_size / args.reports / 1000:.1f} KB")
        for label, folder, n, size in (("1/10", root / "small", small_n, small_size),
                                       ("all", root / "big", args.reports, big_size)):
            r = run(folder, Path(tmp) / f"{label.replace('/', '-')}.geojson")
            if r["rc"] != 0:
                print(f"geo events failed ({r['rc']}): {r['stderr']}")
                sys.exit(1)
            print(f"{n:>6} reports ({size / 1e6:5.1f} MB): {r['wall']:6.1f} s, "
                  f"{n / r['wall']:6.0f} reports/s, {size / 1e6 / r['wall']:5.2f} MB/s, "
                  f"CPU/wall {r['cpu'] / r['wall']:.2f}, peak memory {r['peak_mb']:.0f} MB, "
                  f"{r['events']} events")


if __name__ == "__main__":
    main()
