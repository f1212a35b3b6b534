"""One run at a time: a lock file per audited folder (and one for the quarantine).

The lock is an operating-system file lock (``fcntl`` on Linux and macOS,
``msvcrt`` on Windows: :func:`windows_locking`) on a small file in the private state folder. The
operating system drops it the moment the process holding it ends, however it
ends, so a lock left by a killed or crashed run is stale by construction: the
next run takes it over and says whose it was. The file also names the process
holding it (id, computer, start time, command), so a second run can say who is busy.

A shared lock (the store's, :data:`STORE_LOCK`) has many holders at once, so no one file
can name them all: each holder names itself in a *seat* of its own beside the lock file
(``<lock>.<pid>-<random>.seat``), which it holds locked for as long as it holds the lock
and removes when it lets go. A refused run names a holder whose seat is still locked, so
the "already running" message always names a process that is running, never one that
shared the lock earlier and has ended.

Windows has no shared file lock, so there a shared lock is one of
:data:`WINDOWS_SHARED_SLOTS` locked bytes past the text and an exclusive one locks them all
(:func:`windows_locking`; the tests run it on Linux with ``msvcrt.locking`` played by
POSIX byte-range locks).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..media.files import make_private_dir

#: Windows locks byte ranges; lock ones far past the text so the holder can still be read.
_WINDOWS_LOCK_OFFSET = 1 << 30
#: How many runs may hold a shared lock at once on Windows (each holds one byte of its own).
WINDOWS_SHARED_SLOTS = 64
#: The lock of the store's face data. Every run that may write face templates (an audit,
#: and every enrolment: ``enrol``, or ``check``/``reaudit``/``children`` when they enrol)
#: holds it shared, so they can run side by side; ``forget`` holds it alone, so no run
#: can write a child's templates back while they are being erased.
STORE_LOCK = "store:face-data"


class AlreadyRunning(Exception):
    """Another photoaudit run holds the lock; the message says which and since when."""

    def __init__(self, what: str, holder: dict, others: int = 0) -> None:
        since = holder.get("started", "an unknown time")
        who = f"process {holder.get('pid', '?')} on {holder.get('host', '?')}"
        command = f", command: {holder['command']}" if holder.get("command") else ""
        also = f"; and {others} other run(s)" if others else ""
        super().__init__(
            f"Another photoaudit run is already working on {what} ({who}, started {since}{command}{also}). "
            "Nothing was done; try again when it has finished."
        )
        self.holder = holder
        self.others = others


@dataclass
class RunLock:
    """A held lock; release it with :meth:`release` or by leaving the ``with`` block."""

    path: Path
    handle: IO[str]
    stale: dict | None  # what a previous, dead holder left in the file, if anything
    shared: bool = False  # held side by side with other runs (the store lock)
    seat: Seat | None = None  # a shared holder's own record (it names this process)

    def release(self) -> None:
        if self.handle.closed:
            return
        try:
            if not self.shared:  # a shared lock's file names nobody: its holders have seats
                self.handle.seek(0)
                self.handle.truncate()
                self.handle.flush()
        finally:
            _unlock(self.handle)
            self.handle.close()
            if self.seat is not None:
                self.seat.leave()

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


def holder_record(name: str) -> dict:
    """What a holder writes about itself: process id, computer, start time, lock name, command."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "name": name,
        "command": running_command(sys.argv),
    }


@dataclass
class Seat:
    """A shared holder's own record, beside the lock: a small file it holds locked (so a
    reader can tell a running holder from one that has ended) and removes when it lets go."""

    path: Path
    handle: IO[str]

    @classmethod
    def take(cls, lock_file: Path, name: str) -> Seat:
        token = f"{lock_file.stem}.{os.getpid()}-{uuid.uuid4().hex[:12]}"
        final = lock_file.with_name(f"{token}.seat")
        # Made under another name and renamed once locked and written, so no reader ever
        # finds it unlocked and takes it for the seat of a run that ended (Windows cannot rename
        # an open file, and cannot remove one either: there it is made under its own name).
        path = final if os.name == "nt" else lock_file.with_name(f"{token}.new")
        handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600), "r+", encoding="utf-8")
        try:
            if not _try_lock(handle, False):  # pragma: no cover - a name nobody else has
                raise OSError(f"could not lock {path}")
            handle.write(json.dumps(holder_record(name)))
            handle.flush()
            if path != final:
                os.replace(path, final)
        except BaseException:
            handle.close()
            _remove_quietly(path)
            raise
        return cls(final, handle)

    def leave(self) -> None:
        if self.handle.closed:
            return
        if os.name != "nt":
            _remove_quietly(self.path)  # while still locked: no reader can take it for an ended run's
        _unlock(self.handle)
        self.handle.close()
        if os.name == "nt":  # pragma: no cover - an open file cannot be removed there
            _remove_quietly(self.path)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # gone already, or (Windows) still open: a later reader removes it


def seated_holders(lock_file: Path) -> list[dict]:
    """The records of the runs holding this lock shared now; seats of runs that ended are removed."""
    running = []
    for seat in sorted(lock_file.parent.glob(f"{lock_file.stem}.*.seat")):
        try:
            handle = os.fdopen(os.open(seat, os.O_RDWR), "r+", encoding="utf-8")
        except OSError:
            continue  # its holder let go just now
        with handle:
            if _try_lock(handle, False):  # nobody holds it: that run has ended
                _unlock(handle)
                _remove_quietly(seat)
            else:
                running.append(_read(handle))
    return running


def _acquire_path(path: Path, name: str, what: str, shared: bool = False) -> RunLock:
    seat = Seat.take(path, name) if shared else None  # named before it holds: never a holder unnamed
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    if not _try_lock(handle, shared):
        # Refused a shared lock: a run holds it alone, and names itself in the file. Refused it
        # alone: runs holding it shared name themselves in their seats (else the file names one).
        holders = [] if shared else seated_holders(path)
        holder = holders[0] if holders else _read(handle)
        handle.close()
        if seat is not None:
            seat.leave()
        raise AlreadyRunning(what, holder, max(len(holders) - 1, 0))
    # Held shared, nobody holds it alone: whatever the file says is a record of a run that ended.
    previous = None if shared else _read(handle)  # shared holders never leave a lock stale
    handle.seek(0)
    handle.truncate()
    if not shared:
        handle.write(json.dumps(holder_record(name)))
    handle.flush()
    return RunLock(path, handle, previous or None, shared, seat)


def running_command(argv: list[str]) -> str:
    """How a run was started, for the "already running" message: ``photoaudit audit /srv/transfer``
    (the program's own name without its folder; at most 200 characters)."""
    if not argv:
        return ""
    program = argv[0].replace("\\", "/").rsplit("/", 1)[-1]  # a Windows path's folders too
    text = " ".join([program, *argv[1:]])
    return text if len(text) <= 200 else text[:199] + "…"


def _read(handle: IO[str]) -> dict:
    try:
        handle.seek(0)
        data = json.loads(handle.read(4096) or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def windows_locking(msvcrt: Any, sleep: Callable[[float], None] = time.sleep) -> tuple[
    Callable[[IO[str], bool], bool], Callable[[IO[str]], None]
]:
    """The lock's two functions on Windows, ``(try_lock(handle, shared), unlock(handle))``, made
    from ``msvcrt`` (passed in, so the tests can run them anywhere).

    ``msvcrt.locking`` locks bytes, never shared, so: the byte at :data:`_WINDOWS_LOCK_OFFSET`
    is the door, and the :data:`WINDOWS_SHARED_SLOTS` bytes after it are seats. A shared
    holder goes through the door (holds it a moment) and keeps one seat; an exclusive holder
    keeps the door and every seat, so it is refused while anyone sits, and everyone is refused
    while it holds them. A run that finds the door held tries again for half a second, as
    another run taking a shared lock holds it only for a moment.
    """
    held: dict[int, list[int]] = {}  # file number -> the bytes this handle locked

    def lock_byte(handle: IO[str], offset: int) -> bool:
        handle.seek(offset)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            handle.seek(0)
        return True

    def unlock_byte(handle: IO[str], offset: int) -> None:
        handle.seek(offset)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        finally:
            handle.seek(0)

    def try_lock(handle: IO[str], shared: bool = False) -> bool:
        door = _WINDOWS_LOCK_OFFSET
        for _ in range(10):
            if lock_byte(handle, door):
                break
            sleep(0.05)
        else:
            return False
        seats = range(door + 1, door + 1 + WINDOWS_SHARED_SLOTS)
        taken: list[int] = []
        for seat in seats:
            if lock_byte(handle, seat):
                taken.append(seat)
                if shared:
                    break
            elif not shared:
                break
        if (shared and taken) or len(taken) == WINDOWS_SHARED_SLOTS:
            if shared:
                unlock_byte(handle, door)
                held[handle.fileno()] = taken
            else:
                held[handle.fileno()] = [door, *taken]
            return True
        for offset in [*taken, door]:
            unlock_byte(handle, offset)
        return False

    def unlock(handle: IO[str]) -> None:
        for offset in held.pop(handle.fileno(), []):
            unlock_byte(handle, offset)

    return try_lock, unlock


if os.name == "nt":  # pragma: no cover - exercised on Windows; tests/store run windows_locking on Linux
    import msvcrt

    _try_lock, _unlock = windows_locking(msvcrt)

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
