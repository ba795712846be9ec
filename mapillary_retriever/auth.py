"""The Mapillary token in the QGIS authentication database.

The token is kept as the password of a "Basic" auth config named
"Mapillary Retriever"; its id is remembered in QgsSettings (the id is not a secret).
Outside QGIS's configuration, MAPILLARY_ACCESS_TOKEN is used.
"""

from __future__ import annotations

import os

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

SETTINGS_KEY = "mapillary_retriever/authcfg"
CONFIG_NAME = "Mapillary Retriever"


def stored_authcfg() -> str:
    return QgsSettings().value(SETTINGS_KEY, "", type=str) or ""


def token_from_authcfg(authcfg: str) -> str | None:
    """The token kept in an auth config, or None."""
    if not authcfg:
        return None
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        return None
    return cfg.config("password") or None


def get_token(authcfg: str | None = None) -> str | None:
    """The given auth config's token, else the stored one, else MAPILLARY_ACCESS_TOKEN."""
    for cfg_id in (authcfg, stored_authcfg()):
        token = token_from_authcfg(cfg_id) if cfg_id else None
        if token:
            return token
    return os.environ.get("MAPILLARY_ACCESS_TOKEN") or None


def store_token(token: str) -> str:
    """Save the token in the auth database (updating the plugin's config) and return its id.
    Raises RuntimeError when the auth database refuses (e.g. no master password)."""
    am = QgsApplication.authManager()
    cfg = QgsAuthMethodConfig("Basic")
    existing = stored_authcfg()
    if existing and am.loadAuthenticationConfig(existing, cfg, True):
        cfg.setConfig("password", token)
        ok = am.updateAuthenticationConfig(cfg)
    else:
        cfg = QgsAuthMethodConfig("Basic")
        cfg.setName(CONFIG_NAME)
        cfg.setConfig("username", "mapillary")
        cfg.setConfig("password", token)
        ok = am.storeAuthenticationConfig(cfg)
        if isinstance(ok, tuple):  # QGIS ≥ 3.32 returns (ok, config)
            ok, cfg = ok[0], ok[1] if len(ok) > 1 else cfg
    if not ok or not cfg.id():
        raise RuntimeError("QGIS could not store the token in its authentication database "
                           "(is the master password set?).")
    QgsSettings().setValue(SETTINGS_KEY, cfg.id())
    return cfg.id()


def forget_token() -> None:
    cfg_id = stored_authcfg()
    if cfg_id:
        QgsApplication.authManager().removeAuthenticationConfig(cfg_id)
    QgsSettings().remove(SETTINGS_KEY)
