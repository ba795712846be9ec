"""The search form without QGIS: validation in the dialog's words, dates as inclusive days,
typed points in another CRS, the far-away warning, and one serialization (Query.to_dict's)."""

from __future__ import annotations

import pytest

from mapillary_retriever.api.errors import QueryError
from mapillary_retriever.api.query import Query
from mapillary_retriever.form import Form, OutputChoice, distance_warning

LUX_VIEW = (6.10, 49.59, 6.16, 49.63)


def problem(form: Form, **kw) -> str:
    with pytest.raises(QueryError) as e:
        form.query(**kw)
    return e.value.message


def test_dates_are_inclusive_days_in_the_dialogs_words():
    f = Form(area="point", point="6.13, 49.61", date_from="2021-01-01", date_to="2020-01-01")
    assert problem(f) == "The 'to' date 2020-01-01 is before the 'from' date 2021-01-01."
    f.date_to = "2021-01-01"  # one day
    q = f.query()
    assert q.start_time.isoformat() == "2021-01-01T00:00:00+00:00"
    assert q.end_time.isoformat() == "2021-01-02T00:00:00+00:00"
    assert "2021-01-01 to 2021-01-01" in f.summary(q) and "2021-01-02" not in f.summary(q)
    f.date_from = "2021-13-01"
    assert "'from' date 2021-13-01 is not a date" in problem(f)


def test_point_messages_name_the_field_not_the_engine_parameter():
    f = Form(area="point", point="75041.9, 6.13 ")
    assert problem(f) == "Point: longitude 75041.9 is outside -180..180."
    f.point = "6.13, 75041.9"
    assert problem(f).startswith("Point: latitude 75041.9 is outside -90..90")
    f.point = ""
    assert problem(f) == "Type a point or click it on the map."
    f.point, f.lookat_on, f.lookat = "6.13, 49.61", True, "1, 2, 3"
    assert "Look-at point" in problem(f) and "closeto" not in problem(f) and "lookat" not in problem(f)


def test_points_in_another_crs_are_converted():
    f = Form(area="point", point="77000, 75000", point_crs="EPSG:2169", radius=250)
    q = f.query(to_wgs84=lambda x, y: (6.0 + x / 1e6, 49.0 + y / 1e6))
    assert q.closeto == pytest.approx((6.077, 49.075)) and q.radius == 250
    assert "Point 77000, 75000 cannot be converted from EPSG:2169" in problem(
        f, to_wgs84=lambda x, y: (_ for _ in ()).throw(ValueError("out of area")))
    f.point = "77000"
    assert problem(f, to_wgs84=lambda x, y: (x, y)) == "Point needs 2 numbers (x, y); got 1."


def test_area_kinds():
    assert "no area to search" in problem(Form(area="canvas"))
    assert Form(area="canvas").query(area_bbox=LUX_VIEW).bbox == LUX_VIEW
    assert "Type a box" in problem(Form(area="box"))
    assert "inverted" in problem(Form(area="box", bbox="6.14, 49.60, 6.12, 49.62"))
    assert "usernames" in problem(Form(area="users"))
    q = Form(area="users", usernames="alice, bob", lookat_on=True, lookat="6, 49").query()
    assert q.anywhere and q.usernames == ("alice", "bob") and q.lookat is None


def test_output_choice():
    f = Form(output=OutputChoice(images=False, sequences=False))
    with pytest.raises(QueryError, match="Choose what to produce"):
        f.check_output()
    f.output = OutputChoice(download_on=True)
    with pytest.raises(QueryError, match="folder to download"):
        f.check_output()
    f.output = OutputChoice(gpkg_on=True, gpkg="/tmp/x.shp")
    with pytest.raises(QueryError, match="must end in .gpkg"):
        f.check_output()


def test_far_away_warning_names_a_swap():
    assert distance_warning((6.13, 49.61), LUX_VIEW) == ""
    swapped = distance_warning((49.61, 6.13), LUX_VIEW, "This point")
    assert swapped.startswith("This point is ") and "km from the map view: did you swap" in swapped
    km = int(swapped.split(" is ")[1].split(" km")[0].replace(",", ""))
    assert 5000 < km < 8000
    elsewhere = distance_warning((-122.3, 47.6), LUX_VIEW)
    assert "km from the map view." in elsewhere and "swap" not in elsewhere
    assert distance_warning((49.61, 6.13), None) == ""


def test_one_serialization_round_trips():
    f = Form(area="point", point="681000, 6380000", point_crs="EPSG:3857", radius=300, lookat_on=True,
             lookat="681010, 6380010", tolerance=30, date_from="2020-01-01", date_to="2021-12-31",
             usernames="alice, bob", userkeys="123", pano="exclude", organization="42", max_features=500,
             fields=("make", "model"),
             output=OutputChoice(sequences=False, gpkg_on=True, gpkg="/tmp/a.gpkg", append=True, download_on=True,
                                 download_dir="/tmp/pics", download_size="2048"))
    d = f.to_dict()
    assert Form.from_dict(d) == f
    # the filters are in Query.to_dict's vocabulary
    assert set(Query().to_dict()) <= set(d)
    assert d["end_time"] == "2022-01-01T00:00:00+00:00" and d["usernames"] == ["alice", "bob"]
    assert d["closeto"] is None  # not WGS84: kept as typed only


def test_a_layers_query_fills_the_form():
    q = Query.build(closeto=(6.13, 49.61), radius=200, start_time="2020-01-01", end_time="2021-01-01",
                    usernames="carol", fields=["make"])
    f = Form.from_dict(q.to_dict())
    assert f.area == "point" and f.point == "6.13, 49.61" and f.point_crs == "EPSG:4326"
    assert (f.date_from, f.date_to) == ("2020-01-01", "2020-12-31")
    assert f.query() == q
    assert Form.from_dict(Query.build(usernames="dave").to_dict()).area == "users"


@pytest.mark.parametrize("junk", [None, [], "x", {"area": 3, "radius": "wide", "fields": "make", "output": 7,
                                                  "typed": {"bbox": 5}, "max_features": "many"}])
def test_unreadable_state_gives_the_defaults(junk):
    f = Form.from_dict(junk)
    assert f.radius == 100 and f.fields == () and f.output == OutputChoice()
