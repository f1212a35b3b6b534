"""dlib and the model files it reads, found on disk in the installed wheels, never downloaded.

The model files ship in ``face_recognition_models``; they are located without importing
that package (its import needs ``pkg_resources``, which new setuptools releases no longer
ship).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..core.errors import CannotRun

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
