"""Mapbox Vector Tile v2 encoder (hand-written protobuf) and the sandbox's tile renderer.

The layout mirrors the real ``mly1_public`` tiles (checked against recorded tiles):
- layers ``overview`` (z0-5, points), ``sequence`` (z6-14, lines), ``image`` (z14, points);
  at z14 ``sequence`` comes first, then ``image`` (as in the 2025 recording);
- feature ids are a running index across the layers of a tile (clients must use the
  ``id`` property, not the feature id);
- each feature's tags are in alphabetical key order, the layer's key table in order of
  first appearance, values deduplicated per layer;
- property types: ``id``/``captured_at``/``creator_id``/``organization_id``/``image_id``
  int64 (``int_value``), ``compass_angle`` double, ``is_pano`` bool, ``sequence_id`` and
  the sequence ``id`` strings; ``compass_angle`` and ``organization_id`` are left out
  when unknown.
- sequence lines are clipped exactly at the tile edge (no buffer), so a sequence that
  leaves and re-enters a tile becomes a multi-part line.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable
from collections.abc import Sequence as Seq

from .world import EXTENT, Image, World

_M64 = (1 << 64) - 1
_VARINT_CACHE = []
for _n in range(1 << 14):
    _b = bytearray()
    _v = _n
    while _v > 0x7F:
        _b.append((_v & 0x7F) | 0x80)
        _v >>= 7
    _b.append(_v)
    _VARINT_CACHE.append(bytes(_b))
del _n, _b, _v


def varint(n: int) -> bytes:
    if 0 <= n < 16384:
        return _VARINT_CACHE[n]
    n &= _M64  # negative int64 as two's complement (10 bytes)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _field_bytes(tag: int, payload: bytes) -> bytes:
    return varint(tag) + varint(len(payload)) + payload


_POINT, _LINESTRING = 1, 2


class LayerEncoder:
    """Collects features of one layer; ``encode()`` gives the Layer message bytes."""

    def __init__(self, name: str, extent: int = EXTENT) -> None:
        self.name = name
        self.extent = extent
        self.keys: dict[str, int] = {}
        self.values: dict[tuple[int, object], int] = {}
        self.value_bytes: list[bytes] = []
        self.features: list[bytes] = []

    def __len__(self) -> int:
        return len(self.features)

    def _tags(self, props: Iterable[tuple[str, object]]) -> bytes:
        out = []
        keys, values = self.keys, self.values
        for k, v in props:
            ki = keys.get(k)
            if ki is None:
                ki = keys[k] = len(keys)
            # bool before int: True == 1 must not share a value slot with int 1
            t = 7 if v is True or v is False else 4 if type(v) is int else 3 if type(v) is float else 1
            vk = (t, v)
            vi = values.get(vk)
            if vi is None:
                vi = values[vk] = len(values)
                if t == 1:
                    self.value_bytes.append(_field_bytes(0x0A, str(v).encode()))
                elif t == 3:
                    self.value_bytes.append(b"\x19" + struct.pack("<d", v))
                elif t == 4:
                    self.value_bytes.append(b"\x20" + varint(v))
                else:
                    self.value_bytes.append(b"\x38\x01" if v else b"\x38\x00")
            out.append(varint(ki))
            out.append(varint(vi))
        return b"".join(out)

    def _add(self, fid: int | None, gtype: int, geometry: bytes, props: Iterable[tuple[str, object]]) -> None:
        tags = self._tags(props)
        feat = (b"\x08" + varint(fid) if fid is not None else b"") + \
            b"\x12" + varint(len(tags)) + tags + \
            b"\x18" + bytes((gtype,)) + \
            b"\x22" + varint(len(geometry)) + geometry
        self.features.append(b"\x12" + varint(len(feat)) + feat)

    def add_point(self, fid: int | None, x: int, y: int, props: Iterable[tuple[str, object]]) -> None:
        self._add(fid, _POINT, b"\x09" + varint(zigzag(x)) + varint(zigzag(y)), props)

    def add_line(self, fid: int | None, parts: Seq[Seq[tuple[int, int]]], props: Iterable[tuple[str, object]]) -> None:
        """A (multi-)linestring; each part needs at least 2 points."""
        g = []
        cx = cy = 0
        for part in parts:
            x, y = part[0]
            g.append(b"\x09" + varint(zigzag(x - cx)) + varint(zigzag(y - cy)))
            cx, cy = x, y
            g.append(varint(2 | ((len(part) - 1) << 3)))
            for x, y in part[1:]:
                g.append(varint(zigzag(x - cx)))
                g.append(varint(zigzag(y - cy)))
                cx, cy = x, y
        self._add(fid, _LINESTRING, b"".join(g), props)

    def encode(self) -> bytes:
        parts = [b"\x78\x02", _field_bytes(0x0A, self.name.encode())]  # version 2, name
        parts.extend(self.features)
        parts.extend(_field_bytes(0x1A, k.encode()) for k in self.keys)
        parts.extend(_field_bytes(0x22, v) for v in self.value_bytes)
        parts.append(b"\x28" + varint(self.extent))
        return b"".join(parts)


def encode_tile(layers: Iterable[LayerEncoder]) -> bytes:
    """A Tile message; empty layers are left out (an empty tile is 0 bytes)."""
    return b"".join(_field_bytes(0x1A, layer.encode()) for layer in layers if len(layer))


# --- clipping -----------------------------------------------------------------------

def _clip_segment(x0: float, y0: float, x1: float, y1: float, hi: float):
    """Liang-Barsky against [0, hi]^2; returns (ax, ay, bx, by, entered, exited) or None."""
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0), (dx, hi - x0), (-dy, y0), (dy, hi - y0)):
        if p == 0:
            if q < 0:
                return None
        else:
            r = q / p
            if p < 0:
                if r > t1:
                    return None
                if r > t0:
                    t0 = r
            else:
                if r < t0:
                    return None
                if r < t1:
                    t1 = r
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy, t0 > 0, t1 < 1


def clip_polyline(pts: Seq[tuple[float, float]], hi: float = EXTENT) -> list[list[tuple[int, int]]]:
    """Clip a polyline to the tile square [0, hi]^2 exactly (no buffer).

    Returns integer parts with at least two distinct points each; leaving and
    re-entering the square starts a new part (the real tiles do the same)."""
    parts: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] | None = None
    for i in range(1, len(pts)):
        ax, ay = pts[i - 1]
        bx, by = pts[i]
        if 0 <= ax <= hi and 0 <= ay <= hi and 0 <= bx <= hi and 0 <= by <= hi:
            if cur is None:
                cur = [(ax, ay)]
            cur.append((bx, by))
            continue
        r = _clip_segment(ax, ay, bx, by, hi)
        if r is None:
            if cur:
                parts.append(cur)
            cur = None
            continue
        cax, cay, cbx, cby, entered, exited = r
        if cur is None or entered:
            if cur:
                parts.append(cur)
            cur = [(cax, cay)]
        cur.append((cbx, cby))
        if exited:
            parts.append(cur)
            cur = None
    if cur:
        parts.append(cur)
    out = []
    for part in parts:
        q: list[tuple[int, int]] = []
        for x, y in part:
            p = (int(round(x)), int(round(y)))
            if not q or q[-1] != p:
                q.append(p)
        if len(q) >= 2:
            out.append(q)
    return out


# --- the sandbox's tiles --------------------------------------------------------------

def _image_props(im: Image, schema: str = "2025") -> list[tuple[str, object]]:
    props: list[tuple[str, object]] = [("captured_at", im.captured_at)]
    if im.compass_angle is not None:
        props.append(("compass_angle", float(im.compass_angle)))
    seq = im.seq
    if schema != "2021":
        props.append(("creator_id", int(seq.creator_id)))
    props.append(("id", int(im.id)))
    props.append(("is_pano", seq.is_pano))
    if seq.organization_id is not None and schema != "2021":
        props.append(("organization_id", int(seq.organization_id)))
    props.append(("sequence_id", seq.id))
    return props


BAD_TILE_IDS = tuple(str(9_000_000_000_000_101 + k) for k in range(4))


def _bad_features(lay: LayerEncoder, fid: int, seq_id: str) -> int:
    """A few records no real image has (the ``bad_records`` switch): absurd capture times
    (2**62 ms, 1e20 as a double, -1e17) and a NaN compass angle; ids ``BAD_TILE_IDS``."""
    bad: list[list[tuple[str, object]]] = [
        [("captured_at", 2 ** 62)], [("captured_at", 1e20)], [("captured_at", -10 ** 17)],
        [("captured_at", 1600000000000), ("compass_angle", float("nan"))]]
    for k, props in enumerate(bad):
        lay.add_point(fid, 100 + 10 * k, 100, props + [("id", int(BAD_TILE_IDS[k])), ("is_pano", False),
                                                       ("sequence_id", seq_id)])
        fid += 1
    return fid


def render_tile(world: World, z: int, x: int, y: int, computed: bool = False, schema: str = "2025",
                bad_records: bool = False) -> bytes:
    """The MVT bytes of mly1_public (or mly1_computed_public) tile z/x/y.

    ``schema="2021"`` leaves ``creator_id`` and ``organization_id`` out (as tiles recorded in
    2021 did); ``bad_records`` adds a few absurd image records to non-empty z14 tiles."""
    fid = 0
    layers = []

    def pos(im: Image) -> tuple[int, int] | None:
        return im.computed_units if computed else (im.gx, im.gy)

    if z <= 5:
        lay = LayerEncoder("overview")
        s = 14 - z
        for im in overview_sample(world):
            p = pos(im)
            if p is None or p[0] >> (12 + s) != x or p[1] >> (12 + s) != y:
                continue
            lay.add_point(fid, (p[0] >> s) - (x << 12), (p[1] >> s) - (y << 12),
                          [("captured_at", im.captured_at), ("id", int(im.id)),
                           ("is_pano", im.seq.is_pano), ("sequence_id", im.seq.id)])
            fid += 1
        layers.append(lay)
    if 6 <= z <= 14:
        lay = LayerEncoder("sequence")
        s = 14 - z
        # z14 tiles covered by this tile, plus a margin of one for segments that cross in
        # (and for computed positions, which are a few units off the GPS ones)
        tx0, tx1 = (x << s) - 1, ((x + 1) << s)
        ty0, ty1 = (y << s) - 1, ((y + 1) << s)
        cand: dict[str, None] = {}
        n14 = 1 << 14
        for (tx, ty), sids in world._seq_tiles.items():
            # (tiles wrap around the antimeridian)
            if (tx0 <= tx <= tx1 or tx0 <= tx - n14 <= tx1 or tx0 <= tx + n14 <= tx1) and ty0 <= ty <= ty1:
                cand.update(dict.fromkeys(sids))
        f = float(1 << s)
        ox, oy = x << 12, y << 12
        wrap = EXTENT << z  # the world's width in this zoom's tile units
        for sid in sorted(cand, key=world._seq_order.__getitem__):
            seq = world.sequence_info[sid]
            pts = []
            for im in seq.images:
                p = pos(im)
                if p is not None:
                    px = p[0] / f - ox if s else p[0] - ox
                    # a line crossing the antimeridian continues beyond the tile's edge
                    if px > wrap / 2:
                        px -= wrap
                    elif px < -wrap / 2:
                        px += wrap
                    pts.append((px, p[1] / f - oy if s else p[1] - oy))
            parts = clip_polyline(pts)
            if not parts:
                continue
            first = seq.images[0]
            props: list[tuple[str, object]] = [("captured_at", first.captured_at)]
            if schema != "2021":
                props.append(("creator_id", int(seq.creator_id)))
            props += [("id", sid), ("image_id", int(first.id)), ("is_pano", seq.is_pano)]
            if seq.organization_id is not None and schema != "2021":
                props.append(("organization_id", int(seq.organization_id)))
            lay.add_line(fid, parts, props)
            fid += 1
        layers.append(lay)
    if z == 14:
        lay = LayerEncoder("image")
        ox, oy = x << 12, y << 12
        if not computed:
            for im in world.tile_images(14, x, y):
                lay.add_point(fid, im.gx - ox, im.gy - oy, _image_props(im, schema))
                fid += 1
        else:
            for gx, gy, im in world.computed_tile_images(14, x, y):
                lay.add_point(fid, gx - ox, gy - oy, _image_props(im, schema))
                fid += 1
        if bad_records and len(lay):
            fid = _bad_features(lay, fid, "badbadbadbadbadbadbad0")
        layers.append(lay)
    return encode_tile(layers)


def overview_sample(world: World) -> list[Image]:
    """The images shown at z0-5: each sequence's first image and ~1 in 40 of the rest."""
    sample = getattr(world, "_overview", None)
    if sample is None:
        sample = [im for seq in world.sequence_info.values() for i, im in enumerate(seq.images)
                  if i == 0 or im.order_key % 40 == 0]
        world._overview = sample
    return sample
