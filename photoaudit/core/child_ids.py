"""Which child an id typed by a person names: the register's own rule, in one place.

The register keeps each child's id as it is written and refuses two ids that differ
only in case (:mod:`photoaudit.setting.register`), so an id names a child when it is that id
exactly, or when it equals exactly one known id ignoring case. Anything else names
nobody: the command stops (exit code 2) and lists the closest ids, because a mistyped
id must never be recorded as if it were a child ("Erased the face data of la01" while
LA01 is still matched is the mistake this prevents; docs/rules.md, "Parents' rights").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .errors import BadValue

#: Where :func:`resolve_child_id` looks by default, in the words of its error.
EVERY_CHILD = "in the register or among the enrolled children"


class UnknownChildId(BadValue):
    """An id that names no registered or enrolled child; ``closest`` are the nearest ids."""

    def __init__(self, given: str, closest: tuple[str, ...], among: str = EVERY_CHILD) -> None:
        self.given = given
        self.closest = closest
        if closest:
            hint = f"The closest ids are: {', '.join(closest)}."
        else:
            hint = "Check the child_id column of children.csv."
        super().__init__(
            f"No child has the id {given!r} {among}, "
            f"so nothing was done or recorded. {hint}"
        )


def resolve_child_id(given: str, known: Iterable[str], among: str = EVERY_CHILD) -> str:
    """The known id that ``given`` names (exactly, else the one id equal ignoring case).

    Raises :class:`UnknownChildId` when it names none. ``known`` is every id the
    command may act on (registered children, enrolled children, and later staff);
    ``among`` says which, for the error.
    """
    text = given.strip()
    ids = sorted(set(known))
    if text in ids:
        return text
    same = [c for c in ids if c.casefold() == text.casefold()]
    if len(same) == 1:
        return same[0]
    raise UnknownChildId(text, closest_ids(text, ids), among)


def closest_ids(text: str, ids: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """Up to ``n`` ids most like ``text`` (ignoring case), most alike first."""
    folded: dict[str, str] = {}
    for child_id in ids:
        folded.setdefault(child_id.casefold(), child_id)
    hits = difflib.get_close_matches(text.casefold(), list(folded), n=n, cutoff=0.5)
    return tuple(folded[h] for h in hits)
