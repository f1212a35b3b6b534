"""Decide who a face is, failing closed: pure functions over face templates.

The enrolled mapping holds children's templates by child id and staff members' by
``staff:<staff_id>`` (:func:`photoaudit.core.models.staff_key`). Both are compared in one
pass with the same tolerance and margin, so a face close to a child and to a member of
staff is ambiguous (a person decides), never "staff": a child cannot drop out of the
consent check by looking like an adult.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .models import Box, Candidate, FaceDecision, FaceMatch, FaceStatus, staff_id_of
from .settings import MatchSettings

#: A face template: the 128 numbers dlib's face recognition model gives a face.
Template = np.ndarray


def nearest_children(
    template: Template, enrolled: Mapping[str, Sequence[Template]]
) -> tuple[Candidate, ...]:
    """Every enrolled child (and member of staff) with the distance to their nearest
    template, nearest first."""
    found = []
    for key, templates in enrolled.items():
        if len(templates) == 0:
            continue
        distances = np.linalg.norm(np.asarray(templates) - template, axis=1)
        distances = distances[np.isfinite(distances)]  # a corrupt template never matches
        if distances.size:
            staff_id = staff_id_of(key)
            found.append(Candidate(staff_id or key, float(distances.min()), staff=staff_id is not None))
    return tuple(sorted(found, key=lambda c: (c.distance, c.key)))


def match_face(
    template: Template,
    box: Box,
    enrolled: Mapping[str, Sequence[Template]],
    settings: MatchSettings,
) -> FaceMatch:
    """Match one face to a child only when it is close enough AND clearly closest.

    - nearest child farther than the tolerance: ``unknown``;
    - nearest child within tolerance, but another child within ``margin`` of it:
      ``ambiguous`` (both are listed as candidates);
    - otherwise ``matched``: to the child, or (``staff_id`` set, ``child_id`` None) to the
      member of staff. Children and staff are one pool, so "another" may be either.
    """
    if not np.all(np.isfinite(template)):  # a broken template is nobody
        return FaceMatch(FaceStatus.UNKNOWN, box)
    candidates = nearest_children(template, enrolled)[:3]
    if not candidates or not candidates[0].distance <= settings.tolerance:
        nearest = candidates[0].distance if candidates else None
        return FaceMatch(FaceStatus.UNKNOWN, box, None, nearest, candidates)
    best = candidates[0]
    def too_close(other: Candidate) -> bool:  # a tie is never a match, whatever the margin
        gap = other.distance - best.distance
        return gap < settings.margin or gap <= 0

    if len(candidates) > 1 and too_close(candidates[1]):
        close = (best, *(c for c in candidates[1:] if too_close(c)))
        return FaceMatch(FaceStatus.AMBIGUOUS, box, None, best.distance, close)
    if best.staff:
        return FaceMatch(FaceStatus.MATCHED, box, None, best.distance, candidates, staff_id=best.child_id)
    return FaceMatch(FaceStatus.MATCHED, box, best.child_id, best.distance, candidates)


@dataclass(frozen=True)
class Displaced:
    """A face that matched a person another face of the same photo is surely: it is not them.

    ``face`` and ``by`` are indexes into the photo's faces (0-based); ``by`` is the face that
    is the person (clearly closer, or named by a person in a review).
    """

    face: int
    by: int
    key: str  # the person both faces matched (``staff:<id>`` for staff)


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distance of each template (row) of ``a`` to each of ``b``: a ``len(a) x len(b)`` array,
    worked out a row of ``a`` at a time, so memory grows with that array and never with it
    times the templates' length (thousands of unknown faces, each 128 numbers)."""
    found = np.empty((len(a), len(b)))
    for i, template in enumerate(a):
        found[i] = np.linalg.norm(template - b, axis=1)
    return found


def one_face_each(faces: Sequence[FaceMatch], margin: float) -> tuple[Displaced, ...]:
    """One person is in a photo once: which faces matched to someone lose them to another face.

    Among the faces of one photo matched to the same child (or member of staff), a face a
    person decided is an adult or not a face aside:

    - one a person named in a review is that person; every face matching alone matched to
      them is displaced;
    - otherwise the nearest is that person only when it is at least ``margin`` nearer than
      every other, and the others are displaced (a distance not known displaces nothing);
    - otherwise nothing is displaced: they all stay matched, and the consent rules send
      the photo to a person ("at most one can be right").

    A displaced face is nobody photoaudit can name: an unknown face, never cleared.
    """
    by_key: dict[str, list[int]] = {}
    for i, face in enumerate(faces):
        named = face.decision is None or face.decision.kind in (FaceDecision.CHILD, FaceDecision.STAFF)
        if face.status is FaceStatus.MATCHED and face.key is not None and named:
            by_key.setdefault(face.key, []).append(i)
    found: list[Displaced] = []
    for key, indexes in sorted(by_key.items()):
        if len(indexes) < 2:
            continue
        decided = [i for i in indexes if faces[i].decision is not None]
        if decided:
            if len(decided) == 1:  # two named by people: their own question, left as it is
                found.extend(Displaced(i, decided[0], key) for i in indexes if i not in decided)
            continue
        nearest = sorted(indexes, key=lambda i: _distance_or_inf(faces[i]))
        best, second = (_distance_or_inf(faces[i]) for i in nearest[:2])
        if np.isfinite(second) and second - best >= margin and second - best > 0:
            found.extend(Displaced(i, nearest[0], key) for i in nearest[1:])
    return tuple(sorted(found, key=lambda d: d.face))


def _distance_or_inf(face: FaceMatch) -> float:
    distance = face.distance
    return float(distance) if distance is not None and np.isfinite(distance) else float("inf")
