"""The terminal every command prints to: literal, plain words, no wrapping when piped.

- **Literal.** File and child names come from outside (a tablet, a spreadsheet): a name
  like ``[bold red]x.jpg`` or ``a[/]x.jpg`` is a name, never Rich markup, and an ANSI
  escape in a name never reaches the terminal (it is shown as ``\\x1b``). So the console
  has markup off, and every piece of text it writes has its control characters made
  visible (:func:`~photoaudit.core.words.literal`, the one helper the CSV and HTML reports
  and the log use too), whatever path it took (a message, a table cell, a Text).
- **Plain words.** The rule codes of docs/rules.md (R2, R5, ...) are jargon in a
  sentence: the terminal leaves them out unless asked (``--rules``). The JSON and HTML
  reports keep them.
- **No wrapping when piped.** In a terminal, text wraps at its width; in a file, a pipe or
  cron's mail, a line is never broken (only tables are laid out to a width).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from ..core.words import CONTROL_CHARACTERS as _CONTROL
from ..core.words import literal


def _visible(text: str) -> str:
    """As :func:`literal`, but line breaks are kept: the console's own text has them."""
    return literal(text, keep_lines=True)


#: "(R2)", "(R5, R6)", " (R2 and R5)" at the end of a clause, as the rules write them.
_RULE_CODES = re.compile(r"\s*\((?:R\d{1,2})(?:(?:,\s*|\s+and\s+|/)R\d{1,2})*\)")


def plain_words(text: str, rules: bool = False) -> str:
    """``text`` without the rule codes in brackets (``(R2)``), unless ``rules``."""
    return text if rules else _RULE_CODES.sub("", text)


def shell_word(word: str) -> str:
    """``word`` quoted so that it can be pasted into this system's shell as one word."""
    if os.name == "nt":  # cmd.exe and PowerShell both take double quotes
        return subprocess.list2cmdline([word])
    return shlex.quote(word)


def typeable_program(ours: str | None, on_path_is_ours: bool, cwd: str) -> str:
    """How a person types this program in their shell: ``photoaudit`` when that name on their PATH
    is this program (``make install-command`` or pipx put it there), else the path of this
    program's own command ``ours`` (``.venv/bin/photoaudit`` from the folder that holds it, the
    whole path from elsewhere), else ``photoaudit``."""
    if on_path_is_ours or ours is None:
        return "photoaudit"
    try:
        inside = os.path.relpath(ours, cwd)
    except ValueError:  # on another drive (Windows)
        return ours
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        return ours
    return inside if os.sep in inside else os.curdir + os.sep + inside


def show_next(console: Console, steps: list[str]) -> None:
    """"Next:" and what to do: one step on the line itself, several one a line. Every "Next:"
    photoaudit prints goes through here, so the commands in it are completed as the person can
    type them (:class:`LiteralConsole`)."""
    if len(steps) == 1:
        console.print(f"Next: {steps[0]}", soft_wrap=True)
    elif steps:
        console.print("Next:", style="bold")
        for step in steps:
            console.print(f"- {step}")


_COMMANDS = "enrol|audit|check|review|override|children|devices|restore|purge|reaudit|forget|doctor"
#: "photoaudit review" in a hint (not "photoaudit check:", the start of a summary line).
_HINT = re.compile(rf"\bphotoaudit (?=(?:{_COMMANDS})\b(?!:))")
#: "photoaudit --data FOLDER doctor": a hint that gives its own options; only the program is completed.
_OPTIONS_HINT = re.compile(r"\bphotoaudit (?=--(?:data|config) )")


def complete_hints(text: str, prefix: str, program: str = "") -> str:
    """Hints like ``photoaudit review`` with this run's own options (``photoaudit --data D review``).

    ``prefix`` is the command as it was typed, up to the command's name; a hint then works
    when copied and pasted. A hint that gives its own ``--data`` or ``--config`` gets only the
    ``program`` as typed (``.venv/bin/photoaudit``), never this run's options a second time.
    """
    if not prefix or prefix == "photoaudit":
        return text
    text = _OPTIONS_HINT.sub(lambda _: program + " ", text) if program else text
    return _HINT.sub(lambda _: prefix + " ", text)


class LiteralConsole(Console):
    """A Rich console that prints every string as it is (see the module docstring).

    ``prefix`` is the command as typed up to its name: hints in printed text are completed
    with it (:func:`complete_hints`).
    """

    prefix = "photoaudit"
    program = ""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # noqa: ANN401
        kwargs["markup"] = False
        return super().render_str(_visible(complete_hints(text, self.prefix, self.program)), **kwargs)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and _CONTROL.search(segment.text.replace("\n", "")):
                yield Segment(_visible(segment.text), segment.style)
            else:
                yield segment


def make_console(
    stderr: bool = False, file: IO[str] | None = None, width: int | None = None,
    force_terminal: bool | None = None,
) -> LiteralConsole:
    """The console for a command's output (or its errors, ``stderr``)."""
    console = LiteralConsole(
        stderr=stderr, file=file, width=width, force_terminal=force_terminal, markup=False, highlight=False,
        emoji=False,
    )
    console.soft_wrap = not console.is_terminal
    return console
