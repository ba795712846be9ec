"""OGR's own ways of writing image records to a GeoPackage, to set against the engine's blob
writer (``mapillary_retriever.api.output.write_gpkg``, a bulk SQL insert of hand-made blobs).

Both give the same layer as the engine: EPSG:4326 points in ``geom``, ``fid``, the image
columns with the same types, and an R-tree spatial index.

* ``features``: one ``ogr.Feature`` per image, typed setters, ``CreateFeature`` inside one
  transaction (what the engine would do if it used OGR plainly).
* ``csv``: Python makes CSV text (with a ``.csvt`` of the column types) in ``/vsimem`` and
  ``gdal.VectorTranslate`` writes the GeoPackage: OGR does every row in C.

(GDAL 3.8's ``Layer.WriteArrowBatch`` would be a third; this GDAL has it only if
``hasattr(ogr.Layer, "WriteArrowBatch")``.)
"""

from __future__ import annotations

import os

from osgeo import _ogr, gdal, ogr, osr

from mapillary_retriever.api.output import ATTRIBUTION, columns
from mapillary_retriever.api.records import iso_time
from mapillary_retriever.api.schema import LAYERS

gdal.UseExceptions()
ogr.UseExceptions()

_OGR_TYPES = {"string": ogr.OFTString, "datetime": ogr.OFTDateTime, "real": ogr.OFTReal,
              "bool": ogr.OFTInteger, "int": ogr.OFTInteger64}
_CSVT = {"string": "String", "datetime": "DateTime", "real": "Real", "bool": "Integer(Boolean)", "int": "Integer64"}
_OPTIONS = ["GEOMETRY_NAME=geom", "FID=fid", "DESCRIPTION=" + ATTRIBUTION]


def image_columns(fields=()):
    return columns("images", fields)


def image_row(img, cols) -> list:
    return LAYERS["images"].row(img, cols)


def write_features(path: str, images: list, fields=(), layer: str = "images") -> None:
    cols = image_columns(fields)
    if os.path.exists(path):
        os.unlink(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPoint, options=_OPTIONS)
    for name, typ in cols:
        fd = ogr.FieldDefn(name, _OGR_TYPES[typ])
        if typ == "bool":
            fd.SetSubType(ogr.OFSTBoolean)
        lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    setters = []  # the bindings' typed setters, without the Python dispatch of Feature.SetField
    for i, (_, typ) in enumerate(cols):
        if typ == "datetime":
            setters.append((i, _ogr.Feature_SetFieldString, iso_time))
        elif typ == "string":
            setters.append((i, _ogr.Feature_SetFieldString, None))
        elif typ == "real":
            setters.append((i, _ogr.Feature_SetField, float))
        else:
            setters.append((i, _ogr.Feature_SetFieldInteger64, int))
    ds.StartTransaction()
    for img in images:
        f = ogr.Feature(defn)
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(img.lon, img.lat)
        f.SetGeometryDirectly(g)
        for (i, setter, conv), v in zip(setters, image_row(img, cols)):
            if v is not None:
                setter(f, i, conv(v) if conv else v)
        lyr.CreateFeature(f)
    ds.CommitTransaction()
    ds = None


def _csv_text(v) -> str:
    if v is None:
        return ""
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def write_csv(path: str, images: list, fields=(), layer: str = "images") -> None:
    cols = image_columns(fields)
    src = f"/vsimem/bench_{os.getpid()}.csv"
    names = [n for n, _ in cols]
    lines = [",".join(names + ["lon", "lat"])]
    for img in images:
        row = image_row(img, cols)
        lines.append(",".join([_csv_text(iso_time(v) if t == "datetime" else int(v) if t == "bool" and v is not None
                                         else v) for (_, t), v in zip(cols, row)] + [repr(img.lon), repr(img.lat)]))
    gdal.FileFromMemBuffer(src, ("\n".join(lines) + "\n").encode("utf-8"))
    gdal.FileFromMemBuffer(src + "t", ",".join([_CSVT[t] for _, t in cols] + ["CoordX", "CoordY"]).encode())
    del lines
    try:
        if os.path.exists(path):
            os.unlink(path)
        gdal.VectorTranslate(path, src, format="GPKG", layerName=layer, dstSRS="EPSG:4326", reproject=False,
                             geometryType="POINT", layerCreationOptions=_OPTIONS, selectFields=names)
    finally:
        gdal.Unlink(src)
        gdal.Unlink(src + "t")
