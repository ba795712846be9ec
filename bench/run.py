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
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
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


def writing(lines: list[str], sizes) -> None:
    from mapillary_retriever.api import output

    lines += ["## Layer writing: records to GeoPackage vs GDAL's ogr2ogr from GeoJSON", "",
              "Both write a point layer with the same fields and a spatial index. CPU seconds are the fair "
              "measure on a shared machine; wall seconds are shown too.", "",
              "| images | this engine CPU s (wall) | ogr2ogr CPU s (wall) | ratio engine / ogr2ogr (CPU) |",
              "|---:|---:|---:|---:|"]
    for n in sizes:
        imgs = fake_images(n)
        with tempfile.TemporaryDirectory() as d:
            gj, ours, theirs = f"{d}/in.geojson", f"{d}/ours.gpkg", f"{d}/theirs.gpkg"
            output.write_geojson(gj, "images", imgs)
            w0, c0 = time.perf_counter(), time.process_time()
            output.write_gpkg(ours, "images", imgs)
            w_ours, c_ours = time.perf_counter() - w0, time.process_time() - c0
            w0, c0 = time.perf_counter(), _children_cpu()
            subprocess.run(["ogr2ogr", "-f", "GPKG", theirs, gj, "-nln", "images"], check=True)
            w_theirs, c_theirs = time.perf_counter() - w0, _children_cpu() - c0
        lines.append(f"| {n:,} | {c_ours:.2f} ({w_ours:.2f}) | {c_theirs:.2f} ({w_theirs:.2f}) | "
                     f"{c_ours / c_theirs:.2f} |")
        del imgs
    lines.append("")


def scaling(lines: list[str], sizes) -> None:
    from sandbox import World

    lines += ["## Scaling: a search over the whole world (tiles strategy, no added latency)", "",
              "| images in world | tiles | wall s | µs per image | peak MB | MB per 1k images |",
              "|---:|---:|---:|---:|---:|---:|"]
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
        finally:
            sb.close()
        assert r["images"] == count, (r, count)
        lines.append(f"| {count:,} | {r['tiles']} | {r['seconds']:.2f} | {r['seconds'] / count * 1e6:.1f} | "
                     f"{r['peak_mb']:.0f} | {r['peak_mb'] / count * 1000:.2f} |")
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


def main() -> None:
    quick = "--quick" in sys.argv
    lines = ["# Benchmark results", "",
             f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}",
             f"- python {platform.python_version()}, commit "
             + subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip(),
             f"- command: `make bench` (= `{Path(PY).name} bench/run.py`); each engine run is "
             "`bench/one.py MODE URL BBOX` in a fresh process against `python3 -m sandbox` in another", ""]
    t0 = time.time()
    dense_area(lines)
    writing(lines, [10_000] if quick else [100_000, 1_000_000])
    scaling(lines, [10_000, 50_000] if quick else [10_000, 100_000, 1_000_000])
    lines.append(f"Total benchmark time {time.time() - t0:.0f} s; bench process peak "
                 f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.")
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick:
        (ROOT / "bench/RESULTS.md").write_text(text)


if __name__ == "__main__":
    main()
