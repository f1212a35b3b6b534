"""The audit's "For the DSL" section: the week's files as a set, with the store's earlier weeks.

The rules are :mod:`photoaudit.core.dsl`'s; this reads what the audit already has (each
verdict's provenance: device, time taken, EXIF Software, flags; never a photo again) and
remembers, per device, this week's last camera number for next week's audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from ..core.dsl import DslHistory, DslPhoto, DslRules, DslSection, dsl_section
from ..core.models import DeviceRegister, MediaKind, PhotoVerdict
from ..store.database import DB_NAME, Store
from ..store.decision_book import DecisionBook


def week_of(day: date) -> str:
    """The ISO week a day falls in, as the store keeps it ("2026-W49")."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def dsl_photos(verdicts: Iterable[PhotoVerdict]) -> list[DslPhoto]:
    """What the DSL rules read of each verdict: its name, device, time taken, Software and flags."""
    photos = []
    for v in verdicts:
        p = v.provenance
        if p is None:
            photos.append(DslPhoto(v.path))
            continue
        device = p.device_id or (p.camera.describe() if p.camera is not None and p.camera.complete else None)
        taken = p.taken if p.kind is MediaKind.PHOTO or p.taken is not None else None
        photos.append(DslPhoto(v.path, device, p.device_id is not None, taken, p.software, p.flags))
    return photos


def dsl_for_week(verdicts: Iterable[PhotoVerdict], rules: DslRules, devices: DeviceRegister | None,
                 state_dir: Path, today: date, hashes: Mapping[str, str] | None = None) -> DslSection:
    """The section for one audit. The store keeps this week's numbers and devices, and (with
    ``hashes``, relative path -> SHA-256) each photo a finding names, as evidence purge keeps."""
    photos = dsl_photos(verdicts)
    week = week_of(today)
    with Store(state_dir) as store:
        last, seen, weeks = store.device_history(week)
        section = dsl_section(photos, rules, DslHistory(last, frozenset(seen), weeks),
                              [d.device_id for d in devices.devices] if devices is not None else [])
        present: dict[str, int | None] = {p.device: None for p in photos if p.device}
        present.update(section.last_numbers)
        store.put_device_week(week, present)
        if hashes is not None:
            named: dict[str, list[str]] = {}
            for finding in section.findings:
                for photo in finding.photos:
                    named.setdefault(photo, []).append(finding.kind.value)
            store.put_dsl_evidence({hashes[photo]: (photo, " ".join(dict.fromkeys(kinds)))
                                    for photo, kinds in named.items() if photo in hashes},
                                   datetime.now(UTC).isoformat(timespec="seconds"))
    return section


def _time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.astimezone()


def held_as_evidence(state_dir: Path, sha256s: Iterable[str]) -> dict[str, str]:
    """Of these photos, those a DSL finding named and no person has decided on since: sha256 -> why.

    A person records what the DSL decided with ``photoaudit override PHOTO --action ... --reason``
    after the finding; until then ``purge`` never deletes the photo (it is evidence).
    """
    wanted = set(sha256s)
    if not wanted or not (state_dir / DB_NAME).is_file():
        return {}
    with Store(state_dir) as store:
        evidence = store.dsl_evidence()
        overrides = DecisionBook(store).overrides() if wanted & set(evidence) else {}
    held = {}
    for sha in wanted & set(evidence):
        photo, kinds, recorded = evidence[sha]
        override, since = overrides.get(sha), _time(recorded)
        decided = _time(override.at) if override is not None and override.reason.strip() else None
        if decided is None or since is None or decided < since:
            held[sha] = (f"kept as evidence for the DSL ({kinds.replace('_', ' ')}: {photo}); it is deleted only "
                         "after a person records what the DSL decided: photoaudit override PHOTO --action delete "
                         '--reason "..."')
    return held
