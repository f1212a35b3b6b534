"""The review loop without the face engine: stored decisions, the latest audit's faces,
the decisions CSV, the interactive walk, face crops and overrides.

The latest audit is made by hand (plain verdicts over real image files in tmp_path),
so these tests run fast; tests/cli/test_review_audit.py runs the real engine end to end.
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from review_setting import TODAY, write_register

from photoaudit.core.decisions import apply_override
from photoaudit.core.models import (
    Action,
    Candidate,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoFacts,
    PhotoVerdict,
    Use,
)
from photoaudit.core.settings import Settings
from photoaudit.media.files import sha256_file
from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene
from photoaudit.media.sources import MediaFile, MediaKind
from photoaudit.operations.decision_book import DecisionsInForce, load_decisions_in_force, remember
from photoaudit.operations.examine import AuditResult
from photoaudit.operations.review import (
    Reviewer,
    ReviewError,
    drop_rejected,
    find_photo,
    pending_faces,
    read_decisions,
    record_override,
    review_from_csv,
    review_interactively,
)
from photoaudit.setting.register import load_register
from photoaudit.store.database import Store
from photoaudit.store.decision_book import DecisionBook

POSIX = sys.platform != "win32"
# Where scene() pastes the faces below (top, right, bottom, left).
GRACE_BOX = (120, 600, 470, 300)
AVA_BOX = (150, 560, 384, 300)


def verdict(path: str, *faces: FaceMatch, action: Action = Action.REVIEW) -> PhotoVerdict:
    return PhotoVerdict(path, action, {"display": Use.REVIEW}, faces=faces)


def unknown(box) -> FaceMatch:
    return FaceMatch(FaceStatus.UNKNOWN, box, None, 0.68, (Candidate("c01", 0.68), Candidate("c02", 0.7)))


@pytest.fixture
def setup(tmp_path: Path):
    """A register, a transfer folder with two photos, and a remembered audit of them."""
    data = tmp_path / "data"
    write_register(data)
    folder = tmp_path / "transfer"
    (folder / "tablet").mkdir(parents=True)
    scene([(grace_hopper_face(), (300, 120), 300)], (900, 700), seed=2).save(folder / "tablet" / "g.jpg", quality=90)
    scene([(astronaut_face(), (300, 150), 260)], (900, 700), seed=1).save(folder / "a.jpg", quality=90)
    settings = Settings(data_dir=data)
    register = load_register(settings.register_path)
    result = AuditResult(
        folder,
        TODAY,
        [
            verdict("a.jpg", FaceMatch(FaceStatus.MATCHED, AVA_BOX, "c01", 0.07, (Candidate("c01", 0.07),)),
                    action=Action.KEEP),
            verdict("tablet/g.jpg", unknown(GRACE_BOX)),
        ],
    )
    hashes = {v.path: sha256_file(folder / v.path) for v in result.verdicts}
    remember(settings.state_path, result, DecisionsInForce(register, hashes=hashes))
    return settings, register, folder


def reviewer_for(store: Store, settings: Settings, register, enrol: bool = False) -> Reviewer:
    return Reviewer(DecisionBook(store), register, settings.faces_dir, "Jo", enrol)


def test_the_latest_audit_lists_the_faces_that_need_a_person(setup) -> None:
    settings, register, folder = setup
    with Store(settings.state_path) as store:
        book = DecisionBook(store)
        assert book.last_audit() is not None and book.last_audit()[0] == folder.resolve()
        faces = book.last_audit_faces()
        assert [(f.photo, f.face) for f in faces] == [("a.jpg", 1), ("tablet/g.jpg", 1)]
        pending = pending_faces(book)
    assert [(f.photo, f.face, f.status) for f in pending] == [("tablet/g.jpg", 1, FaceStatus.UNKNOWN)]
    assert pending[0].path == folder.resolve() / "tablet" / "g.jpg"
    assert pending[0].candidates[0] == Candidate("c01", 0.68)


def test_review_before_any_audit_says_to_audit_first(tmp_path: Path) -> None:
    with Store(tmp_path / "state") as store, pytest.raises(ReviewError, match="run photoaudit audit"):
        pending_faces(DecisionBook(store))


def test_a_child_matched_to_two_faces_needs_a_person(tmp_path: Path) -> None:
    twice = verdict(
        "x.jpg",
        FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), "c01", 0.3),
        FaceMatch(FaceStatus.MATCHED, (0, 90, 10, 80), "c01", 0.35),
        FaceMatch(FaceStatus.MATCHED, (50, 90, 60, 80), "c02", 0.2),
    )
    result = AuditResult(tmp_path, TODAY, [twice])
    with Store(tmp_path / "state") as store:
        book = DecisionBook(store)
        book.remember_audit(result.folder, result.generated, result.verdicts, {"x.jpg": "abc"})
        assert [f.face for f in pending_faces(book)] == [1, 2]


def test_a_new_decision_about_the_same_face_replaces_the_old_one(tmp_path: Path) -> None:
    with Store(tmp_path / "state") as store:
        book = DecisionBook(store)
        book.record_decision("abc", (100, 200, 200, 100), PersonDecision(FaceDecision.ADULT, None, "Jo", "t1"), "x.jpg")
        book.record_decision("abc", (102, 201, 203, 99), PersonDecision(FaceDecision.CHILD, "c01", "Al", "t2"), "x.jpg")
        book.record_decision("abc", (100, 600, 200, 500), PersonDecision(FaceDecision.NOT_A_FACE, None, "Al", "t3"), "x.jpg")
        stored = book.decisions()["abc"]
    kinds = sorted((d.kind.value, d.by) for _, d in stored)
    assert kinds == [("child", "Al"), ("not_a_face", "Al")]


def test_the_store_is_private(setup) -> None:
    settings, _, _ = setup
    if POSIX:
        assert stat.S_IMODE(settings.state_path.stat().st_mode) == 0o700
        assert stat.S_IMODE((settings.state_path / "photoaudit.sqlite3").stat().st_mode) == 0o600


# -- decisions applied while auditing, keyed by content ---------------------------------

def test_the_settler_applies_decisions_by_photo_content(setup, tmp_path: Path) -> None:
    settings, register, folder = setup
    g = folder / "tablet" / "g.jpg"
    with Store(settings.state_path) as store:
        DecisionBook(store).record_decision(
            sha256_file(g), GRACE_BOX, PersonDecision(FaceDecision.CHILD, "c02", "Jo", "2026-11-20T10:00:00"), "tablet/g.jpg"
        )
    in_force = load_decisions_in_force(settings.state_path, register)
    # The same bytes under another name, somewhere else: still decided.
    moved = tmp_path / "elsewhere" / "renamed.jpg"
    moved.parent.mkdir()
    moved.write_bytes(g.read_bytes())
    facts = in_force(MediaFile(moved, "renamed.jpg", MediaKind.PHOTO, 1), PhotoFacts("renamed.jpg", (unknown(GRACE_BOX),)))
    assert facts.faces[0].child_id == "c02" and facts.faces[0].status is FaceStatus.MATCHED
    assert in_force.hashes["renamed.jpg"] == sha256_file(g)
    # Different bytes (re-saved): the decision does not apply, the face is unknown again.
    Image.open(g).save(tmp_path / "resaved.jpg", quality=80)
    other = in_force(
        MediaFile(tmp_path / "resaved.jpg", "resaved.jpg", MediaKind.PHOTO, 1),
        PhotoFacts("resaved.jpg", (unknown(GRACE_BOX),)),
    )
    assert other.faces[0].status is FaceStatus.UNKNOWN and other.faces[0].decision is None


def test_an_unreadable_file_is_left_as_it_is(setup, tmp_path: Path) -> None:
    settings, register, _ = setup
    in_force = load_decisions_in_force(settings.state_path, register)
    facts = PhotoFacts("gone.jpg", problem="gone")
    assert in_force(MediaFile(tmp_path / "gone.jpg", "gone.jpg", MediaKind.PHOTO, 0), facts) is facts


def test_overrides_are_applied_by_content(setup) -> None:
    settings, register, folder = setup
    with Store(settings.state_path) as store:
        book = DecisionBook(store)
        path, label = find_photo(book, "tablet/g.jpg")
        assert path == folder.resolve() / "tablet" / "g.jpg" and label == "tablet/g.jpg"
        record_override(book, path, label, Override(Action.DELETE, "Blurred, and a duplicate", "Jo", "2026-11-20T10:00:00"))
    in_force = load_decisions_in_force(settings.state_path, register)
    in_force.hashes = {"tablet/g.jpg": sha256_file(folder / "tablet" / "g.jpg")}
    (after,) = [apply_override(verdict("tablet/g.jpg"), in_force.override_of("tablet/g.jpg"))]
    assert after.action is Action.DELETE and after.override is not None
    assert after.override.by == "Jo" and after.override.original is Action.REVIEW
    assert "Blurred, and a duplicate" in after.reasons[-1]
    with Store(settings.state_path) as store:
        assert DecisionBook(store).remove_override(sha256_file(folder / "tablet" / "g.jpg"))
    assert load_decisions_in_force(settings.state_path, register).overrides == {}


def test_an_override_needs_a_reason(setup) -> None:
    settings, _, folder = setup
    with Store(settings.state_path) as store, pytest.raises(ReviewError, match="needs a reason"):
        record_override(DecisionBook(store), folder / "a.jpg", "a.jpg", Override(Action.KEEP, "  "))


def test_an_unknown_photo_cannot_be_overridden(setup) -> None:
    settings, _, _ = setup
    with Store(settings.state_path) as store, pytest.raises(ReviewError, match="no photo"):
        find_photo(DecisionBook(store), "tablet/nothing.jpg")


# -- the decisions CSV ------------------------------------------------------------

def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_decisions_csv_records_each_row(setup, tmp_path: Path) -> None:
    settings, register, folder = setup
    csv_file = write_csv(
        tmp_path / "d.csv",
        "\ufeffPhoto,Face,Decision,comment\r\ntablet\\g.jpg,1,c02,it is Grace\r\na.jpg,1,skip,\r\n",
    )
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        outcome = review_from_csv(reviewer, csv_file, reviewer.book.last_audit_faces())
        assert [(f.photo, d.kind, d.child_id, d.by) for f, d in outcome.decided] == [
            ("tablet/g.jpg", FaceDecision.CHILD, "c02", "Jo")
        ]
        assert [f.photo for f in outcome.skipped] == ["a.jpg"]
        assert pending_faces(reviewer.book) == []
        stored = reviewer.book.decisions()[sha256_file(folder / "tablet" / "g.jpg")]
    assert stored[0][0] == GRACE_BOX
    assert datetime.fromisoformat(stored[0][1].at).tzinfo is not None


@pytest.mark.parametrize("separator", [";", "\t"])
def test_decisions_csv_from_excel_with_other_separators(setup, tmp_path: Path, separator: str) -> None:
    settings, register, _ = setup
    text = separator.join(["photo", "face", "decision"]) + "\n" + separator.join(["tablet/g.jpg", "1", "adult"]) + "\n"
    csv_file = write_csv(tmp_path / "d.csv", text, "cp1252")
    faces_with_decisions = read_decisions(csv_file, _faces(settings), register)
    assert [(f.photo, d.kind) for f, d in faces_with_decisions] == [("tablet/g.jpg", FaceDecision.ADULT)]


def _faces(settings: Settings):
    with Store(settings.state_path) as store:
        return DecisionBook(store).last_audit_faces()


def test_a_bad_decisions_csv_lists_every_problem_and_records_nothing(setup, tmp_path: Path) -> None:
    settings, register, _ = setup
    csv_file = write_csv(
        tmp_path / "d.csv",
        "photo,face,decision\n"
        "tablet/g.jpg,1,c02\n"  # fine, but must not be recorded either
        "nothere.jpg,1,adult\n"
        "a.jpg,2,adult\n"
        "a.jpg,one,adult\n"
        "a.jpg,1,c99\n"
        "tablet/g.jpg,1,adult\n",
    )
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        with pytest.raises(ReviewError) as info:
            review_from_csv(reviewer, csv_file, reviewer.book.last_audit_faces())
        assert reviewer.book.decisions() == {}
    message = str(info.value)
    assert "5 problem(s); nothing was recorded" in message
    assert "line 3: the photo 'nothere.jpg' is not in the latest audit" in message
    assert "line 4: the photo 'a.jpg' has no face 2" in message
    assert "line 5: face 'one' is not a face number" in message
    assert "line 6: 'c99' is not a child id in the register" in message
    assert "line 7: tablet/g.jpg face 1 is already decided on line 2" in message


def test_a_decisions_csv_without_the_columns_is_refused(setup, tmp_path: Path) -> None:
    settings, register, _ = setup
    csv_file = write_csv(tmp_path / "d.csv", "file,who\ng.jpg,c02\n")
    with pytest.raises(ReviewError, match="no column photo, face, decision"):
        read_decisions(csv_file, _faces(settings), register)
    with pytest.raises(ReviewError, match="empty"):
        read_decisions(write_csv(tmp_path / "e.csv", "\n"), _faces(settings), register)


def test_a_formula_guard_from_the_csv_report_is_ignored(setup, tmp_path: Path) -> None:
    settings, register, _ = setup
    csv_file = write_csv(tmp_path / "d.csv", "photo,face,decision\n'tablet/g.jpg,1,not a face\n")
    ((face, decision),) = read_decisions(csv_file, _faces(settings), register)
    assert face.photo == "tablet/g.jpg" and decision is not None and decision.kind is FaceDecision.NOT_A_FACE


# -- the interactive walk -------------------------------------------------------------

def test_interactive_review_shows_a_private_crop_and_records_the_answer(setup) -> None:
    settings, register, folder = setup
    said: list[str] = []
    asked: list[tuple[Path, list[str]]] = []
    answers = iter(["c99", "c02"])

    def ask(face, crop, lines):
        assert crop is not None and crop.is_file()
        if POSIX:
            assert stat.S_IMODE(crop.stat().st_mode) == 0o600
            assert stat.S_IMODE(crop.parent.stat().st_mode) == 0o700
        with Image.open(crop) as im:
            assert im.format == "JPEG" and max(im.size) <= 480
            assert not im.getexif()  # no metadata copied from the photo
            # The crop shows the face: mostly not the noisy background's colours.
            assert im.size[0] > 200
        asked.append((crop, lines))
        return next(answers)

    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), ask, said.append)
    assert len(asked) == 2  # asked again after the unknown id
    assert any("no child 'c99'" in s for s in said)
    assert "tablet/g.jpg, face 1: unknown" in asked[0][1]
    assert any("Ava Patel (c01)" in line and "0.68" in line for line in asked[0][1])
    assert [(f.photo, d.child_id) for f, d in outcome.decided] == [("tablet/g.jpg", "c02")]
    assert not asked[0][0].exists() and not asked[0][0].parent.exists()  # crops removed


@pytest.mark.parametrize("answer, kind", [("a", FaceDecision.ADULT), ("n", FaceDecision.NOT_A_FACE)])
def test_interactive_shortcuts(setup, answer: str, kind: FaceDecision) -> None:
    settings, register, _ = setup
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: answer, lambda s: None)
    assert [d.kind for _, d in outcome.decided] == [kind]


def test_quit_and_skip_record_nothing(setup) -> None:
    settings, register, _ = setup
    for answer in ("q", "s", ""):
        with Store(settings.state_path) as store:
            reviewer = reviewer_for(store, settings, register)
            outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a, answer=answer: answer,
                                           lambda s: None)
            assert outcome.decided == [] and reviewer.book.decisions() == {}


def test_a_photo_changed_since_the_audit_is_skipped_with_a_reason(setup) -> None:
    settings, register, folder = setup
    g = folder / "tablet" / "g.jpg"
    Image.open(g).save(g, quality=70)  # changed after the audit
    said: list[str] = []
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "c02", said.append)
    assert outcome.decided == []
    assert any("has changed since the audit" in s for s in said)
    os.remove(g)
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "c02", said.append)
    assert any("moved or deleted" in s for s in said)


def test_the_viewer_is_opened_only_when_asked(setup) -> None:
    settings, register, _ = setup
    opened: list[Path] = []
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register)
        review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "s", lambda s: None, opened.append)
    assert len(opened) == 1 and opened[0].name.endswith(".jpg")


def test_enrol_is_refused_for_a_child_without_face_matching_permission(setup) -> None:
    settings, register, _ = setup  # c02 has face_matching = no
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register, enrol=True)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "c02", lambda s: None)
        assert reviewer.book.sources() == {}
    assert outcome.enrolled == []
    assert any("no face-matching permission" in m for m in outcome.messages)
    assert not (settings.faces_dir / "c02").exists()
    assert [d.child_id for _, d in outcome.decided] == ["c02"]  # the decision itself is kept


def test_enrol_adds_a_private_dated_reference_photo_and_records_its_source(setup) -> None:
    settings, _, folder = setup
    write_register(settings.data_dir, [
        "c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01",
    ])
    register = load_register(settings.register_path)
    g = folder / "tablet" / "g.jpg"
    taken = datetime(2026, 11, 3, 9, 30, 0).timestamp()
    os.utime(g, (taken, taken))
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register, enrol=True)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "c02", lambda s: None)
        sources = reviewer.book.sources()
    (reference,) = outcome.enrolled
    path = settings.faces_dir / reference
    assert path.is_file() and path.parent.name == "c02" and path.name.startswith("review-")
    if POSIX:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with Image.open(path) as im:
        assert im.size[0] >= 300  # the face (300 px) and some margin, at full resolution
        assert im.getexif().get_ifd(0x8769)[0x9003] == "2026:11:03 09:30:00"
    source = sources[reference]
    assert (source.child_id, source.photo, source.face, source.box) == ("c02", "tablet/g.jpg", 1, GRACE_BOX)
    assert source.sha256 == sha256_file(g) and source.by == "Jo"
    assert source.taken and source.taken.startswith("2026-11-03T09:30")


def test_enrol_refuses_a_face_too_small_to_learn_from(setup, tmp_path: Path) -> None:
    settings, _, folder = setup
    write_register(settings.data_dir, ["c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01"])
    register = load_register(settings.register_path)
    small = AuditResult(folder, TODAY, [verdict("tablet/g.jpg", unknown((120, 360, 180, 300)))])
    with Store(settings.state_path) as store:
        book = DecisionBook(store)
        book.remember_audit(small.folder, small.generated, small.verdicts, {"tablet/g.jpg": sha256_file(folder / "tablet" / "g.jpg")})
        reviewer = reviewer_for(store, settings, register, enrol=True)
        outcome = review_interactively(reviewer, pending_faces(book), lambda *a: "c02", lambda s: None)
    assert outcome.enrolled == [] and any("too small to learn from (60 px wide" in m for m in outcome.messages)
    assert not (settings.faces_dir / "c02").exists()


def test_a_rejected_reference_from_a_review_is_removed_with_its_source(setup) -> None:
    settings, _, _ = setup
    write_register(settings.data_dir, ["c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01"])
    register = load_register(settings.register_path)
    with Store(settings.state_path) as store:
        reviewer = reviewer_for(store, settings, register, enrol=True)
        outcome = review_interactively(reviewer, pending_faces(reviewer.book), lambda *a: "c02", lambda s: None)
        (reference,) = outcome.enrolled
        assert (settings.faces_dir / reference).is_file()
        drop_rejected(reviewer.book, settings.faces_dir, [reference])
        assert reviewer.book.sources() == {}
        assert len(reviewer.book.decisions()) == 1  # the decision stays
    assert not (settings.faces_dir / reference).exists()


def test_a_photo_named_as_the_reports_print_it_is_that_photo(setup, tmp_path: Path) -> None:
    """Issue 25, item 15: the reports show an escape byte in a name as \\x1b (and bytes that
    are not UTF-8 as \\xff); the decisions saved from them still name that photo."""
    from dataclasses import replace

    settings, register, _ = setup
    (face, *_) = _faces(settings)
    odd = [replace(face, photo="tablet/a\x1b[31m.jpg"), replace(face, photo="x_\udcff.jpg")]
    csv_file = write_csv(tmp_path / "d.csv", "photo,face,decision\ntablet/a\\x1b[31m.jpg,1,adult\n"
                         "x_\\xff.jpg,1,not a face\n")
    found = read_decisions(csv_file, odd, register)
    assert [f.photo for f, _ in found] == ["tablet/a\x1b[31m.jpg", "x_\udcff.jpg"]
