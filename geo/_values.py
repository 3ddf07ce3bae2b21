"""Table cells as plain Python values, the one place that says what a missing value is.

GeoDataFrames hand back numpy scalars (`numpy.float64`, `numpy.int64`, `numpy.bool_`), NaN
for a missing number, pandas' NA and NaT, and Timestamps. JSON, KML, CSV and the map want
`str`, `int`, `float`, `bool` or None, the same ones on every run; `plain` gives them.
"""
from __future__ import annotations

import math
import re
import sys
from typing import Any


def _missing(value: Any) -> bool:
    """True for NaN and for pandas' NA and NaT (pandas is asked only if it is loaded: a value
    cannot be one of its own if it is not)."""
    pd = sys.modules.get("pandas")
    if pd is None or isinstance(value, (list, tuple, dict, set)):
        return isinstance(value, float) and math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array has no single truth value: not a missing cell
        return False


def plain(value: Any) -> Any:
    """A JSON-ready Python value for one table cell.

    numpy scalars become Python ones; NaN, infinities, pandas' NA and NaT become None; dates
    and timestamps become ISO 8601 text (`2024-05-11`, with the time only when it is not
    midnight). `str`, `int`, `bool`, None and finite `float` values come back as they are,
    and so does anything else (lists, geometries).

    >>> import numpy as np
    >>> [plain(v) for v in (np.float64(1.5), np.int64(3), np.bool_(True), float("nan"), "x")]
    [1.5, 3, True, None, 'x']
    """
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:  # most cells: no work
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if _missing(value):
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (TypeError, ValueError):  # an array of several values: left as it is
            return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: A cell starting with one of these is a formula, a command or a link to a spreadsheet
#: (OWASP, "CSV Injection"): `=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`, and tab or CR,
#: which some programs skip before looking.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: str) -> str:
    """A text cell as a spreadsheet shows it and never runs it: a cell that would start a
    formula gets a leading `'` (OWASP's advice; spreadsheets hide that quote and show the
    text), unless it is a plain number such as `-3` or `+4.5`, which stays a number.

    >>> [csv_cell(v) for v in ("=1+2", "-3", "-2+3", "@SUM(A1)", "Kirkuk")]
    ["'=1+2", '-3', "'-2+3", "'@SUM(A1)", 'Kirkuk']
    """
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


#: Characters no output keeps. XML 1.0 forbids the C0 controls other than tab, LF and CR, and
#: U+FFFE/U+FFFF, even as character references (a KML holding one is "not well-formed" to
#: GDAL, QGIS and Google Earth); SQLite's text functions and GDAL cut a GeoPackage string at
#: NUL; a spreadsheet shows them as boxes. Vertical tab and form feed separate words, so they
#: become a space; the others carry nothing a reader could see and are dropped.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE_CHARS = frozenset("\x0b\x0c")
#: A lone UTF-16 surrogate (JSON's "\\ud800" reads as one) cannot be written as UTF-8 at all.
_SURROGATES = re.compile("[\ud800-\udfff]")


def output_text(text: str) -> str:
    """`text` as every output format can hold it: C0 controls XML 1.0 forbids (NUL included)
    dropped, vertical tab and form feed as spaces, U+FFFE/U+FFFF dropped, a lone surrogate
    as U+FFFD. Tab, line ends and everything printable stay as they are.

    >>> output_text("Kirkuk\\x01 \\x0cclashes\\x00")
    'Kirkuk  clashes'
    """
    if _FORBIDDEN_CHARS.search(text):
        text = _FORBIDDEN_CHARS.sub(lambda m: " " if m.group() in _SPACE_CHARS else "", text)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text
