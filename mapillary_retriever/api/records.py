"""Plain records the engine yields: no Qt, no GDAL objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


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
    kind: str  # "tile", "cell", "fields", "user"
    key: str  # "14/8574/5735", a bbox "minLon,minLat,maxLon,maxLat", a username…
    reason: str
    count: int = 0  # for "fields": how many images lack their extra fields


@dataclass
class Report:
    """What was asked, what was fetched, and exactly what is missing."""

    strategy: str = "tiles"
    planned: int = 0  # tiles or cells planned
    fetched: int = 0
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # records that could not be used, by reason
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    capped: bool = False  # max_features cut the result (the user asked for that)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.cancelled and not any(f.kind in ("tile", "cell") for f in self.failures)

    def missing(self, kind: str) -> list[str]:
        return [f.key for f in self.failures if f.kind == kind]

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def summary(self) -> str:
        unit = "tiles" if self.strategy == "tiles" else "boxes"
        parts = [f"{self.fetched} of {self.planned} {unit} fetched with {self.requests} requests"]
        if self.cancelled:
            parts.append("cancelled before the end")
        failed = [f for f in self.failures if f.kind in ("tile", "cell")]
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
    images: list[Image]
    sequences: list[Sequence]
    report: Report
    # capture times, by sequence, of fetched images that did not match (for rebuilding lines)
    excluded: dict[str, list[int]] = field(default_factory=dict)


_EPOCH = datetime(1970, 1, 1)


def iso_time(ms: int | None) -> str | None:
    """Epoch milliseconds to ISO 8601 UTC, e.g. 2021-06-01T10:00:00.123Z."""
    if ms is None:
        return None
    return (_EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds") + "Z"
