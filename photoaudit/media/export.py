"""Publishable copies: cover heads, drop every piece of metadata, write without overwriting.

The pixels come from :func:`photoaudit.media.imaging.load_photo`, already upright
(EXIF orientation applied), so the copy needs no orientation tag. The copy is
encoded from those bare pixels: no EXIF (GPS, device serials, timestamps, the
embedded thumbnail), no XMP, IPTC or comments, and only the first picture of
a multi-picture file. Only an RGB colour profile (ICC) is carried over, so
colours look the same. Originals are only ever read.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from ..core.cover import Region
from .imaging import register_heif

#: The solid colour heads are covered with: opaque, so nothing of the face survives.
COVER_RGB = (128, 128, 128)
JPEG_QUALITY = 92
#: Tried names per copy before giving up (IMG_0001.jpg, IMG_0001-2.jpg, ...).
MAX_NAME_TRIES = 10_000


def cover_regions(pixels: np.ndarray, regions: Iterable[Region]) -> np.ndarray:
    """A copy of ``pixels`` with each region filled with :data:`COVER_RGB` (irreversible)."""
    out = np.array(pixels, dtype=np.uint8, copy=True)
    for left, top, right, bottom in regions:
        out[top:bottom, left:right] = COVER_RGB
    return out


def rgb_icc_profile(path: Path) -> bytes | None:
    """The photo's colour profile when it describes RGB colours, else None (never an error)."""
    register_heif()
    try:
        with Image.open(path) as im:
            icc = im.info.get("icc_profile")
    except Exception:
        return None
    # Bytes 16-19 of an ICC header name its colour space; a CMYK or grey profile
    # would misdescribe the RGB pixels written here.
    if isinstance(icc, bytes) and len(icc) >= 128 and icc[16:20] == b"RGB ":
        return icc
    return None


def copy_format(source_format: str) -> tuple[str, str]:
    """(Pillow format, file suffix) of the copy: PNG stays PNG, everything else is JPEG."""
    return ("PNG", ".png") if source_format == "PNG" else ("JPEG", ".jpg")


def encode(pixels: np.ndarray, fmt: str, icc_profile: bytes | None = None) -> bytes:
    """Encode bare pixels: nothing but the picture (and an RGB colour profile) is written."""
    image = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), "RGB")
    options: dict[str, object] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    """The RGB pixels of an encoded copy (to check the copy itself)."""
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def make_private_folder(folder: Path) -> None:
    """Create the export folder (owner-only when photoaudit creates it)."""
    if folder.exists():
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file, not a folder: choose a folder for the copies.")
        return
    from .files import make_private_dir  # here: the store imports the face engine

    make_private_dir(folder)  # it and any new parent 0700, whatever the umask


def candidate_names(name: str) -> Iterable[str]:
    """IMG_0001.jpg, IMG_0001-2.jpg, IMG_0001-3.jpg, ..."""
    from .files import fit_name  # here: outputs reads the settings, which export does not need

    stem, suffix = os.path.splitext(name)
    yield fit_name(stem, suffix)
    for n in range(2, MAX_NAME_TRIES + 1):
        yield fit_name(stem, f"-{n}{suffix}")  # fits even beside a 255-byte name


def write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file in ``folder``, never replacing an existing one.

    The first free name of :func:`candidate_names` is used. The bytes are written
    to a hidden temporary file first and then linked into place, so a copy never
    appears half-written, and the link fails rather than replace a file (even on
    case-insensitive disks). Where links are not supported (FAT, some network
    drives) the file is created exclusively instead. Owner-only permissions.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=".photoaudit-", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        for candidate in candidate_names(name):
            target = folder / candidate
            try:
                os.link(tmp, target)
                return target
            except FileExistsError:
                continue
            except OSError:
                if create_exclusively(target, data):
                    return target
        raise FileExistsError(f"No free name for {name} in {folder}.")
    finally:
        tmp.unlink(missing_ok=True)


def create_exclusively(target: Path, data: bytes) -> bool:
    """Create ``target`` only if it does not exist; False when it does."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True
