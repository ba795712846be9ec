"""Downloads inside QGIS against the sandbox: the search task's "Also download the images" (file field,
message with an "Open folder" button, cancel) and the Processing algorithm mapillary:downloadimages
(EXIF checked with exiftool, selected features only, cancel, the copy with a file field)."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404: runs exiftool, a fixed local program
import time
from pathlib import Path

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDateTime, Qt
from qgis.PyQt.QtWidgets import QPushButton
from test_processing import Feedback
from test_search import finish
from truth import exiftool

from mapillary_retriever import task as task_module
from mapillary_retriever.api import geo
from mapillary_retriever.api.download import DownloadReport
from mapillary_retriever.api.outcome import Outcome
from mapillary_retriever.dialogs.common import KIND_PROPERTY
from mapillary_retriever.task import Output

CENTER = (6.13, 49.61)


def exif_of(paths) -> dict[str, dict]:
    out = subprocess.run([exiftool(), "-j", "-n", "-G", "-fast", *map(str, paths)],  # nosec B603
                         capture_output=True, text=True, check=True).stdout
    return {Path(t["SourceFile"]).stem: t for t in json.loads(out)}


def image_layer():
    for layer in QgsProject.instance().mapLayers().values():
        if layer.customProperty(KIND_PROPERTY) == "images":
            return layer
    raise AssertionError("no image layer")


def message_items(iface):
    return list(iface.messageBar().items())


def near(world, radius):
    return {im.id: im for im in world.images if geo.haversine(*CENTER, im.lon, im.lat) <= radius}


def search(plugin, radius, output):
    from mapillary_retriever.api import Query

    task = plugin.runner.start(Query.build(closeto=CENTER, radius=radius), output)
    assert task is not None
    return task


# --- the search task -------------------------------------------------------------------------------------------

def test_search_downloads_the_images_and_fills_the_file_field(plugin, sandbox, web_iface, tmp_path, monkeypatch):
    folder = tmp_path / "pics"
    opened = []
    monkeypatch.setattr(task_module.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    task = finish(plugin, search(plugin, 25, Output(download_dir=str(folder), download_size="256")))
    truth = near(sandbox.world, 25)
    assert task.error is None, task.trace
    assert task.downloads is not None and task.downloads.downloaded == len(truth) > 20
    layer = image_layer()
    assert "file" in layer.fields().names()
    files = {f["id"]: f["file"] for f in layer.getFeatures()}
    assert set(files) == set(truth)
    assert all(p == str(folder / f"{i}.jpg") and os.path.isfile(p) for i, p in files.items())
    assert sorted(os.listdir(folder)) == sorted(f"{i}.jpg" for i in truth)
    tags = exif_of(list(files.values())[:5])
    for image_id, t in tags.items():
        assert t["Composite:GPSLatitude"] == pytest.approx(truth[image_id].lat, abs=1e-6)
        assert str(t["EXIF:ImageUniqueID"]) == image_id

    items = message_items(web_iface)
    assert len(items) == 1
    text = items[0].text()
    assert f"{len(truth)} of {len(truth)} pictures downloaded into {folder}" in text
    assert "Downloads:" in items[0].property("details")
    buttons = {b.text(): b for b in items[0].findChildren(QPushButton)}
    buttons["Open folder"].click()
    assert [u.toLocalFile() for u in opened] == [str(folder)]

    # again: nothing downloaded, every picture already there
    web_iface.messageBar().clearWidgets()
    sandbox.reset_stats()
    again = finish(plugin, search(plugin, 25, Output(download_dir=str(folder), download_size="256")))
    assert again.downloads.downloaded == 0 and again.downloads.skipped == len(truth)
    assert sandbox.stats["thumb"] == 0
    assert f"{len(truth)} already there" in message_items(web_iface)[0].text()


def test_retry_downloads_the_pictures_of_the_images_it_adds(plugin, sandbox, web_iface, tmp_path, monkeypatch):
    """A search that misses a tile, then "Retry the missing part": the images the retry adds come with
    their pictures (the file field filled), the earlier ones keep theirs, nothing is fetched twice."""
    from mapillary_retriever.api import Query
    from mapillary_retriever.api.client import Config

    original = Config.from_env.__func__
    monkeypatch.setattr(Config, "from_env", classmethod(lambda cls, **o: original(cls, **{"backoff": 0.01, **o})))
    folder = tmp_path / "pics"
    query = Query.build(closeto=CENTER, radius=60)
    tiles = geo.tiles_for_bbox(query.area_bbox())
    truth = near(sandbox.world, 60)
    broken = max(tiles, key=lambda t: sum(1 for i in truth.values() if i.tile == t[1:]))
    sandbox.configure(fail_tiles={broken})
    first = finish(plugin, plugin.runner.start(query, Output(download_dir=str(folder), download_size="256")))
    assert first.error is None, first.trace
    assert first.result.report.missing("tile") == ["/".join(map(str, broken))]
    before = {f["id"]: f["file"] for f in image_layer().getFeatures()}
    assert 0 < len(before) < len(truth) and all(os.path.isfile(p) for p in before.values())

    sandbox.configure(fail_tiles=set())
    sandbox.reset_stats()
    retry_button = next(b for item in message_items(web_iface) for b in item.findChildren(QPushButton)
                        if b.text() == "Retry the missing part")
    retry_button.click()
    (retry,) = plugin.runner.tasks
    finish(plugin, retry)
    assert retry.error is None, retry.trace
    rep = retry.downloads
    assert rep is not None and rep.complete, rep
    assert rep.total == rep.downloaded == len(truth) - len(before)  # only the added images: none twice
    files = {f["id"]: f["file"] for f in image_layer().getFeatures()}
    assert set(files) == set(truth)
    assert all(p == str(folder / f"{i}.jpg") and os.path.isfile(p) for i, p in files.items()), \
        [(i, p) for i, p in files.items() if p != str(folder / f"{i}.jpg")]


def test_search_into_a_geopackage_has_the_file_field(plugin, sandbox, web_iface, tmp_path):
    from osgeo import ogr

    gpkg, folder = tmp_path / "out.gpkg", tmp_path / "pics"
    finish(plugin, search(plugin, 20, Output(gpkg=str(gpkg), download_dir=str(folder), download_size="256")))
    ds = ogr.Open(str(gpkg))
    rows = {f.GetField("id"): f.GetField("file") for f in ds.GetLayerByName("images")}
    ds = None
    assert rows and set(rows) == set(near(sandbox.world, 20))
    assert all(p == str(folder / f"{i}.jpg") and os.path.isfile(p) for i, p in rows.items())
    layer = image_layer()
    assert {f["id"]: f["file"] for f in layer.getFeatures()} == rows


def test_cancel_during_the_downloads_keeps_the_layers(plugin, sandbox, web_iface, tmp_path):
    folder = tmp_path / "pics"
    sandbox.configure(latency=0.05)
    task = search(plugin, 60, Output(download_dir=str(folder), download_size="256"))
    seen = []

    def on_progress(p):
        seen.append(p)
        if p.stage == "download" and p.done >= 20:
            task.cancel()

    task.progressed.connect(on_progress)
    finish(plugin, task)
    rep = task.downloads
    assert rep is not None and rep.cancelled and 20 <= rep.downloaded < rep.total
    assert any(p.stage == "download" for p in seen)
    layer = image_layer()  # the search's layers are there all the same
    files = {f["id"]: f["file"] for f in layer.getFeatures()}
    assert len(files) == rep.total
    on_disk = {i for i, p in files.items() if p}
    assert on_disk == {n[:-4] for n in os.listdir(folder)} and len(on_disk) == rep.downloaded
    assert not [n for n in os.listdir(folder) if n.endswith(".part")]
    item = message_items(web_iface)[0]
    assert "Downloads cancelled" in item.text() and item.level() == task_module.Qgis.MessageLevel.Warning


def test_download_failures_and_full_disk_are_said():
    base = Outcome("success", "Mapillary search complete", "40 images.", "details", 0, False, True)
    rep = DownloadReport(total=40, downloaded=30, skipped=2, failed=[("1", "HTTP 500")], disk_full=True,
                         stopped="The disk is full", not_started=["2"] * 7)
    outcome, text = task_module.downloads_outcome(base, rep, "/data/pics")
    assert text.startswith("30 of 40 pictures downloaded into /data/pics, 2 already there, 1 failed.")
    assert "The disk is full" in text and outcome.level == "warning" and "1 (HTTP 500)" in outcome.details
    ok, text = task_module.downloads_outcome(base, DownloadReport(total=3, downloaded=3), "/p")
    assert ok.level == "success" and text == "3 of 3 pictures downloaded into /p."


# --- Processing ------------------------------------------------------------------------------------------------

def run(params, feedback=None):
    from qgis import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = feedback or Feedback()
    return processing.run("mapillary:downloadimages", params, feedback=feedback, context=context), feedback


def points_layer(images, crs="EPSG:3857", id_name="id"):
    """A layer of Mapillary ids and points, as a user might have (in Web Mercator), with the plugin's fields."""
    layer = QgsVectorLayer(f"Point?crs={crs}&field={id_name}:string&field=captured_at:datetime"
                           "&field=compass_angle:double&field=note:string", "mine", "memory")
    to = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem(crs),
                                QgsProject.instance())
    feats = []
    for im in images:
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(to.transform(QgsPointXY(im.lon, im.lat))))
        f.setAttributes([im.id, QDateTime.fromMSecsSinceEpoch(im.captured_at, Qt.TimeSpec.UTC), im.compass_angle,
                         "x"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(layer)
    return layer


def test_processing_downloads_with_exif_and_a_copy(provider, sandbox, tmp_path):
    images = list(near(sandbox.world, 30).values())[:12]
    layer = points_layer(images)
    folder, copy = tmp_path / "pics", str(tmp_path / "copy.gpkg")
    result, fb = run({"INPUT": layer, "SIZE": "256", "FOLDER": str(folder), "OUTPUT": copy})
    assert (result["DOWNLOADED"], result["SKIPPED"], result["FAILED"], result["COMPLETE"]) == (12, 0, 0, True)
    assert result["FOLDER"] == str(folder)
    tags = exif_of(folder / f"{im.id}.jpg" for im in images)
    for im in images:
        t = tags[im.id]
        assert t["File:ImageWidth"] == 256
        assert t["Composite:GPSLatitude"] == pytest.approx(im.lat, abs=1e-6)
        assert t["Composite:GPSLongitude"] == pytest.approx(im.lon, abs=1e-6)
        if im.compass_angle is not None:
            assert t["EXIF:GPSImgDirection"] == pytest.approx(im.compass_angle % 360, abs=0.01)
        assert t["EXIF:OffsetTimeOriginal"] == "+00:00"
        assert t["EXIF:DateTimeOriginal"] == time.strftime("%Y:%m:%d %H:%M:%S", time.gmtime(im.captured_at // 1000))
    out = QgsVectorLayer(result["OUTPUT"], "copy", "ogr")
    rows = {f["id"]: (f["file"], f["note"]) for f in out.getFeatures()}
    assert rows == {im.id: (str(folder / f"{im.id}.jpg"), "x") for im in images}

    again, _ = run({"INPUT": layer, "SIZE": "256", "FOLDER": str(folder)})
    assert (again["DOWNLOADED"], again["SKIPPED"]) == (0, 12) and "OUTPUT" not in again


def test_processing_selected_features_only(provider, sandbox, tmp_path):
    images = list(near(sandbox.world, 30).values())[:10]
    layer = points_layer(images, crs="EPSG:4326", id_name="image_key")
    chosen = [f.id() for f in layer.getFeatures()][:3]
    layer.selectByIds(chosen)
    folder = tmp_path / "pics"
    source = QgsProcessingFeatureSourceDefinition(layer.id(), True)
    result, _ = run({"INPUT": source, "ID_FIELD": "image_key", "SIZE": "256", "FOLDER": str(folder)})
    wanted = {layer.getFeature(fid)["image_key"] for fid in chosen}
    assert result["DOWNLOADED"] == 3 and {n[:-4] for n in os.listdir(folder)} == wanted


def test_processing_cancel_stops_between_images(provider, sandbox, tmp_path):
    sandbox.configure(latency=0.05)
    images = list(near(sandbox.world, 60).values())[:150]
    layer = points_layer(images)
    folder = tmp_path / "pics"
    result, fb = run({"INPUT": layer, "SIZE": "256", "FOLDER": str(folder), "RETRIES": 0}, Feedback(cancel_at=10.0))
    assert 0 < result["DOWNLOADED"] < 150 and result["COMPLETE"] is False
    assert len(os.listdir(folder)) == result["DOWNLOADED"]
    assert any("INCOMPLETE" in w for w in fb.warnings)


def test_processing_needs_an_id_field(provider, sandbox, tmp_path):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string", "no ids", "memory")
    with pytest.raises(QgsProcessingException, match="no field id"):
        run({"INPUT": layer, "FOLDER": str(tmp_path / "pics")})
