"""Where the time of one command goes: `python -m mapillary_retriever images --bbox … -o out.geojson -q`.

    python bench/profile_cli.py [--top 25] [--gpkg] [--no-cprofile]

Starts a sandbox (73,000-image world, 80 ms latency; the 12 densest z14 tiles, ~54,800 images,
as in the end-to-end benchmark), warms it, then runs the command in fresh processes:

1. phases, no profiler: interpreter start (``python -c pass``), imports, search (split into
   waiting for the network, tile decoding, filtering, the rest), writing; wall seconds.
2. the same under cProfile (main thread: decoding and writing run there; the worker threads only
   wait on sockets): the functions by own time and by cumulative time.
3. ``python -X importtime``: the slowest imports.
"""

from __future__ import annotations

import time

STARTED = time.time()  # the first line this process runs (wall clock, to compare with the parent's)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable


def _child(mode: str, argv: list[str], top: int) -> None:
    """In a fresh process: run the command's main() with timers (and cProfile if asked)."""
    t0 = time.perf_counter()
    prof = cProfile.Profile() if mode == "cprofile" else None
    if prof:
        prof.enable()
    import mapillary_retriever.__main__ as cli
    from mapillary_retriever import api
    from mapillary_retriever.api import output

    search_mod = sys.modules["mapillary_retriever.api.search"]  # (api.search is the function)

    t_imports = time.perf_counter() - t0
    spent: dict[str, float] = {"search": 0.0, "write": 0.0, "decode": 0.0, "sift": 0.0, "finish": 0.0}

    def timed(name, fn):
        def wrapper(*a, **k):
            s = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - s
        return wrapper

    api.search = timed("search", api.search)
    output.write = timed("write", output.write)
    search_mod.decode_table = timed("decode", search_mod.decode_table)
    search_mod._Search.sift = timed("sift", search_mod._Search.sift)
    search_mod._Search.finish = timed("finish", search_mod._Search.finish)
    t1 = time.perf_counter()
    with open(os.devnull, "w") as null:
        stdout, sys.stdout = sys.stdout, null
        try:
            rc = cli.main(argv)
        finally:
            sys.stdout = stdout
    total = time.perf_counter() - t0
    import gc

    gc.freeze()  # as `python -m mapillary_retriever` does before it exits
    if prof:
        prof.disable()
        out = io.StringIO()
        st = pstats.Stats(prof, stream=out)
        st.sort_stats("tottime").print_stats(top)
        st.sort_stats("cumulative").print_stats(top)
        print(out.getvalue())
        return
    main_rest = time.perf_counter() - t1 - spent["search"] - spent["write"]
    print(json.dumps({"rc": rc, "imports": t_imports, "total_in_process": total, "main_other": main_rest,
                      "started": STARTED, "ended": time.time(), **spent}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--gpkg", action="store_true", help="write a GeoPackage instead of GeoJSON")
    ap.add_argument("--no-cprofile", action="store_true", help="only the phases and the slowest imports")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(a.child, a.rest, a.top)
        return

    sys.path.insert(0, str(ROOT / "bench"))
    from run import LATENCY, Sandbox, e2e_area, precompile, sandbox_env

    precompile()


    images, box, tiles, n = e2e_area()
    sb = Sandbox(images, LATENCY)
    out = f"/tmp/profile_cli_{os.getpid()}" + (".gpkg" if a.gpkg else ".geojson")
    argv = ["images", "--bbox", ",".join(map(repr, box)), "-o", out, "-q", "--no-cache"]
    env = sandbox_env(sb.url)

    def child(mode: str) -> str:
        return subprocess.run([PY, __file__, "--child", mode, "--top", str(a.top), "--", *argv], env=env,
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout

    try:
        child("phases")  # warm the sandbox's tiles and the disk cache
        t = time.perf_counter()
        subprocess.run([PY, "-c", "pass"], check=True)
        bare = time.perf_counter() - t
        runs = []
        for _ in range(3):
            t, launched = time.perf_counter(), time.time()
            r = json.loads(child("phases").strip().splitlines()[-1])
            r["process"] = time.perf_counter() - t
            r["startup"], r["exit"] = r["started"] - launched, time.time() - r["ended"]
            runs.append(r)
        r = sorted(runs, key=lambda r: r["process"])[1]
        prof = "" if a.no_cprofile else child("cprofile")
    finally:
        sb.close()
        for p in (out, out + ".part"):
            if os.path.exists(p):
                os.unlink(p)
    imp = subprocess.run([PY, "-X", "importtime", "-c", "import mapillary_retriever.__main__, "
                          "mapillary_retriever.api, mapillary_retriever.api.output"],
                         cwd=ROOT, capture_output=True, text=True).stderr
    rows = []
    for line in imp.splitlines():  # "import time:  self | cumulative | name"
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), int(parts[0].split(":")[1]), parts[2].rstrip()))

    search_other = r["search"] - r["decode"] - r["sift"] - r["finish"]
    print(f"## Where the time of `mapillary_retriever images ... -o {Path(out).suffix}` goes "
          f"({n:,} images, {len(tiles)} tiles, {LATENCY * 1000:.0f} ms latency; median of 3 by process time)\n")
    print(f"| phase | s |\n|---|---:|\n| whole process (from the parent) | {r['process']:.3f} |")
    print(f"| (for scale: `python -c pass`, start to exit) | {bare:.3f} |")
    print(f"| process start: until the script's first line | {r['startup']:.3f} |")
    print(f"| (this script's own imports: argparse, cProfile, …) | "
          f"{r['process'] - r['startup'] - r['exit'] - r['total_in_process']:.3f} |")
    print(f"| imports (mapillary_retriever, GDAL, requests, numpy) | {r['imports']:.3f} |")
    print(f"| search: waiting on the network, threads, Client | {search_other:.3f} |")
    print(f"| search: decode_table (GDAL MVT → columns) | {r['decode']:.3f} |")
    print(f"| search: sift (filters per image) | {r['sift']:.3f} |")
    print(f"| search: finish (sort) | {r['finish']:.3f} |")
    print(f"| write ({Path(out).suffix}) | {r['write']:.3f} |")
    print(f"| main: argparse, query, the rest | {r['main_other']:.3f} |")
    print(f"| process exit: after main returns (threads joined, objects freed) | {r['exit']:.3f} |\n")
    print("Slowest imports (`python -X importtime`; cumulative µs, self µs):\n")
    for cum, own, name in sorted(rows, reverse=True)[:15]:
        print(f"    {cum:>9,} {own:>9,}  {name}")
    if prof:
        print("\ncProfile of the main thread:\n")
        print(prof)


if __name__ == "__main__":
    main()
