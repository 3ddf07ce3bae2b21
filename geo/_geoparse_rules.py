"""Loading the reviewed rule files the geoparser and the event step read from `data/`.

`data/geoparse.yaml` (stop-list, words that are not places, person titles),
`data/event_rules.yaml` (ACLED types by keyword, prepositions) and `data/actors.csv` (actors and
their aliases). Each loader checks its file and raises ReportError naming the file, line and
field at fault, and caches its result: the files are read once per process.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import settings
from geo._errors import ReportError


@dataclass(frozen=True)
class GeoparseRules:
    """The contents of data/geoparse.yaml, as sets of strings (names normalized by the caller)."""

    stop_names: tuple[str, ...]
    adjectives: tuple[str, ...]
    actors: tuple[str, ...]
    outlets: tuple[str, ...]
    person_titles: tuple[str, ...]
    person_roles: tuple[str, ...]
    not_names: frozenset[str]
    place_prepositions: tuple[str, ...] = ()
    given_names: frozenset[str] = frozenset()
    building_words: frozenset[str] = frozenset()
    bulk_place_words: tuple[str, ...] = ()
    container_links: tuple[str, ...] = ()
    bulk_not_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRule:
    """One line of data/event_rules.yaml: an ACLED type, a sub-type and their keywords."""

    event_type: str
    sub_event_type: str
    keywords: tuple[str, ...]
    rank: int
    joins: bool = False  # a sentence with no date and no place joins an event of its type


@dataclass(frozen=True)
class Actor:
    """One row of data/actors.csv."""

    name: str
    kind: str
    aliases: tuple[str, ...]


def _load_yaml(path: Path) -> dict:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot read rules file: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReportError(f"{path}:{mark.line + 1 if mark else 1}: bad YAML: "
                          f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}:1: expected a mapping of rule names to lists")
    return data


def _strings(data: dict, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise ReportError(f"{path}: field '{key}': expected a list of words")
    return tuple(str(v) for v in value)


@lru_cache(maxsize=4)
def geoparse_rules(path: Path = settings.GEOPARSE_RULES_FILE) -> GeoparseRules:
    """data/geoparse.yaml, checked."""
    data = _load_yaml(path)
    nots = data.get("not_places", {})
    if not isinstance(nots, dict):
        raise ReportError(f"{path}: field 'not_places': expected adjectives, actors, outlets")
    return GeoparseRules(
        stop_names=_strings(data, "stop_names", path),
        adjectives=_strings(nots, "adjectives", path),
        actors=_strings(nots, "actors", path),
        outlets=_strings(nots, "outlets", path),
        person_titles=_strings(data, "person_titles", path),
        person_roles=_strings(data, "person_roles", path),
        not_names=frozenset(_strings(data, "not_names", path)),
        place_prepositions=_strings(data, "place_prepositions", path),
        given_names=frozenset(_strings(data, "given_names", path)),
        building_words=frozenset(w.lower() for w in _strings(data, "building_words", path)),
        bulk_place_words=_strings(data, "bulk_place_words", path),
        container_links=_strings(data, "container_links", path),
        bulk_not_after=_strings(data, "bulk_not_after", path),
    )


@lru_cache(maxsize=4)
def event_rules(path: Path = settings.EVENT_RULES_FILE) -> dict:
    """data/event_rules.yaml: `rules` (list of EventRule, in order) and the word lists."""
    from geo.schema import ACLED_EVENT_TYPES

    data = _load_yaml(path)
    rules = []
    for i, item in enumerate(data.get("rules") or []):
        where = f"{path}: rules[{i}]"
        if not isinstance(item, dict):
            raise ReportError(f"{where}: expected a mapping with event_type, sub_event_type, keywords")
        etype = item.get("event_type")
        if etype not in ACLED_EVENT_TYPES:
            raise ReportError(f"{where}: field 'event_type': {etype!r} is not one of ACLED's "
                              f"types ({', '.join(ACLED_EVENT_TYPES)})")
        if not item.get("sub_event_type"):
            raise ReportError(f"{where}: field 'sub_event_type' is empty")
        words = item.get("keywords")
        if not isinstance(words, list) or not words:
            raise ReportError(f"{where}: field 'keywords': expected a non-empty list")
        rules.append(EventRule(etype, str(item["sub_event_type"]), tuple(str(w) for w in words),
                               int(item.get("rank", i)), bool(item.get("joins", False))))
    if not rules:
        raise ReportError(f"{path}: no rules")
    return {
        "rules": tuple(rules),
        "event_prepositions": _strings(data, "event_prepositions", path),
        "origin_prepositions": _strings(data, "origin_prepositions", path),
        "away_words": _strings(data, "away_words", path),
        "place_adjectives": _strings(data, "place_adjectives", path),
        "reference_words": _strings(data, "reference_words", path),
        "near_words": _strings(data, "near_words", path),
        "speech_verbs": _strings(data, "speech_verbs", path),
        "reaction_words": _strings(data, "reaction_words", path),
        "statement_places": _strings(data, "statement_places", path),
        "source_words": _strings(data, "source_words", path),
        "summary_words": _strings(data, "summary_words", path),
        "other_event_words": _strings(data, "other_event_words", path),
        "civilian_context_words": _strings(data, "civilian_context_words", path),
        "summary_counts": _strings(data, "summary_counts", path),
        "summary_nouns": _strings(data, "summary_nouns", path),
        "history_days": _number(data, "history_days", path, 62),
        "protest_intervention_words": _strings(data, "protest_intervention_words", path),
        "outside_words": _strings(data, "outside_words", path),
        "riot": _event_kind(data, "riot", path),
        "protest_intervention": _event_kind(data, "protest_intervention", path),
        "civilian_target": _event_kind(data, "civilian_target", path),
    }


def _number(data: dict, key: str, path: Path, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ReportError(f"{path}: field '{key}': expected a number of 0 or more, not {value!r}")
    return value


def _event_kind(data: dict, key: str, path: Path) -> dict | None:
    """An {event_type, sub_event_type} mapping of the rules file, checked."""
    from geo.schema import ACLED_EVENT_TYPES

    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("event_type") not in ACLED_EVENT_TYPES \
            or not value.get("sub_event_type"):
        raise ReportError(f"{path}: field '{key}': expected {{event_type: one of ACLED's types, "
                          f"sub_event_type: ...}}, not {value!r}")
    return {"event_type": value["event_type"], "sub_event_type": str(value["sub_event_type"])}


# The kinds of actor data/actors.csv may give (ACLED's inter-codes, as words); the header
# comment of data/actors.csv documents them. The event step keys on "civilians", "protesters"
# and "rioters": a misspelt kind would silently turn that handling off, so actors() refuses it.
ACTOR_KINDS = ("state", "rebel", "militia", "external", "civilians", "protesters", "rioters")


@lru_cache(maxsize=4)
def actors(path: Path = settings.ACTORS_FILE) -> tuple[Actor, ...]:
    """data/actors.csv, checked: every row has an actor, a kind of ACTOR_KINDS and at least
    one alias."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ReportError(f"{path}: cannot read actors file: {exc.strerror}") from None
    numbered = [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader([ln for _, ln in numbered])
    out = []
    for (n, _), row in zip(numbered[1:], reader):
        for key in ("actor", "kind", "aliases"):
            if not (row.get(key) or "").strip():
                raise ReportError(f"{path}:{n}: field '{key}' is empty")
        kind = row["kind"].strip()
        if kind not in ACTOR_KINDS:
            raise ReportError(f"{path}:{n}: field 'kind': {kind!r} is not one of "
                              + ", ".join(ACTOR_KINDS))
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        out.append(Actor(row["actor"].strip(), kind, aliases))
    return tuple(out)


def keyword_pattern(words: tuple[str, ...] | list[str], apostrophe: bool = False) -> str:
    """A regex alternation of whole-word keywords; a trailing `*` allows any word ending.
    No words: a pattern that matches nothing (an empty alternation would match everywhere).
    `apostrophe`: an apostrophe in a keyword matches ' or ’ or nothing ("New Year's Day",
    "New Year’s Day", "New Years Day")."""
    if not words:
        return r"(?!x)x"
    parts = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        stem = word.rstrip("*")
        body = r"\s+".join(re.escape(p) for p in stem.split())
        if apostrophe:
            body = re.sub(r"['’]", "['’]?", body)
        parts.append(body + (r"\w*" if word.endswith("*") else ""))
    return r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])"
