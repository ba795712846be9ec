"""What the Mapillary algorithms share: parameters, token, query, progress, errors, styling."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterNumber,
    QgsProcessingParameterPoint,
    QgsProcessingParameterString,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt
from qgis.PyQt.QtGui import QIcon

from .. import layers, network
from ..api import Config, Query, QueryError, Report, SearchResult, search
from ..api.outcome import describe
from ..api.query import DEFAULT_MAX_TILES, DEFAULT_RADIUS, DEFAULT_TOLERANCE, EXTRA_FIELDS, PANO_CHOICES
from ..api.search import STRATEGIES, Progress
from ..auth import get_token, token_from_authcfg

ICON = str(Path(__file__).resolve().parents[1] / "resources" / "icons" / "mapillary_retriever.svg")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")

# The v4 limits every algorithm works around; appended to each help text.
V4_LIMITS = (
    QT_TRANSLATE_NOOP("MapillaryProcessing", "Mapillary v4 limits this works around"),
    QT_TRANSLATE_NOOP("MapillaryProcessing",
                      "The v4 Graph API answers a box search with at most 2,000 images, without paging, and "
                      "silently drops the rest; it refuses boxes of 0.01 square degrees or more, and has no "
                      "'close to', radius or 'look at' filters. These algorithms read Mapillary's z14 vector tiles "
                      "instead, which are not capped, and apply radius, look-at, dates, users and panoramas on your "
                      "computer. Sequence lines are rebuilt from their images (the tiles cut them at every tile edge). "
                      "Extra fields (camera, user name, computed position…) come from the Graph API, 100 images per "
                      "request."),
    QT_TRANSLATE_NOOP("MapillaryProcessing",
                      "A tile that cannot be fetched after several retries does not stop the search: what was "
                      "fetched is written, and a warning names the missing tiles."),
    QT_TRANSLATE_NOOP("MapillaryProcessing",
                      "<b>Token</b>: a Mapillary client token (MLY|…) kept in a QGIS authentication configuration "
                      "(the password of a Basic configuration), else the one saved in the plugin's settings, else the "
                      "MAPILLARY_ACCESS_TOKEN environment variable. Endpoints: MAPILLARY_GRAPH_URL and "
                      "MAPILLARY_TILES_URL."),
    QT_TRANSLATE_NOOP("MapillaryProcessing", "Images and data © Mapillary contributors, CC BY-SA 4.0."),
)


TAGS = ("mapillary", QT_TRANSLATE_NOOP("MapillaryProcessing", "street-level"),
        QT_TRANSLATE_NOOP("MapillaryProcessing", "street"), QT_TRANSLATE_NOOP("MapillaryProcessing", "photo"),
        QT_TRANSLATE_NOOP("MapillaryProcessing", "panorama"), QT_TRANSLATE_NOOP("MapillaryProcessing", "imagery"))


def tr(text: str) -> str:
    return QCoreApplication.translate("MapillaryProcessing", text)


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def utc_datetime(value: QDateTime) -> datetime | None:
    """A Processing date-time as an aware UTC datetime; a time without zone is UTC (as in the engine)."""
    if value is None or not value.isValid():
        return None
    if value.timeSpec() == Qt.TimeSpec.LocalTime:
        d, t = value.date(), value.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second(), t.msec() * 1000,
                        tzinfo=timezone.utc)
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000.0, tz=timezone.utc)


def finish_sink(sink) -> None:
    """Flush a sink now (QGIS ≥ 3.42 has finalize(); older versions flush when it is deleted)."""
    if hasattr(sink, "finalize"):
        sink.finalize()


class MapillaryAlgorithm(QgsProcessingAlgorithm):
    """Base of every Mapillary algorithm: shared parameters and the engine call."""

    EXTENT = "EXTENT"
    POINT = "POINT"
    RADIUS = "RADIUS"
    LOOKAT = "LOOKAT"
    TOLERANCE = "TOLERANCE"
    START_TIME = "START_TIME"
    END_TIME = "END_TIME"
    USERNAMES = "USERNAMES"
    USERKEYS = "USERKEYS"
    PANO = "PANO"
    ORGANIZATION_ID = "ORGANIZATION_ID"
    MAX_FEATURES = "MAX_FEATURES"
    FIELDS = "FIELDS"
    AUTHCFG = "AUTHCFG"
    STRATEGY = "STRATEGY"
    MAX_TILES = "MAX_TILES"
    RETRIES = "RETRIES"
    OUTPUT = "OUTPUT"
    # outputs besides the layer
    COUNT = "COUNT"
    COMPLETE = "COMPLETE"
    SUMMARY = "SUMMARY"

    def __init__(self) -> None:
        super().__init__()
        self._token: str | None = None
        self._token_problem: str | None = None

    # --- identity ---------------------------------------------------------
    def createInstance(self) -> QgsProcessingAlgorithm:
        return type(self)()

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def tr(self, text: str) -> str:
        return tr(text)

    def tags(self) -> list[str]:
        return [*TAGS, *(self.tr(t) for t in TAGS)]

    def helpUrl(self) -> str:
        return "https://github.com/mapillary-retriever/mapillary-retriever#processing-and-qgis_process"

    # --- parameters -------------------------------------------------------
    def add_search_parameters(self) -> None:
        """The search's inputs, in the order the dialog shows them."""
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Search extent (or give a point and a radius)"), optional=True))
        self.addParameter(QgsProcessingParameterPoint(
            self.POINT, self.tr("Search around point"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, self.tr("Radius around the point (metres)"), Qgis.ProcessingNumberParameterType.Double,
            DEFAULT_RADIUS, False, 0.1, 50_000.0))
        self.addParameter(QgsProcessingParameterPoint(
            self.LOOKAT, self.tr("Only images looking at point"), optional=True))
        self.add_tolerance_parameter()
        self.addParameter(QgsProcessingParameterDateTime(
            self.START_TIME, self.tr("Captured at or after (UTC)"), optional=True))
        self.addParameter(QgsProcessingParameterDateTime(
            self.END_TIME, self.tr("Captured before (UTC)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.USERNAMES, self.tr("Only by user names (comma separated)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.USERKEYS, self.tr("Only by user keys (creator ids, comma separated)"), optional=True))
        self.add_pano_parameter()
        self.addParameter(QgsProcessingParameterString(
            self.ORGANIZATION_ID, self.tr("Only by organization (id)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_FEATURES, self.tr("Maximum number of images (0: no limit)"),
            Qgis.ProcessingNumberParameterType.Integer, 0, True, 0))
        self.add_fields_parameter()
        self.add_auth_parameter()
        strategy = QgsProcessingParameterEnum(
            self.STRATEGY, self.tr("Strategy"), list(STRATEGIES), False, STRATEGIES[0], False, True)
        max_tiles = QgsProcessingParameterNumber(
            self.MAX_TILES, self.tr("Refuse areas needing more z14 tiles than"),
            Qgis.ProcessingNumberParameterType.Integer, DEFAULT_MAX_TILES, False, 1)
        for p in (strategy, max_tiles):
            p.setFlags(p.flags() | Qgis.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.add_retries_parameter()

    def add_retries_parameter(self) -> None:
        p = QgsProcessingParameterNumber(
            self.RETRIES, self.tr("Retries of a failing request"), Qgis.ProcessingNumberParameterType.Integer,
            Config.retries, False, 0, 20)
        p.setFlags(p.flags() | Qgis.ProcessingParameterFlag.Advanced)
        self.addParameter(p)

    def add_tolerance_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterNumber(
            self.TOLERANCE, self.tr("Look-at tolerance (degrees either side of the camera's direction)"),
            Qgis.ProcessingNumberParameterType.Double, DEFAULT_TOLERANCE, False, 0.1, 180.0))

    def add_pano_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterEnum(
            self.PANO, self.tr("Panoramas (any, only, exclude)"), list(PANO_CHOICES), False, PANO_CHOICES[0],
            False, True))

    def add_fields_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterEnum(
            self.FIELDS, self.tr("Extra fields from the Graph API"), list(EXTRA_FIELDS), True, None, True, True))

    def add_auth_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterAuthConfig(
            self.AUTHCFG, self.tr("Authentication configuration holding the Mapillary token"), optional=True))

    # --- reading parameters -------------------------------------------------
    def prepareAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> bool:
        """Read the token here, on the thread that owns the authentication database. A missing token
        is raised later, from processAlgorithm, so that callers get the message in the exception."""
        authcfg = self.parameterAsString(parameters, self.AUTHCFG, context)
        self._token, self._token_problem = None, None
        if authcfg:
            self._token = token_from_authcfg(authcfg)
            if not self._token:
                self._token_problem = self.tr(
                    "The authentication configuration {0} could not be opened or holds no token.").format(authcfg)
        else:
            self._token = get_token(None)
            if not self._token:
                self._token_problem = self.tr(
                    "No Mapillary access token: choose an authentication configuration that holds it, save it in "
                    "the plugin's settings, or set MAPILLARY_ACCESS_TOKEN.")
        return True

    def require_token(self) -> None:
        if self._token_problem or not self._token:
            raise QgsProcessingException(self._token_problem or self.tr("No Mapillary access token."))

    def config_of(self, parameters: dict[str, Any], context: QgsProcessingContext) -> Config:
        """Endpoints from the environment (MAPILLARY_GRAPH_URL, MAPILLARY_TILES_URL), retries from the parameter."""
        return network.config(retries=self.parameterAsInt(parameters, self.RETRIES, context))

    def fields_of(self, parameters: dict[str, Any], context: QgsProcessingContext) -> tuple[str, ...]:
        return tuple(f for f in self.parameterAsEnumStrings(parameters, self.FIELDS, context) if f)

    def date_of(self, parameters: dict[str, Any], name: str, context: QgsProcessingContext) -> datetime | None:
        if parameters.get(name) in (None, ""):
            return None
        return utc_datetime(self.parameterAsDateTime(parameters, name, context))

    def point_of(self, parameters: dict[str, Any], name: str, context: QgsProcessingContext):
        """A point parameter in WGS84 as (lon, lat), or None."""
        if parameters.get(name) in (None, ""):
            return None
        p = self.parameterAsPoint(parameters, name, context, WGS84)
        return p.x(), p.y()

    def query_of(self, parameters: dict[str, Any], context: QgsProcessingContext) -> Query:
        """The engine's query from the shared search parameters; QgsProcessingException when invalid."""
        bbox = None
        if parameters.get(self.EXTENT) not in (None, ""):
            r = self.parameterAsExtent(parameters, self.EXTENT, context, WGS84)
            if not r.isNull() and not r.isEmpty():
                bbox = (r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum())
        closeto = self.point_of(parameters, self.POINT, context)
        lookat = self.point_of(parameters, self.LOOKAT, context)
        if bbox is not None and closeto is not None:
            raise QgsProcessingException(self.tr("Give either an extent or a point with a radius, not both."))
        if bbox is None and closeto is None and lookat is None:
            raise QgsProcessingException(self.tr("Give a search extent, or a point and a radius."))
        try:
            return Query.build(
                bbox=bbox, closeto=closeto, radius=self.parameterAsDouble(parameters, self.RADIUS, context),
                lookat=lookat, tolerance=self.parameterAsDouble(parameters, self.TOLERANCE, context),
                start_time=self.date_of(parameters, self.START_TIME, context),
                end_time=self.date_of(parameters, self.END_TIME, context),
                usernames=self.parameterAsString(parameters, self.USERNAMES, context),
                userkeys=self.parameterAsString(parameters, self.USERKEYS, context),
                pano=self.parameterAsEnumString(parameters, self.PANO, context) or "any",
                organization_id=self.parameterAsString(parameters, self.ORGANIZATION_ID, context),
                max_features=self.parameterAsInt(parameters, self.MAX_FEATURES, context),
                fields=self.fields_of(parameters, context),
                max_tiles=self.parameterAsInt(parameters, self.MAX_TILES, context))
        except QueryError as e:
            raise QgsProcessingException(e.message) from None

    # --- running the engine -------------------------------------------------
    def run_search(self, query: Query, feedback: QgsProcessingFeedback, *, sequences: bool, config: Config,
                   strategy: str = "tiles") -> SearchResult:
        """Run the engine with progress and cancel wired to ``feedback``. It never raises for the
        network: see ``check_outcome`` and ``report_outcome``."""
        return search(query, self._token, strategy=strategy, sequences=sequences, config=config,
                      transport=network.transport(feedback.isCanceled), progress=ProgressRelay(feedback),
                      cancelled=feedback.isCanceled)

    def check_outcome(self, result: SearchResult) -> None:
        """A search that stopped with nothing fetched (a refused token, an unreachable server) is an
        error: QgsProcessingException with the outcome's words. A cancel with nothing is not."""
        outcome = describe(result, translate)
        if not outcome.write and not result.report.cancelled:
            raise QgsProcessingException(outcome.title + ": " + outcome.text)

    def report_outcome(self, result: SearchResult, feedback: QgsProcessingFeedback) -> bool:
        """The outcome in the log: a warning when incomplete (what was found is written); the
        details as information. Returns whether the result is complete."""
        outcome = describe(result, translate)
        rep = result.report
        for warning in rep.warnings:
            if warning not in outcome.text:
                feedback.pushWarning(warning)
        if rep.complete:
            feedback.pushInfo(outcome.text)
        else:
            feedback.pushWarning(self.tr("INCOMPLETE:") + " " + outcome.title + ". " + outcome.text + " "
                                 + self.tr("What was found is written; run the algorithm again later for the rest.")
                                 + " " + outcome.details)
        feedback.pushInfo(outcome.details)
        return rep.complete

    def add_common_outputs(self) -> None:
        self.addOutput(QgsProcessingOutputNumber(self.COUNT, self.tr("Number of features written")))
        self.addOutput(QgsProcessingOutputBoolean(self.COMPLETE, self.tr("Every tile was fetched")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, self.tr("What was fetched")))

    def style_on_load(self, context: QgsProcessingContext, dest_id: str, kind: str, query: Query | None,
                      report: Report | None) -> None:
        """Apply the plugin's style, temporal settings and metadata when QGIS loads the output."""
        if dest_id and context.willLoadLayerOnCompletion(dest_id):
            styler = _Styler(kind, query, report)
            _STYLERS.append(styler)  # Processing keeps no reference: keep the object alive
            del _STYLERS[:-20]
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(styler)

    # --- help ---------------------------------------------------------------
    def help_text(self, what: str, params: list[tuple[str, str]]) -> str:
        """``params``: (parameter name, explanation); each is titled with the parameter's own label."""
        items = []
        for name, text in params:
            definition = self.parameterDefinition(name)
            title = definition.description() if definition is not None else name
            if definition is not None and definition.flags() & Qgis.ProcessingParameterFlag.Advanced:
                title += " " + self.tr("(advanced)")
            items.append(f"<li><b>{title}</b>: {text}</li>")
        return f"<p>{what}</p><h3>{self.tr('Parameters')}</h3><ul>{''.join(items)}</ul>{self.v4_limits()}"

    def v4_limits(self) -> str:
        title, *paragraphs = (self.tr(text) for text in V4_LIMITS)
        return f"<h3>{title}</h3>" + "".join(f"<p>{p}</p>" for p in paragraphs)

    def search_parameter_help(self) -> list[tuple[str, str]]:
        return [
            (self.EXTENT, self.tr("a rectangle in any CRS (reprojected to WGS84). Give either an extent or a "
                                  "point.")),
            (self.POINT, self.tr("the centre of a point search, in any CRS.")),
            (self.RADIUS, self.tr("images within this great-circle distance of the point (or of the look-at "
                                  "point when it is given alone); default 100 m.")),
            (self.LOOKAT, self.tr(
                "keep images whose camera points at this point: the bearing from the image to the point is within "
                "the tolerance of the image's compass angle. Panoramas see every direction and always count; images "
                "without a compass angle never do. Alone (no extent, no point), it also is the centre of the "
                "search.")),
            (self.TOLERANCE, self.tr("default 50°, as in Mapillary's SDK.")),
            (self.START_TIME, self.tr("included; a time without a time zone is UTC.")),
            (self.END_TIME, self.tr("excluded; a time without a time zone is UTC.")),
            (self.USERNAMES, self.tr("only images by these Mapillary users.")),
            (self.USERKEYS, self.tr("only images by these creator ids (numbers). Old v3 user keys no longer work: "
                                    "give the user name.")),
            (self.PANO, self.tr("any (default), only panoramas, or exclude panoramas.")),
            (self.ORGANIZATION_ID, self.tr("only images of this organization.")),
            (self.MAX_FEATURES, self.tr("keep at most this many: the nearest for a point search, the newest for "
                                        "an extent. 0 means no limit.")),
            (self.FIELDS, self.tr("fields the vector tiles lack, fetched from the Graph API: ")
             + ", ".join(EXTRA_FIELDS) + "."),
            self.auth_help(),
            (self.STRATEGY, self.tr("tiles (default): complete z14 vector tiles; graph: the Graph API box search, "
                                    "with boxes split until each answers well under its 2,000-image cap.")),
            (self.MAX_TILES, self.tr("a guard against searching a whole country by mistake; default 400 tiles "
                                     "(about 40 × 40 km).")),
            self.retries_help(),
        ]

    def auth_help(self) -> tuple[str, str]:
        return (self.AUTHCFG, self.tr("the QGIS authentication configuration whose password is the token; empty: "
                                      "the plugin's saved token, else MAPILLARY_ACCESS_TOKEN."))

    def retries_help(self) -> tuple[str, str]:
        return (self.RETRIES, self.tr(
            "how often a request that failed for a passing reason (outage, rate limit, cut connection) is tried "
            "again, with growing pauses; default 6. 0 fails fast."))


class ProgressRelay:
    """Engine progress -> Processing feedback (the engine calls it on the algorithm's thread);
    the weights of the stages are the engine's (``Progress.percent``)."""

    def __init__(self, feedback: QgsProcessingFeedback):
        self.feedback = feedback
        self.stage = ""

    def __call__(self, p: Progress) -> None:
        texts = {"users": tr("Looking up users…"), "tiles": tr("Reading vector tiles…"),
                 "boxes": tr("Searching boxes…"), "pages": tr("Reading pages…"),
                 "features": tr("Matching features…"), "fields": tr("Fetching extra fields…")}
        if p.stage != self.stage and p.stage in texts:
            self.stage = p.stage
            self.feedback.setProgressText(texts[p.stage])
        self.feedback.setProgress(p.percent())


class _Styler(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, kind: str, query: Query | None, report) -> None:
        super().__init__()
        self.kind, self.query, self.report = kind, query, report

    def postProcessLayer(self, layer, context, feedback) -> None:  # noqa: N802
        if isinstance(layer, QgsVectorLayer):
            layers.decorate(layer, self.kind, self.query, self.report)


_STYLERS: list[_Styler] = []
