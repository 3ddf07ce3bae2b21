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

_places_option = click.option(
    "--places", "places_files", multiple=True, type=click.Path(dir_okay=False),
    help="Your own places CSV (same columns as data/places/*.csv), merged over the built-in "
         "gazetteer; repeatable. GEO_PLACES does the same from the environment.")


def _gazetteer(places_files=()):
    from geo.gazetteer import Gazetteer

    return Gazetteer.default(extra_places=tuple(places_files))


def _read_name(name: str) -> str:
    """NAME as given, or standard input for `-` (checked as bytes: binary input is refused)."""
    if name != "-":
        return name
    data = sys.stdin.buffer.read(64 * 1024 + 1)
    if len(data) > 64 * 1024:
        raise click.UsageError("standard input is over 64 KiB; a place name is expected")
    from geo.gazetteer import check_name

    return check_name(data)


def _print_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of candidates.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100),
              help="At most this many candidates.")
@click.option("--type", "types", multiple=True, help="Only places of this type (repeatable).")
@click.option("--online", type=click.Choice(["nominatim"]), default=None,
              help="Ask this online geocoder when the gazetteer has no match (answers are cached).")
@_places_option
def resolve(name, as_json, limit, types, online, places_files):
    """Resolve a place NAME (any script; `-` reads it from stdin) to ranked candidates.

    
    Examples:
      geo resolve "Tuz Khurmato"
      geo resolve "Diyala province" --json
      geo resolve سلێمانی --limit 3
    """
    name = _read_name(name)
    gaz = _gazetteer(places_files)
    candidates = gaz.resolve(name, limit=limit, types=types or None)
    rows = [c.to_dict() for c in candidates]
    if not rows and online:
        from geo.geocoder import CachedOnlineGeocoder, online_geocoder

        found = CachedOnlineGeocoder(online_geocoder(online)).geocode(name)
        if found:
            rows = [{"id": None, "name": found["name"], "type": None, "lat": found["lat"],
                     "lon": found["lon"], "governorate": None, "district": None, "score": 0.5,
                     "match": "online", "matched": found["address"], "source": found["provider"]}]
    if as_json:
        _print_json(rows)
    for i, row in enumerate(rows if not as_json else [], 1):
        admin = " / ".join(p for p in (row.get("governorate"), row.get("district")) if p)
        krg = " / ".join(p for p in (row.get("governorate_krg"), row.get("district_krg")) if p)
        if krg:
            admin += f" (KRG: {krg})"
        click.echo(f"{i}. {row['name']} ({row['type']})  {row['lat']:.5f}, {row['lon']:.5f}  "
                   f"{admin}  [{row['match']} {row['score']:.2f}, id {row['id']}]")
    if not rows:
        click.echo(f"geo: no place matches {name!r}", err=True)
        sys.exit(1)


@main.command()
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object with `nearest`.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@_places_option
def where(lat, lon, as_json, limit, places_files):
    """What is at LAT LON: nearest places (km, bearing), admin units and zones."""
    gaz = _gazetteer(places_files)
    result = gaz.where(lat, lon, limit=limit)
    try:
        from geo.zones import zones_containing
    except ImportError:  # the zones step is optional for `where`
        zones_containing = None
    if zones_containing is not None:
        result["zones"] = zones_containing(lat, lon)
    if as_json:
        _print_json(result)
        return
    click.echo(f"{lat:.5f}, {lon:.5f}")
    if "settlement" in result:
        s = result["settlement"]
        admin = " / ".join(p for p in (s["governorate"], s["district"]) if p)
        krg = " / ".join(p for p in (s["governorate_krg"], s["district_krg"]) if p)
        click.echo(f"  in {admin or 'unknown'}" + (f" (KRG: {krg})" if krg else "")
                   + f", nearest settlement {s['name']}")
    for n in result["nearest"]:
        click.echo(f"  {n['distance_km']:7.2f} km {n['compass']:<2} of {n['name']} ({n['type']})")
    if result.get("zones"):
        click.echo("  zones: " + "; ".join(result["zones"]))


@main.group()
def gazetteer():
    """Inspect and extend the gazetteer."""


@gazetteer.command("import-geonames")
@click.argument("dump", type=click.Path(dir_okay=False))
def import_geonames_cmd(dump):
    """Load a GeoNames country dump (e.g. IQ.txt) into the local cache for full coverage."""
    from geo.geonames import import_geonames

    count, path = import_geonames(dump)
    click.echo(f"imported {count} places from {dump} into {path}")


@gazetteer.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_cmd(files):
    """Check places FILES (the gazetteer's CSV format) and report every bad row."""
    from geo.gazetteer import Gazetteer, read_places_file

    total = sum(len(read_places_file(f)) for f in files)
    Gazetteer.from_files([*Gazetteer.builtin_files(), *files])
    click.echo(f"ok: {total} places in {len(files)} file(s)")


@gazetteer.command("info")
@_places_option
def info_cmd(places_files):
    """Count the gazetteer's places by type."""
    from collections import Counter

    gaz = _gazetteer(places_files)
    counts = Counter(p.type for p in gaz.places)
    click.echo(f"{len(gaz)} places")
    for ptype, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {ptype:<14} {n}")

# --- parse and events ---------------------------------------------------------------------

# --- zones --------------------------------------------------------------------------------

# --- map ----------------------------------------------------------------------------------

# --- export -------------------------------------------------------------------------------


if __name__ == "__main__":
    main()
