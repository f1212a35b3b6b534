"""What `photoaudit check` says: one line per photo, the JSON report, the cron line.

The JSON is the audit's version-1 report (same fields, same meaning) with a
top-level ``check`` object and, per image, ``check`` and (with --export)
``export`` objects added. See docs/reports.md ("The JSON report of `check`").
"""

from __future__ import annotations

import json
import os
from typing import Any

from rich.console import Console
from rich.text import Text

from ..core.cover import covered_words
from ..core.models import PURPOSE_WORDS
from ..core.use_names import UseAsked
from ..core.words import child_label
from ..operations.check import CheckResult, PhotoCheck
from . import json_report
from .console import plain_words


def count(n: int, thing: str) -> str:
    """'1 photo', '3 photos'."""
    return f"{n} {thing}" + ("" if n == 1 else "s")


def purpose_name(purpose: str) -> str:
    return PURPOSE_WORDS.get(purpose, purpose.replace("_", " "))


def use_line(asked: UseAsked) -> str:
    """Which use is checked, when it was asked for by an everyday name: 'facebook' -> social media."""
    return (f"Checking for {purpose_name(asked.purpose)} (--for {asked.purpose}): {asked.typed!r} is "
            "read as that use.")


def photo_line(photo: PhotoCheck, purpose: str) -> str:
    """'IMG_0002.jpg: NOT cleared for social media: Grace Okafor (c02) has no consent ...'."""
    where = purpose_name(purpose)
    if photo.cleared:
        return f"{photo.media.relative}: cleared for {where}."
    return f"{photo.media.relative}: NOT cleared for {where}: " + " ".join(photo.plan.blockers)


def export_line(photo: PhotoCheck, result: CheckResult) -> str:
    """What the export did with the photo, naming the faces it covered."""
    if photo.copy is None:
        return "no copy made: " + " ".join(photo.held)
    where = os.path.join(str(result.export_dir), photo.copy.name)
    line = f"copy written: {where}"
    if photo.wanted_name:
        line += f" ({photo.wanted_name} was already there, so nothing was overwritten)"
    if photo.regions:
        line += f", with {covered_words(photo.plan)} covered"
        kept = [child_label(c.child) for c in photo.plan.kept if c.child]
        if kept:
            line += f"; everyone left in it is identified and cleared for {purpose_name(result.purpose)}: " + ", ".join(kept)
        else:
            line += "; no face is left uncovered"
    line += "."
    return line


def show(result: CheckResult, console: Console, rules: bool = False) -> None:
    """One line per photo (and its copy), then a summary; rule codes (R2) only with ``rules``."""
    for warning in result.warnings:
        console.print(f"Note: {plain_words(warning, rules)}", style="yellow")
    for photo in result.photos:
        console.print(plain_words(photo_line(photo, result.purpose), rules), style="green" if photo.cleared else "bold red")
        if result.export_dir is not None:
            console.print("    " + plain_words(export_line(photo, result), rules), style="default" if photo.copy else "yellow")
    n = len(result.photos)
    where = purpose_name(result.purpose)
    console.print(Text(f"{result.cleared} of {count(n, 'photo')} cleared for {where}.", style="bold"))
    if result.export_dir is not None:
        covered = sum(bool(p.regions) for p in result.photos)
        console.print(Text(
            f"{result.copies} of {count(n, 'photo')} copied to {result.export_dir} ({covered} with faces "
            f"covered), {n - result.copies} held back. Look at each copy before you post it: "
            "photoaudit cannot see a child from behind or too small to find, or a name on a "
            "jumper.",
            style="bold",
        ))


def summary_line(result: CheckResult) -> str:
    """``photoaudit check: purpose=social_media photos=3 cleared=1 not_cleared=2 copies=2 held=1 warnings=0``."""
    line = (
        f"photoaudit check: purpose={result.purpose} photos={len(result.photos)} "
        f"cleared={result.cleared} not_cleared={len(result.photos) - result.cleared}"
    )
    if result.export_dir is not None:
        line += f" copies={result.copies} held={len(result.photos) - result.copies}"
    return line + f" warnings={len(result.warnings)}"


def export_json(photo: PhotoCheck) -> dict[str, Any]:
    return {
        "copy": photo.copy.name if photo.copy else None,
        "renamed_from": photo.wanted_name,
        "covered": [
            {
                "face": call.index,
                "child_id": call.child.child_id if call.child else None,
                "status": call.face.status.value,
                "box": list(call.face.box),
                "region": list(region),
                "why": call.why,
            }
            for call, region in photo.regions
        ],
        "kept": [c.child.child_id for c in photo.plan.kept if c.child],
        "held": list(photo.held),
    }


def report_json(result: CheckResult) -> dict[str, Any]:
    report = json_report.report_json(result.as_audit())
    report["check"] = {
        "purpose": result.purpose,
        "photos": len(result.photos),
        "cleared": result.cleared,
        "not_cleared": len(result.photos) - result.cleared,
        "export": None if result.export_dir is None else {
            "folder": str(result.export_dir),
            "unknown": result.unknown,
            "copies": result.copies,
            "held": len(result.photos) - result.copies,
        },
    }
    for image, photo in zip(report["images"], result.photos, strict=True):
        image["check"] = {"purpose": result.purpose, "cleared": photo.cleared, "why": list(photo.plan.blockers)}
        if result.export_dir is not None:
            image["export"] = export_json(photo)
    return report


def render_json(result: CheckResult) -> str:
    return json.dumps(report_json(result), indent=2, ensure_ascii=False) + "\n"
