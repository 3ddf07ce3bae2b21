"""Hostile report text in, outputs other software can read out: control characters in every
export format (read back with GDAL's `ogrinfo` and an XML parser), CSV cells that would run as
spreadsheet formulas, terminal escape sequences in what the CLI prints, and outputs that would
overwrite an input.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

gpd = pytest.importorskip("geopandas")
pyogrio = pytest.importorskip("pyogrio")
from click.testing import CliRunner  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from geo.cli import main  # noqa: E402
from geo.export import csv_cell, export_layers, output_text  # noqa: E402
from geo.schema import EVENT_COLUMNS  # noqa: E402

KIRKUK = (44.39, 35.47)
#: Every kind of character XML 1.0 forbids, and NUL, inside otherwise good text.
HOSTILE = "Attack\x01 near\x0cKirkuk\x00 today\x1b\ufffe end"
#: What every format holds instead: controls dropped, form feed a space.
CLEANED = "Attack near Kirkuk today end"
REPORT_BODY = ("KIRKUK, 1 March 2024 - Clashes broke out in Kirkuk between the army and Islamic "
               "State fighters.\n")


def _events(**values) -> gpd.GeoDataFrame:
    row = {c: None for c in EVENT_COLUMNS if c != "geometry"}
    row.update(event_id="r1-1", report_id="r1", title="Report", source="Rudaw",
               published="2024-03-02", event_date="2024-03-01", event_type="Battles",
               sub_event_type="Armed clash", location="Kirkuk", admin1="Kirkuk",
               admin2="Kirkuk", latitude=KIRKUK[1], longitude=KIRKUK[0], geo_precision=1,
               where_prec=1)
    row.update(values)
    return gpd.GeoDataFrame([row], geometry=gpd.GeoSeries([Point(*KIRKUK)], crs="EPSG:4326"),
                            crs="EPSG:4326")[EVENT_COLUMNS]


def _ogrinfo(path: Path) -> subprocess.CompletedProcess:
    if shutil.which("ogrinfo") is None:
        pytest.fail("GDAL's ogrinfo is not installed (tests/setup-and-run.sh installs gdal-bin)")
    return subprocess.run(["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True,
                          text=True, timeout=60)


# --- control characters -------------------------------------------------------------------

def test_output_text_drops_what_xml_forbids():
    assert output_text(HOSTILE) == CLEANED
    assert output_text("lone \ud800 surrogate") == "lone \ufffd surrogate"  # not UTF-8 at all
    assert output_text("tab\tand\nlines\r\nstay") == "tab\tand\nlines\r\nstay"
    assert output_text("اشتباكات في طوزخورماتو") == "اشتباكات في طوزخورماتو"


@pytest.mark.parametrize("fmt", ["kml", "gpkg", "geojson", "csv"])
def test_control_characters_leave_every_format_readable(fmt, tmp_path):
    events = _events(title=HOSTILE, notes=HOSTILE, evidence=HOSTILE, source="a\x00b")
    out = tmp_path / ("x" if fmt == "geojson" else f"x.{fmt}")
    files = export_layers({"events": events}, fmt, out).files
    (path,) = files
    data = path.read_bytes()
    if fmt == "gpkg":  # binary: ask SQLite for the text itself
        import sqlite3

        with sqlite3.connect(path) as con:
            assert con.execute("SELECT title, source FROM events").fetchone() == (CLEANED, "ab")
        con.close()
    else:
        assert b"\x00" not in data and b"\x01" not in data and b"\x0c" not in data
    if fmt == "kml":
        ET.fromstring(data)  # well-formed XML: before, "not well-formed (invalid token)"
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            row = next(csv.DictReader(fh))
        assert row["notes"] == CLEANED and row["source"] == "ab"
        return
    if fmt == "geojson":
        props = json.loads(data)["features"][0]["properties"]
        assert props["title"] == CLEANED and props["source"] == "ab"
    info = _ogrinfo(path)
    assert info.returncode == 0, info.stderr
    assert "not well-formed" not in info.stderr and "ERROR" not in info.stderr
    assert f"title (String) = {CLEANED}" in info.stdout  # the whole text: NUL cut it before
    assert "source (String) = ab" in info.stdout
    read = pyogrio.read_dataframe(path, layer="events")
    assert list(read["title"]) == [CLEANED]


def test_cli_export_of_a_report_with_control_characters(tmp_path):
    report = tmp_path / "r.md"
    report.write_text('---\ntitle: "Attack near Kirkuk \\x01 form\\ffeed \\0 nul"\n'
                      "published: 2024-03-02\n---\n" + REPORT_BODY, encoding="utf-8")
    for fmt in ("kml", "gpkg"):
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(main, ["export", str(report), "-f", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        info = _ogrinfo(out)
        assert info.returncode == 0 and "not well-formed" not in info.stderr, info.stderr
        assert "title (String) = Attack near Kirkuk  form feed  nul" in info.stdout


# --- CSV formulas ---------------------------------------------------------------------------

def test_csv_cell_neutralises_formulas_keeps_numbers():
    assert csv_cell('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert csv_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert csv_cell("-2+3") == "'-2+3"
    assert csv_cell("@SUM(1+1)") == "'@SUM(1+1)"
    assert csv_cell("\t=1") == "'\t=1" and csv_cell("\r=1") == "'\r=1"
    for number in ("-3", "+4.5", "-0.25", "-1e3", "12"):
        assert csv_cell(number) == number
    assert csv_cell("Kirkuk") == "Kirkuk" and csv_cell("") == ""


def test_csv_export_neutralises_formulas_from_a_report(tmp_path):
    events = _events(title='=HYPERLINK("http://evil.example","Open")', source="@SUM(1+1)",
                     evidence="+cmd|' /C calc'!A0", notes="-2+3", actor1="\t=1",
                     report_id="-3", event_id="-3-1", front_distance_km=-3.5)
    path = tmp_path / "events.csv"
    export_layers({"events": events}, "csv", path)
    with open(path, encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["source"] == "'@SUM(1+1)"
    assert row["evidence"] == "'+cmd|' /C calc'!A0"
    assert row["notes"] == "'-2+3"
    assert row["actor1"] == "'\t=1"
    assert row["report_id"] == "-3"          # a number stays a number
    assert row["event_id"] == "'-3-1"         # not a number: "-3-1" would compute -4
    assert row["front_distance_km"] == "-3.5"
    assert row["latitude"] == str(KIRKUK[1])


# --- terminal escapes ------------------------------------------------------------------------

#: OSC 52 (writes the clipboard), OSC 8 (a hidden link), SGR 8 (concealed text), CSI as C1.
OSC52 = "\x1b]52;c;Y3VybCBldmlsfHNo\x07"
OSC8 = "\x1b]8;;https://evil.example\x1b\\"
CONCEAL = "\x1b[8m"
C1_CSI = "\x9b31m"


def _no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, repr(text)


def _report(folder: Path, name: str, report_id: str, title: str, body: str = REPORT_BODY) -> Path:
    path = folder / name
    path.write_text(f"---\nid: {json.dumps(report_id)}\ntitle: {json.dumps(title)}\n"
                    f"published: 2024-03-02\n---\n{body}", encoding="utf-8")
    return path


def _run(*args: str):
    # color=True: click would strip CSI sequences from a non-terminal, hiding the raw ones.
    return CliRunner().invoke(main, list(args), color=True)


def test_terminal_safe_escapes_controls():
    from geo.cli import terminal_safe

    assert terminal_safe(f"r1{OSC52} ok") == "r1\\x1b]52;c;Y3VybCBldmlsfHNo\\x07 ok"
    assert terminal_safe(f"{CONCEAL}hidden\r\nline\tcell") == "\\x1b[8mhidden\\r\\nline\tcell"
    assert terminal_safe(C1_CSI + "\x7f") == "\\x9b31m\\x7f"
    assert terminal_safe("اشتباكات في كركوك") == "اشتباكات في كركوك"


def test_parse_prints_report_id_and_title_escaped(tmp_path):
    path = _report(tmp_path, "r.md", f"r1{OSC52}", f"Clashes {CONCEAL}hidden{OSC8} {C1_CSI}")
    result = _run("parse", str(path))
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.output)
    assert "r1\\x1b]52;c;Y3VybCBldmlsfHNo\\x07" in result.stdout
    assert "Clashes \\x1b[8mhidden\\x1b]8;;https://evil.example\\x1b\\ \\x9b31m" in result.stdout
    as_json = _run("parse", str(path), "--json")
    _no_raw_controls(as_json.stdout)
    (parsed,) = json.loads(as_json.stdout)  # still JSON, with the same text
    assert parsed["report"]["title"] == f"Clashes {CONCEAL}hidden{OSC8} {C1_CSI}"


def test_warnings_print_report_ids_escaped(tmp_path):
    path = _report(tmp_path, "r.md", f"quiet{CONCEAL}", "Nothing", body="A calm day.\n")
    result = _run("events", str(path), "-o", str(tmp_path / "e.geojson"))
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.stderr)
    assert "geo: warning: quiet\\x1b[8m: no event found in the text" in result.stderr
    assert "(1 with no event: quiet\\x1b[8m)" in result.stderr


def test_events_on_stdout_escape_c1_controls(tmp_path):
    path = _report(tmp_path, "r.md", "r1", f"Clashes {C1_CSI}\x7f")
    result = _run("events", str(path))
    assert result.exit_code == 0, result.output
    _no_raw_controls(result.stdout)
    assert "\\u009b31m\\u007f" in result.stdout
    (feature,) = json.loads(result.stdout)["features"]
    assert feature["properties"]["title"] == f"Clashes {C1_CSI}\x7f"


def test_errors_print_file_names_escaped(tmp_path):
    missing = tmp_path / f"gone{CONCEAL}{OSC52}.md"  # a file name holds no "/" (OSC 8 has two)
    result = _run("parse", str(missing))
    assert result.exit_code != 0
    _no_raw_controls(result.stderr)
    assert (f"geo: report error: {tmp_path}/gone\\x1b[8m\\x1b]52;c;Y3VybCBldmlsfHNo\\x07.md: "
            "no such file or folder\n") in result.stderr
    bad = _report(tmp_path, "ok.md", "r1", "Fine")
    folder = tmp_path / f"no{OSC52}where"
    result = _run("export", str(bad), "-f", "kml", "-o", str(folder / "x.kml"))
    assert result.exit_code == 2
    _no_raw_controls(result.stderr)
    assert result.stderr.startswith("geo: error: cannot write ")
    assert "no\\x1b]52;c;Y3VybCBldmlsfHNo\\x07where does not exist" in result.stderr
    assert result.stderr.count("\n") == 1  # one line


def test_click_usage_errors_print_values_escaped(tmp_path):
    bad = _report(tmp_path, "ok.md", "r1", "Fine")
    result = _run("export", str(bad), "-f", f"{CONCEAL}kml", "-o", str(tmp_path / "x.kml"))
    assert result.exit_code == 2
    _no_raw_controls(result.stderr)
    assert "\\x1b[8mkml" in result.stderr
    result = _run(f"--no{OSC52}")
    assert result.exit_code == 2
    _no_raw_controls(result.stderr)
    assert "--no\\x1b]52" in result.stderr


def test_zone_messages_print_escaped(tmp_path):
    zones = tmp_path / "z.yaml"
    zones.write_text(json.dumps({"zones": [{"zone_id": "z", "name": f"Z{CONCEAL}",
                                            "kind": "sector", "polygon": [[44, 35]]}]}),
                     encoding="utf-8")
    result = _run("zones", "--zones", str(zones))
    assert result.exit_code == 1
    _no_raw_controls(result.output)
    assert "geo: zone error: z.yaml: zone 'Z\\x1b[8m': polygon: unknown field" in result.stderr


# --- outputs that are inputs ------------------------------------------------------------------

def _csv_report(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title", "published", "body"])
        writer.writerow(["c1", "Clashes", "2024-03-02", REPORT_BODY.strip()])
    return path


@pytest.mark.parametrize("args, output", [
    (["export", "{in_csv}", "--format", "csv", "-o", "{in_csv}"], "{in_csv}"),
    (["map", "{in_md}", "-o", "{in_md}"], "{in_md}"),
    (["events", "{in_jsonl}", "-o", "{in_jsonl}"], "{in_jsonl}"),
    (["events", "{in_md}", "-o", "{link}"], "{link}"),  # another name for the same file
    (["zones", "--events", "{in_md}", "-o", "{in_md}"], "{in_md}"),
])
def test_output_that_is_an_input_is_refused(args, output, tmp_path):
    files = {"in_csv": _csv_report(tmp_path / "in.csv"),
             "in_md": _report(tmp_path, "a.md", "a1", "Clashes"),
             "in_jsonl": tmp_path / "in.jsonl", "link": tmp_path / "link.md"}
    files["in_jsonl"].write_text(json.dumps({"id": "j1", "title": "Clashes",
                                             "published": "2024-03-02", "body": REPORT_BODY})
                                 + "\n", encoding="utf-8")
    files["link"].hardlink_to(files["in_md"])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = _run(*[a.format(**files) for a in args])
    target = output.format(**files)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"geo: error: refusing to write {target}: it is the input ")
    assert result.stderr.endswith("which would be replaced; give another output path\n")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing replaced


def test_output_over_a_report_of_an_input_folder_is_refused(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    _report(folder, "a.md", "a1", "Clashes")
    _csv_report(folder / "events.csv")  # a report that happens to have this name
    before = (folder / "events.csv").read_bytes()
    result = _run("export", str(folder), "--format", "csv", "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (
        f"geo: error: refusing to write {folder}/events.csv: it is a report of the input "
        f"folder {folder}, which would be replaced; give another output path\n")
    assert (folder / "events.csv").read_bytes() == before
    # a new output in the folder is written, and the next run skips it and may replace it
    for _ in range(2):
        result = _run("export", str(folder), "--format", "csv", "-o", str(folder / "out.csv"))
        assert result.exit_code == 0, result.output
        assert "wrote 2 events" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "events.csv", "out.csv"]


# --- geo map's output, options and workers ----------------------------------------------------

def test_map_default_output_is_maps_of_the_current_folder(tmp_path, monkeypatch):
    report = _report(tmp_path, "kirkuk.md", "k1", "Clashes")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = _run("map", str(report))
    assert result.exit_code == 0, result.output
    assert result.stdout == "maps/kirkuk.html\n"
    assert f"into {work}/maps/kirkuk.html" in result.stderr  # says where it wrote
    assert (work / "maps" / "kirkuk.html").is_file()


def test_map_on_a_read_only_file_system_is_one_line(tmp_path, monkeypatch):
    import errno
    import os

    import geo._atomic

    class ReadOnlyOs:  # the folder probe's os.open fails as on a read-only mount (even for root)
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def open(path, *args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system", str(path))

    report = _report(tmp_path, "kirkuk.md", "k1", "Clashes")
    monkeypatch.setattr(geo._atomic, "os", ReadOnlyOs())
    result = _run("map", str(report), "-o", str(tmp_path / "out" / "m.html"))
    assert result.exit_code == 2
    assert result.output == (f"geo: error: cannot write {tmp_path}/out/m.html: folder "
                             f"{tmp_path}/out does not exist\n")
    result = _run("map", str(report), "-o", str(tmp_path / "m.html"))
    assert result.exit_code == 2
    assert result.output == f"geo: error: cannot write in {tmp_path}: Read-only file system\n"
    assert not (tmp_path / "m.html").exists()


def test_map_places_and_input_format(tmp_path):
    places = tmp_path / "mine.csv"
    header = (Path(__file__).resolve().parent.parent / "data" / "places").glob("*.csv")
    first = next(iter(sorted(header))).read_text(encoding="utf-8").splitlines()
    columns = next(line for line in first if not line.startswith("#"))
    names = columns.split(",")
    row = {c: "" for c in names}
    row.update(id="zzz-qarawul-test", name="Qarawul Zindan", type="village", lat="35.30",
               lon="44.10", governorate="Kirkuk", district="Kirkuk",
               source="test fixture (invented place)")
    places.write_text(columns + "\n" + ",".join(row[c] for c in names) + "\n", encoding="utf-8")
    text = tmp_path / "report.data"  # a suffix the reader does not know: --input-format says
    text.write_text("QARAWUL ZINDAN, 1 March 2024 - Clashes broke out in Qarawul Zindan between "
                    "the army and Islamic State fighters.\n", encoding="utf-8")
    out = tmp_path / "m.html"
    plain = _run("map", str(text), "-o", str(out))
    assert plain.exit_code != 0  # without the options: not a report, no place
    result = _run("map", str(text), "--input-format", "txt", "--places", str(places),
                  "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "mapped 1 of 1 events" in result.stderr
    assert "Qarawul Zindan" in out.read_text(encoding="utf-8")


def test_workers_are_capped_at_the_cores(tmp_path, monkeypatch):
    import geo.cli

    monkeypatch.setattr(geo.cli, "_cores", lambda: 2)
    report = _report(tmp_path, "r.md", "r1", "Clashes")
    seen = {}

    import geo.events

    real = geo.events.write_events_geojson

    def spy(inputs, output, **kwargs):
        seen["workers"] = kwargs["workers"]
        return real(inputs, output, **kwargs)

    monkeypatch.setattr(geo.events, "write_events_geojson", spy)
    result = _run("events", str(report), "--workers", "64", "-o", str(tmp_path / "e.geojson"))
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 2
    assert "geo: note: --workers 64 is more than the 2 core(s) here; using 2\n" in result.stderr
    result = _run("events", str(report), "--workers", "1", "-o", str(tmp_path / "e.geojson"))
    assert seen["workers"] == 1 and "note" not in result.stderr


def test_events_geojson_is_cleaned_as_the_export(tmp_path):
    report = tmp_path / "r.md"
    report.write_text('---\ntitle: "Attack near Kirkuk \\x01 form\\ffeed \\0 nul"\n'
                      "published: 2024-03-02\n---\n" + REPORT_BODY, encoding="utf-8")
    out = tmp_path / "events.geojson"
    result = CliRunner().invoke(main, ["events", str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = _ogrinfo(out)
    assert info.returncode == 0, info.stderr
    assert "title (String) = Attack near Kirkuk  form feed  nul" in info.stdout
    layers = tmp_path / "layers"
    exported = CliRunner().invoke(main, ["export", str(report), "-f", "geojson", "-o",
                                         str(layers), "--layers", "events"])
    assert exported.exit_code == 0, exported.output
    ours = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    theirs = json.loads((layers / "events.geojson").read_text(encoding="utf-8"))
    assert ours["title"] == theirs["features"][0]["properties"]["title"]


def test_terminal_safe_escapes_bidi_overrides_but_keeps_arabic_marks():
    from geo.cli import terminal_safe

    # An override makes the rest of the line read backwards: "report\u202eexe.gpj" would show
    # as another name. Escaped, it prints as what it is.
    assert terminal_safe("report\u202egpj.exe") == "report\\u202egpj.exe"
    assert terminal_safe("a\u2066b\u2069 c\u202ad\u202c") == "a\\u2066b\\u2069 c\\u202ad\\u202c"
    assert terminal_safe("line\u2028two") == "line\\u2028two"
    # ZWNJ (Kurdish and Persian spelling) and RLM stay: they change no order of other text.
    assert terminal_safe("گوند\u200cەکە \u200fكركوك") == "گوند\u200cەکە \u200fكركوك"


def test_warnings_escape_a_bidi_override_in_a_report_id(tmp_path):
    path = _report(tmp_path, "r.md", "quiet\u202eevil", "Nothing", body="A calm day.\n")
    result = _run("events", str(path), "-o", str(tmp_path / "e.geojson"))
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stderr
    assert "quiet\\u202eevil: no event found" in result.stderr


def test_write_events_geojson_refuses_to_replace_an_input(tmp_path):
    from geo.events.stream import write_events_geojson
    from geo.export import ExportError

    path = _report(tmp_path, "r.md", "r1", "Clashes", body="Clashes in Kirkuk on Monday.\n")
    before = path.read_bytes()
    with pytest.raises(ExportError, match="it is the input"):
        write_events_geojson(iter([path]), path)  # a generator, as a notebook might pass
    assert path.read_bytes() == before
