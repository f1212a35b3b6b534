"""What a manager sees in the terminal, and the one line a cron job logs.

Sentences are in plain words: the rule codes (R2, R5, ...) are left out unless asked for
(``--rules``; the JSON and HTML reports always keep them). Print with the console of
:mod:`photoaudit.formats.console`, which prints every name literally.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.cover import COVER_NOTE_PREFIX
from ..core.decisions import open_faces
from ..core.models import PURPOSE_WORDS, Action, PhotoVerdict, Use
from ..core.safeguards import FACELESS_MARK
from ..media.sources import shown
from ..operations.results import AuditResult
from .console import plain_words, shell_word, show_next

ACTION_STYLE = {Action.KEEP: "green", Action.DELETE: "bold red", Action.REVIEW: "bold yellow"}
ACTION_WORDS = {
    Action.KEEP: "keep",
    Action.DELETE: "delete",
    Action.REVIEW: "a person must look",
}


def summary_line(result: AuditResult, devices_checked: bool = True) -> str:
    """One parseable line: ``photoaudit: photos=12 keep=8 delete=1 review=3 ... takedown=0 warnings=2
    folder=/srv/transfer``.

    ``warnings`` counts the report's warnings (a cron job's one line still says that there are
    some, run after run while they hold). ``devices=unchecked`` when there was no device
    register, so no photo's camera was checked (R6); ``erased=N`` when this run erased N people's
    face data, and ``not_in_register=N`` while face data is kept for N people the register does
    not list; ``dsl=N``, the findings "For the DSL" (audits only). With ``--apply``, ``quarantined=N not_quarantined=M``. The folder is absolute, and
    quoted as a shell would (``'/srv/my photos'``) when it holds spaces or quotes.
    """
    fields = " ".join(f"{k}={v}" for k, v in result.summary.items())
    if result.quarantined is not None:
        fields += f" quarantined={len(result.quarantined)}"
    if result.not_quarantined is not None:
        fields += f" not_quarantined={len(result.not_quarantined)}"
    if result.takedown is not None:
        fields += f" takedown={result.takedown}"
    fields += f" warnings={len(result.warnings)}"
    if result.dsl is not None:
        fields += f" dsl={result.dsl_count}"
    if not devices_checked:
        fields += " devices=unchecked"
    if result.erased:
        fields += f" erased={len(result.erased)}"
    if result.not_in_register:
        fields += f" not_in_register={len(result.not_in_register)}"
    return f"photoaudit: {fields} folder={shlex.quote(shown(os.path.abspath(result.folder)))}"


def needs_attention(verdict: PhotoVerdict) -> bool:
    return (
        verdict.action is not Action.KEEP
        or any(use is not Use.ALLOWED for use in verdict.purposes.values())
        or bool(verdict.provenance and verdict.provenance.gps)
    )


def withheld_words(verdict: PhotoVerdict) -> str:
    withheld = [PURPOSE_WORDS.get(p, p) for p, use in verdict.purposes.items() if use is Use.WITHHELD]
    review = [PURPOSE_WORDS.get(p, p) for p, use in verdict.purposes.items() if use is Use.REVIEW]
    words = ["not for " + "; ".join(withheld)] if withheld else []
    if review:
        words.append("a person must look before " + "; ".join(review))
    return "\n".join(words)


def show(result: AuditResult, console: Console, rules: bool = False) -> None:
    """The summary, then a table of every photo that needs something done.

    Without ``rules`` the sentences leave out the rule codes (R2, R5, ...).
    """
    s = result.summary
    console.print(
        Text.assemble(
            (f"{s['photos']} photos checked: ", "bold"),
            (f"{s['keep']} keep", "green"),
            ", ",
            (f"{s['delete']} delete", "red"),
            ", ",
            (f"{s['review']} for a person to look at", "yellow"),
        )
    )
    if s.get("public_review"):
        n = s["public_review"]
        console.print(Text(
            f"{n} photo{'s' if n != 1 else ''} need{'s' if n == 1 else ''} a look before any public use "
            "(kept for uses inside the setting; photoaudit review, or photoaudit check when posting).",
            style="yellow",
        ))
    show_dsl(result, console)
    for warning in result.warnings:
        console.print(f"Note: {plain_words(shown(warning), rules)}", style="yellow")
    if result.skipped:
        console.print(f"{len(result.skipped)} file(s) skipped, not photos:")
        for skipped in result.skipped:
            console.print(f"  {shown(skipped.relative)}: {plain_words(skipped.reason, rules)}")
    if result.nothing_found:  # an empty folder is not "all clear": a share not mounted, a copy not made
        console.print(f"Nothing was checked: no photos were found in {result.folder.absolute()}.", style="bold red")
        return
    rows = [v for v in result.verdicts if needs_attention(v)]
    if not rows:
        console.print("Every photo is cleared for every use.", style="green")
        return
    order = {Action.DELETE: 0, Action.REVIEW: 1, Action.KEEP: 2}
    table = Table(show_lines=True, title="Photos that need something done")
    table.add_column("Photo", overflow="fold")
    table.add_column("What to do", max_width=32)  # the rest of the width is for the reasons
    table.add_column("Why", overflow="fold")
    for v in sorted(rows, key=lambda v: (order[v.action], v.path)):
        todo = Text(ACTION_WORDS[v.action], style=ACTION_STYLE[v.action])
        if v.provenance is not None and v.provenance.breach:
            todo.append("\nBREACH: tell the DSL", style="bold red")
        if v.action is Action.KEEP:
            todo.append("\n" + withheld_words(v), style="default")
        why = "\n".join(v.reasons) or "\n".join(v.notes)
        if v.reasons and v.provenance is not None and v.provenance.gps:
            why += "\n" + next((n for n in v.notes if "GPS" in n), "")
        if v.reasons:
            why += "".join("\n" + n for n in v.notes if n.startswith(COVER_NOTE_PREFIX))
        table.add_row(shown(v.path), todo, plain_words(shown(why), rules))
    console.print(table)


def show_dsl(result: AuditResult, console: Console) -> None:
    """The "For the DSL" section: each finding in plain words with its photos, then what was not checked."""
    if result.dsl is None or not (result.dsl.findings or result.dsl.not_checked):
        return
    findings = result.dsl.findings
    console.print(f"For the DSL: {len(findings)} finding(s) about how the setting's cameras were used"
                  if findings else "For the DSL: nothing found about how the setting's cameras were used.",
                  style="bold red" if findings else "bold")
    for finding in findings:
        device = f" [{shown(finding.device)}]" if finding.device else ""
        console.print(f"- {finding.kind.value.replace('_', ' ')}{device}: {shown(finding.detail)}", soft_wrap=True)
        if finding.photos:
            listed = ", ".join(shown(p) for p in finding.photos[:8])
            more = f" and {len(finding.photos) - 8} more" if len(finding.photos) > 8 else ""
            console.print(f"    {listed}{more}", soft_wrap=True)
    for words in result.dsl.not_checked:
        console.print(f"  Not checked: {shown(words)}", style="dim")


def faces_for_a_person(result: AuditResult) -> int:
    """Faces `photoaudit review` will ask about (:func:`photoaudit.core.decisions.open_faces`, as
    the HTML report's lists and the JSON report's ``needs_person``)."""
    return sum(len(open_faces(v.faces)) for v in result.verdicts)


def questions_words(result: AuditResult, faces: int) -> str:
    """' (5 questions: 1 group of look-alike faces, 4 faces on their own)' when groups save
    questions, else ''."""
    grouped = [g for g in result.people_to_identify or [] if len(g.faces) > 1]
    in_groups = sum(len(g.faces) for g in grouped)
    if not grouped:
        return ""
    alone = faces - in_groups
    return (f" ({len(grouped) + alone} question(s): {len(grouped)} group(s) of look-alike faces, "
            f"{alone} face(s) on their own)")


def faceless_photos(result: AuditResult) -> int:
    """Photos with no face found whose public uses wait for a person ("no children in this photo")."""
    return sum(any(FACELESS_MARK in r for r in v.reasons) for v in result.verdicts)


@dataclass(frozen=True)
class AfterAudit:
    """What the audit was asked to do, for the next steps it suggests."""

    folder: str  # as typed
    html: str | None = None
    applied: bool = False
    quarantine: str | None = None  # where --apply moved photos


def next_steps(result: AuditResult, after: AfterAudit) -> list[str]:
    """What to do next, in order: the report to look at, faces to decide, photos to delete.

    Commands are written as ``photoaudit ...``; the console completes them with the
    options this run was given (formats/console.py: complete_hints).
    """
    steps: list[str] = []
    s = result.summary
    if after.html:
        steps.append(f"The report with the photos: {after.html} (private: it shows children; delete it when done).")
    faces = faces_for_a_person(result)
    if faces:
        steps.append(f"{faces} face(s) need a person to say who they are{questions_words(result, faces)}: "
                     "photoaudit review")
    faceless = faceless_photos(result)
    if faceless:
        steps.append(f"{faceless} photo(s) with no face found wait for a person to say no child is in them "
                     "(before any public use): photoaudit review")
    if result.dsl_count:
        steps.append(f"{result.dsl_count} finding(s) for the DSL (see 'For the DSL' above): the photos they name are "
                     "evidence; purge keeps them until a person records what the DSL decided "
                     "(photoaudit override PHOTO --reason ...).")
    if s.get("breaches"):
        steps.append(f"{s['breaches']} photo(s) came from a device that is not the setting's: tell the DSL.")
    if result.quarantined:
        steps.append(
            f"Moved {len(result.quarantined)} photo(s) to the quarantine folder {after.quarantine} "
            "(undo with: photoaudit restore --all)."
        )
    if result.not_quarantined:
        steps.append(
            f"{len(result.not_quarantined)} photo(s) to delete were NOT moved to quarantine: each one is in the "
            "notes above, with why."
        )
    elif s["delete"] and not after.applied:
        steps.append(
            f"{s['delete']} photo(s) to delete. To move them to the quarantine folder (nothing is deleted "
            f"for good until a purge): photoaudit audit {shell_word(after.folder)} --apply"
        )
    if s["review"] and not faces:
        steps.append(f"{s['review']} photo(s) need a person to look: see 'Why' above.")
    if not after.html and (s["review"] or s["delete"]):
        steps.append(
            f"To see the photos: photoaudit audit {shell_word(after.folder)} --html report.html"
        )
    return steps


def show_next_steps(result: AuditResult, after: AfterAudit, console: Console) -> None:
    show_next(console, next_steps(result, after))
