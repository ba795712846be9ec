"""Read the classic v3 API's GeoJSON (the tutorial's format) into today's records.

v3 sequences carry ``coordinateProperties.cas`` and ``coordinateProperties.image_keys``
parallel to the line's coordinates; they map onto Sequence's parallel lists.
People who kept v3 downloads can convert them to the same layers a v4 search gives.
"""

from __future__ import annotations

from datetime import datetime

from .errors import QueryError
from .records import Image, Sequence


def _ms(text) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp() * 1000)
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
