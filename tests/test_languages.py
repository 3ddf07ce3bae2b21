"""Reports in Arabic, Sorani and Kurmanji: the language packs of data/lang/, telling the language
of each sentence, the geoparser's words and endings per language, Arabic-script datelines and a
report's own `lang:`."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from geo._errors import ReportError
from geo._lang import FoldedMatcher, detect, languages, packs, word_regex
from geo.parse import geoparse
from geo.reports import Report, parse_report_text


def report(text: str, lang: str | None = None, published: date | None = date(2024, 3, 16)) -> Report:
    head = f"---\nid: t\ntitle: test\n{'lang: ' + lang + chr(10) if lang else ''}---\n"
    r = parse_report_text(head + text + "\n")
    return Report(**{**r.__dict__, "published": published})


def places(gaz, text, lang=None):
    return [(m.text, m.place_id) for m in geoparse(report(text, lang), gaz).mentions]


# --- the packs ---------------------------------------------------------------------------------

def test_packs_load_and_name_their_languages():
    table = packs()
    assert {"en", "ar", "ckb", "kmr"} <= set(table)
    assert table["ckb"].script == "arabic" and table["kmr"].script == "latin"
    # every pack's rules type sentences the English way: pairs of data/event_rules.yaml
    for code in ("ar", "ckb", "kmr"):
        assert len(table[code].data["rules"]) >= 15
        assert len(table[code].data["dates"]["weekdays"]) == 7


@pytest.mark.parametrize("edit, message", [
    ("code: ar\n", "field 'code': 'ar' is not the file's name 'xx'"),
    ("code: xx\nscript: cyrillic\n", "field 'script': 'cyrillic' is not one of arabic, latin"),
    ("code: xx\nscript: arabic\nwords: [a]\n", "field 'words': unknown field"),
    ("code: xx\nscript: arabic\nrules:\n  - {event_type: Battles, sub_event_type: Shootout, keywords: [x]}\n",
     "rules[0]: event_type and sub_event_type must be a pair"),
    ("code: xx\nscript: arabic\nactors:\n  Daesh: [داعش]\n", "field 'actors': 'Daesh' is not an actor"),
    ("code: xx\nscript: arabic\ndates:\n  weekdays: [[a], [b]]\n", "field 'dates.weekdays': expected seven lists"),
    ("code: xx\nscript: arabic\ndates:\n  months: {13: [x]}\n", "field 'dates.months': expected month numbers"),
    ("code: xx\nscript: arabic\ngeoparse:\n  stops: [x]\n", "field 'geoparse.stops': unknown field"),
])
def test_bad_pack_names_file_and_field(tmp_path, edit, message):
    (tmp_path / "xx.yaml").write_text(edit, encoding="utf-8")
    packs.cache_clear()
    try:
        with pytest.raises(ReportError) as err:
            packs(tmp_path)
        assert str(tmp_path / "xx.yaml") in str(err.value) and message in str(err.value)
    finally:
        packs.cache_clear()


# --- telling the language ------------------------------------------------------------------------

@pytest.mark.parametrize("text, lang", [
    ("Two Iraqi soldiers were killed on Thursday when an IED exploded near Jalawla.", "en"),
    ("Duh çekdarên DAIŞê li gundê Zenqirê êrîş birin ser polîsan.", "kmr"),
    ("Iro li Kerkuke bombeyek teqiya u du polis birindar bun.", "kmr"),  # no diacritics: words
    ("اشتباكات في خانقين وجلولاء بين القوات الأمنية ومسلحين.", "ar"),
    ("هێزەکانی پێشمەرگە لە کەلار و چەمچەماڵ کۆبوونەوەیان کرد.", "ckb"),
    ("دوو پۆلیس لە كهركووك بریندار بوون", "ckb"),
    ("", "en"),
])
def test_detect(text, lang):
    assert detect(text) == lang


def test_mixed_report_is_read_sentence_by_sentence():
    body = ("ڕۆژی شەممە خۆپیشاندان لە هەڵەبجە کرا و خۆپیشاندەران داوای مووچەیان کرد.\n\n"
            "The governor met the protesters in Halabja on Sunday and promised the salaries.")
    found = languages(body)
    assert found.present == {"ckb", "en"}
    assert found.at(5) == "ckb" and found.at(body.index("governor")) == "en"


def test_given_language_decides_its_script_only():
    body = "ئەمڕۆ لە کەرکووک\n\nThe mayor of Kirkuk said the market was reopened on Sunday morning."
    found = languages(body, "ckb")
    assert found.main == "ckb" and found.at(0) == "ckb"
    assert found.at(body.index("mayor")) == "en"  # an English quote stays English
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        languages(body, "fr")


def test_report_lang_field():
    assert report("نص", "ar").lang == "ar"
    assert report("text").lang is None
    with pytest.raises(ReportError, match=r"<text>:4: field 'lang': 'fr' is not a language"):
        parse_report_text("---\nid: t\ntitle: t\nlang: fr\n---\nhello\n")


# --- matching as the scripts write words --------------------------------------------------------

def test_word_regex_folds_letters_marks_and_diacritics():
    import re

    assert re.fullmatch(word_regex("الإثنين"), "الاثنين")
    assert re.fullmatch(word_regex("مسيّرة"), "مسيرة")
    assert re.fullmatch(word_regex("قُتل"), "قتل")
    assert re.fullmatch(word_regex("کەرکووک"), "كهركووك")  # old Sorani spelling
    assert re.fullmatch(word_regex("teqîn*"), "teqinê")
    assert re.fullmatch(word_regex("قصف", proclitic=True), "والقصف")
    assert not re.fullmatch(word_regex("قصف"), "والقصف")


def test_folded_matcher_finds_keywords_with_proclitics_and_endings():
    matcher = FoldedMatcher([("قصف*", "shell", True), ("عبوة ناسفة", "ied", True), ("هێرش*", "attack", False)])
    text = "وقُتل جندي بانفجار عبوةٍ ناسفة والقصفُ التركي، هێرشەکە"
    assert [(text[s:e], p) for s, e, p in matcher.finditer(text)] == [
        ("عبوةٍ ناسفة", "ied"), ("والقصفُ", "shell"), ("هێرشەکە", "attack")]
    assert matcher.finditer("no Arabic script here") == []


# --- the geoparser per language -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # Kurmanji case endings: the name is found without them
    ("Çekdaran li Kerkûkê û Daqûqê êrîş kirin.", [("Kerkûkê", "kirkuk"), ("Daqûqê", "daquq")]),
    ("Şer li Şengalê berdewam e.", [("Şengalê", "sinjar")]),  # the town, not the mountain's core
    ("Mesrûr Barzanî serdana Zaxoyê kir.", [("Zaxoyê", "zakho")]),  # Barzanî is no place
    # Sorani suffixes
    ("لە کەرکووکدا تەقینەوەیەک ڕوویدا.", [("کەرکووکدا", "kirkuk")]),
    ("چەکداران لە داقووقەوە هاتن.", [("داقووقەوە", "daquq")]),
    # the gazetteer's spelling: Sorani's written vowels, Kurmanji's x for kh
    ("لە گوندی زهنقهری سەر بە قەزای داقووق", [("زهنقهری", "zanqar"), ("قەزای داقووق", "daquq-district")]),
    ("Li bajarokê Xurmatûyê xwepêşandan hat kirin.", [("Xurmatûyê", "tuz-khurmatu")]),
    # words that are place names elsewhere are words here
    ("بەرپرسەکە گوتی هێزێکی تازە دەنێردرێت.", []),
    ("تقع البلدة شمال العراق.", [("العراق", "iraq")]),
    ("Li bakur û başûr şoriş bi dawî bû.", []),
])
def test_geoparse_per_language(gazetteer, text, expected):
    assert places(gazetteer, text) == expected


@pytest.mark.parametrize("text, place, outlet", [
    ("كركوك/ شفق نيوز\nهاجم مسلحون قرية.", "كركوك", "شفق نيوز"),
    ("هەولێر (کوردستان24)- پێشمەرگە هێرشێکیان تێکشکاند.", "هەولێر", "کوردستان24"),
    ("K24 – ھەولێر\n\nلە میحوەری ناوەران پێشمەرگە هێرشێکیان تێکشکاند.", "ھەولێر", "K24"),
    ("شفق نيوز– دهوك\n\nأفاد شهود بأن المدفعية قصفت قرى.", "دهوك", "شفق نيوز"),
])
def test_arabic_script_datelines(gazetteer, text, place, outlet):
    r = report(text)
    assert r.dateline == place and r.source == outlet
    assert r.body[r.dateline_span[0]:r.dateline_span[1]] == place
    roles = {m.text: m.role for m in geoparse(r, gazetteer).mentions}
    assert roles[place] == "dateline"


def test_ordinary_arabic_line_is_no_dateline():
    assert report("نص عادي/ لا شيء فيه").dateline is None


# --- the corpus of each language ------------------------------------------------------------------

def _corpus(code: str) -> list[dict]:
    import yaml
    from pathlib import Path

    return yaml.safe_load((Path(__file__).parent / "corpus" / f"corpus-{code}.yaml").read_text(encoding="utf-8"))


CORPORA = {code: _corpus(code) for code in ("ar", "ckb", "kmr")}
CASES = [(code, item) for code, items in CORPORA.items() for item in items]


@pytest.mark.parametrize("code, item", CASES, ids=[item["id"] for _, item in CASES])
def test_language_corpus(gazetteer, code, item):
    """Mentions with their roles, the first event's date and fields (English ACLED values,
    the original sentence as evidence), or no event at all."""
    from geo.events import event_rows
    from geo.events import parse_report

    r = report(item["text"], published=item["published"])
    assert languages(r.body).main == item.get("lang", code)
    result = parse_report(r, gazetteer)
    got = [(m.text, m.place_id, m.role) for m in result.mentions]
    assert got == [(e["text"], e["place"], e.get("role", "mention")) for e in item["expect"]], item["covers"]
    rows = event_rows(result, gazetteer)
    if item.get("no_event"):
        assert rows == [], item["covers"]
        return
    assert rows, item["covers"]
    first = rows[0]
    if "event_date" in item:
        assert first["event_date"] == item["event_date"].isoformat(), item["covers"]
    for key, value in (item.get("event") or {}).items():
        got_value = first["place_id"] if key == "location" else first[key]
        assert got_value == value, f"{item['covers']}: {key}"
    assert first["evidence"] in " ".join(r.body.split())  # the sentence as written


@pytest.mark.parametrize("code", sorted(CORPORA))
def test_language_corpus_is_big_enough(code):
    assert len(CORPORA[code]) >= 40
    assert len({c["id"] for c in CORPORA[code]}) == len(CORPORA[code])


# --- the language given: lang: in the front matter, --lang --------------------------------------

KMR_TEXT = "Duh li Kerkûkê bombeyek teqiya û du polîs birîndar bûn."


@pytest.mark.parametrize("head, option, events", [
    ("", [], 1),                    # detected: Kurmanji, one event
    ("lang: en\n", [], 0),          # the report says English: Kurmanji words are no event words
    ("", ["--lang", "en"], 0),      # the user says so for reports that do not say
    ("lang: kmr\n", ["--lang", "en"], 1),  # the report's own field wins
])
def test_lang_field_and_option(tmp_path, monkeypatch, head, option, events):
    import json

    from click.testing import CliRunner

    from geo import settings
    from geo.cli import main

    monkeypatch.setattr(settings, "REPORT_LANG", None)
    path = tmp_path / "r.md"
    path.write_text(f"---\nid: r\ntitle: t\npublished: 2024-03-16\n{head}---\n{KMR_TEXT}\n", encoding="utf-8")
    out = tmp_path / "e.geojson"
    result = CliRunner().invoke(main, ["events", *option, str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    features = json.loads(out.read_text(encoding="utf-8"))["features"] if out.exists() else []
    assert len(features) == events
    if events:
        props = features[0]["properties"]
        assert (props["event_type"], props["place_id"], props["event_date"]) == (
            "Explosions/Remote violence", "kirkuk", "2024-03-15")
        assert props["evidence"] == KMR_TEXT  # the original sentence, fields in English


def test_unknown_lang_option_is_one_clear_error(tmp_path):
    from click.testing import CliRunner

    from geo.cli import main

    path = tmp_path / "r.md"
    path.write_text("---\nid: r\ntitle: t\n---\nhello\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "--lang", "fr", str(path)])
    assert result.exit_code == 2
    assert "'fr' is not a language of the event rules (ar, ckb, en, kmr)" in result.output


def test_relative_date_counts_from_the_statement_when_no_published_date(gazetteer):
    """No published date: "this evening" in a sentence whose statement is dated counts from
    that date (a weekday alone before the full date says nothing)."""
    from geo.events import event_rows
    from geo.events import parse_report

    r = report("وأوضح المصدر، السبت (13 آب 2022)، أن مسلحين هاجموا مساء اليوم قرية في قضاء داقوق.",
               published=None)
    rows = event_rows(parse_report(r, gazetteer), gazetteer)
    assert rows[0]["event_date"] == "2022-08-13"
    assert "counted from the date of the statement" in rows[0]["warnings"]
