"""The code's layout: steps import only the steps before them (see README, How the code is
laid out), and the names that moved between modules still import from where they were."""
from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports_of(module: str) -> set[str]:
    """The geo modules a fresh interpreter has loaded after importing `module` alone."""
    code = (f"import sys, {module}\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m == 'geo' or m.startswith('geo.'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("module, never", [
    ("geo.parse", "geo.events"),      # the geoparser knows no events
    ("geo.zones", "geo.export"),      # zones know no export
    ("geo.gazetteer", "geo.reports"),  # the gazetteer knows no reports
])
def test_a_step_loads_no_step_after_it(module, never):
    loaded = _imports_of(module)
    assert module in loaded
    assert not any(m == never or m.startswith(never + ".") for m in loaded), sorted(loaded)


def test_zones_geojson_needs_no_export_step():
    code = ("import sys\nfrom geo.zones import load_zones, zones_to_geojson\n"
            "text = zones_to_geojson(load_zones())\n"
            "assert text.startswith('{\"type\": \"FeatureCollection\", \"name\": \"zones\"')\n"
            "print('geo.export' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_moved_names_still_import_from_their_old_modules():
    import geo._layers
    import geo.events
    import geo.export
    import geo.parse

    for name in ("normalize_layer", "geojson_text", "prepared_geometry", "records", "output_text",
                 "LAYER_COLUMNS"):
        assert getattr(geo.export, name) is getattr(geo._layers, name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = geo.parse.parse_report
    assert old is geo.events.parse_report
    assert [str(w.message) for w in caught] == ["geo.parse.parse_report is now geo.events.parse_report"]
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        geo.parse.no_such_name  # noqa: B018


def test_event_roles_are_set_by_the_event_step(gazetteer):
    from geo.events import parse_report
    from geo.parse import geoparse
    from geo.reports import parse_report_text

    report = parse_report_text("---\nid: r\npublished: 2024-03-16\n---\nKHANAQIN (Rudaw) – Two Iraqi "
                               "soldiers were killed on Thursday when an IED exploded near Jalawla, "
                               "security sources said.\n", path="r.md")
    plain = {m.text: m.role for m in geoparse(report, gazetteer).mentions}
    roles = {m.text: m.role for m in parse_report(report, gazetteer).mentions}
    assert plain == {"KHANAQIN": "dateline", "Jalawla": "mention"}
    assert roles == {"KHANAQIN": "dateline", "Jalawla": "event"}
