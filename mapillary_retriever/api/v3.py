"""Read the classic v3 API's GeoJSON (the tutorial's format) into today's records.

v3 sequences carry ``coordinateProperties.cas`` and ``coordinateProperties.image_keys``
parallel to the line's coordinates; they map onto Sequence's parallel lists.
People who kept v3 downloads can convert them to the same layers a v4 search gives.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from datetime import datetime

from .errors import QueryError
from .records import Image, Sequence, iso_time


def _ms(text) -> int | None:
    if not text:
        return None
    try:
        return round(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _features(doc: dict) -> list[dict]:
    if doc.get("type") == "FeatureCollection":
        return [f for f in doc.get("features") or [] if isinstance(f, dict)]
    if doc.get("type") == "Feature":
        return [doc]
    raise QueryError("not a v3 GeoJSON document: expected a Feature or FeatureCollection.")


def read_v3(doc: dict) -> tuple[list[Image], list[Sequence]]:
    """Images (Point features) and sequences (LineString features) of a v3 answer."""
    images, sequences = [], []
    for f in _features(doc):
        p = f.get("properties") or {}
        g = f.get("geometry") or {}
        coords = g.get("coordinates") or []
        if g.get("type") == "Point" and len(coords) >= 2 and p.get("key"):
            images.append(Image(str(p["key"]), float(coords[0]), float(coords[1]), str(p.get("sequence_key") or ""),
                                _ms(p.get("captured_at")), _angle(p.get("ca")), bool(p.get("pano")),
                                p.get("user_key"), None,
                                {"username": p.get("username"), "make": p.get("camera_make"),
                                 "model": p.get("camera_model")}))
        elif g.get("type") == "LineString" and len(coords) >= 2 and p.get("key"):
            cp = p.get("coordinateProperties") or {}
            keys = [str(k) for k in cp.get("image_keys") or []]
            cas = [_angle(a) for a in cp.get("cas") or []]
            if len(keys) != len(coords):
                raise QueryError(f"v3 sequence {p['key']}: {len(keys)} image keys for {len(coords)} vertices.")
            times = [_ms(p.get("captured_at"))] + [None] * (len(coords) - 1)  # v3 gave one time per sequence
            sequences.append(Sequence(str(p["key"]), keys, [(float(c[0]), float(c[1])) for c in coords],
                                      (cas + [None] * len(keys))[: len(keys)], times, bool(p.get("pano")),
                                      p.get("user_key"), None, p.get("username")))
    return images, sequences


def _angle(v) -> float | None:
    return float(v) % 360.0 if isinstance(v, (int, float)) else None


# -- writing the v3 layout (--schema v3) -------------------------------------------------------------

def _finite(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, list):
        return [_finite(x) for x in v]
    return v


def v3_feature(kind: str, rec) -> dict | None:
    """One record as the v3 API gave it: images as Points (key, ca, captured_at, pano, user_key,
    username, camera_make, camera_model, sequence_key); sequences as LineStrings (key,
    captured_at, user_key, pano, username, coordinateProperties {cas, image_keys}, parallel to
    the coordinates; a sequence broken in parts is joined into one line, as v3 drew them)."""
    if kind == "images":
        extra = rec.extra or {}
        if not (math.isfinite(rec.lon) and math.isfinite(rec.lat)):
            return None
        props = {"key": rec.id, "ca": _finite(rec.compass_angle), "captured_at": iso_time(rec.captured_at),
                 "pano": bool(rec.is_pano), "user_key": rec.creator_id, "username": extra.get("username"),
                 "camera_make": extra.get("make"), "camera_model": extra.get("model"),
                 "sequence_key": rec.sequence_id}
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [rec.lon, rec.lat]},
                "properties": props}
    coords, angles, ids = rec.coords, rec.compass_angles, rec.image_ids  # (read once: they may be built)
    keep = [k for k, c in enumerate(coords) if math.isfinite(c[0]) and math.isfinite(c[1])]
    if len(keep) < 2:
        return None
    first = next((t for t in rec.captured_at if t is not None), None)
    props = {"key": rec.id, "captured_at": iso_time(first), "user_key": rec.creator_id, "pano": bool(rec.is_pano),
             "username": rec.username,
             "coordinateProperties": {"cas": [_finite(angles[k]) for k in keep],
                                      "image_keys": [ids[k] for k in keep]}}
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(coords[k]) for k in keep]},
            "properties": props}


def write_v3(path: str, kind: str, records, description: str = "") -> int:
    """A v3-layout FeatureCollection, streamed to a file beside ``path`` and renamed into place.
    Returns the number of features."""
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.part-{os.getpid()}")
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            head = {"type": "FeatureCollection"}
            if description:
                head["description"] = description
            f.write(json.dumps(head)[:-1] + ', "features": [\n')
            for rec in records:
                feat = v3_feature(kind, rec)
                if feat is not None:
                    f.write((",\n" if n else "") + json.dumps(feat, separators=(",", ":"), allow_nan=False))
                    n += 1
            f.write("\n]}\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return n
