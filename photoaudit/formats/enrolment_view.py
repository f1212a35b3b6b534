"""What ``photoaudit enrol`` shows: each person's reference photos enrolled, the photos
rejected and why, the warnings, and each erasure the enrolment carried out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.models import folder_of, staff_id_of
from ..core.staff_rules import staff_label

if TYPE_CHECKING:
    from rich.console import Console

    from ..operations.reference_check import Confirmed
    from ..operations.workflow import Prepared


def person_id(key: str) -> str:
    """A person's id as the register writes it, from their store key (``staff:ID`` for staff)."""
    return staff_id_of(key) or key


def enrolled_words(enrolled: dict[str, int]) -> str:
    """'3 children' or '3 children and 1 member(s) of staff': those with a usable template."""
    staff = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is not None)
    children = sum(1 for k, n in enrolled.items() if n and staff_id_of(k) is None)
    return f"{children} children" + (f" and {staff} member(s) of staff" if staff else "")


def confirmed_words(confirmed: Confirmed) -> list[str]:
    """What ``enrol --confirm`` says it recorded: whose photos, each by name, and for how long."""
    return [
        f"You checked the reference photos of {confirmed.label} in {confirmed.folder}/:",
        *(f"  {name}" for name in confirmed.photos),
        f"Recorded on {confirmed.at[:10]}: all {len(confirmed.photos)} are used for as long as they stay exactly "
        f"these files (a photo added, removed or edited undoes this check).",
    ]


def conflict_words(key: str, prepared: Prepared) -> str:
    """The 'Next:' line for a person whose reference photos disagree with nothing to settle it."""
    person = person_id(key)
    return (f"Next: look at the photos in {folder_of(key)}/{person}/. Remove any that is not {label(key, prepared)}; "
            f"if all show them, run: photoaudit enrol --confirm {person}")


def label(key: str, prepared: Prepared) -> str:
    """'Ava Patel (c01)' or 'Jo Smith (staff JS01)' for a store key."""
    if (staff_id := staff_id_of(key)) is not None:
        return staff_label(prepared.register.staff.get(staff_id), staff_id)
    child = prepared.register.get(key)
    return f"{child.name} ({key})" if child is not None else key


def show(prepared: Prepared, console: Console, quiet: bool) -> list[str]:
    """Show the enrolment ``prepared`` made, and where its templates are kept; returns the words of each erasure, for the log."""
    from ..operations.workflow import erased_label

    report = prepared.enrolment
    assert report is not None
    if not quiet:
        for child_id, count in sorted(report.enrolled.items()):
            style = "green" if count else "yellow"
            console.print(f"{label(child_id, prepared)}: {count} reference photo(s) enrolled", style=style)
    for child_id, photo, why in report.rejected:
        console.print(f"Rejected {folder_of(child_id)}/{photo}: {why}", style="yellow")
    for key in sorted(set(report.conflicts)):
        console.print(conflict_words(key, prepared))
    for warning in [*report.warnings, *prepared.standing_warnings]:
        console.print(warning, style="yellow")
    if not quiet:
        for note in report.notes:
            console.print(note)
    erased = []
    for erasure in report.erasures:
        child = prepared.register.get(erasure.child_id)
        words = erasure.words(f"{child.name} ({erasure.child_id})" if child
                              else erased_label(prepared.register, erasure.child_id))
        console.print(words)
        erased.append(words)
    if not quiet:
        staff = sum(staff_id_of(k) is not None for k in report.enrolled)
        also = f" and {staff} member(s) of staff" if staff else ""
        console.print(f"{len(report.enrolled) - staff} children{also} enrolled; templates kept privately "
                      f"in {prepared.settings.state_path}")
    return erased
