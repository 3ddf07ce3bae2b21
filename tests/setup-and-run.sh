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
# --- extra test assets (browser tests serve CDN files from these local copies) ---
# Map assets (geo/_assets.py): the npm packages of the versions folium's CDN URLs name, unpacked
# under $GEO_ASSETS_DIR/node_modules (default ~/.cache/geo-disputed/assets), for
# `geo map --self-contained` and tests/test_browser.py.
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
fi
GEO_ASSETS="$(python3 -c 'from geo import settings; print(settings.ASSETS_DIR)')"
for pkg in $(python3 -c 'from geo import settings; print(" ".join(settings.ASSET_NPM_PACKAGES))'); do
    name="${pkg%@*}"
    dest="$GEO_ASSETS/node_modules/$name"
    if [ "$(cat "$dest/.geo-package" 2>/dev/null)" != "$pkg" ]; then
        rm -rf "$dest" && mkdir -p "$dest" "$GEO_ASSETS/tgz"
        tgz="$(cd "$GEO_ASSETS/tgz" && npm pack --silent "$pkg" | tail -n 1)"
        tar --warning=no-unknown-keyword -xzf "$GEO_ASSETS/tgz/$tgz" -C "$dest" --strip-components=1
        echo "$pkg" > "$dest/.geo-package"
    fi
done
python3 -m pytest -q "$@"
