"""Load a GeoNames country dump (e.g. IQ.txt) into a local places cache for full coverage.

The dump's 19 tab-separated columns are documented at GeoNames (readme.txt of the export).
Imported rows get ids `gn-<geonameid>`, our place types from GeoNames feature codes, and the
canonical governorate name from data/geonames_admin1.csv. The cache is a places CSV in the
gazetteer's own format, so the loader and its checks treat it like any other file; curated
rows always win over it (see `Gazetteer.from_files`).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from geo import settings
from geo._errors import GazetteerError
from geo.gazetteer import COLUMNS

GEONAMES_COLUMNS = 19

# GeoNames feature codes -> our place types; codes not listed are skipped (roads, farms...).
_FEATURE_TYPES = {
    "PPLC": "city", "PPLA": "city", "PPLA2": "town", "PPLA3": "town", "PPLA4": "town",
    "ADM1": "governorate", "ADM2": "district", "ADM3": "subdistrict",
    "MT": "mountain", "MTS": "mountain", "RDGE": "mountain", "HLL": "mountain", "HLLS": "mountain",
    "LK": "lake", "RSV": "lake", "DAM": "dam", "STM": "river", "WAD": "valley",
    "AIRB": "military_base", "MILB": "military_base", "RGN": "region",
}
_POPULATED = {"PPL", "PPLL", "PPLX", "PPLS", "PPLF", "PPLR", "PPLQ", "PPLW", "PPLH"}


def _admin1_names() -> dict[str, str]:
    path = settings.DATA_DIR / "geonames_admin1.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {row["code"]: row["governorate"] for row in csv.DictReader(lines)}


def _place_type(feature_code: str, population: int) -> str | None:
    if feature_code in _FEATURE_TYPES:
        return _FEATURE_TYPES[feature_code]
    if feature_code in _POPULATED:
        return "town" if population >= 10000 else "village"
    return None


def import_geonames(dump: str | Path, cache_dir: str | Path | None = None) -> tuple[int, Path]:
    """Convert a GeoNames dump into the places cache; return (rows written, cache path).

    Raises GazetteerError naming the file and line of the first malformed row; the earlier
    cache stays untouched in that case (the new one is written to a temporary file first).
    """
    dump = Path(dump)
    cache_dir = Path(cache_dir) if cache_dir else settings.CACHE_DIR
    admin1 = _admin1_names()
    rows = []
    try:
        handle = dump.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise GazetteerError(f"{dump}: GeoNames dump not found") from None
    with handle:
        try:
            for line_no, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                cells = line.rstrip("\r\n").split("\t")
                if len(cells) != GEONAMES_COLUMNS:
                    raise GazetteerError(f"{dump}:{line_no}: expected {GEONAMES_COLUMNS} tab-separated "
                                         f"columns of a GeoNames dump, found {len(cells)}")
                gid, name, ascii_name, alternates, lat, lon, _fclass, fcode, country = cells[:9]
                try:
                    population = int(cells[14] or 0)
                    float(lat), float(lon)
                except ValueError:
                    raise GazetteerError(f"{dump}:{line_no}: latitude, longitude or population is not a number") from None
                ptype = _place_type(fcode, population)
                if ptype is None or country != "IQ":
                    continue
                aliases = [a for a in dict.fromkeys([ascii_name, *alternates.split(",")]) if a and a != name]
                rows.append({
                    "id": f"gn-{gid}", "name": name, "type": ptype, "lat": lat, "lon": lon,
                    "governorate": admin1.get(cells[10], ""), "population": population or "",
                    "aliases": "|".join(a.replace("|", " ") for a in aliases),
                    "source": f"geonames:{gid}", "note": f"imported from {dump.name} ({fcode})",
                })
        except UnicodeDecodeError as exc:
            raise GazetteerError(f"{dump}: not UTF-8 text near byte {exc.start}") from None
    rows.sort(key=lambda r: int(r["id"][3:]))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / settings.GEONAMES_CACHE_FILE
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".geonames-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(buffer.getvalue())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows), target
