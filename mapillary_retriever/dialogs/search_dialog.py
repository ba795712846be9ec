"""The search dialog: the widgets of the form, validated as you type.

Non-modal. The widgets are read into a ``form.Form`` (QGIS-free: validation, messages and the
saved state live there); this module adds only what needs QGIS: the areas computed from the
map, a layer or the selected polygons, the CRS of typed points, the file system checks, the
canvas preview (``area_preview.AreaPreview``) and the running search's progress.
"""

from __future__ import annotations

import math
import os

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCsException,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.gui import (
    QgsCollapsibleGroupBox,
    QgsDoubleSpinBox,
    QgsFileWidget,
    QgsMapCanvas,
    QgsMapLayerComboBox,
    QgsSpinBox,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QRect, QSize, Qt, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QDesktopServices
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
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import auth, form, settings
from ..__about__ import __homepage__
from ..api import Progress, Query, QueryError
from ..api.query import DEFAULT_RADIUS, DEFAULT_TOLERANCE, EXTRA_FIELDS
from ..form import AREAS, DOWNLOAD_SIZES, WGS84_ID, Form, OutputChoice
from ..task import Output, SearchTask
from .area_preview import AreaPreview
from .common import WGS84, format_bbox, icon, rect_to_wgs84, tr, transform

MERCATOR_LAT = 85.05112878  # the vector tiles stop here
HELP_URL = __homepage__ + "#readme"

form.set_translator(QCoreApplication.translate)


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
        self.warning = ""
        self.within_wkt = ""  # the selected polygons (WGS84) of the "polygons" area
        self._within_key: tuple | None = None
        self.task: SearchTask | None = None
        self.has_token = False
        self.store_state = "none"
        self._restoring = False
        self._selection_layer = None
        self._build()
        self.preview = AreaPreview(self.canvas)
        self.set_form(Form.from_dict(settings.load_form()), fresh=not settings.load_form())
        self.refresh_token()
        self.canvas.extentsChanged.connect(self._canvas_changed)
        self.canvas.destinationCrsChanged.connect(self._canvas_changed)
        self.canvas.layersChanged.connect(self._map_layers_changed)
        QgsProject.instance().crsChanged.connect(self._project_crs_changed)

    # --- building ---------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setSpacing(8)

        self.token_banner = QFrame(self)
        self.token_banner.setObjectName("tokenBanner")
        self.token_banner.setStyleSheet(
            "#tokenBanner { background: #fff4d6; border: 1px solid #e0b84a; border-radius: 4px; }")
        banner = QHBoxLayout(self.token_banner)
        self.token_text = QLabel(self.token_banner)
        self.token_text.setWordWrap(True)
        banner.addWidget(self.token_text, 1)
        self.unlock_button = QPushButton(tr("Unlock…"), self.token_banner)
        self.unlock_button.setToolTip(tr("Type QGIS's master password to use the stored token"))
        self.unlock_button.clicked.connect(self.unlock)
        banner.addWidget(self.unlock_button)
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
        self.help_button = QPushButton(icon("help"), tr("Help"), self)
        self.help_button.setToolTip(tr("Open the plugin's documentation in the web browser"))
        self.help_button.clicked.connect(open_help)
        buttons.addWidget(self.help_button)
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
        self.setMinimumWidth(600)

    def _area_group(self) -> QGroupBox:
        group = QGroupBox(tr("Where"), self)
        grid = QFormLayout(group)
        grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.area_combo = QComboBox(group)
        for mode, label in (("canvas", tr("Current map extent")), ("layer", tr("Extent of a layer")),
                            ("polygons", tr("Inside the selected polygons")),
                            ("box", tr("A box (drawn on the map or typed)")),
                            ("point", tr("Around a point (radius)")),
                            ("users", tr("Anywhere (by these users)"))):
            self.area_combo.addItem(label, mode)
        grid.addRow(tr("Area"), self.area_combo)

        self.empty_map_label = QLabel(tr(
            "The map is empty, so there is no map extent to search: add a layer (for example a basemap "
            "from XYZ Tiles), or type a box or a point, or search by usernames."), group)
        self.empty_map_label.setWordWrap(True)
        self.empty_map_label.setStyleSheet("color: #5f6b73;")
        grid.addRow("", self.empty_map_label)

        self.area_stack = QStackedWidget(group)
        self.canvas_label = QLabel(group)
        self.canvas_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.area_stack.addWidget(self.canvas_label)

        self.layer_combo = QgsMapLayerComboBox(group)
        self.layer_combo.setFilters(Qgis.LayerFilters(Qgis.LayerFilter.HasGeometry | Qgis.LayerFilter.RasterLayer))
        self.layer_combo.setAllowEmptyLayer(False)
        self.area_stack.addWidget(self.layer_combo)

        polygons_page = QWidget(group)
        row = QHBoxLayout(polygons_page)
        row.setContentsMargins(0, 0, 0, 0)
        self.polygon_combo = QgsMapLayerComboBox(polygons_page)
        self.polygon_combo.setFilters(Qgis.LayerFilters(Qgis.LayerFilter.PolygonLayer))
        self.polygon_combo.setAllowEmptyLayer(False)
        row.addWidget(self.polygon_combo, 1)
        self.selected_label = QLabel(polygons_page)
        row.addWidget(self.selected_label)
        self.area_stack.addWidget(polygons_page)

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

        self.users_label = QLabel(tr("Everything by the usernames given below, wherever it is."), group)
        self.users_label.setWordWrap(True)
        self.area_stack.addWidget(self.users_label)
        for i in range(self.area_stack.count()):  # each page only as tall as it needs: no empty band
            self.area_stack.widget(i).setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.area_stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        grid.addRow("", self.area_stack)

        self.lookat_check = QCheckBox(tr("Looking at"), group)
        lookat_row = QHBoxLayout()
        self.lookat_edit = QLineEdit(group)
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
        grid.addRow(self.lookat_check, lookat_row)

        self.crs_label = QLabel(tr("Points in"), group)
        self.crs_combo = QComboBox(group)
        self.crs_combo.setToolTip(tr("The coordinate system of the typed points. Points clicked on the map are "
                                     "converted to it."))
        grid.addRow(self.crs_label, self.crs_combo)
        self._fill_crs_combo(WGS84_ID)

        self.area_combo.currentIndexChanged.connect(self._area_mode_changed)
        self.layer_combo.layerChanged.connect(self.validate)
        self.polygon_combo.layerChanged.connect(self._polygon_layer_changed)
        for w in (self.bbox_edit, self.point_edit, self.lookat_edit):
            w.textChanged.connect(self.validate)
        self.radius_spin.valueChanged.connect(self.validate)
        self.tolerance_spin.valueChanged.connect(self.validate)
        self.lookat_check.toggled.connect(self._lookat_toggled)
        self.crs_combo.currentIndexChanged.connect(self._crs_changed)
        self._crs_shown = WGS84_ID
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
        grid.addWidget(QLabel(tr("Usernames"), group), 1, 0)
        grid.addWidget(self.usernames_edit, 1, 1, 1, 3)
        self.userkeys_edit = QLineEdit(group)
        self.userkeys_edit.setPlaceholderText(tr("creator ids (numbers)"))
        self.org_edit = QLineEdit(group)
        self.org_edit.setPlaceholderText(tr("any; organization id"))
        grid.addWidget(QLabel(tr("User keys"), group), 2, 0)
        grid.addWidget(self.userkeys_edit, 2, 1)
        grid.addWidget(QLabel(tr("Organization"), group), 2, 2)
        grid.addWidget(self.org_edit, 2, 3)

        self.pano_combo = QComboBox(group)
        for value, label in (("any", tr("Any")), ("only", tr("Only panoramas")), ("exclude", tr("No panoramas"))):
            self.pano_combo.addItem(label, value)
        grid.addWidget(QLabel(tr("Panoramas"), group), 3, 0)
        grid.addWidget(self.pano_combo, 3, 1)
        self.max_spin = QgsSpinBox(group)
        self.max_spin.setRange(0, 10_000_000)
        self.max_spin.setSingleStep(100)
        self.max_spin.setSpecialValueText(tr("No limit"))
        self.max_spin.setClearValue(0)
        self.max_spin.setToolTip(tr("Keep at most this many images: the nearest for a point search, "
                                    "the newest otherwise."))
        grid.addWidget(QLabel(tr("Max images"), group), 3, 2)
        grid.addWidget(self.max_spin, 3, 3)

        for w in (self.from_check, self.to_check):
            w.toggled.connect(self._dates_toggled)
        for w in (self.from_date, self.to_date):
            w.dateChanged.connect(self.validate)
        self.usernames_edit.textChanged.connect(self._usernames_changed)
        for w in (self.userkeys_edit, self.org_edit):
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
            check = QCheckBox(QCoreApplication.translate("schema", EXTRA_FIELDS[name].label), group)
            check.setToolTip(name)
            check.toggled.connect(self.validate)
            self.field_checks[name] = check
            grid.addWidget(check, n // 3, n % 3)
        group.setCollapsed(True)
        self.fields_group = group
        return group

    def _output_group(self) -> QGroupBox:
        group = QGroupBox(tr("Output"), self)
        grid = QFormLayout(group)
        row = QHBoxLayout()
        self.images_check = QCheckBox(tr("Images (points)"), group)
        self.sequences_check = QCheckBox(tr("Sequences (lines)"), group)
        row.addWidget(self.images_check)
        row.addWidget(self.sequences_check)
        row.addStretch(1)
        grid.addRow(tr("Produce"), row)

        row = QHBoxLayout()
        self.memory_radio = QRadioButton(tr("Temporary layers"), group)
        self.gpkg_radio = QRadioButton(tr("A GeoPackage:"), group)
        self.dest_group = QButtonGroup(group)
        self.dest_group.addButton(self.memory_radio)
        self.dest_group.addButton(self.gpkg_radio)
        row.addWidget(self.memory_radio)
        row.addStretch(1)
        grid.addRow(tr("Into"), row)
        row = QHBoxLayout()
        row.addWidget(self.gpkg_radio)
        self.gpkg_widget = QgsFileWidget(group)
        self.gpkg_widget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.gpkg_widget.setFilter(tr("GeoPackage (*.gpkg)"))
        self.gpkg_widget.setConfirmOverwrite(False)
        row.addWidget(self.gpkg_widget, 1)
        self.append_combo = QComboBox(group)
        self.append_combo.addItem(tr("replace its layers"), False)
        self.append_combo.addItem(tr("append to its layers"), True)
        row.addWidget(self.append_combo)
        grid.addRow("", row)

        row = QHBoxLayout()
        self.download_check = QCheckBox(tr("Also download the images"), group)
        self.download_check.setToolTip(tr("Save the pictures as JPEG files, with their position, time and camera "
                                          "in EXIF, into a folder"))
        row.addWidget(self.download_check)
        self.download_size = QComboBox(group)
        for size, label in zip(DOWNLOAD_SIZES, (tr("256 px"), tr("1024 px"), tr("2048 px"), tr("original size"))):
            self.download_size.addItem(label, size)
        row.addWidget(self.download_size)
        self.download_widget = QgsFileWidget(group)
        self.download_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.download_widget.setDialogTitle(tr("Folder for the downloaded images"))
        row.addWidget(self.download_widget, 1)
        grid.addRow(tr("Files"), row)

        for w in (self.images_check, self.sequences_check, self.memory_radio):
            w.toggled.connect(self.validate)
        self.gpkg_radio.toggled.connect(self._destination_toggled)
        self.download_check.toggled.connect(self._destination_toggled)
        self.gpkg_widget.fileChanged.connect(self.validate)
        self.download_widget.fileChanged.connect(self.validate)
        self.append_combo.currentIndexChanged.connect(self.validate)
        self.download_size.currentIndexChanged.connect(self.validate)
        return group

    # --- the preview ----------------------------------------------------------
    def update_preview(self) -> None:
        if not self.isVisible() or self.area_mode() == "canvas":
            self.preview.hide()
        else:
            self.preview.show(self.query, self.within_wkt if self.area_mode() == "polygons" else "")

    def remove_preview(self) -> None:
        """Take the preview off the canvas for good (plugin unload) and stop following the map."""
        self.preview.remove()
        for signal, slot in ((self.canvas.extentsChanged, self._canvas_changed),
                             (self.canvas.destinationCrsChanged, self._canvas_changed),
                             (self.canvas.layersChanged, self._map_layers_changed),
                             (QgsProject.instance().crsChanged, self._project_crs_changed)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass
        self._watch_selection(None)

    # --- filling from map tools -----------------------------------------
    def set_box(self, rect: QgsRectangle) -> None:
        """A WGS84 box (from the box tool)."""
        self.bbox_edit.setText(format_bbox(rect))
        self._set_area("box")

    def set_point(self, lon: float, lat: float, lookat: bool = False) -> None:
        """A WGS84 point (from the point tool), shown in the points' CRS: the search or the look-at point."""
        text = self._point_text(lon, lat)
        if lookat:
            self.lookat_edit.setText(text)
            self.lookat_check.setChecked(True)
            if self.area_mode() != "point" and not self.point_edit.text().strip():
                self.point_edit.setText(text)
        else:
            self.point_edit.setText(text)
        if self.area_mode() != "point" and (not lookat or self.area_mode() in ("canvas", "users")):
            self._set_area("point")

    def place_beside(self, area: QRect) -> None:
        """Move the dialog next to ``area`` (global screen pixels) rather than over it."""
        screen = (self.screen() or self.parentWidget().screen()).availableGeometry()
        size = self.frameGeometry().size() if self.isVisible() else self.sizeHint()
        gap = 16
        x = area.right() + gap if area.right() + gap + size.width() <= screen.right() else \
            area.left() - gap - size.width()
        x = max(screen.left(), min(x, screen.right() - size.width()))
        y = max(screen.top(), min(area.top(), screen.bottom() - size.height()))
        self.move(x, y)

    # --- reading the form -------------------------------------------------
    def area_mode(self) -> str:
        return self.area_combo.currentData() or "canvas"

    def point_crs(self) -> QgsCoordinateReferenceSystem:
        return QgsCoordinateReferenceSystem(self.crs_combo.currentData() or WGS84_ID)

    def form_state(self) -> Form:
        """The widgets as a Form."""
        return Form(
            area=self.area_mode(), bbox=self.bbox_edit.text(), point=self.point_edit.text(),
            radius=self.radius_spin.value(), lookat_on=self.lookat_check.isChecked(), lookat=self.lookat_edit.text(),
            tolerance=self.tolerance_spin.value(), point_crs=self.crs_combo.currentData() or WGS84_ID,
            date_from=self.from_date.date().toString(Qt.DateFormat.ISODate) if self.from_check.isChecked() else "",
            date_to=self.to_date.date().toString(Qt.DateFormat.ISODate) if self.to_check.isChecked() else "",
            usernames=self.usernames_edit.text(), userkeys=self.userkeys_edit.text(),
            pano=self.pano_combo.currentData(), organization=self.org_edit.text(), max_features=self.max_spin.value(),
            fields=tuple(name for name, check in self.field_checks.items() if check.isChecked()),
            output=OutputChoice(
                images=self.images_check.isChecked(), sequences=self.sequences_check.isChecked(),
                gpkg_on=self.gpkg_radio.isChecked(), gpkg=self.gpkg_widget.filePath(),
                append=bool(self.append_combo.currentData()), download_on=self.download_check.isChecked(),
                download_dir=self.download_widget.filePath(), download_size=self.download_size.currentData()))

    def set_form(self, f: Form, fresh: bool = False) -> None:
        """Show a Form (``fresh``: nothing was saved: the points default to the project's CRS)."""
        self._restoring = True
        try:
            self._fill_crs_combo(self._project_crs_id() if fresh else f.point_crs)
            self._set_area(f.area)
            self.bbox_edit.setText(f.bbox)
            self.point_edit.setText(f.point)
            self.radius_spin.setValue(f.radius)
            self.lookat_check.setChecked(f.lookat_on)
            self.lookat_edit.setText(f.lookat)
            self.tolerance_spin.setValue(f.tolerance)
            for check, edit, text in ((self.from_check, self.from_date, f.date_from),
                                      (self.to_check, self.to_date, f.date_to)):
                date = QDate.fromString(text, Qt.DateFormat.ISODate)
                check.setChecked(date.isValid())
                if date.isValid():
                    edit.setDate(date)
            self.usernames_edit.setText(f.usernames)
            self.userkeys_edit.setText(f.userkeys)
            self.pano_combo.setCurrentIndex(max(0, self.pano_combo.findData(f.pano)))
            self.org_edit.setText(f.organization)
            self.max_spin.setValue(f.max_features)
            for name, check in self.field_checks.items():
                check.setChecked(name in f.fields)
            if f.fields:
                self.fields_group.setCollapsed(False)
            out = f.output
            self.images_check.setChecked(out.images)
            self.sequences_check.setChecked(out.sequences)
            (self.gpkg_radio if out.gpkg_on else self.memory_radio).setChecked(True)
            self.gpkg_widget.setFilePath(out.gpkg)
            self.append_combo.setCurrentIndex(1 if out.append else 0)
            self.download_check.setChecked(out.download_on)
            self.download_widget.setFilePath(out.download_dir)
            self.download_size.setCurrentIndex(max(0, self.download_size.findData(out.download_size)))
        finally:
            self._restoring = False
        self._update_area_choices()
        self._area_mode_changed()
        self._lookat_toggled()
        self._destination_toggled()
        self._dates_toggled()

    def area_bbox(self) -> tuple[float, float, float, float] | None:
        """The WGS84 box of the map extent, a layer's extent or the selected polygons; QueryError when unusable."""
        mode = self.area_mode()
        if mode == "canvas":
            if self.map_is_empty():
                raise QueryError(tr("The map is empty: there is no map extent to search. Choose another kind "
                                    "of area, or add a layer first."))
            rect = self.canvas_extent()
            if rect is None:
                raise QueryError(tr("The map extent cannot be converted to longitudes and latitudes."))
        elif mode == "layer":
            layer = self.layer_combo.currentLayer()
            if layer is None:
                raise QueryError(tr("Choose a layer whose extent to search."))
            extent = layer.extent()
            if extent.isNull() or not _finite(extent):
                raise QueryError(tr("The layer {name} has no extent (is it empty?).").format(name=layer.name()))
            try:
                rect = _clamp(rect_to_wgs84(extent, layer.crs()))
            except QgsCsException:
                raise QueryError(tr("The extent of {name} cannot be converted to longitudes and latitudes.").format(
                    name=layer.name())) from None
        elif mode == "polygons":
            rect = self._selected_polygons()
        else:
            return None
        return rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()

    def _selected_polygons(self) -> QgsRectangle:
        """The box of the selected polygons (WGS84); keeps their union as WKT in ``within_wkt``."""
        layer = self.polygon_combo.currentLayer()
        if layer is None:
            raise QueryError(tr("Add a polygon layer and select the polygons to search inside."))
        ids = layer.selectedFeatureIds()
        if not ids:
            raise QueryError(tr("Select the polygons to search inside: none of {name} is selected.").format(
                name=layer.name()))
        key = (layer.id(), frozenset(ids), layer.crs().authid())
        if key != self._within_key:
            union = QgsGeometry.unaryUnion([f.geometry() for f in layer.getSelectedFeatures() if f.hasGeometry()])
            if union is None or union.isEmpty():
                raise QueryError(tr("The selected features of {name} have no geometry.").format(name=layer.name()))
            try:
                if layer.crs() != WGS84:
                    union.transform(transform(layer.crs(), WGS84))
            except QgsCsException:
                raise QueryError(tr("The polygons of {name} cannot be converted to longitudes and latitudes.").format(
                    name=layer.name())) from None
            self.within_wkt, self._within_key = union.asWkt(7), key
        return _clamp(QgsGeometry.fromWkt(self.within_wkt).boundingBox())

    def canvas_extent(self) -> QgsRectangle | None:
        """The canvas extent in WGS84, or None when it cannot be transformed."""
        extent = self.canvas.extent()
        if extent.isEmpty() or not _finite(extent):
            return None
        try:
            rect = _clamp(rect_to_wgs84(extent, self.canvas.mapSettings().destinationCrs()))
        except QgsCsException:
            return None
        return rect if _finite(rect) and not rect.isEmpty() else None

    def map_is_empty(self) -> bool:
        """No layer on the map, or no usable extent: "the current map extent" means nothing then."""
        return not self.canvas.layers() or self.canvas_extent() is None

    def _to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        p = transform(self.point_crs(), WGS84).transform(QgsPointXY(x, y))
        return p.x(), p.y()

    def build_query(self) -> Query:
        """The form as a query; raises QueryError saying what to change."""
        f = self.form_state()
        return f.query(area_bbox=self.area_bbox(), to_wgs84=None if f.point_crs == WGS84_ID else self._to_wgs84)

    def build_output(self) -> Output:
        """Where the results go; raises QueryError when that is not usable."""
        choice = self.form_state().output
        Form(output=choice).check_output()
        out = Output(images=choice.images, sequences=choice.sequences)
        if choice.gpkg_on:
            path = choice.gpkg.strip()
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise QueryError(tr("The folder {folder} does not exist.").format(folder=folder))
            out.gpkg, out.append = path, choice.append
        if choice.download_on:
            folder = os.path.abspath(choice.download_dir.strip())
            if not os.path.isdir(folder) and not os.path.isdir(os.path.dirname(folder)):
                raise QueryError(tr("The folder {folder} does not exist.").format(folder=folder))
            out.download_dir, out.download_size = folder, choice.download_size
        if self.area_mode() == "polygons":
            out.within_wkt = self.within_wkt
        return out

    # --- validation -------------------------------------------------------
    def validate(self) -> bool:
        if self._restoring:
            return False
        self.query, self.problem, self.warning = None, "", ""
        try:
            self.query = self.build_query()
            self.build_output()
        except QueryError as e:
            self.problem = e.message
        if self.problem:
            self._set_status(self.problem, "warning")
        elif self.store_state == "locked":
            self._set_status(tr("Ready to search {what}. The stored token is locked: QGIS will ask for its master "
                                "password.").format(what=self.form_state().summary(self.query)), "info")
        elif not self.has_token:
            self.problem = tr("No Mapillary token: open the settings to paste one.")
            self._set_status(self.problem, "warning")
        else:
            self.warning = self._far_away_warning()
            ready = tr("Ready to search {what}.").format(what=self.form_state().summary(self.query))
            self._set_status(ready, "ok", self.warning)
        self.search_button.setEnabled(not self.problem and self.task is None)
        self.search_button.setToolTip(self.problem)
        self.update_preview()
        return not self.problem

    def _far_away_warning(self) -> str:
        """A warning when a typed area is nowhere near the map view (a swapped point, a wrong CRS)."""
        q, mode = self.query, self.area_mode()
        if q is None or mode not in ("box", "point") or self.map_is_empty():
            return ""
        view = self.canvas_extent()
        if q.bbox is not None:
            b = q.bbox
            center, what = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), tr("This box")
        else:
            center, what = q.center, tr("This point")
        return form.distance_warning(center, (view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()),
                                     what)

    def _set_status(self, text: str, kind: str, warning: str = "") -> None:
        color = {"warning": "#b35c00", "ok": "#1d7a46", "info": "palette(text)"}
        mark = {"warning": "⚠", "ok": "✔", "info": "ℹ"}
        html = f"<span style='color:{color[kind]}'>{mark[kind]} {_escape(text)}</span>"
        if warning:
            html = f"<span style='color:{color['warning']}'>⚠ {_escape(warning)}</span><br>" + html
        self.status.setText(html)

    def refresh_token(self) -> None:
        """Re-read where the token comes from (after the settings change), never asking for a password."""
        self.store_state = auth.token_state()
        self.has_token = self.store_state in ("stored", "env", "locked")
        if self.store_state == "locked":
            self.token_text.setText(tr("<b>Token stored, locked.</b> QGIS keeps it in its authentication database, "
                                       "which needs the master password once per session."))
        else:
            self.token_text.setText(tr(
                "<b>No Mapillary token yet.</b> Searching needs a free client token: open the settings, "
                "follow the link to Mapillary's developer page and paste the token there."))
        self.unlock_button.setVisible(self.store_state == "locked")
        self.token_banner.setVisible(self.store_state in ("none", "locked"))
        self.validate()

    def unlock(self) -> bool:
        """Ask for QGIS's master password (a person clicked Unlock or Search)."""
        ok = auth.unlock(again=True)
        self.refresh_token()
        return ok

    # --- searching --------------------------------------------------------
    def request_search(self) -> None:
        if not self.validate():
            return
        if self.store_state == "locked" and not self.unlock():
            self._set_status(tr("The token is stored but locked: unlock QGIS's authentication database (its master "
                                "password) to search."), "warning")
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
        # as the task manager shows it (the search, then the downloads if asked)
        self.progress.setValue(round(self.task.progress() if self.task is not None else p.percent()))
        if p.stage in ("tiles", "boxes"):
            text = tr("Map tiles {done} / {total} · {found} images found") if p.stage == "tiles" else \
                tr("Boxes {done} / {total} · {found} images found")
        elif p.stage == "fields":
            text = tr("Extra fields {done} / {total} batches · {found} images")
        elif p.stage == "users":
            text = tr("Looking up users {done} / {total}")
        elif p.stage == "pages":
            text = tr("Pages {done} / {total} · {found} images found")
        elif p.stage == "download":
            text = tr("Downloading pictures {done} / {total}")
        else:
            text = tr("Building layers · {found} images")
        self.progress_label.setText(text.format(done=p.done, total=p.total, found=f"{p.found:,}"))

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    def save(self) -> None:
        settings.save_form(self.form_state().to_dict())

    # --- reactions --------------------------------------------------------
    def _set_area(self, mode: str) -> None:
        index = self.area_combo.findData(mode if mode in AREAS else "canvas")
        item = self.area_combo.model().item(index)
        if item is not None and not item.isEnabled():  # e.g. the map extent of an empty map
            index = self.area_combo.findData("box" if mode == "canvas" else "point")
        self.area_combo.setCurrentIndex(index)

    def _update_area_choices(self) -> None:
        """Disable the kinds of area that mean nothing now (with the reason in their tooltip)."""
        model = self.area_combo.model()
        empty = self.map_is_empty()
        canvas_item = model.item(self.area_combo.findData("canvas"))
        canvas_item.setEnabled(not empty)
        canvas_item.setToolTip(tr("The map is empty: add a layer first.") if empty else "")
        users_item = model.item(self.area_combo.findData("users"))
        has_users = bool(self.usernames_edit.text().strip())
        users_item.setEnabled(has_users)
        users_item.setToolTip("" if has_users else tr("Type usernames under “Which images” first."))
        self.empty_map_label.setVisible(empty)
        if empty and self.area_mode() == "canvas":
            self._set_area("box")
        elif not has_users and self.area_mode() == "users":
            self._set_area("box")

    def _area_mode_changed(self) -> None:
        mode = self.area_mode()
        self.area_stack.setCurrentIndex(AREAS.index(mode))
        for i in range(self.area_stack.count()):
            self.area_stack.widget(i).setSizePolicy(
                QSizePolicy.Policy.Preferred,
                QSizePolicy.Policy.Preferred if i == AREAS.index(mode) else QSizePolicy.Policy.Ignored)
        self.area_stack.adjustSize()
        if mode == "polygons":
            self._polygon_layer_changed()
        self._lookat_toggled()
        if mode == "canvas":
            self._canvas_changed()
        else:
            self.validate()

    def _lookat_toggled(self) -> None:
        users = self.area_mode() == "users"
        self.lookat_check.setEnabled(not users)
        on = self.lookat_check.isChecked() and not users
        for w in (self.lookat_edit, self.pick_lookat_button, self.tolerance_spin):
            w.setEnabled(on)
        points = self.area_mode() == "point" or on
        self.crs_label.setVisible(points)
        self.crs_combo.setVisible(points)
        self.validate()

    def _destination_toggled(self) -> None:
        for w in (self.gpkg_widget, self.append_combo):
            w.setEnabled(self.gpkg_radio.isChecked())
        for w in (self.download_size, self.download_widget):
            w.setEnabled(self.download_check.isChecked())
        self.validate()

    def _dates_toggled(self) -> None:
        self.from_date.setEnabled(self.from_check.isChecked())
        self.to_date.setEnabled(self.to_check.isChecked())
        self.validate()

    def _usernames_changed(self) -> None:
        if not self._restoring:
            self._update_area_choices()
        self.validate()

    def _map_layers_changed(self) -> None:
        self._update_area_choices()
        self._canvas_changed()

    def _canvas_changed(self) -> None:
        if self.area_mode() == "canvas":
            rect = None if self.map_is_empty() else self.canvas_extent()
            text = tr("The map is empty.") if rect is None else tr(
                "{w:.4f}° × {h:.4f}° around {lat:.5f}, {lon:.5f} (latitude, longitude)").format(
                w=rect.width(), h=rect.height(), lat=rect.center().y(), lon=rect.center().x())
            self.canvas_label.setText(text)
            self.validate()
        elif self.area_mode() in ("box", "point"):
            self.validate()  # the far-away warning follows the view
        else:
            self.update_preview()

    def _polygon_layer_changed(self) -> None:
        self._watch_selection(self.polygon_combo.currentLayer())
        self._selection_changed()

    def _watch_selection(self, layer) -> None:
        if self._selection_layer is not None:
            try:
                self._selection_layer.selectionChanged.disconnect(self._selection_changed)
            except (TypeError, RuntimeError):
                pass
        self._selection_layer = layer
        if layer is not None:
            layer.selectionChanged.connect(self._selection_changed)

    def _selection_changed(self, *args) -> None:
        layer = self.polygon_combo.currentLayer()
        n = layer.selectedFeatureCount() if layer is not None else 0
        self.selected_label.setText(tr("{n} selected").format(n=n))
        self.validate()

    # --- the CRS of typed points --------------------------------------------
    def _project_crs_id(self) -> str:
        crs = QgsProject.instance().crs()
        return crs.authid() if crs.isValid() and crs.authid() else WGS84_ID

    def _fill_crs_combo(self, current: str) -> None:
        """WGS84, the project's CRS and ``current`` (a saved choice), ``current`` selected."""
        self.crs_combo.blockSignals(True)
        self.crs_combo.clear()
        self.crs_combo.addItem(tr("WGS84 (longitude, latitude)"), WGS84_ID)
        project = self._project_crs_id()
        if project != WGS84_ID:
            self.crs_combo.addItem(tr("Project CRS: {crs}").format(crs=_crs_name(project)), project)
        if current and self.crs_combo.findData(current) < 0 and QgsCoordinateReferenceSystem(current).isValid():
            self.crs_combo.addItem(_crs_name(current), current)
        self.crs_combo.setCurrentIndex(max(0, self.crs_combo.findData(current)))
        self.crs_combo.blockSignals(False)
        self._crs_shown = self.crs_combo.currentData()
        self._update_point_placeholders()

    def _project_crs_changed(self) -> None:
        self._fill_crs_combo(self.crs_combo.currentData() or WGS84_ID)

    def _crs_changed(self) -> None:
        """Convert the typed points to the newly chosen CRS (when they can be read)."""
        old, new = QgsCoordinateReferenceSystem(self._crs_shown), self.point_crs()
        self._crs_shown = self.crs_combo.currentData()
        self._update_point_placeholders()
        for edit in (self.point_edit, self.lookat_edit):
            try:
                x, y = form.numbers(edit.text(), "")
                p = transform(old, new).transform(QgsPointXY(x, y))
            except (QueryError, QgsCsException):
                continue
            if math.isfinite(p.x()) and math.isfinite(p.y()):
                edit.setText(_format_xy(p.x(), p.y(), new))
        self.validate()

    def _update_point_placeholders(self) -> None:
        if (self.crs_combo.currentData() or WGS84_ID) == WGS84_ID:
            self.point_edit.setPlaceholderText(tr("lon, lat (WGS84)"))
            self.lookat_edit.setPlaceholderText(tr("lon, lat of what the images should show"))
        else:
            name = self.crs_combo.currentData()
            self.point_edit.setPlaceholderText(tr("x, y in {crs}").format(crs=name))
            self.lookat_edit.setPlaceholderText(tr("x, y in {crs} of what the images should show").format(crs=name))

    def _point_text(self, lon: float, lat: float) -> str:
        crs = self.point_crs()
        if crs == WGS84:
            return _format_xy(lon, lat, crs)
        try:
            p = transform(WGS84, crs).transform(QgsPointXY(lon, lat))
        except QgsCsException:
            self.crs_combo.setCurrentIndex(self.crs_combo.findData(WGS84_ID))
            return _format_xy(lon, lat, WGS84)
        return _format_xy(p.x(), p.y(), crs)

    # --- lifetime -------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._update_area_choices()
        self.refresh_token()

    def hideEvent(self, event) -> None:
        self.preview.hide()
        self.save()
        super().hideEvent(event)


def open_help() -> None:
    QDesktopServices.openUrl(QUrl(HELP_URL))


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


def _crs_name(authid: str) -> str:
    crs = QgsCoordinateReferenceSystem(authid)
    return f"{authid} {crs.description()}".strip() if crs.isValid() else authid


def _format_xy(x: float, y: float, crs: QgsCoordinateReferenceSystem) -> str:
    if crs.isGeographic():
        return f"{x:.6f}, {y:.6f}"
    return f"{x:.2f}, {y:.2f}"


def _finite(rect: QgsRectangle) -> bool:
    return all(math.isfinite(v) and abs(v) < 1e300 for v in (rect.xMinimum(), rect.yMinimum(),
                                                               rect.xMaximum(), rect.yMaximum()))


def _clamp(rect: QgsRectangle) -> QgsRectangle:
    """Keep a WGS84 box inside the valid (and tiled) range of longitudes and latitudes."""
    return QgsRectangle(max(rect.xMinimum(), -180.0), max(rect.yMinimum(), -MERCATOR_LAT),
                        min(rect.xMaximum(), 180.0), min(rect.yMaximum(), MERCATOR_LAT))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
