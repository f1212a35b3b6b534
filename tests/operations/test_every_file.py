"""Issue 13, items 2 and 17, through the command line: skipped files are counted in the
summary line, and a sub-folder that cannot be read makes the audit say its photos were
not checked, with an exit code of its own (4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus

TODAY = "2026-11-22"



def cli(data: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(app, ["--data", str(data), *args], env={"COLUMNS": "250"})


def test_the_summary_line_counts_skipped_files(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    data, folder = nursery
    (folder / "._ava.jpg").write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 40)
    result = cli(data, "audit", str(folder), "--today", TODAY, "-q", "--jobs", "1",
                 "--json", str(tmp_path / "r.json"))
    assert result.exit_code == ExitStatus.FINDINGS, result.output
    assert " skipped=1 " in result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [
        {"path": "._ava.jpg", "reason": "macOS file information (an AppleDouble '._' file), not a photo",
         "path_hex": None}
    ]


def test_an_unreadable_sub_folder_says_its_photos_were_not_checked(
    nursery: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, folder = nursery
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]  # as a folder root cannot read (CI runs as root)
        if self.name == "tablet-2":
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    result = cli(data, "audit", str(folder), "--today", TODAY, "--jobs", "1", "--json", str(tmp_path / "r.json"))
    assert result.exit_code == ExitStatus.UNCHECKED == 4, result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (row,) = [i for i in report["images"] if i["path"] == "tablet-2"]
    assert row["entry"] == "folder" and row["action"] == "review"
    assert "the photos in it were NOT checked" in row["reasons"][0] and "Permission denied" in row["reasons"][0]
    assert any("could not be opened, so the photos in them were NOT checked: tablet-2" in w for w in report["warnings"])
    assert "were NOT checked" in result.output
