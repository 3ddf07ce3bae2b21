"""Property tests of the zone constructions: any valid input gives a valid polygon that
contains its defining points (around, along) or lies between its two lines (between).

Points are drawn inside the disputed belt's latitudes and longitudes, where UTM 38N (the
metric CRS) is accurate; literal [lon, lat] points keep the gazetteer out of it.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from geo._geometry import to_metric
from geo.zones import zone_from_definition

lons = st.floats(min_value=42.0, max_value=46.0, allow_nan=False)
lats = st.floats(min_value=33.5, max_value=36.8, allow_nan=False)
points = st.tuples(lons, lats)
km = st.floats(min_value=0.5, max_value=40.0, allow_nan=False)

# CI runs a fixed set of examples (a red CI must be reproducible); by hand they are new each run.
PROFILE = dict(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
               derandomize=bool(os.environ.get("CI")))


def _valid_polygonal(geom) -> bool:
    return geom.is_valid and not geom.is_empty and geom.geom_type in ("Polygon", "MultiPolygon")


@hsettings(**PROFILE)
@given(st.lists(points, min_size=1, max_size=8), km)
def test_around_contains_its_points(pts, buffer_km):
    from shapely.geometry import Point

    zone = zone_from_definition({"name": "P", "kind": "sector",
                                 "around": {"points": [list(p) for p in pts],
                                            "buffer_km": buffer_km}})
    geom = zone["geometry"]
    assert _valid_polygonal(geom) and geom.geom_type == "Polygon"
    assert all(geom.contains(Point(p)) for p in pts)
    assert zone["area_km2"] >= 3.0 * buffer_km ** 2  # at least most of a circle of that radius


@hsettings(**PROFILE)
@given(st.lists(points, min_size=2, max_size=6, unique=True), km)
def test_along_contains_its_line(pts, width_km):
    from shapely.geometry import LineString, Point

    zone = zone_from_definition({"name": "P", "kind": "front_line",
                                 "along": {"line": [list(p) for p in pts],
                                           "width_km": width_km}})
    geom = zone["geometry"]
    assert _valid_polygonal(geom)
    assert all(geom.contains(Point(p)) for p in pts)
    # Segments are straight in the metric CRS, not in degrees: check the line there.
    band, line = to_metric(geom), to_metric(LineString(pts))
    assert band.buffer(1.0).contains(line)  # 1 m for rounding coordinates to 1e-6 degree
    assert band.area / 1e6 <= line.length / 1000 * width_km + 3.2 * (width_km / 2) ** 2 + 1


@st.composite
def two_lines(draw):
    """Two lines over the same stretch of longitude at evenly spaced longitudes, the first
    wholly north of the second (each vertex 0.03 to 0.4 degrees off a common latitude)."""
    lon0 = draw(st.floats(min_value=42.0, max_value=45.0))
    span = draw(st.floats(min_value=0.2, max_value=1.0))
    base = draw(st.floats(min_value=34.0, max_value=36.0))

    def line(sign: float) -> list[tuple[float, float]]:
        n = draw(st.integers(min_value=2, max_value=6))
        return [(lon0 + span * i / (n - 1),
                 base + sign * draw(st.floats(min_value=0.03, max_value=0.4))) for i in range(n)]

    return line(+1.0), line(-1.0)


def _y_at(line, x: float) -> float:
    """The y of a metric line (monotonic in x) at x."""
    from shapely.geometry import LineString

    minx, miny, maxx, maxy = line.bounds
    return LineString([(x, miny - 1e3), (x, maxy + 1e3)]).intersection(line).bounds[1]


@hsettings(**PROFILE)
@given(two_lines(), st.booleans(), st.floats(min_value=0.1, max_value=0.9))
def test_between_lies_between_its_lines(lines, reverse_second, f):
    from shapely.geometry import LineString, Point

    north, south = lines
    # Authors may list the second line in either direction: the zone is the same.
    second = south[::-1] if reverse_second else south
    zone = zone_from_definition({"name": "P", "kind": "security_vacuum",
                                 "between": {"lines": [[list(p) for p in north],
                                                       [list(p) for p in second]]}})
    geom = zone["geometry"]
    assert _valid_polygonal(geom) and geom.geom_type == "Polygon"
    # In the metric CRS, where the lines are straight between their vertices: the zone's edge
    # is the two lines and the two segments joining their ends, nothing else...
    poly, a, b = to_metric(geom), to_metric(LineString(north)), to_metric(LineString(south))
    frame = a.union(b).union(LineString([a.coords[0], b.coords[0]])).union(
        LineString([a.coords[-1], b.coords[-1]]))
    assert frame.buffer(1.0).contains(poly.boundary)
    # ... and on a north-south cut, the zone spans from the southern line to the northern one.
    # UTM's grid converges northwards: the same longitudes span different x on the two lines,
    # so the cut is taken where both lines have an x.
    lo, hi = max(a.bounds[0], b.bounds[0]), min(a.bounds[2], b.bounds[2])
    x = lo + f * (hi - lo)
    top, bottom = _y_at(a, x), _y_at(b, x)
    minx, miny, maxx, maxy = poly.bounds
    cut = poly.intersection(LineString([(x, miny - 1e3), (x, maxy + 1e3)]))
    assert cut.bounds[1] == pytest.approx(bottom, abs=1.0)
    assert cut.bounds[3] == pytest.approx(top, abs=1.0)
    assert poly.contains(Point(x, (top + bottom) / 2))


@pytest.mark.parametrize("construction", [
    {"around": {"points": [[44.6, 34.9], [44.9, 34.4]], "buffer_km": 5}},
    {"along": {"line": [[44.6, 34.9], [44.9, 34.4]], "width_km": 10}},
    {"between": {"lines": [[[44.6, 34.9], [44.9, 34.4]], [[44.5, 34.85], [44.8, 34.35]]]}},
])
def test_construction_is_deterministic(construction):
    a = zone_from_definition({"name": "P", "kind": "sector", **construction})
    b = zone_from_definition({"name": "P", "kind": "sector", **construction})
    assert a["geometry"].wkb == b["geometry"].wkb and a["area_km2"] == b["area_km2"]


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


@hsettings(**PROFILE)
@given(st.lists(points, min_size=2, max_size=6, unique=True), km, st.booleans())
def test_geojson_is_right_hand_wound_and_stable(pts, width_km, as_band):
    """Whatever the construction gives (one polygon or several, with holes where a band
    folds back on itself), `zones_to_geojson` winds it by RFC 7946 and writes the same bytes
    for the same zone."""
    import json

    import geopandas as gpd

    from geo import settings
    from geo.schema import ZONE_COLUMNS
    from geo.zones import zones_to_geojson

    construction = ({"along": {"line": [list(p) for p in pts], "width_km": width_km}}
                    if as_band else
                    {"around": {"points": [list(p) for p in pts], "buffer_km": width_km}})
    zone = zone_from_definition({"name": "P", "kind": "sector", **construction})
    frame = gpd.GeoDataFrame([zone], columns=ZONE_COLUMNS, geometry="geometry",
                             crs=settings.CRS_WGS84)
    text = zones_to_geojson(frame)
    assert text == zones_to_geojson(frame.copy())
    geometry = json.loads(text)["features"][0]["geometry"]
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    for rings in polygons:
        assert _signed_area(rings[0]) > 0
        assert all(_signed_area(hole) < 0 for hole in rings[1:])
