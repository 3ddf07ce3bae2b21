"""The event and mention records: ACLED / UCDP fields of each event (type, actors, place,
geo_precision, where_prec, notes), the mention rows, and their GeoDataFrame and GeoJSON forms.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from geo import settings
from geo._values import output_text, plain
from geo.events.actors import UNIDENTIFIED_ACTOR, _row_actors
from geo.events.dates import _MONTHS
from geo.events.locate import GEO_PRECISION, WHERE_PREC
from geo.events.rules import _rules
from geo.parse import ParseResult, report_languages
from geo.schema import EVENT_COLUMNS

if TYPE_CHECKING:
    from geo.events.detect import _Draft
    from geo.gazetteer import Gazetteer

# ACLED geo_precision and UCDP where_prec by place type: the locate step's tables.
_GEO_PRECISION, _WHERE_PREC = GEO_PRECISION, WHERE_PREC


def stable_event_id(report_id: str, body: str, sentences, taken: set[str]) -> str:
    """An event's id: its report's id and a hash of the first sentence it came from
    (whitespace folded), so the id stays when rules, the gazetteer or other reports change
    and an analyst's correction keeps finding its event. Two events told first in the same
    sentence take `-2`, `-3` ... in text order. `taken` collects the ids of the report."""
    import hashlib

    start, end = min(sentences)
    anchor = " ".join(body[start:end].split())
    base = f"{report_id}-{hashlib.sha1(anchor.encode('utf-8')).hexdigest()[:8]}"
    event_id, k = base, 1
    while event_id in taken:
        k += 1
        event_id = f"{base}-{k}"
    taken.add(event_id)
    return event_id


def event_rows(result: ParseResult, gaz: "Gazetteer") -> list[dict]:
    """One row per event of a parsed report (columns of geo.schema.EVENT_COLUMNS, with
    `geometry` as (lon, lat) or None)."""
    report = result.report
    rules = _rules(report_languages(report).present)
    body = report.body
    rows = []
    ids: set[str] = set()
    for draft in result.drafts:
        evidence = " ".join(" ".join(body[s:e].split()) for s, e in sorted(draft.sentences))
        etype, subtype = draft.rule.event_type, draft.rule.sub_event_type
        actor1, actor2 = _row_actors(rules, body, draft, etype)
        kinds = {rules.kind.get(actor1), rules.kind.get(actor2)}
        target = rules.civilian_target
        if etype == "Battles" and "protesters" in kinds and rules.riot:
            etype, subtype = rules.riot["event_type"], rules.riot["sub_event_type"]
        if etype == "Riots":  # ACLED's crowd of a riot is its rioters
            actor1, actor2 = (rules.rioters if rules.kind.get(a) == "protesters" else a
                              for a in (actor1, actor2))
        elif etype == "Battles" and target and (rules.kind.get(actor2) == "civilians" or any(
                rules.off_duty.search(body, s, e) for s, e in draft.sentences[:1])):
            etype, subtype = target["event_type"], target["sub_event_type"]
        if etype == "Violence against civilians" and rules.kind.get(actor1) == "civilians":
            actor1, actor2 = actor2 or UNIDENTIFIED_ACTOR, actor1  # the perpetrator first
        if etype == "Protests" and rules.protest_intervention and any(
                rules.intervention.search(body, s, e) for s, e in draft.sentences):
            etype, subtype = (rules.protest_intervention["event_type"],
                              rules.protest_intervention["sub_event_type"])
        place = draft.place
        row = {c: None for c in EVENT_COLUMNS}
        row.update(
            event_id=stable_event_id(report.id, body, draft.sentences, ids), report_id=report.id, title=report.title,
            source=report.source, dataset="", url=report.url,
            published=report.published.isoformat() if report.published else None,
            event_date=draft.event_date.isoformat() if draft.event_date else None,
            event_type=etype, sub_event_type=subtype,
            actor1=actor1, actor2=actor2, evidence=evidence, zones="", front_distance_km=None,
            corrected="", corrected_by="",
            warnings="; ".join(draft.warnings),
        )
        if place is not None and place.place_id is not None:
            p = gaz.get(place.place_id)
            placement = draft.placement
            precision = placement.precision if placement else (2 if draft.near else _GEO_PRECISION.get(p.type, 3))
            where = placement.where_prec if placement else (2 if draft.near else _WHERE_PREC.get(p.type, 5))
            # An unknown village keeps its name as written: the evidence shows it, and the
            # row's point is the unit the text puts it in.
            written = placement.unknown_name if placement and placement.unknown_name else place.text
            row.update(location=p.name, place_id=p.id, admin1=p.governorate, admin2=p.district,
                       latitude=p.lat, longitude=p.lon, geo_precision=precision,
                       where_prec=where, evidence_place=written, geometry=(p.lon, p.lat),
                       confidence=placement.confidence if placement else None,
                       location_reason=placement.reason if placement else "")
        else:
            # No place, no precision: 3 / 6 would claim a region or country was coded.
            placement = draft.placement
            row.update(location="", place_id=None, admin1="", admin2="", geo_precision=None,
                       where_prec=None, geometry=None, confidence=0.0,
                       evidence_place=placement.unknown_name if placement else "",
                       location_reason=placement.reason if placement else "no place named")
        row["notes"] = _notes(row, draft, subtype)
        rows.append(row)
    return rows


def _notes(row: dict, draft: _Draft, subtype: str) -> str:
    d = draft.event_date  # month names from our own table: strftime's follow the locale
    when = f"On {d.day} {_MONTHS[d.month - 1].capitalize()} {d.year}" if d else "On an unknown date"
    who = row["actor1"] or "unidentified actors"
    if row["actor2"]:
        who += f" and {row['actor2']}"
    where = f" in {row['location']}" + (f" ({row['admin1']})" if row["admin1"] else "") if row["location"] else ""
    return f"{when}, {subtype}: {who}{where}."


def mention_rows(result: ParseResult) -> list[dict]:
    """One row per mention (columns of geo.schema.MENTION_COLUMNS, geometry as (lon, lat))."""
    rows = []
    for m in result.mentions:
        row = {"report_id": result.report.id, "text": m.text, "start": m.start, "end": m.end,
               "place_id": m.place_id, "name": m.name, "type": m.type, "role": m.role,
               "confidence": m.confidence, "lat": m.lat, "lon": m.lon,
               "geometry": (m.lon, m.lat) if m.lat is not None else None}
        rows.append(row)
    return rows


def _frame(rows: list[dict], columns: list[str]):
    import geopandas as gpd
    from shapely.geometry import Point

    geometry = [Point(r["geometry"]) if r["geometry"] is not None else None for r in rows]
    data = [{c: r[c] for c in columns if c != "geometry"} for r in rows]
    import pandas as pd

    frame = pd.DataFrame(data, columns=[c for c in columns if c != "geometry"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=settings.CRS_WGS84),
                            crs=settings.CRS_WGS84)[columns]


# --- GeoJSON ------------------------------------------------------------------------------------------

# The same shape as `geo export --format geojson` writes its events layer: a named
# collection, the event id as each feature's id, one feature a line.
GEOJSON_HEAD = '{"type": "FeatureCollection", "name": "events", "features": [\n'
GEOJSON_TAIL = "\n]}\n"


def feature_json(row: dict) -> str:
    """One GeoJSON Feature (properties in EVENT_COLUMNS order, coordinates to 6 decimals)."""
    props = {c: plain(row.get(c)) for c in EVENT_COLUMNS if c != "geometry"}
    # Text as geo export writes it: no NUL or other control XML forbids (GDAL cuts at NUL).
    props = {c: output_text(v) if isinstance(v, str) else v for c, v in props.items()}
    geom = row.get("geometry")
    if geom is not None and not isinstance(geom, tuple):
        geom = None if geom.is_empty else (geom.x, geom.y)
    geometry = None if geom is None else {"type": "Point",
                                          "coordinates": [round(geom[0], 6), round(geom[1], 6)]}
    feature = {"type": "Feature"}
    if props.get("event_id") is not None:
        feature["id"] = props["event_id"]
    feature.update(geometry=geometry, properties=props)
    return json.dumps(feature, ensure_ascii=False, allow_nan=False)


def events_to_geojson(events) -> str:
    """The events GeoDataFrame as a GeoJSON FeatureCollection string: one feature a line,
    the same bytes on every run for the same events."""
    features = [feature_json(row) for row in events.to_dict(orient="records")]
    return GEOJSON_HEAD + ",\n".join(features) + GEOJSON_TAIL
