"""Shared fixtures: a sandbox Mapillary on 127.0.0.1 and the real recorded answers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # shared test helpers (truth.py)
REALDATA = ROOT.parent / "shared" / "realdata"

# Never reach the real service from a test, whatever the developer's shell holds.
for var in ("MAPILLARY_ACCESS_TOKEN", "MAPILLARY_GRAPH_URL", "MAPILLARY_TILES_URL"):
    os.environ.pop(var, None)


@pytest.fixture(scope="session")
def sandbox_server():
    """One sandbox (default world) for the whole session; tests that change
    faults must restore them (use the ``sandbox`` fixture)."""
    from sandbox import serve

    with serve() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server, monkeypatch, tmp_path_factory):
    """The session sandbox with clean faults and stats, and the engine's
    environment pointed at it."""
    from sandbox import DEMO_TOKEN
    from sandbox.server import Config

    sandbox_server.config = Config()  # every switch back to the real service's defaults
    sandbox_server.reset_stats()
    monkeypatch.setenv("MAPILLARY_GRAPH_URL", sandbox_server.url)
    monkeypatch.setenv("MAPILLARY_TILES_URL", sandbox_server.url)
    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", DEMO_TOKEN)
    cache = tmp_path_factory.mktemp("cache")  # each test its own tile cache (command line and QGIS)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("MAPILLARY_CACHE_DIR", str(cache / "qgis"))
    yield sandbox_server
    sandbox_server.config = Config()


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"the recorded real answers are not beside the checkout ({REALDATA})")
    return REALDATA
