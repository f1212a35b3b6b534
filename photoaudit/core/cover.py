"""Which faces to cover before a photo is posted: pure functions over plain data.

Given what the audit knows about a photo (:class:`PhotoFacts`), the consent
register and one purpose, :func:`plan_cover` decides whether the photo is
cleared for that purpose as it is, which faces a publishable copy must cover
(children without consent for it, and unidentified faces unless the user
holds those photos back), and whether such a copy can be made at all: after
covering, every face left in the copy must be an identified child who is
cleared for the purpose. The pixels are :mod:`photoaudit.media.export`'s job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from .consent import consent_verdict, face_words
from .errors import BadValue
from .models import (
    INTERNAL_PURPOSES,
    PURPOSE_WORDS,
    Box,
    Child,
    FaceMatch,
    FaceStatus,
    PhotoFacts,
    PhotoVerdict,
    Register,
    UnknownFaces,
    Use,
)
from .safeguards import Safeguards, guard_faces
from .staff_rules import is_staff, staff_may_appear
from .standing import standing
from .words import and_list, child_label, purpose_words

#: What to do with unknown and ambiguous faces in an export: cover them, or hold the photo back.
UNKNOWN_CHOICES = tuple(u.value for u in UnknownFaces)

GPS_WORDS = (
    "It records where it was taken (GPS location), which must not go outside the setting "
    "(R10): post a copy made with --export, which carries no location."
)

#: How far the cover reaches beyond the detected face box, as fractions of the box:
#: sideways (each side), above (hair, forehead, a hat) and below (chin, neck). Face
#: detectors box the eyes-to-chin area only; a head is much larger, a child's even more.
HEAD_SIDE_MARGIN = 0.5
HEAD_TOP_MARGIN = 0.9
HEAD_BOTTOM_MARGIN = 0.45
#: Never a margin of fewer pixels than this, whatever the face size.
MIN_MARGIN_PX = 8

#: How the audit's note that a covered copy could be used begins.
COVER_NOTE_PREFIX = "A copy with "

Region = tuple[int, int, int, int]  # (left, top, right, bottom), right/bottom exclusive


@dataclass(frozen=True)
class FaceCall:
    """The decision for one face in a photo: keep it in the copy, or cover it, and why."""

    index: int  # 1-based, as the reasons count faces
    face: FaceMatch
    cover: bool
    why: str = ""  # why it keeps the photo from being cleared ('' when it does not)
    child: Child | None = None  # the identified child, when there is one

    @property
    def identified(self) -> bool:
        return self.child is not None

    def label(self) -> str:
        """'Ava Patel (c01)', or 'face 2 (not identified)'."""
        if self.child is not None:
            return child_label(self.child)
        return f"face {self.index} (not identified)"


@dataclass(frozen=True)
class CoverPlan:
    """Whether a photo is cleared for one purpose, and what a publishable copy must cover."""

    path: str
    purpose: str
    cleared: bool  # the photo as it is may be used for the purpose
    blockers: tuple[str, ...]  # why it may not, naming each child or face
    faces: tuple[FaceCall, ...]
    hold: tuple[str, ...]  # why no publishable copy can be made ('' when one can)
    copy_verdict: PhotoVerdict | None  # the faces left in the copy, judged for the purpose

    @property
    def copy_allowed(self) -> bool:
        return not self.hold

    @property
    def covered(self) -> tuple[FaceCall, ...]:
        return tuple(f for f in self.faces if f.cover)

    @property
    def kept(self) -> tuple[FaceCall, ...]:
        return tuple(f for f in self.faces if not f.cover)


def may_appear(child: Child, purpose: str, today: date) -> str:
    """'' when the child may appear in a photo used for ``purpose``, else why not.

    For the learning journey a child may appear when they allow it for their
    own journey or allow appearing in other children's; whether the copy really
    fits someone's journey is judged afterwards on the faces left (R3).
    """
    blocked = standing(child, today).blocked_by
    if blocked:
        return blocked
    if purpose == "learning_journey":
        if child.allows("learning_journey") or child.allows("other_journeys"):
            return ""
        return (
            f"{child_label(child)} has no consent for any learning journey, their own or "
            "other children's (R2, R3)."
        )
    if child.allows(purpose):
        return ""
    rule = "R2, R3" if purpose == "other_journeys" else "R2"
    return f"{child_label(child)} has no consent for {purpose_words([purpose])} ({rule})."


def call_faces(
    facts: PhotoFacts, register: Register, today: date, purpose: str, unknown: str,
    doubtful: bool = False,
) -> tuple[FaceCall, ...]:
    """Decide, face by face, what a copy for ``purpose`` must cover.

    A face not cleared for the use, whatever the reason (not identified, an uncertain match, a
    child without consent), is covered; with ``unknown`` "hold", a face whose identity is in
    doubt holds the photo back instead. ``doubtful``: the photo is not cleared for the use as it
    is, so a face a safeguard asked a person to confirm (its ``caution``: a look-alike, a twin, a
    young child, a likeness not close enough for public uses) counts as uncertain.
    """
    counted = [f for f in facts.faces if f.counts_for_consent]
    counts = Counter(f.child_id for f in counted if f.status is FaceStatus.MATCHED)
    staff_counts = Counter(f.staff_id for f in facts.faces if is_staff(f) and f.decision is None)
    calls = []
    for index, face in enumerate(facts.faces, start=1):
        if not face.counts_for_consent and not is_staff(face):  # a person decided: an adult, not a face
            calls.append(FaceCall(index, face, cover=False))
            continue
        if is_staff(face):  # an adult: covered only when they did not agree to the use
            twice = face.decision is None and staff_counts[face.staff_id] > 1
            why = (f"Face {index} is one of {staff_counts[face.staff_id]} faces matched to the same "
                   "member of staff; the others could be children, so a person must check."
                   if twice else staff_may_appear(face, register.staff, purpose))
            calls.append(FaceCall(index, face, cover=bool(why) and (not twice or unknown == UnknownFaces.COVER), why=why))
            continue
        problem = face_words(index, face, register) or (face.caution if doubtful and face.caution
                                                         and face.status is FaceStatus.MATCHED else "")
        child = None if problem else register.get(face.child_id or "")
        if child is not None and counts[child.child_id] > 1:
            problem = (
                f"Face {index} is one of {counts[child.child_id]} faces matched to "
                f"{child_label(child)}; at most one can be right, so a person must check who is who "
                "(R5: every child in a photo must be identified)."
            )
            child = None
        if child is None:
            calls.append(FaceCall(index, face, cover=unknown == UnknownFaces.COVER, why=problem))
            continue
        why = may_appear(child, purpose, today)
        calls.append(FaceCall(index, face, cover=bool(why), why=why, child=child))
    return tuple(calls)


def plan_cover(
    facts: PhotoFacts,
    register: Register,
    today: date,
    purpose: str,
    unknown: str = "cover",
    *,
    file_blockers: tuple[str, ...] = (),
    gps: bool = False,
    guard: Safeguards | None = None,
    consent: PhotoVerdict | None = None,
) -> CoverPlan:
    """Is the photo cleared for ``purpose``, and which faces must a publishable copy cover?

    ``unknown`` is "cover" (unknown and ambiguous faces are covered too) or
    "hold" (a photo with such a face gets no copy: a person looks first).
    ``file_blockers`` are reasons from the file itself that rule out every use
    (a breach of R6, past retention under R7, ...): no cover helps, so no copy.
    ``gps``: the file records a location, so it is not cleared for uses outside
    the setting as it is (R10), though a copy (which carries none) may be.
    ``consent``: the photo's consent verdict as the audit judged it (the consent rules and
    the pictures inside the file, for every purpose); the photo is cleared for ``purpose`` only
    when that verdict allows it, and the photo is not judged again. Without it (a caller
    with no verdict yet) the photo's own faces are judged here.
    Fails closed: the copy is only allowed when the faces left in it, judged
    by the same rules as the audit, are cleared for the purpose.
    """
    if unknown not in UNKNOWN_CHOICES:
        raise BadValue(f"unknown must be one of {UNKNOWN_CHOICES}, not {unknown!r}")
    guard = guard if guard is not None else Safeguards()
    facts = guard_faces(facts, register, guard)  # look-alike matches count as uncertain faces
    verdict = consent if consent is not None else consent_verdict(facts, register, today, (purpose,), guard)
    if facts.problem is not None:
        why = (f"{facts.problem} A person must look at this file.",)
        return CoverPlan(facts.path, purpose, False, why, (), why, None)
    if len(verdict.faces) == len(facts.faces):  # the faces as judged: with the safeguards' cautions
        facts = replace(facts, faces=verdict.faces)

    calls = call_faces(facts, register, today, purpose, unknown, verdict.purposes[purpose] is not Use.ALLOWED)
    blockers = tuple(c.why for c in calls if c.why)
    if verdict.purposes[purpose] is not Use.ALLOWED and not blockers:
        blockers = verdict.reasons  # the journey rules (R3) can block with no single face at fault
    # Uses that stay inside the setting (INTERNAL_PURPOSES): for every other use a photo that
    # records where it was taken (GPS) is not cleared as it is (R10); a copy carries no location.
    located = gps and purpose not in INTERNAL_PURPOSES
    blockers += tuple(file_blockers) + ((GPS_WORDS,) if located else ())
    cleared = verdict.purposes[purpose] is Use.ALLOWED and not blockers
    hold = [c.why for c in calls if c.why and not c.cover] + list(file_blockers)
    copy_verdict = None
    if not hold:
        kept = PhotoFacts(facts.path, tuple(c.face for c in calls if not c.cover), taken=facts.taken,
                          photo_decision=facts.photo_decision)  # "no children" holds for its copy too
        # Faces were found (and covered) in the original: "no face found" is not this copy's case.
        copy_verdict = consent_verdict(kept, register, today, (purpose,), copy_guard(facts, guard))
        if copy_verdict.purposes[purpose] is not Use.ALLOWED:
            hold.extend(copy_verdict.reasons or ("The faces left in a copy would not be cleared.",))
    return CoverPlan(facts.path, purpose, cleared, blockers, calls, tuple(hold), copy_verdict)


def head_region(box: Box, width: int, height: int) -> Region:
    """The whole head around a detected face box, with a generous margin, inside the image."""
    top, right, bottom, left = box
    face_w, face_h = max(1, right - left), max(1, bottom - top)
    side = max(MIN_MARGIN_PX, round(face_w * HEAD_SIDE_MARGIN))
    above = max(MIN_MARGIN_PX, round(face_h * HEAD_TOP_MARGIN))
    below = max(MIN_MARGIN_PX, round(face_h * HEAD_BOTTOM_MARGIN))
    return (
        max(0, left - side),
        max(0, top - above),
        min(width, right + side),
        min(height, bottom + below),
    )


def covered_words(plan: CoverPlan) -> str:
    """'face 1 (Grace Okafor (c02)) and face 2 (not identified)'."""
    parts = [
        f"face {c.index} ({child_label(c.child)})" if c.child else f"face {c.index} (not identified)"
        for c in plan.covered
    ]
    return and_list(parts)


def copy_guard(facts: PhotoFacts, guard: Safeguards) -> Safeguards:
    """The safeguards for a covered copy of a photo: a copy of a photo in which faces were
    found is not a photo "with no face found" (rule 5), even when every face is covered."""
    return replace(guard, faceless=False) if facts.faces else guard


def cover_notes(
    verdict: PhotoVerdict, facts: PhotoFacts, register: Register, today: date, guard: Safeguards | None = None
) -> tuple[str, ...]:
    """For uses a photo is withheld from only because of some faces: a covered copy could do.

    Only when at least one identified child without consent is among the faces
    to cover (a photo held back only for unknown faces is a review, not a
    withholding), the faces left would be cleared, and at least one identified
    child stays visible (a photo of one child is not worth suggesting with that
    child's head covered; ``check --export`` still makes such a copy when asked).
    """
    if facts.problem is not None:
        return ()
    by_cover: dict[tuple[int, ...], list[str]] = {}
    labels: dict[tuple[int, ...], str] = {}
    for purpose, use in verdict.purposes.items():
        if use is not Use.WITHHELD:
            continue
        plan = plan_cover(facts, register, today, purpose, guard=guard, consent=verdict)
        if not plan.copy_allowed or not any(c.identified for c in plan.covered):
            continue
        if not any(c.identified for c in plan.kept):
            continue
        key = tuple(c.index for c in plan.covered)
        by_cover.setdefault(key, []).append(purpose)
        labels[key] = covered_words(plan)
    notes = []
    for key, purposes in by_cover.items():
        notes.append(
            f"{COVER_NOTE_PREFIX}{labels[key]} covered could be used for {uses_words(purposes)} instead: "
            f"photoaudit check --for {purposes[-1]} --export FOLDER makes one."
        )
    return tuple(notes)


def uses_words(purposes: list[str]) -> str:
    """Purposes in a sentence, with the journeys said once: 'learning journeys and social media'."""
    if "learning_journey" in purposes:
        purposes = [p for p in purposes if p != "other_journeys"]
    words = [
        "learning journeys" if p == "learning_journey" else PURPOSE_WORDS.get(p, p.replace("_", " "))
        for p in purposes
    ]
    return and_list(words)


def add_cover_notes(
    verdict: PhotoVerdict, facts: PhotoFacts, register: Register, today: date, guard: Safeguards | None = None
) -> PhotoVerdict:
    """The verdict with :func:`cover_notes` added to its notes (the action is unchanged)."""
    notes = cover_notes(verdict, facts, register, today, guard)
    return replace(verdict, notes=verdict.notes + notes) if notes else verdict
