"""Which transport the plugin's requests use inside QGIS.

Inside QGIS every request must go through QGIS's own network stack (its proxy, its
trusted certificates, its timeout, the Network Logger). ``transport()`` gives the
transport to pass to the engine (``search(..., transport=...)``, ``Client(..., transport=...)``).
"""

from __future__ import annotations


def transport():
    """The transport for requests made inside QGIS (None: the engine's default, requests)."""
    try:
        from .qgis_transport import QgisTransport
    except ImportError:  # not there yet
        return None
    return QgisTransport()
