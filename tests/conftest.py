"""Fixtures shared by the whole suite.

The suite is isolated from the machine it runs on: the user's own places (GEO_PLACES) are not
merged in, and the caches (the GeoNames import, the online geocoder's answers) live in a fresh
temporary folder, so a `geo gazetteer import-geonames` run by hand, or a broken cache, never
changes a test's answer. (The map's offline assets come from the installed xstatic packages,
not from the cache.) This is set before `geo` is imported, and inherited by the `geo` commands
the tests run as subprocesses.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_TEST_CACHE = tempfile.mkdtemp(prefix="geo-test-cache-")
atexit.register(shutil.rmtree, _TEST_CACHE, ignore_errors=True)
os.environ["GEO_CACHE_DIR"] = _TEST_CACHE
os.environ.pop("GEO_PLACES", None)

from geo import settings  # noqa: E402  (after the environment is set)

settings.CACHE_DIR = Path(_TEST_CACHE)  # in case geo was imported before this file

PROJECT_DIR = Path(__file__).resolve().parent.parent
#: The shared reference data, present beside the checkout in CI and on developer machines.
REFERENCE_DIR = PROJECT_DIR.parent / "shared" / "reference"
SHARED_SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference, or skip the test when it is absent."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip("../shared/reference is not present")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def shared_seeds_dir() -> Path:
    """../shared/seeds (the original seed articles), or skip when absent."""
    if not SHARED_SEEDS_DIR.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SHARED_SEEDS_DIR


@pytest.fixture(scope="session")
def gazetteer():
    """The built-in gazetteer only (data/places/*.csv), loaded once for the session: no user
    places and no GeoNames cache, whatever the machine has."""
    from geo import Gazetteer

    return Gazetteer.from_files(Gazetteer.builtin_files())
