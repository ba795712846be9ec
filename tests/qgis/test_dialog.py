"""The search dialog: validation as you type with the engine's messages, output choices,
the token banner, remembered state, and areas taken from the canvas or a layer."""

from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QDate

from mapillary_retriever.dialogs.search_dialog import SearchDialog

TOKEN = "MLY|4242424242|5a1dbc0ffee0ddba11f00dfacade4242"


@pytest.fixture
def dialog(web_iface, monkeypatch):
    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", TOKEN)
    d = SearchDialog(web_iface)
    d.show()
    yield d
    d.close()
    d.remove_preview()
    d.deleteLater()


def _point_mode(d, text):
    d.area_combo.setCurrentIndex(d.area_combo.findData("point"))
    d.crs_combo.setCurrentIndex(d.crs_combo.findData("EPSG:4326"))
    d.point_edit.setText(text)


def _basemap(canvas):
    """Something on the map, so that "the current map extent" means something."""
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "basemap", "memory")
    QgsProject.instance().addMapLayer(layer)
    canvas.setLayers([layer])
    return layer


def test_swapped_lat_lon_is_explained_and_blocks_search(dialog):
    _point_mode(dialog, "47.6, -122.33")
    assert not dialog.search_button.isEnabled()
    assert "swap" in dialog.problem and "latitude -122.33" in dialog.problem
    assert "swap" in dialog.status.text() and dialog.search_button.toolTip() == dialog.problem
    dialog.point_edit.setText("-122.33, 47.6")
    assert dialog.search_button.isEnabled(), dialog.problem
    assert dialog.query.closeto == (-122.33, 47.6) and dialog.query.radius == 100
    assert "Ready" in dialog.status.text()


@pytest.mark.parametrize("text, expected", [
    ("", "Type a box"),
    ("6.14, 49.60, 6.12, 49.62", "inverted"),
    ("6.12, 49.60, 6.14", "needs 4 numbers"),
    ("6.12, 49.60, six, 49.62", "must be numbers"),
    ("-10, 40, 10, 60", "map tiles"),  # far too large: the engine's tile limit
])
def test_box_messages(dialog, text, expected):
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("box"))
    dialog.bbox_edit.setText(text)
    assert expected in dialog.problem
    assert not dialog.search_button.isEnabled()


def test_filters_reach_the_query(dialog):
    _point_mode(dialog, "6.13, 49.61")
    dialog.radius_spin.setValue(300)
    dialog.lookat_check.setChecked(True)
    assert "look-at point" in dialog.problem  # checked but empty
    dialog.lookat_edit.setText("6.131, 49.611")
    dialog.tolerance_spin.setValue(30)
    dialog.from_check.setChecked(True)
    dialog.from_date.setDate(QDate(2020, 1, 1))
    dialog.to_check.setChecked(True)
    dialog.to_date.setDate(QDate(2021, 12, 31))
    dialog.usernames_edit.setText("alice, bob")
    dialog.pano_combo.setCurrentIndex(dialog.pano_combo.findData("exclude"))
    dialog.org_edit.setText("12345")
    dialog.max_spin.setValue(500)
    dialog.field_checks["username"].setChecked(True)
    dialog.field_checks["computed_geometry"].setChecked(True)
    assert dialog.search_button.isEnabled(), dialog.problem
    q = dialog.query
    assert q.radius == 300 and q.lookat == (6.131, 49.611) and q.tolerance == 30
    assert q.start_time.isoformat() == "2020-01-01T00:00:00+00:00"
    assert q.end_time.isoformat() == "2022-01-01T00:00:00+00:00"  # "to" is inclusive: the engine's end is not
    assert q.usernames == ("alice", "bob") and q.pano == "exclude" and q.organization_id == "12345"
    assert q.max_features == 500 and q.fields == ("username", "computed_geometry")


@pytest.mark.parametrize("change, expected", [
    (lambda d: (d.from_check.setChecked(True), d.from_date.setDate(QDate(2022, 5, 1)),
                d.to_check.setChecked(True), d.to_date.setDate(QDate(2022, 3, 1))),
     "The 'to' date 2022-03-01 is before the 'from' date 2022-05-01."),
    (lambda d: d.userkeys_edit.setText("abc"), "not a Mapillary creator id"),
    (lambda d: d.org_edit.setText("acme"), "must be a number"),
    (lambda d: (d.images_check.setChecked(False), d.sequences_check.setChecked(False)), "Choose what to produce"),
    (lambda d: d.gpkg_radio.setChecked(True), "Choose the GeoPackage file"),
    (lambda d: (d.gpkg_radio.setChecked(True), d.gpkg_widget.setFilePath("/nonexistent-dir/x.gpkg")),
     "does not exist"),
    (lambda d: (d.gpkg_radio.setChecked(True), d.gpkg_widget.setFilePath("/tmp/x.shp")), "must end in .gpkg"),
])
def test_invalid_filters_and_outputs(dialog, change, expected):
    _point_mode(dialog, "6.13, 49.61")
    assert dialog.search_button.isEnabled(), dialog.problem
    change(dialog)
    assert expected in dialog.problem
    assert not dialog.search_button.isEnabled()


def test_geopackage_output(dialog, tmp_path):
    _point_mode(dialog, "6.13, 49.61")
    dialog.gpkg_radio.setChecked(True)
    dialog.gpkg_widget.setFilePath(str(tmp_path / "out.gpkg"))
    dialog.append_combo.setCurrentIndex(1)
    assert dialog.search_button.isEnabled(), dialog.problem
    out = dialog.build_output()
    assert out.gpkg == str(tmp_path / "out.gpkg") and out.append and out.images and out.sequences


def test_without_a_token_the_dialog_says_what_to_do(web_iface, monkeypatch):
    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN", raising=False)
    d = SearchDialog(web_iface)
    d.show()
    try:
        _point_mode(d, "6.13, 49.61")
        assert d.token_banner.isVisible()
        assert "token" in d.problem and not d.search_button.isEnabled()
        requested = []
        d.settingsRequested.connect(lambda: requested.append(1))
        d.settings_button.click()
        assert requested
        monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", TOKEN)
        d.refresh_token()  # what the plugin calls once the settings saved a token
        assert not d.token_banner.isVisible() and d.search_button.isEnabled()
    finally:
        d.close()
        d.remove_preview()


def test_last_search_is_remembered(web_iface, monkeypatch, tmp_path):
    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", TOKEN)
    d = SearchDialog(web_iface)
    d.show()
    _point_mode(d, "6.13, 49.61")
    d.radius_spin.setValue(750)
    d.usernames_edit.setText("carol")
    d.to_check.setChecked(True)
    d.to_date.setDate(QDate(2023, 6, 30))
    d.pano_combo.setCurrentIndex(d.pano_combo.findData("only"))
    d.field_checks["make"].setChecked(True)
    d.sequences_check.setChecked(False)
    d.gpkg_radio.setChecked(True)
    d.gpkg_widget.setFilePath(str(tmp_path / "kept.gpkg"))
    first = d.query
    d.close()  # closing saves; so does searching
    d.remove_preview()

    again = SearchDialog(web_iface)  # a new session
    again.show()
    try:
        assert again.area_mode() == "point"
        assert again.query == first
        assert not again.sequences_check.isChecked() and again.gpkg_radio.isChecked()
        assert again.gpkg_widget.filePath() == str(tmp_path / "kept.gpkg")
        assert not again.fields_group.isCollapsed()  # chosen extra fields are shown
    finally:
        again.close()
        again.remove_preview()


def test_canvas_extent_in_a_projected_crs(dialog, lux_crs, shown_canvas):
    _basemap(shown_canvas)
    center = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), lux_crs,
                                    QgsProject.instance()).transform(6.13, 49.61)
    from qgis.core import QgsRectangle

    shown_canvas.setExtent(QgsRectangle(center.x() - 2000, center.y() - 2000, center.x() + 2000, center.y() + 2000))
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("canvas"))
    assert dialog.search_button.isEnabled(), dialog.problem
    lon_min, lat_min, lon_max, lat_max = dialog.query.bbox
    assert lon_min < 6.13 < lon_max and lat_min < 49.61 < lat_max
    assert 0.04 < lon_max - lon_min < 0.09  # ~4-5 km at 49.6°N, in degrees of longitude
    assert "around 49.6" in dialog.canvas_label.text()
    # following the canvas: zooming in changes the searched box
    shown_canvas.zoomByFactor(0.5)
    assert dialog.query.bbox[2] - dialog.query.bbox[0] < lon_max - lon_min


def test_layer_extent(dialog, qgis_new_project):
    layer = QgsVectorLayer("Point?crs=EPSG:2169", "stations", "memory")
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    feats = []
    for x, y in ((76000, 74000), (78000, 76000)):
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    QgsProject.instance().addMapLayer(layer)
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("layer"))
    dialog.layer_combo.setLayer(layer)
    assert dialog.search_button.isEnabled(), dialog.problem
    lon_min, lat_min, lon_max, lat_max = dialog.query.bbox
    assert 6.10 < lon_min < lon_max < 6.16 and 49.59 < lat_min < lat_max < 49.63
    QgsProject.instance().removeMapLayer(layer)


def test_an_empty_map_offers_the_other_areas(web_iface, monkeypatch, shown_canvas):
    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", TOKEN)
    shown_canvas.setLayers([])
    d = SearchDialog(web_iface)  # nothing saved: it would start on the map extent
    d.show()
    try:
        canvas_item = d.area_combo.model().item(d.area_combo.findData("canvas"))
        assert not canvas_item.isEnabled() and "empty" in canvas_item.toolTip()
        assert d.area_mode() == "box" and d.empty_map_label.isVisible()
        assert "inf" not in d.status.text() and "1.79769e+308" not in d.status.text()
        assert "Type a box" in d.problem
        layer = _basemap(shown_canvas)  # a layer arrives: the map extent is a choice again
        assert canvas_item.isEnabled() and not d.empty_map_label.isVisible()
        d.area_combo.setCurrentIndex(d.area_combo.findData("canvas"))
        assert "inf" not in d.canvas_label.text()
        QgsProject.instance().removeMapLayer(layer)
    finally:
        d.close()
        d.remove_preview()


def test_dates_are_inclusive_days_shown_as_typed(dialog):
    _point_mode(dialog, "6.13, 49.61")
    dialog.from_check.setChecked(True)
    dialog.from_date.setDate(QDate(2020, 1, 1))
    dialog.to_check.setChecked(True)
    dialog.to_date.setDate(QDate(2020, 12, 31))
    assert dialog.search_button.isEnabled(), dialog.problem
    assert "2020-01-01 to 2020-12-31" in dialog.status.text() and "2021-01-01" not in dialog.status.text()
    assert "exclusive" not in dialog.status.text()


def test_points_typed_in_the_project_crs(dialog, lux_crs, shown_canvas):
    _basemap(shown_canvas)
    dialog._project_crs_changed()
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("point"))
    dialog.crs_combo.setCurrentIndex(dialog.crs_combo.findData("EPSG:2169"))
    dialog.point_edit.setText("77000, 75000")  # LUREF metres: Luxembourg city
    assert dialog.search_button.isEnabled(), dialog.problem
    lon, lat = dialog.query.closeto
    assert 6.1 < lon < 6.2 and 49.5 < lat < 49.7
    dialog.crs_combo.setCurrentIndex(dialog.crs_combo.findData("EPSG:4326"))  # the text follows the CRS
    assert dialog.point_edit.text().startswith("6.1") and dialog.query.closeto == pytest.approx((lon, lat), abs=1e-6)
    dialog.point_edit.setText("77000, 75000")  # metres typed as degrees: the point's own words
    assert dialog.problem.startswith("Point: latitude 75000 is outside -90..90")
    assert "closeto" not in dialog.problem


def test_a_swapped_point_is_a_warning_not_an_error(dialog, shown_canvas):
    from qgis.core import QgsRectangle

    _basemap(shown_canvas)
    shown_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    shown_canvas.setExtent(QgsRectangle(6.10, 49.59, 6.16, 49.63))
    _point_mode(dialog, "49.61, 6.13")  # latitude first: a valid point in the Indian Ocean
    assert dialog.search_button.isEnabled(), dialog.problem
    assert "km from the map view: did you swap longitude and latitude?" in dialog.warning
    assert dialog.warning in dialog.status.text()
    dialog.point_edit.setText("6.13, 49.61")
    assert dialog.warning == ""


def test_anywhere_by_users(dialog):
    users = dialog.area_combo.model().item(dialog.area_combo.findData("users"))
    assert not users.isEnabled()
    dialog.usernames_edit.setText("alice")
    assert users.isEnabled()
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("users"))
    assert dialog.search_button.isEnabled(), dialog.problem
    assert dialog.query.anywhere and dialog.query.usernames == ("alice",)
    dialog.usernames_edit.setText("")  # no users left: back to an area
    assert dialog.area_mode() != "users"


def test_inside_the_selected_polygons(dialog, qgis_new_project):
    from qgis.core import QgsFeature, QgsGeometry

    layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "districts", "memory")
    feats = []
    for wkt in ("POLYGON((6.10 49.60, 6.12 49.60, 6.12 49.62, 6.10 49.60))",
                "POLYGON((6.14 49.60, 6.16 49.60, 6.16 49.61, 6.14 49.60))"):
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(layer)
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("polygons"))
    dialog.polygon_combo.setLayer(layer)
    assert "none of districts is selected" in dialog.problem
    layer.selectByIds([f.id() for f in layer.getFeatures()])
    assert dialog.search_button.isEnabled(), dialog.problem
    assert dialog.query.bbox == pytest.approx((6.10, 49.60, 6.16, 49.62))
    within = QgsGeometry.fromWkt(dialog.build_output().within_wkt)
    assert within.area() == pytest.approx(0.0003, rel=1e-3)  # the triangles, not their box
    QgsProject.instance().removeMapLayer(layer)


def test_download_choice(dialog, tmp_path):
    _point_mode(dialog, "6.13, 49.61")
    dialog.download_check.setChecked(True)
    assert "folder to download" in dialog.problem
    dialog.download_widget.setFilePath(str(tmp_path / "pictures"))
    dialog.download_size.setCurrentIndex(dialog.download_size.findData("2048"))
    assert dialog.search_button.isEnabled(), dialog.problem
    out = dialog.build_output()
    assert out.download_dir == str(tmp_path / "pictures") and out.download_size == "2048"
    dialog.download_widget.setFilePath("/nonexistent-dir/deeper/pictures")
    assert "does not exist" in dialog.problem


def test_a_locked_token_is_named_and_unlocked_on_request(dialog, monkeypatch):
    from mapillary_retriever import auth

    monkeypatch.setattr(auth, "token_state", lambda: "locked")
    asked = []
    monkeypatch.setattr(auth, "unlock", lambda again=False: asked.append(again) or False)
    dialog.refresh_token()
    assert dialog.token_banner.isVisible() and dialog.unlock_button.isVisible()
    assert "Token stored, locked" in dialog.token_text.text() and "No Mapillary token" not in dialog.token_text.text()
    assert not asked  # showing the state never asks for the master password
    _point_mode(dialog, "6.13, 49.61")
    assert dialog.search_button.isEnabled(), dialog.problem
    sent = []
    dialog.searchRequested.connect(lambda q, o: sent.append(q))
    dialog.search_button.click()
    assert asked == [True] and not sent and "locked" in dialog.status.text()
