"""Leavers: their face is erased, their photos stay tracked (R7; issue 14).

When a child leaves, enrolment erases their templates and every stored face that
was them (:mod:`photoaudit.store.erasure`); from then on nothing could recognise them, so
their photos would turn into unknown faces (review instead of withheld) and the
leaver retention rule (``after_leaving_months``) could never find them to delete.
So, just before erasing, :func:`record_leaver` writes down which stored photos
showed the child: the photo's content hash (SHA-256 of its bytes), where in the
photo the face was (a box), the child id and when. Later audits read each record as
"this face is that child" (:func:`leaver_decisions`), so the photo stays withheld
from every use and is flagged for deletion when the retention period ends, and
``photoaudit find`` still answers for the child.

None of this is biometric data: a hash of the file and four pixel coordinates
cannot be compared with a face or used to recognise anyone (only a face template
can, and that is erased); it is the same kind of record as the audit's own reports,
which name the children in each photo.
"""

from __future__ import annotations

import json

from ..core.decisions import LEAVER_RECORD_BY, SAME_FACE_OVERLAP, overlap
from ..core.models import Box, FaceDecision, PersonDecision, as_box
from .database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS leaver_photo (
    child_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    box TEXT NOT NULL,
    recorded TEXT NOT NULL,
    PRIMARY KEY (sha256, box)
);
"""


def _table(store: Store) -> None:
    store.db.executescript(SCHEMA)



def faces_showing(store: Store, child_id: str) -> set[tuple[str, Box]]:
    """(photo content, box) of every stored face matched to the child or confirmed as them by a person."""
    found: set[tuple[str, Box]] = set()
    for stored in store.verdicts():
        for face in stored.body.get("faces", []):
            decision = face.get("decision") or {}
            named = decision.get("child_id") if decision.get("kind") == FaceDecision.CHILD.value else None
            if named == child_id or (not decision and face.get("status") == "matched" and face.get("child_id") == child_id):
                found.add((stored.sha256, as_box(face["box"])))
    has_decisions = store.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='face_decision'"
    ).fetchone()
    if has_decisions:
        for sha256, box in store.db.execute(
            "SELECT sha256, box FROM face_decision WHERE kind=? AND child_id=?", (FaceDecision.CHILD.value, child_id)
        ):
            found.add((sha256, as_box(json.loads(box))))
    return found


def record_leaver(store: Store, child_id: str, when: str) -> int:
    """Record which stored photos showed a child who has left (call before erasing them)."""
    _table(store)
    faces = faces_showing(store, child_id)
    with store.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO leaver_photo VALUES (?, ?, ?, ?)",
            [(child_id, sha256, json.dumps(list(box)), when) for sha256, box in sorted(faces)],
        )
    return len(faces)


def leaver_records(store: Store) -> list[tuple[str, str, Box, str]]:
    """(child id, photo content, box, recorded) of every leaver record."""
    _table(store)
    return [
        (child_id, sha256, as_box(json.loads(box)), recorded)
        for child_id, sha256, box, recorded in store.db.execute(
            "SELECT child_id, sha256, box, recorded FROM leaver_photo ORDER BY sha256, box"
        )
    ]


def leaver_decisions(store: Store) -> dict[str, list[tuple[Box, PersonDecision]]]:
    """Each leaver record as a decision that the face is that child (photo content -> faces)."""
    found: dict[str, list[tuple[Box, PersonDecision]]] = {}
    for child_id, sha256, box, recorded in leaver_records(store):
        decision = PersonDecision(FaceDecision.CHILD, child_id, LEAVER_RECORD_BY, recorded)
        found.setdefault(sha256, []).append((box, decision))
    return found


def with_leavers(
    decisions: dict[str, list[tuple[Box, PersonDecision]]],
    leavers: dict[str, list[tuple[Box, PersonDecision]]],
) -> dict[str, list[tuple[Box, PersonDecision]]]:
    """People's decisions, plus each leaver record for a face no person decided about."""
    merged = {sha: list(found) for sha, found in decisions.items()}
    for sha256, records in leavers.items():
        mine = merged.setdefault(sha256, [])
        for box, decision in records:
            if not any(overlap(box, other) >= SAME_FACE_OVERLAP for other, _ in mine):
                mine.append((box, decision))
    return merged
