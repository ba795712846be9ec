"""api.exif: the EXIF block read back by an independent reader (exiftool), and the picture
bytes left exactly as they were."""

from __future__ import annotations

import json
import math
import struct
import subprocess  # nosec B404: runs exiftool, a fixed local program, on test files
from pathlib import Path

import pytest
import truth
from hypothesis import given
from hypothesis import strategies as st
from osgeo import gdal

from mapillary_retriever.api.exif import add_exif, read_image_id, strip_exif

gdal.UseExceptions()


def make_jpeg(width: int = 24, height: int = 16, exif: dict[str, str] | None = None) -> bytes:
    """A small real JPEG from GDAL (with a JFIF APP0; with an EXIF APP1 when ``exif`` is given)."""
    src = gdal.GetDriverByName("MEM").Create("", width, height, 3)
    for b in range(3):
        band = src.GetRasterBand(b + 1)
        band.WriteRaster(0, 0, width, height, bytes((x * 7 + b * 60) % 256 for x in range(width * height)))
    for key, value in (exif or {}).items():
        src.SetMetadataItem(key, value)
    name = f"/vsimem/test_exif_{id(src)}.jpg"
    gdal.GetDriverByName("JPEG").CreateCopy(name, src, options=["EXIF_THUMBNAIL=NO"])
    f = gdal.VSIFOpenL(name, "rb")
    gdal.VSIFSeekL(f, 0, 2)
    n = gdal.VSIFTellL(f)
    gdal.VSIFSeekL(f, 0, 0)
    data = bytes(gdal.VSIFReadL(1, n, f))
    gdal.VSIFCloseL(f)
    gdal.Unlink(name)
    return data


def segments(jpeg: bytes) -> list[bytes]:
    """The marker bytes and the first few payload bytes of each header segment (test's own parser)."""
    out, i = [], 2
    while jpeg[i + 1] != 0xDA:
        n = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        out.append(jpeg[i:i + 2 + n])
        i += 2 + n
    return out


def scan(jpeg: bytes) -> bytes:
    """Everything from the start-of-scan marker on: the compressed picture."""
    i = 2
    while jpeg[i + 1] != 0xDA:
        i += 2 + struct.unpack(">H", jpeg[i + 2:i + 4])[0]
    return jpeg[i:]


def is_exif(seg: bytes) -> bool:
    return seg[:2] == b"\xff\xe1" and seg[4:10] == b"Exif\x00\x00"


@pytest.fixture(scope="session")
def exiftool() -> str:
    return truth.exiftool()


def read_tags(exiftool: str, tmp_path: Path, jpeg: bytes, *extra: str) -> dict:
    f = tmp_path / f"t{len(list(tmp_path.iterdir()))}.jpg"
    f.write_bytes(jpeg)
    out = subprocess.run([exiftool, "-j", "-n", "-G", *extra, str(f)],  # nosec B603
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]


FULL = dict(lat=49.611234567, lon=6.129876543, altitude=312.25, direction=123.45,
            captured_at_ms=1622541600123, make="GoPro", model="MAX", image_id="1234567890123456")


@pytest.mark.parametrize("lat,lon", [(49.611234567, 6.129876543), (-33.856784, -70.648273),
                                     (-0.000001, 179.9999999), (89.999999, -179.9999999), (0.0, 0.0)])
def test_every_tag_reads_back(exiftool, tmp_path, lat, lon):
    jpeg = make_jpeg()
    t = read_tags(exiftool, tmp_path, add_exif(jpeg, **{**FULL, "lat": lat, "lon": lon}))
    assert t["Composite:GPSLatitude"] == pytest.approx(lat, abs=1e-6)
    assert t["Composite:GPSLongitude"] == pytest.approx(lon, abs=1e-6)
    assert t["EXIF:GPSLatitudeRef"] == ("S" if lat < 0 else "N")
    assert t["EXIF:GPSLongitudeRef"] == ("W" if lon < 0 else "E")
    assert t["EXIF:GPSVersionID"] == "2 3 0 0"
    assert t["EXIF:GPSAltitudeRef"] == 0
    assert t["EXIF:GPSAltitude"] == pytest.approx(312.25)
    assert t["EXIF:GPSImgDirectionRef"] == "T"
    assert t["EXIF:GPSImgDirection"] == pytest.approx(123.45)
    assert t["EXIF:DateTimeOriginal"] == "2021:06:01 10:00:00"
    assert t["EXIF:OffsetTimeOriginal"] == "+00:00"
    assert str(t["EXIF:SubSecTimeOriginal"]) == "123"
    assert t["Composite:GPSDateTime"] == "2021:06:01 10:00:00.123Z"
    assert t["EXIF:Make"] == "GoPro"
    assert t["EXIF:Model"] == "MAX"
    assert str(t["EXIF:ImageUniqueID"]) == "1234567890123456"
    assert t["EXIF:ImageDescription"] == "Mapillary image 1234567890123456"
    assert t["EXIF:ExifImageWidth"] == 24 and t["EXIF:ExifImageHeight"] == 16
    assert t["File:ExifByteOrder"] == "II"


def test_exiftool_finds_nothing_to_complain_about(exiftool, tmp_path):
    t = read_tags(exiftool, tmp_path, add_exif(make_jpeg(), **FULL), "-validate", "-warning")
    assert t["ExifTool:Validate"] == "0 0 0", t  # errors, warnings, minor warnings (-n)


def test_negative_altitude(exiftool, tmp_path):
    t = read_tags(exiftool, tmp_path, add_exif(make_jpeg(), lat=31.5, lon=35.4, altitude=-412.7))
    assert t["EXIF:GPSAltitudeRef"] == 1
    assert t["Composite:GPSAltitude"] == pytest.approx(-412.7)


def test_only_the_position(exiftool, tmp_path):
    jpeg = make_jpeg()
    t = read_tags(exiftool, tmp_path, add_exif(jpeg, lat=-12.5, lon=-45.25))
    assert t["Composite:GPSLatitude"] == pytest.approx(-12.5, abs=1e-9)
    assert t["Composite:GPSLongitude"] == pytest.approx(-45.25, abs=1e-9)
    for absent in ("EXIF:GPSAltitude", "EXIF:GPSAltitudeRef", "EXIF:GPSImgDirection", "EXIF:DateTimeOriginal",
                   "EXIF:OffsetTimeOriginal", "EXIF:GPSDateStamp", "EXIF:Make", "EXIF:Model",
                   "EXIF:ImageUniqueID", "EXIF:ImageDescription"):
        assert absent not in t
    assert read_image_id(add_exif(jpeg, lat=1, lon=2)) is None


@pytest.mark.parametrize("given_angle,stored", [(0, 0), (359.999, 0), (360, 0), (-10, 350), (725.5, 5.5)])
def test_direction_is_kept_in_0_360(exiftool, tmp_path, given_angle, stored):
    t = read_tags(exiftool, tmp_path, add_exif(make_jpeg(), lat=1, lon=2, direction=given_angle))
    assert t["EXIF:GPSImgDirection"] == pytest.approx(stored)


def test_time_before_1970_and_exact_second(exiftool, tmp_path):
    t = read_tags(exiftool, tmp_path, add_exif(make_jpeg(), lat=1, lon=2, captured_at_ms=-86_400_000))
    assert t["EXIF:DateTimeOriginal"] == "1969:12:31 00:00:00"
    assert str(t["EXIF:SubSecTimeOriginal"]) == "000"


def test_an_existing_exif_block_is_replaced_not_doubled(exiftool, tmp_path):
    jpeg = make_jpeg(exif={"EXIF_Make": "OldMake", "EXIF_Software": "old software"})
    assert sum(is_exif(s) for s in segments(jpeg)) == 1
    out = add_exif(jpeg, **FULL)
    assert sum(is_exif(s) for s in segments(out)) == 1
    t = read_tags(exiftool, tmp_path, out)
    assert t["EXIF:Make"] == "GoPro"
    assert "EXIF:Software" not in t
    # again over our own block: still one, with the new values
    again = add_exif(out, **{**FULL, "make": "Other", "image_id": "42"})
    assert sum(is_exif(s) for s in segments(again)) == 1
    assert read_image_id(again) == "42"
    assert scan(again) == scan(out) == scan(jpeg)
    keep = [s for s in segments(jpeg) if not is_exif(s)]
    assert [s for s in segments(again) if not is_exif(s)] == keep


def test_jfif_stays_first_and_exif_follows(exiftool, tmp_path):
    jpeg = make_jpeg()
    assert segments(jpeg)[0][4:9] == b"JFIF\x00"
    out = add_exif(jpeg, **FULL)
    segs = segments(out)
    assert segs[0] == segments(jpeg)[0] and is_exif(segs[1])
    assert read_tags(exiftool, tmp_path, out)["JFIF:JFIFVersion"] == "1 1"


def test_without_jfif_exif_comes_right_after_soi():
    jpeg = make_jpeg()
    app0 = segments(jpeg)[0]
    bare = jpeg[:2] + jpeg[2 + len(app0):]
    out = add_exif(bare, **FULL)
    assert is_exif(segments(out)[0])
    assert strip_exif(out) == bare


def test_picture_bytes_are_untouched():
    jpeg = make_jpeg(64, 48)
    out = add_exif(jpeg, **FULL)
    assert out.startswith(b"\xff\xd8") and out.endswith(b"\xff\xd9")
    assert strip_exif(out) == jpeg  # removing our segment gives back the original, byte for byte
    assert scan(out) == scan(jpeg)
    assert len(out) > len(jpeg)
    # the picture still decodes to the same pixels
    gdal.FileFromMemBuffer("/vsimem/a.jpg", jpeg)
    gdal.FileFromMemBuffer("/vsimem/b.jpg", out)
    try:
        a, b = gdal.Open("/vsimem/a.jpg"), gdal.Open("/vsimem/b.jpg")
        assert a.ReadRaster() == b.ReadRaster()
    finally:
        gdal.Unlink("/vsimem/a.jpg")
        gdal.Unlink("/vsimem/b.jpg")


def test_read_image_id():
    jpeg = make_jpeg()
    assert read_image_id(jpeg) is None
    assert read_image_id(add_exif(jpeg, lat=1, lon=2, image_id="498763468214164")) == "498763468214164"
    assert read_image_id(b"not a jpeg") is None
    full = add_exif(jpeg, lat=1, lon=2, image_id="77")
    assert read_image_id(full[:400]) == "77"  # the header alone is enough


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_positions_are_refused(bad):
    jpeg = make_jpeg()
    with pytest.raises(ValueError, match="latitude must be a finite number"):
        add_exif(jpeg, lat=bad, lon=2)
    with pytest.raises(ValueError, match="longitude must be a finite number"):
        add_exif(jpeg, lat=1, lon=bad)
    with pytest.raises(ValueError, match="altitude must be a finite number"):
        add_exif(jpeg, lat=1, lon=2, altitude=bad)


def test_out_of_range_positions_are_refused():
    with pytest.raises(ValueError, match="latitude 91.0 is outside"):
        add_exif(make_jpeg(), lat=91, lon=2)
    with pytest.raises(ValueError, match="longitude -181.0 is outside"):
        add_exif(make_jpeg(), lat=1, lon=-181)


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"<html>503</html>", b"\xff\xd8\xff"])
def test_not_a_jpeg(data):
    with pytest.raises(ValueError, match="not a JPEG"):
        add_exif(data, lat=1, lon=2)


def test_a_truncated_header_is_not_a_jpeg():
    jpeg = make_jpeg()
    with pytest.raises(ValueError, match="not a JPEG"):
        add_exif(jpeg[:30], lat=1, lon=2)


def _gps_from_block(out: bytes) -> tuple[float, float]:
    """Decode GPSLatitude/GPSLongitude from our little-endian block (a second reader, for the
    property test: exiftool per example would be slow)."""
    seg = next(s for s in segments(out) if is_exif(s))
    tiff = seg[10:]

    def ifd(at):
        (n,) = struct.unpack("<H", tiff[at:at + 2])
        return {struct.unpack("<H", tiff[at + 2 + 12 * k:at + 4 + 12 * k])[0]: at + 2 + 12 * k for k in range(n)}

    def value_at(p):
        return struct.unpack("<I", tiff[p + 8:p + 12])[0]

    gps = ifd(value_at(ifd(struct.unpack("<I", tiff[4:8])[0])[0x8825]))

    def dms(tag, ref_tag, neg):
        r = struct.unpack("<6I", tiff[value_at(gps[tag]):value_at(gps[tag]) + 24])
        v = r[0] / r[1] + r[2] / r[3] / 60 + r[4] / r[5] / 3600
        return -v if tiff[gps[ref_tag] + 8:gps[ref_tag] + 9] == neg else v

    return dms(2, 1, b"S"), dms(4, 3, b"W")


_JPEG = make_jpeg(8, 8)


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_positions_round_trip_to_a_millimetre(lat, lon):
    got_lat, got_lon = _gps_from_block(add_exif(_JPEG, lat=lat, lon=lon))
    assert math.isclose(got_lat, lat, abs_tol=1e-9) and math.isclose(got_lon, lon, abs_tol=1e-9)
