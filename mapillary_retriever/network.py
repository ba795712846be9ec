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
