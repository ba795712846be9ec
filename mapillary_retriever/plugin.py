"""The plugin shell: actions, menu, toolbar button, map tools, dialogs, dock and the Processing provider."""

from __future__ import annotations

import logging

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsPointXY, QgsRectangle
from qgis.PyQt.QtCore import QObject, QPoint, QRect, Qt
from qgis.PyQt.QtWidgets import QAction, QMenu, QToolButton

from .dialogs.common import WGS84, icon, install_translator, remove_translator, tr, transform
from .dialogs.map_tools import BoxTool, PointTool

MENU = "&Mapillary Retriever"
LOG_TAG = "Mapillary Retriever"


class _MessageLogHandler(logging.Handler):
    """Routes the engine's log records (already free of tokens) to the QGIS message log."""

    def emit(self, record: logging.LogRecord) -> None:
        level = Qgis.MessageLevel.Critical if record.levelno >= logging.ERROR else \
            Qgis.MessageLevel.Warning if record.levelno >= logging.WARNING else Qgis.MessageLevel.Info
        QgsMessageLog.logMessage(self.format(record), LOG_TAG, level)


class MapillaryRetrieverPlugin(QObject):
    def __init__(self, iface):
        super().__init__()
        self.iface = iface
        self.canvas = iface.mapCanvas() if iface is not None else None  # qgis_process passes no iface
        self.actions: list[QAction] = []
        self.provider = None
        self.dialog = None
        self.settings_dialog = None
        self.viewer = None
        self.runner = None
        self.toolbar_button: QToolButton | None = None
        self.toolbar_action: QAction | None = None
        self.box_tool: BoxTool | None = None
        self.point_tool: PointTool | None = None
        self.log_handler: logging.Handler | None = None
        install_translator()  # before any text is made: in QGIS and in qgis_process alike

    # --- Processing -------------------------------------------------------
    def initProcessing(self) -> None:
        if self.provider is not None:
            return
        try:
            from .processing_provider.provider import MapillaryProvider
        except ImportError as e:
            QgsMessageLog.logMessage(
                tr("The Processing algorithms are not available: {e}").format(e=str(e)), LOG_TAG,
                Qgis.MessageLevel.Warning)
            return
        self.provider = MapillaryProvider()
        if not QgsApplication.processingRegistry().addProvider(self.provider):
            self.provider = None

    # --- GUI --------------------------------------------------------------
    def initGui(self) -> None:
        from .task import SearchRunner

        self.log_handler = _MessageLogHandler()
        self.log_handler.setLevel(logging.WARNING)
        self.log_handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("mapillary_retriever").addHandler(self.log_handler)

        self.initProcessing()
        self.runner = SearchRunner(self.iface, self)
        self.runner.taskStarted.connect(self._task_started)
        self.runner.taskEnded.connect(self._task_ended)
        self.runner.settingsRequested.connect(self.open_settings)

        self.box_tool = BoxTool(self.canvas)
        self.box_tool.boxDrawn.connect(self._box_drawn)
        self.point_tool = PointTool(self.canvas)
        self.point_tool.pointPicked.connect(self._point_picked)

        self.search_action = self._action("search", tr("Search images and sequences…"), self.open_dialog)
        self.box_action = self._action("draw_box", tr("Draw a search box on the map"), self.activate_box_tool,
                                       checkable=True)
        self.point_action = self._action("pick_point", tr("Search around a clicked point"),
                                         self.activate_point_tool, checkable=True)
        self.viewer_action = self._action("viewer", tr("Image viewer"), self.open_viewer)
        self.settings_action = self._action("settings", tr("Settings…"), self.open_settings)
        self.help_action = self._action("help", tr("Help"), self.open_help)
        self.help_action.setToolTip(tr("Open the plugin's documentation in the web browser"))
        self.box_tool.setAction(self.box_action)
        self.point_tool.setAction(self.point_action)
        self.point_action.setToolTip(tr("Search around a clicked point (Shift+click: the point to look at)"))
        for action in self.actions:
            self.iface.addPluginToWebMenu(MENU, action)

        menu = QMenu(self.iface.mainWindow())
        menu.addActions(self.actions)
        self.toolbar_button = QToolButton(self.iface.mainWindow())
        self.toolbar_button.setObjectName("MapillaryRetrieverButton")
        self.toolbar_button.setMenu(menu)
        self.toolbar_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        main_action = QAction(icon("mapillary_retriever"), tr("Mapillary Retriever"), self.toolbar_button)
        main_action.setToolTip(tr("Mapillary Retriever: search images and sequences"))
        main_action.triggered.connect(self.open_dialog)
        self.toolbar_button.setDefaultAction(main_action)
        self.toolbar_action = self.iface.addWebToolBarWidget(self.toolbar_button)

    def _action(self, icon_name: str, text: str, slot, checkable: bool = False) -> QAction:
        action = QAction(icon(icon_name), text, self.iface.mainWindow())
        action.setObjectName("mapillaryRetriever_" + icon_name)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.actions.append(action)
        return action

    def unload(self) -> None:
        if self.runner is not None:
            self.runner.cancel_all(detach=True)
        for tool in (self.box_tool, self.point_tool):
            if tool is not None:
                if self.canvas.mapTool() is tool:
                    self.canvas.unsetMapTool(tool)
                tool.deleteLater()
        self.box_tool = self.point_tool = None
        for action in self.actions:
            self.iface.removePluginWebMenu(MENU, action)
            action.deleteLater()
        self.actions = []
        if self.toolbar_action is not None:
            self.iface.webToolBar().removeAction(self.toolbar_action)
            self.toolbar_action = None
        if self.toolbar_button is not None:
            self.toolbar_button.menu().deleteLater()
            self.toolbar_button.deleteLater()
            self.toolbar_button = None
        if self.dialog is not None:
            self.dialog.save()
            self.dialog.remove_preview()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        if self.settings_dialog is not None:
            self.settings_dialog.close()
            self.settings_dialog.deleteLater()
            self.settings_dialog = None
        if self.viewer is not None:
            self.viewer.cleanup()
            self.iface.removeDockWidget(self.viewer)
            self.viewer.deleteLater()
            self.viewer = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.log_handler is not None:
            logging.getLogger("mapillary_retriever").removeHandler(self.log_handler)
            self.log_handler = None
        self.runner = None
        remove_translator()

    # --- the search dialog --------------------------------------------------
    def open_dialog(self):
        if self.dialog is None:
            from .dialogs.search_dialog import SearchDialog

            self.dialog = SearchDialog(self.iface, self.iface.mainWindow())
            self.dialog.searchRequested.connect(self.runner.start)
            self.dialog.cancelRequested.connect(self._cancel_dialog_task)
            self.dialog.drawBoxRequested.connect(self.activate_box_tool)
            self.dialog.pickPointRequested.connect(self._pick_from_dialog)
            self.dialog.settingsRequested.connect(self.open_settings)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _cancel_dialog_task(self) -> None:
        if self.dialog is not None and self.dialog.task is not None:
            self.dialog.task.cancel()

    def _task_started(self, task) -> None:
        if self.dialog is not None and self.dialog.isVisible() and self.dialog.task is None:
            self.dialog.attach_task(task)

    def _task_ended(self, task) -> None:
        if self.dialog is not None:
            self.dialog.task_ended(task)

    # --- map tools ----------------------------------------------------------
    def activate_box_tool(self) -> None:
        self.canvas.setMapTool(self.box_tool)
        self.iface.statusBarIface().showMessage(tr("Drag a box on the map to search inside it; Esc cancels."), 10000)

    def activate_point_tool(self) -> None:
        self.point_tool.target = "closeto"
        self.canvas.setMapTool(self.point_tool)
        self.iface.statusBarIface().showMessage(
            tr("Click the point to search around; Shift+click the point the images should look at."), 8000)

    def _pick_from_dialog(self, target: str) -> None:
        self.point_tool.target = target
        self.canvas.setMapTool(self.point_tool)

    def _box_drawn(self, rect: QgsRectangle) -> None:
        self.iface.statusBarIface().clearMessage()
        dialog = self.open_dialog()
        dialog.set_box(rect)
        area = self._screen_rect(rect)
        if area is not None:
            dialog.place_beside(area)

    def _screen_rect(self, rect: QgsRectangle) -> QRect | None:
        """A WGS84 box in global screen pixels (where the canvas shows it)."""
        try:
            box = transform(WGS84, self.canvas.mapSettings().destinationCrs()).transformBoundingBox(rect)
        except Exception:  # noqa: BLE001 (not on this map: leave the dialog where it is)
            return None
        to_px = self.canvas.getCoordinateTransform()
        a = to_px.transform(box.xMinimum(), box.yMaximum())
        b = to_px.transform(box.xMaximum(), box.yMinimum())
        top_left = self.canvas.mapToGlobal(QPoint(round(a.x()), round(a.y())))
        bottom_right = self.canvas.mapToGlobal(QPoint(round(b.x()), round(b.y())))
        return QRect(top_left, bottom_right)

    def _point_picked(self, point: QgsPointXY, lookat: bool) -> None:
        self.open_dialog().set_point(point.x(), point.y(), lookat)
        if lookat:
            self.point_tool.target = "closeto"

    # --- viewer, settings and help -------------------------------------------
    def open_help(self) -> None:
        from .dialogs.search_dialog import open_help

        open_help()

    def open_viewer(self):
        if self.viewer is None:
            from .dialogs.viewer import ImageViewerDock

            self.viewer = ImageViewerDock(self.iface, self.iface.mainWindow())
            self.viewer.settingsRequested.connect(self.open_settings)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.viewer)
        self.viewer.show()
        self.viewer.raise_()
        self.viewer.activate_pick_tool()
        return self.viewer

    def open_settings(self):
        if self.settings_dialog is None:
            from .dialogs.settings_dialog import SettingsDialog

            self.settings_dialog = SettingsDialog(self.iface.mainWindow())
            self.settings_dialog.tokenChanged.connect(self._token_changed)
        self.settings_dialog.refresh()
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()
        return self.settings_dialog

    def _token_changed(self) -> None:
        if self.dialog is not None:
            self.dialog.refresh_token()
