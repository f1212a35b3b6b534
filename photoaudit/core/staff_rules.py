"""Staff in the photos: practitioners are adults, with their own consent (docs/rules.md, "Staff").

A pure step of the consent rules (:func:`photoaudit.core.consent.consent_verdict` calls it), over the
photo's faces and the staff register:

- A face matched to a member of staff (by the matcher, or named by a person in a review)
  is an adult: it does not count for the children's consent and needs nobody to look at it.
  The report names them ("Face 2: Jo Smith (staff).").
- A purpose in ``StaffRegister.purposes`` (the public uses, and any internal one the setting
  lists in ``[staff] consent_needed_for``) is withheld when a member of staff in the photo
  did not agree to it, has left, or is not in the staff register (no agreement recorded
  is no agreement), and the reason says who.
- One member of staff matched to two faces of a photo: at most one is right, and the other
  could be a child. When one is clearly closer it is them and the other an unknown face
  (:func:`photoaudit.core.safeguards.one_per_photo`, before this step); otherwise both go to
  a person (they count as unidentified faces).

Matching itself fails closed in both directions (:mod:`photoaudit.core.matching`): a face close to
a child and to a member of staff is ambiguous, never "staff".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .models import FaceDecision, FaceMatch, StaffMember, StaffRegister
from .words import purpose_words


def staff_label(member: StaffMember | None, staff_id: str) -> str:
    """'Jo Smith (staff JS01)', or "staff 'JS09'" for an id the staff register does not know."""
    if member is None:
        return f"staff {staff_id!r}"
    return f"{member.name} (staff {member.staff_id})" if member.name else f"staff {member.staff_id}"


def is_staff(face: FaceMatch) -> bool:
    """True for a face matched to, or named by a person as, a member of staff."""
    if face.decision is not None:
        return face.decision.kind is FaceDecision.STAFF
    return face.staff_id is not None


@dataclass(frozen=True)
class StaffInPhoto:
    """What the members of staff in one photo mean for its verdict."""

    notes: tuple[str, ...] = ()  # who they are ("Face 2: Jo Smith (staff).")
    doubts: tuple[str, ...] = ()  # why some staff-matched faces need a person (one per member)
    doubtful_faces: int = 0  # faces that count as unidentified because of ``doubts``
    withheld: dict[str, tuple[str, ...]] | None = None  # purpose -> who did not agree
    reasons: tuple[str, ...] = ()  # one sentence per member of staff withholding uses


def staff_in_photo(
    faces: Sequence[FaceMatch], staff: StaffRegister, purposes: Sequence[str]
) -> StaffInPhoto:
    """The staff step of the consent rules for one photo's faces (see the module docstring)."""
    present = [(i, f) for i, f in enumerate(faces, start=1) if is_staff(f)]
    undecided = Counter(f.staff_id for _, f in present if f.decision is None)
    notes: list[str] = []
    doubts: list[str] = []
    doubtful = 0
    seen: dict[str, StaffMember | None] = {}
    for index, face in present:
        staff_id = face.staff_id if face.decision is None else face.decision.staff_id
        staff_id = staff_id or ""
        member = staff.get(staff_id)
        if face.decision is None and undecided[staff_id] > 1:
            doubtful += 1
            continue
        seen.setdefault(staff_id, member)
        if face.decision is None:
            short = f"{member.name} (staff)" if member and member.name else staff_label(member, staff_id)
            notes.append(f"Face {index}: {short}.")
    for staff_id, count in sorted(undecided.items()):
        if count > 1:
            doubts.append(
                f"{staff_label(staff.get(staff_id), staff_id or '')} was matched to {count} faces in "
                "this photo; at most one can be right, and the others could be children, so a "
                "person must check who is who."
            )

    withheld: dict[str, list[str]] = {}
    reasons: list[str] = []
    needed = [p for p in purposes if p in staff.purposes]
    for staff_id, member in sorted(seen.items()):
        label = staff_label(member, staff_id)
        if member is None:
            refused = needed
            why = "is not in the staff register, so no agreement is recorded"
        elif member.has_left:
            refused = needed
            why = "has left the setting"
        else:
            refused = [p for p in needed if not member.allows(p)]
            why = f"has not agreed to appear in {purpose_words(refused)}"
        if not refused:
            continue
        for purpose in refused:
            withheld.setdefault(purpose, []).append(label)
        reasons.append(
            f"{label} {why} (staff register): withheld from "
            + (purpose_words(refused) if member is None or member.has_left else
               ("those uses" if len(refused) > 1 else "that use"))
            + "."
        )
    return StaffInPhoto(
        tuple(notes), tuple(doubts), doubtful,
        {p: tuple(w) for p, w in withheld.items()}, tuple(reasons),
    )


def staff_may_appear(face: FaceMatch, staff: StaffRegister, purpose: str) -> str:
    """'' when the member of staff of ``face`` may appear in a photo used for ``purpose``,
    else why not (for ``check --export``, which then covers their head in the copy)."""
    staff_id = (face.staff_id if face.decision is None else face.decision.staff_id) or ""
    if purpose not in staff.purposes:
        return ""
    member = staff.get(staff_id)
    label = staff_label(member, staff_id)
    if member is None:
        return f"{label} is not in the staff register, so no agreement to {purpose_words([purpose])} is recorded."
    if member.has_left:
        return f"{label} has left the setting: not for {purpose_words([purpose])}."
    if not member.allows(purpose):
        return f"{label} has not agreed to appear in {purpose_words([purpose])} (staff register)."
    return ""
