"""Decode Mapillary vector tiles (MVT) with GDAL's MVT driver into Image records.

Tiles are what make the search complete: unlike the Graph API's bbox search,
a z14 ``image`` layer lists every image in the tile. Property types are not
trusted: ids may arrive as int64 or as (even empty) strings.
"""

from __future__ import annotations

import itertools
import math
import struct

from osgeo import gdal, ogr

try:
    import numpy
except ImportError:  # GDAL's Arrow interface needs numpy; fall back to features
    numpy = None

from . import geo
from .errors import BadResponseError
from .records import Image

gdal.UseExceptions()
ogr.UseExceptions()

_names = itertools.count()
_HAS_ARROW = numpy is not None and hasattr(ogr.Layer, "GetArrowStreamAsNumPy")


def decode_images(data: bytes, z: int, x: int, y: int, skipped: dict[str, int] | None = None,
                  use_arrow: bool = _HAS_ARROW) -> list[Image]:
    """The ``image`` layer of a tile as records. Records that cannot be used
    (no id, no position) are counted in ``skipped`` by reason."""
    skipped = {} if skipped is None else skipped
    if not data:
        return []  # the service answers an empty body for a tile with nothing in it
    path = f"/vsimem/mapillary_retriever_{next(_names)}.mvt"
    gdal.FileFromMemBuffer(path, data)
    try:
        try:
            ds = gdal.OpenEx(path, gdal.OF_VECTOR, allowed_drivers=["MVT"],
                             open_options=[f"X={x}", f"Y={y}", f"Z={z}"])
        except RuntimeError:
            ds = None
        if ds is None or ds.GetLayerCount() == 0:
            raise BadResponseError(f"Tile {z}/{x}/{y} is not a readable vector tile ({len(data)} bytes).")
        layer = ds.GetLayerByName("image")
        if layer is None:
            return []
        rows = _arrow_rows(layer) if use_arrow else _feature_rows(layer)
        return _to_images(rows, skipped)
    except RuntimeError as e:
        raise BadResponseError(f"Tile {z}/{x}/{y} could not be decoded: {e}") from None
    finally:
        gdal.Unlink(path)


_COLUMNS = ("id", "sequence_id", "captured_at", "compass_angle", "is_pano", "creator_id", "organization_id")


def _feature_rows(layer):
    """Feature by feature: works with any GDAL."""
    defn = layer.GetLayerDefn()
    idx = {c: defn.GetFieldIndex(c) for c in _COLUMNS}
    for f in layer:
        g = f.GetGeometryRef()
        xy = (g.GetX(), g.GetY()) if g is not None and not g.IsEmpty() else None
        yield xy, [f.GetField(i) if i >= 0 and f.IsFieldSetAndNotNull(i) else None for i in idx.values()]


def _arrow_rows(layer):
    """Column batches through GDAL's Arrow interface (GDAL ≥ 3.6): ~4× faster."""
    geom_name = layer.GetGeometryColumn() or "wkb_geometry"
    for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES"]):
        n = len(batch[geom_name])
        cols = []
        for c in _COLUMNS:
            col = batch.get(c)
            if col is None:
                cols.append(itertools.repeat(None, n))
            else:
                cols.append(col.tolist())  # masked values become None
        yield from zip(_points(batch[geom_name]), zip(*cols))


def _points(geoms) -> list:
    """WKB points to (x, y); all-point batches come as one fixed-width block."""
    if geoms.dtype.kind == "V" and geoms.dtype.itemsize == 21:
        raw = numpy.frombuffer(geoms.tobytes(), dtype=[("o", "u1"), ("t", "<u4"), ("x", "<f8"), ("y", "<f8")])
        if (raw["o"] == 1).all() and (raw["t"] == 1).all():
            return list(zip(raw["x"].tolist(), raw["y"].tolist()))
    return [_wkb_point(bytes(w)) if w is not None else None for w in geoms]


def _wkb_point(wkb) -> tuple[float, float] | None:
    if wkb is None or len(wkb) < 21:
        return None
    order = "<" if wkb[0] == 1 else ">"
    (gtype,) = struct.unpack_from(order + "I", wkb, 1)
    if gtype % 1000 != 1:
        return None
    return struct.unpack_from(order + "dd", wkb, 5)


def _text(v) -> str | None:
    """An id as a string, whatever type it arrived in; None when empty."""
    if v is None:
        return None
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, float):
        v = int(v)
    s = str(v).strip()
    return s or None


def _number(v) -> float | None:
    if v is None or v == "" or v == b"":
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _bool(v) -> bool:
    if isinstance(v, (bytes, str)):
        return (v.decode() if isinstance(v, bytes) else v).strip().lower() in ("true", "1", "yes")
    return bool(v)


def _to_images(rows, skipped: dict[str, int]) -> list[Image]:
    out = []
    m2d = 180.0 / geo.MERC_HALF
    for xy, (iid, seq, cap, ca, pano, creator, org) in rows:
        image_id = _text(iid)
        if image_id is None:
            skipped["no image id in the tile"] = skipped.get("no image id in the tile", 0) + 1
            continue
        if xy is None:
            skipped["no position in the tile"] = skipped.get("no position in the tile", 0) + 1
            continue
        lon = xy[0] * m2d
        lat = math.degrees(2 * math.atan(math.exp(xy[1] / geo.MERC_RADIUS)) - math.pi / 2)
        captured = _number(cap)  # 0 is what the service sends for an unknown capture time
        out.append(Image(image_id, lon, lat, _text(seq) or "", int(captured) if captured else None,
                         _number(ca), _bool(pano), _text(creator), _text(org)))
    return out
