"""The weekly audit's commands: enrol, audit, reaudit.

A thin typer shell over :mod:`photoaudit.operations.workflow`; the exit codes are
:mod:`photoaudit.cli.main`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .shared import (
    Detector,
    DetectorOption,
    ForceOption,
    JsonOption,
    MarginOption,
    RulesOption,
    TodayOption,
    ToleranceOption,
    cannot_run_is_exit_2,
    checked_settings,
    checked_writes,
    command_prefix,
    console_beside,
    console_for,
    examples,
    log,
    name_folders,
    parse_today,
    progress_bar,
    refuse_today,
    report_path,
    send_json,
    settings_from,
    write_out,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)

    from ..operations.results import AuditResult


@app.command("enrol", epilog=examples(
    "photoaudit --data consent_data/little-acorns enrol",
    "photoaudit --data consent_data/little-acorns enrol --allow-again c07",
    "photoaudit --data consent_data/little-acorns enrol --confirm c04",
))
def enrol_command(
    detector: DetectorOption = Detector("auto"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only print problems.")] = False,
    allow_again_ids: Annotated[
        list[str] | None,
        typer.Option("--allow-again", help="Enrol again a child (or member of staff) erased with `forget` "
                     "(they agreed again)."),
    ] = None,
    confirm_ids: Annotated[
        list[str] | None,
        typer.Option("--confirm", metavar="ID", help="You looked at this child's (or member of staff's) reference "
                     "photos and all show them: use them all, even where they disagree, while they stay these files."),
    ] = None,
) -> None:
    """Learn the faces of registered children (and staff) who have face-matching permission."""
    from ..formats import enrolment_view
    from ..operations.reference_check import confirm_references
    from ..operations.workflow import allow_again, prepare

    console = console_for()
    with cannot_run_is_exit_2("enrol"):
        settings = checked_settings()
        for given in allow_again_ids or []:
            key = allow_again(settings, given)  # an id nobody erased has: exit 2
            child_id = enrolment_view.person_id(key)
            console.print(f"{child_id} may be enrolled again.")
            log(f"enrol: {child_id} allowed to be enrolled again")
        for given in confirm_ids or []:
            confirmed = confirm_references(settings, given)  # someone who may not be enrolled: exit 2
            for words in enrolment_view.confirmed_words(confirmed):
                console.print(words)
            log(f"enrol: reference photos of {confirmed.key} confirmed by a person ({len(confirmed.photos)} photos)")
        prepared = prepare(settings, force_enrol=True, detector=detector.value)
    for words in enrolment_view.show(prepared, console, quiet):
        log(f"enrol: {words}")


@app.command("audit", epilog=examples(
    "photoaudit --data consent_data/little-acorns audit /path/to/transfer --html week47.html",
    "photoaudit --data consent_data/little-acorns audit /srv/transfer --quiet --apply    (for cron)",
))
def audit_command(
    folder: Annotated[Path, typer.Argument(help="The transfer folder to audit.")],
    json_out: JsonOption = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", parser=report_path,
                                                    help="Write a spreadsheet (CSV) here.")] = None,
    faces_csv: Annotated[
        Path | None, typer.Option("--faces-csv", parser=report_path, help="Write a spreadsheet (CSV) with a row per face here: fill in "
                                     "its decision column and give it to photoaudit review --decisions.")
    ] = None,
    csv_sep: Annotated[
        str, typer.Option("--csv-sep", metavar="SEP", help="Separator of the CSV files: ',' (default), ';' (Excel in most "
                          "European languages) or 'tab'.")
    ] = ",",
    html_out: Annotated[
        Path | None, typer.Option("--html", parser=report_path,
                                     help="Write a visual report with thumbnails here (private: shows children).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One summary line, no table or progress (for cron).")
    ] = False,
    tolerance: ToleranceOption = None,
    margin: MarginOption = None,
    detector: DetectorOption = Detector("auto"),
    today: TodayOption = None,
    rules: RulesOption = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Photos checked in parallel on this computer "
                                    "(default: CPU cores; not with --cluster).")
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Move every photo to delete into the quarantine folder.")
    ] = False,
    reports_dir: Annotated[
        Path | None, typer.Option("--reports", help="Folder for the dated JSON report of each run "
                                     "(default: STATE/reports).")
    ] = None,
    force: ForceOption = False,
    cluster: Annotated[
        str | None, typer.Option("--cluster", metavar="ADDRESS", help="Check the new and changed photos on the "
                                    "workers of this Dask cluster (its scheduler, e.g. tcp://10.0.0.5:8786; needs "
                                    "photoaudit[cluster]). Default: [cluster] address in photoaudit.toml.")
    ] = None,
    cluster_send_bytes: Annotated[
        bool, typer.Option("--cluster-send-bytes", help="With a cluster: send each photo to the workers, for "
                           "workers that do not see the folder at the same path.")
    ] = False,
) -> None:
    """Audit a folder of photos: keep, delete, or needs a person to look, with reasons."""
    from ..formats import csv_report, terminal
    from ..formats.enrolment_view import enrolled_words
    from ..formats.interface import RenderOptions, ReportChoice
    from ..operations.cluster import cluster_options
    from ..operations.run_settings import Writes
    from ..operations.weekly_audit import AuditEvents, AuditRequest, run, with_reports_dir

    # With --json -, standard output carries only JSON; everything else goes to stderr.
    console = console_beside(json_out)
    #: The files besides --json, in the order they are written, each through the one render signature.
    reports = [(choice, path) for choice, path in ((ReportChoice.CSV, csv_out), (ReportChoice.FACES_CSV, faces_csv),
                                                   (ReportChoice.HTML, html_out)) if path is not None]
    with cannot_run_is_exit_2(f"audit {folder}"):
        if apply:
            refuse_today(today, "--apply")  # never move real files as if it were another day
        day = parse_today(today)
        sep = csv_report.separator(csv_sep)
        name_folders((folder,))
        settings = with_reports_dir(settings_from(tolerance, margin), reports_dir)
        outputs = tuple((option, p) for option, p in (("--json", json_out), ("--csv", csv_out),
                                                      ("--faces-csv", faces_csv), ("--html", html_out)) if p is not None)
        checked_writes(settings, Writes(folders=(folder,), reports=outputs, force=force), run=f"audit {folder.resolve()}")
        request = AuditRequest(folder, day, settings, detector.value, jobs, apply,
                               cluster_options(settings.cluster, cluster, cluster_send_bytes, jobs))

        def prepared_now(prepared) -> None:  # noqa: ANN001
            if prepared.enrolment is not None and not quiet:
                console.print(f"Enrolment refreshed: {enrolled_words(prepared.enrolment.enrolled)} enrolled.")

        def options(register) -> RenderOptions:  # noqa: ANN001
            return RenderOptions(register=register, sep=sep, prefix=command_prefix())

        with progress_bar(console, enabled=not quiet) as (start, advance):
            events = AuditEvents(say=(lambda words: None) if quiet else console.print, log=log,
                                 prepared=prepared_now, start=start, advance=advance)
            done = run(request, lambda result, prepared: ReportChoice.JSON.to_format().render(
                result, options(prepared.register)), events, complete_result_hints)
        result, prepared = done.result, done.prepared
        if json_out is not None:
            send_json(json_out, done.report, lambda path, body: write_out(settings, path, body, force))
        written = {path: write_out(settings, path, choice.to_format().render(result, options(prepared.register)), force)
                   for choice, path in reports}  # beside the path given when another run's report is there
    line = terminal.summary_line(result, devices_checked=prepared.devices is not None)
    log(f"{line} exit={result.exit_code} report={done.dated}")
    if quiet:
        console.print(line, soft_wrap=True)
    else:
        terminal.show(result, console, rules=rules)
        after = terminal.AfterAudit(str(folder), None if html_out is None else str(written[html_out]), apply,
                                    str(settings.quarantine_path))
        terminal.show_next_steps(result, after, console)
    raise typer.Exit(result.exit_code)


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


@app.command("reaudit", epilog=examples(
    "photoaudit --data consent_data/little-acorns reaudit",
    "photoaudit --data consent_data/little-acorns reaudit /path/to/transfer --json changes.json",
))
def reaudit_command(
    folder: Annotated[
        Path | None, typer.Argument(help="Only photos last seen in this folder (default: every audited folder).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", parser=report_path,
                                     help="Write the changes as JSON here ('-' for standard output).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="One summary line (for cron).")] = False,
    tolerance: Annotated[float | None, typer.Option(help="As for audit (default 0.5).")] = None,
    margin: Annotated[float | None, typer.Option(help="As for audit (default 0.08).")] = None,
    detector: DetectorOption = Detector("auto"),
    today: TodayOption = None,
    force: ForceOption = False,
    rules: RulesOption = False,
) -> None:
    """Judge every audited photo again against today's register (no face finding) and list what changed."""
    from ..formats import reaudit_report
    from ..operations.run_settings import Writes
    from ..operations.workflow import erased_label, prepare, reaudit

    console = console_beside(json_out)
    with cannot_run_is_exit_2("reaudit"):
        day = parse_today(today)
        settings = settings_from(tolerance, margin)
        checked_writes(settings, Writes(folders=(folder,) if folder is not None else (),
                                        reports=(("--json", json_out),) if json_out is not None else (), force=force),
                       run=f"reaudit {folder.resolve() if folder is not None else 'of every audited folder'}")
        prepared = prepare(settings, detector=detector.value)
        for erasure in prepared.enrolment.erasures if prepared.enrolment else []:
            words = erasure.words(erased_label(prepared.register, erasure.child_id))
            console.print(words)
            log(f"reaudit: {words}")
        result = reaudit(prepared, day, folder)
        if json_out is not None:
            text = reaudit_report.render(result)
            send_json(json_out, text, lambda path, body: write_out(settings, path, body, force))
    line = reaudit_report.summary_line(result)
    log(f"{line} exit={result.exit_code}")
    if quiet:
        console.print(line, soft_wrap=True)
        raise typer.Exit(result.exit_code)
    reaudit_report.show(result, console, rules)
    raise typer.Exit(result.exit_code)
