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

from mapillary_retriever.api import Cause, Query, output, search
from mapillary_retriever.api.client import Config
from sandbox import CENTER, DEMO_TOKEN

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
