"""The styles, rendered (not just configured): the view cone points the way the camera looked, and each
map scale is readable: sequences alone when zoomed out, dots in between, cones zoomed in."""

from __future__ import annotations

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextScope,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

from mapillary_retriever import layers
from mapillary_retriever.api.records import Image

SIZE = 200
BACKGROUND = np.array([0xF3, 0xF1, 0xEC])
MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")


def settings(map_layers, lon: float, lat: float, half_width_m: float | None = None, scale: float | None = None,
             width: int = SIZE, height: int = SIZE, background: str = "#ffffff") -> QgsMapSettings:
    """Web Mercator map settings centred on (lon, lat), ``half_width_m`` wide or at 1:``scale``."""
    ms = QgsMapSettings()
    ms.setLayers(map_layers)
    ms.setDestinationCrs(MERCATOR)
    ms.setOutputSize(QSize(width, height))
    ms.setOutputDpi(96)
    ms.setBackgroundColor(QColor(background))
    c = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), MERCATOR, QgsProject.instance()).transform(
        QgsPointXY(lon, lat))
    half = half_width_m if half_width_m is not None else scale * width / 96 * 0.0254 / 2
    for _ in range(3 if scale else 1):
        ms.setExtent(QgsRectangle(c.x() - half, c.y() - half * height / width, c.x() + half,
                                  c.y() + half * height / width))
        if scale:
            half *= scale / ms.scale()
    context = QgsExpressionContext()
    context.appendScopes([QgsExpressionContextUtils.globalScope(), QgsExpressionContextUtils.mapSettingsScope(ms)])
    ms.setExpressionContext(context)  # what the map canvas provides: @map_scale for the sizes
    return ms


def draw(ms: QgsMapSettings) -> QImage:
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def render(images, half_width_m=25.0, scale=None):
    layer = layers.memory_layer("images", images)
    return draw(settings([layer], images[0].lon, images[0].lat, half_width_m, scale))


def painted_centroid(img):
    xs = ys = n = 0
    for y in range(img.height()):
        for x in range(img.width()):
            if img.pixelColor(x, y).lightness() < 250:
                xs, ys, n = xs + x, ys + y, n + 1
    assert n, "nothing was drawn"
    return xs / n - img.width() / 2, ys / n - img.height() / 2


def rgb(img: QImage) -> np.ndarray:
    """The image as a height x width x 3 array of ints (R, G, B)."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    bits = img.constBits()
    bits.setsize(img.sizeInBytes())
    a = np.frombuffer(bits, np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)[:, :img.width(), :3]
    return a[..., ::-1].astype(int)


def painted(a: np.ndarray, threshold: int = 40) -> np.ndarray:
    """Pixels that differ from the background (by more than ``threshold``, summed over R, G, B)."""
    return np.abs(a - BACKGROUND).sum(-1) > threshold


@pytest.mark.parametrize("angle, expected", [(0.0, (0, -1)), (90.0, (1, 0)), (180.0, (0, 1)), (270.0, (-1, 0))])
def test_view_cone_points_the_way_the_camera_looked(angle, expected):
    dx, dy = painted_centroid(render([Image("1", 6.13, 49.61, "s", 0, angle, False)]))
    # the cone pulls what is drawn towards the viewing direction (screen y grows downwards)
    assert dx * expected[0] + dy * expected[1] > 3, (dx, dy)
    assert abs(dx * expected[1] - dy * expected[0]) < 2, (dx, dy)  # and not sideways


def test_panorama_is_round_and_zoomed_out_images_are_plain_dots():
    dx, dy = painted_centroid(render([Image("1", 6.13, 49.61, "s", 0, None, True)]))
    assert abs(dx) < 1 and abs(dy) < 1
    # ~1:19,000 (images are dots between 1:40,000 and 1:8,000; farther out they are not drawn at all)
    far = render([Image("1", 6.13, 49.61, "s", 0, 90.0, False)], half_width_m=500)
    dx, dy = painted_centroid(far)
    assert abs(dx) < 1 and abs(dy) < 1  # no cone at this scale


def test_the_cone_is_already_drawn_at_1_to_5000():
    dx, dy = painted_centroid(render([Image("1", 6.13, 49.61, "s", 0, 90.0, False)], scale=5000))
    assert dx > 1.5 and abs(dy) < 1, (dx, dy)  # pulled east, the way the camera looked


# --- the whole sandbox world (60,000 images, 425 sequences), as a user who searched a city sees it


@pytest.fixture(scope="module")
def world_layers(sandbox_server):
    from mapillary_retriever.api.client import Config
    from mapillary_retriever.api.query import Query
    from mapillary_retriever.api.search import search
    from sandbox import DEMO_TOKEN

    lons = [i.lon for i in sandbox_server.world.images]
    lats = [i.lat for i in sandbox_server.world.images]
    result = search(Query.build(bbox=(min(lons), min(lats), max(lons), max(lats))), DEMO_TOKEN,
                    config=Config(graph_url=sandbox_server.url, tiles_url=sandbox_server.url))
    assert len(result.images) > 50_000 and result.report.complete
    images = layers.memory_layer("images", result.images)
    sequences = layers.memory_layer("sequences", result.sequences)
    yield images, sequences
    del images, sequences


def world_render(map_layers, scale: float, lon: float, lat: float) -> np.ndarray:
    return rgb(draw(settings(map_layers, lon, lat, scale=scale, width=400, height=300, background="#f3f1ec")))


def test_at_1_to_500000_the_sequences_show_the_coverage_and_the_images_stay_out(world_layers):
    images, sequences = world_layers
    c = images.extent().center()
    alone = world_render([images], 500_000, c.x(), c.y())
    assert painted(alone).sum() == 0  # the old style filled the world with a solid square of dots here
    lines = world_render([sequences], 500_000, c.x(), c.y())
    both = world_render([images, sequences], 500_000, c.x(), c.y())
    assert (both == lines).all()  # what is seen is the sequence lines, and only them
    ys, xs = np.nonzero(painted(lines))
    area = both[ys.min():ys.max() + 1, xs.min():xs.max() + 1]  # the world's square on the map
    assert 0.2 < painted(area).mean()  # visible...
    assert painted(area, 200).mean() < 0.3  # ...but not filled in: strong colour only where lines gather
    green = (area[..., 1] > area[..., 0] + 40) & painted(area)
    assert green.sum() > 0.6 * painted(area).sum()  # Mapillary green, with some blue panorama sequences


def test_at_1_to_5000_cones_stick_out_of_the_sequence_lines(world_layers):
    images, sequences = world_layers
    lon, lat = 6.12, 49.60  # streets away from the stress-test core
    cones = painted(world_render([images], 5000, lon, lat))
    lines = painted(world_render([sequences], 5000, lon, lat))
    near_line = lines.copy()
    for d in (1, 2, 3):  # the line's footprint, grown by 3 pixels
        near_line[d:] |= lines[:-d]
        near_line[:-d] |= lines[d:]
        near_line[:, d:] |= lines[:, :-d]
        near_line[:, :-d] |= lines[:, d:]
    beside = cones & ~near_line
    assert beside.sum() > 0.15 * cones.sum(), (beside.sum(), cones.sum())  # dots alone would stay on the lines


def test_rules_scale_ranges_and_legend():
    def active(renderer, scale):
        return [r.label() for r in renderer.rootRule().children() if r.isScaleOK(scale)]

    img = layers.image_renderer()
    assert active(img, 500_000) == active(img, 40_001) == ["Images (zoomed out: see sequences)"]
    assert active(img, 35_000) == active(img, 8_001) == ["Image", "Panorama (360°)"]
    assert active(img, 5_000) == active(img, 500) == ["Image (camera direction)", "Panorama (360°)"]
    assert next(r for r in img.rootRule().children() if r.isScaleOK(500_000)).symbol() is None  # draws nothing
    legend = [item.label() for item in img.legendSymbolItems()]
    assert legend == ["Images (zoomed out: see sequences)", "Image", "Panorama (360°)", "Image (camera direction)",
                      "Panorama (360°)"]

    seq = layers.sequence_renderer()
    assert active(seq, 500_000) == ["Sequences (zoomed far out: coverage)", "Panorama sequences (zoomed far out)"]
    assert active(seq, 35_000) == active(seq, 500) == ["Sequence", "Panorama sequence"]
    for rule in seq.rootRule().children():
        if rule.isScaleOK(35_000):  # a casing under the line: two layers, the lower one darker
            casing, line = rule.symbol().symbolLayer(0), rule.symbol().symbolLayer(1)
            assert casing.color().lightness() < line.color().lightness()
    assert [r.filterExpression() for r in seq.rootRule().children()][:2] == [layers.NOT_PANO, layers.IS_PANO]


def test_panorama_rules_match_gpkg_integers_and_booleans():
    """Memory layers hold booleans; a GeoPackage reopened holds 0 and 1; a missing value is not a panorama."""
    for value, pano in ((True, True), (False, False), (1, True), (0, False), (None, False)):
        scope = QgsExpressionContextScope()
        scope.setVariable("x", value)
        ctx = QgsExpressionContext()
        ctx.appendScope(scope)  # the context owns it
        assert bool(QgsExpression(layers.IS_PANO.replace('"is_pano"', "@x")).evaluate(ctx)) is pano, value
        assert bool(QgsExpression(layers.NOT_PANO.replace('"is_pano"', "@x")).evaluate(ctx)) is not pano, value
