"""The private local store, in SQLite: enrolment templates, and what each audited photo held.

- ``reference``: enrolled children's templates (one per reference photo).
- ``photo`` / ``photo_face``: per photo or video *content* (SHA-256) and engine
  settings, the faces the engine found (box, confidence, template; for a video, per
  sampled frame) and what the file says about itself, so an unchanged or renamed file
  is never examined twice. Another engine setting is another key.
- ``location``: where each photo was last seen (audited folder, relative path) with
  the file's size and times, so an unchanged file need not even be re-hashed.
- ``verdict``: the last verdict given to each photo content (for ``reaudit``).
- ``forgotten``: children erased on request, never enrolled again without asking.
- ``erased_face``: where, in which photo content, an erased child's face was (no
  template, no name), so that face's template is never computed into the store again.

The state folder is created readable by its owner only (0700) and the database
file likewise (0600). Deleted rows are overwritten (``secure_delete``) and the
file is vacuumed after an erasure, so erased templates are really gone.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.models import Face, as_box
from ..media.files import make_private_dir, make_private_file

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
CREATE TABLE IF NOT EXISTS photo (
    sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    examined TEXT NOT NULL,
    extra TEXT NOT NULL,
    PRIMARY KEY (sha256, engine)
);
CREATE TABLE IF NOT EXISTS photo_face (
    sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    idx INTEGER NOT NULL,
    frame INTEGER,
    box TEXT NOT NULL,
    confidence REAL NOT NULL,
    template BLOB,
    PRIMARY KEY (sha256, engine, idx)
);
CREATE TABLE IF NOT EXISTS location (
    folder TEXT NOT NULL,
    relative TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    seen TEXT NOT NULL,
    PRIMARY KEY (folder, relative)
);
CREATE TABLE IF NOT EXISTS verdict (
    sha256 TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    judged TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS forgotten (child_id TEXT PRIMARY KEY, erased TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_week (
    device TEXT NOT NULL,
    week TEXT NOT NULL,
    last_number INTEGER,
    PRIMARY KEY (device, week)
);
CREATE TABLE IF NOT EXISTS dsl_evidence (
    sha256 TEXT PRIMARY KEY,
    photo TEXT NOT NULL,
    kinds TEXT NOT NULL,
    recorded TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erased_face (
    sha256 TEXT NOT NULL,
    box TEXT NOT NULL,
    PRIMARY KEY (sha256, box)
);
"""

DB_NAME = "photoaudit.sqlite3"
#: The layout of the tables that only remember what photos held (rebuilt when it changes).
CACHE_LAYOUT = "2"
CACHE_TABLES = ("photo", "photo_face", "verdict")


@dataclass(frozen=True)
class FileState:
    """A file's content hash and the size and times it had when hashed."""

    sha256: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    def same_file(self, other: FileState) -> bool:
        """True when nothing suggests the file changed (size, times and inode all equal)."""
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode) == (
            other.size, other.mtime_ns, other.ctime_ns, other.inode
        )


@dataclass(frozen=True)
class Examination:
    """What the engine found in one file: each face with its video frame (None in a photo),
    and the rest as plain JSON data (the caller's to define)."""

    faces: tuple[tuple[int | None, Face], ...]
    extra: dict

    @property
    def problem(self) -> str | None:
        """Why the file could not be examined, when it could not (kept for reaudit)."""
        return self.extra.get("problem")


@dataclass(frozen=True)
class StoredVerdict:
    """The last verdict given to one photo content: its action and the JSON body."""

    sha256: str
    action: str
    judged: str
    body: dict


#: The meta key of a person's confirmation of one person's reference photos (``enrol --confirm``).
CONFIRMED_PREFIX = "references-confirmed:"


@dataclass(frozen=True)
class Confirmation:
    """A person checked one person's reference photos: each photo's name ('c01/a.jpg') and
    SHA-256, and when (ISO date-time). It holds while the photos are exactly these."""

    photos: dict[str, str]
    at: str


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
        if self.get_meta("cache-layout") != CACHE_LAYOUT:
            self._start_cache_afresh()

    def _start_cache_afresh(self) -> None:
        """Photos examined under an older layout of these tables are simply examined again."""
        with self.transaction() as db:
            for table in CACHE_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.executescript(SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('cache-layout', ?)", (CACHE_LAYOUT,))

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
        blob = _blob(ref.template)
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reference VALUES (?, ?, ?, ?, ?, ?)",
                (ref.sha256, engine, ref.child_id, ref.path, blob, ref.problem),
            )

    def keep_only_references(self, keep: set[tuple[str, str, str]], among: set[str] | None = None) -> list[str]:
        """Erase every reference of the people ``among`` (every one's when None) not in ``keep``
        (sha256, engine, child_id): reference photos gone or rejected; returns their child ids.
        Whose face data is erased as a whole is decided elsewhere (store/erasure.py)."""
        rows = self.db.execute("SELECT sha256, engine, child_id FROM reference").fetchall()
        gone = [r for r in rows if tuple(r) not in keep and (among is None or r[2] in among)]
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
            found.setdefault(child_id, []).append(_stored(blob))
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

    def enrolled_reference_rows(self, engine: str) -> list[tuple[str, str, str, np.ndarray]]:
        """(child id, "child/file.jpg", its content's SHA-256, template) of every usable template."""
        return [
            (child_id, path, sha256, _stored(blob))
            for child_id, path, sha256, blob in self.db.execute(
                "SELECT child_id, path, sha256, template FROM reference WHERE engine=? AND template IS NOT NULL "
                "ORDER BY child_id, path",
                (engine,),
            )
        ]

    def stored_child_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT child_id FROM reference")}

    def references_of(self, child_id: str) -> list[np.ndarray]:
        """Every stored template of one child, whatever the engine settings."""
        rows = self.db.execute(
            "SELECT template FROM reference WHERE child_id=? AND template IS NOT NULL", (child_id,)
        )
        return [_stored(r[0]) for r in rows]

    def delete_references_of(self, child_id: str) -> int:
        """Delete one child's reference rows, and a person's confirmation of their reference
        photos (call :meth:`vacuum` after); returns how many reference rows."""
        with self.transaction() as db:
            db.execute("DELETE FROM meta WHERE key=?", (CONFIRMED_PREFIX + child_id,))
            return db.execute("DELETE FROM reference WHERE child_id=?", (child_id,)).rowcount

    # -- a person's check of one person's reference photos (enrol --confirm) ---
    def reference_confirmation(self, key: str) -> Confirmation | None:
        """What a person confirmed of ``key``'s reference photos, or None."""
        found = self.get_meta(CONFIRMED_PREFIX + key)
        try:
            if not found:
                return None
            value = json.loads(found)
            photos = {str(k): str(v) for k, v in value["photos"].items()}
            return Confirmation(photos, str(value["at"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def confirm_references(self, key: str, confirmation: Confirmation) -> None:
        """Record that a person checked ``key``'s reference photos (names and SHA-256), and when."""
        self.set_meta(CONFIRMED_PREFIX + key, _json({"photos": confirmation.photos, "at": confirmation.at}))

    # -- faces found in audited photos, per content and engine ----------------
    def examination(self, sha256: str, engine: str) -> Examination | None:
        """What was stored for this content and engine, or None when never examined."""
        row = self.db.execute(
            "SELECT extra FROM photo WHERE sha256=? AND engine=?", (sha256, engine)
        ).fetchone()
        if row is None:
            return None
        rows = self.db.execute(
            "SELECT frame, box, confidence, template FROM photo_face WHERE sha256=? AND engine=? ORDER BY idx",
            (sha256, engine),
        )
        faces = tuple((frame, Face(_box(box), conf, _template(blob))) for frame, box, conf, blob in rows)
        return Examination(faces, json.loads(row[0]))

    def faces(self, sha256: str, engine: str) -> tuple[Face, ...] | None:
        """Every face stored for this content and engine (all frames), or None when never examined."""
        found = self.examination(sha256, engine)
        return None if found is None else tuple(face for _, face in found.faces)

    def put_examinations(self, found: list[tuple[str, Examination]], engine: str, when: str) -> None:
        """Store what the engine found in several files (sha256, examination), in one transaction."""
        with self.transaction() as db:
            for sha256, examination in found:
                db.execute("DELETE FROM photo_face WHERE sha256=? AND engine=?", (sha256, engine))
                db.execute(
                    "INSERT OR REPLACE INTO photo VALUES (?, ?, ?, ?)",
                    (sha256, engine, when, _json(examination.extra)),
                )
                db.executemany(
                    "INSERT INTO photo_face VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (sha256, engine, i, frame, ",".join(map(str, f.box)), float(f.confidence),
                         _blob(f.template))
                        for i, (frame, f) in enumerate(examination.faces)
                    ],
                )

    def photo_faces(self) -> Iterator[tuple[str, tuple[int, int, int, int], np.ndarray | None]]:
        """Every stored face of every photo (whatever the engine): sha256, box, template."""
        rows = self.db.execute("SELECT sha256, box, template FROM photo_face").fetchall()
        for sha256, box, blob in rows:
            yield sha256, _box(box), _template(blob)

    def erase_photos(self, hashes: set[str]) -> int:
        """Delete everything stored about these photo contents; returns the faces deleted.

        A photo is forgotten whole (never one face of it), so a later audit
        examines it again instead of trusting a face list with a gap in it.
        """
        erased = 0
        with self.transaction() as db:
            for sha256 in sorted(hashes):
                erased += db.execute("DELETE FROM photo_face WHERE sha256=?", (sha256,)).rowcount
                db.execute("DELETE FROM photo WHERE sha256=?", (sha256,))
                db.execute("DELETE FROM verdict WHERE sha256=?", (sha256,))
        return erased

    def forget_examinations(self, hashes: set[str]) -> int:
        """Forget what was found in these photo contents (not their verdicts), so the next audit
        examines them again; returns how many were stored."""
        forgotten = 0
        with self.transaction() as db:
            for sha256 in sorted(hashes):
                db.execute("DELETE FROM photo_face WHERE sha256=?", (sha256,))
                forgotten += db.execute("DELETE FROM photo WHERE sha256=?", (sha256,)).rowcount
        return forgotten

    def mark_erased_faces(self, faces: set[tuple[str, tuple[int, int, int, int]]]) -> None:
        """Remember where erased faces were (photo content, box): never store their templates again."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO erased_face VALUES (?, ?)",
                [(sha256, ",".join(map(str, box))) for sha256, box in faces],
            )

    def erased_faces(self) -> dict[str, list[tuple[int, int, int, int]]]:
        """photo content -> boxes of faces whose templates were erased."""
        found: dict[str, list[tuple[int, int, int, int]]] = {}
        for sha256, box in self.db.execute("SELECT sha256, box FROM erased_face"):
            found.setdefault(sha256, []).append(_box(box))
        return found

    # -- where photos were seen -------------------------------------------------
    def locations(self, folder: str) -> dict[str, FileState]:
        """relative path -> file state, as last seen in ``folder``."""
        rows = self.db.execute(
            "SELECT relative, sha256, size, mtime_ns, ctime_ns, inode FROM location WHERE folder=?",
            (name_key(folder),),
        )
        return {name_from_key(r[0]): FileState(*r[1:]) for r in rows}

    def all_locations(self, folder: str | None = None) -> list[tuple[str, str, str, int]]:
        """(folder, relative, sha256, mtime_ns) of every file last seen (in ``folder`` when given)."""
        if folder is None:
            rows = self.db.execute(
                "SELECT folder, relative, sha256, mtime_ns FROM location ORDER BY folder, relative"
            )
        else:
            rows = self.db.execute(
                "SELECT folder, relative, sha256, mtime_ns FROM location WHERE folder=? ORDER BY relative",
                (name_key(folder),),
            )
        return [(name_from_key(r[0]), name_from_key(r[1]), r[2], r[3]) for r in rows]

    def location_folders(self) -> list[str]:
        """Every folder whose files were last seen by an audit."""
        return [name_from_key(f) for (f,) in self.db.execute("SELECT DISTINCT folder FROM location ORDER BY folder")]

    def replace_locations(self, folder: str, seen: dict[str, FileState], when: str) -> None:
        """Record exactly what is in ``folder`` now (files gone from it are dropped)."""
        with self.transaction() as db:
            db.execute("DELETE FROM location WHERE folder=?", (name_key(folder),))
            db.executemany(
                "INSERT INTO location VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (name_key(folder), name_key(rel), s.sha256, s.size, s.mtime_ns, s.ctime_ns, s.inode, when)
                    for rel, s in seen.items()
                ],
            )

    def drop_location(self, folder: str, relative: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM location WHERE folder=? AND relative=?", (name_key(folder), name_key(relative)))

    # -- verdicts -------------------------------------------------------------------
    def verdict(self, sha256: str) -> StoredVerdict | None:
        row = self.db.execute(
            "SELECT action, judged, body FROM verdict WHERE sha256=?", (sha256,)
        ).fetchone()
        return None if row is None else StoredVerdict(sha256, row[0], row[1], json.loads(row[2]))

    def put_verdicts(self, verdicts: list[StoredVerdict]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO verdict VALUES (?, ?, ?, ?)",
                [(v.sha256, v.action, v.judged, _json(v.body)) for v in verdicts],
            )

    def verdicts(self) -> Iterator[StoredVerdict]:
        rows = self.db.execute("SELECT sha256, action, judged, body FROM verdict").fetchall()
        for sha256, action, judged, body in rows:
            yield StoredVerdict(sha256, action, judged, json.loads(body))

    # -- children forgotten on request ------------------------------------------
    def forgotten(self) -> dict[str, str]:
        """child id -> when they were erased on request."""
        return dict(self.db.execute("SELECT child_id, erased FROM forgotten").fetchall())

    def mark_forgotten(self, child_id: str, when: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO forgotten VALUES (?, ?)", (child_id, when))

    def allow_again(self, child_id: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM forgotten WHERE child_id=?", (child_id,)).rowcount > 0

    def vacuum(self) -> None:
        """Rebuild the file so no page of deleted rows is left in it."""
        self.db.execute("VACUUM")

    # -- the setting's devices, week by week (the DSL section) ----------------
    def device_history(self, before_week: str) -> tuple[dict[str, int], set[str], int]:
        """Before ``before_week`` ("2026-W49"): each device's last camera number (from its latest
        week with one), every device seen, and how many weeks were audited."""
        rows = self.db.execute("SELECT device, week, last_number FROM device_week WHERE week < ? "
                               "ORDER BY week", (before_week,)).fetchall()
        last = {device: number for device, _, number in rows if number is not None}
        return last, {device for device, _, _ in rows}, len({week for _, week, _ in rows})

    def put_device_week(self, week: str, devices: dict[str, int | None]) -> None:
        """The devices seen in ``week`` and each one's last camera number (None: not numbered)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO device_week VALUES (?, ?, ?) ON CONFLICT(device, week) DO UPDATE SET "
                "last_number = COALESCE(excluded.last_number, device_week.last_number)",
                [(device, week, number) for device, number in devices.items()])

    def put_dsl_evidence(self, rows: dict[str, tuple[str, str]], when: str) -> None:
        """Photos a DSL finding names (sha256 -> (photo, kinds)); a photo already kept keeps its first time."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO dsl_evidence VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                "photo = excluded.photo, kinds = excluded.kinds",
                [(sha, photo, kinds, when) for sha, (photo, kinds) in rows.items()])

    def dsl_evidence(self) -> dict[str, tuple[str, str, str]]:
        """sha256 -> (photo, kinds, when first recorded) for every photo a DSL finding named."""
        return {sha: (photo, kinds, when) for sha, photo, kinds, when in
                self.db.execute("SELECT sha256, photo, kinds, recorded FROM dsl_evidence")}

    # -- small key/value facts ----------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def name_key(name: str) -> str | bytes:
    """A path as stored: text, or for a name that is not valid UTF-8 its exact bytes (a BLOB,
    which never equals any text, so no name can be mistaken for another)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name)
    return name


def name_from_key(value: str | bytes) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def _json(value: object) -> str:
    """JSON for the store: text only (a name that is not UTF-8 is kept as \\udcXX escapes)."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8").decode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True)


def _template(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else _stored(blob)


def _stored(blob: bytes) -> np.ndarray:
    """A template as stored (a row selected with ``template IS NOT NULL``)."""
    return np.frombuffer(blob, dtype=np.float64).copy()


def _blob(template: np.ndarray | None) -> bytes | None:
    return None if template is None else np.asarray(template, dtype=np.float64).tobytes()


def _box(text: str) -> tuple[int, int, int, int]:
    return as_box(text.split(","))
