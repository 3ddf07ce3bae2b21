"""The event step in the languages of data/lang/ (Arabic, Sorani, Kurmanji): their words merged
into the English rules, and who did what to whom where word order differs from English.

The rules stay those of data/event_rules.yaml: a pack's event words give ACLED's English types
(each pack rule names a pair of that file and takes its rank), its prepositions, words of
saying, reactions and summaries join the English lists, its actors' names are aliases of the
rows of data/actors.csv. Output fields stay in ACLED's English; the evidence keeps the original
sentence. Latin-script words (Kurmanji) are matched with the English ones, ignoring case;
Arabic-script words (Arabic, Sorani) in the geoparser's folded text (geo._lang.FoldedMatcher),
the Arabic proclitics allowed in front. Only the languages a report has are merged in
(geo._lang.languages), so an English report reads exactly the English rules.
"""
from __future__ import annotations

import re
from functools import lru_cache

from geo._geoparse_rules import EventRule, event_rules
from geo._lang import ARABIC_PROCLITIC_RE, FoldedMatcher, detect, packs, plain_variant, words_regex

_ARABIC = re.compile(r"[\u0600-\u06FF]")


def chosen(langs: frozenset) -> list:
    """The packs of `langs` that add words (English has none: its rules are the base)."""
    table = packs()
    return [table[c] for c in sorted(langs) if c in table and c != "en"]


def words(langs: frozenset, key: str) -> list[str]:
    """A word list of the packs of `langs`, in pack order."""
    return [w for p in chosen(langs) for w in p.strings(key)]


@lru_cache(maxsize=16)
def language_rules(langs: frozenset) -> tuple[tuple[EventRule, str], ...]:
    """Each pack rule as an EventRule of its English pair (rank and `joins` of that rule; a
    pair listed twice in English, Violence against civilians / Attack, takes its rules in
    turn), with the pack's script."""
    english = event_rules()["rules"]
    out = []
    for pack in chosen(langs):
        used: dict[tuple[str, str], int] = {}
        for item in pack.data.get("rules") or []:
            pair = (item["event_type"], item["sub_event_type"])
            same = [r for r in english if (r.event_type, r.sub_event_type) == pair]
            k = used.get(pair, 0)
            base = same[min(k, len(same) - 1)]
            used[pair] = k + 1
            out.append((EventRule(base.event_type, base.sub_event_type,
                                  tuple(str(w) for w in item["keywords"]), base.rank, base.joins),
                        pack.script))
    return tuple(out)


def latin_keywords(langs: frozenset) -> list[tuple[str, EventRule]]:
    """(keyword, rule) of the Latin-script packs, a keyword of five letters or more also
    without its diacritics ("teqîn*" as "teqin*")."""
    out = []
    for rule, script in language_rules(langs):
        if script != "latin":
            continue
        for word in rule.keywords:
            out.append((word, rule))
            plain = plain_variant(word)
            if plain != word and len(plain.rstrip("*")) >= 5:
                out.append((plain, rule))
    return out


@lru_cache(maxsize=16)
def arabic_triggers(langs: frozenset) -> FoldedMatcher | None:
    """The Arabic-script keywords of `langs` (payload: the rule), the lowest rank first for a
    keyword listed twice."""
    entries = []
    for pack in chosen(langs):
        if pack.script != "arabic":
            continue
        for rule, script in language_rules(frozenset({pack.code})):
            entries += [(w, rule, pack.code == "ar") for w in rule.keywords]
    if not entries:
        return None
    entries.sort(key=lambda e: e[1].rank)
    return FoldedMatcher(entries)


def actor_aliases(langs: frozenset) -> dict[str, list[str]]:
    """Actor name -> its names in the packs of `langs`."""
    out: dict[str, list[str]] = {}
    for pack in chosen(langs):
        for actor, aliases in (pack.data.get("actors") or {}).items():
            out.setdefault(actor, []).extend(str(a) for a in aliases)
    return out


def arabic_actor_matcher(langs: frozenset, index: dict[str, int]) -> FoldedMatcher | None:
    entries = []
    for pack in chosen(langs):
        if pack.script != "arabic":
            continue
        for actor, aliases in (pack.data.get("actors") or {}).items():
            entries += [(str(a), index[actor], pack.code == "ar") for a in aliases]
    # longer names first: "قوات البيشمركة" before "البيشمركة" at the same start
    entries.sort(key=lambda e: -len(e[0]))
    from geo._text import name_key

    # Sorani joins its endings to a name ("داعشەوە", "پێشمەرگەکان"): they may follow.
    ends = frozenset(name_key(e) for p in chosen(langs) if p.script == "arabic" and p.code != "ar"
                     for e in p.geoparse_strings("suffixes"))
    return FoldedMatcher(entries, endings=ends) if entries else None


def origin_endings(langs: frozenset) -> tuple[str, ...]:
    """The endings of `langs` that make a name an origin, folded (Sorani ەوە: "from")."""
    from geo._text import name_key

    return tuple(sorted({name_key(e) for p in chosen(langs) for e in p.geoparse_strings("origin_suffixes")
                         if name_key(e)}, key=len, reverse=True))


def endings(langs: frozenset) -> frozenset[str]:
    """The endings a Latin-script name or actor takes in `langs` ("DAIŞê", "Pêşmergeyan")."""
    return frozenset(e for p in chosen(langs) if p.script == "latin" for e in p.geoparse_strings("suffixes"))


def regex(langs: frozenset, key: str, before: str = "", after: str = "") -> re.Pattern | None:
    """A whole-word regex of a word list of `langs` (None when empty)."""
    found = words(langs, key)
    if not found:
        return None
    return re.compile(before + words_regex(found) + after, re.IGNORECASE)


class Roles:
    """Who did it and to whom in the languages of `langs`: words right before an actor that
    make it the target ("على", "بۆ سەر", "ser") or the doer ("من قبل", "لەلایەن", "ji aliyê"),
    words around it that make it a victim ("مقتل X", "X کوژران", "X hatin kuştin"). Otherwise
    the first actor named did it and the others suffered it: Arabic puts the verb first and
    the doer right after it ("هاجم مسلحو داعش قوات البيشمركة"), Kurdish puts the doer first and
    the verb last ("چەکدارانی داعش پەلاماری پۆلیسیان دا")."""

    def __init__(self, langs: frozenset):
        self.target = regex(langs, "target_before", after=r"[\s،,]*$")
        self.doer = regex(langs, "doer_before", after=r"[\s،,]*$")
        self.victim_before = regex(langs, "victim_before", after=r"[\s،,]*(?:\S+\s+){0,2}$")
        self.victim_after = regex(langs, "victim_after", before=r"^[\s،,]*(?:\S+\s+){0,2}?")
        self.source = regex(langs, "source_before", after=r"[\s،,]*(?:\S+[\s،,]+)?$")
        # the verb last: a sentence ending in a victim's verb ("... کوژران.", "... hatin kuştin.")
        self.victim_end = regex(langs, "victim_after", after=r"[\s.!?؟۔\"”»)]*$")

    def is_source(self, text: str, start: int) -> bool:
        return bool(self.source and self.source.search(text[max(0, start - 40):start]))

    def split(self, text: str, found, trigger: int | None, triggers=()) -> tuple[list[str], list[str]]:
        """(doers, targets) of the actors `found` in the sentence `text`; `triggers`: the
        offsets of its event words."""
        doers: list[tuple[int, str]] = []
        targets: list[tuple[int, str]] = []
        rest: list[tuple[int, str]] = []
        for s, e, name, _ in found:
            before, after = text[max(0, s - 40):s], text[e:e + 60]
            if self.doer and self.doer.search(before):
                doers.append((s, name))
            elif (self.victim_before and self.victim_before.search(before)) \
                    or (self.victim_after and self.victim_after.search(after)) \
                    or (self.target and self.target.search(before)):
                targets.append((s, name))
            elif text[s:s + 1] == "ل" and any(0 <= s - t <= 12 and not text[t:s].strip().count(" ")
                                               for t in triggers):
                doers.append((s, name))  # "هجوم لداعش", "بضربة للتحالف": the attack of ISIS
            else:
                rest.append((s, name))
        if rest and not doers and self.victim_end and self.victim_end.search(text):
            # "دوو گەریلای پەکەکە بە درۆنێکی تورکیا کوژران": the subject suffered it
            first = rest[0][1]  # every mention of it ("گەریلای پەکەکە": one actor)
            targets += [r for r in rest if r[1] == first]
            rest = [r for r in rest if r[1] != first]
        for s, name in rest:
            (targets if doers else doers).append((s, name))
        ones = list(dict.fromkeys(n for _, n in sorted(doers)))
        twos = [n for n in dict.fromkeys(n for _, n in sorted(targets)) if n not in ones]
        return ones, twos


def sentence_language(text: str, langs: frozenset) -> str:
    """The language of one sentence, among those of its report."""
    if len(langs) == 1:
        return next(iter(langs))
    return detect(text)


__all__ = ["ARABIC_PROCLITIC_RE"]
