"""The event step's data compiled: data/event_rules.yaml (keywords of each ACLED type, the
words around places, the words around actors) and data/actors.csv, read once into regular
expressions and Aho-Corasick automata that every sub-step (detect, locate, dates, actors)
reads from one `_Rules` object.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from geo import settings
from geo._geoparse_rules import EventRule, actors, event_rules, keyword_pattern
from geo.events.dates import holidays

# Specificity of a place as an event location: lower is better.
_SPECIFICITY = {t: i for i, t in enumerate((
    "city", "site", "military_base", "dam", "sector", "command_area",
    "subdistrict", "district", "valley", "mountain", "lake", "river", "front", "governorate",
    "region", "country"))}
# A village, a town and a city are equally precise: the first one named wins.
_SPECIFICITY.update(dict.fromkeys(("village", "town", "city"), 0))

_VIOLENT = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"})


_PUNCTUATION = re.compile(r"[^\w\s'’\u064B-\u065F\u0670-]")
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
        self.phrases = frozenset(tuple(_fold_word(w) for w in p.lower().split()) for p in phrases)
        strip = tuple(tuple(_fold_word(w) for w in t) for t in strip)
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
                # Arabic joins "in" to a kind of place: "بمحافظة أربيل" is "في محافظة أربيل".
                last = words[-1] if n else ""
                if last[:1] == "ب" and len(last) > 3 and last[1:] in self.strip:
                    words = words[:-1] + ("في", last[1:])
                    continue
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
    words = _PUNCTUATION.split(pre)[-1].lower().split()
    return tuple(w if w.isascii() else _fold_word(w) for w in words)


@lru_cache(maxsize=8192)
def _fold_word(word: str) -> str:
    """A word as the phrase lists compare it: Latin as written (lower case), Arabic script
    folded as the geoparser folds it (أ إ آ = ا, ة = ه, harakat dropped)."""
    if word.isascii():
        return word
    from geo._text import name_key

    return name_key(word) or word


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

    def __init__(self, langs: frozenset = frozenset()) -> None:
        from geo.events import languages as lang

        # The languages of data/lang/ a report has besides English: their lists join the
        # English ones (geo.events.languages), so an English report reads English rules only.
        self.langs = frozenset(langs) - {"en"}
        data = dict(event_rules())
        for key in ("event_prepositions", "near_words", "origin_prepositions", "away_words",
                    "reference_words", "statement_places"):
            data[key] = tuple(data[key]) + tuple(lang.words(self.langs, key))
        lead_ins = tuple((w,) for w in lang.words(self.langs, "lead_ins"))
        self.lead_ins = frozenset(tuple(_fold_word(x) for x in t) for t in lead_ins)
        self.rules: tuple[EventRule, ...] = data["rules"]
        self.trigger = self._trigger_automaton(self.rules, lang.latin_keywords(self.langs))
        self.arabic_trigger = lang.arabic_triggers(self.langs)
        self.roles = lang.Roles(self.langs) if self.langs else None
        self.container = lang.regex(self.langs, "container_words")
        # Endings that make a name where something came from (Sorani "لە کەرکووکەوە").
        self.origin_endings = lang.origin_endings(self.langs)
        # A language's verb of saying right after a date: Kurdish puts the verb last
        # ("ڕۆژی یەکشەممە ڕایگەیاند کە ...", "roja Yekşemê ragihand ku ..."): the statement's date.
        self.speech_after = lang.regex(self.langs, "speech_verbs", before=r"^[\s،,)]*(?:\S+\s+)?")
        # "north of X", "20 km from X": X is a landmark the event is measured from.
        self.reference = _Phrases(data["reference_words"], strip=(*_NAME_LEAD_INS, *lead_ins))
        # Destinations ("fled toward X") and where something was said ("told reporters in
        # X"): never an event's place.
        self.away = _Phrases(data["away_words"] + data["statement_places"])
        self.origin = _Phrases(data["origin_prepositions"], strip=(("the",), *lead_ins))  # "ji bajarê X"
        # Near words ("vicinity of", "close to") also say where an event happened.
        self.event_prep = _Phrases(data["event_prepositions"] + data["near_words"],
                                   strip=(*_NAME_LEAD_INS, *((w,) for w in data["place_adjectives"]),
                                          *lead_ins))
        self.near = _Phrases(data["near_words"], strip=(("the",), ("town", "of"),
                                                        ("village", "of"), ("city", "of"), *lead_ins))
        self.speech = re.compile(keyword_pattern(event_rules()["speech_verbs"])
                                 # "reported that on 16 December, X happened": "that" opens
                                 # the report of the event, and the date is the event's.
                                 + r"(?:\s+(?!that\b)[\w'’-]+){0,3}?\s+(?:late\s+|early\s+)?(?:on\s+)?$"
                                 # "وأوضح المصدر، السبت": a language's verb of saying, a
                                 # comma or a bracket between it and the date
                                 + _language_alternative(self.langs, "speech_verbs",
                                                         rf"(?:[\s،,(]+{_not_that(self.langs)}[\w'’-]+){{0,3}}?[\s،,(]+$"),
                                 re.IGNORECASE)
        self.reaction = re.compile(keyword_pattern(event_rules()["reaction_words"])
                                   + _language_alternative(self.langs, "reaction_words"), re.IGNORECASE)
        # A summary word right before the keyword ("three attacks", "a spate of kidnappings").
        words, counts, nouns = (keyword_pattern(data[k]) for k in ("summary_words", "summary_counts", "summary_nouns"))
        # The text from the sentence start to the keyword's end: a summary phrase right
        # before the keyword, or a count right before a plural noun that is the keyword.
        self.summary = re.compile(rf"(?:{words})\s+\S+$|(?:{counts})\s+(?:{nouns})$"
                                  + _language_alternative(self.langs, "summary_words", r"\s+\S+$"),
                                  re.IGNORECASE)
        # (English verbs only: Arabic and Kurdish news open nearly every sentence with one,
        # "أفادت مصادر أمنية بأن ...", and such a sentence tells the event, not a claim.)
        self.speech_before = re.compile(keyword_pattern(event_rules()["speech_verbs"]), re.IGNORECASE)
        # "Another vehicle was hit": an event other than the one told before (English only
        # for now: the packs have no such list yet).
        self.other_event = re.compile(keyword_pattern(data["other_event_words"]), re.IGNORECASE)
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
        named = lang.actor_aliases(self.langs)
        for n, actor in enumerate(self.actors):
            latin = [a for a in named.get(actor.name, ()) if not _ARABIC_SCRIPT.search(a)]
            for alias in (*actor.aliases, *latin):
                (exact if alias.isupper() and len(alias) <= 3 else loose).append((alias, n))
        # Kurmanji inflects actors' names too ("DAIŞê", "Pêşmergeyan"): those endings may follow.
        endings = lang.endings(self.langs)
        self.actor_exact = _AliasMatcher(exact, ignore_case=False, endings=endings)
        self.actor_loose = _AliasMatcher(loose, ignore_case=True, endings=endings)
        self.actor_arabic = lang.arabic_actor_matcher(self.langs, {a.name: n for n, a in enumerate(self.actors)})

    @staticmethod
    def _trigger_automaton(rules: tuple[EventRule, ...], more: list[tuple[str, EventRule]] = ()):
        """Keywords in an Aho-Corasick automaton: one pass over the text for all rules (and
        the Latin-script keywords of other languages, `more`)."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        table: dict[str, tuple[str, bool, EventRule]] = {}
        pairs = [(word, rule) for rule in rules for word in rule.keywords] + list(more)
        for word, rule in pairs:
            if True:
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
        if self.arabic_trigger is not None:  # Arabic and Sorani: in the folded text
            found += [(start, end - 1, rule) for start, end, rule in self.arabic_trigger.finditer(body)]
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

    def __init__(self, aliases: list[tuple[str, int]], ignore_case: bool, endings=frozenset()):
        import ahocorasick

        self.ignore_case = ignore_case
        # Endings a language joins to a name ("DAIŞê", "Pêşmergeyan"): a match may run on
        # into one of them (and then ends after it).
        self.endings = frozenset(e.lower() for e in endings)
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
                if not self.endings:
                    continue
                stop = end
                while stop < n_text and text[stop].isalnum():
                    stop += 1
                if text[end:stop].lower() not in self.endings:
                    continue
                end = stop
            hits.append((start, -end, actor))
        hits.sort()
        last_end = -1
        for start, neg_end, actor in hits:
            if start >= last_end:
                last_end = -neg_end
                yield start, last_end, actor


_WHITESPACE_RUN = re.compile(r"\s\s+|[^\S ]")  # a run of whitespace, or one that is not a space


_RULES: dict[frozenset, _Rules] = {}


def _rules(langs: frozenset = frozenset()) -> _Rules:
    """The compiled rules for reports in English and the languages `langs` (codes of
    data/lang/), built once per set of languages."""
    key = frozenset(langs) - {"en"}
    found = _RULES.get(key)
    if found is None:
        found = _RULES[key] = _Rules(key)
    return found


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def _not_that(langs: frozenset) -> str:
    """A lookahead refusing the languages' words for "that" ("ڕایگەیاند کە دوێنێ": the date
    after کە is the event's)."""
    from geo.events import languages as lang

    found = lang.words(langs, "complementizers")
    if not found:
        return ""
    from geo._lang import words_regex

    return f"(?!{words_regex(found)})"


def _language_alternative(langs: frozenset, key: str, after: str = "") -> str:
    """`|` and the words of `key` in the languages `langs` as a regex alternative (with `after`
    after them), or nothing when they have none."""
    from geo.events import languages as lang

    found = lang.words(langs, key)
    if not found:
        return ""
    from geo._lang import words_regex

    return "|" + words_regex(found) + after
