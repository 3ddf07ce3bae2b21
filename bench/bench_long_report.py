"""Single long reports: `geo events` over one report of 1, 2, 4 and 20 MB, beside many small
reports of the same total size, so that per-report cost that grows faster than the text
shows as a rising seconds-per-MB column.

Each long report is the same paragraph (two event sentences of the kind that group into one
event: same type, same day, same place) repeated up to the size, under a front matter with a
published date; the 20 MB one stays under settings.REPORT_MAX_BYTES. The many-small-reports
peer is bench/bench_stream.py's folder of generated reports (about 3 KB each), run here on
the same machine in the same run at 4 MB. Every run is `geo events FILE -o OUT` in a child
process, on one core (--workers 1: one report cannot be split between workers).

Linear means the seconds per MB stay flat from 1 to 20 MB (within noise: the printed ratio
of the 20 MB figure to the 1 MB one should be near 1; the target is under a minute for 20 MB).

Run: python3 bench/bench_long_report.py [--sizes 1,2,4,20] [--no-peer]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from geo import settings  # noqa: E402

PARAGRAPH = ("Two soldiers were killed on Tuesday when an IED exploded near Jalawla, security "
             "sources said. A second IED exploded near Jalawla on Tuesday, wounding a shepherd.\n\n")


def write_long(path: Path, megabytes: float) -> int:
    """One report of about `megabytes` MB; returns its size in bytes."""
    head = "---\nid: long\ntitle: a long report\npublished: 2024-03-16\nsource: bench\n---\n"
    target = min(int(megabytes * 1_000_000), settings.REPORT_MAX_BYTES - 1024)
    n = max(1, (target - len(head)) // len(PARAGRAPH.encode("utf-8")))
    text = head + PARAGRAPH * n
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def timed_events(source: Path, out: Path) -> tuple[float, int]:
    """Wall seconds of `geo events source -o out` and the events it wrote."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "geo.cli", "events", str(source), "-o", str(out),
                           "--workers", "1"], cwd=PROJECT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"geo events failed ({done.returncode}): {done.stderr[-500:]}")
    with open(out, encoding="utf-8") as fh:
        events = sum(1 for line in fh if line.startswith('{"type": "Feature"'))
    return wall, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,2,4,20", help="MB of each long report (comma-separated)")
    ap.add_argument("--no-peer", action="store_true", help="leave out the many-small-reports run")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Start-up (imports, gazetteer) is paid once per run: measured on a one-paragraph report
        # and taken off, so that seconds per MB are the text's own cost.
        # The first run may build the gazetteer's index cache: run twice, keep the second.
        write_long(root / "tiny.md", 0)
        timed_events(root / "tiny.md", root / "tiny.geojson")
        base, _ = timed_events(root / "tiny.md", root / "tiny.geojson")
        for mb in sizes:
            path = root / f"long-{mb:g}.md"
            size = write_long(path, mb)
            wall, events = timed_events(path, root / f"long-{mb:g}.geojson")
            rows.append((f"one report of {size / 1e6:5.1f} MB", size, wall, events))
        if not args.no_peer:
            sys.path.insert(0, str(PROJECT / "bench"))
            from bench_stream import write_reports

            n = 1300  # about 4 MB of 3 KB reports
            size = write_reports(root / "small", n)
            wall, events = timed_events(root / "small", root / "small.geojson")
            rows.append((f"{n} reports, {size / 1e6:5.1f} MB", size, wall, events))
    print(f"start-up (one tiny report): {base:.1f} s, taken off the per-MB figures")
    per_mb = {}
    for label, size, wall, events in rows:
        rate = max(wall - base, 0.0) / (size / 1e6)
        per_mb[label] = rate
        print(f"{label:32s} {wall:7.1f} s  {rate:6.2f} s/MB  {events:>7} events")
    longs = [r for r in rows if r[0].startswith("one report")]
    if len(longs) >= 2:
        first, last = longs[0], longs[-1]
        ratio = per_mb[last[0]] / per_mb[first[0]] if per_mb[first[0]] else float("nan")
        print(f"s/MB at {last[1] / 1e6:.0f} MB over s/MB at {first[1] / 1e6:.0f} MB: {ratio:.2f} "
              f"(1 is linear); {last[1] / 1e6:.0f} MB took {last[2]:.1f} s (target: under 60 s)")


if __name__ == "__main__":
    main()
