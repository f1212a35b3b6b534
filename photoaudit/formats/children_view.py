"""What ``photoaudit children`` prints: each child's consent and enrolment at a glance.

Per child: whether consent is current, lapsed or due for review soon (with the date), what
each use allows (and when a use was withdrawn), face matching, templates and the newest
reference photo. Warnings below the table say what to do next.
"""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text

from ..core.models import PURPOSE_SHORT_WORDS, Child
from ..core.renewals import RENEW_WITHIN_DAYS, days_words, due_soon
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
