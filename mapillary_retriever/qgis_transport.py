"""The engine's transport over QGIS's own network stack.

Every request made inside QGIS (dialog, task, Processing, viewer thumbnails, token check) goes
through ``QgsNetworkAccessManager``: it honours Settings > Options > Network (the proxy with its
user, password and exclusions, the certificates trusted in QGIS's authentication manager, the
network timeout) and shows in QGIS's Network Logger.

Why not ``QgsBlockingNetworkRequest``: in QGIS 3.40 it writes ``QNetworkReply.errorString()`` to
the message log on every HTTP error, and that text holds the full URL, so a refused tile would
put its ``access_token`` into the Log Messages panel (qgis/QGIS#53721; a flag to turn that off
came only after 3.40). So each request runs its own event loop over the calling thread's
``QgsNetworkAccessManager``, the way that class does, and aborts the reply itself before QGIS's
timeout would (QGIS logs a timed-out request's URL too).

What QGIS still shows: the Network Logger (Developer Tools) lists every request with its URL and
headers, so a tile URL's ``access_token`` and the Graph API's ``Authorization`` header are visible
there while it is open (it records only while shown; saving it to a file warns that it may hold
secrets). ``QgsNetworkAccessManager`` has no way to redact them. Nothing is written to QGIS's
network disk cache (tile URLs carry the token). QGIS sends its own User-Agent (a user setting).

Known limits, QGIS's own (QgsBlockingNetworkRequest has them too): a proxy password QGIS does not
have is not prompted for from these worker threads, the request fails as unreachable ("the proxy
refused the user name or password"). A certificate QGIS does not trust makes the worker wait until
QGIS's main thread has handled the SSL errors (the desktop asks the user).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import quote, urlencode

from qgis.core import QgsApplication, QgsNetworkAccessManager
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QByteArray, QCoreApplication, QEventLoop, Qt, QThread, QTimer, QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from .api.client import USER_AGENT, Config, Response
from .api.errors import BadResponseError, CancelledError, MapillaryError, TransientError, UnreachableError

_E = QNetworkReply.NetworkError
_A = QNetworkRequest.Attribute
_POLL_MS = 50  # how often a request checks cancel, its deadline and its silence

# Qt's connection errors in words; every one means "could not reach" (retried, then the search stops).
_UNREACHABLE = {
    _E.ConnectionRefusedError: "connection refused",
    _E.HostNotFoundError: "the server name could not be resolved",
    _E.TimeoutError: "no answer in time",
    _E.ProxyConnectionRefusedError: "the proxy refused the connection",
    _E.ProxyConnectionClosedError: "the proxy closed the connection",
    _E.ProxyNotFoundError: "the proxy could not be found (check Settings > Options > Network)",
    _E.ProxyTimeoutError: "the proxy did not answer in time",
    _E.ProxyAuthenticationRequiredError: "the proxy refused the user name or password",
    _E.SslHandshakeFailedError: "the secure connection failed (certificate not trusted?)",
    _E.TemporaryNetworkFailureError: "the network is not available",
    _E.NetworkSessionFailedError: "the network is not available",
    _E.BackgroundRequestNotAllowedError: "the network is not available",
    _E.UnknownProxyError: "the proxy failed",
    _E.UnknownNetworkError: "the connection failed",
}


class QgisTransport:
    """``api.client.Transport`` over ``QgsNetworkAccessManager``; usable from any thread.

    ``cancelled``: polled while a request runs (e.g. ``task.isCanceled``); ``cancel()`` does the
    same from any thread. A cancelled request is aborted at once and raises ``CancelledError``.
    """

    def __init__(self, cancelled: Callable[[], bool] | None = None) -> None:
        self._cancelled = cancelled
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Abort every request in flight and refuse new ones (thread-safe)."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        if self._cancel.is_set():
            return True
        try:
            return bool(self._cancelled and self._cancelled())
        except RuntimeError:  # the task that asked is gone (its C++ object was deleted): stop
            self._cancel.set()
            return True

    def close(self) -> None:
        """Nothing to release: the network managers are QGIS's own, one per thread."""

    def get(self, url: str, params: dict | None, headers: dict[str, str], config: Config) -> Response:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("QgisTransport needs a running QGIS application")
        if QThread.currentThread() != app.thread():
            return _Request(self, url, params, headers, config).run()
        # On the main thread: run in a helper thread and keep the main thread's events flowing,
        # as QgsBlockingNetworkRequest does (SSL and proxy-password prompts are answered there).
        box: dict = {}

        def work() -> None:
            try:
                box["response"] = _Request(self, url, params, headers, config).run()
            except BaseException as e:  # handed over to the calling thread
                box["error"] = e

        helper = threading.Thread(target=work, name="mapillary-qgis-request", daemon=True)
        helper.start()
        while helper.is_alive():
            QgsApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            helper.join(0.005)
        if "error" in box:
            raise box["error"]
        return box["response"]


def qgis_timeout() -> float | None:
    """QGIS's network timeout (Settings > Options > Network) in seconds; None when it is off."""
    ms = QgsNetworkAccessManager.timeout()
    return ms / 1000.0 if ms and ms > 0 else None


def build_url(url: str, params: dict | None) -> QUrl:
    """``url`` with ``params`` percent-encoded (UTF-8) the way ``requests`` encodes them."""
    if params:
        query = urlencode([(k, str(v)) for k, v in params.items() if v is not None], quote_via=quote)
        url = url + ("&" if "?" in url else "?") + query
    return QUrl.fromEncoded(QByteArray(url.encode("utf-8")))


class _Request:
    """One GET on the calling thread's QgsNetworkAccessManager, under its own event loop."""

    def __init__(self, transport: QgisTransport, url: str, params: dict | None, headers: dict[str, str],
                 config: Config) -> None:
        self.transport, self.config = transport, config
        self.url, self.params, self.headers = url, params, headers
        self.parts: list[bytes] = []
        self.size = 0
        self.stopped: MapillaryError | None = None  # why we aborted the reply ourselves
        limit = qgis_timeout()
        # abort before QGIS's own timeout would (QGIS logs the URL of a timed-out request)
        self.silence = min(config.timeout, limit * 0.9) if limit else config.timeout
        self.start = self.last_byte = time.monotonic()

    def run(self) -> Response:
        try:
            return self._run()
        except RuntimeError as e:  # a Qt object went away under us (PyQt: "wrapped C/C++ object … deleted")
            if "C/C++ object" not in str(e):
                raise
            raise TransientError("The connection to Mapillary broke (the reply went away).") from None

    def _run(self) -> Response:
        if self.transport.is_cancelled():
            raise CancelledError()
        loop = QEventLoop()  # first: it gives a plain Python thread its event dispatcher
        # DirectConnection: proxy-password and SSL prompts must not wait for a busy main thread
        nam = QgsNetworkAccessManager.instance(Qt.ConnectionType.DirectConnection)
        request = self._request()
        timer = QTimer()
        timer.setInterval(_POLL_MS)
        reply = nam.get(request)
        self.reply = reply
        try:
            reply.readyRead.connect(self._read)
            reply.downloadProgress.connect(self._progress)
            reply.finished.connect(loop.quit)
            timer.timeout.connect(self._check)
            timer.start()
            if not reply.isFinished():
                loop.exec()
            timer.stop()
            self._read()
            if self.stopped is None and sip.isdeleted(reply):
                self.stopped = TransientError("The connection to Mapillary broke (the reply went away).")
            return self._result(reply)
        finally:
            timer.stop()
            self.reply = None
            # Deleted now, not later: a later delete lets PyQt hand a stale (deleted) wrapper to the next
            # reply Qt allocates at the same address on a busy thread ("QNetworkReply has been deleted").
            if not sip.isdeleted(reply):
                sip.delete(reply)

    def _request(self) -> QNetworkRequest:
        request = QNetworkRequest(build_url(self.url, self.params))
        # QGIS replaces this with the User-Agent of Settings > Options > Network ("Mozilla/5.0 QGIS/34006...")
        request.setRawHeader(b"User-Agent", USER_AGENT.encode("latin-1"))
        for name, value in self.headers.items():
            request.setRawHeader(name.encode("latin-1"), value.encode("latin-1"))
        # the token must not land in QGIS's network disk cache, and every answer must be fresh
        request.setAttribute(_A.CacheLoadControlAttribute, QNetworkRequest.CacheLoadControl.AlwaysNetwork)
        request.setAttribute(_A.CacheSaveControlAttribute, False)
        # follow redirects like requests does, but never carry an Authorization header to another host
        policy = QNetworkRequest.RedirectPolicy.SameOriginRedirectPolicy if "Authorization" in self.headers \
            else QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy
        request.setAttribute(_A.RedirectPolicyAttribute, policy)
        # Qt's own silence limit, a backstop behind ours
        request.setTransferTimeout(int((self.silence + 5) * 1000))
        return request

    # --- while the reply runs (on this thread, inside the event loop) ---------------------
    def _abort(self, why: MapillaryError) -> None:
        if self.stopped is None:
            self.stopped = why
        if self.reply is not None and not sip.isdeleted(self.reply) and not self.reply.isFinished():
            self.reply.abort()

    def _read(self) -> None:
        reply = self.reply
        if reply is None or self.stopped is not None:
            return
        if sip.isdeleted(reply):  # Qt let go of the reply under us: a broken connection, retried
            self.stopped = TransientError("The connection to Mapillary broke (the reply went away).")
            return
        chunk = bytes(reply.readAll())
        if not chunk:
            return
        self.last_byte = time.monotonic()
        self.size += len(chunk)
        if self.size > self.config.max_body:
            self.parts.clear()
            self._abort(BadResponseError(
                f"Mapillary's answer is larger than {self.config.max_body // 2**20} MB: not read."))
            return
        self.parts.append(chunk)

    def _progress(self, received: int, total: int) -> None:
        self.last_byte = time.monotonic()
        if total > self.config.max_body and not self._encoded():
            self._abort(BadResponseError(
                f"Mapillary's answer is larger than {self.config.max_body // 2**20} MB: not read."))

    def _encoded(self) -> bool:
        reply = self.reply
        if reply is None or sip.isdeleted(reply):
            return False
        return bool(bytes(reply.rawHeader(b"Content-Encoding")).strip())

    def _check(self) -> None:
        now = time.monotonic()
        if self.transport.is_cancelled():
            self._abort(CancelledError())
        elif now - self.start > self.config.deadline:
            self._abort(UnreachableError("Mapillary's answer did not arrive in time (it came too slowly)."))
        elif now - self.last_byte > self.silence:
            self._abort(UnreachableError(f"Could not reach Mapillary: no answer within {self.silence:g} s."))

    # --- after the reply finished ---------------------------------------------------------
    def _result(self, reply: QNetworkReply) -> Response:
        if self.stopped is not None:
            raise self.stopped
        error = reply.error()
        status = reply.attribute(_A.HttpStatusCodeAttribute)
        headers: dict[str, str] = {}
        for name, value in reply.rawHeaderPairs():
            key = bytes(name).decode("latin-1").lower()
            text = bytes(value).decode("latin-1")
            headers[key] = headers[key] + ", " + text if key in headers else text
        body = b"".join(self.parts)
        if error in _PROXY:  # the proxy's own refusal (407...) is no answer from Mapillary
            raise UnreachableError(f"Could not reach Mapillary: {_UNREACHABLE[error]}.")
        if error == _E.NoError or (status is not None and error not in _BROKEN):
            if status is None:
                raise TransientError("The connection to Mapillary broke (no HTTP status).")
            expected = headers.get("content-length", "")
            if expected.isdigit() and "content-encoding" not in headers and int(expected) != len(body):
                raise BadResponseError(f"Mapillary's answer was cut short ({len(body)} of {expected} bytes).")
            return Response(int(status), headers, body)
        if status is not None:  # the answer had begun: its body was cut
            expected = headers.get("content-length", "")
            what = f"{len(body)} of {expected} bytes" if expected.isdigit() else f"after {len(body)} bytes"
            raise BadResponseError(f"Mapillary's answer was cut short ({what}).")
        if error == _E.OperationCanceledError:  # not by us: QGIS's own network timeout
            raise UnreachableError("Could not reach Mapillary: no answer within QGIS's network timeout.")
        why = _UNREACHABLE.get(error)
        if why is not None:
            raise UnreachableError(f"Could not reach Mapillary: {why}.")
        raise TransientError(f"The connection to Mapillary broke ({_error_name(error)}).")


_PROXY = frozenset({_E.ProxyConnectionRefusedError, _E.ProxyConnectionClosedError, _E.ProxyNotFoundError,
                    _E.ProxyTimeoutError, _E.ProxyAuthenticationRequiredError, _E.UnknownProxyError})

# Errors that end a reply whose answer had begun: the body is incomplete whatever the status says.
_BROKEN = frozenset({_E.RemoteHostClosedError, _E.OperationCanceledError, _E.TimeoutError,
                     _E.ProxyConnectionClosedError, _E.UnknownNetworkError, _E.TemporaryNetworkFailureError,
                     _E.NetworkSessionFailedError})


def _error_name(error: object) -> str:
    for name in dir(_E):
        if name.endswith("Error") and getattr(_E, name, None) == error:
            return name
    return "network error"
