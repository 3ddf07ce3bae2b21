"""Event dates: regressions for holidays inside names and other calendars' new years, weekdays
of last week, quoted speech, "the day before X", days counted from a month, counts past
seven, the warning of a count from the published date, data/holidays.yaml checks, and a
custom holidays file; the fast date scan finds what the plain pattern finds.

Published Saturday 11 May 2024 unless the row says otherwise. Each row of a table: the report
text, then (event_date, place_id, warnings) of every event, in text order."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from geo._errors import ReportError
from geo._geoparse_rules import keyword_pattern
from geo.events import (NUMBER_WORDS, date_of, date_pattern, events_from_reports, holidays,
                        resolve_date)
from geo.reports import Report

SATURDAY = date(2024, 5, 11)
TUESDAY = date(2024, 5, 7)
NO_DATE = "no date in the event's sentences: the published date is used"


def report(body: str, published: date | None = SATURDAY, rid: str = "r") -> Report:
    return Report(id=rid, title="t", published=published, source="Test", url=None, dateline=None,
                  body=body, path="<test>")


def dated(text: str, published: date | None = SATURDAY) -> list[tuple]:
    events = events_from_reports([report(text, published)]).events
    return [(e["event_date"], e["place_id"], e["warnings"]) for e in events.to_dict(orient="records")]


def table(rows):
    return pytest.mark.parametrize("text, published, expected", rows, ids=[r[0][:60] for r in rows])


# --- 1. a holiday inside a place's or a person's name is no date -------------------------------

NAMES = [
    ("An IED exploded near Nawroz University in Duhok.", SATURDAY,
     [("2024-05-11", "duhok", NO_DATE)]),
    ("An IED exploded on Newroz Street in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen attacked a checkpoint near Newroz Square in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # one or two capitalised words between the holiday and the noun: still a name
    ("An IED exploded near the Nawroz Teaching Hospital in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # a capitalised word before it that makes it a name
    ("Gunmen attacked the Hotel Nawroz in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # a person named after it: a given name after or before it, or a title before it
    ("Gunmen killed Nawroz Ahmed in Kirkuk.", SATURDAY, [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen killed Karwan Newroz in Kirkuk.", SATURDAY, [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen killed Mayor Nawroz in Kirkuk.", SATURDAY, [("2024-05-11", "kirkuk", NO_DATE)]),
    # ... but the holiday itself is still the day, the noun lower case or after other words
    ("Protesters gathered in Kirkuk on Nawroz.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
    ("Protesters gathered in Kirkuk on Newroz Day.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
    ("An IED exploded near a school in Kirkuk on Nowruz.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
]


@table(NAMES)
def test_a_holiday_inside_a_name_is_no_date(text, published, expected):
    assert dated(text, published) == expected


# --- 2. other calendars' new years ----------------------------------------------------------------

NEW_YEARS = [
    ("Gunmen attacked a checkpoint in Sinjar on the Yazidi New Year Day.", SATURDAY,
     [("2024-05-11", "sinjar", NO_DATE)]),
    ("Gunmen attacked a checkpoint in Kirkuk on Islamic New Year's Day.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen attacked a checkpoint in Kirkuk on the Hijri New Year’s Day.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk on Orthodox Christmas Day.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # the Kurdish New Year is Nowruz, a holiday of the list: dated as Nowruz
    ("Gunmen attacked a checkpoint in Kirkuk on Kurdish New Year's Day.", SATURDAY,
     [("2024-03-21", "kirkuk", "")]),
    ("Gunmen attacked a checkpoint in Kirkuk on the Kurdish New Year.", SATURDAY,
     [("2024-03-21", "kirkuk", "")]),
    # ... but its eve is another day, not listed: undated
    ("Gunmen attacked a checkpoint in Kirkuk on Kurdish New Year's Eve.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # "Kurdish" qualifies no other calendar's Nowruz; the Gregorian new year is still dated
    ("Gunmen attacked a checkpoint in Kirkuk during the Kurdish Nowruz celebrations.", SATURDAY,
     [("2024-03-21", "kirkuk", "")]),
    ("Gunmen attacked a checkpoint in Kirkuk on New Year's Day.", SATURDAY,
     [("2024-01-01", "kirkuk", "")]),
]


@table(NEW_YEARS)
def test_other_calendars_new_years(text, published, expected):
    assert dated(text, published) == expected


# --- 3. weekdays of last week; "last Tuesday" --------------------------------------------------

WEEKS = [
    ("An IED exploded in Kirkuk on Tuesday last week.", SATURDAY, [("2024-04-30", "kirkuk", "")]),
    ("An IED exploded in Kirkuk on Monday of last week.", SATURDAY, [("2024-04-29", "kirkuk", "")]),
    ("An IED exploded in Kirkuk last week on Sunday.", SATURDAY, [("2024-05-05", "kirkuk", "")]),
    ("An IED exploded in Kirkuk on Tuesday last week.", date(2024, 5, 12),  # a Sunday
     [("2024-04-30", "kirkuk", "")]),
    # "last Tuesday": the latest Tuesday before the day of publication
    ("An IED exploded in Kirkuk last Tuesday.", SATURDAY, [("2024-05-07", "kirkuk", "")]),
    ("An IED exploded in Kirkuk last Saturday.", SATURDAY, [("2024-05-04", "kirkuk", "")]),
    ("An IED exploded in Kirkuk last Tuesday.", TUESDAY, [("2024-04-30", "kirkuk", "")]),
    ("An IED exploded in Kirkuk on Tuesday.", TUESDAY, [("2024-05-07", "kirkuk", "")]),
    # "last week" alone is still a week
    ("An IED exploded in Kirkuk last week.", SATURDAY,
     [("2024-05-04", "kirkuk", "only the week is known (last week): dated a week before publication")]),
]


@table(WEEKS)
def test_weekdays_of_last_week(text, published, expected):
    assert dated(text, published) == expected


# --- 4. quoted speech does not date the event when a date outside the quotes does ----------------

QUOTES = [
    ('"The same thing happened last week," the mayor said, after an IED exploded in Kirkuk on Thursday.',
     SATURDAY, [("2024-05-09", "kirkuk", "")]),
    ("“We have had no attack since Monday,” the mayor said after gunmen attacked a checkpoint "
     "in Daquq on Wednesday.", SATURDAY, [("2024-05-08", "daquq", "")]),
    ('An IED exploded in Kirkuk on Thursday, "exactly like last week," the mayor said.',
     SATURDAY, [("2024-05-09", "kirkuk", "")]),
    # the only date of the sentence is in the quote: it dates the event
    ('"Gunmen attacked our checkpoint in Daquq on Monday," the mayor said.',
     SATURDAY, [("2024-05-06", "daquq", "")]),
]


@table(QUOTES)
def test_quoted_speech_does_not_date_the_event(text, published, expected):
    assert dated(text, published) == expected


# --- 5. "the day before X" counts from X, not from the event before ------------------------------

DAY_BEFORE = [
    ("An IED exploded in Kirkuk on Monday. The day before the elections, gunmen attacked a "
     "checkpoint in Daquq.", SATURDAY,
     [("2024-05-06", "kirkuk", ""), ("2024-05-11", "daquq", NO_DATE)]),
    ("An IED exploded in Kirkuk on Monday. The day after the funeral, gunmen attacked a "
     "checkpoint in Daquq.", SATURDAY,
     [("2024-05-06", "kirkuk", ""), ("2024-05-11", "daquq", NO_DATE)]),
    # no object: punctuation or the sentence end after it
    ("An IED exploded in Kirkuk on Monday. The day after, gunmen attacked a checkpoint in Daquq.",
     SATURDAY, [("2024-05-06", "kirkuk", ""), ("2024-05-07", "daquq", "")]),
    ("An IED exploded in Kirkuk on Monday. Gunmen attacked a checkpoint in Daquq the day before.",
     SATURDAY, [("2024-05-06", "kirkuk", ""), ("2024-05-05", "daquq", "")]),
]


@table(DAY_BEFORE)
def test_the_day_before_something(text, published, expected):
    assert dated(text, published) == expected


# --- 6. days counted from a date known only to its month: that month ----------------------------

MONTH_ONLY = "only the month is known (April 2024): dated to its first day"
COUNTED_MONTH = ("only the month is known ('Two days later' counted from an event dated only to "
                 "its month): dated to its first day")

MONTHS = [
    ("ISIS attacked a checkpoint in Daquq in April 2024. Two days later, an IED exploded in Kirkuk.",
     SATURDAY, [("2024-04-01", "daquq", MONTH_ONLY), ("2024-04-01", "kirkuk", COUNTED_MONTH)]),
    # an explicit date in the counted sentence still wins
    ("ISIS attacked a checkpoint in Daquq in April 2024. Two days later, on 20 April, an IED "
     "exploded in Kirkuk.", SATURDAY, [("2024-04-01", "daquq", MONTH_ONLY), ("2024-04-20", "kirkuk", "")]),
]


@table(MONTHS)
def test_days_counted_from_a_month(text, published, expected):
    assert dated(text, published) == expected


# --- 7. counts past seven: one list of number words -----------------------------------------------

COUNTS = [
    ("ISIS attacked a checkpoint in Daquq on 2 May. Eight days later, an IED exploded in Kirkuk.",
     SATURDAY, [("2024-05-02", "daquq", ""), ("2024-05-10", "kirkuk", "")]),
    ("ISIS attacked a checkpoint in Daquq on 2 May. Twelve days earlier, an IED exploded in Kirkuk.",
     SATURDAY, [("2024-05-02", "daquq", ""), ("2024-04-20", "kirkuk", "")]),
    ("An IED exploded in Kirkuk ten days ago.", SATURDAY, [("2024-05-01", "kirkuk", "")]),
    ("An IED exploded in Kirkuk eleven days ago.", SATURDAY, [("2024-04-30", "kirkuk", "")]),
]


@table(COUNTS)
def test_counts_past_seven(text, published, expected):
    assert dated(text, published) == expected


@pytest.mark.parametrize("n, word", list(enumerate(NUMBER_WORDS, 1)))
def test_every_number_word_counts(n, word):
    assert NUMBER_WORDS[:12] == ("one", "two", "three", "four", "five", "six", "seven", "eight",
                                 "nine", "ten", "eleven", "twelve")
    later = date_pattern().search(f"{word.capitalize()} days later")
    assert resolve_date(later, SATURDAY, anchor=date(2024, 4, 1)) == date(2024, 4, 1 + n)
    ago = date_pattern().search(f"killed {word} days ago")
    assert resolve_date(ago, SATURDAY) == SATURDAY - timedelta(days=n)


# --- 8. the warning says why a counted day fell after publication ------------------------------

AFTER = [
    # the dated sentence before it tells no event: counted from the published date
    ("Monday was quiet in Kirkuk. The next day, an IED exploded in Daquq.", SATURDAY,
     [("2024-05-11", "daquq", "date 'The next day' ignored: the date before it ('Monday') dates no "
                              "event, so it counted from the published date and fell after it; " + NO_DATE)]),
    ("The next day, an IED exploded in Daquq.", SATURDAY,
     [("2024-05-11", "daquq", "date 'The next day' ignored: no dated event before it, so it counted "
                              "from the published date and fell after it; " + NO_DATE)]),
    # counted from a dated event that is the day of writing: after publication indeed
    ("An IED exploded in Kirkuk today. The next day a rocket hit Tuz Khurmatu.", SATURDAY,
     [("2024-05-11", "kirkuk", ""),
      ("2024-05-11", "tuz-khurmatu", "date 'The next day' ignored (after the published date); " + NO_DATE)]),
]


@table(AFTER)
def test_why_a_counted_day_is_ignored(text, published, expected):
    assert dated(text, published) == expected


# --- resolve_date and date_of on the new phrases ------------------------------------------------

@pytest.mark.parametrize("published, phrase, expected", [
    (SATURDAY, "on Tuesday last week", date(2024, 4, 30)),
    (SATURDAY, "Tuesday, last week", date(2024, 4, 30)),
    (date(2024, 5, 6), "on Sunday last week", date(2024, 5, 5)),    # a Monday: yesterday
    (date(2024, 5, 5), "on Monday last week", date(2024, 4, 22)),   # a Sunday: 13 days back
    (SATURDAY, "last Friday", date(2024, 5, 10)),
    (SATURDAY, "last Saturday", date(2024, 5, 4)),
    (None, "last Tuesday", None),
    (None, "Tuesday last week", None),
    (SATURDAY, "near Nawroz University", None),
    (SATURDAY, "on the Yazidi New Year Day", None),
    (SATURDAY, "on Kurdish New Year's Day", date(2024, 3, 21)),
    (SATURDAY, "on New Years Day", date(2024, 1, 1)),
    (SATURDAY, "on New Year’s Day", date(2024, 1, 1)),
])
def test_resolve_new_phrases(published, phrase, expected):
    assert resolve_date(date_pattern().search(phrase), published) == expected


@pytest.mark.parametrize("phrase, kind", [
    ("near Nawroz University", "name"), ("on Islamic New Year's Day", "name"),
    ("on Tuesday last week", "day"), ("last Tuesday", "day"), ("last week", "week"),
])
def test_date_of_new_phrases(phrase, kind):
    assert date_of(date_pattern().search(phrase), SATURDAY, 62)[0] == kind


@pytest.mark.parametrize("phrase", ["the day before the elections", "the day after the funeral",
                                    "the day before Kurdish forces withdrew"])
def test_the_day_before_an_object_is_no_count(phrase):
    m = date_pattern().search(phrase)
    assert m is None or (not m.group("before1") and not m.group("after1"))


# --- 9. data/holidays.yaml checks -----------------------------------------------------------------

BAD_FILES = [
    ("holidays:\n  - {name: X, aliases: [X Day], month: 2, day: 30}\n",
     "holidays.yaml:2: field 'day': 2/30 is not a day of every year"),
    ("holidays:\n  - {name: X, aliases: [X Day], month: 2, day: 29}\n",
     "holidays.yaml:2: field 'day': 2/29 is not a day of every year"),
    ("holidays:\n  - {name: A, aliases: [A], month: 1, day: 1}\n  - {name: X, aliases: [], month: 1, day: 2}\n",
     "holidays.yaml:3: field 'aliases': expected a non-empty list of names"),
    ("holidays:\n  - {aliases: [X], month: 1, day: 2}\n", "holidays.yaml:2: field 'name' is empty"),
    ("holidays:\n  - {name: X, aliases: [X], month: March, day: 2}\n",
     "holidays.yaml:2: field 'month': expected a whole number, not 'March'"),
    ("holidays:\n  - {name: A, aliases: [Newroz], month: 3, day: 21}\n"
     "  - {name: B, aliases: [newroz], month: 3, day: 20}\n",
     "holidays.yaml:3: field 'aliases': 'newroz' is also an alias of 'A'"),
    ("holidays:\n  - {name: X, aliases: [X Day], month: 13, day: 1}\n",
     "holidays.yaml:2: field 'month': 13 is not a month (1 to 12)"),
    ("holidays:\n  - {name: X, aliases: [X Day], month: 0, day: 1}\n",
     "holidays.yaml:2: field 'month': 0 is not a month (1 to 12)"),
    ("holidays:\n  - {name: X, aliases: [X Day], month: 4, day: 31}\n",
     "holidays.yaml:2: field 'day': 4/31 is not a day of every year"),
    ("holidays:\n  - {name: X, aliases: [X Day], mnth: 3, month: 3, day: 1}\n",
     "holidays.yaml:2: field 'mnth': unknown field (expected name, aliases, month, day, "
     "other_calendars, source)"),
    # a block mapping: the line of the field itself
    ("holidays:\n  - name: X\n    aliases: [X Day]\n    month: 3\n    mnth: 3\n    day: 1\n",
     "holidays.yaml:5: field 'mnth': unknown field (expected name, aliases, month, day, "
     "other_calendars, source)"),
    ("holidays:\n  - name: X\n    aliases: [X Day]\n    month: 13\n    day: 1\n",
     "holidays.yaml:4: field 'month': 13 is not a month (1 to 12)"),
    ("holidays: []\nreference_word: [before]\n",
     "holidays.yaml:2: field 'reference_word': unknown field (expected holidays, reference_words, "
     "name_nouns, name_words, other_day_words)"),
    ("holidays:\n  - {name: X, aliases: [X Day, Y, X Day], month: 1, day: 2}\n",
     "holidays.yaml:2: field 'aliases': 'X Day' is listed twice"),
    ("holidays:\n  - name: X\n    aliases:\n      - X's Day\n      - Y\n      - xs day\n    month: 1\n    day: 2\n",
     "holidays.yaml:6: field 'aliases': 'xs day' is listed twice as \"X's Day\" (case and "
     "apostrophes are ignored)"),
    # the same holiday twice
    ("holidays:\n  - {name: X, aliases: [X Day], month: 1, day: 2}\n"
     "  - {name: X, aliases: [X Day], month: 1, day: 2}\n",
     "holidays.yaml:3: field 'aliases': 'X Day' is also an alias of 'X'"),
    ("holidays:\n  - {name: X, aliases: [X Day], month: 1, day: 2, other_calendars: Yazidi}\n",
     "holidays.yaml:2: field 'other_calendars': expected a list of words"),
]


@pytest.mark.parametrize("text, message", BAD_FILES, ids=[m.split(": ", 1)[1][:50] for _, m in BAD_FILES])
def test_bad_holiday_files(tmp_path, text, message):
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        holidays(path)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_the_built_in_guards():
    table = holidays()
    assert table.by_alias["kurdish new year"].name == "Nowruz"
    assert {"University", "Street", "Square", "Park", "Hospital", "School"} <= set(table.name_nouns)
    assert {"Yazidi", "Islamic", "Hijri", "Kurdish", "Persian", "Assyrian", "Chinese", "Orthodox"} \
        <= set(table.by_alias["new years day"].other_calendars)
    # Iran's Nowruz is the equinox (20 or 21 March): not dated; the Kurdish one is Iraq's 21st
    assert table.by_alias["nowruz"].other_calendars == ("Iranian", "Persian")


# --- 10. a custom holidays file: the pattern and the look-up read the same file ------------------

def write(tmp_path: Path, name: str, day: int) -> Path:
    path = tmp_path / name
    path.write_text(f"holidays:\n  - {{name: Army Day, aliases: [Army Day], month: 1, day: {day}}}\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("day", [6, 7])
def test_a_custom_holidays_file(tmp_path, day):
    path = write(tmp_path, f"h{day}.yaml", day)
    m = date_pattern(path).search("Iraqi forces paraded on Army Day.")
    assert m.group("holiday") == "Army Day"
    assert resolve_date(m, SATURDAY) == date(2024, 1, day)
    assert date_of(m, SATURDAY, 62) == ("day", date(2024, 1, day))
    assert date_pattern().search("on Army Day") is None  # not a built-in holiday


def test_two_files_with_the_same_names_keep_their_own_days(tmp_path):
    six, seven = date_pattern(write(tmp_path, "a.yaml", 6)), date_pattern(write(tmp_path, "b.yaml", 7))
    assert six is not seven
    assert resolve_date(six.search("on Army Day"), SATURDAY) == date(2024, 1, 6)
    assert resolve_date(seven.search("on Army Day"), SATURDAY) == date(2024, 1, 7)
    assert resolve_date(date_pattern().search("on Nowruz"), SATURDAY) == date(2024, 3, 21)


# --- 11. keyword_pattern builds the holiday alternation ----------------------------------------

@pytest.mark.parametrize("text, apostrophe, found", [
    ("on New Year's Day", True, "New Year's Day"),
    ("on New Year’s Day", True, "New Year’s Day"),
    ("on New Years  Day", True, "New Years  Day"),
    ("on New Year's Day", False, "New Year's Day"),   # the default: the word as written
    ("on New Years Day", False, None),
    ("on New Year’s Day", False, None),
])
def test_keyword_pattern_apostrophes(text, apostrophe, found):
    m = re.search(keyword_pattern(["New Year's Day"], apostrophe=apostrophe), text)
    assert (m.group() if m else None) == found


def test_keyword_pattern_is_unchanged_by_default():
    assert keyword_pattern(["a b", "ab*"]) == r"(?<![\w-])(?:a\s+b|ab\w*)(?![\w])"
    assert keyword_pattern(["New Year's"]) == r"(?<![\w-])(?:New\s+Year's)(?![\w])"
    assert keyword_pattern([]) == r"(?!x)x"


# --- 11. review regressions: possessive person names, Iran's Nowruz, "this year's Nowruz" -----

PERSONS = [
    # a person named after the holiday, possessive: the given name after it still makes a person
    ("Nawroz Ahmed's brother was killed when an IED exploded in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Nawroz Ahmed’s brother was killed when an IED exploded in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen killed Karwan Newroz's brother in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # titles as the geoparser reads them: several words, "Gen." forms
    ("Gunmen killed Gen. Nawroz in Kirkuk.", SATURDAY, [("2024-05-11", "kirkuk", NO_DATE)]),
    ("Gunmen killed Brigadier General Nawroz in Kirkuk.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # ... the holiday itself, possessive, is still the day
    ("An IED exploded in Kirkuk on Nawroz.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
]


@table(PERSONS)
def test_a_person_named_after_a_holiday_is_no_date(text, published, expected):
    assert dated(text, published) == expected


IRANS_NOWRUZ = [
    ("An IED exploded in Kirkuk on the Iranian Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk on the Persian Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk on Persian Newroz Day.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk on the Kurdish Nowruz.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
    ("An IED exploded in Kirkuk on Nowruz.", SATURDAY, [("2024-03-21", "kirkuk", "")]),
]


@table(IRANS_NOWRUZ)
def test_irans_nowruz_is_no_date(text, published, expected):
    assert dated(text, published) == expected


REFERENCES = [
    ("An IED exploded in Kirkuk ahead of this year's Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk ahead of this year’s Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk two weeks after last year's Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk ahead of next year's Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk ahead of this Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk, the first since last Nowruz.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    ("An IED exploded in Kirkuk ahead of the Nowruz holiday.", SATURDAY,
     [("2024-05-11", "kirkuk", NO_DATE)]),
    # no reference word: this year's Nowruz is the day
    ("Protesters gathered in Kirkuk on this year's Nowruz.", SATURDAY,
     [("2024-03-21", "kirkuk", "")]),
]


@table(REFERENCES)
def test_a_holiday_after_this_years_is_a_reference_point(text, published, expected):
    assert dated(text, published) == expected


# geo.events re-exports the date names its callers import, and no unused ones.
@pytest.mark.parametrize("name, exported", [
    ("holidays", True), ("date_of", True), ("date_pattern", True), ("resolve_date", True),
    ("NUMBER_WORDS", True), ("Holiday", False), ("Holidays", False),
])
def test_the_date_names_geo_events_re_exports(name, exported):
    import geo.events

    assert hasattr(geo.events, name) == exported
