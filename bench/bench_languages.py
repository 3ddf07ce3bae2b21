"""Throughput of the event step per language: the corpus texts of tests/corpus/ (English
corpus.yaml, Arabic corpus-ar.yaml, Sorani corpus-ckb.yaml, Kurmanji corpus-kmr.yaml) through
geoparsing and event records (geo.events.report_events), in MB/s of UTF-8 text, English beside
the others in the same run and on the same gazetteer.

Two shapes: the texts as short reports (one or two sentences each, so the fixed cost of a
report weighs most), and each corpus joined into one long report (paragraphs of a few
kilobytes, like an article). Each is read `--rounds` times (a fresh Report each time, so no
per-report cache helps);
the first pass of each language is a warm-up (its rules are compiled on first use) and not
timed. The languages are interleaved round by round, so a slower moment of a shared machine
falls on all of them alike.

Run: python3 bench/bench_languages.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

CORPORA = {"en": "corpus.yaml", "ar": "corpus-ar.yaml", "ckb": "corpus-ckb.yaml", "kmr": "corpus-kmr.yaml"}


def reports(name: str):
    import yaml

    from geo.reports import Report, parse_report_text

    items = yaml.safe_load((PROJECT / "tests" / "corpus" / name).read_text(encoding="utf-8"))
    out = []
    for item in items:
        r = parse_report_text(f"---\nid: {item['id']}\ntitle: bench\n---\n{item['text']}\n")
        out.append(Report(**{**r.__dict__, "published": item.get("published")}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=20, help="passes over each corpus (default 20)")
    args = ap.parse_args()
    from dataclasses import replace

    from geo.events import report_events
    from geo.gazetteer import Gazetteer

    gaz = Gazetteer.default()
    short = {code: reports(name) for code, name in CORPORA.items()}
    long = {code: [replace(rs[0], id=f"{code}-all", body="\n\n".join(r.body for r in rs))]
            for code, rs in short.items()}
    print(f"gazetteer: {len(gaz)} places; {args.rounds} rounds over each corpus")
    for shape, corpora in (("short reports", short), ("one long report", long)):
        measure(shape, corpora, gaz, args.rounds)


def measure(shape: str, corpora: dict, gaz, rounds: int) -> None:
    from dataclasses import replace

    from geo.events import report_events

    size = {code: sum(len(r.body.encode("utf-8")) for r in rs) for code, rs in corpora.items()}
    spent = dict.fromkeys(corpora, 0.0)
    events = dict.fromkeys(corpora, 0)
    for code, rs in corpora.items():  # warm-up: rules compiled, caches filled
        for r in rs:
            report_events(r, gaz)
    for n in range(rounds):
        for code, rs in corpora.items():
            batch = [replace(r, id=f"{r.id}-{n}") for r in rs]
            t0 = time.perf_counter()
            for r in batch:
                events[code] += len(report_events(r, gaz).events)
            spent[code] += time.perf_counter() - t0
    base = size["en"] * rounds / spent["en"] / 1e6
    print(f"{shape}:")
    for code in corpora:
        mbps = size[code] * rounds / spent[code] / 1e6
        print(f"  {code:>4}: {len(corpora[code])} report(s), {size[code] / 1024:.1f} KiB, "
              f"{events[code] // rounds} events a round; {mbps:.3f} MB/s "
              f"({mbps / base:.0%} of English)")


if __name__ == "__main__":
    main()
