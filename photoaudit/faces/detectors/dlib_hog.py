"""dlib's HOG face detector: fast, but misses small or turned faces; for comparison only."""

from __future__ import annotations

import importlib.util
from functools import cached_property
from typing import TYPE_CHECKING

from ...core.models import Box
from ..model_files import import_dlib, rect_box
from .interface import DEFAULT_MIN_SIDE, dlib_square

if TYPE_CHECKING:
    import numpy as np

    from .interface import Detection


class DlibHog:
    title = "dlib's HOG detector"
    min_side = DEFAULT_MIN_SIDE
    confidence = 0.4
    sure = None
    confirmed = 0.0
    look_side = 0
    name = "hog"
    smallest = 80
    words = "dlib's HOG detector: quick, but misses small and turned faces"

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("dlib") is not None

    @classmethod
    def unavailable(cls) -> str | None:
        return None if cls.available() else "dlib is not installed (package dlib-bin)"

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence  # HOG scores are not confidences: every detection counts

    @cached_property
    def _hog(self):  # noqa: ANN202 - dlib has no type stubs
        return import_dlib().get_frontal_face_detector()

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        rects, scores, _ = self._hog.run(pixels, 0, -0.2)
        return [(rect_box(r, pixels.shape), float(s)) for r, s in zip(rects, scores, strict=True)]

    def square(self, box: Box) -> tuple[float, float, float]:
        return dlib_square(box)
