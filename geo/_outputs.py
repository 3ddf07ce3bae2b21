"""Output paths checked against the inputs, before any work: an output never replaces a report.

`geo export in.csv --format csv -o in.csv`, `geo map a.md -o a.md` or `geo events in.jsonl -o
in.jsonl` would read the reports and then replace them with the output. An output is refused
when it is the same file as an input (by device and inode, so another spelling of the path, a
symlink or a hard link is caught too), or when it is a report of an input folder: an existing
file there that the reader takes (a suffix of settings.REPORT_EXTENSIONS, and not a file this
tool wrote, which folders skip: is_own_output). A new output in an input folder,
or an earlier output there, may be written: the next run skips it.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from geo import settings
from geo._errors import ExportError

STDIN = "-"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return path.absolute()


def _read_as_report(path: Path) -> bool:
    return (path.suffix.lower() in settings.REPORT_EXTENSIONS
            and not path.name.lower().startswith("readme"))


# What the tool writes, recognised by how it starts: GeoJSON (`geo events`, `geo export`,
# `geo zones -o`), `geo parse --json`, `geo zones --json` (and with --events).
_OWN_JSON = re.compile(r'\ufeff?\s*(?:\{\s*"type"\s*:\s*"(?:FeatureCollection|Feature)"'
                       r'|\[\s*\{\s*"(?:report|zone_id)"\s*:|\{\s*"per_zone"\s*:)')
# The columns that make a CSV the events table of `geo export --format csv` (no `body`).
_OWN_CSV_COLUMNS = {"event_id", "report_id", "event_type"}
_OWN_OUTPUT_HEAD_BYTES = 4096
# A page of `geo map`: its layers' data sit in JSON blocks with these ids (geo.render).
_OWN_MAP_MARKER = b'<script type="application/json" id="geo-data-'


def is_own_output(path: str | Path) -> bool:
    """Whether a file found in a folder is one this tool wrote, not a report: a GeoJSON file
    (events, zones, any layer: `"type": "FeatureCollection"`), the JSON that `geo parse
    --json` and `geo zones --json` print, or a CSV with `event_id`, `report_id` and
    `event_type` columns and no `body` or `text` (the events table of `geo export --format
    csv`), or a map page of `geo map` (its data blocks, `<script type="application/json"
    id="geo-data-...">`). Only the first few kilobytes are read (all of an HTML page).
    Folders skip these files; named as an input, a file is read whatever it is."""
    suffix = Path(path).suffix.lower()
    try:
        with open(path, "rb") as fh:
            if settings.REPORT_EXTENSIONS.get(suffix) == "html":
                return _OWN_MAP_MARKER in fh.read(settings.REPORT_MAX_BYTES)
            head = fh.read(_OWN_OUTPUT_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    if _OWN_JSON.match(head):
        return True
    if suffix != ".csv":
        return False
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    columns = {c.strip().lower() for c in first.split(",")}
    # `text` is the reader's other name for `body` (geo.reports): a column of report text
    return _OWN_CSV_COLUMNS <= columns and not columns & {"body", "text"}


def check_outputs_not_inputs(outputs: Iterable[str | os.PathLike],
                             inputs: Iterable[str | os.PathLike]) -> None:
    """ExportError naming the output and the input it would replace, if any output is one of
    the `inputs` (report files, folders, or `-` for stdin, which no file can be)."""
    named = [os.fspath(i) for i in inputs if os.fspath(i) != STDIN]
    files: dict[tuple[int, int], str] = {}
    folders: list[tuple[Path, str]] = []
    for name in named:
        path = Path(name)
        if path.is_dir():
            folders.append((_resolved(path), name))
        else:
            identity = _identity(path)
            if identity is not None:
                files.setdefault(identity, name)
    for out in outputs:
        target = Path(os.fspath(out))
        identity = _identity(target)
        if identity is not None and identity in files:
            raise ExportError(f"refusing to write {target}: it is the input {files[identity]}, "
                              "which would be replaced; give another output path")
        if identity is None or not folders or not _read_as_report(target):
            continue
        where = _resolved(target)
        for folder, name in folders:
            if where.is_relative_to(folder) and not is_own_output(target):
                raise ExportError(
                    f"refusing to write {target}: it is a report of the input folder {name}, "
                    "which would be replaced; give another output path")
