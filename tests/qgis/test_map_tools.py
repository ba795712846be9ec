"""Map tools driven by synthetic mouse events on a canvas in a projected (non-WGS84) CRS."""

from __future__ import annotations

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QEvent, QPoint, QRect, Qt

from mapillary_retriever.dialogs.common import KIND_PROPERTY
from mapillary_retriever.dialogs.map_tools import BoxTool, ImagePickTool, PointTool

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
LUX = (6.13, 49.61)


def _to_wgs84(crs):
    return QgsCoordinateTransform(crs, WGS84, QgsProject.instance())


def _show_luxembourg(canvas, crs, half_width_m=1500.0):
    center = QgsCoordinateTransform(WGS84, crs, QgsProject.instance()).transform(QgsPointXY(*LUX))
    canvas.setExtent(QgsRectangle(center.x() - half_width_m, center.y() - half_width_m,
                                  center.x() + half_width_m, center.y() + half_width_m))
    canvas.refresh()


def _event(canvas, kind, x, y, modifiers=Qt.KeyboardModifier.NoModifier):
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    return QgsMapMouseEvent(canvas, kind, QPoint(x, y), Qt.MouseButton.LeftButton, buttons, modifiers)


def _drag(tool, canvas, start, end):
    tool.canvasPressEvent(_event(canvas, QEvent.Type.MouseButtonPress, *start))
    tool.canvasMoveEvent(_event(canvas, QEvent.Type.MouseMove, *end))
    tool.canvasReleaseEvent(_event(canvas, QEvent.Type.MouseButtonRelease, *end))


def _click(tool, canvas, pos, modifiers=Qt.KeyboardModifier.NoModifier):
    tool.canvasPressEvent(_event(canvas, QEvent.Type.MouseButtonPress, *pos, modifiers))
    tool.canvasReleaseEvent(_event(canvas, QEvent.Type.MouseButtonRelease, *pos, modifiers))


def _map_point(canvas, pos):
    return canvas.getCoordinateTransform().toMapCoordinates(*pos)


def test_box_tool_reports_wgs84(qgis_canvas, lux_crs):
    _show_luxembourg(qgis_canvas, lux_crs)
    tool = BoxTool(qgis_canvas)
    qgis_canvas.setMapTool(tool)
    boxes = []
    tool.boxDrawn.connect(boxes.append)
    _drag(tool, qgis_canvas, (100, 120), (420, 380))
    assert len(boxes) == 1
    expected = _to_wgs84(lux_crs).transformBoundingBox(
        QgsRectangle(_map_point(qgis_canvas, (100, 120)), _map_point(qgis_canvas, (420, 380))))
    got = boxes[0]
    for a, b in zip((got.xMinimum(), got.yMinimum(), got.xMaximum(), got.yMaximum()),
                    (expected.xMinimum(), expected.yMinimum(), expected.xMaximum(), expected.yMaximum())):
        assert a == pytest.approx(b, abs=1e-9)
    assert 6.0 < got.xMinimum() < got.xMaximum() < 6.3  # longitudes, not swapped with latitudes
    assert 49.5 < got.yMinimum() < got.yMaximum() < 49.7
    # a click without a drag is not a box
    _click(tool, qgis_canvas, (200, 200))
    assert len(boxes) == 1
    qgis_canvas.unsetMapTool(tool)


def test_point_tool_closeto_and_lookat(qgis_canvas, lux_crs):
    _show_luxembourg(qgis_canvas, lux_crs)
    tool = PointTool(qgis_canvas)
    picked = []
    tool.pointPicked.connect(lambda p, lookat: picked.append((p, lookat)))
    _click(tool, qgis_canvas, (400, 300))
    _click(tool, qgis_canvas, (500, 200), Qt.KeyboardModifier.ShiftModifier)
    tool.target = "lookat"
    _click(tool, qgis_canvas, (300, 300))
    assert [lookat for _, lookat in picked] == [False, True, True]
    expected = _to_wgs84(lux_crs).transform(_map_point(qgis_canvas, (400, 300)))
    assert picked[0][0].x() == pytest.approx(expected.x(), abs=1e-9)
    assert picked[0][0].y() == pytest.approx(expected.y(), abs=1e-9)
    assert picked[0][0].x() == pytest.approx(LUX[0], abs=0.01)  # the canvas centre is Luxembourg
    assert picked[0][0].y() == pytest.approx(LUX[1], abs=0.01)


def test_plugin_box_tool_fills_dialog_and_shows_box(plugin, qgis_canvas, lux_crs):
    _show_luxembourg(qgis_canvas, lux_crs)
    plugin.box_action.trigger()
    assert qgis_canvas.mapTool() is plugin.box_tool
    assert plugin.box_action.isChecked()
    _drag(plugin.box_tool, qgis_canvas, (200, 150), (600, 450))
    dialog = plugin.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.area_mode() == "box"
    assert dialog.query is not None and dialog.query.bbox is not None, dialog.problem
    lon_min, lat_min, lon_max, lat_max = dialog.query.bbox
    assert 6.0 < lon_min < lon_max < 6.3 and 49.5 < lat_min < lat_max < 49.7
    assert dialog.search_button.isEnabled()
    # the box is drawn on the canvas, in the canvas CRS, while the dialog is open
    band = dialog.preview.band.asGeometry().boundingBox()
    drawn = QgsRectangle(_map_point(qgis_canvas, (200, 150)), _map_point(qgis_canvas, (600, 450)))
    assert band.xMinimum() == pytest.approx(drawn.xMinimum(), abs=50)  # metres, in EPSG:2169
    assert band.yMaximum() == pytest.approx(drawn.yMaximum(), abs=50)
    assert dialog.preview.band.isVisible()
    # the dialog opens beside the box, not over it
    drawn_px = QRect(qgis_canvas.mapToGlobal(QPoint(200, 150)), qgis_canvas.mapToGlobal(QPoint(600, 450)))
    screen = dialog.screen().availableGeometry()
    if screen.right() - drawn_px.right() > dialog.frameGeometry().width() + 16:  # room on the right
        assert dialog.frameGeometry().left() > drawn_px.right()
    dialog.place_beside(QRect(screen.left() + 10, screen.top() + 10, 40, 40))
    assert dialog.frameGeometry().left() >= screen.left() + 50
    dialog.close()
    assert dialog.preview.band.asGeometry().isEmpty()


def test_box_tool_says_how_and_esc_cancels(plugin, qgis_canvas, lux_crs, monkeypatch):
    from qgis.PyQt.QtTest import QTest

    messages = []
    monkeypatch.setattr(plugin.iface.statusBarIface(), "showMessage", lambda text, ms=0: messages.append(text),
                        raising=False)
    plugin.box_action.trigger()
    assert messages and "Drag a box" in messages[-1] and "Esc" in messages[-1]
    assert qgis_canvas.mapTool() is plugin.box_tool
    QTest.keyClick(qgis_canvas, Qt.Key.Key_Escape)
    assert qgis_canvas.mapTool() is not plugin.box_tool and not plugin.box_action.isChecked()


def test_plugin_point_tool_fills_closeto_then_lookat(plugin, qgis_canvas, lux_crs):
    _show_luxembourg(qgis_canvas, lux_crs)
    plugin.point_action.trigger()
    assert qgis_canvas.mapTool() is plugin.point_tool
    _click(plugin.point_tool, qgis_canvas, (400, 300))
    dialog = plugin.dialog
    assert dialog.area_mode() == "point"
    q = dialog.query
    assert q is not None and q.closeto == pytest.approx(LUX, abs=0.01)
    assert q.lookat is None
    dialog.radius_spin.setValue(250)
    _click(plugin.point_tool, qgis_canvas, (450, 280), Qt.KeyboardModifier.ShiftModifier)
    q = dialog.query
    assert q.radius == 250 and q.lookat is not None
    assert q.closeto == pytest.approx(LUX, abs=0.01)  # unchanged by the look-at click
    assert dialog.preview.lookat.isVisible() and dialog.preview.center.isVisible()
    # the circle preview is about 2 × 250 m across in the projected CRS
    ring = dialog.preview.band.asGeometry().boundingBox()
    assert ring.width() == pytest.approx(500, rel=0.05)
    # the dialog's own "pick the look-at point" button arms the tool for the look-at point
    dialog.pick_lookat_button.click()
    _click(plugin.point_tool, qgis_canvas, (300, 300))
    assert dialog.query.lookat[0] < q.lookat[0]  # further west than the previous one


def _image_layer(points):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=id:string&field=compass_angle:double&field=is_pano:boolean"
                           "&field=sequence_id:string", "Mapillary images", "memory")
    feats = []
    for n, (lon, lat) in enumerate(points):
        f = QgsFeature(layer.fields())
        f.setAttributes([f"10{n}", 90.0, False, "s1"])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.setCustomProperty(KIND_PROPERTY, "images")
    return layer


def test_image_pick_tool(qgis_canvas, lux_crs, qgis_new_project):
    layer = _image_layer([(6.13, 49.61), (6.1305, 49.6102)])
    QgsProject.instance().addMapLayer(layer)
    qgis_canvas.setLayers([layer])
    _show_luxembourg(qgis_canvas, lux_crs, 300)
    tool = ImagePickTool(qgis_canvas)
    hits, misses = [], []
    tool.imagePicked.connect(lambda lyr, f: hits.append(f["id"]))
    tool.nothingPicked.connect(lambda: misses.append(1))
    to_map = QgsCoordinateTransform(WGS84, lux_crs, QgsProject.instance())
    pixel = qgis_canvas.getCoordinateTransform().transform(to_map.transform(QgsPointXY(6.1305, 49.6102)))
    _click(tool, qgis_canvas, (round(pixel.x()) + 2, round(pixel.y()) - 1))
    _click(tool, qgis_canvas, (5, 5))
    assert hits == ["101"] and misses == [1]
    QgsProject.instance().removeMapLayer(layer)
