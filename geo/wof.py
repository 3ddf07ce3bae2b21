"""Who's On First's populated places of Iraq: the gazetteer's bulk tier.

Who's On First (WOF, whosonfirst-data-admin-iq) holds about 22,600 Iraqi localities, nearly
all with a GeoNames id, Arabic names for most and Kurdish names for about 4,600. This module
turns a WOF checkout or archive into rows of the gazetteer's own CSV format (plus `status`),
which `Gazetteer.default()` loads after the curated files (see geo.gazetteer, "tiers"):

- the shipped tier, `data/places/wof/iq-localities.csv.gz`, is built by
  `tools/build_wof_tier.py` from the archive and OCHA's sub-district polygons;
- `geo gazetteer import-wof PATH` writes a newer checkout or archive to the local cache,
  which then stands in for the shipped tier.

What a row gets, and why:
- `id` `wof-<WOF id>`; `source` `wof:<WOF id>;geonames:<GeoNames id>` and, when the admin
  units came from OCHA's polygons, `;ocha:<sub-district P-code>`.
- `type` from the GeoNames feature code: PPLC/PPLA a city, PPLA2-4 a town, other populated
  places a town from 10,000 people and a village below. Abandoned (PPLQ) and destroyed (PPLW)
  villages are kept, with `status` `abandoned` or `destroyed`: events happen there.
- `governorate` and `district` in the project's names. WOF's own hierarchy is dated (Akre under
  Ninawa, Darbandikhan under Halabja), so the point is placed in OCHA's sub-district polygon,
  and the curated row that cites that P-code (a sub-district row names its district) or its
  district's P-code gives the names, with the Kurdistan Region's attribution where it differs.
  Without polygons (an import) a row borrows the admin units of the same WOF place in the
  shipped tier, else of the nearest shipped place within WOF_ADMIN_BORROW_KM, else only the
  governorate of its GeoNames admin1 code.
- `name_ar` from the Arabic names, `name_kmr` from Latin-script Kurdish names, `name_ckb`
  from Arabic-script Kurdish ones, `aliases` from GeoNames' name, its ASCII form and the
  transliteration variants.

Records that WOF marks superseded or deprecated are left out (their successor is in); two
records with one GeoNames id become one row (the names of both).
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from geo import settings
from geo._errors import GazetteerError

#: Columns of a WOF tier file: the places columns (geo.gazetteer.COLUMNS) with `status`.
WOF_ID_PREFIX = "wof-"
_LATIN = re.compile(r"[A-Za-z]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
_OTHER_SCRIPT = re.compile(r"[\u0370-\u052F\u0590-\u05FF\u0900-\u0DFF\u0E00-\u0FFF\u1100-\u11FF"
                           r"\u3040-\u9FFF\uAC00-\uD7AF]")
# A single WOF record file larger than this is not a place record (hostile or broken input).
_MAX_RECORD_BYTES = 4 * 1024 * 1024
_STATUS = {"PPLQ": "abandoned", "PPLW": "destroyed"}


class WofImport(NamedTuple):
    """What an import did: rows written, the file, and each record skipped (with why)."""

    count: int
    path: Path
    skipped: list[str]


# --- reading a checkout or an archive ----------------------------------------------------------

def _is_record_name(name: str) -> bool:
    """`data/.../123.geojson`, not an alternative geometry (`123-alt-geonames.geojson`)."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".geojson") and base[:-len(".geojson")].isdigit() and "/data/" in f"/{name}"


def read_wof_records(path: str | Path, skipped: list[str] | None = None) -> Iterator[dict]:
    """The `properties` of every place record of a WOF checkout (a folder) or archive
    (.tar, .tar.gz, .tgz), in a stable order (by WOF id). A record that is not valid JSON is
    listed in `skipped` (path: why) and left out; a path that is neither raises GazetteerError."""
    path = Path(path)
    skipped = [] if skipped is None else skipped
    records: list[tuple[int, dict]] = []

    def take(name: str, data: bytes) -> None:
        try:
            feature = json.loads(data)
            props = feature["properties"]
            wof_id = int(props["wof:id"])
        except (ValueError, KeyError, TypeError) as exc:
            skipped.append(f"{name}: not a WOF place record ({type(exc).__name__}: {exc})"[:300])
            return
        if isinstance(props, dict):
            records.append((wof_id, props))

    if path.is_dir():
        for file in sorted(path.rglob("*.geojson")):
            rel = file.relative_to(path).as_posix()
            if _is_record_name(rel) and file.is_file():
                if file.stat().st_size > _MAX_RECORD_BYTES:
                    skipped.append(f"{rel}: over {_MAX_RECORD_BYTES} bytes, not a place record")
                    continue
                take(rel, file.read_bytes())
    elif path.is_file():
        try:
            archive = tarfile.open(path, "r:*")
        except (tarfile.TarError, OSError) as exc:
            raise GazetteerError(f"{path}: not a WOF checkout (a folder) or archive (.tar.gz): {exc}") from None
        with archive:
            try:
                for member in archive:
                    if not (member.isfile() and _is_record_name(member.name)):
                        continue
                    if member.size > _MAX_RECORD_BYTES:
                        skipped.append(f"{member.name}: over {_MAX_RECORD_BYTES} bytes, not a place record")
                        continue
                    handle = archive.extractfile(member)
                    if handle is not None:
                        take(member.name, handle.read())
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise GazetteerError(f"{path}: broken archive after {len(records)} records: {exc}") from None
    else:
        raise GazetteerError(f"{path}: WOF checkout or archive not found")
    if not records:
        raise GazetteerError(f"{path}: no WOF place records (data/**/<id>.geojson) found")
    records.sort(key=lambda r: r[0])
    return iter([props for _, props in records])


# --- records -> rows -------------------------------------------------------------------------

def _names(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [" ".join(v.replace("|", " ").split()) for v in value if isinstance(v, str) and v.strip()]


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _geonames_id(props: dict) -> int | None:
    for key in ("gn:geonameid", "gn:id"):
        gid = _number(props.get(key))
        if gid:
            return int(gid)
    concordances = props.get("wof:concordances")
    if isinstance(concordances, dict):
        gid = _number(concordances.get("gn:id"))
        if gid:
            return int(gid)
    return None


def _place_type(code: str, population: int) -> str:
    if code in ("PPLC", "PPLA"):
        return "city"
    if code in ("PPLA2", "PPLA3", "PPLA4"):
        return "town"
    if population >= 100000:
        return "city"
    return "town" if population >= 10000 else "village"


def _is_locality(props: dict) -> bool:
    return (props.get("wof:placetype") == "locality" and props.get("wof:country", "IQ") == "IQ"
            and not props.get("wof:superseded_by") and not props.get("edtf:deprecated"))


class _Draft:
    """A locality's facts gathered from one or more WOF records (one GeoNames id): the record
    with GeoNames' own feature code (the newer import) leads, then the lowest WOF id."""

    def __init__(self, records: list[dict]):
        ordered = sorted(records, key=lambda r: (not r.get("gn:feature_code"), int(r["wof:id"])))
        self.props = ordered[0]
        self.records = ordered
        self.wof_ids = [int(r["wof:id"]) for r in ordered]

    def names(self, key: str) -> list[str]:
        out: list[str] = []
        for props in self.records:
            out.extend(_names(props.get(key)))
        return out


def _fold_key(name: str) -> str:
    from geo._text import compact, normalize

    return compact(normalize(name))


def wof_rows(records: Iterable[dict], admin=None, skipped: list[str] | None = None) -> list[dict]:
    """Gazetteer rows (dicts of WOF_COLUMNS) for the localities of `records`.

    `admin(lat, lon, governorate_hint, wof_id)` gives {governorate, district, governorate_krg,
    district_krg, ocha} for a point; without it only the GeoNames admin1 governorate is set.
    """
    from geo.geonames import _admin1_names

    skipped = [] if skipped is None else skipped
    admin1 = _admin1_names()
    groups: dict[object, list[dict]] = {}
    for props in records:
        if not _is_locality(props):
            continue
        gid = _geonames_id(props)
        groups.setdefault(gid if gid is not None else ("wof", props.get("wof:id")), []).append(props)
    drafts = [_Draft(group) for group in groups.values()]
    lon_min, lat_min, lon_max, lat_max = settings.IRAQ_BBOX
    rows = []
    for draft in drafts:
        props = draft.props
        wof_id = int(props["wof:id"])
        name = " ".join(str(props.get("wof:name") or props.get("gn:name") or "").replace("|", " ").split())
        lat = _number(props.get("geom:latitude"))
        lon = _number(props.get("geom:longitude"))
        if not name or lat is None or lon is None:
            skipped.append(f"wof:{wof_id}: no name or no point; record skipped")
            continue
        if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
            skipped.append(f"wof:{wof_id}: {lat:g}, {lon:g} is outside Iraq; record skipped")
            continue
        code = str(props.get("gn:feature_code") or props.get("gn:fcode") or "PPL")
        population = int(_number(props.get("gn:population")) or _number(props.get("wof:population")) or 0)
        gid = _geonames_id(props)
        code1 = props.get("gn:admin1_code")
        hint = admin1.get(f"{int(_number(code1)):02d}", "") if _number(code1) is not None else ""
        units = admin(lat, lon, hint, wof_id) if admin else {"governorate": hint}
        arabic, sorani, kurmanji, latin = [], [], [], []
        for key in ("name:ara_x_preferred", "name:ara_x_variant"):
            arabic.extend(n for n in draft.names(key) if _ARABIC_SCRIPT.search(n))
        for key in ("name:kur_x_preferred", "name:kur_x_variant", "name:ckb_x_preferred",
                    "name:ckb_x_variant", "name:kmr_x_preferred", "name:kmr_x_variant"):
            for n in draft.names(key):
                if _ARABIC_SCRIPT.search(n):
                    sorani.append(n)
                elif _LATIN.search(n) and not _OTHER_SCRIPT.search(n):
                    kurmanji.append(n)
        for key in ("wof:name", "gn:name", "gn:asciiname", "name:eng_x_preferred",
                    "name:eng_x_variant", "name:und_x_variant", "qs_pg:name"):
            for n in draft.names(key):
                if _ARABIC_SCRIPT.search(n):
                    arabic.append(n)
                elif _LATIN.search(n) and not _OTHER_SCRIPT.search(n):
                    latin.append(n)
        seen = {name}

        def keep(names: list[str]) -> str:
            out = []
            for n in names:
                if n not in seen and len(_fold_key(n)) >= 3 and sum(ch.isalpha() for ch in n) >= 3:
                    seen.add(n)
                    out.append(n)
            return "|".join(out)

        name_ar, name_ckb, name_kmr, aliases = keep(arabic), keep(sorani), keep(kurmanji), keep(latin)
        source = f"wof:{wof_id}" + (f";geonames:{gid}" if gid else "")
        if units.get("ocha"):
            source += f";ocha:{units['ocha']}"
        others = [i for i in draft.wof_ids if i != wof_id]
        note = f"Who's On First {code}"
        if others:
            note += "; same GeoNames place as " + ", ".join(f"wof:{i}" for i in others)
        rows.append({
            "id": f"{WOF_ID_PREFIX}{wof_id}", "name": name,
            "type": _place_type(code, population), "lat": f"{lat:.5f}", "lon": f"{lon:.5f}",
            "governorate": units.get("governorate", ""), "district": units.get("district", ""),
            "governorate_krg": units.get("governorate_krg", ""),
            "district_krg": units.get("district_krg", ""),
            "population": str(population) if population else "",
            "name_ar": name_ar, "name_ckb": name_ckb, "name_kmr": name_kmr, "aliases": aliases,
            "source": source, "note": note, "status": _STATUS.get(code, ""),
        })
    rows.sort(key=lambda r: int(r["id"][len(WOF_ID_PREFIX):]))
    return rows


# --- admin units -------------------------------------------------------------------------------

class OchaAdmin:
    """Governorate and district of a point, in the project's names, by OCHA's sub-district
    polygons (COD-AB adm3) and the curated rows that cite their P-codes.

    A curated sub-district row citing the polygon's P-code gives its governorate and district;
    else a curated district citing it or its district's P-code (when two do, the one whose
    point lies in the polygon, else the nearest); else the governorate row citing the
    governorate's P-code. A point in no polygon (on the border, in a reservoir) takes the
    nearest polygon within WOF_ADMIN_NEAREST_KM, else only its GeoNames governorate.
    """

    def __init__(self, adm3_geojson: str | Path, curated):
        from shapely import STRtree
        from shapely.geometry import shape

        try:
            features = json.loads(Path(adm3_geojson).read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError) as exc:
            raise GazetteerError(f"{adm3_geojson}: not an OCHA adm3 GeoJSON ({exc})") from None
        self.shapes = [shape(f["geometry"]) for f in features]
        self.props = [f["properties"] for f in features]
        self.tree = STRtree(self.shapes)
        by_code: dict[str, list] = defaultdict(list)
        for place in curated:
            if place.type in ("subdistrict", "district", "governorate"):
                for src in place.sources:
                    if src.startswith("ocha:"):
                        by_code[src[5:].strip()].append(place)
        self.by_code = by_code
        self._memo: dict[int, dict] = {}

    def _units(self, k: int) -> dict:
        if k in self._memo:
            return self._memo[k]
        from shapely.geometry import Point

        props, poly = self.props[k], self.shapes[k]
        code3, code2, code1 = props["ADM3_PCODE"], props["ADM2_PCODE"], props["ADM1_PCODE"]
        chosen = None
        for p in self.by_code.get(code3, ()):
            if p.type == "subdistrict" and p.district:
                chosen = p
                break
        if chosen is None:
            districts = [p for p in self.by_code.get(code3, ()) if p.type == "district"] \
                or [p for p in self.by_code.get(code2, ()) if p.type == "district"]
            if districts:
                inside = [p for p in districts if poly.contains(Point(p.lon, p.lat))]
                if inside:
                    chosen = inside[0]
                else:
                    c = poly.representative_point()
                    chosen = min(districts, key=lambda p: ((p.lat - c.y) ** 2 + (p.lon - c.x) ** 2, p.id))
        if chosen is not None:
            units = {"governorate": chosen.governorate,
                     "district": chosen.district if chosen.type == "subdistrict" else chosen.name,
                     "governorate_krg": chosen.governorate_krg, "district_krg": chosen.district_krg}
        else:
            govs = [p for p in self.by_code.get(code1, ()) if p.type == "governorate"]
            units = {"governorate": govs[0].name if govs else ""}
        units["ocha"] = code3
        self._memo[k] = units
        return units

    def __call__(self, lat: float, lon: float, hint: str = "", wof_id: int = 0) -> dict:
        from shapely.geometry import Point

        point = Point(lon, lat)
        hits = [int(k) for k in self.tree.query(point, predicate="intersects")]
        if hits:
            return self._units(min(hits))
        k = int(self.tree.nearest(point))
        # Degrees to km: exact enough for "within a few km" at Iraq's latitudes.
        if self.shapes[k].distance(point) * 111.0 <= settings.WOF_ADMIN_NEAREST_KM:
            return self._units(k)
        return {"governorate": hint}


class BorrowedAdmin:
    """Admin units for an import without polygons: those of the same WOF place in a tier
    already built (the shipped one), else of its nearest place within WOF_ADMIN_BORROW_KM."""

    def __init__(self, tier_rows: list[dict]):
        self.rows = tier_rows
        self.by_source = {}
        self.grid: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for row in tier_rows:
            for src in row["source"].split(";"):
                if src.startswith("wof:"):
                    self.by_source[src] = row
            self.grid[(int(float(row["lat"]) * 10), int(float(row["lon"]) * 10))].append(row)

    @staticmethod
    def _units(row: dict) -> dict:
        units = {k: row[k] for k in ("governorate", "district", "governorate_krg", "district_krg")}
        ocha = [s[5:] for s in row["source"].split(";") if s.startswith("ocha:")]
        if ocha:
            units["ocha"] = ocha[0]
        return units

    def __call__(self, lat: float, lon: float, hint: str = "", wof_id: int = 0) -> dict:
        from geo.gazetteer import haversine_km

        own = self.by_source.get(f"wof:{wof_id}")
        if own is not None:
            return self._units(own)
        gy, gx = int(lat * 10), int(lon * 10)
        near = [r for dy in (-1, 0, 1) for dx in (-1, 0, 1) for r in self.grid.get((gy + dy, gx + dx), ())]
        if near:
            best = min(near, key=lambda r: (haversine_km(lat, lon, float(r["lat"]), float(r["lon"])), r["id"]))
            if haversine_km(lat, lon, float(best["lat"]), float(best["lon"])) <= settings.WOF_ADMIN_BORROW_KM:
                units = self._units(best)
                units.pop("ocha", None)  # a neighbour's polygon is not this point's evidence
                return units
        return {"governorate": hint}


# --- writing and reading tier files ------------------------------------------------------------

def tier_columns() -> tuple[str, ...]:
    from geo.gazetteer import COLUMNS

    return COLUMNS


def write_tier(rows: list[dict], path: str | Path) -> Path:
    """Write rows as a gzipped places CSV, byte for byte the same for the same rows (no time
    or file name in the gzip header), atomically (a temporary file, then a rename)."""
    path = Path(path)
    buffer = io.StringIO()
    buffer.write("# Populated places of Iraq from Who's On First (CC0) and GeoNames (CC BY 4.0): "
                 "see NOTICE. Built by tools/build_wof_tier.py; columns: data/places/README.md\n")
    writer = csv.DictWriter(buffer, fieldnames=tier_columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(out.getvalue())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would follow the file into the repository
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_tier_rows(path: str | Path) -> list[dict]:
    """The rows of a tier file as dicts (for borrowing admin units); GazetteerError if broken."""
    path = Path(path)
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: not a gzipped places CSV ({exc})") from None
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


def import_wof(source: str | Path, cache_dir: str | Path | None = None,
               admin_polygons: str | Path | None = None) -> WofImport:
    """Convert a WOF checkout or archive into the local WOF cache, which then replaces the
    shipped tier. Admin units come from `admin_polygons` (OCHA adm3 GeoJSON) when given, else
    from the shipped tier (see BorrowedAdmin). The old cache stays until the new one is whole."""
    cache_dir = Path(cache_dir) if cache_dir else settings.CACHE_DIR
    skipped: list[str] = []
    records = list(read_wof_records(source, skipped))
    if admin_polygons:
        from geo.gazetteer import Gazetteer, read_places_file

        curated = [p for f in Gazetteer.builtin_files() for p in read_places_file(f)]
        admin = OchaAdmin(admin_polygons, curated)
        rows = wof_rows(records, admin, skipped)
    else:
        shipped = settings.WOF_TIER_FILE
        rows = wof_rows(records, BorrowedAdmin(read_tier_rows(shipped) if shipped.is_file() else []),
                        skipped)
    if not rows:
        raise GazetteerError(f"{source}: no Iraqi localities in it")
    path = write_tier(rows, cache_dir / settings.WOF_CACHE_FILE)
    return WofImport(len(rows), path, skipped)

