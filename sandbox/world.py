"""A generated, deterministic world of Mapillary-like images around Luxembourg City.

Everything is derived from ``random.Random(seed)`` (never from ``hash()``, which
is randomised per process), so the same seed and size give the same world in
every process.

Positions live on the z14 vector-tile grid: an image's "global unit"
coordinates ``(gx, gy)`` are integers in ``[0, 2**26)`` (2**14 tiles times the
MVT extent 4096, Web Mercator), and ``lon``/``lat`` are computed from them.
So the tile-local coordinates a decoder reads from a z14 tile are exactly the
world's truth: ``gx - 4096 * tile_x``.

Only what is needed is stored per image (``__slots__``); the secondary fields
(computed position, altitude, quality score, ...) are derived on access from a
hash of the image id, which keeps a 1,000,000-image world in a few hundred MB.

Besides the main world (``images``, ``by_id``, ``bounds()``, ``tiles()``: the same as before
far places existed), every world holds ``far_images``: a few images by ``FAR_USERNAME``
("jürgen_ø") in Fiji (one sequence crossing the antimeridian), Tromsø and Ushuaia (see
``FAR_PLACES``). They are in ``all_images``, ``all_by_id``, ``sequences``, ``users``,
``organizations`` and the spatial index, so the server answers for them like for any image.
"""
from __future__ import annotations

import bisect
import math
import random
import threading
from collections.abc import Iterable, Iterator
from typing import NamedTuple

CENTER: tuple[float, float] = (6.1300, 49.6100)  # (lon, lat)
# About 400 m x 400 m around CENTER (0.0056 deg lon x 0.0036 deg lat).
DENSE_CORE: tuple[float, float, float, float] = (6.1272, 49.6082, 6.1328, 49.6118)

EXTENT = 4096
TILE_ZOOM = 14
UNITS = 1 << 26  # global z14-extent units around the world
CELL_SHIFT = 9  # index cells of 512 units (~200 m here) = z17 tiles
_M64 = (1 << 64) - 1


# --- Web Mercator on the z14/4096 grid --------------------------------------

def lon_to_units(lon: float) -> float:
    return (lon + 180.0) / 360.0 * UNITS


def lat_to_units(lat: float) -> float:
    s = math.sin(math.radians(lat))
    return (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * UNITS


def units_to_lon(gx: float) -> float:
    return gx / UNITS * 360.0 - 180.0


def units_to_lat(gy: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * gy / UNITS))))


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    return int(lon_to_units(lon)) >> (26 - z), int(lat_to_units(lat)) >> (26 - z)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(minLon, minLat, maxLon, maxLat) of an XYZ tile."""
    s = 26 - z
    return (units_to_lon(x << s), units_to_lat((y + 1) << s),
            units_to_lon((x + 1) << s), units_to_lat(y << s))


def mix64(n: int) -> int:
    """splitmix64 finaliser: a fast, stable 64-bit hash of an int."""
    n = (n + 0x9E3779B97F4A7C15) & _M64
    n = ((n ^ (n >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    n = ((n ^ (n >> 27)) * 0x94D049BB133111EB) & _M64
    return n ^ (n >> 31)


def _u(h: int, shift: int) -> float:
    """A uniform float in [0, 1) from 16 bits of a hash."""
    return ((h >> shift) & 0xFFFF) / 65536.0


# --- entities -----------------------------------------------------------------

class Organization(NamedTuple):
    id: str
    slug: str
    name: str


class Sequence:
    """What all images of one sequence share."""

    __slots__ = ("id", "creator_id", "creator_username", "organization_id", "make", "model",
                 "camera_type", "is_pano", "width", "height", "exif_orientation", "base_altitude",
                 "images")

    def __init__(self, **kw: object) -> None:
        for k, v in kw.items():
            setattr(self, k, v)
        self.images: list[Image] = []


class Image:
    """One image. Stored: id, grid position, sequence, capture time, compass angle.
    Everything else is a property (shared with the sequence or derived from the id)."""

    __slots__ = ("id", "gx", "gy", "seq", "captured_at", "compass_angle")

    def __init__(self, id: str, gx: int, gy: int, seq: Sequence, captured_at: int,
                 compass_angle: float | None) -> None:
        self.id = id
        self.gx = gx
        self.gy = gy
        self.seq = seq
        self.captured_at = captured_at  # epoch milliseconds
        self.compass_angle = compass_angle  # None for ~1% of images

    def __repr__(self) -> str:
        return f"Image({self.id}, {self.lon:.6f}, {self.lat:.6f}, seq={self.seq.id})"

    # position (exactly an integer z14 tile-local coordinate)
    @property
    def lon(self) -> float:
        return units_to_lon(self.gx)

    @property
    def lat(self) -> float:
        return units_to_lat(self.gy)

    @property
    def tile(self) -> tuple[int, int]:
        """(x, y) of the z14 tile holding the image."""
        return self.gx >> 12, self.gy >> 12

    # shared with the sequence
    sequence_id = property(lambda self: self.seq.id)
    creator_id = property(lambda self: self.seq.creator_id)
    creator_username = property(lambda self: self.seq.creator_username)
    organization_id = property(lambda self: self.seq.organization_id)
    make = property(lambda self: self.seq.make)
    model = property(lambda self: self.seq.model)
    camera_type = property(lambda self: self.seq.camera_type)
    is_pano = property(lambda self: self.seq.is_pano)
    width = property(lambda self: self.seq.width)
    height = property(lambda self: self.seq.height)
    exif_orientation = property(lambda self: self.seq.exif_orientation)

    # derived from a hash of the id
    @property
    def _h(self) -> int:
        return mix64(int(self.id))

    @property
    def order_key(self) -> int:
        """Stable pseudo-random order (used for the search's silent truncation)."""
        return mix64(int(self.id) ^ 0x5A5A5A5A)

    @property
    def has_computed(self) -> bool:
        """~1% of images have not been through structure-from-motion yet."""
        return _u(self._h, 0) >= 0.01

    @property
    def computed_units(self) -> tuple[int, int] | None:
        """Computed position on the same integer grid: 0.5-3 m from the GPS position."""
        h = self._h
        if _u(h, 0) < 0.01:
            return None
        d = (0.5 + 2.5 * _u(h, 16)) / M_PER_UNIT
        a = 2 * math.pi * _u(h, 32)
        dx, dy = round(d * math.sin(a)), round(d * math.cos(a))
        if dx == 0 and dy == 0:
            dx = 1
        return self.gx + dx, self.gy - dy

    @property
    def computed_lon(self) -> float | None:
        c = self.computed_units
        return None if c is None else units_to_lon(c[0])

    @property
    def computed_lat(self) -> float | None:
        c = self.computed_units
        return None if c is None else units_to_lat(c[1])

    @property
    def computed_compass_angle(self) -> float | None:
        h = self._h
        if _u(h, 0) < 0.01:
            return None
        base = self.compass_angle
        if base is None:  # SfM recovers an angle even when the EXIF had none
            base = 360.0 * _u(h, 48)
        return (base + (_u(mix64(h), 0) - 0.5) * 6.0) % 360.0

    @property
    def altitude(self) -> float:
        h2 = mix64(self._h)
        return round(self.seq.base_altitude + (_u(h2, 16) - 0.5) * 8.0, 3)

    @property
    def computed_altitude(self) -> float | None:
        h = self._h
        if _u(h, 0) < 0.01:
            return None
        h2 = mix64(h)
        if _u(h2, 32) < 0.005:
            # Mirrors the real service: a negative computed altitude arrives
            # wrapped as an unsigned 32-bit number (e.g. 4294967283.2 for -13.1).
            return 2.0 ** 32 - (1.0 + 60.0 * _u(h2, 48))
        return self.altitude + (_u(h2, 48) - 0.5) * 30.0

    @property
    def quality_score(self) -> float:
        return round(0.2 + 0.8 * _u(mix64(self._h ^ 0xABCDEF), 0), 13)


# --- generation -----------------------------------------------------------------

_LAT0 = math.radians(CENTER[1])
M_PER_UNIT = 2 * math.pi * 6378137.0 * math.cos(_LAT0) / UNITS  # ~0.387 m
_CX, _CY = lon_to_units(CENTER[0]), lat_to_units(CENTER[1])


def _core_box_m() -> tuple[float, float, float, float]:
    """DENSE_CORE as a box in metres east/north of CENTER."""
    x0 = (lon_to_units(DENSE_CORE[0]) - _CX) * M_PER_UNIT
    x1 = (lon_to_units(DENSE_CORE[2]) - _CX) * M_PER_UNIT
    y0 = (_CY - lat_to_units(DENSE_CORE[1])) * M_PER_UNIT
    y1 = (_CY - lat_to_units(DENSE_CORE[3])) * M_PER_UNIT
    return x0, y0, x1, y1


_CAMERAS_PERSPECTIVE = [  # make, model, width, height, camera_type
    ("Apple", "iPhone 12", 4032, 3024, "perspective"),
    ("samsung", "SM-G991B", 4000, 3000, "perspective"),
    ("GoPro", "HERO8 Black", 4000, 3000, "perspective"),
    ("Xiaomi", "Redmi Note 9 Pro", 4624, 3472, "perspective"),
    ("Google", "Pixel 6", 4080, 3072, "perspective"),
    ("SONY", "ILCE-6000", 6000, 4000, "perspective"),
    ("GoPro", "HERO9 Black", 5184, 3888, "fisheye"),
    ("GoPro", "HERO7 Black", 4000, 3000, "fisheye"),
]
_CAMERAS_PANO = [
    ("GoPro", "GoPro Max", 5760, 2880, "equirectangular"),
    ("Insta360", "Insta360 ONE X2", 6080, 3040, "spherical"),
    ("RICOH", "RICOH THETA V", 5376, 2688, "spherical"),
    ("Labpano", "Pilot Era", 7680, 3840, "equirectangular"),
]
_USER_PREFIX = ["mapper", "street", "lux", "photo", "walker", "cyclist", "urban", "geo",
                "pano", "osm", "roadie", "trail"]
_USER_NAMES = ["anna", "ben", "chloe", "david", "emma", "felix", "greta", "hugo", "ines", "jan",
               "kim", "lea", "marc", "nina", "oscar", "paul", "rita", "sven", "tom", "ute",
               "vera", "yann", "zoe", "luc", "mia", "noah", "pia", "raul", "sara", "theo"]
_ORGS = [("villedeluxembourg", "Ville de Luxembourg"), ("geoportail_lu", "Geoportail Luxembourg"),
         ("sandbox_mapping", "Sandbox Mapping S.A."), ("cityscan", "CityScan Europe"),
         ("osm_lu", "OpenStreetMap Luxembourg")]
# The far places (not part of ``World.images``; see World._add_far_places):
# (name, in FAR_ORG, is_pano, first captured_at, [(lon, lat, compass_angle)]), snapped to the z14 grid.
FAR_USERNAME = "jürgen_ø"
FAR_ORG = ("pacific_streets", "Pacific Streets")
FAR_PLACES = [
    # 4 images within 300 m of (179.999, -16.5), two on each side of the antimeridian, one
    # sequence driving east across it
    ("fiji", False, False, 1685620800000, [(179.9990, -16.5000, 91.0), (179.9996, -16.5001, 92.0),
                                            (-179.9996, -16.5002, 92.5), (-179.9990, -16.5003, 93.0)]),
    ("tromso", True, True, 1549800000000, [(18.9553, 69.6492, 10.0), (18.9554, 69.6494, 11.0),
                                           (18.9555, 69.6496, 12.0)]),
    ("ushuaia", False, False, 1479650000000, [(-68.3030, -54.8019, 270.0), (-68.3033, -54.8019, 271.0)]),
]
_T_START = 1388534400000  # 2014-01-01T00:00:00Z
_T_END = 1767225600000  # 2026-01-01T00:00:00Z
_B36 = "abcdefghijklmnopqrstuvwxyz0123456789"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class World:
    """A generated world. Build with ``World.generate`` (fresh) or ``World.cached``."""

    def __init__(self, seed: int, target: int) -> None:
        self.seed = seed
        self.target = target
        self.images: list[Image] = []  # the main world (around CENTER)
        self.far_images: list[Image] = []  # a few images far away (see _add_far_places)
        self.far_places: dict[str, str] = {}  # place name -> sequence id
        self.by_id: dict[str, Image] = {}  # the main world's images
        self.all_by_id: dict[str, Image] = {}  # and the far ones (what the server knows)
        self.sequences: dict[str, list[str]] = {}  # seq id -> image ids in capture order
        self.sequence_info: dict[str, Sequence] = {}
        self.users: dict[str, str] = {}  # creator id -> username
        self.user_ids: dict[str, str] = {}  # username -> creator id
        self.organizations: dict[str, Organization] = {}
        # z17 cells (512 units) -> images, and z14 tile -> sequence ids (public positions)
        self._cells: dict[tuple[int, int], list[Image]] = {}
        self._seq_tiles: dict[tuple[int, int], list[str]] = {}
        self._seq_order: dict[str, int] = {}  # seq id -> generation index (stable order)
        self._overview: list[Image] | None = None  # cache of mvt.overview_sample

    _cache: dict[tuple[int, int], World] = {}
    _cache_lock = threading.Lock()

    @classmethod
    def cached(cls, seed: int = 7, images: int = 60_000) -> World:
        """The world for (seed, images), generated once per process."""
        with cls._cache_lock:
            w = cls._cache.get((seed, images))
            if w is None:
                w = cls._cache[(seed, images)] = cls.generate(seed, images)
            return w

    @classmethod
    def generate(cls, seed: int = 7, images: int = 60_000) -> World:
        w = cls(seed, images)
        w._build(random.Random(seed), images)
        return w

    # -- building --------------------------------------------------------------

    def _build(self, rng: random.Random, n_target: int) -> None:
        scale = n_target / 60_000
        # 8 km x 8 km at 60k; bigger worlds grow in size (scale**0.25) and density.
        half = max(1000.0, 4000.0 * scale ** 0.25)
        spacing = 110.0
        k = int(half / spacing)
        # Jittered street grid: node (i, j) near (i*spacing, j*spacing) metres.
        nodes: dict[tuple[int, int], tuple[float, float]] = {}
        for i in range(-k, k + 1):
            for j in range(-k, k + 1):
                nodes[(i, j)] = (i * spacing + rng.uniform(-18, 18), j * spacing + rng.uniform(-18, 18))
        adj: dict[tuple[int, int], list[tuple[int, int]]] = {n: [] for n in nodes}

        def link(a: tuple[int, int], b: tuple[int, int]) -> None:
            if a in nodes and b in nodes and b not in adj[a]:
                adj[a].append(b)
                adj[b].append(a)

        for (i, j) in nodes:
            if rng.random() > 0.06:  # a few missing blocks make the grid irregular
                link((i, j), (i + 1, j))
            if rng.random() > 0.06:
                link((i, j), (i, j + 1))
        # Diagonal avenues, one of them through the centre.
        for d in (0, 17, -17, 35, -35):
            for i in range(-k, k):
                link((i, i - d), (i + 1, i + 1 - d))
        for s in (9, -9, 26, -26):
            for i in range(-k, k):
                link((i, s - i), (i + 1, s - i - 1))

        cx0, cy0, cx1, cy1 = _core_box_m()
        core_nodes = [n for n, (x, y) in nodes.items() if cx0 <= x <= cx1 and cy0 <= y <= cy1]
        node_list = list(nodes)

        # People and organisations.
        n_creators = 60 + n_target // 4000
        names = [f"{p}_{n}" for n in _USER_NAMES for p in _USER_PREFIX]
        rng.shuffle(names)
        used_ids: set[int] = set()

        def new_id() -> str:
            while True:
                v = rng.randrange(10 ** 14, 10 ** 16)  # 15-16 digits
                if v not in used_ids:
                    used_ids.add(v)
                    return str(v)

        creators = []
        for c in range(n_creators):
            uname = names[c] if c < len(names) else f"{names[c % len(names)]}{c // len(names)}"
            cid = new_id()
            self.users[cid] = uname
            self.user_ids[uname] = cid
            creators.append(cid)
        cum = list(_accumulate(1.0 / (r + 1) ** 1.1 for r in range(n_creators)))
        for slug, name in _ORGS:
            oid = new_id()
            self.organizations[oid] = Organization(oid, slug, name)
        org_ids = list(self.organizations)
        creator_org = {}
        for c in range(1, n_creators, 7):  # some creators upload for an organisation
            creator_org[creators[c]] = org_ids[(c // 7) % len(org_ids)]

        seq_ids: set[str] = set()
        total = 0
        while total < n_target:
            # sequence identity
            while True:
                if rng.random() < 0.7:
                    sid = "".join(rng.choices(_B36, k=22))  # e.g. 7nfcwfvjdtphz7yj6zat6a
                else:
                    sid = "".join(rng.choices(_B64, k=22))  # e.g. Jb2UrJvcrPiROdFuXbhl2A
                if sid not in seq_ids:
                    seq_ids.add(sid)
                    break
            cid = creators[bisect.bisect_left(cum, rng.random() * cum[-1])]
            org = creator_org.get(cid) if rng.random() < 0.7 else None
            if rng.random() < 0.08:
                make, model, wd, ht, ctype = rng.choice(_CAMERAS_PANO)
                orient = 1
            else:
                make, model, wd, ht, ctype = rng.choice(_CAMERAS_PERSPECTIVE)
                r = rng.random()
                phone = make in ("Apple", "samsung", "Xiaomi", "Google")
                orient = 1 if not phone or r < 0.9 else (6 if r < 0.97 else 3)  # some phones rotated
            seq = Sequence(id=sid, creator_id=cid, creator_username=self.users[cid],
                           organization_id=org, make=make, model=model, camera_type=ctype,
                           is_pano=ctype in ("spherical", "equirectangular"), width=wd, height=ht,
                           exif_orientation=orient, base_altitude=rng.uniform(250.0, 340.0))
            n = max(5, min(1200, int(rng.lognormvariate(math.log(110), 0.8))))
            n = min(n, n_target - total)
            kind = rng.random()
            if kind < 0.14 and core_nodes:
                start, mode = rng.choice(core_nodes), "core"
            elif kind < 0.62:
                sd = 1500 * max(1.0, scale ** 0.25)
                start = (max(-k, min(k, round(rng.gauss(0, sd) / spacing))),
                         max(-k, min(k, round(rng.gauss(0, sd) / spacing))))
                mode = "town"
            else:
                start, mode = rng.choice(node_list), "rural"
            t = rng.randrange(_T_START, _T_END - 10 ** 7)
            t -= t % 1000 if rng.random() < 0.5 else 0  # older cameras: whole seconds
            pts = _walk(rng, nodes, adj, start, n, mode, (cx0, cy0, cx1, cy1), half)
            ids = []
            for (x, y, heading) in pts:
                gx = int(round(_CX + x / M_PER_UNIT))
                gy = int(round(_CY - y / M_PER_UNIT))
                if rng.random() < 0.01:
                    ca = None
                else:
                    ca = (heading + (rng.random() + rng.random() - 1.0) * 4.0) % 360.0
                im = Image(new_id(), gx, gy, seq, t, ca)
                t += 1000 + int(rng.random() * 2000)  # 1-3 s apart
                seq.images.append(im)
                ids.append(im.id)
            self.sequences[sid] = ids
            self.sequence_info[sid] = seq
            self.images.extend(seq.images)
            total += len(ids)

        self._add_far_places(used_ids, seq_ids)
        self.by_id = {im.id: im for im in self.images}
        self.all_by_id = dict(self.by_id, **{im.id: im for im in self.far_images})
        self._seq_order = {sid: i for i, sid in enumerate(self.sequences)}
        cells = self._cells
        seq_tiles: dict[tuple[int, int], dict[str, None]] = {}
        for im in self.images:
            key = (im.gx >> CELL_SHIFT, im.gy >> CELL_SHIFT)
            lst = cells.get(key)
            if lst is None:
                cells[key] = [im]
            else:
                lst.append(im)
            tk = (im.gx >> 12, im.gy >> 12)
            d = seq_tiles.get(tk)
            if d is None:
                seq_tiles[tk] = {im.seq.id: None}
            else:
                d[im.seq.id] = None
        # the main world's cells and tiles (bounds() and tiles() describe it alone)
        self._main_cells = sorted(cells)
        self._main_tiles = sorted(seq_tiles)
        for im in self.far_images:
            cells.setdefault((im.gx >> CELL_SHIFT, im.gy >> CELL_SHIFT), []).append(im)
            seq_tiles.setdefault((im.gx >> 12, im.gy >> 12), {})[im.seq.id] = None
        self._seq_tiles = {k: list(v) for k, v in seq_tiles.items()}

    def _add_far_places(self, used_ids: set[int], seq_ids: set[str]) -> None:
        """A few images far from the main world, all by one creator with a non-ASCII name
        (``FAR_USERNAME``): a sequence crossing the antimeridian in Fiji, one in Tromsø, one in
        Ushuaia. They come from their own random stream after the main world, so the main
        world (``images``, its counts, users and organizations) is the same with or without them."""
        rng = random.Random(self.seed * 1_000_003 + 0xF1)

        def new_id() -> str:
            while True:
                v = rng.randrange(10 ** 14, 10 ** 16)
                if v not in used_ids:
                    used_ids.add(v)
                    return str(v)

        cid = new_id()
        self.users[cid] = FAR_USERNAME
        self.user_ids[FAR_USERNAME] = cid
        oid = new_id()
        self.organizations[oid] = Organization(oid, FAR_ORG[0], FAR_ORG[1])
        for place, org, pano, t0, points in FAR_PLACES:
            while True:
                sid = "".join(rng.choices(_B36, k=22))
                if sid not in seq_ids:
                    seq_ids.add(sid)
                    break
            make, model, wd, ht, ctype = _CAMERAS_PANO[0] if pano else _CAMERAS_PERSPECTIVE[0]
            seq = Sequence(id=sid, creator_id=cid, creator_username=FAR_USERNAME,
                           organization_id=oid if org else None, make=make, model=model, camera_type=ctype,
                           is_pano=pano, width=wd, height=ht, exif_orientation=1, base_altitude=12.0)
            t = t0
            for lon, lat, ca in points:
                im = Image(new_id(), int(round(lon_to_units(lon))), int(round(lat_to_units(lat))), seq, t, ca)
                seq.images.append(im)
                t += 2000
            self.sequences[sid] = [im.id for im in seq.images]
            self.sequence_info[sid] = seq
            self.far_images.extend(seq.images)
            self.far_places[place] = sid

    # -- queries -----------------------------------------------------------------

    def images_in_bbox(self, bbox: tuple[float, float, float, float]) -> list[Image]:
        """Images with minLon <= lon <= maxLon and minLat <= lat <= maxLat."""
        return _in_bbox(self._cells, bbox, lambda im: (im.gx, im.gy))

    def tile_images(self, z: int, x: int, y: int) -> list[Image]:
        """Images whose (GPS) position lies in the XYZ tile (half-open on the grid)."""
        return _tile_items(self._cells, z, x, y, lambda im: (im.gx, im.gy))

    def computed_tile_images(self, z: int, x: int, y: int) -> list[tuple[int, int, Image]]:
        """(cgx, cgy, image) for images whose *computed* position lies in the tile.

        A computed position is at most ~8 units from the GPS one, so the candidates
        are the images of the tile's cells plus a ring of one cell."""
        s = 26 - z
        out = []
        if z >= 26 - CELL_SHIFT:
            c0x, c1x = (x << s) >> CELL_SHIFT, (x << s) >> CELL_SHIFT
            c0y, c1y = (y << s) >> CELL_SHIFT, (y << s) >> CELL_SHIFT
        else:
            c0x, c1x = x << (s - CELL_SHIFT), ((x + 1) << (s - CELL_SHIFT)) - 1
            c0y, c1y = y << (s - CELL_SHIFT), ((y + 1) << (s - CELL_SHIFT)) - 1
        if (c1x - c0x + 3) * (c1y - c0y + 3) > len(self._cells):
            keys = sorted(k for k in self._cells if c0x - 1 <= k[0] <= c1x + 1 and c0y - 1 <= k[1] <= c1y + 1)
        else:
            keys = [(cx, cy) for cx in range(c0x - 1, c1x + 2) for cy in range(c0y - 1, c1y + 2)
                    if (cx, cy) in self._cells]
        for k in keys:
            for im in self._cells[k]:
                c = im.computed_units
                if c is not None and c[0] >> s == x and c[1] >> s == y:
                    out.append((c[0], c[1], im))
        return out

    @property
    def all_images(self) -> list[Image]:
        """The main world's images, then the far ones."""
        return self.images + self.far_images

    def tile_sequences(self, x: int, y: int) -> list[str]:
        """Ids of sequences with an image (GPS position) in z14 tile (x, y)."""
        return self._seq_tiles.get((x, y), [])

    def tiles(self) -> list[tuple[int, int]]:
        """The z14 tiles (x, y) that hold images of the main world (not the far places)."""
        return list(self._main_tiles)

    def bounds(self) -> tuple[float, float, float, float]:
        """(minLon, minLat, maxLon, maxLat) of the main world (not the far places)."""
        gxs = [k[0] for k in self._main_cells]
        gys = [k[1] for k in self._main_cells]
        return (units_to_lon(min(gxs) << CELL_SHIFT), units_to_lat((max(gys) + 1) << CELL_SHIFT),
                units_to_lon((max(gxs) + 1) << CELL_SHIFT), units_to_lat(min(gys) << CELL_SHIFT))

    def __repr__(self) -> str:
        return (f"World(seed={self.seed}, images={len(self.images)}, "
                f"sequences={len(self.sequences)}, users={len(self.users)})")


def _accumulate(it: Iterable[float]) -> Iterator[float]:
    s = 0.0
    for v in it:
        s += v
        yield s


def _in_bbox(cells: dict, bbox: tuple[float, float, float, float], pos) -> list:
    min_lon, min_lat, max_lon, max_lat = bbox
    x0, x1 = lon_to_units(min_lon), lon_to_units(max_lon)
    y0, y1 = lat_to_units(max_lat), lat_to_units(min_lat)  # y grows southwards
    if x1 < x0 or y1 < y0:
        return []
    out: list = []
    c0x, c1x = int(x0) >> CELL_SHIFT, int(x1) >> CELL_SHIFT
    c0y, c1y = int(y0) >> CELL_SHIFT, int(y1) >> CELL_SHIFT
    size = 1 << CELL_SHIFT
    if (c1x - c0x + 1) * (c1y - c0y + 1) > len(cells):
        keys = [k for k in cells if c0x <= k[0] <= c1x and c0y <= k[1] <= c1y]
    else:
        keys = [(cx, cy) for cx in range(c0x, c1x + 1) for cy in range(c0y, c1y + 1) if (cx, cy) in cells]
    for key in keys:
        items = cells[key]
        if x0 <= key[0] * size and (key[0] + 1) * size - 1 <= x1 and \
                y0 <= key[1] * size and (key[1] + 1) * size - 1 <= y1:
            out.extend(items)  # cell entirely inside
        else:
            for it in items:
                gx, gy = pos(it)
                if x0 <= gx <= x1 and y0 <= gy <= y1:
                    out.append(it)
    return out


def _tile_items(cells: dict, z: int, x: int, y: int, pos) -> list:
    if z >= 26 - CELL_SHIFT:  # finer than a cell: filter one cell
        s = 26 - z
        items = cells.get((x >> (z - 26 + CELL_SHIFT), y >> (z - 26 + CELL_SHIFT)), [])
        return [it for it in items if pos(it)[0] >> s == x and pos(it)[1] >> s == y]
    shift = 26 - CELL_SHIFT - z
    if (1 << shift) ** 2 > len(cells):
        keys = [k for k in cells if k[0] >> shift == x and k[1] >> shift == y]
        keys.sort()
    else:
        keys = [(cx, cy) for cx in range(x << shift, (x + 1) << shift)
                for cy in range(y << shift, (y + 1) << shift) if (cx, cy) in cells]
    out: list = []
    for k in keys:
        out.extend(cells[k])
    return out


def _walk(rng: random.Random, nodes: dict, adj: dict, start: tuple[int, int], n: int, mode: str,
          core: tuple[float, float, float, float], half: float) -> list[tuple[float, float, float]]:
    """Drive/walk along streets from ``start``: ``n`` points (x, y metres, heading deg)."""
    cx0, cy0, cx1, cy1 = core
    out: list[tuple[float, float, float]] = []
    prev = None
    cur = start
    nxt = rng.choice(adj[cur]) if adj[cur] else None
    if nxt is None:
        return [(nodes[cur][0], nodes[cur][1], rng.uniform(0, 360))]  # isolated node
    pos = rng.random() * 30.0
    while len(out) < n:
        x0, y0 = nodes[cur]
        x1, y1 = nodes[nxt]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        heading = math.degrees(math.atan2(dx, dy)) % 360.0  # compass: 0 = north, 90 = east
        while pos <= length and len(out) < n:
            lat_off = (rng.random() - 0.5) * 2.0  # a metre of GPS noise across the street
            x = x0 + ux * pos - uy * lat_off
            y = y0 + uy * pos + ux * lat_off
            out.append((x, y, heading))
            in_core = cx0 <= x <= cx1 and cy0 <= y <= cy1
            pos += (2.0 + 4.0 * rng.random()) if in_core else (5.0 + 10.0 * rng.random())
        pos -= length
        prev, cur = cur, nxt
        cands = [c for c in adj[cur] if c != prev] or [prev]
        cxn, cyn = nodes[cur]
        outside_core = not (cx0 <= cxn <= cx1 and cy0 <= cyn <= cy1)
        r = rng.random()
        if mode == "core" and outside_core and r < 0.85:
            nxt = min(cands, key=lambda c: math.hypot(*nodes[c]))  # head back into the core
        elif mode == "town" and math.hypot(cxn, cyn) > 0.45 * half and r < 0.5:
            nxt = min(cands, key=lambda c: math.hypot(*nodes[c]))
        elif r < 0.6:  # mostly keep going straight
            nxt = max(cands, key=lambda c: ((nodes[c][0] - cxn) * ux + (nodes[c][1] - cyn) * uy)
                      / (math.hypot(nodes[c][0] - cxn, nodes[c][1] - cyn) or 1.0))
        else:
            nxt = rng.choice(cands)
    return out
