"""Locating an event: which of the places a report names is where the event happened, and why.

Every place named in the event's sentences, in the few sentences right after its anchor that
go on telling it, and in its paragraph is a candidate. Each candidate gets named features
(data/locate_weights.yaml): where it is named (the anchor sentence, another sentence of the
event, the telling, the paragraph), how (after a locative word, as an origin, as a landmark,
as the container of the place before it), what it is (how specific its type is; a
governorate or larger), and where it lies (inside a larger unit the event names, outside the
unit its own sentence puts it in, far from every other place of the report). The score is
the weighted sum; the best candidate wins and the placement records why (`reason`) and how
sure it is (`confidence`).

Never bluff: when the sentence names the event's place but the gazetteer does not know it
("in Chirakh village in Dubiz"), the event takes the smallest known unit the text puts that
name in, keeps the name as written, and its precision says it is not a point (ACLED
geo_precision 2 or 3, UCDP where_prec to match). Precision 1 is only for a known town or
village named as the event's place.

`explain(...)` returns every candidate with its features and score, for tuning. The event
step calls `_locate` for each event draft; a place named again by its kind ("in the town") is
found by `_antecedent` before events are grouped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo import settings
from geo._admin import governorate_place, inside, km
from geo._text import spelling_form
from geo.events.rules import _Rules
from geo.events.structure import is_background
from geo.parse import SETTLEMENTS, Mention, ParseResult, geoparse

if TYPE_CHECKING:
    from geo.events.detect import _Draft
    from geo.gazetteer import Gazetteer, Place

WEIGHTS_FILE = settings.DATA_DIR / "locate_weights.yaml"
FEATURES = ("anchor", "event", "telling", "paragraph", "locative", "origin", "reference",
            "container", "specificity", "large", "unsure", "inside_named", "outside_anchor",
            "outside_named", "far", "headline", "unknown_unit", "order")
_CITY_AREA_KM = 30.0  # a village or town this close to a city the anchor names is in its area
ROLES = ("anchor", "event", "telling", "paragraph")
LARGE = frozenset({"governorate", "region", "country"})

# ACLED geo_precision and UCDP where_prec by place type (settlements: 1, or 2 when "near").
GEO_PRECISION = {**dict.fromkeys(("city", "town", "village"), 1),
                 **dict.fromkeys(("site", "military_base", "dam", "sector", "command_area",
                                  "subdistrict", "district"), 2),
                 **dict.fromkeys(("valley", "mountain", "lake", "river", "front", "governorate",
                                  "region", "country"), 3)}
WHERE_PREC = {**dict.fromkeys(("city", "town", "village"), 1),
              **dict.fromkeys(("site", "military_base", "dam", "sector", "command_area",
                               "subdistrict"), 2),
              "district": 3, "governorate": 4,
              **dict.fromkeys(("valley", "mountain", "lake", "river", "front", "region"), 5),
              "country": 6}

# Between a place and its container: ", ", " in ", " of ", " (", with an optional closing
# bracket and area word ("Zap (Amadiya) region of Dahuk", "Penjwin (Sulaymaniyah)").
CONTAINER_GAP = re.compile(r"\)?(?:\s+(?:region|area|areas|district|sub-?district|province|"
                           r"governorate|city|town|village|villages))?"
                           r"(?:,\s*(?:(?:(?:which|that)\s+(?:lies|is|sits)\s+)?(?:in|of)\s+(?:the\s+)?)?"
                           r"|,\s*(?:a|an|the)\s+(?:[a-z][\w'’-]*\s+){0,3}?(?:village|town|city|district|"
                           r"sub-?district|area|region)\s+(?:in|of|near)\s+(?:the\s+)?"
                           r"|\s+(?:in|of)\s+(?:the\s+)?|\s*\()"
                           # "Daquq in southern Kirkuk", "X in the north of Y"
                           r"(?:(?:northern|southern|eastern|western|central|north|south|east|west|"
                           r"north-?eastern|north-?western|south-?eastern|south-?western)\s+"
                           r"|the\s+(?:north|south|east|west|north-?east|north-?west|south-?east|"
                           r"south-?west)\s+of\s+(?:the\s+)?)?")
# Between a name the gazetteer does not know and the unit the text puts it in: its kind word,
# then "in", "of", ", ", "(", or ", which lies in the", ", a village in", ", part of".
_UNKNOWN_GAP = re.compile(r"(?:\s*\([^()]{1,40}\))?(?P<kind>\s+(?:village|villages|area|areas|region|district|sub-?district|"
                          r"town|neighbou?rhood|camp|hills?|heights|mountain|valley|plain|plains|"
                          r"base|checkpoint|road))?\)?"
                          r"(?:,\s*(?:(?:which|that)\s+(?:lies|is|sits)\s+)?(?:(?:a|the)\s+(?:[\w'’-]+\s+){0,3}?)?"
                          r"(?:(?:in|of|near)\s+(?:the\s+)?)?|\s+(?:in|of|near)\s+(?:the\s+)?|\s*\(|\s+)"
                          r"(?:(?:northern|southern|eastern|western|central|north|south|east|west|"
                          r"rural|remote)\s+)?$")
POSSESSIVE_GAP = re.compile(r"['’]s\s+")
# "Kirkuk-Erbil road", "the Tuz-Kifri highway": the first town, then the second.
_ROAD_AFTER = re.compile(r"[-–]\s?[A-Z][\w'’]*(?:\s[A-Z][\w'’]*)?\s+(?:road|highway|motorway|route)\b", re.IGNORECASE)
_ROAD_JOIN = re.compile(r"[-–]\s?$")
_ROAD_TAIL = re.compile(r"\s+(?:road|highway|motorway|route)\b", re.IGNORECASE)
@dataclass(frozen=True)
class Weights:
    weights: dict
    specificity: dict
    telling_sentences: int
    far_km: float


@lru_cache(maxsize=4)
def weights(path: Path = WEIGHTS_FILE) -> Weights:
    """data/locate_weights.yaml, checked: every feature has a number."""
    from geo._errors import ReportError
    from geo._geoparse_rules import _load_yaml

    data = _load_yaml(path)
    w = data.get("weights")
    if not isinstance(w, dict):
        raise ReportError(f"{path}: field 'weights': expected a mapping of feature to number")
    for name in FEATURES:
        if not isinstance(w.get(name), (int, float)) or isinstance(w.get(name), bool):
            raise ReportError(f"{path}: field 'weights': feature '{name}' needs a number")
    strays = sorted(set(w) - set(FEATURES))
    if strays:
        raise ReportError(f"{path}: field 'weights': unknown feature '{strays[0]}' "
                          f"(known: {', '.join(FEATURES)})")
    spec = data.get("specificity")
    if not isinstance(spec, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in spec.values()):
        raise ReportError(f"{path}: field 'specificity': expected place type -> number from 0 to 1")
    n = data.get("telling_sentences", 4)
    far = data.get("far_km", 150)
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ReportError(f"{path}: field 'telling_sentences': expected a whole number >= 0")
    if not isinstance(far, (int, float)) or isinstance(far, bool) or far <= 0:
        raise ReportError(f"{path}: field 'far_km': expected a positive number")
    return Weights({k: float(v) for k, v in w.items()}, {k: float(v) for k, v in spec.items()}, n, float(far))


@dataclass
class Candidate:
    """One place the event could be at: its features, and its score under the weights."""

    mention: Mention
    role: str
    features: dict = field(default_factory=dict)
    score: float = 0.0


@dataclass
class Placement:
    """Where an event happened, and why: `mention` is None when no place is known."""

    mention: Mention | None
    near: bool = False
    reason: str = ""
    confidence: float = 0.0
    precision: int | None = None  # ACLED geo_precision
    where_prec: int | None = None  # UCDP where_prec
    unknown_name: str = ""  # the event's place as written, when the gazetteer does not know it
    candidates: list[Candidate] = field(default_factory=list)


def outermost(mentions: list[Mention]) -> list[Mention]:
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


# "KIRKUK, Sept 5:", "ARBIL, Iraq -": a place in capitals opening a paragraph is where the
# report was written (a dateline the reader did not recognise), not where the event was.
_DATELINE_AFTER = re.compile(r"\s*(?:,|\(|[-–—]|:)")


# "Baghdad [Iraq], November 30 (ANI/Xinhua):": a place opening a paragraph, then within a
# few words an agency in brackets and a colon or dash.
_AGENCY_AFTER = re.compile(r"[^\n.:]{0,40}?\([^()\n]{1,40}\)\s*[:–—-]")


def _dateline_like(body: str, m: Mention) -> bool:
    line_start = body.rfind("\n", 0, m.start) + 1
    if body[line_start:m.start].strip():
        return False
    return (m.text.isupper() and len(m.text) > 2 and bool(_DATELINE_AFTER.match(body, m.end))) \
        or bool(_AGENCY_AFTER.match(body, m.end))


# "in the northeast of Erbil province", "the northern part of Sinjar district": a part of the
# place, not a landmark outside it.
_PART_OF = re.compile(r"\bthe\s+(?:far\s+)?(?:north|south|east|west|north-?east|north-?west|south-?east|"
                      r"south-?west|northern|southern|eastern|western|central)\s+"
                      r"(?:parts?\s+|reaches\s+|edge\s+)?of\s+(?:the\s+)?$", re.IGNORECASE)


def _part_of(body: str, m: Mention) -> bool:
    return bool(_PART_OF.search(body, max(0, m.start - 40), m.start))


def _is_road(body: str, m: Mention) -> bool:
    return bool(_ROAD_AFTER.match(body, m.end) or (
        _ROAD_JOIN.search(body, max(0, m.start - 2), m.start) and _ROAD_TAIL.match(body, m.end)))


def _score(c: Candidate, w: Weights) -> float:
    return sum(w.weights[f] * v for f, v in c.features.items())


def candidates(rules, body: str, gaz: "Gazetteer", pools: list[tuple[str, tuple[int, int], list[Mention]]],
               report_places: list[Mention], headline: frozenset = frozenset()) -> list[Candidate]:
    """The scored candidates of an event: `pools` are (role, sentence span, its mentions),
    the anchor sentence first; `report_places` every place the report names (for distances);
    `headline` the place ids its headline names."""
    w = weights()
    headline_units = [p for p in (gaz.get(i) for i in headline) if p is not None]
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    local_named: list["Place"] = []  # the larger units the event's own sentences name
    for role, _span, mentions in pools:
        ordered = outermost(sorted(mentions, key=lambda m: m.start))
        containers: set[int] = set()
        located = {id(m) for m in ordered if _is_located(rules, body, m) or _part_of(body, m)}
        outside_of: set[int] = set()
        for a, b in zip(ordered, ordered[1:]):
            if CONTAINER_GAP.fullmatch(body, a.end, b.start) or _language_container(rules, body, a, b):
                containers.add(id(b))
                pa, pb = gaz.get(a.place_id), gaz.get(b.place_id)
                # "al-Rumaitha in Muqdadiya": a place outside the unit named as its container
                # is a namesake (by admin names, or far from a container that has none).
                # A place just outside the unit named is the text's slip or a disputed
                # boundary ("Tuz Khurmatu, in Diyala province"), not a namesake: the geoparser
                # has already preferred a namesake inside the unit where there is one.
                if pa is not None and pb is not None and not inside(pa, pb) \
                        and km(a, b) > settings.EVENT_CONTAINER_KM.get(b.type, 1e9):
                    outside_of.add(id(a))
                    containers.discard(id(b))  # the named unit is then the best there is
            elif POSSESSIVE_GAP.fullmatch(body, a.end, b.start):
                # "in Kirkuk's Hawija district": the first is the container, the second is where.
                containers.add(id(a))
                if id(a) in located:
                    located.add(id(b))
        for m in ordered:
            if (m.start, m.end) in seen or m.lat is None or _dateline_like(body, m):
                continue
            seen.add((m.start, m.end))
            f = dict.fromkeys(FEATURES, 0.0)
            f[role] = 1.0
            f["locative"] = float(id(m) in located)
            f["origin"] = float(_is_origin(rules, body, m))
            f["reference"] = float((rules.reference.before(body, m.start) and not _part_of(body, m))
                                   or _is_road(body, m))
            f["container"] = float(id(m) in containers)
            f["specificity"] = w.specificity.get(m.type, 0.5)
            f["large"] = float(m.type in LARGE)
            f["unsure"] = float(m.confidence < settings.EVENT_UNSURE_CONFIDENCE)
            f["outside_named"] = float(id(m) in outside_of)
            f["order"] = float(len(out))
            hp = gaz.get(m.place_id)
            f["headline"] = float(m.place_id in headline or (hp is not None and any(
                inside(hp, h) if h.type != "city" else (hp.type in SETTLEMENTS and km(hp, h) <= _CITY_AREA_KM)
                for h in headline_units if h.type != "country")))
            c = Candidate(m, role, f)
            out.append(c)
            # The units the anchor names as where it happened ("in Salahudin province", "in
            # Mosul"): a place of the event's other sentences inside one is more specific
            # there; one outside all of them is another story's.
            if role == "anchor" and f["locative"] and not f["reference"] and not f["origin"] \
                    and not f["container"] and m.type not in ("country", "village", "town"):
                p = gaz.get(m.place_id)
                if p is not None:
                    local_named.append(p)
    others = [m for m in report_places if m.lat is not None and m.type not in LARGE
              and m.confidence >= settings.EVENT_UNSURE_CONFIDENCE]
    # The governorates the report's reviewed places lie in (its governorates, towns and
    # districts of the curated tier): a village of the WOF tier outside all of them is a
    # namesake ("Al 'Ayn", "the spring", is a village in every province).
    report_govs: set[str] = set()
    for m in report_places:
        rp = gaz.get(m.place_id)
        if rp is not None and rp.tier != "wof" and rp.type != "country":
            report_govs.update(g for g in (rp.governorate, rp.governorate_krg) if g)
    for c in out:
        p = gaz.get(c.mention.place_id)
        if p is None:
            continue
        units = [u for u in local_named if u.id != p.id and (u.type != "city" or p.type in SETTLEMENTS)]
        if units and c.role == "anchor" and c.features["reference"] and not any(inside(p, u) for u in units):
            # "in Salahudin province, north of Baghdad": a landmark outside the unit named
            # only says where that unit is.
            c.features["outside_anchor"] = 1.0
        elif units and c.role != "anchor":
            if any(inside(p, u) if u.type != "city" else km(p, u) <= _CITY_AREA_KM for u in units):
                c.features["inside_named"] = 1.0
            elif not any(inside(u, p) for u in units):
                c.features["outside_anchor"] = 1.0
        if report_govs and p.tier == "wof" and p.governorate \
                and not {p.governorate, p.governorate_krg} & report_govs:
            c.features["outside_named"] = 1.0
        if c.mention.type not in LARGE:
            rest = [o for o in others if o.place_id != c.mention.place_id]
            if len({o.place_id for o in rest}) >= 2 and min(km(c.mention, o) for o in rest) > w.far_km:
                c.features["far"] = 1.0
    for c in out:
        c.score = round(_score(c, w), 4)
    return out


_UNIT_WORDS = re.compile(r"\b(?:in|of)\b|[,(]")
_CLAUSE_BREAK = re.compile(r"[.;:]|\b(?:and|or|but|while|where|when|after|before)\b")
# "region of", "areas of", "province of" right before a town's name: the unit of that name.
_REGION_OF = re.compile(r"\b(?:regions?|areas?|province|governorate)(?:\s*\([^()]*\))?\s+of\s+(?:the\s+)?$",
                        re.IGNORECASE)


# "Lelikan hill in Erbil region", "X in Dahuk province": the unit of that name, after it.
_REGION_AFTER = re.compile(r"\s+(?:region|province|governorate)\b(?!['’]s|\s+(?:building|buildings|office|"
                           r"offices|headquarters|compound|council|hall|palace|court|house|"
                           r"centre|center|headquarter|police|government|authorities)\b)", re.IGNORECASE)
# An area, a mountain or a valley does not lie in a city: in the governorate of its name.
_AREA_KINDS = frozenset({"area", "areas", "region", "mountain", "mountains", "valley", "plain",
                         "plains", "hill", "hills", "heights"})


def _governorate_named(gaz, m: Mention) -> Mention | None:
    """The mention as its governorate, when the town bears the governorate's name."""
    gov = governorate_place(gaz, gaz.get(m.place_id))
    if gov is None or not _same_name(gov.name, m.name):
        return None
    return replace(m, place_id=gov.id, name=gov.name, type=gov.type, lat=gov.lat, lon=gov.lon)


def _same_name(a: str, b: str) -> bool:
    return a.casefold().split()[0] == b.casefold().split()[0]


def _kind_label(t: str) -> str:
    return {"city": "town", "governorate": "province"}.get(t, t.replace("_", " "))


def place_event(rules, body: str, gaz: "Gazetteer", pools: list[tuple[str, tuple[int, int], list[Mention]]],
                report_places: list[Mention], unresolved: list[str],
                notes: dict | None = None, headline: frozenset = frozenset()) -> Placement:
    """The event's place among its candidates (see the module docstring), with why."""
    unknown = _unknown_event_name(rules, body, pools, unresolved)
    told_unit = None
    if unknown and unknown[1] is None:
        # The event's own place is unknown and no unit follows it: its paragraph's other
        # places are other stories' ("... near Zrgwez. Later, an IED exploded in Jalawla").
        pools = [p for p in pools if p[0] != "paragraph"]
        # ... unless the report says later where that name lies ("Liheb ... is in a remote
        # part of south Daquq"): that unit is where the event is, as far as is known.
        told_unit = _unit_told_later(body, unknown, report_places)
        if told_unit is not None:
            unknown = (unknown[0], (told_unit.start, told_unit.end), unknown[2], unknown[3])
            if not any(told_unit in ms for _r, _s, ms in pools):
                pools = [*pools, ("telling", (told_unit.start, told_unit.end), [told_unit])]
    cands = candidates(rules, body, gaz, pools, report_places, headline)
    for c in cands:
        if told_unit is not None and (c.mention.start, c.mention.end) == (told_unit.start, told_unit.end):
            c.features["unknown_unit"] = 1.0
            c.score = round(_score(c, weights()), 4)
    if unknown and unknown[1] is not None:
        for c in cands:
            if (c.mention.start, c.mention.end) == unknown[1] and not c.features.get("unknown_unit"):
                c.features["unknown_unit"] = 1.0
                c.score = round(_score(c, weights()), 4)
    if not cands:
        return Placement(None, reason=("place unknown: " + unknown[0]) if unknown else "no place named",
                         unknown_name=unknown[0] if unknown else "")
    ranked = sorted(cands, key=lambda c: (-c.score, c.features["order"]))
    best = ranked[0]
    m = best.mention
    f = best.features
    near = m.type in SETTLEMENTS and (rules.near.before(body, m.start) or bool(rules.outside.match(body, m.end)))
    reason = {"anchor": "named as the event's place" if f["locative"] else "named in the event's sentence",
              "event": "named in another sentence of the event",
              "telling": "named in the sentences that go on to tell the event",
              "paragraph": "taken from the event's paragraph"}[best.role]
    if m.match == "anaphora":
        noun = m.text.split()[-1].lower()
        near = near or (m.type in SETTLEMENTS and noun in rules.anaphora_vicinity)
        reason = f"named before it, as {m.text!r}"
    if f["inside_named"] and best.role != "anchor":
        reason += ", inside the larger unit the event's sentence names"
    if f["reference"]:
        reason += " (a landmark the event is measured from)"
    precision = 2 if near else GEO_PRECISION.get(m.type, 3)
    where = 2 if near else WHERE_PREC.get(m.type, 5)
    confidence = {"anchor": 0.9, "event": 0.8, "telling": 0.7, "paragraph": 0.5}[best.role]
    unknown_name = ""
    own_town = best.role == "anchor" and f["locative"] and m.type in SETTLEMENTS
    # "in Saca (Shaca) village in Zap (Amadiya)": a town named after the unknown name, with
    # "in" or "of" between and no new clause, is the unit it lies in.
    unit_after = bool(unknown) and best.role == "anchor" and unknown[3] <= m.start \
        and m.start - unknown[3] <= 80 and bool(_UNIT_WORDS.search(body, unknown[3], m.start)) \
        and not _CLAUSE_BREAK.search(body, unknown[3], m.start)
    if unknown and (unknown[1] == (m.start, m.end) or not own_town or unit_after):
        # The event's own place is a name the gazetteer does not know: this is the smallest
        # known unit the text puts it in, and the precision says so.
        unknown_name = unknown[0]
        what = unknown[2] or "place"
        if m.type in SETTLEMENTS and (_REGION_OF.search(body, max(0, m.start - 70), m.start)
                                      or _REGION_AFTER.match(body, m.end) or what in _AREA_KINDS):
            # "Xakurke region of Erbil": the governorate, not the city of the same name.
            gov = _governorate_named(gaz, m)
            if gov is not None:
                m = gov
                precision, where = GEO_PRECISION["governorate"], WHERE_PREC["governorate"]
        variant = _spelling_variant(gaz, body, unknown, m)
        if variant is not None:
            # The name is a known place's other spelling, and the only such place inside the
            # unit the text puts it in: that place, said to be a reading of the spelling.
            place, unit = variant
            at = body.rfind(unknown_name, 0, unknown[3])
            m = replace(m, place_id=place.id, name=place.name, type=place.type, lat=place.lat,
                        lon=place.lon, text=unknown_name, start=at, end=at + len(unknown_name),
                        match="spelling")
            reason = (f"{what or 'place'} {unknown_name!r} read as {place.name} (another spelling), "
                      f"the one place of that spelling in the {unit} named")
            precision = GEO_PRECISION.get(place.type, 3)
            where = WHERE_PREC.get(place.type, 5)
            confidence *= 0.7
        else:
            reason = f"{what} unknown ({unknown_name}): its {_kind_label(m.type)}"
            precision = max(2, precision)
            where = max(2, where)
            confidence *= 0.75
    elif m.type in SETTLEMENTS and _REGION_AFTER.match(body, m.end) and \
            _governorate_named(gaz, m) is not None:
        # "in Erbil region", "in Duhok province" (with no governorate row of that spelling):
        # the governorate, not the city.
        m = _governorate_named(gaz, m)
        precision, where = GEO_PRECISION["governorate"], WHERE_PREC["governorate"]
        near = False
    elif m.type in SETTLEMENTS and not f["locative"] and not near and precision == 1:
        # A town named near the event but not as where it happened: around it, not at it.
        precision, where = 2, 2
        reason += " (not named as where it happened: around the town)"
    if not f["locative"]:
        confidence *= 0.85
    confidence *= max(0.5, min(1.0, m.confidence or 1.0))
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < 0.5:
        confidence *= 0.85
    if f["far"] or f["outside_named"]:
        confidence *= 0.6
    if m.type in LARGE:
        confidence *= 0.8
    note = notes.get((m.start, m.end)) if notes else None
    if note:
        reason = f"{reason}; {note}"
    return Placement(m, near, reason, round(confidence, 2), precision, where, unknown_name, ranked)


# How far a spelling variant may lie from the unit the text puts it in: a town's own area,
# or a district's (when the gazetteer's district field is the unit's).
_VARIANT_TOWN_KM = 25.0
_VARIANT_UNIT_KM = 45.0
_VARIANT_SAME_KM = 6.0  # "Upper X" and "Lower X": one place for placing an event
# The key drops vowels, so it joins names that only share consonants (Kalhouri, Kalar): the
# spellings themselves, letters folded and vowels kept, must also be this alike (0-100).
_VARIANT_MIN_RATIO = 75
_TERRAIN_KINDS = frozenset({"mountain", "mountains", "valley", "plain", "plains", "hill", "hills",
                            "heights"})


def _spelling_variant(gaz, body: str, unknown, unit: Mention):
    """(place, what the unit is) when the unknown name is, by its spelling key, exactly one
    known place (or one pair of Upper/Lower) inside the unit the text puts it in; else None.
    A name with no unit, or with several such places in it, stays unknown."""
    name, _span, kind, _after = unknown
    if unit.lat is None or unit.type in LARGE - {"governorate"}:
        return None
    wanted = {"mountain", "valley"} if kind in _TERRAIN_KINDS else SETTLEMENTS | {"subdistrict"}
    here = gaz.get(unit.place_id) if unit.place_id in gaz else None
    found = []
    from rapidfuzz import fuzz

    written = spelling_form(name)
    for p in gaz.spelling_variants(name):
        if p.type not in wanted or p.id == unit.place_id or p.lat is None:
            continue
        if max(fuzz.ratio(written, spelling_form(n)) for n in p.all_names()) < _VARIANT_MIN_RATIO:
            continue
        d = km(unit, p)
        if unit.type in SETTLEMENTS:
            ok = d <= _VARIANT_TOWN_KM
        elif unit.type in ("district", "subdistrict"):
            district = here.district if here is not None else ""
            ok = d <= _VARIANT_UNIT_KM and (not district or p.district == district
                                           or d <= _VARIANT_TOWN_KM)
        elif unit.type == "governorate":
            ok = False  # hundreds of villages share a key in a province: too many to pick from
        else:
            ok = d <= _VARIANT_TOWN_KM
        if ok:
            found.append((d, p))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], t[1].id))
    first = found[0][1]
    if any(km(first, p) > _VARIANT_SAME_KM for _d, p in found[1:]):
        return None
    label = {"city": "town", "village": "town", "governorate": "province"}.get(unit.type, unit.type)
    return first, f"{unit.name} {label}" if label != "town" else f"area of {unit.name}"


def _unknown_event_name(rules, body: str, pools, unresolved: list[str]):
    """The first name of the anchor sentence, in an event place's position ("in X", "X
    village"), that the gazetteer did not resolve: (name, the span of the known unit right
    after it or None, its kind word)."""
    if not pools or not unresolved:
        return None
    _role, (start, end), mentions = pools[0]
    mentions = sorted(mentions, key=lambda m: m.start)
    for name in unresolved:
        if name.endswith(("'s", "’s")):
            continue  # "Azad Khalid's": a person's, not a place
        at = body.find(name, start, end)
        while at >= 0:
            owner = _owner_before(body, at, mentions)
            if (rules.event_prep.before(body, at) or owner is not None and
                    rules.event_prep.before(body, owner.start)) \
                    and not rules.origin.before(body, at) and not rules.away.before(body, at):
                bare, kind = _split_kind(name)
                after = at + len(name)
                if not kind:
                    more = _KIND_AFTER.match(body, after) or _KIND_BEFORE.search(body, max(0, at - 30), at)
                    kind = more.group(1).lower() if more else ""
                unit = owner or next((m for m in mentions if m.start >= after and m.start - after < 60
                                      and _UNKNOWN_GAP.fullmatch(body, after, m.start)), None)
                return (bare, (unit.start, unit.end) if unit else None, kind, after)
            at = body.find(name, at + 1, end)
    return None


_KIND_WORDS = ("village", "villages", "area", "region", "district", "sub-district", "subdistrict",
               "town", "neighborhood", "neighbourhood", "camp", "hill", "hills", "heights", "mountain",
               "mountains", "valley", "plain", "plains")
_KIND_AFTER = re.compile(r"\s+(" + "|".join(_KIND_WORDS) + r")\b", re.IGNORECASE)


_TOLD_GAP = re.compile(r"[^.;!?]{0,80}?\b(?:in|of|near)\s+(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,4}?$")


def _unit_told_later(body: str, unknown, report_places: list[Mention]) -> Mention | None:
    """A known place the report names right after a later mention of the unknown name, with
    "in", "of" or "near" between and no sentence end ("Liheb, a village of two families, is
    in a remote part of south Daquq")."""
    name, at = unknown[0], unknown[3]
    places = sorted((m for m in report_places if m.lat is not None), key=lambda m: m.start)
    pos = body.find(name, at)
    for _ in range(5):
        if pos < 0:
            return None
        after = pos + len(name)
        for m in places:
            if m.start < after:
                continue
            if m.start - after > 120:
                break
            if _TOLD_GAP.fullmatch(body, after, m.start) and m.type not in LARGE - {"governorate"}:
                return m
            break
        pos = body.find(name, after)
    return None


_KIND_BEFORE = re.compile(r"\b(" + "|".join(_KIND_WORDS) + r")\s+of\s+(?:the\s+)?$", re.IGNORECASE)


def _split_kind(name: str) -> tuple[str, str]:
    """"Chirakh village" -> ("Chirakh", "village")."""
    words = name.split()
    if len(words) > 1 and words[-1].lower() in _KIND_WORDS:
        return " ".join(words[:-1]), words[-1].lower()
    return name, ""


def _owner_before(body: str, at: int, mentions: list[Mention]) -> Mention | None:
    """The known place right before a name with a possessive ("Diyala province's X")."""
    for m in mentions:
        if m.end <= at and re.fullmatch(r"(?:\s+(?:province|governorate|district|region))?['’]s\s+",
                                        body[m.end:at], re.IGNORECASE):
            return m
    return None


def explain(placement: Placement) -> str:
    """Every candidate of a placement with its features and score, best first (for tuning)."""
    lines = [f"chosen: {placement.mention.name if placement.mention else '-'} "
             f"({placement.reason}; confidence {placement.confidence})"]
    for c in placement.candidates:
        on = ", ".join(f"{k}={v:g}" for k, v in c.features.items() if v)
        lines.append(f"  {c.score:6.2f}  {c.mention.text!r} -> {c.mention.name} [{c.role}] {on}")
    return "\n".join(lines)


# --- the event step's side: the candidates of a draft, and what the placement gives it -----------

def _locate(rules: _Rules, draft: "_Draft", body: str, spans, places, result: ParseResult,
            anchors: set[int], report_places: list[Mention], apart, headline: frozenset) -> None:
    """The event's place: the candidates of its sentences, of the sentences right after its
    anchor that go on telling it (up to the next event's anchor), and of its paragraph,
    scored by `place_event` (data/locate_weights.yaml), with the reason it won."""
    order = [spans.index(s) for s in draft.sentences]
    first = order[0]
    pools = [("anchor", spans[first], places.get(first, []))]
    pools += [("event", spans[k], places.get(k, [])) for k in order[1:]]
    taken = set(order)
    for k in range(first + 1, min(len(spans), first + 1 + weights().telling_sentences)):
        if k in anchors:
            break  # the next event begins
        s, e = spans[k]
        if k not in taken and not any(a <= s < b for a, b in apart) and not is_background(body[s:e]):
            pools.append(("telling", spans[k], places.get(k, [])))
            taken.add(k)
    start, end = spans[first]
    para_start = body.rfind("\n\n", 0, start) + 1
    para_end = body.find("\n\n", end)
    para_end = len(body) if para_end < 0 else para_end
    for k, ms in places.items():
        if k not in taken and para_start <= spans[k][0] < para_end:
            pools.append(("paragraph", spans[k], ms))
    gaz = result.gazetteer if result.gazetteer is not None else _default_gazetteer()
    placement = place_event(rules, body, gaz, pools, report_places, result.unresolved, result.notes,
                            headline)
    draft.placement = placement
    draft.place = placement.mention
    draft.near = placement.near
    if draft.place is None:
        draft.warnings.append("no resolvable place: the event has no geometry"
                              + (f" (unresolved: {placement.unknown_name})" if placement.unknown_name else ""))
        return
    if draft.place.match == "anaphora":  # "the town": the place told before it
        draft.warnings.append(f"place taken from {draft.place.text!r} in the event's sentence: "
                              f"{draft.place.name}, named before it")


def _headline_places(result: ParseResult) -> frozenset:
    """The place ids the report's headline names: the headline reports the main event."""
    title = (result.report.title or "").strip()
    if not title or len(title) > 300 or title == result.report.id:
        return frozenset()
    from dataclasses import replace as _replace

    gaz = result.gazetteer if result.gazetteer is not None else _default_gazetteer()
    head = _replace(result.report, body=title, dateline=None, dateline_span=None)
    return frozenset(m.place_id for m in geoparse(head, gaz).mentions if m.place_id)


def _is_located(rules: _Rules, body: str, mention: Mention) -> bool:
    return rules.event_prep.before(body, mention.start) or (
        # Arabic joins "in" to the name: "بخانقين", "وبخان بني سعد" (found without it)
        bool(rules.langs) and mention.match in ("inflected", "normalized") and _joined_in(mention.text))


def _joined_in(text: str) -> bool:
    """Does an Arabic name as written start with the proclitic ب ("in"), after an optional
    و or ف?"""
    rest = text[1:] if text[:1] in "وف" else text
    return rest[:1] == "ب" and len(rest) > 3


def _is_origin(rules: _Rules, body: str, mention: Mention) -> bool:
    return rules.origin.before(body, mention.start) or (
        # Sorani's "from" is an ending: "لە کەرکووکەوە"
        mention.match == "inflected" and bool(rules.origin_endings)
        and _fold(mention.text).endswith(rules.origin_endings))


def _fold(text: str) -> str:
    from geo._text import name_key

    return name_key(text)


def _language_container(rules: _Rules, body: str, a: Mention, b: Mention) -> bool:
    """Is `b` the container of `a` by the words of a language between them ("قرية الصمود في
    قضاء داقوق", "گوندی هروور لە شارۆچکەی کانی ماسی", "gundê Seydan a girêdayî bajarokê
    Qerehencîr"), an Arabic comma, or a joined "in" or "of" on `b` ("بقضاء", "لقضاء")?"""
    if rules.container is None:
        return False
    raw = body[a.end:b.start]
    if len(raw) > 40:
        return False
    gap = raw.strip(" \t،,()")
    if not gap:
        return raw.strip() in ("،", ",") or (b.text[:1] in "بل" and b.match in ("inflected", "normalized"))
    words = gap.split()
    return bool(rules.container.fullmatch(gap)) or (
        len(words) > 1 and bool(rules.container.fullmatch(" ".join(words[:-1]))) and _is_lead_in(rules, words[-1]))


def _is_lead_in(rules: _Rules, word: str) -> bool:
    """A kind of place written before its name ("قضاء", "ناحیەی", "bajarokê")."""
    from geo.events.rules import _fold_word

    key = _fold_word(word.lower())
    return (key,) in rules.lead_ins or (key[:1] in "بلو" and (key[1:],) in rules.lead_ins)


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
        return replace(found, text=body[m.start():m.end()], start=m.start(), end=m.end(),
                       role="mention", confidence=round(found.confidence * 0.9, 3), match="anaphora")
    return None


_ANAPHOR_NOUN = re.compile(r"\S+$")




def _default_gazetteer():
    from geo.gazetteer import Gazetteer

    return Gazetteer.default()


# The names the detect step reads.
_LARGE = LARGE
_km = km
