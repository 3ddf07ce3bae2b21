"""Reading reports: every input format, the seed reports, and one fixture per bad input with
the exact error the user sees."""
from __future__ import annotations

import io
import json
import sys
from datetime import date

import pytest

from geo import settings
from geo._errors import ReportError
from geo.reports import (FORMATS, find_date, find_dateline, parse_report_text, read_report_file,
                         read_reports, sniff_format)

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
    # agency datelines: a date between the place and the outlet
    ("SINJAR, Iraq, March 4 (Reuters) - Gunmen attacked.", ("SINJAR", 0, 6, "Reuters")),
    ("MOSUL, Iraq (AP) — Police said.", ("MOSUL", 0, 5, "AP")),
    ("KIRKUK, Iraq, Jan 5 (Reuters) - A bomb went off.", ("KIRKUK", 0, 6, "Reuters")),
    ("Kirkuk, 12 May (K24) – Protesters gathered.", ("Kirkuk", 0, 6, "K24")),
    ("KIRKUK, May 5, 2024 (Reuters) - A bomb went off.", ("KIRKUK", 0, 6, "Reuters")),
    ("Sinjar, Iraq, March 4, 2024 (Reuters) - Gunmen attacked.", ("Sinjar", 0, 6, "Reuters")),
    ("Kirkuk, 12 May - a date and a dash, but no outlet.", None),
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
    assert report.warnings == ()  # headline and date both found: nothing guessed


def test_folder_skips_readme_and_reads_in_name_order(shared_seeds_dir):
    ids = [r.id for r in read_reports([shared_seeds_dir])]
    assert ids == ["000_c00d33f04c45f02f", "003_2aed93fa6e2c637e"]


# --- bad input: one fixture each, the exact message ----------------------------------------------

BAD_INPUTS = {
    "unclosed.md": ("---\ntitle: x\nbody never starts\n", "unclosed.md:1: front matter opened with '---' is never closed"),
    "badyaml.md": ("---\ntitle: [unclosed\npublished: 2024-01-01\n---\nText.\n",
                   "badyaml.md:2: bad front matter: in the list opened with '[' on line 2: "
                   "expected ',' or ']', but got ':' on line 3"),
    # the line of the opening quote, not the end of the front matter where YAML gave up
    "01_badfm.md": ('---\ntitle: "unclosed\npublished: 2024-01-01\n---\nbody\n',
                    "01_badfm.md:2: bad front matter: unclosed quote opened on line 2"),
    "badquote.md": ("---\nid: x\nsource: 'Rudaw\n---\nbody\n",
                    "badquote.md:3: bad front matter: unclosed quote opened on line 3"),
    "badkey.md": ("---\ntitle: x\njust words\n---\nText.\n",
                  "badkey.md:3: bad front matter: expected a 'field: value' line (could not find expected ':')"),
    "notmap.md": ("---\n- a\n- b\n---\nText.\n", "notmap.md:2: bad front matter: expected 'field: value' lines, got a list"),
    "baddate.md": ("---\ntitle: x\npublished: 2024-13-45\n---\nText.\n",
                   "baddate.md:3: field 'published': '2024-13-45' is not a date (YYYY-MM-DD)"),
    "worddate.md": ("---\npublished: last Tuesday\n---\nText.\n",
                    "worddate.md:2: field 'published': 'last Tuesday' is not a date (YYYY-MM-DD)"),
    "nobody.md": ("---\ntitle: x\n---\n\n\n", "nobody.md:3: no body text after the front matter"),
    "empty.txt": ("\n\n  \n", "empty.txt:1: empty report (no text)"),
    "badfield.md": ("---\ntitle: [a, b]\n---\nText.\n", "badfield.md:2: field 'title': expected text, got list"),
    "bad.json": ('[{"body": "ok"},\n {"body": "x",}]', "bad.json:2: bad JSON: Expecting property name enclosed in double quotes (column 15)"),
    "nobody.json": ('[\n{"title": "no text"}\n]', "nobody.json:2: field 'body': missing or empty (the report text)"),
    "scalar.json": ("42", "scalar.json:1: expected a JSON object (a report), got int"),
    "bad.jsonl": ('{"body": "fine"}\n{"body": \n', "bad.jsonl:2: bad JSON: Expecting value (column 10)"),
    "nobody.csv": ("id,title\n1,x\n", "nobody.csv:1: CSV header has no 'body' (or 'text') column (columns: id, title)"),
    "cells.csv": ("id,body\n1,text,extra\n", "cells.csv:2: 3 cells but the header has 2 columns"),
    "emptybody.csv": ("id,body\n1,\n", "emptybody.csv:2: field 'body': missing or empty (the report text)"),
    # a quote left open swallowed the rest of the file as one cell
    "unclosed.csv": ('id,published,body\nr1,2024-01-01,"fine"\nr4,2024-01-01,"unterminated\nmore text\n',
                     "unclosed.csv:3: bad CSV: unclosed quote opened on line 3 (the cell runs to the end of the file)"),
    "unclosed2.csv": ('id,title,body\nr1,"two\nlines","open\nand on\n',
                      "unclosed2.csv:3: bad CSV: unclosed quote opened on line 3 (the cell runs to the end of the file)"),
    "afterquote.csv": ('id,body\n1,"quoted"tail\n', "afterquote.csv:2: bad CSV: ',' expected after '\"'"),
    # nothing to read is said, not silently skipped
    "header.csv": ("id,title,body\n", "header.csv: no reports (header only)"),
    "blankrows.csv": ("id,title,body\n\n,,\n", "blankrows.csv: no reports (header only)"),
    "emptylist.json": ("[ ]\n", "emptylist.json: no reports (empty list)"),
    "empty.json": ("  \n", "empty.json: no reports (empty file)"),
    "empty.jsonl": ("\n\n", "empty.jsonl: no reports (empty file)"),
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


def test_unclosed_csv_quote_keeps_the_rows_before_it(tmp_path):
    write(tmp_path, "unclosed.csv", BAD_INPUTS["unclosed.csv"][0])
    failures: list[str] = []
    assert [r.id for r in read_reports([tmp_path / "unclosed.csv"], failures)] == ["r1"]
    assert failures == [f"{tmp_path}/{BAD_INPUTS['unclosed.csv'][1]}"]


# --- plain text without a headline ----------------------------------------------------------------

NO_HEADLINE = ("KIRKUK, Iraq — An IED exploded near Daquq on Monday, killing two soldiers.\n\n"
               "Police opened an investigation.\n")


def test_first_paragraph_is_not_taken_for_the_headline(tmp_path):
    report = read_report_file(write(tmp_path, "ied.txt", NO_HEADLINE))[0]
    assert report.title == "An IED exploded near Daquq on Monday, killing two soldiers"
    assert report.body == NO_HEADLINE.rstrip()  # the first paragraph stays in the body
    assert (report.body_line, report.dateline, report.dateline_span) == (1, "KIRKUK", (0, 6))
    assert report.warnings == ("no headline line; title taken from the first sentence",
                               "no published date in the text: relative dates stay unresolved")
    assert report.line_of(report.body.index("Police")) == 3


def test_no_headline_report_still_yields_its_places(tmp_path):
    from geo.events import parse_report

    report = read_report_file(write(tmp_path, "ied.txt", NO_HEADLINE))[0]
    roles = {m.text: m.role for m in parse_report(report).mentions}
    assert roles.get("KIRKUK") == "dateline" and "Daquq" in roles


LONG_FIRST = ("Maj. Gen. Saleh Hadhar of the U.S.-backed 8th Division said on Monday that the Iraqi "
              "army and the Kurdish Peshmerga would step up joint operations in the Hamrin mountains. "
              "Police opened an investigation.\n\nA second paragraph.\n")


def test_long_first_sentence_is_shortened_for_the_title(tmp_path):
    report = read_report_file(write(tmp_path, "long.txt", "logo\nShare\n\n" + LONG_FIRST))[0]
    assert report.title == ("Maj. Gen. Saleh Hadhar of the U.S.-backed 8th Division said on Monday that "
                            "the Iraqi army and the…")
    assert len(report.title) <= 101
    assert report.body.startswith("Maj. Gen. Saleh Hadhar") and report.body_line == 4
    assert report.warnings[0] == "no headline line; title taken from the first sentence"


@pytest.mark.parametrize("furniture", [
    "Posted 3 days ago", "2 hours ago", "Updated: 10:30 GMT", "Published on May 5, 2024 by Admin",
    "By Harem Jaff", "By John Smith and Jane Doe, Reuters", "Reporting by Ahmed Rasheed; Editing by Alex Richardson",
    "Share this article", "Share", "logo", "Saturday, 11 May 2024 | 10:30 AM GMT", "Listen to this article",
])
def test_page_furniture_is_not_the_title(tmp_path, furniture):
    text = f"{furniture}\n\nRockets hit a base near Kirkuk\n\nTwo rockets struck the base on Friday.\n"
    report = read_report_file(write(tmp_path, "f.txt", text))[0]
    assert report.title == "Rockets hit a base near Kirkuk"
    assert report.body == "Two rockets struck the base on Friday."
    assert "no headline line; title taken from the first sentence" not in report.warnings


@pytest.mark.parametrize("headline", [
    "Updated death toll rises to 12 in Kirkuk attack",
    "Share prices fall in Erbil after the border closure",
    "By the numbers: attacks in Kirkuk in 2023",
    "KIRKUK – A city divided",  # a dash after capitals, but no sentence: still a headline
    # long, but a question and no full stop: a headline
    "Why do ISIS cells still find shelter in the Hamrin mountains between Diyala, Kirkuk and "
    "Salahaddin after all these years of operations?",
])
def test_headlines_that_look_like_furniture_stay_titles(tmp_path, headline):
    report = read_report_file(write(tmp_path, "h.txt", f"{headline}\n\nThe body of the story.\n"))[0]
    assert report.title == headline and report.body == "The body of the story."


def test_single_paragraph_text_is_all_body():
    report = parse_report_text("SULAIMANI, Iraq — Rockets struck a base on Friday. Nobody was hurt.",
                               path="one.txt")
    assert report.title == "Rockets struck a base on Friday"
    assert report.body.startswith("SULAIMANI") and report.dateline == "SULAIMANI"


def test_record_without_title_takes_its_first_sentence(tmp_path):
    body = ("KIRKUK, Iraq, Jan 5 (Reuters) - A roadside bomb killed two soldiers near Daquq on Sunday, "
            "police said. A second bomb was defused.")
    report = read_report_file(write(tmp_path, "r.json", json.dumps({"id": "r", "body": body})))[0]
    assert report.title == "A roadside bomb killed two soldiers near Daquq on Sunday, police said"
    assert (report.source, report.dateline, report.published) == ("Reuters", "KIRKUK", None)
    assert report.warnings == ("no published date: relative dates stay unresolved",
                               "no title field; title taken from the first sentence")


def test_dateline_with_a_full_date_dates_an_undated_report(tmp_path):
    body = "SINJAR, Iraq, March 4, 2024 (Reuters) - Gunmen attacked a checkpoint on Sunday."
    report = read_report_file(write(tmp_path, "r.json", json.dumps({"title": "T", "body": body})))[0]
    assert (report.published, report.source, report.dateline) == (date(2024, 3, 4), "Reuters", "SINJAR")
    assert report.warnings == ("published date taken from the dateline",)
    # a stated published date wins over the dateline's
    given = read_report_file(write(tmp_path, "g.json", json.dumps(
        {"title": "T", "published": "2024-03-05", "body": body})))[0]
    assert (given.published, given.warnings) == (date(2024, 3, 5), ())


def test_warnings_are_in_to_dict(tmp_path):
    report = read_report_file(write(tmp_path, "ied.txt", NO_HEADLINE))[0]
    assert report.to_dict()["warnings"] == list(report.warnings)
    assert read_report_file(write(tmp_path, "k.md", FRONT_MATTER))[0].to_dict()["warnings"] == []


# --- standard input: sniffed, or the format forced -----------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (FRONT_MATTER, "text"),
    (PLAIN, "text"),
    (NO_HEADLINE, "text"),
    (json.dumps(JSON_ONE, indent=2), "json"),
    (json.dumps(JSON_LIST), "json"),
    ("\n".join(json.dumps(r) for r in JSON_LIST) + "\n", "jsonl"),
    ('{"body": "fine"}\n{"body": \n', "jsonl"),     # a bad line fails alone
    ('{\n  "body": "x",\n}', "json"),               # one object with an error: JSON says where
    (CSV_TEXT, "csv"),
    ("ID, Text\n1, Clashes in Jalawla.\n", "csv"),
    ("id,title\n1,x\n", "text"),                    # no body column: not a report CSV
    ("Text, body and soul: a headline\n\nThe story.\n", "text"),
])
def test_sniff_format(text, expected):
    assert sniff_format(text) == expected


def stdin(monkeypatch, text):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_csv_on_stdin(monkeypatch):
    stdin(monkeypatch, CSV_TEXT)
    reports = list(read_reports("-"))
    assert [(r.id, r.path, r.body_line) for r in reports] == [("c1", "<stdin>", 2), ("c2", "<stdin>", 3)]


@pytest.mark.parametrize("text, fmt, ids", [
    (CSV_TEXT, "csv", ["c1", "c2"]),
    (CSV_TEXT, "txt", ["stdin"]),                                  # forced: one plain-text report
    ("\n".join(json.dumps(r) for r in JSON_LIST), "jsonl", ["a", "stdin-2"]),
    (json.dumps(JSON_ONE), "JSON", ["j1"]),
    (FRONT_MATTER, "md", ["k24-kifri"]),
])
def test_forced_format_on_stdin(monkeypatch, text, fmt, ids):
    stdin(monkeypatch, text)
    assert [r.id for r in read_reports(["-"], fmt=fmt)] == ids


def test_forced_format_on_a_file_and_unknown_suffix_sniffed(tmp_path):
    path = write(tmp_path, "export.dat", CSV_TEXT)
    assert [r.id for r in read_report_file(path)] == ["c1", "c2"]  # unknown suffix: sniffed
    txt = write(tmp_path, "rows.txt", CSV_TEXT)
    assert [r.id for r in read_report_file(txt, fmt="csv")] == ["c1", "c2"]


def test_unknown_format_is_refused_before_reading():
    assert FORMATS == ("auto", "md", "txt", "json", "jsonl", "csv", "html", "pdf")
    with pytest.raises(ReportError) as err:
        read_reports(["-"], fmt="xml")
    assert str(err.value) == "unknown report format 'xml' (one of: auto, md, txt, json, jsonl, csv, html, pdf)"


def test_a_one_line_report_is_its_own_title_and_body(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("ISIS militants attacked a Peshmerga post near Daquq on Monday, killing two.\n",
                    encoding="utf-8")
    [report] = read_reports([path])
    assert report.body == "ISIS militants attacked a Peshmerga post near Daquq on Monday, killing two."
    assert report.title == "ISIS militants attacked a Peshmerga post near Daquq on Monday, killing two"
    assert "one line only: it is both the title and the body" in report.warnings


# --- the agency's slug names the outlet -----------------------------------------------------------
# "Shafaq News/ ..." opening the story: its outlet (from data/geoparse.yaml's outlets, the list
# that keeps "Kurdistan 24" from being a place) is the source when none is given; it is never a
# place mention, a dateline or an actor.

@pytest.mark.parametrize("name, text, title, source", [
    ("slash.txt", "Two soldiers killed near Kirkuk\n\n2024-03-09\n\nShafaq News/ An IED exploded near "
     "Kirkuk on Monday, killing two soldiers.\n", "Two soldiers killed near Kirkuk", "Shafaq News"),
    ("dash.txt", "Shafaq News – Security forces defused three explosive devices planted by ISIS in "
     "Kirkuk on Monday.\n",
     "Security forces defused three explosive devices planted by ISIS in Kirkuk on Monday", "Shafaq News"),
    ("agency.txt", "Shafaq News Agency/ Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024.\n",
     "Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024", "Shafaq News Agency"),
    ("caps.txt", "INA - Security forces arrested an ISIS suspect in Kirkuk on Monday, 9 March 2024.\n",
     "Security forces arrested an ISIS suspect in Kirkuk on Monday, 9 March 2024", "INA"),
    ("k24.txt", "Kurdistan 24/ Peshmerga forces clashed with ISIS near Makhmour on Monday.\n",
     "Peshmerga forces clashed with ISIS near Makhmour on Monday", "Kurdistan 24"),
    # the outlet as the list spells it, however the slug writes it
    ("upper.txt", "SHAFAQ NEWS/ Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024.\n",
     "Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024", "Shafaq News"),
    ("lower.txt", "shafaq news - Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024.\n",
     "Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024", "Shafaq News"),
    ("spaced.txt", "Shafaq  NEWS – Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024.\n",
     "Gunmen attacked a checkpoint in Hawija on Monday, 9 March 2024", "Shafaq News"),
    # a source given wins over the slug
    ("given.md", "---\ntitle: T\nsource: Rudaw\n---\nShafaq News/ Clashes in Kirkuk on Monday.\n", "T", "Rudaw"),
    # a dateline's outlet comes first
    ("dateline.txt", "Headline of the story here\n\nERBIL (Kurdistan 24) – Shafaq News/ said on Monday.\n",
     "Headline of the story here", "Kurdistan 24"),
    # not a slug: a name that is no outlet, an outlet inside the sentence, no slash or dash
    ("other.txt", "Kirkuk Police/ Gunmen attacked a checkpoint in Hawija on Monday.\n", None, ""),
    ("inside.txt", "Headline of the story here\n\nGunmen attacked Hawija, Shafaq News/ reported.\n",
     "Headline of the story here", ""),
    ("nodash.txt", "Headline of the story here\n\nShafaq News reported clashes in Hawija.\n",
     "Headline of the story here", ""),
])
def test_outlet_slug_is_the_source(tmp_path, name, text, title, source):
    from geo.events import parse_report

    report = read_report_file(write(tmp_path, name, text))[0]
    assert report.source == source
    if title is not None:
        assert report.title == title
    assert report.dateline in (None, "ERBIL")
    if source and report.body.startswith(source):  # the slug itself: no place in it
        assert not any(m.start < len(source) for m in parse_report(report).mentions)


def test_outlet_slug_is_no_actor_and_no_place():
    from geo.events import events_from_reports

    report = parse_report_text("Shafaq News/ Explosive devices planted by IS were defused by security "
                               "forces in Kirkuk on Monday, 9 March 2024.", path="s.txt")
    events = events_from_reports([report]).events
    assert [(e["source"], e["actor1"], e["actor2"], e["place_id"], e["evidence_place"])
            for e in events.to_dict(orient="records")] == \
        [("Shafaq News", "Military Forces of Iraq", "Islamic State (Iraq)", "kirkuk", "Kirkuk")]


@pytest.mark.parametrize("body, expected", [
    ("Shafaq News/ Security forces arrested a suspect.", ("Shafaq News", 0, 11)),
    ("2024-03-09\nShafaq News – Security forces arrested a suspect.", ("Shafaq News", 11, 22)),
    ("  AFP — Rockets struck a base.", ("AFP", 2, 5)),
    ("Security forces arrested a suspect, Shafaq News/ reported.", None),
    ("Al-Monitor-style coverage of the talks.", None),  # a hyphen with no space is no slug
])
def test_find_outlet_prefix(body, expected):
    from geo.reports import find_outlet_prefix

    assert find_outlet_prefix(body) == expected
    if body.lstrip().startswith("AFP"):
        assert find_dateline(body) is None  # an outlet in capitals is not a dateline's place
