"""Records -> QGIS: fields, features, memory layers, styles, temporal settings, metadata.

Shared by the search task, the Processing algorithms and the demo renderer, so
every output has the same typed fields and looks the same.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from qgis.core import (
    Qgis,
    QgsAction,
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
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt, QVariant
from qgis.PyQt.QtGui import QColor

from .api.output import ATTRIBUTION
from .api.records import Images
from .api.schema import LAYERS
from .dialogs.common import tr

MAPILLARY_GREEN = "#05CB63"
PANO_BLUE = "#1E7BE5"
IMAGES_NAME = LAYERS["images"].title
SEQUENCES_NAME = LAYERS["sequences"].title
BATCH = 2_000  # features per addFeatures call: each holds Python's GIL, so a worker building a layer
# in small batches lets the main thread run between them
MAPILLARY_URL = "https://www.mapillary.com/app/?pKey=[% \"id\" %]"

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


def fields_for(kind: str, extra=()) -> QgsFields:
    """The typed QGIS fields of a layer kind ("images", "sequences") with these extra fields."""
    return qgs_fields(LAYERS[kind].columns(extra))


def wkb_type(kind: str) -> Qgis.WkbType:
    return getattr(Qgis.WkbType, LAYERS[kind].geometry)


def _qvalue(v, typ):
    if v is None:
        return None
    if typ == "datetime":
        return QDateTime.fromMSecsSinceEpoch(int(v), Qt.TimeSpec.UTC)
    if typ == "json":
        return json.dumps(v)
    return v


def _geometry(spec, record) -> QgsGeometry:
    coords = spec.coordinates(record)
    if spec.geometry == "Point":
        return QgsGeometry.fromPointXY(QgsPointXY(*coords))
    return QgsGeometry.fromMultiPolylineXY([[QgsPointXY(x, y) for x, y in line] for line in coords])


def features(kind: str, records, fields: QgsFields, extra=()):
    """QgsFeatures (EPSG:4326) of image or sequence records, lazily, in the schema's column order
    (a sequence is a multiline: it breaks where it leaves the search)."""
    spec = LAYERS[kind]
    cols = spec.columns(extra)
    if isinstance(records, Images):
        yield from _image_features(records, cols, fields)
        return
    for rec in records:
        f = QgsFeature(fields)
        f.setGeometry(_geometry(spec, rec))
        f.setAttributes([_qvalue(v, t) for (_, t), v in zip(cols, spec.row(rec, cols))])
        yield f


def _image_features(images: Images, cols, fields: QgsFields):
    """Point features from the columns, a batch at a time: each column converted at once."""
    for start in range(0, len(images), BATCH):
        part = images[start:start + BATCH]
        values = [[_qvalue(v, typ) for v in part.values(name)] if typ in ("datetime", "json") else part.values(name)
                  for name, typ in cols]
        for x, y, *row in zip(part.lon.tolist(), part.lat.tolist(), *values):
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
            f.setAttributes(row)
            yield f


def layer_name(kind: str, count: int, complete: bool = True) -> str:
    """Short and distinct: "Mapillary images (1,234)", "Mapillary images (1,234, incomplete)"."""
    title = QCoreApplication.translate("schema", LAYERS[kind].title)
    if complete:
        return tr("{title} ({n})").format(title=title, n=f"{count:,}")
    return tr("{title} ({n}, incomplete)").format(title=title, n=f"{count:,}")


def memory_layer(kind: str, records, extra=(), name: str | None = None) -> QgsVectorLayer:
    """A styled memory layer of images ("images") or sequences ("sequences"). It may be built on a
    worker thread (then move it to the main thread before adding it to the project)."""
    spec = LAYERS[kind]
    layer = QgsVectorLayer(f"{spec.geometry}?crs=EPSG:4326", name or QCoreApplication.translate("schema", spec.title),
                           "memory")
    provider = layer.dataProvider()
    provider.addAttributes(fields_for(kind, extra).toList())
    layer.updateFields()
    batch = []
    for f in features(kind, records, layer.fields(), extra):
        batch.append(f)
        if len(batch) == BATCH:
            provider.addFeatures(batch)
            batch = []
    provider.addFeatures(batch)
    layer.updateExtents()
    decorate(layer, kind)
    return layer


def decorate(layer: QgsVectorLayer, kind: str, query=None, report=None) -> None:
    """Style, temporal properties, actions, map tips and metadata: everything a fresh layer should carry."""
    for step in _DECORATIONS[kind]:
        step(layer)
    set_metadata(layer, kind, query, report)


def add_actions(layer: QgsVectorLayer) -> None:
    """An "Open in Mapillary" action and a map tip (id, capture time, creator) on an image layer."""
    manager = layer.actions()
    if not any(a.name() == tr("Open in Mapillary") for a in manager.actions()):
        manager.addAction(QgsAction(Qgis.AttributeActionType.OpenUrl, tr("Open in Mapillary"), MAPILLARY_URL,
                                    "", False, tr("Mapillary"), {"Feature", "Canvas"}))
    creator = 'coalesce("username", "creator_id")' if layer.fields().indexOf("username") >= 0 else '"creator_id"'
    layer.setMapTipTemplate(
        "<b>[% \"id\" %]</b><br>"
        + tr("Captured") + ": [% format_date(\"captured_at\", 'yyyy-MM-dd HH:mm:ss') %] UTC<br>"
        + tr("Creator") + ": [% " + creator + " %]")
    layer.setDisplayExpression('"id"')


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


_WHAT = {"images": QT_TRANSLATE_NOOP("MapillaryRetriever", "Mapillary images (points)."),
         "sequences": QT_TRANSLATE_NOOP("MapillaryRetriever",
                                        "Mapillary sequences (lines, vertices in capture order).")}


def set_metadata(layer: QgsVectorLayer, kind: str, query=None, report=None) -> None:
    md = QgsLayerMetadata()
    md.setTitle(layer.name())
    abstract = tr(_WHAT[kind])
    if query is not None:
        abstract += "\n" + tr("Search:") + " " + query.describe()
        abstract += "\n" + tr("Query:") + " " + json.dumps(query.to_dict())
    if report is not None:
        abstract += "\n" + tr("Result:") + " " + (tr("complete") if report.complete else tr("INCOMPLETE")) + ". " \
            + report.summary()
    abstract += "\n" + tr("Retrieved:") + " " + datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    md.setAbstract(abstract)
    md.setRights([ATTRIBUTION])
    md.setLicenses(["CC BY-SA 4.0"])
    md.setKeywords({"mapillary": ["Mapillary", "street-level imagery"]})
    md.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    layer.setMetadata(md)


_DECORATIONS = {"images": (style_images, set_temporal, add_actions), "sequences": (style_sequences,)}
