"""Videos (R11): sample frames with PyAV, then judge the faces found across them.

A video is judged like a photo whose faces are everyone seen in the sampled
frames. The same child seen in many frames counts once, with the time of the
frame where the match was surest; an unidentified person seen in many frames
counts once, with the time they were first seen. A video that cannot be decoded
(or only partly) goes to a person: a child in the unread part is unchecked.

Frames are decoded one at a time and never kept: a long 4K video needs the
memory of one frame.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from ..core.models import Camera, FaceMatch, FaceStatus, MediaMeta, VideoInfo
from ..core.settings import MatchSettings, VideoSettings
from ..core.words import clock
from .metadata import modified_time

#: Container metadata keys, most specific first (QuickTime/iPhone, then ffmpeg's, then Android).
_MAKE_KEYS = ("com.apple.quicktime.make", "make", "com.android.manufacturer")
_MODEL_KEYS = ("com.apple.quicktime.model", "model", "com.android.model")
_DATE_KEYS = ("com.apple.quicktime.creationdate", "creation_time")
_LOCATION_KEYS = ("com.apple.quicktime.location.iso6709", "location", "location-eng")


class UnreadableVideo(Exception):
    """A video that cannot be (fully) decoded; ``reason`` says why in plain words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


def _av():  # noqa: ANN202 - PyAV has no type stubs
    import av

    return av


def read_video_meta(path: Path) -> MediaMeta:
    """Camera, creation date and location from a video's container metadata."""
    modified = modified_time(path)
    try:
        with _av().open(str(path)) as container:
            tags = {str(k).lower(): str(v) for k, v in container.metadata.items()}
    except Exception:  # noqa: BLE001 - an unreadable video has no metadata to show
        return MediaMeta(file_modified=modified)
    return meta_from_tags(tags, modified)


def meta_from_tags(tags: dict[str, str], file_modified: datetime | None = None) -> MediaMeta:
    """Turn container tags (lower-case keys) into :class:`MediaMeta`."""

    def first(keys: Sequence[str]) -> str:
        return next((" ".join(tags[k].split()) for k in keys if tags.get(k, "").strip()), "")

    make, model = first(_MAKE_KEYS), first(_MODEL_KEYS)
    camera = Camera(make, model) if make or model else None
    taken, problem = None, None
    for key in _DATE_KEYS:
        value = tags.get(key, "").strip()
        if not value:
            continue
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            problem = f'the date recorded, "{value[:30]}", is not a date'
            continue
        if parsed.year > 1970:  # 1904 or 1970: the container's "no date" value
            taken, problem = parsed, None
            break
    return MediaMeta(
        camera=camera,
        taken=taken,
        taken_problem=problem,
        gps=bool(first(_LOCATION_KEYS)),
        file_modified=file_modified,
    )


@dataclass
class VideoFrames:
    """Decodes sampled frames of one video, one at a time.

    Iterate :meth:`frames` for ``(seconds, upright RGB pixels)``; it raises
    :class:`UnreadableVideo` when the file cannot be opened or breaks off. ``info``
    says how the video was sampled.
    """

    path: Path
    settings: VideoSettings

    def __post_init__(self) -> None:
        self.info = VideoInfo(duration=None, frames_sampled=0, sample_every=self.settings.sample_every)

    def frames(self) -> Iterator[tuple[float, np.ndarray]]:
        av = _av()
        try:
            if self.path.stat().st_size == 0:
                raise UnreadableVideo(self.path, "The file is empty (0 bytes).")
            container = av.open(str(self.path))
        except UnreadableVideo:
            raise
        except PermissionError:
            raise UnreadableVideo(self.path, "photoaudit is not allowed to read this file (permission denied).") from None
        except FileNotFoundError:
            raise UnreadableVideo(self.path, "The file is no longer there: it may have been moved or deleted.") from None
        except Exception:  # noqa: BLE001 - av raises many kinds for damaged data
            raise UnreadableVideo(
                self.path, "The video is damaged, or is not a video photoaudit can read, so it could not be checked."
            ) from None
        with container:
            if not container.streams.video:
                raise UnreadableVideo(self.path, "This file has no pictures in it to check (no video stream).")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            duration = _duration(container, stream)
            every = self.settings.sample_every
            if duration and duration / every > self.settings.max_samples:
                every = duration / self.settings.max_samples
            self.info = VideoInfo(duration, 0, every)
            taken, next_time, index, last = 0, 0.0, 0, 0.0
            rate = float(stream.average_rate or 25)
            complete = False  # stopped at the sampling limit, so the rest was not meant to be read
            try:
                for frame in container.decode(stream):
                    rate = float(stream.average_rate or 25)
                    seconds = frame.time if frame.time is not None else index / rate
                    index += 1
                    last = seconds
                    if seconds + 1e-6 < next_time:
                        continue
                    next_time = seconds + every
                    pixels = _upright(frame.to_ndarray(format="rgb24"), getattr(frame, "rotation", 0))
                    taken += 1
                    self.info = VideoInfo(duration, taken, every)
                    yield float(seconds), pixels
                    if taken >= self.settings.max_samples:
                        complete = True
                        break
            except Exception as err:  # noqa: BLE001
                if isinstance(err, GeneratorExit):
                    raise
                where = f"after {clock(last)}" if taken else "from the start"
                raise UnreadableVideo(
                    self.path,
                    f"The video could not be decoded {where} (damaged, or cut short: it may not "
                    "have finished copying), so a child in it may be unchecked.",
                ) from None
            if taken == 0:
                raise UnreadableVideo(self.path, "No picture in this video could be decoded.")
            if not complete:
                short = ended_early(duration, last + 1 / rate, index, stream.frames or 0, rate)
                if short:
                    raise UnreadableVideo(self.path, short)


def ended_early(duration: float | None, seen_until: float, decoded: int, declared: int, rate: float) -> str:
    """Why a video whose pictures stopped before its stated length is only partly checked, or ''.

    A file cut short while copying often decodes without any error: the frames just
    stop. ``duration`` is the container's stated length (seconds), ``seen_until`` where
    the decoded pictures end, ``decoded`` and ``declared`` the frames decoded and stated
    (0: not stated). A little slack allows for how containers round the last frame.
    """
    slack = max(2 / rate, 0.25, 0.02 * (duration or 0.0))
    time_short = duration is not None and duration > 0 and seen_until + slack < duration
    frames_short = declared > 0 and decoded < declared - max(2, declared // 50)
    if not time_short and not frames_short:
        return ""
    if duration:
        seen = f"only the first {clock(seen_until)} of this {clock(duration)} video"
    else:
        seen = f"only {decoded} of this video's {declared} frames"
    return (
        f"Partly checked: {seen} could be decoded (cut short: it may not have finished copying), "
        "so a child in the rest is unchecked. Copy it again from the device, or look at it."
    )


def _duration(container, stream) -> float | None:  # noqa: ANN001
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _upright(pixels: np.ndarray, rotation: float | int | None) -> np.ndarray:
    """Apply the video's display rotation (degrees counter-clockwise, as ffmpeg reports it)."""
    if not rotation or not math.isfinite(rotation):
        return pixels
    turns = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(pixels, k=turns)) if turns else pixels


@dataclass(frozen=True)
class SeenFace:
    """One face in one sampled frame: its match and its template (None: too small)."""

    frame: int
    time: float
    match: FaceMatch
    template: np.ndarray | None


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def combine(seen: Sequence[SeenFace], settings: MatchSettings) -> tuple[FaceMatch, ...]:
    """Everyone seen across the sampled frames, each person once, ordered by time.

    - A child (or member of staff) matched in several frames counts once (the surest frame's time);
      matched twice in one frame, twice (the judge then takes the clearly nearer face for them, or
      sends both to a person: :func:`photoaudit.core.matching.one_face_each`).
    - An unidentified face that is plainly a child already matched in this video
      (a turned head): within ``tolerance - margin`` of that child's faces in other
      frames, nearest to that child among the enrolled, and ``margin`` nearer to
      them than to anyone else matched in the video. Anything less stays unidentified.
    - Unidentified faces that look alike (all within ``tolerance`` of each other,
      never two from one frame) count as one person, first seen time.
    """
    matched: dict[str, list[SeenFace]] = defaultdict(list)
    unresolved: list[SeenFace] = []
    for face in seen:
        if face.match.status is FaceStatus.MATCHED and face.match.key:  # a child, or staff:<id>
            matched[face.match.key].append(face)
        else:
            unresolved.append(face)

    result: list[FaceMatch] = []
    for faces in matched.values():
        best = min(faces, key=lambda f: (f.match.distance if f.match.distance is not None else 9.9, f.time))
        result.append(replace(best.match, time=best.time))
        per_frame: dict[int, list[SeenFace]] = defaultdict(list)
        for face in faces:
            per_frame[face.frame].append(face)
        crowded = max(per_frame.values(), key=len)
        for extra in crowded[1:]:
            result.append(replace(extra.match, time=extra.time))

    still: list[SeenFace] = [f for f in unresolved if not _belongs_to_matched(f, matched, settings)]
    groups: list[list[SeenFace]] = []
    tiny: dict[int, list[SeenFace]] = defaultdict(list)
    for face in sorted(still, key=lambda f: f.time):
        if face.template is None:
            tiny[face.frame].append(face)
            continue
        for group in groups:
            if all(
                g.frame != face.frame and g.template is not None
                and _distance(g.template, face.template) <= settings.tolerance
                for g in group
            ):
                group.append(face)
                break
        else:
            groups.append([face])
    for group in groups:
        first = group[0]
        status = (
            FaceStatus.AMBIGUOUS
            if any(g.match.status is FaceStatus.AMBIGUOUS for g in group)
            else FaceStatus.UNKNOWN
        )
        shown = next((g for g in group if g.match.status is status), first)
        result.append(replace(shown.match, status=status, time=shown.time))
    if tiny:
        most = max(tiny.values(), key=len)
        result.extend(replace(f.match, time=f.time) for f in most)
    return tuple(sorted(result, key=lambda m: (m.time or 0.0, m.box)))


def _belongs_to_matched(
    face: SeenFace, matched: dict[str, list[SeenFace]], settings: MatchSettings
) -> bool:
    """True when an unidentified face is plainly a child matched elsewhere in the video."""
    if face.template is None or not matched:
        return False
    nearest: dict[str, float] = {}
    for child_id, faces in matched.items():
        if any(f.frame == face.frame for f in faces):
            nearest[child_id] = math.inf  # that child is someone else in this frame
            continue
        templates = [f.template for f in faces if f.template is not None]
        nearest[child_id] = min((_distance(t, face.template) for t in templates), default=math.inf)
    child_id, distance = min(nearest.items(), key=lambda item: item[1])
    if distance > settings.tolerance - settings.margin:
        return False
    if face.match.candidates and face.match.candidates[0].key != child_id:
        return False
    return all(d >= distance + settings.margin for c, d in nearest.items() if c != child_id)
