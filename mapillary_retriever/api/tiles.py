"""Decode Mapillary vector tiles (MVT) with GDAL's MVT driver into Image records.

Tiles are what make the search complete: unlike the Graph API's bbox search,
a z14 ``image`` layer lists every image in the tile. Property types are not
trusted: ids may arrive as int64 or as (even empty) strings.
"""

from __future__ import annotations

import itertools
import math
import struct

import numpy
from osgeo import gdal, ogr

from . import geo
from .errors import BadResponseError
from .records import Image, Images, Strings, int_ids

gdal.UseExceptions()
ogr.UseExceptions()

_names = itertools.count()
MAX_TIME = 253_402_300_800_000  # epoch ms of year 10000: later capture times are not real
_HAS_ARROW = hasattr(ogr.Layer, "GetArrowStreamAsNumPy")


def decode_images(data: bytes, z: int, x: int, y: int, skipped: dict[str, int] | None = None,
                  use_arrow: bool = _HAS_ARROW) -> list[Image]:
    """The ``image`` layer of a tile as a list of records (see ``decode_table``)."""
    return list(decode_table(data, z, x, y, skipped, use_arrow))


def decode_table(data: bytes, z: int, x: int, y: int, skipped: dict[str, int] | None = None,
                 use_arrow: bool = _HAS_ARROW, strings: Strings | None = None) -> Images:
    """The ``image`` layer of a tile as columns. Records that cannot be used (no id, no
    position) are counted in ``skipped`` by reason. ``strings``: the codes of sequence, creator
    and organization ids (pass the same for every tile of a search)."""
    skipped = {} if skipped is None else skipped
    strings = Strings() if strings is None else strings
    if not data:
        return Images.empty(strings)  # the service answers an empty body for a tile with nothing in it
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
            return Images.empty(strings)
        if use_arrow:
            return _arrow_images(layer, skipped, strings)
        xy, cols = _feature_rows(layer)
        return Images.from_images(_to_images(xy, cols, skipped), strings)
    except RuntimeError as e:
        raise BadResponseError(f"Tile {z}/{x}/{y} could not be decoded: {e}") from None
    finally:
        gdal.Unlink(path)


_COLUMNS = ("id", "sequence_id", "captured_at", "compass_angle", "is_pano", "creator_id", "organization_id")


def _feature_rows(layer) -> tuple[list, dict]:
    """Feature by feature: works with any GDAL. Positions as lon/lat."""
    defn = layer.GetLayerDefn()
    idx = {c: defn.GetFieldIndex(c) for c in _COLUMNS}
    xy: list = []
    cols: dict[str, list] = {c: [] for c in _COLUMNS}
    for f in layer:
        g = f.GetGeometryRef()
        xy.append(geo.mercator_to_lonlat(g.GetX(), g.GetY()) if g is not None and not g.IsEmpty() else None)
        for c, i in idx.items():
            cols[c].append(f.GetField(i) if i >= 0 and f.IsFieldSetAndNotNull(i) else None)
    return xy, cols


def _arrow_images(layer, skipped: dict[str, int], strings: Strings) -> Images:
    """Column batches through GDAL's Arrow interface (GDAL ≥ 3.6): several times faster.
    Batches of plain points go through numpy; any other batch value by value."""
    geom_name = layer.GetGeometryColumn() or "wkb_geometry"
    out: list[Images] = []
    for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES"]):
        geoms = batch[geom_name]
        lonlat = _point_arrays(geoms)
        if lonlat is not None:
            out.append(_batch_images(batch, lonlat[0], lonlat[1], skipped, strings))
            continue
        n = len(geoms)
        cols = {c: _column(batch.get(c), c, n) for c in _COLUMNS}
        out.append(Images.from_images(_to_images(_points(geoms), cols, skipped), strings))
    return Images.concat(out, strings)


def _batch_images(batch, lon, lat, skipped: dict[str, int], strings: Strings) -> Images:
    """One batch as columns, in numpy: rows without an id or a position are counted and
    dropped first, then every column is normalised as ``_to_images`` does."""
    n = len(lon)
    ids_col = batch.get("id")
    ids = None
    if ids_col is None:
        has_id = numpy.zeros(n, bool)
    elif ids_col.dtype.kind in "iu":
        has_id = ~numpy.ma.getmaskarray(ids_col)
    else:  # text (or other) ids: by value
        ids = [v if type(v) is str and v else _text(v) for v in ids_col.tolist()]
        has_id = numpy.fromiter((i is not None for i in ids), bool, n)
    placed = (lon >= -180.0) & (lon <= 180.0) & (lat >= -90.0) & (lat <= 90.0)  # NaN fails too
    keep = has_id & placed
    _count(skipped, "no image id in the tile", int(n - has_id.sum()))
    _count(skipped, "no position in the tile", int((has_id & ~placed).sum()))
    rows = numpy.flatnonzero(keep)
    if ids is None:
        id_col = numpy.ma.getdata(ids_col)[rows].astype(numpy.int64)  # type: ignore[union-attr]
        if (id_col <= 0).any():
            id_col = numpy.array([str(v) for v in id_col.tolist()], dtype=object)
    else:
        texts = [ids[k] for k in rows.tolist()]
        id_col = int_ids(texts)
        if id_col is None:
            id_col = numpy.array(texts, dtype=object)
    return Images(id_col, lon[rows], lat[rows], _codes(batch.get("sequence_id"), rows, strings),
                  _time_column(batch.get("captured_at"), rows), _angle_column(batch.get("compass_angle"), rows),
                  _pano_column(batch.get("is_pano"), rows), _codes(batch.get("creator_id"), rows, strings),
                  _codes(batch.get("organization_id"), rows, strings), strings)


def _count(skipped: dict[str, int], reason: str, n: int) -> None:
    if n:
        skipped[reason] = skipped.get(reason, 0) + n


def _values(col, rows) -> list:
    """The rows' values as Python objects, masked values as None."""
    return col[rows].tolist()


def _codes(col, rows, strings: Strings) -> numpy.ndarray:
    """A text column as codes in ``strings``; each distinct value is normalised once (numbers and
    fixed-width texts found with numpy, other values one by one)."""
    if col is None:
        return numpy.full(len(rows), -1, numpy.int32)
    memo = strings.memo

    def code(v) -> int:
        try:
            return memo[v]
        except KeyError:
            return memo.setdefault(v, strings.code(_text(v)))

    a = col[rows]
    if a.dtype.kind in "iuSU":
        there = ~numpy.ma.getmaskarray(a)
        codes = numpy.full(len(a), -1, numpy.int32)
        if there.any():
            distinct, at = numpy.unique(numpy.ma.getdata(a)[there], return_inverse=True)
            codes[there] = numpy.array([code(v) for v in distinct.tolist()], numpy.int32)[at]
        return codes
    return numpy.array([code(v) for v in a.tolist()], numpy.int32)


def _time_column(col, rows) -> numpy.ndarray:
    """Epoch ms; unknown (0, missing) and impossible times as 0."""
    if col is None:
        return numpy.zeros(len(rows), numpy.int64)
    if col.dtype.kind in "iuf":
        a = col[rows]
        data = numpy.ma.getdata(a)
        with numpy.errstate(invalid="ignore"):
            bad = numpy.ma.getmaskarray(a) | ~((data > 0) & (data < MAX_TIME))
        return numpy.where(bad, 0, data).astype(numpy.int64)
    caps = [v if type(v) is int or v is None else _number(v) for v in _values(col, rows)]
    return numpy.array([int(c) if c and 0 < c < MAX_TIME else 0 for c in caps], numpy.int64)


def _angle_column(col, rows) -> numpy.ndarray:
    """Degrees in [0, 360); missing and non-finite as NaN."""
    if col is None:
        return numpy.full(len(rows), numpy.nan)
    if col.dtype.kind in "iuf":
        a = col[rows]
        data = numpy.ma.getdata(a).astype(numpy.float64)
        bad = numpy.ma.getmaskarray(a) | ~numpy.isfinite(data)
        return numpy.where(bad, numpy.nan, numpy.mod(numpy.where(bad, 0.0, data), 360.0))
    angles = [v if type(v) is float and math.isfinite(v) else _number(v) for v in _values(col, rows)]
    return numpy.array([a % 360.0 if a is not None else numpy.nan for a in angles], numpy.float64)


def _pano_column(col, rows) -> numpy.ndarray:
    if col is None:
        return numpy.zeros(len(rows), bool)
    if col.dtype.kind in "biu":
        a = col[rows]
        return numpy.ma.filled(a, 0) != 0 if numpy.ma.isMaskedArray(a) else a != 0
    return numpy.array([v if type(v) is bool else _bool(v) for v in _values(col, rows)], bool)


def _column(col, name: str, n: int) -> list:
    """A numpy column as Python values (masked values become None); integer ids as text."""
    if col is None:
        return [None] * n
    values = col.tolist()
    if col.dtype.kind in "iu" and name in ("id", "creator_id", "organization_id"):
        return [str(v) if v is not None else None for v in values]
    return values  # anything else is normalised value by value in _to_images


def _point_arrays(geoms):
    """lon, lat arrays of an all-point batch (one fixed-width block of little-endian WKB
    points); None for any other batch."""
    if geoms.dtype.kind != "V" or geoms.dtype.itemsize != 21:
        return None
    raw = numpy.frombuffer(geoms.tobytes(), dtype=[("o", "u1"), ("t", "<u4"), ("x", "<f8"), ("y", "<f8")])
    if not ((raw["o"] == 1).all() and (raw["t"] == 1).all()):
        return None
    lon = raw["x"] * (180.0 / geo.MERC_HALF)
    lat = numpy.degrees(2 * numpy.arctan(numpy.exp(raw["y"] / geo.MERC_RADIUS)) - math.pi / 2)
    return lon, lat


def _points(geoms) -> list:
    """WKB points to lon/lat; all-point batches come as one fixed-width block (numpy, fast)."""
    lonlat = _point_arrays(geoms)
    if lonlat is not None:
        return list(zip(lonlat[0].tolist(), lonlat[1].tolist()))
    return [_lonlat(_wkb_point(bytes(w))) if w is not None else None for w in geoms]


def _lonlat(p: tuple[float, float] | None) -> tuple[float, float] | None:
    return geo.mercator_to_lonlat(*p) if p is not None else None


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
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    elif isinstance(v, float):
        v = int(v) if math.isfinite(v) else None
    s = str(v).strip() if v is not None else ""
    return s or None


def _shared_text(values: list, shared: dict) -> list:
    """Like _text, with one string object per distinct value (sequences repeat a lot)."""
    out = []
    for v in values:
        try:
            out.append(shared[v])
        except KeyError:
            out.append(shared.setdefault(v, _text(v)))
    return out


def _number(v) -> float | None:
    if v is None or type(v) is int:
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _bool(v) -> bool:
    if isinstance(v, (bytes, str)):
        return (v.decode() if isinstance(v, bytes) else v).strip().lower() in ("true", "1", "yes")
    return bool(v)


def _to_images(xy: list, cols: dict, skipped: dict[str, int]) -> list[Image]:
    shared: dict = {}
    ids = [v if type(v) is str and v else _text(v) for v in cols["id"]]
    seqs = _shared_text(cols["sequence_id"], shared)
    creators = _shared_text(cols["creator_id"], shared)
    orgs = _shared_text(cols["organization_id"], shared)
    caps = [v if type(v) is int or v is None else _number(v) for v in cols["captured_at"]]
    angles = [v if type(v) is float and math.isfinite(v) else _number(v) for v in cols["compass_angle"]]
    panos = [v if type(v) is bool else _bool(v) for v in cols["is_pano"]]
    out = []
    no_id = no_pos = 0
    for k, image_id in enumerate(ids):
        if image_id is None:
            no_id += 1
            continue
        p = xy[k]
        if p is None or not (-180.0 <= p[0] <= 180.0 and -90.0 <= p[1] <= 90.0):  # NaN fails too
            no_pos += 1
            continue
        cap = caps[k]
        # 0 is what the service sends for an unknown capture time; the impossible ones are unknown too
        angle = angles[k]
        out.append(Image(image_id, p[0], p[1], seqs[k] or "",
                         int(cap) if cap and 0 < cap < MAX_TIME else None,
                         angle % 360.0 if angle is not None else None, panos[k], creators[k], orgs[k]))
    if no_id:
        skipped["no image id in the tile"] = skipped.get("no image id in the tile", 0) + no_id
    if no_pos:
        skipped["no position in the tile"] = skipped.get("no position in the tile", 0) + no_pos
    return out
