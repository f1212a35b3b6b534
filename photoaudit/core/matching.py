"""Decide who a face is, failing closed: pure functions over face templates.

The enrolled mapping holds children's templates by child id and staff members' by
``staff:<staff_id>`` (:func:`photoaudit.core.models.staff_key`). Both are compared in one
pass with the same tolerance and margin, so a face close to a child and to a member of
staff is ambiguous (a person decides), never "staff": a child cannot drop out of the
consent check by looking like an adult.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .models import Box, Candidate, FaceMatch, FaceStatus, staff_id_of
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
