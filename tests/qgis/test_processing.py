"""The Processing algorithms through processing.run against the sandbox.

Every count is compared with the sandbox's truth, computed here from ``sandbox.world.images``
with this file's own great-circle and Mercator formulas (not the engine's)."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, urlsplit

import pytest
from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterNumber,
    QgsProcessingParameterPoint,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QMetaType
from truth import EARTH_RADIUS, azimuth, dist, off

LON0, LAT0 = 6.1300, 49.6100  # sandbox.CENTER (checked below)
POINT = f"{LON0},{LAT0} [EPSG:4326]"


# --- the truth, independently -------------------------------------------------

def merc_to_lonlat(x, y):
    a = 6378137.0
    return math.degrees(x / a), math.degrees(2 * math.atan(math.exp(y / a)) - math.pi / 2)


def within(world, lon, lat, radius):
    return [i for i in world.images if dist(lon, lat, i.lon, i.lat) <= radius]


def ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


# --- fixtures -------------------------------------------------------------------

class Feedback(QgsProcessingFeedback):
    """Keeps every message, to check warnings and that the token never shows."""

    def __init__(self, cancel_after: int | None = None, cancel_at: float | None = None):
        super().__init__()
        self.warnings: list[str] = []
        self.infos: list[str] = []
        self.progress: list[float] = []
        self.cancel_after = cancel_after  # cancel after so many progress steps
        self.cancel_at = cancel_at  # or once the progress reaches this percentage

    def pushWarning(self, text):  # noqa: N802
        self.warnings.append(text)
        super().pushWarning(text)

    def pushInfo(self, text):  # noqa: N802
        self.infos.append(text)
        super().pushInfo(text)

    def reportError(self, text, fatal=False):  # noqa: N802
        self.warnings.append(text)
        super().reportError(text, fatal)

    def setProgress(self, value):  # noqa: N802
        self.progress.append(value)
        if self.cancel_after is not None and len(self.progress) >= self.cancel_after \
                or self.cancel_at is not None and value >= self.cancel_at:
            self.cancel()
        super().setProgress(value)

    def everything(self) -> str:
        return "\n".join(self.warnings + self.infos + [self.textLog()])


def run(alg: str, params: dict, feedback: Feedback | None = None):
    from qgis import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = feedback or Feedback()
    result = processing.run(alg, params, feedback=feedback, context=context)
    return result, feedback


def layer_of(result, key="OUTPUT") -> QgsVectorLayer:
    out = result[key]
    return out if isinstance(out, QgsVectorLayer) else QgsVectorLayer(out, "out", "ogr")


# --- the provider -------------------------------------------------------------

def test_provider_and_help(provider):
    from sandbox import CENTER

    assert (LON0, LAT0) == CENTER
    assert provider.name() == "Mapillary" and not provider.icon().isNull()
    ids = sorted(a.id() for a in provider.algorithms())
    assert ids == ["mapillary:downloadimages", "mapillary:imagesforfeatures", "mapillary:searchimages",
                   "mapillary:searchsequences"]
    for alg in provider.algorithms():
        help_text = alg.shortHelpString()
        assert "2,000" in help_text and "MAPILLARY_ACCESS_TOKEN" in help_text, alg.id()
        assert not alg.icon().isNull()
        for p in alg.parameterDefinitions():  # every parameter is explained, under its own label
            assert f"<b>{p.description()}" in help_text, (alg.id(), p.description())


# --- searchimages -------------------------------------------------------------

def test_searchimages_around_point_equals_truth(provider, sandbox, tmp_path):
    out = str(tmp_path / "images.gpkg")
    result, fb = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 150, "FIELDS": ["username"],
                                                "OUTPUT": out})
    truth = within(sandbox.world, LON0, LAT0, 150)
    layer = layer_of(result)
    assert result["COUNT"] == layer.featureCount() == len(truth) > 1000
    assert result["COMPLETE"] is True and not fb.warnings
    assert {f["id"] for f in layer.getFeatures()} == {i.id for i in truth}
    names = layer.fields().names()
    assert names[:8] == ["fid", "id", "sequence_id", "captured_at", "compass_angle", "is_pano", "creator_id",
                         "organization_id"] and "username" in names
    by_id = {i.id: i for i in truth}
    f = next(layer.getFeatures())
    img = by_id[f["id"]]
    assert f["username"] == img.creator_username and f["sequence_id"] == img.sequence_id
    assert f["captured_at"].toMSecsSinceEpoch() == img.captured_at
    assert layer.crs().authid() == "EPSG:4326"


def test_searchimages_extent_in_another_crs_to_geojson(provider, sandbox, tmp_path):
    from sandbox import DENSE_CORE

    # a third of the dense core, given in Web Mercator
    a = 6378137.0
    x0, x1 = (math.radians(v) * a for v in (DENSE_CORE[0], DENSE_CORE[0] + (DENSE_CORE[2] - DENSE_CORE[0]) / 3))
    y0, y1 = (a * math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (DENSE_CORE[1], DENSE_CORE[3]))
    lon_min, lat_min = merc_to_lonlat(x0, y0)
    lon_max, lat_max = merc_to_lonlat(x1, y1)
    truth = [i for i in sandbox.world.images if lon_min <= i.lon <= lon_max and lat_min <= i.lat <= lat_max]
    out = str(tmp_path / "extent.geojson")
    result, _ = run("mapillary:searchimages", {"EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:3857]", "OUTPUT": out})
    layer = layer_of(result)
    assert layer.featureCount() == result["COUNT"] == len(truth) > 500
    assert {f["id"] for f in layer.getFeatures()} == {i.id for i in truth}


def test_searchimages_filters_equal_truth(provider, sandbox, tmp_path):
    look = (LON0 + 0.0008, LAT0 + 0.0003)
    start, end = "2019-01-01T00:00:00", "2023-06-01T00:00:00Z"
    params = {"POINT": POINT, "RADIUS": 120, "LOOKAT": f"{look[0]},{look[1]} [EPSG:4326]", "TOLERANCE": 30,
              "START_TIME": start, "END_TIME": end, "PANO": "exclude", "OUTPUT": str(tmp_path / "f.fgb")}
    result, _ = run("mapillary:searchimages", params)
    truth = [i for i in within(sandbox.world, LON0, LAT0, 120)
             if ms(start + "Z") <= i.captured_at < ms(end) and not i.is_pano and i.compass_angle is not None
             and off(azimuth(i.lon, i.lat, *look), i.compass_angle) <= 30]
    layer = layer_of(result)
    assert {f["id"] for f in layer.getFeatures()} == {i.id for i in truth}
    assert 20 < len(truth) < 2000


def test_searchimages_user_and_panoramas_and_limit(provider, sandbox):
    near = within(sandbox.world, LON0, LAT0, 200)
    panos = [i for i in near if i.is_pano]
    user = panos[0].creator_username
    truth = [i for i in panos if i.creator_username == user]
    result, _ = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 200, "USERNAMES": user, "PANO": "only",
                                               "OUTPUT": "TEMPORARY_OUTPUT"})
    assert {f["id"] for f in result["OUTPUT"].getFeatures()} == {i.id for i in truth}
    # the limit keeps the nearest
    result, _ = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 200, "MAX_FEATURES": 25,
                                               "OUTPUT": "TEMPORARY_OUTPUT"})
    nearest = sorted(near, key=lambda i: dist(LON0, LAT0, i.lon, i.lat))
    got = sorted(dist(LON0, LAT0, f.geometry().asPoint().x(), f.geometry().asPoint().y())
                 for f in result["OUTPUT"].getFeatures())
    assert len(got) == 25 and got[-1] <= dist(LON0, LAT0, nearest[25].lon, nearest[25].lat) + 1e-6


# --- searchsequences -------------------------------------------------------------

def test_searchsequences_equal_truth(provider, sandbox, tmp_path):
    from truth import expected_lines


    result, fb = run("mapillary:searchsequences", {"POINT": POINT, "RADIUS": 150,
                                                   "OUTPUT": str(tmp_path / "seq.fgb")})
    kept = {i.id for i in within(sandbox.world, LON0, LAT0, 150)}
    truth = expected_lines(sandbox.world, kept)
    layer = layer_of(result)
    assert result["COUNT"] == layer.featureCount() == len(truth) > 10
    assert layer.crs().authid() == "EPSG:4326" and not fb.warnings
    for f in layer.getFeatures():
        runs = truth[f["id"]]
        assert json.loads(f["image_ids"]) == [i for run in runs for i in run]
        lines = f.geometry().asMultiPolyline()
        assert [len(line) for line in lines] == [len(run) for run in runs]
        first = sandbox.world.by_id[runs[0][0]]
        assert abs(lines[0][0].x() - first.lon) < 1e-7 and abs(lines[0][0].y() - first.lat) < 1e-7


# --- imagesforfeatures --------------------------------------------------------------

def _layer(wkt_type: str, crs: str, geoms, keys) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{wkt_type}?crs={crs}", "assets", "memory")
    layer.dataProvider().addAttributes([QgsField("asset", QMetaType.Type.QString)])
    layer.updateFields()
    feats = []
    for g, k in zip(geoms, keys):
        f = QgsFeature(layer.fields())
        f.setGeometry(g)
        f["asset"] = k
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _to(crs: str):
    return QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), QgsCoordinateReferenceSystem(crs),
                                  QgsProject.instance())


@pytest.mark.parametrize("looking", [False, True])
def test_imagesforfeatures_points_equal_truth(provider, sandbox, looking):
    spots = [(LON0, LAT0), (LON0 + 0.0021, LAT0 - 0.0009), (LON0 - 0.0030, LAT0 + 0.0011), (LON0 + 0.0500, LAT0)]
    tr = _to("EPSG:2169")  # Luxembourg's own CRS: the features need not be in WGS84
    layer = _layer("Point", "EPSG:2169", [QgsGeometry.fromPointXY(tr.transform(QgsPointXY(*s))) for s in spots],
                   ["A", "B", "C", "far"])
    newer = "2017-01-01T00:00:00"
    result, fb = run("mapillary:imagesforfeatures", {
        "INPUT": layer, "ID_FIELD": "asset", "DISTANCE": 25, "NEAREST": 4, "LOOKING_AT": looking,
        "TOLERANCE": 40, "NEWER_THAN": newer, "OUTPUT": "TEMPORARY_OUTPUT"})
    # the truth, computed at the features' WGS84 positions (as the algorithm sees them)
    expected = set()
    fids = {f["asset"]: f.id() for f in layer.getFeatures()}
    for f in layer.getFeatures():
        p = tr.transform(f.geometry().asPoint(), QgsCoordinateTransform.TransformDirection.ReverseTransform)
        rows = []
        for i in sandbox.world.images:
            d = dist(i.lon, i.lat, p.x(), p.y())
            if d > 25 or i.captured_at < ms(newer + "Z"):
                continue
            if looking and not i.is_pano and (i.compass_angle is None or
                                              off(azimuth(i.lon, i.lat, p.x(), p.y()), i.compass_angle) > 40):
                continue
            rows.append((d, i.id))
        rows.sort()
        expected |= {(f.id(), iid, rank) for rank, (_, iid) in enumerate(rows[:4], 1)}
    out = result["OUTPUT"]
    got = {(f["feature_id"], f["id"], f["rank"]) for f in out.getFeatures()}
    assert got == expected
    assert result["COUNT"] == len(expected) and result["MATCHED"] == len({fid for fid, _, _ in expected}) >= 2
    assert fids["far"] not in {f["feature_id"] for f in out.getFeatures()}  # outside the sandbox's world
    by_id = {i.id: i for i in sandbox.world.images}
    for f in out.getFeatures():
        i = by_id[f["id"]]
        spot = spots[["A", "B", "C", "far"].index(f["asset"])]
        assert f["distance_m"] == pytest.approx(dist(i.lon, i.lat, *spot), abs=0.05)
        assert off(f["bearing"], azimuth(i.lon, i.lat, *spot)) < 0.5
    assert any(f.startswith("Features") for f in [fb.textLog()]) or fb.progress[-1] == 100.0


def test_imagesforfeatures_lines_and_polygons(provider, sandbox):
    # a 30 m square around the centre and a 200 m line west of it, in WGS84
    k = 1 / (EARTH_RADIUS * math.pi / 180)
    dlat, dlon = 15 * k, 15 * k / math.cos(math.radians(LAT0))
    square = QgsGeometry.fromPolygonXY([[QgsPointXY(LON0 - dlon, LAT0 - dlat), QgsPointXY(LON0 + dlon, LAT0 - dlat),
                                         QgsPointXY(LON0 + dlon, LAT0 + dlat), QgsPointXY(LON0 - dlon, LAT0 + dlat),
                                         QgsPointXY(LON0 - dlon, LAT0 - dlat)]])
    a, b = (LON0 - 0.0040, LAT0 - 0.0005), (LON0 - 0.0015, LAT0 + 0.0004)
    line = QgsGeometry.fromPolylineXY([QgsPointXY(*a), QgsPointXY(*b)])
    polys = _layer("Polygon", "EPSG:4326", [square], ["square"])
    lines = _layer("LineString", "EPSG:4326", [line], ["line"])

    inside = [i for i in sandbox.world.images
              if LON0 - dlon <= i.lon <= LON0 + dlon and LAT0 - dlat <= i.lat <= LAT0 + dlat]
    result, _ = run("mapillary:imagesforfeatures", {"INPUT": polys, "DISTANCE": 10, "NEAREST": 5,
                                                    "OUTPUT": "TEMPORARY_OUTPUT"})
    rows = list(result["OUTPUT"].getFeatures())
    assert len(inside) > 5 and len(rows) == 5
    assert all(f["distance_m"] == 0 for f in rows) and {f["id"] for f in rows} <= {i.id for i in inside}

    # the line: every image within 8 m of the segment (own planar distance on a local plane)
    def seg_dist(lon, lat):
        kx = math.cos(math.radians(LAT0)) * EARTH_RADIUS * math.pi / 180
        ky = EARTH_RADIUS * math.pi / 180
        px, py = (lon - a[0]) * kx, (lat - a[1]) * ky
        bx, by = (b[0] - a[0]) * kx, (b[1] - a[1]) * ky
        t = max(0.0, min(1.0, (px * bx + py * by) / (bx * bx + by * by)))
        return math.hypot(px - t * bx, py - t * by)

    truth = {i.id: seg_dist(i.lon, i.lat) for i in sandbox.world.images if seg_dist(i.lon, i.lat) <= 8}
    result, _ = run("mapillary:imagesforfeatures", {"INPUT": lines, "DISTANCE": 8, "NEAREST": 10_000,
                                                    "OUTPUT": "TEMPORARY_OUTPUT"})
    got = {f["id"]: f["distance_m"] for f in result["OUTPUT"].getFeatures()}
    borderline = {i for i, d in truth.items() if abs(d - 8) < 0.05}
    assert set(got) - borderline == set(truth) - borderline and len(truth) > 20
    assert all(got[i] == pytest.approx(truth[i], abs=0.05) for i in got if i in truth)


def test_imagesforfeatures_extra_fields_for_chosen_images_only(provider, sandbox):
    layer = _layer("Point", "EPSG:4326", [QgsGeometry.fromPointXY(QgsPointXY(LON0, LAT0))], ["A"])
    result, _ = run("mapillary:imagesforfeatures", {"INPUT": layer, "DISTANCE": 50, "NEAREST": 3,
                                                    "FIELDS": ["make", "username"], "OUTPUT": "TEMPORARY_OUTPUT"})
    by_id = {i.id: i for i in sandbox.world.images}
    rows = list(result["OUTPUT"].getFeatures())
    assert len(rows) == 3
    for f in rows:
        assert f["make"] == by_id[f["id"]].make and f["username"] == by_id[f["id"]].creator_username
    # one Graph API request, for the three chosen images only
    asked = [parse_qs(urlsplit(p).query)["image_ids"][0].split(",") for p in sandbox.stats.paths if "image_ids=" in p]
    assert asked == [[f["id"] for f in rows]] or sorted(asked[0]) == sorted(f["id"] for f in rows)


# --- a model: sequences, then the nearest image of each ----------------------------------

def test_model_chaining_two_algorithms(provider, sandbox):
    model = QgsProcessingModelAlgorithm("Sequences and their nearest image", "tests")
    model.addModelParameter(QgsProcessingParameterPoint("centre", "Centre"),
                            QgsProcessingModelParameter("centre"))
    model.addModelParameter(QgsProcessingParameterNumber("radius", "Radius",
                                                         QgsProcessingParameterNumber.Type.Double, 120),
                            QgsProcessingModelParameter("radius"))
    seq = QgsProcessingModelChildAlgorithm("mapillary:searchsequences")
    seq.setChildId("sequences")
    seq.addParameterSources("POINT", [QgsProcessingModelChildParameterSource.fromModelParameter("centre")])
    seq.addParameterSources("RADIUS", [QgsProcessingModelChildParameterSource.fromModelParameter("radius")])
    model.addChildAlgorithm(seq)
    near = QgsProcessingModelChildAlgorithm("mapillary:imagesforfeatures")
    near.setChildId("nearest")
    near.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromChildOutput("sequences", "OUTPUT")])
    near.addParameterSources("DISTANCE", [QgsProcessingModelChildParameterSource.fromStaticValue(5)])
    near.addParameterSources("NEAREST", [QgsProcessingModelChildParameterSource.fromStaticValue(1)])
    out = QgsProcessingModelOutput("images", "Nearest images")
    out.setChildOutputName("OUTPUT")
    out.setChildId("nearest")
    near.setModelOutputs({"images": out})
    near.setDependencies([])
    model.addChildAlgorithm(near)
    assert model.checkChildParameters()[0] if hasattr(model, "checkChildParameters") else True

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = Feedback()
    results, ok = model.run({"centre": POINT, "radius": 120, "nearest:images": "TEMPORARY_OUTPUT"}, context,
                            feedback)
    assert ok, feedback.textLog()
    key = "nearest:images" if "nearest:images" in results else "nearest_images"  # the name varies by version
    layer = context.takeResultLayer(results[key])
    groups: dict[str, int] = {}
    for i in within(sandbox.world, LON0, LAT0, 120):
        groups[i.sequence_id] = groups.get(i.sequence_id, 0) + 1
    n_lines = sum(1 for n in groups.values() if n > 1)
    rows = list(layer.getFeatures())
    # every line runs through its own images: each sequence's nearest image lies on it
    assert len(rows) == n_lines > 10
    assert all(f["distance_m"] == 0 and f["rank"] == 1 for f in rows)
    assert len({f["feature_id"] for f in rows}) == n_lines
    assert results["CHILD_RESULTS"]["sequences"]["COUNT"] == results["CHILD_RESULTS"]["nearest"]["COUNT"] == n_lines


# --- token, errors, partial results ---------------------------------------------------

def test_token_from_an_auth_config(provider, sandbox, monkeypatch):
    from sandbox import DEMO_TOKEN

    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN")
    with pytest.raises(QgsProcessingException, match="No Mapillary access token"):
        run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 30, "OUTPUT": "TEMPORARY_OUTPUT"})
    am = QgsApplication.authManager()
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName("processing test")
    cfg.setConfig("username", "mapillary")
    cfg.setConfig("password", DEMO_TOKEN)
    stored = am.storeAuthenticationConfig(cfg)
    cfg = stored[1] if isinstance(stored, tuple) else cfg
    try:
        result, fb = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 30, "AUTHCFG": cfg.id(),
                                                    "OUTPUT": "TEMPORARY_OUTPUT"})
        assert result["COUNT"] == len(within(sandbox.world, LON0, LAT0, 30)) > 0
        assert DEMO_TOKEN not in fb.everything()
    finally:
        am.removeAuthenticationConfig(cfg.id())
    with pytest.raises(QgsProcessingException, match="could not be opened or holds no token"):
        run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 30, "AUTHCFG": "nosuch1",
                                       "OUTPUT": "TEMPORARY_OUTPUT"})


@pytest.mark.parametrize("token", ["MLY|123|not-a-token", "revoked"])
def test_bad_token_raises_the_engine_message(provider, sandbox, monkeypatch, token):
    from sandbox import REVOKED_TOKEN

    token = REVOKED_TOKEN if token == "revoked" else token
    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", token)
    fb = Feedback()
    for alg, extra in (("mapillary:searchimages", {"POINT": POINT, "RADIUS": 50}),
                       ("mapillary:imagesforfeatures", {"INPUT": _layer(
                           "Point", "EPSG:4326", [QgsGeometry.fromPointXY(QgsPointXY(LON0, LAT0))], ["A"])})):
        with pytest.raises(QgsProcessingException) as e:
            run(alg, {**extra, "OUTPUT": "TEMPORARY_OUTPUT"}, fb)
        message = str(e.value)
        assert "refused the access token" in message
        assert token not in message and token.split("|")[2] not in message
    assert token not in fb.everything() and token.split("|")[2] not in fb.everything()


def test_invalid_input_is_a_processing_exception(provider, sandbox):
    with pytest.raises(QgsProcessingException, match="either an extent or a point"):
        run("mapillary:searchimages", {"POINT": POINT, "EXTENT": "6.12,6.13,49.60,49.61 [EPSG:4326]",
                                       "OUTPUT": "TEMPORARY_OUTPUT"})
    with pytest.raises(QgsProcessingException, match="Give a search extent"):
        run("mapillary:searchsequences", {"OUTPUT": "TEMPORARY_OUTPUT"})
    with pytest.raises(QgsProcessingException, match="is not after start time"):
        run("mapillary:searchimages", {"POINT": POINT, "START_TIME": "2022-01-01T00:00:00",
                                       "END_TIME": "2021-01-01T00:00:00", "OUTPUT": "TEMPORARY_OUTPUT"})


def test_incomplete_result_warns_and_is_written(provider, sandbox, tmp_path):
    from sandbox import lonlat_to_tile

    x, y = lonlat_to_tile(LON0, LAT0, 14)
    sandbox.configure(fail_tiles={(14, x, y)})
    out = str(tmp_path / "partial.gpkg")
    result, fb = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 150, "RETRIES": 0, "OUTPUT": out})
    truth = [i for i in within(sandbox.world, LON0, LAT0, 150) if i.tile != (x, y)]
    assert result["COMPLETE"] is False
    assert any("INCOMPLETE" in w and f"14/{x}/{y}" in w for w in fb.warnings), fb.warnings
    assert layer_of(result).featureCount() == result["COUNT"] == len(truth)

    layer = _layer("Point", "EPSG:4326", [QgsGeometry.fromPointXY(QgsPointXY(LON0, LAT0))], ["A"])
    fb = Feedback()
    result, _ = run("mapillary:imagesforfeatures", {"INPUT": layer, "RETRIES": 0, "OUTPUT": "TEMPORARY_OUTPUT"}, fb)
    assert result["COMPLETE"] is False and any("INCOMPLETE" in w for w in fb.warnings)


def test_cancel_writes_what_was_found(provider, sandbox):
    sandbox.configure(latency=0.05)
    fb = Feedback(cancel_after=2)
    result, _ = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 800, "OUTPUT": "TEMPORARY_OUTPUT"}, fb)
    assert result["COMPLETE"] is False
    assert any("cancelled" in w for w in fb.warnings)
    assert result["OUTPUT"].featureCount() == result["COUNT"] < len(within(sandbox.world, LON0, LAT0, 800))


def test_loaded_outputs_get_the_plugin_style(provider, sandbox, qgis_new_project):
    from qgis import processing
    from qgis.core import QgsRuleBasedRenderer

    result = processing.runAndLoadResults("mapillary:searchimages", {"POINT": POINT, "RADIUS": 40,
                                                                     "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = QgsProject.instance().mapLayer(result["OUTPUT"])
    assert isinstance(layer.renderer(), QgsRuleBasedRenderer)
    assert any("is_pano" in rule.filterExpression() for rule in layer.renderer().rootRule().children())
    assert layer.temporalProperties().isActive()
    assert "Search: 40 m around" in layer.metadata().abstract()
    assert "complete" in layer.metadata().abstract()


def test_algorithms_are_found_by_their_tags(provider):
    for alg in provider.algorithms():
        assert {"street", "photo", "panorama", "imagery", "mapillary", "street-level"} <= set(alg.tags()), alg.id()


def test_a_stop_half_way_keeps_what_was_fetched(provider, sandbox):
    """The daily tile quota runs out after ten tiles: what they held is written, marked incomplete
    (Processing used to drop it)."""
    sandbox.configure(tile_quota=10)
    fb = Feedback()
    result, _ = run("mapillary:searchimages", {"POINT": POINT, "RADIUS": 2500, "RETRIES": 0,
                                               "OUTPUT": "TEMPORARY_OUTPUT"}, fb)
    assert result["COMPLETE"] is False and 0 < result["OUTPUT"].featureCount() == result["COUNT"]
    assert any(w.startswith("INCOMPLETE") and "quota" in w for w in fb.warnings), fb.warnings
    assert sandbox.stats["tiles"] < 20  # it stopped: the quota is spent for the day
