from datetime import datetime, timezone

import pytest

from mapillary_retriever.api.errors import QueryError
from mapillary_retriever.api.query import Query


def err(**kw) -> str:
    with pytest.raises(QueryError) as e:
        Query.build(**kw)
    return e.value.message


def test_bbox_from_text_and_defaults():
    q = Query.build(bbox="6.1, 49.6, 6.2, 49.7")
    assert q.bbox == (6.1, 49.6, 6.2, 49.7)
    assert q.radius == 100.0 and q.tolerance == 50.0 and q.pano == "any" and q.max_features is None
    assert q.area_bbox() == q.bbox and q.center is None


def test_point_search_area_contains_circle():
    q = Query.build(closeto="6.13,49.61", radius=250)
    b = q.area_bbox()
    assert b[0] < 6.13 < b[2] and b[1] < 49.61 < b[3]
    assert q.center == (6.13, 49.61)


def test_swapped_lat_lon_is_explained():
    msg = err(closeto="49.61,122.3")
    assert "latitude 122.3 is outside -90..90" in msg and "swap" in msg


def test_bbox_errors_are_specific():
    assert "4 numbers" in err(bbox="1,2,3")
    assert "inverted" in err(bbox="6.2,49.6,6.1,49.7") and "longitude" in err(bbox="6.2,49.6,6.1,49.7")
    assert "empty" in err(bbox="6.1,49.6,6.1,49.7")
    assert "numbers" in err(bbox="a,b,c,d")
    assert "longitude 200" in err(bbox="200,1,201,2")
    assert "not both" in err(bbox="6.1,49.6,6.2,49.7", closeto="6.1,49.6")
    assert "Give an area" in err()


def test_numbers_must_be_sane():
    assert "more than 0" in err(closeto="6,49", radius=-5)
    assert "more than 0" in err(closeto="6,49", radius="0")
    assert "number of metres" in err(closeto="6,49", radius="far")
    assert "at most 180" in err(closeto="6,49", lookat="6,49", tolerance=200)
    assert "positive" in err(closeto="6,49", max_features=-1)
    assert "finite" in err(closeto="nan,49")


def test_dates():
    q = Query.build(closeto="6,49", start_time="2020-01-01", end_time="2021-06-01T12:00:00Z")
    assert q.start_time == datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert q.end_ms() == int(datetime(2021, 6, 1, 12, tzinfo=timezone.utc).timestamp() * 1000)
    assert "not after start" in err(closeto="6,49", start_time="2021-01-01", end_time="2020-01-01")
    assert "not after start" in err(closeto="6,49", start_time="2021-01-01", end_time="2021-01-01")
    assert "is not a date" in err(closeto="6,49", start_time="yesterday")
    # a zone is honoured
    q = Query.build(closeto="6,49", start_time="2020-01-01T02:00:00+02:00")
    assert q.start_time == datetime(2020, 1, 1, tzinfo=timezone.utc)


def test_people_and_choices():
    q = Query.build(closeto="6,49", usernames="anna, bob,anna", userkeys=["123", "456"], pano="ONLY")
    assert q.usernames == ("anna", "bob") and q.userkeys == ("123", "456") and q.pano == "only"
    assert "v3" in err(closeto="6,49", userkeys="AGfe-07BEJX0-kxpu9J3rA")
    assert "any, only, exclude" in err(closeto="6,49", pano="sometimes")
    assert "unknown field" in err(closeto="6,49", fields="make,thumbnail")
    assert "must be a number" in err(closeto="6,49", organization_id="acme")


def test_area_too_large_says_how_many_tiles():
    msg = err(bbox="5,45,15,55")
    assert "map tiles" in msg and "limit is 400" in msg
    assert Query.build(bbox="5,45,6,46", max_tiles=10_000).max_tiles == 10_000


def test_lookat_alone_is_a_point_search():
    q = Query.build(lookat="6.13,49.61", radius=50)
    assert q.center == (6.13, 49.61) and "50 m around" in q.describe()
    assert Query.build(bbox="6.1,49.6,6.2,49.7", lookat="6.15,49.65").center is None


def test_describe_and_dict_roundtrip():
    q = Query.build(closeto="6.13,49.61", usernames="anna", pano="exclude", start_time="2020-01-01")
    d = q.to_dict()
    assert Query.build(**{k: v for k, v in d.items() if k != "max_tiles"}) == q
    assert "by anna" in q.describe() and "no panoramas" in q.describe()
