"""Report times are local time with the offset; --today takes the register's date forms."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from photoaudit.core.errors import CannotRun
from photoaudit.core.models import Register
from photoaudit.core.words import local_time, time_words
from photoaudit.formats import html_report, json_report
from photoaudit.operations.examine import AuditResult


@pytest.fixture
def london(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


SUMMER = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_the_json_report_gives_local_time_with_the_offset(london: None) -> None:
    result = AuditResult(Path("/t"), date(2026, 7, 1), [], generated=SUMMER)
    assert json_report.report_json(result)["generated"] == "2026-07-01T10:00:00+01:00"
    assert datetime.fromisoformat(json.loads(json_report.render(result))["generated"]) == SUMMER
    assert local_time(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "2026-12-01T09:00:00+00:00"


def test_the_html_report_says_the_time_in_words(london: None) -> None:
    page = html_report.render(AuditResult(Path("/t"), date(2026, 7, 1), [], generated=SUMMER), Register({}))
    assert "report made 1 July 2026 at 10:00 (UTC+01:00)" in page
    assert time_words("not a time") == "not a time"


@pytest.mark.parametrize("given", ["2026-09-01", "01/09/2026", "1/9/2026"])
def test_today_takes_uk_dates_like_the_register(given: str) -> None:
    from photoaudit.cli.shared import parse_today

    assert parse_today(given) == date(2026, 9, 1)


def test_without_today_it_is_today() -> None:
    from photoaudit.cli.shared import parse_today

    before = date.today()
    found = parse_today(None)
    assert found in (before, date.today())  # the clock may pass midnight in between


@pytest.mark.parametrize("given, words", [("09/31/2026", "there is no month 31"), ("tomorrow", "is not a date"),
                                          ("31/02/2026", "has no day 31"), ("", "needs a date")])
def test_a_bad_today_says_why(given: str, words: str) -> None:
    from photoaudit.cli.shared import parse_today

    with pytest.raises(CannotRun, match=words):
        parse_today(given)


def test_an_override_shows_its_local_date(london: None, tmp_path: Path) -> None:
    from photoaudit.core.models import PURPOSES, Action, Override, PhotoVerdict, Use

    late = Override(Action.DELETE, "asked", "Jo", "2026-07-01T23:30:00+00:00", Action.KEEP)  # 00:30 in London
    verdict = PhotoVerdict("x.jpg", Action.DELETE, {p: Use.WITHHELD for p in PURPOSES}, override=late)
    page = html_report.render(AuditResult(tmp_path, date(2026, 7, 2), [verdict]), Register({}), thumbnails=None)
    assert "by Jo on 2026-07-02" in page
