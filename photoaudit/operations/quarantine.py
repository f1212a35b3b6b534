"""The quarantine's operations: list it, put photos back, delete old ones for good.

``photoaudit restore`` and ``photoaudit purge`` call these and show what they return; the
moves themselves are :mod:`photoaudit.store.quarantine`'s, under the quarantine's lock (and
each photo's folder's lock, to put it back). Every listing and change first finishes any move
a killed run left half done, so nothing half moved is hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..store import quarantine
from ..store.lock import AlreadyRunning
from ..store.quarantine import Item, Outcome
from .dsl import held_as_evidence
from .workflow import lock_folder, lock_quarantine, stale_words

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..store.outputs import Writes

__all__ = ["Item", "Listing", "Outcome", "PurgePlan", "Purged", "Restored", "listing", "purge",
           "restore", "writes"]


def writes(settings: Settings) -> Writes:
    """What restore and purge may touch: the folders audited with this state folder."""
    from ..store.outputs import Writes, audited_before

    return Writes(folders=tuple(audited_before(settings)))


@dataclass(frozen=True)
class Listing:
    """What is in quarantine, after finishing any half-done move.

    ``busy``: another run holds the quarantine's lock, so nothing was finished, and
    ``moving`` names the moves that run has open (the list may change when it ends).
    """

    items: list[Item]
    stale: str | None = None
    recovered: tuple[str, ...] = ()
    busy: bool = False
    moving: tuple[dict, ...] = ()


def listing(settings: Settings) -> Listing:
    """The quarantine's photos; a move a killed run left half done is finished first."""
    try:
        with lock_quarantine(settings) as held:
            recovered = tuple(quarantine.recover(settings.quarantine_path))
            items = quarantine.quarantined_items(quarantine.Manifest(settings.quarantine_path).entries())
            return Listing(items, stale_words(held), recovered)
    except AlreadyRunning:
        entries = quarantine.Manifest(settings.quarantine_path).entries()
        return Listing(quarantine.quarantined_items(entries), busy=True,
                       moving=tuple(quarantine.open_operations(entries)))


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the names matching no quarantined photo, locks taken over from
    killed runs, and the outcome (half-done moves finished first, in ``outcome.recovered``)."""

    unknown: list[str]
    stale: list[str]
    outcome: Outcome


def restore(settings: Settings, paths: list[str], every: bool) -> Restored:
    """Put back the photos named in ``paths`` (or ``every`` one) where they were."""
    with ExitStack() as locks:
        held = [locks.enter_context(lock_quarantine(settings))]
        recovered = quarantine.recover(settings.quarantine_path)  # first: a half-done move is listed
        items = quarantine.quarantined_items(quarantine.Manifest(settings.quarantine_path).entries())
        chosen, unknown = (items, []) if every else quarantine.select(items, paths)
        for folder in sorted({item.folder for item in chosen}):
            held.append(locks.enter_context(lock_folder(settings, Path(folder))))
        stale = [words for words in map(stale_words, held) if words]
        outcome = quarantine.restore(settings.quarantine_path, chosen)
        outcome.recovered[:0] = recovered
    return Restored(unknown, stale, outcome)


@dataclass(frozen=True)
class PurgePlan:
    """What a purge would delete, shown to be confirmed while the quarantine is locked."""

    stale: str | None
    recovered: list[str]
    chosen: list[Item]
    #: old enough, but kept: a finding for the DSL named them and no person has decided yet (why)
    kept: tuple[tuple[Item, str], ...] = ()


@dataclass(frozen=True)
class Purged:
    """What ``purge`` did: its plan, and the outcome (None when nothing was deleted)."""

    plan: PurgePlan
    outcome: Outcome | None


def purge(settings: Settings, older_than: str, confirm: Callable[[PurgePlan], bool]) -> Purged:
    """Delete photos quarantined longer ago than ``older_than`` ("30d"), when ``confirm`` says
    yes to the plan (it is asked even when the plan is empty, to show what was recovered)."""
    age = quarantine.parse_age(older_than)
    with lock_quarantine(settings) as held:
        stale = stale_words(held)
        recovered = quarantine.recover(settings.quarantine_path)  # first: nothing half moved is hidden
        old = quarantine.purgeable(settings.quarantine_path, age)
        evidence = held_as_evidence(settings.state_path, (i.sha256 for i in old))  # docs/managers-week.md, "For the DSL"
        plan = PurgePlan(stale, recovered, [i for i in old if i.sha256 not in evidence],
                         tuple((i, evidence[i.sha256]) for i in old if i.sha256 in evidence))
        if not confirm(plan) or not plan.chosen:
            return Purged(plan, None)
        return Purged(plan, quarantine.purge(settings.quarantine_path, plan.chosen))
