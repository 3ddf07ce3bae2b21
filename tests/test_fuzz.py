"""Fuzzing the readers: whatever bytes a report or zone file holds, reading it ends in reports
and the project's own one-line errors, never a traceback, within a time and memory bound.

Inputs are drawn by hypothesis (a fixed seed, so a run is the same on every machine) from
fragments that hostile and broken files are made of: front-matter fences, YAML anchors and
aliases, brackets opened thousands deep, numbers of thousands of digits, quotes left open,
byte-order marks, NUL and control characters, plus random JSON values and random bytes. Each
example runs under an address-space limit (the process's size when the test starts plus
1 GiB) and the examples' deadline.
"""
from __future__ import annotations

import contextlib
import json
import resource
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from geo._errors import GeoError
from geo.reports import read_reports
from geo.zones import build_zones

FUZZ = settings(max_examples=120, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAX_MESSAGE_CHARS = 1000  # an error is one line a person reads, whatever the input held

_FRAGMENTS = [
    "---\n", "...\n", "\n", " ", "  ", "\t", "title: ", "id: ", "published: ", "body: ", "source: ",
    "url: ", "dateline: ", "text: ", "date: ", "- ", ": ", "? ", "&a ", "&b ", "*a", "*b", "[*a, *a, *a]",
    "<<: *a", "!!python/object:os.system ", "!!binary ", "!!str ", "[", "]", "{", "}", ",", '"', "'",
    "\\", "\\u0000", "9" * 4400, "1e9", "-.inf", ".nan", "0x1F", "1:2:3", "2024-03-04", "0001-01-01",
    "9999-12-31", "Clashes broke out in Kirkuk on Monday. ", "KIRKUK (Rudaw) – ", "قصف في كركوك",
    "\ufeff", "\x00", "\x1b]52;c;aGk=\x07", "\x0c", "\u2028", "\ud800", "{{ 7*7 }}", "=HYPERLINK(1)",
    "[" * 2000, "]" * 2000, "{\"a\":" * 1500, "- " * 10, "\n  " * 100, "%YAML 1.1\n", "%TAG ! x\n",
]
_fragments = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=20), max_size=40).map("".join)

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "title", "body", "text", "published", "date", "source", "url",
                         "dateline", "x"]) | st.text(max_size=8), inner, max_size=5),
    max_leaves=20)


@st.composite
def _mutated_json(draw, lines: bool) -> str:
    """A JSON report (or list, or JSON Lines), then perhaps cut, or a fragment spliced in."""
    records = draw(st.lists(_json_values, min_size=1, max_size=4))
    if lines:
        text = "\n".join(json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records)
    else:
        text = json.dumps(records if len(records) > 1 else records[0], ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_fragments) + text[at + draw(st.integers(0, 5)):]
    return text


@st.composite
def _csv_text(draw) -> str:
    header = draw(st.lists(st.sampled_from(["id", "title", "body", "text", "published", "x", '"q',
                                            "event_id", "report_id", "event_type"]),
                           min_size=1, max_size=5))
    cells = st.sampled_from(["", "Clashes in Kirkuk.", '"open', '"a ""b"" c"', "=1+1", "-3",
                             "2024-03-04", "\n", "9" * 4400, "\x00"]) | st.text(max_size=10)
    rows = draw(st.lists(st.lists(cells, max_size=6), max_size=5))
    return "\n".join([",".join(header), *(",".join(r) for r in rows)])


def _encoded(text: str, data) -> bytes:
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


@contextlib.contextmanager
def _memory_bound(extra_bytes: int = 1 << 30):
    """The address space capped at the process's size now plus `extra_bytes` (MemoryError past
    it, which fails the test), restored afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        size = int(fh.read().split()[0]) * resource.getpagesize()
    cap = size + extra_bytes if hard == resource.RLIM_INFINITY else min(hard, size + extra_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="geo-fuzz-") as name:
        yield Path(name)


def _check_reports(path: Path, fmt: str = "auto") -> None:
    failures: list[str] = []
    with _memory_bound():
        reports = list(read_reports([path], failures, fmt=fmt))
    for message in failures:
        assert isinstance(message, str) and "\n" not in message and len(message) <= MAX_MESSAGE_CHARS, message
        assert message.startswith(str(path)), message
    for report in reports:
        assert report.body.strip() and isinstance(report.id, str) and report.id
        json.dumps(report.to_dict())  # every field is plain data


@FUZZ
@given(data=st.data(), text=_fragments)
def test_front_matter_and_plain_text(folder, data, text):
    if data.draw(st.booleans()):
        text = "---\n" + text + "\n---\nClashes broke out in Kirkuk on Monday.\n"
    path = folder / "report.md"
    path.write_bytes(_encoded(text, data))
    _check_reports(path)


@FUZZ
@given(text=_mutated_json(lines=False))
def test_json(folder, text):
    path = folder / "report.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_reports(path)


@FUZZ
@given(text=_mutated_json(lines=True))
def test_json_lines(folder, text):
    path = folder / "reports.jsonl"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_reports(path)


@FUZZ
@given(data=st.data(), text=_csv_text())
def test_csv(folder, data, text):
    path = folder / "reports.csv"
    path.write_bytes(_encoded(text, data))
    _check_reports(path)


@FUZZ
@given(data=st.binary(max_size=300), fmt=st.sampled_from(["auto", "md", "json", "jsonl", "csv"]))
def test_any_bytes_with_any_format(folder, data, fmt):
    path = folder / "report.dat"  # an unknown suffix: sniffed, or read as `fmt`
    path.write_bytes(data)
    _check_reports(path, fmt)


class _NoPlaces:
    """A gazetteer that knows no place: zones built from points only."""

    def get(self, place_id):
        raise KeyError(place_id)

    def resolve(self, name, limit=5, types=None):
        return []


_ZONE_FRAGMENTS = _FRAGMENTS + [
    "zones:\n", "  - ", "name: Zone\n", "kind: sector\n", "kind: front_line\n", "    ",
    "around: {points: [[44.6, 34.9]], buffer_km: ", "along: {line: [[44.6, 34.9], [44.8, 35.0]], width_km: ",
    "between: {lines: [[[44.6, 34.9], [44.6, 35.0]], [[44.8, 34.9], [44.8, 35.0]]]}",
    "geometry: {type: Polygon, coordinates: [[[44.0, 35.0], [44.2, 35.0], [44.2, 35.2], [44.0, 35.0]]]}",
    "from_file: {path: /etc/passwd, name_field: x, names: [a]}", "from_file: {path: .., name_field: x, names: [a]}",
    "1.0e+9", "20000", "0", "-1", "1e-9", "500", "501", "[44.6, 34.9]", "[95, 400]", "}", "]\n",
]
_zone_yaml = st.lists(st.sampled_from(_ZONE_FRAGMENTS) | st.text(max_size=10), max_size=40).map("".join)


@st.composite
def _zone_geojson(draw) -> str:
    geometry = draw(st.sampled_from([
        {"type": "Polygon", "coordinates": [[[44.0, 35.0], [44.2, 35.0], [44.2, 35.2], [44.0, 35.0]]]},
        {"type": "MultiPolygon", "coordinates": [[[[44.0, 35.0], [44.2, 35.0], [44.0, 35.2], [44.0, 35.0]]]]},
        {"type": "Point", "coordinates": [44.0, 35.0]}, None, [], "x"]) | _json_values)
    props = draw(st.dictionaries(st.sampled_from(["name", "kind", "id", "zone_id", "description",
                                                  "source", "approximate", "fill"]),
                                 st.sampled_from(["Zone", "sector", "a-b", "", None, True, 3]) | _json_values,
                                 max_size=6))
    features = draw(st.lists(st.just({"type": "Feature", "properties": props, "geometry": geometry})
                             | _json_values, max_size=3))
    text = json.dumps({"type": "FeatureCollection", "features": features})
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_fragments) + text[at + draw(st.integers(0, 5)):]
    return text


def _check_zones(path: Path) -> None:
    with _memory_bound():
        result = build_zones([path], gazetteer=_NoPlaces(), include_builtin=False)
    for message in [*result.errors, *result.warnings]:
        assert isinstance(message, str) and "\n" not in message and len(message) <= MAX_MESSAGE_CHARS, message
    for zone in result.zones.itertuples():
        assert zone.geometry.is_valid and not zone.geometry.is_empty
        assert 0 < zone.area_km2 < 1_000_000  # a 500 km buffer is the largest: 785,000 km²


@FUZZ
@given(data=st.data(), text=_zone_yaml)
def test_zone_yaml(folder, data, text):
    path = folder / "zones.yaml"
    path.write_bytes(_encoded(text, data))
    _check_zones(path)


@FUZZ
@given(text=_zone_geojson())
def test_zone_geojson(folder, text):
    path = folder / "zones.geojson"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_zones(path)


def test_only_the_projects_errors_escape_the_readers(folder):
    """The fuzz tests above let no exception through at all; the API without `failures` raises
    the project's own error (a GeoError), nothing else."""
    path = folder / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(GeoError):
        list(read_reports([path]))
