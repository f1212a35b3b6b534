"""Scoring detections against the corpus's ground truth: pure functions, no images.

Boxes here are (left, top, right, bottom) in upright (displayed) pixels unless
a name says otherwise. photoaudit's JSON report gives (top, right, bottom,
left), dlib's order; :func:`from_trbl` converts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .corpus import FaceTruth, PhotoTruth, band_of

Box = tuple[float, float, float, float]  # left, top, right, bottom


def from_trbl(box: Sequence[float]) -> Box:
    top, right, bottom, left = box
    return (left, top, right, bottom)


def stored_to_upright(box: Box, orientation: int, stored_size: tuple[int, int]) -> Box:
    """A box in the pixels as stored in the file, moved to the upright photo (EXIF 1, 3, 6, 8)."""
    width, height = stored_size

    def point(x: float, y: float) -> tuple[float, float]:
        if orientation == 6:  # stored turned 90° anticlockwise: turn clockwise to show
            return height - y, x
        if orientation == 8:
            return y, width - x
        if orientation == 3:
            return width - x, height - y
        return x, y

    (x0, y0), (x1, y1) = point(box[0], box[1]), point(box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def same_face(truth: FaceTruth, box: Box) -> bool:
    """A detection is this face when each box holds the other's centre and the sizes agree.

    Detectors frame faces differently (dlib's HOG tight, YuNet tall), so this is
    looser than an overlap threshold but still never pairs two neighbours.
    """
    tx, ty = (truth.left + truth.right) / 2, (truth.top + truth.bottom) / 2
    dx, dy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    width = box[2] - box[0]
    return (
        truth.left <= dx <= truth.right
        and truth.top <= dy <= truth.bottom
        and box[0] <= tx <= box[2]
        and box[1] <= ty <= box[3]
        and 0.5 <= width / max(1, truth.width) <= 2.0
    )


def pair_up(truths: Sequence[FaceTruth], boxes: Sequence[Box]) -> dict[int, int]:
    """Each true face (index) to at most one detection (index), nearest centres first."""
    candidates = []
    for i, truth in enumerate(truths):
        tx, ty = (truth.left + truth.right) / 2, (truth.top + truth.bottom) / 2
        for j, box in enumerate(boxes):
            if same_face(truth, box):
                distance = ((box[0] + box[2]) / 2 - tx) ** 2 + ((box[1] + box[3]) / 2 - ty) ** 2
                candidates.append((distance, i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(candidates):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


#: What happened to one true face.
FOUND_RIGHT = "identified"  # found and given the right child
FOUND_WRONG = "wrong child"  # found and given another child: the dangerous error
FOUND_UNSURE = "to a person"  # found, but unknown or ambiguous: a person looks
MISSED = "missed"


@dataclass(frozen=True)
class Detection:
    box: Box
    #: The child ids the tool named for this face: one for a match, several
    #: when ambiguous, none when unknown.
    named: tuple[str, ...]


def outcome(truth: FaceTruth, detection: Detection | None) -> str:
    if detection is None:
        return MISSED
    if detection.named == (truth.identity,):
        return FOUND_RIGHT
    if len(detection.named) == 1:
        return FOUND_WRONG
    return FOUND_UNSURE


@dataclass
class Score:
    """Outcomes of every true face, by photo kind and size band, and spare detections."""

    outcomes: dict[tuple[str, str], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    extra_detections: int = 0

    def add(self, photo: PhotoTruth, detections: Sequence[Detection]) -> None:
        pairs = pair_up(photo.faces, [d.box for d in detections])
        for i, truth in enumerate(photo.faces):
            found = detections[pairs[i]] if i in pairs else None
            self.outcomes[(photo.kind, band_of(truth.width))][outcome(truth, found)] += 1
        self.extra_detections += len(detections) - len(pairs)

    def count(self, kinds: Iterable[str] | None = None, bands: Iterable[str] | None = None,
              what: Iterable[str] | None = None) -> int:
        kinds, bands = set(kinds or []), set(bands or [])
        total = 0
        for (kind, band), counts in self.outcomes.items():
            if (not kinds or kind in kinds) and (not bands or band in bands):
                total += sum(n for o, n in counts.items() if what is None or o in set(what))
        return total

    def recall(self, kinds: Iterable[str] | None = None, bands: Iterable[str] | None = None) -> float | None:
        kinds, bands = list(kinds or []), list(bands or [])
        total = self.count(kinds, bands)
        if not total:
            return None
        return 1 - self.count(kinds, bands, [MISSED]) / total
