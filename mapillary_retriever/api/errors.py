"""Typed errors, decided by Mapillary's ``error.code`` rather than the HTTP status.

The Graph platform answers with inconsistent statuses and types many errors that
have nothing to do with the token ``OAuthException`` (code 1 "reduce the amount
of data", code 2 outage, code 4 rate limit, code 100 bad parameter), so the code
decides; the type only where there is no code.

Every error carries a message meant for people and a ``cause`` a user interface
can act on. None of them ever contains the access token.
"""

from __future__ import annotations

import re
from enum import Enum

_TOKEN_RE = re.compile(r"(access_token=)[^&\s]+|MLY(?:\||%7C)[^\s&\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """Remove anything that looks like a Mapillary token from ``text`` (plain or URL-encoded)."""
    return _TOKEN_RE.sub(lambda m: (m.group(1) or "") + "***", text)


class Cause(str, Enum):
    """Why something could not be fetched: what a user interface acts on."""

    TOKEN = "token"  # nosec B105 (a cause, not a password): missing, malformed, expired or revoked token
    UNREACHABLE = "unreachable"  # nothing connects or answers: network, proxy, outage
    RATE_LIMITED = "rate-limited"  # per-minute limits: wait a few minutes
    QUOTA = "quota"  # the daily tile quota is spent, or the tile server refuses this client
    REFUSED = "refused"  # a bare 403 for one tile: policy, firewall
    SERVER = "server"  # Mapillary answered with an error (5xx, code 1/2) after every retry
    TOO_DENSE = "too-dense"  # a Graph box that stays too dense at the smallest size
    BAD_ANSWER = "bad-answer"  # not JSON, not a tile, cut short, too large
    NOT_FOUND = "not-found"
    BAD_QUERY = "bad-query"  # the request itself is wrong (code 100, unknown user)
    CANCELLED = "cancelled"
    DISK = "disk"  # could not write (full disk, permissions)
    OTHER = "other"


class MapillaryError(Exception):
    """Base class. ``transient`` errors are worth retrying."""

    transient = False
    cause = Cause.OTHER

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(redact(message))
        self.message = redact(message)
        self.code = code
        self.status = status


class QueryError(MapillaryError, ValueError):
    """The user's query is invalid; the message says what to change."""

    cause = Cause.BAD_QUERY


class AuthError(MapillaryError):
    """Missing, malformed, expired or revoked token (code 190). Never retried."""

    cause = Cause.TOKEN


class NotFoundError(MapillaryError):
    """Unknown id (code 100, subcode 33)."""

    cause = Cause.NOT_FOUND


class TransientError(MapillaryError):
    """Outage, 5xx, dropped connection, cut body: retry later."""

    transient = True
    cause = Cause.SERVER


class UnreachableError(TransientError):
    """The connection could not be made, or nothing answered in time."""

    cause = Cause.UNREACHABLE


class RateLimitError(TransientError):
    """Application request limit reached (code 4/17/32/613, or HTTP 429)."""

    cause = Cause.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class QuotaError(MapillaryError):
    """The tile server refuses this client for now (daily quota spent, or a policy). Stops the search."""

    cause = Cause.QUOTA


class ForbiddenError(MapillaryError):
    """A bare HTTP 403 without an explanation: one tile refused."""

    cause = Cause.REFUSED


class TooMuchDataError(MapillaryError):
    """The server refused a box as too dense (code 1 "reduce the amount of data",
    "Query Timeout"). The Graph strategy answers with a smaller limit, then by splitting."""

    transient = True
    cause = Cause.TOO_DENSE


class TooManySearchesError(MapillaryError):
    """The search ran up its budget of Graph API searches (``Config.max_searches``): the
    server kept refusing boxes as too dense. Stops the search."""

    cause = Cause.TOO_DENSE


class BadResponseError(TransientError):
    """The answer could not be read (not JSON, not a vector tile, no ``data``, too large)."""

    cause = Cause.BAD_ANSWER


class ApiError(MapillaryError):
    """Any other error the API reports; permanent."""


class ParameterError(ApiError):
    """Code 100: the request's parameters were refused."""

    cause = Cause.BAD_QUERY


class CancelledError(MapillaryError):
    """The user cancelled the search."""

    cause = Cause.CANCELLED

    def __init__(self, message: str = "The search was cancelled.", **kw):
        super().__init__(message, **kw)


AUTH_CODES = frozenset({190, 102, 104, 463, 467})
RATE_CODES = frozenset({4, 17, 32, 613})
_TOO_MUCH = ("reduce the amount of data", "query timeout", "timed out", "timeout")


def from_response(status: int, body: object, retry_after: float | None = None) -> MapillaryError:
    """Build the right error from an HTTP status and a (possibly JSON) body."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        if status == 429:
            return RateLimitError("Mapillary's rate limit was reached.", status=status, retry_after=retry_after)
        if status == 401:
            return AuthError("Mapillary refused the access token.", status=status)
        if status == 403:
            return ForbiddenError("Mapillary's server refused this request (HTTP 403, no explanation).",
                                  status=status)
        if status >= 500 or status == 408:
            return TransientError(f"Mapillary answered HTTP {status}.", status=status)
        return ApiError(f"Mapillary answered HTTP {status}.", status=status)
    code = err.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    text = str(err.get("message") or "no message")[:300]
    low = text.lower()
    kw = {"code": code, "status": status}
    if code in AUTH_CODES or (code is None and err.get("type") == "OAuthException"):
        return AuthError("Mapillary refused the access token (" + text + "). Check that it is a valid client "
                         "token (it starts with MLY) and has not been revoked.", **kw)
    if code in RATE_CODES or (code is None and (status == 429 or "request limit" in low)):
        return RateLimitError("Mapillary's rate limit was reached (" + text + ").", retry_after=retry_after, **kw)
    if code in (1, -2, None) and any(t in low for t in _TOO_MUCH):  # -2: the Graph platform's "Query Timeout"
        return TooMuchDataError("Mapillary could not answer for so much data (" + text + ").", **kw)
    if code == 100:
        if err.get("error_subcode") == 33:
            return NotFoundError("Mapillary has no object with that id (" + text + ").", **kw)
        return ParameterError("Mapillary refused a parameter of the request (" + text + ").", **kw)
    if code in (1, 2) or err.get("is_transient") or status >= 500 or status == 429:
        return TransientError("Mapillary is temporarily unavailable (" + text + ").", **kw)
    return ApiError("Mapillary reported an error (" + text + ").", **kw)
