"""A non-editable install (`pip install .`) works as the checkout does: data/ and seeds/ travel
inside the package (geo/data, geo/seeds), so every command finds its gazetteer, rules and
styles from any folder.

The checkout's tracked files are copied to a temporary folder and installed from there into a
fresh virtual environment (`--system-site-packages`, so the dependencies already installed are
used; `--no-deps`); the commands then run from a folder outside both.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = "2024-05-11-joint-operations-sulaimani.md"


def _copy_checkout(dest: Path) -> None:
    """The files a fresh clone has (git's tracked files), without build leftovers."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True)
    if listed.returncode != 0:  # not a git checkout: everything but caches and builds
        shutil.copytree(PROJECT_DIR, dest, ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", ".venv", "maps"))
        return
    for name in listed.stdout.decode("utf-8").split("\0"):
        if name and (PROJECT_DIR / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_DIR / name, dest / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    _copy_checkout(src)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(src)  # nothing may come from the copy of the checkout any more
    work = root / "elsewhere"
    work.mkdir()
    shutil.copy(PROJECT_DIR / "seeds" / SEED, work / SEED)
    return venv, work


def _geo(venv: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "geo"), *args], cwd=work, capture_output=True,
                          text=True, timeout=300)


def test_installed_package_carries_its_data(installed):
    venv, work = installed
    code = ("import geo, geo.settings as s; print(geo.__file__); print(s.DATA_DIR); "
            "print(s.SEEDS_DIR); print(s.STYLES_FILE.is_file())")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=work,
                         capture_output=True, text=True, timeout=60, check=True)
    module, data, seeds, styles = out.stdout.split("\n")[:4]
    site = str(venv / "lib")
    assert module.startswith(site) and data.startswith(site) and seeds.startswith(site)
    assert Path(data) == Path(module).parent / "data" and styles == "True"
    assert sorted(p.name for p in Path(seeds).glob("*.md")) == \
        sorted(p.name for p in (PROJECT_DIR / "seeds").glob("*.md"))
    shipped = sorted(str(p.relative_to(data)) for p in Path(data).rglob("*") if p.is_file())
    in_checkout = sorted(str(p.relative_to(PROJECT_DIR / "data"))
                         for p in (PROJECT_DIR / "data").rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
    assert shipped == in_checkout  # every reviewed data file, none left behind


def test_installed_resolve_and_events_from_outside_the_checkout(installed):
    venv, work = installed
    resolved = _geo(venv, work, "resolve", "Kirkuk", "--json")
    assert resolved.returncode == 0, resolved.stderr
    assert {c["id"] for c in json.loads(resolved.stdout)} >= {"kirkuk", "kirkuk-governorate"}
    events = _geo(venv, work, "events", SEED, "-o", "events.geojson")
    assert events.returncode == 0, events.stderr
    assert events.stderr.startswith("wrote 1 events from 1 report(s) to events.geojson")
    # the same bytes as the checkout gives for the same report
    here = subprocess.run([sys.executable, "-m", "geo.cli", "events", str(work / SEED)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
                          check=True)
    assert (work / "events.geojson").read_text(encoding="utf-8") == here.stdout
