"""The audit: files in a folder → faces → matches → verdicts.

The expensive part (decoding and face finding) is :func:`examine`; matching
and the consent rules are cheap and pure. The audit only reads: it never
moves, changes or deletes a photo, and writes nothing into the folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from .config import MatchSettings
from .engine import Face, FaceEngine
from .imaging import DEFAULT_MAX_PIXELS, UnreadablePhoto, load_photo
from .matching import match_face
from .models import PURPOSES, Action, FaceMatch, FaceStatus, PhotoFacts, PhotoVerdict, Register
from .policy import judge_photo
from .sources import MediaFile, MediaKind, iter_media


@dataclass(frozen=True)
class Examined:
    """What the engine saw in one file: its faces, or why it could not look."""

    relative: str
    faces: tuple[Face, ...] = ()
    problem: str | None = None


@dataclass
class AuditResult:
    """The verdicts for a folder, with when and where the audit ran."""

    folder: Path
    today: date
    verdicts: list[PhotoVerdict]
    generated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    warnings: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(v.action is action for v in self.verdicts)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "photos": len(self.verdicts),
            "keep": self.count(Action.KEEP),
            "delete": self.count(Action.DELETE),
            "review": self.count(Action.REVIEW),
        }

    @property
    def exit_code(self) -> int:
        """0 when nothing needs deleting or reviewing, 1 when something does."""
        return 1 if self.count(Action.DELETE) or self.count(Action.REVIEW) else 0


def examine(media: MediaFile, engine: FaceEngine, max_pixels: int = DEFAULT_MAX_PIXELS) -> Examined:
    """Find the faces in one file; an unreadable file becomes a problem, never an error."""
    if media.kind is MediaKind.VIDEO:
        return Examined(
            media.relative,
            problem="This is a video. photoaudit does not check videos yet, so a person must watch it.",
        )
    try:
        photo = load_photo(media.path, max_pixels=max_pixels)
    except UnreadablePhoto as err:
        if media.kind is MediaKind.OTHER:
            return Examined(
                media.relative,
                problem=f"This file is not a photo or video photoaudit can read. {err.reason}",
            )
        return Examined(media.relative, problem=err.reason)
    return Examined(media.relative, tuple(engine.find_faces(photo.pixels)))


def identify(
    examined: Examined,
    enrolled: Mapping[str, Sequence[np.ndarray]],
    match: MatchSettings,
) -> PhotoFacts:
    """Turn the faces found into matches against the enrolled children."""
    faces = []
    for face in examined.faces:
        if face.template is None:
            faces.append(FaceMatch(FaceStatus.UNKNOWN, face.box))
        else:
            faces.append(match_face(face.template, face.box, enrolled, match))
    return PhotoFacts(examined.relative, tuple(faces), examined.problem)


def audit_files(
    files: Iterable[MediaFile],
    engine: FaceEngine,
    register: Register,
    enrolled: Mapping[str, Sequence[np.ndarray]],
    today: date,
    match: MatchSettings,
    purposes: tuple[str, ...] = PURPOSES,
    on_file: Callable[[MediaFile], None] | None = None,
) -> list[PhotoVerdict]:
    """Examine, identify and judge each file in turn."""
    verdicts = []
    for media in files:
        examined = examine(media, engine)
        facts = identify(examined, enrolled, match)
        verdicts.append(judge_photo(facts, register, today, purposes))
        if on_file:
            on_file(media)
    return verdicts


def list_media(folder: Path, exclude: Iterable[Path] = ()) -> list[MediaFile]:
    """Every file the audit must give a verdict on."""
    return list(iter_media(folder, exclude=exclude))
