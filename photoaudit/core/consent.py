"""The consent rules: pure functions from plain facts to verdicts.

Nothing here reads files or looks at pixels. Every rule fails closed: a face
nobody could identify, an uncertain match, a missing or lapsed consent, never
clears a photo. Rule numbers (R1, R2, ...) refer to docs/rules.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from .models import (
    PURPOSES,
    Action,
    FaceMatch,
    FaceStatus,
    PhotoFacts,
    PhotoVerdict,
    Register,
    Use,
)
from .safeguards import Safeguards, guard_faces, guard_uses
from .staff_rules import staff_in_photo, staff_label
from .standing import ChildStanding, may, standing
from .words import child_label, clock, journey_note, label_of, purpose_words, withdrawal_words


def face_words(index: int, face: FaceMatch, register: Register) -> str:
    """Why one face needs a person to look at it, or '' when it does not."""
    name = f"Face {index}"
    if face.time is not None:
        name += f" (at {clock(face.time)} in the video)"
    if face.status is FaceStatus.UNKNOWN and face.caution:  # one person in a photo once
        return f"{name} {face.caution}"
    if face.status is FaceStatus.UNKNOWN:
        return (
            f"{name} is not a child photoaudit can identify: a person must check "
            "who it is before this photo is used."
        )
    if face.status is FaceStatus.AMBIGUOUS and face.caution:  # a safeguard refused the match
        return f"{name} {face.caution}"
    if face.status is FaceStatus.AMBIGUOUS:
        names = [
            staff_label(register.staff.get(cand.child_id), cand.child_id) if cand.staff
            else label_of(cand.child_id, register)
            for cand in face.candidates
        ]
        return (
            f"{name} could be {' or '.join(names)} (too close to call): a person "
            "must check who it is."
        )
    if face.child_id is None or register.get(face.child_id) is None:
        if face.decision is not None:
            return (
                f"{name} was named by a person as {face.child_id!r}, who is not in the "
                "consent register: a person must check."
            )
        return (
            f"{name} matched enrolled child {face.child_id!r}, who is not in the "
            "consent register: a person must check."
        )
    return ""


def consent_verdict(
    facts: PhotoFacts,
    register: Register,
    today: date,
    purposes: tuple[str, ...] = PURPOSES,
    guard: Safeguards | None = None,
) -> PhotoVerdict:
    """Judge one photo for every purpose, and decide keep, delete or review.

    ``guard`` carries what :mod:`photoaudit.core.safeguards` needs (look-alikes, twins,
    public uses); without one, its strictest defaults apply.
    """
    guard = guard if guard is not None else Safeguards()
    facts = guard_faces(facts, register, guard)
    return guard_uses(_judge(facts, register, today, purposes), facts, register, today, guard)


def _judge(facts: PhotoFacts, register: Register, today: date, purposes: tuple[str, ...]) -> PhotoVerdict:
    """The consent rules proper (R1-R5), before the safeguards."""
    if facts.problem is not None:
        return PhotoVerdict(
            facts.path,
            Action.REVIEW,
            {p: Use.REVIEW for p in purposes},
            faces=facts.faces,
            reasons=(f"{facts.problem} A person must look at this file.",),
        )

    reasons: list[str] = []
    unresolved = 0
    present: dict[str, ChildStanding] = {}
    for index, face in enumerate(facts.faces, start=1):
        if not face.counts_for_consent:  # a person decided: an adult, or not a face
            continue
        problem = face_words(index, face, register)
        if problem:
            reasons.append(problem)
            unresolved += 1
            continue
        child = register.children[face.child_id]  # type: ignore[index]
        present[child.child_id] = standing(child, today)

    counted = [f for f in facts.faces if f.counts_for_consent]
    counts = Counter(f.child_id for f in counted if f.status is FaceStatus.MATCHED)
    for child_id, count in sorted(counts.items()):
        if count > 1 and child_id in present:
            reasons.append(
                f"{child_label(present[child_id].child)} was matched to {count} faces in "
                "this photo; at most one can be right, so a person must check who is who "
                "(R5: every child in a photo must be identified)."
            )
            unresolved += 1

    for s in present.values():
        if s.blocked_by:
            reasons.append(s.blocked_by)

    # Staff in the photo (issue 19): adults, with their own consent for public uses.
    staff = staff_in_photo(facts.faces, register.staff, purposes)
    reasons.extend(staff.doubts)
    unresolved += len(staff.doubts)
    face_count = len(counted) + staff.doubtful_faces

    verdicts, journeys, own_refused = purpose_verdicts(present, unresolved, face_count, purposes)
    for purpose in staff.withheld or {}:
        verdicts[purpose] = Use.WITHHELD
        if purpose == "learning_journey":
            journeys = ()
    refused: dict[str, list[str]] = {}  # child label -> purposes refused
    for purpose in purposes:
        if purpose == "learning_journey":
            continue
        for s in present.values():
            if s.blocked_by is None and not s.child.allows(purpose):
                refused.setdefault(child_label(s.child), []).append(purpose)

    notes: list[str] = list(facts.notes) + list(staff.notes)
    for label in own_refused:
        if verdicts["learning_journey"] is Use.WITHHELD:
            refused.setdefault(label, []).insert(0, "learning_journey")
        else:
            notes.append(f"Not for {label}'s own learning journey: no consent for it (R2).")
    if journeys:
        names = ", ".join(child_label(present[c].child) for c in journeys)
        notes.append(journey_note(names))

    by_label = {child_label(s.child): s.child for s in present.values()}
    for label, refused_purposes in refused.items():
        reasons.append(
            f"{label} has no consent for {purpose_words(refused_purposes)}"
            + withdrawal_words(by_label[label], refused_purposes)
            + " (R2"
            + (", R3" if "other_journeys" in refused_purposes else "")
            + "): withheld from "
            + ("those uses" if len(refused_purposes) > 1 else "that use")
            + (", for every child in the photo (R5)." if len(present) + unresolved > 1 else ".")
        )
    reasons.extend(staff.reasons)

    if not face_count:
        notes.append(
            ("No faces found." if not facts.faces else "No child's face found (the faces here "
             "are staff, or a person decided they are adults or not faces)." if staff.notes or
             any(f.staff_id for f in facts.faces) else "No child's face found (a person decided "
             "the faces here are adults or not faces).")
            + " If a child is in this photo (from behind, or too small to "
            "see), check it by eye before it is shared."
        )

    action = decide_action(verdicts, present, unresolved, face_count, purposes, reasons)
    return PhotoVerdict(
        facts.path,
        action,
        {p: verdicts[p] for p in purposes},
        journeys=journeys,
        faces=facts.faces,
        reasons=tuple(reasons),
        notes=tuple(notes),
    )


def purpose_verdicts(
    present: dict[str, ChildStanding], unresolved: int, face_count: int, purposes: tuple[str, ...]
) -> tuple[dict[str, Use], tuple[str, ...], list[str]]:
    """The verdict for each purpose (R2, R5), the open learning journeys, and who refused their own.

    One child who may not have the photo used for a purpose withholds it for the
    whole photo; an unidentified face turns an otherwise allowed purpose into review.
    """
    verdicts: dict[str, Use] = {}
    for purpose in purposes:
        if purpose == "learning_journey":
            continue
        blocked = any(not may(s, purpose) for s in present.values())
        verdicts[purpose] = Use.WITHHELD if blocked else Use.REVIEW if unresolved else Use.ALLOWED
    journeys: tuple[str, ...] = ()
    own_refused: list[str] = []
    if "learning_journey" in purposes:
        verdicts["learning_journey"], journeys, own_refused = judge_journeys(present, unresolved, face_count)
    return verdicts, journeys, own_refused


def judge_journeys(
    present: dict[str, ChildStanding], unresolved: int, face_count: int
) -> tuple[Use, tuple[str, ...], list[str]]:
    """Whose learning journey the photo may go into (R3).

    A photo goes into child C's journey when C may have it there and every other
    child in it may appear in other children's journeys. An unidentified face
    could be a child who may not, so it turns an open journey into a review.
    Returns the verdict, the journeys, and the children refusing their own journey.
    """
    if face_count == 0:
        return Use.ALLOWED, (), []
    own_refused = [
        child_label(s.child)
        for s in present.values()
        if s.blocked_by is None and not s.child.allows("learning_journey")
    ]

    def secondary_ok(owner: str | None) -> bool:
        return all(may(s, "other_journeys") for cid, s in present.items() if cid != owner)

    open_to = tuple(
        sorted(cid for cid, s in present.items() if may(s, "learning_journey") and secondary_ok(cid))
    )
    unknown_owner_possible = unresolved > 0 and secondary_ok(None)
    if not open_to and not unknown_owner_possible:
        return Use.WITHHELD, (), own_refused
    if unresolved:
        return Use.REVIEW, (), own_refused
    return Use.ALLOWED, open_to, own_refused


def decide_action(
    verdicts: dict[str, Use],
    present: dict[str, ChildStanding],
    unresolved: int,
    face_count: int,
    purposes: tuple[str, ...],
    reasons: list[str],
) -> Action:
    """Review when a person must look; delete when recorded refusals leave no use (R4).

    When nothing is allowed but some child's consent has only lapsed, the photo is
    judged again as if those consents were renewed with the same answers: if that
    would allow a use, renewing is worth it and a person must decide (review);
    if not, the recorded refusals alone rule the photo out (delete).
    """
    values = set(verdicts.values())
    if Use.REVIEW in values:
        return Action.REVIEW
    if Use.ALLOWED in values:
        return Action.KEEP
    lapsed = [s for s in present.values() if s.lapsed]
    if lapsed:
        renewed = {cid: ChildStanding(s.child, None) if s.lapsed else s for cid, s in present.items()}
        after_renewal = purpose_verdicts(renewed, unresolved, face_count, purposes)[0].values()
        if any(v is not Use.WITHHELD for v in after_renewal):
            names = ", ".join(child_label(s.child) for s in lapsed)
            reasons.append(
                f"Nothing may be done with this photo until the consent of {names} is renewed "
                "(R1): renew it, or delete the photo."
            )
            return Action.REVIEW
    reasons.append("No use at all is allowed, so the photo must not be kept (R4).")
    return Action.DELETE


#: Why a file that was not the same from the start to the end of its check goes to a person.
CHANGED_WHILE_READ = (
    "The file changed while it was being checked (it may still have been copying): check it again. "
    "photoaudit looks at it afresh at the next audit, and --apply never moves it."
)
#: Why a file whose content photoaudit could not read whole goes to a person.
NOT_READ_WHOLE = (
    "photoaudit could not read this file whole, so it cannot say which photo it judged: check it again. "
    "--apply never moves it."
)
