"""The reaudit report: which stored photos' verdicts changed under today's register.

JSON, version 1 like the audit report (fields are only ever added):
``{"version": 1, "kind": "reaudit", "generated", "today", "summary": {"photos",
"changed", "not_rejudged"}, "changes": [{"folder", "path", "sha256", "before":
{"action", "purposes"} | null, "after": <an audit report image>}], "not_rejudged":
[{"folder", "path"}]}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.report_shape import verdict_json
from ..core.words import local_time
from ..operations.reaudit import ReauditResult
from .json_report import VERSION

if TYPE_CHECKING:
    from rich.console import Console


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


def show(result: ReauditResult, console: Console, rules: bool = False) -> None:
    """The reaudit for a person: how many photos were judged again, and a table of the changes."""
    from rich.table import Table
    from rich.text import Text

    from ..core.models import Action
    from .console import plain_words
    from .paths import shown
    from .terminal import ACTION_STYLE

    console.print(
        f"{result.photos} stored photos judged again against today's register: "
        f"{len(result.changes)} verdict(s) changed."
    )
    if result.not_rejudged:
        console.print(
            f"{len(result.not_rejudged)} photo(s) could not be judged again without looking at them "
            "(unreadable, or checked with other face-finding settings): run an audit of their folder."
        )
    if result.changes:
        table = Table(show_lines=True, title="Photos whose verdict changed")
        table.add_column("Photo", overflow="fold")
        table.add_column("Was")
        table.add_column("Now")
        table.add_column("Why", overflow="fold")
        for change in result.changes:
            before = change.before.action if change.before else "(not judged)"
            now = Text(change.after.action.value, style=ACTION_STYLE[change.after.action])
            purposes = change.changed_purposes()
            if purposes and change.after.action is Action.KEEP:
                now.append("\nchanged: " + ", ".join(purposes), style="default")
            table.add_row(shown(str(Path(change.folder) / change.path)), before, now,
                          plain_words("\n".join(change.after.reasons), rules))
        console.print(table)
