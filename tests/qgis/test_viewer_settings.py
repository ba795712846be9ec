"""The image viewer dock (picked from the map, fetched in the background, previous/next along the
sequence, highlight, copy, open on the web) and the token settings page."""

from __future__ import annotations

import time

import pytest
from qgis.core import QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication

from mapillary_retriever import auth
from mapillary_retriever.dialogs import viewer as viewer_module
from mapillary_retriever.dialogs.common import WGS84, image_layers


def pump(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        QCoreApplication.processEvents()
        time.sleep(0.005)


@pytest.fixture
def image_layer(plugin, sandbox, shown_canvas):
    """The sandbox's images within 60 m of the centre, as the plugin's image layer would hold them
    (made here, so the viewer's tests do not depend on the search task)."""
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    from mapillary_retriever.api import geo
    from mapillary_retriever.dialogs.common import KIND_PROPERTY

    layer = QgsVectorLayer("Point?crs=EPSG:4326", "images", "memory")
    layer.dataProvider().addAttributes([QgsField("id", QVariant.String), QgsField("sequence_id", QVariant.String),
                                        QgsField("compass_angle", QVariant.Double),
                                        QgsField("is_pano", QVariant.Bool)])
    layer.updateFields()
    feats = []
    for img in sandbox.world.images:
        if geo.haversine(img.lon, img.lat, 6.13, 49.61) <= 60:
            f = QgsFeature(layer.fields())
            f.setAttributes([img.id, img.seq.id, img.compass_angle, bool(img.seq.is_pano)])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(img.lon, img.lat)))
            feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    layer.setCustomProperty(KIND_PROPERTY, "images")
    QgsProject.instance().addMapLayer(layer)
    assert image_layers() == [layer]
    shown_canvas.setLayers([layer])
    ext = layer.extent()
    ext.grow(0.0005)
    shown_canvas.setExtent(ext)
    return layer


def click_feature(canvas, tool, layer, feature):
    to_map = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
    pixel = canvas.getCoordinateTransform().transform(to_map.transform(feature.geometry().asPoint()))
    pos = QPoint(round(pixel.x()), round(pixel.y()))
    tool.canvasPressEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonPress, pos, Qt.MouseButton.LeftButton))
    tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.LeftButton))


def test_viewer_shows_picked_image_and_walks_its_sequence(plugin, sandbox, image_layer, shown_canvas, monkeypatch):
    world = sandbox.world
    viewer = plugin.open_viewer()
    assert shown_canvas.mapTool() is viewer.pick_tool and viewer.pick_action.isChecked()
    # an image in the middle of its sequence
    feature = next(f for f in image_layer.getFeatures()
                   if 0 < world.sequences[f["sequence_id"]].index(f["id"]) < len(world.sequences[f["sequence_id"]]) - 1)
    image = world.by_id[feature["id"]]
    shown = []
    viewer.imageShown.connect(shown.append)
    click_feature(shown_canvas, viewer.pick_tool, image_layer, feature)
    assert viewer.status.text() == "Loading…"  # the answer comes later, from a background task
    pump(lambda: shown)
    assert shown == [image.id]
    assert viewer.thumb.has_image()
    assert viewer.fields["id"].text() == image.id
    assert viewer.fields["creator"].text() == world.users[image.seq.creator_id]
    assert viewer.fields["captured"].text().endswith("UTC") and viewer.fields["captured"].text()[:4].isdigit()
    assert "°" in viewer.fields["direction"].text() or "Panorama" in viewer.fields["direction"].text()
    assert viewer.fields["sequence"].text() == image.seq.id
    ids = world.sequences[image.seq.id]
    pos = ids.index(image.id)
    assert viewer.position_label.text() == f"{pos + 1} of {len(ids)}"
    assert viewer.prev_action.isEnabled() and viewer.next_action.isEnabled()
    thumbs_before = sandbox.stats["thumb"]

    # the map highlights the image and its viewing direction
    cone = viewer.highlight.cone.asGeometry()
    assert not cone.isEmpty()
    to_map = QgsCoordinateTransform(WGS84, shown_canvas.mapSettings().destinationCrs(), QgsProject.instance())
    here = to_map.transform(QgsPointXY(image.lon, image.lat))
    assert cone.boundingBox().buffered(1e-9).contains(here)

    viewer.next_action.trigger()
    pump(lambda: len(shown) == 2)
    assert shown[1] == ids[pos + 1] and viewer.fields["id"].text() == ids[pos + 1]
    viewer.prev_action.trigger()
    viewer.prev_action.trigger()  # a second click before the first answer: only the last one counts
    pump(lambda: len(shown) >= 3 and viewer.task is None)
    assert shown[-1] == viewer.image_id
    assert sandbox.stats["thumb"] > thumbs_before  # thumbnails are fetched fresh every time
    assert sandbox.stats["image_ids"] == 1  # the sequence's ids were fetched once

    # the keyboard walks the sequence too, and the map follows the image
    current = viewer.image_id
    QTest.keyClick(viewer.thumb, Qt.Key.Key_Right)  # unhandled by the picture: the dock steps
    pump(lambda: viewer.task is None and viewer.image_id != current)
    assert ids.index(viewer.image_id) == ids.index(current) + 1

    viewer.copy_action.trigger()
    assert QApplication.clipboard().text() == viewer.image_id
    opened = []
    monkeypatch.setattr(viewer_module.QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    viewer.web_action.trigger()
    assert opened == [f"https://www.mapillary.com/app/?pKey={viewer.image_id}&focus=photo"]


def test_viewer_pans_the_map_to_keep_the_image_in_view(plugin, shown_canvas):
    from qgis.core import QgsRectangle

    viewer = plugin.open_viewer()
    shown_canvas.setDestinationCrs(WGS84)
    shown_canvas.setExtent(QgsRectangle(6.10, 49.60, 6.12, 49.62))
    before = shown_canvas.extent()
    viewer.keep_in_view(6.11, 49.61)  # in view: the map stays
    assert shown_canvas.extent() == before
    viewer.keep_in_view(6.20, 49.61)  # off-screen: the map pans there, same scale
    after = shown_canvas.extent()
    assert after.contains(QgsPointXY(6.20, 49.61))
    assert after.width() == pytest.approx(before.width())


def test_viewer_picture_opens_large(plugin, monkeypatch):
    from qgis.PyQt.QtGui import QColor, QPixmap

    viewer = plugin.open_viewer()
    viewer.open_large()  # nothing to show yet: nothing opens
    assert viewer.large is None
    pixmap = QPixmap(640, 480)
    pixmap.fill(QColor("#336699"))
    viewer.image_id = "42"
    viewer.thumb.set_image(pixmap)
    viewer.thumb.doubleClicked.emit()
    assert viewer.large is not None and viewer.large.isVisible()
    assert viewer.large.picture.image().size() == pixmap.size() and "42" in viewer.large.windowTitle()
    assert viewer.thumb.sizePolicy().verticalPolicy() == viewer_module.QSizePolicy.Policy.Expanding


def test_viewer_unknown_image_and_missing_place(plugin, sandbox, web_iface):
    viewer = plugin.open_viewer()
    viewer.show_image("1234567890123456")
    pump(lambda: viewer.task is None)
    assert "no object with that id" in viewer.status.text().lower()
    assert not viewer.thumb.has_image()
    viewer.pick_tool.nothingPicked.emit()
    assert "No Mapillary image there" in viewer.status.text()


def test_viewer_close_removes_the_highlight(plugin, sandbox):
    viewer = plugin.open_viewer()
    viewer.highlight.show(6.13, 49.61, 45.0, False)
    assert not viewer.highlight.cone.asGeometry().isEmpty()
    viewer.close()
    assert viewer.highlight.cone.asGeometry().isEmpty()


# --- settings -------------------------------------------------------------------------
@pytest.fixture
def settings_dialog(plugin, monkeypatch):
    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN")
    auth.forget_token()
    dialog = plugin.open_settings()
    yield dialog
    auth.forget_token()


def save(dialog, token):
    dialog.token_edit.setText(token)
    dialog.save_button.click()
    pump(lambda: dialog.task is None)


def test_token_is_checked_and_stored_in_the_auth_database(plugin, sandbox, settings_dialog):
    from sandbox import DEMO_TOKEN

    search = plugin.open_dialog()
    assert search.token_banner.isVisible() and not search.has_token
    assert "No token yet" in settings_dialog.state_label.text()
    assert not settings_dialog.save_button.isEnabled()
    sandbox.reset_stats()
    save(settings_dialog, DEMO_TOKEN)
    assert sandbox.stats["entity"] == 1 and sandbox.stats["search"] == 0  # one entity request, not a search
    assert "checked and saved" in settings_dialog.state_label.text()
    assert settings_dialog.token_edit.text() == ""  # not left on screen
    cfg = auth.stored_authcfg()
    assert cfg and auth.get_token() == DEMO_TOKEN
    assert DEMO_TOKEN not in settings_dialog.state_label.text()
    # the search dialog noticed
    assert search.has_token and not search.token_banner.isVisible()

    settings_dialog.forget_button.click()
    assert auth.stored_authcfg() == "" and auth.get_token() is None
    assert not search.has_token


def test_refused_token_is_not_stored(plugin, sandbox, settings_dialog):
    from sandbox import REVOKED_TOKEN

    save(settings_dialog, REVOKED_TOKEN)
    assert "refused" in settings_dialog.state_label.text()
    assert auth.stored_authcfg() == ""


def test_token_saved_unchecked_when_offline(plugin, sandbox, settings_dialog, monkeypatch):
    from sandbox import DEMO_TOKEN

    monkeypatch.setenv("MAPILLARY_GRAPH_URL", "http://127.0.0.1:9")
    save(settings_dialog, DEMO_TOKEN)
    assert "could not be checked" in settings_dialog.state_label.text()
    assert auth.get_token() == DEMO_TOKEN


def test_thumbnail_size_setting(plugin, settings_dialog):
    from mapillary_retriever import settings

    combo = settings_dialog.thumb_combo
    combo.setCurrentIndex(combo.findData("thumb_256_url"))
    assert settings.thumbnail_field() == "thumb_256_url"


def test_settings_warn_before_qgis_asks_for_a_new_master_password(plugin, settings_dialog, monkeypatch):
    monkeypatch.setattr(auth, "database_state", lambda: "unset")
    settings_dialog.refresh()
    assert settings_dialog.master_note.isVisible()
    note = settings_dialog.master_note.text()
    assert "master password" in note and "choose one" in note
    monkeypatch.setattr(auth, "database_state", lambda: "unlocked")
    settings_dialog.refresh()
    assert not settings_dialog.master_note.isVisible()


def test_settings_name_a_locked_token_and_unlock_on_request(plugin, settings_dialog, monkeypatch):
    monkeypatch.setattr(auth, "token_state", lambda: "locked")
    asked = []
    monkeypatch.setattr(auth, "unlock", lambda again=False: asked.append(again) or True)
    settings_dialog.refresh()
    assert "Token stored, locked" in settings_dialog.state_label.text() and not asked
    assert settings_dialog.unlock_button.isVisible()
    settings_dialog.unlock_button.click()
    assert asked == [True]


def test_auth_never_asks_off_the_main_thread_and_only_once(monkeypatch):
    import threading

    from qgis.core import QgsApplication

    am = QgsApplication.authManager()
    asked = []
    monkeypatch.setattr(auth, "_declined", False)
    monkeypatch.setattr(am, "masterPasswordIsSet", lambda: False, raising=False)
    monkeypatch.setattr(am, "setMasterPassword", lambda verify=False: asked.append(1) or False, raising=False)
    monkeypatch.setattr(auth.QgsApplication, "authManager", staticmethod(lambda: am))
    results = []
    worker = threading.Thread(target=lambda: results.append(auth.unlock()))
    worker.start()
    worker.join()
    assert results == [False] and not asked  # a worker thread never asks
    assert auth.unlock() is False and auth.unlock() is False
    assert asked == [1]  # cancelled once: not asked again this session
    assert auth.unlock(again=True) is False and asked == [1, 1]  # unless the person asks
