"""The device register (``devices.csv``) and a survey of the cameras seen in a folder.

R6: photos of children may only be taken on the setting's own devices. The
register lists them; ``photoaudit devices FOLDER`` shows which cameras the
photos in a folder came from, so a manager can fill the register in.
Like the consent register, the file is read whole or not at all.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.models import Camera, Device, DeviceRegister, MediaMeta
from ..media.metadata import read_file_meta
from ..media.sources import MediaFile, MediaKind
from .register import RegisterError, _decode, _norm

REQUIRED_COLUMNS = ("device_id", "label", "make", "model")
OPTIONAL_COLUMNS = ("serial", "folder")
_SEPARATORS = (",", ";", "\t")


class DeviceRegisterError(RegisterError):
    """A problem with devices.csv (same form as a consent register problem)."""


def load_devices(path: Path | str) -> DeviceRegister:
    """Read ``devices.csv``; raises :class:`DeviceRegisterError` listing every problem."""
    path = Path(path)
    problems: list[DeviceRegisterError] = []

    def problem(line: int, column: str | None, message: str) -> None:
        problems.append(DeviceRegisterError(path, line, column, message))

    try:
        content = _decode(path.read_bytes())
    except OSError as err:
        raise DeviceRegisterError(path, 0, None, f"The device register could not be read "
                                  f"({err.strerror or err}).") from None
    except UnicodeDecodeError:
        raise DeviceRegisterError(path, 0, None, "The file's text could not be read. Save it "
                                  'as "CSV UTF-8" and try again.') from None
    lines = content.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip(",;\t \"")), None)
    if first is None:
        raise DeviceRegisterError(path, 0, None, "The device register is empty: it needs a "
                                  "header row (" + ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
                                  + ") and one row per setting device.")
    header_line = lines[first]
    delimiter = max(_SEPARATORS, key=header_line.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines[first:])), delimiter=delimiter))
    header = [_norm(cell) for cell in rows[0]]
    columns = {name: header.index(name) for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in header}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    for name in missing:
        problem(first + 1, name, f"The header row has no {name} column. Every device register needs one.")
    if missing:
        raise _all(path, problems)

    devices: list[Device] = []
    ids: dict[str, int] = {}
    folders: dict[str, tuple[str, int]] = {}
    for offset, row in enumerate(rows[1:], start=2):
        line = first + offset
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        device_id = cell("device_id")
        if not device_id:
            problem(line, "device_id", "This row has no device_id. Give every device a short id, e.g. tablet-1.")
        elif device_id.casefold() in ids:
            problem(line, "device_id", f'"{device_id}" is already used on line {ids[device_id.casefold()]}.')
        else:
            ids[device_id.casefold()] = line
        for name in ("make", "model"):
            if not cell(name):
                problem(line, name, f"This row has no {name}. Copy it from `photoaudit devices FOLDER`, "
                        "which lists the cameras your photos came from.")
        folder = cell("folder").replace("\\", "/").strip("/")
        if folder:
            parts = folder.split("/")
            if any(p in ("", ".", "..") for p in parts) or ":" in folder:
                problem(line, "folder", f'"{cell("folder")}" is not a sub-folder name: give the folder '
                        "inside the transfer folder, e.g. tablet-1.")
            elif folder.casefold() in folders:
                other, other_line = folders[folder.casefold()]
                problem(line, "folder", f'The folder "{folder}" is already the folder of {other} '
                        f"(line {other_line}): each device needs its own folder.")
            else:
                folders[folder.casefold()] = (device_id, line)
        devices.append(Device(device_id, cell("make"), cell("model"), cell("label"),
                              cell("serial"), folder, line))
    if problems:
        raise _all(path, problems)
    return DeviceRegister(tuple(devices), str(path))


def _all(path: Path, found: list[DeviceRegisterError]) -> DeviceRegisterError:
    problems: list[RegisterError] = list(found)
    if len(problems) == 1:
        one = problems[0]
        return DeviceRegisterError(path, one.line, one.column, one.message, problems=problems)
    return DeviceRegisterError(path, 0, None, f"The device register {path.name} has "
                               f"{len(problems)} problems:", problems=problems)


@dataclass
class CameraSeen:
    """One camera found in a folder, with how many files came from it and where."""

    camera: Camera | None  # None: files that name no camera
    files: int = 0
    folders: Counter[str] = field(default_factory=Counter)
    device_ids: tuple[str, ...] = ()  # registered devices it matches


def survey(
    files: Iterable[MediaFile],
    devices: DeviceRegister | None = None,
    read_video_meta: Callable[[Path], MediaMeta] | None = None,
) -> list[CameraSeen]:
    """Which cameras the photos (and videos) in a folder came from, most files first."""
    seen: dict[tuple[str, str, str] | None, CameraSeen] = {}
    for media in files:
        if media.kind is MediaKind.PHOTO:
            meta = read_file_meta(media.path)
        elif media.kind is MediaKind.VIDEO and read_video_meta is not None:
            meta = read_video_meta(media.path)
        else:
            continue
        camera = meta.camera
        key = None if camera is None else (camera.make, camera.model, camera.serial)
        entry = seen.setdefault(key, CameraSeen(camera))
        entry.files += 1
        entry.folders[media.relative.rsplit("/", 1)[0] if "/" in media.relative else "."] += 1
        if camera is not None and devices is not None:
            entry.device_ids = tuple(d.device_id for d in devices.matching(camera))
    return sorted(seen.values(), key=lambda e: (-e.files, e.camera is None, str(e.camera)))
