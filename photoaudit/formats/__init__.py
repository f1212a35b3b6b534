"""Report formats: JSON (the versioned contract), CSV (for spreadsheets), terminal."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path


def local_time(moment: datetime) -> str:
    """A time for a report: this computer's local time, with its offset from UTC
    (``2026-07-01T10:00:00+01:00``), so it reads as the clock on the wall and is never ambiguous."""
    return moment.astimezone().isoformat(timespec="seconds")


def local_day(text: str) -> str:
    """The local date (2026-07-02) of a stored ISO time; a time with no offset is taken as local."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)[:10]
    return (moment.astimezone() if moment.tzinfo else moment).date().isoformat()


def time_words(text: str) -> str:
    """'1 July 2026 at 10:00 (UTC+01:00)' from a report's ISO time; the text itself if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}{zone}"


def write_private(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write a report atomically, readable by its owner only: reports show children (R10)."""
    from ..store import make_private_dir  # here: the store imports the face engine

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
