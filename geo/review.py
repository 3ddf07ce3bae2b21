"""What an analyst should look at: names the gazetteer lacks and events placed with doubt.

`geo review INPUT...` lists the names reports use that no gazetteer row resolves, most frequent
first, with the candidates the gazetteer offers (fuzzy matches, for a misspelling) and the
governorate and district the report's nearest resolved place suggests; and the events placed
with low confidence. It writes a places CSV template (one row per unknown name, lat/lon empty)
that the analyst fills and passes back with `--places`, so the next run locates them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

#: An event whose `confidence` is below this is listed for review.
LOW_CONFIDENCE = 0.5


@dataclass
class UnknownName:
    name: str
    count: int
    reports: list[str]
    governorate: str = ""   # suggested by the report's nearest resolved place
    district: str = ""
    candidates: list[dict] = field(default_factory=list)  # id, name, type, admin, score


@dataclass
class Review:
    names: list[UnknownName]
    doubtful: list[dict]   # event rows, least confident first
    failures: list[str]
    reports: int

    def places_template(self) -> list[dict]:
        """Rows for a places file: each unknown name with its suggested admin units."""
        from geo.corrections import PLACE_FILE_COLUMNS, place_slug

        rows = []
        for n in self.names:
            row = dict.fromkeys(PLACE_FILE_COLUMNS, "")
            row.update(id=place_slug(n.name), name=n.name, type="village",
                       governorate=n.governorate, district=n.district,
                       source="TODO: where the coordinates come from",
                       note=f"named in {n.count} report(s): {', '.join(n.reports[:3])}"
                            + (" ..." if len(n.reports) > 3 else ""))
            rows.append(row)
        return rows


def review(inputs: Iterable[str | Path], gazetteer: "Gazetteer | None" = None, fmt: str = "auto",
           low_confidence: float = LOW_CONFIDENCE, candidates: int = 3) -> Review:
    """Unknown names and doubtful events of the reports in `inputs`.

    Parameters
    ----------
    inputs: report files and folders, as for geo.reports.read_reports.
    low_confidence: events with a `confidence` below this (or with no place) are listed.
    candidates: at most this many gazetteer candidates per unknown name.
    """
    from geo.events import assign_roles, event_rows
    from geo.gazetteer import Gazetteer
    from geo.parse import geoparse
    from geo.reports import read_reports

    gaz = gazetteer or Gazetteer.default()
    failures: list[str] = []
    counts: Counter[str] = Counter()
    seen_in: dict[str, list[str]] = {}
    context: dict[str, Counter] = {}
    doubtful: list[dict] = []
    spelling: dict[str, str] = {}
    n_reports = 0
    for report in read_reports(inputs, failures, fmt=fmt):
        n_reports += 1
        # The event step's own three steps, kept apart because review needs the parse
        # result's unresolved names beside the rows.
        result = geoparse(report, gaz)
        assign_roles(result)
        rows = event_rows(result, gaz)
        for written in dict.fromkeys(result.unresolved):
            # "Kista", "Kista village" and "kista" are one name to place.
            name = spelling.setdefault(_name_key(written), _bare_name(written))
            if report.id in seen_in.get(name, ()):
                continue
            counts[name] += 1
            seen_in.setdefault(name, []).append(report.id)
            admin = _nearest_admin(report.body, written, result.mentions, gaz)
            if admin:
                context.setdefault(name, Counter())[admin] += 1
        for row in rows:
            confidence = row.get("confidence")
            if row.get("place_id") is None or (confidence is not None and confidence < low_confidence):
                doubtful.append(row)
    names = []
    for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold())):
        gov, dist = (context[name].most_common(1)[0][0] if name in context else ("", ""))
        offered = [{"id": c.place.id, "name": c.place.name, "type": c.place.type,
                    "governorate": c.place.governorate, "district": c.place.district,
                    "score": round(c.score, 2), "match": c.match}
                   for c in _candidates(gaz, name, candidates)]
        names.append(UnknownName(name, count, seen_in[name], gov, dist, offered))
    doubtful.sort(key=lambda r: (r.get("confidence") if r.get("confidence") is not None else -1,
                                 r["event_id"]))
    return Review(names, doubtful, failures, n_reports)


def _bare_name(name: str) -> str:
    """The name without a type word after it ("Kista village" -> "Kista")."""
    from geo._text import TYPE_WORDS

    words = name.split()
    while len(words) > 1 and words[-1].lower() in TYPE_WORDS:
        words.pop()
    return " ".join(words)


def _name_key(name: str) -> str:
    from geo._text import fold

    return fold(_bare_name(name))


def _candidates(gaz, name: str, limit: int):
    from geo._errors import QueryError

    try:
        return gaz.resolve(name, limit=limit)
    except QueryError:
        return []


def _nearest_admin(body: str, name: str, mentions, gaz) -> tuple[str, str] | None:
    """The governorate and district of the resolved place named nearest to `name` in the
    text (a district or smaller, so "Iraq" or a governorate alone says too little)."""
    at = body.find(name)
    if at < 0:
        return None
    best = None
    for m in mentions:
        if m.place_id is None:
            continue
        place = gaz.get(m.place_id)
        if not place.district:
            continue
        distance = abs(m.start - at)
        if best is None or distance < best[0]:
            best = (distance, (place.governorate, place.district))
    return best[1] if best else None
