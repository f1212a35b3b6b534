"""The operations the CLI offers, wired together: no printing, no typer.

The CLI turns these into commands and output; tests can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .auditor import AuditResult, audit_files, list_media
from .config import Settings
from .devices import load_devices
from .decision_store import load_settler, remember
from .engine import EngineSettings, FaceEngine
from .enrolment import EnrolmentReport, enrol, inputs_fingerprint
from .models import Register
from .provenance import DeviceRegister, audit_warnings
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
    # Never match against a child the register no longer allows (belt and braces).
    allowed = {c.child_id for c in register.children.values() if c.face_matching and not c.has_left}
    enrolled = {k: v for k, v in enrolled.items() if k in allowed}
    return Prepared(settings, register, engine, enrolled, report, devices)


def check_outputs_outside(folder: Path, outputs: list[Path]) -> None:
    """Refuse to write a report into the folder being audited."""
    root = folder.resolve()
    for out in outputs:
        if str(out) == "-":
            continue
        target = out.resolve()
        if target == root or root in target.parents:
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
) -> AuditResult:
    """Audit every file in ``folder``; reads only."""
    if not folder.exists():
        raise CannotRun(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise CannotRun(f"{folder} is a file, not a folder.")
    files = list_media(folder)
    if on_start:
        on_start(files)
    settler = load_settler(prepared.settings.state_path, prepared.register)
    verdicts = audit_files(
        files,
        prepared.engine,
        prepared.register,
        prepared.enrolled,
        today,
        prepared.settings.match,
        prepared.settings.purposes,
        on_file,
        devices=prepared.devices,
        rules=prepared.settings.records,
        video=prepared.settings.video,
        settle=settler,
    )
    result = AuditResult(folder, today, settler.overrule(verdicts))
    result.warnings.extend(audit_warnings(verdicts, prepared.settings.records, prepared.devices))
    remember(prepared.settings.state_path, result, settler)
    if not prepared.enrolled:
        result.warnings.append(
            "No child is enrolled for face matching, so every face will need a person to look at it."
        )
    return result
