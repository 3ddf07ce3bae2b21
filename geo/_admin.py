"""Which known unit a place lies in: admin names where the gazetteer has them, distance else.

The geoparser uses it to tell namesakes apart by the unit the text puts a name in ("X in
Diyala province", "Kirkuk's X"), the event step to prefer a place inside the larger unit an
event's sentence names. It knows gazetteer places only, no reports.
"""
from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer, Place

# How far a place may lie from a unit that has no admin name to compare, to count as in it.
INSIDE_KM = {"city": 20.0, "town": 20.0, "village": 10.0, "subdistrict": 30.0, "district": 60.0,
             "valley": 40.0, "mountain": 40.0, "lake": 30.0, "river": 40.0, "front": 60.0,
             "sector": 40.0, "command_area": 80.0, "region": 300.0, "site": 10.0,
             "military_base": 10.0, "dam": 15.0}
KURDISTAN_REGION = frozenset({"Erbil", "Duhok", "Sulaimani", "Halabja"})


def km(a, b) -> float:
    """Great-circle km between two objects with lat/lon (0 when either has no point)."""
    if a.lat is None or b.lat is None:
        return 0.0
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def inside(place: "Place", unit: "Place") -> bool:
    """Does `place` lie in `unit`: a governorate or district by the gazetteer's admin names
    (either attribution of a disputed place counts), the Kurdistan Region by its
    governorates, anything else by distance (INSIDE_KM by the unit's type)?"""
    if place.id == unit.id:
        return False
    if unit.type == "country":
        return True
    if unit.type == "governorate" and unit.governorate:
        return unit.governorate in (place.governorate, place.governorate_krg)
    if unit.type == "district" and unit.district and place.district:
        return unit.district in (place.district, place.district_krg) and (
            not unit.governorate or unit.governorate in (place.governorate, place.governorate_krg))
    if unit.type == "region" and unit.id == "kurdistan-region":
        return place.governorate in KURDISTAN_REGION or place.governorate_krg in KURDISTAN_REGION
    return km(place, unit) <= INSIDE_KM.get(unit.type, 30.0)


def governorate_place(gaz: "Gazetteer", place: "Place") -> "Place | None":
    """The governorate row a place lies in (by its governorate name), if the gazetteer has one."""
    table = _GOVERNORATES.get(gaz)
    if table is None:
        table = _GOVERNORATES[gaz] = {p.governorate: p for p in gaz.of_types(("governorate",))
                                      if p.governorate}
    return table.get(place.governorate)


_GOVERNORATES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
