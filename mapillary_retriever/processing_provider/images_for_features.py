"""mapillary:imagesforfeatures: the best Mapillary images of every feature of a layer."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsGeometry,
    QgsPointXY,
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
)
from qgis.PyQt.QtGui import QTransform

from .. import layers
from ..api import AuthError, Image, MapillaryError, Query, QueryError, Report, geo
from ..api.query import DEFAULT_MAX_TILES, EXTRA_FIELDS
from ..api.search import enrich
from .base import WGS84, MapillaryAlgorithm, finish_sink

CHUNK_TILES = 16  # distinct z14 tiles fetched per search
CHUNK_SPAN = 64  # tiles the box around one search's features may cover
GRID = 0.002  # degrees: the cell size of the image lookup grid
ON_FEATURE = 0.01  # metres: closer than this, an image is on (or inside) the feature


@dataclass
class _Target:
    """One input feature, in WGS84, with what the matching needs."""

    fid: int
    key: Any  # the ID_FIELD value, when asked
    geom: QgsGeometry
    point: tuple[float, float] | None  # set for a single point
    centroid: tuple[float, float]
    bbox: geo.BBox  # the feature's box grown by the search distance
    tiles: list[str]
    local: QgsGeometry | None = None  # in metres east/north of the centroid (not for points)
    kx: float = 1.0
    ky: float = 1.0

    def measure(self, img: Image) -> tuple[float, float | None]:
        """Metres from the image to the feature's nearest point, and the bearing from the image to it
        (to the centroid when the image is on the feature; None when that is where the image is)."""
        if self.point is not None:
            lon, lat = self.point
        else:
            x = (img.lon - self.centroid[0]) * self.kx
            y = (img.lat - self.centroid[1]) * self.ky
            near = self.local.nearestPoint(QgsGeometry.fromPointXY(QgsPointXY(x, y))).asPoint()
            lon, lat = self.centroid[0] + near.x() / self.kx, self.centroid[1] + near.y() / self.ky
        d = geo.haversine(img.lon, img.lat, lon, lat)
        if d < ON_FEATURE:
            d = 0.0
            lon, lat = self.centroid
            if geo.haversine(img.lon, img.lat, lon, lat) < ON_FEATURE:
                return d, None
        return d, geo.bearing(img.lon, img.lat, lon, lat)


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
        try:  # validate the filters once, with the engine's messages
            Query.build(closeto=(0.0, 0.0), start_time=newer, pano=pano, fields=extra)
        except QueryError as e:
            raise QgsProcessingException(e.message) from None

        # the output's fields: the image's, then the feature's
        fields = layers.image_fields(extra)
        image_field_count = fields.count()
        key_field = None
        if id_field:
            src_field = source.fields().field(id_field)
            key_field = QgsField(src_field)
            if fields.indexOf(key_field.name()) >= 0 or key_field.name() in ("feature_id", "rank", "distance_m",
                                                                             "bearing"):
                key_field.setName("feature_" + key_field.name())
        for f in layers.qgs_fields([("feature_id", "int"), ("rank", "int"), ("distance_m", "real"),
                                    ("bearing", "real")]):
            fields.append(f)
        if key_field is not None:
            fields.append(key_field)

        targets, skipped = self._targets(source, context, distance, id_field, max_tiles, feedback)
        total = len(targets)
        feedback.pushInfo(self.tr("{0} features to match.").format(total))
        report = Report(strategy="tiles")
        rows: list[tuple[_Target, int, Image, float, float | None]] = []
        done = 0
        for chunk in self._chunks(targets):
            if feedback.isCanceled():
                report.cancelled = True
                break
            union = (min(t.bbox[0] for t in chunk), min(t.bbox[1] for t in chunk),
                     max(t.bbox[2] for t in chunk), max(t.bbox[3] for t in chunk))
            tiles = sorted({k for t in chunk for k in t.tiles})
            try:
                query = Query.build(bbox=union, start_time=newer, pano=pano,
                                    max_tiles=max(DEFAULT_MAX_TILES, geo.count_tiles(union)))
            except QueryError as e:
                raise QgsProcessingException(e.message) from None
            feedback.setProgressText(self.tr("Features {0} to {1} of {2}…").format(done + 1, done + len(chunk), total))
            span = (90.0 * done / total, 90.0 * (done + len(chunk)) / total)
            result = self.run_search(query, feedback, sequences=False, config=config, only=tiles, span=span)
            _merge(report, result.report)
            grid = _grid(result.images)
            for t in chunk:
                found = []
                for img in _candidates(grid, t.bbox):
                    d, b = t.measure(img)
                    if d > distance:
                        continue
                    if looking and not img.is_pano and b is not None:
                        if img.compass_angle is None or geo.angle_diff(b, img.compass_angle) > tolerance:
                            continue
                    found.append((d, img.id, img, b))
                found.sort(key=lambda r: (r[0], r[1]))
                rows.extend((t, rank, img, d, b) for rank, (d, _, img, b) in enumerate(found[:nearest], 1))
                done += 1
                feedback.setProgress(90.0 * done / total)
            if result.report.cancelled:
                break

        if extra and rows and not feedback.isCanceled():
            feedback.setProgressText(self.tr("Fetching extra fields…"))
            unique = {img.id: img for _, _, img, _, _ in rows}
            try:
                fields_report = enrich(list(unique.values()), extra, self._token, config=config,
                                       cancelled=feedback.isCanceled)
            except AuthError as e:
                raise QgsProcessingException(e.message) from None
            except MapillaryError as e:  # cancelled while fetching: write without the extra fields
                feedback.pushWarning(e.message)
            else:
                report.failures.extend(fields_report.failures)
                report.requests += fields_report.requests
            for _, _, img, _, _ in rows:
                img.extra = unique[img.id].extra

        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.Point, WGS84)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        image_fields = layers.image_fields(extra)
        for t, rank, img, d, b in rows:
            base = next(layers.image_features([img], image_fields, extra))
            out = QgsFeature(fields)
            out.setGeometry(base.geometry())
            attrs = base.attributes()[:image_field_count] + [t.fid, rank, round(d, 3),
                                                             None if b is None else round(b, 2)]
            if key_field is not None:
                attrs.append(t.key)
            out.setAttributes(attrs)
            if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                raise QgsProcessingException(self.writeFeatureError(sink, parameters, self.OUTPUT))
        finish_sink(sink)
        del sink  # QGIS < 3.42: the file is complete once the sink is deleted
        feedback.setProgress(100.0)

        if skipped:
            report.skip("features without a usable geometry, or too large", skipped)
        self.report_outcome(report, feedback)
        matched = len({t.fid for t, *_ in rows})
        feedback.pushInfo(self.tr("{0} images written for {1} of {2} features.").format(len(rows), matched, total))
        self.style_on_load(context, dest_id, "images", None, report)
        return {self.OUTPUT: dest_id, self.COUNT: len(rows), self.MATCHED: matched,
                self.COMPLETE: report.complete, self.SUMMARY: report.summary()}

    # --- steps --------------------------------------------------------------
    def _targets(self, source, context: QgsProcessingContext, distance: float, id_field: str, max_tiles: int,
                 feedback: QgsProcessingFeedback) -> tuple[list[_Target], int]:
        """The features in WGS84 with their grown boxes and tiles; features that cannot be used are
        counted and named in the log."""
        to_wgs = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        key_index = source.fields().lookupField(id_field) if id_field else -1
        targets, skipped = [], 0
        for feature in source.getFeatures():
            if feedback.isCanceled():
                break
            geom = QgsGeometry(feature.geometry())
            if geom.isNull() or geom.isEmpty():
                skipped += 1
                continue
            try:
                geom.transform(to_wgs)
            except QgsCsException:
                skipped += 1
                feedback.pushWarning(self.tr("Feature {0} could not be transformed to WGS84: skipped.")
                                     .format(feature.id()))
                continue
            target = _target(feature.id(), feature.attribute(key_index) if key_index >= 0 else None, geom, distance)
            if len(target.tiles) > max_tiles:
                skipped += 1
                feedback.pushWarning(self.tr("Feature {0} needs {1} z14 tiles, more than {2}: skipped.")
                                     .format(feature.id(), len(target.tiles), max_tiles))
                continue
            targets.append(target)
        return targets, skipped

    @staticmethod
    def _chunks(targets: list[_Target]) -> list[list[_Target]]:
        """Features close together, so that one search (a few tiles) serves several features."""
        def key(t: _Target):
            _, x, y = (int(v) for v in t.tiles[0].split("/"))
            return y >> 3, x >> 3, y, x

        chunks: list[list[_Target]] = []
        current: list[_Target] = []
        tiles: set[str] = set()
        box = None
        for t in sorted(targets, key=key):
            grown = t.bbox if box is None else (min(box[0], t.bbox[0]), min(box[1], t.bbox[1]),
                                                max(box[2], t.bbox[2]), max(box[3], t.bbox[3]))
            if current and (len(tiles | set(t.tiles)) > CHUNK_TILES or geo.count_tiles(grown) > CHUNK_SPAN):
                chunks.append(current)
                current, tiles, grown = [], set(), t.bbox
            current.append(t)
            tiles |= set(t.tiles)
            box = grown
        if current:
            chunks.append(current)
        return chunks


def _target(fid: int, key: Any, geom: QgsGeometry, distance: float) -> _Target:
    c = geom.centroid().asPoint() if not geom.centroid().isEmpty() else geom.boundingBox().center()
    centroid = (c.x(), c.y())
    r = geom.boundingBox()
    bbox = geo.grow_bbox((r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum()), distance)
    tiles = ["/".join(map(str, t)) for t in geo.tiles_for_bbox(bbox)]
    point = None
    if geom.type() == Qgis.GeometryType.Point and not geom.isMultipart():
        p = geom.asPoint()
        point = (p.x(), p.y())
    t = _Target(fid, key, geom, point, centroid, bbox, tiles)
    if point is None:  # a local plane in metres, good to well under a metre over a few km
        t.ky = math.radians(1.0) * geo.EARTH_RADIUS
        t.kx = t.ky * max(math.cos(math.radians(centroid[1])), 1e-6)
        local = QgsGeometry(geom)
        local.transform(QTransform(t.kx, 0.0, 0.0, t.ky, -centroid[0] * t.kx, -centroid[1] * t.ky))
        t.local = local
    return t


def _grid(images: list[Image]) -> dict[tuple[int, int], list[Image]]:
    grid: dict[tuple[int, int], list[Image]] = defaultdict(list)
    for img in images:
        grid[(math.floor(img.lon / GRID), math.floor(img.lat / GRID))].append(img)
    return grid


def _candidates(grid: dict[tuple[int, int], list[Image]], b: geo.BBox):
    for gx in range(math.floor(b[0] / GRID), math.floor(b[2] / GRID) + 1):
        for gy in range(math.floor(b[1] / GRID), math.floor(b[3] / GRID) + 1):
            for img in grid.get((gx, gy), ()):
                if b[0] <= img.lon <= b[2] and b[1] <= img.lat <= b[3]:
                    yield img


def _merge(total: Report, part: Report) -> None:
    total.planned += part.planned
    total.fetched += part.fetched
    total.requests += part.requests
    total.failures.extend(part.failures)
    total.warnings.extend(part.warnings)
    total.cancelled = total.cancelled or part.cancelled
    total.seconds += part.seconds
    for reason, n in part.skipped.items():
        total.skip(reason, n)

