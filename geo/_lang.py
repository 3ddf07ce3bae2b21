"""Languages of report text: the language packs of data/lang/ and telling which language a
sentence is in.

A pack (data/lang/<code>.yaml) holds what the event step and the geoparser read in one
language beside the English rules: event words per ACLED type, prepositions of place, words of
saying, actors' names, weekdays, months, relative dates, words that are also place names, the
endings a name takes. Code stays language-neutral: everything that differs between Arabic,
Sorani and Kurmanji is a list in a pack, and the English rules remain data/event_rules.yaml.

`detect(text)` tells a sentence's language by its script and letters (Sorani's ڕ ێ ۆ ە ...
against Arabic, Kurmanji's ê î û ç ş against English) and, where letters do not decide, by
frequent words. `languages(body, given)` gives each stretch of a report its language, so a
report that mixes languages is read sentence by sentence; a language given by the report
(`lang:` in its front matter) or by the user (`--lang`) wins over detection.

Matching helpers: `word_regex` turns a listed word into a regex tolerant of how the script is
written (Arabic-script letter variants and harakat, Latin diacritics left out), and
`FoldedMatcher` finds Arabic-script keywords in the geoparser's folded text with one
Aho-Corasick pass, the proclitics of Arabic (و ف ب ل ك, the article) allowed in front.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from geo import settings

BASE = "en"  # the language of data/event_rules.yaml
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_WORDS = re.compile(r"[^\W\d_]+")

# The fields a pack may have (see data/lang/ar.yaml for what each means).
PACK_FIELDS = ("code", "name", "script", "detect", "rules", "event_prepositions", "lead_ins",
               "origin_prepositions", "away_words", "near_words", "reference_words",
               "statement_places", "speech_verbs", "reaction_words", "summary_words",
               "source_before", "target_before", "doer_before", "victim_before", "victim_after",
               "casualty_words", "container_words", "complementizers", "actors", "dates", "geoparse")
_DATE_FIELDS = ("day_words", "weekdays", "last_after", "months", "solar_months", "day_month_joins",
                "days_back", "last_week", "ago_before", "ago_after", "day_units", "shift_days",
                "numbers")
_GEOPARSE_FIELDS = ("stop_names", "suffixes", "origin_suffixes", "outlets", "spellings")
SCRIPTS = ("arabic", "latin")


@dataclass(frozen=True)
class Pack:
    """One language pack of data/lang/: its code, script, detection words and its lists."""

    code: str
    name: str
    script: str
    letters: frozenset[str]
    words: frozenset[str]  # detection words, folded
    data: dict = field(repr=False, compare=False, hash=False)

    def strings(self, key: str) -> tuple[str, ...]:
        return tuple(str(w) for w in self.data.get(key) or ())

    def date_field(self, key: str):
        return (self.data.get("dates") or {}).get(key)

    def geoparse_strings(self, key: str) -> tuple[str, ...]:
        return tuple(str(w) for w in (self.data.get("geoparse") or {}).get(key) or ())


def _fold_word(word: str) -> str:
    from geo._text import name_key

    return name_key(word)


@lru_cache(maxsize=4)
def packs(folder: Path | None = None) -> dict[str, Pack]:
    """The language packs of data/lang/ (or `folder`), by code, checked: known fields, a known
    script, rules whose type and sub-type are a pair of data/event_rules.yaml, actors that are
    rows of data/actors.csv, months 1 to 12 and seven weekdays. Errors name the file and field."""
    from geo._errors import ReportError
    from geo._geoparse_rules import _load_yaml, actors, event_rules

    folder = Path(folder) if folder is not None else settings.LANG_DIR
    out: dict[str, Pack] = {}
    pairs = {(r.event_type, r.sub_event_type) for r in event_rules()["rules"]}
    known_actors = {a.name for a in actors()}
    for path in sorted(folder.glob("*.yaml")):
        data = _load_yaml(path)
        for key in data:
            if key not in PACK_FIELDS:
                raise ReportError(f"{path}: field {key!r}: unknown field (expected one of "
                                  f"{', '.join(PACK_FIELDS)})")
        code = str(data.get("code") or "").strip()
        if code != path.stem:
            raise ReportError(f"{path}: field 'code': {code!r} is not the file's name {path.stem!r}")
        script = data.get("script")
        if script not in SCRIPTS:
            raise ReportError(f"{path}: field 'script': {script!r} is not one of {', '.join(SCRIPTS)}")
        for key in (*PACK_FIELDS[5:20], "casualty_words", "container_words", "complementizers"):
            _check_words(data.get(key), path, key)
        for i, rule in enumerate(data.get("rules") or []):
            if not isinstance(rule, dict) or (rule.get("event_type"), rule.get("sub_event_type")) not in pairs:
                raise ReportError(f"{path}: rules[{i}]: event_type and sub_event_type must be a pair "
                                  f"of {settings.EVENT_RULES_FILE}, not "
                                  f"{(rule or {}).get('event_type')!r} / {(rule or {}).get('sub_event_type')!r}"
                                  if isinstance(rule, dict) else f"{path}: rules[{i}]: expected a mapping")
            _check_words(rule.get("keywords"), path, f"rules[{i}].keywords", empty=False)
        named = data.get("actors") or {}
        if not isinstance(named, dict):
            raise ReportError(f"{path}: field 'actors': expected a mapping of actor to names")
        for actor, aliases in named.items():
            if actor not in known_actors:
                raise ReportError(f"{path}: field 'actors': {actor!r} is not an actor of "
                                  f"{settings.ACTORS_FILE}")
            _check_words(aliases, path, f"actors.{actor}", empty=False)
        _check_dates(data.get("dates") or {}, path)
        geo_fields = data.get("geoparse") or {}
        for key in geo_fields:
            if key not in _GEOPARSE_FIELDS:
                raise ReportError(f"{path}: field 'geoparse.{key}': unknown field (expected one of "
                                  f"{', '.join(_GEOPARSE_FIELDS)})")
            if key == "spellings":
                respell = geo_fields[key]
                if not isinstance(respell, list) or not all(
                        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) and p[0]
                        for p in respell):
                    raise ReportError(f"{path}: field 'geoparse.spellings': expected pairs "
                                      "[from, to] of letters")
                continue
            _check_words(geo_fields[key], path, f"geoparse.{key}")
        detect_fields = data.get("detect") or {}
        letters = frozenset(str(c) for c in detect_fields.get("letters") or ())
        if any(len(c) != 1 for c in letters):
            raise ReportError(f"{path}: field 'detect.letters': expected single letters")
        words = frozenset(_fold_word(str(w)) for w in detect_fields.get("words") or ())
        out[code] = Pack(code, str(data.get("name") or code), script, letters, words, data)
    return out


def _check_words(value, path: Path, key: str, empty: bool = True) -> None:
    from geo._errors import ReportError

    if value is None and empty:
        return
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value) \
            or (not empty and not value):
        raise ReportError(f"{path}: field '{key}': expected a list of words")


def _check_dates(dates: dict, path: Path) -> None:
    from geo._errors import ReportError

    for key in dates:
        if key not in _DATE_FIELDS:
            raise ReportError(f"{path}: field 'dates.{key}': unknown field (expected one of "
                              f"{', '.join(_DATE_FIELDS)})")
    weekdays = dates.get("weekdays")
    if weekdays is not None and (not isinstance(weekdays, list) or len(weekdays) != 7):
        raise ReportError(f"{path}: field 'dates.weekdays': expected seven lists, Monday first")
    for key in ("months", "solar_months"):
        months = dates.get(key) or {}
        if not isinstance(months, dict) or any(not isinstance(k, int) or not 1 <= k <= 12 for k in months):
            raise ReportError(f"{path}: field 'dates.{key}': expected month numbers 1 to 12")
    for key, allowed in (("days_back", range(0, 8)), ("shift_days", (-1, 1))):
        table = dates.get(key) or {}
        if not isinstance(table, dict) or any(k not in allowed for k in table):
            raise ReportError(f"{path}: field 'dates.{key}': unexpected key "
                              f"({', '.join(str(k) for k in table if k not in allowed)})")
    numbers = dates.get("numbers")
    if numbers is not None and (not isinstance(numbers, list) or len(numbers) > 12):
        raise ReportError(f"{path}: field 'dates.numbers': expected up to twelve lists (1, 2, ...)")


def pack(code: str) -> Pack | None:
    return packs().get(code)


def known_languages() -> tuple[str, ...]:
    return tuple(sorted(packs()))


# --- telling the language -------------------------------------------------------------------

def detect(text: str, default: str = BASE) -> str:
    """The language of `text` (a sentence or a report): its script, then the letters only one
    language of that script uses, then frequent words; `default` when nothing tells."""
    arabic = len(_ARABIC_SCRIPT.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if not arabic and not latin:
        return default
    table = packs()
    script = "arabic" if arabic > latin else "latin"
    candidates = [p for p in table.values() if p.script == script]
    if not candidates:
        return default
    # Letters first: only a language that lists them has them (Sorani ڕ ێ ۆ ..., Kurmanji ê î û).
    counts = {p.code: sum(text.count(c) for c in p.letters) for p in candidates if p.letters}
    words = [_fold_word(w) for w in _WORDS.findall(text)[:400]]
    scores = {p.code: sum(w in p.words for w in words) for p in candidates}
    lettered = [c for c, n in counts.items() if n >= 2 or (n and len(words) < 12)]
    if lettered:
        # A language with letters of its own still has to beat the others' words by them.
        best = max(lettered, key=lambda c: (counts[c] + scores[c], c))
        others = max((s for c, s in scores.items() if c != best), default=0)
        if counts[best] + scores[best] >= others:
            return best
    # No letter decides: the words do; with none either, the language without letters of
    # its own (English among the Latin ones, Arabic among the Arabic-script ones).
    plain = [p.code for p in candidates if not p.letters]
    best = max(scores, key=lambda c: (scores[c], c == default, c in plain, c))
    if scores[best] == 0:
        return default if default in scores else (plain[0] if plain else best)
    return best


_SEGMENT_END = re.compile(r"[.!?؟۔][\"”’)\]»]*\s+|\n")


def segments(body: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches of `body` read for their language: sentences of any
    script (. ! ? ؟ ۔) and lines."""
    out, start = [], 0
    for m in _SEGMENT_END.finditer(body):
        if body[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if body[start:].strip():
        out.append((start, len(body)))
    return out


@dataclass(frozen=True)
class Languages:
    """The language of each stretch of a report: `main` is the report's, `at(offset)` the one
    of the sentence holding `offset`, `present` every language found."""

    main: str
    starts: tuple[int, ...]
    codes: tuple[str, ...]
    present: frozenset[str]

    def at(self, offset: int) -> str:
        k = bisect_right(self.starts, offset) - 1
        return self.codes[k] if k >= 0 else self.main

    def spans(self) -> Iterator[tuple[int, int, str]]:
        for k, start in enumerate(self.starts):
            end = self.starts[k + 1] if k + 1 < len(self.starts) else 10 ** 12
            yield start, end, self.codes[k]


@lru_cache(maxsize=64)
def languages(body: str, given: str | None = None) -> Languages:
    """Each sentence's language. `given` (a report's `lang:` or the user's `--lang`) is the
    report's language: it decides every sentence of its script, so a Sorani report keeps Sorani
    rules in a sentence with no letter of its own, while an English quote in it stays English.
    Short stretches (a title, a dateline) take the language of the report."""
    table = packs()
    if given is not None and given not in table:
        raise ValueError(f"unknown language {given!r} (known: {', '.join(sorted(table))})")
    if given in (None, BASE) and _plainly_base(body):
        return Languages(BASE, (0,), (BASE,), frozenset({BASE}))  # most reports: one look
    main = given or detect(body[:20000])
    main_script = table[main].script if main in table else "latin"
    starts, codes = [], []
    for start, end in segments(body):
        text = body[start:end]
        letters = len(_ARABIC_SCRIPT.findall(text)) + len(_LATIN_LETTER.findall(text))
        if letters < 12:
            code = main
        else:
            script = "arabic" if _ARABIC_SCRIPT.search(text) and len(_ARABIC_SCRIPT.findall(text)) * 2 > letters else "latin"
            code = main if given is not None and script == main_script else detect(text, default=main if script == main_script else BASE)
        starts.append(start)
        codes.append(code)
    if not starts:
        starts, codes = [0], [main]
    return Languages(main, tuple(starts), tuple(codes), frozenset(codes) | {main})


@lru_cache(maxsize=1)
def _other_latin_words() -> re.Pattern:
    """The letters and detection words of the Latin-script packs other than English."""
    letters, words = set(), set()
    for p in packs().values():
        if p.script == "latin" and p.code != BASE:
            letters.update(p.letters)
            words.update(w for w in p.words if len(w) > 1)
    letters_re = "[" + re.escape("".join(sorted(letters))) + "]" if letters else r"(?!x)x"
    words_re = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) or r"(?!x)x"
    return re.compile(rf"{letters_re}|\b(?i:{words_re})\b")


def _plainly_base(body: str) -> bool:
    """Is `body` English throughout, at a glance: no Arabic script, and in its first 3,000
    characters fewer letters or words of another Latin-script language than one in 25 words
    (at least two)? A name like "Şengal" in an English report does not make it Kurmanji; more
    such marks send it to the sentence-by-sentence look.)"""
    if _ARABIC_SCRIPT.search(body):
        return False
    head = body[:3000]
    need = max(2, head.count(" ") // 25)
    marks = _other_latin_words().finditer(head)
    return sum(1 for _ in zip(range(need), marks)) < need


# --- matching words as the scripts write them --------------------------------------------------

# Harakat, shadda, sukun, superscript alef and tatweel: written or not, the same word.
_MARKS = "[\u064B-\u065F\u0670\u0640\u200C\u200D]*"
_IS_MARK = re.compile(_MARKS[:-1])
_LATIN_PLAIN = {"ê": "[êe]", "î": "[îi]", "û": "[ûu]", "ç": "[çc]", "ş": "[şs]", "é": "[ée]",
                "à": "[àa]"}
# Proclitics Arabic joins in front of a word: و ف (and), ب (in, with), ل (to), ك (as), and the
# article ال; "لل" is ل + ال.
_ARABIC_PROCLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "فب", "ول", "فل", "وك", "فك")
ARABIC_PROCLITIC_RE = "(?:[وف]?(?:[بلك]?ال|لل|[بلك])?)"


@lru_cache(maxsize=1)
def _letter_classes() -> dict[str, str]:
    """Each Arabic-script letter -> a regex class of the letters folded alike (أ إ آ ا; ه ة ە;
    ي ی ى ێ; ك ک ...), from the geoparser's folding."""
    from geo._text import _ARABIC_FOLD

    groups: dict[str, set[str]] = {}
    for code, target in _ARABIC_FOLD.items():
        if target is None or not isinstance(target, str) or not _ARABIC_SCRIPT.match(target):
            continue
        groups.setdefault(target, {target}).add(chr(code))
    out = {}
    for target, members in groups.items():
        cls = "[" + "".join(sorted(members)) + "]"
        for ch in members:
            out[ch] = cls
    return out


def word_regex(word: str, proclitic: bool = False) -> str:
    """A regex for a listed word as texts write it: Arabic-script letters by their folding
    class with optional harakat after each, Latin diacritics optional (ê or e), any run of
    spaces between parts, `*` at the end any ending. `proclitic`: an Arabic proclitic may be
    joined in front."""
    star = word.endswith("*")
    word = word.rstrip("*").strip()
    classes = _letter_classes()
    parts = []
    for token in word.split():
        out = []
        for ch in token:
            if _IS_MARK.match(ch):
                continue  # a mark written in the list: optional anyway
            if _ARABIC_SCRIPT.match(ch):
                out.append(classes.get(ch, re.escape(ch)) + _MARKS)
            elif ch.lower() in _LATIN_PLAIN:
                out.append(_LATIN_PLAIN[ch.lower()])
            else:
                out.append(re.escape(ch))
        parts.append("".join(out))
    body = r"\s+".join(parts)
    if proclitic and _ARABIC_SCRIPT.match(word[:1] or " "):
        body = ARABIC_PROCLITIC_RE + body
    return body + (r"\w*" if star else "")


def words_regex(words, proclitic: bool = True) -> str:
    """Whole-word alternation of `words` (longest first); a pattern that matches nothing when
    there are none."""
    words = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))
    if not words:
        return r"(?!x)x"
    return r"(?<![\w-])(?:" + "|".join(word_regex(w, proclitic) for w in words) + r")(?![\w])"


def plain_variant(word: str) -> str:
    """A Latin word without its diacritics ("teqîn" -> "teqin")."""
    out = word
    for ch, cls in _LATIN_PLAIN.items():
        out = out.replace(ch, cls[2])
    return out


def arabic_keys(word: str) -> list[str]:
    """The folded keys an Arabic keyword is found under: with a proclitic and the article on
    its first part, and the article on or off each other part ("طائرات حربية" also as
    "والطائرات الحربية")."""
    parts = _fold_word(word.rstrip("*")).split()
    if not parts:
        return []
    firsts = set()
    head = parts[0]
    bare = head[2:] if head.startswith("ال") and len(head) > 3 else head
    for p in _ARABIC_PROCLITICS:
        firsts.add(p + bare)
        firsts.add(("لل" + bare) if p == "ل" else (p + "ال" + bare))
    rest_options = []
    for w in parts[1:4]:
        b = w[2:] if w.startswith("ال") and len(w) > 3 else w
        rest_options.append({b, "ال" + b})
    keys = sorted(firsts)
    for options in rest_options:
        keys = [k + " " + o for k in keys for o in sorted(options)]
    if len(parts) > 4:
        keys = [k + " " + " ".join(parts[4:]) for k in keys]
    return keys


class FoldedMatcher:
    """Keywords of the Arabic script found in one Aho-Corasick pass over the geoparser's folded
    text (letter variants, harakat and punctuation folded away), as whole words; a keyword
    ending in `*` takes any ending. `entries` are (keyword, payload, proclitics): with
    `proclitics`, the Arabic proclitics and article may be joined in front."""

    def __init__(self, entries, endings=frozenset()):
        import ahocorasick

        self.endings = frozenset(endings)  # folded endings that may follow any keyword

        table: dict[str, tuple[int, bool, object]] = {}
        for order, (word, payload, proclitics) in enumerate(entries):
            keys = arabic_keys(word) if proclitics else [_fold_word(word.rstrip("*"))]
            for key in keys:
                if key and key not in table:
                    table[key] = (order, word.endswith("*"), payload)
        self.automaton = None
        if table:
            self.automaton = ahocorasick.Automaton()
            for key, (order, star, payload) in table.items():
                self.automaton.add_word(key, (len(key), star, payload))
            self.automaton.make_automaton()

    def finditer(self, text: str) -> list[tuple[int, int, object]]:
        """(start, end, payload) of each keyword in `text`, in original offsets, leftmost
        longest and not overlapping; `end` is the end of the word for a `*` keyword."""
        if self.automaton is None or not _ARABIC_SCRIPT.search(text):
            return []
        from geo._text import fold_text

        squeezed, offsets = fold_text(text)
        offs = offsets.tolist()
        n = len(squeezed)
        hits = []
        for end, (length, star, payload) in self.automaton.iter(squeezed):
            start = end - length + 1
            if start > 0 and squeezed[start - 1] != " ":
                continue
            stop = end + 1
            if stop < n and squeezed[stop] != " ":
                word_end = stop
                while word_end < n and squeezed[word_end] != " ":
                    word_end += 1
                if not star and squeezed[stop:word_end] not in self.endings:
                    continue
                stop = word_end
            hits.append((start, stop, payload))
        hits.sort(key=lambda h: (h[0], -h[1]))
        out, last = [], -1
        for start, stop, payload in hits:
            if start < last:
                continue
            last = stop
            s = offs[start]
            e = offs[stop - 1] + 1
            while e < len(text) and (text[e].isalpha() or (0x064B <= ord(text[e]) <= 0x065F)):
                e += 1  # letters the folding dropped (a final hamza), harakat
            out.append((s, e, payload))
        return out
