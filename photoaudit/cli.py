"""The command line: a thin typer shell over :mod:`photoaudit.workflow`.

Exit codes: 0 all clear, 1 something needs deleting or a person to look,
2 the command could not run, 3 another run was already working on it,
4 the audit ran but a sub-folder could not be read (its photos were not checked),
5 purge was not confirmed (nothing was deleted).
"""

from __future__ import annotations

import csv
import getpass
import io
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .check import gather, parse_purpose, run_check, validate
from .cli_rights import app as rights_app
from .config import ConfigError, Settings, command_line_match, find_config, load_config
from .devices import load_devices, survey
from .engine import DETECTORS, EngineSettings, EngineUnavailable
from .formats import check_report, children_view, csv_report, html_report, json_report, staff_view, terminal
from .lock import AlreadyRunning
from .parallel import default_jobs
from . import review
from .decision_store import DecisionBook
from .decisions import action_from
from .enrolment import eligible_children, enrolled_photos, sha256_file
from .models import Override, staff_id_of
from .published import record_check
from .references import DEFAULT_MAX_AGE_MONTHS, overview, reference_warnings, staff_overview
from .report_retention import prune as prune_reports
from .register import RegisterError, parse_date
from .register_checks import folder_warnings, list_faces_dir, register_warnings
from .runlog import try_log, write_dated_report
from .sources import iter_media
from .video import read_video_meta
from .review import ReviewError
from .staff_rules import staff_label
from .store import Store
from .outputs import Writes, check_writes, log_refusal, write_report
from .workflow import (
    CannotRun,
    allow_again,
    apply_findings,
    audit as run_audit,
    audit_locks,
    erased_label,
    prepare,
)

EXIT_CLEAR, EXIT_FINDINGS, EXIT_CANNOT_RUN, EXIT_ALREADY_RUNNING = 0, 1, 2, 3
EXIT_UNCHECKED = 4  # the audit finished, but the photos in an unreadable sub-folder were not checked
#: purge listed what it would delete but nobody confirmed it at a terminal: nothing was deleted.
EXIT_NOT_CONFIRMED = 5

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check nursery photos against the children's photo consent.",
)
app.add_typer(rights_app)  # find, published, takedown (photoaudit/cli_rights.py)


class State:
    data_dir: Optional[Path] = None  # --data or PHOTOAUDIT_DATA; else photoaudit.toml's, else consent_data
    state_dir: Optional[Path] = None
    config: Optional[Path] = None
    quarantine_dir: Optional[Path] = None
    log_file: Optional[Path] = None
    folders: tuple[Path, ...] = ()  # audited or checked by this command: nothing is written there


state = State()


def version_callback(value: bool) -> None:
    if value:
        print(f"photoaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    data: Annotated[
        Optional[Path],
        typer.Option("--data", help="Folder with children.csv and faces/ (env PHOTOAUDIT_DATA; "
                     "default: photoaudit.toml's, else consent_data).", envvar="PHOTOAUDIT_DATA"),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option("--config", help="Settings file (default: photoaudit.toml in this folder, if there)."),
    ] = None,
    state_dir: Annotated[
        Optional[Path],
        typer.Option("--state", help="Private folder for face templates (default: DATA/state)."),
    ] = None,
    quarantine_dir: Annotated[
        Optional[Path],
        typer.Option("--quarantine", envvar="PHOTOAUDIT_QUARANTINE",
                     help="Where --apply moves photos to delete (default: DATA/quarantine)."),
    ] = None,
    log_file: Annotated[
        Optional[Path], typer.Option("--log", help="Log file (default: STATE/photoaudit.log).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.data_dir = data
    state.state_dir = state_dir
    state.config = config
    state.quarantine_dir = quarantine_dir
    state.log_file = log_file
    state.folders = ()  # each command names its own


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def log(message: str) -> None:
    """One line in the log file (never stops a run, even one stopped by bad settings)."""
    try:
        settings = settings_from(None, None)
        if log_refusal(settings, state.folders):
            return  # refused (and said so): never into a folder being checked, a register, a photo...
    except (ConfigError, OSError, ValueError):
        return
    try_log(settings.log_path, message)


@contextmanager
def cannot_run_is_exit_2(command: str = "photoaudit") -> Iterator[None]:
    """Turn every 'could not run' error into a plain message and exit code 2 (3: already running)."""
    try:
        yield
    except AlreadyRunning as err:
        err_console().print(f"[bold yellow]photoaudit is already running:[/] {err}", markup=True, soft_wrap=True)
        log(f"{command}: already running, exit={EXIT_ALREADY_RUNNING}: {err}")
        raise typer.Exit(EXIT_ALREADY_RUNNING) from None
    except (CannotRun, RegisterError, EngineUnavailable, ConfigError, ReviewError, OSError, ValueError, sqlite3.Error) as err:
        err_console().print(f"[bold red]photoaudit could not run:[/] {err}", markup=True)
        log(f"{command}: could not run, exit={EXIT_CANNOT_RUN}: {err}")
        raise typer.Exit(EXIT_CANNOT_RUN) from None


def settings_from(tolerance: float | None, margin: float | None) -> Settings:
    """photoaudit.toml (if any), then the command line on top."""
    config = find_config(state.config)
    settings = load_config(config) if config is not None else Settings()
    match = command_line_match(settings.match, tolerance, margin)
    return replace(
        settings,
        data_dir=state.data_dir if state.data_dir is not None else settings.data_dir,
        state_dir=state.state_dir if state.state_dir is not None else settings.state_dir,
        match=match,
        quarantine_dir=state.quarantine_dir if state.quarantine_dir is not None else settings.quarantine_dir,
        log_file=state.log_file if state.log_file is not None else settings.log_file,
    )


TodayOption = Annotated[
    Optional[str], typer.Option("--today", help="Judge as if today were this date: 2026-09-01 or 01/09/2026 (day first).")
]
DetectorOption = Annotated[
    str, typer.Option("--detector", help=f"Face detector: {', '.join(DETECTORS)}.")
]
JsonOption = Annotated[
    Optional[Path], typer.Option("--json", help="Write the JSON report here ('-' for standard output).")
]
ToleranceOption = Annotated[
    Optional[float], typer.Option(help="Largest face distance that can count as a match (default 0.5).")
]
MarginOption = Annotated[
    Optional[float], typer.Option(help="How much nearer the best child must be than the next (default 0.08).")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace a report photoaudit wrote even if it was changed since "
                       "(never any other file).")
]


def checked_settings(writes: Writes | None = None) -> Settings:
    """The settings, once what the command will write is checked (for commands with no folder)."""
    settings = settings_from(None, None)
    checked_writes(settings, writes or Writes())
    return settings


def checked_writes(settings: Settings, writes: Writes) -> None:
    """Refuse what this command must not write (exit 2), and say when a folder is open to others."""
    state.folders = tuple(writes.folders)
    for words in check_writes(settings, writes):
        err_console().print(words, style="yellow", markup=False, soft_wrap=True)


def parse_today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        day = parse_date(value)  # the register's own date forms: 2026-09-01 or 01/09/2026
    except ValueError as err:
        raise CannotRun(f"--today: {err}") from None
    if day is None:
        raise CannotRun("--today needs a date, like 2026-09-01 or 01/09/2026 (day first).")
    return day


@app.command("enrol")
def enrol_command(
    detector: DetectorOption = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only print problems.")] = False,
    allow_again_ids: Annotated[
        Optional[list[str]],
        typer.Option("--allow-again", help="Enrol again a child (or member of staff) erased with `forget` "
                     "(they agreed again)."),
    ] = None,
) -> None:
    """Learn the faces of registered children (and staff) who have face-matching permission."""
    console = Console(highlight=False)
    with cannot_run_is_exit_2("enrol"):
        settings = checked_settings()
        for given in allow_again_ids or []:
            key = allow_again(settings, given)  # an id nobody erased has: exit 2
            child_id = staff_id_of(key) or key
            console.print(f"{child_id} may be enrolled again.")
            log(f"enrol: {child_id} allowed to be enrolled again")
        prepared = prepare(settings, EngineSettings(detector=detector), force_enrol=True)
    report = prepared.enrolment
    assert report is not None
    if not quiet:
        for child_id, count in sorted(report.enrolled.items()):
            style = "green" if count else "yellow"
            if (staff_id := staff_id_of(child_id)) is not None:
                who = staff_label(prepared.register.staff.get(staff_id), staff_id)
            else:
                who = f"{prepared.register.children[child_id].name} ({child_id})"
            console.print(f"[{style}]{who}: {count} reference photo(s) enrolled[/]", markup=True)
    for child_id, photo, why in report.rejected:
        folder = "staff" if staff_id_of(child_id) is not None else "faces"
        console.print(f"[yellow]Rejected {folder}/{photo}: {why}[/]")
    for warning in report.warnings:
        console.print(f"[yellow]{warning}[/]")
    if not quiet:
        for note in report.notes:
            console.print(note, markup=False)
    for erasure in report.erasures:
        child = prepared.register.get(erasure.child_id)
        words = erasure.words(f"{child.name} ({erasure.child_id})" if child
                              else erased_label(prepared.register, erasure.child_id))
        console.print(words)
        log(f"enrol: {words}")
    if not quiet:
        staff = sum(staff_id_of(k) is not None for k in report.enrolled)
        also = f" and {staff} member(s) of staff" if staff else ""
        console.print(f"{len(report.enrolled) - staff} children{also} enrolled; templates kept privately "
                      f"in {settings.state_path}")


@app.command("audit")
def audit_command(
    folder: Annotated[Path, typer.Argument(help="The transfer folder to audit.")],
    json_out: JsonOption = None,
    csv_out: Annotated[Optional[Path], typer.Option("--csv", help="Write a spreadsheet (CSV) here.")] = None,
    faces_csv: Annotated[
        Optional[Path], typer.Option("--faces-csv", help="Write a spreadsheet (CSV) with a row per face here: fill in "
                                     "its decision column and give it to photoaudit review --decisions.")
    ] = None,
    csv_sep: Annotated[
        str, typer.Option("--csv-sep", help="Separator of the CSV files: ',' (default), ';' (Excel in most "
                          "European languages) or 'tab'.")
    ] = ",",
    html_out: Annotated[
        Optional[Path], typer.Option("--html", help="Write a visual report with thumbnails here (private: shows children).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One summary line, no table or progress (for cron).")
    ] = False,
    tolerance: ToleranceOption = None,
    margin: MarginOption = None,
    detector: DetectorOption = "auto",
    today: TodayOption = None,
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Photos checked in parallel (default: CPU cores).")
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Move every photo to delete into the quarantine folder.")
    ] = False,
    reports_dir: Annotated[
        Optional[Path], typer.Option("--reports", help="Folder for the dated JSON report of each run "
                                     "(default: STATE/reports).")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Audit a folder of photos: keep, delete, or needs a person to look, with reasons."""
    to_stdout = json_out is not None and str(json_out) == "-"
    # With --json -, standard output carries only JSON; everything else goes to stderr.
    console = err_console() if to_stdout else Console(highlight=False)
    with cannot_run_is_exit_2(f"audit {folder}"):
        day = parse_today(today)
        sep = csv_report.separator(csv_sep)
        state.folders = (folder,)
        settings = settings_from(tolerance, margin)
        if reports_dir is not None:
            settings = replace(settings, reports_dir=reports_dir)
        outputs = tuple(p for p in (json_out, csv_out, faces_csv, html_out) if p is not None)
        checked_writes(settings, Writes(folders=(folder,), reports=outputs, force=force))
        with audit_locks(settings, folder, apply) as recovered:
            for words in recovered:
                log(f"audit {folder}: {words}")
            prepared = prepare(settings, EngineSettings(detector=detector))
            if prepared.enrolment is not None and not quiet:
                console.print(
                    f"Enrolment refreshed: {enrolled_words(prepared.enrolment.enrolled)} enrolled."
                )
            with progress_bar(console, enabled=not quiet) as (start, advance):
                result = run_audit(folder, prepared, day, on_start=start, on_file=advance,
                                   jobs=jobs or default_jobs())
            result.warnings[:0] = recovered
            if prepared.enrolment is not None:
                result.warnings.extend(prepared.enrolment.warnings)
                for erased in result.erased:
                    log(f"audit {folder}: erased the face data of {erased['child_id']} ({erased['why']}): "
                        f"{erased['references']} reference template(s), {erased['photo_faces']} stored face(s)")
            if apply:
                outcome = apply_findings(result, settings)
                for item in outcome.done:
                    log(f"audit {folder}: moved {item.original} to quarantine as {item.quarantined} "
                        f"(sha256 {item.sha256})")
            text = json_report.render(result)
            dated = write_dated_report(settings.reports_path, result.generated, text)
            try:
                pruned = prune_reports(settings.reports_path, settings.log_path,
                                       settings.reports_months, datetime.now(timezone.utc)).words()
            except OSError as err:  # never stops the audit; the log says what could not be removed
                pruned = f"could not remove reports and log lines past their retention ({err})"
            if pruned:
                log(f"audit {folder}: {pruned}")
            if json_out is not None:
                if to_stdout:
                    sys.stdout.write(text)
                else:
                    write_report(settings, json_out, text, force)
            if csv_out is not None:
                write_report(settings, csv_out, csv_report.render(result, prepared.register, sep), force)
            if faces_csv is not None:
                write_report(settings, faces_csv, csv_report.render_faces(result, prepared.register, sep), force)
            if html_out is not None:
                write_report(settings, html_out, html_report.render(result, prepared.register), force)
    line = terminal.summary_line(result)
    log(f"{line} exit={result.exit_code} report={dated}")
    if quiet:
        console.print(line, markup=False, soft_wrap=True)
    else:
        terminal.show(result, console)
        if result.quarantined:
            console.print(
                f"Moved {len(result.quarantined)} photo(s) to the quarantine folder "
                f"{settings.quarantine_path} (undo with: photoaudit restore --all)."
            )
    raise typer.Exit(result.exit_code)


def enrolled_words(enrolled: dict[str, int]) -> str:
    """'3 children' or '3 children and 1 member(s) of staff': those with a usable template."""
    staff = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is not None)
    children = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is None)
    return f"{children} children" + (f" and {staff} member(s) of staff" if staff else "")


@app.command("devices")
def devices_command(
    folder: Annotated[Path, typer.Argument(help="A folder of photos (and videos) from the setting's devices.")],
) -> None:
    """List the cameras the photos in a folder came from, to fill in devices.csv."""
    console = Console(highlight=False)
    state.folders = (folder,)
    with cannot_run_is_exit_2():
        settings = settings_from(None, None)
        checked_writes(settings, Writes(folders=(folder,)))
        registered = load_devices(settings.devices_path) if settings.devices_path.is_file() else None
        seen = survey(iter_media(folder), registered, read_video_meta)
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
        console.print("Cameras with no device in 'registered as' are not setting devices: their photos are breaches (R6).")
    if unregistered:
        console.print("Rows for devices.csv (add only cameras that belong to the setting; fill in device_id and label):")
        console.print("device_id,label,make,model,serial,folder", markup=False, soft_wrap=True)
        for entry in unregistered:
            camera = entry.camera
            assert camera is not None
            folder = next(iter(entry.folders)) if len(entry.folders) == 1 else ""
            cells = ["", "", camera.make, camera.model, camera.serial, "" if folder == "." else folder]
            console.print(csv_line(cells), markup=False, soft_wrap=True)


def csv_line(cells: list[str]) -> str:
    """One CSV line, each cell escaped like every CSV cell photoaudit writes (csv_report.cell)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(csv_report.row(cells))  # quotes a cell holding a line break
    return out.getvalue().removesuffix("\r\n")


@app.command("check")
def check_command(
    photos: Annotated[list[Path], typer.Argument(help="The photos (or folders of photos) to check.")],
    purpose: Annotated[
        str, typer.Option("--for", help="The use to check for: learning_journey, other_journeys, display, website or social_media.")
    ],
    export: Annotated[
        Optional[Path], typer.Option("--export", help="Write a publishable copy of each photo into this folder.")
    ] = None,
    unknown: Annotated[
        str, typer.Option("--unknown", help="With --export: 'cover' unidentified faces, or 'hold' those photos back.")
    ] = "cover",
    posted_to: Annotated[
        Optional[str], typer.Option("--posted-to", help="With --export: where the copies are going, e.g. "
                                    "\"Facebook group\" (recorded; see `photoaudit published`).")
    ] = None,
    json_out: JsonOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One summary line, no per-photo lines or progress.")
    ] = False,
    tolerance: ToleranceOption = None,
    margin: MarginOption = None,
    detector: DetectorOption = "auto",
    today: TodayOption = None,
    force: ForceOption = False,
) -> None:
    """Before posting: is each photo cleared for one use? With --export, make safe copies."""
    to_stdout = json_out is not None and str(json_out) == "-"
    console = err_console() if to_stdout else Console(highlight=False)
    with cannot_run_is_exit_2():
        day = parse_today(today)
        settings = settings_from(tolerance, margin)
        use = parse_purpose(purpose, settings.purposes)
        folders = [p for p in photos if p.is_dir()]
        if posted_to is not None and export is None:
            raise CannotRun("--posted-to says where copies go: use it with --export.")
        state.folders = tuple(folders)
        near = tuple({p.absolute().parent for p in photos if not p.is_dir()})
        reports = [json_out] if json_out is not None else []
        files = gather(photos)
        validate(use, settings.purposes, files, export, unknown, reports, folders)  # before the slow start
        checked_writes(settings, Writes(folders=tuple(folders), reports=tuple(reports), export=export,
                                        near=near, force=force))
        prepared = prepare(settings, EngineSettings(detector=detector))
        with progress_bar(console, enabled=not quiet and len(files) > 1) as (start, advance):
            result = run_check(files, prepared, day, use, export, unknown, reports, start, advance)
        if export is not None:
            with Store(settings.state_path) as store:
                records = record_check(store, result, posted_to, datetime.now(timezone.utc).isoformat(timespec="seconds"))
            for record in records:
                log(f"check: copy No. {record.id} of {record.original} (sha256 {record.sha256}) written to "
                    f"{record.copy} for {record.purpose}, posted to {record.posted_to or '(not said)'}, "
                    f"showing {', '.join(record.children) or 'no identified child'}")
        if prepared.enrolment is not None:
            result.warnings.extend(prepared.enrolment.warnings)
        if json_out is not None:
            text = check_report.render_json(result)
            if to_stdout:
                sys.stdout.write(text)
            else:
                write_report(settings, json_out, text, force)
    if quiet:
        console.print(check_report.summary_line(result), markup=False)
    else:
        check_report.show(result, console)
        if export is not None and records:
            console.print(f"Recorded {len(records)} copy(ies) as made for publishing: `photoaudit published` "
                          "lists them, `photoaudit takedown` says when one must come down.", markup=False)
    raise typer.Exit(result.exit_code)


@contextmanager
def progress_bar(console: Console, enabled: bool):  # noqa: ANN201
    """A progress bar when a person is watching (a terminal), nothing otherwise."""
    if not enabled or not console.is_terminal:
        yield (lambda files: None), (lambda media: None)
        return
    with Progress(
        TextColumn("Checking photos"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("audit", total=None)
        yield (
            (lambda files: progress.update(task, total=len(files))),
            (lambda media: progress.advance(task)),
        )


def who_am_i(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no user name to be had (some services): decisions are still recorded
        return ""


@app.command("review")
def review_command(
    decisions: Annotated[
        Optional[Path],
        typer.Option("--decisions", help="Record decisions from a CSV (columns photo, face, decision) instead of asking."),
    ] = None,
    open_viewer: Annotated[bool, typer.Option("--open", help="Open each face in the system's picture viewer.")] = False,
    enrol: Annotated[
        bool, typer.Option("--enrol", help="Add faces confirmed as a child (or member of staff) to their reference "
                           "photos (face matching: yes only).")
    ] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="Who is deciding (default: your user name).")] = None,
) -> None:
    """Say who the faces are that photoaudit could not identify; later audits apply it."""
    console = Console(highlight=False)
    with cannot_run_is_exit_2(), review.reviewing(checked_settings(), who_am_i(by), enrol) as reviewer:
        if decisions is not None:
            outcome = review.review_from_csv(
                reviewer, decisions, reviewer.book.last_audit_faces(), reviewer.book.last_audit_photos()
            )
        else:
            faces = review.pending_faces(reviewer.book)
            photos = review.pending_photos(reviewer.book)
            if not faces and not photos:
                console.print("Nothing to review: every face of the latest audit is identified or decided.")
                raise typer.Exit(EXIT_CLEAR)

            def ask(item: object, crop: Path | None, lines: list[str]) -> str:
                console.print("")
                for line in lines:
                    console.print(line, markup=False)
                if isinstance(item, review.AuditPhoto):
                    question = "Is any child in this photo? (n)o children in it, (s)kip or (q)uit"
                else:
                    console.print(f"Face crop: {crop}", markup=False)
                    question = "Who is this? A child id, a staff id, (y)es as matched, (a)dult, (n)ot a face, (s)kip or (q)uit"
                try:
                    return typer.prompt(question, default="s", show_default=False)
                except typer.Abort:
                    return "q"

            outcome = review.review_interactively(
                reviewer, faces, ask, lambda text: console.print(text, markup=False),
                typer.launch if open_viewer else None, photos,
            )
    for message in outcome.messages:
        console.print(message, markup=False)
    photos_decided = f" and {len(outcome.decided_photos)} \"no children\" decision(s)" if outcome.decided_photos else ""
    console.print(
        f"Recorded {len(outcome.decided)} decision(s){photos_decided}, skipped {len(outcome.skipped)}. "
        "Every audit (and check) from now on applies them."
    )
    if outcome.enrolled:
        with cannot_run_is_exit_2():
            settings = settings_from(None, None)
            report = prepare(settings).enrolment
            rejected = [(path, why) for _, path, why in (report.rejected if report else []) if path in outcome.enrolled]
            with review.decision_book(settings) as book:
                review.drop_rejected(book, settings.faces_dir, [path for path, _ in rejected], settings.staff_dir)
        for path, why in rejected:
            console.print(f"Not kept as a reference photo: {why} (the decision itself is kept).", style="yellow", markup=False)
        console.print(f"Enrolment refreshed with {len(outcome.enrolled) - len(rejected)} new reference photo(s).")


@app.command("override")
def override_command(
    photo: Annotated[str, typer.Argument(help="The photo: a file, or its path as the latest report shows it.")],
    action: Annotated[Optional[str], typer.Option("--action", help="keep, delete or review.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required; shown in every report).")] = "",
    by: Annotated[Optional[str], typer.Option("--by", help="Who decided (default: your user name).")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove this photo's override.")] = False,
) -> None:
    """Force a photo's action (keep, delete or review), with a reason; every report shows it."""
    console = Console(highlight=False)
    with cannot_run_is_exit_2(), review.decision_book(checked_settings()) as book:
        path, label = review.find_photo(book, photo)
        if remove:
            gone = book.remove_override(sha256_file(path))
            console.print(f"Removed the override of {label}." if gone else f"{label} had no override.", markup=False)
            return
        if action is None:
            raise CannotRun("Say which action with --action keep, --action delete or --action review.")
        override = Override(action_from(action), reason.strip(), who_am_i(by), review.now().isoformat(timespec="seconds"))
        review.record_override(book, path, label, override)
    console.print(f"{label}: action forced to {override.action.value} ({reason.strip()}). Every audit from now on shows it.", markup=False)


@app.command("children")
def children_command(
    max_age: Annotated[
        int, typer.Option("--max-age", min=1, help="Warn when the newest reference photo is older than this many months.")
    ] = DEFAULT_MAX_AGE_MONTHS,
    detector: DetectorOption = "auto",
    today: TodayOption = None,
) -> None:
    """Each child's consent and enrolment: templates, and how old the newest reference photo is."""
    console = Console(highlight=False)
    with cannot_run_is_exit_2():
        day = parse_today(today)
        settings = checked_settings()
        prepared = prepare(settings, EngineSettings(detector=detector))
        with Store(settings.state_path) as store:
            paths = store.enrolled_references(prepared.engine.settings.fingerprint())
            from_review = set(DecisionBook(store).sources())
            photos = enrolled_photos(store, prepared.engine.settings.fingerprint(), settings.faces_dir,
                                     set(prepared.enrolled))
        rows = overview(prepared.register, settings.faces_dir, paths, from_review, day, max_age)
        found, notes = reference_warnings(prepared.register, photos, settings.match.tolerance, day)
        listing = list_faces_dir(settings.faces_dir)
        register_lines = register_warnings(prepared.register, listing) + folder_warnings(
            prepared.register, listing, eligible_children(prepared.register))
    console.print(children_view.table(rows, day))
    for line in children_view.warnings(rows, day, max_age) + found + register_lines:
        console.print(line, style="yellow", markup=False)
    for line in notes:
        console.print(line, markup=False)


@app.command("staff")
def staff_command(
    max_age: Annotated[
        int, typer.Option("--max-age", min=1, help="Warn when the newest reference photo is older than this many months.")
    ] = DEFAULT_MAX_AGE_MONTHS,
    detector: DetectorOption = "auto",
    today: TodayOption = None,
) -> None:
    """Each member of staff's consent and enrolment (staff.csv): templates, newest reference photo."""
    console = Console(highlight=False)
    with cannot_run_is_exit_2():
        day = parse_today(today)
        settings = checked_settings()
        if not settings.staff_register_path.is_file():
            raise CannotRun(
                f"No staff register found at {settings.staff_register_path}. Copy "
                "consent_data/template/staff.csv there and fill it in (one row per member of staff)."
            )
        prepared = prepare(settings, EngineSettings(detector=detector))
        with Store(settings.state_path) as store:
            paths = store.enrolled_references(prepared.engine.settings.fingerprint())
            from_review = set(DecisionBook(store).sources())
        rows = staff_overview(prepared.register.staff, settings.staff_dir, paths, from_review, day, max_age)
    console.print(staff_view.table(rows, prepared.register.staff, day))
    for line in staff_view.warnings(rows, day, max_age):
        console.print(line, style="yellow", markup=False)


from . import cli_state  # noqa: E402,F401  (registers restore, purge, reaudit, forget)

if __name__ == "__main__":  # pragma: no cover - run as the package's own cli module
    from photoaudit.cli import app as registered  # the app the other commands were added to

    registered()
