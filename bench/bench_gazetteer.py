"""Gazetteer speed, coverage and the WOF tier's mention precision.

Prints:
- load: time to read data/places/*.csv and build the name index (curated tier only);
- tiers: the cold build of every tier (curated files + the WOF tier: read, merge, name index,
  the geoparser's automaton), beside the load of the prebuilt copies from the cache folder
  (`Gazetteer.default()` + `index_for`, target <= 0.3 s), in the same run;
- fuzzy: one fuzzy look-up through the (first letter, length) index, beside a rapidfuzz scan
  of every name key (the peer it replaces), with 23,000 places;
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

- precision, when ../shared/reference is present: the mentions `geoparse` finds in news-dev/
  (60 real articles) with every tier, split into those the curated tier alone also finds and
  those the WOF tier adds; every added mention is printed with its context, and a fixed sample
  (seed 12) of the others, for a person to check by hand (the texts may not be copied into the
  project, so no answers are stored: the README gives the hand-checked figure).

The gazetteer is the built-in one (no GEO_PLACES files, no GeoNames cache), in-process and in
the `geo resolve` subprocess alike, with a fresh cache folder, so the figures do not depend on
the machine's caches.

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

_BENCH_CACHE = tempfile.mkdtemp(prefix="geo-bench-cache-")
os.environ["GEO_CACHE_DIR"] = _BENCH_CACHE  # before geo is imported: no machine caches
os.environ.pop("GEO_PLACES", None)

from geo import _text, settings  # noqa: E402
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
    print(f"load:     curated tier, {len(gaz)} places from {len(files)} files: read {med(read_times):.1f} ms + "
          f"index build {med(index_times):.1f} ms = {med(total_times):.1f} ms median")
    return gaz


def bench_tiers() -> Gazetteer:
    """Every tier: the cold build (what a first run after a change pays) beside the prebuilt
    load (every other run), in one run."""
    import pickle

    from geo import gazetteer as gz
    from geo import parse

    t0 = time.perf_counter()
    gaz = gz._cached_default(())  # builds both tiers and saves the prebuilt gazetteer
    t1 = time.perf_counter()
    parse.index_for(gaz)          # builds the automaton and saves it
    t2 = time.perf_counter()
    key = gaz.fingerprint
    loads = []
    cpu = []
    for _ in range(5):
        a, ca = time.perf_counter(), time.process_time()
        g = gz.load_prebuilt("gazetteer", key)
        g.fingerprint = key
        b = time.perf_counter()
        idx = gz.load_prebuilt("parse", key)
        c, cc = time.perf_counter(), time.process_time()
        loads.append((b - a, c - b, c - a))
        cpu.append(cc - ca)
        assert isinstance(g, Gazetteer) and idx is not None
    med = lambda i: statistics.median(x[i] for x in loads) * 1000  # noqa: E731
    tiers = {}
    for p in gaz.places:
        tiers[p.tier] = tiers.get(p.tier, 0) + 1
    sizes = [gz._prebuilt_path(k, key).stat().st_size / 1e6 for k in ("gazetteer", "parse")]
    print(f"tiers:    {len(gaz)} places ({', '.join(f'{t} {n}' for t, n in sorted(tiers.items()))})")
    print(f"tiers:    cold build: gazetteer {1000 * (t1 - t0):.0f} ms + automaton {1000 * (t2 - t1):.0f} ms "
          f"(peer: what the prebuilt copies save)")
    print(f"tiers:    prebuilt load: gazetteer {med(0):.0f} ms + automaton {med(1):.0f} ms = {med(2):.0f} ms "
          f"median of 5, CPU {statistics.median(cpu) * 1000:.0f} ms (target <= 300 ms); files {sizes[0]:.1f} + "
          f"{sizes[1]:.1f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    del pickle
    return gaz


def bench_fuzzy(gaz: Gazetteer) -> None:
    from rapidfuzz import fuzz, process

    typos = ["Tuz Khurmto", "Kirkok", "Sulaimanya", "Khanaqeen", "Jalawlaa", "Qaratappa",
             "Derishk", "Kaystha", "Zalaan", "Nalparayzz"]
    for q in typos:
        gaz.resolve(q)  # warm: the buckets are made on the first fuzzy look-up
    ours = timed(lambda: [gaz._fuzzy(q, 20) for q in typos], 5)
    keys = list(gaz._norm)
    probes = [_text.compact(_text.normalize(q)) for q in typos]
    scan = timed(lambda: [process.extract(p, keys, scorer=fuzz.ratio, score_cutoff=82, limit=20)
                          for p in probes], 3)
    per, peer = (statistics.median(ours) / len(typos) * 1000, statistics.median(scan) / len(typos) * 1000)
    print(f"fuzzy:    {per:.2f} ms per look-up through the index, beside a scan of all "
          f"{len(keys)} name keys {peer:.2f} ms ({peer / per:.0f}x slower)")


def bench_resolve(gaz: Gazetteer) -> None:
    from rapidfuzz import fuzz, process

    for q in QUERIES:  # warm: fuzzy key list built, caches filled
        gaz.resolve(q)
    n = 20
    ours = timed(lambda: [gaz.resolve(q) for q in QUERIES], n)
    per_query = statistics.median(ours) / len(QUERIES) * 1000

    names = [(name, p) for name, p in gaz.names()]
    choices = [name for name, _ in names]
    naive = timed(lambda: [process.extractOne(q, choices, scorer=fuzz.WRatio) for q in QUERIES],
                  3 if len(choices) < 10_000 else 1)
    naive_per = statistics.median(naive) / len(QUERIES) * 1000
    print(f"resolve:  {len(gaz)} places: {per_query:.3f} ms per query warm (target < 1 ms); "
          f"peer, naive fuzzy scan of {len(choices)} names: {naive_per:.3f} ms "
          f"({naive_per / per_query:.0f}x slower)")


def bench_command() -> None:
    """`geo resolve` as a whole process, with the prebuilt copies that bench_tiers made in
    this run's cache folder (every run after the first), and the first run on an empty one."""
    env = {k: v for k, v in os.environ.items() if k != "GEO_PLACES"}
    env["GEO_CACHE_DIR"] = _BENCH_CACHE

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
    first = dict(env, GEO_CACHE_DIR=tempfile.mkdtemp(prefix="geo-bench-first-"))
    t = time.perf_counter()
    subprocess.run([*geo_cmd, "resolve", "Tuz Khurmato"], check=False, capture_output=True, env=first)
    print(f"command:  the same on an empty cache folder (first run: builds the prebuilt gazetteer) "
          f"{(time.perf_counter() - t) * 1000:.0f} ms")
    shutil.rmtree(first["GEO_CACHE_DIR"], ignore_errors=True)


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


def bench_precision(gaz: Gazetteer) -> None:
    """news-dev mentions with every tier, the WOF tier's additions listed for a hand check."""
    import random

    from geo.parse import geoparse
    from geo.reports import read_reports

    folder = REFERENCE / "news-dev"
    if not folder.is_dir():
        print("precision: ../shared/reference/news-dev not present, skipped")
        return
    curated = Gazetteer.from_files(Gazetteer.builtin_files())
    same, added, lost = [], [], []
    for rep in read_reports(sorted(folder.glob("*.txt"))):
        with_wof = geoparse(rep, gaz).mentions
        alone = {(m.start, m.end, m.place_id) for m in geoparse(rep, curated).mentions}
        found = {(m.start, m.end, m.place_id) for m in with_wof}
        for m in with_wof:
            context = " ".join(rep.body[max(0, m.start - 45):m.end + 35].split())
            row = (Path(rep.path).name, m.text, m.place_id, gaz.get(m.place_id), context)
            (same if (m.start, m.end, m.place_id) in alone else added).append(row)
        lost.extend((Path(rep.path).name, k) for k in alone - found)
    total = len(same) + len(added)
    print(f"precision: news-dev, {total} mentions with every tier: {len(same)} the curated tier "
          f"alone also finds, {len(added)} added or changed by the WOF tier, {len(lost)} of the "
          f"curated tier's no longer found")
    for name, text, pid, place, context in added:
        print(f"  added  {name}  {text!r} -> {place.name} ({place.tier}; {place.governorate}/{place.district})"
              f"  ...{context}...")
    for name, key in lost:
        print(f"  lost   {name}  {key}")
    sample = random.Random(12).sample(same, min(40, len(same)))
    if "-v" in sys.argv:
        for name, text, pid, place, context in sample:
            print(f"  sample {name}  {text!r} -> {place.name} ({place.type})  ...{context}...")
    print(f"precision: check the {len(added)} added mentions and the sample of {len(sample)} "
          f"(-v) by hand; README gives the result")


if __name__ == "__main__":
    gaz = bench_load()
    bench_resolve(gaz)
    everything = bench_tiers()
    bench_fuzzy(everything)
    bench_resolve(everything)
    bench_command()
    bench_coverage(gaz)
    bench_coverage(everything)
    bench_precision(everything)
    shutil.rmtree(_BENCH_CACHE, ignore_errors=True)
