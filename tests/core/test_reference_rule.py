"""Which of one person's reference photos enrolment uses (photoaudit.core.reference_rule), on
plain distance matrices: the tolerance 0.5, a photo unlike the others over 0.55."""

from __future__ import annotations

import pytest

from photoaudit.core.reference_rule import (
    RefProblem,
    agreeing_group,
    confirmation_applies,
    rule_references,
)

TOL, MAX_SELF = 0.5, 0.55
NAN = float("nan")


def matrix(*pairs: tuple[int, int, float], n: int) -> list[list[float]]:
    d = [[0.0] * n for _ in range(n)]
    for a, b, value in pairs:
        d[a][b] = d[b][a] = value
    return d


def rejected(d: list[list[float]], confirmed: bool = False) -> dict[int, RefProblem]:
    return dict(rule_references(d, TOL, MAX_SELF, confirmed).rejected)


def test_two_photos_that_agree_are_both_used() -> None:
    assert rejected(matrix((0, 1, 0.5), n=2)) == {}


@pytest.mark.parametrize("distance", [0.51, 0.9, NAN])
def test_two_photos_that_disagree_are_a_conflict_a_person_settles(distance: float) -> None:
    d = matrix((0, 1, distance), n=2)
    assert rejected(d) == {0: RefProblem.CONFLICT, 1: RefProblem.CONFLICT}
    assert rule_references(d, TOL, MAX_SELF).conflict
    assert rejected(d, confirmed=True) == {}


def test_a_third_photo_agreeing_with_one_of_two_settles_it() -> None:
    """Each one's median distance is over 0.55 (so the median rule alone rejected all three)."""
    d = matrix((0, 1, 0.86), (0, 2, 0.42), (1, 2, 0.80), n=3)
    assert rejected(d) == {1: RefProblem.UNLIKE_OTHERS}
    assert not rule_references(d, TOL, MAX_SELF).conflict


def test_a_third_photo_agreeing_with_both_settles_nothing() -> None:
    d = matrix((0, 1, 0.9), (0, 2, 0.45), (1, 2, 0.45), n=3)  # two groups of two, as large
    assert agreeing_group(d, TOL) is None
    # medians 0.675, 0.675, 0.45: one photo left by the median rule, and no one group: a conflict
    assert rejected(d) == dict.fromkeys(range(3), RefProblem.CONFLICT)


def test_three_photos_none_agreeing_are_a_conflict() -> None:
    d = matrix((0, 1, 0.9), (0, 2, 0.8), (1, 2, 0.7), n=3)
    assert set(rejected(d).values()) == {RefProblem.CONFLICT} and len(rejected(d)) == 3


def test_one_photo_unlike_several_that_agree_is_rejected_as_before() -> None:
    d = matrix((0, 1, 0.3), (0, 2, 0.3), (1, 2, 0.3), (0, 3, 0.9), (1, 3, 0.9), (2, 3, 0.9), n=4)
    assert rejected(d) == {3: RefProblem.UNLIKE_OTHERS}


def test_a_person_s_check_holds_for_exactly_those_files() -> None:
    checked = {"c01/a.jpg": "11", "c01/b.jpg": "22"}
    assert confirmation_applies(checked, dict(checked))
    assert not confirmation_applies(checked, {"c01/a.jpg": "11", "c01/b.jpg": "33"})  # edited
    assert not confirmation_applies(checked, {"c01/a.jpg": "11"})  # removed
    assert not confirmation_applies(checked, {**checked, "c01/c.jpg": "44"})  # added
    assert not confirmation_applies({}, {})
