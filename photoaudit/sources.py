"""Walk the transfer folder and list every file in it, photo, video or other.

Nothing is silently skipped except hidden files, operating-system junk and
photoaudit's own outputs. Linked folders are listed (as OTHER) but not entered,
so a link back up the tree cannot loop; an unreadable sub-folder is listed too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from photoaudit.imaging import PHOTO_SUFFIXES, VIDEO_SUFFIXES

JUNK_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", "__macosx"})
TOOL_PREFIX = "photoaudit-"
TOOL_SUFFIX = ".photoaudit.json"
_LINK_TAGS = frozenset({0xA000000C, 0xA0000003})  # IO_REPARSE_TAG_SYMLINK, _MOUNT_POINT (junction)


class MediaKind(str, Enum):
    """What a file in the transfer folder is, judged by its extension."""

    PHOTO = "photo"
    VIDEO = "video"
    OTHER = "other"


@dataclass(frozen=True)
class MediaFile:
    """One file found in the audited folder."""

    path: Path
    relative: str  # POSIX-style path relative to the audited folder
    kind: MediaKind
    size: int


def kind_of(name: str) -> MediaKind:
    """PHOTO, VIDEO or OTHER from the file name's extension (any case)."""
    suffix = Path(name).suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        return MediaKind.PHOTO
    if suffix in VIDEO_SUFFIXES:
        return MediaKind.VIDEO
    return MediaKind.OTHER


def is_ignored_name(name: str, *, is_dir: bool = False) -> bool:
    """Hidden, operating-system junk, or (files only) one of photoaudit's own outputs."""
    lower = name.lower()
    if name.startswith(".") or lower in JUNK_NAMES:
        return True
    return not is_dir and (lower.startswith(TOOL_PREFIX) or lower.endswith(TOOL_SUFFIX))


def iter_media(folder: Path, *, exclude: Iterable[Path] = ()) -> Iterator[MediaFile]:
    """Every file under ``folder``, sorted by relative path.

    Raises FileNotFoundError / NotADirectoryError / PermissionError (plain message)
    when called, not on the first ``next()``.
    """
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder: choose the folder to audit.")
    root = folder.resolve()
    excluded = [_norm(Path(p).resolve()) for p in exclude]
    found: list[MediaFile] = []
    _walk(folder, root, (), excluded, found)
    found.sort(key=lambda m: m.relative)
    return iter(found)


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


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _walk(
    directory: Path, real: Path, parts: tuple[str, ...], excluded: list[str], found: list[MediaFile]
) -> None:
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:  # unreadable folder: list it rather than skip it silently
        if not parts:
            raise PermissionError(f"photoaudit cannot read the folder {directory} ({exc}).") from exc
        found.append(MediaFile(directory, "/".join(parts), MediaKind.OTHER, 0))
        return
    for entry in entries:
        is_dir = _is_dir(entry)
        if is_ignored_name(entry.name, is_dir=is_dir) or _is_excluded(real / entry.name, excluded):
            continue
        entry_parts = parts + (entry.name,)
        relative = "/".join(entry_parts)
        if is_dir and _is_link(entry):
            found.append(MediaFile(entry, relative, MediaKind.OTHER, 0))  # listed, not entered
        elif is_dir:
            _walk(entry, real / entry.name, entry_parts, excluded, found)
        else:
            try:
                size = entry.stat().st_size
            except OSError:  # broken link or vanished file: still listed
                size = 0
            found.append(MediaFile(entry, relative, kind_of(entry.name), size))
