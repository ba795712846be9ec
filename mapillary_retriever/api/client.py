"""HTTP access to the Graph API and the vector tiles: retries, rate limits, quotas, cancel.

The ``Client`` decides what to retry and when to give up; a ``Transport`` only moves
bytes. The command line uses ``RequestsTransport`` (which honours HTTPS_PROXY,
HTTP_PROXY and NO_PROXY); inside QGIS a transport over QGIS's own network stack is
plugged in, so its proxy, certificates and Network Logger apply.

The token travels as ``Authorization: OAuth …`` to the Graph API and as
``access_token`` to the tiles (the tile server accepts nothing else). Neither
the token nor a URL carrying it is ever logged or put into an error message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

import requests
import requests.adapters
import urllib3
import urllib3.connection

from .. import __about__
from . import errors
from .errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    ForbiddenError,
    MapillaryError,
    QuotaError,
    RateLimitError,
    TransientError,
    UnreachableError,
)

log = logging.getLogger("mapillary_retriever")


class _RedactTokens(logging.Filter):
    """urllib3 logs every URL it fetches at debug level, tile tokens included: redact them."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        safe = errors.redact(text)
        if safe != text:
            record.msg, record.args = safe, None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactTokens())

GRAPH_URL = "https://graph.mapillary.com"
TILES_URL = "https://tiles.mapillary.com"
TILE_PATH = "/maps/vtp/{layer}/2/{z}/{x}/{y}"
USER_AGENT = __about__.USER_AGENT
CHECK_IMAGE_ID = "178993950747668"  # a public image: one entity request checks a token


@dataclass
class Config:
    graph_url: str = GRAPH_URL
    tiles_url: str = TILES_URL
    workers: int = 16  # requests in flight at once
    retries: int = 6  # per request, after the first try
    backoff: float = 0.5  # seconds; doubles each retry, with full jitter
    max_backoff: float = 30.0
    connect_timeout: float = 10.0  # seconds to connect
    timeout: float = 15.0  # seconds without a byte from the server
    deadline: float = 180.0  # seconds for one whole request (connect + every byte)
    give_up_after: float = 15.0  # stop when nothing has answered for this long
    max_retry_after: float = 120.0  # a longer Retry-After stops the search instead of waiting
    max_body: int = 64 * 2**20  # bytes, decoded: dense real tiles are ~10 MB
    search_per_minute: int = 10_000  # Mapillary's documented limits
    entity_per_minute: int = 60_000
    # Graph strategy: a box answering split_at rows or more is probably capped (the cap is
    # 2000 and truncation is silent), so it is split; the first grid uses cells of cell_area
    # deg² (the service refuses 0.01 deg² or more).
    split_at: int = 1500
    cell_area: float = 0.0025
    # tile cache on disk (see api/cache.py): None = no cache; refresh = fetch again and replace
    cache_dir: str | None = None
    cache_lifetime: float = 24 * 3600.0
    cache_max_bytes: int = 1024 * 2**20
    refresh: bool = False
    max_searches: int = 5_000  # bbox/user searches per search: a server that keeps refusing cannot run up more

    @classmethod
    def from_env(cls, **overrides) -> Config:
        """Endpoints from MAPILLARY_GRAPH_URL / MAPILLARY_TILES_URL, then ``overrides``
        (a misspelt name is an error, not silently ignored)."""
        c = cls(graph_url=os.environ.get("MAPILLARY_GRAPH_URL", GRAPH_URL).rstrip("/"),
                tiles_url=os.environ.get("MAPILLARY_TILES_URL", TILES_URL).rstrip("/"))
        return c.with_(**overrides)

    def with_(self, **changes) -> Config:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"Config has no setting {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        return dataclasses.replace(self, **changes)


def token_from_env() -> str | None:
    return os.environ.get("MAPILLARY_ACCESS_TOKEN") or None


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


class Transport(Protocol):
    """Moves one GET. Raises UnreachableError when it cannot connect or nothing arrives in
    time, TransientError when the connection breaks, BadResponseError when the body is cut
    short or larger than ``max_body``."""

    def get(self, url: str, params: dict | None, headers: dict[str, str], config: Config) -> Response: ...

    def close(self) -> None: ...


_waiting = threading.local()  # per worker thread: [socket] of the request whose headers are awaited


class _Watched:
    """Connections that tell the transport which socket awaits the answer's headers, so a watchdog
    can hang up at the deadline (a per-read timeout never fires while a server drips headers)."""

    def getresponse(self, *args, **kwargs):
        holder = getattr(_waiting, "holder", None)
        if holder is not None:
            holder[0] = self.sock  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = type("_WatchedHTTPConnection", (_Watched, urllib3.connection.HTTPConnection), {})


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = type("_WatchedHTTPSConnection", (_Watched, urllib3.connection.HTTPSConnection), {})


class _Adapter(requests.adapters.HTTPAdapter):
    _pools = {"http": _HTTPPool, "https": _HTTPSPool}

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools

    def proxy_manager_for(self, proxy, **kwargs):
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS proxies bring their own connections
            manager.pool_classes_by_scheme = self._pools
        return manager


def _hang_up(holder: list) -> None:
    sock = holder[0]
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class RequestsTransport:
    """``requests`` with one session per worker thread; bodies streamed under a size cap and
    an overall deadline (a server that drips a byte at a time cannot hold a worker forever)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            s.trust_env = True  # HTTPS_PROXY, HTTP_PROXY, NO_PROXY
            s.mount("http://", _Adapter())
            s.mount("https://", _Adapter())
            self._local.session = s
            with self._lock:
                self._sessions.append(s)
        return s

    def get(self, url: str, params: dict | None, headers: dict[str, str], config: Config) -> Response:
        start = time.monotonic()
        holder = _waiting.holder = [None]
        watchdog = threading.Timer(config.deadline, _hang_up, (holder,))
        watchdog.daemon = True
        watchdog.start()
        try:
            r = self._session().get(url, params=params, headers=headers, stream=True, allow_redirects=True,
                                    timeout=(config.connect_timeout, config.timeout))
        except (requests.ConnectionError, requests.Timeout) as e:
            if time.monotonic() - start >= config.deadline:
                raise UnreachableError("Mapillary's answer did not arrive in time (it came too slowly).") from None
            raise UnreachableError(f"Could not reach Mapillary: {_why(e, config)}.") from None
        except requests.RequestException as e:
            raise TransientError(f"The connection to Mapillary broke ({type(e).__name__}).") from None
        finally:
            watchdog.cancel()
            _waiting.holder = None
        try:
            body = _read_body(r, start + config.deadline, config.max_body)
        except (requests.RequestException, OSError, zlib.error) as e:
            raise TransientError(f"The connection to Mapillary broke ({type(e).__name__}).") from None
        finally:
            r.close()
        return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, body)

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()


def _why(e: Exception, config: Config) -> str:
    """A connection failure in words."""
    text = str(e).lower()
    if isinstance(e, requests.exceptions.ProxyError):
        return "the proxy refused or failed the connection"
    if isinstance(e, requests.exceptions.SSLError):
        return "the secure connection failed (certificate)"
    if isinstance(e, requests.exceptions.ConnectTimeout):
        return f"no connection within {config.connect_timeout:g} s"
    if isinstance(e, requests.Timeout):
        return f"no answer within {config.timeout:g} s"
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "resolve" in text or "nodename" in text:
        return "the server name could not be resolved"
    return "the connection failed"


def _read_body(r: requests.Response, deadline: float, max_body: int) -> bytes:
    """The decoded body, read as it arrives: at most ``max_body`` bytes, before ``deadline``."""
    raw = r.raw
    fp = getattr(raw, "_fp", None)  # http.client's response: read1 returns what one receive brings
    read = fp.read1 if fp is not None and hasattr(fp, "read1") else (lambda n: raw.read(n, decode_content=False))
    encoding = r.headers.get("Content-Encoding", "").strip().lower()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS) \
        if encoding in ("gzip", "deflate") else None
    parts, size, wire = [], 0, 0
    while True:
        if time.monotonic() > deadline:
            raise UnreachableError("Mapillary's answer did not arrive in time (it came too slowly).")
        chunk = read(65536)
        if not chunk:
            break
        wire += len(chunk)
        if inflate is not None:
            chunk = inflate.decompress(chunk, max_body + 1 - size)
            if inflate.unconsumed_tail:
                chunk += b"x"  # more than the cap: the check below stops it
        size += len(chunk)
        if size > max_body:
            raise BadResponseError(f"Mapillary's answer is larger than {max_body // 2**20} MB: not read.")
        parts.append(chunk)
    expected = r.headers.get("Content-Length")
    if expected is not None and expected.isdigit() and int(expected) != wire:
        raise BadResponseError(f"Mapillary's answer was cut short ({wire} of {expected} bytes).")
    return b"".join(parts)


class _Pacer:
    """Keeps requests of one kind under a rate, and holds every thread back
    after the server says the limit was reached."""

    def __init__(self, per_minute: int):
        self.interval = 60.0 / per_minute
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.paused_until = 0.0
        self.slow = 1.0  # stretches the interval when the app's usage nears its limit

    def wait_time(self) -> float:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at, self.paused_until)
            self.next_at = at + self.interval * self.slow
            return at - now

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)


def seconds_to_utc_midnight(now: datetime | None = None) -> float:
    now = now or datetime.now(timezone.utc)
    tomorrow = (now.replace(hour=0, minute=0, second=0, microsecond=0)).timestamp() + 86400
    return tomorrow - now.timestamp()


class Client:
    """One per search. Thread-safe. ``transport`` defaults to ``RequestsTransport``."""

    def __init__(self, token: str | None, config: Config | None = None, transport: Transport | None = None,
                 cancelled: Callable[[], bool] | None = None):
        if not token:
            raise AuthError("No Mapillary access token. Get a client token at "
                            "https://www.mapillary.com/dashboard/developers and set it in the plugin "
                            "settings or in MAPILLARY_ACCESS_TOKEN.")
        self._token = token
        self.config = config or Config.from_env()
        self.transport: Transport = transport if transport is not None else RequestsTransport()
        self.cancelled = cancelled or (lambda: False)
        self._lock = threading.RLock()  # stop() is called with it held (max_searches)
        self.requests = 0
        self.searches = 0
        self._pacers = {"search": _Pacer(self.config.search_per_minute),
                        "entity": _Pacer(self.config.entity_per_minute),
                        "tile": _Pacer(600_000), "thumb": _Pacer(600_000)}  # tiles: a daily quota, not a rate
        self._fatal: MapillaryError | None = None
        self._last_answer = time.monotonic()  # the last time the server answered anything
        self._refused_tiles = 0  # tile refusals in a row (bare 403s, rate limits without Retry-After)
        self._refused_at = 0.0  # when the last one arrived: only a tile asked after it breaks the run
        self._rate_limited = 0  # rate-limit answers in a row without Retry-After
        self.usage: float | None = None  # the app's usage in percent, from x-app-usage
        self.tiles_fetched = 0  # from the network (not the cache)
        self.cache_hits = 0
        self.cache = self.tile_counter = None
        # cache keys name the tile server and the token by a hash, never the token itself: a tile
        # fetched with one token is not served to another (a revoked token gets nothing from the cache)
        self._cache_prefix = "t" + hashlib.sha256((self.config.tiles_url + "\n" + token).encode()).hexdigest()[:16]
        if self.config.cache_dir:
            from .cache import DailyCounter, TileCache

            self.cache = TileCache(self.config.cache_dir, lifetime=self.config.cache_lifetime,
                                   max_bytes=self.config.cache_max_bytes)
            self.tile_counter = DailyCounter(self.config.cache_dir, token)

    # --- public calls ---------------------------------------------------
    def graph(self, path: str, params: dict | None = None, kind: str = "search") -> dict:
        """GET a Graph API path (or a full ``paging.next`` URL) and return its JSON object.
        A search (``/images``, ``/image_ids``) must answer a ``data`` list; a body that is
        not JSON, or lacks it, is retried like any transient failure."""
        url = path if path.startswith("http") else self.config.graph_url + "/" + path.lstrip("/")
        what = url.split("?")[0].rsplit("/", 1)[-1]
        collection = kind == "search"

        def parse(body: bytes) -> dict:
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                raise BadResponseError(f"Mapillary's answer to /{what} was not JSON.") from None
            if not isinstance(data, dict):
                raise BadResponseError(f"Mapillary's answer to /{what} was not a JSON object.")
            if collection and not isinstance(data.get("data"), list):
                raise BadResponseError(f"Mapillary's answer to /{what} had no 'data' list.")
            return data

        return self._get(url, params, kind, {"Authorization": "OAuth " + self._token}, parse)

    def tile(self, z: int, x: int, y: int, layer: str = "mly1_public") -> bytes:
        """A vector tile, from the cache on disk when it holds a fresh copy."""
        key = f"{self._cache_prefix}/{layer}/{z}/{x}/{y}"
        if self.cache is not None and not self.config.refresh:
            data = self.cache.get(key)
            if data is not None:
                with self._lock:
                    self.cache_hits += 1
                return data
        url = self.config.tiles_url + TILE_PATH.format(layer=layer, z=z, x=x, y=y)
        body = self._get(url, {"access_token": self._token}, "tile", {})
        with self._lock:
            self.tiles_fetched += 1
        if self.cache is not None:
            self.cache.put(key, body)
        return body

    def forget_tile(self, z: int, x: int, y: int, layer: str = "mly1_public") -> None:
        """Drop a tile from the cache (it could not be read): the next ``tile`` asks the network."""
        if self.cache is not None:
            self.cache.discard(f"{self._cache_prefix}/{layer}/{z}/{x}/{y}")

    def fetch(self, url: str, kind: str = "thumb") -> bytes:
        """GET a full URL that carries its own signature (thumbnails): no token is sent."""
        return self._get(url, None, kind, {})

    def check_token(self) -> None:
        """One small entity request (not a search, which spends search budget); raises AuthError.
        An answer that the image does not exist (any more) still means the token was accepted."""
        try:
            self.graph(CHECK_IMAGE_ID, {"fields": "id"}, kind="entity")
        except errors.NotFoundError:
            pass

    # --- internals ------------------------------------------------------
    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()
        with self._lock:
            fetched, self.tiles_fetched = self.tiles_fetched, 0
        if self.tile_counter is not None and fetched:
            self.tile_counter.add(fetched)

    def quota_warning(self) -> str | None:
        """A warning when this token's tiles today near the daily quota (counted beside the cache)."""
        return self.tile_counter.warning() if self.tile_counter is not None else None

    def _quota_spent(self) -> bool:
        if self.tile_counter is None:
            return False
        from .cache import DAILY_TILE_QUOTA

        return self.tile_counter.today() + self.tiles_fetched >= DAILY_TILE_QUOTA

    def stop(self, error: MapillaryError) -> None:
        """Stop every worker: the search cannot go on (token refused, quota spent, unreachable)."""
        with self._lock:
            if self._fatal is None:
                self._fatal = error

    @property
    def fatal(self) -> MapillaryError | None:
        return self._fatal

    def check_cancel(self) -> None:
        if self._fatal is not None:
            raise self._fatal
        if self.cancelled():
            raise CancelledError()

    def sleep(self, seconds: float) -> None:
        """Sleep in small steps so a cancel is noticed quickly."""
        end = time.monotonic() + seconds
        while True:
            self.check_cancel()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))

    def _get(self, url: str, params: dict | None, kind: str, headers: dict, parse=None):
        """GET with retries; ``parse`` (raising BadResponseError) runs inside the retry loop."""
        pacer = self._pacers.get(kind, self._pacers["search"])
        attempt = 0
        while True:
            self.check_cancel()
            self.sleep(pacer.wait_time())
            try:
                body = self._once(url, params, headers, kind)
                return parse(body) if parse else body
            except (AuthError, QuotaError) as e:
                self.stop(e)  # stop every other worker too: no retry storm
                raise
            except MapillaryError as e:
                silent = time.monotonic() - self._last_answer
                if isinstance(e, UnreachableError) and silent > self.config.give_up_after:
                    why = e.message.rstrip(".").split(": ", 1)[-1]
                    self.stop(UnreachableError(
                        f"Mapillary could not be reached: nothing has answered for {silent:.0f} s ({why})."))
                    raise self._fatal from None  # type: ignore[misc]
                # a search refused as too much data is asked again smaller by its caller; for a tile
                # or an entity, "reduce the amount of data" is just a transient failure
                too_much = isinstance(e, errors.TooMuchDataError) and kind == "search"
                if not e.transient or too_much or attempt >= self.config.retries:
                    raise
                delay = self._delay(e, attempt, pacer)
                log.debug("retrying %s in %.2fs: %s", errors.redact(url.split("?")[0]), delay, e)
                attempt += 1
                self.sleep(delay)

    def _delay(self, e: MapillaryError, attempt: int, pacer: _Pacer) -> float:
        # full jitter for the backoff: not a security use of random
        delay = random.uniform(0, min(self.config.max_backoff, self.config.backoff * 2**attempt))  # nosec B311
        if isinstance(e, RateLimitError):
            if e.retry_after is not None:
                if e.retry_after > self.config.max_retry_after:
                    self.stop(RateLimitError(
                        f"Mapillary asks to wait {_duration(e.retry_after)} before the next request; "
                        "the search stops here. Try again later.", retry_after=e.retry_after))
                    self.check_cancel()
                wait = e.retry_after
            else:  # no Retry-After (the Graph platform's code 4): back off more each time in a row
                with self._lock:
                    self._rate_limited += 1
                    n = self._rate_limited
                wait = min(self.config.max_retry_after, self.config.backoff * 4 * 2 ** (n - 1))
            pacer.pause(wait)
            delay = max(delay, wait)
        return delay

    def _once(self, url: str, params: dict | None, headers: dict, kind: str) -> bytes:
        with self._lock:
            self.requests += 1
            if kind == "search":
                self.searches += 1
                if self.searches > self.config.max_searches:
                    self.stop(errors.TooManySearchesError(
                        f"The search stopped after {self.config.max_searches:,} Graph API searches: Mapillary "
                        "kept refusing boxes as too dense. Search a smaller area, or use the tile strategy."))
        self.check_cancel()
        sent = time.monotonic()
        r = self.transport.get(url, params, headers, self.config)
        self._last_answer = time.monotonic()
        self._read_usage(r.headers.get("x-app-usage"))
        if 200 <= r.status < 300:
            with self._lock:
                # "in a row" is in the order tiles were asked: an answer to a tile asked before the last
                # refusal (workers run side by side) says nothing about the server now
                if kind == "tile" and sent > self._refused_at:
                    self._refused_tiles = 0
                self._rate_limited = 0
            return r.body
        try:
            parsed = json.loads(r.body) if r.body[:1] in (b"{", b"[") else None
        except (ValueError, RecursionError):
            parsed = None
        err = errors.from_response(r.status, parsed, _retry_after(r.headers.get("retry-after")))
        if kind == "tile":
            err = self._tile_rate_limit(self._tile_error(err))
        raise err

    def _tile_error(self, err: MapillaryError) -> MapillaryError:
        """Bare 403s from the tile server: one is a refused tile, three in a row a refused client.
        A rate limit when the day's tiles are spent is the daily quota."""
        if isinstance(err, ForbiddenError):
            if self._refused() >= 3:
                reset = _duration(seconds_to_utc_midnight())
                return QuotaError("Mapillary's tile server refuses this client (quota or network policy); "
                                  f"the daily tile quota resets at 00:00 UTC (in {reset}).", status=403)
        if isinstance(err, RateLimitError) and self._quota_spent():
            return QuotaError("The app's daily tile quota is spent; it resets at 00:00 UTC "
                              f"(in {_duration(seconds_to_utc_midnight())}).", status=err.status)
        return err

    def _refused(self) -> int:
        """Count one more tile refusal; how many in a row."""
        with self._lock:
            self._refused_tiles += 1
            self._refused_at = time.monotonic()
            return self._refused_tiles

    def _tile_rate_limit(self, err: MapillaryError) -> MapillaryError:
        """The tile server has a daily quota, not a per-minute limit: rate-limit answers without
        Retry-After six times in a row (with the refusals, across the progressive waits) mean the
        day's tiles are spent; fewer may be a passing limit."""
        if not isinstance(err, RateLimitError) or err.retry_after is not None:
            return err
        if self._refused() < 6:
            return err
        return QuotaError("Mapillary's tile server keeps refusing with a rate limit: the app's daily tile quota "
                          f"is probably spent; it resets at 00:00 UTC (in {_duration(seconds_to_utc_midnight())}).",
                          status=err.status)

    def _read_usage(self, header: str | None) -> None:
        """``x-app-usage``: slow down above 80 % of the app's budget, nearly stop above 95 %."""
        if not header:
            return
        try:
            data = json.loads(header)
            usage = float(data.get("call_volume", data.get("call_count")))
        except (ValueError, TypeError, AttributeError):
            return
        self.usage = usage
        slow = 1.0 if usage < 80 else 1.0 + (usage - 80) * 2
        for p in self._pacers.values():
            p.slow = slow
            if p.interval * slow < 0.05 and usage >= 80:
                p.slow = 0.05 / p.interval  # at least 20 requests a second less
        if usage >= 95:
            self._pacers["search"].pause(5.0)
            self._pacers["entity"].pause(5.0)


def _duration(seconds: float) -> str:
    if seconds != seconds or seconds > 86400 * 365:
        return "an unlimited time"
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"


def _retry_after(value: str | None) -> float | None:
    try:
        v = float(value) if value is not None else None
    except ValueError:
        return None
    if v is None:
        return None
    return max(0.0, v) if v == v else float("inf")
