"""KML 2.2 for Google Earth, written with ElementTree (the same bytes on every run).

One Folder per layer; each feature is a Placemark with a name, the popup text as its
description (HTML, escaped once for HTML and once more by the XML writer, as Google Earth
expects) and every attribute in ExtendedData (`name`, `description` and `end` as `name_`,
`description_`, `end_`: KML readers keep those names for the placemark's own fields). Events use an icon coloured by event type, zones
translucent polygons coloured by kind (KML colours are aabbggrr).
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from geo import settings
from geo._qgis_style import hex_rgb, styles

KML_NS = "http://www.opengis.net/kml/2.2"

#: Attribute names that KML readers (GDAL's LIBKML driver, Google Earth) take for the
#: placemark's own fields; in ExtendedData such an attribute is stored as `NAME_` instead.
RESERVED_NAMES = frozenset({"name", "description", "id", "timestamp", "begin", "end",
                            "altitudemode", "tessellate", "extrude", "visibility",
                            "draworder", "icon", "snippet", "address", "phonenumber"})


def data_name(column: str) -> str:
    """The ExtendedData name of an attribute: `name` -> `name_`, `kind` -> `kind`."""
    return f"{column}_" if column.lower() in RESERVED_NAMES else column


def kml_colour(colour: str, alpha: float = 1.0) -> str:
    """`#d62728` at opacity 0.25 -> `402827d6` (aabbggrr)."""
    r, g, b = hex_rgb(colour)
    return f"{round(alpha * 255):02x}{b:02x}{g:02x}{r:02x}"


def style_id(prefix: str, value: str) -> str:
    """A Style id safe in XML and URLs: `event-explosions-remote-violence`."""
    return f"{prefix}-" + (re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "other")


def _coords(seq, decimals: int) -> str:
    return " ".join(f"{_num(x, decimals)},{_num(y, decimals)}" for x, y, *_ in seq)


def _num(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _geometry(parent: ET.Element, geom, decimals: int) -> None:
    if geom is None or geom.is_empty:
        return
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = \
            _coords(geom.coords, decimals)
    elif kind == "LineString":
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(geom.coords, decimals)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ET.SubElement(poly, "tessellate").text = "1"
        rings = [("outerBoundaryIs", geom.exterior)]
        rings += [("innerBoundaryIs", ring) for ring in geom.interiors]
        for tag, ring in rings:
            linear = ET.SubElement(ET.SubElement(poly, tag), "LinearRing")
            ET.SubElement(linear, "coordinates").text = _coords(ring.coords, decimals)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:
            _geometry(multi, part, decimals)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _document_styles(doc: ET.Element) -> None:
    s = styles()
    for event_type, colour in s["event_types"].items():
        style = ET.SubElement(doc, "Style", {"id": style_id("event", event_type)})
        icon_style = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon_style, "color").text = kml_colour(colour)
        ET.SubElement(ET.SubElement(icon_style, "Icon"), "href").text = settings.KML_ICON_HREF
    opacity = s.get("zone_opacity", 0.25)
    for kind, colour in s["zone_kinds"].items():
        style = ET.SubElement(doc, "Style", {"id": style_id("zone", kind)})
        line = ET.SubElement(style, "LineStyle")
        ET.SubElement(line, "color").text = kml_colour(colour)
        ET.SubElement(line, "width").text = "2"
        ET.SubElement(ET.SubElement(style, "PolyStyle"), "color").text = \
            kml_colour(colour, opacity)
    for name, colour in (("place", settings.EXPORT_PLACE_COLOUR),
                         ("mention", settings.EXPORT_MENTION_COLOUR)):
        style = ET.SubElement(doc, "Style", {"id": name})
        icon_style = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon_style, "color").text = kml_colour(colour)
        ET.SubElement(icon_style, "scale").text = "0.7"
        ET.SubElement(ET.SubElement(icon_style, "Icon"), "href").text = settings.KML_ICON_HREF


class Markup(str):
    """HTML built here from escaped parts (a link, a highlight): popup_html keeps it as is."""


def popup_html(title: str, fields: list[tuple[str, object]]) -> str:
    """The popup: a bold title and one `label: value` line per non-empty field, every value
    HTML-escaped (report text may hold `<`, `&` or quotes) unless it is Markup."""
    lines = [f"<b>{html.escape(title)}</b>"]
    for label, value in fields:
        if value is None or value == "":
            continue
        text = value if isinstance(value, Markup) else html.escape(str(value))
        lines.append(f"{html.escape(label)}: {text}")
    return "<br/>".join(lines)


def highlighted(text: str | None, term: str | None) -> Markup | None:
    """`text` escaped, with the first occurrence of `term` in bold (the evidence sentence with
    the place it names), as on the web map."""
    if not text:
        return None
    escaped = html.escape(text)
    if term:
        mark = html.escape(term)
        at = escaped.find(mark)
        if at >= 0:
            escaped = f"{escaped[:at]}<b>{mark}</b>{escaped[at + len(mark):]}"
    return Markup(escaped)


def link(url: str | None) -> Markup | str | None:
    """An http(s) URL as a link; anything else (a `javascript:` URL) as plain text."""
    if not url:
        return None
    if re.match(r"https?://", url, re.IGNORECASE):
        return Markup(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
    return url


def to_kml(folders: list[tuple[str, list[dict]]],
           describe: Callable[[str, dict], tuple[str, str, str]],
           decimals: int, title: str = "geo export") -> bytes:
    """The KML document as UTF-8 bytes.

    Parameters
    ----------
    folders : (layer name, rows) in order; each row a dict of plain values plus `geometry`
    describe : (layer, row) -> (placemark name, description HTML, style id, date or None);
        the date (ISO 8601) becomes the placemark's TimeStamp, for Google Earth's time slider
    decimals : coordinate decimals
    """
    root = ET.Element("kml", {"xmlns": KML_NS})
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = title
    _document_styles(doc)
    for layer, rows in folders:
        folder = ET.SubElement(doc, "Folder", {"id": layer})
        ET.SubElement(folder, "name").text = layer
        for row in rows:
            name, description, style, when = describe(layer, row)
            placemark = ET.SubElement(folder, "Placemark")
            ET.SubElement(placemark, "name").text = name
            ET.SubElement(placemark, "description").text = description
            if when:  # KML's order: description, then the time primitive, then the style
                ET.SubElement(ET.SubElement(placemark, "TimeStamp"), "when").text = when
            ET.SubElement(placemark, "styleUrl").text = f"#{style}"
            extended = ET.SubElement(placemark, "ExtendedData")
            for key, value in row.items():
                if key == "geometry":
                    continue
                data = ET.SubElement(extended, "Data", {"name": data_name(key)})
                ET.SubElement(data, "value").text = _text(value)
            _geometry(placemark, row.get("geometry"), decimals)
    ET.indent(root, space=" ")
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n")
