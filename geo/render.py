"""Leaflet maps (folium) of events, zones and the places reports mention.

`build_map(events, zones, mentions)` returns a `folium.Map` (a notebook shows it);
`save_map(m, path)` writes it, with `self_contained=True` as one HTML file that needs no
network; `map_inputs(inputs)` is what `geo map` does.

Each layer is one class that renders itself (folium's way): `EventsLayer`, `ZonesLayer`,
`PlacesLayer`, `Legend`, `MapControls` and `FitView` (the first view: the located events with
a margin). The title bar and controls sit above Leaflet's popup pane, so popups pan clear of
them: their autopan paddings are measured from those overlays in the browser.

Report text never reaches a template engine nor the page as HTML. folium/branca render each
element's script as a Jinja2 template and then render the result again, so the elements'
templates hold code and element names only; each layer's data (report, zone, place and title
text) is written into the finished page afterwards as a `<script type="application/json">`
block (with `<`, `>`, `&` and line separators escaped), which the page reads with
JSON.parse. Popups, tooltips and the search list are built in the browser from DOM text
nodes, so `{{ 7*7 }}`, `{% raw %}`, `<script>`, `onerror=` and `${...}` in a report show as
text and run nothing. The same input gives the same bytes: folium's random element ids are
replaced by a counter per map.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Iterable

from geo import settings
from geo._errors import MapError
from geo._values import plain

# The libraries' CDN URLs, of the versions the installed xstatic packages carry (geo._assets).
_LEAFLET_JS = settings.ASSET_LEAFLET + "leaflet.js"
_LEAFLET_CSS = settings.ASSET_LEAFLET + "leaflet.css"
_MC = settings.ASSET_MARKERCLUSTER
_FA_CSS = (settings.ASSET_FONT_AWESOME + "fontawesome.min.css",
           settings.ASSET_FONT_AWESOME + "solid.min.css")

_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_ICON_RE = re.compile(r"^[a-z0-9-]+$")
_ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: The first view and a zone found by search zoom in no further than this.
FIT_MAX_ZOOM = 12
#: The first view's margin around the events, as a fraction of their extent on each side.
FIT_MARGIN = 0.1

GEO_PRECISION = {1: "town", 2: "near a town, or a subdistrict, district, sector or base",
                 3: "governorate, region or feature"}
WHERE_PREC = {1: "exact", 2: "near / small area", 3: "district", 4: "governorate",
              5: "region or feature", 6: "country", 7: "international waters or airspace"}


# --- small helpers --------------------------------------------------------------------------

def _js(value: Any) -> str:
    """JSON safe to place inside a <script> element (no `</script>`, `<!--`, U+2028/9)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _text(value: Any) -> str:
    """A cell as plain text: a missing one (None, NaN, pandas' NA and NaT: geo._values.plain)
    becomes ""."""
    if type(value) is str:  # most cells, thousands of times a map: no more work
        return value
    value = plain(value)
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    try:
        out = int(value)
    except (TypeError, ValueError):
        return None
    return out


def _round(x: float) -> float:
    return round(float(x), settings.MAP_COORD_DECIMALS)


@lru_cache(maxsize=4)
def _styles(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    for key in ("event_types", "zone_kinds", "actor_icons"):
        data.setdefault(key, {})
    for group in ("event_types", "zone_kinds"):
        for name, colour in data[group].items():
            if not _COLOUR_RE.match(str(colour)):
                raise MapError(f"{path}: {group}.{name}: {colour!r} is not a #RRGGBB colour")
    for name, icon in data["actor_icons"].items():
        if not _ICON_RE.match(str(icon)):
            raise MapError(f"{path}: actor_icons.{name}: {icon!r} is not an icon name")
    return data


def styles() -> dict:
    """data/styles.yaml (colours per event type and zone kind, icons per actor family)."""
    return _styles(str(settings.STYLES_FILE))


@lru_cache(maxsize=4)
def _actor_kinds(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(line for line in fh if not line.startswith("#"))
            return {r["actor"]: r["kind"] for r in rows if r.get("actor")}
    except FileNotFoundError:
        return {}


def actor_family(actor: str) -> str:
    """The styles' actor family (`state_forces`, `kurdish_forces`, ...) of an actor name."""
    kind = _actor_kinds(str(settings.ACTORS_FILE)).get(actor)
    if kind is None:
        return "default"
    if kind == "state" and any(w.lower() in actor.lower()
                               for w in settings.MAP_KURDISH_FORCES_WORDS):
        return "kurdish_forces"
    return settings.MAP_ACTOR_FAMILIES.get(kind, "default")


# --- the map's elements ---------------------------------------------------------------------

def _folium():
    import folium
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.map import Layer
    from folium.template import Template

    return folium, MacroElement, JSCSSMixin, Layer, Template


#: The project's Leaflet plugin (popups, search, date filter, legend, layout) and its styles,
#: package data under geo/static/. The elements below reference them as `geo-static:NAME`
#: links, which GeoFigure replaces by the files' text in every page (no server hosts them).
STATIC_FILES = ("geo-map.js", "geo-map.css")
_STATIC_PREFIX = "geo-static:"
_STATIC_SCRIPT_RE = re.compile(r'<script src="geo-static:([a-z0-9.-]+\.js)"></script>')
_STATIC_STYLE_RE = re.compile(r'<link rel="stylesheet" href="geo-static:([a-z0-9.-]+\.css)"\s*/?>')


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of geo/static/NAME (package data, read with importlib.resources)."""
    from importlib.resources import files

    if name not in STATIC_FILES:
        raise MapError(f"geo/static/{name}: not one of the map's files")
    return files("geo").joinpath("static", name).read_text(encoding="utf-8")


def _inline_static(html: str) -> str:
    """`html` with the plugin's `geo-static:` links replaced by the files' text."""

    def script(m: re.Match) -> str:
        text = re.sub(r"</(script)", r"<\\/\1", static_text(m.group(1)), flags=re.IGNORECASE)
        return f"<script>/* geo/static/{m.group(1)} */\n{text}</script>"

    def style(m: re.Match) -> str:
        text = re.sub(r"</(style)", r"<\\/\1", static_text(m.group(1)), flags=re.IGNORECASE)
        return f"<style>/* geo/static/{m.group(1)} */\n{text}</style>"

    return _STATIC_STYLE_RE.sub(style, _STATIC_SCRIPT_RE.sub(script, html))


def _element_classes():
    """The map's element classes, made on first use (folium is imported lazily).

    Each is a few lines of template: a call into the plugin (geo/static/geo-map.js) with the
    element's data, which the page carries as a JSON block (`geo_data`, see _insert_data).
    The templates hold code and element names only, never data.
    """
    folium, MacroElement, JSCSSMixin, Layer, Template = _folium()
    from branca.element import Figure

    def call(js: str) -> Template:
        return Template("{% macro script(this, kwargs) %}" + js + "\n{% endmacro %}")

    data = "window.geoDisputed.data('{{ this.get_name() }}')"

    class Plugin(JSCSSMixin, MacroElement):
        """The plugin's script and styles and its settings; added first."""

        default_js = [("geo_map_js", _STATIC_PREFIX + "geo-map.js")]
        default_css = [("geo_map_css", _STATIC_PREFIX + "geo-map.css")]
        _template = call("window.geoDisputed.configure(" + data + ");")

        def __init__(self):
            super().__init__()
            self._name = "GeoPlugin"
            self.geo_data = {"popupWidth": int(settings.MAP_POPUP_MAX_WIDTH)}

    class EventsLayer(JSCSSMixin, Layer):
        """Events as markers coloured by event type, with an icon per actor family, clustered
        in the browser (Leaflet.markercluster); popups built on click from the JSON data."""

        default_js = [("markerclusterjs", _MC + "leaflet.markercluster.js")]
        default_css = [("markerclustercss", _MC + "MarkerCluster.css"),
                       ("markerclusterdefaultcss", _MC + "MarkerCluster.Default.css"),
                       ("fontawesome_css", _FA_CSS[0]), ("fontawesome_solid_css", _FA_CSS[1])]
        _template = call("var {{ this.get_name() }} = window.geoDisputed.eventsLayer(" + data + ");")

        def __init__(self, data: dict, name: str = "Events", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "EventsLayer"
            self.geo_data = dict(data, radius=int(settings.MAP_CLUSTER_RADIUS))

    class BasemapLayer(Layer):
        """The offline basemap (data/basemap/basemap.json): Iraq's outline, the neighbours'
        borders, governorates and districts, rivers and lakes, place labels by zoom. A base
        layer: the default one, or a choice beside the tile layers."""

        _template = call("var {{ this.get_name() }} = window.geoDisputed.basemapLayer(" + data + ");")

        def __init__(self, data: dict, show: bool = True):
            super().__init__(name="Offline basemap", overlay=False, control=True, show=show)
            self._name = "BasemapLayer"
            self.geo_data = data

    class Tools(MacroElement):
        """Fullscreen and distance/area measure buttons (top left)."""

        _template = call("window.geoDisputed.tools({{ this._parent.get_name() }});")

        def __init__(self):
            super().__init__()
            self._name = "Tools"

    class ZonesLayer(Layer):
        """Zones as semi-transparent polygons coloured by kind, with tooltip and popup."""

        _template = call("var {{ this.get_name() }} = window.geoDisputed.zonesLayer(" + data + ");")

        def __init__(self, data: dict, name: str = "Zones", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "ZonesLayer"
            self.geo_data = data

    class PlacesLayer(Layer):
        """Places reports mention that are not an event's place: small grey dots."""

        _template = call("var {{ this.get_name() }} = window.geoDisputed.placesLayer(" + data + ");")

        def __init__(self, data: dict, name: str = "Places mentioned", show: bool = False):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "PlacesLayer"
            self.geo_data = data

    class Legend(MacroElement):
        """Event types, actor icons and zone kinds, bottom right (folded on a narrow map)."""

        _template = call("window.geoDisputed.legend({{ this._parent.get_name() }}, " + data + ");")

        def __init__(self, data: dict):
            super().__init__()
            self._name = "Legend"
            self.geo_data = data

    class MapControls(MacroElement):
        """Title, offline note, mouse position, place search and the date filter."""

        _template = call("window.geoDisputed.controls({{ this._parent.get_name() }}, " + data + ");")

        def __init__(self, data: dict):
            super().__init__()
            self._name = "MapControls"
            self.geo_data = data

    class FitView(MacroElement):
        """The first view: the events' bounds (the zones' when no event is located), fitted
        clear of the title bar and controls; added after every control."""

        _template = call("window.geoDisputed.fitView({{ this._parent.get_name() }}, " + data + ");")

        def __init__(self, bounds: list, max_zoom: int):
            super().__init__()
            self._name = "FitView"
            self.geo_data = {"bounds": bounds, "maxZoom": int(max_zoom)}

    class GeoFigure(Figure):
        """The page: folium's Figure, with the plugin inlined and the map's data and title
        written in after the templates are rendered (see `_insert_data`), whatever renders it
        (`save_map`, `m.save`, a notebook's `_repr_html_`)."""

        def render(self, **kwargs) -> str:
            return _insert_data(_inline_static(super().render(**kwargs)), self)

    class GeoMap(folium.Map):
        """folium.Map without the assets this map does not use (jQuery, Bootstrap,
        awesome-markers): fewer requests, and fewer files to inline offline."""

        default_js = [("leaflet", _LEAFLET_JS)]
        default_css = [("leaflet_css", _LEAFLET_CSS)]

    return dict(Plugin=Plugin, BasemapLayer=BasemapLayer, Tools=Tools, EventsLayer=EventsLayer, ZonesLayer=ZonesLayer,
                PlacesLayer=PlacesLayer, Legend=Legend, MapControls=MapControls, FitView=FitView,
                GeoMap=GeoMap, GeoFigure=GeoFigure)


_CLASSES: dict | None = None


def _cls(name: str):
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _element_classes()
    return _CLASSES[name]


# --- data for each layer ----------------------------------------------------------------------

@dataclass
class _Bounds:
    south: float = 90.0
    west: float = 180.0
    north: float = -90.0
    east: float = -180.0
    empty: bool = True

    def add(self, s: float, w: float, n: float, e: float) -> None:
        if any(math.isnan(v) for v in (s, w, n, e)):
            return
        self.south, self.west = min(self.south, s), min(self.west, w)
        self.north, self.east = max(self.north, n), max(self.east, e)
        self.empty = False

    def padded(self, min_span: float = 0.05, margin: float = 0.0) -> list[list[float]]:
        """[[south, west], [north, east]], at least `min_span` degrees each way, widened by
        `margin` (a fraction of the span) on every side."""
        s, w, n, e = self.south, self.west, self.north, self.east
        dy, dx = (n - s) * margin, (e - w) * margin
        s, n, w, e = max(s - dy, -90.0), min(n + dy, 90.0), w - dx, e + dx
        if n - s < min_span:
            s, n = (s + n) / 2 - min_span / 2, (s + n) / 2 + min_span / 2
        if e - w < min_span:
            w, e = (w + e) / 2 - min_span / 2, (w + e) / 2 + min_span / 2
        return [[_round(s), _round(w)], [_round(n), _round(e)]]


def _column(frame, name: str, n: int) -> list:
    if name in frame.columns:
        return frame[name].tolist()
    return [None] * n


def _lat_lon(frame) -> tuple[list[float], list[float]]:
    """Latitude and longitude of each row: the point geometry, else the latitude/longitude
    columns; NaN where there is none."""
    n = len(frame)
    lats = [math.nan] * n
    lons = [math.nan] * n
    if "geometry" in frame.columns:
        import shapely

        geoms = frame["geometry"].to_numpy()
        xs = shapely.get_x(geoms)
        ys = shapely.get_y(geoms)
        lats = [float(v) for v in ys]
        lons = [float(v) for v in xs]
    lat_col = _column(frame, "latitude", n)
    lon_col = _column(frame, "longitude", n)
    for i in range(n):
        if math.isnan(lats[i]) or math.isnan(lons[i]):
            try:
                la, lo = float(lat_col[i]), float(lon_col[i])
            except (TypeError, ValueError):
                continue
            lats[i], lons[i] = la, lo
    return lats, lons


def _precision(geo_precision: Any, where_prec: Any, reason: Any = None, confidence: Any = None) -> str:
    parts = []
    g, w = _int(geo_precision), _int(where_prec)
    if g is not None:
        parts.append(f"ACLED {g} ({GEO_PRECISION.get(g, '?')})")
    if w is not None:
        parts.append(f"UCDP {w} ({WHERE_PREC.get(w, '?')})")
    # Why the event is here and how sure (geo.events location_reason, confidence).
    why = _text(reason)
    if why:
        try:
            sure = f", confidence {float(confidence):.2f}" if confidence is not None and not math.isnan(float(confidence)) else ""
        except (TypeError, ValueError):
            sure = ""
        parts.append(f"{why}{sure}")
    return "; ".join(parts)


def _correction(fields: Any, who: Any, original_place: Any) -> str:
    """What an analyst corrected, for the popup's precision line (geo.corrections): the
    fields, who decided, and the place the pipeline had chosen when the place changed."""
    fields = _text(fields)
    if not fields:
        return ""
    was = _text(original_place)
    place_changed = any(f in fields for f in ("place_id", "lat", "lon", "location"))
    return (f"; corrected by {_text(who) or 'an analyst'} ({fields})"
            + (f", the pipeline had {was}" if place_changed and was else ""))


def admin_units(place: Any, governorate: Any, district: Any) -> str:
    """The admin units shown after an event's place in its popup, in the CLI's order
    (governorate, then district): "Kirkuk governorate, Hawija district" for Hawija; "" when
    each unit only repeats the place's name (Sulaimani in Sulaimani governorate and district)."""
    place = _text(place).strip()
    units = [(_text(name).strip(), kind) for name, kind in ((governorate, "governorate"),
                                                            (district, "district"))]
    units = [(name, kind) for name, kind in units if name]
    if all(name.casefold() == place.casefold() for name, _ in units):
        return ""
    return ", ".join(f"{name} {kind}" for name, kind in units)


#: The map's name of each dataset's events layer ("" is the events coded from reports).
EVENT_LAYER_NAMES = {"": "Events"}
_DATASET_ORDER = ("", "ACLED", "UCDP")


def _by_dataset(events) -> list[tuple[str, Any]]:
    """The events split by their `dataset` column: reports' own first, then ACLED and UCDP.
    Any other value (a layer edited by hand) stays with the reports' own: a layer's name goes
    into the page's layer switcher, so only the names here become one."""
    n = len(events)
    names = [d if d in _DATASET_ORDER else "" for d in map(_text, _column(events, "dataset", n))]
    present = set(names)
    if present <= {""}:
        return [("", events)]
    order = [d for d in _DATASET_ORDER if d in present or d == ""]
    import numpy as np

    names_arr = np.array(names, dtype=object)
    return [(d, events[names_arr == d]) for d in order]


def _merged(layers: list[tuple[str, dict]]) -> dict:
    """The events data of every layer as one (for the legend, the search and the dates)."""
    first = layers[0][1]
    if len(layers) == 1:
        return first
    return dict(first, ev=[e for _, d in layers for e in d["ev"]],
                pop=[p for _, d in layers for p in d["pop"]])


def events_data(events, bounds: _Bounds | None = None) -> dict:
    """The events layer's JSON: compact marker rows and one popup record per located event.

    Returns a dict with `types`, `colors`, `icons`, `ev` ([lat, lon, type index, icon index,
    date]) and `pop` (the popup fields, in the order geo.render's JS reads them).
    """
    st = styles()
    type_colours = dict(st["event_types"])
    type_colours.setdefault("Unknown", "#7f7f7f")
    types = list(type_colours)
    type_index = {t: i for i, t in enumerate(types)}
    icon_names = dict(st["actor_icons"])
    icon_names.setdefault("default", "circle")
    families = list(icon_names)
    family_index = {f: i for i, f in enumerate(families)}
    n = len(events)
    lats, lons = _lat_lon(events)
    col = {c: _column(events, c, n) for c in (
        "title", "published", "event_date", "source", "url", "event_type", "sub_event_type",
        "actor1", "actor2", "location", "admin1", "admin2", "geo_precision", "where_prec",
        "evidence", "evidence_place", "report_id", "zones", "event_id", "location_reason",
        "confidence", "corrected", "corrected_by", "original_location", "dataset")}
    family_cache: dict[str, int] = {}
    ev, pop = [], []
    for i in range(n):
        lat, lon = lats[i], lons[i]
        if math.isnan(lat) or math.isnan(lon):
            continue
        lat, lon = _round(lat), _round(lon)
        etype = _text(col["event_type"][i])
        t = type_index.get(etype, type_index["Unknown"])
        actor = _text(col["actor1"][i])
        if actor not in family_cache:
            family_cache[actor] = family_index.get(actor_family(actor), family_index["default"])
        date = _text(col["event_date"][i]) or _text(col["published"][i])
        ev.append([lat, lon, t, family_cache[actor], date[:10]])
        admin = admin_units(col["location"][i], col["admin1"][i], col["admin2"][i])
        pop.append([
            _text(col["title"][i]), _text(col["published"][i]), _text(col["event_date"][i]),
            _text(col["source"][i]), _text(col["url"][i]), etype,
            _text(col["sub_event_type"][i]), actor, _text(col["actor2"][i]),
            _text(col["location"][i]), admin,
            _precision(col["geo_precision"][i], col["where_prec"][i],
                       col["location_reason"][i], col["confidence"][i])
            + _correction(col["corrected"][i], col["corrected_by"][i], col["original_location"][i]),
            f"{lat:.{settings.MAP_COORD_DECIMALS}f}, {lon:.{settings.MAP_COORD_DECIMALS}f}",
            _text(col["evidence"][i]), _text(col["evidence_place"][i]),
            _text(col["report_id"][i]), _text(col["zones"][i]), _text(col["event_id"][i]),
            _text(col["dataset"][i]),
        ])
        if bounds is not None:
            bounds.add(lat, lon, lat, lon)
    return {"types": types, "colors": [type_colours[t] for t in types],
            "families": families, "icons": [icon_names[f] for f in families],
            "ev": ev, "pop": pop}


@lru_cache(maxsize=2)
def _basemap(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MapError(f"{path}: the offline basemap cannot be read ({exc.strerror}); "
                       "rebuild it with tools/build_basemap.py") from None


def basemap_data() -> dict:
    """The offline basemap's layers (data/basemap/basemap.json, see its build script), with
    the zooms at which boundaries and labels show."""
    data = json.loads(_basemap(str(settings.BASEMAP_FILE)))
    return {"attribution": data["attribution"], "layers": data["layers"],
            "districtZoom": settings.MAP_BASEMAP_DISTRICT_ZOOM,
            "governorateLabelZoom": list(settings.MAP_BASEMAP_GOVERNORATE_LABEL_ZOOM),
            "districtLabelZoom": settings.MAP_BASEMAP_DISTRICT_LABEL_ZOOM}


def zones_data(zones, bounds: _Bounds | None = None) -> dict:
    """The zones layer's JSON: a GeoJSON FeatureCollection with ZONE_COLUMNS properties."""
    from shapely.geometry import mapping

    st = styles()
    features = []
    frame = zones
    if getattr(frame, "crs", None) is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(settings.CRS_WGS84)
    n = len(frame)
    cols = {c: _column(frame, c, n) for c in ("zone_id", "name", "kind", "description",
                                               "source", "area_km2", "approximate")}
    geoms = frame.geometry.tolist() if n else []
    for i in range(n):
        geom = geoms[i]
        if geom is None or geom.is_empty:
            continue
        try:
            area = plain(float(cols["area_km2"][i]))  # NaN -> None
        except (TypeError, ValueError):  # None, pandas' NA, text that is not a number
            area = None
        props = {"zone_id": _text(cols["zone_id"][i]), "name": _text(cols["name"][i]),
                 "kind": _text(cols["kind"][i]), "description": _text(cols["description"][i]),
                 "source": _text(cols["source"][i]),
                 "area_km2": None if area is None else round(area, 1),
                 "approximate": bool(plain(cols["approximate"][i]))}  # missing: not approximate
        gj = json.loads(json.dumps(mapping(geom)))  # tuples -> lists
        features.append({"type": "Feature", "properties": props, "geometry": gj})
        if bounds is not None:
            w, s, e, nn = geom.bounds
            bounds.add(s, w, nn, e)
    return {"geojson": {"type": "FeatureCollection", "features": features},
            "colors": dict(st["zone_kinds"]), "opacity": float(st.get("zone_opacity", 0.25))}


def places_data(mentions, events=None) -> dict:
    """Places the reports mention that are no event's place, one dot per place:
    [lat, lon, name, type, number of reports]."""
    if mentions is None or len(mentions) == 0:
        return {"places": [], "colour": settings.MAP_PLACE_COLOUR}
    event_places = set()
    if events is not None and "place_id" in events.columns:
        event_places = {p for p in events["place_id"].tolist() if _text(p)}
    n = len(mentions)
    lats, lons = _lat_lon(mentions.rename(columns={"lat": "latitude", "lon": "longitude"}))
    pid = _column(mentions, "place_id", n)
    names = _column(mentions, "name", n)
    types = _column(mentions, "type", n)
    reports = _column(mentions, "report_id", n)
    places: dict[str, list] = {}
    seen: dict[str, set] = {}
    for i in range(n):
        key = _text(pid[i]) or _text(names[i])
        if not key or key in event_places or math.isnan(lats[i]) or math.isnan(lons[i]):
            continue
        if key not in places:
            places[key] = [_round(lats[i]), _round(lons[i]), _text(names[i]), _text(types[i]), 0]
            seen[key] = set()
        seen[key].add(_text(reports[i]))
    rows = []
    for key in sorted(places):
        row = places[key]
        row[4] = len(seen[key])
        rows.append(row)
    return {"places": rows, "colour": settings.MAP_PLACE_COLOUR}


#: Legend labels of actor families whose styles.yaml key does not read as one. "default" is
#: the family of a first actor that data/actors.csv does not list (or of no actor at all).
ACTOR_FAMILY_LABELS = {"external": "External forces",
                       "default": "Other actor (not in the actor list) or none"}
ACTOR_FAMILY_TITLES = {"default": "The event's first actor is not in data/actors.csv, "
                                  "or the report names none"}


def legend_data(event_types: Iterable[str] | None = None,
                zone_kinds: Iterable[str] | None = None,
                actor_families: Iterable[str] | None = None, *, clusters: bool = False,
                corrected: int = 0, datasets: Iterable[str] = ()) -> dict:
    """The legend's sections (data the plugin draws as text): event types, actor icons,
    zone kinds.

    Each of `event_types`, `zone_kinds` and `actor_families` names the entries to list, in the
    order of data/styles.yaml; None lists them all and an empty collection drops the section
    (the map passes what it draws). `clusters` adds the cluster symbol, `corrected` (the
    number of events an analyst corrected, geo.corrections) a section that counts them;
    `datasets` ("ACLED", "UCDP" when the map shows their events) one that tells their square
    pins from the reports' round ones.
    """
    st = styles()

    def keep(names, wanted):
        return [n for n in names if wanted is None or n in wanted]

    sections = []
    types = keep(st["event_types"], None if event_types is None else set(event_types))
    if types:
        sections.append({"title": "Event type", "rows": [
            {"label": name, "colour": st["event_types"][name], "shape": "round"}
            for name in types]})
    families = keep(st["actor_icons"], None if actor_families is None else set(actor_families))
    rows = [{"label": ACTOR_FAMILY_LABELS.get(f, f.replace("_", " ").capitalize()),
             "icon": st["actor_icons"][f], "shape": "icon",
             **({"title": ACTOR_FAMILY_TITLES[f]} if f in ACTOR_FAMILY_TITLES else {})}
            for f in families]
    if clusters:
        rows.append({"label": "Cluster of n events", "shape": "cluster"})
    if rows:
        sections.append({"title": "First actor" if families else "", "rows": rows})
    kinds = keep(st["zone_kinds"], None if zone_kinds is None else set(zone_kinds))
    if kinds:
        sections.append({"title": "Zone kind", "rows": [
            {"label": kind.replace("_", " "), "colour": st["zone_kinds"][kind], "shape": "square"}
            for kind in kinds]})
    datasets = set(datasets)
    if datasets - {""}:  # "" is the reports' own events
        sections.append({"title": "Coded by", "rows": [
            {"label": "these reports (round pins)", "colour": "#888888", "shape": "round"}
            if d == "" else
            {"label": f"{d} (square pins, layer {d})", "colour": "#888888", "shape": "dataset"}
            for d in _DATASET_ORDER if d in datasets]})
    if corrected:
        sections.append({"title": "Checked by an analyst", "rows": [
            {"label": f"{corrected} event{'s' if corrected != 1 else ''} corrected (see popups)",
             "icon": "check", "shape": "icon"}]})
    return {"sections": sections}


#: The most matches the search list shows (then "N more: type more of the name")
SEARCH_MAX_SHOWN = 8
#: The zoom `geo map`'s search goes to for a place, by gazetteer type (default: SEARCH_ZOOM_DEFAULT)
SEARCH_ZOOM = {"country": 6, "region": 7, "governorate": 8, "river": 9, "district": 10,
               "lake": 10, "mountain": 10, "valley": 10, "sector": 10, "front": 10,
               "command_area": 10, "subdistrict": 11, "city": 12, "town": 13, "village": 14,
               "site": 14, "dam": 14, "military_base": 14}
#: ... and by UCDP `where_prec` for an event's place whose type is not known
SEARCH_ZOOM_BY_PREC = {1: 13, 2: 12, 3: 10, 4: 8, 5: 7, 6: 6, 7: 6}
SEARCH_ZOOM_DEFAULT = 12


def _search_entries(ev: dict, zd: dict | None, pd_: dict | None, events=None,
                    mentions=None) -> list:
    """The search list: [name, [lat, lon, zoom]] for places, [name, [[s, w], [n, e]]] for zones.

    Zones, then event places, then mentioned places; a name that differs from an earlier one
    only in case is the same entry (a zone wins: "Second Qaratapa-Hamrin sector" the zone over
    "... Sector" the gazetteer's point). A place's zoom follows its type (SEARCH_ZOOM), so a
    governorate or a country is not shown at a town's zoom.
    """
    entries: dict[str, list] = {}

    def add(name: str, where: list) -> None:
        key = name.strip().casefold()
        if key and key not in entries:
            entries[key] = [name.strip(), where]

    if zd:
        import shapely

        for f in zd["geojson"]["features"]:
            w, s, e, n = shapely.geometry.shape(f["geometry"]).bounds
            add(f["properties"]["name"], [[_round(s), _round(w)], [_round(n), _round(e)]])
    types: dict[str, str] = {}  # place_id or name -> gazetteer type
    if mentions is not None and len(mentions):
        n = len(mentions)
        for pid, name, ptype in zip(_column(mentions, "place_id", n), _column(mentions, "name", n),
                                    _column(mentions, "type", n)):
            for key in (_text(pid), _text(name)):
                if key and _text(ptype):
                    types.setdefault(key, _text(ptype))
    prec: dict[str, int | None] = {}
    if events is not None and len(events):
        n = len(events)
        for loc, pid, wp in zip(_column(events, "location", n), _column(events, "place_id", n),
                                _column(events, "where_prec", n)):
            loc = _text(loc)
            if loc and loc not in types and _text(pid) in types:
                types[loc] = types[_text(pid)]
            if loc:
                prec.setdefault(loc, _int(wp))

    def zoom(name: str) -> int:
        if name in types:
            return SEARCH_ZOOM.get(types[name], SEARCH_ZOOM_DEFAULT)
        return SEARCH_ZOOM_BY_PREC.get(prec.get(name), SEARCH_ZOOM_DEFAULT)

    for e, p in zip(ev["ev"], ev["pop"]):
        if p[9]:
            add(p[9], [e[0], e[1], zoom(p[9])])
    if pd_:
        for p in pd_["places"]:
            if p[2]:
                add(p[2], [p[0], p[1], SEARCH_ZOOM.get(p[3], SEARCH_ZOOM_DEFAULT)])
    return [entries[k] for k in sorted(entries)]


# --- the map --------------------------------------------------------------------------------

def _walk(root):
    """The page's elements in tree order (breadth first), each once."""
    queue = [root]
    seen = set()
    while queue:
        el = queue.pop(0)
        if id(el) in seen:
            continue
        seen.add(id(el))
        yield el
        children = list(getattr(el, "_children", {}).values())
        for attr in ("header", "html", "script"):
            sub = getattr(el, attr, None)
            if sub is not None and hasattr(sub, "_children"):
                children.append(sub)
        queue.extend(children)


def _fix_ids(root) -> None:
    """Replace folium's random element ids by a counter in tree order (same bytes each run)."""
    for counter, el in enumerate(e for e in _walk(root) if hasattr(e, "_id")):
        el._id = f"geo{counter:05d}"


#: Where the layers' JSON blocks go in the page: a comment in the body, before the script
#: that reads them, replaced once the templates are rendered.
_DATA_SLOT = "<!-- geo-disputed: layer data -->"


def _insert_data(html: str, figure) -> str:
    """The rendered page with each element's `geo_data` as a JSON block and the title.

    folium/branca render each element's script as a Jinja2 template and then the result a
    second time, so text inside a template would be read as template (`{{ 7*7 }}` shown as
    49, `{{ lipsum.__globals__ ... }}` running code). Report, zone, place and title text is
    therefore never given to a template: it is written here, into the finished page, as
    JSON with `<`, `>` and `&` escaped (no `</script>` or `<!--` can close or open anything)
    and, for the <title>, HTML-escaped.
    """
    blocks = [f'<script type="application/json" id="geo-data-{el.get_name()}">'
              f"{_js(el.geo_data)}</script>"
              for el in _walk(figure) if hasattr(el, "geo_data")]
    at = html.find(_DATA_SLOT)
    if at < 0:
        raise MapError("the map page has no place for its data (it was not built by build_map)")
    html = html[:at] + "\n".join(blocks) + html[at + len(_DATA_SLOT):]
    title = getattr(figure, "geo_title", None)
    if title:
        head = html.find("<head>") + len("<head>")
        html = html[:head] + f"\n<title>{escape(title)}</title>" + html[head:]
    return html


def build_map(events, zones=None, mentions=None, *, title: str | None = None,
              self_contained: bool = False, tiles: str | None = None):
    """Build the Leaflet map of events, zones and places mentioned.

    Parameters
    ----------
    events : GeoDataFrame with geo.schema.EVENT_COLUMNS (geometry None for unlocated events),
        or a geo.events.EventsResult (its `.events`, and `.mentions` when `mentions` is None)
    zones : GeoDataFrame with ZONE_COLUMNS, or None
    mentions : GeoDataFrame with MENTION_COLUMNS (the "Places mentioned" layer), or None
    title : shown on the map and as the page title
    self_contained : no tile layers (the offline basemap, with a note), for
        `save_map(..., self_contained=True)`
    tiles : the background: "none" (settings.MAP_TILES_DEFAULT: the offline basemap drawn
        from the page, no tile requests at all), or "osm", "light", "satellite" (that tile
        layer shown, the others and the offline basemap offered in the layer switcher)

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError when there is nothing to draw (no located event and no zone), or for tiles that
    are not known or not possible offline
    """
    folium, *_ = _folium()
    tiles = (tiles or settings.MAP_TILES_DEFAULT).lower()
    if tiles not in settings.MAP_TILES:
        raise MapError(f"tiles: {tiles!r} is not one of {', '.join(settings.MAP_TILES)}")
    if self_contained and tiles != "none":
        raise MapError(f"tiles: a self-contained map requests nothing from the network, so it "
                       f"has no {tiles} tiles (use the offline basemap: tiles none)")
    if hasattr(events, "events"):
        if mentions is None:
            mentions = getattr(events, "mentions", None)
        events = events.events
    if events is None:
        raise MapError("no events given to map")
    bounds, zone_bounds = _Bounds(), _Bounds()
    # One layer per dataset: the events coded from reports ("Events"), and those read from
    # ACLED or UCDP exports each as their own layer, so either can be switched off and the
    # analyst sees where the codings differ.
    layers = [(EVENT_LAYER_NAMES.get(name, name), dict(events_data(part, bounds), dataset=name))
              for name, part in _by_dataset(events)]
    ev = _merged(layers)
    zd = zones_data(zones, zone_bounds) if zones is not None and len(zones) else None
    if not ev["ev"] and not (zd and zd["geojson"]["features"]):
        unlocated = len(events)
        raise MapError(
            "nothing to map: no located events and no zones"
            + (f" ({unlocated} event(s) have no resolvable place)" if unlocated else
               " (the input has no events)"))
    pdata = places_data(mentions, events)
    title = title or settings.MAP_DEFAULT_TITLE

    GeoMap = _cls("GeoMap")
    m = GeoMap(location=None, tiles=None, max_zoom=settings.MAP_MAX_ZOOM, control_scale=True,
               zoom_control=True)
    # Leaflet takes maxZoom from tile layers; without tiles markercluster needs it on the map
    # itself (folium #1395), so set it in both cases.
    m.options["maxZoom"] = settings.MAP_MAX_ZOOM
    m.options["minZoom"] = 2
    page = _cls("GeoFigure")()
    page.add_child(m)
    page.geo_title = title  # written into the rendered page, never into a template
    page.html.add_child(folium.Element(_DATA_SLOT), name="geo_data")
    m.add_child(_cls("Plugin")(), name="geo_plugin")
    # The background: the offline basemap, and tile layers only when asked for (a map that
    # asks no one for tiles tells no tile server which area is being watched).
    m.add_child(_cls("BasemapLayer")(basemap_data(), show=(tiles == "none")), name="geo_basemap")
    if tiles != "none":
        import xyzservices.providers as xyz

        for key, (provider, label) in settings.MAP_TILES.items():
            if provider is None:
                continue
            tp = xyz.query_name(provider)
            folium.TileLayer(tiles=tp.build_url(), attr=tp.html_attribution, name=label,
                             max_zoom=settings.MAP_MAX_ZOOM,
                             max_native_zoom=tp.get("max_zoom", settings.MAP_MAX_ZOOM),
                             show=(key == tiles), overlay=False, control=True).add_to(m)
    if zd:
        m.add_child(_cls("ZonesLayer")(zd), name="geo_zones")
    shown = [k for k, (_, data) in enumerate(layers) if data["ev"]] or [0]
    for k, (label, data) in enumerate(layers):
        if k in shown:
            m.add_child(_cls("EventsLayer")(data, name=label),
                        name="geo_events" + (f"_{k}" if k else ""))
    if pdata["places"]:
        m.add_child(_cls("PlacesLayer")(pdata), name="geo_places")
    # The legend lists what the map draws, nothing more.
    present_types = {ev["types"][e[2]] for e in ev["ev"]}
    present_families = {ev["families"][e[3]] for e in ev["ev"]}
    kinds = {f["properties"]["kind"] for f in zd["geojson"]["features"]} if zd else set()
    corrected = sum(1 for c in _column(events, "corrected", len(events)) if _text(c))
    drawn = [layers[k][1]["dataset"] for k in shown if layers[k][1]["ev"]]
    m.add_child(_cls("Legend")(legend_data(present_types, kinds, present_families,
                                           clusters=len(ev["ev"]) > 1, corrected=corrected,
                                           datasets=drawn)),
                name="geo_legend")
    # The date filter's range: whole ISO days only (its boxes take YYYY-MM-DD).
    dates = sorted(e[4] for e in ev["ev"] if _ISO_DAY_RE.match(e[4]))
    controls = {
        "title": title,
        "offline": ("Offline map: no background tiles; the basemap is drawn from this file"
                    if self_contained else ""),
        "search": _search_entries(ev, zd, pdata, events, mentions),
        "listId": "geo-search-list",
        "maxZoom": FIT_MAX_ZOOM,
        "maxShown": SEARCH_MAX_SHOWN,
        "dates": [dates[0], dates[-1]] if dates else None,
    }
    m.add_child(_cls("MapControls")(controls), name="geo_controls")
    # Fullscreen and distance/area measure: the plugin's own (no registry package ships them
    # for this Leaflet), so the offline page needs nothing more.
    m.add_child(_cls("Tools")(), name="geo_tools")
    m.add_child(folium.LayerControl(position="topright", collapsed=True), name="geo_layers")
    # The view fits the located events with a margin (the zones are drawn, but a built-in set
    # covering the whole disputed belt would otherwise set the view); the zones' bounds only
    # when no event is located. Fitted in the browser once the controls exist, clear of them.
    view = bounds.padded(margin=FIT_MARGIN) if not bounds.empty else zone_bounds.padded()
    m.add_child(_cls("FitView")(view, FIT_MAX_ZOOM), name="geo_fit_view")
    m._geo_self_contained = self_contained
    _fix_ids(m.get_root())
    return m


def render_html(m, *, self_contained: bool = False) -> str:
    """The map's HTML page; with `self_contained`, every script and stylesheet inlined."""
    _fix_ids(m.get_root())
    html = m.get_root().render()
    if self_contained:
        from geo._assets import inline_assets

        html = inline_assets(html)
    return html


def save_map(m, path, *, self_contained: bool = False) -> Path:
    """Write the map to `path` (atomically: a failure leaves an earlier file as it was).

    With `self_contained`, scripts and stylesheets are inlined from the installed packages
    (xstatic-leaflet, ...; see geo._assets) and the page needs no network; build the map
    with `self_contained=True` too, so it has no tile layers.
    """
    from geo._atomic import atomic_files

    path = Path(path)
    if not path.parent.is_dir():
        raise MapError(f"{path}: folder {path.parent} does not exist")
    html = render_html(m, self_contained=self_contained)
    with atomic_files([path]) as (tmp,):
        tmp.write_bytes(html.encode("utf-8"))
    return path


@dataclass
class MapResult:
    """What `map_inputs` did: the file, counts, the reports that could not be read and the
    zones that could not be built (the map is written without them) and the zones' warnings
    (a missing description or source)."""

    path: Path
    events: int
    located: int
    zones: int
    reports: int
    failures: list[str] = field(default_factory=list)
    zone_errors: list[str] = field(default_factory=list)
    zone_warnings: list[str] = field(default_factory=list)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


_UNRESOLVED_RE = re.compile(r"\(unresolved: ([^)]*)\)")


def _nothing_to_map(result, events, located: int, named: str) -> str | None:
    """Why there is nothing to map (the message of the MapError), or None."""
    failures = list(result.failures)
    failed = f"; {_count(len(failures), 'report')} could not be read" if failures else ""
    if not result.reports and getattr(result, "datasets", None) and len(events):
        return None  # an ACLED / UCDP export: its events are located already
    if not result.reports:
        if failures:
            more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
            return f"no report could be read from {named}: {failures[0]}{more}"
        return f"no report found in {named}"
    reports = _count(len(result.reports), "report")
    if not len(events):
        return f"no event found in the {reports} of {named}{failed}"
    if located:
        return None
    unresolved: list[str] = []
    for text in _column(events, "warnings", len(events)):
        for names in _UNRESOLVED_RE.findall(_text(text)):
            unresolved += [n.strip() for n in names.split(",")
                           if n.strip() and n.strip() not in unresolved]
    without = sum(1 for w in _column(events, "warnings", len(events))
                  if "no resolvable place" in _text(w))
    detail = (f"{_count(without, 'event')} with no resolvable place" if without == len(events)
              else f"{_count(without, 'event')} with no resolvable place, "
                   f"{len(events) - without} with no coordinates")
    if unresolved:
        shown = ", ".join(unresolved[:10]) + (", ..." if len(unresolved) > 10 else "")
        detail += f"; names not in the gazetteer: {shown}"
    return (f"{_count(len(events), 'event')} in the {reports} of {named}, none located "
            f"({detail}){failed}")


def map_inputs(inputs: Iterable[str | Path] = (), out: str | Path | None = None,
               title: str | None = None, self_contained: bool = False,
               zone_files: Iterable[str | Path] = (), fmt: str = "auto",
               gazetteer=None, correct=None, tiles: str | None = None) -> MapResult:
    """Map the events of report files or folders `inputs` (what `geo map` does).

    With no inputs, maps settings.SEEDS_DIR into settings.MAPS_DIR/seeds.html; otherwise
    the default output is MAPS_DIR/<first input's name>.html (MAPS_DIR: `maps/` of the
    current folder, created when the map is written). `zone_files` are the user's
    zone files (as `geo zones --zones`: added to the built-in zones and $GEO_ZONES, a zone
    with a built-in zone's id replaces it); zones that cannot be built are left out and listed
    in `.zone_errors`. `fmt` is the input format (geo.reports.read_reports), `gazetteer` the
    one to resolve places with (the built-in one when None), `correct` an analyst's
    corrections (geo.corrections.Corrector) applied before zones are joined.

    Raises MapError ("nothing to map: ...", no file written) when no event is located: no
    report found or readable, no event in the reports, or no event with a place; and an
    ExportError, before any report is read, for an output folder that cannot be written or
    an output that is one of the inputs.
    """
    from geo import pipeline
    from geo._atomic import check_folder
    from geo._outputs import check_outputs_not_inputs

    inputs = [str(p) for p in inputs] or [str(settings.SEEDS_DIR)]
    default_out = out is None
    if default_out:
        stem = Path(inputs[0].rstrip("/\\")).stem or "map"
        if stem == "-":
            stem = "stdin"
        out = settings.MAPS_DIR / f"{stem}.html"
    out = Path(out)
    if default_out and not out.parent.exists():  # maps/ is made once there is a map
        check_folder(out.parent.parent, out)
    else:
        check_folder(out.parent, out)
    check_outputs_not_inputs([out], inputs)
    layers = pipeline.run(inputs, gazetteer=gazetteer, fmt=fmt, correct=correct,
                          zone_files=zone_files)
    located = layers.located
    why = _nothing_to_map(layers, layers.events, located, ", ".join(inputs))
    if why:
        raise MapError(f"nothing to map: {why}")
    m = build_map(layers.events, layers.zones, layers.mentions, title=title,
                  self_contained=self_contained, tiles=tiles)
    if default_out:
        out.parent.mkdir(parents=True, exist_ok=True)
    save_map(m, out, self_contained=self_contained)
    return MapResult(path=out, events=len(layers.events), located=located,
                     zones=len(layers.zones), reports=layers.sources,
                     failures=list(layers.failures), zone_errors=list(layers.zone_errors),
                     zone_warnings=list(layers.zone_warnings))
