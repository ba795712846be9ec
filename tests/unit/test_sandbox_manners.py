"""The sandbox's switches for the real service's manners and for hostile answers (all off by default)."""
from __future__ import annotations

import gzip
import http.client
import json
import socket
import time
import urllib.parse

import pytest

from sandbox import CENTER, DEMO_TOKEN, DENSE_CORE, FAULT_KINDS, SandboxServer, World, serve
from sandbox.mvt import BAD_TILE_IDS
from sandbox.server import ALL_FAULT_KINDS, BAD_GRAPH_IDS, REAL_FAULT_KINDS, SURVIVABLE_FAULT_KINDS, TOO_MUCH, Config
from sandbox.world import FAR_USERNAME, lonlat_to_tile

try:
    from osgeo import gdal
    gdal.UseExceptions()
except ImportError:  # pragma: no cover
    gdal = None
needs_gdal = pytest.mark.skipif(gdal is None, reason="osgeo (GDAL Python bindings) is not installed")

QTOKEN = urllib.parse.quote(DEMO_TOKEN, safe="")
OTHER_TOKEN = "MLY|7777777777|0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def world() -> World:
    return World.cached()


@pytest.fixture(scope="module")
def _server(world: World):
    with serve(world) as s:
        yield s


@pytest.fixture
def sb(_server: SandboxServer) -> SandboxServer:
    """The module's server with every switch at its default and fresh stats."""
    _server.config = Config()
    _server.configure(seed=0)
    _server.clock = time.time
    _server.reset_stats()
    return _server


def get(url: str, token: str | None = DEMO_TOKEN, timeout: float = 10):
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


def tile_url(sb: SandboxServer, z: int, x: int, y: int, token: str = DEMO_TOKEN) -> str:
    return f"{sb.url}/maps/vtp/mly1_public/2/{z}/{x}/{y}?access_token={urllib.parse.quote(token, safe='')}"


def raw_request(sb: SandboxServer, path: str, timeout: float) -> socket.socket:
    s = socket.create_connection((sb.host, sb.port), timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: OAuth {DEMO_TOKEN}\r\n\r\n".encode())
    return s


def small_box(n_min: int, n_max: int, world: World) -> tuple[float, float, float, float]:
    """A box around CENTER holding between n_min and n_max images."""
    for k in range(1, 400):
        d = 0.00005 * k
        b = (CENTER[0] - d, CENTER[1] - d * 0.66, CENTER[0] + d, CENTER[1] + d * 0.66)
        n = len(world.images_in_bbox(b))
        if n_min < n < n_max:
            return b
    raise AssertionError("no such box")


# --- error style, fault kinds ------------------------------------------------------------------

def test_graph_error_style(sb: SandboxServer, world: World):
    url = f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=5"
    sb.configure(error_style="graph", fault_rate=1.0, faults=["code1"])
    status, d = get_json(url)
    e = d["error"]
    assert (status, e["code"], e["type"], e["message"]) == (500, 1, "OAuthException", TOO_MUCH) and e["fbtrace_id"]
    sb.configure(faults=["code2"])
    status, d = get_json(url)
    assert (status, d["error"]["code"], d["error"]["type"], d["error"]["is_transient"]) == \
        (500, 2, "OAuthException", True)
    sb.configure(faults=["ratelimit"])
    for _ in range(6):  # HTTP 400 always, never a Retry-After
        status, headers, body = get(url)
        e = json.loads(body)["error"]
        assert (status, e["code"], e["type"], e["is_transient"]) == (400, 4, "OAuthException", True)
        assert "retry-after" not in headers
    sb.configure(fault_rate=0)
    status, d = get_json(f"{sb.url}/images?bbox=6.0,49.5,6.1,49.6")  # the 0.01 deg² refusal
    assert (status, d["error"]["code"], d["error"]["type"]) == (400, 100, "OAuthException")
    assert d["error"]["message"].startswith("(#100) ")
    cx, cy = CENTER
    for k in range(6):  # dense boxes: always code 1 (no "Query Timeout")
        b = (cx - 0.02 + k * 1e-4, cy - 0.02, cx + 0.02 + k * 1e-4, cy + 0.02)
        status, d = get_json(f"{sb.url}/images?bbox={bbox_q(b)}")
        assert (status, d["error"]["code"], d["error"]["message"]) == (500, 1, TOO_MUCH)
    # unknown ids keep their GraphMethodException/subcode 33; the default style is unchanged
    status, d = get_json(f"{sb.url}/1234567890123456")
    assert (status, d["error"]["type"], d["error"]["error_subcode"]) == (400, "GraphMethodException", 33)
    sb.configure(error_style="mapillary", fault_rate=1.0, faults=["code1"])
    status, d = get_json(url)
    assert (status, d["error"]["type"], d["error"]["message"]) == (500, "MLYApiException", "An unknown error occurred")
    with pytest.raises(ValueError):
        sb.configure(error_style="facebook")


def test_fault_kind_lists():
    assert set(REAL_FAULT_KINDS) == {"html503", "bare403", "empty204"}
    assert not set(REAL_FAULT_KINDS) & set(FAULT_KINDS) and set(ALL_FAULT_KINDS) == set(FAULT_KINDS + REAL_FAULT_KINDS)
    assert "html503" in SURVIVABLE_FAULT_KINDS and "bare403" not in SURVIVABLE_FAULT_KINDS
    assert "empty204" not in SURVIVABLE_FAULT_KINDS and set(FAULT_KINDS) <= set(SURVIVABLE_FAULT_KINDS)
    assert Config.faults == FAULT_KINDS


def test_new_fault_kinds(sb: SandboxServer, world: World):
    x, y = world.images[0].tile
    search = f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=5"
    sb.configure(fault_rate=1.0, faults=["html503"])
    for url in (search, tile_url(sb, 14, x, y)):
        status, headers, body = get(url)
        assert status == 503 and headers["content-type"].startswith("text/html") and b"<HTML>" in body
    sb.configure(faults=["bare403"])
    seen = set()
    for _ in range(10):
        status, headers, body = get(tile_url(sb, 14, x, y))
        assert status == 403 and body in (b"", b"Forbidden") and "json" not in headers.get("content-type", "")
        seen.add(body)
    assert seen == {b"", b"Forbidden"}
    sb.configure(faults=["empty204"])
    seen = set()
    for _ in range(10):
        status, headers, body = get(tile_url(sb, 14, x, y))
        assert body == b"" and status in (200, 204)
        seen.add(status)
    assert seen == {200, 204}
    assert sb.stats.fault_kinds == {"html503": 2, "bare403": 10, "empty204": 10}
    st = sb.stats.statuses
    assert (st[503], st[403], st[200] + st[204], len(st)) == (2, 10, 10, 4)
    with pytest.raises(ValueError):
        sb.configure(faults=["html504"])


# --- x-app-usage, quota ---------------------------------------------------------------------------

def test_app_usage_header(sb: SandboxServer, world: World):
    x, y = world.images[0].tile
    search = f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=5"
    assert "x-app-usage" not in get(tile_url(sb, 14, x, y))[1]  # off: tiles have none
    assert "call_count" in get(search)[1]["x-app-usage"]  # off: the old shape on Graph answers
    sb.reset_stats()
    sb.configure(app_usage=True, usage_budget_per_minute=4)
    vols = []
    for url in (tile_url(sb, 14, x, y), search, f"{sb.url}/images?bbox=1,2", tile_url(sb, 14, x, y)):
        usage = json.loads(get(url)[1]["x-app-usage"])
        assert set(usage) == {"call_volume", "cpu_time", "total_time"}
        vols.append(usage["call_volume"])
    assert vols == [25, 50, 75, 100]  # errors carry it too; not capped at 100
    assert json.loads(get(search)[1]["x-app-usage"])["call_volume"] == 125
    sb.configure(usage_limit=True)
    status, headers, body = get(search)
    assert status == 429 and json.loads(body)["error"]["code"] == 4
    sb.configure(usage_budget_per_minute=10_000)
    assert get(search)[0] == 200


def test_tile_quota(sb: SandboxServer, world: World):
    x, y = world.images[0].tile
    sb.configure(tile_quota=3)
    assert [get(tile_url(sb, 14, x, y))[0] for _ in range(3)] == [200] * 3
    status, headers, body = get(tile_url(sb, 14, x, y))
    assert (status, body) == (403, b"") and "content-type" not in headers
    assert get(tile_url(sb, 14, x, y, OTHER_TOKEN))[0] == 200  # per token
    assert get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1")[0] == 200  # tiles only
    sb.configure(quota_style="code4")
    status, headers, body = get(tile_url(sb, 14, x, y))
    e = json.loads(body)["error"]
    assert (status, e["code"], e["type"], e["is_transient"], e["message"]) == \
        (429, 4, "OAuthException", True, "Application request limit reached")
    assert sb.stats["quota_refused"] == 2
    counts = sb.stats.tile_quota
    assert sorted(counts.values()) == [1, 5] and all(DEMO_TOKEN not in k and "4242" not in k for k in counts)
    sb.clock = lambda: time.time() + 86400  # a new UTC day
    assert get(tile_url(sb, 14, x, y))[0] == 200
    sb.configure(tile_quota=None)
    sb.clock = time.time
    assert get(tile_url(sb, 14, x, y))[0] == 200


# --- density, tiles -------------------------------------------------------------------------------

def test_limit_sensitive_density(sb: SandboxServer, world: World):
    big = small_box(1300, 1900, world)
    n = len(world.images_in_bbox(big))
    sb.configure(limit_sensitive=True)
    for q in ("", "&limit=2000", "&limit=1001"):
        status, d = get_json(f"{sb.url}/images?bbox={bbox_q(big)}{q}")
        assert (status, d["error"]["code"], d["error"]["message"]) == (500, 1, TOO_MUCH)
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(big)}&limit=1000")
    assert status == 200 and len(d["data"]) == 1000 < n
    small = small_box(300, 1100, world)
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(small)}")
    assert status == 200 and len(d["data"]) == len(world.images_in_bbox(small))
    sb.configure(limit_sensitive=False)
    assert get_json(f"{sb.url}/images?bbox={bbox_q(big)}")[0] == 200
    sb.configure(persistent_too_much=True)
    tiny = (CENTER[0], CENTER[1], CENTER[0] + 1e-5, CENTER[1] + 1e-5)
    status, d = get_json(f"{sb.url}/images?bbox={bbox_q(tiny)}&limit=1")
    assert (status, d["error"]["code"]) == (500, 1)


def test_tile_schema_2021(sb: SandboxServer, world: World):
    x, y = world.images[0].tile
    now = get(tile_url(sb, 14, x, y))[2]
    assert b"creator_id" in now and b"organization_id" in now
    sb.configure(tile_schema="2021")
    old = get(tile_url(sb, 14, x, y))[2]
    assert b"creator_id" not in old and b"organization_id" not in old and b"sequence_id" in old
    assert b"creator_id" not in get(tile_url(sb, 12, x >> 2, y >> 2))[2]


# --- creators, far places -------------------------------------------------------------------------

def test_far_places_leave_the_main_world_alone(world: World):
    assert len(world.images) == 60_000 and len(world.far_images) == 9
    assert not set(world.by_id) & {im.id for im in world.far_images}
    assert set(world.all_by_id) == set(world.by_id) | {im.id for im in world.far_images}
    fiji = [world.all_by_id[i] for i in world.sequences[world.far_places["fiji"]]]
    assert [im.lon > 0 for im in fiji] == [True, True, False, False]
    assert all(abs(abs(im.lon) - 180) < 0.002 and abs(im.lat + 16.5) < 0.001 for im in fiji)
    assert {im.creator_username for im in world.far_images} == {FAR_USERNAME} and not FAR_USERNAME.isascii()
    assert World.generate(7, 60_000).far_images[0].id == world.far_images[0].id  # deterministic


def test_non_ascii_creator_paging(sb: SandboxServer, world: World):
    uname = urllib.parse.quote(FAR_USERNAME)
    far = sorted(world.far_images, key=lambda im: -im.captured_at)
    sb.configure(paging_token="never")
    url = f"{sb.url}/images?creator_username={uname}&fields=captured_at,geometry&limit=2&access_token={QTOKEN}"
    ids, pages = [], 0
    while url:
        status, d = get_json(url)  # the header carries the token
        assert status == 200 and len(d["data"]) <= 2
        ids += [r["id"] for r in d["data"]]
        pages += 1
        assert d["paging"]["cursors"]["after"]
        url = d["paging"].get("next")
        if url:
            assert "access_token" not in url and "j%C3%BCrgen_%C3%B8" in url
            assert get_json(url, token=None)[1]["error"]["code"] == 190  # without the header: refused
    assert ids == [im.id for im in far] and pages == 5  # newest first
    base = f"{sb.url}/images?creator_username={uname}"
    assert [r["id"] for r in get_json(base + "&is_pano=true")[1]["data"]] == \
        [im.id for im in far if im.is_pano]
    org = world.far_images[4].organization_id
    assert len(get_json(base + f"&organization_id={org}")[1]["data"]) == 3
    assert len(get_json(base + "&start_captured_at=2020-01-01T00:00:00Z")[1]["data"]) == 4
    assert len(get_json(base + "&end_captured_at=2017-01-01T00:00:00Z")[1]["data"]) == 2
    for bad in ("garbage!", "bzo5OTk5", "eDoy"):  # garbage, o:9999 (past the end), x:2
        status, d = get_json(base + f"&after={bad}")
        assert (status, d["error"]["code"]) == (400, 100)


@needs_gdal
def test_fiji_tiles_across_the_antimeridian(sb: SandboxServer, world: World):
    fiji = [world.all_by_id[i] for i in world.sequences[world.far_places["fiji"]]]
    (x_e, y), (x_w, y_w) = lonlat_to_tile(179.9995, -16.5, 14), lonlat_to_tile(-179.9995, -16.5, 14)
    assert (x_e, x_w, y) == (16383, 0, y_w)
    for x, want in ((x_e, fiji[:2]), (x_w, fiji[2:])):
        status, _, body = get(tile_url(sb, 14, x, y))
        assert status == 200
        path = f"/vsimem/fiji_{x}.mvt"
        gdal.FileFromMemBuffer(path, body)
        ds = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=[f"X={x}", f"Y={y}", "Z=14"])
        assert {str(f.GetField("id")) for f in ds.GetLayerByName("image")} == {im.id for im in want}
        (line,) = list(ds.GetLayerByName("sequence"))
        g = line.GetGeometryRef()
        pts = g.GetPoints() if g.GetGeometryCount() == 0 else g.GetGeometryRef(0).GetPoints()
        edge = 20037508.342789244 * (1 if x == x_e else -1)
        # the line runs to the antimeridian edge of the tile, not across the tile
        assert any(abs(px - edge) < 1 for px, _ in pts) and not any(abs(px + edge) < 1 for px, _ in pts)
        gdal.Unlink(path)
    b = (179.998, -16.501, 180.0, -16.499)
    assert {r["id"] for r in get_json(f"{sb.url}/images?bbox={bbox_q(b)}")[1]["data"]} == {im.id for im in fiji[:2]}
    assert get_json(f"{sb.url}/{fiji[0].id}?fields=creator")[1]["creator"]["username"] == FAR_USERNAME


# --- hostile answers -----------------------------------------------------------------------------

def test_retry_after_value(sb: SandboxServer):
    sb.configure(fault_rate=1.0, faults=["ratelimit"], retry_after_value="inf")
    statuses = set()
    for _ in range(8):
        status, headers, _ = get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1")
        assert headers["retry-after"] == "inf"
        statuses.add(status)
    assert 429 in statuses
    sb.configure(retry_after_value=None, retry_after=2)
    assert get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1")[1]["retry-after"] == "2"


def test_drip_and_blackhole_answer_nothing_quickly(sb: SandboxServer):
    path = f"/images?bbox={bbox_q(DENSE_CORE)}&limit=1"
    sb.configure(drip=True, drip_interval=0.3)
    s = raw_request(sb, path, timeout=0.15)
    with pytest.raises(TimeoutError):
        s.recv(100)  # nothing before drip_interval
    s.settimeout(2)
    assert s.recv(100) == b"H"  # then one byte
    s.close()
    sb.configure(drip=False, blackhole=True)
    s = raw_request(sb, path, timeout=0.5)
    with pytest.raises(TimeoutError):
        s.recv(100)
    s.close()
    assert sb.stats.fault_kinds == {"drip": 1, "blackhole": 1}


def test_close_ends_in_flight_handlers_and_refuses_connections(world: World):
    server = SandboxServer(world, blackhole=True)
    s = raw_request(server, "/images?bbox=1,2,3,4", timeout=2)
    idle = socket.create_connection((server.host, server.port), timeout=2)  # an idle keep-alive
    time.sleep(0.1)
    server.close()
    assert s.recv(100) == b"" and idle.recv(100) == b""  # both hung up promptly
    s.close()
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=2)
    server.close()  # idempotent


def test_down_after(world: World):
    with serve(world, down_after=2) as server:
        url = f"{server.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1"
        assert [get(url)[0] for _ in range(2)] == [200, 200]
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            get(url)
        for _ in range(100):
            if server.closed:
                break
            time.sleep(0.02)
        with pytest.raises(ConnectionRefusedError):
            get(url)


def test_gzip_bomb(sb: SandboxServer, world: World):
    sb.configure(gzip_bomb=True, bomb_size=10 << 20 | 123)
    x, y = world.images[0].tile
    for url in (tile_url(sb, 14, x, y), f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}"):
        status, headers, body = get(url)  # http.client does not inflate
        assert status == 200 and headers["content-encoding"] == "gzip" and len(body) < 20_000
        inflated = gzip.decompress(body)  # checks the CRC and length too
        assert len(inflated) == 10 << 20 | 123 and not inflated.strip(b"\0")


def test_deep_json(sb: SandboxServer):
    sb.configure(deep_json=True)
    status, headers, body = get(f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}")
    assert status == 200 and body.startswith(b'{"data":[[[[') and body.count(b"[") == 100_000
    with pytest.raises(RecursionError):
        json.loads(body)


def test_bad_records(sb: SandboxServer, world: World):
    sb.configure(bad_records=True)
    b = small_box(50, 500, world)
    status, headers, body = get(f"{sb.url}/images?bbox={bbox_q(b)}&fields=geometry,captured_at")
    assert status == 200 and b"NaN" in body and b"Infinity" in body
    rows = json.loads(body)["data"]
    bad = {r["id"]: r for r in rows if r["id"] in BAD_GRAPH_IDS}
    assert len(bad) == 7 and len(rows) == len(world.images_in_bbox(b)) + 7
    assert {r.get("captured_at") for r in bad.values()} >= {2 ** 62, 1e20, -1e17}
    assert any(isinstance(r.get("altitude"), dict) for r in bad.values())
    assert any(r.get("computed_geometry", {}).get("coordinates") == ["a"] for r in bad.values())
    x, y = world.images[0].tile
    tile = get(tile_url(sb, 14, x, y))[2]
    sb.configure(bad_records=False)
    assert len(tile) > len(get(tile_url(sb, 14, x, y))[2])
    if gdal is not None:
        gdal.FileFromMemBuffer("/vsimem/bad.mvt", tile)
        ds = gdal.OpenEx("/vsimem/bad.mvt", gdal.OF_VECTOR, open_options=[f"X={x}", f"Y={y}", "Z=14"])
        assert set(BAD_TILE_IDS) <= {str(f.GetField("id")) for f in ds.GetLayerByName("image")}
        ds = None
        gdal.Unlink("/vsimem/bad.mvt")


def test_echo_token(sb: SandboxServer, world: World):
    sb.configure(echo_token=True)
    x, y = world.images[0].tile
    for url, token in ((f"{sb.url}/images?bbox={bbox_q(DENSE_CORE)}&limit=1", DEMO_TOKEN),  # header
                       (tile_url(sb, 14, x, y), None)):  # query
        status, headers, body = get(url, token=token)
        e = json.loads(body)["error"]
        assert (status, e["code"]) == (401, 190) and f"access_token={QTOKEN}" in e["message"]
        assert "MLY%7C" in e["message"]
    log = "\n".join(sb.stats.paths) + repr(sb.stats.log)
    assert DEMO_TOKEN not in log and QTOKEN not in log
    assert get(f"{sb.url}/images?bbox=1,2", token=None)[0] == 400  # no token: nothing to echo
