"""The image viewer dock: thumbnail and facts of one image, previous/next along its sequence.

Details and a fresh thumbnail URL are fetched in the background for every image
shown (stored thumbnail URLs expire). The map highlights the current image and
its viewing direction.
"""

from __future__ import annotations

import math

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsTask,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsMapCanvas, QgsRubberBand
from qgis.PyQt.QtCore import QDateTime, QSize, Qt, QUrl, pyqtSignal
from qgis.PyQt.QtGui import QColor, QDesktopServices, QPixmap
from qgis.PyQt.QtWidgets import (
    QAction,
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import auth, network, settings
from ..api import AuthError, Config, MapillaryError, geo
from ..api.client import Client
from .common import WGS84, compass_name, icon, point_to_wgs84, tr, transform
from .map_tools import ImagePickTool

DETAIL_FIELDS = ("id,captured_at,compass_angle,computed_compass_angle,geometry,computed_geometry,is_pano,"
                 "sequence,creator,make,model,camera_type,width,height")
WEB_URL = "https://www.mapillary.com/app/?pKey={id}&focus=photo"
HIGHLIGHT = QColor("#ff2d78")
DIRECTION_PX = 46  # length of the viewing-direction wedge on screen
EMPTY_STYLE = "QLabel { background: #20262b; color: #c8d0d6; border-radius: 3px; }"
HALF_FOV = 30.0  # degrees either side of the compass angle


def fetch_details(task: QgsTask, image_id: str, token: str | None, thumb_field: str,
                  known_sequences: frozenset) -> dict:
    """Runs on a worker thread: the image's details, its thumbnail bytes and its sequence's ids."""
    with Client(token, Config.from_env(), transport=network.transport(), cancelled=task.isCanceled) as client:
        info = client.graph(image_id, {"fields": DETAIL_FIELDS + "," + thumb_field}, kind="entity")
        out = {"info": info, "thumb": None, "thumb_error": "", "sequence_ids": None}
        url = info.get(thumb_field)
        if url:
            try:
                out["thumb"] = client.fetch(url)  # a signed URL: no token sent
            except MapillaryError as e:
                out["thumb_error"] = e.message
        seq = info.get("sequence")
        if seq and seq not in known_sequences:
            data = client.graph("image_ids", {"sequence_id": seq}, kind="entity")
            rows = data.get("data") if isinstance(data.get("data"), list) else []
            out["sequence_ids"] = [str(r["id"]) for r in rows if isinstance(r, dict) and r.get("id")]
    return out


class ThumbnailLabel(QLabel):
    """Shows a pixmap scaled to fit (it grows with the dock), keeping its aspect ratio."""

    doubleClicked = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(200, 130))
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding))
        self.setStyleSheet(EMPTY_STYLE)
        self.setWordWrap(True)

    def set_image(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self.setStyleSheet("QLabel { background: transparent; }")  # no dark bands beside the picture
        self._rescale()

    def clear_image(self, text: str = "") -> None:
        self.setStyleSheet(EMPTY_STYLE)
        self._pixmap = QPixmap()
        self.setPixmap(QPixmap())
        self.setText(text)

    def has_image(self) -> bool:
        return not self._pixmap.isNull()

    def image(self) -> QPixmap:
        return self._pixmap

    def sizeHint(self) -> QSize:
        if self._pixmap.isNull() or not self._pixmap.width():
            return QSize(360, 240)
        return QSize(360, 360 * self._pixmap.height() // self._pixmap.width())

    def mouseDoubleClickEvent(self, event) -> None:
        if self.has_image():
            self.doubleClicked.emit()
        super().mouseDoubleClickEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self._pixmap.isNull():
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))


class ImageWindow(QDialog):
    """The current picture, large, in a window of its own (double-click the viewer's picture)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Mapillary image"))
        self.setModal(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.picture = ThumbnailLabel(self)
        self.picture.setStyleSheet("QLabel { background: #101417; color: #c8d0d6; }")
        layout.addWidget(self.picture)

    def show_image(self, pixmap: QPixmap, title: str) -> None:
        self.picture.set_image(pixmap)
        self.setWindowTitle(title)
        if not self.isVisible():
            screen = self.screen().availableGeometry()
            size = pixmap.size().scaled(screen.width() * 3 // 4, screen.height() * 3 // 4,
                                        Qt.AspectRatioMode.KeepAspectRatio)
            if pixmap.width() < size.width():
                size = pixmap.size() * max(1, min(screen.width() * 3 // 4 // max(1, pixmap.width()), 2))
            self.resize(size)
        self.show()
        self.raise_()


class Highlight:
    """The current image on the map: a ring and a viewing-direction wedge (a circle for panoramas)."""

    def __init__(self, canvas: QgsMapCanvas):
        self.canvas = canvas
        self.where: tuple[float, float] | None = None  # lon, lat
        self.angle: float | None = None
        self.pano = False
        self.cone = QgsRubberBand(canvas, Qgis.GeometryType.Polygon)
        fill = QColor(HIGHLIGHT)
        fill.setAlpha(70)
        self.cone.setFillColor(fill)
        self.cone.setStrokeColor(HIGHLIGHT)
        self.cone.setWidth(2)
        self.dot = QgsRubberBand(canvas, Qgis.GeometryType.Point)
        self.dot.setIcon(QgsRubberBand.IconType.ICON_CIRCLE)
        self.dot.setIconSize(14)
        self.dot.setColor(HIGHLIGHT)
        self.dot.setFillColor(QColor(255, 255, 255, 200))
        self.dot.setWidth(3)
        canvas.extentsChanged.connect(self.redraw)
        canvas.destinationCrsChanged.connect(self.redraw)

    def show(self, lon: float, lat: float, angle: float | None, pano: bool) -> None:
        self.where, self.angle, self.pano = (lon, lat), angle, pano
        self.redraw()

    def clear(self) -> None:
        self.where = None
        self.cone.reset(Qgis.GeometryType.Polygon)
        self.dot.reset(Qgis.GeometryType.Point)

    def redraw(self) -> None:
        if self.where is None:
            return
        crs = self.canvas.mapSettings().destinationCrs()
        to_map = transform(WGS84, crs)
        lon, lat = self.where
        try:
            p0 = to_map.transform(QgsPointXY(lon, lat))
        except Exception:  # noqa: BLE001 (outside the CRS's area: nothing to draw)
            return
        length = DIRECTION_PX * self.canvas.mapUnitsPerPixel()
        if self.pano or self.angle is None:
            ring = [QgsPointXY(p0.x() + 0.6 * length * math.cos(a), p0.y() + 0.6 * length * math.sin(a))
                    for a in (2 * math.pi * i / 48 for i in range(49))]
        else:
            ahead = to_map.transform(QgsPointXY(*geo.destination(lon, lat, self.angle, 1.0)))
            heading = math.atan2(ahead.x() - p0.x(), ahead.y() - p0.y())  # radians clockwise from map north
            arc = [heading + math.radians(HALF_FOV) * (2 * i / 12 - 1) for i in range(13)]
            ring = [p0] + [QgsPointXY(p0.x() + length * math.sin(a), p0.y() + length * math.cos(a)) for a in arc]
            ring.append(p0)
        self.cone.setToGeometry(QgsGeometry.fromPolygonXY([ring]), None)
        self.dot.setToGeometry(QgsGeometry.fromPointXY(p0), None)

    def remove(self) -> None:
        for signal in (self.canvas.extentsChanged, self.canvas.destinationCrsChanged):
            try:
                signal.disconnect(self.redraw)
            except TypeError:
                pass
        for band in (self.cone, self.dot):
            self.canvas.scene().removeItem(band)


class ImageViewerDock(QgsDockWidget):
    """Shows one Mapillary image; click an image point with the pick tool to show it."""

    imageShown = pyqtSignal(str)  # the image id, once its details have arrived
    settingsRequested = pyqtSignal()

    def __init__(self, iface, parent: QWidget | None = None):
        super().__init__(tr("Mapillary image viewer"), parent)
        self.setObjectName("MapillaryRetrieverViewer")
        self.iface = iface
        self.canvas: QgsMapCanvas = iface.mapCanvas()
        self.image_id: str | None = None
        self.sequence_id: str | None = None
        self.sequences: dict[str, list[str]] = {}  # sequence id -> image ids in capture order
        self.task: QgsTask | None = None
        self._request = 0
        self.highlight = Highlight(self.canvas)
        self.pick_tool = ImagePickTool(self.canvas)
        self.pick_tool.imagePicked.connect(self.show_feature)
        self.pick_tool.nothingPicked.connect(
            lambda: self.status.setText(tr("No Mapillary image there: click on an image point.")))
        self._build()
        self.pick_tool.setAction(self.pick_action)

    # --- widgets ----------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        bar = QHBoxLayout()
        self.pick_action = QAction(icon("viewer_pick"), tr("Pick an image on the map"), self)
        self.pick_action.setCheckable(True)
        self.pick_action.triggered.connect(self.activate_pick_tool)
        self.prev_action = QAction(icon("previous"), tr("Previous image in the sequence"), self)
        self.prev_action.triggered.connect(lambda: self.step(-1))
        self.next_action = QAction(icon("next"), tr("Next image in the sequence"), self)
        self.next_action.triggered.connect(lambda: self.step(1))
        self.web_action = QAction(icon("open_web"), tr("Open on mapillary.com"), self)
        self.web_action.triggered.connect(self.open_web)
        self.copy_action = QAction(icon("copy"), tr("Copy the image id"), self)
        self.copy_action.triggered.connect(self.copy_id)
        for action in (self.pick_action, self.prev_action, self.next_action, self.web_action, self.copy_action):
            button = QToolButton(body)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setIconSize(QSize(22, 22))
            bar.addWidget(button)
            if action is self.pick_action:
                bar.addSpacing(8)
        bar.addStretch(1)
        self.position_label = QLabel(body)
        bar.addWidget(self.position_label)
        layout.addLayout(bar)

        self.thumb = ThumbnailLabel(body)
        self.thumb.setText(tr("Click an image point on the map to see it here."))
        self.thumb.setToolTip(tr("Double-click to open the picture large; ←/→: previous/next image"))
        self.thumb.doubleClicked.connect(self.open_large)
        layout.addWidget(self.thumb, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("id", tr("Image")), ("captured", tr("Captured")), ("creator", tr("Creator")),
                           ("camera", tr("Camera")), ("direction", tr("Direction")),
                           ("position", tr("Lon, lat")), ("sequence", tr("Sequence"))):
            value = QLabel("–", body)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(label, value)
        layout.addLayout(form)

        self.status = QLabel(body)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #5f6b73;")
        layout.addWidget(self.status)
        attribution = QLabel(tr("Images © Mapillary contributors, CC BY-SA 4.0"), body)
        attribution.setWordWrap(True)
        attribution.setStyleSheet("color: #5f6b73; font-size: small;")
        layout.addWidget(attribution)
        self.setWidget(body)
        self.large: ImageWindow | None = None
        self.prev_action.setToolTip(tr("Previous image in the sequence (←)"))
        self.next_action.setToolTip(tr("Next image in the sequence (→)"))
        body.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # a click on the dock, then ←/→
        self._update_buttons()

    def keyPressEvent(self, event) -> None:
        """←/→: the previous/next image of the sequence (while the dock or its picture has the focus)."""
        delta = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(event.key())
        if delta is not None and not event.modifiers():
            self.step(delta)
            event.accept()
        else:
            super().keyPressEvent(event)

    def open_large(self) -> None:
        """The current picture in a window of its own, resizable."""
        if not self.thumb.has_image():
            return
        if self.large is None:
            self.large = ImageWindow(self.iface.mainWindow() if self.iface is not None else None)
        self.large.show_image(self.thumb.image(), tr("Mapillary image {id}").format(id=self.image_id or ""))

    def keep_in_view(self, lon: float, lat: float) -> None:
        """Pan the map (no zoom change) when the current image is outside, or near the edge of, the view."""
        try:
            p = transform(WGS84, self.canvas.mapSettings().destinationCrs()).transform(QgsPointXY(lon, lat))
        except Exception:  # noqa: BLE001 (outside the CRS's area: leave the map alone)
            return
        inner = self.canvas.extent()
        inner.scale(0.8)
        if not inner.contains(p):
            self.canvas.setCenter(p)
            self.canvas.refresh()

    # --- actions ----------------------------------------------------------
    def activate_pick_tool(self) -> None:
        self.canvas.setMapTool(self.pick_tool)

    def show_feature(self, layer: QgsVectorLayer, feature: QgsFeature) -> None:
        """Show an image of an image layer (its id field); highlight it at once from its geometry."""
        idx = layer.fields().indexFromName("id")
        if idx < 0:
            return
        point = point_to_wgs84(feature.geometry().asPoint(), layer.crs())
        angle = _number(feature.attribute("compass_angle")) if "compass_angle" in layer.fields().names() else None
        pano = bool(feature.attribute("is_pano")) if "is_pano" in layer.fields().names() else False
        self.highlight.show(point.x(), point.y(), angle, pano)
        seq = feature.attribute("sequence_id") if "sequence_id" in layer.fields().names() else None
        self.show_image(str(feature.attribute(idx)), str(seq) if seq else None)

    def show_image(self, image_id: str, sequence_id: str | None = None) -> None:
        """Fetch and show an image by id (in the background)."""
        if not self.isVisible():
            self.show()
        self.raise_()
        token = auth.get_token()
        self.image_id = image_id
        if sequence_id:
            self.sequence_id = sequence_id
        self._request += 1
        if self.task is not None:
            self.task.cancel()
        self._update_buttons()
        self.fields["id"].setText(image_id)
        if not token:
            self.thumb.clear_image(tr("No Mapillary token: paste one in the plugin settings."))
            self.settingsRequested.emit()
            return
        self.status.setText(tr("Loading…"))
        if not self.thumb.has_image():
            self.thumb.setText(tr("Loading…"))
        request = self._request
        self.task = QgsTask.fromFunction(
            tr("Mapillary image {id}").format(id=image_id), fetch_details, image_id, token,
            settings.thumbnail_field(), frozenset(self.sequences),
            on_finished=lambda exc, result=None: self._loaded(request, exc, result),
            flags=QgsTask.Flag.CanCancel | QgsTask.Flag.Silent)
        QgsApplication.taskManager().addTask(self.task)

    def _loaded(self, request: int, exc: Exception | None, result: dict | None) -> None:
        if request != self._request:
            return  # a later image was asked for meanwhile
        self.task = None
        if exc is not None or result is None:
            if exc is None:
                text = tr("Cancelled.")
            elif isinstance(exc, MapillaryError):
                text = exc.message
            else:
                text = tr("Could not load the image ({e}).").format(e=type(exc).__name__)
            self.thumb.clear_image(text)
            self.status.setText(text)
            if isinstance(exc, AuthError):
                self.iface.messageBar().pushMessage(tr("Mapillary image viewer"), text, Qgis.MessageLevel.Critical, 8)
            return
        info = result["info"]
        if result["sequence_ids"] is not None and info.get("sequence"):
            self.sequences[str(info["sequence"])] = result["sequence_ids"]
        self.sequence_id = str(info.get("sequence") or self.sequence_id or "") or None
        self._fill(info)
        pixmap = QPixmap()
        if result["thumb"] and pixmap.loadFromData(result["thumb"]):
            self.thumb.set_image(pixmap)
            self.status.setText("")
            if self.large is not None and self.large.isVisible():
                self.open_large()
        else:
            self.thumb.clear_image(tr("No thumbnail for this image."))
            self.status.setText(tr("Thumbnail unavailable ({reason}).").format(reason=result["thumb_error"] or "–"))
        self._update_buttons()
        self.imageShown.emit(self.image_id or "")

    def _fill(self, info: dict) -> None:
        f = self.fields
        captured = info.get("captured_at")
        if isinstance(captured, (int, float)):
            dt = QDateTime.fromMSecsSinceEpoch(int(captured), Qt.TimeSpec.UTC)
            f["captured"].setText(dt.toString("yyyy-MM-dd HH:mm:ss") + " UTC")
        else:
            f["captured"].setText("–")
        creator = info.get("creator") if isinstance(info.get("creator"), dict) else {}
        f["creator"].setText(str(creator.get("username") or creator.get("id") or "–"))
        camera = " ".join(str(v) for v in (info.get("make"), info.get("model")) if v)
        if info.get("camera_type"):
            camera = (camera + " " if camera else "") + "(" + str(info["camera_type"]) + ")"
        f["camera"].setText(camera or "–")
        pano = bool(info.get("is_pano"))
        angle = _number(info.get("compass_angle"))  # as the layer's arrows show it
        if angle is None:
            angle = _number(info.get("computed_compass_angle"))
        if pano:
            f["direction"].setText(tr("Panorama (360°)"))
        elif angle is not None:
            f["direction"].setText(f"{angle:.1f}° ({compass_name(angle)})")
        else:
            f["direction"].setText("–")
        geom = info.get("geometry") or info.get("computed_geometry")  # where the layer shows it
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if coords and len(coords) >= 2:
            lon, lat = float(coords[0]), float(coords[1])
            f["position"].setText(f"{lon:.6f}, {lat:.6f}")
            self.highlight.show(lon, lat, angle, pano)
            self.keep_in_view(lon, lat)
        f["sequence"].setText(self.sequence_id or "–")

    def _neighbours(self) -> tuple[int, int]:
        """(index of the current image in its sequence, sequence length), or (-1, 0)."""
        ids = self.sequences.get(self.sequence_id or "", [])
        try:
            return ids.index(self.image_id), len(ids)
        except ValueError:
            return -1, len(ids)

    def _update_buttons(self) -> None:
        pos, count = self._neighbours()
        self.prev_action.setEnabled(pos > 0)
        self.next_action.setEnabled(0 <= pos < count - 1)
        self.web_action.setEnabled(self.image_id is not None)
        self.copy_action.setEnabled(self.image_id is not None)
        self.position_label.setText(tr("{i} of {n}").format(i=pos + 1, n=count) if pos >= 0 else "")

    def step(self, delta: int) -> None:
        pos, count = self._neighbours()
        if pos < 0 or not 0 <= pos + delta < count:
            return
        self.show_image(self.sequences[self.sequence_id][pos + delta])

    def open_web(self) -> None:
        if self.image_id:
            QDesktopServices.openUrl(QUrl(WEB_URL.format(id=self.image_id)))

    def copy_id(self) -> None:
        if self.image_id:
            QApplication.clipboard().setText(self.image_id)
            self.status.setText(tr("Image id {id} copied.").format(id=self.image_id))

    # --- lifetime ---------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.highlight.clear()
        if self.canvas.mapTool() is self.pick_tool:
            self.canvas.unsetMapTool(self.pick_tool)
        super().closeEvent(event)

    def cleanup(self) -> None:
        """Remove everything this dock put on the canvas (on plugin unload)."""
        self._request += 1
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self.canvas.mapTool() is self.pick_tool:
            self.canvas.unsetMapTool(self.pick_tool)
        self.highlight.remove()
        self.pick_tool.deleteLater()
        if self.large is not None:
            self.large.close()
            self.large.deleteLater()
            self.large = None


def _number(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if v != v else v
