"""geo.zones: the built-in zones, bad definitions, from_file, the event join, determinism, CLI.

Tests of the built-ins use the real gazetteer (data/places); the rest use a small stand-in
gazetteer, so a definition's error message does not depend on the curated data.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from disk_helpers import half_full_open

from geo import settings
from geo.schema import EVENT_COLUMNS, ZONE_COLUMNS
from geo.zones import (
    assign_zones, build_zones, events_per_zone, zone_from_definition, zones_containing,
    zones_to_geojson,
)

# --- a stand-in gazetteer -----------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    id: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class _Candidate:
    place: _Place
    score: float = 1.0
    match: str = "exact"


class FakeGazetteer:
    """get/resolve over a few places, as geo.gazetteer.Gazetteer offers them."""

    def __init__(self, places: list[_Place]):
        self._by_id = {p.id: p for p in places}

    def get(self, place_id: str) -> _Place:
        return self._by_id[place_id]

    def resolve(self, name: str, limit: int = 5, types=None) -> list[_Candidate]:
        key = name.casefold()
        hits = [_Candidate(p) for p in self._by_id.values() if p.name.casefold() == key]
        # A crude fuzzy match, enough to test that zones refuse one.
        hits += [_Candidate(p, 0.8, "fuzzy") for p in self._by_id.values()
                 if p.name.casefold() != key and p.name[:4].casefold() == key[:4]]
        return hits[:limit]


FAKE = FakeGazetteer([
    _Place("tuz-khurmatu", "Tuz Khurmatu", 44.6326, 34.8881),
    _Place("kifri", "Kifri", 44.9606, 34.6896),
    _Place("qara-tapa", "Qara Tapa", 44.9372, 34.4236),
])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def build_one(tmp_path: Path, zone_yaml: str):
    """Build a user file holding one good zone and the zone under test (built-ins left out)."""
    good = ("  - name: Good zone\n    kind: sector\n"
            "    around: {points: [[44.6, 34.9]], buffer_km: 3}\n")
    path = write(tmp_path / "zones.yaml", "zones:\n" + good + zone_yaml)
    return build_zones([path], gazetteer=FAKE, include_builtin=False)


# --- bad definitions: one each, with the exact message ------------------------------------

BAD_DEFINITIONS = [
    ("unknown place",
     "  - name: Bad place\n    kind: sector\n"
     "    around: {points: [kifri, atlantis], buffer_km: 5}\n",
     "zones.yaml: zone 'Bad place': around.points[1]: unknown place 'atlantis' "
     "(not a gazetteer id or name)"),
    ("near miss of a place name",
     "  - name: Typo place\n    kind: sector\n"
     "    around: {points: [Kifrii], buffer_km: 5}\n",
     "zones.yaml: zone 'Typo place': around.points[0]: unknown place 'Kifrii' (not a gazetteer "
     "id or name; the nearest name is 'Kifri', id 'kifri')"),
    ("too few points for along",
     "  - name: Short front\n    kind: front_line\n"
     "    along: {line: [kifri], width_km: 4}\n",
     "zones.yaml: zone 'Short front': along.line: needs at least 2 points, got 1"),
    ("too few points for between",
     "  - name: Thin belt\n    kind: security_vacuum\n"
     "    between: {lines: [[kifri, qara-tapa], [tuz-khurmatu]]}\n",
     "zones.yaml: zone 'Thin belt': between.lines[1]: needs at least 2 points, got 1"),
    ("no points for around",
     "  - name: Empty\n    kind: sector\n    around: {points: [], buffer_km: 5}\n",
     "zones.yaml: zone 'Empty': around.points: needs at least 1 point, got 0"),
    ("unclosed polygon",
     "  - name: Open ring\n    kind: sector\n    geometry:\n      type: Polygon\n"
     "      coordinates: [[[44.0, 35.0], [44.2, 35.0], [44.2, 35.2], [44.0, 35.2]]]\n",
     "zones.yaml: zone 'Open ring': geometry.coordinates[0]: ring is not closed: it starts at "
     "[44.0, 35.0] and ends at [44.0, 35.2]; repeat the first position at the end"),
    ("unknown kind",
     "  - name: Odd\n    kind: frontline\n    around: {points: [kifri], buffer_km: 5}\n",
     "zones.yaml: zone 'Odd': kind: 'frontline' is not one of " + ", ".join(settings.ZONE_KINDS)),
    ("no name",
     "  - kind: sector\n    around: {points: [kifri], buffer_km: 5}\n",
     "zones.yaml: zone '#2': name: missing (a non-empty text is required)"),
    ("two constructions",
     "  - name: Both\n    kind: sector\n    around: {points: [kifri], buffer_km: 5}\n"
     "    along: {line: [kifri, qara-tapa], width_km: 2}\n",
     "zones.yaml: zone 'Both': more than one construction (around, along): give exactly one of "
     "around, between, along, geometry, from_file"),
    ("negative buffer",
     "  - name: Shrunk\n    kind: sector\n    around: {points: [kifri], buffer_km: -2}\n",
     "zones.yaml: zone 'Shrunk': around.buffer_km: expected a positive number of km, not -2"),
    ("misspelt field",
     "  - name: Typo\n    kind: sector\n    around: {points: [kifri], bufer_km: 5}\n",
     "zones.yaml: zone 'Typo': around.bufer_km: unknown field (expected buffer_km, groups, "
     "points)"),
    ("lat/lon swapped",
     "  - name: Swapped\n    kind: sector\n    around: {points: [[34.9, 44.6]], buffer_km: 5}\n",
     "zones.yaml: zone 'Swapped': around.points[0]: point [34.9, 44.6] is outside Iraq's "
     "bounding box (it looks like [lat, lon]; write [lon, lat] as in GeoJSON)"),
    ("lines that enclose nothing",
     "  - name: Flat\n    kind: security_vacuum\n"
     "    between: {lines: [[kifri, qara-tapa], [kifri, qara-tapa]]}\n",
     "zones.yaml: zone 'Flat': between: encloses no area"),
]


@pytest.mark.parametrize("zone_yaml, expected", [b[1:] for b in BAD_DEFINITIONS],
                         ids=[b[0] for b in BAD_DEFINITIONS])
def test_bad_definition_names_zone_and_field_and_others_still_build(tmp_path, zone_yaml,
                                                                     expected):
    result = build_one(tmp_path, zone_yaml)
    assert result.errors == [expected]
    assert list(result.zones["name"]) == ["Good zone"]


def test_missing_boundary_file(tmp_path):
    result = build_one(tmp_path, "  - name: Districts\n    kind: disputed_territory\n"
                       "    from_file: {path: nope.geojson, name_field: name, names: [A]}\n")
    assert result.errors == [f"zones.yaml: zone 'Districts': from_file.path: file not found: "
                             f"{tmp_path / 'nope.geojson'}"]
    assert list(result.zones["name"]) == ["Good zone"]


def test_name_missing_from_boundary_file(tmp_path, boundary_file):
    result = build_one(tmp_path, "  - name: Districts\n    kind: disputed_territory\n"
                       "    from_file: {path: districts.geojson, name_field: name,\n"
                       "                names: [North, Sooth]}\n")
    assert result.errors == ["zones.yaml: zone 'Districts': from_file.names: 'Sooth' is not a "
                             "value of 'name' in districts.geojson (did you mean 'South'?)"]


def test_name_field_missing_from_boundary_file(tmp_path, boundary_file):
    result = build_one(tmp_path, "  - name: Districts\n    kind: disputed_territory\n"
                       "    from_file: {path: districts.geojson, name_field: ADM2_EN,\n"
                       "                names: [North]}\n")
    assert result.errors == ["zones.yaml: zone 'Districts': from_file.name_field: no field "
                             "'ADM2_EN' in districts.geojson (fields: name, pcode)"]


def test_missing_zone_file_is_an_error_not_a_crash(tmp_path):
    result = build_zones([tmp_path / "absent.yaml"], gazetteer=FAKE, include_builtin=False)
    assert result.errors == [f"{tmp_path / 'absent.yaml'}: zone file not found"]
    assert len(result.zones) == 0 and list(result.zones.columns) == ZONE_COLUMNS


def test_gazetteer_used_by_name_as_well_as_id(tmp_path):
    zone = zone_from_definition({"name": "By name", "kind": "sector",
                                 "around": {"points": ["Tuz Khurmatu", {"place": "kifri"}],
                                            "buffer_km": 2}}, gazetteer=FAKE)
    assert zones_containing(34.8881, 44.6326, _frame([zone])) == ["By name"]
    assert zones_containing(34.6896, 44.9606, _frame([zone])) == ["By name"]


# --- from_file ------------------------------------------------------------------------------

@pytest.fixture
def boundary_file(tmp_path: Path) -> Path:
    """Three 0.1-degree squares near Kifri: North and South share an edge, East stands apart."""
    def square(lon: float, lat: float, name: str, pcode: str) -> dict:
        ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1],
                [lon, lat]]
        return {"type": "Feature", "properties": {"name": name, "pcode": pcode},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}

    doc = {"type": "FeatureCollection", "features": [
        square(44.9, 34.6, "North", "X1"), square(44.9, 34.5, "South", "X2"),
        square(45.3, 34.5, "East", "X3")]}
    return write(tmp_path / "districts.geojson", json.dumps(doc))


def test_from_file_dissolves_named_features(tmp_path, boundary_file):
    (tmp_path / "user").mkdir()
    path = write(tmp_path / "user" / "zones.yaml",
                 "zones:\n  - name: Two districts\n    kind: disputed_territory\n"
                 "    source: test squares\n"
                 "    from_file: {path: ../districts.geojson, name_field: name,"
                 " names: [North, South]}\n")
    result = build_zones([path], gazetteer=FAKE, include_builtin=False)
    assert result.errors == []
    zone = result.zones.iloc[0]
    assert zone.geometry.geom_type == "Polygon" and zone.geometry.is_valid
    assert len(zone.geometry.interiors) == 0
    # One 0.1 x 0.2 degree rectangle at 34.6N: about 9.2 km x 22.2 km.
    assert zone.area_km2 == pytest.approx(204.5, rel=0.02)
    assert zone.geometry.bounds == pytest.approx((44.9, 34.5, 45.0, 34.7))


@pytest.mark.parametrize("driver, suffix", [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")])
def test_from_file_reads_geopackage_and_shapefile(tmp_path, boundary_file, driver, suffix):
    import geopandas as gpd

    other = tmp_path / f"districts{suffix}"
    gpd.read_file(boundary_file).to_crs(settings.CRS_METRIC).to_file(other, driver=driver)
    zone = zone_from_definition(
        {"name": "East", "kind": "sector",
         "from_file": {"path": str(other), "name_field": "pcode", "names": ["X3"]}})
    assert zone["area_km2"] == pytest.approx(102.3, rel=0.02)
    assert zone["geometry"].bounds == pytest.approx((45.3, 34.5, 45.4, 34.6), abs=1e-5)


# --- built-in zones -------------------------------------------------------------------------

BUILTIN_IDS = {
    "qaratapa-hamrin-front", "second-qaratapa-hamrin-sector",
    "tuz-khurmatu-sleman-bag-operations-area", "garmiyan", "disputed-territories",
    "vacuum-makhmour-qarachogh", "vacuum-southwest-kirkuk-daquq", "vacuum-tuz-khurmatu",
    "vacuum-kifri-qara-tapa", "vacuum-jalawla-khanaqin",
}


@pytest.fixture(scope="module")
def builtin(gazetteer):
    result = build_zones(gazetteer=gazetteer)
    assert result.errors == []
    return result.zones


def test_builtins_all_build(builtin):
    assert set(builtin["zone_id"]) == BUILTIN_IDS
    assert list(builtin.columns) == ZONE_COLUMNS
    assert builtin.crs.to_string() == settings.CRS_WGS84


def test_builtins_are_documented_valid_polygons(builtin, gazetteer):
    assert build_zones(gazetteer=gazetteer).warnings == [], "every built-in has both"
    for zone in builtin.itertuples():
        assert zone.kind in settings.ZONE_KINDS
        assert zone.description and zone.source, zone.zone_id
        assert zone.approximate, f"{zone.zone_id}: drawn from reports, so approximate"
        assert zone.geometry.is_valid and zone.geometry.geom_type in ("Polygon", "MultiPolygon")


# Where the seed places are, [lon, lat]: GeoNames where it has the place (id given), else the
# gazetteer's row or the town centre; literal so these tests do not move with the gazetteer.
PLACES = {
    "Qara Tapa": (44.93479, 34.43277), "Tuz Khurmatu": (44.63256, 34.88808),  # gn 90026
    "Sulaiman Bek": (44.64, 34.76), "Amerli": (44.59, 34.72),
    "Kifri": (44.96057, 34.68963),  # gn 94298
    "Kalar": (45.31852, 34.62805), "Kirkuk": (44.39222, 35.46806),  # gn 94787
    "Sinjar": (41.87656, 36.3209), "Makhmour": (43.59, 35.78), "Daquq": (44.45, 35.14),
    "Khanaqin": (45.39065, 34.3482), "Jalawla": (45.17786, 34.27725),
    "Erbil": (44.00943, 36.19117),  # gn 95446
    "Sulaimani": (45.4329, 35.56496),  # gn 98463
    "Duhok": (42.9879, 36.86608), "Tikrit": (43.67861, 34.61581),  # gn 90150
    "Baqubah": (44.60518, 33.75403),  # gn 97990
    "Mosul": (43.11889, 36.335), "Chamchamal": (44.8343, 35.53356),
    "Tel Afar": (42.44806, 36.37913), "Mandali": (45.55503, 33.7481),
    "Hawija": (43.77267, 35.32592), "Bashiqa": (43.3518, 36.44949),
    "Qaraqosh": (43.37758, 36.27093), "Tel Kaif": (43.12114, 36.49118),
    "Ain Sifni": (43.35202, 36.69595), "Akre": (43.89428, 36.76038),
    "Alqosh": (43.09667, 36.73417), "Zab": (43.45081, 35.26288), "Badrah": (45.93344, 33.11508),
}

# Place, zone id, inside?
SEED_PLACES = [
    ("Qara Tapa", "qaratapa-hamrin-front", True),
    ("Qara Tapa", "second-qaratapa-hamrin-sector", True),
    ("Tuz Khurmatu", "tuz-khurmatu-sleman-bag-operations-area", True),
    ("Sulaiman Bek", "tuz-khurmatu-sleman-bag-operations-area", True),
    ("Amerli", "tuz-khurmatu-sleman-bag-operations-area", True),
    ("Kifri", "garmiyan", True),
    ("Kalar", "garmiyan", True),
    ("Kirkuk", "disputed-territories", True),
    ("Tuz Khurmatu", "disputed-territories", True),
    ("Sinjar", "disputed-territories", True),
    ("Makhmour", "disputed-territories", True),
    ("Khanaqin", "disputed-territories", True),
    ("Jalawla", "disputed-territories", True),
    ("Qara Tapa", "disputed-territories", True),
    ("Kifri", "disputed-territories", True),
    ("Daquq", "disputed-territories", True),
    ("Tel Afar", "disputed-territories", True),
    ("Mandali", "disputed-territories", True),
    ("Hawija", "disputed-territories", True),
    ("Bashiqa", "disputed-territories", True),
    ("Qaraqosh", "disputed-territories", True),
    ("Tel Kaif", "disputed-territories", True),
    ("Ain Sifni", "disputed-territories", True),
    ("Akre", "disputed-territories", True),
    ("Alqosh", "disputed-territories", True),   # 1 km from Tel Kaif's northern border
    ("Zab", "disputed-territories", True),      # on the Tigris, Hawija's western border
    ("Badrah", "disputed-territories", True),
    ("Daquq", "vacuum-southwest-kirkuk-daquq", True),
    ("Kifri", "vacuum-kifri-qara-tapa", True),
    ("Erbil", "disputed-territories", False),
    ("Sulaimani", "disputed-territories", False),
    ("Duhok", "disputed-territories", False),
    ("Tikrit", "disputed-territories", False),
    ("Baqubah", "disputed-territories", False),
    ("Mosul", "disputed-territories", False),
    ("Kalar", "disputed-territories", False),  # Sulaimani's district, between Kifri and Khanaqin
    ("Chamchamal", "disputed-territories", False),
    ("Kirkuk", "qaratapa-hamrin-front", False),
    ("Kirkuk", "vacuum-southwest-kirkuk-daquq", False),
    ("Erbil", "garmiyan", False),
]


@pytest.mark.parametrize("place, zone_id, inside", SEED_PLACES,
                         ids=[f"{p}-{'in' if i else 'not-in'}-{z}" for p, z, i in SEED_PLACES])
def test_seed_place_in_its_zone(builtin, place, zone_id, inside):
    lon, lat = PLACES[place]
    name = builtin.set_index("zone_id").loc[zone_id, "name"]
    assert (name in zones_containing(lat, lon, builtin)) is inside


# Zone id, area range (km²): what the definitions should give, wide enough for small
# gazetteer corrections, tight enough to catch a place resolved to the wrong town.
AREA_RANGES = {
    "qaratapa-hamrin-front": (500, 900),
    "second-qaratapa-hamrin-sector": (500, 1200),
    "tuz-khurmatu-sleman-bag-operations-area": (500, 1500),
    "garmiyan": (1500, 4000),
    "vacuum-makhmour-qarachogh": (300, 1500),
    "vacuum-southwest-kirkuk-daquq": (400, 1500),
    "vacuum-tuz-khurmatu": (300, 1500),
    "vacuum-kifri-qara-tapa": (200, 1200),
    "vacuum-jalawla-khanaqin": (200, 1200),
    "disputed-territories": (34000, 42000),  # COD-AB: 38,972 km² in the 15 districts
}


@pytest.mark.parametrize("zone_id", sorted(AREA_RANGES))
def test_builtin_area_in_range(builtin, zone_id):
    low, high = AREA_RANGES[zone_id]
    area = builtin.set_index("zone_id").loc[zone_id, "area_km2"]
    assert low <= area <= high


ARTICLE_140_DISTRICTS = [  # OCHA COD-AB ADM2_EN spellings
    "Sinjar", "Telafar", "Tilkaef", "Al-Shikhan", "Aqra", "Al-Hamdaniya", "Makhmour",
    "Kirkuk", "Dibis", "Al-Hawiga", "Daquq", "Tooz Khurmato", "Kifri", "Khanaqin", "Badra",
]


#: Sub-districts the approximation takes in besides the districts (COD-AB ADM3_EN): Mandali
#: (the Article 140 list's, in Baladruz district) and Bashiqa (Mosul district, Nineveh Plain).
EXTRA_SUBDISTRICTS = ["Mandali", "Bashiqa"]


@pytest.mark.reference
def test_approximation_overlaps_official_districts(builtin, reference_dir):
    """Nearly all of the approximation lies in the Article 140 districts, and it covers nearly
    all of each; it spills little into any other district (the figures in the README)."""
    import geopandas as gpd
    import shapely

    districts = gpd.read_file(reference_dir / "iraq-adm2.geojson").to_crs(settings.CRS_METRIC)
    assert set(ARTICLE_140_DISTRICTS) <= set(districts["ADM2_EN"])
    listed = districts[districts["ADM2_EN"].isin(ARTICLE_140_DISTRICTS)]
    official = shapely.union_all(listed.geometry.values)
    approx = builtin[builtin.zone_id == "disputed-territories"].to_crs(
        settings.CRS_METRIC).geometry.iloc[0]
    inside = approx.intersection(official).area
    assert inside / approx.area >= 0.92, "share of the approximation inside the districts"
    assert inside / official.area >= 0.90, "share of the districts the approximation covers"
    for row in listed.itertuples():
        share = approx.intersection(row.geometry).area / row.geometry.area
        assert share >= 0.80, f"{row.ADM2_EN}: {share:.0%} covered"

    extra = shapely.Polygon()
    if (reference_dir / "iraq-adm3.geojson").is_file():
        subdistricts = gpd.read_file(reference_dir / "iraq-adm3.geojson").to_crs(
            settings.CRS_METRIC)
        extra = shapely.union_all(
            subdistricts[subdistricts["ADM3_EN"].isin(EXTRA_SUBDISTRICTS)].geometry.values)
        assert approx.intersection(official.union(extra)).area / approx.area >= 0.97
    for row in districts[~districts["ADM2_EN"].isin(ARTICLE_140_DISTRICTS)].itertuples():
        spill = approx.intersection(row.geometry.difference(extra)).area / 1e6
        assert spill <= 60, f"{spill:.0f} km² of the approximation in {row.ADM2_EN}"


@pytest.mark.reference
def test_official_districts_replace_the_approximation(tmp_path, reference_dir, gazetteer):
    """The README's recipe: a user zone with the built-in id and `from_file`."""
    user = write(tmp_path / "official.yaml", (
        "zones:\n  - id: disputed-territories\n    name: Disputed territories\n"
        "    kind: disputed_territory\n    source: OCHA COD-AB districts; Article 140\n"
        f"    from_file:\n      path: {reference_dir / 'iraq-adm2.geojson'}\n"
        "      name_field: ADM2_EN\n"
        f"      names: {json.dumps(ARTICLE_140_DISTRICTS)}\n"))
    result = build_zones([user], gazetteer=gazetteer)
    assert result.errors == []
    zone = result.zones.set_index("zone_id").loc["disputed-territories"]
    assert zone["name"] == "Disputed territories" and not zone["approximate"]
    assert zone.geometry.is_valid
    assert 35000 <= zone["area_km2"] <= 45000  # 38,972 km² in COD-AB 2019
    for place, inside in [("Kirkuk", True), ("Sinjar", True), ("Khanaqin", True),
                          ("Erbil", False), ("Sulaimani", False)]:
        lon, lat = PLACES[place]
        assert ("Disputed territories" in zones_containing(lat, lon, result.zones)) is inside


# --- determinism ------------------------------------------------------------------------------

def test_geojson_output_is_the_same_bytes_every_run(builtin, gazetteer):
    first = zones_to_geojson(builtin)
    again = zones_to_geojson(build_zones(gazetteer=gazetteer).zones)
    assert first == again
    doc = json.loads(first)
    assert [f["properties"]["zone_id"] for f in doc["features"]] == sorted(BUILTIN_IDS)
    assert list(doc["features"][0]["properties"]) == ZONE_COLUMNS[:-1]


def test_geojson_output_reads_back_as_a_zone_file(tmp_path, builtin):
    path = write(tmp_path / "zones.geojson", zones_to_geojson(builtin))
    again = build_zones([path], include_builtin=False)
    assert again.errors == []
    assert zones_to_geojson(again.zones) == zones_to_geojson(builtin)


def test_geojson_output_is_the_exports_zones_layer(tmp_path, builtin):
    """One GeoJSON writer: `zones_to_geojson` (what `geo zones -o` writes) is byte for byte the
    zones.geojson of `geo export --format geojson`."""
    from geo.export import export_layers

    export_layers({"zones": builtin}, "geojson", tmp_path / "out")
    assert zones_to_geojson(builtin) == (tmp_path / "out" / "zones.geojson").read_text(
        encoding="utf-8")


def test_geojson_output_is_one_feature_a_line(builtin):
    """The export's form (not a compact one-line document): a head line, one feature a line
    in zone_id order with the zone id as its `id`, then the closing line."""
    lines = zones_to_geojson(builtin).split("\n")
    assert lines[0] == '{"type": "FeatureCollection", "name": "zones", "features": ['
    assert lines[-2:] == ["]}", ""]
    features = [json.loads(line.rstrip(",")) for line in lines[1:-2]]
    assert [f["id"] for f in features] == sorted(BUILTIN_IDS)
    assert all(list(f) == ["type", "id", "geometry", "properties"] for f in features)
    assert all(line.endswith("}},") for line in lines[1:-3]) and lines[-3].endswith("}}")
    assert all(f["properties"]["zone_id"] == f["id"] for f in features)


def test_geojson_output_writes_missing_values_as_null(tmp_path):
    """A zone frame from elsewhere (NaN area, numpy values) writes plain JSON: null, numbers."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Polygon

    frame = gpd.GeoDataFrame(
        {"zone_id": ["b", "a"], "name": ["B", "A"], "kind": ["sector", "sector"],
         "description": ["d", None], "source": ["s", "s"],
         "area_km2": np.array([np.nan, 12.5]), "approximate": np.array([True, False])},
        geometry=[Polygon([(44, 35), (44.1, 35), (44.1, 35.1)])] * 2, crs=settings.CRS_WGS84)
    features = json.loads(zones_to_geojson(frame))["features"]
    assert [f["id"] for f in features] == ["a", "b"]
    assert [f["properties"]["area_km2"] for f in features] == [12.5, None]
    assert [f["properties"]["approximate"] for f in features] == [False, True]
    assert features[0]["properties"]["description"] is None


def _ring_area(ring) -> float:
    """Signed area of a GeoJSON ring (shoelace): positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _polygons(geometry: dict) -> list:
    return ([geometry["coordinates"]] if geometry["type"] == "Polygon"
            else geometry["coordinates"])


def test_geojson_output_is_wound_by_rfc_7946(tmp_path, builtin, gazetteer):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946 3.1.6), as `geo export`
    writes them; the same bytes from two builds."""
    from shapely.geometry import mapping, shape

    from geo.export import prepared_geometry

    holed = write(tmp_path / "holed.yaml", (
        "zones:\n  - name: Ring road\n    kind: sector\n    description: a ring\n"
        "    source: test\n    geometry:\n      type: Polygon\n      coordinates:\n"
        "        - [[44.0, 35.0], [44.0, 35.3], [44.3, 35.3], [44.3, 35.0], [44.0, 35.0]]\n"
        "        - [[44.1, 35.1], [44.2, 35.1], [44.2, 35.2], [44.1, 35.2], [44.1, 35.1]]\n"))
    zones = build_zones([holed], gazetteer=gazetteer).zones
    text = zones_to_geojson(zones)
    assert text == zones_to_geojson(build_zones([holed], gazetteer=gazetteer).zones)
    features = json.loads(text)["features"]
    assert {f["properties"]["zone_id"] for f in features} == BUILTIN_IDS | {"ring-road"}
    holes = 0
    for feature in features:
        for rings in _polygons(feature["geometry"]):
            assert _ring_area(rings[0]) > 0, f"{feature['id']}: exterior ring is clockwise"
            assert all(_ring_area(hole) < 0 for hole in rings[1:]), feature["id"]
            holes += len(rings) - 1
        # The same winding and rounding as geo.export's GeoJSON.
        geom = shape(feature["geometry"])
        expected = mapping(prepared_geometry(geom, settings.ZONE_COORD_DECIMALS))
        assert json.dumps(feature["geometry"]["coordinates"]) == json.dumps(
            json.loads(json.dumps(expected))["coordinates"])
    assert holes == 1


def test_coordinates_are_rounded_to_six_decimals(builtin):
    coords = json.loads(zones_to_geojson(builtin))["features"][0]["geometry"]["coordinates"]
    flat = json.dumps(coords)
    assert all(len(num.split(".")[1]) <= 6 for num in flat.replace("[", "").replace("]", "")
               .split(",") if "." in num)


# --- events in zones ------------------------------------------------------------------------

def _frame(rows):
    import geopandas as gpd

    return gpd.GeoDataFrame(rows, columns=ZONE_COLUMNS, geometry="geometry",
                            crs=settings.CRS_WGS84)


@pytest.fixture
def toy_zones():
    """A front line band along 34.5N and a sector around Kifri."""
    front = zone_from_definition({"name": "Front", "kind": "front_line",
                                  "along": {"line": [[44.5, 34.5], [45.0, 34.5]],
                                            "width_km": 2}})
    sector = zone_from_definition({"name": "Kifri sector", "kind": "sector",
                                   "around": {"points": [[44.96, 34.69]], "buffer_km": 10}})
    wide = zone_from_definition({"name": "A wide sector", "kind": "sector",
                                 "around": {"points": [[44.5, 34.4], [45.1, 34.8]],
                                            "buffer_km": 10}})
    return _frame([front, sector, wide])


def _events(points):
    import geopandas as gpd
    from shapely.geometry import Point

    rows = []
    for i, (lon, lat, date) in enumerate(points):
        row = {c: "" for c in EVENT_COLUMNS}
        row.update(event_id=f"r-{i}", event_date=date, zones="", front_distance_km=None,
                   latitude=lat, longitude=lon,
                   geometry=None if lon is None else Point(lon, lat))
        rows.append(row)
    return gpd.GeoDataFrame(rows, columns=EVENT_COLUMNS, geometry="geometry",
                            crs=settings.CRS_WGS84)


def test_assign_zones_fills_zones_and_front_distance(toy_zones):
    events = _events([(44.96, 34.69, "2024-05-11"),   # Kifri: sector and wide sector
                      (44.75, 34.50, "2024-05-01"),   # on the front
                      (44.0, 36.19, None),            # Erbil: nowhere
                      (None, None, "2024-05-02")])    # no place
    out = assign_zones(events, toy_zones)
    assert list(out["zones"]) == ["A wide sector; Kifri sector", "A wide sector; Front", "", ""]
    distances = list(out["front_distance_km"])
    # 0.19 degrees of latitude north of a 1 km half-width band: about 21 km - 1 km.
    assert distances[0] == pytest.approx(20.1, abs=0.3)
    assert distances[1] == 0.0
    assert distances[2] > 150
    assert math.isnan(distances[3])
    assert list(out.columns) == EVENT_COLUMNS
    assert list(events["zones"]) == ["", "", "", ""], "the input is not modified"


def test_events_per_zone_counts_and_dates(toy_zones):
    events = _events([(44.96, 34.69, "2024-05-11"), (44.75, 34.50, "2024-05-01"),
                      (44.97, 34.70, "2024-04-30"), (None, None, "2024-05-02")])
    table = events_per_zone(events, toy_zones)
    assert table.to_dict(orient="records") == [
        {"zone_id": "a-wide-sector", "name": "A wide sector", "kind": "sector", "events": 3,
         "first_date": "2024-04-30", "last_date": "2024-05-11"},
        {"zone_id": "kifri-sector", "name": "Kifri sector", "kind": "sector", "events": 2,
         "first_date": "2024-04-30", "last_date": "2024-05-11"},
        {"zone_id": "front", "name": "Front", "kind": "front_line", "events": 1,
         "first_date": "2024-05-01", "last_date": "2024-05-01"},
    ]


def test_no_front_line_gives_no_distance(toy_zones):
    out = assign_zones(_events([(44.96, 34.69, None)]), toy_zones[toy_zones.kind != "front_line"])
    assert out["front_distance_km"].isna().all()


@pytest.mark.parametrize("lat, lon", [(91, 44), (35, 181), (float("nan"), 44), ("35", 44)])
def test_zones_containing_rejects_bad_coordinates(toy_zones, lat, lon):
    from geo._errors import QueryError

    with pytest.raises(QueryError):
        zones_containing(lat, lon, toy_zones)


# --- CLI ------------------------------------------------------------------------------------

def _cli(args, env=None):
    from click.testing import CliRunner

    from geo.cli import main

    return CliRunner().invoke(main, args, env=env)


def test_cli_zones_json_and_geojson(tmp_path, builtin):
    out = tmp_path / "zones.geojson"
    result = _cli(["zones", "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["zone_id"] for r in rows} == BUILTIN_IDS
    assert {"name", "kind", "area_km2", "approximate", "source"} <= set(rows[0])
    assert out.read_text(encoding="utf-8") == zones_to_geojson(builtin)


def test_cli_zones_output_to_a_missing_folder_is_one_error_line(tmp_path):
    out = tmp_path / "no-such-folder" / "zones.geojson"
    result = _cli(["zones", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (f"geo: error: cannot write {out}: folder {out.parent} does not "
                             "exist\n")
    assert list(tmp_path.iterdir()) == []


def test_cli_zones_output_on_a_full_disk_keeps_the_earlier_file(tmp_path, monkeypatch):
    """The write is atomic: a disk that fills half-way leaves the earlier file as it was and
    no temporary file, with one error line naming the file."""
    import errno
    import os

    import geo._atomic

    out = write(tmp_path / "zones.geojson", '{"earlier": true}\n')
    monkeypatch.setattr(geo._atomic, "open",
                        half_full_open(lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
                        raising=False)
    result = _cli(["zones", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"geo: error: cannot write {out}: "
                                              f"{os.strerror(errno.ENOSPC)}")
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == '{"earlier": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["zones.geojson"]


def test_cli_reports_a_bad_user_zone_and_still_lists_the_rest(tmp_path):
    bad = write(tmp_path / "bad.yaml", "zones:\n  - name: Open ring\n    kind: sector\n"
                "    geometry: {type: Polygon, coordinates: [[[44, 35], [44.2, 35], [44.2, 35.2]"
                ", [44, 35.2]]]}\n")
    result = _cli(["zones", "--zones", str(bad)])
    assert result.exit_code == 1
    assert "Qaratapa-Hamrin front" in result.stdout
    assert ("geo: zone error: bad.yaml: zone 'Open ring': geometry.coordinates[0]: ring is not "
            "closed") in result.stderr


def test_cli_inputs_need_events_flag():
    result = _cli(["zones", "report.txt"])
    assert result.exit_code == 2
    assert "INPUT files are read only with --events" in result.stderr


def test_repeated_id_in_one_file(tmp_path):
    result = build_one(tmp_path, "  - name: Good zone\n    kind: sector\n"
                       "    around: {points: [kifri], buffer_km: 1}\n")
    assert result.errors == ["zones.yaml: zone 'Good zone': id: 'good-zone' is used by an "
                             "earlier zone in this file"]
    assert len(result.zones) == 1


def test_missing_description_or_source_is_a_warning(tmp_path):
    """The zone still builds; the analyst is told what is missing, by file, zone and field."""
    path = write(tmp_path / "mine.yaml", (
        "zones:\n  - name: Undocumented\n    kind: sector\n"
        "    around: {points: [kifri], buffer_km: 3}\n"
        "  - name: Sourced\n    kind: sector\n    source: my notes\n"
        "    around: {points: [kifri], buffer_km: 3}\n"
        "  - name: Documented\n    kind: sector\n    description: around Kifri\n"
        "    source: my notes\n    around: {points: [kifri], buffer_km: 3}\n"))
    result = build_zones([path], gazetteer=FAKE, include_builtin=False)
    assert result.errors == []
    assert sorted(result.zones["name"]) == ["Documented", "Sourced", "Undocumented"]
    assert result.warnings == [
        "mine.yaml: zone 'Sourced': description: missing (say what the zone is; tables, "
        "popups and exports show it)",
        "mine.yaml: zone 'Undocumented': description: missing (say what the zone is; tables, "
        "popups and exports show it)",
        "mine.yaml: zone 'Undocumented': source: missing (say where the zone comes from: a "
        "report, a map, a boundary file)",
    ]


def test_zone_that_fails_gets_an_error_not_a_warning(tmp_path):
    result = build_one(tmp_path, "  - name: Odd\n    kind: frontline\n"
                       "    around: {points: [kifri], buffer_km: 5}\n")
    assert len(result.errors) == 1
    assert [w for w in result.warnings if "'Odd'" in w] == []


def test_cli_prints_documentation_warnings_and_succeeds(tmp_path):
    path = write(tmp_path / "mine.yaml", "zones:\n  - name: Mine\n    kind: sector\n"
                 "    description: near Kalar\n"
                 "    around: {points: [[45.32, 34.63]], buffer_km: 3}\n")
    result = _cli(["zones", "--zones", str(path)])
    assert result.exit_code == 0, result.output
    assert "mine" in result.stdout
    assert result.stderr.splitlines() == [
        "geo: zone warning: mine.yaml: zone 'Mine': source: missing (say where the zone comes "
        "from: a report, a map, a boundary file)"]


def test_user_zone_replaces_builtin_with_same_id(tmp_path):
    user = write(tmp_path / "mine.yaml", "zones:\n  - id: garmiyan\n    name: My Garmiyan\n"
                 "    kind: region\n    around: {points: [[45.32, 34.63]], buffer_km: 20}\n")
    result = build_zones([user], gazetteer=FAKE)
    mine = result.zones[result.zones.zone_id == "garmiyan"]
    assert list(mine["name"]) == ["My Garmiyan"]
    assert not any("garmiyan" in e for e in result.errors)


def test_geojson_zone_file_ignores_other_attributes(tmp_path):
    feature = {"type": "Feature",
               "properties": {"name": "Drawn", "kind": "sector", "fill": "#ff0000",
                              "zone_id": "drawn-in-qgis"},
               "geometry": {"type": "Polygon", "coordinates": [[[44.0, 35.0], [44.2, 35.0],
                                                                [44.2, 35.2], [44.0, 35.0]]]}}
    path = write(tmp_path / "drawn.geojson",
                 json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = build_zones([path], include_builtin=False)
    assert result.errors == []
    assert list(result.zones["zone_id"]) == ["drawn-in-qgis"]


def test_cli_events_per_zone(monkeypatch, builtin):
    """`geo zones --events`: the events step is stood in for, so only the zone join is tested."""
    import types

    events = _events([(*PLACES["Qara Tapa"], "2024-05-11"), (*PLACES["Erbil"], None)])
    fake = types.ModuleType("geo.events")
    fake.events_from_inputs = lambda inputs, **kw: types.SimpleNamespace(
        events=events, mentions=None, reports=["r"], datasets=[], failures=[], warnings=[])
    monkeypatch.setitem(__import__("sys").modules, "geo.events", fake)

    result = _cli(["zones", "--events", "report.txt", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    per_zone = {r["zone_id"]: r["events"] for r in doc["per_zone"]}
    assert per_zone["qaratapa-hamrin-front"] == 1 and per_zone["garmiyan"] == 0
    garmiyan = next(r for r in doc["per_zone"] if r["zone_id"] == "garmiyan")
    assert garmiyan["first_date"] is None and garmiyan["last_date"] is None  # null, not NaN
    first, second = doc["events"]
    assert "Qaratapa-Hamrin front" in first["zones"].split("; ")
    assert first["front_distance_km"] == 0.0
    assert second["zones"] == "" and second["front_distance_km"] > 100

    table = _cli(["zones", "--events", "report.txt"])
    assert table.exit_code == 0, table.output
    assert "2 events, 1 outside every zone or without a place" in table.stdout


def test_readme_zone_file_example(tmp_path):
    """The README's example zone file builds (its boundary file aside, which it does not ship)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Zone files"):]
    start = section.index("```yaml\n") + len("```yaml\n")
    example = section[start:section.index("```", start)]
    gazetteer = FakeGazetteer([
        _Place("kifri", "Kifri", 44.9606, 34.6896),
        _Place("qara-tapa", "Qara Tapa", 44.935, 34.433),
        _Place("tuz-khurmatu", "Tuz Khurmatu", 44.6326, 34.8881),
        _Place("sulaiman-bek", "Sulaiman Bek", 44.64, 34.76),
        _Place("amerli", "Amerli", 44.59, 34.72),
    ])
    result = build_zones([write(tmp_path / "example.yaml", example)], gazetteer=gazetteer,
                         include_builtin=False)
    assert result.errors == [f"example.yaml: zone 'Kirkuk governorate': from_file.path: file "
                             f"not found: {tmp_path / 'districts.gpkg'}"]
    assert sorted(result.zones["zone_id"]) == ["around-tuz", "drawn-by-hand", "kifri-front",
                                               "vacuum-east-of-tuz"]


def test_load_zones_is_cached_and_hands_out_copies(builtin):
    from geo.zones import load_zones

    load_zones.cache_clear()
    first = load_zones()
    first.loc[0, "name"] = "changed by a caller"
    again = load_zones()
    assert list(again["zone_id"]) == list(builtin["zone_id"])
    assert "changed by a caller" not in set(again["name"])


# --- geo where --zones ------------------------------------------------------------------------

def test_cli_where_lists_zones_of_user_files(tmp_path):
    kalar = PLACES["Kalar"]
    path = write(tmp_path / "mine.yaml", (
        "zones:\n  - name: Kalar market\n    kind: sector\n    description: the market\n"
        f"    source: my notes\n    around: {{points: [{list(kalar)}], buffer_km: 2}}\n"))
    result = _cli(["where", str(kalar[1]), str(kalar[0]), "--json", "--zones", str(path)])
    assert result.exit_code == 0, result.output
    zones = json.loads(result.stdout)["zones"]
    assert "Kalar market" in zones and "Garmiyan" in zones
    assert "Disputed territories (approximate)" not in zones

    plain = _cli(["where", str(kalar[1]), str(kalar[0])])
    assert plain.exit_code == 0, plain.output
    assert "Kalar market" not in plain.stdout


def test_cli_where_uses_official_boundaries_from_zone_file(tmp_path, boundary_file):
    """The README's replacement of the approximation reaches `geo where` too."""
    path = write(tmp_path / "official.yaml", (
        "zones:\n  - id: disputed-territories\n    name: Disputed territories\n"
        "    kind: disputed_territory\n    description: test squares\n    source: test\n"
        "    from_file: {path: districts.geojson, name_field: name, names: [North, South]}\n"))
    # Kifri lies in the North square; the approximation would also contain it.
    lon, lat = PLACES["Kifri"]
    result = _cli(["where", str(lat), str(lon), "--json", "--zones", str(path)])
    assert result.exit_code == 0, result.output
    zones = json.loads(result.stdout)["zones"]
    assert "Disputed territories" in zones
    assert "Disputed territories (approximate)" not in zones
    # Outside the squares, the official zone does not claim the point (Tuz Khurmatu would be
    # inside the approximation).
    lon, lat = PLACES["Tuz Khurmatu"]
    result = _cli(["where", str(lat), str(lon), "--json", "--zones", str(path)])
    assert not {"Disputed territories", "Disputed territories (approximate)"} & set(
        json.loads(result.stdout)["zones"])


def test_cli_where_reports_a_bad_zone_file_after_the_answer(tmp_path):
    lon, lat = PLACES["Kifri"]
    result = _cli(["where", str(lat), str(lon), "--zones", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 1
    assert "Kifri" in result.stdout
    assert f"geo: zone error: {tmp_path / 'absent.yaml'}: zone file not found" in result.stderr


def test_a_zone_file_that_is_not_utf8_is_named(tmp_path):
    from geo.zones import build_zones

    path = tmp_path / "latin1.yaml"
    path.write_bytes("zones:\n  - name: Qara Tapa caf\xe9\n    kind: sector\n".encode("latin-1"))
    result = build_zones([path], include_builtin=False)
    assert len(result.zones) == 0
    assert result.errors == [f"{path}: not UTF-8 text (byte 0xe9 at offset 30); save the zone file as UTF-8"]


def test_export_fails_on_a_zone_that_does_not_build_and_writes_the_rest(tmp_path):
    from click.testing import CliRunner
    from geo.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("zones:\n  - name: Bad\n    kind: trench\n    around: {points: [kirkuk], buffer_km: 5}\n",
                   encoding="utf-8")
    out = tmp_path / "x.gpkg"
    result = CliRunner().invoke(main, ["export", str(settings.SEEDS_DIR), "-f", "gpkg", "-o", str(out),
                                       "--zones", str(bad)])
    assert result.exit_code == 1
    assert "geo: zone error: " in result.stderr and "'Bad'" in result.stderr and "kind" in result.stderr
    assert out.is_file()


def test_a_zone_file_with_broken_yaml_is_one_line_with_its_line(tmp_path):
    from geo.zones import build_zones

    path = tmp_path / "broken.yaml"
    path.write_text("zones:\n  - name: A\n    kind: sector\n   around: [x\n", encoding="utf-8")
    [error] = build_zones([path], include_builtin=False).errors
    assert error.startswith(f"{path}:4: not valid YAML: ") and "\n" not in error


def test_a_drawn_polygon_that_crosses_itself_is_repaired_with_a_warning(tmp_path):
    from geo.zones import build_zones

    path = tmp_path / "bowtie.yaml"
    path.write_text("zones:\n  - name: Bowtie\n    kind: sector\n    description: d\n    source: s\n"
                    "    geometry: {type: Polygon, coordinates: [[[44.0, 35.0], [44.2, 35.2], [44.2, 35.0],"
                    " [44.0, 35.2], [44.0, 35.0]]]}\n", encoding="utf-8")
    result = build_zones([path], include_builtin=False)
    assert result.errors == [] and len(result.zones) == 1 and result.zones.geometry.iloc[0].is_valid
    [warning] = result.warnings
    assert "zone 'Bowtie'" in warning and "geometry: Self-intersection" in warning and "repaired" in warning
