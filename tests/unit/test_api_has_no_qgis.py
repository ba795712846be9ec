"""The engine must run outside QGIS: no module under api/ may import qgis or Qt."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "mapillary_retriever" / "api"


def test_api_imports_no_qgis():
    offenders = []
    for path in API.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("qgis", "PyQt5", "PyQt6")]
    assert list(API.glob("*.py")) and not offenders
