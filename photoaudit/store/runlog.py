"""What unattended runs leave behind: a log line per event and a dated JSON report per audit.

Both are private files (they name children). The log is plain text, one
timestamped line per event, appended; nothing is ever removed from it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ..core.words import literal
from ..media.files import make_private_dir, make_private_file, write_private
from ..media.sources import shown


def append_log(path: Path, message: str) -> None:
    """Append ``message`` as one line (newlines flattened), timestamped in UTC; a name that
    is not UTF-8 is written escaped (\\xff), and so is a control character (\\x1b)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    line = f"{stamp} [{os.getpid()}] {literal(' '.join(shown(message).split()))}\n"
    make_private_dir(path.parent)
    new = not path.exists()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
    if new:
        make_private_file(path)


def try_log(path: Path, message: str) -> None:
    """Like :func:`append_log`, but a log that cannot be written never stops a run."""
    try:
        append_log(path, message)
    except OSError:
        pass


def dated_report_path(folder: Path, when: datetime) -> Path:
    """``audit-2026-11-22-021500.json`` in ``folder``, with ``-2``, ``-3``... if taken."""
    stem = f"audit-{when.astimezone(UTC):%Y-%m-%d-%H%M%S}"
    candidate, n = folder / f"{stem}.json", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.json"
    return candidate


def write_dated_report(folder: Path, when: datetime, text: str) -> Path:
    make_private_dir(folder)
    path = dated_report_path(folder, when)
    write_private(path, text)
    return path
