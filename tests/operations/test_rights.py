"""Parents' data rights, the pure parts: which child an id names, what must be taken down,
which dated reports are past their retention (issue 14). The engine-backed commands are
tested in tests/cli/test_rights_cli.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from photoaudit.core.child_ids import UnknownChildId, resolve_child_id

# ------------------------------------------------------------ which child an id names

def test_an_id_names_the_child_exactly_or_ignoring_case_as_the_register_does() -> None:
    known = ["LA01", "LA02", "c03"]
    assert resolve_child_id("LA01", known) == "LA01"
    assert resolve_child_id("la01", known) == "LA01"  # the register refuses ids differing only in case
    assert resolve_child_id(" C03 ", known) == "c03"


def test_an_unknown_id_is_an_error_listing_the_closest_ids() -> None:
    with pytest.raises(UnknownChildId) as err:
        resolve_child_id("LA09", ["LA01", "LA02", "BX77"])
    assert sorted(err.value.closest) == ["LA01", "LA02"]  # equally close
    assert "LA09" in str(err.value) and "LA01" in str(err.value)
    assert isinstance(err.value, ValueError)  # the CLI's "could not run" (exit 2)


def test_an_id_with_nothing_close_says_where_to_look() -> None:
    with pytest.raises(UnknownChildId, match="children.csv") as err:
        resolve_child_id("zzz", ["LA01"])
    assert err.value.closest == ()


# ------------------------------------------------------------ what must be taken down

from photoaudit.core.models import Child, Register  # noqa: E402
from photoaudit.store.published import PublishedCopy, select, takedown_reason, takedowns  # noqa: E402

TODAY = date(2026, 11, 22)
ALL = {"learning_journey": True, "other_journeys": True, "display": True, "website": True, "social_media": True}


def kid(child_id: str, **changes: object) -> Child:
    values: dict = dict(child_id=child_id, name=f"Child {child_id}", status="attending", consents=dict(ALL),
                        face_matching=True, consent_review_due=date(2030, 9, 1))
    values.update(changes)
    return Child(**values)


def posted(copy_id: int, *children: str, purpose: str = "social_media", exported: str = "2026-10-01T09:00:00+00:00",
           taken_down: str | None = None) -> PublishedCopy:
    return PublishedCopy(copy_id, f"sha{copy_id}", f"/t/IMG_{copy_id}.jpg", f"/out/IMG_{copy_id}.jpg", purpose,
                         children, 0, "Facebook group", exported, taken_down)


def test_nothing_to_take_down_while_the_register_still_allows_every_copy() -> None:
    register = Register({"a": kid("a"), "b": kid("b")})
    assert takedowns([posted(1, "a", "b"), posted(2, "a", purpose="website")], register, TODAY) == []


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"withdrawn": {"social_media": date(2026, 11, 3)}}, "consent for social media was withdrawn on 3 November 2026"),
        ({"consents": dict(ALL, social_media=False)}, "has no consent for social media"),
        ({"consent_review_due": date(2026, 9, 1)}, "consent has lapsed (due for review on 1 September 2026)"),
        ({"status": "left", "leave_date": date(2026, 10, 31)}, "has left the setting on 31 October 2026"),
        ({"face_matching": False}, "face-matching permission was withdrawn"),
    ],
)
def test_a_copy_comes_down_when_the_register_no_longer_allows_a_child_in_it(changes: dict, words: str) -> None:
    register = Register({"a": kid("a"), "b": kid("b", **changes)})
    [down] = takedowns([posted(1, "a", "b"), posted(2, "a")], register, TODAY)
    assert down.copy.id == 1
    [(child_id, why)] = down.reasons
    assert child_id == "b" and words in why, why


def test_only_the_copy_s_own_purpose_counts_and_a_taken_down_copy_is_done() -> None:
    register = Register({"a": kid("a", withdrawn={"social_media": date(2026, 11, 3)})})
    copies = [posted(1, "a", purpose="display"), posted(2, "a", taken_down="2026-11-04T10:00:00+00:00"), posted(3, "a")]
    assert [d.copy.id for d in takedowns(copies, register, TODAY)] == [3]


def test_a_child_gone_from_the_register_or_erased_on_request_takes_the_copy_down() -> None:
    register = Register({"a": kid("a")})
    assert "no longer in the consent register" in takedown_reason("zz", "display", register, TODAY, {})
    assert "erased on request on 2026-11-20" in takedown_reason("a", "display", register, TODAY,
                                                               {"a": "2026-11-20T10:00:00+00:00"})


def test_published_copies_filter_by_child_purpose_and_date() -> None:
    copies = [posted(1, "a", exported="2026-09-30T23:00:00+00:00"), posted(2, "a", "b", purpose="website"),
              posted(3, "b", exported="2026-11-02T08:00:00+00:00")]
    assert [c.id for c in select(copies, child_id="b")] == [2, 3]
    assert [c.id for c in select(copies, purpose="website")] == [2]
    assert [c.id for c in select(copies, since=date(2026, 10, 1))] == [2, 3]
    assert [c.id for c in select(copies, until=date(2026, 10, 1))] == [1, 2]


# ------------------------------------------------------------ reports are personal data too

from pathlib import Path  # noqa: E402

from photoaudit.core.settings import Settings
from photoaudit.setting.config import load_config  # noqa: E402
from photoaudit.store.report_retention import cutoff, prune  # noqa: E402

NOW = datetime(2026, 11, 22, 2, 15, tzinfo=UTC)


def test_the_cutoff_is_the_same_day_that_many_months_ago() -> None:
    assert cutoff(NOW, 12) == datetime(2025, 11, 22, 2, 15, tzinfo=UTC)
    assert cutoff(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


def test_an_audit_prunes_only_its_own_dated_reports_and_log_lines_past_their_age(tmp_path: Path) -> None:
    reports, log = tmp_path / "reports", tmp_path / "photoaudit.log"
    reports.mkdir()
    for name in ("audit-2025-11-21-235959.json", "audit-2025-01-01-000000-2.json",  # older than 12 months
                 "audit-2025-11-22-030000.json", "audit-2026-11-22-021500.json",  # not
                 "notes.json", "audit-summary.json"):  # not photoaudit's dated reports: never touched
        (reports / name).write_text("{}", encoding="utf-8")
    log.write_text(
        "2025-11-01T10:00:00+00:00 [12] audit /t: photos=3\n"
        "2025-11-22T01:00:00+00:00 [13] forget: Erased the face data of Ava Patel (c01)\n"
        "a line with no time stamp is kept\n"
        "2026-01-05T10:00:00+00:00 [14] audit /t: photos=4\n",
        encoding="utf-8",
    )
    done = prune(reports, log, 12, NOW)
    assert sorted(p.name for p in done.reports) == ["audit-2025-01-01-000000-2.json", "audit-2025-11-21-235959.json"]
    assert sorted(p.name for p in reports.iterdir()) == [
        "audit-2025-11-22-030000.json", "audit-2026-11-22-021500.json", "audit-summary.json", "notes.json"]
    assert done.log_lines == 2
    assert log.read_text(encoding="utf-8").splitlines() == [
        "a line with no time stamp is kept", "2026-01-05T10:00:00+00:00 [14] audit /t: photos=4"]
    assert "2 dated report(s) and 2 log line(s) older than 12 months" in done.words()
    again = prune(reports, log, 12, NOW)
    assert again.reports == [] and again.log_lines == 0 and again.words() == ""


def test_nothing_to_prune_when_the_folder_and_log_do_not_exist_yet(tmp_path: Path) -> None:
    done = prune(tmp_path / "no-reports", tmp_path / "no.log", 12, NOW)
    assert done.reports == [] and done.log_lines == 0
    assert not (tmp_path / "no-reports").exists() and not (tmp_path / "no.log").exists()


def test_reports_months_is_a_retention_setting_defaulting_to_12(tmp_path: Path) -> None:
    assert Settings().reports_months == 12
    config = tmp_path / "photoaudit.toml"
    config.write_text("[retention]\nreports_months = 3\n", encoding="utf-8")
    assert load_config(config).reports_months == 3
    config.write_text("[retention]\nreports_months = 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="reports_months"):
        load_config(config)


# ------------------------------------------------------------ one id rule for children and staff

def test_forget_and_allow_again_resolve_child_and_staff_ids_by_the_same_rule(tmp_path: Path) -> None:
    from nursery import write_register

    from photoaudit.operations.workflow import allow_again, forget
    from photoaudit.store.database import Store

    data = tmp_path / "data"
    data.mkdir()
    write_register(data)
    (data / "staff.csv").write_text("staff_id,name,status,website,social_media,face_matching\n"
                                    "JS01,Jo Smith,working,yes,no,yes\n", encoding="utf-8")
    settings = Settings(data_dir=data)
    assert forget(settings, "js01", "2026-11-22T10:00:00+00:00").child_id == "staff:JS01"
    assert forget(settings, "C02", "2026-11-22T10:00:00+00:00").child_id == "c02"
    with Store(settings.state_path) as store:
        assert set(store.forgotten()) == {"staff:JS01", "c02"}
    with pytest.raises(UnknownChildId, match="JS01"):
        forget(settings, "JS02", "2026-11-22T10:00:00+00:00")
    assert allow_again(settings, "Js01") == "staff:JS01"
    with pytest.raises(UnknownChildId, match="erased on request"):
        allow_again(settings, "c01")  # never erased
