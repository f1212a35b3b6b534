"""Before posting: ``check`` (may these photos be used for this purpose?) and its
publishable copies (``--export``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import UnknownFaces
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
    checked_writes,
    console_beside,
    examples,
    log,
    name_folders,
    parse_today,
    progress_bar,
    refuse_today,
    send_json,
    settings_from,
    write_out,
)

app = typer.Typer(add_completion=False)

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)

    pass


@app.command("check", epilog=examples(
    "photoaudit check --for social_media photo1.jpg photo2.heic",
    "photoaudit check --for website --export ready_to_post/ photos/*.jpg",
))
def check_command(
    photos: Annotated[list[Path], typer.Argument(help="The photos (or folders of photos) to check.")],
    purpose: Annotated[
        str, typer.Option("--for", metavar="USE", help="The use to check for: learning_journey, other_journeys, "
                          "display, website or social_media (or a use added in photoaudit.toml); "
                          "facebook and instagram mean social_media, press and brochure website.")
    ],
    export: Annotated[
        Path | None, typer.Option("--export", help="Write a publishable copy of each photo into this folder.")
    ] = None,
    unknown: Annotated[
        UnknownFaces, typer.Option("--unknown", help="With --export: cover unidentified faces, or hold those photos back.")
    ] = UnknownFaces.COVER,
    posted_to: Annotated[
        str | None, typer.Option("--posted-to", help="With --export: where the copies are going, e.g. "
                                    "\"Facebook group\" (recorded; see `photoaudit published`).")
    ] = None,
    json_out: JsonOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One summary line, no per-photo lines or progress.")
    ] = False,
    tolerance: ToleranceOption = None,
    margin: MarginOption = None,
    detector: DetectorOption = Detector("auto"),
    today: TodayOption = None,
    force: ForceOption = False,
    rules: RulesOption = False,
) -> None:
    """Before posting: is each photo cleared for one use? With --export, make safe copies."""

    from ..formats import check_report
    from ..operations.check import gather, read_use, record_check, run_check, validate
    from ..operations.run_settings import Writes
    from ..operations.vocabulary import CannotRun
    from ..operations.workflow import prepare

    unknown = unknown.value  # type: ignore[assignment]
    console = console_beside(json_out)
    with cannot_run_is_exit_2():
        if export is not None:
            refuse_today(today, "--export")  # copies to post are judged by today's register only
        day = parse_today(today)
        settings = settings_from(tolerance, margin)
        asked = read_use(purpose, settings.purposes)
        use = asked.purpose
        if asked.everyday and not quiet:
            console.print(check_report.use_line(asked), soft_wrap=True)
        folders = [p for p in photos if p.is_dir()]
        if posted_to is not None and export is None:
            raise CannotRun("--posted-to says where copies go: use it with --export.")
        name_folders(tuple(folders))
        near = tuple({p.absolute().parent for p in photos if not p.is_dir()})
        reports = [json_out] if json_out is not None else []
        files = gather(photos)
        validate(use, settings.purposes, files, export, unknown, reports, folders)  # before the slow start
        checked_writes(settings, Writes(folders=tuple(folders), reports=tuple(("--json", r) for r in reports),
                                        export=export, near=near, force=force), run=f"check --for {use}")
        prepared = prepare(settings, detector=detector.value)
        with progress_bar(console, enabled=not quiet and len(files) > 1) as (start, advance):
            result = run_check(files, prepared, day, use, export, unknown, reports, start, advance)
        if export is not None:
            records = record_check(settings.state_path, result, posted_to)
            for record in records:
                log(f"check: copy No. {record.id} of {record.original} (sha256 {record.sha256}) written to "
                    f"{record.copy} for {record.purpose}, posted to {record.posted_to or '(not said)'}, "
                    f"showing {', '.join(record.children) or 'no identified child'}")
        result.warnings.extend(prepared.standing_warnings)  # face data kept for people not in the register
        if json_out is not None:
            text = check_report.render_json(result)
            send_json(json_out, text, lambda path, body: write_out(settings, path, body, force))
    if quiet:
        console.print(check_report.summary_line(result), soft_wrap=True)
    else:
        check_report.show(result, console, rules=rules)
        if export is not None and records:
            console.print(f"Recorded {len(records)} copy(ies) as made for publishing: `photoaudit published` "
                          "lists them, `photoaudit takedown` says when one must come down.")
    raise typer.Exit(result.exit_code)
