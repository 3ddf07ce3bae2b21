"""Output paths checked against the inputs, before any work: an output never replaces a report.

`geo export in.csv --format csv -o in.csv`, `geo map a.md -o a.md` or `geo events in.jsonl -o
in.jsonl` would read the reports and then replace them with the output. An output is refused
when it is the same file as an input (by device and inode, so another spelling of the path, a
symlink or a hard link is caught too), or when it lies inside an input folder with a suffix
the report reader takes (settings.REPORT_EXTENSIONS): it would replace one of that folder's
reports, or be read as one on the next run.
"""
from __future__ import annotations

import os
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
        if not _read_as_report(target):
            continue
        where = _resolved(target)
        for folder, name in folders:
            if where.is_relative_to(folder):
                raise ExportError(
                    f"refusing to write {target}: it is inside the input folder {name}, where "
                    f"it would replace or be read as a report ({target.suffix} files are "
                    "reports); write it outside the input folders")
