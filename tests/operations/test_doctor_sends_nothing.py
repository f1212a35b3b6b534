"""``photoaudit doctor`` says what photoaudit sends anywhere (nothing), and fails where ONNX
Runtime's telemetry queue is on the computer or its telemetry is on (docs/setting-up.md, "What photoaudit
sends anywhere: nothing")."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from outside import python
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.faces import onnx_runtime
from photoaudit.faces.onnx_runtime import QUEUE, has_telemetry, load
from photoaudit.operations.doctor import check_sends_nothing

NOTHING = "network: none; files outside the setting's folders: none"


def queue_in(cache: Path) -> Path:
    """ONNX Runtime's telemetry queue and device id, as it leaves them in ``cache``."""
    folder = cache / QUEUE
    folder.mkdir(parents=True)
    (folder / "onnxruntime.db").write_bytes(b"SQLite format 3\0")
    (folder / "deviceid").write_text("0c6ae1ba-8ef1-4f4e-9d59-2f1f0b3c9c1e")
    return folder


def test_nothing_sent_and_nothing_written_outside_is_said_in_plain_words(tmp_path: Path) -> None:
    check = check_sends_nothing({"XDG_CACHE_HOME": str(tmp_path / "cache")}, tmp_path / "home", "linux")
    assert check.level == "ok" and check.what == "Network and files"
    assert check.words.startswith(NOTHING)


def test_a_telemetry_queue_on_the_computer_fails(tmp_path: Path) -> None:
    folder = queue_in(tmp_path / "cache")
    check = check_sends_nothing({"XDG_CACHE_HOME": str(tmp_path / "cache")}, tmp_path / "home", "linux")
    assert check.level == "fail"
    assert check.words.startswith(f"ONNX Runtime's telemetry queue (usage data for Microsoft) is in {folder}")
    assert "Delete that folder" in check.words
    mac = queue_in(tmp_path / "home" / "Library" / "Application Support")  # where macOS keeps it
    assert check_sends_nothing({}, tmp_path / "home", "darwin").words.split(": ")[0].endswith(f"is in {mac}")


def test_the_command_fails_on_a_computer_with_the_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runner = CliRunner()
    clean = runner.invoke(app, ["--data", str(tmp_path), "doctor"], env={"COLUMNS": "400"})
    assert f"ok   Network and files: {NOTHING}" in clean.output
    queue_in(tmp_path / "cache")
    found = runner.invoke(app, ["--data", str(tmp_path), "doctor"], env={"COLUMNS": "400"})
    assert found.exit_code == 2
    assert "FAIL Network and files: ONNX Runtime's telemetry queue" in found.output


@pytest.mark.skipif(importlib.util.find_spec("onnxruntime") is None, reason="ONNX Runtime is not installed")
def test_telemetry_on_in_the_process_fails(tmp_path: Path) -> None:
    """ONNX Runtime imported before photoaudit could switch its telemetry off (its queue
    goes to one cache folder; the check looks at another, empty one)."""
    code = ("import onnxruntime\nfrom pathlib import Path\n"
            "from photoaudit.operations.doctor import check_sends_nothing\n"
            f"check = check_sends_nothing({{}}, Path({str(tmp_path / 'elsewhere')!r}), 'linux')\n"
            "print(check.level, check.words)")
    done, _ = python(tmp_path / "process", code)
    assert done.returncode == 0, done.stderr
    if not has_telemetry(load().__version__):  # before 1.29: nothing to switch off
        assert done.stdout.startswith(f"ok {NOTHING}")
        return
    assert done.stdout.startswith("fail ONNX Runtime ")
    assert "was loaded in this process before photoaudit could switch off its telemetry" in done.stdout


def test_a_version_newer_than_those_measured_is_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    newer = type(importlib)("onnxruntime")
    newer.__version__ = "1.40.0"
    monkeypatch.setattr(onnx_runtime, "load", lambda: newer)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    check = check_sends_nothing({}, tmp_path, "linux")
    assert check.level == "warn"
    assert "ONNX Runtime 1.40.0 is newer than the versions photoaudit has checked" in check.words
    assert "pip install 'onnxruntime<1.33'" in check.words
