"""The gazetteer API on small places files the tests write: merging, errors, look-ups,
GeoNames import and the geopy geocoder."""
from __future__ import annotations

import pytest

from geo._errors import GazetteerError, QueryError
from geo.gazetteer import Gazetteer, read_places_file

HEADER = "id,name,type,lat,lon,governorate,district,aliases,source\n"
ROWS = (
    "kirkuk,Kirkuk,city,35.46806,44.39222,Kirkuk,Kirkuk,Kerkuk|Karkuk,geonames:94787\n"
    "kirkuk-governorate,Kirkuk,governorate,35.46806,44.39222,Kirkuk,,Kirkuk province|Tamim,test\n"
    "kirkuk-district,Kirkuk,district,35.46806,44.39222,Kirkuk,Kirkuk,,test\n"
    "tuz-khurmatu,Tuz Khurmatu,town,34.88808,44.63256,Salahaddin,Tuz Khurmatu,Tuz Khurmato|Touz,geonames:90026\n"
    "tuz-khurmatu-district,Tuz Khurmatu,district,34.88808,44.63256,Salahaddin,Tuz Khurmatu,,test\n"
)


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("# a comment line\n" + HEADER + ROWS, encoding="utf-8")
    return Gazetteer.from_files([path])


def write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_resolve_ranks_town_before_admin_units(small):
    got = small.resolve("Kirkuk")
    assert [c.place.id for c in got] == ["kirkuk", "kirkuk-governorate", "kirkuk-district"]
    assert got[0].match == "exact" and got[0].score == 1.0


def test_type_word_selects_the_type(small):
    assert small.resolve("Kirkuk province")[0].place.id == "kirkuk-governorate"
    assert small.resolve("Kirkuk district")[0].place.id == "kirkuk-district"
    assert small.resolve("Kirkuk", types=["district"])[0].place.id == "kirkuk-district"


def test_alias_normalized_and_fuzzy_scores_fall(small):
    alias = small.resolve("Tuz Khurmato")[0]
    normalized = small.resolve("Ţūz-Khūrmātū")[0]
    fuzzy = small.resolve("Tuz Khormatoo")[0]
    worse = small.resolve("Tuz Khormat")[0]
    assert (alias.match, normalized.match, fuzzy.match) == ("alias", "normalized", "fuzzy")
    assert all(c.place.id == "tuz-khurmatu" for c in (alias, normalized, fuzzy, worse))
    assert 1.0 > alias.score > normalized.score > fuzzy.score > worse.score > 0


def test_no_match_is_empty(small):
    assert small.resolve("Basra") == []
    assert small.resolve("Xyzzy Qwerty") == []


@pytest.mark.parametrize("bad, message", [
    ("", "the name is empty"),
    ("   ", "the name is empty"),
    ("x" * 201, "the name is 201 characters long; the limit is 200"),
    ("Kir\x00kuk", "the name contains control or undecodable characters (binary input?)"),
    (b"\xff\xfe\x00", "the name is not UTF-8 text (binary input?)"),
])
def test_bad_queries(small, bad, message):
    with pytest.raises(QueryError) as err:
        small.resolve(bad)
    assert str(err.value) == message


def test_nearest_and_where(small):
    near = small.nearest(35.0, 44.6, limit=2)
    assert near[0].place.id.startswith("tuz-khurmatu")
    assert 12 < near[0].distance_km < 14
    assert near[0].compass == "N"  # the point lies north of Tuz Khurmatu
    where = small.where(35.45, 44.39)
    assert (where["governorate"], where["district"], where["settlement"]["id"]) == ("Kirkuk", "Kirkuk", "kirkuk")
    with pytest.raises(QueryError, match="latitude 135.0 is out of range"):
        small.nearest(135, 44)


def test_to_geodataframe(small):
    gdf = small.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    row = gdf.set_index("id").loc["kirkuk"]
    assert (round(row.geometry.x, 2), round(row.geometry.y, 2)) == (44.39, 35.47)
    assert row["aliases"] == "Kerkuk|Karkuk"


def test_user_file_replaces_and_extends(tmp_path):
    base = write(tmp_path, HEADER + ROWS, "base.csv")
    user = write(tmp_path, HEADER + "kirkuk,Kirkuk City,city,35.47,44.40,Kirkuk,Kirkuk,,my survey\n"
                 "my-village,Kani Shaitan,village,35.1,44.9,Sulaimani,,,my survey\n", "user.csv")
    gaz = Gazetteer.from_files([base, user])
    assert gaz.get("kirkuk").name == "Kirkuk City"
    assert gaz.resolve("Kani Shaitan")[0].place.id == "my-village"
    assert len(gaz) == 6


@pytest.mark.parametrize("text, message", [
    ("id,name,type\nx,X,town\n", "header lacks column(s) lat, lon"),
    (HEADER.replace("source", "sauce"), "header has unknown column(s) sauce"),
    (HEADER + "a,A,hamlet,35,44,,,,s\n", "bad.csv:2: field 'type': 'hamlet' is not one of"),
    (HEADER + "a,A,town,north,44,,,,s\n", "bad.csv:2: field 'lat': 'north' is not a number"),
    (HEADER + "a,A,town,35,444,,,,s\n", "bad.csv:2: field 'lon': 444.0 is out of range"),
    (HEADER + ",A,town,35,44,,,,s\n", "bad.csv:2: field 'id' is empty"),
    (HEADER + "a,A,town,35,44,,,,s\na,B,town,35,44,,,,s\n", "bad.csv:3: field 'id': 'a' already used on line 2"),
    (HEADER + "a,A,town,35,44,,,,s,extra\n", "bad.csv:2: 10 cells, but the header has 9 columns"),
    (HEADER + "short,row\n", "bad.csv:2: 2 of 9 cells: the row is short (a missing comma?)"),
])
def test_bad_places_files_name_file_line_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(GazetteerError) as err:
        read_places_file(path)
    assert message in str(err.value)


def test_every_bad_row_is_reported(tmp_path):
    path = write(tmp_path, HEADER + "a,A,hamlet,35,44,,,,s\nb,B,town,35,44,,,,s\nc,C,town,x,44,,,,s\n")
    with pytest.raises(GazetteerError) as err:
        read_places_file(path)
    assert "bad.csv:2:" in str(err.value) and "bad.csv:4:" in str(err.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(GazetteerError, match="places file not found"):
        read_places_file(tmp_path / "nope.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"id,name\n\xff\xfe\xfa")
    with pytest.raises(GazetteerError, match="not UTF-8 text"):
        read_places_file(binary)


# --- GeoNames import -------------------------------------------------------------------------

def geonames_line(gid, name, alts, lat, lon, fcode, admin1, pop):
    cells = [gid, name, name, alts, lat, lon, "P", fcode, "IQ", "", admin1, "", "", "", pop, "", "300",
             "Asia/Baghdad", "2020-01-01"]
    return "\t".join(cells) + "\n"


def test_import_geonames_into_cache(tmp_path, monkeypatch):
    from geo.geonames import import_geonames

    dump = tmp_path / "IQ.txt"
    dump.write_text(
        geonames_line("99001", "Qarah Tappah", "Qara Tapa,قرة تبة", "34.43", "44.93", "PPL", "10", "9000")
        + geonames_line("90026", "Ţūz Khūrmātū", "Tuz", "34.888", "44.632", "PPLA2", "18", "50000")
        + geonames_line("99002", "Some farm", "", "34.1", "44.1", "FRM", "10", "0"),
        encoding="utf-8")
    count, cache, skipped = import_geonames(dump, cache_dir=tmp_path / "cache")
    assert (count, skipped) == (2, [])
    base = write(tmp_path, HEADER + ROWS, "base.csv")
    gaz = Gazetteer.from_files([base], geonames_cache=cache)
    got = gaz.resolve("Qara Tapa")[0]
    assert (got.place.id, got.place.type, got.place.governorate) == ("gn-99001", "village", "Diyala")
    # GeoNames 90026 is cited by the curated Tuz Khurmatu row, so the import does not duplicate it.
    assert "gn-90026" not in gaz


def test_import_geonames_rejects_a_bad_line_and_keeps_the_old_cache(tmp_path):
    from geo.geonames import import_geonames

    good = tmp_path / "IQ.txt"
    good.write_text(geonames_line("99001", "Qarah Tappah", "", "34.43", "44.93", "PPL", "10", "9000"), encoding="utf-8")
    _, cache, _ = import_geonames(good, cache_dir=tmp_path)
    before = cache.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_text("name,lat,lon\nonly\tthree\tcells\n", encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        import_geonames(bad, cache_dir=tmp_path)
    assert str(err.value) == (f"{bad}:1: expected 19 tab-separated columns of a GeoNames dump, "
                              "found 1 (not a GeoNames dump?)")
    assert cache.read_bytes() == before


def test_import_geonames_skips_short_rows_and_names_the_resolver_refuses(tmp_path, caplog):
    """One short row (a dump cut off, a stray line) no longer stops the import, and a name of
    200,000 characters is not imported for the loader to refuse on every run after."""
    from geo.gazetteer import read_places_file
    from geo.geonames import import_geonames

    dump = tmp_path / "IQ.txt"
    dump.write_text(
        geonames_line("99001", "Qarah Tappah", "Qara Tapa," + "x" * 300 + ",Q\x1bT", "34.43", "44.93",
                      "PPL", "10", "9000")
        + "99002\tCut off\n"                                                           # line 2
        + geonames_line("99003", "Q" * 200_000, "", "34.4", "44.9", "PPL", "10", "10")  # line 3
        + geonames_line("99004", "Bad\x07name", "", "34.4", "44.9", "PPL", "10", "10")  # line 4
        + geonames_line("99005", "Tilkif", "", "36.49", "43.12", "PPL", "10", "10"),
        encoding="utf-8")
    result = import_geonames(dump, cache_dir=tmp_path / "cache")
    assert result.count == 2
    assert result.skipped == [
        f"{dump}:2: expected 19 tab-separated columns of a GeoNames dump, found 2; row skipped",
        f"{dump}:3: field 'name': the name is 200000 characters long; the limit is 200; row skipped",
        f"{dump}:4: field 'name': the name contains control or undecodable characters (binary "
        "input?); row skipped"]
    problems: list[str] = []
    places = read_places_file(result.path, problems)
    assert problems == []
    assert [(p.id, p.aliases) for p in places] == [("gn-99001", ("Qara Tapa",)), ("gn-99005", ())]
    gaz = Gazetteer.from_files([write(tmp_path, HEADER + ROWS, "base.csv")], geonames_cache=result.path)
    assert "gn-99005" in gaz
    assert "GeoNames cache" not in caplog.text


def test_import_geonames_skips_bad_rows_naming_line_and_field(tmp_path):
    from geo.geonames import import_geonames

    dump = tmp_path / "IQ.txt"
    dump.write_text(
        geonames_line("99001", "Qarah Tappah", "", "34.43", "44.93", "PPL", "10", "9000")
        + geonames_line("99003", "Bad Lat", "", "95", "44.9", "PPL", "10", "10")        # line 2
        + geonames_line("99004", "No Lon", "", "34.1", "east", "PPL", "10", "10")       # line 3
        + geonames_line("99005", "Paris", "", "48.85", "2.35", "PPL", "10", "10")        # line 4
        + geonames_line("99006", "Bad Pop", "", "34.2", "44.2", "PPL", "10", "many"),    # line 5
        encoding="utf-8")
    result = import_geonames(dump, cache_dir=tmp_path / "cache")
    assert result.count == 1 and len(result.skipped) == 4
    assert "IQ.txt:2: field 'latitude': 95 is out of range -90..90; row skipped" in result.skipped[0]
    assert "IQ.txt:3: field 'longitude': 'east' is not a number" in result.skipped[1]
    assert "IQ.txt:4: field 'latitude'/'longitude': 48.85, 2.35 is outside Iraq" in result.skipped[2]
    assert "IQ.txt:5: field 'population': 'many' is not a whole number" in result.skipped[3]
    gaz = Gazetteer.from_files([write(tmp_path, HEADER + ROWS, "base.csv")], geonames_cache=result.path)
    assert "gn-99001" in gaz and "gn-99003" not in gaz


def test_cli_import_geonames_then_resolve_still_works(tmp_path):
    import os
    import subprocess
    import sys

    dump = tmp_path / "IQ.txt"
    dump.write_text(geonames_line("99001", "Qarah Tappah", "", "34.43", "44.93", "PPL", "10", "9000")
                    + geonames_line("99003", "Bad Lat", "", "95", "44.9", "PPL", "10", "10"), encoding="utf-8")
    env = {**os.environ, "GEO_CACHE_DIR": str(tmp_path / "cache")}
    run = lambda *a: subprocess.run([sys.executable, "-m", "geo.cli", *a], capture_output=True, env=env)  # noqa: E731
    imported = run("gazetteer", "import-geonames", str(dump))
    assert imported.returncode == 0, imported.stderr
    assert b"IQ.txt:2: field 'latitude': 95 is out of range" in imported.stderr
    assert b"imported 1 places" in imported.stdout and b"skipped 1 bad row(s)" in imported.stdout
    assert run("resolve", "Kirkuk").returncode == 0


def test_a_bad_geonames_cache_does_not_brick_the_tool(tmp_path, caplog):
    """A cache row with lat 95 (written by an older import) is skipped with a warning that
    names the cache file and how to rebuild it; the rest of the gazetteer loads."""
    cache = write(tmp_path, HEADER + "gn-1,Good,village,35.1,44.1,Kirkuk,,,geonames:1\n"
                  "gn-2,Bad,village,95,44.1,Kirkuk,,,geonames:2\n", "geonames-places.csv")
    base = write(tmp_path, HEADER + ROWS, "base.csv")
    with caplog.at_level("WARNING", logger="geo"):
        gaz = Gazetteer.from_files([base], geonames_cache=cache)
    assert "gn-1" in gaz and "gn-2" not in gaz and "kirkuk" in gaz
    assert f"GeoNames cache {cache}: 1 bad row(s) skipped" in caplog.text
    assert "geonames-places.csv:3: field 'lat': 95.0 is out of range" in caplog.text
    assert "import-geonames" in caplog.text and f"delete {cache}" in caplog.text
    # a cache that is not a places file at all is ignored, with the same advice
    cache.write_text("garbage\n\x00\n", encoding="utf-8")
    caplog.clear()
    with caplog.at_level("WARNING", logger="geo"):
        gaz = Gazetteer.from_files([base], geonames_cache=cache)
    assert len(gaz) == 5 and "is unreadable and was ignored" in caplog.text


def test_cli_resolve_with_a_bad_cache_warns_and_answers(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "geonames-places.csv").write_text(HEADER + "gn-2,Bad,village,95,44.1,Kirkuk,,,geonames:2\n",
                                                  encoding="utf-8")
    env = {**os.environ, "GEO_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "geo.cli", "resolve", "Kirkuk"], capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert b"geo: warning: GeoNames cache" in proc.stderr and b"geonames-places.csv" in proc.stderr


# --- row validity: Gazetteer.validate, check_places_files, `geo gazetteer check` ----------------

BAD_USER_FILE = HEADER + (
    "ten,Ten,town,10,10,Kirkuk,Kirkuk,,test\n"                       # line 2: outside Iraq
    "swapped,Swapped,town,44.2,35.1,Kirkuk,Kirkuk,,test\n"           # line 3: lat/lon swapped
    "kirkok-town,Kirkok Town,town,35.4,44.3,Kirkok,Kirkuk,,test\n"   # line 4: governorate
    "nod,Nod,town,35.4,44.3,Kirkuk,Nodistrict,,test\n"               # line 5: district
    "Bad Id,Bad,town,35.4,44.3,Kirkuk,Kirkuk,,test\n"                # line 6: id
    "nosrc,No Source,town,35.4,44.3,Kirkuk,Kirkuk,,\n"               # line 7: source
    "kirkuk-2,Kirkuk,city,35.41,44.31,Kirkuk,Kirkuk,,test\n"         # line 8: a second Kirkuk city
    "fine,Fine Village,village,35.4,44.3,Kirkuk,Kirkuk,,my survey\n"  # line 9: valid
)
EXPECTED_PROBLEMS = [
    "user.csv:2: field 'lat': 10, 10 is outside Iraq's bounding box",
    "user.csv:3: field 'lat, lon': 44.2, 35.1 is outside Iraq",
    "lat and lon look swapped: 35.1, 44.2 is inside",
    "user.csv:4: field 'governorate': 'Kirkok' is not a governorate; did you mean 'Kirkuk'?",
    "user.csv:5: field 'district': 'Nodistrict' has no district row",
    "user.csv:6: field 'id': 'Bad Id' is not a lower-case ASCII slug",
    "user.csv:7: field 'source' is empty",
    "user.csv:8: field 'name': 'Kirkuk' also names the city kirkuk (kirkuk.csv:",
    "data/preferred_names.csv",
]


def test_check_places_files_names_file_line_and_field(tmp_path):
    from geo.gazetteer import check_places_files

    path = write(tmp_path, BAD_USER_FILE, "user.csv")
    problems, count = check_places_files([path])
    text = "\n".join(problems)
    assert count == 8
    for expected in EXPECTED_PROBLEMS:
        assert expected in text, (expected, text)
    assert not [p for p in problems if ":9:" in p]  # the valid row passes
    assert len(problems) == 7


def test_cli_gazetteer_check_fails_bad_files(tmp_path):
    import subprocess
    import sys

    path = write(tmp_path, BAD_USER_FILE, "user.csv")
    proc = subprocess.run([sys.executable, "-m", "geo.cli", "gazetteer", "check", str(path)], capture_output=True)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    for expected in EXPECTED_PROBLEMS:
        assert expected in err, (expected, err)
    assert "geo: 7 problem(s) in 1 file(s)" in err
    good = write(tmp_path, HEADER + "fine,Fine Village,village,35.4,44.3,Kirkuk,Kirkuk,,my survey\n", "good.csv")
    ok = subprocess.run([sys.executable, "-m", "geo.cli", "gazetteer", "check", str(good)], capture_output=True)
    assert ok.returncode == 0 and b"ok: 1 places in 1 file(s)" in ok.stdout


def test_check_reports_malformed_rows_and_an_unterminated_quote(tmp_path):
    from geo.gazetteer import check_places_files

    quote = write(tmp_path, HEADER + 'a,"A village,village,35,44,Kirkuk,,,s\nb,B,village,35,44,Kirkuk,,,s\n', "q.csv")
    problems, _ = check_places_files([quote])
    assert len(problems) == 1
    assert "q.csv:2: unterminated quoted cell: a '\"' opened on this line" in problems[0]
    with pytest.raises(GazetteerError, match="q.csv:2: unterminated quoted cell"):
        read_places_file(quote)


def test_validate_a_namesake_with_a_rule_or_populations_passes(tmp_path):
    rows = ("a,Samename,village,35.1,44.1,Kirkuk,,,s\n"
            "b,Samename,village,35.2,44.2,Kirkuk,,,s\n")
    gaz = Gazetteer.from_files([write(tmp_path, "id,name,type,lat,lon,governorate,district,aliases,source\n" + rows)])
    assert [p.field for p in gaz.validate()] == ["name"]
    with_pops = "id,name,type,lat,lon,governorate,population,source\n" + (
        "a,Samename,village,35.1,44.1,Kirkuk,100,s\nb,Samename,village,35.2,44.2,Kirkuk,200,s\n")
    assert Gazetteer.from_files([write(tmp_path, with_pops, "pops.csv")]).validate() == []


def test_row_errors_keep_file_line_and_field_in_the_multiline_record(tmp_path):
    path = write(tmp_path, HEADER + 'a,"Two\nlines",town,35,44,,,,s\nb,B,town,north,44,,,,s\n')
    with pytest.raises(GazetteerError) as err:
        read_places_file(path)
    assert "bad.csv:4: field 'lat': 'north' is not a number" in str(err.value)


# --- geopy geocoder ----------------------------------------------------------------------------

def test_geopy_geocoder_offline(small):
    from geopy.geocoders.base import Geocoder
    from geopy.location import Location

    from geo import GazetteerGeocoder

    geocoder = GazetteerGeocoder(small)
    assert isinstance(geocoder, Geocoder)
    loc = geocoder.geocode("Tuz Khurmato")
    assert isinstance(loc, Location)
    assert (round(loc.latitude, 3), round(loc.longitude, 3)) == (34.888, 44.633)
    assert loc.raw["id"] == "tuz-khurmatu" and loc.raw["match"] == "alias"
    assert loc.address == "Tuz Khurmatu, Salahaddin, Iraq"
    assert geocoder.geocode("Atlantis") is None
    back = geocoder.reverse((35.45, 44.40))
    assert back.raw["id"] == "kirkuk" and back.raw["distance_km"] < 3


def test_geopy_geocoder_takes_geopys_keyword_arguments(small):
    from geo import GazetteerGeocoder

    geocoder = GazetteerGeocoder(small)
    loc = geocoder.geocode("Tuz Khurmato", language="en", addressdetails=True, country_codes="iq", timeout=5)
    assert loc.raw["id"] == "tuz-khurmatu"
    several = geocoder.geocode("Kirkuk", exactly_one=False, limit=2, language="en")
    assert [l.raw["id"] for l in several] == ["kirkuk", "kirkuk-governorate"]
    back = geocoder.reverse("35.45, 44.40", language="en", zoom=10, addressdetails=False)
    assert back.raw["id"] == "kirkuk"


def test_geopy_address_shows_the_krg_attribution(gazetteer):
    from geo import GazetteerGeocoder

    loc = GazetteerGeocoder(gazetteer).geocode("Kifri")
    assert loc.address == "Kifri, Diyala, Iraq (KRG: Garmiyan, Sulaimani)"
    assert GazetteerGeocoder(gazetteer).geocode("Kirkuk").address == "Kirkuk, Iraq"


def test_online_fallback_unavailable_is_a_clear_error(tmp_path):
    from geopy.exc import GeocoderTimedOut, GeocoderUnavailable

    from geo._errors import GeoError
    from geo.geocoder import CachedOnlineGeocoder

    for exc in (GeocoderUnavailable("Max retries exceeded"), GeocoderTimedOut("timed out"),
                ConnectionRefusedError(111, "Connection refused")):
        class Failing:
            def geocode(self, query, exactly_one=True, _exc=exc):
                raise _exc

        with pytest.raises(GeoError, match=r"the online geocoder \(Failing\) could"):
            CachedOnlineGeocoder(Failing(), tmp_path / "online.json").geocode("Somewhere")
    assert not (tmp_path / "online.json").exists()  # a failure is not cached


def test_online_cache_corrupt_file_is_set_aside_with_a_warning(tmp_path, caplog):
    from geopy.location import Location
    from geopy.point import Point

    from geo.geocoder import CachedOnlineGeocoder

    class FakeOnline:
        def geocode(self, query, exactly_one=True):
            return Location("Somewhere, Iraq", Point(33.3, 44.4), {})

    cache = tmp_path / "online.json"
    cache.write_text('{"FakeOnline:x": {"lat": 1', encoding="utf-8")
    with caplog.at_level("WARNING", logger="geo"):
        online = CachedOnlineGeocoder(FakeOnline(), cache)
    assert f"online geocoder cache {cache} is not valid JSON (line 1" in caplog.text
    assert (tmp_path / "online.json.corrupt").exists()
    assert online.geocode("Somewhere")["lat"] == 33.3
    assert "FakeOnline:somewhere" in cache.read_text(encoding="utf-8")


def test_online_fallback_is_cached(tmp_path):
    from geopy.location import Location
    from geopy.point import Point

    from geo.geocoder import CachedOnlineGeocoder

    class FakeOnline:
        calls = 0

        def geocode(self, query, exactly_one=True):
            FakeOnline.calls += 1
            return Location("Somewhere, Iraq", Point(33.3, 44.4), {})

    cache = tmp_path / "online.json"
    first = CachedOnlineGeocoder(FakeOnline(), cache).geocode("Somewhere")
    again = CachedOnlineGeocoder(FakeOnline(), cache).geocode("somewhere ")
    assert first == again and first["lat"] == 33.3
    assert FakeOnline.calls == 1


@pytest.mark.parametrize("lat, lon, message", [
    (51.5, 0.1, "51.5, 0.1 is outside Iraq (lat 29.0 to 37.5, lon 38.7 to 48.8): the gazetteer covers Iraq only"),
    (44.93, 34.43, "did you swap lat and lon?"),
])
def test_where_refuses_points_outside_iraq(lat, lon, message):
    from geo._errors import QueryError

    with pytest.raises(QueryError) as err:
        Gazetteer.default().where(lat, lon)
    assert message in str(err.value)


def test_where_claims_no_admin_units_far_from_any_settlement():
    across_the_border = Gazetteer.default().where(35.0, 46.5)  # in Iran, 43 km from Biyara
    assert "governorate" not in across_the_border and "district" not in across_the_border
    assert across_the_border["note"].startswith("no settlement within 15 km")
    # The nearest settlement is still named (a WOF village on the Iraqi side), with its distance.
    assert across_the_border["settlement"]["distance_km"] > 15
    at_qara_tapa = Gazetteer.default().where(34.43, 44.93)
    assert at_qara_tapa["governorate"] == "Diyala" and at_qara_tapa["district"] == "Kifri"


def test_gazetteer_check_lists_problems_in_line_order(tmp_path):
    from click.testing import CliRunner
    from geo.cli import main

    path = write(tmp_path, HEADER + "short,row\n" + "ok,Okay,village,35.1,44.2,,,,t\n"
                 + "far,Far,town,10,10,,,,t\n" + "a,A,hamlet,35,44,,,,s\n")
    result = CliRunner().invoke(main, ["gazetteer", "check", str(path)])
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("geo: places error: ")]
    assert [int(ln.rsplit("bad.csv:", 1)[1].split(":")[0]) for ln in lines] == [2, 4, 5]
