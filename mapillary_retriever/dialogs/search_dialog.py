"""The search dialog: area, filters, extra fields and output; validated as you type.

Non-modal. It builds an ``api.Query`` on every change (so the engine's own
messages explain what is wrong) and keeps Search disabled until it is valid.
While open, the search area and look-at point are drawn on the canvas.
"""

from __future__ import annotations

import os

from qgis.core import Qgis, QgsCsException, QgsRectangle, QgsWkbTypes
from qgis.gui import (
    QgsCollapsibleGroupBox,
    QgsDoubleSpinBox,
    QgsFileWidget,
    QgsMapCanvas,
    QgsMapLayerComboBox,
    QgsRubberBand,
    QgsSpinBox,
    QgsVertexMarker,
)
from qgis.PyQt.QtCore import QDate, QSize, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import auth, settings
from ..api import Progress, Query, QueryError
from ..api.query import DEFAULT_RADIUS, DEFAULT_TOLERANCE, EXTRA_FIELDS
from ..task import Output, SearchTask
from .common import (
    WGS84,
    box_wgs84,
    circle_wgs84,
    format_bbox,
    format_lonlat,
    geometry_from_wgs84,
    icon,
    rect_to_wgs84,
    tr,
    transform,
)

AREA_MODES = ("canvas", "layer", "box", "point")
FIELD_LABELS = {
    "username": "Username", "make": "Camera make", "model": "Camera model", "camera_type": "Camera type",
    "computed_geometry": "Computed position", "computed_compass_angle": "Computed direction",
    "altitude": "Altitude", "computed_altitude": "Computed altitude", "quality_score": "Quality score",
    "width": "Width", "height": "Height",
}
AREA_COLOR = QColor("#05CB63")
MERCATOR_LAT = 85.05112878  # the vector tiles stop here


class SearchDialog(QDialog):
    searchRequested = pyqtSignal(object, object)  # Query, Output
    cancelRequested = pyqtSignal()
    drawBoxRequested = pyqtSignal()
    pickPointRequested = pyqtSignal(str)  # "closeto" or "lookat"
    settingsRequested = pyqtSignal()

    def __init__(self, iface, parent: QWidget | None = None):
        super().__init__(parent)
        self.iface = iface
        self.canvas: QgsMapCanvas = iface.mapCanvas()
        self.setWindowTitle(tr("Mapillary Retriever: search images and sequences"))
        self.setWindowIcon(icon("mapillary_retriever"))
        self.setModal(False)
        self.query: Query | None = None
        self.problem = ""
        self.task: SearchTask | None = None
        self.has_token = False
        self._restoring = False
        self._build()
        self._make_preview()
        self.restore(settings.load_form())
        self.refresh_token()
        self.canvas.extentsChanged.connect(self._canvas_changed)
        self.canvas.destinationCrsChanged.connect(self._canvas_changed)

    # --- building ---------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setSpacing(8)

        self.token_banner = QFrame(self)
        self.token_banner.setObjectName("tokenBanner")
        self.token_banner.setStyleSheet(
            "#tokenBanner { background: #fff4d6; border: 1px solid #e0b84a; border-radius: 4px; }")
        banner = QHBoxLayout(self.token_banner)
        self.token_text = QLabel(tr(
            "<b>No Mapillary token yet.</b> Searching needs a free client token: open the settings, "
            "follow the link to Mapillary's developer page and paste the token there."), self.token_banner)
        self.token_text.setWordWrap(True)
        banner.addWidget(self.token_text, 1)
        token_button = QPushButton(icon("settings"), tr("Settings…"), self.token_banner)
        token_button.clicked.connect(self.settingsRequested)
        banner.addWidget(token_button)
        root.addWidget(self.token_banner)

        root.addWidget(self._area_group())
        root.addWidget(self._filter_group())
        root.addWidget(self._fields_group())
        root.addWidget(self._output_group())

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(34)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        root.addWidget(self.status)

        progress_row = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress_label = QLabel(self)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label, 1)
        root.addLayout(progress_row)

        buttons = QHBoxLayout()
        self.settings_button = QPushButton(icon("settings"), tr("Settings…"), self)
        self.settings_button.clicked.connect(self.settingsRequested)
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        self.cancel_button = QPushButton(tr("Cancel search"), self)
        self.cancel_button.clicked.connect(self.cancelRequested)
        buttons.addWidget(self.cancel_button)
        self.close_button = QPushButton(tr("Close"), self)
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.close_button)
        self.search_button = QPushButton(icon("search"), tr("Search"), self)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.request_search)
        buttons.addWidget(self.search_button)
        root.addLayout(buttons)
        self._set_running(False)
        self.setMinimumWidth(560)

    def _area_group(self) -> QGroupBox:
        group = QGroupBox(tr("Where"), self)
        form = QFormLayout(group)
        self.area_combo = QComboBox(group)
        for mode, label in (("canvas", tr("Current map extent")), ("layer", tr("Extent of a layer")),
                            ("box", tr("A box (drawn on the map or typed)")),
                            ("point", tr("Around a point (radius)"))):
            self.area_combo.addItem(label, mode)
        form.addRow(tr("Area"), self.area_combo)

        self.area_stack = QStackedWidget(group)
        self.canvas_label = QLabel(group)
        self.canvas_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.area_stack.addWidget(self.canvas_label)

        self.layer_combo = QgsMapLayerComboBox(group)
        self.layer_combo.setFilters(Qgis.LayerFilters(Qgis.LayerFilter.HasGeometry | Qgis.LayerFilter.RasterLayer))
        self.layer_combo.setAllowEmptyLayer(False)
        self.area_stack.addWidget(self.layer_combo)

        box_page = QWidget(group)
        row = QHBoxLayout(box_page)
        row.setContentsMargins(0, 0, 0, 0)
        self.bbox_edit = QLineEdit(box_page)
        self.bbox_edit.setPlaceholderText(tr("minLon, minLat, maxLon, maxLat (WGS84)"))
        row.addWidget(self.bbox_edit, 1)
        self.draw_button = _tool_button(box_page, "draw_box", tr("Draw the box on the map"))
        self.draw_button.clicked.connect(self.drawBoxRequested)
        row.addWidget(self.draw_button)
        self.area_stack.addWidget(box_page)

        point_page = QWidget(group)
        row = QHBoxLayout(point_page)
        row.setContentsMargins(0, 0, 0, 0)
        self.point_edit = QLineEdit(point_page)
        self.point_edit.setPlaceholderText(tr("lon, lat (WGS84)"))
        row.addWidget(self.point_edit, 1)
        self.pick_point_button = _tool_button(point_page, "pick_point", tr("Click the point on the map"))
        self.pick_point_button.clicked.connect(lambda: self.pickPointRequested.emit("closeto"))
        row.addWidget(self.pick_point_button)
        row.addWidget(QLabel(tr("radius"), point_page))
        self.radius_spin = QgsDoubleSpinBox(point_page)
        self.radius_spin.setRange(1, 50_000)
        self.radius_spin.setDecimals(0)
        self.radius_spin.setSingleStep(50)
        self.radius_spin.setSuffix(" m")
        self.radius_spin.setClearValue(DEFAULT_RADIUS)
        self.radius_spin.setValue(DEFAULT_RADIUS)
        row.addWidget(self.radius_spin)
        self.area_stack.addWidget(point_page)
        form.addRow("", self.area_stack)

        self.lookat_check = QCheckBox(tr("Looking at"), group)
        lookat_row = QHBoxLayout()
        self.lookat_edit = QLineEdit(group)
        self.lookat_edit.setPlaceholderText(tr("lon, lat of what the images should show"))
        lookat_row.addWidget(self.lookat_edit, 1)
        self.pick_lookat_button = _tool_button(group, "pick_lookat", tr("Click the look-at point on the map"))
        self.pick_lookat_button.clicked.connect(lambda: self.pickPointRequested.emit("lookat"))
        lookat_row.addWidget(self.pick_lookat_button)
        lookat_row.addWidget(QLabel("±", group))
        self.tolerance_spin = QgsDoubleSpinBox(group)
        self.tolerance_spin.setRange(1, 180)
        self.tolerance_spin.setDecimals(0)
        self.tolerance_spin.setSuffix(" °")
        self.tolerance_spin.setClearValue(DEFAULT_TOLERANCE)
        self.tolerance_spin.setValue(DEFAULT_TOLERANCE)
        self.tolerance_spin.setToolTip(tr("An image counts when the look-at point is within this angle of its "
                                          "viewing direction. Panoramas always count."))
        lookat_row.addWidget(self.tolerance_spin)
        form.addRow(self.lookat_check, lookat_row)

        self.area_combo.currentIndexChanged.connect(self._area_mode_changed)
        self.layer_combo.layerChanged.connect(self.validate)
        for w in (self.bbox_edit, self.point_edit, self.lookat_edit):
            w.textChanged.connect(self.validate)
        self.radius_spin.valueChanged.connect(self.validate)
        self.tolerance_spin.valueChanged.connect(self.validate)
        self.lookat_check.toggled.connect(self._lookat_toggled)
        return group

    def _filter_group(self) -> QGroupBox:
        group = QGroupBox(tr("Which images"), self)
        grid = QGridLayout(group)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.from_check = QCheckBox(tr("Captured from"), group)
        self.from_date = _date_edit(group, QDate.currentDate().addYears(-1))
        self.to_check = QCheckBox(tr("to (inclusive)"), group)
        self.to_date = _date_edit(group, QDate.currentDate())
        grid.addWidget(self.from_check, 0, 0)
        grid.addWidget(self.from_date, 0, 1)
        grid.addWidget(self.to_check, 0, 2)
        grid.addWidget(self.to_date, 0, 3)

        self.usernames_edit = QLineEdit(group)
        self.usernames_edit.setPlaceholderText(tr("any; e.g. alice, bob"))
        self.userkeys_edit = QLineEdit(group)
        self.userkeys_edit.setPlaceholderText(tr("creator ids (numbers)"))
        grid.addWidget(QLabel(tr("Usernames"), group), 1, 0)
        grid.addWidget(self.usernames_edit, 1, 1)
        grid.addWidget(QLabel(tr("User keys"), group), 1, 2)
        grid.addWidget(self.userkeys_edit, 1, 3)

        self.pano_combo = QComboBox(group)
        for value, label in (("any", tr("Any")), ("only", tr("Only panoramas")), ("exclude", tr("No panoramas"))):
            self.pano_combo.addItem(label, value)
        self.org_edit = QLineEdit(group)
        self.org_edit.setPlaceholderText(tr("any; organization id"))
        grid.addWidget(QLabel(tr("Panoramas"), group), 2, 0)
        grid.addWidget(self.pano_combo, 2, 1)
        grid.addWidget(QLabel(tr("Organization"), group), 2, 2)
        grid.addWidget(self.org_edit, 2, 3)

        self.max_spin = QgsSpinBox(group)
        self.max_spin.setRange(0, 10_000_000)
        self.max_spin.setSingleStep(100)
        self.max_spin.setSpecialValueText(tr("No limit"))
        self.max_spin.setClearValue(0)
        self.max_spin.setToolTip(tr("Keep at most this many images: the nearest for a point search, "
                                    "the newest otherwise."))
        grid.addWidget(QLabel(tr("Max images"), group), 3, 0)
        grid.addWidget(self.max_spin, 3, 1)

        for w in (self.from_check, self.to_check):
            w.toggled.connect(self._dates_toggled)
        for w in (self.from_date, self.to_date):
            w.dateChanged.connect(self.validate)
        for w in (self.usernames_edit, self.userkeys_edit, self.org_edit):
            w.textChanged.connect(self.validate)
        self.pano_combo.currentIndexChanged.connect(self.validate)
        self.max_spin.valueChanged.connect(self.validate)
        return group

    def _fields_group(self) -> QgsCollapsibleGroupBox:
        group = QgsCollapsibleGroupBox(tr("Extra fields (from the Graph API: one more request per 100 images)"),
                                       self)
        group.setObjectName("mapillaryExtraFields")
        group.setSaveCollapsedState(False)
        grid = QGridLayout(group)
        self.field_checks: dict[str, QCheckBox] = {}
        for n, name in enumerate(EXTRA_FIELDS):
            check = QCheckBox(tr(FIELD_LABELS.get(name, name)), group)
            check.setToolTip(name)
            check.toggled.connect(self.validate)
            self.field_checks[name] = check
            grid.addWidget(check, n // 3, n % 3)
        group.setCollapsed(True)
        self.fields_group = group
        return group

    def _output_group(self) -> QGroupBox:
        group = QGroupBox(tr("Output"), self)
        form = QFormLayout(group)
        row = QHBoxLayout()
        self.images_check = QCheckBox(tr("Images (points)"), group)
        self.sequences_check = QCheckBox(tr("Sequences (lines)"), group)
        row.addWidget(self.images_check)
        row.addWidget(self.sequences_check)
        row.addStretch(1)
        form.addRow(tr("Produce"), row)

        row = QHBoxLayout()
        self.memory_radio = QRadioButton(tr("Temporary layers"), group)
        self.gpkg_radio = QRadioButton(tr("A GeoPackage:"), group)
        self.dest_group = QButtonGroup(group)
        self.dest_group.addButton(self.memory_radio)
        self.dest_group.addButton(self.gpkg_radio)
        row.addWidget(self.memory_radio)
        row.addStretch(1)
        self.append_combo = QComboBox(group)
        self.append_combo.addItem(tr("replace its layers"), False)
        self.append_combo.addItem(tr("append to its layers"), True)
        form.addRow(tr("Into"), row)
        row = QHBoxLayout()
        row.addWidget(self.gpkg_radio)
        self.gpkg_widget = QgsFileWidget(group)
        self.gpkg_widget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.gpkg_widget.setFilter(tr("GeoPackage (*.gpkg)"))
        self.gpkg_widget.setConfirmOverwrite(False)
        row.addWidget(self.gpkg_widget, 1)
        row.addWidget(self.append_combo)
        form.addRow("", row)

        for w in (self.images_check, self.sequences_check, self.memory_radio):
            w.toggled.connect(self.validate)
        self.gpkg_radio.toggled.connect(self._destination_toggled)
        self.gpkg_widget.fileChanged.connect(self.validate)
        self.append_combo.currentIndexChanged.connect(self.validate)
        return group

    # --- canvas preview ---------------------------------------------------
    def _make_preview(self) -> None:
        self.area_band = QgsRubberBand(self.canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
        fill = QColor(AREA_COLOR)
        fill.setAlpha(22)
        self.area_band.setFillColor(fill)
        self.area_band.setStrokeColor(AREA_COLOR)
        self.area_band.setWidth(2)
        self.area_band.setLineStyle(Qt.PenStyle.DashLine)
        self.center_marker = QgsVertexMarker(self.canvas)
        self.center_marker.setIconType(QgsVertexMarker.IconType.ICON_CROSS)
        self.center_marker.setColor(AREA_COLOR)
        self.center_marker.setIconSize(14)
        self.center_marker.setPenWidth(3)
        self.lookat_marker = QgsVertexMarker(self.canvas)
        self.lookat_marker.setIconType(QgsVertexMarker.IconType.ICON_X)
        self.lookat_marker.setColor(QColor("#ff2d78"))
        self.lookat_marker.setIconSize(14)
        self.lookat_marker.setPenWidth(3)
        self._hide_preview()

    def _hide_preview(self) -> None:
        self.area_band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)
        self.center_marker.hide()
        self.lookat_marker.hide()

    def update_preview(self) -> None:
        """Draw the search area (box or circle) and the look-at point, in the canvas CRS."""
        self._hide_preview()
        q = self.query
        if q is None or not self.isVisible() or self.area_mode() == "canvas":
            return
        crs = self.canvas.mapSettings().destinationCrs()
        try:
            if q.bbox is not None:
                geom = box_wgs84(*q.bbox)
            else:
                lon, lat = q.center
                geom = circle_wgs84(lon, lat, q.radius)
                self.center_marker.setCenter(transform(WGS84, crs).transform(lon, lat))
                self.center_marker.show()
            self.area_band.setToGeometry(geometry_from_wgs84(geom, crs), None)
            if q.lookat is not None:
                self.lookat_marker.setCenter(transform(WGS84, crs).transform(*q.lookat))
                self.lookat_marker.show()
        except Exception:  # noqa: BLE001 (a point outside the project CRS's area: no preview)
            self._hide_preview()

    def remove_preview(self) -> None:
        """Take the preview items off the canvas for good (plugin unload)."""
        for item in (self.area_band, self.center_marker, self.lookat_marker):
            self.canvas.scene().removeItem(item)
        for signal in (self.canvas.extentsChanged, self.canvas.destinationCrsChanged):
            try:
                signal.disconnect(self._canvas_changed)
            except TypeError:
                pass

    # --- filling from map tools -----------------------------------------
    def set_box(self, rect: QgsRectangle) -> None:
        """A WGS84 box (from the box tool)."""
        self.bbox_edit.setText(format_bbox(rect))
        self.area_combo.setCurrentIndex(AREA_MODES.index("box"))

    def set_point(self, lon: float, lat: float, lookat: bool = False) -> None:
        """A WGS84 point (from the point tool): the search point or the look-at point."""
        if lookat:
            self.lookat_edit.setText(format_lonlat(lon, lat))
            self.lookat_check.setChecked(True)
            if self.area_mode() != "point" and not self.point_edit.text().strip():
                self.point_edit.setText(format_lonlat(lon, lat))
        else:
            self.point_edit.setText(format_lonlat(lon, lat))
        if self.area_mode() != "point" and (not lookat or self.area_mode() == "canvas"):
            self.area_combo.setCurrentIndex(AREA_MODES.index("point"))

    # --- reading the form -------------------------------------------------
    def area_mode(self) -> str:
        return self.area_combo.currentData() or "canvas"

    def area_text(self) -> tuple[str | None, str | None]:
        """(bbox, closeto) as text for Query.build; raises QueryError for an unusable layer."""
        mode = self.area_mode()
        if mode == "box":
            return self.bbox_edit.text(), None
        if mode == "point":
            return None, self.point_edit.text()
        if mode == "canvas":
            rect = self.canvas_extent()
            if rect is None:
                raise QueryError(tr("The map extent cannot be converted to longitudes and latitudes."))
        else:
            layer = self.layer_combo.currentLayer()
            if layer is None:
                raise QueryError(tr("Choose a layer whose extent to search."))
            extent = layer.extent()
            if extent.isNull():
                raise QueryError(tr("The layer {name} has no extent (is it empty?).").format(name=layer.name()))
            try:
                rect = _clamp(rect_to_wgs84(extent, layer.crs()))
            except QgsCsException:
                raise QueryError(tr("The extent of {name} cannot be converted to longitudes and latitudes.").format(
                    name=layer.name())) from None
        return format_bbox(rect), None

    def canvas_extent(self) -> QgsRectangle | None:
        """The canvas extent in WGS84, or None when it cannot be transformed."""
        try:
            return _clamp(rect_to_wgs84(self.canvas.extent(), self.canvas.mapSettings().destinationCrs()))
        except QgsCsException:
            return None

    def build_query(self) -> Query:
        """The form as a query; raises QueryError with the engine's message."""
        bbox, closeto = self.area_text()
        end = None
        if self.to_check.isChecked():
            end = self.to_date.date().addDays(1).toString(Qt.DateFormat.ISODate)  # the engine's end is exclusive
        if bbox is not None and not bbox.strip():
            raise QueryError(tr("Type a box (minLon, minLat, maxLon, maxLat) or draw it on the map."))
        if closeto is not None and not closeto.strip():
            raise QueryError(tr("Type a point (lon, lat) or click it on the map."))
        lookat = self.lookat_edit.text() if self.lookat_check.isChecked() else None
        if lookat is not None and not lookat.strip():
            raise QueryError(tr("Type the look-at point (lon, lat) or click it on the map."))
        return Query.build(
            bbox=bbox, closeto=closeto, radius=self.radius_spin.value() if closeto is not None else None,
            lookat=lookat, tolerance=self.tolerance_spin.value(),
            start_time=self.from_date.date().toString(Qt.DateFormat.ISODate) if self.from_check.isChecked() else None,
            end_time=end, usernames=self.usernames_edit.text(), userkeys=self.userkeys_edit.text(),
            pano=self.pano_combo.currentData(), organization_id=self.org_edit.text(),
            max_features=self.max_spin.value() or None,
            fields=[name for name, check in self.field_checks.items() if check.isChecked()])

    def build_output(self) -> Output:
        """Where the results go; raises QueryError when that is not usable."""
        out = Output(images=self.images_check.isChecked(), sequences=self.sequences_check.isChecked())
        if not (out.images or out.sequences):
            raise QueryError(tr("Choose what to produce: images, sequences or both."))
        if self.gpkg_radio.isChecked():
            path = self.gpkg_widget.filePath().strip()
            if not path:
                raise QueryError(tr("Choose the GeoPackage file to write."))
            if not path.lower().endswith(".gpkg"):
                raise QueryError(tr("The output file must end in .gpkg."))
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise QueryError(tr("The folder {folder} does not exist.").format(folder=folder))
            out.gpkg = path
            out.append = bool(self.append_combo.currentData())
        return out

    # --- validation -------------------------------------------------------
    def validate(self) -> bool:
        if self._restoring:
            return False
        self.query, self.problem = None, ""
        try:
            self.query = self.build_query()
            self.build_output()
        except QueryError as e:
            self.problem = e.message
        if self.problem:
            self._set_status(self.problem, "warning")
        elif not self.has_token:
            self.problem = tr("No Mapillary token: open the settings to paste one.")
            self._set_status(self.problem, "warning")
        else:
            self._set_status(tr("Ready to search {what}.").format(what=self.query.describe()), "ok")
        self.search_button.setEnabled(not self.problem and self.task is None)
        self.search_button.setToolTip(self.problem)
        self.update_preview()
        return not self.problem

    def _set_status(self, text: str, kind: str) -> None:
        color = {"warning": "#b35c00", "ok": "#1d7a46", "info": "palette(text)"}[kind]
        mark = {"warning": "⚠", "ok": "✔", "info": "ℹ"}[kind]
        self.status.setText(f"<span style='color:{color}'>{mark} {_escape(text)}</span>")

    def refresh_token(self) -> None:
        """Re-read whether a token is available (after the settings change)."""
        self.has_token = bool(auth.get_token())
        self.token_banner.setVisible(not self.has_token)
        self.validate()

    # --- searching --------------------------------------------------------
    def request_search(self) -> None:
        if not self.validate():
            return
        self.save()
        self.searchRequested.emit(self.query, self.build_output())

    def attach_task(self, task: SearchTask) -> None:
        """Follow a running search: progress, cancel, and back to idle when it ends."""
        self.task = task
        task.progressed.connect(self.on_progress)
        self._set_running(True)
        self.progress.setValue(0)
        self.progress_label.setText(tr("Starting…"))
        self.search_button.setEnabled(False)

    def task_ended(self, task: SearchTask) -> None:
        if task is not self.task:
            return
        self.task = None
        self._set_running(False)
        res = task.result
        if res is not None:
            self.progress_label.setText(
                tr("{n} images found.").format(n=f"{len(res.images):,}") if res.report.complete
                else tr("Stopped: {n} images kept.").format(n=f"{len(res.images):,}"))
        else:
            self.progress_label.setText(tr("Failed: see the message bar."))
        self.validate()

    def on_progress(self, p: Progress) -> None:
        self.progress.setValue(round(SearchTask.percent(p)))  # as the task manager shows it
        if p.stage in ("tiles", "boxes"):
            text = tr("Map tiles {done} / {total} · {found} images found") if p.stage == "tiles" else \
                tr("Boxes {done} / {total} · {found} images found")
        elif p.stage == "fields":
            text = tr("Extra fields {done} / {total} batches · {found} images")
        elif p.stage == "users":
            text = tr("Looking up users {done} / {total}")
        else:
            text = tr("Building layers · {found} images")
        self.progress_label.setText(text.format(done=p.done, total=p.total, found=f"{p.found:,}"))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    # --- state ------------------------------------------------------------
    def state(self) -> dict:
        return {
            "area": self.area_mode(), "bbox": self.bbox_edit.text(), "point": self.point_edit.text(),
            "radius": self.radius_spin.value(), "lookat_on": self.lookat_check.isChecked(),
            "lookat": self.lookat_edit.text(), "tolerance": self.tolerance_spin.value(),
            "from_on": self.from_check.isChecked(), "from": self.from_date.date().toString(Qt.DateFormat.ISODate),
            "to_on": self.to_check.isChecked(), "to": self.to_date.date().toString(Qt.DateFormat.ISODate),
            "usernames": self.usernames_edit.text(), "userkeys": self.userkeys_edit.text(),
            "pano": self.pano_combo.currentData(), "organization": self.org_edit.text(),
            "max": self.max_spin.value(), "fields": [n for n, c in self.field_checks.items() if c.isChecked()],
            "images": self.images_check.isChecked(), "sequences": self.sequences_check.isChecked(),
            "gpkg_on": self.gpkg_radio.isChecked(), "gpkg": self.gpkg_widget.filePath(),
            "append": bool(self.append_combo.currentData()),
        }

    def restore(self, s: dict) -> None:
        self._restoring = True
        try:
            mode = s.get("area", "canvas")
            self.area_combo.setCurrentIndex(AREA_MODES.index(mode) if mode in AREA_MODES else 0)
            self.bbox_edit.setText(str(s.get("bbox", "")))
            self.point_edit.setText(str(s.get("point", "")))
            self.radius_spin.setValue(float(s.get("radius", DEFAULT_RADIUS)))
            self.lookat_check.setChecked(bool(s.get("lookat_on", False)))
            self.lookat_edit.setText(str(s.get("lookat", "")))
            self.tolerance_spin.setValue(float(s.get("tolerance", DEFAULT_TOLERANCE)))
            for check, edit, key in ((self.from_check, self.from_date, "from"), (self.to_check, self.to_date, "to")):
                check.setChecked(bool(s.get(key + "_on", False)))
                date = QDate.fromString(str(s.get(key, "")), Qt.DateFormat.ISODate)
                if date.isValid():
                    edit.setDate(date)
            self.usernames_edit.setText(str(s.get("usernames", "")))
            self.userkeys_edit.setText(str(s.get("userkeys", "")))
            self.pano_combo.setCurrentIndex(max(0, self.pano_combo.findData(s.get("pano", "any"))))
            self.org_edit.setText(str(s.get("organization", "")))
            self.max_spin.setValue(int(s.get("max", 0) or 0))
            fields = set(s.get("fields", []))
            for name, check in self.field_checks.items():
                check.setChecked(name in fields)
            if fields:
                self.fields_group.setCollapsed(False)
            self.images_check.setChecked(bool(s.get("images", True)))
            self.sequences_check.setChecked(bool(s.get("sequences", True)))
            (self.gpkg_radio if s.get("gpkg_on") else self.memory_radio).setChecked(True)
            self.gpkg_widget.setFilePath(str(s.get("gpkg", "")))
            self.append_combo.setCurrentIndex(1 if s.get("append") else 0)
        except (TypeError, ValueError):
            pass  # an unreadable saved form: keep what could be restored
        finally:
            self._restoring = False
        self._area_mode_changed()
        self._lookat_toggled()
        self._destination_toggled()
        self._dates_toggled()

    def save(self) -> None:
        settings.save_form(self.state())

    # --- reactions --------------------------------------------------------
    def _area_mode_changed(self) -> None:
        self.area_stack.setCurrentIndex(AREA_MODES.index(self.area_mode()))
        if self.area_mode() == "canvas":
            self._canvas_changed()
        else:
            self.validate()

    def _lookat_toggled(self) -> None:
        on = self.lookat_check.isChecked()
        for w in (self.lookat_edit, self.pick_lookat_button, self.tolerance_spin):
            w.setEnabled(on)
        self.validate()

    def _destination_toggled(self) -> None:
        for w in (self.gpkg_widget, self.append_combo):
            w.setEnabled(self.gpkg_radio.isChecked())
        self.validate()

    def _dates_toggled(self) -> None:
        self.from_date.setEnabled(self.from_check.isChecked())
        self.to_date.setEnabled(self.to_check.isChecked())
        self.validate()

    def _canvas_changed(self) -> None:
        if self.area_mode() == "canvas":
            rect = self.canvas_extent()
            text = "–" if rect is None else tr("{w:.4f}° × {h:.4f}° around {lat:.5f}, {lon:.5f}").format(
                w=rect.width(), h=rect.height(), lat=rect.center().y(), lon=rect.center().x())
            self.canvas_label.setText(text)
            self.validate()
        else:
            self.update_preview()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_token()

    def hideEvent(self, event) -> None:
        self._hide_preview()
        self.save()
        super().hideEvent(event)


def _tool_button(parent: QWidget, icon_name: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setIcon(icon(icon_name))
    button.setIconSize(QSize(20, 20))
    button.setToolTip(tip)
    return button


def _date_edit(parent: QWidget, date: QDate) -> QDateEdit:
    edit = QDateEdit(date, parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(2013, 1, 1))  # Mapillary started in 2013
    return edit


def _clamp(rect: QgsRectangle) -> QgsRectangle:
    """Keep a WGS84 box inside the valid (and tiled) range of longitudes and latitudes."""
    return QgsRectangle(max(rect.xMinimum(), -180.0), max(rect.yMinimum(), -MERCATOR_LAT),
                        min(rect.xMaximum(), 180.0), min(rect.yMaximum(), MERCATOR_LAT))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
