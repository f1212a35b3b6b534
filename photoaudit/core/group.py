"""One view over many settings' audits, for a group's safeguarding lead (issue 18).

Each setting's audits leave dated version-1 JSON reports (docs/reports.md, "The JSON report"). The
group lead reads them all: per setting, what its latest audit found (photos, keep / delete /
review, breaches of R6, published copies to take down, consents to renew, R1), and which
settings have not audited for more than a week (the weekly transfer, R8, and its audit did
not run). Pure functions over plain values: :func:`digest_of` turns one report's parsed JSON
into an :class:`AuditDigest` (or says, in plain words, why it is not an audit report), and
:func:`summarise` picks each setting's latest audit. Reading the files is
:mod:`photoaudit.operations.group_reports`'s job; showing them, :mod:`photoaudit.formats.group_view`'s.

Fail closed: a count a report does not carry is unknown (``None``), never 0; a report whose
counts disagree with its own photos is not trusted; a file that cannot be read is listed and
makes the exit code 1, since it may be the one report with a breach. No face data is ever
read, and child names only from a report's ``renewals``, which the summary drops when asked
(``names=False``). See docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .exit_status import ExitStatus
from .renewals import Renewal

#: The version of the audit's JSON report that the group summary reads.
REPORT_VERSION = 1

#: A setting whose latest audit is more than this many days old did not audit this week.
STALE_AFTER_DAYS = 7

ACTIONS = ("keep", "delete", "review")


class NotAnAuditReport(ValueError):
    """A JSON file that is not a version-1 audit report; the message says why, in plain words."""


@dataclass(frozen=True)
class AuditDigest:
    """What one audit report says, as far as the group needs it: counts and photo paths.

    ``takedown`` and ``renewals`` are ``None`` when the report does not carry them (made by a
    photoaudit from before they were added): unknown, not none.
    """

    source: str  # the report file
    setting: str  # [setting] name; "" when the report has none
    folder: str  # the transfer folder it audited
    generated: datetime  # when the audit ran (with its offset from UTC)
    judged: date  # the day it judged as ("today", or --today)
    photos: int
    keep: int
    delete: int
    review: int
    breach_photos: tuple[str, ...] = ()  # paths of the photos that did not come from a setting device (R6)
    takedown: int | None = None
    renewals: tuple[Renewal, ...] | None = None

    @property
    def breaches(self) -> int:
        return len(self.breach_photos)

    @property
    def audited(self) -> date:
        """The day the audit ran, on the clock of the computer that ran it."""
        return self.generated.date()

    @property
    def key(self) -> str:
        """What identifies the setting: its name (case and spaces aside), else the folder it audited."""
        name = " ".join(self.setting.split()).casefold()
        return f"name:{name}" if name else f"folder:{self.folder}"


@dataclass(frozen=True)
class Unreadable:
    """A file that was not summarised, and why."""

    source: str
    why: str


@dataclass(frozen=True)
class SettingSummary:
    """One setting: its latest audit, how many of its reports were read, and how old it is."""

    latest: AuditDigest
    reports: int
    days_since: int  # days from the latest audit to the summary's today
    stale: bool  # more than STALE_AFTER_DAYS days: the weekly audit did not run
    folders: tuple[str, ...] = ()  # every folder its reports audited (more than one: see notes)

    @property
    def name(self) -> str:
        return self.latest.setting

    @property
    def shown_name(self) -> str:
        return self.latest.setting or f"(no name) {self.latest.folder}"

    @property
    def renew(self) -> int | None:
        renewals = self.latest.renewals
        return None if renewals is None else len(renewals)

    @property
    def findings(self) -> tuple[str, ...]:
        """What makes this setting a finding (exit code 1): ``breaches``, ``takedown``, ``stale``."""
        found = []
        if self.latest.breaches:
            found.append("breaches")
        if self.latest.takedown:
            found.append("takedown")
        if self.stale:
            found.append("stale")
        return tuple(found)


@dataclass(frozen=True)
class GroupSummary:
    """Every setting's latest audit, the files that could not be read, and notes for the lead."""

    today: date
    settings: tuple[SettingSummary, ...]
    unreadable: tuple[Unreadable, ...] = ()
    notes: tuple[str, ...] = ()
    names: bool = True  # False: no child names anywhere (--no-names)
    stale_after: int = STALE_AFTER_DAYS

    @property
    def exit_code(self) -> ExitStatus:
        """CLEAR all fine, FINDINGS (a breach, a takedown due, a stale setting, a file not read),
        CANNOT_RUN when nothing was readable at all."""
        if not self.settings:
            return ExitStatus.CANNOT_RUN
        if self.unreadable or any(s.findings for s in self.settings):
            return ExitStatus.FINDINGS
        return ExitStatus.CLEAR

    def total(self, field_name: str) -> int:
        return sum(getattr(s.latest, field_name) for s in self.settings)

    @property
    def stale(self) -> tuple[SettingSummary, ...]:
        return tuple(s for s in self.settings if s.stale)


# -- one report ----------------------------------------------------------------------------

def _count(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NotAnAuditReport(f"its {where} has no count of {key!r}")
    return value


def _optional_count(value: Any, what: str) -> int | None:  # noqa: ANN401
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NotAnAuditReport(f"its {what!r} is not a count")
    return value


def _moment(value: Any) -> datetime:  # noqa: ANN401
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise NotAnAuditReport("it does not say when the audit ran ('generated')") from None
    return moment if moment.tzinfo is not None else moment.astimezone()  # no offset: this computer's clock


def _day(value: Any, what: str) -> date:  # noqa: ANN401
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise NotAnAuditReport(f"its {what!r} is not a date") from None


def _kind(data: Mapping[str, Any]) -> None:
    """Refuse photoaudit's other JSON files by what they are, with a version check first."""
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise NotAnAuditReport("it is not a photoaudit audit report (no report version)")
    if "check" in data:
        raise NotAnAuditReport("it is the report of `photoaudit check` (before posting), not of an audit")
    if isinstance(data.get("kind"), str):
        raise NotAnAuditReport(f"it is photoaudit's {data['kind']!r} list, not an audit report")
    if version != REPORT_VERSION:
        newer = "a newer" if version > REPORT_VERSION else "an older"
        raise NotAnAuditReport(
            f"it is version {version} of the report, made by {newer} photoaudit; this one reads "
            f"version {REPORT_VERSION}"
        )
    if not isinstance(data.get("images"), list) or not isinstance(data.get("summary"), dict):
        raise NotAnAuditReport("it is not an audit report (no photos or summary)")


def _renewals(value: Any) -> tuple[Renewal, ...] | None:  # noqa: ANN401
    if value is None:
        return None
    if not isinstance(value, list):
        raise NotAnAuditReport("its 'renewals' is not a list")
    found = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("child_id"), str):
            raise NotAnAuditReport("a consent in its 'renewals' names no child")
        found.append(Renewal(item["child_id"], str(item.get("name") or ""), _day(item.get("due"), "renewals")))
    return tuple(found)


def _setting_name(value: Any) -> str:  # noqa: ANN401
    if value is None:
        return ""
    if not isinstance(value, dict) or not isinstance(value.get("name") or "", str):
        raise NotAnAuditReport("its 'setting' has no name")
    return " ".join((value.get("name") or "").split())


def digest_of(data: Any, source: str) -> AuditDigest:  # noqa: ANN401
    """What a parsed version-1 audit report says, for the group; NotAnAuditReport says why not.

    The keep / delete / review counts and the breaches are counted from the report's photos
    (each one's ``action`` and ``breach``) and must agree with its ``summary``: a report that
    disagrees with itself (edited, or cut short) is not trusted.
    """
    if not isinstance(data, dict):
        raise NotAnAuditReport("it is not a photoaudit audit report (not a JSON object)")
    _kind(data)
    summary, images = data["summary"], data["images"]
    counts = {action: 0 for action in ACTIONS}
    breach_photos = []
    for image in images:
        action = image.get("action") if isinstance(image, dict) else None
        if action not in counts:
            raise NotAnAuditReport("a photo in it has no action (keep, delete or review)")
        counts[action] += 1
        if image.get("breach") is True:
            breach_photos.append(str(image.get("path", "")))
    told = {key: _count(summary, key, "summary") for key in ("photos", *ACTIONS, "breaches")}
    found = {"photos": len(images), **counts, "breaches": len(breach_photos)}
    if told != found:
        differ = ", ".join(f"{k} {told[k]} in the summary but {found[k]} photos" for k in told if told[k] != found[k])
        raise NotAnAuditReport(f"its counts do not match its photos ({differ}): it may have been edited or cut short")
    folder = data.get("folder")
    if not isinstance(folder, str):
        raise NotAnAuditReport("it does not say which folder was audited")
    return AuditDigest(
        source=source,
        setting=_setting_name(data.get("setting")),
        folder=folder,
        generated=_moment(data.get("generated")),
        judged=_day(data.get("today"), "today"),
        photos=len(images),
        keep=counts["keep"],
        delete=counts["delete"],
        review=counts["review"],
        breach_photos=tuple(sorted(breach_photos)),
        takedown=_optional_count(data.get("takedown"), "takedown"),
        renewals=_renewals(data.get("renewals")),
    )


# -- many reports --------------------------------------------------------------------------

def _newest(digest: AuditDigest) -> tuple[datetime, date, str]:
    return (digest.generated, digest.judged, digest.source)


def summarise(
    digests: Iterable[AuditDigest],
    today: date,
    unreadable: Iterable[Unreadable] = (),
    names: bool = True,
    stale_after: int = STALE_AFTER_DAYS,
) -> GroupSummary:
    """Each setting's latest audit (by when it ran), sorted by name; the same report read twice
    (a file given and the folder it is in) counts once."""
    by_key: dict[str, list[AuditDigest]] = {}
    seen: set[str] = set()
    for digest in digests:
        if digest.source in seen:
            continue
        seen.add(digest.source)
        by_key.setdefault(digest.key, []).append(digest)
    settings, notes = [], []
    for reports in by_key.values():
        latest = max(reports, key=_newest)
        folders = tuple(sorted({r.folder for r in reports}))
        days = (today - latest.audited).days
        settings.append(SettingSummary(latest, len(reports), days, days > stale_after, folders))
    settings.sort(key=lambda s: (s.shown_name.casefold(), s.latest.folder))
    for one in settings:
        notes.extend(setting_notes(one))
    return GroupSummary(today, tuple(settings), tuple(unreadable), tuple(notes), names, stale_after)


def setting_notes(one: SettingSummary) -> list[str]:
    """What the lead should know about how a setting's reports were read."""
    notes = []
    latest = one.latest
    if not latest.setting:
        notes.append(f"The reports of the folder {latest.folder} carry no setting name: it is shown by its "
                     "folder. Set [setting] name in that setting's photoaudit.toml.")
    if len(one.folders) > 1:
        notes.append(f"The reports of {one.shown_name} audited {len(one.folders)} different folders "
                     f"({', '.join(one.folders)}); the latest audit is shown. If these are two settings, "
                     "give each its own [setting] name.")
    if latest.judged != latest.audited:
        notes.append(f"The latest audit of {one.shown_name} judged its photos as if today were "
                     f"{latest.judged.isoformat()} (--today).")
    if one.days_since < 0:
        notes.append(f"The latest audit of {one.shown_name} is dated after today: check that computer's clock.")
    return notes
