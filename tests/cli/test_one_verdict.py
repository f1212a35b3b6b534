"""Commands that used to contradict each other (issue 24), each on the small audited nursery.

The nursery of tests/nursery.py: c01 Ava (every use), c02 Grace (no website or social
media), c03 Sam (no use at all); public-domain faces only, never real children.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from nursery import settings_for
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.settings import MatchSettings
from photoaudit.faces.engine import EngineSettings
from photoaudit.operations import check as check_module
from photoaudit.operations.check import gather, run_check
from photoaudit.operations.workflow import prepare

TODAY = "2026-11-22"
runner = CliRunner()


def run(data: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data", str(data), *args], env={"COLUMNS": "300"})
    return result.exit_code, " ".join(result.output.split())


def decide(data: Path, tmp: Path, *rows: str) -> None:
    (tmp / "decisions.csv").write_text("photo,face,decision\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, said = run(data, "review", "--decisions", str(tmp / "decisions.csv"), "--by", "Jo Manager")
    assert code == 0, said


def audit(data: Path, folder: Path, out: Path) -> dict[str, dict]:
    code, said = run(data, "audit", str(folder), "--json", str(out), "--today", TODAY, "-q")
    assert code in (0, 1), said
    return {i["path"]: i for i in json.loads(out.read_text(encoding="utf-8"))["images"]}


def test_check_applies_an_adult_decision_as_the_audit_does(nursery, tmp_path: Path) -> None:
    data, folder = nursery
    decide(data, tmp_path, "tablet-2/sam.jpg,1,adult")
    audited = audit(data, folder, tmp_path / "audit.json")
    assert audited["tablet-2/sam.jpg"]["purposes"]["display"] == "allowed"
    code, said = run(data, "check", "--for", "display", str(folder / "tablet-2" / "sam.jpg"), "--today", TODAY)
    assert code == 0, said
    assert "sam.jpg: cleared for displays in the setting" in said


def test_reaudit_straight_after_an_audit_changes_nothing(nursery, tmp_path: Path) -> None:
    data, folder = nursery
    broken = folder / "tablet-1" / "half.jpg"  # a photo that did not finish copying
    whole = (folder / "tablet-1" / "ava.jpg").read_bytes()
    broken.write_bytes(whole[: len(whole) // 2])
    decide(data, tmp_path, "tablet-2/sam.jpg,1,adult", "tablet-2/ava-and-sam.jpg,2,c01",
           "tablet-1/empty.png,,no children")
    code, said = run(data, "override", str(folder / "tablet-1" / "grace.jpg"), "--action", "review",
                     "--reason", "Waiting for the parents")
    assert code == 0, said
    audit(data, folder, tmp_path / "audit.json")
    for _ in range(2):  # and again: the audit and reaudit never undo each other
        code, said = run(data, "reaudit", "--today", TODAY, "-q")
        assert code == 0, said
        assert "changed=0" in said and "not_rejudged=0" in said, said


@pytest.mark.usefixtures("on_the_test_day")  # --export changes files, so it refuses --today
def test_a_no_children_decision_is_listed_undone_and_gets_its_copy(nursery, tmp_path: Path) -> None:
    data, folder = nursery
    empty = folder / "tablet-1" / "empty.png"
    decide(data, tmp_path, "tablet-1/empty.png,,no children")
    audit(data, folder, tmp_path / "audit.json")
    code, said = run(data, "review", "--list")
    assert code == 0 and "tablet-1/empty.png: no children in this photo (by Jo Manager" in said, said

    code, said = run(data, "check", "--for", "website", str(empty), "--export", str(tmp_path / "copies"))
    assert code == 0 and "cleared for" in said and "copy written" in said, said
    assert [p.name for p in (tmp_path / "copies").iterdir()] == ["empty.png"]

    code, said = run(data, "review", "--undo", "tablet-1/empty.png")
    assert code == 0 and "Took back: tablet-1/empty.png: no children in this photo" in said, said
    code, said = run(data, "review", "--list")
    assert "no children" not in said, said
    audited = audit(data, folder, tmp_path / "again.json")
    assert audited["tablet-1/empty.png"]["purposes"]["website"] == "review"
    code, said = run(data, "check", "--for", "website", str(empty), "--today", TODAY)
    assert code == 1, said


def test_an_uncertain_match_for_a_public_use_is_covered_not_held_back(nursery, tmp_path: Path) -> None:
    data, folder = nursery
    # Every match is too far for a public use: Ava must be confirmed before the website.
    settings = replace(settings_for(data), match=replace(MatchSettings(), public_tolerance=0.01))
    prepared = prepare(settings, EngineSettings())
    party = folder / "tablet-2" / "ava-and-sam.jpg"
    result = run_check(gather([party]), prepared, date.fromisoformat(TODAY), "website", tmp_path / "copies")
    (photo,) = result.photos
    assert not photo.cleared and photo.verdict.purposes["website"].value != "allowed"
    assert photo.copy is not None, photo.held  # covering Ava (uncertain) and Sam (no consent) makes it safe
    assert {c.index for c in photo.plan.covered} == {1, 2}
    assert any("confirm who it is" in c.why for c in photo.plan.covered)


def test_check_reuses_the_faces_the_audit_stored(nursery, monkeypatch: pytest.MonkeyPatch) -> None:
    data, folder = nursery
    prepared = prepare(settings_for(data), EngineSettings())

    def no_engine(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("check examined a file the store already knows")

    monkeypatch.setattr(check_module, "examine", no_engine)
    result = run_check(gather([folder]), prepared, date.fromisoformat(TODAY), "display")
    assert len(result.photos) == 6
    shown = {p.media.path.relative_to(folder).as_posix(): p.cleared for p in result.photos}
    assert shown["tablet-1/ava.jpg"] and not shown["tablet-2/sam.jpg"]
