"""Settings for one setting (nursery), with defaults that lean to the safe side."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .models import PURPOSES

#: A face is only ever a child when its distance to that child's nearest reference
#: template is at most this. face_recognition's own default is 0.6; we use a
#: stricter 0.5 because a wrong match can clear a photo, while a missed match only
#: sends it to a person.
DEFAULT_TOLERANCE = 0.5

#: ... and when it is at least this much nearer to that child than to any other
#: enrolled child. Closer calls are "ambiguous" and go to a person.
DEFAULT_MARGIN = 0.08


@dataclass(frozen=True)
class MatchSettings:
    """How strict face matching is."""

    tolerance: float = DEFAULT_TOLERANCE
    margin: float = DEFAULT_MARGIN

    def __post_init__(self) -> None:
        if not 0.0 < self.tolerance <= 1.0:
            raise ValueError(f"tolerance must be between 0 and 1, not {self.tolerance}")
        if not 0.0 <= self.margin < 1.0:
            raise ValueError(f"margin must be between 0 and 1, not {self.margin}")


@dataclass(frozen=True)
class Settings:
    """Everything an audit needs to know about the setting it runs for."""

    data_dir: Path = Path("consent_data")
    state_dir: Path | None = None  # default: <data_dir>/state
    match: MatchSettings = field(default_factory=MatchSettings)
    purposes: tuple[str, ...] = PURPOSES

    @property
    def register_path(self) -> Path:
        return self.data_dir / "children.csv"

    @property
    def faces_dir(self) -> Path:
        return self.data_dir / "faces"

    @property
    def state_path(self) -> Path:
        return self.state_dir if self.state_dir is not None else self.data_dir / "state"
