"""Reading reports: the first step of the pipeline, from files to `Report` objects.

A report is one news item or field note: id, title, published date, outlet, URL, dateline and
body. `read_reports(inputs)` takes files, folders (read recursively, in name order) and `-`
(standard input) and yields one `Report` at a time, so a folder of any size streams.

Formats, told apart by the file's suffix (stdin by its first character):

- Markdown or text (`.md`, `.txt`) with YAML front matter between `---` lines;
- plain text without front matter, like a saved web article: the title is the first line
  that reads like a headline, the published date the first full date the text states
  ("Saturday, 11 May 2024", "Oct. 4, 2023"), otherwise unknown (with a warning);
- JSON (one object or a list of objects), JSON Lines (`.jsonl`, `.ndjson`), CSV (one report a
  row). The fields: `body` (or `text`, required), `id`, `title`, `published` (or `date`,
  YYYY-MM-DD), `source`, `url`, `dateline`.

A news dateline at the start of a paragraph ("ERBIL (Kurdistan 24) –") is found in the body:
its place is where the report was written, its outlet the source when none is given.

Malformed input raises `ReportError` naming the file and line ("a.md:3: field 'published':
...").  Pass a list as `failures` to collect the errors and go on with the other reports.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from geo import settings
from geo._errors import ReportError

STDIN = "-"

_FIELD_ALIASES = {"text": "body", "date": "published", "outlet": "source", "link": "url"}
_KNOWN_FIELDS = ("id", "title", "published", "source", "url", "dateline", "body")

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_RE = (r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
             r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY_RE = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
# "Saturday, 11 May 2024", "11 May 2024", "May 11, 2024", "Oct. 4, 2023", "2024-05-11".
_DATE_PATTERNS = (
    re.compile(_WEEKDAY_RE + r"(?P<day>\d{1,2})\s+" + _MONTH_RE + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(_WEEKDAY_RE + _MONTH_RE + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)
# A dateline opens a paragraph: the place in capitals, an optional ", Iraq", an optional
# "(Outlet)", then a dash. Mixed-case places count only with the outlet in brackets, so an
# ordinary sentence with a dash is never taken for one.
_DATELINE = re.compile(
    r"^[ \t]*(?:(?P<caps>[A-Z][A-Z'’.\-]*(?:[ ][A-Z][A-Z'’.\-]*){0,3})"
    r"|(?P<mixed>[A-Z][\w'’.\-]*(?:[ ][A-Z][\w'’.\-]*){0,3})(?=(?:,[^()\n]{1,30})?\s*\())"
    r"(?:,[ \t]*(?P<region>[A-Z][\w .'’-]{1,30}?))?"
    r"[ \t]*(?:\((?P<outlet>[^()\n]{1,40})\))?[ \t]*[–—-]{1,2}[ \t]+",
    re.MULTILINE)
_DATELINE_SEARCH_CHARS = 3000  # a dateline opens the story: look no further than this
_TITLE_MIN_WORDS = 3  # "logo", "Share", a lone date are page furniture, not the headline


@dataclass(frozen=True)
class Report:
    """One report. Offsets of mentions index into `body`; `body_line` is the file line on
    which the body starts, so `line_of(offset)` turns an offset back into a file line."""

    id: str
    title: str
    published: date | None
    source: str
    url: str | None
    dateline: str | None
    body: str
    path: str
    body_line: int = 1
    dateline_span: tuple[int, int] | None = None  # the dateline's place within `body`
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def line_of(self, offset: int) -> int:
        """The file line (1-based) holding character `offset` of the body."""
        return self.body_line + self.body.count("\n", 0, max(0, offset))

    def to_dict(self) -> dict:
        """JSON-ready form (the date as an ISO string)."""
        return {"id": self.id, "title": self.title,
                "published": self.published.isoformat() if self.published else None,
                "source": self.source, "url": self.url, "dateline": self.dateline,
                "path": self.path, "body_line": self.body_line}


# --- public API ------------------------------------------------------------------------------

def read_reports(inputs: Iterable[str | Path] | str | Path,
                 failures: list[str] | None = None) -> Iterator[Report]:
    """Yield the reports in `inputs` (files, folders, `-` for stdin), one at a time.

    Parameters
    ----------
    inputs: paths of report files or folders, or `-`; a single path is accepted too.
    failures: when a list is given, each malformed file or record appends its error message
        (naming file and line) and reading goes on; otherwise the first error is raised.

    Raises ReportError (without `failures`).
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    for path in iter_report_files(inputs, failures):
        for item in _read_path(path):
            if isinstance(item, ReportError):
                if failures is None:
                    raise item
                failures.append(str(item))
            else:
                yield item


def iter_report_files(inputs: Iterable[str | Path], failures: list[str] | None = None) -> Iterator[str]:
    """The report files `inputs` name: files as given, folders walked in sorted order.

    In folders only known suffixes count, and README files are skipped (they describe the
    folder, they are not reports). A path that does not exist is an error.
    """
    for raw in inputs:
        name = str(raw)
        if name == STDIN:
            yield STDIN
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in settings.REPORT_EXTENSIONS and \
                        not child.name.lower().startswith("readme"):
                    yield str(child)
        elif path.is_file():
            yield name
        else:
            err = ReportError(f"{name}: no such file or folder")
            if failures is None:
                raise err
            failures.append(str(err))


def read_report_file(path: str | Path) -> list[Report]:
    """Every report in one file (raises the first ReportError)."""
    out = []
    for item in _read_path(str(path)):
        if isinstance(item, ReportError):
            raise item
        out.append(item)
    return out


def parse_report_text(text: str, path: str = "<text>", report_id: str | None = None) -> Report:
    """A report from a string: front matter if it opens with `---`, else plain text."""
    items = list(_from_text(text, path, report_id or _stem(path)))
    for item in items:
        if isinstance(item, ReportError):
            raise item
    return items[0]


# --- reading one file -----------------------------------------------------------------------

def _stem(path: str) -> str:
    return "stdin" if path in (STDIN, "<stdin>") else Path(path).stem


def _read_path(path: str) -> Iterator[Report | ReportError]:
    """Reports and per-record errors from one file; a file-level error ends the file."""
    label = "<stdin>" if path == STDIN else path
    try:
        text = _decode(_read_bytes(path), label)
    except ReportError as exc:
        yield exc
        return
    fmt = _format_of(path, text)
    reader = {"text": _from_text, "json": _from_json, "jsonl": _from_jsonl, "csv": _from_csv}[fmt]
    yield from reader(text, label, _stem(path))


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    try:
        size = Path(path).stat().st_size
        if size > settings.REPORT_MAX_BYTES:
            raise ReportError(f"{path}: {size} bytes is over the {settings.REPORT_MAX_BYTES}-byte limit "
                              "for one report file")
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror}") from None


def _decode(data: bytes, label: str) -> str:
    if b"\x00" in data[:8192]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ReportError(f"{label}:{line}: binary data (NUL byte), not a text report")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReportError(f"{label}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                          f"offset {exc.start})") from None
    # One newline convention, so offsets and line numbers mean the same on every platform.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _format_of(path: str, text: str) -> str:
    if path != STDIN:
        return settings.REPORT_EXTENSIONS.get(Path(path).suffix.lower(), "text")
    head = text.lstrip()[:1]
    if head == "[":
        return "json"
    if head == "{":
        # One object over several lines is JSON; one object per line is JSON Lines.
        try:
            json.loads(text)
            return "json"
        except ValueError:
            return "jsonl"
    return "text"


# --- text and Markdown ------------------------------------------------------------------------

def _from_text(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    try:
        if text.startswith("---\n") or text.rstrip("\n") == "---":
            yield _front_matter_report(text, path, stem)
        else:
            yield _plain_report(text, path, stem)
    except ReportError as exc:
        yield exc


def _front_matter_report(text: str, path: str, stem: str) -> Report:
    import yaml

    lines = text.split("\n")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise ReportError(f"{path}:1: front matter opened with '---' is never closed")
    header = "\n".join(lines[1:close])
    try:
        meta = yaml.load(header, Loader=_front_matter_loader()) if header.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ReportError(f"{path}:{line}: bad front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise ReportError(f"{path}:2: bad front matter: expected 'field: value' lines, "
                          f"got a {type(meta).__name__}")

    def field_line(name: str) -> int:
        for i in range(1, close):
            if re.match(rf"\s*{re.escape(name)}\s*:", lines[i]):
                return i + 1
        return 1

    body_start = close + 1
    # Blank lines between the front matter and the text are not part of the body.
    while body_start < len(lines) and not lines[body_start].strip():
        body_start += 1
    body = "\n".join(lines[body_start:]).rstrip()
    if not body.strip():
        raise ReportError(f"{path}:{close + 1}: no body text after the front matter")
    return _build(meta, body, path, stem, body_line=body_start + 1, field_line=field_line,
                  title_from_body=True)


def _front_matter_loader():
    """A safe YAML loader that leaves dates as text, so a bad date ("2024-13-45") is our
    error with file and line, not a crash inside the YAML library."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return Loader


def _plain_report(text: str, path: str, stem: str) -> Report:
    lines = text.split("\n")
    nonblank = [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    if not nonblank:
        raise ReportError(f"{path}:1: empty report (no text)")
    title_i, title = _pick_title(nonblank)
    body_start = title_i + 1
    while body_start < len(lines) and not lines[body_start].strip():
        body_start += 1
    body = "\n".join(lines[body_start:]).rstrip()
    if not body.strip():
        raise ReportError(f"{path}:{title_i + 1}: no body text after the title line")
    found = find_date(text)
    warnings = () if found else ("no published date in the text: relative dates stay unresolved",)
    return _finish(stem, title, found, "", None, None, body, path, body_start + 1, warnings)


def _pick_title(nonblank: list[tuple[int, str]]) -> tuple[int, str]:
    """The first line that reads like a headline (not a lone date or page furniture)."""
    for i, line in nonblank:
        clean = line.lstrip("#•*- \t").strip()
        if len(clean.split()) >= _TITLE_MIN_WORDS and not _is_date_line(clean):
            return i, clean
    i, line = nonblank[0]
    return i, line.lstrip("#•*- \t").strip()


def _is_date_line(line: str) -> bool:
    for pattern in _DATE_PATTERNS:
        m = pattern.search(line)
        if m and len(line) - (m.end() - m.start()) < 6:
            return True
    return False


def find_date(text: str) -> date | None:
    """The first full date the text states ("Saturday, 11 May 2024", "Oct. 4, 2023")."""
    best: tuple[int, date] | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = _date_from_match(m)
            if value is not None:
                if best is None or m.start() < best[0]:
                    best = (m.start(), value)
                break
    return best[1] if best else None


def _date_from_match(m: re.Match) -> date | None:
    month = m.group("month")
    month_n = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
    try:
        return date(int(m.group("year")), month_n, int(m.group("day")))
    except ValueError:
        return None


# --- JSON, JSON Lines, CSV --------------------------------------------------------------------

def _from_json(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    try:
        if text[pos:pos + 1] != "[":
            value, end = decoder.raw_decode(text, pos)
            if text[_skip_ws(text, end):].strip():
                raise json.JSONDecodeError("extra data after the report", text, _skip_ws(text, end))
            yield _record(value, path, stem, _line_at(text, pos), None)
            return
        # A list: decode element by element, so each report knows its own line.
        pos = _skip_ws(text, pos + 1)
        n = 0
        if text[pos:pos + 1] == "]":
            return
        while True:
            value, end = decoder.raw_decode(text, pos)
            n += 1
            yield _record(value, path, stem, _line_at(text, pos), n)
            pos = _skip_ws(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if text[pos:pos + 1] == "]":
                break
            raise json.JSONDecodeError("expected ',' or ']'", text, pos)
    except json.JSONDecodeError as exc:
        yield ReportError(f"{path}:{exc.lineno}: bad JSON: {exc.msg} (column {exc.colno})")


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _from_jsonl(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReportError(f"{path}:{lineno}: bad JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _record(value, path, stem, lineno, lineno)


def _from_csv(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        yield ReportError(f"{path}:1: empty CSV file (a header row is expected)")
        return
    except csv.Error as exc:
        yield ReportError(f"{path}:1: bad CSV: {exc}")
        return
    columns = [_FIELD_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if "body" not in columns:
        yield ReportError(f"{path}:1: CSV header has no 'body' (or 'text') column "
                          f"(columns: {', '.join(h.strip() for h in header)})")
        return
    n = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReportError(f"{path}:{line}: bad CSV: {exc}")
            return
        if not any(cell.strip() for cell in row):
            continue
        n += 1
        if len(row) > len(columns):
            yield ReportError(f"{path}:{line}: {len(row)} cells but the header has {len(columns)} columns")
            continue
        yield _record(dict(zip(columns, row)), path, stem, line, n)


def _record(value: Any, path: str, stem: str, line: int, n: int | None) -> Report | ReportError:
    """A report from one JSON object or CSV row (field names case-insensitive, with aliases)."""
    if not isinstance(value, dict):
        return ReportError(f"{path}:{line}: expected a JSON object (a report), got {type(value).__name__}")
    meta = {_FIELD_ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v for k, v in value.items()}
    body = meta.pop("body", None)
    if body is None or (isinstance(body, str) and not body.strip()):
        return ReportError(f"{path}:{line}: field 'body': missing or empty (the report text)")
    if not isinstance(body, str):
        return ReportError(f"{path}:{line}: field 'body': expected text, got {type(body).__name__}")
    default_id = stem if n is None else f"{stem}-{n}"
    body = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    try:
        return _build(meta, body, path, default_id, body_line=line, field_line=lambda _: line,
                      title_from_body=True)
    except ReportError as exc:
        return exc


# --- building the Report ------------------------------------------------------------------------

def _build(meta: dict, body: str, path: str, default_id: str, body_line: int, field_line,
           title_from_body: bool) -> Report:
    meta = {_FIELD_ALIASES.get(str(k).lower(), str(k).lower()): v for k, v in meta.items()}
    for name in ("id", "title", "source", "url", "dateline"):
        value = meta.get(name)
        if value is not None and not isinstance(value, (str, int)):
            raise ReportError(f"{path}:{field_line(name)}: field '{name}': expected text, "
                              f"got {type(value).__name__}")
    published = _parse_published(meta.get("published"), path, field_line("published"))
    warnings: list[str] = []
    if published is None:
        warnings.append("no published date: relative dates stay unresolved")
    title = str(meta.get("title") or "").strip()
    if not title and title_from_body:
        first = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
        title = first.lstrip("#").strip()
    rid = str(meta.get("id") or default_id).strip()
    url = str(meta["url"]).strip() if meta.get("url") else None
    return _finish(rid, title, published, str(meta.get("source") or "").strip(), url,
                   str(meta["dateline"]).strip() if meta.get("dateline") else None,
                   body, path, body_line, tuple(warnings))


def _parse_published(value: Any, path: str, line: int) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    # An ISO timestamp ("2024-05-11T08:00:00Z") keeps its date part.
    if re.match(r"\d{4}-\d\d-\d\d(?:$|[T ])", text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise ReportError(f"{path}:{line}: field 'published': {text!r} is not a date (YYYY-MM-DD)")


def _finish(rid: str, title: str, published: date | None, source: str, url: str | None,
            dateline: str | None, body: str, path: str, body_line: int,
            warnings: tuple[str, ...]) -> Report:
    found = find_dateline(body)
    span = None
    if found is not None:
        place, start, end, outlet = found
        if dateline is None or dateline.casefold() == place.casefold():
            dateline, span = place, (start, end)
        if not source and outlet:
            source = outlet
    return Report(id=rid, title=title, published=published, source=source, url=url,
                  dateline=dateline, body=body, path=path, body_line=body_line,
                  dateline_span=span, warnings=warnings)


def find_dateline(body: str) -> tuple[str, int, int, str | None] | None:
    """The dateline opening a paragraph ("ERBIL (Kurdistan 24) –"): its place, the place's
    start and end offsets in `body`, and the outlet in brackets (or None)."""
    for m in _DATELINE.finditer(body, 0, min(len(body), _DATELINE_SEARCH_CHARS)):
        group = "caps" if m.group("caps") else "mixed"
        place = m.group(group)
        if group == "caps" and len(place.replace(" ", "")) < 3:
            continue  # "A - ..." or "I -": a letter, not a place
        outlet = m.group("outlet").strip() if m.group("outlet") else None
        return place, m.start(group), m.end(group), outlet
    return None
