"""Every tunable of the package in one place: folders, CRSs, limits and scores.

Nothing else in the package hides a constant; tests and notebooks may change these at run time.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The folder above the package: a project checkout (pyproject.toml, data/, seeds/) when run
#: from one or installed editable; site-packages in an installed wheel.
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: A wheel (`pip install .`) carries data/ and seeds/ inside the package as geo/data and
#: geo/seeds (pyproject.toml's package-dir); a checkout has no geo/data and uses its own
#: top-level folders, so an edit there takes effect without reinstalling.
_PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED_DIR = _PACKAGE_DIR if (_PACKAGE_DIR / "data").is_dir() else PROJECT_DIR

#: Reviewed data files: gazetteer, zones, actors, event rules, styles.
DATA_DIR = Path(os.environ.get("GEO_DATA_DIR", _SHIPPED_DIR / "data"))
PLACES_DIR = DATA_DIR / "places"
#: The bulk tier: Who's On First's populated places (built by tools/build_wof_tier.py).
WOF_TIER_FILE = PLACES_DIR / "wof" / "iq-localities.csv.gz"
ZONES_DIR = DATA_DIR / "zones"
STYLES_FILE = DATA_DIR / "styles.yaml"

#: Seed reports (`geo map` with no INPUT maps them).
SEEDS_DIR = _SHIPPED_DIR / "seeds"
#: Where `geo map` writes when no -o is given: `maps/` of the current folder, wherever the
#: package is installed (relative on purpose: resolved when a map is written).
MAPS_DIR = Path("maps")

#: The user's own places (same format as data/places/*.csv), merged over the built-in ones.
#: Several files may be given, separated by os.pathsep.
USER_PLACES_ENV = "GEO_PLACES"

#: Where `geo gazetteer import-geonames` and the online fallback keep their caches.
CACHE_DIR = Path(os.environ.get("GEO_CACHE_DIR", Path.home() / ".cache" / "geo-disputed"))
GEONAMES_CACHE_FILE = "geonames-places.csv"
WOF_CACHE_FILE = "wof-places.csv.gz"  # `geo gazetteer import-wof`: replaces the shipped WOF tier
INDEX_CACHE_PREFIX = "index-"  # prebuilt gazetteer and parser indexes, keyed by the files' hashes
ONLINE_CACHE_FILE = "online-geocoder-cache.json"

#: Coordinate reference systems: WGS84 for everything stored and shown,
#: UTM 38N for every distance, buffer and area.
CRS_WGS84 = "EPSG:4326"
CRS_METRIC = "EPSG:32638"

#: Iraq's bounding box (lon_min, lat_min, lon_max, lat_max), a little generous.
IRAQ_BBOX = (38.7, 29.0, 48.8, 37.5)
ONLINE_COUNTRY_CODES = "iq"     # the online fallback asks about Iraq only
WHERE_SETTLEMENT_MAX_KM = 15.0  # `where` names admin units from a settlement this close only

#: Resolver limits and scores.
MAX_NAME_CHARS = 200
DEFAULT_LIMIT = 5
FUZZY_MIN_RATIO = 82.0  # rapidfuzz ratio (0..100) below which a fuzzy candidate is dropped
SCORE_EXACT = 1.0
SCORE_ALIAS = 0.97
SCORE_NORMALIZED = 0.93
SCORE_FUZZY_MAX = 0.85  # a perfect fuzzy ratio maps here; worse ratios fall below it
# Resolver ranking (geo.gazetteer): see the comment there for why each exists.
RESOLVE_CORE_FOLDED_PENALTY = 0.005
RESOLVE_TYPE_WORD_NEAR_PENALTY = 0.02   # "Kanan town" when the row is a village
RESOLVE_TYPE_WORD_SITE_PENALTY = 0.04   # "Arbajiyah town" when the row is a site (neighbourhood)
RESOLVE_TYPE_WORD_MISMATCH_PENALTY = 0.01  # a whole-name match whose type the query's type word contradicts
# Fuzzy matching: a typo rarely hits the first letter, and a long name of three or more
# words ("Erbil International Airport") is a different place, not a typo, unless it is close.
RESOLVE_FUZZY_MULTIWORD_WORDS = 3
RESOLVE_FUZZY_MULTIWORD_MIN_RATIO = 90.0

# Tiers (geo.gazetteer): a bulk-tier (WOF, GeoNames import) row with a curated row's name this
# close, or citing the same GeoNames id, is that place: its spellings join the curated row.
TIER_MERGE_KM = 5.0
WOF_ADMIN_NEAREST_KM = 3.0  # a WOF point outside every OCHA polygon takes one this close
WOF_ADMIN_BORROW_KM = 5.0   # an imported place without polygons borrows a shipped neighbour's units

#: Earth radius for great-circle distances in km.
EARTH_RADIUS_KM = 6371.0088

#: Zones (geo.zones). Built-in definitions are ZONES_DIR/*.yaml; users add their own YAML or
#: GeoJSON zone files with `--zones FILE` or this environment variable (os.pathsep-separated).
#: A user zone with the same `zone_id` as a built-in one replaces it.
USER_ZONES_ENV = "GEO_ZONES"
ZONE_KINDS = (
    "sector", "front_line", "security_vacuum", "disputed_territory",
    "operations_area", "joint_brigade_area", "region",
)
ZONE_COORD_DECIMALS = 6     # WGS84 decimals kept in zone geometries (about 0.1 m)
ZONE_SLIVER_KM2 = 0.05      # polygon parts and holes smaller than this are dropped as slivers
ZONE_BUFFER_QUAD_SEGS = 16  # segments per quarter circle in buffers
ZONE_MAX_SEGMENT_KM = 2.0   # longer edges are split before reprojecting (degrees bend lines)
#: The largest `buffer_km` and `width_km`: zones are built in UTM 38N, true to scale (within
#: about 1.5%) only this far around Iraq; a buffer of thousands of km wraps the projection
#: (an area larger than Earth's, a polygon that misses its own centre).
ZONE_MAX_KM = 500.0
ZONE_FILE_MAX_BYTES = 20 * 1024 * 1024  # a GeoJSON zone file larger than this is refused
#: A YAML zone file larger than this is refused: the YAML reader takes about 10 s a megabyte
#: (a large drawn polygon goes in a GeoJSON file or `from_file`).
ZONE_YAML_MAX_BYTES = 1024 * 1024

#: Bounds on what a report or zone file may make the readers do (geo._untrusted): a few
#: hundred hostile bytes must not take minutes, gigabytes or a traceback.
INPUT_MAX_DEPTH = 64            # nesting of lists and mappings (YAML and JSON)
INPUT_MAX_NUMBER_CHARS = 100    # digits of a number (Python refuses to print over 4,300)
#: Values a YAML document holds once its aliases (*name) are expanded ("billion laughs").
FRONT_MATTER_MAX_VALUES = 10_000
FRONT_MATTER_MAX_CHARS = 65_536  # the YAML between the `---` lines (the body has no such limit)
ZONE_YAML_MAX_VALUES = 1_000_000
MESSAGE_VALUE_CHARS = 60        # a value quoted in an error message is cut to about this

#: Reports, geoparsing and events (geo.reports, geo.parse, geo.events).
REPORT_EXTENSIONS = {  # file suffix -> format read by geo.reports
    ".md": "text", ".markdown": "text", ".txt": "text", ".text": "text",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf",
}
REPORT_MAX_BYTES = 20 * 1024 * 1024  # a single report file larger than this is refused
#: geo fetch: how it introduces itself, how long it waits, how fast it asks one host.
FETCH_USER_AGENT = "geo-disputed/0.1 (report fetcher; offline-first conflict mapping)"
FETCH_TIMEOUT = 20.0  # seconds
FETCH_RATE = 1.0  # requests per second to one host, at most
PDF_MAX_PAGES = 2000  # a PDF report longer than this is refused (split it)
EVENT_EXPORT_MAX_BYTES = 512 * 1024 * 1024  # an ACLED or UCDP export larger than this is refused
#: The longest id, title, source, url or dateline of a report (characters); a longer one is
#: an error for that report (a body has no limit but the file's).
REPORT_FIELD_MAX_CHARS = 2000
GEOPARSE_RULES_FILE = DATA_DIR / "geoparse.yaml"  # stop-list, outlets, adjectives, titles
ACTORS_FILE = DATA_DIR / "actors.csv"
EVENT_RULES_FILE = DATA_DIR / "event_rules.yaml"
LANG_DIR = DATA_DIR / "lang"  # language packs: Arabic, Sorani, Kurmanji words of the event step
# The language of reports that do not give one (`lang:` in their front matter): None detects
# it sentence by sentence; a code of LANG_DIR (ar, ckb, kmr, en) says so (`--lang`).
REPORT_LANG: str | None = None
HOLIDAYS_FILE = DATA_DIR / "holidays.yaml"  # fixed-date holidays that date events
#: Governorates whose places win a tie over a namesake elsewhere (the study region).
STUDY_GOVERNORATES = ("Nineveh", "Kirkuk", "Salahaddin", "Diyala", "Erbil", "Duhok",
                      "Sulaimani", "Halabja")
PARSE_NEARBY_KM = 60.0
BULK_NAMESAKE_PENALTY = 0.03   # a bulk-tier reading of a curated name scores this below normalized         # a candidate this close to another place of the report gets a bonus
PARSE_FUZZY_MIN_SCORE = 0.75   # an unknown capitalised name resolves only at this fuzzy score
PARSE_RESOLVED_CACHE_MAX = 20_000  # unknown names remembered per gazetteer (bounded memory)
EVENT_JOIN_KM = 25.0           # sentences of one type and date this close are one event
EVENT_CLAIM_JOIN_KM = 60.0     # ... and a claim ("X said that ...") this close to an event told
EVENT_UNSURE_CONFIDENCE = 0.8  # below this, a mention yields to a sure one as an event's place
#: Max km between a place and the place named as its container ("X in Y") before X is taken
#: for a namesake elsewhere in Iraq, by the container's type.
EVENT_CONTAINER_KM = {"city": 150.0, "town": 150.0, "village": 150.0, "subdistrict": 150.0,
                      "district": 150.0, "governorate": 250.0}
STREAM_PARALLEL_MIN_FILES = 64  # `iter_events` uses both cores from this many files ...
STREAM_PARALLEL_MIN_BYTES = 2_000_000  # ... or this much report text
STREAM_BATCH_REPORTS = 16       # reports per task handed to a worker process
STREAM_BATCHES_IN_FLIGHT = 2    # per worker: bounds the reports held in memory

#: GIS export (geo.export).
EXPORT_FORMATS = ("geojson", "gpkg", "kml", "csv")
EXPORT_LAYERS = ("events", "zones", "places", "mentions")  # also the order layers are written in
EXPORT_COORD_DECIMALS = 6          # WGS84 decimals written (RFC 7946 advises 6: about 0.1 m)
EXPORT_BASENAME = "geo-export"     # file name used when -o names a folder (gpkg, kml)
EXPORT_GPKG_GEOMETRY_COLUMN = "geom"
EXPORT_GPKG_VERSION = "1.2"        # GeoPackage 1.2: read without warnings by GDAL 2.2+ and QGIS 3
#: GeoPackage timestamps (gpkg_contents.last_change, layer_styles.update_time) are the latest
#: event or publication date of the data, so the file is the same on every run; this one when
#: no event has a date.
EXPORT_FALLBACK_TIME = "1970-01-01T00:00:00.000Z"
EXPORT_QGIS_VERSION = "3.28.0-Firenze"  # written in the QML styles (read by QGIS 3.x)
#: The QGIS project stored in the GeoPackage (its `qgis_projects` table): its name, and the
#: version it says it was written with (the oldest tested, so QGIS 3.22 opens it without a
#: "saved with a newer version" warning).
EXPORT_QGIS_PROJECT_NAME = "geo-export"
EXPORT_QGIS_PROJECT_VERSION = "3.22.0-Białowieża"
EXPORT_MARKER_SIZE_MM = 3.0
EXPORT_OUTLINE_COLOUR = "#232323"
EXPORT_PLACE_COLOUR = "#404040"    # places and mentions have no colour in data/styles.yaml
EXPORT_MENTION_COLOUR = "#a0a0a0"
KML_ICON_HREF = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"

#: Web maps (geo.render). The scripts, styles, marker images and fonts of the maps come from
#: PyPI packages installed with geo (xstatic-leaflet, xstatic-leaflet-markercluster,
#: xstatic-font-awesome); the online map loads the same versions from the CDN, and
#: `--self-contained` (and the browser tests) map each CDN URL to the package's copy:
#: (URL regex with the file path as group 1, xstatic module whose BASE_DIR holds the file)
ASSET_CDN_MAP = (
    (r"https://cdn\.jsdelivr\.net/npm/leaflet@1\.9\.3/dist/(.+)", "xstatic.pkg.leaflet"),
    (r"https://cdn\.jsdelivr\.net/npm/leaflet\.markercluster@1\.4\.1/dist/(.+)",
     "xstatic.pkg.leaflet_markercluster"),
    (r"https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@6\.2\.1/(.+)",
     "xstatic.pkg.font_awesome"),
)
ASSET_LEAFLET = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
ASSET_MARKERCLUSTER = "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.4.1/dist/"
ASSET_FONT_AWESOME = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.1/css/"
MAP_MAX_ZOOM = 18            # also what clustering needs on a map without tiles (folium #1395)
MAP_CLUSTER_RADIUS = 50      # pixels within which markers form one cluster
MAP_COORD_DECIMALS = 5       # lat/lon decimals written into the map (about 1 m)
MAP_POPUP_MAX_WIDTH = 380
MAP_PLACE_COLOUR = "#404040"  # places mentioned (no colour in data/styles.yaml)
#: `--tiles`: the map's background. "none" draws the offline basemap only and requests no
#: tiles (the default: a map that asks no tile server anything tells no one which area is
#: watched); the others add tile layers (xyzservices provider, label in the layer switcher),
#: the one named shown first, with the offline basemap still a choice.
MAP_TILES = {
    "none": (None, "Offline basemap"),
    "osm": ("OpenStreetMap.Mapnik", "OpenStreetMap"),
    "light": ("Esri.WorldGrayCanvas", "Light (Esri World Gray Canvas)"),
    "satellite": ("Esri.WorldImagery", "Satellite (Esri World Imagery)"),
}
MAP_TILES_DEFAULT = "none"
#: The offline basemap (built by tools/build_basemap.py) and the zooms at which district
#: boundaries, governorate names (from, to) and district names show.
BASEMAP_FILE = DATA_DIR / "basemap" / "basemap.json"
MAP_BASEMAP_DISTRICT_ZOOM = 8
MAP_BASEMAP_GOVERNORATE_LABEL_ZOOM = (6, 8)
MAP_BASEMAP_DISTRICT_LABEL_ZOOM = 9
#: Actor kinds of data/actors.csv -> actor families of data/styles.yaml `actor_icons`.
MAP_ACTOR_FAMILIES = {"state": "state_forces", "rebel": "rebel_groups", "militia": "militias",
                      "external": "external", "civilians": "civilians", "protesters": "civilians",
                      "rioters": "civilians"}
#: A state actor whose name has one of these is drawn as Kurdish forces (styles' kurdish_forces).
MAP_KURDISH_FORCES_WORDS = ("Peshmerga", "Kurdistan Region", "Asayish", "Zeravani")
MAP_DEFAULT_TITLE = "Security events in Iraq's disputed territories"
