"""Events: from parsed reports to ACLED / UCDP-style event records, one GeoDataFrame row each.

A sentence is an event sentence when a keyword of `data/event_rules.yaml` occurs in it (the
first matching rule gives the ACLED type and sub-type). It becomes an event when it is also
anchored: it names a date ("on Tuesday", "on 4 October", "yesterday", not the date of a
statement: "said on Wednesday") or a place where something happened ("in X", "near X").
Dated sentences of one type and date make one event; undated sentences that name a place
join the dated event of their type, or stand alone with the published date and a warning;
sentences with neither join an event of their type only when their rule says `joins: true`
("the officials agreed to ..." after a meeting), else they are background ("the air force
routinely conducts airstrikes") and make no event.

The event's place is chosen among its sentences' places, never the dateline (the place of
writing) nor a destination ("fled toward X"): first a place that is not merely the container
of the one before ("Chamchamal in Sulaymaniyah"), not an origin ("a delegation from X"), local
rather than a governorate, not a landmark ("north of X"), after a locative word ("in",
"near", "visited"), then the most specific (a town before a sector, a sector before a
governorate). A place far from its container ("al-Rumaitha in Muqdadiya" resolved to the
Rumaythah of Muthanna) is a namesake and is dropped. Its precision follows ACLED's
`geo_precision` (1 town, 2 near a town or a small area, 3 a large region) and UCDP GED's
`where_prec` (1 exact ... 6 country).

Relative dates (geo.events.dates) are resolved against the published date: a weekday is the latest
such day on or before publication (news convention: "on Tuesday" in Saturday's paper is four
days back); "last week" is a week before publication, with a warning that only the week is
known (ACLED's time precision 2). "A day earlier", "the next day", "two days later" count from
the nearest dated event sentence before them (else from the published date, with a warning).
Fixed-date holidays of data/holidays.yaml ("Christmas Day", "Nowruz") are the latest such day
on or before publication; moveable ones (Eid) are not dated.
An event with no resolvable place keeps its row, with no geometry and a warning.

`iter_events(inputs)` streams: one report at a time, and for many files two worker processes.

The sub-steps, one module each: geo.events.detect (which sentences are events, how they
group), geo.events.locate (where), geo.events.dates (when), geo.events.actors (who),
geo.events.records (the ACLED / UCDP fields, GeoJSON), geo.events.rules (data/event_rules.yaml
and data/actors.csv compiled), geo.events.stream (the entry points, re-exported here).
"""
from __future__ import annotations

# The public API, and the names tests and notebooks have imported from geo.events.
from geo.events.actors import UNIDENTIFIED_ACTOR
from geo.events.dates import NUMBER_WORDS, date_of, date_pattern, holidays, resolve_date
from geo.events.detect import assign_roles, find_events, sentences
from geo.events.records import (GEOJSON_HEAD, GEOJSON_TAIL, event_rows, events_to_geojson, feature_json,
                                mention_rows)
from geo.events.rules import _Rules, _rules, event_rule_extras  # noqa: F401 (private: tests read them)
from geo.events.stream import (EventsResult, GeoJSONRun, ReportEvents, events_from_inputs, events_from_reports,
                               iter_events, parse_report, report_events, write_events_geojson)

__all__ = [
    "EventsResult", "GeoJSONRun", "NUMBER_WORDS", "ReportEvents", "UNIDENTIFIED_ACTOR", "assign_roles",
    "date_of", "date_pattern", "event_rows", "event_rule_extras", "events_from_inputs",
    "events_from_reports", "events_to_geojson", "feature_json", "find_events", "holidays",
    "iter_events", "mention_rows", "parse_report", "report_events", "resolve_date", "sentences",
    "write_events_geojson", "GEOJSON_HEAD", "GEOJSON_TAIL",
]
