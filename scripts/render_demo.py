"""Render the demo's GeoPackage to a PNG map with the plugin's own styles, through the QGIS API.

    python scripts/render_demo.py --gpkg out/demo.gpkg --png out/demo.png --center 6.13,49.61 --radius 300

Layers ``images`` and ``sequences`` of the GeoPackage are styled by mapillary_retriever.layers
(the styles the plugin gives its layers), drawn on a plain background with the search circle,
and laid out with a title, a legend, a scale bar and the attribution.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication  # noqa: E402

QgsApplication.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)  # before any other QGIS call

from qgis.core import (  # noqa: E402
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayerTreeLayer,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemScaleBar,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsMarkerSymbol,
    QgsPointXY,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

from mapillary_retriever import layers  # noqa: E402
from mapillary_retriever.api.output import ATTRIBUTION  # noqa: E402

PAGE_W, PAGE_H = 297.0, 240.0  # mm
MAP_X, MAP_Y, MAP_W, MAP_H = 8.0, 30.0, 205.0, 196.0
BACKGROUND = QColor("#f3f1ec")
WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
LEGEND_H = 72.0  # mm: two layers of two scale-based entries each, the area and the point
DETAIL_W, DETAIL_HALF = 68.0, 20.0  # mm, metres
DETAIL_X, DETAIL_Y = MAP_X + MAP_W + 8, MAP_Y + MAP_H - DETAIL_W - 7
DETAIL_RED = "#d7191c"


def circle_layer(lon: float, lat: float, radius: float) -> QgsVectorLayer:
    """The searched circle (a polygon in EPSG:4326, computed on the sphere) and its centre."""
    from mapillary_retriever.api import geo

    ring = []
    for k in range(181):
        a = math.radians(k * 2.0)
        d = radius / geo.EARTH_RADIUS
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(a))
        l2 = l1 + math.atan2(math.sin(a) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
        ring.append(QgsPointXY(math.degrees(l2), math.degrees(p2)))
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", f"Search area: {radius:g} m around the point", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromPolygonXY([ring]))
    layer.dataProvider().addFeatures([f])
    layer.updateExtents()
    sym = QgsFillSymbol.createSimple({"color": "255,255,255,0", "outline_color": "#444444", "outline_width": "0.5",
                                      "outline_style": "dash"})
    layer.setRenderer(QgsSingleSymbolRenderer(sym))
    return layer


def centre_layer(lon: float, lat: float) -> QgsVectorLayer:
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "Search point", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
    layer.dataProvider().addFeatures([f])
    sym = QgsMarkerSymbol.createSimple({"name": "cross2", "color": "#d7191c", "outline_color": "#d7191c",
                                        "outline_width": "0.6", "size": "5"})
    layer.setRenderer(QgsSingleSymbolRenderer(sym))
    return layer


def detail_extent(images: QgsVectorLayer, lon: float, lat: float, to_merc: QgsCoordinateTransform,
                  half_m: float = DETAIL_HALF) -> QgsRectangle:
    """A small square (Web Mercator) where single images can be told apart: around the panorama
    nearest the search point that has a readable number of neighbours; else the nearest panorama."""
    from mapillary_retriever.api import geo

    points = [(f.geometry().asPoint(), bool(f["is_pano"])) for f in images.getFeatures()]
    cell = 0.0005  # degrees: a lookup grid for the neighbour counts
    grid: dict[tuple[int, int], list[QgsPointXY]] = {}
    for p, _ in points:
        grid.setdefault((int(p.x() / cell), int(p.y() / cell)), []).append(p)

    def neighbours(p: QgsPointXY) -> int:
        gx, gy = int(p.x() / cell), int(p.y() / cell)
        return sum(1 for dx in (-1, 0, 1) for dy in (-1, 0, 1) for q in grid.get((gx + dx, gy + dy), ())
                   if abs(q.x() - p.x()) * 111_320 * math.cos(math.radians(lat)) <= half_m
                   and abs(q.y() - p.y()) * 110_574 <= half_m)

    panoramas = sorted((geo.haversine(lon, lat, p.x(), p.y()), p.x(), p.y()) for p, pano in points if pano)
    readable = [(x, y) for _, x, y in panoramas[:400] if 12 <= neighbours(QgsPointXY(x, y)) <= 45]
    chosen = readable[0] if readable else (panoramas[0][1:] if panoramas else (lon, lat))
    c = to_merc.transform(QgsPointXY(*chosen))
    half = half_m / math.cos(math.radians(lat))  # Web Mercator metres are stretched by 1/cos(lat)
    return QgsRectangle(c.x() - half, c.y() - half, c.x() + half, c.y() + half)


def frame_layer(box: QgsRectangle) -> QgsVectorLayer:
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857", "Detail", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromRect(box))
    layer.dataProvider().addFeatures([f])
    sym = QgsFillSymbol.createSimple({"color": "255,255,255,0", "outline_color": DETAIL_RED, "outline_width": "0.6"})
    layer.setRenderer(QgsSingleSymbolRenderer(sym))
    return layer


def label(layout: QgsPrintLayout, text: str, x: float, y: float, w: float, h: float, size: float,
          bold: bool = False, color: str = "#222222") -> QgsLayoutItemLabel:
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    fmt = QgsTextFormat()
    font = QFont("DejaVu Sans")
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setColor(QColor(color))
    item.setTextFormat(fmt)
    item.setVAlign(Qt.AlignmentFlag.AlignTop)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    return item


def render(gpkg: str, png: str, lon: float, lat: float, radius: float, dpi: int, subtitle: str) -> None:
    project = QgsProject.instance()
    project.setCrs(WEB_MERCATOR)
    images = QgsVectorLayer(f"{gpkg}|layername=images", layers.IMAGES_NAME, "ogr")
    sequences = QgsVectorLayer(f"{gpkg}|layername=sequences", layers.SEQUENCES_NAME, "ogr")
    for layer, kind in ((images, "images"), (sequences, "sequences")):
        if not layer.isValid():
            raise SystemExit(f"render_demo: no layer {kind!r} in {gpkg}")
        layers.decorate(layer, kind)
    area = circle_layer(lon, lat, radius)
    centre = centre_layer(lon, lat)
    # drawn bottom to top: area, sequences, images, centre
    for layer in (centre, images, sequences, area):
        project.addMapLayer(layer)

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(PAGE_W, PAGE_H, QgsUnitTypes.LayoutUnit.LayoutMillimeters))

    # the map: the circle with a margin, in Web Mercator (undistorted at this scale)
    to_merc = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), WEB_MERCATOR, project)
    box = to_merc.transformBoundingBox(area.extent())
    cx, cy = box.center().x(), box.center().y()
    half = max(box.width(), box.height()) / 2 * 1.08
    aspect = MAP_W / MAP_H
    extent = QgsRectangle(cx - half * aspect, cy - half, cx + half * aspect, cy + half)
    m = QgsLayoutItemMap(layout)
    m.setCrs(WEB_MERCATOR)
    m.setLayers([centre, images, sequences, area])
    m.setBackgroundColor(BACKGROUND)
    m.setFrameEnabled(True)
    m.setFrameStrokeColor(QColor("#999999"))
    layout.addLayoutItem(m)
    m.attemptMove(QgsLayoutPoint(MAP_X, MAP_Y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    m.attemptResize(QgsLayoutSize(MAP_W, MAP_H, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    m.setExtent(extent)

    # a detail map: where arrows and panoramas can be told apart
    detail_box = detail_extent(images, lon, lat, to_merc)
    frame = frame_layer(detail_box)
    project.addMapLayer(frame)
    m.setLayers([frame, centre, images, sequences, area])
    d = QgsLayoutItemMap(layout)
    d.setCrs(WEB_MERCATOR)
    d.setLayers([images, sequences])
    d.setBackgroundColor(BACKGROUND)
    d.setFrameEnabled(True)
    d.setFrameStrokeColor(QColor(DETAIL_RED))
    d.setFrameStrokeWidth(QgsLayoutMeasurement(0.6))
    layout.addLayoutItem(d)
    d.attemptMove(QgsLayoutPoint(DETAIL_X, DETAIL_Y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    d.attemptResize(QgsLayoutSize(DETAIL_W, DETAIL_W, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    d.setExtent(detail_box)
    label(layout, f"Detail: {detail_box.width() * math.cos(math.radians(lat)):.0f} m across (red square on the map)",
          DETAIL_X, DETAIL_Y + DETAIL_W + 1.5, DETAIL_W, 6, 8, color="#444444")

    label(layout, "Mapillary images and sequences", MAP_X, 7, PAGE_W - 16, 10, 17, bold=True)
    label(layout, subtitle, MAP_X, 18, PAGE_W - 16, 10, 9.5, color="#444444")

    side_x = MAP_X + MAP_W + 6
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Legend")
    legend.setLinkedMap(m)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in (images, sequences, area, centre):
        root.addChildNode(QgsLayerTreeLayer(layer))
    legend.setWrapString("|")
    for style in (QgsLegendStyle.Style.Title, QgsLegendStyle.Style.Subgroup, QgsLegendStyle.Style.SymbolLabel):
        fmt = QgsTextFormat()
        fmt.setFont(QFont("DejaVu Sans"))
        fmt.setSize(11 if style == QgsLegendStyle.Style.Title else 8.5)
        legend.rstyle(style).setTextFormat(fmt)
    legend.setSymbolWidth(6)
    legend.setSymbolHeight(5)
    legend.setBackgroundEnabled(False)
    legend.setLegendFilterByMapEnabled(True)  # only what the map shows at its scale (the styles are scale-based)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(side_x, MAP_Y, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    legend.adjustBoxSize()

    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(m)
    bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceMeters)
    bar.setUnitLabel("m")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setUnitsPerSegment(100 if radius <= 400 else 250)
    bar.setHeight(2.5)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MAP_X + 4, MAP_Y + MAP_H - 13, QgsUnitTypes.LayoutUnit.LayoutMillimeters))
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 200))

    notes = ("Styled as the plugin styles its layers. Sequence lines join each sequence's images in "
             "capture order.\n\n"
             "Retrieved headless with qgis_process:\nmapillary:searchimages and\nmapillary:searchsequences, "
             "into one GeoPackage.\n\n"
             "Data: the local sandbox's generated world (a stand-in for Mapillary v4).\n" + ATTRIBUTION)
    legend_h = LEGEND_H  # the legend sizes itself when drawn; its entries take about this much
    label(layout, notes, side_x, MAP_Y + legend_h + 4, PAGE_W - side_x - 6, DETAIL_Y - MAP_Y - legend_h - 8, 7.5,
          color="#444444")
    page.setPageStyleSymbol(QgsFillSymbol.createSimple({"color": "white", "outline_style": "no"}))

    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = dpi
    result = exporter.exportToImage(png, settings)
    if result != QgsLayoutExporter.ExportResult.Success:
        raise SystemExit(f"render_demo: could not write {png} ({exporter.errorMessage()})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gpkg", required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--center", required=True, metavar="LON,LAT")
    p.add_argument("--radius", type=float, required=True, metavar="M")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--subtitle", default="")
    args = p.parse_args(argv)
    lon, lat = (float(v) for v in args.center.split(","))
    app = QgsApplication([], True)  # layouts need a GUI application (offscreen is fine)
    app.initQgis()
    try:
        render(args.gpkg, args.png, lon, lat, args.radius, args.dpi, args.subtitle)
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
