"""python3 -m sandbox --port 8765 [--images N] [--seed S] [--latency 0.08] [--fault-rate 0.2]
[--faults 5xx,cut,...] [--ready-file PATH]: run the sandbox in the foreground."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .server import ALL_FAULT_KINDS, DEMO_TOKEN, FAULT_KINDS, SandboxServer
from .world import World


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m sandbox", description="Local Mapillary API v4 stand-in")
    ap.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    ap.add_argument("--images", type=int, default=60_000, help="size of the generated world")
    ap.add_argument("--seed", type=int, default=7, help="world seed")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    ap.add_argument("--fault-rate", type=float, default=0.0, help="chance per request of a fault")
    ap.add_argument("--faults", default=",".join(FAULT_KINDS), help="comma-separated, of: " + ",".join(ALL_FAULT_KINDS))
    ap.add_argument("--fault-seed", type=int, default=0)
    ap.add_argument("--slow-seconds", type=float, default=2.0)
    ap.add_argument("--retry-after", type=float, default=1.0)
    ap.add_argument("--error-style", default="mapillary", choices=("mapillary", "graph"))
    ap.add_argument("--app-usage", action="store_true", help="x-app-usage on every Graph and tile answer")
    ap.add_argument("--tile-quota", type=int, default=None, help="tile requests per token and UTC day")
    ap.add_argument("--ready-file", help="write the URL to this file once listening")
    a = ap.parse_args(argv)

    world = World.cached(a.seed, a.images)
    server = SandboxServer(world, a.port, latency=a.latency, fault_rate=a.fault_rate, faults=a.faults,
                           seed=a.fault_seed, slow_seconds=a.slow_seconds, retry_after=a.retry_after,
                           error_style=a.error_style, app_usage=a.app_usage, tile_quota=a.tile_quota)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"Mapillary sandbox url={server.url} token={DEMO_TOKEN} images={len(world.images)} "
          f"seed={a.seed} port={server.port}", flush=True)
    if a.ready_file:
        tmp = a.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(server.url + "\n")
        os.replace(tmp, a.ready_file)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
