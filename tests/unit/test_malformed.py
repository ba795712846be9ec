"""Malformed answers: each gets a clear error or is skipped and counted, never a crash."""

from __future__ import annotations

import json

import pytest

from mapillary_retriever.api import Query, search
from mapillary_retriever.api.client import Config, Response
from mapillary_retriever.api.tiles import _to_images


def fast(**kw) -> Config:
    return Config.from_env(backoff=0.01, max_backoff=0.05, **kw)


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_occasional_garbage_is_retried_away(sandbox, strategy):
    from sandbox import DENSE_CORE

    clean = {i.id for i in search(Query.build(bbox=DENSE_CORE), strategy=strategy, config=fast()).images}
    sandbox.configure(fault_rate=0.3, faults=("garbage", "nodata"), seed=3)
    res = search(Query.build(bbox=DENSE_CORE), strategy=strategy, config=fast(retries=15))
    assert res.report.complete and {i.id for i in res.images} == clean
    assert sandbox.stats["faults"] > 0


@pytest.mark.parametrize("fault,tile_msg,graph_msg", [
    ("garbage", "not a readable vector tile", "was not JSON"),
    ("nodata", "not a readable vector tile", "no 'data' list"),
])
@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_persistent_garbage_is_reported_not_raised(sandbox, strategy, fault, tile_msg, graph_msg):
    from sandbox import DENSE_CORE

    sandbox.configure(fault_rate=1.0, faults=(fault,), fault_targets=("tiles", "search"))
    try:
        res = search(Query.build(bbox=DENSE_CORE), strategy=strategy, config=fast(retries=2))
    finally:
        sandbox.configure(fault_targets=("tiles", "search", "entity", "image_ids", "thumb", "other"))
    assert res.images == [] and not res.report.complete
    assert len(res.report.failures) == res.report.planned >= 1
    msg = tile_msg if strategy == "tiles" else graph_msg
    assert all(msg in f.reason for f in res.report.failures), res.report.failures[0].reason
    assert res.report.requests == 3 * res.report.planned  # the first try and two retries, no more


def test_records_without_id_or_position_are_counted():
    cols = {"id": ["1", "", None, "4"], "sequence_id": [b"s", b"s", b"s", b"s"], "captured_at": [1, 2, 3, 0],
            "compass_angle": ["", 10.0, None, "nan"], "is_pano": ["true", 0, 1, "false"],
            "creator_id": [7, None, "8", b""], "organization_id": [None] * 4}
    skipped = {}
    images = _to_images([(6.1, 49.6), (6.1, 49.6), (6.1, 49.6), None], cols, skipped)
    assert [i.id for i in images] == ["1"]
    assert skipped == {"no image id in the tile": 2, "no position in the tile": 1}
    img = images[0]
    assert img.compass_angle is None and img.is_pano is True and img.creator_id == "7"
    assert img.sequence_id == "s" and img.captured_at == 1


class OddGraph:
    """A transport whose Graph rows have no geometry, no id, bad coordinates: skipped and counted."""

    def get(self, url, params, headers, config):
        rows = [
            {"id": "1", "geometry": {"type": "Point", "coordinates": [6.101, 49.601]}},
            {"id": "2"},
            {"geometry": {"type": "Point", "coordinates": [6.102, 49.602]}},
            {"id": "3", "geometry": {"type": "Point", "coordinates": []}},
            {"id": "4", "geometry": "POINT(6 49)"},
            "not an object",
        ]
        return Response(200, {}, json.dumps({"data": rows}).encode())

    def close(self):
        pass


def test_graph_rows_without_geometry_are_skipped_and_counted():
    res = search(Query.build(bbox="6.1,49.6,6.11,49.61"), "MLY|test", strategy="graph",
                 config=fast(workers=2), transport=OddGraph())
    report = res.report
    assert [i.id for i in res.images] == ["1"]
    assert report.skipped["no id or position in the Graph API answer"] == 5
    assert "5 skipped" in report.summary()


class DenseUser:
    """A transport: a user's pages are refused as too much data above limit 1000, then served in
    pages of ``limit`` rows with cursor links (which carry no token)."""

    def __init__(self, total: int):
        self.total = total
        self.limits: list[int] = []

    def get(self, url, params, headers, config):
        from urllib.parse import parse_qsl, urlencode, urlsplit

        query = dict(parse_qsl(urlsplit(url).query))
        limit, after = int(query.get("limit", 2000)), int(query.get("after", 0))
        self.limits.append(limit)
        if limit > 1000:
            body = {"error": {"message": "Please reduce the amount of data you're asking for, then retry your "
                              "request", "type": "OAuthException", "code": 1}}
            return Response(500, {}, json.dumps(body).encode())
        rows = [{"id": str(10**15 + i), "geometry": {"type": "Point", "coordinates": [6.1 + i * 1e-5, 49.6]},
                 "captured_at": 1_600_000_000_000 + i * 1000, "sequence": "s", "creator": {"id": "7"}}
                for i in range(after, min(after + limit, self.total))]
        data = {"data": rows}
        if after + limit < self.total:
            data["paging"] = {"next": url.split("?")[0] + "?" + urlencode(dict(query, after=after + limit))}
        return Response(200, {}, json.dumps(data).encode())

    def close(self):
        pass


def test_a_users_page_refused_as_too_much_is_asked_with_fewer_rows():
    server = DenseUser(2500)
    res = search(Query.build(usernames="busy_mapper"), "MLY|test", config=fast(workers=2), transport=server)
    assert res.report.complete, res.report.summary()
    assert len(res.images) == 2500 and len({i.id for i in res.images}) == 2500
    assert server.limits[:2] == [2000, 1000] and set(server.limits[1:]) == {1000}
