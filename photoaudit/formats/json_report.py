"""The JSON report: a documented, versioned contract read by cron jobs and other tools.

Version 1. Fields are only ever added within a version; a consumer must ignore
fields it does not know. See docs/reports.md ("The JSON report").
"""

from __future__ import annotations

import json
from typing import Any

from ..core.models import PhotoVerdict
from ..core.report_shape import verdict_json
from ..core.words import local_time
from ..media.sources import raw_hex, shown
from ..operations.results import AuditResult

VERSION = 1


def printable(value: Any) -> Any:
    """``value`` with every text in it printable: names that are not UTF-8 shown escaped."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    return value


def image_json(result: AuditResult, verdict: PhotoVerdict) -> dict[str, Any]:
    """One image entry: the verdict, its hash, what it is on disk, its exact name if not UTF-8."""
    entry = result.entries.get(verdict.path)
    return {
        **verdict_json(verdict),
        "sha256": result.hashes.get(verdict.path),
        "entry": "file" if entry is None else entry.value,
        "path_hex": raw_hex(verdict.path),
    }


def renewals_json(result: AuditResult) -> list[dict[str, Any]] | None:
    """The consents due for review within 30 days (added in version 1; ``null`` in check's report)."""
    if result.renewals is None:
        return None
    return [{"child_id": r.child_id, "name": r.name, "due": r.due.isoformat()} for r in result.renewals]


def people_json(result: AuditResult) -> list[dict[str, Any]] | None:
    """The unknown faces grouped by likeness (added in version 1): every unknown face in exactly
    one group, a face alone in a group of one, largest first; each a question for a person
    (``null`` in check's report: it does not group)."""
    if result.people_to_identify is None:
        return None
    return [{"group": g.group_id, "size": len(g.faces), "elsewhere": g.elsewhere,
             "faces": [{"path": path, "face": number} for path, number in g.faces]}
            for g in result.people_to_identify]


def report_json(result: AuditResult) -> dict[str, Any]:
    return printable({
        "version": VERSION,
        "generated": local_time(result.generated),
        "today": result.today.isoformat(),
        "setting": {"name": result.setting or None},
        "folder": str(result.folder),
        "summary": result.summary,
        "warnings": list(result.warnings),
        "images": [image_json(result, v) for v in result.verdicts],
        "cache": result.cache,
        "quarantined": result.quarantined,
        "not_quarantined": result.not_quarantined,
        "erased": result.erased,
        "not_in_register": result.not_in_register,
        "takedown": result.takedown,
        "renewals": renewals_json(result),
        "people_to_identify": people_json(result),
        "dsl": None if result.dsl is None else [f.to_dict() for f in result.dsl.findings],
        "dsl_not_checked": None if result.dsl is None else list(result.dsl.not_checked),
        "skipped": [{"path": s.relative, "reason": s.reason, "path_hex": raw_hex(s.relative)} for s in result.skipped],
    })


def render(result: AuditResult) -> str:
    return json.dumps(report_json(result), indent=2, ensure_ascii=False) + "\n"
