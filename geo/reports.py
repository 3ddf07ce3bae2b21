"""Reading reports: the first step of the pipeline, from files to `Report` objects.

A report is one news item or field note: id, title, published date, outlet, URL, dateline and
body. `read_reports(inputs)` takes files, folders (read recursively, in name order) and `-`
(standard input) and yields one `Report` at a time, so a folder of any size streams.

Formats, told apart by the file's suffix; standard input and files with another suffix are
sniffed (`sniff_format`), and `fmt=` forces one (`md`/`txt`, `json`, `jsonl`, `csv`):

- Markdown or text (`.md`, `.txt`) with YAML front matter between `---` lines;
- plain text without front matter, like a saved web article: the title is the first line
  that reads like a headline (page furniture such as "logo", "Share", "By X", "Posted 3 days
  ago" or a lone date is passed over; a first line that is plainly body text, a dateline or
  a long sentence, stays in the body and its first sentence becomes the title, with a
  warning), the published date the first full date the text states ("Saturday, 11 May
  2024", "Oct. 4, 2023"), otherwise unknown (with a warning);
- JSON (one object or a list of objects), JSON Lines (`.jsonl`, `.ndjson`), CSV (one report a
  row). The fields: `body` (or `text`, required), `id`, `title`, `published` (or `date`,
  YYYY-MM-DD), `source`, `url`, `dateline`.

A news dateline at the start of a paragraph ("ERBIL (Kurdistan 24) –", "SINJAR, Iraq, March 4
(Reuters) -") is found in the body: its place is where the report was written, its outlet the
source when none is given. So is the outlet of an agency's slug opening the story ("Shafaq
News/ ...", "Shafaq News – ...": an outlet of data/geoparse.yaml, then a slash or a dash).

Malformed input raises `ReportError` naming the file and line ("a.md:3: field 'published':
...").  Pass a list as `failures` to collect the errors and go on with the other reports.
Anything the reader had to guess (no date, no headline) is in `Report.warnings`.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from geo import settings
from geo._errors import ReportError
from geo._outputs import is_own_output  # noqa: F401 (also re-exported: the old home)
from geo._text import is_abbreviation
from geo._untrusted import (InputBoundError, encoding_name, encoding_of, json_decode, json_loads,
                            json_scan, line_at, quote, shorten, yaml_loader,
                            yaml_reader_problem)

STDIN = "-"
#: The values of `fmt=` (and of the CLI's --format): "auto" picks by suffix, sniffs stdin.
FORMATS = ("auto", "md", "txt", "json", "jsonl", "csv", "html", "pdf")
_FORMAT_READERS = {"md": "text", "markdown": "text", "txt": "text", "text": "text",
                   "json": "json", "jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv",
                   "html": "html", "htm": "html", "pdf": "pdf"}

_FIELD_ALIASES = {"text": "body", "date": "published", "outlet": "source", "link": "url"}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_WORDS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
                r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_MONTH_RE = rf"(?P<month>{_MONTH_WORDS})\.?"
_WEEKDAY_RE = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
# "Saturday, 11 May 2024", "11 May 2024", "May 11, 2024", "Oct. 4, 2023", "2024-05-11".
_DATE_PATTERNS = (
    re.compile(_WEEKDAY_RE + r"(?P<day>\d{1,2})\s+" + _MONTH_RE + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(_WEEKDAY_RE + _MONTH_RE + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)
# A dateline opens a paragraph: the place in capitals, an optional ", Iraq", an optional date
# (", March 4", ", 12 May 2024"), an optional "(Outlet)", then a dash. Mixed-case places count
# only with the outlet in brackets, so an ordinary sentence with a dash is never taken for one.
_DATELINE_DATE = (rf"(?:(?P<dl_month1>{_MONTH_WORDS})\.?[ \t]+(?P<dl_day1>\d{{1,2}})"
                  rf"|(?P<dl_day2>\d{{1,2}})[ \t]+(?P<dl_month2>{_MONTH_WORDS})\.?)"
                  r"(?:,?[ \t]+(?P<dl_year>(?:19|20)\d\d))?")
_DATELINE = re.compile(
    r"^[ \t]*(?:(?P<caps>[A-Z][A-Z'’.\-]*(?:[ ][A-Z][A-Z'’.\-]*){0,3})"
    r"|(?P<mixed>[A-Z][\w'’.\-]*(?:[ ][A-Z][\w'’.\-]*){0,3})(?=(?:,[^()\n]{1,30})?\s*\())"
    rf"(?:,[ \t]*(?!{_MONTH_WORDS}\b)(?P<region>[A-Z][\w .'’-]{{1,30}}?))?"
    rf"(?:,[ \t]*{_DATELINE_DATE})?"
    r"[ \t]*(?:\((?P<outlet>[^()\n]{1,40})\))?[ \t]*[–—-]{1,2}[ \t]+",
    re.MULTILINE)
_DATELINE_SEARCH_CHARS = 3000  # a dateline opens the story: look no further than this
_TITLE_MIN_WORDS = 3  # "logo", "Share", a lone date are page furniture, not the headline
# A first line this long that ends in a full stop is a paragraph of the story, not a headline.
_BODY_LINE_MIN_WORDS = 20
_BODY_LINE_MIN_CHARS = 150
_TITLE_MAX_CHARS = 100  # a title made from the first sentence is cut to this (with "…")
_NO_HEADLINE = "no headline line; title taken from the first sentence"
_NO_TITLE_FIELD = "no title field; title taken from the first sentence"
# Page furniture of a saved web page that is never the headline, whatever its length.
_RELATIVE_TIME = (r"(?:about[ ]|over[ ]|nearly[ ])?(?:\d+|an?|one|two|three|few)[ ]+"
                  r"(?:sec(?:ond)?|min(?:ute)?|h(?:ou)?r|day|week|month|year)s?[ ]+ago\b")
_FURNITURE = re.compile(
    r"(?i:"
    rf"{_RELATIVE_TIME}.{{0,30}}$"                                   # "3 days ago"
    r"|(?:posted|published|updated|last[ ]updated|modified)(?:[ ]+(?:on|at))?[ :]+"
    rf"(?=\d|{_RELATIVE_TIME}|yesterday|today|by[ ]|{_MONTH_WORDS}\b|(?:mon|tue|wed|thu|fri|sat|sun))"
    r".{0,60}$"                                                      # "Posted 3 days ago"
    r"|(?:share|logo|print|e-?mail|tweet|advertisement|subscribe|read[ ]more|follow[ ]us|"
    r"skip[ ]to(?:[ ]main)?[ ]content|menu|home|comments?|listen|save)"
    r"(?:[ ]+(?:this|on|via|to|the|article|story|page|now|it)\b.{0,30})?$"  # "Share this article"
    r"|(?:yesterday|today|just[ ]now)\b.{0,20}$"
    r")"
    # a byline: "By Harem Jaff", "By John Smith and Jane Doe, Reuters", "Reporting by ..."
    r"|(?:[Bb]y|(?i:written|reporting|words|story)[ ]by)[ ]+[A-Z][\w'’.-]*"
    r"(?:(?:[ ]|,[ ]?|[ ]and[ ]|[ ]&[ ])[A-Z][\w'’.-]*){0,7}(?:[ ]*[|/,;–—-][^.]{0,40})?$")
_TIME = re.compile(r"\b\d{1,2}[:.]\d\d(?:[:.]\d\d)?(?:[ ]?[AaPp]\.?[Mm]\.?)?|\b(?:GMT|UTC|AST)\b"
                   r"|[+-]\d\d:?\d\d\b|\b\d{1,2}[/.]\d{1,2}[/.](?:\d\d){1,2}\b")


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
    author: str = ""  # from a page's or PDF's metadata; front matter may give it too
    #: What the reader had to guess or could not find ("no published date: ...", "no headline
    #: line; ..."), in the order found; also in `to_dict()["warnings"]`.
    warnings: tuple[str, ...] = field(default=(), compare=False)
    #: The report's language as it gives it (`lang:` in the front matter, a code of
    #: data/lang/: en, ar, ckb, kmr), or None: then each sentence's language is detected.
    lang: str | None = None

    def line_of(self, offset: int) -> int:
        """The file line (1-based) holding character `offset` of the body."""
        return self.body_line + self.body.count("\n", 0, max(0, offset))

    def to_dict(self) -> dict:
        """JSON-ready form (the date as an ISO string)."""
        return {"id": self.id, "title": self.title,
                "published": self.published.isoformat() if self.published else None,
                "source": self.source, "url": self.url, "dateline": self.dateline,
                "path": self.path, "body_line": self.body_line, "warnings": list(self.warnings),
                **({"author": self.author} if self.author else {}),
                **({"lang": self.lang} if self.lang else {})}


# --- public API ------------------------------------------------------------------------------

def read_reports(inputs: Iterable[str | Path] | str | Path,
                 failures: list[str] | None = None, fmt: str = "auto",
                 ids: "ReportIds | None" = None) -> Iterator[Report]:
    """Yield the reports in `inputs` (files, folders, `-` for stdin), one at a time.

    Parameters
    ----------
    inputs: paths of report files or folders, or `-`; a single path is accepted too.
    failures: when a list is given, each malformed file or record appends its error message
        (naming file and line) and reading goes on; otherwise the first error is raised.
    fmt: one of FORMATS. "auto" (the default) reads each file by its suffix and sniffs
        standard input and unknown suffixes (see `sniff_format`); any other value reads every
        input in that format ("md" and "txt" alike: front matter when the text opens with
        `---`, else plain text).
    ids: the report ids handed out so far (see ReportIds); give the same one to several
        calls that read one batch (file by file, say) so ids are unique across all of them.
        By default ids are unique within this call.

    Raises ReportError (without `failures`; an unknown `fmt` always, before any reading).
    """
    reader = _reader_name(fmt)
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    return _read_all(inputs, failures, reader, ReportIds() if ids is None else ids)


def _read_all(inputs: Iterable[str | Path], failures: list[str] | None,
              reader: str | None, ids: "ReportIds") -> Iterator[Report]:
    for path in iter_report_files(inputs, failures):
        for item in _read_path(path, reader):
            if isinstance(item, ReportError):
                if failures is None:
                    raise item
                failures.append(str(item))
            else:
                yield ids.claim(item)


class ReportIds:
    """The ids handed out while reading: a report whose id an earlier report already has is
    renamed `<id>-2` (or -3 ..., the first not yet taken, given or made), with a warning
    naming the report that has it. Reading order is fixed (files in name order), so the same
    inputs give the same ids on every run; the first report with an id keeps it."""

    def __init__(self) -> None:
        self._where: dict[str, str] = {}

    def claim(self, report: Report) -> Report:
        where = f"{report.path}:{report.body_line}"
        first = self._where.get(report.id)
        if first is None:
            self._where[report.id] = where
            return report
        n = 2
        while f"{report.id}-{n}" in self._where:
            n += 1
        new = f"{report.id}-{n}"
        self._where[new] = where
        note = f"id {quote(report.id)} is already the id of the report at {first}: this one is {quote(new)}"
        return dataclasses.replace(report, id=new, warnings=report.warnings + (note,))


def _reader_name(fmt: str | None) -> str | None:
    """The internal reader for a `fmt` value (None: choose per file)."""
    key = (fmt or "auto").strip().lower()
    if key == "auto":
        return None
    if key not in _FORMAT_READERS:
        raise ReportError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS)})")
    return _FORMAT_READERS[key]


def iter_report_files(inputs: Iterable[str | Path], failures: list[str] | None = None) -> Iterator[str]:
    """The report files `inputs` name: files as given, folders walked in sorted order.

    In folders only known suffixes count, and these are passed over: README files (they
    describe the folder), hidden files and folders (`.name`: editors' and our own temporary
    files), files the tool itself wrote (see `is_own_output`), and links to files or folders
    outside the folder (an error each, without `failures` raised: name the file itself to
    read it). A path that does not exist is an error. A file named as an input is read
    whatever it is.
    """
    for raw in inputs:
        name = str(raw)
        if name == STDIN:
            yield STDIN
            continue
        path = Path(name)
        if path.is_dir():
            for child in _folder_files(path):
                if isinstance(child, ReportError):
                    if failures is None:
                        raise child
                    failures.append(str(child))
                else:
                    yield child
        elif path.exists():  # a file, or a pipe such as `<(curl ...)` named by the user
            yield name
        else:
            err = ReportError(f"{name}: no such file or folder")
            if failures is None:
                raise err
            failures.append(str(err))


def _folder_files(folder: Path) -> Iterator[str | ReportError]:
    """The report files of a folder and its subfolders in sorted order, and an error for each
    link that leads out of it (a report folder from elsewhere must not make us read
    ~/.ssh or /etc through a link it holds)."""
    root = folder.resolve()
    found: list[Path] = []
    outside: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):  # links to folders are not followed
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for d in dirnames:
            if (here / d).is_symlink() and not _inside(here / d, root):
                outside.append(here / d)
        for name in filenames:
            child = here / name
            if name.startswith(".") or name.lower().startswith("readme") or \
                    child.suffix.lower() not in settings.REPORT_EXTENSIONS:
                continue
            if child.is_symlink() and not _inside(child, root):
                outside.append(child)
            elif child.is_file() and not is_own_output(child):
                found.append(child)
    errors = {p: ReportError(f"{p}: a link to {os.path.realpath(p)}, outside the folder {folder}; "
                             "not read (name the file itself to read it)") for p in outside}
    for p in sorted([*found, *outside]):
        yield errors.get(p) or str(p)


def _inside(link: Path, root: Path) -> bool:
    try:
        link.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a loop of links
        return False
    return True


def read_report_file(path: str | Path, fmt: str = "auto") -> list[Report]:
    """Every report in one file (raises the first ReportError); `fmt` as in read_reports."""
    reader = _reader_name(fmt)
    out = []
    for item in _read_path(str(path), reader):
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


def _read_path(path: str, reader: str | None = None) -> Iterator[Report | ReportError]:
    """Reports and per-record errors from one file; a file-level error ends the file."""
    label = "<stdin>" if path == STDIN else path
    try:
        data = _read_bytes(path)
        # Pages and PDFs are read from their bytes: a PDF is binary, and a saved page names
        # its own encoding (windows-1256 is common in Arabic outlets), which lxml honours.
        binary = reader or _binary_format(path, data)
        if binary == "pdf":
            yield _from_pdf(data, label, _stem(path))
            return
        if binary == "html":
            yield _from_html(data, label, _stem(path))
            return
        text = _decode(data, label)
    except ReportError as exc:
        yield exc
        return
    fmt = reader or _format_of(path, text)
    if fmt == "html":
        yield _from_html(text, label, _stem(path))
        return
    reader = {"text": _from_text, "json": _from_json, "jsonl": _from_jsonl, "csv": _from_csv}[fmt]
    yield from reader(text, label, _stem(path))


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        data = sys.stdin.buffer.read(settings.REPORT_MAX_BYTES + 1)
        if len(data) > settings.REPORT_MAX_BYTES:
            raise ReportError(f"<stdin>: over the {settings.REPORT_MAX_BYTES}-byte limit for one "
                              "input; save it to a file per report, or split it")
        return data
    try:
        size = Path(path).stat().st_size
        if size > settings.REPORT_MAX_BYTES:
            raise ReportError(f"{path}: {size} bytes is over the {settings.REPORT_MAX_BYTES}-byte limit "
                              "for one report file")
        # Read with the bound too: a file that grows meanwhile, a pipe (`<(...)`) or a device
        # such as /dev/zero, whose size says nothing, stop at the limit.
        with open(path, "rb") as fh:
            data = fh.read(settings.REPORT_MAX_BYTES + 1)
        if len(data) > settings.REPORT_MAX_BYTES:
            raise ReportError(f"{path}: over the {settings.REPORT_MAX_BYTES}-byte limit for one "
                              "report file")
        return data
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror}") from None


def _decode(data: bytes, label: str) -> str:
    """The text of a report file: UTF-8 (with or without a BOM), or UTF-16/UTF-32 with a BOM
    (as Windows Notepad and Excel save "Unicode" text)."""
    encoding = encoding_of(data)
    if encoding == "utf-8-sig" and b"\x00" in data[:8192]:
        head = data[:8192]
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise ReportError(f"{label}:1: UTF-16 text without a byte-order mark; save it as "
                              "UTF-8 (or UTF-16 with a BOM)")
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ReportError(f"{label}:{line}: binary data (NUL byte), not a text report")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
        raise ReportError(f"{label}:{line}: not {encoding_name(encoding)} text (byte 0x{data[exc.start]:02x} at "
                          f"offset {exc.start})") from None
    if encoding != "utf-8-sig" and "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ReportError(f"{label}:{line}: binary data (NUL character), not a text report")
    # One newline convention, so offsets and line numbers mean the same on every platform.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _binary_format(path: str, data: bytes) -> str | None:
    """"pdf" or "html" when a file is one by its suffix (a PDF also by its magic bytes)."""
    from geo._pdf import looks_like_pdf

    known = settings.REPORT_EXTENSIONS.get(Path(path).suffix.lower()) if path != STDIN else None
    if known in ("pdf", "html"):
        return known
    return "pdf" if looks_like_pdf(data) else None


def _format_of(path: str, text: str) -> str:
    if path != STDIN:
        known = settings.REPORT_EXTENSIONS.get(Path(path).suffix.lower())
        if known:
            return known
    return sniff_format(text)


def sniff_format(text: str) -> str:
    """The format of a report text by its content: "text" (front matter or plain), "json",
    "jsonl" or "csv".

    - `---` first: front matter (text);
    - `[` first, or `{` with the whole text one JSON value: JSON;
    - `{` first, one object per line: JSON Lines (a bad line then fails alone, with its line);
    - a first line that parses as a CSV header of plain column names, one of them `body` or
      `text`, with at least two columns: CSV;
    - an HTML page (`<!DOCTYPE html`, `<html`, or markup with a `<body>`): HTML;
    - anything else: plain text.
    """
    from geo._html import looks_like_html

    if looks_like_html(text):
        return "html"
    if text.startswith("---"):
        return "text"
    stripped = text.lstrip()
    head = stripped[:1]
    if head == "[":
        return "json"
    if head == "{":
        try:
            json_loads(text)
            return "json"
        except InputBoundError:
            return "json"  # the JSON reader says what is wrong, and where
        except ValueError:
            pass
        first = stripped.split("\n", 1)[0]
        try:
            return "jsonl" if isinstance(json_loads(first), dict) else "json"
        except ValueError:  # InputBoundError too
            return "json"  # one object over several lines with an error: the JSON reader says where
    first_line = text.split("\n", 1)[0]
    if "," in first_line:
        try:
            header = next(csv.reader([first_line]))
        except (csv.Error, StopIteration):
            header = []
        names = [h.strip() for h in header]
        if len(names) >= 2 and all(re.fullmatch(r"[A-Za-z_][\w.-]{0,40}", h) for h in names) and \
                "body" in (_FIELD_ALIASES.get(h.lower(), h.lower()) for h in names):
            return "csv"
    return "text"


# --- web pages and PDFs -----------------------------------------------------------------------

def _from_html(page: str | bytes, path: str, stem: str) -> Report | ReportError:
    """A report from a saved web page: the article's text, and the page's metadata where it
    has them (title, date, outlet, author, canonical URL); what it lacks falls back to the
    rules of plain text. Captions and credits are left out of the body."""
    from geo._html import extract_article

    try:
        article = extract_article(page)
    except ValueError as exc:
        return ReportError(f"{path}: {exc}")
    meta = {"title": article.title, "source": article.source, "url": article.url or None,
            "published": article.published or None}
    return _document_report(meta, article.body, article.author, path, stem, "page")


def _from_pdf(data: bytes, path: str, stem: str) -> Report | ReportError:
    """A report from a PDF's text layer, one report per file."""
    from geo._pdf import PDFProblem, read_pdf

    try:
        doc = read_pdf(data)
    except PDFProblem as exc:
        return ReportError(f"{path}: {exc}")
    meta = {"title": doc.title, "published": doc.published or None}
    return _document_report(meta, doc.body, doc.author, path, stem, "document")


def _document_report(meta: dict, body: str, author: str, path: str, stem: str,
                     kind: str) -> Report | ReportError:
    """A report from an extracted text and the metadata its container gave; a missing title
    or date is found in the text as for a plain report (with its warning)."""
    import dataclasses

    try:
        plain = _plain_report(body, path, stem)
    except ReportError as exc:
        return exc
    title = meta.get("title") or plain.title
    # The body keeps the headline line the plain reader took as title only when the
    # container named its own title (then that line is the story's first line).
    text = body if meta.get("title") else plain.body
    published = None
    if meta.get("published"):
        try:
            published = _parse_published(meta["published"], path, 1)
        except ReportError:
            published = None
    warnings = list(plain.warnings)
    if published is not None:
        warnings = [w for w in warnings if not w.startswith("no published date")]
    elif plain.published is not None:
        published = plain.published
        warnings.append(f"no date in the {kind}'s metadata: published date taken from its text")
    if meta.get("title"):
        warnings = [w for w in warnings if w != _NO_HEADLINE and not w.startswith("one line only")]
    report = _finish(stem, title, published, meta.get("source") or "", meta.get("url"),
                     None, text.rstrip(), path, 1, tuple(warnings))
    return dataclasses.replace(report, author=author) if author else report


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
    if len(header) > settings.FRONT_MATTER_MAX_CHARS:
        raise ReportError(f"{path}:2: bad front matter: {len(header):,} characters (at most "
                          f"{settings.FRONT_MATTER_MAX_CHARS:,}); the report text goes after the "
                          f"closing '---' (line {close + 1})")
    try:
        meta = yaml.load(header, Loader=_front_matter_loader()) if header.strip() else {}  # noqa: S506 (a bounded SafeLoader)
    except yaml.YAMLError as exc:
        line, problem = _yaml_problem(exc, first_line=2)
        if isinstance(exc, yaml.reader.ReaderError):  # a control character: its own line
            line = line_at(header, exc.position) + 1
            problem = yaml_reader_problem(exc)
        raise ReportError(f"{path}:{line}: bad front matter: {shorten(problem, 300)}") from None
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


def _yaml_problem(exc, first_line: int) -> tuple[int, str]:
    """The file line where a YAML error starts (the opening quote or bracket, from the
    error's context mark, rather than the end of the front matter where the parser gave up)
    and a plain wording of it. `first_line` is the file line of the YAML's first line."""
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["not valid YAML"])[0]
    context = getattr(exc, "context", None) or ""
    c_mark, p_mark = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
    c_line = c_mark.line + first_line if c_mark is not None else None
    p_line = p_mark.line + first_line if p_mark is not None else None
    at = f" on line {p_line}" if p_line is not None and p_line != c_line else ""
    if c_line is None:
        return (p_line or first_line), problem
    if "quoted scalar" in context:
        if "end of stream" in problem or "document separator" in problem:
            return c_line, f"unclosed quote opened on line {c_line}"
        return c_line, f"in the quoted text opened on line {c_line}: {problem}{at}"
    if "flow sequence" in context:
        return c_line, f"in the list opened with '[' on line {c_line}: {problem}{at}"
    if "flow mapping" in context:
        return c_line, f"in the mapping opened with '{{' on line {c_line}: {problem}{at}"
    if "simple key" in context:
        return c_line, f"expected a 'field: value' line ({problem})"
    return c_line, f"{problem}{at} ({context} on line {c_line})"


def _front_matter_loader():
    """A safe YAML loader that leaves dates as text, so a bad date ("2024-13-45") is our
    error with file and line, not a crash inside the YAML library; bounded in nesting, alias
    expansion and number length (geo._untrusted), as report text is anyone's."""
    return yaml_loader(settings.FRONT_MATTER_MAX_VALUES, dates=False)


def _plain_report(text: str, path: str, stem: str) -> Report:
    lines = text.split("\n")
    nonblank = [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    if not nonblank:
        raise ReportError(f"{path}:1: empty report (no text)")
    title_i, title = _pick_title(nonblank)
    warnings: list[str] = []
    if title is None:
        # No headline: the story starts on this line, and its first sentence names the report.
        body_start = title_i
        title = _title_from_sentence(lines[title_i].strip())
        warnings.append(_NO_HEADLINE)
    else:
        body_start = title_i + 1
        while body_start < len(lines) and not lines[body_start].strip():
            body_start += 1
    body = "\n".join(lines[body_start:]).rstrip()
    if not body.strip():
        # One line and nothing after it ("ISIS attacked a post near Daquq on Monday."): that
        # line is the story; it is not thrown away as a headline with no body.
        body_start = title_i
        body = "\n".join(lines[body_start:]).rstrip()
        title = _title_from_sentence(lines[title_i].strip())
        warnings.append("one line only: it is both the title and the body")
    found = find_date(text)
    if not found:
        warnings.append("no published date in the text: relative dates stay unresolved")
    return _finish(stem, title, found, "", None, None, body, path, body_start + 1, tuple(warnings))


def _pick_title(nonblank: list[tuple[int, str]]) -> tuple[int, str | None]:
    """The first line that reads like a headline (not a lone date or page furniture), or
    (line, None) when the first such line is plainly the story itself (see _is_body_line)."""
    for i, line in nonblank:
        clean = _strip_bullet(line)
        if _is_body_line(clean):
            return i, None
        if len(clean.split()) >= _TITLE_MIN_WORDS and not _is_date_line(clean) and \
                not _is_furniture(clean):
            return i, clean
    i, line = nonblank[0]
    return i, _strip_bullet(line)


def _strip_bullet(line: str) -> str:
    return line.lstrip("#•*- \t").strip()


def _is_furniture(line: str) -> bool:
    """Page furniture: "Share", "logo", a byline "By X", "Posted 3 days ago", a lone date."""
    return bool(_FURNITURE.match(line)) or _is_date_line(line)


def _is_body_line(line: str) -> bool:
    """A line that is the story, not a headline: it opens with a dateline and reads as a
    sentence (a full stop at the end, or over 12 words), or it is a long sentence (over 20
    words or 150 characters) ending in a full stop. A headline has no full stop, so
    "KIRKUK – A city divided" stays a headline."""
    if len(line) > settings.REPORT_FIELD_MAX_CHARS:
        return True  # no headline runs to thousands of characters
    words = len(line.split())
    full_stop = bool(re.search(r"\.[\"”’')\]]*$", line))
    if (_dateline_match(line) is not None or _outlet_match(line) is not None) and (full_stop or words > 12):
        return True
    return full_stop and (words > _BODY_LINE_MIN_WORDS or len(line) > _BODY_LINE_MIN_CHARS)


def _title_from_sentence(line: str) -> str:
    """A title from a paragraph: its first sentence without the dateline, without the final
    full stop, cut at a word to about _TITLE_MAX_CHARS characters with an ellipsis."""
    m = _dateline_match(line) or _outlet_match(line)
    text = line[m.end():] if m is not None and line[m.end():].strip() else line
    sentence = _first_sentence(text.strip())
    sentence = re.sub(r"\.(?=[\"”’')\]]*$)", "", sentence).strip()
    return _shorten(sentence, _TITLE_MAX_CHARS)


def _first_sentence(text: str) -> str:
    for m in re.finditer(r"[.!?][\"”’')\]]*(?=\s+[\"“‘(]?[A-Z0-9])", text):
        word = re.search(r"(\S+)$", text[:m.start()])
        if word and is_abbreviation(word.group(1)):
            continue  # "Gen. Saleh", "J. Smith", "U.S. forces"
        return text[:m.end()]
    return text


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:–—-") + "…"


def _is_date_line(line: str) -> bool:
    """A line that is only a date, perhaps with a weekday, a time and a time zone."""
    for pattern in _DATE_PATTERNS:
        m = pattern.search(line)
        if m:
            rest = _TIME.sub("", line[:m.start()] + line[m.end():])
            if len(re.sub(r"[\s|/,.:;·•–—-]+", "", rest)) < 6:
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
    pos = _skip_ws(text, 0)
    if pos >= len(text):
        yield ReportError(f"{path}: no reports (empty file)")
        return
    try:
        if text[pos:pos + 1] != "[":
            value, end = json_decode(text, pos)
            if text[_skip_ws(text, end):].strip():
                raise json.JSONDecodeError("extra data after the report", text, _skip_ws(text, end))
            yield _record(value, path, stem, _line_at(text, pos), None)
            return
        # A list: decode element by element, so each report knows its own line.
        pos = _skip_ws(text, pos + 1)
        n = 0
        if text[pos:pos + 1] == "]":
            yield ReportError(f"{path}: no reports (empty list)")
            return
        # Lines counted on from the last report, not from the top each time (which made a
        # list of 150,000 reports take minutes).
        line, counted = 1, 0
        while True:
            n += 1
            line += text.count("\n", counted, pos)
            counted = pos
            try:
                value, end = json_decode(text, pos)
            except InputBoundError as exc:
                if text[pos:pos + 1] not in ("[", "{"):
                    raise
                # Only this report is refused: the reading goes on after its closing bracket.
                yield ReportError(f"{path}:{line_at(text, exc.offset)}: bad JSON: {exc}")
                end = _value_end(text, pos)
            else:
                yield _record(value, path, stem, line, n)
            pos = _skip_ws(text, end)
            if text[pos:pos + 1] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if text[pos:pos + 1] == "]":
                break
            raise json.JSONDecodeError("expected ',' or ']'", text, pos)
    except json.JSONDecodeError as exc:
        yield ReportError(f"{path}:{exc.lineno}: bad JSON: {exc.msg} (column {exc.colno})")
    except InputBoundError as exc:
        yield ReportError(f"{path}:{line_at(text, exc.offset)}: bad JSON: {exc}")


def _value_end(text: str, pos: int) -> int:
    """The offset after the JSON list or object that opens at `pos` (its brackets matched)."""
    return json_scan(text, pos)[1]


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _from_jsonl(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    if not text.strip():
        yield ReportError(f"{path}: no reports (empty file)")
        return
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json_loads(line)
        except json.JSONDecodeError as exc:
            yield ReportError(f"{path}:{lineno}: bad JSON: {exc.msg} (column {exc.colno})")
            continue
        except InputBoundError as exc:
            yield ReportError(f"{path}:{lineno}: bad JSON: {exc}")
            continue
        yield _record(value, path, stem, lineno, lineno)


def _from_csv(text: str, path: str, stem: str) -> Iterator[Report | ReportError]:
    # A long report is one long cell: allow cells up to the size limit of a report file.
    if csv.field_size_limit() < settings.REPORT_MAX_BYTES:
        csv.field_size_limit(settings.REPORT_MAX_BYTES)
    # strict: a quote left open is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield ReportError(f"{path}:1: empty CSV file (a header row is expected)")
        return
    except csv.Error as exc:
        yield ReportError(_csv_error(exc, text, path, 1, reader.line_num))
        return
    columns = [_FIELD_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if "body" not in columns:
        yield ReportError(f"{path}:1: CSV header has no 'body' (or 'text') column "
                          f"(columns: {shorten(', '.join(h.strip() for h in header[:30]), 200)})")
        return
    n = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield ReportError(_csv_error(exc, text, path, line, reader.line_num))
            return
        if not any(cell.strip() for cell in row):
            continue
        n += 1
        if len(row) > len(columns):
            yield ReportError(f"{path}:{line}: {len(row)} cells but the header has {len(columns)} columns")
            continue
        yield _record(dict(zip(columns, row)), path, stem, line, n)
    if n == 0:
        yield ReportError(f"{path}: no reports (header only)")


def _csv_error(exc: csv.Error, text: str, path: str, record_line: int, at_line: int) -> str:
    """The message of a CSV error; a quote left open names the line it was opened on."""
    if "end of data" in str(exc):
        opened = _unclosed_quote_line(text, record_line)
        return (f"{path}:{opened}: bad CSV: unclosed quote opened on line {opened} "
                f"(the cell runs to the end of the file)")
    return f"{path}:{max(record_line, at_line)}: bad CSV: {exc}"


def _unclosed_quote_line(text: str, start_line: int) -> int:
    """The line of the quote that is still open at the end of `text`, scanning CSV records
    from `start_line` (a quote opens a cell only at its start; `""` inside is a quote)."""
    opened, in_quote = start_line, False
    for lineno, line in enumerate(text.split("\n")[start_line - 1:], start_line):
        cell_start, i = True, 0
        while i < len(line):
            ch = line[i]
            if in_quote:
                if ch == '"':
                    if line[i + 1:i + 2] == '"':
                        i += 2
                        continue
                    in_quote = False
            elif ch == '"' and cell_start:
                in_quote, opened = True, lineno
            if not in_quote:
                cell_start = ch == ","
            i += 1
    return opened


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(value: Any) -> Any:
    """A JSON string may hold half of a UTF-16 pair ("\\ud800"), which no file format can
    write: it becomes U+FFFD, the replacement character, as a decoder would make it."""
    if isinstance(value, str) and _LONE_SURROGATE.search(value):
        return _LONE_SURROGATE.sub("\ufffd", value)
    return value


def _record(value: Any, path: str, stem: str, line: int, n: int | None) -> Report | ReportError:
    """A report from one JSON object or CSV row (field names case-insensitive, with aliases)."""
    if not isinstance(value, dict):
        return ReportError(f"{path}:{line}: expected a JSON object (a report), got {type(value).__name__}")
    meta = {_FIELD_ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): _whole_characters(v)
            for k, v in value.items()}
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
        if value is not None and len(str(value)) > settings.REPORT_FIELD_MAX_CHARS:
            raise ReportError(f"{path}:{field_line(name)}: field '{name}': {len(str(value)):,} "
                              f"characters (at most {settings.REPORT_FIELD_MAX_CHARS:,}): "
                              f"{quote(str(value))}")
    published = _parse_published(meta.get("published"), path, field_line("published"))
    warnings: list[str] = []
    if published is None:
        warnings.append("no published date: relative dates stay unresolved")
    title = str(meta.get("title") or "").strip()
    if not title and title_from_body:
        first = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
        title = first.lstrip("#").strip()
        if _is_body_line(title):
            title = _title_from_sentence(title)
            warnings.append(_NO_TITLE_FIELD)
    rid = str(meta.get("id") or default_id).strip()
    url = str(meta["url"]).strip() if meta.get("url") else None
    lang = _language_field(meta, path, field_line)
    return _finish(rid, title, published, str(meta.get("source") or "").strip(), url,
                   str(meta["dateline"]).strip() if meta.get("dateline") else None,
                   body, path, body_line, tuple(warnings), lang=lang)


def _language_field(meta: dict, path: str, field_line) -> str | None:
    """The report's `lang` (or `language`) field: a language of data/lang/, or None."""
    name = "lang" if meta.get("lang") not in (None, "") else "language"
    value = meta.get(name)
    if value in (None, ""):
        return None
    from geo._lang import known_languages

    code = str(value).strip().lower()
    if not isinstance(value, str) or code not in known_languages():
        raise ReportError(f"{path}:{field_line(name)}: field '{name}': {quote(value)} is not a "
                          f"language of the event rules ({', '.join(known_languages())})")
    return code


def _parse_published(value: Any, path: str, line: int) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, (str, int, float)):
        raise ReportError(f"{path}:{line}: field 'published': expected a date (YYYY-MM-DD), "
                          f"got {type(value).__name__}")
    text = str(value).strip()
    # An ISO timestamp ("2024-05-11T08:00:00Z") keeps its date part.
    if re.match(r"\d{4}-\d\d-\d\d(?:$|[T ])", text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise ReportError(f"{path}:{line}: field 'published': {quote(text)} is not a date (YYYY-MM-DD)")


def _finish(rid: str, title: str, published: date | None, source: str, url: str | None,
            dateline: str | None, body: str, path: str, body_line: int,
            warnings: tuple[str, ...], lang: str | None = None) -> Report:
    m = _dateline_match(body)
    span = None
    if m is None and dateline is None:
        # "كركوك/ شفق نيوز", "هەولێر (کوردستان24)", "K24 – ھەولێر": datelines of the Arabic script.
        found = _script_dateline(body)
        if found is not None:
            dateline, span, outlet = found
            if not source and outlet:
                source = outlet
    if m is not None:
        group = "caps" if m.group("caps") else "mixed"
        place = m.group(group)
        if dateline is None or dateline.casefold() == place.casefold():
            dateline, span = place, (m.start(group), m.end(group))
        if not source and m.group("outlet"):
            source = m.group("outlet").strip()
        # "SINJAR, Iraq, March 4, 2024 (Reuters) -": the day of writing, when nothing else
        # dates the report. A dateline date without a year ("March 4") is left alone.
        when = _dateline_date(m)
        if published is None and when is not None:
            published = when
            warnings = tuple(w for w in warnings if not w.startswith("no published date")) + (
                "published date taken from the dateline",)
    if not source:
        # "Shafaq News/ Security forces ...": the agency's slug names the outlet.
        prefix = find_outlet_prefix(body)
        if prefix is not None:
            source = outlet_spelling(prefix[0])
    return Report(id=rid, title=title, published=published, source=source, url=url,
                  dateline=dateline, body=body, path=path, body_line=body_line,
                  dateline_span=span, warnings=warnings, lang=lang)


_ARABIC_WORD = r"[\u0621-\u064A\u0660-\u06D5\u06EE-\u06FF][\u0621-\u06FF]*"
_SCRIPT_PLACE = rf"(?P<place>{_ARABIC_WORD}(?:[ \t]{_ARABIC_WORD}){{0,2}})"


@lru_cache(maxsize=4)
def _script_dateline_regex() -> re.Pattern:
    """Datelines of Arabic and Sorani news opening a paragraph: the place, then the outlet
    after a slash or in brackets ("كركوك/ شفق نيوز", "هەولێر (کوردستان24)"), or the outlet, a
    dash or slash and the place alone on its line ("K24 – ھەولێر", "شفق نيوز– دهوك"). The
    outlets are those of data/geoparse.yaml and of the language packs of data/lang/."""
    from geo._geoparse_rules import geoparse_rules
    from geo._lang import packs

    names = set(geoparse_rules().outlets)
    for pack in packs().values():
        names.update(pack.geoparse_strings("outlets"))
    alternation = "|".join(r"[ \t]*".join(re.escape(w) for w in n.split())
                           for n in sorted(names, key=lambda n: (-len(n), n)))
    outlet = rf"(?P<outlet>{alternation})"
    return re.compile(
        rf"^[ \t]*(?:{_SCRIPT_PLACE}[ \t]*(?:/[ \t]*{outlet}|\([ \t]*(?P<outlet_b>[^()\n]{{1,40}}?)[ \t]*\))"
        rf"|(?P<outlet_a>{alternation})[ \t]*[–—/-]{{1,2}}[ \t]*(?P<place_a>{_ARABIC_WORD}(?:[ \t]{_ARABIC_WORD}){{0,2}})[ \t]*$)",
        re.MULTILINE)


def _script_dateline(body: str) -> tuple[str, tuple[int, int], str | None] | None:
    """The Arabic-script dateline of `body` (see _script_dateline_regex): its place, the
    place's span and the outlet, or None. Only in the story's opening lines."""
    head = body[:min(len(body), 600)]
    if not re.search(r"[\u0600-\u06FF]", head):
        return None
    m = _script_dateline_regex().search(head)
    if m is None:
        return None
    group = "place" if m.group("place") else "place_a"
    outlet = m.group("outlet") or m.group("outlet_b") or m.group("outlet_a")
    return m.group(group), (m.start(group), m.end(group)), outlet.strip() if outlet else None


def find_dateline(body: str) -> tuple[str, int, int, str | None] | None:
    """The dateline opening a paragraph ("ERBIL (Kurdistan 24) –", "SINJAR, Iraq, March 4
    (Reuters) -"): its place, the place's start and end offsets in `body`, and the outlet in
    brackets (or None)."""
    m = _dateline_match(body)
    if m is None:
        return None
    group = "caps" if m.group("caps") else "mixed"
    outlet = m.group("outlet").strip() if m.group("outlet") else None
    return m.group(group), m.start(group), m.end(group), outlet


def _dateline_match(body: str) -> re.Match | None:
    for m in _DATELINE.finditer(body, 0, min(len(body), _DATELINE_SEARCH_CHARS)):
        if m.group("caps") and len(m.group("caps").replace(" ", "")) < 3:
            continue  # "A - ..." or "I -": a letter, not a place
        if m.group("caps") and not m.group("outlet") and _outlet_regex().match(body, m.start()):
            continue  # "INA - ...", "AFP - ...": an outlet's slug, not a place
        return m
    return None


@lru_cache(maxsize=4)
def _outlet_regex(path: Path = settings.GEOPARSE_RULES_FILE) -> re.Pattern:
    """The agency-style slug that opens a story ("Shafaq News/ ...", "Shafaq News – ...",
    "INA - ..."): one of the outlets of data/geoparse.yaml (the list that keeps "Kurdistan 24"
    from being a place), then a slash or a dash."""
    from geo._geoparse_rules import geoparse_rules

    names = sorted(set(geoparse_rules(path).outlets), key=lambda n: (-len(n), n))
    alternation = "|".join(r"[ \t]+".join(re.escape(w) for w in n.split()) for n in names) or r"(?!x)x"
    return re.compile(rf"[ \t]*(?P<outlet>{alternation})[ \t]*(?:/|[–—]{{1,2}}|-{{1,2}}(?=[ \t]))[ \t]*(?=\S)",
                      re.IGNORECASE)


@lru_cache(maxsize=4)
def _outlet_spellings(path: Path = settings.GEOPARSE_RULES_FILE) -> dict[str, str]:
    """Each outlet of data/geoparse.yaml by its case-folded, space-normalised name."""
    from geo._geoparse_rules import geoparse_rules

    out: dict[str, str] = {}
    for name in geoparse_rules(path).outlets:
        out.setdefault(" ".join(name.casefold().split()), name)
    return out


def outlet_spelling(written: str) -> str:
    """The list's spelling of an outlet as a slug writes it ("SHAFAQ NEWS", "shafaq  news":
    "Shafaq News"); a name not on the list as written, stripped."""
    return _outlet_spellings().get(" ".join(written.casefold().split()), written.strip())


def _outlet_match(line: str) -> re.Match | None:
    """The outlet slug opening `line`, or None."""
    return _outlet_regex().match(line)


def find_outlet_prefix(body: str) -> tuple[str, int, int] | None:
    """The outlet of an agency-style slug opening the story ("Shafaq News/ Security forces
    ..."): the outlet as written and its start and end offsets in `body`. The slug is looked
    for at the start of the first line of text, after any lone date or page furniture
    ("2024-03-09", "Share"); None when that line opens with no known outlet."""
    offset = 0
    while offset <= len(body):  # line by line, without splitting the whole body
        newline = body.find("\n", offset)
        line = body[offset:] if newline < 0 else body[offset:newline]
        if line.strip() and not _is_furniture(line.strip()):
            m = _outlet_match(line)
            return (m.group("outlet"), offset + m.start("outlet"), offset + m.end("outlet")) if m else None
        if newline < 0:
            break
        offset = newline + 1
    return None


def _dateline_date(m: re.Match) -> date | None:
    """The full date a dateline states ("March 4, 2024"), or None (no date, or no year)."""
    year = m.group("dl_year")
    month = m.group("dl_month1") or m.group("dl_month2")
    day = m.group("dl_day1") or m.group("dl_day2")
    if not (year and month and day):
        return None
    try:
        return date(int(year), _MONTHS[month[:3].lower()], int(day))
    except ValueError:
        return None
