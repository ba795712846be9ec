"""The engine against the sandbox: completeness, filters, faults, tokens, cancel."""

from __future__ import annotations

import math

import pytest
from truth import dist, expected_lines, in_bbox, near

from mapillary_retriever.api import Cause, Query, resume, search
from mapillary_retriever.api.client import Config
from mapillary_retriever.api.geo import tiles_for_bbox


def fast(**kw) -> Config:
    return Config.from_env(backoff=0.01, max_backoff=0.05, **kw)


@pytest.fixture(scope="module")
def core():
    from sandbox import DENSE_CORE

    return DENSE_CORE


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_dense_core_is_complete(sandbox, core, strategy):
    truth = in_bbox(sandbox.world, core)
    assert len(truth) >= 6000  # a single Graph search would be capped at 2000
    res = search(Query.build(bbox=core), strategy=strategy, config=fast())
    ids = [i.id for i in res.images]
    assert len(ids) == len(set(ids))
    assert set(ids) == truth
    assert res.report.complete and not res.report.failures
    if strategy == "graph":
        assert res.report.planned > 1  # it had to split


@pytest.mark.parametrize("area", ["core", "circle"])
def test_sequences_are_ordered_and_break_where_they_leave(sandbox, core, area):
    from sandbox import CENTER

    q = Query.build(bbox=core) if area == "core" else Query.build(closeto=CENTER, radius=250)
    res = search(q, config=fast())
    world = sandbox.world
    truth = expected_lines(world, {i.id for i in res.images})
    got = {s.id: s for s in res.sequences}
    assert set(got) == set(truth)
    broken = 0
    for sid, seq in got.items():
        runs = [seq.image_ids[a:b] for a, b in zip(seq.parts, seq.parts[1:] + [len(seq.image_ids)])]
        assert runs == truth[sid]
        assert len(seq.coords) == len(seq.compass_angles) == len(seq.captured_at) == len(seq.image_ids)
        assert seq.captured_at == sorted(seq.captured_at)
        for (lon, lat), iid in zip(seq.coords, seq.image_ids):
            assert (lon, lat) == pytest.approx((world.by_id[iid].lon, world.by_id[iid].lat), abs=1e-9)
        assert [len(line) for line in seq.lines()] == [len(r) for r in runs]
        broken += len(runs) > 1
    assert broken > 0, "some sequence should leave the area and come back"
    assert any(len(tiles_for_bbox((min(c[0] for c in s.coords), min(c[1] for c in s.coords),
                                   max(c[0] for c in s.coords), max(c[1] for c in s.coords)))) > 1
               for s in res.sequences), "some sequence should cross a tile edge"


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_point_search_uses_haversine(sandbox, strategy):
    from sandbox import CENTER

    res = search(Query.build(closeto=CENTER, radius=150), strategy=strategy, config=fast())
    assert {i.id for i in res.images} == near(sandbox.world, *CENTER, 150)


def test_lookat(sandbox):
    from sandbox import CENTER

    target = (CENTER[0] + 0.001, CENTER[1] + 0.0005)
    res = search(Query.build(closeto=CENTER, radius=200, lookat=target, tolerance=30), config=fast())

    def bearing(img):
        p1, p2 = math.radians(img.lat), math.radians(target[1])
        dl = math.radians(target[0] - img.lon)
        return math.degrees(math.atan2(math.sin(dl) * math.cos(p2),
                                       math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))) % 360

    def facing(img):
        if img.is_pano:
            return True
        if img.compass_angle is None:
            return False
        d = abs(bearing(img) - img.compass_angle) % 360
        return min(d, 360 - d) <= 30

    truth = {i.id for i in sandbox.world.images if dist(*CENTER, i.lon, i.lat) <= 200 and facing(i)}
    got = {i.id for i in res.images}
    assert got == truth and 0 < len(truth) < len(near(sandbox.world, *CENTER, 200))
    assert any(sandbox.world.by_id[i].is_pano for i in got)


def test_time_pano_and_people_filters(sandbox, core):
    world = sandbox.world
    in_core = [world.by_id[i] for i in in_bbox(world, core)]
    from collections import Counter

    busiest = [u for u, _ in Counter(i.creator_username for i in in_core).most_common(2)]
    name, key = busiest[0], next(i.creator_id for i in in_core if i.creator_username == busiest[1])
    start, end = "2018-01-01", "2022-01-01"
    import datetime as dt

    s = dt.datetime(2018, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000
    e = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000
    for strategy in ("tiles", "graph"):
        q = Query.build(bbox=core, start_time=start, end_time=end, pano="exclude", usernames=name, userkeys=key)
        got = {i.id for i in search(q, strategy=strategy, config=fast()).images}
        truth = {i.id for i in in_core if s <= i.captured_at < e and not i.is_pano
                 and (i.creator_username == name or i.creator_id == key)}
        assert got == truth and truth, strategy
    only_pano = {i.id for i in search(Query.build(bbox=core, pano="only"), config=fast()).images}
    assert only_pano == {i.id for i in in_core if i.is_pano} and only_pano


def test_unknown_username_is_a_clear_error(sandbox, core):
    res = search(Query.build(bbox=core, usernames="nobody_at_all"), config=fast())
    assert res.report.fatal.cause == Cause.BAD_QUERY and not res.images
    assert "No Mapillary images by 'nobody_at_all'" in res.report.fatal.reason


def test_extra_fields_come_from_the_graph_api(sandbox):
    from sandbox import CENTER

    q = Query.build(closeto=CENTER, radius=60, fields="username,make,model,computed_geometry,computed_altitude")
    res = search(q, config=fast())
    assert res.images and res.report.complete
    for img in res.images:
        w = sandbox.world.by_id[img.id]
        assert img.extra["username"] == w.creator_username and img.extra["make"] == w.make
        assert img.extra["computed_lon"] == pytest.approx(w.computed_lon)
        assert img.extra["computed_altitude"] is None or img.extra["computed_altitude"] < 2**31
        assert not any("thumb" in k for k in img.extra)
    assert sandbox.stats["search"] >= math.ceil(len(res.images) / 100)


def test_max_features_keeps_the_nearest(sandbox):
    from sandbox import CENTER

    res = search(Query.build(closeto=CENTER, radius=300, max_features=25), config=fast())
    assert len(res.images) == 25 and res.report.capped and res.report.complete
    dists = sorted(dist(*CENTER, i.lon, i.lat) for i in sandbox.world.images)
    assert max(dist(*CENTER, i.lon, i.lat) for i in res.images) == pytest.approx(dists[24])


ALL_FAULTS = ("5xx", "code1", "code2", "ratelimit", "cut", "drop", "slow")


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_faults_do_not_change_the_result(sandbox, strategy, rate):
    from sandbox import CENTER

    q = Query.build(closeto=CENTER, radius=2500)  # ~25 tiles, more Graph boxes
    clean = search(q, strategy=strategy, config=fast())
    assert clean.report.complete and len(clean.images) > 20_000
    sandbox.configure(fault_rate=rate, faults=ALL_FAULTS, retry_after=0.01, slow_seconds=0.2, seed=11)
    sandbox.reset_stats()
    res = search(q, strategy=strategy, config=fast(retries=20))
    assert res.report.complete and not res.report.failures
    assert sorted(i.id for i in res.images) == sorted(i.id for i in clean.images)
    assert [s.image_ids for s in res.sequences] == [s.image_ids for s in clean.sequences]
    assert sandbox.stats["faults"] >= 3
    assert res.report.requests > clean.report.requests  # the faults were retried


def test_a_tile_that_keeps_failing_is_named(sandbox, core):
    tiles = tiles_for_bbox(core)
    bad = tiles[0]
    sandbox.configure(fail_tiles={bad})
    res = search(Query.build(bbox=core), config=fast(retries=2))
    assert not res.report.complete
    assert res.report.missing("tile") == ["/".join(map(str, bad))]
    truth = in_bbox(sandbox.world, core)
    lost = {i.id for i in sandbox.world.tile_images(*bad)}
    assert {i.id for i in res.images} == truth - lost  # nothing else is lost
    # the missing part can be fetched alone once the tile is back
    sandbox.configure(fail_tiles=set())
    sandbox.reset_stats()
    again = resume(res, config=fast())
    assert sandbox.stats["tiles"] == 1  # just the missing tile
    assert again.report.complete and not again.report.failures
    assert {i.id for i in again.images} == truth


def test_resume_with_extra_fields_merges_old_and_new_images(sandbox, core):
    """The images of the first try carry their extra fields, the missing tile's arrive without: the
    merged result has every image once, each with its fields."""
    bad = tiles_for_bbox(core)[0]
    sandbox.configure(fail_tiles={bad})
    q = Query.build(bbox=core, fields="username,make")
    res = search(q, config=fast(retries=0))
    assert res.report.missing("tile") == ["/".join(map(str, bad))] and res.images
    assert all(i.extra and "username" in i.extra for i in res.images)
    sandbox.configure(fail_tiles=set())
    again = resume(res, config=fast())
    assert again.report.complete, again.report.summary()
    assert sorted(i.id for i in again.images) == sorted(in_bbox(sandbox.world, core))
    for img in again.images:
        w = sandbox.world.by_id[img.id]
        assert img.extra["username"] == w.creator_username and img.extra["make"] == w.make


@pytest.mark.parametrize("token", ["nonsense", "REVOKED", ""])
def test_bad_token_stops_at_once(sandbox, core, token):
    from sandbox import REVOKED_TOKEN

    token = REVOKED_TOKEN if token == "REVOKED" else token
    res = search(Query.build(bbox=core), token=token, config=fast())
    fatal = res.report.fatal
    assert fatal.cause == Cause.TOKEN and not res.report.complete
    assert "token" in fatal.reason.lower()
    if token:
        assert token not in str(res.report)
        assert sandbox.stats["tiles"] <= 16  # the workers already in flight, no retry storm
    else:
        assert sandbox.stats["tiles"] == 0


def test_cancel_keeps_what_was_fetched(sandbox):
    from sandbox import CENTER

    sandbox.configure(latency=0.05)
    seen = []

    def progress(p):
        seen.append(p)

    res = search(Query.build(closeto=CENTER, radius=2500), config=fast(workers=2), progress=progress,
                 cancelled=lambda: any(p.stage == "tiles" and p.done >= 2 for p in seen))
    assert res.report.cancelled and not res.report.complete
    assert 2 <= res.report.fetched < res.report.planned
    truth = near(sandbox.world, *CENTER, 2500)
    assert res.images and {i.id for i in res.images} < truth


def test_progress_reports_tiles_and_images(sandbox, core):
    seen = []
    res = search(Query.build(bbox=core), config=fast(), progress=seen.append)
    tiles = [p for p in seen if p.stage == "tiles"]
    assert tiles[0].done == 0 and tiles[-1].done == tiles[-1].total == res.report.planned
    assert [p.found for p in tiles] == sorted(p.found for p in tiles)
    assert seen[-1].stage == "done" and seen[-1].found == len(res.images)
