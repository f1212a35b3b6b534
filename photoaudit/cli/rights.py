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
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..operations.vocabulary import BadValue, ExitStatus
from . import shared
from .shared import cannot_run_is_exit_2, checked_settings, console_for, examples, log

if TYPE_CHECKING:  # the libraries are imported when a command runs, so that --help starts quickly
    from ..store.published import PublishedCopy, Takedown
    from ..core.settings import Settings
    from ..operations.subject_access import ChildPhoto

app = typer.Typer(add_completion=False)

#: The version of the JSON that ``published``, ``takedown`` and ``find`` write (README).
RIGHTS_JSON_VERSION = 1


def write_json(settings: Settings, target: Path, body: dict) -> None:
    """The list as JSON, to standard output or to its file through the one place that writes
    reports (checked before the command did anything: :func:`checked_json`)."""
    text = json.dumps({"version": RIGHTS_JSON_VERSION, **body}, indent=2, ensure_ascii=False) + "\n"
    shared.send_json(target, text, lambda path, body: shared.write_out(settings, path, body))


def checked_json(json_out: Path | None, run: str) -> Settings:
    """The settings, once ``--json`` is checked as every report is (never a photo, a register, a
    file photoaudit did not write, or inside an audited folder)."""
    from ..store.outputs import Writes

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


JsonOut = Annotated[Optional[Path], typer.Option("--json", parser=shared.report_path,
                                                 help="Write the list as JSON here ('-' for standard output).")]


@app.command("published")
def published_command(
    child: Annotated[Optional[str], typer.Option("--child", help="Only copies showing this child.")] = None,
    purpose: Annotated[Optional[str], typer.Option("--for", help="Only copies made for this use.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only copies made on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only copies made on or before this date (YYYY-MM-DD).")] = None,
    json_out: JsonOut = None,
) -> None:
    """List the copies `check --export` made for publishing: where they went, who is in them."""
    from rich.table import Table

    from ..operations.check import parse_purpose
    from ..core.child_ids import resolve_child_id
    from ..core.words import purpose_words
    from ..store.published import PublishedBook, select
    from ..store.database import Store
    from ..operations.workflow import known_child_ids

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("published"):
        settings = checked_json(json_out, "published")
        first, last = parse_day(since, "--since"), parse_day(until, "--until")
        use = None if purpose is None else parse_purpose(purpose, settings.purposes)
        with Store(settings.state_path) as store:
            copies = PublishedBook(store).copies()
            if child is not None:
                known = known_child_ids(settings, store) | {c for copy in copies for c in copy.children}
                child = resolve_child_id(child, known)
        chosen = select(copies, child, use, first, last)
        if json_out is not None:
            write_json(settings, json_out, {"kind": "published", "filters": {"child": child, "purpose": use, "since": since,
                                                                  "until": until},
                                  "copies": [copy_json(c) for c in chosen]})
    if not chosen:
        console.print("No published copy is recorded" + (" that matches." if copies else " yet."))
        raise typer.Exit(shared.ExitStatus.CLEAR)
    table = Table(title=f"Copies made for publishing ({len(chosen)})")
    for column in ("No.", "Made on", "For", "Posted to", "Children shown", "Copy", "Taken down"):
        table.add_column(column, overflow="fold")
    for c in chosen:
        table.add_row(str(c.id), c.exported[:10], purpose_words([c.purpose]), c.posted_to or "-",
                      ", ".join(c.children) or "-", c.copy, (c.taken_down or "")[:10])
    console.print(table)
    raise typer.Exit(shared.ExitStatus.CLEAR)


@app.command("takedown")
def takedown_command(
    json_out: JsonOut = None,
    done: Annotated[
        Optional[list[int]], typer.Option("--done", help="Record that copy No. N has been taken down (repeat for more).")
    ] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who took it down (default: your user name).")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="Judge as if today were this date (YYYY-MM-DD).")] = None,
) -> None:
    """List published copies today's register no longer allows: take them down. Exit 1 when there are any."""
    from rich.table import Table

    from ..core.words import purpose_words
    from ..store.published import PublishedBook, pending_takedowns
    from ..setting.register import load_register
    from ..store.database import Store

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("takedown"):
        day = shared.parse_today(today)
        settings = checked_json(json_out, "takedown")
        register = load_register(settings.register_path, purposes=settings.purposes)
        with Store(settings.state_path) as store:
            if done:
                book = PublishedBook(store)
                known = {c.id for c in book.copies()}
                unknown = sorted(set(done) - known)
                if unknown:
                    raise BadValue(f"No published copy has the number {', '.join(map(str, unknown))}: "
                                     "see `photoaudit published`.")
                when = datetime.now(timezone.utc).isoformat(timespec="seconds")
                for copy_id in book.mark_taken_down(done, when, shared.who_am_i(by)):
                    console.print(f"Recorded copy No. {copy_id} as taken down.")
                    shared.log(f"takedown: copy No. {copy_id} recorded as taken down by {shared.who_am_i(by)}")
            found = pending_takedowns(store, register, day)
        if json_out is not None:
            write_json(settings, json_out, {"kind": "takedown", "today": day.isoformat(), "count": len(found),
                                  "takedown": [takedown_json(d) for d in found]})
    line = f"photoaudit takedown: takedown={len(found)}"
    shared.log(line)
    if not found:
        console.print("Nothing to take down: every recorded published copy is still allowed by today's register.")
        raise typer.Exit(shared.ExitStatus.CLEAR)
    table = Table(show_lines=True, title=f"Take these {len(found)} published copies down")
    for column in ("No.", "Posted to", "For", "Made on", "Copy", "Why"):
        table.add_column(column, overflow="fold")
    for d in found:
        c = d.copy
        table.add_row(str(c.id), c.posted_to or "(not recorded)", purpose_words([c.purpose]), c.exported[:10], c.copy,
                      "\n".join(why for _, why in d.reasons))
    console.print(table)
    console.print("When a copy is down, record it with: photoaudit takedown --done No.")
    raise typer.Exit(shared.ExitStatus.FINDINGS)


@app.command("find")
def find_command(
    child_id: Annotated[str, typer.Argument(help="The child, by their id in the register.")],
    json_out: JsonOut = None,
    copy_to: Annotated[
        Optional[Path], typer.Option("--copy", help="Copy the photos that still exist into this private folder "
                                     "(for the parent; nothing is overwritten).")
    ] = None,
    others: Annotated[
        Optional[bool], typer.Option("--others/--no-others", help="Say who else is in each photo "
                                     "(default: on with --copy).")
    ] = None,
    cover: Annotated[
        bool, typer.Option("--cover", help="With --copy: cover every other face, as check --export does.")
    ] = False,
) -> None:
    """Every photo photoaudit has seen of a child (a parent's subject access request), from the store alone."""
    from rich.table import Table

    from ..core.child_ids import resolve_child_id
    from ..core.words import child_label, purpose_words
    from ..setting.register import load_register
    from ..store.database import Store
    from ..operations.subject_access import copy_photos, find_json, photos_of
    from ..operations.workflow import known_child_ids
    from ..store.outputs import is_inside

    console = shared.console_beside(json_out)
    with shared.cannot_run_is_exit_2("find"):
        if cover and copy_to is None:
            raise BadValue("--cover covers faces in the copies: use it with --copy.")
        with_others = others if others is not None else copy_to is not None
        settings = checked_json(json_out, f"find {child_id}")
        register = load_register(settings.register_path, purposes=settings.purposes) if settings.register_path.is_file() else None
        with Store(settings.state_path) as store:
            child_id = resolve_child_id(child_id, known_child_ids(settings, store))
            photos = photos_of(store, child_id, settings.quarantine_path)
            folders = sorted({folder for folder, *_ in store.all_locations()})
        copies = None
        if copy_to is not None:
            for folder in folders:
                if is_inside(copy_to, Path(folder)):
                    raise BadValue(f"{copy_to} is inside {folder}, an audited folder: photoaudit never writes "
                                     "into it, so choose another place.")
            copies = copy_photos(photos, copy_to, cover)
            shared.log(f"find {child_id}: copied {len(copies.written)} photo(s) to {copy_to} "
                    f"({sum(n > 0 for _, _, n in copies.written)} with other faces covered), held back {len(copies.held)}")
        if json_out is not None:
            write_json(settings, json_out, find_json(child_id, photos, with_others, copies))
    child = register.get(child_id) if register else None
    label = child_label(child) if child else child_id
    if not photos:
        console.print(f"photoaudit has seen no photo of {label} in any audited folder.")
        raise typer.Exit(shared.ExitStatus.CLEAR)
    table = Table(show_lines=True, title=f"Photos of {label} ({len(photos)})")
    for column in ("Photo", "Taken", "Cleared for", "Where it is now") + (("Also shows",) if with_others else ()):
        table.add_column(column, overflow="fold")
    for photo in photos:
        first = photo.places[0].path if photo.places else (photo.quarantined[0] if photo.quarantined else photo.sha256[:12])
        cleared = ", ".join(purpose_words([p]) for p in photo.cleared_for) or ("nothing" if photo.judged else "not known")
        row = [str(first), (photo.taken or "")[:10], cleared, photo.where_now()]
        if with_others:
            row.append(others_words(photo))
        table.add_row(*row)
    console.print(table)
    if copies is not None:
        for photo, why in copies.held:
            console.print(f"Not copied {photo.name}: {why}", style="yellow")
        console.print(
            f"Copied {len(copies.written)} of {len(photos)} photo(s) to {copies.folder}. Look at each copy before "
            "you hand it over: photoaudit cannot see a child from behind or too small to find.",
            markup=False,
        )
    raise typer.Exit(shared.ExitStatus.CLEAR)


def others_words(photo: ChildPhoto) -> str:
    if not photo.judged:
        return "not known (not audited since the face data was erased)"
    parts = list(photo.faces.others)
    if photo.faces.unidentified:
        parts.append(f"{len(photo.faces.unidentified)} face(s) not identified")
    return ", ".join(parts) or "nobody else"


@app.command("forget", epilog=examples("photoaudit --data consent_data/little-acorns forget c07"))
def forget_command(
    child_id: Annotated[str, typer.Argument(help="The child (or staff id) whose face data must be erased: their "
                                            "id as in the register (an id nobody has is refused).")],
) -> None:
    """Erase a child's (or member of staff's) face templates and every stored face that was them;
    never enrol them again."""
    from ..core.models import staff_id_of
    from ..operations.workflow import forget

    console = console_for()
    with cannot_run_is_exit_2("forget"):
        settings = checked_settings()
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        erasure = forget(settings, child_id, when)
        label = forgotten_label(settings, erasure.child_id)
    child_id = staff_id_of(erasure.child_id) or erasure.child_id  # as the register writes it
    words = erasure.words(label)
    log(f"forget: {words}")
    console.print(words)
    if not erasure.references and not erasure.photos:
        console.print(f"No face data was stored for {label}: they were not enrolled.", style="yellow")
    console.print(
        f"{child_id} will not be enrolled again unless you run "
        f"`photoaudit enrol --allow-again {child_id}`."
    )
    staff = staff_id_of(erasure.child_id) is not None  # a staff id: erased as staff:<id>
    folder = (settings.staff_dir if staff else settings.faces_dir) / child_id
    if folder.is_dir():
        console.print(
            f"Their reference photos are still in {folder}: photoaudit does not delete photos. "
            "Delete that folder too if "
            + ("they asked for their photos to be erased." if staff else
               "the parents asked for their photos to be erased.")
        )
    console.print(
        "Past reports and the quarantine manifest still name the child (not their face data)."
    )
    raise typer.Exit(ExitStatus.CLEAR)


def forgotten_label(settings: Settings, child_id: str) -> str:
    """'Ava Patel (c01)' or 'Jo Smith (staff JS01)' when the registers (readable) name them, else the id."""
    from ..core.models import staff_id_of
    from ..operations.vocabulary import CannotRun
    from ..operations.workflow import erased_label, load_registers

    try:
        return erased_label(load_registers(settings), child_id)
    except (CannotRun, OSError):  # the register's problems are CannotRun too
        return staff_id_of(child_id) or child_id
