"""Events: the seed reports' events, ACLED types and actors from sentences, relative dates,
precision codes, reports without a place, GeoJSON bytes, streaming and the CLI."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from geo import settings
from geo.cli import main
from geo.events import (events_from_inputs, events_from_reports, events_to_geojson, iter_events,
                        resolve_date, sentences, date_pattern)
from geo.gazetteer import Gazetteer
from geo.reports import Report
from geo.schema import ACLED_EVENT_TYPES, EVENT_COLUMNS, MENTION_COLUMNS

HEADER = ("id,name,type,lat,lon,governorate,district,governorate_krg,district_krg,population,"
          "name_ar,name_ckb,name_kmr,aliases,source,note\n")
ROWS = """\
jalawla,Jalawla,town,34.27725,45.17786,Diyala,Khanaqin,,,,,,,Jalula,t,
khanaqin,Khanaqin,city,34.3482,45.39065,Diyala,Khanaqin,,,175000,,,,,t,
kalar,Kalar,city,34.62805,45.31852,Sulaimani,Kalar,,,250000,,,,,t,
diyala-governorate,Diyala,governorate,33.75403,44.60518,Diyala,,,,,,,,Diyala province,t,
hamrin-mountains,Hamrin mountains,mountain,34.4,44.72,,,,,,,,,Hamrin,t,
kifri-district,Kifri,district,34.68963,44.96057,Diyala,,,,,,,,Kifri district,t,
sector-2,Second Qaratapa-Hamrin Sector,sector,34.42,44.9,Diyala,Kifri,,,,,,,,t,
erbil,Erbil,city,36.19257,44.01062,Erbil,Erbil,,,932800,,,,,t,
iraq,Iraq,country,33.22,43.68,,,,,,,,,,t,
muqdadiya,Muqdadiya,city,33.97861,44.93694,Diyala,Muqdadiya,,,155968,,,,Muqdadiyah,t,
rumaythah,Rumaythah,town,31.5289,45.2022,Muthanna,Rumaythah,,,,,,,al-Rumaitha|Rumaitha,t,a namesake far south
hamrin-lake,Hamrin lake,lake,34.2,45.03,,,,,,,,,Lake Hamrin,t,
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("gaz") / "places.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return Gazetteer.from_files([path])


def report(body: str, published: date | None = date(2024, 5, 11), rid: str = "r") -> Report:
    return Report(id=rid, title="t", published=published, source="Test", url=None, dateline=None,
                  body=body, path="<test>")


def one_event(small, body, published=date(2024, 5, 11)) -> dict:
    events = events_from_reports([report(body, published)], small).events
    assert len(events) == 1, events[["event_type", "location", "evidence"]]
    return events.iloc[0].to_dict()


# --- the seed reports ----------------------------------------------------------------------------

SEED_EVENTS = {
    "2024-05-11-joint-operations-sulaimani.md": dict(
        event_date="2024-05-07", published="2024-05-11", place_id="sulaimani", location="Sulaimani",
        event_type="Strategic developments", sub_event_type="Agreement",
        actor1="Military Forces of Iraq", actor2="Military Forces of Iraq (Peshmerga)",
        geo_precision=1, where_prec=1, evidence_place="Sulaimani"),
    "2023-10-04-qaratapa-hamrin-sector-visit.md": dict(
        event_date="2023-10-04", published="2023-10-04", place_id="second-qaratapa-hamrin-sector",
        location="Second Qaratapa-Hamrin Sector", admin1="Diyala", source="Kurdistan 24",
        event_type="Strategic developments", sub_event_type="Other",
        actor1="Military Forces of Iraq", actor2="Military Forces of Iraq (Peshmerga)",
        geo_precision=2, where_prec=2, evidence_place="Second Qaratapa-Hamrin Sector"),
}
SHARED = {"000_c00d33f04c45f02f.txt": "2024-05-11-joint-operations-sulaimani.md",
          "003_2aed93fa6e2c637e.txt": "2023-10-04-qaratapa-hamrin-sector-visit.md"}


def check_seed_event(events, expected):
    assert len(events) == 1
    row = events.iloc[0]
    for key, value in expected.items():
        if key != "source":
            assert row[key] == value, key
    assert row["warnings"] == "" and row["zones"] == "" and row["front_distance_km"] is None
    assert row.geometry.x == pytest.approx(row["longitude"]) and row.geometry.y == pytest.approx(row["latitude"])


@pytest.mark.parametrize("name", sorted(SEED_EVENTS))
def test_project_seed_events(gazetteer, name):
    result = events_from_inputs([settings.SEEDS_DIR / name], gazetteer=gazetteer)
    check_seed_event(result.events, SEED_EVENTS[name])
    assert result.events.iloc[0]["source"] == SEED_EVENTS[name].get("source", "")
    assert list(result.events.columns) == EVENT_COLUMNS
    assert list(result.mentions.columns) == MENTION_COLUMNS
    assert result.events.crs == settings.CRS_WGS84


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_seed_events(gazetteer, shared_seeds_dir, name):
    """The meeting on Tuesday (7 May 2024) in Sulaimani; the visit on Wednesday (4 October
    2023) to the Second Qaratapa-Hamrin Sector in Diyala, written from Erbil."""
    result = events_from_inputs([shared_seeds_dir / name], gazetteer=gazetteer)
    check_seed_event(result.events, SEED_EVENTS[SHARED[name]])
    row = result.events.iloc[0]
    assert ("on Tuesday" in row["evidence"]) or ("on Wednesday" in row["evidence"])
    dateline = result.mentions[result.mentions.role == "dateline"]
    assert list(dateline.text) == (["ERBIL"] if name.startswith("003") else [])


# --- types, actors, places ---------------------------------------------------------------------------

@pytest.mark.parametrize("body, event_type, sub_type, actor1, actor2, place_id", [
    ("Iraqi warplanes struck ISIS hideouts in the Hamrin mountains on Saturday.",
     "Explosions/Remote violence", "Air/drone strike", "Military Forces of Iraq (Iraqi Air Force)",
     "Islamic State (Iraq)", "hamrin-mountains"),
    ("Two Iraqi soldiers were killed on Thursday when an IED exploded near Jalawla.",
     # the soldiers suffered it: ACLED's unidentified group set the bomb
     "Explosions/Remote violence", "Remote explosive/landmine/IED", "Unidentified Armed Group (Iraq)",
     "Military Forces of Iraq", "jalawla"),
    ("ISIS militants kidnapped three shepherds in Diyala province on Monday.",
     "Violence against civilians", "Abduction/forced disappearance", "Islamic State (Iraq)",
     "Civilians (Iraq)", "diyala-governorate"),
    ("Peshmerga forces clashed with Daesh fighters near Kalar on Friday.",
     "Battles", "Armed clash", "Military Forces of Iraq (Peshmerga)", "Islamic State (Iraq)", "kalar"),
    ("A checkpoint in Jalawla was attacked by ISIS on Friday; two Iraqi soldiers were wounded.",
     "Battles", "Armed clash", "Islamic State (Iraq)", "Military Forces of Iraq", "jalawla"),
    ("Hundreds of demonstrators rallied in Khanaqin on Sunday to demand jobs.",
     "Protests", "Peaceful protest", "Protesters (Iraq)", "", "khanaqin"),
    ("The Hashd and the Iraqi army agreed on Tuesday to share checkpoints in Kifri district.",
     "Strategic developments", "Agreement", "Military Forces of Iraq (Popular Mobilization Forces)", "Military Forces of Iraq",
     "kifri-district"),
    ("Asayish arrested an IS suspect in Kalar on Wednesday.",
     "Strategic developments", "Arrests", "Asayish (Kurdistan Region)", "Islamic State (Iraq)", "kalar"),
    ("US-led coalition advisers visited Erbil on Monday.",
     "Strategic developments", "Other", "Global Coalition Against Daesh", "", "erbil"),
])
def test_event_types_actors_places(small, body, event_type, sub_type, actor1, actor2, place_id):
    row = one_event(small, body)
    assert row["event_type"] in ACLED_EVENT_TYPES
    assert (row["event_type"], row["sub_event_type"], row["actor1"], row["actor2"], row["place_id"]) == \
        (event_type, sub_type, actor1, actor2, place_id)


def test_is_the_verb_is_not_the_islamic_state(small):
    row = one_event(small, "The situation is calm, and the army is deployed in Kalar on Monday.")
    assert "Islamic State (Iraq)" not in (row["actor1"], row["actor2"])


@pytest.mark.parametrize("body, geo_precision, where_prec", [
    ("An IED exploded in Jalawla on Monday.", 1, 1),
    ("An IED exploded near Jalawla on Monday.", 2, 2),
    ("An IED exploded on the outskirts of Khanaqin on Monday.", 2, 2),
    ("An IED exploded in the Second Qaratapa-Hamrin Sector on Monday.", 2, 2),
    ("An IED exploded in Kifri district on Monday.", 2, 3),
    ("An IED exploded in Diyala province on Monday.", 3, 4),
    ("An IED exploded in the Hamrin mountains on Monday.", 3, 5),
    ("An IED exploded in Iraq on Monday.", 3, 6),
])
def test_precision_codes(small, body, geo_precision, where_prec):
    row = one_event(small, body)
    assert (row["geo_precision"], row["where_prec"]) == (geo_precision, where_prec)


@pytest.mark.parametrize("body, place_id", [
    # a landmark ("north of X") comes after the place it locates from
    ("An IED exploded 10 km north of Jalawla, near Kalar, on Monday.", "kalar"),
    ("An IED exploded in the outskirts of Lake Hamrin, northeast of Khanaqin, on Monday.", "hamrin-lake"),
    # a local place before a governorate, even a landmark
    ("Peshmerga repelled an attack on the border of Diyala province, north of Jalawla, on Monday.", "jalawla"),
    # the origin of a delegation is not where it went ...
    ("A delegation from Erbil visited Kalar on Monday.", "kalar"),
    # ... but it is the place when nothing else is named
    ("Militants abducted two farmers from Jalawla on Monday.", "jalawla"),
    # a destination the event never reached is never its place
    ("Gunmen attacked a checkpoint on Monday and fled toward Kalar.", None),
    # a namesake far from the place named as its container is dropped
    ("Gunmen clashed with soldiers in al-Rumaitha in Muqdadiya on Monday.", "muqdadiya"),
    # a name in brackets takes the place of the unknown name before it
    ("Airstrikes hit targets in Zap (Kalar) region on Monday.", "kalar"),
    # a type word written in lower case is still part of the name
    ("Militants clashed with the army near lake Hamrin on Monday.", "hamrin-lake"),
])
def test_event_place_rules(small, body, place_id):
    assert one_event(small, body)["place_id"] == place_id


# --- dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("published, phrase, expected", [
    (date(2024, 5, 11), "on Tuesday", date(2024, 5, 7)),     # Saturday's paper: four days back
    (date(2023, 10, 4), "on Wednesday", date(2023, 10, 4)),  # the same day
    (date(2023, 10, 4), "on Thursday", date(2023, 9, 28)),
    (date(2024, 1, 1), "on Sunday", date(2023, 12, 31)),     # across a year
    (date(2024, 3, 1), "yesterday", date(2024, 2, 29)),      # leap day
    (date(2024, 3, 1), "today", date(2024, 3, 1)),
    (date(2022, 9, 30), "On September 27", date(2022, 9, 27)),
    (date(2022, 1, 5), "on 30 December", date(2021, 12, 30)),  # no year: the latest before
    (date(2022, 1, 5), "on 4 October 2019", date(2019, 10, 4)),
    (None, "on Tuesday", None),
    (date(2024, 1, 2), "two days ago", date(2023, 12, 31)),
    (date(2024, 1, 2), "killed 3 days ago", date(2023, 12, 30)),
    (date(2024, 1, 2), "overnight", date(2024, 1, 1)),
    (date(2024, 3, 9), "on 2024-03-01", date(2024, 3, 1)),
    (None, "on 2024-03-01", date(2024, 3, 1)),
])
def test_relative_dates(published, phrase, expected):
    m = date_pattern().search(phrase)
    assert resolve_date(m, published) == expected


def test_statement_date_is_second_best(small):
    """ "told Rudaw on Wednesday" dates the statement: used (closer than the publication) but
    flagged; without a place where something happened it makes no event at all."""
    row = one_event(small, "An IED exploded near Jalawla, officials told Rudaw on Wednesday.",
                    date(2024, 5, 11))
    assert row["event_date"] == "2024-05-08"
    assert "dated by a statement" in row["warnings"]
    events = events_from_reports([report("The head of the Jalawla council said on Wednesday "
                                         "that attacks had fallen.")], small).events
    assert len(events) == 0


def test_sentences_keep_abbreviations():
    text = "Photo taken Oct. 4, 2023. Gen. Salih met them.\n\nNext paragraph here"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Photo taken Oct. 4, 2023.", "Gen. Salih met them.", "Next paragraph here"]


# --- no place, no date, bad files --------------------------------------------------------------------

def test_event_without_a_place_is_kept_with_a_warning(small):
    row = one_event(small, "ISIS militants attacked a checkpoint on Tuesday, killing two soldiers.")
    assert row["geometry"] is None and row["place_id"] is None and row["latitude"] is None
    assert row["event_date"] == "2024-05-07"
    assert "no resolvable place" in row["warnings"]


def test_unknown_name_does_not_empty_the_report(small):
    events = events_from_reports([report(
        "Gunmen attacked a checkpoint near Zrgwez Bazhar on Monday. "
        "Later, an IED exploded in Jalawla on Tuesday.")], small).events
    assert list(events.event_type) == ["Battles", "Explosions/Remote violence"]
    assert events.iloc[0]["geometry"] is None and events.iloc[1]["place_id"] == "jalawla"


def test_no_published_date(small):
    row = one_event(small, "An IED exploded near Jalawla on Monday.", published=None)
    assert row["event_date"] is None and row["published"] is None
    assert "no published date" in row["warnings"]


def test_failures_are_counted_and_the_rest_go_on(small, tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: a\npublished: 2024-05-11\n---\n"
                                   "An IED exploded near Jalawla on Monday.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\npublished: 2024-99-11\n---\nText.\n", encoding="utf-8")
    result = events_from_inputs([tmp_path], gazetteer=small)
    assert list(result.events.report_id) == ["a"]
    assert result.failures == [f"{tmp_path}/b.md:2: field 'published': '2024-99-11' is not a date (YYYY-MM-DD)"]


# --- GeoJSON, streaming and the CLI --------------------------------------------------------------------

def write_reports(folder, n):
    folder.mkdir(exist_ok=True)
    towns = ["Jalawla", "Khanaqin", "Kalar", "Erbil"]
    for i in range(n):
        (folder / f"r{i:04d}.md").write_text(
            f"---\nid: r{i:04d}\ntitle: report {i}\npublished: 2024-05-{1 + i % 28:02d}\n---\n"
            f"An IED exploded near {towns[i % 4]} on Monday. Protesters rallied in {towns[(i + 1) % 4]}.\n",
            encoding="utf-8")


def test_geojson_is_deterministic(gazetteer, tmp_path):
    first = events_to_geojson(events_from_inputs([settings.SEEDS_DIR], gazetteer=gazetteer).events)
    second = events_to_geojson(events_from_inputs([settings.SEEDS_DIR], gazetteer=gazetteer).events)
    assert first == second
    data = json.loads(first)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    assert list(data["features"][0]["properties"]) == [c for c in EVENT_COLUMNS if c != "geometry"]


def test_streaming_in_two_processes_matches_one(tmp_path):
    write_reports(tmp_path / "many", 70)
    one = [e for item in iter_events([tmp_path / "many"], workers=1) for e in item.events]
    two = [e for item in iter_events([tmp_path / "many"], workers=2) for e in item.events]
    assert len(one) == 140
    assert [e["event_id"] for e in one] == [e["event_id"] for e in two]
    assert [e["geometry"] for e in one] == [e["geometry"] for e in two]


def test_cli_events_writes_the_same_bytes_as_the_api(gazetteer, tmp_path):
    out = tmp_path / "events.geojson"
    result = CliRunner().invoke(main, ["events", str(settings.SEEDS_DIR), "-o", str(out)])
    assert result.exit_code == 0, result.output
    api = events_to_geojson(events_from_inputs([settings.SEEDS_DIR], gazetteer=gazetteer).events)
    assert out.read_text(encoding="utf-8") == api


def test_cli_events_all_failed(tmp_path):
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", str(tmp_path / "bad.json")])
    assert result.exit_code == 1
    assert f"geo: report error: {tmp_path}/bad.json:1: bad JSON" in result.output
    assert "geo: 1 of 1 report(s) failed" in result.output


def test_cli_parse_json_from_stdin():
    body = json.dumps({"id": "s1", "published": "2024-05-11",
                       "body": "A meeting was held in Sulaimani on Tuesday."})
    result = CliRunner().invoke(main, ["parse", "-", "--json"], input=body)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data[0]["report"]["id"] == "s1"
    assert [(m["text"], m["place_id"], m["role"]) for m in data[0]["mentions"]] == \
        [("Sulaimani", "sulaimani", "event")]


# --- the rule files are checked --------------------------------------------------------------------

@pytest.mark.parametrize("name, text, message", [
    ("rules.yaml", "rules:\n  - {event_type: Skirmish, sub_event_type: x, keywords: [a]}\n",
     "rules.yaml: rules[0]: field 'event_type': 'Skirmish' is not one of ACLED's types"),
    ("rules.yaml", "rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: []}\n",
     "rules.yaml: rules[0]: field 'keywords': expected a non-empty list"),
    ("rules.yaml", "rules: [\n", "rules.yaml:2: bad YAML"),
    ("actors.csv", "actor,kind,aliases,note\nIslamic State,rebel,,\n", "actors.csv:2: field 'aliases' is empty"),
])
def test_bad_rule_files(tmp_path, name, text, message):
    from geo._errors import ReportError
    from geo._geoparse_rules import actors, event_rules

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        (actors if name.endswith(".csv") else event_rules)(path)
    assert str(err.value).startswith(f"{tmp_path}/{message}")


def test_progress_bar_on_request_and_failures_listed(tmp_path, capsys):
    write_reports(tmp_path / "few", 3)
    (tmp_path / "few" / "bad.md").write_text("---\npublished: soon\n---\nText.\n", encoding="utf-8")
    failures: list[str] = []
    items = list(iter_events([tmp_path / "few"], failures=failures, progress=True))
    assert [i.report_id for i in items] == ["r0000", "r0001", "r0002"]
    assert failures == [f"{tmp_path}/few/bad.md:2: field 'published': 'soon' is not a date (YYYY-MM-DD)"]


def test_cli_parse_text_output():
    result = CliRunner().invoke(main, ["parse", str(settings.SEEDS_DIR / "2024-05-11-joint-operations-sulaimani.md")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("seed-2024-05-11-sulaimani-meeting  2024-05-11  -  ")
    assert any(" event    'Sulaimani' -> Sulaimani (city)" in line for line in lines)


# --- who did what, where: realistic sentences through the built-in gazetteer ---------------------
# Each: the text, then (event_type, sub_event_type, actor1, actor2, place_id, geo_precision) of
# every event, in text order. Published Saturday 9 March 2024.

ISF, PESH, IS = "Military Forces of Iraq", "Military Forces of Iraq (Peshmerga)", "Islamic State (Iraq)"
AIR, POLICE, CIV = "Military Forces of Iraq (Iraqi Air Force)", "Police Forces of Iraq", "Civilians (Iraq)"
UNID, TURKEY = "Unidentified Armed Group (Iraq)", "Military Forces of Turkey"
EXPL, AIRSTRIKE, IED = "Explosions/Remote violence", "Air/drone strike", "Remote explosive/landmine/IED"

CODED = [
    ("Iraqi Air Force F-16s struck ISIS hideouts in the Hamrin mountains on Thursday.",
     [(EXPL, AIRSTRIKE, AIR, IS, "hamrin-mountains", 3)]),
    ("Turkish drones struck a car in Sinjar district on Monday.",
     [(EXPL, AIRSTRIKE, TURKEY, "", "sinjar-district", 2)]),
    ("Iraqi warplanes pounded ISIS hideouts near Makhmour on Sunday.",
     [(EXPL, AIRSTRIKE, AIR, IS, "makhmour", 2)]),
    # bare "soldiers" in a report about Iraq: Iraq's army (data/event_rules.yaml), and a known
    # target with no one named behind it gets the unidentified armed group
    ("Two soldiers were killed in Kirkuk's Hawija district on Monday.",
     [("Battles", "Armed clash", UNID, ISF, "hawija-district", 2)]),
    ("A car bomb hit the Kirkuk-Erbil road near Altun Kupri on Friday.",
     [(EXPL, IED, UNID, "", "altun-kupri", 2)]),
    ("Mahmoud Khanaqin told reporters in Baghdad on Monday that an IED exploded near Kifri.",
     [(EXPL, IED, UNID, "", "kifri", 2)]),
    ("Two shepherds were kidnapped near Tuz Khurmatu on Saturday by ISIS militants, police said.",
     [("Violence against civilians", "Abduction/forced disappearance", IS, CIV, "tuz-khurmatu", 2)]),
    ("A roadside bomb struck a Federal Police patrol near Daquq on Tuesday.",
     [(EXPL, IED, UNID, POLICE, "daquq", 2)]),
    ("An IED wounded two Peshmerga near Makhmour on Monday.",
     [(EXPL, IED, UNID, PESH, "makhmour", 2)]),
    ("An explosion killed a child in Daquq on Friday. Officials in Erbil and Baghdad condemned the attack.",
     [(EXPL, IED, UNID, CIV, "daquq", 1)]),
    ("Clashes erupted in Kirkuk last week. A day earlier an IED exploded in Hawija. "
     "Yesterday a rocket hit Tuz Khurmatu.",
     [("Battles", "Armed clash", "", "", "kirkuk", 1), (EXPL, IED, UNID, "", "hawija", 1),
      (EXPL, "Shelling/artillery/missile attack", UNID, "", "tuz-khurmatu", 1)]),
    ("On Monday an IED exploded in Kirkuk. On Monday another IED exploded in Sinjar.",
     [(EXPL, IED, UNID, "", "kirkuk", 1), (EXPL, IED, UNID, "", "sinjar", 1)]),
    ("Gunmen shot dead a shepherd near Jalawla on Tuesday, the Diyala police said.",
     [("Violence against civilians", "Attack", UNID, CIV, "jalawla", 2)]),
    ("ISIS militants attacked a Peshmerga post in Qarachogh on Monday.",
     [("Battles", "Armed clash", IS, PESH, "qarachogh", 3)]),
    ("Forces of the Tuz Khurmatu and Sleman Bag Operations Command raided an ISIS hideout on Monday.",
     [("Battles", "Armed clash", ISF, IS, "tuz-khurmatu-sleman-bag-operations-command", 2)]),
    ("Protesters gathered in Kirkuk city on Sunday.",
     [("Protests", "Peaceful protest", "Protesters (Iraq)", "", "kirkuk", 1)]),
    ("Peshmerga and PMF fighters exchanged fire in Tuz Khurmatu on Sunday.",
     [("Battles", "Armed clash", PESH, "Military Forces of Iraq (Popular Mobilization Forces)", "tuz-khurmatu", 1)]),
    ("Turkish jets struck PKK positions near Sinjar on Sunday.",
     [(EXPL, AIRSTRIKE, TURKEY, "PKK: Kurdistan Workers Party", "sinjar", 2)]),
    ("Clashes broke out in Jalawla on Monday between ISIS militants and the Iraqi army.",
     [("Battles", "Armed clash", IS, ISF, "jalawla", 1)]),
    ("Two Asayish officers were wounded when an unknown assailant threw a hand grenade at their "
     "car in Sulaimani on Monday.",
     [(EXPL, "Grenade", UNID, "Asayish (Kurdistan Region)", "sulaimani", 1)]),
    ("A roadside bomb killed two soldiers near Hawija on Monday. ISIS claimed responsibility for "
     "the attack on Tuesday.",
     [(EXPL, IED, UNID, ISF, "hawija", 2)]),
    ("The Sinjar Agreement, signed in October 2020 between Baghdad and Erbil, was never carried out.", []),
    ("Protesters stormed and set fire to the former KDP headquarters in Kirkuk on Saturday, clashing "
     "with Kurdish demonstrators.",
     [("Riots", "Violent demonstration", "Rioters (Iraq)", "", "kirkuk", 1)]),
    ("Police fired tear gas to disperse protesters in Kirkuk on Sunday.",
     [("Protests", "Protest with intervention", POLICE, "Protesters (Iraq)", "kirkuk", 1)]),
    ("Protesters gathered outside the Kirkuk governorate building on Sunday.",  # outside: near
     [("Protests", "Peaceful protest", "Protesters (Iraq)", "", "kirkuk", 2)]),
    ("A drone struck a car near Makhmour refugee camp on Monday.",  # the camp has its own row
     [(EXPL, AIRSTRIKE, "", "", "makhmour-camp", 2)]),
    ("An IED exploded in Hawija on Monday, killing 2. On Friday, a rocket hit a base near Tuz Khurmatu.",
     [(EXPL, IED, UNID, "", "hawija", 1), (EXPL, "Shelling/artillery/missile attack", UNID, "", "tuz-khurmatu", 2)]),
    ("Iraqi army intelligence seized a rocket launcher and defused two IEDs near Tuz Khurmatu on Monday.",
     [("Strategic developments", "Disrupted weapons use", ISF, "", "tuz-khurmatu", 2)]),
    ("ISIS militants attacked a Federal Police post with RPGs near Daquq on Monday.",
     [(EXPL, "Shelling/artillery/missile attack", IS, POLICE, "daquq", 2)]),
    ("Unidentified gunmen shot and killed a teacher in Muqdadiya on Sunday.",
     [("Violence against civilians", "Attack", UNID, CIV, "muqdadiya", 1)]),
    ("Gunmen shot dead an off-duty Iraqi soldier near his home in Hawija on Tuesday.",
     [("Violence against civilians", "Attack", UNID, ISF, "hawija", 1)]),
    ("The body of a shepherd was found near Jalawla on Sunday.",
     [("Violence against civilians", "Attack", UNID, CIV, "jalawla", 2)]),
    ("Security sources reported three attacks in Kirkuk province over the weekend:\n"
     "- On Saturday, gunmen attacked the village of Zanqar.\n"
     "- On Sunday, an IED struck an Iraqi army patrol in Wadi al-Shay.",
     [("Battles", "Armed clash", UNID, "", "zanqar", 1), (EXPL, IED, UNID, ISF, "wadi-al-shay", 3)]),
]


@pytest.mark.parametrize("text,expected", CODED, ids=[c[0][:40] for c in CODED])
def test_sentences_are_coded_as_an_analyst_would(text, expected):
    events = events_from_reports([report(text, date(2024, 3, 9))]).events
    got = [(e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"], e["place_id"], e["geo_precision"])
           for e in events.to_dict(orient="records")]
    assert got == expected


def test_a_report_without_an_event_is_said_so_on_the_command_line(tmp_path):
    path = tmp_path / "calm.md"
    path.write_text("---\nid: calm\npublished: 2024-03-09\n---\nThe weather in Kirkuk was mild.\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["events", str(path)])
    assert result.exit_code == 0
    assert "geo: warning: calm: no event found in the text" in result.stderr
    assert "1 with no event: calm" in result.stderr


def test_an_event_without_a_place_has_no_precision():
    events = events_from_reports([report("On Monday ISIS attacked a checkpoint.", date(2024, 3, 9))]).events
    row = events.iloc[0]
    assert row["geometry"] is None and row["geo_precision"] is None and row["where_prec"] is None


def test_one_big_json_lines_file_streams_on_two_workers_in_input_order(tmp_path):
    path = tmp_path / "many.jsonl"
    lines = [json.dumps({"id": f"r{i}", "published": "2024-03-09",
                         "body": f"On Monday an IED exploded near {town}."})
             for i, town in enumerate(["Kirkuk", "Daquq", "Kifri", "Jalawla"] * 25)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = [(i.report_id, e["place_id"]) for i in iter_events([path], workers=1) for e in i.events]
    two = [(i.report_id, e["place_id"]) for i in iter_events([path], workers=2) for e in i.events]
    assert one == two and len(one) == 100 and one[0] == ("r0", "kirkuk") and one[-1] == ("r99", "jalawla")


def test_csv_on_standard_input_is_sniffed_or_forced():
    csv_text = 'id,published,body\nc1,2024-04-01,"On Monday an IED exploded near Makhmour."\n'
    for args in (["events", "-"], ["events", "-", "--input-format", "csv"]):
        result = CliRunner().invoke(main, args, input=csv_text)
        assert result.exit_code == 0, result.stderr
        features = json.loads(result.stdout)["features"]
        assert [f["properties"]["report_id"] for f in features] == ["c1"]
        assert features[0]["properties"]["place_id"] == "makhmour"
    forced = CliRunner().invoke(main, ["parse", "-", "--input-format", "json"], input=csv_text)
    assert forced.exit_code == 1 and "<stdin>:1:" in forced.stderr and "JSON" in forced.stderr


def test_the_dateline_date_is_not_the_event_date(tmp_path):
    from geo.reports import parse_report_text

    text = ("---\nid: r\npublished: 2024-01-08\n---\n"
            "KIRKUK, Iraq, Jan 8 (Reuters) - A bomb exploded in Hawija on Sunday, police said.\n")
    events = events_from_reports([parse_report_text(text)]).events
    assert list(events["event_date"]) == ["2024-01-07"]
    assert list(events["place_id"]) == ["hawija"]


@pytest.mark.parametrize("text, date_, warning", [
    ("An IED exploded in Kirkuk on 31 February.", "2024-03-09", "date '31 February' ignored (no such day)"),
    ("Iraqi forces killed three ISIS militants in the Hamrin mountains in December 2023.", "2023-12-01",
     "only the month is known (December 2023): dated to its first day"),
])
def test_impossible_and_month_only_dates_say_so(text, date_, warning):
    events = events_from_reports([report(text, date(2024, 1, 8) if "December" in text else date(2024, 3, 9))]).events
    assert list(events["event_date"]) == [date_]
    assert warning in events.iloc[0]["warnings"]


def test_an_event_with_no_place_and_no_date_says_both():
    events = events_from_reports([report("ISIS attacked a checkpoint on Monday.", None)]).events
    warnings = events.iloc[0]["warnings"]
    assert "no resolvable place" in warnings and "no published date" in warnings


def test_events_output_is_replaced_only_by_a_complete_run(tmp_path):
    out = tmp_path / "events.geojson"
    out.write_text('{"earlier": true}\n', encoding="utf-8")
    failed = CliRunner().invoke(main, ["events", str(tmp_path / "missing.md"), "-o", str(out)])
    assert failed.exit_code == 1 and "missing.md: no such file or folder" in failed.stderr
    assert "wrote" not in failed.stderr
    assert out.read_text(encoding="utf-8") == '{"earlier": true}\n'  # kept as it was
    assert [p.name for p in tmp_path.iterdir()] == ["events.geojson"]  # no temporary file left
    done = CliRunner().invoke(main, ["events", str(settings.SEEDS_DIR), "-o", str(out)])
    assert done.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["features"]
    nowhere = CliRunner().invoke(main, ["events", str(settings.SEEDS_DIR), "-o", str(tmp_path / "no" / "x.geojson")])
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr


@pytest.mark.parametrize("command", [["events"], ["parse"], ["zones", "--events"]])
def test_a_folder_with_no_report_is_an_error_not_an_empty_result(tmp_path, command):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    result = CliRunner().invoke(main, [*command, str(tmp_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"geo: error: no report found in {tmp_path} (report files end in .md" in result.stderr


# --- weeks, days counted from another event, holidays ------------------------------------------
# Published Saturday 9 March 2024 unless the row says otherwise. Each row: the report text, then
# (event_date, place_id, the date warning or "") of every event, in text order.

DATED = [
    # "last week": ACLED's time precision 2 (a specific week); the same weekday a week before
    # publication, always a day of the previous calendar week, and the warning says so
    ("Clashes erupted in Kirkuk last week.",
     [("2024-03-02", "kirkuk", "only the week is known (last week): dated a week before publication")]),
    # days counted from the nearest dated event before them, in the report's own time
    ("On Monday an IED exploded in Kirkuk. The next day gunmen attacked a checkpoint in Hawija. "
     "Two days later a rocket hit Tuz Khurmatu.",
     [("2024-03-04", "kirkuk", ""), ("2024-03-05", "hawija", ""), ("2024-03-07", "tuz-khurmatu", "")]),
    ("Gunmen attacked a checkpoint in Hawija on Thursday. A day earlier an IED exploded in Kirkuk.",
     [("2024-03-07", "hawija", ""), ("2024-03-06", "kirkuk", "")]),
    ("An IED exploded in Kirkuk on 5 March. The previous day, a rocket hit Tuz Khurmatu.",
     [("2024-03-05", "kirkuk", ""), ("2024-03-04", "tuz-khurmatu", "")]),
    ("An IED exploded in Kirkuk on 5 March. The day before, gunmen attacked a checkpoint in Hawija.",
     [("2024-03-05", "kirkuk", ""), ("2024-03-04", "hawija", "")]),
    # from an event known only to its week: known only to the week too
    ("Clashes erupted in Kirkuk last week. A day earlier an IED exploded in Hawija. "
     "Yesterday a rocket hit Tuz Khurmatu.",
     [("2024-03-02", "kirkuk", "only the week is known (last week): dated a week before publication"),
      ("2024-03-01", "hawija", "only the week is known ('A day earlier' counted from an event dated "
                               "only to its week)"),
      ("2024-03-08", "tuz-khurmatu", "")]),
    # no dated event before it: counted from the published date, with a warning
    ("The day before, an IED exploded in Hawija.",
     [("2024-03-08", "hawija", "'The day before' counted from the published date: no dated event before it")]),
    # an explicit date in the same sentence wins over the counted one
    ("An IED exploded in Kirkuk on Monday. The next day, on 7 March, a rocket hit Tuz Khurmatu.",
     [("2024-03-04", "kirkuk", ""), ("2024-03-07", "tuz-khurmatu", "")]),
    # "the next day" of the day of writing has not happened yet: ignored
    ("An IED exploded in Kirkuk today. The next day a rocket hit Tuz Khurmatu.",
     [("2024-03-09", "kirkuk", ""),
      ("2024-03-09", "tuz-khurmatu", "date 'The next day' ignored (after the published date); "
                                     "no date in the event's sentences: the published date is used")]),
    ("The day before yesterday an IED exploded in Hawija.", [("2024-03-07", "hawija", "")]),
    # fixed-date holidays (data/holidays.yaml): the latest such day on or before publication
    ("An IED exploded in Hawija on Christmas Day.", [("2023-12-25", "hawija", "")]),
    ("Gunmen attacked a checkpoint near Kirkuk on New Year’s Day.", [("2024-01-01", "kirkuk", "")]),
    ("Protesters gathered in Kirkuk on Nowruz.", [("2023-03-21", "kirkuk", "")]),
    ("Protesters gathered in Kirkuk on Newroz 2022.", [("2022-03-21", "kirkuk", "")]),
    # a holiday as a point of reference dates nothing ...
    ("Gunmen attacked a checkpoint in Kirkuk ahead of Nowruz.",
     [("2024-03-09", "kirkuk", "no date in the event's sentences: the published date is used")]),
    # ... and a moveable holiday is never dated (its day changes every year)
    ("Gunmen attacked a checkpoint in Kirkuk during Eid al-Fitr.",
     [("2024-03-09", "kirkuk", "no date in the event's sentences: the published date is used")]),
]


@pytest.mark.parametrize("text, expected", DATED, ids=[d[0][:40] for d in DATED])
def test_weeks_counted_days_and_holidays(text, expected):
    events = events_from_reports([report(text, date(2024, 3, 9))]).events
    assert [(e["event_date"], e["place_id"], e["warnings"]) for e in events.to_dict(orient="records")] == expected


@pytest.mark.parametrize("published, phrase, expected", [
    (date(2024, 3, 9), "last week", date(2024, 3, 2)),
    (date(2024, 3, 4), "last week", date(2024, 2, 26)),          # a Monday: the Monday before
    (date(2024, 3, 9), "a day earlier", date(2024, 3, 8)),       # no anchor: the published date
    (date(2024, 3, 9), "three days later", date(2024, 3, 12)),   # resolve_date does not judge
    (date(2024, 12, 24), "on Christmas Day", date(2023, 12, 25)),  # not yet this year
    (date(2024, 12, 25), "on Christmas Day", date(2024, 12, 25)),  # the day itself
    (date(2024, 1, 1), "on New Years Day", date(2024, 1, 1)),
    (date(2024, 3, 20), "on Nowruz", date(2023, 3, 21)),
    (None, "on Nowruz", None),
    (None, "on Christmas Day 2019", date(2019, 12, 25)),
    (None, "last week", None),
])
def test_resolve_week_and_holiday_dates(published, phrase, expected):
    assert resolve_date(date_pattern().search(phrase), published) == expected


def test_days_counted_from_an_event_use_its_date():
    m = date_pattern().search("two days later")
    assert resolve_date(m, date(2024, 3, 9), anchor=date(2024, 3, 1)) == date(2024, 3, 3)


def test_a_counted_day_after_an_event_with_no_date_is_unknown():
    events = events_from_reports([report("On Monday an IED exploded in Kirkuk. The next day a rocket "
                                         "hit Tuz Khurmatu.", None)]).events
    assert list(events["event_date"]) == [None, None]
    assert "relative date with no published date to count from" in events.iloc[1]["warnings"]


def test_the_built_in_holidays_are_fixed_days_only():
    from geo.events import holidays

    names = {h.name for h in holidays().by_alias.values()}
    assert names == {"New Year's Day", "New Year's Eve", "Christmas Day", "Christmas Eve", "Nowruz"}
    assert not any("eid" in alias for alias in holidays().by_alias)


# --- soldiers without a nationality; who disrupted weapons --------------------------------------

TURKEY, IRAN, PKK = "Military Forces of Turkey", "Military Forces of Iran", "PKK: Kurdistan Workers Party"
DWU = ("Strategic developments", "Disrupted weapons use")

ACTORS = [
    # bare soldiers, troops, army: Iraq's army in a report about Iraq
    ("Soldiers clashed with ISIS militants near Hawija on Monday.", ("Battles", "Armed clash", ISF, IS)),
    ("The army shelled ISIS hideouts in the Hamrin mountains on Monday.",
     (EXPL, "Shelling/artillery/missile attack", ISF, IS)),
    ("ISIS militants attacked troops near Daquq on Monday.", ("Battles", "Armed clash", IS, ISF)),
    ("A soldier was killed when an IED exploded near Tuz Khurmatu on Monday.", (EXPL, IED, UNID, ISF)),
    # another state's military on the soldiers' side of the event: that one
    ("Turkish forces advanced near Zakho on Monday and soldiers clashed with PKK fighters.",
     ("Battles", "Armed clash", TURKEY, PKK)),
    ("PKK fighters attacked Turkish forces near Zakho on Monday, wounding three soldiers.",
     ("Battles", "Armed clash", PKK, TURKEY)),
    # ... but on the other side they are Iraq's: a Turkish drone does not strike Turkish soldiers
    ("A Turkish drone killed two soldiers near Sinjar on Monday.", (EXPL, AIRSTRIKE, TURKEY, ISF)),
    ("Iranian artillery shelled a border post near Penjwen on Monday, wounding two soldiers.",
     (EXPL, "Shelling/artillery/missile attack", IRAN, ISF)),
    # not bare: a named actor's own soldiers, a nationality, a capitalised name
    ("Two Peshmerga soldiers were wounded near Makhmour on Monday.", ("Battles", "Armed clash", UNID, PESH)),
    ("Syrian troops were deployed near Sinjar on Monday.",
     ("Strategic developments", "Other", "Military Forces of Syria", "")),
    ("Coalition troops visited Erbil on Monday.",
     ("Strategic developments", "Other", "Global Coalition Against Daesh", "")),
    # a source is not a party, bare or not
    ("An IED exploded near Hawija on Monday, the army said.", (EXPL, IED, UNID, "")),
    # Disrupted weapons use: actor1 disrupted the weapons, their author is actor2 at most
    ("Explosive devices planted by IS were defused by security forces in Kirkuk on Monday.", (*DWU, ISF, IS)),
    ("Security forces defused three IEDs planted by ISIS near Hawija on Monday.", (*DWU, ISF, IS)),
    ("IEDs planted by ISIS were defused near Hawija on Monday.", (*DWU, ISF, IS)),  # no one named: the state's forces
    ("Peshmerga forces found a weapons cache belonging to ISIS near Makhmour on Monday.", (*DWU, PESH, IS)),
    # in an explosion the author of the device did it
    ("An IED planted by ISIS militants killed two soldiers near Hawija on Monday.", (EXPL, IED, IS, ISF)),
    # a count and a casualty word after the keyword are the toll, not the deed ...
    ("An IED exploded near Hawija on Monday, leaving two soldiers wounded.", (EXPL, IED, UNID, ISF)),
    ("An IED exploded near Makhmour on Monday, leaving three Peshmerga wounded.", (EXPL, IED, UNID, PESH)),
    ("ISIS militants attacked a checkpoint near Hawija on Monday, two soldiers killed.",
     ("Battles", "Armed clash", IS, ISF)),
    # ... unlike "an ISIS attack"
    ("Peshmerga repelled an ISIS attack near Makhmour on Monday.", ("Battles", "Armed clash", IS, PESH)),
    # who struck the bomb suffered it; who set it off did it
    ("An army patrol struck a roadside bomb near Hawija on Monday.", (EXPL, IED, UNID, ISF)),
    ("A soldier stepped on a landmine near Makhmour on Monday.", (EXPL, IED, UNID, ISF)),
    ("A Peshmerga vehicle hit an IED near Makhmour on Monday.", (EXPL, IED, UNID, PESH)),
    ("ISIS militants set off an IED near a checkpoint in Hawija on Monday.", (EXPL, IED, IS, "")),
]


@pytest.mark.parametrize("text, expected", ACTORS, ids=[a[0][:40] for a in ACTORS])
def test_bare_soldiers_and_weapon_authors(text, expected):
    events = events_from_reports([report(text, date(2024, 3, 9))]).events
    assert [(e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"])
            for e in events.to_dict(orient="records")] == [expected]


@pytest.mark.parametrize("text, message", [
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "bare_military_words: [soldiers]\nbare_military_actor: Iraqi Army\n",
     "field 'bare_military_actor': 'Iraqi Army' is not an actor of"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "bare_military_words: [soldiers]\n",
     "field 'bare_military_actor': missing (bare_military_words need the actor they stand for)"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "bare_military_actor: Military Forces of Iraq\nbare_military_others: [Turkish army]\n",
     "field 'bare_military_others': 'Turkish army' is not an actor of"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "anaphora_nouns: [town]\n",
     "field 'anaphora_nouns': expected a mapping of a word to a list of place types"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "anaphora_nouns: {town: []}\n",
     "field 'anaphora_nouns', 'town': expected a list of place types"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "anaphora_nouns: {town: [town, hamlet]}\n",
     "field 'anaphora_nouns', 'town': unknown place type hamlet (known: "),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "anaphora_nouns: {town: [town]}\nanaphora_vicinity: [area]\n",
     "field 'anaphora_vicinity': 'area' is not a word of anaphora_nouns"),
    ("rules:\n  - {event_type: Battles, sub_event_type: Armed clash, keywords: [clash]}\n"
     "disruption_sub_event_types: [Disrupted weapon use]\n",
     "field 'disruption_sub_event_types': 'Disrupted weapon use' is not the sub_event_type of "
     "any rule (Armed clash)"),
])
def test_bad_event_rule_extras(tmp_path, text, message):
    from geo._errors import ReportError
    from geo.events import event_rule_extras

    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError) as err:
        event_rule_extras(path)
    assert str(err.value).startswith(f"{path}: {message}")


# A place named again by its kind only ("in the town"): the nearest earlier place of a type the
# word allows (data/event_rules.yaml anaphora_nouns), with a warning saying which was taken.
ANAPHORA = [
    ("Security forces arrived in Tuz Khurmatu on Monday, coming from Kirkuk. On Tuesday, an IED "
     "exploded in the town, killing two civilians.", "Tuz Khurmatu", 1, "'the town'"),
    ("Officials in Erbil said Daquq had been quiet for weeks. On Friday ISIS militants attacked "
     "a checkpoint near the town, killing a soldier.", "Daquq", 2, "'the town'"),
    ("Peshmerga forces entered Daquq district on Sunday. On Monday, ISIS fighters shelled the "
     "area, wounding three Peshmerga.", "Daquq", 2, "'the area'"),
    # a word after the noun; an undated sentence that only says "in the town" is still an event
    ("Peshmerga forces entered Daquq on Sunday.\n\nOn Monday ISIS militants attacked a checkpoint "
     "near the town with mortars.", "Daquq", 2, "'the town'"),
    ("Peshmerga forces entered Daquq on Sunday. An IED exploded in the town, killing two civilians.",
     "Daquq", 1, "'the town'"),
    # the surroundings: near the place (precision 2)
    ("ISIS fighters were seen near Hawija on Sunday. On Monday an IED exploded in the area, "
     "killing a shepherd.", "Hawija", 2, "'the area'"),
    # the word's own type first: the village named before, not the town named after it
    ("ISIS fighters were seen in the village of Bashir near Tuz Khurmatu on Sunday. On Monday "
     "they attacked a checkpoint in the village, killing a soldier.", "Bashir", 1, "'the village'"),
    # Named in the sentence itself: no borrowing, no warning.
    ("Clashes were reported in Kirkuk. On Monday an IED exploded in the town of Hawija.",
     "Hawija", 1, None),
]


@pytest.mark.parametrize("text, location, precision, phrase", ANAPHORA, ids=[a[0][:40] for a in ANAPHORA])
def test_a_place_named_by_its_kind_is_the_one_named_before(text, location, precision, phrase):
    events = events_from_reports([report(text, date(2024, 5, 11))]).events.to_dict(orient="records")
    last = events[-1]
    assert (last["location"], last["geo_precision"]) == (location, precision)
    taken = [w for w in last["warnings"].split("; ") if w.startswith("place taken from 'the")]
    if phrase is None:
        assert taken == []
    else:
        assert len(taken) == 1 and taken[0].startswith(f"place taken from {phrase} in the event's "
                                                       f"sentence: {location}")


def test_the_towns_mayor_is_not_a_place_in_the_town():
    events = events_from_reports([report("Daquq was calm. On Monday the town's mayor said "
                                         "ISIS attacked a checkpoint.", date(2024, 5, 11))]).events
    assert "in the event's sentence" not in events.iloc[0]["warnings"]


def test_a_place_named_by_its_kind_keeps_its_own_event():
    """'In the town' is found before events are grouped: the IED in Sinjar is not the one
    in Kirkuk on the same day."""
    text = ("On Monday an IED exploded in Kirkuk, killing a policeman. Peshmerga forces later "
            "entered Sinjar. On Monday another IED exploded in the town, killing two civilians.")
    events = events_from_reports([report(text, date(2024, 5, 11))]).events
    assert list(events["location"]) == ["Kirkuk", "Sinjar"]


def _report_events(body: str, published: str = "2024-08-12"):
    from geo.reports import parse_report_text

    text = f"---\nid: r\npublished: {published}\n---\n{body}\n"
    return events_from_reports([parse_report_text(text)]).events


def test_a_claim_does_not_join_an_event_that_says_it_is_another():
    # The lede is a claim ("reported that"); the next sentence is a second strike elsewhere.
    events = _report_events(
        "SULAIMANI - A local reporter said that a drone struck a car in Penjwen, killing both "
        "men inside. Another car was hit by a drone on Friday in Dukan District.")
    assert list(events["place_id"])[:2] == ["penjwen", "dukan-district"], list(events["place_id"])


def test_a_claim_far_from_the_event_told_is_an_event_of_its_own():
    # Two shellings of one type, about 170 km apart: the claim about Qaladze is not the
    # shelling of Kani Masi the report tells in its own words.
    events = _report_events(
        "Local officials said on Sunday that villages near Qaladze had been shelled by Turkish "
        "artillery. On Saturday, Turkish artillery shelled Kani Masi, causing no casualties.")
    assert len(events) == 2 and set(events["place_id"]) == {"qaladze", "kani-masi"}, \
        list(events["place_id"])


def test_a_claim_near_the_event_told_is_the_same_event():
    # "a village in north-western Kirkuk" and Dibis, some 40 km apart: one raid told twice.
    events = _report_events(
        "An official said that on Tuesday ISIS gunmen raided a village in north-western Kirkuk. "
        "According to the mayor, the gunmen stormed a village in Dibis early in the morning "
        "and killed four people.", published="2024-07-18")
    assert len(events) == 1, list(events["place_id"])


def test_a_third_day_running_is_not_another_event():
    from geo.events.rules import _rules

    rules = _rules()
    assert rules.other_event.search("Another vehicle was hit by a drone")
    assert rules.other_event.search("In a separate incident, a bomb went off")
    assert not rules.other_event.search("For a third day running, jets struck the area")


def test_a_wof_village_outside_every_province_the_report_names_is_a_namesake():
    # Wusaytah is, in the WOF tier, only a village near Basra: in a report about Kirkuk
    # province it is the same name of another place, and the district named wins.
    from geo.gazetteer import Gazetteer

    gaz = Gazetteer.default()
    hits = gaz.resolve("Wusaytah")
    if not hits or getattr(getattr(hits[0], "place", hits[0]), "tier", "") != "wof":
        pytest.skip("the WOF tier is not built in this checkout (tools/build_wof_tier.py)")
    basra_village = getattr(hits[0], "place", hits[0]).id
    events = _report_events(
        "Gunmen attacked a checkpoint in Wusaytah on Sunday, killing two soldiers. Security "
        "officials in Hawija, in Kirkuk province, said the attackers fled.")
    assert len(events) and basra_village not in list(events["place_id"]), list(events["place_id"])
