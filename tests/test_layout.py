"""The code's layout: steps import only the steps before them (see README, How the code is
laid out), and the names that moved between modules still import from where they were."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
    import geo._outputs
    import geo._text
    import geo.reports

    # The folding helpers sit below every step that folds text; the check for the tool's own
    # outputs below the readers and the writers that both use it.
    assert geo.parse.fold_text is geo._text.fold_text and geo.parse.name_key is geo._text.name_key
    assert geo.reports.is_own_output is geo._outputs.is_own_output
    # parse_report gives event roles, which the event step decides: it is geo.events' only.
    assert not hasattr(geo.parse, "parse_report") and callable(geo.events.parse_report)


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """`lint-imports` (import-linter) over the package in `folder`, with its pyproject.toml."""
    script = Path(sys.executable).parent / "lint-imports"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "importlinter.cli"]
    env = dict(os.environ, PYTHONPATH=str(folder))
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env,
                          timeout=300)


def test_import_contracts_hold():
    pytest.importorskip("importlinter")
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "BROKEN" not in done.stdout


@pytest.mark.parametrize("module, line, broken", [
    # the geoparser reaching up to the event step: a cycle through geo.events
    ("parse.py", "from geo.events import find_events", "from the command line down"),
    # the gazetteer reaching up to the command line
    ("gazetteer.py", "from geo.cli import main", "Nothing imports the command line"),
    # one part of the event step reaching up to another above it
    ("events/dates.py", "from geo.events.records import event_rows", "The event step's parts"),
])
def test_an_injected_upward_import_fails_the_contracts(tmp_path, module, line, broken):
    pytest.importorskip("importlinter")
    shutil.copytree(ROOT / "geo", tmp_path / "geo",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "seeds"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "geo" / module
    target.write_text(target.read_text(encoding="utf-8")
                      + f"\n\ndef _upward():\n    {line}\n", encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    assert any(broken in row and "BROKEN" in row for row in done.stdout.splitlines()), done.stdout


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
