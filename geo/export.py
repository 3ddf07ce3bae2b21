"""GIS export: the events, zones, places and mentions layers as GeoJSON (RFC 7946), a GeoPackage
styled for QGIS, KML for Google Earth, or a CSV of events with ACLED's column names.

Three steps, each usable on its own:

- `build_layers(events_result, zones)` -> {"events", "zones", "places", "mentions"} GeoDataFrames
  (columns of geo.schema, EPSG:4326);
- `export_layers(layers, fmt, path, only=...)` writes them;
- `export_inputs(inputs, fmt, path, layers)` runs reports -> events -> zones -> export (the CLI).

Every check (format, layer names, output folder writable: a test file is created there and
deleted) runs before any work, and every file is written atomically (temporary file in the same
folder, then renamed), so a failed export leaves any earlier file intact; a write that fails
(a full disk) is an ExportError naming the file. The same input gives the same bytes in every
format. Dates are ISO 8601 text in GeoJSON, KML and CSV, DATE fields in the GeoPackage.

Output naming (`path`):

- geojson: a folder (created if its parent exists) gets `events.geojson`, `zones.geojson`, ...;
  `NAME.geojson` (or `.json`) gives `NAME-events.geojson`, `NAME-zones.geojson`, ...
- gpkg, kml: the file itself (`.gpkg` / `.kml`), or an existing folder that gets
  `geo-export.gpkg` / `geo-export.kml` (settings.EXPORT_BASENAME).
- csv: the file itself (`.csv`), or an existing folder that gets `events.csv`.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import settings
from geo._atomic import (atomic_files, check_folder as _check_folder, disk_error as _disk_error,
                         reason as _reason)
from geo._errors import ExportError
# The layers' columns and types and the GeoJSON writer are shared with geo.zones (its own
# zones.geojson): they live below both, and the names stay importable from here.
from geo._layers import (_TYPES, LAYER_COLUMNS, geojson_text, normalize_layer,  # noqa: F401
                         prepared_geometry, records)
from geo._values import csv_cell, output_text, plain  # noqa: F401 (re-exported)
from geo.schema import PLACE_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: The CSV: ACLED's column names first (same meaning as in an ACLED export), then ours.
ACLED_CSV_COLUMNS = [
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "source", "notes",
]
CSV_EXTRA_COLUMNS = ["event_id", "report_id", "dataset", "where_prec", "confidence", "location_reason",
                     "zones", "front_distance_km", "place_id", "url", "evidence"]

_SUFFIX = {"gpkg": ".gpkg", "kml": ".kml", "csv": ".csv"}
_GEOJSON_SUFFIXES = (".geojson", ".json")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Columns the GeoPackage stores as DATE fields (QGIS reads them as dates, so its temporal
#: controller needs no cast); GeoJSON, KML and CSV keep them as ISO 8601 text.
GPKG_DATE_COLUMNS: dict[str, tuple[str, ...]] = {"events": ("published", "event_date")}

#: Sub-event types too generic to name an event: its placemark is named by the event type.
_GENERIC_SUB_EVENT_TYPES = frozenset({"other"})


@dataclass
class ExportResult:
    """What an export wrote: the format, the files (in writing order) and features per layer;
    for `export_inputs` also how many reports were read, the errors of those that could not
    be, and the events' warnings."""

    fmt: str
    files: list[Path]
    counts: dict[str, int]
    reports: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    zone_errors: list[str] = field(default_factory=list)
    zone_warnings: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    fmt: str
    layers: tuple[str, ...]
    files: dict[str, Path]          # layer -> file (geojson), or "" -> the one file
    make_folder: Path | None = None  # geojson folder to create before writing


# --- checks, before any work ---------------------------------------------------------------

def check_format(fmt: str) -> str:
    """The format in lower case; ExportError when it is not one of settings.EXPORT_FORMATS."""
    name = str(fmt).strip().lower()
    if name not in settings.EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of "
                          f"{', '.join(settings.EXPORT_FORMATS)}")
    return name


def check_layers(layers: str | Iterable[str] | None, fmt: str) -> tuple[str, ...]:
    """The layer names in writing order (settings.EXPORT_LAYERS order, duplicates dropped).

    `layers` is a comma-separated string, a sequence of names, or None for every layer the
    format holds (csv holds only `events`). ExportError names an unknown layer.
    """
    fmt = check_format(fmt)
    if layers is None:
        return ("events",) if fmt == "csv" else tuple(settings.EXPORT_LAYERS)
    names = layers.split(",") if isinstance(layers, str) else list(layers)
    names = [str(n).strip().lower() for n in names if str(n).strip()]
    if not names:
        raise ExportError("no layer to export: name at least one of "
                          f"{', '.join(settings.EXPORT_LAYERS)}")
    for name in names:
        if name not in settings.EXPORT_LAYERS:
            raise ExportError(f"unknown layer {name!r}: choose from "
                              f"{', '.join(settings.EXPORT_LAYERS)}")
    if fmt == "csv" and set(names) != {"events"}:
        others = ", ".join(n for n in names if n != "events")
        raise ExportError(f"csv holds only the events layer, not {others}: "
                          "use geojson, gpkg or kml for the other layers")
    return tuple(n for n in settings.EXPORT_LAYERS if n in names)


def plan_export(fmt: str, path: str | os.PathLike,
                layers: str | Iterable[str] | None = None) -> _Plan:
    """Check format, layers and output path, and work out the file(s) to write.

    Raises ExportError (before anything is read or written) for an unknown format or layer,
    a path that does not suit the format, or a folder that does not exist or is not writable.
    """
    fmt = check_format(fmt)
    names = check_layers(layers, fmt)
    if path is None or not os.fspath(path).strip():
        raise ExportError("no output path given")
    p = Path(os.fspath(path)).expanduser()
    if fmt == "geojson":
        if p.suffix.lower() in _GEOJSON_SUFFIXES and not p.is_dir():
            _check_folder(p.parent if str(p.parent) else Path("."), p)
            files = {n: p.with_name(f"{p.stem}-{n}{p.suffix}") for n in names}
            return _Plan(fmt, names, files)
        if p.exists() and not p.is_dir():
            raise ExportError(f"cannot write GeoJSON to {p}: give a folder or a NAME.geojson "
                              "path (one file per layer)")
        if not p.exists() and p.suffix:
            raise ExportError(f"cannot write GeoJSON to {p}: give a folder or a NAME.geojson "
                              f"path, not a {p.suffix} file")
        if p.is_dir():
            _check_folder(p, p)
            return _Plan(fmt, names, {n: p / f"{n}.geojson" for n in names})
        _check_folder(p.parent, p)
        return _Plan(fmt, names, {n: p / f"{n}.geojson" for n in names}, make_folder=p)
    if p.is_dir():
        base = "events" if fmt == "csv" else settings.EXPORT_BASENAME
        p = p / f"{base}{_SUFFIX[fmt]}"
        if p.is_dir():
            raise ExportError(f"cannot write {p}: it is a folder")
    elif p.suffix.lower() != _SUFFIX[fmt]:
        raise ExportError(f"cannot write {fmt} to {p}: the file name must end in "
                          f"{_SUFFIX[fmt]} (or give an existing folder)")
    _check_folder(p.parent, p)
    return _Plan(fmt, names, {"": p})


# --- layers ----------------------------------------------------------------------------------

def places_layer(mentions: Any, gazetteer: Any = None) -> "gpd.GeoDataFrame":
    """Every gazetteer place the reports mention, with `reports`, how many reports mention it
    (geo.schema.PLACE_COLUMNS), sorted by place_id.

    Place details come from the gazetteer (the built-in one when None); a place it does not
    know (say, from a custom places file) keeps the name, type and point of its mention.
    """
    from shapely.geometry import Point

    found: dict[str, dict[str, Any]] = {}
    if mentions is not None and len(mentions):
        for rec in mentions.to_dict(orient="records"):
            pid = plain(rec.get("place_id"))
            if not pid:
                continue
            entry = found.setdefault(pid, {"reports": set(), "mention": rec})
            entry["reports"].add(plain(rec.get("report_id")))
    gaz = gazetteer
    if found and gaz is None:
        from geo.gazetteer import Gazetteer

        gaz = Gazetteer.default()
    rows = []
    for pid in sorted(found):
        entry = found[pid]
        try:
            p = gaz.get(pid)
            row = {"place_id": pid, "name": p.name, "type": p.type,
                   "governorate": p.governorate, "district": p.district,
                   "geometry": Point(p.lon, p.lat)}
        except KeyError:
            m = entry["mention"]
            lat, lon = plain(m.get("lat")), plain(m.get("lon"))
            row = {"place_id": pid, "name": plain(m.get("name")), "type": plain(m.get("type")),
                   "governorate": None, "district": None,
                   "geometry": Point(lon, lat) if lat is not None and lon is not None else None}
        row["reports"] = len(entry["reports"])
        rows.append(row)
    import geopandas as gpd
    import pandas as pd

    frame = pd.DataFrame(rows, columns=PLACE_COLUMNS)
    return normalize_layer("places", gpd.GeoDataFrame(
        frame.drop(columns="geometry"),
        geometry=gpd.GeoSeries(list(frame["geometry"]), crs=settings.CRS_WGS84),
        crs=settings.CRS_WGS84))


def build_layers(events_result: Any, zones: Any = None, gazetteer: Any = None, *,
                 zones_assigned: bool = False) -> dict[str, "gpd.GeoDataFrame"]:
    """The four export layers from the events step's result.

    Parameters
    ----------
    events_result : a geo.events.EventsResult (`.events`, `.mentions`), or an events
        GeoDataFrame alone (then `places` and `mentions` are empty)
    zones : the zones layer (geo.zones.load_zones() when None); each event's `zones` and
        `front_distance_km` are filled from it
    gazetteer : where place details come from (the built-in gazetteer when None)
    zones_assigned : the events' `zones` and `front_distance_km` are filled from these
        zones already (geo.pipeline.run did it): not done a second time

    Returns
    -------
    {"events", "zones", "places", "mentions"}: GeoDataFrames with the columns of geo.schema,
    EPSG:4326; zones sorted by zone_id, places by place_id
    """
    from geo.zones import assign_zones, load_zones

    events = getattr(events_result, "events", events_result)
    mentions = getattr(events_result, "mentions", None)
    zones = load_zones() if zones is None else zones
    events = normalize_layer("events", events)
    zones = normalize_layer("zones", zones)
    zones = zones.sort_values("zone_id", kind="mergesort").reset_index(drop=True)
    if len(events) and not zones_assigned:
        events = normalize_layer("events", assign_zones(events, zones))
    return {
        "events": events,
        "zones": zones,
        "places": places_layer(mentions, gazetteer),
        "mentions": normalize_layer("mentions", mentions),
    }


# --- writers ---------------------------------------------------------------------------------

def _is_write_error(exc: BaseException) -> bool:
    """An OSError, or GDAL's or SQLite's report of a failed write (a full disk, say)."""
    if isinstance(exc, OSError):
        return True
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return True
    errors = sys.modules.get("pyogrio.errors")
    return errors is not None and isinstance(exc, (errors.DataSourceError,
                                                   errors.DataLayerError))


def _concerned(exc: BaseException, targets: Sequence[Path], temps: Sequence[Path]) -> Path:
    """The target a write error is about: the one whose temporary file or own path the error
    names, else the only target, else their folder."""
    named = {os.fspath(n) for n in (getattr(exc, "filename", None),
                                     getattr(exc, "filename2", None)) if n}
    for target, tmp in zip(targets, list(temps) + [None] * len(targets)):
        if os.fspath(target) in named or (tmp is not None and os.fspath(tmp) in named):
            return target
    return targets[0] if len(targets) == 1 else targets[0].parent


def _write_reason(exc: BaseException, folder: Path) -> str:
    """Why a write failed, in the system's words when it has some: an OSError's own reason;
    for GDAL's or SQLite's report, the system's answer to a test write in `folder` if it
    refuses one (a full disk, whose GeoPackage error is otherwise SQLite's "no such table"),
    else their report."""
    if not isinstance(exc, OSError):
        refused = _disk_error(folder)
        if refused is not None:
            return _reason(refused)
    return _reason(exc)


@contextlib.contextmanager
def _writing(targets: Sequence[Path], temps: Sequence[Path] = ()) -> Iterator[None]:
    """Any write error in the block (see _is_write_error) as an ExportError naming the file it
    concerns, in one line: "cannot write out/events.geojson: No space left on device"."""
    try:
        yield
    except ExportError:
        raise
    except Exception as exc:
        if not _is_write_error(exc):
            raise
        folder = Path(temps[0]).parent if temps else Path(targets[0]).parent
        raise ExportError(f"cannot write {_concerned(exc, targets, temps)}: "
                          f"{_write_reason(exc, folder)}") from exc


@contextlib.contextmanager
def _atomic(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """geo._atomic.atomic_files (temporary files renamed over the targets once complete, and
    removed on any error), with write errors as ExportError naming the target."""
    temps: list[Path] = []
    with _writing(targets, temps):  # atomic_files' own steps (flush, rename), if it lets one out
        with atomic_files(targets) as paths:
            temps.extend(paths)
            with _writing(targets, paths):  # the writer's work, before atomic_files cleans up
                yield paths


def _write_text(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _write_geojson(plan: _Plan, frames: dict[str, "gpd.GeoDataFrame"]) -> list[Path]:
    created = plan.make_folder is not None and not plan.make_folder.exists()
    if plan.make_folder is not None:
        plan.make_folder.mkdir(exist_ok=True)
    targets = [plan.files[n] for n in plan.layers]
    try:
        with _atomic(targets) as temps:
            for name, target, tmp in zip(plan.layers, targets, temps):
                text = geojson_text(name, frames[name])
                with _writing([target], [tmp]):
                    _write_text(tmp, text)
    except BaseException:
        if created:  # a failed export leaves no trace, not even its new folder
            with contextlib.suppress(OSError):
                plan.make_folder.rmdir()
        raise
    return targets


def csv_text(events: "gpd.GeoDataFrame") -> str:
    """The events as CSV (RFC 4180, UTF-8): ACLED_CSV_COLUMNS then CSV_EXTRA_COLUMNS;
    empty cells for missing values, coordinates to 6 decimals, text that a spreadsheet
    would run as a formula prefixed with `'` (csv_cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    columns = ACLED_CSV_COLUMNS + CSV_EXTRA_COLUMNS
    writer.writerow(columns)
    for row in records(events):
        cells = []
        for col in columns:
            value = row.get(col)
            if value is None:
                cells.append("")
            elif col in ("latitude", "longitude"):
                cells.append(repr(round(float(value), settings.EXPORT_COORD_DECIMALS)))
            elif isinstance(value, str):
                cells.append(csv_cell(value))
            else:
                cells.append(value)
        writer.writerow(cells)
    return buf.getvalue()


def _write_csv(plan: _Plan, frames: dict[str, "gpd.GeoDataFrame"]) -> list[Path]:
    target = plan.files[""]
    text = csv_text(frames["events"])
    with _atomic([target]) as (tmp,):
        _write_text(tmp, text)
    return [target]


def _located(row: dict) -> str | None:
    """Why the event is at its place, and how sure: "named as the event's place (0.87)"."""
    reason, confidence = row.get("location_reason"), row.get("confidence")
    if not reason:
        return None
    return f"{reason} ({confidence:.2f})" if isinstance(confidence, (int, float)) else reason


def _event_label(row: dict) -> str:
    """The placemark name: "Armed clash, Kirkuk, 2024-03-01"; a generic sub-event type
    ("Other") gives way to the event type: "Strategic developments, Hamrin, 2023-10-04"."""
    sub = row.get("sub_event_type")
    if sub and sub.strip().lower() in _GENERIC_SUB_EVENT_TYPES:
        sub = None
    what = sub or row.get("event_type") or "Event"
    where = row.get("location") or "place unknown"
    when = row.get("event_date") or "date unknown"
    return f"{what}, {where}, {when}"


def _describe(layer: str, row: dict) -> tuple[str, str, str, str | None]:
    """(placemark name, popup HTML, style id, date) of one KML placemark."""
    from geo._kml import highlighted, link, popup_html, style_id
    from geo._qgis_style import styles

    if layer == "events":
        event_type = row.get("event_type") or "Unknown"
        style = style_id("event", event_type if event_type in styles()["event_types"]
                         else "Unknown")
        admin = " / ".join(p for p in (row.get("admin1"), row.get("admin2")) if p)
        actors = " vs ".join(a for a in (row.get("actor1"), row.get("actor2")) if a)
        fields = [("Event", f"{event_type}: {row.get('sub_event_type') or ''}".rstrip(": ")),
                  ("Date", row.get("event_date")),
                  ("Place", f"{row.get('location') or ''} ({admin})" if admin
                   else row.get("location")),
                  ("Located", _located(row)),
                  ("Actors", actors), ("Summary", row.get("notes")),
                  ("Evidence", highlighted(row.get("evidence"), row.get("evidence_place"))),
                  ("Zones", row.get("zones")),
                  ("Source", row.get("source")), ("Published", row.get("published")),
                  ("Report", row.get("title")), ("URL", link(row.get("url"))),
                  ("Warnings", row.get("warnings")), ("Event id", row.get("event_id"))]
        when = row.get("event_date") or row.get("published") or None
        return _event_label(row), popup_html(_event_label(row), fields), style, when
    if layer == "zones":
        area = row.get("area_km2")
        fields = [("Kind", row.get("kind")),
                  ("Area", f"{area:,.0f} km²" if area is not None else None),
                  ("Approximate", "yes" if row.get("approximate") else "no"),
                  ("Description", row.get("description")), ("Source", row.get("source")),
                  ("Zone id", row.get("zone_id"))]
        name = row.get("name") or row.get("zone_id") or "zone"
        return name, popup_html(name, fields), style_id("zone", row.get("kind") or ""), None
    if layer == "places":
        admin = " / ".join(p for p in (row.get("governorate"), row.get("district")) if p)
        fields = [("Type", row.get("type")), ("Admin", admin),
                  ("Reports", row.get("reports")), ("Place id", row.get("place_id"))]
        name = row.get("name") or row.get("place_id") or "place"
        return name, popup_html(name, fields), "place", None
    fields = [("Place", row.get("name")), ("Type", row.get("type")), ("Role", row.get("role")),
              ("Report", row.get("report_id")),
              ("Characters", f"{row.get('start')}-{row.get('end')}"),
              ("Confidence", row.get("confidence")), ("Place id", row.get("place_id"))]
    name = row.get("text") or "mention"
    return name, popup_html(name, fields), "mention", None


def _write_kml(plan: _Plan, frames: dict[str, "gpd.GeoDataFrame"]) -> list[Path]:
    from geo._kml import to_kml

    folders = []
    for name in plan.layers:
        rows = records(frames[name])
        for row in rows:
            row["geometry"] = prepared_geometry(row["geometry"])
        folders.append((name, rows))
    data = to_kml(folders, _describe, settings.EXPORT_COORD_DECIMALS)
    target = plan.files[""]
    with _atomic([target]) as (tmp,):
        with open(tmp, "xb") as fh:
            fh.write(data)
    return [target]


def data_timestamp(events: Any) -> str:
    """The latest event or publication date of `events` as an ISO 8601 timestamp, or
    settings.EXPORT_FALLBACK_TIME: the GeoPackage's timestamps, the same on every run."""
    dates = []
    if events is not None and len(events):
        for col in ("event_date", "published"):
            if col in events.columns:
                dates += [v for v in events[col] if isinstance(v, str) and _ISO_DATE.match(v)]
    return f"{max(dates)}T00:00:00.000Z" if dates else settings.EXPORT_FALLBACK_TIME


def _gpkg_geometry_type(geometries: Sequence[Any], name: str) -> str:
    if name != "zones":
        return "Point"
    kinds = {g.geom_type for g in geometries if g is not None}
    return "MultiPolygon" if "MultiPolygon" in kinds else "Polygon"


def _gpkg_date(layer: str, column: str, row: int, value: Any) -> Any:
    """An ISO 8601 date text as a numpy day (None or "" -> NaT, a NULL in the GeoPackage);
    ExportError for text that is not a date."""
    import datetime

    import numpy as np

    if value is None or value == "":
        return np.datetime64("NaT", "D")
    text = str(value)
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ExportError(f"{layer} row {row + 1}: {column} {text!r} is not a date "
                          "(YYYY-MM-DD)") from None
    return np.datetime64(day, "D")


def gpkg_fields(name: str, frame: "gpd.GeoDataFrame") -> tuple[list[str], list, list]:
    """The attribute columns of one layer as OGR will store them: (names, arrays, null masks).

    Numbers and booleans keep their type (a missing one is NULL), text is text, and the
    GPKG_DATE_COLUMNS become numpy days, which OGR writes as DATE fields (OFTDate).
    """
    import numpy as np
    import pandas as pd

    dates = GPKG_DATE_COLUMNS.get(name, ())
    names, data, masks = [], [], []
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        series = frame[col]
        mask = None
        if col in dates:
            values = np.array([_gpkg_date(name, col, i, v) for i, v in enumerate(series)],
                              dtype="datetime64[D]")
        elif isinstance(series.dtype, pd.Int64Dtype):
            values, mask = series.to_numpy("int64", na_value=0), series.isna().to_numpy()
        elif isinstance(series.dtype, pd.BooleanDtype):
            values, mask = series.to_numpy(bool, na_value=False), series.isna().to_numpy()
        else:
            values = series.to_numpy()
        names.append(col)
        data.append(values)
        masks.append(mask)
    return names, data, masks


def _extent(prepared: Sequence[tuple]) -> tuple[float, float, float, float] | None:
    import shapely

    boxes = [shapely.total_bounds(shapely.from_wkb([w for w in wkb if w is not None]))
             for _, _, wkb, *_ in prepared if any(w is not None for w in wkb)]
    if not boxes:
        return None
    pad = 0.05  # degrees around the data (about 5 km), so edge markers are not cut
    return (min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad,
            max(b[2] for b in boxes) + pad, max(b[3] for b in boxes) + pad)


def _date_range(events: Any) -> tuple[str, str] | None:
    if events is None or "event_date" not in getattr(events, "columns", ()):
        return None
    dates = sorted(v for v in events["event_date"] if isinstance(v, str) and _ISO_DATE.match(v))
    return (dates[0], dates[-1]) if dates else None


def write_gpkg(path: Path, frames: dict[str, "gpd.GeoDataFrame"], layers: Sequence[str],
               timestamp: str, file_name: str | None = None) -> None:
    """Write `layers` of `frames` to a new GeoPackage at `path` (spatial index on each;
    `published` and `event_date` as DATE fields), then the `layer_styles` table with one QML
    style per layer, and the `qgis_projects` table with a QGIS project of the layers (see
    geo._qgis_style.project_qgs), whose layers point at `./<file_name>` (default: `path`'s
    name; the atomic writer gives the target's). GDAL's timestamps are pinned to `timestamp`
    (config option OGR_CURRENT_DATE), so the bytes are the same on every run."""
    import sqlite3

    import numpy as np
    import pandas as pd
    import pyogrio
    import pyogrio.raw
    import shapely

    from geo._qgis_style import (LAYER_STYLES_COLUMNS, QGIS_PROJECTS_TABLE_SQL, layer_styles_rows,
                                 project_qgs, project_row)

    prepared = []  # every layer ready (its dates checked) before the file is created
    for name in layers:
        geometry = np.empty(len(frames[name]), dtype=object)
        geometry[:] = [prepared_geometry(g) for g in frames[name].geometry.values]
        prepared.append((name, _gpkg_geometry_type(geometry, name), shapely.to_wkb(geometry),
                         *gpkg_fields(name, frames[name])))
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": timestamp})
    try:
        for name, geometry_type, wkb, fields, data, masks in prepared:
            pyogrio.raw.write(
                path, geometry=wkb, field_data=data, fields=fields, field_mask=masks,
                layer=name, driver="GPKG", crs=settings.CRS_WGS84,
                geometry_type=geometry_type, promote_to_multi=geometry_type.startswith("Multi"),
                dataset_options={"VERSION": settings.EXPORT_GPKG_VERSION},
                layer_options={"GEOMETRY_NAME": settings.EXPORT_GPKG_GEOMETRY_COLUMN,
                               "SPATIAL_INDEX": "YES", "FID": "fid"})
        with sqlite3.connect(path) as con:  # the geometry column names GDAL really wrote
            geometry_columns = dict(con.execute(
                "SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        con.close()
        rows = layer_styles_rows({n: geometry_columns[n] for n in layers}, timestamp)
        table = pd.DataFrame(rows, columns=LAYER_STYLES_COLUMNS)
        table["update_time"] = pd.to_datetime(table["update_time"], utc=True)
        pyogrio.write_dataframe(table, path, layer="layer_styles", driver="GPKG",
                                dataset_options={"VERSION": settings.EXPORT_GPKG_VERSION},
                                layer_options={"FID": "id"})
        kinds = {n: "polygon" if n == "zones" else "point" for n in layers}
        qgs = project_qgs(file_name or Path(path).name, kinds, _extent(prepared),
                          _date_range(frames.get("events") if "events" in layers else None))
        with contextlib.closing(sqlite3.connect(path)) as con, con:  # as QGIS makes it
            con.execute(QGIS_PROJECTS_TABLE_SQL)
            con.execute("INSERT INTO qgis_projects VALUES (?, ?, ?)",
                        project_row(qgs, timestamp))
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_gpkg(plan: _Plan, frames: dict[str, "gpd.GeoDataFrame"]) -> list[Path]:
    target = plan.files[""]
    timestamp = data_timestamp(frames.get("events"))
    with _atomic([target]) as (tmp,):
        write_gpkg(tmp, frames, plan.layers, timestamp, file_name=target.name)
    return [target]


_WRITERS = {"geojson": _write_geojson, "gpkg": _write_gpkg, "kml": _write_kml,
            "csv": _write_csv}


# --- public API ------------------------------------------------------------------------------

def export_layers(layers: Mapping[str, Any], fmt: str, path: str | os.PathLike, *,
                  only: str | Iterable[str] | None = None) -> ExportResult:
    """Write layers (as made by build_layers) in one format.

    Parameters
    ----------
    layers : layer name ("events", "zones", "places", "mentions") -> GeoDataFrame with that
        layer's geo.schema columns (missing columns are written empty, extra ones dropped)
    fmt : "geojson", "gpkg", "kml" or "csv"
    path : output file or folder (see the module docstring for the naming)
    only : the layers to write (comma-separated or a sequence); default every layer given
        (csv: events)

    Returns
    -------
    ExportResult with the files written and features per layer

    Raises
    ------
    ExportError, before writing anything, for an unknown format or layer name, a layer asked
    for but not given, or an output path that cannot be written
    """
    fmt = check_format(fmt)
    unknown = [k for k in layers if k not in settings.EXPORT_LAYERS]
    if unknown:
        raise ExportError(f"unknown layer {unknown[0]!r}: choose from "
                          f"{', '.join(settings.EXPORT_LAYERS)}")
    if only is None:
        only = ["events"] if fmt == "csv" else [n for n in settings.EXPORT_LAYERS if n in layers]
    plan = plan_export(fmt, path, only)
    absent = [n for n in plan.layers if n not in layers]
    if absent:
        raise ExportError(f"layer {absent[0]!r} was asked for but not given "
                          f"(given: {', '.join(layers) or 'none'})")
    frames = {n: normalize_layer(n, layers[n]) for n in plan.layers}
    if fmt == "gpkg" and "events" in layers and "events" not in frames:
        frames["events"] = normalize_layer("events", layers["events"])  # for the timestamp
    files = _WRITERS[fmt](plan, frames)
    return ExportResult(fmt, files, {n: len(frames[n]) for n in plan.layers})


def export_inputs(inputs: Sequence[str | os.PathLike], fmt: str, path: str | os.PathLike,
                  layers: str | Iterable[str] | None = None, *, gazetteer: Any = None,
                  zone_files: Iterable[str | os.PathLike] = (), correct=None) -> ExportResult:
    """Reports in, GIS layers out: read the report files and folders `inputs`, build events,
    mentions, places and zones, and write the `layers` asked for (default: all the format
    holds). Format, layers and path are checked before any report is read, and an output
    that is one of the inputs (or inside an input folder, with a report's suffix) is refused.
    ACLED / UCDP exports among the inputs are events already located; `correct` applies an
    analyst's corrections (geo.corrections.Corrector) before zones are joined.

    Returns an ExportResult; `.failures` lists the reports that could not be read.
    """
    plan = plan_export(fmt, path, layers)
    if not inputs:
        raise ExportError("no input: give report files or folders")
    from geo._outputs import check_outputs_not_inputs

    check_outputs_not_inputs(plan.files.values(), inputs)  # never replace a report
    from geo import pipeline

    result = pipeline.run(inputs, gazetteer=gazetteer, correct=correct, zone_files=zone_files)
    if not result.reports and not result.datasets:  # nothing to export: keep any earlier file
        named = ", ".join(os.fspath(i) for i in inputs)
        if result.failures:
            more = f" (and {len(result.failures) - 1} more)" if len(result.failures) > 1 else ""
            raise ExportError(f"no report could be read from {named}: "
                              f"{result.failures[0]}{more}")
        raise ExportError(f"no report found in {named}")
    built = build_layers(result, result.zones, gazetteer, zones_assigned=True)
    out = export_layers(built, plan.fmt, path, only=plan.layers)
    out.reports = result.sources  # an ACLED / UCDP file counts one
    out.failures = list(result.failures)
    out.warnings = list(result.warnings)
    out.zone_errors, out.zone_warnings = list(result.zone_errors), list(result.zone_warnings)
    return out


def export(source: Any, fmt: str, path: str | os.PathLike,
           layers: str | Iterable[str] | None = None, **kwargs: Any) -> ExportResult:
    """Export whatever you have: a dict of layers (export_layers), an events result from
    geo.events or an events GeoDataFrame (build_layers, then export_layers; `zones=` and
    `gazetteer=` are passed on), or report files and folders (export_inputs)."""
    import pandas as pd

    if isinstance(source, Mapping):
        return export_layers(source, fmt, path, only=layers)
    if isinstance(source, pd.DataFrame) or hasattr(source, "events"):
        plan = plan_export(fmt, path, layers)
        built = build_layers(source, kwargs.get("zones"), kwargs.get("gazetteer"))
        return export_layers(built, plan.fmt, path, only=plan.layers)
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    return export_inputs(list(source), fmt, path, layers, **kwargs)
