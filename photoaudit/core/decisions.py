"""Decisions people made, applied to an audit: pure functions over plain data.

A person can say who a face is (``photoaudit review``) and force a photo's
action (``photoaudit override``). Decisions change who a face is, between
matching and the consent rules; they never change what a child's consent
allows. A face named as a child who has left or whose consent lapsed, or as an
id the register does not know, is still judged by the consent rules. A face named
as a member of staff ("this is staff JS01") is an adult with their own consent
(:mod:`photoaudit.core.staff_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from .errors import BadValue
from .models import (
    Action,
    Box,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoDecision,
    PhotoDecisionKind,
    PhotoFacts,
    PhotoVerdict,
    Register,
    staff_key,
)
from .staff_rules import staff_label
from .words import child_label, long_date

#: Who "decided" a face that a leaver record names (photoaudit.store.leavers imports it from here).
LEAVER_RECORD_BY = "photoaudit's leaver record"

#: A stored decision applies to a face whose box overlaps its own at least this much
#: (intersection over union): the same face, found again by the same or a re-tuned detector.
SAME_FACE_OVERLAP = 0.5

#: The words a person may use for each decision (any case; ``-`` and ``_`` read as spaces).
ADULT_WORDS = frozenset({"adult", "not a child", "grown up", "grownup"})
NOT_A_FACE_WORDS = frozenset({"not a face", "no face", "notaface", "nothing"})
SKIP_WORDS = frozenset({"", "skip", "?", "dont know", "don't know", "unsure"})
#: The words for the decision about a whole photo with no face found: no child is in it.
NO_CHILDREN_WORDS = frozenset({"no children", "no child", "no children in this photo", "nobody", "no one"})

#: The choices the HTML report offers for a face that needs a person, besides the register's
#: children: (what the decisions CSV says, what the person sees). Each value must be a word
#: :func:`parse_decision` reads; one more line here adds a choice to every report.
FACE_CHOICES: tuple[tuple[str, str], ...] = (
    ("adult", "an adult (not a child)"),
    ("not a face", "not a face (the box shows something else)"),
)

DECISION_WORDS = {
    FaceDecision.ADULT: "an adult, not a child",
    FaceDecision.NOT_A_FACE: "not a face",
}
#: What a decision for a member of staff starts with: "staff JS01" (or just the staff id).
STAFF_WORD = "staff"


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two (top, right, bottom, left) boxes, 0..1."""
    top, bottom = max(a[0], b[0]), min(a[2], b[2])
    left, right = max(a[3], b[3]), min(a[1], b[1])
    inter = max(0, bottom - top) * max(0, right - left)
    area_a = max(0, a[2] - a[0]) * max(0, a[1] - a[3])
    area_b = max(0, b[2] - b[0]) * max(0, b[1] - b[3])
    union = area_a + area_b - inter
    return inter / union if union > 0 else 0.0


def pair_decisions(
    faces: Sequence[FaceMatch], decisions: Sequence[tuple[Box, PersonDecision]]
) -> dict[int, PersonDecision]:
    """Which stored decision belongs to which face (by index), one to one.

    Pairs are taken best overlap first, and only when the boxes overlap at least
    :data:`SAME_FACE_OVERLAP`; a decision whose face is not found applies to nothing.
    """
    pairs = sorted(
        (
            (overlap(face.box, box), i, j)
            for i, face in enumerate(faces)
            for j, (box, _) in enumerate(decisions)
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    taken_faces: set[int] = set()
    taken_decisions: set[int] = set()
    found: dict[int, PersonDecision] = {}
    for score, i, j in pairs:
        if score < SAME_FACE_OVERLAP:
            break
        if i in taken_faces or j in taken_decisions:
            continue
        taken_faces.add(i)
        taken_decisions.add(j)
        found[i] = decisions[j][1]
    return found


def needs_person(status: FaceStatus, decided: bool, twice: bool, caution: str = "") -> bool:
    """Whether a face is one ``photoaudit review`` asks about: unknown, uncertain, one of
    two faces matched to the same child or member of staff (``twice``), or a match a person
    must confirm (``caution``: a young child, a twin, a likeness not close enough for public
    uses; :mod:`photoaudit.core.safeguards`), and nobody has decided it yet. The one copy of this
    rule: the review queue, the HTML report's lists and the faces CSV all use it."""
    return not decided and (status is not FaceStatus.MATCHED or twice or bool(caution))


def open_faces(faces: Sequence[FaceMatch]) -> frozenset[int]:
    """The faces of one photo (0-based) that ``review`` asks about (:func:`needs_person`), with
    "twice" as every output counts it: one child (or member of staff) matched to more than one
    face of the photo that a person did not set aside. The terminal's count, the JSON report's
    ``needs_person`` and the HTML report's lists all come from here, so they agree."""
    def matched_key(face: FaceMatch) -> str | None:
        kind = face.decision.kind if face.decision is not None else None
        if face.status is not FaceStatus.MATCHED or kind in (FaceDecision.ADULT, FaceDecision.NOT_A_FACE,
                                                              FaceDecision.STAFF):
            return None
        return staff_key(face.staff_id) if face.staff_id else face.child_id

    keys = [matched_key(f) for f in faces]
    return frozenset(
        i for i, f in enumerate(faces)
        if needs_person(f.status, f.decision is not None, keys[i] is not None and keys.count(keys[i]) > 1,
                        f.caution or "")
    )


def when_words(decision: PersonDecision | PhotoDecision | Override) -> str:
    """' (Jo, 20 November 2026)', from whatever of who and when is known."""
    parts = []
    if decision.by:
        parts.append(decision.by)
    try:
        parts.append(long_date(datetime.fromisoformat(decision.at).date()))
    except ValueError:
        pass
    return f" ({', '.join(parts)})" if parts else ""


def who(child_id: str | None, register: Register) -> str:
    child = register.get(child_id) if child_id else None
    return child_label(child) if child else repr(child_id)


def decide_face(face: FaceMatch, decision: PersonDecision) -> FaceMatch:
    """The face as a person decided it: a named child is matched to that child, a named
    member of staff to them."""
    if decision.kind is FaceDecision.CHILD:
        distance = next((c.distance for c in face.candidates
                         if c.child_id == decision.child_id and not c.staff), None)
        return replace(
            face, status=FaceStatus.MATCHED, child_id=decision.child_id, distance=distance,
            decision=decision, staff_id=None,
        )
    if decision.kind is FaceDecision.STAFF:
        distance = next((c.distance for c in face.candidates
                         if c.child_id == decision.staff_id and c.staff), None)
        return replace(
            face, status=FaceStatus.MATCHED, child_id=None, distance=distance,
            decision=decision, staff_id=decision.staff_id,
        )
    return replace(face, decision=decision)


def matched_words(face: FaceMatch, register: Register) -> str:
    """Who photoaudit matched a face to, in words."""
    if face.staff_id is not None:
        return staff_label(register.staff.get(face.staff_id), face.staff_id)
    return who(face.child_id, register)


def decision_note(index: int, face: FaceMatch, decision: PersonDecision, register: Register) -> str:
    """One sentence for the report: what a person decided about face ``index``."""
    when = when_words(decision)
    same = (face.staff_id == decision.staff_id if decision.kind is FaceDecision.STAFF
            else face.staff_id is None and face.child_id == decision.child_id)
    had = (
        f" (photoaudit had matched it to {matched_words(face, register)})"
        if face.status is FaceStatus.MATCHED and not same
        else ""
    )
    if decision.kind is FaceDecision.CHILD and decision.by == LEAVER_RECORD_BY:
        child = register.get(decision.child_id) if decision.child_id else None
        left = ", who has left the setting" if child is not None and child.has_left else ""
        return (
            f"Face {index} is {who(decision.child_id, register)}{left}: their face data was erased when "
            f"they left, and {LEAVER_RECORD_BY} of {decision.at[:10]} says this photo showed them."
        )
    if decision.kind is FaceDecision.CHILD:
        return f"Face {index} was confirmed by a person{when} as {who(decision.child_id, register)}{had}."
    if decision.kind is FaceDecision.STAFF:
        member = staff_label(register.staff.get(decision.staff_id), decision.staff_id or "")
        return (
            f"Face {index} was confirmed by a person{when} as {member}{had}: an adult, who does "
            "not count for the children's consent."
        )
    return (
        f"A person decided{when} that face {index} is {DECISION_WORDS[decision.kind]}{had}: "
        "it does not count for consent."
    )


def apply_decisions(
    facts: PhotoFacts, decisions: Sequence[tuple[Box, PersonDecision]], register: Register
) -> PhotoFacts:
    """The photo's faces with people's decisions applied, and a note for each.

    Faces keep their order (and so their numbers). A face named as a child becomes
    that child; an adult, or not a face, no longer counts for consent. What the
    named child's consent allows is still for the consent rules to judge.
    """
    if not decisions or not facts.faces:
        return facts
    paired = pair_decisions(facts.faces, decisions)
    if not paired:
        return facts
    faces = list(facts.faces)
    notes = list(facts.notes)
    for i in sorted(paired):
        notes.append(decision_note(i + 1, faces[i], paired[i], register))
        faces[i] = decide_face(faces[i], paired[i])
    return replace(facts, faces=tuple(faces), notes=tuple(notes))


def apply_override(verdict: PhotoVerdict, override: Override | None) -> PhotoVerdict:
    """The verdict with its action forced by a person; the per-purpose verdicts stay as judged."""
    if override is None:
        return verdict
    original = verdict.action
    reason = (
        f"A person forced this photo's action to {override.action.value}{when_words(override)}: "
        f"{override.reason}"
    )
    if not reason.endswith((".", "!", "?")):
        reason += "."
    if original is not override.action:
        reason += f" photoaudit's own verdict was {original.value}."
    return replace(
        verdict,
        action=override.action,
        reasons=(*verdict.reasons, reason),
        override=replace(override, original=original),
    )


def parse_decision(
    text: str, known_children: Sequence[str] = (), known_staff: Sequence[str] = ()
) -> PersonDecision | None:
    """A decision from what a person typed or wrote in the decisions CSV.

    ``adult`` (or ``not a child``), ``not a face``, ``skip`` (or blank) for no
    decision, a staff id from ``known_staff`` (or ``staff ID``, with any id: a member of
    staff), else a child id. A registered child's exact id always means that
    child; other ids are matched ignoring case against ``known_children`` (and
    ``known_staff``). Returns None for skip.
    """
    if text.strip() in known_children:
        return PersonDecision(FaceDecision.CHILD, text.strip())
    if text.strip() in known_staff:
        return PersonDecision(FaceDecision.STAFF, staff_id=text.strip())
    said = text.strip().split(None, 1)
    if len(said) == 2 and said[0].casefold() == STAFF_WORD:
        staff_id = said[1].strip()
        same = [c for c in known_staff if c.casefold() == staff_id.casefold()]
        return PersonDecision(FaceDecision.STAFF, staff_id=same[0] if len(same) == 1 else staff_id)
    words = " ".join(text.strip().replace("_", " ").replace("-", " ").split()).casefold()
    if words in SKIP_WORDS:
        return None
    if words in ADULT_WORDS:
        return PersonDecision(FaceDecision.ADULT)
    if words in NOT_A_FACE_WORDS:
        return PersonDecision(FaceDecision.NOT_A_FACE)
    child_id = text.strip()
    if child_id not in known_children:
        same = [c for c in known_children if c.casefold() == child_id.casefold()]
        if len(same) == 1:
            child_id = same[0]
        elif not same:
            staff = [c for c in known_staff if c.casefold() == child_id.casefold()]
            if len(staff) == 1:
                return PersonDecision(FaceDecision.STAFF, staff_id=staff[0])
    return PersonDecision(FaceDecision.CHILD, child_id)


def is_no_children(text: str) -> bool:
    """True for "no children" (or no_children, No child, nobody...): the decision about a whole photo."""
    return " ".join(text.strip().replace("_", " ").replace("-", " ").split()).casefold() in NO_CHILDREN_WORDS


def no_children(by: str = "", at: datetime | None = None) -> PhotoDecision:
    """The decision "no children in this photo", stamped with who and when."""
    return PhotoDecision(PhotoDecisionKind.NO_CHILDREN, by, at.isoformat(timespec="seconds") if at else "")


def stamped(decision: PersonDecision, by: str, at: datetime) -> PersonDecision:
    return replace(decision, by=by, at=at.isoformat(timespec="seconds"))


def action_from(text: str) -> Action:
    """keep, delete or review (any case); ValueError with plain words otherwise."""
    try:
        return Action(text.strip().lower())
    except ValueError:
        raise BadValue(f"{text!r} is not an action: use keep, delete or review.") from None
