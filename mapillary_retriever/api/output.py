"""Write search results to files or PostGIS, the format chosen by the output's extension
(see ``formats.FORMATS``), every layer's columns from ``api.schema``.

Safety rules every writer keeps:
- a file is written aside (``.<name>.part-<pid><ext>``) and renamed into place, so a reader
  (or a crash, a full disk, a kill -9) sees the old file or the new one, never half of one;
- a GeoPackage or PostGIS layer is replaced by building the new table under a temporary name,
  then dropping the old table and renaming the new one in one transaction;
- ``--append`` adds inside one transaction (GeoPackage, PostGIS) or rewrites a GeoJSON file
  aside with the old features kept (a feature whose id comes again is replaced by the new one);
- NaN and infinities are written as null; a full disk leaves the old data and no temporary files.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import sqlite3
import struct
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
from osgeo import gdal, ogr, osr

from .formats import FORMATS, SHAPEFILE_TEXT, Format, format_of, is_postgis, shapefile_name
from .records import Image, Images, Sequence, iso_time
from .schema import LAYERS, Column, LayerSpec

ATTRIBUTION = "Images and data © Mapillary contributors, CC BY-SA 4.0 (https://www.mapillary.com)"
TEMP_SUFFIX = "__writing"  # a layer being built before it replaces the old one


class OutputError(ValueError):
    """The destination cannot be written; the message says why, for people."""


@dataclass
class Written:
    path: str  # file (or PG: connection, password removed)
    layer: str
    count: int
    warnings: list[str] = field(default_factory=list)


def safe_dest(dest: str) -> str:
    """A destination fit for a message: a PostgreSQL password is never shown."""
    return re.sub(r"(?i)(password\s*=\s*)('[^']*'|\S+)", r"\1***", dest)


# -- where each layer goes ------------------------------------------------------------------------

def targets(dest: str, kinds, layer: str | None = None) -> list[tuple[str, str, str]]:
    """(path, layer, kind) for each kind. A multi-layer format (GeoPackage, PostGIS) takes every
    layer: tables ``images``/``sequences``, or with ``layer``: NAME for one kind and NAME_images,
    NAME_sequences for both. A single-layer format takes one kind in ``dest``; both go to
    ``<stem>_images<ext>`` and ``<stem>_sequences<ext>``."""
    kinds = list(kinds)
    fmt = format_of(dest)
    if fmt is not None and fmt.multi:
        if layer:
            return [(dest, layer if len(kinds) == 1 else f"{layer}_{k}", k) for k in kinds]
        return [(dest, LAYERS[k].table, k) for k in kinds]
    if len(kinds) == 1:
        return [(dest, layer or LAYERS[kinds[0]].table, kinds[0])]
    stem, ext = os.path.splitext(dest)
    return [(f"{stem}_{k}{ext}", LAYERS[k].table, k) for k in kinds]


def _magic_ok(path: str, fmt: Format) -> bool:
    with open(path, "rb") as f:
        head = f.read(100)
    if fmt.driver == "GPKG":
        return head.startswith(b"SQLite format 3\x00") and head[68:72] in (b"GPKG", b"GP10", b"GP11", b"\0\0\0\0")
    if fmt.driver == "GeoJSON":
        return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    if fmt.driver == "ESRI Shapefile":
        return head[:4] == b"\x00\x00\x27\x0a"
    if fmt.driver == "FlatGeobuf":
        return head[:3] == b"fgb"
    if fmt.driver == "LIBKML":
        return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
    return True


def _can_create_in(folder: str) -> bool:
    """Really try (os.access says yes to root on a read-only file system)."""
    probe = os.path.join(folder, f".mapillary-retriever-probe-{os.getpid()}")
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return True


def check_destination(dest: str, kinds, append: bool = False, layer: str | None = None) -> None:
    """Before any search: the destination can take these layers. Raises OutputError for a folder
    that is missing or read-only, a path that is a folder, an existing file that is not of the kind
    its extension says (never replaced), an unreachable database, or --append where the format
    cannot append."""
    fmt = format_of(dest)
    if fmt is None:
        ext = os.path.splitext(dest)[1].lower()
        raise OutputError(f"--output must end in {', '.join(sorted(set(FORMATS)))} or be a PostGIS "
                          f"connection (PG:dbname=…), not {ext or 'a name without extension'!r}.")
    if append and not fmt.append:
        raise OutputError(f"--append works with .gpkg, .geojson and PostGIS outputs, not {fmt.name}: "
                          "choose one of those or another file name.")
    if fmt is not None and is_postgis(dest):
        _check_postgis(dest)
        return
    for path, _, _ in targets(dest, kinds, layer):
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise OutputError(f"{path} is a folder, not a file: choose another name (nothing in it is replaced).")
        if not os.path.isdir(folder):
            raise OutputError(f"the folder of {path} does not exist.")
        if not _can_create_in(folder):
            raise OutputError(f"cannot write in {folder}: the folder is read-only or not yours.")
        if os.path.exists(path):
            if not os.path.isfile(path):
                raise OutputError(f"{path} exists and is not a regular file: choose another name.")
            if not os.access(path, os.W_OK):
                raise OutputError(f"cannot write to {path}: permission denied.")
            if os.path.getsize(path) == 0 and fmt.driver in ("GPKG", "ESRI Shapefile", "FlatGeobuf"):
                raise OutputError(f"{path} exists and is empty, not a {fmt.name}: remove it or choose another name.")
            if os.path.getsize(path) and not _magic_ok(path, fmt):
                raise OutputError(f"{path} exists and is not a {fmt.name} file: choose another name "
                                  "(it is never replaced).")


def _check_postgis(dest: str) -> None:
    _open_pg(dest)  # opened and closed: the connection works and may write


def _open_pg(dest: str):
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = ogr.Open(dest, update=1)
    except RuntimeError as e:
        ds, err = None, str(e)
    else:
        err = gdal.GetLastErrorMsg()
    finally:
        gdal.PopErrorHandler()
    if ds is None:
        raise OutputError(f"cannot open the PostGIS database {safe_dest(dest)}: "
                          f"{safe_dest(err).strip() or 'no answer'}")
    return ds


def _layer_names(dest: str) -> set[str]:
    fmt = format_of(dest)
    if is_postgis(dest):
        ds = _open_pg(dest)
    elif fmt is not None and fmt.driver == "GPKG":
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            ds = ogr.Open(dest)
        except RuntimeError:
            ds = None
        finally:
            gdal.PopErrorHandler()
        if ds is None:
            return set()
    else:
        return set()
    names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
    ds = None
    return names


def would_replace(dest: str, kinds, append: bool = False, layer: str | None = None) -> bool:
    """Would writing these layers replace data that is there now?"""
    fmt = format_of(dest)
    if fmt is None:
        return False
    if fmt.multi:
        if append:
            return False
        names = _layer_names(dest)
        return any(name in names for _, name, _ in targets(dest, kinds, layer))
    if append:
        return False
    return any(os.path.exists(p) and os.path.getsize(p) > 0 for p, _, _ in targets(dest, kinds, layer))


def beside(path: str, tag: str) -> str:
    """``out.gpkg`` -> ``out.incomplete.gpkg`` (numbered when that exists too)."""
    stem, ext = os.path.splitext(path)
    candidate, n = f"{stem}.{tag}{ext}", 2
    while os.path.exists(candidate):
        candidate, n = f"{stem}.{tag}-{n}{ext}", n + 1
    return candidate


def beside_destination(dest: str, kinds, layer: str | None, tag: str) -> tuple[str, str | None]:
    """Where a result that must not replace ``dest`` goes: a file beside it, or for PostGIS
    tables named ``<layer>_<tag>`` (numbered when those exist)."""
    if not is_postgis(dest):
        fmt = format_of(dest)
        if len(list(kinds)) > 1 and fmt is not None and not fmt.multi:  # two files: find a stem free for both
            stem, ext = os.path.splitext(dest)
            n = 1
            while True:
                cand = f"{stem}.{tag}{ext}" if n == 1 else f"{stem}.{tag}-{n}{ext}"
                if not any(os.path.exists(p) for p, _, _ in targets(cand, kinds)):
                    return cand, layer
                n += 1
        return beside(dest, tag), layer
    names = _layer_names(dest)
    base = layer or "mapillary"
    n = 1
    while True:
        cand = f"{base}_{tag}" if n == 1 else f"{base}_{tag}{n}"
        if not any(name in names for _, name, _ in targets(dest, kinds, cand)):
            return dest, cand
        n += 1


def columns(kind: str, fields=(), extra: tuple[Column, ...] = ()) -> list[Column]:
    return LAYERS[kind].columns(fields) + list(extra)


# -- values -----------------------------------------------------------------------------------------

def _finite_tree(v):
    """Replace NaN and infinities (anywhere in lists and dicts) by None."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, list | tuple):
        return [_finite_tree(x) for x in v]
    if isinstance(v, dict):
        return {k: _finite_tree(x) for k, x in v.items()}
    return v


def _clean(v, typ: str):
    if v is None:
        return None
    if typ == "real":
        try:
            f = float(v)
        except (TypeError, ValueError):
            return None
        return f if math.isfinite(f) else None
    if typ == "json":
        return _finite_tree(v)
    return v


def _finite_point(rec) -> bool:
    try:
        return math.isfinite(rec.lon) and math.isfinite(rec.lat)
    except TypeError:
        return False


def _lines(rec) -> list[list[tuple[float, float]]]:
    lines = [[c for c in line if math.isfinite(c[0]) and math.isfinite(c[1])] for line in rec.lines()]
    return [line for line in lines if line]


# -- the one entry point ------------------------------------------------------------------------------

def write_all(dest: str, layers: dict, fields=(), description: str = "", layer: str | None = None,
              append: bool = False, extra: tuple[Column, ...] = ()) -> list[Written]:
    """Write ``{kind: records}`` to ``dest`` (every kind where ``targets`` says). A new GeoPackage
    is built aside with all its layers and renamed into place at once."""
    kinds = list(layers)
    fmt = format_of(dest)
    if fmt is None:
        raise OutputError(f"cannot write {safe_dest(dest)}: unknown format.")
    plan = targets(dest, kinds, layer)
    if fmt.driver == "GPKG" and not os.path.exists(dest):
        tmp = _part_path(dest)
        try:
            out = [write(tmp, k, layers[k], fields, description, name, append, extra) for _, name, k in plan]
            os.replace(tmp, dest)
        except OutputError as e:
            _remove(tmp)
            raise OutputError(str(e).replace(tmp, dest)) from None
        except BaseException:
            _remove(tmp)
            raise
        for w in out:
            w.path = dest
        return out
    return [write(path, k, layers[k], fields, description, name, append, extra) for path, name, k in plan]


def write(path: str, kind: str, records: list, fields=(), description: str = "", layer: str | None = None,
          append: bool = False, extra: tuple[Column, ...] = ()) -> Written:
    """Write images or sequences to one file or PostGIS table; raises OutputError (disk full,
    permission, database errors) with the old data untouched."""
    layer = layer or LAYERS[kind].table
    fmt = format_of(path)
    cols = columns(kind, fields, extra)
    try:
        if fmt is None:
            raise OutputError(f"cannot write {safe_dest(path)}: unknown format.")
        if fmt.driver == "GeoJSON":
            n = write_geojson(path, kind, records, fields, description, append=append, cols=cols)
            return Written(path, layer, n)
        if fmt.driver == "GPKG":
            n = write_gpkg(path, kind, records, fields, description, layer, append, cols=cols)
            return Written(path, layer, n)
        if fmt.driver == "PostgreSQL":
            return _write_postgis(path, kind, records, cols, description, layer, append)
        return _write_file(path, fmt, kind, records, cols, description, layer)
    except (OSError, RuntimeError, sqlite3.Error) as e:
        msg = str(e)
        if isinstance(e, OSError) and e.errno == errno.ENOSPC or "disk is full" in msg or "No space left" in msg \
                or not isinstance(e, OSError) and _disk_full(path):
            msg = "the disk is full (nothing was changed; free some space and run again)"
        raise OutputError(f"could not write {safe_dest(path)}: {safe_dest(msg)}") from None


def _part_path(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, f".{stem}.part-{os.getpid()}{ext}")


def _disk_full(path: str) -> bool:
    """Is the file system holding ``path`` (nearly) full? Drivers report a full disk in their own
    words ("Failure seeking to position…"), so a failed write asks the file system."""
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 256 * 1024


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
    for suffix in ("-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(path + suffix)


# -- GeoJSON (streamed) ---------------------------------------------------------------------------------

def _json_value(v, typ):
    return iso_time(v) if typ == "datetime" else _clean(v, typ)


def _old_features(path: str, new_ids: set[str]) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError, RecursionError) as e:
        raise OutputError(f"cannot append to {path}: it cannot be read as GeoJSON ({e}); nothing was changed.") \
            from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or \
            not isinstance(doc.get("features"), list):
        raise OutputError(f"cannot append to {path}: it is not a GeoJSON FeatureCollection; nothing was changed.")

    def fid(f):
        i = f.get("id")
        if i is None and isinstance(f.get("properties"), dict):
            i = f["properties"].get("id")
        return None if i is None else str(i)

    return [_finite_tree(f) for f in doc["features"] if isinstance(f, dict) and fid(f) not in new_ids]


_CHUNK = 16_384  # features formatted and written at once (at most; a quarter of _FloatTexts.WINDOW)
_CHUNK_POINTS = 50_000  # positions in the lines of one chunk of sequences (at most)


def _slices(records) -> list[slice]:
    """The chunks to write ``records`` in: ``_CHUNK`` records, fewer where sequences hold many
    images (a million images in lines are then never all in Python lists at once)."""
    if not records or not isinstance(records[0], Sequence):
        return [slice(a, a + _CHUNK) for a in range(0, len(records), _CHUNK)]
    out, start, points = [], 0, 0
    for k, rec in enumerate(records):
        if k > start and (k - start >= _CHUNK or points + rec.count > _CHUNK_POINTS):
            out.append(slice(start, k))
            start, points = k, 0
        points += rec.count
    return out + [slice(start, len(records))]
_json_text = json.encoder.encode_basestring_ascii  # what json.dumps does to a str (C)
_SECONDS = [f"{s:02d}." for s in range(60)]
_MILLIS = {q: [f"{ms:03d}Z{q}" for ms in range(1000)] for q in ("", '"')}


def _iso_times(values: list, cache: dict, quote: str) -> list:
    """``iso_time`` of each value (None stays None), in ``quote``s when the value is an int
    time in years 1970-9999 (made from per-minute heads and tables, not a datetime per value)."""
    out: list[str | None] = []
    add = out.append
    millis = _MILLIS[quote]
    for v in values:
        if type(v) is int and 0 <= v < 253_402_300_800_000:
            s, ms = divmod(v, 1000)
            minute, sec = divmod(s, 60)
            head = cache.get((minute, quote))
            if head is None:  # "YYYY-MM-DDTHH:MM:
                head = cache[(minute, quote)] = quote + (iso_time(minute * 60_000) or "")[:17]
            add(head + _SECONDS[sec] + millis[ms])
        else:
            add(None if v is None else iso_time(v))
    return out


def _dumps(v) -> str:
    return json.dumps(v, separators=(",", ":"), allow_nan=False)


def _json_column(values: list, typ: str, cache: dict | None) -> list[str]:
    """Each value as the JSON text ``json.dumps(_json_value(v, typ))`` gives, with fast paths for the
    usual types (the same text, made without a call per value where possible)."""
    out: list = []
    add = out.append
    if typ == "string" and cache is None:  # unique values (ids): nothing to share
        for v in values:
            add(_json_text(v) if type(v) is str else "null" if v is None else _dumps(_json_value(v, typ)))
    elif typ == "string":
        assert cache is not None  # nosec B101 (the branch above took None)
        for v in values:
            if type(v) is str:
                t = cache.get(v)
                if t is None:
                    t = cache[v] = _json_text(v)
                add(t)
            else:
                add("null" if v is None else _dumps(_json_value(v, typ)))
    elif typ == "real":
        for v in values:
            if type(v) is float and v - v == 0.0:  # finite
                add(float.__repr__(v))
            else:
                add("null" if v is None else _dumps(_json_value(v, typ)))
    elif typ == "datetime":
        texts = _iso_times(values, cache if cache is not None else {}, '"')
        out = [t if t is None or t[0] == '"' else _dumps(t) for t in texts]
        return [("null" if t is None else t) for t in out]
    elif typ == "coordinate":  # as it is (positions are checked finite before)
        for v in values:
            add(float.__repr__(v) if type(v) is float else _dumps(v))
    elif typ == "bool":
        for v in values:
            add("true" if v is True else "false" if v is False else _dumps(_json_value(v, typ)))
    else:
        for v in values:
            add("null" if v is None else _dumps(_json_value(v, typ)))
    return out


def _columns_of(spec: LayerSpec, records: list, cols) -> list[list]:
    """The values of ``cols``, column by column (``spec.row`` for every record, transposed);
    image records are read attribute by attribute, without a row dict per record."""
    if isinstance(records, Images):
        return [records.values(name) for name, _ in cols]
    if spec.kind == "images" and all(type(r) is Image for r in records):
        names = set(Image.__slots__) - {"extra"}
        out = []
        for name, _ in cols:
            if name in names:
                get = attrgetter(name)
                out.append(list(map(get, records)))
            else:
                out.append([(r.extra or {}).get(name) for r in records])
        return out
    rows = [spec.row(r, cols) for r in records]
    return [list(c) for c in zip(*rows)] if rows else [[] for _ in cols]


class _FloatTexts:
    """``repr`` of each value of a column, "null" for NaN, read slice by slice; where values repeat
    (tile positions do: a tile has 4,096 distinct x and y), each distinct value of a window of
    rows is formatted once."""

    WINDOW = 1 << 16

    def __init__(self, a: np.ndarray, repeats: bool = True):
        self.a = a
        self.repeats = repeats  # look for repeated values (False: each value formatted as it comes)
        self.window: tuple = (-1, None, None)  # its first row, its texts (None: no repeats), where each row's is

    def __getitem__(self, rows: slice) -> list[str]:
        start = rows.start - rows.start % self.WINDOW
        if not self.repeats or rows.stop > start + self.WINDOW:  # (across two windows: only with a smaller _CHUNK)
            return self._texts(self.a[rows])
        if self.window[0] != start:
            self.window = (start, *self._table(self.a[start:start + self.WINDOW]))
        _, table, at = self.window
        if table is None:
            return self._texts(self.a[rows])
        return table[at[rows.start - start:rows.stop - start]].tolist()

    @staticmethod
    def _table(a: np.ndarray) -> tuple:
        distinct, at = np.unique(a, return_inverse=True)
        if len(distinct) * 10 > len(a) * 9 or (a == 0.0).any():  # few repeats (or ±0.0, which unique merges)
            return None, None
        table = np.array(list(map(float.__repr__, distinct.tolist())), dtype=object)
        table[np.isnan(distinct)] = "null"
        return table, at

    @staticmethod
    def _texts(a: np.ndarray) -> list[str]:
        texts = list(map(float.__repr__, a.tolist()))
        for k in np.flatnonzero(np.isnan(a)).tolist():
            texts[k] = "null"
        return texts


def _time_texts(ms: np.ndarray, quote: str) -> list:
    """``iso_time`` of epoch ms in ``quote``s, None for 0 (unknown): each distinct minute and each
    distinct second-of-minute formatted once."""
    minute, rest = np.divmod(ms, 60_000)
    minutes, at = np.unique(minute, return_inverse=True)
    rests, rat = np.unique(rest, return_inverse=True)
    heads = np.array([quote + (iso_time(m * 60_000) or "")[:17] for m in minutes.tolist()], dtype=object)
    tails = np.array([_SECONDS[r // 1000] + _MILLIS[quote][r % 1000] for r in rests.tolist()], dtype=object)
    texts = heads[at] + tails[rat] if len(ms) else np.zeros(0, dtype=object)
    texts[ms == 0] = None
    return texts.tolist()


def _code_texts(strings, empty: str) -> np.ndarray:
    """The JSON text of each code of ``strings`` (code -1: ``empty``)."""
    return np.array([_json_text(v) if type(v) is str else _dumps(_json_value(v, "string")) for v in strings.values]
                    + [empty], dtype=object)


def _image_json(images: Images, rows: slice, cols, codes: dict, angles: _FloatTexts) -> list[list[str]]:
    """The JSON text of each column of ``images[rows]``, column by column in numpy where it can."""
    images = images[rows]
    out = []
    for name, typ in cols:
        if name == "id" and images.ids.dtype == np.int64:
            out.append(list(map('"{}"'.format, images.ids.tolist())))
        elif name in _CODED:
            attr, empty = _CODED[name]
            if (name, len(images.strings.values)) not in codes:
                codes[(name, len(images.strings.values))] = _code_texts(images.strings, empty)
            out.append(codes[(name, len(images.strings.values))][getattr(images, attr)].tolist())
        elif name == "captured_at":
            out.append([t or "null" for t in _time_texts(images.cap, '"')])
        elif name == "compass_angle":
            out.append(angles[rows])
        elif name == "is_pano":
            out.append(_BOOLS[images.pano.view(np.uint8)].tolist())
        else:
            out.append(_json_column(images.values(name), typ, None))
    return out


_CAPTURED = Column("captured_at", "datetime")
_CODED = {"sequence_id": ("seq", '""'), "creator_id": ("creator", "null"), "organization_id": ("org", "null")}
_BOOLS = np.array(["false", "true"], dtype=object)


def _interleave(pieces: list[str], columns: list[list[str]], sep: str) -> str:
    """Every row as pieces[0] + columns[0][i] + pieces[1] + … + pieces[-1], rows joined by ``sep``:
    one join over a list filled slice by slice, no formatting row by row."""
    n, k = len(columns[0]), len(columns)
    out: list = [None] * (2 * k * n)
    out[0::2 * k] = [pieces[-1] + sep + pieces[0]] * n
    out[0] = pieces[0]
    for j in range(1, k):
        out[2 * j::2 * k] = [pieces[j]] * n
    for j, col in enumerate(columns):
        out[2 * j + 1::2 * k] = col
    return "".join(out) + pieces[-1]


def _geojson_chunks(spec: LayerSpec, records, cols):
    """Features as JSON text, one string per chunk of records (features joined by ",\n") and its
    count: byte for byte what ``json.dumps(feature, separators=(",", ":"))`` gives."""
    point = spec.geometry == "Point"
    geom = '{"type":"Point","coordinates":[\0,\0]}' if point else "\0"  # \0: a value (keys cannot hold it)
    props = ",".join(_json_text(name) + ":\0" for name, _ in cols)
    pieces = ('{"type":"Feature","id":\0,"geometry":' + geom + ',"properties":{' + props + "}}").split("\0")
    caches: list[dict | None] = [None if (name, typ) == ("id", "string") else {} for name, typ in cols]
    id_column = cols.index(("id", "string")) if ("id", "string") in cols else None  # rec.id: the same values
    codes: dict = {}
    if isinstance(records, Images):
        placed = np.isfinite(records.lon) & np.isfinite(records.lat)
        records = records if placed.all() else records.take(placed)
        lons, lats = _FloatTexts(records.lon), _FloatTexts(records.lat)
        angles = _FloatTexts(records.angle, repeats=False)  # directions hardly ever repeat
    for rows in _slices(records):
        chunk = records[rows]
        if isinstance(chunk, Images):
            geoms = [lons[rows], lats[rows]]
            texts = _image_json(records, rows, cols, codes, angles)
        else:
            if point:
                chunk = [r for r in chunk if _finite_point(r)]
                geoms = [_json_column([r.lon for r in chunk], "coordinate", None),
                         _json_column([r.lat for r in chunk], "coordinate", None)]
            else:
                pairs = [(r, _lines(r)) for r in chunk]
                chunk = [r for r, lines in pairs if lines]
                geoms = [[_dumps({"type": spec.geometry, "coordinates": lines}) for _, lines in pairs if lines]]
            values = _columns_of(spec, chunk, cols)
            texts = [_json_column(v, typ, cache) for v, (_, typ), cache in zip(values, cols, caches)]
        if not len(chunk):
            continue
        if id_column is not None:
            ids = texts[id_column]
        else:
            ids = _json_column(chunk.id_texts() if isinstance(chunk, Images) else [r.id for r in chunk], "string", None)
        yield _interleave(pieces, [ids, *geoms, *texts], ",\n"), len(chunk)
        for cache in caches:
            if cache is not None and len(cache) > _CHUNK:  # mostly unique values: no use keeping them
                cache.clear()


def write_geojson(path: str, kind: str, records: list, fields=(), description: str = "", append: bool = False,
                  cols: list[Column] | None = None) -> int:
    """A FeatureCollection in WGS84, streamed so a million features need little memory. With
    ``append`` the features already in ``path`` are kept (those whose id comes again replaced).
    Returns the number of features written."""
    spec = LAYERS[kind]
    cols = cols if cols is not None else spec.columns(fields)
    old: list[dict] = []
    if append and os.path.exists(path) and os.path.getsize(path) > 0:
        old = _old_features(path, {str(r.id) for r in records})
    tmp = _part_path(path)
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            head = {"type": "FeatureCollection", "name": kind, "attribution": ATTRIBUTION}
            if description:
                head["description"] = description
            f.write(json.dumps(head, allow_nan=False)[:-1] + ', "features": [\n')
            for feat in old:
                f.write((",\n" if n else "") + json.dumps(feat, separators=(",", ":"), allow_nan=False))
                n += 1
            for text, count in _geojson_chunks(spec, records, cols):
                f.write((",\n" if n else "") + text)
                n += count
            f.write("\n]}\n")
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    return n


# -- GeoPackage (bulk insert) --------------------------------------------------------------------------

def write_gpkg(path: str, kind: str, records: list, fields=(), description: str = "",
               layer: str = "images", append: bool = False, cols: list[Column] | None = None) -> int:
    """A GeoPackage layer in EPSG:4326 with a spatial index; other layers in the file are kept.

    A new file is built aside and renamed into place. An existing layer is replaced atomically:
    the new one is built as ``<layer>__writing`` (bulk SQL insert, spatial index), then the old
    table is dropped and the new one renamed in one SQLite transaction. ``append`` inserts into
    the existing layer in one transaction. Returns the number of rows written."""
    ogr.UseExceptions()
    spec = LAYERS[kind]
    cols = cols if cols is not None else spec.columns(fields)
    if not os.path.exists(path):
        tmp = _part_path(path)
        try:
            n = _gpkg_into(tmp, spec, records, cols, description, layer, fresh_file=True)
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
        return n
    ds = ogr.Open(path, update=1)
    exists = ds.GetLayerByName(layer) is not None
    ds = None
    if append and exists:
        return _gpkg_append(path, spec, records, cols, layer)
    temp = layer + TEMP_SUFFIX
    try:
        n = _gpkg_into(path, spec, records, cols, description, temp)
        ds = ogr.Open(path, update=1)
        ds.StartTransaction()
        if exists:
            ds.ExecuteSQL(f"DROP TABLE {_sql_name(layer)}")
        ds.ExecuteSQL(f"ALTER TABLE {_sql_name(temp)} RENAME TO {_sql_name(layer)}")
        ds.CommitTransaction()
        ds = None
    except BaseException:
        ds = None
        _drop_gpkg_layer(path, temp)
        raise
    return n


def _drop_gpkg_layer(path: str, layer: str) -> None:
    with contextlib.suppress(Exception):
        ds = ogr.Open(path, update=1)
        if ds is not None and ds.GetLayerByName(layer) is not None:
            ds.ExecuteSQL(f"DROP TABLE {_sql_name(layer)}")
        ds = None


def _gpkg_into(path: str, spec: LayerSpec, records, cols, description: str, layer: str,
               fresh_file: bool = False) -> int:
    """Create ``layer`` (replacing a leftover of that name), bulk insert, index."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path) if not os.path.exists(path) else ogr.Open(path, 1)
    if ds.GetLayerByName(layer) is not None:  # a leftover of a write that was killed
        ds.ExecuteSQL(f"DROP TABLE {_sql_name(layer)}")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    gtype = {"Point": ogr.wkbPoint, "MultiLineString": ogr.wkbMultiLineString}[spec.geometry]
    desc = (description + ". " if description else "") + ATTRIBUTION
    lyr = ds.CreateLayer(layer, srs, gtype, options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES",
                                                     "DESCRIPTION=" + desc.replace("\n", " ")])
    for name, typ in cols:
        lyr.CreateField(_field_defn(name, typ, True))
    geom = lyr.GetGeometryColumn()
    ds = None  # GDAL makes the (empty) R-tree, its triggers and the feature count here
    return _bulk_insert(path, layer, geom, spec, records, cols)


def _gpkg_append(path: str, spec: LayerSpec, records, cols, layer: str) -> int:
    ds = ogr.Open(path, update=1)
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    names = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
    missing = [name for name, _ in cols if name not in names]
    geom = lyr.GetGeometryColumn()
    ds = None
    if missing:
        raise OutputError(f"cannot append to layer {layer!r} of {path}: it lacks the fields {', '.join(missing)}")
    return _bulk_insert(path, layer, geom, spec, records, cols)


def _field_defn(name: str, typ: str, dates: bool, width: int = 0) -> ogr.FieldDefn:
    otype = _OGR_TYPES[typ] if dates or typ != "datetime" else ogr.OFTString
    fd = ogr.FieldDefn(name, otype)
    if typ == "bool":
        fd.SetSubType(ogr.OFSTBoolean)
    elif typ == "json":
        fd.SetSubType(ogr.OFSTJSON)
    if width:
        fd.SetWidth(width)
    return fd


_OGR_TYPES = {"string": ogr.OFTString, "datetime": ogr.OFTDateTime, "real": ogr.OFTReal,
              "bool": ogr.OFTInteger, "int": ogr.OFTInteger64, "json": ogr.OFTString}
_GP_POINT = b"GP\x00\x01" + struct.pack("<i", 4326)  # GeoPackage blob header: little endian, no envelope
_GP_LINE = b"GP\x00\x03" + struct.pack("<i", 4326)  # ... with an [minx, maxx, miny, maxy] envelope
# (sequences are written as MultiLineStrings: see records.Sequence.parts)


def _wkb(spec: LayerSpec, rec) -> tuple[bytes, tuple[float, float, float, float]] | None:
    """ISO WKB of a record's geometry and its box; None when it has no finite position."""
    if spec.geometry == "Point":
        if not _finite_point(rec):
            return None
        return struct.pack("<BIdd", 1, 1, rec.lon, rec.lat), (rec.lon, rec.lon, rec.lat, rec.lat)
    lines = _lines(rec)
    if not lines:
        return None
    xs = [c[0] for line in lines for c in line]
    ys = [c[1] for line in lines for c in line]
    wkb = struct.pack("<BII", 1, 5, len(lines)) + b"".join(
        struct.pack(f"<BII{2 * len(line)}d", 1, 2, len(line), *(v for c in line for v in c)) for line in lines)
    return wkb, (min(xs), max(xs), min(ys), max(ys))


def _envelope(blob) -> tuple[float, float, float, float] | None:
    """minx, maxx, miny, maxy of the blobs this module writes (points, envelope-carrying lines)."""
    if blob is None or blob[3] & 0x10:  # empty geometry
        return None
    if blob[3] & 0x0E:
        return struct.unpack_from("<4d", blob, 8)
    x, y = struct.unpack_from("<dd", blob, 13)
    return x, x, y, y


def _gpkg_functions(con: sqlite3.Connection) -> None:
    """The spatial SQL functions GDAL's R-tree triggers call."""
    con.create_function("ST_IsEmpty", 1, lambda b: 1 if _envelope(b) is None else 0, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, lambda b, i=i: (e := _envelope(b)) and e[i], deterministic=True)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_POINT_BLOB = struct.Struct("<13sdd").pack  # GeoPackage header + ISO WKB point
_POINT_HEAD = _GP_POINT + struct.pack("<BI", 1, 1)


def _sql_column(values: list, typ: str, cache: dict) -> list:
    """A column's values as SQLite stores them (what ``_sql_value`` gives, value by value)."""
    if typ in ("string", "int"):
        return values  # as they are (what _sql_value gives them)
    if typ == "real":
        return [v if type(v) is float and v - v == 0.0 else _sql_value(v, typ) for v in values]
    if typ == "bool":
        return [v if type(v) is bool or v is None else _sql_value(v, typ) for v in values]
    if typ == "datetime":
        return _iso_times(values, cache, "")
    return [_sql_value(v, typ) for v in values]


def _sql_columns(spec: LayerSpec, records, cols, caches: list[dict]) -> list[list]:
    """Each column's values as SQLite stores them; the capture times of ``Images`` made from their column."""
    if isinstance(records, Images):
        return [_time_texts(records.cap, "") if (name, typ) == _CAPTURED
                else _sql_column(records.values(name), typ, cache) for (name, typ), cache in zip(cols, caches)]
    return [_sql_column(v, typ, cache) for v, (_, typ), cache in zip(_columns_of(spec, records, cols), cols, caches)]


def _sql_value(v, typ: str):
    v = _clean(v, typ)
    if v is None:
        return None
    if typ == "datetime":
        return iso_time(v)
    if typ == "json":
        return json.dumps(v, allow_nan=False)
    return int(v) if typ == "bool" else v


def _blobs(spec: LayerSpec, records) -> tuple[Any, list[bytes], tuple[list, list, list, list]]:
    """The records with a finite geometry (``Images`` or a list), their GeoPackage blobs, and
    their boxes as four columns: minx, maxx, miny, maxy."""
    if spec.geometry == "Point":
        if isinstance(records, Images):
            points: Any = records.take(np.isfinite(records.lon) & np.isfinite(records.lat))
            lons, lats = points.lon.tolist(), points.lat.tolist()
        else:
            points = [r for r in records if _finite_point(r)]
            lons, lats = [r.lon for r in points], [r.lat for r in points]
        return points, [_POINT_BLOB(_POINT_HEAD, x, y) for x, y in zip(lons, lats)], (lons, lons, lats, lats)
    kept: list = []
    blobs: list[bytes] = []
    boxes: list = []
    for rec in records:
        g = _wkb(spec, rec)
        if g is not None:
            kept.append(rec)
            blobs.append(_GP_LINE + struct.pack("<4d", *g[1]) + g[0])
            boxes.append(g[1])
    return kept, blobs, tuple(list(c) for c in zip(*boxes)) if boxes else ([], [], [], [])  # type: ignore[return-value]


_RTREE_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])  # one cell of an SQLite R-tree node
_RTREE_DOWN = (1.0 + 1.0 / 8388608.0, 1.0 - 1.0 / 8388608.0)  # SQLite's rounding factors (d < 0, d >= 0)


def _rtree_empty(con: sqlite3.Connection, rtree: str) -> bool:
    """The R-tree holds nothing: only its (empty) root node, no entry."""
    nodes = con.execute(f"SELECT count(*) FROM {_sql_name(rtree + '_node')}").fetchone()[0]  # nosec B608
    rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {_sql_name(rtree + '_rowid')})").fetchone()[0]  # nosec B608
    return nodes == 1 and not rows


def _rtree_float(d: np.ndarray, down: bool) -> np.ndarray:
    """Coordinates as SQLite's R-tree stores them: float32 rounded down (minimums) or up (maximums),
    by the same rule as its own insert (rtreeValueDown / rtreeValueUp)."""
    f = d.astype(np.float32)
    wrong = f > d if down else f < d
    if wrong.any():
        neg = d < 0
        factor = np.where(neg, _RTREE_DOWN[0], _RTREE_DOWN[1]) if down else np.where(neg, _RTREE_DOWN[1],
                                                                                     _RTREE_DOWN[0])
        f = np.where(wrong, (d * factor).astype(np.float32), f)
    return f


def _rtree_boxes(minx, maxx, miny, maxy) -> np.ndarray:
    """Boxes (four columns of floats) as the R-tree stores them: n x 4 float32."""
    out = np.empty((len(minx), 4), dtype=np.float32)
    for i, col in enumerate((minx, maxx, miny, maxy)):
        out[:, i] = _rtree_float(np.asarray(col, dtype=np.float64), down=i % 2 == 0)
    return out


def _rtree_pack(con: sqlite3.Connection, rtree: str, first_id: int, box: np.ndarray) -> None:
    """Fill the empty R-tree ``rtree`` (columns minx, maxx, miny, maxy) with the ids ``first_id``,
    ``first_id + 1``, ... and their boxes (``_rtree_boxes``) in one pass: full nodes in sort-tile-recursive
    order written straight into its shadow tables (_node, _rowid, _parent) in SQLite's own format,
    instead of one insert per entry. ``box`` is reordered in place. (The tests check the result with SQLite's
    ``rtreecheck``.)"""
    node_table = _sql_name(rtree + "_node")
    size = con.execute(f"SELECT length(data) FROM {node_table} WHERE nodeno = 1").fetchone()[0]  # nosec B608
    per = (size - 4) // _RTREE_CELL.itemsize
    n = len(box)
    # leaves: vertical slabs by x, each sorted by y (sort-tile-recursive)
    leaves = -(-n // per)
    slabs = max(1, int(math.ceil(math.sqrt(leaves))))
    slab = np.empty(n, dtype=np.int32)
    slab[np.argsort(box[:, 0] + box[:, 1], kind="stable")] = np.arange(n) // (-(-leaves // slabs) * per)
    order = np.lexsort((box[:, 2] + box[:, 3], slab))
    del slab
    for i in range(4):  # in place, a column at a time: the caller's array (a million boxes are 16 MB)
        box[:, i] = box[order, i]
    order += first_id
    levels = [(order, box)]  # entries of each level, bottom up
    while len(levels[-1][0]) > per:
        _, b = levels[-1]
        starts = np.arange(0, len(b), per)
        up = np.column_stack([np.minimum.reduceat(b[:, 0], starts), np.maximum.reduceat(b[:, 1], starts),
                              np.minimum.reduceat(b[:, 2], starts), np.maximum.reduceat(b[:, 3], starts)])
        levels.append((np.zeros(len(starts), dtype=np.int64), up))  # child node numbers: below
    # node numbers: the root is 1, then each level from the top down
    counts = [-(-len(e) // per) for e, _ in levels]  # nodes per level (the top one: 1)
    first, nxt = [0] * len(levels), 2
    first[-1] = 1
    for lv in range(len(levels) - 2, -1, -1):
        first[lv], nxt = nxt, nxt + counts[lv]
    for lv in range(1, len(levels)):
        levels[lv][0][:] = np.arange(first[lv - 1], first[lv - 1] + counts[lv - 1])
    step = 400  # nodes serialised at once (bounded memory)
    for lv, (entries, b) in enumerate(levels):
        mapping = _sql_name(rtree + ("_rowid" if lv == 0 else "_parent"))
        for at in range(0, counts[lv], step):
            k = min(step, counts[lv] - at)
            chunk = slice(at * per, min((at + k) * per, len(entries)))
            m = chunk.stop - chunk.start
            cells = np.zeros(k * per, dtype=_RTREE_CELL)
            cells["id"][:m], cells["box"][:m] = entries[chunk], b[chunk]
            raw = np.zeros((k, size), dtype=np.uint8)
            raw[:, 4:4 + per * _RTREE_CELL.itemsize] = cells.view(np.uint8).reshape(k, -1)
            filled = np.full(k, per)
            filled[-1] = m - per * (k - 1)
            raw[:, 2], raw[:, 3] = filled >> 8, filled & 0xFF
            numbers = range(first[lv] + at, first[lv] + at + k)
            if lv == len(levels) - 1:  # the root: its depth in its first two bytes
                raw[0, 0], raw[0, 1] = (lv >> 8) & 0xFF, lv & 0xFF
                con.execute(f"UPDATE {node_table} SET data = ? WHERE nodeno = 1",  # nosec B608
                            (raw[0].tobytes(),))
            else:
                con.executemany(f"INSERT INTO {node_table} VALUES (?, ?)",  # nosec B608
                                zip(numbers, map(bytes, raw)))
            owner = np.arange(m) // per + (first[lv] + at)  # the node each entry is in
            con.executemany(f"INSERT INTO {mapping} VALUES (?, ?)",  # nosec B608
                            zip(entries[chunk].tolist(), owner.tolist()))


def _bulk_insert(path: str, layer: str, geom: str, spec: LayerSpec, records, cols) -> int:
    """Insert the records in one SQLite transaction: the rows column by column with their fids,
    the R-tree entries in bulk, the feature count and extent once. The table's triggers (R-tree,
    feature count) are dropped for the insert and made again from their own SQL before the commit."""
    rtree = f"rtree_{layer}_{geom}"
    names = ", ".join(_sql_name(n) for n in ["fid", geom] + [c[0] for c in cols])
    marks = ", ".join("?" * (len(cols) + 2))
    con = sqlite3.connect(path, isolation_level=None)
    _gpkg_functions(con)
    try:
        con.execute("BEGIN IMMEDIATE")
        triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                               (layer,)).fetchall()
        has_rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone() is not None
        counted = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone() is not None
        for name, _ in triggers:
            con.execute(f"DROP TRIGGER {_sql_name(name)}")
        start = con.execute(f"SELECT coalesce(max(fid), 0) FROM {_sql_name(layer)}").fetchone()[0]  # nosec B608
        bulk = has_rtree and _rtree_empty(con, rtree)  # packed in one pass after the rows; else row by row
        box = np.empty((len(records) if bulk else 0, 4), dtype=np.float32)  # the R-tree's boxes, filled below
        count = 0
        caches: list[dict] = [{} for _ in cols]
        for rows in _slices(records):
            kept, blobs, boxes = _blobs(spec, records[rows])
            if not kept:
                continue
            ext = (min(boxes[0]), max(boxes[1]), min(boxes[2]), max(boxes[3]))
            fids = range(start + count + 1, start + count + 1 + len(kept))
            values = _sql_columns(spec, kept, cols, caches)
            # identifiers are quoted by _sql_name; every value is a bound parameter
            con.executemany(f"INSERT INTO {_sql_name(layer)} ({names}) VALUES ({marks})",  # nosec B608
                            zip(fids, blobs, *values))
            if bulk:
                box[count:count + len(kept)] = _rtree_boxes(*boxes)
            elif has_rtree:
                con.executemany(f"INSERT INTO {_sql_name(rtree)} VALUES (?, ?, ?, ?, ?)",  # nosec B608
                                zip(fids, *boxes))
            count += len(kept)
            con.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), "
                        "max_x = max(coalesce(max_x, ?2), ?2), min_y = min(coalesce(min_y, ?3), ?3), "
                        "max_y = max(coalesce(max_y, ?4), ?4) WHERE table_name = ?5", (*ext, layer))
            for cache in caches:
                if len(cache) > _CHUNK:
                    cache.clear()
        if bulk and count:
            _rtree_pack(con, rtree, start + 1, box[:count])
        if counted:
            con.execute("UPDATE gpkg_ogr_contents SET feature_count = feature_count + ? "
                        "WHERE lower(table_name) = lower(?)", (count, layer))
        for _, sql in triggers:
            con.execute(sql)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return count


# -- every other format, through OGR --------------------------------------------------------------------

_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj")


def _shapefile_text(value) -> tuple[str, bool]:
    """A JSON list as text of at most 254 characters: whole elements only, still a JSON list
    (its length below image_count says it was cut). Returns (text, cut)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    if len(text) <= SHAPEFILE_TEXT or not isinstance(value, list):
        return text[:SHAPEFILE_TEXT], len(text) > SHAPEFILE_TEXT
    lo, hi = 0, len(value)
    while lo < hi:  # the most elements that fit
        mid = (lo + hi + 1) // 2
        if len(json.dumps(value[:mid], separators=(",", ":"))) <= SHAPEFILE_TEXT:
            lo = mid
        else:
            hi = mid - 1
    return json.dumps(value[:lo], separators=(",", ":")), True


def _ogr_layer(ds, fmt: Format, spec: LayerSpec, cols, layer: str, description: str, options=()):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    gtype = {"Point": ogr.wkbPoint, "MultiLineString": ogr.wkbMultiLineString}[spec.geometry]
    opts = list(options)
    if fmt.driver == "PostgreSQL":
        opts.append("DESCRIPTION=" + ((description + ". ") if description else "") + ATTRIBUTION)
    if fmt.driver == "CSV":
        opts += ["GEOMETRY=AS_WKT"]
    if fmt.driver == "GeoJSONSeq":
        opts += ["COORDINATE_PRECISION=15", "WRITE_NON_FINITE_VALUES=NO"]
    if fmt.driver == "ESRI Shapefile":
        opts += ["ENCODING=UTF-8"]
    lyr = ds.CreateLayer(layer, srs, gtype, options=opts)
    shp = fmt.driver == "ESRI Shapefile"
    for name, typ in cols:
        width = SHAPEFILE_TEXT if shp and typ in ("string", "json") else (24 if shp and typ == "datetime" else 0)
        fd = _field_defn(shapefile_name(name) if shp else name, typ, fmt.dates, width)
        if shp and typ in ("bool", "json"):
            fd.SetSubType(ogr.OFSTNone)
        lyr.CreateField(fd)
    return lyr


def _add_features(lyr, fmt: Format, spec: LayerSpec, records, cols, cut: list) -> int:
    defn = lyr.GetLayerDefn()
    shp = fmt.driver == "ESRI Shapefile"
    n = 0
    for rec in records:
        g = _wkb(spec, rec)
        if g is None:
            continue
        f = ogr.Feature(defn)
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(g[0]))
        for i, ((name, typ), v) in enumerate(zip(cols, spec.row(rec, cols))):
            v = _clean(v, typ)
            if v is None:
                f.SetFieldNull(i)
            elif typ == "datetime":
                f.SetField(i, iso_time(v))
            elif typ == "json":
                if shp:
                    text, was_cut = _shapefile_text(v)
                    if was_cut:
                        cut.append((rec, name))
                    f.SetField(i, text)
                else:
                    f.SetField(i, json.dumps(v, allow_nan=False))
            elif typ == "bool":
                f.SetField(i, int(v))
            elif typ == "string" and shp and len(str(v)) > SHAPEFILE_TEXT:
                f.SetField(i, str(v)[:SHAPEFILE_TEXT])
                cut.append((rec, name))
            else:
                f.SetField(i, v)
        lyr.CreateFeature(f)
        n += 1
    return n


def _write_file(path: str, fmt: Format, kind: str, records, cols, description: str, layer: str) -> Written:
    """A single-layer file through OGR, written aside and renamed into place."""
    ogr.UseExceptions()
    spec = LAYERS[kind]
    if fmt.driver == "CSV" and spec.geometry == "Point":
        cols = list(cols) + [Column("lon", "real"), Column("lat", "real")]
        records = [_WithXY(r) for r in records]
    tmp = _part_path(path)
    stem_tmp, stem = os.path.splitext(tmp)[0], os.path.splitext(path)[0]
    sidecars = _SIDECARS if fmt.driver == "ESRI Shapefile" else (os.path.splitext(path)[1],)
    cut: list = []
    try:
        ds_opts = ["NameField=id"] if fmt.driver == "LIBKML" else []
        ds = ogr.GetDriverByName(fmt.driver).CreateDataSource(tmp, options=ds_opts)
        lyr = _ogr_layer(ds, fmt, spec, cols, layer, description)
        n = _add_features(lyr, fmt, spec, records, cols, cut)
        lyr = None
        gdal.ErrorReset()
        ds.FlushCache()
        ds = None  # some drivers (FlatGeobuf) write here, and GDAL cannot raise from it: ask
        if gdal.GetLastErrorType() >= gdal.CE_Failure:
            raise RuntimeError(gdal.GetLastErrorMsg())
        check = ogr.Open(tmp)
        written = check.GetLayer(0).GetFeatureCount() if check is not None else -1
        check = None
        if written != n:
            raise RuntimeError(f"{written} of {n} features could be read back from the file written")
        for ext in sidecars:  # the new set in, stale ones (an old .qix) out
            if os.path.exists(stem_tmp + ext):
                os.replace(stem_tmp + ext, stem + ext)
            elif fmt.driver == "ESRI Shapefile":
                with contextlib.suppress(OSError):
                    os.unlink(stem + ext)
    except BaseException as e:
        full = _disk_full(tmp)
        with contextlib.suppress(Exception):
            ds = lyr = None
        for ext in sidecars:
            _remove(stem_tmp + ext)
        if full and not isinstance(e, KeyboardInterrupt):
            raise OSError(errno.ENOSPC, "No space left on device") from None
        raise
    warnings = []
    if cut:
        warnings.append(_shapefile_cut(path, spec, records, cols, cut))
    return Written(path, layer, n, warnings)


class _WithXY:
    """A point record with lon/lat as extra columns (CSV)."""

    __slots__ = ("_rec", "extra")

    def __init__(self, rec):
        self._rec = rec
        self.extra = dict(rec.extra or {}, lon=rec.lon, lat=rec.lat)

    def __getattr__(self, name):
        return getattr(self._rec, name)


def _shapefile_cut(path: str, spec: LayerSpec, records, cols, cut: list) -> str:
    """Values longer than a dBASE field: the full values of every record that was cut go to
    ``<stem>.full.csv`` (id and each cut column, JSON lists as JSON)."""
    names = [c for c in cols if c.name in {name for _, name in cut}]
    ids = {rec.id for rec, _ in cut}
    side = os.path.splitext(path)[0] + ".full.csv"
    import csv

    tmp = _part_path(side)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", *[c.name for c in names]])
            for rec in records:
                if rec.id in ids:
                    row = spec.row(rec, names)
                    w.writerow([rec.id, *[json.dumps(_clean(v, c.type), allow_nan=False) if c.type == "json"
                                          else v for c, v in zip(names, row)]])
        os.replace(tmp, side)
    except BaseException:
        _remove(tmp)
        raise
    what = "sequences" if spec.kind == "sequences" else "images"
    return (f"{len(ids):,} {what} have {', '.join(shapefile_name(c.name) for c in names)} longer than a Shapefile "
            f"field holds ({SHAPEFILE_TEXT} characters): the field keeps the first whole elements; "
            f"the full values are in {side}.")


# -- PostGIS ----------------------------------------------------------------------------------------------

def _write_postgis(dest: str, kind: str, records, cols, description: str, layer: str, append: bool) -> Written:
    """A PostGIS table: appended in one transaction, or built as ``<layer>__writing`` and swapped in
    (drop the old table, rename the new one and its index) in one transaction."""
    ogr.UseExceptions()
    spec = LAYERS[kind]
    ds = _open_pg(dest)
    try:
        old = ds.GetLayerByName(layer)
        if append and old is not None:
            defn = old.GetLayerDefn()
            names = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
            missing = [c.name for c in cols if c.name not in names]
            if missing:
                raise OutputError(f"cannot append to table {layer!r}: it lacks the fields {', '.join(missing)}")
            ds.StartTransaction()
            n = _add_features(old, POSTGIS_FMT, spec, records, cols, [])
            ds.CommitTransaction()
            return Written(safe_dest(dest), layer, n)
        temp = layer + TEMP_SUFFIX
        if ds.GetLayerByName(temp) is not None:
            ds.DeleteLayer(temp)
        lyr = _ogr_layer(ds, POSTGIS_FMT, spec, cols, temp, description,
                         ["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST", "OVERWRITE=YES"])
        ds.StartTransaction()
        n = _add_features(lyr, POSTGIS_FMT, spec, records, cols, [])
        ds.CommitTransaction()
        lyr = old = None
        q = _sql_name
        ds.StartTransaction()
        ds.ExecuteSQL(f"DROP TABLE IF EXISTS {q(layer)}")
        ds.ExecuteSQL(f"ALTER TABLE {q(temp)} RENAME TO {q(layer)}")
        ds.ExecuteSQL(f"ALTER INDEX IF EXISTS {q(temp + '_geom_geom_idx')} RENAME TO {q(layer + '_geom_geom_idx')}")
        ds.ExecuteSQL(f"ALTER INDEX IF EXISTS {q(temp + '_pkey')} RENAME TO {q(layer + '_pkey')}")
        res = ds.ExecuteSQL(f"SELECT pg_get_serial_sequence({_sql_text(q(layer))}, 'fid') AS s")
        serial = next(iter(res), None)
        serial = serial.GetField(0) if serial is not None else None
        ds.ReleaseResultSet(res)
        if serial:
            ds.ExecuteSQL(f"ALTER SEQUENCE {serial} RENAME TO {q(layer + '_fid_seq')}")
        ds.CommitTransaction()
        return Written(safe_dest(dest), layer, n)
    except BaseException:
        with contextlib.suppress(Exception):
            ds.RollbackTransaction()
        raise
    finally:
        ds = None


POSTGIS_FMT: Format = format_of("PG:")  # type: ignore[assignment]
