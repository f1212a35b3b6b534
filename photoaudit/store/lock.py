"""One run at a time: a lock file per audited folder (and one for the quarantine).

The lock is an operating-system file lock (``fcntl`` on Linux and macOS,
``msvcrt`` on Windows) on a small file in the private state folder. The
operating system drops it the moment the process holding it ends, however it
ends, so a lock left by a killed or crashed run is stale by construction: the
next run takes it over and says whose it was. The file also names the process
holding it (id, computer, start time), so a second run can say who is busy.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from ..media.files import make_private_dir

#: Windows locks byte ranges; lock one far past the text so the holder can still be read.
_WINDOWS_LOCK_OFFSET = 1 << 30
#: The lock of the store's face data. Every run that may write face templates (an audit,
#: and every enrolment: ``enrol``, or ``check``/``reaudit``/``children`` when they enrol)
#: holds it shared, so they can run side by side; ``forget`` holds it alone, so no run
#: can write a child's templates back while they are being erased.
STORE_LOCK = "store:face-data"


class AlreadyRunning(Exception):
    """Another photoaudit run holds the lock; the message says which and since when."""

    def __init__(self, what: str, holder: dict) -> None:
        since = holder.get("started", "an unknown time")
        who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
        super().__init__(
            f"Another photoaudit run is already working on {what} ({who}, started {since}). "
            "Nothing was done; try again when it has finished."
        )
        self.holder = holder


@dataclass
class RunLock:
    """A held lock; release it with :meth:`release` or by leaving the ``with`` block."""

    path: Path
    handle: IO[str]
    stale: dict | None  # what a previous, dead holder left in the file, if anything
    shared: bool = False  # held side by side with other runs (the store lock)

    def release(self) -> None:
        if self.handle.closed:
            return
        try:
            if not self.shared:  # another holder of a shared lock may still be named in it
                self.handle.seek(0)
                self.handle.truncate()
                self.handle.flush()
        finally:
            _unlock(self.handle)
            self.handle.close()

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path(state_dir: Path, name: str) -> Path:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return make_private_dir(state_dir / "locks") / f"{digest}.lock"


def acquire(state_dir: Path, name: str, what: str) -> RunLock:
    """Take the lock called ``name`` (e.g. the audited folder's full path) or raise AlreadyRunning.

    ``what`` is how the message names the thing locked ("the folder /srv/transfer").
    """
    return _acquire_path(lock_path(state_dir, name), name, what)


def acquire_store_shared(state_dir: Path) -> RunLock:
    """Hold the store lock alongside other runs (raises AlreadyRunning while ``forget`` erases)."""
    return _acquire_path(lock_path(state_dir, STORE_LOCK), STORE_LOCK,
                         "the face data (a child's face data is being erased)", shared=True)


def acquire_every(state_dir: Path, what: str) -> list[RunLock]:
    """Take every lock there is, the store lock included (no run may be working), or raise AlreadyRunning."""
    held: list[RunLock] = []
    folder = make_private_dir(state_dir / "locks")
    store = lock_path(state_dir, STORE_LOCK)
    os.close(os.open(store, os.O_RDWR | os.O_CREAT, 0o600))  # always there to be taken
    try:
        for path in sorted(folder.glob("*.lock")):
            held.append(_acquire_path(path, f"every run ({path.stem})", what))
    except AlreadyRunning:
        for lock in held:
            lock.release()
        raise
    return held


def _acquire_path(path: Path, name: str, what: str, shared: bool = False) -> RunLock:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    if not _try_lock(handle, shared):
        holder = _read(handle)
        handle.close()
        raise AlreadyRunning(what, holder)
    previous = None if shared else _read(handle)  # shared holders never leave a lock stale
    handle.seek(0)
    handle.truncate()
    handle.write(
        json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "name": name,
            }
        )
    )
    handle.flush()
    return RunLock(path, handle, previous or None, shared)


def _read(handle: IO[str]) -> dict:
    try:
        handle.seek(0)
        data = json.loads(handle.read(4096) or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[str], shared: bool = False) -> bool:  # Windows: shared is exclusive
        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            handle.seek(0)
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _try_lock(handle: IO[str], shared: bool = False) -> bool:
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
