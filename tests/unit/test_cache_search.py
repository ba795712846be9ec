"""The tile cache inside a search: a repeated search makes no tile request and gives the same result."""

from __future__ import annotations

from mapillary_retriever.api import Query, search
from mapillary_retriever.api.client import Config


def test_a_repeated_search_is_served_from_the_cache(sandbox, tmp_path):
    from sandbox import CENTER

    q = Query.build(closeto=CENTER, radius=800)
    cfg = Config.from_env(cache_dir=str(tmp_path / "cache"), backoff=0.01)
    first = search(q, config=cfg)
    tiles = sandbox.stats["tiles"]
    assert tiles == first.report.planned and first.report.cached == 0
    sandbox.reset_stats()
    again = search(q, config=cfg)
    assert sandbox.stats["tiles"] == 0 and again.report.cached == first.report.planned
    assert [i.id for i in again.images] == [i.id for i in first.images]
    assert [s.image_ids for s in again.sequences] == [s.image_ids for s in first.sequences]
    # --refresh: fetched again, and the cache holds the new copies
    sandbox.reset_stats()
    fresh = search(q, config=cfg.with_(refresh=True))
    assert sandbox.stats["tiles"] == tiles and [i.id for i in fresh.images] == [i.id for i in first.images]


def test_the_cache_keeps_no_token_and_counts_tiles_per_day(sandbox, tmp_path):
    from sandbox import CENTER, DEMO_TOKEN

    cache = tmp_path / "cache"
    res = search(Query.build(closeto=CENTER, radius=300), config=Config.from_env(cache_dir=str(cache)))
    assert res.report.complete
    for path in cache.rglob("*"):
        assert DEMO_TOKEN not in str(path) and "MLY" not in str(path)
        if path.is_file():
            assert DEMO_TOKEN.encode() not in path.read_bytes()
    from mapillary_retriever.api.cache import DailyCounter

    assert DailyCounter(cache, DEMO_TOKEN).today() == res.report.planned


def test_a_search_without_a_cache_dir_writes_nothing(sandbox, tmp_path, monkeypatch):
    from sandbox import CENTER

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    search(Query.build(closeto=CENTER, radius=300), config=Config.from_env())
    assert not any(tmp_path.iterdir())


def test_an_unreadable_tile_in_the_cache_is_fetched_again(sandbox, tmp_path):
    """A damaged file in the cache (a disk error, a body cut short and kept) costs one request,
    not the tile: it is dropped and fetched from the network."""
    from sandbox import CENTER

    q = Query.build(closeto=CENTER, radius=800)
    cfg = Config.from_env(cache_dir=str(tmp_path / "cache"), backoff=0.01)
    first = search(q, config=cfg)
    files = sorted(p for p in (tmp_path / "cache").rglob("*.mvt") if p.stat().st_size > 1000)
    assert files
    files[0].write_bytes(b"\x1a\xff\xff not a vector tile")
    sandbox.reset_stats()
    again = search(q, config=cfg)
    assert again.report.complete and sandbox.stats["tiles"] == 1
    assert [i.id for i in again.images] == [i.id for i in first.images]
    assert files[0].read_bytes() != b"\x1a\xff\xff not a vector tile"  # the fresh copy is kept
