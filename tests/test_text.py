"""Name normalization: the spellings reports use meet in one key."""
from __future__ import annotations

import pytest

from geo._text import compact, normalize, split_type_word


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
