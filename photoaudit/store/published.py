"""What was published, and what must come down again (R2, R9; issue 14).

``photoaudit check --for PURPOSE --export DIR`` records every copy it writes: the
original's content hash, the copy, the purpose, the children left visible in it,
where it is going (``--posted-to``) and when. When a parent later withdraws a
consent, their consent lapses, their child leaves, or face matching is withdrawn,
:func:`takedowns` lists every recorded copy today's register no longer allows for
its purpose, so the setting can take it down. The rules are pure functions over
:class:`PublishedCopy` values; :class:`PublishedBook` keeps the records in the
private store (a table of its own; older state folders simply gain it). Nothing
here is biometric: content hashes, paths, child ids and dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ..core.models import Register
from ..core.words import child_label, long_date, purpose_words
from .database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS published (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    original TEXT NOT NULL,
    copy TEXT NOT NULL,
    purpose TEXT NOT NULL,
    children TEXT NOT NULL,
    covered INTEGER NOT NULL,
    posted_to TEXT,
    exported TEXT NOT NULL,
    taken_down TEXT,
    taken_down_by TEXT
);
"""


@dataclass(frozen=True)
class PublishedCopy:
    """One copy ``check --export`` wrote, as recorded."""

    id: int
    sha256: str  # the original's content
    original: str  # the original's path, as it was checked
    copy: str  # the copy written
    purpose: str
    children: tuple[str, ...]  # child ids left visible in the copy
    covered: int  # faces covered in the copy
    posted_to: str | None
    exported: str  # when (UTC, ISO 8601)
    taken_down: str | None = None  # when someone said it was taken down
    taken_down_by: str | None = None

    @property
    def exported_on(self) -> date:
        return datetime.fromisoformat(self.exported).date()


@dataclass(frozen=True)
class Takedown:
    """A recorded copy today's register no longer allows: each child in it who stops it, and why."""

    copy: PublishedCopy
    reasons: tuple[tuple[str, str], ...]  # (child id, why)


def takedown_reason(
    child_id: str, purpose: str, register: Register, today: date, forgotten: Mapping[str, str]
) -> str | None:
    """Why a copy showing this child may no longer be used for ``purpose``; None when it still may."""
    child = register.get(child_id)
    if child is None:
        return f"{child_id} is no longer in the consent register."
    who = child_label(child)
    use = purpose_words([purpose])
    if child.has_left:
        when = f" on {long_date(child.leave_date)}" if child.leave_date else ""
        return f"{who} has left the setting{when}."
    if purpose in child.withdrawn:
        return f"{who}'s consent for {use} was withdrawn on {long_date(child.withdrawn[purpose])}."
    if not child.allows(purpose):
        return f"{who} has no consent for {use} in today's register."
    if child.consent_review_due is None or child.consent_lapsed(today):
        due = f" (due for review on {long_date(child.consent_review_due)})" if child.consent_review_due else ""
        return f"{who}'s consent has lapsed{due}."
    if child_id in forgotten:
        return f"{who}'s face data was erased on request on {forgotten[child_id][:10]}."
    if not child.face_matching:
        return (
            f"{who}'s face-matching permission was withdrawn, so photoaudit can no longer "
            "confirm who is in the copy."
        )
    return None


def takedowns(
    copies: Iterable[PublishedCopy], register: Register, today: date, forgotten: Mapping[str, str] | None = None
) -> list[Takedown]:
    """Every copy not yet taken down that today's register no longer allows for its purpose."""
    found = []
    for copy in copies:
        if copy.taken_down:
            continue
        reasons = tuple(
            (child_id, why)
            for child_id in copy.children
            if (why := takedown_reason(child_id, copy.purpose, register, today, forgotten or {}))
        )
        if reasons:
            found.append(Takedown(copy, reasons))
    return found


def select(
    copies: Iterable[PublishedCopy],
    child_id: str | None = None,
    purpose: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[PublishedCopy]:
    """The copies showing ``child_id``, for ``purpose``, exported from ``since`` to ``until`` (inclusive)."""
    return [
        c for c in copies
        if (child_id is None or child_id in c.children)
        and (purpose is None or c.purpose == purpose)
        and (since is None or c.exported_on >= since)
        and (until is None or c.exported_on <= until)
    ]


class PublishedBook:
    """The ``published`` table of the private store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.db.executescript(SCHEMA)

    def record(self, copies: Iterable[PublishedCopy]) -> list[int]:
        """Add copies (their ``id`` is ignored); returns the ids given to them."""
        ids = []
        with self.store.transaction() as db:
            for c in copies:
                cursor = db.execute(
                    "INSERT INTO published (sha256, original, copy, purpose, children, covered, posted_to, "
                    "exported) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (c.sha256, c.original, c.copy, c.purpose, json.dumps(list(c.children)), c.covered,
                     c.posted_to, c.exported),
                )
                ids.append(int(cursor.lastrowid or 0))
        return ids

    def copies(self) -> list[PublishedCopy]:
        rows = self.db.execute(
            "SELECT id, sha256, original, copy, purpose, children, covered, posted_to, exported, "
            "taken_down, taken_down_by FROM published ORDER BY id"
        ).fetchall()
        return [
            PublishedCopy(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6], r[7], r[8], r[9], r[10])
            for r in rows
        ]

    def mark_taken_down(self, ids: Iterable[int], when: str, by: str) -> list[int]:
        """Record that these copies were taken down; returns the ids that were recorded and not yet down."""
        done = []
        with self.store.transaction() as db:
            for copy_id in ids:
                changed = db.execute(
                    "UPDATE published SET taken_down=?, taken_down_by=? WHERE id=? AND taken_down IS NULL",
                    (when, by, copy_id),
                ).rowcount
                if changed:
                    done.append(copy_id)
        return done


def pending_takedowns(store: Store, register: Register, today: date) -> list[Takedown]:
    """What the store's records say must be taken down today."""
    return takedowns(PublishedBook(store).copies(), register, today, store.forgotten())
