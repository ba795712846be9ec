"""Property-based tests: query validation and the planning of tiles and boxes."""

from __future__ import annotations

import json
import math
import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mapillary_retriever.api import geo
from mapillary_retriever.api.client import Config, Response
from mapillary_retriever.api.errors import QueryError
from mapillary_retriever.api.query import Query
from mapillary_retriever.api.search import search

lons = st.floats(-179.0, 179.0, allow_nan=False)
lats = st.floats(-84.0, 84.0, allow_nan=False)


@given(st.text(max_size=40))
def test_any_text_is_a_bbox_or_a_query_error(text):
    try:
        q = Query.build(bbox=text, max_tiles=10**9)
    except QueryError as e:
        assert e.message
    else:  # minLon > maxLon only for a narrow box across the antimeridian
        assert q.bbox[1] < q.bbox[3]
        assert q.bbox[0] < q.bbox[2] or 360 - (q.bbox[0] - q.bbox[2]) <= 180


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
def test_points_validate_by_range(lon, lat):
    ok = -180 <= lon <= 180 and -90 <= lat <= 90
    try:
        Query.build(closeto=(lon, lat), max_tiles=10**9)
        assert ok
    except QueryError as e:
        assert not ok
        if math.isfinite(lon) and math.isfinite(lat) and abs(lat) > 90 and abs(lon) <= 90:
            assert "swap" in e.message


@given(lons, lats, st.floats(0.0005, 0.05), st.floats(0.0005, 0.05), st.data())
@settings(max_examples=60)
def test_every_point_lies_in_exactly_one_planned_tile(lon, lat, w, h, data):
    b = (lon, lat, lon + w, lat + h)
    plan = set(geo.tiles_for_bbox(b))
    assert len(plan) == geo.count_tiles(b)
    for _ in range(20):
        px = data.draw(st.floats(b[0], b[2]))
        py = data.draw(st.floats(b[1], b[3]))
        x, y = geo.lonlat_to_tile(px, py, 14)
        holders = [t for t in plan if t[1] <= x < t[1] + 1 and t[2] <= y < t[2] + 1]
        assert len(holders) == 1


class CappedGraph:
    """A fake Graph API over random points: answers at most ``cap`` rows per box in
    an arbitrary order, with no paging, and refuses boxes holding too many. A transport."""

    def __init__(self, points, cap, refuse_over):
        self.points = points
        self.cap = cap
        self.refuse_over = refuse_over
        self.requests = 0

    def close(self):
        pass

    def get(self, url, params, headers, config):
        self.requests += 1
        b = [float(v) for v in params["bbox"].split(",")]
        assert geo.bbox_area(b) < 0.01, "the service refuses boxes of 0.01 deg² or more"
        hits = [p for p in self.points if b[0] <= p[1] <= b[2] and b[1] <= p[2] <= b[3]]
        if len(hits) > self.refuse_over:
            body = {"error": {"message": "Please reduce the amount of data you're asking for, then retry your "
                              "request", "type": "OAuthException", "code": 1}}
            return Response(500, {}, json.dumps(body).encode())
        random.Random(len(hits)).shuffle(hits)
        rows = [{"id": i, "geometry": {"type": "Point", "coordinates": [x, y]}, "sequence": "s"}
                for i, x, y in hits[: self.cap]]
        return Response(200, {}, json.dumps({"data": rows}).encode())


@given(st.integers(0, 3000), st.integers(0, 2**32), st.booleans())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_splitting_never_loses_or_duplicates(n, seed, clustered):
    rnd = random.Random(seed)
    area = (6.0, 49.5, 6.12, 49.58)
    cx, cy = rnd.uniform(area[0], area[2]), rnd.uniform(area[1], area[3])
    points = []
    for i in range(n):
        if clustered:  # a dense core, like a city centre
            x, y = rnd.gauss(cx, 0.002), rnd.gauss(cy, 0.002)
            if not (area[0] <= x <= area[2] and area[1] <= y <= area[3]):  # not clamped: hundreds of points
                x, y = rnd.uniform(area[0], area[2]), rnd.uniform(area[1], area[3])  # on one corner cannot split
        else:
            x, y = rnd.uniform(area[0], area[2]), rnd.uniform(area[1], area[3])
        points.append((str(10**15 + i), x, y))
    if rnd.random() < 0.3 and points:  # points exactly on a shared edge are found once
        points.append((str(10**15 + n), (area[0] + area[2]) / 2, (area[1] + area[3]) / 2))
    assume(len({p[0] for p in points}) == len(points))
    server = CappedGraph(points, cap=200, refuse_over=600)
    # split_at: the same rule as the real cap of 2000 / 1500, scaled down
    res = search(Query.build(bbox=area), "MLY|test", strategy="graph", transport=server,
                 config=Config(workers=4, split_at=150, backoff=0.001), sequences=False)
    report = res.report
    ids = [i.id for i in res.images]
    assert len(ids) == len(set(ids))
    assert set(ids) == {p[0] for p in points}
    assert report.complete


@given(st.floats(-179.0, 179.0), st.floats(-80.0, 80.0), st.floats(0.0, 0.05), st.floats(0.0, 0.05),
       st.floats(1.0, 5000.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 360.0), st.floats(0.0, 1.0))
def test_a_grown_box_holds_everything_that_close(lon, lat, w, h, metres, fx, fy, heading, share):
    b = (lon, lat, min(180.0, lon + w), min(85.0, lat + h))
    grown = geo.grow_bbox(b, metres)
    # a point of the box, then a point at most ``metres`` from it (spherical destination)
    x, y = b[0] + fx * (b[2] - b[0]), b[1] + fy * (b[3] - b[1])
    d, t = metres * share / geo.EARTH_RADIUS, math.radians(heading)
    p1, l1 = math.radians(y), math.radians(x)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(t))
    l2 = l1 + math.atan2(math.sin(t) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    px, py = math.degrees(l2), math.degrees(p2)
    assert grown[0] <= px + 1e-9 and px - 1e-9 <= grown[2] and grown[1] <= py + 1e-9 and py - 1e-9 <= grown[3]
