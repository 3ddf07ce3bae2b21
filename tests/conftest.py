"""Fixtures shared by the whole suite."""
from __future__ import annotations

from pathlib import Path

import pytest

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
    """The built-in gazetteer, loaded once for the session."""
    from geo import Gazetteer

    return Gazetteer.default()
