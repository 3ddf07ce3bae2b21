"""Leaflet maps (folium) of events, zones and the places reports mention.

`build_map(events, zones, mentions)` returns a `folium.Map` (a notebook shows it);
`save_map(m, path)` writes it, with `self_contained=True` as one HTML file that needs no
network; `map_inputs(inputs)` is what `geo map` does.

Each layer is one class that renders itself (folium's way): `EventsLayer`, `ZonesLayer`,
`PlacesLayer`, `Legend`, `MapControls` and `FitView` (the first view: the located events with
a margin). The title bar and controls sit above Leaflet's popup pane, so popups pan clear of
them: their autopan paddings are measured from those overlays in the browser.

Report text never reaches the page as HTML: layers carry their data as JSON (with `<`, `>`,
`&` and line separators escaped) and popups, tooltips and the search list are built in the
browser from DOM text nodes, so `<script>`, `onerror=` and `${...}` in a report show as text
and run nothing. The same input gives the same bytes:
folium's random element ids are replaced by a counter per map.
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

_FA_CSS = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_MC = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"

_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_ICON_RE = re.compile(r"^[a-z0-9-]+$")

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
    """A cell as plain text: None, NaN and pandas' NA become ""."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return str(value)


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


_HELPERS_JS = r"""
window.geoDisputed = window.geoDisputed || {};
(function (G) {
  G.MARGIN = 8;      // px between a popup (or the fitted data) and an overlay
  G.MIN_FREE = 240;  // px of map a padding must leave free, else it is dropped
  G.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  G.row = function (parent, label, value) {
    if (value === undefined || value === null || value === '') return;
    var r = G.el('div', 'geo-row');
    r.appendChild(G.el('b', null, label + ': '));
    r.appendChild(value instanceof Node ? value : document.createTextNode(String(value)));
    parent.appendChild(r);
  };
  G.safeUrl = function (u) { return /^https?:\/\//i.test(u || '') ? u : null; };
  G.highlight = function (text, word) {
    var span = G.el('span');
    if (!word) { span.textContent = text; return span; }
    var lt = text.toLowerCase(), lw = word.toLowerCase(), i = 0, j;
    if (lt.length !== text.length) { span.textContent = text; return span; }
    while ((j = lt.indexOf(lw, i)) >= 0) {
      span.appendChild(document.createTextNode(text.slice(i, j)));
      span.appendChild(G.el('mark', null, text.slice(j, j + word.length)));
      i = j + word.length;
    }
    span.appendChild(document.createTextNode(text.slice(i)));
    return span;
  };
  // p: [title, published, event_date, source, url, event_type, sub_event_type, actor1,
  //     actor2, location, admin, precision, coordinates, evidence, evidence_place,
  //     report_id, zones, event_id]
  G.eventPopup = function (p) {
    var d = G.el('div', 'geo-popup');
    d.appendChild(G.el('div', 'geo-popup-title', p[0] || '(untitled report)'));
    G.row(d, 'Published', p[1] || 'unknown');
    G.row(d, 'Event date', p[2] || 'unknown');
    var src = p[3], u = G.safeUrl(p[4]);
    if (u) { src = G.el('a', null, p[3] || u); src.href = u; src.target = '_blank';
             src.rel = 'noopener noreferrer'; }
    G.row(d, 'Source', src || 'unknown');
    G.row(d, 'Event type', p[5] + (p[6] ? ' \u2014 ' + p[6] : ''));
    G.row(d, 'Actors', [p[7], p[8]].filter(Boolean).join(' \u2014 '));
    G.row(d, 'Place', p[9] + (p[10] ? ' (' + p[10] + ')' : ''));
    G.row(d, 'Precision', p[11]);
    G.row(d, 'Coordinates', p[12]);
    G.row(d, 'Zones', p[16]);
    if (p[13]) {
      var q = G.el('blockquote', 'geo-evidence');
      q.appendChild(G.highlight(p[13], p[14]));
      d.appendChild(q);
    }
    G.row(d, 'Report', p[15]);
    return G.fitPopup(d);
  };
  G.zonePopup = function (z) {
    var d = G.el('div', 'geo-popup');
    d.appendChild(G.el('div', 'geo-popup-title', z.name));
    G.row(d, 'Kind', String(z.kind).replace(/_/g, ' '));
    G.row(d, 'Area', z.area_km2 === null ? '' : '\u2248 ' + z.area_km2 + ' km\u00b2');
    G.row(d, 'Approximate', z.approximate ? 'yes: drawn from public reporting, not surveyed positions' : 'no');
    G.row(d, 'Source', z.source);
    if (z.description) d.appendChild(G.el('p', 'geo-zone-description', z.description));
    G.row(d, 'Zone id', z.zone_id);
    return G.fitPopup(d);
  };
  G.placePopup = function (p) {
    var d = G.el('div', 'geo-popup');
    d.appendChild(G.el('div', 'geo-popup-title', p[2]));
    G.row(d, 'Type', p[3]);
    G.row(d, 'Mentioned in', p[4] + ' report(s)');
    G.row(d, 'Coordinates', p[0] + ', ' + p[1]);
    return G.fitPopup(d);
  };
  // Overlays (the title bar, the offline note and every control) sit above the map's panes,
  // popups included, so popups pan clear of them: the corner controls make a band along the
  // left and right sides, the title bar one along the top, the offline note one along the
  // bottom. Every popup shares these two arrays (Leaflet reads them each time it pans) and
  // G.updatePadding refills them when the layout changes (start, resize, fullscreen).
  G.padTL = [G.MARGIN, G.MARGIN];
  G.padBR = [G.MARGIN, G.MARGIN];
  G.popupOptions = function () {
    return {maxWidth: G.POPUP_WIDTH, autoPanPaddingTopLeft: G.padTL,
            autoPanPaddingBottomRight: G.padBR};
  };
  G.overlayPadding = function (map) {
    var c = map.getContainer(), cr = c.getBoundingClientRect(), W = cr.width, H = cr.height;
    var left = 0, right = 0, top = 0, bottom = 0;
    function each(sel, f) {
      var els = c.querySelectorAll(sel);
      for (var i = 0; i < els.length; i++) {
        var r = els[i].getBoundingClientRect();
        if (r.width && r.height) f(r.left - cr.left, r.top - cr.top, r.right - cr.left,
                                   r.bottom - cr.top);
      }
    }
    each('.leaflet-left .leaflet-control', function (l, t, r) { left = Math.max(left, r); });
    each('.leaflet-right .leaflet-control', function (l) { right = Math.max(right, W - l); });
    // The title bar (and the offline note) fit between the corner controls beside them.
    [['.geo-title', '.leaflet-top'], ['.geo-offline', '.leaflet-bottom']].forEach(function (x) {
      var side = 0, els = c.querySelectorAll(x[0]);
      each(x[1] + '.leaflet-left .leaflet-control', function (l, t, r) { side = Math.max(side, r); });
      each(x[1] + '.leaflet-right .leaflet-control', function (l) { side = Math.max(side, W - l); });
      for (var i = 0; i < els.length; i++)
        els[i].style.maxWidth = Math.max(120, W - 2 * side - 2 * G.MARGIN) + 'px';
    });
    each('.geo-title', function (l, t, r, b) { top = Math.max(top, b); });
    each('.geo-offline', function (l, t) { bottom = Math.max(bottom, H - t); });
    left += G.MARGIN; right += G.MARGIN; top += G.MARGIN; bottom += G.MARGIN;
    // A small window: no band rather than a padding that leaves no room at all.
    if (W - left - right < G.MIN_FREE) left = right = G.MARGIN;
    if (H - top - bottom < G.MIN_FREE) top = bottom = G.MARGIN;
    return {tl: [left, top], br: [right, bottom]};
  };
  G.updatePadding = function (map) {
    var p = G.overlayPadding(map), size = map.getSize();
    G.padTL[0] = p.tl[0]; G.padTL[1] = p.tl[1]; G.padBR[0] = p.br[0]; G.padBR[1] = p.br[1];
    G.free = [size.x - p.tl[0] - p.br[0], size.y - p.tl[1] - p.br[1]];
    return p;
  };
  // A popup's content no larger than the free space between the overlays (less the popup's
  // own margins and tip), so autopan can always show all of it, close button included.
  G.fitPopup = function (d) {
    if (!G.free) return d;
    d.style.maxWidth = Math.max(160, G.free[0] - 50) + 'px';
    d.style.maxHeight = Math.max(120, G.free[1] - 60) + 'px';
    d.style.overflowY = 'auto';
    return d;
  };
  G.fitBounds = function (map, bounds, maxZoom, animate) {
    var p = G.updatePadding(map);
    map.fitBounds(bounds, {paddingTopLeft: p.tl, paddingBottomRight: p.br, maxZoom: maxZoom,
                           animate: !!animate});
  };
  // The first view, once every control is in place: the data's bounds clear of the overlays.
  G.fitView = function (map, bounds, maxZoom) {
    G.fitBounds(map, bounds, maxZoom);
    map.on('resize', function () { G.updatePadding(map); });
  };
  G.control = function (map, position, cls, build) {
    var C = L.Control.extend({ onAdd: function () {
      var div = L.DomUtil.create('div', 'leaflet-bar geo-control ' + cls);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      build(div);
      return div;
    }});
    var c = new C({ position: position });
    c.addTo(map);
    return c;
  };
})(window.geoDisputed);
"""

_HELPERS_CSS = """
.geo-control { background: #fff; padding: 6px 8px; font: 12px/1.4 system-ui, sans-serif; }
.geo-popup { font: 13px/1.4 system-ui, sans-serif; }
.geo-popup-title { font-weight: 600; font-size: 14px; margin-bottom: 4px; }
.geo-row { margin: 1px 0; }
.geo-evidence { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #999; background: #f6f6f6;
  font-style: italic; }
.geo-evidence mark { background: #ffe066; font-style: normal; }
.geo-event .geo-pin { display: flex; align-items: center; justify-content: center; width: 22px;
  height: 22px; border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.6);
  color: #fff; font-size: 11px; box-sizing: border-box; }
.geo-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255,255,255,.92); padding: 4px 12px; border-radius: 4px; font: 600 15px
  system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 50%; text-align: center;
  box-sizing: border-box; }
.geo-offline { position: absolute; bottom: 24px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: #fff8d6; border: 1px solid #d8c36a; padding: 3px 10px;
  border-radius: 4px; font: 12px system-ui, sans-serif; box-sizing: border-box; }
.geo-legend .geo-swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #555; }
.geo-legend .geo-round { border-radius: 50%; }
.geo-legend i { width: 14px; text-align: center; margin-right: 5px; }
.geo-legend h4 { margin: 4px 0 2px; font-size: 12px; }
.geo-dates input { font-size: 11px; width: 120px; }
.marker-cluster.geo-cluster { background: rgba(38, 50, 56, .3); border-radius: 50%; }
.marker-cluster.geo-cluster div { box-sizing: border-box; width: auto; height: auto;
  position: absolute; inset: 4px; margin: 0; border-radius: 50%; background: #263238;
  border: 1px solid #fff; color: #fff; display: flex; align-items: center;
  justify-content: center; font: 600 12px/1 system-ui, sans-serif; }
.marker-cluster.geo-cluster span { line-height: 1; }
.geo-legend .geo-cluster-swatch { display: inline-block; min-width: 18px; height: 18px;
  margin-right: 5px; border-radius: 50%; background: #263238; color: #fff; font: 600 10px/18px
  system-ui, sans-serif; text-align: center; vertical-align: middle; }
.geo-search input { width: 180px; font-size: 12px; }
"""


def _element_classes():
    """The map's element classes, made on first use (folium is imported lazily)."""
    folium, MacroElement, JSCSSMixin, Layer, Template = _folium()

    class Helpers(MacroElement):
        """Shared JS (DOM builders for popups and controls) and CSS; added first."""

        _template = Template(
            "{% macro header(this, kwargs) %}<style>" + _HELPERS_CSS + "</style>{% endmacro %}"
            "{% macro script(this, kwargs) %}" + _HELPERS_JS
            + "window.geoDisputed.POPUP_WIDTH = {{ this.popup_width }};\n{% endmacro %}")

        def __init__(self):
            super().__init__()
            self._name = "GeoHelpers"
            self.popup_width = int(settings.MAP_POPUP_MAX_WIDTH)

    class EventsLayer(JSCSSMixin, Layer):
        """Events as markers coloured by event type, with an icon per actor family, clustered
        in the browser (Leaflet.markercluster; spiderfied at the same place).
        Popups are built on click from the JSON data, as text nodes."""

        default_js = [("markerclusterjs", _MC + "leaflet.markercluster.js")]
        default_css = [("markerclustercss", _MC + "MarkerCluster.css"),
                       ("markerclusterdefaultcss", _MC + "MarkerCluster.Default.css"),
                       ("fontawesome_css", _FA_CSS)]
        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.markerClusterGroup({chunkedLoading: false,
    maxClusterRadius: {{ this.radius }}, spiderfyOnMaxZoom: true, showCoverageOnHover: false,
    // A neutral cluster (dark slate, white count), not markercluster's green/yellow/orange,
    // which would read as event types.
    iconCreateFunction: function (c) {
      var n = c.getChildCount(), s = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
      return L.divIcon({html: '<div><span>' + n + '</span></div>',
                        className: 'marker-cluster geo-cluster', iconSize: L.point(s, s)});
    }});
(function (G, layer, D) {
  var icons = {};
  function icon(t, f) {
    var k = t + '_' + f;
    if (!icons[k]) {
      // colours and icon names are checked in Python (#rrggbb, [a-z0-9-]+)
      var pin = '<span class="geo-pin" style="background:' + D.colors[t] + '"><i class="fa fa-'
                + D.icons[f] + '"></i></span>';
      icons[k] = L.divIcon({className: 'geo-event', html: pin, iconSize: [22, 22],
                            iconAnchor: [11, 11], popupAnchor: [0, -10]});
    }
    return icons[k];
  }
  function popup(m) { return G.eventPopup(D.pop[m.geoIndex]); }
  var all = new Array(D.ev.length);
  for (var i = 0; i < D.ev.length; i++) {
    var e = D.ev[i];
    var m = L.marker([e[0], e[1]], {icon: icon(e[2], e[3])});
    m.geoIndex = i; m.geoDate = e[4];
    m.bindPopup(popup, G.popupOptions());
    all[i] = m;
  }
  layer.geoMarkers = all;
  G.events = layer;
  // After the view is set (FitView's fitBounds comes later in this script): a zoom while
  // markercluster is still loading chunks breaks it.
  // (chunkedLoading is off: markercluster 1.1.0 throws when the view changes mid-load.)
  setTimeout(function () { layer.addLayers(all); G.ready = true; }, 0);
})(window.geoDisputed, {{ this.get_name() }}, {{ this.data }});
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Events", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "EventsLayer"
            self.data = _js(data)
            self.radius = int(settings.MAP_CLUSTER_RADIUS)

    class ZonesLayer(Layer):
        """Zones as semi-transparent polygons coloured by kind, with tooltip and popup."""

        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (G, D) {
  var layer = L.geoJSON(D.geojson, {
    style: function (f) {
      var c = D.colors[f.properties.kind] || '#555555';
      return {color: c, weight: 2, fillColor: c, fillOpacity: D.opacity};
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip(G.el('span', null, p.name + ' (' + String(p.kind).replace(/_/g, ' ')
                         + (p.approximate ? ', approximate' : '') + ')'), {sticky: true});
      l.bindPopup(function () { return G.zonePopup(p); }, G.popupOptions());
    }
  });
  G.zones = layer;
  return layer;
})(window.geoDisputed, {{ this.data }});
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Zones", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "ZonesLayer"
            self.data = _js(data)

    class PlacesLayer(Layer):
        """Places reports mention that are not an event's place: small grey dots."""

        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (G, D) {
  var layer = L.featureGroup();
  D.places.forEach(function (p) {
    var m = L.circleMarker([p[0], p[1]], {radius: 4, color: D.colour, weight: 1,
                                          fillColor: D.colour, fillOpacity: 0.7});
    m.bindTooltip(G.el('span', null, p[2] + ' (' + p[3] + ')'));
    m.bindPopup(function () { return G.placePopup(p); }, G.popupOptions());
    m.addTo(layer);
  });
  G.places = layer;
  return layer;
})(window.geoDisputed, {{ this.data }});
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Places mentioned", show: bool = False):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "PlacesLayer"
            self.data = _js(data)

    class Legend(MacroElement):
        """Event types, actor icons and zone kinds, bottom right."""

        _template = Template("""
{% macro script(this, kwargs) %}
window.geoDisputed.control({{ this._parent.get_name() }}, 'bottomright', 'geo-legend',
  function (div) { div.innerHTML = {{ this.html }}; });
{% endmacro %}
""")

        def __init__(self, html: str):
            super().__init__()
            self._name = "Legend"
            self.html = _js(html)

    class MapControls(MacroElement):
        """Title, offline note, mouse position, place search and the date filter."""

        _template = Template("""
{% macro script(this, kwargs) %}
(function (G, map, D) {
  var title = G.el('div', 'geo-title', D.title);
  map.getContainer().appendChild(title);
  if (D.offline) map.getContainer().appendChild(G.el('div', 'geo-offline', D.offline));
  G.map = map;
  // Mouse position in lat/lon.
  G.control(map, 'bottomleft', 'geo-mouse', function (div) {
    div.textContent = 'lat, lon';
    map.on('mousemove', function (e) {
      div.textContent = e.latlng.lat.toFixed(5) + ', ' + e.latlng.lng.toFixed(5);
    });
  });
  // Search by place name.
  if (D.search.length) G.control(map, 'topleft', 'geo-search', function (div) {
    var input = G.el('input'), list = G.el('datalist');
    list.id = D.listId; input.setAttribute('list', D.listId); input.type = 'search';
    input.placeholder = 'Search a place\u2026'; input.setAttribute('aria-label', 'Search a place');
    D.search.forEach(function (s) { var o = G.el('option'); o.value = s[0]; list.appendChild(o); });
    function go() {
      var v = input.value.trim().toLowerCase();
      for (var i = 0; i < D.search.length; i++) {
        var s = D.search[i];
        if (s[0].toLowerCase() === v) {
          // A zone: its bounds, clear of the overlays; a place: the zoom of its type.
          if (Array.isArray(s[1][0])) G.fitBounds(map, s[1], D.maxZoom, true);
          else map.setView([s[1][0], s[1][1]], s[1][2]);
          return true;
        }
      }
      return false;
    }
    input.addEventListener('change', go);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') go(); });
    div.appendChild(input); div.appendChild(list);
    G.search = go; G.searchInput = input;
  });
  // Date filter over the events (event date, else published date; undated events stay).
  if (G.events && D.dates) G.control(map, 'topright', 'geo-dates', function (div) {
    var layer = G.events, all = layer.geoMarkers;
    var from = G.el('input'), to = G.el('input'), count = G.el('div', 'geo-count');
    [from, to].forEach(function (i) { i.type = 'date'; i.min = D.dates[0]; i.max = D.dates[1]; });
    from.value = D.dates[0]; to.value = D.dates[1];
    from.setAttribute('aria-label', 'From date'); to.setAttribute('aria-label', 'To date');
    function apply() {
      var a = from.value, b = to.value;
      var keep = all.filter(function (m) {
        return !m.geoDate || ((!a || m.geoDate >= a) && (!b || m.geoDate <= b));
      });
      layer.clearLayers(); layer.addLayers(keep);
      count.textContent = keep.length + ' of ' + all.length + ' events shown';
    }
    from.addEventListener('change', apply); to.addEventListener('change', apply);
    div.appendChild(G.el('b', null, 'Event dates')); div.appendChild(G.el('br'));
    div.appendChild(from); div.appendChild(G.el('span', null, ' to ')); div.appendChild(to);
    div.appendChild(count);
    count.textContent = all.length + ' of ' + all.length + ' events shown';
    G.filterDates = function (a, b) { from.value = a || ''; to.value = b || ''; apply(); };
  });
})(window.geoDisputed, {{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}
""")

        def __init__(self, data: dict):
            super().__init__()
            self._name = "MapControls"
            self.data = _js(data)

    class FitView(MacroElement):
        """The first view: the events' bounds (the zones' when no event is located), fitted
        clear of the title bar and controls; added after every control."""

        _template = Template("""
{% macro script(this, kwargs) %}
window.geoDisputed.fitView({{ this._parent.get_name() }}, {{ this.bounds }}, {{ this.max_zoom }});
{% endmacro %}
""")

        def __init__(self, bounds: list, max_zoom: int):
            super().__init__()
            self._name = "FitView"
            self.bounds = _js(bounds)
            self.max_zoom = int(max_zoom)

    class GeoMap(folium.Map):
        """folium.Map without the assets this map does not use (jQuery, Bootstrap,
        awesome-markers): fewer requests, and fewer files to inline offline."""

        default_js = [("leaflet", _LEAFLET_JS)]
        default_css = [("leaflet_css", _LEAFLET_CSS)]

    return dict(Helpers=Helpers, EventsLayer=EventsLayer, ZonesLayer=ZonesLayer,
                PlacesLayer=PlacesLayer, Legend=Legend, MapControls=MapControls, FitView=FitView,
                GeoMap=GeoMap)


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


def _precision(geo_precision: Any, where_prec: Any) -> str:
    parts = []
    g, w = _int(geo_precision), _int(where_prec)
    if g is not None:
        parts.append(f"ACLED {g} ({GEO_PRECISION.get(g, '?')})")
    if w is not None:
        parts.append(f"UCDP {w} ({WHERE_PREC.get(w, '?')})")
    return "; ".join(parts)


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
        "evidence", "evidence_place", "report_id", "zones", "event_id")}
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
        admin = ", ".join(p for p in (_text(col["admin2"][i]), _text(col["admin1"][i])) if p)
        pop.append([
            _text(col["title"][i]), _text(col["published"][i]), _text(col["event_date"][i]),
            _text(col["source"][i]), _text(col["url"][i]), etype,
            _text(col["sub_event_type"][i]), actor, _text(col["actor2"][i]),
            _text(col["location"][i]), admin,
            _precision(col["geo_precision"][i], col["where_prec"][i]),
            f"{lat:.{settings.MAP_COORD_DECIMALS}f}, {lon:.{settings.MAP_COORD_DECIMALS}f}",
            _text(col["evidence"][i]), _text(col["evidence_place"][i]),
            _text(col["report_id"][i]), _text(col["zones"][i]), _text(col["event_id"][i]),
        ])
        if bounds is not None:
            bounds.add(lat, lon, lat, lon)
    return {"types": types, "colors": [type_colours[t] for t in types],
            "families": families, "icons": [icon_names[f] for f in families],
            "ev": ev, "pop": pop}


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
        area = cols["area_km2"][i]
        try:
            area = None if area is None or math.isnan(float(area)) else round(float(area), 1)
        except (TypeError, ValueError):
            area = None
        props = {"zone_id": _text(cols["zone_id"][i]), "name": _text(cols["name"][i]),
                 "kind": _text(cols["kind"][i]), "description": _text(cols["description"][i]),
                 "source": _text(cols["source"][i]), "area_km2": area,
                 "approximate": bool(cols["approximate"][i]) if cols["approximate"][i] is not None
                 else False}
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


def legend_html(event_types: Iterable[str] | None = None,
                zone_kinds: Iterable[str] | None = None,
                actor_families: Iterable[str] | None = None, *, clusters: bool = False) -> str:
    """The legend's HTML (every name escaped): event types, actor icons, zone kinds.

    Each of `event_types`, `zone_kinds` and `actor_families` names the entries to list, in the
    order of data/styles.yaml; None lists them all and an empty collection drops the section
    (the map passes what it draws). `clusters` adds the cluster symbol.
    """
    st = styles()

    def keep(names, wanted):
        return [n for n in names if wanted is None or n in wanted]

    parts = []
    types = keep(st["event_types"], None if event_types is None else set(event_types))
    if types:
        parts.append("<h4>Event type</h4>")
        for name in types:
            colour = st["event_types"][name]
            parts.append(f'<div><span class="geo-swatch geo-round" '
                         f'style="background:{escape(colour)}"></span>{escape(name)}</div>')
    families = keep(st["actor_icons"], None if actor_families is None else set(actor_families))
    if families:
        parts.append("<h4>First actor</h4>")
        for family in families:
            label = family.replace("_", " ").capitalize()
            icon = st["actor_icons"][family]
            parts.append(f'<div><i class="fa fa-{escape(icon)}"></i>{escape(label)}</div>')
    if clusters:
        parts.append('<div><span class="geo-cluster-swatch">n</span>Cluster of n events</div>')
    kinds = keep(st["zone_kinds"], None if zone_kinds is None else set(zone_kinds))
    if kinds:
        parts.append("<h4>Zone kind</h4>")
        for kind in kinds:
            colour = st["zone_kinds"][kind]
            parts.append(f'<div><span class="geo-swatch" style="background:{escape(colour)};'
                         f'opacity:.7"></span>{escape(kind.replace("_", " "))}</div>')
    return "".join(parts)


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

def _fix_ids(root) -> None:
    """Replace folium's random element ids by a counter in tree order (same bytes each run)."""
    counter = 0
    stack = [root]
    seen = set()
    while stack:
        el = stack.pop(0)
        if id(el) in seen:
            continue
        seen.add(id(el))
        if hasattr(el, "_id"):
            el._id = f"geo{counter:05d}"
            counter += 1
        children = list(getattr(el, "_children", {}).values())
        for attr in ("header", "html", "script"):
            sub = getattr(el, attr, None)
            if sub is not None and hasattr(sub, "_children"):
                children.append(sub)
        stack.extend(children)


def build_map(events, zones=None, mentions=None, *, title: str | None = None,
              self_contained: bool = False):
    """Build the Leaflet map of events, zones and places mentioned.

    Parameters
    ----------
    events : GeoDataFrame with geo.schema.EVENT_COLUMNS (geometry None for unlocated events),
        or a geo.events.EventsResult (its `.events`, and `.mentions` when `mentions` is None)
    zones : GeoDataFrame with ZONE_COLUMNS, or None
    mentions : GeoDataFrame with MENTION_COLUMNS (the "Places mentioned" layer), or None
    title : shown on the map and as the page title
    self_contained : no tile layers (vector layers on a plain background, with a note), for
        `save_map(..., self_contained=True)`

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError when there is nothing to draw (no located event and no zone)
    """
    folium, *_ = _folium()
    if hasattr(events, "events"):
        if mentions is None:
            mentions = getattr(events, "mentions", None)
        events = events.events
    if events is None:
        raise MapError("no events given to map")
    bounds, zone_bounds = _Bounds(), _Bounds()
    ev = events_data(events, bounds)
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
    m.get_root().title = escape(title)
    m.add_child(_cls("Helpers")(), name="geo_helpers")
    if self_contained:
        # No tiles: the map's own background colour shows behind the vector layers.
        m.get_root().header.add_child(folium.Element(
            f"<style>.leaflet-container {{ background: {settings.MAP_OFFLINE_BACKGROUND} !important; }}</style>"),
            name="geo_offline_style")
    else:
        import xyzservices.providers as xyz

        for i, (provider, label) in enumerate(settings.MAP_BASE_LAYERS):
            tp = xyz.query_name(provider)
            folium.TileLayer(tiles=tp.build_url(), attr=tp.html_attribution, name=label,
                             max_zoom=settings.MAP_MAX_ZOOM,
                             max_native_zoom=tp.get("max_zoom", settings.MAP_MAX_ZOOM),
                             show=(i == 0), overlay=False, control=True).add_to(m)
    if zd:
        m.add_child(_cls("ZonesLayer")(zd), name="geo_zones")
    m.add_child(_cls("EventsLayer")(ev), name="geo_events")
    if pdata["places"]:
        m.add_child(_cls("PlacesLayer")(pdata), name="geo_places")
    # The legend lists what the map draws, nothing more.
    present_types = {ev["types"][e[2]] for e in ev["ev"]}
    present_families = {ev["families"][e[3]] for e in ev["ev"]}
    kinds = {f["properties"]["kind"] for f in zd["geojson"]["features"]} if zd else set()
    m.add_child(_cls("Legend")(legend_html(present_types, kinds, present_families,
                                           clusters=len(ev["ev"]) > 1)), name="geo_legend")
    dates = sorted(e[4] for e in ev["ev"] if e[4])
    controls = {
        "title": title,
        "offline": ("Offline map: no background tiles, vector layers only"
                    if self_contained else ""),
        "search": _search_entries(ev, zd, pdata, events, mentions),
        "listId": "geo-search-list",
        "maxZoom": FIT_MAX_ZOOM,
        "dates": [dates[0], dates[-1]] if dates else None,
    }
    m.add_child(_cls("MapControls")(controls), name="geo_controls")
    from folium import plugins

    m.add_child(plugins.Fullscreen(position="topleft"), name="geo_fullscreen")
    m.add_child(plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                       secondary_length_unit="meters",
                                       primary_area_unit="sqkilometers"), name="geo_measure")
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

    With `self_contained`, scripts and stylesheets are inlined from the local npm copies
    (settings.ASSETS_DIR) and the page needs no network; build the map with
    `self_contained=True` too, so it has no tile layers.
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
               zone_files: Iterable[str | Path] = ()) -> MapResult:
    """Map the events of report files or folders `inputs` (what `geo map` does).

    With no inputs, maps settings.SEEDS_DIR into settings.MAPS_DIR/seeds.html; otherwise
    the default output is MAPS_DIR/<first input's name>.html. `zone_files` are the user's
    zone files (as `geo zones --zones`: added to the built-in zones and $GEO_ZONES, a zone
    with a built-in zone's id replaces it); zones that cannot be built are left out and listed
    in `.zone_errors`.

    Raises MapError ("nothing to map: ...", no file written) when no event is located: no
    report found or readable, no event in the reports, or no event with a place.
    """
    from geo.events import events_from_inputs
    from geo.zones import assign_zones, build_zones

    inputs = [str(p) for p in inputs] or [str(settings.SEEDS_DIR)]
    default_out = out is None
    if default_out:
        stem = Path(inputs[0].rstrip("/\\")).stem or "map"
        if stem == "-":
            stem = "stdin"
        out = settings.MAPS_DIR / f"{stem}.html"
    out = Path(out)
    if not default_out and not out.parent.is_dir():
        raise MapError(f"{out}: folder {out.parent} does not exist")
    result = events_from_inputs(inputs)
    events = result.events
    located = int(sum(1 for g in events.geometry if g is not None and not g.is_empty))
    why = _nothing_to_map(result, events, located, ", ".join(inputs))
    if why:
        raise MapError(f"nothing to map: {why}")
    built = build_zones(tuple(str(f) for f in zone_files))
    zones = built.zones
    events = assign_zones(events, zones)
    m = build_map(events, zones, result.mentions, title=title, self_contained=self_contained)
    if default_out:
        out.parent.mkdir(parents=True, exist_ok=True)
    save_map(m, out, self_contained=self_contained)
    return MapResult(path=out, events=len(events), located=located, zones=len(zones),
                     reports=len(result.reports), failures=list(result.failures),
                     zone_errors=list(built.errors),
                     zone_warnings=list(getattr(built, "warnings", None) or []))
