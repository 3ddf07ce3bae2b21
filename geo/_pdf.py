"""The text of a PDF report (UN, ISW and NGO briefs), for geo.reports.

pypdf is pure Python, so a PDF needs no system library. The text layer is read page by page;
a scanned PDF has none, and geo does no OCR, so that is an error, as is a password. Title and
date come from the document's metadata when it has them; otherwise geo.reports reads them
from the first page as it does for plain text.
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from geo import settings


_HEADING_MAX_WORDS = 8  # a line of a PDF this short that does not run on is a paragraph


@dataclass(frozen=True)
class Document:
    """The text of a PDF (pages separated by a blank line) and its metadata."""

    body: str
    pages: int
    title: str = ""
    published: str = ""  # ISO date from the metadata's creation date, or ""
    author: str = ""


class PDFProblem(ValueError):
    """Why a PDF gives no text (the message is shown after the file name)."""


def looks_like_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF-")


def read_pdf(data: bytes) -> Document:
    """The text and metadata of a PDF. Raises PDFProblem (password, no text layer, broken)."""
    import pypdf
    from pypdf.errors import DependencyError, PdfReadError

    # pypdf logs every oddity of a damaged file as a warning: the error below says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to forbid editing.
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise PDFProblem("encrypted PDF: reading it needs the 'cryptography' package "
                                 "(pip install cryptography)") from None
            except Exception:  # noqa: BLE001 (an unsupported cipher is also "cannot open")
                opened = 0
            if not opened:
                raise PDFProblem("password-protected PDF: save an unprotected copy to read it")
        n = len(reader.pages)
        if n > settings.PDF_MAX_PAGES:
            raise PDFProblem(f"{n} pages is over the {settings.PDF_MAX_PAGES}-page limit for "
                             "one report; split the document")
        pages = [_page_text(page) for page in reader.pages]
        meta = reader.metadata or {}
        title = _meta_text(meta.get("/Title"))
        author = _meta_text(meta.get("/Author"))
        published = _pdf_date(_meta_text(meta.get("/CreationDate")))
    except PDFProblem:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise PDFProblem(f"broken PDF ({_short(exc)})") from None
    if not any(p.strip() for p in pages):
        raise PDFProblem("no text layer (a scanned PDF?); geo does no OCR: run OCR first "
                         "(e.g. ocrmypdf) or save the text")
    body = "\n\n".join(p.strip() for p in pages if p.strip())
    return Document(body=body, pages=n, title=title, published=published, author=author)


def _page_text(page) -> str:
    text = page.extract_text() or ""
    # Lines broken at the page's width, with hyphens at the break ("Kir-\nkuk"), are joined
    # only for the hyphen case: a plain line break may be a heading or a list item.
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    # A PDF keeps no paragraphs, only lines. A short line that does not run on (no comma,
    # no hyphen at its end) is a heading, a date line or a paragraph's end: it becomes a
    # paragraph of its own, so "Situation Report 12 / Northern Iraq, 10 May 2024" does not
    # open the first sentence of the story and date it.
    out = []
    for line in text.split("\n"):
        out.append(line)
        bare = line.strip()
        if bare and len(bare.split()) <= _HEADING_MAX_WORDS and not bare.endswith((",", ";", "-", "–")):
            out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _meta_text(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())[:500]


def _pdf_date(value: str) -> str:
    """'D:20240511083000+03'00'' -> '2024-05-11' (or '' when it is not such a date)."""
    m = re.match(r"(?:D:)?(\d{4})(\d\d)(\d\d)", value)
    if not m:
        return ""
    y, mo, d = (int(g) for g in m.groups())
    if not (1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
