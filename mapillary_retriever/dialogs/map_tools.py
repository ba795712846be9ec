"""Map tools: draw a search box, click a search point (and a look-at point), pick an image.

Every tool reports WGS84 coordinates, whatever the project's CRS.
"""

from __future__ import annotations

from qgis.core import QgsApplication, QgsFeature, QgsFeatureRequest, QgsPointXY, QgsRectangle, QgsVectorLayer
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool, QgsMapToolExtent
from qgis.PyQt.QtCore import Qt, pyqtSignal

from .common import image_layers, point_to_wgs84, rect_to_wgs84, tr


class BoxTool(QgsMapToolExtent):
    """Drag a rectangle on the map; emits it in WGS84."""

    boxDrawn = pyqtSignal(QgsRectangle)

    def __init__(self, canvas: QgsMapCanvas):
        super().__init__(canvas)
        self.setToolName(tr("Draw a Mapillary search box"))
        self.extentChanged.connect(self._extent_changed)

    def keyPressEvent(self, e) -> None:
        """Esc: stop drawing and put the tool away."""
        if e.key() == Qt.Key.Key_Escape:
            self.clearRubberBand()
            self.canvas().unsetMapTool(self)
            e.accept()
            return
        super().keyPressEvent(e)

    def _extent_changed(self, rect: QgsRectangle) -> None:
        if rect.isNull() or rect.isEmpty():
            return  # a click without a drag
        self.clearRubberBand()
        self.boxDrawn.emit(rect_to_wgs84(rect, self.canvas().mapSettings().destinationCrs()))


class PointTool(QgsMapTool):
    """Click the search point; Shift+click (or ``target = "lookat"``) sets the look-at point.

    Emits the WGS84 point and whether it is the look-at point."""

    pointPicked = pyqtSignal(QgsPointXY, bool)

    def __init__(self, canvas: QgsMapCanvas):
        super().__init__(canvas)
        self.target = "closeto"
        self.setToolName(tr("Search around a clicked point"))
        self.setCursor(QgsApplication.getThemeCursor(QgsApplication.Cursor.CrossHair))

    def canvasReleaseEvent(self, e: QgsMapMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return
        lookat = self.target == "lookat"
        if e.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            lookat = not lookat
        crs = self.canvas().mapSettings().destinationCrs()
        self.pointPicked.emit(point_to_wgs84(e.mapPoint(), crs), lookat)


class ImagePickTool(QgsMapTool):
    """Click near an image point of a Mapillary image layer to show it in the viewer."""

    imagePicked = pyqtSignal(QgsVectorLayer, QgsFeature)
    nothingPicked = pyqtSignal()

    def __init__(self, canvas: QgsMapCanvas):
        super().__init__(canvas)
        self.setToolName(tr("Pick a Mapillary image"))
        self.setCursor(QgsApplication.getThemeCursor(QgsApplication.Cursor.Select))

    def canvasReleaseEvent(self, e: QgsMapMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return
        hit = self.nearest_image(e.mapPoint())
        if hit is None:
            self.nothingPicked.emit()
        else:
            self.imagePicked.emit(*hit)

    def nearest_image(self, point: QgsPointXY) -> tuple[QgsVectorLayer, QgsFeature] | None:
        """The visible image feature nearest to ``point`` (canvas CRS) within the identify radius."""
        radius = QgsMapTool.searchRadiusMU(self.canvas())
        area = QgsRectangle(point.x() - radius, point.y() - radius, point.x() + radius, point.y() + radius)
        visible = set(self.canvas().layers())
        best = None
        for layer in image_layers():
            if layer not in visible:
                continue
            request = QgsFeatureRequest().setFilterRect(self.toLayerCoordinates(layer, area))
            for feature in layer.getFeatures(request):
                if not feature.hasGeometry():
                    continue
                where = self.toMapCoordinates(layer, feature.geometry().asPoint())
                dist = where.sqrDist(point)
                if dist <= radius * radius and (best is None or dist < best[0]):
                    best = (dist, layer, QgsFeature(feature))
        return None if best is None else (best[1], best[2])
