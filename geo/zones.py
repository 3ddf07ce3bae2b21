"""Zones: sectors, front lines, security-vacuum areas and the disputed territories.

Zones are reviewed data: YAML files in data/zones/ (and the user's own YAML or GeoJSON files),
each zone with a name, a kind, a description, a source and exactly one construction:

- ``around``: the convex hull of places or points, buffered by ``buffer_km``; or, with
  ``groups``, one buffered hull per group (say, per district) of places, united;
- ``between``: two ordered lines of places or points; the polygon enclosed between them;
- ``along``: one line and a ``width_km``: the band around it;
- ``geometry``: a literal GeoJSON Polygon or MultiPolygon;
- ``from_file``: named features of a boundary file (GeoJSON, GeoPackage, shapefile), dissolved.

A place is a gazetteer id (``qara-tapa``), else a name resolved to the gazetteer's top
candidate (``Tuz Khurmato``), or a literal ``[lon, lat]`` point.

Geometry is computed in UTM 38N (settings.CRS_METRIC) and returned in WGS84: valid polygons,
no slivers, coordinates rounded to settings.ZONE_COORD_DECIMALS and normalized, so the same
definitions give the same bytes on every run. A definition that cannot be built becomes one
error message naming the file, the zone and the field; the other zones still build. A zone that
builds but lacks its `description` or `source` gets a warning, named the same way.

    >>> from geo.zones import load_zones, zones_containing
    >>> zones_containing(34.89, 44.63)           # doctest: +SKIP
    ['Disputed territories (approximate)', 'Tuz Khurmatu and Sleman Bag operations area', ...]
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from geo import settings
from geo._errors import GeoError, QueryError, ZoneError
from geo._untrusted import (InputBoundError, encoding_name, encoding_of, json_loads, line_at, quote,
                            shorten, yaml_loader, yaml_reader_problem)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "ZonesResult", "build_zones", "load_zones", "zone_from_definition", "assign_zones",
    "events_per_zone", "zones_containing", "zones_to_geojson", "zone_files",
]

CONSTRUCTIONS = ("around", "between", "along", "geometry", "from_file")
_COMMON_FIELDS = {"id", "name", "kind", "description", "source", "approximate", "note"}
#: Fields each construction accepts (a typo such as `bufer_km` is an error, not a default).
_CONSTRUCTION_FIELDS = {
    "around": {"points", "groups", "buffer_km"},
    "between": {"lines"},
    "along": {"line", "width_km"},
    "from_file": {"path", "names", "name_field", "layer"},
}
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

LonLat = tuple[float, float]


@dataclass
class ZonesResult:
    """What build_zones returns: the zones that built, one message per zone that did not, and
    one warning per missing `description` or `source` of a zone that did."""

    zones: "gpd.GeoDataFrame"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- reading zone files --------------------------------------------------------------------

@dataclass
class _Definition:
    """One zone definition as read from a file, with where it came from (for messages)."""

    data: dict[str, Any]
    file: Path
    index: int

    @property
    def label(self) -> str:
        name = self.data.get("name") or self.data.get("id") or f"#{self.index + 1}"
        return f"{self.file.name}: zone {quote(name if isinstance(name, str) else str(name)[:200])}"

    @property
    def zone_id(self) -> str:
        explicit = self.data.get("id")
        if isinstance(explicit, str) and explicit:
            return explicit
        name = self.data.get("name")
        return slugify(name if isinstance(name, str) and name else f"{self.file.stem}-{self.index + 1}")


def slugify(name: str) -> str:
    """A lower-case ASCII id for a zone name ("Tuz Khurmatu area" -> "tuz-khurmatu-area")."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "zone"


def zone_files(extra_files: Iterable[str | os.PathLike] = (), include_builtin: bool = True
               ) -> list[Path]:
    """The zone files to load, in order: built-in, then $GEO_ZONES, then `extra_files`.

    Later files win: a zone whose id matches an earlier one replaces it.
    """
    builtin = (sorted(settings.ZONES_DIR.glob("*.yaml"))
               if include_builtin and settings.ZONES_DIR.is_dir() else [])
    env = [p for p in os.environ.get(settings.USER_ZONES_ENV, "").split(os.pathsep) if p]
    return builtin + [Path(p) for p in env] + [Path(p) for p in extra_files]


def _read_file(path: Path) -> list[_Definition]:
    """Zone definitions in one YAML (`zones:` list) or GeoJSON (FeatureCollection) file."""
    if not path.is_file():
        raise ZoneError(f"{path}: zone file not found")
    try:
        size = path.stat().st_size
        if size > settings.ZONE_FILE_MAX_BYTES:
            raise ZoneError(f"{path}: {size:,} bytes is over the {settings.ZONE_FILE_MAX_BYTES:,}-byte "
                            "limit for a zone file (a boundary file goes in `from_file`)")
        data = path.read_bytes()
    except OSError as exc:
        raise ZoneError(f"{path}: cannot read zone file: {exc.strerror}") from None
    encoding = encoding_of(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ZoneError(f"{path}: not {encoding_name(encoding)} text (byte 0x{exc.object[exc.start]:02x} "
                        f"at offset {exc.start}); save the zone file as UTF-8") from None
    if path.suffix.lower() in (".geojson", ".json"):
        return _read_geojson(path, text)
    if len(data) > settings.ZONE_YAML_MAX_BYTES:
        raise ZoneError(f"{path}: {len(data):,} bytes is over the {settings.ZONE_YAML_MAX_BYTES:,}-byte "
                        "limit for a YAML zone file (a large drawn polygon goes in a GeoJSON zone "
                        "file or `from_file`)")
    import yaml

    try:
        # Bounded (geo._untrusted): a zone file may come from anyone. YAML 1.2's `1e9` is a number.
        doc = yaml.load(text, Loader=yaml_loader(settings.ZONE_YAML_MAX_VALUES, yaml12_floats=True))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: its own line
            where = f":{line_at(text, exc.position)}"
            problem = yaml_reader_problem(exc)
        context = getattr(exc, "context", None)
        raise ZoneError(f"{path}{where}: not valid YAML: {shorten(problem, 300)}"
                        + (f" ({shorten(str(context), 200)})" if context else "")) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("zones"), list):
        raise ZoneError(f"{path}: expected a mapping with a `zones:` list")
    return [_Definition(d if isinstance(d, dict) else {"_bad": d}, path, i)
            for i, d in enumerate(doc["zones"])]


def _read_geojson(path: Path, text: str) -> list[_Definition]:
    """A FeatureCollection: each feature's properties are the zone's fields, its geometry the
    `geometry` construction."""
    try:
        doc = json_loads(text)
    except json.JSONDecodeError as exc:
        raise ZoneError(f"{path}: not valid JSON: {exc}") from None
    except InputBoundError as exc:
        raise ZoneError(f"{path}:{line_at(text, exc.offset)}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ZoneError(f"{path}: expected a GeoJSON FeatureCollection")
    features = doc.get("features") or []
    if not isinstance(features, list):
        raise ZoneError(f"{path}: `features` is not a list")
    definitions = []
    for i, feature in enumerate(features):
        if not isinstance(feature, dict):
            definitions.append(_Definition({"_bad": feature}, path, i))
            continue
        given = feature.get("properties") or {}
        if not isinstance(given, dict):
            definitions.append(_Definition({"_bad": given}, path, i))
            continue
        # Keep the zone fields only: GIS tools add their own attributes (fill, area_km2 ...),
        # and a file written by `geo zones -o` reads back with `zone_id` as the id.
        props = {k: v for k, v in given.items() if k in _COMMON_FIELDS}
        if given.get("zone_id") and "id" not in props:
            props["id"] = given["zone_id"]
        props["geometry"] = feature.get("geometry")
        definitions.append(_Definition(props, path, i))
    return definitions


# --- resolving places ---------------------------------------------------------------------

class _Places:
    """Turns place references into (lon, lat), loading the gazetteer only when one is needed."""

    def __init__(self, gazetteer: Any = None) -> None:
        self._gazetteer = gazetteer
        self._load_error: str | None = None

    def gazetteer(self, field_name: str) -> Any:
        if self._gazetteer is None and self._load_error is None:
            try:
                from geo.gazetteer import Gazetteer

                self._gazetteer = Gazetteer.default()
            except (ImportError, GeoError) as exc:  # the gazetteer is another step's module
                self._load_error = f"{type(exc).__name__}: {exc}"
        if self._gazetteer is None:
            raise ZoneError(f"{field_name}: places need the gazetteer, which could not be "
                            f"loaded ({self._load_error})")
        return self._gazetteer

    def point(self, ref: Any, field_name: str) -> LonLat:
        """A point: `[lon, lat]`, a gazetteer id, a place name, or `{place: id-or-name}`."""
        if isinstance(ref, dict) and set(ref) <= {"place", "note"} and "place" in ref:
            ref = ref["place"]
        if isinstance(ref, (list, tuple)):
            return _literal_point(ref, field_name)
        if not isinstance(ref, str) or not ref.strip():
            raise ZoneError(f"{field_name}: expected a place id or name, or [lon, lat], "
                            f"not {quote(ref)}")
        place = self.place(ref.strip(), field_name)
        return (float(place.lon), float(place.lat))

    def place(self, ref: str, field_name: str) -> Any:
        gaz = self.gazetteer(field_name)
        try:
            return gaz.get(ref)
        except KeyError:
            pass
        try:
            candidates = gaz.resolve(ref, limit=1)
        except QueryError as exc:
            raise ZoneError(f"{field_name}: place {quote(ref)}: {exc}") from None
        if not candidates:
            raise ZoneError(f"{field_name}: unknown place {quote(ref)} (not a gazetteer id or name)")
        best = candidates[0]
        if getattr(best, "match", "exact") == "fuzzy":
            # A zone file is reviewed data: a near miss is far likelier a typo or a place the
            # gazetteer lacks than the town it happens to resemble ("wana" -> Anah, in Anbar).
            raise ZoneError(f"{field_name}: unknown place {quote(ref)} (not a gazetteer id or name; "
                            f"the nearest name is {best.place.name!r}, id {best.place.id!r})")
        return best.place



def _literal_point(ref: Sequence[Any], field_name: str) -> LonLat:
    """A `[lon, lat]` pair, checked to be numbers inside Iraq's bounding box."""
    if len(ref) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                and math.isfinite(v) for v in ref):
        raise ZoneError(f"{field_name}: expected [lon, lat] as two numbers, not {quote(list(ref))}")
    lon, lat = float(ref[0]), float(ref[1])
    lon_min, lat_min, lon_max, lat_max = settings.IRAQ_BBOX
    if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
        hint = (" (it looks like [lat, lon]; write [lon, lat] as in GeoJSON)"
                if lon_min <= lat <= lon_max and lat_min <= lon <= lat_max else "")
        raise ZoneError(f"{field_name}: point [{ref[0]}, {ref[1]}] is outside Iraq's bounding "
                        f"box{hint}")
    return (lon, lat)


# --- one definition -> one zone -----------------------------------------------------------

def zone_from_definition(definition: dict[str, Any], *, gazetteer: Any = None,
                         base_dir: str | os.PathLike | None = None,
                         file: str | os.PathLike = "<definition>") -> dict[str, Any]:
    """Build one zone from its definition (a dict as in a zone file).

    Parameters
    ----------
    definition : the zone's fields (name, kind, description, source, one construction)
    gazetteer : resolves place ids and names; loaded with Gazetteer.default() when needed
    base_dir : folder that relative `from_file` paths are relative to (default: cwd)
    file : shown in error messages

    Returns
    -------
    dict with the keys of geo.schema.ZONE_COLUMNS (geometry in WGS84), and `warnings`: what
    was repaired (a drawn polygon that crosses itself)

    Raises
    ------
    ZoneError naming the file, the zone and the field at fault
    """
    d = _Definition(definition, Path(file), 0)
    zone = _build(d, _Places(gazetteer), Path(base_dir) if base_dir else Path.cwd())
    zone["warnings"] = zone.pop("_notes")
    return zone


def _build(d: _Definition, places: _Places, base_dir: Path) -> dict[str, Any]:
    try:
        return _build_unlabelled(d, places, base_dir)
    except ZoneError as exc:
        raise ZoneError(f"{d.label}: {exc}") from None


def _build_unlabelled(d: _Definition, places: _Places, base_dir: Path) -> dict[str, Any]:
    from geo import _geometry

    data = d.data
    if "_bad" in data:
        raise ZoneError(f"expected a mapping of fields, not {quote(data['_bad'])}")
    name = _required_text(data, "name")
    kind = _required_text(data, "kind")
    if kind not in settings.ZONE_KINDS:
        raise ZoneError(f"kind: {quote(kind)} is not one of {', '.join(settings.ZONE_KINDS)}")
    zone_id = d.zone_id
    if not _ID_RE.match(zone_id):
        raise ZoneError(f"id: {quote(zone_id)} is not a lower-case slug like 'tuz-khurmatu-area'")
    unknown = sorted((str(k) for k in set(data) - _COMMON_FIELDS - set(CONSTRUCTIONS)))
    if unknown:
        raise ZoneError(f"{shorten(unknown[0])}: unknown field (zone fields are "
                        f"{', '.join(sorted(_COMMON_FIELDS))} and one construction)")
    given = [c for c in CONSTRUCTIONS if c in data]
    if len(given) != 1:
        what = ("no construction" if not given
                else f"more than one construction ({', '.join(given)})")
        raise ZoneError(f"{what}: give exactly one of {', '.join(CONSTRUCTIONS)}")
    construction = given[0]
    approximate = data.get("approximate", False)
    if not isinstance(approximate, bool):
        raise ZoneError(f"approximate: expected true or false, not {quote(approximate)}")

    geom = _BUILDERS[construction](data[construction], construction, places, base_dir)
    notes = []
    if construction == "geometry" and not geom.is_valid:  # a drawing that crosses itself
        from shapely.validation import explain_validity

        notes.append(f"geometry: {explain_validity(geom)}: repaired, so the zone may not be "
                     "what was drawn (check the ring's order of points)")
    try:
        # Literal polygons stay in degrees; every other construction is built in metres.
        geometry = _geometry.finish(geom, what=construction, metric=construction != "geometry")
    except _geometry.EmptyGeometry as exc:
        raise ZoneError(f"{construction}: {exc}") from None
    return {
        "zone_id": zone_id,
        "name": name,
        "kind": kind,
        "description": _optional_text(data, "description"),
        "source": _optional_text(data, "source"),
        "area_km2": _geometry.area_km2(geometry),
        "approximate": approximate,
        "geometry": geometry,
        "_notes": notes,  # warnings for build_zones; not a column
    }


def _required_text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ZoneError(f"{key}: missing (a non-empty text is required)")
    return value.strip()


def _optional_text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ZoneError(f"{key}: expected text, not {quote(value)}")
    return " ".join(value.split())  # YAML folded blocks: one line in tables and popups


def _mapping(spec: Any, construction: str) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ZoneError(f"{construction}: expected a mapping with "
                        f"{', '.join(sorted(_CONSTRUCTION_FIELDS[construction]))}")
    unknown = sorted(str(k) for k in set(spec) - _CONSTRUCTION_FIELDS[construction])
    if unknown:
        raise ZoneError(f"{construction}.{shorten(unknown[0])}: unknown field (expected "
                        f"{', '.join(sorted(_CONSTRUCTION_FIELDS[construction]))})")
    return spec


def _positive_km(spec: dict[str, Any], key: str, construction: str) -> float:
    value = spec.get(key)
    limit = settings.ZONE_MAX_KM
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*", value):
        raise ZoneError(f"{construction}.{key}: {quote(value)} is text, not a number (write it "
                        "without quotes)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0:
        raise ZoneError(f"{construction}.{key}: expected a positive number of km, not {quote(value)}")
    if value > limit:
        raise ZoneError(f"{construction}.{key}: {value:g} km is over the {limit:g} km limit (zones "
                        "are built in UTM 38N, true to scale only around Iraq)")
    return float(value)


def _points(refs: Any, field_name: str, places: _Places, minimum: int) -> list[LonLat]:
    if not isinstance(refs, list):
        raise ZoneError(f"{field_name}: expected a list of places or [lon, lat] points")
    if len(refs) < minimum:
        raise ZoneError(f"{field_name}: needs at least {minimum} point"
                        f"{'s' if minimum > 1 else ''}, got {len(refs)}")
    return [places.point(ref, f"{field_name}[{i}]") for i, ref in enumerate(refs)]


def _build_around(spec: Any, construction: str, places: _Places, base_dir: Path):
    from geo import _geometry

    spec = _mapping(spec, construction)
    buffer_km = _positive_km(spec, "buffer_km", construction)
    if ("points" in spec) == ("groups" in spec):
        raise ZoneError("around: give either points (one hull) or groups (one hull each)")
    if "points" in spec:
        return _geometry.around(_points(spec["points"], "around.points", places, 1), buffer_km)
    groups = spec["groups"]
    if not isinstance(groups, dict) or not groups:
        raise ZoneError("around.groups: expected a mapping of group name to a list of places")
    return _geometry.around_groups(
        [_points(refs, f"around.groups.{label}", places, 1) for label, refs in groups.items()],
        buffer_km)


def _build_between(spec: Any, construction: str, places: _Places, base_dir: Path):
    from geo import _geometry

    lines = _mapping(spec, construction).get("lines")
    if not isinstance(lines, list) or len(lines) != 2:
        raise ZoneError("between.lines: expected two lines (each a list of places or points)")
    a, b = (_points(line, f"between.lines[{i}]", places, 2) for i, line in enumerate(lines))
    return _geometry.between(a, b)


def _build_along(spec: Any, construction: str, places: _Places, base_dir: Path):
    from geo import _geometry

    spec = _mapping(spec, construction)
    width_km = _positive_km(spec, "width_km", construction)
    return _geometry.along(_points(spec.get("line"), "along.line", places, 2), width_km)


def _build_geometry(spec: Any, construction: str, places: _Places, base_dir: Path):
    from shapely.geometry import shape

    _check_geojson_polygon(spec)
    return shape(spec)  # WGS84, as GeoJSON is


def _check_geojson_polygon(spec: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon whose rings are closed and long enough."""
    if not isinstance(spec, dict) or spec.get("type") not in ("Polygon", "MultiPolygon"):
        got = spec.get("type") if isinstance(spec, dict) else spec
        raise ZoneError(f"geometry: expected a GeoJSON Polygon or MultiPolygon, not {quote(got)}")
    coords = spec.get("coordinates")
    polygons = [coords] if spec["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise ZoneError("geometry.coordinates: missing or empty")
    multi = spec["type"] == "MultiPolygon"
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            raise ZoneError(f"geometry.coordinates{f'[{p}]' if multi else ''}: no rings")
        for r, ring in enumerate(rings):
            where = f"geometry.coordinates{f'[{p}]' if multi else ''}[{r}]"
            if not isinstance(ring, list):
                raise ZoneError(f"{where}: expected a list of [lon, lat] positions")
            points = [_literal_point(pos if isinstance(pos, list) else [pos], f"{where}[{i}]")
                      for i, pos in enumerate(ring)]
            if len(points) < 4:
                raise ZoneError(f"{where}: a ring needs at least 4 positions (the first "
                                f"repeated at the end), got {len(points)}")
            if points[0] != points[-1]:
                raise ZoneError(f"{where}: ring is not closed: it starts at "
                                f"{quote(list(ring[0]))} and ends at {quote(list(ring[-1]))}; repeat the "
                                f"first position at the end")


def _build_from_file(spec: Any, construction: str, places: _Places, base_dir: Path):
    """Named features of a boundary file, reprojected to metres and dissolved into one."""
    import shapely

    spec = _mapping(spec, construction)
    for key in ("path", "name_field"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise ZoneError(f"from_file.{key}: missing (a non-empty text is required)")
    names = spec.get("names")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ZoneError("from_file.names: expected a non-empty list of feature names")
    path = Path(os.path.expanduser(spec["path"]))
    path = path if path.is_absolute() else base_dir / path
    if not path.exists():
        raise ZoneError(f"from_file.path: file not found: {path}")
    if not (path.is_file() or path.is_dir()):  # a pipe or a device would never end, or block
        raise ZoneError(f"from_file.path: {path} is not a file (a device or a pipe?)")
    frame = _read_boundaries(path, spec.get("layer"))
    field_name = spec["name_field"]
    if field_name not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise ZoneError(f"from_file.name_field: no field {quote(field_name)} in {path.name} "
                        f"(fields: {shorten(fields, 200)})")
    values = frame[field_name].astype(str)
    missing = [n for n in names if n not in set(values)]
    if missing:
        import difflib

        close = difflib.get_close_matches(missing[0], sorted(set(values)), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ZoneError(f"from_file.names: {quote(missing[0])} is not a value of {quote(field_name)} in "
                        f"{path.name}{hint}")
    chosen = frame[values.isin(names)]
    # A 1 m grid while dissolving merges the near-coincident edges neighbouring districts share,
    # so the union has no hairline gaps along former borders.
    return shapely.union_all(shapely.make_valid(chosen.geometry.values), grid_size=1.0)


def _read_boundaries(path: Path, layer: Any) -> "gpd.GeoDataFrame":
    import geopandas as gpd

    try:
        frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types; all mean "cannot read this file"
        raise ZoneError(f"from_file.path: cannot read {path.name}: {shorten(str(exc), 300)}") from None
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame:
        what = f"layer {quote(layer)} of {path.name}" if layer else path.name
        raise ZoneError(f"from_file.path: {what} is a table without geometry (not a boundary "
                        "file); name a layer with polygons in `from_file.layer`")
    if frame.crs is None:
        # A shapefile without .prj: degrees are the only safe assumption, and only if they fit.
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ZoneError(f"from_file.path: {path.name} has no CRS and is not in degrees")
        frame = frame.set_crs(settings.CRS_WGS84)
    return frame.to_crs(settings.CRS_METRIC)


_BUILDERS = {
    "around": _build_around,
    "between": _build_between,
    "along": _build_along,
    "geometry": _build_geometry,
    "from_file": _build_from_file,
}


# --- all zones ----------------------------------------------------------------------------

def build_zones(extra_files: Iterable[str | os.PathLike] = (), gazetteer: Any = None,
                *, include_builtin: bool = True) -> ZonesResult:
    """Build every zone: the built-in ones, $GEO_ZONES files, then `extra_files`.

    Parameters
    ----------
    extra_files : the user's zone files (YAML with a `zones:` list, or GeoJSON)
    gazetteer : resolves places (default: Gazetteer.default(), loaded only if needed)
    include_builtin : False to build only the user's files

    Returns
    -------
    ZonesResult: `.zones`, a GeoDataFrame (geo.schema.ZONE_COLUMNS, EPSG:4326, sorted by
    zone_id); `.errors`, one message per file or zone that could not be built; `.warnings`,
    one message per built zone without a `description` or a `source` (it still builds: the
    analyst is told what to add, as for an error, by file, zone and field).
    """
    files = zone_files(extra_files, include_builtin)
    errors: list[str] = []
    definitions: dict[str, _Definition] = {}
    for path in files:
        try:
            file_definitions = _read_file(path)
        except ZoneError as exc:
            errors.append(str(exc))
            continue
        seen: set[str] = set()
        for d in file_definitions:
            if d.zone_id in seen:  # within one file a repeated id is a slip, not a replacement
                errors.append(f"{d.label}: id: {quote(d.zone_id)} is used by an earlier zone in "
                              f"this file")
                continue
            seen.add(d.zone_id)
            definitions[d.zone_id] = d  # a later file's zone replaces one with the same id
    places = _Places(gazetteer)
    rows = []
    warnings: list[str] = []
    for zone_id in sorted(definitions):
        d = definitions[zone_id]
        try:
            rows.append(_build(d, places, d.file.parent))
        except ZoneError as exc:
            errors.append(str(exc))
            continue
        warnings += [f"{d.label}: {note}" for note in rows[-1].pop("_notes")]
        warnings += _missing_documentation(d, rows[-1])
    return ZonesResult(_frame(rows), errors, warnings)


#: What a zone without each field leaves its reader asking (the issue: every zone has both).
_DOCUMENTATION = {
    "description": "say what the zone is; tables, popups and exports show it",
    "source": "say where the zone comes from: a report, a map, a boundary file",
}


def _missing_documentation(d: _Definition, row: dict[str, Any]) -> list[str]:
    """One warning per empty `description` or `source` of a zone that built."""
    return [f"{d.label}: {key}: missing ({why})" for key, why in _DOCUMENTATION.items()
            if not row[key]]


def _frame(rows: list[dict[str, Any]]) -> "gpd.GeoDataFrame":
    import geopandas as gpd

    from geo.schema import ZONE_COLUMNS

    frame = gpd.GeoDataFrame(rows, columns=ZONE_COLUMNS, geometry="geometry",
                             crs=settings.CRS_WGS84)
    frame["area_km2"] = frame["area_km2"].astype(float)
    frame["approximate"] = frame["approximate"].astype(bool)
    return frame.reset_index(drop=True)


@lru_cache(maxsize=8)
def _cached(files: tuple[str, ...], env: str) -> ZonesResult:
    result = build_zones(files)
    log = logging.getLogger(__name__)
    for message in result.errors:  # callers of load_zones want zones, not a list of errors
        log.warning("zone not built: %s", message)
    for message in result.warnings:
        log.warning("zone: %s", message)
    return result


def load_zones(extra_files: Iterable[str | os.PathLike] = ()) -> "gpd.GeoDataFrame":
    """The zones GeoDataFrame, built once per set of files and then served from a cache.

    Errors are logged, not raised (build_zones returns them); call `load_zones.cache_clear()`
    after editing zone files in a running session.
    """
    key = tuple(str(Path(p).resolve()) for p in extra_files)
    return _cached(key, os.environ.get(settings.USER_ZONES_ENV, "")).zones.copy()


load_zones.cache_clear = _cached.cache_clear  # type: ignore[attr-defined]


# --- using zones --------------------------------------------------------------------------

def _membership(points: "gpd.GeoSeries", zones: "gpd.GeoDataFrame") -> list[list[int]]:
    """For each point, the positions of the zones that contain it (boundary included)."""
    import shapely

    members: list[list[int]] = [[] for _ in range(len(points))]
    if len(zones) == 0 or len(points) == 0:
        return members
    tree = shapely.STRtree(zones.geometry.values)
    geoms = points.values
    located = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not located:
        return members
    # `intersects` rather than `within`: an event on a zone's edge counts as in the zone.
    point_idx, zone_idx = tree.query([geoms[i] for i in located], predicate="intersects")
    for p, z in zip(point_idx, zone_idx):
        members[located[p]].append(int(z))
    return members


def _as_wgs84(frame: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
    if frame.crs is not None and frame.crs != settings.CRS_WGS84:
        return frame.to_crs(settings.CRS_WGS84)
    return frame


def assign_zones(events: "gpd.GeoDataFrame", zones: "gpd.GeoDataFrame | None" = None
                 ) -> "gpd.GeoDataFrame":
    """Fill each event's `zones` and `front_distance_km`.

    Parameters
    ----------
    events : events layer (geo.schema.EVENT_COLUMNS); rows without geometry get "" and None
    zones : zones layer (default: load_zones())

    Returns
    -------
    a copy of `events` with `zones` ("; "-joined names of the zones containing the event,
    sorted) and `front_distance_km` (km to the nearest front_line zone, 0 inside it, measured
    in UTM 38N; None when there is no front line or no location)
    """
    import pandas as pd
    import shapely

    from geo import _geometry

    zones = _as_wgs84(load_zones() if zones is None else zones)
    out = _as_wgs84(events.copy())
    names = list(zones["name"])
    out["zones"] = ["; ".join(sorted({names[z] for z in members}))
                    for members in _membership(out.geometry, zones)]
    fronts = zones[zones["kind"] == "front_line"].geometry
    front = _geometry.to_metric(shapely.union_all(fronts.values)) if len(fronts) else None
    distances: list[float | None] = []
    for geom in out.geometry.values:
        if front is None or geom is None or geom.is_empty:
            distances.append(None)
        else:
            distances.append(round(_geometry.to_metric(geom).distance(front) / 1000.0, 3))
    out["front_distance_km"] = pd.Series(distances, index=out.index, dtype="float64")
    return out


def events_per_zone(events: "gpd.GeoDataFrame", zones: "gpd.GeoDataFrame | None" = None
                    ) -> "pd.DataFrame":
    """How many events fell in each zone.

    Returns
    -------
    DataFrame with zone_id, name, kind, events, first_date, last_date (ISO dates of the events'
    `event_date`, else `published`; None when unknown), one row per zone, most events first.
    """
    import pandas as pd

    zones = _as_wgs84(load_zones() if zones is None else zones).reset_index(drop=True)
    events = _as_wgs84(events).reset_index(drop=True)
    dates = _event_dates(events)
    per_zone: list[list[int]] = [[] for _ in range(len(zones))]
    for event_pos, members in enumerate(_membership(events.geometry, zones)):
        for z in members:
            per_zone[z].append(event_pos)
    rows = []
    for z, zone in zones.iterrows():
        known = sorted(d for d in (dates[e] for e in per_zone[z]) if d)
        rows.append({"zone_id": zone["zone_id"], "name": zone["name"], "kind": zone["kind"],
                     "events": len(per_zone[z]), "first_date": known[0] if known else None,
                     "last_date": known[-1] if known else None})
    table = pd.DataFrame(rows, columns=["zone_id", "name", "kind", "events", "first_date",
                                        "last_date"])
    for column in ("first_date", "last_date"):  # pandas' string dtype would turn None into NaN
        table[column] = pd.Series([r[column] for r in rows], dtype=object, index=table.index)
    return table.sort_values(["events", "zone_id"], ascending=[False, True],
                             kind="mergesort").reset_index(drop=True)


def _event_dates(events: "pd.DataFrame") -> list[str | None]:
    def pick(row_value: Any) -> str | None:
        return row_value if isinstance(row_value, str) and row_value else None

    event_date = events["event_date"] if "event_date" in events else [None] * len(events)
    published = events["published"] if "published" in events else [None] * len(events)
    return [pick(e) or pick(p) for e, p in zip(event_date, published)]


def zones_containing(lat: float, lon: float, zones: "gpd.GeoDataFrame | None" = None
                     ) -> list[str]:
    """Names of the zones that contain the point (edge included), sorted.

    Raises QueryError when lat or lon is not a number in range.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    for label, value, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or abs(value) > limit:
            raise QueryError(f"{label} {value!r} is not a number between {-limit:g} and "
                             f"{limit:g}")
    zones = _as_wgs84(load_zones() if zones is None else zones)
    point = gpd.GeoSeries([Point(float(lon), float(lat))], crs=settings.CRS_WGS84)
    names = list(zones["name"])
    return sorted({names[z] for z in _membership(point, zones)[0]})


def zones_to_geojson(zones: "gpd.GeoDataFrame") -> str:
    """The zones as an RFC 7946 GeoJSON FeatureCollection string, the same bytes on every run.

    This is the export's GeoJSON (geo._layers.geojson_text) of the zones layer, byte for byte
    the `zones.geojson` that `geo export --format geojson` writes: one feature a line, sorted
    by zone_id (also each feature's `id`), properties in geo.schema.ZONE_COLUMNS order,
    coordinates to settings.EXPORT_COORD_DECIMALS, polygons wound by the right-hand rule
    (exterior rings counter-clockwise, holes clockwise).
    """
    from geo._layers import geojson_text, normalize_layer

    layer = normalize_layer("zones", zones)  # WGS84, the layer's columns, plain typed values
    return geojson_text("zones", layer.sort_values("zone_id", kind="mergesort"))
