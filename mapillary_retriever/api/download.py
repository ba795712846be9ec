"""Download Mapillary image files (their thumbnails) with EXIF, losslessly.

Each image goes to ``DIR/<image id>.jpg``: the JPEG exactly as Mapillary serves it, with an
EXIF block (position, direction, capture time, camera, id: see ``exif.add_exif``) added to
its header. Nothing is re-encoded.

- Thumbnail URLs are signed and expire, so they are asked for fresh, 50 ids per Graph API
  request, just before use; a URL that answers 403 (expired) is asked for again (twice at most).
- A file is written as ``DIR/.<id>.jpg.part`` and renamed into place: a ``.jpg`` under its
  final name is always complete. A file already there, complete and carrying our EXIF with
  the same id, is skipped, so running twice downloads nothing the second time.
- A full disk stops everything with a message; a cancel stops between images. Neither leaves
  part files behind.

The client needs two methods: ``graph(path, params, kind)`` -> dict (the engine's
``Client.graph``) and ``fetch(url, kind="thumb")`` -> bytes, raising ``errors.MapillaryError``
subclasses (with ``status`` set for HTTP errors) once its own retries are spent.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import errors
from .exif import EOI, SOI, add_exif, read_image_id
from .records import Image

SIZES = ("256", "1024", "2048", "original")
URL_BATCH = 50  # image ids per Graph API request for thumbnail URLs
MAX_REFRESH = 2  # fresh URLs asked for one image after expired ones
_HEAD = 1 << 17  # bytes read to check a file's EXIF (the block sits in the first 64 KiB)
_ID_RE = re.compile(r"[0-9A-Za-z_-]{1,64}")
_EXPIRED = (403, 410)
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class ImageClient(Protocol):
    def graph(self, path: str, params: dict | None = None, kind: str = "search") -> dict: ...

    def fetch(self, url: str, kind: str = "thumb") -> bytes: ...


@dataclass
class DownloadReport:
    total: int = 0  # distinct images asked for
    downloaded: int = 0
    skipped: int = 0  # already there, complete
    failed: list[tuple[str, str]] = field(default_factory=list)  # (image id, reason)
    paths: dict[str, str] = field(default_factory=dict)  # image id -> file, for every image now on disk
    not_started: list[str] = field(default_factory=list)  # ids left out by a cancel or a stop
    cancelled: bool = False
    disk_full: bool = False
    stopped: str | None = None  # why everything stopped: the disk is full, the token was refused…
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.failed and not self.not_started and not self.cancelled and self.stopped is None

    def summary(self) -> str:
        parts = [f"{self.downloaded} of {self.total} images downloaded"]
        if self.skipped:
            parts.append(f"{self.skipped} already there")
        if self.failed:
            parts.append(f"{len(self.failed)} failed: " + ", ".join(f"{i} ({r})" for i, r in self.failed[:3])
                         + (" …" if len(self.failed) > 3 else ""))
        if self.stopped:
            parts.append(self.stopped)
        elif self.cancelled:
            parts.append("cancelled before the end")
        if self.not_started:
            parts.append(f"{len(self.not_started)} not downloaded")
        return "; ".join(parts)


def file_is_complete(path: str | os.PathLike, image_id: str) -> bool:
    """True when ``path`` is a JPEG that ends with its EOI marker and carries our EXIF for ``image_id``."""
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
            f.seek(0, os.SEEK_END)
            if f.tell() < 4:
                return False
            f.seek(-2, os.SEEK_END)
            tail = f.read(2)
    except OSError:
        return False
    return head[:2] == SOI and tail == EOI and read_image_id(head) == image_id


def part_path(directory: str | os.PathLike, image_id: str) -> Path:
    return Path(directory) / f".{image_id}.jpg.part"


def download_images(images: Iterable[Image], directory: str | os.PathLike, client: ImageClient, *,
                    size: str = "1024", progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None, workers: int = 8) -> DownloadReport:
    """Download every image's ``size`` thumbnail ("256", "1024", "2048" or "original") to
    ``directory/<id>.jpg`` with EXIF. ``progress(done, total)`` is called from this thread;
    ``cancelled()`` is checked between images. Never raises for one image's failure: the
    report names it. Raises ValueError for an unknown size and OSError when the folder
    cannot be made."""
    size = str(size)
    if size not in SIZES:
        raise ValueError(f"unknown thumbnail size {size!r}; choose from {', '.join(SIZES)}")
    started = time.monotonic()
    cancelled = cancelled or (lambda: False)
    progress = progress or (lambda done, total: None)
    directory = Path(directory)
    unique = list({img.id: img for img in images}.values())
    report = DownloadReport(total=len(unique))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        if e.errno in _DISK_FULL:
            return _stop_full(report, directory, [i.id for i in unique], started)
        raise

    todo: list[Image] = []
    for img in unique:
        path = directory / f"{img.id}.jpg"
        if not _ID_RE.fullmatch(img.id):
            report.failed.append((img.id, "not a Mapillary image id"))
        elif file_is_complete(path, img.id):
            report.skipped += 1
            report.paths[img.id] = str(path)
        else:
            todo.append(img)
    done = report.skipped + len(report.failed)
    progress(done, report.total)

    if todo:
        job = _Job(client, directory, size, todo, cancelled)
        with ThreadPoolExecutor(max(1, int(workers)), thread_name_prefix="mapillary-download") as pool:
            futures = {pool.submit(job.run, img): img for img in todo}
            for fut in as_completed(futures):
                img = futures[fut]
                outcome, detail = fut.result()
                if outcome == "ok":
                    report.downloaded += 1
                    report.paths[img.id] = detail
                elif outcome == "failed":
                    report.failed.append((img.id, detail))
                else:
                    report.not_started.append(img.id)
                    continue
                done += 1
                progress(done, report.total)
                if not job.stop.is_set() and cancelled():
                    job.halt(None)
        for img in todo:  # belt and braces: no part file outlives the run
            with contextlib.suppress(OSError):
                part_path(directory, img.id).unlink()
        report.cancelled = job.cancelled and job.stopped is None
        if job.stopped is not None:
            report.stopped = job.stopped
            report.disk_full = job.disk_full
    order = {img.id: k for k, img in enumerate(unique)}
    report.failed.sort(key=lambda f: order.get(f[0], 0))
    report.not_started.sort(key=lambda i: order[i])
    report.seconds = time.monotonic() - started
    return report


def _stop_full(report: DownloadReport, directory: Path, ids: list[str], started: float) -> DownloadReport:
    report.disk_full = True
    report.stopped = f"The disk is full: there is no room left in {directory}."
    report.not_started = ids
    report.seconds = time.monotonic() - started
    return report


class _ImageFailedError(Exception):
    """One image could not be downloaded; the message says why."""


class _StopError(Exception):
    """Everything stops (full disk, refused token); the message says why."""


class _Job:
    """What the worker threads share."""

    def __init__(self, client: ImageClient, directory: Path, size: str, images: list[Image],
                 cancelled: Callable[[], bool]):
        self.client = client
        self.directory = directory
        self.size = size
        self.cancelled_cb = cancelled
        self.urls = _Urls(client, [img.id for img in images], size)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.stopped: str | None = None
        self.disk_full = False
        self.cancelled = False

    def halt(self, message: str | None, disk_full: bool = False) -> None:
        with self.lock:
            if message is None:
                self.cancelled = True
            elif self.stopped is None:
                self.stopped, self.disk_full = message, disk_full
        self.stop.set()

    def run(self, img: Image) -> tuple[str, str]:
        """("ok", path) or ("failed", reason) or ("not started", "")."""
        if self.stop.is_set():
            return "not started", ""
        if self.cancelled_cb():
            self.halt(None)
            return "not started", ""
        try:
            return "ok", self._download(img)
        except _ImageFailedError as e:
            return "failed", str(e)
        except errors.CancelledError:
            self.halt(None)
            return "not started", ""
        except errors.AuthError as e:
            self.halt(e.message)
            return "not started", ""
        except errors.MapillaryError as e:
            return "failed", e.message
        except _StopError as e:
            return "not started", str(e)

    def _download(self, img: Image) -> str:
        tags = self._tags(img)  # refuse a bad position before any download
        refreshes = bad_answers = 0
        stale: str | None = None
        while True:
            row = self.urls.row(img.id, stale)
            url = row.get(self.urls.field)
            if not isinstance(url, str) or not url:
                raise _ImageFailedError(f"Mapillary gave no {self.size} px image URL for it")
            try:
                data = self.client.fetch(url, kind="thumb")
            except errors.MapillaryError as e:
                if e.status in _EXPIRED and refreshes < MAX_REFRESH:
                    refreshes += 1
                    stale = url  # signed URLs expire: ask for a fresh one
                    continue
                if e.status in _EXPIRED:
                    raise _ImageFailedError(
                        f"Mapillary refused its image URL {refreshes + 1} times (HTTP {e.status})") from None
                raise
            stale = None
            if not (data[:2] == SOI and data[-2:] == EOI):
                if bad_answers < 1:
                    bad_answers += 1
                    continue
                raise _ImageFailedError("Mapillary's answer was not a complete JPEG image")
            try:
                out = add_exif(data, **tags, **self._extra(img, row))
            except ValueError as e:
                raise _ImageFailedError(f"its JPEG could not be read ({e})") from None
            return self._write(img.id, out)

    def _tags(self, img: Image) -> dict:
        lat, lon = _number(img.lat), _number(img.lon)
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _ImageFailedError(f"its position ({img.lon}, {img.lat}) is not a valid longitude, latitude")
        when = img.captured_at if isinstance(img.captured_at, int) and not isinstance(img.captured_at, bool) \
            else None
        return {"lat": lat, "lon": lon, "direction": _number(img.compass_angle), "captured_at_ms": when,
                "image_id": img.id}

    def _extra(self, img: Image, row: dict) -> dict:
        extra = img.extra or {}

        def pick(key: str):
            v = row.get(key)
            return v if v not in (None, "") else extra.get(key)

        alt = _number(pick("altitude"))
        if alt is not None and abs(alt) > 100_000:  # nonsense (or an unsigned wrap): leave it out
            alt = None
        make, model = pick("make"), pick("model")
        return {"altitude": alt, "make": str(make) if make else None, "model": str(model) if model else None}

    def _write(self, image_id: str, data: bytes) -> str:
        final = self.directory / f"{image_id}.jpg"
        part = part_path(self.directory, image_id)
        if self.stop.is_set():
            raise _StopError("")
        try:
            _write_file(part, data)
            os.replace(part, final)
        except OSError as e:
            with contextlib.suppress(OSError):
                part.unlink()
            if e.errno in _DISK_FULL:
                self.halt(f"The disk is full: there is no room left in {self.directory} "
                          f"({e.strerror or 'no space left on device'}).", disk_full=True)
            else:
                self.halt(f"Could not write {final}: {e.strerror or e}.")
            raise _StopError(self.stopped or "") from None
        except BaseException:
            with contextlib.suppress(OSError):
                part.unlink()
            raise
        return str(final)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


class _Urls:
    """Thumbnail URLs (and the Graph API row with altitude, make, model), asked for in batches
    of ``URL_BATCH`` ids the first time one of a batch is needed, and again when one expired."""

    def __init__(self, client: ImageClient, ids: list[str], size: str):
        self.client = client
        self.field = f"thumb_{size}_url"
        self.fields = ",".join(("id", self.field, "altitude", "make", "model"))
        self.batches = [ids[i:i + URL_BATCH] for i in range(0, len(ids), URL_BATCH)]
        self.batch_of = {i: k for k, batch in enumerate(self.batches) for i in batch}
        self.locks = [threading.Lock() for _ in self.batches]
        self.loaded = [False] * len(self.batches)
        self.failure: dict[int, errors.MapillaryError] = {}
        self.rows: dict[str, dict] = {}

    def row(self, image_id: str, stale: str | None = None) -> dict:
        """The Graph API row for ``image_id``; ``stale`` is a URL that expired: if the row
        still holds it, the batch is asked for again."""
        k = self.batch_of[image_id]
        with self.locks[k]:
            current = self.rows.get(image_id, {}).get(self.field)
            if not self.loaded[k] or (stale is not None and current == stale):
                self._load(k)
            if k in self.failure:
                raise self.failure[k]
            return self.rows.get(image_id, {})

    def _load(self, k: int) -> None:
        self.failure.pop(k, None)
        try:
            data = self.client.graph("images", {"image_ids": ",".join(self.batches[k]), "fields": self.fields},
                                     kind="entity")
        except (errors.AuthError, errors.CancelledError):
            raise
        except errors.MapillaryError as e:
            self.failure[k] = e  # the client retried already: the batch's other images share this answer
            self.loaded[k] = True
            return
        rows = data.get("data") if isinstance(data, dict) else None
        for r in rows if isinstance(rows, list) else []:
            if isinstance(r, dict) and r.get("id") is not None:
                self.rows[str(r["id"])] = r
        self.loaded[k] = True
