"""Images for features: the nearest Mapillary images of each of many features.

Features are plain WGS84 shapes (``Feature``: points, lines or polygon rings as lists of
(lon, lat)). Features close together are searched together (a few z14 tiles per search),
so each tile is fetched about once; every image is then measured against the features
whose grown box holds it: metres to the feature's nearest point (0 on or inside it) and
the bearing from the image to that point (to the centroid when the image is on it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from . import geo
from .client import Config, Transport
from .errors import Cause, QueryError
from .query import DEFAULT_MAX_TILES, Query
from .records import Failure, Image, Report, SearchResult
from .search import Listener, Progress, enrich, resume

CHUNK_TILES = 16  # distinct z14 tiles fetched per search
CHUNK_SPAN = 64  # tiles the box around one search's features may cover
GRID = 0.002  # degrees: the cell size of the image lookup grid
ON_FEATURE = 0.01  # metres: closer than this, an image is on (or inside) the feature
KINDS = ("point", "line", "polygon")

LonLat = tuple[float, float]


@dataclass
class Feature:
    """One input feature in WGS84. ``parts``: for "point", one list per point (of one vertex);
    for "line", one list per line; for "polygon", every ring (outer rings and holes alike:
    inside is decided even-odd). ``centroid``: optional (computed when not given)."""

    id: Hashable
    kind: str
    parts: list[list[LonLat]]
    centroid: LonLat | None = None


@dataclass
class Match:
    feature_id: Hashable
    rank: int  # 1 = nearest
    image: Image
    distance: float  # metres to the feature's nearest point, 0 on or inside it (mm precision)
    bearing: float | None  # degrees from the image to that point; None when the image is at the centroid


@dataclass
class NearbyResult:
    matches: list[Match]
    report: Report
    skipped: list[tuple[Hashable, str]] = field(default_factory=list)  # features not searched, and why
    features: int = 0  # features searched

    @property
    def matched(self) -> int:
        return len({m.feature_id for m in self.matches})

    def as_search_result(self) -> SearchResult:
        """The images found, as a search result (for ``outcome.describe``)."""
        unique = {m.image.id: m.image for m in self.matches}
        return SearchResult(list(unique.values()), [], self.report, with_sequences=False)


def images_for_features(features: Iterable[Feature], token: str | None = None, *, distance: float = 50.0,
                        nearest: int = 3, looking_at: bool = False, tolerance: float = 50.0,
                        newer_than: datetime | None = None, pano: str = "any", fields=(),
                        max_tiles: int = DEFAULT_MAX_TILES, config: Config | None = None,
                        transport: Callable[[], Transport | None] | None = None, progress: Listener | None = None,
                        cancelled: Callable[[], bool] | None = None) -> NearbyResult:
    """The ``nearest`` images within ``distance`` metres of every feature, ranked by distance (then id).
    ``looking_at``: only images whose compass angle points at the feature's nearest point (within
    ``tolerance``; panoramas and images on the feature always count, images without a compass angle
    never do). ``newer_than``: captured then or later. ``fields``: Graph API fields, fetched for the
    chosen images only. ``transport``: a factory called once per search (each search closes its
    transport), e.g. ``network.transport`` inside QGIS; None: the engine's default.
    Raises QueryError for invalid filters; never for the network (see the result's ``report``)."""
    Query.build(closeto=(0.0, 0.0), start_time=newer_than, pano=pano, fields=fields)  # the engine's checks
    progress = progress or (lambda p: None)
    targets, skipped = [], []
    for f in features:
        target, why = _target(f, distance, max_tiles)
        if target is None:
            skipped.append((f.id, why))
        else:
            targets.append(target)
    report = Report(strategy="tiles")
    if skipped:
        report.skip("features without a usable geometry, or too large", len(skipped))
    matches: list[Match] = []
    total, done = len(targets), 0
    progress(Progress("features", 0, total, 0))
    for chunk in _chunks(targets):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        found = _search_chunk(chunk, token, newer_than, pano, config, transport() if transport else None,
                              cancelled)
        _add(report, found.report)
        grid = _grid(found.images)
        for t in chunk:
            rows = []
            for img in _candidates(grid, t.bbox):
                d, b = t.measure(img)
                if d > distance:
                    continue
                if looking_at and not img.is_pano and b is not None:
                    if img.compass_angle is None or geo.angle_diff(b, img.compass_angle) > tolerance:
                        continue
                rows.append((d, img.id, img, b))
            rows.sort(key=lambda r: (r[0], r[1]))
            matches.extend(Match(t.id, rank, img, round(d, 3), None if b is None else round(b, 2))
                           for rank, (d, _, img, b) in enumerate(rows[:nearest], 1))
            done += 1
            progress(Progress("features", done, total, len(matches)))
        if found.report.fatal is not None or found.report.cancelled:
            break
    if fields and matches and report.fatal is None and not report.cancelled:
        unique = {m.image.id: m.image for m in matches}
        fields_report = enrich(list(unique.values()), fields, token, config=config,
                               transport=transport() if transport else None,
                               progress=progress, cancelled=cancelled)
        _add(report, fields_report)
        for m in matches:
            m.image = unique[m.image.id]
    progress(Progress("done", report.fetched, report.planned, len(matches)))
    return NearbyResult(matches, report, skipped, total)


def _search_chunk(chunk, token, newer_than, pano, config, transport, cancelled) -> SearchResult:
    """One search of exactly the tiles the chunk's features touch (as the resume of a search that
    fetched none of them)."""
    union = _union([t.bbox for t in chunk])
    tiles = sorted({k for t in chunk for k in t.tiles})
    query = Query.build(bbox=union, start_time=newer_than, pano=pano,
                        max_tiles=max(DEFAULT_MAX_TILES, geo.count_tiles(union)))
    planned = Report(strategy="tiles", planned=len(tiles),
                     failures=[Failure("tile", k, "not fetched yet", cause=Cause.OTHER) for k in tiles])
    return resume(SearchResult([], [], planned, query=query, with_sequences=False), token, config=config,
                  transport=transport, cancelled=cancelled)


def _add(total: Report, part: Report) -> None:
    total.planned += part.planned
    total.fetched += part.fetched
    total.requests += part.requests
    total.failures.extend(part.failures)
    total.warnings.extend(w for w in part.warnings if w not in total.warnings)
    total.cancelled = total.cancelled or part.cancelled
    total.fatal = total.fatal or part.fatal
    total.seconds += part.seconds
    for reason, n in part.skipped.items():
        total.skip(reason, n)


def _union(boxes) -> geo.BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class _Target:
    """One feature with what the matching needs: a local plane in metres around its centroid."""

    id: Hashable
    point: LonLat | None  # a single point
    points: list[LonLat]  # a multipoint's points
    segments: list[tuple[float, float, float, float]]  # local x1, y1, x2, y2 (lines and rings)
    rings: list[list[tuple[float, float]]]  # local rings (polygons)
    centroid: LonLat
    bbox: geo.BBox
    tiles: list[str]
    kx: float
    ky: float

    def local(self, lon: float, lat: float) -> tuple[float, float]:
        dlon = (lon - self.centroid[0] + 180.0) % 360.0 - 180.0
        return dlon * self.kx, (lat - self.centroid[1]) * self.ky

    def measure(self, img: Image) -> tuple[float, float | None]:
        """Metres from the image to the feature's nearest point, and the bearing from the image to it
        (to the centroid when the image is on the feature; None when that is where the image is)."""
        if self.point is not None:
            lon, lat = self.point
        elif self.points:
            lon, lat = min(self.points, key=lambda p: geo.haversine(img.lon, img.lat, p[0], p[1]))
        else:
            x, y = self.local(img.lon, img.lat)
            if self.rings and _inside(x, y, self.rings):
                lon, lat = img.lon, img.lat
            else:
                nx, ny = _nearest(x, y, self.segments)
                lon, lat = self.centroid[0] + nx / self.kx, self.centroid[1] + ny / self.ky
        d = geo.haversine(img.lon, img.lat, lon, lat)
        if d < ON_FEATURE:
            d = 0.0
            lon, lat = self.centroid
            if geo.haversine(img.lon, img.lat, lon, lat) < ON_FEATURE:
                return d, None
        return d, geo.bearing(img.lon, img.lat, lon, lat)


def _usable(parts) -> list[list[LonLat]]:
    out = []
    for part in parts or ():
        pts = [(float(p[0]), float(p[1])) for p in part
               if len(p) >= 2 and all(math.isfinite(float(v)) for v in p[:2])
               and -180 <= p[0] <= 180 and -90 <= p[1] <= 90]
        if pts:
            out.append(pts)
    return out


def _target(f: Feature, distance: float, max_tiles: int) -> tuple[_Target | None, str]:
    if f.kind not in KINDS:
        return None, f"unknown kind {f.kind!r}"
    parts = _usable(f.parts)
    if not parts:
        return None, "no usable coordinates"
    verts = [p for part in parts for p in part]
    centroid = f.centroid or _centroid(f.kind, parts)
    lons = [(lon - centroid[0] + 180.0) % 360.0 - 180.0 + centroid[0] for lon, _ in verts]  # unwrapped
    lats = [lat for _, lat in verts]
    box = (min(lons), min(lats), max(lons), max(lats))
    if box[0] < -180 or box[2] > 180:  # across ±180°: as a wrapping box
        box = ((box[0] + 540) % 360 - 180, box[1], (box[2] + 540) % 360 - 180, box[3])
    bbox = geo.grow_bbox(box, distance) if box[0] <= box[2] else _grow_wrapped(box, distance)
    if geo.count_tiles(bbox) > max_tiles:
        return None, f"needs {geo.count_tiles(bbox)} z14 tiles, more than {max_tiles}"
    tiles = ["/".join(map(str, t)) for t in geo.tiles_for_bbox(bbox)]
    ky = math.radians(1.0) * geo.EARTH_RADIUS
    kx = ky * max(math.cos(math.radians(centroid[1])), 1e-6)
    t = _Target(f.id, None, [], [], [], centroid, bbox, tiles, kx, ky)
    if f.kind == "point":
        if len(verts) == 1:
            t.point = verts[0]
        else:
            t.points = verts
        return t, ""
    local = [[t.local(lon, lat) for lon, lat in part] for part in parts]
    for part in local:
        pts = part + [part[0]] if f.kind == "polygon" and part[0] != part[-1] else part
        if len(pts) == 1:
            pts = pts * 2
        t.segments.extend((a[0], a[1], b[0], b[1]) for a, b in zip(pts, pts[1:]))
    if f.kind == "polygon":
        t.rings = [p for p in local if len(p) >= 3]
    return t, ""


def _grow_wrapped(box: geo.BBox, metres: float) -> geo.BBox:
    west = geo.grow_bbox((box[0], box[1], 180.0, box[3]), metres)
    east = geo.grow_bbox((-180.0, box[1], box[2], box[3]), metres)
    return (west[0], min(west[1], east[1]), east[2], max(west[3], east[3]))


def _centroid(kind: str, parts: list[list[LonLat]]) -> LonLat:
    """Area-weighted for polygons (rings by signed area), length-weighted for lines, the mean for points;
    the mean of the vertices where those are degenerate. Longitudes unwrapped around the first vertex."""
    ref = parts[0][0][0]
    unwrapped = [[((lon - ref + 180.0) % 360.0 - 180.0 + ref, lat) for lon, lat in part] for part in parts]
    verts = [p for part in unwrapped for p in part]
    mean = (sum(p[0] for p in verts) / len(verts), sum(p[1] for p in verts) / len(verts))
    c = mean
    if kind == "polygon":
        a = cx = cy = 0.0
        for ring in unwrapped:
            pts = ring if ring[0] == ring[-1] else ring + [ring[0]]
            for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
                cross = (x1 - mean[0]) * (y2 - mean[1]) - (x2 - mean[0]) * (y1 - mean[1])
                a += cross
                cx += (x1 + x2 - 2 * mean[0]) * cross
                cy += (y1 + y2 - 2 * mean[1]) * cross
        if abs(a) > 1e-18:
            c = (mean[0] + cx / (3 * a), mean[1] + cy / (3 * a))
    elif kind == "line":
        total = cx = cy = 0.0
        for line in unwrapped:
            for (x1, y1), (x2, y2) in zip(line, line[1:]):
                w = math.hypot(x2 - x1, y2 - y1)
                total += w
                cx += (x1 + x2) / 2 * w
                cy += (y1 + y2) / 2 * w
        if total > 0:
            c = (cx / total, cy / total)
    return ((c[0] + 180.0) % 360.0 - 180.0, c[1])


def _nearest(x: float, y: float, segments) -> tuple[float, float]:
    best, bx, by = math.inf, x, y
    for x1, y1, x2, y2 in segments:
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        u = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
        px, py = x1 + u * dx, y1 + u * dy
        d = (px - x) ** 2 + (py - y) ** 2
        if d < best:
            best, bx, by = d, px, py
    return bx, by


def _inside(x: float, y: float, rings) -> bool:
    """Even-odd over every ring: inside an outer ring and not in a hole."""
    inside = False
    for ring in rings:
        j = len(ring) - 1
        for i in range(len(ring)):
            xi, yi = ring[i]
            xj, yj = ring[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
    return inside


def _chunks(targets: list[_Target]) -> list[list[_Target]]:
    """Features close together, so that one search (a few tiles) serves several features."""
    def key(t: _Target):
        _, x, y = (int(v) for v in t.tiles[0].split("/"))
        return y >> 3, x >> 3, y, x

    chunks: list[list[_Target]] = []
    current: list[_Target] = []
    tiles: set[str] = set()
    box: geo.BBox | None = None
    for t in sorted(targets, key=key):
        grown = t.bbox if box is None else _union([box, t.bbox])
        if current and (len(tiles | set(t.tiles)) > CHUNK_TILES or geo.count_tiles(grown) > CHUNK_SPAN
                        or box is not None and (box[0] > box[2]) != (t.bbox[0] > t.bbox[2])):
            chunks.append(current)
            current, tiles, grown = [], set(), t.bbox
        current.append(t)
        tiles |= set(t.tiles)
        box = grown
    if current:
        chunks.append(current)
    return chunks


def _grid(images: Iterable[Image]) -> dict[tuple[int, int], list[Image]]:
    grid: dict[tuple[int, int], list[Image]] = defaultdict(list)
    for img in images:
        grid[(math.floor(img.lon / GRID), math.floor(img.lat / GRID))].append(img)
    return grid


def _candidates(grid: dict[tuple[int, int], list[Image]], bbox: geo.BBox):
    for b in geo.split_antimeridian(bbox):
        for gx in range(math.floor(b[0] / GRID), math.floor(b[2] / GRID) + 1):
            for gy in range(math.floor(b[1] / GRID), math.floor(b[3] / GRID) + 1):
                for img in grid.get((gx, gy), ()):
                    if b[0] <= img.lon <= b[2] and b[1] <= img.lat <= b[3]:
                        yield img


__all__ = ["Feature", "Match", "NearbyResult", "QueryError", "images_for_features"]
