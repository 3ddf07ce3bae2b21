"""Column names of the layers that pass between pipeline steps.

parse -> events -> zones -> render / export all agree on these, so a GeoDataFrame built by one
step is read by the next without guessing. Every layer is in EPSG:4326.
"""
from __future__ import annotations

#: One row per event (geo.events). `geometry` is a Point, or None when no place resolved.
EVENT_COLUMNS = [
    "event_id",        # str: f"{report_id}-{sha1(first sentence)[:8]}" (geo.events.records)
    "report_id",       # str
    "title",           # str
    "source",          # str: the outlet
    "dataset",         # str: "ACLED" or "UCDP" for an event read from that dataset's export,
                       #      "" for an event coded here from a report
    "url",             # str or None
    "published",       # str ISO date (YYYY-MM-DD) or None when unknown
    "event_date",      # str ISO date or None
    "event_type",      # str: one of ACLED's six types
    "sub_event_type",  # str: ACLED sub-event type
    "actor1",          # str
    "actor2",          # str ("" when none)
    "location",        # str: canonical place name
    "place_id",        # str: gazetteer id, or None
    "admin1",          # str: governorate
    "admin2",          # str: district
    "latitude",        # float or None
    "longitude",       # float or None
    "geo_precision",   # int 1..3 (ACLED)
    "where_prec",      # int 1..7 (UCDP GED)
    "evidence",        # str: the sentence(s) the event came from
    "evidence_place",  # str: the place name as written in the evidence (for highlighting);
                       #      an unknown village's name when the point is its district's
    "confidence",      # float 0..1: how sure the placement is (its place, not the event)
    "location_reason", # str: why this place ("named as the event's place", "village unknown
                       #      (X): its district", "namesake chosen by the province named")
    "notes",           # str: short summary (ACLED `notes`)
    "warnings",        # str: "; "-joined warnings (e.g. no resolvable place)
    "zones",           # str: "; "-joined zone names containing the event ("" before the zones step)
    "front_distance_km",  # float or None: distance to the nearest front line
    # An analyst's corrections (geo.corrections): the fields changed ("" when none), who
    # decided, and the values the pipeline gave before (None when uncorrected).
    "corrected", "corrected_by",
    "original_location", "original_place_id", "original_latitude", "original_longitude",
    "original_geo_precision", "original_event_type", "original_sub_event_type",
    "original_actor1", "original_actor2", "original_event_date",
    "geometry",
]

#: One row per place mention (geo.parse).
MENTION_COLUMNS = [
    "report_id", "text", "start", "end", "place_id", "name", "type",
    "role",        # "dateline", "event" or "mention"
    "confidence",  # float 0..1
    "lat", "lon", "geometry",
]

#: One row per zone (geo.zones).
ZONE_COLUMNS = [
    "zone_id", "name", "kind", "description", "source",
    "area_km2",     # float, computed in EPSG:32638
    "approximate",  # bool
    "geometry",
]

#: One row per gazetteer place that reports mention (geo.export `places` layer).
PLACE_COLUMNS = ["place_id", "name", "type", "governorate", "district", "reports", "geometry"]

ACLED_EVENT_TYPES = [
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]
