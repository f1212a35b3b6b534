"""The ``photoaudit`` command (also ``python -m photoaudit``).

The command-line interface is imported only when the command runs. Worker processes
(see :mod:`photoaudit.operations.parallel`) start by importing the module that started their
parent, which for the installed command is this one: kept small, they do not load the
interface, its libraries and every report format just to examine photos.
"""

from __future__ import annotations


def main() -> None:
    """Run the photoaudit command."""
    from .cli.main import app

    app(prog_name="photoaudit")


if __name__ == "__main__":
    main()
