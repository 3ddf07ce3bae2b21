"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, network cut.

CDN requests are answered from the local npm copies (geo._assets.local_file); every other
request is aborted and recorded. Used by tests/test_browser.py and bench/bench_map.py.
"""
from __future__ import annotations

import contextlib
import mimetypes
import os
from pathlib import Path

CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"


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

    def __init__(self, browser, *, block_all: bool = False, width: int = 1200, height: int = 800):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.served: list[str] = []
        self.block_all = block_all
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
