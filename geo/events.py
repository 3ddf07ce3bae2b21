"""Events: from parsed reports to ACLED / UCDP-style event records, one GeoDataFrame row each.

A sentence is an event sentence when a keyword of `data/event_rules.yaml` occurs in it (the
first matching rule gives the ACLED type and sub-type). It becomes an event when it is also
anchored: it names a date ("on Tuesday", "on 4 October", "yesterday", not the date of a
statement: "said on Wednesday") or a place where something happened ("in X", "near X").
Dated sentences of one type and date make one event; undated sentences that name a place
join the dated event of their type, or stand alone with the published date and a warning;
sentences with neither join an event of their type only when their rule says `joins: true`
("the officials agreed to ..." after a meeting), else they are background ("the air force
routinely conducts airstrikes") and make no event.

The event's place is chosen among its sentences' places, never the dateline (the place of
writing) nor a destination ("fled toward X"): first a place that is not merely the container
of the one before ("Chamchamal in Sulaymaniyah"), not an origin ("a delegation from X"), local
rather than a governorate, not a landmark ("north of X"), after a locative word ("in",
"near", "visited"), then the most specific (a town before a sector, a sector before a
governorate). A place far from its container ("al-Rumaitha in Muqdadiya" resolved to the
Rumaythah of Muthanna) is a namesake and is dropped. Its precision follows ACLED's
`geo_precision` (1 town, 2 near a town or a small area, 3 a large region) and UCDP GED's
`where_prec` (1 exact ... 6 country).

Relative dates (geo._dates) are resolved against the published date: a weekday is the latest
such day on or before publication (news convention: "on Tuesday" in Saturday's paper is four
days back); "last week" is a week before publication, with a warning that only the week is
known (ACLED's time precision 2). "A day earlier", "the next day", "two days later" count from
the nearest dated event sentence before them (else from the published date, with a warning).
Fixed-date holidays of data/holidays.yaml ("Christmas Day", "Nowruz") are the latest such day
on or before publication; moveable ones (Eid) are not dated.
An event with no resolvable place keeps its row, with no geometry and a warning.

`iter_events(inputs)` streams: one report at a time, and for many files two worker processes.
"""
from __future__ import annotations

import json
import os
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from geo import settings
# Dates are a module of their own; the names tests and notebooks used from here still import.
from geo._dates import (NUMBER_WORDS, _MONTHS, _sentence_dates, date_of, date_pattern,  # noqa: F401
                        holidays, resolve_date)
from geo._geoparse_rules import EventRule, actors, event_rules, keyword_pattern
from geo._text import is_abbreviation
from geo._values import plain
from geo.parse import SETTLEMENTS, Mention, ParseResult, geoparse
from geo.reports import Report, ReportIds, iter_report_files, read_reports
from geo.schema import EVENT_COLUMNS, MENTION_COLUMNS

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

# Specificity of a place as an event location: lower is better.
_SPECIFICITY = {t: i for i, t in enumerate((
    "city", "site", "military_base", "dam", "sector", "command_area",
    "subdistrict", "district", "valley", "mountain", "lake", "river", "front", "governorate",
    "region", "country"))}
# A village, a town and a city are equally precise: the first one named wins.
_SPECIFICITY.update(dict.fromkeys(("village", "town", "city"), 0))
# ACLED geo_precision and UCDP where_prec by place type (settlements: 1, or 2 when "near").
_GEO_PRECISION = {**dict.fromkeys(("city", "town", "village"), 1),
                  **dict.fromkeys(("site", "military_base", "dam", "sector", "command_area",
                                   "subdistrict", "district"), 2),
                  **dict.fromkeys(("valley", "mountain", "lake", "river", "front", "governorate",
                                   "region", "country"), 3)}
_WHERE_PREC = {**dict.fromkeys(("city", "town", "village"), 1),
               **dict.fromkeys(("site", "military_base", "dam", "sector", "command_area",
                                "subdistrict"), 2),
               "district": 3, "governorate": 4,
               **dict.fromkeys(("valley", "mountain", "lake", "river", "front", "region"), 5),
               "country": 6}

# A sentence ends at . ! ? followed by a space and a capital (or a quote), or at a blank line.
# A line that wraps inside a paragraph does not end a sentence; a blank line does.
# A list item ("- On Sunday, ...", "2) ...") starts a sentence of its own.
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\u0600-\u06FF])|\n[ \t]*\n"
                           r"|\n(?=[ \t]*(?:[-*•‣▪–]|\d{1,2}[.)])[ \t]+)")


@dataclass
class _Draft:
    """One event while it is being built: its sentences, rule, date and place."""

    rule: EventRule
    sentences: list[tuple[int, int]]
    event_date: date | None
    dated: bool
    place: Mention | None = None
    near: bool = False
    warnings: list[str] = field(default_factory=list)
    trigger: int | None = None  # offset of the anchor sentence's keyword (who did what to whom)
    claim: bool = False  # told as someone's claim ("X said it had targeted ...")


@dataclass
class EventsResult:
    """Events and mentions of a set of reports.

    `events` and `mentions` are GeoDataFrames (EPSG:4326) with the columns of
    geo.schema.EVENT_COLUMNS and MENTION_COLUMNS; `failures` the error of each report that
    could not be read; `warnings` "report id: message" strings.
    """

    events: object
    mentions: object
    reports: list[Report]
    failures: list[str]
    warnings: list[str]


@dataclass
class ReportEvents:
    """What `iter_events` yields per report: event and mention rows (plain dicts)."""

    report_id: str
    events: list[dict]
    mentions: list[dict]
    warnings: list[str]


# --- compiled rules -----------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[^\w\s'’-]")
# "in Zap (Amadiya)", "in Zap region (Amadiya)": the bracketed name takes the first's words.
_NAME_BEFORE_BRACKET = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}"
                                  r"(?:\s+(?:region|area|district|province|village|town|city|"
                                  r"mountains?))?\s*\($")


# Words between a locative word and a name that do not change what it says: "in the city
# of X", "near As Saadiyah" (an article written apart), "in Mt Metina".
_NAME_LEAD_INS = (("the",), ("city", "of"), ("town", "of"), ("village", "of"), ("al",), ("el",),
                  ("as",), ("ash",), ("ad",), ("an",), ("ar",), ("at",), ("az",), ("mt",),
                  ("mount",), ("lake",), ("wadi",), ("jabal",), ("jebel",), ("camp",))


class _Phrases:
    """Word lists of data/event_rules.yaml ("in", "outskirts of", "north of"), matched as the
    words right before a place, with only spaces between (and an optional "the")."""

    def __init__(self, phrases, strip=(("the",),)):
        self.phrases = frozenset(tuple(p.lower().split()) for p in phrases)
        self.longest = max((len(p) for p in self.phrases), default=0)
        self.strip: dict[str, list[tuple[str, ...]]] = {}
        for tail in strip:
            self.strip.setdefault(tail[-1], []).append(tail)

    def before(self, body: str, start: int) -> bool:
        """Does a phrase end right before `start` ("clashes near the| Kalar")? A name in
        brackets after another ("in Zap (Amadiya)") takes the words before the first."""
        words = _words_before(body[max(0, start - 64):start])
        for _ in range(4):
            n = len(words)
            for size in range(1, min(self.longest, n) + 1):
                if words[n - size:] in self.phrases:
                    return True
            tails = self.strip.get(words[-1]) if n else None
            tail = next((t for t in tails if words[n - len(t):] == t), None) if tails else None
            if tail is None:
                return False
            words = words[:n - len(tail)]
        return False


@lru_cache(maxsize=8192)  # keyed by the 64 characters before a place: small, and they repeat
def _words_before(pre: str) -> tuple[str, ...]:
    """The lower-case words at the end of `pre`, back to the nearest punctuation."""
    if pre.endswith("("):
        pre = _NAME_BEFORE_BRACKET.sub("", pre)
    if not pre[-1:].isspace():
        return ()
    return tuple(_PUNCTUATION.split(pre)[-1].lower().split())


@lru_cache(maxsize=4)
def event_rule_extras(path: Path = settings.EVENT_RULES_FILE) -> dict:
    """The fields of data/event_rules.yaml that only the event step reads (bare military
    words, weapon authors, explosive devices, casualty words, the default disrupter of weapons),
    checked: the actors they name must be rows of data/actors.csv."""
    from geo._errors import ReportError
    from geo._geoparse_rules import _load_yaml, _strings

    data = _load_yaml(path)
    out = {key: _strings(data, key, path) for key in (
        "bare_military_words", "bare_military_others", "weapon_author_words",
        "disruption_sub_event_types", "suffered_device_verbs", "bare_military_not_after",
        "bare_military_civilian_before", "bare_military_not_phrases",
        "bare_military_clause_breaks", "explosive_device_words", "casualty_counts",
        "casualty_words", "weapon_owner_words")}
    for key in ("bare_military_actor", "disruption_default_actor"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise ReportError(f"{path}: field '{key}': expected an actor's name")
        out[key] = value.strip()
    known = {a.name for a in actors()}
    for key, names in (("bare_military_actor", [out["bare_military_actor"]]),
                       ("disruption_default_actor", [out["disruption_default_actor"]]),
                       ("bare_military_others", out["bare_military_others"])):
        for name in filter(None, names):  # left out: bare_military_actor is checked below
            if name not in known:
                raise ReportError(f"{path}: field '{key}': {name!r} is not an actor of "
                                  f"{settings.ACTORS_FILE}")
    # A misspelt sub-type would silently turn the rule off: it must be one the rules give.
    given = {r.sub_event_type for r in event_rules(path)["rules"]} if out["disruption_sub_event_types"] else set()
    for sub in out["disruption_sub_event_types"]:
        if sub not in given:
            raise ReportError(f"{path}: field 'disruption_sub_event_types': {sub!r} is not the "
                              f"sub_event_type of any rule ({', '.join(sorted(given))})")
    out["anaphora_nouns"] = _anaphora_nouns(data.get("anaphora_nouns", {}), path)
    out["anaphora_vicinity"] = frozenset(w.lower() for w in _strings(data, "anaphora_vicinity", path))
    strays = sorted(out["anaphora_vicinity"] - set(out["anaphora_nouns"]))
    if strays:
        raise ReportError(f"{path}: field 'anaphora_vicinity': {strays[0]!r} is not a word of "
                          "anaphora_nouns")
    if out["bare_military_words"] and not out["bare_military_actor"]:
        raise ReportError(f"{path}: field 'bare_military_actor': missing (bare_military_words "
                          "need the actor they stand for)")
    return out


def _anaphora_nouns(value, path: Path) -> dict[str, tuple[str, ...]]:
    """`anaphora_nouns` of data/event_rules.yaml: kind word -> the place types it stands for,
    checked against the place types the event step knows."""
    from geo._errors import ReportError

    if not isinstance(value, dict):
        raise ReportError(f"{path}: field 'anaphora_nouns': expected a mapping of a word to "
                          "a list of place types")
    out: dict[str, tuple[str, ...]] = {}
    for word, types in value.items():
        if not isinstance(word, str) or not isinstance(types, list) or not types:
            raise ReportError(f"{path}: field 'anaphora_nouns', {word!r}: expected a list of "
                              "place types")
        unknown = sorted(str(t) for t in types if t not in _SPECIFICITY)
        if unknown:
            raise ReportError(f"{path}: field 'anaphora_nouns', {word!r}: unknown place type "
                              f"{', '.join(unknown)} (known: {', '.join(sorted(_SPECIFICITY))})")
        out[word.lower()] = tuple(types)  # in order: the first is the word's own type
    return out


class _Rules:
    """data/event_rules.yaml and data/actors.csv compiled into a few regular expressions."""

    def __init__(self) -> None:
        data = event_rules()
        self.rules: tuple[EventRule, ...] = data["rules"]
        self.trigger = self._trigger_automaton(self.rules)
        # "north of X", "20 km from X": X is a landmark the event is measured from.
        self.reference = _Phrases(data["reference_words"], strip=_NAME_LEAD_INS)
        # Destinations ("fled toward X") and where something was said ("told reporters in
        # X"): never an event's place.
        self.away = _Phrases(data["away_words"] + data["statement_places"])
        self.origin = _Phrases(data["origin_prepositions"])
        # Near words ("vicinity of", "close to") also say where an event happened.
        self.event_prep = _Phrases(data["event_prepositions"] + data["near_words"],
                                   strip=(*_NAME_LEAD_INS, *((w,) for w in data["place_adjectives"])))
        self.near = _Phrases(data["near_words"], strip=(("the",), ("town", "of"),
                                                        ("village", "of"), ("city", "of")))
        self.speech = re.compile(keyword_pattern(data["speech_verbs"])
                                 # "reported that on 16 December, X happened": "that" opens
                                 # the report of the event, and the date is the event's.
                                 + r"(?:\s+(?!that\b)[\w'’-]+){0,3}?\s+(?:late\s+|early\s+)?(?:on\s+)?$",
                                 re.IGNORECASE)
        self.reaction = re.compile(keyword_pattern(data["reaction_words"]), re.IGNORECASE)
        # A summary word right before the keyword ("three attacks", "a spate of kidnappings").
        words, counts, nouns = (keyword_pattern(data[k]) for k in ("summary_words", "summary_counts", "summary_nouns"))
        # The text from the sentence start to the keyword's end: a summary phrase right
        # before the keyword, or a count right before a plural noun that is the keyword.
        self.summary = re.compile(rf"(?:{words})\s+\S+$|(?:{counts})\s+(?:{nouns})$", re.IGNORECASE)
        self.speech_before = re.compile(keyword_pattern(data["speech_verbs"]), re.IGNORECASE)
        self.history_days = data["history_days"]
        self.off_duty = re.compile(keyword_pattern(data["civilian_context_words"]), re.IGNORECASE)
        self.riot = data["riot"]
        self.protest_intervention = data["protest_intervention"]
        self.intervention = re.compile(keyword_pattern(data["protest_intervention_words"]), re.IGNORECASE)
        # Right after a town: just outside it ("Makhmour refugee camp").
        self.outside = re.compile(r"\s+" + keyword_pattern(data["outside_words"]), re.IGNORECASE)
        self.civilian_target = data["civilian_target"]
        # Right after an actor: it is the report's source ("police said").
        self.source_after = re.compile(r"\s+" + keyword_pattern(data["source_words"]), re.IGNORECASE)
        # Right after an actor: it did the deed ("an ISIS attack", "ISIS militants ambushed").
        violent_words = [w for r in self.rules if r.event_type in _VIOLENT for w in r.keywords]
        self.attack_noun = re.compile(r"\s+(?:militants?\s+|fighters?\s+|cells?\s+|members?\s+)?"
                                      + keyword_pattern(violent_words), re.IGNORECASE)
        self.actors = actors()
        self.kind = {a.name: a.kind for a in self.actors}
        extra = event_rule_extras()
        # "ahead of Nowruz": the holiday is a point of reference, not the event's day.
        # Between them: "the", "this year's", "last year's", "next year's", "this", "last".
        self.holiday_reference = re.compile(keyword_pattern(holidays().reference_words)
                                            + r"\s+(?:the\s+|(?:this|last|next)\s+year['’]?s\s+"
                                              r"|this\s+|last\s+)?$", re.IGNORECASE)
        # "two soldiers", "the army": a state's military named without its nationality.
        # "ex-soldiers": a qualifier ending in "-" written onto the word (its own keyword).
        civilian_before = extra["bare_military_civilian_before"]
        self.bare_prefixes = tuple(q.lower() for q in civilian_before if q.endswith("-"))
        self.bare_military = re.compile(keyword_pattern(
            [*extra["bare_military_words"],
             *(p + w for p in self.bare_prefixes for w in extra["bare_military_words"])]), re.IGNORECASE)
        self.bare_default = extra["bare_military_actor"]
        self.bare_others = extra["bare_military_others"]
        # "Syrian troops", "US soldiers", "foreign troops": not Iraq's army (its own list of
        # data/event_rules.yaml, not geoparse's adjectives that are no places).
        self.bare_not_after = frozenset(w.lower().rstrip(".") for w in extra["bare_military_not_after"])
        # "retired soldiers", "a former soldier": civilians (the first civilians' row).
        self.bare_civilian = re.compile(keyword_pattern([q for q in civilian_before if not q.endswith("-")])
                                        + r"\s+$", re.IGNORECASE)
        self.civilians = next((a.name for a in self.actors if a.kind == "civilians"), "")
        self.bare_not_phrase = re.compile(keyword_pattern(extra["bare_military_not_phrases"]), re.IGNORECASE)
        # ", and soldiers were deployed": a clause of its own (see _other_clause).
        self.clause_break = re.compile("|".join(
            r"\s*".join(re.escape(t) for t in b.split()) + (r"(?!\w)" if b[-1:].isalnum() else "")
            for b in extra["bare_military_clause_breaks"]) or r"(?!x)x", re.IGNORECASE)
        # A violent clause: a violent keyword, or a casualty word in any form ("wounded",
        # "injuring": the stem of each casualty word, with any ending).
        stems = [re.sub(r"(?:ed|ing)$", "", w) + "*" for w in extra["casualty_words"]]
        self.violent_word = re.compile(keyword_pattern([*violent_words, *stems]), re.IGNORECASE)
        # "IEDs planted by ISIS", "a cache belonging to ISIS": who made or owned the weapons.
        self.weapon_author = re.compile(keyword_pattern(extra["weapon_author_words"])
                                        + r"\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)
        self.disruption_types = frozenset(extra["disruption_sub_event_types"])
        self.disruption_default = extra["disruption_default_actor"]
        # "an army patrol struck| a roadside bomb": the patrol suffered it, when the keyword
        # right after (an article or a count and a lower-case adjective between) is an
        # explosive device; "Turkish forces struck a PKK mortar position" is Turkey's deed.
        self.device = re.compile(keyword_pattern(extra["explosive_device_words"]), re.IGNORECASE)
        self.suffered_device = re.compile(keyword_pattern(extra["suffered_device_verbs"])
                                          + r"\s+(?:(?:an?|the|one|two|three|\d+)\s+)?"
                                          r"(?:(?-i:[a-z][\w'’-]*)\s+)?$", re.IGNORECASE)
        # "an IED planted by| ISIS", "an IED, reportedly planted by| ISIS": the maker of the
        # device (who did an explosion); not its owner ("an IED belonging to ISIS").
        makers = [w for w in extra["weapon_author_words"] if w not in set(extra["weapon_owner_words"])]
        self.device_author = re.compile(keyword_pattern(extra["explosive_device_words"])
                                        + r",?\s+(?:[a-z]+ly\s+)?" + keyword_pattern(makers)
                                        + r"\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)
        # The toll, not the deed: a count before an actor ("two soldiers") and a casualty word
        # after it ("... wounded"); any number in digits is a count too.
        self.count_before = re.compile(r"(?:\b\d+(?!\w)|" + keyword_pattern(extra["casualty_counts"])
                                       + r")\s+$", re.IGNORECASE)
        self.casualty_after = re.compile(r"\s+(?:were\s+|was\s+)?" + keyword_pattern(extra["casualty_words"]),
                                         re.IGNORECASE)
        # "in the town", "near the village": a place named again by its kind only.
        self.anaphora = extra["anaphora_nouns"]
        self.anaphora_re = re.compile(r"\bthe\s+(?P<noun>" + "|".join(
            re.escape(w) for w in sorted(self.anaphora, key=lambda w: (-len(w), w)))
            # not "the town of X", "the town's mayor", "the town Khanaqin" (named right there)
            + r")\b(?!\s+of\b|['’]s\b|(?-i:\s+[A-Z]))", re.IGNORECASE) if self.anaphora else None
        self.anaphora_vicinity = extra["anaphora_vicinity"]
        # The actor of a protest that names none: the first protesters' row of actors.csv.
        self.crowd = next((a.name for a in self.actors if a.kind == "protesters"), "")
        self.rioters = next((a.name for a in self.actors if a.kind == "rioters"), self.crowd)
        exact, loose = [], []
        for n, actor in enumerate(self.actors):
            for alias in actor.aliases:
                (exact if alias.isupper() and len(alias) <= 3 else loose).append((alias, n))
        self.actor_exact = _AliasMatcher(exact, ignore_case=False)
        self.actor_loose = _AliasMatcher(loose, ignore_case=True)

    @staticmethod
    def _trigger_automaton(rules: tuple[EventRule, ...]):
        """Keywords in an Aho-Corasick automaton: one pass over the text for all rules."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        table: dict[str, tuple[str, bool, EventRule]] = {}
        for rule in rules:
            for word in rule.keywords:
                key = " ".join(word.rstrip("*").lower().split())
                if key not in table or rule.rank < table[key][2].rank:
                    table[key] = (key, word.endswith("*"), rule)
        for key, value in table.items():
            automaton.add_word(key, value)
        automaton.make_automaton()
        return automaton

    def find_triggers(self, body: str) -> list[tuple[int, EventRule]]:
        """(offset, rule) of every keyword in `body`, as whole words (a `*` keyword with any
        ending), ignoring case. A keyword inside a longer one is not counted: "shot dead" is
        an attack on a person, not the "shot" of an armed clash."""
        text = body.lower()
        if len(text) != len(body):  # a rare letter whose lower case is longer: keep offsets
            text = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in body)
        text = text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
        found = []
        n = len(text)
        for end, (key, prefix, rule) in self.trigger.iter(text):
            start = end - len(key) + 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
                continue
            if not prefix and end + 1 < n and (text[end + 1].isalnum() or text[end + 1] == "_"):
                continue
            found.append((start, end, rule))
        # Longest first at each start; a match that ends inside the one before it is dropped.
        found.sort(key=lambda f: (f[0], -f[1]))
        kept: list[tuple[int, EventRule]] = []
        last_end = -1
        for start, end, rule in found:
            if end <= last_end:
                continue
            kept.append((start, rule))
            last_end = end
        return kept

    @staticmethod
    def _alias_regex(aliases: list[tuple[str, int]], flags: int) -> tuple[re.Pattern, dict[str, int]]:
        groups: dict[str, int] = {}
        parts = []
        # Longest alias first so "Iraqi air force" wins over "Iraqi ...".
        for k, (alias, n) in enumerate(sorted(aliases, key=lambda a: (-len(a[0]), a[0]))):
            groups[f"a{k}"] = n
            body = r"\s+".join(re.escape(w) for w in alias.split())
            parts.append(f"(?P<a{k}>{body})")
        if not parts:
            return re.compile(r"(?!x)x"), groups
        return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])", flags), groups


class _AliasMatcher:
    """Whole-word search for actor aliases: the matches of `_Rules._alias_regex` (leftmost,
    then the longest alias; words joined by any whitespace; not inside a word or after a
    hyphen), found in one Aho-Corasick pass. The case-insensitive alternation of some 300
    aliases tries every alias at every character, about 0.4 MB/s, and was most of the event
    step's time; the automaton pass costs next to nothing. Text whose lower-casing changes its
    length (a rare character like "İ") takes the regex."""

    def __init__(self, aliases: list[tuple[str, int]], ignore_case: bool):
        import ahocorasick

        self.ignore_case = ignore_case
        self.regex, self.groups = _Rules._alias_regex(aliases, re.IGNORECASE if ignore_case else 0)
        # The regex tries aliases longest first, then in sorted order: for two aliases with
        # the same key (the same words in another case), the first of that order wins.
        best: dict[str, tuple[int, int]] = {}
        for alias, n in sorted(aliases, key=lambda a: (-len(a[0]), a[0])):
            key = " ".join((alias.lower() if ignore_case else alias).split())
            best.setdefault(key, (len(key), n))
        self.automaton = ahocorasick.Automaton() if best else None
        for key, payload in best.items():
            self.automaton.add_word(key, payload)
        if self.automaton is not None:
            self.automaton.make_automaton()

    def finditer(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(start, end, actor index) of each alias in `text`, in order, none overlapping."""
        if self.automaton is None:
            return
        folded = text.lower() if self.ignore_case else text
        if len(folded) != len(text):
            for m in self.regex.finditer(text):
                yield m.start(), m.end(), self.groups[m.lastgroup]
            return
        # Whitespace runs become one space (aliases are keyed with single spaces); `runs`
        # maps squeezed offsets back: squeezed[i] is folded[i + shift] past each run.
        squeezed, runs, shifts, shift, last = [], [], [], 0, 0
        for m in _WHITESPACE_RUN.finditer(folded):
            squeezed.append(folded[last:m.start()])
            squeezed.append(" ")
            shift += m.end() - m.start() - 1
            runs.append(m.start() - (shift - (m.end() - m.start() - 1)) + 1)
            shifts.append(shift)
            last = m.end()
        squeezed.append(folded[last:])
        flat = "".join(squeezed)

        def original(i: int) -> int:
            k = bisect_right(runs, i) - 1
            return i + (shifts[k] if k >= 0 else 0)

        hits = []
        n_text = len(text)
        for end_sq, (length, actor) in self.automaton.iter(flat):
            start = original(end_sq - length + 1)
            end = original(end_sq) + 1
            before = text[start - 1] if start else ""
            after = text[end] if end < n_text else ""
            if before and (before.isalnum() or before in "_-"):
                continue
            if after and (after.isalnum() or after == "_"):
                continue
            hits.append((start, -end, actor))
        hits.sort()
        last_end = -1
        for start, neg_end, actor in hits:
            if start >= last_end:
                last_end = -neg_end
                yield start, last_end, actor


_WHITESPACE_RUN = re.compile(r"\s\s+|[^\S ]")  # a run of whitespace, or one that is not a space


_RULES: _Rules | None = None


def _rules() -> _Rules:
    global _RULES
    if _RULES is None:
        _RULES = _Rules()
    return _RULES


# --- sentences ---------------------------------------------------------------------------------

def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text` (abbreviations like "Oct." kept)."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            word = re.search(r"([\w.]+)$", text[max(0, m.start() - 8):m.start()])
            if word and is_abbreviation(word.group(1)):
                continue
        end = m.start() + (1 if text[m.start()] in ".!?" else 0)
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _Sentences(list):
    """The (start, end) spans of a report's sentences, with `index` a dict look-up: a long
    report has thousands, and each event asks for the index of its own."""

    def __init__(self, spans: list[tuple[int, int]]):
        super().__init__(spans)
        self._at = {span: k for k, span in enumerate(spans)}

    def index(self, span, *_) -> int:  # type: ignore[override]
        return self._at[span]


# --- finding events ------------------------------------------------------------------------------

def find_events(result: ParseResult) -> list[_Draft]:
    """The event drafts of a parsed report (see the module docstring for the rules)."""
    rules = _rules()
    report = result.report
    body = report.body
    spans = _Sentences(sentences(body))
    starts = [s for s, _ in spans]

    def sentence_of(offset: int) -> int:
        return max(0, bisect_right(starts, offset) - 1)

    triggers: dict[int, EventRule] = {}
    trigger_at: dict[int, int] = {}
    for start, rule in rules.find_triggers(body):
        k = sentence_of(start)
        if k not in triggers or rule.rank < triggers[k].rank:
            triggers[k] = rule
            trigger_at[k] = start
    # "Officials condemned the attack": a reaction to an event told before, not a new one;
    # "three attacks in Kirkuk province over the weekend": a summary of the events told next.
    reactions = {k for k in triggers if rules.reaction.search(body, *spans[k])
                 or rules.summary.search(body, max(spans[k][0], trigger_at[k] - 40), _word_end_at(body, trigger_at[k]))}
    # "The Guards said they had targeted ...": a claim, one more sentence of an event told
    # in the report, or an event of its own when nothing else tells it.
    claims = {k for k in triggers if rules.speech_before.search(body, spans[k][0], trigger_at[k])}
    places: dict[int, list[Mention]] = {}
    located: set[int] = set()  # sentences naming a place where something happened ("in X")
    for mention in result.mentions:
        if mention.role != "dateline" and not rules.away.before(body, mention.start):
            k = sentence_of(mention.start)
            places.setdefault(k, []).append(mention)
            if _is_located(rules, body, mention) and not _is_origin(rules, body, mention):
                located.add(k)
    # "An IED exploded in the town": an event sentence naming no place names the one told
    # before it, found here so that it is located, dated and grouped as if named.
    for k in triggers:
        if k not in places:
            found = _antecedent(rules, body, spans[k], result.mentions)
            if found is not None:
                places[k] = [found]
                located.add(k)
    dates, date_notes, stated = _sentence_dates(rules, report, spans, triggers, trigger_at,
                                                reactions, located)

    dated: list[_Draft] = []
    undated: list[_Draft] = []
    loose: list[tuple[int, EventRule]] = []
    for k in sorted(triggers):
        rule = triggers[k]
        if k in reactions:
            loose.append((k, rule))
        elif k in dates:
            draft = _Draft(rule, [spans[k]], dates[k], True, trigger=trigger_at[k], claim=k in claims)
            if dates[k] is None:
                draft.warnings.append("relative date with no published date to count from")
            elif k in stated:
                draft.warnings.append("dated by a statement about the event (\"said on ...\"), "
                                      "not by the event itself")
            if k in date_notes:
                draft.warnings.append(date_notes[k])
            _add_dated(dated, draft, places, spans)
        elif k in located:
            draft = _Draft(rule, [spans[k]], report.published, False, trigger=trigger_at[k],
                           claim=k in claims)
            if k in date_notes:
                draft.warnings.append(date_notes[k])
            undated.append(draft)
        else:
            loose.append((k, rule))
    # Undated sentences join the dated event of the same type at the same place (or one
    # nearby); the rest stand alone: "an IED exploded in Hawija" is not yesterday's rocket
    # in Tuz Khurmatu.
    events = list(dated)
    for draft in undated:
        home = next((d for d in dated if d.rule.event_type == draft.rule.event_type
                     and _same_place(d, draft, places, spans)), None)
        if home is not None:
            _join(home, draft.sentences[0], draft.rule)
        else:
            same = next((d for d in events if not d.dated and d.rule.event_type == draft.rule.event_type
                         and _first_place(d, places, spans) == _first_place(draft, places, spans)), None)
            if same is not None:
                _join(same, draft.sentences[0], draft.rule)
            else:
                events.append(draft)
    for k, rule in loose:
        if not rule.joins:
            continue  # background ("the caliphate was destroyed"), not part of an event
        home = next((d for d in events if d.rule.event_type == rule.event_type), None)
        if home is not None:
            _join(home, spans[k], rule)
    # A claim joins an event of its type that the report tells in its own words.
    for claim in [d for d in events if d.claim]:
        home = next((d for d in events if not d.claim and d.rule.event_type == claim.rule.event_type), None)
        if home is not None:
            for span in claim.sentences:
                _join(home, span, claim.rule)
            events.remove(claim)
    if not events and loose and not result.mentions:
        # Nothing anchored, but the report does describe an event: keep it, without a place.
        k, rule = min(loose, key=lambda t: (t[1].rank, t[0]))
        if k not in reactions:
            events.append(_Draft(rule, [spans[k]], report.published, False))
    for draft in events:
        _locate(rules, draft, body, spans, places, result.unresolved)
        if not draft.dated and draft.event_date is not None:
            draft.warnings.append("no date in the event's sentences: the published date is used")
        elif draft.event_date is None and not any("date" in w for w in draft.warnings):
            draft.warnings.append("event date unknown (no published date)")
    events.sort(key=lambda d: d.sentences[0][0])
    return events


def _word_end_at(text: str, start: int) -> int:
    """The end of the word that starts at `start`."""
    m = re.compile(r"[\w'’-]+").match(text, start)
    return m.end() if m else start


def _add_dated(dated: list[_Draft], draft: _Draft, places, spans) -> None:
    """A dated sentence joins an earlier event of the same type, date and place (or one
    nearby), else starts one."""
    for d in dated:
        if d.rule.event_type == draft.rule.event_type and d.event_date == draft.event_date \
                and _same_place(d, draft, places, spans):
            _join(d, draft.sentences[0], draft.rule)
            return
    dated.append(draft)


def _same_place(a: _Draft, b: _Draft, places: dict[int, list[Mention]], spans) -> bool:
    """Could two drafts be one event: either names no local place, or some place of one
    lies within settings.EVENT_JOIN_KM of a place of the other."""
    def local(d: _Draft) -> list[Mention]:
        k = spans.index(d.sentences[0])
        return [m for m in places.get(k, []) if m.type not in _LARGE and m.lat is not None]

    pa, pb = local(a), local(b)
    if not pa or not pb:
        return True
    return any(_km(x, y) <= settings.EVENT_JOIN_KM for x in pa for y in pb)


def _join(draft: _Draft, span: tuple[int, int], rule: EventRule) -> None:
    if span not in draft.sentences:
        draft.sentences.append(span)
    if rule.event_type == draft.rule.event_type and rule.rank < draft.rule.rank:
        draft.rule = rule  # the most specific sub-type of the same family


def _first_place(draft: _Draft, places: dict[int, list[Mention]], spans) -> str | None:
    k = spans.index(draft.sentences[0])
    return places[k][0].place_id if places.get(k) else None


def _is_located(rules: _Rules, body: str, mention: Mention) -> bool:
    return rules.event_prep.before(body, mention.start)


def _is_origin(rules: _Rules, body: str, mention: Mention) -> bool:
    return rules.origin.before(body, mention.start)


def _locate(rules: _Rules, draft: _Draft, body: str, spans, places, unresolved) -> None:
    """The event's place: the most specific one of its first (anchor) sentence, then of its
    other sentences, then of the anchor's paragraph."""
    order = [spans.index(s) for s in draft.sentences]
    for k in order:
        best = _best_place(rules, body, places.get(k, []))
        if best is not None:
            draft.place = best
            break
    start, end = draft.sentences[0]
    # A name in the sentence that did not resolve was the event's place: do not borrow another.
    unknown_here = any(name in body[start:end] for name in unresolved)
    if draft.place is None and not unknown_here:
        para_start = body.rfind("\n\n", 0, start) + 1
        para_end = body.find("\n\n", end)
        para_end = len(body) if para_end < 0 else para_end
        candidates = [m for ms in places.values() for m in ms if para_start <= m.start < para_end]
        draft.place = _best_place(rules, body, candidates)
        if draft.place is not None:
            draft.warnings.append("place taken from the event's paragraph, not its sentence")
    if draft.place is None:
        draft.warnings.append("no resolvable place: the event has no geometry"
                              + (" (unresolved: " + ", ".join(n for n in unresolved if n in body[start:end]) + ")"
                                 if unknown_here else ""))
        return
    # "near Tuz Khurmatu", "Makhmour refugee camp": just outside the town (precision 2).
    draft.near = draft.place.type in SETTLEMENTS and (rules.near.before(body, draft.place.start)
                                                     or bool(rules.outside.match(body, draft.place.end)))
    if draft.place.match == "anaphora":  # "the town": the place told before it
        noun = _ANAPHOR_NOUN.search(draft.place.text).group().lower()
        draft.near = draft.near or (draft.place.type in SETTLEMENTS and noun in rules.anaphora_vicinity)
        draft.warnings.append(f"place taken from {draft.place.text!r} in the event's sentence: "
                              f"{draft.place.name}, named before it")


def _antecedent(rules: _Rules, body: str, span: tuple[int, int],
                mentions: list[Mention]) -> Mention | None:
    """The place a sentence names only by its kind, after a locative word ("an IED exploded in
    the town"), as a mention of those words ("the town") of the place named before: data/
    event_rules.yaml `anaphora_nouns` says which types the word stands for, its own first."""
    if rules.anaphora_re is None:
        return None
    for m in rules.anaphora_re.finditer(body, *span):
        if not rules.event_prep.before(body, m.start()):
            continue  # "the town's mayor said", "the town was quiet": not where it happened
        noun = m.group("noun").lower()
        types = rules.anaphora[noun]
        earlier = [x for x in mentions if x.end <= span[0] and x.type in types
                   and x.lat is not None and x.role != "dateline"
                   and not _is_origin(rules, body, x) and not rules.away.before(body, x.start)]
        if not earlier:
            continue
        # The word's own type first (except for words of the surroundings, "the area"), then
        # a place that is no landmark ("north of X"), then the nearest.
        own = noun not in rules.anaphora_vicinity
        found = max(earlier, key=lambda x: (own and x.type == types[0],
                                            not rules.reference.before(body, x.start), x.start, -x.end))
        from dataclasses import replace

        return replace(found, text=body[m.start():m.end()], start=m.start(), end=m.end(),
                       role="mention", confidence=round(found.confidence * 0.9, 3), match="anaphora")
    return None


_ANAPHOR_NOUN = re.compile(r"\S+$")


# Between a place and its container: ", ", " in ", " of ", " (", with an optional closing
# bracket and area word ("Zap (Amadiya) region of Dahuk", "Penjwin (Sulaymaniyah)").
_CONTAINER_GAP = re.compile(r"\)?(?:\s+(?:region|area|areas|district|sub-?district|province|"
                            r"governorate|city|town|village|villages))?"
                            r"(?:,\s*(?:in\s+(?:the\s+)?)?|\s+(?:in|of)\s+(?:the\s+)?|\s*\()")


def _best_place(rules: _Rules, body: str, mentions: list[Mention]) -> Mention | None:
    """The event's place among a sentence's mentions. Ranked: not a container of the
    previous place ("Chamchamal in Sulaymaniyah", "Sulaimani, Kurdistan Region", "Zakho district
    of Dahuk"), not an
    origin ("a delegation from X"), after a locative word ("in", "near", "visited"), then the
    most specific type, a sure match before an unsure one, the first."""
    if not mentions:
        return None
    ordered = sorted(mentions, key=lambda m: m.start)
    # A town named inside a longer name ("Tuz Khurmatu and Sleman Bag Operations Command")
    # stands for that name, not for an event place of its own.
    ordered = _outermost(ordered)
    containers: set[int] = set()
    wrong: set[int] = set()
    located = {id(m) for m in ordered if _is_located(rules, body, m)}
    for a, b in zip(ordered, ordered[1:]):
        if _CONTAINER_GAP.fullmatch(body, a.end, b.start):
            containers.add(id(b))
            # "al-Rumaitha in Muqdadiya": a namesake far from its container is the wrong place.
            if _km(a, b) > settings.EVENT_CONTAINER_KM.get(b.type, 1e9):
                wrong.add(id(a))
        elif _POSSESSIVE_GAP.fullmatch(body, a.end, b.start):
            # "in Kirkuk's Hawija district": the first is the container, the second is where.
            containers.add(id(a))
            if id(a) in located:
                located.add(id(b))
    # "the Kirkuk-Erbil road": towns naming a road are landmarks, not where it happened.
    roads = {id(m) for m in ordered if _ROAD_AFTER.match(body, m.end) or (
        _ROAD_JOIN.search(body, max(0, m.start - 2), m.start) and _ROAD_TAIL.match(body, m.end))}
    candidates = [m for m in ordered if id(m) not in wrong]
    if not candidates:
        return None

    def key(m: Mention):
        reference = rules.reference.before(body, m.start) or id(m) in roads
        size = 1 if m.type in _LARGE else 0
        return (id(m) in containers, _is_origin(rules, body, m), size, reference,
                id(m) not in located, _SPECIFICITY.get(m.type, 99),
                m.confidence < settings.EVENT_UNSURE_CONFIDENCE, m.start)

    return min(candidates, key=key)


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Mentions (sorted by start) not inside a longer one, in one sweep."""
    out: list[Mention] = []
    cover_start, cover_end = -1, -1
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if cover_start <= m.start and m.end <= cover_end and (m.end - m.start) < (cover_end - cover_start):
            continue
        out.append(m)
        if m.end > cover_end:
            cover_start, cover_end = m.start, m.end
    return out


_POSSESSIVE_GAP = re.compile(r"['’]s\s+")
# "Kirkuk-Erbil road", "the Tuz-Kifri highway": the first town, then the second.
_ROAD_AFTER = re.compile(r"[-–]\s?[A-Z][\w'’]*(?:\s[A-Z][\w'’]*)?\s+(?:road|highway|motorway|route)\b", re.IGNORECASE)
_ROAD_JOIN = re.compile(r"[-–]\s?$")
_ROAD_TAIL = re.compile(r"\s+(?:road|highway|motorway|route)\b", re.IGNORECASE)

# Large places (governorate, region, country) come after any other place, even one that is
# only a landmark ("north of Jalawla, in Diyala province").
_LARGE = frozenset({"governorate", "region", "country"})


def _km(a: Mention, b: Mention) -> float:
    if a.lat is None or b.lat is None:
        return 0.0
    from geo.gazetteer import haversine_km

    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def assign_roles(result: ParseResult) -> None:
    """Set role `event` on the mentions the report's events are located at (in place), and
    keep the drafts on the result for the event step."""
    result.drafts = find_events(result)
    chosen = {(d.place.start, d.place.end) for d in result.drafts if d.place is not None}
    if chosen:
        result.mentions = [
            _with_role(m, "event") if (m.start, m.end) in chosen and m.role == "mention" else m
            for m in result.mentions]


def _with_role(m: Mention, role: str) -> Mention:
    from dataclasses import replace

    return replace(m, role=role)


# --- event rows ------------------------------------------------------------------------------------

_VIOLENT = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"})
_BY = re.compile(r"\bby\s+(?:the\s+)?$", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|got)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?:the\s+|a\s+|local\s+)*$", re.IGNORECASE)
UNIDENTIFIED_ACTOR = "Unidentified Armed Group (Iraq)"
# A party the sentence names but data/actors.csv has no row for ("Syrian army troops", "foreign
# troops"): it holds its place on its side of the event, so that neither Iraq's army nor the
# unidentified armed group is put there, and is written as no actor.
_UNLISTED = "\0unlisted"
# A verb of a clause's own ("..., and soldiers were deployed"); see _other_clause.
_CLAUSE_VERB = re.compile(r"\b(?:was|were|is|are|has|have|had|been|will|would|did|[a-z]{2,}ed)\b")
# (A count before an actor and a casualty word after it, the toll and not the deed, are
# _Rules.count_before and casualty_after, from data/event_rules.yaml.)
# Right after an actor, up to three words and a passive verb: it suffered the violence.
_SUFFERED = re.compile(r"(?:\s+[\w'’-]+){0,3}?\s+(?:was|were|had\s+been|have\s+been|has\s+been|got)\s+"
                       r"(?:[a-z]+ly\s+)?(?:killed|wounded|injured|hurt|kidnapped|abducted|attacked|"
                       r"targeted|struck|hit|shot|executed|ambushed|beheaded|taken)\b", re.IGNORECASE)


@lru_cache(maxsize=64)  # a sentence is read for its actors, its doers and its weapon authors
def _actor_mentions(rules: _Rules, text: str) -> tuple[tuple[int, int, str, bool], ...]:
    """(start, end, actor, bare) of each actor named in `text`, in order, without the sources
    of the report ("police said", "according to security sources"). `bare` marks soldiers
    named without a nationality ("two soldiers", "the army"), see _bare_military."""
    found = []
    for matcher in (rules.actor_exact, rules.actor_loose):
        for start, end, n in matcher.finditer(text):
            if _is_source(rules, text, start, end):
                continue
            found.append((start, end, rules.actors[n].name, False))
    found += _bare_military(rules, text, found)
    found.sort()
    return tuple(found)


def _is_source(rules: _Rules, text: str, start: int, end: int) -> bool:
    return bool(rules.source_after.match(text, end) or _ACCORDING.search(text, max(0, start - 30), start))


# The one word right before a bare military word and the spaces after it: group 2 starts
# where the word ends, to compare with a named actor's end ("Peshmerga| soldiers": that
# actor's own); dots and hyphens stay inside the word so that "U.S." and "off-duty" are one.
_WORD_BEFORE = re.compile(r"([\w'’.-]+)(\s+)$")


def _bare_military(rules: _Rules, text: str, found: list) -> list[tuple[int, int, str, bool]]:
    """Soldiers named without a nationality in the sentence `text` ("two soldiers were
    killed", "the army shelled ..."): data/event_rules.yaml's bare_military_actor (Iraq's
    army), or the other state's military the sentence names (bare_military_others: Turkey's,
    Iran's; _event_actors then keeps it only on that actor's side of the event). Words next
    to each other ("army troops") are one phrase, judged by the word before the first. Not
    bare: a word inside or right after a named actor ("Turkish troops", "Peshmerga soldiers"),
    a figure of speech ("an army of volunteers"), one written with a capital inside the
    sentence ("the Army of ...") or after a capitalised name ("Mahdi Army"). After a
    nationality or a foreign qualifier of bare_military_not_after ("Syrian army troops", "US
    soldiers", "foreign troops", wherever the word stands) they are a party with no row
    (_UNLISTED); after a word of bare_military_civilian_before ("retired soldiers", "a former
    soldier", "ex-soldiers") they are civilians (ACLED: no longer, or not then, the army)."""
    if not rules.bare_default:
        return []
    out = []
    matches = list(rules.bare_military.finditer(text))
    k = 0
    while k < len(matches):
        m = matches[k]
        s, e = m.span()
        while k + 1 < len(matches) and not text[e:matches[k + 1].start()].strip():
            k += 1  # "army troops": one phrase
            e = matches[k].end()
        k += 1
        if any(a < e and s < b for a, b, *_ in found) or _is_source(rules, text, s, e):
            continue
        if rules.bare_not_phrase.match(text, s):
            continue  # "an army of volunteers": not the military
        if m.group().lower().startswith(rules.bare_prefixes) \
                or rules.bare_civilian.search(text, max(0, s - 30), s):
            if rules.civilians:
                out.append((s, e, rules.civilians, False))  # "retired soldiers", "ex-soldiers"
            continue
        before = _WORD_BEFORE.search(text, max(0, s - 40), s)
        word = before.group(1).rstrip(".") if before is not None else ""
        if before is not None and any(b == before.start(2) for _, b, *_ in found):
            continue  # "Peshmerga soldiers", "coalition troops": that actor's own
        if word.lower() in rules.bare_not_after:
            out.append((s, e, _UNLISTED, False))  # "Syrian army troops", "US soldiers"
            continue
        opening = not re.search(r"\w", text[:s])
        if m.group()[0].isupper() and not opening:
            continue  # "the Army of the Men of the Naqshbandi Order": a name
        if before is not None and word[:1].isupper() and re.search(r"\w", text[:before.start(1)]):
            continue  # "Mahdi Army": a capitalised name (not the sentence's first word)
        foreign = next((n for _, _, n, _ in found if n in rules.bare_others), None)
        out.append((s, e, foreign or rules.bare_default, True))
    return out


def _agent_by(rules: _Rules, text: str, start: int) -> bool:
    """Is the actor at `start` named after "by" as the doer ("kidnapped by ISIS")? Not after
    a weapon author word: in "a tunnel used by ISIS", "IEDs planted by ISIS" the "by" names
    the weapon's owner or author, never the doer of a strike on it."""
    return bool(_BY.search(text, max(0, start - 8), start)) \
        and not rules.weapon_author.search(text, max(0, start - 40), start)


def _actors_of(rules: _Rules, text: str) -> list[str]:
    """Actor names in order of appearance; an actor named after "by" comes first."""
    found = [(not _agent_by(rules, text, s), s, name) for s, _, name, _ in _actor_mentions(rules, text)
             if name != _UNLISTED]
    ordered: list[str] = []
    for _, _, name in sorted(found):
        if name not in ordered:
            ordered.append(name)
    return ordered


def _weapon_authors(rules: _Rules, text: str) -> set[str]:
    """Actors named as the authors or owners of weapons in `text` ("IEDs planted by ISIS",
    "a cache belonging to ISIS")."""
    return {name for s, _, name, _ in _actor_mentions(rules, text)
            if name != _UNLISTED and rules.weapon_author.search(text, max(0, s - 40), s)}


def _other_clause(rules: _Rules, text: str, trigger: int, start: int) -> bool:
    """Is offset `start` in another clause of `text` than the keyword at `trigger`, a clause
    with a verb of its own and no violence ("Iranian artillery shelled villages, and soldiers
    were deployed")? A list ("police, Peshmerga, and soldiers") has no verb and stays in the
    keyword's clause; a violent clause ("..., and two soldiers were wounded") is the event's."""
    cuts = [0]
    for m in rules.clause_break.finditer(text):
        cuts += [m.start(), m.end()]
    cuts.append(len(text))
    spans = list(zip(cuts[::2], cuts[1::2]))
    own = next(((a, b) for a, b in spans if a <= start < b), None)
    if own is None or own[0] <= trigger < own[1]:
        return False
    clause = text[own[0]:own[1]]
    return bool(_CLAUSE_VERB.search(clause)) and not rules.violent_word.search(clause)


def _event_actors(rules: _Rules, text: str, trigger: int | None, violent: bool) -> tuple[list[str], list[str]]:
    """Who did it and to whom, from the anchor sentence `text` and its keyword's offset.

    For violence: an actor after "by" ("kidnapped by ISIS militants") or right before the
    keyword's noun ("an ISIS attack") did it; otherwise the subject (before the keyword) did
    it to the object (after it), the other way round in the passive ("two shepherds were
    kidnapped"). Soldiers named without a nationality are the other state's military named
    on their own side ("Turkish forces ... soldiers"), else Iraq's: in "a Turkish drone killed
    two soldiers" they are Iraq's; in another clause than the keyword's they are no party
    (_other_clause). The author of an explosive device did it ("an IED planted by ISIS");
    the owner of what was struck did not ("bombed a tunnel used by ISIS"). Other events keep
    the order of appearance. Returns (actors1, actors2).
    """
    found = _actor_mentions(rules, text)
    if not violent or trigger is None:
        return _actors_of(rules, text), []
    passive = bool(_PASSIVE.search(text, max(0, trigger - 40), trigger))
    # "militants" and "gunmen" are the unidentified group only when no group is named.
    named = {rules.kind.get(n) for _, _, n, _ in found if n != UNIDENTIFIED_ACTOR}
    if named & {"rebel", "militia"}:
        found = [f for f in found if f[2] != UNIDENTIFIED_ACTOR]
    doers: list[tuple[int, str, bool]] = []
    targets: list[tuple[int, str, bool]] = []
    # "an army patrol struck a roadside bomb": the subject of such a verb suffered the keyword,
    # when the keyword is an explosive device ("struck a PKK mortar position" is a deed). An
    # actor right before the device is its author ("a Peshmerga vehicle struck a PKK landmine").
    device = bool(rules.device.match(text, trigger))
    owner = next((f for f in found if f[1] <= trigger and not text[f[1]:trigger].strip()), None) if device else None
    at = owner[0] if owner is not None else trigger
    struck = not passive and device and bool(rules.suffered_device.search(text, max(0, at - 60), at))
    for s, e, name, bare in found:
        if bare and _other_clause(rules, text, trigger, s):
            continue  # "..., and soldiers were deployed": no party to the event
        if _agent_by(rules, text, s) or rules.device_author.search(text, max(0, s - 60), s) \
                or (struck and owner is not None and s == owner[0]):
            doers.append((0, name, bare))  # "kidnapped by ISIS", "an IED planted by ISIS"
        elif s > trigger and rules.attack_noun.match(text, e) \
                and not (rules.casualty_after.match(text, e) and rules.count_before.search(text, max(0, s - 20), s)):
            doers.append((1, name, bare))  # "repelled an ISIS attack"
        elif _SUFFERED.match(text, e):
            targets.append((s, name, bare))  # "two Asayish officers were wounded when ..."
        elif (s < trigger) != (passive or struck):
            doers.append((2, name, bare))
        else:
            targets.append((s, name, bare))

    def side(entries: list[tuple[int, str, bool]]) -> list[tuple[int, str]]:
        foreign = next((n for _, n, bare in entries if not bare and n in rules.bare_others), None)
        return [(r, (foreign or rules.bare_default) if bare else n) for r, n, bare in entries]

    ones = [n for _, n in sorted(side(doers), key=lambda d: d[0])]
    twos = [n for _, n in side(targets) if n not in ones]
    return list(dict.fromkeys(ones)), list(dict.fromkeys(twos))


def event_rows(result: ParseResult, gaz: "Gazetteer") -> list[dict]:
    """One row per event of a parsed report (columns of geo.schema.EVENT_COLUMNS, with
    `geometry` as (lon, lat) or None)."""
    rules = _rules()
    report = result.report
    body = report.body
    rows = []
    for n, draft in enumerate(result.drafts, 1):
        evidence = " ".join(" ".join(body[s:e].split()) for s, e in sorted(draft.sentences))
        etype, subtype = draft.rule.event_type, draft.rule.sub_event_type
        actor1, actor2 = _row_actors(rules, body, draft, etype)
        kinds = {rules.kind.get(actor1), rules.kind.get(actor2)}
        target = rules.civilian_target
        if etype == "Battles" and "protesters" in kinds and rules.riot:
            etype, subtype = rules.riot["event_type"], rules.riot["sub_event_type"]
        if etype == "Riots":  # ACLED's crowd of a riot is its rioters
            actor1, actor2 = (rules.rioters if rules.kind.get(a) == "protesters" else a
                              for a in (actor1, actor2))
        elif etype == "Battles" and target and (rules.kind.get(actor2) == "civilians" or any(
                rules.off_duty.search(body, s, e) for s, e in draft.sentences[:1])):
            etype, subtype = target["event_type"], target["sub_event_type"]
        if etype == "Violence against civilians" and rules.kind.get(actor1) == "civilians":
            actor1, actor2 = actor2 or UNIDENTIFIED_ACTOR, actor1  # the perpetrator first
        if etype == "Protests" and rules.protest_intervention and any(
                rules.intervention.search(body, s, e) for s, e in draft.sentences):
            etype, subtype = (rules.protest_intervention["event_type"],
                              rules.protest_intervention["sub_event_type"])
        place = draft.place
        row = {c: None for c in EVENT_COLUMNS}
        row.update(
            event_id=f"{report.id}-{n}", report_id=report.id, title=report.title,
            source=report.source, url=report.url,
            published=report.published.isoformat() if report.published else None,
            event_date=draft.event_date.isoformat() if draft.event_date else None,
            event_type=etype, sub_event_type=subtype,
            actor1=actor1, actor2=actor2, evidence=evidence, zones="", front_distance_km=None,
            warnings="; ".join(draft.warnings),
        )
        if place is not None and place.place_id is not None:
            p = gaz.get(place.place_id)
            precision = 2 if draft.near else _GEO_PRECISION.get(p.type, 3)
            where = 2 if draft.near else _WHERE_PREC.get(p.type, 5)
            row.update(location=p.name, place_id=p.id, admin1=p.governorate, admin2=p.district,
                       latitude=p.lat, longitude=p.lon, geo_precision=precision,
                       where_prec=where, evidence_place=place.text, geometry=(p.lon, p.lat))
        else:
            # No place, no precision: 3 / 6 would claim a region or country was coded.
            row.update(location="", place_id=None, admin1="", admin2="", geo_precision=None,
                       where_prec=None, evidence_place="", geometry=None)
        row["notes"] = _notes(row, draft, subtype)
        rows.append(row)
    return rows


def _row_actors(rules: _Rules, body: str, draft: _Draft, event_type: str) -> tuple[str, str]:
    """actor1 and actor2 of a draft: from its anchor sentence, then its other sentences; a
    violent event with a known target and no known perpetrator gets ACLED's unidentified
    armed group as actor1, a disruption of weapons with no one named who did it
    data/event_rules.yaml's disruption_default_actor."""
    start, end = draft.sentences[0]
    violent = event_type in _VIOLENT
    trigger = draft.trigger - start if draft.trigger is not None and start <= draft.trigger < end else None
    ones, twos = _event_actors(rules, body[start:end], trigger, violent)
    chosen = ones + [a for a in twos if a not in ones]
    if not violent:
        ones, twos = chosen[:1], chosen[1:]
    others = [a for s, e in sorted(draft.sentences[1:]) for a in _actors_of(rules, body[s:e])]
    others = [a for a in dict.fromkeys(others) if a not in chosen]
    if event_type == "Battles" and not ones and len(twos) >= 2:
        ones, twos = twos[:1], twos[1:]  # "clashes between ISIS militants and the Iraqi army"
    # A party with no row (_UNLISTED) is taken only when its side names no listed actor.
    actor1 = next((a for a in ones if a != _UNLISTED), "") or (_UNLISTED if ones else "")
    actor2 = next((a for a in twos if a not in (actor1, _UNLISTED)), "") \
        or next((a for a in ones[1:] if a not in (actor1, _UNLISTED)), "") \
        or (_UNLISTED if _UNLISTED in twos else "")
    for extra in others:
        if not actor1:
            actor1 = extra
        elif not actor2 and extra != actor1:
            actor2 = extra
    remote = event_type == "Explosions/Remote violence" and draft.rule.sub_event_type != "Air/drone strike"
    if violent and not actor1 and (actor2 or remote):
        actor1 = UNIDENTIFIED_ACTOR  # a bomb or a shell with no one named behind it
    # "Syrian army troops shelled ...": named, but with no row; it kept its side from Iraq's
    # army and the unidentified group, and is written as no actor.
    actor1, actor2 = ("" if a == _UNLISTED else a for a in (actor1, actor2))
    if event_type in ("Protests", "Riots") and (not actor1 or rules.kind.get(actor1) == "civilians"):
        actor1 = rules.crowd  # "hundreds of Kurds demonstrated", "teachers protested"
    if draft.rule.sub_event_type in rules.disruption_types:
        # "explosive devices planted by IS were defused by security forces": who disrupted
        # the weapons is actor1 (ACLED's Disrupted weapons use); their author at most actor2.
        authors = {a for s, e in draft.sentences for a in _weapon_authors(rules, body[s:e])}
        if actor1 in authors:
            actor1, actor2 = ("" if actor2 in authors else actor2), actor1
        if not actor1:  # "IEDs planted by ISIS were defused": the state's forces (ACLED)
            actor1 = rules.disruption_default
    if actor2 == actor1:
        actor2 = ""
    return actor1, actor2


def _notes(row: dict, draft: _Draft, subtype: str) -> str:
    d = draft.event_date  # month names from our own table: strftime's follow the locale
    when = f"On {d.day} {_MONTHS[d.month - 1].capitalize()} {d.year}" if d else "On an unknown date"
    who = row["actor1"] or "unidentified actors"
    if row["actor2"]:
        who += f" and {row['actor2']}"
    where = f" in {row['location']}" + (f" ({row['admin1']})" if row["admin1"] else "") if row["location"] else ""
    return f"{when}, {subtype}: {who}{where}."


def mention_rows(result: ParseResult) -> list[dict]:
    """One row per mention (columns of geo.schema.MENTION_COLUMNS, geometry as (lon, lat))."""
    rows = []
    for m in result.mentions:
        row = {"report_id": result.report.id, "text": m.text, "start": m.start, "end": m.end,
               "place_id": m.place_id, "name": m.name, "type": m.type, "role": m.role,
               "confidence": m.confidence, "lat": m.lat, "lon": m.lon,
               "geometry": (m.lon, m.lat) if m.lat is not None else None}
        rows.append(row)
    return rows


# --- public API ------------------------------------------------------------------------------------

def _gazetteer(gazetteer: "Gazetteer | None") -> "Gazetteer":
    if gazetteer is not None:
        return gazetteer
    from geo.gazetteer import Gazetteer

    return Gazetteer.default()


def report_events(report: Report, gazetteer: "Gazetteer | None" = None) -> ReportEvents:
    """Parse one report and build its event and mention rows."""
    gaz = _gazetteer(gazetteer)
    result = geoparse(report, gaz)
    assign_roles(result)
    rows = event_rows(result, gaz)
    warnings = [f"{report.id}: {w}" for w in report.warnings]
    warnings += [f"{report.id}: event {r['event_id']}: {w}" for r in rows for w in r["warnings"].split("; ") if w]
    if not rows:
        warnings.append(f"{report.id}: no event found in the text")
    return ReportEvents(report.id, rows, mention_rows(result), warnings)


def events_from_reports(reports: Iterable[Report], gazetteer: "Gazetteer | None" = None) -> EventsResult:
    """Events of `reports` as GeoDataFrames.

    Parameters
    ----------
    reports: Report objects (see geo.reports.read_reports).
    gazetteer: the places; the built-in gazetteer when None.

    Returns an EventsResult (`events`, `mentions`, `reports`, `failures`, `warnings`).
    """
    gaz = _gazetteer(gazetteer)
    kept, events, mentions, warnings = [], [], [], []
    for report in reports:
        kept.append(report)
        out = report_events(report, gaz)
        events += out.events
        mentions += out.mentions
        warnings += out.warnings
    return EventsResult(_frame(events, EVENT_COLUMNS), _frame(mentions, MENTION_COLUMNS),
                        kept, [], warnings)


def events_from_inputs(inputs: list[str | Path], gazetteer: "Gazetteer | None" = None,
                       fmt: str = "auto") -> EventsResult:
    """Events of the report files and folders `inputs` (`-` for stdin; `fmt` as for
    geo.reports.read_reports). Files that cannot be read are listed in `.failures`; the
    others still go through."""
    failures: list[str] = []
    result = events_from_reports(read_reports(inputs, failures, fmt=fmt), gazetteer)
    result.failures = failures
    return result


def _frame(rows: list[dict], columns: list[str]):
    import geopandas as gpd
    from shapely.geometry import Point

    geometry = [Point(r["geometry"]) if r["geometry"] is not None else None for r in rows]
    data = [{c: r[c] for c in columns if c != "geometry"} for r in rows]
    import pandas as pd

    frame = pd.DataFrame(data, columns=[c for c in columns if c != "geometry"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=settings.CRS_WGS84),
                            crs=settings.CRS_WGS84)[columns]


# --- GeoJSON ------------------------------------------------------------------------------------------

# The same shape as `geo export --format geojson` writes its events layer: a named
# collection, the event id as each feature's id, one feature a line.
GEOJSON_HEAD = '{"type": "FeatureCollection", "name": "events", "features": [\n'
GEOJSON_TAIL = "\n]}\n"


def feature_json(row: dict) -> str:
    """One GeoJSON Feature (properties in EVENT_COLUMNS order, coordinates to 6 decimals)."""
    props = {c: plain(row.get(c)) for c in EVENT_COLUMNS if c != "geometry"}
    geom = row.get("geometry")
    if geom is not None and not isinstance(geom, tuple):
        geom = None if geom.is_empty else (geom.x, geom.y)
    geometry = None if geom is None else {"type": "Point",
                                          "coordinates": [round(geom[0], 6), round(geom[1], 6)]}
    feature = {"type": "Feature"}
    if props.get("event_id") is not None:
        feature["id"] = props["event_id"]
    feature.update(geometry=geometry, properties=props)
    return json.dumps(feature, ensure_ascii=False, allow_nan=False)


def events_to_geojson(events) -> str:
    """The events GeoDataFrame as a GeoJSON FeatureCollection string: one feature a line,
    the same bytes on every run for the same events."""
    features = [feature_json(row) for row in events.to_dict(orient="records")]
    return GEOJSON_HEAD + ",\n".join(features) + GEOJSON_TAIL


@dataclass
class GeoJSONRun:
    """What write_events_geojson did: reports read, events written, the ids of the reports
    that gave no event, the first warnings, and the errors of unreadable reports."""

    reports: int = 0
    events: int = 0
    no_event: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def write_events_geojson(inputs: Iterable[str | Path], output: str | Path | None = None,
                         max_warnings: int = 100, **stream) -> GeoJSONRun:
    """Stream the events of `inputs` into one GeoJSON FeatureCollection: to `output`, written
    atomically (an earlier file stays as it was until the new one is complete, and is kept
    if the run fails), or to standard output when None. `stream` goes to iter_events
    (workers, extra_places, fmt, progress)."""
    from geo._atomic import atomic_files, check_folder

    run = GeoJSONRun()

    def write(out) -> None:
        # The head waits for the first report: inputs with no report write nothing at all.
        for item in iter_events(inputs, failures=run.failures, **stream):
            if not run.reports:
                out.write(GEOJSON_HEAD)
            run.reports += 1
            if not item.events:
                run.no_event.append(item.report_id)
            if len(run.warnings) < max_warnings:
                run.warnings.extend(item.warnings[:max_warnings - len(run.warnings)])
            for row in item.events:
                out.write((",\n" if run.events else "") + feature_json(row))
                run.events += 1
        if run.reports:
            out.write(GEOJSON_TAIL)

    if output is None:
        write(sys.stdout)
        return run
    output = Path(output)
    check_folder(output.parent, output)  # fail before reading thousands of reports, not after
    with atomic_files([output]) as temps:
        with open(temps[0], "w", encoding="utf-8", newline="\n") as out:
            write(out)
        if not run.reports:
            temps.discard()  # every report failed: the earlier file stays, the new one goes
    return run


# --- streaming -----------------------------------------------------------------------------------------

_WORKER_GAZ = None


def _worker_init(extra_places: tuple[str, ...]) -> None:
    global _WORKER_GAZ
    from geo.gazetteer import Gazetteer

    _WORKER_GAZ = Gazetteer.default(extra_places=extra_places)


def _events_of_reports(reports: list[Report]) -> list[ReportEvents]:
    return [report_events(r, _WORKER_GAZ) for r in reports]


def iter_events(inputs: Iterable[str | Path], gazetteer: "Gazetteer | None" = None,
                failures: list[str] | None = None, workers: int | None = None,
                extra_places: tuple[str, ...] = (), progress: bool | None = None,
                fmt: str = "auto") -> Iterator[ReportEvents]:
    """Events report by report, in input order, in constant memory.

    Parameters
    ----------
    inputs: files, folders or `-`.
    gazetteer: the places (in one process only; workers load the default gazetteer plus
        `extra_places`).
    failures: a list that collects each unreadable file's or record's error.
    workers: processes to use; by default both cores when the input is large (at least
        settings.STREAM_PARALLEL_MIN_FILES files or STREAM_PARALLEL_MIN_BYTES of text).
    progress: a progress bar on stderr (files read, reports done); by default only when
        stderr is a terminal.
    fmt: the input format, as for geo.reports.read_reports.

    Reports are read in this process and handed to the workers in batches, with only a few
    batches in flight, so one 10,000-line JSON Lines file streams like 10,000 files.
    """
    failures = failures if failures is not None else []
    paths = list(iter_report_files(inputs, failures))  # names only: small even for 10,000 files
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if _large_input(paths) else 1
    if gazetteer is not None:
        workers = 1
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(paths)) if show else None
    reports = _reports_of(paths, failures, fmt, bar)
    try:
        if workers <= 1:
            if gazetteer is None:
                from geo.gazetteer import Gazetteer

                gazetteer = Gazetteer.default(extra_places=extra_places)
            for report in reports:
                out = report_events(report, gazetteer)
                _advance(bar, done=1)
                yield out
        else:
            for out in _parallel(reports, workers, extra_places):
                _advance(bar, done=1)
                yield out
    finally:
        if bar is not None:
            bar[0].stop()


def _large_input(paths: list[str]) -> bool:
    if len(paths) >= settings.STREAM_PARALLEL_MIN_FILES:
        return True
    size = 0
    for path in paths:
        try:
            size += os.stat(path).st_size
        except OSError:
            continue  # stdin, or a file that the reader will report as unreadable
    return size >= settings.STREAM_PARALLEL_MIN_BYTES


def _reports_of(paths: list[str], failures: list[str], fmt: str, bar) -> Iterator[Report]:
    ids = ReportIds()  # one for all the files: a report id is unique across them
    for path in paths:
        yield from read_reports([path], failures, fmt=fmt, ids=ids)
        _advance(bar, files=1)


def _parallel(reports: Iterator[Report], workers: int, extra_places: tuple[str, ...]) -> Iterator[ReportEvents]:
    """Batches of reports through a pool, results in input order, a bounded number of
    batches in flight (Pool.imap would read the whole input ahead)."""
    import multiprocessing as mp
    from collections import deque
    from itertools import islice

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(workers, initializer=_worker_init, initargs=(tuple(extra_places),)) as pool:
        pending: deque = deque()
        while True:
            batch = list(islice(reports, settings.STREAM_BATCH_REPORTS))
            if batch:
                pending.append(pool.apply_async(_events_of_reports, (batch,)))
            while pending and (len(pending) > settings.STREAM_BATCHES_IN_FLIGHT * workers or not batch):
                yield from pending.popleft().get()
            if not batch:
                return


def _advance(bar, files: int = 0, done: int = 0) -> None:
    if bar is not None:
        progress, task, counter = bar
        if files:
            progress.advance(task, files)
        if done:
            counter[0] += done
            progress.update(task, reports=counter[0])


def _progress(total: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("files"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[reports]} reports done"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("events", total=total, reports=0)
    bar.start()
    return bar, task, [0]
