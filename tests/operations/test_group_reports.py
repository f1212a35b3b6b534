"""Reading the audit reports ``photoaudit group`` summarises (operations/group_reports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoaudit.operations.group_reports import NotAnAuditReport, read_report


def test_a_report_that_is_not_json_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1,\n oops}', encoding="utf-8")
    with pytest.raises(NotAnAuditReport, match=r"it is not valid JSON \(.*, line 2\)"):
        read_report(bad)


def test_json_no_report_holds_is_not_a_report_and_never_a_crash(tmp_path: Path) -> None:
    """A number too long for Python to read raises a plain ValueError, with no ``msg``."""
    odd = tmp_path / "odd.json"
    odd.write_text('{"version": ' + "1" * 5000 + "}", encoding="utf-8")
    with pytest.raises(NotAnAuditReport, match="not an audit report photoaudit could read"):
        read_report(odd)
