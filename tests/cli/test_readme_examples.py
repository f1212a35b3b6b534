"""The command examples of README and of the guides under docs/, so the docs cannot drift
from the command line.

Every ``photoaudit ...`` line in their code blocks (and every command in backticks in their
text) must parse: the command exists, its options exist and take the values shown. Those
that need no photos are run for real on a small setting (a register, no photos), and must
not fail. docs/commands.md is left out: it is written from the command line itself
(tests/test_command_reference.py keeps it up to date).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from review_setting import ROWS, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: README and the guides: wherever a reader is shown a command to type.
PAGES = [README, *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "commands.md")]
DATA = "consent_data/little-acorns"


def page_commands(page: Path, blocks_only: bool = False) -> list[str]:
    """Every photoaudit command line ``page`` shows, without comments, cron times or `cd ... &&`.

    With ``blocks_only``, only those of its code blocks (the examples to type), not the
    commands named in its sentences.
    """
    text = page.read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split(" && ")[-1].strip()
            line = re.sub(r"^\.venv/bin/", "", line)
            if line.startswith("photoaudit ") or line == "photoaudit":
                found.append(re.sub(r"\s+#.*$", "", line).strip())
    if blocks_only:
        return sorted(set(found))
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    commands = set(typer.main.get_command(app).commands)
    for code in re.findall(r"`(photoaudit(?: [^`\n]*)?)`", prose):
        words = code.split()
        if len(words) == 2 and not words[1].startswith("-") and words[1] not in commands:
            continue  # words in a sentence or a column name ("photoaudit thinks"), not a command
        if "[" in code and "]" in code:
            continue  # a synopsis (`photoaudit find CHILD [--json FILE]`), not an example
        if ":" not in words[0] and "..." not in code and "=" not in words[-1][:1]:
            found.append(code)
    return sorted(set(found))


def readme_commands(blocks_only: bool = False) -> list[str]:
    """Every photoaudit command line of README and the guides (see :func:`page_commands`)."""
    return sorted({c for page in PAGES for c in page_commands(page, blocks_only)})


COMMANDS = readme_commands()


def words(command: str, data: Path | None = None) -> list[str]:
    args = shlex.split(command)[1:]
    return [str(data) if data is not None and a == DATA else a for a in args]


def test_the_docs_have_examples_of_every_command() -> None:
    named = {w for c in COMMANDS for w in shlex.split(c)[1:] if not w.startswith("-")}
    for command in ("enrol", "audit", "devices", "review", "override", "check", "restore", "purge",
                    "reaudit", "forget", "doctor", "children", "find", "published", "takedown", "group"):
        assert command in named, command


def test_the_readme_shows_the_first_week() -> None:
    """README's own examples: the five commands of a manager's first week, and doctor."""
    named = {shlex.split(c)[1:][2] if c.split()[1] == "--data" else c.split()[1]
             for c in page_commands(README, blocks_only=True)}
    assert {"doctor", "enrol", "audit", "review", "check"} <= named, named


def test_the_guides_are_followed() -> None:
    """The examples moved out of README are still checked: they are found in the guides."""
    assert {p.name for p in PAGES} >= {"README.md", "managers-week.md", "setting-up.md", "parents-rights.md",
                                       "groups.md", "rules.md"}
    assert any("restore tablet-2/IMG_0102.jpg" in c for c in page_commands(ROOT / "docs" / "managers-week.md"))
    assert any(c.startswith("photoaudit find c07") for c in page_commands(ROOT / "docs" / "parents-rights.md"))


def windows_and_macos_commands() -> dict[str, list[str]]:
    """The photoaudit command lines of the docs' Windows and macOS blocks, as argument lists
    (their folders are Windows paths, which shlex would change): the PowerShell set-up and demo
    (``.venv\\Scripts\\photoaudit ...``), each ``schtasks`` line's ``/TR "..."`` and the
    launchd plist's ``ProgramArguments``."""
    import plistlib

    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    found: dict[str, list[str]] = {}
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        if block.lstrip().startswith("<?xml"):
            arguments = plistlib.loads(block.encode("utf-8"))["ProgramArguments"]
            found["launchd: " + " ".join(arguments)] = arguments[1:]
            continue
        for line in block.splitlines():
            tr = re.search(r'^schtasks .*/TR "([^"]*)"$', line)
            if tr:
                found["schtasks: " + tr.group(1)] = tr.group(1).split()[1:]
            elif line.startswith(".venv\\Scripts\\photoaudit "):
                found["PowerShell: " + line] = line.split()[1:]
    return found


WINDOWS_AND_MACOS = windows_and_macos_commands()


def test_the_docs_schedule_on_windows_and_macos_with_the_quiet_line() -> None:
    scheduled = {k: v for k, v in WINDOWS_AND_MACOS.items() if not k.startswith("PowerShell")}
    assert sum(k.startswith("schtasks") for k in scheduled) == 2 and sum(k.startswith("launchd") for k in scheduled) == 1
    assert any(k.startswith("launchd: /Users/office/photoaudit/.venv/bin/photoaudit ") for k in scheduled)
    assert any(k.startswith("schtasks: C:\\photoaudit\\.venv\\Scripts\\photoaudit.exe ") for k in scheduled)
    for shown, args in scheduled.items():
        assert "--quiet" in args or ("purge" in args and "--yes" in args), shown
    demo = [args for k, args in WINDOWS_AND_MACOS.items() if k.startswith("PowerShell")]
    assert demo == [["demo", "demo"]]  # what `make demo` runs


@pytest.mark.parametrize("shown", sorted(WINDOWS_AND_MACOS))
def test_each_windows_and_macos_example_parses(shown: str) -> None:
    parses(WINDOWS_AND_MACOS[shown], shown)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_example_parses(command: str) -> None:
    """The command and every option in the example exist and accept the values shown."""
    group = typer.main.get_command(app)
    if len(words(command)) == 1 and not command.split()[1].startswith("-"):  # "photoaudit check" in a sentence
        assert words(command)[0] in group.commands, f"the docs name an unknown command: {command}"
        return
    parses(words(command), command)


def parses(args: list[str], command: str) -> None:
    """Parse ``args`` (photoaudit's arguments) as the command line would, or fail naming ``command``."""
    group = typer.main.get_command(app)
    try:
        with group.make_context("photoaudit", args, resilient_parsing=False) as ctx:
            protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", [])
            rest = [*protected, *ctx.args]
            if not rest:
                return
            name, *sub_args = rest
            sub = group.get_command(ctx, name)
            assert sub is not None, f"the docs show an unknown command: {command}"
            sub.make_context(name, sub_args, parent=ctx, resilient_parsing=False)
    except typer.Exit as done:  # -h, -V: parsed, and they stop there
        assert done.exit_code == 0


#: Examples that need no photos: run them for real.
NO_PHOTOS = ("restore", "purge", "forget", "doctor", "review --list", "-h", "-V")
NEEDS_NO_PHOTOS = [c for c in readme_commands(blocks_only=True) if any(re.search(rf"(^| ){re.escape(n)}( |$)", c) for n in NO_PHOTOS)]


def test_some_examples_need_no_photos() -> None:
    assert len(NEEDS_NO_PHOTOS) >= 5, NEEDS_NO_PHOTOS


@pytest.mark.parametrize("command", NEEDS_NO_PHOTOS)
def test_examples_that_need_no_photos_run(command: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [*ROWS, "c07,Tom Green,Caterpillars,attending,,yes,yes,yes,yes,yes,no,2030-09-01"]  # forget c07
    write_register(tmp_path / "consent_data", rows)  # the default data folder, for `photoaudit doctor`
    data = tmp_path / "consent_data" / "little-acorns"
    write_register(data, rows)
    (tmp_path / "photoaudit.toml").write_text("")
    monkeypatch.chdir(tmp_path)  # the empty photoaudit.toml is the one used
    result = CliRunner().invoke(app, words(command, data), env={"COLUMNS": "200"}, input="n\n")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "No such option" not in result.output and "Usage:" not in result.output.split("\n")[0:1], result.output
    # restore of a photo that is not in quarantine says so (exit 2); everything else runs clean.
    expected = 2 if "restore tablet-2" in command else 0
    assert result.exit_code == expected, (command, result.output)
