"""Write search results as GeoJSON or GeoPackage (through GDAL), and the one
schema every output (files, QGIS layers, Processing sinks) shares."""

from __future__ import annotations

import json
import os

from osgeo import ogr, osr

from .records import Image, Sequence, iso_time

ATTRIBUTION = "Images and data © Mapillary contributors, CC BY-SA 4.0 (https://www.mapillary.com)"

# (name, type) with type one of: string, datetime, real, bool, int, json
IMAGE_COLUMNS = [("id", "string"), ("sequence_id", "string"), ("captured_at", "datetime"),
                 ("compass_angle", "real"), ("is_pano", "bool"), ("creator_id", "string"),
                 ("organization_id", "string")]
EXTRA_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "username": [("username", "string")],
    "make": [("make", "string")],
    "model": [("model", "string")],
    "camera_type": [("camera_type", "string")],
    "computed_geometry": [("computed_lon", "real"), ("computed_lat", "real")],
    "computed_compass_angle": [("computed_compass_angle", "real")],
    "altitude": [("altitude", "real")],
    "computed_altitude": [("computed_altitude", "real")],
    "quality_score": [("quality_score", "real")],
    "width": [("width", "int")],
    "height": [("height", "int")],
}
SEQUENCE_COLUMNS = [("id", "string"), ("image_count", "int"), ("image_ids", "json"),
                    ("compass_angles", "json"), ("captured_at", "datetime"), ("last_captured_at", "datetime"),
                    ("is_pano", "bool"), ("creator_id", "string"), ("organization_id", "string")]


def image_columns(fields=()) -> list[tuple[str, str]]:
    cols = list(IMAGE_COLUMNS)
    for f in fields:
        cols += EXTRA_COLUMNS[f]
    return cols


def sequence_columns(fields=()) -> list[tuple[str, str]]:
    return SEQUENCE_COLUMNS + ([("username", "string")] if "username" in fields else [])


def image_row(img: Image, columns) -> list:
    """Values in column order; times stay epoch milliseconds."""
    extra = img.extra or {}
    base = {"id": img.id, "sequence_id": img.sequence_id, "captured_at": img.captured_at,
            "compass_angle": img.compass_angle, "is_pano": img.is_pano, "creator_id": img.creator_id,
            "organization_id": img.organization_id}
    return [base[n] if n in base else extra.get(n) for n, _ in columns]


def sequence_row(seq: Sequence, columns) -> list:
    values = {"id": seq.id, "image_count": len(seq.image_ids), "image_ids": seq.image_ids,
              "compass_angles": seq.compass_angles, "captured_at": seq.captured_at[0],
              "last_captured_at": seq.captured_at[-1], "is_pano": seq.is_pano, "creator_id": seq.creator_id,
              "organization_id": seq.organization_id, "username": seq.username}
    return [values[n] for n, _ in columns]


def write(path: str, kind: str, records: list, fields=(), description: str = "", layer: str | None = None,
          append: bool = False) -> str:
    """Write images or sequences to ``.geojson`` or ``.gpkg``; returns the layer name."""
    layer = layer or ("images" if kind == "images" else "sequences")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".geojson", ".json"):
        write_geojson(path, kind, records, fields, description)
    elif ext == ".gpkg":
        write_gpkg(path, kind, records, fields, description, layer, append)
    else:
        raise ValueError(f"cannot write {ext or 'a file without extension'}: use .geojson or .gpkg")
    return layer


def _json_value(v, typ):
    return iso_time(v) if typ == "datetime" else v


def write_geojson(path: str, kind: str, records: list, fields=(), description: str = "") -> None:
    """A FeatureCollection in WGS84, streamed so a million features need little memory."""
    cols = image_columns(fields) if kind == "images" else sequence_columns(fields)
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        head = {"type": "FeatureCollection", "name": kind, "attribution": ATTRIBUTION}
        if description:
            head["description"] = description
        f.write(json.dumps(head)[:-1] + ', "features": [\n')
        for n, rec in enumerate(records):
            if kind == "images":
                geom = {"type": "Point", "coordinates": [rec.lon, rec.lat]}
                row = image_row(rec, cols)
            else:
                geom = {"type": "LineString", "coordinates": [list(c) for c in rec.coords]}
                row = sequence_row(rec, cols)
            props = {name: _json_value(v, typ) for (name, typ), v in zip(cols, row)}
            feat = {"type": "Feature", "id": rec.id, "geometry": geom, "properties": props}
            f.write((",\n" if n else "") + json.dumps(feat, separators=(",", ":")))
        f.write("\n]}\n")
    os.replace(tmp, path)


def write_gpkg(path: str, kind: str, records: list, fields=(), description: str = "",
               layer: str = "images", append: bool = False) -> None:
    """A GeoPackage layer in EPSG:4326; other layers in the file are kept."""
    ogr.UseExceptions()
    cols = image_columns(fields) if kind == "images" else sequence_columns(fields)
    ds = ogr.Open(path, update=1) if os.path.exists(path) else ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.GetLayerByName(layer)
    if lyr is not None and not append:
        ds.DeleteLayer(layer)
        lyr = None
    if lyr is None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(4326)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        gtype = ogr.wkbPoint if kind == "images" else ogr.wkbLineString
        desc = (description + ". " if description else "") + ATTRIBUTION
        lyr = ds.CreateLayer(layer, srs, gtype, options=["GEOMETRY_NAME=geom", "FID=fid",
                                                         "DESCRIPTION=" + desc.replace("\n", " ")])
        for name, typ in cols:
            fd = ogr.FieldDefn(name, {"string": ogr.OFTString, "datetime": ogr.OFTDateTime, "real": ogr.OFTReal,
                                      "bool": ogr.OFTInteger, "int": ogr.OFTInteger64, "json": ogr.OFTString}[typ])
            if typ == "bool":
                fd.SetSubType(ogr.OFSTBoolean)
            elif typ == "json":
                fd.SetSubType(ogr.OFSTJSON)
            lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    idx = [defn.GetFieldIndex(name) for name, _ in cols]
    missing = [name for (name, _), i in zip(cols, idx) if i < 0]
    if missing:
        raise ValueError(f"cannot append to layer {layer!r} of {path}: it lacks the fields {', '.join(missing)}")
    ds.StartTransaction()
    for n, rec in enumerate(records):
        feat = ogr.Feature(defn)
        if kind == "images":
            g = ogr.Geometry(ogr.wkbPoint)
            g.AddPoint_2D(rec.lon, rec.lat)
            row = image_row(rec, cols)
        else:
            g = ogr.Geometry(ogr.wkbLineString)
            for x, y in rec.coords:
                g.AddPoint_2D(x, y)
            row = sequence_row(rec, cols)
        feat.SetGeometryDirectly(g)
        for i, (_, typ), v in zip(idx, cols, row):
            if v is None:
                continue
            if typ == "datetime":
                feat.SetField(i, iso_time(v))
            elif typ == "json":
                feat.SetField(i, json.dumps(v))
            else:
                feat.SetField(i, v)
        lyr.CreateFeature(feat)
        if n % 100_000 == 99_999:
            ds.CommitTransaction()
            ds.StartTransaction()
    ds.CommitTransaction()
    ds = None
