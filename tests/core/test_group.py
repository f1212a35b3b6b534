"""The group summary's rules on plain data: one report's digest, each setting's latest audit,
stale settings, findings and exit codes (photoaudit.core.group; no files, no images)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from photoaudit.core.group import AuditDigest, NotAnAuditReport, Unreadable, digest_of, summarise
from photoaudit.core.renewals import Renewal

TODAY = date(2026, 12, 7)


def report(name: str | None = "Little Acorns", generated: str = "2026-12-01T02:30:00+00:00",
           actions: tuple[str, ...] = ("keep", "keep", "delete", "review"), breach: tuple[int, ...] = (),
           **extra: object) -> dict:
    """A version-1 audit report as the audit writes it (only the fields the group reads, and some it does not)."""
    images = [{"path": f"tablet-1/IMG_{n:04d}.jpg", "action": a, "breach": n in breach, "faces": [],
               "reasons": ["Zara Quinn (c09) has no consent for the website (R2)."]} for n, a in enumerate(actions)]
    data = {
        "version": 1, "generated": generated, "today": generated[:10], "folder": "/srv/transfer",
        "setting": {"name": name},
        "summary": {"photos": len(actions), **{k: actions.count(k) for k in ("keep", "delete", "review")},
                    "breaches": len(breach), "skipped": 0, "public_review": 0},
        "warnings": [], "images": images, "takedown": 0,
        "renewals": [{"child_id": "c09", "name": "Zara Quinn", "due": "2026-12-20"}],
    }
    data.update(extra)
    return data


def digest(name: str = "Little Acorns", when: datetime = datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
           source: str = "a.json", **changes: object) -> AuditDigest:
    values = dict(source=source, setting=name, folder="/srv/transfer", generated=when, judged=when.date(),
                  photos=4, keep=2, delete=1, review=1, takedown=0, renewals=())
    values.update(changes)
    return AuditDigest(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------ one report


def test_a_report_gives_its_counts_breaches_takedowns_and_renewals() -> None:
    found = digest_of(report(breach=(2,), takedown=1), "r.json")
    assert (found.setting, found.photos, found.keep, found.delete, found.review) == ("Little Acorns", 4, 2, 1, 1)
    assert found.breaches == 1 and found.breach_photos == ("tablet-1/IMG_0002.jpg",)
    assert found.takedown == 1
    assert found.renewals == (Renewal("c09", "Zara Quinn", date(2026, 12, 20)),)
    assert found.audited == date(2026, 12, 1) and found.generated.tzinfo is not None


def test_the_audit_day_is_on_the_clock_of_the_computer_that_ran_it() -> None:
    late = digest_of(report(generated="2026-12-01T23:30:00-05:00"), "r.json")
    assert late.audited == date(2026, 12, 1)  # 04:30 UTC on 2 December, but 1 December there


def test_fields_an_older_report_lacks_are_unknown_not_zero() -> None:
    old = report()
    del old["setting"], old["renewals"], old["takedown"]
    found = digest_of(old, "old.json")
    assert found.setting == "" and found.takedown is None and found.renewals is None
    assert found.key == "folder:/srv/transfer"  # shown by its folder, never merged with another unnamed one


@pytest.mark.parametrize(("data", "why"), [
    ([1, 2], "not a JSON object"),
    ({"name": "x"}, "no report version"),
    (report(version=2), "version 2 of the report, made by a newer photoaudit"),
    (report(version=0), "made by an older photoaudit"),
    (report(check={"purpose": "website"}), "photoaudit check"),
    ({"version": 1, "kind": "takedown", "takedown": []}, "'takedown' list"),
    ({"version": 1, "folder": "x"}, "no photos or summary"),
    (report(summary={"photos": 4, "keep": 2, "delete": 1, "review": 0, "breaches": 0}), "review 0 in the summary but 1"),
    (report(summary={"photos": 4, "keep": 2, "delete": 1, "review": 1, "breaches": 1}), "breaches 1 in the summary"),
    (report(summary={"photos": 4, "keep": 2, "delete": 1, "review": 1}), "no count of 'breaches'"),
    (report(images=[{"path": "a.jpg", "action": "maybe"}]), "no action"),
    (report(generated="yesterday"), "when the audit ran"),
    (report(today="soon"), "'today' is not a date"),
    (report(takedown="two"), "'takedown' is not a count"),
    (report(renewals=[{"name": "Zara Quinn"}]), "names no child"),
    (report(folder=None), "which folder"),
])
def test_what_is_not_an_audit_report_says_why(data: object, why: str) -> None:
    with pytest.raises(NotAnAuditReport, match=None) as caught:
        digest_of(data, "x.json")
    assert why in str(caught.value)


def test_a_report_without_photos_is_still_an_audit() -> None:
    found = digest_of(report(actions=()), "empty.json")
    assert found.photos == 0 and found.breaches == 0


# ------------------------------------------------------------ many settings


def test_each_setting_shows_its_latest_audit_by_when_it_ran() -> None:
    first = digest(when=datetime(2026, 11, 24, 2, 30, tzinfo=UTC), source="1.json", delete=5)
    latest = digest(when=datetime(2026, 12, 1, 2, 30, tzinfo=UTC), source="2.json")
    other = digest("Oak Tree", when=datetime(2026, 12, 6, 2, 30, tzinfo=UTC), source="3.json")
    summary = summarise([latest, other, first], TODAY)
    assert [s.shown_name for s in summary.settings] == ["Little Acorns", "Oak Tree"]
    acorns = summary.settings[0]
    assert acorns.latest is latest and acorns.reports == 2 and acorns.days_since == 6 and not acorns.stale
    assert summary.exit_code == 0


def test_a_name_typed_with_other_case_or_spaces_is_the_same_setting() -> None:
    summary = summarise([digest("Little Acorns", source="1.json"), digest(" little  acorns", source="2.json")], TODAY)
    assert len(summary.settings) == 1 and summary.settings[0].reports == 2


def test_settings_with_no_audit_for_more_than_a_week_are_stale() -> None:
    week = digest(when=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # 7 days: still this week's
    late = digest("Oak Tree", when=datetime(2026, 11, 29, 9, 0, tzinfo=UTC), source="b.json")
    summary = summarise([week, late], TODAY)
    assert [s.stale for s in summary.settings] == [False, True]
    assert summary.settings[1].findings == ("stale",) and summary.exit_code == 1
    assert summarise([week, late], TODAY - timedelta(days=1)).exit_code == 0  # today is injectable


def test_breaches_and_takedowns_are_findings_but_renewals_are_not() -> None:
    renew = digest(renewals=(Renewal("c09", "Zara Quinn", date(2026, 12, 20)),))
    assert summarise([renew], TODAY).exit_code == 0
    breach = digest(breach_photos=("tablet-1/IMG_0002.jpg",))
    assert summarise([breach], TODAY).settings[0].findings == ("breaches",)
    down = digest(takedown=2)
    assert summarise([down], TODAY).exit_code == 1
    unknown = digest(takedown=None, renewals=None)
    assert summarise([unknown], TODAY).exit_code == 0  # unknown is shown as unknown, not as a finding


def test_a_file_that_could_not_be_read_is_a_finding_and_nothing_readable_is_exit_2() -> None:
    bad = [Unreadable("bad.json", "it is not valid JSON")]
    assert summarise([digest()], TODAY, bad).exit_code == 1
    assert summarise([], TODAY, bad).exit_code == 2
    assert summarise([], TODAY).exit_code == 2


def test_notes_say_what_the_lead_should_know() -> None:
    unnamed = digest("", source="u.json")
    moved = [digest("Oak Tree", source="o1.json", folder="/srv/a"),
             digest("Oak Tree", source="o2.json", folder="/srv/b",
                    when=datetime(2026, 12, 2, tzinfo=UTC))]
    preview = digest("Elm", source="e.json", judged=date(2027, 1, 1))
    future = digest("Ash", source="f.json", when=datetime(2026, 12, 9, tzinfo=UTC))
    notes = " ".join(summarise([unnamed, *moved, preview, future], TODAY).notes)
    assert "carry no setting name" in notes and "[setting] name" in notes
    assert "Oak Tree audited 2 different folders (/srv/a, /srv/b)" in notes
    assert "as if today were 2027-01-01" in notes
    assert "Ash is dated after today" in notes


def test_the_same_report_read_twice_counts_once() -> None:
    summary = summarise([digest(source="a.json"), digest(source="a.json")], TODAY)
    assert summary.settings[0].reports == 1
