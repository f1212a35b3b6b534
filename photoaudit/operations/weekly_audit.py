"""The weekly audit as one operation: a request in, the audit's run out (``photoaudit audit``).

The command line gathers its options into an :class:`AuditRequest` and calls :func:`run`;
everything between (the locks, who examines the photos, enrolment, how many workers, the
audit itself, ``--apply``, the dated report and its retention) happens here. What the
person watching should see comes back through :class:`AuditEvents`; the report formats are
the shell's, so the dated JSON report's text is given as a function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from ..core.settings import Settings
from ..faces.engine import EngineSettings
from ..media.sources import MediaFile
from ..store.report_retention import prune as prune_reports
from ..store.runlog import write_dated_report
from .cluster import ClusterOptions
from .memory_limit import workers_for
from .parallel import default_jobs
from .results import AuditResult
from .workflow import Prepared, apply_findings, audit, audit_locks, examiner_for, prepare


@dataclass(frozen=True)
class AuditRequest:
    """Everything ``photoaudit audit`` was asked to do, as one value."""

    folder: Path
    today: date
    settings: Settings
    detector: str = "auto"
    jobs: int | None = None  # worker processes on this computer (None: one per core)
    apply: bool = False  # move the photos to delete into quarantine
    cluster: ClusterOptions | None = None  # examine new photos on a Dask cluster instead


def _nothing(*_: object) -> None:
    return None


@dataclass(frozen=True)
class AuditEvents:
    """What the shell shows and logs while the audit runs (each does nothing by default)."""

    say: Callable[[str], None] = _nothing  # a line for the person watching
    log: Callable[[str], None] = _nothing  # a line for the log file
    prepared: Callable[[Prepared], None] = _nothing  # enrolment is ready (it may have been refreshed)
    start: Callable[[list[MediaFile]], None] = _nothing  # the files to audit are known
    advance: Callable[[MediaFile], None] = _nothing  # one file done


@dataclass
class AuditRun:
    """One audit as it ran: its result, what it was judged with, and the dated report."""

    result: AuditResult
    prepared: Prepared
    dated: Path
    report: str  # the JSON report's text, as written to ``dated``
    moved: list = field(default_factory=list)  # with --apply: what went into quarantine


def run(request: AuditRequest, render_json: Callable[[AuditResult, Prepared], str],
        events: AuditEvents = AuditEvents(), finish: Callable[[AuditResult], None] = _nothing) -> AuditRun:
    """Audit ``request.folder`` once, one run at a time, and keep its dated JSON report.

    ``render_json`` is the JSON report's format (with what the result was judged with);
    ``finish`` completes the result before it is rendered (the shell's own hints);
    raises CannotRun (exit 2) and lock.AlreadyRunning (exit 3) as the steps do.
    """
    folder, settings = request.folder, request.settings
    where = f"audit {folder}"
    engine_settings = EngineSettings(detector=request.detector)
    with audit_locks(settings, folder, request.apply) as recovered, \
            examiner_for(request.cluster, engine_settings, settings.video, folder) as (examiner, notes):
        for words in recovered:
            events.log(f"{where}: {words}")
        if examiner is not None:
            for words in [f"New photos are checked on {examiner.describe()}.", *notes]:
                events.say(words)
                events.log(f"{where}: {words}")
        prepared = prepare(settings, engine_settings)
        events.prepared(prepared)
        # dlib's CNN detector on this computer's workers: how many at once, and why it is slow
        # (a cluster's workers are the cluster's to size)
        jobs = request.jobs or default_jobs()
        workers, slow = ((jobs, None) if examiner is not None
                         else workers_for(prepared.engine.detector, jobs, request.detector))
        if slow is not None:
            events.log(f"{where}: {slow}")
            events.say(slow)
        result = audit(folder, prepared, request.today, on_start=events.start, on_file=events.advance,
                       jobs=workers, examiner=examiner)
        result.warnings[:0] = recovered + ([slow] if slow is not None else [])
        if prepared.enrolment is not None:  # its warnings are among prepared.warnings (workflow.audit)
            for erased in result.erased:
                events.log(f"{where}: erased the face data of {erased['child_id']} ({erased['why']}): "
                           f"{erased['references']} reference template(s), {erased['photo_faces']} stored face(s)")
        moved = []
        if request.apply:
            outcome = apply_findings(result, settings)
            moved = list(outcome.done)
            for item in moved:
                events.log(f"{where}: moved {item.original} to quarantine as {item.quarantined} (sha256 {item.sha256})")
            for path, why in outcome.skipped:
                events.log(f"{where}: did not move {path} to quarantine: {why}")
        finish(result)
        text = render_json(result, prepared)
        dated = write_dated_report(settings.reports_path, result.generated, text)
        try:
            pruned = prune_reports(settings.reports_path, settings.log_path, settings.reports_months,
                                   datetime.now(UTC)).words()
        except OSError as err:  # never stops the audit; the log says what could not be removed
            pruned = f"could not remove reports and log lines past their retention ({err})"
        if pruned:
            events.log(f"{where}: {pruned}")
    return AuditRun(result, prepared, dated, text, moved)


def with_reports_dir(settings: Settings, reports_dir: Path | None) -> Settings:
    """The settings with ``--reports-dir``, when given."""
    return settings if reports_dir is None else replace(settings, reports_dir=reports_dir)
