"""The floor: the least one process must do to list the images of some tiles. Prints JSON.

    MAPILLARY_ACCESS_TOKEN=... python bench/floor.py TILES_URL 14/8469/5583,14/8470/5583,...

Only the unavoidable: import GDAL, requests and numpy; fetch every tile, 16 at a time, each
worker thread on its own keep-alive session; decode each tile's ``image`` layer with GDAL's
columnar reader (``GetArrowStreamAsNumPy``: numpy batches, no Python per feature). Nothing
is filtered, built or written. The parent measures the whole process; the phases printed
here are from inside it.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import numpy  # noqa: E402, F401  (GetArrowStreamAsNumPy needs it)
import requests  # noqa: E402
from osgeo import gdal, ogr  # noqa: E402

T_IMPORTS = time.perf_counter()
gdal.UseExceptions()
ogr.UseExceptions()
_local = threading.local()


def fetch(url: str, token: str) -> bytes:
    s = getattr(_local, "s", None)
    if s is None:
        s = _local.s = requests.Session()
    r = s.get(url, params={"access_token": token}, timeout=60)
    r.raise_for_status()
    return r.content


def decode(data: bytes, z: int, x: int, y: int, name: str) -> int:
    """Rows in the tile's image layer, through GDAL's columnar (Arrow) reader."""
    path = f"/vsimem/floor_{name}.mvt"
    gdal.FileFromMemBuffer(path, data)
    try:
        ds = gdal.OpenEx(path, gdal.OF_VECTOR, allowed_drivers=["MVT"], open_options=[f"X={x}", f"Y={y}", f"Z={z}"])
        layer = ds.GetLayerByName("image")
        n = 0
        for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES"]):
            n += len(batch["id"])
        return n
    finally:
        gdal.Unlink(path)


def main() -> None:
    base, tiles = sys.argv[1].rstrip("/"), [tuple(map(int, t.split("/"))) for t in sys.argv[2].split(",")]
    token = os.environ["MAPILLARY_ACCESS_TOKEN"]
    urls = [f"{base}/maps/vtp/mly1_public/2/{z}/{x}/{y}" for z, x, y in tiles]
    t_fetch0 = time.perf_counter()
    with ThreadPoolExecutor(16) as ex:
        bodies = list(ex.map(lambda u: fetch(u, token), urls))
    t_fetched = time.perf_counter()
    images = sum(decode(b, *t, str(i)) for i, (b, t) in enumerate(zip(bodies, tiles)))
    t_end = time.perf_counter()
    print(json.dumps({"images": images, "tiles": len(tiles), "bytes": sum(map(len, bodies)),
                      "imports_s": T_IMPORTS - T0, "fetch_s": t_fetched - t_fetch0, "decode_s": t_end - t_fetched,
                      "inside_s": t_end - T0}))


if __name__ == "__main__":
    main()
