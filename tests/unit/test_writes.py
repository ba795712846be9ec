"""Writing never loses a user's data: atomic replaces, appends, full disks, bad destinations, NaN."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from osgeo import ogr

from mapillary_retriever.api import output
from mapillary_retriever.api.records import Image, Sequence

ogr.UseExceptions()
ROOT = Path(__file__).resolve().parents[2]
CI = bool(os.environ.get("CI"))


def images(n, lon=6.1, start=0):
    return [Image(str(10**15 + start + i), lon + (i % 1000) * 1e-4, 49.6 + (i // 1000) * 1e-4, "seq",
                  1_600_000_000_000 + i * 1000, float(i % 360), i % 5 == 0, "42", None, {"username": "anna"})
            for i in range(n)]


def _count(path, layer="images"):
    ds = ogr.Open(str(path), 1)  # in update mode: SQLite rolls back the hot journal a killed writer left
    lyr = ds.GetLayerByName(layer)
    n = None if lyr is None else lyr.GetFeatureCount()
    res = ds.ExecuteSQL("PRAGMA integrity_check")
    ok = res.GetNextFeature().GetField(0)
    ds.ReleaseResultSet(res)
    rtree = None
    if lyr is not None:
        res = ds.ExecuteSQL(f"SELECT count(*) FROM rtree_{layer}_geom")
        rtree = res.GetNextFeature().GetField(0)
        ds.ReleaseResultSet(res)
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    return n, rtree, ok, names


# -- 2. replacing a GeoPackage layer is atomic, even under kill -9 ----------------------------------------

_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from mapillary_retriever.api import output
    from mapillary_retriever.api.records import Image
    n, append = int(sys.argv[2]), sys.argv[3] == "append"
    imgs = [Image(str(2 * 10**15 + i), 6.1 + (i % 1000) * 1e-4, 49.6 + (i // 1000) * 1e-4, "s", 1, 1.0, False)
            for i in range(n)]
    print("start", flush=True)
    output.write_gpkg(sys.argv[1], "images", imgs, append=append)
    print("done", flush=True)
""")


@pytest.mark.parametrize("mode", ["replace", "append"])
def test_kill_9_during_a_write_leaves_the_old_layer_or_the_new_one(tmp_path, mode):
    script = tmp_path / "writer.py"
    script.write_text(_WRITER.format(root=str(ROOT)))
    path = tmp_path / "out.gpkg"
    old, new = 1000, 150_000
    output.write_gpkg(str(path), "images", images(old))
    rng = random.Random(7)
    outcomes = set()
    for delay in [rng.uniform(0.05, 2.5) for _ in range(6)] + [30.0]:  # the last one is never killed
        before = _count(path)[0]
        p = subprocess.Popen([sys.executable, str(script), str(path), str(new), mode], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        assert p.stdout.readline().strip() == "start"
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)
        n, rtree, ok, names = _count(path)
        assert ok == "ok"
        expected = {before, new} if mode == "replace" else {before, before + new}
        assert n in expected, f"after kill at {delay:.2f} s the layer holds {n} rows"
        assert rtree == n  # indexed, completely
        outcomes.add("new" if n != before else "old")
        if mode == "append" and n != before:  # keep the file small enough for the next round
            output.write_gpkg(str(path), "images", images(old))
    assert "new" in outcomes  # the unkilled run did write
    assert "images" + output.TEMP_SUFFIX not in _count(path)[3]


def test_a_leftover_temporary_layer_is_cleared_by_the_next_write(tmp_path):
    path = str(tmp_path / "out.gpkg")
    output.write_gpkg(path, "images", images(5))
    output.write_gpkg(path, "images", images(3), layer="images" + output.TEMP_SUFFIX)  # as a killed write leaves
    output.write_gpkg(path, "images", images(7))
    n, rtree, ok, names = _count(path)
    assert (n, rtree, ok) == (7, 7, "ok") and "images" + output.TEMP_SUFFIX not in names


# -- 3. --append on GeoJSON ------------------------------------------------------------------------------

def test_geojson_append_keeps_old_features_and_replaces_repeated_ids(tmp_path):
    path = tmp_path / "out.geojson"
    output.write_geojson(str(path), "images", images(3))
    again = images(2, lon=7.0, start=2)  # id ...2 comes again, ...3 is new
    output.write_geojson(str(path), "images", again, append=True)
    doc = json.loads(path.read_text())
    ids = [f["id"] for f in doc["features"]]
    assert sorted(ids) == [str(10**15 + i) for i in range(4)] and len(ids) == len(set(ids))
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id[str(10**15 + 2)]["geometry"]["coordinates"][0] == 7.0  # the newer one
    assert by_id[str(10**15)]["geometry"]["coordinates"][0] == 6.1


def test_geojson_append_to_something_else_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "out.geojson"
    path.write_text("not json at all")
    with pytest.raises(output.OutputError, match="cannot append"):
        output.write(str(path), "images", images(2), append=True)
    assert path.read_text() == "not json at all"


def test_append_where_the_format_cannot_is_refused_before_searching(tmp_path):
    with pytest.raises(output.OutputError, match="--append works with"):
        output.check_destination(str(tmp_path / "x.shp"), ["images"], append=True)


# -- 4. a full disk --------------------------------------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (root only)."""
    d = tmp_path / "tiny"
    d.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(d)], capture_output=True, text=True)
    if p.returncode != 0:
        if CI:
            pytest.fail(f"cannot mount a tmpfs in CI: {p.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs (needs root): {p.stderr.strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".fgb", ".shp"])
def test_full_disk_new_file_leaves_nothing(tiny_disk, ext):
    path = tiny_disk / ("new" + ext)
    # FlatGeobuf's driver fails in its own temporary file, which it has removed when asked why
    with pytest.raises(output.OutputError, match="disk is full" if ext != ".fgb" else "could not write"):
        output.write_all(str(path), {"images": images(60_000)})
    assert os.listdir(tiny_disk) == []  # no temporary file, no valid-looking empty file


def test_full_disk_replacing_a_layer_keeps_the_old_one(tiny_disk):
    path = tiny_disk / "old.gpkg"
    output.write_gpkg(str(path), "images", images(500))
    with pytest.raises(output.OutputError, match="disk is full"):
        output.write(str(path), "images", images(60_000))
    n, rtree, ok, names = _count(path)
    assert (n, rtree, ok) == (500, 500, "ok") and names == ["images"]
    assert os.listdir(tiny_disk) == ["old.gpkg"]


def test_full_disk_geojson_keeps_the_old_file(tiny_disk):
    path = tiny_disk / "old.geojson"
    output.write_geojson(str(path), "images", images(5))
    before = path.read_bytes()
    with pytest.raises(output.OutputError, match="disk is full"):
        output.write(str(path), "images", images(60_000))
    assert path.read_bytes() == before and os.listdir(tiny_disk) == ["old.geojson"]


# -- 5. the destination, checked before searching ------------------------------------------------------------

def test_destinations_refused(tmp_path):
    (tmp_path / "folder.gpkg").mkdir()
    (tmp_path / "folder.gpkg" / "roads.shp").write_bytes(b"\x00\x00\x27\x0a" + b"\0" * 96)
    (tmp_path / "text.gpkg").write_text("my notes")
    (tmp_path / "empty.gpkg").write_bytes(b"")
    (tmp_path / "notes.geojson").write_text("my notes")
    cases = {"folder.gpkg": "is a folder", "text.gpkg": "not a GeoPackage", "empty.gpkg": "is empty",
             "notes.geojson": "not a GeoJSON", "missing/x.gpkg": "does not exist"}
    for name, needle in cases.items():
        with pytest.raises(output.OutputError, match=needle):
            output.check_destination(str(tmp_path / name), ["images"])
    assert (tmp_path / "folder.gpkg" / "roads.shp").exists() and (tmp_path / "text.gpkg").read_text() == "my notes"
    output.check_destination(str(tmp_path / "fresh.gpkg"), ["images"])  # a new name is fine


def test_read_only_folder_refused(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: use a read-only mount
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(d)], capture_output=True)
        if p.returncode != 0:
            pytest.skip("cannot mount a read-only tmpfs")
    else:
        d.chmod(0o555)
    try:
        with pytest.raises(output.OutputError, match="read-only"):
            output.check_destination(str(d / "x.gpkg"), ["images"])
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(d)], capture_output=True)
        else:
            d.chmod(0o755)


# -- 6. NaN and infinities are null ------------------------------------------------------------------------

def _strict(text):
    def bad(c):
        raise ValueError(f"{c} in JSON")
    return json.loads(text, parse_constant=bad)


def test_nan_and_inf_are_written_as_null(tmp_path):
    imgs = images(3)
    imgs[0].compass_angle = math.nan
    imgs[1].compass_angle = math.inf
    imgs[2].extra = {"username": "anna", "altitude": -math.inf}
    seq = Sequence("s", ["1", "2"], [(6.1, 49.6), (6.2, 49.7)], [math.nan, 3.0], [1, 2], False)
    output.write_geojson(str(tmp_path / "i.geojson"), "images", imgs, ("username", "altitude"))
    output.write_geojson(str(tmp_path / "s.geojson"), "sequences", [seq])
    doc = _strict((tmp_path / "i.geojson").read_text())
    assert [f["properties"]["compass_angle"] for f in doc["features"]] == [None, None, 2.0]
    assert doc["features"][2]["properties"]["altitude"] is None
    assert _strict((tmp_path / "s.geojson").read_text())["features"][0]["properties"]["compass_angles"] == [None, 3.0]
    output.write_gpkg(str(tmp_path / "x.gpkg"), "sequences", [seq], layer="sequences")
    ds = ogr.Open(str(tmp_path / "x.gpkg"))
    f = ds.GetLayer(0).GetNextFeature()
    assert _strict(f.GetField("compass_angles")) == [None, 3.0]
    from mapillary_retriever.api.v3 import write_v3

    write_v3(str(tmp_path / "v3.geojson"), "images", imgs)
    assert _strict((tmp_path / "v3.geojson").read_text())["features"][0]["properties"]["ca"] is None
