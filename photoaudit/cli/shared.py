"""What every group of commands shares: exit codes, the global options' values, the
console, the log, the settings, the common options, and the one place where an error that
means "could not run" becomes a plain message and exit code 2.

Exit codes (:class:`~photoaudit.operations.vocabulary.ExitStatus`): 0 all clear, 1 something needs
deleting or a person to look, 2 the command could not run, 3 another run was already working
on it, 4 the audit ran but a sub-folder could not be read (its photos were not checked),
5 purge was not confirmed (nothing was deleted), 6 the audited folder held nothing to check.

Command modules import this one; none imports another command module or the assembler
(:mod:`photoaudit.cli.main`).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..operations.vocabulary import DETECTORS, ExitStatus

if TYPE_CHECKING:  # the libraries behind the commands are imported when a command runs, so
    # that --help and --version start quickly (numpy, PIL and rich take most of a second)
    from datetime import date

    from rich.console import Console

    from ..operations.run_settings import Run, Writes
    from ..operations.vocabulary import Settings




@dataclass(frozen=True)
class Environment:
    """What this run of photoaudit was given before its command (a value, never module state:
    httpie's ``Environment``). The main callback puts it on the command-line context."""

    data_dir: Path | None = None  # --data or PHOTOAUDIT_DATA; else photoaudit.toml's, else consent_data
    state_dir: Path | None = None
    config: Path | None = None
    quarantine_dir: Path | None = None
    log_file: Path | None = None
    folders: tuple[Path, ...] = ()  # audited or checked by this command: nothing is written there
    run: Run | None = None  # this run, as the record of reports names it (store/outputs.py)


#: This run's :class:`Environment`: a context-local value (as the command-line library keeps its
#: own context), set by the main callback for each invocation, never a module's mutable fields.
_ENVIRONMENT: ContextVar[Environment] = ContextVar("photoaudit_environment", default=Environment())


def environment() -> Environment:
    """This run's :class:`Environment` (the defaults when no command line is running)."""
    return _ENVIRONMENT.get()


def set_environment(env: Environment) -> None:
    """Give this run its :class:`Environment` (the main callback, then a command naming its folders)."""
    _ENVIRONMENT.set(env)


def name_folders(folders: tuple[Path, ...]) -> None:
    """The folders this command audits or checks: nothing, not even the log, is written there."""
    set_environment(replace(environment(), folders=tuple(folders)))



#: ``--detector``'s choices: ``auto`` and every detector in the registry (photoaudit.faces.detectors),
#: read without importing any detector library.
Detector = Enum("Detector", {name: name for name in DETECTORS}, type=str)  # type: ignore[misc]  # members from the registry






def program() -> str:
    """This program as the person can type it: ``photoaudit`` once it is on their PATH (``make
    install-command``, pipx), else its path, e.g. ``.venv/bin/photoaudit`` (formats/console.py)."""
    import os
    import shutil

    from ..formats.console import typeable_program

    ours = Path(sys.executable).with_name("photoaudit.exe" if os.name == "nt" else "photoaudit")
    if not ours.is_file():  # not run from an installed environment's own python
        return "photoaudit"
    on_path = shutil.which("photoaudit")
    try:
        same = on_path is not None and os.path.samefile(on_path, ours)
    except OSError:
        same = False
    return typeable_program(str(ours), same, os.getcwd())


def command_prefix() -> str:
    """This program (:func:`program`) with the options of photoaudit itself that this run was given.

    Hints printed for a person (``photoaudit review``) start with it, so that they can be
    copied and pasted as they are.
    """
    from ..formats.console import shell_word

    words = [program()]
    env = environment()
    for option, value in (("--config", env.config), ("--data", env.data_dir), ("--state", env.state_dir),
                          ("--quarantine", env.quarantine_dir), ("--log", env.log_file)):
        if value is not None:
            words += [option, str(value)]
    return " ".join(shell_word(w) for w in words)



def console_for(stderr: bool = False) -> Console:
    """The console a command prints to (literal, no wrapping when piped: formats/console.py)."""
    from ..formats.console import make_console

    console = make_console(stderr=stderr)
    console.prefix = command_prefix()
    console.program = program()
    return console



def err_console() -> Console:
    return console_for(stderr=True)


def to_stdout(json_out: Path | None) -> bool:
    """``--json -``: the JSON goes to standard output, and everything else to standard error."""
    return json_out is not None and str(json_out) == "-"


def console_beside(json_out: Path | None) -> Console:
    """The console of a command whose JSON may go to standard output (then it prints to stderr)."""
    return err_console() if to_stdout(json_out) else console_for()


def send_json(json_out: Path, text: str, write: Callable[[Path, str], object]) -> None:
    """The JSON ``text`` to standard output (``--json -``), else to its file through ``write``."""
    if to_stdout(json_out):
        sys.stdout.write(text)
    else:
        write(json_out, text)


def write_out(settings: Settings, path: Path, text: str, force: bool = False) -> Path:
    """Write one report through the one place that writes reports (store/outputs.py), and say so
    when another run's report was at ``path`` and this one went beside it. Returns where it went."""
    from ..operations.run_settings import write_report

    run = environment().run
    placed = write_report(settings, path, text, force, run)
    if placed.moved:
        err_console().print(placed.words(), style="yellow", soft_wrap=True)
        log(f"{run.what if run else 'photoaudit'}: {placed.words()}")
    return placed.path


def report_path(text: str) -> Path:
    """A report option's value (``--json``, ``--csv``, ``--html``...) as typed: one that ends with
    a separator names a folder and is refused before anything runs (exit code 2)."""
    from ..operations.run_settings import names_a_folder

    why = names_a_folder(text)
    if why is not None:
        raise typer.BadParameter(why)
    return Path(text)



def log(message: str) -> None:
    """One line in the log file (never stops a run, even one stopped by bad settings)."""
    from ..operations.run_settings import log_line

    log_line(lambda: settings_from(None, None), environment().folders, message)



def cannot_run_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean "could not run" (exit code 2): photoaudit's own, every one a
    :class:`~photoaudit.operations.vocabulary.CannotRun`, and the machine's (a disk or a permission:
    ``OSError``; the SQLite store: ``sqlite3.Error``)."""
    import sqlite3

    from ..operations.vocabulary import CannotRun

    return (CannotRun, OSError, sqlite3.Error)


@contextmanager
def cannot_run_is_exit_2(command: str = "photoaudit", logged: bool = True) -> Iterator[None]:
    """Turn every 'could not run' error into a plain message and exit code 2 (3: already running).

    ``logged``: also a line in the setting's log (``init`` and ``demo`` have no setting yet).
    """
    from rich.text import Text

    from ..formats.console import complete_hints
    from ..operations.run_settings import AlreadyRunning

    try:
        yield
    except AlreadyRunning as err:
        err_console().print(Text.assemble(("photoaudit is already running: ", "bold yellow"), str(err)))
        log(f"{command}: already running, exit={ExitStatus.ALREADY_RUNNING}: {err}")
        raise typer.Exit(ExitStatus.ALREADY_RUNNING) from None
    except Exception as err:
        if not isinstance(err, cannot_run_errors()):
            raise
        words = complete_hints(disk_words(err) if isinstance(err, OSError) else str(err), command_prefix())
        err_console().print(Text.assemble(("photoaudit could not run: ", "bold red"), words))
        if logged:
            log(f"{command}: could not run, exit={ExitStatus.CANNOT_RUN}: {err}")
        raise typer.Exit(ExitStatus.CANNOT_RUN) from None



def disk_words(err: OSError) -> str:
    """A disk's error named by the place it happened in (the state folder, ...: store/outputs.py)."""
    from ..operations import run_settings

    return run_settings.disk_words(err, lambda: settings_from(None, None))



def settings_from(tolerance: float | None, margin: float | None) -> Settings:
    """photoaudit.toml (if any), then the command line on top; on Windows, the private folders
    not configured in the user's own profile (photoaudit/core/private_places.py)."""
    from ..operations import run_settings

    env = environment()
    return run_settings.load(env.config, env.data_dir, env.state_dir, env.quarantine_dir, env.log_file,
                             tolerance, margin)



TodayOption = Annotated[
    str | None, typer.Option("--today", metavar="DATE",
                                help="Judge as if today were this date: 2026-09-01 or 01/09/2026 (day first), "
                                     "e.g. to see next month's retention and consent reviews. Reports only: "
                                     "refused with --apply and --export, which change real files.")
]



#: ``--today`` on a command that changes files (``restore``, ``purge``): accepted only to be
#: refused with a reason (:func:`refuse_today`), never shown in the help.
NoTodayOption = Annotated[str | None, typer.Option("--today", hidden=True)]


def refuse_today(today: str | None, what: str) -> None:
    """Refuse ``--today`` with ``what`` (``--apply``, ``purge``, ...): a command that changes real
    files never acts as if it were another day. ``--today`` is for looking ahead: reports only."""
    from ..operations.vocabulary import CannotRun

    if today is not None:
        raise CannotRun(
            f"--today is for looking ahead (it only changes what the reports say), so it cannot be used with "
            f"{what}, which changes real files. Nothing was done. Run {what} without --today."
        )



MaxAgeOption = Annotated[
    int, typer.Option("--max-age", min=1, help="Warn when the newest reference photo is older than this many "
                      "months (default 6).")
]



DetectorOption = Annotated[
    Detector, typer.Option("--detector", help="Face detector (auto: CenterFace where installed, else YuNet, else dlib's CNN; "
                          "photoaudit doctor says which runs and why).")
]



JsonOption = Annotated[
    Path | None, typer.Option("--json", parser=report_path,
                                 help="Write the JSON report here ('-' for standard output).")
]



ToleranceOption = Annotated[
    float | None, typer.Option(help="Largest face distance that can count as a match (default 0.5).")
]



MarginOption = Annotated[
    float | None, typer.Option(help="How much nearer the best child must be than the next (default 0.08).")
]



RulesOption = Annotated[
    bool, typer.Option("--rules", help="Show the rule codes (R2, R5, ... of docs/rules.md) in the sentences.")
]



ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace a report photoaudit wrote even if it was changed since "
                       "(never any other file).")
]



def checked_settings(writes: Writes | None = None) -> Settings:
    """The settings, once what the command will write is checked (for commands with no folder)."""
    from ..operations.run_settings import Writes

    settings = settings_from(None, None)
    checked_writes(settings, writes or Writes())
    return settings



def checked_writes(settings: Settings, writes: Writes, run: str = "") -> None:
    """Refuse what this command must not write (exit 2), and say when a folder is open to others.

    ``run`` says what this run is about (``audit /srv/transfer``): the reports it writes are
    recorded as that run's, and a report another run wrote is never replaced (store/outputs.py).
    """
    from ..operations.run_settings import Run, check_writes

    set_environment(replace(environment(), folders=tuple(writes.folders), run=Run(run) if run else None))
    for words in check_writes(settings, writes):
        err_console().print(words, style="yellow", soft_wrap=True)



def today() -> date:
    """The real date: the one clock the commands read (a test may set it)."""
    from datetime import date

    return date.today()


def parse_today(value: str | None) -> date:
    """``--today``'s date, or the real one when it was not given."""
    from ..operations.run_settings import parse_date
    from ..operations.vocabulary import CannotRun

    if value is None:
        return today()
    try:
        day = parse_date(value)  # the register's own date forms: 2026-09-01 or 01/09/2026
    except ValueError as err:
        raise CannotRun(f"--today: {err}") from None
    if day is None:
        raise CannotRun("--today needs a date, like 2026-09-01 or 01/09/2026 (day first).")
    return day



def examples(*lines: str) -> str:
    """A command's examples, for its help (kept as written: click rewraps other paragraphs)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)



def csv_line(cells: list[str]) -> str:
    """One CSV line, each cell escaped like every CSV cell photoaudit writes (csv_report.cell)."""
    from ..formats import csv_report

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(csv_report.row(cells))  # quotes a cell holding a line break
    return out.getvalue().removesuffix("\r\n")



@contextmanager
def progress_bar(console: Console, enabled: bool, label: str = "Checking photos"):  # noqa: ANN201
    """A progress bar when a person is watching (a terminal), nothing otherwise."""
    if not enabled or not console.is_terminal:
        yield (lambda files: None), (lambda media: None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("audit", total=None)
        yield (
            (lambda files: progress.update(task, total=len(files))),
            (lambda media: progress.advance(task)),
        )



def who_am_i(by: str | None) -> str:
    import getpass

    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # no user name to be had (some services): decisions are still recorded
        return ""



def open_in_viewer(path: Path) -> None:
    """Open a face crop in the system's picture viewer (typer.launch wants a string)."""
    typer.launch(str(path))
