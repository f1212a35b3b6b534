"""Read the audit reports of many settings for the group summary (``photoaudit group``).

Each path given is a report, or a folder searched for reports: every ``.json`` file in it
and its sub-folders, in name order. Links are never followed (a link found in a folder is
listed as not read), nor is anything but a regular file opened. Every JSON file that is not
a version-1 audit report gets a line saying why, and the rest is still summarised
(:mod:`photoaudit.core.group`). Reads only: nothing is written, no face data is read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.group import (
    AuditDigest,
    GroupSummary,
    NotAnAuditReport,
    Unreadable,
    digest_of,
    summarise,
)
from ..media.files import open_regular
from ..media.sources import shown

#: A report bigger than this is not read (an audit of a million photos writes about 1 GB).
MAX_REPORT_BYTES = 4 << 30


@dataclass(frozen=True)
class Found:
    """A file to read as a report, or one that cannot be (``why``)."""

    path: Path
    why: str | None = None


def report_files(paths: Iterable[Path]) -> Iterator[Found]:
    """Each report given, and every ``.json`` file inside each folder given (links not followed)."""
    for path in paths:
        path = Path(path)
        if path.is_symlink():
            yield Found(path, "it is a link; photoaudit does not follow links: give the file or folder itself")
        elif path.is_dir():
            yield from _inside(path)
        elif path.exists():
            yield Found(path)
        else:
            yield Found(path, "there is no such file or folder")


def _inside(folder: Path) -> Iterator[Found]:
    refused: list[OSError] = []
    walked = sorted(os.walk(folder, onerror=refused.append, followlinks=False))
    for err in refused:
        yield Found(Path(err.filename or folder), f"the folder could not be opened ({err.strerror or err})")
    for root, dirs, files in walked:
        for name in sorted(files + [d for d in dirs if Path(root, d).is_symlink()]):
            path = Path(root) / name
            if path.is_symlink():
                yield Found(path, "it is a link; photoaudit does not follow links")
            elif name.lower().endswith(".json"):
                yield Found(path)


def read_report(path: Path) -> AuditDigest:
    """One report file as a digest; OSError or NotAnAuditReport (in plain words) when it cannot be."""
    with open_regular(path) as handle:
        if os.fstat(handle.fileno()).st_size > MAX_REPORT_BYTES:
            raise NotAnAuditReport(f"it is larger than {MAX_REPORT_BYTES >> 30} GB")
        raw = handle.read()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotAnAuditReport("it is not text (UTF-8)") from None
    except json.JSONDecodeError as err:
        raise NotAnAuditReport(f"it is not valid JSON ({err.msg}, line {err.lineno})") from None
    except ValueError as err:  # valid JSON photoaudit never writes: a number of 5,000 digits
        raise NotAnAuditReport(f"it is not an audit report photoaudit could read ({err})") from None
    return digest_of(data, shown(str(path)))


def group_summary(
    paths: Iterable[Path], today: date, names: bool = True,
    on_start: Callable[[list[Found]], None] | None = None, on_file: Callable[[Found], None] | None = None,
) -> GroupSummary:
    """Read every report in ``paths`` and summarise each setting's latest audit (``on_start``
    is told every file found, ``on_file`` each one read: a progress bar)."""
    digests, unreadable = [], []
    seen: set[Path] = set()
    files = list(report_files(paths))
    if on_start:
        on_start(files)
    for found in files:
        if on_file:
            on_file(found)
        where = shown(str(found.path))
        if found.why is None:
            real = found.path.resolve()
            if real in seen:  # a report given by name and found in its folder too counts once
                continue
            seen.add(real)
        if found.why is not None:
            unreadable.append(Unreadable(where, found.why))
            continue
        try:
            digests.append(read_report(found.path))
        except NotAnAuditReport as err:
            unreadable.append(Unreadable(where, str(err)))
        except OSError as err:
            unreadable.append(Unreadable(where, f"it could not be read ({err.strerror or err})"))
    return summarise(digests, today, unreadable, names=names)
