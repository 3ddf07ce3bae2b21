"""Hostile and broken input files: each is one error line naming the file and line, in bounded
time and memory, and the good reports and zones beside it still go through.

The inputs are a few hundred bytes each: YAML aliases that expand to billions of values, lists
nested thousands deep, numbers of thousands of digits, a UTF-16 file, a link out of the input
folder, the tool's own output left in the input folder, duplicate ids across files.
"""
from __future__ import annotations

import json
import os
import resource
import time

import pytest
from click.testing import CliRunner

from geo._errors import ReportError
from geo.cli import main
from geo.reports import ReportIds, iter_report_files, read_report_file, read_reports
from geo.zones import build_zones

GOOD = ("---\nid: good\ntitle: Clashes near Daquq\npublished: 2024-03-04\n---\n\n"
        "Clashes broke out in Daquq on Monday.\n")


def laughs_yaml(levels: int = 9, indent: str = "") -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) values from 400 bytes."""
    lines = [f'{indent}a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[:levels - 1]:
        lines.append(f"{indent}{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        previous = name
    return "\n".join(lines), previous


def _laughs_front_matter() -> str:
    body, last = laughs_yaml()
    return f"---\ntitle: Clashes near Daquq\n{body}\npublished: *{last}\n---\nClashes in Daquq.\n"


# name, text, the error the user sees (after the file name)
BAD_REPORTS = [
    ("laughs.md", _laughs_front_matter(),
     ":7: bad front matter: aliases (*name) expand this to over 10,000 values (at most 10,000); "
     "write the values out"),
    ("deep-list.json", '{"body": "Clashes in Daquq.", "title": ' + "[" * 1000 + "]" * 1000 + "}",
     ":1: bad JSON: nested deeper than 64 levels of lists and objects"),
    ("deep-object.json", '{"body": "x", "t": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}",
     ":1: bad JSON: nested deeper than 64 levels of lists and objects"),
    ("deep.jsonl", '{"body": "x", "t": ' + "[" * 1000 + "]" * 1000 + "}\n",
     ":1: bad JSON: nested deeper than 64 levels of lists and objects"),
    ("deep.md", "---\ntitle: " + "[" * 3000 + "]" * 3000 + "\n---\nClashes in Daquq.\n",
     ":2: bad front matter: nested deeper than 64 levels of lists and mappings"),
    ("deep-block.md", "---\ntitle:\n" + "".join(" " * i + "- \n" for i in range(200))
     + "---\nClashes in Daquq.\n",  # the line where the 65th level opens
     ":66: bad front matter: nested deeper than 64 levels of lists and mappings"),
    ("big-id.json", '{"body": "Clashes in Daquq.", "id": ' + "9" * 4301 + "}",
     ":1: bad JSON: a number of 4301 digits (at most 100); quote it if it is text"),
    ("big-id.jsonl", '\n{"body": "Clashes in Daquq.", "id": ' + "9" * 5000 + "}\n",
     ":2: bad JSON: a number of 5000 digits (at most 100); quote it if it is text"),
    ("big-id.md", "---\nid: " + "9" * 4301 + "\n---\nClashes in Daquq.\n",
     ":2: bad front matter: a number of 4301 characters (at most 100); quote it if it is text"),
    ("big-date.md", "---\npublished: " + "1:" * 3000 + "1\n---\nClashes in Daquq.\n",
     ":2: bad front matter: a number of 6001 characters (at most 100); quote it if it is text"),
    ("long-title.json", json.dumps({"body": "Clashes in Daquq.", "title": "x" * 5000}),
     ":1: field 'title': 5,000 characters (at most 2,000): '" + "x" * 27 + "..." + "x" * 28 + "'"),
    ("long-date.md", "---\npublished: '" + "2024" * 5000 + "'\n---\nClashes in Daquq.\n",
     ":2: field 'published': '202420242024202420242024202...2024202420242024202420242024' "
     "is not a date (YYYY-MM-DD)"),
    ("list-date.md", "---\npublished: [1, 2]\n---\nClashes in Daquq.\n",
     ":2: field 'published': expected a date (YYYY-MM-DD), got list"),
    ("list-lang.md", "---\nlang: [" + "1, " * 5000 + "1]\n---\nClashes in Daquq.\n",
     ":2: field 'lang': [1, 1, 1, 1, ...] is not a language of the event rules (ar, ckb, en, kmr)"),
    ("self.md", "---\ntitle: &a [*a]\n---\nClashes in Daquq.\n",
     ":2: bad front matter: an alias refers to the value it is inside (a value that holds itself)"),
    ("no-bom.txt", "Clashes in Daquq on Monday\n\nThe clashes went on.\n".encode("utf-16-le"),
     ":1: UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM)"),
]


@pytest.mark.parametrize("name, text, error", BAD_REPORTS, ids=[b[0] for b in BAD_REPORTS])
def test_a_hostile_report_is_one_short_error_and_the_good_one_is_read(tmp_path, name, text, error):
    (tmp_path / "a-good.md").write_text(GOOD, encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    failures: list[str] = []
    started = time.monotonic()
    reports = list(read_reports([tmp_path], failures))
    assert time.monotonic() - started < 10
    assert failures == [f"{bad}{error}"]
    assert [r.id for r in reports] == ["good"]
    assert len(failures[0]) < 300


def test_a_json_list_loses_only_its_deep_report(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('[{"body": "Clashes in Daquq."},\n {"body": "x", "t": ' + "[" * 500 + "]" * 500
                    + '},\n {"body": "A rally in Halabja.", "id": ' + "7" * 200 + '},\n'
                    ' {"body": "Protest in Kirkuk.", "id": "last"}]', encoding="utf-8")
    failures: list[str] = []
    reports = list(read_reports([path], failures))
    assert failures == [f"{path}:2: bad JSON: nested deeper than 64 levels of lists and objects",
                        f"{path}:3: bad JSON: a number of 200 digits (at most 100); quote it if it is text"]
    assert [r.id for r in reports] == ["list-1", "last"]


def test_billion_laughs_is_refused_in_bounded_time_and_memory(tmp_path):
    """The 400-byte file that took 116 s and 10.9 GB: refused in well under a second, and the
    process grows by under 50 MB."""
    path = tmp_path / "laughs.md"
    path.write_text(_laughs_front_matter(), encoding="utf-8")
    assert path.stat().st_size < 500
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(ReportError, match="expand this to over 10,000 values"):
        read_report_file(path)
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB


def test_aliases_that_stay_small_are_still_read(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\nsource: &s Rudaw\ndateline: *s\ntitle: Clashes near Daquq\n---\n"
                    "Clashes in Daquq.\n", encoding="utf-8")
    (report,) = read_report_file(path)
    assert (report.source, report.dateline) == ("Rudaw", "Rudaw")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read(tmp_path, encoding):
    text = GOOD.replace("id: good", "id: wide")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "wide.md"
    path.write_bytes(data)
    (report,) = read_report_file(path)
    assert (report.id, report.title, report.body) == ("wide", "Clashes near Daquq",
                                                      "Clashes broke out in Daquq on Monday.")


def test_binary_data_is_still_called_binary(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"Clashes in Daquq\n\x00\x01\x02 and more text that is long enough to count")
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert str(err.value) == f"{path}:2: binary data (NUL byte), not a text report"


def test_a_link_out_of_the_folder_is_not_read(tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "id_rsa.txt").write_text("PRIVATE KEY material\n", encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.md").write_text(GOOD, encoding="utf-8")
    (folder / "key.txt").symlink_to(outside / "id_rsa.txt")
    (folder / "more").symlink_to(outside, target_is_directory=True)
    (folder / "inside.md").symlink_to(folder / "a.md")  # a link within the folder is fine
    failures: list[str] = []
    names = list(iter_report_files([folder], failures))
    assert names == [str(folder / "a.md"), str(folder / "inside.md")]
    assert failures == [
        f"{folder / 'key.txt'}: a link to {outside / 'id_rsa.txt'}, outside the folder {folder}; "
        "not read (name the file itself to read it)",
        f"{folder / 'more'}: a link to {outside}, outside the folder {folder}; not read (name "
        "the file itself to read it)"]
    with pytest.raises(ReportError, match="outside the folder"):
        list(iter_report_files([folder]))
    # Named as an input, the file behind the link is read.
    assert [r.body for r in read_reports([folder / "key.txt"])] == ["PRIVATE KEY material"]


def test_hidden_files_are_passed_over_in_folders(tmp_path):
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / ".events.3fa2c1d0.tmp.json").write_text("", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.md").write_text(GOOD, encoding="utf-8")
    assert list(iter_report_files([tmp_path])) == [str(tmp_path / "a.md")]


def test_the_tools_own_outputs_in_the_input_folder_are_not_read_back(tmp_path):
    """`geo export -o reports/events.csv`, `geo events -o reports/events.json`, `geo parse
    --json > reports/parsed.json`: the next run reads the same reports, and no error."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.md").write_text(GOOD, encoding="utf-8")
    runner = CliRunner()
    csv_out, events_out, parsed = folder / "events.csv", folder / "events.json", folder / "parsed.json"
    assert runner.invoke(main, ["export", str(folder), "-f", "csv", "-o", str(csv_out)]).exit_code == 0
    assert runner.invoke(main, ["events", str(folder), "-o", str(events_out)]).exit_code == 0
    result = runner.invoke(main, ["parse", str(folder), "--json"])
    parsed.write_text(result.stdout, encoding="utf-8")
    zones = folder / "zones.json"
    zones.write_text(runner.invoke(main, ["zones", "--json"]).stdout, encoding="utf-8")
    assert runner.invoke(main, ["map", str(folder), "-o", str(folder / "map.html")]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "events.csv", "events.json",
                                                        "map.html", "parsed.json", "zones.json"]
    assert list(iter_report_files([folder])) == [str(folder / "a.md")]
    result = runner.invoke(main, ["events", str(folder)])
    assert result.exit_code == 0, result.output
    assert "report error" not in result.stderr
    assert [f["properties"]["report_id"] for f in json.loads(result.stdout)["features"]] == ["good"]
    # Named, an output file is read as what it is: here not a report.
    with pytest.raises(ReportError, match="CSV header has no 'body'"):
        read_report_file(csv_out)


def test_a_csv_of_reports_with_event_columns_and_a_body_is_read(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("event_id,report_id,event_type,body\ne1,r1,Battles,Clashes in Daquq.\n",
                    encoding="utf-8")
    assert list(iter_report_files([tmp_path])) == [str(path)]


def test_duplicate_ids_across_files_are_made_unique_with_a_warning(tmp_path):
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.md").write_text(GOOD, encoding="utf-8")
    # A made-up id ("list-2", the second record of list.json) that a later report gives.
    (tmp_path / "c.jsonl").write_text('{"body": "x", "id": "good-2"}\n{"body": "y", "id": "good"}\n',
                                      encoding="utf-8")
    reports = list(read_reports([tmp_path]))
    assert [r.id for r in reports] == ["good", "good-2", "good-2-2", "good-3"]
    assert len({r.id for r in reports}) == 4
    assert reports[1].warnings[-1] == (f"id 'good' is already the id of the report at "
                                       f"{tmp_path / 'a.md'}:7: this one is 'good-2'")
    assert reports[2].warnings[-1] == (f"id 'good-2' is already the id of the report at "
                                       f"{tmp_path / 'b.md'}:7: this one is 'good-2-2'")
    assert reports[0].warnings == ()
    # The same inputs give the same ids, every run, and ids shared across calls stay unique.
    assert [r.id for r in read_reports([tmp_path])] == [r.id for r in reports]
    ids = ReportIds()
    one_by_one = [r.id for name in ("a.md", "b.md") for r in read_reports([tmp_path / name], ids=ids)]
    assert one_by_one == ["good", "good-2"]


def test_cli_events_names_each_bad_file_and_writes_the_good_events(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(GOOD, encoding="utf-8")
    for name, text, _ in BAD_REPORTS[:3]:
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "events.geojson"
    result = CliRunner().invoke(main, ["events", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [f["properties"]["report_id"] for f in json.loads(out.read_text())["features"]] == ["good"]
    errors = [ln for ln in result.stderr.splitlines() if "report error" in ln]
    assert errors == [f"geo: report error: {folder / n}{e}" for n, _, e in sorted(BAD_REPORTS[:3])]
    assert "geo: 3 of 4 report(s) failed" in result.stderr


# --- zone files -----------------------------------------------------------------------------

GOOD_ZONE = ("  - name: Good zone\n    kind: sector\n    description: d\n    source: s\n"
             "    around: {points: [[44.6, 34.9]], buffer_km: 3}\n")


def _zone_laughs() -> str:
    body, last = laughs_yaml(indent="  ")
    return f"defs:\n{body}\nzones:\n  - name: Bad\n    kind: sector\n    description: *{last}\n"


BAD_ZONE_FILES = [
    ("laughs.yaml", _zone_laughs(),
     ":8: not valid YAML: aliases (*name) expand this to over 1,000,000 values (at most "
     "1,000,000); write the values out"),
    ("deep.yaml", "zones:\n  - name: Deep\n    kind: sector\n    around: " + "[" * 3000 + "]" * 3000 + "\n",
     ":4: not valid YAML: nested deeper than 64 levels of lists and mappings"),
    ("deep.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
     '{"name": "D", "kind": "sector"}, "geometry": ' + "[" * 3000 + "]" * 3000 + "}]}",
     ":1: not valid JSON: nested deeper than 64 levels of lists and objects"),
    ("big.yaml", "zones:\n  - name: Big\n    kind: sector\n    around: {points: [[44.6, 34.9]], "
     "buffer_km: " + "9" * 4301 + "}\n",
     ":4: not valid YAML: a number of 4301 characters (at most 100); quote it if it is text"),
    ("big.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
     '{"name": "D", "kind": "sector"}, "geometry": {"type": "Polygon", "coordinates": [[[' + "4" * 5000
     + ", 35]]]}}]}", ":1: not valid JSON: a number of 5000 digits (at most 100); quote it if it is text"),
]


@pytest.mark.parametrize("name, text, error", BAD_ZONE_FILES, ids=[b[0] for b in BAD_ZONE_FILES])
def test_a_hostile_zone_file_is_one_error_and_the_other_files_build(tmp_path, name, text, error):
    good = tmp_path / "good.yaml"
    good.write_text("zones:\n" + GOOD_ZONE, encoding="utf-8")
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = build_zones([bad, good], include_builtin=False)
    assert time.monotonic() - started < 10
    assert result.errors == [f"{bad}{error}"]
    assert list(result.zones.zone_id) == ["good-zone"]


@pytest.mark.parametrize("value, error", [
    ("1.0e+9", "around.buffer_km: 1e+09 km is over the 500 km limit (zones are built in UTM 38N, "
               "true to scale only around Iraq)"),
    ("1e9", "around.buffer_km: 1e+09 km is over the 500 km limit (zones are built in UTM 38N, "
            "true to scale only around Iraq)"),
    ("10000", "around.buffer_km: 10000 km is over the 500 km limit (zones are built in UTM 38N, "
              "true to scale only around Iraq)"),
    ("20000", "around.buffer_km: 20000 km is over the 500 km limit (zones are built in UTM 38N, "
              "true to scale only around Iraq)"),
    ("'12'", "around.buffer_km: '12' is text, not a number (write it without quotes)"),
])
def test_buffer_km_is_bounded(tmp_path, value, error):
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n" + GOOD_ZONE + "  - name: Wide\n    kind: sector\n"
                    f"    around: {{points: [[44.6, 34.9]], buffer_km: {value}}}\n", encoding="utf-8")
    started = time.monotonic()
    result = build_zones([path], include_builtin=False)
    assert time.monotonic() - started < 10
    assert result.errors == [f"z.yaml: zone 'Wide': {error}"]
    assert list(result.zones.zone_id) == ["good-zone"]


def test_width_km_is_bounded(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n  - name: Band\n    kind: front_line\n"
                    "    along: {line: [[44.6, 34.9], [44.8, 35.0]], width_km: 5e3}\n", encoding="utf-8")
    result = build_zones([path], include_builtin=False)
    assert result.errors == ["z.yaml: zone 'Band': along.width_km: 5000 km is over the 500 km "
                             "limit (zones are built in UTM 38N, true to scale only around Iraq)"]


@pytest.mark.parametrize("value, area", [("1e1", 314.0), ("2.5E1", 1960.0), ("500", 785_000.0)])
def test_yaml_12_exponents_are_numbers_and_the_bound_itself_builds(tmp_path, value, area):
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n  - name: Round\n    kind: sector\n"
                    f"    around: {{points: [[44.6, 34.9]], buffer_km: {value}}}\n", encoding="utf-8")
    result = build_zones([path], include_builtin=False)
    assert result.errors == []
    (zone,) = result.zones.itertuples()
    assert zone.area_km2 == pytest.approx(area, rel=0.01)
    assert zone.geometry.contains(__import__("shapely").Point(44.6, 34.9))


def test_from_file_naming_a_table_without_geometry_is_an_error_for_that_zone(tmp_path):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    gpkg = tmp_path / "mixed.gpkg"
    gpd.GeoDataFrame({"name": ["A"]}, geometry=gpd.points_from_xy([44.6], [34.9]).buffer(0.1),
                     crs=4326).to_file(gpkg, layer="areas")
    pyogrio.write_dataframe(pd.DataFrame({"name": ["A"], "value": [1]}), gpkg, layer="attrs")
    (tmp_path / "table.csv").write_text("name,value\nA,1\n", encoding="utf-8")
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n" + GOOD_ZONE
                    + "  - name: From table\n    kind: sector\n"
                      "    from_file: {path: table.csv, name_field: name, names: [A]}\n"
                      "  - name: From layer\n    kind: sector\n"
                      "    from_file: {path: mixed.gpkg, layer: attrs, name_field: name, names: [A]}\n"
                      "  - name: From areas\n    kind: sector\n"
                      "    from_file: {path: mixed.gpkg, layer: areas, name_field: name, names: [A]}\n",
                    encoding="utf-8")
    result = build_zones([path], include_builtin=False)
    assert result.errors == [
        "z.yaml: zone 'From layer': from_file.path: layer 'attrs' of mixed.gpkg is a table without "
        "geometry (not a boundary file); name a layer with polygons in `from_file.layer`",
        "z.yaml: zone 'From table': from_file.path: table.csv is a table without geometry (not a "
        "boundary file); name a layer with polygons in `from_file.layer`"]
    assert list(result.zones.zone_id) == ["from-areas", "good-zone"]


def test_zone_messages_quote_values_short(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n  - name: " + "N" * 5000 + "\n    kind: " + "k" * 5000 + "\n"
                    "    around: {points: [[44.6, 34.9]], buffer_km: 3}\n", encoding="utf-8")
    (error,) = build_zones([path], include_builtin=False).errors
    assert len(error) < 300
    assert error == (f"z.yaml: zone '{'N' * 27}...{'N' * 28}': kind: '{'k' * 27}...{'k' * 28}' is "
                     "not one of sector, front_line, security_vacuum, disputed_territory, "
                     "operations_area, joint_brigade_area, region")


def test_a_geojson_zone_file_with_odd_features_is_named(tmp_path):
    path = tmp_path / "z.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        [1, 2], {"type": "Feature", "properties": ["x"], "geometry": None},
        {"type": "Feature", "properties": {"name": "Good", "kind": "sector", "description": "d",
                                           "source": "s"},
         "geometry": {"type": "Polygon", "coordinates": [[[44.0, 35.0], [44.2, 35.0], [44.2, 35.2],
                                                          [44.0, 35.0]]]}}]}), encoding="utf-8")
    result = build_zones([path], include_builtin=False)
    assert result.errors == ["z.geojson: zone '#1': expected a mapping of fields, not [1, 2]",
                             "z.geojson: zone '#2': expected a mapping of fields, not ['x']"]
    assert list(result.zones.zone_id) == ["good"]


def test_cli_zones_reports_hostile_zone_files_and_lists_the_rest(tmp_path):
    files = []
    for name, text, _ in BAD_ZONE_FILES:
        (tmp_path / name).write_text(text, encoding="utf-8")
        files += ["--zones", str(tmp_path / name)]
    result = CliRunner().invoke(main, ["zones", "--json", *files])
    assert result.exit_code == 1
    assert "qaratapa-hamrin-front" in {z["zone_id"] for z in json.loads(result.stdout)}
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("geo: zone error")]
    assert errors == [f"geo: zone error: {tmp_path / n}{e}" for n, _, e in BAD_ZONE_FILES]
    assert "Traceback" not in result.output


# --- replacing an output file ---------------------------------------------------------------

def test_replacing_a_file_keeps_its_permissions(tmp_path):
    from geo._atomic import atomic_files, write_text

    private = tmp_path / "events.geojson"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    write_text(private, "new")
    assert (private.read_text(encoding="utf-8"), private.stat().st_mode & 0o777) == ("new", 0o600)
    shared = tmp_path / "shared.csv"
    shared.write_text("old", encoding="utf-8")
    shared.chmod(0o664)
    with atomic_files([shared]) as (tmp,):
        tmp.write_text("new", encoding="utf-8")
    assert shared.stat().st_mode & 0o777 == 0o664
    # A new file gets the usual permissions (the umask's), as any file written would.
    umask = os.umask(0o022)
    os.umask(umask)
    write_text(tmp_path / "fresh.txt", "x")
    assert (tmp_path / "fresh.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_link_as_output_is_written_through(tmp_path):
    from geo._atomic import write_text

    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "zones.geojson"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "zones.geojson"
    link.symlink_to(real)
    result = CliRunner().invoke(main, ["zones", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith('{"type": "FeatureCollection"')
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real_dir.iterdir()) == ["zones.geojson"]  # no temporary left
    # A link to a link, and a link whose file does not exist yet: the end of the chain is written.
    second = tmp_path / "again.geojson"
    second.symlink_to(link)
    write_text(second, "through two links")
    assert real.read_text(encoding="utf-8") == "through two links" and second.is_symlink()
    dangling = tmp_path / "later.txt"
    dangling.symlink_to(real_dir / "later.txt")
    write_text(dangling, "created")
    assert (real_dir / "later.txt").read_text(encoding="utf-8") == "created" and dangling.is_symlink()


def test_a_control_character_in_yaml_is_one_line_naming_its_line(tmp_path):
    zone_file = tmp_path / "z.yaml"
    zone_file.write_text("zones:\n  - name: Bad\x1f\n", encoding="utf-8")
    assert build_zones([zone_file], include_builtin=False).errors == [
        f"{zone_file}:2: not valid YAML: character U+001F is not allowed in YAML (a control character)"]
    report = tmp_path / "a.md"
    report.write_text("---\ntitle: Clashes\nsource: Rudaw\x1b]52;c;aGk=\x07\n---\nClashes in Daquq.\n",
                      encoding="utf-8")
    with pytest.raises(ReportError) as err:
        read_report_file(report)
    assert str(err.value) == (f"{report}:3: bad front matter: character U+001B is not allowed in "
                              "YAML (a control character)")


def test_a_huge_front_matter_is_refused_before_it_is_parsed(tmp_path):
    """A megabyte of `key: value` lines took the YAML reader 30 s; 64 KiB is plenty for fields."""
    path = tmp_path / "a.md"
    path.write_text("---\n" + "".join(f"k{i}: v\n" for i in range(100_000)) + "---\nClashes in Daquq.\n",
                    encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert time.monotonic() - started < 5
    assert str(err.value) == (f"{path}:2: bad front matter: 988,889 characters (at most 65,536); "
                              "the report text goes after the closing '---' (line 100002)")


def test_many_values_without_aliases_are_not_called_aliases(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\nx: [" + ", ".join(["1"] * 12_000) + "]\n---\nClashes in Daquq.\n", encoding="utf-8")
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert str(err.value) == f"{path}:2: bad front matter: over 10,000 values (at most 10,000)"


def test_a_large_yaml_zone_file_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("zones:\n" + GOOD_ZONE + "# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    (error,) = build_zones([path], include_builtin=False).errors
    assert error == (f"{path}: 1,048,707 bytes is over the 1,048,576-byte limit for a YAML zone file "
                     "(a large drawn polygon goes in a GeoJSON zone file or `from_file`)")


def test_a_device_or_pipe_named_as_input_is_read_with_the_size_bound(tmp_path):
    import threading

    failures: list[str] = []
    assert list(read_reports(["/dev/zero"], failures)) == []
    assert failures == [f"/dev/zero: over the {20 * 1024 * 1024}-byte limit for one report file"]
    # A pipe, as `geo events <(curl ...)` gives one, is read to its end.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(GOOD, encoding="utf-8"), daemon=True)
    writer.start()
    assert [r.id for r in read_reports([fifo])] == ["good"]
    writer.join(5)
    # In a folder, anything but a regular file is passed over.
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "b.md")
    assert list(iter_report_files([tmp_path])) == [str(tmp_path / "a.md")]


def test_a_zone_from_file_that_is_a_pipe_is_refused_without_blocking(tmp_path):
    import threading

    os.mkfifo(tmp_path / "districts.gpkg")  # nobody writes: opening it would wait for ever
    path = tmp_path / "z.yaml"
    path.write_text("zones:\n  - name: Piped\n    kind: sector\n"
                    "    from_file: {path: districts.gpkg, name_field: n, names: [a]}\n", encoding="utf-8")
    result = []
    worker = threading.Thread(target=lambda: result.append(build_zones([path], include_builtin=False)),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert result, "building the zone blocked on the pipe"
    assert result[0].errors == [f"z.yaml: zone 'Piped': from_file.path: {tmp_path / 'districts.gpkg'} "
                                "is not a file (a device or a pipe?)"]
