"""Groups of unknown faces after each audit, for ``review``, the decisions CSV and the reports.

Every face of the latest audit of every audited folder that no enrolled person matched and
nobody has decided is grouped by likeness (:mod:`photoaudit.core.unknown_groups`, the strict
rule), with the templates the store already holds; the groups keep their ids in the store
(:mod:`photoaudit.store.face_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.decisions import SAME_FACE_OVERLAP, overlap
from ..core.models import FaceStatus
from ..core.unknown_groups import UnknownFace, group_faces, number_groups, too_far
from ..store.database import Store
from ..store.decision_book import AuditFace, DecisionBook
from ..store.face_groups import GroupBook, face_key
from .results import IdentifyGroup


@dataclass(frozen=True)
class UnknownGroup:
    """A group with the audited faces in it (of every audited folder)."""

    group_id: str
    faces: tuple[AuditFace, ...]

    @property
    def size(self) -> int:
        return len(self.faces)


def to_identify(face: AuditFace) -> bool:
    """A face no enrolled person matched, that nobody has decided yet."""
    return face.status is FaceStatus.UNKNOWN and face.decision is None


def key_of(face: AuditFace) -> str:
    """The face's key in a group: its photo's content and box (its place when unreadable)."""
    return face_key(face.sha256, face.box) if face.sha256 else f"{face.folder}/{face.photo}#{face.face}"


def template_of(store: Store, face: AuditFace, engine: str) -> np.ndarray | None:
    """The template the store holds for this face (None: too small, erased, or not kept)."""
    found = store.faces(face.sha256, engine) if face.sha256 else None
    for stored in found or ():
        if stored.box == face.box or overlap(stored.box, face.box) >= SAME_FACE_OVERLAP:
            return stored.template
    return None


def regroup(store: Store, engine: str, faces_key: str) -> list[UnknownGroup]:
    """Group every audited folder's unknown, undecided faces again and keep their ids.

    ``engine``: the engine's settings (enrolled templates' key); ``faces_key``: what the
    audited photos' faces are filed under (:func:`photoaudit.operations.incremental.examine_key`).
    A face with no template there (too small, a video's, erased) is a group of one."""
    faces = [f for f in DecisionBook(store).folder_faces() if to_identify(f)]
    by_key = {key_of(f): f for f in faces}
    unknown = [UnknownFace(key, f.sha256 or key, template_of(store, f, faces_key)) for key, f in by_key.items()]
    book = GroupBook(store)
    named, after = number_groups(group_faces(unknown), book.groups_before(), book.next_number())
    book.replace(named, after, engine, faces_key)
    return [UnknownGroup(g.group_id, tuple(by_key[k] for k in g.faces)) for g in named]


def current_groups(store: Store) -> list[UnknownGroup]:
    """The groups as the latest audit left them, with the faces that still need a person
    (a face decided since then has left its group), largest first."""
    before = GroupBook(store).groups_before()
    found: dict[str, list[AuditFace]] = {}
    for face in DecisionBook(store).folder_faces():
        group_id = before.get(key_of(face))
        if group_id is not None and to_identify(face):
            found.setdefault(group_id, []).append(face)
    groups = [UnknownGroup(g, tuple(sorted(fs, key=lambda f: (str(f.folder), f.photo, f.face))))
              for g, fs in found.items()]
    return sorted(groups, key=lambda g: (-g.size, g.group_id))


def for_report(groups: list[UnknownGroup], folder: Path) -> list[IdentifyGroup]:
    """The groups with a face in ``folder``'s audit, as its reports list them, largest first."""
    folder = folder.resolve()
    found = []
    for group in groups:
        here = tuple((f.photo, f.face) for f in group.faces if f.folder == folder)
        if here:
            found.append(IdentifyGroup(group.group_id, here, group.size - len(here)))
    return sorted(found, key=lambda g: (-len(g.faces), g.group_id))


def identify_groups(state_dir: Path, engine: str, faces_key: str, folder: Path) -> list[IdentifyGroup]:
    """After an audit of ``folder``: group the unknown faces again, and say which are its."""
    with Store(state_dir) as store:
        return for_report(regroup(store, engine, faces_key), folder)



def named_check(store: Store, group: UnknownGroup, key: str) -> tuple[list[AuditFace], list[AuditFace], bool]:
    """A group named as the person stored under ``key`` (a child id, ``staff:<id>``): the faces
    kept, the faces too far from that person's reference photos (asked on their own), and
    whether any reference photo could be compared at all."""
    book = GroupBook(store)
    references = store.enrolled_templates(book.engine() or "").get(key, [])
    faces_key = book.faces_key() or ""
    far = too_far({key_of(f): template_of(store, f, faces_key) for f in group.faces}, references)
    return ([f for f in group.faces if key_of(f) not in far], [f for f in group.faces if key_of(f) in far],
            bool(references))
