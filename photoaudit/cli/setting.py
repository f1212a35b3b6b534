"""What photoaudit knows of the setting: ``doctor``, ``children``, ``staff``, ``devices``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import RENEW_WITHIN_DAYS, ExitStatus
from .shared import (
    Detector,
    DetectorOption,
    ForceOption,
    JsonOption,
    MaxAgeOption,
    RulesOption,
    TodayOption,
    cannot_run_is_exit_2,
    checked_writes,
    console_beside,
    console_for,
    csv_line,
    environment,
    examples,
    name_folders,
    parse_today,
    report_path,
    send_json,
    settings_from,
    to_stdout,
    write_out,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)
    from ..operations.vocabulary import Settings


@app.command("doctor", epilog=examples(
    "photoaudit doctor",
    "photoaudit --data consent_data/little-acorns doctor",
    "photoaudit doctor --json -",
))
def doctor_command(
    detector: DetectorOption = Detector("auto"),
    json_out: JsonOption = None,
    force: ForceOption = False,
) -> None:
    """Check the set-up: models, detector, state folder and its privacy, register, devices.csv, browser."""
    from ..formats import doctor_view
    from ..formats.console import show_next
    from ..operations.doctor import checkup, next_step

    console = console_beside(json_out)
    with cannot_run_is_exit_2("doctor"):
        env = environment()
        checks = checkup(lambda: settings_from(None, None), detector.value, env.config, env.data_dir)
        if json_out is not None and to_stdout(json_out):  # needs no settings: doctor says what is amiss with them
            sys.stdout.write(doctor_view.render_json(checks))
        elif json_out is not None:
            write_out(json_settings(json_out, "doctor", force=force), json_out, doctor_view.render_json(checks), force)
    doctor_view.show(checks, console)
    show_next(console, [next_step(checks)])
    raise typer.Exit(ExitStatus.CANNOT_RUN if any(c.level == "fail" for c in checks) else ExitStatus.CLEAR)


@app.command("children", epilog=examples(
    "photoaudit --data consent_data/little-acorns children",
    "photoaudit --data consent_data/little-acorns children --max-age 4",
    "photoaudit --data consent_data/little-acorns children --renewals --days 60 --csv renewals.csv",
))
def children_command(
    max_age: MaxAgeOption = 6,
    detector: DetectorOption = Detector("auto"),
    today: TodayOption = None,
    renewals: Annotated[
        bool, typer.Option("--renewals", help="List only the consents due for renewal (child, each use in a "
                           "parent's words, date), for letters to parents: no face engine needed.")
    ] = False,
    days: Annotated[
        int, typer.Option("--days", min=0, metavar="N", help="With --renewals: due within this many days.")
    ] = RENEW_WITHIN_DAYS,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", parser=report_path, metavar="FILE",
                                  help="With --renewals: also write the list as CSV, ready for a mail merge.")
    ] = None,
    json_out: JsonOption = None,
    force: ForceOption = False,
) -> None:
    """Each child's consent and enrolment: templates, and how old the newest reference photo is."""
    from ..formats import children_view
    from ..operations import overview
    from ..operations.vocabulary import CannotRun

    console = console_beside(json_out)
    with cannot_run_is_exit_2("children"):
        if not renewals and (csv_out is not None or days != RENEW_WITHIN_DAYS):
            raise CannotRun("--csv and --days belong to the renewal list: add --renewals.")
        day = parse_today(today)
        settings = json_settings(json_out, "children", csv_out, force)
        if renewals:
            letters = overview.renewals(settings, day, days)
            if csv_out is not None:
                csv_out = write_out(settings, csv_out, children_view.renewals_csv(letters), force)
            if json_out is not None:
                send_json(json_out, children_view.renewals_json(letters, day, days),
                          lambda path, body: write_out(settings, path, body, force))
        else:
            found = overview.children(settings, detector.value, day, max_age)
            warnings = children_view.warnings(found.rows, day, max_age) + found.warnings
            if json_out is not None:
                send_json(json_out, children_view.render_json(found.rows, day, warnings, found.notes),
                          lambda path, body: write_out(settings, path, body, force))
    if renewals:
        if letters:
            console.print(children_view.renewals_table(letters, day, days))
        console.print(children_view.renewals_words(letters, days))
        if csv_out is not None:
            console.print(f"The list for a mail merge: {csv_out}")
        return
    console.print(children_view.table(found.rows, day))
    for line in warnings:
        console.print(line, style="yellow")
    for line in found.notes:
        console.print(line)


@app.command("staff", epilog=examples(
    "photoaudit --data consent_data/little-acorns staff",
    "photoaudit --data consent_data/little-acorns staff --max-age 12",
))
def staff_command(
    max_age: MaxAgeOption = 6,
    detector: DetectorOption = Detector("auto"),
    today: TodayOption = None,
    json_out: JsonOption = None,
    force: ForceOption = False,
) -> None:
    """Each member of staff's consent and enrolment (staff.csv): templates, newest reference photo."""
    from ..formats import staff_view
    from ..operations import overview

    console = console_beside(json_out)
    with cannot_run_is_exit_2("staff"):
        day = parse_today(today)
        settings = json_settings(json_out, "staff", force=force)
        found = overview.staff(settings, detector.value, day, max_age)
        warnings = staff_view.warnings(found.rows, day, max_age)
        if json_out is not None:
            send_json(json_out, staff_view.render_json(found.rows, found.register.staff, day, warnings),
                      lambda path, body: write_out(settings, path, body, force))
    console.print(staff_view.table(found.rows, found.register.staff, day))
    for line in warnings:
        console.print(line, style="yellow")


def json_settings(json_out: Path | None, run: str, csv_out: Path | None = None, force: bool = False) -> Settings:
    """The settings, once the reports this command writes (``--json``, ``--csv``) are checked as
    every report is (never a register, a photo or a file photoaudit did not write)."""
    from ..operations.run_settings import Writes

    settings = settings_from(None, None)
    reports = tuple((option, path) for option, path in (("--json", json_out), ("--csv", csv_out)) if path is not None)
    checked_writes(settings, Writes(reports=reports, force=force), run=run)
    return settings


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
            seen_in = next(iter(entry.folders)) if len(entry.folders) == 1 else ""
            cells = ["", "", camera.make, camera.model, camera.serial, "" if seen_in == "." else seen_in]
            console.print(csv_line(cells), soft_wrap=True)
