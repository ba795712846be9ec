"""Fixtures for the pytest-qgis tests: a QGIS interface with a real Web menu and toolbar,
clean plugin settings, an unlocked authentication database, and the plugin itself."""

from __future__ import annotations

import gc
import sys
import time
import traceback

import pytest
from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QSettings
from qgis.PyQt.QtWidgets import QMenu, QToolBar

MASTER_PASSWORD = "mapillary-retriever-tests"  # of the throw-away test profile's auth database


def wait_for(predicate, timeout: float = 30.0, step: float = 0.005) -> None:
    """Process Qt events until ``predicate()`` holds (the main thread stays responsive)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {predicate}")
        QCoreApplication.processEvents()
        time.sleep(step)


@pytest.fixture
def wait():
    """``wait(predicate, timeout)``: process Qt events until the predicate holds."""
    return wait_for


class WebUi:
    """What QGIS's Web menu and Web toolbar would hold: real Qt objects, so a test can see leftovers."""

    def __init__(self, main_window):
        self.menu = QMenu("&Web", main_window)
        main_window.menuBar().addMenu(self.menu)
        self.toolbar = QToolBar("Web", main_window)
        self.submenus: dict[str, QMenu] = {}

    def add_to_menu(self, name, action):
        if name not in self.submenus:
            self.submenus[name] = self.menu.addMenu(name)
        self.submenus[name].addAction(action)

    def remove_from_menu(self, name, action):
        sub = self.submenus.get(name)
        if sub is not None:
            sub.removeAction(action)
            if not sub.actions():
                self.menu.removeAction(sub.menuAction())
                del self.submenus[name]

    def add_widget(self, widget):
        return self.toolbar.addWidget(widget)


@pytest.fixture(scope="session", autouse=True)
def unlocked_auth_db(qgis_app):
    """The auth database of the test profile, unlocked without a password prompt."""
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword(MASTER_PASSWORD, True), "the test profile's auth database is locked"
    return am


@pytest.fixture(autouse=True)
def slot_errors(monkeypatch):
    """An exception raised in a Qt slot fails the test (PyQt would otherwise abort the process)."""
    errors = []
    monkeypatch.setattr(sys, "excepthook", lambda *exc: errors.append(exc))
    yield errors
    if errors:
        raise AssertionError("exception in a Qt slot: " + "".join(traceback.format_exception(*errors[0])))


@pytest.fixture(scope="session", autouse=True)
def private_settings(qgis_app, tmp_path_factory):
    """Settings in a file of this test session only: other pytest runs sharing the checkout's
    .qgis-settings (or the developer's QGIS) cannot change them under a test."""
    path = tmp_path_factory.mktemp("qgis-settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    return path


@pytest.fixture(autouse=True)
def clean_plugin_settings(private_settings):
    QgsSettings().remove("mapillary_retriever")
    yield
    QgsSettings().remove("mapillary_retriever")


@pytest.fixture
def web_iface(qgis_iface, qgis_new_project, monkeypatch):
    """pytest-qgis's interface with a real Web menu and toolbar."""
    ui = WebUi(qgis_iface.mainWindow())
    monkeypatch.setattr(qgis_iface, "addPluginToWebMenu", ui.add_to_menu, raising=False)
    monkeypatch.setattr(qgis_iface, "removePluginWebMenu", ui.remove_from_menu, raising=False)
    monkeypatch.setattr(qgis_iface, "addWebToolBarWidget", ui.add_widget, raising=False)
    monkeypatch.setattr(qgis_iface, "webToolBar", lambda: ui.toolbar, raising=False)
    qgis_iface.web_ui = ui
    qgis_iface.messageBar().clearWidgets()
    yield qgis_iface
    qgis_iface.messageBar().clearWidgets()
    ui.menu.deleteLater()
    ui.toolbar.deleteLater()


@pytest.fixture
def plugin(web_iface, sandbox):
    """The plugin, loaded into the test interface and pointed at the sandbox."""
    from mapillary_retriever.plugin import MapillaryRetrieverPlugin

    p = MapillaryRetrieverPlugin(web_iface)
    p.initGui()
    yield p
    if p.runner is not None:
        p.runner.cancel_all()
        wait_for(lambda: not p.runner.tasks, timeout=30)
    p.unload()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def shown_canvas(qgis_canvas, qgis_parent):
    """The canvas, shown (offscreen) so that it has its real size in map units."""
    qgis_parent.show()
    qgis_canvas.show()
    wait_for(lambda: qgis_canvas.mapSettings().outputSize() == qgis_canvas.viewport().size())
    yield qgis_canvas
    qgis_parent.hide()


@pytest.fixture
def lux_crs(shown_canvas):
    """A projected, non-WGS84 project and canvas (LUREF / Luxembourg TM, EPSG:2169)."""
    qgis_canvas = shown_canvas
    crs = QgsCoordinateReferenceSystem("EPSG:2169")
    QgsProject.instance().setCrs(crs)
    qgis_canvas.setDestinationCrs(crs)
    yield crs
    wgs = QgsCoordinateReferenceSystem("EPSG:4326")
    QgsProject.instance().setCrs(wgs)
    qgis_canvas.setDestinationCrs(wgs)


@pytest.fixture(scope="module")
def provider(qgis_processing):
    """The Mapillary Processing provider, registered for the module's tests."""
    from mapillary_retriever.processing_provider import MapillaryProvider

    registry = QgsApplication.processingRegistry()
    mine = None
    if registry.providerById("mapillary") is None:
        mine = MapillaryProvider()
        assert registry.addProvider(mine)
    yield registry.providerById("mapillary")
    if mine is not None:
        registry.removeProvider(mine)


@pytest.fixture(autouse=True)
def collect_garbage_at_the_end():
    """Collect a test's garbage (Processing contexts, feedbacks, exception frames holding Qt
    objects) at its end, while its layers and project still exist, not at a random moment of
    a later test after pytest-qgis has cleared the project."""
    yield
    QCoreApplication.processEvents()
    gc.collect()
