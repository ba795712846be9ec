"""The algorithms headless, through the real qgis_process, as the README tells people to run them:
a fresh QGIS profile with the plugin enabled, the plugin found through QGIS_PLUGINPATH."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option 3.40 rejects

pytestmark = pytest.mark.skipif(not os.access(QGIS_PROCESS, os.X_OK), reason=f"{QGIS_PROCESS} is not installed")


def qgis_process(sandbox, profile: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess:
    from sandbox import DEMO_TOKEN

    ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    if not ini.exists():
        ini.parent.mkdir(parents=True)
        ini.write_text("[PythonPlugins]\nmapillary_retriever=true\n")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile), QGIS_PLUGINPATH=str(ROOT), QT_QPA_PLATFORM="offscreen",
               MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
               MAPILLARY_ACCESS_TOKEN=token or DEMO_TOKEN)
    env.pop("QGIS_OPTIONS_PATH", None)  # set by pytest-qgis for this process's own profile
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True, timeout=120)


def haversine(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_searchimages_and_imagesforfeatures_through_qgis_process(sandbox, tmp_path):
    from osgeo import ogr

    from sandbox import CENTER, DEMO_TOKEN

    lon, lat = CENTER
    gpkg = tmp_path / "run.gpkg"
    p = qgis_process(sandbox, tmp_path / "profile", "run", "mapillary:searchimages", "--json", "--",
                     f"POINT={lon},{lat} [EPSG:4326]", "RADIUS=80", "START_TIME=2020-01-01",
                     f"OUTPUT=ogr:dbname='{gpkg}' table=\"images\" (geom)")
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    doc = json.loads(p.stdout)
    truth = {i.id for i in sandbox.world.images
             if haversine(lon, lat, i.lon, i.lat) <= 80 and i.captured_at >= 1577836800000}
    assert doc["results"]["COUNT"] == len(truth) > 100 and doc["results"]["COMPLETE"] is True
    ds = ogr.Open(str(gpkg))  # keep the data source alive while its layer is read
    assert {f.GetField("id") for f in ds.GetLayerByName("images")} == truth
    ds = None
    assert DEMO_TOKEN not in p.stdout + p.stderr and DEMO_TOKEN.split("|")[2] not in p.stdout + p.stderr

    # a second algorithm, fed a GeoJSON file, written as another layer of the same GeoPackage
    assets = tmp_path / "assets.geojson"
    assets.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"asset": "lamp-1"}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    ]}))
    p = qgis_process(sandbox, tmp_path / "profile", "run", "mapillary:imagesforfeatures", "--json", "--",
                     f"INPUT={assets}", "ID_FIELD=asset", "DISTANCE=20", "NEAREST=3", "LOOKING_AT=true",
                     f"OUTPUT=ogr:dbname='{gpkg}' table=\"lamps\" (geom)")
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert json.loads(p.stdout)["results"]["COUNT"] == 3
    ds = ogr.Open(str(gpkg))
    lamps = ds.GetLayerByName("lamps")
    assert ds.GetLayerByName("images").GetFeatureCount() == len(truth)  # the first layer is kept
    assert [f.GetField("rank") for f in lamps] == [1, 2, 3]
    assert {f.GetField("asset") for f in lamps} == {"lamp-1"}


def test_a_bad_token_fails_with_the_engine_message(sandbox, tmp_path):
    bad = "MLY|123|nope"
    p = qgis_process(sandbox, tmp_path / "profile", "run", "mapillary:searchsequences", "--",
                     "POINT=6.13,49.61", "RADIUS=50", f"OUTPUT={tmp_path / 'x.geojson'}", token=bad)
    assert p.returncode != 0
    assert "refused the access token" in p.stdout + p.stderr
    assert bad not in p.stdout + p.stderr
