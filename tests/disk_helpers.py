"""A file system that fills up half-way through a write, for the tests of atomic writing."""
from __future__ import annotations

import builtins


class HalfWritten:
    """A file that takes half of what it is given, then raises `error()`: a disk that filled
    in the middle of a write."""

    def __init__(self, fh, error):
        self.fh, self.error = fh, error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        raise self.error()


def half_full_open(error, only_mode: str | None = None):
    """An `open` whose files (those opened with `only_mode` in their mode, or all) fill
    half-way, for monkeypatching a module's `open`."""
    def opener(path, mode="r", *args, **kwargs):
        fh = builtins.open(path, mode, *args, **kwargs)
        return HalfWritten(fh, error) if only_mode is None or only_mode in mode else fh

    return opener
