"""Private geometry helpers for geo.zones: projection, the constructions, cleaning, rounding.

Everything here works on shapely geometries and (lon, lat) tuples; nothing knows about zone
files or the gazetteer, so the property tests can drive the constructions directly.
Buffers, hulls and areas are computed in settings.CRS_METRIC (UTM 38N, metres) because
degrees are not a unit of distance; results go back to settings.CRS_WGS84.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Sequence

from geo import settings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pyproj import Transformer
    from shapely.geometry.base import BaseGeometry

LonLat = tuple[float, float]


class EmptyGeometry(ValueError):
    """A construction left no polygon (for example two identical lines for `between`)."""


@lru_cache(maxsize=8)
def _transformer(src: str, dst: str) -> "Transformer":
    from pyproj import Transformer

    # always_xy: every tuple in this package is (lon, lat) / (x, y), as in GeoJSON.
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(geom: "BaseGeometry", src_crs: str = settings.CRS_WGS84) -> "BaseGeometry":
    """Reproject a geometry from `src_crs` (WGS84 by default) to the metric CRS."""
    import shapely

    return shapely.transform(geom, _transformer(src_crs, settings.CRS_METRIC).transform,
                             interleaved=False)


def to_wgs84(geom: "BaseGeometry") -> "BaseGeometry":
    """Reproject a geometry from the metric CRS back to WGS84."""
    import shapely

    return shapely.transform(geom, _transformer(settings.CRS_METRIC, settings.CRS_WGS84).transform,
                             interleaved=False)


def _metric_points(points: Sequence[LonLat]):
    from shapely.geometry import MultiPoint

    return to_metric(MultiPoint([tuple(p) for p in points]))


def _metric_line(points: Sequence[LonLat]):
    from shapely.geometry import LineString

    return to_metric(LineString([tuple(p) for p in points]))


def around(points: Sequence[LonLat], buffer_km: float) -> "BaseGeometry":
    """The convex hull of the points buffered by `buffer_km`, in the metric CRS."""
    return _metric_points(points).convex_hull.buffer(
        buffer_km * 1000.0, quad_segs=settings.ZONE_BUFFER_QUAD_SEGS)


def around_groups(groups: Sequence[Sequence[LonLat]], buffer_km: float) -> "BaseGeometry":
    """The union of each group's buffered hull (one blob per district), in the metric CRS."""
    import shapely

    return shapely.union_all([around(group, buffer_km) for group in groups])


def along(points: Sequence[LonLat], width_km: float) -> "BaseGeometry":
    """The band `width_km` wide (half on each side) around the line, in the metric CRS."""
    return _metric_line(points).buffer(width_km * 500.0, quad_segs=settings.ZONE_BUFFER_QUAD_SEGS)


def between(line_a: Sequence[LonLat], line_b: Sequence[LonLat]) -> "BaseGeometry":
    """The area enclosed by two lines joined end to end, in the metric CRS (maybe invalid).

    The ring runs along `line_a`, then back along `line_b`. If the author listed the two lines
    in opposite directions that ring crosses itself, so the other pairing is used when it is a
    simple ring. Lines that really cross each other give a bow-tie, which `clean` repairs into
    the enclosed pieces.
    """
    from shapely.geometry import Polygon

    a = list(_metric_line(line_a).coords)
    b = list(_metric_line(line_b).coords)
    as_written, reversed_b = Polygon(a + b[::-1]), Polygon(a + b)
    if not as_written.is_valid and reversed_b.is_valid and reversed_b.area > 0:
        return reversed_b
    return as_written


def clean(geom: "BaseGeometry", what: str = "geometry",
          measure: Callable[["BaseGeometry"], float] | None = None) -> "BaseGeometry":
    """A valid Polygon or MultiPolygon without slivers or pinholes.

    _make_valid repairs self-intersections; any lines or points it leaves are dropped; parts and
    holes smaller than settings.ZONE_SLIVER_KM2 go, since they are artefacts of digitising or
    of dissolving neighbouring boundaries, not real gaps in a zone. `measure` gives a
    geometry's area in m² (default: its planar area, right for the metric CRS).

    Raises EmptyGeometry when nothing polygonal is left.
    """
    import shapely
    from shapely.geometry import Polygon

    measure = measure or (lambda g: g.area)
    min_area = settings.ZONE_SLIVER_KM2 * 1e6
    polygons = []
    for part in _polygon_parts(_make_valid(geom)):
        holes = [ring for ring in part.interiors if measure(Polygon(ring)) >= min_area]
        part = Polygon(part.exterior, holes)
        if measure(part) >= min_area:
            polygons.append(part)
    if not polygons:
        raise EmptyGeometry("encloses no area")
    # Parts from make_valid never overlap, but union_all also merges parts sharing an edge.
    return polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)


def _polygon_parts(geom: "BaseGeometry"):
    """Yield the Polygons inside any geometry (collections included)."""
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon):
        if not geom.is_empty:
            yield geom
    elif isinstance(geom, MultiPolygon) or hasattr(geom, "geoms"):
        for part in geom.geoms:
            yield from _polygon_parts(part)


def finish(geom: "BaseGeometry", what: str = "geometry", metric: bool = True
           ) -> "BaseGeometry":
    """Clean a geometry, bring it to WGS84 and make its bytes stable.

    `metric` says whether `geom` is in the metric CRS (constructions) or already in WGS84
    (literal polygons, whose edges GeoJSON means as straight in degrees, so they are not
    reprojected and read back unchanged). Coordinates are snapped to a
    10^-ZONE_COORD_DECIMALS degree grid (set_precision keeps the result valid), slivers the
    snapping may leave are dropped, and the result is normalized so rings and parts always
    come out in the same order and orientation.
    """
    import shapely

    grid = 10.0 ** -settings.ZONE_COORD_DECIMALS
    if metric:
        # Only vertices are reprojected, and a straight edge in metres is a curve in degrees:
        # a 100 km edge would bow out by hundreds of metres (and cross its neighbours in a
        # thin band). Short segments keep the degrees polygon within centimetres of it.
        geom = to_wgs84(shapely.segmentize(clean(geom, what),
                                           settings.ZONE_MAX_SEGMENT_KM * 1000.0))
    geom = clean(geom, what, measure=_metric_area)
    geom = clean(_snap(geom, grid), what, measure=_metric_area)
    return shapely.normalize(_snap(geom, grid))


def _snap(geom: "BaseGeometry", grid: float) -> "BaseGeometry":
    """Coordinates on the grid, keeping the geometry valid."""
    import shapely

    try:
        return shapely.set_precision(geom, grid)
    except shapely.errors.GEOSException:
        # GEOS's topology-preserving snap gives up on some razor-thin shapes; snap point by
        # point instead and let make_valid repair what that breaks.
        return _make_valid(shapely.set_precision(geom, grid, mode="pointwise"))


def _make_valid(geom: "BaseGeometry") -> "BaseGeometry":
    """Repair a polygon, keeping every area its rings enclose.

    The "structure" method unions overlapping pieces; the default "linework" method would
    cut them out (even-odd), which loses the overlap where a band folds back on itself.
    """
    import shapely

    if geom.is_valid:
        return geom
    return shapely.make_valid(geom, method="structure", keep_collapsed=False)


def _metric_area(geom: "BaseGeometry") -> float:
    return to_metric(geom).area


def area_km2(geom_wgs84: "BaseGeometry") -> float:
    """Area of a WGS84 geometry in km², measured in the metric CRS."""
    return round(to_metric(geom_wgs84).area / 1e6, 2)


def distance_km(a_wgs84: "BaseGeometry", b_wgs84: "BaseGeometry") -> float:
    """Distance between two WGS84 geometries in km, measured in the metric CRS."""
    return to_metric(a_wgs84).distance(to_metric(b_wgs84)) / 1000.0
