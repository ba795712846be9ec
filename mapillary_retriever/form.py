"""The search form's state, without QGIS: what the dialog shows, turned into a ``Query``.

``Form`` holds what the person typed or chose (texts as typed, dates as inclusive days,
the output choice). ``Form.query()`` is the one place the form is validated, with the
dialog's own words; ``Form.to_dict()``/``Form.from_dict()`` is its one serialization, in the
vocabulary of ``Query.to_dict()`` (so a layer's saved query can fill the form too) plus the
texts as typed and the output choice.

User-facing strings go through ``translate("MapillaryRetriever", ...)``; the plugin installs
QCoreApplication.translate with ``set_translator`` (the engine's own messages stay English).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone

from .api import geo
from .api.errors import QueryError
from .api.query import DEFAULT_RADIUS, DEFAULT_TOLERANCE, PANO_CHOICES, Query, parse_bbox, parse_point
from .api.schema import EXTRA_FIELDS

AREAS = ("canvas", "layer", "polygons", "box", "point", "users")
DOWNLOAD_SIZES = ("256", "1024", "2048", "original")
WGS84_ID = "EPSG:4326"
VERSION = 2

_translator: Callable[[str, str], str] = lambda context, text: text  # noqa: E731


def set_translator(fn: Callable[[str, str], str]) -> None:
    """Translate the form's messages with ``fn(context, text)`` (QCoreApplication.translate in QGIS)."""
    global _translator
    _translator = fn


def translate(context: str, text: str) -> str:
    return _translator(context, text)


@dataclass
class OutputChoice:
    """Where the results go, as chosen in the dialog (``task.Output`` is built from it)."""

    images: bool = True
    sequences: bool = True
    gpkg_on: bool = False
    gpkg: str = ""
    append: bool = False
    download_on: bool = False
    download_dir: str = ""
    download_size: str = "1024"

    @classmethod
    def from_dict(cls, d) -> OutputChoice:
        out = cls()
        if not isinstance(d, dict):
            return out
        for f in fields(cls):
            value = d.get(f.name)
            if isinstance(value, type(getattr(out, f.name))):
                setattr(out, f.name, value)
        if out.download_size not in DOWNLOAD_SIZES:
            out.download_size = "1024"
        return out


@dataclass
class Form:
    area: str = "canvas"  # one of AREAS
    bbox: str = ""  # as typed: minLon, minLat, maxLon, maxLat (WGS84)
    point: str = ""  # as typed, in point_crs
    radius: float = DEFAULT_RADIUS
    lookat_on: bool = False
    lookat: str = ""  # as typed, in point_crs
    tolerance: float = DEFAULT_TOLERANCE
    point_crs: str = WGS84_ID  # the CRS of the typed points (an auth id such as EPSG:2169)
    date_from: str = ""  # YYYY-MM-DD, inclusive; empty: no limit
    date_to: str = ""  # YYYY-MM-DD, inclusive; empty: no limit
    usernames: str = ""
    userkeys: str = ""
    pano: str = "any"
    organization: str = ""
    max_features: int = 0
    fields: tuple[str, ...] = ()
    output: OutputChoice = field(default_factory=OutputChoice)

    # --- validation -------------------------------------------------------
    def dates(self) -> tuple[datetime | None, datetime | None]:
        """(start, end) for the engine: the start of the 'from' day and the end of the 'to' day (exclusive)."""
        start = _day(self.date_from, translate("MapillaryRetriever", "The 'from' date"))
        to = _day(self.date_to, translate("MapillaryRetriever", "The 'to' date"))
        if start and to and to < start:
            raise QueryError(translate("MapillaryRetriever", "The 'to' date {to} is before the 'from' date {start}.")
                             .format(to=self.date_to.strip(), start=self.date_from.strip()))
        return (_midnight(start) if start else None, _midnight(to + timedelta(days=1)) if to else None)

    def point_lonlat(self, text: str, what: str,
                     to_wgs84: Callable[[float, float], tuple[float, float]] | None = None) -> tuple[float, float]:
        """A typed point as WGS84 lon, lat; ``to_wgs84`` converts from ``point_crs`` (None: it is WGS84)."""
        if to_wgs84 is None or self.point_crs == WGS84_ID:
            return parse_point(text, what)
        x, y = numbers(text, what)
        try:
            lon, lat = to_wgs84(x, y)
        except Exception:  # noqa: BLE001 (any transform failure means the same to the person)
            raise QueryError(translate("MapillaryRetriever", "{what} {x:g}, {y:g} cannot be converted from {crs} "
                                       "to longitude and latitude.").format(what=what, x=x, y=y,
                                                                             crs=self.point_crs)) from None
        return parse_point((lon, lat), what)

    def query(self, area_bbox: tuple[float, float, float, float] | None = None,
              to_wgs84: Callable[[float, float], tuple[float, float]] | None = None) -> Query:
        """The form as a Query; raises QueryError saying what to change.

        ``area_bbox`` is the WGS84 box of the areas only the dialog can compute (the map extent,
        a layer's extent, the selected polygons); ``to_wgs84`` converts typed points from ``point_crs``."""
        if self.area not in AREAS:
            raise QueryError(translate("MapillaryRetriever", "Choose the kind of area to search."))
        bbox = closeto = lookat = None
        if self.area in ("canvas", "layer", "polygons"):
            if area_bbox is None:
                raise QueryError(translate("MapillaryRetriever", "There is no area to search yet."))
            bbox = area_bbox
        elif self.area == "box":
            if not self.bbox.strip():
                raise QueryError(translate("MapillaryRetriever",
                                           "Type a box (minLon, minLat, maxLon, maxLat) or draw it on the map."))
            bbox = parse_box(self.bbox)
        elif self.area == "point":
            if not self.point.strip():
                raise QueryError(translate("MapillaryRetriever", "Type a point or click it on the map."))
            closeto = self.point_lonlat(self.point, translate("MapillaryRetriever", "Point"), to_wgs84)
        elif not _split(self.usernames):
            raise QueryError(translate("MapillaryRetriever",
                                       "Type one or more usernames to search everything by those users."))
        if self.lookat_on and self.area != "users":
            if not self.lookat.strip():
                raise QueryError(translate("MapillaryRetriever",
                                           "Type the look-at point or click it on the map."))
            lookat = self.point_lonlat(self.lookat, translate("MapillaryRetriever", "Look-at point"), to_wgs84)
        start, end = self.dates()
        return Query.build(
            bbox=bbox, closeto=closeto, radius=self.radius if closeto is not None else None, lookat=lookat,
            tolerance=self.tolerance, start_time=start, end_time=end, usernames=self.usernames,
            userkeys=self.userkeys, pano=self.pano, organization_id=self.organization,
            max_features=self.max_features or None, fields=list(self.fields))

    def check_output(self) -> None:
        """Raise QueryError when the output choice is incomplete (file system checks are the dialog's)."""
        out = self.output
        if not (out.images or out.sequences):
            raise QueryError(translate("MapillaryRetriever", "Choose what to produce: images, sequences or both."))
        if out.gpkg_on:
            path = out.gpkg.strip()
            if not path:
                raise QueryError(translate("MapillaryRetriever", "Choose the GeoPackage file to write."))
            if not path.lower().endswith(".gpkg"):
                raise QueryError(translate("MapillaryRetriever", "The output file must end in .gpkg."))
        if out.download_on and not out.download_dir.strip():
            raise QueryError(translate("MapillaryRetriever", "Choose the folder to download the images into."))

    def summary(self, query: Query) -> str:
        """What will be searched, with the dates as typed (inclusive days)."""
        text = replace(query, start_time=None, end_time=None).describe()
        a, b = self.date_from.strip(), self.date_to.strip()
        if a and b:
            text += ", " + translate("MapillaryRetriever", "captured {a} to {b}").format(a=a, b=b)
        elif a:
            text += ", " + translate("MapillaryRetriever", "captured from {a}").format(a=a)
        elif b:
            text += ", " + translate("MapillaryRetriever", "captured until {b}").format(b=b)
        return text

    # --- serialization ----------------------------------------------------
    def to_dict(self) -> dict:
        """Query.to_dict()'s keys (the area in WGS84 where the form has one), the texts as typed,
        the area kind and the output choice. Never raises."""
        start = end = None
        try:
            start, end = self.dates()
        except QueryError:
            pass
        q = Query(radius=self.radius, tolerance=self.tolerance, start_time=start, end_time=end,
                  usernames=tuple(_split(self.usernames)), userkeys=tuple(_split(self.userkeys)), pano=self.pano,
                  organization_id=self.organization.strip() or None, max_features=self.max_features or None,
                  fields=tuple(self.fields))
        d = q.to_dict()
        for key, text, parse in (("bbox", self.bbox, parse_box), ("closeto", self.point, parse_point),
                                 ("lookat", self.lookat if self.lookat_on else "", parse_point)):
            if text.strip() and (key == "bbox" or self.point_crs == WGS84_ID):
                try:
                    d[key] = list(parse(text, key) if key != "bbox" else parse(text))
                except QueryError:
                    pass
        d.update(version=VERSION, area=self.area, output=asdict(self.output),
                 typed={"bbox": self.bbox, "point": self.point, "lookat": self.lookat, "point_crs": self.point_crs,
                        "lookat_on": self.lookat_on, "date_from": self.date_from, "date_to": self.date_to})
        return d

    @classmethod
    def from_dict(cls, d) -> Form:
        """From ``to_dict()``, or from a bare ``Query.to_dict()`` (a layer's search). Unreadable parts are skipped."""
        f = cls()
        if not isinstance(d, dict):
            return f
        typed = d.get("typed") if isinstance(d.get("typed"), dict) else {}

        def text_of(key: str, typed_key: str) -> str:
            if isinstance(typed.get(typed_key), str):
                return typed[typed_key]
            value = d.get(key)
            if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
                return ", ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in value)
            return ""

        f.bbox = text_of("bbox", "bbox")
        f.point = text_of("closeto", "point")
        f.lookat = text_of("lookat", "lookat")
        crs = typed.get("point_crs")
        f.point_crs = crs if isinstance(crs, str) and crs and "point" in typed else WGS84_ID
        f.lookat_on = bool(typed.get("lookat_on", bool(d.get("lookat"))))
        area = d.get("area")
        if area not in AREAS:
            area = "box" if d.get("bbox") else "point" if d.get("closeto") or d.get("lookat") else \
                "users" if d.get("usernames") else "canvas"
            if area == "point" and not f.point:
                f.point = f.lookat
        f.area = area
        f.radius = _float(d.get("radius"), DEFAULT_RADIUS)
        f.tolerance = _float(d.get("tolerance"), DEFAULT_TOLERANCE)
        if "date_from" in typed or "date_to" in typed:
            f.date_from, f.date_to = str(typed.get("date_from") or ""), str(typed.get("date_to") or "")
        else:
            f.date_from = _iso_day(d.get("start_time"))
            f.date_to = _iso_day(d.get("end_time"), exclusive=True)
        f.usernames = ", ".join(str(v) for v in d.get("usernames") or () if isinstance(v, (str, int)))
        f.userkeys = ", ".join(str(v) for v in d.get("userkeys") or () if isinstance(v, (str, int)))
        f.pano = d.get("pano") if d.get("pano") in PANO_CHOICES else "any"
        f.organization = str(d.get("organization_id") or "")
        try:
            f.max_features = max(0, int(d.get("max_features") or 0))
        except (TypeError, ValueError):
            f.max_features = 0
        names = d.get("fields") if isinstance(d.get("fields"), list) else []
        f.fields = tuple(n for n in names if n in EXTRA_FIELDS)
        f.output = OutputChoice.from_dict(d.get("output"))
        return f


# --- helpers ------------------------------------------------------------------
def numbers(text: str, what: str) -> tuple[float, float]:
    """Two numbers typed as "x, y" (any CRS), or QueryError in the dialog's words."""
    parts = [p for p in re.split(r"[,\s;]+", str(text).strip()) if p]
    if len(parts) != 2:
        raise QueryError(translate("MapillaryRetriever", "{what} needs 2 numbers (x, y); got {n}.").format(
            what=what, n=len(parts)))
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise QueryError(translate("MapillaryRetriever", "{what} must be two numbers, got {text}.").format(
            what=what, text=str(text).strip())) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise QueryError(translate("MapillaryRetriever", "{what} must be finite numbers.").format(what=what))
    return x, y


def parse_box(text: str) -> geo.BBox:
    return parse_bbox(text)


def distance_warning(center: tuple[float, float], view: tuple[float, float, float, float] | None,
                     what: str = "") -> str:
    """A warning when ``center`` (lon, lat) is nowhere near the map view (a WGS84 box), else "".

    Names a swap of longitude and latitude when the swapped point would be in view."""
    if view is None or not all(math.isfinite(v) for v in view):
        return ""
    lon, lat = center
    km = _km_to_box(lon, lat, view)
    size_km = geo.haversine(view[0], view[1], view[2], view[3]) / 1000.0
    if km <= max(50.0, 3.0 * size_km):
        return ""
    distance = f"{km:,.0f}"
    what = what or translate("MapillaryRetriever", "This area")
    if -90.0 <= lon <= 90.0 and _km_to_box(lat, lon, view) <= max(50.0, size_km):
        return translate("MapillaryRetriever", "{what} is {km} km from the map view: did you swap longitude and "
                         "latitude?").format(what=what, km=distance)
    return translate("MapillaryRetriever", "{what} is {km} km from the map view.").format(what=what, km=distance)


def _km_to_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> float:
    near_lon = min(max(lon, box[0]), box[2])
    near_lat = min(max(lat, box[1]), box[3])
    return geo.haversine(lon, lat, near_lon, near_lat) / 1000.0


def _split(text: str) -> list[str]:
    return [p for p in re.split(r"[,\s]+", text or "") if p]


def _day(text: str, what: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(translate("MapillaryRetriever", "{what} {text} is not a date; use YYYY-MM-DD.").format(
            what=what, text=text)) from None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _iso_day(value, exclusive: bool = False) -> str:
    """A YYYY-MM-DD day of an ISO time; for an exclusive end at midnight, the day before."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if exclusive and (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0):
        dt -= timedelta(days=1)
    return dt.date().isoformat()


def _float(value, default: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return default
    return v if math.isfinite(v) and v > 0 else default
