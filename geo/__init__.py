"""geo: a gazetteer, geoparser, zone builder, map renderer and GIS exporter for Iraq's
disputed territories.

The pipeline, one module a step: gazetteer -> parse -> events -> zones -> render / export.
Names are imported lazily so that `import geo` stays cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "Gazetteer": "geo.gazetteer",
    "Place": "geo.gazetteer",
    "Candidate": "geo.gazetteer",
    "GazetteerGeocoder": "geo.geocoder",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
