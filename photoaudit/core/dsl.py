"""For the DSL: what the week's files, as a set, say about how the setting's cameras were used.

Not a photo's verdict (that is :mod:`photoaudit.core.judge`'s, once): these rules read what
the audit already has about each file (its name, device, time taken, EXIF ``Software``, the
judge's provenance flags) with the store's memory of earlier weeks, and return findings for
the Designated Safeguarding Lead (DOMAIN R6, R8, R13, R14). Pure functions over plain data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from itertools import pairwise

from .errors import BadValue

#: Camera numbers run 0001-9999, then start again at 0001 in a new DCIM folder.
WRAP = 9999
#: A number this far behind the last one is a restart, not a wrap.
_BEHIND = WRAP // 2
#: In the order taken, a number this far behind the highest so far is a reset; less is a photo
#: out of order (an edited copy saved later, a clock put right).
RESET_DROP = 50


class DslKind(StrEnum):
    """The kinds of finding, as the JSON report names them."""

    MISSING_NUMBERS = "missing_numbers"
    NUMBERS_RESET = "numbers_reset"
    OUT_OF_HOURS = "out_of_hours"
    CLOSED_DAY = "closed_day"
    MESSAGING_APP = "messaging_app"
    EDITED = "edited"
    SILENT_DEVICE = "silent_device"
    PERSONAL_DEVICE = "personal_device"
    SCREENSHOT = "screenshot"
    GPS = "gps"
    LATE_TRANSFER = "late_transfer"


#: The judge's provenance flags that join the section (they stay on each photo's row too).
FLAG_KINDS = {
    "unregistered_camera": DslKind.PERSONAL_DEVICE,
    "gps": DslKind.GPS,
    "left_on_device": DslKind.LATE_TRANSFER,
}

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class DslRules:
    """The setting's opening hours and days, closed dates, and the checks it switched off."""

    open_from: time | None = None  # None: no opening hours given, out-of-hours not checked
    open_until: time | None = None
    days: frozenset[int] | None = None  # weekdays open (0 = Monday); None: not given
    closed: frozenset[date] = frozenset()
    off: frozenset[DslKind] = frozenset()


@dataclass(frozen=True)
class DslPhoto:
    """What the audit knows about one file, for these rules."""

    path: str  # relative to the audited folder
    device: str | None = None  # the register's device id, else the camera's make and model
    registered: bool = False  # ``device`` is a row of devices.csv
    taken: datetime | None = None
    software: str = ""  # EXIF Software
    flags: tuple[str, ...] = ()  # the judge's provenance flags


@dataclass(frozen=True)
class DslHistory:
    """What the store saw in earlier weeks: each device's last camera number, devices seen."""

    last_numbers: Mapping[str, int] = field(default_factory=dict)
    seen_devices: frozenset[str] = frozenset()
    weeks: int = 0  # earlier weeks the store remembers (0: the first week)


@dataclass(frozen=True)
class DslFinding:
    kind: DslKind
    device: str | None
    photos: tuple[str, ...]
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "device": self.device, "photos": list(self.photos),
                "detail": self.detail}


@dataclass(frozen=True)
class DslSection:
    """The findings, what could not be checked and why, and each device's last number this week."""

    findings: tuple[DslFinding, ...] = ()
    not_checked: tuple[str, ...] = ()
    last_numbers: Mapping[str, int] = field(default_factory=dict)


# -- names ----------------------------------------------------------------------------

_NUMBERED = (
    re.compile(r"IMG_(?P<edited>E?)(?P<n>\d{4})"),  # iPhone, iPad (IMG_E0101: an edited copy)
    re.compile(r"DSC_(?P<n>\d{4})"),  # Nikon
    re.compile(r"DSCF(?P<n>\d{4})"),  # Fujifilm
    re.compile(r"P\d{3}(?P<n>\d{4})"),  # Panasonic, Olympus (P1000001: folder 100, photo 0001)
    re.compile(r"_MG_(?P<n>\d{4})"),  # Canon
    re.compile(r"DSC(?P<n>\d{5})"),  # Sony
)
_TIME_NAMED = (
    re.compile(r"PXL_\d{8}_\d{6,9}"),  # Google Pixel
    re.compile(r"\d{8}_\d{6}"),  # Samsung and many Android phones
)
_MESSAGING = (
    (re.compile(r"IMG-\d{8}-WA\d+", re.I), "WhatsApp"),
    (re.compile(r"(VID|PTT|AUD)-\d{8}-WA\d+", re.I), "WhatsApp"),
    (re.compile(r"PHOTO-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"), "WhatsApp (saved on an iPhone)"),
    (re.compile(r"signal-\d{4}-\d{2}-\d{2}", re.I), "Signal"),
    (re.compile(r"photo_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}"), "Telegram"),
    (re.compile(r"received_\w+", re.I), "Messenger"),
)
_SCREENSHOT = re.compile(r"screen[ _-]?shot|scrnshot", re.I)
#: EXIF Software values written by editing apps (a camera writes its firmware or OS version).
EDITING_APPS = (
    "photoshop", "lightroom", "gimp", "snapseed", "vsco", "picsart", "canva", "facetune", "faceapp",
    "affinity", "pixelmator", "paint.net", "darktable", "luminar", "meitu", "airbrush", "photoscape",
    "fotor", "instagram", "picasa", "photos app", "inshot", "capcut", "prisma", "polarr", "remini",
)


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


@dataclass(frozen=True)
class CameraNumber:
    number: int
    edited: bool = False


def camera_number(path: str) -> CameraNumber | None:
    """The camera's own number in a file name (IMG_0101 -> 101), or None when it has none."""
    stem = _stem(path)
    for pattern in _NUMBERED:
        found = pattern.match(stem)
        if found and (found.end() == len(stem) or not stem[found.end()].isdigit()):
            number = int(found.group("n"))
            if 1 <= number <= WRAP:
                return CameraNumber(number, bool(found.groupdict().get("edited")))
    return None


def time_named(path: str) -> bool:
    """True for names phones give by the time taken (PXL_20261201_101530123, 20261201_101530)."""
    stem = _stem(path)
    return any(p.match(stem) for p in _TIME_NAMED)


def messaging_app(path: str) -> str | None:
    """The messaging app a file's name says it came through, or None."""
    stem = _stem(path)
    return next((app for pattern, app in _MESSAGING if pattern.match(stem)), None)


def edited_by(path: str, software: str) -> str | None:
    """Why a file looks edited (an IMG_E copy, an editing app's EXIF Software), or None."""
    number = camera_number(path)
    if number is not None and number.edited:
        return "an edited copy made on the device (IMG_E...)"
    lowered = software.lower()
    if any(app in lowered for app in EDITING_APPS):
        return f'edited with "{software[:60]}"'
    return None


# -- the rules ------------------------------------------------------------------------

def _numbers(n: int, count: int) -> str:
    first, last = n % WRAP + 1, (n + count - 1) % WRAP + 1
    return f"{first:04d}" if count == 1 else f"{first:04d} to {last:04d}"


def _ahead(earlier: int, later: int) -> int:
    """Steps forward from ``earlier`` to ``later`` on a counter that wraps after 9999."""
    return (later - earlier) % WRAP


def _in_number_order(run: list[tuple[DslPhoto, int]]) -> list[tuple[DslPhoto, int]]:
    """A run's photos by number, a run that passes 9999 unwrapped (9998, 9999, 10000 for 0001)."""
    numbers = [n for _, n in run]
    wraps = max(numbers) - min(numbers) > _BEHIND
    return sorted(((p, n + WRAP if wraps and n <= _BEHIND else n) for p, n in run), key=lambda pn: (pn[1], pn[0].path))


def numbering(photos: list[DslPhoto], history: DslHistory) -> tuple[list[DslFinding], list[str], dict[str, int]]:
    """Per device, gaps in the camera's numbers (this week, and since an earlier week) and resets."""
    findings: list[DslFinding] = []
    notes: list[str] = []
    last: dict[str, int] = {}
    by_device: dict[str, list[tuple[DslPhoto, int]]] = {}
    timed: dict[str, list[str]] = {}
    # numbers of files no setting device claims (unreadable, a personal phone's): in the folder, so never "missing"
    elsewhere = {n.number for p in photos if not p.registered and (n := camera_number(p.path)) is not None}
    for photo in photos:
        if photo.device is None:
            continue
        number = camera_number(photo.path)
        if number is not None:
            by_device.setdefault(photo.device, []).append((photo, number.number))
        elif time_named(photo.path):
            timed.setdefault(photo.device, []).append(photo.path)
    for device, paths in sorted(timed.items()):
        if device not in by_device:
            notes.append(f"{device}: its photos are named by the time taken, not numbered "
                         f"({paths[0]}), so whether any are missing cannot be checked.")
    for device, numbered in sorted(by_device.items()):
        timed_all = all(p.taken is not None for p, _ in numbered)
        if timed_all:
            numbered.sort(key=lambda pn: (_naive(pn[0].taken), pn[1]))
        else:
            numbered.sort(key=lambda pn: pn[1])
        # in the order taken, a number far behind the highest so far starts a new run (a reset);
        # a few behind is a photo out of order (an edited copy saved later, a clock changed)
        runs: list[list[tuple[DslPhoto, int]]] = [[numbered[0]]]
        high = numbered[0]
        for item in numbered[1:]:
            behind = _ahead(item[1], high[1])
            if 0 < behind <= _BEHIND and behind >= RESET_DROP:
                findings.append(DslFinding(
                    DslKind.NUMBERS_RESET, device, (high[0].path, item[0].path),
                    f"The camera's numbers go backwards, from {high[1]:04d} to {item[1]:04d} in the order the "
                    "photos were taken: the device was reset or replaced. Photos on it before may have been lost."))
                runs.append([item])
                high = item
                continue
            runs[-1].append(item)
            if 0 < _ahead(high[1], item[1]) <= _BEHIND:
                high = item
        for run in runs:
            ordered = _in_number_order(run)
            for (a, low), (b, m) in pairwise(ordered):
                absent = [k for k in range(low + 1, m) if (k - 1) % WRAP + 1 not in elsewhere]
                if absent:
                    missing = len(absent)
                    start = absent[0] - 1
                    findings.append(DslFinding(
                        DslKind.MISSING_NUMBERS, device, (a.path, b.path),
                        f"{missing} photo(s) numbered {_numbers(start % WRAP, missing)} were taken on this device "
                        f"between {a.path} and {b.path} but are not in this week's folder: "
                        "deleted on the device, or never transferred."))
        first = _in_number_order(runs[0])[0]
        first = (first[0], (first[1] - 1) % WRAP + 1)
        final = (_in_number_order(runs[-1])[-1][1] - 1) % WRAP + 1
        before = history.last_numbers.get(device)
        if before is not None:
            step = _ahead(before, first[1])
            if 1 < step <= _BEHIND:
                missing = step - 1
                findings.append(DslFinding(
                    DslKind.MISSING_NUMBERS, device, (first[0].path,),
                    f"{missing} photo(s) numbered {_numbers(before, missing)} were taken on this device after "
                    f"the last one an earlier week's audit saw ({before:04d}) and before {first[0].path}, but "
                    "are in no audited folder: deleted on the device, or never transferred."))
            elif step > _BEHIND and all(_ahead(n, before) <= _BEHIND and n != before for _, n in numbered):
                findings.append(DslFinding(
                    DslKind.NUMBERS_RESET, device, (first[0].path,),
                    f"The camera's numbers start again at {first[1]:04d}, behind the last one an earlier "
                    f"week's audit saw ({before:04d}): the device was reset or replaced. Photos on it "
                    "before may have been lost."))
        elif history.weeks:
            notes.append(f"{device}: no earlier week's audit saw its numbers, so only gaps within this "
                         "week could be checked.")
        last[device] = final
    if by_device and not history.weeks:
        notes.append("This is the first audited week: gaps since an earlier week, and devices that "
                     "have gone silent, cannot be checked until next week.")
    return findings, notes, last


def _naive(taken: datetime | None) -> datetime:
    """A photo's time taken, without its time zone, for one known to record it."""
    assert taken is not None, "only photos with a time taken are put in this order"
    return taken.replace(tzinfo=None)


def _when(taken: datetime) -> str:
    return f"{DAY_NAMES[taken.weekday()]} {taken.day} {taken:%b %H:%M}"


def opening(photos: list[DslPhoto], rules: DslRules) -> tuple[list[DslFinding], list[str]]:
    """Photos taken on a closed day, or outside opening hours, from the photo's own time."""
    notes = []
    open_from, open_until = rules.open_from, rules.open_until
    hours = open_from is not None and open_until is not None
    check_days = DslKind.CLOSED_DAY not in rules.off and (rules.days is not None or rules.closed)
    check_hours = DslKind.OUT_OF_HOURS not in rules.off and hours
    if DslKind.OUT_OF_HOURS not in rules.off and not hours:
        notes.append('Photos out of hours were not checked: photoaudit.toml gives no opening hours '
                     '([setting] open = "07:30-18:30").')
    if DslKind.CLOSED_DAY not in rules.off and rules.days is None and not rules.closed:
        notes.append('Photos on closed days were not checked: photoaudit.toml gives no opening days '
                     '([setting] days = "Mon-Fri").')
    closed: dict[str | None, list[DslPhoto]] = {}
    late: dict[str | None, list[DslPhoto]] = {}
    undated = 0
    for photo in photos:
        if photo.taken is None:
            undated += 1
            continue
        day = photo.taken.date()
        if check_days and (day in rules.closed or (rules.days is not None and day.weekday() not in rules.days)):
            closed.setdefault(photo.device, []).append(photo)
        elif (check_hours and open_from is not None and open_until is not None
              and not open_from <= photo.taken.time().replace(tzinfo=None) <= open_until):
            late.setdefault(photo.device, []).append(photo)
    if undated and (check_days or check_hours):
        notes.append(f"{undated} file(s) record no time taken, so when they were taken could not be checked.")
    findings = []
    for kind, groups, words in (
        (DslKind.CLOSED_DAY, closed, "on a day the setting is closed"),
        (DslKind.OUT_OF_HOURS, late, f"outside opening hours ({_hours(rules)})"),
    ):
        for device, group in sorted(groups.items(), key=lambda kv: kv[0] or ""):
            group.sort(key=lambda p: _naive(p.taken))
            times = ", ".join(_when(_naive(p.taken)) for p in group[:5]) + (", ..." if len(group) > 5 else "")
            findings.append(DslFinding(kind, device, tuple(p.path for p in group),
                                       f"{len(group)} photo(s) taken {words}: {times}."))
    return findings, notes


def _hours(rules: DslRules) -> str:
    if rules.open_from is None or rules.open_until is None:
        return ""
    return f"{rules.open_from:%H:%M}-{rules.open_until:%H:%M}"


def by_name(photos: list[DslPhoto], rules: DslRules) -> list[DslFinding]:
    """Messaging apps, edited copies and screenshots, from the names and EXIF Software."""
    apps: dict[str, list[str]] = {}
    edited: dict[str | None, list[tuple[str, str]]] = {}
    shots: list[str] = []
    for photo in photos:
        app = messaging_app(photo.path)
        if app is not None:
            apps.setdefault(app, []).append(photo.path)
        why = edited_by(photo.path, photo.software)
        if why is not None:
            edited.setdefault(photo.device, []).append((photo.path, why))
        if _SCREENSHOT.search(_stem(photo.path)):
            shots.append(photo.path)
    findings = []
    if DslKind.MESSAGING_APP not in rules.off:
        for app, paths in sorted(apps.items()):
            findings.append(DslFinding(
                DslKind.MESSAGING_APP, None, tuple(paths),
                f"{len(paths)} photo(s) named the way {app} names what it sends or receives: a photo of a "
                "child went through someone's phone, usually with the camera's details stripped."))
    if DslKind.EDITED not in rules.off:
        for device, items in sorted(edited.items(), key=lambda kv: kv[0] or ""):
            whys = sorted({why for _, why in items})
            findings.append(DslFinding(DslKind.EDITED, device, tuple(p for p, _ in items),
                                       f"{len(items)} photo(s) edited: {'; '.join(whys)}."))
    if DslKind.SCREENSHOT not in rules.off and shots:
        findings.append(DslFinding(DslKind.SCREENSHOT, None, tuple(shots),
                                   f"{len(shots)} screenshot(s): a picture of a screen, not a photo from a camera."))
    return findings


def from_flags(photos: list[DslPhoto], rules: DslRules) -> list[DslFinding]:
    """The judge's flags that belong in the section: personal devices, GPS, late transfers."""
    words = {
        DslKind.PERSONAL_DEVICE: "taken on a camera or phone that is not one of the setting's devices",
        DslKind.GPS: "record where they were taken (GPS)",
        DslKind.LATE_TRANSFER: "were left on the device longer than the transfer window",
    }
    groups: dict[tuple[DslKind, str | None], list[str]] = {}
    for photo in photos:
        for flag in photo.flags:
            kind = FLAG_KINDS.get(flag)
            if kind is not None and kind not in rules.off:
                groups.setdefault((kind, photo.device), []).append(photo.path)
    return [DslFinding(kind, device, tuple(paths), f"{len(paths)} photo(s) {words[kind]}.")
            for (kind, device), paths in sorted(groups.items(), key=lambda kv: (kv[0][0].value, kv[0][1] or ""))]


def silent(photos: list[DslPhoto], registered: Iterable[str], history: DslHistory, rules: DslRules) -> list[DslFinding]:
    """Setting devices seen in earlier weeks with no photos this week: photos may still be on them (R8)."""
    if DslKind.SILENT_DEVICE in rules.off:
        return []
    this_week = {p.device for p in photos if p.device}
    return [DslFinding(DslKind.SILENT_DEVICE, device, (),
                       f"{device} has no photos in this week's folder, though earlier weeks had some: "
                       "its photos may still be on it (they are to be transferred weekly).")
            for device in sorted(set(registered) & history.seen_devices - this_week)]


def dsl_section(photos: Iterable[DslPhoto], rules: DslRules = DslRules(), history: DslHistory = DslHistory(),
                registered: Iterable[str] = ()) -> DslSection:
    """Every DSL finding for one week's files, what could not be checked, and the numbers to remember."""
    photos = list(photos)
    findings: list[DslFinding] = []
    notes: list[str] = []
    numbered, number_notes, last = numbering(photos, history)
    findings += [f for f in numbered if f.kind not in rules.off]
    if not {DslKind.MISSING_NUMBERS, DslKind.NUMBERS_RESET} <= rules.off:
        notes += number_notes
    timing, timing_notes = opening(photos, rules)
    findings += timing
    notes += timing_notes
    findings += by_name(photos, rules)
    findings += silent(photos, registered, history, rules)
    findings += from_flags(photos, rules)
    return DslSection(tuple(findings), tuple(notes), last)


# -- the setting's words --------------------------------------------------------------

_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def parse_hours(text: str) -> tuple[time, time]:
    """ "07:30-18:30" -> (07:30, 18:30); raises BadValue in plain words."""
    found = _HOURS.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError
        start = time(int(found.group(1)), int(found.group(2)))
        end = time(int(found.group(3)), int(found.group(4)))
    except ValueError:
        raise BadValue(f'"{text}" is not opening hours like "07:30-18:30".') from None
    if end <= start:
        raise BadValue(f'"{text}": the setting must close after it opens.')
    return start, end


def parse_days(text: str) -> frozenset[int]:
    """ "Mon-Fri" or "Mon,Tue,Thu" -> weekdays (0 = Monday); raises BadValue in plain words."""
    names = [d.lower() for d in DAY_NAMES]
    days: set[int] = set()
    for part in text.split(","):
        ends = [p.strip().lower()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in names for e in ends):
            raise BadValue(f'"{text}" is not opening days like "Mon-Fri" or "Mon,Tue,Thu".')
        first, last = names.index(ends[0]), names.index(ends[-1])
        days.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
    return frozenset(days)
