"""The map in headless Chromium (Debian's), with the network cut: CDN files are served from
the local npm copies, everything else is aborted. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest

from browser_helpers import ARTIFACTS_DIR, OfflinePage, browser, chromium_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs playwright and chromium")]

from test_render import (XSS_TITLE, events_frame, far_zone_frame, make_event,  # noqa: E402
                         mentions_frame, zones_frame)

from geo import render  # noqa: E402
from geo._assets import local_file  # noqa: E402

needs_assets = pytest.mark.skipif(
    local_file("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js") is None,
    reason="npm assets not installed (tests/setup-and-run.sh)")


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def sample_events():
    rows = [make_event(i, lat=35.0 + (i % 7) * 0.1, lon=44.0 + (i // 7) * 0.1,
                       event_type=["Battles", "Protests", "Strategic developments"][i % 3])
            for i in range(20)]
    rows += [make_event(100 + i, title=f"Same place {i}") for i in range(3)]  # one place
    rows.append(make_event(200, lat=None, lon=None, title="Nowhere"))
    rows.append(make_event(300, lat=35.9, lon=44.9, title=XSS_TITLE, evidence=XSS_TITLE,
                           source=XSS_TITLE, location=XSS_TITLE, actor1=XSS_TITLE))
    rows.append(make_event(400, lat=35.6, lon=44.2, title="No source", source="", url=""))
    return events_frame(rows)


def write(tmp_path, name, **kw):
    m = render.build_map(sample_events(), zones_frame(), mentions_frame(), title="Test map",
                         self_contained=kw.get("self_contained", False))
    path = tmp_path / name
    render.save_map(m, path, **kw)
    return path


def open_popup(page: OfflinePage, index: int) -> str:
    """Zoom until marker `index` is visible (spiderfied if needed), click it, return the
    popup's text."""
    page.eval("() => window.geoDisputed.map.closePopup()")
    page.eval("""(i) => new Promise(resolve => {
        const m = window.geoDisputed.events.geoMarkers[i];
        window.geoDisputed.events.zoomToShowLayer(m, () => setTimeout(resolve, 400));
    })""", index)
    page.eval("(i) => window.geoDisputed.events.geoMarkers[i]._icon.setAttribute('data-test', 'm' + i)",
              index)
    page.page.click(f"[data-test=m{index}]")
    page.page.wait_for_selector(".leaflet-popup-content .geo-popup-title", timeout=5000)
    return page.page.inner_text(".leaflet-popup-content")


def open_popup_at(page: OfflinePage, index: int, x: int, y: int) -> str:
    """Show marker `index` on its own, pan it to container point (x, y), click it; return the
    popup's text once the popup's own pan is over."""
    page.eval("() => window.geoDisputed.map.closePopup()")
    page.eval("""(i) => new Promise(resolve => {
        const m = window.geoDisputed.events.geoMarkers[i];
        window.geoDisputed.events.zoomToShowLayer(m, () => setTimeout(resolve, 400));
    })""", index)
    page.eval("""([i, x, y]) => {
        const G = window.geoDisputed, m = G.events.geoMarkers[i];
        const p = G.map.latLngToContainerPoint(m.getLatLng());
        G.map.panBy([p.x - x, p.y - y], {animate: false});
        m._icon.setAttribute('data-test', 'at' + i);
    }""", [index, x, y])
    page.page.click(f"[data-test=at{index}]")
    page.page.wait_for_selector(".leaflet-popup-content .geo-popup-title", timeout=5000)
    page.page.wait_for_timeout(600)  # the popup's autopan
    return page.page.inner_text(".leaflet-popup-content")


def popup_clearance(page: OfflinePage) -> dict:
    """What covers the open popup: overlays whose box meets the popup's, whether the popup is
    inside the map and whether its close button is what a click at its centre reaches."""
    return page.eval("""() => {
        const box = e => e.getBoundingClientRect();
        const p = box(document.querySelector('.leaflet-popup-content-wrapper'));
        const map = box(document.querySelector('.leaflet-container'));
        const covering = [];
        document.querySelectorAll('.geo-title, .geo-offline, .leaflet-control').forEach(e => {
            const b = box(e);
            if (b.width && b.height && p.left < b.right && b.left < p.right && p.top < b.bottom
                && b.top < p.bottom) covering.push(e.className);
        });
        const c = box(document.querySelector('.leaflet-popup-close-button'));
        const hit = document.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
        return {covering: covering,
                inside: p.left >= map.left && p.top >= map.top && p.right <= map.right
                        && p.bottom <= map.bottom,
                closeReachable: !!(hit && hit.closest('.leaflet-popup-close-button'))};
    }""")


def assert_popup_clear(page: OfflinePage) -> None:
    clear = popup_clearance(page)
    assert clear == {"covering": [], "inside": True, "closeReachable": True}, clear
    page.page.click(".leaflet-popup-close-button")
    page.page.wait_for_timeout(300)
    assert page.page.query_selector(".leaflet-popup") is None


@needs_assets
def test_map_renders_offline(chromium, tmp_path):
    path = write(tmp_path, "map.html")
    page = OfflinePage(chromium)
    page.open(path)
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert all("tile" in u or "arcgisonline" in u for u in page.blocked), page.blocked
    n = page.eval("() => window.geoDisputed.events.getLayers().length")
    assert n == 25  # 26 events, one without a place
    assert page.eval("() => window.geoDisputed.zones.getLayers().length") == 1
    assert page.eval("() => document.querySelectorAll('path.leaflet-interactive').length") >= 1
    assert not page.eval("() => window.geoDisputed.map.hasLayer(window.geoDisputed.places)")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map.png"))
    text = open_popup(page, 0)
    assert "Report 0" in text and "Kurdistan 24" in text and "Battles" in text
    assert page.page.inner_text(".leaflet-popup-content mark") == "Kirkuk"
    assert page.page.get_attribute(".leaflet-popup-content a", "href") == "https://example.org/0"
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-popup.png"))
    # Three reports at one place: all reachable (spiderfied at max zoom).
    for i in (20, 21, 22):
        assert f"Same place {i - 20}" in open_popup(page, i)
    assert page.errors == []


@needs_assets
def test_script_in_report_runs_nothing(chromium, tmp_path):
    path = write(tmp_path, "xss.html")
    page = OfflinePage(chromium)
    page.open(path)
    text = open_popup(page, 23)
    assert "<script>window.__pwned=1</script>" in text and "${window.__pwned=3}" in text
    page.eval("() => window.geoDisputed.searchInput.value")
    page.page.hover(".leaflet-popup-content")
    page.page.wait_for_timeout(200)
    assert page.eval("() => window.__pwned === undefined")
    assert page.page.query_selector(".leaflet-popup-content script, .leaflet-popup-content img") is None
    assert page.errors == []


@needs_assets
def test_date_filter_and_search(chromium, tmp_path):
    path = write(tmp_path, "filter.html")
    page = OfflinePage(chromium)
    page.open(path)
    page.eval("() => window.geoDisputed.filterDates('2030-01-01', '2030-12-31')")
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == 0
    page.eval("() => window.geoDisputed.filterDates('2024-01-01', '2024-12-31')")
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == 25
    page.page.fill(".geo-search input", "Daquq")
    page.page.press(".geo-search input", "Enter")
    page.page.wait_for_timeout(800)  # the zoom animation
    center = page.eval("() => window.geoDisputed.map.getCenter()")
    assert abs(center["lat"] - 35.14) < 0.01 and abs(center["lng"] - 44.45) < 0.01
    assert page.eval("() => window.geoDisputed.map.getZoom()") == render.SEARCH_ZOOM["town"]
    # A zone: the view fits its bounds (clear of the overlays), whatever the zoom was.
    page.eval("() => window.geoDisputed.map.setZoom(5, {animate: false})")
    page.page.fill(".geo-search input", "kirkuk <b>SECTOR</b>")  # any case
    page.page.press(".geo-search input", "Enter")
    page.page.wait_for_timeout(800)
    view = page.eval("""() => {
        const G = window.geoDisputed, b = G.map.getBounds(), z = L.latLngBounds([[35.4, 44.3], [35.6, 44.5]]);
        const tl = G.map.latLngToContainerPoint(z.getNorthWest()), br = G.map.latLngToContainerPoint(z.getSouthEast());
        return {contains: b.contains(z), zoom: G.map.getZoom(), tl: [tl.x, tl.y], br: [br.x, br.y],
                pad: [G.padTL, G.padBR], size: [G.map.getSize().x, G.map.getSize().y]};
    }""")
    assert view["contains"] and view["zoom"] >= 10, view
    (pl, pt), (pr, pb) = view["pad"]
    assert view["tl"][0] >= pl - 1 and view["tl"][1] >= pt - 1, view
    assert view["br"][0] <= view["size"][0] - pr + 1 and view["br"][1] <= view["size"][1] - pb + 1
    assert page.errors == []


@needs_assets
def test_self_contained_renders_with_every_request_blocked(chromium, tmp_path):
    path = write(tmp_path, "offline.html", self_contained=True)
    page = OfflinePage(chromium, block_all=True)
    page.open(path)
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert page.blocked == []  # nothing even asked for
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == 25
    assert page.eval("() => document.querySelectorAll('.geo-event, .marker-cluster').length") > 0
    # Font Awesome's font is inlined: the actor icons have a glyph.
    assert page.eval("() => document.fonts.check('900 12px \"Font Awesome 6 Free\"')")
    assert "no background tiles" in page.page.inner_text(".geo-offline")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-offline.png"))
    assert "Report 0" in open_popup(page, 0)


@needs_assets
def test_seeds_end_to_end(chromium, tmp_path):
    pytest.importorskip("geo.events")
    from geo import settings

    out = tmp_path / "seeds.html"
    res = render.map_inputs([settings.SEEDS_DIR], out=out)
    page = OfflinePage(chromium)
    page.open(out)
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == res.located
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "seeds.png"))
    # The view fits the seed events, not the whole disputed belt of the built-in zones.
    assert_view_fits_events(page)
    assert not page.eval("() => window.geoDisputed.map.getBounds().contains("
                         "window.geoDisputed.zones.getBounds())")
    # The Sulaimani report's popup: clear of the title bar and the date filter.
    index = page.eval("""() => window.geoDisputed.events.geoMarkers.findIndex(
        m => Math.abs(m.getLatLng().lat - 35.565) < 0.01)""")
    assert index >= 0
    text = open_popup(page, index)
    assert "Sulaimani" in text and "Source: " in text
    page.page.wait_for_timeout(600)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "seeds-popup.png"))
    assert_popup_clear(page)
    assert page.errors == []


def assert_view_fits_events(page: OfflinePage) -> None:
    """Every located event is in view, clear of the overlay bands."""
    out = page.eval("""() => {
        const G = window.geoDisputed, size = G.map.getSize(), bad = [];
        G.events.geoMarkers.forEach((m, i) => {
            const p = G.map.latLngToContainerPoint(m.getLatLng());
            if (p.x < G.padTL[0] || p.y < G.padTL[1] || p.x > size.x - G.padBR[0]
                || p.y > size.y - G.padBR[1]) bad.push([i, p.x, p.y]);
        });
        return {bad: bad, pad: [G.padTL, G.padBR], n: G.events.geoMarkers.length};
    }""")
    assert out["n"] > 0 and out["bad"] == [], out
    (pl, pt), (pr, pb) = out["pad"]
    assert pl > 100 and pr > 100 and pt > 30, out  # the controls and the title bar count


@needs_assets
@pytest.mark.parametrize("width,height", [(1200, 800), (900, 650)])
def test_popup_clear_of_title_bar_and_controls(chromium, tmp_path, width, height):
    path = write(tmp_path, "popup.html")
    page = OfflinePage(chromium, width=width, height=height)
    page.open(path)
    # A marker just beside the title bar, the date filter, the legend and the search box:
    # opened where it is, its popup would lie under them.
    targets = page.eval("""() => {
        const map = document.querySelector('.leaflet-container').getBoundingClientRect();
        const b = sel => { const r = document.querySelector(sel).getBoundingClientRect();
            return {l: r.left - map.left, t: r.top - map.top, r: r.right - map.left,
                    b: r.bottom - map.top}; };
        const title = b('.geo-title'), dates = b('.geo-dates'), legend = b('.geo-legend'),
              search = b('.geo-search');
        return [[(title.l + title.r) / 2, title.b + 20], [dates.l + 40, dates.b + 15],
                [legend.l - 15, legend.t + 40], [search.r + 15, search.b + 15]];
    }""")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    for n, (x, y) in enumerate(targets):
        text = open_popup_at(page, 0, round(x), round(y))
        assert "Report 0" in text, (x, y)
        if n == 1:
            page.page.screenshot(path=str(ARTIFACTS_DIR / f"map-popup-corner-{width}.png"))
        assert_popup_clear(page)
    # A zone's popup too.
    page.eval("() => window.geoDisputed.map.closePopup()")
    page.eval("""() => { const G = window.geoDisputed, z = G.zones.getLayers()[0];
                         z.openPopup(z.getBounds().getNorthEast()); }""")
    page.page.wait_for_timeout(600)
    assert_popup_clear(page)
    assert page.errors == []


@needs_assets
def test_view_fits_events_and_zones_are_drawn(chromium, tmp_path):
    ev = events_frame([make_event(i, lat=35.3 + i * 0.05, lon=44.2 + i * 0.05)
                       for i in range(6)])
    path = tmp_path / "fit.html"
    render.save_map(render.build_map(ev, far_zone_frame()), path)
    page = OfflinePage(chromium)
    page.open(path)
    page.page.wait_for_timeout(300)
    assert_view_fits_events(page)
    assert page.eval("() => window.geoDisputed.zones.getLayers().length") == 2
    # The far (Basra) zone is drawn but out of view; the view is at the events' scale.
    assert not page.eval("() => window.geoDisputed.map.getBounds().contains([30.5, 47.8])")
    assert page.eval("() => window.geoDisputed.map.getZoom()") >= 9
    assert page.errors == []


@needs_assets
def test_source_unknown_and_neutral_clusters(chromium, tmp_path):
    path = write(tmp_path, "clusters.html")
    page = OfflinePage(chromium)
    page.open(path)
    page.page.wait_for_timeout(300)
    text = open_popup(page, 24)
    assert "No source" in text and "Source: unknown" in text
    page.eval("() => { window.geoDisputed.map.closePopup(); "
              "window.geoDisputed.map.setZoom(7, {animate: false}); }")
    page.page.wait_for_timeout(300)
    colours = page.eval("""() => Array.from(document.querySelectorAll('.marker-cluster div'),
        d => [getComputedStyle(d).backgroundColor, getComputedStyle(d).color])""")
    assert colours, "no cluster at zoom 7"
    assert set(map(tuple, colours)) == {("rgb(38, 50, 56)", "rgb(255, 255, 255)")}
    # ... a colour no event type uses.
    event_colours = {c.lower() for c in render.styles()["event_types"].values()}
    assert "#263238" not in event_colours
    assert page.errors == []
