"""Local copies of the scripts and stylesheets a map loads from CDNs, for offline maps.

The files come from the npm registry packages of the exact versions folium's CDN URLs name
(`leaflet@1.9.3`, `leaflet.markercluster@1.1.0`, ...), unpacked under
settings.ASSETS_DIR/node_modules/<package>/ (tests/setup-and-run.sh does it; by hand:
`npm install --prefix ~/.cache/geo-disputed/assets leaflet@1.9.3 ...`, see README).

`local_file(url)` maps a CDN URL to its local copy (the browser tests answer CDN requests
with it); `inline_assets(html)` replaces every `<script src>` and stylesheet `<link>` by the
file's text, with the `url(...)` references of stylesheets (marker images, fonts) inlined as
data: URIs, so the page needs no network at all.
"""
from __future__ import annotations

import base64
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


def assets_dir() -> Path:
    """The folder whose node_modules/ holds the npm packages (settings.ASSETS_DIR)."""
    return Path(settings.ASSETS_DIR)


def local_file(url: str) -> Path | None:
    """The local copy of a CDN `url` (query and fragment ignored), or None when unknown or
    not installed."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    root = assets_dir() / "node_modules"
    for pattern, package, folder in settings.ASSET_CDN_MAP:
        m = re.fullmatch(pattern, url)
        if not m:
            continue
        rel = m.group(1) if m.groups() else ""  # no group: `folder` names the file
        candidates = [rel]
        # jsDelivr minifies on the fly: `x.min.js` / `x.min.css` may ship only as `x.js`.
        if ".min." in rel:
            candidates.append(rel.replace(".min.", "."))
        for cand in candidates:
            path = root / package / folder / cand if cand else root / package / folder
            if path.is_file():
                return path
        return None
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
        raise MapError(
            f"--self-contained: no local copy of {url} under {assets_dir() / 'node_modules'}; "
            "install the npm packages listed in README.md (Maps, offline use) or set "
            "GEO_ASSETS_DIR to a folder that has them")
    return path


def inline_assets(html: str) -> str:
    """`html` with every external script and stylesheet inlined (raises MapError naming the
    first file that has no local copy)."""

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
