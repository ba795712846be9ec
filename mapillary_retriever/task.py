"""Searches in the background, and what happens when they end.

``SearchTask`` (a QgsTask) runs the engine on a worker thread; it never touches
the project. ``SearchRunner`` starts tasks and, in their ``finished`` callback on
the main thread, turns the results into layers, says in the message bar what was
found or what is missing, and offers to fetch the missing part.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from qgis.core import Qgis, QgsApplication, QgsFeatureRequest, QgsMessageLog, QgsProject, QgsTask, QgsVectorLayer
from qgis.PyQt.QtCore import QObject, pyqtSignal
from qgis.PyQt.QtWidgets import QPushButton

from . import auth, layers
from .api import AuthError, MapillaryError, Progress, Query, QueryError, RateLimitError, TransientError, search
from .api import output as api_output
from .api.records import Image, Report, SearchResult, Sequence
from .api.sequences import build_sequences
from .dialogs.common import KIND_PROPERTY, QUERY_PROPERTY, tr

LOG_TAG = "Mapillary Retriever"
GPKG_LAYERS = {"images": "mapillary_images", "sequences": "mapillary_sequences"}


@dataclass
class Output:
    """What to produce and where."""

    images: bool = True
    sequences: bool = True
    gpkg: str = ""  # empty: temporary layers
    append: bool = False  # GeoPackage: add to existing layers instead of replacing them
    download_dir: str = ""  # also download the image files (with EXIF) into this folder
    download_size: str = "1024"  # 256, 1024, 2048 or original
    within_wkt: str = ""  # WGS84 (Multi)Polygon WKT: keep only the images inside it (the bbox search is wider)


class SearchTask(QgsTask):
    """Runs one engine search. Results are read in ``finished`` (main thread)."""

    progressed = pyqtSignal(object)  # api.Progress; queued to the main thread

    def __init__(self, query: Query, token: str, output: Output, only: list[str] | None = None,
                 base_images: list[Image] | None = None, description: str = ""):
        super().__init__(description or tr("Mapillary search"), QgsTask.Flag.CanCancel)
        self.query = query
        self.output = output
        self.only = only
        self.base_images = base_images  # a retry: the images already fetched
        self._token: str | None = token
        self.result: SearchResult | None = None
        self.error: Exception | None = None
        self.trace = ""
        self.worker_thread: int | None = None
        self.sequences: list[Sequence] = []  # a retry: the sequences touched by new images
        self.new_images: list[Image] = []  # a retry: images that were not fetched before
        self.run_record: SearchRun | None = None  # a retry: the run it completes
        self.on_finished: Callable[[SearchTask], None] | None = None

    def run(self) -> bool:
        self.worker_thread = threading.get_ident()
        try:
            retry = self.base_images is not None
            self.result = search(self.query, self._token, sequences=self.output.sequences and not retry,
                                 progress=self._progress, cancelled=self.isCanceled, only=self.only)
            if retry:
                self._merge()
            elif self.output.gpkg:
                self._write_gpkg()
        except AuthError as e:
            self.error = e
            self.result = getattr(e, "partial", None)
        except MapillaryError as e:
            self.error = e
        except Exception as e:  # a bug: keep the traceback for the message log
            self.error = e
            self.trace = traceback.format_exc()
        finally:
            self._token = None
        return self.error is None

    @staticmethod
    def percent(p: Progress) -> float:
        """The whole search's progress (0-100) at this step of one of its stages."""
        start, span = {"users": (0, 5), "tiles": (5, 85), "boxes": (5, 85), "fields": (90, 9)}.get(p.stage, (99, 1))
        return start + span * (min(p.done, p.total) / p.total if p.total else 0)

    def _progress(self, p: Progress) -> None:
        self.setProgress(self.percent(p))
        self.progressed.emit(p)

    def _merge(self) -> None:
        """A retry: the new images, and the sequences they touch rebuilt from all images."""
        known = {img.id for img in self.base_images}
        self.new_images = [img for img in self.result.images if img.id not in known]
        if self.output.sequences and self.new_images:
            touched = {img.sequence_id for img in self.new_images}
            merged = [img for img in self.base_images + self.new_images if img.sequence_id in touched]
            self.sequences = build_sequences(merged, excluded=self.excluded())

    def excluded(self) -> dict[str, list[int]]:
        """A retry: what the first run and this one fetched without keeping (lines break there)."""
        out = {sid: list(times) for sid, times in self.run_record.excluded.items()} if self.run_record else {}
        for sid, times in (self.result.excluded if self.result else {}).items():
            out.setdefault(sid, []).extend(times)
        return out

    def _write_gpkg(self) -> None:
        res = self.result
        desc = self.query.describe()
        if self.output.images:
            api_output.write_gpkg(self.output.gpkg, "images", res.images, self.query.fields, desc,
                                  GPKG_LAYERS["images"], self.output.append)
        if self.output.sequences:
            api_output.write_gpkg(self.output.gpkg, "sequences", res.sequences, self.query.fields, desc,
                                  GPKG_LAYERS["sequences"], self.output.append)

    def finished(self, ok: bool) -> None:  # noqa: ARG002 (the outcome is in result/error)
        if self.on_finished is not None:
            self.on_finished(self)


@dataclass
class SearchRun:
    """A finished search and the layers it made: enough to fetch what is missing."""

    query: Query
    output: Output
    images: list[Image]
    report: Report
    group: str
    layer_ids: dict[str, str] = field(default_factory=dict)  # kind -> layer id
    excluded: dict[str, list[int]] = field(default_factory=dict)  # where sequence lines break


class SearchRunner(QObject):
    """Starts searches and presents their results. One per plugin."""

    taskStarted = pyqtSignal(object)  # SearchTask
    taskEnded = pyqtSignal(object)  # SearchTask
    settingsRequested = pyqtSignal()  # a message's "Settings…" button

    def __init__(self, iface, parent: QObject | None = None):
        super().__init__(parent)
        self.iface = iface
        self.tasks: list[SearchTask] = []  # keeps the Python side of running tasks alive
        self.runs: list[SearchRun] = []

    # --- starting ---------------------------------------------------------
    def start(self, query: Query, output: Output) -> SearchTask | None:
        token = auth.get_token()
        if not token:
            self.push(tr("No Mapillary token"), tr("Paste your Mapillary client token in the plugin settings first."),
                      Qgis.MessageLevel.Warning, [(tr("Settings…"), self.settingsRequested.emit)])
            return None
        return self._launch(SearchTask(query, token, output, description=self.describe(query)))

    def retry(self, run: SearchRun) -> SearchTask | None:
        """Fetch the tiles the run could not fetch, and add what they hold to its layers."""
        token = auth.get_token()
        missing = run.report.missing("tile")
        if not token or not missing:
            return None
        task = SearchTask(run.query, token, run.output, only=missing, base_images=run.images,
                          description=tr("Mapillary search: retry of {n} tiles").format(n=len(missing)))
        task.run_record = run
        return self._launch(task)

    def _launch(self, task: SearchTask) -> SearchTask:
        task.on_finished = self._finished
        self.tasks.append(task)
        QgsApplication.taskManager().addTask(task)
        self.taskStarted.emit(task)
        return task

    def cancel_all(self, detach: bool = False) -> None:
        """Cancel every running search; ``detach`` (on unload) also drops what they would do at the end."""
        for task in list(self.tasks):
            if detach:
                task.on_finished = None
            task.cancel()
        if detach:
            self.tasks.clear()

    @staticmethod
    def describe(query: Query) -> str:
        return tr("Mapillary search: {what}").format(what=query.describe())

    # --- ending -----------------------------------------------------------
    def _finished(self, task: SearchTask) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        try:
            if task.run_record is not None:
                self._merge(task, task.run_record)
            else:
                self._present(task)
        finally:
            self.taskEnded.emit(task)

    def _present(self, task: SearchTask) -> None:
        res, err, query = task.result, task.error, task.query
        if err is not None and not (res and res.images):
            self._report_error(err, task.trace)
            return
        if res is None:  # cancelled before it started
            self.push(tr("Mapillary search cancelled"), tr("Nothing was fetched."), Qgis.MessageLevel.Info,
                      duration=5)
            return
        report = res.report
        run = SearchRun(query, task.output, list(res.images), report, self.group_name(query),
                        excluded=res.excluded)
        if res.images:
            self._add_layers(run, res, task.output)
            self.runs = [r for r in self.runs[-9:]] + [run]
        if err is not None:  # e.g. the token was refused half-way: what was fetched is kept
            self._report_error(err, task.trace)
            return
        self._report_outcome(run, len(res.images), len(res.sequences), first=True)

    def _merge(self, task: SearchTask, run: SearchRun) -> None:
        if task.error is not None or task.result is None:
            if task.error is not None:
                self._report_error(task.error, task.trace)
            return
        new = task.new_images
        run.images.extend(new)
        run.excluded = task.excluded()
        old, rep = run.report, task.result.report
        rep.planned, rep.fetched = old.planned, old.fetched + rep.fetched
        rep.failures += [f for f in old.failures if f.kind not in ("tile", "cell")]
        run.report = rep
        project = QgsProject.instance()
        if not run.layer_ids:  # the first attempt found nothing: make the layers now
            seqs = build_sequences(list(run.images), excluded=run.excluded) if run.output.sequences else []
            if run.images:
                self._add_layers(run, SearchResult(run.images, seqs, rep), run.output)
                self.runs.append(run)
        else:
            img_layer = project.mapLayer(run.layer_ids.get("images", ""))
            seq_layer = project.mapLayer(run.layer_ids.get("sequences", ""))
            if img_layer is not None and new:
                add_features(img_layer, "images", new, run.query.fields)
            if seq_layer is not None and task.sequences:
                replace_sequences(seq_layer, task.sequences, run.query.fields)
            for lyr, kind in ((img_layer, "images"), (seq_layer, "sequences")):
                if lyr is not None:
                    layers.set_metadata(lyr, kind, run.query, rep)
        self._report_outcome(run, len(new), len(task.sequences), first=False)

    # --- layers -----------------------------------------------------------
    @staticmethod
    def group_name(query: Query) -> str:
        return tr("Mapillary: {what} ({when})").format(what=query.describe(),
                                                      when=datetime.now().strftime("%Y-%m-%d %H:%M"))

    def _add_layers(self, run: SearchRun, res: SearchResult, out: Output) -> None:
        project = QgsProject.instance()
        made = []
        for kind, records, wanted in (("images", res.images, out.images), ("sequences", res.sequences, out.sequences)):
            if not wanted:
                continue
            name = layers.IMAGES_NAME if kind == "images" else layers.SEQUENCES_NAME
            if out.gpkg:
                layer = QgsVectorLayer(f"{out.gpkg}|layername={GPKG_LAYERS[kind]}", name, "ogr")
                if not layer.isValid():
                    self.push(tr("Mapillary search"), tr("Could not open {path}.").format(path=out.gpkg),
                              Qgis.MessageLevel.Critical)
                    continue
                layers.decorate(layer, kind, run.query, run.report)
            else:
                layer = layers.memory_layer(kind, records, run.query.fields, name)
                layers.set_metadata(layer, kind, run.query, run.report)
            layer.setCustomProperty(KIND_PROPERTY, kind)
            layer.setCustomProperty(QUERY_PROPERTY, json.dumps(run.query.to_dict()))
            made.append((kind, layer))
        if not made:
            return
        group = project.layerTreeRoot().insertGroup(0, run.group)
        for kind, layer in made:
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            run.layer_ids[kind] = layer.id()

    # --- messages ---------------------------------------------------------
    def _report_outcome(self, run: SearchRun, n_images: int, n_sequences: int, first: bool) -> None:
        report = run.report
        if first and not run.images:
            if report.complete:
                hint = (tr("Try a larger radius (it is {r:g} m).").format(r=run.query.radius)
                        if run.query.bbox is None else tr("Try a larger area."))
                if run.query.start_time or run.query.end_time or run.query.usernames or run.query.pano != "any":
                    hint += " " + tr("Or relax the filters (dates, users, panoramas).")
                self.push(tr("No Mapillary images found"), tr("Nothing matches this search.") + " " + hint,
                          Qgis.MessageLevel.Warning)
                return
        if report.complete:
            text = (tr("{n} images and {m} sequences added.") if first else
                    tr("The missing part is fetched: {n} more images, {m} sequences updated. "
                       "The search is complete."))
            for w in report.warnings:
                text += " " + w
            self.push(tr("Mapillary search"), text.format(n=f"{n_images:,}", m=f"{n_sequences:,}"),
                      Qgis.MessageLevel.Success,
                      duration=8)
            return
        missing = report.missing("tile") or report.missing("cell")
        reasons = Counter(f.reason for f in report.failures
                          if f.kind in ("tile", "cell") and f.key in missing and not f.reason.startswith("not fetched"))
        reason = reasons.most_common(1)[0][0] if reasons else ""
        rate_limited = "rate limit" in reason.lower()
        level = Qgis.MessageLevel.Warning
        if report.fetched == 0 and missing and not report.cancelled:
            level = Qgis.MessageLevel.Critical
            if rate_limited:
                title = tr("Mapillary rate limit reached")
                text = tr("None of the {n} map tiles could be fetched ({reason}). Wait a few minutes, then retry."
                          ).format(n=len(missing), reason=reason)
            else:
                title = tr("Could not reach Mapillary")
                text = tr("None of the {n} map tiles could be fetched ({reason}). Check the network connection "
                          "and proxy settings.").format(n=len(missing), reason=reason)
        else:
            title = tr("Mapillary search incomplete")
            if report.cancelled:
                lead = tr("Cancelled:")
            elif rate_limited:
                lead = tr("Mapillary's rate limit was reached:")
            else:
                lead = tr("Some tiles failed ({reason}):").format(reason=reason)
            text = lead + " " + tr("{n} images kept, {k} of {total} map tiles missing ({keys}).").format(
                n=f"{len(run.images):,}", k=len(missing), total=report.planned,
                keys=", ".join(missing[:2]) + (", …" if len(missing) > 2 else ""))
            QgsMessageLog.logMessage(report.summary(), LOG_TAG, Qgis.MessageLevel.Info)
        buttons = [(tr("Retry the missing part"), lambda: self.retry(run))] if report.missing("tile") else []
        self.push(title, text, level, buttons)

    def _report_error(self, err: Exception, trace: str = "") -> None:
        buttons = []
        if isinstance(err, AuthError):
            title = tr("Mapillary refused the token")
            text = err.message + " " + tr("Open the settings to paste a valid client token.")
            buttons = [(tr("Settings…"), self.settingsRequested.emit)]
            level = Qgis.MessageLevel.Critical
        elif isinstance(err, RateLimitError):
            title = tr("Mapillary rate limit reached")
            text = err.message + " " + tr("Wait a few minutes, then search again.")
            level = Qgis.MessageLevel.Warning
        elif isinstance(err, TransientError):
            title = tr("Could not reach Mapillary")
            text = err.message + " " + tr("Check the network connection and proxy settings.")
            level = Qgis.MessageLevel.Critical
        elif isinstance(err, QueryError):
            title, text, level = tr("Mapillary search"), err.message, Qgis.MessageLevel.Warning
        elif isinstance(err, MapillaryError):
            title, text, level = tr("Mapillary search failed"), err.message, Qgis.MessageLevel.Critical
        else:
            title = tr("Mapillary search failed")
            text = tr("Unexpected error: {e}. The details are in the message log.").format(e=type(err).__name__)
            level = Qgis.MessageLevel.Critical
            QgsMessageLog.logMessage(trace or repr(err), LOG_TAG, Qgis.MessageLevel.Critical)
        self.push(title, text, level, buttons)

    def push(self, title: str, text: str, level: Qgis.MessageLevel, buttons=(), duration: int = 0):
        """A message bar item with optional buttons; also written to the message log."""
        bar = self.iface.messageBar()
        item = bar.createMessage(title, text)
        for label, callback in buttons:
            button = QPushButton(label, item)
            button.clicked.connect(lambda _checked=False, cb=callback, it=item: (bar.popWidget(it), cb()))
            item.layout().addWidget(button)
        bar.pushWidget(item, level, duration)
        QgsMessageLog.logMessage(title + ": " + text, LOG_TAG, level)
        return item


# --- feature updates (main thread) --------------------------------------------
def add_features(layer: QgsVectorLayer, kind: str, records: list, extra=()) -> None:
    make = layers.image_features if kind == "images" else layers.sequence_features
    layer.dataProvider().addFeatures(list(make(records, layer.fields(), extra)))
    layer.updateExtents()
    layer.triggerRepaint()


def replace_sequences(layer: QgsVectorLayer, sequences: list[Sequence], extra=()) -> None:
    """Replace the lines of these sequences (by id) with the rebuilt ones."""
    ids = {s.id for s in sequences}
    request = QgsFeatureRequest().setNoAttributes().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["id"], layer.fields())
    stale = [f.id() for f in layer.getFeatures(request) if f["id"] in ids]
    if stale:
        layer.dataProvider().deleteFeatures(stale)
    add_features(layer, "sequences", sequences, extra)
