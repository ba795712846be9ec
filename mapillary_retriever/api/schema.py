"""The one schema every output reads: files, QGIS layers, Processing sinks.

``LAYERS`` holds a spec per layer kind (its default table name, title, geometry,
columns and row builder); ``EXTRA_FIELDS`` the one table of extra image fields the
Graph API adds (its Graph field, columns, label and parser). Labels are marked for
translation with ``QT_TRANSLATE_NOOP("schema", …)`` semantics: the widgets translate
them in the context ``schema``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .records import Image, Images, Sequence


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name pylupdate looks for)
    return text


class Column(NamedTuple):
    name: str
    type: str  # string, datetime (epoch ms), real, bool, int, json


def _finite(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) and abs(f) < 1e15 else None


def _whole(v) -> int | None:
    f = _finite(v)
    return int(f) if f is not None and f == int(f) else None


def _text(v) -> str | None:
    return v[:1000] if isinstance(v, str) else None


def _username(row: dict) -> dict:
    creator = row.get("creator")
    return {"username": _text(creator.get("username")) if isinstance(creator, dict) else None}


def _computed_geometry(row: dict) -> dict:
    g = row.get("computed_geometry")
    c = g.get("coordinates") if isinstance(g, dict) else None
    lon, lat = (_finite(c[0]), _finite(c[1])) if isinstance(c, list) and len(c) >= 2 else (None, None)
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        lon = lat = None
    return {"computed_lon": lon, "computed_lat": lat}


def _altitude(name: str) -> Callable[[dict], dict]:
    def parse(row: dict) -> dict:
        v = _finite(row.get(name))
        if v is not None and v >= 2**31:
            v -= 2**32  # negative altitudes arrive wrapped as unsigned 32-bit
        return {name: v}
    return parse


def _plain(name: str, typ: str) -> Callable[[dict], dict]:
    conv = {"string": _text, "real": _finite, "int": _whole}[typ]
    return lambda row: {name: conv(row.get(name))}


@dataclass(frozen=True)
class ExtraField:
    name: str  # what the user picks (--fields)
    graph: str  # the Graph API field that provides it
    columns: tuple[Column, ...]
    label: str  # for people; translated in the context "schema"
    parse: Callable[[dict], dict]  # a Graph API row -> {column: value}; None where unusable


def _extra(name: str, graph: str, label: str, typ: str = "string", parse=None, columns=None) -> ExtraField:
    return ExtraField(name, graph, tuple(columns or (Column(name, typ),)), label, parse or _plain(name, typ))


EXTRA_FIELDS: dict[str, ExtraField] = {f.name: f for f in (
    _extra("username", "creator", QT_TRANSLATE_NOOP("schema", "Username"), parse=_username),
    _extra("make", "make", QT_TRANSLATE_NOOP("schema", "Camera make")),
    _extra("model", "model", QT_TRANSLATE_NOOP("schema", "Camera model")),
    _extra("camera_type", "camera_type", QT_TRANSLATE_NOOP("schema", "Camera type")),
    _extra("computed_geometry", "computed_geometry", QT_TRANSLATE_NOOP("schema", "Computed position"),
           parse=_computed_geometry, columns=(Column("computed_lon", "real"), Column("computed_lat", "real"))),
    _extra("computed_compass_angle", "computed_compass_angle", QT_TRANSLATE_NOOP("schema", "Computed direction"),
           "real"),
    _extra("altitude", "altitude", QT_TRANSLATE_NOOP("schema", "Altitude"), "real", _altitude("altitude")),
    _extra("computed_altitude", "computed_altitude", QT_TRANSLATE_NOOP("schema", "Computed altitude"), "real",
           _altitude("computed_altitude")),
    _extra("quality_score", "quality_score", QT_TRANSLATE_NOOP("schema", "Quality score"), "real"),
    _extra("width", "width", QT_TRANSLATE_NOOP("schema", "Width"), "int"),
    _extra("height", "height", QT_TRANSLATE_NOOP("schema", "Height"), "int"),
)}


def lacking(images, fields) -> list[int]:
    """The indexes of the images (a list of ``Image`` or ``Images``) that lack one of these extra
    fields' columns."""
    if not fields:
        return []
    names = [c.name for f in fields for c in EXTRA_FIELDS[f].columns]
    extras = images.extra if isinstance(images, Images) else [i.extra for i in images]
    if extras is None:
        return list(range(len(images)))
    return [k for k, e in enumerate(extras) if e is None or any(n not in e for n in names)]


def extras_from_graph(row: dict, fields) -> dict:
    """The extra columns of ``fields`` from one Graph API row."""
    out: dict = {}
    for f in fields:
        out.update(EXTRA_FIELDS[f].parse(row))
    return out


@dataclass(frozen=True)
class LayerSpec:
    kind: str  # "images" or "sequences"
    table: str  # default layer/table name in files
    title: str  # default layer name in QGIS (translated in the context "schema")
    geometry: str  # "Point" or "MultiLineString"
    base: tuple[Column, ...]
    values: Callable[[Any], dict]  # record -> {column: value}

    def columns(self, fields=()) -> list[Column]:
        cols = list(self.base)
        for f in fields:
            if self.kind == "images":
                cols += EXTRA_FIELDS[f].columns
            elif f == "username":
                cols.append(Column("username", "string"))
        return cols

    def row(self, record, columns) -> list:
        """Values in column order; times stay epoch milliseconds."""
        values = self.values(record)
        extra = getattr(record, "extra", None) or {}
        return [values[c.name] if c.name in values else extra.get(c.name) for c in columns]

    def coordinates(self, record):
        """(lon, lat) for a point; a list of lines of (lon, lat) for a sequence."""
        return (record.lon, record.lat) if self.kind == "images" else record.lines()


def _image_values(img: Image) -> dict:
    return {"id": img.id, "sequence_id": img.sequence_id, "captured_at": img.captured_at,
            "compass_angle": img.compass_angle, "is_pano": img.is_pano, "creator_id": img.creator_id,
            "organization_id": img.organization_id}


def _sequence_values(seq: Sequence) -> dict:
    first, last = seq.first_last()
    return {"id": seq.id, "image_count": seq.count, "image_ids": seq.image_ids,
            "compass_angles": seq.compass_angles, "captured_at": first,
            "last_captured_at": last, "is_pano": seq.is_pano, "creator_id": seq.creator_id,
            "organization_id": seq.organization_id, "username": seq.username}


IMAGES = LayerSpec("images", "images", QT_TRANSLATE_NOOP("schema", "Mapillary images"), "Point", (
    Column("id", "string"), Column("sequence_id", "string"), Column("captured_at", "datetime"),
    Column("compass_angle", "real"), Column("is_pano", "bool"), Column("creator_id", "string"),
    Column("organization_id", "string")), _image_values)
SEQUENCES = LayerSpec("sequences", "sequences", QT_TRANSLATE_NOOP("schema", "Mapillary sequences"),
                      "MultiLineString", (
    Column("id", "string"), Column("image_count", "int"), Column("image_ids", "json"),
    Column("compass_angles", "json"), Column("captured_at", "datetime"), Column("last_captured_at", "datetime"),
    Column("is_pano", "bool"), Column("creator_id", "string"), Column("organization_id", "string")),
    _sequence_values)
LAYERS: dict[str, LayerSpec] = {"images": IMAGES, "sequences": SEQUENCES}
