"""What may be erased: the one rule that decides whose face data goes (issue 25).

A person's face data (their reference templates, and every stored face that was them) is
biometric data, and erasing it cannot be undone. It is erased for exactly three reasons,
each one something the register or a person said, and never for any other:

- **on request**: ``photoaudit forget`` (the person is then never enrolled again unless asked);
- **left**: ``status = left``, or a leave date that has passed (the retention rules, R7);
- **face matching withdrawn**: ``face_matching = no``.

A person the register does not list at all is **not** a reason. A row deleted by mistake,
a register saved half-way from Excel, a filter left on, a ``staff.csv`` missing for one run:
all ordinary, all undone by putting the file right. So their face data is kept, they are
left out of matching (their faces go to a person, failing closed), and every audit says so,
until the register says why: the row back, ``status = left``, ``face_matching = no``, or
``photoaudit forget``.

A stored face where an erased person's face was gets its template back (when its photo is
examined again) only when it is recognised as someone enrolled now, as a person enrolled
again is (:func:`may_store_again`); any other such face stays without one.

Pure functions over plain data: the store (:mod:`photoaudit.store.erasure`) acts on them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .matching import match_face
from .models import FaceStatus, Register, staff_id_of
from .settings import MatchSettings


class ErasureReason(Enum):
    """Why a person's face data is erased: the only three reasons there are."""

    REQUEST = "erased on request"
    LEFT = "has left the setting"
    NO_FACE_MATCHING = "face-matching permission withdrawn"


@dataclass(frozen=True)
class ErasurePlan:
    """Whose face data to erase and why; and whose is kept although the register does not list them."""

    erase: tuple[tuple[str, ErasureReason], ...]  # store key, why
    not_in_register: tuple[str, ...]  # store keys: kept, left out of matching, said every run


def listed(key: str, register: Register) -> bool:
    """True when the register (or the staff register, for a ``staff:`` key) has a row for them."""
    staff_id = staff_id_of(key)
    if staff_id is not None:
        return register.staff.get(staff_id) is not None
    return register.get(key) is not None


def why_erase(key: str, register: Register, forgotten: Collection[str]) -> ErasureReason | None:
    """Why the face data stored under ``key`` must be erased now, or None: it may not be."""
    if key in forgotten:
        return ErasureReason.REQUEST
    staff_id = staff_id_of(key)
    person = register.staff.get(staff_id) if staff_id is not None else register.get(key)
    if person is None:
        return None  # not a reason: kept, and said every run (not_in_register)
    if person.has_left:
        return ErasureReason.LEFT
    if not person.face_matching:
        return ErasureReason.NO_FACE_MATCHING
    return None


def erasure_plan(stored: Iterable[str], register: Register, forgotten: Collection[str]) -> ErasurePlan:
    """For each person whose face data is stored (store keys): erase it (and why), keep it, or
    keep it although the register does not list them."""
    erase: list[tuple[str, ErasureReason]] = []
    unlisted: list[str] = []
    for key in sorted(set(stored)):
        why = why_erase(key, register, forgotten)
        if why is not None:
            erase.append((key, why))
        elif not listed(key, register):
            unlisted.append(key)
    return ErasurePlan(tuple(erase), tuple(unlisted))


def reason_words(why: ErasureReason, key: str) -> str:
    """The reason in the words of the register it came from (a member of staff *agreed*)."""
    if why is ErasureReason.NO_FACE_MATCHING and staff_id_of(key) is not None:
        return "face-matching agreement withdrawn"
    return why.value


def person_words(key: str) -> str:
    """``c02``, or ``staff JS01``."""
    staff_id = staff_id_of(key)
    return key if staff_id is None else f"staff {staff_id}"


def not_in_register_warning(keys: Sequence[str]) -> str | None:
    """What every audit says while face data is kept for people the register does not list."""
    if not keys:
        return None
    who = ", ".join(person_words(k) for k in keys)
    forget = "; ".join(f"photoaudit forget {staff_id_of(k) or k}" for k in keys)
    return (
        f"{who} {'is' if len(keys) == 1 else 'are'} not in the register, but photoaudit keeps their face "
        "data: nothing was erased, and their faces are not matched (photos showing them go to a person) "
        "until the register says why. If a row was removed by mistake (a filter left on, a register saved "
        "half-way), put it back. If they left, put the row back with status left; if face matching was "
        f"withdrawn, with face_matching no: their face data is then erased. To erase it now: {forget}."
    )


def may_store_again(template: np.ndarray | None, enrolled: Mapping[str, Sequence[np.ndarray]],
                    match: MatchSettings) -> bool:
    """Whether a face found where an erased person's face was may keep its template: only when it
    is recognised as someone enrolled now (a person enrolled again, after face matching was agreed
    again or ``enrol --allow-again``). Anyone else's face there stays erased."""
    if template is None or not enrolled:
        return False
    return match_face(template, (0, 0, 0, 0), enrolled, match).status is FaceStatus.MATCHED
