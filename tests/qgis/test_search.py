"""Searches through the plugin against the sandbox: layers, messages, cancel, retry, errors,
a responsive UI thread, and no token in the project file, the log or a layer source."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeatureRequest,
    QgsProject,
    QgsRuleBasedRenderer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QCoreApplication, QTimer, QVariant
from qgis.PyQt.QtWidgets import QPushButton

from mapillary_retriever import auth
from mapillary_retriever.api import Query, geo
from mapillary_retriever.api.client import Config
from mapillary_retriever.dialogs.common import KIND_PROPERTY
from mapillary_retriever.task import Output

CENTER = (6.13, 49.61)
ROOT = Path(__file__).resolve().parents[2]


def finish(plugin, task, timeout=60.0):
    """Wait for a search task to end (its finished callback has run)."""
    assert task is not None
    end = time.monotonic() + timeout
    while task in plugin.runner.tasks:
        assert time.monotonic() < end, "the search did not end"
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return task


def messages(iface):
    return [(item.level(), item.title(), item.text()) for item in iface.messageBar().items()]


def button(iface, label):
    for item in iface.messageBar().items():
        for b in item.findChildren(QPushButton):
            if b.text() == label:
                return b
    raise AssertionError(f"no {label!r} button in {messages(iface)}")


def mapillary_layers():
    out = {}
    for layer in QgsProject.instance().mapLayers().values():
        kind = layer.customProperty(KIND_PROPERTY)
        if kind:
            out[kind] = layer
    return out


def truth_within(world, lon, lat, radius):
    return {im.id: im for im in world.images if geo.haversine(lon, lat, im.lon, im.lat) <= radius}


def truth_in_bbox(world, bbox):
    return {im.id: im for im in world.images if bbox[0] <= im.lon <= bbox[2] and bbox[1] <= im.lat <= bbox[3]}


def sequences_of(images) -> set[str]:
    """Sequences with at least two of these images: the ones drawn as lines."""
    counts = Counter(im.seq.id for im in images)
    return {sid for sid, n in counts.items() if n >= 2}


@pytest.fixture
def no_retries(monkeypatch):
    """Fail fast: the engine's retries with backoff would make error tests slow."""
    original = Config.from_env.__func__

    def fast(cls, **overrides):
        return original(cls, **{"retries": 0, "timeout": 5.0, **overrides})

    monkeypatch.setattr(Config, "from_env", classmethod(fast))


def test_dialog_search_adds_typed_styled_layers_in_a_group(plugin, sandbox, web_iface):
    dialog = plugin.open_dialog()
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("point"))
    dialog.point_edit.setText(f"{CENTER[0]}, {CENTER[1]}")
    dialog.radius_spin.setValue(250)
    dialog.field_checks["username"].setChecked(True)
    assert dialog.search_button.isEnabled(), dialog.problem
    progress = []
    dialog.search_button.click()
    task = dialog.task
    assert task is not None and not dialog.search_button.isEnabled() and dialog.cancel_button.isVisible()
    task.progressed.connect(lambda p: progress.append(dialog.progress_label.text()))
    finish(plugin, task)
    assert dialog.task is None and dialog.search_button.isEnabled() and not dialog.cancel_button.isVisible()
    assert any("images found" in text for text in progress)

    truth = truth_within(sandbox.world, *CENTER, 250)
    layers = mapillary_layers()
    images, sequences = layers["images"], layers["sequences"]
    assert images.featureCount() == len(truth) > 100
    assert {f["id"] for f in images.getFeatures()} == set(truth)
    assert sequences.featureCount() == len(sequences_of(truth.values()))
    assert images.name() == f"Mapillary images ({len(truth):,})"
    assert sequences.name() == f"Mapillary sequences ({sequences.featureCount():,})"

    # typed fields
    fields = images.fields()
    assert fields.field("captured_at").type() == QVariant.DateTime
    assert fields.field("compass_angle").type() == QVariant.Double
    assert fields.field("is_pano").type() == QVariant.Bool
    assert fields.field("id").type() == QVariant.String
    assert fields.field("username").type() == QVariant.String
    one = next(images.getFeatures())
    world_image = truth[one["id"]]
    assert one["captured_at"].toMSecsSinceEpoch() == world_image.captured_at
    assert one["username"] == sandbox.world.users[world_image.seq.creator_id]
    assert sequences.fields().field("captured_at").type() == QVariant.DateTime

    # one group named after the search, images above sequences
    root = QgsProject.instance().layerTreeRoot()
    group = root.children()[0]
    assert group.name().startswith("Mapillary ") and "250 m around 6.13000,49.61000" in group.name()
    assert len(group.name()) <= 60
    assert [child.layerId() for child in group.children()] == [images.id(), sequences.id()]

    # style, time and metadata
    assert isinstance(images.renderer(), QgsRuleBasedRenderer)
    temporal = images.temporalProperties()
    assert temporal.isActive() and temporal.startField() == "captured_at"
    assert temporal.mode() == QgsVectorLayerTemporalProperties.TemporalMode.ModeFeatureDateTimeInstantFromField
    md = images.metadata()
    assert any("CC BY-SA 4.0" in r for r in md.rights())
    assert "250 m around" in md.abstract() and "Retrieved:" in md.abstract()

    (level, title, text), = messages(web_iface)
    assert level == Qgis.MessageLevel.Success
    assert f"{len(truth):,} images and {sequences.featureCount():,} sequences" in text
    # the canvas shows the result
    assert plugin.iface.mapCanvas().extent().contains(images.extent())
    # an image layer opens an image in Mapillary and has a map tip
    (action,) = [a for a in images.actions().actions() if a.name() == "Open in Mapillary"]
    assert action.command() == 'https://www.mapillary.com/app/?pKey=[% "id" %]'
    assert '"id"' in images.mapTipTemplate() and "captured_at" in images.mapTipTemplate()
    # QGIS shows no toast of its own: the message bar item is the only message
    assert task.flags() & task.Flag.Silent
    # the dialog remembers the search
    from mapillary_retriever import settings

    assert settings.load_form()["radius"] == 250


def test_geopackage_output(plugin, sandbox, tmp_path, web_iface):
    path = str(tmp_path / "mapillary.gpkg")
    query = Query.build(closeto=CENTER, radius=150)
    finish(plugin, plugin.runner.start(query, Output(gpkg=path)))
    layers = mapillary_layers()
    truth = truth_within(sandbox.world, *CENTER, 150)
    assert layers["images"].providerType() == "ogr" and layers["images"].source().startswith(path)
    assert layers["images"].featureCount() == len(truth)
    assert layers["sequences"].featureCount() == len(sequences_of(truth.values()))
    assert layers["images"].fields().field("captured_at").type() == QVariant.DateTime
    assert layers["images"].source().endswith("layername=images")
    # appending a second search adds to the file's layers
    QgsProject.instance().removeAllMapLayers()
    finish(plugin, plugin.runner.start(query, Output(gpkg=path, append=True, sequences=False)))
    assert mapillary_layers()["images"].featureCount() == 2 * len(truth)
    # a new search that does not append never overwrites an earlier one: it gets its own tables
    QgsProject.instance().removeAllMapLayers()
    web_iface.messageBar().clearWidgets()
    finish(plugin, plugin.runner.start(Query.build(closeto=CENTER, radius=60), Output(gpkg=path)))
    layers = mapillary_layers()
    assert layers["images"].source().endswith("layername=images_2")
    assert layers["sequences"].source().endswith("layername=sequences_2")
    assert layers["images"].featureCount() == len(truth_within(sandbox.world, *CENTER, 60))
    (level, title, text), = messages(web_iface)
    assert "images_2" in text and "sequences_2" in text
    from osgeo import ogr

    ds = ogr.Open(path)
    assert ds.GetLayerByName("images").GetFeatureCount() == 2 * len(truth)  # the earlier tables are kept
    assert ds.GetLayerByName("sequences").GetFeatureCount() == len(sequences_of(truth.values()))
    ds = None


def test_the_newest_search_stands_out(plugin, sandbox, web_iface):
    finish(plugin, plugin.runner.start(Query.build(closeto=CENTER, radius=40), Output()))
    far = (6.145, 49.615)
    assert truth_within(sandbox.world, *far, 40)
    finish(plugin, plugin.runner.start(Query.build(closeto=far, radius=40), Output()))
    root = QgsProject.instance().layerTreeRoot()
    newest, earlier = root.children()[:2]
    assert "6.14500,49.61500" in newest.name() and newest.isExpanded() and not earlier.isExpanded()
    full = newest.serverProperties().abstract() if hasattr(newest, "serverProperties") else \
        newest.customProperty("wmsAbstract")
    assert "40 m around 6.14500,49.61500" in full
    names = [layer.name() for layer in QgsProject.instance().mapLayers().values()]
    assert len(set(names)) == 4  # the counts tell the searches' layers apart
    canvas = plugin.iface.mapCanvas()
    assert canvas.extent().contains(newest.findLayers()[0].layer().extent())


def _sandbox_process(tmp_path, monkeypatch, latency: float):
    """A sandbox in its own process, as the real service is: its work does not compete with
    QGIS's threads for the Python interpreter."""
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", "0", "--latency", str(latency),
                             "--ready-file", str(ready)], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < end, "the sandbox did not start"
            time.sleep(0.05)
        url = ready.read_text().strip()
        monkeypatch.setenv("MAPILLARY_GRAPH_URL", url)
        monkeypatch.setenv("MAPILLARY_TILES_URL", url)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def sandbox_process(tmp_path, monkeypatch):
    yield from _sandbox_process(tmp_path, monkeypatch, 0.25)


@pytest.fixture
def quick_sandbox_process(tmp_path, monkeypatch):
    yield from _sandbox_process(tmp_path, monkeypatch, 0.0)


def test_ui_thread_keeps_ticking_during_a_large_search(plugin, sandbox, sandbox_process):
    """The whole sandbox world (60,000 images, 36 tiles) with 0.25 s per request: the main
    thread's timer keeps ticking while the engine works on other threads."""
    ticks: list[tuple[float, bool]] = []
    query = Query.build(bbox=(6.07, 49.57, 6.19, 49.65))
    task = plugin.runner.start(query, Output())
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append((time.monotonic(), task.status() == task.TaskStatus.Running)))
    timer.start()
    main = threading.get_ident()
    finish(plugin, task, timeout=90)
    timer.stop()
    assert task.worker_thread is not None and task.worker_thread != main
    running = [t for t, is_running in ticks if is_running]
    assert len(running) >= 2
    busy = running[-1] - running[0]
    gaps = [b - a for a, b in zip(running, running[1:])]
    assert busy > 0.5  # the search really took a while
    assert len(running) > busy / 0.010 * 0.5  # at least half of the expected ticks happened
    assert max(gaps) < 0.25, f"the UI thread stalled for {max(gaps):.3f} s"
    assert mapillary_layers()["images"].featureCount() == len(sandbox.world.images)


def test_ui_thread_never_blocks_while_a_large_result_becomes_layers(plugin, sandbox, quick_sandbox_process):
    """The whole world (60,000 images) with camera make and model: from the start of the search
    to the layers in the project and the message, no main-thread gap exceeds 100 ms (the layers
    and their features are built on the task's thread)."""
    ticks: list[float] = []
    # Python's collector pauses whichever thread holds the lock for as long as it takes to walk the
    # whole heap: this test process also holds the sandbox's world and every earlier test's objects
    # (QGIS's does not); freeze them, so the pauses measured are the ones this search's objects cause.
    gc.collect()
    gc.freeze()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    try:
        task = plugin.runner.start(Query.build(bbox=(6.07, 49.57, 6.19, 49.65), fields="make,model"), Output())
        stages: list[tuple[str, int, float]] = []
        task.progressed.connect(lambda p: stages.append((p.stage, p.done, time.monotonic())))
        finish(plugin, task, timeout=180)
        ended = time.monotonic()
        QCoreApplication.processEvents()
        timer.stop()
    finally:
        gc.unfreeze()
    images = mapillary_layers()["images"]
    assert images.featureCount() == len(sandbox.world.images)
    assert {f["make"] for f in images.getFeatures(QgsFeatureRequest().setLimit(50))} - {None}
    searched = next(t for stage, _, t in stages if stage == "done")  # the engine is done: layers next
    gaps = [(b - a, b) for a, b in zip(ticks, ticks[1:])]
    assert ticks[-1] >= ended - 0.05 and len(ticks) > 50
    layer_phase = [g for g, at in gaps if at > searched]
    assert len(layer_phase) >= 5  # the layers took a while to build, and the timer kept ticking
    assert max(layer_phase) < 0.1, f"the UI thread stalled for {max(layer_phase):.3f} s while the layers were made"
    assert max(g for g, _ in gaps) < 0.25, f"the UI thread stalled for {max(g for g, _ in gaps):.3f} s"


def test_cancel_keeps_a_consistent_partial_result_and_retry_completes_it(plugin, sandbox, web_iface):
    from truth import expected_lines

    sandbox.configure(latency=0.4)
    bbox = (6.07, 49.57, 6.19, 49.65)
    task = plugin.runner.start(Query.build(bbox=bbox), Output())
    seen = []
    task.progressed.connect(lambda p: seen.append(p) or (p.stage == "tiles" and p.found and task.cancel()))
    finish(plugin, task, timeout=60)
    report = task.result.report
    assert report.cancelled and not report.complete
    missing = report.missing("tile")
    assert 0 < len(missing) < report.planned

    layers = mapillary_layers()
    images, sequences = layers["images"], layers["sequences"]
    ids = [f["id"] for f in images.getFeatures()]
    assert 0 < len(ids) < len(sandbox.world.images) and len(ids) == len(set(ids))
    kept = {i: sandbox.world.by_id[i] for i in ids}
    assert sequences.featureCount() <= len(sequences_of(kept.values()))  # lone images are not lines
    for line in sequences.getFeatures():  # every vertex of a line is a kept image
        assert set(json.loads(line["image_ids"])) <= set(ids)
    (level, title, text), = messages(web_iface)
    assert level == Qgis.MessageLevel.Info and "Cancelled" in text
    assert f"{len(ids):,} images" in text and f"{len(missing)} of {report.planned} map tiles are missing" in text
    assert images.name() == f"Mapillary images ({len(ids):,}, incomplete)"

    sandbox.configure(latency=0.0)
    button(web_iface, "Retry the missing part").click()
    (retry,) = plugin.runner.tasks
    assert retry.previous is task.result and retry.previous.report.missing("tile") == missing
    finish(plugin, retry)
    assert sandbox.stats["tiles"] >= 1
    assert images.name() == f"Mapillary images ({len(sandbox.world.images):,})"
    ids = [f["id"] for f in images.getFeatures()]
    assert len(ids) == len(set(ids)) == len(truth_in_bbox(sandbox.world, bbox)) == len(sandbox.world.images)
    truth = expected_lines(sandbox.world, set(ids))  # lines rebuilt across the retried tiles, exactly
    assert sequences.featureCount() == len(truth)
    assert len({f["id"] for f in sequences.getFeatures()}) == sequences.featureCount()  # no duplicated lines
    for f in sequences.getFeatures():
        assert json.loads(f["image_ids"]) == [i for run in truth[f["id"]] for i in run]
        assert [len(part) for part in f.geometry().asMultiPolyline()] == [len(run) for run in truth[f["id"]]]
    assert "Result: complete" in images.metadata().abstract()
    assert any(level == Qgis.MessageLevel.Success and "complete" in title for level, title, _ in messages(web_iface))


def test_failed_tiles_are_named_and_retried(plugin, sandbox, web_iface, no_retries):
    query = Query.build(closeto=CENTER, radius=400)
    tiles = geo.tiles_for_bbox(query.area_bbox())
    assert len(tiles) >= 2
    broken = tiles[0]
    sandbox.configure(fail_tiles={broken})
    finish(plugin, plugin.runner.start(query, Output()))
    (level, title, text), = messages(web_iface)
    key = "/".join(map(str, broken))
    assert level == Qgis.MessageLevel.Warning and "incomplete" in text and "1 of" in text
    (item,) = web_iface.messageBar().items()
    assert key in item.property("details")  # the tile is named behind the Details button
    button(web_iface, "Details").click()
    (box,) = plugin.runner.presenter.boxes
    assert key in box.detailedText()
    box.close()
    partial = mapillary_layers()["images"].featureCount()
    truth = truth_within(sandbox.world, *CENTER, 400)
    assert 0 < partial < len(truth)

    sandbox.configure(fail_tiles=set())
    button(web_iface, "Retry the missing part").click()
    (retry,) = plugin.runner.tasks
    assert retry.previous.report.missing("tile") == [key]
    finish(plugin, retry)
    assert mapillary_layers()["images"].featureCount() == len(truth)
    assert sandbox.stats["tiles"] == len(tiles) + 1  # only the missing tile was fetched again


@pytest.mark.parametrize("case", ["revoked token", "nothing found", "network unreachable", "rate limit"])
def test_errors_reach_the_message_bar_in_words(plugin, sandbox, web_iface, monkeypatch, no_retries, request, case):
    query = Query.build(closeto=CENTER, radius=100)
    if case == "revoked token":
        from sandbox import REVOKED_TOKEN

        monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", REVOKED_TOKEN)
    elif case == "nothing found":
        query = Query.build(closeto=(0.5, 0.5), radius=100)
    elif case == "rate limit":
        from sandbox.server import FAULT_KINDS, KINDS

        request.addfinalizer(lambda: sandbox.configure(faults=FAULT_KINDS, fault_targets=KINDS, retry_after=1))
        sandbox.configure(fault_rate=1.0, faults=("ratelimit",), fault_targets=("tiles",), retry_after=0)
    else:
        monkeypatch.setenv("MAPILLARY_TILES_URL", "http://127.0.0.1:9")  # nothing listens there
    finish(plugin, plugin.runner.start(query, Output()))
    (level, title, text), = messages(web_iface)
    assert mapillary_layers() == {}
    if case == "revoked token":
        assert level == Qgis.MessageLevel.Critical and "refused the token" in title
        assert button(web_iface, "Settings…")
    elif case == "nothing found":
        assert level == Qgis.MessageLevel.Warning and title == "No Mapillary images found"
        assert "larger radius (it is 100 m)" in text
    elif case == "rate limit":
        assert level == Qgis.MessageLevel.Critical and "rate limit" in title
        assert "Wait a few minutes" in text and button(web_iface, "Retry the missing part")
    else:
        assert level == Qgis.MessageLevel.Critical and title == "Could not reach Mapillary"
        assert "network" in text
        # back online: retrying makes the layers that the first attempt could not
        monkeypatch.setenv("MAPILLARY_TILES_URL", sandbox.url)
        button(web_iface, "Retry the missing part").click()
        (retry,) = plugin.runner.tasks
        finish(plugin, retry)
        assert mapillary_layers()["images"].featureCount() == len(truth_within(sandbox.world, *CENTER, 100))


def test_without_a_token_nothing_starts(plugin, web_iface, monkeypatch):
    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN")
    assert plugin.runner.start(Query.build(closeto=CENTER), Output()) is None
    (level, title, text), = messages(web_iface)
    assert title == "No Mapillary token" and button(web_iface, "Settings…")
    opened = []
    plugin.runner.settingsRequested.connect(lambda: opened.append(1))
    button(web_iface, "Settings…").click()
    assert opened


def test_token_never_in_project_log_or_layer_source(plugin, sandbox, web_iface, monkeypatch, tmp_path):
    from sandbox import DEMO_TOKEN

    logged = []
    log = QgsApplication.messageLog()
    log.messageReceived.connect(lambda message, tag, level: logged.append(message))
    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN")
    cfg = auth.store_token(DEMO_TOKEN)  # the token as users keep it: in the auth database
    try:
        assert auth.get_token() == DEMO_TOKEN
        finish(plugin, plugin.runner.start(Query.build(closeto=CENTER, radius=120), Output()))
        finish(plugin, plugin.runner.start(Query.build(closeto=(0.5, 0.5)), Output()))  # a message too
        layers = mapillary_layers()
        assert layers
        path = tmp_path / "project.qgz"
        assert QgsProject.instance().write(str(path))
    finally:
        auth.forget_token()
        log.messageReceived.disconnect()
    secret = DEMO_TOKEN.split("|")[-1]
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            assert secret.encode() not in data and b"MLY|" not in data, name
    for layer in layers.values():
        props = [str(layer.customProperty(k)) for k in layer.customPropertyKeys()]
        for text in (layer.source(), layer.publicSource(), layer.metadata().abstract(), *props):
            assert secret not in text
    assert logged and not any(secret in m for m in logged)
    assert cfg not in [a for a in QgsApplication.authManager().configIds()]  # forgotten


def test_inside_polygons_keeps_only_the_images_inside(sandbox):
    from mapillary_retriever.api import Query, search
    from mapillary_retriever.api.client import Config
    from mapillary_retriever.task import within
    from sandbox import CENTER

    lon, lat = CENTER
    res = search(Query.build(closeto=CENTER, radius=400), config=Config.from_env(backoff=0.01))
    a, b, c = f"{lon - 0.004} {lat - 0.003}", f"{lon + 0.004} {lat - 0.003}", f"{lon} {lat + 0.003}"
    tri = f"POLYGON(({a},{b},{c},{a}))"
    inside = within(res, tri)
    assert 0 < len(inside.images) < len(res.images)
    from qgis.core import QgsGeometry, QgsPointXY

    poly = QgsGeometry.fromWkt(tri)
    assert all(poly.contains(QgsPointXY(i.lon, i.lat)) for i in inside.images)
    assert {i.id for i in res.images if poly.contains(QgsPointXY(i.lon, i.lat))} == {i.id for i in inside.images}
    assert all(set(s.image_ids) <= {i.id for i in inside.images} for s in inside.sequences)
