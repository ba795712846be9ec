"""The plugin zip `make zip` builds is one the QGIS plugin repository accepts; the version has one source."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess  # nosec B404
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def checker():
    spec = importlib.util.spec_from_file_location("check_plugin_zip", ROOT / "scripts" / "check_plugin_zip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built_zip(tmp_path_factory) -> Path:
    if not shutil.which("make") or not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("needs make, git and a git checkout")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(["make", "-s", "-C", str(ROOT), "zip", f"DIST={dist}"], check=True, capture_output=True)
    return dist / "mapillary_retriever.zip"


def test_make_zip_builds_what_the_plugin_repository_accepts(built_zip):
    assert checker().check(built_zip) == []
    names = zipfile.ZipFile(built_zip).namelist()
    for needed in ("LICENSE", "metadata.txt", "__init__.py", "__about__.py", "resources/icons/mapillary_retriever.svg"):
        assert f"mapillary_retriever/{needed}" in names
    assert not [n for n in names if "tests/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert "GNU GENERAL PUBLIC LICENSE" in zipfile.ZipFile(built_zip).read("mapillary_retriever/LICENSE").decode()


def test_the_checker_refuses_what_the_repository_refuses(tmp_path):
    good = ROOT / "mapillary_retriever" / "metadata.txt"

    def build(name: str, files: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for arcname, data in files.items():
                zf.writestr(arcname, data)
        return path

    base = {"mapillary_retriever/__init__.py": b"", "mapillary_retriever/LICENSE": b"GPL",
            "mapillary_retriever/metadata.txt": good.read_bytes(),
            "mapillary_retriever/resources/icons/mapillary_retriever.svg": b"<svg/>"}
    check = checker().check
    assert check(build("ok.zip", base)) == []
    bad = {
        "pycache": {**base, "mapillary_retriever/__pycache__/x.cpython-311.pyc": b"\0"},
        "pyc": {**base, "mapillary_retriever/x.pyc": b"\0"},
        "hidden": {**base, "mapillary_retriever/.env": b"x"},
        "macosx": {**base, "__MACOSX/mapillary_retriever/._x": b"x"},
        "binary": {**base, "mapillary_retriever/lib/blob.bin": b"\x7fELF\0\0"},
        "no-license": {k: v for k, v in base.items() if not k.endswith("LICENSE")},
        "wrong-top": {k.replace("mapillary_retriever/", "mapillary_retriever-main/"): v for k, v in base.items()},
        "no-tracker": {**base, "mapillary_retriever/metadata.txt": b"\n".join(
            line for line in good.read_bytes().splitlines() if not line.startswith(b"tracker="))},
    }
    for name, files in bad.items():
        assert check(build(f"{name}.zip", files)), name
    # a translation and an image may be binary
    assert check(build("qm.zip", {**base, "mapillary_retriever/i18n/de.qm": b"\x3c\xb8\x64\x18\0\0",
                                  "mapillary_retriever/resources/x.png": b"\x89PNG\0"})) == []


def test_the_version_has_one_source():
    from mapillary_retriever import __about__

    metadata = configparser.ConfigParser(interpolation=None)
    metadata.read(ROOT / "mapillary_retriever" / "metadata.txt", encoding="utf-8")
    general = metadata["general"]
    assert __about__.__version__ == general["version"]
    assert __about__.__title__ == general["name"]
    assert __about__.__homepage__ == general["homepage"] and __about__.__tracker__ == general["tracker"]
    assert __about__.USER_AGENT == f"MapillaryRetriever/{general['version']} (QGIS plugin; +{general['homepage']})"
    assert tuple(int(p) for p in general["qgisMinimumVersion"].split(".")) >= (3, 36)  # Qgis.Processing* enums


def test_the_scan_finds_a_secret_in_the_zip(tmp_path):
    path = tmp_path / "leaky.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mapillary_retriever/__init__.py", 'KEY = "' + "AKIA" + "IOSFODNN7EXAMPLF" + '"\n')
    assert any("detect-secrets" in p and "__init__.py" in p for p in checker().scan(path))
