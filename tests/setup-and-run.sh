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
python3 -m pip install -q -e ".[test]"
# --- extra test assets (browser tests serve CDN files from these local copies) ---
python3 -m pytest -q "$@"
