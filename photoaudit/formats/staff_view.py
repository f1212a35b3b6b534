"""What ``photoaudit staff`` prints: each member of staff's consent and enrolment at a glance."""

from __future__ import annotations

import json
from datetime import date

from rich.table import Table
from rich.text import Text

from ..core.models import PURPOSE_WORDS, StaffRegister
from ..core.staff_rules import staff_label
from ..core.words import long_date
from ..setting.references import StaffReferences, age_words


def table(rows: list[StaffReferences], staff: StaffRegister, today: date) -> Table:
    out = Table(title="Staff", show_lines=False)
    for column in ("Member of staff", "Status", "Agreed to", "Face matching", "Templates",
                   "Newest reference photo"):
        out.add_column(column, overflow="fold")
    for row in rows:
        member = row.member
        agreed = [PURPOSE_WORDS.get(p, p.replace("_", " ")) for p in staff.purposes if member.allows(p)]
        templates = str(row.templates) + (f" ({row.from_review} from reviews)" if row.from_review else "")
        if row.newest is None:
            newest = Text("none", style="yellow" if member.face_matching and not member.has_left else "")
        else:
            newest = Text(f"{long_date(row.newest)} ({age_words(row.newest, today)})",
                          style="yellow" if row.stale else "")
        out.add_row(Text(staff_label(member, member.staff_id)),
                    Text(member.status, style="red" if member.has_left else "green"),
                    Text(", ".join(agreed) or "none of the public uses"),
                    "yes" if member.face_matching else "no", templates, newest)
    return out


def warnings(rows: list[StaffReferences], today: date, max_age_months: int) -> list[str]:
    found = []
    for row in rows:
        member = row.member
        if not member.face_matching or member.has_left:
            continue
        who = staff_label(member, member.staff_id)
        if row.templates == 0:
            found.append(
                f"{who} agreed to face matching but has no enrolled reference photo: their face "
                f"will show as unknown (and go to review). Add photos to staff/{member.staff_id}/."
            )
        elif row.stale and row.newest is not None:
            found.append(
                f"{who}'s newest reference photo is {age_words(row.newest, today)} (older than "
                f"{max_age_months} months): add a recent photo to staff/{member.staff_id}/ or "
                "confirm one in photoaudit review --enrol."
            )
    return found


def render_json(rows: list[StaffReferences], staff: StaffRegister, today: date, warnings: list[str]) -> str:
    """``staff --json``: every member of staff's row of the table as values, then the warnings
    (version 1, as ``children --json``: README, "children, staff and doctor as JSON")."""
    from .children_view import JSON_VERSION

    members = [{
        "staff_id": row.member.staff_id,
        "name": row.member.name,
        "status": row.member.status,
        "agreed_to": [p for p in staff.purposes if row.member.allows(p)],
        "face_matching": row.member.face_matching,
        "templates": row.templates,
        "templates_from_review": row.from_review,
        "newest_reference_photo": row.newest.isoformat() if row.newest else None,
        "reference_photo_too_old": row.stale,
    } for row in rows]
    body = {"version": JSON_VERSION, "today": today.isoformat(), "staff": members, "warnings": warnings}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
