"""The layers every output writes (events, zones, places, mentions): their columns and types
(geo.schema), a frame normalised to them, the text every format can hold, a layer as RFC 7946
GeoJSON text, and the event and mention rows the events step yields report by report (plain
dicts, geometry a (lon, lat) pair or None) as GeoDataFrames, for the steps that take reports
in batches (the PostGIS push, the Dask partitions). Shared by geo.zones (its zones.geojson),
geo.export (every format) and the batch writers, so that none imports another.
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from geo import settings
from geo._values import output_text, plain
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS, PLACE_COLUMNS, ZONE_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

_COLUMNS = {"events": EVENT_COLUMNS, "mentions": MENTION_COLUMNS}


def rows_frame(rows: list[dict], layer: str) -> "gpd.GeoDataFrame":
    """`rows` of the `layer` ("events" or "mentions") as a GeoDataFrame with its geo.schema
    columns, in their order."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    columns = [c for c in _COLUMNS[layer] if c != "geometry"]
    geometry = [Point(r["geometry"]) if r.get("geometry") is not None else None for r in rows]
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=settings.CRS_WGS84),
                            crs=settings.CRS_WGS84)


#: The columns of each layer, in the order they are written.
LAYER_COLUMNS = {
    "events": EVENT_COLUMNS,
    "zones": ZONE_COLUMNS,
    "places": PLACE_COLUMNS,
    "mentions": MENTION_COLUMNS,
}

#: Column types other than text (str), per layer.
_TYPES: dict[str, dict[str, str]] = {
    "events": {"latitude": "float", "longitude": "float", "front_distance_km": "float",
               "geo_precision": "int", "where_prec": "int", "confidence": "float"},
    "zones": {"area_km2": "float", "approximate": "bool"},
    "places": {"reports": "int"},
    "mentions": {"start": "int", "end": "int", "confidence": "float", "lat": "float",
                 "lon": "float"},
}

_FEATURE_ID = {"events": "event_id", "zones": "zone_id", "places": "place_id"}


def normalize_layer(name: str, frame: Any) -> "gpd.GeoDataFrame":
    """`frame` with exactly the layer's columns (geo.schema), typed, in EPSG:4326.

    Missing columns are added empty and extra columns dropped; text columns hold str or None
    (cleaned by output_text, so every format gets the same text), numbers float or int
    (nullable Int64 when some are missing), booleans bool.
    """
    import geopandas as gpd
    import pandas as pd

    columns = LAYER_COLUMNS[name]
    if frame is None:
        frame = gpd.GeoDataFrame({c: [] for c in columns if c != "geometry"},
                                 geometry=gpd.GeoSeries([], crs=settings.CRS_WGS84),
                                 crs=settings.CRS_WGS84)
    frame = frame.reset_index(drop=True)
    n = len(frame)
    try:  # the active geometry, in WGS84 (a frame without a CRS is taken to be in WGS84)
        geoseries = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    except AttributeError:  # a GeoDataFrame without an active geometry column
        geoseries = None
    if geoseries is None and "geometry" in frame.columns:
        geoseries = gpd.GeoSeries(list(frame["geometry"]), crs=settings.CRS_WGS84)
    if geoseries is None:
        geoseries = gpd.GeoSeries([None] * n, crs=settings.CRS_WGS84)
    if geoseries.crs is None:
        geoseries = geoseries.set_crs(settings.CRS_WGS84)
    elif geoseries.crs != settings.CRS_WGS84:
        geoseries = geoseries.to_crs(settings.CRS_WGS84)
    types = _TYPES[name]
    data: dict[str, Any] = {}
    for col in columns:
        if col == "geometry":
            continue
        values = list(frame[col]) if col in frame.columns else [None] * n
        values = [plain(v) for v in values]
        kind = types.get(col, "str")
        if kind == "float":
            data[col] = pd.Series([float(v) if v is not None else math.nan for v in values],
                                  dtype="float64")
        elif kind == "int":
            if any(v is None for v in values):
                data[col] = pd.Series(values, dtype="Int64")
            else:
                data[col] = pd.Series([int(v) for v in values], dtype="int64")
        elif kind == "bool":
            if any(v is None for v in values):
                data[col] = pd.Series(values, dtype="boolean")
            else:
                data[col] = pd.Series([bool(v) for v in values], dtype="bool")
        else:
            data[col] = pd.Series([None if v is None else output_text(str(v)) for v in values],
                                  dtype=object)
    geometry = [None if (g is None or g.is_empty) else g for g in geoseries.values]
    return gpd.GeoDataFrame(pd.DataFrame(data, columns=[c for c in columns if c != "geometry"]),
                            geometry=gpd.GeoSeries(geometry, crs=settings.CRS_WGS84),
                            crs=settings.CRS_WGS84)[columns]


def records(frame: "gpd.GeoDataFrame") -> list[dict]:
    """Rows as dicts of plain Python values (and the shapely `geometry`)."""
    out = []
    columns = [c for c in frame.columns if c != "geometry"]
    geoms = list(frame.geometry.values)
    for values, geom in zip(frame[columns].itertuples(index=False, name=None), geoms):
        row = {c: plain(v) for c, v in zip(columns, values)}
        row["geometry"] = geom
        out.append(row)
    return out


def prepared_geometry(geom: Any, decimals: int = settings.EXPORT_COORD_DECIMALS) -> Any:
    """Coordinates rounded to `decimals`, polygons wound by the right-hand rule (exterior
    rings counter-clockwise, holes clockwise: RFC 7946 section 3.1.6); None stays None."""
    if geom is None or geom.is_empty:
        return None
    import numpy as np
    import shapely

    geom = shapely.transform(geom, lambda c: np.round(c, decimals))
    if geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    return geom


def _round_coords(obj: Any, decimals: int) -> Any:
    if isinstance(obj, float):
        value = round(obj, decimals)
        return 0.0 if value == 0 else value
    if isinstance(obj, (list, tuple)):
        return [_round_coords(v, decimals) for v in obj]
    return obj


def _geojson_geometry(geom: Any) -> dict | None:
    from shapely.geometry import mapping

    geom = prepared_geometry(geom)
    if geom is None:
        return None
    gj = mapping(geom)
    if "coordinates" in gj:
        return {"type": gj["type"],
                "coordinates": _round_coords(gj["coordinates"], settings.EXPORT_COORD_DECIMALS)}
    return {"type": gj["type"], "geometries": [_geojson_geometry(g) for g in geom.geoms]}


def geojson_text(name: str, frame: "gpd.GeoDataFrame") -> str:
    """One layer as an RFC 7946 FeatureCollection: WGS84 lon/lat to 6 decimals, right-hand
    rule polygons, flat typed properties (dates as ISO 8601 text), no `crs` member; one
    feature a line, the same text on every run."""
    lines = []
    id_column = _FEATURE_ID.get(name)
    for row in records(frame):
        feature: dict[str, Any] = {"type": "Feature"}
        if id_column and row.get(id_column) is not None:
            feature["id"] = row[id_column]
        feature["geometry"] = _geojson_geometry(row.pop("geometry"))
        feature["properties"] = row  # plain values (records): NaN and infinities are None
        lines.append(json.dumps(feature, ensure_ascii=False, allow_nan=False))
    head = '{"type": "FeatureCollection", "name": ' + json.dumps(name) + ', "features": [\n'
    return head + ",\n".join(lines) + "\n]}\n"
