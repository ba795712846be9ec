"""One measured run in a fresh process (so peak memory is its own): prints JSON.

    python bench/one.py MODE URL MINLON,MINLAT,MAXLON,MAXLAT [WORKERS]

MODE: tiles | graph (this engine); sdk (the official Python SDK's way: the same z14
tiles one after another, decoded with vt2geojson); sequential (the same, but decoded
with this engine's GDAL decoder: a stricter baseline); naive (one Graph bbox search).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapillary_retriever.api import MapillaryError, Query, search  # noqa: E402
from mapillary_retriever.api.client import Client, Config  # noqa: E402
from mapillary_retriever.api.geo import tiles_for_bbox  # noqa: E402
from mapillary_retriever.api.tiles import decode_images  # noqa: E402


def peak_mb() -> float:
    """This process's peak resident memory. (ru_maxrss would not do: Linux keeps it across
    exec, so a child would report its parent's peak.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    mode, url, bbox = sys.argv[1], sys.argv[2], tuple(float(v) for v in sys.argv[3].split(","))
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    token = os.environ["MAPILLARY_ACCESS_TOKEN"]
    config = Config(graph_url=url, tiles_url=url, workers=workers)
    q = Query.build(bbox=bbox, max_tiles=10_000)
    t0 = time.perf_counter()
    decode = 0.0
    engine_peak = 0.0
    error = None
    if mode in ("tiles", "graph"):
        res = search(q, token, strategy=mode, sequences=False, config=config)  # images, like the baselines
        engine_peak = peak_mb()  # the search's own peak, before this script lists the ids
        ids = [i.id for i in res.images]
        requests = res.report.requests
        complete = res.report.complete
    elif mode == "sequential":
        client = Client(token, config)
        ids = []
        for t in tiles_for_bbox(bbox):
            data = client.tile(*t)
            d0 = time.perf_counter()
            ids += [i.id for i in decode_images(data, *t)
                    if bbox[0] <= i.lon <= bbox[2] and bbox[1] <= i.lat <= bbox[3]]
            decode += time.perf_counter() - d0
        requests, complete = client.requests, True
    elif mode == "sdk":  # the official SDK: tiles one after another, decoded by vt2geojson
        from vt2geojson.tools import vt_bytes_to_geojson

        client = Client(token, config)
        ids = []
        for z, x, y in tiles_for_bbox(bbox):
            data = client.tile(z, x, y)
            d0 = time.perf_counter()
            fc = vt_bytes_to_geojson(data, x, y, z, layer="image") if data else {"features": []}
            for f in fc["features"]:
                lon, lat = f["geometry"]["coordinates"]
                if bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]:
                    ids.append(str(f["properties"]["id"]))
            decode += time.perf_counter() - d0
        requests, complete = client.requests, True
    elif mode == "naive":
        client = Client(token, config)
        try:
            rows = client.graph("images", {"bbox": ",".join(map(str, bbox)), "fields": "id,geometry", "limit": 2000})
            ids = [r["id"] for r in rows.get("data", [])]
        except MapillaryError as e:  # e.g. the box is over the 0.01 deg² limit
            ids, error = [], e.message
        requests, complete = client.requests, False
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - t0
    peak = engine_peak if mode in ("tiles", "graph") else peak_mb()
    print(json.dumps({"mode": mode, "seconds": seconds, "requests": requests, "images": len(set(ids)),
                      "peak_mb": peak, "complete": complete, "decode_seconds": decode,
                      "tiles": len(tiles_for_bbox(bbox)), "error": error}))


if __name__ == "__main__":
    main()
