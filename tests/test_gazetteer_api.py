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
    (HEADER + "a,A,town,35,44,,,,s,extra\n", "bad.csv:2: more cells than header columns"),
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
    count, cache = import_geonames(dump, cache_dir=tmp_path / "cache")
    assert count == 2
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
    _, cache = import_geonames(good, cache_dir=tmp_path)
    before = cache.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_text(geonames_line("1", "A", "", "34", "44", "PPL", "10", "1") + "only\tthree\tcells\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"bad.txt:2: expected 19 tab-separated columns"):
        import_geonames(bad, cache_dir=tmp_path)
    assert cache.read_bytes() == before


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
