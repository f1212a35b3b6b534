"""The few words of the core the command line speaks: its exit codes, its "could not run",
and the choices of its options.

``cli/`` imports only ``cli/``, ``operations/`` and ``formats/`` (``tests/test_layers.py``);
these plain types are the shell's vocabulary, so they are named here once rather than
reached for in ``core/``. Nothing heavy is imported: ``--help`` stays quick.
"""

from __future__ import annotations

from ..core.errors import BadValue, CannotRun
from ..core.exit_status import ExitStatus
from ..core.models import UnknownFaces

__all__ = ["BadValue", "CannotRun", "ExitStatus", "UnknownFaces"]
