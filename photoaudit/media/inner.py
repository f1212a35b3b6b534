"""Pictures inside a picture: what a photo file carries besides its main image.

A photo cropped to one child can still carry the EXIF thumbnail of the whole photo; an
MPO holds a second image; a PNG can be an animation; a HEIC holds thumbnails, more
images, depth and other auxiliary images. Posted as it is, the file shows all of them.

This module only reads them (:func:`inner_pictures`) and reports what it found; what they
mean for a photo is a rule of the core, :mod:`photoaudit.core.inner_pictures`.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy
from PIL import Image

#: At most this many inner pictures are examined in one file; more make it a review.
MAX_INNER = 16
#: How small a copy of the main picture may differ from it, block by block (0-255 grey levels).
SAME_PICTURE_TOLERANCE = 16.0
_COMPARE_SIDE = 64
_BLOCK = 8
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Found:
    """An inner picture as read from the file: its pixels, or why they could not be read."""

    label: str  # "the EXIF thumbnail", "image 2 of 2", "frame 3 of 5", "HEIC thumbnail 1"
    pixels: numpy.ndarray | None = None  # H x W x 3 uint8, upright
    problem: str | None = None


# -- reading (an edge: bytes and Pillow images in, plain values out) ----------------------

def exif_thumbnail(exif: bytes) -> bytes | None:
    """The JPEG thumbnail in an EXIF block's second directory (IFD1), or None.

    ``exif`` is the block as Pillow gives it (``Exif\\0\\0`` then TIFF, or TIFF alone).
    Raises ValueError when IFD1 is there but its thumbnail cannot be found in the block.
    """
    tiff = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    order = "<" if tiff[:2] == b"II" else ">"

    def unpack(fmt: str, at: int) -> tuple:
        return struct.unpack_from(order + fmt, tiff, at)

    try:
        (ifd0,) = unpack("I", 4)
        (count,) = unpack("H", ifd0)
        (ifd1,) = unpack("I", ifd0 + 2 + 12 * count)
        if ifd1 == 0:
            return None
        (count,) = unpack("H", ifd1)
        tags = {}
        for n in range(count):
            tag, kind, _, value = unpack("HHII", ifd1 + 2 + 12 * n)
            if kind == 3:  # SHORT: the value is in the first two bytes
                (value,) = unpack("H", ifd1 + 2 + 12 * n + 8)
            tags[tag] = value
    except struct.error:
        raise ValueError("the EXIF block is cut short") from None
    start, length = tags.get(0x0201), tags.get(0x0202)
    if start is None or length is None:
        if 0x0111 in tags:  # StripOffsets: an uncompressed thumbnail
            raise ValueError("an uncompressed EXIF thumbnail")
        return None
    data = tiff[start : start + length]
    if len(data) != length or not data.startswith(b"\xff\xd8"):
        raise ValueError("the EXIF thumbnail is damaged")
    return data


def jpeg_starts(data: bytes) -> int:
    """How many JPEG pictures start inside ``data`` (previews hidden in maker notes count)."""
    return data.count(b"\xff\xd8\xff")


def upright_pixels(im: Image.Image, max_pixels: int, orientation: int = 1) -> numpy.ndarray:
    """RGB pixels of an inner picture, turned like the main one; ValueError when too large."""
    if im.width * im.height > max_pixels:
        raise ValueError(f"it is too large to open safely ({im.width} x {im.height} pixels)")
    im.load()
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
    return numpy.asarray(im.convert("RGB"), dtype=numpy.uint8)


def frames(im: Image.Image, max_pixels: int, kind: str) -> Iterator[Found]:
    """Every image after the first of a multi-image file (MPO, APNG, HEIC with several images)."""
    count = getattr(im, "n_frames", 1) or 1
    for index in range(1, count):
        label = f"{kind} {index + 1} of {count}"
        try:
            im.seek(index)
            yield Found(label, upright_pixels(im, max_pixels))
        except Exception as exc:  # noqa: BLE001 - any decoder failure: it could not be examined
            yield Found(label, problem=_why(exc))
    if count > 1:
        im.seek(0)


def exif_pictures(exif: bytes | None, max_pixels: int, orientation: int) -> Iterator[Found]:
    """The EXIF thumbnail, and any other JPEG hidden in the EXIF block (which cannot be examined)."""
    if not exif:
        return
    label = "the EXIF thumbnail"
    try:
        thumb = exif_thumbnail(exif)
    except ValueError as exc:
        yield Found(label, problem=str(exc))
        return
    hidden = jpeg_starts(exif) - (1 if thumb is not None else 0)
    if thumb is not None:
        try:
            with Image.open(io.BytesIO(thumb), formats=["JPEG"]) as small:
                yield Found(label, upright_pixels(small, max_pixels, orientation))
        except Exception as exc:  # noqa: BLE001
            yield Found(label, problem=_why(exc))
    if hidden > 0:
        yield Found(f"{hidden} more picture(s) in the EXIF data (camera previews)",
                    problem="photoaudit cannot take them out to check them")


def heif_pictures(handle: BinaryIO, max_pixels: int) -> Iterator[Found]:
    """A HEIC's thumbnails and auxiliary images (depth, HDR gain maps ...), each image's."""
    import pillow_heif

    handle.seek(0)
    heif = pillow_heif.open_heif(handle, convert_hdr_to_8bit=True)
    for number, image in enumerate(heif, start=1):
        where = f" of image {number}" if len(heif) > 1 else ""
        for index in range(len(image.info.get("thumbnails") or [])):
            label = f"HEIC thumbnail {index + 1}{where}"
            try:
                yield Found(label, upright_pixels(image.get_thumbnail(index).to_pillow(), max_pixels))
            except Exception as exc:  # noqa: BLE001
                yield Found(label, problem=_why(exc))
        aux_ids = [i for ids in (image.info.get("aux") or {}).values() for i in ids]
        depth = image.info.get("depth_images") or []
        if aux_ids or depth:
            yield Found(f"{len(aux_ids) + len(depth)} depth or other auxiliary image(s){where}",
                        problem="photoaudit cannot check auxiliary images")


def inner_pictures(
    im: Image.Image,
    handle: BinaryIO,
    fmt: str,
    exif: bytes | None,
    max_pixels: int,
    orientation: int,
    main: numpy.ndarray,
) -> tuple[Found, ...]:
    """Every picture in the file besides the main one, except small copies of the main one.

    Past :data:`MAX_INNER`, the rest is one picture that could not be examined.
    """
    found: list[Found] = []
    sources = [frames(im, max_pixels, "frame" if fmt == "PNG" else "image"), exif_pictures(exif, max_pixels, orientation)]
    if fmt == "HEIF":
        sources.append(heif_pictures(handle, max_pixels))
    for source in sources:
        try:
            for picture in source:
                if picture.pixels is not None and same_picture(picture.pixels, main):
                    continue
                found.append(picture)
        except Exception:  # noqa: BLE001 - a file whose inner pictures cannot even be listed
            found.append(Found("pictures inside the file", problem="photoaudit could not list them"))
    if len(found) > MAX_INNER:
        found[MAX_INNER:] = [Found(f"{len(found) - MAX_INNER} more picture(s)", problem="there are too many to check")]
    return tuple(found)


def without_bars(pixels: numpy.ndarray, dark: int = 16) -> numpy.ndarray:
    """``pixels`` without the black bars cameras put around a thumbnail of another shape."""
    grey = pixels.max(axis=2) if pixels.ndim == 3 else pixels
    rows = numpy.flatnonzero(grey.max(axis=1) > dark)
    cols = numpy.flatnonzero(grey.max(axis=0) > dark)
    if rows.size == 0 or cols.size == 0:
        return pixels
    return pixels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def same_picture(inner: numpy.ndarray, main: numpy.ndarray) -> bool:
    """True when ``inner`` is only a smaller copy of ``main`` (same shape, every part alike;
    black bars around it left out)."""
    inner = without_bars(inner)
    (ih, iw), (mh, mw) = inner.shape[:2], main.shape[:2]
    if abs(iw / ih - mw / mh) > 0.03 * (mw / mh):
        return False
    size = (_COMPARE_SIDE, _COMPARE_SIDE)
    a = numpy.asarray(Image.fromarray(inner).convert("L").resize(size, Image.Resampling.BOX), dtype=numpy.float32)
    b = numpy.asarray(Image.fromarray(main).convert("L").resize(size, Image.Resampling.BOX), dtype=numpy.float32)
    blocks = numpy.abs(a - b).reshape(_COMPARE_SIDE // _BLOCK, _BLOCK, _COMPARE_SIDE // _BLOCK, _BLOCK)
    return float(blocks.mean(axis=(1, 3)).max()) <= SAME_PICTURE_TOLERANCE


def _why(exc: BaseException) -> str:
    text = str(exc)
    return text if text.startswith("it is too large") else "it could not be decoded"
