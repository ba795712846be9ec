"""The image style points its view cone the way the camera looked (rendered, not just configured)."""

from __future__ import annotations

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

from mapillary_retriever import layers
from mapillary_retriever.api.records import Image

SIZE = 200


def render(images, half_width_m=25.0):
    layer = layers.memory_layer("images", images)
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    ms.setOutputSize(QSize(SIZE, SIZE))
    ms.setOutputDpi(96)
    ms.setBackgroundColor(QColor("#ffffff"))
    c = QgsCoordinateTransform(layer.crs(), ms.destinationCrs(), QgsProject.instance()).transform(
        QgsPointXY(images[0].lon, images[0].lat))
    ms.setExtent(QgsRectangle(c.x() - half_width_m, c.y() - half_width_m, c.x() + half_width_m, c.y() + half_width_m))
    context = QgsExpressionContext()
    context.appendScopes([QgsExpressionContextUtils.globalScope(), QgsExpressionContextUtils.mapSettingsScope(ms)])
    ms.setExpressionContext(context)  # what the map canvas provides: @map_scale for the sizes
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def painted_centroid(img):
    xs = ys = n = 0
    for y in range(img.height()):
        for x in range(img.width()):
            if img.pixelColor(x, y).lightness() < 250:
                xs, ys, n = xs + x, ys + y, n + 1
    assert n, "nothing was drawn"
    return xs / n - img.width() / 2, ys / n - img.height() / 2


@pytest.mark.parametrize("angle, expected", [(0.0, (0, -1)), (90.0, (1, 0)), (180.0, (0, 1)), (270.0, (-1, 0))])
def test_view_cone_points_the_way_the_camera_looked(angle, expected):
    dx, dy = painted_centroid(render([Image("1", 6.13, 49.61, "s", 0, angle, False)]))
    # the cone pulls what is drawn towards the viewing direction (screen y grows downwards)
    assert dx * expected[0] + dy * expected[1] > 3, (dx, dy)
    assert abs(dx * expected[1] - dy * expected[0]) < 2, (dx, dy)  # and not sideways


def test_panorama_is_round_and_zoomed_out_images_are_plain_dots():
    dx, dy = painted_centroid(render([Image("1", 6.13, 49.61, "s", 0, None, True)]))
    assert abs(dx) < 1 and abs(dy) < 1
    far = render([Image("1", 6.13, 49.61, "s", 0, 90.0, False)], half_width_m=2000)  # ~1:40,000
    dx, dy = painted_centroid(far)
    assert abs(dx) < 1 and abs(dy) < 1  # no cone at this scale
