"""Tests of the sandbox (the local Mapillary API v4 stand-in) itself."""
from __future__ import annotations

import collections
import http.client
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from sandbox import CENTER, DEMO_TOKEN, DENSE_CORE, FAULT_KINDS, REVOKED_TOKEN, SandboxServer, World, serve
from sandbox.mvt import clip_polyline, render_tile
from sandbox.world import lat_to_units, lon_to_units

ROOT = Path(__file__).resolve().parents[2]  # tests/conftest.py puts it on sys.path

try:
    from osgeo import gdal, ogr
    gdal.UseExceptions()
except ImportError:  # pragma: no cover
    gdal = ogr = None
needs_gdal = pytest.mark.skipif(gdal is None, reason="osgeo (GDAL Python bindings) is not installed")

REALDATA = Path(os.environ.get("MAPILLARY_REALDATA", "/work/shared/realdata"))
ZURICH = REALDATA / "v4/tiles/zurich-2021/14-8574-5735.mvt"
TILE_2025 = REALDATA / "v4/tiles/unplaced-2025/tile.mvt"
QTOKEN = urllib.parse.quote(DEMO_TOKEN, safe="")


# --- fixtures and helpers -----------------------------------------------------------------

@pytest.fixture(scope="session")
def world() -> World:
    return World.cached()


@pytest.fixture(scope="module")
def _server(world: World):
    with serve(world) as s:
        yield s


@pytest.fixture
def sb(_server: SandboxServer) -> SandboxServer:
    """The module's server with default switches and fresh stats."""
    _server.configure(latency=0, fault_rate=0, faults=FAULT_KINDS, fault_targets=(
        "tiles", "search", "entity", "image_ids", "thumb", "other"), slow_seconds=2, retry_after=1,
        fail_tiles=(), dense_limit=12_000, thumb_ttl=3600, seed=0)
    _server.reset_stats()
    return _server


def get(url: str, token: str | None = DEMO_TOKEN, timeout: float = 10):
    """(status, headers, body) of a GET; the token goes in the Authorization header."""
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("GET", u.path + ("?" + u.query if u.query else ""),
                  headers={"Authorization": "OAuth " + token} if token else {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def get_json(url: str, token: str | None = DEMO_TOKEN):
    status, headers, body = get(url, token)
    return status, json.loads(body)


def bbox_q(b) -> str:
    return ",".join(repr(v) for v in b)


def tile_url(sb: SandboxServer, z: int, x: int, y: int, tileset: str = "mly1_public") -> str:
    return f"{sb.url}/maps/vtp/{tileset}/2/{z}/{x}/{y}?access_token={QTOKEN}"


def densest_tile(world: World) -> tuple[int, int]:
    return collections.Counter(im.tile for im in world.images).most_common(1)[0][0]


# --- the world ------------------------------------------------------------------------------------

def test_world_is_deterministic():
    a, b = World.generate(3, 4000), World.generate(3, 4000)
    sig = lambda w: [(i.id, i.gx, i.gy, i.captured_at, i.compass_angle, i.sequence_id,  # noqa: E731
                      i.creator_username, i.computed_altitude) for i in w.images]
    assert sig(a) == sig(b)
    assert list(a.sequences) == list(b.sequences) and a.users == b.users
    assert sig(World.generate(4, 4000)) != sig(a)
    # a fresh process gives the same world too (no dependence on hash randomisation)
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from sandbox import World; "
            "w = World.generate(3, 4000); print(w.images[-1].id, w.images[-1].gx, list(w.sequences)[-1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONHASHSEED="123")).stdout.split()
    last = a.images[-1]
    assert out == [last.id, str(last.gx), list(a.sequences)[-1]]


def test_world_shape(world: World):
    ims = world.images
    assert 59_000 <= len(ims) <= 61_000
    assert len(world.by_id) == len(ims)  # unique ids
    assert all(i.id.isdigit() and 15 <= len(i.id) <= 16 for i in ims)
    assert all(len(s) == 22 and s.replace("-", "").replace("_", "").isalnum() for s in world.sequences)
    assert len(world.users) >= 60 and all(u == u.lower() for u in world.users.values())
    assert all(c.isdigit() and 15 <= len(c) <= 16 for c in world.users)
    assert 3 <= len(world.organizations) <= 10
    assert any(i.organization_id for i in ims) and any(i.organization_id is None for i in ims)
    seqs = world.sequence_info.values()
    pano = sum(s.is_pano for s in seqs) / len(world.sequences)
    assert 0.04 <= pano <= 0.14
    assert all(s.camera_type in ("spherical", "equirectangular") for s in seqs if s.is_pano)
    assert all(s.camera_type in ("perspective", "fisheye") for s in seqs if not s.is_pano)
    no_ca = sum(i.compass_angle is None for i in ims) / len(ims)
    assert 0.005 <= no_ca <= 0.02
    assert all(1388534400000 <= i.captured_at < 1767225600000 for i in ims)
    years = {time.gmtime(i.captured_at / 1000).tm_year for i in ims}
    assert len(years) >= 10
    wrapped = sum(1 for i in ims if (i.computed_altitude or 0) > 2 ** 31)
    assert 0.002 * len(ims) <= wrapped <= 0.01 * len(ims)
    assert all(0 <= i.quality_score <= 1 for i in ims[:2000])
    # sequences: capture order, 1-3 s apart, direction of travel as compass angle
    for sid, ids in list(world.sequences.items())[:50]:
        seq = [world.by_id[i] for i in ids]
        for a, b in zip(seq, seq[1:], strict=False):
            assert 1000 <= b.captured_at - a.captured_at <= 3000
            step = math.hypot(b.gx - a.gx, b.gy - a.gy) * 0.387
            assert step < 25
        assert all(i.sequence_id == sid for i in seq)


def test_dense_core_and_extent(world: World):
    assert len(world.images_in_bbox(DENSE_CORE)) >= 6000
    assert 25 <= len(world.tiles()) <= 40
    b = world.bounds()
    km_x = (b[2] - b[0]) * 111.32 * math.cos(math.radians(CENTER[1]))
    km_y = (b[3] - b[1]) * 111.2
    assert 6 <= km_x <= 11 and 6 <= km_y <= 11


def test_positions_are_on_the_z14_grid(world: World):
    for im in world.images:
        gx, gy = lon_to_units(im.lon), lat_to_units(im.lat)
        assert abs(gx - im.gx) < 1e-4 and abs(gy - im.gy) < 1e-4
        assert 0 <= im.gx - (im.tile[0] << 12) < 4096 and 0 <= im.gy - (im.tile[1] << 12) < 4096
    for im in world.images[:3000]:
        if im.computed_lon is not None:
            cx, cy = im.computed_units
            assert abs(lon_to_units(im.computed_lon) - cx) < 1e-4 and abs(lat_to_units(im.computed_lat) - cy) < 1e-4
            d = math.hypot(cx - im.gx, cy - im.gy) * 0.387
            assert 0.3 <= d <= 3.5


def test_spatial_queries_match_brute_force(world: World):
    rnd = random.Random(1)
    for _ in range(5):
        lon, lat = CENTER[0] + rnd.uniform(-0.03, 0.03), CENTER[1] + rnd.uniform(-0.02, 0.02)
        b = (lon, lat, lon + rnd.uniform(0.001, 0.02), lat + rnd.uniform(0.001, 0.01))
        want = {i.id for i in world.images if b[0] <= i.lon <= b[2] and b[1] <= i.lat <= b[3]}
        assert {i.id for i in world.images_in_bbox(b)} == want
    x, y = densest_tile(world)
    assert {i.id for i in world.tile_images(14, x, y)} == {i.id for i in world.images if i.tile == (x, y)}
    assert len(world.tile_images(13, x >> 1, y >> 1)) == sum(1 for i in world.images
                                                             if (i.gx >> 13, i.gy >> 13) == (x >> 1, y >> 1))


def test_clip_polyline_no_buffer():
    # leaves through the right edge and comes back: two parts, cut exactly at x = 4096
    parts = clip_polyline([(4000, 100), (4200, 100), (4200, 300), (4000, 300)])
    assert parts == [[(4000, 100), (4096, 100)], [(4096, 300), (4000, 300)]]
    assert clip_polyline([(5000, 5000), (6000, 6000)]) == []
    assert clip_polyline([(-10, 2048), (5000, 2048)]) == [[(0, 2048), (4096, 2048)]]


# --- vector tiles (GDAL) ----------------------------------------------------------------------------

def _open_mvt(data: bytes, z: int, x: int, y: int, name: str = "t"):
    path = f"/vsimem/{name}_{z}_{x}_{y}.mvt"
    gdal.FileFromMemBuffer(path, data)
    return gdal.OpenEx(path, gdal.OF_VECTOR, open_options=[f"X={x}", f"Y={y}", f"Z={z}"])


def _schema(ds) -> dict[str, dict[str, tuple[str, int]]]:
    out = {}
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        d = lyr.GetLayerDefn()
        out[lyr.GetName()] = {d.GetFieldDefn(j).GetName(): (d.GetFieldDefn(j).GetTypeName(),
                                                             d.GetFieldDefn(j).GetSubType())
                              for j in range(d.GetFieldCount())}
        out[lyr.GetName()]["<geom>"] = (ogr.GeometryTypeToName(d.GetGeomType()), 0)
    return out


@needs_gdal
@pytest.mark.skipif(not ZURICH.exists(), reason="recorded real tiles not available")
def test_tile_schema_matches_real_tiles(world: World, sb: SandboxServer):
    x, y = densest_tile(world)
    status, headers, data = get(tile_url(sb, 14, x, y), token=None)
    assert status == 200 and headers["content-type"] == "application/x-protobuf"
    ours = _schema(_open_mvt(data, 14, x, y))
    zurich = _schema(gdal.OpenEx(str(ZURICH), gdal.OF_VECTOR, open_options=["X=8574", "Y=5735", "Z=14"]))
    recent = _schema(gdal.OpenEx(str(TILE_2025), gdal.OF_VECTOR, open_options=["X=8574", "Y=5735", "Z=14"]))
    assert set(ours) == set(zurich) == set(recent) == {"image", "sequence"}
    for layer in ("image", "sequence"):
        # the 2021 tile lacks creator_id/organization_id; everything it has is typed alike
        assert {k: v for k, v in ours[layer].items() if k in zurich[layer]} == zurich[layer]
        assert ours[layer] == recent[layer]
    # what GDAL exposes for the image layer: the MVT feature id as mvt_id, the id property as id
    assert ours["image"]["id"] == ("Integer64", 0) and ours["image"]["mvt_id"] == ("Integer64", 0)
    assert ours["image"]["is_pano"] == ("Integer", ogr.OFSTBoolean)
    assert ours["sequence"]["id"] == ("String", 0)


@needs_gdal
def test_image_layer_is_the_tile_truth(world: World, sb: SandboxServer):
    x, y = densest_tile(world)
    t0 = time.perf_counter()
    data = render_tile(world, 14, x, y)
    assert time.perf_counter() - t0 < 3
    ds = _open_mvt(data, 14, x, y)
    lyr = ds.GetLayerByName("image")
    truth = {i.id: i for i in world.tile_images(14, x, y)}
    assert len(truth) >= 6000
    minx, miny, maxx, maxy = _tile_mercator(14, x, y)
    got = {}
    fids = []
    for f in lyr:
        fids.append(f.GetField("mvt_id"))
        g = f.GetGeometryRef()
        # back to integer tile-local coordinates
        lx = (g.GetX() - minx) / (maxx - minx) * 4096
        ly = (maxy - g.GetY()) / (maxy - miny) * 4096
        got[str(f.GetField("id"))] = (round(lx), round(ly), f.GetField("sequence_id"), f.GetField("captured_at"),
                                      f.GetField("compass_angle") if f.IsFieldSet("compass_angle") else None,
                                      bool(f.GetField("is_pano")))
        assert abs(lx - round(lx)) < 1e-3 and abs(ly - round(ly)) < 1e-3
    assert set(got) == set(truth)
    assert len(set(fids)) == len(fids) and fids != sorted(int(i) for i in got)  # running index, not the id
    for iid, v in got.items():
        im = truth[iid]
        assert v[:2] == (im.gx - (x << 12), im.gy - (y << 12))
        assert v[2:4] == (im.sequence_id, im.captured_at) and v[5] == im.is_pano
        assert v[4] == (None if im.compass_angle is None else pytest.approx(im.compass_angle))


def _tile_mercator(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    half = 20037508.342789244
    size = 2 * half / (1 << z)
    return -half + x * size, half - (y + 1) * size, -half + (x + 1) * size, half - y * size


@needs_gdal
def test_sequences_clipped_at_tile_edge_without_buffer(world: World):
    x, y = densest_tile(world)
    data = render_tile(world, 14, x, y)
    ds = _open_mvt(data, 14, x, y, "seq")  # keep the dataset alive while using its layer
    lyr = ds.GetLayerByName("sequence")
    minx, miny, maxx, maxy = _tile_mercator(14, x, y)
    eps = 1e-6 * (maxx - minx)
    multipart = on_edge = 0
    ids = set()
    for f in lyr:
        ids.add(f.GetField("id"))
        g = f.GetGeometryRef()
        assert g.GetGeometryName() == "MULTILINESTRING"
        multipart += g.GetGeometryCount() > 1
        for k in range(g.GetGeometryCount()):
            for px, py in g.GetGeometryRef(k).GetPoints():
                assert minx - eps <= px <= maxx + eps and miny - eps <= py <= maxy + eps
                on_edge += min(abs(px - minx), abs(px - maxx), abs(py - miny), abs(py - maxy)) < eps
    assert multipart > 0 and on_edge > 0
    assert set(world.tile_sequences(x, y)) <= ids
    # the same sequence continues in the neighbouring tile
    crossing = [s for s in world.tile_sequences(x, y) if s in world.tile_sequences(x + 1, y)]
    assert crossing
    ds_right = _open_mvt(render_tile(world, 14, x + 1, y), 14, x + 1, y, "right")
    assert set(crossing) <= {f.GetField("id") for f in ds_right.GetLayerByName("sequence")}


@needs_gdal
def test_other_zooms_and_computed_tiles(world: World, sb: SandboxServer):
    x, y = densest_tile(world)
    ds = _open_mvt(get(tile_url(sb, 14, x, y, "mly1_computed_public"), token=None)[2], 14, x, y, "comp")
    ids = {str(f.GetField("id")) for f in ds.GetLayerByName("image")}
    assert ids == {im.id for _, _, im in world.computed_tile_images(14, x, y)}
    assert ids != {im.id for im in world.tile_images(14, x, y)}  # computed positions cross edges
    ds = _open_mvt(get(tile_url(sb, 10, x >> 4, y >> 4), token=None)[2], 10, x >> 4, y >> 4)
    assert [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())] == ["sequence"]
    assert ds.GetLayer(0).GetFeatureCount() >= len(world.sequences) * 0.5
    ds = _open_mvt(get(tile_url(sb, 4, x >> 10, y >> 10), token=None)[2], 4, x >> 10, y >> 10)
    ov = ds.GetLayerByName("overview")
    assert ov.GetFeatureCount() >= len(world.sequences)
    assert set(_schema(ds)["overview"]) == {"mvt_id", "captured_at", "id", "sequence_id", "is_pano", "<geom>"}
    # an empty tile is a valid empty answer
    status, headers, body = get(tile_url(sb, 14, 100, 100), token=None)
    assert (status, body) == (200, b"")


# --- Graph API quirks ----------------------------------------------------------------------------

def test_search_is_capped_and_truncated_without_paging(world: World, sb: SandboxServer):
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&fields=geometry")
    assert status == 200 and set(d) == {"data"}  # no paging
    assert len(d["data"]) == 2000 < len(world.images_in_bbox(DENSE_CORE))
    # truncation is not spatial: the kept images are spread over the whole box
    lons = sorted(r["geometry"]["coordinates"][0] for r in d["data"])
    w = DENSE_CORE[2] - DENSE_CORE[0]
    assert lons[0] < DENSE_CORE[0] + 0.1 * w and lons[-1] > DENSE_CORE[2] - 0.1 * w
    # stable: the same request gives the same answer
    assert get_json(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}")[1]["data"] == \
        [{"id": r["id"]} for r in d["data"]]
    assert len(get_json(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=10")[1]["data"]) == 10
    assert len(get_json(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=5000")[1]["data"]) == 2000
    # a small box is complete
    b = (CENTER[0] + 0.01, CENTER[1] + 0.005, CENTER[0] + 0.012, CENTER[1] + 0.007)
    assert {r["id"] for r in get_json(f"{sb.url}/images?bbox={bbox_q(b)}")[1]["data"]} == \
        {i.id for i in world.images_in_bbox(b)}


def test_bbox_area_limit(sb: SandboxServer):
    status, d = get_json(f"{sb.url}/images?bbox=6.0,49.5,6.1,49.6")  # exactly 0.01 deg²
    assert status == 400 and d["error"]["code"] == 100 and "0.01" in d["error"]["message"]
    status, d = get_json(f"{sb.url}/images?bbox=6.0,49.5,6.1,49.59")
    assert status == 200


def test_dense_box_fails_while_its_quarters_succeed(world: World, sb: SandboxServer):
    cx, cy = CENTER
    b = (cx - 0.02, cy - 0.02, cx + 0.02, cy + 0.02)  # 0.0016 deg²
    assert len(world.images_in_bbox(b)) > sb.config.dense_limit
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(b)}")
    assert status in (400, 500)
    msg = d["error"]["message"]
    assert "reduce the amount of data" in msg or "Query Timeout" in msg
    assert get_json(f"{sb.url}/images?bbox={bbox_q(b)}") == (status, d) or \
        get_json(f"{sb.url}/images?bbox={bbox_q(b)}")[0] == status  # deterministic (fbtrace differs)
    for q in [(b[0], b[1], cx, cy), (cx, b[1], b[2], cy), (b[0], cy, cx, b[3]), (cx, cy, b[2], b[3])]:
        status, d = get_json(f"{sb.url}/images?bbox={bbox_q(q)}")
        assert status == 200 and len(d["data"]) == 2000
    # both error flavours occur, depending on the box
    seen = set()
    for k in range(12):
        bb = (b[0] + k * 1e-4, b[1], b[2] + k * 1e-4, b[3])
        status, d = get_json(f"{sb.url}/images?bbox={bbox_q(bb)}")
        seen.add((status, d["error"]["code"]))
    assert seen == {(500, 1), (400, -2)}


def test_search_filters(world: World, sb: SandboxServer):
    b = (CENTER[0] - 0.01, CENTER[1] + 0.003, CENTER[0] + 0.004, CENTER[1] + 0.008)
    inside = world.images_in_bbox(b)
    assert 200 < len(inside) < 2000
    base = f"{sb.url}/images?bbox={bbox_q(b)}&fields=captured_at,is_pano,creator,sequence"

    def ids(extra: str) -> set[str]:
        status, d = get_json(base + extra)
        assert status == 200, d
        return {r["id"] for r in d["data"]}

    t = sorted(i.captured_at for i in inside)[len(inside) // 2]
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t // 1000))
    t_s = t // 1000 * 1000
    assert ids(f"&start_captured_at={iso}") == {i.id for i in inside if i.captured_at >= t_s}
    assert ids(f"&end_captured_at={iso}") == {i.id for i in inside if i.captured_at < t_s}
    assert ids("&is_pano=true") == {i.id for i in inside if i.is_pano}
    assert ids("&is_pano=false") == {i.id for i in inside if not i.is_pano}
    user = collections.Counter(i.creator_username for i in inside).most_common(1)[0][0]
    assert ids(f"&creator_username={user}") == {i.id for i in inside if i.creator_username == user}
    org = next(i.organization_id for i in inside if i.organization_id)
    assert ids(f"&organization_id={org}") == {i.id for i in inside if i.organization_id == org}
    seq = inside[0].sequence_id
    assert ids(f"&sequence_id={seq}") == {i.id for i in inside if i.sequence_id == seq}
    # image_ids, without a bbox
    some = [i.id for i in inside[:5]] + ["1234567890123456"]
    status, d = get_json(f"{sb.url}/images?image_ids={','.join(some)}&fields=geometry,sequence")
    assert [r["id"] for r in d["data"]] == some[:5]
    assert d["data"][0]["geometry"] == {"type": "Point", "coordinates": [inside[0].lon, inside[0].lat]}
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(b)}&is_pano=maybe")
    assert status == 400 and d["error"]["code"] == 100


def test_creator_username_paging(world: World, sb: SandboxServer):
    user, n = collections.Counter(i.creator_username for i in world.images).most_common(1)[0]
    assert n > 4000
    url = f"{sb.url}/images?creator_username={user}&fields=captured_at&limit=2000&access_token={QTOKEN}"
    seen, has_token, times = [], [], []
    while url:
        status, d = get_json(url)  # the Authorization header carries the token on every page
        assert status == 200
        seen += [r["id"] for r in d["data"]]
        times += [r["captured_at"] for r in d["data"]]
        url = d["paging"].get("next")
        if url:
            assert url.startswith(sb.url + "/images?")
            has_token.append("access_token=" in url)
    assert len(seen) == len(set(seen)) == n
    assert times == sorted(times, reverse=True)
    assert True in has_token and False in has_token  # paging.next sometimes lacks the token
    # following a token-less next without the header fails with code 190
    status, d = get_json(f"{sb.url}/images?creator_username={user}&limit=3", token=None)
    assert status == 400 and d["error"]["code"] == 190
    status, d = get_json(f"{sb.url}/images?creator_username={user}&limit=3&access_token={QTOKEN}", token=None)
    nxt = d["paging"]["next"]
    status, d2 = get_json(nxt, token=None)
    assert "access_token" in nxt and status == 200
    assert "access_token" not in d2["paging"]["next"]
    assert get_json(d2["paging"]["next"], token=None)[1]["error"]["code"] == 190


def test_entities_and_image_ids(world: World, sb: SandboxServer):
    im = next(i for i in world.images if i.has_computed and i.compass_angle is not None)
    fields = ("geometry,computed_geometry,captured_at,compass_angle,computed_compass_angle,sequence,creator,"
              "make,model,camera_type,is_pano,width,height,altitude,computed_altitude,quality_score,"
              "exif_orientation,thumb_256_url,thumb_1024_url,thumb_2048_url,thumb_original_url")
    status, d = get_json(f"{sb.url}/{im.id}?fields={fields}")
    assert status == 200
    assert d["id"] == im.id and d["sequence"] == im.sequence_id and d["captured_at"] == im.captured_at
    assert d["creator"] == {"id": im.creator_id, "username": im.creator_username}
    assert d["geometry"]["coordinates"] == [im.lon, im.lat]
    assert d["computed_geometry"]["coordinates"] == [im.computed_lon, im.computed_lat]
    assert "oe=" in d["thumb_256_url"] and d["thumb_256_url"].startswith(sb.url)
    assert set(d) == set(fields.split(",")) | {"id"}
    assert get_json(f"{sb.url}/{im.id}")[1] == {"id": im.id}
    uid = im.creator_id
    assert get_json(f"{sb.url}/{uid}?fields=username,id")[1] == {"username": im.creator_username, "id": uid}
    org = next(iter(world.organizations.values()))
    assert get_json(f"{sb.url}/{org.id}?fields=slug,name")[1] == {"slug": org.slug, "name": org.name, "id": org.id}
    status, d = get_json(f"{sb.url}/1234567890123456?fields=id")
    assert status == 400
    e = d["error"]
    assert (e["code"], e["error_subcode"], e["type"]) == (100, 33, "GraphMethodException")
    assert "1234567890123456" in e["message"] and e["fbtrace_id"]
    status, d = get_json(f"{sb.url}/{im.id}?fields=nonsense")
    assert status == 400 and d["error"]["code"] == 100
    sid = max(world.sequences, key=lambda s: len(world.sequences[s]))
    status, d = get_json(f"{sb.url}/image_ids?sequence_id={sid}")
    assert status == 200 and set(d) == {"data"} and [r["id"] for r in d["data"]] == world.sequences[sid]


def test_auth_errors(sb: SandboxServer):
    cases = [(None, 400), ("not-a-token", 401), ("MLY|123|abc", 401), (REVOKED_TOKEN, 500)]
    for token, want in cases:
        for url in (f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1", f"{sb.url}/{next(iter(sb.world.users))}"):
            status, d = get_json(url, token=token)
            assert (status, d["error"]["code"]) == (want, 190), (token, url)
            assert {"message", "type", "code", "fbtrace_id"} <= set(d["error"])
    # access_token in the query works for the Graph API too
    status, _ = get_json(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1&access_token={QTOKEN}", token=None)
    assert status == 200
    # tiles take the token only as access_token=
    assert get(f"{sb.url}/maps/vtp/mly1_public/2/14/8470/5584")[0] == 400
    assert get(f"{sb.url}/maps/vtp/mly1_public/2/14/8470/5584?access_token=x", token=None)[0] == 401
    revoked = urllib.parse.quote(REVOKED_TOKEN, safe="")
    status, _, body = get(f"{sb.url}/maps/vtp/mly1_public/2/14/8470/5584?access_token={revoked}", token=None)
    assert status == 500 and json.loads(body)["error"]["code"] == 190


def test_thumbnails_expire(world: World, sb: SandboxServer):
    im = world.images[123]
    url = get_json(f"{sb.url}/{im.id}?fields=thumb_256_url")[1]["thumb_256_url"]
    status, headers, body = get(url, token=None)
    assert status == 200 and body.startswith(b"\xff\xd8") and body.endswith(b"\xff\xd9") \
        and headers["content-type"] == "image/jpeg"
    assert get(url.replace("oh=00_", "oh=00_f"), token=None)[0] == 403
    sb.configure(thumb_ttl=-5)
    expired = get_json(f"{sb.url}/{im.id}?fields=thumb_1024_url")[1]["thumb_1024_url"]
    status, _, body = get(expired, token=None)
    assert status == 403 and b"expired" in body


# --- fault injection ------------------------------------------------------------------------------

def test_each_fault_kind(sb: SandboxServer):
    url = f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&fields=geometry"
    sb.configure(fault_rate=1.0, faults=["5xx"])
    for _ in range(6):
        status, headers, body = get(url)
        assert status == 503 and (body == b"" or b"<html" in body)
    sb.configure(faults=["code1"])
    status, d = get_json(url)
    assert (status, d["error"]["code"], d["error"]["message"]) == (500, 1, "An unknown error occurred")
    sb.configure(faults=["code2"])
    status, d = get_json(url)
    assert (status, d["error"]["code"], d["error"]["is_transient"]) == (500, 2, True)
    sb.configure(faults=["ratelimit"], retry_after=0)
    statuses = set()
    for _ in range(12):
        status, headers, body = get(url)
        statuses.add(status)
        assert json.loads(body)["error"]["code"] == 4 and headers["retry-after"] == "0"
    assert statuses == {429, 400}
    sb.configure(retry_after=0.25)
    assert get(url)[1]["retry-after"] == "0.25"
    sb.configure(faults=["cut"])
    with pytest.raises(http.client.IncompleteRead):
        get(url)
    sb.configure(faults=["drop"])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(url)
    sb.configure(faults=["slow"], slow_seconds=0.3)
    t0 = time.perf_counter()
    assert get(url)[0] == 200 and time.perf_counter() - t0 >= 0.3
    assert sb.stats["faults"] == 6 + 1 + 1 + 12 + 1 + 1 + 1 + 1
    # faults hit tiles and thumbnails too
    sb.configure(faults=["code2"])
    assert get(tile_url(sb, 14, 8470, 5584), token=None)[0] == 500


def test_no_faults_at_rate_zero_and_retries_succeed(sb: SandboxServer):
    url = f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=5"
    for _ in range(30):
        assert get(url)[0] == 200
    assert sb.stats["faults"] == 0
    sb.configure(fault_rate=0.5, faults=["code2", "5xx"], seed=42)
    statuses = [get(url)[0] for _ in range(40)]
    assert 200 in statuses and (500 in statuses or 503 in statuses)  # the same URL fails and succeeds
    sb.configure(fault_rate=0.0)
    assert get(url)[0] == 200


def test_fail_tiles_and_latency(sb: SandboxServer):
    sb.configure(fail_tiles={(14, 8470, 5584)}, latency=0.1)
    status, _, body = get(tile_url(sb, 14, 8470, 5584), token=None)
    assert status == 500 and json.loads(body)["error"]["code"] == 2
    t0 = time.perf_counter()
    assert get(tile_url(sb, 14, 8471, 5584), token=None)[0] == 200
    assert time.perf_counter() - t0 >= 0.1


def test_stats_count_and_redact(sb: SandboxServer):
    get(tile_url(sb, 14, 8470, 5584), token=None)
    get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1&access_token={QTOKEN}")
    get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1&access_token={DEMO_TOKEN}")
    get(f"{sb.url}/{sb.world.images[0].id}")
    get(f"{sb.url}/image_ids?sequence_id={sb.world.images[0].sequence_id}")
    get(f"{sb.url}/images?bbox=1,2", token=REVOKED_TOKEN)
    s = sb.stats.snapshot()
    assert (s["tiles"], s["search"], s["entity"], s["image_ids"], s["requests"]) == (1, 3, 1, 1, 6)
    assert s["errors"] == 1 and s["faults"] == 0
    log = "\n".join(sb.stats.paths) + repr(sb.stats.log)
    for secret in (DEMO_TOKEN, QTOKEN, DEMO_TOKEN.split("|")[2], REVOKED_TOKEN.split("|")[2]):
        assert secret not in log
    assert "\n".join(sb.stats.paths).count("access_token=***") == 3
    sb.reset_stats()
    assert sb.stats["requests"] == 0 and sb.stats.paths == []


def test_command_line(tmp_path: Path):
    ready = tmp_path / "ready"
    p = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--images", "3000",
                          "--ready-file", str(ready)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        deadline = time.time() + 10
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        url = ready.read_text().strip()
        assert url.startswith("http://127.0.0.1:") and url in line and DEMO_TOKEN in line
        assert get(f"{url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1")[0] == 200
        p.send_signal(signal.SIGTERM)
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
