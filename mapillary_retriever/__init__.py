"""Mapillary Retriever: a QGIS plugin that lists Mapillary images and sequences."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import MapillaryRetrieverPlugin

    return MapillaryRetrieverPlugin(iface)
