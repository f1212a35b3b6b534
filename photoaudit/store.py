"""The private local store: face templates of enrolled children, in SQLite.

The state folder is created readable by its owner only (0700) and the database
file likewise (0600). Deleted rows are overwritten (``secure_delete``) and the
file is vacuumed after an erasure, so erased templates are really gone.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS reference (
    sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    child_id TEXT NOT NULL,
    path TEXT NOT NULL,
    template BLOB,
    problem TEXT,
    PRIMARY KEY (sha256, engine, child_id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

DB_NAME = "photoaudit.sqlite3"


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:  # pragma: no cover - some filesystems (FAT USB sticks) have no modes
        pass
    return path


def make_private_file(path: Path) -> None:
    """Make an existing file readable by its owner only."""
    try:
        os.chmod(path, 0o600)
    except OSError:  # pragma: no cover
        pass


@dataclass(frozen=True, eq=False)
class Reference:
    """One reference photo's enrolment result."""

    child_id: str
    path: str
    sha256: str
    template: np.ndarray | None
    problem: str | None


class Store:
    """A thin wrapper over the SQLite file in the private state folder."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = make_private_dir(state_dir)
        self.path = self.state_dir / DB_NAME
        new = not self.path.exists()
        if new:
            self.path.touch(mode=0o600)
        make_private_file(self.path)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA secure_delete = ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db:
            yield self.db

    # -- reference templates ------------------------------------------------
    def reference(self, sha256: str, engine: str, child_id: str) -> Reference | None:
        row = self.db.execute(
            "SELECT path, template, problem FROM reference WHERE sha256=? AND engine=? AND child_id=?",
            (sha256, engine, child_id),
        ).fetchone()
        if row is None:
            return None
        return Reference(child_id, row[0], sha256, _template(row[1]), row[2])

    def put_reference(self, ref: Reference, engine: str) -> None:
        blob = None if ref.template is None else ref.template.astype(np.float64).tobytes()
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reference VALUES (?, ?, ?, ?, ?, ?)",
                (ref.sha256, engine, ref.child_id, ref.path, blob, ref.problem),
            )

    def keep_only_references(self, keep: set[tuple[str, str, str]]) -> list[str]:
        """Erase every reference not in ``keep`` (sha256, engine, child_id); returns erased child ids."""
        rows = self.db.execute("SELECT sha256, engine, child_id FROM reference").fetchall()
        gone = [r for r in rows if tuple(r) not in keep]
        if gone:
            with self.transaction() as db:
                db.executemany(
                    "DELETE FROM reference WHERE sha256=? AND engine=? AND child_id=?", gone
                )
            self.db.execute("VACUUM")
        return sorted({r[2] for r in gone})

    def enrolled_templates(self, engine: str) -> dict[str, list[np.ndarray]]:
        """Every usable template by child, for the given engine settings."""
        found: dict[str, list[np.ndarray]] = {}
        for child_id, blob in self.db.execute(
            "SELECT child_id, template FROM reference WHERE engine=? AND template IS NOT NULL "
            "ORDER BY child_id, path",
            (engine,),
        ):
            found.setdefault(child_id, []).append(_template(blob))
        return found

    def enrolled_references(self, engine: str) -> dict[str, list[str]]:
        """The reference photos ("child/file.jpg") each child's usable templates came from."""
        found: dict[str, list[str]] = {}
        for child_id, path in self.db.execute(
            "SELECT child_id, path FROM reference WHERE engine=? AND template IS NOT NULL ORDER BY child_id, path",
            (engine,),
        ):
            found.setdefault(child_id, []).append(path)
        return found

    def stored_child_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT child_id FROM reference")}

    # -- small key/value facts ----------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _template(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float64).copy()
