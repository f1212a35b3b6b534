"""The quarantine's commands: ``restore`` and ``purge``.

A thin typer shell over :mod:`photoaudit.operations.quarantine`: options in, one operation,
its result shown.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import ExitStatus
from .shared import (
    NoTodayOption,
    cannot_run_is_exit_2,
    checked_settings,
    console_for,
    examples,
    log,
    refuse_today,
    settings_from,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)
    from rich.console import Console

    from ..operations import quarantine


def show_items(console: Console, items: list[quarantine.Item], title: str) -> None:
    from rich.table import Table

    from ..formats.paths import shown

    table = Table(title=title)
    table.add_column("Quarantined on")
    table.add_column("Photo", overflow="fold")
    table.add_column("Why", overflow="fold")
    for item in items:
        table.add_row(f"{item.time:%Y-%m-%d %H:%M}", shown(str(item.original)), shown(item.reason))
    console.print(table)


@app.command("restore", epilog=examples(
    "photoaudit --data consent_data/little-acorns restore                 (list the quarantine)",
    "photoaudit --data consent_data/little-acorns restore tablet-2/IMG_0102.jpg",
    "photoaudit --data consent_data/little-acorns restore --all",
))
def restore_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Photos to put back: their original path (full or relative) or quarantine path."),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Put back every quarantined photo.")] = False,
    today: NoTodayOption = None,
) -> None:
    """Put quarantined photos back where they were. With no photo named, list the quarantine."""
    from ..formats.paths import shown
    from ..operations import quarantine

    console = console_for()
    with cannot_run_is_exit_2("restore"):
        refuse_today(today, "restore")
        settings = checked_settings(quarantine.writes(settings_from(None, None)))
        if not paths and not every:
            items = listing_after_recovery(console, settings)
            if items:
                show_items(console, items, f"In quarantine ({settings.quarantine_path})")
                console.print("Put photos back with: photoaudit restore PATH... or photoaudit restore --all")
            else:
                console.print("The quarantine folder is empty.")
            raise typer.Exit(ExitStatus.CLEAR)
        restored = quarantine.restore(settings, paths or [], every)
    for name in restored.unknown:
        console.print(f"Not in quarantine: {shown(name)}", style="yellow")
    for words in restored.stale:
        log(f"restore: {words}")
    outcome = restored.outcome
    for words in outcome.recovered:
        console.print(shown(words))
        log(f"restore: {words}")
    for item in outcome.done:
        console.print(f"Put back {shown(str(item.original))}")
        log(f"restore: put back {item.quarantined} as {item.original} (sha256 {item.sha256})")
    for path, why in outcome.skipped:
        console.print(f"Not put back {shown(path)}: {why}", style="yellow")
    raise typer.Exit(ExitStatus.CLEAR if not restored.unknown and not outcome.skipped else ExitStatus.CANNOT_RUN)


def listing_after_recovery(console: Console, settings) -> list[quarantine.Item]:  # noqa: ANN001
    """What is in quarantine, after finishing any move a killed run left half done.

    Finishing a move needs the quarantine's lock; while another run holds it, the listing
    says so, and names the photos that run is moving, rather than hiding them.
    """
    from ..operations import quarantine

    found = quarantine.listing(settings)
    if found.stale:
        log(f"restore: {found.stale}")
    for words in found.recovered:
        console.print(words)
        log(f"restore: {words}")
    if found.busy:
        console.print("Another photoaudit run is moving photos in or out of quarantine now; "
                      "this list may change when it finishes.")
        for op in found.moving:
            console.print(f"Being moved now: {op.get('original', '?')} ({op.get('op', '?')})")
    return found.items

def interactive() -> bool:
    """True when a person is at a terminal to answer (piped input can never confirm a purge)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirmed(question: str) -> bool:
    """Ask at a terminal; no terminal, no answer or end of input is no."""
    if not interactive():
        return False
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        return False


@app.command("purge", epilog=examples(
    "photoaudit --data consent_data/little-acorns purge --older-than 30d          (asks first)",
    "photoaudit --data consent_data/little-acorns purge --older-than 30d --yes    (for cron)",
))
def purge_command(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Delete photos quarantined longer ago than this: 30d, 4w, 12h.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for cron).")] = False,
    today: NoTodayOption = None,
) -> None:
    """Delete, for good, photos that have been in quarantine longer than --older-than."""
    from ..formats.paths import shown
    from ..operations import quarantine

    console = console_for()

    def confirm(plan: quarantine.PurgePlan) -> bool:
        if plan.stale:
            log(f"purge: {plan.stale}")
        for words in plan.recovered:
            console.print(words)
            log(f"purge: {words}")
        for item, why in plan.kept:  # never deleted: evidence for the DSL (docs/managers-week.md, "For the DSL")
            console.print(f"Not deleted {shown(str(item.quarantined))}: {why}", style="yellow")
            log(f"purge: kept {item.quarantined} (sha256 {item.sha256}): evidence for the DSL")
        if not plan.chosen:
            return False
        show_items(console, plan.chosen, f"To delete for good ({len(plan.chosen)} photos)")
        return yes or confirmed(f"Delete these {len(plan.chosen)} photos for good? This cannot be undone")

    with cannot_run_is_exit_2("purge"):
        refuse_today(today, "purge")  # the age counts from now, never from another day
        settings = checked_settings(quarantine.writes(settings_from(None, None)))
        purged = quarantine.purge(settings, older_than, confirm)
    if not purged.plan.chosen:
        console.print(f"Nothing has been in quarantine longer than {older_than}.")
        raise typer.Exit(ExitStatus.CLEAR)
    outcome = purged.outcome
    if outcome is None:
        console.print(
            "Nothing was deleted." if interactive() else
            "Nothing was deleted: only a person at a terminal can confirm a purge. "
            "For a scheduled run, add --yes."
        )
        log(f"purge: not confirmed, nothing deleted, exit={ExitStatus.NOT_CONFIRMED}")
        raise typer.Exit(ExitStatus.NOT_CONFIRMED)
    for words in outcome.recovered:
        log(f"purge: {words}")
    for item in outcome.done:
        log(f"purge: deleted {item.quarantined} (was {item.original}, sha256 {item.sha256}, "
            f"quarantined {item.time:%Y-%m-%d})")
    for path, why in outcome.skipped:
        console.print(f"Not deleted {shown(path)}: {why}", style="yellow")
    console.print(f"Deleted {len(outcome.done)} photo(s) for good; the manifest records each one.")
    raise typer.Exit(ExitStatus.CLEAR if not outcome.skipped else ExitStatus.CANNOT_RUN)
