"""Tests for issue 12, "No wrong cleared, ever", on plain data (no images).

Twins, siblings, look-alike references, young children, the public-use tolerance,
photos with no face found and the "no children in this photo" decision, leavers by
leave date, and the register columns and settings behind them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from photoaudit.core.consent import consent_verdict
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceMatch,
    FaceStatus,
    PhotoDecision,
    PhotoDecisionKind,
    PhotoFacts,
    PhotoVerdict,
    Register,
    Use,
)
from photoaudit.core.safeguards import (
    LookAlike,
    Safeguards,
    age_in_months,
    closest_pairs,
    public_review,
    safeguards_for,
    siblings_of,
    twins_of,
)
from photoaudit.core.settings import MatchSettings, Settings
from photoaudit.setting.config import ConfigError, command_line_match, load_config
from photoaudit.setting.register import load_register

TODAY = date(2026, 11, 20)
BOX = (0, 10, 10, 0)
PUBLIC = ("website", "social_media")
INSIDE = ("learning_journey", "other_journeys", "display")
ALLOWED, WITHHELD, REVIEW = Use.ALLOWED, Use.WITHHELD, Use.REVIEW


def child(child_id: str, *, no: tuple[str, ...] = (), **kw: object) -> Child:
    return Child(child_id, f"Child {child_id}", {p: p not in no for p in PURPOSES}, True,
                 date(2030, 9, 1), **kw)  # type: ignore[arg-type]


def register(*children: Child) -> Register:
    return Register({c.child_id: c for c in children})


def matched(child_id: str, distance: float = 0.3, *others: tuple[str, float]) -> FaceMatch:
    cands = (Candidate(child_id, distance), *(Candidate(c, d) for c, d in others))
    return FaceMatch(FaceStatus.MATCHED, BOX, child_id, distance, cands)


def judge(reg: Register, *faces: FaceMatch, guard: Safeguards | None = None, **facts: object) -> PhotoVerdict:
    return consent_verdict(PhotoFacts("p.jpg", faces, **facts), reg, TODAY, PURPOSES, guard)  # type: ignore[arg-type]


def text(v: PhotoVerdict) -> str:
    return "\n".join(v.reasons)


# --- 9. leavers by leave date ----------------------------------------------------------------

def test_leave_date_passed_is_a_leaver_whatever_the_status_says() -> None:
    ava = child("c01", status="attending", leave_date=date(2026, 10, 31))
    v = judge(register(ava), matched("c01"))
    assert set(v.purposes.values()) == {WITHHELD}
    assert v.action is Action.DELETE
    assert "left the setting on 31 October 2026" in text(v) and "R7" in text(v)


def test_leave_date_today_or_later_is_not_yet_a_leaver() -> None:
    for day in (TODAY, date(2027, 7, 20)):
        v = judge(register(child("c01", leave_date=day)), matched("c01"))
        assert v.purposes["display"] is ALLOWED and v.action is Action.KEEP


def test_left_by() -> None:
    assert child("c01", leave_date=date(2026, 1, 1)).left_by(TODAY)
    assert child("c01", status="left").left_by(TODAY)
    assert not child("c01", leave_date=TODAY).left_by(TODAY)


# --- 4. public tolerance -------------------------------------------------------------------------

def test_match_between_the_tolerances_keeps_inside_uses_and_sends_public_uses_to_review() -> None:
    v = judge(register(child("c01")), matched("c01", 0.45))
    assert {p: v.purposes[p] for p in INSIDE} == {p: ALLOWED for p in INSIDE}
    assert {p: v.purposes[p] for p in PUBLIC} == {p: REVIEW for p in PUBLIC}
    assert v.action is Action.KEEP  # the review queue stays short
    assert "distance 0.45" in text(v) and "at most 0.40" in text(v)
    assert "confirm" in v.faces[0].caution
    assert public_review(v)


def test_match_within_the_public_tolerance_clears_public_uses() -> None:
    v = judge(register(child("c01")), matched("c01", 0.39))
    assert set(v.purposes.values()) == {ALLOWED} and v.reasons == ()
    assert not public_review(v)


def test_public_tolerance_comes_from_the_guard_and_never_exceeds_the_tolerance() -> None:
    assert MatchSettings(tolerance=0.35, public_tolerance=0.4).public == 0.35
    strict = Safeguards(public_tolerance=0.3)
    assert judge(register(child("c01")), matched("c01", 0.35), guard=strict).purposes["website"] is REVIEW


def test_settings_public_purposes_get_the_stricter_rules() -> None:
    purposes = PURPOSES + ("press",)
    reg = Register({"c01": Child("c01", "A", {p: True for p in purposes}, True, date(2030, 1, 1))})
    guard = Safeguards(public_purposes=frozenset({"website", "social_media", "press"}))
    v = consent_verdict(PhotoFacts("p.jpg", (matched("c01", 0.45),)), reg, TODAY, purposes, guard)
    assert v.purposes["press"] is REVIEW and v.purposes["display"] is ALLOWED


def test_a_face_confirmed_by_a_person_is_not_second_guessed() -> None:
    from dataclasses import replace

    from photoaudit.core.models import FaceDecision, PersonDecision

    face = replace(matched("c01", 0.48), decision=PersonDecision(FaceDecision.CHILD, "c01", "Jo"))
    young = child("c01", date_of_birth=date(2026, 1, 1), twin_of="c02")
    v = judge(register(young, child("c02", no=("social_media",))), face)
    assert set(v.purposes.values()) == {ALLOWED}


def test_a_withheld_use_stays_withheld() -> None:
    v = judge(register(child("c01", no=("website",))), matched("c01", 0.45))
    assert v.purposes["website"] is WITHHELD and v.purposes["social_media"] is REVIEW


def test_nothing_allowed_inside_and_public_review_is_a_review_not_a_keep() -> None:
    only_public = child("c01", no=INSIDE)
    v = judge(register(only_public), matched("c01", 0.45))
    assert Use.ALLOWED not in v.purposes.values()
    assert v.action is Action.REVIEW


# --- 3. babies and toddlers ----------------------------------------------------------------------

def test_child_under_the_minimum_age_never_clears_a_public_use_by_matching_alone() -> None:
    baby = child("c01", date_of_birth=date(2025, 6, 1))  # 17 months old
    v = judge(register(baby), matched("c01", 0.2))
    assert {p: v.purposes[p] for p in PUBLIC} == {p: REVIEW for p in PUBLIC}
    assert {p: v.purposes[p] for p in INSIDE} == {p: ALLOWED for p in INSIDE}
    assert v.action is Action.KEEP
    assert "17 months old" in text(v) and "under 24 months" in text(v)


def test_age_is_taken_at_the_photo_date_when_it_is_earlier() -> None:
    toddler = child("c01", date_of_birth=date(2024, 9, 1))  # 26 months today
    assert judge(register(toddler), matched("c01", 0.2)).purposes["website"] is ALLOWED
    v = judge(register(toddler), matched("c01", 0.2), taken=date(2026, 3, 1))  # 18 months then
    assert v.purposes["website"] is REVIEW
    assert "when the photo was taken (1 March 2026)" in text(v)


def test_minimum_age_is_a_setting() -> None:
    toddler = child("c01", date_of_birth=date(2024, 9, 1))
    v = judge(register(toddler), matched("c01", 0.2), guard=Safeguards(min_age_months=36))
    assert v.purposes["social_media"] is REVIEW
    assert judge(register(toddler), matched("c01", 0.2), guard=Safeguards(min_age_months=0)).reasons == ()


def test_age_in_months() -> None:
    assert age_in_months(date(2024, 11, 20), TODAY) == 24
    assert age_in_months(date(2024, 11, 21), TODAY) == 23


# --- 2. twins and siblings -----------------------------------------------------------------------

def test_face_matched_to_a_twin_never_clears_a_use_the_twin_is_not_cleared_for() -> None:
    ava = child("c01", twin_of="c02")
    bea = child("c02", no=("social_media", "display"))  # not enrolled
    v = judge(register(ava, bea), matched("c01", 0.2))
    assert v.purposes["social_media"] is REVIEW and v.purposes["display"] is REVIEW
    assert v.purposes["website"] is ALLOWED and v.purposes["learning_journey"] is ALLOWED
    assert v.action is Action.REVIEW
    assert "Child c01 (c01)" in text(v) and "Child c02 (c02)" in text(v) and "twin" in text(v)


def test_twin_named_only_on_the_other_row_counts_too() -> None:
    assert twins_of("c01", register(child("c01"), child("c02", twin_of="c01"))) == ["c02"]
    v = judge(register(child("c01"), child("c02", twin_of="c01", no=("website",))), matched("c01"))
    assert v.purposes["website"] is REVIEW


def test_twin_who_may_not_appear_in_other_journeys_sends_the_journey_to_review() -> None:
    v = judge(register(child("c01", twin_of="c02"), child("c02", no=("other_journeys",))), matched("c01"))
    assert v.purposes["learning_journey"] is REVIEW and v.journeys == ()
    assert not any(n.startswith("May go in the learning journey") for n in v.notes)


def test_twin_not_in_the_register_is_cleared_for_nothing() -> None:
    v = judge(register(child("c01", twin_of="c99")), matched("c01"))
    assert Use.ALLOWED not in v.purposes.values() and v.action is Action.REVIEW


def test_enrolled_twin_clear_by_twice_the_margin_does_not_hold_the_photo() -> None:
    reg = register(child("c01", twin_of="c02"), child("c02", no=("social_media",)))
    guard = Safeguards(enrolled=frozenset({"c01", "c02"}), margin=0.08, sibling_margin=0.08)
    clear = judge(reg, matched("c01", 0.2, ("c02", 0.37)), guard=guard)
    assert clear.purposes["social_media"] is ALLOWED
    close = judge(reg, matched("c01", 0.2, ("c02", 0.35)), guard=guard)
    assert close.purposes["social_media"] is REVIEW


def test_twin_enrolled_but_not_among_the_candidates_is_no_nearer_than_the_last_listed() -> None:
    reg = register(child("c01", twin_of="c02"), child("c02", no=("social_media",)), child("c03"), child("c04"))
    guard = Safeguards(enrolled=frozenset({"c01", "c02", "c03", "c04"}), sibling_margin=0.08)
    far = matched("c01", 0.2, ("c03", 0.5), ("c04", 0.6))
    assert judge(reg, far, guard=guard).purposes["social_media"] is ALLOWED
    near = matched("c01", 0.2, ("c03", 0.25), ("c04", 0.3))
    assert judge(reg, near, guard=guard).purposes["social_media"] is REVIEW


def test_enrolled_siblings_need_the_sibling_margin() -> None:
    reg = register(child("c01", siblings=("c02",)), child("c02"))
    guard = Safeguards(enrolled=frozenset({"c01", "c02"}), sibling_margin=0.15)
    v = judge(reg, matched("c01", 0.2, ("c02", 0.32)), guard=guard)  # 0.12 apart: enough for others
    assert v.faces[0].status is FaceStatus.AMBIGUOUS
    assert set(v.purposes.values()) == {REVIEW} and v.action is Action.REVIEW
    assert "brother or sister" in text(v) and "Child c02 (c02)" in text(v)
    assert judge(reg, matched("c01", 0.2, ("c02", 0.36)), guard=guard).action is Action.KEEP


def test_siblings_are_read_either_way_and_include_twins() -> None:
    reg = register(child("c01", siblings=("c02",)), child("c03", siblings=("c01",)), child("c04", twin_of="c01"))
    assert siblings_of("c01", reg) == ["c02", "c03", "c04"]
    assert siblings_of("c02", reg) == ["c01"]


def test_unregistered_siblings_keep_the_normal_margin() -> None:
    reg = register(child("c01"), child("c02"))
    guard = Safeguards(enrolled=frozenset({"c01", "c02"}))
    assert judge(reg, matched("c01", 0.2, ("c02", 0.32)), guard=guard).action is Action.KEEP


# --- 1. look-alike references --------------------------------------------------------------------

def test_matches_to_children_with_too_alike_references_are_refused() -> None:
    pair = LookAlike("c01", "c02", 0.21, ("c01/a.jpg", "c02/b.jpg"))
    guard = Safeguards(enrolled=frozenset({"c01", "c02"}), look_alikes=(pair,))
    v = judge(register(child("c01"), child("c02")), matched("c01", 0.2, ("c02", 0.6)), guard=guard)
    assert v.faces[0].status is FaceStatus.AMBIGUOUS and v.action is Action.REVIEW
    assert set(v.purposes.values()) == {REVIEW}
    assert "faces/c01/a.jpg and faces/c02/b.jpg" in text(v) and "too alike" in text(v)


def test_registered_twins_are_judged_by_the_twin_rule_not_refused() -> None:
    pair = LookAlike("c01", "c02", 0.3)
    guard = Safeguards(enrolled=frozenset({"c01", "c02"}), look_alikes=(pair,), sibling_margin=0.08)
    reg = register(child("c01", twin_of="c02"), child("c02"))
    v = judge(reg, matched("c01", 0.2, ("c02", 0.45)), guard=guard)
    assert v.action is Action.KEEP and set(v.purposes.values()) == {ALLOWED}


def test_closest_pairs_and_safeguards_from_enrolment() -> None:
    base = np.zeros(128)
    one = np.eye(128)[0]
    enrolled = {"c01": [base, base + 0.9 * one], "c02": [base + 0.3 * one], "c03": [base + 2 * one]}
    paths = {"c01": ["c01/a.jpg", "c01/b.jpg"], "c02": ["c02/x.jpg"], "c03": ["c03/y.jpg"]}
    pairs = closest_pairs(enrolled, paths)
    assert (pairs[0].a, pairs[0].b) == ("c01", "c02") and pairs[0].distance == pytest.approx(0.3)
    assert pairs[0].files == ("c01/a.jpg", "c02/x.jpg")
    guard = safeguards_for(MatchSettings(), frozenset(PUBLIC), enrolled, paths)
    assert [(p.a, p.b) for p in guard.look_alikes] == [("c01", "c02")]  # 0.3 < 0.5; c01-c03 1.1 apart
    assert guard.single_reference == {"c02", "c03"}
    assert guard.enrolled == {"c01", "c02", "c03"}


# --- 5. no face found ----------------------------------------------------------------------------

def test_photo_with_no_face_is_review_for_public_uses_and_keep() -> None:
    v = judge(register(child("c01")))
    assert {p: v.purposes[p] for p in PUBLIC} == {p: REVIEW for p in PUBLIC}
    assert v.action is Action.KEEP
    assert "No face found: check by eye that no child is in it" in text(v)


def test_no_children_decision_clears_a_photo_with_no_face() -> None:
    decided = PhotoDecision(PhotoDecisionKind.NO_CHILDREN, "Jo", "2026-11-20T10:00:00")
    v = judge(register(child("c01")), photo_decision=decided)
    assert set(v.purposes.values()) == {ALLOWED} and v.reasons == ()
    assert any("A person decided (Jo, 20 November 2026) that there are no children" in n for n in v.notes)


def test_no_children_decision_does_not_clear_a_photo_where_a_face_is_found() -> None:
    decided = PhotoDecision(PhotoDecisionKind.NO_CHILDREN, "Jo")
    v = judge(register(child("c01")), FaceMatch(FaceStatus.UNKNOWN, BOX), photo_decision=decided)
    assert set(v.purposes.values()) == {REVIEW}


def test_a_face_decided_not_a_face_leaves_a_photo_with_no_face_but_an_adult_does_not() -> None:
    """Faces of adults (or staff) were found and looked at; the note asks to look for children."""
    from dataclasses import replace

    from photoaudit.core.models import FaceDecision, PersonDecision

    nothing = replace(FaceMatch(FaceStatus.UNKNOWN, BOX), decision=PersonDecision(FaceDecision.NOT_A_FACE))
    v = judge(register(), nothing)
    assert v.purposes["social_media"] is REVIEW and v.purposes["display"] is ALLOWED
    adult = replace(FaceMatch(FaceStatus.UNKNOWN, BOX), decision=PersonDecision(FaceDecision.ADULT))
    v = judge(register(), adult)
    assert set(v.purposes.values()) == {ALLOWED}
    assert any("No child's face found" in n for n in v.notes)


# --- register columns ------------------------------------------------------------------------------

HEADER = ("child_id,name,status,learning_journey,other_journeys,display,website,social_media,"
          "face_matching,consent_review_due")


def test_register_reads_date_of_birth_twin_of_and_siblings(tmp_path: Path) -> None:
    path = tmp_path / "children.csv"
    path.write_text(
        HEADER + ",date_of_birth,twin_of,siblings\n"
        "c01,Ava,attending,yes,yes,yes,yes,yes,yes,2030-01-01,01/06/2025,c02,c03; c04\n"
        "c02,Bea,attending,yes,yes,yes,yes,yes,yes,2030-01-01,2025-06-01,,\n",
        encoding="utf-8",
    )
    reg = load_register(path)
    ava, bea = reg.children["c01"], reg.children["c02"]
    assert ava.date_of_birth == date(2025, 6, 1) and bea.date_of_birth == date(2025, 6, 1)
    assert ava.twin_of == "c02" and bea.twin_of == ""
    assert ava.siblings == ("c03", "c04") and bea.siblings == ()


def test_register_without_the_new_columns_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "children.csv"
    path.write_text(HEADER + "\nc01,Ava,attending,yes,yes,yes,yes,yes,yes,2030-01-01\n", encoding="utf-8")
    ava = load_register(path).children["c01"]
    assert ava.date_of_birth is None and ava.twin_of == "" and ava.siblings == ()


def test_register_refuses_a_bad_date_of_birth_and_a_child_who_is_their_own_twin(tmp_path: Path) -> None:
    from photoaudit.setting.register import RegisterError

    path = tmp_path / "children.csv"
    path.write_text(
        HEADER + ",date_of_birth,twin_of\nc01,Ava,attending,yes,yes,yes,yes,yes,yes,2030-01-01,soon,c01\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as info:
        load_register(path)
    assert len(info.value.problems) == 2
    assert "date_of_birth" in str(info.value) and "own id" in str(info.value)


# --- settings --------------------------------------------------------------------------------------

def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "photoaudit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_new_settings_and_their_safe_defaults(tmp_path: Path) -> None:
    default = Settings()
    assert default.match.public_tolerance == 0.4 < default.match.tolerance
    assert default.match.sibling_margin == 0.15 > default.match.margin
    assert default.match.public_min_age_months == 24
    assert default.public == {"website", "social_media"}
    settings = load_config(write_toml(tmp_path, (
        '[setting]\npurposes = ["learning_journey", "display", "website", "press"]\n'
        'public_purposes = ["press"]\n'
        "[matching]\npublic_tolerance = 0.35\nsibling_margin = 0.2\npublic_min_age_months = 36\n"
    )))
    assert settings.public == {"website", "press"}
    assert (settings.match.public_tolerance, settings.match.sibling_margin) == (0.35, 0.2)
    assert settings.match.public_min_age_months == 36


@pytest.mark.parametrize("text, words", [
    ("[matching]\npublic_tolerance = 0.6\n", "must not be larger than tolerance"),
    ("[matching]\nsibling_margin = 0.05\n", "must not be smaller than margin"),
    ("[matching]\npublic_min_age_months = 100\n", "from 0 to 72"),
    ('[setting]\npublic_purposes = ["press"]\n', "not one of the setting's purposes"),
])
def test_bad_new_settings_are_refused(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(write_toml(tmp_path, text))


# --- 7. --tolerance and --margin checked like photoaudit.toml ------------------------------------------

@pytest.mark.parametrize("tolerance, margin, words", [
    (1.0, None, "--tolerance = 1.0: must be a number from 0.1 to 0.7"),
    (None, 0.0 - 0.01, "--margin = -0.01: must be a number from 0 to 0.5"),
    (0.05, None, "from 0.1 to 0.7"),
])
def test_command_line_tolerance_and_margin_are_checked_like_the_settings_file(
    tolerance: float | None, margin: float | None, words: str
) -> None:
    with pytest.raises(ConfigError, match=words):
        command_line_match(MatchSettings(), tolerance, margin)


def test_command_line_values_in_range_are_taken() -> None:
    match = command_line_match(MatchSettings(public_tolerance=0.3), 0.45, 0.1)
    assert (match.tolerance, match.margin, match.public_tolerance) == (0.45, 0.1, 0.3)


# --- property: no public use is ever cleared by a doubtful match --------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_random_photos_never_clear_a_public_use_by_a_doubtful_match(seed: int) -> None:
    import random

    rng = random.Random(3000 + seed)
    ids = ["c01", "c02", "c03", "c04"]
    for _ in range(400):
        kids = {}
        for cid in ids:
            born = rng.choice([None, date(2025, 6, 1), date(2024, 1, 1), date(2021, 1, 1)])
            twin = rng.choice(["", "", "", *[o for o in ids if o != cid]])
            kids[cid] = child(cid, no=tuple(p for p in PURPOSES if rng.random() < 0.2),
                              date_of_birth=born, twin_of=twin)
        reg = register(*kids.values())
        enrolled = frozenset(c for c in ids if rng.random() < 0.7)
        faces = []
        for _ in range(rng.randint(0, 3)):
            cid = rng.choice(ids)
            others = [(o, round(rng.uniform(0.2, 0.9), 2)) for o in rng.sample([o for o in ids if o != cid], 2)]
            faces.append(matched(cid, round(rng.uniform(0.1, 0.5), 2), *others))
        guard = Safeguards(enrolled=enrolled, sibling_margin=0.08)
        v = judge(reg, *faces, guard=guard)
        for p in PUBLIC:
            if v.purposes[p] is not ALLOWED:
                continue
            assert faces, v  # no face found never clears a public use
            for f in v.faces:
                c = kids[f.child_id]  # type: ignore[index]
                assert f.distance is not None and f.distance <= 0.4, v
                assert c.date_of_birth is None or age_in_months(c.date_of_birth, TODAY) >= 24, v
                for t in twins_of(c.child_id, reg):
                    d = next((x.distance for x in f.candidates if x.child_id == t), None)
                    if d is None and len(f.candidates) >= 3:  # not listed: no nearer than the last listed
                        d = f.candidates[-1].distance
                    clear = t in enrolled and d is not None and d - f.distance >= 0.16
                    assert clear or kids[t].allows(p), v
        if v.action is Action.KEEP:  # kept: something is allowed, never only "review"s
            assert ALLOWED in v.purposes.values(), v


# --- enrolment's warnings about the reference photos (plain data) ---------------------------------------

def test_reference_warnings_name_files_and_what_to_do() -> None:
    from photoaudit.setting.references import RefPhoto, reference_warnings

    one = np.eye(128)[0]
    reg = register(
        child("c01", date_of_birth=date(2025, 1, 1)),  # 22 months old
        child("c02"),
        child("c03", twin_of="c04"),
        child("c04"),
    )
    photos = [
        RefPhoto("c01", "c01/old.jpg", np.zeros(128), "a", date(2026, 5, 1)),  # more than 3 months old
        RefPhoto("c01", "c01/new.jpg", np.zeros(128) + 0.01 * one, "b", date(2026, 11, 1)),
        RefPhoto("c02", "c02/x.jpg", 0.3 * one, "c", date(2026, 11, 1)),  # too like c01
        RefPhoto("c02", "c02/y.jpg", 0.31 * one, "d", date(2026, 11, 1)),
        RefPhoto("c03", "c03/t.jpg", 3 * one, "e", date(2026, 11, 1)),
        RefPhoto("c04", "c04/t.jpg", 3 * one, "e", date(2026, 11, 1)),  # the same photo as c03's
    ]
    warnings, notes = reference_warnings(reg, photos, 0.5, TODAY)
    text = "\n".join(warnings)
    assert "faces/c01/new.jpg and faces/c02/x.jpg" in text and "closer than the tolerance" in text
    assert "faces/c03/t.jpg and faces/c04/t.jpg are the same photo" in text
    assert "Child c01 (c01) is under 3" in text and "faces/c01/old.jpg" in text and "new.jpg. Add" not in text
    assert text.count("only one reference photo") == 2  # c03 and c04
    assert len(notes) == 1 and "most alike" in notes[0] and "distance 0.00" in notes[0]


def test_reference_warnings_for_registered_twins_say_the_twin_rule_applies() -> None:
    from photoaudit.setting.references import RefPhoto, reference_warnings

    one = np.eye(128)[0]
    reg = register(child("c01", twin_of="c02"), child("c02"))
    photos = [RefPhoto("c01", "c01/a.jpg", np.zeros(128), "a"), RefPhoto("c01", "c01/b.jpg", 0.01 * one, "b"),
              RefPhoto("c02", "c02/a.jpg", 0.2 * one, "c"), RefPhoto("c02", "c02/b.jpg", 0.21 * one, "d")]
    warnings, _ = reference_warnings(reg, photos, 0.5, TODAY)
    [alike] = warnings
    assert "the register says they are twins" in alike


# --- staff matches are held to the public tolerance too (issues 12 and 19) ----------------------

def staff_register(*children: Child) -> Register:
    from photoaudit.core.models import StaffMember, StaffRegister

    jo = StaffMember("JS01", "Jo Smith", {p: True for p in PUBLIC}, True)
    return Register({c.child_id: c for c in children}, staff=StaffRegister({"JS01": jo}))


def staff_face(distance: float) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, BOX, None, distance, (Candidate("JS01", distance, staff=True),),
                     staff_id="JS01")


def test_a_loose_staff_match_never_clears_a_public_use() -> None:
    """A child who is not enrolled could be taken for a member of staff: a face counted as
    staff only because it is within the normal tolerance drops out of the children's check,
    so for a public use it needs the same closer likeness as a child's match."""
    v = judge(staff_register(), staff_face(0.45))
    assert {p: v.purposes[p] for p in INSIDE} == {p: ALLOWED for p in INSIDE}
    assert {p: v.purposes[p] for p in PUBLIC} == {p: REVIEW for p in PUBLIC}
    assert v.action is Action.KEEP and public_review(v)
    assert "Jo Smith (staff JS01)" in text(v) and "distance 0.45" in text(v)
    assert "confirm" in v.faces[0].caution


def test_a_close_staff_match_clears_public_uses_the_member_agreed_to() -> None:
    v = judge(staff_register(), staff_face(0.35))
    assert set(v.purposes.values()) == {ALLOWED}


def test_a_loose_staff_match_waits_in_the_review_queue_and_y_names_the_member() -> None:
    from photoaudit.operations.review import describe
    from photoaudit.store.decision_book import AuditFace

    v = judge(staff_register(), staff_face(0.45))
    face = v.faces[0]
    queued = AuditFace(Path("/t"), "p.jpg", 1, None, BOX, face.status, None, face.candidates, None,
                       counted=face.counts_for_consent, staff_id=face.staff_id, caution=face.caution)
    assert queued.needs_person
    assert "please confirm (type y if it is them)" in describe(queued, staff_register())[0]
    close = judge(staff_register(), staff_face(0.35)).faces[0]
    assert not AuditFace(Path("/t"), "p.jpg", 1, None, BOX, close.status, None, close.candidates, None,
                         counted=False, staff_id="JS01", caution=close.caution).needs_person


# --- one face per person per photo (issue 26) --------------------------------------------------

def test_one_child_on_two_faces_the_clearly_nearer_is_them_and_the_other_is_unknown() -> None:
    v = judge(register(child("c01"), child("c02")), matched("c01", 0.25), matched("c01", 0.45), matched("c02"))
    assert [f.status for f in v.faces] == [FaceStatus.MATCHED, FaceStatus.UNKNOWN, FaceStatus.MATCHED]
    assert v.faces[1].child_id is None
    assert "at most one" not in text(v)
    assert "Face 2 also looked like Child c01 (c01), but face 1 is clearly closer" in text(v)
    assert v.action is Action.REVIEW and set(v.purposes.values()) == {REVIEW}  # unknown: never cleared


def test_one_child_on_two_faces_the_child_refusing_a_use_withholds_it_with_the_other_face_unknown() -> None:
    v = judge(register(child("c01", no=("social_media",))), matched("c01", 0.45), matched("c01", 0.25))
    assert v.faces[0].status is FaceStatus.UNKNOWN and v.faces[1].child_id == "c01"
    assert v.purposes["social_media"] is WITHHELD and v.purposes["display"] is REVIEW


def test_one_child_on_two_faces_too_close_to_call_both_stay_for_a_person() -> None:
    v = judge(register(child("c01")), matched("c01", 0.30), matched("c01", 0.40))
    assert [f.status for f in v.faces] == [FaceStatus.MATCHED, FaceStatus.MATCHED]
    assert "at most one can be right" in text(v) and v.action is Action.REVIEW


def test_one_member_of_staff_on_two_faces_the_clearly_nearer_is_them() -> None:
    far = FaceMatch(FaceStatus.MATCHED, BOX, None, 0.45, (Candidate("JS01", 0.45, staff=True),), staff_id="JS01")
    v = judge(staff_register(), staff_face(0.25), far)
    assert v.faces[0].staff_id == "JS01" and v.faces[1].status is FaceStatus.UNKNOWN
    assert v.faces[1].staff_id is None and "at most one" not in text(v)
    assert "Face 2 also looked like Jo Smith (staff JS01)" in text(v)
    assert v.action is Action.REVIEW  # the other face could be a child


def test_one_child_matched_again_beside_the_face_a_person_named_is_unknown() -> None:
    from photoaudit.core.models import FaceDecision, PersonDecision

    named = replace(matched("c01", 0.4), decision=PersonDecision(FaceDecision.CHILD, "c01", "Jo"))
    v = judge(register(child("c01")), named, matched("c01", 0.2))
    assert v.faces[1].status is FaceStatus.UNKNOWN
    assert "a person named face 1 as Child c01 (c01)" in text(v)


def test_the_other_face_decided_by_a_person_clears_the_photo() -> None:
    from photoaudit.core.models import FaceDecision, PersonDecision

    other = replace(matched("c01", 0.45), decision=PersonDecision(FaceDecision.ADULT, by="Jo"))
    v = judge(register(child("c01")), matched("c01", 0.25), other)
    assert v.action is Action.KEEP and set(v.purposes.values()) == {ALLOWED}


def test_review_tells_why_a_face_another_face_was_clearly_closer_to_is_unknown() -> None:
    from photoaudit.operations.review import describe
    from photoaudit.store.decision_book import AuditFace

    v = judge(register(child("c01")), matched("c01", 0.25), matched("c01", 0.45))
    face = v.faces[1]
    queued = AuditFace(Path("/t"), "p.jpg", 2, None, BOX, face.status, None, face.candidates, None,
                       counted=face.counts_for_consent, caution=face.caution)
    assert queued.needs_person
    assert describe(queued, register(child("c01")))[0].startswith(
        "p.jpg, face 2: unknown: also looked like Child c01 (c01), but face 1 is clearly closer")
