"""Which transport the plugin's requests use inside QGIS.

Inside QGIS every request goes through QGIS's own network stack (its proxy, its
trusted certificates, its timeout, the Network Logger): ``transport()`` gives the
transport to pass to the engine (``search(..., transport=...)``, ``Client(..., transport=...)``).
"""

from __future__ import annotations

from collections.abc import Callable


def transport(cancelled: Callable[[], bool] | None = None):
    """A transport over QGIS's network stack; ``cancelled`` (e.g. ``task.isCanceled`` or
    ``feedback.isCanceled``) aborts the requests in flight at once."""
    from .qgis_transport import QgisTransport

    return QgisTransport(cancelled=cancelled)


def cache_dir() -> str | None:
    """Where tiles are cached inside QGIS: the profile's cache folder (``MAPILLARY_CACHE_DIR``
    overrides it; set it empty for no cache)."""
    import os

    if "MAPILLARY_CACHE_DIR" in os.environ:
        return os.environ["MAPILLARY_CACHE_DIR"] or None
    from qgis.core import QgsApplication

    return os.path.join(QgsApplication.qgisSettingsDirPath(), "cache", "mapillary-retriever")


def config(**overrides):
    """The engine's settings inside QGIS: endpoints from the environment, tiles cached in the profile."""
    from .api.client import Config

    return Config.from_env(**{"cache_dir": cache_dir(), **overrides})
