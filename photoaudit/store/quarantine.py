"""Acting on the findings without ever losing a photo: quarantine, restore, purge.

``audit --apply`` moves each photo whose action is ``delete`` into the
quarantine folder (outside the transfer folder), under the audited folder's
name and the photo's relative path. Nothing else is ever removed, except by
``purge``, the one command that really deletes, and only what it was asked to.

Every operation is written to ``manifest.jsonl`` in the quarantine folder, an
append-only file of JSON lines, each flushed to disk before the next step:

1. ``"step": "started"`` with the original path, the new path, the content
   hash (SHA-256), the reason and the time, before anything is touched;
2. the move: an atomic rename on the same filesystem, otherwise a copy to a
   temporary name, flushed to disk, its hash checked, renamed into place, and
   only then the original removed;
3. ``"step": "done"`` (or ``"abandoned"`` with why, when the file was not moved).

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..media.files import NAME_MAX, fit_name, make_private_dir, make_private_file, sha256_file
from ..core.errors import BadValue

MANIFEST_NAME = "manifest.jsonl"
PARTIAL_SUFFIX = ".photoaudit-partial"  # older runs named the copy ".NAME.photoaudit-partial"
PARTIAL_PREFIX = ".photoaudit-"
#: A quarantined photo is readable by its owner only, like the folder it is in.
QUARANTINED_MODE = 0o600
CRASH_EXIT = 86  # exit status of the crash test hook

_crash_counts: dict[str, int] = {}


def now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")



# -- the manifest --------------------------------------------------------------------

class Manifest:
    """The append-only record of every move, restore and purge, one JSON object a line."""

    def __init__(self, quarantine_dir: Path) -> None:
        self.dir = make_private_dir(Path(quarantine_dir).absolute())
        self.path = self.dir / MANIFEST_NAME

    def append(self, entry: dict) -> None:
        """Add one entry and flush it to disk before returning."""
        new = not self.path.exists()
        with self.path.open("a+b") as handle:
            if new:
                make_private_file(self.path)
            handle.seek(0, os.SEEK_END)
            if handle.tell():  # a crash mid-line must not glue two entries together
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")
            handle.write(entry_line(entry))
            handle.flush()
            os.fsync(handle.fileno())
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


def _remove_partials(dest: Path) -> None:
    """Remove an unfinished copy to ``dest`` (the original is still whole)."""
    for partial in (partial_path(dest), _old_partial_path(dest)):
        if partial is not None and os.path.lexists(partial):
            partial.unlink()


def make_private_parents(path: Path, top: Path) -> None:
    """Create ``path``'s parent folders below ``top``, each private."""
    missing = []
    parent = path.parent
    while parent != top and not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        make_private_dir(folder)


def copy_verified(src: Path, dest: Path, sha256: str) -> None:
    """Copy ``src`` to ``dest`` via a temporary name, on disk and checked, never overwriting."""
    tmp = partial_path(dest)
    with src.open("rb") as reader, tmp.open("wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(src, tmp)
    if sha256_file(tmp) != sha256:
        tmp.unlink()
        raise OSError(errno.EIO, f"the copy of {src} does not match the original")
    if dest.exists():
        tmp.unlink()
        raise FileExistsError(errno.EEXIST, "will not overwrite", str(dest))
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def move_file(src: Path, dest: Path, sha256: str) -> None:
    """Move ``src`` to ``dest`` (which must not exist): atomic rename, else verified copy."""
    if dest.exists():
        raise FileExistsError(errno.EEXIST, "will not overwrite", str(dest))
    try:
        if os.environ.get("PHOTOAUDIT_TEST_CROSS_DEVICE") == "1":
            raise OSError(errno.EXDEV, "cross-device move (test)")
        os.rename(src, dest)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        copy_verified(src, dest, sha256)
        _crash_point("copied")
        src.unlink()
    fsync_dir(dest.parent)
    fsync_dir(src.parent)


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


def quarantine(folder: Path, planned: Iterable[Planned], quarantine_dir: Path) -> Outcome:
    """Move each planned photo from ``folder`` into quarantine, recording every move."""
    manifest = Manifest(quarantine_dir)
    outcome = Outcome(recovered=recover(quarantine_dir))
    top = manifest.dir / folder_label(folder)
    taken: set[Path] = set()
    for plan in planned:
        src = folder / plan.relative
        try:
            current = sha256_file(src)
        except OSError:
            outcome.skipped.append((plan.relative, "the file is no longer there or cannot be read"))
            continue
        if current != plan.sha256:
            outcome.skipped.append((plan.relative, "the file changed since it was checked; it will be checked again"))
            continue
        try:
            dest = free_path(top / plan.relative, taken)
        except OSError as err:
            outcome.skipped.append((plan.relative, f"it could not be moved ({err.strerror or err})"))
            continue
        taken.add(dest)
        mode = _mode_of(src)
        start = {
            "id": uuid.uuid4().hex,
            "op": "quarantine",
            "step": "started",
            "original": str(folder.resolve() / plan.relative),
            "quarantined": str(dest),
            "sha256": plan.sha256,
            "reason": plan.reason,
            "folder": str(folder.resolve()),
            "relative": plan.relative,
            "mode": mode,
            "time": now_text(),
        }
        manifest.append(start)
        _crash_point("started")
        try:
            make_private_parents(dest, manifest.dir)
            move_file(src, dest, plan.sha256)
            _set_mode(dest, QUARANTINED_MODE)
        except OSError as err:
            outcome.skipped.append((plan.relative, _undo_failed_move(manifest, start, src, dest, err)))
            continue
        _crash_point("moved")
        end = {"id": start["id"], "op": "quarantine", "step": "done", "time": now_text()}
        manifest.append(end)
        outcome.done.append(_item(start, end))
    return outcome


def _undo_failed_move(manifest: Manifest, start: dict, src: Path, dest: Path, err: OSError) -> str:
    """A move failed part way (permissions, disk full): leave the photo where it was."""
    try:
        _remove_partials(dest)
        if _matches(src, start["sha256"]) and _matches(dest, start["sha256"]):
            dest.unlink()  # the checked copy; the original could not be removed, so it stays
    except OSError:
        pass  # recover() looks again on the next run: the manifest says what was under way
    why = f"it could not be moved ({err.strerror or err})"
    manifest.append({"id": start["id"], "op": start["op"], "step": "abandoned", "why": why, "time": now_text()})
    return why


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def _set_mode(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:  # pragma: no cover - some filesystems (FAT USB sticks) have no modes
        pass


def _started(manifest: Manifest, item_id: str) -> dict:
    """The ``started`` entry of a quarantine move (its original mode, among others)."""
    for entry in manifest.entries():
        if entry.get("id") == item_id and entry.get("step") == "started":
            return entry
    return {}


def _item(start: dict, end: dict) -> Item:
    return Item(
        start["id"], Path(start["original"]), Path(start["quarantined"]), start["sha256"],
        start.get("reason", ""), datetime.fromisoformat(end["time"]),
        start.get("folder", ""), start.get("relative", ""),
    )


# -- finishing what an interrupted run started ------------------------------------------

def _matches(path: Path, sha256: str) -> bool:
    try:
        return path.is_file() and sha256_file(path) == sha256
    except OSError:
        return False


def recover(quarantine_dir: Path) -> list[str]:
    """Finish every operation an interrupted run left half done; say what was done."""
    manifest = Manifest(quarantine_dir)
    said = []
    for op in open_operations(manifest.entries()):
        kind = op.get("op")
        if kind == "purge":
            said.append(_finish_purge(manifest, op))
            continue
        if kind == "quarantine":
            src, dest = Path(op["original"]), Path(op["quarantined"])
        else:  # restore: from quarantine back to the folder
            src, dest = Path(op["quarantined"]), Path(op["restored_to"])
        said.append(_finish_move(manifest, op, src, dest))
    return said


def _finish_move(manifest: Manifest, op: dict, src: Path, dest: Path) -> str:
    sha256, verb = op["sha256"], "moved to quarantine" if op["op"] == "quarantine" else "restored"
    _remove_partials(dest)  # an unfinished copy: the original is still whole
    at_src, at_dest = _matches(src, sha256), _matches(dest, sha256)
    end = {"id": op["id"], "op": op["op"], "time": now_text()}
    if at_dest and at_src:
        src.unlink()  # copied and checked before the crash; only the removal was left
        fsync_dir(src.parent)
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
    if _matches(path, op["sha256"]):
        path.unlink()
        fsync_dir(path.parent)
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
    """Put quarantined photos back where they came from (next to it if that name is taken now)."""
    manifest = Manifest(quarantine_dir)
    outcome = Outcome(recovered=recover(quarantine_dir))
    current = {i.id for i in quarantined_items(manifest.entries())}
    taken: set[Path] = set()
    for item in chosen:
        if item.id not in current:
            continue
        if not _matches(item.quarantined, item.sha256):
            outcome.skipped.append((str(item.quarantined), "it is missing from quarantine or was changed there"))
            continue
        dest = item.original
        try:
            if os.path.lexists(dest) or dest in taken:
                dest = free_path(dest.with_name(fit_name(dest.stem, f" (restored){dest.suffix}")), taken)
        except OSError as err:
            outcome.skipped.append((str(item.original), f"it could not be put back ({err.strerror or err})"))
            continue
        taken.add(dest)
        start = {
            "id": uuid.uuid4().hex, "op": "restore", "step": "started", "item": item.id,
            "original": str(item.original), "quarantined": str(item.quarantined),
            "restored_to": str(dest), "sha256": item.sha256, "time": now_text(),
        }
        manifest.append(start)
        try:
            make_private_dir(dest.parent)  # a sub-folder removed since is made again, private
            move_file(item.quarantined, dest, item.sha256)
            if isinstance(mode := _started(manifest, item.id).get("mode"), int):
                _set_mode(dest, mode)  # as it was before quarantine
        except OSError as err:
            outcome.skipped.append(
                (str(item.original), _undo_failed_move(manifest, start, item.quarantined, dest, err))
            )
            continue
        end = {"id": start["id"], "op": "restore", "step": "done", "time": now_text()}
        manifest.append(end)
        outcome.done.append(Item(item.id, dest, item.quarantined, item.sha256, item.reason,
                                 item.time, item.folder, item.relative))
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
    now = now or datetime.now(timezone.utc)
    items = quarantined_items(Manifest(quarantine_dir).entries())
    return [i for i in items if now - i.time >= older_than]


def purge(quarantine_dir: Path, chosen: Iterable[Item]) -> Outcome:
    """Delete these quarantined photos for good, recording each deletion in the manifest."""
    manifest = Manifest(quarantine_dir)
    outcome = Outcome(recovered=recover(quarantine_dir))
    for item in chosen:
        if not _matches(item.quarantined, item.sha256):
            outcome.skipped.append(
                (str(item.quarantined), "it is missing or is not the photo that was quarantined; not deleted")
            )
            continue
        start = {
            "id": uuid.uuid4().hex, "op": "purge", "step": "started", "item": item.id,
            "original": str(item.original), "quarantined": str(item.quarantined),
            "sha256": item.sha256, "reason": item.reason, "time": now_text(),
        }
        manifest.append(start)
        try:
            item.quarantined.unlink()
            fsync_dir(item.quarantined.parent)
        except OSError as err:
            why = f"it could not be deleted ({err.strerror or err})"
            manifest.append({"id": start["id"], "op": "purge", "step": "abandoned", "why": why, "time": now_text()})
            outcome.skipped.append((str(item.quarantined), why))
            continue
        manifest.append({"id": start["id"], "op": "purge", "step": "done", "time": now_text()})
        outcome.done.append(item)
    return outcome
