"""The checking loop end to end: export a GeoPackage, edit it as QGIS would (SQLite edits,
then QGIS's own edit session), turn the edits into corrections, re-run: the corrections hold,
the other events are byte-identical, and a rules change keeps them."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qgis_helpers import require_qgis

PROJECT_DIR = Path(__file__).resolve().parent.parent

REPORTS = {
    "daquq.md": "---\nid: daquq\npublished: 2024-05-11\ntitle: IED near Daquq\n---\n"
                "An IED exploded near Daquq on Tuesday, killing two soldiers.\n",
    "hawija.md": "---\nid: hawija\npublished: 2024-05-11\ntitle: Attack near Hawija\n---\n"
                 "Gunmen attacked a checkpoint near Hawija on Monday, wounding a policeman.\n",
    "tuz.md": "---\nid: tuz\npublished: 2024-05-11\ntitle: Clash near Tuz Khurmatu\n---\n"
              "Clashes broke out near Tuz Khurmatu on Wednesday between two armed groups.\n",
}


def geo(*args, env=None, check=True):
    run = subprocess.run([sys.executable, "-m", "geo.cli", *map(str, args)], capture_output=True,
                         text=True, timeout=300, cwd=PROJECT_DIR, env=env)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def _features(path):
    return {f["properties"]["event_id"]: f for f in json.loads(Path(path).read_text())["features"]}


@pytest.fixture
def reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _ids_by_report(gpkg):
    with sqlite3.connect(gpkg) as db:
        return dict(db.execute("SELECT report_id, event_id FROM events"))


def _check_round_trip(tmp_path, reports, edited, ids, gazetteer):
    corrections = tmp_path / "corrections.csv"
    places_out = tmp_path / "new-places.csv"
    run = geo("corrections", "from-gpkg", edited, "--against", reports, "-c", corrections,
              "--who", "Rania", "--places-out", places_out)
    assert "2 moved" in run.stderr or "1 moved" in run.stderr
    rows = corrections.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "event_id,field,value,who,when,why"
    before = _features(geo("events", reports, "-o", tmp_path / "before.geojson").args[-1])
    after_path = tmp_path / "after.geojson"
    out = geo("events", reports, "--corrections", corrections, "-o", after_path)
    assert "applied" in out.stderr
    after = _features(after_path)
    daquq, hawija, tuz = ids["daquq"], ids["hawija"], ids["tuz"]
    # the moved event sits where the analyst put it, on the gazetteer's place there
    moved = after[daquq]["properties"]
    kirkuk = gazetteer.get("kirkuk")
    assert (moved["place_id"], moved["corrected"], moved["corrected_by"]) == ("kirkuk", "place_id", "Rania")
    assert after[daquq]["geometry"]["coordinates"] == [kirkuk.lon, kirkuk.lat]
    assert moved["original_place_id"] == before[daquq]["properties"]["place_id"]
    # the retyped event has its new type, the old one kept
    retyped = after[hawija]["properties"]
    assert retyped["event_type"] == "Violence against civilians"
    assert retyped["original_event_type"] == before[hawija]["properties"]["event_type"]
    # the deleted event is gone; nothing else changed, byte for byte
    assert tuz not in after
    assert json.dumps(after[daquq]) != json.dumps(before[daquq])
    untouched = set(before) - {daquq, hawija, tuz}
    assert all(json.dumps(after[i]) == json.dumps(before[i]) for i in untouched)
    return corrections


def _edit_with_sqlite(gpkg, ids, gazetteer):
    """What QGIS writes: a moved point (the GeoPackage geometry blob), an attribute, a delete."""
    from shapely import wkb
    from shapely.geometry import Point

    kirkuk = gazetteer.get("kirkuk")
    with sqlite3.connect(gpkg) as db:
        # The GeoPackage's R-tree triggers call these SQL functions, which GDAL provides to
        # SQLite (a plain connection has none): the same here, read off the geometry blob.
        def geom(blob):
            return wkb.loads(bytes(blob[8:])) if blob else None
        db.create_function("ST_IsEmpty", 1, lambda b: int(b is None or geom(b).is_empty))
        for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
            db.create_function(name, 1, lambda b, i=i: geom(b).bounds[i] if b else None)
        (blob,) = db.execute("SELECT geom FROM events WHERE event_id = ?", (ids["daquq"],)).fetchone()
        # GeoPackage binary: magic, version, flags, srs_id, then WKB; written without an
        # envelope (flag bits 1-3 cleared), as GDAL does for points
        header = blob[:3] + bytes([blob[3] & ~0b1110]) + blob[4:8]
        point = Point(kirkuk.lon + 0.003, kirkuk.lat)
        db.execute("UPDATE events SET geom = ? WHERE event_id = ?",
                   (header + wkb.dumps(point, byte_order=1), ids["daquq"]))
        db.execute("UPDATE events SET event_type = 'Violence against civilians' WHERE event_id = ?",
                   (ids["hawija"],))
        db.execute("DELETE FROM events WHERE event_id = ?", (ids["tuz"],))


def test_round_trip_through_a_geopackage_edited_as_qgis_writes_it(tmp_path, reports, gazetteer):
    gpkg = tmp_path / "check.gpkg"
    geo("export", reports, "--format", "gpkg", "-o", gpkg)
    ids = _ids_by_report(gpkg)
    assert set(ids) == {"daquq", "hawija", "tuz"}
    _edit_with_sqlite(gpkg, ids, gazetteer)
    corrections = _check_round_trip(tmp_path, reports, gpkg, ids, gazetteer)
    # running from-gpkg again on the same edits adds nothing: they are corrections already
    again = geo("corrections", "from-gpkg", gpkg, "--against", reports, "-c", corrections, "--who", "Rania")
    assert "appended 0 correction(s)" in again.stderr


def test_corrections_survive_a_rules_change(tmp_path, reports, gazetteer):
    """A new actor alias changes the rules (the Hawija gunmen get another actor); the
    corrected events keep their ids and their fixes."""
    gpkg = tmp_path / "check.gpkg"
    geo("export", reports, "--format", "gpkg", "-o", gpkg)
    ids = _ids_by_report(gpkg)
    _edit_with_sqlite(gpkg, ids, gazetteer)
    corrections = tmp_path / "corrections.csv"
    geo("corrections", "from-gpkg", gpkg, "--against", reports, "-c", corrections, "--who", "Rania")
    # the rules change: a copy of the data whose actors.csv gives the gunmen another actor
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_DIR / "data", copy / "data")
    actors = copy / "data" / "actors.csv"
    text = actors.read_text(encoding="utf-8")
    text = text.replace("Unidentified Armed Group (Iraq),rebel,gunmen|", "Unidentified Armed Group (Iraq),rebel,")
    text = text.rstrip("\n") + "\nTest Gunmen (Iraq),rebel,gunmen,\n"
    actors.write_text(text, encoding="utf-8")
    env = dict(__import__("os").environ, GEO_DATA_DIR=str(copy / "data"))
    out = subprocess.run([sys.executable, "-m", "geo.cli", "events", reports, "--corrections",
                          corrections], capture_output=True, text=True, timeout=300,
                         cwd=PROJECT_DIR, env=env)
    assert out.returncode == 0, out.stderr
    after = _features_text(out.stdout)
    assert after[ids["hawija"]]["properties"]["actor1"] == "Test Gunmen (Iraq)"  # the rules changed
    assert after[ids["hawija"]]["properties"]["event_type"] == "Violence against civilians"
    assert after[ids["daquq"]]["properties"]["place_id"] == "kirkuk"
    assert ids["tuz"] not in after
    assert "no longer exists" not in out.stderr


def _features_text(text):
    return {f["properties"]["event_id"]: f for f in json.loads(text)["features"]}




_QGIS_EDIT = """
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsVectorLayer, QgsGeometry, QgsPointXY
app = QgsApplication([], False)
app.initQgis()
path, move_id, lon, lat, retype_id, drop_id = sys.argv[1:7]
layer = QgsVectorLayer(path + "|layername=events", "events", "ogr")
assert layer.isValid()
layer.startEditing()
ids = {f["event_id"]: f.id() for f in layer.getFeatures()}
layer.changeGeometry(ids[move_id], QgsGeometry.fromPointXY(QgsPointXY(float(lon), float(lat))))
layer.changeAttributeValue(ids[retype_id], layer.fields().indexOf("event_type"),
                           "Violence against civilians")
layer.deleteFeature(ids[drop_id])
assert layer.commitChanges(), layer.commitErrors()
print("edited", flush=True)
os._exit(0)
"""


def test_round_trip_through_qgis_own_edit_session(tmp_path, reports, gazetteer):
    python = require_qgis()
    gpkg = tmp_path / "check.gpkg"
    geo("export", reports, "--format", "gpkg", "-o", gpkg)
    ids = _ids_by_report(gpkg)
    kirkuk = gazetteer.get("kirkuk")
    run = subprocess.run([python, "-c", _QGIS_EDIT, str(gpkg), ids["daquq"], str(kirkuk.lon + 0.003),
                          str(kirkuk.lat), ids["hawija"], ids["tuz"]],
                         capture_output=True, text=True, timeout=120)
    assert "edited" in run.stdout, run.stderr
    _check_round_trip(tmp_path, reports, gpkg, ids, gazetteer)


def test_review_lists_unknown_names_and_writes_a_places_template(tmp_path, gazetteer):
    folder = tmp_path / "r"
    folder.mkdir()
    for i, village in enumerate(["Gird Qomarzin", "Gird Qomarzin", "Kani Zirkoxan"]):
        (folder / f"{i}.md").write_text(
            f"---\nid: r{i}\npublished: 2024-05-11\n---\nGunmen attacked the village of {village} "
            f"in Daquq district on Monday, wounding a farmer.\n", encoding="utf-8")
    template = tmp_path / "places.csv"
    out = geo("review", folder, "--places-out", template)
    lines = out.stdout.splitlines()
    assert lines[0].endswith("unknown name(s) in 3 report(s):")
    assert "Gird Qomarzin" in lines[1] and lines[1].split()[0] == "2"  # most frequent first
    assert "[Kirkuk / Daquq]" in lines[1]
    text = template.read_text(encoding="utf-8").splitlines()
    assert text[1].startswith("id,name,type,lat,lon,governorate,district")
    assert text[2].startswith("gird-qomarzin,Gird Qomarzin,village,,,Kirkuk,Daquq")
    # filled in and given back, the village is where the next run puts the event
    filled = template.read_text(encoding="utf-8").replace(
        "gird-qomarzin,Gird Qomarzin,village,,,", "gird-qomarzin,Gird Qomarzin,village,35.20,44.40,").replace(
        "TODO: where the coordinates come from", "field team 2024-05")
    filled = "\n".join(ln for ln in filled.splitlines() if not ln.startswith("kani-zirkoxan"))
    template.write_text(filled + "\n", encoding="utf-8")
    events = json.loads(geo("events", folder / "0.md", "--places", template).stdout)
    assert events["features"][0]["properties"]["place_id"] == "gird-qomarzin"
