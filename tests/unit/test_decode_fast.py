"""The numpy path of the tile decoder gives exactly the records of the feature-by-feature path."""

from __future__ import annotations

import numpy as np
import pytest

from mapillary_retriever.api.records import Strings
from mapillary_retriever.api.tiles import decode_images, decode_table
from sandbox import World, lonlat_to_tile
from sandbox.mvt import render_tile


def _same(fast, slow) -> bool:
    """Equal records; positions to 1e-12 degrees (numpy and math round the last bit differently)."""
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        assert abs(a.lon - b.lon) < 1e-12 and abs(a.lat - b.lat) < 1e-12, (a, b)
        a.lon, a.lat = b.lon, b.lat
        assert a == b
    return True


def _both(data: bytes, z: int, x: int, y: int):
    out = []
    for arrow in (True, False):
        skipped: dict[str, int] = {}
        out.append((decode_images(data, z, x, y, skipped=skipped, use_arrow=arrow), skipped))
    return out


@pytest.mark.parametrize("name,zxy", [("zurich-2021/14-8574-5735.mvt", (14, 8574, 5735)),
                                      ("unplaced-2025/tile.mvt", (14, 8574, 5735)),
                                      ("grand-junction-2021/14-3251-6257.mvt", (14, 3251, 6257))])
def test_real_tiles_same_records_both_ways(realdata, name, zxy):
    (fast, s1), (slow, s2) = _both((realdata / "v4/tiles" / name).read_bytes(), *zxy)
    assert _same(fast, slow) and s1 == s2


@pytest.mark.parametrize("schema", ["2025", "2021"])
def test_sandbox_tiles_with_absurd_records_same_both_ways(schema):
    world = World.cached()
    img = world.images[len(world.images) // 2]
    x, y = lonlat_to_tile(img.lon, img.lat, 14)
    data = render_tile(world, 14, x, y, schema=schema, bad_records=True)
    (fast, s1), (slow, s2) = _both(data, 14, x, y)
    assert len(fast) > 100 and _same(fast, slow) and s1 == s2
    bad = [i for i in fast if i.id.startswith("90000000000001")]
    assert len(bad) == 4 and [i.captured_at for i in bad] == [None, None, None, 1600000000000]
    assert bad[3].compass_angle is None


def test_one_code_per_sequence_across_tiles_and_images_as_columns():
    world = World.cached()
    img = world.images[len(world.images) // 2]
    x, y = lonlat_to_tile(img.lon, img.lat, 14)
    strings = Strings()
    a = decode_table(render_tile(world, 14, x, y), 14, x, y, strings=strings)
    b = decode_table(render_tile(world, 14, x + 1, y), 14, x + 1, y, strings=strings)
    common = set(a.seq.tolist()) & set(b.seq.tolist())
    assert common and len(strings.values) == len(set(strings.values))  # one code per distinct id
    assert a.ids.dtype == np.int64 and a.cap.dtype == np.int64 and a.seq.dtype == np.int32
    assert list(a) == decode_images(render_tile(world, 14, x, y), 14, x, y)  # the same records either way
    truth = {i.id: i for i in world.images}
    for rec in list(a)[:200]:
        t = truth[rec.id]
        assert rec.sequence_id == t.sequence_id and rec.creator_id == t.creator_id
