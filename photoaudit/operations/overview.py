"""What photoaudit knows of the setting, gathered for ``children``, ``staff`` and ``devices``:
each child's and member of staff's enrolment at a glance, and the cameras seen in a folder.
The command line shows these; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.errors import CannotRun
from ..core.models import DeviceRegister, Register
from ..core.renewals import RenewalLetter, renewal_letters
from ..core.settings import Settings
from ..setting.devices import CameraSeen, load_devices, survey
from ..setting.references import (
    ChildReferences,
    StaffReferences,
    overview,
    reference_warnings,
    staff_overview,
)
from ..setting.register_checks import folder_warnings, list_faces_dir, register_warnings
from ..store.database import Store
from ..store.decision_book import DecisionBook
from .enrolment import eligible_children, enrolled_photos
from .workflow import load_registers, prepare


@dataclass(frozen=True)
class ChildrenOverview:
    """Each child's enrolment, and every warning and note about their references and the register."""

    rows: list[ChildReferences]
    warnings: list[str]  # about the reference photos, then the register and faces/ (every one)
    notes: list[str]


def children(settings: Settings, detector: str, day: date, max_age: int) -> ChildrenOverview:
    """``photoaudit children``: every child's consent and enrolment (the enrolment refreshed first)."""
    prepared = prepare(settings, detector=detector)
    fingerprint = prepared.engine.settings.fingerprint()
    with Store(settings.state_path) as store:
        paths = store.enrolled_references(fingerprint)
        from_review = set(DecisionBook(store).sources())
        photos = enrolled_photos(store, fingerprint, settings.faces_dir, set(prepared.enrolled))
    rows = overview(prepared.register, settings.faces_dir, paths, from_review, day, max_age)
    found, notes = reference_warnings(prepared.register, photos, settings.match.tolerance, day)
    listing = list_faces_dir(settings.faces_dir)
    register_lines = register_warnings(prepared.register, listing, most=None) + folder_warnings(
        prepared.register, listing, eligible_children(prepared.register), most=None)  # every one
    return ChildrenOverview(rows, found + register_lines, notes)


def renewals(settings: Settings, day: date, within: int) -> tuple[RenewalLetter, ...]:
    """``photoaudit children --renewals``: the consents due for renewal within ``within`` days
    of ``day``, from the register alone (no face engine, nothing enrolled)."""
    return renewal_letters(load_registers(settings), day, within)


@dataclass(frozen=True)
class StaffOverview:
    """Each member of staff's enrolment, and the register they come from."""

    rows: list[StaffReferences]
    register: Register


def staff(settings: Settings, detector: str, day: date, max_age: int) -> StaffOverview:
    """``photoaudit staff``: every member of staff's consent and enrolment (staff.csv)."""
    if not settings.staff_register_path.is_file():
        raise CannotRun(
            f"No staff register found at {settings.staff_register_path}. Copy "
            "consent_data/template/staff.csv there and fill it in (one row per member of staff)."
        )
    prepared = prepare(settings, detector=detector)
    with Store(settings.state_path) as store:
        paths = store.enrolled_references(prepared.engine.settings.fingerprint())
        from_review = set(DecisionBook(store).sources())
    rows = staff_overview(prepared.register.staff, settings.staff_dir, paths, from_review, day, max_age)
    return StaffOverview(rows, prepared.register)


@dataclass(frozen=True)
class Cameras:
    """The cameras seen in a folder, and the device register (None: there is none yet)."""

    seen: list[CameraSeen]
    registered: DeviceRegister | None


def cameras(settings: Settings, folder: Path) -> Cameras:
    """``photoaudit devices``: every camera the photos and videos in ``folder`` came from."""
    from ..media.sources import iter_media
    from ..media.video import read_video_meta

    registered = load_devices(settings.devices_path) if settings.devices_path.is_file() else None
    return Cameras(survey(iter_media(folder), registered, read_video_meta), registered)
