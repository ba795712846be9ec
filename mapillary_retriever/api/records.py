"""Plain records the engine yields: no Qt, no GDAL objects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from .errors import Cause


@dataclass(slots=True)
class Image:
    id: str
    lon: float
    lat: float
    sequence_id: str
    captured_at: int | None  # epoch milliseconds, UTC
    compass_angle: float | None
    is_pano: bool
    creator_id: str | None = None
    organization_id: str | None = None
    extra: dict | None = None  # fields added from the Graph API (see query.EXTRA_FIELDS)


class Strings:
    """One code per distinct text (sequence, creator and organization ids) for a whole search:
    a million images then hold a 4-byte code each, not a string. Code -1 stands for None."""

    __slots__ = ("values", "codes", "memo")

    def __init__(self) -> None:
        self.values: list[str] = []
        self.codes: dict[str, int] = {}
        self.memo: dict = {}  # raw values met in tiles -> their code (see tiles._codes)

    def code(self, text: str | None) -> int:
        if text is None:
            return -1
        c = self.codes.get(text)
        if c is None:
            c = self.codes[text] = len(self.values)
            self.values.append(text)
        return c

    def encode(self, texts: Iterable[str | None]) -> np.ndarray:
        return np.fromiter(map(self.code, texts), np.int32)

    def decode(self, codes: np.ndarray, empty: str | None = None) -> list:
        """Codes as texts; -1 as ``empty``."""
        table = self.values + [empty]  # index -1 is the last one
        return [table[c] for c in codes.tolist()]


_ID_DIGITS = 10 ** np.arange(19, dtype=np.uint64)  # 1, 10, ... 10**18


def int_ids(texts: list) -> np.ndarray | None:
    """Ids as int64 when every one is the canonical text of a positive integer below 2**63."""
    try:
        ids = np.array(texts, dtype=np.int64) if texts else np.zeros(0, np.int64)
    except (ValueError, OverflowError, TypeError):
        return None
    if (ids <= 0).any() or any(str(v) != t for v, t in zip(ids.tolist(), texts)):
        return None
    return ids


def joined_ids(parts: list[Images]) -> np.ndarray:
    """The ids of the parts one after another (texts when some part's ids are texts)."""
    if all(p.ids.dtype == np.int64 for p in parts):
        return np.concatenate([p.ids for p in parts])
    return np.concatenate([p.ids.astype(str).astype(object) if p.ids.dtype == np.int64 else p.ids for p in parts])


def sort_order(ids: np.ndarray, cap: np.ndarray, seq: np.ndarray, strings: Strings) -> np.ndarray:
    """The order by sequence id (codes in ``strings``), capture time (unknown first) and id, all as
    texts would be ordered; one lexsort over plain keys."""
    values = strings.values
    rank = np.empty(len(values) + 1, np.int32)
    rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(1, len(values) + 1)
    rank[-1] = 0  # no sequence: "" sorts first
    if ids.dtype != np.int64:
        text_rank = np.empty(len(ids), np.int64)
        text_rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
        return np.lexsort((text_rank, cap, rank[seq]))
    u = ids.astype(np.uint64)
    digits = np.searchsorted(_ID_DIGITS, u, side="right").astype(np.uint8)  # how many digits
    u *= _ID_DIGITS[19 - digits] if len(u) else 1  # left-aligned: "10" after "1", before "9"
    return np.lexsort((digits, u, cap, rank[seq]))


class Images:
    """Images held as columns (numpy arrays): about 60 bytes an image where ``Image`` objects take
    ~290, and filters, sorting and writers work on whole columns. Reads like a list of ``Image``
    (len, iteration, indexing, slices; each ``Image`` is made when asked and is a copy).

    ``ids`` is int64 when every id is a canonical positive integer (Mapillary's are), else an
    object array of texts. ``seq``, ``creator``, ``org`` are codes into ``strings`` (-1: none);
    ``cap`` is epoch ms (0: unknown); ``angle`` is NaN when unknown; ``extra`` is None (no image
    has extra fields) or a list of dict-or-None."""

    __slots__ = ("ids", "lon", "lat", "seq", "cap", "angle", "pano", "creator", "org", "extra", "strings")

    def __init__(self, ids, lon, lat, seq, cap, angle, pano, creator, org, strings: Strings,
                 extra: list | None = None):
        self.ids, self.lon, self.lat = ids, lon, lat
        self.seq, self.cap, self.angle, self.pano = seq, cap, angle, pano
        self.creator, self.org, self.extra, self.strings = creator, org, extra, strings

    _ARRAYS = ("ids", "lon", "lat", "seq", "cap", "angle", "pano", "creator", "org")

    @classmethod
    def empty(cls, strings: Strings | None = None) -> Images:
        return cls.from_images([], strings)

    @classmethod
    def from_images(cls, images: Iterable[Image], strings: Strings | None = None) -> Images:
        if isinstance(images, Images):
            return images if strings is None else images.recoded(strings)
        images = list(images)
        strings = strings if strings is not None else Strings()
        texts = [i.id for i in images]
        ids = int_ids(texts)
        extra = [i.extra for i in images]
        return cls(ids if ids is not None else np.array(texts, dtype=object),
                   np.array([i.lon for i in images], np.float64), np.array([i.lat for i in images], np.float64),
                   strings.encode(i.sequence_id or None for i in images),
                   np.array([i.captured_at or 0 for i in images], np.int64),
                   np.array([np.nan if i.compass_angle is None else i.compass_angle for i in images], np.float64),
                   np.array([bool(i.is_pano) for i in images], bool),
                   strings.encode(i.creator_id for i in images), strings.encode(i.organization_id for i in images),
                   strings, extra if any(e is not None for e in extra) else None)

    def recoded(self, strings: Strings) -> Images:
        """The same images with their codes in ``strings`` (themselves when they are coded there)."""
        if self.strings is strings:
            return self
        table = np.array([strings.code(v) for v in self.strings.values] + [-1], np.int32)
        return Images(self.ids, self.lon, self.lat, table[self.seq], self.cap, self.angle, self.pano,
                      table[self.creator], table[self.org], strings, self.extra)

    @classmethod
    def concat(cls, parts: list[Images], strings: Strings) -> Images:
        return cls.gather([p.recoded(strings) for p in parts], strings, None)

    @classmethod
    def gather(cls, parts: list[Images], strings: Strings, rows: np.ndarray | None) -> Images:
        """The ``rows`` of the parts one after another (all of them for None), column by column,
        each part's column let go once copied: a million images are never held twice. The parts
        (coded in ``strings``) are used up."""
        parts = [p for p in parts if len(p)] or [cls.empty(strings)]
        if len(parts) == 1 and rows is None:
            return parts[0]
        sizes = [len(p) for p in parts]
        arrays = [joined_ids(parts)[rows if rows is not None else slice(None)]]
        for name in cls._ARRAYS[1:]:
            column = np.concatenate([getattr(p, name) for p in parts])
            for p in parts:
                setattr(p, name, None)
            arrays.append(column[rows] if rows is not None else column)
            del column
        extra = None
        if any(p.extra is not None for p in parts):
            extra = [e for p, n in zip(parts, sizes) for e in (p.extra if p.extra is not None else [None] * n)]
            extra = extra if rows is None else [extra[k] for k in rows.tolist()]
        return cls._of(arrays, strings, extra)

    @classmethod
    def _of(cls, arrays: list, strings: Strings, extra: list | None) -> Images:
        ids, lon, lat, seq, cap, angle, pano, creator, org = arrays
        return cls(ids, lon, lat, seq, cap, angle, pano, creator, org, strings, extra)

    def take(self, rows) -> Images:
        """The images at ``rows`` (indexes, a boolean mask or a slice), in that order."""
        if not isinstance(rows, slice):
            rows = np.asarray(rows, dtype=None if len(rows) else np.int64)
            if rows.dtype == bool:
                rows = np.flatnonzero(rows)
        extra = None
        if self.extra is not None:
            extra = self.extra[rows] if isinstance(rows, slice) else [self.extra[k] for k in rows.tolist()]
            if not any(e is not None for e in extra):
                extra = None
        return self._of([getattr(self, name)[rows] for name in self._ARRAYS], self.strings, extra)

    # -- as a list of Image ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.lon)

    def __bool__(self) -> bool:
        return len(self.lon) > 0

    def __getitem__(self, k):
        if isinstance(k, slice):
            return self.take(k)
        n = len(self)
        if not -n <= k < n:
            raise IndexError("image index out of range")
        k %= n
        return next(self._images(k, k + 1))

    def __iter__(self) -> Iterator[Image]:
        for start in range(0, len(self), 4096):
            yield from self._images(start, start + 4096)

    def _images(self, a: int, b: int | None) -> Iterator[Image]:
        s = slice(a, b)
        extra = self.extra[s] if self.extra is not None else [None] * len(self.lon[s])
        yield from map(Image, self.id_texts(s), self.lon[s].tolist(), self.lat[s].tolist(),
                       self.strings.decode(self.seq[s], ""), self.capture_times(s), self.angles(s),
                       self.pano[s].tolist(), self.strings.decode(self.creator[s]),
                       self.strings.decode(self.org[s]), extra)

    def __eq__(self, other) -> bool:
        if isinstance(other, (Images, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Images: {len(self):,}>"

    # -- columns as Python values ------------------------------------------------------------
    def id_texts(self, rows=slice(None)) -> list[str]:
        ids = self.ids[rows]
        return list(map(str, ids.tolist())) if ids.dtype == np.int64 else ids.tolist()

    def capture_times(self, rows=slice(None)) -> list:
        cap = self.cap[rows]
        return [c or None for c in cap.tolist()]

    def angles(self, rows=slice(None)) -> list:
        a = self.angle[rows]
        return [None if v != v else v for v in a.tolist()]

    def values(self, name: str) -> list:
        """One column as ``Image`` has it (an extra field's values from ``extra``)."""
        if name == "id":
            return self.id_texts()
        if name in ("lon", "lat"):
            return getattr(self, name).tolist()
        if name == "sequence_id":
            return self.strings.decode(self.seq, "")
        if name in ("creator_id", "organization_id"):
            return self.strings.decode(self.creator if name == "creator_id" else self.org)
        if name == "captured_at":
            return self.capture_times()
        if name == "compass_angle":
            return self.angles()
        if name == "is_pano":
            return self.pano.tolist()
        if self.extra is None:
            return [None] * len(self)
        return [e.get(name) if e else None for e in self.extra]

    def order(self, rows=slice(None)) -> np.ndarray:
        """The order of ``rows`` (indexes into them) by sequence id, capture time (unknown first)
        and id, all as texts."""
        return sort_order(self.ids[rows], self.cap[rows], self.seq[rows], self.strings)

    def update(self, rows: list[int], images: list[Image]) -> None:
        """Write back what was added to copies of rows (extra fields, a creator found later)."""
        if self.extra is None:
            self.extra = [None] * len(self)
        for k, img in zip(rows, images):
            self.extra[k] = img.extra
            if img.creator_id is not None:
                self.creator[k] = self.strings.code(img.creator_id)


def set_field(images: Images | list[Image], name: str, by_id: dict[str, Any]) -> None:
    """Set an extra field on the images ``by_id`` names (the others keep theirs)."""
    if not by_id:
        return
    if isinstance(images, Images):
        extra = images.extra if images.extra is not None else [None] * len(images)
        for k, image_id in enumerate(images.id_texts()):
            if image_id in by_id:
                extra[k] = {**(extra[k] or {}), name: by_id[image_id]}
        images.extra = extra
        return
    for img in images:
        if img.id in by_id:
            img.extra = {**(img.extra or {}), name: by_id[img.id]}


class Sequence:
    """One (multi)line per sequence; every list is parallel to ``coords``, in capture order.
    ``parts`` holds the index where each part of the line starts: the line breaks where the
    sequence has images that were fetched but do not match the search.

    A sequence the search builds reads its lists from the image columns when asked
    (``of_rows``): a million images in lines then hold no object per image."""

    __slots__ = ("id", "is_pano", "creator_id", "organization_id", "username", "parts", "_lists", "_table",
                 "_rows")

    def __init__(self, id: str, image_ids=(), coords=(), compass_angles=(), captured_at=(), is_pano: bool = False,
                 creator_id: str | None = None, organization_id: str | None = None, username: str | None = None,
                 parts: list[int] | None = None):
        self.id, self.is_pano, self.creator_id = id, is_pano, creator_id
        self.organization_id, self.username = organization_id, username
        self.parts = parts if parts is not None else [0]
        self._lists: tuple | None = (list(image_ids), list(coords), list(compass_angles), list(captured_at))
        self._table: Images | None = None
        self._rows: np.ndarray | None = None

    @classmethod
    def of_rows(cls, id: str, table: Images, rows: np.ndarray, parts: list[int], username: str | None) -> Sequence:
        """The sequence of these rows of ``table`` (in capture order)."""
        first = int(rows[0])
        names = table.strings.values
        seq = cls(id, is_pano=bool(table.pano[first]), parts=parts, username=username,
                  creator_id=names[table.creator[first]] if table.creator[first] >= 0 else None,
                  organization_id=names[table.org[first]] if table.org[first] >= 0 else None)
        seq._lists, seq._table, seq._rows = None, table, rows
        return seq

    @property
    def image_ids(self) -> list[str]:
        return self._lists[0] if self._lists is not None else self._table.id_texts(self._rows)  # type: ignore[union-attr]

    @property
    def coords(self) -> list[tuple[float, float]]:
        if self._lists is not None:
            return self._lists[1]
        t, rows = self._table, self._rows
        return list(zip(t.lon[rows].tolist(), t.lat[rows].tolist()))  # type: ignore[union-attr]

    @property
    def compass_angles(self) -> list[float | None]:
        return self._lists[2] if self._lists is not None else self._table.angles(self._rows)  # type: ignore[union-attr]

    @property
    def captured_at(self) -> list[int | None]:
        return self._lists[3] if self._lists is not None else self._table.capture_times(self._rows)  # type: ignore[union-attr]

    @property
    def count(self) -> int:
        return len(self._lists[0]) if self._lists is not None else len(self._rows)  # type: ignore[arg-type]

    def first_last(self) -> tuple[int | None, int | None]:
        """The capture times of the first and the last image."""
        if self._lists is not None:
            times = self._lists[3]
            return (times[0], times[-1]) if times else (None, None)
        t, rows = self._table, self._rows
        return (int(t.cap[rows[0]]) or None, int(t.cap[rows[-1]]) or None)  # type: ignore[union-attr,index]

    def lines(self) -> list[list[tuple[float, float]]]:
        coords = self.coords
        ends = self.parts[1:] + [len(coords)]
        return [coords[a:b] for a, b in zip(self.parts, ends)]

    def _key(self) -> tuple:
        return (self.id, self.image_ids, self.coords, self.compass_angles, self.captured_at, self.is_pano,
                self.creator_id, self.organization_id, self.username, self.parts)

    def __eq__(self, other) -> bool:
        return self._key() == other._key() if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Sequence(id={self.id!r}, images={self.count}, parts={self.parts})"


@dataclass(slots=True)
class Failure:
    kind: str  # "tile", "cell", "page", "fields", "user", "search" (what stopped the whole search)
    key: str  # "14/8574/5735", a bbox "minLon,minLat,maxLon,maxLat", a username, a page cursor…
    reason: str  # for people
    count: int = 0  # for "fields": how many images lack their extra fields
    cause: Cause = Cause.OTHER


# Failures a resume fetches again: the parts of the listing, and the extra fields
LISTING = ("tile", "cell", "page")


@dataclass
class Report:
    """What was asked, what was fetched, and exactly what is missing."""

    strategy: str = "tiles"
    planned: int = 0  # tiles, cells or pages planned
    fetched: int = 0
    requests: int = 0
    cached: int = 0  # tiles read from the cache on disk instead of the network
    failures: list[Failure] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # records that could not be used, by reason
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    capped: bool = False  # max_features cut the result (the user asked for that)
    seconds: float = 0.0
    fatal: Failure | None = None  # what stopped the search before its end (token refused, unreachable…)

    @property
    def complete(self) -> bool:
        """Every part was listed and every image has its extra fields."""
        return not self.cancelled and self.fatal is None and not any(
            f.kind in LISTING or f.kind == "fields" for f in self.failures)

    @property
    def cause(self) -> Cause | None:
        """The main reason the result is incomplete (None when complete)."""
        if self.fatal is not None:
            return self.fatal.cause
        if self.cancelled:
            return Cause.CANCELLED
        causes = Counter(f.cause for f in self.failures if f.kind in LISTING or f.kind == "fields")
        return causes.most_common(1)[0][0] if causes else None

    @property
    def resumable(self) -> bool:
        """A resume could fetch something: listing parts or extra fields are missing."""
        return any(f.kind in LISTING or f.kind == "fields" for f in self.failures)

    def missing(self, kind: str) -> list[str]:
        return [f.key for f in self.failures if f.kind == kind]

    def fail(self, kind: str, key: str, reason: str, cause: Cause = Cause.OTHER, count: int = 0) -> None:
        self.failures.append(Failure(kind, key, reason, count, cause))

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def merge(self, later: Report) -> Report:
        """This report followed by ``later``, a resume of what this one missed: the one place
        reports are combined. A resume retries every missing part and field, so what is still
        missing is what ``later`` names."""
        keep = [f for f in self.failures if f.kind not in LISTING and f.kind != "fields"]
        skipped = dict(self.skipped)
        for reason, n in later.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
        return Report(strategy=self.strategy, planned=self.planned, fetched=self.fetched + later.fetched,
                      requests=self.requests + later.requests, cached=self.cached + later.cached,
                      failures=keep + later.failures, skipped=skipped,
                      warnings=list(dict.fromkeys(self.warnings + later.warnings)), cancelled=later.cancelled,
                      capped=self.capped or later.capped, seconds=self.seconds + later.seconds, fatal=later.fatal)

    def summary(self) -> str:
        unit = {"tiles": "tiles", "graph": "boxes", "users": "pages"}.get(self.strategy, "parts")
        parts = [f"{self.fetched} of {self.planned} {unit} fetched with {self.requests} requests"
                 + (f" ({self.cached} tiles from the cache)" if self.cached else "")]
        if self.fatal is not None:
            parts.append("stopped: " + self.fatal.reason)
        if self.cancelled:
            parts.append("cancelled before the end")
        failed = [f for f in self.failures if f.kind in LISTING]
        if failed:
            parts.append(f"{len(failed)} {unit} could not be fetched: " + ", ".join(f.key for f in failed[:5])
                         + (" …" if len(failed) > 5 else ""))
        fields = [f for f in self.failures if f.kind == "fields"]
        if fields:
            parts.append(f"extra fields missing for {sum(f.count for f in fields)} images")
        for reason, n in self.skipped.items():
            parts.append(f"{n} skipped ({reason})")
        return "; ".join(parts)


@dataclass
class SearchResult:
    """What a search found and how completely: enough to resume it (``api.search.resume``)."""

    images: Images | list[Image]  # the search gives Images (columns that read like a list)
    sequences: list[Sequence]
    report: Report
    # capture times, by sequence, of fetched images that did not match (for rebuilding lines)
    excluded: dict[str, list[int]] = field(default_factory=dict)
    query: Any = None  # the api.query.Query that was run
    with_sequences: bool = True

    @property
    def complete(self) -> bool:
        return self.report.complete


_EPOCH = datetime(1970, 1, 1)


def iso_time(ms: int | None) -> str | None:
    """Epoch milliseconds to ISO 8601 UTC, e.g. 2021-06-01T10:00:00.123Z."""
    if ms is None:
        return None
    return (_EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds") + "Z"
