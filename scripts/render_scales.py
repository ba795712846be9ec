"""Render the plugin's image and sequence styles at several map scales, to check that each is readable.

    python scripts/render_scales.py [--out out] [--scales 500000,35000,5000,500]

Starts the local sandbox (a Mapillary v4 stand-in) in this process, searches its whole world with the
engine, builds the layers as the plugin does (mapillary_retriever.layers.memory_layer) and renders them
with QgsMapRendererParallelJob on a light, basemap-less background, in Web Mercator (as over a web
basemap), one PNG per scale: out/scale_500000.png, ...
"""

from __future__ import annotations

import argparse
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
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

from sandbox import CENTER  # noqa: E402

BACKGROUND = QColor("#f3f1ec")
WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
SCALES = (500_000, 35_000, 5_000, 500)
# where the large scales look (lon, lat): streets with panorama sequences, away from the sandbox's
# stress-test core (a thousand images per hectare), which is rendered too: scale_500_dense.png
DETAIL = (6.1200, 49.6000)


def map_settings(layers: list[QgsMapLayer], lon: float, lat: float, scale: float, width: int = 1000,
                 height: int = 750, dpi: int = 96) -> QgsMapSettings:
    """Settings of a map of ``width`` x ``height`` pixels centred on (lon, lat) whose @map_scale is ``scale``."""
    ms = QgsMapSettings()
    ms.setLayers(layers)
    ms.setDestinationCrs(WEB_MERCATOR)
    ms.setOutputSize(QSize(width, height))
    ms.setOutputDpi(dpi)
    ms.setBackgroundColor(BACKGROUND)
    c = QgsCoordinateTransform(WGS84, WEB_MERCATOR, QgsProject.instance()).transform(QgsPointXY(lon, lat))
    half_w = scale * width / dpi * 0.0254 / 2  # metres of Web Mercator: what the canvas's scale counts
    for _ in range(3):  # the scale calculator's own idea of a metre: converge on it
        half_h = half_w * height / width
        ms.setExtent(QgsRectangle(c.x() - half_w, c.y() - half_h, c.x() + half_w, c.y() + half_h))
        half_w *= scale / ms.scale()
    context = QgsExpressionContext()
    context.appendScopes([QgsExpressionContextUtils.globalScope(), QgsExpressionContextUtils.mapSettingsScope(ms)])
    ms.setExpressionContext(context)  # what the map canvas provides: @map_scale for the sizes
    return ms


def render(ms: QgsMapSettings) -> QImage:
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def search_layers():
    """Images and sequences of the sandbox's whole world, as the plugin's styled memory layers."""
    from mapillary_retriever import layers
    from mapillary_retriever.api.query import Query
    from mapillary_retriever.api.search import search
    from sandbox import DEMO_TOKEN, serve

    with serve() as sb:
        os.environ["MAPILLARY_GRAPH_URL"] = os.environ["MAPILLARY_TILES_URL"] = sb.url
        lons = [i.lon for i in sb.world.images]
        lats = [i.lat for i in sb.world.images]
        box = (min(lons) - 0.001, min(lats) - 0.001, max(lons) + 0.001, max(lats) + 0.001)
        result = search(Query.build(bbox=box), DEMO_TOKEN)
    images = layers.memory_layer("images", result.images)
    sequences = layers.memory_layer("sequences", result.sequences)
    return images, sequences, result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "out"))
    p.add_argument("--scales", default=",".join(str(s) for s in SCALES))
    p.add_argument("--center", default=None, metavar="LON,LAT", help="of the two largest scales (default: a "
                   "street corner near the sandbox's centre)")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        images, sequences, result = search_layers()
        print(f"{len(result.images):,} images, {len(result.sequences):,} sequences")
        world = images.extent().center()
        detail = tuple(float(v) for v in args.center.split(",")) if args.center else DETAIL
        for scale in (int(float(s)) for s in args.scales.split(",")):
            lon, lat = (world.x(), world.y()) if scale >= 20_000 else detail
            ms = map_settings([images, sequences], lon, lat, scale)
            png = out / f"scale_{scale}.png"
            if not render(ms).save(str(png)):
                raise SystemExit(f"render_scales: could not write {png}")
            print(f"1:{ms.scale():,.0f} -> {png}")
        dense = out / "scale_500_dense.png"
        render(map_settings([images, sequences], CENTER[0], CENTER[1], 500)).save(str(dense))
        print(f"1:500 at the dense core -> {dense}")
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
