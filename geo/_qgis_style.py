"""QGIS layer styles (QML) for the exported layers, and the GeoPackage `layer_styles` table.

Colours come from data/styles.yaml, the file the web map reads too, so a layer looks the same
in QGIS as on the web map: events are categorized by `event_type`, zones by `kind`. The events
style also sets up QGIS's temporal controller on `event_date` (a DATE field in the GeoPackage):
each event is an instant on its date, and an event without a date is always shown.
QGIS applies the `styleQML` column of `layer_styles`; it finds the row of a layer by
`f_table_schema = ''`, `f_table_name` and `f_geometry_column`, preferring `useAsDefault = 1`.
A layer opened on its own comes up styled but with its temporal settings off (see
project_qgs), so the GeoPackage also holds a QGIS project, `geo-export`, with every layer and
the events' temporal settings on.
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


# --- a QGIS project inside the GeoPackage ------------------------------------------------------

#: The table QGIS keeps projects in inside a GeoPackage (QgsGeoPackageProjectStorage): the
#: project is a .qgz (a zip holding one .qgs XML file), stored as hexadecimal text.
QGIS_PROJECTS_TABLE_SQL = ("CREATE TABLE qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, "
                           "content BLOB)")

#: Drawing order in the project, top first: points over polygons.
_PROJECT_ORDER = ("events", "places", "mentions", "zones")


def _srs(parent: ET.Element) -> None:
    ET.SubElement(ET.SubElement(parent, "spatialrefsys"), "authid").text = settings.CRS_WGS84


def project_qgs(file_name: str, layers: dict[str, str], extent: tuple[float, float, float, float]
                | None, time_range: tuple[str, str] | None) -> str:
    """The .qgs XML of a project holding the exported layers, styled as in `layer_styles`.

    Why a project as well as the styles: QGIS applies a layer's default style while it opens
    the layer, and only then resets the layer's temporal settings from the data provider
    (QgsVectorLayer's constructor calls setDefaultsFromDataProviderTemporalCapabilities after
    setDataSource; GDAL's provider has no temporal capabilities, so they end up inactive).
    A project restores its layers' settings after opening them, so the events layer opens
    with the Temporal Controller working.

    Parameters
    ----------
    file_name : the GeoPackage's own file name; layers point at `./<file_name>`, which QGIS
        resolves beside the GeoPackage the project is read from
    layers : layer name -> "point" or "polygon"
    extent : (xmin, ymin, xmax, ymax) in WGS84 for the map canvas, or None
    time_range : (first, last) event date (YYYY-MM-DD) for the project's time range, or None
    """
    root = ET.Element("qgis", {"version": settings.EXPORT_QGIS_PROJECT_VERSION,
                               "projectname": settings.EXPORT_QGIS_PROJECT_NAME})
    ET.SubElement(root, "title").text = settings.EXPORT_QGIS_PROJECT_NAME
    _srs(ET.SubElement(root, "projectCrs"))
    tree = ET.SubElement(root, "layer-tree-group")
    maplayers = ET.SubElement(root, "projectlayers")
    for name in (n for n in _PROJECT_ORDER if n in layers):
        layer_id, source = f"geo_{name}", f"./{file_name}|layername={name}"
        ET.SubElement(tree, "layer-tree-layer", {
            "id": layer_id, "name": name, "source": source, "providerKey": "ogr",
            "checked": "Qt::Checked", "expanded": "1"})
        maplayer = ET.SubElement(maplayers, "maplayer", {
            "type": "vector", "geometry": "Point" if layers[name] == "point" else "Polygon",
            "styleCategories": "AllStyleCategories"})
        ET.SubElement(maplayer, "id").text = layer_id
        ET.SubElement(maplayer, "datasource").text = source
        ET.SubElement(maplayer, "layername").text = name
        _srs(ET.SubElement(maplayer, "srs"))
        ET.SubElement(maplayer, "provider", {"encoding": "UTF-8"}).text = "ogr"
        style = ET.fromstring(layer_qml(name)[0].split("\n", 1)[1])  # the QML, less its DOCTYPE
        maplayer.extend(list(style))
    if extent is not None:
        canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas"})
        ET.SubElement(canvas, "units").text = "degrees"
        box = ET.SubElement(canvas, "extent")
        for key, value in zip(("xmin", "ymin", "xmax", "ymax"), extent):
            ET.SubElement(box, key).text = repr(round(value, settings.EXPORT_COORD_DECIMALS))
        ET.SubElement(canvas, "rotation").text = "0"
        _srs(ET.SubElement(canvas, "destinationsrs"))
    if time_range is not None:
        # Each step a day, the range the events' dates span (the last day included).
        times = ET.SubElement(root, "ProjectTimeSettings", {
            "timeStepUnit": "d", "timeStep": "1", "frameRate": "1",
            "cumulativeTemporalRange": "0"})
        span = ET.SubElement(times, "TemporalRange")
        ET.SubElement(span, "start").text = f"{time_range[0]}T00:00:00Z"
        ET.SubElement(span, "end").text = f"{time_range[1]}T23:59:59Z"
    paths = ET.SubElement(ET.SubElement(root, "properties"), "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    ET.indent(root, space=" ")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            + ET.tostring(root, encoding="unicode") + "\n")


def project_row(qgs: str, timestamp: str) -> tuple[str, str, str]:
    """The `qgis_projects` row (name, metadata, content) of a project: the .qgs zipped with a
    fixed date (the data's timestamp), so the GeoPackage is the same on every run."""
    import io
    import json
    import zipfile

    stamp = tuple(int(p) for p in (timestamp[0:4], timestamp[5:7], timestamp[8:10])) + (0, 0, 0)
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))  # the oldest date a zip can hold
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{settings.EXPORT_QGIS_PROJECT_NAME}.qgs", date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, qgs.encode("utf-8"))
    metadata = json.dumps({"last_modified_time": timestamp[:19], "last_modified_user": "geo"})
    return settings.EXPORT_QGIS_PROJECT_NAME, metadata, buf.getvalue().hex()
