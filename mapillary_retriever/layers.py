"""Records -> QGIS: fields, features, memory layers, styles, temporal settings, metadata.

Shared by the search task, the Processing algorithms and the demo renderer, so
every output has the same typed fields and looks the same.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from qgis.core import (
    Qgis,
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
    QgsRuleBasedRenderer,
    QgsSimpleLineSymbolLayer,
    QgsSimpleMarkerSymbolLayer,
    QgsSymbolLayer,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDateTime, Qt, QVariant
from qgis.PyQt.QtGui import QColor

from .api import output
from .api.output import ATTRIBUTION
from .dialogs.common import tr

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


# Scale bands (map scale denominators), as Mapillary's own coverage map draws them: zoomed out, the
# sequences are the map; in between, an image is a dot on its sequence; zoomed in, a cone shows where it looked.
IMAGES_FROM = 40_000  # images are drawn at 1:40,000 and closer
CONES_FROM = 8_000  # view cones at 1:8,000 and closer
CASING_FROM = 150_000  # sequences are cased lines at 1:150,000 and closer; beyond, thin coverage lines
SEQUENCE_DARK = "#027a3a"
PANO_DARK = "#0d4f9c"
MM = Qgis.RenderUnit.Millimeters


def _rule(symbol, label: str, filter_expression: str = "", zoomed_in_to: float = 0, zoomed_out_to: float = 0):
    """A rule drawn from 1:``zoomed_out_to`` (0: no limit) down to 1:``zoomed_in_to`` (0: no limit)."""
    return QgsRuleBasedRenderer.Rule(symbol, zoomed_in_to, zoomed_out_to, filter_expression, label)


IS_PANO = 'coalesce("is_pano", false)'
NOT_PANO = f"NOT {IS_PANO}"


def _dot(color: str, size: QgsProperty, rim: str = "#ffffff") -> QgsSimpleMarkerSymbolLayer:
    """A round dot with a rim that separates neighbours."""
    sl = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Circle, 1.0)
    sl.setColor(QColor(color))
    sl.setStrokeColor(QColor(rim))
    sl.setStrokeWidth(0.15 if rim == "#ffffff" else 0.1)
    sl.setSizeUnit(MM)
    sl.setStrokeWidthUnit(MM)
    sl.setDataDefinedProperty(QgsSymbolLayer.Property.Size, size)
    return sl


def image_renderer() -> QgsRuleBasedRenderer:
    """Images by scale: nothing when zoomed out (the sequences show the coverage), small dots from
    1:40,000, and from 1:8,000 a translucent cone towards each image's compass angle (panoramas:
    blue dots in a ring)."""
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(_rule(None, tr("Images (zoomed out: see sequences)"), zoomed_in_to=IMAGES_FROM))

    small = QgsProperty.fromExpression(f"scale_linear(@map_scale, {CONES_FROM}, {IMAGES_FROM}, 1.3, 0.6)")
    root.appendChild(_rule(_symbol(_dot(MAPILLARY_GREEN, small, SEQUENCE_DARK)), tr("Image"), NOT_PANO,
                           CONES_FROM, IMAGES_FROM))
    root.appendChild(_rule(_symbol(_dot(PANO_BLUE, small, PANO_DARK)), tr("Panorama (360°)"), IS_PANO,
                           CONES_FROM, IMAGES_FROM))

    dot_size = QgsProperty.fromExpression(f"scale_linear(@map_scale, 500, {CONES_FROM}, 1.8, 1.2)")
    cone_size = QgsProperty.fromExpression(
        f'if("compass_angle" is null, 0, scale_linear(@map_scale, 500, {CONES_FROM}, 7, 3))')
    # The view cone: QGIS's triangle points up around its centre; turned round (+180°) and pushed
    # forward by half its size, its apex sits on the image and it opens (53°) towards the view.
    cone = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Triangle, 6.0)
    cone.setColor(QColor(5, 203, 99, 90))
    cone.setStrokeColor(QColor(2, 122, 58, 170))
    cone.setStrokeWidth(0.1)
    cone.setSizeUnit(MM)
    cone.setOffsetUnit(MM)
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.Size, cone_size)
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.Angle,
                                QgsProperty.fromExpression('coalesce("compass_angle", 0) + 180'))
    cone.setDataDefinedProperty(QgsSymbolLayer.Property.Offset, QgsProperty.fromExpression(
        "'0,' || to_string(" + cone_size.expressionString() + " / 2)"))
    root.appendChild(_rule(_symbol(cone, _dot(MAPILLARY_GREEN, dot_size)), tr("Image (camera direction)"),
                           NOT_PANO, zoomed_out_to=CONES_FROM))

    ring_size = QgsProperty.fromExpression(f"scale_linear(@map_scale, 500, {CONES_FROM}, 5, 2.6)")
    ring = QgsSimpleMarkerSymbolLayer(Qgis.MarkerShape.Circle, 4.0)
    ring.setColor(QColor(30, 123, 229, 45))
    ring.setStrokeColor(QColor(30, 123, 229, 170))
    ring.setStrokeWidth(0.2)
    ring.setSizeUnit(MM)
    ring.setDataDefinedProperty(QgsSymbolLayer.Property.Size, ring_size)
    root.appendChild(_rule(_symbol(ring, _dot(PANO_BLUE, dot_size)), tr("Panorama (360°)"), IS_PANO,
                           zoomed_out_to=CONES_FROM))
    return QgsRuleBasedRenderer(root)


def style_images(layer: QgsVectorLayer) -> None:
    layer.setRenderer(image_renderer())
    layer.triggerRepaint()


def _symbol(*symbol_layers) -> QgsMarkerSymbol:
    """A marker symbol of these layers, bottom first (the symbol owns them)."""
    sym = QgsMarkerSymbol()
    sym.changeSymbolLayer(0, symbol_layers[0])
    for sl in symbol_layers[1:]:
        sym.appendSymbolLayer(sl)
    return sym


def _line(color: str, width: float | str, casing: str | None = None, casing_extra: float = 0.35) -> QgsLineSymbol:
    """A round-capped line (widths in millimetres; a string is an expression), over a darker casing if given."""
    def simple(c: str, extra: float) -> QgsSimpleLineSymbolLayer:
        sl = QgsSimpleLineSymbolLayer(QColor(c))
        sl.setWidthUnit(MM)
        sl.setPenCapStyle(Qt.PenCapStyle.RoundCap)
        sl.setPenJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if isinstance(width, str):
            sl.setWidth(1.0)
            sl.setDataDefinedProperty(QgsSymbolLayer.Property.StrokeWidth,
                                      QgsProperty.fromExpression(f"({width}) + {extra}"))
        else:
            sl.setWidth(width + extra)
        return sl

    sym = QgsLineSymbol()
    sym.changeSymbolLayer(0, simple(casing, casing_extra) if casing else simple(color, 0))
    if casing:
        sym.appendSymbolLayer(simple(color, 0))
    return sym


def sequence_renderer() -> QgsRuleBasedRenderer:
    """Sequences by scale: Mapillary-green lines with a darker casing (panorama sequences blue), that
    stay readable at every scale; far out (beyond 1:150,000), thin translucent lines whose density
    shows the coverage without filling it in."""
    width = f"scale_linear(@map_scale, 2000, {CASING_FROM}, 0.9, 0.35)"
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(_rule(_line(MAPILLARY_GREEN, width, SEQUENCE_DARK), tr("Sequence"), NOT_PANO,
                           zoomed_out_to=CASING_FROM))
    root.appendChild(_rule(_line(PANO_BLUE, width, PANO_DARK), tr("Panorama sequence"), IS_PANO,
                           zoomed_out_to=CASING_FROM))
    for color, label, which in ((MAPILLARY_GREEN, tr("Sequences (zoomed far out: coverage)"), NOT_PANO),
                                (PANO_BLUE, tr("Panorama sequences (zoomed far out)"), IS_PANO)):
        far = _line(color, 0.15)
        far.setOpacity(0.9)
        root.appendChild(_rule(far, label, which, zoomed_in_to=CASING_FROM))
    return QgsRuleBasedRenderer(root)


def style_sequences(layer: QgsVectorLayer) -> None:
    layer.setRenderer(sequence_renderer())
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
