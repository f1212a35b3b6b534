"""What an audit found and decided: the result types every report reads.

Kept apart from :mod:`photoaudit.operations.examine` (which loads the face engine), so the
report formats read an audit's result without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..core.dsl import DslSection
from ..core.exit_status import ExitStatus
from ..core.models import (
    PUBLIC_PURPOSES,
    Action,
    Face,
    MediaKind,
    MediaMeta,
    PhotoVerdict,
    VideoInfo,
)
from ..core.renewals import Renewal
from ..core.safeguards import public_review
from ..media.sources import Entry, Skipped


@dataclass(frozen=True)
class Examined:
    """What the engine saw in one file: its faces, or why it could not look."""

    relative: str
    faces: tuple[Face, ...] = ()
    problem: str | None = None
    kind: MediaKind = MediaKind.PHOTO
    meta: MediaMeta | None = None  # what the file says about itself; None if unreadable
    frames: tuple[tuple[float, tuple[Face, ...]], ...] | None = None  # videos: faces per sampled frame
    video: VideoInfo | None = None
    #: photos: the pictures inside the file (label, faces, why it could not be examined)
    inner: tuple[tuple[str, tuple[Face, ...], str | None], ...] = ()


@dataclass(frozen=True)
class IdentifyGroup:
    """Unknown faces of the audited folder that look like one person (``u3``): one question.

    ``faces`` are (photo, face number) as the reports show them; ``elsewhere`` counts the
    group's faces in other audited folders' latest audits."""

    group_id: str
    faces: tuple[tuple[str, int], ...]
    elsewhere: int = 0


@dataclass
class AuditResult:
    """The verdicts for a folder, with when and where the audit ran."""

    folder: Path
    today: date
    verdicts: list[PhotoVerdict]
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    warnings: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> content SHA-256
    cache: dict[str, int] | None = None  # files examined by the engine / reused from the store
    quarantined: list[dict] | None = None  # with --apply: what was moved where
    not_quarantined: list[dict] | None = None  # with --apply: each photo to delete left where it was, and why
    erased: list[dict] = field(default_factory=list)  # children whose face data was erased
    #: people whose face data is kept but whom the register does not list ({"id", "kind"}): not matched
    not_in_register: list[dict] = field(default_factory=list)
    takedown: int | None = None  # published copies today's register no longer allows (audits only)
    public: frozenset[str] = frozenset(PUBLIC_PURPOSES)  # the setting's public uses
    #: files the audit did not check, each with why (provably not photos; photoaudit's own)
    skipped: list[Skipped] = field(default_factory=list)
    #: relative path -> what it is on disk, for every row that is not a plain file (links, ...)
    entries: dict[str, Entry] = field(default_factory=dict)
    setting: str = ""  # the setting's name ([setting] name), for reports
    #: consents due for review within 30 days (audits only; None: not looked at, as in check)
    renewals: tuple[Renewal, ...] | None = None
    #: "For the DSL": what the week's files say about how the cameras were used (audits only)
    dsl: DslSection | None = None
    #: unknown faces grouped by likeness, largest first, every unknown face in one (audits
    #: only; None: not grouped, as in check)
    people_to_identify: list[IdentifyGroup] | None = None

    def count(self, action: Action) -> int:
        return sum(v.action is action for v in self.verdicts)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "photos": len(self.verdicts),
            "keep": self.count(Action.KEEP),
            "delete": self.count(Action.DELETE),
            "review": self.count(Action.REVIEW),
            "breaches": sum(bool(v.provenance and v.provenance.breach) for v in self.verdicts),
            "skipped": len(self.skipped),
            # kept, but a person must look before any public use (issue 12: the queue stays short)
            "public_review": sum(public_review(v, self.public) for v in self.verdicts),
        }

    @property
    def dsl_count(self) -> int:
        """How many findings the "For the DSL" section holds (0 where it was not made)."""
        return 0 if self.dsl is None else len(self.dsl.findings)

    @property
    def unchecked_folders(self) -> list[str]:
        """Sub-folders that could not be read: the photos in them were not checked."""
        return [path for path, entry in self.entries.items() if entry is Entry.FOLDER]

    @property
    def nothing_found(self) -> bool:
        """True when the folder held nothing to judge: no photo, video or other file got a row."""
        return not self.verdicts

    @property
    def exit_code(self) -> ExitStatus:
        """CLEAR when nothing needs deleting, reviewing or taking down, FINDINGS when something does,
        UNCHECKED when a sub-folder could not be read (its photos were not checked: the audit is
        incomplete), NOTHING_FOUND when the folder held nothing to check (never "all clear")."""
        if self.unchecked_folders:
            return ExitStatus.UNCHECKED
        if self.nothing_found:
            return ExitStatus.NOTHING_FOUND
        if self.count(Action.DELETE) or self.count(Action.REVIEW) or self.takedown or self.dsl_count:
            return ExitStatus.FINDINGS
        return ExitStatus.CLEAR
