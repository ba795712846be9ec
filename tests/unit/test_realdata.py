"""The engine reads what the real service sends (recorded by other projects)."""

import json

import pytest

from mapillary_retriever.api import errors
from mapillary_retriever.api.search import image_from_graph
from mapillary_retriever.api.tiles import decode_images
from mapillary_retriever.api.v3 import read_v3

TILES = [("zurich-2021/14-8574-5735.mvt", (14, 8574, 5735), 3012),
         ("unplaced-2025/tile.mvt", (14, 8574, 5735), 10231)]


@pytest.mark.parametrize("arrow", [True, False], ids=["arrow", "features"])
@pytest.mark.parametrize("name,zxy,count", TILES)
def test_real_tiles_decode(realdata, name, zxy, count, arrow):
    data = (realdata / "v4/tiles" / name).read_bytes()
    skipped = {}
    images = decode_images(data, *zxy, skipped=skipped, use_arrow=arrow)
    assert len(images) == count and not skipped
    assert len({i.id for i in images}) == count
    from mapillary_retriever.api.geo import tile_bounds

    b = tile_bounds(*zxy)
    for img in images:
        assert img.id.isdigit() and 15 <= len(img.id) <= 16
        assert b[0] - 1e-9 <= img.lon <= b[2] + 1e-9 and b[1] - 1e-9 <= img.lat <= b[3] + 1e-9
        # the service sends 0 for an unknown capture time: that becomes None, never 1970
        assert img.sequence_id and (img.captured_at is None or img.captured_at > 1.0e12)
        assert img.compass_angle is None or 0 <= img.compass_angle <= 360
        assert isinstance(img.is_pano, bool)
    if name.startswith("unplaced"):  # the 2025 tile carries creators and organizations
        assert all(i.creator_id and i.creator_id.isdigit() for i in images)
        assert any(i.organization_id for i in images) and any(i.organization_id is None for i in images)
        assert any(i.is_pano for i in images)
    else:
        assert all(i.creator_id is None for i in images)


@pytest.mark.parametrize("arrow", [True, False], ids=["arrow", "features"])
def test_blanked_tiles_are_skipped_and_counted(realdata, arrow):
    """Grand Junction's recorder blanked every property but the sequence ids: a
    record without an image id cannot be used, so it is skipped and counted."""
    total = 0
    for path in sorted((realdata / "v4/tiles/grand-junction-2021").glob("*.mvt")):
        z, x, y = (int(v) for v in path.stem.split("-"))
        skipped = {}
        assert decode_images(path.read_bytes(), z, x, y, skipped=skipped, use_arrow=arrow) == []
        total += skipped["no image id in the tile"]
    assert total == 52_734


def test_garbage_is_not_a_tile():
    with pytest.raises(errors.BadResponseError, match="not a readable vector tile"):
        decode_images(b"<html>Service Unavailable</html>", 14, 1, 1)
    assert decode_images(b"", 14, 1, 1) == []


def test_real_graph_images(realdata):
    seen = 0
    for path in sorted((realdata / "v4/graph").glob("josm-*.json")):
        body = json.loads(path.read_text())
        if "sequence" not in body:  # users, map features, errors
            continue
        seen += 1
        fields = ("username", "make", "model", "camera_type", "computed_geometry", "computed_altitude",
                  "quality_score", "width", "height")
        img = image_from_graph(body, fields)
        assert img is not None and img.id == body["id"]
        assert img.captured_at == body.get("captured_at") and img.sequence_id == body["sequence"]
        assert (img.lon, img.lat) == tuple(body["geometry"]["coordinates"])
        assert img.extra["width"] == body["width"]
        if "computed_geometry" in body:
            assert img.extra["computed_lon"] == body["computed_geometry"]["coordinates"][0]
    assert seen >= 8


def test_computed_altitude_unwrapped():
    from mapillary_retriever.api.search import extras_from_graph

    assert extras_from_graph({"computed_altitude": 2**32 - 12.5}, ["computed_altitude"]) == {
        "computed_altitude": -12.5}


def test_real_error_bodies_are_classified(realdata):
    g = realdata / "v4/graph"
    rate = errors.from_response(400, json.loads((g / "josm-application_request_limit_reached.json").read_text()))
    assert isinstance(rate, errors.RateLimitError) and rate.transient
    auth = errors.from_response(500, json.loads((g / "josm-internal_server_error.json").read_text()))
    assert isinstance(auth, errors.AuthError) and not auth.transient
    assert "token" in auth.message


def test_error_statuses_are_inconsistent_so_code_decides():
    body = {"error": {"message": "Invalid OAuth 2.0 Access Token", "type": "OAuthException", "code": 190}}
    for status in (400, 401, 500):
        assert isinstance(errors.from_response(status, body), errors.AuthError)
    unknown = {"error": {"message": "Object does not exist", "code": 100, "error_subcode": 33}}
    assert isinstance(errors.from_response(400, unknown), errors.NotFoundError)
    outage = {"error": {"message": "Service temporarily unavailable", "code": 2, "is_transient": True}}
    assert isinstance(errors.from_response(500, outage), errors.TransientError)
    dense = {"error": {"message": "Please reduce the amount of data you're asking for, then retry your request",
                       "code": 1}}
    assert isinstance(errors.from_response(500, dense), errors.TooMuchDataError)
    assert isinstance(errors.from_response(503, None), errors.TransientError)
    assert isinstance(errors.from_response(429, None), errors.RateLimitError)


def test_tokens_are_redacted_from_messages():
    e = errors.TransientError("GET https://x/y?access_token=MLY|123|abcdef failed for MLY|9|ff")
    assert "MLY|" not in str(e) and "abcdef" not in str(e)


def test_v3_sequences_map_onto_records(realdata):
    doc = json.loads((realdata / "v3/sequences-bbox-zurich-2020.json").read_text())
    images, seqs = read_v3(doc)
    assert images == [] and len(seqs) == 17
    for feat, seq in zip(doc["features"], seqs):
        cp = feat["properties"]["coordinateProperties"]
        assert seq.id == feat["properties"]["key"]
        assert seq.image_ids == cp["image_keys"]
        assert seq.compass_angles == [a % 360 for a in cp["cas"]]
        assert [list(c) for c in seq.coords] == feat["geometry"]["coordinates"]
        assert seq.creator_id == feat["properties"]["user_key"]


def test_v3_images(realdata):
    images, seqs = read_v3(json.loads((realdata / "v3/josm-searchImages.json").read_text()))
    assert images and not seqs
    assert images[0].id == "_yA5uXuSNugmsK5VucU6Bg" and images[0].extra["make"] == "Apple"
    assert images[0].captured_at == 1491803490334


def test_every_recorded_graph_answer_is_read(realdata):
    """Each recorded v4 Graph body goes through the engine function meant for it."""
    from mapillary_retriever.api.search import extras_from_graph

    kinds = {}
    for path in sorted((realdata / "v4/graph").glob("*.json")):
        body = json.loads(path.read_text())
        if "error" in body:  # typed by error.code, whatever the status
            err = errors.from_response(500, body)
            assert isinstance(err, (errors.RateLimitError, errors.AuthError)), path.name
            kind = "error"
        elif isinstance(body.get("data"), list) and path.name.endswith("-detections.json"):
            kind = "detections (not part of a search)"
        elif isinstance(body.get("data"), list):  # /image_ids: ids stay strings, order kept
            ids = [str(r["id"]) for r in body["data"]]
            assert all(i.isdigit() and 15 <= len(i) <= 16 for i in ids) and len(set(ids)) == len(ids)
            kind = "image_ids"
        elif "username" in body:
            assert str(body["id"]).isdigit()
            kind = "user"
        elif "sequence" in body or "thumb_2048_url" in body:
            extra = extras_from_graph(body, ("username", "make", "model", "computed_geometry"))
            assert not any("thumb" in k or "url" in k for k in extra)  # signed URLs expire: never kept
            kind = "image"
        else:
            kind = "map feature (not part of a search)"
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["image"] >= 9 and kinds["image_ids"] == 2 and kinds["error"] == 2 and kinds["user"] == 2
