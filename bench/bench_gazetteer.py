"""Gazetteer speed and coverage.

Prints:
- load: time to read data/places/*.csv and build the name index (target < 0.2 s);
- resolve: warm latency per query over a mixed query set (target < 1 ms), beside a peer in the
  same run: the naive resolver (rapidfuzz best match over every name) that the index replaces;
- command: wall time of `geo resolve NAME` as a whole process (target < 0.5 s), beside
  `python -c pass` as the floor of any Python command;
- coverage, when ../shared/reference is present: the share of UCDP GED's northern place names
  and of ACLED's location names (measuring only: nothing from ACLED is stored) that resolve
  to a place within 5 km of where those datasets put them.

Run: python3 bench/bench_gazetteer.py
"""
from __future__ import annotations

import csv
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
REFERENCE = PROJECT.parent / "shared" / "reference"
sys.path.insert(0, str(PROJECT))

from geo import _text  # noqa: E402
from geo.gazetteer import Gazetteer, haversine_km  # noqa: E402

QUERIES = ["Tuz Khurmato", "Sulaimani", "Slemani", "السليمانية", "سلێمانی", "Qara Tapa", "Qaratapa",
           "Kirkuk city", "Diyala province", "Hamrin mountains", "Sleman Bag", "Khanaqin", "Jalawla",
           "Erbil", "Hewler", "Mosul", "Sinjar", "Makhmour", "Kifri district", "Tuz Khormato",
           "Sulaimanya", "Qaratapa-Hamrin front", "Baqubah", "Amerli", "Daquq", "Hawija"]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_load() -> Gazetteer:
    files = Gazetteer.builtin_files()

    def cold():
        _text.normalize.cache_clear()
        _text.compact.cache_clear()
        Gazetteer.from_files(files)

    times = timed(cold, 5)
    gaz = Gazetteer.from_files(files)
    print(f"load:     {len(gaz)} places, median {statistics.median(times) * 1000:.1f} ms "
          f"(target < 200 ms)")
    return gaz


def bench_resolve(gaz: Gazetteer) -> None:
    from rapidfuzz import fuzz, process

    for q in QUERIES:  # warm: fuzzy key list built, caches filled
        gaz.resolve(q)
    n = 20
    ours = timed(lambda: [gaz.resolve(q) for q in QUERIES], n)
    per_query = statistics.median(ours) / len(QUERIES) * 1000

    names = [(name, p) for name, p in gaz.names()]
    choices = [name for name, _ in names]
    naive = timed(lambda: [process.extractOne(q, choices, scorer=fuzz.WRatio) for q in QUERIES], 3)
    naive_per = statistics.median(naive) / len(QUERIES) * 1000
    print(f"resolve:  {per_query:.3f} ms per query warm (target < 1 ms); "
          f"peer, naive fuzzy scan of {len(choices)} names: {naive_per:.3f} ms "
          f"({naive_per / per_query:.0f}x slower)")


def bench_command() -> None:
    def run(args):
        return timed(lambda: subprocess.run(args, check=False, capture_output=True), 5)

    geo_cmd = [sys.executable, "-m", "geo.cli", "resolve", "Tuz Khurmato"]
    ours = statistics.median(run(geo_cmd))
    floor = statistics.median(run([sys.executable, "-c", "pass"]))
    print(f"command:  `geo resolve \"Tuz Khurmato\"` {ours * 1000:.0f} ms (target < 500 ms); "
          f"peer `python -c pass` {floor * 1000:.0f} ms")


def bench_coverage(gaz: Gazetteer) -> None:
    if not REFERENCE.is_dir():
        print("coverage: ../shared/reference not present, skipped")
        return
    north = ("Nīnawá", "Kirkūk", "Ta'mim", "Şalāḩ ad Dīn", "Diyālá", "Arbīl", "Dahūk", "Sulaymānīyah")
    with open(REFERENCE / "ucdp-ged-iraq-1989-2018.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]
    ucdp = {}
    for r in rows:
        if r["where_prec"] in ("1", "2") and any(k in r["adm_1"] for k in north):
            ucdp.setdefault(r["where_coordinates"], (float(r["latitude"]), float(r["longitude"])))
    report("UCDP GED northern place names", gaz, ucdp)

    acled = {}
    with open(REFERENCE / "acled-iraq-2019-2020.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["admin1"] in ("Diyala", "Kirkuk", "Sala al-Din", "Ninewa", "Sulaymaniyah", "Erbil", "Duhok"):
                acled.setdefault(r["location"], (float(r["latitude"]), float(r["longitude"])))
    report("ACLED location names (measured only)", gaz, acled)


def report(label, gaz, names):
    hit = 0
    misses = []
    for name, (lat, lon) in sorted(names.items()):
        got = gaz.resolve(name, limit=1)
        if got and haversine_km(lat, lon, got[0].place.lat, got[0].place.lon) <= 5.0:
            hit += 1
        else:
            misses.append(name)
    print(f"coverage: {label}: {hit}/{len(names)} = {hit / max(1, len(names)):.1%} resolve within 5 km")
    if "-v" in sys.argv:
        print("          misses: " + "; ".join(misses))


if __name__ == "__main__":
    gaz = bench_load()
    bench_resolve(gaz)
    bench_command()
    bench_coverage(gaz)
