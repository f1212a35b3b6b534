"""Reports are personal data too: dated reports and log lines are kept for a limited time.

Each audit leaves a dated JSON report (``audit-2026-11-22-021500.json``) and log
lines, and both name children. ``[retention] reports_months`` (default 12) says how
long they are kept: every audit removes photoaudit's own dated reports and log lines
older than that, and says so in the log. Only files named as photoaudit names its
dated reports are ever removed from the reports folder; a log line with no time
stamp is kept (it is not known how old it is). See docs/rules.md, "Parents' rights".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..core.provenance import add_months
from ..media.files import write_private

#: photoaudit's own dated report names (runlog.dated_report_path), with the time they were written.
DATED_REPORT = re.compile(r"audit-(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(?:-\d+)?\.json")
#: The time stamp each log line starts with (runlog.append_log).
LOG_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?) ")


@dataclass
class Pruned:
    """What one audit removed because it was older than the retention period."""

    months: int
    reports: list[Path] = field(default_factory=list)
    log_lines: int = 0

    def words(self) -> str:
        """One sentence for the log ('' when nothing was removed)."""
        if not self.reports and not self.log_lines:
            return ""
        return (
            f"removed {len(self.reports)} dated report(s) and {self.log_lines} log line(s) older than "
            f"{self.months} months ([retention] reports_months): reports name children."
        )


def cutoff(now: datetime, months: int) -> datetime:
    """The same moment ``months`` months earlier (the month's last day when it is shorter)."""
    day = add_months(now.date(), -months)
    return now.replace(year=day.year, month=day.month, day=day.day)


def report_time(name: str) -> datetime | None:
    """When a dated report was written, from its name; None for any other file."""
    found = DATED_REPORT.fullmatch(name)
    if not found:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in found.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def line_time(line: str) -> datetime | None:
    found = LOG_STAMP.match(line)
    if not found:
        return None
    try:
        when = datetime.fromisoformat(found.group(1).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def prune(reports_dir: Path, log_path: Path, months: int, now: datetime) -> Pruned:
    """Remove dated reports and log lines older than ``months`` months before ``now``."""
    limit = cutoff(now, months)
    done = Pruned(months)
    if reports_dir.is_dir():
        for path in sorted(reports_dir.iterdir()):
            written = report_time(path.name)
            if written is not None and written < limit and path.is_file():
                path.unlink()
                done.reports.append(path)
    if log_path.is_file():
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        kept = [line for line in lines if (when := line_time(line)) is None or when >= limit]
        done.log_lines = len(lines) - len(kept)
        if done.log_lines:
            write_private(log_path, "".join(kept))
    return done
