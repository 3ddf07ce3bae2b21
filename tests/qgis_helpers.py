"""QGIS's Python bindings for the tests that open the project's outputs in real QGIS.

Debian's python3-qgis installs them for the system Python, which may not be the Python that
runs the tests, so the tests run QGIS in a subprocess of whichever Python has them.
tests/setup-and-run.sh installs python3-qgis: a missing QGIS fails the test, it never skips.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def python_with_qgis() -> str | None:
    """The first Python (this one, python3, /usr/bin/python3) that imports qgis.core."""
    for python in dict.fromkeys([sys.executable, shutil.which("python3"), "/usr/bin/python3"]):
        if python and Path(python).exists() and subprocess.run(
                [python, "-c", "import qgis.core"], capture_output=True).returncode == 0:
            return python
    return None


def require_qgis() -> str:
    """A Python with QGIS, or the test fails saying how to install it."""
    python = python_with_qgis()
    if python is None:
        pytest.fail("QGIS's Python bindings are not installed (Debian: apt-get install "
                    "python3-qgis; tests/setup-and-run.sh does it)")
    return python
