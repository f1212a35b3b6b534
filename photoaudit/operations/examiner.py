"""Who examines the files an audit has not seen before: this computer, or a cluster.

Examining a file (decoding it, finding its faces, computing their templates:
:func:`photoaudit.operations.examine.examine`) is the slow part of an audit and
depends only on the file's bytes and the engine and video settings. Everything
else (the register, the store, the verdicts, the reports, ``--apply``) stays
with the audit. :func:`photoaudit.operations.incremental.audit_with_memory`
hands the files to one :class:`Examiner` and stores each result as it comes back:

- :class:`photoaudit.operations.parallel.LocalPool`: worker processes on this
  computer (``--jobs``), the default;
- :class:`photoaudit.operations.cluster.ClusterExaminer`: the workers of a Dask
  cluster (``--cluster``, docs/groups.md, "Checking a whole archive on a cluster").

What every examiner promises (docs/rules.md "Every file gets a row"): ``on_done`` is
called exactly once for every file it was given, in any order, with what was found or
with the problem that stopped it (a file that keeps killing its worker is a problem
for a person, never a file left out); and it examines with exactly ``settings`` and
``video``, the settings the audit files the results under.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..core.settings import VideoSettings
    from ..faces.engine import EngineSettings
    from ..media.sources import MediaFile
    from .results import Examined

#: Called once per file with what was found in it.
OnDone = Callable[["MediaFile", "Examined"], None]


class Examiner(Protocol):
    """Examines files and reports each one as it finishes."""

    @property
    def settings(self) -> EngineSettings:
        """The engine settings every file is examined with."""
        ...

    @property
    def video(self) -> VideoSettings:
        """How videos are sampled."""
        ...

    def examine_all(self, files: Sequence[MediaFile], on_done: OnDone) -> None:
        """Examine every file, calling ``on_done`` exactly once for each (in any order)."""
        ...
