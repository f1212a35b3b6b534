"""dlib's MMOD CNN face detector: every platform dlib-bin supports; the last resort.

Seconds to a minute a photo and gigabytes of memory (issue 17 measured 33-76 s and 3.3 GB
on one 12-megapixel photo), so ``auto`` takes it only where neither CenterFace nor YuNet
can run, and then the audit limits its workers by the free memory and says why it is slow
(:mod:`photoaudit.operations.memory_limit`).
"""

from __future__ import annotations

import importlib.util
from functools import cached_property
from typing import TYPE_CHECKING

from ...core.models import Box
from ..model_files import import_dlib, models_dir, rect_box
from .interface import DEFAULT_MIN_SIDE, dlib_square

if TYPE_CHECKING:
    import numpy as np

    from .interface import Detection


class DlibCnn:
    title = "dlib's CNN detector"
    min_side = DEFAULT_MIN_SIDE
    confidence = 0.4
    sure = None
    confirmed = 0.0
    look_side = 0
    name = "cnn"
    smallest = 40
    words = ("dlib's CNN detector, the last resort: much slower (up to a minute a photo) and it needs "
             "about 3.5 GB of memory for each photo checked at once")

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("dlib") is not None

    @classmethod
    def unavailable(cls) -> str | None:
        return None if cls.available() else "dlib is not installed (package dlib-bin)"

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence

    @cached_property
    def _cnn(self):  # noqa: ANN202 - dlib has no type stubs
        return import_dlib().cnn_face_detection_model_v1(str(models_dir() / "mmod_human_face_detector.dat"))

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        return [
            (rect_box(d.rect, pixels.shape), min(1.0, max(0.0, float(d.confidence))))
            for d in self._cnn(pixels, 0)
            if d.confidence >= self.min_confidence - 0.5
        ]

    def square(self, box: Box) -> tuple[float, float, float]:
        return dlib_square(box)
