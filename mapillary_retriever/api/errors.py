"""Typed errors, decided by Mapillary's ``error.code`` rather than the HTTP status.

Every error carries a message meant for people. None of them ever contains the
access token: URLs are redacted before they are put into a message.
"""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"(access_token=)[^&\s]+|MLY\|[^\s&\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """Remove anything that looks like a Mapillary token from ``text``."""
    return _TOKEN_RE.sub(lambda m: (m.group(1) or "") + "***", text)


class MapillaryError(Exception):
    """Base class. ``transient`` errors are worth retrying."""

    transient = False
    level = "critical"  # how loudly a user interface should show it

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(redact(message))
        self.message = redact(message)
        self.code = code
        self.status = status


class QueryError(MapillaryError, ValueError):
    """The user's query is invalid; the message says what to change."""

    level = "warning"


class AuthError(MapillaryError):
    """Missing, malformed, expired or revoked token (code 190). Never retried."""


class NotFoundError(MapillaryError):
    """Unknown id (code 100, subcode 33)."""

    level = "warning"


class TransientError(MapillaryError):
    """Outage, 5xx, dropped connection, cut body: retry later."""

    transient = True


class RateLimitError(TransientError):
    """Application request limit reached (code 4, or HTTP 429)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class TooMuchDataError(MapillaryError):
    """The server refused a box as too dense ("reduce the amount of data",
    "Query Timeout"). The Graph strategy answers by splitting the box."""

    transient = True


class BadResponseError(TransientError):
    """The answer could not be read (not JSON, not a vector tile, no ``data``)."""


class ApiError(MapillaryError):
    """Any other error the API reports; permanent."""


class CancelledError(MapillaryError):
    """The user cancelled the search."""

    level = "info"

    def __init__(self, message: str = "The search was cancelled.", **kw):
        super().__init__(message, **kw)


_TOO_MUCH = ("reduce the amount of data", "query timeout", "timed out", "timeout")


def from_response(status: int, body: object, retry_after: float | None = None) -> MapillaryError:
    """Build the right error from an HTTP status and a (possibly JSON) body."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        if status == 429:
            return RateLimitError("Mapillary's rate limit was reached.", status=status, retry_after=retry_after)
        if status in (401, 403):
            return AuthError("Mapillary refused the access token.", status=status)
        if status >= 500 or status == 408:
            return TransientError(f"Mapillary answered HTTP {status}.", status=status)
        return ApiError(f"Mapillary answered HTTP {status}.", status=status)
    code = err.get("code")
    text = str(err.get("message") or "no message")
    low = text.lower()
    if code == 190 or err.get("type") == "OAuthException":
        return AuthError(
            "Mapillary refused the access token (" + text + "). Check that it is a valid client "
            "token (it starts with MLY) and has not been revoked.", code=code, status=status)
    if code == 4 or status == 429 or "request limit" in low:
        return RateLimitError("Mapillary's rate limit was reached (" + text + ").",
                              code=code, status=status, retry_after=retry_after)
    if any(t in low for t in _TOO_MUCH):
        return TooMuchDataError("Mapillary could not answer for so much data (" + text + ").",
                                code=code, status=status)
    if code == 100 and err.get("error_subcode") == 33:
        return NotFoundError("Mapillary has no object with that id (" + text + ").", code=code, status=status)
    if code in (1, 2) or err.get("is_transient") or status >= 500:
        return TransientError("Mapillary is temporarily unavailable (" + text + ").", code=code, status=status)
    return ApiError("Mapillary reported an error (" + text + ").", code=code, status=status)
