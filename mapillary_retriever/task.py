"""Searches in the background, and what happens when they end.

``SearchTask`` (a QgsTask) runs the engine on a worker thread and builds what the
result becomes there too: memory layers (moved to the main thread), GeoPackage
tables, or the features a retry adds. ``SearchRunner`` starts tasks and keeps the
runs; on the main thread it only places the layers (or feeds a retry's features in
small chunks) and hands the result to ``Presenter``, which turns
``api.outcome.describe`` into one message bar item.
"""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from osgeo import ogr
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsLayerTreeGroup,
    QgsMessageLog,
    QgsPoint,
    QgsProject,
    QgsRectangle,
    QgsTask,
    QgsVectorLayer,
    QgsVectorLayerFeatureSource,
)
from qgis.PyQt.QtCore import QCoreApplication, QObject, QTimer, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton

from . import auth, layers, network
from .api import Cause, Progress, Query, SearchResult, resume, search
from .api import output as api_output
from .api.client import Client
from .api.download import DownloadReport, download_images
from .api.outcome import Outcome, describe
from .api.records import set_field
from .api.schema import LAYERS, Column, lacking
from .dialogs.common import KIND_PROPERTY, QUERY_PROPERTY, tr

LOG_TAG = "Mapillary Retriever"
KINDS = ("images", "sequences")
GROUP_PROPERTY = "mapillary_retriever/search"  # marks the layer tree groups of searches
CHUNK = 5_000  # features a retry adds to a layer per main-thread step
FILE_FIELD = "file"  # the image layer's field holding a downloaded picture's path
SEARCH_SHARE = 70.0  # with downloads, the search is this share of the task's progress, the downloads the rest
LEVELS = {"success": Qgis.MessageLevel.Success, "info": Qgis.MessageLevel.Info,
          "warning": Qgis.MessageLevel.Warning, "critical": Qgis.MessageLevel.Critical}


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


@dataclass
class Output:
    """What to produce and where."""

    images: bool = True
    sequences: bool = True
    gpkg: str = ""  # empty: temporary layers
    append: bool = False  # GeoPackage: add to existing layers instead of writing new ones
    download_dir: str = ""  # also download the image files (with EXIF) into this folder
    download_size: str = "1024"  # 256, 1024, 2048 or original
    within_wkt: str = ""  # WGS84 (Multi)Polygon WKT: keep only the images inside it (the bbox search is wider)

    def kinds(self) -> list[str]:
        return [k for k in KINDS if getattr(self, k)]


@dataclass
class Change:
    """What a retry does to one existing layer: delete these features, then add these."""

    delete: list[int] = field(default_factory=list)
    add: list[QgsFeature] = field(default_factory=list)


@dataclass
class Target:
    """An existing layer a retry updates, as the worker thread may read it."""

    source: QgsVectorLayerFeatureSource
    fields: QgsFields


@dataclass
class Built:
    """What the worker made of a result, for the main thread to place."""

    layers: dict[str, QgsVectorLayer] = field(default_factory=dict)  # new memory layers
    tables: dict[str, str] = field(default_factory=dict)  # GeoPackage tables written
    changes: dict[str, Change] = field(default_factory=dict)  # a retry of existing layers
    note: str = ""  # what the message should add (e.g. the tables' names)


def within(result: SearchResult, wkt: str) -> SearchResult:
    """Only the images inside the polygons (WGS84 WKT); sequence lines break where they leave them."""
    from .api.sequences import build_sequences

    area = QgsGeometry.fromWkt(wkt)
    engine = QgsGeometry.createGeometryEngine(area.constGet())
    engine.prepareGeometry()
    kept, excluded = [], {k: list(v) for k, v in result.excluded.items()}
    for img in result.images:
        if engine.intersects(QgsPoint(img.lon, img.lat)):
            kept.append(img)
        elif img.captured_at is not None and img.sequence_id:
            excluded.setdefault(img.sequence_id, []).append(img.captured_at)
    seqs = build_sequences(kept, None, excluded) if result.with_sequences else []
    return SearchResult(kept, seqs, result.report, excluded, result.query, result.with_sequences)


class SearchTask(QgsTask):
    """Runs one engine search (or the resume of ``previous``) and builds its layers off the main thread.
    Results are read in ``finished`` (main thread)."""

    progressed = pyqtSignal(object)  # api.Progress (stage "download" while downloading); queued to the main thread

    def __init__(self, query: Query, token: str, output: Output, previous: SearchResult | None = None,
                 description: str = "", targets: dict[str, Target] | None = None):
        # Silent: QGIS shows no "Task complete" toast of its own; our message is the only one
        super().__init__(description or tr("Mapillary search"), QgsTask.Flag.CanCancel | QgsTask.Flag.Silent)
        self.query = query
        self.output = output
        self.previous = previous
        self.targets = targets or {}  # a retry: the existing layers it adds to
        self._token: str | None = token
        self.result: SearchResult | None = None
        self.downloads: DownloadReport | None = None  # when the output asks for the pictures
        self.download_error = ""  # the folder could not be made
        self.built = Built()
        self.error: Exception | None = None
        self.trace = ""
        self.worker_thread: int | None = None
        self.on_finished: Callable[[SearchTask], None] | None = None

    def run(self) -> bool:
        self.worker_thread = threading.get_ident()
        try:
            lacking = _lacking(self.previous.images, self.query.fields) if self.previous is not None else set()
            seams = {"config": network.config(), "transport": network.transport(self.isCanceled),
                     "progress": self._progress, "cancelled": self.isCanceled}
            if self.previous is not None:
                self.result = resume(self.previous, self._token, **seams)
            else:
                self.result = search(self.query, self._token, sequences=self.output.sequences, **seams)
            if self.output.within_wkt:
                self.result = within(self.result, self.output.within_wkt)
            if self._wants_downloads(self.result):
                self._download(self.result, seams["config"])
            self._token = None
            self.built = self._build(self.result, lacking)
        except Exception as e:  # a bug: keep the traceback for the message log
            self.error = e
            self.trace = traceback.format_exc()
        finally:
            self._token = None
        rep = self.result.report if self.result is not None else None
        return self.error is None and rep is not None and rep.fatal is None and not rep.cancelled

    def _progress(self, p: Progress) -> None:
        share = SEARCH_SHARE / 100.0 if self.output.download_dir and self.output.images else 1.0
        self.setProgress(p.percent() * share)
        self.progressed.emit(p)

    # --- downloading (worker thread) ----------------------------------------
    def _wants_downloads(self, res: SearchResult) -> bool:
        """A search (or a retry) that asked for the pictures and found images (a stop with nothing, or a cancel,
        does not)."""
        rep = res.report
        return bool(self.output.download_dir and self.output.images and res.images
                    and rep.fatal is None and not rep.cancelled and not self.isCanceled())

    def _download(self, res: SearchResult, config) -> None:
        """The pictures of the result's images into the output's folder; sets each image's ``file``. A retry
        fetches those of the images it added and those an earlier try could not get."""
        images = res.images if self.previous is None else \
            [i for i in res.images if not (i.extra or {}).get(FILE_FIELD)]
        if not images:
            return
        client = Client(self._token, config, network.transport(self.isCanceled), self.isCanceled)
        found = len(images)

        def progress(done: int, total: int) -> None:
            self.setProgress(SEARCH_SHARE + (100.0 - SEARCH_SHARE) * (done / total if total else 1.0))
            self.progressed.emit(Progress("download", done, total, found))

        try:
            self.downloads = download_images(images, self.output.download_dir, client,
                                             size=self.output.download_size, progress=progress,
                                             cancelled=self.isCanceled, workers=config.workers)
        except (OSError, ValueError) as e:
            self.download_error = str(getattr(e, "strerror", None) or e)
            self.downloads = DownloadReport(total=found, not_started=[i.id for i in images],
                                            stopped=self.download_error)
        finally:
            client.close()
        set_field(res.images, FILE_FIELD, self.downloads.paths)

    # --- building (worker thread) -----------------------------------------
    def _build(self, res: SearchResult, lacking: set[str]) -> Built:
        built = Built()
        if not res.images:
            return built
        if self.previous is not None and self.targets:
            built.changes = self._changes(res, lacking)
            return built
        if self.output.gpkg:
            self._write_gpkg(res, built)
            return built
        main = QCoreApplication.instance().thread()
        for kind in self.output.kinds():
            layer = layers.memory_layer(kind, getattr(res, kind), self.query.fields,
                                        layers.layer_name(kind, len(getattr(res, kind)), res.complete))
            layers.set_metadata(layer, kind, self.query, res.report)
            if kind == "images" and self.downloads is not None:
                _add_files(layer, self.downloads.paths)
            layer.moveToThread(main)
            built.layers[kind] = layer
        return built

    def _write_gpkg(self, res: SearchResult, built: Built) -> None:
        out = self.output
        tables = table_names(out.gpkg, out.kinds(), out.append)
        desc = self.query.describe()
        for kind in out.kinds():
            cols = None
            if kind == "images" and self.downloads is not None:
                if out.append and not _table_has(out.gpkg, tables[kind], FILE_FIELD):
                    built.note = tr("The table {table} has no 'file' field: the pictures' paths are not in it.").format(
                        table=tables[kind])
                else:
                    cols = api_output.columns(kind, self.query.fields, (Column(FILE_FIELD, "string"),))
            api_output.write_gpkg(out.gpkg, kind, getattr(res, kind), self.query.fields, desc, tables[kind], out.append,
                                  cols=cols)
        built.tables = tables
        if not out.append and any(tables[k] != LAYERS[k].table for k in tables):
            built.note = tr("Written as the tables {tables} of {file}: the earlier search's tables are kept.").format(
                tables=", ".join(tables[k] for k in out.kinds()), file=os.path.basename(out.gpkg))

    def _changes(self, res: SearchResult, lacking: set[str]) -> dict[str, Change]:
        """A retry: the new images, images that now have their extra fields, and the sequences
        either touches (rebuilt from all images), as deletions and additions."""
        before = {img.id for img in self.previous.images}
        now_lacking = _lacking(res.images, self.query.fields)
        pictured = set(self.downloads.paths) & before if self.downloads is not None else set()
        refreshed = (lacking - now_lacking) | pictured  # (re-added with their new fields or picture)
        fresh = [img for img in res.images if img.id not in before or img.id in refreshed]
        touched = {img.sequence_id for img in fresh}
        records = {"images": fresh, "sequences": [s for s in res.sequences if s.id in touched]}
        stale = {"images": refreshed, "sequences": touched}
        changes = {}
        for kind, target in self.targets.items():
            change = Change()
            if stale[kind]:
                request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
                request.setSubsetOfAttributes(["id"], target.fields)
                change.delete = [f.id() for f in target.source.getFeatures(request) if f["id"] in stale[kind]]
            change.add = list(_fitted(kind, records[kind], target.fields, self.query.fields))
            if kind == "images":
                _set_files(change.add, target.fields, records["images"])
            changes[kind] = change
        return changes

    def finished(self, ok: bool) -> None:  # noqa: ARG002 (the outcome is in result/error)
        if self.on_finished is not None:
            self.on_finished(self)


def _table_has(path: str, table: str, name: str) -> bool:
    """Whether an existing GeoPackage table has the field (True when the table does not exist yet)."""
    ds = ogr.Open(path) if os.path.exists(path) else None
    try:
        lyr = ds.GetLayerByName(table) if ds is not None else None
        return lyr is None or lyr.GetLayerDefn().GetFieldIndex(name) >= 0
    finally:
        ds = None


def _add_files(layer: QgsVectorLayer, paths: dict[str, str]) -> None:
    """A ``file`` field on an image layer (still on the worker thread), set where a picture is on disk."""
    provider = layer.dataProvider()
    provider.addAttributes(layers.qgs_fields([(FILE_FIELD, "string")]).toList())
    layer.updateFields()
    index = layer.fields().indexOf(FILE_FIELD)
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["id"], layer.fields())
    changes = {f.id(): {index: paths[f["id"]]} for f in provider.getFeatures(request) if f["id"] in paths}
    if changes:
        provider.changeAttributeValues(changes)


def _set_files(features: list[QgsFeature], fields: QgsFields, images) -> None:
    """The pictures' paths on features a retry adds to a layer with a ``file`` field."""
    index = fields.indexOf(FILE_FIELD)
    if index < 0:
        return
    paths = {i.id: i.extra[FILE_FIELD] for i in images if i.extra and i.extra.get(FILE_FIELD)}
    for f in features:
        f.setAttribute(index, paths.get(f["id"]))


def _lacking(images, fields) -> set[str]:
    """Ids of images without all their extra fields."""
    return {images[k].id for k in lacking(images, fields)}


def _fitted(kind: str, records, fields: QgsFields, extra):
    """Features in the schema's columns, fitted to a layer's own fields (e.g. a GeoPackage's fid first)."""
    schema = layers.fields_for(kind, extra)
    if schema.names() == fields.names():
        yield from layers.features(kind, records, fields, extra)
        return
    where = [schema.indexOf(name) for name in fields.names()]
    for f in layers.features(kind, records, schema, extra):
        values = f.attributes()
        out = QgsFeature(fields)
        out.setGeometry(f.geometry())
        out.setAttributes([values[i] if i >= 0 else None for i in where])
        yield out


def table_names(path: str, kinds, append: bool) -> dict[str, str]:
    """This search's tables in a GeoPackage: the schema's names, or, when another search's tables are
    there and it does not append, the first free numbered pair (``images_2``, ``sequences_2``, …)."""
    base = {k: LAYERS[k].table for k in KINDS}
    if append or not os.path.exists(path):
        return {k: base[k] for k in kinds}
    ds = ogr.Open(path)
    try:
        taken = {ds.GetLayerByIndex(i).GetName() for i in range(ds.GetLayerCount())} if ds is not None else set()
    finally:
        ds = None
    n = 1
    while True:
        names = {k: base[k] if n == 1 else f"{base[k]}_{n}" for k in KINDS}
        if not taken & set(names.values()):
            return {k: names[k] for k in kinds}
        n += 1


@dataclass
class SearchRun:
    """A finished search and the layers it made: enough to fetch what is missing."""

    result: SearchResult
    output: Output
    group: str
    layer_ids: dict[str, str] = field(default_factory=dict)  # kind -> layer id
    tables: dict[str, str] = field(default_factory=dict)  # kind -> GeoPackage table

    @property
    def query(self) -> Query:
        return self.result.query


def open_folder(folder: str) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def downloads_outcome(outcome: Outcome, rep: DownloadReport, folder: str) -> tuple[Outcome, str]:
    """The search's outcome with what the downloads did: a sentence for the message, the report in the
    details, and a warning level when pictures are missing."""
    text = tr("{d} of {n} pictures downloaded into {folder}").format(d=f"{rep.downloaded:,}", n=f"{rep.total:,}",
                                                                    folder=folder)
    if rep.skipped:
        text += tr(", {s} already there").format(s=f"{rep.skipped:,}")
    if rep.failed:
        text += tr(", {f} failed").format(f=f"{len(rep.failed):,}")
    text += "."
    if rep.disk_full:
        text += " " + tr("The disk is full: the downloads stopped. Free some space and search again to fetch "
                         "the rest.")
    elif rep.stopped:
        text += " " + tr("The downloads stopped: {reason}").format(reason=rep.stopped)
    elif rep.cancelled:
        text += " " + tr("Downloads cancelled: {k} pictures not downloaded.").format(k=f"{len(rep.not_started):,}")
    details = outcome.details + "\n" + tr("Downloads: {summary}.").format(summary=rep.summary())
    level = outcome.level
    if not rep.complete and level in ("success", "info"):
        level = "warning"
    return replace(outcome, level=level, details=details), text


class Presenter:
    """One message bar item per outcome: a short sentence, the details behind a button, and the
    buttons the cause calls for. The same text goes to the message log."""

    def __init__(self, iface, settings: Callable[[], None]):
        self.iface = iface
        self.settings = settings
        self.boxes: list[QMessageBox] = []  # open detail windows

    def outcome(self, outcome: Outcome, cause: Cause | None, retry: Callable[[], object] | None = None,
                note: str = "", extra_buttons=()):
        text = outcome.text + (" " + note if note else "")
        buttons = []
        if retry is not None and outcome.resumable:
            buttons.append((tr("Retry the missing part"), retry))
        if cause == Cause.TOKEN:
            buttons.append((tr("Settings…"), self.settings))
        buttons.extend(extra_buttons)
        duration = 8 if outcome.level == "success" and not extra_buttons else 0
        return self.push(outcome.title, text, LEVELS[outcome.level], buttons, outcome.details, duration)

    def push(self, title: str, text: str, level: Qgis.MessageLevel, buttons=(), details: str = "",
             duration: int = 0):
        """A message bar item with optional buttons; also written to the message log."""
        bar = self.iface.messageBar()
        item = bar.createMessage(title, text)
        item.setProperty("details", details)
        if details:
            button = QPushButton(tr("Details"), item)
            button.clicked.connect(lambda _checked=False: self.details(title, text, details))
            item.layout().addWidget(button)
        for label, callback in buttons:
            button = QPushButton(label, item)
            button.clicked.connect(lambda _checked=False, cb=callback, it=item: (bar.popWidget(it), cb()))
            item.layout().addWidget(button)
        bar.pushWidget(item, level, duration)
        QgsMessageLog.logMessage(title + ": " + text + ("\n" + details if details else ""), LOG_TAG, level)
        return item

    def details(self, title: str, text: str, details: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Close,
                          self.iface.mainWindow())
        box.setDetailedText(details)
        box.setModal(False)
        box.finished.connect(lambda _r, b=box: self.boxes.remove(b) if b in self.boxes else None)
        self.boxes.append(box)
        box.show()
        return box


class SearchRunner(QObject):
    """Starts searches, keeps their runs, and places their layers. One per plugin."""

    taskStarted = pyqtSignal(object)  # SearchTask
    taskEnded = pyqtSignal(object)  # SearchTask
    settingsRequested = pyqtSignal()  # a message's "Settings…" button

    def __init__(self, iface, parent: QObject | None = None):
        super().__init__(parent)
        self.iface = iface
        self.presenter = Presenter(iface, self.settingsRequested.emit)
        self.tasks: list[SearchTask] = []  # keeps the Python side of running tasks alive (until placed)
        self.runs: list[SearchRun] = []
        self._detached = False
        self._completing: dict[int, SearchRun] = {}  # id(retry task) -> the run it completes

    # --- starting ---------------------------------------------------------
    def start(self, query: Query, output: Output) -> SearchTask | None:
        token = self._token()
        if not token:
            return None
        return self._launch(SearchTask(query, token, output, description=self.describe(query)))

    def retry(self, run: SearchRun) -> SearchTask | None:
        """Fetch what the run misses (parts, extra fields) and add it to its layers."""
        token = self._token()
        if not token:
            return None
        project = QgsProject.instance()
        targets = {}
        for kind, layer_id in run.layer_ids.items():
            layer = project.mapLayer(layer_id)
            if isinstance(layer, QgsVectorLayer) and layer.isValid():
                targets[kind] = Target(QgsVectorLayerFeatureSource(layer), layer.fields())
        task = SearchTask(run.query, token, run.output, previous=run.result, targets=targets,
                          description=tr("Mapillary search: the missing part of {what}").format(
                              what=run.query.describe()))
        return self._launch(task, run)

    def _token(self) -> str | None:
        token = auth.get_token()
        if not token:
            self.presenter.push(tr("No Mapillary token"),
                                tr("Paste your Mapillary client token in the plugin settings first."),
                                Qgis.MessageLevel.Warning, [(tr("Settings…"), self.settingsRequested.emit)])
        return token

    def _launch(self, task: SearchTask, run: SearchRun | None = None) -> SearchTask:
        task.on_finished = self._finished
        self.tasks.append(task)
        if run is not None:
            self._completing[id(task)] = run
        QgsApplication.taskManager().addTask(task)
        self.taskStarted.emit(task)
        return task

    def cancel_all(self, detach: bool = False) -> None:
        """Cancel every running search; ``detach`` (on unload) also drops what they would do at the end."""
        self._detached = detach
        for task in list(self.tasks):
            if detach:
                task.on_finished = None
            task.cancel()
        if detach:
            self.tasks.clear()

    @staticmethod
    def describe(query: Query) -> str:
        return tr("Mapillary search: {what}").format(what=query.describe())

    # --- ending (main thread) -----------------------------------------------
    def _finished(self, task: SearchTask) -> None:
        try:
            run = self._completing.pop(id(task), None)
            if task.error is not None:
                self._end(task)
                self.presenter.push(tr("Mapillary search failed"),
                                    tr("Unexpected error: {e}. The details are in the message log.").format(
                                        e=type(task.error).__name__), Qgis.MessageLevel.Critical,
                                    details=task.trace or repr(task.error))
                return
            if task.result is None:  # cancelled before it started
                self._end(task)
                self.presenter.push(tr("Mapillary search cancelled"), tr("Nothing was fetched."),
                                    Qgis.MessageLevel.Info, duration=5)
                return
            if run is not None and task.built.changes:
                self._update(task, run)
            else:
                self._place(task, run)
        except Exception:
            self._end(task)
            raise

    def _end(self, task: SearchTask) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        self.taskEnded.emit(task)

    def _present(self, task: SearchTask, run: SearchRun) -> None:
        res = task.result
        outcome = describe(res, translate)
        note, buttons = task.built.note, []
        if task.downloads is not None:
            outcome, said = downloads_outcome(outcome, task.downloads, task.output.download_dir)
            note = (note + " " + said).strip()
            folder = task.output.download_dir
            buttons.append((tr("Open folder"), lambda: open_folder(folder)))
        self.presenter.outcome(outcome, res.report.cause, lambda: self.retry(run), note, buttons)

    def _keep(self, run: SearchRun) -> None:
        if run not in self.runs:
            self.runs = self.runs[-9:] + [run]

    def _place(self, task: SearchTask, run: SearchRun | None) -> None:
        """A first search (or a retry whose layers are gone): new layers in a new group."""
        res, out = task.result, task.output
        if run is None:
            run = SearchRun(res, out, self.group_name(res.query))
        run.result, run.layer_ids, run.tables = res, {}, {}
        self._keep(run)
        made = dict(task.built.layers)
        for kind, table in task.built.tables.items():
            layer = QgsVectorLayer(f"{out.gpkg}|layername={table}",
                                   layers.layer_name(kind, len(getattr(res, kind)), res.complete), "ogr")
            if not layer.isValid():
                self.presenter.push(tr("Mapillary search"), tr("Could not open {path}.").format(path=out.gpkg),
                                    Qgis.MessageLevel.Critical)
                continue
            layers.decorate(layer, kind, res.query, res.report)
            made[kind] = layer
            run.tables[kind] = table
        if made:
            self._add_group(run, made)
        self._end(task)
        self._present(task, run)

    def _add_group(self, run: SearchRun, made: dict[str, QgsVectorLayer]) -> None:
        project = QgsProject.instance()
        root = project.layerTreeRoot()
        for node in root.children():  # the newest search stands out: earlier ones fold up
            if isinstance(node, QgsLayerTreeGroup) and node.customProperty(GROUP_PROPERTY):
                node.setExpanded(False)
        group = root.insertGroup(0, run.group)
        group.setCustomProperty(GROUP_PROPERTY, run.query.describe())
        full = tr("Mapillary search: {what}, {when}").format(what=run.query.describe(),
                                                            when=datetime.now().strftime("%Y-%m-%d %H:%M"))
        group.setCustomProperty("mapillary_retriever/description", full)
        if hasattr(group, "serverProperties"):  # QGIS ≥ 3.42: the group's title and abstract
            group.serverProperties().setTitle(run.group)
            group.serverProperties().setAbstract(full)
        else:  # what QGIS 3.40's "Set Group WMS Data…" shows
            group.setCustomProperty("wmsTitle", run.group)
            group.setCustomProperty("wmsAbstract", full)
        for kind in KINDS:
            layer = made.get(kind)
            if layer is None:
                continue
            layer.setCustomProperty(KIND_PROPERTY, kind)
            layer.setCustomProperty(QUERY_PROPERTY, json.dumps(run.query.to_dict()))
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            run.layer_ids[kind] = layer.id()
        self._zoom_to(list(made.values()))

    def _zoom_to(self, made: list[QgsVectorLayer]) -> None:
        """Show the result, unless it is already in view."""
        canvas = self.iface.mapCanvas()
        if canvas is None:
            return
        dest = canvas.mapSettings().destinationCrs()
        extent = QgsRectangle()
        for layer in made:
            box = layer.extent()
            if box.isNull():
                continue
            try:
                box = QgsCoordinateTransform(layer.crs(), dest, QgsProject.instance()).transformBoundingBox(box)
            except Exception:  # noqa: BLE001 (a CRS that cannot hold the result: leave the view alone)
                return
            extent.combineExtentWith(box)
        if extent.isNull() or canvas.extent().contains(extent):
            return
        if extent.width() == 0 or extent.height() == 0:
            extent.grow(max(extent.width(), extent.height(), 1e-3 if dest.isGeographic() else 100.0))
        else:
            extent.scale(1.1)
        canvas.setExtent(extent)
        canvas.refresh()

    def _update(self, task: SearchTask, run: SearchRun) -> None:
        """A retry: feed its changes into the run's layers a chunk at a time, then present."""
        res = task.result
        project = QgsProject.instance()
        steps = []
        for kind, change in task.built.changes.items():
            layer = project.mapLayer(run.layer_ids.get(kind, ""))
            if layer is None:
                continue
            if change.delete:
                steps.append(lambda lyr=layer, ids=change.delete: lyr.dataProvider().deleteFeatures(ids))
            for i in range(0, len(change.add), CHUNK):
                steps.append(lambda lyr=layer, part=change.add[i:i + CHUNK]: lyr.dataProvider().addFeatures(part))

        def done():
            run.result = res
            for kind, layer_id in run.layer_ids.items():
                layer = project.mapLayer(layer_id)
                if layer is None:
                    continue
                layer.updateExtents()
                layer.setName(layers.layer_name(kind, len(getattr(res, kind)), res.complete))
                layers.set_metadata(layer, kind, res.query, res.report)
                layer.triggerRepaint()
            self._end(task)
            self._present(task, run)

        self._feed(steps, done)

    def _feed(self, steps: list[Callable[[], object]], done: Callable[[], None]) -> None:
        """Run the steps one per event-loop turn, so the main thread never blocks for long."""
        def next_step():
            if self._detached:
                return
            if steps:
                steps.pop(0)()
                QTimer.singleShot(0, next_step)
            else:
                done()

        next_step()

    # --- names --------------------------------------------------------------
    @staticmethod
    def group_name(query: Query, limit: int = 60) -> str:
        """Short: "Mapillary 14:05 · 250 m around 6.13000,49.61000" (the full search is in the group's abstract)."""
        name = tr("Mapillary {time} · {what}").format(time=datetime.now().strftime("%H:%M"), what=query.describe())
        return name if len(name) <= limit else name[:limit - 1].rstrip(" ,·") + "…"
