"""People's decisions and the latest audit's faces: their tables in the private SQLite store.

Decisions are keyed by the photo's content (SHA-256 of its bytes) and the face's
box, so they survive renames and moves and apply to every later audit. The
latest audit's faces are kept so that ``photoaudit review`` knows what needs a
person. Nothing here is biometric: boxes, child ids and distances, no templates.
Applying the decisions to an audit is :mod:`photoaudit.operations.decision_book`'s.

Staff (issue 19) share the tables: a decision of kind ``staff`` keeps the staff id in
the ``child_id`` column; a latest-audit face matched to staff keeps ``staff:<id>``
there (:func:`photoaudit.core.models.staff_key`), and a staff candidate is ``[id, distance, "staff"]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..core.decisions import SAME_FACE_OVERLAP, needs_person, overlap
from ..core.models import (
    Action,
    Box,
    Candidate,
    FaceDecision,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoDecision,
    PhotoDecisionKind,
    PhotoVerdict,
    Use,
    as_box,
    staff_id_of,
    staff_key,
)
from ..core.safeguards import FACELESS_MARK
from .database import Store, name_from_key, name_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS face_decision (
    sha256 TEXT NOT NULL,
    box TEXT NOT NULL,
    kind TEXT NOT NULL,
    child_id TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    photo TEXT NOT NULL,
    PRIMARY KEY (sha256, box)
);
CREATE TABLE IF NOT EXISTS photo_override (
    sha256 TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    photo TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS last_audit_face (
    photo TEXT NOT NULL,
    face INTEGER NOT NULL,
    sha256 TEXT,
    box TEXT NOT NULL,
    status TEXT NOT NULL,
    child_id TEXT,
    candidates TEXT NOT NULL,
    decision TEXT,
    counted INTEGER NOT NULL,
    PRIMARY KEY (photo, face)
);
CREATE TABLE IF NOT EXISTS folder_audit_face (
    folder TEXT NOT NULL,
    photo TEXT NOT NULL,
    face INTEGER NOT NULL,
    sha256 TEXT,
    box TEXT NOT NULL,
    status TEXT NOT NULL,
    child_id TEXT,
    candidates TEXT NOT NULL,
    decision TEXT,
    counted INTEGER NOT NULL,
    caution TEXT,
    PRIMARY KEY (folder, photo, face)
);
CREATE TABLE IF NOT EXISTS audited_folder (
    folder TEXT PRIMARY KEY,
    generated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS photo_decision (
    sha256 TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    photo TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS last_audit_photo (
    photo TEXT PRIMARY KEY,
    sha256 TEXT,
    why TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reference_source (
    reference TEXT PRIMARY KEY,
    child_id TEXT NOT NULL,
    photo TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    face INTEGER NOT NULL,
    box TEXT NOT NULL,
    taken TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
"""

LAST_AUDIT_KEY = "last-audit"


def box_text(box: Box) -> str:
    return json.dumps([int(v) for v in box])


def box_from(text: str) -> Box:
    return as_box(json.loads(text))


@dataclass(frozen=True)
class AuditFace:
    """One face of the latest audit, as ``photoaudit review`` needs it."""

    folder: Path
    photo: str  # relative to the audited folder, as in the reports
    face: int  # 1-based, as in the reports
    sha256: str | None
    box: Box
    status: FaceStatus
    child_id: str | None
    candidates: tuple[Candidate, ...]
    decision: str | None  # what a person already decided, if anything
    counted: bool
    twice: bool = False  # its child (or member of staff) was matched to more than one face of the photo
    staff_id: str | None = None  # matched to this member of staff (child_id is then None)
    caution: str = ""  # matched, but a person must confirm it for some uses (photoaudit.core.safeguards)

    @property
    def path(self) -> Path:
        return self.folder / Path(self.photo)

    @property
    def needs_person(self) -> bool:
        """Unknown, uncertain, one of two faces matched to the same child (or member of
        staff), or a match a person must confirm (a young child, a twin, a likeness not
        close enough for public uses); undecided."""
        return needs_person(self.status, self.decision is not None, self.twice, self.caution)


@dataclass(frozen=True)
class AuditPhoto:
    """A photo of the latest audit in which no child's face was found, waiting for a person
    to say "no children in this photo" before any public use."""

    folder: Path
    photo: str
    sha256: str | None
    why: str

    @property
    def path(self) -> Path:
        return self.folder / Path(self.photo)


@dataclass(frozen=True)
class ReferenceSource:
    """Where a reference photo added from a review came from."""

    reference: str  # "<child_id>/<file name>" under faces/
    child_id: str
    photo: str
    sha256: str
    face: int
    box: Box
    taken: str | None
    by: str
    at: str


class DecisionBook:
    """The decision tables of the private store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(last_audit_face)")}
        if "caution" not in columns:  # stores made before issue 12
            with store.transaction() as db:
                db.execute("ALTER TABLE last_audit_face ADD COLUMN caution TEXT")

    # -- photo decisions ("no children in this photo") --------------------------
    def photo_decisions(self) -> dict[str, PhotoDecision]:
        return {
            sha: PhotoDecision(PhotoDecisionKind(kind), by, at)
            for sha, kind, by, at in self.db.execute(
                "SELECT sha256, kind, decided_by, decided_at FROM photo_decision"
            )
        }

    def record_photo_decision(self, sha256: str, decision: PhotoDecision, photo: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO photo_decision VALUES (?, ?, ?, ?, ?)",
                (sha256, decision.kind.value, decision.by, decision.at, photo),
            )
            db.execute("DELETE FROM last_audit_photo WHERE sha256=?", (sha256,))

    def photo_decision_rows(self) -> list[tuple[str, PhotoDecision, str]]:
        """Every "no children" decision: (sha256, decision, photo as it was named), oldest first."""
        return [
            (sha, PhotoDecision(PhotoDecisionKind(kind), by, at), photo)
            for sha, kind, by, at, photo in self.db.execute(
                "SELECT sha256, kind, decided_by, decided_at, photo FROM photo_decision ORDER BY decided_at, photo"
            )
        ]

    def remove_photo_decision(self, sha256: str) -> bool:
        """Take back a decision about a whole photo; the next audit asks a person again."""
        with self.store.transaction() as db:
            return db.execute("DELETE FROM photo_decision WHERE sha256=?", (sha256,)).rowcount > 0

    def last_audit_photos(self) -> list[AuditPhoto]:
        """The latest audit's photos with no child's face whose public uses wait for a person."""
        last = self.last_audit()
        if last is None:
            return []
        return [
            AuditPhoto(last[0], photo, sha, why)
            for photo, sha, why in self.db.execute("SELECT photo, sha256, why FROM last_audit_photo ORDER BY photo")
        ]

    # -- face decisions ------------------------------------------------------
    def decisions(self) -> dict[str, list[tuple[Box, PersonDecision]]]:
        found: dict[str, list[tuple[Box, PersonDecision]]] = {}
        for sha, box, kind, child_id, by, at in self.db.execute(
            "SELECT sha256, box, kind, child_id, decided_by, decided_at FROM face_decision ORDER BY sha256, box"
        ):
            found.setdefault(sha, []).append((box_from(box), decision_from(kind, child_id, by, at)))
        return found

    def record_decision(self, sha256: str, box: Box, decision: PersonDecision, photo: str) -> None:
        """Store a decision; it replaces any earlier decision about the same face."""
        with self.store.transaction() as db:
            for (old,) in db.execute("SELECT box FROM face_decision WHERE sha256=?", (sha256,)).fetchall():
                if overlap(box_from(old), box) >= SAME_FACE_OVERLAP:
                    db.execute("DELETE FROM face_decision WHERE sha256=? AND box=?", (sha256, old))
            db.execute(
                "INSERT OR REPLACE INTO face_decision VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, box_text(box), decision.kind.value, decision.staff_id or decision.child_id,
                 decision.by, decision.at, photo),
            )
            for table in ("last_audit_face", "folder_audit_face"):
                db.execute(
                    f"UPDATE {table} SET decision=? WHERE sha256=? AND box=?",
                    (decision.kind.value, sha256, box_text(box)),
                )

    def decision_rows(self) -> list[tuple[str, Box, PersonDecision, str]]:
        """Every recorded face decision: (sha256, box, decision, photo as it was named), oldest first."""
        return [
            (sha, box_from(box), decision_from(kind, child_id, by, at), photo)
            for sha, box, kind, child_id, by, at, photo in self.db.execute(
                "SELECT sha256, box, kind, child_id, decided_by, decided_at, photo FROM face_decision "
                "ORDER BY decided_at, photo, box"
            )
        ]

    def remove_decision(self, sha256: str, box: Box) -> bool:
        """Take back a decision about a face; its faces in the audits need a person again."""
        with self.store.transaction() as db:
            gone = db.execute(
                "DELETE FROM face_decision WHERE sha256=? AND box=?", (sha256, box_text(box))
            ).rowcount > 0
            for table in ("last_audit_face", "folder_audit_face"):
                db.execute(f"UPDATE {table} SET decision=NULL WHERE sha256=? AND box=?", (sha256, box_text(box)))
        return gone

    # -- overrides -----------------------------------------------------------
    def overrides(self) -> dict[str, Override]:
        return {
            sha: Override(Action(action), reason, by, at)
            for sha, action, reason, by, at in self.db.execute(
                "SELECT sha256, action, reason, decided_by, decided_at FROM photo_override"
            )
        }

    def set_override(self, sha256: str, override: Override, photo: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO photo_override VALUES (?, ?, ?, ?, ?, ?)",
                (sha256, override.action.value, override.reason, override.by, override.at, photo),
            )

    def remove_override(self, sha256: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("DELETE FROM photo_override WHERE sha256=?", (sha256,)).rowcount > 0

    # -- the latest audit ----------------------------------------------------
    def remember_audit(self, folder: Path, generated: datetime, verdicts: Sequence[PhotoVerdict],
                       hashes: dict[str, str]) -> None:
        """Replace the stored faces with those of the latest audit (of ``folder``, made at ``generated``)."""
        rows = []
        for verdict in verdicts:
            for number, face in enumerate(verdict.faces, start=1):
                rows.append(
                    (
                        name_key(verdict.path),
                        number,
                        hashes.get(verdict.path),
                        box_text(face.box),
                        face.status.value,
                        face.key,
                        json.dumps([[c.child_id, c.distance, "staff"] if c.staff else [c.child_id, c.distance]
                                    for c in face.candidates]),
                        None if face.decision is None else face.decision.kind.value,
                        int(face.counts_for_consent),
                        face.caution or None,
                    )
                )
        where = str(folder.resolve())
        when = generated.isoformat(timespec="seconds")
        faceless = [(v.path, hashes.get(v.path), why) for v in verdicts if (why := faceless_reason(v))]
        with self.store.transaction() as db:
            db.execute("DELETE FROM last_audit_face")
            db.executemany(
                "INSERT INTO last_audit_face (photo, face, sha256, box, status, child_id, candidates, "
                "decision, counted, caution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.execute("DELETE FROM last_audit_photo")
            db.executemany("INSERT OR REPLACE INTO last_audit_photo VALUES (?, ?, ?)", faceless)
            db.execute("DELETE FROM folder_audit_face WHERE folder=?", (name_key(where),))
            db.executemany(
                "INSERT INTO folder_audit_face (folder, photo, face, sha256, box, status, child_id, candidates, "
                "decision, counted, caution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(name_key(where), *row) for row in rows],
            )
            db.execute("INSERT OR REPLACE INTO audited_folder VALUES (?, ?)", (name_key(where), when))
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                (LAST_AUDIT_KEY, json.dumps({"folder": where, "generated": when})),  # ASCII: lossless
            )

    def last_audit(self) -> tuple[Path, str] | None:
        """The folder and time of the latest audit, or None when there was none."""
        text = self.store.get_meta(LAST_AUDIT_KEY)
        if text is None:
            return None
        data = json.loads(text)
        return Path(data["folder"]), data["generated"]

    def last_audit_faces(self) -> list[AuditFace]:
        last = self.last_audit()
        if last is None:
            return []
        folder = last[0]
        faces = [
            audit_face(folder, *row)
            for row in self.db.execute(
                "SELECT photo, face, sha256, box, status, child_id, candidates, decision, counted, caution "
                "FROM last_audit_face ORDER BY photo, face"
            )
        ]
        return mark_twice(faces)

    def audited_folders(self) -> dict[Path, str]:
        """Every folder audited (each with the time of its latest audit), latest first.

        The latest audit is always among them, also in a store from before folders were kept apart.
        """
        found = {Path(name_from_key(folder)): generated for folder, generated in self.db.execute(
            "SELECT folder, generated FROM audited_folder ORDER BY generated DESC, folder")}
        last = self.last_audit()
        if last is not None and last[0] not in found:
            found = {last[0]: last[1], **found}
        return found

    def folder_faces(self, folder: Path | None = None) -> list[AuditFace]:
        """The faces of the latest audit of ``folder``, or of every audited folder (None)."""
        last = self.last_audit()
        kept = {Path(name_from_key(f)) for (f,) in self.db.execute("SELECT DISTINCT folder FROM audited_folder")}
        faces: list[AuditFace] = []
        for audited in self.audited_folders():
            if folder is not None and audited != folder:
                continue
            if audited not in kept and last is not None and audited == last[0]:
                faces += self.last_audit_faces()  # audited before folders were kept apart
                continue
            rows = self.db.execute(
                "SELECT photo, face, sha256, box, status, child_id, candidates, decision, counted, caution "
                "FROM folder_audit_face WHERE folder=? ORDER BY photo, face", (name_key(str(audited)),)
            )
            faces += mark_twice([audit_face(audited, *row) for row in rows])
        return faces

    # -- where review-added reference photos came from -------------------------
    def record_source(self, source: ReferenceSource) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reference_source VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (source.reference, source.child_id, source.photo, source.sha256, source.face,
                 box_text(source.box), source.taken, source.by, source.at),
            )

    def forget_source(self, reference: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM reference_source WHERE reference=?", (reference,))

    def sources(self) -> dict[str, ReferenceSource]:
        return {
            row[0]: ReferenceSource(row[0], row[1], row[2], row[3], row[4], box_from(row[5]), row[6], row[7], row[8])
            for row in self.db.execute("SELECT * FROM reference_source")
        }


def decision_from(kind: str, child_id: str | None, by: str, at: str) -> PersonDecision:
    """A stored decision (a staff decision keeps its staff id in the child_id column)."""
    if kind == FaceDecision.STAFF.value:
        return PersonDecision(FaceDecision.STAFF, None, by, at, staff_id=child_id)
    return PersonDecision(FaceDecision(kind), child_id, by, at)


def audit_face(folder: Path, photo: str | bytes, face: int, sha: str | None, box: str, status: str, child_id: str | None,
               candidates: str, decision: str | None, counted: int, caution: str | None = None) -> AuditFace:
    """One stored row of an audit's faces (a staff match keeps ``staff:<id>`` in child_id)."""
    return AuditFace(
        folder,
        name_from_key(photo),
        face,
        sha,
        box_from(box),
        FaceStatus(status),
        None if staff_id_of(child_id or "") else child_id,
        tuple(Candidate(c[0], float(c[1]), staff=c[2:] == ["staff"]) for c in json.loads(candidates)),
        decision,
        bool(counted),
        staff_id=staff_id_of(child_id or ""),
        caution=caution or "",
    )


def faceless_reason(verdict: PhotoVerdict) -> str:
    """Why a person should look at a photo with no child's face before public use, or ''.

    Such a photo (no counted face, and a public use in review for that reason alone)
    is cleared by the decision "no children in this photo".
    """
    if any(f.counts_for_consent for f in verdict.faces) or Use.REVIEW not in verdict.purposes.values():
        return ""
    return next((r for r in verdict.reasons if FACELESS_MARK in r), "")


def mark_twice(faces: list[AuditFace]) -> list[AuditFace]:
    """Mark the faces whose child was matched to more than one undecided face of the same photo."""
    seen: dict[tuple[str, str], int] = {}

    def who(f: AuditFace) -> str | None:
        """The child (counted faces) or member of staff (undecided) a face was matched to."""
        if f.status is not FaceStatus.MATCHED:
            return None
        if f.counted and f.child_id:
            return f.child_id
        return staff_key(f.staff_id) if f.staff_id and f.decision is None else None

    for f in faces:
        if (key := who(f)) is not None:
            seen[(f.photo, key)] = seen.get((f.photo, key), 0) + 1
    return [
        replace(f, twice=True) if (key := who(f)) is not None and seen.get((f.photo, key), 0) > 1 else f
        for f in faces
    ]
