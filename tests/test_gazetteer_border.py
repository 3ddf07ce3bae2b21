"""The north's border areas and sub-district centres, curated: each resolves in English,
Kurmanji (Latin), Sorani and Arabic script, sits where its source puts it, and is found in
report text."""
from __future__ import annotations

import pytest

from geo.reports import parse_report_text

# (query as reports write it, id): English, Kurmanji, Sorani, Arabic for each area.
FOUR_SCRIPTS = [
    ("Zap", "zap-region"), ("Zap region", "zap-region"), ("Herêma Zapê", "zap-region"),
    ("ناوچەی زاپ", "zap-region"), ("منطقة الزاب", "zap-region"),
    ("Avashin", "avashin-region"), ("Avaşîn", "avashin-region"), ("ئاڤاشین", "avashin-region"),
    ("آفاشين", "avashin-region"),
    ("Basyan region", "basyan-region"), ("Basya area", "basyan-region"), ("Herêma Basyayê", "basyan-region"),
    ("ناوچەی باسیان", "basyan-region"), ("منطقة باسيان", "basyan-region"),
    ("Hakurk", "hakurk-region"), ("Khwakurk", "hakurk-region"), ("Xakurk", "hakurk-region"),
    ("خواکورک", "hakurk-region"), ("خواكورك", "hakurk-region"),
    ("Gara mountain", "gare-mountain"), ("Mount Gara", "gare-mountain"), ("Çiyayê Gare", "gare-mountain"),
    ("چیای گارە", "gare-mountain"), ("جبل كارة", "gare-mountain"), ("سلسلة جبال كارة", "gare-mountain"),
    ("Qandil mountains", "mount-qandil"), ("Çiyayê Qendîlê", "mount-qandil"), ("چیای قەندیل", "mount-qandil"),
    ("جبل قنديل", "mount-qandil"), ("سلسلة جبال قنديل", "mount-qandil"),
    ("Sinjar mountain", "mount-sinjar"), ("Çiyayê Şengalê", "mount-sinjar"), ("چیای شەنگال", "mount-sinjar"),
    ("جبل سنجار", "mount-sinjar"), ("سلسلة جبال سنجار", "mount-sinjar"),
    ("Mount Asos", "asos-mountain"), ("Çiyayê Asosê", "asos-mountain"), ("چیای ئاسۆس", "asos-mountain"),
    ("جبل أسوس", "asos-mountain"), ("سلسلة جبال أسوس", "asos-mountain"),
    ("Metina", "metina"), ("Herêma Metînayê", "metina"), ("ناوچەی مەتینا", "metina"), ("منطقة متينا", "metina"),
    ("Qarachogh", "qarachogh"), ("Çiyayê Qereçoxê", "qarachogh"), ("چیای قەرەچووغ", "qarachogh"),
    ("جبل قرچوغ", "qarachogh"),
    ("Makhmour camp", "makhmour-camp"), ("Mexmur camp", "makhmour-camp"), ("Kampa Mexmûrê", "makhmour-camp"),
    ("کەمپی مەخموور", "makhmour-camp"), ("مخيم مخمور", "makhmour-camp"),
    ("Sheladze", "shiladze"), ("Shiladze", "shiladze"), ("Şêladizê", "shiladze"), ("شیلادزێ", "shiladze"),
    ("شيلادزي", "shiladze"),
    # sub-district centres
    ("Girdasin", "girdasin"), ("Girdesîn", "girdasin"), ("گردسين", "girdasin"),
    ("Bujeel", "bujeel"), ("Bjil", "bujeel"), ("بجیل", "bujeel"), ("بوجيل", "bujeel"),
    ("Dinarta", "dinarta"), ("Dînarte", "dinarta"), ("دينارتة", "dinarta"),
    ("Wana", "wana"), ("وانه", "wana"),
    ("Qazaniya", "qazaniya"), ("قزانية", "qazaniya"),
]


@pytest.mark.parametrize("query, expected", FOUR_SCRIPTS)
def test_border_areas_resolve_in_four_scripts(gazetteer, query, expected):
    got = gazetteer.resolve(query)
    assert got and got[0].place.id == expected, [(c.place.id, c.match) for c in got[:3]]


@pytest.mark.parametrize("place_id, ptype, governorate, district", [
    ("zap-region", "region", "Duhok", "Amedi"), ("avashin-region", "region", "Duhok", "Amedi"),
    ("basyan-region", "region", "Erbil", "Zibar"), ("hakurk-region", "region", "Erbil", "Rawanduz"),
    ("gare-mountain", "mountain", "Duhok", "Amedi"), ("shiladze", "town", "Duhok", "Amedi"),
    ("makhmour-camp", "site", "Nineveh", "Makhmour"), ("girdasin", "town", "Nineveh", "Akre"),
    ("bujeel", "town", "Nineveh", "Akre"), ("dinarta", "town", "Nineveh", "Akre"),
    ("wana", "town", "Nineveh", "Tel Kaif"), ("qazaniya", "town", "Diyala", "Baladruz"),
])
def test_rows_and_their_sources(gazetteer, place_id, ptype, governorate, district):
    place = gazetteer.get(place_id)
    assert (place.type, place.governorate, place.district) == (ptype, governorate, district)
    # A point from a WOF/GeoNames record, a UCDP event, or an OCHA sub-district polygon.
    assert any(s.split(":")[0] in ("wof", "geonames", "ucdp", "ocha") for s in place.sources)


def test_area_points_lie_in_the_cited_subdistrict(gazetteer, reference_dir):
    import json

    from shapely.geometry import Point, shape

    polygons = {f["properties"]["ADM3_PCODE"]: shape(f["geometry"]) for f in
                json.loads((reference_dir / "iraq-adm3.geojson").read_text(encoding="utf-8"))["features"]}
    for pid in ("zap-region", "avashin-region", "basyan-region", "hakurk-region", "gare-mountain"):
        place = gazetteer.get(pid)
        codes = [s[5:] for s in place.sources if s.startswith("ocha:")]
        assert codes and polygons[codes[0]].contains(Point(place.lon, place.lat)), pid


@pytest.mark.parametrize("text, expected", [
    ("Turkish jets struck the Zap and Avashin areas overnight.", ["zap-region", "avashin-region"]),
    ("Clashes were reported in Metina and the Basyan area.", ["metina", "basyan-region"]),
    ("Iranian artillery shelled Khwakurk near Sidakan.", ["hakurk-region", "sidakan"]),
    ("Drones hit a position on Çiyayê Gare.", ["gare-mountain"]),
    ("فڕۆکەکانی تورکیا لە چیای قەندیل بۆردومانیان کرد.", ["mount-qandil"]),
    ("قصفت الطائرات التركية سلسلة جبال قنديل.", ["mount-qandil"]),
    ("A drone struck a car near Makhmour camp.", ["makhmour-camp"]),
])
def test_border_areas_in_report_text(gazetteer, text, expected):
    from geo.parse import geoparse

    report = parse_report_text(f"---\nid: t\ntitle: test\n---\n{text}\n")
    assert [m.place_id for m in geoparse(report, gazetteer).mentions] == expected
