"""Enrolment: learn registered children's faces from their reference photos.

Only attending children whose parents agreed to face matching are ever
enrolled. A child who left, whose face matching was withdrawn, or who was erased on
request has their stored templates erased at the next enrolment, as the one rule in
:mod:`photoaudit.core.erasure_rule` says; a child the register no longer lists is kept
(not matched, and said by every audit), never erased for that.
Each reference photo is checked (exactly one face, large and sharp enough, and
like the child's other reference photos) and a rejected photo says why.

Staff are enrolled the same way, from ``staff/<staff_id>/``, only while working and with
their own ``face_matching`` = yes; their templates are kept under ``staff:<staff_id>``
(:func:`photoaudit.core.models.staff_key`) and erased like a child's when they leave.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from ..core.matching import pairwise_distances
from ..core.models import Register, folder_of, staff_id_of, staff_key
from ..core.reference_rule import RefProblem, confirmation_applies, rule_references
from ..core.settings import DEFAULT_TOLERANCE
from ..faces.engine import FaceEngine
from ..media.files import sha256_file
from ..media.imaging import PHOTO_SUFFIXES, UnreadablePhoto, load_photo
from ..setting.references import RefPhoto, reference_warnings, taken_time, young_children
from ..setting.register_checks import (
    MOST_SAID,
    at_most,
    folder_warnings,
    list_faces_dir,
    missing_folder_hint,
    register_warnings,
    unused_folders,
)
from ..store.database import Reference, Store
from ..store.erasure import Erasure, erase_as_ruled

#: The store's record of the reference photos the last enrolment rejected, and why.
REJECTED_KEY = "enrolment-rejected"

#: A reference face must be at least this wide (pixels) to give a reliable template.
MIN_REFERENCE_FACE = 80
#: Below this sharpness (variance of the Laplacian of the face at 150 px) a face is too blurred.
MIN_SHARPNESS = 15.0
#: A reference photo farther than this from the child's other references is rejected as
#: probably someone else (misfiled photo).
MAX_SELF_DISTANCE = 0.55


@dataclass
class EnrolmentReport:
    """What an enrolment did, for the person running it."""

    enrolled: dict[str, int] = field(default_factory=dict)  # child id -> usable templates
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # child id, photo, why
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for information (the closest pair of children)
    erased: list[str] = field(default_factory=list)  # child ids whose templates were erased
    erasures: list[Erasure] = field(default_factory=list)  # what was erased for each of them
    changed: bool = False
    examine_again: int = 0  # photos where an erased face was, examined again (someone was enrolled again)
    #: store keys whose reference photos disagree with nothing to settle it: a person can (enrol --confirm)
    conflicts: list[str] = field(default_factory=list)
    stale_confirmations: list[str] = field(default_factory=list)  # a person's check no longer applies


def eligible_children(register: Register) -> list[str]:
    """Children who may be enrolled: attending, with face-matching permission."""
    return sorted(
        c.child_id for c in register.children.values() if c.face_matching and not c.has_left
    )


def eligible_staff(register: Register) -> list[str]:
    """Staff who may be enrolled: working, with their own face-matching agreement (store keys)."""
    return sorted(
        staff_key(m.staff_id) for m in register.staff.members.values() if m.face_matching and not m.has_left
    )


def reference_photos(faces_dir: Path, child_id: str) -> list[Path]:
    folder = faces_dir / child_id
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in PHOTO_SUFFIXES
    )


def inputs_fingerprint(
    register: Register, faces_dir: Path, engine_id: str, staff_dir: Path | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str:
    """Changes whenever enrolment would: the eligible children and staff, their photos, the engine
    (and the tolerance, which decides which photos are unlike or too alike)."""
    digest = hashlib.sha256(engine_id.encode())
    if tolerance != DEFAULT_TOLERANCE:
        digest.update(f"\0tolerance={tolerance}".encode())
    people = [(c, faces_dir, c) for c in eligible_children(register)]
    if staff_dir is not None:
        people += [(k, staff_dir, staff_id_of(k) or k) for k in eligible_staff(register)]
    for key, folder, name in people:
        digest.update(f"\0{key}".encode())
        for photo in reference_photos(folder, name):
            stat = photo.stat()
            digest.update(f"\0{photo.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def sharpness(pixels: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Variance of the Laplacian of the face, resized to 150 px: low means blurred."""
    from PIL import Image

    top, right, bottom, left = box
    face = Image.fromarray(pixels[top:bottom, left:right]).convert("L").resize((150, 150))
    grey = np.asarray(face, dtype=np.float64)
    lap = (
        -4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:]
    )
    return float(lap.var())


def check_reference(engine: FaceEngine, path: Path) -> tuple[np.ndarray | None, str | None]:
    """The template of a reference photo, or why it cannot be used."""
    try:
        photo = load_photo(path)
    except UnreadablePhoto as err:
        return None, err.reason
    faces = engine.find_faces(photo.pixels)
    if not faces:
        return None, "no face found: use a clear, front-on photo of the child"
    if len(faces) > 1:
        return None, f"{len(faces)} faces found: a reference photo must show only this child"
    face = faces[0]
    top, right, bottom, left = face.box
    width = right - left
    if width < MIN_REFERENCE_FACE or face.template is None:
        return None, f"the face is too small ({width} px wide; at least {MIN_REFERENCE_FACE} px needed)"
    if sharpness(photo.pixels, face.box) < MIN_SHARPNESS:
        return None, "the face is too blurred: use a sharper photo"
    return face.template, None


def enrol(
    register: Register,
    faces_dir: Path,
    store: Store,
    engine: FaceEngine,
    progress: Callable[[str], None] | None = None,
    staff_dir: Path | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    today: date | None = None,
) -> EnrolmentReport:
    """Bring the stored templates in line with the register and reference photos.

    With ``staff_dir``, staff in ``register.staff`` are enrolled too (from
    ``staff_dir/<staff_id>/``); without it, any stored staff templates are erased.
    ``tolerance`` is the matching tolerance: two reference photos of one child farther
    apart than it, or of two children closer than it, are reported (docs/rules.md).
    """
    engine_id = engine.settings.fingerprint()
    report = EnrolmentReport()
    keep: set[tuple[str, str, str]] = set()
    forgotten = store.forgotten()
    eligible = set(eligible_children(register)) - set(forgotten)
    had_templates = set(store.enrolled_templates(engine_id))

    for child_id in sorted(eligible):
        photos = reference_photos(faces_dir, child_id)
        if photos:  # a child without photos is said by setting_warnings
            learn(store, engine, child_id, child_id, photos, report, keep, progress, tolerance)

    if staff_dir is not None:
        eligible |= enrol_staff(register, staff_dir, store, engine, report, keep, forgotten, progress)

    # Left, face matching withdrawn, or erased on request: erase their templates and every stored
    # face that was them, as the one rule says (photoaudit.core.erasure_rule); someone the register
    # no longer lists is kept, and every audit says so. A leaver's photos are recorded first.
    report.erasures = erase_as_ruled(store, register, vacuum=False)
    if report.erasures:
        store.vacuum()
    stale = store.keep_only_references(keep, among=eligible)  # reference photos gone or rejected
    report.erased = sorted(e.child_id for e in report.erasures)
    report.changed = report.changed or bool(stale) or bool(report.erasures)
    # Someone enrolled who had no templates (enrolled again, say): the photos in which an erased
    # face was are examined again, so a face that is theirs gets its template back.
    newly = {key for key, count in report.enrolled.items() if count} - had_templates
    if newly:
        report.examine_again = store.forget_examinations(set(store.erased_faces()))
        if report.examine_again:
            report.notes.append(
                f"{report.examine_again} photo(s) in which a face was erased will be looked at again by the next "
                "audit, so that a child enrolled again is recognised in them."
            )
    # the rejected photos hold for as long as the enrolment's inputs do (inputs_fingerprint)
    store.set_meta(REJECTED_KEY, json.dumps([list(r) for r in report.rejected], ensure_ascii=False))
    warnings, notes = standing_warnings(register, faces_dir, staff_dir, store, engine_id, tolerance,
                                        today or date.today())
    report.warnings.extend(warnings)
    report.notes.extend(notes)
    return report


def rejected_words(rejected: list[tuple[str, str, str]]) -> list[str]:
    """Each rejected reference photo (child or staff key, "c01/x.jpg", why) as a warning line."""
    return [f"Rejected reference photo {folder_of(key)}/{photo}: {why}."
            for key, photo, why in rejected]


def stored_rejected(store: Store) -> list[tuple[str, str, str]]:
    """The reference photos the last enrolment rejected (they hold while its inputs do)."""
    try:
        found = json.loads(store.get_meta(REJECTED_KEY) or "[]")
    except ValueError:
        return []
    return [(str(a), str(b), str(c)) for a, b, c in (r for r in found if isinstance(r, list) and len(r) == 3)]


def standing_warnings(
    register: Register,
    faces_dir: Path,
    staff_dir: Path | None,
    store: Store,
    engine_id: str,
    tolerance: float,
    today: date,
) -> tuple[list[str], list[str]]:
    """Every warning about the register, faces/, staff/ and the enrolled reference photos that
    holds now, and the notes for information (the two children most alike).

    Read from the register, the folders' names and the store (no photo is decoded), so every
    audit says them again for as long as they hold, not only the run that refreshed the
    enrolment (which may have been a cron run that printed one line): a child id typed
    ``C01`` beside ``faces/c01`` sends that child's photos to review in every audit, and every
    audit says why.
    """
    forgotten = store.forgotten()
    warnings = setting_warnings(register, faces_dir, staff_dir, forgotten)
    children = set(eligible_children(register)) - set(forgotten)
    photos = enrolled_photos(store, engine_id, faces_dir, children, young_children(register, today))
    found, notes = reference_warnings(register, photos, tolerance, today)
    return warnings + found, notes


def setting_warnings(
    register: Register, faces_dir: Path, staff_dir: Path | None, forgotten: dict[str, str]
) -> list[str]:
    """Warnings about the register and the faces/ and staff/ folders, from names alone: ids a
    spreadsheet changed, folders no child uses, files that are not reference photos, children
    and staff who may be matched but have no reference photos, folders of those who may not."""
    listing = list_faces_dir(faces_dir)
    eligible = sorted(set(eligible_children(register)) - set(forgotten))
    warnings = register_warnings(register, listing) + folder_warnings(register, listing, eligible)
    unusable = []
    for folder in sorted(f for f in listing if f):
        child = register.get(folder)
        if child is None or folder in eligible:
            continue  # a folder no child has is said by folder_warnings, with the id it was probably meant for
        why = not_used_why(forgotten.get(folder), folder, child.has_left, "has no face-matching permission")
        unusable.append(f"faces/{folder}: {child.name} {why}; their photos are not used.")
    warnings += at_most(unusable, MOST_SAID, "folders of children who may not be matched")
    lacking = [c for c in eligible if not any(Path(n).suffix.lower() in PHOTO_SUFFIXES for n in listing.get(c, ()))]
    unused = unused_folders(listing, register, len(lacking))
    warnings += at_most([
        f"{register.children[child_id].name} ({child_id}) has face-matching permission "
        "but no reference photos: their face will show as unknown."
        + missing_folder_hint(child_id, listing, register, unused)
        for child_id in lacking
    ], MOST_SAID, "children with face-matching permission but no reference photos")
    if staff_dir is not None:
        warnings.extend(staff_warnings(register, staff_dir, forgotten))
    return warnings


def not_used_why(erased_on: str | None, again_id: str, has_left: bool, no_permission: str) -> str:
    """Why a child's or staff member's reference photos are not used: erased on request (on
    ``erased_on``, with how to enrol ``again_id`` again), left, or ``no_permission``."""
    if erased_on is not None:
        return (f"was erased on request on {erased_on[:10]} (enrol again only with "
                f"`photoaudit enrol --allow-again {again_id}`)")
    return "has left" if has_left else no_permission


def staff_warnings(register: Register, staff_dir: Path, forgotten: dict[str, str]) -> list[str]:
    """staff/ folders of nobody in staff.csv or of those who may not be matched, and staff who
    agreed to face matching but have no reference photos."""
    eligible = set(eligible_staff(register)) - set(forgotten)
    warnings = []
    if staff_dir.is_dir():
        for folder in sorted(p for p in staff_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            member = register.staff.get(folder.name)
            key = staff_key(folder.name)
            if member is None:
                warnings.append(f"staff/{folder.name}: no member of staff with this id in staff.csv; not enrolled.")
            elif key not in eligible:
                why = not_used_why(forgotten.get(key), folder.name, member.has_left, "has not agreed to face matching")
                warnings.append(f"staff/{folder.name}: {member.name} {why}; their photos are not used.")
    for key in sorted(eligible):
        staff_id = staff_id_of(key) or key
        if not reference_photos(staff_dir, staff_id):
            warnings.append(
                f"{register.staff.members[staff_id].name} (staff {staff_id}) agreed to face matching "
                "but has no reference photos: their face will show as unknown."
            )
    return warnings


def reference_day(faces_dir: Path, relative: str) -> date | None:
    """When a reference photo was taken (its EXIF date, else the file's), or None."""
    try:
        return taken_time(faces_dir / Path(relative)).date()
    except OSError:
        return None


def learn(
    store: Store,
    engine: FaceEngine,
    key: str,
    folder_name: str,
    photos: list[Path],
    report: EnrolmentReport,
    keep: set[tuple[str, str, str]],
    progress: Callable[[str], None] | None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Reference]:
    """Check (or take from the store) the templates of one person's reference photos, and
    record which to keep. ``key`` names them in the store; paths are ``folder_name/photo``.
    Returns the usable references (with a template)."""
    engine_id = engine.settings.fingerprint()
    refs: list[Reference] = []
    hashes: dict[str, str] = {}
    for photo in photos:
        if progress:
            progress(f"{folder_name}/{photo.name}")
        digest = sha256_file(photo)
        hashes[f"{folder_name}/{photo.name}"] = digest
        ref = store.reference(digest, engine_id, key)
        if ref is None:
            template, problem = check_reference(engine, photo)
            ref = Reference(key, f"{folder_name}/{photo.name}", digest, template, problem)
            store.put_reference(ref, engine_id)
            report.changed = True
        refs.append(ref)
    confirmed = confirmed_now(store, key, folder_name, hashes, report)
    odd = {id(r) for r in outliers(refs, report, tolerance, confirmed, key)}
    usable = [r for r in refs if id(r) not in odd]
    keep.update((r.sha256, engine_id, key) for r in usable)
    report.enrolled[key] = sum(r.template is not None for r in usable)
    return [r for r in usable if r.template is not None]


def confirmed_now(store: Store, key: str, folder_name: str, hashes: dict[str, str], report: EnrolmentReport) -> bool:
    """Whether a person's check of ``key``'s reference photos (``enrol --confirm``) holds for
    the photos there now (``hashes``: 'c01/a.jpg' -> SHA-256); says so when it no longer does."""
    confirmation = store.reference_confirmation(key)
    if confirmation is None:
        return False
    when = confirmation.at[:10]
    if confirmation_applies(confirmation.photos, hashes):
        report.notes.append(f"{folder_of(key)}/{folder_name}/: the {len(hashes)} reference photo(s) a person "
                            f"checked on {when} are all used.")
        return True
    report.warnings.append(
        f"{folder_of(key)}/{folder_name}/: a person checked these reference photos on {when}, but they have "
        "changed since (a photo added, removed or edited), so that check no longer applies."
    )
    report.stale_confirmations.append(key)
    return False


def enrol_staff(
    register: Register,
    staff_dir: Path,
    store: Store,
    engine: FaceEngine,
    report: EnrolmentReport,
    keep: set[tuple[str, str, str]],
    forgotten: dict[str, str],
    progress: Callable[[str], None] | None = None,
) -> set[str]:
    """Enrol the staff who agreed to face matching; returns their store keys (what is amiss
    in staff/ is said by :func:`staff_warnings`)."""
    eligible = set(eligible_staff(register)) - set(forgotten)
    for key in sorted(eligible):
        staff_id = staff_id_of(key) or key
        photos = reference_photos(staff_dir, staff_id)
        if photos:
            learn(store, engine, key, staff_id, photos, report, keep, progress)
    return eligible


def outliers(
    refs: list[Reference], report: EnrolmentReport, tolerance: float = DEFAULT_TOLERANCE, confirmed: bool = False,
    key: str = "",
) -> list[Reference]:
    """Record rejected photos, and find references unlike the person's others.

    A reference far from the person's other references is probably a misfiled photo of
    someone else. It is rejected (and not kept in the store), so it can never make another
    child's face match this child. Which ones, and when a person must settle it, is
    :func:`photoaudit.core.reference_rule.rule_references`; ``confirmed``: a person checked
    exactly these photos (``enrol --confirm``), so all are used. A conflict is recorded in
    ``report.conflicts`` under ``key``.
    """
    for ref in refs:
        if ref.problem:
            report.rejected.append((ref.child_id, ref.path, ref.problem))
    good = [r for r in refs if r.template is not None]
    if len(good) < 2:
        return []
    stack = np.stack([r.template for r in good if r.template is not None])  # every good one
    distances = pairwise_distances(stack, stack)
    ruling = rule_references(distances.tolist(), tolerance, MAX_SELF_DISTANCE, confirmed)
    if ruling.conflict:
        report.conflicts.append(key or good[0].child_id)
    for i, problem in sorted(ruling.rejected.items()):
        report.rejected.append((good[i].child_id, good[i].path, _unlike_words(i, good, distances, problem, tolerance)))
    return [good[i] for i in sorted(ruling.rejected)]


def _unlike_words(i: int, good: list[Reference], distances: np.ndarray, problem: RefProblem, tolerance: float) -> str:
    """Why one reference photo is not used, in words."""
    if problem is RefProblem.UNLIKE_OTHERS:
        return "does not look like the child's other reference photos: check it is the right child"
    command = f"`photoaudit enrol --confirm {staff_id_of(good[i].child_id) or good[i].child_id}`"
    if len(good) == 2:
        other, d = good[1 - i], float(distances[0][1])
        return (
            f"does not look like the same person as {folder_of(other.child_id)}/{other.path} (distance {d:.2f}, more "
            f"than {tolerance:.2f}): one of the two may be a photo of someone else. Neither is used until a "
            f"person removes the wrong one, or looks at both and, if both show the same person, runs {command}"
        )
    return (
        "does not look like the other reference photos, and they do not agree among themselves: none is used "
        f"until a person removes the wrong ones, or looks at them all and, if all show the same person, runs {command}"
    )


def enrolled_photos(
    store: Store, engine_id: str, faces_dir: Path, children: set[str], dated: set[str] | None = None
) -> list[RefPhoto]:
    """The enrolled reference photos of ``children`` as :func:`reference_warnings` takes them,
    with the content hash the store recorded; when each was taken is read (from the photo's
    EXIF) only for the children in ``dated`` (every child: None), whose photos' age matters."""
    found = []
    for child_id, relative, digest, template in store.enrolled_reference_rows(engine_id):
        if child_id in children:
            taken = reference_day(faces_dir, relative) if dated is None or child_id in dated else None
            found.append(RefPhoto(child_id, relative, template, digest, taken))
    return found
