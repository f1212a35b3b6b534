"""The review loop from the command line: --open, each decision said back, a warning before a
far match, --list and --undo, and more than one audited folder.

No face engine: the audits are remembered from plain data (as in tests/operations/test_review.py), on
public-domain faces pasted into generated scenes.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from review_setting import write_register
from typer.testing import CliRunner

from photoaudit.cli import main as cli_module
from photoaudit.cli.main import app
from photoaudit.core.models import Action, Candidate, FaceMatch, FaceStatus, PhotoVerdict, Use
from photoaudit.core.settings import Settings
from photoaudit.media.files import sha256_file
from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene
from photoaudit.operations.decision_book import DecisionsInForce, remember
from photoaudit.operations.examine import AuditResult
from photoaudit.setting.register import load_register
from photoaudit.store.database import Store
from photoaudit.store.decision_book import DecisionBook

TODAY = date(2026, 11, 20)
GRACE_BOX = (120, 600, 420, 300)  # top, right, bottom, left
AVA_BOX = (150, 560, 410, 300)
runner = CliRunner()


def remember_audit(settings: Settings, folder: Path, verdicts: list[PhotoVerdict]) -> None:
    register = load_register(settings.register_path)
    hashes = {v.path: sha256_file(folder / v.path) for v in verdicts}
    remember(settings.state_path, AuditResult(folder, TODAY, verdicts), DecisionsInForce(register, hashes=hashes))


def unknown(box, near: float = 0.56) -> FaceMatch:  # noqa: ANN001
    return FaceMatch(FaceStatus.UNKNOWN, box, None, near, (Candidate("c01", near), Candidate("c02", 0.71)))


def review_verdict(path: str, face: FaceMatch) -> PhotoVerdict:
    return PhotoVerdict(path, Action.REVIEW, {"website": Use.REVIEW}, faces=(face,))


@pytest.fixture
def two_folders(tmp_path: Path):
    """Two audited folders, each with one unknown face (the second audited last)."""
    data = tmp_path / "data"
    write_register(data)
    settings = Settings(data_dir=data)
    first, second = tmp_path / "week 46", tmp_path / "week47"
    first.mkdir()
    second.mkdir()
    scene([(grace_hopper_face(), (300, 120), 300)], (900, 700), seed=10).save(first / "g.jpg", quality=90)
    scene([(astronaut_face(), (300, 150), 260)], (900, 700), seed=20).save(second / "a.jpg", quality=90)
    remember_audit(settings, first, [review_verdict("g.jpg", unknown(GRACE_BOX))])
    remember_audit(settings, second, [review_verdict("a.jpg", unknown(AVA_BOX, near=0.52))])
    (tmp_path / "photoaudit.toml").write_text("")
    return tmp_path, data, first, second


def run(root: Path, data: Path, *args: str | Path, input: str | None = None):  # noqa: ANN201
    return runner.invoke(app, ["--config", str(root / "photoaudit.toml"), "--data", str(data),
                               *(str(a) for a in args)], input=input, env={"COLUMNS": "300"})


def decisions(data: Path) -> dict:
    with Store(data / "state") as store:
        return DecisionBook(store).decisions()


def test_review_asks_about_every_audited_folder_not_only_the_latest(two_folders) -> None:
    root, data, first, second = two_folders
    result = run(root, data, "review", input="a\nn\n")
    assert result.exit_code == 0, result.output
    assert "g.jpg, face 1" in result.output and "a.jpg, face 1" in result.output
    assert f"in {first.resolve()}" in result.output and f"in {second.resolve()}" in result.output
    assert len(decisions(data)) == 2


def test_review_of_one_folder(two_folders) -> None:
    root, data, first, _ = two_folders
    result = run(root, data, "review", first, input="c02\ny\n")
    assert result.exit_code == 0, result.output
    assert "a.jpg" not in result.output
    assert "Face 1 of g.jpg: Grace Okafor (c02)" in result.output
    again = run(root, data, "review", first)
    assert "Nothing to review" in again.output and str(first.resolve()) in again.output


def test_a_folder_never_audited_is_named(two_folders, tmp_path: Path) -> None:
    root, data, _, _ = two_folders
    other = tmp_path / "elsewhere"
    other.mkdir()
    result = run(root, data, "review", other)
    assert result.exit_code == 2
    assert "has not been audited" in result.output and "elsewhere" in result.output


def test_each_decision_is_said_back(two_folders) -> None:
    root, data, _, second = two_folders
    result = run(root, data, "review", second, input="a\n")
    assert "Face 1 of a.jpg: an adult" in result.output


def test_a_far_match_is_questioned_before_it_is_recorded(two_folders) -> None:
    """c02 is 0.71 from the face (tolerance 0.5): asked first; 'no' asks again."""
    root, data, first, _ = two_folders
    refused = run(root, data, "review", first, input="c02\nn\ns\n")  # not sure after all: skip
    assert "far from Grace Okafor (c02)'s reference photos (distance 0.71" in refused.output
    assert decisions(data) == {}
    confirmed = run(root, data, "review", first, input="c02\ny\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Face 1 of g.jpg: Grace Okafor (c02)" in confirmed.output
    assert len(decisions(data)) == 1


def test_a_far_match_from_the_decisions_file_is_recorded_with_a_warning(two_folders, tmp_path: Path) -> None:
    root, data, first, _ = two_folders
    sheet = tmp_path / "decisions.csv"
    sheet.write_text("photo,face,decision\ng.jpg,1,c02\n", encoding="utf-8")
    result = run(root, data, "review", first, "--decisions", sheet)
    assert result.exit_code == 0, result.output
    assert "Check face 1 of g.jpg" in result.output and "distance 0.71" in result.output
    assert "Face 1 of g.jpg: Grace Okafor (c02)" in result.output


def test_a_photo_name_in_two_audited_folders_needs_its_folder(two_folders, tmp_path: Path) -> None:
    root, data, first, second = two_folders
    shutil.copy2(first / "g.jpg", second / "g.jpg")
    remember_audit(Settings(data_dir=data), second, [review_verdict("g.jpg", unknown(GRACE_BOX))])
    sheet = tmp_path / "decisions.csv"
    sheet.write_text("photo,face,decision\ng.jpg,1,adult\n", encoding="utf-8")
    result = run(root, data, "review", "--decisions", sheet)
    assert result.exit_code == 2
    assert "more than one audited folder" in result.output
    assert run(root, data, "review", first, "--decisions", sheet).exit_code == 0


def test_list_and_undo_decisions(two_folders) -> None:
    root, data, first, second = two_folders
    run(root, data, "review", second, input="a\n")
    run(root, data, "review", first, input="n\n")
    listed = run(root, data, "review", "--list")
    assert listed.exit_code == 0
    assert "Face 1 of a.jpg: an adult" in listed.output and "Face 1 of g.jpg: not a face" in listed.output
    undone = run(root, data, "review", "--undo", "g.jpg", "--face", "1")
    assert undone.exit_code == 0, undone.output
    assert "Took back: Face 1 of g.jpg: not a face" in undone.output
    assert len(decisions(data)) == 1
    # The face needs a person again.
    again = run(root, data, "review", first, input="s\n")
    assert "g.jpg, face 1" in again.output
    missing = run(root, data, "review", "--undo", "g.jpg")
    assert missing.exit_code == 2 and "No decision is recorded" in missing.output


def test_review_open_shows_the_crop_in_the_viewer(two_folders, monkeypatch: pytest.MonkeyPatch) -> None:
    """--open used to crash: typer.launch was given a Path, and wants a string."""
    root, data, first, _ = two_folders
    launched: list[object] = []

    def launch(url: str, wait: bool = False, locate: bool = False) -> int:
        url.startswith("/")  # what click does first; a Path has no startswith
        launched.append(url)
        return 0

    monkeypatch.setattr(cli_module.typer, "launch", launch)
    result = run(root, data, "review", first, "--open", input="s\n")
    assert result.exit_code == 0, result.output
    assert len(launched) == 1 and isinstance(launched[0], str) and launched[0].endswith(".jpg")


def test_override_finds_a_photo_in_any_audited_folder(two_folders) -> None:
    root, data, first, second = two_folders
    result = run(root, data, "override", "g.jpg", "--action", "keep", "--reason", "checked by Jo")
    assert result.exit_code == 0, result.output  # g.jpg is only in the first folder, not the latest
    shutil.copy2(first / "g.jpg", second / "g.jpg")
    remember_audit(Settings(data_dir=data), second, [review_verdict("g.jpg", unknown(GRACE_BOX))])
    twice = run(root, data, "override", "g.jpg", "--action", "keep", "--reason", "checked")
    assert twice.exit_code == 2 and "--folder" in twice.output
    chosen = run(root, data, "override", "g.jpg", "--folder", second, "--action", "keep", "--reason", "checked")
    assert chosen.exit_code == 0, chosen.output


def test_a_decision_about_a_photo_no_audit_shows_can_be_listed_and_taken_back(two_folders) -> None:
    root, data, first, _ = two_folders
    run(root, data, "review", first, input="a\n")
    remember_audit(Settings(data_dir=data), first, [])  # audited again: the photo has gone
    listed = run(root, data, "review", "--list")
    assert "A face of g.jpg: an adult" in listed.output
    undone = run(root, data, "review", "--undo", "g.jpg")
    assert undone.exit_code == 0 and "Took back: A face of g.jpg: an adult" in undone.output
    assert decisions(data) == {}
