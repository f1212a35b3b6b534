"""photoaudit.media.sources: what the walk of the transfer folder lists and leaves out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from unprivileged import as_unprivileged, give_away, open_folder  # noqa: F401 (a fixture)

from photoaudit.media.sources import (
    Entry,
    MediaFile,
    MediaKind,
    is_thumbnail_cache,
    iter_media,
    kind_of,
    open_regular,
    raw_hex,
    shown,
    skip_reason,
    unopened_problem,
    walk,
)


def make(root: Path, *relatives: str) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * len(relative))


def listing(folder: Path, **kwargs: object) -> dict[str, MediaKind]:
    return {m.relative: m.kind for m in iter_media(folder, **kwargs)}  # type: ignore[arg-type]


@pytest.fixture
def transfer(tmp_path: Path) -> Path:
    root = tmp_path / "Transfer"
    make(
        root,
        "IMG_0001.JPG",
        "IMG_0002.jpeg",
        "IMG_0003.HEIC",
        "IMG_0004.heif",
        "party.png",
        "IMG_0005.MOV",
        "clip.mp4",
        "clip2.M4V",
        "old.3gp",
        "notes.txt",
        "consent.pdf",
        "tablet 2/Week 12/IMG_0100.jpg",
        "tablet 2/Week 12/VID_0101.mov",
    )
    return root


def test_kinds_by_suffix_in_any_case(transfer: Path) -> None:
    assert listing(transfer) == {
        "IMG_0001.JPG": MediaKind.PHOTO,
        "IMG_0002.jpeg": MediaKind.PHOTO,
        "IMG_0003.HEIC": MediaKind.PHOTO,
        "IMG_0004.heif": MediaKind.PHOTO,
        "IMG_0005.MOV": MediaKind.VIDEO,
        "clip.mp4": MediaKind.VIDEO,
        "clip2.M4V": MediaKind.VIDEO,
        "consent.pdf": MediaKind.OTHER,
        "notes.txt": MediaKind.OTHER,
        "old.3gp": MediaKind.VIDEO,
        "party.png": MediaKind.PHOTO,
        "tablet 2/Week 12/IMG_0100.jpg": MediaKind.PHOTO,
        "tablet 2/Week 12/VID_0101.mov": MediaKind.VIDEO,
    }
    assert kind_of("a.Jpg") is MediaKind.PHOTO and kind_of("README") is MediaKind.OTHER
    assert MediaKind.PHOTO == "photo"


def test_media_file_fields(transfer: Path) -> None:
    files = {m.relative: m for m in iter_media(transfer)}
    nested = files["tablet 2/Week 12/IMG_0100.jpg"]
    assert isinstance(nested, MediaFile)
    assert nested.path == transfer / "tablet 2" / "Week 12" / "IMG_0100.jpg"
    assert nested.size == len("tablet 2/Week 12/IMG_0100.jpg")
    assert "\\" not in nested.relative


def test_order_is_sorted_and_repeatable(transfer: Path) -> None:
    make(transfer, "a-b.jpg", "a/b.jpg", "B.jpg", "b.jpg")
    first = [m.relative for m in iter_media(transfer)]
    assert first == sorted(first)
    assert first == [m.relative for m in iter_media(transfer)]


JPEG_HEAD = b"\xff\xd8\xff\xe0" + b"\x00" * 60
APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 40
DS_STORE = b"\x00\x00\x00\x01Bud1" + b"\x00" * 40


def write(root: Path, relative: str, content: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_every_photo_gets_a_row_whatever_its_name(transfer: Path) -> None:
    """Issue 13 item 2: names that look hidden, like the tool's own, or in system folders."""
    names = [
        "photoaudit-X.jpg",
        ".X.jpg",
        "X.photoaudit.json",
        ".cache/IMG_0200.jpg",
        "__MACOSX/IMG_0001.JPG",
        ".hidden/IMG_0201.jpg",
        "tablet 2/.thumbnails/t.jpg",
        "photoaudit-report.html",
    ]
    for name in names:
        write(transfer, name, JPEG_HEAD)
    found = listing(transfer)
    for name in names:
        assert name in found, name
    assert found[".X.jpg"] is MediaKind.PHOTO
    assert found["X.photoaudit.json"] is MediaKind.PHOTO  # by content: it is a JPEG
    assert found["photoaudit-report.html"] is MediaKind.PHOTO


def test_a_video_or_photo_with_a_wrong_name_is_known_by_its_content(transfer: Path) -> None:
    write(transfer, "clip.dat", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 40)
    write(transfer, "picture.bin", JPEG_HEAD)
    found = listing(transfer)
    assert found["clip.dat"] is MediaKind.VIDEO and found["picture.bin"] is MediaKind.PHOTO
    assert found["notes.txt"] is MediaKind.OTHER


def test_only_provable_non_photos_are_skipped_and_each_is_listed_with_why(transfer: Path) -> None:
    before = listing(transfer)
    write(transfer, "._IMG_0001.JPG", APPLEDOUBLE)
    write(transfer, "__MACOSX/tablet/._IMG_0002.JPG", APPLEDOUBLE)
    write(transfer, ".DS_Store", DS_STORE)
    write(transfer, "desktop.ini", b"[.ShellClassInfo]\r\nIconResource=x\r\n")
    # the same names holding a photo are audited
    write(transfer, "tablet 2/._IMG_0003.JPG", JPEG_HEAD)
    write(transfer, "tablet 2/.DS_Store", JPEG_HEAD)
    result = walk(transfer)
    rows = {m.relative: m.kind for m in result.files}
    assert rows == {**before, "tablet 2/._IMG_0003.JPG": MediaKind.PHOTO, "tablet 2/.DS_Store": MediaKind.PHOTO}
    skipped = {s.relative: s.reason for s in result.skipped}
    assert set(skipped) == {"._IMG_0001.JPG", "__MACOSX/tablet/._IMG_0002.JPG", ".DS_Store", "desktop.ini"}
    assert "AppleDouble" in skipped["._IMG_0001.JPG"] and "not a photo" in skipped[".DS_Store"]


def test_thumbnail_caches_get_a_row_of_their_own(transfer: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    write(transfer, "Thumbs.db", ole)
    write(transfer, "tablet 2/ehthumbs.db", ole)
    write(transfer, "tablet 2/thumbcache_256.db", b"CMMM" + b"\x00" * 100)
    write(transfer, "DCIM/.thumbnails/.thumbdata3-1967290299", ole)
    files = {m.relative: m for m in walk(transfer).files}
    for name in ("Thumbs.db", "tablet 2/ehthumbs.db", "tablet 2/thumbcache_256.db",
                 "DCIM/.thumbnails/.thumbdata3-1967290299"):
        assert files[name].entry is Entry.THUMBNAIL_CACHE, name
    assert files["IMG_0001.JPG"].entry is Entry.FILE


def test_skip_rules_are_by_content() -> None:
    assert skip_reason("._x.jpg", APPLEDOUBLE) and not skip_reason("._x.jpg", JPEG_HEAD)
    assert skip_reason(".DS_Store", DS_STORE) and not skip_reason(".DS_Store", b"hello")
    assert skip_reason("Desktop.ini", b"[x]\r\n") and not skip_reason("desktop.ini", JPEG_HEAD)
    assert not skip_reason("photoaudit-report.html", b"<html>") and not skip_reason("Thumbs.db", b"")
    assert is_thumbnail_cache("THUMBS.DB", b"\xd0\xcf") and not is_thumbnail_cache("Thumbs.db", JPEG_HEAD)


def test_a_folder_named_like_a_tool_output_is_still_walked(transfer: Path) -> None:
    make(transfer, "photoaudit-week3/IMG_0300.jpg")
    assert listing(transfer)["photoaudit-week3/IMG_0300.jpg"] is MediaKind.PHOTO


def test_excluded_paths_are_skipped_and_listed(transfer: Path, tmp_path: Path) -> None:
    make(transfer, "report.html", "out/summary.csv", "out/deep/x.jpg")
    found = listing(transfer, exclude=[transfer / "report.html", transfer / "out"])
    assert "report.html" not in found and not any(r.startswith("out/") for r in found)
    skipped = {s.relative for s in walk(transfer, exclude=[transfer / "report.html", transfer / "out"]).skipped}
    assert skipped == {"report.html", "out"}
    # an exclude given as a not-yet-existing or unrelated path changes nothing
    assert listing(transfer, exclude=[tmp_path / "elsewhere.csv"]) == listing(transfer)
    # relative exclude paths are resolved against the working directory
    cwd = Path.cwd()
    os.chdir(transfer)
    try:
        assert "report.html" not in listing(transfer, exclude=[Path("report.html")])
    finally:
        os.chdir(cwd)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need special rights on Windows")
def test_links_are_rows_of_their_own_never_followed(transfer: Path, tmp_path: Path) -> None:
    """Issue 13 item 14."""
    outside = tmp_path / "Elsewhere"
    make(outside, "IMG_0900.jpg")
    (transfer / "linked").symlink_to(outside, target_is_directory=True)
    (transfer / "tablet 2" / "loop").symlink_to(transfer, target_is_directory=True)
    (transfer / "shortcut.jpg").symlink_to(outside / "IMG_0900.jpg")
    (transfer / "broken.jpg").symlink_to(tmp_path / "missing.jpg")
    (transfer / "zero.jpg").symlink_to("/dev/zero")
    files = {m.relative: m for m in iter_media(transfer)}
    for name in ("linked", "tablet 2/loop", "shortcut.jpg", "broken.jpg", "zero.jpg"):
        assert files[name].entry is Entry.LINK and files[name].kind is MediaKind.OTHER, name
        assert "a link, not a photo: check what it points to" in unopened_problem(files[name])
    assert not any(r.startswith(("linked/", "tablet 2/loop/")) for r in files)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_a_row_and_never_opened(transfer: Path) -> None:
    """Issue 13 item 9: a FIFO named like a photo must not block the walk."""
    os.mkfifo(transfer / "x.jpg")
    os.mkfifo(transfer / "Thumbs.db")
    os.mkfifo(transfer / "._y.jpg")
    files = {m.relative: m for m in iter_media(transfer)}
    for name in ("x.jpg", "Thumbs.db", "._y.jpg"):
        assert files[name].entry is Entry.FIFO
    assert "named pipe" in unopened_problem(files["x.jpg"])
    with pytest.raises(OSError):
        open_regular(transfer / "x.jpg")
    with pytest.raises(OSError):
        open_regular(Path("/dev/zero"))
    with open_regular(transfer / "notes.txt") as handle:
        assert handle.read() == b"x" * len("notes.txt")


def test_names_that_are_not_utf8_are_kept_exactly(tmp_path: Path) -> None:
    """Issue 13 item 10: the bytes of the name survive; shown escaped."""
    root = tmp_path / "T"
    root.mkdir()
    raw = b"x_\xff\xfe.jpg"
    with open(os.path.join(os.fsencode(root), raw), "wb") as handle:
        handle.write(JPEG_HEAD)
    (media,) = iter_media(root)
    assert os.fsencode(media.relative) == raw and media.path.exists()
    assert shown(media.relative) == "x_\\xff\\xfe.jpg"
    assert raw_hex(media.relative) == raw.hex() and raw_hex("plain é.jpg") is None
    assert shown("plain é.jpg") == "plain é.jpg"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_subfolder_is_listed(open_folder: Path) -> None:
    """Run as an unprivileged user even when the tests run as root (see tests/unprivileged.py)."""
    root = open_folder / "Transfer"
    make(root, "IMG_0001.JPG", "tablet 2/Week 12/IMG_0100.jpg")
    give_away(root, *root.rglob("*"))
    (root / "tablet 2").chmod(0)
    uid, found = as_unprivileged(lambda: (os.geteuid(), listing(root)))
    assert uid != 0  # really unprivileged, so the folder's mode is what refuses
    assert found["IMG_0001.JPG"] is MediaKind.PHOTO
    assert found["tablet 2"] is MediaKind.OTHER
    assert "tablet 2/Week 12/IMG_0100.jpg" not in found


def test_unreadable_subfolder_is_listed_simulated(
    transfer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self.name == "Week 12":
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    found = listing(transfer)
    assert found["tablet 2/Week 12"] is MediaKind.OTHER
    (folder,) = [m for m in iter_media(transfer) if m.relative == "tablet 2/Week 12"]
    assert folder.entry is Entry.FOLDER and "were NOT checked" in unopened_problem(folder)
    assert not any(r.startswith("tablet 2/Week 12/") for r in found)
    monkeypatch.setattr(Path, "iterdir", lambda self: iterdir(self / "Week 12"))
    with pytest.raises(PermissionError, match="cannot read the folder"):
        iter_media(transfer)


def test_empty_folder(tmp_path: Path) -> None:
    assert list(iter_media(tmp_path)) == []


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        iter_media(tmp_path / "nowhere")  # raised when called, before iterating


def test_file_instead_of_folder(transfer: Path) -> None:
    with pytest.raises(NotADirectoryError, match="not a folder"):
        iter_media(transfer / "notes.txt")
