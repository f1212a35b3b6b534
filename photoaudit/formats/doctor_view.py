"""What ``photoaudit doctor`` prints: one line per check, then what they add up to; or the same
as JSON (``doctor --json``: README, "children, staff and doctor as JSON")."""

from __future__ import annotations

import json

from rich.console import Console

from ..operations.doctor import Check

STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def verdict(checks: list[Check]) -> tuple[str, str]:
    """The closing line and its style: problems that stop photoaudit, things to look at, or ready."""
    failed = sum(c.level == "fail" for c in checks)
    warned = sum(c.level == "warn" for c in checks)
    if failed:
        return f"{failed} problem(s) stop photoaudit from running: fix them first.", "bold red"
    if warned:
        return f"Ready, with {warned} thing(s) to look at.", "yellow"
    return "Everything is in place.", "green"


def show(checks: list[Check], console: Console) -> None:
    for check in checks:
        console.print(f"{check.mark} {check.what}: {check.words}", style=STYLES[check.level])
    words, style = verdict(checks)
    console.print(words, style=style)


def render_json(checks: list[Check]) -> str:
    """Version 1: ``ready`` (no check failed), ``problems`` and ``to_look_at`` (counts), and every
    check with its ``level`` (ok, warn or fail), ``what`` and ``words``."""
    from .children_view import JSON_VERSION

    body = {
        "version": JSON_VERSION,
        "ready": not any(c.level == "fail" for c in checks),
        "problems": sum(c.level == "fail" for c in checks),
        "to_look_at": sum(c.level == "warn" for c in checks),
        "checks": [{"level": c.level, "what": c.what, "words": c.words} for c in checks],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
