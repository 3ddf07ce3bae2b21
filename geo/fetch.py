"""Articles and feeds from the web, saved as report files: the one step that goes online.

`geo fetch URL... -o reports/` asks only when told to, and politely: a User-Agent that names
the tool, a timeout, at most `rate` requests a second to one host, robots.txt honoured. Each
article becomes a Markdown report (front matter: title, published, source, author, url,
fetched) whose body is the article text the HTML reader extracts, so the rest of the pipeline
reads it offline like any other report. An RSS/Atom feed (read with feedparser) stands for the
articles it links. An article already saved in the folder (same canonical URL) is skipped.
Every failure is one line naming the URL; the other URLs go on.
"""
from __future__ import annotations

import hashlib
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from geo import settings
from geo._errors import GeoError


class FetchError(GeoError):
    """A URL that could not be fetched or read (the message names it); `status` is the HTTP
    status when the server answered with an error."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass
class FetchResult:
    saved: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # URLs already in the folder
    failures: list[str] = field(default_factory=list)  # one line each, naming the URL


@dataclass
class _Response:
    url: str           # after redirects
    content_type: str
    body: bytes


class _Client:
    """HTTP GETs with a size cap, a timeout, a per-host pace and robots.txt."""

    def __init__(self, rate: float, timeout: float, max_bytes: int, user_agent: str,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.timeout, self.max_bytes, self.user_agent = timeout, max_bytes, user_agent
        self._sleep, self._clock = sleep, clock
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def get(self, url: str, check_robots: bool = True) -> _Response:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"{url}: not an http(s) URL")
        if check_robots and not self._allowed(url):
            raise FetchError(f"{url}: disallowed by the site's robots.txt")
        self._pace(parts.netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "text/html,application/xhtml+xml,"
                                                                 "application/rss+xml,application/atom+xml,"
                                                                 "application/xml;q=0.9,*/*;q=0.5"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 (scheme checked)
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"{url}: response of {int(declared)} bytes is over the "
                                     f"{self.max_bytes}-byte limit")
                body = resp.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    raise FetchError(f"{url}: response over the {self.max_bytes}-byte limit")
                return _Response(resp.geturl(), resp.headers.get_content_type(), body)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308):
                raise FetchError(f"{url}: redirect loop (HTTP {exc.code} after too many "
                                 "redirects)") from None
            raise FetchError(f"{url}: HTTP error {exc.code} {exc.reason}", exc.code) from None
        except urllib.error.URLError as exc:
            raise FetchError(f"{url}: cannot reach {parts.netloc} ({_reason(exc.reason)}); "
                             "geo fetch needs a network connection") from None
        except (TimeoutError, OSError) as exc:
            raise FetchError(f"{url}: cannot reach {parts.netloc} ({_reason(exc)})") from None

    def _pace(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None and self.interval:
            wait = last + self.interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()

    def _allowed(self, url: str) -> bool:
        parts = urllib.parse.urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                resp = self.get(root + "/robots.txt", check_robots=False)
                parser.parse(resp.body.decode("utf-8", errors="replace").splitlines())
            except FetchError as exc:
                if exc.status is None or 400 <= exc.status < 500:
                    # No robots.txt allows everything (an unreachable host fails on its own).
                    parser = None
                else:
                    parser.disallow_all = True  # a server error: assume nothing is allowed
            self._robots[root] = parser
        parser = self._robots[root]
        return parser is None or parser.can_fetch(self.user_agent, url)


def _reason(reason) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return " ".join(text.split())[:120]


def fetch(urls: Iterable[str], out_dir: str | Path, *, rate: float = settings.FETCH_RATE,
          timeout: float = settings.FETCH_TIMEOUT, max_bytes: int = settings.REPORT_MAX_BYTES,
          user_agent: str = settings.FETCH_USER_AGENT, fetched_at: datetime | None = None,
          client: _Client | None = None) -> FetchResult:
    """Save the articles at `urls` (article pages or RSS/Atom feeds) as report files in
    `out_dir`, skipping those already saved there (same canonical URL).

    Parameters
    ----------
    urls: article or feed URLs, fetched in the order given (a feed's entries in its order).
    out_dir: the folder for the report files (made if missing).
    rate: at most this many requests a second to one host.
    timeout: seconds before a request is given up.

    Returns the saved paths, the skipped URLs and one failure line per URL that failed.
    """
    from geo._atomic import check_folder

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot make the folder {out}: {exc.strerror}") from None
    check_folder(out, out)
    client = client or _Client(rate, timeout, max_bytes, user_agent)
    when = (fetched_at or datetime.now(timezone.utc)).replace(microsecond=0)
    known = _saved_urls(out)
    result = FetchResult()
    for url in urls:
        try:
            resp = client.get(url)
        except FetchError as exc:
            result.failures.append(str(exc))
            continue
        if _is_feed(resp):
            try:
                links = _feed_links(resp)
            except FetchError as exc:
                result.failures.append(str(exc))
                continue
            for link in links:
                _save_article(client, link, None, out, known, when, result)
        elif resp.content_type in ("text/html", "application/xhtml+xml") or resp.body.lstrip()[:1] == b"<":
            _save_article(client, url, resp, out, known, when, result)
        else:
            result.failures.append(f"{url}: neither an article page nor a feed "
                                   f"(content type {resp.content_type})")
    return result


def _is_feed(resp: _Response) -> bool:
    if resp.content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    head = resp.body[:2048].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head) \
        or head.startswith((b"<rss", b"<feed"))


def _feed_links(resp: _Response) -> list[str]:
    import feedparser

    parsed = feedparser.parse(resp.body)
    links = [e.get("link") for e in parsed.entries if e.get("link")]
    if not links:
        why = "not an RSS/Atom feed" if parsed.get("bozo") or not parsed.get("version") \
            else "a feed with no article links"
        raise FetchError(f"{resp.url}: {why}")
    base = resp.url
    return [urllib.parse.urljoin(base, link) for link in links]


def _save_article(client: _Client, url: str, resp: _Response | None, out: Path,
                  known: set[str], when: datetime, result: FetchResult) -> None:
    from geo._html import extract_article

    if url in known:
        result.skipped.append(url)
        return
    try:
        resp = resp or client.get(url)
        article = extract_article(resp.body)
    except FetchError as exc:
        result.failures.append(str(exc))
        return
    except ValueError as exc:
        result.failures.append(f"{url}: {exc}")
        return
    canonical = _absolute(article.url, resp.url) or resp.url
    if canonical in known or resp.url in known:
        result.skipped.append(url)
        return
    path = out / _file_name(article.published, article.title, canonical)
    _write_report(path, article, canonical, when)
    known.update({canonical, url, resp.url})
    result.saved.append(path)


def _absolute(link: str, base: str) -> str:
    if not link:
        return ""
    joined = urllib.parse.urljoin(base, link)
    return joined if urllib.parse.urlsplit(joined).scheme in ("http", "https") else ""


def _file_name(published: str, title: str, url: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "article"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    return f"{published or 'undated'}-{slug}-{digest}.md"


def _write_report(path: Path, article, url: str, when: datetime) -> None:
    import yaml

    from geo._atomic import write_text

    meta = {"title": article.title or None, "published": article.published or None,
            "source": article.source or None, "author": article.author or None,
            "url": url, "fetched": when.isoformat().replace("+00:00", "Z")}
    header = yaml.safe_dump({k: v for k, v in meta.items() if v}, allow_unicode=True,
                            sort_keys=False, width=1000)
    write_text(path, f"---\n{header}---\n\n{article.body}\n")


def _saved_urls(folder: Path) -> set[str]:
    """The `url:` of every report already in the folder (its front matter's first lines)."""
    urls = set()
    for path in sorted(folder.glob("*.md")):
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        if not head.startswith("---\n"):
            continue
        m = re.search(r"^url:\s*['\"]?([^'\"\n]+)", head.split("\n---", 1)[0], re.MULTILINE)
        if m:
            urls.add(m.group(1).strip())
    return urls
