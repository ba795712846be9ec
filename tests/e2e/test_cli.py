"""The command line, as a person runs it, against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args, sandbox, token=None, **env):
    from sandbox import DEMO_TOKEN

    e = dict(os.environ, MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
             MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN if token is None else token, **env)
    p = subprocess.run([sys.executable, "-m", "mapillary_retriever", *args], cwd=ROOT, env=e,
                       capture_output=True, text=True, timeout=300)
    p.stderr = _without_environment_noise(p.stderr)
    return p


def _without_environment_noise(text: str) -> str:
    """Drop the venv's RequestsDependencyWarning (urllib3 newer than Debian's requests expects):
    it is the environment talking, not the command."""
    lines = text.splitlines(keepends=True)
    out, skip = [], False
    for line in lines:
        if "RequestsDependencyWarning" in line:
            skip = True
            continue
        if skip and line.startswith("  warnings.warn("):
            skip = False
            continue
        skip = False
        out.append(line)
    return "".join(out)


def core_arg():
    from sandbox import DENSE_CORE

    return ",".join(map(str, DENSE_CORE))


def test_images_geojson(sandbox, tmp_path):
    out = tmp_path / "core.geojson"
    p = run(["images", "--bbox", core_arg(), "-o", str(out)], sandbox)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text())
    from sandbox import DENSE_CORE

    b = DENSE_CORE
    truth = {i.id for i in sandbox.world.images if b[0] <= i.lon <= b[2] and b[1] <= i.lat <= b[3]}
    assert {f["properties"]["id"] for f in doc["features"]} == truth
    props = doc["features"][0]["properties"]
    assert isinstance(props["id"], str) and props["captured_at"].endswith("Z") and "T" in props["captured_at"]
    assert {"sequence_id", "compass_angle", "is_pano", "creator_id"} <= set(props)
    assert f"{len(truth):,} images written" in p.stdout
    assert "tiles:" in p.stderr  # the progress line


def test_both_into_geopackage(sandbox, tmp_path):
    from osgeo import ogr

    from sandbox import CENTER

    out = tmp_path / "both.gpkg"
    p = run(["both", "--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "200", "--fields", "username",
             "-o", str(out)], sandbox)
    assert p.returncode == 0, p.stderr
    ds = ogr.Open(str(out))
    images, seqs = ds.GetLayerByName("images"), ds.GetLayerByName("sequences")
    assert images.GetFeatureCount() > 100 and seqs.GetFeatureCount() > 3
    defn = images.GetLayerDefn()
    assert defn.GetFieldDefn(defn.GetFieldIndex("captured_at")).GetType() == ogr.OFTDateTime
    assert seqs.GetGeomType() == ogr.wkbMultiLineString
    for f in seqs:
        ids = json.loads(f.GetField("image_ids"))
        g = f.GetGeometryRef()
        vertices = sum(g.GetGeometryRef(k).GetPointCount() for k in range(g.GetGeometryCount()))
        assert len(ids) == vertices == f.GetField("image_count")
    assert f.GetField("username")


def test_sequences_geojson_have_ordered_image_ids(sandbox, tmp_path):
    from sandbox import CENTER

    out = tmp_path / "seq.geojson"
    p = run(["sequences", "--closeto", f"{CENTER[0]},{CENTER[1]}", "-o", str(out)], sandbox)
    assert p.returncode == 0, p.stderr
    for feat in json.loads(out.read_text())["features"]:
        ids = feat["properties"]["image_ids"]
        assert feat["geometry"]["type"] == "MultiLineString"
        vertices = [c for line in feat["geometry"]["coordinates"] for c in line]
        assert isinstance(ids, list) and len(ids) == len(vertices)
        order = [i for i in sandbox.world.sequences[feat["id"]] if i in set(ids)]
        assert ids == order
        for (lon, lat), i in zip(vertices, ids):
            assert abs(lon - sandbox.world.by_id[i].lon) < 1e-9 and abs(lat - sandbox.world.by_id[i].lat) < 1e-9


@pytest.mark.parametrize("args,needle", [
    (["images", "--closeto", "49.61,122.3"], "latitude 122.3 is outside -90..90"),
    (["images", "--bbox", "6.2,49.6,6.1,49.7"], "inverted"),
    (["images", "--closeto", "6.1,49.6", "--start-time", "2021-01-01", "--end-time", "2020-01-01"], "not after"),
    (["both", "--closeto", "6.1,49.6"], "--output must end in"),
])
def test_bad_input_is_one_clear_line(sandbox, tmp_path, args, needle):
    ext = ".gpkg" if needle != "--output must end in" else ".txt"
    p = run([*args, "-o", str(tmp_path / ("x" + ext))], sandbox)
    assert p.returncode == 2
    assert needle in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_bad_token_exit_1_and_no_token_echo(sandbox, tmp_path):
    p = run(["images", "--bbox", core_arg(), "-o", str(tmp_path / "x.geojson")], sandbox, token="MLY|1|bad")
    assert p.returncode == 1 and "token" in p.stderr and "Traceback" not in p.stderr
    assert "MLY|1|bad" not in p.stderr + p.stdout
    assert not (tmp_path / "x.geojson").exists()


def test_partial_result_is_written_and_flagged(sandbox, tmp_path):
    from mapillary_retriever.api.geo import tiles_for_bbox
    from sandbox import DENSE_CORE

    bad = tiles_for_bbox(DENSE_CORE)[0]
    sandbox.configure(fail_tiles={bad})
    out = tmp_path / "partial.geojson"
    p = run(["images", "--bbox", core_arg(), "--retries", "1", "-o", str(out)], sandbox)
    assert p.returncode == 3, p.stderr
    assert "INCOMPLETE" in p.stderr and "/".join(map(str, bad)) in p.stderr
    assert json.loads(out.read_text())["features"]


def test_nothing_fetched_never_replaces_existing_output(sandbox, tmp_path):
    from mapillary_retriever.api.geo import tiles_for_bbox
    from sandbox import DENSE_CORE

    out = tmp_path / "mine.geojson"
    out.write_text('{"type": "FeatureCollection", "features": []}')
    sandbox.configure(fail_tiles=set(tiles_for_bbox(DENSE_CORE)))
    p = run(["images", "--bbox", core_arg(), "--retries", "0", "-o", str(out)], sandbox)
    assert p.returncode == 1, p.stderr
    assert "untouched" in p.stderr and out.read_text() == '{"type": "FeatureCollection", "features": []}'
    assert sorted(x.name for x in tmp_path.iterdir()) == ["mine.geojson"]


def test_partial_result_goes_beside_an_existing_geopackage(sandbox, tmp_path):
    from mapillary_retriever.api.geo import tiles_for_bbox
    from sandbox import DENSE_CORE

    out = tmp_path / "mine.gpkg"
    assert run(["images", "--bbox", core_arg(), "-o", str(out)], sandbox).returncode == 0
    before = out.read_bytes()
    sandbox.configure(fail_tiles={tiles_for_bbox(DENSE_CORE)[0]})
    p = run(["images", "--bbox", core_arg(), "--retries", "0", "--no-cache", "-o", str(out)], sandbox)
    assert p.returncode == 3, p.stderr
    beside = tmp_path / "mine.incomplete.gpkg"
    assert out.read_bytes() == before and beside.exists()
    assert f"Your existing {out} is untouched; the incomplete result is in {beside}" in p.stderr


@pytest.mark.parametrize("setup,needle", [
    ("text", "not a GeoPackage"), ("empty", "is empty"), ("folder_with_shapefile", "is a folder"),
    ("missing_folder", "does not exist"),
])
def test_bad_destination_refused_before_any_request(sandbox, tmp_path, setup, needle):
    out = tmp_path / "x.gpkg"
    if setup == "text":
        out.write_text("notes")
    elif setup == "empty":
        out.write_bytes(b"")
    elif setup == "folder_with_shapefile":
        out.mkdir()
        (out / "roads.shp").write_bytes(b"\x00\x00\x27\x0a" + b"\0" * 96)
    else:
        out = tmp_path / "nowhere" / "x.gpkg"
    p = run(["images", "--bbox", core_arg(), "-o", str(out)], sandbox)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr
    assert sandbox.stats["requests"] == 0
    if setup == "folder_with_shapefile":
        assert (out / "roads.shp").exists()


def test_full_disk_exit_1_and_nothing_left(sandbox, tmp_path):
    d = tmp_path / "tiny"
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)], capture_output=True).returncode:
        if os.environ.get("CI"):
            pytest.fail("cannot mount a tmpfs in CI")
        pytest.skip("cannot mount a tmpfs (needs root)")
    try:
        p = run(["images", "--bbox", core_arg(), "-o", str(d / "x.gpkg")], sandbox)
        assert p.returncode == 1 and "disk is full" in p.stderr and "Traceback" not in p.stderr
        assert os.listdir(d) == []
    finally:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)
