"""Consents due for review soon: say so before they lapse (docs/rules.md R1).

Consent is "updated regularly": past its ``consent_review_due`` date it counts as lapsed
and every photo of the child is withheld from every use (:mod:`photoaudit.core.consent`). A
manager who hears about it only then has photos held back for no good reason, so the
``children`` view and every audit say which consents fall due within
:data:`RENEW_WITHIN_DAYS` days. Pure functions over the register; see docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .models import Child, Register
from .words import long_date

#: Consents whose review date is at most this many days away are "to renew this month".
RENEW_WITHIN_DAYS = 30


def due_soon(child: Child, today: date, within: int = RENEW_WITHIN_DAYS) -> bool:
    """True for an attending child whose consent is still current but due within ``within`` days."""
    due = child.consent_review_due
    return not child.left_by(today) and due is not None and today <= due <= today + timedelta(days=within)


def to_renew(register: Register, today: date, within: int = RENEW_WITHIN_DAYS) -> list[Child]:
    """Children whose consent is due for review soon, soonest first."""
    found = [c for c in register.children.values() if due_soon(c, today, within)]
    return sorted(found, key=lambda c: (c.consent_review_due, c.name.casefold(), c.child_id))


@dataclass(frozen=True)
class Renewal:
    """A child whose consent falls due for review soon: what the audit's JSON report lists."""

    child_id: str
    name: str
    due: date

    @property
    def words(self) -> str:
        """'Ava Patel (c01) by 1 October 2026' (the id alone when the register gives no name)."""
        who = f"{self.name} ({self.child_id})" if self.name else self.child_id
        return f"{who} by {long_date(self.due)}"


def renewals(register: Register, today: date, within: int = RENEW_WITHIN_DAYS) -> tuple[Renewal, ...]:
    """:func:`to_renew` as plain values, soonest first."""
    return tuple(Renewal(c.child_id, c.name, c.consent_review_due)  # type: ignore[arg-type]
                 for c in to_renew(register, today, within))


#: How each standard use is put to a parent in a renewal letter: what they are asked to agree to,
#: in their words (a use the setting added reads as its own name).
PARENT_WORDS: dict[str, str] = {
    "learning_journey": "photos in your child's own learning journey",
    "other_journeys": "your child in photos in other children's learning journeys",
    "display": "photos of your child on display in the setting",
    "website": "photos of your child on the setting's website, in its brochure or in the local press",
    "social_media": "photos of your child on the setting's social media (such as its Facebook group)",
}


def parent_words(purpose: str) -> str:
    """How ``purpose`` is put to a parent (:data:`PARENT_WORDS`; else its own name in words)."""
    return PARENT_WORDS.get(purpose, purpose.replace("_", " "))


class Answer(StrEnum):
    """What the register records today for one use of one child's photos."""

    YES = "yes"
    NO = "no"
    WITHDRAWN = "withdrawn"


def answer(child: Child, purpose: str) -> Answer:
    """``yes``, ``no`` (or blank), or ``withdrawn`` (a "yes" taken back since)."""
    if purpose in child.withdrawn:
        return Answer.WITHDRAWN
    return Answer.YES if child.allows(purpose) else Answer.NO


@dataclass(frozen=True)
class RenewalLetter:
    """One consent to renew, as a parent is asked about it: the child, each use and what the
    register says today, and the date by which it must be renewed (``children --renewals``)."""

    child_id: str
    name: str
    room: str
    due: date
    uses: tuple[tuple[str, Answer], ...]  # (purpose, the answer recorded today), register order

    def agreed(self) -> list[str]:
        """The uses the parent agreed to, in a parent's words."""
        return [parent_words(p) for p, said in self.uses if said is Answer.YES]

    def not_agreed(self) -> list[str]:
        """The uses the parent did not agree to (or withdrew), in a parent's words."""
        return [parent_words(p) for p, said in self.uses if said is not Answer.YES]


def renewal_letters(register: Register, today: date, within: int = RENEW_WITHIN_DAYS) -> tuple[RenewalLetter, ...]:
    """Every attending child whose consent falls due within ``within`` days (today included),
    soonest first, with what the register records for each use: the list for a mail merge.
    A consent already past its date is not here: it has lapsed, and ``children`` says so."""
    letters = []
    for child in to_renew(register, today, within):
        due = child.consent_review_due
        assert due is not None  # to_renew keeps only children with a review date
        uses = tuple((purpose, answer(child, purpose)) for purpose in child.consents)
        letters.append(RenewalLetter(child.child_id, child.name, child.room, due, uses))
    return tuple(letters)


def days_words(due: date, today: date) -> str:
    days = (due - today).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def renewal_warning(register: Register, today: date, within: int = RENEW_WITHIN_DAYS) -> str | None:
    """'2 consents to renew this month: ...' for an audit's warnings, or None."""
    due = renewals(register, today, within)
    if not due:
        return None
    listed = ", ".join(r.words for r in due)
    count = f"{len(due)} consent{'s' if len(due) != 1 else ''} to renew this month"
    return (f"{count} (review date within {within} days): {listed}. Ask the parents to renew "
            "them: after the review date that child's photos are withheld from every use.")
