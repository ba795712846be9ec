"""Runs inside QGIS (``qgis.bin --code``), driven by scripts/screenshots.py: uses the plugin as a
person would (dialog, search, cancel, map, viewer, settings) and asks for a screenshot at each step.

A step asks for a screenshot by creating ``<name>.request`` in $SCREENSHOT_DIR and waits for
``<name>.done``. Everything goes through the plugin's own actions and widgets.
"""

import os
import time
import traceback
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QApplication, QDialog
from qgis.utils import iface, plugins

WORK = Path(os.environ["SCREENSHOT_DIR"])
CENTER = (6.13, 49.61)
WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")


def shot(name):
    """Ask the driver for a screenshot and wait until it is taken."""
    (WORK / (name + ".request")).touch()
    done = WORK / (name + ".done")
    return lambda: done.exists()


def pause(seconds):
    end = time.monotonic() + seconds
    return lambda: time.monotonic() > end


def rendered():
    canvas = iface.mapCanvas()
    state = {"since": None}

    def check():
        if canvas.isDrawing():
            state["since"] = None
            return False
        state["since"] = state["since"] or time.monotonic()
        return time.monotonic() - state["since"] > 0.6
    return check


def log(*args):
    with open(WORK / "steps.log", "a") as f:
        print(*args, file=f)


def zoom(lon, lat, half_width_m):
    """Centre the map on lon, lat, showing about 2 × half_width_m metres across."""
    canvas = iface.mapCanvas()
    if QgsProject.instance().crs() != WEB_MERCATOR:  # the first layer added may have changed it
        QgsProject.instance().setCrs(WEB_MERCATOR)
    to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), canvas.mapSettings().destinationCrs(),
                                    QgsProject.instance())
    c = to_map.transform(QgsPointXY(lon, lat))
    canvas.setExtent(QgsRectangle(c.x() - half_width_m, c.y() - half_width_m, c.x() + half_width_m,
                                  c.y() + half_width_m))
    canvas.refresh()
    log("zoom", canvas.mapSettings().destinationCrs().authid(), canvas.extent().toString(2))


def image_layer():
    return next(lyr for lyr in QgsProject.instance().mapLayers().values()
                if lyr.customProperty("mapillary_retriever/kind") == "images")


def zoom_to(layer):
    canvas = iface.mapCanvas()
    to_map = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
    extent = to_map.transformBoundingBox(layer.extent())
    extent.scale(1.1)
    canvas.setExtent(extent)
    canvas.refresh()


def close_popups():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and w.isVisible() and w.objectName() != "" and "Mapillary" not in w.windowTitle():
            w.close()


def steps():
    plugin = plugins["mapillary_retriever"]
    main = iface.mainWindow()
    main.setGeometry(0, 0, 1600, 1000)
    main.showMaximized()
    close_popups()
    iface.newProject(False)  # the map instead of the welcome page
    QgsProject.instance().setCrs(WEB_MERCATOR)
    iface.mapCanvas().setCanvasColor(QColor("#f2efe9"))
    yield pause(1.0)
    log("main window", main.geometry(), main.minimumSizeHint(), main.frameGeometry())

    # 1. the dialog, opened from the Web menu action, filled by a click with the point tool
    plugin.search_action.trigger()
    dialog = plugin.dialog
    zoom(CENTER[0] + 0.004, CENTER[1], 900)  # the search point left of the dialog
    plugin.point_action.trigger()
    plugin._point_picked(QgsPointXY(*CENTER), False)
    dialog.radius_spin.setValue(300)
    for name in ("username", "make", "model"):
        dialog.field_checks[name].setChecked(True)
    dialog.fields_group.setCollapsed(False)
    yield pause(0.3)
    dialog.adjustSize()
    dialog.move(main.geometry().right() - dialog.frameGeometry().width() - 8, main.y() + 120)
    log("dialog", dialog.geometry(), dialog.sizeHint(), dialog.minimumSizeHint())
    yield rendered()
    yield shot("01-dialog-point-search")

    # 2. a typing mistake, explained as you type
    dialog.point_edit.setText("49.61, 106.13")
    yield pause(0.3)
    yield shot("02-dialog-invalid-input")
    dialog.point_edit.setText(f"{CENTER[0]}, {CENTER[1]}")

    # 3. a large search (the whole sandbox world) shows progress, then is cancelled
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("box"))
    dialog.bbox_edit.setText("6.07, 49.57, 6.19, 49.65")
    dialog.search_button.click()
    task = dialog.task
    yield lambda: dialog.progress.value() > 20  # some tiles are in (5-90 % is the tile stage)
    yield shot("03-search-progress")
    dialog.cancel_button.click()
    yield lambda: dialog.task is None
    yield pause(0.5)
    zoom_to(image_layer())
    yield rendered()
    yield shot("04-cancelled-partial-result")
    del task

    # 4. the point search: layers in a group, styled
    root = QgsProject.instance().layerTreeRoot()
    for group in list(root.children()):
        root.removeChildNode(group)
    QgsProject.instance().removeAllMapLayers()
    iface.messageBar().clearWidgets()
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("point"))
    dialog.search_button.click()
    yield lambda: dialog.task is None
    zoom(CENTER[0] + 0.0025, CENTER[1], 560)
    yield rendered()
    yield shot("05-map-styled-layers")
    dialog.close()
    zoom(*CENTER, 60)
    yield rendered()
    yield shot("06-map-zoomed-in")
    zoom(*CENTER, 3000)
    yield rendered()
    yield shot("07-map-zoomed-out")

    # 5. the viewer: pick an image near the centre
    zoom(*CENTER, 160)
    viewer = plugin.open_viewer()
    main.resizeDocks([viewer], [420], Qt.Orientation.Horizontal)
    yield pause(0.3)
    log("viewer", viewer.geometry(), viewer.minimumSizeHint(), "main", main.geometry())
    images = image_layer()
    nearest = min(images.getFeatures(), key=lambda f: f.geometry().asPoint().sqrDist(QgsPointXY(*CENTER))
                  if not f["is_pano"] else 1e9)
    shown = []
    viewer.imageShown.connect(shown.append)
    viewer.show_feature(images, nearest)
    yield lambda: bool(shown)
    yield rendered()
    yield shot("08-viewer")
    viewer.next_action.trigger()
    yield lambda: len(shown) > 1
    yield rendered()
    yield shot("09-viewer-next")

    # 6. settings, and the dialog without a token
    settings = plugin.open_settings()
    yield pause(0.5)
    yield shot("10-settings")
    settings.close()
    token = os.environ.pop("MAPILLARY_ACCESS_TOKEN")
    plugin.open_dialog()
    yield pause(0.5)
    yield shot("11-dialog-without-token")
    os.environ["MAPILLARY_ACCESS_TOKEN"] = token
    dialog.close()


def context_layer():
    """Something on the map (no basemap offline): the sandbox city's districts as polygons."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "districts", "memory")
    feats = []
    for x, y in ((6.11, 49.60), (6.13, 49.60), (6.11, 49.615), (6.13, 49.615)):
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 0.019, y + 0.014)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    layer.renderer().symbol().setColor(QColor(220, 215, 200, 160))
    QgsProject.instance().addMapLayer(layer)
    return layer


def image_layer_from_engine():
    """The images within 300 m of the centre, fetched with the engine (not the search task), as a layer."""
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    from mapillary_retriever.api import Query, search
    from mapillary_retriever.dialogs.common import KIND_PROPERTY

    result = search(Query.build(closeto=CENTER, radius=300), os.environ["MAPILLARY_ACCESS_TOKEN"], sequences=False)
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "images", "memory")
    layer.dataProvider().addAttributes([QgsField("id", QVariant.String), QgsField("sequence_id", QVariant.String),
                                        QgsField("compass_angle", QVariant.Double),
                                        QgsField("is_pano", QVariant.Bool)])
    layer.updateFields()
    feats = []
    for img in result.images:
        f = QgsFeature(layer.fields())
        f.setAttributes([img.id, img.sequence_id, img.compass_angle, img.is_pano])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(img.lon, img.lat)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.setCustomProperty(KIND_PROPERTY, "images")
    layer.renderer().symbol().setColor(QColor("#05CB63"))
    QgsProject.instance().addMapLayer(layer)
    return layer


def scale_steps():
    """The whole sandbox world searched through the dialog, then the map at 1:500,000, 1:35,000,
    1:5,000 and 1:500: what the scale-dependent styles show at each."""
    plugin = plugins["mapillary_retriever"]
    main = iface.mainWindow()
    main.setGeometry(0, 0, 1600, 1000)
    main.showMaximized()
    close_popups()
    iface.newProject(False)
    QgsProject.instance().setCrs(WEB_MERCATOR)
    iface.mapCanvas().setCanvasColor(QColor("#f2efe9"))
    context_layer()
    yield pause(1.0)
    dialog = plugin.open_dialog()
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("box"))
    dialog.bbox_edit.setText("6.07, 49.57, 6.19, 49.65")
    yield pause(0.3)
    dialog.search_button.click()
    yield lambda: dialog.task is None
    dialog.close()
    iface.messageBar().clearWidgets()
    canvas = iface.mapCanvas()
    for scale, where in ((500_000, CENTER), (35_000, CENTER), (5_000, (6.12, 49.60)), (500, (6.12, 49.60))):
        zoom(where[0], where[1], 1000)
        canvas.zoomScale(scale)
        yield rendered()
        yield shot(f"scale-{scale}")


def issue_steps():
    """The first-hour issue: an empty project, a swapped point, the master password note, the viewer."""
    from mapillary_retriever import settings as plugin_settings

    plugin = plugins["mapillary_retriever"]
    main = iface.mainWindow()
    main.setGeometry(0, 0, 1600, 1000)
    main.showMaximized()
    close_popups()
    iface.newProject(False)
    plugin_settings.save_form({})
    yield pause(1.0)

    # 1. a new, empty project: the dialog says the map is empty and starts on another kind of area
    dialog = plugin.open_dialog()
    yield pause(0.3)
    dialog.adjustSize()
    dialog.move(main.geometry().right() - dialog.frameGeometry().width() - 8, main.y() + 80)
    yield pause(0.3)
    yield shot("01-dialog-empty-project")

    # 2. a map, and a point typed latitude first: a warning, not an error
    QgsProject.instance().setCrs(WEB_MERCATOR)
    context_layer()
    zoom(CENTER[0] + 0.01, CENTER[1], 2500)
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("point"))
    dialog.crs_combo.setCurrentIndex(dialog.crs_combo.findData("EPSG:4326"))
    dialog.point_edit.setText("49.61, 6.13")
    yield rendered()
    yield shot("02-dialog-swapped-point")
    dialog.point_edit.setText(f"{CENTER[0]}, {CENTER[1]}")
    dialog.close()

    # 3. the settings before storing a token, with no master password yet
    settings = plugin.open_settings()
    settings.token_edit.setText("MLY|1234567890|abcdef")
    yield pause(0.5)
    yield shot("03-settings-master-password-note")
    settings.close()

    # 4. the viewer: a larger picture, the map following the image
    images = image_layer_from_engine()
    zoom(*CENTER, 160)
    viewer = plugin.open_viewer()
    main.resizeDocks([viewer], [480], Qt.Orientation.Horizontal)
    yield pause(0.3)
    nearest = min(images.getFeatures(), key=lambda f: f.geometry().asPoint().sqrDist(QgsPointXY(*CENTER))
                  if not f["is_pano"] else 1e9)
    shown = []
    viewer.imageShown.connect(shown.append)
    viewer.show_feature(images, nearest)
    yield lambda: bool(shown)
    yield rendered()
    yield shot("04-viewer")
    for _ in range(8):
        n = len(shown)
        viewer.next_action.trigger()
        yield lambda n=n: len(shown) > n or not viewer.next_action.isEnabled()
    yield rendered()
    yield shot("05-viewer-after-8-steps")
    viewer.open_large()
    yield pause(0.8)
    yield shot("06-viewer-large-picture")
    if viewer.large is not None:
        viewer.large.close()


def run():
    gen = {"issue": issue_steps, "scales": scale_steps}.get(os.environ.get("SCREENSHOT_STEPS", "issue"), steps)()
    state = {"wait": lambda: True}
    timer = QTimer(iface.mainWindow())

    def tick():
        try:
            while state["wait"]():
                state["wait"] = next(gen)
        except StopIteration:
            timer.stop()
            QgsProject.instance().setDirty(False)
            (WORK / "finished").touch()
        except Exception:  # noqa: BLE001 (report any failure to the driver)
            timer.stop()
            (WORK / "errors.txt").write_text(traceback.format_exc())
            (WORK / "finished").touch()

    timer.timeout.connect(tick)
    timer.start(100)
    iface.mapCanvas()._screenshot_timer = timer  # keep it alive


QTimer.singleShot(2000, run)
