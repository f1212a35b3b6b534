"""The audit with memory: examine only files whose content was never examined.

What :func:`photoaudit.operations.examine.examine` finds in a file (the faces in a photo, or
in a video's sampled frames, and what the file says about itself: camera, taken
date, GPS) depends only on the file's bytes and the engine (and video sampling)
settings, so it is stored per content hash (SHA-256) and settings fingerprint.
Matching, the consent rules and the metadata rules are cheap and depend on today
and today's register, so they run every time. A renamed or moved file has the
same hash and is not examined again; a changed file has a new hash and is.

A file whose size, modification time, change time and inode are all what they
were at the last audit of the same folder is not even re-hashed.

Problems (unreadable files, videos that break off) are stored with the content they
were found in, so ``reaudit`` judges those files again too, but an audit never reuses
them: they are cheap to find again, and a file that was still being copied must be
looked at afresh.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.consent import CHANGED_WHILE_READ, NOT_READ_WHOLE
from ..core.erasure_rule import may_store_again
from ..core.judging import Judging
from ..core.models import Box, Camera, Face, MediaMeta, PhotoVerdict, VideoInfo
from ..core.report_shape import verdict_json
from ..core.settings import VideoSettings
from ..faces.engine import EngineSettings, FaceEngine
from ..media.files import sha256_file
from ..media.metadata import modified_time
from ..media.sources import MediaFile, MediaKind
from ..store.database import Examination, FileState, Store, StoredVerdict
from ..store.erasure import without_erased
from .examine import verdict_of_examined
from .parallel import LocalPool
from .results import Examined

if TYPE_CHECKING:
    from .decision_book import DecisionsInForce
    from .examiner import Examiner

#: Bump when :func:`photoaudit.operations.examine.examine` changes what it finds for the same
#: bytes and settings (decoding, cropping, metadata read): everything stored is then stale.
# 3: the pictures inside a photo file (photoaudit.media.inner); 4: CenterFace first in auto,
# weak detections looked at again (photoaudit.faces.engine.FaceEngine.locate)
EXAMINE_VERSION = 4

#: Store what was found after this many files, so an interrupted audit keeps most of its work.
SAVE_EVERY = 32


def examine_key(settings: EngineSettings, kind: MediaKind = MediaKind.PHOTO, video: VideoSettings | None = None) -> str:
    """The key what was found is filed under: engine settings, models, examine version,
    and for videos how they are sampled."""
    key = f"{settings.fingerprint()}|examine-{EXAMINE_VERSION}"
    if kind is MediaKind.VIDEO:
        video = video or VideoSettings()
        key += f"|video:{video.sample_every}:{video.max_samples}"
    return key


def folder_key(folder: Path) -> str:
    return str(folder.resolve())


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class CacheStats:
    """How many files the engine examined, and how many it could skip."""

    examined: int = 0
    reused: int = 0


@dataclass
class IncrementalAudit:
    """The verdicts for a folder's files, with each file's content hash where known."""

    verdicts: list[PhotoVerdict]
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    stats: CacheStats = field(default_factory=CacheStats)


# -- what is stored, and back ---------------------------------------------------------------

def to_stored(examined: Examined) -> Examination:
    """What the store keeps of an examination (everything but the path and file time)."""
    meta = examined.meta
    extra: dict = {
        "kind": examined.kind,
        "meta": None if meta is None else {
            "camera": None if meta.camera is None else [meta.camera.make, meta.camera.model, meta.camera.serial],
            "taken": None if meta.taken is None else meta.taken.isoformat(),
            "taken_problem": meta.taken_problem,
            "gps": meta.gps,
            "software": meta.software,
        },
    }
    if examined.problem is not None:
        extra["problem"] = examined.problem  # for reaudit only: an audit looks at the file again
    if examined.frames is None:  # a photo: its own faces (frame None), then each inner picture's
        extra["inner"] = [[label, problem] for label, _, problem in examined.inner]
        inner_faces = tuple((k, f) for k, (_, found, _) in enumerate(examined.inner) for f in found)
        return Examination(tuple((None, f) for f in examined.faces) + inner_faces, extra)
    info = examined.video
    extra["frames"] = [seconds for seconds, _ in examined.frames]
    extra["video"] = None if info is None else [info.duration, info.frames_sampled, info.sample_every]
    faces = tuple((i, f) for i, (_, found) in enumerate(examined.frames) for f in found)
    return Examination(faces, extra)


def from_stored(relative: str, stored: Examination, file_modified: datetime | None) -> Examined:
    """An examination as :func:`photoaudit.operations.examine.examine` returned it, from the store."""
    extra = stored.extra
    meta = None
    if extra.get("meta") is not None:
        m = extra["meta"]
        meta = MediaMeta(
            camera=None if m["camera"] is None else Camera(*m["camera"]),
            taken=None if m["taken"] is None else datetime.fromisoformat(m["taken"]),
            taken_problem=m["taken_problem"],
            gps=m["gps"],
            file_modified=file_modified,
            software=m.get("software", ""),  # not remembered by audits before this field
        )
    kind = MediaKind(extra.get("kind", MediaKind.PHOTO.value))
    if "frames" not in extra:
        labels = extra.get("inner", [])
        inner_faces: list[list[Face]] = [[] for _ in labels]
        for frame, face in stored.faces:
            if frame is not None:
                inner_faces[frame].append(face)
        inner = tuple((label, tuple(found), problem) for (label, problem), found in zip(labels, inner_faces, strict=True))
        main = tuple(f for frame, f in stored.faces if frame is None)
        return Examined(relative, main, problem=extra.get("problem"), kind=kind, meta=meta, inner=inner)
    per_frame: list[list[Face]] = [[] for _ in extra["frames"]]
    for frame, face in stored.faces:
        assert frame is not None, "a video's faces are each stored with the frame they are in"
        per_frame[frame].append(face)
    frames = tuple((seconds, tuple(found)) for seconds, found in zip(extra["frames"], per_frame, strict=True))
    video = None if extra.get("video") is None else VideoInfo(*extra["video"])
    return Examined(relative, problem=extra.get("problem"), kind=kind, meta=meta, frames=frames, video=video)


def blank_erased(examined: Examined, erased: list[Box],
                 may_keep: Callable[[Face], bool] = lambda face: False) -> Examined:
    """No template for any face where an erased child's face was (in a photo or any frame),
    unless ``may_keep`` recognises it as someone enrolled now."""
    if examined.frames is None:
        inner = tuple((label, without_erased(found, erased, may_keep), problem)
                      for label, found, problem in examined.inner)
        return replace(examined, faces=without_erased(examined.faces, erased, may_keep), inner=inner)
    frames = tuple((seconds, without_erased(found, erased, may_keep)) for seconds, found in examined.frames)
    return replace(examined, frames=frames)


# -- hashing ----------------------------------------------------------------------------------


def file_state(path: Path, known: FileState | None = None) -> FileState | None:
    """The file's hash and stat, re-hashing only when the stat differs from ``known``.

    None for anything but a regular file (a link is never followed, a pipe never opened),
    and for a file that changed while it was hashed (:func:`hashed`).
    """
    return hashed(path, known)[0]


def hashed(path: Path, known: FileState | None = None) -> tuple[FileState | None, bool]:
    """:func:`file_state`, and whether the file changed while it was hashed (then no hash
    can stand for it: it may still have been copying)."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            return None, False
        probe = FileState("", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if known is not None and known.same_file(probe):
            return known, False
        sha256 = sha256_file(path)
        after = path.lstat()
    except OSError:
        return None, False  # unreadable: examined without the store, and its problem reported
    if (after.st_size, after.st_mtime_ns) != (info.st_size, info.st_mtime_ns):
        return None, True  # still being written: no hash can stand for it
    return FileState(sha256, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino), False


def unchanged_since(path: Path, state: FileState) -> bool:
    """True when the file still has the size and times it had when hashed."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (info.st_size, info.st_mtime_ns, info.st_ino) == (state.size, state.mtime_ns, state.inode)


def hash_files(
    files: Sequence[MediaFile], known: Mapping[str, FileState], threads: int
) -> tuple[dict[str, FileState], set[str]]:
    """Content hashes of every file that could be read, and the files that changed while
    they were hashed (threads: hashing waits on the disk)."""
    with ThreadPoolExecutor(max_workers=max(1, min(threads, 8))) as pool:
        opened = [m for m in files if m.entry.opened]
        found = list(pool.map(lambda m: hashed(m.path, known.get(m.relative)), opened))
    states = {m.relative: state for m, (state, _) in zip(opened, found, strict=True) if state is not None}
    return states, {m.relative for m, (_, changed) in zip(opened, found, strict=True) if changed}


# -- the audit ----------------------------------------------------------------------------------

def audit_with_memory(
    folder: Path,
    files: Sequence[MediaFile],
    engine: FaceEngine,
    store: Store,
    judging: Judging,
    jobs: int = 1,
    on_file: Callable[[MediaFile], None] | None = None,
    *,
    settle: DecisionsInForce | None = None,
    examiner: Examiner | None = None,
) -> IncrementalAudit:
    """Examine what the store does not know yet, then judge every file.

    ``settle`` applies people's decisions about faces (keyed by content hash) before judging.
    ``examiner`` examines the files (:mod:`photoaudit.operations.examiner`); by default
    ``jobs`` worker processes here. It must examine with ``engine``'s settings and the judging's ``video``,
    which the results are filed under.
    """
    video = judging.video
    examiner = examiner or LocalPool(engine, jobs, video)
    if examiner.settings != engine.settings or examiner.video != video:
        raise ValueError("the examiner must examine with the engine settings and video settings of the audit")
    where = folder_key(folder)
    states, changed = hash_files(files, store.locations(where), jobs)
    erased = store.erased_faces()

    def recognised(face: Face) -> bool:  # someone enrolled now (enrolled again): their face is kept
        return may_store_again(face.template, judging.enrolled, judging.match)

    stats = CacheStats()
    examined: dict[str, Examined] = {}
    to_examine: list[MediaFile] = []

    def key(media: MediaFile) -> str:
        return examine_key(engine.settings, media.kind, video)

    for media in files:
        state = states.get(media.relative)
        stored = None if state is None else store.examination(state.sha256, key(media))
        if stored is None or stored.problem:  # a problem is looked at afresh
            to_examine.append(media)
            continue
        examined[media.relative] = from_stored(media.relative, stored, modified_time(media.path))
        stats.reused += 1
        if on_file:
            on_file(media)

    unsaved: dict[str, list[tuple[str, Examination]]] = {}

    def save(force: bool = False) -> None:
        for k, found in unsaved.items():
            if found and (force or len(found) >= SAVE_EVERY):
                store.put_examinations(found, k, now_text())
                found.clear()

    def done(media: MediaFile, result: Examined) -> None:
        state = states.get(media.relative)
        if state is not None and state.sha256 in erased:  # an erased child's face: no template
            result = blank_erased(result, erased[state.sha256], recognised)
        examined[media.relative] = result
        stats.examined += 1
        if state is not None and not unchanged_since(media.path, state):
            states.pop(media.relative)  # what was examined may not be what was hashed
            changed.add(media.relative)
        elif state is not None:
            unsaved.setdefault(key(media), []).append((state.sha256, to_stored(result)))
            save()
        if on_file:
            on_file(media)

    examiner.examine_all(to_examine, done)
    save(force=True)

    hashes = {rel: s.sha256 for rel, s in states.items()}
    if settle is not None:
        settle.know(hashes)
    verdicts = [
        verdict_of_examined(pinned_down(examined[m.relative], m, hashes, changed), m.kind, judging,
                            media=m, settle=settle)
        for m in files
    ]
    when = now_text()
    store.replace_locations(where, states, when)
    store.put_verdicts([stored_verdict(hashes[v.path], v, when) for v in verdicts if v.path in hashes])
    return IncrementalAudit(verdicts, hashes, stats)


def pinned_down(examined: Examined, media: MediaFile, hashes: Mapping[str, str], changed: set[str]) -> Examined:
    """What was found in a file, with a problem when its content is not known for sure: a file
    that is opened but has no hash changed while it was read (or could not be read whole), so
    what was seen may not be what is there. The judge turns the problem into ``review``, like
    any file that could not be read; ``--apply`` never moves a file without a hash."""
    if not media.entry.opened or media.relative in hashes or examined.problem is not None:
        return examined  # a hash stands for it, or it was never opened, or its problem is said already
    return replace(examined, problem=CHANGED_WHILE_READ if media.relative in changed else NOT_READ_WHOLE)


def stored_verdict(sha256: str, verdict: PhotoVerdict, when: str) -> StoredVerdict:
    """What the store keeps of a verdict: everything in the report except the path."""
    body = verdict_json(verdict)
    body.pop("path", None)
    return StoredVerdict(sha256, verdict.action.value, when, body)
