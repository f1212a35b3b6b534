"""The command line: a thin typer shell over :mod:`photoaudit.operations.workflow`.

Exit codes: 0 all clear, 1 something needs deleting or a person to look,
2 the command could not run, 3 another run was already working on it,
4 the audit ran but a sub-folder could not be read (its photos were not checked),
5 purge was not confirmed (nothing was deleted).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from .rights import app as rights_app
from ..core.models import UnknownFaces
from .shared import (
    EXIT_CANNOT_RUN,
    EXIT_CLEAR,
    Detector,
    DetectorOption,
    ForceOption,
    JsonOption,
    MarginOption,
    MaxAgeOption,
    RulesOption,
    TodayOption,
    ToleranceOption,
    cannot_run_is_exit_2,
    checked_settings,
    checked_writes,
    command_prefix,
    console_beside,
    console_for,
    csv_line,
    examples,
    log,
    open_in_viewer,
    parse_today,
    progress_bar,
    send_json,
    settings_from,
    state,
    who_am_i,
)
from .state import app as state_app

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)
    from ..operations.examine import AuditResult


#: The options of photoaudit itself, before or after the command (``audit X --data D`` too).
GLOBAL_OPTIONS = ("--data", "--config", "--state", "--quarantine", "--log")


def globals_first(args: list[str], commands: set[str]) -> list[str]:
    """Move photoaudit's own options found after the command to before it.

    ``photoaudit audit FOLDER --data D`` then means ``photoaudit --data D audit FOLDER``;
    an option given both before and after the command counts as typed last. Nothing
    after ``--`` is moved.
    """
    i = 0
    while i < len(args):  # skip photoaudit's own options (and their values) to find the command
        if args[i] in GLOBAL_OPTIONS:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            break
    if i >= len(args) or args[i] not in commands:
        return args
    moved: list[str] = []
    rest: list[str] = []
    j = i + 1
    while j < len(args):
        arg = args[j]
        if arg == "--":
            rest.extend(args[j:])
            break
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            take = 1 if "=" in arg else 2
            moved.extend(args[j : j + take])
            j += take
            continue
        rest.append(arg)
        j += 1
    return args[:i] + moved + [args[i]] + rest


class PhotoauditGroup(TyperGroup):
    """The command group: photoaudit's own options are accepted after the command too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # noqa: ANN401
        return super().parse_args(ctx, globals_first(list(args), set(self.commands)))


app = typer.Typer(
    cls=PhotoauditGroup,
    add_completion=False,
    invoke_without_command=True,
    rich_markup_mode=None,  # plain help: quick, and nothing in it is read as markup
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Check nursery photos against the children's photo consent.",
    epilog=(
        "\b\nStart here:\n"
        "  photoaudit doctor                                  is everything in place?\n"
        "  photoaudit --data consent_data/little-acorns enrol\n"
        "  photoaudit --data consent_data/little-acorns audit /path/to/transfer --html week47.html\n"
        "  photoaudit --data consent_data/little-acorns review\n"
        "\n"
        "Options of photoaudit itself (--data, --config, --state, --quarantine, --log) may also "
        "come after the command. Each command has its own help: photoaudit audit -h."
    ),
)
# The other groups of commands, each a module with its own app (typer merges an add_typer()
# without a name into this command): assembled here, explicitly, and nowhere else.
app.add_typer(state_app)  # reaudit, forget, restore, purge (photoaudit/cli/state.py)
app.add_typer(rights_app)  # find, published, takedown (photoaudit/cli/rights.py)


def version_callback(value: bool) -> None:
    if value:
        print(f"photoaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
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
        bool, typer.Option("--version", "-V", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.data_dir = data
    state.state_dir = state_dir
    state.config = config
    state.quarantine_dir = quarantine_dir
    state.log_file = log_file
    state.folders = ()  # each command names its own
    if ctx.invoked_subcommand is None:  # bare `photoaudit`: its help, as other commands do
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_CLEAR)


@app.command("enrol", epilog=examples(
    "photoaudit --data consent_data/little-acorns enrol",
    "photoaudit --data consent_data/little-acorns enrol --allow-again c07",
))
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
    from ..faces.engine import EngineSettings
    from ..core.models import staff_id_of
    from ..core.staff_rules import staff_label
    from ..operations.workflow import allow_again, erased_label, prepare

    console = console_for()
    with cannot_run_is_exit_2("enrol"):
        settings = checked_settings()
        for given in allow_again_ids or []:
            key = allow_again(settings, given)  # an id nobody erased has: exit 2
            child_id = staff_id_of(key) or key
            console.print(f"{child_id} may be enrolled again.")
            log(f"enrol: {child_id} allowed to be enrolled again")
        prepared = prepare(settings, EngineSettings(detector=detector.value), force_enrol=True)
    report = prepared.enrolment
    assert report is not None
    if not quiet:
        for child_id, count in sorted(report.enrolled.items()):
            style = "green" if count else "yellow"
            if (staff_id := staff_id_of(child_id)) is not None:
                who = staff_label(prepared.register.staff.get(staff_id), staff_id)
            else:
                who = f"{prepared.register.children[child_id].name} ({child_id})"
            console.print(f"{who}: {count} reference photo(s) enrolled", style=style)
    for child_id, photo, why in report.rejected:
        folder = "staff" if staff_id_of(child_id) is not None else "faces"
        console.print(f"Rejected {folder}/{photo}: {why}", style="yellow")
    for warning in report.warnings:
        console.print(warning, style="yellow")
    if not quiet:
        for note in report.notes:
            console.print(note)
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


@app.command("audit", epilog=examples(
    "photoaudit --data consent_data/little-acorns audit /path/to/transfer --html week47.html",
    "photoaudit --data consent_data/little-acorns audit /srv/transfer --quiet --apply    (for cron)",
))
def audit_command(
    folder: Annotated[Path, typer.Argument(help="The transfer folder to audit.")],
    json_out: JsonOption = None,
    csv_out: Annotated[Optional[Path], typer.Option("--csv", help="Write a spreadsheet (CSV) here.")] = None,
    faces_csv: Annotated[
        Optional[Path], typer.Option("--faces-csv", help="Write a spreadsheet (CSV) with a row per face here: fill in "
                                     "its decision column and give it to photoaudit review --decisions.")
    ] = None,
    csv_sep: Annotated[
        str, typer.Option("--csv-sep", metavar="SEP", help="Separator of the CSV files: ',' (default), ';' (Excel in most "
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
    detector: DetectorOption = Detector.auto,
    today: TodayOption = None,
    rules: RulesOption = False,
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
    from dataclasses import replace
    from datetime import datetime, timezone

    from ..faces.engine import EngineSettings
    from ..formats import csv_report, terminal
    from ..formats.interface import RenderOptions, ReportChoice
    from ..store.outputs import Writes, write_report
    from ..operations.parallel import default_jobs
    from ..store.report_retention import prune as prune_reports
    from ..store.runlog import write_dated_report
    from ..operations.workflow import apply_findings, audit as run_audit, audit_locks, prepare

    # With --json -, standard output carries only JSON; everything else goes to stderr.
    console = console_beside(json_out)
    #: The files besides --json, in the order they are written, each through the one render signature.
    reports = [(choice, path) for choice, path in ((ReportChoice.CSV, csv_out), (ReportChoice.FACES_CSV, faces_csv),
                                                   (ReportChoice.HTML, html_out)) if path is not None]
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
            prepared = prepare(settings, EngineSettings(detector=detector.value))
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
            complete_result_hints(result)
            options = RenderOptions(register=prepared.register, sep=sep, prefix=command_prefix())
            text = ReportChoice.JSON.to_format().render(result, options)
            dated = write_dated_report(settings.reports_path, result.generated, text)
            try:
                pruned = prune_reports(settings.reports_path, settings.log_path,
                                       settings.reports_months, datetime.now(timezone.utc)).words()
            except OSError as err:  # never stops the audit; the log says what could not be removed
                pruned = f"could not remove reports and log lines past their retention ({err})"
            if pruned:
                log(f"audit {folder}: {pruned}")
            if json_out is not None:
                send_json(json_out, text, lambda path, body: write_report(settings, path, body, force))
            for choice, path in reports:
                write_report(settings, path, choice.to_format().render(result, options), force)
    line = terminal.summary_line(result, devices_checked=prepared.devices is not None)
    log(f"{line} exit={result.exit_code} report={dated}")
    if quiet:
        console.print(line, soft_wrap=True)
    else:
        terminal.show(result, console, rules=rules)
        after = terminal.AfterAudit(str(folder), None if html_out is None else str(html_out), apply,
                                    str(settings.quarantine_path))
        terminal.show_next_steps(result, after, console)
    raise typer.Exit(result.exit_code)


def enrolled_words(enrolled: dict[str, int]) -> str:
    """'3 children' or '3 children and 1 member(s) of staff': those with a usable template."""
    from ..core.models import staff_id_of

    staff = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is not None)
    children = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is None)
    return f"{children} children" + (f" and {staff} member(s) of staff" if staff else "")


def complete_result_hints(result: AuditResult) -> None:
    """The hints in a result's warnings, reasons and notes with this run's own options."""
    from dataclasses import replace

    from ..formats.console import complete_hints

    prefix = command_prefix()
    if prefix == "photoaudit":
        return
    result.warnings[:] = [complete_hints(w, prefix) for w in result.warnings]
    result.verdicts[:] = [
        replace(v, reasons=tuple(complete_hints(r, prefix) for r in v.reasons),
                notes=tuple(complete_hints(n, prefix) for n in v.notes))
        for v in result.verdicts
    ]



@app.command("devices", epilog=examples(
    "photoaudit --data consent_data/little-acorns devices /path/to/transfer",
))
def devices_command(
    folder: Annotated[Path, typer.Argument(help="A folder of photos (and videos) from the setting's devices.")],
    rules: RulesOption = False,
) -> None:
    """List the cameras the photos in a folder came from, to fill in devices.csv."""
    from rich.table import Table

    from ..setting.devices import load_devices, survey
    from ..formats.console import plain_words
    from ..store.outputs import Writes
    from ..media.sources import iter_media
    from ..media.video import read_video_meta

    console = console_for()
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


@app.command("check", epilog=examples(
    "photoaudit check --for social_media photo1.jpg photo2.heic",
    "photoaudit check --for website --export ready_to_post/ photos/*.jpg",
))
def check_command(
    photos: Annotated[list[Path], typer.Argument(help="The photos (or folders of photos) to check.")],
    purpose: Annotated[
        str, typer.Option("--for", metavar="USE", help="The use to check for: learning_journey, other_journeys, "
                          "display, website or social_media (or a use added in photoaudit.toml).")
    ],
    export: Annotated[
        Optional[Path], typer.Option("--export", help="Write a publishable copy of each photo into this folder.")
    ] = None,
    unknown: Annotated[
        UnknownFaces, typer.Option("--unknown", help="With --export: cover unidentified faces, or hold those photos back.")
    ] = UnknownFaces.COVER,
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
    detector: DetectorOption = Detector.auto,
    today: TodayOption = None,
    force: ForceOption = False,
    rules: RulesOption = False,
) -> None:
    """Before posting: is each photo cleared for one use? With --export, make safe copies."""
    from datetime import datetime, timezone

    from ..operations.check import gather, parse_purpose, run_check, validate
    from ..faces.engine import EngineSettings
    from ..formats import check_report
    from ..store.outputs import Writes, write_report
    from ..operations.check import record_check
    from ..store.database import Store
    from ..core.errors import CannotRun
    from ..operations.workflow import prepare

    unknown = unknown.value  # type: ignore[assignment]
    console = console_beside(json_out)
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
        prepared = prepare(settings, EngineSettings(detector=detector.value))
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
            send_json(json_out, text, lambda path, body: write_report(settings, path, body, force))
    if quiet:
        console.print(check_report.summary_line(result), soft_wrap=True)
    else:
        check_report.show(result, console, rules=rules)
        if export is not None and records:
            console.print(f"Recorded {len(records)} copy(ies) as made for publishing: `photoaudit published` "
                          "lists them, `photoaudit takedown` says when one must come down.")
    raise typer.Exit(result.exit_code)


@app.command("review", epilog=examples(
    "photoaudit --data consent_data/little-acorns review                   (every audited folder)",
    "photoaudit --data consent_data/little-acorns review /path/to/transfer --decisions decisions.csv",
    "photoaudit --data consent_data/little-acorns review --list",
    "photoaudit --data consent_data/little-acorns review --undo tablet-2/IMG_0103.jpg --face 1",
))
def review_command(
    folder: Annotated[
        Optional[Path],
        typer.Argument(help="An audited folder (default: every audited folder with faces to decide)."),
    ] = None,
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
    list_them: Annotated[bool, typer.Option("--list", help="List the decisions recorded so far.")] = False,
    undo: Annotated[
        Optional[str], typer.Option("--undo", metavar="PHOTO", help="Remove the decisions about this photo's faces "
                                    "(as --list shows it), so the next review asks again.")
    ] = None,
    face: Annotated[Optional[int], typer.Option("--face", min=1, help="With --undo: only this face.")] = None,
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
                    raise typer.Exit(EXIT_CLEAR)
                listed = review.list_decisions(book, register, folder)
            for line in listed or ["No decisions recorded yet."]:
                console.print(line)
            raise typer.Exit(EXIT_CLEAR)
    with cannot_run_is_exit_2(), review.reviewing(settings, who_am_i(by), enrol) as reviewer:
        if decisions is not None:
            outcome = review.review_from_csv(
                reviewer, decisions, review.audited_faces(reviewer.book, folder), review.latest_photos(reviewer.book, folder)
            )
        else:
            faces = review.pending_faces(reviewer.book, folder)
            photos = review.latest_photos(reviewer.book, folder)
            if not faces and not photos:
                console.print(review.nothing_to_review(reviewer.book, folder))
                raise typer.Exit(EXIT_CLEAR)

            def ask(item: object, crop: Path | None, lines: list[str]) -> str:
                console.print("")
                for line in lines:
                    console.print(line)
                if isinstance(item, review.AuditPhoto):
                    question = "Is any child in this photo? (n)o children in it, (s)kip or (q)uit"
                else:
                    console.print(f"Face crop: {crop}")
                    question = "Who is this? A child id, a staff id, (y)es as matched, (a)dult, (n)ot a face, (s)kip or (q)uit"
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
                photos=photos, confirm=confirm,
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
            console.print(f"Not kept as a reference photo: {why} (the decision itself is kept).", style="yellow")
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
    action: Annotated[Optional[OverrideAction], typer.Option("--action", help="The action to force.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required; shown in every report).")] = "",
    by: Annotated[Optional[str], typer.Option("--by", help="Who decided (default: your user name).")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove this photo's override.")] = False,
    folder: Annotated[
        Optional[Path], typer.Option("--folder", help="The audited folder the photo is in (default: every audited "
                                     "folder; needed only when two have a photo of that name).")
    ] = None,
) -> None:
    """Force a photo's action (keep, delete or review), with a reason; every report shows it."""
    from ..operations import review
    from ..core.decisions import action_from
    from ..media.files import sha256_file
    from ..core.models import Override
    from ..core.errors import CannotRun

    console = console_for()
    with cannot_run_is_exit_2(), review.decision_book(checked_settings()) as book:
        path, label = review.find_photo(book, photo, folder)
        if remove:
            gone = book.remove_override(sha256_file(path))
            console.print(f"Removed the override of {label}." if gone else f"{label} had no override.")
            return
        if action is None:
            raise CannotRun("Say which action with --action keep, --action delete or --action review.")
        override = Override(action_from(action.value), reason.strip(), who_am_i(by),
                            review.now().isoformat(timespec="seconds"))
        review.record_override(book, path, label, override)
    console.print(f"{label}: action forced to {override.action.value} ({reason.strip()}). Every audit from now on shows it.")


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
    from ..operations.decision_book import DecisionBook
    from ..faces.engine import EngineSettings
    from ..operations.enrolment import eligible_children, enrolled_photos
    from ..formats import children_view
    from ..setting.references import overview, reference_warnings
    from ..setting.register_checks import folder_warnings, list_faces_dir, register_warnings
    from ..store.database import Store
    from ..operations.workflow import prepare

    console = console_for()
    with cannot_run_is_exit_2():
        day = parse_today(today)
        settings = checked_settings()
        prepared = prepare(settings, EngineSettings(detector=detector.value))
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
        console.print(line, style="yellow")
    for line in notes:
        console.print(line)


@app.command("doctor", epilog=examples(
    "photoaudit doctor",
    "photoaudit --data consent_data/little-acorns doctor",
))
def doctor_command(
    detector: DetectorOption = Detector.auto,
) -> None:
    """Check the set-up: models, detector, state folder and its privacy, register, devices.csv, browser."""
    from ..setting.config import ConfigError, find_config
    from ..operations.doctor import Check, run_checks

    console = console_for()
    with cannot_run_is_exit_2("doctor"):
        try:
            settings = settings_from(None, None)
        except ConfigError as err:  # said as one of the checks, like every other problem
            checks = [Check("fail", "Settings file", str(err))]
        else:
            checks = run_checks(settings, detector.value, find_config(state.config))
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
    raise typer.Exit(EXIT_CANNOT_RUN if failed else EXIT_CLEAR)


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
    from ..operations.decision_book import DecisionBook
    from ..faces.engine import EngineSettings
    from ..formats import staff_view
    from ..setting.references import staff_overview
    from ..store.database import Store
    from ..core.errors import CannotRun
    from ..operations.workflow import prepare

    console = console_for()
    with cannot_run_is_exit_2():
        day = parse_today(today)
        settings = checked_settings()
        if not settings.staff_register_path.is_file():
            raise CannotRun(
                f"No staff register found at {settings.staff_register_path}. Copy "
                "consent_data/template/staff.csv there and fill it in (one row per member of staff)."
            )
        prepared = prepare(settings, EngineSettings(detector=detector.value))
        with Store(settings.state_path) as store:
            paths = store.enrolled_references(prepared.engine.settings.fingerprint())
            from_review = set(DecisionBook(store).sources())
        rows = staff_overview(prepared.register.staff, settings.staff_dir, paths, from_review, day, max_age)
    console.print(staff_view.table(rows, prepared.register.staff, day))
    for line in staff_view.warnings(rows, day, max_age):
        console.print(line, style="yellow")


if __name__ == "__main__":  # pragma: no cover - run as the package's own cli module
    app()
