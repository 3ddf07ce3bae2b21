"""ACLED and UCDP GED exports read as events, already located: nothing is geoparsed again.

Analysts keep ACLED or UCDP exports beside their own coding and want them on the same map, in
the same zones. A CSV is recognised by its columns (ACLED: `event_id_cnty`, `event_date`, ...;
UCDP GED: `type_of_violence`, `where_prec`, ...), and each row becomes an event row with the
columns of geo.schema.EVENT_COLUMNS, so zones, maps and exports take it as they take the
project's own events. What the two datasets code differently is mapped plainly:

- ACLED's `geo_precision` 1/2/3 gives UCDP's `where_prec` 1/2/4 (a town, near a town or part
  of a district, a region); UCDP's `where_prec` 1/2/3/4+ gives ACLED's 1/2/3/3.
- UCDP's `type_of_violence` 1 (state-based) and 2 (non-state) are ACLED's "Battles", 3
  (one-sided) is "Violence against civilians"; UCDP has no sub-event types.

A row with a bad date or coordinate is one error naming file, line and field; the other rows
go through. A file that lacks a column the reading needs is one error naming the columns.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from geo import settings
from geo._errors import ReportError
from geo.schema import EVENT_COLUMNS

#: Columns that make a CSV an export of that dataset, and the columns reading it needs.
_SIGNATURES = {
    "ACLED": {"event_id_cnty", "event_date", "event_type"},
    "UCDP": {"type_of_violence", "where_prec", "date_start"},
}
_REQUIRED = {
    "ACLED": ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
              "latitude", "longitude", "geo_precision"),
    "UCDP": ("id", "date_start", "type_of_violence", "side_a", "side_b", "latitude",
             "longitude", "where_prec"),
}
_ACLED_TO_UCDP_PRECISION = {1: 1, 2: 2, 3: 4}
_UCDP_VIOLENCE = {"1": "Battles", "2": "Battles", "3": "Violence against civilians"}
_UCDP_VIOLENCE_NAMES = {"1": "state-based violence", "2": "non-state violence",
                        "3": "one-sided violence"}


@dataclass
class ExportEvents:
    """The events of one dataset export file."""

    dataset: str                  # "ACLED" or "UCDP"
    path: str
    rows: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "file:line: field 'x': ..." each


def dataset_of_header(columns) -> str | None:
    """"ACLED" or "UCDP" when a CSV header is that dataset's export, else None."""
    names = {str(c).strip().lstrip("\ufeff").lower() for c in columns}
    for dataset, signature in _SIGNATURES.items():
        if signature <= names:
            return dataset
    return None


def dataset_of_file(path: str | Path) -> str | None:
    """"ACLED" or "UCDP" when `path` is a CSV export of that dataset (by its header row)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tsv") or not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline(64 * 1024)
    except OSError:
        return None
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    header = next(csv.reader([first], dialect=dialect), [])
    return dataset_of_header(header)


def read_event_export(path: str | Path) -> ExportEvents:
    """The events of an ACLED or UCDP GED export, in file order.

    Raises ReportError when the file is unreadable, is no such export, or lacks a column the
    reading needs; a bad row is listed in `failures` and skipped.
    """
    label = str(path)
    try:
        size = Path(path).stat().st_size
        if size > settings.EVENT_EXPORT_MAX_BYTES:
            raise ReportError(f"{label}: {size} bytes is over the "
                              f"{settings.EVENT_EXPORT_MAX_BYTES}-byte limit for one export file")
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ReportError(f"{label}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"{label}: not UTF-8 text (byte at offset {exc.start})") from None
    dialect = "excel-tab" if label.lower().endswith(".tsv") else "excel"
    reader = csv.DictReader(io.StringIO(text.replace("\r\n", "\n")), dialect=dialect)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ReportError(f"{label}:1: bad CSV header: {exc}") from None
    dataset = dataset_of_header(header)
    if dataset is None:
        raise ReportError(f"{label}: not an ACLED or UCDP GED export (no event_id_cnty/"
                          "event_date/event_type or type_of_violence/where_prec/date_start columns)")
    missing = [c for c in _REQUIRED[dataset] if c not in header]
    if missing:
        raise ReportError(f"{label}: {dataset} export without the column(s) {', '.join(missing)}")
    reader.fieldnames = header
    result = ExportEvents(dataset, label)
    row_of = _acled_row if dataset == "ACLED" else _ucdp_row
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in record.items() if k is not None}
            filled = [x for x in values.values() if x]
            if filled and all(x.startswith("#") for x in filled):
                continue  # the HXL hashtag row of HDX's copies (#date+year, #geo+lat ...)
            try:
                result.rows.append(_finish(row_of(values, label, line)))
            except _BadField as exc:
                result.failures.append(f"{label}:{line}: field '{exc.field}': {exc.problem}")
    except csv.Error as exc:
        result.failures.append(f"{label}:{line}: bad CSV: {exc}")
    return result


class _BadField(ValueError):
    def __init__(self, field_name: str, problem: str):
        super().__init__(problem)
        self.field, self.problem = field_name, problem


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _coordinate(values: dict, name: str, low: float, high: float) -> float:
    raw = values.get(name, "")
    try:
        number = float(raw)
    except ValueError:
        raise _BadField(name, f"{_shown(raw)} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise _BadField(name, f"{_shown(raw)} is outside {low:g}..{high:g}")
    return round(number, 6)


_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d\d)(\d\d)$")


def _event_date(values: dict, name: str) -> str:
    raw = values.get(name, "")
    m = _ISO.match(raw) or _COMPACT.match(raw)
    try:
        if m:
            return date(*(int(g) for g in m.groups())).isoformat()
        for pattern in ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d/%m/%Y"):
            try:
                return datetime.strptime(raw, pattern).date().isoformat()
            except ValueError:
                continue
    except ValueError:
        pass
    raise _BadField(name, f"{_shown(raw)} is not a date (YYYY-MM-DD, YYYYMMDD or '31 December 2020')")


def _int_in(values: dict, name: str, allowed: range) -> int:
    raw = values.get(name, "")
    if not raw.isdigit() or int(raw) not in allowed:
        raise _BadField(name, f"{_shown(raw)} is not one of {allowed.start}..{allowed.stop - 1}")
    return int(raw)


def _acled_row(v: dict, path: str, line: int) -> dict:
    precision = _int_in(v, "geo_precision", range(1, 4))
    lat, lon = _coordinate(v, "latitude", -90, 90), _coordinate(v, "longitude", -180, 180)
    event_id = v.get("event_id_cnty") or f"{Path(path).stem}-{line}"
    location = v.get("location", "")
    return {
        "event_id": event_id, "report_id": event_id,
        "title": f"{v.get('sub_event_type') or v.get('event_type')}"
                 + (f" in {location}" if location else ""),
        "source": v.get("source", ""), "dataset": "ACLED", "url": None, "published": None,
        "event_date": _event_date(v, "event_date"),
        "event_type": v.get("event_type", ""), "sub_event_type": v.get("sub_event_type", ""),
        "actor1": v.get("actor1", ""), "actor2": v.get("actor2", ""),
        "location": location, "place_id": None,
        "admin1": v.get("admin1", ""), "admin2": v.get("admin2", ""),
        "latitude": lat, "longitude": lon,
        "geo_precision": precision, "where_prec": _ACLED_TO_UCDP_PRECISION[precision],
        "evidence": v.get("notes", ""), "evidence_place": location, "notes": v.get("notes", ""),
        "warnings": "",
    }


def _ucdp_row(v: dict, path: str, line: int) -> dict:
    where_prec = _int_in(v, "where_prec", range(1, 8))
    violence = v.get("type_of_violence", "")
    if violence not in _UCDP_VIOLENCE:
        raise _BadField("type_of_violence", f"{_shown(violence)} is not one of 1..3")
    lat, lon = _coordinate(v, "latitude", -90, 90), _coordinate(v, "longitude", -180, 180)
    event_id = f"ucdp-{v.get('id') or line}"
    location = v.get("where_coordinates", "")
    best = v.get("best", "")
    notes = "; ".join(x for x in (
        _UCDP_VIOLENCE_NAMES[violence] + (f", {best} deaths (best estimate)" if best else ""),
        v.get("where_description", ""), v.get("source_headline", "")) if x)
    return {
        "event_id": event_id, "report_id": event_id,
        "title": v.get("dyad_name") or v.get("conflict_name") or _UCDP_VIOLENCE_NAMES[violence],
        "source": v.get("source_office", ""), "dataset": "UCDP", "url": None, "published": None,
        "event_date": _event_date(v, "date_start"),
        "event_type": _UCDP_VIOLENCE[violence], "sub_event_type": "",
        "actor1": v.get("side_a", ""), "actor2": v.get("side_b", ""),
        "location": location, "place_id": None,
        "admin1": v.get("adm_1", ""), "admin2": v.get("adm_2", ""),
        "latitude": lat, "longitude": lon,
        "geo_precision": min(where_prec, 3), "where_prec": where_prec,
        "evidence": v.get("source_article", "") or notes, "evidence_place": location,
        "notes": notes, "warnings": "",
    }


def _finish(row: dict) -> dict:
    """The row with every event column, in the schema's order (geometry left to the frame)."""
    out = {name: row.get(name) for name in EVENT_COLUMNS if name != "geometry"}
    out["zones"] = ""
    out["front_distance_km"] = None
    out["corrected"] = out["corrected_by"] = ""
    return out


def events_frame(rows: list[dict]):
    """A GeoDataFrame (EPSG:4326) of event rows, shaped as geo.events makes its layer."""
    import geopandas as gpd
    from shapely.geometry import Point

    geometry = [Point(r["longitude"], r["latitude"]) for r in rows]
    columns = [c for c in EVENT_COLUMNS if c != "geometry"]
    return gpd.GeoDataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns,
                            geometry=geometry, crs="EPSG:4326")
