"""The sandbox HTTP server: Graph API and vector tiles of Mapillary API v4 in one server.

Mirrors, quirks included (see /work/shared/mapillary-api.md):
- ``GET /maps/vtp/{mly1_public|mly1_computed_public}/2/{z}/{x}/{y}?access_token=``
- ``GET /images?bbox=...|image_ids=...|sequence_id=...|creator_username=...``
- ``GET /{id}?fields=...`` (image, user, organization), ``GET /image_ids?sequence_id=``
- ``GET /thumb/{id}/{size}.jpg?...&oe=`` (signed thumbnail URLs that expire; small real JPEGs made
  with GDAL's JPEG driver, deterministic per image and size)
plus latency and fault injection, and request statistics with the token redacted.

Switches (``SandboxServer.configure(...)``; all off by default, leaving the behaviour above):

- Faults, one per request with chance ``fault_rate`` among ``faults`` (seeded by ``seed``), on the
  request kinds in ``fault_targets``. ``FAULT_KINDS`` (the default list): ``5xx`` (503, HTML or empty),
  ``code1``, ``code2``, ``ratelimit`` (code 4, 429 or 400, Retry-After), ``cut`` (half the body),
  ``drop`` (no answer), ``slow``, ``garbage`` (200 HTML), ``nodata`` (200 JSON without data).
  ``REAL_FAULT_KINDS`` (only when named in ``faults``): ``html503`` (503 text/html CDN error page),
  ``bare403`` (403, empty body or text/plain "Forbidden", no JSON), ``empty204`` (204 with no body,
  or 200 with an empty body: for a tile, an empty tile). ``SURVIVABLE_FAULT_KINDS``: the kinds a
  client that retries recognisable failures survives with the exact result even at a high rate
  (all of ``FAULT_KINDS`` and ``html503``); ``bare403`` looks like a refusal (a client should give up,
  not retry) and ``empty204`` is indistinguishable from a truly empty tile, so no retry-based
  suite can survive them at a high rate.
- ``error_style="graph"``: errors shaped like the Graph platform's: type ``OAuthException`` for code
  1 (HTTP 500, "Please reduce the amount of data you're asking for, then retry your request"), code 2
  (HTTP 500, is_transient), code 4 (HTTP 400, is_transient, no Retry-After) and code 100 (HTTP 400,
  message "(#100) ..."); dense-box refusals are always code 1. Default ``"mapillary"``: as recorded.
- ``app_usage=True``: every Graph and tile answer carries ``x-app-usage: {"call_volume": P,
  "cpu_time": P // 2, "total_time": P // 2}``, P = 100 * (Graph and tile requests in the last 60 s)
  / ``usage_budget_per_minute`` (default 10,000), not capped at 100. ``usage_limit=True``: once P
  >= 100, requests answer code 4 "Application request limit reached" (429 in the default style).
  Off: Graph answers below 500 carry the old ``{"call_count", "total_cputime", "total_time"}``.
- ``tile_quota=N`` (None = off): per token and UTC day, the tile requests after the N-th are
  refused: ``quota_style="bare403"`` (403, empty body) or ``"code4"`` (429, JSON code 4,
  OAuthException, is_transient). Counted in ``stats.tile_quota`` and ``stats["quota_refused"]``.
- ``limit_sensitive=True``: a bbox search of a box holding more than ``limit_sensitive_rows``
  (default 1200) images (before filters) fails with code 1 when its ``limit`` (default 2000) is above
  1000; with ``limit`` <= 1000 it succeeds (at most ``limit`` rows, silently truncated).
  ``persistent_too_much=True``: every bbox search fails with code 1, whatever its size.
- ``tile_schema="2021"``: tiles without ``creator_id`` and ``organization_id`` (both layers).
- ``paging_token``: whether ``paging.next`` of a creator/organization search carries the token:
  ``"alternate"`` (default: pages 2, 4, ... when the request had it in the query), ``"never"``,
  ``"always"`` (when the request had it in the query).
- Hostile answers, on the request kinds in ``fault_targets``: ``retry_after_value`` (a string sent
  as Retry-After wherever one is sent, e.g. "100000" or "inf"; also on code-4 quota answers);
  ``drip=True`` (the answer trickles, 1 byte every ``drip_interval`` s, forever);
  ``blackhole=True`` (never answers); ``gzip_bomb=True`` (tile and Graph answers are
  ``Content-Encoding: gzip`` of ``bomb_size`` zero bytes, default 1 GiB, ~1 MB sent);
  ``deep_json=True`` (Graph answers ``{"data": [[[[...`` nested ``deep_json_depth`` (100,000) deep);
  ``bad_records=True`` (search answers end with records of absurd values, ids ``BAD_GRAPH_IDS``,
  and non-empty z14 tiles hold a few absurd image features, ids ``mvt.BAD_TILE_IDS``);
  ``echo_token=True`` (Graph and tile requests with a token answer 401 code 190 whose message
  echoes the request URL with the token URL-encoded, ``access_token=MLY%7C...``);
  ``down_after=N`` (after N requests the server closes itself: later connections are refused).
  ``close()`` refuses new connections at once and ends in-flight handlers (slow, drip, blackhole,
  idle keep-alive connections).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import re
import select
import socket
import struct
import threading
import time
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
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
REAL_FAULT_KINDS = ("html503", "bare403", "empty204")  # only when named in ``faults``
ALL_FAULT_KINDS = FAULT_KINDS + REAL_FAULT_KINDS
SURVIVABLE_FAULT_KINDS = FAULT_KINDS + ("html503",)  # retrying them still gives the exact result
ERROR_STYLES = ("mapillary", "graph")
QUOTA_STYLES = ("bare403", "code4")
TILE_SCHEMAS = ("2025", "2021")
PAGING_TOKEN = ("alternate", "never", "always")
BAD_GRAPH_IDS = tuple(str(9_000_000_000_000_001 + k) for k in range(7))
TOO_MUCH = "Please reduce the amount of data you're asking for, then retry your request"
KINDS = ("tiles", "search", "entity", "image_ids", "thumb", "other")
MAX_LIMIT = 2000
MAX_BBOX_AREA = 0.01  # square degrees

IMAGE_FIELDS = (
    "id", "geometry", "computed_geometry", "captured_at", "compass_angle", "computed_compass_angle",
    "sequence", "creator", "make", "model", "camera_type", "is_pano", "width", "height", "altitude",
    "computed_altitude", "quality_score", "exif_orientation", "thumb_256_url", "thumb_1024_url",
    "thumb_2048_url", "thumb_original_url", "atomic_scale", "camera_parameters", "computed_rotation",
    "merge_cc", "mesh", "sfm_cluster", "detections", "organization")
USER_FIELDS = ("id", "username")
ORG_FIELDS = ("id", "slug", "name", "description")
THUMB_SIZES = {"thumb_256_url": "256", "thumb_1024_url": "1024", "thumb_2048_url": "2048",
               "thumb_original_url": "original"}
_REDACT = re.compile(r"(?i)(access_token=)[^&#]*")
_CONFIGURE_ARGS = ("latency", "fault_rate", "faults", "fault_targets", "slow_seconds", "retry_after",
                   "fail_tiles", "dense_limit", "thumb_ttl")


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

    def response(self, style: str = "mapillary") -> tuple[int, dict[str, str], bytes]:
        if style == "graph":
            self._graph_style()
        body = dict(self.body, fbtrace_id=_trace_id())
        return self.status, dict(self.headers, **{"Content-Type": "application/json; charset=UTF-8"}), \
            json.dumps({"error": body}, separators=(",", ":")).encode()


    def _graph_style(self) -> None:
        """Reshape as the Graph platform answers codes 1, 2, 4 and 100 (query timeouts become code 1)."""
        b = self.body
        code = b["code"]
        if code == -2:
            code = b["code"] = 1
            b["message"] = TOO_MUCH
            b.pop("is_transient", None)
        if code not in (1, 2, 4, 100) or b.get("error_subcode") == 33 or self.status == 404:
            return
        b["type"] = "OAuthException"
        if code in (1, 2):
            self.status = 500
        else:
            self.status = 400
        if code in (2, 4):
            b["is_transient"] = True
        if code == 4:
            self.headers.pop("Retry-After", None)
        if code == 100 and not b["message"].startswith("(#100)"):
            b["message"] = "(#100) " + b["message"]


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
            self.counts: dict[str, int] = dict.fromkeys(
                ("requests",) + KINDS + ("faults", "errors", "quota_refused"), 0)
            self.log: list[tuple[str, int, str]] = []  # (kind, HTTP status or 0 for "drop", path)
            self.statuses: dict[int, int] = {}  # HTTP status (0: no answer) -> requests
            self.fault_kinds: dict[str, int] = {}  # fault or hostile switch -> requests
            # "YYYY-MM-DD token#<hash>" -> tile requests that day (the token itself is never kept)
            self.tile_quota: dict[str, int] = {}

    def record(self, kind: str, status: int, path: str, fault: str | None) -> None:
        with self._lock:
            self.counts["requests"] += 1
            self.counts[kind] += 1
            if fault:
                self.counts["faults"] += 1
                self.fault_kinds[fault] = self.fault_kinds.get(fault, 0) + 1
            elif status >= 400:
                self.counts["errors"] += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.log.append((kind, status, path))

    def count_tile(self, token: str, day: str) -> int:
        """Count one tile request against the token's daily quota; the count so far."""
        key = f"{day} token#{hashlib.sha256(token.encode()).hexdigest()[:10]}"
        with self._lock:
            n = self.tile_quota[key] = self.tile_quota.get(key, 0) + 1
            return n

    def bump(self, counter: str) -> None:
        with self._lock:
            self.counts[counter] += 1

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
    # the real service's manners and hostility (see the module docstring); all off by default
    error_style: str = "mapillary"
    app_usage: bool = False
    usage_budget_per_minute: int = 10_000
    usage_limit: bool = False
    tile_quota: int | None = None
    quota_style: str = "bare403"
    limit_sensitive: bool = False
    limit_sensitive_rows: int = 1200
    persistent_too_much: bool = False
    tile_schema: str = "2025"
    paging_token: str = "alternate"
    retry_after_value: str | None = None
    drip: bool = False
    drip_interval: float = 0.5
    blackhole: bool = False
    gzip_bomb: bool = False
    bomb_size: int = 1 << 30
    deep_json: bool = False
    deep_json_depth: int = 100_000
    bad_records: bool = False
    echo_token: bool = False
    down_after: int | None = None
    organization_field: bool = True  # images answer ``organization`` ({"id"}); False: code 100 like an older API


_CHOICES = {"error_style": ERROR_STYLES, "quota_style": QUOTA_STYLES, "tile_schema": TILE_SCHEMAS,
            "paging_token": PAGING_TOKEN}
_NULLABLE = ("tile_quota", "retry_after_value", "down_after")  # None turns these off


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
        self._stop = threading.Event()  # set by close(): waits and hostile loops end
        self._close_lock = threading.Lock()
        self._closed = False
        self._down = threading.Event()
        self._usage: deque[float] = deque()  # times of recent Graph and tile requests
        self._usage_lock = threading.Lock()
        self.clock: Callable[[], float] = time.time  # replaceable (the tile quota's UTC day)
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
                  dense_limit: int | None = None, thumb_ttl: float | None = None,
                  **switches: Any) -> None:
        """Change switches at run time; arguments left as None keep their value.

        ``switches``: the manners and hostile switches of ``Config`` (see the module docstring),
        e.g. ``error_style="graph"``, ``tile_quota=100``, ``blackhole=True``. For ``tile_quota``,
        ``retry_after_value`` and ``down_after``, None turns the switch off."""
        c = self.config
        for name, value in switches.items():
            if name not in Config.__annotations__ or name in _CONFIGURE_ARGS:
                raise TypeError(f"configure() got an unknown switch {name!r}")
            if value is None and name not in _NULLABLE:
                continue
            if name in _CHOICES and value not in _CHOICES[name]:
                raise ValueError(f"{name} must be one of {_CHOICES[name]}, not {value!r}")
            if value is not None:
                value = type(getattr(Config, name) if getattr(Config, name) is not None else value)(value)
            if name == "retry_after_value" and value is not None:
                value = str(value)
            setattr(c, name, value)
        if latency is not None:
            c.latency = float(latency)
        if fault_rate is not None:
            c.fault_rate = float(fault_rate)
        if faults is not None:
            fs = tuple(f.strip() for f in (faults.split(",") if isinstance(faults, str) else faults)
                       if f.strip())
            bad = [f for f in fs if f not in ALL_FAULT_KINDS]
            if bad:
                raise ValueError(f"unknown fault kinds {bad}; known: {ALL_FAULT_KINDS}")
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
        """Forget the statistics, the tile quota's counts and the x-app-usage window."""
        self.stats.reset()
        with self._usage_lock:
            self._usage.clear()

    def close(self) -> None:
        """Stop: new connections are refused at once, in-flight and idle connections end.
        Idempotent; callable from any thread (a handler's included)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.hang_up_all()
        self._thread.join(5)
        self._down.set()

    @property
    def closed(self) -> bool:
        """True once close() has finished: connections are refused."""
        return self._down.is_set()

    stop = close

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SandboxServer({self.url}, {self.world!r})"

    # -- helpers used by the handler ------------------------------------------------------

    def wait(self, seconds: float) -> bool:
        """Sleep, cut short by close(); True if the server is closing."""
        return self._stop.wait(seconds)

    def note_usage(self) -> int:
        """Count a Graph or tile request; the call volume of the last minute in percent."""
        now = time.monotonic()
        with self._usage_lock:
            q = self._usage
            q.append(now)
            while q and q[0] < now - 60:
                q.popleft()
            n = len(q)
        return int(100 * n / max(1, self.config.usage_budget_per_minute))

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
        schema, bad = self.config.tile_schema, self.config.bad_records
        key = (z, x, y, "computed" if computed else "public", schema, bad)
        with self._tile_lock:
            b = self._tile_cache.get(key)
            if b is not None:
                self._tile_cache.move_to_end(key)
                return b
        b = render_tile(self.world, z, x, y, computed, schema, bad)
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
                for im in self.world.all_images:
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

    def __init__(self, *args: Any, **kw: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kw)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up (after "cut", "slow", timeouts) are normal here

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        """End every open connection (their handlers see the end of input or a write error)."""
        with self._open_lock:
            socks = list(self._open)
        for sk in socks:
            try:
                sk.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


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
        style = cfg.error_style
        if cfg.down_after is not None and sb.stats["requests"] >= cfg.down_after:
            # the server goes down: this request gets no answer, later connections are refused
            self.close_connection = True
            sb.stats.record(kind, 0, log_path, "down")
            threading.Thread(target=sb.close, name="sandbox-down", daemon=True).start()
            return
        usage = sb.note_usage() if kind != "thumb" else 0
        if cfg.latency and sb.wait(cfg.latency):
            self.close_connection = True
            return
        hostile = kind in cfg.fault_targets
        if hostile and cfg.blackhole:
            sb.stats.record(kind, 0, log_path, "blackhole")
            self._blackhole(sb)
            return
        if hostile and cfg.drip:
            sb.stats.record(kind, 200, log_path, "drip")
            self._drip(sb)
            return
        fault, variant = sb.pick_fault(kind)
        if fault == "drop":
            # close the connection without any answer
            self.close_connection = True
            sb.stats.record(kind, 0, log_path, fault)
            return
        if fault == "slow" and sb.wait(cfg.slow_seconds):
            self.close_connection = True
            return
        answer: tuple[int, dict[str, str], bytes] | None = None
        special = fault if fault not in (None, "cut", "slow") else None
        if special:
            answer = _fault_response(fault, variant, cfg, kind)
        elif hostile and cfg.echo_token and kind in _GRAPH_OR_TILES and _token_of(self, kind, params):
            special = "echo_token"
            answer = _echo_token(sb, path, params, _token_of(self, kind, params) or "").response(style)
        elif cfg.usage_limit and kind in _GRAPH_OR_TILES and usage >= 100:
            special = "usage_limit"
            answer = _rate_limited(cfg).response(style)
        elif hostile and cfg.gzip_bomb and kind in _GRAPH_OR_TILES:
            special = "gzip_bomb"
            answer = 200, {"Content-Type": _TILE_TYPE if kind == "tiles" else _JSON_TYPE,
                           "Content-Encoding": "gzip"}, _gzip_bomb(cfg.bomb_size)
        elif hostile and cfg.deep_json and kind in ("search", "entity", "image_ids"):
            special = "deep_json"
            answer = 200, {"Content-Type": _JSON_TYPE}, _deep_json(cfg.deep_json_depth)
        if answer is None:
            try:
                answer = self._route(kind, path, params)
            except ApiError as e:
                answer = e.response(style)
            except Exception as e:  # a sandbox bug: answer like the real service's code 1
                answer = ApiError(500, f"An unknown error occurred ({type(e).__name__}: {e})",
                                  code=1).response()
            if hostile and cfg.bad_records and kind == "search" and answer[0] == 200:
                answer, special = _with_bad_rows(answer), "bad_records"
        status, headers, body = answer
        if cfg.app_usage and kind in _GRAPH_OR_TILES:
            headers["x-app-usage"] = json.dumps({"call_volume": usage, "cpu_time": usage // 2,
                                                 "total_time": usage // 2}, separators=(",", ":"))
        elif kind in ("search", "entity", "image_ids") and status < 500:
            # The real Graph API reports usage in x-app-usage (percent of the budget).
            pct = min(100, sb.stats["requests"] // 100)
            headers["x-app-usage"] = json.dumps({"call_count": pct, "total_cputime": 0, "total_time": 0},
                                                  separators=(",", ":"))
        sb.stats.record(kind, status, log_path, fault or special)
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

    def _blackhole(self, sb: SandboxServer) -> None:
        """Read the request, never answer; end when the client hangs up or the server closes."""
        self.close_connection = True
        conn = self.connection
        while not sb.wait(0.05):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and conn.recv(1, socket.MSG_PEEK) == b"":
                    return  # the client hung up
            except (OSError, ValueError):
                return

    def _drip(self, sb: SandboxServer) -> None:
        """A 200 answer one byte every drip_interval seconds, forever (until the client hangs
        up or the server closes): headers first, then a body that never reaches its length."""
        self.close_connection = True
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
                b"Content-Length: 1000000000\r\n\r\n{\"data\":[")
        i = 0
        while not sb.wait(sb.config.drip_interval):
            try:
                self.wfile.write(head[i:i + 1] if i < len(head) else b" ")
                self.wfile.flush()
            except OSError:
                return
            i += 1

    # -- routing ------------------------------------------------------------------------

    def _route(self, kind: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        sb = self.server.sandbox
        cfg = sb.config
        if kind == "thumb":
            return _thumb(sb, path, params)
        token = _token_of(self, kind, params)
        if kind == "tiles":
            m = _TILE_RE.match(path)
            assert m is not None
            _check_token(token)  # tiles: query parameter only
            z, x, y = int(m.group(2)), int(m.group(3)), int(m.group(4))
            if z > 14 or x >= 1 << z or y >= 1 << z:
                raise ApiError(404, "Tile not found", code=100)
            if cfg.tile_quota is not None:
                day = datetime.fromtimestamp(sb.clock(), timezone.utc).strftime("%Y-%m-%d")
                if sb.stats.count_tile(token or "", day) > cfg.tile_quota:
                    sb.stats.bump("quota_refused")
                    if cfg.quota_style == "bare403":
                        return 403, {}, b""
                    e = ApiError(429, "Application request limit reached", "OAuthException", 4, transient=True)
                    if cfg.retry_after_value is not None:
                        e.headers["Retry-After"] = cfg.retry_after_value
                    return e.response()
            if (z, x, y) in cfg.fail_tiles:
                raise ApiError(500, "Service temporarily unavailable", code=2, transient=True)
            body = sb.tile(z, x, y, m.group(1) == "mly1_computed_public")
            return 200, {"Content-Type": _TILE_TYPE}, body
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
            if oid not in sb.world.all_by_id:
                _entity(sb, oid, {})  # raises the unknown-id error
            data = {"data": []}  # the sandbox's images have no detections
        elif kind == "entity":
            data = _entity(sb, path[1:], params)
        else:
            raise ApiError(400, f"Unknown path components: {path}", "OAuthException", 2500)
        return 200, {"Content-Type": _JSON_TYPE}, json.dumps(data, separators=(",", ":")).encode()


_JSON_TYPE = "application/json; charset=UTF-8"
_TILE_TYPE = "application/x-protobuf"
_GRAPH_OR_TILES = ("tiles", "search", "entity", "image_ids", "other")


def _token_of(handler: BaseHTTPRequestHandler, kind: str, params: dict[str, str]) -> str | None:
    """Tiles: access_token= only. Graph API: Authorization: OAuth <token> (preferred) or ?access_token=."""
    if kind == "tiles":
        return params.get("access_token")
    auth = handler.headers.get("Authorization")
    if auth is not None:
        scheme, _, tok = auth.strip().partition(" ")
        return tok.strip() if scheme.lower() in ("oauth", "bearer") else auth
    return params.get("access_token")


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


def _echo_token(sb: SandboxServer, path: str, params: dict[str, str], token: str) -> ApiError:
    """The ``echo_token`` answer: a 401 whose message holds the request URL, token included."""
    q = dict(params, access_token=token)
    echoed = f"{sb.url}{path}?" + urlencode(q, quote_via=quote, safe=",")
    return ApiError(401, f"Invalid OAuth access token for the request {echoed}", "OAuthException", 190)


def _rate_limited(cfg: Config) -> ApiError:
    """Code 4 "Application request limit reached" (the recorded body), HTTP 429."""
    if cfg.retry_after_value is not None:
        ra_s = cfg.retry_after_value
    else:
        ra = cfg.retry_after
        ra_s = str(int(ra)) if float(ra).is_integer() else repr(float(ra))
    return ApiError(429, "Application request limit reached", code=4, transient=True,
                    headers={"Retry-After": ra_s})


def _fault_response(fault: str, variant: float, cfg: Config, kind: str = "search") -> tuple[int, dict[str, str],
                                                                                             bytes]:
    style = cfg.error_style
    if fault == "5xx":  # a proxy's 503: HTML or empty body
        if variant < 0.5:
            return 503, {"Content-Type": "text/html; charset=utf-8"}, \
                (b"<html><body><h1>503 Service Unavailable</h1>"
                 b"No server is available to handle this request.</body></html>")
        return 503, {}, b""
    if fault == "html503":  # the CDN's own error page
        return 503, {"Content-Type": "text/html; charset=utf-8", "Server": "CloudFront",
                     "X-Cache": "Error from cloudfront"}, _CDN_503
    if fault == "bare403":  # a refusal without JSON
        if variant < 0.5:
            return 403, {}, b""
        return 403, {"Content-Type": "text/plain"}, b"Forbidden"
    if fault == "empty204":  # no content (for a tile: an empty tile)
        if variant < 0.5:
            return 204, {}, b""
        return 200, {"Content-Type": _TILE_TYPE if kind == "tiles" else _JSON_TYPE}, b""
    if fault == "garbage":  # a captive portal or CDN page, with a 200: neither JSON nor a vector tile
        return 200, {"Content-Type": "text/html; charset=utf-8"}, \
            b"<html><head><title>Maintenance</title></head><body>Back soon.</body></html>"
    if fault == "nodata":  # valid JSON, 200, but no "data" list (nor a vector tile)
        return 200, {"Content-Type": "application/json"}, b'{"paging": {}}'
    if fault == "code1":
        msg = TOO_MUCH if style == "graph" else "An unknown error occurred"
        return ApiError(500, msg, code=1).response(style)
    if fault == "code2":
        return ApiError(500, "Service temporarily unavailable", code=2, transient=True).response(style)
    # ratelimit: the recorded body (josm-application_request_limit_reached.json); status 429 or 400
    e = _rate_limited(cfg)
    if variant >= 0.5:
        e.status = 400
    return e.response(style)


_CDN_503 = (b"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
            b"\"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" "
            b"CONTENT=\"text/html; charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be satisfied"
            b"</TITLE>\n</HEAD><BODY>\n<H1>503 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n"
            b"<HR noshade size=\"1px\">\nThe server is currently unavailable or overloaded.\n</BODY></HTML>")


_BOMB_CACHE: dict[int, bytes] = {}
_BOMB_LOCK = threading.Lock()


def _gzip_bomb(size: int) -> bytes:
    """A gzip member that inflates to ``size`` zero bytes (~1/1000 of it), built once per size:
    one compressed, fully flushed 1 MiB block of zeros repeated, then the true CRC and length."""
    with _BOMB_LOCK:
        b = _BOMB_CACHE.get(size)
        if b is not None:
            return b
        chunk = 1 << 20
        zeros = bytes(chunk)
        n, rest = divmod(size, chunk)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
        tail = (c.compress(bytes(rest)) if rest else b"") + c.flush(zlib.Z_FINISH)
        crc = 0
        for _ in range(n):
            crc = zlib.crc32(zeros, crc)
        crc = zlib.crc32(bytes(rest), crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        b = header + block * n + tail + struct.pack("<II", crc, size & 0xFFFFFFFF)
        _BOMB_CACHE[size] = b
        return b


@lru_cache(maxsize=4)
def _deep_json(depth: int) -> bytes:
    return b'{"data":' + b"[" * depth + b"]" * depth + b"}"


def _with_bad_rows(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, dict[str, str], bytes]:
    """A search answer with records no real image has appended (``bad_records``): absurd capture
    times (2**62, 1e20, -1e17), an infinite longitude, a dict as altitude, a point with a string
    coordinate, a NaN compass angle (written bare, ``NaN``, as Python's json does)."""
    status, headers, body = answer
    d = json.loads(body)
    rows = d.get("data")
    if not isinstance(rows, list) or not rows:
        return answer
    g = rows[0].get("geometry") or {"type": "Point", "coordinates": [6.13, 49.61]}
    lat = g["coordinates"][1]

    def row(k: int, **kw: Any) -> dict[str, Any]:
        return dict({"id": BAD_GRAPH_IDS[k], "geometry": g, "captured_at": 1600000000000}, **kw)

    d["data"] = rows + [
        row(0, captured_at=2 ** 62), row(1, captured_at=1e20), row(2, captured_at=-1e17),
        row(3, geometry={"type": "Point", "coordinates": [math.inf, lat]}), row(4, altitude={"a": 1}),
        row(5, computed_geometry={"type": "Point", "coordinates": ["a"]}), row(6, compass_angle=math.nan)]
    return status, headers, json.dumps(d, separators=(",", ":")).encode()


# --- Graph API ------------------------------------------------------------------------------------

def _image_fields(sb: SandboxServer) -> tuple[str, ...]:
    return IMAGE_FIELDS if sb.config.organization_field else IMAGE_FIELDS[:-1]


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
        elif f == "organization":
            if seq.organization_id:
                out["organization"] = {"id": seq.organization_id}
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
    im = w.all_by_id.get(oid)
    if im is not None:
        return render_image(sb, im, _fields(params, _image_fields(sb), "Image"))
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
    fields = _fields(params, _image_fields(sb), "Image")
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
        cfg = sb.config
        if cfg.persistent_too_much:
            raise ApiError(500, TOO_MUCH, code=1)
        cands = w.images_in_bbox(bbox)
        if cfg.limit_sensitive and len(cands) > cfg.limit_sensitive_rows and limit > 1000:
            # a big box with a big limit is "too much data"; the same box with limit <= 1000 works
            raise ApiError(500, TOO_MUCH, code=1)
        if len(cands) > cfg.dense_limit:
            # Dense boxes fail (deterministically, so a retry fails again) while their
            # quarters succeed; reported as "Please reduce the amount of data ..." (HTTP 500,
            # code 1) or "Query Timeout" (HTTP 400). Which one depends on the box.
            if zlib.crc32(params["bbox"].encode()) % 3 == 0:
                raise ApiError(400, "Query Timeout", code=-2, transient=False)
            raise ApiError(500, TOO_MUCH, code=1)
        matches = [im for im in cands if keep(im)]
        # Silent truncation with no paging: the first `limit` in a stable, non-spatial
        # order, so a capped answer misses images all over the box.
        matches.sort(key=lambda im: im.order_key)
        return {"data": [render_image(sb, im, fields, now) for im in matches[:limit]]}
    if ids is not None:
        found = [w.all_by_id[i] for i in dict.fromkeys(ids) if i in w.all_by_id]
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
    """creator_username / organization_id without bbox: pages of `limit`, newest first
    (captured_at descending, then id), with paging.next (a full URL) and paging.cursors.
    An unknown cursor (garbage, or past the end) is code 100."""
    after = params.get("after")
    ims = [im for im in sb.images_of(creator_id, org) if keep(im)]
    offset = 0
    if after:
        try:
            tag, _, num = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode().partition(":")
            offset = int(num)
            if tag != "o" or not num.isdigit() or offset > len(ims):
                raise ValueError(after)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Invalid parameter: after is not a valid cursor", code=100) from None
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
        mode = sb.config.paging_token
        if via_query and (mode == "always" or (mode == "alternate" and next_page % 2 == 0)):
            q.append(("access_token", params["access_token"]))
        out["paging"]["next"] = f"{sb.url}/images?" + urlencode(q, quote_via=quote, safe=",")
    return out


# --- thumbnails --------------------------------------------------------------------------------------

def _thumb(sb: SandboxServer, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    m = _THUMB_RE.match(path)
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    if m is None or m.group(1) not in sb.world.all_by_id:
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
    seq = sb.world.all_by_id[iid].seq
    w = 256 if size == "256" else 512
    return 200, {"Content-Type": "image/jpeg", "Cache-Control": "max-age=1209600"}, \
        _jpeg(int(iid), w, max(1, w * seq.height // seq.width))


_JPEG_LOCK = threading.Lock()


@lru_cache(maxsize=256)
def _jpeg(n: int, w: int, h: int) -> bytes:
    """A small baseline JPEG (as Mapillary serves), encoded by GDAL's JPEG driver from the picture
    ``_rows`` draws: sky, a coloured house band, road; colours from the id. Deterministic per id and size."""
    from osgeo import gdal  # the only non-standard import of the sandbox: thumbnails need GDAL

    rows = _rows(n, w, h)
    bands = [b"".join(row[b::3] for row in rows) for b in range(3)]
    name = f"/vsimem/sandbox_thumb_{n}_{w}x{h}_{threading.get_ident()}.jpg"
    with _JPEG_LOCK:  # GDAL's error state and driver calls: one thumbnail at a time
        src = gdal.GetDriverByName("MEM").Create("", w, h, 3, gdal.GDT_Byte)
        for b in range(3):
            src.GetRasterBand(b + 1).WriteRaster(0, 0, w, h, bands[b])
        dst = gdal.GetDriverByName("JPEG").CreateCopy(name, src, 0, ["QUALITY=80"])
        dst = src = None  # noqa: F841 (closing writes the file)
        data = _read_vsimem(name)
        for leftover in (name, name + ".aux.xml"):
            if gdal.VSIStatL(leftover) is not None:
                gdal.Unlink(leftover)
    if data[:2] != b"\xff\xd8" or data[-2:] != b"\xff\xd9":
        raise RuntimeError("GDAL's JPEG driver made no JPEG")
    return data


def _read_vsimem(name: str) -> bytes:
    from osgeo import gdal

    f = gdal.VSIFOpenL(name, "rb")
    if f is None:
        raise RuntimeError(f"cannot read {name}")
    try:
        gdal.VSIFSeekL(f, 0, 2)
        size = gdal.VSIFTellL(f)
        gdal.VSIFSeekL(f, 0, 0)
        return bytes(gdal.VSIFReadL(1, size, f))
    finally:
        gdal.VSIFCloseL(f)


def _rows(n: int, w: int, h: int) -> list[bytes]:
    """The thumbnail's picture as RGB rows: sky, a coloured house band, road; colours from the id."""
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
        rows.append(row)
    return rows
