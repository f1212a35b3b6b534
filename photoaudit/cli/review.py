"""The review loop: ``review`` (a person answers what photoaudit could not) and
``override`` (a person's word on one photo).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import ExitStatus
from .shared import (
    cannot_run_is_exit_2,
    checked_settings,
    console_for,
    examples,
    open_in_viewer,
    who_am_i,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)

    pass


@app.command("review", epilog=examples(
    "photoaudit --data consent_data/little-acorns review                   (every audited folder)",
    "photoaudit --data consent_data/little-acorns review /path/to/transfer --decisions decisions.csv",
    "photoaudit --data consent_data/little-acorns review --list",
    "photoaudit --data consent_data/little-acorns review --undo tablet-2/IMG_0103.jpg --face 1",
))
def review_command(
    folder: Annotated[
        Path | None,
        typer.Argument(help="An audited folder (default: every audited folder with faces to decide)."),
    ] = None,
    decisions: Annotated[
        Path | None,
        typer.Option("--decisions", help="Record decisions from a CSV (columns photo, face, decision) instead of asking."),
    ] = None,
    open_viewer: Annotated[bool, typer.Option("--open", help="Open each face in the system's picture viewer.")] = False,
    enrol: Annotated[
        bool, typer.Option("--enrol", help="Add faces confirmed as a child (or member of staff) to their reference "
                           "photos (face matching: yes only).")
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who is deciding (default: your user name).")] = None,
    list_them: Annotated[bool, typer.Option("--list", help="List the decisions recorded so far.")] = False,
    undo: Annotated[
        str | None, typer.Option("--undo", metavar="PHOTO", help="Remove the decisions about this photo's faces "
                                    "(as --list shows it), so the next review asks again.")
    ] = None,
    face: Annotated[int | None, typer.Option("--face", min=1, help="With --undo: only this face.")] = None,
) -> None:
    """Say who the faces are that photoaudit could not identify; later audits apply it."""
    from ..operations import review

    console = console_for()
    with cannot_run_is_exit_2():
        settings = checked_settings()
        if list_them or undo is not None:
            with review.decision_book(settings) as book:
                register = review.load_registers(settings)
                if undo is not None:
                    for line in review.undo_decisions(book, undo, face, folder, register):
                        console.print(line)
                    raise typer.Exit(ExitStatus.CLEAR)
                listed = review.list_decisions(book, register, folder)
            for line in listed or ["No decisions recorded yet."]:
                console.print(line)
            raise typer.Exit(ExitStatus.CLEAR)
    with cannot_run_is_exit_2(), review.reviewing(settings, who_am_i(by), enrol) as reviewer:
        if decisions is not None:
            outcome = review.review_from_csv(
                reviewer, decisions, review.audited_faces(reviewer.book, folder), review.latest_photos(reviewer.book, folder),
                review.pending_groups(reviewer.book, folder),
            )
        else:
            faces = review.pending_faces(reviewer.book, folder)
            photos = review.latest_photos(reviewer.book, folder)
            groups = review.pending_groups(reviewer.book, folder)
            if not faces and not photos:
                console.print(review.nothing_to_review(reviewer.book, folder))
                raise typer.Exit(ExitStatus.CLEAR)

            def ask(item: object, crop: Path | None, lines: list[str]) -> str:
                console.print("")
                for line in lines:
                    console.print(line)
                if isinstance(item, review.AuditPhoto):
                    question = "Is any child in this photo? (n)o children in it, (s)kip or (q)uit"
                elif isinstance(item, review.UnknownGroup):
                    question = "Who is it? A name, a child id, a staff id, (a)dult, (n)ot a face, (s)kip or (q)uit"
                else:
                    console.print(f"Face crop: {crop}")
                    yes = ", (y)es as matched" if review.offers_yes(item) else ""
                    question = f"Who is this? A name, a child id, a staff id{yes}, (a)dult, (n)ot a face, (s)kip or (q)uit"
                try:
                    return typer.prompt(question, default="s", show_default=False)
                except typer.Abort:
                    return "q"

            def confirm(question: str) -> bool:
                try:
                    return typer.confirm(question, default=False)
                except typer.Abort:
                    return False

            outcome = review.review_interactively(
                reviewer, faces, ask, console.print, open_in_viewer if open_viewer else None,
                photos=photos, confirm=confirm, groups=groups,
            )
    for message in outcome.messages:
        console.print(message)
    photos_decided = f" and {len(outcome.decided_photos)} \"no children\" decision(s)" if outcome.decided_photos else ""
    console.print(
        f"Recorded {len(outcome.decided)} decision(s){photos_decided}, skipped {len(outcome.skipped)}. "
        "Every audit (and check) from now on applies them (photoaudit review --list shows them, --undo takes "
        "one back)."
    )
    if outcome.enrolled:
        from ..operations.workflow import prepare

        with cannot_run_is_exit_2():
            report = prepare(settings).enrolment
            rejected = [(path, why) for _, path, why in (report.rejected if report else []) if path in outcome.enrolled]
            with review.decision_book(settings) as book:
                review.drop_rejected(book, settings.faces_dir, [path for path, _ in rejected], settings.staff_dir)
        for path, why in rejected:
            console.print(f"Not kept as a reference photo: {path}: {why} (the decision itself is kept).", style="yellow")
        console.print(f"Enrolment refreshed with {len(outcome.enrolled) - len(rejected)} new reference photo(s).")


class OverrideAction(str, Enum):
    keep = "keep"
    delete = "delete"
    review = "review"


@app.command("override", epilog=examples(
    'photoaudit override tablet-1/IMG_0003.jpg --action keep --reason "Parents agreed in writing on 20/11"',
    "photoaudit override tablet-1/IMG_0003.jpg --remove",
))
def override_command(
    photo: Annotated[str, typer.Argument(help="The photo: a file, or its path as an audit's report shows it.")],
    action: Annotated[OverrideAction | None, typer.Option("--action", help="The action to force.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required; shown in every report).")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who decided (default: your user name).")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove this photo's override.")] = False,
    folder: Annotated[
        Path | None, typer.Option("--folder", help="The audited folder the photo is in (default: every audited "
                                     "folder; needed only when two have a photo of that name).")
    ] = None,
) -> None:
    """Force a photo's action (keep, delete or review), with a reason; every report shows it."""
    from ..operations import review

    console = console_for()
    with cannot_run_is_exit_2():
        done = review.override(checked_settings(), photo, folder, action.value if action else None, reason,
                               who_am_i(by), remove)
    if remove:
        console.print(f"Removed the override of {done.label}." if done.removed else f"{done.label} had no override.")
        return
    assert done.override is not None  # recorded, as it was not a removal
    console.print(f"{done.label}: action forced to {done.override.action.value} ({reason.strip()}). "
                  "Every audit from now on shows it.")
