"""The audit with memory: examine only photos whose content was never examined.

What the face engine finds in a photo depends only on the photo's bytes and
the engine settings, so it is stored per content hash (SHA-256) and engine
fingerprint. Matching and the consent rules are cheap and depend on today's
register, so they run every time. A renamed or moved photo has the same hash
and is not examined again; a changed photo has a new hash and is.

A file whose size, modification time, change time and inode are all what they
were at the last audit of the same folder is not even re-hashed.

Problems (unreadable files, videos) are never stored: they are cheap to find
again, and a file that was still being copied must be looked at afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from .auditor import Examined, identify
from .config import MatchSettings
from .engine import EngineSettings, FaceEngine
from .erasure import without_erased
from .formats.json_report import verdict_json
from .models import PURPOSES, PhotoVerdict, Register
from .parallel import examine_all
from .policy import judge_photo
from .sources import MediaFile, MediaKind
from .store import FileState, Store, StoredVerdict

#: Bump when :func:`photoaudit.auditor.examine` changes what it finds for the same
#: bytes and engine settings (decoding, cropping): every stored face is then stale.
EXAMINE_VERSION = 1

#: Store what was found after this many photos, so an interrupted audit keeps most of its work.
SAVE_EVERY = 32


def examine_key(settings: EngineSettings) -> str:
    """The key stored faces are filed under: engine settings, models and examine version."""
    return f"{settings.fingerprint()}|examine-{EXAMINE_VERSION}"


def folder_key(folder: Path) -> str:
    return str(folder.resolve())


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_state(path: Path, known: FileState | None = None) -> FileState | None:
    """The file's hash and stat, re-hashing only when the stat differs from ``known``."""
    try:
        info = path.stat()
        probe = FileState("", info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if known is not None and known.same_file(probe):
            return known
        sha256 = sha256_of(path)
        after = path.stat()
    except OSError:
        return None  # unreadable: examined without the store, and its problem reported
    if (after.st_size, after.st_mtime_ns) != (info.st_size, info.st_mtime_ns):
        return None  # still being written: no hash can stand for it
    return FileState(sha256, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def unchanged_since(path: Path, state: FileState) -> bool:
    """True when the file still has the size and times it had when hashed."""
    try:
        info = path.stat()
    except OSError:
        return False
    return (info.st_size, info.st_mtime_ns, info.st_ino) == (state.size, state.mtime_ns, state.inode)


def hash_files(
    files: Sequence[MediaFile], known: Mapping[str, FileState], threads: int
) -> dict[str, FileState]:
    """Content hashes of every photo-like file (videos are never examined, so not hashed)."""
    wanted = [m for m in files if m.kind is not MediaKind.VIDEO]
    with ThreadPoolExecutor(max_workers=max(1, min(threads, 8))) as pool:
        states = pool.map(lambda m: file_state(m.path, known.get(m.relative)), wanted)
        return {m.relative: s for m, s in zip(wanted, states) if s is not None}


def audit_incrementally(
    folder: Path,
    files: Sequence[MediaFile],
    engine: FaceEngine,
    store: Store,
    register: Register,
    enrolled: Mapping[str, Sequence[np.ndarray]],
    today: date,
    match: MatchSettings,
    purposes: tuple[str, ...] = PURPOSES,
    jobs: int = 1,
    on_file: Callable[[MediaFile], None] | None = None,
) -> IncrementalAudit:
    """Examine what the store does not know yet, then identify and judge every file."""
    key = examine_key(engine.settings)
    where = folder_key(folder)
    states = hash_files(files, store.locations(where), jobs)
    stats = CacheStats()
    examined: dict[str, Examined] = {}
    to_examine: list[MediaFile] = []
    for media in files:
        state = states.get(media.relative)
        faces = None if state is None else store.faces(state.sha256, key)
        if faces is None:
            to_examine.append(media)
            continue
        examined[media.relative] = Examined(media.relative, faces)
        stats.reused += 1
        if on_file:
            on_file(media)

    unsaved: list[tuple[str, tuple]] = []

    erased = store.erased_faces()

    def done(media: MediaFile, result: Examined) -> None:
        state = states.get(media.relative)
        if state is not None and state.sha256 in erased:  # an erased child's face: no template
            result = replace(result, faces=without_erased(result.faces, erased[state.sha256]))
        examined[media.relative] = result
        stats.examined += 1
        if state is not None and not unchanged_since(media.path, state):
            states.pop(media.relative)  # what was examined may not be what was hashed
        elif state is not None and result.problem is None:
            unsaved.append((state.sha256, result.faces))
        if len(unsaved) >= SAVE_EVERY:
            store.put_faces(unsaved, key, now_text())
            unsaved.clear()
        if on_file:
            on_file(media)

    examine_all(to_examine, engine, jobs, done)
    if unsaved:
        store.put_faces(unsaved, key, now_text())

    verdicts = [
        judge_photo(identify(examined[m.relative], enrolled, match), register, today, purposes)
        for m in files
    ]
    hashes = {rel: s.sha256 for rel, s in states.items()}
    when = now_text()
    store.replace_locations(where, states, when)
    store.put_verdicts([stored_verdict(hashes[v.path], v, when) for v in verdicts if v.path in hashes])
    return IncrementalAudit(verdicts, hashes, stats)


def stored_verdict(sha256: str, verdict: PhotoVerdict, when: str) -> StoredVerdict:
    """What the store keeps of a verdict: everything in the report except the path."""
    body = verdict_json(verdict)
    body.pop("path", None)
    return StoredVerdict(sha256, verdict.action.value, when, body)
