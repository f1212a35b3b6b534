"""Issue 12 end to end with the real face engine: photos with no face found, the
"no children in this photo" decision, matches a person must confirm before public use,
and `check` giving the same answer as the audit (decisions and overrides applied).

The children are the public-domain faces of tests/nursery.py: c01 Ava (the astronaut,
every use), c02 Grace (Grace Hopper, no website or social media), c03 Sam (refuses all).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from nursery import audited_template, enrolled_template, nursery_copy, settings_for, shared
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.models import Action, Override, Use
from photoaudit.core.settings import MatchSettings
from photoaudit.operations.check import gather, run_check
from photoaudit.operations.review import (
    Reviewer,
    decision_book,
    find_photo,
    pending_faces,
    pending_photos,
    record_override,
    review_from_csv,
    review_interactively,
)
from photoaudit.operations.workflow import audit, prepare
from photoaudit.setting.register import load_register

TODAY = date(2026, 11, 22)


@pytest.fixture
def nursery(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> tuple[Path, Path]:
    enrolled = shared("enrolled", tmp_path_factory, enrolled_template)
    template = shared("audited", tmp_path_factory, lambda root: audited_template(root, enrolled))
    return nursery_copy(template, tmp_path)


def by_path(result) -> dict:  # noqa: ANN001
    return {v.path: v for v in result.verdicts}


def checked(settings, folder: Path, relative: str, purpose: str = "social_media"):  # noqa: ANN001, ANN201
    prepared = prepare(settings)
    [photo] = run_check(gather([folder / relative]), prepared, TODAY, purpose).photos
    return photo


def test_a_photo_with_no_face_is_kept_but_not_cleared_for_social_media_until_a_person_says_so(
    nursery: tuple[Path, Path], tmp_path: Path
) -> None:
    data, folder = nursery
    settings = settings_for(data)
    result = audit(folder, prepare(settings), TODAY)
    empty = by_path(result)["tablet-1/empty.png"]
    assert empty.action is Action.KEEP
    assert empty.purposes["social_media"] is Use.REVIEW and empty.purposes["display"] is Use.ALLOWED
    assert result.summary["public_review"] >= 1 and result.exit_code == 1  # others need review anyway
    assert not checked(settings, folder, "tablet-1/empty.png").cleared

    with decision_book(settings) as book:
        assert [p.photo for p in pending_photos(book)] == ["tablet-1/empty.png"]
        decisions = tmp_path / "decisions.csv"
        decisions.write_text("photo,face,decision\ntablet-1/empty.png,,no children\n", encoding="utf-8")
        reviewer = Reviewer(book, load_register(settings.register_path), settings.faces_dir, "Jo")
        outcome = review_from_csv(reviewer, decisions, book.last_audit_faces(), book.last_audit_photos())
        assert len(outcome.decided_photos) == 1

    again = by_path(audit(folder, prepare(settings), TODAY))["tablet-1/empty.png"]
    assert set(again.purposes.values()) == {Use.ALLOWED}
    assert any("no children in this photo" in n and "Jo" in n for n in again.notes)
    photo = checked(settings, folder, "tablet-1/empty.png")
    assert photo.cleared  # check applies the decision exactly as the audit does
    with decision_book(settings) as book:
        assert pending_photos(book) == []


def test_no_children_in_the_csv_must_name_a_photo_with_no_face_and_no_face_number(
    nursery: tuple[Path, Path], tmp_path: Path
) -> None:
    from photoaudit.operations.review import ReviewError

    data, _ = nursery
    settings = settings_for(data)
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "photo,face,decision\ntablet-1/empty.png,1,no children\ntablet-1/ava.jpg,,no children\n",
        encoding="utf-8",
    )
    with decision_book(settings) as book:
        reviewer = Reviewer(book, load_register(settings.register_path), settings.faces_dir, "Jo")
        with pytest.raises(ReviewError) as info:
            review_from_csv(reviewer, decisions, book.last_audit_faces(), book.last_audit_photos())
    assert "leave face blank" in str(info.value) and "no face found" in str(info.value)


def test_check_applies_face_decisions_and_overrides_as_the_audit_does(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    settings = settings_for(data)
    assert checked(settings, folder, "tablet-1/ava.jpg").cleared
    assert not checked(settings, folder, "tablet-1/grace.jpg").cleared  # Grace: no social media

    with decision_book(settings) as book:
        path, label = find_photo(book, "tablet-1/ava.jpg")
        record_override(book, path, label, Override(Action.DELETE, "a parent asked us not to use it", "Jo"))
        [grace] = [f for f in book.last_audit_faces() if f.photo == "tablet-1/grace.jpg"]
        reviewer = Reviewer(book, load_register(settings.register_path), settings.faces_dir, "Jo")
        from photoaudit.core.decisions import parse_decision

        reviewer.decide(grace, parse_decision("c01", ["c01", "c02", "c03"]))  # a person: that is Ava

    audited = by_path(audit(folder, prepare(settings), TODAY))
    ava = checked(settings, folder, "tablet-1/ava.jpg")
    assert audited["tablet-1/ava.jpg"].action is Action.DELETE
    assert ava.verdict.action is Action.DELETE and ava.verdict.override is not None
    assert not ava.cleared and any("a parent asked us not to use it" in b for b in ava.plan.blockers)
    grace = checked(settings, folder, "tablet-1/grace.jpg")
    assert grace.verdict.purposes == audited["tablet-1/grace.jpg"].purposes
    assert grace.cleared  # the person's decision, applied as in the audit


def test_matches_a_person_must_confirm_are_in_the_review_queue_and_y_confirms(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    settings = settings_for(data, match=MatchSettings(public_tolerance=0.01))  # every match is "not close enough"
    result = audit(folder, prepare(settings), TODAY)
    ava = by_path(result)["tablet-1/ava.jpg"]
    assert ava.action is Action.KEEP and ava.purposes["social_media"] is Use.REVIEW
    assert ava.purposes["learning_journey"] is Use.ALLOWED
    assert "public use needs a closer likeness" in ava.faces[0].caution
    with decision_book(settings) as book:
        pending = [f for f in pending_faces(book) if f.photo == "tablet-1/ava.jpg"]
        assert len(pending) == 1 and pending[0].child_id == "c01"
        reviewer = Reviewer(book, load_register(settings.register_path), settings.faces_dir, "Jo")
        review_interactively(reviewer, pending, lambda face, crop, lines: "y", lambda text: None)
        assert reviewer.outcome.decided[0][1].child_id == "c01"
    again = by_path(audit(folder, prepare(settings), TODAY))["tablet-1/ava.jpg"]
    assert set(again.purposes.values()) == {Use.ALLOWED}


def test_json_report_and_summary_line_carry_the_public_review(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    data, folder = nursery
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["--data", str(data), "audit", str(folder), "--json", str(out),
                                      "--today", TODAY.isoformat(), "-q"])
    assert result.exit_code == 1, result.output
    assert "public_review=1" in result.output
    report = json.loads(out.read_text())
    assert report["summary"]["public_review"] == 1
    [empty] = [i for i in report["images"] if i["path"] == "tablet-1/empty.png"]
    assert empty["action"] == "keep" and any(r.startswith("No face found: check by eye") for r in empty["reasons"])
    shown = CliRunner().invoke(app, ["--data", str(data), "audit", str(folder), "--today", TODAY.isoformat()],
                               env={"COLUMNS": "200"})
    assert "1 photo needs a look before any public use" in " ".join(shown.output.split())


@pytest.mark.parametrize("option, value, words", [
    ("--tolerance", "1.0", "--tolerance = 1.0: must be a number from 0.1 to 0.7"),
    ("--margin", "0.9", "--margin = 0.9: must be a number from 0 to 0.5"),
])
def test_out_of_range_tolerance_or_margin_exits_2_with_the_range(
    nursery: tuple[Path, Path], option: str, value: str, words: str
) -> None:
    data, folder = nursery
    for command in (["audit", str(folder)], ["check", str(folder), "--for", "display"]):
        result = CliRunner().invoke(app, ["--data", str(data), *command, option, value], env={"COLUMNS": "300"})
        assert result.exit_code == 2, result.output
        assert words in " ".join(result.output.split())


def test_review_asks_about_photos_with_no_face_and_n_records_no_children(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    settings = settings_for(data)
    asked: list[list[str]] = []

    def ask(item, picture, lines):  # noqa: ANN001, ANN202
        asked.append(lines)
        assert picture is not None and picture.is_file()  # the whole photo, to look at
        return "n"

    with decision_book(settings) as book:
        reviewer = Reviewer(book, load_register(settings.register_path), settings.faces_dir, "Jo")
        review_interactively(reviewer, [], ask, lambda text: None, photos=pending_photos(book))
        assert [p.photo for p, _ in reviewer.outcome.decided_photos] == ["tablet-1/empty.png"]
    assert "tablet-1/empty.png: no face found." in asked[0][1]
    again = by_path(audit(folder, prepare(settings), TODAY))["tablet-1/empty.png"]
    assert set(again.purposes.values()) == {Use.ALLOWED}
