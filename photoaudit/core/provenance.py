"""Where a photo came from, when it was taken, and how long it may be kept: pure rules.

The consent rules (:mod:`photoaudit.core.consent`) say who may see a photo. These rules
look at the file's own metadata, read by :mod:`photoaudit.media.metadata` and
:mod:`photoaudit.media.video` into a :class:`MediaMeta`:

- R6: taken on a registered setting device (``devices.csv``), or a breach;
- R7: past the retention period, or showing a child who left long enough ago;
- R8: left on a device longer than the transfer window;
- R10: carries a GPS location.

They only ever make a verdict stricter (keep, then review, then delete); they
never clear anything. Nothing here reads files. Rule numbers refer to docs/rules.md.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .models import (  # the plain data these rules read (kept beside the other plain data)
    Action,
    Camera,
    Child,
    Device,
    DeviceRegister,
    FaceStatus,
    MediaKind,
    MediaMeta,
    NoteKind,
    PhotoVerdict,
    Provenance,
    RecordRules,
    Register,
    Use,
    VideoInfo,
    stricter_action,
    without_notes,
)
from .words import child_label, clock, long_date, purpose_words

#: Codes in a verdict's ``flags`` (JSON ``"flags"``), one per finding.
FLAG_NO_CAMERA = "no_camera"
FLAG_UNREGISTERED = "unregistered_camera"
FLAG_WRONG_FOLDER = "wrong_folder"
FLAG_NO_DATE = "no_date"
FLAG_FUTURE = "future_date"
FLAG_LEFT_ON_DEVICE = "left_on_device"
FLAG_RETENTION = "retention_expired"
FLAG_LEAVER = "leaver_retention"
FLAG_GPS = "gps"

__all__ = ["Camera", "Device", "DeviceRegister", "MediaMeta", "Provenance", "RecordRules", "VideoInfo"]


@dataclass
class _Findings:
    action: Action = Action.KEEP
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    breach: bool = False

    def require(self, action: Action, reason: str, flag: str) -> None:
        self.action = stricter_action(self.action, action)
        self.reasons.append(reason)
        self.flags.append(flag)

    def note(self, text: str, flag: str) -> None:
        self.notes.append(text)
        self.flags.append(flag)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_words(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def check_device(
    path: str, camera: Camera | None, devices: DeviceRegister, kind: MediaKind, found: _Findings
) -> str | None:
    """R6: the file must come from a registered device; returns that device's id."""
    what = "video" if kind == MediaKind.VIDEO else "photo"
    if camera is None or not camera.complete:
        partly = "only partly recorded" if camera is not None else "not recorded"
        found.require(
            Action.REVIEW,
            f"The camera that took this {what} is {partly} in the file (screenshots and "
            "pictures saved from messaging apps look like this), so photoaudit cannot tell "
            f"whether it was taken on a setting device (R6): a person must check where it came from.",
            FLAG_NO_CAMERA,
        )
        return None
    owner = devices.folder_owner(path)
    matches = devices.matching(camera)
    if owner is not None:
        if owner in matches:
            return owner.device_id
        confirmed = [d for d in matches if d.confirmed_by_serial(camera)]
        if confirmed:
            found.require(
                Action.REVIEW,
                f"This {what} is in the folder of {owner.name} but was taken with "
                f"{confirmed[0].name} (same serial number): it was probably copied into the "
                "wrong folder. Move it to that device's folder.",
                FLAG_WRONG_FOLDER,
            )
            return confirmed[0].device_id
        found.breach = True
        found.require(
            Action.DELETE,
            f"This {what} is in the folder of {owner.name} but was taken with "
            f"{camera.describe()}, which is not that device"
            + (" (or not provably)" if matches else "")
            + ": it may come from a personal phone or camera. Photos of children may only "
            "be taken on the setting's own devices (R6). Tell the DSL, then delete it.",
            FLAG_UNREGISTERED,
        )
        return None
    if matches:
        return matches[0].device_id
    found.breach = True
    found.require(
        Action.DELETE,
        f"This {what} was taken with {camera.describe()}, which is not one of the "
        "setting's registered devices (devices.csv): it may come from a personal phone "
        "or camera. Photos of children may only be taken on the setting's own devices "
        "(R6). Tell the DSL, then delete it.",
        FLAG_UNREGISTERED,
    )
    return None


def check_dates(meta: MediaMeta, today: date, rules: RecordRules, kind: MediaKind, found: _Findings) -> date | None:
    """R7 retention and R8 transfer window from the taken date; returns the keep-until date."""
    what = "video" if kind == MediaKind.VIDEO else "photo"
    if meta.taken is None:
        modified = (
            f" The file was last changed on {long_date(meta.file_modified.date())}, "
            "which is not necessarily when it was taken."
            if meta.file_modified is not None
            else ""
        )
        problem = f" ({meta.taken_problem})" if meta.taken_problem else ""
        found.note(
            f"When this {what} was taken is unknown: the file records no date{problem}, so "
            f"its retention period and transfer could not be checked (R7, R8).{modified}",
            FLAG_NO_DATE,
        )
        return None
    taken = meta.taken.date()
    if taken > today:
        found.note(
            f"The date recorded in this {what} ({long_date(taken)}) is in the future: the "
            "clock of the device that took it is probably wrong. Set the device's clock; "
            "until then its retention period cannot be checked (R7).",
            FLAG_FUTURE,
        )
        return None
    keep_until = add_months(taken, rules.retention_months)
    if today > keep_until:
        found.require(
            Action.DELETE,
            f"Taken on {long_date(taken)}, more than {months_words(rules.retention_months)} "
            "ago: past the setting's retention period, so it must be deleted (R7).",
            FLAG_RETENTION,
        )
        return keep_until
    age = (today - taken).days
    if age > rules.transfer_window_days:
        found.note(
            f"Taken on {long_date(taken)}, {age} days before this audit: it was left on the "
            f"device longer than the {rules.transfer_window_days}-day transfer window (R8).",
            FLAG_LEFT_ON_DEVICE,
        )
    return keep_until


def present_children(verdict: PhotoVerdict, register: Register) -> list[Child]:
    """The registered children identified in the photo, each once."""
    seen: dict[str, Child] = {}
    for face in verdict.faces:
        if face.status is FaceStatus.MATCHED and face.child_id:
            child = register.get(face.child_id)
            if child is not None:
                seen.setdefault(child.child_id, child)
    return list(seen.values())


def check_leavers(children: list[Child], today: date, rules: RecordRules, found: _Findings) -> None:
    """R7: photos of a child are kept at most N months after their leave date."""
    for child in children:
        if child.leave_date is None:
            continue
        until = add_months(child.leave_date, rules.leaver_retention_months)
        if today <= until:
            continue
        kept = (
            "are not kept after they leave"
            if rules.leaver_retention_months == 0
            else f"are kept for {months_words(rules.leaver_retention_months)} after they leave"
        )
        found.require(
            Action.DELETE,
            f"{child_label(child)} left the setting on {long_date(child.leave_date)}; photos "
            f"of children who have left {kept}, so this one must be deleted (R7).",
            FLAG_LEAVER,
        )


def withdrawal_notes(children: list[Child], taken: datetime | None, found: _Findings) -> None:
    """A photo taken before a consent was withdrawn may already be in use: say so."""
    if taken is None:
        return
    for child in children:
        for purpose, when in sorted(child.withdrawn.items()):
            if taken.date() < when:
                found.notes.append(
                    f"Taken before {child_label(child)}'s consent for "
                    f"{purpose_words([purpose])} was withdrawn on {long_date(when)}: if it "
                    "was already used that way, take it down."
                )


def video_notes(verdict: PhotoVerdict, register: Register, video: VideoInfo, found: _Findings) -> None:
    """How much of a video was looked at, and when each child was seen (R11)."""
    if video.frames_sampled:
        length = f" {clock(video.duration)}" if video.duration else ""
        every = "second" if video.sample_every == 1 else f"{video.sample_every:.3g} seconds"
        found.notes.append(
            f"Checked {video.frames_sampled} frames of this{length} video, one every {every}: "
            "someone seen only between them is not checked."
        )
    seen = []
    for face in verdict.faces:
        if face.time is None or face.status is not FaceStatus.MATCHED or not face.child_id:
            continue
        child = register.get(face.child_id)
        seen.append(f"{child_label(child) if child else face.child_id} at {clock(face.time)}")
    if seen:
        found.notes.append("Seen in the video: " + ", ".join(seen) + ".")


def provenance_verdict(
    verdict: PhotoVerdict,
    meta: MediaMeta | None,
    register: Register,
    today: date,
    rules: RecordRules = RecordRules(),
    devices: DeviceRegister | None = None,
    kind: MediaKind = MediaKind.PHOTO,
    video: VideoInfo | None = None,
) -> PhotoVerdict:
    """Add the metadata rules to a consent verdict; only ever stricter.

    ``meta`` is None when the file could not be read (its verdict is already a
    review). ``devices`` is None when the setting has no device register: the
    R6 checks are then skipped (the audit warns about that once).
    """
    found = _Findings()
    children = present_children(verdict, register)
    check_leavers(children, today, rules, found)
    if video is not None:
        video_notes(verdict, register, video, found)
    if meta is None:
        return merge(verdict, found, Provenance(kind=kind, video=video))
    device_id = None
    if devices is not None:
        device_id = check_device(verdict.path, meta.camera, devices, kind, found)
    keep_until = check_dates(meta, today, rules, kind, found)
    if meta.gps:
        found.note(
            f"This {'video' if kind == MediaKind.VIDEO else 'photo'} records where it was taken "
            "(GPS location): remove the location before it is used anywhere outside the "
            "setting (R10).",
            FLAG_GPS,
        )
    withdrawal_notes(children, meta.taken, found)
    provenance = Provenance(
        kind=kind,
        camera=meta.camera,
        device_id=device_id,
        breach=found.breach,
        taken=meta.taken,
        gps=meta.gps,
        retain_until=keep_until,
        video=video,
        software=meta.software,
    )
    return merge(verdict, found, provenance)


def merge(verdict: PhotoVerdict, found: _Findings, provenance: Provenance) -> PhotoVerdict:
    """The stricter of the consent verdict and the metadata findings.

    The reasons of whichever decides the action come first: a photo deleted for its age
    says so before it says a person must check a face in it.
    """
    provenance = replace(provenance, breach=found.breach, flags=tuple(found.flags))
    action = verdict.action
    purposes = dict(verdict.purposes)
    journeys = verdict.journeys
    notes = list(verdict.notes)
    reasons = tuple(verdict.reasons) + tuple(found.reasons)
    if stricter_action(action, found.action) is not action:
        reasons = tuple(found.reasons) + tuple(verdict.reasons)
        action = found.action
        lowered = Use.WITHHELD if action is Action.DELETE else Use.REVIEW
        purposes = {p: lowered if use is Use.ALLOWED else use for p, use in purposes.items()}
        if action is Action.DELETE:
            purposes = {p: Use.WITHHELD for p in purposes}
        if journeys:
            journeys = ()
            notes = without_notes(notes, NoteKind.JOURNEY)
    return replace(
        verdict,
        action=action,
        purposes=purposes,
        journeys=journeys,
        reasons=reasons,
        notes=tuple(notes) + tuple(found.notes),
        provenance=provenance,
    )


def audit_warnings(
    verdicts: list[PhotoVerdict], rules: RecordRules, devices: DeviceRegister | None
) -> list[str]:
    """One line each for what many files share, so the manager sees it once."""

    def having(flag: str) -> str:
        paths = [v.path for v in verdicts if v.provenance is not None and flag in v.provenance.flags]
        if not paths:
            return ""
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        return f"{len(paths)} file(s) ({shown})"

    lines = []
    if devices is None:
        lines.append(
            "No device register (devices.csv) in the data folder, so photoaudit did not check "
            "that photos come from the setting's own devices (R6). Run `photoaudit devices "
            "FOLDER` to see the cameras used, and fill the register in."
        )
    if breaches := having(FLAG_UNREGISTERED):
        lines.append(f"{breaches} did not come from a setting device (R6): tell the DSL.")
    if late := having(FLAG_LEFT_ON_DEVICE):
        lines.append(
            f"{late} were taken more than {rules.transfer_window_days} days before this audit: "
            "empty the devices into the transfer folder every week (R8)."
        )
    if future := having(FLAG_FUTURE):
        lines.append(f"{future} carry a date in the future: a device's clock is wrong. Set it right.")
    if located := having(FLAG_GPS):
        lines.append(
            f"{located} record a GPS location: turn location off in the devices' camera "
            "settings, and remove it before any use outside the setting (R10)."
        )
    return lines
