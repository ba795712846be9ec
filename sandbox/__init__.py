"""A local stand-in for the Mapillary API v4 (Graph API + vector tiles) for tests and demos.

    from sandbox import serve, DEMO_TOKEN
    with serve(fault_rate=0.2, faults=("5xx", "cut")) as sb:
        # MAPILLARY_GRAPH_URL = MAPILLARY_TILES_URL = sb.url
        ...

Standard library only. See world.py (the generated world), mvt.py (the tile encoder)
and server.py (the endpoints, quirks and fault injection).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .server import (
    ALL_FAULT_KINDS,
    DEMO_TOKEN,
    FAULT_KINDS,
    REAL_FAULT_KINDS,
    REVOKED_TOKEN,
    SURVIVABLE_FAULT_KINDS,
    SandboxServer,
    Stats,
    redact,
)
from .world import CENTER, DENSE_CORE, FAR_USERNAME, Image, World, lonlat_to_tile, tile_bounds

__all__ = ["World", "Image", "SandboxServer", "Stats", "serve", "DEMO_TOKEN", "REVOKED_TOKEN",
           "CENTER", "DENSE_CORE", "FAULT_KINDS", "REAL_FAULT_KINDS", "ALL_FAULT_KINDS",
           "SURVIVABLE_FAULT_KINDS", "FAR_USERNAME", "redact", "tile_bounds", "lonlat_to_tile"]


@contextmanager
def serve(world: World | None = None, port: int = 0, **config: Any) -> Iterator[SandboxServer]:
    """Start a sandbox server in a background thread; yields it (``.url``, ``.world``,
    ``.stats``, ``.configure(...)``, ``.reset_stats()``) and shuts it down on exit.

    ``world`` defaults to ``World.cached()`` (seed 7, 60,000 images, built once per
    process); ``config`` is passed to ``SandboxServer.configure``."""
    server = SandboxServer(world, port, **config)
    try:
        yield server
    finally:
        server.close()
