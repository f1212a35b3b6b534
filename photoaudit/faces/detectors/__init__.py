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

from .choice import DetectorChoice, choose_detector

if TYPE_CHECKING:
    from .interface import Detector

#: Detector name -> "module:class" in this package. The order is the order of preference
#: of ``auto``: the first one that is available on this machine.
REGISTRY: dict[str, str] = {
    "centerface": "centerface:CenterFace",
    "yunet": "yunet:YuNet",
    "cnn": "dlib_cnn:DlibCnn",
    "hog": "dlib_hog:DlibHog",
}

#: What ``auto`` may choose from, in order (docs/benchmarks.md, "Detectors": recall first,
#: then speed, then upkeep; hog misses small and turned faces: never chosen).
AUTO_ORDER: tuple[str, ...] = ("centerface", "yunet", "cnn")

#: The names ``--detector`` and ``EngineSettings.detector`` accept.
DETECTORS: tuple[str, ...] = ("auto", *REGISTRY)


def detector_class(name: str) -> type[Detector]:
    """The class of the detector called ``name`` (one of :data:`REGISTRY`), imported now."""
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def resolve(name: str) -> str:
    """``auto`` -> the first detector of :data:`AUTO_ORDER` that can run here; other names as
    they are, when they can run (else :class:`~.choice.DetectorUnavailable`, in plain words)."""
    return choose(name).name


def choose(name: str) -> DetectorChoice:
    """Which detector ``name`` ("auto" or a detector's name) runs here, and why
    (:mod:`.choice`); imports no detector library."""
    classes = {n: detector_class(n) for n in REGISTRY}
    missing = {n: None if c.available() else (c.unavailable() or "it cannot run here") for n, c in classes.items()}
    return choose_detector(name, AUTO_ORDER, missing, {n: c.title for n, c in classes.items()})


def explain(name: str) -> str:
    """One sentence: the detector ``name`` runs here, what it is like, and why it runs."""
    choice = choose(name)
    return choice.words(detector_class(choice.name).words)
