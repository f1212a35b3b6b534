"""Commands for parents' data rights: find (every photo of a child), published, takedown,
forget (erase a child's face data).

A thin typer shell with its own ``app``, assembled into the main command in
:mod:`photoaudit.cli.main` (one ``add_typer`` line there). The shared helpers (settings,
the exit-code mapping, the log) come from :mod:`photoaudit.cli.shared`; this module never
imports the assembler. Exit codes as everywhere: 0 nothing to do, 1 something to do,
2 could not run.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import BadValue, ExitStatus
from . import shared
from .shared import cannot_run_is_exit_2, checked_settings, console_for, examples, log

if TYPE_CHECKING:  # the libraries are imported when a command runs, so that --help starts quickly
    from ..operations.published import PublishedCopy, Takedown
    from ..operations.vocabulary import Settings

app = typer.Typer(add_completion=False)

#: The version of the JSON that ``published``, ``takedown`` and ``find`` write (docs/parents-rights.md).
RIGHTS_JSON_VERSION = 1


def write_json(settings: Settings, target: Path, body: dict) -> None:
    """The list as JSON, to standard output or to its file through the one place that writes
    reports (checked before the command did anything: :func:`checked_json`)."""
    text = json.dumps({"version": RIGHTS_JSON_VERSION, **body}, indent=2, ensure_ascii=False) + "\n"
    shared.send_json(target, text, lambda path, body: shared.write_out(settings, path, body))


def checked_json(json_out: Path | None, run: str) -> Settings:
    """The settings, once ``--json`` is checked as every report is (never a photo, a register, a
    file photoaudit did not write, or inside an audited folder)."""
    from ..operations.run_settings import Writes

    settings = shared.settings_from(None, None)
    shared.checked_writes(settings, Writes(reports=(("--json", json_out),) if json_out is not None else ()), run=run)
    return settings


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{option} {value!r} is not a date like 2026-09-01.") from None


def copy_json(copy: PublishedCopy) -> dict:
    return {
        "id": copy.id,
        "sha256": copy.sha256,
        "original": copy.original,
        "copy": copy.copy,
        "purpose": copy.purpose,
        "children": list(copy.children),
        "covered_faces": copy.covered,
        "posted_to": copy.posted_to,
        "exported": copy.exported,
        "taken_down": copy.taken_down,
        "taken_down_by": copy.taken_down_by,
    }


def takedown_json(down: Takedown) -> dict:
    return {**copy_json(down.copy), "reasons": [{"child_id": c, "why": why} for c, why in down.reasons]}


JsonOut = Annotated[Path | None, typer.Option("--json", parser=shared.report_path,
                                                 help="Write the list as JSON here ('-' for standard output).")]


@app.command("published")
def published_command(
    child: Annotated[str | None, typer.Option("--child", help="Only copies showing this child.")] = None,
    purpose: Annotated[str | None, typer.Option("--for", help="Only copies made for this use.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only copies made on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only copies made on or before this date (YYYY-MM-DD).")] = None,
    json_out: JsonOut = None,
) -> None:
    """List the copies `check --export` made for publishing: where they went, who is in them."""
    from ..formats.published_view import published_table
    from ..operations.check import parse_purpose
    from ..operations.published import published

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("published"):
        settings = checked_json(json_out, "published")
        first, last = parse_day(since, "--since"), parse_day(until, "--until")
        use = None if purpose is None else parse_purpose(purpose, settings.purposes)
        found = published(settings, child, use, first, last)
        chosen = found.chosen
        if json_out is not None:
            write_json(settings, json_out, {"kind": "published", "filters": {"child": found.child, "purpose": use,
                                                                             "since": since, "until": until},
                                  "copies": [copy_json(c) for c in chosen]})
    if not chosen:
        console.print("No published copy is recorded" + (" that matches." if found.copies else " yet."))
        raise typer.Exit(shared.ExitStatus.CLEAR)
    console.print(published_table(chosen))
    raise typer.Exit(shared.ExitStatus.CLEAR)


@app.command("takedown")
def takedown_command(
    json_out: JsonOut = None,
    done: Annotated[
        list[int] | None, typer.Option("--done", help="Record that copy No. N has been taken down (repeat for more).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who took it down (default: your user name).")] = None,
    today: Annotated[str | None, typer.Option("--today", help="Judge as if today were this date (YYYY-MM-DD).")] = None,
) -> None:
    """List published copies today's register no longer allows: take them down. Exit 1 when there are any."""
    from ..formats.published_view import takedown_table
    from ..operations.published import takedown

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("takedown"):
        day = shared.parse_today(today)
        settings = checked_json(json_out, "takedown")
        who = shared.who_am_i(by)

        def say_marked(ids: list[int]) -> None:
            for copy_id in ids:
                console.print(f"Recorded copy No. {copy_id} as taken down.")
                shared.log(f"takedown: copy No. {copy_id} recorded as taken down by {who}")

        found = takedown(settings, day, done or [], who, say_marked)
        if json_out is not None:
            write_json(settings, json_out, {"kind": "takedown", "today": day.isoformat(), "count": len(found),
                                  "takedown": [takedown_json(d) for d in found]})
    line = f"photoaudit takedown: takedown={len(found)}"
    shared.log(line)
    if not found:
        console.print("Nothing to take down: every recorded published copy is still allowed by today's register.")
        raise typer.Exit(shared.ExitStatus.CLEAR)
    console.print(takedown_table(found))
    console.print("When a copy is down, record it with: photoaudit takedown --done No.")
    raise typer.Exit(shared.ExitStatus.FINDINGS)


@app.command("find")
def find_command(
    child_id: Annotated[str, typer.Argument(help="The child, by their id in the register.")],
    json_out: JsonOut = None,
    copy_to: Annotated[
        Path | None, typer.Option("--copy", help="Copy the photos that still exist into this private folder "
                                     "(for the parent; nothing is overwritten).")
    ] = None,
    others: Annotated[
        bool | None, typer.Option("--others/--no-others", help="Say who else is in each photo "
                                     "(default: on with --copy).")
    ] = None,
    cover: Annotated[
        bool, typer.Option("--cover", help="With --copy: cover every other face, as check --export does.")
    ] = False,
) -> None:
    """Every photo photoaudit has seen of a child (a parent's subject access request), from the store alone."""
    from ..formats import find_view
    from ..operations.subject_access import find, find_json

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("find"):
        if cover and copy_to is None:
            raise BadValue("--cover covers faces in the copies: use it with --copy.")
        with_others = others if others is not None else copy_to is not None
        settings = checked_json(json_out, f"find {child_id}")
        found = find(settings, child_id, copy_to, cover)
        child_id, label, photos, copies = found.child_id, found.label, found.photos, found.copies
        if copies is not None:
            shared.log(f"find {child_id}: copied {len(copies.written)} photo(s) to {copy_to} "
                    f"({sum(n > 0 for _, _, n in copies.written)} with other faces covered), held back {len(copies.held)}")
        if json_out is not None:
            write_json(settings, json_out, find_json(child_id, photos, with_others, copies))
    if not photos:
        console.print(f"photoaudit has seen no photo of {label} in any audited folder.")
        raise typer.Exit(shared.ExitStatus.CLEAR)
    console.print(find_view.table(label, photos, with_others))
    if copies is not None:
        for photo, why in copies.held:
            console.print(f"Not copied {photo.name}: {why}", style="yellow")
        console.print(
            f"Copied {len(copies.written)} of {len(photos)} photo(s) to {copies.folder}. Look at each copy before "
            "you hand it over: photoaudit cannot see a child from behind or too small to find.",
            markup=False,
        )
    raise typer.Exit(shared.ExitStatus.CLEAR)


@app.command("forget", epilog=examples("photoaudit --data consent_data/little-acorns forget c07"))
def forget_command(
    child_id: Annotated[str, typer.Argument(help="The child (or staff id) whose face data must be erased: their "
                                            "id as in the register (an id nobody has is refused).")],
) -> None:
    """Erase a child's (or member of staff's) face templates and every stored face that was them;
    never enrol them again."""
    from ..operations.workflow import forget_person

    console = console_for()
    with cannot_run_is_exit_2("forget"):
        forgotten = forget_person(checked_settings(), child_id)
    erasure, label, child_id = forgotten.erasure, forgotten.label, forgotten.person_id
    words = erasure.words(label)
    log(f"forget: {words}")
    console.print(words)
    if not erasure.references and not erasure.photos:
        console.print(f"No face data was stored for {label}: they were not enrolled.", style="yellow")
    console.print(
        f"{child_id} will not be enrolled again unless you run "
        f"`photoaudit enrol --allow-again {child_id}`."
    )
    if forgotten.folder.is_dir():
        console.print(
            f"Their reference photos are still in {forgotten.folder}: photoaudit does not delete photos. "
            "Delete that folder too if "
            + ("they asked for their photos to be erased." if forgotten.staff else
               "the parents asked for their photos to be erased.")
        )
    console.print(
        "Past reports and the quarantine manifest still name the child (not their face data)."
    )
    raise typer.Exit(ExitStatus.CLEAR)
