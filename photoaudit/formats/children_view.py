"""What ``photoaudit children`` prints: each child's consent and enrolment at a glance.

Per child: whether consent is current, lapsed or due for review soon (with the date), what
each use allows (and when a use was withdrawn), face matching, templates and the newest
reference photo. Warnings below the table say what to do next.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from ..core.models import PURPOSE_SHORT_WORDS, Child
from ..core.renewals import RENEW_WITHIN_DAYS, RenewalLetter, answer, days_words, due_soon
from ..core.standing import standing
from ..core.words import child_label, long_date
from ..setting.references import ChildReferences, age_words


def use_name(purpose: str) -> str:
    return PURPOSE_SHORT_WORDS.get(purpose, purpose.replace("_", " "))


def consent_cell(child: Child, today: date) -> Text:
    """current / lapsed / left, with the review date, and "renew" when it is soon."""
    due = child.consent_review_due
    if child.left_by(today):
        return Text("left", style="red")
    if standing(child, today).blocked_by:
        when = f" on {long_date(due)}" if due else " (no review date)"
        return Text(f"lapsed{when}", style="red")
    assert due is not None
    if due_soon(child, today):
        return Text(f"renew by {long_date(due)} ({days_words(due, today)})", style="yellow")
    return Text(f"current, review {long_date(due)}", style="green")


def uses_cell(child: Child) -> Text:
    """Each use: yes, no, or withdrawn with its date."""
    out = Text()
    for number, purpose in enumerate(child.consents):
        if number:
            out.append("\n")
        if purpose in child.withdrawn:
            out.append(f"{use_name(purpose)}: withdrawn {long_date(child.withdrawn[purpose])}", style="red")
        elif child.allows(purpose):
            out.append(f"{use_name(purpose)}: yes", style="green")
        else:
            out.append(f"{use_name(purpose)}: no")
    return out


def table(rows: list[ChildReferences], today: date) -> Table:
    out = Table(title="Children", show_lines=True)
    for column in ("Child", "Room", "Consent", "Uses", "Face matching", "Templates", "Newest reference photo"):
        out.add_column(column, overflow="fold")
    for row in rows:
        child = row.child
        templates = str(row.templates) + (f" ({row.from_review} from reviews)" if row.from_review else "")
        if row.newest is None:
            newest = Text("none", style="yellow" if child.face_matching and not child.has_left else "")
        else:
            undated = " (date unknown: file date)" if row.undated == row.templates and row.templates else ""
            newest = Text(f"{long_date(row.newest)} ({age_words(row.newest, today)}){undated}",
                          style="yellow" if row.stale or undated else "")
        out.add_row(Text(child_label(child)), Text(child.room), consent_cell(child, today), uses_cell(child),
                    "yes" if child.face_matching else "no", templates, newest)
    return out


def warnings(rows: list[ChildReferences], today: date, max_age_months: int) -> list[str]:
    found = []
    for row in rows:
        child = row.child
        who = child_label(child)
        if due_soon(child, today) and child.consent_review_due is not None:
            found.append(
                f"{who}'s consent is due for review on {long_date(child.consent_review_due)} "
                f"({days_words(child.consent_review_due, today)}, within {RENEW_WITHIN_DAYS} days): ask the "
                "parents to renew it and update consent_review_due; after that date their photos are "
                "withheld from every use."
            )
        if not child.face_matching or child.has_left:
            continue
        if row.templates == 0:
            found.append(
                f"{who} has face-matching permission but no enrolled reference photo: "
                f"their face will show as unknown. Add photos to faces/{child.child_id}/."
            )
            continue
        if row.stale and row.newest is not None:
            found.append(
                f"{who}'s newest reference photo is {age_words(row.newest, today)} "
                f"(older than {max_age_months} months): children change quickly, so add a recent "
                f"photo to faces/{child.child_id}/ or confirm one in photoaudit review --enrol."
            )
        if row.undated:
            some = (f"None of {who}'s reference photos records the date it was taken"
                    if row.undated >= row.templates else
                    f"{row.undated} of {who}'s {row.templates} reference photos record no date taken")
            found.append(
                f"{some}: their age is judged from when the file was last changed, which may be "
                "much later. Use photos straight from the camera, or check how old they are yourself."
            )
    return found


#: The version of the JSON that ``children --json`` (and ``children --renewals --json``) writes:
#: fields are only ever added within a version (README, "children, staff and doctor as JSON").
JSON_VERSION = 1


def use_answers(child: Child) -> dict[str, str]:
    """Each use of the register and what it records: ``yes``, ``no`` or ``withdrawn``."""
    return {purpose: answer(child, purpose).value for purpose in child.consents}


def consent_state(child: Child, today: date) -> str:
    """``current``, ``renew_soon`` (due within 30 days), ``lapsed`` or ``left``: as the table says."""
    if child.left_by(today):
        return "left"
    if standing(child, today).blocked_by:
        return "lapsed"
    return "renew_soon" if due_soon(child, today) else "current"


def child_json(row: ChildReferences, today: date) -> dict[str, Any]:
    child = row.child
    return {
        "child_id": child.child_id,
        "name": child.name,
        "room": child.room,
        "status": child.status,
        "consent": consent_state(child, today),
        "consent_review_due": child.consent_review_due.isoformat() if child.consent_review_due else None,
        "uses": use_answers(child),
        "withdrawn": {purpose: day.isoformat() for purpose, day in child.withdrawn.items()},
        "face_matching": child.face_matching,
        "templates": row.templates,
        "templates_from_review": row.from_review,
        "newest_reference_photo": row.newest.isoformat() if row.newest else None,
        "reference_photo_too_old": row.stale,
        "undated_reference_photos": row.undated,
    }


def render_json(rows: list[ChildReferences], today: date, warnings: list[str], notes: list[str]) -> str:
    """``children --json``: every child's row of the table as values, then the warnings and notes."""
    return _json({
        "version": JSON_VERSION,
        "today": today.isoformat(),
        "children": [child_json(row, today) for row in rows],
        "warnings": warnings,
        "notes": notes,
    })


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def renewals_table(letters: tuple[RenewalLetter, ...], today: date, within: int) -> Table:
    """``children --renewals``: each child, the date, and each use in a parent's words."""
    out = Table(title=f"Consents to renew in the next {within} days", show_lines=True)
    for column in ("Child", "Room", "Renew by", "Agreed to", "Not agreed to"):
        out.add_column(column, overflow="fold")
    for letter in letters:
        who = f"{letter.name} ({letter.child_id})" if letter.name else letter.child_id
        out.add_row(Text(who), Text(letter.room), f"{long_date(letter.due)} ({days_words(letter.due, today)})",
                    Text("\n".join(letter.agreed()) or "nothing yet"), Text("\n".join(letter.not_agreed())))
    return out


def renewals_words(letters: tuple[RenewalLetter, ...], within: int) -> str:
    """The line under the renewal list: how many, and that renewing is editing the register."""
    if not letters:
        return f"No consent falls due for renewal in the next {within} days."
    count = f"{len(letters)} consent{'s' if len(letters) != 1 else ''}"
    return (f"{count} to renew in the next {within} days. Once the parents have answered, update their "
            "answers and consent_review_due in the register (children.csv): photoaudit reads it from there.")


#: The columns of ``children --renewals --csv`` before one column per use (README).
RENEWAL_COLUMNS = ("child_id", "name", "room", "renew_by", "renew_by_words", "agreed_to", "not_agreed_to")


def renewals_csv(letters: tuple[RenewalLetter, ...], sep: str = ",") -> str:
    """The renewal list for a mail merge: one row per child, with a UTF-8 byte order mark (Excel),
    every cell guarded as in every CSV photoaudit writes; then one column per use (yes/no/withdrawn)."""
    from . import csv_report

    uses = list(dict.fromkeys(purpose for letter in letters for purpose, _ in letter.uses))
    out = io.StringIO()
    writer = csv_report.writer_for(out, sep)
    writer.writerow(csv_report.row([*RENEWAL_COLUMNS, *uses]))
    for letter in letters:
        said = dict(letter.uses)
        writer.writerow(csv_report.row([
            letter.child_id, letter.name, letter.room, letter.due.isoformat(), long_date(letter.due),
            "; ".join(letter.agreed()), "; ".join(letter.not_agreed()),
            *(said[use].value if use in said else "" for use in uses),
        ]))
    return "\ufeff" + out.getvalue()


def renewals_json(letters: tuple[RenewalLetter, ...], today: date, within: int) -> str:
    """``children --renewals --json``: the same list as values."""
    return _json({
        "version": JSON_VERSION,
        "today": today.isoformat(),
        "within_days": within,
        "renewals": [{
            "child_id": letter.child_id,
            "name": letter.name,
            "room": letter.room,
            "renew_by": letter.due.isoformat(),
            "uses": {purpose: said.value for purpose, said in letter.uses},
            "agreed_to": letter.agreed(),
            "not_agreed_to": letter.not_agreed(),
        } for letter in letters],
    })
