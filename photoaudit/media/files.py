"""Files on disk, read and written safely: private files and folders, hashes, JSON.

- Reports, logs and the store name children (R10, docs/rules.md): every file and folder
  photoaudit creates for them is readable by its owner only.
- A photo is read only if it is a regular file (never a link, pipe or device), and is
  identified by the SHA-256 of its bytes, never by its name.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

#: The longest file name most filesystems allow, in bytes (ext4, APFS; NTFS counts UTF-16 units).
NAME_MAX = 255


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (never a link, pipe or device).

    Never blocks: a named pipe is opened without waiting for a writer, then refused.
    Raises OSError (``strerror`` in plain words) for anything else.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    if os.name == "nt" and path.is_symlink():  # pragma: no cover - no O_NOFOLLOW there
        raise OSError(0, "it is a link, not a file", str(path))
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "it is not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sha256_file(path: Path) -> str:
    """The SHA-256 of a regular file's bytes (a link, pipe or device is an OSError, never read)."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def make_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents, each readable by its owner only (0700).

    Only folders this creates are made private, with an explicit mode whatever the
    umask. A folder that is already there is left exactly as it is: photoaudit never
    changes the permissions of a folder it did not create (``/tmp``, a shared
    folder); :func:`open_to_others` says when such a folder can be read by others.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made by another process just now: not photoaudit's to change
        try:
            os.chmod(folder, 0o700)  # mkdir's mode is cut by the umask; this is not
        except OSError:  # pragma: no cover - some filesystems (FAT USB sticks) have no modes
            pass
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path



def open_to_others(folder: Path) -> str | None:
    """Plain words when an existing ``folder`` can be read by other users, else None."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return None
    if os.name == "nt" or not mode & (stat.S_IRGRP | stat.S_IROTH):
        return None
    return (
        f"The folder {folder} can be read by other users of this computer. photoaudit did not "
        "create it, so it left its permissions alone: the files it writes there are private to "
        "you (0600), but their names can be seen. A private folder of your own is safer."
    )



def make_private_file(path: Path) -> None:
    """Make an existing file readable by its owner only."""
    try:
        os.chmod(path, 0o600)
    except OSError:  # pragma: no cover
        pass


def write_private(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write a report atomically, readable by its owner only: reports show children (R10)."""
    path = Path(path)
    make_private_dir(path.absolute().parent)  # new folders 0700 whatever the umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fit_name(stem: str, tail: str) -> str:
    """``stem + tail``, the stem cut short (never mid-character) so the name fits NAME_MAX bytes.

    For the names photoaudit makes from a photo's name (``NAME (2).jpg``, ``NAME-2.jpg``):
    a photo may already have the longest name the filesystem allows.
    """
    raw, room = os.fsencode(stem), NAME_MAX - len(os.fsencode(tail))
    if len(raw) <= room:
        return stem + tail
    cut = raw[:max(room, 0)]
    for drop in range(4):  # a UTF-8 character is at most 4 bytes
        try:
            return cut[:len(cut) - drop].decode("utf-8") + tail
        except UnicodeDecodeError:
            continue
    return os.fsdecode(cut) + tail  # not UTF-8 to begin with: kept byte for byte
