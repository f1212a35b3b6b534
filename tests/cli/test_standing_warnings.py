"""Issue 25, item 10: a warning about the register or faces/ is said by every audit while it
holds, not only by the run that refreshed the enrolment (which may have been a quiet cron run).

A child id typed ``C01`` beside the folder ``faces/c01``: the child is never matched, so every
photo of them goes to review, and every later audit, its JSON and HTML and the cron line
must say why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from setting import child, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app

runner = CliRunner()


@pytest.fixture
def place(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    write_register(data / "children.csv", [child("C01", "Ava Patel")])
    (data / "faces" / "c01").mkdir(parents=True)
    Image.new("RGB", (64, 48), (200, 180, 160)).save(data / "faces" / "c01" / "ref.jpg")
    transfer = tmp_path / "transfer"
    transfer.mkdir()
    Image.new("RGB", (64, 48), (120, 140, 160)).save(transfer / "IMG_0001.jpg")
    (tmp_path / "photoaudit.toml").write_text("")
    return tmp_path


def audit(place: Path, *args: str):  # noqa: ANN201
    return runner.invoke(app, ["--config", str(place / "photoaudit.toml"), "--data", str(place / "data"), "audit",
                               str(place / "transfer"), "--today", "2026-11-22", *args], env={"COLUMNS": "400"})


def test_the_register_and_faces_warnings_repeat_in_every_report_while_they_hold(place: Path) -> None:
    first = audit(place, "-q")  # the cron run that refreshed the enrolment
    assert first.exit_code in (0, 1), first.output
    line = first.stdout.strip().splitlines()[-1]
    assert " warnings=" in line and " warnings=0 " not in line, line

    later = audit(place, "--json", str(place / "r.json"), "--html", str(place / "r.html"))
    assert later.exit_code in (0, 1), later.output
    assert "Enrolment refreshed" not in later.stdout  # nothing changed: this run did not enrol
    report = json.loads((place / "r.json").read_text(encoding="utf-8"))
    said = "\n".join(report["warnings"])
    assert "faces/c01: no child with this id in the register; not enrolled. Did you mean C01" in said
    assert "Ava Patel (C01) has face-matching permission but no reference photos" in said
    assert "There is a folder faces/c01" in said
    assert "faces/c01: no child with this id" in (place / "r.html").read_text(encoding="utf-8")
    assert "faces/c01: no child with this id" in later.stdout

    quiet = audit(place, "-q")
    assert f" warnings={len(report['warnings'])} " in quiet.stdout, quiet.stdout

    # fixed (the folder renamed to the id): the warnings go, and the next audit says nothing of them
    (place / "data" / "faces" / "c01").rename(place / "data" / "faces" / "C01")
    fixed = audit(place, "--json", str(place / "r.json"))
    assert fixed.exit_code in (0, 1), fixed.output
    said = "\n".join(json.loads((place / "r.json").read_text(encoding="utf-8"))["warnings"])
    assert "faces/c01" not in said and "no reference photos" not in said
    # its one photo shows no face: rejected, and said again by the next audit, which does not enrol
    assert "Rejected reference photo faces/C01/ref.jpg: no face found" in said
    again = audit(place, "--json", str(place / "r.json"))
    assert "Enrolment refreshed" not in again.stdout
    said = "\n".join(json.loads((place / "r.json").read_text(encoding="utf-8"))["warnings"])
    assert "Rejected reference photo faces/C01/ref.jpg: no face found" in said
