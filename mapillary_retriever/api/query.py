"""The user's search, in the vocabulary of Mapillary's classic tutorial, validated once.

``Query.build`` accepts what people type (strings) or Python values, and raises
``QueryError`` with a message that says what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from . import geo
from .errors import QueryError
from .schema import EXTRA_FIELDS

PANO_CHOICES = ("any", "only", "exclude")
DEFAULT_RADIUS = 100.0  # metres, as in the tutorial
DEFAULT_TOLERANCE = 50.0  # degrees, as in Mapillary's SDK
DEFAULT_MAX_TILES = 400  # z14 tiles: about 40 × 40 km at mid latitudes
MAX_RADIUS = 50_000.0

def _numbers(value, what: str, count: int) -> tuple[float, ...]:
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,\s;]+", value.strip()) if p]
    else:
        parts = list(value)
    if len(parts) != count:
        names = "minLon,minLat,maxLon,maxLat" if count == 4 else "lon,lat"
        raise QueryError(f"{what} needs {count} numbers ({names}); got {len(parts)}.")
    try:
        nums = tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        raise QueryError(f"{what} must be numbers, got {value!r}.") from None
    if any(n != n or n in (float("inf"), float("-inf")) for n in nums):
        raise QueryError(f"{what} must be finite numbers, got {value!r}.")
    return nums


def _check_lonlat(lon: float, lat: float, what: str) -> None:
    if not -90.0 <= lat <= 90.0:
        hint = " Did you swap longitude and latitude? Give lon,lat." if -90 <= lon <= 90 else ""
        raise QueryError(f"{what}: latitude {lat:g} is outside -90..90.{hint}")
    if not -180.0 <= lon <= 180.0:
        raise QueryError(f"{what}: longitude {lon:g} is outside -180..180.")


def parse_point(value, what: str) -> tuple[float, float]:
    lon, lat = _numbers(value, what, 2)
    _check_lonlat(lon, lat, what)
    return lon, lat


def parse_bbox(value) -> geo.BBox:
    b = _numbers(value, "bbox", 4)
    _check_lonlat(b[0], b[1], "bbox minimum corner")
    _check_lonlat(b[2], b[3], "bbox maximum corner")
    if b[1] > b[3]:
        raise QueryError(f"bbox is inverted: minimum latitude {b[1]:g} is greater than maximum {b[3]:g}. "
                         "Give minLon,minLat,maxLon,maxLat.")
    if b[0] > b[2] and 360.0 - (b[0] - b[2]) > 180.0:
        raise QueryError(f"bbox is inverted: minimum longitude {b[0]:g} is greater than maximum {b[2]:g}. "
                         "Give minLon,minLat,maxLon,maxLat.")
    # minLon > maxLon with a narrow gap (179.9 … -179.9): a box across the antimeridian
    if b[0] == b[2] or b[1] == b[3]:
        raise QueryError("bbox is empty: it has no width or no height.")
    return b  # type: ignore[return-value]


def parse_time(value, what: str) -> datetime | None:
    """ISO date or date-time; a time without zone is UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise QueryError(f"{what} {text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        utc = dt.astimezone(timezone.utc)
        utc.timestamp()
    except (OverflowError, ValueError, OSError):
        raise QueryError(f"{what} {value!s} is out of range: give a date between the years 1 and 9999 "
                         "in UTC.") from None
    return utc


def _names(value, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else list(value)
    out = tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    for item in out:
        if len(item) > 200:
            raise QueryError(f"{what}: {item[:20]!r}… is too long.")
    return out


@dataclass(frozen=True)
class Query:
    bbox: geo.BBox | None = None
    closeto: tuple[float, float] | None = None
    radius: float = DEFAULT_RADIUS
    lookat: tuple[float, float] | None = None
    tolerance: float = DEFAULT_TOLERANCE
    start_time: datetime | None = None  # inclusive
    end_time: datetime | None = None  # exclusive
    usernames: tuple[str, ...] = ()
    userkeys: tuple[str, ...] = ()
    pano: str = "any"
    organization_id: str | None = None
    max_features: int | None = None
    fields: tuple[str, ...] = ()
    max_tiles: int = DEFAULT_MAX_TILES

    @classmethod
    def build(cls, *, bbox=None, closeto=None, radius=None, lookat=None, tolerance=None, start_time=None,
              end_time=None, usernames=None, userkeys=None, pano=None, organization_id=None,
              max_features=None, fields=None, max_tiles=None) -> Query:
        """Parse and validate; raise QueryError with a human message."""
        q = cls(
            bbox=parse_bbox(bbox) if bbox not in (None, "") else None,
            closeto=parse_point(closeto, "closeto") if closeto not in (None, "") else None,
            radius=_positive(radius, "radius", DEFAULT_RADIUS, MAX_RADIUS, "metres"),
            lookat=parse_point(lookat, "lookat") if lookat not in (None, "") else None,
            tolerance=_positive(tolerance, "look-at tolerance", DEFAULT_TOLERANCE, 180.0, "degrees"),
            start_time=parse_time(start_time, "start time"),
            end_time=parse_time(end_time, "end time"),
            usernames=_names(usernames, "usernames"),
            userkeys=_names(userkeys, "user keys"),
            pano=(pano or "any").strip().lower() if isinstance(pano, str) or pano is None else pano,
            organization_id=str(organization_id).strip() if organization_id not in (None, "") else None,
            max_features=_count(max_features, "max features"),
            fields=_names(fields, "fields"),
            max_tiles=_count(max_tiles, "max tiles") or DEFAULT_MAX_TILES,
        )
        q.validate()
        return q

    def validate(self) -> None:
        if self.bbox is not None and self.closeto is not None:
            raise QueryError("Give either a bbox or a point (closeto) with a radius, not both.")
        if self.bbox is None and self.closeto is None and self.lookat is None and not self.usernames:
            if self.userkeys:
                raise QueryError("User keys need an area (a bbox, or a point with a radius); to search "
                                 "everywhere, give usernames instead.")
            raise QueryError("Give an area: a bbox, or a point (closeto) with a radius; or usernames alone "
                             "for everything by those users.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise QueryError(f"End time {self.end_time:%Y-%m-%d %H:%M:%S} is not after start time "
                             f"{self.start_time:%Y-%m-%d %H:%M:%S} (the end is exclusive).")
        if self.pano not in PANO_CHOICES:
            raise QueryError(f"pano must be one of any, only, exclude; got {self.pano!r}.")
        for key in self.userkeys:
            if not key.isdigit():
                raise QueryError(f"user key {key!r} is not a Mapillary creator id (a number). "
                                 "Keys from the old v3 API no longer work; give the username instead.")
        if self.organization_id is not None and not self.organization_id.isdigit():
            raise QueryError(f"organization id {self.organization_id!r} must be a number.")
        unknown = [f for f in self.fields if f not in EXTRA_FIELDS]
        if unknown:
            raise QueryError(f"unknown field {unknown[0]!r}; choose from {', '.join(EXTRA_FIELDS)}.")
        if self.anywhere:
            return
        tiles = geo.count_tiles(self.area_bbox())
        if tiles > self.max_tiles:
            raise QueryError(f"This area covers {tiles} map tiles at zoom 14; the limit is {self.max_tiles}. "
                             "Search a smaller area, or raise the tile limit.")

    # --- derived values -------------------------------------------------
    @property
    def center(self) -> tuple[float, float] | None:
        """The point of a point search (closeto, or lookat alone)."""
        return self.closeto or (self.lookat if self.bbox is None else None)

    @property
    def anywhere(self) -> bool:
        """Usernames and no area: everything by those users, wherever it is."""
        return self.bbox is None and self.center is None and bool(self.usernames)

    def area_bbox(self) -> geo.BBox:
        """The box every searched tile or cell must cover (minLon > maxLon: across ±180°)."""
        if self.bbox is not None:
            return self.bbox
        lon, lat = self.center  # type: ignore[misc]
        return geo.bbox_around(lon, lat, self.radius)

    def start_ms(self) -> int | None:
        return int(self.start_time.timestamp() * 1000) if self.start_time else None

    def end_ms(self) -> int | None:
        return int(self.end_time.timestamp() * 1000) if self.end_time else None

    def with_(self, **changes) -> Query:
        q = replace(self, **changes)
        q.validate()
        return q

    def describe(self) -> str:
        """A short name for the search, e.g. for a layer group."""
        if self.bbox is not None:
            area = "bbox " + ",".join(f"{v:.5f}" for v in self.bbox)
        elif self.anywhere:
            area = "anywhere"
        else:
            lon, lat = self.center  # type: ignore[misc]
            area = f"{self.radius:g} m around {lon:.5f},{lat:.5f}"  # lon,lat: the order the plugin takes
        bits = [area]
        if self.lookat:
            bits.append(f"looking at {self.lookat[0]:.5f},{self.lookat[1]:.5f}")
        if self.start_time or self.end_time:
            a = f"{self.start_time:%Y-%m-%d}" if self.start_time else "…"
            b = f"{self.end_time:%Y-%m-%d}" if self.end_time else "…"
            bits.append(f"{a} to {b}")
        if self.usernames:
            bits.append("by " + ", ".join(self.usernames))
        if self.pano != "any":
            bits.append("panoramas only" if self.pano == "only" else "no panoramas")
        return ", ".join(bits)

    def to_dict(self) -> dict:
        """JSON-friendly form (for layer metadata and remembered settings)."""
        return {
            "bbox": list(self.bbox) if self.bbox else None,
            "closeto": list(self.closeto) if self.closeto else None,
            "radius": self.radius,
            "lookat": list(self.lookat) if self.lookat else None,
            "tolerance": self.tolerance,
            "start_time": self.start_time.isoformat() if self.start_time else None,
            "end_time": self.end_time.isoformat() if self.end_time else None,
            "usernames": list(self.usernames),
            "userkeys": list(self.userkeys),
            "pano": self.pano,
            "organization_id": self.organization_id,
            "max_features": self.max_features,
            "fields": list(self.fields),
            "max_tiles": self.max_tiles,
        }


def _positive(value, what: str, default: float, maximum: float, unit: str) -> float:
    if value is None or value == "":
        return default
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise QueryError(f"{what} must be a number of {unit}, got {value!r}.") from None
    if not v > 0 or v > maximum:
        raise QueryError(f"{what} must be more than 0 and at most {maximum:g} {unit}; got {v:g}.")
    return v


def _count(value, what: str) -> int | None:
    if value is None or value == "" or value == 0:
        return None
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{what} must be a whole number, got {value!r}.") from None
    if v < 0:
        raise QueryError(f"{what} must be positive, got {v}.")
    return v
