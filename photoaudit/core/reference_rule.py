"""Which of one person's reference photos enrolment uses: a pure rule over their distances.

A reference photo that is not like the person's others is probably a misfiled photo of
someone else, and enrolling it would let that someone be matched as this child (docs/rules.md,
"No wrong cleared, ever"). So, over the distances between the photos' templates:

- two photos farther apart than the tolerance: there is no telling which one is wrong, so
  neither is used (:attr:`RefRuling.conflict`) until a person removes the wrong one or
  confirms that both show the child (``photoaudit enrol --confirm``);
- three or more: a photo whose median distance to the others is over ``max_self`` is
  rejected. When that leaves fewer than two, the photos that all agree with each other
  (within the tolerance) settle it, if exactly one largest such group of two or more
  exists: a third photo that agrees with one of two that disagree keeps those two, and
  the other is rejected. Otherwise it is a conflict, as for two;
- a person's confirmation of exactly these photos (:func:`confirmation_applies`) uses
  them all.

A distance that is not a number never agrees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from statistics import median

#: Beyond this many photos, the groups that agree are not searched (2^n subsets): a conflict.
MOST_SEARCHED = 12


class RefProblem(StrEnum):
    """Why a reference photo is not used."""

    UNLIKE_OTHERS = "unlike_others"  # unlike the person's other photos, which agree
    CONFLICT = "conflict"  # the photos disagree and nothing settles which is wrong: a person must


@dataclass(frozen=True)
class RefRuling:
    """The photos (by index) not used, and why; ``conflict``: a person can settle it."""

    rejected: Mapping[int, RefProblem]

    @property
    def conflict(self) -> bool:
        return RefProblem.CONFLICT in self.rejected.values()


def _agree(distance: float, tolerance: float) -> bool:
    return distance <= tolerance  # False for NaN


def rule_references(
    distances: Sequence[Sequence[float]], tolerance: float, max_self: float, confirmed: bool = False
) -> RefRuling:
    """Which photos to leave out, from the square matrix of distances between their templates."""
    n = len(distances)
    if confirmed or n < 2:
        return RefRuling({})
    if n == 2:
        if _agree(distances[0][1], tolerance):
            return RefRuling({})
        return RefRuling({0: RefProblem.CONFLICT, 1: RefProblem.CONFLICT})
    odd = {
        i for i in range(n)
        if not median(_or_inf(distances[i][j]) for j in range(n) if j != i) <= max_self
    }
    if n - len(odd) >= 2:
        return RefRuling(dict.fromkeys(sorted(odd), RefProblem.UNLIKE_OTHERS))
    group = agreeing_group(distances, tolerance)
    if group is None:
        return RefRuling(dict.fromkeys(range(n), RefProblem.CONFLICT))
    return RefRuling({i: RefProblem.UNLIKE_OTHERS for i in range(n) if i not in group})


def agreeing_group(distances: Sequence[Sequence[float]], tolerance: float) -> frozenset[int] | None:
    """The one largest group of two or more photos that all agree with each other, or None
    when there is none, or two as large (then nothing says which is the child)."""
    n = len(distances)
    if n > MOST_SEARCHED:
        return None
    for size in range(n, 1, -1):
        groups = [
            frozenset(g) for g in combinations(range(n), size)
            if all(_agree(distances[a][b], tolerance) for a, b in combinations(g, 2))
        ]
        if len(groups) == 1:
            return groups[0]
        if groups:
            return None
    return None


def _or_inf(distance: float) -> float:
    return distance if distance == distance else float("inf")  # NaN never agrees


def confirmation_applies(confirmed: Mapping[str, str], photos: Mapping[str, str]) -> bool:
    """A person's confirmation holds for exactly the photos they checked: the same names with
    the same contents (SHA-256); a photo added, removed or changed since undoes it."""
    return bool(confirmed) and dict(confirmed) == dict(photos)
