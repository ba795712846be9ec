import math

from mapillary_retriever.api import geo


def test_tile_of_known_point():
    # Zurich's recorded tile is 14/8574/5735
    x, y = geo.lonlat_to_tile(8.4035, 47.4066, 14)
    assert (int(x), int(y)) == (8574, 5735)
    b = geo.tile_bounds(14, 8574, 5735)
    assert b[0] < 8.4035 < b[2] and b[1] < 47.4066 < b[3]


def test_tiles_for_bbox_cover_exactly():
    b = (6.10, 49.58, 6.16, 49.64)
    tiles = geo.tiles_for_bbox(b)
    assert len(tiles) == geo.count_tiles(b) == len(set(tiles))
    for z, x, y in tiles:
        t = geo.tile_bounds(z, x, y)
        assert t[0] < b[2] and t[2] > b[0] and t[1] < b[3] and t[3] > b[1]


def test_haversine_and_bearing():
    assert abs(geo.haversine(0, 0, 0, 1) - 111_195) < 10
    assert abs(geo.bearing(0, 0, 0, 1) - 0) < 1e-9
    assert abs(geo.bearing(0, 0, 1, 0) - 90) < 1e-9
    assert abs(geo.bearing(0, 0, 0, -1) - 180) < 1e-9
    assert geo.angle_diff(350, 10) == 20 and geo.angle_diff(10, 350) == 20


def test_bbox_around_contains_circle():
    lon, lat = 6.13, 49.61
    b = geo.bbox_around(lon, lat, 100)
    for k in range(36):
        a = math.radians(k * 10)
        # points 99.9 m away in every direction are inside the box
        dlat = math.degrees(99.9 * math.cos(a) / geo.EARTH_RADIUS)
        dlon = math.degrees(99.9 * math.sin(a) / geo.EARTH_RADIUS) / math.cos(math.radians(lat))
        assert b[0] <= lon + dlon <= b[2] and b[1] <= lat + dlat <= b[3]


def test_grid_and_split():
    b = (6.0, 49.5, 6.3, 49.7)
    cells = geo.grid_bbox(b, 0.0025)
    assert all(geo.bbox_area(c) <= 0.0025 + 1e-12 for c in cells)
    assert abs(sum(geo.bbox_area(c) for c in cells) - geo.bbox_area(b)) < 1e-9
    q = geo.split_bbox(b)
    assert len(q) == 4 and abs(sum(geo.bbox_area(c) for c in q) - geo.bbox_area(b)) < 1e-12
