"""The table of ``photoaudit find``: every photo of a child, where it is now, what it is
cleared for, and (``--others``) who else is in it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.words import purpose_words

if TYPE_CHECKING:
    from rich.table import Table

    from ..operations.subject_access import ChildPhoto


def table(label: str, photos: list[ChildPhoto], with_others: bool) -> Table:
    """One row a photo of the child named ``label``."""
    from rich.table import Table

    shown = Table(show_lines=True, title=f"Photos of {label} ({len(photos)})")
    for column in ("Photo", "Taken", "Cleared for", "Where it is now") + (("Also shows",) if with_others else ()):
        shown.add_column(column, overflow="fold")
    for photo in photos:
        first = photo.places[0].path if photo.places else (photo.quarantined[0] if photo.quarantined else photo.sha256[:12])
        cleared = ", ".join(purpose_words([p]) for p in photo.cleared_for) or ("nothing" if photo.judged else "not known")
        row = [str(first), (photo.taken or "")[:10], cleared, photo.where_now()]
        if with_others:
            row.append(others_words(photo))
        shown.add_row(*row)
    return shown


def others_words(photo: ChildPhoto) -> str:
    if not photo.judged:
        return "not known (not audited since the face data was erased)"
    parts = list(photo.faces.others)
    if photo.faces.unidentified:
        parts.append(f"{len(photo.faces.unidentified)} face(s) not identified")
    return ", ".join(parts) or "nobody else"
