"""Rows to layers: the event and mention rows the events step yields report by report (plain
dicts, geometry a (lon, lat) pair or None) as GeoDataFrames in EPSG:4326, for the steps that
take reports in batches (the PostGIS push, the Dask partitions)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from geo import settings
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS

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
