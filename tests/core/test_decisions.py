"""People's decisions and overrides, applied to plain facts (photoaudit.core.decisions).

No images and no files: faces, registers and decisions are built by hand, then
judged by the real consent rules. A person's decision says who a face is; it
must never make a child's missing consent count as given.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from photoaudit.core.consent import consent_verdict
from photoaudit.core.decisions import (
    SAME_FACE_OVERLAP,
    action_from,
    apply_decisions,
    apply_override,
    overlap,
    pair_decisions,
    parse_decision,
)
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoFacts,
    Register,
    Use,
)

TODAY = date(2026, 11, 20)
FUTURE = date(2027, 9, 1)
LEFT_BOX = (100, 200, 200, 100)
RIGHT_BOX = (100, 500, 200, 400)
AT = "2026-11-20T10:00:00+00:00"


def child(child_id: str, name: str, *, no: tuple[str, ...] = (), **kwargs: object) -> Child:
    fields = dict(consents={p: p not in no for p in PURPOSES}, face_matching=True, consent_review_due=FUTURE)
    fields.update(kwargs)
    return Child(child_id=child_id, name=name, **fields)  # type: ignore[arg-type]


AVA = child("c01", "Ava Patel")
GRACE = child("c02", "Grace Okafor", no=("website", "social_media"))
SAM = child("c03", "Sam Jones", no=PURPOSES)
LEO = child("c04", "Leo Smith", status="left", leave_date=date(2026, 7, 18))
NOAH = child("c06", "Noah Evans", consent_review_due=date(2025, 9, 1))
REGISTER = Register({c.child_id: c for c in (AVA, GRACE, SAM, LEO, NOAH)})


def unknown(box=LEFT_BOX, *candidates: Candidate) -> FaceMatch:
    return FaceMatch(FaceStatus.UNKNOWN, box, None, candidates[0].distance if candidates else None, candidates)


def ambiguous(box=LEFT_BOX) -> FaceMatch:
    cands = (Candidate("c02", 0.45), Candidate("c01", 0.49))
    return FaceMatch(FaceStatus.AMBIGUOUS, box, None, 0.45, cands)


def matched(child_id: str, box=RIGHT_BOX, distance: float = 0.3) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, box, child_id, distance, (Candidate(child_id, distance),))


def decided(kind: FaceDecision, child_id: str | None = None) -> PersonDecision:
    return PersonDecision(kind, child_id, "Jo", AT)


def judge(facts: PhotoFacts):
    return consent_verdict(facts, REGISTER, TODAY)


# -- which decision is which face's ---------------------------------------------------

def test_overlap_of_same_disjoint_and_half_boxes() -> None:
    assert overlap(LEFT_BOX, LEFT_BOX) == 1.0
    assert overlap(LEFT_BOX, RIGHT_BOX) == 0.0
    shifted = (100, 250, 200, 150)  # half of it over LEFT_BOX
    assert overlap(LEFT_BOX, shifted) == pytest.approx(50 / 150)
    assert overlap((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_a_decision_finds_its_face_when_the_detector_moves_the_box_a_little() -> None:
    faces = [unknown(LEFT_BOX), unknown(RIGHT_BOX)]
    nudged = (104, 203, 206, 98)
    paired = pair_decisions(faces, [(nudged, decided(FaceDecision.ADULT))])
    assert list(paired) == [0]


def test_a_decision_for_a_face_that_is_not_found_applies_to_nothing() -> None:
    faces = [unknown(LEFT_BOX)]
    far = (300, 900, 400, 800)
    assert pair_decisions(faces, [(far, decided(FaceDecision.ADULT))]) == {}
    barely = (100, 280, 200, 180)  # overlaps, but less than SAME_FACE_OVERLAP
    assert overlap(LEFT_BOX, barely) < SAME_FACE_OVERLAP
    assert pair_decisions(faces, [(barely, decided(FaceDecision.ADULT))]) == {}


def test_one_decision_never_applies_to_two_faces() -> None:
    a, b = (100, 200, 200, 100), (100, 205, 200, 105)  # two detections of nearly the same place
    faces = [unknown(a), unknown(b)]
    paired = pair_decisions(faces, [(b, decided(FaceDecision.CHILD, "c01"))])
    assert list(paired) == [1]  # the better overlap wins, the other face stays undecided


# -- each decision kind -------------------------------------------------------------

def test_an_unknown_face_confirmed_as_a_child_is_that_child_with_a_note() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX, Candidate("c01", 0.56)),))
    settled = apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c01"))], REGISTER)
    face = settled.faces[0]
    assert face.status is FaceStatus.MATCHED and face.child_id == "c01"
    assert face.distance == 0.56  # the distance to the named child, for the record
    assert face.decision is not None and face.decision.by == "Jo"
    verdict = judge(settled)
    assert verdict.action is Action.KEEP
    assert all(use is Use.ALLOWED for use in verdict.purposes.values())
    assert any("confirmed by a person" in n and "Ava Patel (c01)" in n for n in verdict.notes)


def test_without_the_decision_the_same_photo_needs_a_person() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX, Candidate("c01", 0.56)),))
    assert judge(facts).action is Action.REVIEW


def test_an_ambiguous_face_confirmed_as_a_child_is_judged_by_that_childs_consent() -> None:
    facts = PhotoFacts("a.jpg", (ambiguous(),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c02"))], REGISTER))
    assert verdict.action is Action.KEEP
    assert verdict.purposes["website"] is Use.WITHHELD
    assert verdict.purposes["social_media"] is Use.WITHHELD
    assert verdict.purposes["display"] is Use.ALLOWED
    assert any("Grace Okafor (c02) has no consent" in r for r in verdict.reasons)


def test_confirming_a_child_without_consent_deletes_rather_than_clears() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c03"))], REGISTER))
    assert verdict.action is Action.DELETE
    assert not any(use is Use.ALLOWED for use in verdict.purposes.values())


def test_an_adult_no_longer_counts_for_consent() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX), matched("c01")))
    settled = apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.ADULT))], REGISTER)
    assert settled.faces[0].status is FaceStatus.UNKNOWN  # what the matcher saw stays on record
    assert not settled.faces[0].counts_for_consent
    verdict = judge(settled)
    assert verdict.action is Action.KEEP
    assert all(use is Use.ALLOWED for use in verdict.purposes.values())
    assert verdict.journeys == ("c01",)
    assert any("face 1 is an adult" in n and "does not count for consent" in n for n in verdict.notes)
    assert not any("Face 1" in r for r in verdict.reasons)


def test_not_a_face_no_longer_counts_for_consent() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.NOT_A_FACE))], REGISTER))
    assert verdict.action is Action.KEEP
    # no child's face is left: inside the setting it is cleared, public uses wait for a person's eye
    assert {p: u for p, u in verdict.purposes.items() if u is not Use.ALLOWED} == {
        "website": Use.REVIEW, "social_media": Use.REVIEW}
    assert any("face 1 is not a face" in n for n in verdict.notes)
    assert any("check by eye that no child is in it" in r for r in verdict.reasons)


def test_an_adult_next_to_a_child_without_consent_does_not_clear_the_photo() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX), matched("c03")))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.ADULT))], REGISTER))
    assert verdict.action is Action.DELETE


def test_face_numbers_stay_those_of_the_photo() -> None:
    facts = PhotoFacts("a.jpg", (unknown(LEFT_BOX), unknown(RIGHT_BOX)))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.ADULT))], REGISTER))
    assert verdict.action is Action.REVIEW
    assert any(r.startswith("Face 2 ") for r in verdict.reasons)
    assert not any(r.startswith("Face 1 ") for r in verdict.reasons)
    assert len(verdict.faces) == 2  # the adult is still shown


def test_a_person_overrules_a_wrong_match() -> None:
    facts = PhotoFacts("a.jpg", (matched("c01", LEFT_BOX),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c03"))], REGISTER))
    assert verdict.faces[0].child_id == "c03"
    assert verdict.action is Action.DELETE
    assert any("photoaudit had matched it to Ava Patel (c01)" in n for n in verdict.notes)


def test_an_adult_decision_on_one_of_two_faces_matched_to_one_child_resolves_it() -> None:
    facts = PhotoFacts("a.jpg", (matched("c01", LEFT_BOX), matched("c01", RIGHT_BOX)))
    assert judge(facts).action is Action.REVIEW
    verdict = judge(apply_decisions(facts, [(RIGHT_BOX, decided(FaceDecision.ADULT))], REGISTER))
    assert verdict.action is Action.KEEP


# -- fail closed: decisions never override consent --------------------------------------

def test_a_decision_naming_an_id_the_register_does_not_know_needs_a_person() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c99"))], REGISTER))
    assert verdict.action is Action.REVIEW
    assert all(use is Use.REVIEW for use in verdict.purposes.values())
    assert any("'c99'" in r and "not in the consent register" in r for r in verdict.reasons)


def test_a_decision_naming_a_child_who_has_since_left_withholds_everything() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c04"))], REGISTER))
    assert verdict.action is Action.DELETE
    assert all(use is Use.WITHHELD for use in verdict.purposes.values())
    assert any("has left the setting" in r for r in verdict.reasons)


def test_a_decision_naming_a_child_whose_consent_lapsed_is_not_cleared() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.CHILD, "c06"))], REGISTER))
    assert verdict.action is not Action.KEEP
    assert not any(use is Use.ALLOWED for use in verdict.purposes.values())


def test_a_child_who_loses_consent_after_the_decision_is_withheld_at_the_next_audit() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    decisions = [(LEFT_BOX, decided(FaceDecision.CHILD, "c01"))]
    assert judge(apply_decisions(facts, decisions, REGISTER)).action is Action.KEEP
    refused = Register({**REGISTER.children, "c01": replace(AVA, consents={p: False for p in PURPOSES})})
    later = consent_verdict(apply_decisions(facts, decisions, refused), refused, TODAY)
    assert later.action is Action.DELETE


def test_an_unreadable_file_stays_in_review_whatever_was_decided() -> None:
    facts = PhotoFacts("a.jpg", (), problem="The file is cut short.")
    verdict = judge(apply_decisions(facts, [(LEFT_BOX, decided(FaceDecision.ADULT))], REGISTER))
    assert verdict.action is Action.REVIEW


def test_no_decisions_changes_nothing() -> None:
    facts = PhotoFacts("a.jpg", (unknown(),))
    assert apply_decisions(facts, [], REGISTER) is facts


# -- overrides ----------------------------------------------------------------------

@pytest.mark.parametrize("forced", list(Action))
def test_an_override_forces_the_action_and_says_who_when_and_why(forced: Action) -> None:
    verdict = judge(PhotoFacts("a.jpg", (matched("c03"),)))
    assert verdict.action is Action.DELETE
    override = Override(forced, "Parents agreed on the phone", "Jo Manager", AT)
    after = apply_override(verdict, override)
    assert after.action is forced
    assert after.purposes == verdict.purposes  # the consent verdicts are not changed
    assert after.override is not None and after.override.original is Action.DELETE
    last = after.reasons[-1]
    assert f"forced this photo's action to {forced.value}" in last
    assert "Jo Manager, 20 November 2026" in last and "Parents agreed on the phone." in last
    assert ("own verdict was delete" in last) is (forced is not Action.DELETE)
    assert after.reasons[:-1] == verdict.reasons


def test_no_override_changes_nothing() -> None:
    verdict = judge(PhotoFacts("a.jpg", (matched("c01"),)))
    assert apply_override(verdict, None) is verdict


def test_action_words() -> None:
    assert action_from(" Keep ") is Action.KEEP
    with pytest.raises(ValueError, match="keep, delete or review"):
        action_from("publish")


# -- what people type -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, kind, child_id",
    [
        ("c01", FaceDecision.CHILD, "c01"),
        (" C01 ", FaceDecision.CHILD, "c01"),  # case-insensitive against the register
        ("adult", FaceDecision.ADULT, None),
        ("Not a child", FaceDecision.ADULT, None),
        ("not_a_face", FaceDecision.NOT_A_FACE, None),
        ("Not a face", FaceDecision.NOT_A_FACE, None),
        ("c99", FaceDecision.CHILD, "c99"),  # unknown ids are the caller's to refuse
    ],
)
def test_parse_decision(text: str, kind: FaceDecision, child_id: str | None) -> None:
    decision = parse_decision(text, ["c01", "c02"])
    assert decision is not None and decision.kind is kind and decision.child_id == child_id


@pytest.mark.parametrize("text", ["", "skip", "Skip", "  ", "?"])
def test_parse_skip(text: str) -> None:
    assert parse_decision(text, ["c01"]) is None


def test_a_child_whose_id_is_a_decision_word_is_still_that_child() -> None:
    decision = parse_decision("adult", ["adult"])
    assert decision is not None and decision.kind is FaceDecision.CHILD
