"""Every gazetteer row is valid, sourced and, where the reference data is present, checked
against it (GeoNames and UCDP points within 2 km; admin units inside their OCHA polygon)."""
from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from geo.gazetteer import (GOVERNORATES, PLACE_TYPES, SETTLEMENT_TYPES, Gazetteer, haversine_km,
                           preferred_names, read_places_file)

#: Governorates of the Kurdistan Region, where every populated place needs a Kurdish name.
KRG_GOVERNORATES = {"Erbil", "Duhok", "Sulaimani", "Halabja"}
#: A reviewer who finds that a KRG-governorate place has no Kurdish name of its own says so in
#: its note with these words; the test then accepts it.
NO_KURDISH_NAME = "no Kurdish name (reviewed)"
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
    """The library's rules (Gazetteer.validate, also behind `geo gazetteer check`): a point
    inside Iraq, an id slug, a source, known governorate and district names, safe aliases, no
    same-type namesakes without a rule; every problem names file, line and field."""
    problems = builtin.validate()
    assert not problems, "\n".join(map(str, problems))
    for p in builtin.places:
        assert p.type in PLACE_TYPES


def test_preferred_names_rules_name_real_places(builtin):
    missing = {name: pid for name, pid in preferred_names().items() if pid not in builtin}
    assert not missing, missing


def test_populated_places_and_governorates_have_arabic(builtin):
    missing = [p.id for p in builtin.places if p.type in {"governorate", *SETTLEMENT_TYPES} and not p.name_ar]
    assert not missing, f"no Arabic name: {missing}"


def test_towns_cities_and_governorates_have_aliases(builtin):
    missing = [p.id for p in builtin.places if p.type in {"governorate", "city", "town"} and not p.aliases]
    assert not missing, f"no aliases: {missing}"


def test_krg_populated_places_have_a_kurdish_name(builtin):
    """Every city, town and village the Kurdistan Region's governorates hold (by federal law or
    by the KRG's own attribution) has a Sorani or a Kurmanji name, or a reviewed exemption."""
    missing = [p.id for p in builtin.places
               if p.type in SETTLEMENT_TYPES
               and (p.governorate in KRG_GOVERNORATES or p.governorate_krg in KRG_GOVERNORATES)
               and not (p.name_ckb or p.name_kmr) and NO_KURDISH_NAME not in p.note]
    assert not missing, f"no Sorani or Kurmanji name: {missing}"


def test_all_19_governorates(builtin):
    assert {p.name for p in builtin.places if p.type == "governorate"} == GOVERNORATES


def test_same_type_name_collisions_have_a_rule(builtin):
    """Two places of one type sharing a name must both have (different) populations or a rule
    in data/preferred_names.csv; otherwise the resolver's pick would be arbitrary. (Also part
    of Gazetteer.validate; kept here so a failure says what it is about.)"""
    undecided = [str(p) for p in builtin._namesake_problems(None)]
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


def _northern_ucdp_names(ucdp_rows, precise_only: bool):
    """UCDP's northern place names -> first point; roads ('Road between X and Y') left out."""
    names, roads = {}, set()
    for r in ucdp_rows:
        if not any(k in r["adm_1"] for k in NORTHERN_UCDP_PROVINCES):
            continue
        if precise_only and r["where_prec"] not in ("1", "2"):
            continue
        name = r["where_coordinates"].strip()
        if name.lower().startswith("road between"):
            roads.add(name)
            continue
        names.setdefault(name, (float(r["latitude"]), float(r["longitude"])))
    return names, roads


@pytest.mark.reference
def test_every_northern_ucdp_place_is_in_the_gazetteer(builtin, ucdp_rows):
    """Precise UCDP places (where_prec 1-2: the town or village itself) have a row within 2 km."""
    points = defaultdict(set)
    for r in ucdp_rows:
        if r["where_prec"] in ("1", "2") and any(k in r["adm_1"] for k in NORTHERN_UCDP_PROVINCES):
            if r["where_coordinates"].lower().startswith("road between"):
                continue
            points[(round(float(r["latitude"]), 4), round(float(r["longitude"]), 4))].add(r["where_coordinates"])
    missing = []
    for (lat, lon), names in sorted(points.items()):
        near = builtin.nearest(lat, lon, limit=1)
        if not near or near[0].distance_km > 2.0:
            missing.append((sorted(names), lat, lon))
    assert not missing, f"{len(missing)} UCDP places lack a row within 2 km: {missing[:20]}"


# UCDP names whose UCDP point is not where the place is, reviewed one by one (the row's note
# says why): they resolve to the right place, which is more than 5 km from UCDP's point.
UCDP_KNOWN_MISLOCATED = {
    "Al ‘Alam town",          # al-alam: UCDP's point is 7 km south of the town (the albu-ajil row)
    "Şalāḩ ad Dīn town",      # pirmam: kept out of aliases so the governorate name stays the governorate's
    "Jabal Qarah Jirūshk",    # qarachogh: UCDP's point is near Mergasur, ~125 km from the range
}


@pytest.mark.reference
def test_precise_ucdp_names_resolve_within_5_km(builtin, ucdp_rows):
    names, _ = _northern_ucdp_names(ucdp_rows, precise_only=True)
    far = []
    for name, (lat, lon) in sorted(names.items()):
        if name in UCDP_KNOWN_MISLOCATED:
            continue
        got = builtin.resolve(name, limit=1)
        if not got or haversine_km(lat, lon, got[0].place.lat, got[0].place.lon) > 5.0:
            far.append((name, got[0].place.id if got else None))
    assert not far, far


@pytest.mark.reference
def test_ucdp_names_of_every_precision_resolve_to_something(builtin, ucdp_rows):
    """Every precision (districts, provinces, regions too): each name resolves to a place, and
    roads are left out explicitly (they are counted apart by bench/bench_gazetteer.py)."""
    names, roads = _northern_ucdp_names(ucdp_rows, precise_only=False)
    assert roads and all(r.startswith("Road between") for r in roads)
    unresolved = [name for name in sorted(names) if not builtin.resolve(name, limit=1)]
    # pirmam's note: UCDP's name for the town is the governorate's name, kept out of its aliases
    assert unresolved == ["Şalāḩ ad Dīn town"], unresolved


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
