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

_FA_CSS = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_MC = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"

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


_HELPERS_JS = r"""
window.geoDisputed = window.geoDisputed || {};
(function (G) {
  G.MARGIN = 8;      // px between a popup (or the fitted data) and an overlay
  G.MIN_FREE = 240;  // px of map a padding must leave free, else it is dropped
  // Each layer's data: a JSON block of the page (<script type="application/json">), written
  // into the page after folium has rendered it, so no report text is ever template text.
  G.data = function (name) {
    return JSON.parse(document.getElementById('geo-data-' + name).textContent);
  };
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
    // admin: "Kirkuk governorate, Hawija district", empty when it would repeat the place
    G.row(d, 'Place', [p[9], p[10]].filter(Boolean).join(' \u2014 '));
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
  G.zoneSection = function (d, z) {
    d.appendChild(G.el('div', 'geo-popup-title', z.name));
    G.row(d, 'Kind', String(z.kind).replace(/_/g, ' '));
    G.row(d, 'Area', z.area_km2 === null ? '' : '\u2248 ' + z.area_km2 + ' km\u00b2');
    G.row(d, 'Approximate', z.approximate ? 'yes: drawn from public reporting, not surveyed positions' : 'no');
    G.row(d, 'Source', z.source);
    if (z.description) d.appendChild(G.el('p', 'geo-zone-description', z.description));
    G.row(d, 'Zone id', z.zone_id);
    return d;
  };
  G.zonePopup = function (z) {
    return G.fitPopup(G.zoneSection(G.el('div', 'geo-popup'), z));
  };
  // Every zone at a point: the zone clicked (or opened) first, then the others that contain
  // the point, smallest first. One zone: its own popup; several: one popup listing each.
  G.zonesPopup = function (layer, latlng) {
    var found = latlng ? G.zonesAt(latlng) : [];
    var others = found.filter(function (l) { return l !== layer; });
    if (!others.length) return G.zonePopup(layer.feature.properties);
    var all = [layer].concat(others), d = G.el('div', 'geo-popup geo-zones-popup');
    d.appendChild(G.el('div', 'geo-popup-count', all.length + ' zones at this point'));
    all.forEach(function (l) {
      d.appendChild(G.zoneSection(G.el('div', 'geo-zone-section'), l.feature.properties));
    });
    return G.fitPopup(d);
  };
  // The zone layers whose polygons contain `latlng`, smallest area first. Tested in Web
  // Mercator, where Leaflet draws the polygons' edges as straight lines; even-odd over every
  // ring, so holes are out.
  G.zonesAt = function (latlng) {
    if (!G.zones) return [];
    var proj = L.Projection.SphericalMercator, pt = proj.project(L.latLng(latlng));
    function rings(g, out) {
      if (!g) return out;
      if (g.type === 'Polygon') out.push.apply(out, g.coordinates);
      else if (g.type === 'MultiPolygon') g.coordinates.forEach(function (c) { out.push.apply(out, c); });
      else if (g.type === 'GeometryCollection') g.geometries.forEach(function (x) { rings(x, out); });
      return out;
    }
    function prepare(l) {
      if (l.geoRings) return l.geoRings;
      var box = [Infinity, Infinity, -Infinity, -Infinity];
      var rs = rings(l.feature.geometry, []).map(function (r) {
        return r.map(function (c) {
          var q = proj.project(L.latLng(c[1], c[0]));
          box = [Math.min(box[0], q.x), Math.min(box[1], q.y), Math.max(box[2], q.x),
                 Math.max(box[3], q.y)];
          return [q.x, q.y];
        });
      });
      l.geoRings = {rings: rs, box: box};
      return l.geoRings;
    }
    function inside(l) {
      var g = prepare(l), b = g.box, x = pt.x, y = pt.y, odd = false;
      if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
      g.rings.forEach(function (r) {
        for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
          if ((r[i][1] > y) !== (r[j][1] > y)
              && x < (r[j][0] - r[i][0]) * (y - r[i][1]) / (r[j][1] - r[i][1]) + r[i][0]) odd = !odd;
        }
      });
      return odd;
    }
    var area = function (l) { var a = l.feature.properties.area_km2; return a === null ? Infinity : a; };
    return G.zones.getLayers().filter(function (l) { return l.feature && inside(l); })
      .sort(function (a, b) { return area(a) - area(b); });
  };
  // Search: names compared without case, accents or punctuation ("sulai" finds Sulaimani,
  // "qaratapa hamrin" the Qaratapa-Hamrin front). Ranked: the whole name, then names
  // starting with the text, then a word starting with it, then the text anywhere; within
  // each, shorter names first ("sulai": Sulaimani before Sulaiman Bek), then A to Z.
  G.norm = function (s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/[\s\-\u2010-\u2015_'\u2019.,;:()\/]+/g, ' ').trim();
  };
  // keys: the names through G.norm (done once, not at each key press)
  G.rankMatches = function (keys, text) {
    var q = G.norm(text), out = [];
    if (!q) return out;
    keys.forEach(function (k, i) {
      var r = k === q ? 0 : k.indexOf(q) === 0 ? 1
              : (' ' + k).indexOf(' ' + q) >= 0 ? 2 : k.indexOf(q) >= 0 ? 3 : -1;
      if (r >= 0) out.push([r, k.length, i]);
    });
    out.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return out.map(function (x) { return x[2]; });
  };
  // A real calendar date written YYYY-MM-DD (the date filter's inputs).
  G.isoDate = function (v) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return false;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
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
  // bottom. On a narrow map (a phone) the side bands would leave no room: the title bar and
  // the offline note stack along the top, the corner controls below them, and the bands run
  // along the top (down to the lowest top control) and the bottom (up to the legend) instead.
  // Every popup shares the two padding arrays (Leaflet reads them each time it pans) and
  // G.updatePadding refills them when the layout changes (start, resize, fullscreen).
  G.padTL = [G.MARGIN, G.MARGIN];
  G.padBR = [G.MARGIN, G.MARGIN];
  G.MARKER_BELOW = 26; // px of an event's marker below its popup's tip, kept in view too
  G.TITLE_MIN = 220;   // px the title bar needs between the top controls, else narrow layout
  G.NOTE_MIN = 200;    // ... and the offline note between the bottom controls
  G.popupOptions = function () {
    return {maxWidth: G.POPUP_WIDTH, autoPanPaddingTopLeft: G.padTL,
            autoPanPaddingBottomRight: G.padBR};
  };
  // The boxes of the visible elements matching `sel` in container `c`, relative to it.
  G.boxes = function (c, sel) {
    var cr = c.getBoundingClientRect(), out = [], els = c.querySelectorAll(sel);
    for (var i = 0; i < els.length; i++) {
      var r = els[i].getBoundingClientRect();
      if (r.width && r.height) out.push({l: r.left - cr.left, t: r.top - cr.top,
                                         r: r.right - cr.left, b: r.bottom - cr.top});
    }
    return out;
  };
  G.max = function (boxes, f, start) {
    return boxes.reduce(function (m, b) { return Math.max(m, f(b)); }, start || 0);
  };
  // Wide: the title bar (and the offline note) between the corner controls beside them.
  // Narrow (when either would get less than its minimum): both stacked along the top, full
  // width, and the top corner controls moved down below them. The legend folds behind its
  // "Legend" button on a narrow map, and on a short one where it would reach up to the top
  // right controls. Measured in the wide layout each time, so the choice does not flip.
  G.layout = function (map) {
    var c = map.getContainer(), W = c.clientWidth;
    var title = c.querySelector('.geo-title'), note = c.querySelector('.geo-offline');
    var tops = c.querySelectorAll('.leaflet-top'), i;
    L.DomUtil.removeClass(c, 'geo-narrow'); L.DomUtil.removeClass(c, 'geo-fold-legend');
    for (i = 0; i < tops.length; i++) tops[i].style.top = '';
    [title, note].forEach(function (e) { if (e) { e.style.maxWidth = ''; e.style.top = ''; } });
    function side(v) {
      var l = G.boxes(c, '.leaflet-' + v + '.leaflet-left .leaflet-control');
      var r = G.boxes(c, '.leaflet-' + v + '.leaflet-right .leaflet-control');
      return Math.max(G.max(l, function (b) { return b.r; }),
                      G.max(r, function (b) { return W - b.l; }));
    }
    var roomTop = W - 2 * side('top') - 2 * G.MARGIN;
    var roomBottom = W - 2 * side('bottom') - 2 * G.MARGIN;
    G.narrow = !((!title || roomTop >= G.TITLE_MIN) && (!note || roomBottom >= G.NOTE_MIN));
    if (!G.narrow) {
      if (title) title.style.maxWidth = roomTop + 'px';
      if (note) note.style.maxWidth = roomBottom + 'px';
      var legend = G.boxes(c, '.leaflet-right .geo-legend');
      var topRight = G.max(G.boxes(c, '.leaflet-top.leaflet-right .leaflet-control'),
                           function (b) { return b.b; });
      if (legend.length && legend[0].t < topRight + G.MARGIN)
        L.DomUtil.addClass(c, 'geo-fold-legend');
      return false;
    }
    L.DomUtil.addClass(c, 'geo-narrow'); L.DomUtil.addClass(c, 'geo-fold-legend');
    var y = G.MARGIN;
    [title, note].forEach(function (e) {
      if (!e) return;
      e.style.top = y + 'px';
      y += e.offsetHeight + 4;
    });
    // Leaflet's corner controls have a 10px top margin of their own.
    for (i = 0; i < tops.length; i++) tops[i].style.top = Math.max(0, y - 8) + 'px';
    return true;
  };
  G.overlayPadding = function (map) {
    G.layout(map);
    var c = map.getContainer(), W = c.clientWidth, H = c.clientHeight;
    var left = 0, right = 0, top = 0, bottom = 0;
    G.boxes(c, '.geo-title, .geo-offline').forEach(function (b) {
      if (b.t < H / 2) top = Math.max(top, b.b); else bottom = Math.max(bottom, H - b.t);
    });
    left = G.max(G.boxes(c, '.leaflet-left .leaflet-control'), function (b) { return b.r; });
    right = G.max(G.boxes(c, '.leaflet-right .leaflet-control'), function (b) { return W - b.l; });
    if (W - left - right - 2 * G.MARGIN < G.MIN_FREE) {
      // No room beside the controls: bands above and below them instead, if those leave room.
      left = right = 0;
      var t = G.max(G.boxes(c, '.leaflet-top .leaflet-control'), function (b) { return b.b; }, top);
      var b = G.max(G.boxes(c, '.leaflet-bottom .leaflet-control'),
                    function (x) { return H - x.t; }, bottom);
      if (H - t - b - 2 * G.MARGIN >= G.MIN_FREE) { top = t; bottom = b; }
    }
    left += G.MARGIN; right += G.MARGIN; top += G.MARGIN; bottom += G.MARGIN;
    // A small window: no band rather than a padding that leaves no room at all.
    if (W - left - right < G.MIN_FREE) left = right = G.MARGIN;
    if (H - top - bottom < G.MIN_FREE) top = bottom = G.MARGIN;
    return {tl: [left, top], br: [right, bottom]};
  };
  // The popups' padding: the bands, and below a popup room for the marker it points at (a
  // popup opens above its marker; without this, autopan leaves the marker at the very edge).
  G.updatePadding = function (map) {
    var p = G.overlayPadding(map), size = map.getSize();
    G.bands = p;  // what the view keeps clear of (fitBounds), without the marker's room
    G.padTL[0] = p.tl[0]; G.padTL[1] = p.tl[1];
    G.padBR[0] = p.br[0]; G.padBR[1] = p.br[1] + G.MARKER_BELOW;
    G.free = [size.x - G.padTL[0] - G.padBR[0], size.y - G.padTL[1] - G.padBR[1]];
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
.geo-dates input { font: 12px ui-monospace, Menlo, Consolas, monospace; width: 96px;
  box-sizing: border-box; padding: 1px 4px; }
.geo-dates input.geo-invalid { border: 1px solid #c62828; background: #fff0f0; }
.geo-date-msg { color: #b71c1c; max-width: 230px; margin-top: 2px; }
.geo-date-msg:empty { display: none; }
.marker-cluster.geo-cluster { background: rgba(38, 50, 56, .3); border-radius: 50%; }
.marker-cluster.geo-cluster div { box-sizing: border-box; width: auto; height: auto;
  position: absolute; inset: 4px; margin: 0; border-radius: 50%; background: #263238;
  border: 1px solid #fff; color: #fff; display: flex; align-items: center;
  justify-content: center; font: 600 12px/1 system-ui, sans-serif; }
.marker-cluster.geo-cluster span { line-height: 1; }
.geo-legend .geo-cluster-swatch { display: inline-block; min-width: 18px; height: 18px;
  margin-right: 5px; border-radius: 50%; background: #263238; color: #fff; font: 600 10px/18px
  system-ui, sans-serif; text-align: center; vertical-align: middle; }
/* above the zoom buttons below it, for its list of matches */
.leaflet-top .geo-search { position: relative; z-index: 810; }
.geo-search input { width: 240px; font-size: 12px; box-sizing: border-box; }
.geo-search-list, .geo-search-msg { position: absolute; left: -1px; top: 100%; margin: 2px 0 0;
  padding: 2px 0; list-style: none; background: #fff; border: 1px solid rgba(0,0,0,.3);
  border-radius: 4px; box-shadow: 0 2px 6px rgba(0,0,0,.3); min-width: calc(100% + 2px);
  width: max-content; box-sizing: border-box; overflow-y: auto; z-index: 1;
  font: 12px/1.35 system-ui, sans-serif; }
.geo-search-msg { padding: 4px 8px; color: #b71c1c; max-width: 260px; }
.geo-search-msg:empty, .geo-search-list[hidden] { display: none; }
.geo-search-item { padding: 3px 8px; cursor: pointer; white-space: normal; }
.geo-search-item[aria-selected=true], .geo-search-item:hover { background: #e3edf7; }
.geo-search-item mark { background: none; font-weight: 700; color: inherit; }
.geo-search-kind { color: #666; font-size: 11px; margin-left: 6px; }
.geo-search-more { padding: 3px 8px; color: #666; font-style: italic; }
.geo-popup-count { font-weight: 600; color: #444; margin-bottom: 4px; }
.geo-zone-section + .geo-zone-section { border-top: 1px solid #ccc; margin-top: 6px;
  padding-top: 6px; }
/* A clicked zone gets the keyboard focus (so Tab and Enter work from there): no browser box
   around the whole path, a thicker edge when the focus came from the keyboard. */
.leaflet-container path.leaflet-interactive:focus { outline: none; }
.leaflet-container path.leaflet-interactive:focus-visible { stroke-width: 4px; stroke-opacity: 1; }
.geo-popup-open .leaflet-tooltip-pane { display: none; }
/* Narrow maps (a phone): the title bar and the offline note along the top, full width, the
   corner controls below them (their top set in JS), smaller boxes. */
.geo-narrow .geo-title, .geo-narrow .geo-offline { left: 8px; right: 8px; transform: none;
  max-width: none; }
.geo-narrow .geo-title { font-size: 13px; padding: 3px 8px; }
.geo-narrow .geo-offline { bottom: auto; text-align: center; }
.geo-narrow .geo-search input { width: 150px; }
.geo-narrow .geo-date-range { display: flex; flex-direction: column; align-items: flex-start; }
.geo-narrow .geo-date-msg { max-width: 130px; }
/* The legend folded (narrow or short maps): a "Legend" button that opens and shuts it. */
.geo-legend-toggle { display: none; }
.geo-fold-legend .geo-legend-toggle { display: block; padding: 0; border: 0; background: none;
  font: 600 12px/1.6 system-ui, sans-serif; cursor: pointer; color: inherit; }
.geo-fold-legend .geo-legend-toggle::after { content: " \\25b8"; }
.geo-fold-legend .geo-legend-open .geo-legend-toggle::after { content: " \\25be"; }
.geo-fold-legend .geo-legend:not(.geo-legend-open) .geo-legend-body { display: none; }
"""


def _element_classes():
    """The map's element classes, made on first use (folium is imported lazily)."""
    folium, MacroElement, JSCSSMixin, Layer, Template = _folium()
    from branca.element import Figure

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
})(window.geoDisputed, {{ this.get_name() }}, window.geoDisputed.data('{{ this.get_name() }}'));
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Events", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "EventsLayer"
            self.geo_data = data
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
      var p = f.properties, label = p.name + ' (' + String(p.kind).replace(/_/g, ' ')
                                    + (p.approximate ? ', approximate' : '') + ')';
      l.bindTooltip(G.el('span', null, label), {sticky: true});
      // The popup lists every zone at the point clicked (Leaflet sets the popup's place
      // before it asks for the content); from the keyboard, at the zone's centre.
      l.bindPopup(function () { return G.zonesPopup(l, l.getPopup().getLatLng()); },
                  G.popupOptions());
      // Reachable with Tab, opened with Enter (Leaflet's keypress handler); the focus ring
      // is a thicker edge (CSS), not the browser's box around the whole path.
      l.on('add', function () {
        if (!l._path) return;
        l._path.setAttribute('tabindex', '0');
        l._path.setAttribute('role', 'button');
        l._path.setAttribute('aria-label', label);
      });
    }
  });
  G.zones = layer;
  return layer;
})(window.geoDisputed, window.geoDisputed.data('{{ this.get_name() }}'));
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Zones", show: bool = True):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "ZonesLayer"
            self.geo_data = data

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
})(window.geoDisputed, window.geoDisputed.data('{{ this.get_name() }}'));
{% endmacro %}
""")

        def __init__(self, data: dict, name: str = "Places mentioned", show: bool = False):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "PlacesLayer"
            self.geo_data = data

    class Legend(MacroElement):
        """Event types, actor icons and zone kinds, bottom right; on a narrow map folded
        behind a "Legend" button (so it does not take a third of a phone's screen)."""

        _template = Template("""
{% macro script(this, kwargs) %}
(function (G, map) {
  G.control(map, 'bottomright', 'geo-legend', function (box) {
    var toggle = G.el('button', 'geo-legend-toggle', 'Legend'), div = G.el('div', 'geo-legend-body');
    toggle.type = 'button'; toggle.setAttribute('aria-expanded', 'false');
    toggle.addEventListener('click', function () {
      var open = !L.DomUtil.hasClass(box, 'geo-legend-open');
      if (open) L.DomUtil.addClass(box, 'geo-legend-open');
      else L.DomUtil.removeClass(box, 'geo-legend-open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      G.updatePadding(map);
    });
    div.innerHTML = G.data('{{ this.get_name() }}');
    box.appendChild(toggle); box.appendChild(div);
  });
})(window.geoDisputed, {{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, html: str):
            super().__init__()
            self._name = "Legend"
            self.geo_data = html

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
  // No tooltip over an open popup: tooltips are hidden while one is open.
  map.on('popupopen', function () { L.DomUtil.addClass(map.getContainer(), 'geo-popup-open'); });
  map.on('popupclose', function () { L.DomUtil.removeClass(map.getContainer(), 'geo-popup-open'); });
  // Search by place or zone name: any part of the name, any case; a list of the matches
  // (text nodes only) under the box, Enter takes the first (or the one chosen with the
  // arrow keys), and a note when nothing matches.
  if (D.search.length) G.control(map, 'topleft', 'geo-search', function (div) {
    var input = G.el('input'), list = G.el('ul', 'geo-search-list');
    var msg = G.el('div', 'geo-search-msg'), names = D.search.map(function (s) { return s[0]; });
    var keys = names.map(G.norm);
    var shown = [], active = -1, corner = null;
    input.type = 'search'; input.placeholder = 'Search place or zone\u2026';
    input.setAttribute('aria-label', 'Search a place or zone');
    input.setAttribute('role', 'combobox'); input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false'); input.setAttribute('aria-controls', D.listId);
    input.autocomplete = 'off'; input.spellcheck = false;
    list.id = D.listId; list.setAttribute('role', 'listbox'); list.hidden = true;
    msg.setAttribute('role', 'status'); msg.setAttribute('aria-live', 'polite');
    // keep the focus in the box while a match is clicked
    list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    function raise(on) {  // the list above the other corners' controls (and the title bar)
      corner = corner || div.parentNode;
      if (corner) corner.style.zIndex = on ? '1001' : '';
    }
    function close() {
      list.hidden = true; list.textContent = ''; shown = []; active = -1;
      input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant');
      raise(!!msg.textContent);
    }
    function note(text) { msg.textContent = text; raise(!!text || !list.hidden); }
    function goTo(i) {
      var s = D.search[i];
      input.value = s[0]; close(); note('');
      // A zone: its bounds, clear of the overlays; a place: the zoom of its type.
      if (Array.isArray(s[1][0])) G.fitBounds(map, s[1], D.maxZoom, true);
      else map.setView([s[1][0], s[1][1]], s[1][2]);
      return true;
    }
    function choose(n) {
      var items = list.querySelectorAll('[role=option]');
      if (!items.length) return;
      active = (n + items.length) % items.length;
      for (var k = 0; k < items.length; k++)
        items[k].setAttribute('aria-selected', k === active ? 'true' : 'false');
      input.setAttribute('aria-activedescendant', items[active].id);
      items[active].scrollIntoView({block: 'nearest'});
    }
    function update() {
      var text = input.value.trim(), found = G.rankMatches(keys, text);
      close();
      if (!G.norm(text)) { note(''); return found; }
      if (!found.length) { note('No place or zone matches \u201c' + text + '\u201d'); return found; }
      note('');
      shown = found.slice(0, D.maxShown);
      var c = map.getContainer().getBoundingClientRect(), r = div.getBoundingClientRect();
      list.style.maxWidth = Math.max(160, c.right - r.left - 2 * G.MARGIN) + 'px';
      list.style.maxHeight = Math.max(120, Math.min(320, c.bottom - r.bottom - 4 * G.MARGIN)) + 'px';
      shown.forEach(function (i, n) {
        var li = G.el('li', 'geo-search-item'), s = D.search[i];
        li.id = D.listId + '-' + n; li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.appendChild(G.highlight(s[0], text));
        li.appendChild(G.el('span', 'geo-search-kind', Array.isArray(s[1][0]) ? 'zone' : 'place'));
        li.addEventListener('click', function () { goTo(i); });
        list.appendChild(li);
      });
      if (found.length > shown.length)
        list.appendChild(G.el('li', 'geo-search-more', (found.length - shown.length)
                              + ' more: type more of the name'));
      list.hidden = false; input.setAttribute('aria-expanded', 'true'); raise(true);
      return found;
    }
    function go() {
      if (!G.norm(input.value)) { close(); note(''); return false; }
      var found = shown.length ? shown : update();
      if (!found.length) { update(); return false; }
      return goTo(active >= 0 && active < shown.length ? shown[active] : found[0]);
    }
    input.addEventListener('input', update);
    input.addEventListener('focus', function () { if (input.value) update(); });
    input.addEventListener('blur', function () { close(); note(''); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); go(); }
      else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (list.hidden) update();
        choose(active < 0 ? (e.key === 'ArrowDown' ? 0 : -1) : active + (e.key === 'ArrowDown' ? 1 : -1));
      } else if (e.key === 'Escape') { close(); note(''); }
    });
    div.appendChild(input); div.appendChild(list); div.appendChild(msg);
    G.search = function (text) { if (text !== undefined) input.value = text; return go(); };
    G.searchMatches = function (text) {
      return G.rankMatches(keys, text).map(function (i) { return names[i]; });
    };
    G.searchInput = input;
  });
  // Date filter over the events (event date, else published date; undated events stay).
  // Text boxes taking YYYY-MM-DD (a date box would show the browser's locale, 10/04/2023).
  if (G.events && D.dates) G.control(map, 'topright', 'geo-dates', function (div) {
    var layer = G.events, all = layer.geoMarkers;
    var from = G.el('input'), to = G.el('input'), count = G.el('div', 'geo-count');
    var msg = G.el('div', 'geo-date-msg'), range = G.el('div', 'geo-date-range');
    msg.setAttribute('role', 'status'); msg.setAttribute('aria-live', 'polite');
    [[from, 'From', D.dates[0]], [to, 'To', D.dates[1]]].forEach(function (x) {
      var i = x[0];
      i.type = 'text'; i.value = x[2]; i.placeholder = 'YYYY-MM-DD'; i.maxLength = 10;
      i.size = 10; i.autocomplete = 'off'; i.spellcheck = false;
      i.setAttribute('pattern', '[0-9]{4}-[0-9]{2}-[0-9]{2}');
      i.setAttribute('aria-label', x[1] + ' date, YYYY-MM-DD');
      i.title = x[1] + ' date, YYYY-MM-DD (the events run from ' + D.dates[0] + ' to '
                + D.dates[1] + ')';
    });
    var a = D.dates[0], b = D.dates[1];
    // While typing, a box that is not (yet) a date changes nothing; once left (or on Enter)
    // it is marked and the note says why. An empty box is no limit.
    function apply(done) {
      var bad = [];
      [from, to].forEach(function (i) {
        var v = i.value.trim(), ok = v === '' || G.isoDate(v);
        if (ok || done || v.length >= 10) {
          i.classList.toggle('geo-invalid', !ok);
          i.setAttribute('aria-invalid', ok ? 'false' : 'true');
        }
        if (!ok) bad.push(i);
      });
      if (bad.length) {
        if (done || bad.some(function (i) { return i.value.trim().length >= 10; }))
          msg.textContent = 'Not a date: \u201c' + bad[0].value.trim()
                            + '\u201d; write it YYYY-MM-DD, e.g. ' + D.dates[0];
        return;
      }
      a = from.value.trim(); b = to.value.trim();
      msg.textContent = a && b && a > b ? 'The first date is after the second' : '';
      var keep = all.filter(function (m) {
        return !m.geoDate || ((!a || m.geoDate >= a) && (!b || m.geoDate <= b));
      });
      layer.clearLayers(); layer.addLayers(keep);
      count.textContent = keep.length + ' of ' + all.length + ' events shown';
    }
    [from, to].forEach(function (i) {
      i.addEventListener('input', function () { apply(false); });
      i.addEventListener('change', function () { apply(true); });
      i.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(true); });
    });
    div.appendChild(G.el('b', null, 'Event dates')); range.appendChild(from);
    range.appendChild(G.el('span', 'geo-date-sep', ' to ')); range.appendChild(to);
    div.appendChild(range); div.appendChild(count); div.appendChild(msg);
    count.textContent = all.length + ' of ' + all.length + ' events shown';
    G.filterDates = function (a, b) { from.value = a || ''; to.value = b || ''; apply(true); };
    G.dateInputs = [from, to];
  });
})(window.geoDisputed, {{ this._parent.get_name() }}, window.geoDisputed.data('{{ this.get_name() }}'));
{% endmacro %}
""")

        def __init__(self, data: dict):
            super().__init__()
            self._name = "MapControls"
            self.geo_data = data

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

    class GeoFigure(Figure):
        """The page: folium's Figure, with the map's data and title written in after the
        templates are rendered (see `_insert_data`), whatever renders it (`save_map`,
        `m.save`, a notebook's `_repr_html_`)."""

        def render(self, **kwargs) -> str:
            return _insert_data(super().render(**kwargs), self)

    class GeoMap(folium.Map):
        """folium.Map without the assets this map does not use (jQuery, Bootstrap,
        awesome-markers): fewer requests, and fewer files to inline offline."""

        default_js = [("leaflet", _LEAFLET_JS)]
        default_css = [("leaflet_css", _LEAFLET_CSS)]

    return dict(Helpers=Helpers, EventsLayer=EventsLayer, ZonesLayer=ZonesLayer,
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


def _precision(geo_precision: Any, where_prec: Any) -> str:
    parts = []
    g, w = _int(geo_precision), _int(where_prec)
    if g is not None:
        parts.append(f"ACLED {g} ({GEO_PRECISION.get(g, '?')})")
    if w is not None:
        parts.append(f"UCDP {w} ({WHERE_PREC.get(w, '?')})")
    return "; ".join(parts)


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
        admin = admin_units(col["location"][i], col["admin1"][i], col["admin2"][i])
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
    page = _cls("GeoFigure")()
    page.add_child(m)
    page.geo_title = title  # written into the rendered page, never into a template
    page.html.add_child(folium.Element(_DATA_SLOT), name="geo_data")
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
    # The date filter's range: whole ISO days only (its boxes take YYYY-MM-DD).
    dates = sorted(e[4] for e in ev["ev"] if _ISO_DAY_RE.match(e[4]))
    controls = {
        "title": title,
        "offline": ("Offline map: no background tiles, vector layers only"
                    if self_contained else ""),
        "search": _search_entries(ev, zd, pdata, events, mentions),
        "listId": "geo-search-list",
        "maxZoom": FIT_MAX_ZOOM,
        "maxShown": SEARCH_MAX_SHOWN,
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
