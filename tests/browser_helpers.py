"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, network cut.

CDN requests are answered from the installed packages' copies (geo._assets.local_file), tile
requests (with `tiles=True`) by a plain PNG drawn here; every other request is aborted and
recorded. Used by tests/test_browser.py and bench/bench_map.py.
"""
from __future__ import annotations

import contextlib
import mimetypes
import os
import re
import struct
import zlib
from pathlib import Path

CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"


TILE_URL_RE = re.compile(r"^https://([a-z]\.)?(tile\.openstreetmap\.org|server\.arcgisonline\.com)/")


def tile_png(rgb=(214, 222, 200)) -> bytes:
    """A 256 x 256 PNG of one colour: the answer to every tile request of a test."""
    raw = b"".join(b"\x00" + bytes(rgb) * 256 for _ in range(256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def chromium_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class OfflinePage:
    """A page whose requests go nowhere: CDN files from local copies (unless `block_all`),
    file:// for the page itself, everything else aborted. Collects JS errors."""

    def __init__(self, browser, *, block_all: bool = False, width: int = 1200, height: int = 800,
                 tiles: bool = False):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.served: list[str] = []
        self.block_all = block_all
        self.tiles = tiles
        self.tile_requests: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(
            "console: " + msg.text) if "net::ERR" not in msg.text and "Failed to load" not in msg.text else None)
        self.page.route("**/*", self._route)
        self.page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))

    def _route(self, route):
        from geo._assets import local_file

        url = route.request.url
        if url.startswith("file://") and not self.block_all:
            return route.continue_()
        if url.startswith("file://") and self.block_all and route.request.is_navigation_request():
            return route.continue_()
        if url.startswith("data:"):
            return route.continue_()
        if self.tiles and not self.block_all and TILE_URL_RE.match(url):
            self.tile_requests.append(url)
            return route.fulfill(status=200, body=tile_png(), content_type="image/png",
                                 headers={"Access-Control-Allow-Origin": "*"})
        path = None if self.block_all else local_file(url)
        if path is None:
            self.blocked.append(url)
            return route.abort()
        self.served.append(url)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            ctype = "application/javascript"
        return route.fulfill(status=200, body=path.read_bytes(), content_type=ctype,
                             headers={"Access-Control-Allow-Origin": "*"})

    def open(self, html_path: Path, timeout: float = 30_000) -> None:
        self.page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout)
        self.page.wait_for_function("() => window.geoDisputed && window.geoDisputed.map && window.geoDisputed.ready",
                                    timeout=timeout)

    def eval(self, js: str, arg=None):
        return self.page.evaluate(js, arg)
