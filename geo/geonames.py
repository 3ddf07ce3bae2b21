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
import math
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from geo import settings
from geo._errors import GazetteerError, QueryError
from geo.gazetteer import COLUMNS, check_name, read_places_file

GEONAMES_COLUMNS = 19
#: The longest `aliases` cell written: well under the csv module's 131,072-character field
#: limit, past which the loader would refuse the row on every later run.
_ALIASES_MAX_CHARS = 100_000

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


class GeoNamesImport(NamedTuple):
    """What `import_geonames` did: rows written, the cache file, and each row skipped as bad
    (`file:line: field 'x': message; row skipped`)."""

    count: int
    path: Path
    skipped: list[str]


def _check_row(cells: list[str]) -> tuple[float, float, int]:
    """(lat, lon, population) of a dump row, or ValueError naming the field at fault."""
    lon_min, lat_min, lon_max, lat_max = settings.IRAQ_BBOX
    values = {}
    for field, index, low, high in (("latitude", 4, -90.0, 90.0), ("longitude", 5, -180.0, 180.0)):
        try:
            value = float(cells[index])
        except ValueError:
            raise ValueError(f"field '{field}': {cells[index]!r} is not a number") from None
        if math.isnan(value) or not low <= value <= high:
            raise ValueError(f"field '{field}': {cells[index]} is out of range {low:g}..{high:g}")
        values[field] = value
    lat, lon = values["latitude"], values["longitude"]
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise ValueError(f"field 'latitude'/'longitude': {lat:g}, {lon:g} is outside Iraq "
                         f"(lat {lat_min:g}..{lat_max:g}, lon {lon_min:g}..{lon_max:g})")
    try:
        population = int(cells[14] or 0)
    except ValueError:
        raise ValueError(f"field 'population': {cells[14]!r} is not a whole number") from None
    if population < 0:
        raise ValueError(f"field 'population': {population} is negative")
    if not cells[1].strip():
        raise ValueError("field 'name' is empty")
    try:
        check_name(cells[1])  # a name the resolver could never be asked for is no use here
    except QueryError as exc:
        raise ValueError(f"field 'name': {exc}") from None
    return lat, lon, population


def _aliases(name: str, ascii_name: str, alternates: str) -> str:
    """The `aliases` cell: the ASCII name and the alternate names, each a name the resolver
    takes (check_name), without the name itself, bounded in total length."""
    kept: list[str] = []
    size = 0
    for alias in dict.fromkeys([ascii_name, *alternates.split(",")]):
        alias = alias.strip().replace("|", " ")
        if not alias or alias == name:
            continue
        try:
            check_name(alias)
        except QueryError:
            continue  # over-long or binary: dropped, the place itself is still good
        size += len(alias) + 1
        if size > _ALIASES_MAX_CHARS:
            break
        kept.append(alias)
    return "|".join(kept)


def import_geonames(dump: str | Path, cache_dir: str | Path | None = None) -> GeoNamesImport:
    """Convert a GeoNames dump into the places cache; return (rows written, cache path,
    rows skipped).

    A row with a bad value (latitude 95, a non-numeric population, a point outside Iraq, an
    empty name, a name the resolver would refuse: over settings.MAX_NAME_CHARS characters or
    with control characters) or without the dump's 19 columns (a short row) is skipped and
    listed in `skipped` with its line and field; the good rows are imported. Alternate names
    the resolver would refuse are dropped. A file that is not a GeoNames dump at all (no line
    with the dump's 19 columns) raises GazetteerError naming the file and its first line, and
    the earlier cache stays untouched (the new one is written to a temporary file first and
    read back by the gazetteer's own loader before it replaces the old one).
    """
    dump = Path(dump)
    cache_dir = Path(cache_dir) if cache_dir else settings.CACHE_DIR
    admin1 = _admin1_names()
    rows = []
    skipped: list[str] = []
    dump_lines = 0  # lines with the dump's 19 columns
    first_bad: str | None = None
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
                    message = (f"{dump}:{line_no}: expected {GEONAMES_COLUMNS} tab-separated "
                               f"columns of a GeoNames dump, found {len(cells)}")
                    first_bad = first_bad or message
                    skipped.append(f"{message}; row skipped")
                    continue
                dump_lines += 1
                gid, name, ascii_name, alternates, lat, lon, _fclass, fcode, country = cells[:9]
                if country != "IQ" or (fcode not in _FEATURE_TYPES and fcode not in _POPULATED):
                    continue
                try:
                    if not gid.isdigit():
                        raise ValueError(f"field 'geonameid': {gid!r} is not a number")
                    _, _, population = _check_row(cells)
                except ValueError as exc:
                    skipped.append(f"{dump}:{line_no}: {exc}; row skipped")
                    continue
                ptype = _place_type(fcode, population)
                rows.append({
                    "id": f"gn-{gid}", "name": name, "type": ptype, "lat": lat, "lon": lon,
                    "governorate": admin1.get(cells[10], ""), "population": population or "",
                    "aliases": _aliases(name, ascii_name, alternates),
                    "source": f"geonames:{gid}", "note": f"imported from {dump.name} ({fcode})",
                })
        except UnicodeDecodeError as exc:
            raise GazetteerError(f"{dump}: not UTF-8 text near byte {exc.start}") from None
    if dump_lines == 0 and first_bad:
        raise GazetteerError(f"{first_bad} (not a GeoNames dump?)")
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
        # What the import writes, the loader must read: a row it refused would be skipped,
        # with a warning, on every later run.
        problems: list[str] = []
        read_places_file(tmp, problems)
        if problems:
            raise GazetteerError(f"{dump}: the imported places do not read back ({problems[0]}); "
                                 "the earlier cache is kept")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return GeoNamesImport(len(rows), target, skipped)
