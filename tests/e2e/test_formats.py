"""Every output format through the command line: the same images and sequences, read back with OGR."""

from __future__ import annotations

import json

import pytest
from osgeo import ogr
from test_cli import run

from mapillary_retriever.api.formats import SHAPEFILE_NAMES, shapefile_name
from mapillary_retriever.api.schema import EXTRA_FIELDS, LAYERS

ogr.UseExceptions()


def images(n):
    from mapillary_retriever.api.records import Image

    return [Image(str(10**15 + i), 6.1 + i * 1e-4, 49.6, "seq", 1_600_000_000_000, 1.0, False) for i in range(n)]


def _point_args():
    from sandbox import CENTER

    return ["--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "150"]


def _read(path, layer=None, id_field="id"):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    rows = {}
    for f in lyr:
        g = f.GetGeometryRef()
        rows[str(f.GetField(id_field))] = (f, g.Clone() if g else None)
    return rows


def _list(v):
    return v if isinstance(v, list) else json.loads(v)


@pytest.fixture(scope="module")
def reference(sandbox_server, tmp_path_factory):
    """The GeoPackage every other format is compared with."""
    from sandbox.server import Config

    sandbox_server.config = Config()
    out = tmp_path_factory.mktemp("ref") / "ref.gpkg"
    p = run(["both", *_point_args(), "--fields", "username", "-o", str(out)], sandbox_server)
    assert p.returncode == 0, p.stderr
    return _read(out, "images"), _read(out, "sequences")


@pytest.mark.parametrize("ext", [".geojson", ".geojsonl", ".fgb", ".csv", ".kml", ".shp"])
def test_both_as_two_files_hold_what_the_geopackage_holds(sandbox, tmp_path, reference, ext):
    out = tmp_path / ("run" + ext)
    p = run(["both", *_point_args(), "--fields", "username", "-o", str(out)], sandbox)
    assert p.returncode == 0, p.stderr
    assert not out.exists()  # 'both' into a single-layer format: two files, named by kind
    ref_images, ref_seqs = reference
    images = _read(tmp_path / f"run_images{ext}")
    seqs = _read(tmp_path / f"run_sequences{ext}")
    assert set(images) == set(ref_images) and set(seqs) == set(ref_seqs)
    shp = ext == ".shp"
    for i, (f, g) in images.items():
        rf, rg = ref_images[i]
        assert g.GetX() == pytest.approx(rg.GetX(), abs=1e-9) and g.GetY() == pytest.approx(rg.GetY(), abs=1e-9)
        assert f.GetField("seq_id" if shp else "sequence_id") == rf.GetField("sequence_id")
        assert f.GetField("username") == rf.GetField("username")
    for i, (f, g) in seqs.items():
        rf, rg = ref_seqs[i]
        assert ogr.ForceToMultiLineString(g).GetGeometryCount() == rg.GetGeometryCount()
        ids = _list(f.GetField("image_ids"))
        full = _list(rf.GetField("image_ids"))
        assert ids == full[:len(ids)] and (len(ids) == len(full) or shp)
        assert int(f.GetField("img_count" if shp else "image_count")) == len(full)
    assert list(tmp_path.glob(".*part*")) == []  # no temporary file left
    if ext == ".csv":
        f, g = next(iter(images.values()))
        assert float(f.GetField("lon")) == pytest.approx(g.GetX()) and f.GetField("WKT").startswith("POINT")
    if shp:
        cut = [s for s in seqs.values() if len(_list(s[0].GetField("image_ids"))) < s[0].GetField("img_count")]
        if cut:  # said, and the full lists are beside
            assert f"{len(cut):,} sequences have image_ids" in p.stderr
            full = (tmp_path / "run_sequences.full.csv").read_text()
            assert all(i in full for i, _ in [(c[0].GetField("id"), 0) for c in cut])


def test_shapefile_names_cover_every_column_and_fit():
    cols = set()
    for spec in LAYERS.values():
        cols |= {c.name for c in spec.columns(list(EXTRA_FIELDS))}
    cols.add("file")
    assert cols <= set(SHAPEFILE_NAMES)  # every column has its documented short name
    for spec in LAYERS.values():
        names = [shapefile_name(c.name) for c in spec.columns(list(EXTRA_FIELDS))] + ["file"]
        assert len(names) == len(set(names)) and all(len(n) <= 10 for n in names)
    assert (shapefile_name("captured_at"), shapefile_name("compass_angle"), shapefile_name("sequence_id"),
            shapefile_name("organization_id"), shapefile_name("last_captured_at"),
            shapefile_name("computed_compass_angle")) == ("captured", "compass", "seq_id", "org_id", "last_capt",
                                                          "c_compass")


def test_shapefile_long_lists_are_cut_to_whole_elements_and_kept_beside(tmp_path):
    from mapillary_retriever.api import output
    from mapillary_retriever.api.records import Sequence

    ids = [str(10**15 + i) for i in range(60)]
    seq = Sequence("s1", ids, [(6.1 + i * 1e-4, 49.6) for i in range(60)], [float(i) for i in range(60)],
                   [1_600_000_000_000 + i for i in range(60)], False, "42")
    w = output.write(str(tmp_path / "s.shp"), "sequences", [seq, Sequence("s2", ids[:2], [(6, 49), (6.1, 49.1)],
                                                                          [1.0, 2.0], [1, 2], False)])
    assert w.warnings and "1 sequences have image_ids" in w.warnings[0] and "s.full.csv" in w.warnings[0]
    f = _read(tmp_path / "s.shp")["s1"][0]
    cut = json.loads(f.GetField("image_ids"))
    assert 0 < len(cut) < 60 and cut == ids[:len(cut)] and len(f.GetField("image_ids")) <= 254
    import csv

    rows = list(csv.DictReader(open(tmp_path / "s.full.csv", encoding="utf-8")))
    assert [r["id"] for r in rows] == ["s1"] and json.loads(rows[0]["image_ids"]) == ids


def test_a_new_shapefile_replaces_a_stale_spatial_index(tmp_path):
    from mapillary_retriever.api import output

    out = tmp_path / "x.shp"
    output.write(str(out), "images", images(3))
    (tmp_path / "x.qix").write_bytes(b"stale")
    output.write(str(out), "images", images(5))
    assert not (tmp_path / "x.qix").exists() and len(_read(out)) == 5


def test_unknown_extension_refused_before_searching(sandbox, tmp_path):
    p = run(["images", *_point_args(), "-o", str(tmp_path / "x.xlsx")], sandbox)
    assert p.returncode == 2 and "--output must end in" in p.stderr
    assert sandbox.stats["requests"] == 0


def _v3_view_image(i):
    extra = i.extra or {}
    return (i.id, i.lon, i.lat, i.sequence_id, i.captured_at, i.compass_angle, i.is_pano, i.creator_id,
            extra.get("username"), extra.get("make"), extra.get("model"))


def _v3_view_sequence(s):
    first = next((t for t in s.captured_at if t is not None), None)
    return (s.id, s.image_ids, [tuple(c) for c in s.coords], s.compass_angles, first, s.is_pano, s.creator_id,
            s.username)


def test_schema_v3_round_trips_through_the_v3_reader(sandbox, tmp_path):
    """What --schema v3 writes, read back by the v3 converter (the truth of the v3 layout), is the result."""
    from mapillary_retriever.api import Query, search
    from mapillary_retriever.api.v3 import read_v3
    from sandbox import CENTER

    p = run(["both", *_point_args(), "--schema", "v3", "-o", str(tmp_path / "v3.geojson")], sandbox)
    assert p.returncode == 0, p.stderr
    docs = [json.loads((tmp_path / f"v3_{k}.geojson").read_text()) for k in ("images", "sequences")]
    img = docs[0]["features"][0]["properties"]
    assert {"key", "ca", "captured_at", "pano", "user_key", "username", "camera_make"} <= set(img)
    assert img["captured_at"].endswith("Z") and img["username"]
    seq = docs[1]["features"][0]
    assert seq["geometry"]["type"] == "LineString"
    assert {"key", "captured_at", "user_key", "pano"} <= set(seq["properties"])
    cp = seq["properties"]["coordinateProperties"]
    assert len(cp["cas"]) == len(cp["image_keys"]) == len(seq["geometry"]["coordinates"])

    images, _ = read_v3(docs[0])
    _, sequences = read_v3(docs[1])
    q = Query.build(closeto=f"{CENTER[0]},{CENTER[1]}", radius=150, fields="username,make,model")
    result = search(q)
    assert sorted(map(_v3_view_image, images)) == sorted(map(_v3_view_image, result.images))
    assert sorted(map(_v3_view_sequence, sequences)) == sorted(map(_v3_view_sequence, result.sequences))


def test_schema_v3_needs_geojson(sandbox, tmp_path):
    p = run(["images", *_point_args(), "--schema", "v3", "-o", str(tmp_path / "x.gpkg")], sandbox)
    assert p.returncode == 2 and "--schema v3" in p.stderr and sandbox.stats["requests"] == 0
