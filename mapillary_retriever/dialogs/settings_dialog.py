"""Settings: the Mapillary client token (kept in the QGIS authentication database) and viewer options."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsTask
from qgis.gui import QgsPasswordLineEdit
from qgis.PyQt.QtCore import Qt, pyqtSignal
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

from .. import auth, settings
from ..api import AuthError, Config, MapillaryError
from ..api.client import Client
from .common import icon, tr

DEVELOPER_PAGE_URL = "https://www.mapillary.com/dashboard/developers"
CHECK_BBOX = "6.1299,49.6099,6.1301,49.6101"  # any tiny box: the answer only has to be accepted


def check_token(task: QgsTask, token: str) -> bool:
    """Runs on a worker thread: one small Graph API request with the token. Raises its error."""
    with Client(token, Config.from_env(retries=1), cancelled=task.isCanceled) as client:
        client.graph("images", {"bbox": CHECK_BBOX, "limit": 1, "fields": "id"})
    return True


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
        row = QHBoxLayout()
        self.state_label = QLabel(box)
        self.state_label.setWordWrap(True)
        row.addWidget(self.state_label, 1)
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
        """Say where the token comes from (never showing it)."""
        if auth.stored_authcfg() and auth.token_from_authcfg(auth.stored_authcfg()):
            text = tr("A token is stored (authentication config {id}).").format(id=auth.stored_authcfg())
        elif auth.get_token():
            text = tr("Using the token of the MAPILLARY_ACCESS_TOKEN environment variable.")
        else:
            text = tr("No token yet: searches are disabled until you save one.")
        self.state_label.setText(text)
        self._update_buttons()

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
