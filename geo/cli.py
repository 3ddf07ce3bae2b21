"""The `geo` command: a thin shell over the Python API.

Every sub-command parses its arguments, calls one API function and prints the result.
Heavy libraries (geopandas, folium, shapely) are imported inside the commands that need them,
so `geo --help` and `geo resolve` start fast.
"""
from __future__ import annotations

import json
import sys

import click

from geo._errors import GeoError


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"geo: error: {message}", err=True)
    sys.exit(code)


class _GeoGroup(click.Group):
    """Turns the package's own errors into one clear line on stderr and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GeoError as exc:
            _fail(str(exc))


@click.group(cls=_GeoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geo-disputed")
def main() -> None:
    """Report text in, checked maps and GIS layers out, for Iraq's disputed territories."""


# --- gazetteer: resolve, where, gazetteer ------------------------------------------------

# --- parse and events ---------------------------------------------------------------------

# --- zones --------------------------------------------------------------------------------

# --- map ----------------------------------------------------------------------------------

# --- export -------------------------------------------------------------------------------


if __name__ == "__main__":
    main()
