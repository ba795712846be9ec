"""Searches through a real HTTP proxy (Debian's tinyproxy) on loopback, set the way users set it:
qgis_process with the proxy in its QGIS profile (Settings > Options > Network), and the command
line with HTTP_PROXY. Every request of the search must pass the proxy; the result must be exact.

The proxy's log names every request URL, tile tokens included: it is counted, then deleted."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option 3.40 rejects
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
              "no_proxy")

needs_tinyproxy = pytest.mark.skipif(not os.access(TINYPROXY, os.X_OK),
                                     reason="tinyproxy is not installed (apt-get install tinyproxy)")


class Proxy:
    """A running tinyproxy: ``port``, ``url``, and ``requests()`` (how many it forwarded)."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"

    def _log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def requests(self) -> int:
        """Requests forwarded to the server so far: tinyproxy opens one connection to the server per
        request and logs 'Established connection to host'; a request it refuses (407, no password)
        is logged as 'Request (file descriptor N): GET ...' without one."""
        return self._log().count("Established connection to host")

    def asked(self) -> int:
        """Requests the proxy received, refused ones included."""
        return len(re.findall(r"Request \(file descriptor \d+\): GET ", self._log()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def tinyproxy(workdir: Path, user: str | None = None, password: str | None = None) -> Iterator[Proxy]:
    """tinyproxy in the foreground on a free loopback port, with its own configuration and log in
    ``workdir``; optional Basic authentication. Stopped, and its log deleted, on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "tinyproxy.log"
    conf = workdir / "tinyproxy.conf"
    for attempt in range(5):
        port = free_port()
        lines = [f"Port {port}", "Listen 127.0.0.1", "Timeout 60", f'LogFile "{log}"', "LogLevel Info",
                 "MaxClients 200", "Allow 127.0.0.1"]
        if user:
            lines.append(f"BasicAuth {user} {password}")
        conf.write_text("\n".join(lines) + "\n")
        proc = subprocess.Popen([TINYPROXY, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            end = time.monotonic() + 10
            while proc.poll() is None and time.monotonic() < end:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.05)
            if proc.poll() is not None:  # e.g. the port was taken meanwhile: another one
                if attempt == 4:
                    raise RuntimeError(f"tinyproxy did not start: {proc.stderr.read()[-500:]}")
                continue
            yield Proxy(port, log)
            return
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            if proc.stderr:
                proc.stderr.close()
            log.unlink(missing_ok=True)  # it holds request URLs, tile tokens included


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def truth(world, lon: float, lat: float, radius: float) -> set[str]:
    """The images within ``radius`` metres, computed from the sandbox's world (not by the engine)."""
    return {i.id for i in world.images if haversine(lon, lat, i.lon, i.lat) <= radius}


def no_proxy_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(extra)
    return env


def assert_no_token(*texts: str) -> None:
    from sandbox import DEMO_TOKEN

    secret = DEMO_TOKEN.split("|")[2]
    for text in texts:
        assert secret not in text


@needs_tinyproxy
def test_command_line_goes_through_http_proxy(sandbox, tmp_path):
    """requests honours HTTP_PROXY; NO_PROXY empty so that loopback is not excluded."""
    from osgeo import ogr

    from sandbox import CENTER, DEMO_TOKEN

    lon, lat = CENTER
    out = tmp_path / "cli.gpkg"
    with tinyproxy(tmp_path / "proxy") as proxy:
        env = no_proxy_env(HTTP_PROXY=proxy.url, NO_PROXY="", MAPILLARY_GRAPH_URL=sandbox.url,
                           MAPILLARY_TILES_URL=sandbox.url, MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
        p = subprocess.run([sys.executable, "-m", "mapillary_retriever", "images", "--closeto", f"{lon},{lat}",
                            "--radius", "300", "--fields", "username", "-o", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        through = proxy.requests()
    assert p.returncode == 0, p.stderr[-2000:]
    total = sandbox.stats["requests"]
    print(f"command line: {through} of {total} requests through the proxy")
    assert total > 10 and through == total
    ds = ogr.Open(str(out))
    got = {f.GetField("id") for f in ds.GetLayerByName("images")}
    ds = None
    assert got == truth(sandbox.world, lon, lat, 300) and len(got) > 100
    assert_no_token(p.stdout, p.stderr)
    assert not (tmp_path / "proxy" / "tinyproxy.log").exists()


@needs_tinyproxy
@pytest.mark.skipif(not os.access(QGIS_PROCESS, os.X_OK), reason=f"{QGIS_PROCESS} is not installed")
def test_qgis_process_goes_through_the_profiles_proxy(sandbox, tmp_path):
    """The proxy set in the QGIS profile (as Settings > Options > Network writes it), no proxy in the
    environment: every request of mapillary:searchimages must pass it."""
    from osgeo import ogr

    from sandbox import CENTER, DEMO_TOKEN

    lon, lat = CENTER
    gpkg = tmp_path / "run.gpkg"
    profile = tmp_path / "profile"
    with tinyproxy(tmp_path / "proxy") as proxy:
        ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
        ini.parent.mkdir(parents=True)
        ini.write_text("[PythonPlugins]\nmapillary_retriever=true\n\n"
                       "[proxy]\nproxyEnabled=true\nproxyType=HttpProxy\nproxyHost=127.0.0.1\n"
                       f"proxyPort={proxy.port}\nproxyExcludedUrls=\nnoProxyUrls=\n")
        env = no_proxy_env(QGIS_CUSTOM_CONFIG_PATH=str(profile), QGIS_PLUGINPATH=str(ROOT),
                           QT_QPA_PLATFORM="offscreen", MAPILLARY_GRAPH_URL=sandbox.url,
                           MAPILLARY_TILES_URL=sandbox.url, MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
        env.pop("QGIS_OPTIONS_PATH", None)  # set by pytest-qgis for this process's own profile
        p = subprocess.run([QGIS_PROCESS, "run", "mapillary:searchimages", "--json", "--",
                            f"POINT={lon},{lat} [EPSG:4326]", "RADIUS=300",
                            f"OUTPUT=ogr:dbname='{gpkg}' table=\"images\" (geom)"],
                           env=env, capture_output=True, text=True, timeout=300)
        through = proxy.requests()
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    total = sandbox.stats["requests"]
    print(f"qgis_process: {through} of {total} requests through the proxy")
    assert total >= 4 and through == total  # 4 tiles around the point
    doc = json.loads(p.stdout)
    expected = truth(sandbox.world, lon, lat, 300)
    assert doc["results"]["COUNT"] == len(expected) > 100 and doc["results"]["COMPLETE"] is True
    ds = ogr.Open(str(gpkg))
    assert {f.GetField("id") for f in ds.GetLayerByName("images")} == expected
    ds = None
    assert_no_token(p.stdout, p.stderr)


STANDALONE = '''
import json, sys, threading
from qgis.PyQt.QtCore import QCoreApplication
QCoreApplication.setOrganizationName("QGIS")  # as qgis_process: the profile's QGIS/QGIS3.ini
QCoreApplication.setApplicationName("QGIS3")
from qgis.core import QgsApplication, QgsSettings
app = QgsApplication([], False)
app.initQgis()
log = []
QgsApplication.messageLog().messageReceived.connect(lambda m, tag, level: log.append(tag + ": " + m))
from mapillary_retriever.api import Query, search
from mapillary_retriever.qgis_transport import QgisTransport
box = {}
lon, lat, radius = map(float, sys.argv[1:4])
work = threading.Thread(target=lambda: box.setdefault("r", search(Query.build(closeto=(lon, lat), radius=radius),
                                                                   transport=QgisTransport())))
work.start()
while work.is_alive():
    app.processEvents()
    work.join(0.01)
app.processEvents()
r = box["r"]
print(json.dumps({"ids": sorted(i.id for i in r.images), "complete": r.complete, "requests": r.report.requests,
                  "proxy": QgsSettings().value("proxy/proxyPort"), "log": log}))
'''


@needs_tinyproxy
def test_standalone_qgis_uses_the_profiles_proxy(sandbox, tmp_path):
    """A QGIS application of its own (as qgis_process is) on a profile whose QGIS3.ini has the proxy:
    the engine with QgisTransport, from worker threads, sends every request through it."""
    from sandbox import CENTER, DEMO_TOKEN

    lon, lat = CENTER
    profile = tmp_path / "profile"
    script = tmp_path / "standalone.py"
    script.write_text(STANDALONE)
    with tinyproxy(tmp_path / "proxy") as proxy:
        ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
        ini.parent.mkdir(parents=True)
        ini.write_text("[proxy]\nproxyEnabled=true\nproxyType=HttpProxy\nproxyHost=127.0.0.1\n"
                       f"proxyPort={proxy.port}\nproxyExcludedUrls=\nnoProxyUrls=\n")
        env = no_proxy_env(QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen",
                           PYTHONPATH=str(ROOT), MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
                           MAPILLARY_ACCESS_TOKEN=DEMO_TOKEN)
        env.pop("QGIS_OPTIONS_PATH", None)
        p = subprocess.run([sys.executable, str(script), str(lon), str(lat), "300"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
        through = proxy.requests()
    assert p.returncode == 0, p.stderr[-2000:]
    doc = json.loads(p.stdout.strip().splitlines()[-1])
    total = sandbox.stats["requests"]
    print(f"standalone QGIS: {through} of {total} requests through the proxy")
    assert doc["proxy"] == str(proxy.port) and doc["complete"]
    assert total >= 4 and through == total == doc["requests"]
    assert set(doc["ids"]) == truth(sandbox.world, lon, lat, 300)
    assert_no_token(p.stdout, p.stderr, *doc["log"])
