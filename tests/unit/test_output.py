"""The file writers: GeoJSON and GeoPackage, fresh and appended."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr

from mapillary_retriever.api import output
from mapillary_retriever.api.records import Image, Images, Sequence


def images(n, lon=6.1, start=0):
    return [Image(str(10**15 + start + i), lon + i * 1e-4, 49.6 + i * 1e-4, "seq", 1_600_000_000_000 + i * 1000,
                  float(i % 360) if i % 7 else None, i % 5 == 0, "42", None, {"username": "anna"})
            for i in range(n)]


def test_geopackage_fresh_then_append(tmp_path):
    path = str(tmp_path / "out.gpkg")
    output.write_gpkg(path, "images", images(500), ("username",), "test")
    output.write_gpkg(path, "images", images(20, lon=7.0, start=500), ("username",), append=True)
    seq = Sequence("seq", ["1", "2", "3", "4"], [(6.1, 49.6), (6.2, 49.7), (6.3, 49.8), (6.4, 49.9)],
                   [10.0, None, 1.0, 2.0], [1, 2000, 3000, 4000], True, "42", parts=[0, 2])
    output.write_gpkg(path, "sequences", [seq], layer="sequences")
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("images")
    assert lyr.GetFeatureCount() == 520
    minx, maxx, miny, maxy = lyr.GetExtent()
    assert minx == pytest.approx(6.1) and maxx == pytest.approx(7.0 + 19e-4)  # the extent grew on append
    lyr.SetSpatialFilterRect(6.99, 49.59, 7.1, 49.7)  # answered through the R-tree
    assert lyr.GetFeatureCount() == 20
    res = ds.ExecuteSQL("SELECT count(*) FROM rtree_images_geom")
    assert res.GetNextFeature().GetField(0) == 520
    ds.ReleaseResultSet(res)
    lyr.SetSpatialFilter(None)
    f = lyr.GetNextFeature()
    assert f.GetField("id") == str(10**15) and f.GetField("username") == "anna"
    assert f.GetFieldAsDateTime("captured_at")[:3] == [2020, 9, 13]
    assert f.GetField("is_pano") is True or f.GetField("is_pano") == 1
    assert f.GetField("compass_angle") is None  # no angle stays NULL
    s = ds.GetLayerByName("sequences").GetNextFeature()
    assert json.loads(s.GetField("image_ids")) == ["1", "2", "3", "4"]
    assert json.loads(s.GetField("compass_angles")) == [10.0, None, 1.0, 2.0]
    assert s.GetGeometryRef().ExportToWkt() == "MULTILINESTRING ((6.1 49.6,6.2 49.7),(6.3 49.8,6.4 49.9))"
    check = ds.ExecuteSQL("PRAGMA integrity_check")
    assert check.GetNextFeature().GetField(0) == "ok"
    ds.ReleaseResultSet(check)


def test_replacing_a_layer_keeps_the_others(tmp_path):
    path = str(tmp_path / "out.gpkg")
    output.write_gpkg(path, "images", images(10))
    output.write_gpkg(path, "sequences", [], layer="sequences")
    output.write_gpkg(path, "images", images(3))
    ds = ogr.Open(path)
    assert ds.GetLayerByName("images").GetFeatureCount() == 3 and ds.GetLayerByName("sequences") is not None


def test_append_refuses_a_foreign_layer(tmp_path):
    path = str(tmp_path / "out.gpkg")
    output.write_gpkg(path, "images", images(2))
    with pytest.raises(ValueError, match="lacks the fields username"):
        output.write_gpkg(path, "images", images(2), ("username",), append=True)


def test_geojson(tmp_path):
    path = tmp_path / "out.geojson"
    output.write_geojson(str(path), "images", images(3), ("username",), "a search")
    doc = json.loads(path.read_text())
    assert doc["type"] == "FeatureCollection" and "CC BY-SA 4.0" in doc["attribution"]
    props = doc["features"][1]["properties"]
    assert props["captured_at"] == "2020-09-13T12:26:41.000Z" and props["id"] == str(10**15 + 1)
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [6.1, 49.6]}
    assert not (tmp_path / "out.geojson.part").exists()


def _reference_geojson_features(kind, records, cols):
    """The features as the writer made them before it was made fast: one json.dumps per feature."""
    spec = output.LAYERS[kind]
    out = []
    for rec in records:
        if spec.geometry == "Point":
            if not output._finite_point(rec):
                continue
            geom = {"type": "Point", "coordinates": [rec.lon, rec.lat]}
        else:
            lines = output._lines(rec)
            if not lines:
                continue
            geom = {"type": spec.geometry, "coordinates": lines}
        props = {name: output._json_value(v, typ) for (name, typ), v in zip(cols, spec.row(rec, cols))}
        out.append(json.dumps({"type": "Feature", "id": rec.id, "geometry": geom, "properties": props},
                              separators=(",", ":"), allow_nan=False))
    return out


def _odd_images():
    nan, inf = float("nan"), float("inf")
    base = images(30)
    odd = [
        Image("ü-1", 6, 49, "séq\"\\", 0, 360.0, False, None, "org", {"username": "jürgen_ø", "make": None}),
        Image("2", 6.5, 49.5, "", -1, nan, True, "7", None, {"username": None, "altitude": inf}),
        Image("3", nan, 49.5, "s", 1, 1.0, False),  # no position: left out
        Image("4", 6.1, 49.1, "s", 253_402_300_799_999, -0.0, False, None, None, {"altitude": 12}),
        Image("5", 6.1, 49.1, "s", 1.6e12 + 0.5, 5, 1, 7, None, {"width": 4000, "altitude": 1e300}),
        Image("6", 6.1, 49.1, "s", None, None, False, "%s", "%d", {"computed_lon": 6.0, "computed_lat": nan}),
        Image("7", 6.1, 49.1, "s", 1_600_000_059_999, 1e-7, False, None, None, None),
    ]
    return base + odd


@pytest.mark.parametrize("fields", [(), ("username", "altitude", "width", "computed_geometry", "make")])
def test_geojson_text_is_what_one_dumps_per_feature_gives(tmp_path, fields, monkeypatch):
    monkeypatch.setattr(output, "_CHUNK", 7)  # several chunks, caches cleared between them
    recs = _odd_images()
    cols = output.columns("images", fields)
    path = tmp_path / "out.geojson"
    n = output.write_geojson(str(path), "images", recs, fields)
    text = path.read_text()
    body = text[text.index('"features": [\n') + len('"features": [\n'):-len("\n]}\n")]
    expected = _reference_geojson_features("images", recs, cols)
    assert n == len(expected) == len(recs) - 1
    assert body.split(",\n") == expected  # byte for byte
    assert len(json.loads(text)["features"]) == n  # and valid JSON


def _repeating_images():
    """Images as tiles give them: positions on a grid (few distinct values), a time in the same
    minute, every kind of missing value, ids of every length."""
    out = []
    for i in range(200):
        out.append(Image(str(7 ** (i % 19 + 1) + i), 6.0 + (i % 6) * 0.25, -0.0 if i == 5 else 49.0 + (i % 4) * 0.5,
                         "" if i % 13 == 0 else f"seq{i % 9}",
                         0 if i % 11 == 0 else 1_600_000_000_000 + (i % 3) * 59_999,
                         None if i % 8 == 0 else float(i % 4) * 90.0, i % 5 == 0, None if i % 3 else str(i % 2),
                         "org" if i % 17 == 0 else None, {"username": "anna"} if i % 2 else None))
    return out


@pytest.mark.parametrize("which", ["odd", "repeating"])
@pytest.mark.parametrize("fields", [(), ("username", "altitude", "width", "computed_geometry", "make")])
def test_geojson_text_from_columns_is_what_one_dumps_per_feature_gives(tmp_path, which, fields, monkeypatch):
    """The columns' path (``Images``, as a search gives them) writes the text the per-feature
    reference gives for the same images, read back from the columns."""
    monkeypatch.setattr(output, "_CHUNK", 37)
    monkeypatch.setattr(output._FloatTexts, "WINDOW", 64)  # several windows, some chunks across two
    table = Images.from_images(_odd_images() if which == "odd" else _repeating_images())
    assert (table.ids.dtype.kind == "i") == (which == "repeating")  # both id layouts
    path = tmp_path / "out.geojson"
    n = output.write_geojson(str(path), "images", table, fields)
    text = path.read_text()
    body = text[text.index('"features": [\n') + len('"features": [\n'):-len("\n]}\n")]
    expected = _reference_geojson_features("images", list(table), output.columns("images", fields))
    assert n == len(expected) > 0
    assert body.split(",\n") == expected  # byte for byte
    assert len(json.loads(text)["features"]) == n


@pytest.mark.parametrize("points", [100_000, 2])
def test_geojson_sequences_text_is_what_one_dumps_per_feature_gives(tmp_path, points, monkeypatch):
    monkeypatch.setattr(output, "_CHUNK_POINTS", points)  # one chunk, or one sequence a chunk
    seqs = [Sequence("s1", ["1", "2", "3"], [(6.1, 49.6), (6.2, float("nan")), (6.3, 49.8)], [1.0, None, float("inf")],
                     [1, 2, 3], False, "42", None, "ann", parts=[0, 1]),
            Sequence("s2", ["4"], [(float("nan"), 1.0)], [None], [None], True),  # no finite point: left out
            Sequence("s3", ["5", "6"], [(6, 49), (7, 50)], [2, 3], [0, 60_000], True, None, "o")]
    path = tmp_path / "out.geojson"
    n = output.write_geojson(str(path), "sequences", seqs, ("username",))
    text = path.read_text()
    body = text[text.index('"features": [\n') + len('"features": [\n'):-len("\n]}\n")]
    assert n == 2
    cols = output.columns("sequences", ("username",))
    assert body.split(",\n") == _reference_geojson_features("sequences", seqs, cols)


def _sql(path, query):
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("replace", [False, True])
def test_geopackage_bulk_insert_keeps_index_triggers_and_count_right(tmp_path, replace):
    """The rows, the R-tree (checked by SQLite's own rtreecheck), GDAL's triggers and feature count
    are what GDAL itself keeps: later appends and GDAL's own edits keep the index right."""
    path = str(tmp_path / "out.gpkg")
    if replace:
        output.write_gpkg(path, "images", images(7))
    output.write_gpkg(path, "images", images(300))
    output.write_gpkg(path, "images", images(30, lon=7.0, start=300), append=True)
    assert _sql(path, "SELECT rtreecheck('rtree_images_geom')") == [("ok",)]
    assert _sql(path, "SELECT count(*), min(id), max(id) FROM rtree_images_geom") == [(330, 1, 330)]
    # the count GDAL keeps (or NULL: GDAL then counts)
    assert _sql(path, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'images'") in ([(330,)],
                                                                                                    [(None,)])
    triggers = {name for (name,) in _sql(path, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                               "AND tbl_name = 'images'")}
    assert {"rtree_images_geom_insert", "rtree_images_geom_delete", "trigger_insert_feature_count_images"} <= triggers
    ds = ogr.Open(path, update=1)
    lyr = ds.GetLayerByName("images")
    lyr.DeleteFeature(1)  # GDAL's own edit: the triggers keep the index and the count
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (8 50)"))
    lyr.CreateFeature(f)
    ds = None
    assert _sql(path, "SELECT count(*) FROM rtree_images_geom") == [(330,)]
    assert _sql(path, "SELECT rtreecheck('rtree_images_geom')") == [("ok",)]
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("images")
    assert lyr.GetFeatureCount() == 330
    lyr.SetSpatialFilterRect(7.9, 49.9, 8.1, 50.1)
    assert lyr.GetFeatureCount() == 1
    lyr.SetSpatialFilterRect(6.99, 49.59, 7.1, 49.7)
    assert lyr.GetFeatureCount() == 30
    assert lyr.GetExtent() == pytest.approx((6.1, 8.0, 49.6, 50.0))  # with the point GDAL added


def test_geopackage_rows_hold_each_value_as_one_insert_per_row_did(tmp_path):
    """Every value written column by column is what the row-by-row insert bound; OGR reads the points."""
    recs = _odd_images()
    path = str(tmp_path / "out.gpkg")
    fields = ("username", "altitude", "width", "computed_geometry", "make")
    cols = output.columns("images", fields)
    n = output.write_gpkg(path, "images", recs, fields)
    kept = [r for r in recs if output._finite_point(r)]
    assert n == len(kept) == len(recs) - 1
    names = ", ".join(f'"{c.name}"' for c in cols)
    rows = _sql(path, f"SELECT fid, {names} FROM images ORDER BY fid")
    assert [r[0] for r in rows] == list(range(1, n + 1))
    for rec, row in zip(kept, rows):
        want = [output._sql_value(v, t) for (_, t), v in zip(cols, output.LAYERS["images"].row(rec, cols))]
        want = [str(v) if t == "string" and v is not None else v for (_, t), v in zip(cols, want)]  # TEXT columns
        assert list(row[1:]) == want, rec.id
    ds = ogr.Open(path)
    for rec, f in zip(kept, ds.GetLayerByName("images")):
        assert (f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY()) == (rec.lon, rec.lat)


@pytest.mark.parametrize("n", [1, 51, 52, 51 * 51, 51 * 51 + 1, 6000, 21000])
def test_packed_rtree_is_what_sqlite_inserts_give(tmp_path, n):
    """The R-tree packed straight into its shadow tables holds, entry for entry, the float32 boxes
    SQLite's own inserts store (minimums rounded down, maximums up, negative values too), passes
    rtreecheck at every tree depth (and across the writer's batches of nodes), answers box queries as a
    scan does, and takes SQLite's edits after."""
    import random
    import sqlite3

    import numpy as np

    rnd = random.Random(n)
    boxes = []
    for _ in range(n):
        x, y = rnd.uniform(-180, 180), rnd.uniform(-90, 90)
        w, h = (0.0, 0.0) if rnd.random() < 0.7 else (rnd.random(), rnd.random())
        boxes.append((x, x + w, y, y + h))
    ids = list(range(10, 10 + n))
    con = sqlite3.connect(str(tmp_path / "r.sqlite"), isolation_level=None)
    con.execute("PRAGMA page_size = 4096")
    for name in ("packed", "inserted"):
        con.execute(f"CREATE VIRTUAL TABLE {name} USING rtree(id, minx, maxx, miny, maxy)")
    con.executemany("INSERT INTO inserted VALUES (?, ?, ?, ?, ?)", [(i, *b) for i, b in zip(ids, boxes)])
    assert output._rtree_empty(con, "packed")
    con.execute("BEGIN")
    output._rtree_pack(con, "packed", ids[0], output._rtree_boxes(*np.array(boxes, dtype=np.float64).T))
    con.execute("COMMIT")
    assert not output._rtree_empty(con, "packed")
    assert con.execute("SELECT rtreecheck('packed')").fetchone() == ("ok",)
    depth = int.from_bytes(con.execute("SELECT data FROM packed_node WHERE nodeno = 1").fetchone()[0][:2], "big")
    assert depth == (0 if n <= 51 else 1 if n <= 51 * 51 else 2)
    assert con.execute("SELECT * FROM packed ORDER BY id").fetchall() == \
        con.execute("SELECT * FROM inserted ORDER BY id").fetchall()
    for _ in range(20):
        x, y = rnd.uniform(-180, 150), rnd.uniform(-90, 60)
        q = "SELECT id FROM {} WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY id"
        args = (x, x + 30, y, y + 30)
        assert con.execute(q.format("packed"), args).fetchall() == con.execute(q.format("inserted"), args).fetchall()
    con.execute("DELETE FROM packed WHERE id % 3 = 0")
    con.execute("INSERT INTO packed VALUES (1, 0, 1, 0, 1)")
    assert con.execute("SELECT rtreecheck('packed')").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM packed").fetchone() == (n - len(range(12, 10 + n, 3)) + 1,)
    con.close()


def test_geopackage_from_columns_has_the_rows_of_the_same_images_as_a_list(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_CHUNK", 37)
    recs = _repeating_images() + _odd_images()
    table = Images.from_images(recs)
    fields = ("username", "altitude", "width", "computed_geometry", "make")
    a, b = str(tmp_path / "columns.gpkg"), str(tmp_path / "list.gpkg")
    assert output.write_gpkg(a, "images", table, fields) == output.write_gpkg(b, "images", list(table), fields) > 200
    query = "SELECT * FROM images ORDER BY fid"
    assert _sql(a, query) == _sql(b, query)
    assert _sql(a, "SELECT count(*) FROM rtree_images_geom") == _sql(b, "SELECT count(*) FROM rtree_images_geom")
