"""Geoparsing: the seed reports, the corpus of short reports in tests/corpus/, and the rules
(type words, datelines, outlets, adjectives, stop-list, people, disambiguation) one by one."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from geo import settings
from geo.gazetteer import Gazetteer
from geo.events import parse_report
from geo.parse import fold_text, index_for
from geo.reports import Report, parse_report_text, read_report_file

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus" / "corpus.yaml").read_text(encoding="utf-8"))


def make_report(text: str, published: date | None = None, rid: str = "t") -> Report:
    """A report with `text` as its body (datelines found as in a file)."""
    report = parse_report_text(f"---\nid: {rid}\ntitle: test\n---\n{text}\n")
    return Report(**{**report.__dict__, "published": published})


def mentions(gaz, text, published=None):
    result = parse_report(make_report(text, published), gaz)
    return [(m.text, m.place_id, m.role) for m in result.mentions]


def need(gaz, ids):
    missing = sorted({i for i in ids if i is not None and i not in gaz})
    if missing:
        pytest.skip(f"gazetteer has no {', '.join(missing)} yet")


# --- the seed reports --------------------------------------------------------------------------

SEED_2024 = [  # the meeting in Sulaimani, published 11 May 2024
    ("Kurdistan Region", "kurdistan-region", "mention"),
    ("Sulaimani", "sulaimani", "event"),
    ("Kurdistan Region", "kurdistan-region", "mention"),
    ("Hamrin-Qaratapa front", "qaratapa-hamrin-front", "mention"),
    ("Diyala province", "diyala-governorate", "mention"),
    ("Erbil", "erbil", "mention"),
    ("Baghdad", "baghdad", "mention"),
]
SEED_2023 = [  # Kurdistan 24's report of the visit to the Second Qaratapa-Hamrin Sector
    ("ERBIL", "erbil", "dateline"),
    ("Kurdistan Region", "kurdistan-region", "mention"),
    ("Tuz Khurmato Operations Command", "tuz-khurmatu-sleman-bag-operations-command", "mention"),
    ("Tuz Khurmato", "tuz-khurmatu", "mention"),
    ("Second Qaratapa-Hamrin Sector", "second-qaratapa-hamrin-sector", "event"),
    ("Diyala province", "diyala-governorate", "mention"),
    ("Tuz Khurmatu and Sleman Bag Operations Command", "tuz-khurmatu-sleman-bag-operations-command", "mention"),
    ("Tuz Khurmatu", "tuz-khurmatu", "mention"),
    ("Sleman Bag", "sulaiman-bek", "mention"),
    ("Iraq", "iraq", "mention"),
    ("Mosul", "mosul", "mention"),
]


@pytest.mark.parametrize("name, expected", [
    ("2024-05-11-joint-operations-sulaimani.md", SEED_2024),
    ("2023-10-04-qaratapa-hamrin-sector-visit.md",
     SEED_2023 + [("Qaratapa-Hamrin Sector", "second-qaratapa-hamrin-sector", "mention"),
                  ("Garmiyan", "garmiyan", "mention")]),
])
def test_project_seed_mentions(gazetteer, name, expected):
    need(gazetteer, [e[1] for e in expected])
    result = parse_report(read_report_file(settings.SEEDS_DIR / name)[0], gazetteer)
    assert [(m.text, m.place_id, m.role) for m in result.mentions] == expected
    assert result.unresolved == []


@pytest.mark.parametrize("name, expected", [
    ("000_c00d33f04c45f02f.txt", SEED_2024),
    ("003_2aed93fa6e2c637e.txt",
     [("Qaratapa-Hamrin Sector", "second-qaratapa-hamrin-sector", "mention")] * 2
     + SEED_2023 + [("Garmiyan", "garmiyan", "mention")]),
])
def test_shared_seed_mentions(gazetteer, shared_seeds_dir, name, expected):
    """Every place of the original articles found and resolved, none invented ("Top", the
    page's back-to-top link, is no village; "Kurdistan 24" is no place)."""
    need(gazetteer, [e[1] for e in expected])
    report = read_report_file(shared_seeds_dir / name)[0]
    result = parse_report(report, gazetteer)
    assert [(m.text, m.place_id, m.role) for m in result.mentions] == expected
    for m in result.mentions:
        assert report.body[m.start:m.end] == m.text
        assert 0.5 <= m.confidence <= 1.0


# --- the corpus ---------------------------------------------------------------------------------

@pytest.mark.parametrize("item", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus(gazetteer, item):
    need(gazetteer, [e["place"] for e in item["expect"]])
    report = make_report(item["text"], item["published"], item["id"])
    result = parse_report(report, gazetteer)
    got = [(m.text, m.place_id, m.role) for m in result.mentions]
    assert got == [(e["text"], e["place"], e.get("role", "mention")) for e in item["expect"]], item["covers"]
    assert result.unresolved == item.get("unresolved", [])
    if "event_date" in item:
        assert result.drafts and result.drafts[0].event_date == item["event_date"]


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 40
    assert len({c["id"] for c in CORPUS}) == len(CORPUS)


# --- rules on a small gazetteer the test writes ----------------------------------------------------

HEADER = ("id,name,type,lat,lon,governorate,district,governorate_krg,district_krg,population,"
          "name_ar,name_ckb,name_kmr,aliases,source,note\n")
ROWS = """\
penjwen,Penjwen,town,35.62054,45.94908,Sulaimani,Penjwen,,,27116,,,,,t,
kani-sard-sul,Kani Sard,village,35.65,45.90,Sulaimani,Penjwen,,,,,,,,t,near Penjwen
kani-sard-duhok,Kani Sard,village,37.05,43.20,Duhok,Amedi,,,,,,,,t,far north
hamdaniya,Hamdaniya,town,36.27,43.37,Nineveh,Hamdaniya,,,50000,,,,,t,
hamdaniya-basra,Hamdaniya,village,30.50,47.80,Basra,Basra,,,90000,,,,,t,outside the study region
kifri,Kifri,town,34.68963,44.96057,Diyala,Kifri,Sulaimani,Garmiyan,30143,,,,,t,
kifri-district,Kifri,district,34.68963,44.96057,Diyala,,Sulaimani,Garmiyan,,,,,,t,
awa-spi-big,Awa Spi,village,35.0,45.0,Sulaimani,Kalar,,,4000,,,,,t,
awa-spi-small,Awa Spi,village,35.3,45.3,Sulaimani,Kalar,,,200,,,,,t,
top,Top,village,36.1,44.2,Erbil,Erbil,,,,,,,,t,a real GeoNames village
sur,Sur,village,36.2,44.1,Erbil,Erbil,,,,,,,,t,
kurdi,Kurdi,village,36.0,44.0,Erbil,Erbil,,,,,,,,t,a village named like the adjective
erbil,Erbil,city,36.19257,44.01062,Erbil,Erbil,,,932800,أربيل,هەولێر,Hewlêr,Arbil|Hewler,t,
hatra,Hatra,town,35.58,42.72,Nineveh,Hatra,,,,,,,Hadhar|Al-Hadr,t,a town named like a family name
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("gaz") / "places.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return Gazetteer.from_files([path])


@pytest.mark.parametrize("text, expected", [
    # nearness to the report's other places decides between two villages of one name
    ("Shelling hit Kani Sard, a few kilometres from Penjwen.",
     [("Kani Sard", "kani-sard-sul"), ("Penjwen", "penjwen")]),
    # the study region wins over a namesake in Basra, even a more populous one
    ("Families returned to Hamdaniya.", [("Hamdaniya", "hamdaniya")]),
    # the type the text implies
    ("The Kifri district council met.", [("Kifri district", "kifri-district")]),
    ("Shops in Kifri reopened.", [("Kifri", "kifri")]),
    # population when nothing else decides
    ("A clinic opened in Awa Spi.", [("Awa Spi", "awa-spi-big")]),
    # stop-list words: page furniture and sentence words are not villages ...
    ("Top\n\nThe forces met at the top of the hill.", []),
    # ... unless the text makes them so
    ("Gunmen raided the village of Top and Sur village.", [("Top", "top"), ("Sur village", "sur")]),
    # adjectives, outlets, people
    ("Kurdish officials told Kurdistan 24 about Erbil.", [("Erbil", "erbil")]),
    ("General Kani Sard said Hewler was calm.", [("Hewler", "erbil")]),
    ("Saleh Hadhar, who commands the division, flew to Hatra.", [("Hatra", "hatra")]),
    ("Saleh Hadhar, the commander of the division, flew to al-Hadr.", [("al-Hadr", "hatra")]),
    # scripts and spelling
    ("اجتماع في أربيل", [("أربيل", "erbil")]),
    ("کۆبوونەوە لە هەولێر", [("هەولێر", "erbil")]),
    ("ARBIL's markets", [("ARBIL", "erbil")]),
])
def test_rules(small, text, expected):
    assert [(t, i) for t, i, _ in mentions(small, text)] == expected


def test_dateline_place_is_not_the_event_place(small):
    got = mentions(small, "ERBIL (Kurdistan 24) – Shelling hit Kani Sard near Penjwen on Monday.",
                   date(2024, 1, 3))
    assert got == [("ERBIL", "erbil", "dateline"), ("Kani Sard", "kani-sard-sul", "event"),
                   ("Penjwen", "penjwen", "mention")]


def test_unresolved_names_do_not_empty_the_result(small):
    result = parse_report(make_report("Clashes near Zrgwez Bazhar and in Penjwen."), small)
    assert [(m.text, m.place_id) for m in result.mentions] == [("Penjwen", "penjwen")]
    assert result.unresolved == ["Zrgwez Bazhar"]


@pytest.mark.parametrize("text", [
    "Ţūz Khūrmātū", "Sa'adiya and  Jalawla\r\n", "ERBIL (Kurdistan 24) – x", "أربيل وكركوك",
    "Kurdistan Region's forces", "plain ascii text",
])
def test_fold_text_maps_every_offset_back(text):
    squeezed, offsets = fold_text(text)
    assert len(offsets) == len(squeezed) and "  " not in squeezed
    for i, ch in enumerate(squeezed):
        if ch != " ":
            j = int(offsets[i])
            assert text[j].lower() == ch or not text[j].isascii()


def test_automaton_is_built_once_per_gazetteer(small):
    assert index_for(small) is index_for(small)


def test_offsets_hold_on_messy_text(gazetteer):
    """Random mixes of names, scripts, marks, emoji and punctuation: every mention's offsets
    point at its text, and nothing raises."""
    import random

    pieces = ["Kirkuk", "Sulaimani", "in", "near", "Diyala province", "Top", "on Tuesday", "IED",
              "al-Muqdadiyah", "(Kalar)", "Hamrin", "lake", "خانقين", "وجلولاء", "Qaratapa-Hamrin",
              "General", "said on Monday", ",", ".", "😀", "Ţūz", "a\u0301", "ـ", "’s", "\n\n"]
    rng = random.Random(7)
    for i in range(300):
        body = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        result = parse_report(make_report(body, date(2024, 5, 11)), gazetteer)
        body = result.report.body
        for m in result.mentions:
            assert body[m.start:m.end] == m.text


def test_two_gazetteers_do_not_share_their_ranking_caches(tmp_path):
    """Scores cached by place index belong to one gazetteer: rows in another order must not
    inherit them."""
    header = ("id,name,type,lat,lon,governorate,district,governorate_krg,district_krg,population,"
              "name_ar,name_ckb,name_kmr,aliases,source,note\n")
    city = "kirkuk,Kirkuk,city,35.46806,44.39222,Kirkuk,Kirkuk,,,1000000,,,,,t,\n"
    gov = "kirkuk-governorate,Kirkuk,governorate,35.4,44.3,Kirkuk,,,,,,,,,t,\n"
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text(header + city + gov, encoding="utf-8")
    two.write_text(header + gov + city, encoding="utf-8")
    report = Report(id="r", title="", published=None, source="", url=None, dateline=None,
                    body="Shelling hit houses in Kirkuk.", path="<t>")
    for path in (one, two, one):
        assert [m.place_id for m in parse_report(report, Gazetteer.from_files([path])).mentions] == ["kirkuk"]
