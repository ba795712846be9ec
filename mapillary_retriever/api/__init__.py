"""The retrieval engine: plain Python (requests, GDAL), no QGIS imports."""

from .client import Config, token_from_env
from .errors import AuthError, CancelledError, MapillaryError, NotFoundError, QueryError, RateLimitError, TransientError
from .query import EXTRA_FIELDS, Query
from .records import Failure, Image, Report, SearchResult, Sequence, iso_time
from .search import STRATEGIES, Progress, search

__all__ = ["AuthError", "CancelledError", "Config", "EXTRA_FIELDS", "Failure", "Image", "MapillaryError",
           "NotFoundError", "Progress", "Query", "QueryError", "RateLimitError", "Report", "STRATEGIES",
           "SearchResult", "Sequence", "TransientError", "iso_time", "search", "token_from_env"]
