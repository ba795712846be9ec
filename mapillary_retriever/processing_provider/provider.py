"""The Processing provider "Mapillary" (id ``mapillary``)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..dialogs.common import install_translator
from .base import ICON, tr
from .download_images import DownloadImages
from .images_for_features import ImagesForFeatures
from .search_algorithms import SearchImages, SearchSequences


class MapillaryProvider(QgsProcessingProvider):
    def load(self) -> bool:
        install_translator()  # the plugin did already, unless the provider was made without it
        return super().load()

    def id(self) -> str:
        return "mapillary"

    def name(self) -> str:
        return tr("Mapillary")

    def longName(self) -> str:
        return tr("Mapillary street-level imagery")

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def svgIconPath(self) -> str:
        return ICON

    def loadAlgorithms(self) -> None:
        for alg in (SearchImages(), SearchSequences(), ImagesForFeatures(), DownloadImages()):
            self.addAlgorithm(alg)
