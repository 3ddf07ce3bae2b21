"""Who did it and to whom: the actors of data/actors.csv named in an event's sentences, the
soldiers named without a nationality, and ACLED's actor1 / actor2 of each event.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.events.rules import _VIOLENT, _Rules

if TYPE_CHECKING:
    from geo.events.detect import _Draft

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
    matchers = [rules.actor_exact, rules.actor_loose]
    if rules.actor_arabic is not None:  # Arabic and Sorani names, in the folded text
        matchers.append(rules.actor_arabic)
    for matcher in matchers:
        for start, end, n in matcher.finditer(text):
            if _is_source(rules, text, start, end):
                continue
            if any(a <= start < b or start <= a < end for a, b, *_ in found):
                continue  # a Latin and an Arabic-script name of the same words
            found.append((start, end, rules.actors[n].name, False))
    found += _bare_military(rules, text, found)
    found.sort()
    return tuple(found)


@lru_cache(maxsize=256)
def _language(rules: _Rules, text: str) -> str:
    """The language of an event sentence, among its report's."""
    from geo.events.languages import sentence_language

    return sentence_language(text, rules.langs | {"en"})


def _is_source(rules: _Rules, text: str, start: int, end: int) -> bool:
    return bool(rules.source_after.match(text, end) or _ACCORDING.search(text, max(0, start - 30), start)
                or (rules.roles is not None and rules.roles.is_source(text, start)))


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
    if rules.roles is not None and _language(rules, text) != "en":
        # Arabic, Sorani, Kurmanji: their own cues of doer and target (geo.events.languages)
        named = {rules.kind.get(n) for _, _, n, _ in found if n != UNIDENTIFIED_ACTOR}
        if named & {"rebel", "militia"}:
            found = tuple(f for f in found if f[2] != UNIDENTIFIED_ACTOR)
        triggers = [t for t, _ in rules.find_triggers(text)]
        ones, twos = rules.roles.split(text, [f for f in found if f[2] != _UNLISTED], trigger, triggers)
        return ones, twos
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
