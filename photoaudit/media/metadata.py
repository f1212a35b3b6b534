"""Read what a photo says about itself: camera, taken date and GPS, from its EXIF.

Damaged or odd EXIF never stops an audit: whatever can be read is used, the rest
counts as not recorded. The rules that use these facts are pure functions in
:mod:`photoaudit.core.provenance`.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image

from ..core.models import Camera, MediaMeta

# EXIF tag numbers (EXIF 2.32).
MAKE, MODEL, SOFTWARE = 0x010F, 0x0110, 0x0131
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
BODY_SERIAL_NUMBER = 0xA431
GPS_LATITUDE, GPS_LONGITUDE = 2, 4

_EXIF_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")


def text(value: object) -> str:
    """An EXIF text value as a clean string ('' for anything else)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("\x00", " ").split())


def parse_taken(original: object, offset: object = None) -> tuple[datetime | None, str | None]:
    """DateTimeOriginal ("2026:11:18 10:15:00") with OffsetTimeOriginal ("+01:00").

    Returns ``(datetime, None)``, ``(None, None)`` when nothing is recorded, or
    ``(None, problem)`` when something is recorded that is not a real date.
    """
    written = text(original)
    if not written or set(written) <= set("0: "):
        return None, None  # blank, or the "0000:00:00 00:00:00" cameras write when unset
    found = _EXIF_DATE.fullmatch(written[:19]) if len(written) >= 19 else None
    if found is None:
        return None, f'the date recorded, "{written[:30]}", is not a date'
    try:
        year, month, day, hour, minute, second = (int(g) for g in found.groups())
        taken = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None, f'the date recorded, "{written[:19]}", is not a real date'
    zone = _OFFSET.fullmatch(text(offset))
    if zone:
        sign = -1 if zone.group(1) == "-" else 1
        delta = timedelta(hours=int(zone.group(2)), minutes=int(zone.group(3)))
        if delta < timedelta(hours=15):
            taken = taken.replace(tzinfo=timezone(sign * delta))
    return taken, None


def has_gps_position(gps: dict) -> bool:
    """True when the GPS block records a latitude and a longitude."""
    return bool(gps.get(GPS_LATITUDE)) and bool(gps.get(GPS_LONGITUDE))


def meta_from_exif(exif: Image.Exif | None, file_modified: datetime | None = None) -> MediaMeta:
    """Camera, taken date and GPS from Pillow's view of an EXIF block."""
    if exif is None:
        return MediaMeta(file_modified=file_modified)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make, model = text(_get(exif, MAKE)), text(_get(exif, MODEL))
        software = text(_get(exif, SOFTWARE))[:100]
        details = _ifd(exif, EXIF_IFD)
        gps = _ifd(exif, GPS_IFD)
    serial = text(details.get(BODY_SERIAL_NUMBER))
    camera = Camera(make, model, serial) if (make or model or serial) else None
    taken, problem = parse_taken(details.get(DATE_TIME_ORIGINAL), details.get(OFFSET_TIME_ORIGINAL))
    return MediaMeta(
        camera=camera,
        taken=taken,
        taken_problem=problem,
        gps=has_gps_position(gps),
        file_modified=file_modified,
        software=software,
    )


def parse_exif(data: bytes | None, file_modified: datetime | None = None) -> MediaMeta:
    """Read a raw EXIF block (as :class:`photoaudit.media.imaging.LoadedPhoto` keeps it).

    Damaged EXIF reads as "nothing recorded" rather than failing.
    """
    if not data:
        return MediaMeta(file_modified=file_modified)
    exif = Image.Exif()
    block = _tiff_block(data)
    if block is None:
        return MediaMeta(file_modified=file_modified)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(block)
    except Exception:  # noqa: BLE001 - any damage means "not recorded"
        return MediaMeta(file_modified=file_modified)
    return meta_from_exif(exif, file_modified)


def read_file_meta(path: Path) -> MediaMeta:
    """The metadata of a photo file, without decoding its pixels (for ``photoaudit devices``)."""
    modified = modified_time(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from .imaging import register_heif

            register_heif()
            with Image.open(path) as im:
                raw = im.info.get("exif")
                if isinstance(raw, bytes) and raw:
                    return parse_exif(raw, modified)
                return meta_from_exif(im.getexif(), modified)
    except Exception:  # noqa: BLE001 - unreadable files have no metadata to show
        return MediaMeta(file_modified=modified)


def modified_time(path: Path) -> datetime | None:
    """The file's modification time (only ever quoted, never trusted as the taken date)."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def _tiff_block(data: bytes) -> bytes | None:
    """The EXIF block from its TIFF header on, whatever wrapper came before it."""
    if data.startswith(_TIFF_HEADERS):
        return data
    for start in range(0, min(len(data), 16)):
        if data[start : start + 4] in _TIFF_HEADERS:
            return data[start:]
    return None


def _get(exif: Image.Exif, tag: int) -> object:
    try:
        return exif.get(tag)
    except Exception:  # noqa: BLE001
        return None


def _ifd(exif: Image.Exif, tag: int) -> dict:
    try:
        found = exif.get_ifd(tag)
    except Exception:  # noqa: BLE001
        return {}
    return found if isinstance(found, dict) else {}
