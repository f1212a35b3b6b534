"""The command line: a thin typer shell over :mod:`photoaudit.operations.workflow`.

Exit codes: :class:`~photoaudit.operations.vocabulary.ExitStatus` (the README's table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..operations.vocabulary import ExitStatus
from . import group, posting, quarantine, review, rights, setting, start, weekly
from .shared import Environment, set_environment

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
    # --install-completion SHELL and --show-completion SHELL (typer's): tab completion of the
    # commands and options; nothing is written anywhere unless --install-completion is given.
    add_completion=True,
    invoke_without_command=True,
    rich_markup_mode=None,  # plain help: quick, and nothing in it is read as markup
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Check nursery photos against the children's photo consent.",
    epilog=(
        "\b\nStart here:\n"
        "  photoaudit demo                                    try it on the demo setting\n"
        "  photoaudit init consent_data/little-acorns         a new setting's folder, to fill in\n"
        "  photoaudit doctor                                  is everything in place?\n"
        "  photoaudit --data consent_data/little-acorns enrol\n"
        "  photoaudit --data consent_data/little-acorns audit /path/to/transfer --html week47.html\n"
        "  photoaudit --data consent_data/little-acorns review\n"
        "\n"
        "Options of photoaudit itself (--data, --config, --state, --quarantine, --log) may also "
        "come after the command. Each command has its own help: photoaudit audit -h. Tab completion: "
        "photoaudit --install-completion (or --show-completion to see what it would add)."
        "\n\n\b\nExit codes:\n" + "\n".join(f"  {code.value}  {code.words}" for code in ExitStatus)
    ),
)
# The commands, one module per group, each with its own app (typer merges an add_typer()
# without a name into this command): assembled here, explicitly, and nowhere else.
app.add_typer(start.app)  # init, demo (photoaudit/cli/start.py)
app.add_typer(setting.app)  # doctor, children, staff, devices (photoaudit/cli/setting.py)
app.add_typer(weekly.app)  # enrol, audit, reaudit (photoaudit/cli/weekly.py)
app.add_typer(review.app)  # review, override (photoaudit/cli/review.py)
app.add_typer(posting.app)  # check (photoaudit/cli/posting.py)
app.add_typer(rights.app)  # find, published, takedown, forget (photoaudit/cli/rights.py)
app.add_typer(quarantine.app)  # restore, purge (photoaudit/cli/quarantine.py)
app.add_typer(group.app)  # group (photoaudit/cli/group.py)


def version_callback(value: bool) -> None:
    if value:
        from ..operations.doctor import detector_line

        print(f"photoaudit {__version__}")
        print(detector_line())
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Folder with children.csv and faces/ (env PHOTOAUDIT_DATA; "
                     "default: photoaudit.toml's, else consent_data).", envvar="PHOTOAUDIT_DATA"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file (default: photoaudit.toml in this folder, if there)."),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option("--state", help="Private folder for face templates (default: DATA/state)."),
    ] = None,
    quarantine_dir: Annotated[
        Path | None,
        typer.Option("--quarantine", envvar="PHOTOAUDIT_QUARANTINE",
                     help="Where --apply moves photos to delete (default: DATA/quarantine)."),
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log", help="Log file (default: STATE/photoaudit.log).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=version_callback, is_eager=True,
                           help="Show the version and which face detector runs.")
    ] = False,
) -> None:
    ctx.obj = Environment(data, state_dir, config, quarantine_dir, log_file)  # each command names its folders
    set_environment(ctx.obj)
    if ctx.invoked_subcommand is None:  # bare `photoaudit`: its help, as other commands do
        typer.echo(ctx.get_help())
        raise typer.Exit(ExitStatus.CLEAR)
