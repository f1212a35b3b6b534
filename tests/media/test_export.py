"""photoaudit.media.export without the face engine: covering, bare encoding, writing without overwriting."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import numpy
import pytest
from faces import astronaut, grace_hopper
from metadata import (
    identifying_exif,
    jpeg_segments,
    metadata_left,
    save_jpeg_with_everything,
    save_png_with_everything,
)
from PIL import Image, ImageCms

from photoaudit.media.export import (
    COVER_RGB,
    copy_format,
    cover_regions,
    decode,
    encode,
    make_private_folder,
    rgb_icc_profile,
    write_new,
)
from photoaudit.media.imaging import load_photo


def test_cover_fills_every_region_solid_and_leaves_the_rest() -> None:
    pixels = numpy.asarray(astronaut())
    out = cover_regions(pixels, [(10, 20, 110, 220), (300, 300, 512, 512)])
    assert (out[20:220, 10:110] == COVER_RGB).all()
    assert (out[300:512, 300:512] == COVER_RGB).all()
    assert (out[0:20] == pixels[0:20]).all() and (out[:, 110:300] == pixels[:, 110:300]).all()
    assert (pixels != out).any() and pixels is not out  # the input is untouched
    assert numpy.array_equal(pixels, numpy.asarray(astronaut()))


def test_helpers_find_the_metadata_they_are_meant_to_catch(tmp_path: Path) -> None:
    """The metadata checker itself must see metadata, or the export tests prove nothing."""
    exif = identifying_exif(thumbnail=astronaut())
    jpeg = save_jpeg_with_everything(astronaut(), tmp_path / "a.jpg", exif).read_bytes()
    png = save_png_with_everything(astronaut(), tmp_path / "a.png", exif).read_bytes()
    found_jpeg, found_png = " ".join(metadata_left(jpeg)), " ".join(metadata_left(png))
    for what in ("Exif", "xap", "Photoshop", "COM", "GPS", "thumbnail"):
        assert what in found_jpeg, what
    for what in ("EXIF tags", "xap", "iTXt", "tEXt", "eXIf", "GPS"):
        assert what in found_png, what


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_re_encoding_a_loaded_photo_drops_all_metadata(tmp_path: Path, fmt: str) -> None:
    exif = identifying_exif(thumbnail=astronaut())
    save = save_jpeg_with_everything if fmt == "JPEG" else save_png_with_everything
    source = save(astronaut(), tmp_path / f"a.{fmt.lower()}", exif)
    loaded = load_photo(source)
    data = encode(loaded.pixels, fmt)
    assert metadata_left(data) == []
    assert decode(data).shape == loaded.pixels.shape


def test_an_rgb_colour_profile_is_kept(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "p.jpg"
    astronaut().save(path, "JPEG", icc_profile=srgb)
    icc = rgb_icc_profile(path)
    assert icc == srgb
    data = encode(numpy.asarray(astronaut()), "JPEG", icc)
    assert metadata_left(data) == []
    assert any(m == 0xE2 and p.startswith(b"ICC_PROFILE") for m, p in jpeg_segments(data))
    with Image.open(io.BytesIO(data)) as im:
        assert im.info.get("icc_profile") == srgb


def test_a_profile_that_is_not_rgb_is_dropped(tmp_path: Path) -> None:
    grey = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    path = tmp_path / "lab.jpg"
    astronaut().save(path, "JPEG", icc_profile=grey)
    assert rgb_icc_profile(path) is None
    assert rgb_icc_profile(tmp_path / "missing.jpg") is None


def test_copy_format_keeps_png_and_makes_everything_else_jpeg() -> None:
    assert copy_format("PNG") == ("PNG", ".png")
    assert copy_format("JPEG") == ("JPEG", ".jpg")
    assert copy_format("HEIF") == ("JPEG", ".jpg")


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    (tmp_path / "IMG_1.jpg").write_bytes(b"somebody else's")
    (tmp_path / "IMG_1-2.jpg").write_bytes(b"and another")
    written = write_new(tmp_path, "IMG_1.jpg", b"copy")
    assert written == tmp_path / "IMG_1-3.jpg"
    assert written.read_bytes() == b"copy"
    assert (tmp_path / "IMG_1.jpg").read_bytes() == b"somebody else's"
    assert (tmp_path / "IMG_1-2.jpg").read_bytes() == b"and another"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IMG_1-2.jpg", "IMG_1-3.jpg", "IMG_1.jpg"]


def test_write_new_without_links_still_never_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On disks without hard links (FAT, some network drives) the file is created exclusively."""
    def no_links(src: object, dst: object) -> None:
        raise PermissionError("operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "a.png").write_bytes(b"original")
    written = write_new(tmp_path, "a.png", b"copy")
    assert written.name == "a-2.png" and written.read_bytes() == b"copy"
    assert (tmp_path / "a.png").read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_copies_and_a_new_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "ready" / "to-post"
    make_private_folder(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    written = write_new(folder, "x.jpg", b"data")
    assert written.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["x.jpg"]  # no temporary file left


def test_an_existing_folder_is_used_as_it_is_and_a_file_is_refused(tmp_path: Path) -> None:
    make_private_folder(tmp_path)
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(NotADirectoryError):
        make_private_folder(tmp_path / "file")


def test_decode_sees_what_encode_wrote() -> None:
    pixels = numpy.asarray(grace_hopper())
    assert numpy.array_equal(decode(encode(pixels, "PNG")), pixels)


def test_a_copy_of_a_photo_with_a_255_byte_name_gets_a_name_that_fits(tmp_path: Path) -> None:
    """Issue 13, item 11: names made from a photo's name fit any name the filesystem allows."""
    name = "é" * 125 + "x.jpg"  # 255 bytes in UTF-8
    assert len(os.fsencode(name)) == 255
    first = write_new(tmp_path, name, b"one")
    second = write_new(tmp_path, name, b"two")
    assert first.name == name and first.read_bytes() == b"one"
    assert second.read_bytes() == b"two" and second.name.endswith("-2.jpg")
    assert len(os.fsencode(second.name)) <= 255
    second.name.encode("utf-8")  # never cut mid-character
