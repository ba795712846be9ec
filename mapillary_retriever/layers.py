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
    QgsSimpleMarkerSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant
from qgis.PyQt.QtGui import QColor

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
    """QgsFeatures (EPSG:4326 multilines: a sequence breaks where it leaves the search), lazily."""
    cols = output.sequence_columns(extra)
    for seq in sequences:
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromMultiPolylineXY([[QgsPointXY(x, y) for x, y in line] for line in seq.lines()]))
        f.setAttributes([_qvalue(v, t) for (_, t), v in zip(cols, output.sequence_row(seq, cols))])
        yield f


def memory_layer(kind: str, records, extra=(), name: str | None = None) -> QgsVectorLayer:
    """A styled memory layer of images ("images") or sequences ("sequences")."""
    geom = "Point" if kind == "images" else "MultiLineString"
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
    """A dot per image and, zoomed in, a translucent cone towards its compass angle; panoramas
    are blue dots with a ring. Sizes follow the map scale so dense streets stay readable."""
    dot_size = QgsProperty.fromExpression("scale_linear(@map_scale, 500, 25000, 2.2, 1.1)")
    # the cone shrinks away beyond 1:3000, where cones of neighbouring images would only make a blur
    cone_size = QgsProperty.fromExpression(
        'if("compass_angle" is null, 0, scale_linear(@map_scale, 400, 3000, 7, 0))')
    ring_size = QgsProperty.fromExpression("scale_linear(@map_scale, 400, 3000, 5, 0)")

    def dot(color: str) -> QgsSimpleMarkerSymbolLayer:
        sl = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Circle, 2.0)
        sl.setColor(QColor(color))
        sl.setStrokeColor(QColor("#ffffff"))
        sl.setStrokeWidth(0.2)
        sl.setDataDefinedProperty(QgsSymbolLayer.Property.PropertySize, dot_size)
        # a white rim separates neighbours when zoomed in; zoomed out it would only wash the colour out
        rgb = QColor(color)
        sl.setDataDefinedProperty(QgsSymbolLayer.Property.PropertyStrokeColor, QgsProperty.fromExpression(
            f"if(@map_scale > 6000, '{rgb.red()},{rgb.green()},{rgb.blue()},255', '255,255,255,255')"))
        return sl

    # The view cone: QGIS's triangle points up around its centre; turned round (+180°) and pushed
    # forward by half its size, its apex sits on the image and it opens (53°) towards the view.
    cone = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Triangle, 6.0)
    cone.setColor(QColor(5, 203, 99, 110))
    cone.setStrokeColor(QColor(5, 140, 70, 150))
    cone.setStrokeWidth(0.1)
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.PropertySize, cone_size)
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.PropertyAngle,
                                QgsProperty.fromExpression('coalesce("compass_angle", 0) + 180'))
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.PropertyOffset, QgsProperty.fromExpression(
        "'0,' || to_string(" + cone_size.expressionString() + " / 2)"))
    image = _symbol(cone, dot(MAPILLARY_GREEN))

    ring = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Circle, 4.0)
    ring.setColor(QColor(30, 123, 229, 45))
    ring.setStrokeColor(QColor(30, 123, 229, 160))
    ring.setStrokeWidth(0.2)
    ring.setDataDefinedProperty(QgsSymbolLayer.Property.PropertySize, ring_size)
    pano = _symbol(ring, dot(PANO_BLUE))

    cats = [QgsRendererCategory(False, image, "Image (cone: viewing direction)"),
            QgsRendererCategory(True, pano, "Panorama (360°)")]
    layer.setRenderer(QgsCategorizedSymbolRenderer("is_pano", cats))
    layer.triggerRepaint()


def _symbol(*symbol_layers) -> QgsMarkerSymbol:
    """A marker symbol of these layers, bottom first (the symbol owns them)."""
    sym = QgsMarkerSymbol()
    sym.changeSymbolLayer(0, symbol_layers[0])
    for sl in symbol_layers[1:]:
        sym.appendSymbolLayer(sl)
    return sym


def style_sequences(layer: QgsVectorLayer) -> None:
    """Lines under the images, thinner when zoomed out."""
    sym = QgsLineSymbol.createSimple({"line_color": "#7ee0a8", "line_width": "0.8",
                                      "capstyle": "round", "joinstyle": "round"})
    sym.setOutputUnit(QgsUnitTypes.RenderUnit.RenderMillimeters)
    sym.symbolLayer(0).setDataDefinedProperty(
        QgsSymbolLayer.Property.PropertyStrokeWidth,
        QgsProperty.fromExpression("scale_linear(@map_scale, 1000, 50000, 1.2, 0.4)"))
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
