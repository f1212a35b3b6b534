"""A transfer folder built to break photoaudit (issue 13): odd names, links, a named pipe,
names that are not UTF-8, a 255-byte name, markup in names, files named like photoaudit's
own outputs, hidden files and folders, macOS and Windows leftovers, a thumbnail cache.

The photos are the public-domain faces of tests/nursery.py (never real children): who is in
each one decides its action (c03 Sam: no use at all, so ``delete``).
"""

from __future__ import annotations

import os
from pathlib import Path

from nursery import photo

APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 60
DS_STORE = b"\x00\x00\x00\x01Bud1" + b"\x00" * 60
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200

LONG = "L" * (255 - len(".jpg")) + ".jpg"  # the longest name most filesystems allow
NOT_UTF8 = os.fsdecode(b"x_\xff\xfe.jpg")

#: relative path (str, may hold surrogate escapes) -> who is in the photo, seed
PHOTOS: dict[str, tuple[tuple[str, ...], int]] = {
    "ava.jpg": (("c01",), 11),
    "sam.jpg": (("c03",), 12),
    "photoaudit-X.jpg": (("c03",), 13),
    ".X.jpg": (("c01",), 14),
    "X.photoaudit.json": (("c03",), 15),
    ".cache/cached.jpg": (("c03",), 16),
    "__MACOSX/tablet/IMG_0001.JPG": (("c01",), 17),
    NOT_UTF8: (("c03",), 18),
    "deep/" + LONG: (("c01",), 19),
    "[bold red]x.jpg": (("c03",), 20),
    "a[/]x.jpg": (("c01",), 21),
    "<img src=x onerror=alert(1)>.jpg": (("c03",), 22),
    "deep/ünïcödé and spaces.jpg": (("c01",), 23),
    "-rf.jpg": (("c01",), 24),
    "=1+1.jpg": (("c03",), 25),
}
#: files that are provably not photos (skipped, and listed with why)
SKIPPED = {"._ava.jpg": APPLEDOUBLE, "__MACOSX/tablet/._IMG_0001.JPG": APPLEDOUBLE, ".DS_Store": DS_STORE}
#: other regular files that must get a row
OTHERS = {"Thumbs.db": OLE, "notes.txt": b"not a photo\n", "empty.jpg": b""}
#: links (never followed, never moved) and the named pipe
LINKS = ("outside.jpg", "zero.jpg", "dangling.jpg", "linked-folder")
FIFO = "fifo.jpg"


def raw(path: str | Path) -> bytes:
    return os.fsencode(path)


def build(folder: Path, outside: Path) -> Path:
    """Make the hostile transfer folder in ``folder``; ``outside`` gets the photo a link points to."""
    for relative, (who, seed) in PHOTOS.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        photo(who, seed).save(path, format="JPEG", quality=90)
    for relative, content in {**SKIPPED, **OTHERS}.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    outside.mkdir(parents=True, exist_ok=True)
    photo(("c03",), 30).save(outside / "elsewhere.jpg", quality=90)
    (folder / "outside.jpg").symlink_to(outside / "elsewhere.jpg")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    (folder / "dangling.jpg").symlink_to(outside / "missing.jpg")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    os.mkfifo(folder / FIFO)
    return folder


def everything(folder: Path) -> dict[str, str]:
    """Every name under ``folder`` (links not followed) -> "link", "fifo", "dir" or "file"."""
    found: dict[str, str] = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = "link"
            elif path.is_fifo():
                found[relative] = "fifo"
            elif path.is_dir():
                found[relative] = "dir"
            else:
                found[relative] = "file"
    return found
