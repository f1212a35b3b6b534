"""What `--apply` (and every command that changes files) promises, through the command line with the
real engine (issue 25): ``--today`` never changes a file; a photo that changed while it was read is
never judged ``delete`` nor moved; every photo to delete that ``--apply`` leaves alone is listed,
with why, in the terminal, the quiet line and the JSON report.

The "children" are the public-domain sample faces of tests/nursery.py: c03 Sam's parents refused
every use, so his three photos are ``delete``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from nursery import photo
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.operations import incremental, weekly_audit

DELETED = {"tablet-2/sam.jpg", "tablet-2/ava-and-sam.jpg", "tablet-2/sam-again.jpg"}  # Sam: no use at all

#: Commands that change files refuse --today: the real day is set to the test day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_test_day")


def cli(data: Path, *args: object):  # noqa: ANN201
    return CliRunner().invoke(app, ["--data", str(data), *map(str, args)], env={"COLUMNS": "250"})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha(p) for p in folder.rglob("*") if p.is_file()}


def test_today_is_for_looking_ahead_and_never_changes_a_file(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    data, folder = nursery
    before = files_in(folder)
    for command in (
        ["audit", folder, "--jobs", "1", "--today", "15/08/2030", "--apply"],  # past retention then: all of them
        ["check", folder / "tablet-1" / "ava.jpg", "--for", "display", "--export", tmp_path / "out",
         "--today", "2020-01-01"],
        ["purge", "--older-than", "0d", "--yes", "--today", "2030-08-15"],
        ["restore", "--all", "--today", "2030-08-15"],
    ):
        refused = cli(data, *command)
        assert refused.exit_code == ExitStatus.CANNOT_RUN, (command, refused.output)
        assert "--today is for looking ahead" in " ".join(refused.stderr.split()), command
        assert files_in(folder) == before, command  # nothing moved
    assert not (data / "quarantine").exists() and not (tmp_path / "out").exists()
    # looking ahead is still allowed: reports only
    ahead = cli(data, "audit", folder, "--jobs", "1", "--today", "2030-08-15", "--json", "-")
    assert ahead.exit_code == ExitStatus.FINDINGS, ahead.output
    assert json.loads(ahead.stdout)["today"] == "2030-08-15"
    assert files_in(folder) == before


def test_a_photo_that_changes_while_it_is_read_is_reviewed_and_never_moved(
    nursery: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo of Sam still being copied: its bytes change while photoaudit hashes it. Its hash
    is unknown, so its verdict is review (never delete) and --apply leaves it where it is."""
    data, folder = nursery
    late = folder / "tablet-2" / "sam-late.jpg"
    photo(("c03",), 60).save(late, quality=90)
    real = incremental.sha256_file

    def still_copying(path: Path) -> str:
        digest = real(path)
        if Path(path).name == late.name:
            with open(path, "ab") as handle:  # more bytes arrive while it is checked
                handle.write(b"\0" * 64)
        return digest

    monkeypatch.setattr(incremental, "sha256_file", still_copying)
    result = cli(data, "audit", folder, "--jobs", "1", "--apply", "--json", "-")
    monkeypatch.undo()
    assert result.exit_code == ExitStatus.FINDINGS, result.output
    report = json.loads(result.stdout)
    images = {i["path"]: i for i in report["images"]}
    row = images["tablet-2/sam-late.jpg"]
    assert row["sha256"] is None and row["action"] == "review"
    assert row["reasons"][0].startswith("The file changed while it was being checked")
    assert all(use != "allowed" for use in row["purposes"].values())
    assert late.is_file()  # never moved
    assert {q["path"] for q in report["quarantined"]} == DELETED
    assert report["not_quarantined"] == []
    again = json.loads(cli(data, "audit", folder, "--jobs", "1", "--json", "-").stdout)
    settled = {i["path"]: i for i in again["images"]}["tablet-2/sam-late.jpg"]
    assert settled["action"] == "delete" and settled["sha256"] == sha(late)  # judged afresh once it is still


def test_every_photo_apply_leaves_alone_is_listed_with_why(
    nursery: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo to delete is changed between its check and its move: it stays, and the terminal,
    the quiet line, the log and the JSON report each say so."""
    data, folder = nursery
    real = weekly_audit.apply_findings

    def edited_meanwhile(result, settings):  # noqa: ANN001, ANN202
        with open(folder / "tablet-2" / "sam-again.jpg", "ab") as handle:
            handle.write(b"edited after the audit looked at it")
        return real(result, settings)

    monkeypatch.setattr(weekly_audit, "apply_findings", edited_meanwhile)
    quiet = cli(data, "audit", folder, "--jobs", "1", "--apply", "--quiet")
    assert quiet.exit_code == ExitStatus.FINDINGS, quiet.output
    assert " quarantined=2 not_quarantined=1 " in quiet.stdout
    assert (folder / "tablet-2" / "sam-again.jpg").is_file()
    [report] = (data / "state" / "reports").glob("audit-*.json")
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["not_quarantined"] == [{"path": "tablet-2/sam-again.jpg",
                                        "why": "the file changed since it was checked; it was not moved, "
                                               "and will be checked again"}]
    assert any(w.startswith("tablet-2/sam-again.jpg was not moved to quarantine") for w in body["warnings"])
    assert "did not move tablet-2/sam-again.jpg to quarantine" in (data / "state" / "photoaudit.log").read_text()
    shown = cli(data, "audit", folder, "--jobs", "1", "--apply")  # edited again before its move
    text = " ".join(shown.stdout.split())
    assert "tablet-2/sam-again.jpg was not moved to quarantine: the file changed since it was checked" in text
    assert "1 photo(s) to delete were NOT moved to quarantine" in text
