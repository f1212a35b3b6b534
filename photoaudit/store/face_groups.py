"""The groups of unknown faces, by id, in the private store: so ``u3`` stays ``u3``.

One row per face (the photo's content and the face's box, as decisions are keyed) and
the group it was put in at the latest grouping; no template, no name. The next id to give
is kept too, so an id is never given to another person's faces. Grouping itself is
:mod:`photoaudit.core.unknown_groups`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.models import Box
from ..core.unknown_groups import FaceGroup
from .database import Store
from .decision_book import box_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS unknown_group (
    face TEXT PRIMARY KEY,
    grp TEXT NOT NULL
);
"""

NEXT_KEY = "next-unknown-group"
ENGINE_KEY = "unknown-group-engine"  # the engine's settings: enrolled templates are filed under it
FACES_KEY = "unknown-group-faces"  # what audited photos' faces are filed under (engine and examine version)


def face_key(sha256: str, box: Box) -> str:
    """How a face is named in a group: its photo's content and its box."""
    return f"{sha256}:{box_text(box)}"


class GroupBook:
    """The table of unknown faces' groups."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.db.executescript(SCHEMA)

    def groups_before(self) -> dict[str, str]:
        """face key -> group id, as the latest grouping left them."""
        return dict(self.store.db.execute("SELECT face, grp FROM unknown_group"))

    def next_number(self) -> int:
        return int(self.store.get_meta(NEXT_KEY) or 1)

    def engine(self) -> str | None:
        """The face engine's settings of the latest grouping (enrolled templates' key)."""
        return self.store.get_meta(ENGINE_KEY)

    def faces_key(self) -> str | None:
        """The key the latest grouping's face templates were read under."""
        return self.store.get_meta(FACES_KEY)

    def replace(self, groups: Sequence[FaceGroup], next_number: int, engine: str, faces_key: str) -> None:
        """Keep these groups (and only these) under their ids."""
        with self.store.transaction() as db:
            db.execute("DELETE FROM unknown_group")
            db.executemany("INSERT INTO unknown_group VALUES (?, ?)",
                           [(key, g.group_id) for g in groups for key in g.faces])
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (NEXT_KEY, str(next_number)))
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (ENGINE_KEY, engine))
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (FACES_KEY, faces_key))
