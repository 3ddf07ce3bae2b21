"""The WOF tier: building it from Who's On First records, the tiers and their merging, types,
admin units, the shipped file, and the geoparser's gating of bulk-tier names."""
from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
import yaml

from geo import settings
from geo._errors import GazetteerError
from geo.gazetteer import Gazetteer, read_places_file
from geo.events import parse_report
from geo.reports import Report, parse_report_text, read_report_file
from geo.wof import OchaAdmin, import_wof, read_wof_records, wof_rows, write_tier

HEADER = ("id,name,type,lat,lon,governorate,district,governorate_krg,district_krg,population,"
          "name_ar,name_ckb,name_kmr,aliases,source,note\n")


def record(wof_id, name, code="PPL", lat=35.0, lon=44.0, pop=0, gid=None, **extra):
    """A WOF locality record's properties, as the repository's GeoJSON files hold them."""
    props = {"wof:id": wof_id, "wof:name": name, "wof:placetype": "locality", "wof:country": "IQ",
             "geom:latitude": lat, "geom:longitude": lon, "gn:feature_code": code,
             "gn:population": pop, "gn:geonameid": gid if gid is not None else wof_id + 1,
             "gn:admin1_code": "13.0", "wof:superseded_by": []}
    props.update(extra)
    return props


# --- records -> rows -----------------------------------------------------------------------------

@pytest.mark.parametrize("code, pop, ptype, status", [
    ("PPL", 0, "village", ""),
    ("PPL", 25000, "town", ""),
    ("PPL", 250000, "city", ""),
    ("PPLA2", 0, "town", ""),       # a district's seat
    ("PPLA", 0, "city", ""),        # a governorate's seat
    ("PPLL", 0, "village", ""),     # a populated locality
    ("PPLQ", 0, "village", "abandoned"),
    ("PPLW", 0, "village", "destroyed"),
])
def test_types_and_status_from_the_feature_code(code, pop, ptype, status):
    row = wof_rows([record(1, "Kani Sard", code, pop=pop)])[0]
    assert (row["type"], row["status"]) == (ptype, status)


def test_superseded_deprecated_and_other_placetypes_are_left_out():
    rows = wof_rows([
        record(1, "Kept"),
        record(2, "Old", **{"wof:superseded_by": [1]}),
        record(3, "Gone", **{"edtf:deprecated": "2018-08-15"}),
        {**record(4, "A district"), "wof:placetype": "county"},
    ])
    assert [r["name"] for r in rows] == ["Kept"]


def test_names_go_to_their_script_columns():
    row = wof_rows([record(
        10, "Kaystah", **{"gn:name": "Kaystah", "name:ara_x_preferred": ["كيسته"],
                          "name:kur_x_preferred": ["Kîste"], "name:kur_x_variant": ["كێستە", "Kêste"],
                          "name:und_x_variant": ["Kista", "Kesta", "9", "Ka"],
                          "name:fas_x_preferred": ["کیسته"]})])[0]
    assert row["name_ar"] == "كيسته"
    assert row["name_ckb"] == "كێستە"
    assert row["name_kmr"] == "Kîste|Kêste"
    assert row["aliases"] == "Kista|Kesta"  # digits and two letters name nothing
    assert row["source"] == "wof:10;geonames:11"


def test_two_records_of_one_geonames_place_make_one_row_with_both_names():
    rows = wof_rows([record(5, "Irbil", gid=95446, **{"gn:feature_code": None, "gn:fcode": "PPLA"}),
                     record(7, "Erbil", "PPLA", gid=95446, **{"name:eng_x_variant": ["Hawler"]})])
    assert len(rows) == 1
    row = rows[0]
    # The record with GeoNames' own feature code leads; the other's names become aliases.
    assert (row["id"], row["name"], row["type"]) == ("wof-7", "Erbil", "city")
    assert "Irbil" in row["aliases"].split("|") and "Hawler" in row["aliases"].split("|")
    assert "wof:5" in row["note"]


def test_points_outside_iraq_are_skipped_and_named():
    skipped = []
    assert wof_rows([record(1, "Paris", lat=48.85, lon=2.35)], skipped=skipped) == []
    assert skipped == ["wof:1: 48.85, 2.35 is outside Iraq; record skipped"]


# --- files: archive, folder, the tier file -------------------------------------------------------

def _archive(tmp_path, records, broken=()):
    path = tmp_path / "wof.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for props in records:
            data = json.dumps({"type": "Feature", "properties": props}).encode()
            info = tarfile.TarInfo(f"whosonfirst-data-admin-iq/data/{props['wof:id']}.geojson")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in broken:
            info = tarfile.TarInfo(f"whosonfirst-data-admin-iq/data/{name}.geojson")
            info.size = 5
            tar.addfile(info, io.BytesIO(b"{not "))
    return path


def test_archive_and_checkout_read_alike_and_bad_records_are_named(tmp_path):
    records = [record(3, "C"), record(1, "A")]
    skipped: list[str] = []
    from_archive = list(read_wof_records(_archive(tmp_path, records, broken=["9"]), skipped))
    assert [p["wof:id"] for p in from_archive] == [1, 3]  # by WOF id, whatever the order
    assert len(skipped) == 1 and skipped[0].startswith("whosonfirst-data-admin-iq/data/9.geojson: not a WOF")
    folder = tmp_path / "checkout"
    for props in records:
        (folder / "data").mkdir(parents=True, exist_ok=True)
        (folder / "data" / f"{props['wof:id']}.geojson").write_text(json.dumps({"properties": props}))
        (folder / "data" / f"{props['wof:id']}-alt-geonames.geojson").write_text("{}")
    assert list(read_wof_records(folder)) == from_archive


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.tar.gz", "not found"),
    (lambda p: (p / "x.tar.gz").write_bytes(b"not an archive") and p / "x.tar.gz", "not a WOF checkout"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no WOF place records"),
])
def test_bad_sources_are_one_clear_error(tmp_path, make, message):
    with pytest.raises(GazetteerError, match=message):
        list(read_wof_records(make(tmp_path)))


def test_the_tier_file_is_the_same_bytes_every_time(tmp_path):
    rows = wof_rows([record(2, "Bashir", pop=3000), record(1, "Tal Ward", "PPLQ")])
    a = write_tier(rows, tmp_path / "a.csv.gz").read_bytes()
    b = write_tier(list(rows), tmp_path / "b.csv.gz").read_bytes()
    assert a == b
    assert a[4:8] == b"\0\0\0\0"  # no time in the gzip header
    places = read_places_file(tmp_path / "a.csv.gz", tier="wof")
    assert [(p.id, p.status, p.tier) for p in places] == [("wof-1", "abandoned", "wof"), ("wof-2", "", "wof")]


def test_import_wof_replaces_the_shipped_tier(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")
    result = import_wof(_archive(tmp_path, [record(42, "Newvillage", lat=35.45, lon=44.4)]))
    assert result.count == 1 and result.path == tmp_path / "cache" / settings.WOF_CACHE_FILE
    assert Gazetteer.wof_tier_file() == result.path
    gaz = Gazetteer.from_files(Gazetteer.builtin_files(), bulk_files=[result.path])
    place = gaz.get("wof-42")
    # Without polygons the admin units are borrowed from the shipped tier's nearest place.
    assert (place.governorate, place.tier) == ("Kirkuk", "wof")


def test_a_broken_import_cache_warns_and_is_ignored(tmp_path, caplog):
    cache = tmp_path / settings.WOF_CACHE_FILE
    cache.write_bytes(b"garbage")
    from geo.gazetteer import _read_bulk_file

    assert _read_bulk_file(cache, "wof") == []
    assert "WOF cache" in caplog.text and "import-wof" in caplog.text


def test_cli_import_wof(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "GEO_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run([sys.executable, "-m", "geo.cli", "gazetteer", "import-wof",
                          str(_archive(tmp_path, [record(42, "Newvillage")]))],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0 and "imported 1 places" in run.stdout, run.stderr
    bad = subprocess.run([sys.executable, "-m", "geo.cli", "gazetteer", "import-wof", str(tmp_path / "nope")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "not found" in bad.stderr


# --- tiers and merging ---------------------------------------------------------------------------

CURATED = HEADER + """\
bashir,Bashir,village,35.2,44.3,Kirkuk,Kirkuk,,,,,,,,geonames:100,curated
daquq,Daquq,town,35.13923,44.44907,Kirkuk,Daquq,,,,,,,Tawuq,geonames:90220,curated
salahaddin-governorate,Salahaddin,governorate,34.6,43.68,Salahaddin,,,,,,,,Salah ad Din|Salah al-Din,ocha:IQG16,curated
"""
BULK = HEADER.rstrip("\n") + ",status\n" + """\
wof-1,Bashir,village,35.21,44.31,Kirkuk,Kirkuk,,,,بشير,,,Al Bashir,wof:1;geonames:100,Who's On First PPL,
wof-2,Dakuk,village,35.14,44.45,Kirkuk,Daquq,,,,,,,Dakooq|Salah ad-Din,wof:2;geonames:200,Who's On First PPL,
wof-3,Daquq,village,35.40,44.70,Kirkuk,Kirkuk,,,,,,,,wof:3;geonames:300,Who's On First PPL,
wof-4,Kani Sard,village,35.0,45.0,Sulaimani,Kalar,,,,,,,,wof:4;geonames:400,Who's On First PPLQ,abandoned
wof-5,Kani Sard,village,35.0,45.0,Sulaimani,Kalar,,,,,,,,wof:5;geonames:400,duplicate GeoNames id,
"""


@pytest.fixture(scope="module")
def tiers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiers")
    (folder / "curated.csv").write_text(CURATED, encoding="utf-8")
    (folder / "bulk.csv").write_text(BULK, encoding="utf-8")
    return Gazetteer.from_files([folder / "curated.csv"], bulk_files=[folder / "bulk.csv"])


def test_same_geonames_id_merges_spellings_into_the_curated_row(tiers):
    assert "wof-1" not in tiers
    bashir = tiers.get("bashir")
    assert {"بشير", "Al Bashir"} <= set(bashir.aliases) and bashir.bulk_names == {"بشير", "Al Bashir"}
    assert bashir.source == "geonames:100;wof:1" and bashir.tier == "curated"


def test_same_name_far_away_stays_a_place_and_unrelated_names_stay_apart(tiers):
    # wof-3 'Daquq' is 35 km from the curated town: another village of that name.
    assert tiers.get("wof-3").tier == "wof"
    # wof-2 'Dakuk' has no curated name and its own GeoNames id: a place of its own, and it
    # never lends 'Salah ad-Din' to anything.
    assert "wof-2" in tiers
    assert tiers.resolve("Salah ad Din")[0].place.id == "salahaddin-governorate"


def test_a_repeated_geonames_id_in_the_bulk_tier_is_one_place(tiers):
    assert "wof-4" in tiers and "wof-5" not in tiers
    assert tiers.get("wof-4").status == "abandoned"


def test_curated_names_rank_before_bulk_namesakes(tiers):
    got = tiers.resolve("Daquq")
    assert [c.place.id for c in got[:2]] == ["daquq", "wof-3"]
    assert got[1].score < got[0].score
    # A bulk place alone keeps its own score and match.
    alone = tiers.resolve("Kani Sard")[0]
    assert (alone.place.id, alone.match, alone.score) == ("wof-4", "exact", 1.0)


def test_resolve_json_carries_each_rows_source_and_tier():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "geo.cli", "resolve", "Kaystah", "--json", "--limit", "1"],
                         capture_output=True, text=True, timeout=300)
    row = json.loads(run.stdout)[0]
    assert row["source"].startswith("wof:1242774759;geonames:390791")
    assert (row["tier"], row["governorate"], row["district"]) == ("wof", "Duhok", "Amedi")


# --- admin units ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ocha(reference_dir):
    curated = [p for f in Gazetteer.builtin_files() for p in read_places_file(f)]
    return OchaAdmin(reference_dir / "iraq-adm3.geojson", curated)


@pytest.mark.parametrize("lat, lon, expected", [
    # (governorate, district, governorate_krg, district_krg): the project's names, not WOF's
    (34.68963, 44.96057, ("Diyala", "Kifri", "Sulaimani", "Garmiyan")),   # Kifri: both attributions
    (35.77622, 43.57974, ("Nineveh", "Makhmour", "Erbil", "")),            # Makhmour
    (36.7413, 43.8930, ("Nineveh", "Akre", "Duhok", "")),                  # Akre (WOF: Ninawa only)
    (35.11207, 45.68663, ("Sulaimani", "Darbandikhan", "", "")),           # WOF: Halabja
    (36.79868, 44.67178, ("Erbil", "Rawanduz", "", "Soran")),              # Sidakan area, KRG's Soran
    (34.88808, 44.63256, ("Salahaddin", "Tuz Khurmatu", "", "")),          # Tuz Khurmatu
    (35.29747, 46.03486, ("Halabja", "Khurmal", "", "")),                  # Khurmal (OCHA: Sulaimani)
])
def test_admin_units_by_ocha_polygon_in_the_projects_names(ocha, lat, lon, expected):
    units = ocha(lat, lon, "")
    got = (units["governorate"], units["district"], units.get("governorate_krg", ""), units.get("district_krg", ""))
    assert got == expected and units["ocha"].startswith("IQG")


# --- the shipped tier ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return read_places_file(settings.WOF_TIER_FILE, tier="wof")


def test_the_shipped_tier_is_whole_compact_and_sourced(shipped):
    assert settings.WOF_TIER_FILE.stat().st_size < 3_000_000
    assert len(shipped) >= 22_000
    assert all(p.source.startswith("wof:") for p in shipped)
    assert sum(";geonames:" in p.source for p in shipped) > 0.99 * len(shipped)
    assert {p.type for p in shipped} <= {"city", "town", "village"}
    assert sum(p.status == "abandoned" for p in shipped) > 800 and sum(p.status == "destroyed" for p in shipped) > 200
    assert sum(bool(p.name_ar) for p in shipped) > 18_000 and sum(bool(p.name_kmr or p.name_ckb) for p in shipped) > 4_000
    north = {"Nineveh", "Kirkuk", "Salahaddin", "Diyala", "Erbil", "Duhok", "Sulaimani", "Halabja"}
    districts = {p.name for f in Gazetteer.builtin_files() for p in read_places_file(f) if p.type == "district"}
    in_north = [p for p in shipped if p.governorate in north]
    assert len(in_north) > 11_500
    assert all(p.district in districts for p in in_north), "every northern village has a curated district"
    text = gzip.decompress(settings.WOF_TIER_FILE.read_bytes()).decode("utf-8")
    assert text.startswith("# Populated places of Iraq from Who's On First")


@pytest.mark.parametrize("place_id, expected", [
    ("wof-1242774759", ("Kaystah", "Duhok", "Amedi")),
    ("wof-1210012231", ("Chamanki as Sufla", "Duhok", "Amedi")),
    ("wof-1259506355", ("Zalan", "Sulaimani", "Sharbazher")),
])
def test_shipped_rows(shipped, place_id, expected):
    place = next(p for p in shipped if p.id == place_id)
    assert (place.name, place.governorate, place.district) == expected


def test_notice_and_readme_attribute_the_data():
    root = settings.PROJECT_DIR
    notice = (root / "NOTICE").read_text(encoding="utf-8")
    assert "Data from Who's On First" in notice and "CC BY 4.0" in notice and "CC0" in notice
    assert "Who's On First" in (root / "README.md").read_text(encoding="utf-8")


# --- the geoparser: bulk names count only in a place's position ---------------------------------

@pytest.fixture(scope="module")
def all_tiers():
    return Gazetteer.default()


def report(text: str) -> Report:
    return parse_report_text(f"---\nid: t\ntitle: test\n---\n{text}\n")


# (text, the bulk-tier mentions expected as (text, id)); written for these tests.
GATING = [
    ("Top officials met on Sunday.", []),
    ("Hamid said the road was closed.", []),
    ("The convoy left, according to Mustafa, before dawn.", []),
    ("Khalid Mohammed told reporters the shelling lasted an hour.", []),
    ("A mostly Sunni Arab province lies north of Baghdad.", []),
    ("The talks were held in May 2021.", []),
    ("Turkish drones struck the village of Kista overnight.", [("Kista", "wof-1242774759")]),
    ("Shells fell around Kista village, east of the river.", [("Kista village", "wof-1242774759")]),
    ("A drone hit a car in the Zalan sub-district.", [("Zalan", "wof-1259506355")]),
    ("Artillery hit the villages of Sile, Kashan and Nizore.", [("Sile", "wof-1276584013"),
                                                               ("Kashan", "wof-1360082591")]),
    ("The Sulaymaniyah road was calm.", []),  # the curated city, never WOF's namesake
    ("Officials in Sayyid Sadik said nothing.", []),
]


@pytest.mark.parametrize("text, expected", GATING)
def test_bulk_names_count_only_in_a_places_position(all_tiers, text, expected):
    result = parse_report(report(text), all_tiers)
    bulk = [(m.text, m.place_id) for m in result.mentions if all_tiers.get(m.place_id).tier != "curated"]
    assert bulk == expected


def test_a_curated_name_is_never_gated(all_tiers):
    result = parse_report(report("Kirkuk was quiet; Sulaymaniyah too."), all_tiers)
    assert [(m.text, m.place_id) for m in result.mentions] == [("Kirkuk", "kirkuk"), ("Sulaymaniyah", "sulaimani")]


CORPUS = yaml.safe_load((Path(__file__).parent / "corpus" / "corpus.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("item", CORPUS, ids=[c["id"] for c in CORPUS])
def test_the_corpus_stays_perfect_with_the_wof_tier(all_tiers, item):
    text = parse_report_text(f"---\nid: {item['id']}\ntitle: test\n---\n{item['text']}\n")
    rep = Report(**{**text.__dict__, "published": item["published"]})
    result = parse_report(rep, all_tiers)
    got = [(m.text, m.place_id, m.role) for m in result.mentions]
    assert got == [(e["text"], e["place"], e.get("role", "mention")) for e in item["expect"]], item["covers"]
    assert result.unresolved == item.get("unresolved", [])


@pytest.mark.parametrize("name", sorted(p.name for p in settings.SEEDS_DIR.glob("*.md")))
def test_no_invented_places_on_the_seeds(all_tiers, gazetteer, name):
    rep = read_report_file(settings.SEEDS_DIR / name)[0]
    with_wof = [(m.text, m.place_id, m.role) for m in parse_report(rep, all_tiers).mentions]
    curated = [(m.text, m.place_id, m.role) for m in parse_report(rep, gazetteer).mentions]
    assert with_wof == curated


def test_no_invented_places_on_the_shared_seeds(all_tiers, gazetteer, shared_seeds_dir):
    for path in sorted(shared_seeds_dir.glob("*.txt")):
        rep = read_report_file(path)[0]
        with_wof = [(m.text, m.place_id, m.role) for m in parse_report(rep, all_tiers).mentions]
        curated = [(m.text, m.place_id, m.role) for m in parse_report(rep, gazetteer).mentions]
        assert with_wof == curated, path.name
