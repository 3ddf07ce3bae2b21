"""The pipeline, composed once: report files in, layers out.

reports (geo.reports) -> places and events (geo.events, which geoparses with geo.parse against
geo.gazetteer) -> zones (geo.zones) -> each event's zones and distance to the front.

`run` is the one place where inputs become layers. The map (geo.render), the GIS export
(geo.export) and the command line only draw or write what it returns; a new front end takes a
`Layers` too, rather than running the steps itself.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Layers:
    """What `run` makes of its inputs.

    `events` and `mentions` are GeoDataFrames (EPSG:4326, the columns of geo.schema), the
    events with their `zones` and `front_distance_km` filled from `zones`; `reports` the
    reports read, `datasets` the ACLED / UCDP exports read as events ("ACLED: path");
    `failures` one message per report that could not be read (the others went through),
    `warnings` "report id: message" strings; `zone_errors` / `zone_warnings` what the zone
    files said (a zone that cannot be built is left out).
    """

    events: Any
    zones: Any
    mentions: Any
    reports: list = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    zone_errors: list[str] = field(default_factory=list)
    zone_warnings: list[str] = field(default_factory=list)

    @property
    def located(self) -> int:
        """How many events have a point."""
        return int(sum(1 for g in self.events.geometry if g is not None and not g.is_empty))

    @property
    def sources(self) -> int:
        """Reports read, an ACLED / UCDP export counting one."""
        return len(self.reports) + len(self.datasets)


def run(inputs: Iterable[str | os.PathLike], *, gazetteer: Any = None, fmt: str = "auto",
        correct: Any = None, zone_files: Iterable[str | os.PathLike] = (),
        zones: Any = None) -> Layers:
    """Read the report files and folders `inputs` (`-` for stdin) and build their layers.

    Parameters
    ----------
    inputs : report files or folders, ACLED / UCDP exports among them
    gazetteer : the geo.gazetteer.Gazetteer to resolve places with (the built-in one if None)
    fmt : the input format (geo.reports.read_reports)
    correct : an analyst's corrections (geo.corrections.Corrector), applied before zones
    zone_files : the user's zone files, added to the built-in zones (as `geo zones --zones`)
    zones : a zones layer already built; then `zone_files` are not read

    Returns
    -------
    Layers; a report that cannot be read is a failure in it, never an exception
    """
    from geo.events import events_from_inputs
    from geo.zones import assign_zones, build_zones

    result = events_from_inputs([os.fspath(i) for i in inputs], gazetteer=gazetteer, fmt=fmt,
                                correct=correct)
    zone_errors: list[str] = []
    zone_warnings: list[str] = []
    if zones is None:
        built = build_zones(tuple(os.fspath(f) for f in zone_files), gazetteer=gazetteer)
        zones = built.zones
        zone_errors, zone_warnings = list(built.errors), list(built.warnings)
    events = assign_zones(result.events, zones)
    return Layers(events=events, zones=zones, mentions=result.mentions,
                  reports=list(result.reports), datasets=list(result.datasets),
                  failures=list(result.failures), warnings=list(result.warnings),
                  zone_errors=zone_errors, zone_warnings=zone_warnings)
