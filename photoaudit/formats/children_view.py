"""What ``photoaudit children`` prints: each child's consent and enrolment at a glance."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from ..policy import child_label, long_date, standing
from ..references import ChildReferences, age_words


def table(rows: list[ChildReferences], today: date) -> Table:
    out = Table(title="Children", show_lines=False)
    for column in ("Child", "Room", "Consent", "Face matching", "Templates", "Newest reference photo"):
        out.add_column(column, overflow="fold")
    for row in rows:
        child = row.child
        blocked = standing(child, today).blocked_by
        consent = Text("left" if child.left_by(today) else "lapsed" if blocked else "current",
                       style="red" if blocked else "green")
        templates = str(row.templates) + (f" ({row.from_review} from reviews)" if row.from_review else "")
        if row.newest is None:
            newest = Text("none", style="yellow" if child.face_matching and not child.has_left else "")
        else:
            newest = Text(f"{long_date(row.newest)} ({age_words(row.newest, today)})",
                          style="yellow" if row.stale else "")
        out.add_row(Text(child_label(child)), Text(child.room), consent,
                    "yes" if child.face_matching else "no", templates, newest)
    return out


def warnings(rows: list[ChildReferences], today: date, max_age_months: int) -> list[str]:
    found = []
    for row in rows:
        child = row.child
        if not child.face_matching or child.has_left:
            continue
        who = child_label(child)
        if row.templates == 0:
            found.append(
                f"{who} has face-matching permission but no enrolled reference photo: "
                f"their face will show as unknown. Add photos to faces/{child.child_id}/."
            )
        elif row.stale and row.newest is not None:
            found.append(
                f"{who}'s newest reference photo is {age_words(row.newest, today)} "
                f"(older than {max_age_months} months): children change quickly, so add a recent "
                f"photo to faces/{child.child_id}/ or confirm one in photoaudit review --enrol."
            )
    return found
