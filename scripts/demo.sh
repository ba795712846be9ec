#!/usr/bin/env bash
# make demo: start the local sandbox (a Mapillary v4 stand-in), run mapillary:searchimages and
# mapillary:searchsequences through qgis_process around a point of its world into one GeoPackage,
# render the styled result to a PNG map, and say what was found. No internet needed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=/usr/bin/python3
QGIS_PROCESS=/usr/bin/qgis_process.bin  # Debian's qgis_process wrapper passes an option 3.40 rejects
RADIUS="${RADIUS:-300}"                   # metres
OUT="$ROOT/out"
GPKG="$OUT/demo.gpkg"
PNG="$OUT/demo.png"
PROFILE="$OUT/qgis-profile"

mkdir -p "$OUT"
rm -f "$GPKG" "$PNG" "$OUT/sandbox.url" "$OUT"/search*.json

# 1. the sandbox, on a free port, in the background; stopped whatever happens next
# (its banner names the sandbox's token: not kept, only errors go to the log)
"$PY" -m sandbox --port 0 --ready-file "$OUT/sandbox.url" >/dev/null 2>"$OUT/sandbox.log" &
SANDBOX_PID=$!
stop_sandbox() {
  kill "$SANDBOX_PID" 2>/dev/null || true
  wait "$SANDBOX_PID" 2>/dev/null || true
}
trap stop_sandbox EXIT
for _ in $(seq 150); do
  [ -s "$OUT/sandbox.url" ] && break
  if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
    echo "demo: the sandbox did not start:" >&2
    cat "$OUT/sandbox.log" >&2
    exit 1
  fi
  sleep 0.2
done
[ -s "$OUT/sandbox.url" ] || { echo "demo: the sandbox did not start within 30 s" >&2; exit 1; }
URL="$(cat "$OUT/sandbox.url")"
read -r LON LAT < <("$PY" -c 'from sandbox import CENTER; print(*CENTER)')
echo "Sandbox Mapillary listening at $URL; searching $RADIUS m around $LAT N, $LON E."

# 2. qgis_process with a fresh profile of its own, where the plugin (found via QGIS_PLUGINPATH) is enabled
rm -rf "$PROFILE"
mkdir -p "$PROFILE/profiles/default/QGIS"
printf '[PythonPlugins]\nmapillary_retriever=true\n' >"$PROFILE/profiles/default/QGIS/QGIS3.ini"
export QGIS_CUSTOM_CONFIG_PATH="$PROFILE" QGIS_PLUGINPATH="$ROOT" QT_QPA_PLATFORM=offscreen
export MAPILLARY_GRAPH_URL="$URL" MAPILLARY_TILES_URL="$URL"
MAPILLARY_ACCESS_TOKEN="$("$PY" -c 'from sandbox import DEMO_TOKEN; print(DEMO_TOKEN)')"
export MAPILLARY_ACCESS_TOKEN  # the sandbox's token, never printed
export PYTHONWARNINGS="ignore::ResourceWarning" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

for what in images sequences; do
  echo "qgis_process run mapillary:search$what …"
  if ! "$QGIS_PROCESS" run "mapillary:search$what" --json -- \
      POINT="$LON,$LAT [EPSG:4326]" RADIUS="$RADIUS" \
      OUTPUT="ogr:dbname='$GPKG' table=\"$what\" (geom)" \
      >"$OUT/search$what.json" 2>"$OUT/search$what.log"; then
    echo "demo: mapillary:search$what failed:" >&2
    tail -n 20 "$OUT/search$what.log" >&2
    exit 1
  fi
done

# 3. what was found (the algorithms' outputs COUNT and COMPLETE, from qgis_process's JSON)
read -r IMAGES SEQUENCES COMPLETE < <("$PY" - "$OUT" <<'EOF'
import json, sys
r = {w: json.load(open(f"{sys.argv[1]}/search{w}.json"))["results"] for w in ("images", "sequences")}
print(f'{int(r["images"]["COUNT"]):,} {int(r["sequences"]["COUNT"]):,}',
      "yes" if r["images"]["COMPLETE"] and r["sequences"]["COMPLETE"] else "NO")
EOF
)
SUBTITLE="$IMAGES images and $SEQUENCES sequences within $RADIUS m of $LAT N, $LON E (a v4 Graph API box search stops at 2,000)"

# 4. the map
"$PY" scripts/render_demo.py --gpkg "$GPKG" --png "$PNG" --center "$LON,$LAT" --radius "$RADIUS" \
  --subtitle "$SUBTITLE" 2>"$OUT/render.log" || { cat "$OUT/render.log" >&2; exit 1; }

echo
echo "Found $IMAGES images and $SEQUENCES sequences within $RADIUS m (complete: $COMPLETE)."
echo "  GeoPackage: $GPKG (layers images, sequences)"
echo "  Map:        $PNG"
echo "  Logs:       $OUT/search{images,sequences}.{json,log}, $OUT/render.log"
