"""Write (and read back) a small EXIF block in a JPEG without touching the picture.

Only the header segments change: an EXIF APP1 segment goes right after SOI (after a JFIF
APP0, if the file starts with one), replacing any EXIF APP1 already there. Every other byte,
the compressed picture included, is copied as it was: nothing is decoded or re-encoded.

The TIFF block is little-endian ("II"). Tags written: GPSVersionID, GPSLatitude(Ref),
GPSLongitude(Ref), GPSAltitude(Ref), GPSTimeStamp, GPSDateStamp, GPSImgDirection(Ref),
DateTimeOriginal (UTC) with OffsetTimeOriginal "+00:00" and SubSecTimeOriginal, Make,
Model, ImageDescription ("Mapillary image <id>") and ImageUniqueID (the Mapillary id), plus the
tags `exiftool -validate` wants in a JPEG (resolution, ColorSpace, ExifImageWidth/Height…).
"""

from __future__ import annotations

import math
import struct
from datetime import datetime, timedelta

SOI = b"\xff\xd8"
EOI = b"\xff\xd9"
EXIF_HEADER = b"Exif\x00\x00"

_BYTE, _ASCII, _SHORT, _LONG, _RATIONAL, _UNDEFINED = 1, 2, 3, 4, 5, 7
_SIZES = {_BYTE: 1, _ASCII: 1, _SHORT: 2, _LONG: 4, _RATIONAL: 8, _UNDEFINED: 1}
_EPOCH = datetime(1970, 1, 1)
_DEG_DEN = 1_000_000  # seconds of arc in millionths: far finer than any GPS
_MAX_TEXT = 255  # bytes kept of make/model/id

# markers that stand alone (no length field)
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def add_exif(jpeg: bytes, *, lat: float, lon: float, altitude: float | None = None,
             direction: float | None = None, captured_at_ms: int | None = None, make: str | None = None,
             model: str | None = None, image_id: str | None = None) -> bytes:
    """Return ``jpeg`` with our EXIF segment; all picture bytes stay identical.

    ``direction`` is the compass angle in degrees from true north; ``captured_at_ms`` is
    epoch milliseconds (UTC); ``altitude`` is metres above sea level (negative: below).
    Raises ValueError for a file that is not a JPEG or for an impossible value."""
    segments, rest = _split(jpeg)
    tiff = _tiff(lat=lat, lon=lon, altitude=altitude, direction=direction, captured_at_ms=captured_at_ms,
                 make=make, model=model, image_id=image_id, size=_frame_size(segments))
    payload = EXIF_HEADER + tiff
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("The EXIF data is too large for one JPEG segment.")
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    kept = [s for s in segments if not _is_exif(s)]
    head = [kept.pop(0)] if kept and _is_jfif(kept[0]) else []
    return SOI + b"".join(head) + app1 + b"".join(kept) + rest


def strip_exif(jpeg: bytes) -> bytes:
    """``jpeg`` without its EXIF APP1 segments (every other byte as it was)."""
    segments, rest = _split(jpeg)
    return SOI + b"".join(s for s in segments if not _is_exif(s)) + rest


def read_image_id(jpeg: bytes) -> str | None:
    """The ImageUniqueID of the file's EXIF block (what ``add_exif`` wrote as ``image_id``),
    or None when there is none or the header cannot be read. Only the header is needed."""
    try:
        segments, _ = _split(jpeg, need_rest=False)
    except ValueError:
        return None
    for seg in segments:
        if _is_exif(seg):
            try:
                return _find_unique_id(seg[4 + len(EXIF_HEADER):])
            except (struct.error, IndexError, ValueError):
                return None
    return None


# --- JPEG segments ------------------------------------------------------------------------------

def _split(jpeg: bytes, need_rest: bool = True) -> tuple[list[bytes], bytes]:
    """(the header segments between SOI and SOS, each with its marker; everything from SOS on).
    Fill bytes (0xFF runs) before a marker are dropped."""
    if not isinstance(jpeg, (bytes, bytearray, memoryview)) or bytes(jpeg[:2]) != SOI:
        raise ValueError("not a JPEG (it does not start with the JPEG SOI marker FFD8)")
    jpeg = bytes(jpeg)
    segments: list[bytes] = []
    i, n = 2, len(jpeg)
    while True:
        if i >= n:
            if need_rest:
                raise ValueError("not a JPEG (the file ends before its picture data)")
            return segments, b""
        if jpeg[i] != 0xFF:
            raise ValueError(f"not a JPEG (no marker at byte {i})")
        while i + 1 < n and jpeg[i + 1] == 0xFF:  # fill bytes
            i += 1
        if i + 1 >= n:
            raise ValueError("not a JPEG (the file ends inside a marker)")
        marker = jpeg[i + 1]
        if marker in (0xDA, 0xD9):  # start of scan, or an image without a scan: the rest as it is
            return segments, jpeg[i:]
        if marker in _STANDALONE:
            segments.append(jpeg[i:i + 2])
            i += 2
            continue
        if i + 4 > n:
            if need_rest:
                raise ValueError("not a JPEG (the file ends inside a segment header)")
            return segments, b""
        length = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        if length < 2:
            raise ValueError(f"not a JPEG (a segment at byte {i} has an impossible length)")
        end = i + 2 + length
        if end > n:
            if need_rest:
                raise ValueError("not a JPEG (the file ends inside a header segment)")
            return segments, b""
        segments.append(jpeg[i:end])
        i = end


def _frame_size(segments: list[bytes]) -> tuple[int, int] | None:
    """(width, height) from the start-of-frame segment, if there is one."""
    for seg in segments:
        if seg[1] in _SOF and len(seg) >= 9:
            height, width = struct.unpack(">HH", seg[5:9])
            return width, height
    return None


def _is_exif(segment: bytes) -> bool:
    return segment[:2] == b"\xff\xe1" and segment[4:4 + len(EXIF_HEADER)] == EXIF_HEADER


def _is_jfif(segment: bytes) -> bool:
    return segment[:2] == b"\xff\xe0" and segment[4:9] in (b"JFIF\x00", b"JFXX\x00")


# --- the TIFF block -----------------------------------------------------------------------------

def _tiff(*, lat, lon, altitude, direction, captured_at_ms, make, model, image_id, size) -> bytes:
    lat = _finite(lat, "latitude")
    lon = _finite(lon, "longitude")
    if not -90 <= lat <= 90:
        raise ValueError(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise ValueError(f"longitude {lon} is outside -180..180")
    gps: list[tuple[int, int, int, bytes]] = [
        (0x0000, _BYTE, 4, bytes((2, 3, 0, 0))),
        (0x0001, _ASCII, 2, b"N\x00" if lat >= 0 else b"S\x00"),
        (0x0002, _RATIONAL, 3, _dms(lat)),
        (0x0003, _ASCII, 2, b"E\x00" if lon >= 0 else b"W\x00"),
        (0x0004, _RATIONAL, 3, _dms(lon)),
    ]
    if altitude is not None:
        alt = _finite(altitude, "altitude")
        gps.append((0x0005, _BYTE, 1, bytes((0 if alt >= 0 else 1,))))
        gps.append((0x0006, _RATIONAL, 1, _rational(abs(alt), 1000)))
    # the tags a JPEG's EXIF block must hold (exiftool -validate), with the usual values
    exif: list[tuple[int, int, int, bytes]] = [
        (0x9000, _UNDEFINED, 4, b"0232"),
        (0x9101, _UNDEFINED, 4, bytes((1, 2, 3, 0))),  # ComponentsConfiguration: Y Cb Cr
        (0xA000, _UNDEFINED, 4, b"0100"),  # FlashpixVersion
        (0xA001, _SHORT, 1, struct.pack("<H", 1)),  # ColorSpace: sRGB
    ]
    if size is not None:
        exif.append((0xA002, _LONG, 1, struct.pack("<I", size[0])))
        exif.append((0xA003, _LONG, 1, struct.pack("<I", size[1])))
    if captured_at_ms is not None:
        when = _utc(captured_at_ms)
        ms = when.microsecond // 1000
        gps.append((0x0007, _RATIONAL, 3, _rational(when.hour, 1) + _rational(when.minute, 1)
                    + struct.pack("<II", when.second * 1000 + ms, 1000)))
        exif.append(_text(0x9003, when.strftime("%Y:%m:%d %H:%M:%S")))
        exif.append(_text(0x9011, "+00:00"))
        exif.append(_text(0x9291, f"{ms:03d}"))
    if direction is not None:
        hundredths = round(_finite(direction, "compass angle") * 100) % 36000
        gps.append((0x0010, _ASCII, 2, b"T\x00"))
        gps.append((0x0011, _RATIONAL, 1, struct.pack("<II", hundredths, 100)))
    if captured_at_ms is not None:
        gps.append(_text(0x001D, when.strftime("%Y:%m:%d")))
    if image_id is not None and str(image_id):
        exif.append(_text(0xA420, str(image_id)))
    ifd0: list[tuple[int, int, int, bytes]] = [
        (0x011A, _RATIONAL, 1, struct.pack("<II", 72, 1)),  # XResolution
        (0x011B, _RATIONAL, 1, struct.pack("<II", 72, 1)),  # YResolution
        (0x0128, _SHORT, 1, struct.pack("<H", 2)),  # ResolutionUnit: inches
        (0x0213, _SHORT, 1, struct.pack("<H", 1)),  # YCbCrPositioning: centred
    ]
    if image_id is not None and str(image_id):
        ifd0.append(_text(0x010E, f"Mapillary image {image_id}"))
    if make:
        ifd0.append(_text(0x010F, make))
    if model:
        ifd0.append(_text(0x0110, model))

    # layout: header, IFD0 (+ its data), Exif IFD (+ data), GPS IFD (+ data)
    def build(exif_at: int, gps_at: int) -> bytes:
        return _ifd(ifd0 + [(0x8769, _LONG, 1, struct.pack("<I", exif_at)),
                            (0x8825, _LONG, 1, struct.pack("<I", gps_at))], 8)

    size0 = len(build(0, 0))
    exif_at = 8 + size0
    exif_block = _ifd(exif, exif_at)
    gps_at = exif_at + len(exif_block)
    gps_block = _ifd(gps, gps_at)
    return b"II*\x00" + struct.pack("<I", 8) + build(exif_at, gps_at) + exif_block + gps_block


def _ifd(entries: list[tuple[int, int, int, bytes]], start: int) -> bytes:
    """One IFD at offset ``start`` followed by the values that do not fit in four bytes."""
    entries = sorted(entries)
    data_at = start + 2 + 12 * len(entries) + 4
    table, data = [struct.pack("<H", len(entries))], []
    for tag, typ, count, value in entries:
        if len(value) != _SIZES[typ] * count:  # a bug here, not bad input
            raise ValueError(f"EXIF tag {tag:#06x}: {len(value)} bytes for {count} values")
        if len(value) <= 4:
            table.append(struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\x00"))
        else:
            table.append(struct.pack("<HHII", tag, typ, count, data_at))
            value = value + b"\x00" * (len(value) % 2)  # keep offsets even
            data.append(value)
            data_at += len(value)
    table.append(struct.pack("<I", 0))  # no next IFD
    return b"".join(table) + b"".join(data)


def _text(tag: int, text: str) -> tuple[int, int, int, bytes]:
    raw = str(text).replace("\x00", "").encode("utf-8")[:_MAX_TEXT] + b"\x00"
    return tag, _ASCII, len(raw), raw


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"the {what} {value!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"the {what} must be a finite number, not {v}")
    return v


def _rational(value: float, den: int) -> bytes:
    num = round(value * den)
    if num >= 2**32:
        raise ValueError(f"{value} is too large for an EXIF rational")
    return struct.pack("<II", num, den)


def _dms(value: float) -> bytes:
    """|value| in degrees as three rationals: degrees, minutes, seconds (millionths)."""
    total = round(abs(value) * 3600 * _DEG_DEN)  # in millionths of a second of arc
    deg, rem = divmod(total, 3600 * _DEG_DEN)
    minutes, sec = divmod(rem, 60 * _DEG_DEN)
    return struct.pack("<IIIIII", deg, 1, minutes, 1, sec, _DEG_DEN)


def _utc(ms) -> datetime:
    try:
        when = _EPOCH + timedelta(milliseconds=int(ms))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"the capture time {ms!r} is not a usable epoch-milliseconds value") from None
    if when.year < 1000:
        raise ValueError(f"the capture time {ms!r} is before the year 1000")
    return when


# --- reading our block back ---------------------------------------------------------------------

def _find_unique_id(tiff: bytes) -> str | None:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None

    def entries(at: int):
        (count,) = struct.unpack(order + "H", tiff[at:at + 2])
        for k in range(count):
            p = at + 2 + 12 * k
            tag, typ, n = struct.unpack(order + "HHI", tiff[p:p + 8])
            yield tag, typ, n, p + 8

    (ifd0,) = struct.unpack(order + "I", tiff[4:8])
    for tag, _typ, _n, p in entries(ifd0):
        if tag == 0x8769:
            (exif_at,) = struct.unpack(order + "I", tiff[p:p + 4])
            for tag2, typ2, n2, p2 in entries(exif_at):
                if tag2 == 0xA420 and typ2 == _ASCII:
                    if n2 > 4:
                        (p2,) = struct.unpack(order + "I", tiff[p2:p2 + 4])
                    raw = tiff[p2:p2 + n2]
                    if len(raw) != n2:
                        return None
                    return raw.split(b"\x00", 1)[0].decode("utf-8", "replace")
    return None
