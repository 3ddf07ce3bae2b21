"""Dates written in the languages of data/lang/: weekdays ("يوم الثلاثاء", "ڕۆژی سێشەممە",
"roja Sêşemê"), days of months by their Syriac-origin, Gregorian or Kurdish solar names
("15 كانون الثاني 2020", "13ی تشرینی دووەم", "١٩ی جۆزەردان", "11ê Mijdarê"), numeric dates
("3-3-2023", day first as in Iraq), and relative days ("أمس", "دوێنێ", "duh", "last week" in
each language, "قبل ثلاثة أيام", "ڕۆژی دواتر"). Digits may be Western, Eastern Arabic (٠-٩) or
Persian (۰-۹).

`pattern_source(codes)` is a regex alternation (named groups `x...`) that geo.events' date
pattern adds for the languages of a report; `resolve(m, published, anchor)` says what such a
match means. The words are the packs' (data/lang/*.yaml `dates`); the code knows only the
shapes. The Kurdish solar calendar is reckoned as the Kurdistan Region does: the year begins on
21 March (Nawroz) and the Kurdish year is the Gregorian one + 700 from that day; months 1-6 have
31 days, 7-11 have 30 and Reşeme 29, so a date of it is right to the day except in the week
around a leap day, where Iran's calendar may differ by one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from geo._lang import ARABIC_PROCLITIC_RE, packs, word_regex

DIGIT = "[0-9\u0660-\u0669\u06F0-\u06F9]"
_YEAR = rf"(?:19|20|27|\u0661\u0669|\u0662\u0660|\u0662\u0667|\u06F1\u06F9|\u06F2\u06F0|\u06F2\u06F7){DIGIT}{{2}}"
_SOLAR_DAYS = (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29)


def _alt(words, proclitic: bool = False) -> str:
    words = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))
    return "|".join(word_regex(w, proclitic) for w in words) or r"(?!x)x"


@dataclass(frozen=True)
class _Table:
    """Folded word -> value, for the words of one field of the packs; a word listed with `*`
    matches any ending."""

    exact: dict
    prefixes: tuple

    def get(self, text: str):
        from geo._text import name_key

        key = name_key(text)
        for candidate in (key, _strip_proclitic(key)):
            if candidate in self.exact:
                return self.exact[candidate]
            for prefix, value in self.prefixes:
                if candidate.startswith(prefix):
                    return value
        return None


def _strip_proclitic(key: str) -> str:
    return re.sub(r"^(?:[وف]?(?:[بلك]?ال|لل|[بلك]))(?=\S{3})", "", key)


def _table(pairs) -> _Table:
    from geo._text import name_key

    exact, prefixes = {}, []
    for word, value in pairs:
        word = str(word)
        key = name_key(word.rstrip("*"))
        if word.endswith("*"):
            prefixes.append((key, value))
        exact.setdefault(key, value)
    return _Table(exact, tuple(sorted(prefixes, key=lambda p: -len(p[0]))))


@dataclass(frozen=True)
class Grammar:
    """The date words of a set of languages, compiled: the regex source and the look-ups."""

    source: str
    weekday: _Table
    month: _Table  # -> (calendar, month): "gregorian" or "solar"
    days_back: _Table
    shift: _Table
    number: _Table


@lru_cache(maxsize=16)
def grammar(codes: frozenset) -> Grammar | None:
    """The date grammar of the packs `codes` (English has none of its own: None when no other
    language is present)."""
    chosen = [packs()[c] for c in sorted(codes) if c in packs() and packs()[c].data.get("dates")]
    if not chosen:
        return None
    weekday, month, back, shift, number = [], [], [], [], []
    day_words, last_after, joins, last_week, ago_before, ago_after, units, endings = ([] for _ in range(8))
    arabic = False
    for pack in chosen:
        d = pack.data["dates"]
        arabic = arabic or pack.script == "arabic"
        for i, words in enumerate(d.get("weekdays") or []):
            weekday += [(w, i) for w in words]
        for n, words in (d.get("months") or {}).items():
            month += [(w, ("gregorian", n)) for w in words]
        for n, words in (d.get("solar_months") or {}).items():
            month += [(w, ("solar", n)) for w in words]
        for n, words in (d.get("days_back") or {}).items():
            back += [(w, n) for w in words]
        for n, words in (d.get("shift_days") or {}).items():
            shift += [(w, n) for w in words]
        for i, words in enumerate(d.get("numbers") or []):
            number += [(w, i + 1) for w in words]
        day_words += d.get("day_words") or []
        last_after += d.get("last_after") or []
        joins += d.get("day_month_joins") or []
        last_week += d.get("last_week") or []
        ago_before += d.get("ago_before") or []
        ago_after += d.get("ago_after") or []
        units += d.get("day_units") or []
        endings += pack.geoparse_strings("suffixes") if pack.script == "latin" or pack.code != "ar" else []
    proc = f"(?:{ARABIC_PROCLITIC_RE})?" if arabic else ""
    b, e = r"(?<![\w-])", r"(?![\w])"
    ending = "(?:" + "|".join(re.escape(x) for x in sorted(set(endings), key=len, reverse=True)) + ")?" if endings else ""
    join = "(?:" + "|".join(re.escape(j) for j in sorted({j for j in joins if len(j) <= 2}, key=len, reverse=True)) + ")?"
    words_join = [j for j in joins if len(j) > 2 or " " in j or j in ("من",)]
    month_alt = f"(?:{_alt([w for w, _ in month])}){ending}"
    count = f"{DIGIT}{{1,2}}|{_alt([w for w, _ in number])}"
    parts = [
        # 3-3-2023, 16.9.2015: day, month, year
        rf"{b}(?P<xnd>{DIGIT}{{1,2}})[-./](?P<xnm>{DIGIT}{{1,2}})[-./](?P<xny>{_YEAR})\u0640?[^\W\d_]{{0,4}}{e}",
        # 15 كانون الثاني 2020, 13ی تشرینی دووەمی 2023, 11ê Mijdara 2025an, 25 ابريل/ نيسان 2016
        rf"{b}(?P<xd>{DIGIT}{{1,2}}){join}[ \t]*(?:(?:{_alt(words_join)})[ \t]+)?(?P<xm>{month_alt})"
        rf"(?:[ \t]*/[ \t]*{month_alt})?(?:[ \t,،]*(?P<xy>{_YEAR})\u0640?[^\W\d_]{{0,4}})?{e}",
        # نيسان 2022, Tebaxa 2014an: a month
        rf"{b}{proc}(?P<xmm>{month_alt})[ \t,،]*(?P<xmy>{_YEAR})\u0640?[^\W\d_]{{0,4}}{e}",
        # يوم الثلاثاء, ڕۆژی سێشەممە, roja Sêşemê, الخميس الماضي
        rf"{b}{proc}(?:(?:{_alt(day_words)})[ \t]+)?(?P<xwd>{_alt([w for w, _ in weekday])})"
        rf"(?P<xlast>[ \t]*(?:{_alt(last_after)}))?{e}",
        rf"{b}{proc}(?P<xweek>{_alt(last_week)}){e}",
        rf"{b}{proc}(?P<xshift>{_alt([w for w, _ in shift])}){e}",
        rf"{b}{proc}(?P<xrel>{_alt([w for w, _ in back])}){e}",
        # قبل ثلاثة أيام, berî du rojan; دوو ڕۆژ لەمەوبەر, du roj berê
        rf"{b}(?:(?:{_alt(ago_before)})[ \t]+(?P<xago>{count})[ \t]+(?:{_alt(units)})"
        rf"|(?P<xago2>{count})[ \t]+(?:{_alt(units)})[ \t]+(?:{_alt(ago_after)})){e}",
    ]
    return Grammar("|".join(f"(?:{p})" for p in parts), _table(weekday), _table(month), _table(back),
                   _table(shift), _table(number))


def _number(text: str, g: Grammar) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)  # int() reads Eastern Arabic and Persian digits too
    return g.number.get(text)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year - 700 if year >= 2600 else year  # a Kurdish year: 2723 began on 21 March 2023


def _solar(year: int, month: int, day: int) -> date | None:
    """Day `day` of Kurdish solar month `month` of the year that began on 21 March of
    Gregorian `year`."""
    if not 1 <= day <= _SOLAR_DAYS[month - 1]:
        return None
    return date(year, 3, 21) + timedelta(days=sum(_SOLAR_DAYS[:month - 1]) + day - 1)


def is_language_match(m: re.Match) -> bool:
    return any(m.groupdict().get(k) for k in ("xnd", "xd", "xmm", "xwd", "xweek", "xshift", "xrel", "xago", "xago2"))


def shift_of(m: re.Match, g: Grammar) -> int | None:
    if m.groupdict().get("xshift"):
        return g.shift.get(m.group("xshift"))
    return None


def resolve(m: re.Match, g: Grammar, published: date | None, anchor: date | None = None):
    """What a language date match means: ("day", date), ("week", date) a week before
    publication, ("month", first, last), ("relative", None) when it needs a published date that
    is missing, or ("bad", None) for an impossible date."""
    gd = m.groupdict()
    if gd.get("xnd"):
        try:
            return "day", date(int(gd["xny"]), int(gd["xnm"]), int(gd["xnd"]))
        except ValueError:
            return "bad", None
    if gd.get("xd"):
        found = g.month.get(_month_word(gd["xm"], g))
        if found is None:
            return "bad", None
        calendar, month = found
        day = int(gd["xd"])
        year = _year(gd.get("xy"))
        return _day_of_month(calendar, month, day, year, published)
    if gd.get("xmm"):
        found = g.month.get(_month_word(gd["xmm"], g))
        if found is None:
            return "bad", None
        calendar, month = found
        year = _year(gd["xmy"])
        if calendar == "solar":
            first, last = _solar(year, month, 1), _solar(year, month, _SOLAR_DAYS[month - 1])
        else:
            first = date(year, month, 1)
            last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        return "month", first, last
    if gd.get("xwd"):
        if published is None:
            return "relative", None
        index = g.weekday.get(gd["xwd"])
        back = (published.weekday() - index) % 7
        if gd.get("xlast"):
            back = back or 7  # "الخميس الماضي": strictly before
        return "day", published - timedelta(days=back)
    if gd.get("xweek"):
        return ("week", published - timedelta(days=7)) if published else ("relative", None)
    if gd.get("xrel"):
        back = g.days_back.get(gd["xrel"])
        return ("day", published - timedelta(days=back)) if published else ("relative", None)
    if gd.get("xago") or gd.get("xago2"):
        back = _number(gd.get("xago") or gd.get("xago2"), g)
        if back is None:
            return "bad", None
        return ("day", published - timedelta(days=back)) if published else ("relative", None)
    if gd.get("xshift"):
        base = anchor if anchor is not None else published
        return ("day", base + timedelta(days=g.shift.get(gd["xshift"]))) if base else ("relative", None)
    return "bad", None


def _month_word(text: str, g: Grammar) -> str:
    """The month as matched, without the ending joined to it ("Mijdarê", "نیسانی")."""
    if g.month.get(text) is not None:
        return text
    for cut in (1, 2, 3):
        if len(text) > cut + 2 and g.month.get(text[:-cut]) is not None:
            return text[:-cut]
    return text


def _day_of_month(calendar: str, month: int, day: int, year: int | None, published: date | None):
    try:
        if year is not None:
            found = _solar(year, month, day) if calendar == "solar" else date(year, month, day)
            return ("day", found) if found else ("bad", None)
        if published is None:
            return "relative", None
        # No year: the latest such day on or before publication.
        for y in (published.year, published.year - 1):
            found = _solar(y, month, day) if calendar == "solar" else date(y, month, day)
            if found is None:
                return "bad", None
            if found <= published:
                return "day", found
        return "bad", None
    except ValueError:
        return "bad", None
