"""The Mapillary token in the QGIS authentication database.

The token is kept as the password of a "Basic" auth config named
"Mapillary Retriever"; its id is remembered in QgsSettings (the id is not a secret).
Outside QGIS's configuration, MAPILLARY_ACCESS_TOKEN is used.

The database may be locked (a master password is set but not typed this session). Nothing here
asks for the master password unless a person is waiting for it on the main thread (``unlock()``,
or ``get_token()`` there), and only once a session: a cancelled prompt is remembered until
``unlock(again=True)`` (the dialogs' Unlock button). ``token_state()`` never asks.
"""

from __future__ import annotations

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QThread

from .api.client import token_from_env

SETTINGS_KEY = "mapillary_retriever/authcfg"
CONFIG_NAME = "Mapillary Retriever"
_declined = False  # the person cancelled the master password prompt in this session


def database_state() -> str:
    """"unset" (no master password yet), "locked" (set, not typed this session) or "unlocked"."""
    am = QgsApplication.authManager()
    if am.masterPasswordIsSet():
        return "unlocked"
    return "locked" if am.masterPasswordHashInDatabase() else "unset"


def _on_main_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


def unlock(again: bool = False) -> bool:
    """Make sure the auth database is unlocked, asking for the master password at most once a
    session (``again``: the person asked to be asked). Never asks off the main thread."""
    global _declined
    if QgsApplication.authManager().masterPasswordIsSet():
        return True
    if again:
        _declined = False
    if _declined or not _on_main_thread():
        return False
    ok = bool(QgsApplication.authManager().setMasterPassword(True))
    _declined = not ok
    return ok


def token_state() -> str:
    """Where a token would come from, without asking for anything: "stored", "locked" (stored,
    but the database is locked), "env" (MAPILLARY_ACCESS_TOKEN) or "none"."""
    cfg_id = stored_authcfg()
    am = QgsApplication.authManager()
    if cfg_id and cfg_id in am.configIds():
        if not am.masterPasswordIsSet():
            return "locked"
        if token_from_authcfg(cfg_id):
            return "stored"
    return "env" if token_from_env() else "none"


def stored_authcfg() -> str:
    return QgsSettings().value(SETTINGS_KEY, "", type=str) or ""


def token_from_authcfg(authcfg: str) -> str | None:
    """The token kept in an auth config, or None (also while the database is locked: never asks)."""
    if not authcfg or not QgsApplication.authManager().masterPasswordIsSet():
        return None
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        return None
    return cfg.config("password") or None


def get_token(authcfg: str | None = None) -> str | None:
    """The given auth config's token, else the stored one, else MAPILLARY_ACCESS_TOKEN.
    A locked database is unlocked only when a person can be asked (see ``unlock``)."""
    for cfg_id in (authcfg, stored_authcfg()):
        token = token_from_authcfg(cfg_id) if cfg_id and unlock() else None
        if token:
            return token
    return token_from_env()


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
        raise RuntimeError(QCoreApplication.translate("MapillaryRetriever",
                                                      "QGIS could not store the token in its authentication "
                                                      "database (is the master password set?)."))
    QgsSettings().setValue(SETTINGS_KEY, cfg.id())
    return cfg.id()


def forget_token() -> None:
    cfg_id = stored_authcfg()
    if cfg_id:
        QgsApplication.authManager().removeAuthenticationConfig(cfg_id)
    QgsSettings().remove(SETTINGS_KEY)
