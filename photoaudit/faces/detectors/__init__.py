"""Face detectors: one module each, one small interface, one registry.

Each detector is a class with the interface of :class:`~.interface.Detector`, in a module
of its own in this package. :data:`REGISTRY` names them; ``--detector``'s choices,
``photoaudit doctor`` and the engine all read it, so adding a detector is one new module
plus one line here. The registry names modules as text and imports a detector only when
it is used, so reading the choices (``photoaudit --help``) loads no detector library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interface import Detector

#: Detector name -> "module:class" in this package. The order is the order of preference
#: of ``auto``: the first one that is available on this machine.
REGISTRY: dict[str, str] = {
    "yunet": "yunet:YuNet",
    "cnn": "dlib_cnn:DlibCnn",
    "hog": "dlib_hog:DlibHog",
}

#: What ``auto`` may choose from, in order (hog misses small and turned faces: never chosen).
AUTO_ORDER: tuple[str, ...] = ("yunet", "cnn")

#: The names ``--detector`` and ``EngineSettings.detector`` accept.
DETECTORS: tuple[str, ...] = ("auto", *REGISTRY)


def detector_class(name: str) -> type[Detector]:
    """The class of the detector called ``name`` (one of :data:`REGISTRY`), imported now."""
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def resolve(name: str) -> str:
    """``auto`` -> the first available detector of :data:`AUTO_ORDER`; other names as they are."""
    if name != "auto":
        return name
    for candidate in AUTO_ORDER:
        if detector_class(candidate).available():
            return candidate
    return AUTO_ORDER[-1]
