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

from ..core.exit_codes import ExitCode
from ..core.settings import MatchSettings, VideoSettings
from ..core.cover import add_cover_notes
from ..core.models import Face
from ..faces.engine import FaceEngine
from ..media.imaging import DEFAULT_MAX_PIXELS, UnreadablePhoto, load_photo
from ..core.matching import match_face
from ..media.metadata import modified_time, parse_exif
from ..media.inner import inner_verdict
from ..core.models import (
    PUBLIC_PURPOSES,
    PURPOSES,
    Action,
    FaceMatch,
    FaceStatus,
    InnerPicture,
    PhotoFacts,
    PhotoVerdict,
    Use,
)
from ..core.consent import consent_verdict
from ..core.safeguards import public_review
from ..core.provenance import MediaMeta, VideoInfo, provenance_verdict
from ..media.sources import (
    THUMBNAIL_CACHE_WORDS,
    Entry,
    Listing,
    MediaFile,
    MediaKind,
    Skipped,
    unopened_problem,
    walk,
)
from ..media.video import SeenFace, UnreadableVideo, VideoFrames, combine, read_video_meta
from ..core.judging import Judging
from ..core.renewals import Renewal


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


@dataclass
class AuditResult:
    """The verdicts for a folder, with when and where the audit ran."""

    folder: Path
    today: date
    verdicts: list[PhotoVerdict]
    generated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    warnings: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> content SHA-256
    cache: dict[str, int] | None = None  # files examined by the engine / reused from the store
    quarantined: list[dict] | None = None  # with --apply: what was moved where
    erased: list[dict] = field(default_factory=list)  # children whose face data was erased
    takedown: int | None = None  # published copies today's register no longer allows (audits only)
    public: frozenset[str] = frozenset(PUBLIC_PURPOSES)  # the setting's public uses
    #: files the audit did not check, each with why (provably not photos; photoaudit's own)
    skipped: list[Skipped] = field(default_factory=list)
    #: relative path -> what it is on disk, for every row that is not a plain file (links, ...)
    entries: dict[str, Entry] = field(default_factory=dict)
    setting: str = ""  # the setting's name ([setting] name), for reports
    #: consents due for review within 30 days (audits only; None: not looked at, as in check)
    renewals: tuple[Renewal, ...] | None = None

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
    def unchecked_folders(self) -> list[str]:
        """Sub-folders that could not be read: the photos in them were not checked."""
        return [path for path, entry in self.entries.items() if entry is Entry.FOLDER]

    @property
    def nothing_found(self) -> bool:
        """True when the folder held nothing to judge: no photo, video or other file got a row."""
        return not self.verdicts

    @property
    def exit_code(self) -> ExitCode:
        """CLEAR when nothing needs deleting, reviewing or taking down, FINDINGS when something does,
        UNCHECKED when a sub-folder could not be read (its photos were not checked: the audit is
        incomplete), NOTHING_FOUND when the folder held nothing to check (never "all clear")."""
        if self.unchecked_folders:
            return ExitCode.UNCHECKED
        if self.nothing_found:
            return ExitCode.NOTHING_FOUND
        findings = self.count(Action.DELETE) or self.count(Action.REVIEW) or self.takedown
        return ExitCode.FINDINGS if findings else ExitCode.CLEAR


def examine(
    media: MediaFile,
    engine: FaceEngine,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    video: VideoSettings = VideoSettings(),
) -> Examined:
    """Find the faces in one file; an unreadable file becomes a problem, never an error.

    Only regular files are opened (links, pipes and devices are problems); a thumbnail
    cache is not looked into (:func:`file_verdict` flags it for deletion).
    """
    problem = unopened_problem(media)
    if problem is not None:
        return Examined(media.relative, problem=problem, kind=MediaKind.OTHER)
    if media.entry is Entry.THUMBNAIL_CACHE:
        return Examined(media.relative, kind=MediaKind.OTHER)
    if media.kind is MediaKind.VIDEO:
        return examine_video(media, engine, video)
    try:
        # The reduced copy for detection is made during decoding, where it is cheapest.
        photo = load_photo(media.path, max_pixels=max_pixels, detect_scale=engine.detection_scale, inner=True)
    except UnreadablePhoto as err:
        if media.kind is MediaKind.OTHER:
            return Examined(
                media.relative,
                problem=f"This file is not a photo or video photoaudit can read. {err.reason}",
            )
        return Examined(media.relative, problem=err.reason)
    meta = parse_exif(photo.exif, modified_time(media.path))
    faces = tuple(engine.find_faces(photo.pixels, photo.reduced))
    inner = tuple(  # the pictures inside the file, examined like the main one (photoaudit.media.inner)
        (found.label, () if found.pixels is None else tuple(engine.find_faces(found.pixels)), found.problem)
        for found in photo.inner
    )
    return Examined(media.relative, faces, meta=meta, inner=inner)


def examine_video(media: MediaFile, engine: FaceEngine, settings: VideoSettings) -> Examined:
    """Find the faces in a video's sampled frames; a video that breaks off is a problem."""
    meta = read_video_meta(media.path)
    reader = VideoFrames(media.path, settings)
    frames: list[tuple[float, tuple[Face, ...]]] = []
    problem = None
    try:
        for seconds, pixels in reader.frames():
            frames.append((seconds, tuple(engine.find_faces(pixels))))
    except UnreadableVideo as err:
        problem = err.reason
    return Examined(
        media.relative, problem=problem, kind=MediaKind.VIDEO, meta=meta, frames=tuple(frames), video=reader.info
    )


def identify(
    examined: Examined,
    enrolled: Mapping[str, Sequence[np.ndarray]],
    match: MatchSettings,
) -> PhotoFacts:
    """Turn the faces found into matches against the enrolled children."""

    def one(face: Face) -> FaceMatch:
        if face.template is None:
            return FaceMatch(FaceStatus.UNKNOWN, face.box)
        return match_face(face.template, face.box, enrolled, match)

    if examined.frames is not None:  # a video: everyone seen across its frames
        seen = [
            SeenFace(index, seconds, one(face), face.template)
            for index, (seconds, faces) in enumerate(examined.frames)
            for face in faces
        ]
        return PhotoFacts(examined.relative, combine(seen, match), examined.problem, taken=taken_day(examined))
    inner = tuple(
        InnerPicture(label, tuple(one(face) for face in faces), problem) for label, faces, problem in examined.inner
    )
    return PhotoFacts(
        examined.relative, tuple(one(face) for face in examined.faces), examined.problem, inner=inner,
        taken=taken_day(examined),
    )


def taken_day(examined: Examined) -> date | None:
    """The day the file says it was taken (the age rules use it), or None."""
    meta = examined.meta
    return meta.taken.date() if meta is not None and meta.taken is not None else None


def examine_and_judge(
    files: Iterable[MediaFile],
    engine: FaceEngine,
    judging: Judging,
    on_file: Callable[[MediaFile], None] | None = None,
    *,
    settle: Callable[[MediaFile, PhotoFacts], PhotoFacts] | None = None,
) -> list[PhotoVerdict]:
    """Examine, identify and judge each file in turn: consent first, then its metadata.

    ``settle`` (optional) applies what people decided about the faces, between
    identifying them and judging the photo (:mod:`photoaudit.operations.decision_book`).
    """
    verdicts = []
    for media in files:
        examined = examine(media, engine, video=judging.video)
        facts = identify(examined, judging.enrolled, judging.match)
        if settle is not None:
            facts = settle(media, facts)
        verdicts.append(file_verdict(media, examined, facts, judging))
        if on_file:
            on_file(media)
    return verdicts


def file_verdict(media: MediaFile, examined: Examined, facts: PhotoFacts, judging: Judging) -> PhotoVerdict:
    """The verdict on one examined file: consent first, then its metadata.

    When only some faces stand in the way of a use of a photo (the metadata rules
    raised nothing), the verdict notes that a copy with those faces covered could be used.
    A thumbnail cache is flagged for deletion.
    """
    return file_and_consent_verdicts(media, examined, facts, judging)[0]


def file_and_consent_verdicts(
    media: MediaFile, examined: Examined, facts: PhotoFacts, judging: Judging
) -> tuple[PhotoVerdict, PhotoVerdict]:
    """The file's verdict (:func:`file_verdict`), and the consent verdict it was built on (the
    consent rules and the pictures inside the file, before the metadata rules): judged once,
    for callers that need both (``check``)."""
    register, today, purposes, guard = judging.register, judging.today, judging.purposes, judging.guard
    if media.entry is Entry.THUMBNAIL_CACHE:
        cache = thumbnail_cache_verdict(media.relative, purposes)
        return cache, cache
    consent = inner_verdict(consent_verdict(facts, register, today, purposes, guard), facts, register, today, purposes,
                          guard)
    kind = examined.kind if examined.meta is not None or examined.kind == MediaKind.VIDEO else media.kind
    verdict = provenance_verdict(consent, examined.meta, register, today, judging.rules, judging.devices, kind,
                               examined.video)
    if examined.kind != MediaKind.VIDEO and len(verdict.reasons) == len(consent.reasons):
        verdict = add_cover_notes(verdict, facts, register, today, guard)
    return verdict, consent


def verdict_of_examined(
    examined: Examined,
    media_kind: MediaKind,
    judging: Judging,
    *,
    media: MediaFile | None = None,
    settle: Callable[[MediaFile, PhotoFacts], PhotoFacts] | None = None,
) -> PhotoVerdict:
    """Match the faces found in one file, then :func:`file_verdict` it: the cheap steps, which
    every audit runs again (they depend on today and today's register), stored faces or not.

    ``settle`` applies what people decided about the faces, as in :func:`examine_and_judge`.
    """
    facts = identify(examined, judging.enrolled, judging.match)
    if media is None:
        media = MediaFile(Path(examined.relative), examined.relative, media_kind, 0)
    if settle is not None:
        facts = settle(media, facts)
    return file_verdict(media, examined, facts, judging)


def thumbnail_cache_verdict(relative: str, purposes: tuple[str, ...] = PURPOSES) -> PhotoVerdict:
    """A thumbnail cache (Thumbs.db ...): small copies of photos, unchecked; delete it."""
    return PhotoVerdict(relative, Action.DELETE, {p: Use.WITHHELD for p in purposes},
                        reasons=(THUMBNAIL_CACHE_WORDS,))


def list_media(folder: Path, exclude: Iterable[Path] = ()) -> list[MediaFile]:
    """Every file the audit must give a verdict on."""
    return walk(folder, exclude=exclude).files


def list_folder(folder: Path, exclude: Iterable[Path] = ()) -> Listing:
    """Every file the audit must give a verdict on, and every file it skips (with why)."""
    return walk(folder, exclude=exclude)
