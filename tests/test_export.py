"""geo.export: round trips for every format, RFC 7946, QGIS styles, same bytes, checks before
any work, atomic writes, and the pipeline end to end on the seed reports.

Layers are built here by hand, with real places (Kirkuk at lon 44.39 lat 35.47, Tuz Khurmatu
at lon 44.63256 lat 34.88808), so the tests do not depend on the geoparser.
"""
from __future__ import annotations

import csv
import errno
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from qgis_helpers import require_qgis
import shapely.geometry

gpd = pytest.importorskip("geopandas")
pyogrio = pytest.importorskip("pyogrio")
from shapely.geometry import LinearRing, Point, Polygon, shape  # noqa: E402

from geo import export as export_mod  # noqa: E402
from geo import settings  # noqa: E402
from geo._errors import ExportError  # noqa: E402
from geo._kml import data_name, kml_colour  # noqa: E402
from geo._qgis_style import hex_rgb, styles  # noqa: E402
from geo._values import plain  # noqa: E402
from disk_helpers import half_full_open  # noqa: E402
from geo.export import (  # noqa: E402
    ACLED_CSV_COLUMNS, LAYER_COLUMNS, build_layers, export, export_inputs, export_layers,
    normalize_layer, places_layer,
)
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS, PLACE_COLUMNS, ZONE_COLUMNS  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_DIR / "seeds"
KIRKUK = (44.39, 35.47)
TUZ = (44.63256, 34.88808)
FORMATS = ["geojson", "gpkg", "kml", "csv"]
TRICKY = 'Clashes at the "Tuz" checkpoint <b>&</b> اشتباكات في طوزخورماتو'


# --- layers built by hand ---------------------------------------------------------------------

def _event(n: int, **values) -> dict:
    row = {c: None for c in EVENT_COLUMNS}
    row.update(event_id=f"r{n}-1", report_id=f"r{n}", title=f"Report {n}", source="Rudaw",
               url=None, published="2024-03-02", event_date="2024-03-01",
               event_type="Battles", sub_event_type="Armed clash",
               actor1="Military Forces of Iraq", actor2="Islamic State (Iraq)",
               evidence="", evidence_place="", notes="", warnings="", zones="",
               front_distance_km=None, geo_precision=1, where_prec=1)
    row.update(values)
    return row


def _events():
    rows = [
        _event(1, location="Kirkuk", place_id="kirkuk-governorate", admin1="Kirkuk",
               admin2="Kirkuk", latitude=KIRKUK[1], longitude=KIRKUK[0],
               notes="On 1 March 2024, armed clash in Kirkuk.", evidence="Clashes in Kirkuk.",
               geometry=Point(*KIRKUK)),
        _event(2, location="Tuz Khurmatu", place_id="tuz-khurmatu", admin1="Salahaddin",
               admin2="Tuz Khurmatu", latitude=TUZ[1], longitude=TUZ[0],
               event_type="Explosions/Remote violence", sub_event_type="Remote explosive/landmine/IED",
               url="https://example.org/a?b=1&c=2", evidence=TRICKY, notes=TRICKY,
               event_date="2024-03-04", geo_precision=1, where_prec=1, geometry=Point(*TUZ)),
        _event(3, location="", place_id=None, admin1="", admin2="", event_date=None,
               published="2024-02-20", event_type="Strategic developments",
               sub_event_type="Agreement", geo_precision=3, where_prec=6,
               warnings="no resolvable place", geometry=None),
    ]
    frame = gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in rows],
                             geometry=gpd.GeoSeries([r["geometry"] for r in rows],
                                                    crs="EPSG:4326"), crs="EPSG:4326")
    return frame[EVENT_COLUMNS]


# Clockwise on purpose (the writer must rewind it), with a clockwise hole.
_VACUUM = Polygon([(44.55, 34.80), (44.55, 35.00), (44.75, 35.00), (44.75, 34.80), (44.55, 34.80)],
                  [[(44.60, 34.85), (44.70, 34.85), (44.70, 34.95), (44.60, 34.95), (44.60, 34.85)]])
_KIRKUK_SECTOR = Polygon([(44.30, 35.40), (44.30, 35.55), (44.50, 35.55), (44.50, 35.40),
                          (44.30, 35.40)])


def _zones():
    return gpd.GeoDataFrame({
        "zone_id": ["vacuum-tuz-khurmatu", "kirkuk-sector"],
        "name": ["Security vacuum Tuz Khurmatu", "Kirkuk sector"],
        "kind": ["security_vacuum", "sector"],
        "description": ["Between the forward lines <after> October 2017 & since", "City"],
        "source": ["Rudaw, 2021-06-15", "Kurdistan 24"],
        "area_km2": [300.123, 250.5],
        "approximate": [True, False],
    }, geometry=gpd.GeoSeries([_VACUUM, _KIRKUK_SECTOR], crs="EPSG:4326"), crs="EPSG:4326")


def _mentions():
    rows = [
        ("r1", "Kirkuk", 10, 16, "kirkuk-governorate", "Kirkuk", "governorate", "event", 1.0, *KIRKUK[::-1]),
        ("r2", "Tuz Khurmato", 0, 12, "tuz-khurmatu", "Tuz Khurmatu", "town", "dateline", 0.97, *TUZ[::-1]),
        ("r1", "Tuz", 40, 43, "tuz-khurmatu", "Tuz Khurmatu", "town", "mention", 0.9, *TUZ[::-1]),
    ]
    cols = [c for c in MENTION_COLUMNS if c != "geometry"]
    frame = gpd.GeoDataFrame([dict(zip(cols, r)) for r in rows],
                             geometry=gpd.GeoSeries([Point(r[-1], r[-2]) for r in rows],
                                                    crs="EPSG:4326"), crs="EPSG:4326")
    return frame[MENTION_COLUMNS]


def _places():
    return gpd.GeoDataFrame({
        "place_id": ["kirkuk-governorate", "tuz-khurmatu"], "name": ["Kirkuk", "Tuz Khurmatu"],
        "type": ["governorate", "town"], "governorate": ["Kirkuk", "Salahaddin"],
        "district": ["", "Tuz Khurmatu"], "reports": [1, 2],
    }, geometry=gpd.GeoSeries([Point(*KIRKUK), Point(*TUZ)], crs="EPSG:4326"), crs="EPSG:4326")


@pytest.fixture
def layers():
    return {"events": _events(), "zones": _zones(), "places": _places(),
            "mentions": _mentions()}


# --- comparing what was read back with the source --------------------------------------------

def _value(v):
    """Plain Python: NaN -> None, and a date GDAL recognised (it reads ISO dates as dates)
    back to its ISO text."""
    return plain(v)


def _same(expected, got, *, as_text: bool) -> bool:
    expected, got = _value(expected), _value(got)
    if as_text:  # KML and CSV hold text only: None is written as ""
        if isinstance(expected, bool):
            expected = "true" if expected else "false"
        if isinstance(expected, float) and got not in (None, ""):
            return math.isclose(expected, float(got), abs_tol=1e-9)
        return ("" if expected is None else str(expected)) == ("" if got is None else str(got))
    if isinstance(expected, float) and got is not None:
        return math.isclose(expected, float(got), abs_tol=1e-9)
    if expected == "" and got is None:  # GDAL may read an empty string back as null
        return False
    return expected == got


def _assert_layer(name, source, read, *, as_text=False, rename=lambda c: c):
    source = normalize_layer(name, source)
    assert len(read) == len(source), name
    for col in LAYER_COLUMNS[name]:
        if col == "geometry":
            continue
        for i, (exp, got) in enumerate(zip(source[col], read[rename(col)])):
            assert _same(exp, got, as_text=as_text), f"{name}[{i}].{col}: {exp!r} != {got!r}"
    for i, (exp, got) in enumerate(zip(source.geometry.values, read.geometry.values)):
        if exp is None:
            assert got is None or got.is_empty, f"{name}[{i}] geometry"
        else:  # the same vertices in the same order, once rounded and wound as RFC 7946 says
            exp = export_mod.prepared_geometry(exp)
            if got is not None and got.geom_type == "Multi" + exp.geom_type:
                # A layer has one geometry type: GeoPackage promotes the zones' polygons to
                # multipolygons when one zone is a multipolygon, vertices unchanged.
                exp = shapely.geometry.MultiPolygon([exp])
            assert got is not None and exp.equals_exact(got, 1e-7), f"{name}[{i}] geometry"


# --- plain values (geo._values.plain: export, zones and the map use it) ----------------------

def _plain_cases():
    import datetime

    import numpy as np
    import pandas as pd

    point = Point(44.39, 35.47)
    return [
        (np.float64(1.5), 1.5), (np.float32(0.5), 0.5), (np.int64(3), 3), (np.int32(-2), -2),
        (np.bool_(True), True), (np.str_("Kirkuk"), "Kirkuk"),
        (float("nan"), None), (np.float64("nan"), None), (float("inf"), None),
        (np.float64("-inf"), None), (pd.NA, None), (pd.NaT, None),
        (np.datetime64("NaT"), None), (None, None),
        (pd.Timestamp("2024-05-11"), "2024-05-11"),
        (pd.Timestamp("2024-05-11 13:45"), "2024-05-11T13:45:00"),
        (datetime.date(2024, 5, 11), "2024-05-11"),
        ("", ""), ("Tuz", "Tuz"), (0, 0), (False, False), (2.25, 2.25), ([1, 2], [1, 2]),
        (point, point),
    ]


@pytest.mark.parametrize("index", range(24))
def test_plain_gives_python_values_and_none_for_missing(index):
    value, expected = _plain_cases()[index]
    got = plain(value)
    assert got == expected and type(got) is type(expected), (value, got)


def test_plain_leaves_an_array_alone():
    import numpy as np

    array = np.array([1.0, np.nan])
    assert plain(array) is array


def test_plain_needs_no_pandas():
    code = ("import sys, math; from geo._values import plain; "
            "assert plain(float('nan')) is None and plain(2.5) == 2.5 and plain('x') == 'x'; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PROJECT_DIR)
    assert out.stdout.split() == ["False"]


# --- GeoJSON ---------------------------------------------------------------------------------

def test_geojson_round_trip(layers, tmp_path):
    result = export_layers(layers, "geojson", tmp_path / "out")
    assert [p.name for p in result.files] == ["events.geojson", "zones.geojson",
                                              "places.geojson", "mentions.geojson"]
    assert result.counts == {"events": 3, "zones": 2, "places": 2, "mentions": 3}
    for name in settings.EXPORT_LAYERS:
        read = pyogrio.read_dataframe(tmp_path / "out" / f"{name}.geojson")
        _assert_layer(name, layers[name], read)


def test_geojson_named_files(layers, tmp_path):
    export_layers(layers, "geojson", tmp_path / "kirkuk.geojson", only="events,zones")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kirkuk-events.geojson",
                                                          "kirkuk-zones.geojson"]


def _numbers(coords):
    if isinstance(coords, (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _numbers(c)


def test_geojson_is_rfc7946(layers, tmp_path):
    export_layers(layers, "geojson", tmp_path)
    for name in settings.EXPORT_LAYERS:
        text = (tmp_path / f"{name}.geojson").read_text(encoding="utf-8")
        doc = json.loads(text)
        assert doc["type"] == "FeatureCollection"
        assert "crs" not in doc and '"crs"' not in text
        for feature in doc["features"]:
            assert "crs" not in feature
            props = feature["properties"]
            assert list(props) == [c for c in LAYER_COLUMNS[name] if c != "geometry"]
            assert all(not isinstance(v, (dict, list)) for v in props.values()), "flat"
            geom = feature["geometry"]
            if geom is None:
                continue
            for number in _numbers(geom["coordinates"]):
                assert len(repr(float(number)).split(".")[1]) <= 6
            for ring_number, ring in enumerate(geom["coordinates"] if geom["type"] == "Polygon"
                                               else []):
                # right-hand rule: exterior counter-clockwise, holes clockwise
                assert LinearRing(ring).is_ccw == (ring_number == 0)
    events = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))["features"]
    kirkuk = events[0]
    assert kirkuk["geometry"]["coordinates"] == [44.39, 35.47]  # lon, lat
    assert events[1]["geometry"]["coordinates"] == [44.63256, 34.88808]
    assert events[2]["geometry"] is None  # unlocated event kept, without a geometry
    p = kirkuk["properties"]
    assert isinstance(p["geo_precision"], int) and isinstance(p["latitude"], float)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["event_date"])
    assert events[2]["properties"]["event_date"] is None
    assert events[1]["properties"]["evidence"] == TRICKY
    zones = json.loads((tmp_path / "zones.geojson").read_text(encoding="utf-8"))["features"]
    assert [z["properties"]["zone_id"] for z in zones] == ["vacuum-tuz-khurmatu",
                                                            "kirkuk-sector"]
    assert zones[0]["properties"]["approximate"] is True
    assert shape(zones[0]["geometry"]).equals(_VACUUM)  # same shape, only rewound


def test_geojson_rounds_to_six_decimals(tmp_path):
    events = _events().iloc[:1].copy()
    events["geometry"] = [Point(44.391234567891, 35.471234567891)]
    export_layers({"events": events}, "geojson", tmp_path)
    doc = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    assert doc["features"][0]["geometry"]["coordinates"] == [44.391235, 35.471235]


def test_geojson_reprojects_to_wgs84(tmp_path):
    events = _events().to_crs(settings.CRS_METRIC)  # UTM 38N metres in, lon/lat out
    export_layers({"events": events}, "geojson", tmp_path)
    doc = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))
    assert doc["features"][0]["geometry"]["coordinates"] == [44.39, 35.47]


# --- GeoPackage ------------------------------------------------------------------------------

def test_gpkg_round_trip(layers, tmp_path):
    path = tmp_path / "iraq.gpkg"
    result = export_layers(layers, "gpkg", path)
    assert result.files == [path]
    listed = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert listed == {"events": "Point", "zones": "Polygon", "places": "Point",
                      "mentions": "Point", "layer_styles": None}
    for name in settings.EXPORT_LAYERS:
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:4326"
        _assert_layer(name, layers[name], pyogrio.read_dataframe(path, layer=name))
    with sqlite3.connect(path) as con:  # a spatial index (R-tree) on every layer
        indexed = {r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name='gpkg_rtree_index'")}
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    assert indexed == set(settings.EXPORT_LAYERS)
    assert {f"rtree_{n}_geom" for n in settings.EXPORT_LAYERS} <= tables


def test_gpkg_readable_by_ogrinfo(layers, tmp_path):
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo (Debian's gdal-bin) is not installed")
    path = tmp_path / "iraq.gpkg"
    export_layers(layers, "gpkg", path)
    out = subprocess.run([ogrinfo, "-ro", "-so", str(path)], capture_output=True, text=True,
                         check=True)
    assert "Warning" not in out.stderr and "ERROR" not in out.stderr, out.stderr
    for name, kind in (("events", "Point"), ("zones", "Polygon"), ("places", "Point"),
                       ("mentions", "Point")):
        assert f": {name} ({kind})" in out.stdout
    out = subprocess.run([ogrinfo, "-ro", "-so", str(path), "events"],
                         capture_output=True, text=True, check=True)
    fields = dict(re.findall(r"^(\w+): (\w+) \(", out.stdout, re.MULTILINE))
    assert fields["published"] == fields["event_date"] == "Date"  # no cast needed in QGIS
    assert fields["event_id"] == "String" and fields["geo_precision"] == "Integer64"
    out = subprocess.run([ogrinfo, "-ro", "-al", "-q", str(path), "events"],
                         capture_output=True, text=True, check=True)
    assert "event_id (String) = r1-1" in out.stdout
    assert "event_date (Date) = 2024/03/01" in out.stdout  # ogrinfo's way of printing a date
    assert "event_date (Date) = (null)" in out.stdout  # the undated event: NULL, not ""
    assert "POINT (44.39 35.47)" in out.stdout
    assert f"evidence (String) = {TRICKY}" in out.stdout
    out = subprocess.run([ogrinfo, "-ro", "-q", "-sql",
                          "SELECT f_table_name, f_geometry_column FROM layer_styles", str(path)],
                         capture_output=True, text=True, check=True)
    for name in settings.EXPORT_LAYERS:
        assert f"f_table_name (String) = {name}" in out.stdout


def _qml_categories(qml: str) -> tuple[str, dict[str, ET.Element]]:
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    symbols = {s.get("name"): s for s in renderer.find("symbols")}
    cats = {c.get("value"): symbols[c.get("symbol")] for c in renderer.find("categories")}
    return renderer.get("attr"), cats


def _symbol_option(symbol: ET.Element, key: str) -> str:
    layer = symbol.find("layer")
    value = layer.find(f"Option/Option[@name='{key}']").get("value")
    assert layer.find(f"prop[@k='{key}']").get("v") == value  # old and new QGIS agree
    return value


def test_gpkg_layer_styles_for_qgis(layers, tmp_path):
    path = tmp_path / "iraq.gpkg"
    export_layers(layers, "gpkg", path)
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("SELECT * FROM layer_styles ORDER BY id")]
        geometry_columns = dict(con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        registered = tuple(con.execute("SELECT data_type FROM gpkg_contents "
                                       "WHERE table_name='layer_styles'").fetchone())
    con.close()
    assert registered == ("attributes",)
    assert list(rows[0]) == ["id", "f_table_catalog", "f_table_schema", "f_table_name",
                             "f_geometry_column", "styleName", "styleQML", "styleSLD",
                             "useAsDefault", "description", "owner", "ui", "update_time"]
    assert [r["f_table_name"] for r in rows] == list(settings.EXPORT_LAYERS)
    for row in rows:
        assert row["f_table_schema"] == "" and row["f_table_catalog"] == ""
        assert row["f_geometry_column"] == geometry_columns[row["f_table_name"]] == "geom"
        assert row["useAsDefault"] == 1
        assert row["update_time"].startswith("2024-03-04")  # latest event date: same every run
        root = ET.fromstring(row["styleQML"])
        assert root.tag == "qgis" and root.find("renderer-v2") is not None
    qml = {r["f_table_name"]: r["styleQML"] for r in rows}
    attr, cats = _qml_categories(qml["events"])
    assert attr == "event_type" and attr in EVENT_COLUMNS
    assert set(cats) == set(styles()["event_types"])
    for event_type, colour in styles()["event_types"].items():
        assert _symbol_option(cats[event_type], "color") == \
            ",".join(map(str, hex_rgb(colour))) + ",255"
    attr, cats = _qml_categories(qml["zones"])
    assert attr == "kind" and attr in ZONE_COLUMNS
    assert set(cats) == set(styles()["zone_kinds"]) == set(settings.ZONE_KINDS)
    alpha = round(styles()["zone_opacity"] * 255)
    for kind, colour in styles()["zone_kinds"].items():
        rgb = ",".join(map(str, hex_rgb(colour)))
        assert cats[kind].get("type") == "fill"
        assert _symbol_option(cats[kind], "color") == f"{rgb},{alpha}"
        assert _symbol_option(cats[kind], "outline_color") == f"{rgb},255"
    assert qml["zones"].find("<layerGeometryType>2</layerGeometryType>") > 0


def test_gpkg_dates_are_date_fields(layers, tmp_path):
    path = tmp_path / "iraq.gpkg"
    export_layers(layers, "gpkg", path)
    info = pyogrio.read_info(path, layer="events")
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["published"] == types["event_date"] == "datetime64[D]"  # OGR Date fields
    assert types["event_id"] == "object" and types["geo_precision"] == "int64"
    assert types["latitude"] == "float64"
    zone_types = dict(zip(*(pyogrio.read_info(path, layer="zones")[k]
                            for k in ("fields", "dtypes"))))
    assert zone_types["approximate"] == "bool" and zone_types["area_km2"] == "float64"
    with sqlite3.connect(path) as con:
        declared = {r[1]: r[2] for r in con.execute("PRAGMA table_info(events)")}
        stored = con.execute("SELECT published, event_date FROM events ORDER BY fid").fetchall()
    con.close()
    assert declared["published"] == declared["event_date"] == "DATE"  # GeoPackage's DATE
    assert stored == [("2024-03-02", "2024-03-01"), ("2024-03-02", "2024-03-04"),
                      ("2024-02-20", None)]  # ISO text as GeoPackage stores a DATE; NULL
    read = pyogrio.read_dataframe(path, layer="events")
    assert read["event_date"].dtype.kind == "M"  # read back as dates, not text
    assert list(read["event_date"].isna()) == [False, False, True]
    # GeoJSON (RFC 7946 has no date type) and CSV keep ISO 8601 text
    export_layers(layers, "geojson", tmp_path / "gj")
    features = json.loads((tmp_path / "gj" / "events.geojson").read_text("utf-8"))["features"]
    assert [f["properties"]["event_date"] for f in features] == ["2024-03-01", "2024-03-04",
                                                                   None]
    assert [f["properties"]["published"] for f in features] == ["2024-03-02", "2024-03-02",
                                                                  "2024-02-20"]
    export_layers(layers, "csv", tmp_path / "events.csv")
    with open(tmp_path / "events.csv", encoding="utf-8", newline="") as fh:
        assert [r["event_date"] for r in csv.DictReader(fh)] == ["2024-03-01", "2024-03-04", ""]


def test_gpkg_date_that_is_not_a_date(layers, tmp_path):
    events = layers["events"].copy()
    events.loc[0, "published"] = ""  # empty: NULL, as a missing date
    export_layers({"events": events}, "gpkg", tmp_path / "ok.gpkg")
    with sqlite3.connect(tmp_path / "ok.gpkg") as con:
        assert con.execute("SELECT published FROM events WHERE fid=1").fetchone() == (None,)
    con.close()
    events.loc[1, "published"] = "2 March 2024"
    with pytest.raises(ExportError, match=re.escape(
            "events row 2: published '2 March 2024' is not a date (YYYY-MM-DD)")):
        export_layers({"events": events}, "gpkg", tmp_path / "bad.gpkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.gpkg"]


def test_gpkg_events_style_sets_up_qgis_temporal_controller(layers, tmp_path):
    path = tmp_path / "iraq.gpkg"
    export_layers(layers, "gpkg", path)
    with sqlite3.connect(path) as con:
        qml = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    con.close()
    root = ET.fromstring(qml["events"])
    # QGIS applies only the style categories a QML names (QgsMapLayer::importNamedStyle)
    assert root.get("styleCategories").split("|") == ["Symbology", "Temporal"]
    temporal = root.find("temporal")  # as QgsVectorLayerTemporalProperties::readXml reads it
    assert temporal is not None
    assert {k: temporal.get(k) for k in ("enabled", "mode", "startField", "endField",
                                         "fixedDuration", "accumulate")} == {
        "enabled": "1", "mode": "1",  # mode 1: a date/time instant from one field
        "startField": "event_date", "endField": "", "fixedDuration": "0", "accumulate": "0"}
    assert temporal.get("startField") in export_mod.GPKG_DATE_COLUMNS["events"]
    assert temporal.find("fixedRange/start") is not None
    assert root.find("renderer-v2").get("attr") == "event_type"  # the symbology is still there
    for name in ("zones", "places", "mentions"):
        other = ET.fromstring(qml[name])
        assert other.find("temporal") is None and other.get("styleCategories") == "Symbology"


def test_gpkg_multipolygon_zones(tmp_path):
    from shapely.geometry import MultiPolygon

    zones = _zones()
    zones.loc[1, "geometry"] = MultiPolygon([_KIRKUK_SECTOR, Polygon(
        [(45.0, 35.0), (45.1, 35.0), (45.1, 35.1), (45.0, 35.0)])])
    path = tmp_path / "z.gpkg"
    export_layers({"zones": zones}, "gpkg", path)
    assert dict(pyogrio.list_layers(path))["zones"] == "MultiPolygon"
    read = pyogrio.read_dataframe(path, layer="zones")
    assert read.geometry.iloc[0].equals(_VACUUM)


# --- KML -------------------------------------------------------------------------------------

def test_kml_round_trip(layers, tmp_path):
    path = tmp_path / "iraq.kml"
    export_layers(layers, "kml", path)
    assert [n for n, _ in pyogrio.list_layers(path)] == list(settings.EXPORT_LAYERS)
    for name in settings.EXPORT_LAYERS:
        read = pyogrio.read_dataframe(path, layer=name)
        _assert_layer(name, layers[name], read, as_text=True, rename=data_name)
    events = pyogrio.read_dataframe(path, layer="events")
    assert list(events["Name"]) == ["Armed clash, Kirkuk, 2024-03-01",
                                    "Remote explosive/landmine/IED, Tuz Khurmatu, 2024-03-04",
                                    "Agreement, place unknown, date unknown"]
    # the popup: HTML whose values are escaped, so report text cannot inject markup
    assert "<b>Remote explosive/landmine/IED, Tuz Khurmatu, 2024-03-04</b>" in \
        events["description"][1]
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in events["description"][1]
    # an http(s) URL is a link, its `&` escaped in both the attribute and the text
    assert ('URL: <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>'
            in events["description"][1])
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert list(zones["Name"]) == ["Security vacuum Tuz Khurmatu", "Kirkuk sector"]


def test_kml_generic_sub_event_type_names_the_event_type(tmp_path):
    events = _events().iloc[:2].copy()
    events.loc[0, ["event_type", "sub_event_type", "location", "event_date"]] = [
        "Strategic developments", "Other", "Second Qaratapa-Hamrin Sector", "2023-10-04"]
    path = tmp_path / "a.kml"
    export_layers({"events": events}, "kml", path)
    read = pyogrio.read_dataframe(path, layer="events")
    assert list(read["Name"]) == [
        "Strategic developments, Second Qaratapa-Hamrin Sector, 2023-10-04",
        "Remote explosive/landmine/IED, Tuz Khurmatu, 2024-03-04"]  # specific: kept
    assert read["description"][0].startswith(
        "<b>Strategic developments, Second Qaratapa-Hamrin Sector, 2023-10-04</b>")
    assert "Event: Strategic developments: Other" in read["description"][0]
    assert read["sub_event_type"][0] == "Other"  # the attribute itself is as it was
    assert export_mod._event_label({"event_type": "Strategic developments",
                                    "sub_event_type": "other"}).startswith(
        "Strategic developments, ")


def test_kml_document_structure(layers, tmp_path):
    path = tmp_path / "iraq.kml"
    export_layers(layers, "kml", path)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    doc = ET.parse(path).getroot().find("k:Document", ns)
    folders = doc.findall("k:Folder", ns)
    assert [f.find("k:name", ns).text for f in folders] == list(settings.EXPORT_LAYERS)
    styles_by_id = {s.get("id"): s for s in doc.findall("k:Style", ns)}
    zones = folders[1].findall("k:Placemark", ns)
    url = zones[0].find("k:styleUrl", ns).text
    assert url == "#zone-security-vacuum"
    colour = styles()["zone_kinds"]["security_vacuum"]  # #ff7f0e -> aabbggrr
    style = styles_by_id[url[1:]]
    assert style.find("k:PolyStyle/k:color", ns).text == "400e7fff" == kml_colour(colour, 0.25)
    assert style.find("k:LineStyle/k:color", ns).text == "ff0e7fff"
    outer = zones[0].find("k:Polygon/k:outerBoundaryIs/k:LinearRing/k:coordinates", ns).text
    assert outer.split()[0] == "44.55,34.8"  # lon,lat
    events = folders[0].findall("k:Placemark", ns)
    assert events[0].find("k:Point/k:coordinates", ns).text == "44.39,35.47"
    assert events[0].find("k:styleUrl", ns).text == "#event-battles"
    battles = styles_by_id["event-battles"].find("k:IconStyle/k:color", ns).text
    assert battles == kml_colour(styles()["event_types"]["Battles"]) == "ff2827d6"
    assert events[2].find("k:Point", ns) is None  # unlocated: listed, not drawn


# --- CSV -------------------------------------------------------------------------------------

def test_csv_round_trip_with_acled_columns(layers, tmp_path):
    path = tmp_path / "events.csv"
    result = export_layers(layers, "csv", path)
    assert result.counts == {"events": 3}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header[:len(ACLED_CSV_COLUMNS)] == [
        "event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin2",
        "location", "latitude", "longitude", "geo_precision", "source", "notes"]
    assert {"event_id", "report_id", "where_prec", "zones", "evidence"} <= set(header)
    source = normalize_layer("events", layers["events"])
    for i, row in enumerate(rows):
        for col in header:
            assert _same(source[col][i], row[col], as_text=True), (i, col)
    assert (rows[0]["longitude"], rows[0]["latitude"]) == ("44.39", "35.47")
    assert rows[1]["notes"] == TRICKY
    read = pyogrio.read_dataframe(path)  # GDAL reads it too
    assert list(read["event_id"]) == ["r1-1", "r2-1", "r3-1"]


# --- every format ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_same_bytes_every_run(layers, tmp_path, fmt):
    suffix = {"geojson": "", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv"}[fmt]
    # Same file name in two folders: the GeoPackage's QGIS project names its own file.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = export_layers(layers, fmt, tmp_path / "a" / f"first{suffix}").files
    again = export_layers({k: v.copy() for k, v in layers.items()}, fmt,
                          tmp_path / "b" / f"first{suffix}").files
    assert len(first) == len(again) >= 1
    for a, b in zip(first, again):
        assert a.read_bytes() == b.read_bytes(), a.name
    overwritten = export_layers(layers, fmt, tmp_path / "a" / f"first{suffix}").files
    assert [p.read_bytes() for p in overwritten] == [p.read_bytes() for p in again]


def test_export_dispatches_on_what_it_is_given(layers, tmp_path):
    assert export(layers, "csv", tmp_path / "a.csv").files == [tmp_path / "a.csv"]
    out = export(layers, "gpkg", tmp_path, layers=["zones"])
    assert out.files == [tmp_path / "geo-export.gpkg"] and out.counts == {"zones": 2}


def test_places_layer_counts_reports():
    class Gaz:
        def get(self, place_id):
            if place_id == "tuz-khurmatu":
                @dataclass
                class P:
                    id: str = "tuz-khurmatu"
                    name: str = "Tuz Khurmatu"
                    type: str = "town"
                    lat: float = TUZ[1]
                    lon: float = TUZ[0]
                    governorate: str = "Salahaddin"
                    district: str = "Tuz Khurmatu"
                return P()
            raise KeyError(place_id)

    places = places_layer(_mentions(), Gaz())
    assert list(places.columns) == PLACE_COLUMNS
    assert list(places["place_id"]) == ["kirkuk-governorate", "tuz-khurmatu"]
    assert list(places["reports"]) == [1, 2]  # Tuz is named by r1 and r2
    assert places.loc[1, "district"] == "Tuz Khurmatu"
    # a place the gazetteer does not know keeps the name and point of its mention
    assert places.loc[0, "name"] == "Kirkuk" and places.geometry[0].equals(Point(*KIRKUK))


def test_build_layers_fills_zones():
    pytest.importorskip("geo.zones")

    @dataclass
    class Result:
        events: object
        mentions: object

    built = build_layers(Result(_events(), _mentions()), _zones())
    assert list(built) == list(settings.EXPORT_LAYERS)
    assert list(built["zones"]["zone_id"]) == ["kirkuk-sector", "vacuum-tuz-khurmatu"]
    assert list(built["events"]["zones"]) == ["Kirkuk sector", "", ""]  # Tuz is in the hole
    assert list(built["places"]["reports"]) == [1, 2]
    for name, frame in built.items():
        assert list(frame.columns) == LAYER_COLUMNS[name]
        assert frame.crs == "EPSG:4326"


# --- checks before any work ------------------------------------------------------------------

@pytest.mark.parametrize("fmt, target, layer_names, message", [
    ("shp", "out.shp", None, "unknown export format 'shp': choose one of geojson, gpkg"),
    ("gpkg", "out.gpkg", "events,roads", "unknown layer 'roads': choose from events, zones"),
    ("geojson", "out", ["events", "zone"], "unknown layer 'zone'"),
    ("gpkg", "out.gpkg", " , ", "no layer to export"),
    ("csv", "out.csv", "events,zones", "csv holds only the events layer, not zones"),
    ("gpkg", "missing/out.gpkg", None, "folder {tmp}/missing does not exist"),
    ("kml", "file.txt/out.kml", None, "{tmp}/file.txt is not a folder"),
    ("geojson", "missing/deeper/out", None, "folder {tmp}/missing/deeper does not exist"),
    ("gpkg", "out.geojson", None, "the file name must end in .gpkg"),
    ("geojson", "out.gpkg", None, "give a folder or a NAME.geojson path"),
    ("geojson", "file.txt", None, "give a folder or a NAME.geojson path"),
])
def test_bad_requests_fail_before_any_work(layers, tmp_path, monkeypatch, fmt, target,
                                          layer_names, message):
    (tmp_path / "file.txt").write_text("not a folder")
    before = sorted(tmp_path.rglob("*"))

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the request was checked")

    monkeypatch.setattr(export_mod, "normalize_layer", no_work)
    monkeypatch.setattr(export_mod, "build_layers", no_work)
    try:
        import geo.events
    except ImportError:
        pass
    else:
        monkeypatch.setattr(geo.events, "events_from_inputs", no_work)
    expected = message.format(tmp=tmp_path)
    with pytest.raises(ExportError, match=re.escape(expected)):
        export_layers(layers, fmt, tmp_path / target, only=layer_names)
    with pytest.raises(ExportError, match=re.escape(expected)):
        export_inputs([str(SEEDS)], fmt, tmp_path / target, layer_names)
    assert sorted(tmp_path.rglob("*")) == before


def test_unwritable_folder_fails_before_any_work(layers, tmp_path, monkeypatch):
    class ReadOnlyOs:  # the probe's os.open fails as on a read-only folder (even for root)
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def open(path, *args, **kwargs):
            raise PermissionError(13, "Permission denied", str(path))

    import geo._atomic  # the folder check (shared with geo events and geo zones) lives there

    monkeypatch.setattr(geo._atomic, "os", ReadOnlyOs())
    monkeypatch.setattr(export_mod, "normalize_layer", lambda *a: pytest.fail("work started"))
    with pytest.raises(ExportError) as caught:
        export_layers(layers, "gpkg", tmp_path / "out.gpkg")
    assert str(caught.value) == f"cannot write in {tmp_path}: Permission denied"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_read_only_folder(layers, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match=f"^cannot write in {re.escape(str(folder))}: "
                                              "Permission denied$"):
            export_layers(layers, "kml", folder / "out.kml")
    finally:
        folder.chmod(0o700)


def test_cli_unwritable_location_is_one_clear_line():
    from click.testing import CliRunner

    from geo.cli import main

    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("no /proc here")
    probe = proc / f".geo-test-{os.getpid()}"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        reason = exc.strerror
    else:
        probe.unlink()
        pytest.skip("files can be created in /proc here")
    result = CliRunner().invoke(main, ["export", str(SEEDS), "-f", "gpkg", "-o", "/proc/x.gpkg"])
    assert result.exit_code == 2
    assert result.output == f"geo: error: cannot write in /proc: {reason}\n"  # one line
    assert "not writable" not in result.output


def test_layer_not_given(layers, tmp_path):
    with pytest.raises(ExportError, match="layer 'places' was asked for but not given"):
        export_layers({"events": layers["events"]}, "kml", tmp_path / "a.kml", only="places")
    with pytest.raises(ExportError, match="unknown layer 'roads'"):
        export_layers({"roads": layers["events"]}, "kml", tmp_path / "a.kml")


# --- atomic writes ---------------------------------------------------------------------------

class Boom(RuntimeError):
    pass


def _fail_gpkg_half_way(monkeypatch, error=Boom("disk full")):
    import pyogrio.raw

    real = pyogrio.raw.write  # the layers' writer (layer_styles goes through write_dataframe)
    calls = []

    def flaky(path, *args, **kwargs):
        calls.append(kwargs.get("layer"))
        if len(calls) == 3:  # events and zones are in the temporary file by now
            assert calls == ["events", "zones", "places"]
            assert Path(path).exists() and Path(path).stat().st_size > 0
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pyogrio.raw, "write", flaky)


def _fail_text_half_way(monkeypatch, error=lambda: Boom("disk full"), suffixes=(".kml", ".csv")):
    """The text writer fails half-way through the second GeoJSON file, or a KML/CSV file."""
    real = export_mod._write_text
    calls = []

    def flaky(path, text):
        calls.append(path)
        if len(calls) == 2 or path.suffix in suffixes:
            Path(path).write_text(text[: len(text) // 2], encoding="utf-8")
            raise error()
        return real(path, text)

    monkeypatch.setattr(export_mod, "_write_text", flaky)


def _fail_kml_half_way(monkeypatch, error=lambda: Boom("disk full")):
    """The KML writer's file takes half of what it is given, then fails."""
    monkeypatch.setattr(export_mod, "open", half_full_open(error, only_mode="x"), raising=False)


def _rewrite_fails(layers, tmp_path, fmt, target, break_it, error, changed=True):
    """Export once, then again (with one event less, when `changed`) after `break_it` sets
    a failure up; the second export must raise `error`, leave the first export's files as they
    were and leave no other file. Returns the raised exception."""
    path = tmp_path / target
    first = export_layers(layers, fmt, path).files
    before = {p: p.read_bytes() for p in first}
    listing = sorted(tmp_path.rglob("*"))
    again = dict(layers)
    if changed:
        again["events"] = layers["events"].iloc[:1]
    break_it()
    with pytest.raises(error) as caught:
        export_layers(again, fmt, path)
    assert {p: p.read_bytes() for p in first} == before  # earlier files intact
    assert sorted(tmp_path.rglob("*")) == listing  # and no temporary or half-written file
    return caught.value


@pytest.mark.parametrize("fmt, target, fail", [
    ("gpkg", "iraq.gpkg", _fail_gpkg_half_way),
    ("geojson", "out", _fail_text_half_way),
    ("csv", "events.csv", _fail_text_half_way),
    ("kml", "iraq.kml", _fail_kml_half_way),
])
def test_failed_write_keeps_the_earlier_file(layers, tmp_path, monkeypatch, fmt, target, fail):
    _rewrite_fails(layers, tmp_path, fmt, target, lambda: fail(monkeypatch), Boom)


@pytest.mark.parametrize("fmt, target, fail", [
    ("gpkg", "iraq.gpkg", _fail_gpkg_half_way),
    ("geojson", "new-folder", _fail_text_half_way),
    ("kml", "iraq.kml", _fail_kml_half_way),
])
def test_failed_first_write_leaves_nothing(layers, tmp_path, monkeypatch, fmt, target, fail):
    fail(monkeypatch)
    with pytest.raises(Boom):
        export_layers(layers, fmt, tmp_path / target)
    assert list(tmp_path.iterdir()) == []


# --- atomic_files' discard() ------------------------------------------------------------------

def test_discard_leaves_a_new_target_uncreated(tmp_path):
    from geo._atomic import atomic_files

    target = tmp_path / "events.geojson"
    with atomic_files([target]) as temps:
        (tmp,) = temps  # still the list of temporary paths
        tmp.write_text("half of it", encoding="utf-8")
        temps.discard()
    assert temps.discarded
    assert list(tmp_path.iterdir()) == []  # no target, no temporary file, no exception


def test_discard_leaves_an_existing_target_untouched(tmp_path):
    from geo._atomic import atomic_files

    targets = [tmp_path / "a.geojson", tmp_path / "b.gpkg"]
    for t in targets:
        t.write_bytes(b"earlier " + t.name.encode())
    stat = [t.stat() for t in targets]
    with atomic_files(targets) as temps:
        temps[0].write_text("new", encoding="utf-8")  # one written, one not: both dropped
        Path(f"{temps[1]}-journal").write_bytes(b"side file")
        temps.discard()
    assert [t.read_bytes() for t in targets] == [b"earlier a.geojson", b"earlier b.gpkg"]
    assert [(s.st_ino, s.st_mtime_ns) for s in stat] == [
        (t.stat().st_ino, t.stat().st_mtime_ns) for t in targets]  # not even replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.geojson", "b.gpkg"]


def test_an_error_after_discard_still_propagates(tmp_path):
    from geo._atomic import atomic_files

    with pytest.raises(Boom):
        with atomic_files([tmp_path / "x.csv"]) as temps:
            temps[0].write_text("x", encoding="utf-8")
            temps.discard()
            raise Boom("after discard")
    assert list(tmp_path.iterdir()) == []


def test_without_discard_the_target_is_written(tmp_path):
    from geo._atomic import atomic_files

    target = tmp_path / "x.csv"
    with atomic_files([target]) as temps:
        temps[0].write_text("x", encoding="utf-8")
    assert not temps.discarded
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"] and target.read_text() == "x"


_ENOSPC = os.strerror(errno.ENOSPC)  # "No space left on device"


def _disk_full_text(monkeypatch):
    """As on a full disk, whose write() names no file: the second GeoJSON file or the CSV."""
    _fail_text_half_way(monkeypatch, lambda: OSError(errno.ENOSPC, _ENOSPC), suffixes=(".csv",))


def _disk_full_kml(monkeypatch):
    _fail_kml_half_way(monkeypatch, lambda: OSError(errno.ENOSPC, _ENOSPC))


def _disk_full_gpkg(monkeypatch):
    _fail_gpkg_half_way(monkeypatch, OSError(errno.ENOSPC, _ENOSPC))


def _gdal_fails_gpkg(monkeypatch):  # GDAL reports SQLite's error as a pyogrio error
    from pyogrio.errors import DataSourceError

    _fail_gpkg_half_way(monkeypatch, DataSourceError(
        "sqlite3_exec(CREATE TABLE places) failed: database or disk is full"))


def _rename_refused(monkeypatch):
    import geo._atomic

    class NoReplaceOs:  # os.replace of the temporary file over the target is refused
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def replace(src, dst):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src), None,
                                  str(dst))

    monkeypatch.setattr(geo._atomic, "os", NoReplaceOs())


@pytest.mark.parametrize("fmt, target, fail, named, reason", [
    ("geojson", "out", _disk_full_text, "out/zones.geojson", _ENOSPC),
    ("csv", "events.csv", _disk_full_text, "events.csv", _ENOSPC),
    ("kml", "iraq.kml", _disk_full_kml, "iraq.kml", _ENOSPC),
    ("gpkg", "iraq.gpkg", _disk_full_gpkg, "iraq.gpkg", _ENOSPC),
    ("gpkg", "iraq.gpkg", _gdal_fails_gpkg, "iraq.gpkg",
     "sqlite3_exec(CREATE TABLE places) failed: database or disk is full"),
])
def test_write_error_is_an_export_error_naming_the_file(layers, tmp_path, monkeypatch, fmt,
                                                       target, fail, named, reason):
    caught = _rewrite_fails(layers, tmp_path, fmt, target, lambda: fail(monkeypatch), ExportError)
    assert str(caught) == f"cannot write {tmp_path / named}: {reason}"  # one line


@pytest.mark.parametrize("fmt, target, named", [("kml", "iraq.kml", "iraq.kml"),
                                                 ("gpkg", "iraq.gpkg", "iraq.gpkg"),
                                                 ("geojson", "out", "out/events.geojson")])
def test_refused_rename_is_an_export_error_naming_the_file(layers, tmp_path, monkeypatch, fmt,
                                                          target, named):
    message = str(_rewrite_fails(layers, tmp_path, fmt, target, lambda: _rename_refused(monkeypatch),
                                 ExportError, changed=False))
    assert str(tmp_path / named) in message and os.strerror(errno.EACCES) in message
    assert "\n" not in message


@pytest.mark.parametrize("fmt, name", [("csv", "events.csv"), ("gpkg", "seeds.gpkg")])
def test_cli_write_error_on_a_full_disk_is_one_line(tmp_path, monkeypatch, fmt, name):
    """A full disk under a text export, and under a GeoPackage whose GDAL error would be
    SQLite's "no such table": one line with the system's reason, nothing left behind."""
    pytest.importorskip("geo.events")
    from click.testing import CliRunner

    from geo.cli import main

    if fmt == "csv":
        _disk_full_text(monkeypatch)
    else:
        _gdal_wrote_nothing(monkeypatch)
        _disk_full_probe(monkeypatch)
    out = tmp_path / name
    result = CliRunner().invoke(main, ["export", str(SEEDS), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"geo: error: cannot write {out}: {_ENOSPC}"
    assert "Traceback" not in result.output and "no such table" not in result.output
    assert list(tmp_path.iterdir()) == []


# --- a full disk under a GeoPackage ---------------------------------------------------------

def _disk_full_probe(monkeypatch):
    """The folder's file system is full: geo._atomic's test write gets ENOSPC, as every write
    would (GDAL's own writes are made to fail by the caller)."""
    import geo._atomic

    class FullOs:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def write(fd, data):
            raise OSError(errno.ENOSPC, _ENOSPC)

    monkeypatch.setattr(geo._atomic, "os", FullOs())


def _gdal_lost_the_tables(monkeypatch):
    """What GDAL says when the disk filled while it created the GeoPackage's own tables: the
    creation is not reported, the next statement fails on the table that is missing."""
    from pyogrio.errors import FeatureError

    _fail_gpkg_half_way(monkeypatch, FeatureError(
        "Could not add feature to layer at index 0: sqlite3_exec(INSERT INTO gpkg_contents "
        "(table_name,data_type,identifier,description,last_change,srs_id) VALUES "
        "('places','features','places','','2024-03-02T00:00:00.000Z',4326)) failed: no such "
        "table: gpkg_contents"))


def _gdal_wrote_nothing(monkeypatch):
    """GDAL's writes all lost without a word: SQLite then finds no gpkg_geometry_columns."""
    import pyogrio.raw

    monkeypatch.setattr(pyogrio.raw, "write", lambda path, *args, **kwargs: None)


def _gdal_commit_failed(monkeypatch):
    from pyogrio.errors import DataSourceError

    _fail_gpkg_half_way(monkeypatch, DataSourceError("Failed to commit transaction"))


@pytest.mark.parametrize("gdal_fails", [_gdal_lost_the_tables, _gdal_wrote_nothing,
                                        _gdal_commit_failed])
def test_gpkg_on_a_full_disk_says_the_disk_is_full(layers, tmp_path, monkeypatch, gdal_fails):
    """GDAL and SQLite put a full disk in their own words ("no such table: gpkg_contents"):
    the error gives the system's, names the file, and the earlier file stays as it was."""
    def break_it():
        gdal_fails(monkeypatch)
        _disk_full_probe(monkeypatch)

    caught = _rewrite_fails(layers, tmp_path, "gpkg", "iraq.gpkg", break_it, ExportError)
    assert str(caught) == f"cannot write {tmp_path / 'iraq.gpkg'}: No space left on device"


def test_disk_error_asks_the_file_system(tmp_path, monkeypatch):
    from geo._atomic import disk_error

    assert disk_error(tmp_path) is None  # a disk with room: nothing to say, no file left
    assert list(tmp_path.iterdir()) == []
    _disk_full_probe(monkeypatch)
    refused = disk_error(tmp_path)
    assert isinstance(refused, OSError) and refused.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []  # the probe is removed even so
    assert disk_error(tmp_path / "gone").errno == errno.ENOENT


_SIZE_LIMITED_EXPORT = """
import pickle, resource, signal, sys
from geo.export import export_layers
from geo._errors import ExportError
layers = pickle.load(open(sys.argv[1], "rb"))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))
try:
    export_layers(layers, "gpkg", sys.argv[2])
except ExportError as exc:
    print(exc)
else:
    print("written")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as on Linux")
@pytest.mark.parametrize("limit", [4096, 20000])
def test_gpkg_that_the_system_cuts_short_gives_the_systems_reason(layers, tmp_path, limit):
    """A real GDAL failure, no root needed: the export runs with a file size limit, so its
    writes fail as on a full disk (with EFBIG, "File too large", where a disk says ENOSPC).
    The message is the system's reason, not GDAL's or SQLite's, and no file is left."""
    import pickle

    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "layers.pickle").write_bytes(pickle.dumps(layers))
    run = subprocess.run([sys.executable, "-c", _SIZE_LIMITED_EXPORT,
                          str(tmp_path / "layers.pickle"), str(out / "iraq.gpkg"), str(limit)],
                         capture_output=True, text=True, cwd=PROJECT_DIR, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"cannot write {out / 'iraq.gpkg'}: {os.strerror(errno.EFBIG)}\n"
    assert list(out.iterdir()) == []


# --- end to end on the seed reports ------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_layers():
    try:
        from geo.events import events_from_inputs
    except ImportError as exc:
        pytest.skip(f"geo.events is not importable yet: {exc}")
    from geo.zones import load_zones

    return build_layers(events_from_inputs([str(SEEDS)]), load_zones())


@pytest.mark.parametrize("fmt", FORMATS)
def test_seed_reports_end_to_end(seed_layers, tmp_path, fmt):
    suffix = {"geojson": "", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv"}[fmt]
    result = export_inputs([str(SEEDS)], fmt, tmp_path / f"seeds{suffix}")
    assert result.failures == []
    assert result.counts["events"] == len(seed_layers["events"]) > 0
    if fmt == "gpkg":
        path = result.files[0]
        for name in settings.EXPORT_LAYERS:
            _assert_layer(name, seed_layers[name], pyogrio.read_dataframe(path, layer=name))
        assert len(seed_layers["places"]) > 0
        assert (seed_layers["places"]["reports"] >= 1).all()
    elif fmt == "geojson":
        for path, name in zip(result.files, settings.EXPORT_LAYERS):
            _assert_layer(name, seed_layers[name], pyogrio.read_dataframe(path))


def test_cli_export(seed_layers, tmp_path):
    from click.testing import CliRunner

    from geo.cli import main

    runner = CliRunner()
    out = tmp_path / "seeds.gpkg"
    result = runner.invoke(main, ["export", str(SEEDS), "--format", "gpkg", "-o", str(out),
                                  "--layers", "events,zones"])
    assert result.exit_code == 0, result.output
    assert [n for n, _ in pyogrio.list_layers(out)] == ["events", "zones", "layer_styles"]
    result = runner.invoke(main, ["export", str(SEEDS), "--format", "gpkg", "-o",
                                  str(tmp_path / "x.gpkg"), "--layers", "roads"])
    assert result.exit_code == 2
    assert "unknown layer 'roads'" in result.output
    result = runner.invoke(main, ["export", str(SEEDS), "--format", "shp", "-o",
                                  str(tmp_path / "x.shp")])
    assert result.exit_code == 2 and "shp" in result.output


def test_no_readable_report_keeps_the_earlier_file(layers, tmp_path):
    pytest.importorskip("geo.events")
    path = tmp_path / "iraq.kml"
    export_layers(layers, "kml", path)
    before = path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ExportError, match="no report could be read from .*bad.json"):
        export_inputs([bad], "kml", path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ExportError, match="no report found in .*empty"):
        export_inputs([empty], "kml", path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "empty", "iraq.kml"]


def test_import_is_light():
    code = ("import sys, geo.export, geo._kml, geo._qgis_style, geo._atomic; "
            "print('geopandas' in sys.modules, 'pyogrio' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True, cwd=PROJECT_DIR)
    assert out.stdout.split() == ["False", "False"]


_QGIS_CHECK = """
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import Qgis, QgsApplication, QgsProject, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()

def temporal(layer):
    t = layer.temporalProperties()
    mode = t.mode()
    return [t.isActive(), int(getattr(mode, "value", mode)), t.startField(), t.accumulateFeatures()]

def seen(layer):
    renderer = layer.renderer()
    return {"valid": layer.isValid(), "count": layer.featureCount(), "renderer": renderer.type(),
            "attr": renderer.classAttribute() if renderer.type() == "categorizedSymbol" else None,
            "colours": {c.value(): [c.symbol().color().name(), c.symbol().color().alpha()]
                        for c in getattr(renderer, "categories", lambda: [])()},
            "temporal": temporal(layer), "source": layer.source()}

out = {"version": Qgis.QGIS_VERSION, "opened": {}, "project": {}}
for name in sys.argv[2:]:  # each layer opened on its own, as dragging it into QGIS does
    layer = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
    out["opened"][name] = seen(layer)
    if name == "events":
        out["date_type"] = layer.fields().field("event_date").typeName()
        layer.loadDefaultStyle()  # Style > Load Default Style: the stored QML, read again
        out["reloaded"] = temporal(layer)
project = QgsProject.instance()
out["read"] = project.read("geopackage:" + sys.argv[1] + "?projectName=geo-export")
for layer in project.mapLayers().values():
    out["project"][layer.name()] = seen(layer)
span = project.timeSettings().temporalRange()
out["range"] = [span.begin().toString("yyyy-MM-dd"), span.end().toString("yyyy-MM-dd")]
print(json.dumps(out), flush=True)
os._exit(0)  # skip QGIS's teardown, which may crash in a headless session
"""




def test_qgis_opens_the_geopackage_styled(layers, tmp_path):
    """QGIS itself (Debian's python3-qgis, 3.22; tests/setup-and-run.sh installs it) opens each
    layer styled, and the project stored in the GeoPackage with the events' temporal settings
    on, after the file was moved (its layers point beside the GeoPackage)."""
    python = require_qgis()
    made = tmp_path / "made"
    made.mkdir()
    export_layers(layers, "gpkg", made / "iraq.gpkg")
    moved = tmp_path / "moved"
    moved.mkdir()
    path = moved / "iraq.gpkg"
    shutil.move(made / "iraq.gpkg", path)
    out = subprocess.run([python, "-c", _QGIS_CHECK, str(path), *settings.EXPORT_LAYERS],
                         capture_output=True, text=True, timeout=120, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    alpha = round(styles()["zone_opacity"] * 255)
    for how in ("opened", "project"):
        got = seen[how]
        assert sorted(got) == sorted(settings.EXPORT_LAYERS)
        assert all(got[n]["valid"] for n in settings.EXPORT_LAYERS)
        assert got["events"]["count"] == 3 and got["zones"]["count"] == 2
        assert got["events"]["renderer"] == got["zones"]["renderer"] == "categorizedSymbol"
        assert (got["events"]["attr"], got["zones"]["attr"]) == ("event_type", "kind")
        assert got["events"]["colours"] == {k: [v, 255] for k, v in styles()["event_types"].items()}
        assert got["zones"]["colours"] == {k: [v, alpha] for k, v in styles()["zone_kinds"].items()}
        assert got["places"]["renderer"] == got["mentions"]["renderer"] == "singleSymbol"
        assert all(got[n]["source"].startswith(str(path)) for n in settings.EXPORT_LAYERS)
    assert seen["read"] is True
    # The project: the Temporal Controller works as opened, over the events' dates.
    assert seen["project"]["events"]["temporal"] == [True, 1, "event_date", False]
    assert seen["range"] == ["2024-03-01", "2024-03-04"]
    assert seen["date_type"].lower() == "date"
    # A layer opened on its own: QGIS applies the stored style, then resets the temporal
    # settings from GDAL's provider (inactive; README says so). Reading the style again
    # (Style > Load Default Style) turns them on: the stored QML is right.
    assert seen["opened"]["events"]["temporal"][0] is False
    assert seen["reloaded"] == [True, 1, "event_date", False]


def test_kml_event_time_stamps_highlighted_evidence_and_safe_links(tmp_path):
    from geo._kml import highlighted, link

    assert highlighted("Shells hit <Kirkuk> & Kirkuk.", "Kirkuk") == \
        "Shells hit &lt;<b>Kirkuk</b>&gt; &amp; Kirkuk."
    assert highlighted("An <img onerror=x> in Daquq", None) == "An &lt;img onerror=x&gt; in Daquq"
    assert link("javascript:alert(1)") == "javascript:alert(1)"  # plain text, escaped later
    assert link('https://x.org/"><script>') == \
        '<a href="https://x.org/&quot;&gt;&lt;script&gt;">https://x.org/&quot;&gt;&lt;script&gt;</a>'
    path = tmp_path / "seeds.kml"
    export_inputs([str(SEEDS)], "kml", path, "events")
    root = ET.parse(path).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    marks = root.findall(".//k:Folder[@id='events']/k:Placemark", ns)
    assert marks
    for mark in marks:
        children = [child.tag.split("}")[1] for child in mark]
        # KML 2.2's order: description, TimeStamp, styleUrl
        assert children.index("description") < children.index("TimeStamp") < children.index("styleUrl")
        date = {d.get("name"): d.findtext("k:value", namespaces=ns)
                for d in mark.findall(".//k:Data", ns)}["event_date"]
        assert mark.findtext("k:TimeStamp/k:when", namespaces=ns) == date
        place = {d.get("name"): d.findtext("k:value", namespaces=ns)
                 for d in mark.findall(".//k:Data", ns)}["evidence_place"]
        assert f"<b>{place}</b>" in mark.findtext("k:description", namespaces=ns)
