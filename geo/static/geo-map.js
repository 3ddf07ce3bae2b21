/* geo-disputed's Leaflet plugin: popups, search, date filter, legend and layout of the maps
 * `geo map` writes (geo/render.py). The Python side passes data only: each element of the
 * page has a JSON block (<script type="application/json" id="geo-data-NAME">) that the
 * functions below read and draw. Report text is only ever put into the page as DOM text
 * nodes (textContent), never as HTML, so markup in a report shows as text and runs nothing.
 * Text elements carry dir="auto", so Arabic and Kurdish reports read right to left.
 *
 * Everything hangs off window.geoDisputed (G below); the browser tests drive it from there.
 */
window.geoDisputed = window.geoDisputed || {};
(function (G) {
  'use strict';
  G.MARGIN = 8;      // px between a popup (or the fitted data) and an overlay
  G.MIN_FREE = 240;  // px of map a padding must leave free, else it is dropped
  G.POPUP_WIDTH = 380;

  // Each element's data: a JSON block of the page, written after folium rendered it, so no
  // report text is ever template text.
  G.data = function (name) {
    return JSON.parse(document.getElementById('geo-data-' + name).textContent);
  };
  G.configure = function (D) {
    G.POPUP_WIDTH = D.popupWidth;
  };

  // --- DOM builders: text nodes only -----------------------------------------------------
  G.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  // Text from a report, a zone file or the gazetteer: its direction from its own first
  // strong letter (Arabic and Sorani right to left), isolated from the text around it.
  G.text = function (tag, cls, text) {
    var e = G.el(tag, cls, text);
    e.dir = 'auto';
    return e;
  };
  G.row = function (parent, label, value) {
    if (value === undefined || value === null || value === '') return;
    var r = G.el('div', 'geo-row');
    r.appendChild(G.el('b', null, label + ': '));
    r.appendChild(value instanceof Node ? value : G.text('bdi', null, String(value)));
    parent.appendChild(r);
  };
  G.safeUrl = function (u) { return /^https?:\/\//i.test(u || '') ? u : null; };
  // `text` with each occurrence of `word` (any case) in a <mark>. No dir of its own: it takes
  // the direction of the element it goes in (dir="auto" there skips children that set one),
  // and the marks are inline in the one text, so a right-to-left sentence keeps its order.
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

  // --- popups ------------------------------------------------------------------------------
  // p: [title, published, event_date, source, url, event_type, sub_event_type, actor1,
  //     actor2, location, admin, precision, coordinates, evidence, evidence_place,
  //     report_id, zones, event_id]
  G.eventPopup = function (p) {
    var d = G.el('div', 'geo-popup');
    d.appendChild(G.text('div', 'geo-popup-title', p[0] || '(untitled report)'));
    G.row(d, 'Published', p[1] || 'unknown');
    G.row(d, 'Event date', p[2] || 'unknown');
    var src = p[3], u = G.safeUrl(p[4]);
    if (u) { src = G.text('a', null, p[3] || u); src.href = u; src.target = '_blank';
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
      var q = G.text('blockquote', 'geo-evidence');
      q.appendChild(G.highlight(p[13], p[14]));
      d.appendChild(q);
    }
    G.row(d, p[18] ? p[18] + ' event' : 'Report', p[15]);
    return G.fitPopup(d);
  };
  G.zoneSection = function (d, z) {
    d.appendChild(G.text('div', 'geo-popup-title', z.name));
    G.row(d, 'Kind', String(z.kind).replace(/_/g, ' '));
    G.row(d, 'Area', z.area_km2 === null ? '' : '\u2248 ' + z.area_km2 + ' km\u00b2');
    G.row(d, 'Approximate', z.approximate ? 'yes: drawn from public reporting, not surveyed positions' : 'no');
    G.row(d, 'Source', z.source);
    if (z.description) d.appendChild(G.text('p', 'geo-zone-description', z.description));
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
  G.placePopup = function (p) {
    var d = G.el('div', 'geo-popup');
    d.appendChild(G.text('div', 'geo-popup-title', p[2]));
    G.row(d, 'Type', p[3]);
    G.row(d, 'Mentioned in', p[4] + ' report(s)');
    G.row(d, 'Coordinates', p[0] + ', ' + p[1]);
    return G.fitPopup(d);
  };

  // --- search and dates: pure functions -------------------------------------------------
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

  // --- layout: popups and the view clear of the overlays ------------------------------------
  // Overlays (the title bar, the offline note and every control) sit above the map's panes,
  // popups included, so popups pan clear of them: the corner controls make a band along the
  // left and right sides, the title bar one along the top, the offline note one along the
  // bottom. On a narrow map (a phone) the side bands would leave no room: the title bar and
  // the offline note stack along the top, the corner controls below them, and the bands run
  // along the top (down to the lowest top control) and the bottom (up to the legend) instead.
  // Every popup shares the two padding arrays (Leaflet reads them each time it pans) and
  // G.updatePadding refills them when the layout changes (start, resize, fullscreen).
  G.CORNER_CONTROL = '.leaflet-control:not(.leaflet-control-attribution)';
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
    // On a narrow map the attribution wraps and reaches across to the bottom left corner:
    // that corner's controls (the scale, the pointer's position) then stand on top of it.
    var bottomLeft = c.querySelector('.leaflet-bottom.leaflet-left');
    if (bottomLeft) {
      bottomLeft.style.bottom = '';
      var strip = G.boxes(c, '.leaflet-control-attribution')[0];
      var corner = G.boxes(c, '.leaflet-bottom.leaflet-left .leaflet-control');
      if (strip && corner.length && strip.l < G.max(corner, function (b) { return b.r; }))
        bottomLeft.style.bottom = (c.clientHeight - strip.t) + 'px';
    }
    [title, note].forEach(function (e) { if (e) { e.style.maxWidth = ''; e.style.top = ''; } });
    function side(v) {
      var l = G.boxes(c, '.leaflet-' + v + '.leaflet-left ' + G.CORNER_CONTROL);
      var r = G.boxes(c, '.leaflet-' + v + '.leaflet-right ' + G.CORNER_CONTROL);
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
    // The attribution is a strip along the bottom edge (as wide as its sources' names make
    // it), so it belongs to the bottom band: as a side band it would leave no room beside it.
    G.boxes(c, '.leaflet-control-attribution').forEach(function (b) {
      bottom = Math.max(bottom, H - b.t);
    });
    left = G.max(G.boxes(c, '.leaflet-left ' + G.CORNER_CONTROL), function (b) { return b.r; });
    right = G.max(G.boxes(c, '.leaflet-right ' + G.CORNER_CONTROL), function (b) { return W - b.l; });
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
  // D: {bounds: [[s, w], [n, e]], maxZoom}
  G.fitView = function (map, D) {
    G.fitBounds(map, D.bounds, D.maxZoom);
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

  // --- layers ------------------------------------------------------------------------------
  // Events as markers coloured by event type, with an icon per actor family, clustered
  // (Leaflet.markercluster; spiderfied at the same place). Popups are built on click.
  // D: {types, colors, families, icons, ev: [[lat, lon, type, family, date]], pop: [...],
  //     radius}
  G.eventsLayer = function (D) {
    var layer = L.markerClusterGroup({
      chunkedLoading: false, maxClusterRadius: D.radius, spiderfyOnMaxZoom: true,
      showCoverageOnHover: false,
      // A neutral cluster (dark slate, white count), not markercluster's green/yellow/orange,
      // which would read as event types.
      iconCreateFunction: function (c) {
        var n = c.getChildCount(), s = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
        var div = G.el('div'), span = G.el('span', null, n);
        div.appendChild(span);
        return L.divIcon({html: div, className: 'marker-cluster geo-cluster', iconSize: L.point(s, s)});
      }});
    var icons = {};
    function icon(t, f) {
      var k = t + '_' + f;
      if (!icons[k]) {
        // colours and icon names are checked in Python (#rrggbb, [a-z0-9-]+)
        // An ACLED or UCDP event's pin is square (the dataset's name checked in Python:
        // [A-Z]+), a report's round: the two codings tell apart where they overlap.
        var shape = D.dataset ? ' geo-pin-dataset' : '';
        var pin = '<span class="geo-pin' + shape + '" style="background:' + D.colors[t]
                  + '"><i class="fa fa-' + D.icons[f] + '"></i></span>';
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
    layer.geoData = D;
    // The first events layer (the reports' own) is G.events; ACLED and UCDP layers follow it
    // in G.eventLayers, and the date filter and timeline cover them all.
    G.eventLayers = (G.eventLayers || []).concat([layer]);
    if (!G.events) G.events = layer;
    // After the view is set (fitView comes later in the page's script): a zoom while
    // markercluster is still loading chunks breaks it.
    // Ready once every events layer holds its markers.
    G.pendingLayers = (G.pendingLayers || 0) + 1;
    setTimeout(function () {
      layer.addLayers(all);
      if (--G.pendingLayers === 0) G.ready = true;
    }, 0);
    return layer;
  };
  // Zones as semi-transparent polygons coloured by kind, with tooltip and popup.
  // D: {geojson, colors: {kind: colour}, opacity}
  G.zonesLayer = function (D) {
    var layer = L.geoJSON(D.geojson, {
      style: function (f) {
        var c = D.colors[f.properties.kind] || '#555555';
        return {color: c, weight: 2, fillColor: c, fillOpacity: D.opacity};
      },
      onEachFeature: function (f, l) {
        var p = f.properties, label = p.name + ' (' + String(p.kind).replace(/_/g, ' ')
                                      + (p.approximate ? ', approximate' : '') + ')';
        l.bindTooltip(G.text('span', null, label), {sticky: true});
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
  };
  // Places reports mention that are not an event's place: small grey dots.
  // D: {places: [[lat, lon, name, type, reports]], colour}
  G.placesLayer = function (D) {
    var layer = L.featureGroup();
    D.places.forEach(function (p) {
      var m = L.circleMarker([p[0], p[1]], {radius: 4, color: D.colour, weight: 1,
                                            fillColor: D.colour, fillOpacity: 0.7});
      m.bindTooltip(G.text('span', null, p[2] + ' (' + p[3] + ')'));
      m.bindPopup(function () { return G.placePopup(p); }, G.popupOptions());
      m.addTo(layer);
    });
    G.places = layer;
    return layer;
  };

  // --- the offline basemap ---------------------------------------------------------------
  // Drawn from the page's own data (data/basemap/basemap.json): no tile, no request. Lines on
  // one canvas in a pane above tiles and below the zones; labels in a pane above the zones,
  // each group shown from its zoom (governorate names at 6-8, district names and boundaries
  // from 9 and 8, cities from 7, towns 9, villages 12); Arabic and Kurdish names on hover.
  G.BASEMAP_STYLE = {
    lakes: {color: '#7aa6d0', weight: 1, fillColor: '#b9d3ec', fillOpacity: 1},
    rivers: {color: '#6a9fd4', weight: 1.4},
    coast: {color: '#7aa6d0', weight: 1},
    borders: {color: '#6b6b6b', weight: 1.4, dashArray: '6 3'},
    governorates: {color: '#777777', weight: 1.1},
    districts: {color: '#9e9e9e', weight: 0.6, dashArray: '3 3'},
    iraq: {color: '#3a3a3a', weight: 2.4}
  };
  G.basemapLayer = function (D) {
    var Basemap = L.LayerGroup.extend({
      onAdd: function (map) {
        if (!this.geoBuilt) this.geoBuild(map);
        L.LayerGroup.prototype.onAdd.call(this, map);
        map.on('zoomend', this.geoZoom, this);
        L.DomUtil.addClass(map.getContainer(), 'geo-basemap-on');
        this.geoShown = {};
        this.geoZoom();
      },
      onRemove: function (map) {
        map.off('zoomend', this.geoZoom, this);
        L.DomUtil.removeClass(map.getContainer(), 'geo-basemap-on');
        L.LayerGroup.prototype.onRemove.call(this, map);
      },
      geoBuild: function (map) {
        this.geoBuilt = true;
        if (!map.getPane('geoBasemap')) {
          map.createPane('geoBasemap').style.zIndex = 250;
          var lp = map.createPane('geoBasemapLabels');
          lp.style.zIndex = 450; lp.style.pointerEvents = 'none';
        }
        var renderer = L.canvas({pane: 'geoBasemap', padding: 0.5});
        var self = this, order = ['lakes', 'rivers', 'coast', 'borders', 'districts',
                                  'governorates', 'iraq'];
        this.geoLines = {};
        order.forEach(function (name) {
          var feats = (D.layers[name] || []).map(function (f) {
            return {type: 'Feature', properties: {}, geometry: f.geometry};
          });
          var st = L.extend({renderer: renderer, interactive: false}, G.BASEMAP_STYLE[name]);
          self.geoLines[name] = L.geoJSON({type: 'FeatureCollection', features: feats},
                                          {style: function () { return st; }, interactive: false,
                                           pane: 'geoBasemap'});
          if (name !== 'districts') self.addLayer(self.geoLines[name]);
        });
        // Label groups: [minZoom, maxZoom, markers]
        this.geoLabelGroups = [];
        function label(at, text, cls, names) {
          var span = G.text('span', null, text);
          var m = L.marker([at[1], at[0]], {
            icon: L.divIcon({className: 'geo-label ' + cls, html: span, iconSize: null}),
            pane: 'geoBasemapLabels', keyboard: false, interactive: names.length > 0});
          if (names.length) {
            var tip = G.el('div', 'geo-label-names');
            names.forEach(function (n) { tip.appendChild(G.text('div', null, n)); });
            m.bindTooltip(tip, {direction: 'top', offset: [0, -6]});
          }
          m.geoName = text;
          return m;
        }
        function group(min, max, markers) {
          var g = L.layerGroup(markers);
          g.geoMin = min; g.geoMax = max;
          self.geoLabelGroups.push(g);
        }
        var gz = D.governorateLabelZoom;
        group(gz[0], gz[1], (D.layers.governorates || []).map(function (f) {
          return label(f.label, f.name, 'geo-label-governorate', [f.name_ar].filter(Boolean));
        }));
        group(D.districtLabelZoom, 99, (D.layers.districts || []).map(function (f) {
          return label(f.label, f.name, 'geo-label-district', [f.name_ar].filter(Boolean));
        }));
        var byZoom = {};
        (D.layers.labels || []).forEach(function (p) {
          (byZoom[p.zoom] = byZoom[p.zoom] || []).push(
            label(p.at, p.name, 'geo-label-place geo-label-' + p.type,
                  [p.name_ar, p.name_ckb, p.name_kmr].filter(Boolean)));
        });
        Object.keys(byZoom).sort(function (a, b) { return a - b; }).forEach(function (z) {
          group(+z, 99, byZoom[z]);
        });
        var att = String(D.attribution).replace(/[<>&]/g, function (c) {
          return {'<': '&lt;', '>': '&gt;', '&': '&amp;'}[c]; });
        this.getAttribution = function () { return att; };
      },
      // Show the label groups (and the district lines) of this zoom, change only what changes.
      geoZoom: function () {
        var map = this._map, z = map.getZoom(), self = this;
        var want = z >= D.districtZoom;
        if (want !== !!this.geoShown.districts) {
          if (want) this.addLayer(this.geoLines.districts); else this.removeLayer(this.geoLines.districts);
          this.geoShown.districts = want;
        }
        this.geoLabelGroups.forEach(function (g, i) {
          var on = z >= g.geoMin && z <= g.geoMax;
          if (on !== !!self.geoShown[i]) {
            if (on) self.addLayer(g); else self.removeLayer(g);
            self.geoShown[i] = on;
          }
        });
      },
      // The names of the labels shown at the current zoom (the browser tests read them).
      geoVisibleLabels: function () {
        var out = [], self = this;
        this.geoLabelGroups.forEach(function (g) {
          if (self.hasLayer(g)) g.eachLayer(function (m) { out.push(m.geoName); });
        });
        return out;
      }
    });
    G.basemap = new Basemap();
    return G.basemap;
  };

  // --- tools: fullscreen and measure (no registry package ships them for this Leaflet) ------
  // Measure: each click on the map adds a point; the box shows the distance along the points
  // (great circle, Leaflet's map.distance) and, from three points, the area they enclose (on
  // the sphere). The button again (or Escape) ends it and clears the line.
  G.sphereAreaKm2 = function (latlngs) {
    var R = 6371.0088, sum = 0, n = latlngs.length, rad = Math.PI / 180;
    for (var i = 0; i < n; i++) {
      var a = latlngs[i], b = latlngs[(i + 1) % n];
      sum += (b.lng - a.lng) * rad * (2 + Math.sin(a.lat * rad) + Math.sin(b.lat * rad));
    }
    return Math.abs(sum * R * R / 2);
  };
  G.tools = function (map) {
    G.control(map, 'topleft', 'geo-tools', function (div) {
      var c = map.getContainer();
      function button(cls, icon, label) {
        var a = G.el('a', 'geo-tool ' + cls);
        a.href = '#'; a.title = label; a.setAttribute('role', 'button');
        a.setAttribute('aria-label', label);
        a.appendChild(G.el('i', 'fa fa-' + icon));
        div.appendChild(a);
        return a;
      }
      var fs = button('geo-fullscreen', 'expand', 'Full screen');
      L.DomEvent.on(fs, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        if (document.fullscreenElement) document.exitFullscreen();
        else if (c.requestFullscreen) c.requestFullscreen();
      });
      document.addEventListener('fullscreenchange', function () {
        var on = document.fullscreenElement === c;
        c.classList.toggle('geo-fullscreen-on', on);
        fs.title = on ? 'Exit full screen' : 'Full screen';
        map.invalidateSize(); G.updatePadding(map);
      });
      var ms = button('geo-measure', 'ruler', 'Measure distance and area');
      var out = G.el('div', 'geo-measure-out'), line = null, dots = null, points = [];
      out.setAttribute('role', 'status'); out.hidden = true;
      div.appendChild(out);
      function show() {
        var km = 0;
        for (var i = 1; i < points.length; i++) km += map.distance(points[i - 1], points[i]) / 1000;
        var text = points.length < 2 ? 'Click the map to measure' : 'Distance: ' + km.toFixed(km < 10 ? 2 : 1) + ' km';
        if (points.length >= 3) text += ' \u2014 area: ' + G.sphereAreaKm2(points).toFixed(1) + ' km\u00b2';
        out.textContent = text;
        G.measured = {km: km, km2: points.length >= 3 ? G.sphereAreaKm2(points) : null, n: points.length};
      }
      function add(e) {
        points.push(e.latlng);
        line.setLatLngs(points);
        L.circleMarker(e.latlng, {radius: 3, color: '#b71c1c', weight: 1, fillOpacity: 1,
                                  interactive: false}).addTo(dots);
        show();
      }
      function stop() {
        if (!line) return;
        map.off('click', add); map.removeLayer(line); map.removeLayer(dots);
        line = dots = null; points = []; out.hidden = true; G.measured = null;
        L.DomUtil.removeClass(c, 'geo-measuring'); ms.classList.remove('geo-tool-on');
        G.updatePadding(map);
      }
      function start() {
        line = L.polyline([], {color: '#b71c1c', weight: 2, dashArray: '5 4', interactive: false}).addTo(map);
        dots = L.layerGroup().addTo(map);
        map.on('click', add);
        L.DomUtil.addClass(c, 'geo-measuring'); ms.classList.add('geo-tool-on');
        out.hidden = false; show(); G.updatePadding(map);
      }
      L.DomEvent.on(ms, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        if (line) stop(); else start();
      });
      document.addEventListener('keydown', function (e) { if (e.key === 'Escape') stop(); });
      G.measureTool = {start: start, stop: stop, add: function (ll) { add({latlng: L.latLng(ll)}); }};
    });
  };

  // --- controls ----------------------------------------------------------------------------
  // The legend, bottom right; on a narrow map folded behind a "Legend" button (so it does not
  // take a third of a phone's screen). D: {sections: [{title, rows: [{label, colour?, icon?,
  // shape}]}]}, shape "round" (an event type), "square" (a zone kind), "icon" (an actor
  // family) or "cluster".
  G.legend = function (map, D) {
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
      D.sections.forEach(function (s) {
        if (s.title) div.appendChild(G.el('h4', null, s.title));
        s.rows.forEach(function (r) {
          var row = G.el('div', 'geo-legend-row'), mark;
          if (r.shape === 'icon') mark = G.el('i', 'fa fa-' + r.icon);
          else if (r.shape === 'cluster') mark = G.el('span', 'geo-cluster-swatch', 'n');
          else {
            mark = G.el('span', 'geo-swatch' + (r.shape === 'round' ? ' geo-round' : '')
                        + (r.shape === 'dataset' ? ' geo-swatch-dataset' : ''));
            mark.style.background = r.colour;
            if (r.shape === 'square') mark.style.opacity = '.7';
          }
          row.appendChild(mark);
          row.appendChild(document.createTextNode(r.label));
          if (r.title) row.title = r.title;
          div.appendChild(row);
        });
      });
      box.appendChild(toggle); box.appendChild(div);
    });
  };

  // Title, offline note, mouse position, place search and the date filter.
  // D: {title, offline, search: [[name, where]], listId, maxZoom, maxShown, dates}
  G.controls = function (map, D) {
    var title = G.text('div', 'geo-title', D.title);
    map.getContainer().appendChild(title);
    if (D.offline) {
      map.getContainer().appendChild(G.el('div', 'geo-offline', D.offline));
      L.DomUtil.addClass(map.getContainer(), 'geo-offline-map');
    }
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
    if (D.search.length) G.searchControl(map, D);
    if (G.events && D.dates) G.dateControl(map, D);
  };

  // Search by place or zone name: any part of the name, any case; a list of the matches
  // (text nodes only) under the box, Enter takes the first (or the one chosen with the
  // arrow keys), and a note when nothing matches.
  G.searchControl = function (map, D) {
    G.control(map, 'topleft', 'geo-search', function (div) {
      var input = G.el('input'), list = G.el('ul', 'geo-search-list');
      var msg = G.el('div', 'geo-search-msg'), names = D.search.map(function (s) { return s[0]; });
      var keys = names.map(G.norm);
      var shown = [], active = -1, corner = null;
      input.type = 'search'; input.placeholder = 'Search place or zone\u2026';
      input.dir = 'auto';
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
          var name = G.highlight(s[0], text);
          name.dir = 'auto';
          li.appendChild(name);
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
  };

  // The timeline: events per week (per month when they span more than two years) as bars
  // stacked by event type in the legend's colours. Dragging over it picks a span of weeks or
  // months and sets the date filter to it (a click picks one bar); while dragging, the count
  // says how many events the span holds. Counted once, drawn on a canvas: cheap whatever the
  // number of events. D: the events layer's data; range() the filter's dates; pick(from, to)
  // sets them; during(n) shows the dragged count.
  G.DAY = 864e5;
  G.dayOf = function (s) {
    return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / G.DAY;
  };
  G.isoOf = function (day) { return new Date(day * G.DAY).toISOString().slice(0, 10); };
  G.timeline = function (D, range, pick, during) {
    var days = [], lo = Infinity, hi = -Infinity, i, e;
    for (i = 0; i < D.ev.length; i++) {
      e = D.ev[i];
      var d = e[4] && e[4].length === 10 ? G.dayOf(e[4]) : NaN;
      days.push(d);
      if (d === d) { if (d < lo) lo = d; if (d > hi) hi = d; }
    }
    if (lo === Infinity) return null;
    var byMonth = hi - lo > 731, starts = [];
    if (byMonth) {
      var first = new Date(lo * G.DAY), y = first.getUTCFullYear(), m = first.getUTCMonth();
      for (;;) {
        var s0 = Date.UTC(y, m, 1) / G.DAY;
        if (s0 > hi) break;
        starts.push(s0); m++; if (m === 12) { m = 0; y++; }
      }
    } else {
      var monday = lo - ((new Date(lo * G.DAY).getUTCDay() + 6) % 7);
      for (var w = monday; w <= hi; w += 7) starts.push(w);
    }
    starts.push(byMonth ? (function () { var d = new Date(starts[starts.length - 1] * G.DAY);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / G.DAY; })()
      : starts[starts.length - 1] + 7);
    var nb = starts.length - 1, nt = D.types.length, counts = new Array(nb * nt).fill(0);
    var totals = new Array(nb).fill(0), top = 1;
    function binOf(d) {  // the last start <= d (binary search)
      var a = 0, b = nb - 1;
      while (a < b) { var mid = (a + b + 1) >> 1; if (starts[mid] <= d) a = mid; else b = mid - 1; }
      return a;
    }
    for (i = 0; i < days.length; i++) {
      if (days[i] !== days[i]) continue;
      var k = binOf(days[i]);
      counts[k * nt + D.ev[i][2]]++; totals[k]++;
    }
    for (i = 0; i < nb; i++) if (totals[i] > top) top = totals[i];
    var W = 220, H = 44, box = G.el('div', 'geo-timeline'), cv = G.el('canvas');
    var ratio = window.devicePixelRatio || 1;
    cv.width = W * ratio; cv.height = H * ratio; cv.style.width = W + 'px'; cv.style.height = H + 'px';
    cv.setAttribute('role', 'img');
    cv.setAttribute('aria-label', 'Events per ' + (byMonth ? 'month' : 'week') + ', stacked by type; drag to filter the dates');
    var axis = G.el('div', 'geo-timeline-axis');
    axis.appendChild(G.el('span', null, G.isoOf(starts[0])));
    axis.appendChild(G.el('span', null, 'per ' + (byMonth ? 'month' : 'week')));
    axis.appendChild(G.el('span', null, G.isoOf(starts[nb] - 1)));
    box.appendChild(cv); box.appendChild(axis);
    var ctx = cv.getContext('2d'), bw = W / nb, drag = null;
    function binAt(x) { return Math.max(0, Math.min(nb - 1, Math.floor(x / bw))); }
    function spanOf(r) {  // the bins the filter's dates cover
      var a = r[0] ? binOf(G.dayOf(r[0])) : 0, b = r[1] ? binOf(G.dayOf(r[1])) : nb - 1;
      if (r[0] && G.dayOf(r[0]) < starts[0]) a = 0;
      return [a, b];
    }
    function draw() {
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, W, H);
      var sel = drag ? [Math.min(drag[0], drag[1]), Math.max(drag[0], drag[1])] : spanOf(range());
      ctx.fillStyle = '#e3edf7';
      ctx.fillRect(sel[0] * bw, 0, (sel[1] - sel[0] + 1) * bw, H);
      for (var k = 0; k < nb; k++) {
        var yb = H, off = k < sel[0] || k > sel[1];
        for (var t = 0; t < nt; t++) {
          var c = counts[k * nt + t];
          if (!c) continue;
          var h = c / top * (H - 2);
          ctx.globalAlpha = off ? 0.3 : 1;
          ctx.fillStyle = D.colors[t];
          ctx.fillRect(k * bw + (bw > 3 ? 0.5 : 0), yb - h, Math.max(1, bw - (bw > 3 ? 1 : 0)), h);
          yb -= h;
        }
      }
      ctx.globalAlpha = 1;
    }
    function x(e) { return e.clientX - cv.getBoundingClientRect().left; }
    function inSpan(a, b) { var n = 0; for (var k = a; k <= b; k++) n += totals[k]; return n; }
    cv.addEventListener('pointerdown', function (e) {
      e.preventDefault(); cv.setPointerCapture(e.pointerId);
      var k = binAt(x(e)); drag = [k, k]; draw(); during(inSpan(k, k));
    });
    cv.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var k = binAt(x(e));
      if (k === drag[1]) return;
      drag[1] = k; draw();
      during(inSpan(Math.min(drag[0], k), Math.max(drag[0], k)));
    });
    function end() {
      if (!drag) return;
      var a = Math.min(drag[0], drag[1]), b = Math.max(drag[0], drag[1]);
      drag = null;
      pick(G.isoOf(Math.max(starts[a], lo)), G.isoOf(Math.min(starts[b + 1] - 1, hi)));
    }
    cv.addEventListener('pointerup', end);
    cv.addEventListener('pointercancel', end);
    draw();
    var api = {box: box, draw: draw, unit: byMonth ? 'month' : 'week', starts: starts,
               totals: totals, counts: counts, canvas: cv};
    G.timelineData = api;
    return api;
  };

  // Date filter over the events (event date, else published date; undated events stay).
  // Text boxes taking YYYY-MM-DD (a date box would show the browser's locale, 10/04/2023).
  G.dateControl = function (map, D) {
    G.control(map, 'topright', 'geo-dates', function (div) {
      var layers = G.eventLayers, all = [];
      layers.forEach(function (l) { all = all.concat(l.geoMarkers); });
      var merged = layers.length === 1 ? layers[0].geoData : {
        ev: [].concat.apply([], layers.map(function (l) { return l.geoData.ev; })),
        types: layers[0].geoData.types, colors: layers[0].geoData.colors};
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
        function kept(m) {
          return !m.geoDate || ((!a || m.geoDate >= a) && (!b || m.geoDate <= b));
        }
        var keep = all.filter(kept);
        layers.forEach(function (l) {
          l.clearLayers(); l.addLayers(l.geoMarkers.filter(kept));
        });
        count.textContent = keep.length + ' of ' + all.length + ' events shown';
        if (timeline) timeline.draw();
      }
      [from, to].forEach(function (i) {
        i.addEventListener('input', function () { apply(false); });
        i.addEventListener('change', function () { apply(true); });
        i.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(true); });
      });
      div.appendChild(G.el('b', null, 'Event dates')); range.appendChild(from);
      range.appendChild(G.el('span', 'geo-date-sep', ' to ')); range.appendChild(to);
      div.appendChild(range);
      var timeline = G.timeline(merged, function () { return [a, b]; },
                                function (x, y) { from.value = x; to.value = y; apply(true); },
                                function (n) {
                                  count.textContent = n + ' of ' + all.length + ' events in the dragged span';
                                });
      if (timeline) div.appendChild(timeline.box);
      div.appendChild(count); div.appendChild(msg);
      count.textContent = all.length + ' of ' + all.length + ' events shown';
      G.filterDates = function (a, b) { from.value = a || ''; to.value = b || ''; apply(true); };
      G.dateInputs = [from, to];
    });
  };
})(window.geoDisputed);
