"""The article inside a saved web page: main text and metadata, for geo.reports.

A browser-saved article is mostly not the article: navigation, cookie banners, "Related" lists,
comments, photo captions. trafilatura finds the main text; this module removes the captions
and credits first (a caption names a place that is not where the story happened: "The funeral
... at a cemetery in Kirkuk"), then maps the page's metadata (Open Graph, JSON-LD
`NewsArticle`, `<time>`, the canonical link) to report fields. What the page does not say is
left to the plain-text rules of geo.reports (title from the first line, date from the text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Elements that hold captions, photo credits and page furniture around the story. Matched on
# class and id, as words, because outlets name them in many ways ("wp-caption-text",
# "photo-credit", "article__caption", "read-more-links").
_FURNITURE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:caption|captions|figcaption|credit|credits|photo-credit|image-credit|"
    r"related|read-more|readmore|more-stories|newsletter|share|social|cookie|cookies|"
    r"consent|byline|tags)(?:$|[\s_-])", re.IGNORECASE)
_FURNITURE_TAGS = ("figcaption", "figure", "nav", "aside", "footer")


@dataclass(frozen=True)
class Article:
    """What a page tells of its article; empty strings where it says nothing."""

    body: str
    title: str = ""
    published: str = ""   # an ISO date as the page gives it (YYYY-MM-DD)
    source: str = ""      # the outlet (og:site_name, JSON-LD publisher)
    author: str = ""
    url: str = ""         # the canonical URL
    captions: tuple[str, ...] = ()


def looks_like_html(text: str) -> bool:
    """Whether a text is an HTML page (for sniffing standard input and unknown suffixes)."""
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html")) or (
        head.startswith("<") and "<body" in text[:65536].lower())


def extract_article(html: str | bytes) -> Article:
    """The article of a page: its main text (paragraphs separated by a blank line) and the
    metadata fields the page carries. Raises ValueError when the page holds no article text."""
    import lxml.html
    import trafilatura

    if isinstance(html, bytes):
        html = _decode_page(html)
    # lxml refuses text that still declares an encoding in an XML prolog.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ValueError(f"not an HTML page ({exc})") from None
    captions = _remove_furniture(tree)
    doc = trafilatura.bare_extraction(
        tree, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False, deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if doc is None or not (doc.text or "").strip():
        raise ValueError("no article text in the page (navigation or scripts only?)")
    title = (doc.title or "").strip()
    paragraphs = [p.strip() for p in doc.text.split("\n") if p.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline repeated as the text's first line
    if not paragraphs:
        raise ValueError("no article text in the page (only a headline)")
    return Article(body="\n\n".join(paragraphs), title=title,
                   published=_iso_date(doc.date), source=(doc.sitename or "").strip(),
                   author=(doc.author or "").strip(), url=(doc.url or "").strip(),
                   captions=tuple(captions))


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def _decode_page(data: bytes) -> str:
    """A saved page's text: UTF-8 when it is (a BOM or valid bytes), else the charset its
    <meta> names (windows-1256 in many Arabic outlets), else the likeliest guess."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:8192])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def _remove_furniture(tree) -> list[str]:
    """Drop captions, credits and furniture from the parsed page; return the caption texts."""
    captions: list[str] = []
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if el.tag in _FURNITURE_TAGS or _FURNITURE_NAMES.search(names):
            doomed.append(el)
    chosen = set(doomed)
    for el in doomed:
        if el.getparent() is None or any(a in chosen for a in el.iterancestors()):
            continue  # the root, or inside furniture already taken out whole
        if el.tag in ("figcaption", "figure") or "caption" in f"{el.get('class', '')}".lower():
            text = " ".join(el.text_content().split())
            if text:
                captions.append(text)
        el.drop_tree()
    return captions


def _iso_date(value: str | None) -> str:
    value = (value or "").strip()
    return value[:10] if re.match(r"\d{4}-\d\d-\d\d", value) else ""
