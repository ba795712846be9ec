"""A layer built from the search's columns has exactly the features of one built from Image objects."""

from __future__ import annotations

from mapillary_retriever import layers
from mapillary_retriever.api.records import Image, Images


def _rows(layer):
    return [(f.geometry().asWkt(13), [None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
                                       for v in f.attributes()]) for f in layer.getFeatures()]


def test_layer_from_columns_equals_layer_from_objects(qgis_app):
    recs = [Image(str(10**15 + i), 6.1 + i * 1e-5, 49.6 - i * 1e-5, "" if i % 7 == 0 else f"s{i % 3}",
                  None if i % 5 == 0 else 1_600_000_000_000 + i * 1001, None if i % 4 == 0 else i * 7.5 % 360,
                  i % 6 == 0, None if i % 3 == 0 else "42", "org" if i % 8 == 0 else None,
                  {"username": "anna", "altitude": 12.5} if i % 2 else None)
            for i in range(4500)]  # more than one batch
    table = Images.from_images(recs)
    extra = ("username", "altitude")
    a = layers.memory_layer("images", table, extra)
    b = layers.memory_layer("images", list(table), extra)
    assert a.featureCount() == b.featureCount() == len(recs)
    assert _rows(a) == _rows(b)
    rows = _rows(a)
    assert rows[0] == ("Point (6.1 49.6)", [str(10**15), "", None, None, True, None, "org", None, None])
    assert rows[1][1][2].toMSecsSinceEpoch() == 1_600_000_001_001 and rows[1][1][7:] == ["anna", 12.5]
