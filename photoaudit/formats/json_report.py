"""The JSON report: a documented, versioned contract read by cron jobs and other tools.

Version 1. Fields are only ever added within a version; a consumer must ignore
fields it does not know. See README.md ("The JSON report").
"""

from __future__ import annotations

import json
from typing import Any

from ..auditor import AuditResult
from ..models import FaceMatch, PhotoVerdict

VERSION = 1


def face_json(face: FaceMatch) -> dict[str, Any]:
    return {
        "child_id": face.child_id,
        "status": face.status.value,
        "distance": None if face.distance is None else round(face.distance, 3),
        "box": list(face.box),
        "candidates": [
            {"child_id": c.child_id, "distance": round(c.distance, 3)} for c in face.candidates
        ],
    }


def verdict_json(verdict: PhotoVerdict) -> dict[str, Any]:
    return {
        "path": verdict.path,
        "action": verdict.action.value,
        "purposes": {p: use.value for p, use in verdict.purposes.items()},
        "journeys": list(verdict.journeys),
        "faces": [face_json(f) for f in verdict.faces],
        "reasons": list(verdict.reasons),
        "notes": list(verdict.notes),
    }


def report_json(result: AuditResult) -> dict[str, Any]:
    return {
        "version": VERSION,
        "generated": result.generated.isoformat(timespec="seconds"),
        "today": result.today.isoformat(),
        "folder": str(result.folder),
        "summary": result.summary,
        "warnings": list(result.warnings),
        "images": [verdict_json(v) for v in result.verdicts],
    }


def render(result: AuditResult) -> str:
    return json.dumps(report_json(result), indent=2, ensure_ascii=False) + "\n"
