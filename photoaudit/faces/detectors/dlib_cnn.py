"""dlib's MMOD CNN face detector: every platform dlib-bin supports. Slower than YuNet."""

from __future__ import annotations

import importlib.util
from functools import cached_property

import numpy as np

from ...core.models import Box
from ..model_files import import_dlib, models_dir, rect_box
from .interface import dlib_square


class DlibCnn:
    name = "cnn"
    smallest = 40
    words = "dlib's CNN detector (no YuNet package for this platform): slower, same rules"

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("dlib") is not None

    def __init__(self, min_confidence: float) -> None:
        self.min_confidence = min_confidence

    @cached_property
    def _cnn(self):  # noqa: ANN202 - dlib has no type stubs
        return import_dlib().cnn_face_detection_model_v1(str(models_dir() / "mmod_human_face_detector.dat"))

    def detect(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        return [
            (rect_box(d.rect, pixels.shape), min(1.0, max(0.0, float(d.confidence))))
            for d in self._cnn(pixels, 0)
            if d.confidence >= self.min_confidence - 0.5
        ]

    def square(self, box: Box) -> tuple[float, float, float]:
        return dlib_square(box)
