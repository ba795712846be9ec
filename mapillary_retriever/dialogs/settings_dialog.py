"""Settings: the Mapillary client token (kept in the QGIS authentication database) and viewer options."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsTask
from qgis.gui import QgsPasswordLineEdit
from qgis.PyQt.QtCore import Qt, QTimer, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import auth, network, settings
from ..api import AuthError, Config, MapillaryError
from ..api.client import Client
from ..api.errors import NotFoundError
from .common import icon, tr

DEVELOPER_PAGE_URL = "https://www.mapillary.com/dashboard/developers"


def check_token(task: QgsTask, token: str) -> bool:
    """Runs on a worker thread: one entity request with the token (not a search). Raises its error."""
    with Client(token, Config.from_env(retries=1), transport=network.transport(), cancelled=task.isCanceled) as c:
        try:
            c.check_token()
        except NotFoundError:  # the token was accepted; only the image it asked for is not there
            pass
    return True


def master_password_note(state: str) -> str:
    """What storing the token will ask of the person, before it happens ("" when nothing)."""
    if state == "unset":
        return tr("QGIS keeps passwords in its authentication database, protected by a <b>master password</b>. "
                  "None is set yet: when you save the token, QGIS will ask you to choose one. Remember it: "
                  "QGIS asks for it once per session, the first time the token is needed.")
    if state == "locked":
        return tr("QGIS will ask for its <b>master password</b> to store the token.")
    return ""


class SettingsDialog(QDialog):
    tokenChanged = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Mapillary Retriever settings"))
        self.setWindowIcon(icon("settings"))
        self.task: QgsTask | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        box = QGroupBox(tr("Mapillary access token"), self)
        inner = QVBoxLayout(box)
        help_text = QLabel(tr(
            "The plugin needs a free Mapillary <b>client token</b>. Sign in at "
            "<a href=\"{url}\">mapillary.com/dashboard/developers</a>, register an application "
            "(any name; no callback URL needed) and copy its <i>Client Token</i>, which starts with "
            "<code>MLY|</code>. It is stored encrypted in the QGIS authentication database, never in "
            "projects or layers.").format(url=DEVELOPER_PAGE_URL), box)
        help_text.setWordWrap(True)
        help_text.setOpenExternalLinks(True)
        help_text.setTextFormat(Qt.TextFormat.RichText)
        inner.addWidget(help_text)
        row = QHBoxLayout()
        self.token_edit = QgsPasswordLineEdit(box)
        self.token_edit.setPlaceholderText("MLY|…")
        self.token_edit.textChanged.connect(self._update_buttons)
        row.addWidget(self.token_edit, 1)
        self.save_button = QPushButton(tr("Check and save"), box)
        self.save_button.clicked.connect(self.check_and_save)
        row.addWidget(self.save_button)
        inner.addLayout(row)
        self.master_note = QLabel(box)
        self.master_note.setWordWrap(True)
        self.master_note.setTextFormat(Qt.TextFormat.RichText)
        self.master_note.setStyleSheet("QLabel { background: #eef4fb; border: 1px solid #9dbbdc; border-radius: 4px; "
                                       "padding: 6px; }")
        inner.addWidget(self.master_note)
        row = QHBoxLayout()
        self.state_label = QLabel(box)
        self.state_label.setWordWrap(True)
        row.addWidget(self.state_label, 1)
        self.unlock_button = QPushButton(tr("Unlock…"), box)
        self.unlock_button.setToolTip(tr("Type QGIS's master password to use the stored token"))
        self.unlock_button.clicked.connect(self.unlock)
        row.addWidget(self.unlock_button)
        self.forget_button = QPushButton(tr("Forget the token"), box)
        self.forget_button.clicked.connect(self.forget)
        row.addWidget(self.forget_button)
        inner.addLayout(row)
        layout.addWidget(box)

        viewer = QGroupBox(tr("Image viewer"), self)
        form = QFormLayout(viewer)
        self.thumb_combo = QComboBox(viewer)
        for key, label in (("thumb_256_url", tr("Small (256 px, fastest)")),
                           ("thumb_1024_url", tr("Medium (1024 px)")),
                           ("thumb_2048_url", tr("Large (2048 px)"))):
            self.thumb_combo.addItem(label, key)
        self.thumb_combo.setCurrentIndex(max(0, self.thumb_combo.findData(settings.thumbnail_field())))
        self.thumb_combo.currentIndexChanged.connect(
            lambda: settings.set_thumbnail_field(self.thumb_combo.currentData()))
        form.addRow(tr("Thumbnail size"), self.thumb_combo)
        layout.addWidget(viewer)

        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    # --- state ------------------------------------------------------------
    def refresh(self) -> None:
        """Say where the token comes from (never showing it, never asking for the master password)."""
        state = auth.token_state()
        if state == "stored":
            text = tr("A token is stored (authentication config {id}).").format(id=auth.stored_authcfg())
        elif state == "locked":
            text = tr("Token stored, locked: QGIS's authentication database needs its master password "
                      "(authentication config {id}).").format(id=auth.stored_authcfg())
        elif state == "env":
            text = tr("Using the token of the MAPILLARY_ACCESS_TOKEN environment variable.")
        else:
            text = tr("No token yet: searches are disabled until you save one.")
        self.state_label.setText(text)
        self.unlock_button.setVisible(state == "locked")
        note = master_password_note(auth.database_state())
        self.master_note.setText(note)
        self.master_note.setVisible(bool(note))
        self._update_buttons()
        QTimer.singleShot(0, self._fit_height)  # once shown and styled

    def _fit_height(self) -> None:
        """Grow until every text shows whole (the master password note, longer translations)."""
        self.resize(self.width(), max(self.height(), self.heightForWidth(self.width())))

    def unlock(self) -> None:
        auth.unlock(again=True)
        self.refresh()
        self.tokenChanged.emit()

    def _update_buttons(self) -> None:
        busy = self.task is not None
        self.save_button.setEnabled(bool(self.token_edit.text().strip()) and not busy)
        self.forget_button.setEnabled(bool(auth.stored_authcfg()) and not busy)

    def check_and_save(self) -> None:
        token = self.token_edit.text().strip()
        if not token:
            return
        self.state_label.setText(tr("Checking the token with Mapillary…"))
        self.task = QgsTask.fromFunction(tr("Checking the Mapillary token"), check_token, token,
                                         on_finished=lambda exc, result=None: self._checked(token, exc),
                                         flags=QgsTask.Flag.Silent | QgsTask.Flag.CanCancel)
        self._update_buttons()
        QgsApplication.taskManager().addTask(self.task)

    def _checked(self, token: str, exc: Exception | None) -> None:
        self.task = None
        if isinstance(exc, AuthError):
            self.state_label.setText(tr("Mapillary refused this token; it was not saved. Copy the Client Token "
                                        "(not the Client Secret) of your application."))
            self._update_buttons()
            return
        note = ""
        if exc is not None:  # network down, rate limited…: save it anyway and say so
            reason = exc.message if isinstance(exc, MapillaryError) else type(exc).__name__
            note = " " + tr("It could not be checked now ({reason}).").format(reason=reason)
        try:
            cfg = auth.store_token(token)
        except RuntimeError as e:
            self.state_label.setText(str(e))
            self._update_buttons()
            return
        self.token_edit.clear()
        self.refresh()
        self.state_label.setText((tr("Token checked and saved (authentication config {id}).") if not note else
                                  tr("Token saved (authentication config {id}).")).format(id=cfg) + note)
        self._update_buttons()
        self.tokenChanged.emit()

    def forget(self) -> None:
        auth.forget_token()
        self.refresh()
        self.tokenChanged.emit()

    def done(self, result: int) -> None:
        self.token_edit.clear()
        super().done(result)
