"""Write docs/commands.md, the command reference, from the command line itself.

Walks photoaudit's command tree (typer's click commands) and writes each command's help as
``photoaudit COMMAND -h`` prints it: usage, description, options and examples. The text is
the same on every computer: the width is fixed, there is no colour, and the help holds no
path, user name or environment of the computer it is made on (the test checks).

Run from the repository root after `make setup` (``make docs`` does)::

    .venv/bin/python scripts/command_reference.py           # write docs/commands.md
    .venv/bin/python scripts/command_reference.py --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import typer

from photoaudit.cli.main import app

#: Where the reference goes, from the repository root.
REFERENCE = Path("docs") / "commands.md"
#: The command that writes it again, as the out-of-date test says it.
REGENERATE = "make docs"
#: The terminal the help is laid out for: the usual 80 columns, as `-h` prints it there
#: (click leaves two columns free at the right).
COLUMNS = 80

HEADER = """\
# Command reference

Every photoaudit command with its options, as `photoaudit COMMAND -h` prints it. This page
is written from the command line itself by `scripts/command_reference.py` (`make docs`):
do not edit it by hand. [The guides](README.md) say when to use each.
"""


def help_text(command: Any, name: str, parent: Any) -> tuple[str, Any]:  # noqa: ANN401
    """The help of ``command`` (a click command, as typer makes it) as ``-h`` prints it, laid
    out for :data:`COLUMNS` columns without colour; and the context it was made in."""
    ctx = command.make_context(name, [], parent=parent, resilient_parsing=True,
                               terminal_width=COLUMNS - 2, max_content_width=COLUMNS, color=False)
    text = command.get_help(ctx)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n"), ctx


def sections(command: Any, path: list[str], parent: Any) -> list[tuple[str, str]]:  # noqa: ANN401
    """``(full command, help)`` for ``command`` and every visible command under it, in order."""
    text, ctx = help_text(command, path[-1], parent)
    found = [(" ".join(path), text)]
    if hasattr(command, "list_commands"):  # a group of commands
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found.extend(sections(sub, [*path, name], ctx))
    return found


def anchor(title: str) -> str:
    """GitHub's anchor for a heading ``title`` (plain words and spaces)."""
    return title.lower().replace(" ", "-")


def command_reference() -> str:
    """The whole of docs/commands.md."""
    found = sections(typer.main.get_command(app), ["photoaudit"], None)
    lines = [HEADER, "Commands:", ""]
    lines += [f"- [`{title}`](#{anchor(title)})" for title, _ in found]
    for title, text in found:
        lines += ["", f"## {title}", "", "```text", text, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help=f"only check that {REFERENCE} is up to date (exit 1 if not)")
    parser.add_argument("--output", type=Path, default=REFERENCE, help=f"where to write it (default {REFERENCE})")
    args = parser.parse_args(argv)
    text = command_reference()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
