"""Write search results as GeoJSON or GeoPackage (through GDAL), and the one
schema every output (files, QGIS layers, Processing sinks) shares."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import struct

from osgeo import ogr, osr

from .records import iso_time
from .schema import LAYERS, Column, LayerSpec

ATTRIBUTION = "Images and data © Mapillary contributors, CC BY-SA 4.0 (https://www.mapillary.com)"

class OutputError(ValueError):
    """The destination cannot be written; the message says why, for people."""


FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


def check_destination(path: str, kinds, append: bool = False) -> None:
    """Before any search: the destination can take these layers (folder exists and is writable,
    the file is of the kind its extension says). Raises OutputError."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise OutputError(f"--output must end in .geojson or .gpkg, not {ext or 'nothing'!r}.")
    if len(kinds) > 1 and FORMATS[ext] != "GPKG":
        raise OutputError("'both' writes two layers: give a .gpkg output (GeoJSON holds one layer).")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"the folder of {path} does not exist.")
    if os.path.isdir(path):
        raise OutputError(f"{path} is a folder, not a file.")
    if not os.access(folder, os.W_OK) or os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputError(f"cannot write to {path}: permission denied.")
    if os.path.exists(path) and os.path.getsize(path) > 0 and FORMATS[ext] == "GPKG":
        with open(path, "rb") as f:
            if not f.read(16).startswith(b"SQLite format 3"):
                raise OutputError(f"{path} exists and is not a GeoPackage: choose another name.")


def would_replace(path: str, kinds, append: bool = False) -> bool:
    """Would writing these layers replace data that is there now?"""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False
    if FORMATS.get(os.path.splitext(path)[1].lower()) != "GPKG":
        return True
    if append:
        return False
    ds = ogr.Open(path)
    try:
        return ds is None or any(ds.GetLayerByName(LAYERS[k].table) is not None for k in kinds)
    finally:
        ds = None


def beside(path: str, tag: str) -> str:
    """``out.gpkg`` -> ``out.incomplete.gpkg`` (numbered when that exists too)."""
    stem, ext = os.path.splitext(path)
    candidate, n = f"{stem}.{tag}{ext}", 2
    while os.path.exists(candidate):
        candidate, n = f"{stem}.{tag}-{n}{ext}", n + 1
    return candidate


def columns(kind: str, fields=()) -> list[Column]:
    return LAYERS[kind].columns(fields)


def write(path: str, kind: str, records: list, fields=(), description: str = "", layer: str | None = None,
          append: bool = False) -> str:
    """Write images or sequences to ``.geojson`` or ``.gpkg``; returns the layer name."""
    layer = layer or LAYERS[kind].table
    ext = os.path.splitext(path)[1].lower()
    try:
        if FORMATS.get(ext) == "GeoJSON":
            write_geojson(path, kind, records, fields, description)
        elif FORMATS.get(ext) == "GPKG":
            write_gpkg(path, kind, records, fields, description, layer, append)
        else:
            raise OutputError(f"cannot write {ext or 'a file without extension'}: use .geojson or .gpkg")
    except (OSError, RuntimeError, sqlite3.Error) as e:
        raise OutputError(f"could not write {path}: {e}") from None
    return layer


def _json_value(v, typ):
    return iso_time(v) if typ == "datetime" else v


def write_geojson(path: str, kind: str, records: list, fields=(), description: str = "") -> None:
    """A FeatureCollection in WGS84, streamed so a million features need little memory."""
    spec = LAYERS[kind]
    cols = spec.columns(fields)
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        head = {"type": "FeatureCollection", "name": kind, "attribution": ATTRIBUTION}
        if description:
            head["description"] = description
        f.write(json.dumps(head)[:-1] + ', "features": [\n')
        for n, rec in enumerate(records):
            geom = {"type": spec.geometry, "coordinates": spec.coordinates(rec)}
            row = spec.row(rec, cols)
            props = {name: _json_value(v, typ) for (name, typ), v in zip(cols, row)}
            feat = {"type": "Feature", "id": rec.id, "geometry": geom, "properties": props}
            f.write((",\n" if n else "") + json.dumps(feat, separators=(",", ":")))
        f.write("\n]}\n")
    os.replace(tmp, path)


def write_gpkg(path: str, kind: str, records: list, fields=(), description: str = "",
               layer: str = "images", append: bool = False) -> None:
    """A GeoPackage layer in EPSG:4326 with a spatial index; other layers in the file are kept.

    OGR creates the file and the layer; the rows then go in by one bulk SQL insert (a few µs
    a row instead of tens through OGR), and GDAL builds the spatial index in one pass. When
    appending, the layer's own R-tree triggers run, with the functions they call given here."""
    ogr.UseExceptions()
    spec = LAYERS[kind]
    cols = spec.columns(fields)
    ds = ogr.Open(path, update=1) if os.path.exists(path) else ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.GetLayerByName(layer)
    if lyr is not None and not append:
        ds.DeleteLayer(layer)
        lyr = None
    fresh = lyr is None
    if fresh:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(4326)
        gtype = {"Point": ogr.wkbPoint, "MultiLineString": ogr.wkbMultiLineString}[spec.geometry]
        desc = (description + ". " if description else "") + ATTRIBUTION
        lyr = ds.CreateLayer(layer, srs, gtype, options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NO",
                                                         "DESCRIPTION=" + desc.replace("\n", " ")])
        for name, typ in cols:
            fd = ogr.FieldDefn(name, _OGR_TYPES[typ])
            if typ == "bool":
                fd.SetSubType(ogr.OFSTBoolean)
            elif typ == "json":
                fd.SetSubType(ogr.OFSTJSON)
            lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    names = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
    missing = [name for name, _ in cols if name not in names]
    if missing:
        raise OutputError(f"cannot append to layer {layer!r} of {path}: it lacks the fields {', '.join(missing)}")
    geom = lyr.GetGeometryColumn()
    ds = None
    _bulk_insert(path, layer, geom, spec, records, cols)
    if fresh:
        ds = ogr.Open(path, update=1)
        ds.ReleaseResultSet(ds.ExecuteSQL(f"SELECT CreateSpatialIndex({_sql_text(layer)}, {_sql_text(geom)})"))
        ds = None


_OGR_TYPES = {"string": ogr.OFTString, "datetime": ogr.OFTDateTime, "real": ogr.OFTReal,
              "bool": ogr.OFTInteger, "int": ogr.OFTInteger64, "json": ogr.OFTString}
_GP_POINT = b"GP\x00\x01" + struct.pack("<i", 4326)  # GeoPackage blob header: little endian, no envelope
_GP_LINE = b"GP\x00\x03" + struct.pack("<i", 4326)  # ... with an [minx, maxx, miny, maxy] envelope
# (sequences are written as MultiLineStrings: see records.Sequence.parts)


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


def _bulk_insert(path: str, layer: str, geom: str, spec: LayerSpec, records, cols) -> None:
    def value(v, typ):
        if v is None:
            return None
        if typ == "datetime":
            return iso_time(v)
        if typ == "json":
            return json.dumps(v)
        return int(v) if typ == "bool" else v

    ext = [math.inf, -math.inf, math.inf, -math.inf]  # minx, maxx, miny, maxy

    def rows():
        for rec in records:
            if spec.geometry == "Point":
                blob = _GP_POINT + struct.pack("<BIdd", 1, 1, rec.lon, rec.lat)
                box = (rec.lon, rec.lon, rec.lat, rec.lat)
            else:
                xs = [c[0] for c in rec.coords]
                ys = [c[1] for c in rec.coords]
                box = (min(xs), max(xs), min(ys), max(ys))
                lines = rec.lines()
                blob = _GP_LINE + struct.pack("<4dBII", *box, 1, 5, len(lines)) + b"".join(
                    struct.pack(f"<BII{2 * len(line)}d", 1, 2, len(line), *(v for c in line for v in c))
                    for line in lines)
            ext[:] = min(ext[0], box[0]), max(ext[1], box[1]), min(ext[2], box[2]), max(ext[3], box[3])
            yield (blob, *[value(v, t) for (_, t), v in zip(cols, spec.row(rec, cols))])

    names = ", ".join(_sql_name(n) for n in [geom] + [c[0] for c in cols])
    marks = ", ".join("?" * (len(cols) + 1))
    con = sqlite3.connect(path)
    _gpkg_functions(con)
    try:
        with con:
            # identifiers are quoted by _sql_name; every value is a bound parameter
            con.executemany(f"INSERT INTO {_sql_name(layer)} ({names}) VALUES ({marks})", rows())  # nosec B608
            if ext[0] <= ext[1]:  # grow the layer's extent in gpkg_contents
                con.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), "
                            "max_x = max(coalesce(max_x, ?2), ?2), min_y = min(coalesce(min_y, ?3), ?3), "
                            "max_y = max(coalesce(max_y, ?4), ?4) WHERE table_name = ?5", (*ext, layer))
    finally:
        con.close()
