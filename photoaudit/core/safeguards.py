"""No wrong "cleared": the rules for what face matching alone cannot be trusted with.

Pure functions over plain data, applied by :func:`photoaudit.core.consent.consent_verdict` to
every photo (docs/rules.md, "No wrong cleared, ever"). Face recognition mixes up
look-alikes, twins and young children, and a photo in which no face was found may
still show a child. So:

- **Look-alikes** (:func:`guard_faces`): a face matched to a child whose reference
  photos are too like another child's (a misfiled photo, the same photo in two
  folders) is not matched at all, and a face matched to a child with an enrolled
  sibling must be clear of that sibling by ``sibling_margin``. Both go to a person.
- **Twins** (:func:`guard_uses`): a face matched to a child with a registered twin
  never clears a use the twin is not cleared for, unless the twin is enrolled and the
  match is clear of them by twice the margin. Those uses go to a person.
- **Public uses** (rules 3-5 of issue 12): a public use (website, social media, and
  ``[setting] public_purposes``) is never cleared by a match farther than
  ``public_tolerance``, by a match to a child younger than ``public_min_age_months``,
  or when no face was found and no person has said "no children in this photo".
  Those public uses are ``review``; the photo's action is unchanged (a photo whose
  uses inside the setting are allowed stays ``keep``), so the review queue stays short.

A face a person confirmed (``photoaudit review``) is never second-guessed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from .decisions import when_words
from .matching import one_face_each, pairwise_distances
from .models import (
    PUBLIC_PURPOSES,
    Action,
    Candidate,
    Child,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    NoteKind,
    PhotoDecisionKind,
    PhotoFacts,
    PhotoVerdict,
    Register,
    Use,
    staff_id_of,
    without_notes,
)
from .settings import (
    DEFAULT_MARGIN,
    DEFAULT_PHOTO_MARGIN,
    DEFAULT_PUBLIC_MIN_AGE_MONTHS,
    DEFAULT_PUBLIC_TOLERANCE,
    DEFAULT_SIBLING_MARGIN,
    MatchSettings,
)
from .staff_rules import staff_label
from .standing import ChildStanding, may, standing
from .words import child_label, clock, label_of, long_date, purpose_words

#: What the reason for a photo with no child's face says (``photoaudit review`` lists them).
FACELESS_MARK = "check by eye that no child is in it"


@dataclass(frozen=True)
class LookAlike:
    """Two children whose reference photos are closer than the tolerance."""

    a: str
    b: str
    distance: float
    files: tuple[str, str] = ("", "")  # the closest reference photos ("c01/x.jpg", "c02/y.jpg")


@dataclass(frozen=True)
class Safeguards:
    """The settings and enrolment facts the safeguards need, in one value.

    The default (no enrolment known) is the strictest: no twin counts as enrolled.
    """

    public_purposes: frozenset[str] = frozenset(PUBLIC_PURPOSES)
    public_tolerance: float = DEFAULT_PUBLIC_TOLERANCE
    margin: float = DEFAULT_MARGIN
    sibling_margin: float = DEFAULT_SIBLING_MARGIN
    photo_margin: float = DEFAULT_PHOTO_MARGIN  # one person matched to two faces of a photo
    min_age_months: int = DEFAULT_PUBLIC_MIN_AGE_MONTHS
    enrolled: frozenset[str] = frozenset()  # children with templates to match against
    single_reference: frozenset[str] = frozenset()  # enrolled from one reference photo only
    look_alikes: tuple[LookAlike, ...] = ()  # pairs whose matches are refused
    faceless: bool = True  # a photo with no child's face goes to a person for public uses
    _partners: dict[str, tuple[LookAlike, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        partners: dict[str, list[LookAlike]] = {}
        for pair in self.look_alikes:
            partners.setdefault(pair.a, []).append(pair)
            partners.setdefault(pair.b, []).append(pair)
        object.__setattr__(self, "_partners", {k: tuple(v) for k, v in partners.items()})

    def look_alikes_of(self, child_id: str) -> tuple[LookAlike, ...]:
        return self._partners.get(child_id, ())


def closest_pairs(
    enrolled: Mapping[str, Sequence[np.ndarray]], paths: Mapping[str, Sequence[str]] | None = None
) -> list[LookAlike]:
    """Every pair of different children, nearest first, with their closest reference photos.

    ``paths`` (optional) names each template's reference photo, in the same order.
    """
    ids = sorted(c for c, t in enrolled.items() if len(t))
    stacks = {c: np.asarray(enrolled[c], dtype=np.float64) for c in ids}
    pairs = []
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            d = pairwise_distances(stacks[a], stacks[b])
            d = np.where(np.isfinite(d), d, np.inf)
            i, j = np.unravel_index(int(np.argmin(d)), d.shape)
            if not np.isfinite(d[i, j]):
                continue
            files = ("", "")
            if paths is not None and a in paths and b in paths:
                files = (paths[a][int(i)], paths[b][int(j)])
            pairs.append(LookAlike(a, b, float(d[i, j]), files))
    return sorted(pairs, key=lambda p: (p.distance, p.a, p.b))


def safeguards_for(
    match: MatchSettings,
    public_purposes: frozenset[str],
    enrolled: Mapping[str, Sequence[np.ndarray]],
    paths: Mapping[str, Sequence[str]] | None = None,
) -> Safeguards:
    """The safeguards for an audit: the setting's thresholds and what enrolment holds.

    Two children whose reference photos are closer than the tolerance are look-alikes:
    a match to either is refused (unless the register says they are twins or siblings,
    whose own rules then apply).
    """
    return Safeguards(
        public_purposes=frozenset(public_purposes),
        public_tolerance=match.public,
        margin=match.margin,
        sibling_margin=max(match.sibling_margin, match.margin),
        photo_margin=max(DEFAULT_PHOTO_MARGIN, match.margin),
        min_age_months=match.public_min_age_months,
        enrolled=frozenset(c for c, t in enrolled.items() if len(t)),
        single_reference=frozenset(c for c, t in enrolled.items() if len(t) == 1),
        look_alikes=tuple(p for p in closest_pairs(enrolled, paths) if p.distance < match.tolerance),
    )


# -- who is related to whom ---------------------------------------------------------------

def twins_of(child_id: str, register: Register) -> list[str]:
    """The child's registered twins, whichever of the two rows names the other."""
    found = set()
    me = register.get(child_id)
    if me is not None and me.twin_of:
        found.add(me.twin_of)
    found.update(c.child_id for c in register.children.values() if c.twin_of == child_id)
    found.discard(child_id)
    return sorted(found)


def siblings_of(child_id: str, register: Register) -> list[str]:
    """The child's registered brothers and sisters (either row may name the other), twins too."""
    found = set(twins_of(child_id, register))
    me = register.get(child_id)
    if me is not None:
        found.update(me.siblings)
    found.update(c.child_id for c in register.children.values() if child_id in c.siblings)
    found.discard(child_id)
    return sorted(found)


def related(a: str, b: str, register: Register) -> bool:
    return b in siblings_of(a, register)


def age_in_months(born: date, day: date) -> int:
    return (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)


# -- helpers ------------------------------------------------------------------------------


def _name(index: int, face: FaceMatch) -> str:
    return f"Face {index}" + (f" (at {clock(face.time)} in the video)" if face.time is not None else "")


def _judged_by_matching(face: FaceMatch) -> bool:
    """A face matched by photoaudit and not confirmed (or otherwise decided) by a person."""
    return face.status is FaceStatus.MATCHED and face.decision is None and face.child_id is not None


def distance_to(face: FaceMatch, child_id: str, enrolled: frozenset[str]) -> float | None:
    """How far the face is from ``child_id``: None when that child is not enrolled.

    Matching lists the nearest three children; a child further down is at least as far
    as the last one listed. When fewer are listed and the child is enrolled, nothing is
    known, so the answer is the match's own distance (as close as can be: fails closed).
    """
    for candidate in face.candidates:
        if candidate.child_id == child_id:
            return candidate.distance
    if child_id not in enrolled:
        return None
    if len(face.candidates) >= 3:
        return face.candidates[-1].distance
    return face.distance if face.distance is not None else 0.0


# -- look-alikes: refused before the consent rules -------------------------------------------

def guard_faces(facts: PhotoFacts, register: Register, guard: Safeguards) -> PhotoFacts:
    """The faces with one person matched to two faces settled where one is clearly that person
    (:func:`one_per_photo`), then matches to look-alike children, or too close to an enrolled
    sibling, turned into uncertain faces (a person must say who it is)."""
    if not facts.faces:
        return facts
    faces = tuple(_guard_face(face, register, guard) for face in one_per_photo(facts.faces, register, guard))
    return facts if faces == facts.faces else replace(facts, faces=faces)


def one_per_photo(faces: tuple[FaceMatch, ...], register: Register, guard: Safeguards) -> tuple[FaceMatch, ...]:
    """A child (or member of staff) is in a photo once: of two faces matched to them, one
    clearly closer (``guard.photo_margin``, :func:`photoaudit.core.matching.one_face_each`) or
    named by a person is them, and the other is an unknown face that says why."""
    displaced = one_face_each(faces, guard.photo_margin)
    if not displaced:
        return faces
    found = list(faces)
    for d in displaced:
        face, by = faces[d.face], faces[d.by]
        staff_id = staff_id_of(d.key)
        who = staff_label(register.staff.get(staff_id), staff_id) if staff_id else label_of(d.key, register)
        why = (
            f"a person named face {d.by + 1} as {who}"
            if by.decision is not None else
            f"face {d.by + 1} is clearly closer to {who}'s reference photos "
            f"(distance {by.distance:.2f} against {face.distance:.2f})"
        )
        found[d.face] = replace(
            face, status=FaceStatus.UNKNOWN, child_id=None, staff_id=None,
            caution=f"also looked like {who}, but {why}, and one person is in a photo only once: "
            "it is someone photoaudit cannot identify, so a person must check who it is.",
        )
    return tuple(found)


def _look_alike_words(me: str, other: str, pair: LookAlike, register: Register) -> str:
    files = " and ".join(f"faces/{f}" for f in pair.files if f)
    return (
        f"could be {label_of(me, register)} or {label_of(other, register)}: their reference "
        f"photos are too alike (distance {pair.distance:.2f}{', ' + files if files else ''}), "
        "so photoaudit does not tell them apart until the reference photos are checked "
        "(one may be misfiled). A person must check who it is."
    )


def _guard_face(face: FaceMatch, register: Register, guard: Safeguards) -> FaceMatch:
    if face.status is FaceStatus.AMBIGUOUS and face.decision is None and not face.caution:
        ids = {c.child_id for c in face.candidates}
        for pair in guard.look_alikes if len(ids) > 1 else ():
            if pair.a in ids and pair.b in ids and not related(pair.a, pair.b, register):
                return replace(face, caution=_look_alike_words(pair.a, pair.b, pair, register))
        return face
    if not _judged_by_matching(face):
        return face
    me = face.child_id or ""
    best = face.distance if face.distance is not None else 0.0
    for pair in guard.look_alikes_of(me):
        other = pair.b if pair.a == me else pair.a
        if related(me, other, register):
            continue  # registered twins and siblings: their own rules below
        return _uncertain(face, other, best, _look_alike_words(me, other, pair, register))
    for sibling in siblings_of(me, register):
        d = distance_to(face, sibling, guard.enrolled)
        if d is not None and d - best < guard.sibling_margin:
            return _uncertain(
                face, sibling, best,
                f"could be {label_of(me, register)} or their brother or sister "
                f"{label_of(sibling, register)} (distances {best:.2f} and {d:.2f}; siblings must "
                f"be at least {guard.sibling_margin:.2f} apart): a person must check who it is.",
            )
    return face


def _uncertain(face: FaceMatch, other: str, best: float, words: str) -> FaceMatch:
    own = next((c for c in face.candidates if c.child_id == face.child_id), Candidate(face.child_id or "", best))
    theirs = next((c for c in face.candidates if c.child_id == other), Candidate(other, best))
    return replace(
        face, status=FaceStatus.AMBIGUOUS, child_id=None, candidates=(own, theirs), caution=words
    )


# -- twins and public uses: after the consent rules -----------------------------------------------

@dataclass
class _Findings:
    twin: dict[str, list[str]] = field(default_factory=dict)  # purpose -> reasons
    public: list[str] = field(default_factory=list)
    cautions: dict[int, list[str]] = field(default_factory=dict)  # face index (0-based) -> why confirm


def guard_uses(
    verdict: PhotoVerdict, facts: PhotoFacts, register: Register, today: date, guard: Safeguards
) -> PhotoVerdict:
    """The verdict with the twin rule and the public-use rules applied (see the module)."""
    if facts.problem is not None:
        return verdict
    found = _Findings()
    counted = [(i, f) for i, f in enumerate(facts.faces) if f.counts_for_consent]
    for i, face in counted:
        if not _judged_by_matching(face) or register.get(face.child_id or "") is None:
            continue
        child = register.children[face.child_id]  # type: ignore[index]
        _twin_findings(i, face, child, verdict, register, today, guard, found)
        _public_findings(i, face, child, facts, today, guard, found)
    for i, face in enumerate(facts.faces):
        _staff_public_findings(i, face, register, guard, found)
    public = [p for p in verdict.purposes if p in guard.public_purposes]
    notes = list(verdict.notes)
    # No face found (or only what a person decided is not a face). Faces of staff, or of
    # adults, were found and looked at: the consent rules' note asks to look for children.
    found_faces = [f for f in facts.faces if not (f.decision and f.decision.kind is FaceDecision.NOT_A_FACE)]
    if not counted and not found_faces and guard.faceless and public:
        decision = facts.photo_decision
        if decision is not None and decision.kind is PhotoDecisionKind.NO_CHILDREN:

            notes.append(f"A person decided{when_words(decision)} that there are no children in this photo.")
        else:
            found.public.append(
                ("No face found: " if not facts.faces else "No face found (a person decided the only "
                 "one was not a face): ")
                + f"{FACELESS_MARK} (from behind, turned away, too "
                "small to see) before any public use, then record \"no children\" in photoaudit "
                "review. Uses inside the setting are not affected."
            )
            notes = [n for n in notes if not n.startswith("No faces found.")]  # said in the reason
    return _apply(verdict, found, public, notes)


def _twin_may(twin_standing: ChildStanding | None, purpose: str) -> bool:
    """Whether the twin may be in a photo used for ``purpose`` (for the child's own journey the
    twin would be in another child's journey)."""
    needed = "other_journeys" if purpose == "learning_journey" else purpose
    return twin_standing is not None and may(twin_standing, needed)


def _twin_findings(
    i: int, face: FaceMatch, child: Child, verdict: PhotoVerdict, register: Register, today: date,
    guard: Safeguards, found: _Findings,
) -> None:

    for twin_id in twins_of(child.child_id, register):
        d = distance_to(face, twin_id, guard.enrolled)
        best = face.distance if face.distance is not None else 0.0
        if twin_id in guard.enrolled and d is not None and d - best >= 2 * guard.margin:
            continue  # the twin is enrolled and clearly farther
        twin = register.get(twin_id)
        twin_standing = standing(twin, today) if twin is not None else None
        held = [p for p, use in verdict.purposes.items() if use is Use.ALLOWED and not _twin_may(twin_standing, p)]
        if not held:
            continue
        why = (
            f"{_name(i + 1, face)} was matched to {label_of(child.child_id, register)}, who has a twin, "
            f"{label_of(twin_id, register)}"
            + (" (not in the register)" if twin is None else "")
            + f", not cleared for {purpose_words(held)}: twins are easily mixed up, so a person "
            "must check which twin it is."
        )
        for purpose in held:
            found.twin.setdefault(purpose, []).append(why)
        found.cautions.setdefault(i, []).append(why)


def _public_findings(
    i: int, face: FaceMatch, child: Child, facts: PhotoFacts, today: date, guard: Safeguards, found: _Findings
) -> None:
    who = child_label(child)
    if face.distance is not None and face.distance > guard.public_tolerance:
        why = (
            f"{_name(i + 1, face)} matched {who} at distance {face.distance:.2f}: close enough for "
            f"uses inside the setting, but a public use needs a closer likeness (at most "
            f"{guard.public_tolerance:.2f}), so a person must confirm who it is before it is posted."
        )
        if child.child_id in guard.single_reference:
            why += f" {who} has only one reference photo: add two to five."
        found.public.append(why)
        found.cautions.setdefault(i, []).append(why)
    if child.date_of_birth is not None:
        day = min(today, facts.taken) if facts.taken is not None else today
        months = age_in_months(child.date_of_birth, day)
        if months < guard.min_age_months:
            when = "" if day == today else f" when the photo was taken ({long_date(day)})"
            why = (
                f"{who} was {max(months, 0)} month{'s' if months != 1 else ''} old{when}, under "
                f"{guard.min_age_months} months: face matching is not reliable for young children, "
                f"so a person must confirm that {_name(i + 1, face).lower()} is {who} before any public use."
            )
            found.public.append(why)
            found.cautions.setdefault(i, []).append(why)


def _staff_public_findings(i: int, face: FaceMatch, register: Register, guard: Safeguards, found: _Findings) -> None:
    """A face taken for a member of staff drops out of the children's check, so a public use
    needs the same closer likeness as a child's match: a child who is not enrolled could be
    within the normal tolerance of an adult (fail closed both ways, issue 19)."""
    if face.status is not FaceStatus.MATCHED or face.staff_id is None or face.decision is not None:
        return
    if face.distance is None or face.distance <= guard.public_tolerance:
        return
    who = staff_label(register.staff.members.get(face.staff_id), face.staff_id)
    why = (
        f"{_name(i + 1, face)} matched {who} at distance {face.distance:.2f}: close enough to "
        f"count as staff inside the setting, but a public use needs a closer likeness (at most "
        f"{guard.public_tolerance:.2f}), so a person must confirm it is {who} and not a child "
        "before it is posted."
    )
    found.public.append(why)
    found.cautions.setdefault(i, []).append(why)


def _apply(verdict: PhotoVerdict, found: _Findings, public: list[str], notes: list[str]) -> PhotoVerdict:
    purposes = dict(verdict.purposes)
    reasons = list(verdict.reasons)
    twin_changed = False
    for purpose, whys in found.twin.items():
        if purposes.get(purpose) is Use.ALLOWED:
            purposes[purpose] = Use.REVIEW
            twin_changed = True
        reasons.extend(w for w in whys if w not in reasons)
    if found.public:
        changed = [p for p in public if purposes[p] is Use.ALLOWED]
        for p in changed:
            purposes[p] = Use.REVIEW
        if changed:
            reasons.extend(w for w in found.public if w not in reasons)
    if purposes == verdict.purposes and notes == list(verdict.notes) and not found.cautions:
        return verdict
    action = verdict.action
    if action is Action.KEEP and (twin_changed or Use.ALLOWED not in purposes.values()):
        action = Action.REVIEW  # rules 3-5 alone never change the action (the queue stays short)
    journeys = verdict.journeys
    if purposes.get("learning_journey") is not Use.ALLOWED and journeys:
        journeys = ()
        notes = without_notes(notes, NoteKind.JOURNEY)
    faces = tuple(
        replace(f, caution=" ".join(found.cautions[i])) if i in found.cautions else f
        for i, f in enumerate(verdict.faces)
    )
    return replace(
        verdict, action=action, purposes=purposes, journeys=journeys, reasons=tuple(reasons),
        notes=tuple(notes), faces=faces,
    )


def public_review(verdict: PhotoVerdict, public_purposes: frozenset[str] = frozenset(PUBLIC_PURPOSES)) -> bool:
    """A photo kept for uses inside the setting whose public uses need a person first."""
    return verdict.action is Action.KEEP and any(
        use is Use.REVIEW for p, use in verdict.purposes.items() if p in public_purposes
    )
