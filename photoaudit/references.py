"""How each child's enrolment stands: templates, and how old the reference photos are.

Children change quickly: a face learned from a photo taken a year ago matches
less and less. ``photoaudit children`` shows, per child, how many templates are
enrolled (and how many came from faces confirmed in a review) and when the newest
reference photo was taken, and warns when that is longer ago than a
configurable age (default :data:`DEFAULT_MAX_AGE_MONTHS` months).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PIL import Image

from .models import Child, Register, StaffMember, StaffRegister, staff_key

#: Warn when a child's newest reference photo is older than this many months.
DEFAULT_MAX_AGE_MONTHS = 6

_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 0x9003
_DATE_TIME = 0x0132


def exif_time(text: object) -> datetime | None:
    """An EXIF date-time ("2026:03:01 10:00:00") as a datetime, or None."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def taken_time(path: Path) -> datetime:
    """When a photo was taken: its EXIF date, else when the file was last changed."""
    try:
        with Image.open(path) as im:
            exif = im.getexif()
            found = exif_time(exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL)) or exif_time(exif.get(_DATE_TIME))
            if found is not None:
                return found
    except Exception:  # an unreadable or odd file: fall back to its modification time
        pass
    return datetime.fromtimestamp(path.stat().st_mtime)


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date(year, month, 1)).days
    return date(year, month, min(day.day, last_day))


def too_old(taken: date | None, today: date, max_age_months: int) -> bool:
    """True when a photo taken on ``taken`` is more than ``max_age_months`` old, or undated."""
    return taken is None or today > months_later(taken, max_age_months)


def age_words(taken: date, today: date) -> str:
    months = (today.year - taken.year) * 12 + today.month - taken.month - (today.day < taken.day)
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''} old"
    days = (today - taken).days
    return f"{days} day{'s' if days != 1 else ''} old"


@dataclass(frozen=True)
class ChildReferences:
    """One child's enrolment at a glance."""

    child: Child
    templates: int  # usable templates enrolled for the current engine
    from_review: int  # of which came from faces confirmed in a review
    newest: date | None  # when the newest enrolled reference photo was taken
    stale: bool  # newest is older than the maximum age (or there is none)


def overview(
    register: Register,
    faces_dir: Path,
    enrolled_paths: dict[str, list[str]],
    review_sources: set[str],
    today: date,
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
) -> list[ChildReferences]:
    """Every child in the register, with their templates and reference photo age.

    ``enrolled_paths`` maps child id to the enrolled reference photos ("c01/ref.jpg",
    under ``faces_dir``); ``review_sources`` are those that came from a review.
    """
    found = []
    for child in sorted(register.children.values(), key=lambda c: (c.name.casefold(), c.child_id)):
        paths = enrolled_paths.get(child.child_id, [])
        dates = []
        for relative in paths:
            photo = faces_dir / Path(relative)
            if photo.is_file():
                dates.append(taken_time(photo).date())
        newest = max(dates) if dates else None
        found.append(
            ChildReferences(
                child,
                len(paths),
                sum(p in review_sources for p in paths),
                newest,
                bool(paths) and too_old(newest, today, max_age_months),
            )
        )
    return found


@dataclass(frozen=True)
class StaffReferences:
    """One member of staff's enrolment at a glance (``photoaudit staff``)."""

    member: StaffMember
    templates: int  # usable templates enrolled for the current engine
    from_review: int  # of which came from faces confirmed in a review
    newest: date | None  # when the newest enrolled reference photo was taken
    stale: bool  # newest is older than the maximum age (or there is none)


def staff_overview(
    staff: StaffRegister,
    staff_dir: Path,
    enrolled_paths: dict[str, list[str]],
    review_sources: set[str],
    today: date,
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
) -> list[StaffReferences]:
    """Every member of staff, with their templates and reference photo age.

    ``enrolled_paths`` is keyed as the store keys staff (``staff:<id>``), with paths
    ("JS01/ref.jpg") under ``staff_dir``.
    """
    found = []
    for member in sorted(staff.members.values(), key=lambda m: (m.name.casefold(), m.staff_id)):
        paths = enrolled_paths.get(staff_key(member.staff_id), [])
        dates = [taken_time(staff_dir / Path(p)).date() for p in paths if (staff_dir / Path(p)).is_file()]
        newest = max(dates) if dates else None
        found.append(
            StaffReferences(member, len(paths), sum(p in review_sources for p in paths), newest,
                            bool(paths) and too_old(newest, today, max_age_months))
        )
    return found
