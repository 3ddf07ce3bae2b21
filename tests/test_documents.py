"""Saved web pages and PDF reports as input: the article's text and metadata, and the errors."""
from __future__ import annotations

import subprocess
import sys

import pytest

from document_helpers import (EMPTY_PAGE, OPEN_GRAPH_PAGE, SITREP_PAGES, WIRE_PAGE,
                              encrypted_pdf, pdf_bytes)
from geo.reports import read_report_file, read_reports, sniff_format


def _one(path):
    reports = read_report_file(path)
    assert len(reports) == 1
    return reports[0]


@pytest.fixture
def wire(tmp_path):
    path = tmp_path / "wire.html"
    path.write_text(WIRE_PAGE, encoding="utf-8")
    return path


def test_page_metadata_from_json_ld_and_open_graph(wire):
    r = _one(wire)
    assert r.title == "Roadside bomb hits army patrol near Daquq"
    assert r.published.isoformat() == "2024-03-09"
    assert r.source == "Example Wire"
    assert r.author == "Sara Example"
    assert r.url == "https://wire.example/world/daquq-patrol-bomb"
    assert r.dateline == "KIRKUK"
    assert not any(w.startswith("no published date") for w in r.warnings)


@pytest.mark.parametrize("furniture", [
    "Mourners at a funeral in Erbil",          # a <figcaption>
    "A checkpoint outside Tuz Khurmatu",       # a caption paragraph (wp-caption-text)
    "Drone strike reported in Sinjar",         # a related-articles list
    "what about Basra",                        # comments
    "uses cookies",                            # a cookie banner
    "All rights reserved",                     # the footer
    "By Sara Example",                         # the byline line
    "Sport",                                   # navigation
])
def test_page_furniture_stays_out_of_the_body(wire, furniture):
    assert furniture not in _one(wire).body


def test_page_body_keeps_the_story_paragraphs(wire):
    body = _one(wire).body
    assert body.startswith("KIRKUK, Iraq (Example Wire) — A roadside bomb struck")
    assert "\n\nThe device went off" in body  # paragraphs stay paragraphs


def test_caption_place_makes_no_event(wire):
    from geo.events import events_from_inputs

    result = events_from_inputs([wire])
    locations = result.events["location"].tolist()
    assert locations and locations[0] == "Daquq"
    assert "Erbil" not in locations and "Tuz Khurmatu" not in locations


def test_open_graph_only_page(tmp_path):
    path = tmp_path / "og.htm"
    path.write_text(OPEN_GRAPH_PAGE, encoding="utf-8")
    r = _one(path)
    assert (r.title, r.published.isoformat(), r.source) == (
        "Turkish drone strike reported in Sidakan", "2023-08-14", "Example Kurdish News")
    assert r.url == "https://kurd.example/en/news/sidakan-strike"
    assert "Read more" not in r.body


def test_page_in_a_legacy_arabic_encoding(tmp_path):
    text = "انفجار عبوة ناسفة قرب قضاء داقوق جنوب كركوك يوم الجمعة، بحسب مصدر أمني."
    page = ('<html><head><meta charset="windows-1256"><title>خبر</title></head><body><article>'
            f'<p>{text}</p></article></body></html>').encode("cp1256")
    path = tmp_path / "ar.html"
    path.write_bytes(page)
    assert text in _one(path).body


def test_page_without_metadata_falls_back_to_the_text_rules(tmp_path):
    page = ("<html><body><article><h1>Clashes reported in Sinjar district</h1>"
            "<p>Saturday, 11 May 2024</p>"
            "<p>Clashes broke out between two armed groups in Sinjar district on Friday, "
            "residents said, and several houses were damaged.</p>"
            "<p>Local officials called for calm and said talks were under way.</p>"
            "</article></body></html>")
    path = tmp_path / "bare.html"
    path.write_text(page, encoding="utf-8")
    r = _one(path)
    assert r.published.isoformat() == "2024-05-11"
    assert "published date taken from its text" in "; ".join(r.warnings)


def test_html_on_stdin_is_sniffed():
    assert sniff_format(WIRE_PAGE) == "html"
    assert sniff_format("<p>one</p>\n<body>two</body>") == "html"
    assert sniff_format("A report that mentions <b> once.") == "text"
    run = subprocess.run([sys.executable, "-m", "geo.cli", "parse", "-"], input=WIRE_PAGE,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Roadside bomb hits army patrol near Daquq" in run.stdout
    assert "'Daquq' -> Daquq" in run.stdout


def test_page_with_no_article_is_one_error_and_the_rest_goes_through(tmp_path, wire):
    empty = tmp_path / "empty.html"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    failures: list[str] = []
    reports = list(read_reports([empty, wire], failures=failures))
    assert [r.id for r in reports] == ["wire"]
    assert failures == [f"{empty}: no article text in the page (navigation or scripts only?)"]


# --- PDF ---------------------------------------------------------------------------------------

def test_pdf_text_title_and_date(tmp_path):
    path = tmp_path / "sitrep.pdf"
    path.write_bytes(pdf_bytes(SITREP_PAGES, title="Northern Iraq situation report 12",
                               created="D:20240510083000Z"))
    r = _one(path)
    assert r.title == "Northern Iraq situation report 12"
    assert r.published.isoformat() == "2024-05-10"
    assert "exploded near Sinjar" in r.body
    assert "\n\nDisplacement" in r.body  # pages are separated as paragraphs
    from geo.events import events_from_inputs

    events = events_from_inputs([path]).events
    assert events["location"].iloc[0] == "Sinjar" and events["event_date"].iloc[0] == "2024-05-08"


def test_pdf_without_metadata_takes_title_and_date_from_its_first_page(tmp_path):
    path = tmp_path / "plain.pdf"
    path.write_bytes(pdf_bytes(SITREP_PAGES))
    r = _one(path)
    assert r.title == "Situation Report No. 12"
    assert r.published.isoformat() == "2024-05-10"


def test_pdf_found_by_its_bytes_whatever_its_suffix(tmp_path):
    path = tmp_path / "download.bin"
    path.write_bytes(pdf_bytes(SITREP_PAGES))
    assert "exploded near Sinjar" in _one(path).body


@pytest.mark.parametrize("make, message", [
    (lambda: pdf_bytes([[], []]),
     "no text layer (a scanned PDF?); geo does no OCR: run OCR first (e.g. ocrmypdf) or save the text"),
    (lambda: encrypted_pdf(pdf_bytes(SITREP_PAGES)),
     "password-protected PDF: save an unprotected copy to read it"),
    (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog", None),
])
def test_bad_pdf_is_one_line_and_the_rest_goes_through(tmp_path, wire, make, message):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(make())
    failures: list[str] = []
    reports = list(read_reports([bad, wire], failures=failures))
    assert [r.id for r in reports] == ["wire"]
    assert len(failures) == 1 and failures[0].startswith(f"{bad}: ")
    assert "\n" not in failures[0]
    if message:
        assert failures[0] == f"{bad}: {message}"
    else:
        assert failures[0].startswith(f"{bad}: broken PDF (") or "no text layer" in failures[0]


def test_an_empty_password_pdf_opens(tmp_path):
    path = tmp_path / "locked-for-editing.pdf"
    path.write_bytes(encrypted_pdf(pdf_bytes(SITREP_PAGES), password=""))
    assert "exploded near Sinjar" in _one(path).body


def test_cli_events_from_html_and_pdf(tmp_path, wire):
    pdf = tmp_path / "sitrep.pdf"
    pdf.write_bytes(pdf_bytes(SITREP_PAGES))
    run = subprocess.run([sys.executable, "-m", "geo.cli", "events", str(tmp_path), "-o",
                          str(tmp_path / "events.geojson")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "from 2 report(s)" in run.stderr + run.stdout
