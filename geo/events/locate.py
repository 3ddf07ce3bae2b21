"""Where an event happened: the place chosen among its sentences' mentions (never the
dateline nor a destination; not a container, an origin or a landmark when a better one is
named; the most specific), a place named again by its kind ("in the town"), and whether the
event was near it rather than in it.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from geo import settings
from geo.events.rules import _SPECIFICITY, _Rules
from geo.parse import SETTLEMENTS, Mention

if TYPE_CHECKING:
    from geo.events.detect import _Draft

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
