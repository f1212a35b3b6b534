"""The human review loop: a person says who the faces photoaudit could not identify are.

``photoaudit review`` walks every face of the latest audit that needs a person
(unknown, uncertain, or one child matched twice in a photo), shows its crop
and the nearest children, and records the decision: this is CHILD, an adult,
not a face, or skip. ``--decisions FILE`` does the same from a CSV (columns
photo, face, decision), e.g. filled in from the HTML report. Decisions are kept
in the private store, keyed by the photo's content and the face's box, and every
later audit applies them (:mod:`photoaudit.core.decisions`).

With ``--enrol``, a face confirmed as a child who has face-matching permission
is added to that child's reference photos (``faces/<child>/review-*.jpg``),
and the store records which photo and face it came from.

A face can also be named as a member of staff (their staff id, or ``staff ID``): an
adult with their own consent (:mod:`photoaudit.core.staff_rules`); with ``--enrol`` it is
added to ``staff/<staff_id>/`` when they agreed to face matching.

Unknown faces that look alike come as groups (:mod:`photoaudit.operations.face_groups`): one
question per group, its answer recorded for each face on its own (``u3`` in the decisions CSV).
The prompt takes a name as well as an id (:mod:`photoaudit.core.person_answer`).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import piexif
from PIL import Image

from ..core.decisions import action_from, is_no_children, no_children, parse_decision, stamped
from ..core.errors import CannotRun
from ..core.models import (
    FaceDecision,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoDecision,
    PhotoDecisionKind,
    Register,
    staff_id_of,
    staff_key,
)
from ..core.person_answer import by_name
from ..core.settings import Settings
from ..core.staff_rules import staff_label
from ..core.unknown_groups import is_group_id
from ..core.words import child_label, literal
from ..media.files import make_private_dir, sha256_file
from ..media.imaging import UnreadablePhoto, load_photo
from ..media.sources import shown
from ..setting.references import taken_time
from ..store.database import Store
from ..store.decision_book import AuditFace, AuditPhoto, DecisionBook, ReferenceSource
from .enrolment import MIN_REFERENCE_FACE
from .face_groups import UnknownGroup, current_groups, named_check
from .workflow import load_registers

#: How much of the photo around a face the reviewer sees, as a share of the face's size per side.
CROP_MARGIN = 0.6
#: Longest side of the crop shown to the reviewer.
CROP_SIDE = 480
#: A reference photo made from a reviewed face keeps this much around the face (per side).
REFERENCE_MARGIN = 0.5

#: What the interactive prompt accepts besides a child id.
SHORTCUTS = {"a": "adult", "n": "not a face", "s": "skip", "": "skip"}
#: How many faces of a group the reviewer is shown (crops and names).
GROUP_SHOWN = 4
#: What to type, said again after an answer the prompt could not use.
WHAT_TO_TYPE = "Type a name, a child id, a staff id, a, n, s or q."


@dataclass(frozen=True)
class Answer:
    """What a typed answer means: a decision (None: skip), or what to say before asking again."""

    decision: PersonDecision | None = None
    again: str = ""


def matched_to(face: AuditFace | None) -> str | None:
    """The child or staff id ``y`` confirms for this face, or None when it was matched to nobody."""
    if face is None or face.status is not FaceStatus.MATCHED:
        return None
    return face.child_id or face.staff_id


def offers_yes(item: object) -> bool:
    """Whether the question about ``item`` offers "(y)es as matched": a face matched to someone."""
    return isinstance(item, AuditFace) and matched_to(item) is not None


def interpret(text: str, register: Register, face: AuditFace | None = None) -> Answer:
    """A typed answer as a decision: ``y`` (the person a face was matched to), a, n, s, a child
    or staff id (any case), or a child's or staff member's name (:mod:`photoaudit.core.person_answer`).
    Anything it cannot be sure of comes back with what to say, and is asked again."""
    said = text.strip()
    if said.casefold() in ("y", "yes"):
        confirmed = matched_to(face)
        if confirmed is None:
            return Answer(again="This face was not matched to anyone, so there is nothing to say yes to. "
                          + WHAT_TO_TYPE)
        said = confirmed
    said = SHORTCUTS.get(said.casefold(), said)
    known, known_staff = sorted(register.children), sorted(register.staff.members)
    decision = parse_decision(said, known, known_staff)
    if decision is not None and decision.kind is FaceDecision.CHILD and decision.child_id not in known:
        named = by_name(said, register)
        if named.decision is not None:
            return Answer(named.decision)
        if named.closest:
            return Answer(again=f"{said!r} is not sure enough to name one person. Closest: "
                          + "; ".join(named.closest) + ". Type their id or whole name, or " + WHAT_TO_TYPE[5:])
        return Answer(again=f"There is no child {said!r} in the register, and no child or member of staff "
                      "of that name. " + WHAT_TO_TYPE)
    if decision is not None and decision.kind is FaceDecision.STAFF and decision.staff_id not in known_staff:
        return Answer(again=f"There is no member of staff {decision.staff_id!r} in the staff register. "
                      + WHAT_TO_TYPE)
    return Answer(decision)


class ReviewError(CannotRun):
    """Review cannot go on (no audit yet, a broken decisions file); the message says why."""


def now() -> datetime:
    return datetime.now(UTC)


def audited_faces(book: DecisionBook, folder: Path | None = None) -> list[AuditFace]:
    """The faces of the latest audit of ``folder``, or of every audited folder (None)."""
    folders = book.audited_folders()
    if not folders:
        raise ReviewError("There is no audit to review yet: run photoaudit audit FOLDER first.")
    if folder is not None:
        folder = folder.resolve()
        if folder not in folders:
            raise ReviewError(
                f"{folder} has not been audited yet: run photoaudit audit {folder} first. "
                f"Audited folders: {', '.join(str(f) for f in folders)}."
            )
    return book.folder_faces(folder)


def pending_faces(book: DecisionBook, folder: Path | None = None) -> list[AuditFace]:
    """Every face that still needs a person: of ``folder``'s latest audit, or of every audited folder."""
    return [f for f in audited_faces(book, folder) if f.needs_person]


def pending_groups(book: DecisionBook, folder: Path | None = None) -> list[UnknownGroup]:
    """The groups of unknown faces still undecided, with their faces of ``folder``'s latest
    audit (or of every audited folder), largest first."""
    audited_faces(book, folder)  # says why when there is no such audit
    where = None if folder is None else folder.resolve()
    groups = [UnknownGroup(g.group_id, tuple(f for f in g.faces if where is None or f.folder == where))
              for g in current_groups(book.store)]
    return sorted((g for g in groups if g.faces), key=lambda g: (-g.size, g.group_id))


def latest_photos(book: DecisionBook, folder: Path | None = None) -> list[AuditPhoto]:
    """The photos with no face found of the latest audit: kept for its folder only, so for
    another ``folder`` there are none."""
    last = book.last_audit()
    if last is None or (folder is not None and folder.resolve() != last[0]):
        return []
    return book.last_audit_photos()


def nothing_to_review(book: DecisionBook, folder: Path | None = None) -> str:
    """What to say when no face needs a person, naming the folder(s) meant."""
    folders = [folder.resolve()] if folder is not None else list(book.audited_folders())
    where = ", ".join(str(f) for f in folders)
    return (
        f"Nothing to review: every face of the latest audit of {where} is identified or decided."
        if len(folders) == 1 else
        f"Nothing to review: every face of the latest audits of {len(folders)} folders ({where}) is identified "
        "or decided."
    )


#: What a decision about a whole photo says, in --list and --undo.
PHOTO_DECISION_WORDS = {PhotoDecisionKind.NO_CHILDREN: "no children in this photo"}


def decision_words(photo: str, face: int | None, decision: PersonDecision | None, register: Register) -> str:
    """'Face 2 of tablet-2/IMG_0103.jpg: Ava Patel (c01)', as the review records it.

    ``face`` is None for a decision about a photo no audit now shows (its number unknown).
    """
    return f"{'A face' if face is None else f'Face {face}'} of {photo}: {person_words(decision, register)}"


def person_words(decision: PersonDecision | None, register: Register) -> str:
    """'Ava Patel (c01)', 'an adult', 'not a face' or 'skipped': what a decision says."""
    if decision is None:
        return "skipped"
    if decision.kind is FaceDecision.CHILD:
        child = register.get(decision.child_id or "")
        return child_label(child) if child else str(decision.child_id)
    if decision.kind is FaceDecision.STAFF:
        return staff_label(register.staff.get(decision.staff_id or ""), decision.staff_id or "")
    return "an adult" if decision.kind is FaceDecision.ADULT else "not a face"


def far_from(face: AuditFace, child_id: str, register: Register, tolerance: float) -> str | None:
    """A warning when ``face`` does not look like ``child_id`` to photoaudit, or None.

    Farther than the tolerance from the child's reference photos: a person may still be
    right (a new haircut, a turned head), so it is a question, never a refusal. A child the
    audit did not compare the face with (not enrolled, or not among the nearest) gets none:
    photoaudit cannot say how far they are.
    """
    child = register.get(child_id)
    name = child_label(child) if child else child_id
    distance = next((c.distance for c in face.candidates if c.child_id == child_id and not c.staff), None)
    if distance is not None and distance > tolerance:
        return (
            f"This face is far from {name}'s reference photos (distance {distance:.2f}; photoaudit "
            f"counts a match only at {tolerance:.2f} or less)."
        )
    return None


def pending_photos(book: DecisionBook) -> list[AuditPhoto]:
    """Every photo of the latest audit with no face found whose public uses wait for a person."""
    if book.last_audit() is None:
        raise ReviewError("There is no audit to review yet: run photoaudit audit FOLDER first.")
    return book.last_audit_photos()


def photo_problem(face: AuditFace) -> str | None:
    """Why the audited photo can no longer be shown (moved, deleted, changed), or None."""
    try:
        if face.sha256 is None or sha256_file(face.path) != face.sha256:
            return f"{face.photo} has changed since the audit: run the audit again."
    except OSError:
        return f"{face.photo} is no longer in {face.folder}: it was moved or deleted."
    return None


def crop_face(face: AuditFace, margin: float, max_side: int | None) -> Image.Image:
    """The face with ``margin`` around it, from the upright photo; no metadata."""
    photo = load_photo(face.path)
    height, width = photo.pixels.shape[:2]
    top, right, bottom, left = face.box
    pad_x, pad_y = (right - left) * margin, (bottom - top) * margin
    x0, y0 = max(0, int(left - pad_x)), max(0, int(top - pad_y))
    x1, y1 = min(width, int(right + pad_x)), min(height, int(bottom + pad_y))
    crop = Image.fromarray(photo.pixels[y0:y1, x0:x1])
    if max_side is not None:
        crop.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return crop


def write_private_jpeg(image: Image.Image, path: Path, exif: bytes | None = None) -> Path:
    """Save a JPEG readable by its owner only (it shows a child)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        if exif:
            image.save(handle, "JPEG", quality=92, exif=exif)
        else:
            image.save(handle, "JPEG", quality=92)
    return path


@contextmanager
def crop_folder() -> Iterator[Path]:
    """A private temporary folder for face crops, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="photoaudit-review-"))
    try:
        os.chmod(folder, 0o700)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def describe(face: AuditFace, register: Register) -> list[str]:
    """What the reviewer is told about a face: where it is, and who it might be."""

    def name(child_id: str, staff: bool = False) -> str:
        if staff:
            return staff_label(register.staff.get(child_id), child_id)
        child = register.get(child_id)
        return child_label(child) if child else child_id

    if face.status is FaceStatus.AMBIGUOUS:
        what = "uncertain: " + " or ".join(name(c.child_id, c.staff) for c in face.candidates) + "?"
    elif face.status is FaceStatus.MATCHED and face.staff_id and face.caution:
        what = (f"matched to {name(face.staff_id, True)}; please confirm (type y if it is them): "
                f"{face.caution}")
    elif face.status is FaceStatus.MATCHED and face.staff_id:
        what = f"matched to {name(face.staff_id, True)}, who was matched to another face of this photo too"
    elif face.status is FaceStatus.MATCHED and face.twice:
        what = f"matched to {name(face.child_id or '')}, who was matched to another face of this photo too"
    elif face.status is FaceStatus.MATCHED:
        what = (f"matched to {name(face.child_id or '')}; please confirm (type y if it is them): "
                f"{face.caution}")
    else:  # a face another face of the photo was clearly closer to someone says so (one_face_each)
        what = f"unknown: {face.caution}" if face.caution else "unknown"
    lines = [f"{face.photo}, face {face.face}: {what}"]
    if face.candidates:
        lines.append("Nearest children and staff (a smaller distance is a closer likeness):")
        lines += [f"  {c.child_id:<12} {name(c.child_id, c.staff)}  distance {c.distance:.2f}" for c in face.candidates]
    else:
        lines.append("No enrolled child is close (or the face is too small to compare).")
    return lines


@dataclass
class Outcome:
    """What a review did, to tell the person."""

    decided: list[tuple[AuditFace, PersonDecision]] = field(default_factory=list)
    skipped: list[AuditFace | AuditPhoto] = field(default_factory=list)
    decided_photos: list[tuple[AuditPhoto, PhotoDecision]] = field(default_factory=list)
    enrolled: list[str] = field(default_factory=list)  # reference files added
    messages: list[str] = field(default_factory=list)


@dataclass
class Reviewer:
    """Records decisions about faces of the latest audit, and optionally enrols them."""

    book: DecisionBook
    register: Register
    faces_dir: Path
    by: str
    enrol: bool = False
    outcome: Outcome = field(default_factory=Outcome)
    staff_dir: Path | None = None  # staff/ (reference photos of staff), for --enrol
    tolerance: float = 0.5  # the matching tolerance: a child farther than this gets a warning

    def decide(self, face: AuditFace, decision: PersonDecision | None) -> None:
        """Record one decision (None: skip)."""
        if decision is None:
            self.outcome.skipped.append(face)
            return
        if face.sha256 is None:
            self.outcome.messages.append(f"{face.photo} could not be read at the audit: nothing recorded.")
            return
        decision = stamped(decision, self.by, now())
        self.book.record_decision(face.sha256, face.box, decision, face.photo)
        self.outcome.decided.append((face, decision))
        if self.enrol and decision.kind is FaceDecision.CHILD:
            self.outcome.messages.append(self.add_reference(face, decision))
        if self.enrol and decision.kind is FaceDecision.STAFF:
            self.outcome.messages.append(self.add_staff_reference(face, decision))

    def decide_group(self, group: UnknownGroup, decision: PersonDecision | None) -> list[AuditFace]:
        """Record one decision for every face of ``group``, each face on its own (each can be
        taken back alone). A child or member of staff is first checked against their
        reference photos: the faces too far from them are left out and returned, to be asked
        about on their own."""
        faces: list[AuditFace] = list(group.faces)
        left_out: list[AuditFace] = []
        if decision is not None and decision.kind in (FaceDecision.CHILD, FaceDecision.STAFF):
            key = decision.child_id if decision.kind is FaceDecision.CHILD else staff_key(decision.staff_id or "")
            faces, left_out, compared = named_check(self.book.store, group, key or "")
            who = person_words(decision, self.register)
            if left_out:
                self.outcome.messages.append(
                    f"Group {group.group_id}: {len(left_out)} face(s) left out, too far from {who}'s reference "
                    "photos (or too small to compare); each is its own question: "
                    + ", ".join(f"{f.photo} face {f.face}" for f in left_out) + ".")
            elif not compared:
                self.outcome.messages.append(
                    f"Group {group.group_id}: {who} has no reference photos to compare with, so the decision "
                    "rests on the person who made it.")
        for face in faces:
            self.decide(face, decision)
            if decision is not None and face.sha256 is not None:
                self.outcome.messages.append(decision_words(face.photo, face.face, decision, self.register))
        return left_out

    def add_staff_reference(self, face: AuditFace, decision: PersonDecision) -> str:
        """Add a confirmed face to a member of staff's reference photos, if they agreed."""
        member = self.register.staff.get(decision.staff_id)
        if member is None or self.staff_dir is None:
            return f"Not enrolled: {decision.staff_id} is not in the staff register."
        if not member.face_matching or member.has_left:
            why = "has left" if member.has_left else "has not agreed to face matching"
            return f"Not enrolled: {staff_label(member, member.staff_id)} {why}, so their face is never learned."
        return self.save_reference(face, decision, self.staff_dir, member.staff_id,
                                   staff_key(member.staff_id), staff_label(member, member.staff_id))

    def decide_photo(self, photo: AuditPhoto, decision: PhotoDecision | None) -> None:
        """Record "no children in this photo" (None: skip)."""
        if decision is None:
            self.outcome.skipped.append(photo)
            return
        if photo.sha256 is None:
            self.outcome.messages.append(f"{photo.photo} could not be read at the audit: nothing recorded.")
            return
        decision = no_children(self.by, now())
        self.book.record_photo_decision(photo.sha256, decision, photo.photo)
        self.outcome.decided_photos.append((photo, decision))

    def add_reference(self, face: AuditFace, decision: PersonDecision) -> str:
        """Add a confirmed face to the child's reference photos, if the child may be enrolled."""
        child = self.register.get(decision.child_id)
        if child is None:
            return f"Not enrolled: {decision.child_id} is not in the register."
        if not child.face_matching or child.has_left:
            why = "has left" if child.has_left else "has no face-matching permission"
            return f"Not enrolled: {child_label(child)} {why}, so their face is never learned."
        return self.save_reference(face, decision, self.faces_dir, child.child_id, child.child_id,
                                   child_label(child))

    def save_reference(self, face: AuditFace, decision: PersonDecision, faces_dir: Path,
                       folder_name: str, key: str, label: str) -> str:
        """Crop the face into ``faces_dir/folder_name/`` and record where it came from."""
        width = face.box[1] - face.box[3]
        if width < MIN_REFERENCE_FACE:
            return (
                f"Not enrolled: the face is too small to learn from ({width} px wide; at least "
                f"{MIN_REFERENCE_FACE} px needed)."
            )
        problem = photo_problem(face)
        if problem:
            return f"Not enrolled: {problem}"
        try:
            crop = crop_face(face, REFERENCE_MARGIN, None)
        except UnreadablePhoto as err:
            return f"Not enrolled: {err.reason}"
        taken = taken_time(face.path)
        exif = piexif.dump({"Exif": {piexif.ExifIFD.DateTimeOriginal: taken.strftime("%Y:%m:%d %H:%M:%S").encode()}})
        folder = make_private_dir(faces_dir / folder_name)
        name = f"review-{face.sha256[:12]}-face{face.face}.jpg"  # type: ignore[index]
        write_private_jpeg(crop, folder / name, exif)
        reference = f"{folder_name}/{name}"
        self.book.record_source(
            ReferenceSource(reference, key, face.photo, face.sha256 or "", face.face, face.box,
                            taken.isoformat(timespec="seconds"), decision.by, decision.at)
        )
        self.outcome.enrolled.append(reference)
        return f"Added {faces_dir.name}/{reference} to {label}'s reference photos."


def review_interactively(
    reviewer: Reviewer,
    faces: list[AuditFace],
    ask: Callable[[AuditFace | AuditPhoto | UnknownGroup, Path | None, list[str]], str],
    say: Callable[[str], None],
    show: Callable[[Path], None] | None = None,
    photos: list[AuditPhoto] | None = None,
    confirm: Callable[[str], bool] | None = None,
    groups: list[UnknownGroup] | None = None,
) -> Outcome:
    """Walk ``groups`` of two faces or more, then the other ``faces``, then ``photos``; ``ask``
    gets the group (or face, or photo), a picture and what to tell, and returns the answer.

    Answers (:func:`interpret`): a child's or staff member's name or id, ``y`` (yes: the
    person a face was matched to; only for a matched face), ``adult`` (a), ``not a face`` (n),
    ``skip`` (s or nothing), ``quit`` (q). What it cannot be sure of is asked again, with the
    closest names. A group's answer is recorded for each of its faces
    (:meth:`Reviewer.decide_group`); faces too far from the child named are asked about on
    their own. For a photo with no face found: ``n`` (no children in this photo), ``s`` or
    ``q``. A child a face is far from (:func:`far_from`) is recorded only when ``confirm``
    says yes (without ``confirm``, after the warning). Each decision is said back.
    """
    with crop_folder() as folder:
        several = [g for g in groups or [] if g.size > 1]
        keys = {(f.folder, f.photo, f.face) for g in several for f in g.faces}
        asked_alone = [f for f in faces if (f.folder, f.photo, f.face) not in keys]
        for number, group in enumerate(several, start=1):
            answer = ask_group(reviewer, group, f"{number}/{len(several)}", ask, say, show, folder)
            if answer is QUIT:
                return reviewer.outcome
            left_out = reviewer.decide_group(group, answer)  # type: ignore[arg-type]
            for message in reviewer.outcome.messages:
                say(message)
            reviewer.outcome.messages.clear()
            asked_alone += left_out
        if review_faces(reviewer, asked_alone, ask, say, show, folder, confirm) is QUIT:
            return reviewer.outcome
        review_photos(reviewer, photos or [], ask, say, show, folder)
    return reviewer.outcome


#: What ``ask_group`` and ``review_faces`` return when the person typed q.
QUIT = object()


def ask_group(reviewer: Reviewer, group: UnknownGroup, place: str, ask, say, show, folder: Path) -> object:  # noqa: ANN001
    """Ask once who a group's faces are, showing a few of them: the decision, None (skip) or QUIT."""
    crops: list[Path] = []
    for face in group.faces[:GROUP_SHOWN]:
        crop = folder / f"group-{group.group_id}-{len(crops) + 1}.jpg"
        try:
            if photo_problem(face) is None:
                crops.append(write_private_jpeg(crop_face(face, CROP_MARGIN, CROP_SIDE), crop))
        except UnreadablePhoto:
            continue
    for crop in crops if show is not None else []:
        show(crop)
    named = [f"{f.photo} face {f.face}" for f in group.faces[:GROUP_SHOWN]]
    more = f" and {group.size - GROUP_SHOWN} more" if group.size > GROUP_SHOWN else ""
    lines = [f"[group {group.group_id}, {place}] These {group.size} faces look like the same person: who is it?",
             "Your answer is recorded for each face (each one can be taken back on its own with --undo).",
             f"Faces: {', '.join(named)}{more}.",
             *(f"Face crop: {c}" for c in crops)]
    try:
        while True:
            text = ask(group, crops[0] if crops else None, lines).strip()
            if text.casefold() in ("q", "quit"):
                return QUIT
            answer = interpret(text, reviewer.register)
            if not answer.again:
                return answer.decision
            say(answer.again)
    finally:
        for crop in crops:
            crop.unlink(missing_ok=True)


def review_faces(reviewer: Reviewer, faces: list[AuditFace], ask, say, show, folder: Path,  # noqa: ANN001
                 confirm: Callable[[str], bool] | None) -> object:
    """Ask about each face on its own; QUIT when the person typed q."""
    for number, face in enumerate(faces, start=1):
        problem = photo_problem(face)
        if problem:
            say(f"Skipped {face.photo}, face {face.face}: {problem}")
            reviewer.outcome.skipped.append(face)
            continue
        crop_path = folder / f"face-{number}.jpg"
        try:
            write_private_jpeg(crop_face(face, CROP_MARGIN, CROP_SIDE), crop_path)
        except UnreadablePhoto as err:
            say(f"Skipped {face.photo}, face {face.face}: {err.reason}")
            reviewer.outcome.skipped.append(face)
            continue
        if show is not None:
            show(crop_path)
        where = f" in {face.folder}" if len({f.folder for f in faces}) > 1 else ""
        lines = [f"[{number}/{len(faces)}]{where}", *describe(face, reviewer.register)]
        while True:
            text = ask(face, crop_path, lines).strip()
            if text.casefold() in ("q", "quit"):
                return QUIT
            answer = interpret(text, reviewer.register, face)
            if answer.again:
                say(answer.again)
                continue
            decision = answer.decision
            if decision is not None and decision.kind is FaceDecision.CHILD:
                warning = far_from(face, decision.child_id or "", reviewer.register, reviewer.tolerance)
                if warning:
                    say(warning)
                    if confirm is not None and not confirm(f"Is this really {decision.child_id}?"):
                        continue
            break
        reviewer.decide(face, decision)
        if face.sha256 is not None:
            say(decision_words(face.photo, face.face, decision, reviewer.register))
        crop_path.unlink(missing_ok=True)
    return None


def review_photos(
    reviewer: Reviewer, photos: list[AuditPhoto], ask, say, show, folder: Path  # noqa: ANN001
) -> None:
    """Ask about each photo with no face found: n records "no children in this photo"."""
    for number, photo in enumerate(photos, start=1):
        picture: Path | None = None
        try:
            if photo.sha256 is None or sha256_file(photo.path) != photo.sha256:
                say(f"Skipped {photo.photo}: it has changed since the audit: run the audit again.")
                reviewer.outcome.skipped.append(photo)
                continue
        except OSError:
            say(f"Skipped {photo.photo}: it is no longer in {photo.folder}.")
            reviewer.outcome.skipped.append(photo)
            continue
        try:
            image = Image.fromarray(load_photo(photo.path).pixels)
            image.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
            picture = write_private_jpeg(image, folder / f"photo-{number}.jpg")
        except UnreadablePhoto:  # a video: the person opens the file itself
            picture = None
        if show is not None and picture is not None:
            show(picture)
        lines = [f"[photo {number}/{len(photos)}]", f"{photo.photo}: no face found. {photo.why}",
                 f"Look at the whole {'photo' if picture else 'file'}: {picture or photo.path}"]
        while True:
            answer = ask(photo, picture, lines).strip().casefold()
            if answer in ("q", "quit"):
                return
            if answer in ("n", "") or is_no_children(answer) or answer in ("s", "skip"):
                break
            say("Type n (no children in this photo), s (skip) or q (quit).")
        reviewer.decide_photo(photo, no_children() if answer == "n" or is_no_children(answer) else None)
        if picture is not None:
            picture.unlink(missing_ok=True)


def drop_rejected(
    book: DecisionBook, faces_dir: Path, rejected: list[str], staff_dir: Path | None = None
) -> None:
    """Remove reference photos added from a review that enrolment did not accept.

    Keeping them would only repeat the rejection at every enrolment; the decision
    itself stays recorded. A staff member's (its source names ``staff:ID``) is in ``staff_dir``.
    """
    sources = book.sources()
    for reference in rejected:
        source = sources.get(reference)
        staff = source is not None and staff_id_of(source.child_id) is not None
        folder = staff_dir if staff and staff_dir is not None else faces_dir
        (folder / Path(reference)).unlink(missing_ok=True)
        book.forget_source(reference)


# -- the decisions CSV ------------------------------------------------------------
DECISION_COLUMNS = ("photo", "face", "decision")


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_decisions(
    path: Path, faces: list[AuditFace], register: Register, photos: list[AuditPhoto] | None = None,
    groups: list[UnknownGroup] | None = None,
) -> list[tuple[AuditFace, PersonDecision | None] | tuple[AuditPhoto, PhotoDecision]
          | tuple[UnknownGroup, PersonDecision | None]]:
    """Every row of a decisions CSV, matched to the latest audit's faces (and photos, and
    groups of unknown faces).

    A group id (``u3``) stands where a photo and face stand: in a ``group`` column, or in the
    photo column with the face left blank (``u3,,adult``); a file of ``group,decision`` rows
    is read too. The decision is for every face of the group.

    A row whose decision is ``no children`` and whose face is blank (or 0) is about a
    whole photo in which no face was found (``photos``): no child is in it.
    All or nothing: every problem (unknown photo or face, unknown child, a face
    decided twice) is collected, and :class:`ReviewError` lists them all.
    """
    try:
        text = read_text(path)
    except OSError as err:
        raise ReviewError(f"Cannot read {path}: {err.strerror or err}.") from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header_index = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise ReviewError(f"{path} is empty: it needs a header row photo, face, decision.")
    header = [c.strip().casefold() for c in rows[header_index]]
    missing = [c for c in DECISION_COLUMNS if c not in header]
    if missing and ("group" not in header or "decision" not in header):
        raise ReviewError(
            f"{path} has no column {', '.join(missing)}: the first row must name the columns "
            "photo, face and decision (or group and decision)."
        )
    col = {c: header.index(c) for c in (*DECISION_COLUMNS, "group") if c in header}
    by_group = {g.group_id.casefold(): g for g in groups or []}
    by_key = {(f.photo, f.face): f for f in faces}
    folders_of: dict[str, set[Path]] = {}
    for f in faces:
        folders_of.setdefault(f.photo, set()).add(f.folder)
    faceless = {p.photo: p for p in photos or []}
    # a photo as the reports print it (odd bytes and control characters escaped: a\x1b.jpg) is
    # that photo; its backslashes are read as folder separators, as in every photo cell
    names = [*(f.photo for f in faces), *faceless]
    by_name = {printed.replace("\\", "/").casefold(): name for name in names
               for printed in (literal(shown(name)), literal(shown(name), keep_lines=True))}
    by_name.update({name.casefold(): name for name in names})  # a name as it is comes first
    known = sorted(register.children)
    known_staff = sorted(register.staff.members)
    problems: list[str] = []
    found: list[tuple[AuditFace, PersonDecision | None] | tuple[AuditPhoto, PhotoDecision]
                | tuple[UnknownGroup, PersonDecision | None]] = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(c.strip() for c in row):
            continue
        cell = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
        cell = {"photo": "", "face": "", "group": "", **cell}
        group_id = cell["group"] or (cell["photo"] if is_group_id(cell["photo"]) and not cell["face"]
                                     and cell["photo"].casefold() not in by_name else "")
        if group_id:
            group = by_group.get(group_id.casefold())
            decision = parse_decision(SHORTCUTS.get(cell["decision"].casefold(), cell["decision"]), known, known_staff)
            if group is None:
                problems.append(f"line {line}: there is no group {group_id!r} of unknown faces in the latest audits "
                                "(the JSON report's people_to_identify and the HTML report list them).")
            elif is_no_children(cell["decision"]) or (decision is not None and (
                    (decision.kind is FaceDecision.CHILD and decision.child_id not in known)
                    or (decision.kind is FaceDecision.STAFF and decision.staff_id not in known_staff))):
                problems.append(f"line {line}: {cell['decision']!r} is not a child id in the register, nor a "
                                "staff id, adult, not a face or skip.")
            elif (group.group_id, 0) in seen:
                problems.append(f"line {line}: group {group.group_id} is already decided on line "
                                f"{seen[(group.group_id, 0)]}.")
            else:
                seen[(group.group_id, 0)] = line
                found.append((group, decision))  # type: ignore[arg-type]
            continue
        photo = cell["photo"].replace("\\", "/").lstrip("'")  # a leading ' is the CSV's formula guard
        photo = by_name.get(photo.casefold(), photo)
        if is_no_children(cell["decision"]):
            if cell["face"] not in ("", "0"):
                problems.append(f"line {line}: \"no children\" is about the whole photo: leave face blank.")
            elif photo not in faceless:
                problems.append(
                    f"line {line}: the photo {photo!r} is not one of the latest audit's photos with no "
                    "face found (\"no children\" is only for those)."
                )
            elif (photo, 0) in seen:
                problems.append(f"line {line}: {photo} is already decided on line {seen[(photo, 0)]}.")
            else:
                seen[(photo, 0)] = line
                found.append((faceless[photo], no_children()))
            continue
        try:
            number = int(cell["face"])
        except ValueError:
            problems.append(f"line {line}: face {cell['face']!r} is not a face number (1, 2, ...).")
            continue
        face = by_key.get((photo, number))
        if len(folders_of.get(photo, ())) > 1:
            where = ", ".join(sorted(str(f) for f in folders_of[photo]))
            problems.append(
                f"line {line}: the photo {photo!r} is in more than one audited folder ({where}): "
                "name the folder, as in photoaudit review FOLDER --decisions FILE."
            )
            continue
        if face is None:
            where = "is not in the latest audit" if photo not in by_name.values() else f"has no face {number}"
            problems.append(f"line {line}: the photo {photo!r} {where}.")
            continue
        decision = parse_decision(cell["decision"], known, known_staff)
        if decision is not None and decision.kind is FaceDecision.CHILD and decision.child_id not in known:
            problems.append(
                f"line {line}: {cell['decision']!r} is not a child id in the register, nor a staff "
                "id, adult, not a face or skip."
            )
            continue
        if decision is not None and decision.kind is FaceDecision.STAFF and decision.staff_id not in known_staff:
            problems.append(f"line {line}: {decision.staff_id!r} is not a staff id in the staff register.")
            continue
        if (photo, number) in seen:
            problems.append(f"line {line}: {photo} face {number} is already decided on line {seen[(photo, number)]}.")
            continue
        seen[(photo, number)] = line
        found.append((face, decision))
    if problems:
        raise ReviewError(
            f"{path} has {len(problems)} problem(s); nothing was recorded:\n  " + "\n  ".join(problems)
        )
    return found


def review_from_csv(
    reviewer: Reviewer, path: Path, faces: list[AuditFace], photos: list[AuditPhoto] | None = None,
    groups: list[UnknownGroup] | None = None,
) -> Outcome:
    """Record every decision in a decisions CSV (all or nothing), saying each one back.

    A group's row is recorded for each of its faces (:meth:`Reviewer.decide_group`: the faces
    too far from the child named are left out, and said); a face's own row wins over its group's.

    A child the face is far from (:func:`far_from`) is recorded (the file is what a person
    decided) with the warning.
    """
    rows = read_decisions(path, faces, reviewer.register, photos, groups)
    by_face = {(f.folder, f.photo, f.face) for item, _ in rows if isinstance(item, AuditFace) for f in [item]}
    for item, decision in rows:
        if isinstance(item, UnknownGroup):  # a face of it with a row of its own is decided by that row
            rest = tuple(f for f in item.faces if (f.folder, f.photo, f.face) not in by_face)
            reviewer.decide_group(UnknownGroup(item.group_id, rest), decision)  # type: ignore[arg-type]
    for item, decision in rows:
        if isinstance(item, UnknownGroup):
            continue
        if isinstance(item, AuditPhoto):
            assert isinstance(decision, PhotoDecision)  # read_decisions pairs a photo with its decision
            reviewer.decide_photo(item, decision)
            continue
        assert not isinstance(decision, PhotoDecision)  # and a face with a decision about a face
        face = item
        if decision is not None and decision.kind is FaceDecision.CHILD:
            warning = far_from(face, decision.child_id or "", reviewer.register, reviewer.tolerance)
            if warning:
                reviewer.outcome.messages.append(f"Check face {face.face} of {face.photo}: {warning}")
        reviewer.decide(face, decision)
        if decision is not None and face.sha256 is not None:
            reviewer.outcome.messages.append(decision_words(face.photo, face.face, decision, reviewer.register))
    return reviewer.outcome


@contextmanager
def decision_book(settings: Settings) -> Iterator[DecisionBook]:
    """The decision tables of the setting's private store."""
    if not settings.register_path.is_file():
        raise ReviewError(
            f"No consent register found at {settings.register_path}: use --data with the setting's folder."
        )
    with Store(settings.state_path) as store:
        yield DecisionBook(store)


@contextmanager
def reviewing(settings: Settings, by: str, enrol: bool) -> Iterator[Reviewer]:
    """A reviewer for the setting: its register, store and reference photo folder."""
    with decision_book(settings) as book:
        register = load_registers(settings)
        yield Reviewer(book, register, settings.faces_dir, by, enrol, staff_dir=settings.staff_dir,
                       tolerance=settings.match.tolerance)


# -- overrides --------------------------------------------------------------------
def find_photo(book: DecisionBook, text: str, folder: Path | None = None) -> tuple[Path, str]:
    """The photo a person named: a file path, or a path as an audit's reports show it.

    A report path is looked for in ``folder``, or in every audited folder; a name found in
    more than one of them must be given with its folder.
    """
    folders = [folder.resolve()] if folder is not None else list(book.audited_folders())
    given = Path(text)
    if given.is_file():
        for audited in folders:
            try:
                return given, given.resolve().relative_to(audited).as_posix()
            except ValueError:
                pass
        return given, str(given)
    relative = text.replace("\\", "/")
    found = [audited for audited in folders if (audited / Path(relative)).is_file()]
    if len(found) > 1:
        raise ReviewError(
            f"{relative} is in more than one audited folder ({', '.join(str(f) for f in found)}): "
            "say which with --folder."
        )
    if found:
        return found[0] / Path(relative), relative
    raise ReviewError(f"There is no photo {text!r} (as a file, or in an audited folder).")


# -- listing and taking back decisions ---------------------------------------------
def list_decisions(book: DecisionBook, register: Register, folder: Path | None = None) -> list[str]:
    """One line per recorded face decision (of ``folder``'s photos, or all), oldest first."""
    faces = {(f.sha256, f.box): f for f in book.folder_faces(folder.resolve() if folder else None)}
    lines = []
    for sha, box, decision, photo in book.decision_rows():
        face = faces.get((sha, box))
        if folder is not None and face is None:
            continue
        where = f"{face.folder}: " if face is not None and folder is None else ""
        named = decision_words(photo, None, decision, register) if face is None else (
            decision_words(face.photo, face.face, decision, register))
        lines.append(f"{where}{named} (by {decision.by or 'someone'}, {decision.at})")
    shown = None if folder is None else {s.sha256 for s in book.store.locations(str(folder.resolve())).values()}
    for sha, photo_decision, photo in book.photo_decision_rows():
        if shown is None or sha in shown:
            lines.append(f"{photo}: {PHOTO_DECISION_WORDS[photo_decision.kind]} "
                         f"(by {photo_decision.by or 'someone'}, {photo_decision.at})")
    return lines


def undo_decisions(
    book: DecisionBook, photo: str, face_number: int | None, folder: Path | None, register: Register
) -> list[str]:
    """Take back the decisions about a photo's faces (or one face); returns what to say."""
    relative = photo.replace("\\", "/")
    faces = [f for f in book.folder_faces(folder.resolve() if folder else None)
             if f.photo == relative or (Path(photo).is_file() and f.path.resolve() == Path(photo).resolve())]
    if face_number is not None:
        faces = [f for f in faces if f.face == face_number]
    decided = {(sha, box): decision for sha, box, decision, _ in book.decision_rows()}
    said = []
    for face in faces:
        decision = None if face.sha256 is None else decided.get((face.sha256, face.box))
        if decision is not None and book.remove_decision(face.sha256 or "", face.box):
            said.append(f"Took back: {decision_words(face.photo, face.face, decision, register)}. "
                        "The next review asks about it again.")
    if not said and face_number is None:  # a photo no audit shows now: by the name it was decided under
        for sha, box, decision, named in book.decision_rows():
            if named == relative and book.remove_decision(sha, box):
                said.append(f"Took back: {decision_words(named, None, decision, register)}.")
    if face_number is None:  # a decision about the whole photo ("no children")
        content = {f.sha256 for f in faces} | ({sha256_file(Path(photo))} if Path(photo).is_file() else set())
        for sha, photo_decision, named in book.photo_decision_rows():
            if (named == relative or sha in content) and book.remove_photo_decision(sha):
                said.append(f"Took back: {named}: {PHOTO_DECISION_WORDS[photo_decision.kind]}. "
                            "The next audit asks a person about it again.")
    if not said:
        which = f"face {face_number} of {relative}" if face_number is not None else relative
        raise ReviewError(f"No decision is recorded about {which} (photoaudit review --list shows them).")
    return said


def record_override(book: DecisionBook, photo: Path, label: str, override: Override) -> str:
    """Store an override for this photo's content; returns its content hash."""
    if not override.reason.strip():
        raise ReviewError("An override needs a reason (--reason \"...\"): it is shown in every report.")
    try:
        sha = sha256_file(photo)
    except OSError as err:
        raise ReviewError(f"Cannot read {photo}: {err.strerror or err}.") from None
    book.set_override(sha, override, label)
    return sha


@dataclass(frozen=True)
class OverrideDone:
    """What ``photoaudit override`` did to a photo (shown by its ``label``): the override it
    recorded, or, for ``--remove``, none, and whether one was there to remove."""

    label: str
    override: Override | None
    removed: bool = False


def override(settings: Settings, photo: str, folder: Path | None, action: str | None, reason: str,
             who: str, remove: bool = False) -> OverrideDone:
    """Force the action (``keep``, ``delete``, ``review``) of the photo a person named, with a
    reason, or remove its override; every audit from now on shows it."""
    with decision_book(settings) as book:
        path, label = find_photo(book, photo, folder)
        if remove:
            return OverrideDone(label, None, book.remove_override(sha256_file(path)))
        if action is None:
            raise CannotRun("Say which action with --action keep, --action delete or --action review.")
        forced = Override(action_from(action), reason.strip(), who, now().isoformat(timespec="seconds"))
        record_override(book, path, label, forced)
        return OverrideDone(label, forced)
