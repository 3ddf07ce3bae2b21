"""A team's shared store: the export layers as PostGIS tables that QGIS opens styled, pushed
safely by several analysts at once, and read back as layers, maps and per-zone counts.

- `push_inputs(inputs, url)` reads reports, builds events, mentions, places and zones, and
  writes them into the tables `events`, `zones`, `places`, `mentions` of a schema (default
  `geo`), each with a GiST index on its geometry, plus one row per table in QGIS's
  `public.layer_styles` (the QML styles the GeoPackage export carries, geo._qgis_style).
- `read_layers(url)` gives the four layers back (geo.schema columns, EPSG:4326), optionally
  only the events matching `where` conditions; `zone_counts(url)` counts events per zone in
  SQL.

Safety of a push:

- Reports go in batches, one transaction each. Within a batch, events are upserted by
  `event_id`; a report's events that its new text no longer gives are deleted, its mentions
  replaced, and the places' report counts recomputed from the mentions in the database. A
  row whose values did not change keeps its `pushed_by` and `pushed_at`.
- Every batch transaction first takes a transaction-scoped advisory lock on the schema, so two
  pushes at once interleave batch by batch and never write the same rows at the same time:
  nothing is lost or duplicated, and there is no deadlock.
- A push killed midway loses only its open transaction: the server rolls it back, and the
  tables are as the last committed batch left them.
- Before anything is written: the server is reached, the credentials accepted, PostGIS
  installed in the database, and any existing table of ours in the schema has exactly our
  columns. Each failure is a PostgisError of one line that never shows the password.

No SQL is built from user values: identifiers (the schema) go through psycopg.sql.Identifier
and values are parameters.
"""
from __future__ import annotations

import datetime
import getpass
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geo import settings
from geo._errors import PostgisError
from geo.export import GPKG_DATE_COLUMNS, LAYER_COLUMNS
from geo.export import _TYPES as LAYER_TYPES

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import psycopg

#: The environment variable that holds the database URL when --db is not given.
DB_ENV = "GEO_DB"
DEFAULT_SCHEMA = "geo"
#: Reports per transaction: small enough that a killed push loses little, large enough that
#: a transaction's fixed cost (lock, temporary table, commit) stays a small share.
PUSH_BATCH_REPORTS = 500
GEOMETRY_COLUMN = settings.EXPORT_GPKG_GEOMETRY_COLUMN
TABLES = tuple(settings.EXPORT_LAYERS)
#: PostGIS geometry type of each table (zones: polygons are stored as multipolygons).
GEOMETRY_TYPES = {"events": "Point", "zones": "MultiPolygon", "places": "Point",
                  "mentions": "Point"}
#: What identifies a row: events upsert by event_id, zones by zone_id, places by place_id;
#: mentions have no natural key (they are replaced report by report) and get an identity.
PRIMARY_KEYS = {"events": "event_id", "zones": "zone_id", "places": "place_id",
                "mentions": "fid"}
AUDIT_COLUMNS = ("pushed_by", "pushed_at")
_SQL_TYPES = {"str": "text", "float": "double precision", "int": "integer", "bool": "boolean",
              "date": "date"}
#: information_schema's udt_name of each SQL type above (to compare an existing table).
_UDT = {"text": "text", "double precision": "float8", "integer": "int4", "boolean": "bool",
        "date": "date", "timestamptz": "timestamptz", "bigint": "int8", "geometry": "geometry"}
_CONNECT_TIMEOUT_S = 10
_MAX_WARNINGS = 100
#: QGIS's own definition of its style table (QgsPostgresProviderMetadata::saveStyle), so
#: QGIS reads and writes the rows we add as its own.
_LAYER_STYLES_DDL = (
    "CREATE TABLE IF NOT EXISTS public.layer_styles ("
    "id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, "
    "f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, "
    "stylesld xml, useasdefault boolean, description text, "
    "owner varchar(63) DEFAULT CURRENT_USER, ui xml, "
    "update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)")
_LAYER_STYLES_NEEDED = ("f_table_catalog", "f_table_schema", "f_table_name",
                        "f_geometry_column", "stylename", "styleqml", "stylesld",
                        "useasdefault", "description", "update_time")


def column_types(table: str) -> dict[str, str]:
    """The SQL type of each column of one of our tables, in order (geometry last but the
    audit columns; mentions start with their identity `fid`)."""
    types = LAYER_TYPES[table]
    dates = GPKG_DATE_COLUMNS.get(table, ())
    out: dict[str, str] = {"fid": "bigint"} if table == "mentions" else {}
    for col in LAYER_COLUMNS[table]:
        if col == "geometry":
            continue
        out[col] = "date" if col in dates else _SQL_TYPES[types.get(col, "str")]
    out[GEOMETRY_COLUMN] = "geometry"
    out["pushed_by"] = "text"
    out["pushed_at"] = "timestamptz"
    return out


def data_columns(table: str) -> list[str]:
    """The columns a push writes from a layer (the layer's attributes, then the geometry)."""
    return [c for c in column_types(table) if c not in ("fid", *AUDIT_COLUMNS)]


# --- connecting ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where to push: the connection string as given, a safe label, and the schema."""

    url: str
    label: str
    schema: str
    secrets: tuple[str, ...] = ()

    def scrub(self, text: str) -> str:
        """`text` with the password (and the URL holding it) taken out."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text


def target(url: str | None, schema: str | None = None) -> Target:
    """Check a database URL (`postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`, or GEO_DB when
    None) and a schema name; PostgisError, without the password, when either is unusable."""
    from psycopg.conninfo import conninfo_to_dict

    url = url if url is not None else os.environ.get(DB_ENV)
    if not url or not str(url).strip():
        raise PostgisError(f"no database given: pass --db postgresql://USER@HOST/DB or set {DB_ENV}")
    url = str(url).strip()
    # SQLAlchemy's spelling (postgresql+psycopg://) names the same database.
    url = re.sub(r"^postgres(?:ql)?\+\w+://", "postgresql://", url)
    secrets = (url,)
    try:
        params = conninfo_to_dict(url)
    except Exception:  # psycopg's message may quote the string, password and all
        raise PostgisError("the database URL is not valid: expected "
                           "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE") from None
    if "://" in url and not url.startswith(("postgresql://", "postgres://")) or \
            not re.fullmatch(r"[0-9,]*", str(params.get("port") or "")):
        raise PostgisError("the database URL is not valid: expected "
                           "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
    password = params.get("password")
    if password:
        secrets = (url, str(password))
    user = params.get("user") or getpass.getuser()
    host = params.get("host") or "localhost"
    port = params.get("port") or "5432"
    dbname = params.get("dbname") or user
    schema = DEFAULT_SCHEMA if schema is None else str(schema)
    if not schema.strip() or len(schema.encode("utf-8")) > 63 or "\x00" in schema:
        raise PostgisError(f"schema name {schema!r} is not usable: 1 to 63 bytes")
    return Target(url, f"{user}@{host}:{port}/{dbname}", schema, secrets)


def connect(tgt: Target) -> "psycopg.Connection":
    """An open connection, or PostgisError saying in one line why there is none: the server
    cannot be reached, the user name or password is wrong, the database does not exist."""
    import psycopg

    try:
        return psycopg.connect(tgt.url, connect_timeout=_CONNECT_TIMEOUT_S,
                               application_name="geo")
    except psycopg.Error as exc:
        raise PostgisError(_connect_message(tgt, str(exc))) from None


def _connect_message(tgt: Target, text: str) -> str:
    lines = [ln.strip() for ln in tgt.scrub(text).splitlines() if ln.strip()]
    reason = lines[-1] if lines else "unknown error"
    reason = re.sub(r"^(?:connection failed:\s*)?(?:connection to server .*? failed:\s*)?"
                    r"(?:FATAL:\s*)?", "", reason).strip()
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or "authentication failed" in lowered:
        return f"the database at {tgt.label} refused the user name or password"
    if re.search(r'database ".*" does not exist', text):
        return f"no such database: {tgt.label} ({reason})"
    return f"cannot reach the database at {tgt.label}: {reason}"


def _schema_sql(tgt: Target, table: str | None = None):
    from psycopg import sql

    return sql.Identifier(tgt.schema, table) if table else sql.Identifier(tgt.schema)


def check_database(conn: "psycopg.Connection", tgt: Target) -> bool:
    """PostgisError unless PostGIS is installed in the database and every table of ours that
    already exists in the schema (and public.layer_styles) has the columns we write.
    Returns whether all our tables exist already. Reads only."""
    with conn.cursor() as cur:
        cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
        if cur.fetchone() is None:
            cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            how = ("an owner of the database can enable it: CREATE EXTENSION postgis"
                   if cur.fetchone() else
                   "the server has no PostGIS either (Debian: postgresql-15-postgis-3)")
            raise PostgisError(f"the database at {tgt.label} has no PostGIS extension: {how}")
        present = 0
        for table in TABLES:
            existing = _columns(cur, tgt.schema, table)
            if not existing:
                continue
            present += 1
            wanted = {c: _UDT[t] for c, t in column_types(table).items()}
            if existing != wanted:
                raise PostgisError(f"table {tgt.schema}.{table} in {tgt.label} exists with other "
                                   f"columns ({_difference(existing, wanted)}): push to another "
                                   "--schema, or rename that table")
        styles = _columns(cur, "public", "layer_styles")
        missing = [c for c in _LAYER_STYLES_NEEDED if c not in styles]
        if styles and missing:
            raise PostgisError(f"table public.layer_styles in {tgt.label} is not QGIS's style "
                               f"table (no column {missing[0]})")
    conn.rollback()
    return present == len(TABLES)


def _columns(cur, schema: str, table: str) -> dict[str, str]:
    cur.execute("SELECT column_name, udt_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (schema, table))
    return dict(cur.fetchall())


def _difference(existing: dict[str, str], wanted: dict[str, str]) -> str:
    missing = [c for c in wanted if c not in existing]
    if missing:
        return f"no column {missing[0]}"
    extra = [c for c in existing if c not in wanted]
    if extra:
        return f"a column {extra[0]} that is not ours"
    col = next(c for c in wanted if existing[c] != wanted[c])
    return f"column {col} is {existing[col]}, not {wanted[col]}"


# --- pushing ---------------------------------------------------------------------------------

@dataclass
class PushResult:
    """What a push did: reports read, rows written per table (the rows sent; unchanged rows
    keep their old pushed_at), batches committed, and the errors of unreadable reports."""

    target: str
    schema: str
    reports: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {t: 0 for t in TABLES})
    batches: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    zone_errors: list[str] = field(default_factory=list)
    zone_warnings: list[str] = field(default_factory=list)


def _ddl(tgt: Target) -> list:
    from psycopg import sql

    statements = [sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(_schema_sql(tgt))]
    for table in TABLES:
        cols = []
        for col, kind in column_types(table).items():
            if col == GEOMETRY_COLUMN:
                kind = f"geometry({GEOMETRY_TYPES[table]}, 4326)"
            elif col == "fid":
                kind = "bigint GENERATED ALWAYS AS IDENTITY"
            elif col == "pushed_at":
                kind = "timestamptz NOT NULL DEFAULT now()"
            elif col == "pushed_by":
                kind = "text NOT NULL DEFAULT CURRENT_USER"
            not_null = " NOT NULL" if col in ("report_id",) and table != "places" else ""
            cols.append(sql.SQL("{} {}{}").format(sql.Identifier(col), sql.SQL(kind),
                                                  sql.SQL(not_null)))
        cols.append(sql.SQL("PRIMARY KEY ({})").format(sql.Identifier(PRIMARY_KEYS[table])))
        statements.append(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
            _schema_sql(tgt, table), sql.SQL(", ").join(cols)))
        statements.append(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING GIST ({})").format(
            sql.Identifier(f"{table}_{GEOMETRY_COLUMN}_idx"), _schema_sql(tgt, table),
            sql.Identifier(GEOMETRY_COLUMN)))
        if "report_id" in LAYER_COLUMNS[table] and table != "places":
            statements.append(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (report_id)").format(
                sql.Identifier(f"{table}_report_id_idx"), _schema_sql(tgt, table)))
    statements.append(sql.SQL(_LAYER_STYLES_DDL))
    return statements


def _lock(cur, tgt: Target) -> None:
    """The schema's push lock, until this transaction ends (every writer takes it first)."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"geo push {tgt.schema}",))


def _ewkb(geometry: Any, multi: bool = False) -> str | None:
    """A geometry as hex EWKB with SRID 4326 (what a geometry column's text input takes)."""
    import shapely

    if geometry is None or geometry.is_empty:
        return None
    if multi and geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True)


def _rows(table: str, frame: "gpd.GeoDataFrame") -> list[tuple]:
    """The rows of a normalized layer in data_columns(table) order, as Python values."""
    from geo._values import plain

    columns = [c for c in data_columns(table) if c != GEOMETRY_COLUMN]
    dates = set(GPKG_DATE_COLUMNS.get(table, ()))
    multi = GEOMETRY_TYPES[table].startswith("Multi")
    out = []
    values = {c: list(frame[c]) for c in columns}
    geoms = list(frame.geometry.values)
    for i in range(len(frame)):
        row = []
        for c in columns:
            v = plain(values[c][i])
            if c in dates and v is not None:
                v = datetime.date.fromisoformat(str(v)[:10]) if v else None
            elif isinstance(v, float) and not math.isfinite(v):
                v = None
            row.append(v)
        row.append(_ewkb(geoms[i], multi))
        out.append(tuple(row))
    return out


def _stage(cur, table: str, rows: list[tuple]) -> None:
    """Rows into a temporary table shaped like `table` (dropped at commit), by COPY."""
    from psycopg import sql

    cols = data_columns(table)
    cur.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
        sql.Identifier(f"stage_{table}"),
        sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(column_types(table)[c]))
                           for c in cols)))
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(f"stage_{table}"),
            sql.SQL(", ").join(map(sql.Identifier, cols)))) as copy:
        for row in rows:
            copy.write_row(row)


def _upsert(cur, tgt: Target, table: str, pushed_by: str | None,
            derived: tuple[str, ...] = ()) -> None:
    """stage_<table> into <table>: new keys inserted, changed rows updated (and re-stamped),
    unchanged rows left as they are. `derived` columns are written for new rows only (the
    caller recomputes them)."""
    from psycopg import sql

    key = PRIMARY_KEYS[table]
    cols = data_columns(table)
    names = sql.SQL(", ").join(map(sql.Identifier, cols))
    updated = [c for c in cols if c != key and c not in derived]
    cur.execute(sql.SQL(
        "INSERT INTO {table} ({names}, pushed_by) "
        "SELECT {names}, coalesce(%(by)s, CURRENT_USER) FROM {stage} ORDER BY {key} "
        "ON CONFLICT ({key}) DO UPDATE SET {sets}, pushed_by = EXCLUDED.pushed_by, "
        "pushed_at = now() WHERE ({old}) IS DISTINCT FROM ({new})").format(
            table=_schema_sql(tgt, table), names=names, stage=sql.Identifier(f"stage_{table}"),
            key=sql.Identifier(key),
            sets=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                                    for c in updated),
            old=sql.SQL(", ").join(sql.SQL("{t}.{c}").format(t=sql.Identifier(table),
                                                             c=sql.Identifier(c))
                                   for c in updated),
            new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{c}").format(c=sql.Identifier(c))
                                   for c in updated)),
        {"by": pushed_by})


def _write_styles(cur, tgt: Target, tables: Sequence[str]) -> None:
    """QGIS's default style row of each table, replacing the one an earlier push wrote."""
    from geo._qgis_style import layer_qml

    for table in tables:
        qml, description = layer_qml(table)
        cur.execute("DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() "
                    "AND f_table_schema = %s AND f_table_name = %s AND f_geometry_column = %s "
                    "AND stylename = %s", (tgt.schema, table, GEOMETRY_COLUMN, table))
        cur.execute("INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, "
                    "f_table_name, f_geometry_column, stylename, styleqml, stylesld, "
                    "useasdefault, description, ui) "
                    "VALUES (current_database(), %s, %s, %s, %s, XMLPARSE(DOCUMENT %s), NULL, "
                    "true, %s, NULL)",
                    (tgt.schema, table, GEOMETRY_COLUMN, table, qml, description))


def _write_batch(conn, tgt: Target, layers: dict[str, "gpd.GeoDataFrame"],
                 report_ids: list[str], pushed_by: str | None, first: bool,
                 create: bool) -> None:
    """One batch in one transaction: on the first, zones and styles too (and the tables
    when `create`: DDL is skipped once they exist, so that a push never waits on a table
    lock held by someone editing in QGIS)."""
    from psycopg import sql

    with conn.transaction(), conn.cursor() as cur:
        _lock(cur, tgt)
        if first and create:
            for statement in _ddl(tgt):
                cur.execute(statement)
        if first:
            _stage(cur, "zones", _rows("zones", layers["zones"]))
            _upsert(cur, tgt, "zones", pushed_by)
            _write_styles(cur, tgt, TABLES)
        events = layers["events"]
        new_ids = [str(v) for v in events["event_id"]]
        # A report's events its text no longer gives go; the others are upserted below.
        cur.execute(sql.SQL("DELETE FROM {} WHERE report_id = ANY(%s) AND NOT "
                            "(event_id = ANY(%s))").format(_schema_sql(tgt, "events")),
                    (report_ids, new_ids))
        _stage(cur, "events", _rows("events", events))
        _upsert(cur, tgt, "events", pushed_by)
        touched = _replace_mentions(cur, tgt, layers["mentions"], report_ids, pushed_by)
        places = layers["places"]
        touched |= {str(p) for p in places["place_id"]}
        _stage(cur, "places", _rows("places", places))
        _upsert(cur, tgt, "places", pushed_by, derived=("reports",))
        # A place's report count is over the whole table, not this batch; a place no report
        # mentions any more goes.
        cur.execute(sql.SQL(
            "UPDATE {p} SET reports = c.n FROM (SELECT t.place_id, count(DISTINCT m.report_id) "
            "AS n FROM unnest(%s::text[]) AS t(place_id) LEFT JOIN {m} m "
            "ON m.place_id = t.place_id GROUP BY t.place_id) c "
            "WHERE {p}.place_id = c.place_id AND {p}.reports IS DISTINCT FROM c.n").format(
                p=_schema_sql(tgt, "places"), m=_schema_sql(tgt, "mentions")),
            (sorted(touched),))
        cur.execute(sql.SQL("DELETE FROM {} WHERE place_id = ANY(%s) AND reports = 0").format(
            _schema_sql(tgt, "places")), (sorted(touched),))


def _replace_mentions(cur, tgt: Target, mentions: "gpd.GeoDataFrame", report_ids: list[str],
                      pushed_by: str | None) -> set[str]:
    """The mentions of each report of the batch whose mentions changed, replaced (a report
    whose mentions are the same keeps its rows and their stamps). Returns the place ids
    whose report counts may have changed."""
    from psycopg import sql

    _stage(cur, "mentions", _rows("mentions", mentions))
    cols = data_columns("mentions")
    compared = sql.SQL(", ").join(
        sql.SQL("ST_AsEWKB({})").format(sql.Identifier(c)) if c == GEOMETRY_COLUMN
        else sql.Identifier(c) for c in cols)
    table, stage = _schema_sql(tgt, "mentions"), sql.Identifier("stage_mentions")
    cur.execute(sql.SQL(
        "SELECT r FROM unnest(%s::text[]) AS r WHERE EXISTS ("
        "(SELECT {c} FROM {t} WHERE report_id = r EXCEPT ALL "
        " SELECT {c} FROM {s} WHERE report_id = r) UNION ALL "
        "(SELECT {c} FROM {s} WHERE report_id = r EXCEPT ALL "
        " SELECT {c} FROM {t} WHERE report_id = r))").format(c=compared, t=table, s=stage),
        (report_ids,))
    changed = [r[0] for r in cur.fetchall()]
    if not changed:
        return set()
    cur.execute(sql.SQL("DELETE FROM {} WHERE report_id = ANY(%s) RETURNING place_id").format(
        table), (changed,))
    touched = {r[0] for r in cur.fetchall() if r[0]}
    names = sql.SQL(", ").join(map(sql.Identifier, cols))
    cur.execute(sql.SQL(
        "INSERT INTO {t} ({n}, pushed_by) SELECT {n}, coalesce(%s, CURRENT_USER) FROM {s} "
        "WHERE report_id = ANY(%s) ORDER BY report_id, start, \"end\"").format(
            t=table, n=names, s=stage), (pushed_by, changed))
    cur.execute(sql.SQL("SELECT DISTINCT place_id FROM {} WHERE report_id = ANY(%s)").format(
        stage), (changed,))
    return touched | {r[0] for r in cur.fetchall() if r[0]}


def _batches(items: Iterator[Any], size: int) -> Iterator[list]:
    from itertools import islice

    while True:
        batch = list(islice(items, size))
        if not batch:
            return
        yield batch


def push_inputs(inputs: Sequence[str | os.PathLike], url: str | None = None, *,
                schema: str | None = None, zone_files: Iterable[str | os.PathLike] = (),
                extra_places: Sequence[str] = (), fmt: str = "auto",
                pushed_by: str | None = None, batch_reports: int = PUSH_BATCH_REPORTS,
                workers: int | None = None, progress: bool | None = None) -> PushResult:
    """Read the reports `inputs` and push their layers into the database `url` (GEO_DB when
    None), in `schema`, batch by batch (see the module docstring for what is safe).

    The database is checked before any report is read; a batch that fails (the connection
    drops) is a PostgisError naming it, after the earlier batches were committed.
    """
    from geo.events import iter_events

    if not inputs:
        raise PostgisError("no input: give report files or folders")
    failures: list[str] = []

    def items():
        yield from iter_events([os.fspath(i) for i in inputs], failures=failures,
                               workers=workers, extra_places=tuple(extra_places),
                               progress=progress, fmt=fmt)

    result = push_items(items(), url, schema=schema, zone_files=zone_files,
                        extra_places=extra_places, pushed_by=pushed_by,
                        batch_reports=batch_reports)
    result.failures = failures
    return result


def push_items(items: Iterable[Any], url: str | None = None, *, schema: str | None = None,
               zone_files: Iterable[str | os.PathLike] = (), extra_places: Sequence[str] = (),
               pushed_by: str | None = None, batch_reports: int = PUSH_BATCH_REPORTS
               ) -> PushResult:
    """Push the events step's output, report by report (geo.events.ReportEvents, as
    iter_events yields them, in any number), into the database: the zones of `zone_files`
    (and the built-in ones), the events with their zones and front distances, the mentions,
    and the places they name. `items` is consumed lazily, after the database is checked."""
    from geo.export import build_layers, normalize_layer, places_layer
    from geo.gazetteer import Gazetteer
    from geo.zones import build_zones

    from geo._layers import rows_frame

    tgt = target(url, schema)
    if batch_reports < 1:
        raise PostgisError("a batch holds at least one report")
    conn = connect(tgt)
    try:
        exists = check_database(conn, tgt)
        gaz = Gazetteer.default(extra_places=tuple(extra_places))
        zones = build_zones(tuple(os.fspath(z) for z in zone_files), gazetteer=gaz)
        result = PushResult(tgt.label, tgt.schema, zone_errors=list(zones.errors),
                            zone_warnings=list(zones.warnings))
        zone_layer = normalize_layer("zones", zones.zones)
        for batch in _batches(iter(items), batch_reports):
            events = [row for item in batch for row in item.events]
            mentions = [row for item in batch for row in item.mentions]
            built = build_layers(rows_frame(events, "events"), zone_layer, gaz)
            layers = {"events": built["events"], "zones": zone_layer,
                      "mentions": normalize_layer("mentions", rows_frame(mentions, "mentions"))}
            layers["places"] = places_layer(layers["mentions"], gaz)
            try:
                _write_batch(conn, tgt, layers, [item.report_id for item in batch], pushed_by,
                             first=not result.batches, create=not exists)
            except Exception as exc:  # the server went away, a constraint, a full disk
                import psycopg

                if not isinstance(exc, psycopg.Error):
                    raise
                done = (f"the {result.batches} batch(es) before it are in the database"
                        if result.batches else "nothing was written")
                raise PostgisError(f"push to {tgt.label} failed in batch {result.batches + 1} "
                                   f"({tgt.scrub(str(exc).splitlines()[0])}); {done}") from None
            result.batches += 1
            result.reports += len(batch)
            result.counts["events"] += len(events)
            result.counts["mentions"] += len(mentions)
            result.counts["places"] += len(layers["places"])
            for item in batch:  # the first ones: a million reports' warnings are not kept
                result.warnings.extend(item.warnings[:_MAX_WARNINGS - len(result.warnings)])
        if result.batches:
            result.counts["zones"] = len(zone_layer)
        return result
    finally:
        conn.close()


# --- reading back ----------------------------------------------------------------------------

#: --where operators, their SQL, and what they need of the column.
_OPERATORS = {"=": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
              "~": "ILIKE"}
_WHERE_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<>|<=|>=|=|<|>|~)\s*(.*?)\s*$",
                       re.S)


@dataclass(frozen=True)
class Condition:
    """One `--where` condition on the events: COLUMN OP VALUE (VALUE a parameter)."""

    column: str
    operator: str
    value: Any
    sql_type: str


def parse_where(expressions: Iterable[str]) -> list[Condition]:
    """`--where` texts as conditions on the events table, all of which must hold.

    Each is COLUMN OP VALUE: COLUMN an events column (geo.schema) or pushed_by/pushed_at, OP
    one of = != < <= > >= or ~ (contains, case-insensitive). The value is checked against the
    column's type here, and passed to the server as a parameter, never as SQL.
    """
    types = column_types("events")
    allowed = [c for c in types if c not in (GEOMETRY_COLUMN,)]
    out = []
    for text in expressions:
        m = _WHERE_RE.match(str(text))
        if not m:
            raise PostgisError(f"--where {text!r}: expected COLUMN OP VALUE, e.g. "
                               "event_type=Battles or event_date>=2024-01-01")
        column, op, raw = m.groups()
        if column not in allowed:
            raise PostgisError(f"--where {text!r}: no events column {column!r} "
                               f"(one of {', '.join(allowed)})")
        kind = types[column]
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            raw = raw[1:-1]
        value: Any = raw
        try:
            if op == "~":
                if kind != "text":
                    raise ValueError("~ (contains) is for text columns")
                value = "%" + raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            elif kind == "date":
                value = datetime.date.fromisoformat(raw)
            elif kind == "timestamptz":
                value = datetime.datetime.fromisoformat(raw)
            elif kind in ("double precision",):
                value = float(raw)
            elif kind == "integer":
                value = int(raw)
            elif kind == "boolean":
                value = {"true": True, "false": False}[raw.lower()]
        except (ValueError, KeyError) as exc:
            why = str(exc) if op == "~" else f"{raw!r} is not a {kind}"
            raise PostgisError(f"--where {text!r}: {why}") from None
        out.append(Condition(column, _OPERATORS[op], value, kind))
    return out


def _where_sql(conditions: Sequence[Condition], alias: str = "e"):
    """(SQL, params) of the conditions ANDed, `TRUE` when there are none."""
    from psycopg import sql

    if not conditions:
        return sql.SQL("TRUE"), []
    parts = [sql.SQL("{}.{} {} %s").format(sql.Identifier(alias), sql.Identifier(c.column),
                                           sql.SQL(c.operator)) for c in conditions]
    return sql.SQL(" AND ").join(parts), [c.value for c in conditions]


def _read_connection(tgt: Target):
    conn = connect(tgt)
    try:
        if not check_database(conn, tgt):
            with conn.cursor() as cur:
                missing = [t for t in TABLES if not _columns(cur, tgt.schema, t)]
            raise PostgisError(f"nothing pushed to schema {tgt.schema!r} in {tgt.label} yet "
                               f"(no table {tgt.schema}.{missing[0]}): push with "
                               "geo export --format postgis first")
        conn.read_only = True
    except BaseException:
        conn.close()
        raise
    return conn


#: The order rows are read back in, the same on every run: byte order of the keys
#: (COLLATE "C"), events in the order of their number within a report.
_ORDER = {
    "events": 'e.report_id COLLATE "C", length(e.event_id), e.event_id COLLATE "C"',
    "zones": 'e.zone_id COLLATE "C"',
    "places": 'e.place_id COLLATE "C"',
    "mentions": 'e.report_id COLLATE "C", e.start, e."end", e.fid',
}


def read_layers(url: str | None = None, *, schema: str | None = None,
                where: Iterable[str] = ()) -> dict[str, "gpd.GeoDataFrame"]:
    """The four layers from the database (geo.schema columns, EPSG:4326, normalized as the
    export writes them). With `where` (see parse_where), only the matching events, the
    mentions of their reports and the places those mention; every zone."""
    from psycopg import sql

    tgt = target(url, schema)
    conditions = parse_where(where)
    conn = _read_connection(tgt)
    try:
        cond, params = _where_sql(conditions)
        selected = sql.SQL("SELECT e.report_id FROM {} e WHERE {}").format(
            _schema_sql(tgt, "events"), cond)
        everything = (sql.SQL("TRUE"), [])
        filters = {"events": (cond, params), "zones": everything, "mentions": everything,
                   "places": everything}
        if conditions:  # the mentions and places of the selected events' reports
            filters["mentions"] = (sql.SQL("e.report_id IN ({})").format(selected), params)
            filters["places"] = (sql.SQL(
                "e.place_id IN (SELECT m.place_id FROM {} m WHERE m.report_id IN ({}))").format(
                    _schema_sql(tgt, "mentions"), selected), params)
        out = {}
        with conn.cursor() as cur:
            for table in TABLES:
                filt, args = filters[table]
                out[table] = _read_table(cur, tgt, table, filt, args)
        return out
    except PostgisError:
        raise
    except Exception as exc:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        raise PostgisError(f"reading {tgt.schema} from {tgt.label} failed: "
                           f"{tgt.scrub(str(exc).splitlines()[0])}") from None
    finally:
        conn.close()


def _read_table(cur, tgt: Target, table: str, filt, params) -> "gpd.GeoDataFrame":
    import geopandas as gpd
    import pandas as pd
    import shapely
    from psycopg import sql

    from geo.export import normalize_layer

    columns = [c for c in LAYER_COLUMNS[table] if c != "geometry"]
    cur.execute(sql.SQL("SELECT {}, ST_AsBinary({}) FROM {} e WHERE {} ORDER BY {}").format(
        sql.SQL(", ").join(sql.SQL("e.{}").format(sql.Identifier(c)) for c in columns),
        sql.SQL("e.{}").format(sql.Identifier(GEOMETRY_COLUMN)), _schema_sql(tgt, table),
        filt, sql.SQL(_ORDER[table])), params)
    rows = cur.fetchall()
    data = {c: [r[i].isoformat() if isinstance(r[i], datetime.date) else r[i] for r in rows]
            for i, c in enumerate(columns)}
    geoms = [shapely.from_wkb(bytes(r[-1])) if r[-1] is not None else None for r in rows]
    frame = gpd.GeoDataFrame(pd.DataFrame(data, columns=columns),
                             geometry=gpd.GeoSeries(geoms, crs=settings.CRS_WGS84),
                             crs=settings.CRS_WGS84)
    return normalize_layer(table, frame)


@dataclass
class ZoneCounts:
    """Events per zone as the database counts them (the columns of geo.zones.events_per_zone),
    the events counted and how many of them lie outside every zone or have no place."""

    table: Any
    events: int
    outside: int


def zone_counts(url: str | None = None, *, schema: str | None = None,
                where: Iterable[str] = ()) -> ZoneCounts:
    """How many events fall in each zone, counted by the server with the zones' spatial
    index: ST_Covers, a point on a zone's edge counting as in it (as geo.zones does), dates
    the event's, else the report's; most events first, then by zone_id, like
    geo.zones.events_per_zone."""
    import pandas as pd
    from psycopg import sql

    tgt = target(url, schema)
    conditions = parse_where(where)
    conn = _read_connection(tgt)
    try:
        cond, params = _where_sql(conditions)
        with conn.cursor() as cur:
            cur.execute(sql.SQL(
                "SELECT z.zone_id, z.name, z.kind, count(e.event_id), "
                "to_char(min(coalesce(e.event_date, e.published)), 'YYYY-MM-DD'), "
                "to_char(max(coalesce(e.event_date, e.published)), 'YYYY-MM-DD') "
                "FROM {z} z LEFT JOIN {e} e ON ST_Covers(z.{g}, e.{g}) AND {cond} "
                "GROUP BY z.zone_id, z.name, z.kind "
                "ORDER BY count(e.event_id) DESC, z.zone_id COLLATE \"C\"").format(
                    z=_schema_sql(tgt, "zones"), e=_schema_sql(tgt, "events"),
                    g=sql.Identifier(GEOMETRY_COLUMN), cond=cond), params)
            rows = cur.fetchall()
            cur.execute(sql.SQL(
                "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {z} z "
                "WHERE ST_Covers(z.{g}, e.{g}))) FROM {e} e WHERE {cond}").format(
                    z=_schema_sql(tgt, "zones"), e=_schema_sql(tgt, "events"),
                    g=sql.Identifier(GEOMETRY_COLUMN), cond=cond), params)
            total, outside = cur.fetchone()
    finally:
        conn.close()
    table = pd.DataFrame(rows, columns=["zone_id", "name", "kind", "events", "first_date",
                                        "last_date"])
    table["events"] = table["events"].astype("int64")
    for position, column in ((4, "first_date"), (5, "last_date")):  # None stays None
        table[column] = pd.Series([r[position] for r in rows], dtype=object, index=table.index)
    return ZoneCounts(table, int(total), int(outside))


@dataclass
class MapFromDatabase:
    """What map_database wrote: the file and how many events (located) and zones it shows."""

    path: Any
    events: int
    located: int
    zones: int


def map_database(url: str | None = None, out: str | os.PathLike | None = None, *,
                 schema: str | None = None, where: Iterable[str] = (), title: str | None = None,
                 self_contained: bool = False, tiles: str | None = None) -> MapFromDatabase:
    """The web map (geo.render) of the events stored in the database (those matching
    `where`), its zones and the places their reports mention; `tiles` as for
    geo.render.build_map (None: its default for the kind of map). The default file is
    settings.MAPS_DIR/<database name>.html. MapError when no stored event is located."""
    from pathlib import Path

    from geo._errors import MapError
    from geo.render import build_map, save_map

    tgt = target(url, schema)
    layers = read_layers(url, schema=schema, where=where)
    events = layers["events"]
    located = int(sum(1 for g in events.geometry if g is not None and not g.is_empty))
    if not located:
        what = f"{len(events)} stored event(s) match" if len(events) else "no stored event matches"
        raise MapError(f"nothing to map: {what} in schema {tgt.schema} of {tgt.label}"
                       + (", none located" if len(events) else ""))
    if out is None:
        stem = re.sub(r"[^\w.-]+", "_", tgt.label.rsplit("/", 1)[-1]) or "database"
        out = settings.MAPS_DIR / f"{stem}.html"
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    m = build_map(events, layers["zones"], layers["mentions"], title=title,
                  self_contained=self_contained, tiles=tiles)
    path = save_map(m, out, self_contained=self_contained)
    return MapFromDatabase(path, len(events), located, len(layers["zones"]))
