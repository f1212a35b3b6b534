"""Walk the transfer folder and list every file in it, photo, video or other.

The rules, in one place (docs/rules.md R11: nothing in the transfer folder is silently
skipped; docs/rules.md "Every file gets a row"):

- Every file gets a row, whatever its name: hidden files (``.X.jpg``), files in
  ``.cache/`` or ``__MACOSX/``, names that look like photoaudit's own outputs. What a
  file is (photo, video, other) is judged by its content when its name does not say.
- Skipped, and listed with the reason, are only files that are provably not photos:
  macOS resource forks (AppleDouble ``._X`` files, by their content), Finder's
  ``.DS_Store`` (by its content), Windows' ``desktop.ini`` (text), and the excluded
  paths (photoaudit's own state and quarantine folders).
- Thumbnail caches (``Thumbs.db`` and the like) hold small copies of photos: they get
  a row that flags them for deletion.
- Only regular files are ever opened. A link (never followed), a named pipe, a socket
  or a device gets its own row saying what it is; so does a sub-folder that cannot be
  read (its photos were not checked).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..core.models import MediaKind
from .files import open_regular
from .imaging import PHOTO_SUFFIXES, VIDEO_SUFFIXES, sniff

_LINK_TAGS = frozenset({0xA000000C, 0xA0000003})  # IO_REPARSE_TAG_SYMLINK, _MOUNT_POINT (junction)
_HEAD_BYTES = 512
_APPLEDOUBLE_MAGIC = b"\x00\x05\x16\x07"
_DS_STORE_MAGIC = b"\x00\x00\x00\x01Bud1"
#: Windows, macOS and Android thumbnail caches: small copies of the photos in the folder.
THUMBNAIL_CACHE_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db"})
_THUMBNAIL_CACHE_PREFIXES = ("thumbcache_", ".thumbdata")




class Entry(str, Enum):
    """What a name in the folder is on disk; only FILE and THUMBNAIL_CACHE are ever opened."""

    FILE = "file"
    THUMBNAIL_CACHE = "thumbnail_cache"  # a regular file: small copies of photos
    LINK = "link"
    FOLDER = "folder"  # a sub-folder that could not be read
    FIFO = "fifo"
    SOCKET = "socket"
    DEVICE = "device"

    @property
    def opened(self) -> bool:
        return self in (Entry.FILE, Entry.THUMBNAIL_CACHE)


@dataclass(frozen=True)
class MediaFile:
    """One file found in the audited folder."""

    path: Path
    #: POSIX-style path relative to the audited folder. A name that is not valid UTF-8
    #: keeps its bytes as Python's surrogate escapes (lossless: ``os.fsencode`` gives them
    #: back); :func:`shown` is how it is printed.
    relative: str
    kind: MediaKind
    size: int
    entry: Entry = Entry.FILE
    detail: str = ""  # for a folder that could not be read: why


@dataclass(frozen=True)
class Skipped:
    """A file the audit did not check, and why (every report lists these)."""

    relative: str
    reason: str


@dataclass
class Listing:
    """Everything found in a folder: the files to give a row, and the files skipped."""

    files: list[MediaFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def kind_of(name: str) -> MediaKind:
    """PHOTO, VIDEO or OTHER from the file name's extension (any case)."""
    suffix = Path(name).suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        return MediaKind.PHOTO
    if suffix in VIDEO_SUFFIXES:
        return MediaKind.VIDEO
    return MediaKind.OTHER


def kind_from_content(head: bytes) -> MediaKind:
    """PHOTO or VIDEO when a file's first bytes say so, else OTHER."""
    fmt, looks_like = sniff(head)
    if fmt is not None:
        return MediaKind.PHOTO
    return MediaKind.VIDEO if looks_like == "a video" else MediaKind.OTHER


def is_thumbnail_cache_name(name: str) -> bool:
    lower = name.lower()
    return lower in THUMBNAIL_CACHE_NAMES or lower.startswith(_THUMBNAIL_CACHE_PREFIXES)


def needs_head(name: str) -> bool:
    """True when the name alone cannot say what the file is (its first bytes are read)."""
    lower = name.lower()
    return (
        kind_of(name) is MediaKind.OTHER
        or lower.startswith("._")
        or lower in (".ds_store", "desktop.ini")
        or is_thumbnail_cache_name(name)
    )


def skip_reason(name: str, head: bytes) -> str | None:
    """Why a file with this name and these first bytes is provably not a photo, or None."""
    lower = name.lower()
    if lower.startswith("._") and head.startswith(_APPLEDOUBLE_MAGIC):
        return "macOS file information (an AppleDouble '._' file), not a photo"
    if lower == ".ds_store" and head.startswith(_DS_STORE_MAGIC):
        return "Finder folder settings (.DS_Store), not a photo"
    if lower == "desktop.ini" and sniff(head)[1] == "a text file":
        return "Windows folder settings (desktop.ini), not a photo"
    return None


def is_thumbnail_cache(name: str, head: bytes) -> bool:
    """A thumbnail cache by its name, unless its content is a photo (then it is audited)."""
    return is_thumbnail_cache_name(name) and sniff(head)[0] is None


def shown(relative: str) -> str:
    """A path as text anyone can print: bytes that are not UTF-8 shown as \\xff."""
    return os.fsencode(relative).decode("utf-8", "backslashreplace") if _has_escapes(relative) else relative


def raw_hex(relative: str) -> str | None:
    """The exact bytes of a name that is not valid UTF-8, in hex; None for every other name."""
    return os.fsencode(relative).hex() if _has_escapes(relative) else None


def _has_escapes(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def describe(path: Path, relative: str) -> MediaFile | Skipped:
    """What one name is: a file to give a row to (with its kind), or a file to skip."""
    try:
        info = path.lstat()
    except OSError:  # vanished since it was listed: still a row, and the audit says why
        return MediaFile(path, relative, kind_of(path.name), 0)
    mode = info.st_mode
    if _is_link(path) or stat.S_ISLNK(mode):
        return MediaFile(path, relative, MediaKind.OTHER, 0, Entry.LINK)
    if stat.S_ISFIFO(mode):
        return MediaFile(path, relative, MediaKind.OTHER, 0, Entry.FIFO)
    if stat.S_ISSOCK(mode):
        return MediaFile(path, relative, MediaKind.OTHER, 0, Entry.SOCKET)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return MediaFile(path, relative, MediaKind.OTHER, 0, Entry.DEVICE)
    name = path.name
    kind = kind_of(name)
    if not needs_head(name):
        return MediaFile(path, relative, kind, info.st_size)
    try:
        with open_regular(path) as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:  # unreadable: audited, and the audit says why
        return MediaFile(path, relative, kind, info.st_size)
    reason = skip_reason(name, head)
    if reason is not None:
        return Skipped(relative, reason)
    if is_thumbnail_cache(name, head):
        return MediaFile(path, relative, MediaKind.OTHER, info.st_size, Entry.THUMBNAIL_CACHE)
    if kind is MediaKind.OTHER:
        kind = kind_from_content(head)
    return MediaFile(path, relative, kind, info.st_size)


def walk(folder: Path, *, exclude: Iterable[Path] = ()) -> Listing:
    """Every file under ``folder`` (sorted by relative path), and every file skipped, with why.

    ``exclude`` (photoaudit's own state and quarantine folders) are not entered; they are
    listed as skipped. Raises FileNotFoundError / NotADirectoryError / PermissionError
    (plain message) when ``folder`` itself cannot be read.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder: choose the folder to audit.")
    root = folder.resolve()
    excluded = [_norm(Path(p).resolve()) for p in exclude]
    listing = Listing()
    _walk(folder, root, (), excluded, listing)
    listing.files.sort(key=lambda m: m.relative)
    listing.skipped.sort(key=lambda s: s.relative)
    return listing


def iter_media(folder: Path, *, exclude: Iterable[Path] = ()) -> Iterator[MediaFile]:
    """Every file under ``folder`` that gets a row, sorted by relative path (see :func:`walk`).

    Raises FileNotFoundError / NotADirectoryError / PermissionError (plain message)
    when called, not on the first ``next()``.
    """
    return iter(walk(folder, exclude=exclude).files)


def _norm(path: Path) -> str:
    return os.path.normcase(str(path))


def _is_excluded(real: Path, excluded: list[str]) -> bool:
    text = _norm(real)
    return any(text == ex or text.startswith(ex.rstrip(os.sep) + os.sep) for ex in excluded)


def _is_link(path: Path) -> bool:
    """A symlink, or on Windows a junction (not OneDrive/cloud placeholders)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    tag = getattr(info, "st_reparse_tag", 0)  # Windows only
    return stat.S_ISLNK(info.st_mode) or tag in _LINK_TAGS


def _is_real_dir(path: Path) -> bool:
    """A folder itself (not a link to one).

    A name whose whole path is longer than the system can open (4,096 bytes on Linux) cannot
    be looked at by its path: it is looked at from its folder, which can be opened (the walk
    listed it), so a folder stays a folder (one that cannot be opened), never a file.
    """
    try:
        return stat.S_ISDIR(path.lstat().st_mode) and not _is_link(path)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG or os.stat not in os.supports_dir_fd:
            return False
    try:
        fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        return stat.S_ISDIR(os.stat(path.name, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False
    finally:
        os.close(fd)


#: Why a folder whose path is longer than the system can open was not checked.
PATH_TOO_LONG = "longer than this computer can open"


def _why_not_opened(directory: Path, exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"its path is {len(os.fsencode(str(directory.absolute()))):,} bytes long, {PATH_TOO_LONG}"
    return exc.strerror or str(exc)


def _walk(directory: Path, real: Path, parts: tuple[str, ...], excluded: list[str], listing: Listing) -> None:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:  # unreadable folder: a row that says its photos were not checked
        if not parts:
            raise PermissionError(f"photoaudit cannot read the folder {directory} ({exc}).") from exc
        why = _why_not_opened(directory, exc)
        listing.files.append(MediaFile(directory, "/".join(parts), MediaKind.OTHER, 0, Entry.FOLDER, why))
        return
    for entry in entries:
        entry_parts = parts + (entry.name,)
        relative = "/".join(entry_parts)
        if _is_excluded(real / entry.name, excluded):
            listing.skipped.append(Skipped(relative, "photoaudit's own folder (state or quarantine), not audited"))
            continue
        if _is_real_dir(entry):
            _walk(entry, real / entry.name, entry_parts, excluded, listing)
            continue
        found = describe(entry, relative)
        if isinstance(found, Skipped):
            listing.skipped.append(found)
        else:
            listing.files.append(found)


#: What each kind of entry that is never opened is, in a manager's words (its row's reason).
ENTRY_WORDS = {
    Entry.LINK: "This is a link, not a photo: check what it points to. photoaudit never follows "
                "links, so nothing it points to was checked here.",
    Entry.FIFO: "This is a named pipe (a special file), not a photo; photoaudit does not open it.",
    Entry.SOCKET: "This is a socket (a special file), not a photo; photoaudit does not open it.",
    Entry.DEVICE: "This is a device (a special file), not a photo; photoaudit does not open it.",
}


def unopened_problem(media: MediaFile) -> str | None:
    """Why this entry is not opened (its row's problem), or None for a file that is."""
    if media.entry is Entry.FOLDER:
        fix = ("Move it higher up, or give its folders shorter names" if PATH_TOO_LONG in media.detail
               else "Let photoaudit read it")
        return (
            f"photoaudit could not open this folder ({media.detail or 'permission denied'}), "
            f"so the photos in it were NOT checked. {fix}, then audit again."
        )
    return ENTRY_WORDS.get(media.entry)


