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

from ..core.models import Child, Register, StaffMember, StaffRegister, staff_key

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


def recorded_time(path: Path) -> datetime | None:
    """When a photo was taken, as its EXIF records it; None when it records no date."""
    try:
        with Image.open(path) as im:
            exif = im.getexif()
            return exif_time(exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL)) or exif_time(exif.get(_DATE_TIME))
    except Exception:  # an unreadable or odd file: no date recorded
        return None


def taken_time(path: Path) -> datetime:
    """When a photo was taken: its EXIF date, else when the file was last changed."""
    found = recorded_time(path)
    return found if found is not None else datetime.fromtimestamp(path.stat().st_mtime)


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
    #: reference photos that record no date taken: their age is their file's modified date
    undated: int = 0


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
        undated = 0
        for relative in paths:
            photo = faces_dir / Path(relative)
            if photo.is_file():
                recorded = recorded_time(photo)
                undated += recorded is None
                dates.append((recorded or datetime.fromtimestamp(photo.stat().st_mtime)).date())
        newest = max(dates) if dates else None
        found.append(
            ChildReferences(
                child,
                len(paths),
                sum(p in review_sources for p in paths),
                newest,
                bool(paths) and too_old(newest, today, max_age_months),
                undated,
            )
        )
    return found


# -- what the reference photos themselves show (issue 12: misfiled photos, look-alikes) -----

#: Children this young (months) change fastest: their reference photos should be recent.
YOUNG_CHILD_MONTHS = 36
#: ... taken at most this many months ago.
YOUNG_CHILD_REFERENCE_MONTHS = 3


@dataclass(frozen=True)
class RefPhoto:
    """One enrolled reference photo: whose, which file (under faces/), its template and bytes' hash."""

    child_id: str
    path: str  # "c01/ava-1.jpg"
    template: object  # the face template (numpy array)
    sha256: str = ""
    taken: date | None = None


def young_children(register: Register, today: date) -> set[str]:
    """Children under :data:`YOUNG_CHILD_MONTHS` months old today (by ``date_of_birth``): the
    age of their reference photos matters."""
    return {
        child.child_id for child in register.children.values()
        if child.date_of_birth is not None and (today.year - child.date_of_birth.year) * 12
        + today.month - child.date_of_birth.month < YOUNG_CHILD_MONTHS
    }


def reference_warnings(
    register: Register, photos: list[RefPhoto], tolerance: float, today: date
) -> tuple[list[str], list[str]]:
    """Warnings about the enrolled reference photos, and notes for information.

    Warns about: a child with only one photo (a misfiled photo cannot be caught); the
    same photo in two children's folders; two children whose photos are closer than
    the tolerance (matching between them is refused until fixed, unless the register
    says they are twins or siblings); a child under 3 whose photos are more than a few
    months old. Notes the two children most alike, so unregistered look-alikes show.
    """
    import numpy as np

    from ..core.safeguards import closest_pairs, related, twins_of
    from ..core.words import child_label

    def who(child_id: str) -> str:
        child = register.get(child_id)
        return child_label(child) if child else child_id

    by_child: dict[str, list[RefPhoto]] = {}
    for photo in sorted(photos, key=lambda p: (p.child_id, p.path)):
        by_child.setdefault(photo.child_id, []).append(photo)
    warnings: list[str] = []
    notes: list[str] = []
    for child_id, refs in sorted(by_child.items()):
        if len(refs) == 1:
            warnings.append(
                f"{who(child_id)} has only one reference photo (faces/{refs[0].path}): if it is a "
                "misfiled photo of someone else, photoaudit cannot tell. Add two to five photos of "
                f"the child to faces/{child_id}/; until then a match clears a public use only within "
                "the stricter public tolerance."
            )
    hashes: dict[str, RefPhoto] = {}
    same: set[frozenset[str]] = set()
    for photo in photos:
        first = hashes.setdefault(photo.sha256, photo) if photo.sha256 else photo
        if first is not photo and first.child_id != photo.child_id:
            same.add(frozenset((first.child_id, photo.child_id)))
            warnings.append(
                f"faces/{first.path} and faces/{photo.path} are the same photo, filed for "
                f"{who(first.child_id)} and for {who(photo.child_id)}: it can only be one of them. "
                "photoaudit refuses to tell them apart (a person checks every match) until the wrong "
                "one is removed."
            )
    enrolled = {c: [np.asarray(r.template) for r in refs] for c, refs in by_child.items()}
    paths = {c: [r.path for r in refs] for c, refs in by_child.items()}
    pairs = closest_pairs(enrolled, paths)
    for pair in pairs:
        if pair.distance >= tolerance:
            break
        if frozenset((pair.a, pair.b)) in same:
            continue
        files = f"faces/{pair.files[0]} and faces/{pair.files[1]}"
        if related(pair.a, pair.b, register):
            kind = "twins" if pair.b in twins_of(pair.a, register) else "brothers or sisters"
            warnings.append(
                f"{who(pair.a)} and {who(pair.b)} look very alike in their reference photos ({files}, "
                f"distance {pair.distance:.2f}); the register says they are {kind}, so their matches "
                "need the larger margin (and twins the twin rule)."
            )
            continue
        warnings.append(
            f"{who(pair.a)} and {who(pair.b)} have reference photos closer than the tolerance "
            f"({files}, distance {pair.distance:.2f} < {tolerance:.2f}): one may be misfiled, or they "
            "may be twins or siblings (say so in the register: twin_of, siblings). Until this is "
            "fixed photoaudit refuses to tell them apart: a person checks every match to either."
        )
    if pairs:
        closest = pairs[0]
        notes.append(
            f"The two children most alike in their reference photos are {who(closest.a)} and "
            f"{who(closest.b)} (faces/{closest.files[0]} and faces/{closest.files[1]}, distance "
            f"{closest.distance:.2f}; photoaudit matches a face within {tolerance:.2f})."
        )
    young = young_children(register, today)
    for child_id, refs in sorted(by_child.items()):
        if child_id not in young:
            continue
        old = [r for r in refs if too_old(r.taken, today, YOUNG_CHILD_REFERENCE_MONTHS)]
        if old:
            listed = ", ".join(f"faces/{r.path}" for r in old)
            warnings.append(
                f"{who(child_id)} is under 3, and young children's faces change fastest, but "
                f"{'these reference photos are' if len(old) > 1 else 'this reference photo is'} more "
                f"than {YOUNG_CHILD_REFERENCE_MONTHS} months old (or undated): {listed}. Add a recent photo."
            )
    return warnings, notes


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
