"""The map in headless Chromium (Debian's), with the network cut: CDN files are served from
the local npm copies, everything else is aborted. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest

from browser_helpers import ARTIFACTS_DIR, OfflinePage, browser, chromium_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs playwright and chromium")]

from test_render import XSS_TITLE, events_frame, make_event, mentions_frame, zones_frame  # noqa: E402

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


@needs_assets
def test_map_renders_offline(chromium, tmp_path):
    path = write(tmp_path, "map.html")
    page = OfflinePage(chromium)
    page.open(path)
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert all("tile" in u or "arcgisonline" in u for u in page.blocked), page.blocked
    n = page.eval("() => window.geoDisputed.events.getLayers().length")
    assert n == 24  # 25 events, one without a place
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
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == 24
    page.page.fill(".geo-search input", "Daquq")
    page.page.press(".geo-search input", "Enter")
    page.page.wait_for_timeout(800)  # the zoom animation
    center = page.eval("() => window.geoDisputed.map.getCenter()")
    assert abs(center["lat"] - 35.14) < 0.01 and abs(center["lng"] - 44.45) < 0.01
    assert page.errors == []


@needs_assets
def test_self_contained_renders_with_every_request_blocked(chromium, tmp_path):
    path = write(tmp_path, "offline.html", self_contained=True)
    page = OfflinePage(chromium, block_all=True)
    page.open(path)
    page.page.wait_for_timeout(300)
    assert page.errors == []
    assert page.blocked == []  # nothing even asked for
    assert page.eval("() => window.geoDisputed.events.getLayers().length") == 24
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
