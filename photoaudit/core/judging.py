"""What judging a photo needs besides the photo: one value, made once per run.

The register, the enrolled templates, today, the matching settings, the setting's
purposes, the device register, the record rules, how videos are sampled and the
safeguards' facts travel together from the operations that start a run (audit, reaudit,
check) down to the rules, instead of as a dozen parameters through every function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .models import PURPOSES, DeviceRegister, RecordRules, Register
from .settings import MatchSettings, VideoSettings

if TYPE_CHECKING:
    from .safeguards import Safeguards


@dataclass(frozen=True)
class Judging:
    """Everything the rules judge a photo against (all plain values)."""

    register: Register
    today: date
    #: child id (or ``staff:<id>``) -> reference templates (128-number arrays)
    enrolled: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    match: MatchSettings = field(default_factory=MatchSettings)
    purposes: tuple[str, ...] = PURPOSES
    devices: DeviceRegister | None = None  # None: the setting keeps no device register (R6 unchecked)
    rules: RecordRules = field(default_factory=RecordRules)
    video: VideoSettings = field(default_factory=VideoSettings)
    guard: Safeguards | None = None  # look-alikes, twins, public uses (None: the strictest defaults)
