"""geo.postgis against a real PostgreSQL + PostGIS server started for this file (initdb and
pg_ctl in a temporary folder: tests/pg_helpers.py): the round trip against the GeoPackage,
upserts, a changed report, two pushes at once, a push killed midway, each bad connection,
SQL zone counts against Python's, reading back as map and GeoPackage, and QGIS opening the
tables styled.

Without the server packages the file is skipped locally; under CI (CI set) that is a failure,
since tests/setup-and-run.sh installs them.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from qgis_helpers import require_qgis

from geo import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pg_helpers  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Short reports written for these tests: events in six places of the disputed territories,
#: and one report with no event.
REPORTS = [
    ("k1", "2024-03-02", "On Monday an IED exploded near Makhmour, killing two Peshmerga "
                         "fighters. Security sources said ISIS militants had planted the device."),
    ("k2", "2024-03-05", "ISIS militants attacked an Iraqi army checkpoint in Daquq on Sunday "
                         "night. One soldier was killed in the clash. On Tuesday a mortar shell "
                         "hit a village near Tuz Khurmatu."),
    ("k3", "2024-04-11", "Hundreds of people protested in Kirkuk on Thursday against the "
                         "electricity cuts."),
    ("k4", "2024-04-20", "A Turkish airstrike hit a vehicle near Sinjar on Saturday, killing "
                         "three fighters."),
    ("k5", "2024-05-01", "Gunmen shot dead a shepherd near Khanaqin on Wednesday."),
    ("k6", "2024-05-09", "The governor of Erbil opened a new school on Monday."),
]


def write_reports(path: Path, reports=REPORTS, changed: dict | None = None) -> Path:
    changed = changed or {}
    with open(path, "w", encoding="utf-8") as fh:
        for rid, published, body in reports:
            fh.write(json.dumps({"id": rid, "published": published, "source": "Test Agency",
                                 "title": f"Report {rid}", "body": changed.get(rid, body)})
                     + "\n")
    return path


@pytest.fixture(scope="module")
def pg():
    why = pg_helpers.postgis_available()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"PostGIS tests cannot run in CI: {why}")
        pytest.skip(why)
    cluster = pg_helpers.Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def schema():
    return "t_" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    return write_reports(tmp_path_factory.mktemp("reports") / "reports.jsonl")


def run_geo(*args, env=None, check_rc=None, timeout=300):
    full_env = dict(os.environ, **(env or {}))
    out = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                         text=True, cwd=PROJECT_DIR, env=full_env, timeout=timeout)
    if check_rc is not None:
        assert out.returncode == check_rc, out.stderr
    return out


def query(pg, sql, params=()):
    import psycopg

    with psycopg.connect(pg.url()) as conn:
        return conn.execute(sql, params).fetchall()


def table_rows(pg, schema, table, audit=True):
    """Every row of a table as dicts (geometry as EWKT), in key order."""
    import psycopg
    from psycopg import sql

    from geo.postgis import column_types

    cols = [c for c in column_types(table)
            if c != "fid" and (audit or c not in ("pushed_by", "pushed_at"))]
    exprs = [sql.SQL("ST_AsEWKT({})").format(sql.Identifier(c)) if c == "geom"
             else sql.Identifier(c) for c in cols]
    with psycopg.connect(pg.url()) as conn:
        rows = conn.execute(sql.SQL("SELECT {} FROM {} ORDER BY 1, 2, 3").format(
            sql.SQL(", ").join(exprs), sql.Identifier(schema, table))).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def snapshot(pg, schema, audit=True):
    out = {t: table_rows(pg, schema, t, audit) for t in settings.EXPORT_LAYERS}
    out["layer_styles"] = query(pg, "SELECT f_table_name, styleqml::text, update_time FROM "
                                    "public.layer_styles WHERE f_table_schema = %s ORDER BY 1",
                                (schema,))
    return out


# --- round trip ---------------------------------------------------------------------------

def _frames_equal(a, b, layer):
    """Same features, attributes and geometries (row order by the layer's key)."""
    import pandas as pd

    key = {"events": ["event_id"], "zones": ["zone_id"], "places": ["place_id"],
           "mentions": ["report_id", "start", "end", "place_id"]}[layer]
    a = a.sort_values(key, kind="mergesort").reset_index(drop=True)
    b = b.sort_values(key, kind="mergesort").reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b) > 0
    attrs = [c for c in a.columns if c != "geometry"]
    left = a[attrs].astype(object).where(a[attrs].notna(), None)
    right = b[attrs].astype(object).where(b[attrs].notna(), None)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    for ga, gb in zip(a.geometry.values, b.geometry.values):
        assert (ga is None and gb is None) or ga.equals(gb)


def _read_gpkg(path, layer):
    import geopandas as gpd

    from geo.export import normalize_layer

    frame = gpd.read_file(path, layer=layer)
    for col in ("published", "event_date"):
        if col in frame.columns:
            frame[col] = [None if v is None or v != v else str(v)[:10] for v in frame[col]]
    return normalize_layer(layer, frame)


def test_round_trip_matches_the_geopackage(pg, schema, reports, tmp_path):
    from geo import postgis
    from geo.export import export_inputs

    run_geo("export", str(reports), "--format", "postgis", "--db", pg.url(), "--schema",
            schema, check_rc=0)
    stored = postgis.read_layers(pg.url(), schema=schema)
    gpkg = tmp_path / "direct.gpkg"
    export_inputs([str(reports)], "gpkg", gpkg)
    for layer in settings.EXPORT_LAYERS:
        _frames_equal(stored[layer], _read_gpkg(gpkg, layer), layer)
    assert len(stored["events"]) == 6 and set(stored["events"]["report_id"]) == \
        {"k1", "k2", "k3", "k4", "k5"}
    # every table has a GiST index on its geometry, and the style QGIS applies by default
    gist = query(pg, "SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef "
                     "LIKE '%%USING gist (geom)%%' ORDER BY 1", (schema,))
    assert [r[0] for r in gist] == sorted(settings.EXPORT_LAYERS)
    import sqlite3

    with sqlite3.connect(gpkg) as con:
        gpkg_styles = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles"))
    db_styles = dict(query(pg, "SELECT f_table_name, styleqml::text FROM public.layer_styles "
                               "WHERE f_table_schema = %s AND useasdefault", (schema,)))
    assert db_styles == gpkg_styles  # the very QML the GeoPackage carries
    # and `geo export --from-db` gives a GeoPackage with the same layers
    from_db = tmp_path / "from-db.gpkg"
    run_geo("export", "--from-db", pg.url(), "--schema", schema, "--format", "gpkg",
            "-o", str(from_db), check_rc=0)
    for layer in settings.EXPORT_LAYERS:
        _frames_equal(_read_gpkg(from_db, layer), _read_gpkg(gpkg, layer), layer)


def test_where_filters_what_is_read_back(pg, schema, reports, tmp_path):
    from geo import postgis
    from geo._errors import PostgisError

    postgis.push_inputs([str(reports)], pg.url(), schema=schema)
    battles = postgis.read_layers(pg.url(), schema=schema, where=["event_type=Battles"])
    assert list(battles["events"]["report_id"]) == ["k2"]
    assert set(battles["mentions"]["report_id"]) == {"k2"}
    assert len(battles["zones"]) == len(postgis.read_layers(pg.url(), schema=schema)["zones"])
    later = postgis.read_layers(pg.url(), schema=schema,
                                where=["event_date>=2024-04-01", "location~sinj"])
    assert list(later["events"]["report_id"]) == ["k4"]
    injected = postgis.read_layers(pg.url(), schema=schema,
                                   where=["location=x' OR '1'='1"])  # a value, never SQL
    assert len(injected["events"]) == 0
    for bad, says in [("event_date>=yesterday", "is not a date"),
                      ("password=1", "no events column"), ("geo_precision~1", "text")]:
        with pytest.raises(PostgisError, match=says):
            postgis.read_layers(pg.url(), schema=schema, where=[bad])
    html = tmp_path / "team.html"
    out = run_geo("map", "--db", pg.url(), "--schema", schema, "--where",
                  "event_type=Protests", "-o", str(html), check_rc=0)
    assert "mapped 1 of 1 events" in out.stderr
    page = html.read_text(encoding="utf-8")
    assert '"k3-' in page and '"k4-' not in page  # event ids are the report's id and a hash
    assert "tile.openstreetmap.org" not in page  # the default: no tile server asked
    with_tiles = tmp_path / "team-osm.html"
    run_geo("map", "--db", pg.url(), "--schema", schema, "--tiles", "osm", "-o", str(with_tiles),
            check_rc=0)
    assert "tile.openstreetmap.org" in with_tiles.read_text(encoding="utf-8")


def test_zone_counts_in_sql_match_python(pg, schema, reports):
    from geo import postgis
    from geo.events import events_from_inputs
    from geo.zones import assign_zones, events_per_zone, load_zones

    postgis.push_inputs([str(reports)], pg.url(), schema=schema)
    counts = postgis.zone_counts(pg.url(), schema=schema)
    events = assign_zones(events_from_inputs([str(reports)]).events, load_zones())
    python = events_per_zone(events, load_zones())
    assert counts.table.to_dict(orient="records") == python.to_dict(orient="records")
    assert counts.table["events"].sum() > 0
    assert counts.events == 6 and counts.outside == int((events["zones"] == "").sum())
    out = run_geo("zones", "--events", "--db", pg.url(), "--schema", schema, "--json",
                  check_rc=0)
    assert json.loads(out.stdout)["per_zone"] == python.to_dict(orient="records")


# --- re-running, changed reports, concurrency, a killed push --------------------------------

def test_same_reports_twice_give_the_same_rows(pg, schema, reports):
    from geo import postgis

    postgis.push_inputs([str(reports)], pg.url(), schema=schema, batch_reports=2)
    before = snapshot(pg, schema)
    postgis.push_inputs([str(reports)], pg.url(), schema=schema, batch_reports=4,
                        pushed_by="second analyst")
    after = snapshot(pg, schema)
    for table in settings.EXPORT_LAYERS:  # unchanged rows keep who pushed them and when
        assert after[table] == before[table], table
    assert {r["pushed_by"] for r in after["events"]} == {pg_helpers.ADMIN}


def test_a_changed_report_replaces_its_events(pg, schema, reports, tmp_path):
    from geo import postgis

    postgis.push_inputs([str(reports)], pg.url(), schema=schema)
    before = snapshot(pg, schema)
    # k2 now tells one event in Kirkuk instead of two in Daquq and Tuz Khurmatu
    changed = write_reports(tmp_path / "changed.jsonl", REPORTS[1:2], {
        "k2": "Gunmen attacked a police patrol in Kirkuk on Sunday, wounding two officers."})
    result = postgis.push_inputs([str(changed)], pg.url(), schema=schema,
                                 pushed_by="editor")
    assert result.reports == 1 and result.counts["events"] == 1
    after = snapshot(pg, schema)
    k2 = [r for r in after["events"] if r["report_id"] == "k2"]
    assert [(r["event_id"].startswith("k2-"), r["location"], r["pushed_by"]) for r in k2] == \
        [(True, "Kirkuk", "editor")]
    assert k2[0]["event_id"] not in {r["event_id"] for r in before["events"]}  # a new sentence
    others = [r for r in after["events"] if r["report_id"] != "k2"]
    assert others == [r for r in before["events"] if r["report_id"] != "k2"]  # untouched
    assert {r["place_id"] for r in after["mentions"] if r["report_id"] == "k2"} == \
        {r["place_id"] for r in after["events"] if r["report_id"] == "k2"}
    places = {r["place_id"]: r["reports"] for r in after["places"]}
    old_places = {r["place_id"]: r["reports"] for r in before["places"]}
    daquq = next(p for p in old_places if "daquq" in p)
    assert daquq not in places  # no report mentions it any more
    kirkuk = next(p for p in places if p.endswith("kirkuk") or p.split("-")[-1] == "kirkuk")
    assert places[kirkuk] == old_places.get(kirkuk, 0) + 1  # k3 and now k2


def test_two_pushes_at_once_lose_and_duplicate_nothing(pg, schema, reports, tmp_path):
    from geo import postgis

    first = write_reports(tmp_path / "first.jsonl", REPORTS[:4])
    second = write_reports(tmp_path / "second.jsonl", REPORTS[2:])
    env = {"GEO_DB": pg.url()}  # the URL from the environment, as a team would set it
    procs = [subprocess.Popen([sys.executable, "-m", "geo.cli", "export", str(path),
                               "--format", "postgis", "--schema", schema, "--batch-reports",
                               "1", "--pushed-by", who], cwd=PROJECT_DIR,
                              env=dict(os.environ, **env), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for path, who in ((first, "analyst-a"), (second, "analyst-b"))]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    both = snapshot(pg, schema, audit=False)
    reference = "r_" + uuid.uuid4().hex[:10]
    postgis.push_inputs([str(reports)], pg.url(), schema=reference)
    alone = snapshot(pg, reference, audit=False)
    for table in settings.EXPORT_LAYERS:
        assert both[table] == alone[table], table
    assert len(both["events"]) == 6 and len(both["mentions"]) == len(alone["mentions"])
    assert {r[0] for r in query(pg, f'SELECT DISTINCT pushed_by FROM "{schema}".events')} <= \
        {"analyst-a", "analyst-b"}


def test_a_push_killed_midway_leaves_the_database_as_it_was(pg, schema, reports, tmp_path):
    import psycopg
    from psycopg import sql

    from geo import postgis

    postgis.push_inputs([str(reports)], pg.url(), schema=schema)
    before = snapshot(pg, schema)
    changed = write_reports(tmp_path / "changed.jsonl", REPORTS[:1], {
        "k1": "On Friday an IED exploded near Makhmour, wounding a Peshmerga officer."})
    makhmour = next(r["place_id"] for r in before["places"] if "makhmour" in r["place_id"])
    holder = psycopg.connect(pg.url())
    try:  # a row the push must update, held by someone else: the push stops inside its batch
        holder.execute(sql.SQL("SELECT 1 FROM {} WHERE place_id = %s FOR UPDATE").format(
            sql.Identifier(schema, "places")), (makhmour,))
        proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "export", str(changed),
                                 "--format", "postgis", "--db", pg.url(), "--schema", schema],
                                cwd=PROJECT_DIR, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        pid = _wait_for_blocked_push(pg, proc)
        wrote = query(pg, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = "
                          "l.relation JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                          "l.pid = %s AND n.nspname = %s AND c.relname = 'events' AND "
                          "l.mode = 'RowExclusiveLock' AND l.granted", (pid, schema))[0][0]
        assert wrote, "the push had not written its events yet"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    deadline = time.monotonic() + 60
    while query(pg, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)):
        assert time.monotonic() < deadline, "the killed push's session did not end"
        time.sleep(0.2)
    assert snapshot(pg, schema) == before


def _wait_for_blocked_push(pg, proc) -> int:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the push ended instead of waiting on the locked row"
        rows = query(pg, "SELECT pid FROM pg_stat_activity WHERE application_name = 'geo' "
                         "AND wait_event_type = 'Lock'")
        if rows:
            return rows[0][0]
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the push never reached the locked row")


# --- bad connections: one line, exit 2, never the password, nothing written ------------------

def _one_line_error(out, *must):
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geo: error: "), out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    for text in must:
        assert text in lines[0], lines[0]
    assert pg_helpers.PASSWORD not in out.stderr
    return lines[0]


def test_unreachable_server(pg, reports):
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    url = f"postgresql://{pg_helpers.ADMIN}:{pg_helpers.PASSWORD}@127.0.0.1:{closed}/x"
    _one_line_error(run_geo("export", str(reports), "--format", "postgis", "--db", url),
                    "cannot reach the database at", f"127.0.0.1:{closed}")


def test_wrong_credentials(pg, reports, schema):
    wrong = "not-the-Password-42"
    out = run_geo("export", str(reports), "--format", "postgis", "--db",
                  pg.url(password=wrong), "--schema", schema)
    line = _one_line_error(out, "refused the user name or password")
    assert wrong not in line
    assert not query(pg, "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))


def test_no_postgis_extension(pg, reports):
    out = run_geo("map", "--db", pg.url(pg_helpers.PLAIN_DATABASE))
    _one_line_error(out, "no PostGIS extension", "CREATE EXTENSION postgis")
    out = run_geo("export", str(reports), "--format", "postgis", "--db",
                  pg.url(pg_helpers.PLAIN_DATABASE))
    _one_line_error(out, "no PostGIS extension")
    assert pg.psql(pg_helpers.PLAIN_DATABASE, "SELECT count(*) FROM pg_namespace WHERE "
                                              "nspname = 'geo'").strip() == "0"


def test_a_same_named_table_with_other_columns(pg, reports, schema):
    pg.psql(pg_helpers.DATABASE, f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".events '
                                 "(id integer, note text)")
    out = run_geo("export", str(reports), "--format", "postgis", "--db", pg.url(),
                  "--schema", schema)
    _one_line_error(out, f"table {schema}.events", "other columns", "no column event_id")
    tables = query(pg, "SELECT table_name FROM information_schema.tables WHERE table_schema "
                       "= %s", (schema,))
    assert tables == [("events",)]  # nothing else created
    assert query(pg, f'SELECT count(*) FROM "{schema}".events') == [(0,)]
    if query(pg, "SELECT to_regclass('public.layer_styles')")[0][0]:  # an earlier test's
        assert not query(pg, "SELECT 1 FROM public.layer_styles WHERE f_table_schema = %s",
                         (schema,))


def test_bad_url_and_nothing_pushed_yet(pg, schema):
    out = run_geo("export", "--from-db", "postgresql://u:pw@host:notaport/db", "--format",
                  "gpkg", "-o", "/tmp/never.gpkg")
    _one_line_error(out, "not valid")
    assert not Path("/tmp/never.gpkg").exists()
    out = run_geo("zones", "--events", "--db", pg.url(), "--schema", schema)
    _one_line_error(out, "nothing pushed to schema")


# --- QGIS -----------------------------------------------------------------------------------

_QGIS_OPEN = """
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
kind, where = sys.argv[1], json.loads(sys.argv[2])
out = {}
for name in sys.argv[3:]:
    if kind == "postgres":
        uri = QgsDataSourceUri()
        uri.setConnection(where["host"], where["port"], where["db"], where["user"], where["pw"])
        uri.setDataSource(where["schema"], name, "geom")
        layer = QgsVectorLayer(uri.uri(False), name, "postgres")
    else:
        layer = QgsVectorLayer(where["path"] + "|layername=" + name, name, "ogr")
    renderer = layer.renderer()
    out[name] = {"valid": layer.isValid(), "count": layer.featureCount(),
                 "renderer": renderer.type(),
                 "attr": renderer.classAttribute() if renderer.type() == "categorizedSymbol" else None,
                 "colours": {c.value(): [c.symbol().color().name(), c.symbol().color().alpha()]
                             for c in getattr(renderer, "categories", lambda: [])()}}
    if name == "events":
        temporal = layer.temporalProperties()
        mode = temporal.mode()
        out[name]["temporal"] = [temporal.isActive(), int(getattr(mode, "value", mode)),
                                 temporal.startField()]
        out[name]["date_type"] = layer.fields().field("event_date").typeName().lower()
print(json.dumps(out), flush=True)
os._exit(0)  # skip QGIS's teardown, which may crash in a headless session
"""




def test_qgis_opens_the_tables_styled_as_the_geopackage(pg, schema, reports, tmp_path):
    from geo import postgis
    from geo._qgis_style import styles
    from geo.export import export_inputs

    python = require_qgis()
    postgis.push_inputs([str(reports)], pg.url(), schema=schema)
    gpkg = tmp_path / "same.gpkg"
    export_inputs([str(reports)], "gpkg", gpkg)
    where = {"host": "127.0.0.1", "port": str(pg.port), "db": pg_helpers.DATABASE,
             "user": pg_helpers.ADMIN, "pw": pg_helpers.PASSWORD, "schema": schema}
    seen = {}
    for kind, spec in (("postgres", where), ("ogr", {"path": str(gpkg)})):
        out = subprocess.run([python, "-c", _QGIS_OPEN, kind, json.dumps(spec),
                              *settings.EXPORT_LAYERS], capture_output=True, text=True,
                             timeout=180, check=True)
        seen[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    db = seen["postgres"]
    assert db == seen["ogr"]  # every table opens as its GeoPackage layer does
    assert all(db[n]["valid"] for n in settings.EXPORT_LAYERS)
    assert db["events"]["count"] == 6
    assert (db["events"]["renderer"], db["events"]["attr"]) == ("categorizedSymbol", "event_type")
    assert db["events"]["colours"] == {k: [v, 255] for k, v in styles()["event_types"].items()}
    assert db["zones"]["attr"] == "kind" and db["places"]["renderer"] == "singleSymbol"
    assert db["events"]["temporal"][1:] == [1, "event_date"] and db["events"]["date_type"] == "date"
