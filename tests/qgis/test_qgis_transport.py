"""QgisTransport against the sandbox: the same result as requests from the engine's worker threads,
errors mapped like RequestsTransport's, cancel, QGIS's proxy settings (a real tinyproxy: with a user
and password, and with exclusions), the Network Logger's signal, and no token in QGIS's message log."""

from __future__ import annotations

import dataclasses
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsNetworkAccessManager, QgsNetworkRequestParameters, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication

from mapillary_retriever.api import Query, search
from mapillary_retriever.api.client import Client, Config
from mapillary_retriever.api.errors import BadResponseError, CancelledError, MapillaryError, UnreachableError
from mapillary_retriever.qgis_transport import QgisTransport, build_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from test_proxy import needs_tinyproxy, tinyproxy  # noqa: E402  (the same proxy helper as the e2e tests)

TILE = "/maps/vtp/mly1_public/2/14/8471/5583"


def in_worker(fn, timeout: float = 120.0):
    """``fn()`` on a plain Python thread (like the engine's workers and a QgsTask's run), while the
    main thread processes Qt events; its result, or the exception it raised."""
    box: dict = {}

    def work():
        try:
            box["value"] = fn()
        except BaseException as e:  # handed back to the test
            box["error"] = e

    t = threading.Thread(target=work, daemon=True)
    t.start()
    end = time.monotonic() + timeout
    while t.is_alive():
        assert time.monotonic() < end, f"{fn} did not end within {timeout:g} s"
        QCoreApplication.processEvents()
        t.join(0.005)
    QCoreApplication.processEvents()
    if "error" in box:
        return box["error"]
    return box["value"]


def fast(**kw) -> Config:
    return Config.from_env(backoff=0.01, max_backoff=0.05, **kw)


def same(a, b) -> None:
    """Two search results hold exactly the same images and sequences."""
    def rows(items):
        return sorted((dataclasses.astuple(x) if dataclasses.is_dataclass(x) else
                       (x.id, x.image_ids, x.coords, x.compass_angles, x.captured_at, x.is_pano, x.creator_id,
                        x.organization_id, x.username, x.parts) for x in items), key=repr)

    assert a.report.fatal is None and b.report.fatal is None, (a.report.fatal, b.report.fatal)
    assert a.complete and b.complete
    assert rows(a.images) == rows(b.images) and len(a.images) > 0
    assert rows(a.sequences) == rows(b.sequences)


@pytest.fixture
def log_messages(qgis_app):
    """Everything QGIS's message log receives during the test (the Log Messages panel)."""
    got: list[str] = []

    def keep(message, tag, level):
        got.append(f"{tag}: {message}")

    QgsApplication.messageLog().messageReceived.connect(keep)
    yield got
    QCoreApplication.processEvents()
    QgsApplication.messageLog().messageReceived.disconnect(keep)


def assert_no_token(*texts: str) -> None:
    from sandbox import DEMO_TOKEN

    secret = DEMO_TOKEN.split("|")[2]
    for text in texts:
        assert secret not in text, text


@pytest.fixture
def qgis_proxy(private_settings):
    """Set QGIS's proxy the way Settings > Options > Network does; restored afterwards."""
    s = QgsSettings()

    def set_proxy(port: int, user: str = "", password: str = "", no_proxy: list[str] | None = None) -> None:
        s.setValue("proxy/proxyEnabled", True)
        s.setValue("proxy/proxyType", "HttpProxy")
        s.setValue("proxy/proxyHost", "127.0.0.1")
        s.setValue("proxy/proxyPort", str(port))
        s.setValue("proxy/proxyUser", user)
        s.setValue("proxy/proxyPassword", password)
        s.setValue("proxy/proxyExcludedUrls", [])
        s.setValue("proxy/noProxyUrls", no_proxy or [])  # empty: loopback is not excluded
        QgsNetworkAccessManager.instance().setupDefaultProxyAndCache()

    yield set_proxy
    s.remove("proxy")
    QgsNetworkAccessManager.instance().setupDefaultProxyAndCache()


# --- the same result as requests ------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["tiles", "graph"])
def test_search_from_worker_threads_equals_requests(sandbox, log_messages, strategy):
    from sandbox import CENTER

    query = Query.build(closeto=CENTER, radius=250, fields="username")
    sandbox.reset_stats()
    expected = search(query, strategy=strategy, config=fast())
    asked = set(sandbox.stats.paths)
    sandbox.reset_stats()
    got = in_worker(lambda: search(query, strategy=strategy, config=fast(), transport=QgisTransport()))
    same(got, expected)
    # the very same requests; (rarely) one more attempt when a kept-alive connection closed under Qt
    assert set(sandbox.stats.paths) == asked and len(asked) > 5
    assert expected.report.requests <= got.report.requests <= expected.report.requests + 2
    assert_no_token(*log_messages)


def test_non_ascii_user_everywhere(sandbox):
    """Parameters are percent-encoded as UTF-8, like requests does (the user "jürgen_ø"): the
    sandbox sees the very same requests from both transports."""
    from sandbox import FAR_USERNAME

    query = Query.build(usernames=FAR_USERNAME)
    expected = search(query, config=fast())
    direct = sorted(sandbox.stats.paths)
    sandbox.reset_stats()
    got = in_worker(lambda: search(query, config=fast(), transport=QgisTransport()))
    assert sorted(sandbox.stats.paths) == direct and "creator_username=j%C3%BCrgen_%C3%B8" in direct[0]
    assert got.complete and [i.id for i in got.images] == [i.id for i in expected.images]


def test_url_encoding_matches_requests():
    import requests

    params = {"bbox": "1.5,2", "creator_username": "jürgen_ø", "access_token": "MLY|1|ab+c&d=e"}
    mine = bytes(build_url("http://h/images?x=1", params).toEncoded()).decode()
    theirs = requests.Request("GET", "http://h/images?x=1", params=params).prepare().url
    assert mine == theirs


def test_requests_reach_qgis_network_logger(sandbox):
    """The Network Logger listens to the main QgsNetworkAccessManager's requestAboutToBeCreated,
    which QGIS forwards from every thread's manager."""
    from sandbox import CENTER

    seen: list[str] = []
    nam = QgsNetworkAccessManager.instance()

    def note(params):
        seen.append(params.request().url().path())

    signal = nam.requestAboutToBeCreated[QgsNetworkRequestParameters]
    signal.connect(note)
    try:
        result = in_worker(lambda: search(Query.build(closeto=CENTER, radius=100), config=fast(),
                                          transport=QgisTransport()))
        end = time.monotonic() + 10
        while len(seen) < result.report.requests and time.monotonic() < end:
            QCoreApplication.processEvents()
    finally:
        signal.disconnect(note)
    assert len(seen) == result.report.requests > 0
    assert all(p.startswith("/maps/vtp/") for p in seen)


# --- errors, mapped like RequestsTransport's ------------------------------------------------
def get(url, params=None, headers=None, config=None, transport=None):
    return in_worker(lambda: (transport or QgisTransport()).get(url, params, headers or {}, config or Config()))


def test_connection_refused_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    e = get(f"http://127.0.0.1:{port}/images")
    assert isinstance(e, UnreachableError) and "connection refused" in str(e)


def test_http_errors_are_answers_not_exceptions(sandbox, log_messages):
    from sandbox import DEMO_TOKEN

    sandbox.configure(faults=("html503",), fault_rate=1.0)
    r = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN})
    assert r.status == 503 and r.headers["content-type"].startswith("text/html") and b"503 ERROR" in r.body
    sandbox.configure(faults=("bare403",), fault_rate=1.0, seed=1)
    r = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN})
    assert r.status == 403
    sandbox.configure(fault_rate=0.0)
    r = get(sandbox.url + "/images", {"bbox": "1,2,3"}, {"Authorization": "OAuth " + DEMO_TOKEN})
    assert r.status == 400 and b'"error"' in r.body
    # QgsBlockingNetworkRequest would have logged each error's URL, token included
    assert_no_token(*log_messages)


def test_empty_answer_is_an_answer(sandbox):
    """QgsBlockingNetworkRequest calls an empty GET answer an error; an empty tile is a tile."""
    from sandbox import DEMO_TOKEN

    for seed in range(20):
        sandbox.configure(faults=("empty204",), fault_rate=1.0, seed=seed)
        r = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN})
        assert r.status in (200, 204) and r.body == b""


def test_gzip_is_decoded_and_a_bomb_is_refused(sandbox):
    from sandbox import DEMO_TOKEN

    sandbox.configure(gzip_bomb=True, bomb_size=100_000)
    r = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN})
    assert r.status == 200 and r.headers.get("content-encoding") == "gzip" and r.body == bytes(100_000)
    sandbox.configure(bomb_size=1 << 30)
    start = time.monotonic()
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(max_body=8 * 2**20))
    assert isinstance(e, BadResponseError) and "larger than 8 MB" in str(e)
    assert time.monotonic() - start < 20


def test_too_large_body_is_refused(sandbox):
    from sandbox import DEMO_TOKEN

    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(max_body=1000))
    assert isinstance(e, BadResponseError) and "larger than" in str(e)


def test_cut_body_is_a_bad_answer(sandbox):
    from sandbox import DEMO_TOKEN

    sandbox.configure(faults=("cut",), fault_rate=1.0)
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN})
    assert isinstance(e, BadResponseError) and "cut short" in str(e)
    assert_no_token(str(e))


def test_silence_and_deadline(sandbox):
    from sandbox import DEMO_TOKEN

    sandbox.configure(blackhole=True)
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(timeout=0.5, deadline=30))
    assert isinstance(e, UnreachableError) and "no answer within 0.5 s" in str(e)
    sandbox.configure(blackhole=False, drip=True, drip_interval=0.05)
    start = time.monotonic()
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(timeout=5, deadline=1))
    assert isinstance(e, UnreachableError) and "did not arrive in time" in str(e)
    assert time.monotonic() - start < 4


def test_qgis_timeout_applies_and_its_log_line_is_avoided(sandbox, log_messages):
    """QGIS's own network timeout (Options > Network) is shorter than ours: it applies, and the
    request is aborted by us just before QGIS would abort it and log its URL (token included)."""
    from sandbox import DEMO_TOKEN

    before = QgsNetworkAccessManager.timeout()
    QgsNetworkAccessManager.setTimeout(1000)
    try:
        sandbox.configure(blackhole=True)
        start = time.monotonic()
        e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(timeout=30))
        took = time.monotonic() - start
    finally:
        QgsNetworkAccessManager.setTimeout(before)
    assert isinstance(e, UnreachableError) and took < 5
    assert not [m for m in log_messages if "timed out" in m]
    assert_no_token(*log_messages)


def test_cancel_aborts_a_request_in_flight(sandbox):
    from sandbox import DEMO_TOKEN

    sandbox.configure(blackhole=True)
    transport = QgisTransport()
    threading.Timer(0.3, transport.cancel).start()
    start = time.monotonic()
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(timeout=30), transport=transport)
    assert isinstance(e, CancelledError) and time.monotonic() - start < 3
    # and the cancelled callable, e.g. a task's isCanceled
    flag = threading.Event()
    threading.Timer(0.3, flag.set).start()
    e = get(sandbox.url + TILE, {"access_token": DEMO_TOKEN}, config=Config(timeout=30),
            transport=QgisTransport(cancelled=flag.is_set))
    assert isinstance(e, CancelledError)


def test_a_cancelled_search_stops_at_once(sandbox):
    from sandbox import CENTER

    sandbox.configure(blackhole=True)  # every request hangs until it is aborted
    transport = QgisTransport()
    threading.Timer(0.5, transport.cancel).start()
    start = time.monotonic()
    result = in_worker(lambda: search(Query.build(closeto=CENTER, radius=800), config=fast(timeout=30),
                                      transport=transport))
    assert result.report.cause is not None and result.report.cause.value == "cancelled", result.report
    assert time.monotonic() - start < 5


def test_token_check_from_the_main_thread(sandbox):
    """The dialog may check a token on the main thread: the request runs on a helper thread."""
    from sandbox import DEMO_TOKEN, REVOKED_TOKEN

    cfg = Config.from_env()
    image = sandbox.world.images[0].id
    assert Client(DEMO_TOKEN, cfg, QgisTransport()).graph(image, {"fields": "id"}, kind="entity") == {"id": image}
    with pytest.raises(MapillaryError) as e:
        Client(REVOKED_TOKEN, cfg, QgisTransport()).graph(image, {"fields": "id"}, kind="entity")
    assert e.value.cause.value == "token"
    assert_no_token(str(e.value))


def test_no_token_in_errors_or_log(sandbox, log_messages):
    """The sandbox echoes the URL, token included, in its error messages: nothing reaches the log."""
    from sandbox import CENTER

    sandbox.configure(echo_token=True)
    result = in_worker(lambda: search(Query.build(closeto=CENTER, radius=100), config=fast(),
                                      transport=QgisTransport()))
    assert not result.complete
    texts = [f"{f.key} {f.reason}" for f in result.report.failures]
    if result.report.fatal:
        texts.append(f"{result.report.fatal.key} {result.report.fatal.reason}")
    assert texts
    assert_no_token(*texts, *log_messages)


# --- QGIS's proxy settings ------------------------------------------------------------------
@needs_tinyproxy
def test_search_goes_through_qgis_proxy(sandbox, qgis_proxy, tmp_path, log_messages):
    from sandbox import CENTER

    query = Query.build(closeto=CENTER, radius=250, fields="username")
    expected = search(query, config=fast())
    sandbox.reset_stats()
    with tinyproxy(tmp_path / "proxy") as proxy:
        qgis_proxy(proxy.port)
        got = in_worker(lambda: search(query, config=fast(), transport=QgisTransport()))
        through = proxy.requests()
    total = sandbox.stats["requests"]
    print(f"QGIS proxy: {through} of {total} requests through the proxy")
    same(got, expected)
    assert through == total == got.report.requests > 5
    assert_no_token(*log_messages)


@needs_tinyproxy
def test_proxy_with_user_and_password(sandbox, qgis_proxy, tmp_path):
    from sandbox import CENTER

    query = Query.build(closeto=CENTER, radius=100)
    expected = search(query, config=fast())
    sandbox.reset_stats()
    with tinyproxy(tmp_path / "proxy", user="mapper", password="s3cret-Pw") as proxy:
        qgis_proxy(proxy.port, "mapper", "s3cret-Pw")
        got = in_worker(lambda: search(query, config=fast(), transport=QgisTransport()))
        through = proxy.requests()
        # no password: the proxy refuses (407), the search says so (with a wrong one, tinyproxy
        # answers 401 instead, which no client can tell from the server's own 401)
        qgis_proxy(proxy.port)
        refused = in_worker(lambda: search(query, config=fast(give_up_after=1), transport=QgisTransport()))
    same(got, expected)
    assert through == got.report.requests > 0
    assert not refused.complete and refused.report.cause.value == "unreachable"
    reasons = [f.reason for f in refused.report.failures]
    reasons += [refused.report.fatal.reason] if refused.report.fatal else []
    assert any("the proxy refused the user name or password" in r for r in reasons), reasons


@needs_tinyproxy
def test_proxy_exclusions_are_honoured(sandbox, qgis_proxy, tmp_path):
    from sandbox import CENTER

    query = Query.build(closeto=CENTER, radius=100)
    with tinyproxy(tmp_path / "proxy") as proxy:
        qgis_proxy(proxy.port, no_proxy=[sandbox.url])
        got = in_worker(lambda: search(query, config=fast(), transport=QgisTransport()))
        through = proxy.requests()
    assert got.complete and got.report.requests > 0 and through == 0
