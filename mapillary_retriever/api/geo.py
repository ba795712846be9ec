"""Geometry helpers: Web Mercator tiles, great-circle distance and bearing."""

from __future__ import annotations

import math

EARTH_RADIUS = 6_371_008.8  # mean radius, metres
MERC_RADIUS = 6_378_137.0
MERC_HALF = math.pi * MERC_RADIUS  # 20037508.34
MAX_LAT = 85.05112877980659

BBox = tuple[float, float, float, float]  # minLon, minLat, maxLon, maxLat


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a point."""
    n = 2**z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180.0) / 360.0 * n
    r = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n
    return x, y


def tile_bounds(z: int, x: int, y: int) -> BBox:
    """Lon/lat bounds of an XYZ tile."""
    n = 2**z

    def lat(t: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * t / n))))

    return (x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y))


def tiles_for_bbox(bbox: BBox, z: int = 14) -> list[tuple[int, int, int]]:
    """Every z/x/y tile a box touches, row by row (a box across ±180°: both parts)."""
    if bbox[0] > bbox[2]:
        return [t for part in split_antimeridian(bbox) for t in tiles_for_bbox(part, z)]
    n = 2**z
    x0, y0 = lonlat_to_tile(bbox[0], bbox[3], z)
    x1, y1 = lonlat_to_tile(bbox[2], bbox[1], z)
    xs = range(max(0, int(x0)), min(n - 1, int(x1)) + 1)
    ys = range(max(0, int(y0)), min(n - 1, int(y1)) + 1)
    return [(z, x, y) for y in ys for x in xs]


def count_tiles(bbox: BBox, z: int = 14) -> int:
    if bbox[0] > bbox[2]:
        return sum(count_tiles(part, z) for part in split_antimeridian(bbox))
    x0, y0 = lonlat_to_tile(bbox[0], bbox[3], z)
    x1, y1 = lonlat_to_tile(bbox[2], bbox[1], z)
    return (int(x1) - int(x0) + 1) * (int(y1) - int(y0) + 1)


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / MERC_HALF * 180.0
    lat = math.degrees(2 * math.atan(math.exp(y / MERC_RADIUS)) - math.pi / 2)
    return lon, lat


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(a)))


def haversine_array(lon: float, lat: float, lons, lats):
    """``haversine`` from one point to arrays of points (numpy)."""
    import numpy as np

    p1, p2 = math.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def bearing(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north, 0..360."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def destination(lon: float, lat: float, bearing: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` metres from lon,lat towards ``bearing`` (degrees from north), on a sphere."""
    d = distance / EARTH_RADIUS
    b = math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return (math.degrees(l2) + 540.0) % 360.0 - 180.0, math.degrees(p2)


def angle_diff(a: float, b: float) -> float:
    """Smallest absolute difference between two angles in degrees (0..180)."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def grow_bbox(b: BBox, metres: float) -> BBox:
    """A lon/lat box grown on every side by ``metres``; the longitude margin is taken at the
    latitude farthest from the equator, so the grown box contains every point that close.
    Grown across ±180° it wraps: its minimum longitude is then greater than its maximum
    (see ``split_antimeridian``)."""
    dlat = math.degrees(metres / EARTH_RADIUS)
    far_lat = min(89.9, max(abs(b[1]), abs(b[3])) + dlat)
    dlon = dlat / math.cos(math.radians(far_lat))
    lo, hi = b[0] - dlon, b[2] + dlon
    if hi - lo >= 360.0:
        lo, hi = -180.0, 180.0
    elif lo < -180.0:
        lo += 360.0
    elif hi > 180.0:
        hi -= 360.0
    return (lo, max(-MAX_LAT, min(MAX_LAT, b[1] - dlat)), hi, max(-MAX_LAT, min(MAX_LAT, b[3] + dlat)))


def split_antimeridian(b: BBox) -> list[BBox]:
    """A box as boxes that do not cross ±180°: itself, or its western and eastern parts."""
    if b[0] <= b[2]:
        return [b]
    return [(b[0], b[1], 180.0, b[3]), (-180.0, b[1], b[2], b[3])]


def in_bbox(b: BBox, lon: float, lat: float, edge: float = 0.0) -> bool:
    """Is the point in the box (which may cross ±180°), ``edge`` degrees of tolerance?"""
    if not b[1] - edge <= lat <= b[3] + edge:
        return False
    if b[0] <= b[2]:
        return b[0] - edge <= lon <= b[2] + edge
    return lon >= b[0] - edge or lon <= b[2] + edge


def in_bbox_array(b: BBox, lons, lats, edge: float = 0.0):
    """``in_bbox`` for arrays of points (numpy): a boolean array."""
    inside = (lats >= b[1] - edge) & (lats <= b[3] + edge)
    if b[0] <= b[2]:
        return inside & (lons >= b[0] - edge) & (lons <= b[2] + edge)
    return inside & ((lons >= b[0] - edge) | (lons <= b[2] + edge))


def bbox_around(lon: float, lat: float, radius: float) -> BBox:
    """A lon/lat box that contains the circle of ``radius`` metres around a point."""
    return grow_bbox((lon, lat, lon, lat), radius)


def bbox_area(b: BBox) -> float:
    """Area in square degrees (the unit of the Graph API's bbox limit)."""
    return (b[2] - b[0]) * (b[3] - b[1])


def split_bbox(b: BBox) -> list[BBox]:
    """The four quarters of a box."""
    mx, my = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return [(b[0], b[1], mx, my), (mx, b[1], b[2], my), (b[0], my, mx, b[3]), (mx, my, b[2], b[3])]


def grid_bbox(b: BBox, max_area: float) -> list[BBox]:
    """Cut a box into an even grid of cells, each at most ``max_area`` deg² (across ±180°: both parts)."""
    if b[0] > b[2]:
        return [c for part in split_antimeridian(b) for c in grid_bbox(part, max_area)]
    w, h = b[2] - b[0], b[3] - b[1]
    n = max(1, math.ceil(math.sqrt(bbox_area(b) / max_area)))
    while (w / n) * (h / n) > max_area:
        n += 1
    xs = [b[0] + w * i / n for i in range(n)] + [b[2]]
    ys = [b[1] + h * j / n for j in range(n)] + [b[3]]
    return [(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(n) for i in range(n)]
