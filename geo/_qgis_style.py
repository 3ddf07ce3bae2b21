"""QGIS layer styles (QML) for the exported layers, and the GeoPackage `layer_styles` table.

Colours come from data/styles.yaml, the file the web map reads too, so a layer looks the same
in QGIS as on the web map: events are categorized by `event_type`, zones by `kind`. The events
style also sets up QGIS's temporal controller on `event_date` (a DATE field in the GeoPackage):
each event is an instant on its date, and an event without a date is always shown.
QGIS applies the `styleQML` column of `layer_styles`; it finds the row of a layer by
`f_table_schema = ''`, `f_table_name` and `f_geometry_column`, preferring `useAsDefault = 1`.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

from geo import settings

#: The columns QGIS's OGR provider creates for `layer_styles` (see QgsOgrProvider saveStyle).
LAYER_STYLES_COLUMNS = [
    "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
    "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]

#: The events' date field that QGIS's temporal controller uses.
TEMPORAL_FIELD = "event_date"

#: QGIS geometry type codes used in QML (`layerGeometryType`).
_GEOMETRY_CODES = {"point": "0", "line": "1", "polygon": "2"}


@lru_cache(maxsize=1)
def styles() -> dict:
    """data/styles.yaml as a dict (event_types, zone_kinds, zone_opacity, ...)."""
    import yaml

    with open(settings.STYLES_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """`#d62728` -> (214, 39, 40)."""
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _qgis_colour(colour: str, alpha: float = 1.0) -> str:
    r, g, b = hex_rgb(colour)
    return f"{r},{g},{b},{round(alpha * 255)}"


def _symbol(parent: ET.Element, name: str, kind: str, colour: str) -> None:
    """One QGIS symbol: a circle marker for points, a translucent fill for polygons."""
    symbol = ET.SubElement(parent, "symbol", {
        "name": name, "type": "marker" if kind == "point" else "fill", "alpha": "1",
        "clip_to_extent": "1", "force_rhr": "0",
    })
    if kind == "point":
        props = {
            "name": "circle", "color": _qgis_colour(colour),
            "outline_color": _qgis_colour(settings.EXPORT_OUTLINE_COLOUR),
            "outline_style": "solid", "outline_width": "0.2", "outline_width_unit": "MM",
            "size": str(settings.EXPORT_MARKER_SIZE_MM), "size_unit": "MM",
        }
        layer_class = "SimpleMarker"
    else:
        props = {
            "color": _qgis_colour(colour, styles().get("zone_opacity", 0.25)),
            "outline_color": _qgis_colour(colour), "outline_style": "solid",
            "outline_width": "0.6", "outline_width_unit": "MM", "style": "solid",
            "joinstyle": "bevel",
        }
        layer_class = "SimpleFill"
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1",
                                            "locked": "0", "pass": "0"})
    # QGIS 3.26+ reads the Option map; older versions read the prop elements.
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"name": key, "type": "QString", "value": value})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})


#: QgsVectorLayerTemporalProperties' mode "each feature has a date/time instant in one field"
#: (Qgis::VectorTemporalMode::FeatureDateTimeInstantFromField).
_TEMPORAL_INSTANT_FROM_FIELD = "1"


def _temporal(root: ET.Element, field: str) -> None:
    """The `<temporal>` element QGIS's QgsVectorLayerTemporalProperties reads (readXml): the
    layer is temporal, each feature an instant at `field`, no duration, not accumulated.
    QGIS keeps features whose `field` is NULL visible at every time."""
    temporal = ET.SubElement(root, "temporal", {
        "enabled": "1", "mode": _TEMPORAL_INSTANT_FROM_FIELD, "limitMode": "0",
        "startField": field, "endField": "", "startExpression": "", "endExpression": "",
        "durationField": "", "durationUnit": "d", "fixedDuration": "0", "accumulate": "0",
    })
    fixed_range = ET.SubElement(temporal, "fixedRange")
    ET.SubElement(fixed_range, "start")
    ET.SubElement(fixed_range, "end")


def _document(temporal_field: str | None = None) -> tuple[ET.Element, ET.Element]:
    # QGIS applies only the categories a style names (QgsMapLayer::importNamedStyle), so a
    # temporal style names "Temporal" too.
    categories = "Symbology|Temporal" if temporal_field else "Symbology"
    root = ET.Element("qgis", {"version": settings.EXPORT_QGIS_VERSION,
                               "styleCategories": categories})
    if temporal_field:
        _temporal(root, temporal_field)
    renderer = ET.SubElement(root, "renderer-v2")
    return root, renderer


def _finish(root: ET.Element, kind: str) -> str:
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_CODES[kind]
    ET.indent(root, space=" ")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            + ET.tostring(root, encoding="unicode") + "\n")


def categorized_qml(attribute: str, colours: dict[str, str], kind: str,
                    temporal_field: str | None = None) -> str:
    """A QML document with a categorized renderer: one category per value of `attribute`,
    drawn in its colour (`kind` is "point" or "polygon"); with `temporal_field`, also the
    layer's temporal settings (each feature an instant at that date field)."""
    root, renderer = _document(temporal_field)
    renderer.attrib.update({"type": "categorizedSymbol", "attr": attribute,
                            "symbollevels": "0", "enableorderby": "0", "forceraster": "0",
                            "referencescale": "-1"})
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, colour) in enumerate(colours.items()):
        ET.SubElement(categories, "category", {"value": value, "symbol": str(i),
                                               "label": value, "render": "true",
                                               "type": "string"})
        _symbol(symbols, str(i), kind, colour)
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return _finish(root, kind)


def single_qml(colour: str, kind: str) -> str:
    """A QML document drawing every feature with one symbol."""
    root, renderer = _document()
    renderer.attrib.update({"type": "singleSymbol", "symbollevels": "0",
                            "enableorderby": "0", "forceraster": "0", "referencescale": "-1"})
    symbols = ET.SubElement(renderer, "symbols")
    _symbol(symbols, "0", kind, colour)
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return _finish(root, kind)


def layer_qml(layer: str) -> tuple[str, str]:
    """(QML, description) of the style of one exported layer."""
    s = styles()
    if layer == "events":
        return (categorized_qml("event_type", dict(s["event_types"]), "point",
                                temporal_field=TEMPORAL_FIELD),
                "Events by ACLED event type (colours of the web map), dated by event_date")
    if layer == "zones":
        return (categorized_qml("kind", dict(s["zone_kinds"]), "polygon"),
                "Zones by kind (colours of the web map)")
    if layer == "places":
        return single_qml(settings.EXPORT_PLACE_COLOUR, "point"), "Places the reports mention"
    if layer == "mentions":
        return single_qml(settings.EXPORT_MENTION_COLOUR, "point"), "Place mentions"
    raise KeyError(layer)


def layer_styles_rows(layers: dict[str, str], update_time: str) -> list[dict]:
    """One `layer_styles` row per layer.

    Parameters
    ----------
    layers : layer name -> its geometry column name as written in the GeoPackage
    update_time : ISO 8601 timestamp stored in every row (derived from the data, so the file
        is the same on every run)
    """
    rows = []
    for name, geometry_column in layers.items():
        qml, description = layer_qml(name)
        rows.append({
            "f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
            "f_geometry_column": geometry_column, "styleName": name, "styleQML": qml,
            "styleSLD": "", "useAsDefault": True, "description": description,
            "owner": "", "ui": "", "update_time": update_time,
        })
    return rows
