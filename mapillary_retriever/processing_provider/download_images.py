"""mapillary:downloadimages: the image files (JPEG with EXIF) of the Mapillary images of a point layer.

The downloading is the engine's (``api.download.download_images``); this turns the layer's features
into the engine's image records (position from the geometry, in WGS84; time, direction and sequence
from the fields when the layer has them) and reports the counts."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
)
from qgis.PyQt.QtCore import QDateTime, QVariant

from .. import layers, network
from ..api.client import Client
from ..api.download import SIZES, download_images
from ..api.records import Image
from .base import WGS84, MapillaryAlgorithm, finish_sink

FILE_FIELD = "file"


def _value(v):
    """A QGIS attribute as a plain Python value (NULL -> None)."""
    if v is None or (isinstance(v, QVariant) and v.isNull()):
        return None
    return v


def _millis(v) -> int | None:
    """captured_at as epoch milliseconds: a QDateTime, a number (ms) or an ISO text."""
    v = _value(v)
    if isinstance(v, QDateTime):
        return v.toMSecsSinceEpoch() if v.isValid() else None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, str) and v.strip():
        from ..api.query import parse_time

        try:
            dt = parse_time(v, "captured_at")
        except ValueError:
            return None
        return int(dt.timestamp() * 1000) if dt is not None else None
    return None


def _float(v) -> float | None:
    v = _value(v)
    if isinstance(v, bool):
        return None
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


class DownloadImages(MapillaryAlgorithm):
    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    SIZE = "SIZE"
    FOLDER = "FOLDER"
    DOWNLOADED = "DOWNLOADED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"

    def name(self) -> str:
        return "downloadimages"

    def displayName(self) -> str:
        return self.tr("Download images")

    def shortDescription(self) -> str:
        return self.tr("Downloads the picture of every Mapillary image of a point layer, as JPEG with EXIF.")

    def tags(self) -> list[str]:
        extra = ("download", "jpeg", "exif", "thumbnail")
        return [*super().tags(), *extra, *(self.tr(t) for t in extra)]

    def shortHelpString(self) -> str:
        return self.help_text(
            self.tr("Downloads the picture of every image of a point layer (the plugin's image layers, or any "
                    "point layer holding Mapillary image ids) into a folder, as <i>&lt;image id&gt;.jpg</i>: the "
                    "JPEG exactly as Mapillary serves it, with EXIF added (GPS position from the point, direction "
                    "from compass_angle, capture time from captured_at in UTC, altitude, camera make and model, "
                    "and the image id). Images already in the folder, complete and with their EXIF, are skipped, so "
                    "running again fetches only what is missing. A full disk stops the downloads with a message; "
                    "nothing half-written is left behind."),
            [
                (self.INPUT, self.tr("points with a Mapillary image id. Tick 'Selected features only' to download "
                                     "just the selection.")),
                (self.ID_FIELD, self.tr("the field holding the image id (default id).")),
                (self.SIZE, self.tr("the picture's width: 256, 1024 (default), 2048 pixels or the original.")),
                (self.FOLDER, self.tr("where the pictures go (made if missing).")),
                self.auth_help(),
                self.retries_help(),
                (self.OUTPUT, self.tr("optional: a copy of the input with a 'file' field holding each picture's "
                                      "path (empty where it could not be downloaded).")),
            ])

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Image points"), [Qgis.ProcessingSourceType.VectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, self.tr("Image id field"), "id", self.INPUT))
        self.addParameter(QgsProcessingParameterEnum(
            self.SIZE, self.tr("Picture size"), list(SIZES), False, "1024", False, True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.FOLDER, self.tr("Folder")))
        self.add_auth_parameter()
        self.add_retries_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Images with their file"), Qgis.ProcessingSourceType.VectorPoint, None, True, False))
        self.addOutput(QgsProcessingOutputNumber(self.DOWNLOADED, self.tr("Pictures downloaded")))
        self.addOutput(QgsProcessingOutputNumber(self.SKIPPED, self.tr("Pictures already there")))
        self.addOutput(QgsProcessingOutputNumber(self.FAILED, self.tr("Pictures that failed")))
        self.addOutput(QgsProcessingOutputBoolean(self.COMPLETE, self.tr("Every picture is there")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, self.tr("What was downloaded")))

    def processAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict[str, Any]:
        self.require_token()
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or "id"
        if source.fields().lookupField(id_field) < 0:
            raise QgsProcessingException(self.tr("The input has no field {0}: choose the field holding the "
                                                 "Mapillary image id.").format(id_field))
        size = self.parameterAsEnumString(parameters, self.SIZE, context) or "1024"
        folder = self.parameterAsString(parameters, self.FOLDER, context)
        config = self.config_of(parameters, context)

        feedback.setProgressText(self.tr("Reading the image points…"))
        features, images = self._images(source, context, id_field, feedback)
        feedback.pushInfo(self.tr("{0} images to download into {1}.").format(len(images), folder))
        client = Client(self._token, config, network.transport(feedback.isCanceled), feedback.isCanceled)
        feedback.setProgressText(self.tr("Downloading pictures…"))

        def progress(done: int, total: int) -> None:
            feedback.setProgress(100.0 * done / total if total else 100.0)

        try:
            report = download_images(images, folder, client, size=size, progress=progress,
                                     cancelled=feedback.isCanceled, workers=config.workers)
        except OSError as e:
            raise QgsProcessingException(self.tr("Cannot download into {0}: {1}.").format(
                folder, e.strerror or e)) from None
        finally:
            client.close()
        for image_id, reason in report.failed:
            feedback.pushWarning(self.tr("Image {0} failed: {1}").format(image_id, reason))
        if report.disk_full:
            feedback.reportError(self.tr("The disk is full: downloads stopped ({0} of {1} pictures are in {2}).")
                                 .format(len(report.paths), report.total, folder))
        elif report.stopped:
            feedback.reportError(report.stopped)
        if report.complete:
            feedback.pushInfo(report.summary() + ".")
        else:
            feedback.pushWarning(self.tr("INCOMPLETE:") + " " + report.summary() + ". "
                                 + self.tr("Run the algorithm again to fetch only what is missing."))

        dest_id = None
        if parameters.get(self.OUTPUT) not in (None, ""):
            dest_id = self._write_copy(parameters, context, source, features, id_field, report.paths)
        results: dict[str, Any] = {
            self.FOLDER: folder, self.DOWNLOADED: report.downloaded, self.SKIPPED: report.skipped,
            self.FAILED: len(report.failed), self.COMPLETE: report.complete, self.SUMMARY: report.summary()}
        if dest_id is not None:
            results[self.OUTPUT] = dest_id
        return results

    def _images(self, source, context: QgsProcessingContext, id_field: str,
                feedback: QgsProcessingFeedback) -> tuple[list[QgsFeature], list[Image]]:
        """The features (kept for the copy) and the engine's image records of those with an id and a point."""
        to_wgs = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        names = source.fields().names()
        feats, images = [], []
        for f in source.getFeatures():
            if feedback.isCanceled():
                break
            feats.append(QgsFeature(f))
            image_id = _value(f[id_field])
            geom = f.geometry()
            if image_id in (None, "") or geom.isNull() or geom.isEmpty():
                feedback.pushWarning(self.tr("Feature {0} has no image id or no point: skipped.").format(f.id()))
                continue
            try:
                point = to_wgs.transform(geom.vertexAt(0).x(), geom.vertexAt(0).y())
            except QgsCsException:
                feedback.pushWarning(self.tr("Feature {0} could not be transformed to WGS84: skipped.")
                                     .format(f.id()))
                continue
            images.append(Image(
                id=str(image_id).strip(), lon=point.x(), lat=point.y(),
                sequence_id=str(_value(f["sequence_id"]) or "") if "sequence_id" in names else "",
                captured_at=_millis(f["captured_at"]) if "captured_at" in names else None,
                compass_angle=_float(f["compass_angle"]) if "compass_angle" in names else None,
                is_pano=bool(_value(f["is_pano"])) if "is_pano" in names else False))
        return feats, images

    def _write_copy(self, parameters, context, source, features: list[QgsFeature], id_field: str,
                    paths: dict[str, str]) -> str:
        fields = QgsFields(source.fields())
        if fields.lookupField(FILE_FIELD) < 0:
            fields.append(layers.qgs_fields([(FILE_FIELD, "string")]).at(0))
        where = fields.lookupField(FILE_FIELD)
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        for f in features:
            out = QgsFeature(fields)
            out.setGeometry(f.geometry())
            attrs = list(f.attributes()) + [None] * (fields.count() - len(f.attributes()))
            image_id = _value(f[id_field])
            attrs[where] = paths.get(str(image_id).strip()) if image_id is not None else None
            out.setAttributes(attrs)
            if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                raise QgsProcessingException(self.writeFeatureError(sink, parameters, self.OUTPUT))
        finish_sink(sink)
        del sink
        return dest_id
