"""Loading and unloading the plugin: entry points appear, and nothing is left behind."""

from __future__ import annotations

import logging

from qgis.core import QgsApplication
from qgis.gui import QgsMapToolPan
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QToolButton

from mapillary_retriever.plugin import MENU, MapillaryRetrieverPlugin


def _scene_items(canvas) -> int:
    return len(canvas.scene().items())


def test_entry_points(plugin, web_iface):
    ui = web_iface.web_ui
    entries = [a.text() for a in ui.submenus[MENU].actions()]
    assert entries == ["Search images and sequences…", "Draw a search box on the map",
                       "Search around a clicked point", "Image viewer", "Settings…", "Help"]
    assert all(not a.icon().isNull() for a in ui.submenus[MENU].actions())
    (button_action,) = ui.toolbar.actions()
    button = ui.toolbar.widgetForAction(button_action)
    assert isinstance(button, QToolButton)
    assert [a.text() for a in button.menu().actions()] == entries
    assert not button.defaultAction().icon().isNull()


def test_help_opens_the_documentation(plugin, monkeypatch):
    from mapillary_retriever.__about__ import __homepage__
    from mapillary_retriever.dialogs import search_dialog

    opened = []
    monkeypatch.setattr(search_dialog.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    plugin.help_action.trigger()
    plugin.open_dialog().help_button.click()
    assert opened == [__homepage__ + "#readme"] * 2 and __homepage__.startswith("https://")


def test_load_and_unload_leave_nothing_behind(web_iface, sandbox, qgis_canvas):
    registry = QgsApplication.processingRegistry()
    providers_before = {p.id() for p in registry.providers()}
    items_before = _scene_items(qgis_canvas)
    handlers_before = list(logging.getLogger("mapillary_retriever").handlers)
    pan = QgsMapToolPan(qgis_canvas)
    qgis_canvas.setMapTool(pan)

    p = MapillaryRetrieverPlugin(web_iface)
    p.initGui()
    provider_loaded = p.provider is not None
    if provider_loaded:
        assert registry.providerById("mapillary") is not None
    # use everything that leaves traces: dialog (with its canvas preview), tools, viewer, settings
    dialog = p.open_dialog()
    dialog.set_box(_rect(6.12, 49.60, 6.14, 49.62))
    p.activate_box_tool()
    p.activate_point_tool()
    viewer = p.open_viewer()
    viewer.highlight.show(6.13, 49.61, 90.0, False)
    p.open_settings()
    assert qgis_canvas.mapTool() is viewer.pick_tool
    assert _scene_items(qgis_canvas) > items_before

    p.unload()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    ui = web_iface.web_ui
    assert ui.menu.actions() == []
    assert ui.toolbar.actions() == []
    assert {pr.id() for pr in registry.providers()} == providers_before
    assert registry.providerById("mapillary") is None or not provider_loaded
    assert qgis_canvas.mapTool() is None or qgis_canvas.mapTool() is pan
    assert _scene_items(qgis_canvas) == items_before
    assert logging.getLogger("mapillary_retriever").handlers == handlers_before
    assert p.dialog is None and p.viewer is None and p.settings_dialog is None

    # and it loads again cleanly after an unload (plugin reloader)
    p2 = MapillaryRetrieverPlugin(web_iface)
    p2.initGui()
    assert len(ui.submenus[MENU].actions()) == 6
    p2.unload()
    assert ui.menu.actions() == []


def test_processing_provider_registered(plugin):
    registry = QgsApplication.processingRegistry()
    try:
        from mapillary_retriever.processing_provider.provider import MapillaryProvider  # noqa: F401
    except ImportError:
        assert plugin.provider is None  # logged, not fatal
        return
    assert plugin.provider is not None
    assert registry.providerById("mapillary") is plugin.provider
    plugin.initProcessing()  # QGIS may call it again: no second registration
    assert [p.id() for p in registry.providers()].count("mapillary") == 1


def _rect(*v):
    from qgis.core import QgsRectangle

    return QgsRectangle(*v)


def test_unload_during_a_search(web_iface, sandbox, wait):
    from qgis.core import QgsProject

    from mapillary_retriever.api import Query
    from mapillary_retriever.task import Output

    sandbox.configure(latency=0.3)
    p = MapillaryRetrieverPlugin(web_iface)
    p.initGui()
    assert p.runner.start(Query.build(closeto=(6.13, 49.61), radius=300), Output()) is not None
    p.unload()  # e.g. the plugin is reloaded mid-search: the search stops and adds nothing
    wait(lambda: QgsApplication.taskManager().countActiveTasks() == 0, timeout=30)
    assert QgsProject.instance().mapLayers() == {}
    assert web_iface.messageBar().items() == []
