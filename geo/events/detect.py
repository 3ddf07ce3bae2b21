"""Which sentences are events: a report's sentences, the rule each event sentence matches,
whether it is anchored (a date, a place where something happened), and how sentences group
into events (see geo.events for the rules).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from geo import settings
from geo._geoparse_rules import EventRule
from geo._text import is_abbreviation
from geo.events.dates import _sentence_dates
from geo.events.locate import _LARGE, _antecedent, _dateline_like, _headline_places, _is_located, _is_origin, _km, _locate
from geo.events.structure import caption_paragraphs, is_background
from geo.events.rules import _rules
from geo.parse import Mention, ParseResult, mark_event_places, report_languages

# A sentence ends at . ! ? followed by a space and a capital (or a quote), or at a blank line.
# A line that wraps inside a paragraph does not end a sentence; a blank line does.
# A list item ("- On Sunday, ...", "2) ...") starts a sentence of its own.
# Arabic script has no capitals: a full stop, ؟ or ۔ before any of its letters ends a sentence.
_SENTENCE_END = re.compile(r"[.!?؟۔][\"”’)\]»]*\s+(?=[\"“‘(\[«]?[A-Z0-9\u0600-\u06FF])|\n[ \t]*\n"
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
    placement: object = None  # geo.events.locate.Placement: where, why, how sure
    # The sentences as a set: a long report joins thousands of sentences to one event, and a
    # membership test on the list made that quadratic.
    joined: set = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.joined.update(self.sentences)


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
        end = m.start() + (1 if text[m.start()] in ".!?؟۔" else 0)
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
    report = result.report
    rules = _rules(report_languages(report).present)  # English and the report's languages
    body = report.body
    spans = _Sentences(sentences(body))
    starts = [s for s, _ in spans]

    def sentence_of(offset: int) -> int:
        return max(0, bisect_right(starts, offset) - 1)

    triggers: dict[int, EventRule] = {}
    trigger_at: dict[int, int] = {}
    # Photo captions, credits, bylines and "Read more" lines tell no event of their own.
    apart = caption_paragraphs(body)
    for start, rule in rules.find_triggers(body):
        if any(s <= start < e for s, e in apart):
            continue
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
    # Background ("ISIS often attacks villages", "has held the area since 2014") is no event,
    # unless the sentence names the day of its own ("on Tuesday").
    for k in [k for k in triggers if is_background(body[spans[k][0]:spans[k][1]])]:
        if k not in dates or k in stated:
            del triggers[k]
            dates.pop(k, None)

    # Whether two sentences tell one event is judged by the places they happen at, not by the
    # landmarks they are measured from ("in Salahudin province, north of Baghdad") nor by a
    # dateline in capitals the reader did not take for one ("KIRKUK, Sept 5:").
    join_places = {k: [m for m in ms if not rules.reference.before(body, m.start)
                       and not _dateline_like(body, m)] for k, ms in places.items()}
    dated: list[_Draft] = []
    undated: list[_Draft] = []
    # Sentences that say they tell another event than the one before ("Another vehicle was
    # hit"): each starts an event of its own.
    others = {k for k in triggers if rules.other_event.search(body, spans[k][0], trigger_at[k])}

    def another(d: _Draft) -> bool:
        return spans.index(d.sentences[0]) in others

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
            if k in others:
                dated.append(draft)
            else:
                _add_dated(dated, draft, join_places, spans)
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
        if another(draft):
            events.append(draft)
            continue
        home = next((d for d in dated if d.rule.event_type == draft.rule.event_type
                     and _same_place(d, draft, join_places, spans)), None)
        if home is not None:
            _join(home, draft.sentences[0], draft.rule)
        else:
            same = next((d for d in events if not d.dated and d.rule.event_type == draft.rule.event_type
                         and _first_place(d, join_places, spans) == _first_place(draft, join_places, spans)), None)
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
    # A claim joins an event of its type that the report tells in its own words, near it
    # (a claim's places are vaguer than a report's own: "a village in northwestern Kirkuk"),
    # and not one that says it is another ("a correspondent reported that a drone hit a car
    # in Nalparez. Another car was hit in Dukan District": two strikes).
    for claim in [d for d in events if d.claim]:
        home = next((d for d in events if not d.claim and d.rule.event_type == claim.rule.event_type
                     and not (another(d) and claim.sentences[0][0] < d.sentences[0][0])
                     and _same_place(d, claim, join_places, spans, settings.EVENT_CLAIM_JOIN_KM)), None)
        if home is not None:
            for span in claim.sentences:
                _join(home, span, claim.rule)
            if claim.dated and not home.dated:
                # "X said the ambush yesterday evening ...": the claim dates the event its
                # own undated telling ("the militants staged the ambush") leaves undated.
                home.event_date, home.dated = claim.event_date, True
                home.warnings = [w for w in home.warnings if "published date" not in w] + claim.warnings
            events.remove(claim)
    if not events and loose:
        # Nothing anchored, but the report does describe an event ("a boy of 14 was killed"):
        # keep the first one it tells (the lede carries the main event), placed by the
        # sentences that go on to tell it, or without a place.
        told = [(k, rule) for k, rule in loose if k not in reactions and (k not in claims or not result.mentions)]
        if told:
            k, rule = min(told, key=lambda t: (t[0], t[1].rank)) if result.mentions else \
                min(told, key=lambda t: (t[1].rank, t[0]))
            events.append(_Draft(rule, [spans[k]], report.published, False, trigger=trigger_at[k]))
    anchors = {spans.index(d.sentences[0]) for d in events}
    headline = _headline_places(result)
    report_places = [m for m in result.mentions if m.role != "dateline"]
    for draft in events:
        _locate(rules, draft, body, spans, places, result, anchors, report_places, apart, headline)
        if not draft.dated and draft.event_date is not None:
            draft.warnings.append("no date in the event's sentences: the published date is used")
        elif draft.event_date is None and not any("date" in w for w in draft.warnings):
            draft.warnings.append("event date unknown (no published date)")
    events.sort(key=lambda d: d.sentences[0][0])
    # The headline reports the main event: when the first event told is not at a place the
    # headline names and a later one is, the later one is listed first.
    if headline and events and not _at_headline(events[0], headline):
        main = next((d for d in events if _at_headline(d, headline)), None)
        if main is not None:
            events.remove(main)
            events.insert(0, main)
    return events


def _at_headline(draft: _Draft, headline: frozenset) -> bool:
    """Is the event at a town or unit the headline names (not a governorate or larger: a
    headline's province is where most of an article's events are), named by the event's own
    sentences?"""
    placement = draft.placement
    if placement is None or not placement.candidates or placement.mention is None:
        return False
    best = placement.candidates[0]
    return placement.mention.place_id in headline and placement.mention.type not in _LARGE \
        and best.role in ("anchor", "event")


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


def _same_place(a: _Draft, b: _Draft, places: dict[int, list[Mention]], spans,
                within_km: float = settings.EVENT_JOIN_KM) -> bool:
    """Could two drafts be one event: either names no local place, or some place of one
    lies within `within_km` of a place of the other."""
    def local(d: _Draft) -> list[Mention]:
        k = spans.index(d.sentences[0])
        return [m for m in places.get(k, []) if m.type not in _LARGE and m.lat is not None]

    pa, pb = local(a), local(b)
    if not pa or not pb:
        return True
    return any(_km(x, y) <= within_km for x in pa for y in pb)


def _join(draft: _Draft, span: tuple[int, int], rule: EventRule) -> None:
    if span not in draft.joined:
        draft.joined.add(span)
        draft.sentences.append(span)
    if rule.event_type == draft.rule.event_type and rule.rank < draft.rule.rank:
        draft.rule = rule  # the most specific sub-type of the same family


def _first_place(draft: _Draft, places: dict[int, list[Mention]], spans) -> str | None:
    k = spans.index(draft.sentences[0])
    return places[k][0].place_id if places.get(k) else None


def assign_roles(result: ParseResult) -> None:
    """Set role `event` on the mentions the report's events are located at (in place), and
    keep the drafts on the result for the event step."""
    result.drafts = find_events(result)
    mark_event_places(result, {(d.place.start, d.place.end) for d in result.drafts if d.place is not None})
