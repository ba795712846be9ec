"""A long search killed with kill -9 half-way, started again with the same command, resumes from the tile
cache without fetching the finished tiles again, and writes exactly the uninterrupted output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def command(sandbox, out, cache):
    from sandbox import DEMO_TOKEN

    env = dict(os.environ, MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
               MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN, XDG_CACHE_HOME=str(cache))
    bounds = sandbox.world.bounds()
    args = [sys.executable, "-m", "mapillary_retriever", "images", "--bbox", ",".join(map(str, bounds)),
            "--workers", "2", "-q", "-o", str(out)]
    return args, env


def features(path):
    doc = json.loads(Path(path).read_text())
    return sorted((f["properties"]["id"], tuple(f["geometry"]["coordinates"])) for f in doc["features"])


def test_kill_9_half_way_then_the_same_command_resumes(sandbox, tmp_path):
    sandbox.configure(latency=0.05)
    cache = tmp_path / "cache"
    out = tmp_path / "all.geojson"
    args, env = command(sandbox, out, cache)
    total = len(sandbox.world.tiles())
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sandbox.stats["tiles"] < total // 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    first = sandbox.stats["tiles"]
    assert 0 < first < total and not out.exists()

    sandbox.reset_stats()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    again = sandbox.stats["tiles"]
    assert again <= total - first + 2 * 2  # the finished tiles are not fetched again (at most the ones in flight)

    straight = tmp_path / "straight.geojson"
    sandbox.reset_stats()
    args2, env2 = command(sandbox, straight, tmp_path / "empty-cache")
    assert subprocess.run(args2, cwd=ROOT, env=env2, capture_output=True, timeout=300).returncode == 0
    assert features(out) == features(straight)
