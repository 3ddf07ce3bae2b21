"""Reading reports: every input format, the seed reports, and one fixture per bad input with
the exact error the user sees."""
from __future__ import annotations

import json
from datetime import date

import pytest

from geo import settings
from geo._errors import ReportError
from geo.reports import find_date, find_dateline, read_report_file, read_reports

FRONT_MATTER = """---
id: k24-kifri
title: Checkpoint opens on the Kifri road
published: 2023-10-04
source: Kurdistan 24
url: https://example.org/kifri
---

KIFRI (Kurdistan 24) – Peshmerga and Iraqi army units opened a joint checkpoint on Wednesday.
Traffic to Kalar resumed.
"""

PLAIN = """• Saturday, 11 May 2024
logo

Commanders meet in Sulaimani to plan joint operations

The meeting was held on Tuesday in Sulaimani.
"""

JSON_ONE = {"id": "j1", "title": "Rockets near Darbandikhan", "published": "2023-08-10",
            "source": "Rudaw", "body": "Rockets struck near Darbandikhan on Tuesday."}
JSON_LIST = [
    {"id": "a", "title": "One", "date": "2022-01-01", "text": "Clashes in Jalawla."},
    {"title": "Two", "body": "A rally in Halabja on Friday."},
]
CSV_TEXT = ("id,title,published,source,url,body\n"
            "c1,Mortars on Qara Tapa,2023-05-05,Rudaw,,\"Two mortar rounds hit Qara Tapa on Friday.\"\n"
            "c2,Protest,2024-01-10,,https://example.org/p,\"Protesters gathered in Sulaimani,\n"
            "demanding salaries.\"\n")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, expected", [
    ("k.md", FRONT_MATTER, [dict(id="k24-kifri", title="Checkpoint opens on the Kifri road",
                                 published=date(2023, 10, 4), source="Kurdistan 24",
                                 url="https://example.org/kifri", dateline="KIFRI", body_line=9)]),
    ("plain.txt", PLAIN, [dict(id="plain", title="Commanders meet in Sulaimani to plan joint operations",
                               published=date(2024, 5, 11), source="", url=None, dateline=None,
                               body_line=6)]),
    ("one.json", json.dumps(JSON_ONE), [dict(id="j1", title="Rockets near Darbandikhan",
                                             published=date(2023, 8, 10), source="Rudaw", body_line=1)]),
    ("list.json", json.dumps(JSON_LIST, indent=1), [
        dict(id="a", title="One", published=date(2022, 1, 1), body="Clashes in Jalawla.", body_line=2),
        dict(id="list-2", title="Two", published=None, body="A rally in Halabja on Friday.", body_line=8)]),
    ("many.jsonl", "\n".join(json.dumps(r) for r in JSON_LIST) + "\n", [
        dict(id="a", body_line=1), dict(id="many-2", body_line=2)]),
    ("rows.csv", CSV_TEXT, [
        dict(id="c1", title="Mortars on Qara Tapa", published=date(2023, 5, 5), source="Rudaw", url=None,
             body="Two mortar rounds hit Qara Tapa on Friday.", body_line=2),
        dict(id="c2", url="https://example.org/p", body="Protesters gathered in Sulaimani,\ndemanding salaries.",
             body_line=3)]),
])
def test_formats(tmp_path, name, text, expected):
    reports = read_report_file(write(tmp_path, name, text))
    assert len(reports) == len(expected)
    for report, fields in zip(reports, expected):
        for key, value in fields.items():
            assert getattr(report, key) == value, key


def test_front_matter_body_offsets_map_to_file_lines(tmp_path):
    report = read_report_file(write(tmp_path, "k.md", FRONT_MATTER))[0]
    assert report.line_of(report.body.index("Traffic")) == 10
    assert report.body[slice(*report.dateline_span)] == "KIFRI"


@pytest.mark.parametrize("text, expected", [
    ("• Saturday, 11 May 2024", date(2024, 5, 11)),
    ("pictured in the sector, Oct. 4, 2023. (Photo)", date(2023, 10, 4)),
    ("Published 2022-03-01 by the desk", date(2022, 3, 1)),
    ("On 31 February 2024 nothing happened; on 1 March 2024 it did.", date(2024, 3, 1)),
    ("In October 2017 the forces withdrew.", None),
])
def test_find_date(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize("body, expected", [
    ("ERBIL (Kurdistan 24) – Iraqi and Kurdish commanders met.", ("ERBIL", 0, 5, "Kurdistan 24")),
    ("SULAIMANI, Iraq — Rockets struck.", ("SULAIMANI", 0, 9, None)),
    ("Halabja (Rudaw) - A rally was held.", ("Halabja", 0, 7, "Rudaw")),
    ("First paragraph.\n\nKIRKUK (AFP) -- Police said.", ("KIRKUK", 18, 24, "AFP")),
    ("Iraqi forces - and the Peshmerga - met.", None),
    ("A - list of things", None),
])
def test_find_dateline(body, expected):
    assert find_dateline(body) == expected


# --- seeds ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, rid, published, source, dateline", [
    ("2024-05-11-joint-operations-sulaimani.md", "seed-2024-05-11-sulaimani-meeting",
     date(2024, 5, 11), "", None),
    ("2023-10-04-qaratapa-hamrin-sector-visit.md", "seed-2023-10-04-qaratapa-hamrin-visit",
     date(2023, 10, 4), "Kurdistan 24", "ERBIL"),
])
def test_project_seeds(name, rid, published, source, dateline):
    report = read_report_file(settings.SEEDS_DIR / name)[0]
    assert (report.id, report.published, report.source, report.dateline) == (rid, published, source, dateline)
    if dateline:
        assert report.body.startswith("ERBIL (Kurdistan 24) –")


@pytest.mark.parametrize("name, title, published, source, dateline", [
    ("000_c00d33f04c45f02f.txt",
     "Joint Operations Against ISIS Remnants Increased by Kurdish Peshmerga and Iraqi Military",
     date(2024, 5, 11), "", None),
    ("003_2aed93fa6e2c637e.txt",
     "Iraqi, Kurdish commanders hail improved security in disputed territories",
     date(2023, 10, 4), "Kurdistan 24", "ERBIL"),
])
def test_shared_seeds(shared_seeds_dir, name, title, published, source, dateline):
    report = read_report_file(shared_seeds_dir / name)[0]
    assert (report.title, report.published, report.source, report.dateline) == (title, published, source, dateline)


def test_folder_skips_readme_and_reads_in_name_order(shared_seeds_dir):
    ids = [r.id for r in read_reports([shared_seeds_dir])]
    assert ids == ["000_c00d33f04c45f02f", "003_2aed93fa6e2c637e"]


# --- bad input: one fixture each, the exact message ----------------------------------------------

BAD_INPUTS = {
    "unclosed.md": ("---\ntitle: x\nbody never starts\n", "unclosed.md:1: front matter opened with '---' is never closed"),
    "badyaml.md": ("---\ntitle: [unclosed\npublished: 2024-01-01\n---\nText.\n",
                   "badyaml.md:3: bad front matter: expected ',' or ']', but got ':'"),
    "notmap.md": ("---\n- a\n- b\n---\nText.\n", "notmap.md:2: bad front matter: expected 'field: value' lines, got a list"),
    "baddate.md": ("---\ntitle: x\npublished: 2024-13-45\n---\nText.\n",
                   "baddate.md:3: field 'published': '2024-13-45' is not a date (YYYY-MM-DD)"),
    "worddate.md": ("---\npublished: last Tuesday\n---\nText.\n",
                    "worddate.md:2: field 'published': 'last Tuesday' is not a date (YYYY-MM-DD)"),
    "nobody.md": ("---\ntitle: x\n---\n\n\n", "nobody.md:3: no body text after the front matter"),
    "empty.txt": ("\n\n  \n", "empty.txt:1: empty report (no text)"),
    "titleonly.txt": ("Just a headline here\n", "titleonly.txt:1: no body text after the title line"),
    "badfield.md": ("---\ntitle: [a, b]\n---\nText.\n", "badfield.md:2: field 'title': expected text, got list"),
    "bad.json": ('[{"body": "ok"},\n {"body": "x",}]', "bad.json:2: bad JSON: Expecting property name enclosed in double quotes (column 15)"),
    "nobody.json": ('[\n{"title": "no text"}\n]', "nobody.json:2: field 'body': missing or empty (the report text)"),
    "scalar.json": ("42", "scalar.json:1: expected a JSON object (a report), got int"),
    "bad.jsonl": ('{"body": "fine"}\n{"body": \n', "bad.jsonl:2: bad JSON: Expecting value (column 10)"),
    "nobody.csv": ("id,title\n1,x\n", "nobody.csv:1: CSV header has no 'body' (or 'text') column (columns: id, title)"),
    "cells.csv": ("id,body\n1,text,extra\n", "cells.csv:2: 3 cells but the header has 2 columns"),
    "emptybody.csv": ("id,body\n1,\n", "emptybody.csv:2: field 'body': missing or empty (the report text)"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_names_file_and_line(tmp_path, name):
    text, message = BAD_INPUTS[name]
    path = write(tmp_path, name, text)
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert str(err.value) == f"{tmp_path}/{message}"


def test_bad_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title line here ok\nKirkuk\n caf\xe9".encode("latin-1"))
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert str(err.value) == f"{path}:3: not UTF-8 text (byte 0xe9 at offset 30)"


def test_binary_file(tmp_path):
    path = tmp_path / "blob.md"
    path.write_bytes(b"abc\n\x00\x01\x02")
    with pytest.raises(ReportError) as err:
        read_report_file(path)
    assert str(err.value) == f"{path}:2: binary data (NUL byte), not a text report"


def test_missing_file(tmp_path):
    with pytest.raises(ReportError) as err:
        list(read_reports([tmp_path / "nope.md"]))
    assert str(err.value) == f"{tmp_path}/nope.md: no such file or folder"


def test_batch_goes_on_and_counts_failures(tmp_path):
    for name in ("baddate.md", "nobody.json", "cells.csv"):
        write(tmp_path, name, BAD_INPUTS[name][0])
    write(tmp_path, "good.md", FRONT_MATTER)
    write(tmp_path, "mixed.jsonl", '{"id": "ok1", "body": "Clashes in Jalawla."}\nnot json\n'
                                   '{"id": "ok2", "body": "A rally in Halabja."}\n')
    failures: list[str] = []
    ids = [r.id for r in read_reports([tmp_path], failures)]
    assert ids == ["k24-kifri", "ok1", "ok2"]
    assert len(failures) == 4  # files in name order: baddate, cells, good, mixed, nobody
    assert failures[2] == f"{tmp_path}/mixed.jsonl:2: bad JSON: Expecting value (column 1)"
