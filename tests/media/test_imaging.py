"""photoaudit.media.imaging: bad files become plain-word errors, good files load upright."""

from __future__ import annotations

import os
import shutil
import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy
import pytest
from faces import astronaut, grace_hopper, orientation_exif, save_heic, save_jpeg_with_orientation
from PIL import Image, JpegImagePlugin
from unprivileged import as_unprivileged, give_away, open_folder  # noqa: F401 (a fixture)

from photoaudit.media import imaging
from photoaudit.media.imaging import (
    DEFAULT_MAX_PIXELS,
    LoadedPhoto,
    UnreadablePhoto,
    load_photo,
    register_heif,
    sniff,
)


def mean_diff(a: numpy.ndarray, b: Image.Image | numpy.ndarray) -> float:
    b = numpy.asarray(b.convert("RGB") if isinstance(b, Image.Image) else b)
    assert a.shape == b.shape
    return float(numpy.abs(a.astype(int) - b.astype(int)).mean())


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height RGB pixels (the data is not there)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def unreadable(path: Path, **kwargs: object) -> str:
    with pytest.raises(UnreadablePhoto) as info:
        load_photo(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.path == path
    return info.value.reason


@pytest.fixture(scope="module")
def astro() -> Image.Image:
    return astronaut()


@pytest.fixture
def jpeg(tmp_path: Path, astro: Image.Image) -> Path:
    return save_jpeg_with_orientation(astro, tmp_path / "astronaut.jpg", 1)


# ---------------------------------------------------------------- bad files


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert "empty" in unreadable(path)


@pytest.mark.parametrize("max_side", [None, 128])
def test_truncated_jpeg(tmp_path: Path, jpeg: Path, max_side: int | None) -> None:
    data = jpeg.read_bytes()
    half = tmp_path / "half.jpg"
    half.write_bytes(data[: len(data) // 2])
    reason = unreadable(half, max_side=max_side)
    assert "cut short" in reason and "truncated" in reason


def test_truncated_png(tmp_path: Path, astro: Image.Image) -> None:
    astro.save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    half = tmp_path / "half.png"
    half.write_bytes(data[: len(data) // 2])
    assert "truncated" in unreadable(half)


def test_truncated_heic(tmp_path: Path, astro: Image.Image) -> None:
    data = save_heic(astro.resize((256, 256)), tmp_path / "full.heic").read_bytes()
    half = tmp_path / "half.heic"
    half.write_bytes(data[: len(data) // 2])
    assert "truncated" in unreadable(half)


def test_jpeg_with_damaged_data(tmp_path: Path) -> None:
    path = tmp_path / "damaged.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    reason = unreadable(path)
    assert "damaged" in reason or "truncated" in reason


def test_random_bytes_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "random.jpg"
    path.write_bytes(numpy.random.default_rng(1).bytes(4096))
    assert "not a photo" in unreadable(path)


def test_text_file_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("Tuesday: painting with the Robins group\n", encoding="utf-8")
    reason = unreadable(path)
    assert "not a photo" in reason and "text" in reason


def test_pdf_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "consent-form.jpg"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert "PDF" in unreadable(path)


@pytest.mark.parametrize(
    "head, word",
    [
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
    ],
)
def test_other_formats_say_what_they_look_like(
    tmp_path: Path, head: bytes, word: str
) -> None:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(head + b"\x00" * 200)
    reason = unreadable(path)
    assert "not a photo" in reason and word in reason


def test_real_gif_is_refused(tmp_path: Path, astro: Image.Image) -> None:
    path = tmp_path / "party.gif"
    astro.save(path)
    assert "GIF" in unreadable(path)


def test_decompression_bomb_header_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(30000, 30000))
    before = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reason = unreadable(path)
    assert "too large" in reason and "100 megapixels" in reason
    assert Image.MAX_IMAGE_PIXELS == before  # the global is left alone


def test_real_one_bit_bomb(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("1", (14000, 14000)).save(path)  # 196 MP; 25 MB in memory, KBs on disk
    assert path.stat().st_size < 200_000
    assert "too large" in unreadable(path)


def test_own_pixel_limit_names_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_claiming(12000, 8000))  # 96 MP: over Pillow's warning level
    reason = unreadable(path, max_pixels=50_000_000)
    assert "too large" in reason and "12000 x 8000" in reason and "50 megapixels" in reason
    # under our default limit: decoding is attempted (and fails: the data is not there)
    assert 12000 * 8000 < DEFAULT_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "truncated" in unreadable(path)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "Photos.jpg"
    folder.mkdir()
    assert "folder" in unreadable(folder)


def test_missing_file(tmp_path: Path) -> None:
    assert "no longer there" in unreadable(tmp_path / "gone.jpg")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_permission_denied(jpeg: Path, open_folder: Path) -> None:
    """Run as an unprivileged user even when the tests run as root (see tests/unprivileged.py)."""
    locked, readable = open_folder / "locked.jpg", open_folder / "readable.jpg"
    shutil.copyfile(jpeg, locked)
    shutil.copyfile(jpeg, readable)
    give_away(locked, readable)
    locked.chmod(0)

    def look() -> tuple[int, int, str]:
        return os.geteuid(), load_photo(readable).pixels.shape[1], unreadable(locked)

    uid, width, reason = as_unprivileged(look)
    assert uid != 0  # really unprivileged, so the mode is what refuses
    assert width > 0  # the folder itself can be read: the refusal is the file's own mode
    assert "permission denied" in reason


@pytest.mark.parametrize(
    "error, words",
    [(PermissionError(13, "Permission denied"), "permission denied"),
     (FileNotFoundError(2, "No such file"), "no longer there"),
     (OSError(5, "Input/output error"), "could not be read")],
)
def test_operating_system_errors(
    jpeg: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, words: str
) -> None:
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(imaging, "open_regular", refuse)  # photos are opened only through it
    assert words in unreadable(jpeg)


def test_sniff_recognises_heic_and_text() -> None:
    assert sniff(b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heicmiaf")[0] == "HEIF"
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1avifmiaf") == (None, "an AVIF image")
    assert sniff("Caf\u00e9 \u00e9t\u00e9".encode()) == (None, "a text file")


# ---------------------------------------------------------------- good files


def test_png_named_jpg_loads_with_mismatch(tmp_path: Path, astro: Image.Image) -> None:
    path = tmp_path / "IMG_0002.jpg"
    astro.save(path, "PNG")
    photo = load_photo(path)
    assert isinstance(photo, LoadedPhoto)
    assert photo.format == "PNG" and photo.suffix_mismatch
    assert mean_diff(photo.pixels, astro) == 0


def test_upper_case_suffix_is_not_a_mismatch(tmp_path: Path, astro: Image.Image) -> None:
    photo = load_photo(save_jpeg_with_orientation(astro, tmp_path / "IMG_0003.JPG", 1))
    assert photo.format == "JPEG" and not photo.suffix_mismatch
    assert photo.exif is not None and photo.exif.startswith(b"Exif")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_upright(
    tmp_path: Path, astro: Image.Image, orientation: int
) -> None:
    path = save_jpeg_with_orientation(astro, tmp_path / f"o{orientation}.jpg", orientation)
    with Image.open(path) as raw:  # the stored pixels really are turned
        assert raw.getexif()[0x0112] == orientation
    photo = load_photo(path)
    assert photo.orientation == orientation
    assert photo.pixels.dtype == numpy.uint8 and photo.pixels.shape == (512, 512, 3)
    assert mean_diff(photo.pixels, astro) < 3


@pytest.mark.parametrize("orientation", [6, 8])
def test_orientation_on_a_non_square_photo(tmp_path: Path, orientation: int) -> None:
    hopper = grace_hopper()  # 512 wide, 600 high
    path = save_jpeg_with_orientation(hopper, tmp_path / "hopper.jpg", orientation)
    photo = load_photo(path)
    assert photo.pixels.shape == (600, 512, 3)
    assert mean_diff(photo.pixels, hopper) < 3


def _with_app1(jpeg_bytes: bytes, payload: bytes) -> bytes:
    """Put an extra APP1 segment holding ``payload`` right after the JPEG's SOI marker."""
    return jpeg_bytes[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg_bytes[2:]


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00" + b"\x13\x37garbage-garbage-garbage",
        b"Exif\x00\x00II*\x00\xff\xff\xff\x7f",  # IFD offset far past the end
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x02\x00\x00\x00\x09",
        b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x09\x00",
    ],
    ids=["garbage", "bad-offset", "orientation-as-text", "orientation-9"],
)
def test_malformed_exif_still_loads(
    tmp_path: Path, astro: Image.Image, payload: bytes
) -> None:
    plain = tmp_path / "plain.jpg"
    astro.save(plain, quality=95)
    path = tmp_path / "odd.jpg"
    path.write_bytes(_with_app1(plain.read_bytes(), payload))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        photo = load_photo(path)
    assert photo.orientation == 1
    assert mean_diff(photo.pixels, astro) < 3


def test_mpo_is_treated_as_jpeg(tmp_path: Path, astro: Image.Image) -> None:
    path = tmp_path / "IMG_0004.jpg"
    astro.save(
        path, "MPO", quality=95, save_all=True, append_images=[astro.transpose(Image.Transpose.ROTATE_90)]
    )
    with Image.open(path) as raw:
        assert raw.format == "MPO"
    photo = load_photo(path)
    assert photo.format == "JPEG" and not photo.suffix_mismatch
    assert mean_diff(photo.pixels, astro) < 3


def test_heic_loads(tmp_path: Path, astro: Image.Image) -> None:
    small = astro.resize((256, 256))
    photo = load_photo(save_heic(small, tmp_path / "IMG_0005.HEIC"))
    assert photo.format == "HEIF" and photo.orientation == 1 and not photo.suffix_mismatch
    assert mean_diff(photo.pixels, small) < 4


@pytest.mark.parametrize("orientation", [3, 6, 8, 5])
def test_heic_orientation_applied_once(tmp_path: Path, orientation: int) -> None:
    """pillow-heif rotates while decoding and resets the EXIF tag to 1: no second turn."""
    hopper = grace_hopper().resize((256, 300))
    path = save_heic(hopper, tmp_path / "IMG_0006.heic", orientation)
    with Image.open(path) as raw:  # what pillow-heif itself reports
        assert raw.size == (256, 300) and raw.getexif().get(0x0112, 1) == 1
        assert raw.info["original_orientation"] == orientation
    photo = load_photo(path)
    assert photo.orientation == orientation
    assert photo.pixels.shape == (300, 256, 3)
    assert mean_diff(photo.pixels, hopper) < 4


def test_max_side_uses_jpeg_draft_and_stays_upright(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hopper = grace_hopper().resize((1024, 1200))
    path = save_jpeg_with_orientation(hopper, tmp_path / "big.jpg", 6)
    drafts: list[object] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: object) -> object:
        result = real_draft(self, mode, size)  # type: ignore[arg-type]
        drafts.append((size, result, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    photo = load_photo(path, max_side=300)
    assert len(drafts) == 1
    _, result, decoded_size = drafts[0]
    assert result is not None and decoded_size == (300, 256)  # stored 1200x1024, decoded at 1/4
    assert photo.orientation == 6
    assert max(photo.pixels.shape[:2]) == 300 and photo.pixels.shape == (300, 256, 3)
    small = hopper.resize((256, 300), Image.Resampling.LANCZOS)
    assert mean_diff(photo.pixels, small) < 6


def test_max_side_on_png_and_heic(tmp_path: Path, astro: Image.Image) -> None:
    astro.save(tmp_path / "a.png")
    assert load_photo(tmp_path / "a.png", max_side=100).pixels.shape == (100, 100, 3)
    heic = save_heic(grace_hopper().resize((256, 300)), tmp_path / "h.heic", 6)
    assert load_photo(heic, max_side=120).pixels.shape == (120, 102, 3)
    assert load_photo(tmp_path / "a.png", max_side=4000).pixels.shape == (512, 512, 3)


def test_greyscale_and_16_bit_png_become_rgb(tmp_path: Path) -> None:
    grey = Image.linear_gradient("L").resize((64, 32))
    grey.save(tmp_path / "grey.png")
    photo = load_photo(tmp_path / "grey.png")
    assert photo.pixels.shape == (32, 64, 3) and photo.pixels.dtype == numpy.uint8
    assert (photo.pixels[..., 0] == numpy.asarray(grey)).all()

    deep = numpy.array([[0, 32896, 65535]], dtype=numpy.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    pixels = load_photo(tmp_path / "deep.png").pixels
    assert pixels.shape == (1, 3, 3) and pixels[0, :, 1].tolist() == [0, 128, 255]


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_goes_onto_white(tmp_path: Path, mode: str) -> None:
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    img.paste((200, 0, 0, 255), (0, 0, 5, 10))
    if mode == "LA":
        img = img.convert("LA")
    elif mode == "P":
        img = img.convert("P")
        img.info["transparency"] = img.getpixel((9, 9))
    img.save(tmp_path / "t.png")
    pixels = load_photo(tmp_path / "t.png").pixels
    assert pixels.shape == (10, 10, 3)
    assert pixels[0, 9].tolist() == [255, 255, 255]  # transparent half: white
    assert pixels[0, 0].tolist() != [255, 255, 255]


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path, astro: Image.Image) -> None:
    astro.convert("CMYK").save(tmp_path / "print.jpg", quality=95)
    photo = load_photo(tmp_path / "print.jpg")
    assert photo.pixels.shape == (512, 512, 3)
    assert mean_diff(photo.pixels, astro) < 12


@pytest.mark.parametrize("kind", ["jpeg", "heic", "png"])
def test_file_is_never_modified(tmp_path: Path, astro: Image.Image, kind: str) -> None:
    if kind == "jpeg":
        path = save_jpeg_with_orientation(astro, tmp_path / "a.jpg", 6)
    elif kind == "heic":
        path = save_heic(astro.resize((256, 256)), tmp_path / "a.heic", 8)
    else:
        path = tmp_path / "a.png"
        astro.save(path, exif=orientation_exif(3))
    old = 1_500_000_000
    os.utime(path, (old, old))
    data = path.read_bytes()
    load_photo(path)
    load_photo(path, max_side=64)
    assert path.read_bytes() == data
    assert path.stat().st_mtime == old


def test_register_heif_is_idempotent() -> None:
    register_heif()
    register_heif()
    assert "HEIF" in Image.OPEN


def test_scene_helper_pastes_scaled_faces() -> None:
    from faces import astronaut_face, grace_hopper_face, scene

    face = astronaut_face()
    group = scene([(face, (10, 20), 90), (grace_hopper_face(), (200, 20), 130)], size=(400, 300))
    assert group.size == (400, 300) and group.mode == "RGB"
    patch = group.crop((10, 20, 100, 120))
    assert mean_diff(numpy.asarray(patch), face.resize((90, 100))) < 3
    plain = scene([], size=(50, 40), background=(10, 20, 30))
    assert plain.getpixel((0, 0)) == (10, 20, 30)


# ---------------------------------------------------------------- full size


@pytest.mark.parametrize("orientation", range(1, 9))
def test_full_size_is_the_upright_photos_even_when_downscaled(tmp_path: Path, orientation: int) -> None:
    img = grace_hopper()  # 512 x 600, taller than wide
    path = save_jpeg_with_orientation(img, tmp_path / "g.jpg", orientation)
    for max_side in (None, 100):
        photo = load_photo(path, max_side=max_side)
        assert photo.full_size == (512, 600)
        assert photo.pixels.shape[0] > photo.pixels.shape[1]


def test_full_size_of_a_turned_heic(tmp_path: Path) -> None:
    path = save_heic(grace_hopper(), tmp_path / "g.heic", 6)
    assert load_photo(path, max_side=100).full_size == (512, 600)


def test_a_png_with_a_huge_text_chunk_is_too_large_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 17: a valid PNG whose text is more than Pillow holds safely."""
    from PIL import PngImagePlugin

    from photoaudit.media.imaging import TOO_LARGE_PARTS

    small = Image.new("RGB", (40, 30), (200, 100, 50))
    packed = PngImagePlugin.PngInfo()
    packed.add_text("comment", "x" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), zip=True)  # small file, huge text
    small.save(tmp_path / "ztxt.png", pnginfo=packed)
    plain = PngImagePlugin.PngInfo()
    plain.add_text("comment", "y" * 300_000)
    small.save(tmp_path / "text.png", pnginfo=plain)
    monkeypatch.setattr(PngImagePlugin, "MAX_TEXT_MEMORY", 200_000)  # as a 70 MB chunk against 64 MB
    for name in ("ztxt.png", "text.png"):
        with pytest.raises(UnreadablePhoto) as err:
            load_photo(tmp_path / name)
        assert err.value.reason == TOO_LARGE_PARTS and "damaged" not in err.value.reason.replace("not necessarily damaged", "")
