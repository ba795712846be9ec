"""An on-disk cache of vector tiles, and a per-day count of tile requests.

Tiles are stored under ``<directory>/tiles/<layer>/<z>/<x>/<y>.mvt``: file names come from
the key only, and a key that looks like it holds a token is refused, so no token ever
reaches the disk. A file's modification time is when it was fetched (its age); its access
time, set on every hit, is when it was last used (its least-recently-used rank).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

DAILY_TILE_QUOTA = 50_000  # Mapillary's tile requests per day and app
_PART = re.compile(r"[A-Za-z0-9_-]+")
_TMP = ".tmp"
_STALE_TMP = 60.0  # seconds: a temporary file older than this was left by a crash


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mapillary-retriever``, else ``~/.cache/mapillary-retriever``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mapillary-retriever"


def _check_key(key: str) -> list[str]:
    if "MLY" in key or "access_token" in key.lower():
        raise ValueError("a cache key must not hold an access token; use layer/z/x/y")
    parts = key.split("/")
    if not all(_PART.fullmatch(p) for p in parts):
        raise ValueError(f"a cache key is parts of letters, digits, '_' and '-' joined by '/', not {key!r}")
    return parts


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` in a temporary file beside ``path`` (its name is this process's and thread's)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}{_TMP}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _replace(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` over ``path``: a reader sees the old file or the new one, never a part."""
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_atomic(path: Path, data: bytes) -> None:
    _replace(_write_temp(path, data), path)


class TileCache:
    """Tiles on disk for ``lifetime`` seconds, at most ``max_bytes`` in all (least recently
    used first out). Thread-safe. A cache that cannot write (full disk, no rights) just
    does not keep the tile: ``put`` never fails a search."""

    def __init__(self, directory: str | os.PathLike, *, lifetime: float = 24 * 3600,
                 max_bytes: int = 512 * 2**20):
        self.root = Path(directory) / "tiles"
        self.lifetime = lifetime
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._files: OrderedDict[str, int] = OrderedDict()  # path -> size, least recently used first
        self.total_bytes = 0
        self._scan()

    def _scan(self) -> None:
        """Once, at start: the files already there, by last use; leftovers of crashed writes go."""
        found = []
        now = time.time()
        for dirpath, _, names in os.walk(self.root):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                    if name.endswith(_TMP):
                        if now - st.st_mtime > _STALE_TMP:
                            os.unlink(path)
                    elif name.endswith(".mvt"):
                        found.append((st.st_atime, path, st.st_size))
                except OSError:
                    continue
        with self._lock:
            for _, path, size in sorted(found):
                self._files[path] = size
            self.total_bytes = sum(self._files.values())
            self._evict()

    def _path(self, key: str) -> Path:
        *dirs, name = _check_key(key)
        return self.root.joinpath(*dirs, name + ".mvt")

    def get(self, key: str) -> bytes | None:
        """The tile's bytes, or None when absent or older than the lifetime."""
        path = self._path(key)
        try:
            st = path.stat()
            now = time.time()
            if now - st.st_mtime > self.lifetime:
                self._drop(path)
                return None
            data = path.read_bytes()
            os.utime(path, (now, st.st_mtime))  # used now; its age stays
        except OSError:  # absent, or evicted by another thread meanwhile
            return None
        with self._lock:
            if str(path) in self._files:
                self._files.move_to_end(str(path))
            else:  # written by another process since the scan
                self._files[str(path)] = len(data)
                self.total_bytes += len(data)
                self._evict()
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` (atomically), then evict until under the byte cap."""
        path = self._path(key)
        if len(data) > self.max_bytes:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = _write_temp(path, data)
            with self._lock:
                _replace(tmp, path)
                old = self._files.pop(str(path), 0)
                self._files[str(path)] = len(data)
                self.total_bytes += len(data) - old
                self._evict()
        except OSError:
            return

    def discard(self, key: str) -> None:
        """Forget one tile (its bytes turned out unreadable)."""
        path = self._path(key)
        with self._lock:
            try:
                path.unlink()
            except OSError:
                pass
            self.total_bytes -= self._files.pop(str(path), 0)

    def clear(self) -> None:
        """Forget every tile."""
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
            self._files.clear()
            self.total_bytes = 0

    def _drop(self, path: Path) -> None:
        """Remove an expired file, unless another thread has just written it anew."""
        with self._lock:
            try:
                if time.time() - path.stat().st_mtime <= self.lifetime:
                    return
                path.unlink()
            except OSError:
                pass
            self.total_bytes -= self._files.pop(str(path), 0)

    def _evict(self) -> None:
        """With the lock held: remove the least recently used files until under the cap."""
        while self.total_bytes > self.max_bytes and self._files:
            path, size = self._files.popitem(last=False)
            self.total_bytes -= size
            try:
                os.unlink(path)
            except OSError:
                pass


def _utc_day() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


class DailyCounter:
    """Tile requests made today (UTC) with one token, kept in ``<directory>/tile-requests.json``
    under a SHA-256 hash of the token (never the token). A damaged file counts as 0."""

    FILE = "tile-requests.json"
    _locks: dict[str, threading.Lock] = {}
    _locks_lock = threading.Lock()

    def __init__(self, directory: str | os.PathLike, token: str):
        self.path = Path(directory) / self.FILE
        self._id = hashlib.sha256(token.encode("utf-8")).hexdigest()
        with self._locks_lock:
            self._lock = self._locks.setdefault(str(self.path.resolve()), threading.Lock())

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _count(self, data: dict, day: str) -> int:
        entry = data.get(self._id)
        if isinstance(entry, dict) and entry.get("day") == day and isinstance(entry.get("count"), int):
            return entry["count"]
        return 0

    def add(self, n: int = 1) -> int:
        """Count ``n`` more requests; returns today's total. Never fails a search."""
        with self._lock:
            day = _utc_day()
            data = self._read()
            total = self._count(data, day) + n
            data = {k: v for k, v in data.items() if isinstance(v, dict) and v.get("day") == day}
            data[self._id] = {"day": day, "count": total}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(self.path, json.dumps(data).encode("utf-8"))
            except OSError:
                pass
            return total

    def today(self) -> int:
        with self._lock:
            return self._count(self._read(), _utc_day())

    def warning(self, share: float = 0.8) -> str | None:
        """A message once today's requests reach ``share`` of the daily tile quota."""
        n = self.today()
        if n < share * DAILY_TILE_QUOTA:
            return None
        return (f"{n:,} tile requests today with this token: Mapillary allows about {DAILY_TILE_QUOTA:,} a day; "
                "further searches may be refused until midnight UTC.")
