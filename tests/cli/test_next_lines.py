"""The "Next:" lines and every hint give the command as the person can type it: ``photoaudit``
once it is on their PATH (``make install-command``, pipx), ``.venv/bin/photoaudit`` before that."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from conftest import TEST_DAY
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.formats.console import make_console, show_next, typeable_program

OURS = Path(sys.executable).with_name("photoaudit.exe" if os.name == "nt" else "photoaudit")


def path_without_us() -> str:
    """The PATH with this environment's own folder of commands taken off it."""
    return os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p and Path(p).resolve() != OURS.parent.resolve())


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
def test_the_program_as_typed_before_and_after_install_command() -> None:
    assert typeable_program("/srv/acorns/.venv/bin/photoaudit", True, "/srv/acorns") == "photoaudit"
    assert typeable_program("/srv/acorns/.venv/bin/photoaudit", False, "/srv/acorns") == ".venv/bin/photoaudit"
    assert typeable_program("/srv/acorns/.venv/bin/photoaudit", False, "/home/jo") == "/srv/acorns/.venv/bin/photoaudit"
    assert typeable_program("/srv/acorns/photoaudit", False, "/srv/acorns") == "./photoaudit"
    assert typeable_program(None, False, "/srv") == "photoaudit"


def test_show_next_completes_each_command_with_the_prefix() -> None:
    out = io.StringIO()
    console = make_console(file=out, width=200)
    console.prefix = ".venv/bin/photoaudit --data acorns"
    show_next(console, ["2 face(s) need a person to say who they are: photoaudit review"])
    assert out.getvalue() == "Next: 2 face(s) need a person to say who they are: .venv/bin/photoaudit --data acorns review\n"
    out.truncate(0), out.seek(0)
    show_next(console, ["one: photoaudit review", "two"])
    assert out.getvalue() == "Next:\n- one: .venv/bin/photoaudit --data acorns review\n- two\n"


def test_a_hint_with_its_own_data_folder_gets_only_the_program_as_typed() -> None:
    out = io.StringIO()
    console = make_console(file=out, width=200)
    console.prefix, console.program = ".venv/bin/photoaudit", ".venv/bin/photoaudit"
    show_next(console, ["photoaudit --data 'little acorns' doctor"])
    assert out.getvalue() == "Next: .venv/bin/photoaudit --data 'little acorns' doctor\n"


@pytest.mark.skipif(not OURS.is_file(), reason="runs from an environment with its photoaudit command")
def test_an_audit_s_next_lines_before_and_after_the_command_is_on_the_path(
    nursery: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data, folder = nursery
    args = ["--data", str(data), "audit", str(folder), "--today", TEST_DAY.isoformat()]
    monkeypatch.chdir(OURS.parent.parent.parent)  # the folder that holds .venv
    before = CliRunner().invoke(app, args, env={"PATH": path_without_us(), "COLUMNS": "400"})
    assert before.exit_code == 1, before.output
    typed = os.path.join(OURS.parent.parent.name, OURS.parent.name, OURS.name)  # .venv/bin/photoaudit
    assert "Next:" in before.output
    assert f"{typed} --data {data} audit {folder} --apply" in before.output
    assert " photoaudit --data" not in before.output  # no hint without its path
    monkeypatch.chdir(tmp_path)  # elsewhere: the whole path
    elsewhere = CliRunner().invoke(app, args, env={"PATH": path_without_us(), "COLUMNS": "400"})
    assert f"{OURS} --data {data} audit {folder} --apply" in elsewhere.output
    after = CliRunner().invoke(app, args, env={"PATH": f"{OURS.parent}{os.pathsep}{path_without_us()}", "COLUMNS": "400"})
    assert f" photoaudit --data {data} audit {folder} --apply" in after.output
    assert str(OURS) not in after.output and typed not in after.output
