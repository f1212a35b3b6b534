"""The shape of one photo's verdict in the version-1 JSON report: plain data to plain dicts.

The JSON report (:mod:`photoaudit.formats.json_report`) and the store's remembered
verdicts (:mod:`photoaudit.operations.incremental`) both use this shape, so a stored
verdict reads back exactly as the report wrote it. Fields are only ever added within a
version (docs/reports.md, "The JSON report").
"""

from __future__ import annotations

from typing import Any

from .decisions import open_faces
from .models import (
    Candidate,
    FaceMatch,
    MediaKind,
    Override,
    PersonDecision,
    PhotoVerdict,
    Provenance,
)


def face_json(face: FaceMatch) -> dict[str, Any]:
    return {
        "child_id": face.child_id,
        "status": face.status.value,
        "distance": None if face.distance is None else round(face.distance, 3),
        "box": list(face.box),
        "candidates": [candidate_json(c) for c in face.candidates],
        "time": None if face.time is None else round(face.time, 2),
        "decision": decision_json(face.decision),
        "caution": face.caution or None,
        "staff_id": face.staff_id,
    }



def candidate_json(candidate: Candidate) -> dict[str, Any]:
    """A child (or, with ``"staff": true``, a member of staff) a face might be."""
    found: dict[str, Any] = {"child_id": candidate.child_id, "distance": round(candidate.distance, 3)}
    if candidate.staff:
        found["staff"] = True
    return found



def provenance_json(found: Provenance | None) -> dict[str, Any]:
    """The metadata fields of an image entry (added in version 1; see docs/reports.md)."""
    found = found or Provenance(kind=MediaKind.OTHER)
    camera = found.camera
    video = found.video
    return {
        "kind": found.kind,
        "camera": None if camera is None else {"make": camera.make, "model": camera.model, "serial": camera.serial or None},
        "device": found.device_id,
        "breach": found.breach,
        "taken": None if found.taken is None else found.taken.isoformat(),
        "gps": found.gps,
        "retain_until": None if found.retain_until is None else found.retain_until.isoformat(),
        "flags": list(found.flags),
        "video": None if video is None else {
            "duration": None if video.duration is None else round(video.duration, 2),
            "frames_sampled": video.frames_sampled,
            "sample_every": round(video.sample_every, 3),
        },
    }



def decision_json(decision: PersonDecision | None) -> dict[str, Any] | None:
    """What a person decided about a face (added in version 1; see docs/reports.md)."""
    if decision is None:
        return None
    found = {"kind": decision.kind.value, "child_id": decision.child_id, "by": decision.by, "at": decision.at}
    if decision.staff_id is not None:
        found["staff_id"] = decision.staff_id
    return found



def override_json(override: Override | None) -> dict[str, Any] | None:
    """A photo's action forced by a person (added in version 1; see docs/reports.md)."""
    if override is None:
        return None
    return {
        "action": override.action.value,
        "reason": override.reason,
        "by": override.by,
        "at": override.at,
        "original_action": None if override.original is None else override.original.value,
    }



def verdict_json(verdict: PhotoVerdict) -> dict[str, Any]:
    asked = open_faces(verdict.faces)  # what review asks about (added in version 1)
    return {
        "path": verdict.path,
        "action": verdict.action.value,
        "purposes": {p: use.value for p, use in verdict.purposes.items()},
        "journeys": list(verdict.journeys),
        "faces": [face_json(f) | ({"cleared_for": list(verdict.faces_cleared_for[i])} if verdict.faces_cleared_for
                                  else {}) | {"needs_person": i in asked} for i, f in enumerate(verdict.faces)],
        "reasons": list(verdict.reasons),
        "notes": list(verdict.notes),
        **provenance_json(verdict.provenance),
        "override": override_json(verdict.override),
        "cleared_for": list(verdict.cleared_for),  # the uses it may be put to as it is (issue 24)
    }
