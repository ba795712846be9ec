"""A recognisable token must appear nowhere but in the requests that carry it: not on
stdout or stderr, in logs, output files, layer sources, saved projects or error texts."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MLY|7777777777|feedc0defeedc0defeedc0defeedc0de"
MARKS = (TOKEN, "feedc0defeedc0de", "7777777777")  # the whole token and recognisable parts of it


def clean(text: str | bytes, where: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for mark in MARKS:
        assert mark not in text, f"the token ({mark}) leaked into {where}"


def files_under(folder: Path):
    for p in folder.rglob("*"):
        if p.is_file():
            yield p, p.read_bytes()


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, text):  # noqa: N802
        self.lines.append(text)

    def pushWarning(self, text):  # noqa: N802
        self.lines.append(text)

    def reportError(self, text, fatal=False):  # noqa: N802
        self.lines.append(text)

    def pushDebugInfo(self, text):  # noqa: N802
        self.lines.append(text)

    def pushCommandInfo(self, text):  # noqa: N802
        self.lines.append(text)


@pytest.fixture
def message_log():
    """Everything QGIS's message log receives during the test."""
    seen = []

    def keep(message, tag, level):
        seen.append(f"{tag}: {message}")

    QgsApplication.messageLog().messageReceived.connect(keep)
    yield seen
    QgsApplication.messageLog().messageReceived.disconnect(keep)


def test_command_line_with_faults(sandbox, tmp_path):
    from sandbox import CENTER

    sandbox.configure(fault_rate=0.2, faults=("5xx", "code2", "ratelimit", "cut", "garbage"), retry_after=0.01)
    env = dict(os.environ, MAPILLARY_GRAPH_URL=sandbox.url, MAPILLARY_TILES_URL=sandbox.url,
               MAPILLARY_ACCESS_TOKEN=TOKEN)
    for out in ("both.gpkg", "images.geojson"):
        what = "both" if out.endswith("gpkg") else "images"
        args = [what, "--closeto", f"{CENTER[0]},{CENTER[1]}", "--radius", "300", "--fields", "username,make",
                "--retries", "20", "-o", str(tmp_path / out)]
        p = subprocess.run([sys.executable, "-m", "mapillary_retriever", *args], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        clean(p.stdout + p.stderr, "the command line's output")
    from sandbox import REVOKED_TOKEN

    bad = subprocess.run([sys.executable, "-m", "mapillary_retriever", "images", "--closeto", "6.13,49.61",
                          "-o", str(tmp_path / "x.geojson")], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(env, MAPILLARY_ACCESS_TOKEN=REVOKED_TOKEN))
    assert bad.returncode == 1 and "token" in bad.stderr
    assert REVOKED_TOKEN not in bad.stdout + bad.stderr and REVOKED_TOKEN[15:] not in bad.stderr
    for path, data in files_under(tmp_path):
        clean(data, str(path))
    assert sandbox.stats["faults"] > 0


def test_engine_logs_and_errors(sandbox, caplog):
    from mapillary_retriever.api import Cause, Query, search
    from mapillary_retriever.api.client import Config
    from mapillary_retriever.api.outcome import describe
    from sandbox import CENTER, REVOKED_TOKEN

    caplog.set_level(logging.DEBUG)
    sandbox.configure(fault_rate=0.3, faults=("5xx", "drop", "cut", "ratelimit"), retry_after=0.01)
    res = search(Query.build(closeto=CENTER, radius=200, fields="username"), TOKEN,
                 config=Config.from_env(backoff=0.01, retries=20))
    assert res.images and res.report.complete
    clean(caplog.text, "the engine's log")
    clean(repr(res.report) + res.report.summary(), "the report")
    for token in (REVOKED_TOKEN, "MLY|7777777777|not-hex-feedc0defeedc0de"):
        res = search(Query.build(closeto=CENTER), token, config=Config.from_env(backoff=0.01))
        fatal = res.report.fatal
        assert fatal is not None and fatal.cause == Cause.TOKEN
        text = fatal.reason + repr(res.report) + res.report.summary() + describe(res).text
        clean(text, "a refused token's report")
        assert token not in text
    # an unreachable server: the URL (with the tile token in it) must not leak either
    cfg = Config(graph_url="http://127.0.0.1:9", tiles_url="http://127.0.0.1:9", retries=1, backoff=0.01)
    res = search(Query.build(closeto=CENTER), TOKEN, config=cfg)
    assert not res.report.complete
    clean(res.report.summary() + repr(res.report.failures), "the failures of an unreachable server")
    res = search(Query.build(closeto=CENTER, usernames="anna"), TOKEN, config=cfg)
    assert res.report.fatal is not None or not res.report.complete
    clean(repr(res.report) + describe(res).text + describe(res).details, "an unreachable server's outcome")


def test_processing_outputs_project_and_logs(sandbox, provider, tmp_path, monkeypatch, message_log):
    from qgis import processing

    from sandbox import CENTER

    am = QgsApplication.authManager()
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName("hygiene")
    cfg.setConfig("username", "mapillary")
    cfg.setConfig("password", TOKEN)
    assert am.storeAuthenticationConfig(cfg)[0]
    monkeypatch.delenv("MAPILLARY_ACCESS_TOKEN")
    sandbox.configure(fault_rate=0.2, faults=("5xx", "cut"), retry_after=0.01)
    project = QgsProject.instance()
    for alg, name in (("mapillary:searchimages", "images.gpkg"), ("mapillary:searchsequences", "seqs.gpkg")):
        log = Log()
        context = QgsProcessingContext()
        context.setProject(project)
        result = processing.run(alg, {"POINT": f"{CENTER[0]},{CENTER[1]} [EPSG:4326]", "RADIUS": 200,
                                      "FIELDS": ["username"], "AUTHCFG": cfg.id(), "RETRIES": 20,
                                      "OUTPUT": str(tmp_path / name)}, feedback=log, context=context)
        clean("\n".join(log.lines) + log.textLog(), "the Processing log")
        layer = QgsVectorLayer(result["OUTPUT"], name, "ogr")
        assert layer.isValid() and layer.featureCount() > 0
        clean(layer.source() + layer.publicSource(), "a layer source")
        project.addMapLayer(layer)
    from sandbox import REVOKED_TOKEN

    revoked = QgsAuthMethodConfig("Basic")
    revoked.setName("revoked")
    revoked.setConfig("username", "mapillary")
    revoked.setConfig("password", REVOKED_TOKEN)
    assert am.storeAuthenticationConfig(revoked)[0]
    with pytest.raises(QgsProcessingException) as e:  # a refused token, through Processing
        processing.run("mapillary:searchimages", {"POINT": f"{CENTER[0]},{CENTER[1]} [EPSG:4326]", "RADIUS": 50,
                                                  "AUTHCFG": revoked.id(), "OUTPUT": "TEMPORARY_OUTPUT"},
                       feedback=Log())
    assert REVOKED_TOKEN[15:] not in str(e.value)
    assert "token" in str(e.value).lower()
    clean(str(e.value), "a Processing exception")
    qgz = tmp_path / "project.qgz"
    assert project.write(str(qgz))
    with zipfile.ZipFile(qgz) as z:
        for n in z.namelist():
            clean(z.read(n), f"the saved project ({n})")
    for path, data in files_under(tmp_path):
        clean(data, str(path))
    clean("\n".join(message_log), "QGIS's message log")
    project.removeAllMapLayers()
