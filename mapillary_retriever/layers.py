"""Records -> QGIS: fields, features, memory layers, styles, temporal settings, metadata.

Shared by the search task, the Processing algorithms and the demo renderer, so
every output has the same typed fields and looks the same.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLayerMetadata,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPointXY,
    QgsProperty,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant

from .api import output
from .api.output import ATTRIBUTION

MAPILLARY_GREEN = "#05CB63"
PANO_BLUE = "#1E7BE5"
IMAGES_NAME = "Mapillary images"
SEQUENCES_NAME = "Mapillary sequences"

try:  # QGIS ≥ 3.38 (and Qt 6) type fields with QMetaType
    from qgis.PyQt.QtCore import QMetaType

    _NEW_TYPES = Qgis.versionInt() >= 33800
except ImportError:  # pragma: no cover
    _NEW_TYPES = False


def _qtype(typ: str):
    if _NEW_TYPES:
        t = QMetaType.Type
        return {"string": t.QString, "datetime": t.QDateTime, "real": t.Double, "bool": t.Bool,
                "int": t.LongLong, "json": t.QString}[typ]
    return {"string": QVariant.String, "datetime": QVariant.DateTime, "real": QVariant.Double,
            "bool": QVariant.Bool, "int": QVariant.LongLong, "json": QVariant.String}[typ]


def qgs_fields(columns) -> QgsFields:
    fields = QgsFields()
    for name, typ in columns:
        fields.append(QgsField(name, _qtype(typ)))
    return fields


def image_fields(extra=()) -> QgsFields:
    return qgs_fields(output.image_columns(extra))


def sequence_fields(extra=()) -> QgsFields:
    return qgs_fields(output.sequence_columns(extra))


def _qvalue(v, typ):
    if v is None:
        return None
    if typ == "datetime":
        return QDateTime.fromMSecsSinceEpoch(int(v), Qt.TimeSpec.UTC)
    if typ == "json":
        return json.dumps(v)
    return v


def image_features(images, fields: QgsFields, extra=()):
    """QgsFeatures (EPSG:4326 points) for image records, lazily."""
    cols = output.image_columns(extra)
    for img in images:
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(img.lon, img.lat)))
        f.setAttributes([_qvalue(v, t) for (_, t), v in zip(cols, output.image_row(img, cols))])
        yield f


def sequence_features(sequences, fields: QgsFields, extra=()):
    """QgsFeatures (EPSG:4326 lines) for sequence records, lazily."""
    cols = output.sequence_columns(extra)
    for seq in sequences:
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(x, y) for x, y in seq.coords]))
        f.setAttributes([_qvalue(v, t) for (_, t), v in zip(cols, output.sequence_row(seq, cols))])
        yield f


def memory_layer(kind: str, records, extra=(), name: str | None = None) -> QgsVectorLayer:
    """A styled memory layer of images ("images") or sequences ("sequences")."""
    geom = "Point" if kind == "images" else "LineString"
    layer = QgsVectorLayer(f"{geom}?crs=EPSG:4326", name or (IMAGES_NAME if kind == "images" else SEQUENCES_NAME),
                           "memory")
    fields = image_fields(extra) if kind == "images" else sequence_fields(extra)
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    feats = image_features(records, layer.fields(), extra) if kind == "images" else \
        sequence_features(records, layer.fields(), extra)
    batch = []
    for f in feats:
        batch.append(f)
        if len(batch) == 50_000:
            provider.addFeatures(batch)
            batch = []
    provider.addFeatures(batch)
    layer.updateExtents()
    decorate(layer, kind)
    return layer


def decorate(layer: QgsVectorLayer, kind: str, query=None, report=None) -> None:
    """Style, temporal properties and metadata: everything a fresh layer should carry."""
    if kind == "images":
        style_images(layer)
        set_temporal(layer)
    else:
        style_sequences(layer)
    set_metadata(layer, kind, query, report)


def style_images(layer: QgsVectorLayer) -> None:
    """Arrows rotated by compass angle; panoramas as circles. Smaller when zoomed out."""
    size = QgsProperty.fromExpression("scale_linear(@map_scale, 2000, 100000, 4.2, 1.6)")

    def symbol(shape: str, color: str, rotate: bool) -> QgsMarkerSymbol:
        sym = QgsMarkerSymbol.createSimple({"name": shape, "color": color, "outline_color": "#1b3a2a",
                                            "outline_width": "0.25", "size": "3"})
        sym.symbolLayer(0).setDataDefinedProperty(QgsSymbolLayer.Property.PropertySize, size)
        if rotate:
            sym.symbolLayer(0).setDataDefinedProperty(
                QgsSymbolLayer.Property.PropertyAngle, QgsProperty.fromExpression('coalesce("compass_angle", 0)'))
        return sym

    cats = [QgsRendererCategory(False, symbol("filled_arrowhead", MAPILLARY_GREEN, True), "Image (arrow: viewing direction)"),
            QgsRendererCategory(True, symbol("circle", PANO_BLUE, False), "Panorama (360°)")]
    layer.setRenderer(QgsCategorizedSymbolRenderer("is_pano", cats))
    layer.triggerRepaint()


def style_sequences(layer: QgsVectorLayer) -> None:
    sym = QgsLineSymbol.createSimple({"line_color": MAPILLARY_GREEN, "line_width": "0.6",
                                      "capstyle": "round", "joinstyle": "round"})
    sym.setOutputUnit(QgsUnitTypes.RenderUnit.RenderMillimeters)
    sym.setOpacity(0.85)
    layer.setRenderer(QgsSingleSymbolRenderer(sym))
    layer.triggerRepaint()


def set_temporal(layer: QgsVectorLayer) -> None:
    """Let the Temporal Controller animate the images by capture time."""
    tp = layer.temporalProperties()
    tp.setMode(QgsVectorLayerTemporalProperties.TemporalMode.ModeFeatureDateTimeInstantFromField)
    tp.setStartField("captured_at")
    tp.setIsActive(True)


def set_metadata(layer: QgsVectorLayer, kind: str, query=None, report=None) -> None:
    md = QgsLayerMetadata()
    md.setTitle(layer.name())
    what = "images (points)" if kind == "images" else "sequences (lines, vertices in capture order)"
    abstract = f"Mapillary {what}."
    if query is not None:
        abstract += "\nSearch: " + query.describe() + "\nQuery: " + json.dumps(query.to_dict())
    if report is not None:
        abstract += "\nResult: " + ("complete" if report.complete else "INCOMPLETE") + ". " + report.summary()
    abstract += "\nRetrieved: " + datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    md.setAbstract(abstract)
    md.setRights([ATTRIBUTION])
    md.setLicenses(["CC BY-SA 4.0"])
    md.setKeywords({"mapillary": ["Mapillary", "street-level imagery"]})
    md.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    layer.setMetadata(md)
