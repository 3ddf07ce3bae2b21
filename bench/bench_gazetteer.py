"""Gazetteer speed and coverage.

Prints:
- load: time to read data/places/*.csv and build the name index (target < 0.2 s);
- resolve: warm latency per query over a mixed query set (target < 1 ms), beside a peer in the
  same run: the naive resolver (rapidfuzz best match over every name) that the index replaces;
- command: wall time of `geo resolve NAME` as a whole process (target < 0.5 s), beside
  `python -c pass` as the floor of any Python command;
- coverage, when ../shared/reference is present: the share of UCDP GED's northern place names
  and of ACLED's location names (measuring only: nothing from ACLED is stored) that resolve
  to a place within 5 km of where those datasets put them. UCDP is counted twice: for its
  precise places (where_prec 1-2: the town or village itself) and for every precision (3 and
  up are districts, provinces and regions, whose UCDP point is a representative one). UCDP's
  "Road between X and Y" places are not places a gazetteer resolves: they are skipped and
  counted apart.

The gazetteer is the built-in one (no GEO_PLACES files, no GeoNames cache), in-process and in
the `geo resolve` subprocess alike, so the figures do not depend on the machine's caches.

Run: python3 bench/bench_gazetteer.py [-v]   (-v lists the names that miss)
"""
from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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
           "Sulaimanya", "Qaratapa-Hamrin front", "Baqubah", "Amerli", "Daquq", "Hawija",
           # type words, typos, Arabic variants, no match: every path of the resolver
           "Kan‘ān town", "Nāḩiyat Yathrib village", "Tuz Khurmto", "Kirkok", "كـركـوك", "السليمانيه",
           "Erbil International Airport", "Atlantis"]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_load() -> Gazetteer:
    """Cold: the normalization caches are cleared before each run, as in a new process."""
    from geo.gazetteer import read_places_file

    files = Gazetteer.builtin_files()

    def cold_read():
        _text.normalize.cache_clear()
        _text.compact.cache_clear()
        return [p for f in files for p in read_places_file(f)]

    read_times, index_times, total_times = [], [], []
    for _ in range(7):
        t0 = time.perf_counter()
        places = cold_read()
        t1 = time.perf_counter()
        Gazetteer(places)
        t2 = time.perf_counter()
        read_times.append(t1 - t0)
        index_times.append(t2 - t1)
        total_times.append(t2 - t0)
    gaz = Gazetteer.from_files(files)
    med = lambda ts: statistics.median(ts) * 1000  # noqa: E731
    print(f"load:     {len(gaz)} places from {len(files)} files: read {med(read_times):.1f} ms + "
          f"index build {med(index_times):.1f} ms = {med(total_times):.1f} ms median "
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
    env = {k: v for k, v in os.environ.items() if k != "GEO_PLACES"}
    env["GEO_CACHE_DIR"] = tempfile.mkdtemp(prefix="geo-bench-cache-")  # no GeoNames cache

    def run(args):
        proc = subprocess.run(args, check=False, capture_output=True, env=env)
        assert proc.returncode == 0, proc.stderr.decode()
        return timed(lambda: subprocess.run(args, check=False, capture_output=True, env=env), 5)

    script = shutil.which("geo")
    geo_cmd = [script] if script else [sys.executable, "-m", "geo.cli"]
    ours = statistics.median(run([*geo_cmd, "resolve", "Tuz Khurmato"]))
    floor = statistics.median(run([sys.executable, "-c", "pass"]))
    print(f"command:  `geo resolve \"Tuz Khurmato\"` {ours * 1000:.0f} ms (target < 500 ms); "
          f"peer `python -c pass` {floor * 1000:.0f} ms")
    shutil.rmtree(env["GEO_CACHE_DIR"], ignore_errors=True)


def bench_coverage(gaz: Gazetteer) -> None:
    if not REFERENCE.is_dir():
        print("coverage: ../shared/reference not present, skipped")
        return
    north = ("Nīnawá", "Kirkūk", "Ta'mim", "Şalāḩ ad Dīn", "Diyālá", "Arbīl", "Dahūk", "Sulaymānīyah",
             "Ḩalabjah")
    with open(REFERENCE / "ucdp-ged-iraq-1989-2018.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]  # line 2 is an HXL tag row
    precise, every, roads = {}, {}, set()
    for r in rows:
        if not any(k in r["adm_1"] for k in north):
            continue
        name = r["where_coordinates"].strip()
        if name.lower().startswith("road between"):
            roads.add(name)
            continue
        point = (float(r["latitude"]), float(r["longitude"]))
        every.setdefault(name, point)
        if r["where_prec"] in ("1", "2"):
            precise.setdefault(name, point)
    report("UCDP GED northern place names, where_prec 1-2", gaz, precise)
    report("UCDP GED northern place names, all precisions", gaz, every)
    print(f"coverage: UCDP GED northern 'Road between ...' places skipped: {len(roads)}")

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
