"""The resolver on the built-in gazetteer: real names, real spellings, every script.

Each row: a query as reports and analysts write it, and the id of the place it must resolve
to first. `match` is checked where the row names one.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

CASES = [
    # Sulaimani, city and governorate, in its many spellings and scripts
    ("Sulaimani", "sulaimani"), ("Sulaymaniyah", "sulaimani"), ("Slemani", "sulaimani"),
    ("Suleimaniyah", "sulaimani"), ("Sulaimaniya", "sulaimani"), ("Al-Sulaymaniyah", "sulaimani"),
    ("As Sulaymaniyah", "sulaimani"), ("السليمانية", "sulaimani"), ("سلێمانی", "sulaimani"),
    ("Silêmanî", "sulaimani"), ("SULAIMANI", "sulaimani"), ("Sulaimanya", "sulaimani"),
    ("Sulaimani province", "sulaimani-governorate"), ("Sulaymaniyah governorate", "sulaimani-governorate"),
    # Erbil
    ("Erbil", "erbil"), ("Arbil", "erbil"), ("Irbil", "erbil"), ("Hewler", "erbil"), ("Hawler", "erbil"),
    ("Hewlêr", "erbil"), ("أربيل", "erbil"), ("اربيل", "erbil"), ("هەولێر", "erbil"),
    ("Erbil governorate", "erbil-governorate"),
    # Tuz Khurmatu
    ("Tuz Khurmatu", "tuz-khurmatu"), ("Tuz Khurmato", "tuz-khurmatu"), ("Tuz Khormatu", "tuz-khurmatu"),
    ("Touz", "tuz-khurmatu"), ("Ţūz Khūrmātū", "tuz-khurmatu"), ("Tuz-Khurmatu", "tuz-khurmatu"),
    ("Tooz Khurmato", "tuz-khurmatu"), ("Tuz Khormato", "tuz-khurmatu"), ("Khurmato", "tuz-khurmatu"),
    ("طوز خورماتو", "tuz-khurmatu"), ("Tuz Khurmatu district", "tuz-khurmatu-district"),
    # Qara Tapa
    ("Qara Tapa", "qara-tapa"), ("Qaratapa", "qara-tapa"), ("Qara-Tapa", "qara-tapa"),
    ("Qara Tepe", "qara-tapa"), ("Qarah Tappah", "qara-tapa"), ("Qarat Tabbah", "qara-tapa"),
    ("قرة تبة", "qara-tapa"),
    # Sulaiman Bek
    ("Sleman Bag", "sulaiman-bek"), ("Sulaiman Bek", "sulaiman-bek"), ("Sulayman Bak", "sulaiman-bek"),
    ("Suleiman Beg", "sulaiman-bek"),
    # Kirkuk
    ("Kirkuk", "kirkuk"), ("Kerkuk", "kirkuk"), ("Karkuk", "kirkuk"), ("كركوك", "kirkuk"),
    ("کەرکووک", "kirkuk"), ("Kirkuk city", "kirkuk"), ("Kirkuk province", "kirkuk-governorate"),
    ("Kirkuk governorate", "kirkuk-governorate"), ("Kirkuk district", "kirkuk-district"),
    # Diyala, Kifri, Khanaqin, Jalawla, Saadiya and the Qaratapa-Hamrin area
    ("Diyala", "diyala-governorate"), ("Diyala province", "diyala-governorate"),
    ("Diyala governorate", "diyala-governorate"), ("محافظة ديالى", "diyala-governorate"),
    ("Diyālá", "diyala-governorate"),
    ("Kifri", "kifri"), ("كفري", "kifri"), ("Kifri district", "kifri-district"),
    ("Khanaqin", "khanaqin"), ("Khanaqeen", "khanaqin"), ("خانقين", "khanaqin"),
    ("Khanaqin district", "khanaqin-district"),
    ("Jalawla", "jalawla"), ("Jalula", "jalawla"), ("Jalawlā’", "jalawla"), ("جلولاء", "jalawla"),
    ("Saadiya", "saadiya"), ("Sa'adiya", "saadiya"), ("Saʿdiya", "saadiya"), ("Al-Saadiya", "saadiya"),
    ("Baqubah", "baqubah"), ("Baquba", "baqubah"), ("Ba'qubah", "baqubah"), ("بعقوبة", "baqubah"),
    ("Muqdadiya", "muqdadiya"), ("Muqdadiyah", "muqdadiya"), ("Baladruz", "baladruz"),
    ("Mandali", "mandali"), ("Khalis", "khalis"), ("Kalar", "kalar"), ("Kalar district", "kalar-district"),
    # Salahaddin
    ("Amerli", "amerli"), ("Amirli", "amerli"), ("Tikrit", "tikrit"), ("Baiji", "baiji"),
    ("Bayji", "baiji"), ("Samarra", "samarra"), ("Shirqat", "shirqat"), ("Ash Sharqat", "shirqat"),
    ("Salahaddin", "salahaddin-governorate"), ("Salah ad Din", "salahaddin-governorate"),
    ("Salah al-Din province", "salahaddin-governorate"), ("Saladin province", "salahaddin-governorate"),
    # Kirkuk governorate towns
    ("Daquq", "daquq"), ("Dibis", "dibis"), ("Hawija", "hawija"), ("Al-Hawija", "hawija"),
    ("Hawijah", "hawija"), ("Yangija", "yangija"), ("Altun Kupri", "altun-kupri"),
    ("Hawija district", "hawija-district"), ("Daquq district", "daquq-district"),
    # Nineveh, Duhok, Erbil
    ("Mosul", "mosul"), ("Al-Mawsil", "mosul"), ("الموصل", "mosul"), ("Sinjar", "sinjar"),
    ("Shingal", "sinjar"), ("Shengal", "sinjar"), ("Sinjar district", "sinjar-district"),
    ("Tel Afar", "tel-afar"), ("Tal Afar", "tel-afar"), ("Tall Afar", "tel-afar"),
    ("Makhmour", "makhmour"), ("Makhmur", "makhmour"), ("Makhmour district", "makhmour-district"),
    ("Duhok", "duhok"), ("Dohuk", "duhok"), ("Dahuk", "duhok"), ("Zakho", "zakho"), ("Zaxo", "zakho"),
    ("Akre", "akre"), ("Aqrah", "akre"), ("Bashiqa", "bashiqa"), ("Qaraqosh", "qaraqosh"),
    ("Bakhdida", "qaraqosh"), ("Koya", "koya"), ("Koysinjaq", "koya"),
    ("Nineveh", "nineveh-governorate"), ("Ninawa", "nineveh-governorate"), ("Ninewa province", "nineveh-governorate"),
    ("Duhok province", "duhok-governorate"),
    # the rest of Iraq
    ("Baghdad", "baghdad"), ("بغداد", "baghdad"), ("Basra", "basra"), ("Basrah", "basra"),
    ("Najaf", "najaf"), ("An Najaf", "najaf"), ("Karbala", "karbala"), ("Kerbala", "karbala"),
    ("Ramadi", "ramadi"), ("Ar Ramadi", "ramadi"), ("Fallujah", "fallujah"), ("Falluja", "fallujah"),
    ("Anbar", "anbar-governorate"), ("Al Anbar province", "anbar-governorate"),
    ("Halabja", "halabja"), ("Halabja governorate", "halabja-governorate"),
    ("Dhi Qar", "dhi-qar-governorate"), ("Thi Qar", "dhi-qar-governorate"), ("Wasit", "wasit-governorate"),
    ("Maysan", "maysan-governorate"), ("Babil", "babil-governorate"), ("Muthanna", "muthanna-governorate"),
    ("Qadisiyah", "qadisiyah-governorate"),
    # features, sectors, fronts, command areas, regions
    ("Hamrin mountains", "hamrin-mountains"), ("Jabal Hamrin", "hamrin-mountains"),
    ("the Hamrin mountains", "hamrin-mountains"), ("Hamrin lake", "hamrin-lake"), ("Hamrin dam", "hamrin-dam"),
    ("Qarachogh", "qarachogh"), ("Qara Chogh", "qarachogh"), ("Mount Sinjar", "mount-sinjar"),
    ("Sinjar mountains", "mount-sinjar"), ("Jabal Sinjar", "mount-sinjar"),
    ("Great Zab", "great-zab"), ("Little Zab", "little-zab"), ("Lesser Zab", "little-zab"),
    ("Diyala river", "diyala-river"), ("Sirwan river", "diyala-river"),
    ("Mutaibija", "mutaibija"), ("Wadi al-Shay", "wadi-al-shay"), ("Garmiyan", "garmiyan"),
    ("Qaratapa-Hamrin front", "qaratapa-hamrin-front"), ("Hamrin-Qaratapa front", "qaratapa-hamrin-front"),
    ("Second Qaratapa-Hamrin Sector", "second-qaratapa-hamrin-sector"),
    ("Tuz Khurmatu and Sleman Bag Operations Command", "tuz-khurmatu-sleman-bag-operations-command"),
    ("Tuz Khurmato Operations Command", "tuz-khurmatu-sleman-bag-operations-command"),
    ("Kurdistan Region", "kurdistan-region"), ("Iraq", "iraq"),
]


@pytest.mark.parametrize("query, expected", CASES, ids=[q for q, _ in CASES])
def test_resolves_to_the_right_place(gazetteer, query, expected):
    got = gazetteer.resolve(query)
    assert got, f"{query!r} resolved to nothing"
    assert got[0].place.id == expected, [(c.place.id, c.match, round(c.score, 3)) for c in got]


def test_at_least_150_cases():
    assert len(CASES) >= 150


@pytest.mark.parametrize("query", ["Atlantis", "Peshmerga", "Kurdish", "Iraqi", "Top", "Tal", "Sur",
                                   "Joint Operations Command", "Kurdistan 24", "Mardan Chawshin"])
def test_words_that_are_not_places_resolve_to_nothing(gazetteer, query):
    assert gazetteer.resolve(query) == []


def test_exact_beats_fuzzy_and_fuzzy_scores_fall(gazetteer):
    exact = gazetteer.resolve("Tuz Khurmatu")[0]
    typo1 = gazetteer.resolve("Tuz Khormatu")[0]
    typo2 = gazetteer.resolve("Tuz Khormat")[0]
    assert exact.score == 1.0 and exact.match == "exact"
    assert typo1.place.id == typo2.place.id == "tuz-khurmatu"
    assert exact.score > typo1.score >= typo2.score


def run_geo(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True, input=stdin)


def test_cli_json_fields():
    proc = run_geo("resolve", "Kifri", "--json", "--limit", "2")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) <= 2
    first = rows[0]
    for key in ("id", "name", "type", "lat", "lon", "governorate", "district", "score", "match"):
        assert key in first
    assert (first["id"], first["governorate"], first["governorate_krg"]) == ("kifri", "Diyala", "Sulaimani")
    assert 0 <= first["score"] <= 1


def test_cli_text_shows_both_attributions():
    proc = run_geo("resolve", "Kifri")
    assert b"Diyala / Kifri (KRG: Sulaimani / Garmiyan)" in proc.stdout


def test_cli_no_match_exits_1_with_message():
    proc = run_geo("resolve", "Atlantis")
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert b"geo: no place matches 'Atlantis'" in proc.stderr


@pytest.mark.parametrize("args, stdin, message", [
    (("resolve", ""), None, b"geo: error: the name is empty"),
    (("resolve", "x" * 500), None, b"geo: error: the name is 500 characters long; the limit is 200"),
    (("resolve", "-"), b"\xff\xfe\x00\x01binary", b"geo: error: the name is not UTF-8 text (binary input?)"),
    (("where", "135", "44"), None, b"geo: error: latitude 135.0 is out of range -90..90"),
])
def test_cli_bad_input(args, stdin, message):
    proc = run_geo(*args, stdin=stdin)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_cli_where_json():
    proc = run_geo("where", "34.888", "44.632", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["nearest"][0]["distance_km"] < 1.0
    assert data["governorate"] == "Salahaddin" and data["district"] == "Tuz Khurmatu"
