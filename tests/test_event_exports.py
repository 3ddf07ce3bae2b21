"""ACLED and UCDP GED exports read as events (small files written for the tests in those
column layouts; the rows are invented, no ACLED or UCDP row is in the repository)."""
from __future__ import annotations

import pytest

from geo.event_exports import dataset_of_file, events_frame, read_event_export
from geo.schema import EVENT_COLUMNS

ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
                "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
                "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,"
                "latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp")
ACLED_ROWS = [
    'TST1,2024-05-07,2024,1,Political violence,Explosions/Remote violence,Remote explosive/landmine/IED,'
    'Islamic State (Iraq),,2,Military Forces of Iraq (2022-),,1,12,,368,Middle East,Iraq,Kirkuk,Daquq,,'
    'Daquq,35.1392,44.4491,1,Test Agency,National,"An IED hit an army patrol near Daquq.",2,,1715000000',
    'TST2,12 May 2024,2024,1,Demonstrations,Protests,Peaceful protest,Protesters (Iraq),,6,,,0,60,,368,'
    'Middle East,Iraq,Sulaymaniyah,Sulaymaniyah,,Sulaymaniyah,35.5650,45.4329,2,Test Agency,Subnational,'
    '"Teachers protested over salaries.",0,,1715000000',
]
UCDP_HEADER = ("id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
               "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
               "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
               "source_date,source_headline,source_original,where_prec,where_coordinates,"
               "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
               "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
               "deaths_civilians,deaths_unknown,best,high,low")
UCDP_ROWS = [
    '9001,TST-1,2017,1,Clear,1,1,259,Iraq: Government,1,1,Government of Iraq - IS,1,1,Government of Iraq,'
    '1,1,IS,1,"Test wire,2017-10-20,Clashes near Tuz",Test wire,2017-10-20,Clashes near Tuz,,1,'
    'Tuz Khurmatu town,,Salah ad Din province,Tuz Khurmatu district,34.88808,44.63256,POINT,1,Iraq,645,'
    'Middle East,1,1,2017-10-19 00:00:00.000,2017-10-19 00:00:00.000,1,2,0,0,3,3,3',
    '9002,TST-2,2016,1,Clear,3,1,1,IS - civilians,1,1,IS - civilians,1,1,IS,1,1,Civilians,1,,Test wire,'
    '2016-01-02,,,4,Kirkuk province,,Kirkuk province,,35.3,44.2,POINT,1,Iraq,645,Middle East,1,1,'
    '2016-01-01,2016-01-01,0,0,5,0,5,5,5',
]


def _write(tmp_path, name, header, rows):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_files_recognised_by_their_columns(tmp_path):
    assert dataset_of_file(_write(tmp_path, "a.csv", ACLED_HEADER, ACLED_ROWS)) == "ACLED"
    assert dataset_of_file(_write(tmp_path, "u.csv", UCDP_HEADER, UCDP_ROWS)) == "UCDP"
    assert dataset_of_file(_write(tmp_path, "r.csv", "id,title,body", ["a,b,c"])) is None
    assert dataset_of_file(tmp_path / "missing.csv") is None


def test_acled_rows_keep_acled_coding(tmp_path):
    result = read_event_export(_write(tmp_path, "a.csv", ACLED_HEADER, ACLED_ROWS))
    assert result.dataset == "ACLED" and result.failures == []
    first, second = result.rows
    assert list(first) == [c for c in EVENT_COLUMNS if c != "geometry"]
    assert (first["event_id"], first["event_date"], first["event_type"], first["sub_event_type"]) == (
        "TST1", "2024-05-07", "Explosions/Remote violence", "Remote explosive/landmine/IED")
    assert (first["actor1"], first["actor2"], first["location"], first["admin2"]) == (
        "Islamic State (Iraq)", "Military Forces of Iraq (2022-)", "Daquq", "Daquq")
    assert (first["latitude"], first["longitude"], first["geo_precision"], first["where_prec"]) == (
        35.1392, 44.4491, 1, 1)
    assert first["evidence"] == "An IED hit an army patrol near Daquq."
    assert second["event_date"] == "2024-05-12"  # ACLED's long date form
    assert (second["geo_precision"], second["where_prec"]) == (2, 2)


def test_ucdp_rows_mapped_to_acled_types(tmp_path):
    result = read_event_export(_write(tmp_path, "u.csv", UCDP_HEADER, UCDP_ROWS))
    clash, massacre = result.rows
    assert (clash["event_id"], clash["event_type"], clash["actor1"], clash["actor2"]) == (
        "ucdp-9001", "Battles", "Government of Iraq", "IS")
    assert clash["event_date"] == "2017-10-19" and clash["where_prec"] == 1
    assert massacre["event_type"] == "Violence against civilians"
    assert (massacre["where_prec"], massacre["geo_precision"]) == (4, 3)  # a province: vague
    assert "5 deaths (best estimate)" in massacre["notes"]


def test_hxl_hashtag_row_is_skipped(tmp_path):
    hxl = ",".join("#x" if i in (2, 29) else "" for i in range(len(UCDP_HEADER.split(","))))
    result = read_event_export(_write(tmp_path, "u.csv", UCDP_HEADER, [hxl, *UCDP_ROWS]))
    assert len(result.rows) == 2 and result.failures == []


@pytest.mark.parametrize("old, new, message", [
    ("35.1392,44.4491", "north,44.4491", "a.csv:2: field 'latitude': 'north' is not a number"),
    ("35.1392,44.4491", "95.0,44.4491", "a.csv:2: field 'latitude': '95.0' is outside -90..90"),
    ("35.1392,44.4491", "35.1392,nan", "a.csv:2: field 'longitude': 'nan' is outside -180..180"),
    ("TST1,2024-05-07", "TST1,2024-13-40",
     "a.csv:2: field 'event_date': '2024-13-40' is not a date (YYYY-MM-DD, YYYYMMDD or '31 December 2020')"),
    ("44.4491,1,", "44.4491,7,", "a.csv:2: field 'geo_precision': '7' is not one of 1..3"),
])
def test_bad_row_is_one_error_and_the_rest_goes_through(tmp_path, old, new, message):
    path = _write(tmp_path, "a.csv", ACLED_HEADER, [ACLED_ROWS[0].replace(old, new), ACLED_ROWS[1]])
    result = read_event_export(path)
    assert [r["event_id"] for r in result.rows] == ["TST2"]
    assert result.failures == [f"{tmp_path}/{message}"]


def test_missing_column_is_one_error_naming_it(tmp_path):
    header = ACLED_HEADER.replace(",latitude,longitude", "")
    path = _write(tmp_path, "a.csv", header, [])
    with pytest.raises(Exception, match=r"a\.csv: ACLED export without the column\(s\) latitude, longitude$"):
        read_event_export(path)


def test_frame_is_points_in_wgs84(tmp_path):
    rows = read_event_export(_write(tmp_path, "a.csv", ACLED_HEADER, ACLED_ROWS)).rows
    frame = events_frame(rows)
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == EVENT_COLUMNS
    assert (frame.geometry.x.round(4).tolist(), frame.geometry.y.round(4).tolist()) == (
        [44.4491, 45.4329], [35.1392, 35.565])


def test_the_real_exports_read_whole(reference_dir):
    """ACLED 2019-2020 and UCDP GED as shipped in ../shared: every row reads (measuring only)."""
    for name, dataset in (("acled-iraq-2019-2020.csv", "ACLED"), ("ucdp-ged-iraq-1989-2018.csv", "UCDP")):
        result = read_event_export(reference_dir / name)
        assert result.dataset == dataset and result.failures == [] and len(result.rows) > 5000


# --- through the pipeline: geo events / map / export / zones take the export as events ---------

def _geo(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "geo.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_acled_file_is_events_for_every_command(tmp_path):
    import json

    acled = _write(tmp_path, "acled.csv", ACLED_HEADER, ACLED_ROWS)
    events = _geo("events", acled)
    assert events.returncode == 0, events.stderr
    props = [f["properties"] for f in json.loads(events.stdout)["features"]]
    assert [p["event_id"] for p in props] == ["TST1", "TST2"]  # not geoparsed: ACLED's own ids
    html = tmp_path / "acled.html"
    mapped = _geo("map", acled, "-o", html)
    assert mapped.returncode == 0 and "mapped 2 of 2 events" in mapped.stderr
    out = tmp_path / "layers"
    exported = _geo("export", acled, "--format", "geojson", "-o", out)
    assert exported.returncode == 0, exported.stderr
    layer = json.loads((out / "events.geojson").read_text())
    assert [f["properties"]["location"] for f in layer["features"]] == ["Daquq", "Sulaymaniyah"]
    zones = _geo("zones", "--events", acled, "--json")
    assert zones.returncode == 0, zones.stderr
    per_event = {e["event_id"]: e["zones"] for e in json.loads(zones.stdout)["events"]}
    assert per_event["TST1"]  # Daquq lies in the disputed territories


def test_export_rows_mixed_with_reports_and_bad_rows_named(tmp_path):
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "acled.csv", ACLED_HEADER, [ACLED_ROWS[0].replace("35.1392,44.4491", "x,44.4491"),
                                               ACLED_ROWS[1]])
    (folder / "r.md").write_text("---\nid: r\npublished: 2024-05-11\n---\nAn IED exploded near "
                                 "Hawija on Tuesday, killing a soldier.\n", encoding="utf-8")
    run = _geo("events", folder)
    assert run.returncode == 0, run.stderr
    ids = [f["properties"]["event_id"] for f in json.loads(run.stdout)["features"]]
    assert ids[0].startswith("r-") and ids[1:] == ["TST2"]  # reports first, then the dataset
    assert f"geo: report error: {folder}/acled.csv:2: field 'latitude': 'x' is not a number" in run.stderr


def _report(folder, name="r.md"):
    path = folder / name
    path.write_text("---\nid: r\npublished: 2024-05-11\n---\nAn IED exploded near Hawija on "
                    "Tuesday, killing a soldier.\n", encoding="utf-8")
    return path


def test_compare_maps_acled_and_ucdp_as_their_own_layers(tmp_path):
    report = _report(tmp_path)
    acled = _write(tmp_path, "acled.csv", ACLED_HEADER, ACLED_ROWS)
    ucdp = _write(tmp_path, "ucdp.csv", UCDP_HEADER, UCDP_ROWS)
    html = tmp_path / "both.html"
    run = _geo("map", report, "--compare", acled, "--compare", ucdp, "-o", html)
    assert run.returncode == 0, run.stderr
    assert "mapped 5 of 5 events" in run.stderr
    page = html.read_text(encoding="utf-8")
    # One events layer per dataset, named in the layer switcher, the reports' own first.
    assert page.count("window.geoDisputed.eventsLayer(") == 3
    overlays = page[page.index("overlays :"):]
    assert overlays.index('"Events" :') < overlays.index('"ACLED" :') < overlays.index('"UCDP" :')
    assert "Coded by" in page and "ACLED (square pins, layer ACLED)" in page


def test_compare_exports_say_which_dataset_coded_each_event(tmp_path):
    import json

    report = _report(tmp_path)
    acled = _write(tmp_path, "acled.csv", ACLED_HEADER, ACLED_ROWS)
    out = tmp_path / "layers"
    run = _geo("export", report, "--compare", acled, "--format", "geojson", "-o", out)
    assert run.returncode == 0, run.stderr
    props = [f["properties"] for f in json.loads((out / "events.geojson").read_text())["features"]]
    assert [(p["dataset"], p["event_id"][:2]) for p in props] == [("", "r-"), ("ACLED", "TS"),
                                                                   ("ACLED", "TS")]
    csv_out = tmp_path / "e.csv"
    assert _geo("export", report, "--compare", acled, "--format", "csv", "-o", csv_out).returncode == 0
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "dataset" in header


def test_compare_refuses_a_file_that_is_no_export_before_reading_anything(tmp_path):
    report = _report(tmp_path)
    html = tmp_path / "m.html"
    run = _geo("map", report, "--compare", report, "-o", html)
    assert run.returncode == 2 and not html.exists()
    assert f"geo: error: --compare {report}: not an ACLED or UCDP export" in run.stderr
    missing = _geo("map", report, "--compare", tmp_path / "none.csv", "-o", html)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in run.stderr + missing.stderr
