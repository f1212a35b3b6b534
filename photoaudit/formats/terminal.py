"""What a manager sees in the terminal, and the one line a cron job logs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..auditor import AuditResult
from ..cover import COVER_NOTE_PREFIX
from ..models import PURPOSE_WORDS, Action, PhotoVerdict, Use
from ..sources import shown

ACTION_STYLE = {Action.KEEP: "green", Action.DELETE: "bold red", Action.REVIEW: "bold yellow"}
ACTION_WORDS = {
    Action.KEEP: "keep",
    Action.DELETE: "delete",
    Action.REVIEW: "a person must look",
}


def summary_line(result: AuditResult) -> str:
    """One parseable line: ``photoaudit: photos=12 keep=8 delete=1 review=3 ... takedown=0``."""
    fields = " ".join(f"{k}={v}" for k, v in result.summary.items())
    if result.quarantined is not None:
        fields += f" quarantined={len(result.quarantined)}"
    if result.takedown is not None:
        fields += f" takedown={result.takedown}"
    return f"photoaudit: {fields} folder={shown(str(result.folder))}"


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


def show(result: AuditResult, console: Console) -> None:
    """The summary, then a table of every photo that needs something done."""
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
    for warning in result.warnings:
        console.print(Text(f"Note: {shown(warning)}", style="yellow"))
    if result.skipped:
        console.print(Text(f"{len(result.skipped)} file(s) skipped, not photos:"))
        for skipped in result.skipped:
            console.print(Text(f"  {shown(skipped.relative)}: {skipped.reason}"))
    rows = [v for v in result.verdicts if needs_attention(v)]
    if not rows:
        console.print("Every photo is cleared for every use.", style="green")
        return
    order = {Action.DELETE: 0, Action.REVIEW: 1, Action.KEEP: 2}
    table = Table(show_lines=True, title="Photos that need something done")
    table.add_column("Photo", overflow="fold")
    table.add_column("What to do")
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
        table.add_row(Text(shown(v.path)), todo, Text(shown(why)))
    console.print(table)
