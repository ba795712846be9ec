"""The on-disk tile cache and the daily tile-request counter."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from mapillary_retriever.api import cache
from mapillary_retriever.api.cache import DailyCounter, TileCache, default_cache_dir

TOKEN = "MLY|4242424242|0123456789abcdef0123456789abcdef"


def key(i: int) -> str:
    return f"mly1_public/14/{8473 + i}/5583"


def age(c: TileCache, k: str, seconds: float) -> None:
    """Make a cached tile look fetched ``seconds`` ago."""
    p = c._path(k)
    t = time.time() - seconds
    os.utime(p, (t, t))


def all_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def test_miss_then_hit(tmp_path):
    c = TileCache(tmp_path)
    assert c.get(key(0)) is None
    c.put(key(0), b"tile zero")
    assert c.get(key(0)) == b"tile zero"
    assert c.get(key(1)) is None
    assert (tmp_path / "tiles/mly1_public/14/8473/5583.mvt").read_bytes() == b"tile zero"
    assert TileCache(tmp_path).get(key(0)) == b"tile zero"  # a new instance finds it


def test_expiry(tmp_path):
    c = TileCache(tmp_path, lifetime=3600)
    c.put(key(0), b"old")
    c.put(key(1), b"new")
    age(c, key(0), 3601)
    age(c, key(1), 3599)
    assert c.get(key(0)) is None
    assert not c._path(key(0)).exists()
    assert c.total_bytes == 3
    assert c.get(key(1)) == b"new"


def test_a_hit_does_not_make_a_tile_younger(tmp_path):
    c = TileCache(tmp_path, lifetime=3600)
    c.put(key(0), b"x")
    age(c, key(0), 3000)
    assert c.get(key(0)) == b"x"
    assert time.time() - c._path(key(0)).stat().st_mtime > 2900


def test_lru_eviction_under_byte_cap(tmp_path):
    c = TileCache(tmp_path, max_bytes=300)
    for i in range(3):
        c.put(key(i), bytes([i]) * 100)
    assert c.total_bytes == 300
    assert c.get(key(0)) == bytes([0]) * 100  # 0 is now the most recently used; 1 the least
    c.put(key(3), b"3" * 100)
    assert c.get(key(1)) is None
    assert [c.get(key(i)) is not None for i in (0, 2, 3)] == [True, True, True]
    assert c.total_bytes == 300
    c.put(key(4), b"4" * 150)  # two must go: 0 and 2 are now the oldest uses
    assert c.get(key(0)) is None and c.get(key(2)) is None
    assert c.get(key(3)) is not None and c.get(key(4)) is not None
    assert sum(p.stat().st_size for p in all_files(tmp_path)) == c.total_bytes == 250


def test_recency_survives_a_restart(tmp_path):
    c = TileCache(tmp_path, max_bytes=1000)
    for i in range(3):
        c.put(key(i), b"x" * 100)
    t = time.time()
    for i, ago in ((0, 10), (1, 30), (2, 20)):  # last used: 1, then 2, then 0
        os.utime(c._path(key(i)), (t - ago, t - 60))
    c2 = TileCache(tmp_path, max_bytes=250)  # the scan at start evicts the least recently used
    assert c2.total_bytes == 200
    assert c2.get(key(1)) is None
    assert c2.get(key(0)) is not None and c2.get(key(2)) is not None


def test_a_hit_is_remembered_on_disk(tmp_path):
    c = TileCache(tmp_path)
    for i in range(3):
        c.put(key(i), b"x" * 100)
        t = time.time() - 100 + i  # used in the order 0, 1, 2 (after being written: the
        os.utime(c._path(key(i)), (t, t - 10))  # file system's relatime then leaves reads alone)
    assert c.get(key(0)) is not None  # now 0 is the most recently used
    c2 = TileCache(tmp_path, max_bytes=200)
    assert c2.get(key(1)) is None
    assert c2.get(key(0)) is not None and c2.get(key(2)) is not None


def test_a_hit_sets_the_access_time(tmp_path):
    c = TileCache(tmp_path)
    c.put(key(0), b"x")
    t = time.time()
    os.utime(c._path(key(0)), (t + 10_000, t - 10))  # an access time the file system's relatime leaves alone
    assert c.get(key(0)) == b"x"
    st = c._path(key(0)).stat()
    assert abs(st.st_atime - time.time()) < 1000
    assert st.st_mtime == pytest.approx(t - 10)


def test_replacing_a_tile_counts_its_size_once(tmp_path):
    c = TileCache(tmp_path)
    c.put(key(0), b"a" * 10)
    c.put(key(0), b"b" * 30)
    assert c.total_bytes == 30
    assert c.get(key(0)) == b"b" * 30


def test_a_tile_larger_than_the_cap_is_not_kept(tmp_path):
    c = TileCache(tmp_path, max_bytes=10)
    c.put(key(0), b"small")
    c.put(key(1), b"x" * 11)
    assert c.get(key(1)) is None
    assert c.get(key(0)) == b"small"


def test_clear(tmp_path):
    c = TileCache(tmp_path)
    c.put(key(0), b"x")
    c.clear()
    assert c.get(key(0)) is None and c.total_bytes == 0
    assert all_files(tmp_path) == []
    c.put(key(0), b"y")
    assert c.get(key(0)) == b"y"


def test_concurrent_puts_and_gets(tmp_path):
    c = TileCache(tmp_path, max_bytes=40 * 1000)
    errors = []

    def worker(w: int) -> None:
        try:
            for i in range(60):
                k = key(i % 50)
                c.put(k, bytes([i % 50]) * 1000)
                got = c.get(k)
                assert got is None or got == bytes([i % 50]) * 1000  # whole, or evicted: never a part
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    files = all_files(tmp_path)
    assert not [p for p in files if p.name.endswith(".tmp")]
    assert sum(p.stat().st_size for p in files) == c.total_bytes <= 40 * 1000
    for p in files:
        assert p.read_bytes() == p.read_bytes()[:1] * 1000
    assert TileCache(tmp_path).total_bytes == c.total_bytes  # the running total agrees with a rescan


def test_no_partial_file_under_the_final_name(tmp_path, monkeypatch):
    c = TileCache(tmp_path)
    c.put(key(0), b"old tile")
    seen = []

    def crash(src, dst):  # the process dies between the write and the rename
        seen.append((Path(src).read_bytes(), Path(dst).read_bytes()))
        raise KeyboardInterrupt

    monkeypatch.setattr(cache.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        c.put(key(0), b"new tile")
    assert seen == [(b"new tile", b"old tile")]  # written in full elsewhere while the old one stood
    monkeypatch.undo()
    assert c.get(key(0)) == b"old tile"


def test_a_crash_leaves_a_temp_file_that_is_ignored_and_cleaned(tmp_path):
    c = TileCache(tmp_path)
    c.put(key(1), b"other")
    final = c._path(key(0))
    final.parent.mkdir(parents=True)
    leftover = final.with_name("." + final.name + ".999.1.tmp")  # as a killed writer leaves it
    leftover.write_bytes(b"half a ti")
    assert c.get(key(0)) is None
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    c2 = TileCache(tmp_path)
    assert not leftover.exists()
    assert c2.total_bytes == len(b"other")
    assert c2.get(key(0)) is None


@pytest.mark.parametrize("bad", [TOKEN, f"mly1_public/14/1/2?access_token={TOKEN}", "x/access_token/1",
                                 "mly1_public/14/MLY|1|2/3",
                                 "mly1_public/14/MLYabc123/3", "../../etc/passwd", "a//b", "", "a/b.c"])
def test_keys_with_a_token_or_a_path_are_refused(tmp_path, bad):
    c = TileCache(tmp_path)
    with pytest.raises(ValueError):
        c.put(bad, b"x")
    with pytest.raises(ValueError):
        c.get(bad)
    assert all_files(tmp_path) == []


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "mapillary-retriever"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home/.cache/mapillary-retriever"


def test_counter_persists_across_instances(tmp_path):
    a = DailyCounter(tmp_path, TOKEN)
    assert a.today() == 0
    assert a.add() == 1
    a.add(35)
    assert DailyCounter(tmp_path, TOKEN).today() == 36
    assert DailyCounter(tmp_path, TOKEN + "x").today() == 0  # another token counts apart


def test_counter_day_rollover(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "_utc_day", lambda: "2026-11-29")
    c = DailyCounter(tmp_path, TOKEN)
    c.add(49_000)
    assert c.warning() is not None and "49,000" in c.warning()
    monkeypatch.setattr(cache, "_utc_day", lambda: "2026-11-30")
    assert c.today() == 0
    assert c.warning() is None
    assert c.add(2) == 2
    assert DailyCounter(tmp_path, TOKEN).today() == 2


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"x": 5}', ""])
def test_counter_starts_from_zero_on_a_damaged_file(tmp_path, body):
    (tmp_path / DailyCounter.FILE).write_text(body)
    c = DailyCounter(tmp_path, TOKEN)
    assert c.today() == 0
    assert c.add(3) == 3
    assert DailyCounter(tmp_path, TOKEN).today() == 3


def test_counter_from_threads(tmp_path):
    c = DailyCounter(tmp_path, TOKEN)
    threads = [threading.Thread(target=lambda: [c.add() for _ in range(20)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert DailyCounter(tmp_path, TOKEN).today() == 160


def test_the_token_is_nowhere_in_the_directory(tmp_path):
    c = TileCache(tmp_path)
    for i in range(3):
        c.put(key(i), b"tile")
    counter = DailyCounter(tmp_path, TOKEN)
    counter.add(3)
    files = all_files(tmp_path)
    assert (tmp_path / DailyCounter.FILE) in files
    pieces = [TOKEN, TOKEN.split("|")[1], TOKEN.split("|")[2]]
    for p in files:
        body = p.read_bytes()
        for piece in pieces:
            assert piece not in str(p.relative_to(tmp_path))
            assert piece.encode() not in body
    assert list(json.loads((tmp_path / DailyCounter.FILE).read_text())) == [counter._id]
