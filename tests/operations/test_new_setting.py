"""``photoaudit init``: a new setting's folder from the package's blank templates, private,
readable by the register readers, and never written over an existing setting."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from photoaudit.operations.doctor import Check, next_step
from photoaudit.operations.new_setting import SettingExists, make_setting
from photoaudit.setting.config import load_config
from photoaudit.setting.devices import load_devices
from photoaudit.setting.register import load_register, load_staff_register
from photoaudit.setting.shipped import BLANK_FILES, REGISTERS, Shipped

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_a_private_setting_the_readers_accept(tmp_path: Path) -> None:
    folder = tmp_path / "little-acorns"
    made = make_setting(folder)
    assert [p.name for p in made.written] == [f.name for f in BLANK_FILES] + ["faces", "staff"]
    settings = load_config(folder / "photoaudit.toml")
    assert settings.data_dir == folder
    assert load_register(folder / "children.csv", purposes=settings.purposes).children == {}
    assert load_staff_register(folder / "staff.csv", purposes=("website", "social_media")).members == {}
    assert load_devices(folder / "devices.csv").devices == ()
    if os.name != "nt":
        assert {mode(p) for p in made.written if p.is_file()} == {0o600}
        assert {mode(p) for p in (folder, folder / "faces", folder / "staff")} == {0o700}


def test_the_blank_registers_open_cleanly_in_excel_and_match_the_templates() -> None:
    """A UTF-8 byte order mark (Excel then reads accents right), Windows line ends, and the
    same header row as consent_data/template's."""
    for register in REGISTERS:
        shipped = register.read(Shipped.BLANK)
        assert shipped.startswith(b"\xef\xbb\xbf") and shipped.endswith(b"\r\n"), register.name
        template = (ROOT / "consent_data" / "template" / register.name).read_text(encoding="utf-8")
        assert shipped.decode("utf-8-sig").strip() == template.strip(), register.name


@pytest.mark.parametrize("there", ["children.csv", "photoaudit.toml", "faces"])
def test_init_never_writes_over_a_setting(tmp_path: Path, there: str) -> None:
    folder = tmp_path / "setting"
    folder.mkdir()
    if there == "faces":
        (folder / there).mkdir()
    else:
        (folder / there).write_text("mine\n")
    with pytest.raises(SettingExists, match="never overwrites"):
        make_setting(folder)
    assert sorted(p.name for p in folder.iterdir()) == [there]  # nothing else written either
    if there != "faces":
        assert (folder / there).read_text() == "mine\n"


def test_init_into_an_empty_folder_or_beside_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kept\n")
    make_setting(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "kept\n" and (tmp_path / "children.csv").is_file()


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingExists, match="is a file"):
        make_setting(tmp_path / "file")


def test_the_next_step_is_the_first_failures_then_the_first_notes_then_the_audit() -> None:
    ok, note = Check("ok", "a", "fine", "photoaudit enrol"), Check("warn", "b", "hm", "fill it in")
    failed = Check("fail", "c", "broken", "photoaudit init FOLDER")
    assert next_step([ok, note, failed]) == "photoaudit init FOLDER"
    assert next_step([ok, note]) == "fill it in"
    assert next_step([ok]) == "photoaudit enrol"
    assert next_step([Check("ok", "d", "fine")]).startswith("photoaudit audit")
    assert "FAIL" in next_step([Check("fail", "e", "broken")])
