"""Starting out: ``init`` (a new setting's folder) and ``demo`` (the demo, built and audited).

Neither reads a setting: they make one. Nothing they did not make is ever overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..operations.vocabulary import ExitStatus
from .shared import cannot_run_is_exit_2, console_for, examples

app = typer.Typer(add_completion=False)


@app.command("init", epilog=examples(
    "photoaudit init consent_data/little-acorns",
    "photoaudit --data consent_data/little-acorns doctor",
))
def init_command(
    folder: Annotated[Path, typer.Argument(help="The new setting's folder (made if missing; "
                                           "one that holds a setting already is refused).")],
) -> None:
    """Start a new setting: photoaudit.toml, children.csv, staff.csv, devices.csv, faces/ and staff/."""
    from ..formats.console import show_next
    from ..formats.start_view import init_lines, init_next
    from ..operations.new_setting import make_setting

    console = console_for()
    with cannot_run_is_exit_2("init", logged=False):
        made = make_setting(folder)
    for line in init_lines(made):
        console.print(line, soft_wrap=True)
    show_next(console, [init_next(made)])


@app.command("demo", epilog=examples(
    "photoaudit demo",
    "photoaudit demo ~/photoaudit-demo",
))
def demo_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Where to build the demo (a new folder, or one the demo "
                                           "made before).")] = Path("photoaudit-demo"),
) -> None:
    """Build the demo setting (public-domain faces), enrol it, audit its week, say what to look at."""
    from ..formats.start_view import demo_built_lines, demo_done_lines
    from ..operations.demo import build

    console = console_for()
    with cannot_run_is_exit_2("demo", logged=False):
        places = build(folder)
    for line in demo_built_lines(places):
        console.print(line, soft_wrap=True)
    # The demo's enrolment and audit are photoaudit's own commands, run as a person would type them.
    photoaudit = ctx.find_root().command
    # --data too: PHOTOAUDIT_DATA, if this computer sets it, never points the demo at a real setting.
    config = ["--config", str(places.config), "--data", str(places.setting)]
    json_report, csv_report, html_report = places.reports
    enrolled = photoaudit.main([*config, "enrol"], prog_name="photoaudit", standalone_mode=False) or 0
    if enrolled != ExitStatus.CLEAR:
        raise typer.Exit(enrolled)
    audited = photoaudit.main([*config, "audit", str(places.transfer), "--json", str(json_report), "--csv",
                               str(csv_report), "--html", str(html_report)],
                              prog_name="photoaudit", standalone_mode=False) or 0
    if audited > ExitStatus.FINDINGS:
        raise typer.Exit(audited)
    for line in demo_done_lines(places, audited):
        console.print(line, soft_wrap=True)
