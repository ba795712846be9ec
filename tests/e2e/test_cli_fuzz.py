"""The command line never shows a traceback: fuzzed arguments (in-process), Ctrl-C, downloads."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_cli import ROOT, core_arg, run

from mapillary_retriever.__main__ import main

WORDS = ["images", "sequences", "both", "convert-v3", "--bbox", "--closeto", "--radius", "--lookat", "--tolerance",
         "--start-time", "--end-time", "--usernames", "--pano", "--max-features", "--fields", "--layer", "--append",
         "--schema", "v3", "--size", "--strategy", "graph", "--workers", "--retries", "0", "-1", "1e400", "nan",
         "6.1,49.6", "-113.98,46.85,-113.97,46.86", "190,0", "2020-13-45", "username,make", "bogus", "",
         "--no-cache", "--refresh", "--cache-dir", "-o", "--output", "x.gpkg", "y.geojson", "z.shp", "w.xlsx",
         "PG:dbname=none"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=10))
@example(["images", "--closeto", "6.1,49.6"])  # reaches the (closed) network
@example(["both", "--bbox", "-113.98,46.85,-113.97,46.86", "--schema", "v3", "-o", "y.geojson"])
@example(["sequences", "--usernames", "bogus", "-o", "PG:dbname=none"])
def test_fuzzed_arguments_exit_cleanly(tmp_path_factory, argv):
    port = _closed_port()
    os.environ.update(MAPILLARY_GRAPH_URL=f"http://127.0.0.1:{port}", MAPILLARY_TILES_URL=f"http://127.0.0.1:{port}",
                      MAPILLARY_ACCESS_TOKEN="MLY|1|" + "0" * 32)
    folder = tmp_path_factory.mktemp("fuzz")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        tail = [] if {"-o", "--output"} & set(argv) else ["-o", "out.geojson"]
        code = main([*argv, "--retries", "0", "-q", *tail])
    except SystemExit as e:  # argparse's own usage errors and --help
        code = e.code
    finally:
        os.chdir(cwd)
        for var in ("MAPILLARY_GRAPH_URL", "MAPILLARY_TILES_URL", "MAPILLARY_ACCESS_TOKEN"):
            os.environ.pop(var, None)
    assert code in (0, 1, 2, 3)


def test_ctrl_c_exits_130_within_2_s_while_requests_hang(sandbox, tmp_path):
    from sandbox import DEMO_TOKEN

    sandbox.configure(blackhole=True)
    env = dict(os.environ, MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
               MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
    out = tmp_path / "x.gpkg"
    p = subprocess.Popen([sys.executable, "-m", "mapillary_retriever", "images", "--bbox", core_arg(), "-o", str(out)],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    start = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        _, err = p.communicate(timeout=10)
    finally:
        p.kill()
    assert time.monotonic() - start < 2.0
    assert p.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


def test_download_adds_the_file_field(sandbox, tmp_path, capsys):
    """In-process."""
    from osgeo import ogr

    from sandbox import CENTER

    out, pics = tmp_path / "x.gpkg", tmp_path / "pics"
    code = main(["images", "--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "20", "--download", str(pics),
                 "--size", "256", "-q", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    ds = ogr.Open(str(out))
    files = [f.GetField("file") for f in ds.GetLayer(0)]
    assert files and all(f and os.path.isfile(f) and f.startswith(str(pics)) for f in files)


def test_failed_downloads_named_and_exit_3(sandbox, tmp_path):
    from sandbox import CENTER

    sandbox.configure(fault_rate=1.0, faults=["5xx"], fault_targets=["thumb"])
    p = run(["images", "--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "30", "--download",
             str(tmp_path / "pics"), "--retries", "0", "-o", str(tmp_path / "x.geojson")], sandbox)
    assert p.returncode == 3, p.stderr
    assert "DOWNLOADS INCOMPLETE" in p.stderr and "failed" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("args,needle", [(["--no-cache", "--cache-dir", "c"], "contradict"),
                                          (["--download", "x.gpkg"], None)])
def test_flag_checks(sandbox, tmp_path, args, needle):
    if needle is None:
        (tmp_path / "x.gpkg").write_text("a file")
        args, needle = ["--download", str(tmp_path / "x.gpkg")], "give a folder"
    p = run(["images", "--bbox", core_arg(), *args, "-o", str(tmp_path / "o.geojson")], sandbox)
    assert p.returncode == 2 and needle in p.stderr and sandbox.stats["requests"] == 0
