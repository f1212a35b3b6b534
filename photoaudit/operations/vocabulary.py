"""The few words of the layers below that the command line speaks: its exit codes
(``ExitStatus``), its "could not run" (``CannotRun``, ``BadValue``), the choices of its
options (``UnknownFaces``; ``DETECTORS``, ``--detector``'s; ``RENEW_WITHIN_DAYS``, ``--days``'s
default), and the settings' value
(``Settings``) it reads once and hands to each operation.

``cli/`` imports only ``cli/``, ``operations/`` and ``formats/`` (``tests/test_layers.py``);
these plain names are the shell's vocabulary, named here once rather than reached for below.
Nothing heavy is imported: ``--help`` and ``--version`` stay quick.
"""

from __future__ import annotations

from ..core.errors import BadValue, CannotRun
from ..core.exit_status import ExitStatus
from ..core.models import UnknownFaces
from ..core.renewals import RENEW_WITHIN_DAYS
from ..core.settings import Settings
from ..faces.detectors import DETECTORS

__all__ = ["DETECTORS", "RENEW_WITHIN_DAYS", "BadValue", "CannotRun", "ExitStatus", "Settings", "UnknownFaces"]
