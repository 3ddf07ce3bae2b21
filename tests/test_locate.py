"""Locating events: namesakes told apart by the unit named, unknown villages in a known unit,
captions, credits and background, the lede and the headline, honest precision, and the
reviewed weights and structure files. Texts written for these tests in the shapes real
reports show (none copied from an outlet)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo._errors import ReportError
from geo.events import events_from_reports, report_events
from geo.parse import geoparse
from geo.reports import Report


def report(body: str, title: str = "", published: date | None = date(2024, 5, 11)) -> Report:
    return Report(id="r", title=title, published=published, source="Test", url=None,
                  dateline=None, body=body, path="<test>")


def first_event(gazetteer, body: str, title: str = "") -> dict:
    events = report_events(report(body, title), gazetteer).events
    assert events, "no event"
    return events[0]


# --- namesakes: the unit the text puts a name in decides ---------------------------------------

@pytest.mark.parametrize("body, place_id, why", [
    # Kanan is a village of Hawija (Kirkuk) and a town of Baquba (Diyala)
    ("Gunmen attacked Kanan in Kirkuk province on Monday.", "kanan", None),
    ("Gunmen attacked Kanan, Diyala on Monday.", "kanaan", "namesake chosen by the province named"),
    ("Gunmen attacked Kanan (Diyala) on Monday.", "kanaan", "namesake chosen by the province named"),
    ("Gunmen attacked Kirkuk's Kanan on Monday.", "kanan", None),
    ("Gunmen attacked Kanan village, northeast of Baquba, on Monday.", "kanaan",
     "namesake chosen by the landmark named"),
    # Salahiya: a village of Hamdaniya (Nineveh) and another name of Kifri (Diyala)
    ("An IED exploded in Salahiya in Nineveh on Monday.", "salahiyah", "namesake chosen by the province named"),
    # Hamdaniyah: a district of Nineveh and a village of Hawija
    ("A bomb exploded in Hamdaniyah in Hawija district on Monday.", "hamdaniyah-hawija",
     "namesake chosen by the district named"),
])
def test_namesakes_with_admin_context(gazetteer, body, place_id, why):
    row = first_event(gazetteer, body)
    assert row["place_id"] == place_id
    if why:
        assert why in row["location_reason"]


def test_the_geoparser_records_why_a_namesake_was_chosen(gazetteer):
    result = geoparse(report("Gunmen attacked Kanan, Diyala on Monday."), gazetteer)
    kanan = next(m for m in result.mentions if m.text == "Kanan")
    assert kanan.place_id == "kanaan"
    assert result.notes[(kanan.start, kanan.end)] == "namesake chosen by the province named"


def test_a_place_just_outside_the_unit_named_is_kept(gazetteer):
    """'Tuz Khurmatu, in Diyala province': the text's slip (Tuz is in Salahaddin, by the
    border), not a namesake: the town stays the event's place."""
    row = first_event(gazetteer, "Rockets hit central Tuz Khurmatu, in Diyala province, on Thursday.")
    assert row["place_id"] == "tuz-khurmatu" and row["geo_precision"] == 1


# --- never bluff: an unknown village takes the unit the text puts it in ------------------------

@pytest.mark.parametrize("body, place_id, precision, where_prec, reason", [
    ("Gunmen raided Pelinkan village in Daquq district on Monday, killing two farmers.",
     "daquq-district", 2, 3, "village unknown (Pelinkan): its district"),
    ("ISIS militants burst into Zerdoshk village in Daquq early on Monday and killed three.",
     "daquq", 2, 2, "village unknown (Zerdoshk): its town"),
    ("Militants attacked Diyala province's Kavrosk sub-district on Monday.",
     "diyala-governorate", 3, 4, "sub-district unknown (Kavrosk): its province"),
    ("Turkish jets struck targets in the Hizarok area of Erbil on Monday.",
     "erbil-governorate", 3, 4, "area unknown (Hizarok): its province"),
    ("Turkish drones struck PKK positions in the Marbishk hills of Erbil on Monday.",
     "erbil-governorate", 3, 4, "hills unknown (Marbishk): its province"),
])
def test_unknown_village_in_a_known_unit(gazetteer, body, place_id, precision, where_prec, reason):
    row = first_event(gazetteer, body)
    assert (row["place_id"], row["geo_precision"], row["where_prec"]) == (place_id, precision, where_prec)
    assert row["location_reason"] == reason
    assert row["evidence_place"] == reason.split("(")[1].split(")")[0]  # the name as written
    assert row["confidence"] < 0.75


def test_an_unknown_village_takes_the_unit_the_report_gives_later(gazetteer):
    body = ("Gunmen killed three shepherds in the village of Qalbashk on Monday.\n\n"
            "Qalbashk, a hamlet of a dozen houses, lies in the south of Daquq.")
    row = first_event(gazetteer, body)
    assert row["place_id"] == "daquq" and row["geo_precision"] == 2
    assert row["location_reason"].startswith("village unknown (Qalbashk)")


def test_an_unknown_place_with_no_unit_borrows_nothing(gazetteer):
    events = events_from_reports([report("Gunmen attacked a checkpoint near Pelinkan on Monday. "
                                         "Later, an IED exploded in Jalawla on Tuesday.")], gazetteer).events
    assert events.iloc[0]["geometry"] is None and events.iloc[0]["evidence_place"] == "Pelinkan"
    assert events.iloc[1]["place_id"] == "jalawla"


def test_a_town_named_as_a_region_is_its_governorate(gazetteer):
    row = first_event(gazetteer, "Turkish drones struck PKK positions in Erbil region on Monday.")
    assert (row["place_id"], row["geo_precision"], row["where_prec"]) == ("erbil-governorate", 3, 4)


def test_precision_one_only_for_a_town_named_as_where_it_happened(gazetteer):
    named = first_event(gazetteer, "A roadside bomb exploded in Jalawla on Monday.")
    assert named["geo_precision"] == 1 and named["location_reason"] == "named as the event's place"
    residents = first_event(gazetteer, "Hundreds of Jalawla residents protested on Monday against power cuts.")
    assert residents["place_id"] == "jalawla" and residents["geo_precision"] == 2


# --- article structure: lede, headline, captions, credits, background --------------------------

def test_a_vague_lede_takes_the_town_the_next_sentences_name(gazetteer):
    body = ("Two fighters were killed on Wednesday when a drone struck in northern Iraq.\n\n"
            "The drone hit a car in the town of Sinjar, officials said.")
    row = first_event(gazetteer, body)
    assert row["place_id"] == "sinjar"
    assert row["event_date"] == "2024-05-08"


def test_a_province_in_the_lede_yields_to_a_town_inside_it(gazetteer):
    body = ("Five militants were killed on Thursday in an operation in Kirkuk province.\n\n"
            "The troops moved against the militants near the town of Daquq.")
    row = first_event(gazetteer, body)
    assert row["place_id"] == "daquq" and row["geo_precision"] == 2
    assert "inside" in row["location_reason"]


def test_a_place_outside_the_ledes_unit_is_another_story(gazetteer):
    body = ("Three soldiers were wounded in an attack in Diyala province on Sunday.\n\n"
            "Officials in Erbil said the roads were open.")
    assert first_event(gazetteer, body)["place_id"] == "diyala-governorate"


def test_the_headline_names_the_main_events_place(gazetteer):
    body = ("Protesters tried to storm the offices.\n\n"
            "Police fired on protesters in Kalar, and a day later in Kifri, leaving one man dead.")
    row = first_event(gazetteer, body, title="Deadly protest in Kifri")
    assert row["place_id"] == "kifri"


@pytest.mark.parametrize("noise", [
    "Smoke rises over Tuz Khurmatu after an airstrike. (Photo: Archive)",
    "File photo: soldiers at a checkpoint in Tuz Khurmatu after a bombing.",
    "March 3, 2021: mourners at a cemetery in Tuz Khurmatu, where a bomb killed two.",
    "By Jane Roe in Tuz Khurmatu",
    "Read more: Bomb kills two in Tuz Khurmatu",
    "Last Updated: Monday, 4 March, after the attack in Tuz Khurmatu",
])
def test_captions_credits_and_links_make_no_events(gazetteer, noise):
    body = f"{noise}\n\nAn IED exploded near Jalawla on Monday, wounding two soldiers."
    events = report_events(report(body), gazetteer).events
    assert [e["place_id"] for e in events] == ["jalawla"]


@pytest.mark.parametrize("background", [
    "Turkish jets often strike the villages around Amedi.",
    "ISIS has attacked villages in Hawija since 2017.",
    "In recent months, militants have raided several villages in Daquq.",
    "Kirkuk has been hit by sleeper cells several times.",
])
def test_background_sentences_make_no_events(gazetteer, background):
    body = f"An IED exploded near Jalawla on Monday, wounding two soldiers.\n\n{background}"
    events = report_events(report(body), gazetteer).events
    assert [e["place_id"] for e in events] == ["jalawla"]


def test_background_with_a_day_of_its_own_is_an_event(gazetteer):
    body = ("An IED exploded near Jalawla on Monday.\n\n"
            "Militants, who often raid the area, attacked a checkpoint in Daquq on Saturday.")
    events = report_events(report(body), gazetteer).events
    assert [e["place_id"] for e in events] == ["jalawla", "daquq"]


def test_a_second_event_later_stays_a_second_event(gazetteer):
    body = ("A roadside bomb killed two soldiers near Jalawla on Monday.\n\n"
            "The bombing follows an attack in Daquq on Saturday that killed a policeman.")
    events = report_events(report(body), gazetteer).events
    assert [e["place_id"] for e in events] == ["jalawla", "daquq"]


def test_a_dateline_in_capitals_is_not_the_event_place(gazetteer):
    body = "KIRKUK, May 5: Gunmen attacked a checkpoint in the region of Daquq early on Sunday."
    assert first_event(gazetteer, body)["place_id"] in ("daquq", "daquq-district")


# --- the decision can be seen and tuned ----------------------------------------------------------

def test_explain_lists_every_candidate_with_its_features(gazetteer):
    from geo.events import assign_roles
    from geo.events.locate import explain

    result = geoparse(report("Gunmen attacked a checkpoint near Daquq, south of Kirkuk, on Monday."), gazetteer)
    assign_roles(result)
    text = explain(result.drafts[0].placement)
    assert text.splitlines()[0].startswith("chosen: Daquq")
    assert "'Kirkuk' -> Kirkuk [anchor]" in text and "reference=1" in text


@pytest.mark.parametrize("yaml_text, message", [
    ("weights: {anchor: 1}\nspecificity: {}\n", "feature 'event' needs a number"),
    ("weights: [1]\n", "field 'weights': expected a mapping"),
])
def test_bad_weights_file_names_the_field(tmp_path, yaml_text, message):
    from geo.events.locate import FEATURES, weights

    path = tmp_path / "w.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ReportError, match=message):
        weights(path)
    full = "weights: {" + ", ".join(f"{f}: 1" for f in FEATURES) + ", nearness: 2}\nspecificity: {}\n"
    path.write_text(full, encoding="utf-8")
    with pytest.raises(ReportError, match="unknown feature 'nearness'"):
        weights(path)


def test_shipped_weights_cover_every_place_type():
    from geo.events.locate import GEO_PRECISION, weights

    assert set(GEO_PRECISION) <= set(weights().specificity)


@pytest.mark.parametrize("yaml_text, message", [
    ("caption_markers: photo\n", "field 'caption_markers': expected a list"),
    ("credit_line_max_words: 0\n", "credit_line_max_words"),
    ("captions: []\n", "unknown field 'captions'"),
])
def test_bad_structure_file_names_the_field(tmp_path, yaml_text, message):
    from geo.events.structure import article_structure

    path = tmp_path / "s.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ReportError, match=message):
        article_structure(Path(path))


def test_a_landmark_outside_the_province_named_is_not_the_place(gazetteer):
    body = ("Baghdad [Iraq], November 30 (Agency): A rocket landed on an oil depot in Salahudin "
            "province, north of Baghdad, on Sunday.")
    events = report_events(report(body, published=date(2020, 11, 30)), gazetteer).events
    # the dateline's date is the day of writing; Sunday is the 29th
    assert (events[0]["place_id"], events[0]["event_date"]) == ("salahaddin-governorate", "2020-11-29")


def test_a_dateline_in_capitals_does_not_split_an_event(gazetteer):
    body = ("KIRKUK, Sept 5: An attack on a checkpoint in northern Iraq early Sunday left four "
            "policemen dead.\n\nThe attack came after midnight near Daquq, an officer said.")
    events = report_events(report(body, published=date(2021, 9, 6)), gazetteer).events
    assert len(events) == 1 and events[0]["place_id"] == "daquq"
    assert events[0]["event_date"] == "2021-09-05"


@pytest.mark.parametrize("body, place_id", [
    # "the road leading to X": X is a landmark; the event is at the place named before it
    ("Militants attacked a checkpoint at the edge of Erbil, on the road leading to Pirmam, on Monday.", "erbil"),
    # "in the northeast of X": a part of X, not a landmark outside it
    ("On Wednesday Iranian artillery shelled villages in the northeast of Erbil province.", "erbil-governorate"),
    # "north of X" alone is a landmark: the town named as where comes first
    ("An IED exploded 10 km north of Jalawla, near Kalar, on Monday.", "kalar"),
])
def test_landmarks_and_parts(gazetteer, body, place_id):
    assert first_event(gazetteer, body)["place_id"] == place_id


def test_the_headlines_event_is_listed_first(gazetteer):
    body = ("On Monday an IED exploded near Jalawla, wounding a soldier.\n\n"
            "On Tuesday a roadside bomb killed two civilians in Kalar.")
    events = report_events(report(body, title="Roadside bomb kills two in Kalar"), gazetteer).events
    assert [e["place_id"] for e in events] == ["kalar", "jalawla"]
    # a province in the headline moves nothing: most of the article's events lie in it
    events = report_events(report(body, title="Two bombs in Diyala"), gazetteer).events
    assert [e["place_id"] for e in events] == ["jalawla", "kalar"]


# --- another spelling of a village the gazetteer knows, inside the unit the text names ---------

@pytest.fixture(scope="module")
def whole_gazetteer():
    """The shipped gazetteer with its WOF tier of Iraq's villages."""
    from geo.gazetteer import Gazetteer

    return Gazetteer.default()


@pytest.mark.parametrize("a, b", [
    ("Chamchamal", "Jamjamal"),      # ch / j
    ("Qaraqosh", "Karakosh"),        # q / k, vowels
    ("Bawerde", "Bawirdah"),         # a final h
    ("Kharaba", "Gharaba"),          # kh / gh
    ("Sherkan", "Shirqan"),          # vowels, q / k
    ("Zhazhok", "Jajuk"),            # zh / j, o / u
    ("Upper Pirde", "Birdah al Ulya"),  # p / b, qualifiers dropped
    ("Qaryat Hamdiya", "Hamdiyah"),  # "village of"
])
def test_spellings_of_one_name_share_a_key(a, b):
    from geo._text import spelling_key

    assert spelling_key(a) and spelling_key(a) == spelling_key(b)


@pytest.mark.parametrize("a, b", [("Kirkuk", "Karbala"), ("Daquq", "Dibis"), ("Makhmour", "Mandali")])
def test_other_names_keep_other_keys(a, b):
    from geo._text import spelling_key

    assert spelling_key(a) != spelling_key(b)


@pytest.mark.parametrize("name", ["Tal", "Ali", "Sur", "كركوك", "X-1", ""])
def test_names_too_short_or_not_latin_have_no_key(name):
    from geo._text import spelling_key

    assert spelling_key(name) == ""


@pytest.mark.parametrize("body, place_id, reason", [
    # WOF writes it Fakhrah (Daquq district); the report drops the final h
    ("Gunmen raided Fakhra village in Daquq district on Monday, killing two farmers.",
     "wof-1209077539", "village 'Fakhra' read as Fakhrah (another spelling), the one place of "
                       "that spelling in the Daquq district named"),
    # WOF's Kamaliyah, a few km from Daquq town
    ("ISIS militants stormed Kamaleya village in Daquq on Monday and killed three.",
     "wof-1209200819", "read as Kamaliyah"),
])
def test_another_spelling_inside_the_unit_named(whole_gazetteer, body, place_id, reason):
    row = first_event(whole_gazetteer, body)
    assert row["place_id"] == place_id
    assert row["geo_precision"] == 1
    assert reason in row["location_reason"]


@pytest.mark.parametrize("body, place_id, reason", [
    # four villages of that key lie in Daquq district, kilometres apart: none is chosen
    ("Gunmen raided Dagmat village in Daquq district on Monday.", "daquq-district",
     "village unknown (Dagmat): its district"),
    # a province holds hundreds of villages per key: the province, not a guess
    ("Gunmen raided Kalhouri village in Diyala province on Monday.", "diyala-governorate",
     "village unknown (Kalhouri): its province"),
])
def test_a_spelling_that_could_be_several_places_stays_unknown(whole_gazetteer, body, place_id, reason):
    row = first_event(whole_gazetteer, body)
    assert row["place_id"] == place_id
    assert row["geo_precision"] >= 2
    assert reason in row["location_reason"]


@pytest.mark.parametrize("body, event_type, sub_event_type", [
    ("Turkish aircraft hit the hills above Sidakan on Monday.",
     "Explosions/Remote violence", "Air/drone strike"),
    ("The Turkish air force struck Batifa on Monday, local officials said.",
     "Explosions/Remote violence", "Air/drone strike"),
    ("On Monday the ministry said it would send its troops to the border areas of Zakho.",
     "Strategic developments", "Other"),
    ("Peshmerga units took up positions around Sinjar on Monday.",
     "Strategic developments", "Other"),
    ("Turkish bulldozers worked on Monday on a military road towards Kani Masi.",
     "Strategic developments", "Other"),
])
def test_strikes_by_aircraft_and_moves_of_forces_are_events(gazetteer, body, event_type, sub_event_type):
    row = first_event(gazetteer, body)
    assert (row["event_type"], row["sub_event_type"]) == (event_type, sub_event_type)


@pytest.mark.parametrize("body", ["Peshmerga units took up positions on Jabal Matin on Monday.",
                                  "Turkish drones struck Mount Metina on Monday."])
def test_the_metina_range_by_its_arabic_name(gazetteer, body):
    assert first_event(gazetteer, body)["place_id"] == "metina"


def test_a_first_name_is_not_the_metina_range(gazetteer):
    result = geoparse(report("The governor met Matin Salih on Monday."), gazetteer)
    assert not [m for m in result.mentions if m.place_id == "metina"]
