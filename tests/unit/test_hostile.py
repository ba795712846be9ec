"""Issue "Never hang": a hostile server (on the loopback only). Every search ends, in bounded
time and memory, naming what it could not fetch."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from truth import near

from mapillary_retriever.api import Cause, Query, output, search
from mapillary_retriever.api.client import Config
from sandbox import CENTER

ROOT = Path(__file__).resolve().parents[2]
SMALL = dict(closeto=CENTER, radius=300)  # 4 tiles, ~20 Graph boxes


def fast(**kw) -> Config:
    kw = {"backoff": 0.01, "max_backoff": 0.05, **kw}
    return Config.from_env(**kw)


def timed(fn):
    started = time.monotonic()
    out = fn()
    return out, time.monotonic() - started


@pytest.mark.parametrize("value", ["100000", "inf"])
def test_an_absurd_retry_after_stops_the_search_instead_of_waiting(sandbox, value):
    sandbox.configure(fault_rate=1.0, faults=("ratelimit",), retry_after_value=value)
    res, took = timed(lambda: search(Query.build(**SMALL), config=fast()))
    fatal = res.report.fatal
    assert took < 10
    assert fatal is not None and fatal.cause == Cause.RATE_LIMITED, res.report.summary()
    assert "wait" in fatal.reason and "Try again later" in fatal.reason
    assert sandbox.stats["tiles"] <= 16  # the requests in flight, no retries


def test_a_dripping_answer_ends_at_the_request_deadline(sandbox):
    sandbox.configure(drip=True, drip_interval=0.2, fault_targets=("tiles",))
    q = Query.build(closeto=CENTER, radius=100)
    planned = {"/".join(map(str, t)) for t in __import__("mapillary_retriever.api.geo", fromlist=["x"])
               .tiles_for_bbox(q.area_bbox())}
    res, took = timed(lambda: search(q, config=fast(deadline=2, timeout=1, retries=1)))
    assert took < 12, took
    rep = res.report
    assert set(rep.missing("tile")) == planned, rep.summary()
    assert all(f.cause == Cause.UNREACHABLE for f in rep.failures if f.kind == "tile")


def test_a_blackhole_is_given_up_within_20_seconds_by_default(sandbox):
    sandbox.configure(blackhole=True)
    res, took = timed(lambda: search(Query.build(closeto=CENTER, radius=100), config=Config.from_env()))
    assert took < 20, took
    fatal = res.report.fatal
    assert fatal is not None and fatal.cause == Cause.UNREACHABLE, res.report.summary()
    assert res.report.missing("tile")


def test_a_gzip_bomb_keeps_memory_bounded_and_is_a_bad_answer(tmp_path):
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})

        def peak():
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024

        from sandbox import CENTER, DEMO_TOKEN, SandboxServer
        from mapillary_retriever.api import Query, search
        from mapillary_retriever.api.client import Config

        with SandboxServer(gzip_bomb=True, fault_targets=("tiles",)) as sb:
            q = Query.build(closeto=CENTER, radius=300)
            cfg = Config(graph_url=sb.url, tiles_url=sb.url, retries=1, backoff=0.01, workers=4)
            search(q, DEMO_TOKEN, config=cfg)  # the bomb is built and sent once before measuring
            before = peak()
            res = search(q, DEMO_TOKEN, config=cfg)
            after = peak()
        print(json.dumps({{"growth": after - before, "missing": res.report.missing("tile"),
                          "planned": res.report.planned,
                          "causes": sorted({{f.cause.value for f in res.report.failures}}),
                          "reasons": sorted({{f.reason for f in res.report.failures}})}}))
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["growth"] < 300 * 2**20, got
    assert len(got["missing"]) == got["planned"] > 0  # every tile named
    assert got["causes"] == ["bad-answer"] and any("larger than" in r for r in got["reasons"]), got


def test_deeply_nested_json_is_a_bad_answer_not_a_recursion_error(sandbox):
    sandbox.configure(deep_json=True)
    res = search(Query.build(closeto=CENTER, radius=100), strategy="graph", config=fast(retries=1))
    rep = res.report
    cells = [f for f in rep.failures if f.kind == "cell"]
    assert cells and all(f.cause == Cause.BAD_ANSWER and "not JSON" in f.reason for f in cells), rep.summary()
    assert rep.fatal is None and not res.images


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_absurd_records_are_nulled_or_skipped_and_the_files_stay_valid(sandbox, tmp_path, strategy):
    from osgeo import ogr

    from sandbox.mvt import BAD_TILE_IDS
    from sandbox.server import BAD_GRAPH_IDS

    q = Query.build(closeto=CENTER, radius=150)
    sandbox.configure(bad_records=True)
    res = search(q, strategy=strategy, config=fast())
    rep = res.report
    assert rep.complete, rep.summary()
    absurd = set(BAD_GRAPH_IDS) | set(BAD_TILE_IDS)
    real = {i.id for i in res.images} - absurd
    assert real == near(sandbox.world, *CENTER, 150)  # the real images are all there
    bad = [i for i in res.images if i.id in absurd]
    assert bad or rep.skipped  # absurd records were kept with nulled values, or skipped and counted
    for img in res.images:
        assert math.isfinite(img.lon) and math.isfinite(img.lat)
        assert img.captured_at is None or 0 < img.captured_at < 253_402_300_800_000
        assert img.compass_angle is None or 0 <= img.compass_angle < 360
    gj = tmp_path / "bad.geojson"
    output.write_geojson(str(gj), "images", res.images)
    doc = _strict_json(gj.read_text())
    assert len(doc["features"]) == len(res.images)
    gpkg = tmp_path / "bad.gpkg"
    output.write_gpkg(str(gpkg), "images", res.images)
    output.write_gpkg(str(gpkg), "sequences", res.sequences, layer="sequences")
    ds = ogr.Open(str(gpkg))
    assert ds.GetLayerByName("images").GetFeatureCount() == len(res.images)


def test_a_server_that_ignores_the_bbox_costs_a_bounded_number_of_searches(sandbox):
    """Every box answers the same 2000 rows, wherever it is: splitting never helps."""
    from mapillary_retriever.api.client import RequestsTransport, Response

    rows = [{"id": str(10**15 + k), "geometry": {"type": "Point", "coordinates": [CENTER[0], CENTER[1]]},
             "captured_at": 1600000000000, "sequence": "s1"} for k in range(2000)]
    canned = json.dumps({"data": rows}).encode()

    class IgnoresBbox(RequestsTransport):
        calls = 0

        def get(self, url, params, headers, config):
            if params and "bbox" in params:
                IgnoresBbox.calls += 1
                return Response(200, {"content-type": "application/json"}, canned)
            return super().get(url, params, headers, config)

    workers = 4
    res, took = timed(lambda: search(Query.build(closeto=CENTER, radius=300), strategy="graph",
                                     config=fast(max_searches=80, workers=workers), transport=IgnoresBbox()))
    rep = res.report
    assert IgnoresBbox.calls <= 80 + workers and took < 20
    assert rep.fatal is not None and rep.fatal.cause == Cause.TOO_DENSE, rep.summary()
    assert rep.missing("cell")
