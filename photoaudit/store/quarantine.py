"""Acting on the findings without ever losing a photo: quarantine, restore, purge.

``audit --apply`` moves each photo whose action is ``delete`` into the
quarantine folder (outside the transfer folder), under the audited folder's
name and the photo's relative path. Nothing else is ever removed, except by
``purge``, the one command that really deletes, and only what it was asked to.

This module is the one place that moves or deletes a photo, and every move keeps three
promises (each refusal is an entry of :class:`Outcome`'s ``skipped``, with why):

- **never through a link**: every folder on the way is opened one at a time without
  following a link (:func:`reach`); a link anywhere below the top of the filesystem (on the
  audited side) or below the quarantine folder refuses the move;
- **never a file whose content changed since it was judged**: the content is hashed through
  the very file that is then moved, and its size, time and identity are checked again just
  before and just after the move (:class:`Pinned`);
- **never a change to another name of the same file**: a file with other names (hard links)
  is copied, checked and its own name removed, so its permissions are never changed for
  the other names (a rename would carry the quarantine's private mode to every one of them).

Every operation is written to ``manifest.jsonl`` in the quarantine folder, an
append-only file of JSON lines, each flushed to disk before the next step:

1. ``"step": "started"`` with the original path, the new path, the content
   hash (SHA-256), the reason and the time, before anything is touched;
2. the move: a new name made atomically on the same filesystem (never replacing a file),
   then the old name removed; otherwise a copy to a temporary name, flushed to disk, its
   hash checked, put in place, and only then the original removed;
3. ``"step": "done"`` (or ``"abandoned"`` with why, when the file was not moved).

A line that cannot be written whole (a full disk) is taken back, so the manifest never
holds half a line written by photoaudit; a run that cannot write step 1 moves nothing
more, and one that cannot write step 3 says so (the next run finishes it from step 1).

A run that is killed between 1 and 3 leaves a ``started`` without an end;
:func:`recover` (run first by every apply, restore and purge) looks at what is
on disk and finishes it: the photo is then in exactly one place and the
manifest says where.

Test hooks (environment variables, never set in normal use):
``PHOTOAUDIT_TEST_CRASH=STEP:N`` ends the process abruptly at STEP (``started``,
``copied`` or ``moved``) of the N-th move; ``PHOTOAUDIT_TEST_CROSS_DEVICE=1``
moves by copying even on one filesystem.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..core.errors import BadValue
from ..media.files import NAME_MAX, fit_name, make_private_dir, make_private_file

MANIFEST_NAME = "manifest.jsonl"
PARTIAL_SUFFIX = ".photoaudit-partial"  # older runs named the copy ".NAME.photoaudit-partial"
PARTIAL_PREFIX = ".photoaudit-"
#: A quarantined photo is readable by its owner only, like the folder it is in.
QUARANTINED_MODE = 0o600
CRASH_EXIT = 86  # exit status of the crash test hook
#: Errors that say there is no room left for a file to grow: a full disk, a quota, a size limit.
NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
#: Errors that say a filesystem cannot make a second name for a file (FAT, some network shares).
_NO_LINKS = {errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EINVAL}

_crash_counts: dict[str, int] = {}


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")



# -- the manifest --------------------------------------------------------------------

class ManifestNotWritten(OSError):
    """A manifest line could not be written whole (a full disk, say); nothing of it was kept."""


class Manifest:
    """The append-only record of every move, restore and purge, one JSON object a line."""

    def __init__(self, quarantine_dir: Path) -> None:
        self.dir = make_private_dir(Path(quarantine_dir).absolute())
        self.path = self.dir / MANIFEST_NAME

    def append(self, entry: dict) -> None:
        """Add one entry and flush it to disk before returning.

        All or nothing: a line that cannot be written whole (no space left, say) is cut off
        again, and :class:`ManifestNotWritten` says why.
        """
        new = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try:
            if new:
                make_private_file(self.path)
            size = os.fstat(fd).st_size
            glue = b"\n" if size and _byte_at(fd, size - 1) != b"\n" else b""  # after a line cut short
            try:
                write_all(fd, glue + entry_line(entry))
                os.fsync(fd)
            except OSError as err:
                try:
                    os.ftruncate(fd, size)  # never leave half a line behind
                except OSError:
                    pass  # entries() skips a line it cannot read, and the next append starts afresh
                raise ManifestNotWritten(err.errno, err.strerror or str(err), str(self.path)) from err
        finally:
            os.close(fd)
        if new:
            fsync_dir(self.dir)

    def entries(self) -> list[dict]:
        """Every readable entry, oldest first (a line cut short by a crash is skipped)."""
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "id" in entry and "step" in entry:
                found.append(entry)
        return found


def _byte_at(fd: int, offset: int) -> bytes:
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, 1)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (``os.write`` may write fewer), or raise OSError."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - a write that makes no progress
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def entry_line(entry: dict) -> bytes:
    """One manifest line. A path that is not valid UTF-8 is kept exactly, as JSON's \\udcXX
    escapes (Python's surrogate escapes: reading the line gives the same bytes back)."""
    try:
        return json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(entry, ensure_ascii=True).encode("ascii") + b"\n"


@dataclass(frozen=True)
class Item:
    """A photo in quarantine, as the manifest records it."""

    id: str
    original: Path
    quarantined: Path
    sha256: str
    reason: str
    time: datetime  # when it was moved into quarantine
    folder: str
    relative: str


def open_operations(entries: Iterable[dict]) -> list[dict]:
    """Operations started but neither done nor abandoned (a run was interrupted)."""
    started: dict[str, dict] = {}
    for entry in entries:
        if entry["step"] == "started":
            started[entry["id"]] = entry
        else:
            started.pop(entry["id"], None)
    return list(started.values())


def quarantined_items(entries: Iterable[dict]) -> list[Item]:
    """Photos now in quarantine: moved in, and not restored or purged since."""
    items: dict[str, Item] = {}
    starts: dict[str, dict] = {}
    for entry in entries:
        if entry["step"] == "started":
            starts[entry["id"]] = entry
            continue
        start = starts.get(entry["id"], entry)
        if entry["step"] != "done":
            continue
        op = start.get("op")
        if op == "quarantine":
            items[start["id"]] = Item(
                start["id"],
                Path(start["original"]),
                Path(start["quarantined"]),
                start["sha256"],
                start.get("reason", ""),
                datetime.fromisoformat(entry.get("time", start["time"])),
                start.get("folder", ""),
                start.get("relative", ""),
            )
        elif op in ("restore", "purge"):
            items.pop(start.get("item", ""), None)
    return sorted(items.values(), key=lambda i: (i.time, str(i.original)))


# -- reaching a file without following a link ---------------------------------------------

class LinkInTheWay(OSError):
    """A folder on the way to a file is a link: photoaudit never moves a photo through one."""

    def __init__(self, link: Path) -> None:
        super().__init__(errno.ELOOP, f"{link} is a link, and photoaudit never moves a photo through a link",
                         str(link))
        self.link = link


@dataclass(frozen=True)
class Spot:
    """A name in a folder that was reached without following any link.

    ``folder`` is the open folder (a file descriptor) and ``name`` the name in it; where the
    system has no such descriptors (Windows) ``folder`` is None and ``name`` the whole path,
    every folder on the way having been checked not to be a link.
    """

    folder: int | None
    name: str
    path: Path

    def beside(self, name: str) -> Spot:
        """Another name in the same folder."""
        path = self.path.with_name(name)
        return Spot(self.folder, name if self.folder is not None else str(path), path)


#: True where files can be opened, moved and removed relative to an open folder (not Windows).
_DIR_FDS = {os.open, os.rename, os.unlink, os.link, os.stat, os.mkdir} <= os.supports_dir_fd


def _is_link(path: Path) -> bool:
    return os.path.islink(path) or bool(getattr(os.path, "isjunction", lambda p: False)(path))


def _walk_without_links(folders: list[str], start: Path, create: Path | None) -> int | None:
    """Open each of ``folders`` below ``start`` in turn, never through a link; the last one's
    descriptor (None on Windows). A missing folder below ``create`` is made (0700)."""
    if not _DIR_FDS:  # pragma: no cover - Windows: check each folder, then use whole paths
        here = start
        for name in folders:
            here = here / name
            if _is_link(here):
                raise LinkInTheWay(here)
            if create is not None and create in here.parents and not os.path.lexists(here):
                make_private_dir(here)
            if not os.path.isdir(here):
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(here))
        return None
    # The folders on the way need only be passed through (O_PATH, where there is one: a parent
    # folder that others may enter but not list, as some home folders are); the last one is
    # opened for reading, so a move in it can be made durable (fsync).
    readable = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    passing = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)
    fd = os.open(start, readable if not folders else passing)
    here = start
    try:
        for n, name in enumerate(folders):
            here = here / name
            flags = readable if n == len(folders) - 1 else passing
            try:
                inner = os.open(name, flags | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                if create is None or create not in here.parents:
                    raise
                try:
                    os.mkdir(name, 0o700, dir_fd=fd)
                    os.chmod(name, 0o700, dir_fd=fd)  # mkdir's mode is cut by the umask; this is not
                except FileExistsError:
                    pass  # made by another process just now
                inner = os.open(name, flags | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as err:
                if err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and _is_link(here):
                    raise LinkInTheWay(here) from None
                raise
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def reach(path: Path, top: Path | None = None, create: Path | None = None) -> Iterator[Spot]:
    """``path``'s name in its folder, every folder on the way opened without following a link.

    From ``top`` (a folder of photoaudit's own, such as the quarantine, taken as it is) when
    ``path`` is below it, else from the top of the filesystem. Missing folders below
    ``create`` are made private (0700). Raises :class:`LinkInTheWay` for a link on the way.
    """
    path = Path(os.path.abspath(path))
    start = Path(path.anchor)
    if top is not None:
        top = Path(os.path.abspath(top))
        if top == path.parent or top in path.parents:
            start = top
    folders = list(path.parent.relative_to(start).parts)
    fd = _walk_without_links(folders, start, None if create is None else Path(os.path.abspath(create)))
    try:
        yield Spot(fd, path.name if fd is not None else str(path), path)
    finally:
        if fd is not None:
            os.close(fd)


def _lstat(spot: Spot) -> os.stat_result:
    return os.stat(spot.name, dir_fd=spot.folder, follow_symlinks=False)


def _exists(spot: Spot) -> bool:
    try:
        _lstat(spot)
    except FileNotFoundError:
        return False
    return True


def _open_regular(spot: Spot) -> int:
    """A descriptor of the regular file at ``spot`` (never a link, pipe or device)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(spot.name, flags, dir_fd=spot.folder)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "it is not a regular file", str(spot.path))
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def _hash_fd(fd: int) -> str:
    """The SHA-256 of an open file's bytes, from its start."""
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _unlink(spot: Spot) -> None:
    os.unlink(spot.name, dir_fd=spot.folder)


def _fsync_folder(spot: Spot) -> None:
    if spot.folder is not None:
        os.fsync(spot.folder)
    else:  # pragma: no cover - Windows
        fsync_dir(spot.path.parent)


def _new_name(old: Spot, new: Spot) -> None:
    """Give the file at ``old`` the name ``new`` too, atomically, never replacing a file there;
    where the filesystem has no second names (FAT), a rename once ``new`` was seen free."""
    never_follow = {"follow_symlinks": False} if os.link in os.supports_follow_symlinks else {}
    try:
        os.link(old.name, new.name, src_dir_fd=old.folder, dst_dir_fd=new.folder, **never_follow)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "will not overwrite", str(new.path)) from None
    except OSError as err:
        if err.errno not in _NO_LINKS:
            raise
        if _exists(new):
            raise FileExistsError(errno.EEXIST, "will not overwrite", str(new.path)) from None
        os.rename(old.name, new.name, src_dir_fd=old.folder, dst_dir_fd=new.folder)
        return
    _unlink(old)


def _matches(spot: Spot, sha256: str) -> bool:
    try:
        fd = _open_regular(spot)
    except OSError:
        return False
    try:
        return _hash_fd(fd) == sha256
    except OSError:
        return False
    finally:
        os.close(fd)


# -- moving one file safely -------------------------------------------------------------

def fsync_dir(path: Path) -> None:
    """Make a rename or removal in ``path`` durable (POSIX; Windows has no directory fsync)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _crash_point(step: str) -> None:
    """The crash test hook: end the process here when PHOTOAUDIT_TEST_CRASH says so."""
    wanted = os.environ.get("PHOTOAUDIT_TEST_CRASH", "")
    if not wanted.startswith(step + ":"):
        return
    _crash_counts[step] = _crash_counts.get(step, 0) + 1
    if str(_crash_counts[step]) == wanted.split(":", 1)[1]:
        os._exit(CRASH_EXIT)


def partial_path(dest: Path) -> Path:
    """The temporary name of a copy to ``dest``: short whatever the name (a 255-byte name fits)."""
    digest = hashlib.sha256(os.fsencode(dest.name)).hexdigest()[:20]
    return dest.with_name(f"{PARTIAL_PREFIX}{digest}.partial")


def _old_partial_path(dest: Path) -> Path | None:
    """The temporary name older versions used, where it is a name the filesystem allows."""
    name = f".{dest.name}{PARTIAL_SUFFIX}"
    return dest.with_name(name) if len(os.fsencode(name)) <= NAME_MAX else None


def _remove_partials(dest: Spot) -> None:
    """Remove an unfinished copy to ``dest`` (the original is still whole)."""
    for partial in (partial_path(dest.path), _old_partial_path(dest.path)):
        if partial is not None:
            spot = dest.beside(partial.name)
            if _exists(spot):
                _unlink(spot)


class ContentChanged(OSError):
    """The file is not the one that was judged (or it changed while being moved)."""


@dataclass(frozen=True)
class Pinned:
    """What a file was when its content was checked: its hash, identity, size and time."""

    sha256: str
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, fd: int, sha256: str) -> Pinned:
        info = os.fstat(fd)
        return cls(sha256, info.st_ino, info.st_size, info.st_mtime_ns)

    def holds(self, info: os.stat_result) -> bool:
        return (info.st_ino, info.st_size, info.st_mtime_ns) == (self.inode, self.size, self.mtime_ns)


def pin(spot: Spot, sha256: str) -> Pinned:
    """Check that the file at ``spot`` has the content ``sha256`` (hashed through one open file,
    unchanged while hashed); raises ContentChanged when it does not, OSError when unreadable."""
    fd = _open_regular(spot)
    try:
        before = os.fstat(fd)
        digest = _hash_fd(fd)
        pinned = Pinned.of(fd, digest)
    finally:
        os.close(fd)
    if digest != sha256 or not pinned.holds(before):
        raise ContentChanged(errno.EBUSY, "the file changed since it was checked")
    return pinned


def _still(spot: Spot, pinned: Pinned, fd: int) -> None:
    """Raise ContentChanged unless the open file and the name both still are what was pinned."""
    if not pinned.holds(os.fstat(fd)) or not pinned.holds(_lstat(spot)):
        raise ContentChanged(errno.EBUSY, "the file changed while it was being moved")


def copy_verified(fd: int, dest: Spot, sha256: str) -> Spot:
    """Copy the open file ``fd`` to a temporary name beside ``dest``, on disk and checked;
    returns that name (the caller puts it in place)."""
    tmp = dest.beside(partial_path(dest.path).name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    out = os.open(tmp.name, flags, 0o600, dir_fd=tmp.folder)
    try:
        with os.fdopen(os.dup(fd), "rb") as reader, os.fdopen(out, "wb") as writer:
            reader.seek(0)
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
            info = os.fstat(fd)
            if os.utime in os.supports_fd:
                os.utime(writer.fileno(), ns=(info.st_atime_ns, info.st_mtime_ns))
        if not _matches(tmp, sha256):
            raise OSError(errno.EIO, f"the copy of {dest.path.name} does not match the original")
    except BaseException:
        if _exists(tmp):
            _unlink(tmp)
        raise
    return tmp


def move_file(src: Spot, dest: Spot, pinned: Pinned, mode: int | None = None) -> None:
    """Move the file at ``src`` to ``dest`` (which must not exist), if it is still what was pinned.

    A new name on the same filesystem, else a verified copy; a file with other names (hard
    links) is always copied, so nothing is changed for its other names. ``mode`` is set on the
    moved file only (never on an inode another name shares).
    """
    fd = _open_regular(src)
    try:
        _still(src, pinned, fd)
        if _exists(dest):
            raise FileExistsError(errno.EEXIST, "will not overwrite", str(dest.path))
        shared = os.fstat(fd).st_nlink > 1
        try:
            if shared or os.environ.get("PHOTOAUDIT_TEST_CROSS_DEVICE") == "1":
                raise OSError(errno.EXDEV, "moved by a copy")
            _new_name(src, dest)
        except OSError as err:
            if err.errno != errno.EXDEV:
                raise
            tmp = copy_verified(fd, dest, pinned.sha256)
            try:
                _still(src, pinned, fd)
                _new_name(tmp, dest)
            except BaseException:
                if _exists(tmp):
                    _unlink(tmp)
                raise
            _fsync_folder(dest)
            _crash_point("copied")
            _unlink(src)
            if mode is not None:
                _set_mode(dest, mode)
        else:
            if not pinned.holds(os.fstat(fd)):  # written to while it moved: put it back, untouched
                _new_name(dest, src)
                raise ContentChanged(errno.EBUSY, "the file changed while it was being moved")
            if mode is not None:
                _set_mode_fd(fd, mode)  # its one name now: no other name shares this change
    finally:
        os.close(fd)
    _fsync_folder(dest)
    _fsync_folder(src)


def free_path(wanted: Path, taken: set[Path]) -> Path:
    """``wanted``, or ``name (2).ext``, ``name (3).ext``... whichever does not exist yet."""
    candidate, n = wanted, 1
    while os.path.lexists(candidate) or os.path.lexists(partial_path(candidate)) or candidate in taken:
        n += 1
        candidate = wanted.with_name(fit_name(wanted.stem, f" ({n}){wanted.suffix}"))
    return candidate


# -- quarantine ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    """A photo to move: where it is in the audited folder, its content, and why."""

    relative: str
    sha256: str
    reason: str


@dataclass
class Outcome:
    """What an apply, restore or purge did, for the report, the log and the person."""

    done: list[Item] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, why not
    recovered: list[str] = field(default_factory=list)  # what an interrupted run left, finished
    stopped: str | None = None  # why it stopped part way (its record could not be written), if it did


def folder_label(folder: Path) -> str:
    return folder.resolve().name or "folder"


def check_outside(quarantine_dir: Path, folder: Path) -> str | None:
    """Why this quarantine folder cannot be used for this audited folder, or None."""
    q, f = quarantine_dir.resolve(), folder.resolve()
    if q == f or f in q.parents:
        return f"The quarantine folder {quarantine_dir} is inside the folder being audited; choose one outside it."
    if q in f.parents:
        return f"The folder being audited is inside the quarantine folder {quarantine_dir}."
    return None


def why_not_moved(err: OSError, verb: str = "moved") -> str:
    """Why a file was not moved (or put back, or deleted), in a manager's words."""
    if isinstance(err, LinkInTheWay):
        return (f"{err.link} is a link now, and photoaudit never moves a photo through a link: "
                f"it was not {verb}. Look at where the link points")
    if isinstance(err, ContentChanged):
        return f"{err.strerror}; it was not {verb}, and will be checked again"
    if isinstance(err, FileNotFoundError):
        return "the file is no longer there or cannot be read"
    return f"it could not be {verb} ({err.strerror or err})"


def stopped_words(err: OSError, verb: str = "moved") -> str:
    """Why a run did nothing more: its record (the manifest) could not be written."""
    if err.errno in NO_ROOM:
        return (f"the quarantine's disk is full, so photoaudit could not write its record ({MANIFEST_NAME}) "
                f"and {verb} nothing more. Free some space there, then run it again")
    return f"photoaudit could not write its record ({MANIFEST_NAME}: {err.strerror or err}), so it {verb} nothing more"


def _stop(outcome: Outcome, remaining: Iterable[str], err: OSError, verb: str = "moved") -> Outcome:
    """End a run whose manifest cannot be written: everything left is listed as not done."""
    outcome.stopped = stopped_words(err, verb)
    short = "the quarantine's disk is full" if err.errno in NO_ROOM else \
        f"photoaudit could not write its record ({err.strerror or err})"
    outcome.skipped.extend((path, f"not {verb}: {short}") for path in remaining)
    return outcome


def quarantine(folder: Path, planned: Iterable[Planned], quarantine_dir: Path) -> Outcome:
    """Move each planned photo from ``folder`` into quarantine, recording every move."""
    manifest = Manifest(quarantine_dir)
    planned = list(planned)
    outcome = Outcome()
    try:
        outcome.recovered = recover(quarantine_dir)
    except ManifestNotWritten as err:
        return _stop(outcome, [p.relative for p in planned], err)
    root = folder.resolve()
    top = manifest.dir / folder_label(folder)
    taken: set[Path] = set()
    for n, plan in enumerate(planned):
        original = root / plan.relative
        try:
            with reach(original) as src:
                pinned = pin(src, plan.sha256)
                mode = stat.S_IMODE(_lstat(src).st_mode)
            dest = free_path(top / plan.relative, taken)
        except OSError as err:
            outcome.skipped.append((plan.relative, why_not_moved(err)))
            continue
        taken.add(dest)
        start = {
            "id": uuid.uuid4().hex,
            "op": "quarantine",
            "step": "started",
            "original": str(original),
            "quarantined": str(dest),
            "sha256": plan.sha256,
            "reason": plan.reason,
            "folder": str(root),
            "relative": plan.relative,
            "mode": mode,
            "time": now_text(),
        }
        try:
            manifest.append(start)
        except ManifestNotWritten as err:
            return _stop(outcome, [p.relative for p in planned[n:]], err)
        _crash_point("started")
        try:
            with reach(original) as src, reach(dest, top=manifest.dir, create=manifest.dir) as there:
                move_file(src, there, pinned, QUARANTINED_MODE)
        except OSError as err:
            try:
                outcome.skipped.append((plan.relative, _undo_failed_move(manifest, start, err)))
            except ManifestNotWritten as full:
                outcome.skipped.append((plan.relative, why_not_moved(err)))
                return _stop(outcome, [p.relative for p in planned[n + 1:]], full)
            continue
        _crash_point("moved")
        end = {"id": start["id"], "op": "quarantine", "step": "done", "time": now_text()}
        outcome.done.append(_item(start, end))
        try:
            manifest.append(end)
        except ManifestNotWritten as err:  # moved, and its start is recorded: the next run records the end
            return _stop(outcome, [p.relative for p in planned[n + 1:]], err)
    return outcome


def _undo_failed_move(manifest: Manifest, start: dict, err: OSError) -> str:
    """A move failed part way (permissions, disk full): leave the photo where it was."""
    src, dest = (Path(start["original"]), Path(start["quarantined"])) if start["op"] == "quarantine" \
        else (Path(start["quarantined"]), Path(start["restored_to"]))
    try:
        _remove_partials_of(dest, manifest.dir)
        if _holds(src, start["sha256"], manifest.dir) and _holds(dest, start["sha256"], manifest.dir):
            _remove(dest, manifest.dir)  # the checked copy; the original could not be removed, so it stays
    except OSError:
        pass  # recover() looks again on the next run: the manifest says what was under way
    why = why_not_moved(err, "moved" if start["op"] == "quarantine" else "put back")
    manifest.append({"id": start["id"], "op": start["op"], "step": "abandoned", "why": why, "time": now_text()})
    return why


def _set_mode_fd(fd: int, mode: int) -> None:
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
    except OSError:  # pragma: no cover - some filesystems (FAT USB sticks) have no modes
        pass


def _set_mode(spot: Spot, mode: int) -> None:
    """Set the mode of the file at ``spot`` (a file of its own: never one with other names)."""
    try:
        fd = _open_regular(spot)
    except OSError:  # pragma: no cover
        return
    try:
        if hasattr(os, "fchmod"):
            _set_mode_fd(fd, mode)
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(spot.path, mode)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _item(start: dict, end: dict) -> Item:
    return Item(
        start["id"], Path(start["original"]), Path(start["quarantined"]), start["sha256"],
        start.get("reason", ""), datetime.fromisoformat(end["time"]),
        start.get("folder", ""), start.get("relative", ""),
    )


# -- finishing what an interrupted run started ------------------------------------------

def _holds(path: Path, sha256: str, top: Path) -> bool:
    """True when ``path`` (reached without a link; LinkInTheWay otherwise) has this content."""
    try:
        with reach(path, top=top) as spot:
            return _matches(spot, sha256)
    except LinkInTheWay:
        raise
    except OSError:
        return False


def _remove(path: Path, top: Path) -> None:
    with reach(path, top=top) as spot:
        _unlink(spot)
        _fsync_folder(spot)


def _remove_partials_of(dest: Path, top: Path) -> None:
    try:
        with reach(dest, top=top) as spot:
            _remove_partials(spot)
    except LinkInTheWay:
        raise
    except OSError:
        pass  # its folder is not there: no copy was started


def recover(quarantine_dir: Path) -> list[str]:
    """Finish every operation an interrupted run left half done; say what was done."""
    manifest = Manifest(quarantine_dir)
    said = []
    for op in open_operations(manifest.entries()):
        kind = op.get("op")
        try:
            if kind == "purge":
                said.append(_finish_purge(manifest, op))
                continue
            if kind == "quarantine":
                src, dest = Path(op["original"]), Path(op["quarantined"])
            else:  # restore: from quarantine back to the folder
                src, dest = Path(op["quarantined"]), Path(op["restored_to"])
            said.append(_finish_move(manifest, op, src, dest))
        except LinkInTheWay as err:
            said.append(
                f"WARNING: an interrupted run was moving {op.get('original', '?')}, and {err.link} is a link "
                "now: photoaudit never moves a photo through a link, so it left that move as it was. "
                "Put the folder back, then run photoaudit again."
            )
    return said


def _finish_move(manifest: Manifest, op: dict, src: Path, dest: Path) -> str:
    sha256, verb = op["sha256"], "moved to quarantine" if op["op"] == "quarantine" else "restored"
    _remove_partials_of(dest, manifest.dir)  # an unfinished copy: the original is still whole
    at_src, at_dest = _holds(src, sha256, manifest.dir), _holds(dest, sha256, manifest.dir)
    end = {"id": op["id"], "op": op["op"], "time": now_text()}
    if at_dest and at_src:
        _remove(src, manifest.dir)  # copied and checked before the crash; only the removal was left
    if at_dest:
        manifest.append({**end, "step": "done", "recovered": True})
        return f"Finished an interrupted move: {src} {verb} as {dest}."
    if at_src:
        manifest.append({**end, "step": "abandoned", "why": "interrupted before the file moved"})
        return f"An interrupted run had not moved {src} yet; it is still where it was."
    manifest.append({**end, "step": "abandoned", "why": "the file is in neither place"})
    return (
        f"WARNING: an interrupted run was moving {src} to {dest}, and the file with that content "
        "is now in neither place. Look for it; photoaudit never deletes during a move."
    )


def _finish_purge(manifest: Manifest, op: dict) -> str:
    path = Path(op["quarantined"])
    if _holds(path, op["sha256"], manifest.dir):
        _remove(path, manifest.dir)
    manifest.append({"id": op["id"], "op": "purge", "step": "done", "time": now_text(), "recovered": True})
    return f"Finished an interrupted purge: {path} deleted."


# -- restore ----------------------------------------------------------------------------

def select(items: list[Item], wanted: Iterable[str]) -> tuple[list[Item], list[str]]:
    """Items named by original path (full or relative) or quarantined path; and names matching none."""
    chosen: dict[str, Item] = {}
    unknown = []
    for name in wanted:
        resolved = str(Path(name).absolute())
        hits = [
            i for i in items
            if name in (i.relative, str(i.original), str(i.quarantined))
            or resolved in (str(i.original), str(i.quarantined))
        ]
        if not hits:
            unknown.append(name)
        for item in hits:
            chosen[item.id] = item
    return sorted(chosen.values(), key=lambda i: (i.time, str(i.original))), unknown


def restore(quarantine_dir: Path, chosen: Iterable[Item]) -> Outcome:
    """Put quarantined photos back where they came from (next to it if that name is taken now).

    Never through a link: a folder on the way back that is a link now refuses that photo
    (it stays in quarantine, listed with why). Missing folders are made again only below the
    audited folder; when the audited folder itself is not there (a share not mounted), the
    photo stays in quarantine.
    """
    manifest = Manifest(quarantine_dir)
    outcome = Outcome(recovered=recover(quarantine_dir))
    entries = manifest.entries()
    current = {i.id for i in quarantined_items(entries)}
    modes = {e["id"]: e.get("mode") for e in entries if e.get("step") == "started" and e.get("op") == "quarantine"}
    taken: set[Path] = set()
    chosen = [item for item in chosen if item.id in current]
    for n, item in enumerate(chosen):
        try:
            with reach(item.quarantined, top=manifest.dir) as src:
                pinned = pin(src, item.sha256)
        except LinkInTheWay as err:
            outcome.skipped.append((str(item.quarantined), why_not_moved(err, "put back")))
            continue
        except OSError:
            outcome.skipped.append((str(item.quarantined), "it is missing from quarantine or was changed there"))
            continue
        below = Path(item.folder) if item.folder else None
        if below is not None and not os.path.isdir(below):
            outcome.skipped.append((str(item.original), f"the folder it came from, {below}, is not there (a share "
                                    "not connected?): it stays in quarantine until the folder is back"))
            continue
        try:
            with reach(item.original, create=below) as back:  # a link on the way: refused here
                dest = item.original
                if _exists(back) or dest in taken:
                    dest = free_path(dest.with_name(fit_name(dest.stem, f" (restored){dest.suffix}")), taken)
        except OSError as err:
            outcome.skipped.append((str(item.original), why_not_moved(err, "put back")))
            continue
        taken.add(dest)
        start = {
            "id": uuid.uuid4().hex, "op": "restore", "step": "started", "item": item.id,
            "original": str(item.original), "quarantined": str(item.quarantined),
            "restored_to": str(dest), "sha256": item.sha256, "time": now_text(),
        }
        try:
            manifest.append(start)
        except ManifestNotWritten as err:
            return _stop(outcome, [str(i.original) for i in chosen[n:]], err, "put back")
        mode = modes.get(item.id)
        try:
            with reach(item.quarantined, top=manifest.dir) as src, reach(dest, create=below) as there:
                move_file(src, there, pinned, mode if isinstance(mode, int) else None)  # as it was before
        except OSError as err:
            try:
                outcome.skipped.append((str(item.original), _undo_failed_move(manifest, start, err)))
            except ManifestNotWritten as full:
                outcome.skipped.append((str(item.original), why_not_moved(err, "put back")))
                return _stop(outcome, [str(i.original) for i in chosen[n + 1:]], full, "put back")
            continue
        outcome.done.append(Item(item.id, dest, item.quarantined, item.sha256, item.reason,
                                 item.time, item.folder, item.relative))
        try:
            manifest.append({"id": start["id"], "op": "restore", "step": "done", "time": now_text()})
        except ManifestNotWritten as err:
            return _stop(outcome, [str(i.original) for i in chosen[n + 1:]], err, "put back")
    return outcome


# -- purge: the only real deletion ---------------------------------------------------------

_AGE = re.compile(r"^\s*(\d+)\s*([dwh])\s*$", re.IGNORECASE)


def parse_age(text: str) -> timedelta:
    """'30d', '4w' or '12h' as a time span."""
    found = _AGE.match(text)
    if not found:
        raise BadValue(f"{text!r} is not an age like 30d (days), 4w (weeks) or 12h (hours).")
    n, unit = int(found.group(1)), found.group(2).lower()
    try:
        return {"d": lambda: timedelta(days=n), "w": lambda: timedelta(weeks=n), "h": lambda: timedelta(hours=n)}[unit]()
    except OverflowError:  # more than about 2.7 million years
        raise BadValue(f"--older-than {text.strip()} is longer than any photo can have been in quarantine: "
                       "give an age like 30d (days), 4w (weeks) or 12h (hours).") from None


def purgeable(quarantine_dir: Path, older_than: timedelta, now: datetime | None = None) -> list[Item]:
    """Photos that have been in quarantine longer than ``older_than``."""
    now = now or datetime.now(UTC)
    items = quarantined_items(Manifest(quarantine_dir).entries())
    return [i for i in items if now - i.time >= older_than]


def purge(quarantine_dir: Path, chosen: Iterable[Item]) -> Outcome:
    """Delete these quarantined photos for good, recording each deletion in the manifest."""
    manifest = Manifest(quarantine_dir)
    outcome = Outcome(recovered=recover(quarantine_dir))
    chosen = list(chosen)
    for n, item in enumerate(chosen):
        try:
            here = _holds(item.quarantined, item.sha256, manifest.dir)
        except LinkInTheWay as err:
            outcome.skipped.append((str(item.quarantined), why_not_moved(err, "deleted")))
            continue
        if not here:
            outcome.skipped.append(
                (str(item.quarantined), "it is missing or is not the photo that was quarantined; not deleted")
            )
            continue
        start = {
            "id": uuid.uuid4().hex, "op": "purge", "step": "started", "item": item.id,
            "original": str(item.original), "quarantined": str(item.quarantined),
            "sha256": item.sha256, "reason": item.reason, "time": now_text(),
        }
        try:
            manifest.append(start)
        except ManifestNotWritten as err:
            return _stop(outcome, [str(i.quarantined) for i in chosen[n:]], err, "deleted")
        try:
            _remove(item.quarantined, manifest.dir)
        except OSError as err:
            why = f"it could not be deleted ({err.strerror or err})"
            outcome.skipped.append((str(item.quarantined), why))
            try:
                manifest.append({"id": start["id"], "op": "purge", "step": "abandoned", "why": why,
                                 "time": now_text()})
            except ManifestNotWritten as full:
                return _stop(outcome, [str(i.quarantined) for i in chosen[n + 1:]], full, "deleted")
            continue
        outcome.done.append(item)
        try:
            manifest.append({"id": start["id"], "op": "purge", "step": "done", "time": now_text()})
        except ManifestNotWritten as err:
            return _stop(outcome, [str(i.quarantined) for i in chosen[n + 1:]], err, "deleted")
    return outcome
