"""Test helpers: put every kind of identifying metadata into a photo, and find it again.

Used by the export tests to prove that nothing survives into a copy for posting.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import piexif
from PIL import Image

SERIAL = "SN-PHOTOAUDIT-4242"
OWNER = "Tablet of Room 2"
XMP_NS = b"http://ns.adobe.com/xap/1.0/"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.0N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
COMMENT = b"Sunflower Nursery, 12 Acacia Road"
IPTC_CITY = b"Little Hampton"


def identifying_exif(
    orientation: int = 1, thumbnail: Image.Image | None = None, gps: bool = True, make: str = "Setting Tablets Ltd"
) -> bytes:
    """EXIF with GPS, a device serial, an owner, timestamps and (optionally) a thumbnail."""
    exif = {
        "0th": {
            piexif.ImageIFD.Make: make.encode(),
            piexif.ImageIFD.Model: b"Tab 9",
            piexif.ImageIFD.Orientation: orientation,
            piexif.ImageIFD.DateTime: b"2026:03:09 10:15:00",
            piexif.ImageIFD.Artist: OWNER.encode(),
        },
        "Exif": {
            piexif.ExifIFD.DateTimeOriginal: b"2026:03:09 10:15:00",
            piexif.ExifIFD.BodySerialNumber: SERIAL.encode(),
            piexif.ExifIFD.CameraOwnerName: OWNER.encode(),
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((51, 1), (30, 1), (1234, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"W",
            piexif.GPSIFD.GPSLongitude: ((0, 1), (7, 1), (3900, 100)),
        },
    }
    if not gps:
        del exif["GPS"]
    if thumbnail is not None:
        buffer = io.BytesIO()
        small = thumbnail.convert("RGB")
        small.thumbnail((160, 120))
        small.save(buffer, "JPEG", quality=80)
        exif["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0}
        exif["thumbnail"] = buffer.getvalue()
    return piexif.dump(exif)


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _iptc_segment() -> bytes:
    record = b"\x1c\x02\x5a" + struct.pack(">H", len(IPTC_CITY)) + IPTC_CITY  # 2:90 City
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(record)) + record
    return _segment(0xED, b"Photoshop 3.0\x00" + resource)


def save_jpeg_with_everything(img: Image.Image, path: Path, exif: bytes) -> Path:
    """A JPEG carrying EXIF (as given), XMP, IPTC and a comment, as phones and editors write."""
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "JPEG", quality=92, exif=exif)
    data = buffer.getvalue()
    extra = (
        _segment(0xE1, XMP_NS + b"\x00" + XMP_PACKET)
        + _iptc_segment()
        + _segment(0xFE, COMMENT)
    )
    path.write_bytes(data[:2] + extra + data[2:])
    return path


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def save_png_with_everything(img: Image.Image, path: Path, exif: bytes) -> Path:
    """A PNG with an eXIf chunk, an XMP iTXt chunk and a text comment."""
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, "PNG", exif=exif)
    data = buffer.getvalue()
    extra = (
        png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + XMP_NS + XMP_PACKET)
        + png_chunk(b"tEXt", b"Comment\x00" + COMMENT)
    )
    # after IHDR (8-byte signature + 25-byte IHDR chunk)
    path.write_bytes(data[:33] + extra + data[33:])
    return path


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every segment before the image data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    found, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"bad marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xD9:
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        found.append((marker, data[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:  # start of scan: image data follows
            break
        pos += 2 + length
    return found


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    kinds, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


#: Byte strings that must never appear in a copy for posting.
TELLTALES = (
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap",
    b"xmpmeta",
    b"Photoshop 3.0",
    b"8BIM",
    SERIAL.encode(),
    OWNER.encode(),
    COMMENT,
    IPTC_CITY,
    b"2026:03:09",
    b"GPS",
)


def metadata_left(data: bytes) -> list[str]:
    """Every piece of metadata found in an exported file ([] when it is clean)."""
    problems = [f"contains {t!r}" for t in TELLTALES if t in data]
    if data[:2] == b"\xff\xd8":
        for marker, payload in jpeg_segments(data):
            if marker == 0xE1:
                problems.append(f"APP1 segment {payload[:30]!r}")
            elif marker == 0xED:
                problems.append("APP13 (IPTC/Photoshop) segment")
            elif marker == 0xFE:
                problems.append("COM (comment) segment")
            elif 0xE3 <= marker <= 0xEF:
                problems.append(f"APP{marker - 0xE0} segment")
            elif marker == 0xE2 and not payload.startswith(b"ICC_PROFILE\x00"):
                problems.append("APP2 segment that is not a colour profile")
        if data.count(b"\xff\xd8\xff") != 1:
            problems.append("a second embedded JPEG (thumbnail)")
    else:
        allowed = {b"IHDR", b"IDAT", b"IEND", b"iCCP", b"PLTE", b"sRGB", b"gAMA", b"cHRM", b"pHYs"}
        problems += [f"PNG chunk {kind!r}" for kind in png_chunks(data) if kind not in allowed]
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
        if len(exif):
            problems.append(f"EXIF tags {sorted(exif)}")
        if exif.get_ifd(0x8825):
            problems.append("a GPS block")
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "photoshop"):
            if im.info.get(key):
                problems.append(f"Pillow sees {key}")
    return problems
