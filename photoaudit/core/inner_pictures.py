"""Pictures inside a picture: what they mean for a photo's verdict (a pure rule).

:mod:`photoaudit.media.inner` reads the pictures a photo file carries besides its main
image (EXIF thumbnail, a second MPO image, APNG frames, HEIC thumbnails ...) and the engine
looks for faces in them; this rule says what they mean (docs/rules.md "Pictures inside a
picture"):

- every inner picture that is not simply a small copy of the main picture is examined like
  the main one, and the photo's verdict for each use is the stricter of the two;
- an inner picture that cannot be examined makes the photo ``review`` for public uses
  (every use but those inside the setting, ``models.INTERNAL_PURPOSES``), and the advice
  is to post a copy made with ``photoaudit check --export``, which carries nothing but
  the main picture.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .consent import consent_verdict
from .models import (
    INTERNAL_PURPOSES,
    PURPOSES,
    Action,
    FaceStatus,
    NoteKind,
    PhotoFacts,
    PhotoVerdict,
    Register,
    Use,
    action_of,
    stricter_use,
    without_notes,
)
from .safeguards import Safeguards
from .standing import may, standing
from .words import child_label, journey_note

EXPORT_ADVICE = (
    "To post it, use a copy made with `photoaudit check --export`, which carries nothing but "
    "the main picture."
)


def inner_verdict(
    verdict: PhotoVerdict,
    facts: PhotoFacts,
    register: Register,
    today: date,
    purposes: tuple[str, ...] = PURPOSES,
    guard: Safeguards | None = None,
) -> PhotoVerdict:
    """The consent verdict on a photo, made stricter by the pictures inside it.

    Each examined inner picture is judged like a photo of its own; for every use the stricter
    verdict stands. An inner picture that could not be examined holds back the public uses.
    ``guard``: the safeguards of :mod:`photoaudit.core.safeguards` (an inner picture with no face
    found is not "a photo with no face found": the main picture decides that).
    """
    if not facts.inner or facts.problem is not None:
        return verdict
    uses = dict(verdict.purposes)
    reasons = list(verdict.reasons)
    notes = list(verdict.notes)
    stricter = False
    for inner in facts.inner:
        if inner.problem is not None:
            for purpose in uses:
                if purpose not in INTERNAL_PURPOSES and uses[purpose] is Use.ALLOWED:  # public uses
                    uses[purpose] = Use.REVIEW
            reasons.append(
                f"This file carries another picture inside it ({inner.label}) that photoaudit "
                f"could not check ({inner.problem}): it may show someone else. {EXPORT_ADVICE}"
            )
            stricter = True
            continue
        inner_guard = replace(guard if guard is not None else Safeguards(), faceless=False)
        alone = consent_verdict(PhotoFacts(facts.path, inner.faces, taken=facts.taken), register, today, purposes,
                            inner_guard)
        for purpose, use in alone.purposes.items():
            if stricter_use(uses.get(purpose, Use.ALLOWED), use) is not uses.get(purpose, Use.ALLOWED):
                uses[purpose] = use
                stricter = True
        for reason in alone.reasons:
            if not reason.startswith("No use at all"):
                reasons.append(f"In {inner.label} inside this file: {reason}")
        notes.append(f"Also checked: {inner.label} ({len(inner.faces)} face(s)).")
    kept: tuple[str, ...] = ()
    if uses.get("learning_journey") is Use.ALLOWED:
        present = _present(facts, register)
        kept = _journeys(present, register, today)
        if present and not kept:  # together, no child's journey may have it (R3)
            uses["learning_journey"] = Use.WITHHELD
            stricter = True
    if not stricter and kept == verdict.journeys:
        return replace(verdict, notes=tuple(notes))
    if any(u is not Use.ALLOWED for p, u in uses.items() if p not in INTERNAL_PURPOSES) and not any(
        EXPORT_ADVICE in r for r in reasons
    ):
        reasons.append(f"What is inside this file holds back some uses. {EXPORT_ADVICE}")
    action = action_of(uses.values(), verdict.action)
    if action is Action.DELETE and verdict.action is not Action.DELETE:
        reasons.append("No use at all is allowed, so the photo must not be kept (R4).")
    if kept != verdict.journeys:
        notes = without_notes(notes, NoteKind.JOURNEY)
        if kept:
            names = ", ".join(child_label(register.children[c]) for c in kept)
            notes.append(journey_note(names))
    return replace(verdict, action=action, purposes=uses, journeys=kept, reasons=tuple(reasons), notes=tuple(notes))


def _present(facts: PhotoFacts, register: Register) -> set[str]:
    """Every registered child matched in the main picture or any picture inside it."""
    faces = list(facts.faces) + [face for inner in facts.inner for face in inner.faces]
    return {
        face.child_id for face in faces
        if face.status is FaceStatus.MATCHED and face.counts_for_consent and face.child_id in register.children
    }


def _journeys(present: set[str], register: Register, today: date) -> tuple[str, ...]:
    """Whose learning journey the whole file may go into: the owner may have it there, and
    every other child seen anywhere in the file may appear in other children's journeys (R3)."""
    standings = {c: standing(register.children[c], today) for c in present}
    return tuple(sorted(
        owner for owner in present
        if may(standings[owner], "learning_journey")
        and all(may(standings[c], "other_journeys") for c in present if c != owner)
    ))
