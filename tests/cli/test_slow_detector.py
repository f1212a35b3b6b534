"""An audit with dlib's CNN detector, the last resort: as many workers as the free memory
holds, and it says why it is slow (on the screen, in the log and in the report's warnings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faces import grace_hopper_face, scene
from setting import child, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.operations import memory_limit

runner = CliRunner()


def test_an_audit_with_dlib_cnn_checks_fewer_photos_at_once_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, transfer = tmp_path / "setting", tmp_path / "transfer"
    write_register(data / "children.csv", [child("c01", "Ava Patel", face_matching="no")])
    transfer.mkdir()
    scene([(grace_hopper_face(), (40, 30), 120)], (320, 240), seed=4).save(transfer / "IMG_0001.jpg", quality=90)
    (tmp_path / "photoaudit.toml").write_text("")
    monkeypatch.setattr(memory_limit, "available_memory", lambda: int(4.6 * memory_limit.GB))
    result = runner.invoke(app, ["--config", str(tmp_path / "photoaudit.toml"), "--data", str(data), "audit",
                                 str(transfer), "--detector", "cnn", "--jobs", "4", "--json", str(tmp_path / "r.json"),
                                 "--today", "2026-11-20"], env={"COLUMNS": "400"})
    assert result.exit_code in (0, 1), result.output
    words = " ".join(result.output.split())
    assert "This audit uses dlib's CNN face detector (chosen with --detector cnn). It is much slower" in words
    assert "With 4.6 GB of memory free, one photo is checked at a time instead of 4." in words
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert any("dlib's CNN face detector" in w for w in report["warnings"])
