"""Geoparsing: every place a report names, with its offsets, gazetteer place, role and confidence.

How it works, in one pass over the text:

1. The body is folded character by character (lower case, diacritics and Arabic/Kurdish letter
   variants folded, apostrophes and punctuation to spaces) through a code-point table in
   numpy, which keeps one character per character; runs of spaces and dropped marks
   (harakat, tatweel) are then squeezed out, and an offset array maps every squeezed
   character back to the original text.
2. An Aho-Corasick automaton (pyahocorasick), built once per gazetteer, holds every gazetteer
   name and alias, ` name ` with a space either side so that only whole words match, plus
   the names that must never be places (outlets, actors, adjectives from data/geoparse.yaml).
   All hits are collected and the longest non-overlapping ones win: "Second Qaratapa-Hamrin
   Sector" is the sector, "Kurdistan 24" the outlet (so not the region).
3. Each hit is checked: a lower-case Latin word is not a name (unless it is an article or a
   type word: "al-Muqdadiyah", "lake Hamrin"); a stop-list word (Top, Tal, Sur) needs a type
   word beside it; a name inside a person's name ("General Imad Al-Maliki", "Saleh Hadhar,
   the commander of") is dropped. A type word beside a name narrows its candidates
   ("Diyala province", "the district of Kifri"; not "Zakho district of Dahuk").
4. Ambiguous names are decided by score: the match (canonical name, alias), the study region,
   the type the text implies, population, and nearness to the report's unambiguous places.
5. Capitalised names in place position ("in X", "X district") that the automaton did not know
   are tried against the resolver's fuzzy matching; those that still fail are `unresolved`.

Roles: `dateline` for the dateline's place, `event` for the place the event step locates an
event at, `mention` for the rest.
"""
from __future__ import annotations

import math
import re
import unicodedata
import weakref
from bisect import bisect_right
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from geo import settings
from geo._geoparse_rules import geoparse_rules
from geo._text import TYPE_WORDS, compact, fold, fold_text, name_key, normalize  # noqa: F401 (fold_text: re-exported)
from geo.reports import Report

if TYPE_CHECKING:  # the gazetteer is imported lazily: `geo parse --help` stays fast
    from geo.gazetteer import Gazetteer, Place

ROLES = ("dateline", "event", "mention")

# Types a place's name stands for when no type word says otherwise: the populated place
# before the admin unit or feature of the same name ("Kirkuk" is the city).
_TYPE_RANK = {t: i for i, t in enumerate((
    "city", "town", "governorate", "district", "subdistrict", "village", "region", "sector",
    "front", "command_area", "military_base", "site", "mountain", "lake", "dam", "river",
    "valley", "country"))}
SETTLEMENTS = frozenset({"city", "town", "village"})
# A command area's name lists the towns it covers: those towns are mentions too.
_NAMES_ITS_TOWNS = frozenset({"command_area"})
# Places never meant by their name without its type word: "Mosul" is the city, never the
# Mosul Dam; "Dukan" the town, not Lake Dukan.
_NO_BARE_NAME = frozenset({"dam", "lake", "command_area", "military_base", "site"})
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# Arabic writes "and", "in", "to" and the article joined to the name (وكركوك, بالموصل).
_ARABIC_PREFIXES = ("ال", "وال", "بال", "لل", "و", "ب", "ل")
# The proclitics before a word of more than two letters (و ف, then ب ل ك).
_ARABIC_PROCLITIC = re.compile(r"^(?:[وف][بلك]?|[بلك])(?=\S{3})")
_BULK_ARABIC_PREFIXES = ("ال",)


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to build, and there are many
class Mention:
    """One place mention: `body[start:end] == text`."""

    text: str
    start: int
    end: int
    place_id: str | None
    name: str
    type: str
    lat: float | None
    lon: float | None
    role: str = "mention"
    confidence: float = 0.0
    match: str = ""  # "exact", "alias", "normalized" or "fuzzy"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParseResult:
    """The mentions of one report, in text order, and the names seen but not resolved."""

    report: Report
    mentions: list[Mention]
    unresolved: list[str]
    warnings: list[str] = field(default_factory=list)
    #: Event drafts found by geo.events while assigning roles (reused by the event step).
    drafts: list = field(default_factory=list, repr=False)
    #: The gazetteer the mentions were resolved in (the event step reads their admin units).
    gazetteer: object = field(default=None, repr=False, compare=False)
    #: (start, end) of a mention -> how context chose it among namesakes ("namesake chosen by
    #: the province named").
    notes: dict = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {"report": self.report.to_dict(),
                "mentions": [m.to_dict() for m in self.mentions],
                "unresolved": list(self.unresolved), "warnings": list(self.warnings)}


# --- the automaton, once per gazetteer -------------------------------------------------------

class _Entry(NamedTuple):
    """One way a key names a place: place index, score, match kind, the name as written.
    (Named tuples, not dataclasses: the prebuilt automaton holds 100,000 of them, and tuples
    unpickle several times faster.)"""

    index: int
    score: float
    match: str
    matched: str
    core: bool  # the name with its type word dropped ("Hamrin" of "Hamrin Mountains")
    bulk: bool = False  # a bulk-tier name (WOF, a GeoNames import): counts only in place position


class _Payload(NamedTuple):
    length: int  # of the key (the name as folded)
    entries: tuple[_Entry, ...]
    blocker: str | None  # "outlet", "actor", "adjective", or None for a place name
    stop: bool           # a stop-list word: a place only with a type word beside it
    names_towns: bool = False  # a command area's name, whose towns are mentions too
    bulk: bool = False   # every entry is a bulk-tier name (see _gate_bulk)


# The automaton's values are ints, not payload objects: 150,000 keys of objects made the
# prebuilt automaton three times larger and slower to load. A value packs the key's length
# and flags in its low 16 bits, then 40 bits per entry: place index, the name's position among
# the place's names (the name itself is read back from the place), and whether the key is the
# name as folded (else a normalized form), the name without its type word, a bulk name.
_BLOCKERS = (None, "adjective", "actor", "outlet")
_HEADER_BITS, _ENTRY_BITS = 16, 40


def _pack_payload(key: str, entries, blocker, stop: bool, names_towns: bool, gaz) -> int:
    bulk = bool(entries) and all(e.bulk for e in entries)
    value = (min(len(key), 1023) | _BLOCKERS.index(blocker) << 10 | stop << 12
             | names_towns << 13 | bulk << 14)
    for n, e in enumerate(entries):
        names = gaz.places[e.index].all_names()
        j = names.index(e.matched)
        own = e.match in ("exact", "alias")
        packed = e.index << 11 | j << 3 | own << 2 | e.core << 1 | e.bulk
        value |= packed << (_HEADER_BITS + _ENTRY_BITS * n)
    return value


def _unpack_payload(value: int, gaz) -> _Payload:
    header = value & 0xFFFF
    entries = []
    rest = value >> _HEADER_BITS
    mask = (1 << _ENTRY_BITS) - 1
    while rest:
        packed = rest & mask
        rest >>= _ENTRY_BITS
        index, j = packed >> 11, (packed >> 3) & 0xFF
        own, core, bulk = bool(packed & 4), bool(packed & 2), bool(packed & 1)
        matched = gaz.places[index].all_names()[j]
        if own:
            score, match = (settings.SCORE_EXACT, "exact") if j == 0 else (settings.SCORE_ALIAS, "alias")
        else:
            score, match = settings.SCORE_NORMALIZED, "normalized"
        entries.append(_Entry(index, score, match, matched, core, bulk))
    if any(not e.bulk for e in entries):
        # A curated name's bulk namesakes (WOF's village 'Sulaymaniyah' in Karbala, a spelling
        # a WOF record brought to a curated row) rank below every curated reading of it.
        entries = [e._replace(score=min(e.score, settings.SCORE_NORMALIZED) - settings.BULK_NAMESAKE_PENALTY)
                   if e.bulk else e for e in entries]
    return _Payload(header & 1023, tuple(entries), _BLOCKERS[(header >> 10) & 3],
                    bool(header & 4096), bool(header & 8192), bool(header & 16384))


class _Index:
    """The Aho-Corasick automaton of one gazetteer and the lookups the parser needs."""

    def __init__(self, gaz: "Gazetteer"):
        import ahocorasick

        self.gaz = gaz
        self._set_rules()
        table: dict[str, dict[int, _Entry]] = {}

        def add(key: str, entry: _Entry) -> None:
            if not key or (entry.bulk and sum(ch.isalpha() for ch in key) < 3):
                return  # a bulk name of digits or two letters ("قرية ٩" is "9") names nothing
            old = table.setdefault(key, {}).get(entry.index)
            # The better way of naming the place wins; a curated way before a bulk one.
            if old is None or (entry.score, not entry.core, not entry.bulk) > (old.score, not old.core, not old.bulk):
                table[key][entry.index] = entry

        from geo._text import split_type_word

        for i, place in enumerate(gaz.places):
            bulk_place = place.tier != "curated"
            for j, name in enumerate(place.all_names()):
                bulk = bulk_place or name in place.bulk_names
                score, kind = (settings.SCORE_EXACT, "exact") if j == 0 else (settings.SCORE_ALIAS, "alias")
                own = name_key(name)
                for key in self._variants(name, bulk):
                    add(key, _Entry(i, score if key == own else settings.SCORE_NORMALIZED,
                                    kind if key == own else "normalized", name, False, bulk))
                core, types = split_type_word(normalize(name))
                if types is not None and core and place.type in types \
                        and place.type not in _NO_BARE_NAME:
                    for key in self._variants(core, bulk):
                        add(key, _Entry(i, settings.SCORE_NORMALIZED, "normalized", name, True, bulk))
        rules = geoparse_rules()
        blockers: dict[str, str] = {}
        for kind, words in (("adjective", rules.adjectives), ("actor", rules.actors),
                            ("outlet", rules.outlets)):
            for word in words:
                blockers.setdefault(name_key(word), kind)
        automaton = ahocorasick.Automaton()
        for key in sorted(set(table) | set(blockers)):
            entries = tuple(sorted(table.get(key, {}).values(), key=lambda e: e.index))
            # A blocker shadows a place of the very same key only when it is an outlet or an
            # actor; an adjective never equals a place name in practice, but if it does the
            # place wins (a gazetteer row is a reviewed decision); over a bulk name it does not
            # ("Sunni Arab province" is no village 'Arab').
            blocker = blockers.get(key) if not entries or blockers.get(key) in ("outlet", "actor") \
                or all(e.bulk for e in entries) else None
            names_towns = any(gaz.places[e.index].type in _NAMES_ITS_TOWNS for e in entries)
            automaton.add_word(f" {key} ", _pack_payload(key, entries, blocker, key in self.stop,
                                                         names_towns, gaz))
        automaton.make_automaton()
        self.automaton = automaton
        self.payloads: dict[int, _Payload] = {}

    def payload(self, packed: int) -> _Payload:
        """The payload of an automaton value (decoded once per key met)."""
        found = self.payloads.get(packed)
        if found is None:
            found = self.payloads[packed] = _unpack_payload(packed, self.gaz)
        return found

    def _set_rules(self) -> None:
        """The rules and caches that are not the automaton (also after a prebuilt load)."""
        rules = geoparse_rules()
        self.stop = frozenset(name_key(w) for w in rules.stop_names)
        self.not_names = frozenset(rules.not_names)
        self.given_names = rules.given_names
        self.building_words = rules.building_words
        self.type_words = {name_key(w): types for w, types in TYPE_WORDS.items()}
        self.max_type_words = max(len(w.split()) for w in self.type_words)
        self.type_tails = frozenset(w.split()[-1] for w in self.type_words)
        self.type_heads = frozenset(w.split()[0] for w in self.type_words)
        # Words before a bulk-tier name that put it in a place's position, by word count.
        position = [name_key(w) for w in (*rules.place_prepositions, *rules.bulk_place_words)]
        self.position_words = frozenset(w for w in position if w)
        self.not_position_words = frozenset(name_key(w) for w in rules.bulk_not_after if name_key(w))
        self.max_position_words = max((len(w.split()) for w in (*self.position_words, *self.not_position_words)),
                                      default=1)
        links = sorted({w.strip().lower() for w in rules.container_links if w.strip()}, key=lambda w: (-len(w), w))
        self.container_link = re.compile(
            r"\s*(?:" + "|".join(re.escape(w) + (r"\s" if w[-1].isalnum() else "") for w in links)
            + r")\s*(?:the\s+)?$", re.IGNORECASE) if links else None
        # Unknown names already sent to the resolver (fuzzy matching is the slow path).
        self.resolved: dict[str, list] = {}
        self.static_scores: dict[tuple, float] = {}  # see _static_score

    # A prebuilt copy (index_for) keeps the automaton; the rest is cheap to make again.
    def __getstate__(self) -> dict:
        return {"automaton": self.automaton}

    def __setstate__(self, state: dict) -> None:
        self.automaton = state["automaton"]
        self.payloads = {}
        self._set_rules()

    @staticmethod
    def _variants(name: str, bulk: bool = False) -> set[str]:
        """Keys a name is found under: as folded, normalized (article, apostrophes), joined
        ("Qara Tapa" also as "qaratapa"), and, in Arabic script, with the joined prefixes
        (a bulk-tier name with the article only: "and", "in", "to" joined to 20,000 village
        names would double the automaton for names that need a place's position anyway)."""
        keys = {name_key(name), name_key(normalize(name))}
        base = name_key(normalize(name))
        words = base.split()
        if not bulk and 2 <= len(words) <= 3 and all(w.isalpha() and w.isascii() for w in words) \
                and len("".join(words)) >= 7:
            keys.add("".join(words))
        if _ARABIC.search(base) and " " not in base:
            keys.update(p + base for p in (_BULK_ARABIC_PREFIXES if bulk else _ARABIC_PREFIXES))
        return {k for k in keys if k}


_INDEXES: "weakref.WeakKeyDictionary[Gazetteer, _Index]" = weakref.WeakKeyDictionary()


def index_for(gaz: "Gazetteer") -> _Index:
    """The automaton for `gaz`, built on first use and kept while the gazetteer lives. For a
    gazetteer loaded from its files by `Gazetteer.default()` (it has a `fingerprint`), a
    prebuilt automaton is kept in the cache folder under that key, like the gazetteer's own."""
    idx = _INDEXES.get(gaz)
    if idx is None:
        key = getattr(gaz, "fingerprint", None)
        if key:
            from geo.gazetteer import load_prebuilt, save_prebuilt

            idx = load_prebuilt("parse", key)
            if isinstance(idx, _Index):
                idx.gaz = gaz
            else:
                idx = _Index(gaz)
                save_prebuilt("parse", key, idx)
        else:
            idx = _Index(gaz)
        _INDEXES[gaz] = idx
    return idx


# --- parsing ----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Hit:
    start: int       # squeezed offsets of the name (without the padding spaces)
    end: int
    payload: _Payload
    ostart: int = 0  # original offsets
    oend: int = 0
    types: frozenset | None = None  # types a neighbouring type word implies
    typed_span: tuple[int, int] | None = None  # original span including the type word
    inflected: bool = False  # found without an ending or a proclitic its language joined on
    entries: tuple | None = None  # the payload's entries less the bulk ones (see _gate_bulk)


def mark_event_places(result: ParseResult, spans: set[tuple[int, int]]) -> None:
    """Give role `event` to the mentions at `spans` (start, end) that have none other (a
    dateline stays a dateline). Which places are events' is the event step's decision
    (geo.events.assign_roles); the roles are the geoparser's."""
    if spans:
        result.mentions = [
            replace(m, role="event") if (m.start, m.end) in spans and m.role == "mention" else m
            for m in result.mentions]


def geoparse(report: Report, gazetteer: "Gazetteer | None" = None) -> ParseResult:
    """Mentions without event roles (dateline or mention): the geoparser proper."""
    if gazetteer is None:
        from geo.gazetteer import Gazetteer

        gazetteer = Gazetteer.default()
    idx = index_for(gazetteer)
    body = report.body
    squeezed, offsets = fold_text(body)
    padded = f" {squeezed} "
    hits = _select_longest(_all_hits(idx, padded))
    langs = report_languages(report)
    words = _language_words(frozenset(langs.present)) if langs.present != {"en"} else None
    if words is not None and (words.suffixes or "ar" in langs.present):
        hits = _inflected_hits(idx, padded, hits, langs, offsets, words)
    kept: list[_Hit] = []
    blocked: list[tuple[int, int]] = []
    offs = offsets.tolist()  # plain ints: indexing a list is much cheaper than numpy's
    n = len(body)
    for hit in hits:
        hit.ostart = offs[hit.start]
        end = offs[hit.end - 1] + 1
        # Most names end at a space or punctuation: only a letter after needs the slow path.
        hit.oend = _word_end(body, end) if end < n and (body[end].isalpha() or not body[end].isascii()) else end
        if hit.payload.blocker or not hit.payload.entries:
            blocked.append((hit.ostart, hit.oend))
            continue
        prev = _prev_word(body, hit.ostart)
        if not _is_name_form(body, hit.ostart) or prev in idx.given_names \
                or _in_person_name(body, hit.ostart, hit.oend, prev):
            blocked.append((hit.ostart, hit.oend))
            continue
        _attach_type_word(idx, hit, body, prev)
        if hit.types is None and (hit.payload.stop or (
                words is not None and padded[hit.start + 1:hit.end + 1] in words.stop.get(langs.at(hit.ostart), ()))):
            # "Top", "Tal"; in Arabic "شمال" (north), in Sorani "گوت" (said): words first
            blocked.append((hit.ostart, hit.oend))
            continue
        kept.append(hit)
    kept = _gate_bulk(idx, kept, body)
    notes: dict = {}
    mentions = _resolve_hits(idx, report, kept, body, notes)
    mentions.extend(_town_mentions(idx, report, kept, padded, offsets, body))
    extra, unresolved = _unknown_names(gazetteer, idx, body, mentions, blocked)
    mentions.extend(extra)
    mentions.sort(key=lambda m: (m.start, -m.end))
    return ParseResult(report, mentions, unresolved, gazetteer=gazetteer, notes=notes)


def report_languages(report: Report):
    """The language of each sentence of `report` (geo._lang.languages): its own `lang`, if
    it gives one, decides."""
    from geo._lang import languages

    return languages(report.body, getattr(report, "lang", None) or settings.REPORT_LANG)


@dataclass(frozen=True)
class _LanguageWords:
    """What the geoparser reads in the language packs of data/lang/: per language, the folded
    words that are names only with a type word beside them (`stop`), and the endings a name
    takes (`suffixes`, folded, longest first)."""

    stop: dict
    suffixes: dict
    spellings: dict = field(default_factory=dict)  # language -> ((from, to), ...), folded


@lru_cache(maxsize=16)
def _language_words(present: frozenset) -> _LanguageWords:
    from geo._lang import arabic_keys, packs

    stop, suffixes, spellings = {}, {}, {}
    for code in present:
        pack = packs().get(code)
        if pack is None:
            continue
        keys = set()
        for word in pack.geoparse_strings("stop_names"):
            keys.add(name_key(word))
            if pack.script == "arabic" and code == "ar":
                keys.update(arabic_keys(word))
        stop[code] = frozenset(keys)
        ends = sorted({name_key(w) for w in pack.geoparse_strings("suffixes") if name_key(w)},
                      key=lambda w: (-len(w), w))
        if ends:
            suffixes[code] = tuple(ends)
        pairs = (pack.data.get("geoparse") or {}).get("spellings") or []
        folded = tuple((name_key(str(a)) if str(a).strip() else "", name_key(str(b)) if str(b).strip() else "")
                       for a, b in pairs)
        if folded:
            spellings[code] = tuple((a, b) for a, b in folded if a)
    return _LanguageWords(stop, suffixes, spellings)


def _respelled(stem: str, pairs) -> str | None:
    """`stem` as the gazetteer may spell it (see the packs' geoparse.spellings), its first
    letter kept; None when nothing changes or too little is left."""
    if not pairs:
        return None
    out = stem
    for a, b in pairs:  # a letter dropped is never the first (Sorani "هەولێر" starts with h)
        out = out[:1] + out[1:].replace(a, b) if not b else out.replace(a, b)
    return out if out != stem and len(out.replace(" ", "")) >= 4 else None


_TOKEN = re.compile(r"\S+")


def _inflected_hits(idx: _Index, padded: str, hits: list[_Hit], langs, offsets,
                    words: _LanguageWords) -> list[_Hit]:
    """Names written with an ending of their language joined on (Kurmanji "li Kerkûkê",
    "Daqûqê"; Sorani "لە کەرکووکدا", "داقووقەوە"): a word (or the second of two words) that
    the automaton did not find whole is looked up without each ending of its sentence's
    language, the longest name first. A hit that only matched a place's name without its type
    word ("Şengalê" of "Çiyayê Şengalê") gives way to the name of its stem ("Şengal")."""
    covered = sorted((h.start, h.end) for h in hits)
    starts = [c[0] for c in covered]
    weak = {h.start: h for h in hits if h.payload.entries and all(e.core for e in h.payload.entries)}
    offs = offsets
    extra: list[_Hit] = []
    tokens = [(m.start() - 1, m.end() - 1, m.group()) for m in _TOKEN.finditer(padded)]
    for k, (start, end, token) in enumerate(tokens):
        i = bisect_right(starts, start) - 1
        inside = i >= 0 and covered[i][1] > start
        if inside and start not in weak:
            continue
        lang = langs.at(int(offs[min(start, len(offs) - 1)]))
        ends = words.suffixes.get(lang)
        if lang == "ar" and not inside and k + 1 < len(tokens):
            # "وسيد صادق", "بخان بني سعد": a proclitic on a name of several words (names of
            # one word are indexed with their proclitics already)
            bare = _ARABIC_PROCLITIC.sub("", token)
            if bare != token:
                for n_words in (3, 2):
                    phrase = " ".join([bare] + [t[2] for t in tokens[k + 1:k + n_words]])
                    value = idx.automaton.get(f" {phrase} ", None)
                    payload = None if value is None else idx.payload(value)
                    if payload is not None and payload.entries and not payload.blocker:
                        shift = len(token) - len(bare)
                        hit = _Hit(start, start + shift + len(phrase), payload)
                        hit.inflected = True
                        extra.append(hit)
                        # a shorter name inside it ("بني سعد") gives way
                        hits = [h for h in hits if not (hit.start <= h.start and h.end <= hit.end)]
                        break
            continue
        if not ends:
            continue
        found = None
        for n_words in (2, 1):
            if n_words == 2:
                if k == 0 or (i >= 0 and covered[i][1] > tokens[k - 1][0]):
                    continue
                first = tokens[k - 1]
                phrase_start, phrase = first[0], first[2] + " " + token
            else:
                phrase_start, phrase = start, token
            pairs = words.spellings.get(lang)
            for suffix in (*ends, ""):
                if phrase.endswith(suffix) and len(phrase) - len(suffix) >= 3:
                    stem = phrase[:len(phrase) - len(suffix)]
                    other = _respelled(stem, pairs)
                    # the stem as written, then as the gazetteer may spell it ("" ending: only that)
                    for key in ([stem] if suffix else []) + ([other] if other else []):
                        value = idx.automaton.get(f" {key} ", None)
                        payload = None if value is None else idx.payload(value)
                        if payload is not None and payload.entries and not payload.blocker \
                                and not all(e.core for e in payload.entries):
                            found = (phrase_start, phrase_start + len(stem), payload)
                            break
                    if found:
                        break
            if found:
                break
        if found is None:
            continue
        if inside:  # the stem's own name replaces a name found only without its type word
            hits = [h for h in hits if h is not weak[start]]
        hit = _Hit(*found)
        hit.inflected = True
        extra.append(hit)
    if not extra:
        return hits
    return sorted(hits + extra, key=lambda h: h.start)


def _all_hits(idx: _Index, padded: str) -> list[tuple[int, int, _Payload]]:
    """Every automaton hit as (start, end, payload) in squeezed offsets. The key is
    " name ": its last character sits at `end` in `padded`, the name ends one before, and
    squeezed offsets are one less than padded ones (the leading pad)."""
    payload = idx.payload
    out = []
    for end, value in idx.automaton.iter(padded):
        found = payload(value)
        out.append((end - found.length - 1, end - 1, found))
    return out


def _word_end(body: str, end: int) -> int:
    """Extend a name's end over letters the folding dropped (a final hamza: جلولاء) and
    combining marks, never over an apostrophe or punctuation."""
    n = len(body)
    while end < n:
        ch = body[end]
        if ch.isalpha() or (not ch.isascii() and unicodedata.category(ch)[0] == "M"):
            end += 1
        else:
            break
    return end


def _select_longest(hits: list[tuple[int, int, _Payload]]) -> list[_Hit]:
    """Leftmost-longest non-overlapping hits, in text order: at each place the longest name
    that starts there ("Second Qaratapa-Hamrin Sector", not "Qaratapa")."""
    chosen: list[_Hit] = []
    last_end = -1
    for start, end, payload in sorted(hits, key=lambda h: (h[0], h[0] - h[1])):
        if start >= last_end:
            chosen.append(_Hit(start, end, payload))
            last_end = end
    return chosen


# Lower-case starts that still make a name: the Arabic article ("al-Muqdadiyah") and a type
# word that is part of the name ("lake Hamrin", "mount Sinjar").
_LOWER_ARTICLE = re.compile(r"(?:al|el|as|ash|ad|adh|an|ar|at|az|lake|mount|mt|jabal|jebel|"
                            r"wadi|camp|river|dam)[- ](?=[A-Z])")


def _is_name_form(body: str, start: int) -> bool:
    """A Latin name starts with a capital ("Sur", or after a lower-case Arabic article:
    "al-Muqdadiyah"); an Arabic-script name always counts."""
    ch = body[start]
    return not (ch.isalpha() and ch.islower()) or bool(_LOWER_ARTICLE.match(body, start))


_PERSON_RE_CACHE: dict[str, re.Pattern] = {}


def _person_patterns() -> tuple[re.Pattern, re.Pattern]:
    if "title" not in _PERSON_RE_CACHE:
        rules = geoparse_rules()
        titles = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in
                          sorted(rules.person_titles, key=lambda t: (-len(t), t)))
        roles = "|".join(re.escape(r) for r in sorted(rules.person_roles, key=lambda t: (-len(t), t)))
        name = r"[A-Z][\w'’-]+(?:\s+(?:al-|Al-|el-|bin\s+|ibn\s+)?[A-Z][\w'’-]+){0,3}"
        _PERSON_RE_CACHE["title"] = re.compile(rf"\b(?:{titles})\.?:?\s+(?P<name>{name})")
        _PERSON_RE_CACHE["role"] = re.compile(
            rf"(?P<name>\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{1,3}}),\s+(?:the\s+|a\s+|an\s+)?"
            rf"(?:[\w-]+\s+){{0,2}}(?:{roles})\b")
    return _PERSON_RE_CACHE["title"], _PERSON_RE_CACHE["role"]


_CAPITALISED_RUN = re.compile(r"(?:\s+(?:al-|Al-|el-|bin\s+|ibn\s+)?[A-Z][\w'’-]+)*")


def _in_person_name(body: str, start: int, end: int, prev: str | None = None) -> bool:
    """Is body[start:end] part of a person's name: after a title ("General Imad Al-Maliki")
    or followed by a role (", the commander of")? Cheap checks first: most places follow a
    lower-case word ("in", "of") and are not followed by ", the commander"."""
    title_re, role_re = _person_patterns()
    if prev is None:
        prev = _prev_word(body, start)
    if prev[:1].isupper():
        for m in title_re.finditer(body, max(0, start - 60), min(len(body), end + 40)):
            if m.start("name") <= start and end <= m.end("name"):
                return True
    if body.find(",", end, end + 60) < 0 or not body[start:start + 1].isupper():
        return False  # no comma near: no ", the commander of" after the name
    run = _CAPITALISED_RUN.match(body, end)
    if body.startswith(",", run.end()):
        for m in role_re.finditer(body, max(0, start - 40), min(len(body), run.end() + 60)):
            if m.start("name") <= start and end <= m.end("name"):
                return True
    return False


_WORD = re.compile(r"[^\W_]+")
_WORDS_AFTER = re.compile(r"[^\W_]+(?:[ \t-]+[^\W_]+){0,2}")


def _attach_type_word(idx: _Index, hit: _Hit, body: str, prev: str) -> None:
    """A type word right after ("Diyala province") or before ("Mount Sinjar", "village of
    Top") the name sets `hit.types` (and, after it, the span including it). Only words on
    the same line with nothing but spaces between count: "the region. Top" is no village."""
    m = None
    if body[hit.oend:hit.oend + 1] in (" ", "\t"):
        first = _WORD.match(body, hit.oend + 1)
        # Cheap test on the next word before reading up to three words.
        if first and name_key(first.group()) in idx.type_heads:
            m = _WORDS_AFTER.match(body, hit.oend + 1)
    if m:
        words = name_key(m.group()).split()
        for n in range(min(idx.max_type_words, len(words)), 0, -1):
            types = idx.type_words.get(" ".join(words[:n]))
            if types:
                # The span grows by the first n words as written.
                ends = [w.end() for w in re.finditer(r"[^\W_]+", m.group())]
                after = _WORD.match(body, m.start() + ends[n - 1] + 1)
                if after and body[m.start() + ends[n - 1]:after.start()] == " " \
                        and after.group().lower() in idx.building_words:
                    return  # "the Kirkuk governorate building" stands in the city
                hit.types = types
                hit.typed_span = (hit.ostart, m.start() + ends[n - 1])
                return
    # Arabic joins "in", "of", "and" to the type word: "بقضاء الحويجة", "لقضاء كفري".
    if prev and _ARABIC.match(prev):
        key = name_key(prev)
        bare = _ARABIC_PROCLITIC.sub("", key)
        if bare != key and key not in idx.type_words and bare in idx.type_words:
            hit.types = idx.type_words[bare]
            return
    # Only a type word or "of" right before the name can start a type phrase.
    raw = _words_before(body, hit.ostart, 4) if prev and (prev.lower() == "of" or name_key(prev) in idx.type_tails) else []
    if raw:
        words = name_key(" ".join(raw)).split()
        of = len(words) >= 2 and words[-1] == "of"
        if of:
            words = words[:-1]  # "the village of Top", "the province of Diyala"
        for n in range(min(idx.max_type_words, len(words)), 0, -1):
            types = idx.type_words.get(" ".join(words[-n:]))
            if types:
                # "Zakho district of Dahuk": the type word belongs to the name before it.
                tokens = body[max(0, hit.ostart - 60):hit.ostart].split()
                owner = tokens[-n - 2].strip("()[],;:'\"’") if of and len(tokens) >= n + 2 else ""
                if not owner[:1].isupper():
                    hit.types = types
                return


_LIST_GAP = re.compile(r"\s*(?:,|،|and|or|&|و|û|u|,\s*and)\s*", re.IGNORECASE)


def _gate_bulk(idx: _Index, hits: list[_Hit], body: str) -> list[_Hit]:
    """Bulk-tier names count only in a place's position (data/geoparse.yaml, bulk_place_words):
    a type word beside the name, a place preposition before it ("in", "near", "villages of",
    "قرب", "li", a joined "ب"), a known place after it ("Bashir, Kirkuk", "Bashir in Hawija",
    "Mazraa (Salah al-Din)"), or a list ("A, B and C") one of whose names is in position. A
    bulk-only name out of position is no mention ("Top officials", "Hamid said"); a curated
    name keeps only its curated places there (its bulk namesakes need the position)."""
    if not any(h.payload.bulk or any(e.bulk for e in h.payload.entries) for h in hits):
        return hits
    n = len(hits)
    mixed = [not h.payload.bulk and any(e.bulk for e in h.payload.entries) for h in hits]
    gated = [h.payload.bulk or mixed[k] for k, h in enumerate(hits)]
    ok = [not g or _in_place_position(idx, h, body) for g, h in zip(gated, hits)]
    # A person's name or a longer name is no place, whatever follows it.
    vetoed = [g and h.types is None and (body[h.ostart:h.oend] in idx.not_names
                                        or _part_of_longer_name(idx, body, h))
              for g, h in zip(gated, hits)]
    # A known place right after: "X, Kirkuk", "X in Hawija district", "X (Diyala)".
    for k in range(n - 1):
        nxt = hits[k + 1]
        if gated[k] and not ok[k] and not vetoed[k] and not nxt.payload.bulk and idx.container_link is not None \
                and nxt.ostart - hits[k].oend <= 12 \
                and idx.container_link.match(body, hits[k].oend, nxt.ostart) \
                and idx.container_link.match(body, hits[k].oend, nxt.ostart).end() == nxt.ostart:
            ok[k] = True
    # Lists: a name joined by a comma or "and" to a name in position is one too.
    changed = True
    while changed:
        changed = False
        for k in range(n):
            if ok[k] or vetoed[k]:
                continue
            for j in (k - 1, k + 1):
                if 0 <= j < n and ok[j] and (hits[j].payload.bulk or gated[j] or not gated[k]):
                    a, b = (hits[j], hits[k]) if j < k else (hits[k], hits[j])
                    gap = _LIST_GAP.fullmatch(body, a.oend, b.ostart)
                    if gap and b.ostart > a.oend:
                        ok[k] = changed = True
                        break
    out = []
    for k, hit in enumerate(hits):
        if ok[k]:
            out.append(hit)
        elif mixed[k]:
            hit.entries = tuple(e for e in hit.payload.entries if not e.bulk)
            out.append(hit)
        # A bulk name left out is not blocked: "in Sayyid Sadik" is still tried as a whole.
    return out


def _in_place_position(idx: _Index, hit: _Hit, body: str) -> bool:
    """A type word beside it that fits (a village names its sub-district: "Zalan
    sub-district"; not "Sunni Arab province"), or a position word right before it."""
    bulk = [e for e in hit.payload.entries if e.bulk]
    if hit.types is not None:
        kinds = {idx.gaz.places[e.index].type for e in bulk}
        return bool(kinds & hit.types) or (bool(kinds & SETTLEMENTS) and hit.types <= _NAMED_BY_CENTRE)
    text = body[hit.ostart:hit.oend]
    if text in idx.not_names or _part_of_longer_name(idx, body, hit):
        return False
    words = _words_before(body, hit.ostart, idx.max_position_words)
    if not words:
        return False
    folded = name_key(" ".join(words)).split()
    tails = [" ".join(folded[-m:]) for m in range(1, len(folded) + 1)]
    if any(t in idx.not_position_words for t in tails):
        return False  # "according to Mustafa"
    return any(t in idx.position_words for t in tails)


# Admin units a village of the same name stands for: its sub-district, its district.
_NAMED_BY_CENTRE = frozenset({"subdistrict", "district"})


def _part_of_longer_name(idx: _Index, body: str, hit: _Hit) -> bool:
    """A Latin name with another capitalised word right beside it is part of a longer name
    ("Sayyid Sadik", "Khalid Mohammed", "Sarhad Qadir", "Jabal Matin"): not a village."""
    if not body[hit.ostart:hit.ostart + 1].isascii():
        return False
    after = _WORD.match(body, hit.oend + 1) if body[hit.oend:hit.oend + 1] == " " else None
    if after and after.group()[:1].isupper() and after.group() not in idx.not_names \
            and name_key(after.group()) not in idx.type_heads:
        return True
    prev = _prev_word(body, hit.ostart)
    return bool(prev[:1].isupper() and prev not in _OPENERS
                and name_key(prev) not in idx.position_words and name_key(prev) not in idx.type_tails)


# Capitalised words before a name that do not make it part of a longer one (a sentence's start).
_OPENERS = frozenset({"The", "A", "An", "And", "But", "Or", "Of", "In", "At", "On", "To", "From",
                      "Near", "By", "For", "With", "Outside", "Around", "Between", "Into", "Via"})


def _prev_word(body: str, start: int) -> str:
    """The word right before `start` when only spaces separate them ("" otherwise)."""
    if start < 2 or body[start - 1] not in " \t":
        return ""
    j = start - 1
    while j > 0 and body[j - 1] in " \t":
        j -= 1
    i = j
    while i > 0 and body[i - 1].isalnum():
        i -= 1
    return body[i:j]


def _words_before(body: str, start: int, limit: int = 3) -> list[str]:
    """Up to `limit` words right before `start` on the same line, with only spaces between
    them and the name (punctuation stops the look-back: "the region. Top" gives [])."""
    pre = body[max(0, start - 40):start]
    if not pre.endswith((" ", "\t")):
        return []
    pre = pre[pre.rfind("\n") + 1:]
    words: list[str] = []
    for tok in reversed(pre.split()[-limit:]):
        if not tok.isalnum():
            break
        words.append(tok)
    words.reverse()
    return words


def _candidates(idx: _Index, hit: _Hit) -> list[_Entry]:
    entries = list(hit.payload.entries if hit.entries is None else hit.entries)
    if hit.types:
        typed = [e for e in entries if idx.gaz.places[e.index].type in hit.types]
        if typed:
            return typed
        hit.typed_span = None  # the type word does not fit any candidate: keep the bare name
    # A name found only through a place's name without its type word counts ("Qaratapa-Hamrin"
    # is the Qaratapa-Hamrin front), but a place that has the bare name itself, as its name or
    # an alias, comes first: "Tuz Khurmatu" is the town, not the "Tuz Khurmatu Operations
    # Command"; "Hamrin" (an alias of the mountains) is not "Hamrin town".
    full = [e for e in entries if not e.core and not e.bulk]  # a bulk namesake is no reason
    if full:
        entries = full
    return entries


def _resolve_hits(idx: _Index, report: Report, hits: list[_Hit], body: str,
                  notes: dict | None = None) -> list[Mention]:
    """Decide each hit's place: unambiguous ones first, then the rest by score, with a
    bonus for places near those already decided. Each distinct name is decided once."""
    places = idx.gaz.places
    cands = [_candidates(idx, hit) for hit in hits]
    decided: dict[int, tuple[_Entry, float]] = {}
    anchor_ids: dict[int, None] = {}
    for k, cs in enumerate(cands):
        if len({e.index for e in cs}) == 1:
            decided[k] = (cs[0], 1.0)
            if places[cs[0].index].type not in ("country", "region", "governorate"):
                anchor_ids.setdefault(cs[0].index, None)
    anchors = [(places[i].lat, places[i].lon) for i in anchor_ids]
    memo: dict[tuple, tuple[_Entry, float]] = {}
    nearness: dict[int, float] = {}  # place index -> bonus: the anchors are the report's

    def near(index: int) -> float:
        bonus = nearness.get(index)
        if bonus is None:
            bonus = nearness[index] = _nearness(places[index], anchors)
        return bonus

    for k, cs in enumerate(cands):
        if k in decided:
            continue
        written = body[hits[k].ostart:hits[k].oend].casefold()
        key = (written, hits[k].types, tuple(e.index for e in cs))
        if key not in memo:
            # As in the resolver: a name written exactly as a place's name or alias ranks
            # above one that only matches once folded ("Hamrin" is the mountains' alias;
            # "Ḩamrīn", the town's, only folds to it).
            # (Not in the Arabic script: there one name's Arabic and Kurdish spellings fold
            # alike, "بينجوين" and "پێنجوێن", and which one a row lists first says nothing.)
            arabic_script = bool(_ARABIC.search(written))
            static = [(_static_score(idx, places[e.index], e, hits[k].types)
                       - _MATCH_WEIGHT * (0.0 if arabic_script or e.matched.casefold() == written else
                                          max(0.0, e.score - settings.SCORE_NORMALIZED)), e)
                      for e in cs]
            top = max(v for v, _ in static)
            # Nearness adds at most 0.2: candidates further behind cannot win, skip the maths.
            scored = sorted(((v + (near(e.index) if v >= top - 0.2 else 0.0),
                              e.index, e) for v, e in static), key=lambda t: (-t[0], t[1]))
            margin = min(1.0, (scored[0][0] - scored[1][0]) / 0.1)
            memo[key] = (scored[0][2], 0.75 + 0.25 * margin)
        decided[k] = memo[key]
    chosen_by = _context_choices(idx, hits, cands, decided, body)
    out = []
    for k, hit in enumerate(hits):
        entry, certainty = decided[k]
        place = places[entry.index]
        start, end = hit.typed_span or (hit.ostart, hit.oend)
        confidence = round(entry.score * certainty * (0.9 if entry.core and not hit.types else 1.0), 3)
        out.append(_mention(report, place, body, start, end, confidence,
                            "inflected" if hit.inflected else entry.match))
        if k in chosen_by and notes is not None:
            notes[(start, end)] = chosen_by[k]
    return out


# "X in Y province", "X, Ninewa", "X (Salah al-Din)", "X district of Y": Y is the unit X lies in.
_UNIT_AFTER = re.compile(r"\)?(?:\s+(?:region|area|district|sub-?district|subdistrict|province|"
                         r"governorate|village|town|city|nahiya|qada))?"
                         r"(?:,\s*(?:in\s+(?:the\s+)?)?|\s+(?:in|of)\s+(?:the\s+)?|\s*\()"
                         r"(?:(?:northern|southern|eastern|western|central|north|south|east|west)\s+)?",
                         re.IGNORECASE)
# "Kirkuk's X", "Diyala province's X": the unit comes first.
_UNIT_BEFORE = re.compile(r"(?:\s+(?:province|governorate|district|region))?['’]s\s+", re.IGNORECASE)
# "X, northeast of Baquba", "X, 20 km south of Y": Y is a landmark near X.
_LANDMARK_AFTER = re.compile(r",?\s+(?:(?:about|some|around|nearly)\s+)?(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?"
                             r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
                             r"(?:\s+of)?\s+(?:the\s+(?:city|town)\s+of\s+)?", re.IGNORECASE)
_LANDMARK_KM = 80.0  # a namesake this close to the landmark the text measures it from fits
_UNIT_WORD = {"governorate": "province", "district": "district", "subdistrict": "sub-district",
              "region": "region", "country": "country"}


def _context_choices(idx: _Index, hits: list[_Hit], cands: list[list[_Entry]],
                     decided: dict, body: str) -> dict[int, str]:
    """Namesakes told apart by the unit the text puts a name in ("X in Diyala province",
    "Kirkuk's X", "X (Salah al-Din)") or by the landmark it is measured from ("X, northeast
    of Baquba"): a candidate outside that unit, or far from that landmark, loses to one inside
    or near it. Changes `decided` in place; returns hit index -> why, for the hits changed."""
    from geo._admin import inside, km

    places = idx.gaz.places
    why: dict[int, str] = {}
    for k, hit in enumerate(hits):
        options = {e.index: e for e in cands[k]}
        if len(options) < 2:
            continue
        start, end = hit.typed_span or (hit.ostart, hit.oend)
        units, test, word = [], None, ""
        if k + 1 < len(hits):
            nxt = hits[k + 1]
            gap = body[end:nxt.ostart]
            if _UNIT_AFTER.fullmatch(gap):
                units, test = [places[e.index] for e in cands[k + 1]], "unit"
            elif _LANDMARK_AFTER.fullmatch(gap):
                units, test = [places[e.index] for e in cands[k + 1]], "landmark"
        if not units and k > 0:
            prev = hits[k - 1]
            pend = (prev.typed_span or (prev.ostart, prev.oend))[1]
            if _UNIT_BEFORE.fullmatch(body[pend:start]):
                units, test = [places[e.index] for e in cands[k - 1]], "unit"
        if not units:
            continue
        if test == "unit":
            fits = [i for i in options if any(inside(places[i], u) for u in units)]
            word = _UNIT_WORD.get(min(units, key=lambda u: _TYPE_RANK.get(u.type, 99)).type, "place")
        else:
            fits = [i for i in options if any(km(places[i], u) <= _LANDMARK_KM for u in units)]
            word = "landmark"
        current = decided[k][0].index
        if not fits or current in fits:
            continue
        best = max(fits, key=lambda i: (_static_score(idx, places[i], options[i], hit.types), -i))
        decided[k] = (options[best], decided[k][1])
        why[k] = f"namesake chosen by the {word} named"
    return why


# How the match counts against the other preferences: first, as in the resolver (a name
# written as a place's own name or alias beats one that only folds to another's), so the
# study region, type, population and nearness decide between equally good matches only.
_MATCH_WEIGHT = 10.0


def _static_score(idx: _Index, place: "Place", entry: _Entry, types: frozenset | None) -> float:
    """How likely `place` is meant, before nearness: the match, the study region, the implied
    type, the type a bare name usually means, population. Cached on the gazetteer's index
    (place indexes mean nothing in another gazetteer)."""
    key = (entry.index, entry.score, types)
    score = idx.static_scores.get(key)
    if score is None:
        score = _MATCH_WEIGHT * entry.score
        if place.governorate in settings.STUDY_GOVERNORATES:
            score += 0.15
        if types and place.type in types:
            score += 0.3
        score += 0.1 * (1 - _TYPE_RANK.get(place.type, len(_TYPE_RANK)) / len(_TYPE_RANK))
        if place.population:
            score += 0.05 * min(1.0, math.log10(max(place.population, 1)) / 7)
        idx.static_scores[key] = score
    return score


def _nearness(place: "Place", anchors: list[tuple[float, float]]) -> float:
    """Bonus for a candidate close to the report's unambiguous places (equirectangular km:
    exact enough within the 60 km that count, and much cheaper than great circles)."""
    if not anchors or place.lat is None:
        return 0.0
    k = math.cos(math.radians(place.lat))
    lat, lon = place.lat, place.lon
    nearest = 111.195 * math.sqrt(min((lat - a) ** 2 + ((lon - b) * k) ** 2 for a, b in anchors))
    if nearest > settings.PARSE_NEARBY_KM:
        return 0.0
    return 0.2 * (1 - nearest / settings.PARSE_NEARBY_KM)


def _mention(report: Report, place: "Place", body: str, start: int, end: int,
             confidence: float, match: str) -> Mention:
    span = report.dateline_span
    role = "dateline" if span and start < span[1] and span[0] < end else "mention"
    return Mention(text=body[start:end], start=start, end=end, place_id=place.id, name=place.name,
                   type=place.type, lat=place.lat, lon=place.lon, role=role,
                   confidence=confidence, match=match)


def _town_mentions(idx: _Index, report: Report, hits: list[_Hit], padded: str, offsets,
                   body: str) -> list[Mention]:
    """The towns a command area's name lists ("Tuz Khurmatu and Sleman Bag Operations
    Command" names Tuz Khurmatu and Sulaiman Bek), as mentions of their own."""
    out = []
    places = idx.gaz.places
    for hit in hits:
        if not hit.payload.names_towns:
            continue
        types = {places[e.index].type for e in _candidates(idx, hit)}
        if not types & _NAMES_ITS_TOWNS:
            continue
        inner = padded[hit.start:hit.end + 2]
        sub = [h for h in _all_hits(idx, inner) if not h[2].blocker
               and (h[1] - h[0]) < (hit.end - hit.start)
               and any(places[e.index].type in SETTLEMENTS for e in h[2].entries)]
        for h in _select_longest(sub):
            towns = [e for e in h.payload.entries if places[e.index].type in SETTLEMENTS]
            if not towns:
                continue
            entry = min(towns, key=lambda e: (-e.score, _TYPE_RANK.get(places[e.index].type, 99), e.index))
            s = int(offsets[hit.start + h.start])
            e = _word_end(body, int(offsets[hit.start + h.end - 1]) + 1)
            out.append(_mention(report, places[entry.index], body, s, e,
                                round(entry.score * 0.95, 3), entry.match))
    return out


# Capitalised names in a place's position: after a locative preposition, or before a type word.
_CAP = r"[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*"
_NAME_AFTER = rf"(?P<name>(?:(?:al|el|as|ash|ad)-)?{_CAP}(?:[ \t]+{_CAP}){{0,2}})"


@lru_cache(maxsize=1)
def _after_preposition() -> tuple[re.Pattern, re.Pattern]:
    """A capitalised name after a word of data/geoparse.yaml `place_prepositions`: the
    pattern for the text (the word after a space, a newline or a bracket) and the one for
    its very start. Opening with a character class, not `\\b`, lets the regex engine skip
    ahead in C: twice as fast on report text, the same matches."""
    words = sorted(geoparse_rules().place_prepositions, key=lambda w: (-len(w), w))
    alternation = "|".join(r"[ \t]+".join(re.escape(p) for p in w.split()) for w in words)
    tail = rf"(?:{alternation})[ \t]+(?:the[ \t]+)?{_NAME_AFTER}"
    return re.compile(rf"[ \t\n(]{tail}"), re.compile(tail)


# "X province": the type word is found first (a literal scan), the name then read backwards.
_BEFORE_TYPE_WORD = re.compile(r"[ \t]+(?:province|governorate|district|"
                               r"sub-?district|village|town|city|mountains?|valley|nahiya|qada)\b")
_CAP_NAME_END = re.compile(rf"{_CAP}(?:[ \t]+{_CAP}){{0,2}}$")
_NAME_END_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'’")


def _name_positions(body: str):
    """(start, end) of capitalised names in a place's position, in text order."""
    in_text, at_start = _after_preposition()
    spans = [m.span("name") for m in in_text.finditer(body)]
    first = at_start.match(body)
    if first:
        spans.append(first.span("name"))
    for m in _BEFORE_TYPE_WORD.finditer(body):
        if body[m.start() - 1:m.start()] not in _NAME_END_CHARS:  # a name ends right before
            continue
        found = _CAP_NAME_END.search(body, max(0, m.start() - 60), m.start())
        if found:
            # With its type word: "Al Abbarah district" is resolved as a district only.
            spans.append((found.start(), m.end()))
    spans.sort()
    return spans


def _unknown_names(gaz: "Gazetteer", idx: _Index, body: str, mentions: list[Mention],
                   blocked: list[tuple[int, int]]) -> tuple[list[Mention], list[str]]:
    """Names in place position that the automaton did not know: resolved by the gazetteer's
    fuzzy matching when it is confident ("Tuz Khormato"), else listed as unresolved."""
    from geo._errors import QueryError

    taken = sorted([(m.start, m.end) for m in mentions] + blocked)
    taken_starts = [t[0] for t in taken]
    found: list[Mention] = []
    unresolved: dict[str, None] = {}
    for start, end in _name_positions(body):
        # Most are names already found: the sorted, non-overlapping spans tell at once.
        k = bisect_right(taken_starts, end - 1)
        if k and taken[k - 1][1] > start:
            continue
        text = body[start:end]
        tokens = list(re.finditer(r"\S+", text))
        # Drop leading words that cannot open a name ("in October", "The ...").
        while tokens and tokens[0].group().strip("'’") in idx.not_names:
            tokens = tokens[1:]
        if not tokens:
            continue
        start += tokens[0].start()
        name = body[start:end]
        if name_key(name) in idx.stop or len(name) < 3 or _in_person_name(body, start, end):
            continue
        if name not in idx.resolved:
            if len(idx.resolved) >= settings.PARSE_RESOLVED_CACHE_MAX:
                idx.resolved.clear()  # bounded: a stream of 10,000 reports keeps constant memory
            try:
                idx.resolved[name] = gaz.resolve(name, limit=2)
            except QueryError:
                idx.resolved[name] = []
        cands = idx.resolved[name]
        if cands and cands[0].match == "fuzzy" and compact(name)[:1] != compact(cands[0].matched)[:1]:
            cands = []  # typos keep the first letter: "Abbarah" is not "Jabbarah"
        cands = [c for c in cands if c.place.tier == "curated" and c.matched not in c.place.bulk_names]
        # Bulk names were the automaton's to find, in a place's position (_gate_bulk); here a
        # capitalised word that is (almost) one of 20,000 village names is more often a word or
        # a person ("according to Mustafa") than a village: only curated names are tried.
        if cands and cands[0].score >= settings.PARSE_FUZZY_MIN_SCORE:
            c = cands[0]
            certainty = 1.0 if len(cands) == 1 or cands[0].score - cands[1].score >= 0.05 else 0.8
            found.append(Mention(text=body[start:end], start=start, end=end, place_id=c.place.id,
                                 name=c.place.name, type=c.place.type, lat=c.place.lat,
                                 lon=c.place.lon, role="mention",
                                 confidence=round(c.score * 0.9 * certainty, 3), match=c.match))
            k = bisect_right(taken_starts, start)
            taken.insert(k, (start, end))
            taken_starts.insert(k, start)
        else:
            unresolved.setdefault(name, None)
    return found, list(unresolved)
