"""The search area drawn on the canvas while the dialog is open: the box or circle, its centre,
the look-at point and the selected polygons, in the canvas CRS."""

from __future__ import annotations

from qgis.core import Qgis, QgsGeometry
from qgis.gui import QgsMapCanvas, QgsRubberBand, QgsVertexMarker
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from ..api import Query
from .common import WGS84, box_wgs84, circle_wgs84, geometry_from_wgs84, transform

AREA_COLOR = QColor("#05CB63")
LOOKAT_COLOR = QColor("#ff2d78")


class AreaPreview:
    """Rubber bands for one query; ``show(query)`` redraws, ``hide()`` clears, ``remove()`` for good."""

    def __init__(self, canvas: QgsMapCanvas):
        self.canvas = canvas
        self.band = QgsRubberBand(canvas, Qgis.GeometryType.Polygon)
        fill = QColor(AREA_COLOR)
        fill.setAlpha(22)
        self.band.setFillColor(fill)
        self.band.setStrokeColor(AREA_COLOR)
        self.band.setWidth(2)
        self.band.setLineStyle(Qt.PenStyle.DashLine)
        self.within = QgsRubberBand(canvas, Qgis.GeometryType.Polygon)
        fill = QColor(AREA_COLOR)
        fill.setAlpha(60)
        self.within.setFillColor(fill)
        self.within.setStrokeColor(AREA_COLOR)
        self.within.setWidth(2)
        self.center = self._marker(QgsVertexMarker.IconType.ICON_CROSS, AREA_COLOR)
        self.lookat = self._marker(QgsVertexMarker.IconType.ICON_X, LOOKAT_COLOR)
        self.hide()

    def _marker(self, kind, color: QColor) -> QgsVertexMarker:
        marker = QgsVertexMarker(self.canvas)
        marker.setIconType(kind)
        marker.setColor(color)
        marker.setIconSize(14)
        marker.setPenWidth(3)
        return marker

    def hide(self) -> None:
        self.band.reset(Qgis.GeometryType.Polygon)
        self.within.reset(Qgis.GeometryType.Polygon)
        self.center.hide()
        self.lookat.hide()

    def show(self, query: Query | None, within_wkt: str = "") -> None:
        """Draw the query's area (box or circle) and look-at point; ``within_wkt``: the polygons (WGS84)."""
        self.hide()
        if query is None or query.anywhere:
            return
        crs = self.canvas.mapSettings().destinationCrs()
        to_map = transform(WGS84, crs)
        try:
            if query.bbox is not None:
                geom = box_wgs84(*query.bbox)
            else:
                lon, lat = query.center
                geom = circle_wgs84(lon, lat, query.radius)
                self.center.setCenter(to_map.transform(lon, lat))
                self.center.show()
            self.band.setToGeometry(geometry_from_wgs84(geom, crs), None)
            if within_wkt:
                self.within.setToGeometry(geometry_from_wgs84(QgsGeometry.fromWkt(within_wkt), crs), None)
            if query.lookat is not None:
                self.lookat.setCenter(to_map.transform(*query.lookat))
                self.lookat.show()
        except Exception:  # noqa: BLE001 (an area outside the canvas CRS's bounds: no preview)
            self.hide()

    def remove(self) -> None:
        for item in (self.band, self.within, self.center, self.lookat):
            self.canvas.scene().removeItem(item)
