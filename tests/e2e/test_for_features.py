"""``python3 -m mapillary_retriever for-features`` as a person runs it, against the sandbox: points and a line
in a projected CRS, the truth computed here from the sandbox's world (this file's own formulas)."""

from __future__ import annotations

import json
import math

import pytest
from test_cli import run
from truth import azimuth, dist, off

LON0, LAT0 = 6.1300, 49.6100  # sandbox CENTER


POINTS = {"p1": (LON0, LAT0), "p2": (LON0 + 0.0012, LAT0 + 0.0004), "p3": (LON0 - 0.0015, LAT0 - 0.0006)}
LINE = [(LON0 - 0.001, LAT0 + 0.001), (LON0 + 0.001, LAT0 + 0.0012)]


def mercator(lon, lat):
    x = math.radians(lon) * 6378137.0
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
    return [round(x, 3), round(y, 3)]


def write_features(path, crs3857: bool = True) -> None:
    """3 points and a line near the sandbox's centre, as GeoJSON in EPSG:3857 (or WGS84)."""
    xy = mercator if crs3857 else (lambda lon, lat: [lon, lat])
    feats = [{"type": "Feature", "properties": {"name": k},
              "geometry": {"type": "Point", "coordinates": xy(*p)}} for k, p in POINTS.items()]
    feats.append({"type": "Feature", "properties": {"name": "line"},
                  "geometry": {"type": "LineString", "coordinates": [xy(*p) for p in LINE]}})
    doc = {"type": "FeatureCollection", "features": feats}
    if crs3857:
        doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    path.write_text(json.dumps(doc))


def point_truth(world, distance, nearest, looking=False, tolerance=50.0):
    out = {}
    for key, (lon, lat) in POINTS.items():
        rows = []
        for i in world.images:
            d = dist(i.lon, i.lat, lon, lat)
            if d > distance:
                continue
            if looking and not i.is_pano and (i.compass_angle is None
                                              or off(azimuth(i.lon, i.lat, lon, lat), i.compass_angle) > tolerance):
                continue
            rows.append((d, i.id))
        rows.sort()
        out[key] = [(iid, rank, d) for rank, (d, iid) in enumerate(rows[:nearest], 1)]
    return out


@pytest.mark.parametrize("looking", [False, True])
def test_points_and_a_line_in_3857(sandbox, tmp_path, looking):
    src, out = tmp_path / "assets.geojson", tmp_path / "out.geojson"
    write_features(src)
    args = ["for-features", str(src), "--distance", "40", "--nearest", "3", "--id-field", "name", "-q",
            "-o", str(out)]
    if looking:
        args.append("--looking-at")
    p = run(args, sandbox)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    rows = [f["properties"] | {"xy": f["geometry"]["coordinates"]} for f in json.loads(out.read_text())["features"]]
    by = {}
    for r in rows:
        by.setdefault(r["feature_id"], []).append(r)
    truth = point_truth(sandbox.world, 40, 3, looking)
    for key, expected in truth.items():
        got = sorted(by.get(key, []), key=lambda r: r["rank"])
        assert [(r["id"], r["rank"]) for r in got] == [(i, k) for i, k, _ in expected], key
        for r, (_, _, d) in zip(got, expected):
            assert abs(r["distance_m"] - d) < 0.05
            lon, lat = POINTS[key]
            if r["bearing"] is not None:
                assert off(r["bearing"], azimuth(r["xy"][0], r["xy"][1], lon, lat)) < 0.05
    assert any(len(v) for v in truth.values())
    # the line: at most 3 images, each within 40 m of some point of the line, ranks 1..n
    line = sorted(by.get("line", []), key=lambda r: r["rank"])
    assert [r["rank"] for r in line] == list(range(1, len(line) + 1)) and len(line) <= 3
    samples = [(LINE[0][0] + (LINE[1][0] - LINE[0][0]) * t / 200, LINE[0][1] + (LINE[1][1] - LINE[0][1]) * t / 200)
               for t in range(201)]
    for r in line:
        near = min(dist(r["xy"][0], r["xy"][1], x, y) for x, y in samples)
        assert abs(near - r["distance_m"]) < 0.5 and r["distance_m"] <= 40
    assert [r["distance_m"] for r in line] == sorted(r["distance_m"] for r in line)
    assert set(by) <= {"p1", "p2", "p3", "line"} and "line" in by
    # the image's columns are there too
    assert {"id", "sequence_id", "captured_at", "compass_angle", "is_pano", "feature_id", "rank", "distance_m",
            "bearing"} <= set(rows[0])


def test_fid_is_the_default_key_and_gpkg_output(sandbox, tmp_path):
    from osgeo import ogr

    src, out = tmp_path / "assets.geojson", tmp_path / "out.gpkg"
    write_features(src, crs3857=False)
    p = run(["for-features", str(src), "--nearest", "1", "--fields", "make", "-q", "-o", str(out)], sandbox)
    assert p.returncode == 0, p.stderr
    ds = ogr.Open(str(out))
    lyr = ds.GetLayer(0)
    rows = [(f.GetField("feature_id"), f.GetField("rank"), f.GetField("make")) for f in lyr]
    assert {r[0] for r in rows} <= {0, 1, 2, 3} and all(r[1] == 1 for r in rows) and len(rows) >= 3
    assert lyr.GetLayerDefn().GetFieldDefn(lyr.GetLayerDefn().GetFieldIndex("feature_id")).GetType() \
        in (ogr.OFTInteger, ogr.OFTInteger64)
    assert all(r[2] for r in rows)  # extra fields fetched for the chosen images


@pytest.mark.parametrize("args,needle", [
    (["missing.geojson"], "no such file"),
    (["{src}", "--newer-than", "2020-13-45"], "newer"),
    (["{src}", "--id-field", "nope"], "no field 'nope'"),
    (["{src}", "--input-layer", "nope"], "no layer 'nope'"),
    (["{src}", "--nearest", "0"], "--nearest"),
    (["{src}", "--distance", "-5"], "--distance"),
    (["{text}"], "not a vector file"),
])
def test_bad_input_exits_2(sandbox, tmp_path, args, needle):
    src, text = tmp_path / "assets.geojson", tmp_path / "notes.txt"
    write_features(src)
    text.write_text("hello")
    args = [a.format(src=src, text=text) for a in args]
    p = run(["for-features", *args, "-q", "-o", str(tmp_path / "out.geojson")], sandbox)
    assert p.returncode == 2, p.stderr
    assert needle.lower() in p.stderr.lower() and "Traceback" not in p.stderr
    assert sandbox.stats["requests"] == 0 and not (tmp_path / "out.geojson").exists()


def test_refused_token_exits_1_and_writes_nothing(sandbox, tmp_path):
    from sandbox import REVOKED_TOKEN

    src, out = tmp_path / "assets.geojson", tmp_path / "out.geojson"
    write_features(src)
    p = run(["for-features", str(src), "--no-cache", "-q", "-o", str(out)], sandbox, token=REVOKED_TOKEN)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr and not out.exists() and REVOKED_TOKEN not in p.stderr


def test_missing_tiles_write_what_was_found_and_exit_3(sandbox, tmp_path):
    from sandbox import lonlat_to_tile

    src, out = tmp_path / "assets.geojson", tmp_path / "out.geojson"
    write_features(src)
    x, y = lonlat_to_tile(LON0 + 0.02, LAT0, 14)  # far from the points: only a big distance reaches it
    sandbox.configure(fail_tiles=[(14, x, y)])
    p = run(["for-features", str(src), "--distance", "2000", "--retries", "0", "--no-cache", "-q", "-o", str(out)],
            sandbox)
    assert p.returncode == 3, p.stderr
    assert "INCOMPLETE" in p.stderr and "Traceback" not in p.stderr
    assert json.loads(out.read_text())["features"]  # what was found is written


def test_help_lists_the_options(sandbox):
    p = run(["for-features", "--help"], sandbox)
    assert p.returncode == 0
    for opt in ("--distance", "--nearest", "--looking-at", "--tolerance", "--newer-than", "--pano", "--fields"):
        assert opt in p.stdout
    p = run(["--help"], sandbox)
    assert "for-features" in p.stdout
