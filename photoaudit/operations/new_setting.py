"""``photoaudit init FOLDER``: a new setting's folder, from the blank templates in the package.

Writes ``photoaudit.toml``, the three registers (a header row each), the one-page guide to
reference photos and the empty ``faces/`` and ``staff/`` folders, all private (folders
0700, files 0600: they will hold personal data about children). Nothing is ever
overwritten: when any of those names is already there, nothing is written at all and the
error names what is there; each file is created exclusively, so a file that appears
meanwhile is not replaced either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CannotRun
from ..media.export import create_exclusively
from ..media.files import make_private_dir
from ..setting.shipped import BLANK_FILES, REFERENCE_FOLDERS, Shipped


class SettingExists(CannotRun):
    """The folder already holds (part of) a setting: init never overwrites."""


@dataclass(frozen=True)
class NewSetting:
    """What ``init`` made: the setting's folder and each path it wrote, in order."""

    folder: Path
    written: tuple[Path, ...]


def already_there(folder: Path) -> list[Path]:
    """The paths ``init`` would write that exist already (a link counts, even a broken one)."""
    names = [f.name for f in BLANK_FILES] + list(REFERENCE_FOLDERS)
    return [folder / name for name in names if (folder / name).is_symlink() or (folder / name).exists()]


def make_setting(folder: Path) -> NewSetting:
    """Write a new setting's folder; :class:`SettingExists` (nothing written) when any part is there."""
    if folder.exists() and not folder.is_dir():
        raise SettingExists(f"{folder} is a file, not a folder: give a new folder's name.")
    found = already_there(folder)
    if found:
        names = ", ".join(p.name for p in found)
        raise SettingExists(f"{folder} already holds a setting ({names}): photoaudit init never overwrites "
                            "anything. Give a new folder's name, or use this setting as it is: "
                            f"photoaudit --data {folder} doctor")
    make_private_dir(folder)
    written: list[Path] = []
    for blank in BLANK_FILES:
        path = folder / blank.name
        if not create_exclusively(path, blank.read(Shipped.BLANK)):
            raise SettingExists(f"{path} appeared while the setting was being made: it was left as it is.")
        written.append(path)
    for name in REFERENCE_FOLDERS:
        path = folder / name
        path.mkdir(mode=0o700)  # FileExistsError if it appeared meanwhile: never reused silently
        path.chmod(0o700)  # mkdir's mode is cut by the umask; this is not
        written.append(path)
    return NewSetting(folder, tuple(written))
