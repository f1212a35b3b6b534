"""What photoaudit knows of the setting: ``doctor``, ``children``, ``staff``, ``devices``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import ExitStatus
from .shared import (
    Detector,
    DetectorOption,
    MaxAgeOption,
    RulesOption,
    TodayOption,
    cannot_run_is_exit_2,
    checked_settings,
    checked_writes,
    console_for,
    csv_line,
    environment,
    examples,
    name_folders,
    parse_today,
    settings_from,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)

    pass


@app.command("doctor", epilog=examples(
    "photoaudit doctor",
    "photoaudit --data consent_data/little-acorns doctor",
))
def doctor_command(
    detector: DetectorOption = Detector.auto,
) -> None:
    """Check the set-up: models, detector, state folder and its privacy, register, devices.csv, browser."""
    from ..operations.doctor import checkup, next_step

    console = console_for()
    with cannot_run_is_exit_2("doctor"):
        env = environment()
        checks = checkup(lambda: settings_from(None, None), detector.value, env.config, env.data_dir)
    for check in checks:
        style = {"ok": "green", "warn": "yellow", "fail": "bold red"}[check.level]
        console.print(f"{check.mark} {check.what}: {check.words}", style=style)
    failed = sum(c.level == "fail" for c in checks)
    warned = sum(c.level == "warn" for c in checks)
    if failed:
        console.print(f"{failed} problem(s) stop photoaudit from running: fix them first.", style="bold red")
    elif warned:
        console.print(f"Ready, with {warned} thing(s) to look at.", style="yellow")
    else:
        console.print("Everything is in place.", style="green")
    console.print(f"Next: {next_step(checks)}", soft_wrap=True)
    raise typer.Exit(ExitStatus.CANNOT_RUN if failed else ExitStatus.CLEAR)


@app.command("children", epilog=examples(
    "photoaudit --data consent_data/little-acorns children",
    "photoaudit --data consent_data/little-acorns children --max-age 4",
))
def children_command(
    max_age: MaxAgeOption = 6,
    detector: DetectorOption = Detector.auto,
    today: TodayOption = None,
) -> None:
    """Each child's consent and enrolment: templates, and how old the newest reference photo is."""
    from ..formats import children_view
    from ..operations import overview

    console = console_for()
    with cannot_run_is_exit_2():
        day = parse_today(today)
        found = overview.children(checked_settings(), detector.value, day, max_age)
    console.print(children_view.table(found.rows, day))
    for line in children_view.warnings(found.rows, day, max_age) + found.warnings:
        console.print(line, style="yellow")
    for line in found.notes:
        console.print(line)


@app.command("staff", epilog=examples(
    "photoaudit --data consent_data/little-acorns staff",
    "photoaudit --data consent_data/little-acorns staff --max-age 12",
))
def staff_command(
    max_age: MaxAgeOption = 6,
    detector: DetectorOption = Detector.auto,
    today: TodayOption = None,
) -> None:
    """Each member of staff's consent and enrolment (staff.csv): templates, newest reference photo."""
    from ..formats import staff_view
    from ..operations import overview

    console = console_for()
    with cannot_run_is_exit_2():
        day = parse_today(today)
        found = overview.staff(checked_settings(), detector.value, day, max_age)
    console.print(staff_view.table(found.rows, found.register.staff, day))
    for line in staff_view.warnings(found.rows, day, max_age):
        console.print(line, style="yellow")


@app.command("devices", epilog=examples(
    "photoaudit --data consent_data/little-acorns devices /path/to/transfer",
))
def devices_command(
    folder: Annotated[Path, typer.Argument(help="A folder of photos (and videos) from the setting's devices.")],
    rules: RulesOption = False,
) -> None:
    """List the cameras the photos in a folder came from, to fill in devices.csv."""
    from rich.table import Table

    from ..formats.console import plain_words
    from ..operations import overview
    from ..operations.run_settings import Writes

    console = console_for()
    name_folders((folder,))
    with cannot_run_is_exit_2():
        settings = settings_from(None, None)
        checked_writes(settings, Writes(folders=(folder,)))
        found = overview.cameras(settings, folder)
    seen, registered = found.seen, found.registered
    table = Table(title=f"Cameras seen in {folder}")
    for column in ("make", "model", "serial", "files", "folders", "registered as"):
        table.add_column(column, overflow="fold")
    for entry in seen:
        camera = entry.camera
        folders = ", ".join(f"{name} ({n})" for name, n in entry.folders.most_common())
        if camera is None:
            table.add_row("(no camera recorded)", "", "", str(entry.files), folders, "a person must check these")
            continue
        where = ", ".join(entry.device_ids) or ("-" if registered is not None else "")
        table.add_row(camera.make, camera.model, camera.serial, str(entry.files), folders, where)
    console.print(table)
    unregistered = [e for e in seen if e.camera is not None and not e.device_ids]
    if registered is None:
        console.print(
            f"No device register yet. Copy consent_data/template/devices.csv to {settings.devices_path} "
            "and add one row per setting device (make and model exactly as above)."
        )
    elif unregistered:
        console.print(plain_words(
            "Cameras with no device in 'registered as' are not setting devices: their photos are breaches (R6).", rules
        ))
    if unregistered:
        console.print("Rows for devices.csv (add only cameras that belong to the setting; fill in device_id and label):")
        console.print("device_id,label,make,model,serial,folder", soft_wrap=True)
        for entry in unregistered:
            camera = entry.camera
            assert camera is not None
            folder = next(iter(entry.folders)) if len(entry.folders) == 1 else ""
            cells = ["", "", camera.make, camera.model, camera.serial, "" if folder == "." else folder]
            console.print(csv_line(cells), soft_wrap=True)
