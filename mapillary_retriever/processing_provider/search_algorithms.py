"""mapillary:searchimages and mapillary:searchsequences."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsFeatureSink,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterFeatureSink,
)

from .. import layers
from ..api.schema import LAYERS
from .base import WGS84, MapillaryAlgorithm, finish_sink, translate


class _SearchAlgorithm(MapillaryAlgorithm):
    KIND = "images"  # or "sequences"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_search_parameters()
        spec = LAYERS[self.KIND]
        source_type = {"Point": Qgis.ProcessingSourceType.VectorPoint,
                       "MultiLineString": Qgis.ProcessingSourceType.VectorLine}[spec.geometry]
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, translate("schema", spec.title),
                                                            source_type))
        self.add_common_outputs()

    def processAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict[str, Any]:
        self.require_token()
        query = self.query_of(parameters, context)
        strategy = self.parameterAsEnumString(parameters, self.STRATEGY, context) or "tiles"
        feedback.pushInfo(self.tr("Searching {0}.").format(query.describe()))
        result = self.run_search(query, feedback, sequences=self.KIND == "sequences", strategy=strategy,
                                 config=self.config_of(parameters, context))
        self.check_outcome(result)
        records = getattr(result, self.KIND)
        fields = layers.fields_for(self.KIND, query.fields)
        features = layers.features(self.KIND, records, fields, query.fields)
        count = len(records)
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, layers.wkb_type(self.KIND),
                                             WGS84)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for feature in features:
            if not sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert):
                raise QgsProcessingException(self.writeFeatureError(sink, parameters, self.OUTPUT))
        finish_sink(sink)
        del sink  # QGIS < 3.42: the file is complete once the sink is deleted
        complete = self.report_outcome(result, feedback)
        feedback.pushInfo(self.tr("{0} features written (from {1} images).").format(count, len(result.images)))
        self.style_on_load(context, dest_id, self.KIND, query, result.report)
        return {self.OUTPUT: dest_id, self.COUNT: count, self.COMPLETE: complete,
                self.SUMMARY: result.report.summary()}


class SearchImages(_SearchAlgorithm):
    KIND = "images"

    def name(self) -> str:
        return "searchimages"

    def displayName(self) -> str:
        return self.tr("Search images")

    def shortDescription(self) -> str:
        return self.tr("Every Mapillary image of an extent or around a point, as points.")

    def shortHelpString(self) -> str:
        return self.help_text(
            self.tr("Lists every Mapillary image of an extent, or within a radius of a point, and writes them as "
                    "points (EPSG:4326) with id, sequence_id, captured_at, compass_angle, is_pano, creator_id, "
                    "organization_id and any extra fields. Filters: look-at point, capture dates, users, "
                    "panoramas, organization, a maximum count."),
            self.search_parameter_help() + [
                (self.OUTPUT, self.tr("any vector format (GeoPackage, GeoJSON, Shapefile, FlatGeobuf…) or a "
                                      "temporary layer.")),
            ])


class SearchSequences(_SearchAlgorithm):
    KIND = "sequences"

    def name(self) -> str:
        return "searchsequences"

    def displayName(self) -> str:
        return self.tr("Search sequences")

    def shortDescription(self) -> str:
        return self.tr("The Mapillary sequences of an extent or around a point, as lines in capture order.")

    def shortHelpString(self) -> str:
        return self.help_text(
            self.tr("Lists the Mapillary images the same way as Search images and joins those of each sequence "
                    "into one line, vertices in capture order. Each line has the sequence id, image_count, "
                    "image_ids and compass_angles (JSON lists parallel to the vertices, as the v3 API gave "
                    "them), the first and last capture time, is_pano, creator_id, organization_id (and username "
                    "when asked as an extra field). Maximum number of images limits the images the lines are built "
                    "from. A sequence is clipped to the searched area and the filters: "
                    "its line runs through its matching images only; a sequence with a single matching image has "
                    "no line."),
            self.search_parameter_help() + [
                (self.OUTPUT, self.tr("any vector format (GeoPackage, GeoJSON, FlatGeobuf…) or a temporary layer. "
                                      "A Shapefile cuts the image_ids and compass_angles lists at 254 characters.")),
            ])
