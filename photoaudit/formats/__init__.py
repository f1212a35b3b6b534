"""Report formats: JSON (the versioned contract), CSV (for spreadsheets), terminal."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
