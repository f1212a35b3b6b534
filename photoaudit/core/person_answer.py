"""Who a person means when they type a name at the review prompt: pure, never a guess.

The manager knows "Ava Patel", not ``c01``. An answer that is not an id is looked up by
name, ignoring case, among the children and the staff: one whole name (or one first name
that only one person has) is that person; several, or none but close ones, are shown back
as the closest matches and the question is asked again. Never the nearest spelling on its
own: naming the wrong child would check the wrong child's consent.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .models import FaceDecision, PersonDecision, Register
from .staff_rules import staff_label
from .words import child_label

#: How alike a typed name must be to a registered one to be offered as a closest match.
CLOSE_NAME = 0.6
#: At most this many closest matches are shown.
MOST_SHOWN = 5


@dataclass(frozen=True)
class NameAnswer:
    """What a typed name means: one person's decision, or the closest matches to choose from."""

    decision: PersonDecision | None = None
    closest: tuple[str, ...] = ()  # "Ava Patel (c01)", for the question asked again


def people(register: Register) -> list[tuple[str, PersonDecision, str]]:
    """(name, decision, label) of every child and member of staff with a name."""
    found = [(c.name, PersonDecision(FaceDecision.CHILD, c.child_id), child_label(c))
             for c in register.children.values() if c.name]
    found += [(m.name, PersonDecision(FaceDecision.STAFF, staff_id=m.staff_id),
               staff_label(m, m.staff_id))
              for m in register.staff.members.values() if m.name]
    return found


def by_name(text: str, register: Register) -> NameAnswer:
    """The person ``text`` names (whole name, or a first name only one person has), or the
    closest matches when it names nobody for sure."""
    said = " ".join(text.split()).casefold()
    everyone = people(register)
    whole = [p for p in everyone if " ".join(p[0].split()).casefold() == said]
    if len(whole) == 1:
        return NameAnswer(whole[0][1])
    first = whole or [p for p in everyone if p[0].split() and p[0].split()[0].casefold() == said]
    if len(first) == 1:
        return NameAnswer(first[0][1])
    if first:
        return NameAnswer(closest=tuple(sorted(p[2] for p in first))[:MOST_SHOWN])
    names = {" ".join(p[0].split()).casefold(): p[2] for p in everyone}
    near = difflib.get_close_matches(said, list(names), n=MOST_SHOWN, cutoff=CLOSE_NAME)
    near += [n for n in names if said and said in n and n not in near]
    return NameAnswer(closest=tuple(names[n] for n in near[:MOST_SHOWN]))
