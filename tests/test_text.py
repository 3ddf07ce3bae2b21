"""Name normalization: the spellings reports use meet in one key."""
from __future__ import annotations

import pytest

from geo._text import compact, normalize, split_type_word, type_word_splits


@pytest.mark.parametrize("a, b", [
    ("Ţūz Khūrmātū", "Tuz Khurmatu"),
    ("Qara Tapa", "Qaratapa"),
    ("Qara-Tapa", "Qaratapa"),
    ("Sa'adiya", "Saadiya"),
    ("Saʿdiya", "Sadiya"),
    ("Sa'adiya", "Sadiya"),
    ("Al-Sulaymaniyah", "Sulaymaniyah"),
    ("As Sulaymaniyah", "Sulaymaniyah"),
    ("el-Hawija", "Hawija"),
    ("Ash Sharqat", "Sharqat"),
    ("Ad Dawr", "Dawr"),
    ("Jalawlā’", "Jalawla"),
    ("ERBIL", "erbil"),
    ("السليمانية", "سليمانيه"),      # article, taa marbuta
    ("إربيل", "اربيل"),              # alef with hamza below
    ("ديالى", "ديالي"),              # alef maqsura and yaa
    ("سلێمانی", "سليماني"),          # Kurdish yeh with v, Persian yeh
    ("کەرکووک", "كركوك"),            # Kurdish kaf, ae, doubled waw
    ("كـركـوك", "كركوك"),            # tatweel
    ("خَانَقِين", "خانقين"),           # harakat
    ("هەولێر", "هولير"),
])
def test_spellings_meet(a, b):
    assert compact(a) == compact(b)


@pytest.mark.parametrize("a, b", [
    ("Kirkuk", "Kifri"),
    ("Tal Afar", "Tel Kaif"),
    ("as far", "far"),            # the English word "as" is not an article
])
def test_different_names_stay_apart(a, b):
    assert compact(a) != compact(b)


@pytest.mark.parametrize("name, core, types", [
    ("Diyala province", "diyala", {"governorate"}),
    ("Diyala governorate", "diyala", {"governorate"}),
    ("Kifri district", "kifri", {"district"}),
    ("Hamrin mountains", "hamrin", {"mountain"}),
    ("Mount Sinjar", "sinjar", {"mountain"}),
    ("Qaratapa-Hamrin front", "qaratapa hamrin", {"front"}),
    ("Tuz Khurmatu Operations Command", "tuz khurmatu", {"command_area"}),
    ("محافظة ديالى", "ديالي", {"governorate"}),
    ("Kirkuk", "kirkuk", None),
    ("Mount", "mount", None),
])
def test_type_words(name, core, types):
    got_core, got_types = split_type_word(normalize(name))
    assert got_core == core
    assert (set(got_types) if got_types else None) == types


@pytest.mark.parametrize("name, readings", [
    # (core as written, normalized core, the type the word names)
    ("Kan‘ān town", [("Kan‘ān", "kanan", "town")]),
    ("Kan‘ān village", [("Kan‘ān", "kanan", "village")]),
    ("Kirkuk city", [("Kirkuk", "kirkuk", "city")]),
    ("Mount Sinjar", [("Sinjar", "sinjar", "mountain")]),
    ("Zab rivers", [("Zab", "zab", "river")]),
    ("Qara Tapa sub-district", [("Qara Tapa", "qara tapa", "subdistrict")]),
    ("Tuz Khurmatu Operations Command", [("Tuz Khurmatu", "tuz khurmatu", "command_area")]),
    # a type word at each end: both readings
    ("Nāḩiyat Yathrib village", [("Nāḩiyat Yathrib", "nahiyat yathrib", "village"),
                                 ("Yathrib village", "yathrib village", "subdistrict")]),
    ("Jabal-Hamrin", [(None, "hamrin", "mountain")]),  # only found once the hyphen is a space
    ("Kirkuk", []),
    ("Mount", []),
])
def test_type_word_readings(name, readings):
    assert [(raw, core, own) for raw, core, _, own in type_word_splits(name)] == readings


def test_town_village_and_city_words_imply_each_other():
    (_, _, town, own), = type_word_splits("Kan‘ān town")
    assert own == "town" and {"city", "village"} <= town
