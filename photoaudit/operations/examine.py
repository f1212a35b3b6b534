"""The audit: files in a folder → faces → matches → verdicts.

The expensive part (decoding and face finding) is :func:`examine`; matching is cheap, and
the verdict is the one judge's (:func:`photoaudit.core.judge.judge`). The audit only reads:
it never moves, changes or deletes a photo, and writes nothing into the folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core.judge import Found, Judgement, judge
from ..core.judging import Judging
from ..core.matching import match_face
from ..core.models import Face, FaceMatch, FaceStatus, InnerPicture, PhotoFacts, PhotoVerdict
from ..core.settings import MatchSettings, VideoSettings
from ..faces.engine import FaceEngine
from ..media.imaging import DEFAULT_MAX_PIXELS, UnreadablePhoto, load_photo
from ..media.metadata import modified_time, parse_exif
from ..media.sources import Entry, Listing, MediaFile, MediaKind, unopened_problem, walk
from ..media.video import SeenFace, UnreadableVideo, VideoFrames, combine, read_video_meta
from .results import AuditResult, Examined

if TYPE_CHECKING:
    from .decision_book import DecisionsInForce

__all__ = ["AuditResult", "Examined", "examine", "identify", "judged", "verdict_of_examined", "list_folder"]


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
    settle: DecisionsInForce | None = None,
) -> list[PhotoVerdict]:
    """Examine each file in turn, then :func:`verdict_of_examined` it (people's decisions
    applied with ``settle``, :mod:`photoaudit.operations.decision_book`)."""
    verdicts = []
    for media in files:
        examined = examine(media, engine, video=judging.video)
        verdicts.append(verdict_of_examined(examined, media.kind, judging, media=media, settle=settle))
        if on_file:
            on_file(media)
    return verdicts


def found_in(media: MediaFile, examined: Examined, facts: PhotoFacts, settle: DecisionsInForce | None = None) -> Found:
    """What the judge reads of one examined file: plain data, nothing of the engine."""
    kind = examined.kind if examined.meta is not None or examined.kind == MediaKind.VIDEO else media.kind
    return Found(facts, kind, examined.meta, examined.video, thumbnail_cache=media.entry is Entry.THUMBNAIL_CACHE,
                 override=None if settle is None else settle.override_of(media.relative))


def judged(
    examined: Examined,
    media_kind: MediaKind,
    judging: Judging,
    *,
    media: MediaFile | None = None,
    settle: DecisionsInForce | None = None,
) -> Judgement:
    """Match the faces found in one file, apply people's decisions (``settle``), and judge it:
    the cheap steps, which every audit, reaudit and check runs again (they depend on today and
    today's register), stored faces or not."""
    facts = identify(examined, judging.enrolled, judging.match)
    if media is None:
        media = MediaFile(Path(examined.relative), examined.relative, media_kind, 0)
    if settle is not None:
        facts = settle(media, facts)
    return judge(found_in(media, examined, facts, settle), judging)


def file_verdict(media: MediaFile, examined: Examined, facts: PhotoFacts, judging: Judging) -> PhotoVerdict:
    """The judge's verdict on one examined file whose faces are already matched (``facts``)."""
    return judge(found_in(media, examined, facts), judging).verdict


def verdict_of_examined(
    examined: Examined,
    media_kind: MediaKind,
    judging: Judging,
    *,
    media: MediaFile | None = None,
    settle: DecisionsInForce | None = None,
) -> PhotoVerdict:
    """The verdict of :func:`judged`: what every report shows."""
    return judged(examined, media_kind, judging, media=media, settle=settle).verdict


def list_media(folder: Path, exclude: Iterable[Path] = ()) -> list[MediaFile]:
    """Every file the audit must give a verdict on."""
    return walk(folder, exclude=exclude).files


def list_folder(folder: Path, exclude: Iterable[Path] = ()) -> Listing:
    """Every file the audit must give a verdict on, and every file it skips (with why)."""
    return walk(folder, exclude=exclude)
