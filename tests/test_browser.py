"""The map in headless Chromium (Debian's), with the network cut: CDN files are served from
the installed packages' copies (xstatic-*), tiles (when a test asks) by a PNG made here,
everything else is aborted. Screenshots go to test-artifacts/."""
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
    reason="xstatic-leaflet not installed (python3 -m pip install -e .)")


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
    page.eval("() => void window.geoDisputed.map.closePopup()")
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
    page.eval("() => void window.geoDisputed.map.closePopup()")
    # The pan can move the marker into a cluster again (markercluster re-clusters on move):
    # then show it once more, a few times at most, until its own icon is on the map.
    for _attempt in range(5):
        page.eval("""(i) => new Promise(resolve => {
            const m = window.geoDisputed.events.geoMarkers[i];
            window.geoDisputed.events.zoomToShowLayer(m, () => setTimeout(resolve, 400));
        })""", index)
        shown = page.eval("""([i, x, y]) => new Promise(resolve => {
            const G = window.geoDisputed, m = G.events.geoMarkers[i];
            const p = G.map.latLngToContainerPoint(m.getLatLng());
            G.map.panBy([p.x - x, p.y - y], {animate: false});
            setTimeout(() => {
                if (!m._icon) return resolve(false);
                m._icon.setAttribute('data-test', 'at' + i);
                resolve(true);
            }, 100);
        })""", [index, x, y])
        if shown:
            break
    assert shown, f"marker {index} stayed inside a cluster"
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
    page.eval("() => void window.geoDisputed.map.setZoom(5, {animate: false})")
    page.page.fill(".geo-search input", "kirkuk <b>SECTOR</b>")  # any case
    page.page.press(".geo-search input", "Enter")
    page.page.wait_for_timeout(800)
    view = page.eval("""() => {
        const G = window.geoDisputed, b = G.map.getBounds(), z = L.latLngBounds([[35.4, 44.3], [35.6, 44.5]]);
        const tl = G.map.latLngToContainerPoint(z.getNorthWest()), br = G.map.latLngToContainerPoint(z.getSouthEast());
        return {contains: b.contains(z), zoom: G.map.getZoom(), tl: [tl.x, tl.y], br: [br.x, br.y],
                pad: [G.bands.tl, G.bands.br], size: [G.map.getSize().x, G.map.getSize().y]};
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
            const tl = G.bands.tl, br = G.bands.br;
            if (p.x < tl[0] || p.y < tl[1] || p.x > size.x - br[0] || p.y > size.y - br[1])
                bad.push([i, p.x, p.y]);
        });
        return {bad: bad, pad: [G.bands.tl, G.bands.br], n: G.events.geoMarkers.length};
    }""")
    assert out["n"] > 0 and out["bad"] == [], out
    (pl, pt), (pr, pb) = out["pad"]
    assert pl > 100 and pr > 100 and pt > 30, out  # the controls and the title bar count


@needs_assets
@pytest.mark.parametrize("width,height", [(1200, 800), (900, 650), (700, 700), (390, 800)])
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
    page.eval("() => void window.geoDisputed.map.closePopup()")
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


def search_list(page: OfflinePage) -> list[str]:
    """The names the search list shows (without the "zone"/"place" tag), or [] when shut."""
    return page.eval("""() => {
        const list = document.querySelector('.geo-search-list');
        if (!list || list.hidden) return [];
        return Array.from(list.querySelectorAll('[role=option]'),
                          li => li.firstChild.textContent);
    }""")


def type_search(page: OfflinePage, text: str) -> None:
    page.page.fill(".geo-search input", "")
    page.page.click(".geo-search input")
    page.page.keyboard.type(text)
    page.page.wait_for_timeout(100)


@needs_assets
def test_search_any_part_of_a_name_with_a_list_and_no_match_note(chromium, tmp_path):
    path = write(tmp_path, "search.html")
    page = OfflinePage(chromium)
    page.open(path)
    # Part of a name, any case: a list of the matches, the best first.
    type_search(page, "KIRK")
    assert search_list(page) == ["Kirkuk", "Kirkuk <b>sector</b>"]
    assert page.page.get_attribute(".geo-search input", "aria-expanded") == "true"
    # Report text in the list is text: no element made of it.
    assert page.page.query_selector(".geo-search-list b, .geo-search-list script") is None
    type_search(page, "<script>")
    assert search_list(page) == ["<script>window.__pwned=1</script><img src=x "
                                 "onerror=\"window.__pwned=2\">${window.__pwned=3}`</script>"]
    assert page.page.query_selector(".geo-search-list img, .geo-search-list script") is None
    assert page.eval("() => window.__pwned === undefined")
    # Inside a name ("sector"), and Enter takes the first match.
    page.eval("() => void window.geoDisputed.map.setZoom(5, {animate: false})")
    type_search(page, "sect")
    assert search_list(page) == ["Kirkuk <b>sector</b>"]
    page.page.keyboard.press("Enter")
    page.page.wait_for_timeout(800)
    assert page.eval("() => window.geoDisputed.map.getZoom()") >= 10
    assert page.page.input_value(".geo-search input") == "Kirkuk <b>sector</b>"
    assert search_list(page) == []  # the list is shut
    # The arrow keys choose another match; a click on a match takes it too.
    type_search(page, "kirkuk")
    page.page.keyboard.press("ArrowDown")
    page.page.keyboard.press("ArrowDown")
    assert page.eval("() => document.querySelector('.geo-search-list [aria-selected=true]')"
                     ".firstChild.textContent") == "Kirkuk <b>sector</b>"
    type_search(page, "daq")
    page.page.click(".geo-search-list [role=option]")
    page.page.wait_for_timeout(800)
    center = page.eval("() => window.geoDisputed.map.getCenter()")
    assert abs(center["lat"] - 35.14) < 0.01 and abs(center["lng"] - 44.45) < 0.01
    # A miss says so, visibly; the view does not move.
    type_search(page, "sulaix")
    assert search_list(page) == []
    assert page.page.is_visible(".geo-search-msg")
    assert page.page.inner_text(".geo-search-msg") == "No place or zone matches \u201csulaix\u201d"
    page.page.keyboard.press("Enter")
    assert page.page.is_visible(".geo-search-msg")
    center2 = page.eval("() => window.geoDisputed.map.getCenter()")
    assert center2 == center
    page.page.keyboard.press("Escape")
    assert not page.page.is_visible(".geo-search-msg")
    assert page.errors == []


@needs_assets
def test_search_list_shows_long_names_whole(chromium, tmp_path):
    pytest.importorskip("geo.events")
    from geo import settings

    out = tmp_path / "seeds.html"
    render.map_inputs([settings.SEEDS_DIR], out=out)
    for width in (1200, 390):
        page = OfflinePage(chromium, width=width, height=800)
        page.open(out)
        type_search(page, "sulai")
        names = search_list(page)
        assert names[0] == "Sulaimani" and "Sulaiman Bek" in names, names  # shorter first
        type_search(page, "tuz")
        names = search_list(page)
        assert "Tuz Khurmatu and Sleman Bag operations area" in names, names
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS_DIR / f"search-list-{width}.png"))
        boxes = page.eval("""() => {
            const map = document.querySelector('.leaflet-container').getBoundingClientRect();
            return Array.from(document.querySelectorAll('.geo-search-list [role=option]'), li => {
                const r = li.getBoundingClientRect(), hit = document.elementFromPoint(
                    r.left + 4, r.top + r.height / 2);
                return {clipped: li.scrollWidth > li.clientWidth + 1,
                        inside: r.left >= map.left && r.right <= map.right,
                        onTop: !!(hit && hit.closest('.geo-search-list'))};
            });
        }""")
        assert boxes and all(b == {"clipped": False, "inside": True, "onTop": True}
                             for b in boxes), (width, boxes)
        # "Kirkuk" (the walkthrough's miss) finds the zone named after it.
        type_search(page, "Kirkuk")
        assert search_list(page) == ["Security vacuum south-west Kirkuk and Daquq"]
        assert page.errors == []


def overlaps(page: OfflinePage, selectors: list[str]) -> dict:
    """The boxes of `selectors` (each the first visible match) and the pairs that overlap."""
    return page.eval("""(sels) => {
        const map = document.querySelector('.leaflet-container').getBoundingClientRect();
        const boxes = {};
        sels.forEach(s => { const e = document.querySelector(s);
            if (e) { const r = e.getBoundingClientRect();
                     boxes[s] = [r.left, r.top, r.right, r.bottom]; } });
        const pairs = [], keys = Object.keys(boxes);
        for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) {
            const a = boxes[keys[i]], b = boxes[keys[j]];
            if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3])
                pairs.push([keys[i], keys[j]]);
        }
        const outside = keys.filter(k => boxes[k][0] < map.left || boxes[k][2] > map.right);
        return {boxes: boxes, overlapping: pairs, outside: outside};
    }""", selectors)


@needs_assets
@pytest.mark.parametrize("width,height", [(390, 800), (700, 700), (1000, 380), (1200, 800)])
def test_title_search_and_date_filter_never_overlap(chromium, tmp_path, width, height):
    pytest.importorskip("geo.events")
    from geo import settings

    out = tmp_path / "seeds.html"
    render.map_inputs([settings.SEEDS_DIR], out=out)
    offline = tmp_path / "offline.html"
    render.map_inputs([settings.SEEDS_DIR], out=offline, self_contained=True)
    top = [".geo-title", ".geo-search", ".geo-dates", ".leaflet-control-zoom",
           ".leaflet-control-layers"]
    for path, block_all in ((out, False), (offline, True)):
        page = OfflinePage(chromium, width=width, height=height, block_all=block_all)
        page.open(path)
        page.page.wait_for_timeout(300)
        # The scale and the attribution too: on a phone the attribution wraps across to the
        # bottom left corner, whose controls must then stand above it.
        sels = top + [".geo-legend", ".geo-mouse", ".leaflet-control-scale",
                      ".leaflet-control-attribution"] + ([".geo-offline"] if block_all else [])
        found = overlaps(page, sels)
        assert set(found["boxes"]) == set(sels), found
        assert found["overlapping"] == [] and found["outside"] == [], found
        if width == 390 and not block_all:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            page.page.screenshot(path=str(ARTIFACTS_DIR / "seeds-390.png"))
            # A phone: the title bar wraps above the controls, the legend folds away.
            assert page.eval("() => window.geoDisputed.narrow")
            title = found["boxes"][".geo-title"]
            assert title[3] <= min(found["boxes"][s][1] for s in top[1:])
            assert not page.page.is_visible(".geo-legend-body")
            page.page.click(".geo-legend-toggle")
            assert page.page.is_visible(".geo-legend-body")
            assert overlaps(page, sels)["overlapping"] == []
        if width == 1200:
            assert not page.eval("() => window.geoDisputed.narrow")
            assert page.page.is_visible(".geo-legend-body")
        if height == 380:  # short: the legend folds rather than cover the layer switcher
            assert not page.page.is_visible(".geo-legend-body")
        assert page.errors == []


def dated_events():
    dates = ["2023-10-04", "2023-12-31", "2024-01-01", "2024-05-07", "2024-11-30"]
    return events_frame([make_event(i, lat=35.0 + i * 0.1, event_date=d)
                         for i, d in enumerate(dates)])


def shown(page: OfflinePage) -> int:
    return page.eval("() => window.geoDisputed.events.getLayers().length")


def type_date(page: OfflinePage, index: int, text: str, commit: bool = True) -> None:
    box = page.page.locator(".geo-dates input").nth(index)
    box.click()
    page.page.keyboard.press("Control+a")  # typed over, as a user would
    if text:
        page.page.keyboard.type(text)
    else:
        page.page.keyboard.press("Backspace")
    if commit:
        page.page.keyboard.press("Enter")
    page.page.wait_for_timeout(100)


@needs_assets
def test_date_filter_shows_and_takes_iso_dates(chromium, tmp_path):
    path = tmp_path / "dates.html"
    render.save_map(render.build_map(dated_events()), path)
    page = OfflinePage(chromium)
    page.open(path)
    boxes = page.page.locator(".geo-dates input")
    assert [boxes.nth(i).get_attribute("type") for i in (0, 1)] == ["text", "text"]
    assert [boxes.nth(i).input_value() for i in (0, 1)] == ["2023-10-04", "2024-11-30"]
    assert page.page.inner_text(".geo-count") == "5 of 5 events shown"
    # Typed dates filter the events (both ends included).
    type_date(page, 0, "2024-01-01")
    assert shown(page) == 3
    type_date(page, 1, "2024-05-07")
    assert shown(page) == 2 and page.page.inner_text(".geo-count") == "2 of 5 events shown"
    # A locale date is no date: marked, explained, and the filter stays as it was.
    type_date(page, 0, "10/04/2023")
    assert boxes.nth(0).get_attribute("aria-invalid") == "true"
    assert "YYYY-MM-DD" in page.page.inner_text(".geo-date-msg")
    assert page.page.is_visible(".geo-date-msg") and shown(page) == 2
    type_date(page, 0, "2024-02-30")  # not a calendar date
    assert boxes.nth(0).get_attribute("aria-invalid") == "true" and shown(page) == 2
    # Half typed: nothing changes yet; a whole date applies at once.
    type_date(page, 0, "2023-1", commit=False)
    assert boxes.nth(0).get_attribute("aria-invalid") == "true"  # still the last verdict
    page.page.keyboard.type("2-01")  # 2023-12-01
    page.page.wait_for_timeout(100)
    assert boxes.nth(0).get_attribute("aria-invalid") == "false"
    assert not page.page.is_visible(".geo-date-msg") and shown(page) == 3
    # An empty box is no limit.
    type_date(page, 0, "")
    type_date(page, 1, "")
    assert shown(page) == 5
    # From after To: nothing shown, and said why.
    page.eval("() => window.geoDisputed.filterDates('2024-06-01', '2024-01-01')")
    assert shown(page) == 0 and "after" in page.page.inner_text(".geo-date-msg")
    assert page.errors == []


def overlapping_zones_frame():
    """A big square, a small square inside it and a square apart."""
    from shapely.geometry import Polygon

    def square(x, y, d):
        return Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)])

    rows = [{"zone_id": "big", "name": "Big <i>zone</i>", "kind": "disputed_territory",
             "description": "", "source": "", "area_km2": 5000.0, "approximate": True,
             "geometry": square(44.0, 35.0, 1.0)},
            {"zone_id": "small", "name": "Small zone", "kind": "sector", "description": "",
             "source": "", "area_km2": 100.0, "approximate": False,
             "geometry": square(44.4, 35.4, 0.2)},
            {"zone_id": "apart", "name": "Zone apart", "kind": "security_vacuum",
             "description": "", "source": "", "area_km2": 100.0, "approximate": True,
             "geometry": square(45.3, 35.4, 0.2)}]
    import geopandas as gpd

    from geo.schema import ZONE_COLUMNS

    return gpd.GeoDataFrame(rows, columns=ZONE_COLUMNS, geometry="geometry", crs="EPSG:4326")


def click_at(page: OfflinePage, lat: float, lon: float) -> None:
    """Move the mouse to (lat, lon) (so a tooltip shows) and click there."""
    x, y = page.eval("""([lat, lon]) => { const G = window.geoDisputed,
        c = G.map.getContainer().getBoundingClientRect(), p = G.map.latLngToContainerPoint([lat, lon]);
        return [c.left + p.x, c.top + p.y]; }""", [lat, lon])
    page.page.mouse.move(x, y)
    page.page.wait_for_timeout(150)
    page.page.mouse.click(x, y)
    page.page.wait_for_timeout(500)


@needs_assets
def test_zone_popup_lists_every_zone_at_the_point(chromium, tmp_path):
    ev = events_frame([make_event(0, lat=35.2, lon=44.1), make_event(1, lat=35.9, lon=45.4)])
    path = tmp_path / "zones.html"
    render.save_map(render.build_map(ev, overlapping_zones_frame()), path)
    page = OfflinePage(chromium)
    page.open(path)
    page.eval("() => void window.geoDisputed.map.setView([35.5, 44.6], 9, {animate: false})")
    page.page.wait_for_timeout(300)
    # Where the small zone lies on the big one: both, the small one (on top, clicked) first.
    click_at(page, 35.5, 44.5)
    text = page.page.inner_text(".leaflet-popup-content")
    assert text.startswith("2 zones at this point\nSmall zone\n"), text
    assert "Big <i>zone</i>" in text and "Zone apart" not in text
    assert page.page.query_selector(".leaflet-popup-content i") is None
    titles = page.eval("() => Array.from(document.querySelectorAll("
                       "'.leaflet-popup-content .geo-popup-title'), e => e.textContent)")
    assert titles == ["Small zone", "Big <i>zone</i>"]
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "zones-overlap-popup.png"))
    # No focus box around the clicked path, and no tooltip over the popup.
    focus = page.eval("""() => { const a = document.activeElement;
        return [a.tagName.toLowerCase(), getComputedStyle(a).outlineStyle]; }""")
    assert focus == ["path", "none"], focus
    assert page.eval("() => { const t = document.querySelectorAll('.leaflet-tooltip'); return "
                     "t.length > 0 && Array.from(t).every(e => e.getBoundingClientRect().width === 0); }")
    assert_popup_clear(page)
    # Popup shut: the tooltip shows again on hover.
    click_at(page, 35.1, 44.1)  # the big zone only
    text = page.page.inner_text(".leaflet-popup-content")
    assert text.startswith("Big <i>zone</i>\n") and "zones at this point" not in text, text
    page.page.click(".leaflet-popup-close-button")
    page.page.mouse.move(600, 420)
    page.page.mouse.move(605, 425)
    # Waits for the tooltip rather than a fixed time: on a loaded machine it comes later.
    page.page.wait_for_function("() => Array.from(document.querySelectorAll('.leaflet-tooltip'))"
                                ".some(t => t.getBoundingClientRect().width > 0)", timeout=10_000)
    # From the keyboard: a zone takes the focus and Enter opens its popup.
    page.eval("() => void window.geoDisputed.map.closePopup()")
    page.eval("""() => window.geoDisputed.zones.getLayers().find(
        l => l.feature.properties.zone_id === 'apart')._path.focus()""")
    assert page.eval("() => document.activeElement.getAttribute('aria-label')") == \
        "Zone apart (security vacuum, approximate)"
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector(".leaflet-popup-content .geo-popup-title", timeout=5000)
    assert page.page.inner_text(".leaflet-popup-content .geo-popup-title") == "Zone apart"
    assert page.errors == []


@needs_assets
@pytest.mark.parametrize("width,height", [(1000, 380), (1200, 500), (390, 800)])
def test_popup_autopan_keeps_its_marker_in_view(chromium, tmp_path, width, height):
    # A long evidence sentence: the popup takes all the height it may (and scrolls), the
    # case where autopan used to leave the marker half below the map's bottom edge.
    long = " ".join(["ISIS attacked a post near Kirkuk on Tuesday."] * 40)
    ev = events_frame([make_event(0, evidence=long), make_event(1, lat=35.9, lon=44.9)])
    path = tmp_path / "autopan.html"
    render.save_map(render.build_map(ev, zones_frame()), path)
    page = OfflinePage(chromium, width=width, height=height)
    page.open(path)
    # Low on the map, just above the attribution strip (on a phone its sources' names take
    # two lines, and a marker under it cannot be clicked at all).
    strip_top = page.eval("""() => {
        const a = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
        return a.top - document.querySelector('.leaflet-container').getBoundingClientRect().top;
    }""")
    for y in (70, min(height - 40, int(strip_top) - 16)):
        open_popup_at(page, 0, width // 2, y)
        marker = page.eval("""() => {
            const i = document.querySelector('[data-test=at0]').getBoundingClientRect();
            const c = document.querySelector('.leaflet-container').getBoundingClientRect();
            const hit = document.elementFromPoint(i.left + i.width / 2, i.top + i.height / 2);
            return {below: c.bottom - i.bottom, above: i.top - c.top,
                    visible: !!(hit && hit.closest('[data-test=at0]'))};
        }""")
        assert marker["visible"] and marker["below"] >= 8 and marker["above"] >= 8, (y, marker)
        assert_popup_clear(page)
    assert page.errors == []


@needs_assets
@pytest.mark.parametrize("self_contained", [False, True])
def test_template_syntax_shows_as_text_in_the_browser(chromium, tmp_path, self_contained):
    from test_render import injection_inputs

    marker = tmp_path / "pwned"
    t, events, zones, mentions = injection_inputs(marker)
    m = render.build_map(events, zones, mentions, title=t["map_title"],
                         self_contained=self_contained)
    path = render.save_map(m, tmp_path / "inject.html", self_contained=self_contained)
    page = OfflinePage(chromium, block_all=self_contained)
    page.open(path)
    assert page.page.title() == t["map_title"]
    assert page.page.inner_text(".geo-title") == t["map_title"]
    assert page.eval("() => window.geoDisputed.events.geoMarkers.length") == 3
    text = open_popup(page, 0)
    for key in ("title", "source", "evidence", "location", "actor1", "actor2", "report_id",
                "zones"):
        assert t[key] in text, key
    assert page.page.get_attribute(".leaflet-popup-content a", "href") == t["url"]
    # Text, not markup: no element was made of `</script><!--`.
    assert page.page.query_selector(".leaflet-popup-content script") is None
    page.eval("() => void window.geoDisputed.map.closePopup()")
    page.eval("""() => { const z = window.geoDisputed.zones.getLayers()[0];
                         z.openPopup(z.getBounds().getCenter()); }""")
    page.page.wait_for_selector(".leaflet-popup-content .geo-popup-title", timeout=5000)
    # Every open popup's text: the event's may still be open beside the zone's.
    zone_text = page.eval("() => Array.from(document.querySelectorAll('.leaflet-popup-content'),"
                          " e => e.innerText).join('\\n')")
    for key in ("zone_name", "zone_description", "zone_source"):
        assert t[key] in zone_text, (key, zone_text[:300])
    page.eval("() => void window.geoDisputed.map.closePopup()")
    type_search(page, "Daquq")
    assert search_list(page) == [t["place"]]
    assert not marker.exists()
    assert page.errors == []


ARABIC_TITLE = "\u0647\u062c\u0648\u0645 \u0639\u0644\u0649 \u0646\u0642\u0637\u0629 \u062a\u0641\u062a\u064a\u0634 \u0641\u064a \u0643\u0631\u0643\u0648\u0643"
ARABIC_EVIDENCE = ("\u0647\u0627\u062c\u0645 \u0645\u0633\u0644\u062d\u0648\u0646 \u0646\u0642\u0637\u0629 "
                   "\u062a\u0641\u062a\u064a\u0634 \u0642\u0631\u0628 \u0643\u0631\u0643\u0648\u0643 "
                   "\u064a\u0648\u0645 \u0627\u0644\u062b\u0644\u0627\u062b\u0627\u0621 (ISIS).")
KIRKUK_AR = "\u0643\u0631\u0643\u0648\u0643"
SORANI_DESCRIPTION = "\u0646\u0627\u0648\u0686\u06d5\u06cc \u06a9\u06d5\u0631\u06a9\u0648\u0648\u06a9"


@needs_assets
def test_right_to_left_reports_read_right_to_left_with_highlights(chromium, tmp_path):
    ev = events_frame([make_event(0, title=ARABIC_TITLE, evidence=ARABIC_EVIDENCE,
                                  evidence_place=KIRKUK_AR, source="\u0634\u0641\u0642 \u0646\u064a\u0648\u0632"),
                       make_event(1, lat=35.9, lon=44.9)])
    zones = zones_frame()
    zones["description"] = SORANI_DESCRIPTION
    path = tmp_path / "rtl.html"
    render.save_map(render.build_map(ev, zones), path)
    page = OfflinePage(chromium)
    page.open(path)
    open_popup(page, 0)
    got = page.eval("""() => {
        const c = document.querySelector('.leaflet-popup-content');
        const dir = e => e.matches(':dir(rtl)') ? 'rtl' : 'ltr';
        const t = c.querySelector('.geo-popup-title'), q = c.querySelector('.geo-evidence');
        const src = c.querySelector('.geo-row a, .geo-row bdi');
        return {title: [t.getAttribute('dir'), dir(t), t.textContent],
                evidence: [q.getAttribute('dir'), dir(q), q.textContent,
                           getComputedStyle(q).textAlign],
                marks: Array.from(q.querySelectorAll('mark'), m => m.textContent),
                label: dir(c.querySelector('.geo-row b'))};
    }""")
    assert got["title"] == ["auto", "rtl", ARABIC_TITLE]
    assert got["evidence"][:3] == ["auto", "rtl", ARABIC_EVIDENCE]  # the text whole
    assert got["evidence"][3] in ("right", "start")
    assert got["marks"] == [KIRKUK_AR]
    assert got["label"] == "ltr"  # the English labels stay left to right
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-popup-rtl.png"))
    # An English report's popup stays left to right.
    open_popup(page, 1)
    assert page.eval("() => document.querySelector('.leaflet-popup-content .geo-popup-title')"
                     ".matches(':dir(ltr)')")
    # A zone's Sorani description, right to left.
    page.eval("() => void window.geoDisputed.map.closePopup()")
    page.eval("""() => { const z = window.geoDisputed.zones.getLayers()[0];
                         z.openPopup(z.getBounds().getCenter()); }""")
    page.page.wait_for_selector(".leaflet-popup-content .geo-zone-description", timeout=5000)
    assert page.eval("() => document.querySelector('.geo-zone-description').matches(':dir(rtl)')")
    assert page.errors == []



def canvas_ink(page: OfflinePage, pane: str) -> int:
    """How many pixels of the canvases in a map pane are drawn (not transparent)."""
    return page.eval("""(pane) => {
        let n = 0;
        document.querySelectorAll('.leaflet-' + pane + '-pane canvas').forEach(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
        });
        return n;
    }""", pane)


@needs_assets
def test_offline_basemap_draws_boundaries_rivers_and_labels_with_nothing_requested(chromium,
                                                                                   tmp_path):
    path = write(tmp_path, "basemap.html", self_contained=True)
    page = OfflinePage(chromium, block_all=True)
    page.open(path)
    assert page.blocked == [] and page.errors == []
    G = "window.geoDisputed"
    assert page.eval(f"() => {G}.map.hasLayer({G}.basemap)")
    page.eval(f"() => void {G}.map.setView([35.3, 44.3], 7, {{animate: false}})")
    page.page.wait_for_timeout(400)
    assert canvas_ink(page, "geoBasemap") > 5000  # outline, governorates, rivers, lakes drawn
    labels = page.eval(f"() => {G}.basemap.geoVisibleLabels()")
    assert {"Kirkuk", "Erbil", "Mosul"} <= set(labels)  # cities from zoom 7
    assert "Kirkuk" in labels and "Daquq" not in labels  # a town waits for zoom 9
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-offline-basemap.png"))
    page.eval(f"() => void {G}.map.setView([36.19, 44.01], 9, {{animate: false}})")
    page.page.wait_for_timeout(300)
    labels9 = page.eval(f"() => {G}.basemap.geoVisibleLabels()")
    assert "Daquq" in labels9 and "Kirkuk" in labels9
    assert "Diyala" not in labels9 and "Ninewa" not in labels9  # governorate names: 6 to 8
    # Arabic (and Kurdish) names on hover.
    for _ in range(6):  # a real hover, from outside the label onto it
        # The box is read again each time: labels are redrawn when the map moves, and on a
        # loaded machine a redraw can come between reading the box and reaching it.
        box = page.eval("""() => { const s = Array.from(document.querySelectorAll(
            '.geo-label-city span')).find(e => e.textContent === 'Erbil').getBoundingClientRect();
            return [s.left + s.width / 2, s.top + s.height / 2]; }""")
        page.page.mouse.move(box[0] - 40, box[1] - 40)
        page.page.wait_for_timeout(100)
        page.page.mouse.move(*box, steps=5)
        try:
            # Erbil's own names (the way there can pass over Ankawa's label and show its).
            page.page.wait_for_function("""() => {
                const t = document.querySelector('.geo-label-names');
                return !!t && t.textContent.includes('\u0623\u0631\u0628\u064a\u0644'); }""",
                                        timeout=1500)
            break
        except Exception:  # not shown yet: hover again
            continue
    tip = page.page.inner_text(".geo-label-names", timeout=5000)
    assert "\u0623\u0631\u0628\u064a\u0644" in tip  # أربيل
    assert "\u0647\u06d5\u0648\u0644\u06ce\u0631" in tip  # هەولێر (Sorani)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-offline-basemap-hover.png"))
    page.eval(f"() => void {G}.map.setView([35.2, 44.4], 12, {{animate: false}})")
    page.page.wait_for_timeout(300)
    assert len(page.eval(f"() => {G}.basemap.geoVisibleLabels()")) > len(labels9)  # villages
    assert page.blocked == [] and page.errors == []


@needs_assets
def test_online_map_with_tiles_asks_only_for_tiles_and_offers_the_basemap(chromium, tmp_path):
    m = render.build_map(sample_events(), zones_frame(), mentions_frame(), tiles="osm")
    path = render.save_map(m, tmp_path / "tiles.html")
    page = OfflinePage(chromium, tiles=True)
    page.open(path)
    page.page.wait_for_timeout(600)
    assert page.errors == [] and page.blocked == []
    assert page.tile_requests and all("tile.openstreetmap.org" in u for u in page.tile_requests)
    assert page.eval("() => document.querySelectorAll('.leaflet-tile-loaded').length") > 0
    assert not page.eval("() => window.geoDisputed.map.hasLayer(window.geoDisputed.basemap)")
    # The offline basemap is a choice of the layer switcher.
    page.page.hover(".leaflet-control-layers")
    page.page.click("text=Offline basemap")
    page.page.wait_for_timeout(400)
    assert page.eval("() => window.geoDisputed.map.hasLayer(window.geoDisputed.basemap)")
    assert canvas_ink(page, "geoBasemap") > 0
    # The default map (no --tiles) asks for no tile at all.
    plain = render.save_map(render.build_map(sample_events()), tmp_path / "plain.html")
    page2 = OfflinePage(chromium, tiles=True)
    page2.open(plain)
    page2.page.wait_for_timeout(400)
    assert page2.tile_requests == [] and page2.blocked == [] and page2.errors == []


def timeline_events(n_weeks=20):
    rows = []
    for i in range(n_weeks * 3):
        day = 1 + (i % 28)
        month = 1 + (i // 28) % 12
        rows.append(make_event(i, lat=35.0 + (i % 9) * 0.05, lon=44.0 + (i % 7) * 0.05,
                               event_type=["Battles", "Protests", "Riots"][i % 3],
                               event_date=f"2024-{month:02d}-{day:02d}"))
    return events_frame(rows)


@needs_assets
def test_timeline_bars_and_drag_to_filter(chromium, tmp_path):
    path = tmp_path / "timeline.html"
    ev = timeline_events()
    render.save_map(render.build_map(ev), path)
    page = OfflinePage(chromium)
    page.open(path)
    T = "window.geoDisputed.timelineData"
    assert page.eval(f"() => {T}.unit") == "week"
    totals = page.eval(f"() => {T}.totals")
    assert sum(totals) == len(ev)
    # stacked by type: each bar's parts add up to its total
    counts = page.eval(f"() => {T}.counts")
    nt = len(counts) // len(totals)
    assert [sum(counts[k * nt:(k + 1) * nt]) for k in range(len(totals))] == totals
    box = page.eval(f"() => {{ const r = {T}.canvas.getBoundingClientRect(); "
                    "return [r.left, r.top, r.width, r.height]; }")
    bw = box[2] / len(totals)
    # Drag over the 2nd to 4th bars.
    y = box[1] + box[3] / 2
    page.page.mouse.move(box[0] + bw * 1.5, y)
    page.page.mouse.down()
    page.page.mouse.move(box[0] + bw * 2.5, y, steps=3)
    page.page.mouse.move(box[0] + bw * 3.5, y, steps=3)
    assert page.page.inner_text(".geo-count") == f"{sum(totals[1:4])} of {len(ev)} events in the dragged span"
    page.page.mouse.up()
    page.page.wait_for_timeout(200)
    expected = sum(totals[1:4])
    assert shown(page) == expected
    assert page.page.inner_text(".geo-count") == f"{expected} of {len(ev)} events shown"
    values = [page.page.locator(".geo-dates input").nth(i).input_value() for i in (0, 1)]
    starts = page.eval(f"() => {T}.starts")
    import datetime as dt

    day = lambda s: (dt.date.fromisoformat(s) - dt.date(1970, 1, 1)).days  # noqa: E731
    assert day(values[0]) == starts[1] and day(values[1]) == starts[4] - 1
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-timeline.png"))
    assert page.errors == []


@needs_assets
def test_measure_and_fullscreen_tools(chromium, tmp_path):
    path = write(tmp_path, "tools.html", self_contained=True)
    page = OfflinePage(chromium, block_all=True)
    page.open(path)
    page.page.click(".geo-measure")
    page.eval("""() => { const t = window.geoDisputed.measureTool;
        t.add([35.0, 44.0]); t.add([35.0, 45.0]); t.add([36.0, 45.0]); }""")
    got = page.eval("() => window.geoDisputed.measured")
    # 1 degree of longitude at 35 N is about 91.2 km, then 1 degree of latitude 111.2 km
    assert abs(got["km"] - 202.4) < 1.5, got
    assert 4500 < got["km2"] < 5300, got  # the triangle: about half of 91 km x 111 km
    assert "Distance: 20" in page.page.inner_text(".geo-measure-out")
    page.page.keyboard.press("Escape")
    assert page.eval("() => window.geoDisputed.measured") is None
    assert page.page.get_attribute(".geo-fullscreen", "aria-label") == "Full screen"
    assert page.errors == [] and page.blocked == []


@needs_assets
def test_acled_and_ucdp_events_are_layers_of_their_own(chromium, tmp_path):
    rows = [make_event(0, event_date="2024-05-07"),
            make_event(1, lat=35.2, lon=44.1, dataset="ACLED", event_id="TST1", report_id="TST1",
                       title="Armed clash in Hawija", event_date="2024-05-08"),
            make_event(2, lat=35.0, lon=44.6, dataset="ACLED", event_id="TST2", report_id="TST2",
                       event_date="2024-06-20"),
            make_event(3, lat=34.9, lon=44.6, dataset="UCDP", event_id="ucdp-9", report_id="ucdp-9",
                       event_date="2024-05-09")]
    path = render.save_map(render.build_map(events_frame(rows)), tmp_path / "compare.html")
    page = OfflinePage(chromium)
    page.open(path)
    G = "window.geoDisputed"
    assert page.eval(f"() => {G}.eventLayers.map(l => l.geoMarkers.length)") == [1, 2, 1]
    # The layer switcher names each; switching ACLED off leaves the others.
    page.page.hover(".leaflet-control-layers")
    labels = page.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [t.strip() for t in labels if t.strip() in ("Events", "ACLED", "UCDP")] == [
        "Events", "ACLED", "UCDP"]
    square = "() => document.querySelectorAll('.geo-pin.geo-pin-dataset').length"
    page.page.wait_for_function(f"{square} === 3")
    page.page.click(".leaflet-control-layers-overlays label:has-text('ACLED') input")
    page.page.wait_for_function(f"{square} === 1")
    assert page.eval("() => document.querySelectorAll('.geo-pin:not(.geo-pin-dataset)').length") == 1
    page.page.click(".leaflet-control-layers-overlays label:has-text('ACLED') input")
    page.page.wait_for_function(f"{square} === 3")
    # The date filter covers every dataset's events.
    type_date(page, 0, "2024-05-08")
    type_date(page, 1, "2024-05-31")
    assert page.page.inner_text(".geo-count") == "2 of 4 events shown"
    assert page.eval(f"() => {G}.eventLayers.map(l => l.getLayers().length)") == [0, 1, 1]
    # An ACLED event's popup names its dataset.
    page.eval(f"() => {{ {G}.eventLayers[1].geoMarkers[0].openPopup(); }}")
    popup = page.page.inner_text(".leaflet-popup-content")
    assert "ACLED event" in popup and "TST1" in popup
    assert page.page.inner_text(".geo-legend").count("square pins") == 2
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS_DIR / "map-compare.png"))
    assert page.errors == []
