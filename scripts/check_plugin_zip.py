"""Check a plugin zip against the QGIS plugin repository's rules, then scan its code.

    python scripts/check_plugin_zip.py dist/mapillary_retriever.zip [--no-scan]

Rules (plugins.qgis.org): one top folder named after the package; metadata.txt with the required
fields; a LICENSE file in the top folder; no __pycache__, .pyc, .git, __MACOSX, .DS_Store or other
hidden files; no binaries except images and translations (.qm); under 25 MB. Then bandit and
detect-secrets run on the unzipped tree (skipped with --no-scan). Exit status 1 on any problem.
"""

from __future__ import annotations

import argparse
import configparser
import json
import subprocess  # nosec B404: runs this venv's bandit and detect-secrets, no shell
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mapillary_retriever"
MAX_BYTES = 25 * 1024 * 1024
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email", "repository",
            "tracker")
RECOMMENDED = ("homepage",)
FORBIDDEN_NAMES = {"__pycache__", ".git", "__MACOSX", ".DS_Store", "Thumbs.db"}
FORBIDDEN_SUFFIXES = {".pyc", ".pyo", ".so", ".pyd", ".dll", ".dylib", ".exe", ".zip", ".whl", ".egg"}
BINARY_OK = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".qm"}


def check(zip_path: str | Path, package: str = PACKAGE) -> list[str]:
    """Problems of the zip by the plugin repository's rules (empty: it would be accepted)."""
    zip_path = Path(zip_path)
    problems: list[str] = []
    if zip_path.stat().st_size >= MAX_BYTES:
        problems.append(f"the zip is {zip_path.stat().st_size / 2**20:.1f} MB; the repository takes less than 25 MB")
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        tops = {PurePosixPath(n).parts[0] for n in names if n.strip("/")}
        if tops != {package}:
            problems.append(f"the zip must hold one top folder named {package!r}; it holds {sorted(tops)}")
        for name in names:
            path = PurePosixPath(name)
            if name.endswith("/"):
                continue
            if FORBIDDEN_NAMES.intersection(path.parts):
                problems.append(f"forbidden file: {name}")
            elif any(part.startswith(".") for part in path.parts):
                problems.append(f"hidden file: {name}")
            elif path.suffix.lower() in FORBIDDEN_SUFFIXES:
                problems.append(f"binary or compiled file: {name}")
            elif path.suffix.lower() not in BINARY_OK and b"\0" in zf.read(name)[:8192]:
                problems.append(f"binary file (only images and .qm translations may be binary): {name}")
        if f"{package}/LICENSE" not in names:
            problems.append(f"no LICENSE file in {package}/ (required since 2024)")
        if f"{package}/__init__.py" not in names:
            problems.append(f"no {package}/__init__.py: QGIS would not load the plugin")
        if f"{package}/metadata.txt" not in names:
            problems.append(f"no {package}/metadata.txt")
        else:
            problems += check_metadata(zf.read(f"{package}/metadata.txt").decode("utf-8"), names, package)
    return problems


def check_metadata(text: str, names: list[str], package: str = PACKAGE) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as e:
        return [f"metadata.txt does not parse: {e}"]
    if not parser.has_section("general"):
        return ["metadata.txt has no [general] section"]
    general = parser["general"]
    problems = [f"metadata.txt: required field {key!r} is missing or empty" for key in REQUIRED
                if not general.get(key, "").strip()]
    problems += [f"metadata.txt: recommended field {key!r} is missing" for key in RECOMMENDED
                 if not general.get(key, "").strip()]
    for key in ("repository", "tracker", "homepage"):
        value = general.get(key, "").strip()
        if value and not value.startswith(("https://", "http://")):
            problems.append(f"metadata.txt: {key} must be a web address; got {value!r}")
    minimum = general.get("qgisMinimumVersion", "")
    if minimum and not all(p.isdigit() for p in minimum.split(".")):
        problems.append(f"metadata.txt: qgisMinimumVersion must be like 3.36; got {minimum!r}")
    icon = general.get("icon", "").strip()
    if icon and f"{package}/{icon}" not in names:
        problems.append(f"metadata.txt: the icon {icon!r} is not in the zip")
    return problems


def scan(zip_path: str | Path) -> list[str]:
    """bandit and detect-secrets on the unzipped tree."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)  # nosec B202: our own zip, just built
        tree = str(Path(tmp) / PACKAGE)
        bandit = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", tree, "-c", str(ROOT / "pyproject.toml")],
                                capture_output=True, text=True)  # nosec B603
        if bandit.returncode:
            problems.append("bandit:\n" + (bandit.stdout + bandit.stderr).strip())
        # detect-secrets only looks at files under its working directory
        secrets = subprocess.run([sys.executable, "-m", "detect_secrets", "scan", "--all-files", PACKAGE],
                                 capture_output=True, text=True, cwd=tmp)  # nosec B603
        if secrets.returncode:
            problems.append("detect-secrets did not run: " + secrets.stderr.strip())
        else:
            found = json.loads(secrets.stdout).get("results") or {}
            problems += [f"detect-secrets: {len(hits)} possible secret(s) in {f}"
                         for f, hits in found.items()]
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("zip", nargs="?", default=str(ROOT / "dist" / f"{PACKAGE}.zip"))
    p.add_argument("--no-scan", action="store_true", help="only the repository's rules, no bandit/detect-secrets")
    args = p.parse_args(argv)
    if not Path(args.zip).is_file():
        print(f"check_plugin_zip: no zip at {args.zip} (run `make zip` first)", file=sys.stderr)
        return 1
    problems = check(args.zip) + ([] if args.no_scan else scan(args.zip))
    for problem in problems:
        print(f"check_plugin_zip: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_plugin_zip: {args.zip} follows the plugin repository's rules" +
              ("" if args.no_scan else "; bandit and detect-secrets: clean"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
