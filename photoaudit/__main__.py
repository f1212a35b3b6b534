"""The ``photoaudit`` command (also ``python -m photoaudit``).

The command-line interface is imported only when the command runs. Worker processes
(see :mod:`photoaudit.operations.parallel`) start by importing the module that started their
parent, which for the installed command is this one: kept small, they do not load the
interface, its libraries and every report format just to examine photos.

An error nobody foresaw (a fault in photoaudit) ends the command with exit code 2, "could
not run", never Python's own 1, which cron jobs and scripts read as "some photos need
action": a crash must not pass for a finished audit.
"""

from __future__ import annotations

import sys
import traceback

from .core.exit_codes import ExitCode

#: The exit code of a command that could not run.
EXIT_CANNOT_RUN = ExitCode.CANNOT_RUN

UNEXPECTED_WORDS = (
    "photoaudit stopped because of an unexpected error, a fault in photoaudit itself: {error}. "
    "Its work is not finished: do not rely on any report from this run. The details above "
    "are for whoever looks after photoaudit. (exit code 2)"
)


def main() -> None:
    """Run the photoaudit command."""
    from .cli.main import app

    try:
        app(prog_name="photoaudit")
    except Exception as err:  # noqa: BLE001 - the last line of defence, see the module's docstring
        traceback.print_exception(err, file=sys.stderr)
        print(UNEXPECTED_WORDS.format(error=f"{type(err).__name__}: {err}"), file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)


if __name__ == "__main__":
    main()
