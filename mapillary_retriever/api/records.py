"""Plain records the engine yields: no Qt, no GDAL objects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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


@dataclass(slots=True)
class Sequence:
    """One (multi)line per sequence; every list is parallel to ``coords``, in capture order.
    ``parts`` holds the index where each part of the line starts: the line breaks where the
    sequence has images that were fetched but do not match the search."""

    id: str
    image_ids: list[str]
    coords: list[tuple[float, float]]
    compass_angles: list[float | None]
    captured_at: list[int | None]
    is_pano: bool
    creator_id: str | None = None
    organization_id: str | None = None
    username: str | None = None
    parts: list[int] = field(default_factory=lambda: [0])

    def lines(self) -> list[list[tuple[float, float]]]:
        ends = self.parts[1:] + [len(self.coords)]
        return [self.coords[a:b] for a, b in zip(self.parts, ends)]


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

    images: list[Image]
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
