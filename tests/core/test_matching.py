"""Tests for face matching (photoaudit.core.matching): pure functions over numpy templates.

No images and no face engine: templates are hand-made 128-number vectors whose
distances are exact in binary floating point (0.125, 0.25, 0.375, 0.5, ...), so the
boundary tests really sit on the boundary.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from photoaudit.core.matching import match_face, nearest_children
from photoaudit.core.models import Candidate, FaceStatus
from photoaudit.core.settings import DEFAULT_MARGIN, DEFAULT_TOLERANCE, MatchSettings

BOX = (10, 60, 70, 5)
DIM = 128


def vec(*values: float) -> np.ndarray:
    """A template whose first components are ``values`` and the rest zero."""
    v = np.zeros(DIM)
    v[: len(values)] = values
    return v


def at(distance: float, axis: int = 0) -> np.ndarray:
    """A template exactly ``distance`` away from the origin, along one axis."""
    v = np.zeros(DIM)
    v[axis] = distance
    return v


PROBE = np.zeros(DIM)  # the face being matched sits at the origin
EXACT = MatchSettings(tolerance=0.5, margin=0.125)  # both exact in binary


def ids(candidates: tuple[Candidate, ...]) -> list[str]:
    return [c.child_id for c in candidates]


# --- defaults lean to the safe side --------------------------------------------------------

def test_defaults_are_stricter_than_face_recognition() -> None:
    settings = MatchSettings()
    assert settings.tolerance == DEFAULT_TOLERANCE == 0.5
    assert settings.margin == DEFAULT_MARGIN == 0.08
    assert settings.tolerance < 0.6  # face_recognition's own default


@pytest.mark.parametrize("tolerance", [0.0, -0.1, 1.01])
def test_bad_tolerance_is_refused(tolerance: float) -> None:
    with pytest.raises(ValueError):
        MatchSettings(tolerance=tolerance)


@pytest.mark.parametrize("margin", [-0.01, 1.0, 1.5])
def test_bad_margin_is_refused(margin: float) -> None:
    with pytest.raises(ValueError):
        MatchSettings(margin=margin)


# --- a clear match ---------------------------------------------------------------------

def test_single_enrolled_child_within_tolerance_is_matched() -> None:
    face = match_face(PROBE, BOX, {"C001": [at(0.25)]}, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.child_id == "C001"
    assert face.distance == 0.25
    assert face.box == BOX
    assert ids(face.candidates) == ["C001"]


def test_clear_winner_among_several_children_is_matched() -> None:
    enrolled = {"C002": [at(0.875, 1)], "C001": [at(0.125)], "C003": [at(0.75, 2)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.child_id == "C001"
    assert face.distance == 0.125
    # every candidate listed nearest first
    assert ids(face.candidates) == ["C001", "C003", "C002"]
    assert [c.distance for c in face.candidates] == [0.125, 0.75, 0.875]


def test_matched_with_default_settings() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.5, 1)]}
    face = match_face(PROBE, BOX, enrolled, MatchSettings())
    assert face.status is FaceStatus.MATCHED and face.child_id == "C001"


# --- tolerance boundary ----------------------------------------------------------------

def test_distance_exactly_at_tolerance_is_matched() -> None:
    face = match_face(PROBE, BOX, {"C001": [at(0.5)]}, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.child_id == "C001"
    assert face.distance == 0.5


def test_distance_exactly_at_default_tolerance_is_matched() -> None:
    face = match_face(PROBE, BOX, {"C001": [at(DEFAULT_TOLERANCE)]}, MatchSettings())
    assert face.status is FaceStatus.MATCHED


def test_distance_just_beyond_tolerance_is_unknown() -> None:
    just_over = float(np.nextafter(0.5, 1.0))
    face = match_face(PROBE, BOX, {"C001": [at(just_over)]}, EXACT)
    assert face.status is FaceStatus.UNKNOWN
    assert face.child_id is None
    assert face.distance == just_over


def test_beyond_tolerance_is_unknown_and_keeps_the_nearest_for_the_reviewer() -> None:
    enrolled = {"C001": [at(0.75)], "C002": [at(0.625, 1)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.UNKNOWN
    assert face.child_id is None
    assert face.distance == 0.625
    assert ids(face.candidates) == ["C002", "C001"]


def test_stricter_tolerance_turns_a_match_into_unknown() -> None:
    enrolled = {"C001": [at(0.375)]}
    assert match_face(PROBE, BOX, enrolled, MatchSettings(0.5, 0.08)).status is FaceStatus.MATCHED
    assert match_face(PROBE, BOX, enrolled, MatchSettings(0.25, 0.08)).status is FaceStatus.UNKNOWN


# --- margin boundary and ambiguity -----------------------------------------------------

def test_gap_exactly_equal_to_margin_is_matched() -> None:
    # 0.5 - 0.375 == 0.125 == margin exactly: the rule is gap >= margin
    enrolled = {"C001": [at(0.375)], "C002": [at(0.5, 1)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.child_id == "C001"


def test_gap_just_below_margin_is_ambiguous() -> None:
    second = float(np.nextafter(0.5, 0.0))
    enrolled = {"C001": [at(0.375)], "C002": [at(second, 1)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.AMBIGUOUS
    assert face.child_id is None


def test_ambiguous_lists_both_children_best_first() -> None:
    enrolled = {"C002": [at(0.3125, 1)], "C001": [at(0.25)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.AMBIGUOUS
    assert face.child_id is None
    assert face.distance == 0.25
    assert ids(face.candidates) == ["C001", "C002"]
    assert [c.distance for c in face.candidates] == [0.25, 0.3125]


def test_ambiguous_leaves_out_children_beyond_the_margin() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.3125, 1)], "C003": [at(0.5, 2)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.AMBIGUOUS
    assert ids(face.candidates) == ["C001", "C002"]


def test_ambiguous_lists_a_third_child_inside_the_margin() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.3125, 1)], "C003": [at(0.34375, 2)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.AMBIGUOUS
    assert ids(face.candidates) == ["C001", "C002", "C003"]


def test_second_child_beyond_tolerance_still_makes_a_close_call_ambiguous() -> None:
    # best is inside tolerance, runner-up just outside it but within the margin:
    # still too close to call (the rule only looks at the gap).
    enrolled = {"C001": [at(0.4375)], "C002": [at(0.5625, 1)]}
    face = match_face(PROBE, BOX, enrolled, MatchSettings(tolerance=0.5, margin=0.25))
    assert face.status is FaceStatus.AMBIGUOUS
    assert ids(face.candidates) == ["C001", "C002"]


def test_exact_tie_between_two_children_is_ambiguous() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.25, 1)]}
    face = match_face(PROBE, BOX, enrolled, MatchSettings())
    assert face.status is FaceStatus.AMBIGUOUS
    assert set(ids(face.candidates)) == {"C001", "C002"}


def test_default_margin_makes_a_close_call_ambiguous() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.3125, 1)]}  # gap 0.0625 < 0.08
    face = match_face(PROBE, BOX, enrolled, MatchSettings())
    assert face.status is FaceStatus.AMBIGUOUS


def test_exact_tie_is_never_matched_even_with_zero_margin() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.25, 1)]}
    face = match_face(PROBE, BOX, enrolled, MatchSettings(tolerance=0.5, margin=0.0))
    assert face.status is not FaceStatus.MATCHED


# --- several templates per child -------------------------------------------------------

def test_nearest_of_several_templates_counts() -> None:
    enrolled = {"C001": [at(0.875), at(0.25, 1), at(0.75, 2)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.distance == 0.25


def test_far_templates_of_a_child_do_not_hide_a_near_one() -> None:
    # C001's first template is far, but its second one is the nearest of all.
    enrolled = {"C001": [at(0.9375), at(0.125)], "C002": [at(0.375, 1)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.MATCHED
    assert face.child_id == "C001"
    assert face.distance == 0.125


def test_another_childs_extra_template_can_make_a_match_ambiguous() -> None:
    enrolled = {"C001": [at(0.25)], "C002": [at(0.75, 1)]}
    assert match_face(PROBE, BOX, enrolled, EXACT).status is FaceStatus.MATCHED
    enrolled["C002"] = [at(0.75, 1), at(0.3125, 2)]
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.AMBIGUOUS
    assert ids(face.candidates) == ["C001", "C002"]


def test_templates_as_a_2d_array_work_like_a_list() -> None:
    enrolled = {"C001": np.stack([at(0.75), at(0.25, 1)])}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.MATCHED and face.distance == 0.25


def test_nearest_children_reports_each_child_once_nearest_first() -> None:
    enrolled = {"C002": [at(0.5), at(0.375, 1)], "C001": [at(0.625), at(0.875, 2)]}
    found = nearest_children(PROBE, enrolled)
    assert found == (Candidate("C002", 0.375), Candidate("C001", 0.625))


def test_nearest_children_breaks_ties_by_id() -> None:
    enrolled = {"C002": [at(0.25)], "C001": [at(0.25, 1)]}
    assert ids(nearest_children(PROBE, enrolled)) == ["C001", "C002"]


def test_real_distance_is_euclidean() -> None:
    probe = vec(0.0, 0.0)
    template = vec(0.3, 0.4)  # a 3-4-5 triangle: distance 0.5
    face = match_face(probe, BOX, {"C001": [template]}, MatchSettings(tolerance=0.5))
    assert face.distance == pytest.approx(0.5)


# --- nobody enrolled -------------------------------------------------------------------

def test_no_enrolled_children_is_unknown() -> None:
    face = match_face(PROBE, BOX, {}, EXACT)
    assert face.status is FaceStatus.UNKNOWN
    assert face.child_id is None
    assert face.distance is None
    assert face.candidates == ()
    assert face.box == BOX


def test_children_with_no_templates_are_not_candidates() -> None:
    face = match_face(PROBE, BOX, {"C001": [], "C002": np.zeros((0, DIM))}, EXACT)
    assert face.status is FaceStatus.UNKNOWN
    assert face.candidates == ()


def test_child_with_no_templates_is_skipped_but_others_still_match() -> None:
    face = match_face(PROBE, BOX, {"C001": [], "C002": [at(0.25)]}, EXACT)
    assert face.status is FaceStatus.MATCHED and face.child_id == "C002"


# --- fail closed on broken numbers -------------------------------------------------------

def test_nan_probe_template_is_never_matched() -> None:
    probe = np.full(DIM, np.nan)
    enrolled = {"C001": [at(0.25)], "C002": [at(0.75, 1)]}
    face = match_face(probe, BOX, enrolled, EXACT)
    assert face.status is not FaceStatus.MATCHED


def test_nan_enrolled_template_does_not_capture_the_match() -> None:
    broken = np.full(DIM, np.nan)
    enrolled = {"C001": [broken], "C002": [at(0.25)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.child_id != "C001"


def test_infinite_distance_is_unknown() -> None:
    enrolled = {"C001": [np.full(DIM, np.inf)]}
    face = match_face(PROBE, BOX, enrolled, EXACT)
    assert face.status is FaceStatus.UNKNOWN


# --- property: the matcher's verdict follows the rule, over many random layouts ---------

@pytest.mark.parametrize("seed", range(5))
def test_random_layouts_follow_the_rule(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        tolerance = rng.choice([0.4, 0.5, 0.6])
        margin = rng.choice([0.02, 0.08, 0.15])
        settings = MatchSettings(tolerance, margin)
        probe = np.array([rng.uniform(-1, 1) for _ in range(DIM)]) * 0.05
        enrolled: dict[str, list[np.ndarray]] = {}
        for n in range(rng.randint(0, 5)):
            templates = []
            for _ in range(rng.randint(1, 3)):
                direction = np.array([rng.gauss(0, 1) for _ in range(DIM)])
                direction /= np.linalg.norm(direction)
                templates.append(probe + direction * rng.uniform(0.0, 0.9))
            enrolled[f"C{n:03d}"] = templates
        nearest = {
            cid: min(float(np.linalg.norm(t - probe)) for t in ts) for cid, ts in enrolled.items()
        }
        ranked = sorted(nearest.items(), key=lambda kv: (kv[1], kv[0]))
        face = match_face(probe, BOX, enrolled, settings)

        if not ranked or ranked[0][1] > tolerance:
            assert face.status is FaceStatus.UNKNOWN
            assert face.child_id is None
            continue
        best_id, best = ranked[0]
        gap = ranked[1][1] - best if len(ranked) > 1 else float("inf")
        if gap >= margin:
            assert face.status is FaceStatus.MATCHED
            assert face.child_id == best_id
            assert face.distance == pytest.approx(best)
        else:
            assert face.status is FaceStatus.AMBIGUOUS
            assert face.child_id is None
            assert ids(face.candidates)[:2] == [best_id, ranked[1][0]]
            assert all(c.distance - best < margin for c in face.candidates)
        # a match is never further than the tolerance, whatever happens
        if face.status is FaceStatus.MATCHED:
            assert face.distance is not None and face.distance <= tolerance


# --- one face per person per photo (issue 26) ------------------------------------------------

def face(child_id: str, distance: float | None, *, staff: bool = False, decided: bool = False):  # type: ignore[no-untyped-def]
    from photoaudit.core.models import FaceDecision, FaceMatch, PersonDecision

    decision = None
    if decided:
        decision = (PersonDecision(FaceDecision.STAFF, staff_id=child_id) if staff
                    else PersonDecision(FaceDecision.CHILD, child_id))
    if staff:
        return FaceMatch(FaceStatus.MATCHED, BOX, None, distance, (), staff_id=child_id, decision=decision)
    return FaceMatch(FaceStatus.MATCHED, BOX, child_id, distance, (), decision=decision)


def displaced(*faces, margin: float = 0.125) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    from photoaudit.core.matching import one_face_each

    return [(d.face, d.by) for d in one_face_each(faces, margin)]


def test_one_child_on_two_faces_the_clearly_nearer_is_them_and_the_other_displaced() -> None:
    assert displaced(face("C001", 0.5), face("C002", 0.25), face("C001", 0.25)) == [(0, 2)]


def test_one_child_on_two_faces_exactly_the_margin_apart_is_settled() -> None:
    assert displaced(face("C001", 0.375), face("C001", 0.25)) == [(0, 1)]


@pytest.mark.parametrize("second", [0.25, 0.3125, 0.3749])
def test_one_child_on_two_faces_closer_than_the_margin_displaces_nothing(second: float) -> None:
    assert displaced(face("C001", 0.25), face("C001", second)) == []


def test_a_distance_not_known_displaces_nothing() -> None:
    assert displaced(face("C001", 0.125), face("C001", None)) == []
    assert displaced(face("C001", None), face("C001", None)) == []
    assert displaced(face("C001", 0.125), face("C001", float("nan"))) == []


def test_three_faces_of_one_child_the_nearest_must_be_clear_of_the_second() -> None:
    assert displaced(face("C001", 0.5), face("C001", 0.125), face("C001", 0.375)) == [(0, 1), (2, 1)]
    assert displaced(face("C001", 0.5), face("C001", 0.125), face("C001", 0.1875)) == []


def test_staff_are_settled_the_same_way_and_never_mixed_with_a_child_of_the_same_id() -> None:
    assert displaced(face("S1", 0.5, staff=True), face("S1", 0.25, staff=True)) == [(0, 1)]
    assert displaced(face("S1", 0.5, staff=True), face("S1", 0.25)) == []


def test_a_face_a_person_named_is_the_child_whatever_the_distances() -> None:
    assert displaced(face("C001", 0.5, decided=True), face("C001", 0.125)) == [(1, 0)]
    # two faces named as one child by people: left to the consent rules ("at most one")
    assert displaced(face("C001", 0.5, decided=True), face("C001", 0.125, decided=True)) == []


def test_the_same_person_margin_is_never_looser_than_the_matching_margin() -> None:
    from photoaudit.core.safeguards import safeguards_for
    from photoaudit.core.settings import DEFAULT_PHOTO_MARGIN

    assert DEFAULT_PHOTO_MARGIN >= DEFAULT_MARGIN
    wide = MatchSettings(margin=0.3)
    assert safeguards_for(wide, frozenset(), {}).photo_margin == 0.3
    assert safeguards_for(MatchSettings(), frozenset(), {}).photo_margin == DEFAULT_PHOTO_MARGIN


def test_a_face_a_person_called_an_adult_names_nobody() -> None:
    from dataclasses import replace

    from photoaudit.core.models import FaceDecision, PersonDecision

    adult = replace(face("C001", 0.125), decision=PersonDecision(FaceDecision.ADULT))
    assert displaced(adult, face("C001", 0.5)) == []
