"""Commands for parents' data rights: find (every photo of a child), published, takedown.

A thin typer shell with its own ``app``, assembled into the main command in
:mod:`photoaudit.cli` (one ``add_typer`` line there). The shared helpers (settings,
the exit-code mapping, the log) are the main CLI's; they are looked up when a command
runs, so this module never imports the assembler at import time. Exit codes as
everywhere: 0 nothing to do, 1 something to do, 2 could not run.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .check import parse_purpose
from .child_ids import resolve_child_id
from .formats import write_private
from .models import PURPOSE_WORDS
from .published import PublishedBook, PublishedCopy, Takedown, pending_takedowns, select
from .register import load_register
from .store import Store

app = typer.Typer(add_completion=False)

#: The version of the JSON that ``published``, ``takedown`` and ``find`` write (README).
RIGHTS_JSON_VERSION = 1


def shell() -> ModuleType:
    """The main CLI module (settings, exit codes, log), loaded by the time a command runs."""
    from . import cli

    return cli


def write_json(target: Path, body: dict) -> None:
    text = json.dumps({"version": RIGHTS_JSON_VERSION, **body}, indent=2, ensure_ascii=False) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
    else:
        write_private(target, text)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} {value!r} is not a date like 2026-09-01.") from None


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


def use_words(purpose: str) -> str:
    return PURPOSE_WORDS.get(purpose, purpose.replace("_", " "))


JsonOut = Annotated[Optional[Path], typer.Option("--json", help="Write the list as JSON here ('-' for standard output).")]


@app.command("published")
def published_command(
    child: Annotated[Optional[str], typer.Option("--child", help="Only copies showing this child.")] = None,
    purpose: Annotated[Optional[str], typer.Option("--for", help="Only copies made for this use.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only copies made on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Only copies made on or before this date (YYYY-MM-DD).")] = None,
    json_out: JsonOut = None,
) -> None:
    """List the copies `check --export` made for publishing: where they went, who is in them."""
    cli = shell()
    console = cli.err_console() if json_out is not None and str(json_out) == "-" else Console(highlight=False)
    with cli.cannot_run_is_exit_2("published"):
        settings = cli.settings_from(None, None)
        first, last = parse_day(since, "--since"), parse_day(until, "--until")
        use = None if purpose is None else parse_purpose(purpose, settings.purposes)
        with Store(settings.state_path) as store:
            copies = PublishedBook(store).copies()
            if child is not None:
                known = {c for copy in copies for c in copy.children} | set(store.stored_child_ids())
                if settings.register_path.is_file():
                    known |= set(load_register(settings.register_path, purposes=settings.purposes).children)
                child = resolve_child_id(child, known)
        chosen = select(copies, child, use, first, last)
        if json_out is not None:
            write_json(json_out, {"kind": "published", "filters": {"child": child, "purpose": use, "since": since,
                                                                  "until": until},
                                  "copies": [copy_json(c) for c in chosen]})
    if not chosen:
        console.print("No published copy is recorded" + (" that matches." if copies else " yet."))
        raise typer.Exit(cli.EXIT_CLEAR)
    table = Table(title=f"Copies made for publishing ({len(chosen)})")
    for column in ("No.", "Made on", "For", "Posted to", "Children shown", "Copy", "Taken down"):
        table.add_column(column, overflow="fold")
    for c in chosen:
        table.add_row(str(c.id), c.exported[:10], use_words(c.purpose), c.posted_to or "-",
                      ", ".join(c.children) or "-", c.copy, (c.taken_down or "")[:10])
    console.print(table)
    raise typer.Exit(cli.EXIT_CLEAR)


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
    cli = shell()
    console = cli.err_console() if json_out is not None and str(json_out) == "-" else Console(highlight=False)
    with cli.cannot_run_is_exit_2("takedown"):
        day = cli.parse_today(today)
        settings = cli.settings_from(None, None)
        register = load_register(settings.register_path, purposes=settings.purposes)
        with Store(settings.state_path) as store:
            if done:
                book = PublishedBook(store)
                known = {c.id for c in book.copies()}
                unknown = sorted(set(done) - known)
                if unknown:
                    raise ValueError(f"No published copy has the number {', '.join(map(str, unknown))}: "
                                     "see `photoaudit published`.")
                when = datetime.now(timezone.utc).isoformat(timespec="seconds")
                for copy_id in book.mark_taken_down(done, when, cli.who_am_i(by)):
                    console.print(f"Recorded copy No. {copy_id} as taken down.")
                    cli.log(f"takedown: copy No. {copy_id} recorded as taken down by {cli.who_am_i(by)}")
            found = pending_takedowns(store, register, day)
        if json_out is not None:
            write_json(json_out, {"kind": "takedown", "today": day.isoformat(), "count": len(found),
                                  "takedown": [takedown_json(d) for d in found]})
    line = f"photoaudit takedown: takedown={len(found)}"
    cli.log(line)
    if not found:
        console.print("Nothing to take down: every recorded published copy is still allowed by today's register.")
        raise typer.Exit(cli.EXIT_CLEAR)
    table = Table(show_lines=True, title=f"Take these {len(found)} published copies down")
    for column in ("No.", "Posted to", "For", "Made on", "Copy", "Why"):
        table.add_column(column, overflow="fold")
    for d in found:
        c = d.copy
        table.add_row(str(c.id), c.posted_to or "(not recorded)", use_words(c.purpose), c.exported[:10], c.copy,
                      "\n".join(why for _, why in d.reasons))
    console.print(table)
    console.print("When a copy is down, record it with: photoaudit takedown --done No.")
    raise typer.Exit(cli.EXIT_FINDINGS)
