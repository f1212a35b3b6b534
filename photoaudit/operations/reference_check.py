"""``photoaudit enrol --confirm ID``: a person checked one person's reference photos.

When a child's reference photos disagree and nothing settles which is wrong
(:mod:`photoaudit.core.reference_rule`), none is used and the child is never recognised. A
person who looked at them and saw the same child in all can say so: the store records the
photos' names and SHA-256 and when, and enrolment uses them all for as long as they are
exactly those files. Only a child (or member of staff) who may be enrolled can be confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..core.child_ids import resolve_child_id
from ..core.errors import CannotRun
from ..core.models import staff_id_of, staff_key
from ..core.settings import Settings
from ..media.files import sha256_file
from ..store import lock
from ..store.database import Confirmation, Store
from .enrolment import eligible_children, eligible_staff, reference_photos
from .workflow import ENROLMENT_KEY, load_registers


@dataclass(frozen=True)
class Confirmed:
    """What ``enrol --confirm`` recorded: whose photos, which, and when."""

    key: str  # the store key (``staff:ID`` for staff)
    label: str  # 'Ava Patel (c01)' or 'Jo Smith (staff JS01)'
    folder: str  # 'faces/c01' or 'staff/JS01'
    photos: tuple[str, ...]  # the file names, as the person saw them
    at: str  # ISO date-time


def confirm_references(settings: Settings, person_id: str, now: datetime | None = None) -> Confirmed:
    """Record that a person checked the reference photos of ``person_id`` (a child id, or a
    staff id), bound to exactly those files; raises :class:`CannotRun` for someone who may not
    be enrolled or who has no reference photos."""
    register = load_registers(settings)
    children, staff = set(eligible_children(register)), {staff_id_of(k) or k for k in eligible_staff(register)}
    known = set(register.children) | set(register.staff.members)
    person = resolve_child_id(person_id, known, "in the consent or staff register")
    is_staff = person in register.staff.members
    if person not in (staff if is_staff else children):
        who = "has not agreed to face matching, or has left" if is_staff else "has no face-matching permission, or has left"
        raise CannotRun(f"{person} {who}: photoaudit never enrols them, so there is nothing to confirm.")
    key = staff_key(person) if is_staff else person
    folder = settings.staff_dir if is_staff else settings.faces_dir
    photos = reference_photos(folder, person)
    shown = f"{'staff' if is_staff else 'faces'}/{person}"
    if not photos:
        raise CannotRun(f"{shown}/ holds no reference photos: there is nothing to confirm.")
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    hashes = {f"{person}/{p.name}": sha256_file(p) for p in photos}
    with lock.acquire_store_shared(settings.state_path), Store(settings.state_path) as store:
        if key in store.forgotten():
            raise CannotRun(f"{person} was erased on request: enrol them again only with "
                            f"`photoaudit enrol --allow-again {person}`, then confirm.")
        store.confirm_references(key, Confirmation(hashes, at))
        store.set_meta(ENROLMENT_KEY, "")  # the next run enrols again
    if is_staff:
        member = register.staff.members[person]
        label = f"{member.name} (staff {person})" if member.name else f"staff {person}"
    else:
        label = f"{register.children[person].name} ({person})"
    return Confirmed(key, label, shown, tuple(p.name for p in photos), at)
