"""docs/commands.md is the command line's own help, and stays so.

It is written by scripts/command_reference.py (``make docs``); a command or option added,
renamed or re-worded without writing it again fails here, saying the command to run. The
text must come out the same on every computer: the same whatever the terminal's width or
colour settings, and with no path, user name or home folder of the computer it was made on.
"""

from __future__ import annotations

import getpass
import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType

import pytest
import typer

from photoaudit.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "commands.md"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("command_reference", ROOT / "scripts" / "command_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_reference_is_up_to_date() -> None:
    written = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    assert written == generator().command_reference(), (
        "docs/commands.md is out of date with the command line: run `make docs` "
        "(or `.venv/bin/python scripts/command_reference.py`) and commit docs/commands.md")


def test_every_command_and_option_is_in_it() -> None:
    text = generator().command_reference()
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        if command.hidden:
            continue
        assert f"\n## photoaudit {name}\n" in text, name
        section = text.split(f"\n## photoaudit {name}\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            shown = param.param_type_name == "option" and not getattr(param, "hidden", False)
            for opt in param.opts if shown else []:
                assert opt in section, (name, opt)


@pytest.mark.parametrize("environment", [
    {"COLUMNS": "200", "LINES": "50"},
    {"COLUMNS": "40", "FORCE_COLOR": "1", "TERM": "xterm-256color"},
    {"NO_COLOR": "1", "TERM": "dumb"},
])
def test_the_text_does_not_depend_on_the_terminal(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    plain = generator().command_reference()
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    assert generator().command_reference() == plain
    assert "\x1b" not in plain  # no colour codes


def test_the_text_names_nothing_of_this_computer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = generator().command_reference()
    here = [str(ROOT), str(Path.home()), str(tmp_path), os.environ.get("TMPDIR", "/tmp/")]
    for place in here:
        assert place not in text, place
    user = getpass.getuser()  # a default such as `--by` (your user name) is said, never shown
    assert not re.search(rf"(?<![\w/-]){re.escape(user)}(?![\w/-])", text), user


def test_check_mode_says_the_command_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "commands.md"
    stale.write_text("# Command reference\n\nan old version\n", encoding="utf-8")
    assert generator().main(["--check", "--output", str(stale)]) == 1
    assert "run `make docs`" in capsys.readouterr().err
    assert generator().main(["--output", str(stale)]) == 0
    assert generator().main(["--check", "--output", str(stale)]) == 0
