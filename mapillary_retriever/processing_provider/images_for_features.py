"""mapillary:imagesforfeatures: the best Mapillary images of every feature of a layer.

The matching is the engine's (``api.nearby``); this only turns QGIS features into WGS84
shapes and writes the matches to the sink."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

from .. import layers, network
from ..api import QueryError
from ..api.nearby import Feature, images_for_features
from ..api.query import DEFAULT_MAX_TILES, EXTRA_FIELDS
from .base import WGS84, MapillaryAlgorithm, ProgressRelay, finish_sink

EXTRA_COLUMNS = [("feature_id", "int"), ("rank", "int"), ("distance_m", "real"), ("bearing", "real")]


def shape_of(fid: int, geom: QgsGeometry) -> Feature | None:
    """A QGIS geometry (already in WGS84) as the engine's plain feature; None when unusable."""
    g = QgsGeometry(geom)
    if g.isNull() or g.isEmpty():
        return None
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())
    kind = {Qgis.GeometryType.Point: "point", Qgis.GeometryType.Line: "line",
            Qgis.GeometryType.Polygon: "polygon"}.get(g.type())
    if kind is None:
        return None
    g.convertToMultiType()
    if kind == "point":
        parts = [[(p.x(), p.y())] for p in g.asMultiPoint()]
    elif kind == "line":
        parts = [[(p.x(), p.y()) for p in line] for line in g.asMultiPolyline()]
    else:
        parts = [[(p.x(), p.y()) for p in ring] for poly in g.asMultiPolygon() for ring in poly]
    c = geom.centroid()
    centroid = (c.asPoint().x(), c.asPoint().y()) if not c.isNull() and not c.isEmpty() else None
    return Feature(fid, kind, parts, centroid)


class ImagesForFeatures(MapillaryAlgorithm):
    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    DISTANCE = "DISTANCE"
    NEAREST = "NEAREST"
    LOOKING_AT = "LOOKING_AT"
    NEWER_THAN = "NEWER_THAN"
    MATCHED = "MATCHED"

    def name(self) -> str:
        return "imagesforfeatures"

    def displayName(self) -> str:
        return self.tr("Images for features")

    def shortDescription(self) -> str:
        return self.tr("For every feature, the nearest Mapillary images, optionally only those looking at it.")

    def shortHelpString(self) -> str:
        return self.help_text(
            self.tr("For every feature of the input layer (points, lines or polygons, in any CRS), finds the "
                    "nearest Mapillary images within a distance, optionally only those looking at the feature and "
                    "captured after a date, and writes them as points (EPSG:4326): the image's fields plus "
                    "feature_id (the input feature's id), rank (1 = nearest), distance_m (metres from the image to "
                    "the nearest point of the feature; 0 when the image is on or inside it) and bearing (degrees "
                    "from north, from the image to that nearest point; to the centroid when the image is on the "
                    "feature). An image near several features appears once per feature. Features close together "
                    "are searched together, so each vector tile is fetched about once."),
            [
                (self.INPUT, self.tr("the features that need images (a selection is honoured).")),
                (self.ID_FIELD, self.tr("optional: a field copied to the output, to join the images back to your "
                                        "features by your own key (e.g. an asset number).")),
                (self.DISTANCE, self.tr("metres from the feature (default 50).")),
                (self.NEAREST, self.tr("the nearest N images of each feature (default 3).")),
                (self.LOOKING_AT, self.tr(
                    "keep an image only when the bearing from it to the feature's nearest point is within the "
                    "tolerance of its compass angle; panoramas and images on the feature always count, images "
                    "without a compass angle never do.")),
                (self.TOLERANCE, self.tr("degrees either side of the camera's direction (default 50, as in "
                                         "Mapillary's SDK).")),
                (self.NEWER_THAN, self.tr("only images captured then or later (a time without zone is UTC).")),
                (self.PANO, self.tr("any (default), only panoramas, or exclude panoramas.")),
                (self.FIELDS, self.tr("fetched from the Graph API for the chosen images only: ")
                 + ", ".join(EXTRA_FIELDS) + "."),
                self.auth_help(),
                (self.MAX_TILES, self.tr("a guard against huge polygons; default 400 tiles (about 40 × 40 km).")),
                (self.OUTPUT, self.tr("points in any vector format, or a temporary layer.")),
                self.retries_help(),
            ])

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Features"), [Qgis.ProcessingSourceType.VectorAnyGeometry]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, self.tr("Feature id field to copy to the images"), None, self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.DISTANCE, self.tr("Search distance (metres)"), Qgis.ProcessingNumberParameterType.Double,
            50.0, False, 0.1, 5000.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.NEAREST, self.tr("Images per feature (nearest first)"), Qgis.ProcessingNumberParameterType.Integer,
            3, False, 1, 10_000))
        self.addParameter(QgsProcessingParameterBoolean(
            self.LOOKING_AT, self.tr("Only images looking at the feature"), False))
        self.add_tolerance_parameter()
        self.addParameter(QgsProcessingParameterDateTime(
            self.NEWER_THAN, self.tr("Captured at or after (UTC)"), optional=True))
        self.add_pano_parameter()
        self.add_fields_parameter()
        self.add_auth_parameter()
        max_tiles = QgsProcessingParameterNumber(
            self.MAX_TILES, self.tr("Skip features needing more z14 tiles than"),
            Qgis.ProcessingNumberParameterType.Integer, DEFAULT_MAX_TILES, False, 1)
        max_tiles.setFlags(max_tiles.flags() | Qgis.ProcessingParameterFlag.Advanced)
        self.addParameter(max_tiles)
        self.add_retries_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Images for features"), Qgis.ProcessingSourceType.VectorPoint))
        self.add_common_outputs()
        self.addOutput(QgsProcessingOutputNumber(self.MATCHED, self.tr("Features with at least one image")))

    def processAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict[str, Any]:
        self.require_token()
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        nearest = self.parameterAsInt(parameters, self.NEAREST, context)
        looking = self.parameterAsBoolean(parameters, self.LOOKING_AT, context)
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        newer = self.date_of(parameters, self.NEWER_THAN, context)
        pano = self.parameterAsEnumString(parameters, self.PANO, context) or "any"
        extra = self.fields_of(parameters, context)
        max_tiles = self.parameterAsInt(parameters, self.MAX_TILES, context) or DEFAULT_MAX_TILES
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        config = self.config_of(parameters, context)

        # the output's fields: the image's, then the feature's
        fields = layers.fields_for("images", extra)
        key_field = None
        if id_field:
            key_field = QgsField(source.fields().field(id_field))
            if fields.indexOf(key_field.name()) >= 0 or key_field.name() in dict(EXTRA_COLUMNS):
                key_field.setName("feature_" + key_field.name())
        for f in layers.qgs_fields(EXTRA_COLUMNS):
            fields.append(f)
        if key_field is not None:
            fields.append(key_field)

        shapes, keys = self._shapes(source, context, id_field, feedback)
        feedback.pushInfo(self.tr("{0} features to match.").format(len(shapes)))
        try:
            found = images_for_features(
                shapes, self._token, distance=distance, nearest=nearest, looking_at=looking, tolerance=tolerance,
                newer_than=newer, pano=pano, fields=extra, max_tiles=max_tiles, config=config,
                transport=network.transport, progress=ProgressRelay(feedback), cancelled=feedback.isCanceled)
        except QueryError as e:
            raise QgsProcessingException(e.message) from None
        for fid, why in found.skipped:
            feedback.pushWarning(self.tr("Feature {0} skipped: {1}.").format(fid, why))
        result = found.as_search_result()
        self.check_outcome(result)

        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.Point, WGS84)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        image_fields = layers.fields_for("images", extra)
        for m in found.matches:
            base = next(layers.features("images", [m.image], image_fields, extra))
            out = QgsFeature(fields)
            out.setGeometry(base.geometry())
            attrs = base.attributes() + [m.feature_id, m.rank, m.distance, m.bearing]
            if key_field is not None:
                attrs.append(keys.get(m.feature_id))
            out.setAttributes(attrs)
            if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                raise QgsProcessingException(self.writeFeatureError(sink, parameters, self.OUTPUT))
        finish_sink(sink)
        del sink  # QGIS < 3.42: the file is complete once the sink is deleted
        feedback.setProgress(100.0)

        complete = self.report_outcome(result, feedback)
        feedback.pushInfo(self.tr("{0} images written for {1} of {2} features.").format(
            len(found.matches), found.matched, found.features))
        self.style_on_load(context, dest_id, "images", None, found.report)
        return {self.OUTPUT: dest_id, self.COUNT: len(found.matches), self.MATCHED: found.matched,
                self.COMPLETE: complete, self.SUMMARY: found.report.summary()}

    def _shapes(self, source, context: QgsProcessingContext, id_field: str,
                feedback: QgsProcessingFeedback) -> tuple[list[Feature], dict[int, Any]]:
        """The features in WGS84, as the engine's plain shapes, and their ID_FIELD values by feature id."""
        to_wgs = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        key_index = source.fields().lookupField(id_field) if id_field else -1
        shapes, keys = [], {}
        for feature in source.getFeatures():
            if feedback.isCanceled():
                break
            geom = QgsGeometry(feature.geometry())
            if geom.isNull() or geom.isEmpty():
                feedback.pushWarning(self.tr("Feature {0} has no geometry: skipped.").format(feature.id()))
                continue
            try:
                geom.transform(to_wgs)
            except QgsCsException:
                feedback.pushWarning(self.tr("Feature {0} could not be transformed to WGS84: skipped.")
                                     .format(feature.id()))
                continue
            shape = shape_of(feature.id(), geom)
            if shape is None:
                feedback.pushWarning(self.tr("Feature {0} has no usable geometry: skipped.").format(feature.id()))
                continue
            shapes.append(shape)
            if key_index >= 0:
                keys[feature.id()] = feature.attribute(key_index)
        return shapes, keys
