"""Map benchmark: 10,000 and 100,000 synthetic events.

Build time, HTML size, time until drawn in headless Chromium (network cut, CDN files served
from the installed xstatic packages' copies), frame times while panning and the time the date
filter takes to apply a span picked on the timeline, with the offline basemap on (the default
background); the peer, in the same run, is folium's plain MarkerCluster with one folium.Popup
per marker (naive), at 10,000 events, on the same Leaflet and markercluster versions.

    python3 bench/bench_map.py [--sizes 10000,100000] [--peer-max 10000]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # this checkout's geo, not whichever is installed

from browser_helpers import OfflinePage, browser  # noqa: E402
from test_render import events_frame, make_event  # noqa: E402

from geo import render  # noqa: E402

TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
         "Riots", "Strategic developments"]
ACTORS = ["Islamic State (Iraq)", "Military Forces of Iraq (Peshmerga)", "Military Forces of Iraq",
          "Popular Mobilization Forces", "Civilians (Iraq)"]


def synthetic(n: int, seed: int = 1):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(make_event(
            i, lat=round(rnd.uniform(34.0, 36.8), 5), lon=round(rnd.uniform(42.0, 46.0), 5),
            event_type=TYPES[i % 6], actor1=ACTORS[i % 5], title=f"Synthetic report {i}",
            event_date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            evidence=f"Clashes were reported near Kirkuk in report {i}, officials said."))
    return events_frame(rows)


def naive_peer(events, path: Path) -> None:
    import folium
    from folium.plugins import MarkerCluster

    from geo import settings

    # The same Leaflet and markercluster as geo's page (served offline from the packages);
    # folium's jQuery/Bootstrap extras are not needed by markers and popups.
    folium.Map.default_js = [("leaflet", settings.ASSET_LEAFLET + "leaflet.js")]
    folium.Map.default_css = [("leaflet_css", settings.ASSET_LEAFLET + "leaflet.css")]
    MarkerCluster.default_js = [("markerclusterjs",
                                 settings.ASSET_MARKERCLUSTER + "leaflet.markercluster.js")]
    MarkerCluster.default_css = [
        ("markerclustercss", settings.ASSET_MARKERCLUSTER + "MarkerCluster.css"),
        ("markerclusterdefaultcss", settings.ASSET_MARKERCLUSTER + "MarkerCluster.Default.css")]
    m = folium.Map(location=[35.4, 44.0], zoom_start=7, tiles=None)
    mc = MarkerCluster().add_to(m)
    for r in events.itertuples():
        folium.Marker([r.latitude, r.longitude],
                      popup=folium.Popup(f"<b>{r.title}</b><br>{r.evidence}")).add_to(mc)
    m.save(str(path))


DRAWN_JS = """(n) => new Promise(resolve => {
  const t0 = performance.now();
  (function check() {
    const G = window.geoDisputed, layers = G && G.ready ? G.events.getLayers().length : -1;
    const peer = window.__peerCount ? window.__peerCount() : -1;
    if ((layers === n || peer === n) && document.querySelector('.marker-cluster, .geo-event'))
      resolve(true);
    else if (performance.now() - t0 > 120000) resolve(false); else setTimeout(check, 20);
  })();
})"""

PAN_JS = """() => new Promise(resolve => {
  const map = Object.values(window).find(v => v && v instanceof L.Map);
  const frames = []; let last = performance.now(), running = true;
  function tick(t) { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); }
  requestAnimationFrame(tick);
  const steps = [[300, 0], [0, 300], [-300, 0], [0, -300], [200, 200], [-200, -200]];
  let i = 0;
  function next() {
    if (i >= steps.length) { running = false; setTimeout(() => {
      frames.sort((a, b) => a - b);
      resolve({frames: frames.length, p50: frames[Math.floor(frames.length / 2)],
               p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1]});
    }, 50); return; }
    map.panBy(steps[i++], {animate: true, duration: 0.4});
    setTimeout(next, 550);
  }
  next();
})"""


# A span picked on the timeline (its first half), applied; then back to every event.
FILTER_JS = """() => new Promise(resolve => {
  const G = window.geoDisputed, T = G.timelineData, s = T.starts;
  const iso = d => new Date(d * 864e5).toISOString().slice(0, 10);
  const t0 = performance.now();
  G.filterDates(iso(s[0]), iso(s[Math.floor((s.length - 1) / 2)] - 1));
  requestAnimationFrame(() => { const t1 = performance.now();
    G.filterDates('', ''); resolve((t1 - t0) / 1000); });
})"""


def measure_page(b, path: Path, n: int, peer: bool = False) -> dict:
    page = OfflinePage(b)
    if peer:
        page.page.add_init_script("""window.__peerCount = () => {
          const mc = Object.values(window).find(v => v && v._featureGroup && v.getLayers);
          return mc ? mc.getLayers().length : -1; };""")
    t0 = time.perf_counter()
    page.page.goto(path.resolve().as_uri(), wait_until="load", timeout=600_000)
    ok = page.page.evaluate(DRAWN_JS, n)
    drawn = time.perf_counter() - t0 if ok else float("nan")
    pan = page.page.evaluate(PAN_JS)
    filt = None if peer else page.page.evaluate(FILTER_JS)
    page.page.close()
    return {"drawn_s": drawn, "pan": pan, "filter_s": filt, "errors": page.errors}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--peer-max", type=int, default=10000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-map-"))
    with browser() as b:
        for n in [int(s) for s in args.sizes.split(",")]:
            events = synthetic(n)
            t0 = time.perf_counter()
            m = render.build_map(events)
            path = tmp / f"geo-{n}.html"
            render.save_map(m, path)
            build = time.perf_counter() - t0
            res = measure_page(b, path, n)
            pan = res["pan"]
            print(f"geo.render   {n:>7} events: built {build:5.2f} s, "
                  f"{path.stat().st_size / 1e6:6.1f} MB, drawn {res['drawn_s']:5.2f} s, "
                  f"pan frames p50 {pan['p50']:.0f} ms / p95 {pan['p95']:.0f} ms / "
                  f"max {pan['max']:.0f} ms, timeline filter {res['filter_s']:.2f} s, "
                  f"JS errors {res['errors'][:2]}", flush=True)
            if n <= args.peer_max:
                t0 = time.perf_counter()
                ppath = tmp / f"peer-{n}.html"
                naive_peer(events, ppath)
                pbuild = time.perf_counter() - t0
                pres = measure_page(b, ppath, n, peer=True)
                ppan = pres["pan"]
                print(f"folium naive {n:>7} events: built {pbuild:5.2f} s, "
                      f"{ppath.stat().st_size / 1e6:6.1f} MB, drawn {pres['drawn_s']:5.2f} s, "
                      f"pan frames p50 {ppan['p50']:.0f} ms / p95 {ppan['p95']:.0f} ms / "
                      f"max {ppan['max']:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
