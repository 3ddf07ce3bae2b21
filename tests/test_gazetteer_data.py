"""Every gazetteer row is valid, sourced and, where the reference data is present, checked
against it (GeoNames and UCDP points within 2 km; admin units inside their OCHA polygon)."""
from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from geo import settings
from geo._text import compact, normalize
from geo.gazetteer import PLACE_TYPES, SETTLEMENT_TYPES, Gazetteer, haversine_km, read_places_file

GOVERNORATES = {
    "Anbar", "Babil", "Baghdad", "Basra", "Dhi Qar", "Diyala", "Duhok", "Erbil", "Halabja",
    "Karbala", "Kirkuk", "Maysan", "Muthanna", "Najaf", "Nineveh", "Qadisiyah", "Salahaddin",
    "Sulaimani", "Wasit",
}
NORTHERN_UCDP_PROVINCES = ("Nīnawá", "Kirkūk", "Ta'mim", "Şalāḩ ad Dīn", "Diyālá", "Arbīl", "Dahūk",
                           "Sulaymānīyah", "Ḩalabjah")
NORTHERN_OCHA = {"Ninewa", "Duhok", "Erbil", "Kirkuk", "Salah Al-Din", "Diyala", "Al-Sulaymaniyah"}


@pytest.fixture(scope="module")
def builtin():
    return Gazetteer.from_files(Gazetteer.builtin_files())


def test_at_least_500_places(builtin):
    assert len(builtin) >= 500


def test_ids_unique_across_builtin_files():
    seen = {}
    for path in Gazetteer.builtin_files():
        for place in read_places_file(path):
            assert place.id not in seen, f"{place.id} in {path.name} and {seen.get(place.id)}"
            seen[place.id] = path.name


def test_rows_are_valid(builtin):
    lon_min, lat_min, lon_max, lat_max = settings.IRAQ_BBOX
    districts = {p.name for p in builtin.places if p.type == "district"}
    named = {p.name for p in builtin.places}
    for p in builtin.places:
        where = f"{p.raw['_file']}:{p.raw['_line']} ({p.id})"
        assert p.type in PLACE_TYPES, where
        assert lat_min <= p.lat <= lat_max and lon_min <= p.lon <= lon_max, f"{where}: outside Iraq"
        assert p.id == p.id.lower() and " " not in p.id, f"{where}: id is not a lower-case slug"
        assert p.source, f"{where}: no source"
        if p.governorate:
            assert p.governorate in GOVERNORATES, f"{where}: governorate {p.governorate!r}"
        if p.governorate_krg:
            assert p.governorate_krg in GOVERNORATES, f"{where}: governorate_krg {p.governorate_krg!r}"
        if p.district:
            assert p.district in districts, f"{where}: district {p.district!r} has no district row"
        if p.district_krg:
            assert p.district_krg in named, f"{where}: district_krg {p.district_krg!r} has no row"
        for alias in p.aliases:
            assert len(compact(alias)) >= 3, f"{where}: alias {alias!r} is too short to be safe"


def test_populated_places_and_governorates_have_aliases_and_arabic(builtin):
    missing = [p.id for p in builtin.places
               if p.type in {"governorate", "city", "town"} and not (p.aliases and p.name_ar)]
    assert not missing, f"no aliases or Arabic name: {missing}"


def test_all_19_governorates(builtin):
    assert {p.name for p in builtin.places if p.type == "governorate"} == GOVERNORATES


def test_same_type_name_collisions_have_a_rule(builtin):
    """Two places of one type sharing a name must differ in population or have a preference
    in data/preferred_names.csv; otherwise the resolver's pick would be arbitrary."""
    from geo.gazetteer import preferred_names

    prefs = preferred_names()
    by_key = defaultdict(set)
    for p in builtin.places:
        for name in p.all_names():
            by_key[(compact(name), p.type)].add(p)
    undecided = []
    for (key, ptype), places in by_key.items():
        if len(places) < 2 or key in prefs:
            continue
        pops = [p.population or 0 for p in places]
        if len(set(pops)) < len(pops):
            undecided.append((key, ptype, sorted(p.id for p in places)))
    assert not undecided, undecided


def test_disputed_places_carry_both_attributions(builtin):
    kifri = builtin.get("kifri")
    assert (kifri.governorate, kifri.governorate_krg) == ("Diyala", "Sulaimani")
    assert "KRG" in kifri.admin_label()


# --- checks against ../shared/reference --------------------------------------------------

@pytest.fixture(scope="module")
def geonames_points(reference_dir):
    with open(reference_dir / "geonames-IQ-cities500.tsv", encoding="utf-8") as f:
        return {r["geonameid"]: (float(r["latitude"]), float(r["longitude"]))
                for r in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="module")
def ucdp_rows(reference_dir):
    with open(reference_dir / "ucdp-ged-iraq-1989-2018.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]  # line 2 is an HXL tag row
    return rows


@pytest.mark.reference
def test_geonames_and_ucdp_sources_within_2_km(builtin, geonames_points, ucdp_rows):
    ucdp = {r["id"]: (float(r["latitude"]), float(r["longitude"])) for r in ucdp_rows}
    far = []
    for p in builtin.places:
        for src in p.sources:
            kind, _, ref = src.partition(":")
            point = {"geonames": geonames_points, "ucdp": ucdp}.get(kind, {}).get(ref)
            if kind == "ucdp" and point is None:
                far.append((p.id, src, "no such UCDP event"))
            if point and haversine_km(p.lat, p.lon, *point) > 2.0:
                far.append((p.id, src, round(haversine_km(p.lat, p.lon, *point), 1)))
    assert not far, far


@pytest.mark.reference
def test_every_northern_ucdp_place_is_in_the_gazetteer(builtin, ucdp_rows):
    points = defaultdict(set)
    for r in ucdp_rows:
        if r["where_prec"] in ("1", "2") and any(k in r["adm_1"] for k in NORTHERN_UCDP_PROVINCES):
            points[(round(float(r["latitude"]), 4), round(float(r["longitude"]), 4))].add(r["where_coordinates"])
    missing = []
    for (lat, lon), names in sorted(points.items()):
        near = builtin.nearest(lat, lon, limit=1)
        if not near or near[0].distance_km > 2.0:
            missing.append((sorted(names), lat, lon))
    assert not missing, f"{len(missing)} UCDP places lack a row within 2 km: {missing[:20]}"


@pytest.fixture(scope="module")
def ocha_units(reference_dir):
    from shapely.geometry import shape

    units = {}
    for level in (1, 2, 3):
        data = json.loads((reference_dir / f"iraq-adm{level}.geojson").read_text(encoding="utf-8"))
        for feat in data["features"]:
            props = feat["properties"]
            units[props[f"ADM{level}_PCODE"]] = (props, shape(feat["geometry"]))
    return units


@pytest.mark.reference
def test_admin_units_lie_in_their_ocha_polygon(builtin, ocha_units):
    from shapely.geometry import Point

    outside = []
    for p in builtin.places:
        for src in p.sources:
            if src.startswith("ocha:"):
                pcode = src[5:]
                assert pcode in ocha_units, f"{p.id}: unknown OCHA P-code {pcode}"
                # 1 km of slack for centre towns on a boundary line (0.01 degree is about 1 km).
                if not ocha_units[pcode][1].buffer(0.01).contains(Point(p.lon, p.lat)):
                    outside.append((p.id, pcode))
    assert not outside, outside


@pytest.mark.reference
def test_every_northern_district_has_a_row(builtin, ocha_units):
    cited = {s[5:] for p in builtin.places if p.type == "district" for s in p.sources if s.startswith("ocha:")}
    districts = {code for code, (props, _) in ocha_units.items()
                 if "ADM2_PCODE" in props and "ADM3_PCODE" not in props and props["ADM1_EN"] in NORTHERN_OCHA}
    assert districts - cited == set()


@pytest.mark.reference
def test_every_northern_subdistrict_has_a_row(builtin, ocha_units):
    cited = {s[5:] for p in builtin.places for s in p.sources if s.startswith("ocha:")}
    subdistricts = {code: props["ADM3_EN"] for code, (props, _) in ocha_units.items()
                    if "ADM3_PCODE" in props and props["ADM1_EN"] in NORTHERN_OCHA
                    and not props["ADM3_EN"].lower().startswith("markaz")}
    missing = {c: n for c, n in subdistricts.items() if c not in cited}
    assert not missing, missing
