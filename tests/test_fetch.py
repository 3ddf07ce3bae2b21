"""geo fetch against a local HTTP server serving saved pages and a feed (never the internet)."""
from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from datetime import datetime, timezone

import pytest

from document_helpers import OPEN_GRAPH_PAGE, WIRE_PAGE
from geo.fetch import FetchError, _Client, fetch
from geo.reports import read_report_file

WHEN = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)


class _Site(http.server.BaseHTTPRequestHandler):
    """A news site: two articles, a feed linking them, robots.txt, and broken answers."""

    big = 0  # bytes of the /big response, set per test

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.requests.append((self.path, self.headers.get("User-Agent", "")))
        base = f"http://127.0.0.1:{self.server.server_port}"
        routes = {
            "/robots.txt": ("text/plain", "User-agent: *\nDisallow: /private/\n"),
            "/world/daquq": ("text/html", WIRE_PAGE),
            "/en/sidakan": ("text/html", OPEN_GRAPH_PAGE),
            "/private/leak": ("text/html", WIRE_PAGE),
            "/nothing": ("text/html", "<html><body><nav>Home</nav></body></html>"),
            "/feed.xml": ("application/rss+xml", f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example</title><link>{base}/</link>
<item><title>Daquq</title><link>{base}/world/daquq</link></item>
<item><title>Sidakan</title><link>/en/sidakan</link></item>
</channel></rss>"""),
            "/notafeed.xml": ("application/rss+xml", "<?xml version='1.0'?><html><p>oops"),
            "/data.bin": ("application/octet-stream", "\x00\x01"),
        }
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            sent = 0
            try:
                while sent < self.big:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path not in routes:
            self.send_error(404, "Not Found")
            return
        ctype, text = routes[self.path]
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _fast(**kw):
    return _Client(rate=kw.get("rate", 1000.0), timeout=5, max_bytes=kw.get("max_bytes", 20_000_000),
                   user_agent="geo-test/1", sleep=kw.get("sleep", lambda s: None),
                   clock=kw.get("clock", lambda: 0.0))


def test_feed_articles_saved_as_reports_with_url_and_fetch_time(site, tmp_path):
    server, base = site
    result = fetch([f"{base}/feed.xml"], tmp_path, fetched_at=WHEN, client=_fast())
    assert result.failures == [] and len(result.saved) == 2
    reports = [read_report_file(p)[0] for p in result.saved]
    assert [r.title for r in reports] == ["Roadside bomb hits army patrol near Daquq",
                                          "Turkish drone strike reported in Sidakan"]
    # the canonical URL of the page, not the address it was fetched from
    assert reports[0].url == "https://wire.example/world/daquq-patrol-bomb"
    text = result.saved[0].read_text(encoding="utf-8")
    assert "fetched: '2024-03-10T12:00:00Z'" in text
    assert result.saved[0].name == "2024-03-09-roadside-bomb-hits-army-patrol-near-daquq-" \
        f"{__import__('hashlib').sha1(reports[0].url.encode()).hexdigest()[:8]}.md"


def test_articles_already_saved_are_skipped(site, tmp_path):
    server, base = site
    first = fetch([f"{base}/world/daquq"], tmp_path, fetched_at=WHEN, client=_fast())
    assert len(first.saved) == 1
    again = fetch([f"{base}/world/daquq", f"{base}/feed.xml"], tmp_path, fetched_at=WHEN, client=_fast())
    assert again.skipped == [f"{base}/world/daquq", f"{base}/world/daquq"]
    assert [p.name.split("-")[-2] for p in again.saved] == ["sidakan"]  # only Sidakan is new
    assert len(list(tmp_path.glob("*.md"))) == 2


def test_polite_user_agent_robots_and_pace(site, tmp_path):
    server, base = site
    waits: list[float] = []
    clock = iter([0.0, 0.0, 0.1, 0.1, 0.2, 0.2, 5.0, 5.0])
    client = _Client(rate=2.0, timeout=5, max_bytes=10**7, user_agent="geo-test/1",
                     sleep=waits.append, clock=lambda: next(clock))
    result = fetch([f"{base}/world/daquq", f"{base}/private/leak", f"{base}/en/sidakan"],
                   tmp_path, fetched_at=WHEN, client=client)
    assert result.failures == [f"{base}/private/leak: disallowed by the site's robots.txt"]
    assert ("/private/leak", "geo-test/1") not in server.requests
    assert all(agent == "geo-test/1" for _, agent in server.requests)
    assert [path for path, _ in server.requests] == ["/robots.txt", "/world/daquq", "/en/sidakan"]
    assert waits and all(0 < w <= 0.5 for w in waits)  # 2 requests a second: half a second apart


@pytest.mark.parametrize("path, message", [
    ("/missing", "HTTP error 404 Not Found"),
    ("/loop", "redirect loop (HTTP 302 after too many redirects)"),
    ("/nothing", "no article text in the page (navigation or scripts only?)"),
    ("/notafeed.xml", "not an RSS/Atom feed"),
    ("/data.bin", "neither an article page nor a feed (content type application/octet-stream)"),
])
def test_bad_answers_are_one_line_each_and_the_rest_goes_through(site, tmp_path, path, message):
    server, base = site
    result = fetch([f"{base}{path}", f"{base}/en/sidakan"], tmp_path, fetched_at=WHEN, client=_fast())
    assert result.failures == [f"{base}{path}: {message}"]
    assert len(result.saved) == 1


def test_response_over_the_limit_is_refused(site, tmp_path):
    server, base = site
    _Site.big = 3_000_000
    result = fetch([f"{base}/big"], tmp_path, fetched_at=WHEN, client=_fast(max_bytes=1_000_000))
    assert result.failures == [f"{base}/big: response over the 1000000-byte limit"]
    assert list(tmp_path.iterdir()) == []


def test_no_network_is_one_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fetch([f"http://127.0.0.1:{port}/a"], tmp_path, client=_fast())
    assert len(result.failures) == 1
    assert result.failures[0].startswith(f"http://127.0.0.1:{port}/a: cannot reach 127.0.0.1:{port} (")
    assert "geo fetch needs a network connection" in result.failures[0]


def test_not_a_web_url():
    with pytest.raises(FetchError, match=r"^file:///etc/passwd: not an http\(s\) URL$"):
        _fast().get("file:///etc/passwd")


def test_hostile_title_stays_data_in_the_saved_report(site, tmp_path):
    server, base = site
    page = WIRE_PAGE.replace("Roadside bomb hits army patrol near Daquq",
                             "Daquq: '---' {{ 7*7 }} {% raw %} #x\nnext: injected")

    class Hostile(_Site):
        def do_GET(self):  # noqa: N802
            if self.path == "/hostile":
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

    hostile = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    hostile.requests = []
    threading.Thread(target=hostile.serve_forever, daemon=True).start()
    try:
        result = fetch([f"http://127.0.0.1:{hostile.server_port}/hostile"], tmp_path,
                       fetched_at=WHEN, client=_fast())
    finally:
        hostile.shutdown()
        hostile.server_close()
    report = read_report_file(result.saved[0])[0]
    assert report.title == "Daquq: '---' {{ 7*7 }} {% raw %} #x next: injected"
    import yaml

    header = result.saved[0].read_text(encoding="utf-8").split("\n---\n", 1)[0][4:]
    assert sorted(yaml.safe_load(header)) == ["author", "fetched", "published", "source", "title", "url"]
    assert report.url == "https://wire.example/world/daquq-patrol-bomb"


def test_cli_fetch(site, tmp_path):
    server, base = site
    out = tmp_path / "reports"
    run = subprocess.run([sys.executable, "-m", "geo.cli", "fetch", f"{base}/feed.xml",
                          f"{base}/missing", "-o", str(out), "--rate", "100"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"geo: fetch error: {base}/missing: HTTP error 404 Not Found" in run.stderr
    assert "saved 2 article(s) to" in run.stderr and "1 failed" in run.stderr
    assert len(list(out.glob("*.md"))) == 2
    events = subprocess.run([sys.executable, "-m", "geo.cli", "events", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert events.returncode == 0 and '"location": "Daquq"' in events.stdout
