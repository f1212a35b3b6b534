"""Settings for one setting (nursery), with defaults that lean to the safe side.

Plain frozen values: what ``photoaudit.toml`` can choose (read by
:mod:`photoaudit.setting.config`); everything left out keeps its default here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .dsl import DslRules
from .errors import BadValue
from .models import INTERNAL_PURPOSES, PUBLIC_PURPOSES, PURPOSES, RecordRules

#: A face is only ever a child when its distance to that child's nearest reference
#: template is at most this. face_recognition's own default is 0.6; we use a
#: stricter 0.5 because a wrong match can clear a photo, while a missed match only
#: sends it to a person.
DEFAULT_TOLERANCE = 0.5



#: ... and when it is at least this much nearer to that child than to any other
#: enrolled child. Closer calls are "ambiguous" and go to a person.
DEFAULT_MARGIN = 0.08



#: A public use (website, social media, ``[setting] public_purposes``) is cleared by a
#: match only this close. dlib's model puts photos of one adult mostly below 0.4 and
#: different people mostly above 0.6, and it mixes children up more; a wrong match on
#: Facebook cannot be taken back, while a needless "review" costs a minute.
DEFAULT_PUBLIC_TOLERANCE = 0.4



#: Enrolled brothers and sisters: the nearest must be this much nearer than the other
#: (siblings look alike more than other children: nearly twice the normal margin).
DEFAULT_SIBLING_MARGIN = 0.15



#: One child (or member of staff) matched to two faces of one photo: the nearer face is them,
#: and the other an unknown face, only when it is at least this much nearer; closer calls send
#: the photo to a person as before. The face that also matched is most likely someone who looks
#: like the child (in a nursery, a brother or sister), so this is the siblings' margin; measured
#: in docs/benchmarks.md ("One face per person per photo"). Never below ``margin``.
DEFAULT_PHOTO_MARGIN = DEFAULT_SIBLING_MARGIN



#: A face matched to a child younger than this (months) never clears a public use by
#: matching alone: published results find face recognition far less reliable for
#: infants and toddlers, and dlib's documentation says its model mixes children up.
DEFAULT_PUBLIC_MIN_AGE_MONTHS = 24



@dataclass(frozen=True)
class MatchSettings:
    """How strict face matching is."""

    tolerance: float = DEFAULT_TOLERANCE
    margin: float = DEFAULT_MARGIN
    public_tolerance: float = DEFAULT_PUBLIC_TOLERANCE  # never above ``tolerance`` in effect
    sibling_margin: float = DEFAULT_SIBLING_MARGIN
    public_min_age_months: int = DEFAULT_PUBLIC_MIN_AGE_MONTHS

    def __post_init__(self) -> None:
        if not 0.0 < self.tolerance <= 1.0:
            raise BadValue(f"tolerance must be between 0 and 1, not {self.tolerance}")
        if not 0.0 <= self.margin < 1.0:
            raise BadValue(f"margin must be between 0 and 1, not {self.margin}")
        if not 0.0 < self.public_tolerance <= 1.0:
            raise BadValue(f"public_tolerance must be between 0 and 1, not {self.public_tolerance}")
        if not 0.0 <= self.sibling_margin < 1.0:
            raise BadValue(f"sibling_margin must be between 0 and 1, not {self.sibling_margin}")

    @property
    def public(self) -> float:
        """The tolerance in effect for public uses: never looser than the normal one."""
        return min(self.public_tolerance, self.tolerance)



@dataclass(frozen=True)
class Settings:
    """Everything an audit needs to know about the setting it runs for."""

    data_dir: Path = Path("consent_data")
    state_dir: Path | None = None  # default: <data_dir>/state
    match: MatchSettings = field(default_factory=MatchSettings)
    purposes: tuple[str, ...] = PURPOSES
    #: Uses that show photos to the public besides website and social_media
    #: (``[setting] public_purposes``): the stricter rules of docs/rules.md apply to them.
    public_purposes: tuple[str, ...] = ()
    name: str = ""  # the setting's name, for reports
    records: RecordRules = field(default_factory=RecordRules)
    video: VideoSettings = field(default_factory=lambda: VideoSettings())
    config_path: Path | None = None  # the photoaudit.toml these came from, if any
    #: opening hours and days, closed dates, the DSL checks switched off ([setting], [dsl])
    dsl: DslRules = field(default_factory=DslRules)
    quarantine_dir: Path | None = None  # default: <data_dir>/quarantine
    reports_dir: Path | None = None  # default: <state>/reports
    log_file: Path | None = None  # default: <state>/photoaudit.log
    reports_months: int = 12  # dated reports and log lines older than this are removed ([retention])
    #: internal purposes that need staff consent too ([staff] consent_needed_for)
    staff_consent_for: tuple[str, ...] = ()
    #: where new photos are examined: a Dask cluster ([cluster]), or None for this computer
    cluster: ClusterSettings = field(default_factory=lambda: ClusterSettings())

    @property
    def staff_purposes(self) -> tuple[str, ...]:
        """The purposes every member of staff in a photo must have agreed to: the public ones,
        and the internal ones listed in ``[staff] consent_needed_for``."""
        return tuple(p for p in self.purposes
                     if p not in INTERNAL_PURPOSES or p in self.staff_consent_for)

    @property
    def staff_register_path(self) -> Path:
        return self.data_dir / "staff.csv"

    @property
    def staff_dir(self) -> Path:
        """Reference photos of staff who agreed to face matching: staff/<staff_id>/."""
        return self.data_dir / "staff"

    @property
    def public(self) -> frozenset[str]:
        """Every public use this setting has: website, social_media and its own."""
        return frozenset(p for p in (*PUBLIC_PURPOSES, *self.public_purposes) if p in self.purposes)

    @property
    def devices_path(self) -> Path:
        return self.data_dir / "devices.csv"

    @property
    def register_path(self) -> Path:
        return self.data_dir / "children.csv"

    @property
    def faces_dir(self) -> Path:
        return self.data_dir / "faces"

    @property
    def state_path(self) -> Path:
        return self.state_dir if self.state_dir is not None else self.data_dir / "state"

    @property
    def quarantine_path(self) -> Path:
        """Where ``--apply`` moves photos that must not be kept (outside any transfer folder)."""
        return self.quarantine_dir if self.quarantine_dir is not None else self.data_dir / "quarantine"

    @property
    def reports_path(self) -> Path:
        """Where every audit run leaves its dated JSON report."""
        return self.reports_dir if self.reports_dir is not None else self.state_path / "reports"

    @property
    def log_path(self) -> Path:
        return self.log_file if self.log_file is not None else self.state_path / "photoaudit.log"



@dataclass(frozen=True)
class ClusterSettings:
    """``[cluster]``: a Dask cluster that examines the new photos of an audit (docs/groups.md,
    "Checking a whole archive on a cluster"); without an address, this computer does."""

    address: str | None = None  # the scheduler's, e.g. "tcp://10.0.0.5:8786"
    send_bytes: bool = False  # send each photo's bytes: the workers need not see the folder


@dataclass(frozen=True)
class VideoSettings:
    """How videos are looked at: one frame every ``sample_every`` seconds, at most
    ``max_samples`` frames (a longer video is sampled more thinly, and the report says so)."""

    sample_every: float = 1.0
    max_samples: int = 300
