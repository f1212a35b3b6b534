"""Issue 25, items 9 and 12: the data folder's own photoaudit.toml is read, and a settings file
or an option photoaudit cannot use is a clear error naming it (exit code 2), never "a fault in
photoaudit itself".

The commands run as separate processes (``python -m photoaudit``), as cron runs them: the
fault handler of ``photoaudit/__main__.py`` is part of what is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from setting import child, write_register

FAULT = "a fault in photoaudit itself"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300", "PYTHONIOENCODING": "utf-8"}
    env.pop("PHOTOAUDIT_DATA", None)
    return subprocess.run([sys.executable, "-m", "photoaudit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env, check=False)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_register(data / "children.csv", [child("c01", "Ava Patel", face_matching="no")])
    transfer = tmp_path / "transfer"
    transfer.mkdir()
    Image.new("RGB", (64, 48), (120, 140, 160)).save(transfer / "IMG_0001.jpg")
    (tmp_path / "work").mkdir()  # the folder the commands run in: no photoaudit.toml there
    return tmp_path


def test_the_data_folders_own_settings_file_is_read(place: Path) -> None:
    (place / "data" / "photoaudit.toml").write_text(
        '[setting]\nname = "Little Acorns"\n[retention]\nmonths = 1\n[transfer]\nwindow_days = 3\n', encoding="utf-8")
    done = run(place / "work", "--data", str(place / "data"), "audit", str(place / "transfer"),
               "--json", str(place / "r.json"))
    assert done.returncode in (0, 1), done.stderr
    assert json.loads((place / "r.json").read_text(encoding="utf-8"))["setting"] == {"name": "Little Acorns"}
    doctor = run(place / "work", "--data", str(place / "data"), "doctor")
    assert f"Settings file: {place / 'data' / 'photoaudit.toml'}" in doctor.stdout


def test_the_data_folders_settings_file_wins_over_the_working_folders(tmp_path: Path) -> None:
    from photoaudit.setting.config import find_config

    (tmp_path / "data").mkdir()
    here = tmp_path / "photoaudit.toml"
    here.write_text("")
    assert find_config(None, tmp_path, data=tmp_path / "data") == here  # none in the data folder
    own = tmp_path / "data" / "photoaudit.toml"
    own.write_text("")
    assert find_config(None, tmp_path, data=tmp_path / "data") == own
    assert find_config(here, tmp_path, data=tmp_path / "data") == here  # --config wins over both


@pytest.mark.parametrize("content, words", [
    (bytes(range(256)) * 4, "is not text (UTF-8)"),  # a binary file saved as photoaudit.toml
    (b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply"),
])
def test_a_settings_file_that_is_not_toml_text_is_named_not_a_fault(place: Path, content: bytes, words: str) -> None:
    config = place / "data" / "photoaudit.toml"
    config.write_bytes(content)
    for args in (["--config", str(config)], ["--data", str(place / "data")]):
        done = run(place / "work", *args, "audit", str(place / "transfer"))
        assert done.returncode == 2, done.stderr
        assert FAULT not in done.stderr and "Traceback" not in done.stderr
        assert words in done.stderr and str(config) in done.stderr


def test_a_state_folder_that_cannot_hold_files_is_named_not_a_raw_error(place: Path) -> None:
    blocker = place / "not-a-folder"
    blocker.write_text("a file where the state folder's parent should be\n")
    config = place / "data" / "photoaudit.toml"
    config.write_text(f'[setting]\nstate = "{(blocker / "state").as_posix()}"\n', encoding="utf-8")
    done = run(place / "work", "--config", str(config), "audit", str(place / "transfer"))
    assert done.returncode == 2, done.stderr
    text = " ".join(done.stderr.split())
    assert "[Errno" not in text and FAULT not in text
    assert f"The state folder {blocker / 'state'} cannot be used" in text
    assert "--state, or state in photoaudit.toml" in text


@pytest.mark.skipif(not Path("/proc/1").is_dir(), reason="needs Linux's /proc")
def test_state_in_proc_is_named_not_a_raw_errno(place: Path) -> None:
    config = place / "data" / "photoaudit.toml"
    config.write_text('[setting]\nstate = "/proc/1"\n', encoding="utf-8")
    done = run(place / "work", "--config", str(config), "audit", str(place / "transfer"))
    assert done.returncode == 2, done.stderr
    text = " ".join(done.stderr.split())
    assert "[Errno" not in text and FAULT not in text
    assert "The state folder /proc/1 cannot be used" in text and "--state" in text


@pytest.mark.parametrize("age", ["99999999999d", "999999999w", "99999999999999999999h"])
def test_a_purge_age_too_large_to_count_is_a_clear_error(place: Path, age: str) -> None:
    done = run(place / "work", "--data", str(place / "data"), "purge", "--older-than", age, "--yes")
    assert done.returncode == 2, done.stderr
    assert FAULT not in done.stderr and "Traceback" not in done.stderr
    assert f"--older-than {age} is longer than any photo can have been in quarantine" in " ".join(done.stderr.split())
