"""The scripts and stylesheets a map loads from CDNs, and their copies in installed packages.

Leaflet, Leaflet.markercluster and Font Awesome come from PyPI packages that geo depends on
(xstatic-leaflet 1.9.3, xstatic-leaflet-markercluster 1.4.1, xstatic-font-awesome 6.2.1), so
an offline map works right after `pip install`, with no npm and no network. The online map
names the same versions on the CDN (settings.ASSET_CDN_MAP), so both behave alike.

`local_file(url)` maps a CDN URL to the package's copy (the browser tests answer CDN requests
with it); `inline_assets(html)` replaces every `<script src>` and stylesheet `<link>` by the
file's text, with the `url(...)` references of stylesheets (marker images, fonts) inlined as
data: URIs, so the page needs no network at all.
"""
from __future__ import annotations

import base64
import importlib
import mimetypes
import re
from pathlib import Path

from geo import settings
from geo._errors import MapError

_SCRIPT_RE = re.compile(r'<script src="(https?://[^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_TTF_FALLBACK_RE = re.compile(r"""(?<=format\("woff2"\)),\s*url\([^)]*\.ttf\)\s*format\(["']truetype["']\)""")
_MIME = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".svg": "image/svg+xml",
         ".png": "image/png", ".gif": "image/gif", ".eot": "application/vnd.ms-fontobject"}


def package_dir(module: str) -> Path | None:
    """The data folder of an xstatic package (its BASE_DIR), or None when not installed."""
    try:
        return Path(importlib.import_module(module).BASE_DIR)
    except ImportError:
        return None


def local_file(url: str) -> Path | None:
    """The installed copy of a CDN `url` (query and fragment ignored), or None when the URL
    is not one of the map's or its package is not installed."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    for pattern, module in settings.ASSET_CDN_MAP:
        m = re.fullmatch(pattern, url)
        if not m:
            continue
        root = package_dir(module)
        if root is None:
            return None
        path = (root / m.group(1)).resolve()
        if root.resolve() not in path.parents or not path.is_file():
            return None
        return path
    return None


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    """The stylesheet's text with each relative url(...) replaced by a data: URI."""
    text = path.read_text(encoding="utf-8")
    # Browsers that read woff2 never fetch the TrueType fallback: keep only woff2 (Font
    # Awesome's stylesheet would otherwise inline every font twice).
    text = _TTF_FALLBACK_RE.sub("", text)

    def repl(m: re.Match) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")) or re.match(r"^[a-z]+://", ref):
            return m.group(0)
        target = (path.parent / ref.split("?", 1)[0].split("#", 1)[0]).resolve()
        if not target.is_file():
            return m.group(0)
        return f'url("{_data_uri(target)}")'

    return _CSS_URL_RE.sub(repl, text)


def _need(url: str) -> Path:
    path = local_file(url)
    if path is None:
        modules = ", ".join(m.replace("xstatic.pkg.", "xstatic-").replace("_", "-")
                            for _, m in settings.ASSET_CDN_MAP)
        raise MapError(
            f"--self-contained: no installed copy of {url}; the map's assets come from the "
            f"PyPI packages {modules} (installed with geo: python3 -m pip install -e .)")
    return path


def inline_assets(html: str) -> str:
    """`html` with every external script and stylesheet inlined (raises MapError naming the
    first file that has no installed copy)."""

    def script(m: re.Match) -> str:
        text = _need(m.group(1)).read_text(encoding="utf-8")
        text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
        return f"<script>/* {m.group(1)} */\n{text}\n</script>"

    def style(m: re.Match) -> str:
        text = _inline_css(_need(m.group(1)))
        text = re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)
        return f"<style>/* {m.group(1)} */\n{text}\n</style>"

    html = _SCRIPT_RE.sub(script, html)
    return _LINK_RE.sub(style, html)
