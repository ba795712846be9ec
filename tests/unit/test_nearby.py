"""api.nearby (images for features) against the sandbox, with this file's own distance and
bearing formulas for the truth (not the engine's)."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest
from truth import EARTH_RADIUS, azimuth, dist, off

from mapillary_retriever.api import Cause, QueryError
from mapillary_retriever.api.client import Config
from mapillary_retriever.api.nearby import Feature, images_for_features

LON0, LAT0 = 6.13, 49.61


def fast() -> Config:
    return Config.from_env(backoff=0.01, max_backoff=0.05, retries=0)


@pytest.mark.parametrize("looking", [False, True])
def test_points_equal_truth(sandbox, looking):
    spots = {"A": (LON0, LAT0), "B": (LON0 + 0.0021, LAT0 - 0.0009), "far": (LON0 + 0.5, LAT0)}
    newer = datetime(2017, 1, 1, tzinfo=timezone.utc)
    res = images_for_features([Feature(k, "point", [[p]]) for k, p in spots.items()], distance=25, nearest=4,
                              looking_at=looking, tolerance=40, newer_than=newer, config=fast())
    expected = set()
    for key, (lon, lat) in spots.items():
        rows = []
        for i in sandbox.world.images:
            d = dist(i.lon, i.lat, lon, lat)
            if d > 25 or i.captured_at < newer.timestamp() * 1000:
                continue
            if looking and not i.is_pano and (i.compass_angle is None or
                                              off(azimuth(i.lon, i.lat, lon, lat), i.compass_angle) > 40):
                continue
            rows.append((d, i.id))
        rows.sort()
        expected |= {(key, iid, rank) for rank, (_, iid) in enumerate(rows[:4], 1)}
    assert {(m.feature_id, m.image.id, m.rank) for m in res.matches} == expected
    assert res.matched == len({key for key, _, _ in expected}) >= 1 and res.features == 3 and res.report.complete
    assert "far" not in {m.feature_id for m in res.matches}
    by_id = sandbox.world.by_id
    for m in res.matches:
        i = by_id[m.image.id]
        spot = spots[m.feature_id]
        assert m.distance == pytest.approx(dist(i.lon, i.lat, *spot), abs=0.01)
        assert off(m.bearing, azimuth(i.lon, i.lat, *spot)) < 0.1


def test_polygon_inside_and_line_distance(sandbox):
    k = 1 / (EARTH_RADIUS * math.pi / 180)
    dlat, dlon = 15 * k, 15 * k / math.cos(math.radians(LAT0))
    ring = [(LON0 - dlon, LAT0 - dlat), (LON0 + dlon, LAT0 - dlat), (LON0 + dlon, LAT0 + dlat),
            (LON0 - dlon, LAT0 + dlat), (LON0 - dlon, LAT0 - dlat)]
    a, b = (LON0 - 0.0040, LAT0 - 0.0005), (LON0 - 0.0015, LAT0 + 0.0004)
    res = images_for_features([Feature("square", "polygon", [ring]), Feature("line", "line", [[a, b]])],
                              distance=8, nearest=10_000, config=fast())
    inside = {i.id for i in sandbox.world.images
              if LON0 - dlon <= i.lon <= LON0 + dlon and LAT0 - dlat <= i.lat <= LAT0 + dlat}
    square = {m.image.id: m for m in res.matches if m.feature_id == "square"}
    assert len(inside) > 5 and inside <= set(square)
    assert all(square[i].distance == 0 for i in inside)
    centre = [m for m in square.values() if m.distance == 0 and m.bearing is not None]
    assert all(off(m.bearing, azimuth(m.image.lon, m.image.lat, LON0, LAT0)) < 1 for m in centre)

    def seg_dist(lon, lat):  # a local plane of its own
        kx, ky = math.cos(math.radians(LAT0)) * EARTH_RADIUS * math.pi / 180, EARTH_RADIUS * math.pi / 180
        px, py = (lon - a[0]) * kx, (lat - a[1]) * ky
        bx, by = (b[0] - a[0]) * kx, (b[1] - a[1]) * ky
        t = max(0.0, min(1.0, (px * bx + py * by) / (bx * bx + by * by)))
        return math.hypot(px - t * bx, py - t * by)

    truth = {i.id: seg_dist(i.lon, i.lat) for i in sandbox.world.images if seg_dist(i.lon, i.lat) <= 8}
    got = {m.image.id: m.distance for m in res.matches if m.feature_id == "line"}
    borderline = {i for i, d in truth.items() if abs(d - 8) < 0.05}
    assert set(got) - borderline == set(truth) - borderline and len(truth) > 20
    assert all(got[i] == pytest.approx(truth[i], abs=0.05) for i in got if i in truth)
    ranks = [m.rank for m in res.matches if m.feature_id == "line"]
    assert ranks == list(range(1, len(ranks) + 1))


def test_a_polygon_hole_is_outside(sandbox):
    def square(half):
        k = 1 / (EARTH_RADIUS * math.pi / 180)
        dlat, dlon = half * k, half * k / math.cos(math.radians(LAT0))
        return [(LON0 - dlon, LAT0 - dlat), (LON0 + dlon, LAT0 - dlat), (LON0 + dlon, LAT0 + dlat),
                (LON0 - dlon, LAT0 + dlat)]

    res = images_for_features([Feature(1, "polygon", [square(40), square(20)])], distance=1, nearest=10_000,
                              config=fast())
    for m in res.matches:
        d = dist(m.image.lon, m.image.lat, LON0, LAT0)
        assert d > 19  # nothing from deep inside the hole
    assert any(m.distance == 0 for m in res.matches) and any(m.distance > 0 for m in res.matches)


def test_features_close_together_share_their_tiles(sandbox):
    spots = [Feature(n, "point", [[(LON0 + 0.0004 * n, LAT0)]]) for n in range(30)]
    res = images_for_features(spots, distance=20, nearest=1, config=fast())
    near = [f for f in spots if any(dist(i.lon, i.lat, *f.parts[0][0]) <= 20 for i in sandbox.world.images)]
    assert res.matched == len(near) > 20 and res.report.complete
    assert sandbox.stats["tiles"] == res.report.fetched <= 4  # one search for all thirty


def test_extra_fields_for_the_chosen_images_only(sandbox):
    res = images_for_features([Feature("A", "point", [[(LON0, LAT0)]])], distance=50, nearest=3,
                              fields=("make", "username"), config=fast())
    assert len(res.matches) == 3
    for m in res.matches:
        truth = sandbox.world.by_id[m.image.id]
        assert m.image.extra["make"] == truth.make and m.image.extra["username"] == truth.creator_username
    assert [p for p in sandbox.stats.paths if "image_ids=" in p].__len__() == 1


def test_unusable_and_huge_features_are_skipped(sandbox):
    huge = Feature("huge", "polygon", [[(5.0, 49.0), (7.0, 49.0), (7.0, 51.0), (5.0, 51.0)]])
    res = images_for_features([Feature("empty", "line", []), huge, Feature("odd", "circle", [[(LON0, LAT0)]])],
                              config=fast())
    assert {fid for fid, _ in res.skipped} == {"empty", "huge", "odd"}
    assert "more than 400" in dict(res.skipped)["huge"]
    assert res.matches == [] and sandbox.stats["tiles"] == 0


def test_failures_and_a_refused_token_keep_what_was_found(sandbox):
    from sandbox import REVOKED_TOKEN, lonlat_to_tile

    x, y = lonlat_to_tile(LON0, LAT0, 14)
    sandbox.configure(fail_tiles={(14, x, y)})
    res = images_for_features([Feature("A", "point", [[(LON0, LAT0)]])], config=fast())
    assert not res.report.complete and res.report.missing("tile") == [f"14/{x}/{y}"]
    res = images_for_features([Feature("A", "point", [[(LON0, LAT0)]])], REVOKED_TOKEN, config=fast())
    assert res.report.fatal is not None and res.report.fatal.cause == Cause.TOKEN and res.matches == []


def test_cancel_and_bad_filters(sandbox):
    res = images_for_features([Feature("A", "point", [[(LON0, LAT0)]])], config=fast(), cancelled=lambda: True)
    assert res.report.cancelled and res.matches == []
    with pytest.raises(QueryError):
        images_for_features([], pano="sometimes")
