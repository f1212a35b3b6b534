"""The tables of ``photoaudit published`` (the copies made for publishing) and
``photoaudit takedown`` (the copies to take down, and why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.words import purpose_words

if TYPE_CHECKING:
    from rich.table import Table

    from ..store.published import PublishedCopy, Takedown


def published_table(chosen: list[PublishedCopy]) -> Table:
    """One row a copy: its number, when, what for, where it went, who is in it."""
    from rich.table import Table

    table = Table(title=f"Copies made for publishing ({len(chosen)})")
    for column in ("No.", "Made on", "For", "Posted to", "Children shown", "Copy", "Taken down"):
        table.add_column(column, overflow="fold")
    for c in chosen:
        table.add_row(str(c.id), c.exported[:10], purpose_words([c.purpose]), c.posted_to or "-",
                      ", ".join(c.children) or "-", c.copy, (c.taken_down or "")[:10])
    return table


def takedown_table(found: list[Takedown]) -> Table:
    """One row a copy to take down, with every reason."""
    from rich.table import Table

    table = Table(show_lines=True, title=f"Take these {len(found)} published copies down")
    for column in ("No.", "Posted to", "For", "Made on", "Copy", "Why"):
        table.add_column(column, overflow="fold")
    for d in found:
        c = d.copy
        table.add_row(str(c.id), c.posted_to or "(not recorded)", purpose_words([c.purpose]), c.exported[:10], c.copy,
                      "\n".join(why for _, why in d.reasons))
    return table
