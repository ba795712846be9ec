"""PostGIS output against a real PostgreSQL + PostGIS started for this session (unix socket only)."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest
from osgeo import ogr
from test_cli import run

ogr.UseExceptions()


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgis():
    """A throw-away cluster in a temporary folder: initdb, pg_ctl start (bounded wait), a database
    with PostGIS. Yields (connection string, run_sql). Stopped and removed afterwards."""
    initdb, pg_ctl, psql = _bin("initdb"), _bin("pg_ctl"), shutil.which("psql")
    if not (initdb and pg_ctl and psql):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (.ci/install-system.sh installs postgresql-15 and postgis)")
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql postgis")
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        if os.environ.get("CI"):
            pytest.fail("PostGIS is not installed (postgresql-15-postgis-3)")
        pytest.skip("PostGIS is not installed: apt-get install postgis")
    root = tempfile.mkdtemp(prefix="mr-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        user = "postgres"
        try:
            pw = pwd.getpwnam(user)
        except KeyError:
            user, pw = "nobody", pwd.getpwnam("nobody")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
    data, port = os.path.join(root, "data"), _free_port()

    def sh(args, **kw):
        return subprocess.run(prefix + args, capture_output=True, text=True, timeout=60, check=True, **kw)

    sh([initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
    opts = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
    sh([pg_ctl, "-D", data, "-o", opts, "-l", os.path.join(root, "log"), "-w", "-t", "30", "start"])
    try:
        def sql(statement, db="mr_test"):
            return subprocess.run([psql, "-h", root, "-p", str(port), "-U", "postgres", "-d", db, "-At", "-c",
                                   statement], capture_output=True, text=True, timeout=30, check=True).stdout

        sql("CREATE DATABASE mr_test", db="postgres")
        sql("CREATE EXTENSION postgis")
        yield f"PG:dbname=mr_test host={root} port={port} user=postgres", sql
    finally:
        subprocess.run(prefix + [pg_ctl, "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _rows(ds_path, layer, approx=False):
    ds = ogr.Open(ds_path)
    lyr = ds.GetLayerByName(layer)
    out = {}
    for f in lyr:
        items = f.items()
        for k, v in items.items():
            if k in ("image_ids", "compass_angles") and isinstance(v, str):
                items[k] = json.loads(v)
            elif k in ("captured_at", "last_captured_at") and v:
                items[k] = f.GetFieldAsDateTime(k)[:6]
            elif k == "is_pano":
                items[k] = bool(v)
            elif isinstance(v, float) and approx:  # GDAL's COPY to PostgreSQL keeps 15 significant digits
                items[k] = pytest.approx(v, rel=1e-13)
        if items.get("compass_angles") and approx:
            items["compass_angles"] = [a if a is None else pytest.approx(a, rel=1e-13) for a in items["compass_angles"]]
        out[items["id"]] = (items, f.GetGeometryRef().ExportToWkt())
    return out


def _args():
    from sandbox import CENTER

    return ["both", "--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "150", "--fields", "username"]


def test_postgis_tables_match_the_geopackage(sandbox, tmp_path, postgis):
    dest, sql = postgis
    gpkg = tmp_path / "ref.gpkg"
    assert run([*_args(), "-o", str(gpkg)], sandbox).returncode == 0
    p = run([*_args(), "-o", dest, "--layer", "run"], sandbox)
    assert p.returncode == 0, p.stderr
    for kind in ("images", "sequences"):
        ref, got = _rows(str(gpkg), kind, approx=True), _rows(dest, f"run_{kind}")
        assert got == ref and ref
    assert sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'run_images_geom_geom_idx'").strip() == "1"
    # a second run replaces the tables (in one transaction) and leaves nothing temporary behind
    p = run([*_args(), "-o", dest, "--layer", "run"], sandbox)
    assert p.returncode == 0, p.stderr
    assert _rows(dest, "run_images") == _rows(str(gpkg), "images", approx=True)
    tables = sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    assert [t for t in tables if t.startswith("run")] == ["run_images", "run_sequences"]


def test_postgis_partial_result_goes_to_other_tables(sandbox, tmp_path, postgis):
    from mapillary_retriever.api.geo import bbox_around, tiles_for_bbox
    from sandbox import CENTER

    dest, sql = postgis
    p = run([*_args(), "-o", dest, "--layer", "keep"], sandbox)
    assert p.returncode == 0, p.stderr
    before = sql("SELECT count(*) FROM keep_images")
    bad = tiles_for_bbox(bbox_around(CENTER[0], CENTER[1], 150))[0]
    sandbox.configure(fail_tiles={bad})
    p = run([*_args(), "--retries", "0", "--no-cache", "-o", dest, "--layer", "keep"], sandbox)
    assert p.returncode == 3, p.stderr
    assert "keep_incomplete" in p.stderr and "untouched" in p.stderr
    assert sql("SELECT count(*) FROM keep_images") == before
    assert int(sql("SELECT count(*) FROM keep_incomplete_images")) < int(before)


def test_postgis_unreachable_is_refused_before_searching(sandbox, postgis):
    dest, _ = postgis
    p = run(["images", "--closeto", "6.1,49.6", "-o", dest.replace("mr_test", "nowhere") + " password=s3cret"],
            sandbox)
    assert p.returncode == 2 and "nowhere" in p.stderr and "s3cret" not in p.stderr
    assert sandbox.stats["requests"] == 0
