"""The package's own exceptions. Each message names the file, line, field or query at fault."""
from __future__ import annotations


class GeoError(Exception):
    """Base class: anything the user can fix by changing their input."""


class GazetteerError(GeoError):
    """A places file is malformed (the message names file, line and field)."""


class QueryError(GeoError):
    """A name or coordinate query is not usable (empty, too long, binary, out of range)."""


class ReportError(GeoError):
    """A report file is malformed (the message names file and line)."""


class ZoneError(GeoError):
    """A zone definition cannot be built (the message names the zone and the field)."""


class ExportError(GeoError):
    """An export cannot be written (unknown format or layer, unwritable path)."""


class MapError(GeoError):
    """A map cannot be made (for example, no located events and no zones)."""


class GeocoderError(GeoError):
    """The online fallback geocoder failed (no network, refused, timed out)."""


class PostgisError(GeoError):
    """A PostGIS database cannot be used (unreachable, refused credentials, no PostGIS, a
    table of ours with other columns); the message never shows the password."""
