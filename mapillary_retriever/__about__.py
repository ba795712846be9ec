"""The plugin's name, version and addresses, read from metadata.txt (their single source).

No QGIS imports: the engine (mapillary_retriever.api) and the command line use it too.
"""

from __future__ import annotations

import configparser
from pathlib import Path

METADATA = Path(__file__).resolve().parent / "metadata.txt"


def _read(path: Path = METADATA) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(path, encoding="utf-8") or not parser.has_section("general"):
        raise RuntimeError(f"Mapillary Retriever: no [general] section in {path}; the plugin folder is incomplete.")
    return parser["general"]


_general = _read()
__title__: str = _general.get("name", "Mapillary Retriever")
__version__: str = _general.get("version", "0")
__homepage__: str = _general.get("homepage", "")
__tracker__: str = _general.get("tracker", "")
__repository__: str = _general.get("repository", "")
USER_AGENT = f"MapillaryRetriever/{__version__} (QGIS plugin; +{__homepage__})"

__all__ = ["__title__", "__version__", "__homepage__", "__tracker__", "__repository__", "USER_AGENT"]
