"""The reaudit report: which stored photos' verdicts changed under today's register.

JSON, version 1 like the audit report (fields are only ever added):
``{"version": 1, "kind": "reaudit", "generated", "today", "summary": {"photos",
"changed", "not_rejudged"}, "changes": [{"folder", "path", "sha256", "before":
{"action", "purposes"} | null, "after": <an audit report image>}], "not_rejudged":
[{"folder", "path"}]}``.
"""

from __future__ import annotations

import json
from typing import Any

from ..operations.reaudit import ReauditResult
from .json_report import VERSION
from ..core.report_shape import verdict_json
from ..core.words import local_time


def report_json(result: ReauditResult) -> dict[str, Any]:
    return {
        "version": VERSION,
        "kind": "reaudit",
        "generated": local_time(result.generated),
        "today": result.today.isoformat(),
        "summary": {
            "photos": result.photos,
            "changed": len(result.changes),
            "not_rejudged": len(result.not_rejudged),
        },
        "changes": [
            {
                "folder": c.folder,
                "path": c.path,
                "sha256": c.sha256,
                "before": None if c.before is None else {
                    "action": c.before.action,
                    "purposes": c.before.body.get("purposes", {}),
                    "judged": c.before.judged,
                },
                "after": verdict_json(c.after),
            }
            for c in result.changes
        ],
        "not_rejudged": [{"folder": f, "path": p} for f, p in result.not_rejudged],
    }


def render(result: ReauditResult) -> str:
    return json.dumps(report_json(result), indent=2, ensure_ascii=False) + "\n"


def summary_line(result: ReauditResult) -> str:
    return (
        f"photoaudit reaudit: photos={result.photos} changed={len(result.changes)} "
        f"not_rejudged={len(result.not_rejudged)}"
    )
