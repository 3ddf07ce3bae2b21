"""An analyst's corrections of events, kept as reviewed data and applied on every run.

An analyst checking the layer in QGIS moves an event, fixes its type or actor, or deletes a
false one. The pipeline rewrites the layer from the reports each time, so those decisions live
in a corrections file (CSV, one row per decision: `event_id`, `field`, `value`, `who`, `when`,
`why`) that is applied after the events are made and before zones are joined. Event ids are
stable (the report id and a hash of the sentence the event came from), so a correction keeps
finding its event when rules, the gazetteer or other reports change. A correction whose event
no longer exists (its report changed) is reported, never dropped silently nor applied to
another event. Two corrections of the same field of one event: the later one (by `when`, then
by file order) wins, and the earlier is named in a warning.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from geo._errors import GeoError

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

#: The columns of a corrections file, in order.
CORRECTION_COLUMNS = ("event_id", "field", "value", "who", "when", "why")
#: The fields a correction may change ("drop" removes a false event).
CORRECTABLE = ("place_id", "location", "lat", "lon", "geo_precision", "event_type",
               "sub_event_type", "actor1", "actor2", "event_date", "drop")
#: The event columns whose values before correction are kept as `original_<column>`.
ORIGINAL_COLUMNS = ("location", "place_id", "latitude", "longitude", "geo_precision",
                    "event_type", "sub_event_type", "actor1", "actor2", "event_date")
_FIELD_COLUMNS = {"lat": ("latitude",), "lon": ("longitude",),
                  "place_id": ("place_id", "location", "admin1", "admin2", "latitude", "longitude")}
_MAX_VALUE_CHARS = 500


class CorrectionError(GeoError):
    """A corrections file that cannot be read at all (the message names it)."""


@dataclass(frozen=True)
class Correction:
    event_id: str
    field: str
    value: str
    who: str
    when: str
    why: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class CorrectionsFile:
    corrections: list[Correction] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: field 'x': ..." per bad row


@dataclass
class Applied:
    """What applying corrections did: the corrected event rows and what to tell the user."""

    rows: list[dict]
    applied: int = 0
    dropped: list[str] = field(default_factory=list)       # event ids removed
    stale: list[str] = field(default_factory=list)         # corrections whose event is gone
    overridden: list[str] = field(default_factory=list)    # earlier corrections a later one beat
    errors: list[str] = field(default_factory=list)        # values that do not fit their field

    @property
    def warnings(self) -> list[str]:
        return self.stale + self.overridden + self.errors


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def read_corrections(paths: Iterable[str | Path]) -> CorrectionsFile:
    """Every correction of the files, in file order; a malformed row is one error naming
    file, line and field, and the other rows are kept."""
    out = CorrectionsFile()
    for path in paths:
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CorrectionError(f"{path}: cannot read the corrections file: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise CorrectionError(f"{path}: not UTF-8 text (byte at offset {exc.start})") from None
        reader = csv.DictReader(io.StringIO(text.replace("\r\n", "\n")))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in CORRECTION_COLUMNS if c not in header]
        if missing:
            raise CorrectionError(f"{path}:1: corrections file without the column(s) "
                                  f"{', '.join(missing)} (header: {','.join(CORRECTION_COLUMNS)})")
        reader.fieldnames = header
        line = 1
        try:
            for record in reader:
                line = reader.line_num
                values = {k: _unquoted((v or "").strip()) for k, v in record.items()
                          if k in CORRECTION_COLUMNS}
                problem = _row_problem(values)
                if problem:
                    out.errors.append(f"{path}:{line}: field '{problem[0]}': {problem[1]}")
                    continue
                out.corrections.append(Correction(**{c: values[c] for c in CORRECTION_COLUMNS},
                                                  path=str(path), line=line))
        except csv.Error as exc:
            out.errors.append(f"{path}:{line}: bad CSV: {exc}")
    return out


def _unquoted(cell: str) -> str:
    """A cell as written before write_corrections guarded it against spreadsheets ("'=x")."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@") else cell


def _row_problem(values: dict) -> tuple[str, str] | None:
    for name in CORRECTION_COLUMNS:
        if len(values.get(name, "")) > _MAX_VALUE_CHARS:
            return name, f"over {_MAX_VALUE_CHARS} characters"
    if not values.get("event_id"):
        return "event_id", "missing"
    name = values.get("field", "").lower()
    if name not in CORRECTABLE:
        return "field", f"{_shown(values.get('field', ''))} is not one of {', '.join(CORRECTABLE)}"
    values["field"] = name
    when = values.get("when", "")
    if when and not re.match(r"^\d{4}-\d\d-\d\d", when):
        return "when", f"{_shown(when)} is not a date (YYYY-MM-DD, or an ISO timestamp)"
    if not values.get("who"):
        return "who", "missing (who decided)"
    value = values.get("value", "")
    if name != "drop" and not value and name not in ("actor2",):
        return "value", "missing"
    return _value_problem(name, value)


def _value_problem(name: str, value: str) -> tuple[str, str] | None:
    if name in ("lat", "lon"):
        low, high = (-90, 90) if name == "lat" else (-180, 180)
        try:
            number = float(value)
        except ValueError:
            return "value", f"{_shown(value)} is not a number ({name})"
        if not math.isfinite(number) or not low <= number <= high:
            return "value", f"{_shown(value)} is outside {low}..{high} ({name})"
    if name == "geo_precision" and value not in ("1", "2", "3"):
        return "value", f"{_shown(value)} is not a geo_precision (1, 2 or 3)"
    if name == "event_date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "value", f"{_shown(value)} is not a date (YYYY-MM-DD)"
    if name == "event_type":
        from geo.schema import ACLED_EVENT_TYPES

        if value not in ACLED_EVENT_TYPES:
            return "value", f"{_shown(value)} is not an ACLED event type ({', '.join(ACLED_EVENT_TYPES)})"
    return None


class Corrector:
    """Corrections applied batch by batch (one report's events at a time, as geo events
    streams them); `finish()` then tells what was applied and which corrections found no
    event. The later of two corrections of one field wins (by `when`, then file order)."""

    def __init__(self, corrections: list[Correction], gazetteer: "Gazetteer | None" = None):
        self.gazetteer = gazetteer
        self.summary = Applied(rows=[])
        latest: dict[tuple[str, str], Correction] = {}
        for c in sorted(corrections, key=lambda c: c.when):  # a stable sort keeps file order
            key = (c.event_id, c.field)
            if key in latest:
                old = latest[key]
                self.summary.overridden.append(
                    f"{old.where}: correction of {old.field!r} of event {old.event_id} is "
                    f"overridden by the later one at {c.where}")
            latest[key] = c
        self.by_event: dict[str, list[Correction]] = {}
        for c in latest.values():
            self.by_event.setdefault(c.event_id, []).append(c)
        self._seen: set[str] = set()

    def __call__(self, rows: list[dict]) -> list[dict]:
        return self.correct(rows)

    def correct(self, rows: list[dict]) -> list[dict]:
        """The rows with their corrections applied, in order, dropped events left out."""
        out = []
        for row in rows:
            self._seen.add(row["event_id"])
            row = self._correct_one(dict(row))
            if row is not None:
                out.append(row)
        return out

    def finish(self) -> Applied:
        for event_id, items in self.by_event.items():
            if event_id not in self._seen:
                for c in sorted(items, key=lambda c: c.line):
                    self.summary.stale.append(
                        f"{c.where}: event {event_id} no longer exists (its report changed or "
                        f"was removed); the correction of {c.field!r} was not applied")
        self._seen = set(self.by_event)  # finish() reports each stale correction once
        return self.summary

    def _correct_one(self, row: dict) -> dict | None:
        result = self.summary
        row["corrected"] = row.get("corrected") or ""
        row["corrected_by"] = row.get("corrected_by") or ""
        for col in ORIGINAL_COLUMNS:
            row.setdefault(f"original_{col}", None)
        items = sorted(self.by_event.get(row["event_id"], ()), key=lambda c: CORRECTABLE.index(c.field))
        if any(c.field == "drop" for c in items):
            result.dropped.append(row["event_id"])
            result.applied += 1
            return None
        changed: list[str] = []
        who: list[str] = []
        original = {col: row.get(col) for col in ORIGINAL_COLUMNS}
        for c in items:
            problem = _apply_one(row, c, self.gazetteer)
            if problem:
                result.errors.append(f"{c.where}: field 'value': {problem}")
                continue
            changed.append(c.field)
            if c.who not in who:
                who.append(c.who)
            result.applied += 1
        if changed:
            row["corrected"] = "; ".join(changed)
            row["corrected_by"] = "; ".join(who)
            for col, value in original.items():
                row[f"original_{col}"] = value
            if row.get("latitude") is not None and row.get("longitude") is not None:
                row["geometry"] = _point(row["longitude"], row["latitude"], row.get("geometry"))
        return row


def apply_corrections(rows: list[dict], corrections: list[Correction],
                      gazetteer: "Gazetteer | None" = None) -> Applied:
    """The event rows with the corrections applied, in their order (dropped events removed).

    A corrected row lists the fields changed in `corrected`, who decided in `corrected_by`,
    and keeps its values from before in `original_<column>`; other rows get these empty.
    """
    corrector = Corrector(corrections, gazetteer)
    kept = corrector.correct(rows)
    summary = corrector.finish()
    summary.rows = kept
    return summary


def load_corrector(paths: Iterable[str | Path], gazetteer: "Gazetteer | None" = None) -> Corrector | None:
    """A Corrector for the corrections files `paths` (None when there are none); a malformed
    row is one error in the summary's `errors`, the other rows are applied."""
    paths = list(paths)
    if not paths:
        return None
    read = read_corrections(paths)
    corrector = Corrector(read.corrections, gazetteer)
    corrector.summary.errors.extend(read.errors)
    return corrector


def corrections_files(given: Iterable[str | Path] = ()) -> list[str]:
    """The corrections files to apply: those given, else GEO_CORRECTIONS (`:`-separated)."""
    import os

    given = [str(p) for p in given]
    if given:
        return given
    return [p for p in os.environ.get("GEO_CORRECTIONS", "").split(os.pathsep) if p]


def _point(lon: float, lat: float, like):
    """A geometry of the kind the rows carry: a shapely Point, or a (lon, lat) tuple."""
    if like is None or isinstance(like, tuple):
        return (lon, lat)
    from shapely.geometry import Point

    return Point(lon, lat)


def _apply_one(row: dict, c: Correction, gazetteer) -> str | None:
    if c.field == "place_id":
        if gazetteer is None:
            from geo.gazetteer import Gazetteer

            gazetteer = Gazetteer.default()
        try:
            place = gazetteer.get(c.value)
        except KeyError:
            return f"{c.value!r} is no gazetteer place id (add it to your places file first)"
        row.update(place_id=place.id, location=place.name, admin1=place.governorate,
                   admin2=place.district, latitude=place.lat, longitude=place.lon)
        return None
    if c.field == "lat":
        row["latitude"] = round(float(c.value), 6)
    elif c.field == "lon":
        row["longitude"] = round(float(c.value), 6)
    elif c.field == "geo_precision":
        row["geo_precision"] = int(c.value)
    else:
        row[c.field] = c.value
    return None


def write_corrections(path: str | Path, corrections: Iterable[dict]) -> int:
    """Append correction rows (dicts with CORRECTION_COLUMNS) to a corrections file, creating
    it with its header; returns how many were written."""
    from geo._values import csv_cell

    path = Path(path)
    # The file is opened in spreadsheets too: a value from a report never runs as a formula.
    rows = [{c: csv_cell(str(r.get(c) or "")) for c in CORRECTION_COLUMNS} for r in corrections]
    new = not path.exists() or path.stat().st_size == 0
    if not new:
        with path.open("rb") as fh:
            fh.seek(-1, 2)
            needs_newline = fh.read(1) not in (b"\n", b"\r")
    with path.open("a", encoding="utf-8", newline="") as fh:
        if not new and needs_newline:
            fh.write("\n")
        writer = csv.DictWriter(fh, fieldnames=CORRECTION_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# --- from an edited layer back to the file ------------------------------------------------------

#: A point moved less than this is not a move (QGIS rounds, snapping jitters).
MOVE_MIN_KM = 0.05
#: A moved point this close to a gazetteer settlement becomes that place.
SNAP_KM = 2.0
_COMPARED = ("event_type", "sub_event_type", "actor1", "actor2", "event_date", "geo_precision")


@dataclass
class LayerDiff:
    """What an edited events layer says that the pipeline's layer does not."""

    corrections: list[dict] = field(default_factory=list)   # rows for write_corrections
    places: list[dict] = field(default_factory=list)        # proposed rows for a places file
    moved: int = 0
    snapped: int = 0
    changed: int = 0
    deleted: int = 0
    added: list[str] = field(default_factory=list)          # features no report made

    def summary(self) -> str:
        parts = [f"{len(self.corrections)} correction(s)", f"{self.moved} moved "
                 f"({self.snapped} onto a gazetteer place)", f"{self.changed} attribute change(s)",
                 f"{self.deleted} deleted"]
        if self.places:
            parts.append(f"{len(self.places)} new place(s) proposed")
        if self.added:
            parts.append(f"{len(self.added)} added feature(s) ignored (no report made them)")
        return ", ".join(parts)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def _same(a, b) -> bool:
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    return norm(a) == norm(b)


def diff_layers(edited: list[dict], pipeline: list[dict], gazetteer: "Gazetteer", *,
                who: str, when: str, why: str = "edited in QGIS") -> LayerDiff:
    """The corrections that turn the pipeline's event rows into the edited ones.

    Rows are dicts with the event columns and `latitude`/`longitude` taken from the point
    (the edited layer's geometry wins over its attribute columns, since QGIS moves the point
    and leaves the columns). An event missing from the edited rows was deleted: `drop`.
    """
    out = LayerDiff()
    made = {row["event_id"]: row for row in pipeline}
    seen = set()

    def add(event_id: str, name: str, value) -> None:
        out.corrections.append({"event_id": event_id, "field": name, "value": value,
                                "who": who, "when": when, "why": why})

    for row in edited:
        event_id = str(row.get("event_id") or "")
        if event_id not in made:
            out.added.append(event_id or "(no event_id)")
            continue
        seen.add(event_id)
        base = made[event_id]
        changed = False
        for name in _COMPARED:
            # A value the layer still shows from before a correction already made is no edit.
            if not _same(row.get(name), base.get(name)) and not (
                    base.get(f"original_{name}") is not None
                    and _same(row.get(name), base.get(f"original_{name}"))):
                add(event_id, name, "" if row.get(name) is None else str(row.get(name)).strip())
                changed = True
        out.changed += changed
        lat, lon = row.get("latitude"), row.get("longitude")
        if lat is None or lon is None or base.get("latitude") is None:
            moved = lat is not None and lon is not None and base.get("latitude") is None
        else:
            moved = _km(lat, lon, base["latitude"], base["longitude"]) >= MOVE_MIN_KM
        renamed = not _same(row.get("location"), base.get("location")) and not (
            base.get("original_location") is not None
            and _same(row.get("location"), base.get("original_location")))
        if moved:
            out.moved += 1
            from geo.gazetteer import SETTLEMENT_TYPES

            near = gazetteer.nearest(lat, lon, limit=1, types=SETTLEMENT_TYPES)
            place = near[0].place if near and near[0].distance_km <= SNAP_KM else None
            if place is not None and place.id == base.get("place_id") and not renamed:
                out.moved -= 1  # nudged within its own place: the event is where it was
            elif place is not None and not (renamed and _same_name(row.get("location"), place) is False):
                add(event_id, "place_id", place.id)
                out.snapped += 1
            else:
                add(event_id, "lat", f"{lat:.6f}")
                add(event_id, "lon", f"{lon:.6f}")
                if renamed and row.get("location"):
                    add(event_id, "location", str(row["location"]).strip())
                    out.places.append(_proposed_place(str(row["location"]).strip(), lat, lon,
                                                      gazetteer, who, when))
        elif renamed and row.get("location"):
            add(event_id, "location", str(row["location"]).strip())
    for event_id in made:
        if event_id not in seen:
            add(event_id, "drop", "")
            out.deleted += 1
    return out


def _same_name(name, place) -> bool | None:
    """Whether a typed location name is the place's (None when no name was typed)."""
    if not name:
        return None
    from geo._text import fold

    names = {fold(place.name)} | {fold(a) for a in getattr(place, "aliases", ()) or ()}
    return fold(str(name)) in names


#: The columns of a places file (data/places/README.md), for proposed rows.
PLACE_FILE_COLUMNS = ("id", "name", "type", "lat", "lon", "governorate", "district",
                      "governorate_krg", "district_krg", "population", "name_ar", "name_ckb",
                      "name_kmr", "aliases", "source", "note")


def place_slug(name: str) -> str:
    """A places-file id for a name: its ASCII slug, or (for a name in another script) a
    short hash of it, so the id is stable for the same name."""
    import hashlib
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "place-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def _proposed_place(name: str, lat: float, lon: float, gazetteer, who: str, when: str) -> dict:
    """A row for the user's places file: the new place where the analyst put it, with the
    admin units of the nearest settlement (to be checked), and who said so."""
    try:
        where = gazetteer.where(lat, lon)
    except GeoError:
        where = {}
    row = dict.fromkeys(PLACE_FILE_COLUMNS, "")
    row.update(id=place_slug(name), name=name, type="village", lat=f"{lat:.5f}", lon=f"{lon:.5f}",
               governorate=where.get("governorate") or "", district=where.get("district") or "",
               source=f"analyst: {who}, {when[:10]} (placed on the map in QGIS)",
               note="proposed by geo corrections from-gpkg: check the type and admin units")
    return row


def write_places_rows(path: str | Path, rows: list[dict]) -> int:
    """Write proposed places (PLACE_FILE_COLUMNS) as a places file the gazetteer reads with
    `--places`, replacing `path` atomically; returns how many rows were written."""
    from geo._atomic import write_text
    from geo._values import csv_cell

    buf = io.StringIO()
    buf.write("# columns: see data/places/README.md; fill lat/lon and source, then use --places\n")
    writer = csv.DictWriter(buf, fieldnames=PLACE_FILE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: csv_cell(str(row.get(c) or "")) for c in PLACE_FILE_COLUMNS})
    write_text(path, buf.getvalue())
    return len(rows)


def read_edited_layer(path: str | Path, layer: str = "events") -> list[dict]:
    """The features of an edited events layer as rows, `latitude`/`longitude` read off each
    point (QGIS moves the point and leaves the attribute columns as they were)."""
    import pyogrio

    from geo._values import plain

    try:
        frame = pyogrio.read_dataframe(str(path), layer=layer)
    except Exception as exc:  # noqa: BLE001 (GDAL's many errors: one line naming the file)
        message = " ".join(str(exc).split())[:200]
        raise CorrectionError(f"{path}: cannot read layer {layer!r}: {message}") from None
    if "event_id" not in frame.columns:
        raise CorrectionError(f"{path}: layer {layer!r} has no event_id column: not an events "
                              "layer geo exported")
    if frame.crs is not None and frame.crs.to_epsg() not in (4326, None):
        frame = frame.to_crs(4326)
    rows = []
    for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry):
        row = {k: plain(v) for k, v in record.items()}
        if geom is not None and not geom.is_empty:
            point = geom.representative_point() if geom.geom_type != "Point" else geom
            row["longitude"], row["latitude"] = round(point.x, 6), round(point.y, 6)
        else:
            row["longitude"] = row["latitude"] = None
        rows.append(row)
    return rows


def diff_edited_gpkg(edited: str | Path, inputs: Iterable[str | Path], gazetteer: "Gazetteer", *,
                     who: str, when: str, why: str = "edited in QGIS", layer: str = "events",
                     fmt: str = "auto", corrections: str | Path | None = None):
    """The corrections an edited GeoPackage holds, against what the pipeline makes of
    `inputs` with the corrections already in `corrections` applied (so only new edits count).

    Returns (LayerDiff, the reports' read failures, how many reports were read)."""
    from geo.events import events_from_inputs
    from geo._values import plain

    rows = read_edited_layer(edited, layer)
    result = events_from_inputs(list(inputs), gazetteer, fmt=fmt)
    made = [{k: plain(v) for k, v in r.items() if k != "geometry"}
            for r in result.events.drop(columns="geometry").to_dict("records")]
    if corrections and Path(corrections).exists():
        made = apply_corrections(made, read_corrections([corrections]).corrections, gazetteer).rows
    return diff_layers(rows, made, gazetteer, who=who, when=when, why=why), result.failures, \
        len(result.reports)
