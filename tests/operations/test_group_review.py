"""Deciding once per person: a group of unknown faces in review and the decisions CSV, the
name and ``y`` answers. No face engine: the latest audit and its groups are made by hand
(tests/cli/test_unknown_groups_engine.py runs the real engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_setting import TODAY, write_register

from photoaudit.core.models import (
    Action,
    Candidate,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    PhotoVerdict,
    Use,
)
from photoaudit.core.settings import Settings
from photoaudit.core.unknown_groups import FaceGroup
from photoaudit.media.files import sha256_file
from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene
from photoaudit.operations.decision_book import DecisionsInForce, remember
from photoaudit.operations.examine import AuditResult
from photoaudit.operations.review import (
    Reviewer,
    ReviewError,
    interpret,
    offers_yes,
    pending_faces,
    pending_groups,
    review_from_csv,
    review_interactively,
    undo_decisions,
)
from photoaudit.setting.register import load_register
from photoaudit.store.database import Store
from photoaudit.store.decision_book import DecisionBook
from photoaudit.store.face_groups import GroupBook, face_key

GRACE_BOX = (120, 600, 470, 300)
AVA_BOX = (150, 560, 384, 300)
GRACE_PHOTOS = ("g1.jpg", "g2.jpg", "g3.jpg")


def unknown(box) -> FaceMatch:
    return FaceMatch(FaceStatus.UNKNOWN, box, None, 0.68, (Candidate("c01", 0.68),))


@pytest.fixture
def grouped(tmp_path: Path):
    """Three photos of one unknown face (grouped as u3) and one of a matched child."""
    data = tmp_path / "data"
    write_register(data)
    folder = tmp_path / "transfer"
    folder.mkdir()
    for seed, name in enumerate(GRACE_PHOTOS, start=2):
        scene([(grace_hopper_face(), (300, 120), 300)], (900, 700), seed=seed).save(folder / name, quality=90)
    scene([(astronaut_face(), (300, 150), 260)], (900, 700), seed=1).save(folder / "a.jpg", quality=90)
    settings = Settings(data_dir=data)
    register = load_register(settings.register_path)
    verdicts = [PhotoVerdict(name, Action.REVIEW, {"display": Use.REVIEW}, faces=(unknown(GRACE_BOX),))
                for name in GRACE_PHOTOS]
    verdicts.append(PhotoVerdict("a.jpg", Action.REVIEW, {"display": Use.REVIEW}, faces=(
        FaceMatch(FaceStatus.MATCHED, AVA_BOX, "c01", 0.3, (Candidate("c01", 0.3),), caution="young"),)))
    hashes = {v.path: sha256_file(folder / v.path) for v in verdicts}
    remember(settings.state_path, AuditResult(folder, TODAY, verdicts), DecisionsInForce(register, hashes=hashes))
    with Store(settings.state_path) as store:
        keys = tuple(sorted(face_key(hashes[n], GRACE_BOX) for n in GRACE_PHOTOS))
        GroupBook(store).replace([FaceGroup("u3", keys)], 4, "no-engine", "no-engine")
    return settings, register, folder


def reviewer_for(store: Store, settings: Settings, register) -> Reviewer:
    return Reviewer(DecisionBook(store), register, settings.faces_dir, "Jo")


def test_review_asks_about_a_group_once_and_records_each_face(grouped) -> None:
    settings, register, folder = grouped
    asked: list[tuple[object, list[str]]] = []
    said: list[str] = []

    def ask(item, crop, lines):
        asked.append((item, lines))
        return "a"

    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        book = reviewer.book
        outcome = review_interactively(reviewer, pending_faces(book), ask, said.append, groups=pending_groups(book))
        assert "These 3 faces look like the same person: who is it?" in asked[0][1][0]
        assert len(asked) == 2  # the group, then the matched face a person must confirm
        assert sorted(f.photo for f, d in outcome.decided if d.kind is FaceDecision.ADULT) == ["a.jpg", *GRACE_PHOTOS]
        assert [f.photo for f in pending_faces(book)] == []
        # each face is its own decision: taken back one by one
        undo_decisions(book, "g2.jpg", 1, None, register)
        assert [f.photo for f in pending_faces(book)] == ["g2.jpg"]
        assert [g.size for g in pending_groups(book)] == [1]


def test_a_group_id_in_the_decisions_csv_decides_every_face(grouped, tmp_path: Path) -> None:
    settings, register, _ = grouped
    for text in ("photo,face,decision\nu3,,adult\n", "group,decision\nU3,adult\n"):
        with Store(settings.state_path) as store:
            reviewer = reviewer_for(store, settings, register)
            path = tmp_path / "d.csv"
            path.write_text(text, encoding="utf-8")
            outcome = review_from_csv(reviewer, path, pending_faces(reviewer.book), None, pending_groups(reviewer.book))
            assert sorted(f.photo for f, _ in outcome.decided) == list(GRACE_PHOTOS)
            for photo in GRACE_PHOTOS:
                undo_decisions(reviewer.book, photo, 1, None, register)


def test_a_face_row_wins_over_its_groups_row(grouped, tmp_path: Path) -> None:
    settings, register, _ = grouped
    path = tmp_path / "d.csv"
    path.write_text("photo,face,decision\nu3,,adult\ng1.jpg,1,c02\n", encoding="utf-8")
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        outcome = review_from_csv(reviewer, path, pending_faces(reviewer.book), None, pending_groups(reviewer.book))
    assert sorted((f.photo, d.kind.value) for f, d in outcome.decided) == [
        ("g1.jpg", "child"), ("g2.jpg", "adult"), ("g3.jpg", "adult")]


def test_an_unknown_group_id_is_refused_with_nothing_recorded(grouped, tmp_path: Path) -> None:
    settings, register, _ = grouped
    path = tmp_path / "d.csv"
    path.write_text("group,decision\nu3,adult\nu9,adult\n", encoding="utf-8")
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        with pytest.raises(ReviewError, match="no group 'u9'"):
            review_from_csv(reviewer, path, pending_faces(reviewer.book), None, pending_groups(reviewer.book))
        assert len(pending_faces(reviewer.book)) == 4


def test_the_prompt_takes_a_name_in_any_case(grouped) -> None:
    _, register, _ = grouped
    assert interpret("grace okafor", register).decision.child_id == "c02"
    assert interpret("  SAM   jones ", register).decision.child_id == "c03"
    assert interpret("Ava", register).decision.child_id == "c01"  # one child of that first name


def test_an_unsure_name_shows_the_closest_and_asks_again(grouped) -> None:
    _, register, _ = grouped
    answer = interpret("Grace Okafr", register)
    assert answer.decision is None and "Grace Okafor (c02)" in answer.again
    assert "no child 'Zed'" in interpret("Zed", register).again


def test_y_confirms_a_match_and_is_explained_where_nothing_was_matched(grouped) -> None:
    settings, register, _ = grouped
    with Store(settings.state_path) as store:
        faces = {f.photo: f for f in pending_faces(DecisionBook(store))}
    matched, unmatched = faces["a.jpg"], faces["g1.jpg"]
    assert interpret("y", register, matched).decision.child_id == "c01"
    assert offers_yes(matched) and not offers_yes(unmatched)
    again = interpret("y", register, unmatched).again
    assert "not matched to anyone" in again and "There is no child 'y'" not in again


def test_review_takes_a_name_and_explains_y_for_an_unknown_face(grouped) -> None:
    """Before: 'Grace Okafor' and 'y' were both 'There is no child ... in the register'."""
    settings, register, _ = grouped
    answers = iter(["y", "grace OKAFOR", "s", "s", "s"])
    said: list[str] = []
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        faces = [f for f in pending_faces(reviewer.book) if f.photo == "g1.jpg"]
        outcome = review_interactively(reviewer, faces, lambda *a: next(answers), said.append)
    assert not any("There is no child 'y'" in s for s in said)
    assert any("nothing to say yes to" in s for s in said)
    assert [(f.photo, d.child_id) for f, d in outcome.decided] == [("g1.jpg", "c02")]
