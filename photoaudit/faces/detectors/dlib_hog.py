"""dlib's HOG face detector: fast, but misses small or turned faces; for comparison only."""

from __future__ import annotations

import importlib.util
from functools import cached_property

import numpy as np

from ...core.models import Box
from ..model_files import import_dlib, rect_box
from .interface import dlib_square


class DlibHog:
    name = "hog"
    smallest = 80
    words = "dlib's HOG detector: quick, but misses small and turned faces"

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("dlib") is not None

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence  # HOG scores are not confidences: every detection counts

    @cached_property
    def _hog(self):  # noqa: ANN202 - dlib has no type stubs
        return import_dlib().get_frontal_face_detector()

    def detect(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        rects, scores, _ = self._hog.run(pixels, 0, -0.2)
        return [(rect_box(r, pixels.shape), float(s)) for r, s in zip(rects, scores)]

    def square(self, box: Box) -> tuple[float, float, float]:
        return dlib_square(box)
