"""The operations the CLI offers, wired together: no printing, no typer.

The CLI turns these into commands and output; tests can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date
from pathlib import Path

import numpy as np

from ..core.child_ids import resolve_child_id
from ..core.erasure_rule import erasure_plan, not_in_register_warning
from ..core.errors import CannotRun
from ..core.judging import Judging
from ..core.models import Action, DeviceRegister, Register, StaffRegister, staff_id_of, staff_key
from ..core.provenance import audit_warnings
from ..core.renewals import renewal_warning
from ..core.renewals import renewals as consents_to_renew
from ..core.safeguards import Safeguards, safeguards_for
from ..core.settings import Settings, VideoSettings
from ..core.staff_rules import staff_label
from ..core.words import label_of
from ..faces.engine import EngineSettings, FaceEngine
from ..media.sources import Entry, MediaFile, shown
from ..setting.devices import load_devices
from ..setting.register import load_register, load_staff_register
from ..store import lock, quarantine
from ..store.database import Store
from ..store.erasure import Erasure, erase_as_ruled
from ..store.leavers import leaver_records
from ..store.published import pending_takedowns
from .cluster import ClusterExaminer, ClusterOptions
from .decision_book import load_decisions_in_force, remember
from .dsl import dsl_for_week
from .enrolment import (
    EnrolmentReport,
    eligible_staff,
    enrol,
    inputs_fingerprint,
    rejected_words,
    standing_warnings,
    stored_rejected,
)
from .examine import list_folder
from .examiner import Examiner
from .face_groups import identify_groups
from .incremental import audit_with_memory, examine_key, folder_key
from .reaudit import ReauditResult
from .reaudit import reaudit as reaudit_store
from .results import AuditResult

ENROLMENT_KEY = "enrolment-inputs"


@dataclass
class Prepared:
    """A register, the engine and the enrolled templates, ready to audit with."""

    settings: Settings
    register: Register
    engine: FaceEngine
    enrolled: dict[str, list[np.ndarray]]
    enrolment: EnrolmentReport | None  # set when this run (re-)enrolled
    devices: DeviceRegister | None = None  # None when the setting has no devices.csv
    guard: Safeguards | None = None  # look-alikes, twins, public uses (None: the strictest defaults)
    #: store keys of people whose face data is kept but whom the register does not list: not
    #: matched, never erased for that, and said every run (photoaudit.core.erasure_rule)
    not_in_register: tuple[str, ...] = ()

    #: what is amiss in the register, faces/, staff/ and the enrolled reference photos now: every
    #: run says it again while it holds, not only the run that refreshed the enrolment
    warnings: list[str] = field(default_factory=list)

    @property
    def standing_warnings(self) -> list[str]:
        """Warnings every run repeats while they hold (face data kept for people not in the register)."""
        words = not_in_register_warning(self.not_in_register)
        return [words] if words else []

    def judging(self, today: date) -> Judging:
        """What the rules judge every photo of this run against, as one value."""
        settings = self.settings
        return Judging(self.register, today, self.enrolled, settings.match, settings.purposes, self.devices,
                       settings.records, settings.video, self.guard)

    @property
    def children_enrolled(self) -> bool:
        """True when some child (not only staff) has templates to match against."""
        return any(staff_id_of(key) is None for key in self.enrolled)


def prepare(
    settings: Settings,
    engine_settings: EngineSettings | None = None,
    force_enrol: bool = False,
    progress: Callable[[str], None] | None = None,
    detector: str | None = None,
) -> Prepared:
    """Read the register, and refresh the enrolment if the register or photos changed.

    ``detector`` (a name from the detector registry, or ``auto``) stands for
    ``EngineSettings(detector=detector)``: what the command line's ``--detector`` gives.
    """
    if detector is not None:
        engine_settings = EngineSettings(detector=detector)
    register = load_registers(settings)
    devices = load_devices(settings.devices_path) if settings.devices_path.is_file() else None
    engine = FaceEngine(engine_settings)
    # Every enrolment writes templates: never while `forget` erases (lock.STORE_LOCK).
    with lock.acquire_store_shared(settings.state_path), Store(settings.state_path) as store:
        tolerance = settings.match.tolerance  # what counts as "unlike" and "too alike" in enrolment
        fingerprint = inputs_fingerprint(register, settings.faces_dir, engine.settings.fingerprint(),
                                         settings.staff_dir, tolerance)
        report = None
        if force_enrol or store.get_meta(ENROLMENT_KEY) != fingerprint:
            report = enrol(register, settings.faces_dir, store, engine, progress, settings.staff_dir,
                           tolerance=tolerance)
            store.set_meta(ENROLMENT_KEY, fingerprint)
            warnings = report.warnings + rejected_words(report.rejected)
        else:
            warnings, _ = standing_warnings(register, settings.faces_dir, settings.staff_dir, store,
                                            engine.settings.fingerprint(), tolerance, date.today())
            warnings += rejected_words(stored_rejected(store))
        enrolled = store.enrolled_templates(engine.settings.fingerprint())
        paths = store.enrolled_references(engine.settings.fingerprint())
        forgotten = store.forgotten()
        unlisted = erasure_plan(store.stored_child_ids(), register, forgotten).not_in_register
    # Never match against a child the register no longer allows (belt and braces).
    allowed = {
        c.child_id for c in register.children.values()
        if c.face_matching and not c.has_left and c.child_id not in forgotten
    } | {key for key in eligible_staff(register) if key not in forgotten}
    enrolled = {k: v for k, v in enrolled.items() if k in allowed}
    children = {k: v for k, v in enrolled.items() if k in register.children}  # staff have their own rules
    guard = safeguards_for(settings.match, settings.public, children, paths)
    return Prepared(settings, register, engine, enrolled, report, devices, guard, not_in_register=unlisted,
                    warnings=list(warnings))


def load_registers(settings: Settings) -> Register:
    """The consent register, with the staff register (``staff.csv``, if the setting has one).

    A staff id that is also a child id is refused: a decision "this is JS01" must name one person.
    """
    if not settings.register_path.is_file():
        raise CannotRun(
            f"No consent register found at {settings.register_path}. "
            "Give your setting's folder with --data, or start a new one (with a blank children.csv to "
            "fill in): photoaudit init FOLDER"
        )
    register = load_register(settings.register_path, purposes=settings.purposes)
    if not settings.staff_register_path.is_file():
        return replace(register, staff=StaffRegister(purposes=settings.staff_purposes))
    staff = load_staff_register(settings.staff_register_path, purposes=settings.staff_purposes)
    both = sorted(set(staff.members) & set(register.children))
    if both:
        raise CannotRun(
            f"{', '.join(both)} {'is' if len(both) == 1 else 'are'} both a child id in "
            f"{settings.register_path.name} and a staff id in {settings.staff_register_path.name}: "
            "give the member of staff another id, so each id names one person."
        )
    return replace(register, staff=staff)


def audit(
    folder: Path,
    prepared: Prepared,
    today: date,
    on_start: Callable[[list[MediaFile]], None] | None = None,
    on_file: Callable[[MediaFile], None] | None = None,
    jobs: int = 1,
    examiner: Examiner | None = None,
) -> AuditResult:
    """Audit every file in ``folder``, examining only photos the store has not seen; reads only.

    ``examiner`` examines those photos (a Dask cluster's workers: :mod:`photoaudit.operations.cluster`);
    by default ``jobs`` worker processes on this computer.
    """
    if not folder.exists():
        raise CannotRun(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise CannotRun(f"{folder} is a file, not a folder.")
    settings = prepared.settings
    listing = list_folder(folder, exclude=[settings.state_path, settings.quarantine_path])
    files = listing.files
    if on_start:
        on_start(files)
    in_force = load_decisions_in_force(settings.state_path, prepared.register)
    with Store(settings.state_path) as store:
        done = audit_with_memory(
            folder, files, prepared.engine, store, prepared.judging(today), jobs, on_file, settle=in_force,
            examiner=examiner,
        )
    result = AuditResult(folder, today, done.verdicts, hashes=done.hashes,
                         skipped=listing.skipped, public=settings.public, setting=settings.name,
                         renewals=consents_to_renew(prepared.register, today))
    result.entries = {m.relative: m.entry for m in files if m.entry is not Entry.FILE}
    if result.nothing_found:
        result.warnings.append(nothing_found_words(folder, len(listing.skipped)))
    if result.unchecked_folders:
        result.warnings.append(
            f"{len(result.unchecked_folders)} folder(s) could not be opened, so the photos in them "
            f"were NOT checked: {', '.join(map(shown, result.unchecked_folders))}."
        )
    result.warnings.extend(audit_warnings(done.verdicts, settings.records, prepared.devices))
    renewals = renewal_warning(prepared.register, today)
    if renewals:
        result.warnings.append(renewals)
    result.cache = {"examined": done.stats.examined, "reused": done.stats.reused}
    result.warnings.extend(prepared.standing_warnings)
    result.not_in_register = [
        {"id": staff_id_of(key) or key, "kind": "staff" if staff_id_of(key) else "child"}
        for key in prepared.not_in_register
    ]
    if prepared.enrolment is not None:
        for erasure in prepared.enrolment.erasures:
            result.warnings.append(erasure.words(erased_label(prepared.register, erasure.child_id)))
            result.erased.append(asdict(erasure))
    remember(settings.state_path, result, in_force)
    result.people_to_identify = identify_groups(settings.state_path, prepared.engine.settings.fingerprint(),
                                                examine_key(prepared.engine.settings), folder)
    result.dsl = dsl_for_week(done.verdicts, settings.dsl, prepared.devices, settings.state_path, today,
                              hashes=done.hashes)
    with Store(settings.state_path) as store:
        result.takedown = len(pending_takedowns(store, prepared.register, today))
    if result.takedown:
        result.warnings.append(
            f"{result.takedown} published cop{'y' if result.takedown == 1 else 'ies'} must be taken down: "
            "today's register no longer allows what they show. Run `photoaudit takedown` to see which and why."
        )
    if not prepared.children_enrolled:
        result.warnings.append(
            "No child is enrolled for face matching, so every face will need a person to look at it."
        )
    result.warnings.extend(prepared.warnings)  # the register's and faces/' (every run, while they hold)
    return result


def nothing_found_words(folder: Path, skipped: int) -> str:
    """What to say when the audited folder held nothing to check (never "all clear": exit code 6)."""
    held = (f"it holds only {skipped} file(s) that are not photos, listed as skipped" if skipped
            else "it is empty")
    return (f"No photos or videos found in {folder.absolute()}: {held}, so nothing was checked. Is the share mounted, "
            "and did this week's copy from the tablets and cameras happen?")


def erased_label(register: Register, child_id: str) -> str:
    staff_id = staff_id_of(child_id)
    if staff_id is not None:
        return staff_label(register.staff.get(staff_id), staff_id)
    return label_of(child_id, register)


@contextmanager
def examiner_for(options: ClusterOptions | None, engine: EngineSettings, video: VideoSettings,
                 folder: Path) -> Iterator[tuple[ClusterExaminer | None, list[str]]]:
    """The cluster examiner for ``options``, connected and checked for ``folder``, with what
    the check found worth saying (None: this computer's worker processes examine). Raises
    CannotRun when the cluster cannot be used."""
    if options is None:
        yield None, []
        return
    with ClusterExaminer.connect(options, engine, video) as examiner:
        notes = examiner.check(folder) if folder.is_dir() else []  # a missing folder is audit()'s to say
        yield examiner, notes


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
        stack.enter_context(lock.acquire_store_shared(settings.state_path))  # forget waits for us
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

def apply_findings(result: AuditResult, settings: Settings) -> quarantine.Outcome:
    """Move every photo whose action is ``delete`` into quarantine (never deletes anything).

    Every photo to delete that is not moved is listed with why (``result.not_quarantined``
    and a warning each): one whose content is not known (no hash: it could not be read whole,
    or it changed while it was checked) is never moved, nor one that changed since.
    """
    planned, unknown = [], []
    for v in result.verdicts:
        if v.action is not Action.DELETE:
            continue
        if v.path in result.hashes:
            planned.append(quarantine.Planned(v.path, result.hashes[v.path], " ".join(v.reasons)))
        else:
            unknown.append((v.path, "its content is not known (it could not be read whole), so photoaudit "
                                    "cannot make sure it moves the photo it checked; it will be checked again"))
    outcome = quarantine.quarantine(result.folder, planned, settings.quarantine_path)
    outcome.skipped[:0] = unknown
    moved = {item.relative for item in outcome.done}
    with Store(settings.state_path) as store:
        for relative in moved:
            store.drop_location(folder_key(result.folder), relative)
    result.quarantined = [
        {"path": i.relative, "quarantined_to": str(i.quarantined), "sha256": i.sha256} for i in outcome.done
    ]
    result.not_quarantined = [{"path": path, "why": why} for path, why in outcome.skipped]
    result.warnings.extend(outcome.recovered)
    if outcome.stopped:
        result.warnings.append(
            f"--apply stopped part way: {outcome.stopped}. It moved {len(outcome.done)} photo(s), each one "
            f"recorded, and left {len(outcome.skipped)} photo(s) to delete where they are (listed below)."
        )
    result.warnings.extend(f"{path} was not moved to quarantine: {why}." for path, why in outcome.skipped)
    return outcome


# -- living consent and erasure ----------------------------------------------------------

def reaudit(
    prepared: Prepared, today: date, folder: Path | None = None
) -> ReauditResult:
    """Judge every stored photo again against today's register, from its stored faces."""
    settings = prepared.settings
    in_force = load_decisions_in_force(settings.state_path, prepared.register)
    with Store(settings.state_path) as store:
        return reaudit_store(
            store, prepared.engine.settings, prepared.judging(today), None if folder is None else folder_key(folder),
            in_force,
        )


def known_child_ids(settings: Settings, store: Store) -> set[str]:
    """Every id a data-rights command may act on: registered, enrolled, erased or leaver
    children, and members of staff (plain ids, never ``staff:`` keys)."""
    known = {staff_id_of(k) or k for k in set(store.stored_child_ids()) | set(store.forgotten())}
    known |= {child_id for child_id, *_ in leaver_records(store)}
    if settings.register_path.is_file():
        known |= set(load_register(settings.register_path, purposes=settings.purposes).children)
    if settings.staff_register_path.is_file():  # forget STAFF_ID (a staff id is never also a child id)
        known |= set(load_staff_register(settings.staff_register_path, purposes=settings.staff_purposes).members)
    return known


def forget(settings: Settings, child_id: str, when: str) -> Erasure:
    """Erase a child's face data on request, and never enrol them again unless asked.

    ``child_id`` is matched as the registers match ids (:mod:`photoaudit.core.child_ids`);
    one that names no child or member of staff raises
    :class:`~photoaudit.core.child_ids.UnknownChildId` before anything is recorded.
    A staff id erases that member of staff's face data instead (the erasure's
    ``child_id`` is then ``staff:<id>``).

    Refuses (lock.AlreadyRunning) while any audit or enrolment is running (they hold
    the store lock, lock.STORE_LOCK), so none can write the faces back while they are erased.
    """
    held = lock.acquire_every(settings.state_path, "the face data (an audit or an enrolment is running)")
    try:
        with Store(settings.state_path) as store:
            person = resolve_child_id(child_id, known_child_ids(settings, store))  # before anything is recorded
            child_id = person_key(settings, store, person)
            store.mark_forgotten(child_id, when)  # first: no enrolment from now on includes them
            # the rule: erased on request (it needs no register for that, only the record just made)
            [erasure] = erase_as_ruled(store, Register({}), [child_id])
            store.set_meta(ENROLMENT_KEY, "")
        return erasure
    finally:
        for one in held:
            one.release()


@dataclass(frozen=True)
class Forgotten:
    """What ``photoaudit forget`` erased, and how to name whose it was."""

    erasure: Erasure
    label: str  # 'Ava Patel (c01)' or 'Jo Smith (staff JS01)' when the registers name them, else the id
    person_id: str  # as the register writes it (never a ``staff:`` key)
    staff: bool  # a member of staff (erased as ``staff:<id>``)
    folder: Path  # where their reference photos are (photoaudit never deletes them)


def forget_person(settings: Settings, child_id: str) -> Forgotten:
    """:func:`forget`, now, with the words to name the person erased."""
    from datetime import datetime

    erasure = forget(settings, child_id, datetime.now(UTC).isoformat(timespec="seconds"))
    try:
        label = erased_label(load_registers(settings), erasure.child_id)
    except (CannotRun, OSError):  # the register's problems are CannotRun too
        label = staff_id_of(erasure.child_id) or erasure.child_id
    person_id = staff_id_of(erasure.child_id) or erasure.child_id
    staff = staff_id_of(erasure.child_id) is not None
    return Forgotten(erasure, label, person_id, staff, (settings.staff_dir if staff else settings.faces_dir) / person_id)


def forget_key(settings: Settings, person_id: str) -> str:
    """The store key ``forget`` and ``--allow-again`` work on: ``staff:ID`` for an id of the
    staff register (a staff id is never also a child id), else the id as given (a child)."""
    if settings.staff_register_path.is_file():
        staff = load_staff_register(settings.staff_register_path, purposes=settings.staff_purposes)
        if person_id in staff.members:
            return staff_key(person_id)
    return person_id


def person_key(settings: Settings, store: Store, person_id: str) -> str:
    """:func:`forget_key`, also for a member of staff the staff register no longer lists
    but the store still knows (templates, or erased on request)."""
    key = forget_key(settings, person_id)
    if key == person_id and staff_key(person_id) in set(store.stored_child_ids()) | set(store.forgotten()):
        return staff_key(person_id)
    return key


def allow_again(settings: Settings, child_id: str) -> str:
    """Let a forgotten child (or member of staff) be enrolled again (they agreed again);
    returns their store key (``staff:ID`` for staff).

    The id is matched as everywhere (:mod:`photoaudit.core.child_ids`) among those erased
    on request; any other id raises :class:`~photoaudit.core.child_ids.UnknownChildId`.
    """
    with Store(settings.state_path) as store:
        forgotten = store.forgotten()
        person = resolve_child_id(child_id, {staff_id_of(k) or k for k in forgotten},
                                  "among those erased on request")
        child_id = staff_key(person) if staff_key(person) in forgotten else person
        store.allow_again(child_id)
        store.set_meta(ENROLMENT_KEY, "")
    return child_id
