"""Erasing a child's biometric data: their reference templates and every stored face that was them.

*Whose* data is erased, and why, is decided in one place, :mod:`photoaudit.core.erasure_rule`
(on request, left, or face matching withdrawn; never because a row is missing from the
register): :func:`erase_as_ruled` is the only way in.

A stored photo face is erased when it is near any of the child's reference
templates (within :data:`FORGET_DISTANCE`, looser than matching on purpose:
erasing too much only costs a photo being examined again) or when the photo's
stored verdict matched the child (or found it too close to call between them
and another). Such a photo is forgotten whole: all its faces and its verdict,
so the next audit examines it afresh rather than trusting a face list with a
hole in it; and where the child's face was is remembered (photo content and
box only), so that examination leaves that face without a template: unknown.

A member of staff is erased the same way, by their store key ``staff:<staff_id>``.

Rows are deleted with SQLite's ``secure_delete`` on (their bytes are
overwritten) and the file is then vacuumed (rebuilt without the free pages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from ..core.decisions import overlap
from ..core.erasure_rule import ErasureReason, erasure_plan, reason_words
from ..core.models import Box, Face, Register, staff_id_of
from .database import Store
from .leavers import record_leaver

#: Stored photo faces at most this far from any of the child's reference templates
#: are erased with them. face_recognition's own matching tolerance; matching uses 0.5.
FORGET_DISTANCE = 0.6


@dataclass(frozen=True)
class Erasure:
    """What was erased for one child, and why."""

    child_id: str
    why: str
    references: int  # reference templates erased
    photo_faces: int  # stored photo faces erased (all faces of every photo that showed the child)
    photos: int  # photos whose stored faces and verdict were erased

    def words(self, label: str) -> str:
        """One sentence for the person running photoaudit."""
        return (
            f"Erased the face data of {label} ({self.why}): {self.references} reference "
            f"template(s), and {self.photo_faces} stored face(s) in {self.photos} photo(s) "
            "that showed them. They will not be matched again."
        )


def faces_of(store: Store, child_id: str, references: list[np.ndarray]) -> set[tuple[str, Box]]:
    """(photo content, box) of every stored face that was, or may have been, this child."""
    found: set[tuple[str, Box]] = set()
    if references:
        refs = np.stack(references)
        for sha256, box, template in store.photo_faces():
            if template is not None and np.any(np.linalg.norm(refs - template, axis=1) <= FORGET_DISTANCE):
                found.add((sha256, box))
    staff_id = staff_id_of(child_id)
    field, who = ("staff_id", staff_id) if staff_id is not None else ("child_id", child_id)
    for stored in store.verdicts():
        for face in stored.body.get("faces", []):
            candidates = {c.get("child_id") for c in face.get("candidates", [])
                          if bool(c.get("staff")) is (staff_id is not None)}
            if face.get(field) == who or (face.get("status") == "ambiguous" and who in candidates):
                found.add((stored.sha256, tuple(face["box"])))
    return found


def erase_as_ruled(store: Store, register: Register, keys: Iterable[str] | None = None,
                   vacuum: bool = True) -> list[Erasure]:
    """Erase the face data of everyone stored (or of ``keys``) whom the rule says must go, and of
    no one else (:func:`photoaudit.core.erasure_rule.erasure_plan`). A leaver's photos are recorded
    first (:mod:`photoaudit.store.leavers`: no face data), so they stay withheld."""
    plan = erasure_plan(store.stored_child_ids() if keys is None else keys, register, store.forgotten())
    erasures = []
    for key, why in plan.erase:
        if why is ErasureReason.LEFT and staff_id_of(key) is None:
            record_leaver(store, key, datetime.now(UTC).isoformat(timespec="seconds"))
        erasures.append(erase_child(store, key, reason_words(why, key), vacuum=False))
    if erasures and vacuum:
        store.vacuum()
    return erasures


def erase_child(store: Store, child_id: str, why: str, vacuum: bool = True) -> Erasure:
    """Erase the child's reference templates and every stored photo face that was them (only as
    :func:`erase_as_ruled` decides: never call it for a reason of your own).

    Where each erased face was is remembered (photo content and box, nothing
    else), so a later audit that examines the photo again never stores that
    face's template again: it is an unknown face, for a person to look at.
    """
    references = store.references_of(child_id)
    faces = faces_of(store, child_id, references)
    photos = {sha256 for sha256, _ in faces}
    erased_refs = store.delete_references_of(child_id)
    erased_faces = store.erase_photos(photos)
    store.mark_erased_faces(faces)
    if vacuum:
        store.vacuum()
    return Erasure(child_id, why, erased_refs, erased_faces, len(photos))



def without_erased(faces: tuple[Face, ...], erased: list[Box],
                   may_keep: Callable[[Face], bool] = lambda face: False) -> tuple[Face, ...]:
    """The faces, with no template for any face where an erased child's face was, unless
    ``may_keep`` says it is someone enrolled now (:func:`photoaudit.core.erasure_rule.may_store_again`)."""
    return tuple(
        replace(f, template=None) if any(overlap(f.box, box) >= 0.5 for box in erased) and not may_keep(f) else f
        for f in faces
    )
