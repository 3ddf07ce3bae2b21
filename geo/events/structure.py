"""Article structure (the event step): the parts of a news page that tell no event of their own.

Real pages carry more than the story: photo captions ("Smoke rises over Batifa after an air
raid. (Photo: Archive)"), credits and bylines ("By AFP", "Source: Xinhua| 2019-09-05"),
page stamps ("Last Updated: ..."), links to other stories ("Read more: ..."), and
background ("Turkish forces often strike the mountains", "ISIS has held the area since
2014"). A caption describes a picture, often of another day; background tells what usually
happens. Neither is the event the article reports, and a place they name is not its place.

The words are data (data/article_structure.yaml): `caption_paragraphs` gives the spans of
paragraphs that are captions, credits or related links; `is_background` says whether a
sentence is background (the event step still keeps a background sentence that names the
day of its own event).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import settings

STRUCTURE_FILE = settings.DATA_DIR / "article_structure.yaml"
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# "March 3, 2021:", "September8, 2018:", "3 March 2021:" at a paragraph's start: a photo's day.
_DATED_OPENING = re.compile(rf"\s*(?:{_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}|"
                            rf"\d{{1,2}}\s+{_MONTH},?\s*\d{{4}})\s*:", re.IGNORECASE)


def _phrase_pattern(phrases: list[str]) -> re.Pattern:
    r"""Phrases as whole words (a phrase ending in punctuation ends where it ends).

    The phrases that start and end with a word character share one `(?<!\w)(?:...)(?!\w)`:
    one lookbehind per position instead of one per phrase made the background test of every
    sentence five times faster (it was most of the time of a long report)."""
    words, others = [], []
    for p in sorted(phrases, key=lambda p: (-len(p), p)):
        body = r"\s+".join(re.escape(w) for w in p.split())
        start, end = p[:1].isalnum(), p[-1:].isalnum()
        if start and end:
            words.append(body)
        else:
            others.append((r"(?<!\w)" if start else "") + body + (r"(?!\w)" if end else ""))
    parts = ([r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)"] if words else []) + others
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


@dataclass(frozen=True)
class _Structure:
    caption: re.Pattern
    dated_opening: bool
    credit_starts: tuple[str, ...]
    credit_max_words: int
    related_starts: tuple[str, ...]
    background: re.Pattern


def _strings(data: dict, key: str, path: Path) -> list[str]:
    from geo._errors import ReportError

    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ReportError(f"{path}: field '{key}': expected a list of phrases")
    return [v.strip() for v in value]


@lru_cache(maxsize=4)
def article_structure(path: Path = STRUCTURE_FILE) -> _Structure:
    """data/article_structure.yaml, checked and compiled."""
    from geo._errors import ReportError
    from geo._geoparse_rules import _load_yaml

    data = _load_yaml(path)
    known = {"caption_markers", "caption_dated_opening", "credit_line_starts",
             "credit_line_max_words", "related_line_starts", "background_before_year",
             "background_markers"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ReportError(f"{path}: unknown field '{unknown[0]}' (known: {', '.join(sorted(known))})")
    max_words = data.get("credit_line_max_words", 14)
    if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
        raise ReportError(f"{path}: field 'credit_line_max_words': expected a whole number >= 1")
    years = _strings(data, "background_before_year", path)
    year_part = (r"(?:" + "|".join(r"\s+".join(map(re.escape, y.split())) for y in years)
                 + r")\s+(?:19|20)\d\d(?!\d)") if years else None
    markers = _phrase_pattern(_strings(data, "background_markers", path))
    background = re.compile(rf"{markers.pattern}|(?<!\w){year_part}" if year_part else markers.pattern,
                            re.IGNORECASE)
    return _Structure(
        caption=_phrase_pattern(_strings(data, "caption_markers", path)),
        dated_opening=bool(data.get("caption_dated_opening", False)),
        credit_starts=tuple(s.lower() for s in _strings(data, "credit_line_starts", path)),
        credit_max_words=max_words,
        related_starts=tuple(s.lower() for s in _strings(data, "related_line_starts", path)),
        background=background)


def _starts_with(text: str, starts: tuple[str, ...]) -> bool:
    low = text.lower()
    for s in starts:
        if low.startswith(s) and (not s[-1:].isalnum() or len(low) == len(s) or not low[len(s)].isalnum()):
            return True
    return False


def caption_paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs of `body` that are photo captions, credits, bylines,
    page stamps or links to other stories."""
    rules = article_structure()
    out = []
    start = 0
    for m in [*_PARAGRAPH.finditer(body), None]:
        end = m.start() if m else len(body)
        text = body[start:end].strip()
        if text and _is_apart(rules, text):
            out.append((start, end))
        start = m.end() if m else len(body)
    return out


def _is_apart(rules: _Structure, text: str) -> bool:
    if rules.caption.search(text):
        return True
    if rules.dated_opening and _DATED_OPENING.match(text):
        return True
    short = len(text.split()) <= rules.credit_max_words
    return short and (_starts_with(text, rules.credit_starts) or _starts_with(text, rules.related_starts))


def is_background(sentence: str) -> bool:
    """Does the sentence tell what usually happens or has gone on for a while ("often",
    "since 2014", "in recent months")?"""
    return bool(article_structure().background.search(sentence))
