"""geo.render: the map's data, escaping, determinism, offline inlining (no browser here)."""
from __future__ import annotations

import json
import re

import pytest

from geo._errors import MapError
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS, ZONE_COLUMNS

gpd = pytest.importorskip("geopandas")
from shapely.geometry import Point, Polygon  # noqa: E402

from geo import render  # noqa: E402

XSS_TITLE = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
             '${window.__pwned=3}`</script>')


def make_event(i, lat=35.47, lon=44.39, **kw):
    row = {c: "" for c in EVENT_COLUMNS if c != "geometry"}
    row.update(event_id=f"r{i}-1", report_id=f"r{i}", title=f"Report {i}", source="Kurdistan 24",
               url=f"https://example.org/{i}", published="2024-05-11", event_date="2024-05-07",
               event_type="Battles", sub_event_type="Armed clash",
               actor1="Islamic State (Iraq)", actor2="Military Forces of Iraq (Peshmerga)",
               location="Kirkuk", place_id="kirkuk", admin1="Kirkuk", admin2="Kirkuk",
               latitude=lat, longitude=lon, geo_precision=1, where_prec=1,
               evidence="ISIS attacked a post near Kirkuk on Tuesday.", evidence_place="Kirkuk",
               notes="", warnings="", zones="", front_distance_km=None)
    row.update(kw)
    row["geometry"] = None if row["latitude"] is None else Point(row["longitude"], row["latitude"])
    return row


def events_frame(rows):
    return gpd.GeoDataFrame(rows, columns=EVENT_COLUMNS, geometry="geometry", crs="EPSG:4326")


def zones_frame():
    poly = Polygon([(44.3, 35.4), (44.5, 35.4), (44.5, 35.6), (44.3, 35.4)])
    return gpd.GeoDataFrame([{"zone_id": "z1", "name": "Kirkuk <b>sector</b>", "kind": "sector",
                              "description": "d", "source": "s", "area_km2": 123.4,
                              "approximate": True, "geometry": poly}],
                            columns=ZONE_COLUMNS, geometry="geometry", crs="EPSG:4326")


def mentions_frame():
    rows = [{"report_id": "r0", "text": "Daquq", "start": 0, "end": 5, "place_id": "daquq",
             "name": "Daquq", "type": "town", "role": "mention", "confidence": 0.9,
             "lat": 35.14, "lon": 44.45, "geometry": Point(44.45, 35.14)},
            {"report_id": "r0", "text": "Kirkuk", "start": 9, "end": 15, "place_id": "kirkuk",
             "name": "Kirkuk", "type": "city", "role": "event", "confidence": 1.0,
             "lat": 35.47, "lon": 44.39, "geometry": Point(44.39, 35.47)}]
    return gpd.GeoDataFrame(rows, columns=MENTION_COLUMNS, geometry="geometry", crs="EPSG:4326")


def html_of(m, **kw):
    return render.render_html(m, **kw)


def test_events_data_skips_unlocated_and_keeps_fields():
    ev = events_frame([make_event(0), make_event(1, lat=None, lon=None)])
    data = render.events_data(ev)
    assert len(data["ev"]) == 1
    lat, lon, t, f, date = data["ev"][0]
    assert (lat, lon, date) == (35.47, 44.39, "2024-05-07")
    assert data["types"][t] == "Battles" and data["colors"][t] == "#d62728"
    assert data["families"][f] == "rebel_groups" and data["icons"][f] == "bomb"
    pop = data["pop"][0]
    assert pop[0] == "Report 0" and pop[4] == "https://example.org/0" and pop[14] == "Kirkuk"
    assert pop[11].startswith("ACLED 1 (town)")


@pytest.mark.parametrize("actor,family", [
    ("Military Forces of Iraq", "state_forces"),
    ("Military Forces of Iraq (Peshmerga)", "kurdish_forces"),
    ("Popular Mobilization Forces", "militias"),
    ("Global Coalition Against Daesh", "external"),
    ("Civilians (Iraq)", "civilians"),
    ("Someone unknown", "default"),
])
def test_actor_family(actor, family):
    assert render.actor_family(actor) == family


def test_empty_input_is_a_clear_error():
    with pytest.raises(MapError, match="nothing to map"):
        render.build_map(events_frame([]))
    with pytest.raises(MapError, match="1 event\\(s\\) have no resolvable place"):
        render.build_map(events_frame([make_event(0, lat=None, lon=None)]))


def test_zones_only_map_is_fine():
    m = render.build_map(events_frame([]), zones_frame())
    html = html_of(m)
    assert "L.geoJSON" in html and "Kirkuk \\u003cb\\u003esector" in html


def test_same_input_same_bytes():
    ev = events_frame([make_event(i, lat=35 + i / 100) for i in range(5)])
    a = html_of(render.build_map(ev, zones_frame(), mentions_frame(), title="T"))
    b = html_of(render.build_map(ev, zones_frame(), mentions_frame(), title="T"))
    assert a.encode() == b.encode()
    assert not re.search(r"[0-9a-f]{32}", a), "a random folium id is left"


def test_saved_files_identical(tmp_path):
    ev = events_frame([make_event(i) for i in range(3)])
    p1, p2 = tmp_path / "a.html", tmp_path / "b.html"
    render.save_map(render.build_map(ev, zones_frame()), p1)
    render.save_map(render.build_map(ev, zones_frame()), p2)
    assert p1.read_bytes() == p2.read_bytes()


def test_report_text_never_reaches_html_raw():
    ev = events_frame([make_event(0, title=XSS_TITLE, evidence=XSS_TITLE, source=XSS_TITLE,
                                  url="javascript:alert(1)", location="</script><script>x")])
    html = html_of(render.build_map(ev, zones_frame(), title=XSS_TITLE))
    assert "<script>window.__pwned" not in html
    assert "onerror=\"window" not in html
    assert "</script><script>x" not in html
    assert "<b>sector</b>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # the <title>
    # The data travels as JSON with <, > and & escaped.
    assert "\\u003cscript\\u003ewindow.__pwned=1" in html


def test_view_fits_data():
    ev = events_frame([make_event(0, lat=35.0, lon=44.0), make_event(1, lat=36.0, lon=45.0)])
    html = html_of(render.build_map(ev))
    m = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", html)
    assert m and [float(x) for x in m.groups()] == [35.0, 44.0, 36.0, 45.0]


def test_layers_and_controls_present():
    ev = events_frame([make_event(0)])
    html = html_of(render.build_map(ev, zones_frame(), mentions_frame()))
    for needle in ("L.markerClusterGroup", "L.control.layers", "Places mentioned",
                   "tile.openstreetmap.org", "World_Imagery", "World_Light_Gray_Base",
                   "L.control.scale", "Control.FullScreen", "leaflet-measure", "geo-legend",
                   "geo-search", "geo-dates", "geo-mouse", '"maxZoom": 18'):
        assert needle in html, needle
    # The places layer is off by default: never added to the map.
    assert re.search(r"places_layer_geo\d+\.addTo", html.lower()) is None
    data = render.places_data(mentions_frame(), ev)
    assert [p[2] for p in data["places"]] == ["Daquq"]  # Kirkuk is an event's place


def test_default_map_keeps_cdn_links():
    html = html_of(render.build_map(events_frame([make_event(0)])))
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in html


def _assets_installed():
    from geo._assets import local_file

    return local_file("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js") is not None


@pytest.mark.skipif(not _assets_installed(), reason="npm assets not installed (tests/setup-and-run.sh)")
def test_self_contained_has_no_external_reference(tmp_path):
    ev = events_frame([make_event(0)])
    out = tmp_path / "offline.html"
    render.save_map(render.build_map(ev, zones_frame(), self_contained=True), out,
                    self_contained=True)
    html = out.read_text(encoding="utf-8")
    assert not re.search(r'<script src=|<link rel="stylesheet"', html)
    assert "tile.openstreetmap.org" not in html
    assert "url(images/" not in html and "url(../webfonts" not in html
    assert "data:font/woff2;base64," in html and "data:image/png;base64," in html
    assert "no background tiles" in html


def test_self_contained_without_assets_says_what_is_missing(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "ASSETS_DIR", tmp_path / "none")
    m = render.build_map(events_frame([make_event(0)]), self_contained=True)
    with pytest.raises(MapError, match="no local copy of https://cdn.jsdelivr.net/npm/leaflet"):
        render.save_map(m, tmp_path / "x.html", self_contained=True)
    assert not (tmp_path / "x.html").exists()


def test_cli_map(tmp_path):
    pytest.importorskip("geo.events")
    from click.testing import CliRunner

    from geo.cli import main

    out = tmp_path / "seeds.html"
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--title", "Seeds"])
    assert res.exit_code == 0, res.output
    assert "<title>Seeds</title>" in out.read_text(encoding="utf-8")
