"""Benchmarks against baselines, side by side in one run (`make bench`).

Writes bench/RESULTS.md with the machine, the date, the commands and the tables.
Every engine run is a fresh process, so its peak memory is its own.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PY = sys.executable
LATENCY = 0.08
WORKERS = 16
REPEAT = 3


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


class Sandbox:
    """The sandbox in its own process (so it does not share the engine's interpreter)."""

    def __init__(self, images: int, latency: float):
        self.ready = Path(tempfile.mkdtemp()) / "url"
        self.proc = subprocess.Popen([PY, "-m", "sandbox", "--port", "0", "--images", str(images),
                                      "--latency", str(latency), "--ready-file", str(self.ready)],
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while not self.ready.exists() or not self.ready.read_text().strip():
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("the sandbox did not start")
            time.sleep(0.2)
        self.url = self.ready.read_text().strip()

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def sandbox_env(url: str, **more: str) -> dict:
    """The environment of a command run against the sandbox at ``url``."""
    from sandbox import DEMO_TOKEN

    return dict(os.environ, MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN, MAPILLARY_GRAPH_URL=url, MAPILLARY_TILES_URL=url, **more)


def one(mode: str, url: str, bbox, workers: int = WORKERS) -> dict:
    from sandbox import DEMO_TOKEN

    env = dict(os.environ, MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
    out = subprocess.run([PY, str(ROOT / "bench/one.py"), mode, url, ",".join(map(str, bbox)), str(workers)],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def world_box(world, share: float = 1.0):
    xs = sorted(i.lon for i in world.images)
    ys = sorted(i.lat for i in world.images)
    return (xs[0], ys[0], xs[-1], ys[-1])


def truth(world, b) -> int:
    return sum(1 for i in world.images if b[0] <= i.lon <= b[2] and b[1] <= i.lat <= b[3])


def dense_area(lines: list[str]) -> None:
    from sandbox import DENSE_CORE, World

    world = World.cached()
    box = world_box(world)
    n = truth(world, box)
    sb = Sandbox(len(world.images), LATENCY)
    try:
        one("tiles", sb.url, box)  # warm the sandbox's tile cache: every mode then meets the same server
        one("graph", sb.url, box)
        runs = {m: _median([one(m, sb.url, box) for _ in range(REPEAT if m != "naive" else 1)])
                for m in ("tiles", "graph", "sdk", "sequential", "naive")}
        core = one("naive", sb.url, DENSE_CORE)
    finally:
        sb.close()
    tiles = runs["tiles"]["tiles"]
    ideal = tiles / WORKERS * LATENCY + runs["sequential"]["decode_seconds"]
    lines += [f"## Dense area: every image of a {n:,}-image area ({tiles} z14 tiles), {LATENCY * 1000:.0f} ms latency",
              "", "| strategy | wall s | requests | images found | missed | peak MB |",
              "|---|---:|---:|---:|---:|---:|"]
    names = {"tiles": "(a) this engine, tiles", "graph": "(b) this engine, Graph search split adaptively",
             "sdk": "(c) baseline: the SDK's way (tiles one after another, vt2geojson)",
             "sequential": "(c') stricter baseline: tiles one after another, this engine's decoder",
             "naive": "(d) one Graph bbox search over the area"}
    for m, r in runs.items():
        missed = f"{1 - r['images'] / n:.1%}" + (f" ({r['error']})" if r.get("error") else "")
        lines.append(f"| {names[m]} | {r['seconds']:.2f} | {r['requests']} | {r['images']:,} | {missed} | "
                     f"{r['peak_mb']:.0f} |")
    core_n = truth(world, DENSE_CORE)
    lines.append(f"| (d') one Graph bbox search over the dense core ({core_n:,} images) | {core['seconds']:.2f} | 1 | "
                 f"{core['images']:,} | {1 - core['images'] / core_n:.1%} (silently truncated) | "
                 f"{core['peak_mb']:.0f} |")
    a, c, c2 = runs["tiles"]["seconds"], runs["sdk"]["seconds"], runs["sequential"]["seconds"]
    lines += ["", f"Wall times are medians of {REPEAT} runs, each in a fresh process, after one warm-up run.", "",
              f"- speed-up a vs c: **{c / a:.1f}×** (target ≥ 8×); a vs c': {c2 / a:.1f}×",
              f"- ideal = tiles ÷ concurrency × latency + decode = {tiles} ÷ {WORKERS} × {LATENCY} + "
              f"{runs['sequential']['decode_seconds']:.2f} = {ideal:.2f} s; "
              f"a is **{a / ideal:.2f}×** ideal (target ≤ 1.5×)",
              f"- requests a: {runs['tiles']['requests']} vs lower bound {tiles} (the tiles the area touches)", ""]


def fake_images(n: int):
    from mapillary_retriever.api.records import Image

    rnd = random.Random(5)
    return [Image(str(10**15 + i), 6.0 + rnd.random() * 0.2, 49.5 + rnd.random() * 0.2, f"seq{i // 300:08d}",
                  1_500_000_000_000 + i * 1000, rnd.random() * 360, i % 13 == 0, str(10**14 + i % 97), None)
            for i in range(n)]


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


E2E_WORLD = 73_000  # images in the sandbox world: its densest 4 × 3 z14 tiles then hold ~54,800
E2E_REPEAT = 5


def e2e_area() -> tuple[int, tuple, list, int]:
    """The world size, the box (just inside the densest 4 × 3 block of z14 tiles), its tiles and its image count."""
    from collections import Counter

    from sandbox import World, tile_bounds

    world = World.cached(images=E2E_WORLD)
    per_tile = Counter(i.tile for i in world.images)
    _, x0, y0 = max((sum(per_tile.get((x, y), 0) for x in range(x0, x0 + 4) for y in range(y0, y0 + 3)), x0, y0)
                    for x0, y0 in per_tile)
    west, south, _, _ = tile_bounds(14, x0, y0 + 2)
    _, _, east, north = tile_bounds(14, x0 + 3, y0)
    e = 1e-9  # inside: the box touches these 12 tiles and no neighbour
    box = (west + e, south + e, east - e, north - e)
    tiles = [(14, x, y) for y in range(y0, y0 + 3) for x in range(x0, x0 + 4)]
    return E2E_WORLD, box, tiles, truth(world, box)


def _timed(cmd: list[str], env: dict) -> dict:
    """Run a whole process; its wall and CPU seconds as the parent sees them, and its last stdout line."""
    w0, c0 = time.perf_counter(), _children_cpu()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - w0, _children_cpu() - c0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed ({out.returncode}): {out.stderr[-2000:]}")
    lines = out.stdout.strip().splitlines()
    return {"seconds": wall, "cpu": cpu, "last": lines[-1] if lines else ""}


def end_to_end(lines: list[str]) -> dict:
    """Whole processes, as a user waits for them, side by side against one sandbox."""
    from osgeo import ogr


    images, box, tiles, n = e2e_area()
    sb = Sandbox(images, LATENCY)
    env = sandbox_env(sb.url)
    bbox = ",".join(map(repr, box))
    d = tempfile.mkdtemp()
    cmds = {
        "command": [PY, "-m", "mapillary_retriever", "images", "--bbox", bbox, "-o", f"{d}/out.geojson", "-q",
                    "--no-cache"],
        "command_gpkg": [PY, "-m", "mapillary_retriever", "images", "--bbox", bbox, "-o", f"{d}/out.gpkg", "-q",
                         "--no-cache"],
        "floor": [PY, str(ROOT / "bench/floor.py"), sb.url, ",".join("/".join(map(str, t)) for t in tiles)],
        "sdk": [PY, str(ROOT / "bench/one.py"), "sdk", sb.url, bbox],
        "bare": [PY, "-c", "pass"],
    }
    runs: dict[str, list[dict]] = {m: [] for m in cmds}
    try:
        for cmd in cmds.values():  # warm up: the sandbox renders each tile once, the OS caches the files
            _timed(cmd, env)
        for r in range(E2E_REPEAT):  # interleaved, so a slow moment of the machine hits every mode alike
            for m, cmd in cmds.items():
                if m in ("command", "floor", "bare") or r < REPEAT:  # the ratio that matters gets 5
                    runs[m].append(_timed(cmd, env))
    finally:
        sb.close()
    found = {}
    for m, path in (("command", f"{d}/out.geojson"), ("command_gpkg", f"{d}/out.gpkg")):
        ds = ogr.Open(path)
        found[m] = ds.GetLayer(0).GetFeatureCount()
        ds = None
    floor_info = json.loads(runs["floor"][-1]["last"])
    found["floor"] = floor_info["images"]
    found["sdk"] = json.loads(runs["sdk"][-1]["last"])["images"]
    med = {m: _median(v) for m, v in runs.items() if v}
    cpu = {m: sorted(x["cpu"] for x in v)[len(v) // 2] for m, v in runs.items() if v}
    names = {"command": "`python -m mapillary_retriever images --bbox … -o out.geojson -q`",
             "command_gpkg": "the same with `-o out.gpkg`",
             "floor": "floor: `bench/floor.py` (imports, 12 tiles 16 at a time, GDAL columnar decode; nothing kept)",
             "sdk": "the SDK's way: `bench/one.py sdk` (tiles one after another, vt2geojson; writes nothing)",
             "bare": "`python -c pass` (the interpreter alone)"}
    lines += [f"## End to end: whole processes, {n:,} images in {len(tiles)} z14 tiles, "
              f"{LATENCY * 1000:.0f} ms latency",
              "", f"Each row is a fresh process timed from the parent (`subprocess`), {E2E_REPEAT} rounds interleaved "
              f"after one warm-up round ({REPEAT} for `-o out.gpkg` and the SDK); medians. "
              f"Box {bbox} in a {images:,}-image sandbox world.",
              "", "| process | wall s | CPU s | images |", "|---|---:|---:|---:|"]
    for m in cmds:
        count = f"{found[m]:,}" if m in found else "–"
        lines.append(f"| {names[m]} | {med[m]['seconds']:.2f} | {cpu[m]:.2f} | {count} |")
    c, f, s = med["command"]["seconds"], med["floor"]["seconds"], med["sdk"]["seconds"]
    lines += ["", f"- command / floor: **{c / f:.2f}×** (goal ≤ 1.5×); with `-o out.gpkg`: "
              f"{med['command_gpkg']['seconds'] / f:.2f}×",
              f"- SDK's way / command: **{s / c:.1f}×** (and the SDK's way writes no file)",
              f"- inside the floor (last run): imports {floor_info['imports_s']:.2f} s, "
              f"fetch {floor_info['fetch_s']:.2f} s, "
              f"decode {floor_info['decode_s']:.2f} s ({floor_info['bytes'] / 1e6:.1f} MB of tiles); the floor counts "
              "every feature of the tiles, the command those in the box",
              f"- the images in the box: {n:,}. Where the command's time goes: next section "
              "(`python bench/profile_cli.py` prints it with a cProfile table)", ""]
    shutil.rmtree(d, ignore_errors=True)
    return {"command": c, "floor": f, "ratio": c / f, "cpu_ratio": cpu["command"] / cpu["floor"], "sdk": s / c,
            "gpkg_ratio": med["command_gpkg"]["seconds"] / f}


def writing(lines: list[str], sizes, ogr_sizes) -> dict:
    """GeoPackage writing: the engine's blob writer, ogr2ogr from an equivalent FlatGeobuf, and OGR's own API."""
    import ogr_write

    from mapillary_retriever.api import output

    lines += ["## Layer writing: records to GeoPackage", "",
              "All write the same layer: EPSG:4326 points, the same fields and types, an R-tree spatial index. "
              "`ogr2ogr out.gpkg in.fgb` reads a FlatGeobuf made by `ogr2ogr` from the GeoJSON this engine writes "
              "(made beforehand, not timed): GDAL doing the whole job in C. The OGR API rows start from the same "
              "records as the engine (`bench/ogr_write.py`): *features* = `ogr.Feature` + typed setters + "
              "`CreateFeature` in one transaction; *csv* = CSV text + `.csvt` in /vsimem, then "
              f"`gdal.VectorTranslate`. (GDAL {gdal_version()} has no `Layer.WriteArrowBatch`.) CPU seconds are "
              f"the fair measure on a shared machine (wall in brackets); medians of {REPEAT} at 100,000, one run at "
              "1,000,000 (the OGR API rows there only with `--full`).", "",
              "| images | engine (blob) CPU s | ogr2ogr from .fgb | OGR features | OGR csv → VectorTranslate | "
              "ogr2ogr / engine | OGR features / engine | OGR csv / engine |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def measure(fn, *args, child: bool = False) -> tuple[float, float]:
        w0, c0 = time.perf_counter(), (_children_cpu() if child else time.process_time())
        out = fn(*args)
        if child and out.returncode:
            raise SystemExit(f"{args[0][0]} failed")
        return (_children_cpu() if child else time.process_time()) - c0, time.perf_counter() - w0

    from mapillary_retriever.api.records import Images

    ratios = {}
    for n in sizes:
        imgs = Images.from_images(fake_images(n))  # as a search gives them: columns
        with tempfile.TemporaryDirectory() as d:
            output.write_geojson(f"{d}/in.geojson", "images", imgs)
            subprocess.run(["ogr2ogr", "-f", "FlatGeobuf", f"{d}/in.fgb", f"{d}/in.geojson", "-nln", "images"],
                           check=True)
            os.unlink(f"{d}/in.geojson")
            jobs = {"engine": (output.write_gpkg, f"{d}/ours.gpkg", "images", imgs),
                    "ogr2ogr": (subprocess.run, ["ogr2ogr", "-f", "GPKG", f"{d}/theirs.gpkg", f"{d}/in.fgb",
                                                 "-nln", "images"])}
            if n in ogr_sizes:
                jobs["features"] = (ogr_write.write_features, f"{d}/features.gpkg", imgs)
                jobs["csv"] = (ogr_write.write_csv, f"{d}/csv.gpkg", imgs)
            times: dict[str, list] = {k: [] for k in jobs}
            for _ in range(REPEAT if n <= 100_000 else 1):
                for k, fn in jobs.items():
                    for p in Path(d).glob("*.gpkg"):
                        p.unlink()
                    times[k].append(measure(*fn, child=k == "ogr2ogr"))
        m = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
        cell = {k: f"{c:.2f} ({w:.2f})" for k, (c, w) in m.items()}
        ratio = {k: f"{m[k][0] / m['engine'][0]:.2f}" if k in m else "–" for k in ("ogr2ogr", "features", "csv")}
        lines.append(f"| {n:,} | {cell['engine']} | {cell['ogr2ogr']} | {cell.get('features', '–')} | "
                     f"{cell.get('csv', '–')} | {ratio['ogr2ogr']} | {ratio['features']} | {ratio['csv']} |")
        ratios[n] = m["engine"][0] / m["ogr2ogr"][0]
        imgs = jobs = None
    lines += ["", "Rule of the lead: if an OGR API path is within 1.2× of the blob writer, use OGR. "
              "(ogr2ogr is no candidate: it needs a file GDAL can read.)", ""]
    return ratios


def gdal_version() -> str:
    from osgeo import gdal

    return gdal.__version__


def command_peak(url: str, box, kind: str, ext: str) -> dict:
    """A whole command's time and peak memory (`bench/peak.py`), writing into a fresh folder."""

    d = tempfile.mkdtemp()
    env = sandbox_env(url)
    cmd = [PY, str(ROOT / "bench/peak.py"), kind, "--bbox", ",".join(map(repr, box)), "-o", f"{d}/out.{ext}",
           "-q", "--no-cache", "--max-tiles", "100000"]
    try:
        out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    r = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"rc": out.returncode}
    if r["rc"] != 0:
        raise SystemExit(f"{kind} -o .{ext} failed: {out.stderr[-2000:]}")
    return r


def scaling(lines: list[str], sizes) -> dict:
    from sandbox import World

    lines += ["## Scaling: a search over the whole world (tiles strategy, no added latency)", "",
              "The search (`bench/one.py tiles`: the engine in a fresh process), then whole commands "
              "(`bench/peak.py`: `python -m mapillary_retriever … --no-cache` in a fresh process).", "",
              "| images in world | tiles | search s | µs per image | search peak MB | MB per 1k images | "
              "images → .geojson s / peak MB | images → .gpkg s / peak MB | both → .gpkg s / peak MB |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    points = []
    for n in sizes:
        world = World.generate(images=n)
        box = world_box(world)
        count = truth(world, box)
        del world
        sb = Sandbox(n, 0.0)
        try:
            one("tiles", sb.url, box)  # warm the tile cache
            r = one("tiles", sb.url, box)
            cmds = [command_peak(sb.url, box, kind, ext) for kind, ext in
                    (("images", "geojson"), ("images", "gpkg"), ("both", "gpkg"))]
        finally:
            sb.close()
        assert r["images"] == count, (r, count)
        lines.append(f"| {count:,} | {r['tiles']} | {r['seconds']:.2f} | {r['seconds'] / count * 1e6:.1f} | "
                     f"{r['peak_mb']:.0f} | {r['peak_mb'] / count * 1000:.2f} | "
                     + " | ".join(f"{c['seconds']:.2f} / {c['peak_mb']:.0f}" for c in cmds) + " |")
        points.append((count, r["seconds"], r["peak_mb"]))
    lines.append("")
    lines.append("Growth from each size to the next (marginal cost of one more image):")
    lines.append("")
    for (n0, t0, m0), (n1, t1, m1) in zip(points, points[1:]):
        lines.append(f"- {n0:,} → {n1:,}: {(t1 - t0) / (n1 - n0) * 1e6:.1f} µs and "
                     f"{(m1 - m0) / (n1 - n0) * 1024:.2f} KB per image")
    lines.append("")
    (n0, t0, m0), (n1, t1, m1), (n2, t2, m2) = points[0], points[-2], points[-1]
    dt = ((t2 - t1) / (n2 - n1)) / ((t1 - t0) / (n1 - n0))
    dm = ((m2 - m1) / (n2 - n1)) / ((m1 - m0) / (n1 - n0))
    lines.append(f"The marginal cost of an image changes by {dt:.2f}× in time and {dm:.2f}× in memory from the "
                 "first step to the last: growth is linear within those factors (the fixed part is the "
                 "interpreter with GDAL and numpy loaded, about 95 MB).")
    lines.append("")
    return {"n": n2, "peak": m2, "dt": dt, "dm": dm, "commands": cmds, "box": box, "tiles": r["tiles"]}


def resumable(lines: list[str], n: int, box, tiles: int) -> dict:
    """A job over the whole world killed with kill -9 half-way, then the same command again: its time,
    peak memory and tile requests, beside the uninterrupted job; the two outputs compared byte for byte."""
    import filecmp
    import signal


    sb = Sandbox(n, LATENCY)
    d = Path(tempfile.mkdtemp())
    env = sandbox_env(sb.url, XDG_CACHE_HOME=str(d / "cache"))
    base = [PY, str(ROOT / "bench/peak.py"), "images", "--bbox", ",".join(map(repr, box)), "-q", "--max-tiles",
            "100000"]

    def run(out: str, *extra: str) -> dict:
        p = subprocess.run(base + ["-o", str(d / out), *extra], env=env, cwd=ROOT, capture_output=True, text=True)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["requests"] = int(p.stdout.split(" requests in ")[0].rsplit(";", 1)[-1])
        return r

    try:
        straight = run("straight.geojson", "--no-cache")
        proc = subprocess.Popen(base + ["-o", str(d / "resumed.geojson")], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        done = 0
        while done < tiles // 2 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
            done = sum(1 for _ in (d / "cache").rglob("*.mvt"))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        killed_after = sum(1 for _ in (d / "cache").rglob("*.mvt"))
        resumed = run("resumed.geojson")
        same = filecmp.cmp(d / "straight.geojson", d / "resumed.geojson", shallow=False)
    finally:
        sb.close()
        shutil.rmtree(d, ignore_errors=True)
    lines += [f"## A resumable job: the whole {n:,}-image world ({tiles} tiles, {LATENCY * 1000:.0f} ms latency), "
              "killed with `kill -9` half-way", "",
              "`bench/peak.py images --bbox WORLD -o out.geojson` (the tile cache on, as by default); killed once "
              f"{killed_after} tiles were in the cache, then started again.", "",
              "| run | wall s | peak MB | tile requests |", "|---|---:|---:|---:|",
              f"| uninterrupted (`--no-cache`) | {straight['seconds']:.2f} | {straight['peak_mb']:.0f} | "
              f"{straight['requests']} |",
              f"| the same command after the kill | {resumed['seconds']:.2f} | {resumed['peak_mb']:.0f} | "
              f"{resumed['requests']} |", "",
              f"The resumed run fetched {resumed['requests']} of {tiles} tiles ({killed_after} came from the cache); "
              f"its output is {'byte for byte' if same else 'NOT'} the uninterrupted one.", ""]
    return {"same": same, "requests": resumed["requests"], "cached": killed_after, "tiles": tiles,
            "peak": resumed["peak_mb"]}


def precompile() -> None:
    """Byte-compile the package, as an installed plugin is (QGIS and pip write the .pyc files). This
    machine sets PYTHONDONTWRITEBYTECODE, so a checkout would compile every module in every process
    (~50 ms), while GDAL, numpy and requests come compiled from Debian."""
    import compileall

    compileall.compile_dir(str(ROOT / "mapillary_retriever"), quiet=1)


def main() -> None:
    precompile()
    quick = "--quick" in sys.argv
    only_e2e = "--e2e" in sys.argv
    lines = ["# Benchmark results", "",
             f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores ({_cpu_model()}), "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}",
             f"- python {platform.python_version()}, GDAL {gdal_version()}, commit "
             + subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip(),
             f"- command: `make bench` (= `{Path(PY).name} bench/run.py`; `--e2e` runs only the end-to-end table, "
             "`--quick` smaller sizes; neither writes this file; `--full` adds OGR's API at 1,000,000 images); "
             "each engine run is `bench/one.py MODE URL BBOX` in a fresh process against `python3 -m sandbox` "
             "in another", ""]
    t0, load0 = time.time(), os.getloadavg()[0]
    head = len(lines)
    e2e = end_to_end(lines)
    lines += subprocess.run([PY, str(ROOT / "bench/profile_cli.py"), "--no-cprofile"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.rstrip().splitlines() + [""]
    if not only_e2e:
        dense_area(lines)
        gpkg = writing(lines, [10_000] if quick else [100_000, 1_000_000],
                       [10_000, 100_000, 1_000_000] if "--full" in sys.argv else [10_000, 100_000])
        scale = scaling(lines, [10_000, 30_000, 60_000] if quick else [10_000, 100_000, 1_000_000])
        job = resumable(lines, scale["n"], scale["box"], scale["tiles"])
        lines[head:head] = goals(e2e, gpkg, scale, job)
    load1 = os.getloadavg()[0]
    lines.append(f"Load average (1 min) at the start {load0:.2f}, at the end {load1:.2f} on {os.cpu_count()} cores"
                 + (": well above 1, other jobs shared the machine and wall times are inflated (the CPU columns "
                    "less so)." if max(load0, load1) > 1.5 else " (the benchmark's own processes)."))
    lines.append("")
    lines.append(f"Total benchmark time {time.time() - t0:.0f} s; bench process peak "
                 f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.")
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick and not only_e2e:
        (ROOT / "bench/RESULTS.md").write_text(text)


def goals(e2e: dict, gpkg: dict, scale: dict, job: dict) -> list[str]:
    """The issue's goals with this run's measures (the sections below have the details)."""
    def met(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    n, c = scale["n"], scale["commands"]
    cells = ", ".join(f"{k} {r['peak_mb']:.0f} MB" for k, r in zip(("images → .geojson", "images → .gpkg",
                                                                      "both → .gpkg"), c))
    rows = [
        ("1. the whole command (search + GeoJSON) ≤ 1.5× the floor, in the same run",
         f"{e2e['ratio']:.2f}× wall ({e2e['command']:.2f} s / {e2e['floor']:.2f} s), {e2e['cpu_ratio']:.2f}× CPU; "
         f"the SDK's way is {e2e['sdk']:.1f}× slower than the command", met(e2e["ratio"] <= 1.5)),
        (f"2. {n:,} images: peak memory < 300 MB", f"the search {scale['peak']:.0f} MB; whole commands: {cells}",
         met(scale["peak"] < 300 and all(r["peak_mb"] < 300 for r in c))),
        ("2. cost per image constant within 1.3× (the scaling table's last step vs its first)",
         f"{scale['dt']:.2f}× time, {scale['dm']:.2f}× memory", met(scale["dt"] <= 1.3 and scale["dm"] <= 1.3)),
        ("4. a job killed with `kill -9` half-way resumes without the finished tiles, output exactly the same",
         f"{job['requests']} of {job['tiles']} tiles fetched again after {job['cached']} were done; output "
         + ("byte for byte the same" if job["same"] else "DIFFERENT") + f"; peak {job['peak']:.0f} MB",
         met(job["same"] and job["requests"] <= job["tiles"] - job["cached"] + 2 * WORKERS)),
        ("5. GeoPackage writing ≤ `ogr2ogr out.gpkg in.fgb` (CPU)",
         ", ".join(f"{k:,}: {v:.2f}×" for k, v in gpkg.items()), met(all(v <= 1.0 for v in gpkg.values()))),
    ]
    out = ["## The goals (this run)", "", "| goal | measured | |", "|---|---|---|"]
    out += [f"| {a} | {b} | {m} |" for a, b, m in rows]
    return out + ["", "Goal 3 (tile cache: a repeated search makes zero tile requests, the same result) is checked "
                  "by `tests/unit/test_cache_search.py`, goal 4 also by `tests/e2e/test_resumable_job.py`; goal 6 is "
                  "the README's \"Speed and memory at country scale\".", ""]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
