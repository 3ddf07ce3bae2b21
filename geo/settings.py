"""Every tunable of the package in one place: folders, CRSs, limits and scores.

Nothing else in the package hides a constant; tests and notebooks may change these at run time.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The project checkout's root (the package is installed editable, next to data/ and seeds/).
PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Reviewed data files: gazetteer, zones, actors, event rules, styles.
DATA_DIR = Path(os.environ.get("GEO_DATA_DIR", PROJECT_DIR / "data"))
PLACES_DIR = DATA_DIR / "places"
ZONES_DIR = DATA_DIR / "zones"
STYLES_FILE = DATA_DIR / "styles.yaml"

#: Seed reports and where maps go by default.
SEEDS_DIR = PROJECT_DIR / "seeds"
MAPS_DIR = PROJECT_DIR / "maps"

#: The user's own places (same format as data/places/*.csv), merged over the built-in ones.
#: Several files may be given, separated by os.pathsep.
USER_PLACES_ENV = "GEO_PLACES"

#: Where `geo gazetteer import-geonames` and the online fallback keep their caches.
CACHE_DIR = Path(os.environ.get("GEO_CACHE_DIR", Path.home() / ".cache" / "geo-disputed"))
GEONAMES_CACHE_FILE = "geonames-places.csv"
ONLINE_CACHE_FILE = "online-geocoder-cache.json"

#: Coordinate reference systems: WGS84 for everything stored and shown,
#: UTM 38N for every distance, buffer and area.
CRS_WGS84 = "EPSG:4326"
CRS_METRIC = "EPSG:32638"

#: Iraq's bounding box (lon_min, lat_min, lon_max, lat_max), a little generous.
IRAQ_BBOX = (38.7, 29.0, 48.8, 37.5)

#: Resolver limits and scores.
MAX_NAME_CHARS = 200
DEFAULT_LIMIT = 5
FUZZY_MIN_RATIO = 82.0  # rapidfuzz ratio (0..100) below which a fuzzy candidate is dropped
SCORE_EXACT = 1.0
SCORE_ALIAS = 0.97
SCORE_NORMALIZED = 0.93
SCORE_FUZZY_MAX = 0.85  # a perfect fuzzy ratio maps here; worse ratios fall below it

#: Earth radius for great-circle distances in km.
EARTH_RADIUS_KM = 6371.0088
