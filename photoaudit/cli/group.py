"""The group's command: ``photoaudit group`` (one summary over many settings' audits, issue 18).

A thin typer shell over :mod:`photoaudit.operations.group_reports` and
:mod:`photoaudit.formats.group_view`, assembled into the main command in
:mod:`photoaudit.cli.main`. Exit codes: 0 all fine, 1 findings (a breach, a takedown due, a
setting that did not audit this week, a file that could not be read), 2 nothing readable at
all (or the command could not run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .shared import (
    ForceOption,
    cannot_run_is_exit_2,
    checked_writes,
    console_beside,
    examples,
    parse_today,
    progress_bar,
    report_path,
    send_json,
    settings_from,
    write_out,
)

app = typer.Typer(add_completion=False)


@app.command("group", epilog=examples(
    "photoaudit group /srv/group/reports --html monday.html",
    "photoaudit group acorns/reports oak-tree/reports --no-names --csv group.csv    (for the group office)",
    "photoaudit group /srv/group/reports --quiet    (for cron)",
))
def group_command(
    report_or_folder: Annotated[
        list[Path], typer.Argument(help="Audit reports (JSON), or folders searched for them (links not followed).")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", parser=report_path,
                                     help="Write the summary as JSON here ('-' for standard output).")
    ] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", parser=report_path,
                                                    help="Write the summary as a spreadsheet (CSV) here.")] = None,
    csv_sep: Annotated[
        str, typer.Option("--csv-sep", metavar="SEP", help="Separator of the CSV: ',' (default), ';' or 'tab'.")
    ] = ",",
    html_out: Annotated[Path | None, typer.Option("--html", parser=report_path,
                                                     help="Write the summary as a page here.")] = None,
    no_names: Annotated[
        bool, typer.Option("--no-names", help="No child names anywhere: counts and photo paths only (to share).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="One line per setting, no table (for cron).")] = False,
    today: Annotated[
        str | None, typer.Option("--today", metavar="DATE", help="Count the days since each audit from this date "
                                    "(2026-12-07 or 07/12/2026, day first) instead of today.")
    ] = None,
    force: ForceOption = False,
) -> None:
    """One summary of many settings' audits: the latest of each, breaches, takedowns, renewals, stale ones."""
    from ..formats import csv_report, group_view
    from ..operations.group_reports import group_summary
    from ..operations.run_settings import Writes
    from ..operations.vocabulary import CannotRun

    reports = report_or_folder
    console = console_beside(json_out)
    with cannot_run_is_exit_2("group"):
        day = parse_today(today)
        sep = csv_report.separator(csv_sep)
        settings = settings_from(None, None)
        outputs = [p for p in (json_out, csv_out, html_out) if p is not None and str(p) != "-"]
        given = {Path(p).absolute() for p in reports}
        for out in outputs:
            if out.absolute() in given:
                raise CannotRun(f"{out} is one of the reports to read: write the summary to a file of its own.")
        folders = tuple(p for p in reports if p.is_dir() and not p.is_symlink())  # never write where reports are read
        named = (("--json", json_out), ("--csv", csv_out), ("--html", html_out))
        checked_writes(settings, Writes(folders=folders, reports=tuple((o, p) for o, p in named if p is not None),
                                        force=force, state=False, quarantine=False), run="group")
        with progress_bar(console, enabled=not quiet, label="Reading reports") as (start, advance):
            summary = group_summary(reports, day, names=not no_names, on_start=start, on_file=advance)
        if json_out is not None:
            send_json(json_out, group_view.render_json(summary),
                      lambda path, body: write_out(settings, path, body, force))
        if csv_out is not None:
            write_out(settings, csv_out, group_view.render_csv(summary, sep), force)
        if html_out is not None:
            write_out(settings, html_out, group_view.render_html(summary), force)
    if quiet:
        for line in group_view.quiet_lines(summary):
            console.print(line, soft_wrap=True)
    else:
        group_view.show(summary, console)
    raise typer.Exit(summary.exit_code)
