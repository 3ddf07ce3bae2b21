"""Atomic file writes: every output is written to a temporary file in the target's own folder
and renamed over the target only when all of it is written.

An export that fails or is interrupted half-way leaves any earlier file intact and no
half-written file behind (the temporary files are removed).
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

#: Side files SQLite (GeoPackage) may leave next to a database it was writing.
_SIDE_SUFFIXES = ("-journal", "-wal", "-shm")


def temp_path(target: Path) -> Path:
    """A fresh hidden name beside `target` that keeps its suffix (GDAL picks drivers by it):
    `out/events.geojson` -> `out/.events.3fa2c1d0.tmp.geojson`."""
    target = Path(target)
    return target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")


def _remove(path: Path) -> None:
    for p in (path, *(Path(f"{path}{s}") for s in _SIDE_SUFFIXES)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_files(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield one temporary path per target; when the block ends without an error, flush each
    temporary file to disk and rename it over its target (os.replace), else delete them all.

    Parameters
    ----------
    targets : the final paths (their folders must exist)

    Yields
    ------
    the temporary paths, in the same order; the caller writes each one completely
    """
    temps = [temp_path(Path(t)) for t in targets]
    try:
        yield temps
        for tmp in temps:
            if not tmp.is_file():
                raise FileNotFoundError(f"{tmp} was not written")
            _fsync(tmp)
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)
    except OSError as exc:  # a folder that is gone, read-only, full: one line, no traceback
        for tmp in temps:
            _remove(tmp)
        from geo._errors import ExportError

        named = next((t for tmp, t in zip(temps, targets) if exc.filename and str(tmp) in str(exc.filename)),
                     targets[0] if targets else "output")
        raise ExportError(f"cannot write {named}: {exc.strerror or exc}") from None
    except BaseException:
        for tmp in temps:
            _remove(tmp)
        raise


def write_text(target: str | os.PathLike, text: str) -> Path:
    """`text` written to `target` as UTF-8 with \\n line ends, atomically; its folder must
    exist and take files (ExportError otherwise, as for any write that fails)."""
    target = Path(target)
    check_folder(target.parent, target)
    with atomic_files([target]) as (tmp,):
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    return target


def _export_error(message: str):
    from geo._errors import ExportError

    return ExportError(message)


def check_folder(folder: Path, what: Path) -> None:
    """ExportError unless `folder` is an existing folder we can create files in: a hidden test
    file is created there and deleted again, and the system's reason for a failure is shown
    ("cannot write in /proc: No such file or directory")."""
    if not folder.exists():
        raise _export_error(f"cannot write {what}: folder {folder} does not exist")
    if not folder.is_dir():
        raise _export_error(f"cannot write {what}: {folder} is not a folder")
    probe = folder / f".geo-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise _export_error(f"cannot write in {folder}: {reason(exc)}") from None
    try:
        os.close(fd)
        os.unlink(probe)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _export_error(f"cannot write in {folder}: a test file could not be removed "
                          f"({reason(exc)})") from None


def reason(exc: BaseException) -> str:
    """The system's reason for an OSError ("Permission denied"), else the error's text."""
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
