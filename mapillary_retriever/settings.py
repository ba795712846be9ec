"""What the plugin remembers between sessions, in QgsSettings (never the token)."""

from __future__ import annotations

import json

from qgis.core import QgsSettings

PREFIX = "mapillary_retriever/"
FORM_KEY = PREFIX + "search_form"
THUMB_KEY = PREFIX + "thumbnail_size"
THUMB_SIZES = ("thumb_256_url", "thumb_1024_url", "thumb_2048_url")
DEFAULT_THUMB = "thumb_1024_url"


def load_form() -> dict:
    """The search dialog's last state (empty when there is none or it is unreadable)."""
    text = QgsSettings().value(FORM_KEY, "", type=str) or ""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def save_form(state: dict) -> None:
    QgsSettings().setValue(FORM_KEY, json.dumps(state))


def thumbnail_field() -> str:
    value = QgsSettings().value(THUMB_KEY, DEFAULT_THUMB, type=str)
    return value if value in THUMB_SIZES else DEFAULT_THUMB


def set_thumbnail_field(value: str) -> None:
    QgsSettings().setValue(THUMB_KEY, value if value in THUMB_SIZES else DEFAULT_THUMB)
