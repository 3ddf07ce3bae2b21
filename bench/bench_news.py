"""Event placement and dating on real news articles (news-dev sets of ../shared/reference).

Each set is a folder of articles (`NN.txt`: headline, publication date, blank line, body)
with a `truth.tsv` giving the main event's place (lat, lon, tolerance_km) and date. The
articles go through the events API (geo.events.report_events) and the bench prints, per set:
- the first event within tolerance of the truth point (count and share);
- the event date right, of the articles whose truth gives a date;
- every miss: the place chosen, how far it is from the truth, and why it was chosen (the
  event's location reason, else its warnings), so misses can be studied and grouped.

The sets are close paraphrases of published articles, for developing and MEASURING only:
nothing of them (texts, answers) enters the project. When ../shared/reference is absent,
the bench says so and skips.

Run: python3 bench/bench_news.py [--set news-dev] [--quiet]
Targets (issue 12): news-dev first event within tolerance >= 90%, event date right >= 95%
of those dated.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

REFERENCE = PROJECT.parent / "shared" / "reference"
SETS = ("news-dev", "news-dev-ar", "news-dev-ckb", "news-dev-kmr")


def truth_rows(folder: Path) -> list[dict]:
    with open(folder / "truth.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _why(event: dict) -> str:
    reason = event.get("location_reason") or ""
    warnings = event.get("warnings") or ""
    return "; ".join(x for x in (reason, warnings) if x) or "-"


def run_set(folder: Path, gaz, quiet: bool = False) -> dict:
    from geo.events import report_events
    from geo.gazetteer import haversine_km
    from geo.reports import read_reports

    rows = truth_rows(folder)
    within = dated = date_right = found = 0
    misses: list[str] = []
    date_misses: list[str] = []
    for row in rows:
        path = folder / row["file"]
        failures: list[str] = []
        reports = list(read_reports([path], failures))
        if not reports:
            misses.append(f"  {row['file']}: unreadable ({'; '.join(failures)})")
            continue
        events = report_events(reports[0], gaz).events
        first = events[0] if events else None
        found += first is not None  # an event found at all (issue 13: >= 9 of 10 per language)
        lat, lon, tol = float(row["lat"]), float(row["lon"]), float(row["tolerance_km"])
        truth = row["event_place_as_written"]
        if first is None:
            misses.append(f"  {row['file']}: no event  [truth: {truth}]")
        elif first["latitude"] is None:
            misses.append(f"  {row['file']}: no place (as written: {first.get('evidence_place') or '-'}); "
                          f"why: {_why(first)}  [truth: {truth}]")
        else:
            km = haversine_km(first["latitude"], first["longitude"], lat, lon)
            if km <= tol:
                within += 1
            else:
                misses.append(f"  {row['file']}: {first['location']} ({first['evidence_place']!r}, "
                              f"precision {first['geo_precision']}) {km:.0f} km off, tolerance {tol:.0f}; "
                              f"why: {_why(first)}  [truth: {truth}]")
        if row["event_date"]:
            dated += 1
            got = first["event_date"] if first else None
            if got == row["event_date"]:
                date_right += 1
            else:
                date_misses.append(f"  {row['file']}: dated {got or '-'}, truth {row['event_date']}")
    n = len(rows)
    print(f"{folder.name}: {n} articles; an event found {found}/{n}; first event within tolerance {within}/{n} "
          f"({within / n:.0%}); event date right {date_right}/{dated} of those dated "
          f"({date_right / dated:.0%})" if dated else
          f"{folder.name}: {n} articles; an event found {found}/{n}; first event within tolerance {within}/{n} ({within / n:.0%}); "
          f"no truth dates")
    if not quiet:
        if misses:
            print(f" place misses ({len(misses)}):")
            print("\n".join(misses))
        if date_misses:
            print(f" date misses ({len(date_misses)}):")
            print("\n".join(date_misses))
    return {"articles": n, "within": within, "dated": dated, "date_right": date_right}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", choices=SETS, help="only this set (repeatable)")
    ap.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = ap.parse_args()
    if not REFERENCE.is_dir():
        print(f"skipped: {REFERENCE} is absent (the news-dev sets live there)")
        return
    from geo.gazetteer import Gazetteer

    t0 = time.perf_counter()
    gaz = Gazetteer.default()
    print(f"gazetteer: {len(gaz)} places ({time.perf_counter() - t0:.2f} s)")
    for name in args.set or SETS:
        folder = REFERENCE / name
        if not (folder / "truth.tsv").is_file():
            print(f"{name}: skipped ({folder} has no truth.tsv)")
            continue
        run_set(folder, gaz, quiet=args.quiet)


if __name__ == "__main__":
    main()
