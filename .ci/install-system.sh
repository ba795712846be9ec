#!/usr/bin/env bash
# Installs QGIS 3.40 LTR (bookworm-backports), Xvfb and friends (lrelease: qttools5-dev-tools). Idempotent.
set -euo pipefail
if [ -x /usr/bin/qgis_process.bin ] && /usr/bin/python3 -c "import qgis.core, osgeo" 2>/dev/null \
   && command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v import >/dev/null \
   && command -v exiftool >/dev/null && command -v tinyproxy >/dev/null && [ -x /usr/lib/postgresql/15/bin/initdb ] \
   && [ -x /usr/lib/qt5/bin/lrelease ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q bookworm-backports "$src"; then
  # add backports to the first Suites: line (the main mirror)
  $SUDO sed -i '0,/^Suites: bookworm bookworm-updates$/s//Suites: bookworm bookworm-updates bookworm-backports/' "$src"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -t bookworm-backports qgis python3-qgis qgis-providers >/dev/null
$SUDO apt-get install -y -qq xvfb xdotool imagemagick python3-venv python3-pip gdal-bin libimage-exiftool-perl tinyproxy \
  postgresql-15 postgresql-15-postgis-3 qttools5-dev-tools >/dev/null
