"""Name, version and links of the plugin, read from metadata.txt (the single source). No QGIS imports."""

from __future__ import annotations

import configparser
from pathlib import Path

_meta = configparser.ConfigParser(interpolation=None)
_meta.read(Path(__file__).with_name("metadata.txt"), encoding="utf-8")
_general = _meta["general"] if _meta.has_section("general") else {}

__title__ = _general.get("name", "Mapillary Retriever")
__version__ = _general.get("version", "0.0.0")
__homepage__ = _general.get("homepage", "")
__tracker__ = _general.get("tracker", "")
USER_AGENT = f"MapillaryRetriever/{__version__} (QGIS plugin; +{__homepage__})"
