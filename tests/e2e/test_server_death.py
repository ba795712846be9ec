"""The command line against a sandbox that dies half-way: it ends soon after, with what it had."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_ends_with_the_partial_result_soon_after_the_server_dies(tmp_path):
    from sandbox import CENTER, DEMO_TOKEN, SandboxServer

    server = SandboxServer(latency=0.05)
    died: list[float] = []

    def watch():
        while not server.closed:
            time.sleep(0.01)
        died.append(time.monotonic())

    try:
        server.configure(down_after=20)  # twenty tiles answered, then connections are refused
        threading.Thread(target=watch, daemon=True).start()
        out = tmp_path / "partial.geojson"
        env = dict(os.environ, MAPILLARY_GRAPH_URL=server.url, MAPILLARY_TILES_URL=server.url,
                   MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
        p = subprocess.Popen([sys.executable, "-m", "mapillary_retriever", "images", "--closeto",
                              f"{CENTER[0]},{CENTER[1]}", "--radius", "5000", "-o", str(out)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
        ended = time.monotonic()
    finally:
        server.close()
    assert died, (p.returncode, stderr)
    assert p.returncode == 3, stderr
    assert ended - died[0] < 20, f"ended {ended - died[0]:.1f} s after the server died"
    assert "Traceback" not in stderr and DEMO_TOKEN not in stderr + stdout
    assert "INCOMPLETE" in stderr and "reach" in stderr.lower()
    features = json.loads(out.read_text())["features"]
    assert features  # what was fetched is written
    truth = {i.id for i in server.world.images}
    assert {f["properties"]["id"] for f in features} <= truth
