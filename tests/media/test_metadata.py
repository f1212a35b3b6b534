"""Reading camera, date and GPS from the EXIF that tests write with piexif."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import piexif
import pytest
from PIL import Image

from photoaudit.core.provenance import Camera
from photoaudit.media.imaging import load_photo
from photoaudit.media.metadata import parse_exif, parse_taken, read_file_meta
from tests.faces import camera_exif, save_heic

SHOT = datetime(2026, 11, 18, 10, 15, 0, tzinfo=timezone(timedelta(hours=1)))


def write(path: Path, exif: bytes | None) -> Path:
    image = Image.new("RGB", (64, 48), (120, 80, 40))
    if path.suffix == ".heic":
        return save_heic(image, path, exif=exif)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(path, **kwargs)
    return path


@pytest.mark.parametrize("name", ["a.jpg", "a.png", "a.heic"])
def test_camera_date_serial_and_gps_are_read_from_every_photo_format(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, camera_exif("Apple", "iPhone 14 Pro", SHOT, serial="F2LX", gps=(51.28, 1.08)))
    for meta in (parse_exif(load_photo(path).exif), read_file_meta(path)):
        assert meta.camera == Camera("Apple", "iPhone 14 Pro", "F2LX")
        assert meta.taken == SHOT and meta.taken.utcoffset() == timedelta(hours=1)
        assert meta.gps


def test_photo_without_exif_has_no_camera_date_or_location(tmp_path: Path) -> None:
    path = write(tmp_path / "screenshot.png", None)
    meta = read_file_meta(path)
    assert meta.camera is None and meta.taken is None and not meta.gps
    assert meta.file_modified is not None  # kept only to be quoted
    assert parse_exif(load_photo(path).exif).camera is None


def test_date_without_offset_is_naive(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jpg", camera_exif("samsung", "SM-T220", datetime(2026, 1, 2, 3, 4, 5)))
    assert parse_exif(load_photo(path).exif).taken == datetime(2026, 1, 2, 3, 4, 5)


def test_gps_block_without_a_position_is_not_a_location() -> None:
    block = piexif.dump({"0th": {piexif.ImageIFD.Make: b"x"}, "GPS": {piexif.GPSIFD.GPSVersionID: (2, 2, 0, 0)}})
    assert not parse_exif(block).gps


@pytest.mark.parametrize("data", [
    b"", b"Exif\x00\x00", b"Exif\x00\x00garbage-garbage", b"\x00" * 64, b"not exif at all",
    b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff",  # an IFD that claims 65535 entries
])
def test_malformed_exif_reads_as_nothing_recorded(data: bytes) -> None:
    meta = parse_exif(data)
    assert meta.camera is None and meta.taken is None and not meta.gps


def test_cut_off_exif_never_raises() -> None:
    block = camera_exif("Apple", "iPhone 14 Pro", SHOT, gps=(51.0, 1.0))
    for end in range(0, len(block), 7):
        parse_exif(block[:end])


@pytest.mark.parametrize("original,offset,expected,problem", [
    ("2026:11:18 10:15:00", "+01:00", SHOT, None),
    ("2026:11:18 10:15:00", "-05:30", datetime(2026, 11, 18, 10, 15, tzinfo=timezone(-timedelta(hours=5, minutes=30))), None),
    ("2026:11:18 10:15:00", "rubbish", datetime(2026, 11, 18, 10, 15), None),
    (b"2026:11:18 10:15:00\x00", None, datetime(2026, 11, 18, 10, 15), None),
    ("0000:00:00 00:00:00", None, None, None),
    ("    :  :     :  :  ", None, None, None),
    ("", None, None, None),
    ("2026:13:45 10:15:00", None, None, "not a real date"),
    ("yesterday", None, None, "is not a date"),
])
def test_taken_date_parsing(original, offset, expected, problem) -> None:  # noqa: ANN001
    taken, why = parse_taken(original, offset)
    assert taken == expected
    assert (why is None) if problem is None else (problem in why)


def test_unreadable_file_has_no_metadata(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00garbage")
    meta = read_file_meta(path)
    assert meta.camera is None
