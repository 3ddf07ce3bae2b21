"""Dates in event sentences: the date expressions a sentence is searched for (built in, and the
fixed-date holidays of data/holidays.yaml), what each one means against the published date,
and the date of each event sentence of a report (see geo.events for the rules).
"""
from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Protocol

from geo import settings
from geo._geoparse_rules import keyword_pattern

if TYPE_CHECKING:
    from geo.reports import Report


class _DateRules(Protocol):
    """What dating reads of the event rules (geo.events.rules._Rules, which is built on the
    holidays of this module, so it is described here rather than imported)."""

    holiday_reference: re.Pattern
    speech: re.Pattern
    history_days: float

# --- date expressions ----------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_ALT = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
# Numbers written out, in order (NUMBER_WORDS[n - 1] is n): the one list for every count the
# event step reads ("two days later", "three days ago", "eight soldiers").
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")
_COUNT = r"\d{1,2}|" + "|".join(NUMBER_WORDS)
_WEEKDAY_ALT = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Right after "the day before": punctuation or the end, not an object ("the day before the vote").
_NO_OBJECT = r"(?=\s*(?:[,.;:!?)\]\"”’—–]|\s-\s|$))"
# Date expressions in a sentence, built in; date_pattern() adds the holidays of
# data/holidays.yaml. Weekdays must be capitalised (they always are in news).
_DATE_BUILTIN = (
    r"\b(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b"       # 2024-03-01
    # "Tuesday last week", "last week on Tuesday": that weekday of the previous calendar week;
    # "last Tuesday": the latest Tuesday strictly before publication
    rf"|\b(?P<weekday>{_WEEKDAY_ALT})\b(?P<ofweek>,?\s+(?:of\s+)?last\s+week\b)?"
    rf"|\blast\s+(?:week,?\s+on\s+(?P<pw2>{_WEEKDAY_ALT})|(?P<lastwd>{_WEEKDAY_ALT}))\b"
    rf"|\b(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_ALT})(?:,?\s+(?P<y1>(?:19|20)\d\d))?\b"
    rf"|\b(?P<m2>{_MONTH_ALT})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
    r"|\b(?P<dby>the\s+day\s+before\s+yesterday)\b"            # before "the day before"
    r"|\b(?P<yesterday>yesterday|last night|overnight)\b"
    rf"|\b(?P<ago>{_COUNT})\s+days\s+ago\b"
    r"|\b(?P<today>today|this morning|this evening|tonight)\b"
    r"|\b(?P<week>last\s+week)\b"                               # a week, not a day
    # Days counted from the event told before it ("A day earlier", "The next day"); see
    # find_events for what they count from. "The day before" / "the day after" only with no
    # object: "the day before the elections" counts from the elections, not from an event.
    rf"|\b(?P<before1>(?:a|one)\s+day\s+earlier|the\s+day\s+before{_NO_OBJECT}|the\s+(?:previous|preceding)\s+day)\b"
    rf"|\b(?P<after1>the\s+(?:next|following)\s+day|(?:a|one)\s+day\s+later|the\s+day\s+after{_NO_OBJECT})\b"
    rf"|\b(?P<shift>{_COUNT})\s+days\s+(?P<shift_dir>earlier|later)\b"
    rf"|\b(?P<m3>{_MONTH_ALT})\s+(?P<y3>(?:19|20)\d\d)\b"   # "in December 2023": a month
    r"|\bin\s+(?P<y4>(?:19|20)\d\d)\b"                      # "in 2017": a year
)


class _Period:
    """A month or a year, not a day: dates an event only when recent (see date_of)."""

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last


@dataclass(frozen=True)
class Holiday:
    """One fixed-date holiday of data/holidays.yaml."""

    name: str
    aliases: tuple[str, ...]
    month: int
    day: int
    other_calendars: tuple[str, ...] = ()  # "Yazidi" before "New Year Day": not this day


@dataclass(frozen=True)
class Holidays:
    """data/holidays.yaml: the holidays, by folded alias, the words that make a holiday
    a reference point rather than the day of the event ("ahead of Nowruz"), and the words
    that make it part of a name ("Nawroz University", "Hotel Nawroz") or another day
    ("Kurdish New Year's Eve")."""

    by_alias: dict
    reference_words: tuple[str, ...]
    name_nouns: tuple[str, ...] = ()
    name_words: tuple[str, ...] = ()
    other_day_words: tuple[str, ...] = ()


# The fields of data/holidays.yaml and of one of its holidays.
_HOLIDAYS_FIELDS = ("holidays", "reference_words", "name_nouns", "name_words", "other_day_words")
_HOLIDAY_FIELDS = ("name", "aliases", "month", "day", "other_calendars", "source")


def _fold_holiday(name: str) -> str:
    return " ".join(name.replace("’", "").replace("'", "").lower().split())


@lru_cache(maxsize=4)
def holidays(path: Path | None = None) -> Holidays:
    """data/holidays.yaml, checked: every holiday has a name, aliases and a real month and
    day (29 February is refused: it is not a day every year). Errors name file, line, field."""
    import yaml

    from geo._errors import ReportError
    from geo._geoparse_rules import _load_yaml, _strings

    path = Path(path) if path is not None else _HOLIDAYS_FILE
    data = _load_yaml(path)
    top_lines: dict = {}  # line of each top-level field
    lines: list[int] = []  # line of each holiday
    field_lines: list[dict] = []  # line of each field of each holiday
    alias_lines: list[list[int]] = []  # line of each alias of each holiday
    try:  # the lines, for the errors
        root = yaml.compose(path.read_text(encoding="utf-8"))
        top_lines = {k.value: k.start_mark.line + 1 for k, _ in root.value}
        items = next((v for k, v in root.value if k.value == "holidays"), None)
        for node in items.value if items is not None else []:
            lines.append(node.start_mark.line + 1)
            fields = dict(node.value) if isinstance(node, yaml.MappingNode) else {}
            field_lines.append({k.value: k.start_mark.line + 1 for k in fields})
            named = next((v for k, v in fields.items() if k.value == "aliases"), None)
            alias_lines.append([a.start_mark.line + 1 for a in named.value]
                               if isinstance(named, yaml.SequenceNode) else [])
    except (yaml.YAMLError, AttributeError, TypeError, ValueError):
        lines, field_lines, alias_lines = [], [], []
    for key in data:
        if key not in _HOLIDAYS_FIELDS:
            raise ReportError(f"{path}:{top_lines.get(key, 1)}: field {key!r}: unknown field "
                              f"(expected {', '.join(_HOLIDAYS_FIELDS)})")
    entries = data.get("holidays") or []
    if not isinstance(entries, list):
        raise ReportError(f"{path}: field 'holidays': expected a list of holidays")
    by_alias: dict[str, Holiday] = {}
    for i, item in enumerate(entries):
        where = f"{path}:{lines[i]}" if i < len(lines) else f"{path}: holidays[{i}]"

        def at(key: str, n: int | None = None) -> str:
            """file:line of field `key` of this holiday (of its alias `n`), else of the holiday."""
            if n is not None and i < len(alias_lines) and n < len(alias_lines[i]):
                return f"{path}:{alias_lines[i][n]}"
            if i < len(field_lines) and key in field_lines[i]:
                return f"{path}:{field_lines[i][key]}"
            return where

        if not isinstance(item, dict):
            raise ReportError(f"{where}: expected a mapping with name, aliases, month, day")
        for key in item:
            if key not in _HOLIDAY_FIELDS:
                raise ReportError(f"{at(key)}: field {key!r}: unknown field "
                                  f"(expected {', '.join(_HOLIDAY_FIELDS)})")
        name = str(item.get("name") or "").strip()
        if not name:
            raise ReportError(f"{where}: field 'name' is empty")
        aliases = item.get("aliases")
        if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ReportError(f"{at('aliases')}: field 'aliases': expected a non-empty list of names")
        for key in ("month", "day"):
            if isinstance(item.get(key), bool) or not isinstance(item.get(key), int):
                raise ReportError(f"{at(key)}: field '{key}': expected a whole number, not {item.get(key)!r}")
        if not 1 <= item["month"] <= 12:
            raise ReportError(f"{at('month')}: field 'month': {item['month']} is not a month (1 to 12)")
        try:
            date(2023, item["month"], item["day"])  # 2023: not a leap year
        except ValueError:
            raise ReportError(f"{at('day')}: field 'day': {item['month']}/{item['day']} is not a day "
                              f"of every year") from None
        others = item.get("other_calendars", [])
        if not isinstance(others, list) or not all(isinstance(w, str) and w.strip() for w in others):
            raise ReportError(f"{at('other_calendars')}: field 'other_calendars': expected a list of words")
        holiday = Holiday(name, tuple(a.strip() for a in aliases), item["month"], item["day"],
                          tuple(w.strip() for w in others))
        mine: dict[str, str] = {}  # folded alias -> alias as written, in this holiday
        for n, alias in enumerate(holiday.aliases):
            key = _fold_holiday(alias)
            if key in mine:
                same = "" if mine[key] == alias else f" as {mine[key]!r} (case and apostrophes are ignored)"
                raise ReportError(f"{at('aliases', n)}: field 'aliases': {alias!r} is listed twice{same}")
            if key in by_alias:
                raise ReportError(f"{at('aliases', n)}: field 'aliases': {alias!r} is also an alias of "
                                  f"{by_alias[key].name!r}")
            mine[key] = alias
            by_alias[key] = holiday
    return Holidays(by_alias, _strings(data, "reference_words", path),
                    _strings(data, "name_nouns", path), _strings(data, "name_words", path),
                    _strings(data, "other_day_words", path))


_HOLIDAYS_FILE = settings.HOLIDAYS_FILE


# The holidays each date pattern was built from: a holiday it finds is looked up there.
_DATE_TABLES: "weakref.WeakKeyDictionary[re.Pattern, Holidays]" = weakref.WeakKeyDictionary()


@lru_cache(maxsize=16)
def date_pattern(path: Path | None = None, langs: frozenset = frozenset()) -> re.Pattern:
    """The date expressions a sentence is searched for: the built-in ones and the holidays
    of data/holidays.yaml, or of the holidays file `path` (group `holiday`, with an optional
    year `hy`). The pattern carries its file: resolve_date looks a holiday it found up in
    the same table (`_DATE_TABLES`). `langs`: the languages of data/lang/ whose dates are
    read too (geo._lang_dates: groups `x...`), for a report that has them."""
    from geo._lang_dates import grammar

    path = Path(path) if path is not None else _HOLIDAYS_FILE
    table = holidays(path)
    names = {a for h in table.by_alias.values() for a in h.aliases}
    # The file's name, hashed into a comment: two files never share one compiled pattern
    # (re.compile returns the same object for the same text).
    tag = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    # (the \b first: an alternative that opens with a lookbehind makes the search twice as slow)
    spoken = grammar(frozenset(langs) - {"en"})
    pattern = re.compile(_DATE_BUILTIN + rf"|\b(?P<holiday>{keyword_pattern(names, apostrophe=True)})"
                         rf"(?:,?\s+(?P<hy>(?:19|20)\d\d)\b)?(?#holidays {tag})"
                         + (f"|{spoken.source}" if spoken else ""), re.IGNORECASE)
    _DATE_TABLES[pattern] = table
    if spoken:
        _DATE_GRAMMARS[id(pattern)] = (pattern, spoken)
    return pattern


# The date grammar of the languages each pattern was built with (see geo._lang_dates), by the
# pattern's id: hashing a compiled pattern hashes its text, some 20 kB here, on every date.
# (The patterns are kept by date_pattern's cache and by the entry itself.)
_DATE_GRAMMARS: dict[int, tuple] = {}


def _spoken(m: re.Match):
    """The language grammar of a match of a language's date expression, else None."""
    entry = _DATE_GRAMMARS.get(id(m.re))
    if entry is None or entry[0] is not m.re:
        return None
    grammar = entry[1]
    from geo._lang_dates import is_language_match

    return grammar if is_language_match(m) else None


@lru_cache(maxsize=16)
def _guard(words: tuple[str, ...], before: str, after: str, flags: int = 0) -> re.Pattern:
    """A holiday guard of data/holidays.yaml as a regex: `words` between `before` and `after`."""
    return re.compile(before + keyword_pattern(words) + after, flags)


def _holiday(m: re.Match) -> Holiday | None:
    """The holiday a date match names, from the table its pattern was built from; None when
    it names none, or when the holiday is part of a name ("Nawroz University", "Hotel
    Nawroz"), another calendar's ("the Yazidi New Year Day") or another day ("Kurdish New
    Year's Eve")."""
    found = m.groupdict().get("holiday")
    if not found:
        return None
    table = _DATE_TABLES.get(m.re) or holidays()
    # the alias as found, apostrophes and spacing folded
    holiday = table.by_alias.get(_fold_holiday(found))
    if holiday is None:
        return None
    text, start, end = m.string, m.start("holiday"), m.end("holiday")
    if _guard(table.name_nouns, r"\s+(?:[A-Z][\w'’-]*\s+){0,2}", "").match(text, end) \
            or _guard(table.name_words, "", r"\s+$").search(text, max(0, start - 40), start) \
            or _guard(table.other_day_words, r"(?:['’]s)?\s+", "", re.IGNORECASE).match(text, end) \
            or _guard(holiday.other_calendars, "", r"[\s-]+$", re.IGNORECASE).search(text, max(0, start - 40), start) \
            or _in_person_name(text, start, end):
        return None
    return holiday


_WORD_AFTER = re.compile(r"\s+([A-Z][\w'’-]*?)(?:['’]s)?(?![\w'’-])")


def _in_person_name(text: str, start: int, end: int) -> bool:
    """Is the holiday's name someone's ("Nawroz Ahmed was killed", "Nawroz Ahmed's brother",
    "Karwan Newroz", "Brigadier General Nowruz", "Gen. Nawroz")? Kurdish men are often named
    after it: a given name of data/geoparse.yaml right after (possessive or not) or before it
    makes it a person, and so does what makes a place a person's name in the geoparser (a
    title before it, a role after it: geo.parse._in_person_name)."""
    from geo._geoparse_rules import geoparse_rules
    from geo.parse import _in_person_name as _geoparse_person, _prev_word

    given = geoparse_rules().given_names
    after = _WORD_AFTER.match(text, end)
    if after and after.group(1) in given:
        return True
    prev = _prev_word(text, start)
    if prev in given:
        return True
    if not prev and text[max(0, start - 2):start] == ". ":
        # "Gen. Nawroz": the word before the title's dot, for the geoparser's cheap test
        prev = _prev_word(text[:start - 2] + " ", start - 1)
    return _geoparse_person(text, start, end, prev)


def _number(word: str) -> int:
    """A count as written: "8" or "eight"."""
    return int(word) if word.isdigit() else NUMBER_WORDS.index(word.lower()) + 1


def _shift(m: re.Match) -> int | None:
    """Days from the event told before, for "a day earlier" (-1), "the next day" (+1),
    "two days later" (+2); None for any other expression."""
    spoken = _spoken(m)
    if spoken is not None:
        from geo._lang_dates import shift_of

        return shift_of(m, spoken)
    if m.group("before1"):
        return -1
    if m.group("after1"):
        return 1
    if m.group("shift"):
        days = _number(m.group("shift"))
        return days if m.group("shift_dir").lower() == "later" else -days
    return None


def date_of(m: re.Match, published: date | None, history_days: float,
            anchor: date | None = None) -> tuple[str, date | None]:
    """What a date expression says of an event: ("day", date), ("month", first day) for a
    recent month ("in December 2023" in January's paper), ("week", the day a week before
    publication) for "last week", ("history", None) for a month or year long before
    publication ("signed in October 2020"), ("bad", None) for an impossible date ("31
    February"), ("future", None) for a day counted from another that falls after publication
    ("the next day" in that day's paper), ("unknown", None) for a relative date with no
    published date, ("name", None) for a holiday that is no date here (part of a name,
    "Nawroz University", or another calendar's day, "the Yazidi New Year Day"). `anchor`:
    the day "a day earlier" / "the next day" counts from (None: the published date)."""
    try:
        return _date_of(m, published, history_days, anchor)
    except OverflowError:
        # Counted back or on from a published date at the calendar's edge ("0001-01-01",
        # "9999-12-31"): no such day exists, so the sentence is left undated, not the run.
        return "bad", None


def _date_of(m: re.Match, published: date | None, history_days: float,
             anchor: date | None = None) -> tuple[str, date | None]:
    spoken = _spoken(m)
    if spoken is not None:
        return _spoken_date_of(m, spoken, published, history_days, anchor)
    if m.group("holiday") and _holiday(m) is None:
        return "name", None
    found = resolve_date(m, published, anchor)
    if isinstance(found, _Period):
        if published is not None and (published - found.last).days > history_days:
            return "history", None
        if m.group("y4"):  # a bare year that is not history says too little to date by
            return "history" if published is None else "year", None
        return "month", found.first
    if found is None:
        relative = (m.group("weekday") or m.group("lastwd") or m.group("pw2")
                    or m.group("ago") or m.group("yesterday") or m.group("today")
                    or m.group("dby") or m.group("week") or _shift(m) is not None
                    or (m.group("holiday") and not m.group("hy")))
        if published is None and (relative or not (m.group("y1") or m.group("y2") or m.group("iy"))):
            return "unknown", None
        return "bad", None
    if _shift(m) is not None and published is not None and found > published:
        return "future", None
    if m.group("week"):
        return "week", found
    return "day", found


def _spoken_date_of(m: re.Match, spoken, published: date | None, history_days: float,
                    anchor: date | None) -> tuple[str, date | None]:
    """date_of for a date written in a language of data/lang/ (geo._lang_dates.resolve)."""
    from geo._lang_dates import resolve

    found = resolve(m, spoken, published, anchor)
    kind = found[0]
    if kind == "month":
        first, last = found[1], found[2]
        if published is not None and (published - last).days > history_days:
            return "history", None
        return "month", first
    if kind == "relative":
        return "unknown", None
    if kind == "day" and _shift(m) is not None and published is not None and found[1] > published:
        return "future", None
    if kind in ("day", "week"):
        return kind, found[1]
    return "bad", None


def resolve_date(m: re.Match, published: date | None, anchor: date | None = None):
    """The date a date expression means, counted back from `published` where relative; a
    month or a year is returned as a _Period; None when it cannot be told or is impossible.

    "last week" is the same weekday a week before publication: always a day of the previous
    calendar week, whatever the day of publication (ACLED codes such a date with time
    precision 2, "a specific week"); "Tuesday last week" is the Tuesday of that calendar week
    (weeks start on Monday), "last Tuesday" the latest Tuesday before the day of publication
    (a week back when published on a Tuesday). "A day earlier", "the next day", "two days later" count
    from `anchor` (the date of the event told before them), else from `published`. A
    fixed-date holiday without a year ("on Christmas Day") is the latest such day on or before
    publication, as "on 25 December" is."""
    if m.group("iy"):
        try:
            return date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        except ValueError:
            return None
    if m.group("m3"):
        month_n = _month_number(m.group("m3"))
        year = int(m.group("y3"))
        last = date(year + (month_n == 12), month_n % 12 + 1, 1) - timedelta(days=1)
        return _Period(date(year, month_n, 1), last)
    if m.group("y4"):
        year = int(m.group("y4"))
        return _Period(date(year, 1, 1), date(year, 12, 31))
    if m.group("ofweek") or m.group("pw2"):
        if published is None:
            return None
        monday = published - timedelta(days=published.weekday() + 7)  # of the week before
        return monday + timedelta(days=_WEEKDAYS.index((m.group("weekday") or m.group("pw2")).lower()))
    if m.group("weekday"):
        if published is None:
            return None
        back = (published.weekday() - _WEEKDAYS.index(m.group("weekday").lower())) % 7
        return published - timedelta(days=back)
    if m.group("lastwd"):
        if published is None:
            return None
        back = (published.weekday() - _WEEKDAYS.index(m.group("lastwd").lower()) - 1) % 7 + 1
        return published - timedelta(days=back)
    if m.group("ago"):
        back = _number(m.group("ago"))
        return published - timedelta(days=back) if published else None
    if m.group("dby"):
        return published - timedelta(days=2) if published else None
    if m.group("yesterday"):
        return published - timedelta(days=1) if published else None
    if m.group("today"):
        return published
    if m.group("week"):
        return published - timedelta(days=7) if published else None
    shift = _shift(m)
    if shift is not None:
        base = anchor if anchor is not None else published
        return base + timedelta(days=shift) if base else None
    holiday = _holiday(m)
    if m.groupdict().get("holiday"):
        if holiday is None:
            return None
        day, month_n, year = holiday.day, holiday.month, m.group("hy")
    else:
        day, month, year = ((m.group("d1"), m.group("m1"), m.group("y1")) if m.group("d1")
                            else (m.group("d2"), m.group("m2"), m.group("y2")))
        month_n = _month_number(month)
    try:
        if year:
            return date(int(year), month_n, int(day))
        if published is None:
            return None
        # No year: the latest such day on or before publication.
        found = date(published.year, month_n, int(day))
        return found if found <= published else date(published.year - 1, month_n, int(day))
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name.rstrip(".").lower()[:3]))


# --- the date of each event sentence --------------------------------------------------------

def _sentence_dates(rules: _DateRules, report: Report, spans, triggers: dict, trigger_at: dict,
                    reactions: set[int], located: set[int]):
    """The date of each event sentence (index -> date, or None when it cannot be told), the
    note each date needs, and the sentences dated only by a statement ("said on Wednesday").
    Adds to `reactions` the sentences that tell history ("signed in October 2020").

    Sentences are dated in text order, so that "a day earlier", "the next day", "two days
    later" count from the nearest event sentence before them that has a date: news tells a
    story in its own time ("Clashes broke out on Monday. The next day ..."), and the day of
    writing is the reference only for words that name it ("yesterday"). With no dated event
    before it, such a phrase counts from the published date, with a warning; counted from a
    date known only to the week, it is known only as well; from a date known only to the
    month, it is that month (its first day). Dates in quoted speech come last."""
    body = report.body
    published = report.published
    pattern = date_pattern(langs=rules.langs)
    dateline = report.dateline_span or (0, 0)
    dates: dict[int, date | None] = {}
    date_notes: dict[int, str] = {}
    precision: dict[int, str] = {}  # "day", "week" or "month", for what counts from them
    stated: set[int] = set()
    last: int | None = None  # the nearest dated event sentence so far (not a reaction)
    for k in sorted(triggers):  # only event sentences need their date
        statement: date | None = None
        has_statement = False
        counted: re.Match | None = None  # "the next day": used when nothing else dates it
        unknown = False  # a relative date seen, with no published date
        for m in _quoted_last(body, spans[k], pattern.finditer(body, *spans[k])):
            if dateline[0] <= m.start() < dateline[1] + 40 and m.start() < trigger_at[k] \
                    and _in_dateline(body, dateline, m):
                continue  # "KIRKUK, Iraq, Jan 8 (Reuters) -": the day it was written
            if m.start() < trigger_at[k] and _opens_dateline(body, m):
                continue  # "Baghdad [Iraq], November 30 (ANI):" the reader did not take for one
            if m.group("holiday") and rules.holiday_reference.search(body, max(0, m.start() - 40), m.start()):
                continue  # "ahead of Nowruz": a point of reference, not the day
            if m.group("holiday") and _holiday(m) is None:
                continue  # "Nawroz University", "the Yazidi New Year Day": no date here
            speech = rules.speech.search(body[max(0, m.start() - 50):m.start()]) or (
                rules.speech_after is not None and rules.speech_after.search(body[m.end():m.end() + 40]))
            if _shift(m) is not None:
                if counted is None and not speech:
                    counted = m
                continue
            kind, when = date_of(m, published, rules.history_days)
            if kind == "history":
                reactions.add(k)  # "the agreement signed in October 2020": background
                break
            if kind in ("bad", "year"):
                date_notes[k] = f"date {m.group().strip()!r} ignored" + \
                    (" (no such day)" if kind == "bad" else " (a year only)")
                continue
            if kind == "unknown" and not speech and has_statement and statement is not None:
                # No published date, but the sentence dates its statement: "the source said on
                # Saturday (13 August 2022) that gunmen infiltrated this evening": counted from
                # the statement's day.
                kind, when = date_of(m, statement, rules.history_days)
                if kind in ("day", "week", "month"):
                    date_notes[k] = (f"{m.group().strip()!r} counted from the date of the statement "
                                     f"(no published date)")
            if kind == "unknown" and not speech:
                # "on Monday (25 April 2016)" with no published date: the full date after
                # the weekday says the day; the weekday alone would leave it unknown.
                unknown = True
                continue
            if speech:
                # "said on Wednesday": the date of the statement, used only when the
                # sentence also says where something happened ("as reported on 13 March,
                # airstrikes hit X in Y").
                if not has_statement or (statement is None and when is not None):
                    # (a weekday with no published date says nothing; the full date after it does)
                    statement, has_statement = when, True
                continue
            dates[k] = when
            precision[k] = kind if kind in ("week", "month") else "day"
            if kind == "month":
                date_notes[k] = f"only the month is known ({m.group().strip()}): dated to its first day"
            elif kind == "week":
                date_notes[k] = (f"only the week is known ({m.group().strip()}): dated a week "
                                 f"before publication")
            break
        if k not in dates and k not in reactions and unknown:
            dates[k] = None  # a relative date, and no published date to count from
            precision[k] = "day"
        if k not in dates and k not in reactions and counted is not None:
            phrase = counted.group().strip()
            anchor = dates[last] if last is not None else None
            kind, when = date_of(counted, published, rules.history_days,
                                 anchor=anchor if last is not None else None)
            if last is not None and anchor is not None and precision[last] == "month":
                # days counted from a day known only to its month: that month, no more
                dates[k] = anchor
                precision[k] = "month"
                date_notes[k] = (f"only the month is known ({phrase!r} counted from an event "
                                 f"dated only to its month): dated to its first day")
            elif kind == "future" and last is None:
                # nothing before it dates an event: counted from the day of writing instead
                told = _date_told_before(pattern, body, spans[k][0], dateline)
                date_notes[k] = (f"date {phrase!r} ignored: "
                                 + (f"the date before it ({told!r}) dates no event, so it counted "
                                    if told else "no dated event before it, so it counted ")
                                 + "from the published date and fell after it")
            elif kind == "future":
                date_notes[k] = f"date {phrase!r} ignored (after the published date)"
            elif last is not None and anchor is None:
                dates[k] = None  # counted from an event whose own date is unknown
                precision[k] = "day"
            elif kind in ("day", "unknown"):
                dates[k] = when
                precision[k] = precision[last] if last is not None else "day"
                if last is None and when is not None:
                    date_notes[k] = f"{phrase!r} counted from the published date: no dated event before it"
                elif precision[k] != "day":
                    date_notes[k] = (f"only the {precision[k]} is known ({phrase!r} counted from "
                                     f"an event dated only to its {precision[k]})")
        if k not in dates and has_statement and k in located:
            dates[k] = statement
            precision[k] = "day"
            stated.add(k)
        if k in dates and k not in reactions:
            last = k
    return dates, date_notes, stated


_QUOTE = re.compile(r"[\"“”]")


def _quoted_last(body: str, span: tuple[int, int], matches: Iterable[re.Match]) -> Iterable[re.Match]:
    """The date matches of a sentence, those inside quoted speech ("“...”", '"..."') after the
    others: '"The same thing happened last week," the mayor said, after an IED exploded on
    Thursday' is dated by Thursday; a quote dates the event only when nothing outside it does.
    A straight quote opens after a space, a bracket or a dash (or at the sentence start) and
    closes otherwise; a quote still open runs to the sentence end, one closed with none open
    from the sentence start."""
    start, end = span
    quoted: list[tuple[int, int]] = []
    opened: int | None = None
    for q in _QUOTE.finditer(body, start, end):
        i, ch = q.start(), q.group()
        if opened is None and (ch == "“" or (ch == '"' and (i == start or body[i - 1].isspace()
                                                             or body[i - 1] in "([—–-"))):
            opened = i
        elif ch != "“":
            quoted.append((start if opened is None else opened, i + 1))
            opened = None
    if opened is not None:
        quoted.append((opened, end))
    if not quoted:
        return matches
    return sorted(matches, key=lambda m: any(a <= m.start() < b for a, b in quoted))


def _date_told_before(pattern: re.Pattern, body: str, offset: int, dateline: tuple[int, int]) -> str | None:
    """The last date told before `offset` (not the dateline's, not a count of days), as
    written: what a reader would take "the next day" to count from."""
    found = None
    for m in pattern.finditer(body, 0, offset):
        if _shift(m) is None and not (m.group("holiday") and _holiday(m) is None) \
                and not _in_dateline(body, dateline, m):
            found = m.group().strip()
    return found


# A dateline opening a paragraph: a place (and its country in brackets or after a comma),
# then the date, then the agency in brackets and a colon or dash.
_DATELINE_BEFORE = re.compile(r"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2}(?:[ \t]*\[[^\]\n]{1,30}\])?"
                              r"(?:,[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})?,[ \t]*$")
_DATELINE_AFTER = re.compile(r"[ \t]*\([^)\n]{1,40}\)[ \t]*[:–—-]")


def _opens_dateline(body: str, m: re.Match) -> bool:
    """Is date `m` in a dateline at a paragraph's start ("Baghdad [Iraq], November 30
    (ANI/Xinhua): ...")?"""
    line = body.rfind("\n", 0, m.start()) + 1
    return m.start() - line <= 60 and bool(_DATELINE_BEFORE.fullmatch(body, line, m.start())) \
        and bool(_DATELINE_AFTER.match(body, m.end()))


def _in_dateline(body: str, span: tuple[int, int], m: re.Match) -> bool:
    """Is date `m` part of the dateline ("KIRKUK, Iraq, Jan 8 (Reuters) -"): in its span, or
    between it and the dash that closes it?"""
    if span[0] <= m.start() < span[1]:
        return True
    return bool(re.match(r"[\s,]*(?:\([^)]{1,40}\))?\s*[-–—]", body[m.end():m.end() + 50]))
