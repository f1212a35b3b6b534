"""The command line as a person (and cron) meets it: help, options, plain and literal output.

No face engine here: these tests run the CLI on settings that need none (a register, a
remembered audit built from plain data) or render the terminal formats directly.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from review_setting import write_register
from typer.testing import CliRunner

from photoaudit import __version__
from photoaudit.cli.main import app
from photoaudit.core.models import Action, PhotoVerdict, Use
from photoaudit.formats import terminal
from photoaudit.formats.console import literal, make_console, plain_words
from photoaudit.operations.examine import AuditResult

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str | Path, env: dict[str, str] | None = None, input: str | None = None):  # noqa: ANN201
    return runner.invoke(app, [str(a) for a in args], env=env, input=input)


def run_command(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):  # noqa: ANN201
    """The real ``photoaudit`` command in a fresh process (as a person types it)."""
    return subprocess.run(
        [sys.executable, "-m", "photoaudit", *args], capture_output=True, text=True,
        cwd=cwd or ROOT, env={**os.environ, **(env or {})}, timeout=120,
    )


# ------------------------------------------------------------ help and version, as in other CLIs


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_with_h_or_help(flag: str) -> None:
    result = cli(flag)
    assert result.exit_code == 0, result.output
    assert "audit" in result.output and "review" in result.output


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_with_v_or_version(flag: str) -> None:
    """The first line is the version (for scripts); the second says which face detector runs and why."""
    from photoaudit.faces.detectors import explain

    result = cli(flag)
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"photoaudit {__version__}", f"Face detector: {explain('auto')}"]


def test_help_lists_every_exit_code_with_its_meaning() -> None:
    from photoaudit.core.exit_status import ExitStatus

    lines = [" ".join(line.split()) for line in cli("--help").output.splitlines()]
    codes = lines[lines.index("Exit codes:") + 1:]
    assert codes == [f"{code.value} {code.words}" for code in ExitStatus]


@pytest.mark.skipif(os.name == "nt", reason="bash completion")
def test_tab_completion_is_shown_when_asked_and_installs_nothing_by_itself(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # the shell named, as typer's own tests do, rather than found among this process's parents
    shown = run_command("--show-completion", "bash", env={"HOME": str(home),
                                                          "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert shown.returncode == 0, shown.stderr
    assert "_PHOTOAUDIT_COMPLETE=complete_bash" in shown.stdout
    assert list(home.iterdir()) == []  # shown, not installed
    words = run_command(env={"_PHOTOAUDIT_COMPLETE": "complete_bash", "COMP_WORDS": "photoaudit children --ren",
                             "COMP_CWORD": "2"})
    assert words.stdout.split() == ["--renewals"]
    assert "--install-completion" in cli("--help").output


def test_bare_photoaudit_shows_help_and_exits_0() -> None:
    done = run_command()
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "audit" in done.stdout


@pytest.mark.parametrize("command", ["enrol", "audit", "check", "review", "override", "children", "devices",
                                     "restore", "purge", "reaudit", "forget", "doctor", "staff"])
def test_each_command_has_help_with_an_example(command: str) -> None:
    result = cli(command, "-h")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"photoaudit {command}" in result.output or "photoaudit --data" in result.output


def test_choices_show_their_values() -> None:
    audit = cli("audit", "--help").output
    assert "auto" in audit and "yunet" in audit and "<str>" not in audit
    check = cli("check", "--help").output
    assert "cover" in check and "hold" in check


def test_help_and_version_load_no_image_or_terminal_libraries() -> None:
    """--help and --version are quick: numpy, PIL and rich are not imported for them."""
    probe = (
        "import sys\n"
        "from photoaudit.__main__ import main\n"
        "sys.argv = ['photoaudit', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('numpy', 'PIL', 'rich', 'av', 'dlib', 'piexif') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    for flag in ("--help", "--version", "-h"):
        done = subprocess.run([sys.executable, "-c", probe, flag], capture_output=True, text=True, cwd=ROOT)
        assert "HEAVY []" in done.stderr, (flag, done.stderr)
    for command in ("audit", "review"):
        probe_cmd = probe.replace("sys.argv[1]]", f"'{command}', '--help']")
        done = subprocess.run([sys.executable, "-c", probe_cmd, "x"], capture_output=True, text=True, cwd=ROOT)
        assert "HEAVY []" in done.stderr, (command, done.stderr)


# ------------------------------------------------------------ global options after the command


def test_data_and_config_are_accepted_after_the_command(tmp_path: Path) -> None:
    config = tmp_path / "photoaudit.toml"
    config.write_text("")
    for name in ("one", "two", "three", "four"):
        write_register(tmp_path / name)  # forget refuses an id no register has
    after = cli("forget", "c01", "--data", tmp_path / "one", "--config", config)
    assert after.exit_code == 0, after.output
    assert (tmp_path / "one" / "state").is_dir()  # --data was used, not the default consent_data
    equals = cli("forget", "c01", f"--data={tmp_path / 'two'}", f"--config={config}")
    assert equals.exit_code == 0, equals.output
    assert (tmp_path / "two" / "state").is_dir()
    # Given twice, the one after the command counts (it is the one typed last).
    both = cli("--config", config, "--data", tmp_path / "three", "forget", "c01", "--data", tmp_path / "four")
    assert both.exit_code == 0 and (tmp_path / "four" / "state").is_dir()
    assert not (tmp_path / "three" / "state").exists()


def test_a_global_option_value_is_never_taken_for_the_command(tmp_path: Path) -> None:
    config = tmp_path / "photoaudit.toml"
    config.write_text("")
    data = tmp_path / "forget"  # a folder called like a command
    write_register(data)
    result = cli("--config", config, "--data", data, "forget", "c01")
    assert result.exit_code == 0, result.output
    assert (data / "state").is_dir()


# ------------------------------------------------------------ messages are printed literally


def test_a_misspelt_settings_section_is_named_in_the_error(tmp_path: Path) -> None:
    config = tmp_path / "photoaudit.toml"
    config.write_text("[vidoe]\nmax_samples = 3\n")
    result = cli("--config", config, "--data", tmp_path, "forget", "c01")
    assert result.exit_code == 2
    assert "there is no [vidoe] section" in result.output, result.output
    assert "The sections are: [setting], [transfer]" in result.output


def test_a_range_error_keeps_its_section_name(tmp_path: Path) -> None:
    config = tmp_path / "photoaudit.toml"
    config.write_text("[video]\nmax_samples = 0\n")
    result = cli("--config", config, "--data", tmp_path, "forget", "c01")
    assert result.exit_code == 2
    assert "[video]" in result.output, result.output


def verdict(path: str, reason: str) -> PhotoVerdict:
    return PhotoVerdict(path, Action.REVIEW, {"website": Use.REVIEW}, reasons=(reason,))


def shown(result: AuditResult, width: int = 100, **kwargs: object) -> str:
    out = io.StringIO()
    terminal.show(result, make_console(file=out, width=width, force_terminal=False), **kwargs)
    return out.getvalue()


@pytest.mark.parametrize("name", ["a[/]x.jpg", "[bold red]x.jpg", "[link=http://x]y[/link].jpg"])
def test_markup_in_a_file_name_is_printed_literally(tmp_path: Path, name: str) -> None:
    result = AuditResult(tmp_path, __import__("datetime").date(2026, 11, 20),
                         [verdict(name, f"[red]Ava[/red] in {name} needs a person.")])
    text = shown(result, width=200)
    assert name in text
    assert f"[red]Ava[/red] in {name} needs a person." in text


def test_ansi_escapes_in_names_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "\x1b[2J\x1b[31mevil.jpg"
    result = AuditResult(tmp_path, __import__("datetime").date(2026, 11, 20), [verdict(name, "Face 1 of \x1b]0;x\x07.")])
    text = shown(result, width=200)
    assert "\x1b" not in text and "\x07" not in text
    assert literal(name) in text and "[2J" in text


def test_literal_keeps_ordinary_text_and_shows_control_characters() -> None:
    assert literal("tablet-1/IMG_0001.jpg Zoë") == "tablet-1/IMG_0001.jpg Zoë"
    assert literal("a\x1bb\x9bc\x00d") == "a\\x1bb\\x9bc\\x00d"
    assert literal("two\nlines") == "two\\nlines"
    assert literal("photo\u202egpj.exe") == "photo\\u202egpj.exe"  # no name shown in another order


# ------------------------------------------------------------ plain words, no wrapping when piped


def test_rule_codes_are_left_out_of_sentences() -> None:
    assert plain_words("Grace Okafor (c02) has no consent for social media (R2).") == (
        "Grace Okafor (c02) has no consent for social media."
    )
    assert plain_words("withheld from those uses, for every child in the photo (R5).") == (
        "withheld from those uses, for every child in the photo."
    )
    assert plain_words("not a setting device (R6, R10): tell the DSL") == "not a setting device: tell the DSL"
    assert plain_words("photos are breaches (R6).", rules=True) == "photos are breaches (R6)."
    assert plain_words("Child c02 (R2 in the policy) is R2D2") == "Child c02 (R2 in the policy) is R2D2"


def test_terminal_table_has_no_rule_codes_unless_asked(tmp_path: Path) -> None:
    result = AuditResult(tmp_path, __import__("datetime").date(2026, 11, 20),
                         [verdict("a.jpg", "Grace Okafor (c02) has no consent for social media (R2).")])
    assert "(R2)" not in shown(result)
    assert "(R2)" in shown(result, rules=True)


def test_a_long_message_is_not_wrapped_when_piped() -> None:
    out = io.StringIO()
    console = make_console(file=out, force_terminal=False)
    console.print("word " * 60)
    assert out.getvalue().count("\n") == 1


# ------------------------------------------------------------ getting started: the command on the PATH, doctor


@pytest.mark.skipif(os.name == "nt" or shutil.which("make") is None, reason="make and symbolic links (POSIX)")
def test_make_install_command_puts_photoaudit_on_the_path(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    # -o: never remake the virtual environment from here, only link its command.
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "install-command", f"BINDIR={bindir}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not on your PATH" in done.stdout and "export PATH=" in done.stdout
    link = bindir / "photoaudit"
    assert link.is_symlink()
    path = f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    version = subprocess.run(["photoaudit", "--version"], capture_output=True, text=True, env={"PATH": path},
                             timeout=60)
    assert version.stdout.splitlines()[0] == f"photoaudit {__version__}"


def test_doctor_says_what_is_missing_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "photoaudit.toml").write_text("")
    result = cli("--config", tmp_path / "photoaudit.toml", "--data", tmp_path / "nowhere", "doctor")
    assert result.exit_code == 2, result.output
    assert "FAIL Data folder" in result.output and "nowhere does not exist" in result.output
    assert "Face models: found in" in result.output and "Face detector:" in result.output


def test_doctor_says_which_detector_runs_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from photoaudit.faces.detectors import detector_class, explain

    result = cli("doctor")
    assert f"ok Face detector: {explain('auto')}" in " ".join(result.output.split())
    assert "(chosen with --detector hog)" in " ".join(cli("doctor", "--detector", "hog").output.split())
    for name in ("centerface", "yunet"):  # as on a computer with neither fast detector
        monkeypatch.setattr(detector_class(name), "available", classmethod(lambda cls: False))
    slow = " ".join(cli("doctor").output.split())
    assert "note Face detector: dlib's CNN detector, the last resort" in slow
    assert "because CenterFace cannot run here" in slow and "Run the set-up again (make setup)" in slow
    named = " ".join(cli("doctor", "--detector", "yunet").output.split())
    assert "FAIL Face detector: YuNet was asked for (--detector yunet), but" in named


def test_doctor_on_a_setting(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_register(data)
    (data / "state").mkdir(mode=0o755)
    os.chmod(data / "state", 0o755)
    (tmp_path / "photoaudit.toml").write_text("")
    result = cli("--config", tmp_path / "photoaudit.toml", "doctor", "--data", data)
    assert result.exit_code == 0, result.output
    assert "Consent register" in result.output and "3 children, 1 with face matching" in result.output
    assert "no devices.csv" in result.output
    if os.name != "nt":
        assert "can be read by other users" in result.output and "chmod 700" in result.output
    (data / "children.csv").write_text("child_id,name\n", encoding="utf-8")
    broken = cli("--config", tmp_path / "photoaudit.toml", "doctor", "--data", data)
    assert broken.exit_code == 2 and "FAIL Consent register" in broken.output


def test_children_default_age_is_the_documented_one() -> None:
    from photoaudit.setting.references import DEFAULT_MAX_AGE_MONTHS

    assert "(default 6)" in cli("children", "-h").output and DEFAULT_MAX_AGE_MONTHS == 6


def test_detector_choices_are_the_engine_s() -> None:
    from photoaudit.cli.shared import Detector
    from photoaudit.faces.engine import DETECTORS

    assert tuple(d.value for d in Detector) == DETECTORS


def test_unknown_choices_are_the_cover_rules_own() -> None:
    from photoaudit.core.cover import UNKNOWN_CHOICES

    assert "<cover|hold>" in cli("check", "-h").output
    assert UNKNOWN_CHOICES == ("cover", "hold")


@pytest.mark.parametrize("child_id", ["[bold red]c9[/]", "c9[/]x", "\x1b[31mc9"])
def test_a_name_from_outside_is_printed_literally_by_the_commands(tmp_path: Path, child_id: str) -> None:
    (tmp_path / "photoaudit.toml").write_text("")
    result = cli("--config", tmp_path / "photoaudit.toml", "--data", tmp_path / "d", "forget", child_id)
    assert result.exit_code == 2, result.output  # no child has that id
    assert f"No child has the id {child_id!r}" in result.output  # shown exactly, never as formatting
    assert "\x1b" not in result.output


def test_a_hint_in_an_error_has_this_run_s_options(tmp_path: Path) -> None:
    data = tmp_path / "my setting"
    write_register(data)
    (tmp_path / "photoaudit.toml").write_text("")
    result = cli("--config", tmp_path / "photoaudit.toml", "review", "--data", data)
    assert result.exit_code == 2
    assert f"run photoaudit --config {tmp_path / 'photoaudit.toml'} --data '{data}' audit FOLDER first" in result.output


def test_hints_are_completed_but_summary_lines_are_not() -> None:
    from photoaudit.formats.console import complete_hints

    prefix = "photoaudit --data 'consent_data/little acorns'"
    assert complete_hints("then run photoaudit review, or `photoaudit devices FOLDER`.", prefix) == (
        f"then run {prefix} review, or `{prefix} devices FOLDER`."
    )
    line = "photoaudit check: purpose=website photos=1 cleared=1 not_cleared=0"
    assert complete_hints(line, prefix) == line
    assert complete_hints("photoaudit reaudit: photos=3 changed=0", prefix) == "photoaudit reaudit: photos=3 changed=0"
    assert complete_hints("run photoaudit review", "photoaudit") == "run photoaudit review"


def test_the_html_report_hints_carry_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from photoaudit.cli import shared as cli_module
    from photoaudit.formats.interface import html_hints

    cli_module.set_environment(cli_module.Environment(data_dir=Path("consent_data/a&b")))
    page = "<code>photoaudit review --decisions FILE</code>"
    try:
        assert html_hints(page, cli_module.command_prefix()) == (
            "<code>photoaudit --data 'consent_data/a&amp;b' review --decisions FILE</code>"
        )
    finally:
        cli_module.set_environment(cli_module.Environment())


def test_doctor_names_a_broken_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "photoaudit.toml"
    config.write_text("[matching]\ntolerance = 3\n")
    result = cli("--config", config, "doctor")
    assert result.exit_code == 2
    assert "FAIL Settings file" in result.output and "[matching]" in result.output
