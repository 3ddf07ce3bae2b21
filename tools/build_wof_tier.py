"""Build the gazetteer's WOF tier, data/places/wof/iq-localities.csv.gz, from Who's On First.

Inputs (by default from ../shared/reference, see its SOURCES.md):
- whosonfirst-data-admin-iq.tar.gz: the WOF Iraq repository (a checkout folder works too);
- iraq-adm3.geojson: OCHA COD-AB sub-districts, to put each place in the project's governorate
  and district by point-in-polygon (WOF's own hierarchy is dated; see geo/wof.py).

The same inputs give the same bytes (rows sorted by WOF id, no time in the gzip header), so a
rebuild that changes nothing leaves `git status` clean. What it does is geo.wof.wof_rows; this
script only reads the inputs, writes the file and prints counts.

Run: python3 tools/build_wof_tier.py [--wof PATH] [--adm3 PATH] [--out PATH]
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
REFERENCE = PROJECT.parent / "shared" / "reference"
sys.path.insert(0, str(PROJECT))

from geo import settings  # noqa: E402
from geo.gazetteer import Gazetteer, read_places_file  # noqa: E402
from geo.wof import OchaAdmin, read_wof_records, wof_rows, write_tier  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wof", default=REFERENCE / "whosonfirst-data-admin-iq.tar.gz", type=Path)
    parser.add_argument("--adm3", default=REFERENCE / "iraq-adm3.geojson", type=Path)
    parser.add_argument("--out", default=settings.WOF_TIER_FILE, type=Path)
    args = parser.parse_args()
    for path in (args.wof, args.adm3):
        if not path.exists():
            print(f"build_wof_tier: {path} not found (see ../shared/reference/SOURCES.md)", file=sys.stderr)
            return 2
    skipped: list[str] = []
    records = list(read_wof_records(args.wof, skipped))
    curated = [p for f in Gazetteer.builtin_files() for p in read_places_file(f)]
    rows = wof_rows(records, OchaAdmin(args.adm3, curated), skipped)
    path = write_tier(rows, args.out)
    for message in skipped[:10]:
        print(f"skipped: {message}", file=sys.stderr)
    types = collections.Counter(r["type"] for r in rows)
    status = collections.Counter(r["status"] for r in rows if r["status"])
    no_district = sum(1 for r in rows if not r["district"])
    print(f"{len(records)} records, {len(rows)} places written to {path} "
          f"({path.stat().st_size:,} bytes); skipped {len(skipped)}")
    print("types: " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    print("status: " + ", ".join(f"{s} {n}" for s, n in status.most_common()))
    print(f"with a district: {len(rows) - no_district}; governorate only: {no_district}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
