"""Tests for the cover decisions (photoaudit.core.cover) on plain data: no images, no engine.

Which faces a publishable copy must cover for one purpose, when a photo must be
held back instead, and the audit's note that a covered copy could be used. The
expensive mistake is a copy that still shows a child without consent, so the
property tests at the end check over thousands of random photos that every face
left in a copy is an identified child cleared for the purpose.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from photoaudit.core.consent import consent_verdict
from photoaudit.core.cover import (
    COVER_NOTE_PREFIX,
    HEAD_BOTTOM_MARGIN,
    HEAD_SIDE_MARGIN,
    HEAD_TOP_MARGIN,
    MIN_MARGIN_PX,
    add_cover_notes,
    cover_notes,
    head_region,
    plan_cover,
)
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceMatch,
    FaceStatus,
    PhotoFacts,
    Register,
    Use,
)
from photoaudit.core.safeguards import Safeguards

TODAY = date(2026, 3, 10)
FUTURE = date(2026, 9, 1)
POSTING = ("display", "website", "social_media")
NAMES = {"C001": "Amelia Jones", "C002": "Harry Smith", "C003": "Olivia Brown"}


def child(child_id: str, *, no: tuple[str, ...] = (), due: date | None = FUTURE,
          status: str = "attending") -> Child:
    return Child(child_id, NAMES.get(child_id, child_id), {p: p not in no for p in PURPOSES},
                 True, due, status)


def register(*children: Child) -> Register:
    return Register({c.child_id: c for c in children})


def box(n: int) -> tuple[int, int, int, int]:
    """A distinct face box per face, so a test can tell faces apart by box."""
    return (100, 100 * n + 80, 180, 100 * n)


def matched(child_id: str, n: int = 0) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, box(n), child_id, 0.3, (Candidate(child_id, 0.3),))


def unknown(n: int = 0) -> FaceMatch:
    return FaceMatch(FaceStatus.UNKNOWN, box(n), None, 0.7)


def ambiguous(n: int, *ids: str) -> FaceMatch:
    return FaceMatch(FaceStatus.AMBIGUOUS, box(n), None, 0.3,
                     tuple(Candidate(c, 0.3 + i / 100) for i, c in enumerate(ids)))


def photo(*faces: FaceMatch, problem: str | None = None) -> PhotoFacts:
    return PhotoFacts("IMG_0001.jpg", faces, problem)


def covered_indexes(plan) -> list[int]:
    return [c.index for c in plan.covered]


# --- photos cleared as they are --------------------------------------------------------

@pytest.mark.parametrize("purpose", PURPOSES)
def test_cleared_photo_needs_no_cover(purpose: str) -> None:
    reg = register(child("C001"), child("C002"))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, purpose)
    assert plan.cleared and plan.copy_allowed
    assert plan.covered == () and plan.blockers == () and plan.hold == ()
    assert [c.child.child_id for c in plan.kept] == ["C001", "C002"]


def test_photo_without_faces_is_cleared_and_copied_uncovered_for_a_use_inside_the_setting() -> None:
    plan = plan_cover(photo(), register(), TODAY, "display")
    assert plan.cleared and plan.copy_allowed and plan.covered == ()


def test_photo_without_faces_is_not_cleared_nor_copied_for_social_media() -> None:
    """No face found is not proof that no child is in it (issue 12, rule 5)."""
    plan = plan_cover(photo(), register(), TODAY, "social_media")
    assert not plan.cleared and not plan.copy_allowed
    assert any("No face found: check by eye" in b for b in plan.blockers)


def test_a_copy_with_every_face_covered_is_not_a_photo_without_faces() -> None:
    """The faces were found and covered: rule 5 is not what decides the copy."""
    plan = plan_cover(photo(unknown()), register(), TODAY, "social_media", "cover")
    assert not plan.cleared and plan.copy_allowed


# --- children without consent are covered ------------------------------------------------

@pytest.mark.parametrize("purpose", POSTING)
def test_child_refusing_the_purpose_is_covered_and_the_other_kept(purpose: str) -> None:
    reg = register(child("C001"), child("C002", no=(purpose,)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, purpose)
    assert not plan.cleared
    assert covered_indexes(plan) == [2]
    assert plan.covered[0].child.child_id == "C002"
    assert [c.child.child_id for c in plan.kept] == ["C001"]
    assert plan.copy_allowed
    assert plan.copy_verdict is not None and plan.copy_verdict.purposes[purpose] is Use.ALLOWED
    assert plan.blockers == (plan.covered[0].why,)
    assert "Harry Smith (C002)" in plan.blockers[0] and "(R2)" in plan.blockers[0]


def test_child_refusing_another_purpose_is_not_covered() -> None:
    reg = register(child("C001"), child("C002", no=("website",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "social_media")
    assert plan.cleared and plan.covered == ()


def test_refusing_other_journeys_cites_R3() -> None:
    reg = register(child("C001"), child("C002", no=("other_journeys",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "other_journeys")
    assert covered_indexes(plan) == [2]
    assert "R3" in plan.covered[0].why


def test_lapsed_child_is_covered_with_R1() -> None:
    reg = register(child("C001"), child("C002", due=TODAY - timedelta(days=1)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "website")
    assert covered_indexes(plan) == [2]
    assert "lapsed" in plan.covered[0].why and "R1" in plan.covered[0].why
    assert plan.copy_allowed


def test_child_with_no_review_date_is_covered() -> None:
    reg = register(child("C001"), child("C002", due=None))
    plan = plan_cover(photo(matched("C002", 0), matched("C001", 1)), reg, TODAY, "display")
    assert covered_indexes(plan) == [1]


def test_leaver_is_covered_with_R7() -> None:
    reg = register(child("C001"), child("C002", status="left"))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "social_media")
    assert covered_indexes(plan) == [2] and "R7" in plan.covered[0].why


def test_every_child_covered_leaves_a_copy_with_no_face() -> None:
    reg = register(child("C001", no=("website",)), child("C002", no=("website",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "website")
    assert covered_indexes(plan) == [1, 2]
    assert plan.copy_allowed and plan.kept == ()
    assert len(plan.blockers) == 2  # every blocking child is named


# --- unknown and ambiguous faces: cover, or hold the photo back ---------------------------

@pytest.mark.parametrize("face", [unknown(1), ambiguous(1, "C001", "C002")], ids=["unknown", "ambiguous"])
def test_unidentified_face_is_covered_by_default(face: FaceMatch) -> None:
    reg = register(child("C001"), child("C002"))
    plan = plan_cover(photo(matched("C001", 0), face), reg, TODAY, "social_media")
    assert not plan.cleared
    assert covered_indexes(plan) == [2]
    assert not plan.covered[0].identified
    assert plan.copy_allowed
    assert "Face 2" in plan.blockers[0]


@pytest.mark.parametrize("face", [unknown(1), ambiguous(1, "C001", "C002")], ids=["unknown", "ambiguous"])
def test_unidentified_face_holds_the_photo_back_with_hold(face: FaceMatch) -> None:
    reg = register(child("C001"), child("C002"))
    plan = plan_cover(photo(matched("C001", 0), face), reg, TODAY, "social_media", unknown="hold")
    assert not plan.cleared and not plan.copy_allowed
    assert plan.covered == ()
    assert any("Face 2" in why for why in plan.hold)


def test_hold_still_means_a_copy_for_photos_with_only_blocking_children() -> None:
    reg = register(child("C001"), child("C002", no=("website",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "website", unknown="hold")
    assert plan.copy_allowed and covered_indexes(plan) == [2]


def test_face_matched_to_a_child_missing_from_the_register_counts_as_unidentified() -> None:
    reg = register(child("C001"))
    faces = (matched("C001", 0), matched("C999", 1))
    assert covered_indexes(plan_cover(photo(*faces), reg, TODAY, "website")) == [2]
    assert not plan_cover(photo(*faces), reg, TODAY, "website", unknown="hold").copy_allowed


def test_same_child_on_two_faces_covers_both() -> None:
    """At most one of them is the child; the other is somebody nobody identified."""
    reg = register(child("C001"), child("C002"))
    faces = (matched("C001", 0), matched("C001", 1), matched("C002", 2))
    plan = plan_cover(photo(*faces), reg, TODAY, "display")
    assert not plan.cleared
    assert covered_indexes(plan) == [1, 2]
    assert [c.child.child_id for c in plan.kept] == ["C002"]
    assert all("at most one" in c.why for c in plan.covered)
    assert not plan_cover(photo(*faces), reg, TODAY, "display", unknown="hold").copy_allowed


def test_same_child_on_two_faces_one_clearly_closer_covers_only_the_other() -> None:
    """Issue 26: the clearly closer face is the child; the other is an unknown face, covered
    (or, with "hold", no copy at all)."""
    reg = register(child("C001"))
    far = FaceMatch(FaceStatus.MATCHED, box(1), "C001", 0.45, (Candidate("C001", 0.45),))
    facts = photo(matched("C001", 0), far)
    plan = plan_cover(facts, reg, TODAY, "display")
    assert not plan.cleared and covered_indexes(plan) == [2]
    assert [c.child.child_id for c in plan.kept] == ["C001"]
    assert "clearly closer" in plan.covered[0].why and plan.copy_allowed
    assert not plan_cover(facts, reg, TODAY, "display", unknown="hold").copy_allowed


def test_unknown_choice_is_checked() -> None:
    with pytest.raises(ValueError):
        plan_cover(photo(), register(), TODAY, "website", unknown="blur")


# --- files that could not be read --------------------------------------------------------

def test_unreadable_file_is_neither_cleared_nor_copied() -> None:
    plan = plan_cover(photo(problem="The file is empty (0 bytes)."), register(), TODAY, "website")
    assert not plan.cleared and not plan.copy_allowed
    assert "empty" in plan.blockers[0] and "empty" in plan.hold[0]


# --- what the file itself says (R6, R7, R10) ----------------------------------------------

BREACH = "This photo was taken with a personal phone (R6). Tell the DSL, then delete it."


def test_a_finding_from_the_file_blocks_the_use_and_any_copy() -> None:
    reg = register(child("C001"))
    plan = plan_cover(photo(matched("C001")), reg, TODAY, "display", file_blockers=(BREACH,))
    assert not plan.cleared and not plan.copy_allowed
    assert plan.blockers == (BREACH,) and plan.hold == (BREACH,)


def test_a_finding_from_the_file_is_named_next_to_the_children() -> None:
    reg = register(child("C001"), child("C002", no=("website",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "website",
                      file_blockers=(BREACH,))
    assert len(plan.blockers) == 2 and plan.blockers[-1] == BREACH
    assert not plan.copy_allowed


@pytest.mark.parametrize("purpose", ["website", "social_media", "press"])
def test_a_location_blocks_uses_outside_the_setting_but_not_a_copy(purpose: str) -> None:
    c = Child("C001", "Amelia Jones", {p: True for p in PURPOSES + ("press",)}, True, FUTURE)
    plan = plan_cover(photo(matched("C001")), register(c), TODAY, purpose, gps=True)
    assert not plan.cleared
    assert len(plan.blockers) == 1 and "GPS" in plan.blockers[0] and "R10" in plan.blockers[0]
    assert plan.copy_allowed and plan.covered == ()  # the copy carries no location


@pytest.mark.parametrize("purpose", ["learning_journey", "other_journeys", "display"])
def test_a_location_does_not_block_uses_inside_the_setting(purpose: str) -> None:
    plan = plan_cover(photo(matched("C001")), register(child("C001")), TODAY, purpose, gps=True)
    assert plan.cleared


# --- the learning journey (R3) ------------------------------------------------------------

def test_journey_covers_a_child_who_allows_no_journey_at_all() -> None:
    reg = register(child("C001"), child("C002", no=("learning_journey", "other_journeys")))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "learning_journey")
    assert not plan.cleared
    assert covered_indexes(plan) == [2]
    assert plan.copy_allowed and plan.copy_verdict.journeys == ("C001",)


def test_journey_keeps_a_child_who_allows_only_their_own() -> None:
    reg = register(child("C001", no=("other_journeys",)))
    plan = plan_cover(photo(matched("C001", 0)), reg, TODAY, "learning_journey")
    assert plan.cleared and plan.covered == ()


def test_journey_blocked_by_the_mix_of_children_is_held_not_copied() -> None:
    """Each child allows their own journey but neither may appear in the other's: no face is
    to blame alone, and no covered copy fits anyone's journey, so none is made."""
    reg = register(child("C001", no=("other_journeys",)), child("C002", no=("other_journeys",)))
    plan = plan_cover(photo(matched("C001", 0), matched("C002", 1)), reg, TODAY, "learning_journey")
    assert not plan.cleared
    assert plan.blockers  # still says why
    assert not plan.copy_allowed and plan.hold


# --- where the cover goes ---------------------------------------------------------------

def test_head_region_is_the_box_plus_generous_margins() -> None:
    left, top, right, bottom = head_region((400, 700, 600, 500), 2000, 2000)
    assert (left, right) == (500 - 200 * HEAD_SIDE_MARGIN, 700 + 200 * HEAD_SIDE_MARGIN)
    assert top == 400 - 200 * HEAD_TOP_MARGIN
    assert bottom == 600 + 200 * HEAD_BOTTOM_MARGIN
    # the hair above the face gets more room than the chin below it
    assert 400 - top > bottom - 600


def test_head_region_stays_inside_the_photo() -> None:
    assert head_region((5, 90, 60, 2), 100, 80) == (0, 0, 100, 80)


def test_head_region_of_a_tiny_face_still_has_a_margin() -> None:
    left, top, right, bottom = head_region((100, 106, 106, 100), 1000, 1000)
    assert left <= 100 - MIN_MARGIN_PX and right >= 106 + MIN_MARGIN_PX
    assert top <= 100 - MIN_MARGIN_PX and bottom >= 106 + MIN_MARGIN_PX


# --- the audit's note: a covered copy could be used ----------------------------------------

def notes_for(reg: Register, *faces: FaceMatch) -> tuple[str, ...]:
    facts = photo(*faces)
    return cover_notes(consent_verdict(facts, reg, TODAY), facts, reg, TODAY)


def test_note_when_withheld_only_because_of_one_child() -> None:
    reg = register(child("C001"), child("C002", no=("website", "social_media")))
    notes = notes_for(reg, matched("C001", 0), matched("C002", 1))
    assert len(notes) == 1
    assert "face 2 (Harry Smith (C002)) covered" in notes[0]
    assert "the website, brochure or press and social media" in notes[0]
    assert "--export" in notes[0]


def test_note_names_the_purposes_per_set_of_faces_to_cover() -> None:
    reg = register(child("C001", no=("website",)), child("C002", no=("social_media",)))
    notes = notes_for(reg, matched("C001", 0), matched("C002", 1))
    assert len(notes) == 2
    assert any("face 1 (Amelia Jones (C001))" in n and "website" in n and "social media" not in n for n in notes)
    assert any("face 2 (Harry Smith (C002))" in n and "social media" in n and "website" not in n for n in notes)


def test_no_note_when_nothing_is_withheld() -> None:
    assert notes_for(register(child("C001")), matched("C001")) == ()


def test_no_note_when_only_unknown_faces_stand_in_the_way() -> None:
    """That is a review (a person looks), not a withholding."""
    assert notes_for(register(child("C001")), matched("C001", 0), unknown(1)) == ()


def test_note_also_names_unknown_faces_that_would_be_covered() -> None:
    reg = register(child("C001"), child("C002", no=("display",)))
    notes = notes_for(reg, matched("C001", 0), matched("C002", 1), unknown(2))
    assert len(notes) == 1
    assert "face 2 (Harry Smith (C002)) and face 3 (not identified)" in notes[0]


def test_note_for_a_photo_to_delete_keeps_the_action() -> None:
    """A child refusing every use makes the photo a delete (R4); the copy is still an option."""
    reg = register(child("C001"), child("C002", no=PURPOSES))
    facts = photo(matched("C001", 0), matched("C002", 1))
    verdict = consent_verdict(facts, reg, TODAY)
    assert verdict.action is Action.DELETE
    noted = add_cover_notes(verdict, facts, reg, TODAY)
    assert noted.action is Action.DELETE and noted.purposes == verdict.purposes
    assert len(noted.notes) == len(verdict.notes) + 1
    assert "could be used for learning journeys, displays in the setting" in noted.notes[-1]
    assert "other children's" not in noted.notes[-1]  # the journeys are said once
    assert "--for social_media --export" in noted.notes[-1]


def test_no_note_when_the_copy_would_show_no_identified_child() -> None:
    """One child alone, without consent: a copy of their covered head is not worth suggesting."""
    reg = register(child("C001", no=("website",)))
    assert notes_for(reg, matched("C001")) == ()
    assert notes_for(register(child("C001", no=("website",))), matched("C001", 0), unknown(1)) == ()


def test_no_note_for_an_unreadable_file() -> None:
    facts = photo(problem="Damaged.")
    reg = register()
    assert cover_notes(consent_verdict(facts, reg, TODAY), facts, reg, TODAY) == ()


# --- property tests: a copy never shows a child who is not cleared ------------------------

def random_register(rng: random.Random) -> Register:
    children = []
    for n in range(rng.randint(0, 4)):
        consents = {p: rng.random() < 0.7 for p in PURPOSES}
        due = rng.choice([None, TODAY - timedelta(days=1), TODAY, FUTURE, FUTURE, FUTURE])
        status = "left" if rng.random() < 0.1 else "attending"
        children.append(Child(f"C{n:03d}", f"Child {n}", consents, True, due, status))
    return Register({c.child_id: c for c in children})


def random_faces(rng: random.Random, ids: list[str]) -> tuple[FaceMatch, ...]:
    faces = []
    for n in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.65 and ids:
            faces.append(matched(rng.choice(ids), n))
        elif roll < 0.8:
            faces.append(unknown(n))
        elif roll < 0.92 and ids:
            faces.append(ambiguous(n, *rng.sample(ids, min(2, len(ids)))))
        else:
            faces.append(matched("X9", n))
    return tuple(faces)


def clear_for(c: Child, purpose: str) -> bool:
    """Stated independently: attending, consent in date, and yes to the purpose
    (for the journey, yes to their own or to other children's)."""
    if c.status == "left" or c.consent_review_due is None or TODAY > c.consent_review_due:
        return False
    if purpose == "learning_journey":
        return c.consents["learning_journey"] or c.consents["other_journeys"]
    return c.consents[purpose]


@pytest.mark.parametrize("seed", range(8))
def test_a_copy_only_ever_keeps_identified_cleared_children(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        reg = random_register(rng)
        facts = photo(*random_faces(rng, sorted(reg.children)))
        purpose = rng.choice(PURPOSES)
        unknown_choice = rng.choice(["cover", "hold"])
        from_file = (BREACH,) if rng.random() < 0.1 else ()
        gps = rng.random() < 0.2
        plan = plan_cover(facts, reg, TODAY, purpose, unknown_choice, file_blockers=from_file, gps=gps)
        verdict = consent_verdict(facts, reg, TODAY, (purpose,))

        located = gps and purpose in ("website", "social_media")
        assert plan.cleared == (verdict.purposes[purpose] is Use.ALLOWED and not from_file and not located)
        if from_file:
            assert not plan.copy_allowed
        assert [c.index for c in plan.faces] == list(range(1, len(facts.faces) + 1))
        if plan.cleared:
            assert plan.covered == () and plan.copy_allowed
        else:
            assert plan.blockers, (facts, plan)
        if not plan.copy_allowed:
            assert plan.hold
            continue
        matched_ids = Counter(f.child_id for f in facts.faces if f.status is FaceStatus.MATCHED)
        for call in plan.kept:
            face = call.face
            assert face.status is FaceStatus.MATCHED, (facts, plan)
            assert face.child_id in reg.children and matched_ids[face.child_id] == 1, (facts, plan)
            assert clear_for(reg.children[face.child_id], purpose), (facts, plan)
        kept = PhotoFacts(facts.path, tuple(c.face for c in plan.kept))
        # judged as check judges a copy: faces found and covered are not "no face found"
        copy = Safeguards(faceless=not facts.faces)
        assert consent_verdict(kept, reg, TODAY, (purpose,), copy).purposes[purpose] is Use.ALLOWED
        if unknown_choice == "hold":
            assert all(c.identified for c in plan.covered), (facts, plan)


@pytest.mark.parametrize("seed", range(4))
def test_only_faces_in_the_way_are_covered(seed: int) -> None:
    """Nobody cleared is covered needlessly: a cleared, identified child stays visible."""
    rng = random.Random(100 + seed)
    for _ in range(400):
        reg = random_register(rng)
        facts = photo(*random_faces(rng, sorted(reg.children)))
        purpose = rng.choice(POSTING)
        plan = plan_cover(facts, reg, TODAY, purpose)
        counts = Counter(f.child_id for f in facts.faces if f.status is FaceStatus.MATCHED)
        for call in plan.faces:
            face = call.face
            identified = (face.status is FaceStatus.MATCHED and face.child_id in reg.children
                          and counts[face.child_id] == 1)
            expected = not identified or not clear_for(reg.children[face.child_id], purpose)
            assert call.cover == expected, (facts, call)


# --- the note in the audit itself ----------------------------------------------------------

def audit_verdict(kind: str):  # noqa: ANN201
    from pathlib import Path

    from photoaudit.core.judging import Judging
    from photoaudit.media.sources import MediaFile, MediaKind
    from photoaudit.operations.examine import Examined, file_verdict

    reg = register(child("C001"), child("C002", no=("website",)))
    facts = photo(matched("C001", 0), matched("C002", 1))
    media_kind = MediaKind.VIDEO if kind == "video" else MediaKind.PHOTO
    media = MediaFile(Path("x"), "x", media_kind, 1)
    return file_verdict(media, Examined("x", kind=media_kind), facts, Judging(reg, TODAY))


def test_the_audit_notes_a_covered_copy_for_a_photo() -> None:
    verdict = audit_verdict("photo")
    assert any(n.startswith(COVER_NOTE_PREFIX) and "Harry Smith (C002)" in n for n in verdict.notes)


def test_the_audit_notes_no_covered_copy_for_a_video() -> None:
    """check --export copies photos only."""
    assert not any(n.startswith(COVER_NOTE_PREFIX) for n in audit_verdict("video").notes)


def test_the_terminal_table_shows_the_note_next_to_the_reasons() -> None:
    from pathlib import Path

    from rich.console import Console

    from photoaudit.formats import terminal
    from photoaudit.operations.examine import AuditResult

    verdict = audit_verdict("photo")
    assert verdict.reasons  # withheld from the website: the table shows reasons, not notes
    console = Console(record=True, width=400)
    terminal.show(AuditResult(Path("."), TODAY, [verdict]), console)
    assert "covered could be used for the website" in console.export_text()
