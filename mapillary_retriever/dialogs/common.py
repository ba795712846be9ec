"""Small helpers shared by the plugin's widgets: translation, icons, WGS84 transforms, geometry."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSettings,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator
from qgis.PyQt.QtGui import QIcon

from ..api import geo

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
I18N = Path(__file__).resolve().parents[1] / "i18n"  # mapillary_retriever_<locale>.qm, built by `make translations`
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def tr(text: str) -> str:
    return QCoreApplication.translate("MapillaryRetriever", text)


_translator: QTranslator | None = None


def qgis_locale() -> str:
    """The language of QGIS's interface, e.g. "de_DE": the one QGIS translated itself into, else the one chosen
    in its options (Settings > Options > General, "Override system locale"), else the system's."""
    app = QCoreApplication.instance()
    code = ""
    if app is not None and app.inherits("QgsApplication"):  # Python may see QGIS's own as a QApplication
        code = sip.cast(app, QgsApplication).translation()
    if not code:
        settings = QgsSettings()
        if settings.value("locale/overrideFlag", False, type=bool):
            code = settings.value("locale/userLocale", "", type=str)
    return code or QLocale.system().name()


def install_translator(locale: str | None = None) -> QTranslator | None:
    """Translate the plugin into QGIS's language (or ``locale``): loads i18n/mapillary_retriever_<locale>.qm, or
    the one of the language alone (de_AT: de), and installs it on the application. Once; None if there is none."""
    global _translator
    if _translator is not None:
        return _translator
    code = locale or qgis_locale()
    for name in dict.fromkeys((code, code.split("_")[0])):
        path = I18N / f"mapillary_retriever_{name}.qm"
        translator = QTranslator()
        if name and path.is_file() and translator.load(str(path)):
            QCoreApplication.installTranslator(translator)
            _translator = translator
            return translator
    return None


def remove_translator() -> None:
    global _translator
    if _translator is not None:
        QCoreApplication.removeTranslator(_translator)
        _translator = None


def icon(name: str) -> QIcon:
    """An SVG icon of resources/icons by file stem."""
    return QIcon(str(ICONS / (name + ".svg")))


def transform(src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem) -> QgsCoordinateTransform:
    return QgsCoordinateTransform(src, dst, QgsProject.instance())


def point_to_wgs84(point: QgsPointXY, crs: QgsCoordinateReferenceSystem) -> QgsPointXY:
    if crs == WGS84:
        return QgsPointXY(point)
    return transform(crs, WGS84).transform(point)


def rect_to_wgs84(rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> QgsRectangle:
    """The WGS84 box that covers ``rect`` (edges densified, so curved edges are covered too)."""
    if crs == WGS84:
        return QgsRectangle(rect)
    return transform(crs, WGS84).transformBoundingBox(rect)


def geometry_from_wgs84(geom: QgsGeometry, crs: QgsCoordinateReferenceSystem) -> QgsGeometry:
    out = QgsGeometry(geom)
    if crs != WGS84:
        out.transform(transform(WGS84, crs))
    return out


def format_lonlat(lon: float, lat: float) -> str:
    return f"{lon:.6f}, {lat:.6f}"


def format_bbox(rect: QgsRectangle) -> str:
    return ", ".join(f"{v:.6f}" for v in (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()))


def circle_wgs84(lon: float, lat: float, radius: float, segments: int = 72) -> QgsGeometry:
    """A geodesic circle as a WGS84 polygon."""
    ring = [QgsPointXY(*geo.destination(lon, lat, 360.0 * i / segments, radius)) for i in range(segments)]
    ring.append(ring[0])
    return QgsGeometry.fromPolygonXY([ring])


def box_wgs84(xmin: float, ymin: float, xmax: float, ymax: float) -> QgsGeometry:
    """A WGS84 box polygon with densified edges, so it stays right once projected."""
    geom = QgsGeometry.fromRect(QgsRectangle(xmin, ymin, xmax, ymax))
    return geom.densifyByCount(16)


def compass_name(angle: float) -> str:
    names = [tr("N"), tr("NE"), tr("E"), tr("SE"), tr("S"), tr("SW"), tr("W"), tr("NW")]
    return names[int(((angle % 360.0) + 22.5) // 45.0) % 8]

KIND_PROPERTY = "mapillary_retriever/kind"  # "images" or "sequences" on the layers the plugin adds
QUERY_PROPERTY = "mapillary_retriever/query"  # the search (JSON) that made the layer


def image_layers(project: QgsProject | None = None) -> list:
    """The project's Mapillary image layers (added by this plugin)."""
    project = project or QgsProject.instance()
    return [lyr for lyr in project.mapLayers().values() if lyr.customProperty(KIND_PROPERTY) == "images"]
