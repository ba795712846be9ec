"""Issue "Survive the real service": the engine against the sandbox's real-service manners
(Graph-platform errors, tiles failing without JSON, a service that dies, quotas, dense cities,
token checks, far places, failed extra fields, edge inputs, the users strategy)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from truth import dist, near

from mapillary_retriever.api import Cause, Query, QueryError, resume, search
from mapillary_retriever.api import errors as api_errors
from mapillary_retriever.api.client import Client, Config, RequestsTransport, Response
from mapillary_retriever.api.geo import tiles_for_bbox
from sandbox import CENTER, DEMO_TOKEN, FAR_USERNAME, SandboxServer, serve
from sandbox.server import ApiError as SandboxError


def fast(**kw) -> Config:
    """The sandbox's endpoints (from the environment the fixture sets), quick retries."""
    kw = {"backoff": 0.01, "max_backoff": 0.05, **kw}
    return Config.from_env(**kw)


def at(url: str, **kw) -> Config:
    """Quick retries against a sandbox started by the test itself."""
    kw = {"backoff": 0.01, "max_backoff": 0.05, **kw}
    return Config(graph_url=url, tiles_url=url, **kw)


def ids(result) -> list[str]:
    return sorted(i.id for i in result.images)


def lines(result) -> list:
    return sorted((s.id, s.image_ids, s.parts) for s in result.sequences)


def tile_key_of(lon: float, lat: float) -> str:
    from sandbox import lonlat_to_tile

    x, y = lonlat_to_tile(lon, lat, 14)
    return f"14/{x}/{y}"


class Hook:
    """A transport that lets a test answer some requests itself; the rest go to the sandbox."""

    def __init__(self, answer):
        self.answer = answer  # (url, params) -> Response | None
        self.inner = RequestsTransport()
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def get(self, url, params, headers, config):
        with self.lock:
            self.calls.append(url)
        r = self.answer(url, params or {})
        return r if r is not None else self.inner.get(url, params, headers, config)

    def close(self):
        self.inner.close()


SMALL = dict(closeto=CENTER, radius=600)  # 4 tiles, ~30 Graph boxes, ~11,000 images


# --- 1. Graph-platform errors typed OAuthException are not a refused token -----------------------

@pytest.mark.parametrize("code", [1, 2, 4, 100, -2])
def test_graph_platform_errors_are_not_token_refusals(code):
    message = {1: "An unknown error occurred", 2: "Service temporarily unavailable",
               4: "Application request limit reached", 100: "Invalid parameter", -2: "Query Timeout"}[code]
    status, headers, body = SandboxError(400, message, code=code, transient=code in (2, 4)).response("graph")
    err = api_errors.from_response(status, json.loads(body))
    assert err.cause != Cause.TOKEN and not isinstance(err, api_errors.AuthError)
    expected = {1: Cause.SERVER, 2: Cause.SERVER, 4: Cause.RATE_LIMITED, 100: Cause.BAD_QUERY,
                -2: Cause.TOO_DENSE}[code]
    assert err.cause == expected
    # the real token refusal still is one
    s, _, b = SandboxError(401, "Invalid OAuth access token.", "OAuthException", 190).response("graph")
    assert api_errors.from_response(s, json.loads(b)).cause == Cause.TOKEN


def test_query_timeout_splits_the_box(sandbox):
    """A dense box refused with "Query Timeout" (code -2, HTTP 400, not transient) is asked
    again smaller, like "reduce the amount of data": it is not a lost box."""
    q = Query.build(closeto=CENTER, radius=1000)  # one 0.0028 deg² box the sandbox refuses so
    res = search(q, strategy="graph", config=fast())
    assert res.report.complete, res.report.summary()
    assert set(ids(res)) == near(sandbox.world, *CENTER, 1000)
    assert sandbox.stats.statuses.get(400, 0) >= 1  # the refusal happened


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_graph_style_faults_give_the_fault_free_result(sandbox, strategy, rate):
    q = Query.build(**SMALL, fields="make")
    clean = search(q, strategy=strategy, config=fast())
    assert clean.report.complete and len(clean.images) > 10_000
    sandbox.configure(error_style="graph", fault_rate=rate, faults=("code1", "code2", "ratelimit", "html503"),
                      seed=5)
    sandbox.reset_stats()
    res = search(q, strategy=strategy, config=fast(retries=25))
    assert res.report.fatal is None, res.report.fatal
    assert res.report.complete and not res.report.failures, res.report.summary()
    assert ids(res) == ids(clean) and lines(res) == lines(clean)
    assert all(i.extra["make"] for i in res.images)
    kinds = sandbox.stats.fault_kinds
    assert sum(kinds.values()) >= 5 and len(kinds) >= 3, kinds


def test_token_check_during_an_outage_is_not_a_refusal(sandbox):
    sandbox.configure(error_style="graph", fault_rate=1.0, faults=("code2",))
    with Client(DEMO_TOKEN, fast(retries=1)) as c:
        with pytest.raises(api_errors.MapillaryError) as e:
            c.check_token()
    assert e.value.cause == Cause.SERVER and not isinstance(e.value, api_errors.AuthError)
    assert sandbox.stats["entity"] == 2  # retried once, as configured


# --- 2. Tiles failing without JSON -----------------------------------------------------------------

def test_html_503_tiles_are_retried(sandbox):
    q = Query.build(**SMALL)
    sandbox.configure(fault_rate=0.5, faults=("html503",), fault_targets=("tiles",), seed=3)
    res = search(q, config=fast(retries=20))
    assert res.report.complete and set(ids(res)) == near(sandbox.world, *CENTER, 600)
    assert sandbox.stats.fault_kinds.get("html503", 0) >= 1


def test_one_bare_403_is_one_refused_tile(sandbox):
    q = Query.build(**SMALL)
    plan = tiles_for_bbox(q.area_bbox())
    bad = "/".join(map(str, plan[1]))

    def answer(url, params):
        return Response(403, {}, b"") if url.endswith("/" + bad) else None

    res = search(q, config=fast(), transport=Hook(answer))
    rep = res.report
    assert rep.fatal is None and rep.missing("tile") == [bad]
    failure = rep.failures[0]
    assert failure.cause == Cause.REFUSED and "token" not in failure.reason.lower()
    truth = near(sandbox.world, *CENTER, 600)
    assert set(ids(res)) == {i for i in truth if tile_key_of(sandbox.world.by_id[i].lon,
                                                              sandbox.world.by_id[i].lat) != bad}


def test_bare_403s_in_a_row_stop_the_search(sandbox):
    q = Query.build(closeto=CENTER, radius=6000)  # ~60 tiles
    planned = len(tiles_for_bbox(q.area_bbox()))
    hook = Hook(lambda url, params: Response(403, {"content-type": "text/plain"}, b"Forbidden")
                if "/maps/vtp/" in url else None)
    res = search(q, config=fast(workers=4), transport=hook)
    fatal = res.report.fatal
    assert fatal is not None and fatal.cause == Cause.QUOTA
    assert "refuses this client" in fatal.reason and "00:00 UTC" in fatal.reason
    assert len(hook.calls) <= 4 + 3 < planned  # the workers in flight, not every tile
    assert len(res.report.missing("tile")) == planned  # every tile named


def test_empty_204_and_empty_200_are_empty_tiles(sandbox):
    sandbox.configure(fault_rate=1.0, faults=("empty204",), fault_targets=("tiles",), seed=1)
    res = search(Query.build(**SMALL), config=fast())
    assert res.report.complete and not res.images and not res.report.failures
    assert set(sandbox.stats.statuses) <= {200, 204}


@pytest.mark.parametrize("fault", ["code1", "code2", "ratelimit"])
def test_graph_style_errors_on_tiles_are_retried(sandbox, fault):
    """A tile answered with code 1 "reduce the amount of data" (or 2, or 4) is not too dense:
    it is retried like any transient failure."""
    sandbox.configure(error_style="graph", fault_rate=0.5, faults=(fault,), fault_targets=("tiles",), seed=2)
    res = search(Query.build(**SMALL), config=fast(retries=10))
    assert res.report.complete, res.report.summary()
    assert set(ids(res)) == near(sandbox.world, *CENTER, 600)
    assert sandbox.stats.fault_kinds.get(fault, 0) >= 1


# --- 3. Mapillary becomes unreachable mid-search ---------------------------------------------------

def _watch(server) -> list[float]:
    """The moment the server went down (appended by a watcher thread)."""
    died: list[float] = []

    def watch():
        while not server.closed:
            time.sleep(0.01)
        died.append(time.monotonic())

    threading.Thread(target=watch, daemon=True).start()
    return died


def _in_cell(key: str, lon: float, lat: float) -> bool:
    b = [float(v) for v in key.split(",")]
    return b[0] - 1e-9 <= lon <= b[2] + 1e-9 and b[1] - 1e-9 <= lat <= b[3] + 1e-9


@pytest.mark.parametrize("strategy,how", [("tiles", "down_after"), ("graph", "close")])
def test_death_mid_search_keeps_what_was_fetched_and_resume_completes_it(strategy, how):
    radius = 2500 if strategy == "tiles" else 1000
    q = Query.build(closeto=CENTER, radius=radius, fields="username")
    first = SandboxServer(latency=0.03)
    try:
        world = first.world
        truth = near(world, *CENTER, radius)
        died = _watch(first)
        if how == "down_after":
            first.configure(down_after=8)
        else:
            threading.Timer(0.7, first.close).start()
        cfg = at(first.url, workers=4, retries=40, max_backoff=0.1, give_up_after=1.0)
        res = search(q, DEMO_TOKEN, strategy=strategy, config=cfg)
        ended = time.monotonic()
    finally:
        first.close()
    rep = res.report
    assert died and ended - died[0] < 20
    assert rep.fatal is not None and rep.fatal.cause == Cause.UNREACHABLE, rep.summary()
    assert rep.resumable and not rep.complete
    kind = "tile" if strategy == "tiles" else "cell"
    missing = rep.missing(kind)
    assert missing and res.images and len(set(missing)) == len(missing)
    got = set(ids(res))
    if strategy == "tiles":
        assert rep.fetched + len(missing) == rep.planned  # every unfetched tile is named
        assert got == {i for i in truth if tile_key_of(world.by_id[i].lon, world.by_id[i].lat) not in missing}
    else:
        lost = truth - got
        assert got < truth
        assert all(any(_in_cell(k, world.by_id[i].lon, world.by_id[i].lat) for k in missing) for i in lost)

    with serve(port=first.port) as second:  # Mapillary is back, at the same address
        assert second.url == first.url
        again = resume(res, DEMO_TOKEN, config=at(second.url))
    assert again.report.complete, again.report.summary()
    assert set(ids(again)) == truth and len(again.images) == len(truth)
    assert all(i.extra and i.extra["username"] == world.by_id[i.id].creator_username for i in again.images)


# --- 4. Quotas -----------------------------------------------------------------------------------------

def test_app_usage_above_80_percent_slows_the_client(sandbox):
    # a budget of 100 calls a minute: the n-th request reports n % usage
    sandbox.configure(app_usage=True, usage_budget_per_minute=100)
    times = []
    with Client(DEMO_TOKEN, fast()) as c:
        for _ in range(90):
            c.graph(CENTER_IMAGE(sandbox), {"fields": "id"}, kind="entity")
            times.append(time.monotonic())
        usage = c.usage
    assert usage is not None and 85 <= usage < 95
    before = (times[70] - times[10]) / 60  # seconds per request below 80 %
    after = (times[89] - times[83]) / 6  # above 80 %
    assert after >= 0.04 and after > 3 * before, (before, after)


def CENTER_IMAGE(sandbox) -> str:  # noqa: N802
    return sandbox.world.images[0].id


def test_code_4_without_retry_after_backs_off_progressively(sandbox):
    sandbox.configure(error_style="graph", fault_rate=1.0, faults=("ratelimit",))
    started = time.monotonic()
    with Client(DEMO_TOKEN, fast(retries=5, backoff=0.01)) as c:
        with pytest.raises(api_errors.RateLimitError):
            c.graph("images", {"bbox": "6.13,49.61,6.131,49.611", "fields": "id"})
    took = time.monotonic() - started
    assert sandbox.stats["search"] == 6  # the first try and five retries: no storm
    assert all(s == 400 for s in sandbox.stats.statuses)  # the Graph platform's code 4: no Retry-After
    # waits of 4, 8, 16, 32, 64 x backoff at least (the backoff alone would be 1, 2, 4, 8, 16 x)
    assert took >= 0.04 * 31 * 0.9


@pytest.mark.parametrize("style", ["bare403", "code4"])
def test_a_spent_daily_tile_quota_stops_the_search_at_once(sandbox, style):
    quota, workers = 10, 4
    sandbox.configure(tile_quota=quota, quota_style=style)
    q = Query.build(closeto=CENTER, radius=6000)  # ~60 tiles
    give_up = time.monotonic() + 15  # a client that waits instead is cancelled (and fails below)
    res = search(q, config=fast(workers=workers, retries=6), cancelled=lambda: time.monotonic() > give_up)
    fatal = res.report.fatal
    assert fatal is not None and fatal.cause == Cause.QUOTA, res.report.summary()
    assert "00:00 UTC" in fatal.reason
    # a few refusals in a row (six for a rate limit, which may pass), and the requests other workers had
    # on the wire when the sixth came (the old engine: every one of ~60 tiles refused 7 times)
    assert sandbox.stats["tiles"] <= quota + 6 + 2 * workers, sandbox.stats
    assert res.report.fetched >= quota - workers and res.report.resumable
    assert res.report.fetched + len(res.report.missing("tile")) == res.report.planned


# --- 5. The Graph strategy in dense cities ------------------------------------------------------------

def test_a_box_refused_at_limit_2000_is_asked_at_1000_before_splitting(sandbox, monkeypatch):
    import importlib

    engine = importlib.import_module("mapillary_retriever.api.search")
    q = Query.build(**SMALL)
    truth = near(sandbox.world, *CENTER, 600)
    # a box holding more than 150 images is refused at limit 2000, answers at 1000
    sandbox.configure(limit_sensitive=True, limit_sensitive_rows=150)
    res = search(q, strategy="graph", config=fast())
    assert res.report.complete and set(ids(res)) == truth, res.report.summary()
    asked = sandbox.stats["search"]
    assert any("limit=1000" in p for p in sandbox.stats.paths)
    # splitting on every refusal (the old engine) costs far more, and reaches 20 m boxes
    sandbox.reset_stats()
    monkeypatch.setattr(engine, "LIMITS", (2000,))
    split_only = search(q, strategy="graph", config=fast())
    assert sandbox.stats["search"] > 2 * asked, (asked, sandbox.stats["search"])
    assert split_only.report.planned > 3 * res.report.planned


def test_a_server_that_always_refuses_boxes_costs_a_bounded_number_of_searches(sandbox):
    sandbox.configure(persistent_too_much=True)
    workers = 4
    res = search(Query.build(**SMALL), strategy="graph", config=fast(max_searches=60, workers=workers))
    rep = res.report
    assert sandbox.stats["search"] <= 60 + workers
    assert rep.fatal is not None and rep.fatal.cause == Cause.TOO_DENSE, rep.summary()
    assert "60" in rep.fatal.reason and "too dense" in rep.fatal.reason
    cells = rep.missing("cell")
    assert cells and all(len(c.split(",")) == 4 for c in cells) and rep.resumable


def _graph_error(code: int, message: str) -> Response:
    status, headers, body = SandboxError(500, message, code=code).response("graph")
    return Response(status, {k.lower(): v for k, v in headers.items()}, body)


def test_enrichment_batches_halve_on_code_1(sandbox):
    refused = []

    def answer(url, params):
        n = len(params.get("image_ids", "").split(",")) if "image_ids" in params else 0
        if n > 25:
            refused.append(n)
            return _graph_error(1, "Please reduce the amount of data you're asking for, then retry your request")
        return None

    q = Query.build(closeto=CENTER, radius=150, fields="username,make")
    res = search(q, config=fast(), transport=Hook(answer))
    assert res.report.complete, res.report.summary()
    assert refused and max(refused) == 100 and min(refused) > 25
    world = sandbox.world
    assert len(res.images) > 200
    for img in res.images:
        w = world.by_id[img.id]
        assert img.extra["username"] == w.creator_username and img.extra["make"] == w.make


# --- 6. Requests as the service wants them ----------------------------------------------------------

def test_a_token_check_is_one_entity_request(sandbox):
    with Client(DEMO_TOKEN, fast()) as c:
        c.check_token()
    assert sandbox.stats["entity"] == 1 and sandbox.stats["search"] == 0 and sandbox.stats["requests"] == 1
    from sandbox import REVOKED_TOKEN

    with Client(REVOKED_TOKEN, fast()) as c, pytest.raises(api_errors.AuthError):
        c.check_token()


def _bbox_params(sandbox) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    return [dict(parse_qsl(urlsplit(p).query))["bbox"] for p in sandbox.stats.paths if "bbox=" in p]


def test_bbox_numbers_are_fixed_point(sandbox):
    box = (-0.0004, -0.00003, 0.00006, 0.00002)  # at the equator and Greenwich: repr gives 6e-05
    res = search(Query.build(bbox=",".join(map(str, box))), strategy="graph", config=fast())
    assert res.report.complete
    sent = _bbox_params(sandbox)
    assert sent and all("e" not in b.lower() for b in sent), sent
    assert [float(v) for v in sent[0].split(",")] == list(box)  # exact, not rounded
    # the keys of cells that failed, which a resume sends back, are fixed-point too
    sandbox.configure(persistent_too_much=True)
    failed = search(Query.build(bbox=",".join(map(str, box))), strategy="graph", config=fast(max_searches=20))
    keys = failed.report.missing("cell")
    assert keys and all("e" not in k.lower() for k in keys)


def test_organization_is_asked_in_the_graph_strategy(sandbox):
    q = Query.build(closeto=CENTER, radius=300)
    by_tiles = {i.id: i.organization_id for i in search(q, config=fast()).images}
    by_graph = {i.id: i.organization_id for i in search(q, strategy="graph", config=fast()).images}
    assert by_graph == by_tiles
    truth = {i.id: i.seq.organization_id or None for i in sandbox.world.images if i.id in by_graph}
    assert by_graph == truth and any(truth.values())
    # a server that does not know the field: the search still works, without it
    sandbox.configure(organization_field=False)
    older = search(q, strategy="graph", config=fast())
    assert older.report.complete and set(ids(older)) == set(by_graph)


def test_is_pano_is_not_sent_with_a_bbox(sandbox):
    q = Query.build(**SMALL, pano="only")
    res = search(q, strategy="graph", config=fast())
    from urllib.parse import parse_qsl, urlsplit

    sent = [dict(parse_qsl(urlsplit(p).query)) for p in sandbox.stats.paths if "bbox=" in p]
    assert sent and not any("is_pano" in params for params in sent)
    truth = {i.id for i in sandbox.world.images if i.seq.is_pano and dist(*CENTER, i.lon, i.lat) <= 600}
    assert res.report.complete and set(ids(res)) == truth and truth


def test_2021_tiles_without_creator_id_still_filter_by_username(sandbox):
    from collections import Counter

    world = sandbox.world
    inside = [world.by_id[i] for i in near(world, *CENTER, 300)]
    name = Counter(i.creator_username for i in inside).most_common(3)[2][0]
    sandbox.configure(tile_schema="2021")
    res = search(Query.build(closeto=CENTER, radius=300, usernames=name), config=fast())
    assert res.report.complete, res.report.summary()
    assert set(ids(res)) == {i.id for i in inside if i.creator_username == name}


# --- 15. Across the antimeridian -----------------------------------------------------------------------

def _fiji(world) -> set[str]:
    return set(world.sequences[world.far_places["fiji"]])


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
@pytest.mark.parametrize("area", [dict(closeto="179.999,-16.5", radius=1000),
                                  dict(bbox="179.9,-17,-179.9,-16", max_tiles=600)])
def test_fiji_across_the_antimeridian(sandbox, strategy, area):
    truth = _fiji(sandbox.world)
    assert len(truth) == 4
    res = search(Query.build(**area), strategy=strategy, config=fast())
    assert res.report.complete, res.report.summary()
    assert set(ids(res)) == truth
    assert [s.image_ids for s in res.sequences] == [sandbox.world.sequences[sandbox.world.far_places["fiji"]]]


# --- 16. Failed extra fields count as incomplete -------------------------------------------------------

def test_extra_fields_that_keep_failing_leave_the_result_incomplete_and_resumable(sandbox):
    q = Query.build(closeto=CENTER, radius=100, fields="username,make")
    sandbox.configure(fault_rate=0.8, faults=("code2",), fault_targets=("search",), seed=4)
    res = search(q, config=fast(retries=1))
    rep = res.report
    lacking = [i for i in res.images if not i.extra or "username" not in i.extra]
    assert lacking and res.images
    assert rep.complete is False and rep.resumable
    assert sum(f.count for f in rep.failures if f.kind == "fields") == len(lacking)
    sandbox.configure(fault_rate=0.0)
    again = resume(res, config=fast())
    assert again.report.complete, again.report.summary()
    assert ids(again) == ids(res)
    for img in again.images:
        w = sandbox.world.by_id[img.id]
        assert img.extra["username"] == w.creator_username and img.extra["make"] == w.make


# --- 17. Edge inputs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_dates_beyond_the_calendar_are_a_query_error(when):
    with pytest.raises(QueryError):
        Query.build(closeto=CENTER, radius=100, start_time=when)


@pytest.mark.parametrize("area", [dict(closeto="0,89"), dict(closeto="0,-90"), dict(lookat="0,90")])
def test_the_graph_strategy_at_the_poles_does_not_raise(sandbox, area):
    res = search(Query.build(**area), strategy="graph", config=fast())
    assert res.report.fatal is None and not res.images


def test_a_start_before_the_year_1000_is_sent_zero_padded(sandbox):
    from urllib.parse import parse_qsl, urlsplit

    res = search(Query.build(closeto=CENTER, radius=100, start_time="0999-06-01"), strategy="graph", config=fast())
    sent = [dict(parse_qsl(urlsplit(p).query)).get("start_captured_at") for p in sandbox.stats.paths]
    assert sent and all(s == "0999-06-01T00:00:00Z" for s in sent), sent
    assert res.report.complete and set(ids(res)) == near(sandbox.world, *CENTER, 100)


@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_a_token_echoed_by_the_server_never_reaches_texts_or_logs(sandbox, strategy, caplog):
    import logging
    from urllib.parse import quote

    from mapillary_retriever.api.outcome import describe

    sandbox.configure(echo_token=True)
    with caplog.at_level(logging.DEBUG):
        res = search(Query.build(closeto=CENTER, radius=100), strategy=strategy, config=fast())
        with Client(DEMO_TOKEN, fast()) as c, pytest.raises(api_errors.AuthError) as e:
            c.check_token()
    told = describe(res)
    texts = [str(res.report), res.report.summary(), told.title, told.text, told.details, str(e.value),
             e.value.message, caplog.text]
    secret = DEMO_TOKEN.split("|")[-1]
    for text in texts:
        assert secret not in text and DEMO_TOKEN not in text and quote(DEMO_TOKEN, safe="") not in text
    assert res.report.fatal.cause == Cause.TOKEN


# --- The users strategy -------------------------------------------------------------------------------

@pytest.mark.parametrize("page", [2000, 2])
def test_everything_by_a_non_ascii_user_anywhere(sandbox, monkeypatch, page):
    import importlib

    engine = importlib.import_module("mapillary_retriever.api.search")
    monkeypatch.setattr(engine, "LIMITS", (page, 1, 1))  # pages of two: five pages, followed by cursor
    world = sandbox.world
    truth = {i.id for i in world.all_images if i.seq.creator_username == FAR_USERNAME}
    assert len(truth) == 9
    sandbox.configure(paging_token="never")  # paging.next never carries the token
    res = search(Query.build(usernames=FAR_USERNAME), config=fast())
    assert res.report.strategy == "users" and res.report.complete, res.report.summary()
    assert set(ids(res)) == truth and len(res.images) == len(truth)
    assert res.report.fetched == (1 if page == 2000 else 5)
    assert {s.id for s in res.sequences} == set(world.far_places.values())


def test_a_page_that_keeps_failing_is_named_and_resumed(sandbox, monkeypatch):
    import importlib

    engine = importlib.import_module("mapillary_retriever.api.search")
    monkeypatch.setattr(engine, "LIMITS", (2, 1, 1))  # pages of two images: five pages
    world = sandbox.world
    truth = {i.id for i in world.all_images if i.seq.creator_username == FAR_USERNAME}

    def answer(url, params):
        if "after=" in url:  # every page after the first fails
            status, headers, body = SandboxError(500, "Service temporarily unavailable", code=2,
                                                 transient=True).response()
            return Response(status, {}, body)
        return None

    res = search(Query.build(usernames=FAR_USERNAME), config=fast(retries=1), transport=Hook(answer))
    rep = res.report
    pages = rep.missing("page")
    assert len(pages) == 1 and "after=" in pages[0] and DEMO_TOKEN not in pages[0]
    assert not rep.complete and rep.resumable and len(res.images) == 2
    again = resume(res, config=fast())
    assert again.report.complete, again.report.summary()
    assert set(ids(again)) == truth


def test_an_unknown_user_anywhere_is_a_bad_query(sandbox):
    res = search(Query.build(usernames="nobody_at_all_ø"), config=fast())
    assert res.report.fatal is not None and res.report.fatal.cause == Cause.BAD_QUERY
