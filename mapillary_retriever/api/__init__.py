"""The retrieval engine: plain Python (requests, GDAL), no QGIS imports."""

from .client import Client, Config, RequestsTransport, Response, Transport, token_from_env
from .errors import (
    AuthError,
    CancelledError,
    Cause,
    MapillaryError,
    NotFoundError,
    QueryError,
    RateLimitError,
    TransientError,
)
from .query import Query
from .records import Failure, Image, Images, Report, SearchResult, Sequence, iso_time
from .schema import EXTRA_FIELDS, LAYERS
from .search import STRATEGIES, Progress, enrich, resume, search

__all__ = ["AuthError", "CancelledError", "Cause", "Client", "Config", "EXTRA_FIELDS", "Failure", "Image", "Images",
           "LAYERS",
           "MapillaryError", "NotFoundError", "Progress", "Query", "QueryError", "RateLimitError", "Report",
           "RequestsTransport", "Response", "STRATEGIES", "SearchResult", "Sequence", "Transport", "TransientError",
           "enrich", "iso_time", "resume", "search", "token_from_env"]
