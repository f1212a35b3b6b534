"""Unknown faces grouped by likeness, so a person decides once per person, not once per face.

Faces that no enrolled child or member of staff matches come back week after week (a child
without face-matching permission, a supply teacher). Grouping them lets ``review``, the
decisions CSV and the HTML report ask one question per person. A group is a suggestion a
person confirms, never a decision, so the rule leans to the safe side: a group that mixes
two people would let one answer name the wrong person, while a person split into two
groups costs one more question.

- ``GroupRule.STRICT`` (the default): complete linkage. Two groups join only when *every*
  pair of their faces is within ``distance``, closest groups first; a face never joins a
  group through a chain of look-alikes.
- ``GroupRule.CHINESE_WHISPERS``: dlib's graph rule (each face takes the label most of its
  close neighbours have), kept to measure against (``bench/groups.py``); chains join
  people who only look alike pairwise.

Both: two faces of one photo are never in one group (the one clearly closer to the rest
stays, else neither); a face that fits two groups (within ``distance`` of every face of
each) stays alone; a face with no template is alone.
Pure functions over plain data: face keys, photo keys and templates as arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .matching import pairwise_distances

#: Faces of one person are grouped only this close (dlib's model: photos of one adult are
#: mostly below 0.4, different people mostly above 0.6). Stricter than the matching
#: tolerance (0.5): a group only suggests, and a mixed group is the expensive mistake.
DEFAULT_GROUP_DISTANCE = 0.4
#: How a group is named: u1, u2, ... (never reused for another group).
GROUP_PREFIX = "u"
#: Chinese whispers stops after this many rounds if labels still change.
WHISPER_ROUNDS = 50
#: Of two faces of one photo drawn into one group, one stays only when it is this much closer
#: (mean distance to the group's other faces) than the other: the matching margin (0.08).
CLEARLY_CLOSER = 0.08
#: Farther than any two templates can be: used for pairs that may never share a group.
APART = 1e9


class GroupRule(Enum):
    """How unknown faces are grouped."""

    STRICT = "strict"
    CHINESE_WHISPERS = "chinese-whispers"


@dataclass(frozen=True)
class UnknownFace:
    """A face no enrolled person matched: its key, the photo it is in, its template (or None)."""

    key: str
    photo: str  # faces with the same photo key never share a group
    template: np.ndarray | None


@dataclass(frozen=True)
class FaceGroup:
    """Faces that look like one person, under a stable id (``u1``)."""

    group_id: str
    faces: tuple[str, ...]  # face keys

    @property
    def size(self) -> int:
        return len(self.faces)


def distances(faces: Sequence[UnknownFace]) -> np.ndarray:
    """The n x n distances between faces; ``APART`` for a face with no template."""
    usable = [f.template is not None and bool(np.all(np.isfinite(f.template))) for f in faces]
    width = next((len(f.template) for f, ok in zip(faces, usable, strict=True) if ok), 1)  # type: ignore[arg-type]
    stack = np.array([f.template if ok else np.zeros(width) for f, ok in zip(faces, usable, strict=True)], dtype=float)
    found = pairwise_distances(stack, stack)
    ok = np.array(usable, dtype=bool)
    found[~ok[:, None] | ~ok[None, :]] = APART
    np.fill_diagonal(found, 0.0)
    return found


def strict_groups(apart: np.ndarray, distance: float) -> list[list[int]]:
    """Complete linkage: join the two closest groups while every pair of faces is within
    ``distance`` (a group's distance to another is its farthest pair). Run on each set of
    faces linked by close pairs on its own, so a week's hundreds of faces stay quick."""
    found: list[list[int]] = []
    for part in linked_parts(apart, distance):
        found += [[part[i] for i in g] for g in complete_linkage(apart[np.ix_(part, part)], distance)]
    return found


def linked_parts(apart: np.ndarray, distance: float) -> list[list[int]]:
    """The faces split into sets joined by chains of pairs within ``distance``."""
    parent = list(range(len(apart)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(apart <= distance, k=1)), strict=True):
        parent[root(int(i))] = root(int(j))
    parts: dict[int, list[int]] = {}
    for i in range(len(apart)):
        parts.setdefault(root(i), []).append(i)
    return list(parts.values())


def complete_linkage(apart: np.ndarray, distance: float) -> list[list[int]]:
    """Complete linkage on one linked set (indices into ``apart``)."""
    groups: list[list[int]] = [[i] for i in range(len(apart))]
    between = apart.astype(float)
    np.fill_diagonal(between, np.inf)
    alive = np.ones(len(groups), dtype=bool)
    while alive.sum() > 1:
        masked = np.where(alive[:, None] & alive[None, :], between, np.inf)
        a, b = np.unravel_index(int(np.argmin(masked)), masked.shape)
        if not masked[a, b] <= distance:
            break
        a, b = min(a, b), max(a, b)
        groups[a] += groups[b]
        groups[b] = []
        alive[b] = False
        between[a, :] = between[:, a] = np.maximum(between[a, :], between[b, :])
        between[a, a] = np.inf
    return [sorted(g) for g in groups if g]


def whisper_groups(apart: np.ndarray, distance: float) -> list[list[int]]:
    """Chinese whispers (dlib): faces within ``distance`` are linked (weight 1 - distance);
    in a fixed order, each face takes the label with the most weight among its links."""
    n = len(apart)
    labels = list(range(n))
    links = [[(j, 1.0 - apart[i, j]) for j in range(n) if j != i and apart[i, j] <= distance] for i in range(n)]
    for _ in range(WHISPER_ROUNDS):
        changed = False
        for i in range(n):
            if not links[i]:
                continue
            weight: dict[int, float] = {}
            for j, w in links[i]:
                weight[labels[j]] = weight.get(labels[j], 0.0) + w
            best = max(sorted(weight), key=lambda label: weight[label])
            if best != labels[i]:
                labels[i], changed = best, True
        if not changed:
            break
    found: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        found.setdefault(label, []).append(i)
    return list(found.values())


def without_clashes(group: list[int], faces: Sequence[UnknownFace], apart: np.ndarray,
                    margin: float = CLEARLY_CLOSER) -> list[int]:
    """A group never holds two faces of one photo: one person is in a photo once (a mirror or a
    poster aside). Of the faces of a photo that the group drew in, the one clearly closer to the
    group's other faces (by ``margin``, in mean distance) stays; when none is, all of them leave.
    Those that leave are groups of one: asked about on their own."""
    kept = list(group)
    for photo in {faces[i].photo for i in group}:
        here = [i for i in group if faces[i].photo == photo]
        if len(here) < 2:
            continue
        rest = [j for j in group if faces[j].photo != photo]
        if not rest:  # nothing else in the group to be closer to
            kept = [i for i in kept if i not in here]
            continue
        closeness = sorted((float(apart[i, rest].mean()), i) for i in here)
        stays = closeness[0][1] if closeness[1][0] - closeness[0][0] >= margin else None
        kept = [i for i in kept if i not in here or i == stays]
    return kept


def fits_two(groups: list[list[int]], apart: np.ndarray, distance: float) -> set[int]:
    """Faces of a group that are also within ``distance`` of every face of another group:
    they could be either person, so they stay alone."""
    if len(groups) < 2:
        return set()
    farthest = np.stack([apart[:, g].max(axis=1) for g in groups], axis=1)  # face x group
    doubtful = set()
    for g, group in enumerate(groups):
        for i in group:
            fits = farthest[i] <= distance
            fits[g] = False
            if fits.any():
                doubtful.add(i)
    return doubtful


def group_faces(
    faces: Sequence[UnknownFace], distance: float = DEFAULT_GROUP_DISTANCE, rule: GroupRule = GroupRule.STRICT
) -> list[tuple[str, ...]]:
    """Every face in exactly one group of face keys (a face alone is a group of one),
    largest first, then by the first face key: the same faces always give the same groups."""
    apart = distances(faces)
    found = strict_groups(apart, distance) if rule is GroupRule.STRICT else whisper_groups(apart, distance)
    found = [without_clashes(g, faces, apart) for g in found]
    placed = {i for g in found for i in g}
    found += [[i] for i in range(len(faces)) if i not in placed]  # left out by a split
    doubtful = fits_two([g for g in found if len(g) > 1], apart, distance)
    kept = [[i for i in g if i not in doubtful] for g in found]
    kept = [g for g in kept if g] + [[i] for i in sorted(doubtful)]
    keyed = [tuple(sorted(faces[i].key for i in g)) for g in kept]
    return sorted(keyed, key=lambda g: (-len(g), g[0]))


def number_groups(
    groups: Sequence[tuple[str, ...]], before: Mapping[str, str], next_number: int
) -> tuple[list[FaceGroup], int]:
    """Give each group an id: the id most of its faces had before (``before``: face key -> id),
    if no larger group took it first; otherwise a new one from ``next_number``. Returns the
    groups (largest first) and the next unused number, so an id is never given to another
    person's faces once its own are gone."""
    taken: set[str] = set()
    named: list[FaceGroup] = []
    for group in sorted(groups, key=lambda g: (-len(g), g[0])):
        votes: dict[str, int] = {}
        for key in group:
            if key in before:
                votes[before[key]] = votes.get(before[key], 0) + 1
        choices = sorted((v for v in votes if v not in taken), key=lambda v: (-votes[v], id_number(v)))
        if choices:
            group_id = choices[0]
        else:
            group_id, next_number = f"{GROUP_PREFIX}{next_number}", next_number + 1
        taken.add(group_id)
        named.append(FaceGroup(group_id, group))
    return named, max([next_number, *(id_number(g.group_id) + 1 for g in named)])


def id_number(group_id: str) -> int:
    """3 for ``u3``; 0 for anything that is not a group id."""
    digits = group_id[len(GROUP_PREFIX):]
    return int(digits) if group_id.startswith(GROUP_PREFIX) and digits.isdigit() else 0


def is_group_id(text: str) -> bool:
    """True for ``u3`` (any case): how a group is named in the decisions CSV and review."""
    text = text.strip().casefold()
    return text.startswith(GROUP_PREFIX) and text[len(GROUP_PREFIX):].isdigit() and id_number(text) > 0


#: A group named as a child (or member of staff) keeps only the faces this close to their
#: reference photos. Looser than the matching tolerance (0.5), which every face of a group of
#: unknown faces already failed; dlib's model puts different people mostly above 0.6.
DEFAULT_NAMED_DISTANCE = 0.6


def too_far(faces: Mapping[str, np.ndarray | None], references: Sequence[np.ndarray],
            distance: float = DEFAULT_NAMED_DISTANCE) -> set[str]:
    """The face keys farther than ``distance`` from every one of a person's reference
    templates, or with no template to compare: each is asked about on its own. With no
    reference templates at all (the person is not enrolled) nothing can be compared: none."""
    usable = [r for r in references if r is not None and np.all(np.isfinite(r))]
    if not usable:
        return set()
    refs = np.asarray(usable, dtype=float)
    far = set()
    for key, template in faces.items():
        if template is None or not np.all(np.isfinite(template)):
            far.add(key)
        elif not float(np.linalg.norm(refs - template, axis=1).min()) <= distance:
            far.add(key)
    return far
