"""Load one photo safely: read-only, upright, RGB, with plain-word errors.

Content is identified by its bytes, never by the file name. Only JPEG (and its
MPO variant), PNG and HEIF/HEIC are accepted. Every way a file can fail to load
becomes :class:`UnreadablePhoto` with a reason a nursery manager can read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy
from PIL import Image, ImageOps, UnidentifiedImageError

from .files import open_regular
from .inner import Found, inner_pictures

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif"})
VIDEO_SUFFIXES = frozenset({".mov", ".mp4", ".m4v", ".3gp"})
#: Larger images are refused as possible decompression bombs.
DEFAULT_MAX_PIXELS = 100_000_000

_SUFFIXES_FOR = {
    "JPEG": frozenset({".jpg", ".jpeg"}),
    "PNG": frozenset({".png"}),
    "HEIF": frozenset({".heic", ".heif"}),
}
#: Pillow format ids tried for each content type ("MPO" is a JPEG variant).
_PILLOW_FORMATS = {"JPEG": ["JPEG", "MPO"], "PNG": ["PNG"], "HEIF": ["HEIF"]}
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_HEAD_BYTES = 512
_WHITE = (255, 255, 255)

_heif_registered = False


class UnreadablePhoto(Exception):
    """A photo that cannot be loaded; ``reason`` says why in plain words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class LoadedPhoto:
    """The decoded, upright pixels of a photo plus what was learned on the way."""

    pixels: numpy.ndarray  # H x W x 3 uint8 RGB, upright (EXIF orientation applied)
    format: str  # "JPEG", "PNG" or "HEIF"
    orientation: int  # the EXIF orientation that was applied (1 when none)
    exif: bytes | None  # raw EXIF block if any, never parsed here
    suffix_mismatch: bool  # content format does not match the file extension
    #: (width, height) of the whole upright photo; differs from ``pixels`` when downscaled
    full_size: tuple[int, int] = (0, 0)
    #: A reduced copy of ``pixels`` for face detection, when one was asked for
    #: (``detect_scale``) and it is smaller; None means "use ``pixels``".
    reduced: numpy.ndarray | None = None
    #: With ``inner=True``: the other pictures the file carries (photoaudit.media.inner.Found),
    #: small copies of the main picture left out.
    inner: tuple = ()


def register_heif() -> None:
    """Teach Pillow to open HEIF/HEIC (idempotent)."""
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


def sniff(head: bytes) -> tuple[str | None, str]:
    """Return ``(format, description)`` from a file's first bytes.

    ``format`` is "JPEG", "PNG" or "HEIF" when photoaudit can read it, else None,
    and ``description`` then says what the content looks like.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", "a JPEG photo"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", "a PNG image"
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[0:4], "big")
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
        if brands & _HEIF_BRANDS:
            return "HEIF", "a HEIC photo"
        if brands & _AVIF_BRANDS:
            return None, "an AVIF image"
        if brands & _GENERIC_HEIF_BRANDS:
            return "HEIF", "a HEIF image"
        return None, "a video"
    if head[4:8] in _QUICKTIME_ATOMS:
        return None, "a video"
    for magic, what in (
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive or Office document"),
        (b"GIF8", "a GIF animation or image"),
        (b"BM", "a BMP image"),
        (b"II*\x00", "a TIFF or camera RAW file"),
        (b"MM\x00*", "a TIFF or camera RAW file"),
        (b"\x1aE\xdf\xa3", "a video"),
    ):
        if head.startswith(magic):
            return None, what
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return None, "a WebP image"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return None, "a video"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return None, "a text file"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a multi-byte character cut by the read
                return None, "a text file"
    return None, "data of an unknown kind"


def load_photo(
    path: Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int | None = None,
    detect_scale: Callable[[int, int], float] | None = None,
    inner: bool = False,
) -> LoadedPhoto:
    """Decode ``path`` to upright RGB pixels without ever writing to the file.

    ``inner`` also reads the pictures inside the file (EXIF thumbnail, more images or
    frames, HEIC thumbnails): see :mod:`photoaudit.media.inner`.

    ``max_side`` (optional) downscales so the longest side is at most that many
    pixels; JPEGs are then decoded at reduced size directly (fast).
    ``detect_scale`` (optional) maps the upright (width, height) to the scale a
    face detector wants; the reduced copy is then made while the photo is still
    a Pillow image (cheaper than from the array) and returned as ``reduced``.
    Raises :class:`UnreadablePhoto` for anything that is not a readable photo.
    """
    path = Path(path)
    register_heif()
    try:
        if path.is_dir():
            raise UnreadablePhoto(path, "This is a folder, not a photo.")
        with open_regular(path) as handle:
            head = handle.read(_HEAD_BYTES)
            if not head:
                raise UnreadablePhoto(path, "The file is empty (0 bytes).")
            fmt, looks_like = sniff(head)
            if fmt is None:
                raise UnreadablePhoto(
                    path, f"This is not a photo photoaudit can read (it looks like {looks_like})."
                )
            handle.seek(0)
            with warnings.catch_warnings():
                # Our own pixel limit below replaces Pillow's global one; its
                # warnings (bomb, odd EXIF) must not leak out or turn into errors.
                warnings.simplefilter("ignore")
                return _decode(path, handle, fmt, max_pixels, max_side, detect_scale, inner)
    except UnreadablePhoto:
        raise
    except FileNotFoundError:
        raise UnreadablePhoto(
            path, "The file is no longer there: it may have been moved or deleted."
        ) from None
    except IsADirectoryError:
        raise UnreadablePhoto(path, "This is a folder, not a photo.") from None
    except PermissionError:
        raise UnreadablePhoto(
            path, "photoaudit is not allowed to read this file (permission denied)."
        ) from None
    except Image.DecompressionBombError:
        raise UnreadablePhoto(path, _too_large(None, max_pixels)) from None
    except MemoryError:
        raise UnreadablePhoto(path, "There was not enough memory to open this photo.") from None
    except OSError as exc:
        if exc.strerror:  # an operating-system error, not a decoder one
            raise UnreadablePhoto(path, f"The file could not be read ({exc.strerror}).") from None
        raise UnreadablePhoto(path, _damaged(exc)) from None
    except Exception as exc:  # decoders raise many types for damaged data
        raise UnreadablePhoto(path, _damaged(exc)) from None


_TRUNCATED = "The file is cut short (truncated): it may not have finished copying."


#: Pillow's refusals of chunks too large to hold safely (PNG text, ICC profiles...).
_TOO_LARGE_WORDS = ("too large", "too much memory", "decompressed data too", "suspiciously large")
TOO_LARGE_PARTS = (
    "The file holds more extra data (such as text stored inside the image) than photoaudit "
    "reads safely, so it was not opened. It is not necessarily damaged."
)


def _damaged(exc: BaseException) -> str:
    text = str(exc).lower()
    if isinstance(exc, ValueError) and any(w in text for w in _TOO_LARGE_WORDS):
        return TOO_LARGE_PARTS
    if isinstance(exc, EOFError) or any(w in text for w in ("truncat", "end of file", "too short")):
        return _TRUNCATED
    return "The photo is damaged (corrupt data) and cannot be opened."


def _too_large(size: tuple[int, int] | None, max_pixels: int) -> str:
    dims = f" ({size[0]} x {size[1]} pixels)" if size else ""
    return (
        f"The image is too large to open safely{dims}; "
        f"photoaudit refuses images over {max_pixels / 1_000_000:g} megapixels."
    )


def _open(path: Path, handle: BinaryIO, fmt: str) -> Image.Image:
    """Open (header only); if Pillow gives up, find out why from the HEIF library."""
    try:
        return Image.open(handle, formats=_PILLOW_FORMATS[fmt])
    except UnidentifiedImageError:
        if fmt == "HEIF":
            import pillow_heif

            handle.seek(0)
            try:
                pillow_heif.open_heif(handle)
            except Exception as exc:
                raise UnreadablePhoto(path, _damaged(exc)) from None
        raise UnreadablePhoto(path, _damaged(ValueError())) from None


def _decode(
    path: Path,
    handle: BinaryIO,
    fmt: str,
    max_pixels: int,
    max_side: int | None,
    detect_scale: Callable[[int, int], float] | None = None,
    inner: bool = False,
) -> LoadedPhoto:
    with _open(path, handle, fmt) as im:
        width, height = im.size
        if width * height > max_pixels:  # header only so far: nothing decoded yet
            raise UnreadablePhoto(path, _too_large(im.size, max_pixels))
        if max_side is not None and max(width, height) > max_side:
            scale = max_side / max(width, height)
            im.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        try:
            im.load()  # full decode: truncated or corrupt data fails here
        except OSError as exc:
            raise UnreadablePhoto(path, _damaged(exc)) from None
        upright, orientation = _upright(im)
        # Orientations 5-8 turn the photo a quarter (HEIF: pillow-heif already did).
        turned = orientation >= 5 and upright is not im
        full_size = (height, width) if turned else (width, height)
        exif = im.info.get("exif")
        rgb = _to_rgb(upright)
        if max_side is not None and max(rgb.size) > max_side:
            rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        reduced = None
        if detect_scale is not None:
            scale = detect_scale(*rgb.size)
            if scale < 1.0:
                reduced = numpy.asarray(reduce_image(rgb, scale))
        pixels = numpy.array(rgb, dtype=numpy.uint8)
        found: tuple[Found, ...] = ()
        if inner:
            found = inner_pictures(im, handle, fmt, exif if isinstance(exif, bytes) else None,
                                   max_pixels, orientation, pixels if reduced is None else reduced)
    return LoadedPhoto(
        pixels=pixels,
        format=fmt,
        orientation=orientation,
        exif=exif if isinstance(exif, bytes) and exif else None,
        suffix_mismatch=path.suffix.lower() not in _SUFFIXES_FOR[fmt],
        full_size=full_size,
        reduced=reduced,
        inner=found,
    )


def reduce_image(im: Image.Image, scale: float) -> Image.Image:
    """``im`` shrunk by ``scale`` (< 1) for face detection: a fast box reduction by
    a whole factor first, then a bilinear resize for the rest (smooth, no aliasing)."""
    width, height = im.size
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    factor = int(1 / scale)
    if factor >= 2:
        im = im.reduce(factor)
    return im.resize(size, Image.Resampling.BILINEAR)


def _upright(im: Image.Image) -> tuple[Image.Image, int]:
    """Apply EXIF orientation; damaged EXIF means "as stored" (orientation 1).

    For HEIF, pillow-heif has already applied the file's rotation/mirroring and
    reset the EXIF tag to 1, so the original value is reported but not re-applied.
    """
    if im.format == "HEIF":
        original = im.info.get("original_orientation")
        return im, original if isinstance(original, int) and 1 <= original <= 8 else 1
    try:
        orientation = im.getexif().get(0x0112, 1)
        if not isinstance(orientation, int) or not 2 <= orientation <= 8:
            return im, 1  # already upright: no copy of the pixels needed
        upright = ImageOps.exif_transpose(im)
    except Exception:  # garbage EXIF must not stop the photo loading
        return im, 1
    return upright, orientation


def _to_rgb(im: Image.Image) -> Image.Image:
    """Any mode to 8-bit RGB; transparency is flattened onto white."""
    if im.mode.startswith("I;16"):
        im = Image.fromarray((numpy.asarray(im, dtype=numpy.uint16) >> 8).astype(numpy.uint8))
    elif im.mode in ("I", "F"):
        values = numpy.asarray(im, dtype=numpy.float64)
        if values.max(initial=0) > 255:
            values = values / 257
        im = Image.fromarray(numpy.clip(values, 0, 255).astype(numpy.uint8))
    if "A" in im.getbands() or "a" in im.getbands() or "transparency" in im.info:
        rgba = im.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, _WHITE + (255,))
        flat.alpha_composite(rgba)
        return flat.convert("RGB")
    return im if im.mode == "RGB" else im.convert("RGB")
