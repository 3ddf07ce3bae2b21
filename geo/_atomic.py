"""Atomic file writes: every output is written to a temporary file in the target's own folder
and renamed over the target only when all of it is written.

An export that fails or is interrupted half-way leaves any earlier file intact and no
half-written file behind (the temporary files are removed). A writer that finds it has nothing
to write calls `discard()` on what `atomic_files` yields, with the same result and no error.

A file that is replaced keeps its permissions (a 0600 file stays 0600, not the umask's 0644),
and a target that is a symbolic link is written through: the file it points to is replaced
and the link stays a link.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

#: Side files SQLite (GeoPackage) may leave next to a database it was writing.
_SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
#: How much `disk_error` writes to learn whether a folder's file system still takes data.
_PROBE_BYTES = 1024 * 1024


def temp_path(target: Path) -> Path:
    """A fresh hidden name beside `target` that keeps its suffix (GDAL picks drivers by it):
    `out/events.geojson` -> `out/.events.3fa2c1d0.tmp.geojson`."""
    target = Path(target)
    return target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")


def final_path(target: Path) -> Path:
    """Where a write to `target` lands: the file a symbolic link points to (followed to the
    end), else `target` itself."""
    target = Path(target)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _keep_mode(tmp: Path, target: Path) -> None:
    """Give the new file the permissions of the file it replaces, if there is one."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


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


class TempFiles(list[Path]):
    """The temporary paths `atomic_files` yields (a list of Path, one per target, in order),
    with `discard()` for a caller that finds it has nothing to write after all."""

    discarded: bool = False

    def discard(self) -> None:
        """Drop the files being written: when the block ends, the temporary files (written or
        not) are removed and every target is left as it was (not created, or not replaced);
        no exception is raised. An error raised later in the block still propagates."""
        self.discarded = True


@contextlib.contextmanager
def atomic_files(targets: Sequence[Path]) -> Iterator[TempFiles]:
    """Yield one temporary path per target; when the block ends without an error, flush each
    temporary file to disk and rename it over its target (os.replace), else delete them all.

    Parameters
    ----------
    targets : the final paths (their folders must exist)

    Yields
    ------
    TempFiles: the temporary paths, in the same order; the caller writes each one completely,
    or calls its `discard()` to keep the targets as they are:

        with atomic_files([out]) as temps:
            (tmp,) = temps
            ...
            if nothing_to_write:
                temps.discard()   # `out` is left untouched, the temporary file removed
    """
    finals = [final_path(Path(t)) for t in targets]
    temps = TempFiles(temp_path(f) for f in finals)
    try:
        yield temps
        if temps.discarded:
            for tmp in temps:
                _remove(tmp)
            return
        for tmp, final in zip(temps, finals):
            if not tmp.is_file():
                raise FileNotFoundError(f"{tmp} was not written")
            _keep_mode(tmp, final)
            _fsync(tmp)
        for tmp, final in zip(temps, finals):
            os.replace(tmp, final)
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
    check_folder(final_path(target).parent, target)
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
    failed = _probe(folder)
    if failed is None:
        return
    step, exc = failed
    if step == "remove":
        raise _export_error(f"cannot write in {folder}: a test file could not be removed "
                            f"({reason(exc)})") from None
    raise _export_error(f"cannot write in {folder}: {reason(exc)}") from None


def disk_error(folder: Path) -> OSError | None:
    """The OSError the system gives now for writing in `folder` (a full disk: ENOSPC, "No
    space left on device"; a quota: EDQUOT), or None when it takes a write of a megabyte.

    GDAL and SQLite report a write that failed for want of space in their own words, often
    only through a later step (a table they could not create is then "no such table: ...",
    a commit "Failed to commit transaction"); this asks the system. A hidden probe file is
    written, flushed and always removed.
    """
    failed = _probe(folder, _PROBE_BYTES)
    return None if failed is None or failed[0] == "remove" else failed[1]


def _probe(folder: Path, size: int = 0) -> tuple[str, OSError] | None:
    """Create a hidden file in `folder`, write `size` bytes to it (flushed to disk) and delete
    it: None when all of it worked, else the step that failed ("create", "write", "remove")
    and the system's error. The one way check_folder and disk_error ask the file system."""
    probe = Path(folder) / f".geo-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        return "create", exc
    failed: tuple[str, OSError] | None = None
    try:
        block = bytes(min(size, 64 * 1024))
        written = 0
        while written < size:
            n = os.write(fd, block[: size - written])
            if n <= 0:  # not a regular file system's answer; take it as a full one
                failed = "write", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                break
            written += n
        if size and failed is None:
            os.fsync(fd)  # a network file system may say no only now
    except OSError as exc:
        failed = "write", exc
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        os.unlink(probe)
    except FileNotFoundError:
        pass
    except OSError as exc:
        failed = failed or ("remove", exc)
    return failed


def reason(exc: BaseException) -> str:
    """The system's reason for an OSError ("Permission denied"), else the error's text."""
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()
