"""The sandbox HTTP server: Graph API and vector tiles of Mapillary API v4 in one server.

Mirrors, quirks included (see /work/shared/mapillary-api.md):
- ``GET /maps/vtp/{mly1_public|mly1_computed_public}/2/{z}/{x}/{y}?access_token=``
- ``GET /images?bbox=...|image_ids=...|sequence_id=...|creator_username=...``
- ``GET /{id}?fields=...`` (image, user, organization), ``GET /image_ids?sequence_id=``
- ``GET /thumb/{id}/{size}.jpg?...&oe=`` (signed thumbnail URLs that expire)
plus latency and fault injection, and request statistics with the token redacted.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import socket
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from .mvt import render_tile
from .world import Image, World, mix64

DEMO_TOKEN = "MLY|4242424242|5a1dbc0ffee0ddba11f00dfacade4242"
REVOKED_TOKEN = "MLY|1111111111|deadbeefdeadbeefdeadbeefdeadbeef"
TOKEN_RE = re.compile(r"MLY\|\d+\|[0-9a-f]{32}")
FAULT_KINDS = ("5xx", "code1", "code2", "ratelimit", "cut", "drop", "slow", "garbage", "nodata")
KINDS = ("tiles", "search", "entity", "image_ids", "thumb", "other")
MAX_LIMIT = 2000
MAX_BBOX_AREA = 0.01  # square degrees

IMAGE_FIELDS = (
    "id", "geometry", "computed_geometry", "captured_at", "compass_angle", "computed_compass_angle",
    "sequence", "creator", "make", "model", "camera_type", "is_pano", "width", "height", "altitude",
    "computed_altitude", "quality_score", "exif_orientation", "thumb_256_url", "thumb_1024_url",
    "thumb_2048_url", "thumb_original_url", "atomic_scale", "camera_parameters", "computed_rotation",
    "merge_cc", "mesh", "sfm_cluster", "detections")
USER_FIELDS = ("id", "username")
ORG_FIELDS = ("id", "slug", "name", "description")
THUMB_SIZES = {"thumb_256_url": "256", "thumb_1024_url": "1024", "thumb_2048_url": "2048",
               "thumb_original_url": "original"}
_REDACT = re.compile(r"(?i)(access_token=)[^&#]*")


class ApiError(Exception):
    """An error answer in the real shape ``{"error": {...}}``."""

    def __init__(self, status: int, message: str, type_: str = "MLYApiException", code: int = 100,
                 subcode: int | None = None, transient: bool | None = None,
                 headers: dict[str, str] | None = None, error_data: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "type": type_, "code": code}
        if subcode is not None:
            self.body["error_subcode"] = subcode
        if transient is not None:
            self.body["is_transient"] = transient
        if error_data is not None:
            self.body["error_data"] = error_data
        self.headers = headers or {}

    def response(self) -> tuple[int, dict[str, str], bytes]:
        body = dict(self.body, fbtrace_id=_trace_id())
        return self.status, dict(self.headers, **{"Content-Type": "application/json; charset=UTF-8"}), \
            json.dumps({"error": body}, separators=(",", ":")).encode()


def _trace_id() -> str:
    return base64.b64encode(random.getrandbits(136).to_bytes(17, "big")).decode()[:23]


def redact(path: str) -> str:
    """A request path with every access_token value replaced by ***."""
    return _REDACT.sub(r"\1***", path)


class Stats:
    """Thread-safe request counters and a log of (redacted) request paths."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.counts: dict[str, int] = dict.fromkeys(("requests",) + KINDS + ("faults", "errors"), 0)
            self.log: list[tuple[str, int, str]] = []  # (kind, HTTP status or 0 for "drop", path)

    def record(self, kind: str, status: int, path: str, fault: str | None) -> None:
        with self._lock:
            self.counts["requests"] += 1
            self.counts[kind] += 1
            if fault:
                self.counts["faults"] += 1
            elif status >= 400:
                self.counts["errors"] += 1
            self.log.append((kind, status, path))

    def __getitem__(self, kind: str) -> int:
        with self._lock:
            return self.counts[kind]

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return [p for _, _, p in self.log]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    def __repr__(self) -> str:
        return f"Stats({self.snapshot()})"


class Config:
    """Run-time switches; change them with ``SandboxServer.configure``."""

    latency: float = 0.0  # seconds added to every answer
    fault_rate: float = 0.0  # chance per request of one of ``faults``
    faults: tuple[str, ...] = FAULT_KINDS
    fault_targets: tuple[str, ...] = KINDS  # request kinds faults may hit
    slow_seconds: float = 2.0  # the "slow" fault's delay
    retry_after: float = 1  # Retry-After of the "ratelimit" fault
    fail_tiles: frozenset = frozenset()  # {(z, x, y)} always answer HTTP 500 code 2
    dense_limit: int = 12_000  # a bbox holding more images than this fails ("too much data")
    thumb_ttl: float = 3600.0  # seconds until a thumbnail URL expires


class SandboxServer:
    """The sandbox; starts listening on construction (127.0.0.1, ``port`` 0 = any free port)."""

    def __init__(self, world: World | None = None, port: int = 0, host: str = "127.0.0.1",
                 **config: Any) -> None:
        self.world = world if world is not None else World.cached()
        self.stats = Stats()
        self.config = Config()
        self._rng = random.Random(0)
        self._rng_lock = threading.Lock()
        self._tile_cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._tile_cache_bytes = 0
        self._tile_lock = threading.Lock()
        self._by_creator: dict[str, list[Image]] = {}
        self._by_org: dict[str, list[Image]] = {}
        self._index_lock = threading.Lock()
        self._secret = hashlib.sha256(b"sandbox-thumbs-%d" % self.world.seed).digest()
        self.configure(**config)
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self.host, self.port = self._httpd.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox-http",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    # -- control -------------------------------------------------------------------

    def configure(self, *, latency: float | None = None, fault_rate: float | None = None,
                  faults: Iterable[str] | str | None = None, seed: int | None = None,
                  slow_seconds: float | None = None, retry_after: float | None = None,
                  fail_tiles: Iterable[tuple[int, int, int]] | None = None,
                  fault_targets: Iterable[str] | str | None = None,
                  dense_limit: int | None = None, thumb_ttl: float | None = None) -> None:
        """Change switches at run time; arguments left as None keep their value."""
        c = self.config
        if latency is not None:
            c.latency = float(latency)
        if fault_rate is not None:
            c.fault_rate = float(fault_rate)
        if faults is not None:
            fs = tuple(f.strip() for f in (faults.split(",") if isinstance(faults, str) else faults)
                       if f.strip())
            bad = [f for f in fs if f not in FAULT_KINDS]
            if bad:
                raise ValueError(f"unknown fault kinds {bad}; known: {FAULT_KINDS}")
            c.faults = fs
        if fault_targets is not None:
            ts = fault_targets.split(",") if isinstance(fault_targets, str) else fault_targets
            c.fault_targets = tuple(t.strip() for t in ts)
        if seed is not None:
            with self._rng_lock:
                self._rng = random.Random(seed)
        if slow_seconds is not None:
            c.slow_seconds = float(slow_seconds)
        if retry_after is not None:
            c.retry_after = retry_after
        if fail_tiles is not None:
            c.fail_tiles = frozenset(tuple(t) for t in fail_tiles)
        if dense_limit is not None:
            c.dense_limit = int(dense_limit)
        if thumb_ttl is not None:
            c.thumb_ttl = float(thumb_ttl)

    def reset_stats(self) -> None:
        self.stats.reset()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    stop = close

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SandboxServer({self.url}, {self.world!r})"

    # -- helpers used by the handler ------------------------------------------------------

    def pick_fault(self, kind: str) -> tuple[str | None, float]:
        """(fault kind or None, a uniform variant draw), seeded and thread-safe."""
        c = self.config
        if c.fault_rate <= 0 or not c.faults or kind not in c.fault_targets:
            return None, 0.0
        with self._rng_lock:
            if self._rng.random() >= c.fault_rate:
                return None, 0.0
            return self._rng.choice(c.faults), self._rng.random()

    def tile(self, z: int, x: int, y: int, computed: bool) -> bytes:
        key = (z, x, y, "computed" if computed else "public")
        with self._tile_lock:
            b = self._tile_cache.get(key)
            if b is not None:
                self._tile_cache.move_to_end(key)
                return b
        b = render_tile(self.world, z, x, y, computed)
        with self._tile_lock:
            if key not in self._tile_cache:
                self._tile_cache[key] = b
                self._tile_cache_bytes += len(b)
                # LRU: at most 512 tiles and 256 MB
                while len(self._tile_cache) > 512 or self._tile_cache_bytes > 256 << 20:
                    _, old = self._tile_cache.popitem(last=False)
                    self._tile_cache_bytes -= len(old)
        return b

    def images_of(self, creator_id: str | None, org_id: str | None) -> list[Image]:
        """A creator's or organization's images, newest first (for paged searches)."""
        with self._index_lock:
            if not self._by_creator:
                by_c: dict[str, list[Image]] = {}
                by_o: dict[str, list[Image]] = {}
                for im in self.world.images:
                    by_c.setdefault(im.seq.creator_id, []).append(im)
                    if im.seq.organization_id:
                        by_o.setdefault(im.seq.organization_id, []).append(im)
                for lst in list(by_c.values()) + list(by_o.values()):
                    lst.sort(key=lambda im: (-im.captured_at, im.id))
                self._by_creator, self._by_org = by_c, by_o
        if creator_id is not None:
            return self._by_creator.get(creator_id, [])
        return self._by_org.get(org_id or "", [])

    def sign_thumb(self, image_id: str, size: str, oe: int) -> str:
        return hmac.new(self._secret, f"{image_id}/{size}/{oe}".encode(), hashlib.sha256).hexdigest()[:32]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # Python's default backlog of 5 drops bursts of new connections
    sandbox: SandboxServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up (after "cut", "slow", timeouts) are normal here


# --- request handling ------------------------------------------------------------------------

_TILE_RE = re.compile(r"^/maps/vtp/(mly1_public|mly1_computed_public)/2/(\d+)/(\d+)/(\d+)(?:\.mvt|\.pbf)?$")
_THUMB_RE = re.compile(r"^/thumb/(\d+)/(256|1024|2048|original)\.jpg$")
_ENTITY_RE = re.compile(r"^/([A-Za-z0-9_-]+)(/detections)?$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body are separate writes: without TCP_NODELAY, Nagle + delayed ACKs add
    # ~25 ms to every keep-alive answer, which no real CDN does
    disable_nagle_algorithm = True
    server_version = "MapillarySandbox/1.0"
    sys_version = ""
    timeout = 60
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def version_string(self) -> str:
        return "MapillarySandbox/1.0"

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self._send(*ApiError(400, "Unsupported post request.", "GraphMethodException", 100).response())

    def do_GET(self) -> None:
        sb = self.server.sandbox
        cfg = sb.config
        url = urlsplit(self.path)
        path = url.path
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        kind = _kind(path)
        log_path = redact(self.path)  # never log the token (nor the Authorization header)
        if cfg.latency:
            time.sleep(cfg.latency)
        fault, variant = sb.pick_fault(kind)
        if fault == "drop":
            # close the connection without any answer
            self.close_connection = True
            sb.stats.record(kind, 0, log_path, fault)
            return
        if fault in ("5xx", "code1", "code2", "ratelimit", "garbage", "nodata"):
            status, headers, body = _fault_response(fault, variant, cfg)
            sb.stats.record(kind, status, log_path, fault)
            self._send(status, headers, body)
            return
        if fault == "slow":
            time.sleep(cfg.slow_seconds)
        try:
            status, headers, body = self._route(kind, path, params)
        except ApiError as e:
            status, headers, body = e.response()
        except Exception as e:  # a sandbox bug: answer like the real service's code 1
            status, headers, body = ApiError(500, f"An unknown error occurred ({type(e).__name__}: {e})",
                                             code=1).response()
        if kind in ("search", "entity", "image_ids") and status < 500:
            # The real Graph API reports usage in x-app-usage (percent of the budget).
            pct = min(100, sb.stats["requests"] // 100)
            headers["x-app-usage"] = json.dumps({"call_count": pct, "total_cputime": 0, "total_time": 0},
                                                  separators=(",", ":"))
        sb.stats.record(kind, status, log_path, fault)
        if fault == "cut":
            # full Content-Length, then only part of the body, then close
            self.close_connection = True
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    # -- routing ------------------------------------------------------------------------

    def _route(self, kind: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        sb = self.server.sandbox
        if kind == "thumb":
            return _thumb(sb, path, params)
        if kind == "tiles":
            m = _TILE_RE.match(path)
            assert m is not None
            _check_token(params.get("access_token"))  # tiles: query parameter only
            z, x, y = int(m.group(2)), int(m.group(3)), int(m.group(4))
            if z > 14 or x >= 1 << z or y >= 1 << z:
                raise ApiError(404, "Tile not found", code=100)
            if (z, x, y) in sb.config.fail_tiles:
                raise ApiError(500, "Service temporarily unavailable", code=2, transient=True)
            body = sb.tile(z, x, y, m.group(1) == "mly1_computed_public")
            return 200, {"Content-Type": "application/x-protobuf"}, body
        # Graph API: Authorization: OAuth <token> (preferred) or ?access_token=
        auth = self.headers.get("Authorization")
        if auth is not None:
            scheme, _, tok = auth.strip().partition(" ")
            token = tok.strip() if scheme.lower() in ("oauth", "bearer") else auth
        else:
            token = params.get("access_token")
        _check_token(token)
        if kind == "search":
            data = _search(sb, params, via_query="access_token" in params)
        elif kind == "image_ids":
            sid = params.get("sequence_id")
            if not sid:
                raise ApiError(400, "Invalid parameter: sequence_id is required", code=100)
            # capture order, no paging (a 968-image sequence came back in one answer)
            data = {"data": [{"id": i} for i in sb.world.sequences.get(sid, [])]}
        elif kind == "entity" and path.endswith("/detections"):
            oid = path[1:].split("/")[0]
            if oid not in sb.world.by_id:
                _entity(sb, oid, {})  # raises the unknown-id error
            data = {"data": []}  # the sandbox's images have no detections
        elif kind == "entity":
            data = _entity(sb, path[1:], params)
        else:
            raise ApiError(400, f"Unknown path components: {path}", "OAuthException", 2500)
        return 200, {"Content-Type": "application/json; charset=UTF-8"}, \
            json.dumps(data, separators=(",", ":")).encode()


def _kind(path: str) -> str:
    if path.startswith("/maps/vtp/") and _TILE_RE.match(path):
        return "tiles"
    if path.startswith("/thumb/"):
        return "thumb"
    if path == "/images":
        return "search"
    if path == "/image_ids":
        return "image_ids"
    if _ENTITY_RE.match(path):
        return "entity"
    return "other"


def _check_token(token: str | None) -> None:
    """Code 190 with the inconsistent HTTP statuses of the real service:
    missing -> 400, malformed -> 401, revoked -> 500 (the recorded JOSM fixture
    ``josm-internal_server_error.json`` is a 190 body served with HTTP 500)."""
    if not token:
        raise ApiError(400, "An access token is required to request this resource.", "OAuthException", 190)
    if not TOKEN_RE.fullmatch(token):
        raise ApiError(401, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190,
                       headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" '
                                                    '"Invalid OAuth access token - Cannot parse access token"'})
    if token == REVOKED_TOKEN:
        raise ApiError(500, "Invalid OAuth 2.0 Access Token", "MLYApiException", 190, error_data={})


def _fault_response(fault: str, variant: float, cfg: Config) -> tuple[int, dict[str, str], bytes]:
    if fault == "5xx":  # a proxy's 503: HTML or empty body
        if variant < 0.5:
            return 503, {"Content-Type": "text/html; charset=utf-8"}, \
                (b"<html><body><h1>503 Service Unavailable</h1>"
                 b"No server is available to handle this request.</body></html>")
        return 503, {}, b""
    if fault == "garbage":  # a captive portal or CDN page, with a 200: neither JSON nor a vector tile
        return 200, {"Content-Type": "text/html; charset=utf-8"}, \
            b"<html><head><title>Maintenance</title></head><body>Back soon.</body></html>"
    if fault == "nodata":  # valid JSON, 200, but no "data" list (nor a vector tile)
        return 200, {"Content-Type": "application/json"}, b'{"paging": {}}'
    if fault == "code1":
        return ApiError(500, "An unknown error occurred", code=1).response()
    if fault == "code2":
        return ApiError(500, "Service temporarily unavailable", code=2, transient=True).response()
    # ratelimit: the recorded body (josm-application_request_limit_reached.json); status 429 or 400
    ra = cfg.retry_after
    ra_s = str(int(ra)) if float(ra).is_integer() else repr(float(ra))
    return ApiError(429 if variant < 0.5 else 400, "Application request limit reached", code=4,
                    transient=True, headers={"Retry-After": ra_s}).response()


# --- Graph API ------------------------------------------------------------------------------------

def _fields(params: dict[str, str], allowed: tuple[str, ...], node: str) -> list[str]:
    raw = params.get("fields", "")
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    for f in fields:
        if f not in allowed:
            # as Facebook's Graph API (which Mapillary's runs on) answers an unknown field
            raise ApiError(400, f"(#100) Tried accessing nonexisting field ({f}) on node type ({node})",
                           "OAuthException", 100)
    return fields


def render_image(sb: SandboxServer, im: Image, fields: list[str], now: float | None = None) -> dict[str, Any]:
    """One image in the Graph API's plain-JSON shape; ``id`` always comes back (last
    unless asked for, as in the recorded answers)."""
    out: dict[str, Any] = {}
    seq = im.seq
    for f in fields:
        if f == "id":
            out["id"] = im.id
        elif f == "geometry":
            out["geometry"] = {"type": "Point", "coordinates": [im.lon, im.lat]}
        elif f == "computed_geometry":
            if im.has_computed:  # absent until structure-from-motion ran
                out["computed_geometry"] = {"type": "Point", "coordinates": [im.computed_lon, im.computed_lat]}
        elif f == "captured_at":
            out["captured_at"] = im.captured_at
        elif f == "compass_angle":
            if im.compass_angle is not None:
                out["compass_angle"] = im.compass_angle
        elif f == "computed_compass_angle":
            if im.has_computed:
                out["computed_compass_angle"] = im.computed_compass_angle
        elif f == "computed_altitude":
            if im.has_computed:
                out["computed_altitude"] = im.computed_altitude
        elif f == "sequence":
            out["sequence"] = seq.id
        elif f == "creator":
            out["creator"] = {"username": seq.creator_username, "id": seq.creator_id}
        elif f in ("make", "model", "camera_type", "is_pano", "width", "height", "exif_orientation"):
            out[f] = getattr(seq, f)
        elif f in ("altitude", "quality_score"):
            out[f] = getattr(im, f)
        elif f in THUMB_SIZES:
            size = THUMB_SIZES[f]
            oe = int((now or time.time()) + sb.config.thumb_ttl)
            w = 256 if size == "256" else int(size) if size.isdigit() else seq.width
            h = w * seq.height // seq.width
            out[f] = (f"{sb.url}/thumb/{im.id}/{size}.jpg?stp=s{w}x{h}&ccb=10-4"
                      f"&oh=00_{sb.sign_thumb(im.id, size, oe)}&oe={oe:08X}")
        elif f == "atomic_scale":
            out[f] = round(0.9 + 0.2 * ((im._h >> 8) & 0xFFFF) / 65536, 13)
        elif f == "camera_parameters":
            out[f] = [] if seq.is_pano else [0.85, -0.0001 * ((im._h >> 4) & 7), 0.00003]
        elif f == "computed_rotation":
            h = mix64(im._h ^ 1)
            out[f] = [((h >> s) & 0xFFFF) / 65536 * 2 - 1 for s in (0, 16, 32)]
        elif f == "merge_cc":
            out[f] = float(mix64(int(seq.creator_id)) >> 1)  # arrives as a float
        elif f in ("mesh", "sfm_cluster"):
            oid = str(10 ** 14 + mix64(int(im.id) ^ len(f)) % (9 * 10 ** 14))
            out[f] = {"id": oid, "url": f"{sb.url}/thumb/{im.id}/original.jpg?{f}"}
        elif f == "detections":
            out[f] = {"data": []}
    out.setdefault("id", im.id)
    return out


def _entity(sb: SandboxServer, oid: str, params: dict[str, str]) -> dict[str, Any]:
    w = sb.world
    im = w.by_id.get(oid)
    if im is not None:
        return render_image(sb, im, _fields(params, IMAGE_FIELDS, "Image"))
    if oid in w.users:
        fields = _fields(params, USER_FIELDS, "User")
        out: dict[str, Any] = {}
        for f in fields:
            out[f] = w.users[oid] if f == "username" else oid
        out.setdefault("id", oid)
        return out
    org = w.organizations.get(oid)
    if org is not None:
        fields = _fields(params, ORG_FIELDS, "Organization")
        out = {}
        for f in fields:
            out[f] = {"id": org.id, "slug": org.slug, "name": org.name,
                      "description": f"{org.name} (sandbox)"}[f]
        out.setdefault("id", oid)
        return out
    # unknown id: HTTP 400 (not 404), code 100, subcode 33
    raise ApiError(400, f"Unsupported get request. Object with ID '{oid}' does not exist, cannot be loaded "
                        f"due to missing permissions, or does not support this operation",
                   "GraphMethodException", 100, subcode=33)


def _parse_time(name: str, s: str) -> int:
    """ISO 8601 (2022-08-16T16:42:46Z) -> epoch ms; naive times are UTC."""
    try:
        t = s.strip()
        if t.endswith(("Z", "z")):
            t = t[:-1] + "+00:00"
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ApiError(400, f"Invalid parameter: {name} must be an ISO 8601 date-time", code=100) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))


def _search(sb: SandboxServer, params: dict[str, str], via_query: bool) -> dict[str, Any]:
    w = sb.world
    fields = _fields(params, IMAGE_FIELDS, "Image")
    try:
        limit = int(params.get("limit", MAX_LIMIT))
    except ValueError:
        raise ApiError(400, "Invalid parameter: limit must be an integer", code=100) from None
    if limit < 1:
        raise ApiError(400, "Invalid parameter: limit must be positive", code=100)
    limit = min(limit, MAX_LIMIT)  # default and maximum 2000

    # filters
    start = _parse_time("start_captured_at", params["start_captured_at"]) if "start_captured_at" in params else None
    end = _parse_time("end_captured_at", params["end_captured_at"]) if "end_captured_at" in params else None
    uname = params.get("creator_username")
    creator_id = w.user_ids.get(uname, "") if uname is not None else None
    org = params.get("organization_id")
    seq_id = params.get("sequence_id")
    pano = params.get("is_pano")
    if pano is not None:
        if pano.lower() not in ("true", "false"):
            raise ApiError(400, "Invalid parameter: is_pano must be true or false", code=100)
        pano_b = pano.lower() == "true"
    ids = [i.strip() for i in params["image_ids"].split(",") if i.strip()] if "image_ids" in params else None
    id_set = set(ids) if ids is not None else None

    def keep(im: Image) -> bool:
        s = im.seq
        return ((start is None or im.captured_at >= start) and (end is None or im.captured_at < end)
                and (creator_id is None or s.creator_id == creator_id)
                and (org is None or s.organization_id == org)
                and (seq_id is None or s.id == seq_id)
                and (pano is None or s.is_pano == pano_b)
                and (id_set is None or im.id in id_set))

    now = time.time()
    if "bbox" in params:
        bbox = _parse_bbox(params["bbox"])
        area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
        if area >= MAX_BBOX_AREA:
            raise ApiError(400, "Invalid parameter: the bbox area must be smaller than 0.01 square degrees",
                           code=100)
        cands = w.images_in_bbox(bbox)
        if len(cands) > sb.config.dense_limit:
            # Dense boxes fail (deterministically, so a retry fails again) while their
            # quarters succeed; reported as "Please reduce the amount of data ..." (HTTP 500,
            # code 1) or "Query Timeout" (HTTP 400). Which one depends on the box.
            if zlib.crc32(params["bbox"].encode()) % 3 == 0:
                raise ApiError(400, "Query Timeout", code=-2, transient=False)
            raise ApiError(500, "Please reduce the amount of data you're asking for, then retry your request",
                           code=1)
        matches = [im for im in cands if keep(im)]
        # Silent truncation with no paging: the first `limit` in a stable, non-spatial
        # order, so a capped answer misses images all over the box.
        matches.sort(key=lambda im: im.order_key)
        return {"data": [render_image(sb, im, fields, now) for im in matches[:limit]]}
    if ids is not None:
        found = [w.by_id[i] for i in dict.fromkeys(ids) if i in w.by_id]
        return {"data": [render_image(sb, im, fields, now) for im in found if keep(im)][:limit]}
    if seq_id is not None and creator_id is None and org is None:
        seq = w.sequence_info.get(seq_id)
        ims = [im for im in (seq.images if seq else []) if keep(im)]
        return {"data": [render_image(sb, im, fields, now) for im in ims[:limit]]}
    if creator_id is not None or org is not None:
        return _paged(sb, params, fields, keep, limit, creator_id, org, via_query, now)
    raise ApiError(400, "Invalid parameter: one of bbox, image_ids, sequence_id, creator_username or "
                        "organization_id is required", code=100)


def _parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        v = [float(p) for p in raw.split(",")]
    except ValueError:
        v = []
    if len(v) != 4 or not (-180 <= v[0] <= v[2] <= 180 and -90 <= v[1] <= v[3] <= 90):
        raise ApiError(400, "Invalid parameter: bbox must be minLon,minLat,maxLon,maxLat", code=100)
    return v[0], v[1], v[2], v[3]


def _paged(sb: SandboxServer, params: dict[str, str], fields: list[str], keep, limit: int,
           creator_id: str | None, org: str | None, via_query: bool, now: float) -> dict[str, Any]:
    """creator_username / organization_id without bbox: pages of `limit`, newest first,
    with paging.next (a full URL)."""
    after = params.get("after")
    offset = 0
    if after:
        try:
            offset = int(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode().split(":")[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            raise ApiError(400, "Invalid parameter: after is not a valid cursor", code=100) from None
    ims = [im for im in sb.images_of(creator_id, org) if keep(im)]
    page = ims[offset:offset + limit]
    out: dict[str, Any] = {"data": [render_image(sb, im, fields, now) for im in page]}
    if not page:
        return out
    cur = lambda n: base64.urlsafe_b64encode(f"o:{n}".encode()).decode().rstrip("=")  # noqa: E731
    out["paging"] = {"cursors": {"before": cur(offset), "after": cur(offset + len(page))}}
    if offset + len(page) < len(ims):
        q = [(k, v) for k, v in params.items() if k not in ("after", "access_token", "limit")]
        q += [("limit", str(limit)), ("after", cur(offset + len(page)))]
        next_page = offset // limit + 2  # 1-based number of the page `next` points to
        # The real paging.next sometimes lacks the token: echo it (only when this request
        # carried it in the query) on the links to pages 2, 4, 6, ...; the links to pages
        # 3, 5, ... never have it, so a client that follows `next` verbatim without the
        # Authorization header fails on page 3.
        if via_query and next_page % 2 == 0:
            q.append(("access_token", params["access_token"]))
        out["paging"]["next"] = f"{sb.url}/images?" + urlencode(q, quote_via=quote, safe=",")
    return out


# --- thumbnails --------------------------------------------------------------------------------------

def _thumb(sb: SandboxServer, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    m = _THUMB_RE.match(path)
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    if m is None or m.group(1) not in sb.world.by_id:
        return 404, plain, b"Not Found"
    iid, size = m.group(1), m.group(2)
    try:
        oe = int(params.get("oe", ""), 16)
    except ValueError:
        return 403, plain, b"Bad URL timestamp"
    oh = params.get("oh", "")
    if not hmac.compare_digest(oh, "00_" + sb.sign_thumb(iid, size, oe)):
        return 403, plain, b"Bad URL hash"
    if time.time() > oe:  # signed CDN URLs expire (oe = expiry, hex epoch seconds)
        return 403, plain, b"URL signature expired"
    seq = sb.world.by_id[iid].seq
    w = 256 if size == "256" else 512
    return 200, {"Content-Type": "image/png", "Cache-Control": "max-age=1209600"}, \
        _png(int(iid), w, max(1, w * seq.height // seq.width))


@lru_cache(maxsize=256)
def _png(n: int, w: int, h: int) -> bytes:
    """A small valid PNG: sky, a coloured house band, road; colours from the id."""
    hsh = mix64(n)
    sky = bytes((110 + (hsh & 63), 150 + ((hsh >> 6) & 63), 210 + ((hsh >> 12) & 31)))
    house = bytes(((hsh >> 20) & 255, (hsh >> 28) & 255, (hsh >> 36) & 255))
    road = bytes((90 + ((hsh >> 44) & 31),) * 3)
    x0, x1 = w // 5, w // 5 + w // 3
    rows = []
    for y in range(h):
        if y < h * 2 // 5:
            row = sky * w
        elif y < h * 3 // 5:
            row = sky * x0 + house * (x1 - x0) + sky * (w - x1)
        else:
            row = road * w
        rows.append(b"\x00" + row)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))
