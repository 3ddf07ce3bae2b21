"""The `geo` command: a thin shell over the Python API.

Every sub-command parses its arguments, calls one API function and prints the result.
Heavy libraries (geopandas, folium, shapely) are imported inside the commands that need them,
so `geo --help` and `geo resolve` start fast.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from types import SimpleNamespace

import click

from geo._errors import GeoError

#: What a terminal would act on instead of showing: C0 controls (ESC starts OSC 52 clipboard
#: writes, OSC 8 links, SGR conceal; CR and BS overwrite what is shown), DEL and the C1
#: controls (U+009B is CSI, U+009D OSC on many terminals). Tab is the only one kept. The bidi
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the line and paragraph
#: separators go too: an override in a title makes the rest of the line read backwards ("Trojan
#: Source"), so a file name could show as another. The marks RLM/LRM/ALM and ZWNJ, which
#: Arabic and Kurdish text uses, are kept.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_JSON_UNESCAPED_CONTROLS = re.compile("[\x7f-\x9f]")  # json.dumps escapes only C0 itself


def terminal_safe(text: str) -> str:
    """`text` with every control character a terminal would act on shown as an escape
    (`\\x1b`, `\\n`, `\\x9b`), so a report id, title or file name prints as what it is and
    each message stays one line.

    >>> terminal_safe("r1\\x1b]52;c;aWQ=\\x07 title\\nline")
    'r1\\\\x1b]52;c;aWQ=\\\\x07 title\\\\nline'
    """
    return _TERMINAL_CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


def _echo(message: object = "", err: bool = False) -> None:
    """The one way the CLI prints a line: through terminal_safe."""
    click.echo(terminal_safe(str(message)), err=err)


def _fail(message: str, code: int = 2) -> None:
    _echo(f"geo: error: {message}", err=True)
    sys.exit(code)


def _safe_click_error(exc: click.ClickException) -> click.ClickException:
    """Click's own usage errors quote what was typed (a file name, an option value): escaped
    as every other line is."""
    exc.message = terminal_safe(str(exc.message))
    if isinstance(getattr(exc, "param_hint", None), str):
        exc.param_hint = terminal_safe(exc.param_hint)
    return exc


class _GeoGroup(click.Group):
    """Turns the package's own errors into one clear line on stderr and exit status 2, and
    escapes what click's usage errors quote."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            raise _safe_click_error(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except GeoError as exc:
            _fail(str(exc))
        except click.ClickException as exc:
            raise _safe_click_error(exc) from None


@click.group(cls=_GeoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geo-disputed")
def main() -> None:
    """Report text in, checked maps and GIS layers out, for Iraq's disputed territories."""


# --- gazetteer: resolve, where, gazetteer ------------------------------------------------

_places_option = click.option(
    "--places", "places_files", multiple=True, type=click.Path(dir_okay=False),
    help="Your own places CSV (same columns as data/places/*.csv), merged over the built-in "
         "gazetteer; repeatable. GEO_PLACES does the same from the environment.")


def _set_lang(ctx, param, value):
    """--lang: the language of reports that do not give one (settings.REPORT_LANG)."""
    if value is None:
        return None
    from geo import settings
    from geo._lang import known_languages

    code = value.strip().lower()
    if code not in known_languages():
        raise click.BadParameter(f"{value!r} is not a language of the event rules "
                                 f"({', '.join(known_languages())})")
    settings.REPORT_LANG = code
    return code


_lang_option = click.option(
    "--lang", callback=_set_lang, expose_value=False, metavar="CODE",
    help="The reports' language when they do not give one (lang: in the front matter): ar "
         "(Arabic), ckb (Sorani), kmr (Kurmanji) or en; by default each sentence's language "
         "is detected.")


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
    """JSON on stdout; DEL and C1 controls in strings as \\u escapes (json.dumps writes them
    raw), so a terminal shows the JSON and a JSON reader reads the same text."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    click.echo(_JSON_UNESCAPED_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


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
        # No network, a refusal or a timeout raises GeocoderError (a GeoError): one line, exit 2.
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
        _echo(f"{i}. {row['name']} ({row['type']})  {row['lat']:.5f}, {row['lon']:.5f}  "
                   f"{admin}  [{row['match']} {row['score']:.2f}, id {row['id']}]")
    if not rows:
        if types:  # say what the filter hid: "Kirkuk" is a city, not a town
            other = gaz.resolve(name, limit=3)
            hint = (f"; without --type: {', '.join(f'{c.place.name} ({c.place.type})' for c in other)}"
                    if other else "")
            _echo(f"geo: no place of type {', '.join(types)} matches {name!r}{hint}", err=True)
        else:
            _echo(f"geo: no place matches {name!r}", err=True)
        sys.exit(1)


#: `geo zones` and `geo where` take the user's zone files the same way.
_zones_option = click.option(
    "--zones", "zone_files", multiple=True, type=click.Path(dir_okay=False),
    help="Your own zone file (YAML or GeoJSON, see README); repeatable. A zone with "
         "a built-in zone's id replaces it. GEO_ZONES does the same.")


_db_option = click.option(
    "--db", "db_url", default=None, metavar="URL",
    help="PostgreSQL/PostGIS database: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB "
         "(GEO_DB does the same; a password is better kept in ~/.pgpass or PGPASSWORD).")
_schema_option = click.option(
    "--schema", default=None, metavar="NAME",
    help="Database schema holding the tables (default: geo).")
_where_option = click.option(
    "--where", "where", multiple=True, metavar="COND",
    help="Only events where COLUMN OP VALUE holds (OP: = != < <= > >= ~ for contains), e.g. "
         "event_date>=2024-01-01 or zones~Sinjar; repeatable, all must hold.")


def _zone_messages(result) -> None:
    """A zones build's errors and warnings on stderr, one line each."""
    for message in result.warnings:
        _echo(f"geo: zone warning: {message}", err=True)
    for message in result.errors:
        _echo(f"geo: zone error: {message}", err=True)


@main.command()
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object with `nearest`.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100),
              help="At most this many nearest places.")
@_zones_option
@_places_option
def where(lat, lon, as_json, limit, zone_files, places_files):
    """What is at LAT LON: nearest places (km, bearing), admin units and zones.

    Zones are the built-in ones with your --zones files (a zone file with official district
    boundaries replaces the approximate disputed territories here too); a zone that cannot be
    built is reported on stderr (exit status 1) after the answer.
    """
    gaz = _gazetteer(places_files)
    result = gaz.where(lat, lon, limit=limit)
    from geo import zones as zones_api

    built = zones_api.build_zones(zone_files, gazetteer=gaz)
    result["zones"] = zones_api.zones_containing(lat, lon, built.zones)
    _where_output(lat, lon, result, as_json)
    _zone_messages(built)
    if built.errors:
        sys.exit(1)


def _where_output(lat, lon, result, as_json) -> None:
    if as_json:
        _print_json(result)
        return
    _echo(f"{lat:.5f}, {lon:.5f}")
    if result.get("note"):
        s = result["settlement"]
        _echo(f"  {result['note']}; nearest settlement {s['name']}, {s['distance_km']:.1f} km")
    elif "settlement" in result:
        s = result["settlement"]
        admin = " / ".join(p for p in (s["governorate"], s["district"]) if p)
        krg = " / ".join(p for p in (s["governorate_krg"], s["district_krg"]) if p)
        _echo(f"  in {admin or 'unknown'}" + (f" (KRG: {krg})" if krg else "")
                   + f", nearest settlement {s['name']}")
    for n in result["nearest"]:
        _echo(f"  {n['distance_km']:7.2f} km {n['compass']:<2} of {n['name']} ({n['type']})")
    if result.get("zones"):
        _echo("  zones: " + "; ".join(result["zones"]))


@main.group()
def gazetteer():
    """Inspect and extend the gazetteer."""


@gazetteer.command("import-geonames")
@click.argument("dump", type=click.Path(dir_okay=False))
def import_geonames_cmd(dump):
    """Load a GeoNames country dump (e.g. IQ.txt) into the local cache for full coverage."""
    from geo.geonames import import_geonames

    result = import_geonames(dump)
    for message in result.skipped[:20]:
        _echo(f"geo: warning: {message}", err=True)
    if len(result.skipped) > 20:
        _echo(f"geo: warning: ... and {len(result.skipped) - 20} more bad rows skipped", err=True)
    skipped = f", skipped {len(result.skipped)} bad row(s)" if result.skipped else ""
    _echo(f"imported {result.count} places from {dump} into {result.path}{skipped}")


@gazetteer.command("import-wof")
@click.argument("source", type=click.Path(exists=False))
@click.option("--admin-units", "admin_units", type=click.Path(dir_okay=False), default=None,
              help="OCHA COD-AB sub-district polygons (adm3 GeoJSON) to place each village in "
                   "its governorate and district; without it they come from the shipped tier.")
def import_wof_cmd(source, admin_units):
    """Load a Who's On First Iraq checkout (a folder) or archive (.tar.gz) into the local cache;
    it then replaces the shipped WOF tier (data/places/wof/)."""
    from geo.wof import import_wof

    result = import_wof(source, admin_polygons=admin_units)
    for message in result.skipped[:20]:
        click.echo(f"geo: warning: {message}", err=True)
    if len(result.skipped) > 20:
        click.echo(f"geo: warning: ... and {len(result.skipped) - 20} more records skipped", err=True)
    skipped = f", skipped {len(result.skipped)} record(s)" if result.skipped else ""
    click.echo(f"imported {result.count} places from {source} into {result.path}{skipped}")


@gazetteer.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check_cmd(files):
    """Check places FILES (the gazetteer's CSV format) and report every bad row.

    Each problem is one line on stderr, `FILE:LINE: field 'x': what is wrong`: malformed
    cells, then the gazetteer's rules (a point inside Iraq, a known governorate and district,
    an id slug, a source, no name shared with a place of the same type without a rule in
    data/preferred_names.csv). Exit status 1 when there is any.
    """
    from geo.gazetteer import check_places_files

    problems, total = check_places_files(files)
    for problem in problems:
        _echo(f"geo: places error: {problem}", err=True)
    if problems:
        _echo(f"geo: {len(problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    _echo(f"ok: {total} places in {len(files)} file(s)")


@gazetteer.command("info")
@_places_option
def info_cmd(places_files):
    """Count the gazetteer's places by type."""
    from collections import Counter

    gaz = _gazetteer(places_files)
    counts = Counter(p.type for p in gaz.places)
    tiers = Counter(p.tier for p in gaz.places)
    _echo(f"{len(gaz)} places (" + ", ".join(f"{t} {n}" for t, n in sorted(tiers.items())) + ")")
    for ptype, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        _echo(f"  {ptype:<14} {n}")

# --- parse and events ---------------------------------------------------------------------

def _report_failures(failures: list[str], done: int, inputs=()) -> None:
    """Each unreadable report on stderr, then how many failed; exit 1 when all of them did,
    and 2 when the inputs held no report at all (an empty folder, only other files)."""
    if not failures and not done and inputs:
        _fail(f"no report found in {', '.join(inputs)} (report files end in .md, .txt, .json, "
              ".jsonl, .ndjson or .csv)")
    for message in failures:
        _echo(f"geo: report error: {message}", err=True)
    if failures:
        _echo(f"geo: {len(failures)} of {len(failures) + done} report(s) failed", err=True)
        if not done:
            sys.exit(1)


_corrections_option = click.option(
    "--corrections", "correction_files", multiple=True, type=click.Path(dir_okay=False),
    help="Apply an analyst's corrections file (CSV: event_id,field,value,who,when,why); "
         "repeatable. GEO_CORRECTIONS does the same from the environment.")


_compare_option = click.option(
    "--compare", "compare_files", multiple=True, type=click.Path(dir_okay=False),
    help="An ACLED or UCDP export (CSV) to show beside the reports' events, as its own layer "
         "(ACLED, UCDP); repeatable.")


def _compared(inputs: tuple, compare_files: tuple) -> list:
    """INPUT... and the --compare files, each of which must be an ACLED or UCDP export: a
    file that is not one is an error (exit 2) before anything is read, rather than a set of
    reports geoparsed by mistake."""
    from geo.event_exports import dataset_of_file

    for name in compare_files:
        if not os.path.isfile(name):
            _fail(f"--compare {name}: no such file")
        if dataset_of_file(name) is None:
            _fail(f"--compare {name}: not an ACLED or UCDP export (a CSV with ACLED's columns "
                  "event_id_cnty, event_date, latitude, longitude ... or UCDP GED's id, "
                  "date_start, latitude, longitude ...)")
    return [*inputs, *compare_files]


_format_option = click.option(
    "--input-format", "fmt", type=click.Choice(("auto", "md", "txt", "json", "jsonl", "csv", "html", "pdf"),
                                         case_sensitive=False),
    default="auto", show_default=True,
    help="Input format: auto (by suffix; stdin and other suffixes sniffed), or force md, txt, "
         "json, jsonl or csv.")


@main.command("parse")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object a report.")
@_format_option
@_lang_option
@_places_option
def parse_cmd(inputs, as_json, fmt, places_files):
    """Find the places each report names (files, folders or `-` for stdin).

    \b
    Formats: Markdown/text with YAML front matter, plain text, JSON, JSON Lines, CSV.
    Examples:
      geo parse seeds/
      geo parse report.md --json
    """
    from geo.events import parse_report
    from geo.reports import read_reports

    gaz = _gazetteer(places_files)
    failures: list[str] = []
    results = []
    done = 0
    for report in read_reports(inputs, failures, fmt=fmt):
        done += 1
        result = parse_report(report, gaz)
        if as_json:
            results.append(result.to_dict())
            continue
        r = result.report
        _echo(f"{r.id}  {r.published or 'date unknown'}  {r.source or '-'}  {r.title}")
        for m in result.mentions:
            _echo(f"  {m.start:>6}-{m.end:<6} {m.role:<8} {m.text!r} -> {m.name} ({m.type})  "
                       f"{m.lat:.5f}, {m.lon:.5f}  [{m.place_id}, {m.confidence:.2f}]")
        if result.unresolved:
            _echo(f"  unresolved: {'; '.join(result.unresolved)}")
    if as_json:
        _print_json(results)
    _report_failures(failures, done, inputs)


@main.command("events")
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the GeoJSON here instead of standard output.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes (default: both cores for 64+ files or 2 MB of text, else one; "
                   "never more than the machine's cores; with --dask, the LocalCluster's "
                   "workers, default one per core).")
@click.option("--dask", "dask_address", is_flag=False, flag_value="local", default=None,
              metavar="[SCHEDULER_ADDRESS]",
              help="Read and geoparse the reports in partitions on a Dask cluster: the "
                   "scheduler at SCHEDULER_ADDRESS (tcp://HOST:PORT; its workers need geo "
                   "and the files), or a LocalCluster on this machine when none is given. "
                   "Put it after the inputs. Same output, byte for byte.")
@_format_option
@_lang_option
@_places_option
@_corrections_option
def events_cmd(inputs, output, workers, dask_address, fmt, places_files, correction_files):
    """The events the reports describe, as a GeoJSON FeatureCollection (EPSG:4326).

    Reports stream one at a time, so a folder of any size runs in constant memory; a
    progress bar shows on a terminal. Unreadable reports are listed on stderr (exit status 1
    when every report failed).

    \b
    Examples:
      geo events seeds/ -o events.geojson
      geo events reports.jsonl > events.geojson
      geo events archive/ -o events.geojson --dask
      geo events archive/ -o events.geojson --dask tcp://10.0.0.5:8786
    """
    if not inputs:  # `--dask FOLDER` takes the folder for an address: say so
        raise click.UsageError(_dask_address_problem(dask_address) or "Missing argument 'INPUT...'")
    if output:
        _check_not_an_input(output, inputs)
    # Worker processes load the gazetteer themselves, with the user's places files.
    corrector = _corrector(correction_files, places_files)
    with _json_safe_stdout(output is None):
        if dask_address is not None:
            run = _events_dask(inputs, output, workers, dask_address, fmt, places_files,
                               corrector)
        else:
            from geo.events import write_events_geojson

            run = write_events_geojson(inputs, output, workers=_capped_workers(workers),
                                       extra_places=tuple(places_files), fmt=fmt,
                                       max_warnings=_MAX_WARNINGS, correct=corrector)
    _print_warnings(run.warnings)
    _correction_messages(corrector)
    datasets = len(getattr(run, "datasets", ()))  # ACLED / UCDP files read as events
    if (output or run.no_event) and (run.reports or datasets or not run.failures):  # else nothing written
        no_event = run.no_event
        skipped = (f" ({len(no_event)} with no event: {', '.join(no_event[:5])}"
                   f"{', ...' if len(no_event) > 5 else ''})") if no_event else ""
        _echo(f"wrote {run.events} events from {run.reports} report(s){skipped}"
                   + (f" to {output}" if output else ""), err=True)
    _report_failures(run.failures, run.reports + datasets, inputs)


_MAX_WARNINGS = 20

#: What a Dask scheduler address looks like: PROTOCOL://HOST:PORT, or HOST:PORT.
_SCHEDULER_ADDRESS = r"^(?:[a-z]+://)?(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$"


def _dask_address_problem(dask_address) -> str | None:
    import re

    if dask_address in (None, "local") or re.match(_SCHEDULER_ADDRESS, dask_address):
        return None
    return (f"--dask {dask_address!r} is not a scheduler address (tcp://HOST:PORT); put "
            "--dask after the inputs")


def _events_dask(inputs, output, workers, dask_address, fmt, places_files, corrector=None):
    problem = _dask_address_problem(dask_address)
    if problem:
        raise click.UsageError(problem)
    address = None if dask_address == "local" else dask_address
    from geo import dask as geo_dask

    return geo_dask.write_events_geojson(inputs, output, address=address, workers=workers,
                                         extra_places=tuple(places_files), fmt=fmt,
                                         max_warnings=_MAX_WARNINGS, correct=corrector)


def _corrector(correction_files, places_files=()):
    """The corrections to apply (the files given, else GEO_CORRECTIONS), or None."""
    from geo.corrections import corrections_files, load_corrector

    files = corrections_files(correction_files)
    if not files:
        return None
    return load_corrector(files, _gazetteer(places_files))


def _correction_messages(corrector) -> None:
    """What the corrections did, and each one that could not be applied, on stderr."""
    if corrector is None:
        return
    summary = corrector.finish()
    for message in summary.warnings:
        _echo(f"geo: correction warning: {message}", err=True)
    dropped = f", {len(summary.dropped)} event(s) dropped" if summary.dropped else ""
    _echo(f"applied {summary.applied} correction(s){dropped}", err=True)


def _check_not_an_input(output, inputs) -> None:
    """Refuse (exit 2, before any report is read) an output that is one of the inputs."""
    from geo._outputs import check_outputs_not_inputs

    check_outputs_not_inputs([output], inputs)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _capped_workers(workers: int | None) -> int | None:
    """--workers, at most the cores this process may use: more processes than cores only
    share them (64 on 2 cores ran 5 times slower than 2), so the extra ones are not started."""
    cores = _cores()
    if workers is not None and workers > cores:
        _echo(f"geo: note: --workers {workers} is more than the {cores} core(s) here; "
              f"using {cores}", err=True)
        return cores
    return workers


class _JsonSafeStream:
    """Standard output for JSON a terminal may show: DEL and C1 controls written as \\u
    escapes (the same JSON text; json.dumps leaves them raw with ensure_ascii=False)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_JSON_UNESCAPED_CONTROLS.sub(
            lambda m: f"\\u{ord(m.group()):04x}", text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def _json_safe_stdout(active: bool):
    if not active:
        yield
        return
    previous = sys.stdout
    sys.stdout = _JsonSafeStream(previous)
    try:
        yield
    finally:
        sys.stdout = previous


def _print_warnings(warnings: list[str]) -> None:
    """The first warnings on stderr: a report that yields no event, an event without a place
    or a date, said so and not dropped silently."""
    for message in warnings[:_MAX_WARNINGS]:
        _echo(f"geo: warning: {message}", err=True)
    if len(warnings) > _MAX_WARNINGS:
        _echo("geo: ... more warnings: every event's `warnings` property holds its own",
                   err=True)


# --- zones --------------------------------------------------------------------------------

@main.command("zones")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("--events", "with_events", is_flag=True,
              help="Count the events of INPUT... (report files or folders) per zone.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Also write the zones as GeoJSON: the zones layer as `geo export --format "
                   "geojson` writes it (EPSG:4326, same bytes every run).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--db", "db_url", default=None, metavar="URL",
              help="With --events: count the events stored in this PostGIS database, per "
                   "zone stored there, in SQL; --where filters them.")
@_schema_option
@_where_option
@_zones_option
@_places_option
def zones_cmd(inputs, with_events, output, as_json, db_url, schema, where, zone_files,
              places_files):
    """The zones (sectors, fronts, security vacuums, disputed territories), or, with
    --events, how many events of INPUT... fall in each.

    A zone that cannot be built is reported on stderr (exit status 1); the rest still print.
    A zone without a description or a source is a warning on stderr (exit status 0).
    """
    if db_url is not None:
        if not with_events or inputs or output or zone_files or places_files:
            raise click.UsageError("--db counts the database's events per zone: use it with "
                                   "--events and no INPUT, -o, --zones or --places")
        _zones_events_db(db_url, schema, where, as_json)
        return
    if where:
        raise click.UsageError("--where filters the events of --db")
    from geo import zones as zones_api

    if inputs and not with_events:
        raise click.UsageError("INPUT files are read only with --events")
    if with_events and not inputs:
        raise click.UsageError("--events needs at least one INPUT")
    if output:
        from geo._outputs import check_outputs_not_inputs

        check_outputs_not_inputs([output], [*inputs, *zone_files])
    gaz = _gazetteer(places_files) if places_files else None
    result = zones_api.build_zones(zone_files, gazetteer=gaz)
    if output:
        from geo._atomic import write_text

        write_text(output, zones_api.zones_to_geojson(result.zones))
    if with_events:
        _zones_events(zones_api, result.zones, inputs, as_json, gaz)
    elif as_json:
        from geo._values import plain

        rows = result.zones.drop(columns="geometry").to_dict(orient="records")
        _print_json([{k: plain(v) for k, v in r.items()} for r in rows])
    else:
        _echo(f"{'zone_id':<40} {'kind':<18} {'area_km2':>9}  {'approx':<6} {'name':<46} source")
        for z in result.zones.itertuples():
            source = " ".join(str(z.source or "").split())
            source = source if len(source) <= 60 else source[:59] + "…"
            _echo(f"{z.zone_id:<40} {z.kind:<18} {z.area_km2:>9.1f}  "
                       f"{'yes' if z.approximate else 'no':<6} {z.name:<46} {source}")
    if output:
        _echo(f"wrote {len(result.zones)} zones to {output}", err=True)
    _zone_messages(result)
    if result.errors:
        sys.exit(1)


def _zones_events(zones_api, zones, inputs, as_json, gaz) -> None:
    """`geo zones --events`: events per zone, and each event's zones and front distance."""
    from geo import pipeline

    result = pipeline.run(list(inputs), gazetteer=gaz, zones=zones)
    if not result.reports and not result.datasets:
        _report_failures(result.failures, 0, inputs)
    for failure in result.failures:
        _echo(f"geo: report error: {failure}", err=True)
    events = result.events
    table = zones_api.events_per_zone(events, zones)
    if as_json:
        cols = ["event_id", "location", "event_date", "zones", "front_distance_km"]
        _print_json({
            "per_zone": table.to_dict(orient="records"),
            "events": [{c: (None if v != v else v) for c, v in zip(cols, row)}  # NaN -> null
                       for row in events[cols].itertuples(index=False)],
        })
        return
    _zone_table(table)
    outside = int((events["zones"] == "").sum())
    _echo(f"{len(events)} events, {outside} outside every zone or without a place")

def _zones_events_db(db_url, schema, where, as_json) -> None:
    """`geo zones --events --db`: the server counts the stored events per stored zone."""
    from geo import postgis

    counts = postgis.zone_counts(db_url, schema=schema, where=where)
    if as_json:
        _print_json({"per_zone": counts.table.to_dict(orient="records"),
                     "events": counts.events, "outside": counts.outside})
        return
    _zone_table(counts.table)
    _echo(f"{counts.events} events, {counts.outside} outside every zone or without a place")


def _zone_table(table) -> None:
    _echo(f"{'events':>6}  {'first':<10}  {'last':<10}  {'kind':<18} name")
    for row in table.itertuples():
        _echo(f"{row.events:>6}  {row.first_date or '-':<10}  {row.last_date or '-':<10}  "
                   f"{row.kind:<18} {row.name}")


# --- map ----------------------------------------------------------------------------------

@main.command("map")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="HTML file to write (default: maps/<first input's name>.html in the current "
                   "folder; maps/seeds.html with no INPUT).")
@click.option("--self-contained", is_flag=True,
              help="Inline every script and stylesheet: one file that needs no network "
                   "(vector layers on a plain background, no tiles).")
@click.option("--title", default=None, help="Title shown on the map and as the page title.")
@click.option("--tiles", type=click.Choice(["none", "osm", "light", "satellite"]), default=None,
              help="Background: none (default: the offline basemap drawn from the page, no tile "
                   "requested), osm, light or satellite tiles (the offline basemap stays a "
                   "choice in the layer switcher).")
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Map the events stored in this PostGIS database (see geo export --format "
                   "postgis) instead of reports; --where filters them.")
@_schema_option
@_where_option
@_zones_option
@_format_option
@_lang_option
@_places_option
@_corrections_option
@_compare_option
def map_cmd(inputs, output, self_contained, title, tiles, db_url, schema, where, zone_files, fmt,
            places_files, correction_files, compare_files):
    """Map the events of the reports INPUT... (files or folders; default: seeds/) with
    zones and places mentioned, as a Leaflet HTML page.

    No located event is an error (`nothing to map: ...`, no file written). A zone that cannot
    be built is reported on stderr (exit status 1); the map is written with the others.

    \b
    Examples:
      geo map
      geo map reports/ -o maps/kirkuk.html --title "Kirkuk, 2024"
      geo map seeds/ --self-contained -o maps/seeds-offline.html
      geo map reports/ --tiles osm
      geo map reports/ --zones my-zones.yaml
      geo map reports/ --compare acled-2024.csv
      geo map --db postgresql://analyst@gis.example/team --where event_date>=2024-01-01
    """
    if db_url is not None:
        if inputs or zone_files or compare_files:
            raise click.UsageError("--db maps the database's events and zones: give no INPUT, "
                                   "--zones or --compare")
        from geo import postgis

        done = postgis.map_database(db_url, out=output, schema=schema, where=where,
                                    title=title, self_contained=self_contained, tiles=tiles)
        _echo(str(done.path))
        _echo(f"mapped {done.located} of {done.events} events from the database, "
                   f"{done.zones} zones", err=True)
        return
    if where:
        raise click.UsageError("--where filters the events of --db")
    from geo.render import map_inputs

    if compare_files:
        inputs = _compared(inputs, compare_files)
    if output:
        _check_not_an_input(output, [*inputs, *zone_files, *places_files])
    gaz = _gazetteer(places_files) if places_files else None
    corrector = _corrector(correction_files, places_files)
    result = map_inputs(inputs, out=output, title=title, self_contained=self_contained,
                        zone_files=zone_files, fmt=fmt, gazetteer=gaz, correct=corrector,
                        tiles=tiles)
    _correction_messages(corrector)
    _echo(str(result.path))
    _echo(f"mapped {result.located} of {result.events} events from {result.reports} "
          f"report(s), {result.zones} zones into {result.path.absolute()}", err=True)
    _zone_messages(SimpleNamespace(errors=result.zone_errors, warnings=result.zone_warnings))
    _report_failures(result.failures, result.reports)
    if result.zone_errors:
        sys.exit(1)


# --- export -------------------------------------------------------------------------------

@main.command("export")
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-f", "--format", "fmt", required=True,
              type=click.Choice(["geojson", "gpkg", "kml", "csv", "postgis"],
                                case_sensitive=False),
              help="geojson (RFC 7946, one file per layer), gpkg (GeoPackage styled for QGIS), "
                   "kml (Google Earth), csv (events, ACLED columns) or postgis (tables in "
                   "the database of --db, styled for QGIS).")
@click.option("-o", "--output", type=click.Path(),
              help="File (.gpkg/.kml/.csv, or NAME.geojson -> NAME-events.geojson ...) or "
                   "folder; not with --format postgis.")
@click.option("--layers", default=None, metavar="LIST",
              help="Comma-separated: events,zones,places,mentions (default: all; csv: events).")
@_db_option
@_schema_option
@click.option("--from-db", "from_db", default=None, metavar="URL",
              help="Export the layers stored in this database (as pushed with --format "
                   "postgis) instead of reading reports; --where filters the events.")
@_where_option
@click.option("--pushed-by", default=None, metavar="NAME",
              help="Who pushes (--format postgis; default: the database user).")
@click.option("--batch-reports", type=click.IntRange(1, 100_000), default=None, metavar="N",
              help="Reports per transaction (--format postgis; default 500): a push killed "
                   "midway loses only its open batch.")
@_zones_option
@_lang_option
@_places_option
@_corrections_option
@_compare_option
def export_cmd(inputs, fmt, output, layers, db_url, schema, from_db, where, pushed_by,
               batch_reports, zone_files, places_files, correction_files, compare_files):
    """Export the events of the reports INPUT... with zones, places and mentions as GIS
    layers. The format, layers and output folder are checked before any report is read;
    files are replaced only once completely written.

    With --format postgis the layers become tables of a PostGIS database (see README: a
    team's shared store); re-running is safe, a report whose text changed replaces its
    events. With --from-db the layers come from such a database.

    \b
    Examples:
      geo export seeds/ --format gpkg -o disputed.gpkg
      geo export seeds/ --format geojson -o layers/
      geo export seeds/ --format kml -o disputed.kml --layers events,zones
      geo export seeds/ --format csv -o events.csv
      geo export reports/ --compare acled.csv --format gpkg -o both.gpkg
      geo export reports/ --format postgis --db postgresql://analyst@gis.example/team
      geo export --from-db postgresql://analyst@gis.example/team --format gpkg -o team.gpkg
    """
    fmt = fmt.lower()
    if compare_files:
        if from_db is not None:
            raise click.UsageError("--compare adds to the reports INPUT...: not with --from-db")
        inputs = _compared(inputs, compare_files)
    if from_db is not None:
        _export_from_db(inputs, fmt, output, layers, from_db, schema, where)
        return
    if not inputs:
        raise click.UsageError("give at least one INPUT (or --from-db URL)")
    if where:
        raise click.UsageError("--where filters what --from-db reads")
    if fmt == "postgis":
        _export_postgis(inputs, output, layers, db_url, schema, pushed_by, batch_reports,
                        zone_files, places_files)
        return
    if batch_reports is not None or pushed_by is not None:
        raise click.UsageError("--batch-reports and --pushed-by are for --format postgis")
    if output is None:
        raise click.UsageError("missing option '-o' / '--output'")
    from geo.export import export_inputs, plan_export

    from geo._outputs import check_outputs_not_inputs

    check_outputs_not_inputs(plan_export(fmt, output, layers).files.values(),
                             [*zone_files, *places_files])  # the reports: export_inputs
    gaz = _gazetteer(places_files) if places_files else None
    corrector = _corrector(correction_files, places_files)
    result = export_inputs(inputs, fmt, output, layers, gazetteer=gaz, zone_files=zone_files,
                           correct=corrector)
    _correction_messages(corrector)
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    for path in result.files:
        _echo(str(path))
    _echo(f"wrote {counts} ({result.fmt})", err=True)
    _zone_messages(SimpleNamespace(errors=result.zone_errors, warnings=result.zone_warnings))
    _report_failures(result.failures, result.reports)
    if result.zone_errors:
        sys.exit(1)  # as geo zones: a zone that did not build fails the run, the rest is written


def _export_postgis(inputs, output, layers, db_url, schema, pushed_by, batch_reports,
                    zone_files, places_files) -> None:
    from geo import postgis

    if output is not None:
        raise click.UsageError("--format postgis writes to the database of --db, not to -o")
    if layers is not None:
        raise click.UsageError("--format postgis always writes all four layers")
    batch = {"batch_reports": batch_reports} if batch_reports else {}
    result = postgis.push_inputs(inputs, db_url, schema=schema, zone_files=zone_files,
                                 extra_places=tuple(places_files), pushed_by=pushed_by, **batch)
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    _echo(f"pushed {counts} from {result.reports} report(s) to {result.target}, schema "
               f"{result.schema} ({result.batches} batch(es))", err=True)
    _zone_messages(SimpleNamespace(errors=result.zone_errors, warnings=result.zone_warnings))
    _report_failures(result.failures, result.reports, inputs)
    if result.zone_errors:
        sys.exit(1)


def _export_from_db(inputs, fmt, output, layers, from_db, schema, where) -> None:
    from geo import postgis
    from geo.export import export_layers, plan_export

    if inputs:
        raise click.UsageError("--from-db reads the database: give no INPUT")
    if fmt == "postgis":
        raise click.UsageError("--from-db exports to a file format, not to postgis")
    if output is None:
        raise click.UsageError("missing option '-o' / '--output'")
    plan = plan_export(fmt, output, layers)  # checked before the database is read
    stored = postgis.read_layers(from_db, schema=schema, where=where)
    result = export_layers(stored, fmt, output, only=plan.layers)
    for path in result.files:
        _echo(str(path))
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    _echo(f"wrote {counts} ({result.fmt}) from the database", err=True)


# --- review and corrections -------------------------------------------------------------------

@main.command("review")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--places-out", type=click.Path(dir_okay=False),
              help="Write a places CSV template (one row per unknown name, lat/lon empty) to "
                   "fill and pass back with --places.")
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON.")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 10000),
              help="At most this many names and events listed.")
@_format_option
@_places_option
def review_cmd(inputs, places_out, as_json, limit, fmt, places_files):
    """Names the gazetteer lacks and events placed with doubt, most frequent first.

    \b
    Examples:
      geo review reports/ --places-out missing-places.csv
      geo events reports/ --places missing-places.csv    (after filling lat/lon)
    """
    from geo.corrections import write_places_rows
    from geo.review import review

    if places_out:
        _check_not_an_input(places_out, inputs)
    result = review(inputs, _gazetteer(places_files), fmt=fmt)
    if as_json:
        _print_json({"unknown_names": [vars(n) for n in result.names[:limit]],
                     "doubtful_events": [{k: r.get(k) for k in (
                         "event_id", "location", "confidence", "location_reason", "evidence_place",
                         "geo_precision")} for r in result.doubtful[:limit]]})
    else:
        _echo(f"{len(result.names)} unknown name(s) in {result.reports} report(s):")
        for n in result.names[:limit]:
            where = f"  [{n.governorate} / {n.district}]" if n.district else ""
            offered = "; ".join(f"{c['name']} ({c['type']}, {c['district'] or c['governorate']}, "
                                f"{c['match']} {c['score']:.2f}, id {c['id']})" for c in n.candidates)
            _echo(f"  {n.count:4d}  {n.name}{where}" + (f"  candidates: {offered}" if offered else ""))
        _echo(f"{len(result.doubtful)} event(s) placed with low confidence or not at all:")
        for r in result.doubtful[:limit]:
            confidence = "-" if r.get("confidence") is None else f"{r['confidence']:.2f}"
            _echo(f"  {confidence:>5}  {r['event_id']}  {r.get('location') or '(no place)'}: "
                  f"{r.get('location_reason') or ''}")
    if places_out:
        n = write_places_rows(places_out, result.places_template())
        _echo(f"wrote {n} place row(s) to {places_out}: fill lat, lon and source, then pass it "
              "with --places", err=True)
    _report_failures(result.failures, result.reports, inputs)


@main.group("corrections")
def corrections_group() -> None:
    """An analyst's corrections of events: made in QGIS, kept in a CSV, applied on every run."""


@corrections_group.command("from-gpkg")
@click.argument("edited", type=click.Path(dir_okay=False, exists=True), metavar="EDITED.gpkg")
@click.option("--against", "inputs", multiple=True, required=True, metavar="INPUT",
              help="The reports the GeoPackage was made from (repeatable).")
@click.option("-c", "--corrections", "corrections_file", type=click.Path(dir_okay=False),
              default=None, help="The corrections file to append to (default: GEO_CORRECTIONS).")
@click.option("--who", default=None, help="Who made the edits (default: the user name).")
@click.option("--why", default="edited in QGIS", show_default=True, help="The reason recorded.")
@click.option("--places-out", type=click.Path(dir_okay=False),
              help="Write the new places the edits name (moved points with a new location "
                   "name) as a places CSV, for --places.")
@click.option("--layer", default="events", show_default=True, help="The edited layer's name.")
@_format_option
@_places_option
def corrections_from_gpkg(edited, inputs, corrections_file, who, why, places_out, layer, fmt,
                          places_files):
    """Turn the edits an analyst made to an events layer in QGIS (moved points, changed
    attributes, deleted features) into rows of the corrections file.

    \b
    Example:
      geo export reports/ --format gpkg -o check.gpkg   (edit the events layer in QGIS)
      geo corrections from-gpkg check.gpkg --against reports/ -c corrections.csv
      geo export reports/ --corrections corrections.csv --format gpkg -o check.gpkg
    """
    import getpass
    from datetime import datetime, timezone

    from geo.corrections import corrections_files, diff_edited_gpkg, write_corrections, write_places_rows

    target = corrections_file or next(iter(corrections_files()), None)
    if not target:
        raise click.UsageError("give the corrections file to append to with -c/--corrections "
                               "(or set GEO_CORRECTIONS)")
    for out in [target] + ([places_out] if places_out else []):
        _check_not_an_input(out, inputs)
    when = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    gaz = _gazetteer(places_files)
    diff, failures, reports = diff_edited_gpkg(edited, inputs, gaz, who=who or getpass.getuser(),
                                               when=when, why=why, layer=layer, fmt=fmt,
                                               corrections=target)
    n = write_corrections(target, diff.corrections)
    _echo(f"{edited}: {diff.summary()}", err=True)
    _echo(f"appended {n} correction(s) to {target}", err=True)
    if places_out and diff.places:
        write_places_rows(places_out, diff.places)
        _echo(f"wrote {len(diff.places)} proposed place(s) to {places_out}", err=True)
    _report_failures(failures, reports, inputs)


# --- fetch ----------------------------------------------------------------------------------

@main.command("fetch")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the report files (made if missing).")
@click.option("--rate", type=click.FloatRange(0.01, 100), default=1.0, show_default=True,
              help="At most this many requests a second to one host.")
@click.option("--timeout", type=click.FloatRange(1, 300), default=20.0, show_default=True,
              help="Seconds before a request is given up.")
def fetch_cmd(urls, out_dir, rate, timeout):
    """Save the articles at URL... (article pages or RSS/Atom feeds) as report files.

    The only command that goes online, and only for the URLs given: robots.txt is honoured,
    one host is asked at most --rate times a second, and an article already saved in the
    folder (same canonical URL) is skipped. Each URL that fails is one line on stderr.

    \b
    Examples:
      geo fetch https://example.org/news/article.html -o reports/
      geo fetch https://example.org/rss.xml -o reports/ && geo map reports/
    """
    from geo.fetch import fetch

    result = fetch(urls, out_dir, rate=rate, timeout=timeout)
    for path in result.saved:
        _echo(str(path))
    for message in result.failures:
        _echo(f"geo: fetch error: {message}", err=True)
    skipped = f", {len(result.skipped)} already there" if result.skipped else ""
    failed = f", {len(result.failures)} failed" if result.failures else ""
    _echo(f"saved {len(result.saved)} article(s) to {out_dir}{skipped}{failed}", err=True)
    if result.failures and not (result.saved or result.skipped):
        sys.exit(1)


if __name__ == "__main__":
    main()
