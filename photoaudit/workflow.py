"""The operations the CLI offers, wired together: no printing, no typer.

The CLI turns these into commands and output; tests can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np

from . import lock, quarantine
from .auditor import AuditResult, list_media
from .child_ids import resolve_child_id
from .config import Settings
from .devices import load_devices
from .decision_store import load_settler, remember
from .engine import EngineSettings, FaceEngine
from .enrolment import EnrolmentReport, enrol, inputs_fingerprint
from .erasure import Erasure, erase_child
from .leavers import leaver_records
from .incremental import audit_incrementally, folder_key
from .models import Action, Register
from .policy import child_label
from .provenance import DeviceRegister, audit_warnings
from .published import pending_takedowns
from .reaudit import ReauditResult, reaudit as reaudit_store
from .register import load_register
from .sources import MediaFile
from .store import Store

ENROLMENT_KEY = "enrolment-inputs"


class CannotRun(Exception):
    """The audit could not run at all (exit code 2); the message says why in plain words."""


@dataclass
class Prepared:
    """A register, the engine and the enrolled templates, ready to audit with."""

    settings: Settings
    register: Register
    engine: FaceEngine
    enrolled: dict[str, list[np.ndarray]]
    enrolment: EnrolmentReport | None  # set when this run (re-)enrolled
    devices: DeviceRegister | None = None  # None when the setting has no devices.csv


def prepare(
    settings: Settings,
    engine_settings: EngineSettings | None = None,
    force_enrol: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Prepared:
    """Read the register, and refresh the enrolment if the register or photos changed."""
    if not settings.register_path.is_file():
        raise CannotRun(
            f"No consent register found at {settings.register_path}. "
            "Copy consent_data/template/children.csv there and fill it in, or use --data."
        )
    register = load_register(settings.register_path, purposes=settings.purposes)
    devices = load_devices(settings.devices_path) if settings.devices_path.is_file() else None
    engine = FaceEngine(engine_settings)
    with Store(settings.state_path) as store:
        fingerprint = inputs_fingerprint(register, settings.faces_dir, engine.settings.fingerprint())
        report = None
        if force_enrol or store.get_meta(ENROLMENT_KEY) != fingerprint:
            report = enrol(register, settings.faces_dir, store, engine, progress)
            store.set_meta(ENROLMENT_KEY, fingerprint)
        enrolled = store.enrolled_templates(engine.settings.fingerprint())
        forgotten = store.forgotten()
    # Never match against a child the register no longer allows (belt and braces).
    allowed = {
        c.child_id for c in register.children.values()
        if c.face_matching and not c.has_left and c.child_id not in forgotten
    }
    enrolled = {k: v for k, v in enrolled.items() if k in allowed}
    return Prepared(settings, register, engine, enrolled, report, devices)


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or anywhere inside it (links resolved)."""
    root, target = folder.resolve(), path.resolve()
    return target == root or root in target.parents


def check_outputs_outside(folder: Path, outputs: list[Path]) -> None:
    """Refuse to write a report into the folder being audited."""
    for out in outputs:
        if str(out) != "-" and is_inside(out, folder):
            raise CannotRun(
                f"The report {out} would be written inside the folder being audited. "
                "photoaudit never writes into that folder: choose another place."
            )


def audit(
    folder: Path,
    prepared: Prepared,
    today: date,
    on_start: Callable[[list[MediaFile]], None] | None = None,
    on_file: Callable[[MediaFile], None] | None = None,
    jobs: int = 1,
) -> AuditResult:
    """Audit every file in ``folder``, examining only photos the store has not seen; reads only."""
    if not folder.exists():
        raise CannotRun(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise CannotRun(f"{folder} is a file, not a folder.")
    settings = prepared.settings
    files = list_media(folder, exclude=[settings.state_path, settings.quarantine_path])
    if on_start:
        on_start(files)
    settler = load_settler(settings.state_path, prepared.register)
    with Store(settings.state_path) as store:
        done = audit_incrementally(
            folder, files, prepared.engine, store, prepared.register, prepared.enrolled,
            today, settings.match, settings.purposes, jobs, on_file,
            devices=prepared.devices, rules=settings.records, video=settings.video,
            settle=settler,
        )
    result = AuditResult(folder, today, settler.overrule(done.verdicts), hashes=done.hashes)
    result.warnings.extend(audit_warnings(done.verdicts, settings.records, prepared.devices))
    result.cache = {"examined": done.stats.examined, "reused": done.stats.reused}
    if prepared.enrolment is not None:
        for erasure in prepared.enrolment.erasures:
            result.warnings.append(erasure.words(erased_label(prepared.register, erasure.child_id)))
            result.erased.append(asdict(erasure))
    remember(settings.state_path, result, settler)
    with Store(settings.state_path) as store:
        result.takedown = len(pending_takedowns(store, prepared.register, today))
    if result.takedown:
        result.warnings.append(
            f"{result.takedown} published cop{'y' if result.takedown == 1 else 'ies'} must be taken down: "
            "today's register no longer allows what they show. Run `photoaudit takedown` to see which and why."
        )
    if not prepared.enrolled:
        result.warnings.append(
            "No child is enrolled for face matching, so every face will need a person to look at it."
        )
    return result


def erased_label(register: Register, child_id: str) -> str:
    child = register.get(child_id)
    return child_label(child) if child else child_id


# -- one run at a time ---------------------------------------------------------------

def lock_folder(settings: Settings, folder: Path) -> lock.RunLock:
    """The lock for auditing ``folder`` (raises lock.AlreadyRunning)."""
    return lock.acquire(settings.state_path, folder_key(folder), f"the folder {folder}")


def lock_quarantine(settings: Settings) -> lock.RunLock:
    """The lock for moving photos in or out of the quarantine folder."""
    where = settings.quarantine_path.resolve()
    return lock.acquire(settings.state_path, f"quarantine:{where}", f"the quarantine folder {where}")


@contextmanager
def audit_locks(settings: Settings, folder: Path, apply: bool) -> Iterator[list[str]]:
    """Hold the folder's lock (and with ``apply`` the quarantine's) for one audit.

    Raises lock.AlreadyRunning at once when another run holds one; yields what
    to say about locks recovered from runs that were killed.
    """
    with ExitStack() as stack:
        held = [stack.enter_context(lock_folder(settings, folder))]
        if apply:
            held.append(stack.enter_context(lock_quarantine(settings)))
        yield [words for words in map(stale_words, held) if words]


def stale_words(held: lock.RunLock) -> str | None:
    """What to say when a lock left by a run that was killed was taken over."""
    if not held.stale:
        return None
    return (
        f"A previous run (process {held.stale.get('pid', '?')}, started "
        f"{held.stale.get('started', '?')}) ended without finishing; its lock was recovered."
    )


# -- acting on the findings -----------------------------------------------------------

def check_quarantine(settings: Settings, folder: Path) -> None:
    """Refuse a quarantine folder inside the audited folder (or around it)."""
    why = quarantine.check_outside(settings.quarantine_path, folder)
    if why:
        raise CannotRun(why)


def apply_findings(result: AuditResult, settings: Settings) -> quarantine.Outcome:
    """Move every photo whose action is ``delete`` into quarantine (never deletes anything)."""
    planned = [
        quarantine.Planned(v.path, result.hashes[v.path], " ".join(v.reasons))
        for v in result.verdicts
        if v.action is Action.DELETE and v.path in result.hashes
    ]
    outcome = quarantine.quarantine(result.folder, planned, settings.quarantine_path)
    moved = {item.relative for item in outcome.done}
    with Store(settings.state_path) as store:
        for relative in moved:
            store.drop_location(folder_key(result.folder), relative)
    result.quarantined = [
        {"path": i.relative, "quarantined_to": str(i.quarantined), "sha256": i.sha256} for i in outcome.done
    ]
    result.warnings.extend(outcome.recovered)
    result.warnings.extend(f"{path} was not moved to quarantine: {why}." for path, why in outcome.skipped)
    return outcome


# -- living consent and erasure ----------------------------------------------------------

def reaudit(
    prepared: Prepared, today: date, folder: Path | None = None
) -> ReauditResult:
    """Judge every stored photo again against today's register, from its stored faces."""
    settings = prepared.settings
    with Store(settings.state_path) as store:
        return reaudit_store(
            store, prepared.engine.settings, prepared.register, prepared.enrolled,
            today, settings.match, settings.purposes, None if folder is None else folder_key(folder),
            devices=prepared.devices, rules=settings.records, video=settings.video,
        )


def known_child_ids(settings: Settings, store: Store) -> set[str]:
    """Every id a data-rights command may act on: registered, enrolled, erased or leaver."""
    known = set(store.stored_child_ids()) | set(store.forgotten())
    known |= {child_id for child_id, *_ in leaver_records(store)}
    if settings.register_path.is_file():
        known |= set(load_register(settings.register_path, purposes=settings.purposes).children)
    return known


def forget(settings: Settings, child_id: str, when: str) -> Erasure:
    """Erase a child's face data on request, and never enrol them again unless asked.

    ``child_id`` is matched as the register matches ids (:mod:`photoaudit.child_ids`);
    one that names no child raises :class:`~photoaudit.child_ids.UnknownChildId`
    before anything is recorded.

    Refuses (lock.AlreadyRunning) while any audit is running, so none can write
    the child's faces back while they are being erased.
    """
    held = lock.acquire_every(settings.state_path, "the face data (an audit is running)")
    try:
        with Store(settings.state_path) as store:
            child_id = resolve_child_id(child_id, known_child_ids(settings, store))  # before anything is recorded
            store.mark_forgotten(child_id, when)  # first: no enrolment from now on includes them
            erasure = erase_child(store, child_id, "erased on request")
            store.set_meta(ENROLMENT_KEY, "")
        return erasure
    finally:
        for one in held:
            one.release()


def allow_again(settings: Settings, child_id: str) -> str:
    """Let a forgotten child be enrolled again (their parents agreed again); returns their id.

    The id is matched as everywhere (:mod:`photoaudit.child_ids`) among the children
    erased on request; any other id raises :class:`~photoaudit.child_ids.UnknownChildId`.
    """
    with Store(settings.state_path) as store:
        child_id = resolve_child_id(child_id, store.forgotten(), "among the children erased on request")
        store.allow_again(child_id)
        store.set_meta(ENROLMENT_KEY, "")
    return child_id
