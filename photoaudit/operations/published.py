"""The copies ``check --export`` made for publishing: ``published`` lists them, ``takedown``
says which today's register no longer allows (and records those taken down).
The command line shows what these return; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..core.child_ids import resolve_child_id
from ..core.errors import BadValue
from ..core.settings import Settings
from ..setting.register import load_register
from ..store.database import Store
from ..store.published import PublishedBook, PublishedCopy, Takedown, pending_takedowns, select
from .workflow import known_child_ids


@dataclass(frozen=True)
class Published:
    """Every recorded copy, and those the filters chose (``child`` as the register writes it)."""

    copies: list[PublishedCopy]
    chosen: list[PublishedCopy]
    child: str | None


def published(settings: Settings, child: str | None, use: str | None, first: date | None,
              last: date | None) -> Published:
    """The published copies showing ``child``, made for ``use``, between ``first`` and ``last``."""
    with Store(settings.state_path) as store:
        copies = PublishedBook(store).copies()
        if child is not None:
            known = known_child_ids(settings, store) | {c for copy in copies for c in copy.children}
            child = resolve_child_id(child, known)
    return Published(copies, select(copies, child, use, first, last), child)


def takedown(settings: Settings, day: date, done: list[int], by: str,
             marked: Callable[[list[int]], None] = lambda _: None) -> list[Takedown]:
    """Record the copies in ``done`` as taken down by ``by`` (``marked`` is told which were,
    as soon as they are), then list those today's register (as on ``day``) no longer allows."""
    register = load_register(settings.register_path, purposes=settings.purposes)
    with Store(settings.state_path) as store:
        if done:
            book = PublishedBook(store)
            known = {c.id for c in book.copies()}
            unknown = sorted(set(done) - known)
            if unknown:
                raise BadValue(f"No published copy has the number {', '.join(map(str, unknown))}: "
                               "see `photoaudit published`.")
            when = datetime.now(UTC).isoformat(timespec="seconds")
            marked(book.mark_taken_down(done, when, by))
        return pending_takedowns(store, register, day)
