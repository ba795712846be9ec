"""The output formats, chosen by the output's extension (or ``PG:`` for PostGIS), and the fixed
table of Shapefile field names (a dBASE field name holds at most 10 characters).

``SHAPEFILE_NAMES`` maps every column ``api.schema`` can produce (the base columns of both
layers, every extra field's columns, and ``file`` from ``--download``) to a short name; a
column missing from the table (none today) is cut to its first 10 characters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # for people
    driver: str  # GDAL's driver
    multi: bool  # several layers in one dataset (otherwise 'both' writes two files)
    dates: bool  # native date-time fields (otherwise ISO 8601 text)
    append: bool  # --append is supported


FORMATS: dict[str, Format] = {
    ".geojson": Format("GeoJSON", "GeoJSON", False, False, True),
    ".json": Format("GeoJSON", "GeoJSON", False, False, True),
    ".geojsonl": Format("GeoJSON sequence", "GeoJSONSeq", False, True, False),
    ".geojsons": Format("GeoJSON sequence", "GeoJSONSeq", False, True, False),
    ".gpkg": Format("GeoPackage", "GPKG", True, True, True),
    ".shp": Format("Shapefile", "ESRI Shapefile", False, False, False),
    ".fgb": Format("FlatGeobuf", "FlatGeobuf", False, True, False),
    ".csv": Format("CSV", "CSV", False, False, False),
    ".kml": Format("KML", "LIBKML", False, False, False),
}
POSTGIS = Format("PostGIS", "PostgreSQL", True, True, True)
EXTENSIONS = sorted(FORMATS)

# Shapefile: every column of api.schema, with its 10-character name
SHAPEFILE_NAMES: dict[str, str] = {
    # both layers
    "id": "id", "captured_at": "captured", "is_pano": "is_pano", "creator_id": "creator",
    "organization_id": "org_id", "username": "username",
    # images
    "sequence_id": "seq_id", "compass_angle": "compass",
    # sequences
    "image_count": "img_count", "image_ids": "image_ids", "compass_angles": "compasses",
    "last_captured_at": "last_capt",
    # extra fields (--fields)
    "make": "make", "model": "model", "camera_type": "cam_type", "computed_lon": "c_lon", "computed_lat": "c_lat",
    "computed_compass_angle": "c_compass", "altitude": "altitude", "computed_altitude": "c_altitude",
    "quality_score": "quality", "width": "width", "height": "height",
    # --download
    "file": "file",
}
SHAPEFILE_TEXT = 254  # the longest text a dBASE field holds


def shapefile_name(column: str) -> str:
    return SHAPEFILE_NAMES.get(column, column[:10])


def is_postgis(dest: str) -> bool:
    return dest[:3].upper() == "PG:"


def format_of(dest: str) -> Format | None:
    if is_postgis(dest):
        return POSTGIS
    return FORMATS.get(os.path.splitext(dest)[1].lower())
