"""restore and purge at the command line over plain files (no face engine): issue 13, items 18 and 21.

- Only a person at a terminal can confirm a purge; piped input (`echo y | photoaudit purge`)
  never can, and an unconfirmed purge has its own exit code (4), not "could not run" (2).
- Every command that reads the quarantine manifest first finishes a move that a killed run
  left half done: the restore listing, and a purge with nothing old enough.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photoaudit.cli import quarantine as cli_quarantine
from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.store import quarantine as q

PHOTOS = {"tablet-1/a.jpg": b"photo a " * 100, "tablet-1/b.jpg": b"photo b " * 100}

MOVE = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from photoaudit.store import quarantine as q
    folder, qdir = Path(sys.argv[1]), Path(sys.argv[2])
    planned = [q.Planned(r, hashlib.sha256((folder / r).read_bytes()).hexdigest(), "delete")
               for r in sys.argv[3:]]
    q.quarantine(folder, planned, qdir)
    """
)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    for relative, data in PHOTOS.items():
        (tmp_path / "transfer" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "transfer" / relative).write_bytes(data)
    (tmp_path / "data").mkdir()
    (tmp_path / "photoaudit.toml").write_text("")
    return tmp_path


def move(place: Path, *relatives: str, crash: str | None = None) -> int:
    env = {**os.environ, "PHOTOAUDIT_TEST_CROSS_DEVICE": "1"}
    if crash:
        env["PHOTOAUDIT_TEST_CRASH"] = crash
    done = subprocess.run([sys.executable, "-c", MOVE, str(place / "transfer"), str(place / "data" / "quarantine"),
                           *relatives], env=env, capture_output=True, text=True, timeout=60)
    return done.returncode


def cli(place: Path, *args: str, input: str | None = None):  # noqa: ANN201, A002
    return CliRunner().invoke(app, ["--config", str(place / "photoaudit.toml"), "--data", str(place / "data"),
                                    *args], input=input, env={"COLUMNS": "300"})


def quarantined(place: Path) -> list[Path]:
    return [i.quarantined for i in q.quarantined_items(q.Manifest(place / "data" / "quarantine").entries())]


def test_piped_yes_never_confirms_a_purge(place: Path) -> None:
    assert move(place, *PHOTOS) == 0
    files = quarantined(place)
    assert len(files) == 2
    piped = cli(place, "purge", "--older-than", "0d", input="y\n")  # echo y | photoaudit purge
    assert piped.exit_code == ExitStatus.NOT_CONFIRMED, piped.output
    assert "only a person at a terminal" in piped.output
    assert all(p.exists() for p in files)


def test_at_a_terminal_no_is_its_own_outcome_and_yes_deletes(place: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert move(place, *PHOTOS) == 0
    files = quarantined(place)
    monkeypatch.setattr(cli_quarantine, "interactive", lambda: True)
    declined = cli(place, "purge", "--older-than", "0d", input="n\n")
    assert declined.exit_code == ExitStatus.NOT_CONFIRMED != ExitStatus.CANNOT_RUN
    assert all(p.exists() for p in files)
    done = cli(place, "purge", "--older-than", "0d", input="y\n")
    assert done.exit_code == ExitStatus.CLEAR, done.output
    assert not any(p.exists() for p in files)


def test_yes_option_purges_without_a_terminal(place: Path) -> None:
    assert move(place, *PHOTOS) == 0
    files = quarantined(place)
    assert cli(place, "purge", "--older-than", "0d", "--yes").exit_code == ExitStatus.CLEAR
    assert not any(p.exists() for p in files)


@pytest.mark.parametrize("crash", ["moved:1", "copied:1"])
def test_the_restore_listing_finishes_a_half_done_move_and_shows_the_photo(place: Path, crash: str) -> None:
    assert move(place, "tablet-1/a.jpg", crash=crash) == q.CRASH_EXIT
    entries = q.Manifest(place / "data" / "quarantine").entries()
    assert len(q.open_operations(entries)) == 1 and q.quarantined_items(entries) == []
    listing = cli(place, "restore")
    assert listing.exit_code == ExitStatus.CLEAR, listing.output
    assert "Finished an interrupted move" in listing.output
    assert "a.jpg" in listing.output.split("Finished an interrupted move")[-1]  # listed, not hidden
    entries = q.Manifest(place / "data" / "quarantine").entries()
    assert q.open_operations(entries) == []
    assert [i.relative for i in q.quarantined_items(entries)] == ["tablet-1/a.jpg"]
    assert not (place / "transfer" / "tablet-1" / "a.jpg").exists()  # exactly one place


def test_a_purge_with_nothing_old_enough_still_finishes_a_half_done_move(place: Path) -> None:
    assert move(place, "tablet-1/a.jpg", crash="copied:1") == q.CRASH_EXIT
    result = cli(place, "purge", "--older-than", "30d", "--yes")
    assert result.exit_code == ExitStatus.CLEAR, result.output
    assert "Finished an interrupted move" in result.output
    entries = q.Manifest(place / "data" / "quarantine").entries()
    assert q.open_operations(entries) == []
    assert len(q.quarantined_items(entries)) == 1
    assert not (place / "transfer" / "tablet-1" / "a.jpg").exists()


def test_restore_of_a_photo_whose_move_was_half_done_finds_it(place: Path) -> None:
    assert move(place, "tablet-1/a.jpg", crash="moved:1") == q.CRASH_EXIT
    result = cli(place, "restore", "tablet-1/a.jpg")
    assert result.exit_code == ExitStatus.CLEAR, result.output
    assert (place / "transfer" / "tablet-1" / "a.jpg").read_bytes() == PHOTOS["tablet-1/a.jpg"]


def test_apply_one_failed_move_is_a_warning_naming_it_and_the_others_still_move(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 11 through workflow.apply_findings: the report says which photo stayed, and why."""
    import hashlib
    from datetime import date

    from photoaudit.core.models import Action, PhotoVerdict, Use
    from photoaudit.core.settings import Settings
    from photoaudit.operations.examine import AuditResult
    from photoaudit.operations.workflow import apply_findings

    folder = place / "transfer"
    long_name = "tablet-1/" + "y" * 251 + ".jpg"
    (folder / long_name).write_bytes(b"a photo with the longest name")
    relatives = [*PHOTOS, long_name]
    verdicts = [PhotoVerdict(r, Action.DELETE, {"website": Use.WITHHELD}, reasons=("no use allowed",))
                for r in relatives]
    result = AuditResult(folder, date(2026, 11, 22), verdicts,
                         hashes={r: hashlib.sha256((folder / r).read_bytes()).hexdigest() for r in relatives})
    real = q.move_file

    def disk_full_for_a(src: q.Spot, dest: q.Spot, pinned: q.Pinned, mode: int | None = None) -> None:
        if src.path.name == "a.jpg":
            raise OSError(28, "No space left on device")
        real(src, dest, pinned, mode)

    monkeypatch.setattr(q, "move_file", disk_full_for_a)
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", "1")
    outcome = apply_findings(result, Settings(data_dir=place / "data"))
    assert sorted(i.relative for i in outcome.done) == sorted(["tablet-1/b.jpg", long_name])
    assert any(w.startswith("tablet-1/a.jpg was not moved to quarantine") and "No space left" in w
               for w in result.warnings)
    assert (folder / "tablet-1" / "a.jpg").read_bytes() == PHOTOS["tablet-1/a.jpg"]
    assert {r["path"] for r in result.quarantined or []} == {"tablet-1/b.jpg", long_name}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_restore_all_refuses_to_write_through_a_link_and_says_so(place: Path) -> None:
    """Issue 25, item 2: the audited sub-folder replaced by a link after --apply. restore --all
    writes nothing where the link points, lists each photo with why, and does not exit 0."""
    assert move(place, *PHOTOS) == 0
    elsewhere = place / "elsewhere"
    elsewhere.mkdir()
    (place / "transfer" / "tablet-1").rmdir()
    (place / "transfer" / "tablet-1").symlink_to(elsewhere, target_is_directory=True)
    result = cli(place, "restore", "--all")
    assert result.exit_code == ExitStatus.CANNOT_RUN, result.output
    text = " ".join(result.output.split())
    assert text.count("is a link now, and photoaudit never moves a photo through a link") == 2
    assert "Put back" not in text
    assert list(elsewhere.iterdir()) == []
    assert len(quarantined(place)) == 2 and all(p.is_file() for p in quarantined(place))
