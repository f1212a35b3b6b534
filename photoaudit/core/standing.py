"""A child's standing today: whether their consent can be used at all (R1, R7).

Pure functions over the register's plain data, used by the consent rules
(:mod:`photoaudit.core.consent`) and the safeguards alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .models import Child
from .words import child_label, long_date


@dataclass(frozen=True)
class ChildStanding:
    """Whether a child's consent can be used today at all, and if not why."""

    child: Child
    blocked_by: str | None  # a reason when the child blocks every purpose
    lapsed: bool = False



def standing(child: Child, today: date) -> ChildStanding:
    """Leavers and lapsed consent block every use of a photo showing the child."""
    who = child_label(child)
    if child.has_left:
        when = f" on {long_date(child.leave_date)}" if child.leave_date else ""
        return ChildStanding(
            child, f"{who} has left the setting{when}: their photos are not to be used (R7)."
        )
    if child.left_by(today):  # status still "attending", but the leave date has passed
        return ChildStanding(
            child,
            f"{who} left the setting on {long_date(child.leave_date)} (their leave date has "  # type: ignore[arg-type]
            "passed, though the register still says attending): their photos are not to be "
            "used (R7). Update their status to left.",
        )
    if child.consent_review_due is None:
        return ChildStanding(
            child,
            f"No consent review date is recorded for {who}: their consent counts as "
            "lapsed until the form is renewed and the date recorded (R1).",
            lapsed=True,
        )
    if child.consent_lapsed(today):
        return ChildStanding(
            child,
            f"{who}'s consent form was due for review on {long_date(child.consent_review_due)} "
            "and has lapsed: their photos are not to be used until it is renewed (R1).",
            lapsed=True,
        )
    return ChildStanding(child, None)



def may(standing_: ChildStanding, purpose: str) -> bool:
    return standing_.blocked_by is None and standing_.child.allows(purpose)
