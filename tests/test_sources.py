"""photoaudit.sources: what the walk of the transfer folder lists and leaves out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from unprivileged import as_unprivileged, give_away, open_folder  # noqa: F401 (a fixture)

from photoaudit.sources import MediaFile, MediaKind, is_ignored_name, iter_media, kind_of


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


def test_hidden_junk_and_tool_outputs_are_skipped(transfer: Path) -> None:
    before = listing(transfer)
    make(
        transfer,
        ".DS_Store",
        "._IMG_0001.JPG",
        ".hidden/IMG_0200.jpg",
        "tablet 2/.thumbnails/t.jpg",
        "Thumbs.db",
        "tablet 2/thumbs.db",
        "desktop.ini",
        "__MACOSX/IMG_0001.JPG",
        "photoaudit-report.html",
        "photoaudit-2024-03-01.csv",
        "IMG_0001.JPG.photoaudit.json",
    )
    assert listing(transfer) == before


def test_a_folder_named_like_a_tool_output_is_still_walked(transfer: Path) -> None:
    make(transfer, "photoaudit-week3/IMG_0300.jpg")
    assert listing(transfer)["photoaudit-week3/IMG_0300.jpg"] is MediaKind.PHOTO


def test_excluded_paths_are_skipped(transfer: Path, tmp_path: Path) -> None:
    make(transfer, "report.html", "out/summary.csv", "out/deep/x.jpg")
    found = listing(transfer, exclude=[transfer / "report.html", transfer / "out"])
    assert "report.html" not in found and not any(r.startswith("out/") for r in found)
    # an exclude given as a not-yet-existing or unrelated path changes nothing
    assert listing(transfer, exclude=[tmp_path / "elsewhere.csv"]) == listing(transfer)
    # relative exclude paths are resolved against the working directory
    cwd = Path.cwd()
    os.chdir(transfer)
    try:
        assert "report.html" not in listing(transfer, exclude=[Path("report.html")])
    finally:
        os.chdir(cwd)


def test_is_ignored_name() -> None:
    assert is_ignored_name(".DS_Store") and is_ignored_name("THUMBS.DB")
    assert is_ignored_name("__MACOSX", is_dir=True)
    assert is_ignored_name("PhotoAudit-report.html")
    assert not is_ignored_name("photoaudit-week3", is_dir=True)
    assert not is_ignored_name("IMG_0001.JPG")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need special rights on Windows")
def test_symlinked_folder_is_listed_not_followed(transfer: Path, tmp_path: Path) -> None:
    outside = tmp_path / "Elsewhere"
    make(outside, "IMG_0900.jpg")
    (transfer / "linked").symlink_to(outside, target_is_directory=True)
    (transfer / "tablet 2" / "loop").symlink_to(transfer, target_is_directory=True)
    (transfer / "shortcut.jpg").symlink_to(outside / "IMG_0900.jpg")
    (transfer / "broken.jpg").symlink_to(tmp_path / "missing.jpg")
    files = {m.relative: m for m in iter_media(transfer)}
    assert files["linked"].kind is MediaKind.OTHER and files["tablet 2/loop"].kind is MediaKind.OTHER
    assert not any(r.startswith(("linked/", "tablet 2/loop/")) for r in files)
    assert files["shortcut.jpg"].kind is MediaKind.PHOTO
    assert files["broken.jpg"].size == 0


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
