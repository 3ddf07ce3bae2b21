"""Corrections: read, checked, applied, and made from an edited layer."""
from __future__ import annotations

import pytest

from geo.corrections import (CORRECTION_COLUMNS, CorrectionError, apply_corrections, diff_layers,
                             read_corrections, write_corrections)

HEADER = ",".join(CORRECTION_COLUMNS)


def _file(tmp_path, *rows, name="corrections.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _event(event_id="r1-abc", **kw):
    row = {"event_id": event_id, "report_id": "r1", "location": "Kirkuk", "place_id": "kirkuk",
           "admin1": "Kirkuk", "admin2": "Kirkuk", "latitude": 35.46806, "longitude": 44.39222,
           "geo_precision": 1, "event_type": "Battles", "sub_event_type": "Armed clash",
           "actor1": "Islamic State (Iraq)", "actor2": "Military Forces of Iraq",
           "event_date": "2024-05-07", "geometry": (44.39222, 35.46806)}
    row.update(kw)
    return row


def test_corrections_applied_with_originals_and_who(tmp_path, gazetteer):
    path = _file(tmp_path,
                 "r1-abc,place_id,daquq,Rania,2024-06-01,the village is in Daquq district",
                 "r1-abc,event_type,Explosions/Remote violence,Rania,2024-06-01,an IED, not a clash",
                 "r2-def,drop,,Omar,2024-06-02,a commemoration, not an attack")
    read = read_corrections([path])
    assert read.errors == []
    out = apply_corrections([_event(), _event("r2-def"), _event("r3-ghi")], read.corrections, gazetteer)
    assert [r["event_id"] for r in out.rows] == ["r1-abc", "r3-ghi"]
    assert out.dropped == ["r2-def"] and out.applied == 3
    fixed, untouched = out.rows
    daquq = gazetteer.get("daquq")
    assert (fixed["place_id"], fixed["location"], fixed["latitude"], fixed["longitude"]) == (
        "daquq", daquq.name, daquq.lat, daquq.lon)
    assert fixed["geometry"] == (daquq.lon, daquq.lat)
    assert fixed["event_type"] == "Explosions/Remote violence"
    assert fixed["corrected"] == "place_id; event_type" and fixed["corrected_by"] == "Rania"
    assert (fixed["original_place_id"], fixed["original_event_type"], fixed["original_latitude"]) == (
        "kirkuk", "Battles", 35.46806)
    assert untouched["corrected"] == "" and untouched["original_place_id"] is None


def test_later_correction_wins_and_the_earlier_is_named(tmp_path):
    path = _file(tmp_path,
                 "r1-abc,actor1,Unidentified Armed Group (Iraq),Rania,2024-06-03,second look",
                 "r1-abc,actor1,Islamic State (Iraq),Omar,2024-06-01,first look")
    out = apply_corrections([_event()], read_corrections([path]).corrections)
    assert out.rows[0]["actor1"] == "Unidentified Armed Group (Iraq)"
    assert out.overridden == [f"{path}:3: correction of 'actor1' of event r1-abc is overridden "
                              f"by the later one at {path}:2"]


def test_correction_of_a_vanished_event_is_reported_not_applied_elsewhere(tmp_path):
    path = _file(tmp_path, "r9-old,event_date,2024-05-01,Rania,2024-06-01,")
    out = apply_corrections([_event()], read_corrections([path]).corrections)
    assert out.rows[0]["event_date"] == "2024-05-07" and out.rows[0]["corrected"] == ""
    assert out.stale == [f"{path}:2: event r9-old no longer exists (its report changed or was "
                         "removed); the correction of 'event_date' was not applied"]


@pytest.mark.parametrize("row, message", [
    ("r1,colour,red,Rania,2024-06-01,", "field 'field': 'colour' is not one of place_id, location, "
     "lat, lon, geo_precision, event_type, sub_event_type, actor1, actor2, event_date, drop"),
    (",drop,,Rania,2024-06-01,", "field 'event_id': missing"),
    ("r1,lat,north,Rania,2024-06-01,", "field 'value': 'north' is not a number (lat)"),
    ("r1,lon,200,Rania,2024-06-01,", "field 'value': '200' is outside -180..180 (lon)"),
    ("r1,geo_precision,4,Rania,2024-06-01,", "field 'value': '4' is not a geo_precision (1, 2 or 3)"),
    ("r1,event_date,yesterday,Rania,2024-06-01,", "field 'value': 'yesterday' is not a date (YYYY-MM-DD)"),
    ("r1,event_type,Skirmish,Rania,2024-06-01,", "field 'value': 'Skirmish' is not an ACLED event type"),
    ("r1,drop,,,2024-06-01,", "field 'who': missing (who decided)"),
    ("r1,drop,,Rania,June,", "field 'when': 'June' is not a date (YYYY-MM-DD, or an ISO timestamp)"),
    ("r1,actor1,,Rania,2024-06-01,", "field 'value': missing"),
])
def test_malformed_row_is_one_line_and_the_rest_is_kept(tmp_path, row, message):
    path = _file(tmp_path, row, "r1-abc,drop,,Rania,2024-06-01,")
    read = read_corrections([path])
    assert len(read.errors) == 1 and read.errors[0].startswith(f"{path}:2: {message}")
    assert [c.line for c in read.corrections] == [3]


def test_unknown_place_id_is_an_error_and_the_event_keeps_its_place(tmp_path, gazetteer):
    path = _file(tmp_path, "r1-abc,place_id,no-such-village,Rania,2024-06-01,")
    out = apply_corrections([_event()], read_corrections([path]).corrections, gazetteer)
    assert out.rows[0]["place_id"] == "kirkuk"
    assert out.errors == [f"{path}:2: field 'value': 'no-such-village' is no gazetteer place id "
                          "(add it to your places file first)"]


def test_file_without_its_columns(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("event,change\nx,y\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"c\.csv:1: corrections file without the column\(s\) "
                                              r"event_id, field, value, who, when, why"):
        read_corrections([path])


def test_write_appends_with_header_once(tmp_path):
    path = tmp_path / "c.csv"
    row = {"event_id": "r1-abc", "field": "drop", "value": "", "who": "Rania",
           "when": "2024-06-01", "why": "false, \"duplicate\""}
    assert write_corrections(path, [row]) == 1
    assert write_corrections(path, [dict(row, event_id="r2-def")]) == 1
    read = read_corrections([path])
    assert read.errors == [] and [c.event_id for c in read.corrections] == ["r1-abc", "r2-def"]
    assert read.corrections[0].why == 'false, "duplicate"'
    assert path.read_text().count("event_id,field") == 1


def test_diff_of_an_edited_layer(gazetteer):
    made = [_event("a"), _event("b"), _event("c"), _event("d")]
    daquq = gazetteer.get("daquq")
    edited = [
        _event("a", latitude=daquq.lat + 0.002, longitude=daquq.lon),    # moved onto Daquq
        _event("b", event_type="Explosions/Remote violence"),            # type changed
        _event("d", latitude=35.9, longitude=43.2, location="Kani Spi"),  # moved, new name
        _event("zz"),                                                     # drawn by hand
    ]                                                                     # c deleted
    diff = diff_layers(edited, made, gazetteer, who="Rania", when="2024-06-01")
    got = [(c["event_id"], c["field"], c["value"]) for c in diff.corrections]
    assert ("a", "place_id", "daquq") in got
    assert ("b", "event_type", "Explosions/Remote violence") in got
    assert ("d", "lat", "35.900000") in got and ("d", "lon", "43.200000") in got
    assert ("d", "location", "Kani Spi") in got
    assert ("c", "drop", "") in got
    assert len(got) == 6
    assert diff.added == ["zz"] and (diff.moved, diff.snapped, diff.deleted) == (2, 1, 1)
    assert [(p["id"], p["name"], p["lat"], p["lon"]) for p in diff.places] == [
        ("kani-spi", "Kani Spi", "35.90000", "43.20000")]
    assert diff.places[0]["source"].startswith("analyst: Rania, 2024-06-01")


# --- stable event ids ------------------------------------------------------------------------

def _ids(text, gazetteer, rid="r1"):
    from geo.events import report_events
    from geo.reports import parse_report_text

    report = parse_report_text(f"---\nid: {rid}\npublished: 2024-05-11\n---\n{text}")
    return [row["event_id"] for row in report_events(report, gazetteer).events]


def test_event_id_is_the_report_and_a_hash_of_its_sentence(gazetteer):
    import hashlib

    sentence = "An IED exploded near Daquq on Tuesday, killing two soldiers."
    (event_id,) = _ids(sentence, gazetteer)
    assert event_id == f"r1-{hashlib.sha1(sentence.encode()).hexdigest()[:8]}"


def test_event_id_survives_an_earlier_event_told_before_it(gazetteer):
    later = "Gunmen attacked a checkpoint near Hawija on Monday, wounding a policeman."
    (alone,) = _ids(later, gazetteer)
    both = _ids("An IED exploded near Daquq on Tuesday, killing two soldiers.\n\n" + later, gazetteer)
    assert len(both) == 2 and both[1] == alone  # a list position would have made it -2


def test_same_first_sentence_ids_are_told_apart(gazetteer):
    from geo.events.records import stable_event_id

    body = "An IED exploded in Kirkuk and another in Sinjar on Tuesday."
    taken: set[str] = set()
    first = stable_event_id("r1", body, [(0, len(body))], taken)
    second = stable_event_id("r1", body, [(0, len(body))], taken)
    assert second == first + "-2"


def test_popup_says_who_corrected_and_what_the_pipeline_had(gazetteer, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.render import events_data
    from geo.schema import EVENT_COLUMNS

    path = _file(tmp_path, "r1-abc,place_id,daquq,Rania,2024-06-01,inside Daquq")
    rows = apply_corrections([_event(), _event("r2-def")], read_corrections([path]).corrections,
                             gazetteer).rows
    frame = gpd.GeoDataFrame([{c: r.get(c) for c in EVENT_COLUMNS if c != "geometry"} for r in rows],
                             geometry=[Point(r["geometry"]) for r in rows], crs="EPSG:4326")
    corrected, plain = (p[11] for p in events_data(frame)["pop"])
    assert corrected.endswith("; corrected by Rania (place_id), the pipeline had Kirkuk")
    assert "corrected" not in plain


def test_legend_counts_corrected_events():
    from geo.render import legend_data

    assert legend_data(corrected=2)["sections"][-1] == {"title": "Checked by an analyst", "rows": [
        {"label": "2 events corrected (see popups)", "icon": "check", "shape": "icon"}]}
    assert all(s["title"] != "Checked by an analyst" for s in legend_data()["sections"])
