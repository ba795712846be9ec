"""HTTP access to the Graph API and the vector tiles: retries, rate limits, cancel.

The token travels as ``Authorization: OAuth …`` to the Graph API and as
``access_token`` to the tiles (the tile server accepts nothing else). Neither
the token nor a URL carrying it is ever logged or put into an error message.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from . import errors
from .errors import AuthError, CancelledError, MapillaryError, RateLimitError, TransientError

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
USER_AGENT = "MapillaryRetriever/1.0 (QGIS plugin)"


@dataclass
class Config:
    graph_url: str = GRAPH_URL
    tiles_url: str = TILES_URL
    workers: int = 16  # requests in flight at once
    retries: int = 6  # per request, after the first try
    backoff: float = 0.5  # seconds; doubles each retry, with full jitter
    max_backoff: float = 30.0
    timeout: float = 60.0  # read timeout per request
    search_per_minute: int = 10_000  # Mapillary's documented limits
    entity_per_minute: int = 60_000
    # Graph strategy: a box answering split_at rows or more is probably capped (the cap is
    # 2000 and truncation is silent), so it is split; the first grid uses cells of cell_area
    # deg² (the service refuses 0.01 deg² or more).
    split_at: int = 1500
    cell_area: float = 0.0025

    @classmethod
    def from_env(cls, **overrides) -> Config:
        c = cls(graph_url=os.environ.get("MAPILLARY_GRAPH_URL", GRAPH_URL).rstrip("/"),
                tiles_url=os.environ.get("MAPILLARY_TILES_URL", TILES_URL).rstrip("/"))
        for k, v in overrides.items():
            setattr(c, k, v)
        return c


def token_from_env() -> str | None:
    return os.environ.get("MAPILLARY_ACCESS_TOKEN") or None


class _Pacer:
    """Keeps requests of one kind under a rate, and holds every thread back
    after the server says the limit was reached."""

    def __init__(self, per_minute: int):
        self.interval = 60.0 / per_minute
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.paused_until = 0.0

    def wait_time(self) -> float:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at, self.paused_until)
            self.next_at = at + self.interval
            return at - now

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class Client:
    """One per search. Thread-safe: each worker thread gets its own HTTP session."""

    def __init__(self, token: str | None, config: Config | None = None,
                 cancelled: Callable[[], bool] | None = None):
        if not token:
            raise AuthError("No Mapillary access token. Get a client token at "
                            "https://www.mapillary.com/dashboard/developers and set it in the plugin "
                            "settings or in MAPILLARY_ACCESS_TOKEN.")
        self._token = token
        self.config = config or Config.from_env()
        self.cancelled = cancelled or (lambda: False)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._count_lock = threading.Lock()
        self.requests = 0
        self._pacers = {"search": _Pacer(self.config.search_per_minute),
                        "entity": _Pacer(self.config.entity_per_minute),
                        "tile": _Pacer(600_000)}  # tiles: a daily quota, not a rate; no pacing
        self._fatal: MapillaryError | None = None

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
            except ValueError:
                raise errors.BadResponseError(f"Mapillary's answer to /{what} was not JSON.") from None
            if not isinstance(data, dict):
                raise errors.BadResponseError(f"Mapillary's answer to /{what} was not a JSON object.")
            if collection and not isinstance(data.get("data"), list):
                raise errors.BadResponseError(f"Mapillary's answer to /{what} had no 'data' list.")
            return data

        return self._get(url, params, kind, {"Authorization": "OAuth " + self._token}, parse)

    def tile(self, z: int, x: int, y: int, layer: str = "mly1_public") -> bytes:
        url = self.config.tiles_url + TILE_PATH.format(layer=layer, z=z, x=x, y=y)
        return self._get(url, {"access_token": self._token}, "tile", {})

    # --- internals ------------------------------------------------------
    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            s.trust_env = True  # honour the system proxy settings
            self._local.session = s
            with self._count_lock:
                self._sessions.append(s)
        return s

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close every worker's connections."""
        with self._count_lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

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
        pacer = self._pacers["entity" if kind == "entity" else kind if kind in self._pacers else "search"]
        attempt = 0
        while True:
            self.check_cancel()
            self.sleep(pacer.wait_time())
            try:
                body = self._once(url, params, headers)
                return parse(body) if parse else body
            except AuthError as e:
                self._fatal = e  # stop every other worker too: no retry storm
                raise
            except MapillaryError as e:
                if not e.transient or isinstance(e, errors.TooMuchDataError) or attempt >= self.config.retries:
                    raise
                # full jitter for the backoff: not a security use of random
                delay = random.uniform(0, min(self.config.max_backoff, self.config.backoff * 2**attempt))  # nosec B311
                if isinstance(e, RateLimitError):
                    wait = e.retry_after if e.retry_after is not None else max(delay, self.config.backoff * 4)
                    pacer.pause(wait)
                    delay = max(delay, wait)
                log.debug("retrying %s in %.2fs: %s", url.split("?")[0], delay, e)
                attempt += 1
                self.sleep(delay)

    def _once(self, url: str, params: dict | None, headers: dict) -> bytes:
        with self._count_lock:
            self.requests += 1
        try:
            r = self._session().get(url, params=params, headers=headers,
                                    timeout=(10, self.config.timeout), allow_redirects=True)
            body = r.content
        except (requests.ConnectionError, requests.Timeout) as e:
            raise TransientError(f"Could not reach Mapillary ({type(e).__name__}).") from None
        except requests.RequestException as e:
            raise TransientError(f"The connection to Mapillary broke ({type(e).__name__}).") from None
        expected = r.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != len(body) \
                and not r.headers.get("Content-Encoding"):
            raise errors.BadResponseError(f"Mapillary's answer was cut short ({len(body)} of {expected} bytes).")
        if r.status_code == 200:
            return body
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        raise errors.from_response(r.status_code, parsed, _retry_after(r.headers.get("Retry-After")))


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
