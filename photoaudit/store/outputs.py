"""Where photoaudit may write, checked in one place before every command writes anything.

Never lose a photo (docs/rules.md, "Never lose a photo"): an output path given on
the command line (``--json``, ``--csv``, ``--html``, ``--export``, ``--log``,
``--state``, ``--reports``, ``--quarantine``) can be a typing slip, such as
``check --for website --json photos/*.jpg``, where the shell hands the first photo
over as the report's name. So:

- nothing is ever written inside a folder being audited or checked, or inside a
  folder photoaudit has audited before (the state folder remembers them): not the
  state folder, the log, a report, the quarantine or the copies to post;
- the quarantine folder is never the audited folder, inside it, or around it;
- a report is never the consent register, ``devices.csv``, anything in the data
  folder's ``faces/`` or the quarantine, and never has a photo's or
  a video's name;
- a report never replaces a file photoaudit did not write. photoaudit knows its own
  reports by a record in the state folder (``outputs.json``: each report's full path,
  the SHA-256 of what was written, which run wrote it and when), not by their names. A
  report of its own that is unchanged since is replaced; one changed since (opened and
  saved in a spreadsheet) is replaced only with ``--force``; any other file never is;
- no two outputs of one run go to one path (``--json X --csv X``, a report on the log):
  refused before any work is done;
- no two runs go to one path: a report another run wrote (an audit of another folder, or
  one written while this run worked) is never replaced; this run's report is written
  beside it (``report-2.json``) and the command says so;
- a path that ends in a separator (``--json newdir/``) names a folder, never a file:
  refused (:func:`names_a_folder`).

A refusal is :class:`~photoaudit.core.errors.CannotRun` (exit code 2) saying why.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import CannotRun
from ..core.settings import Settings
from ..media.files import fit_name, make_private_dir, open_to_others, sha256_file, write_private
from ..media.sources import MediaKind, kind_of
from . import lock
from .database import DB_NAME

RECORD_NAME = "outputs.json"

def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or anywhere inside it (links resolved)."""
    root, target = Path(folder).resolve(), Path(path).resolve()
    return target == root or root in target.parents


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()



# -- the record of what photoaudit wrote -------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One run of a command, as the record of reports names it: what it was about
    (``audit /srv/transfer``, ``check``, ``group``...) and when it started (UTC, ISO 8601)."""

    what: str
    started: str = field(default_factory=lambda: now_text())


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Written:
    """One report on record: the SHA-256 written, and which run wrote it when (None in a
    record made before runs were recorded)."""

    sha256: str
    run: str | None = None
    written: str | None = None

    def by_another(self, run: Run | None) -> str | None:
        """Words for why this report belongs to another run than ``run`` (so it is not
        replaced), or None: another subject (an audit of another folder), or written after
        ``run`` started (by a run working beside it)."""
        if run is None or self.run is None:
            return None
        when = f", written {self.written[:19].replace('T', ' ')} UTC" if self.written else ""
        if self.run != run.what:
            return f"it is the report of another run ({self.run}{when})"
        if self.written is not None and self.written >= run.started:
            return f"another run ({self.run}) wrote it while this one worked{when}"
        return None


def record_key(path: Path) -> str:
    """How the record names a report: its folder's real path (links resolved) and its name."""
    path = Path(path).absolute()
    return str(path.parent.resolve() / path.name)


def record_path(settings: Settings) -> Path:
    return settings.state_path / RECORD_NAME


def records(settings: Settings) -> dict[str, Written]:
    """Every report photoaudit wrote with this state folder: full path -> what was written."""
    try:
        data = json.loads(record_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    found = {}
    for key, value in data.items():
        if isinstance(value, str):  # a record made before runs were recorded
            found[str(key)] = Written(value)
        elif isinstance(value, dict) and isinstance(value.get("sha256"), str):
            run, when = value.get("run"), value.get("written")
            found[str(key)] = Written(value["sha256"], run if isinstance(run, str) else None,
                                      when if isinstance(when, str) else None)
    return found


def written(settings: Settings) -> dict[str, str]:
    """Every report photoaudit wrote with this state folder: full path -> SHA-256 written."""
    return {key: one.sha256 for key, one in records(settings).items()}


def remember_written(settings: Settings, path: Path, sha256: str, run: Run | None = None) -> None:
    """Add one written report to the record (an unreadable record starts afresh)."""
    record = {key: {"sha256": one.sha256, "run": one.run, "written": one.written}
              for key, one in records(settings).items()}
    record[record_key(path)] = {"sha256": sha256, "run": run.what if run else None, "written": now_text()}
    make_private_dir(settings.state_path)
    write_private(record_path(settings), json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False))


def audited_before(settings: Settings) -> list[Path]:
    """The folders audited with this state folder (read only; nothing is created)."""
    db = settings.state_path / DB_NAME
    if not db.is_file():
        return []
    try:
        connection = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = connection.execute("SELECT DISTINCT folder FROM location").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return []
    return [Path(folder) for (folder,) in rows]


# -- the checks ---------------------------------------------------------------------------

#: A report to write: its path, or (the option that named it, its path), e.g. ("--json", Path("r.json")).
Output = Path | str | tuple[str, Path]


def named(output: Output) -> tuple[str, Path]:
    """(the option, the path) of an output; one given without its option is "a report"."""
    if isinstance(output, tuple):
        return output[0], Path(output[1])
    return "a report", Path(output)


def names_a_folder(text: str) -> str | None:
    """Why a path given for a report names a folder (it ends with a separator), or None.

    ``Path("newdir/")`` forgets the ``/``: the text as typed is checked, before it is a Path.
    """
    separators = tuple(sep for sep in (os.sep, os.altsep, "/") if sep)
    if text != "-" and text.endswith(separators):
        return (f"{text} ends with {text[-1]}, so it names a folder, not a file: nothing was done. "
                f"Give the report a file name, such as {text}report.json.")
    return None


@dataclass(frozen=True)
class Writes:
    """What one command is about to write, and the folders it must never write into."""

    folders: tuple[Path, ...] = ()  # audited or checked by this command
    reports: tuple[Output, ...] = ()  # report files ('-' is standard output), with their options
    export: Path | None = None  # the folder of copies to post
    near: tuple[Path, ...] = ()  # folders of photos checked one by one (no copies go there)
    force: bool = False  # replace a report of photoaudit's own that was changed since
    state: bool = True  # this command writes the state folder and the log
    quarantine: bool = True  # this command's folders must not meet the quarantine
    warnings: list[str] = field(default_factory=list, compare=False)


def check_writes(settings: Settings, writes: Writes) -> list[str]:
    """Refuse (CannotRun) anything this command must not write; return warnings to show.

    Every command calls this before it writes anything, with the folders it reads.
    """
    folders = [Path(f) for f in writes.folders]
    if writes.quarantine:
        for folder in folders:
            check_quarantine_outside(settings.quarantine_path, folder)
    private = [("state folder", settings.state_path), ("reports folder", settings.reports_path)] if writes.state else []
    for what, path in private:
        for folder in folders:
            if is_inside(path, folder):
                raise CannotRun(
                    f"The {what} {path} would be inside the folder being audited or checked ({folder}). "
                    "photoaudit never writes into that folder: choose a place outside it."
                )
    if writes.state and (why := log_refusal(settings, folders)):
        raise CannotRun(why)
    reports = [(option, path) for option, path in map(named, writes.reports) if str(path) != "-"]
    check_one_path_each(reports + ([("--log", Path(settings.log_path))] if writes.state else []))
    before = [Path(f) for f in audited_before(settings)] if writes.state or writes.reports or writes.export else []
    for _, report in reports:
        check_report_path(settings, report, folders + before, writes.force)
    if writes.export is not None:
        check_export_path(settings, Path(writes.export), folders + before + [Path(p) for p in writes.near])
    folders_written = [path.absolute().parent for _, path in reports]
    if writes.state:
        folders_written += [Path(settings.log_path).absolute().parent, Path(settings.state_path).absolute(),
                            Path(settings.reports_path).absolute(), Path(settings.quarantine_path).absolute()]
    said = []
    for folder in folders_written:
        words = open_to_others(folder)  # None for a folder not there yet: it will be made private
        if words and words not in said:
            said.append(words)
    return said


def check_one_path_each(outputs: list[tuple[str, Path]]) -> None:
    """No two outputs of one run to one file (``--json X --csv X``): the second would replace the
    first. Refused before any work is done."""
    seen: dict[str, str] = {}
    for option, path in outputs:
        key = os.path.normcase(record_key(path))
        if key in seen:
            raise CannotRun(
                f"{seen[key]} and {option} both name {path}: the second would replace the first. "
                "Nothing was done: give each its own file (such as report.json and report.csv)."
            )
        seen[key] = option


def check_quarantine_outside(quarantine_dir: Path, folder: Path) -> None:
    """The quarantine is never the folder, inside it, or around it (it would hide every photo)."""
    q, f = Path(quarantine_dir).resolve(), Path(folder).resolve()
    if q == f:
        raise CannotRun(
            f"The quarantine folder {quarantine_dir} is the folder being checked; choose one outside it "
            "(--quarantine or PHOTOAUDIT_QUARANTINE)."
        )
    if f in q.parents:
        raise CannotRun(
            f"The quarantine folder {quarantine_dir} is inside the folder being checked; choose one outside it "
            "(--quarantine or PHOTOAUDIT_QUARANTINE)."
        )
    if q in f.parents:
        raise CannotRun(
            f"The folder being checked, {folder}, is inside the quarantine folder {quarantine_dir}: "
            "its photos would never be checked. Choose a quarantine folder outside it "
            "(--quarantine or PHOTOAUDIT_QUARANTINE)."
        )


def _protected(settings: Settings) -> list[tuple[str, Path, bool]]:
    """(what, path, is a folder) that no report may be or be inside."""
    return [
        ("the consent register", settings.register_path, False),
        ("the device register", settings.devices_path, False),
        ("the staff register", settings.staff_register_path, False),
        ("the children's reference photos (faces/)", settings.faces_dir, True),
        ("the staff's reference photos (staff/)", settings.staff_dir, True),
        ("the quarantine folder", settings.quarantine_path, True),
    ]


def check_report_path(settings: Settings, report: Path, never_inside: Iterable[Path], force: bool = False) -> None:
    """Refuse a report path that is protected, inside ``never_inside``, or not photoaudit's to replace."""
    for folder in never_inside:
        if is_inside(report, folder):
            raise CannotRun(
                f"The report {report} would be written inside the folder being audited or checked "
                f"({folder}, or audited before). photoaudit never writes into that folder: choose another place."
            )
    for what, path, is_folder in _protected(settings):
        if (is_folder and is_inside(report, path)) or (not is_folder and _same(report, path)):
            where = "inside " if is_folder and not _same(report, path) else ""
            raise CannotRun(
                f"The report {report} would be {where}{what} ({path}). Nothing was written: "
                "give the report a name of its own, such as report.json."
            )
    if kind_of(report.name) is not MediaKind.OTHER:
        raise CannotRun(
            f"The report {report} has a photo's or a video's name. Nothing was written: perhaps the "
            "report's name was left out (--json, --csv and --html each need one, such as report.json)."
        )
    check_replaceable(settings, report, force)


def check_replaceable(settings: Settings, report: Path, force: bool = False) -> None:
    """Refuse to replace an existing file unless it is a report photoaudit wrote (see the module)."""
    if not os.path.lexists(report):
        return
    if report.is_symlink():
        raise CannotRun(f"The report {report} is a link; photoaudit writes reports only as files of their own.")
    if report.is_dir():
        raise CannotRun(f"The report {report} is a folder; give the report a file name, such as report.json.")
    known = written(settings).get(record_key(report))
    if known is None:
        raise CannotRun(
            f"{report} already exists and photoaudit did not write it, so it will not be replaced "
            "(it could be a photo, a register or someone's file). Choose another name, or move it away first."
        )
    try:
        current: str | None = sha256_file(report)
    except OSError:
        current = None
    if current != known and not force:
        raise CannotRun(
            f"{report} is a report photoaudit wrote, but it has been changed since (perhaps saved "
            "from a spreadsheet). It was not replaced: use --force to replace it, or choose another name."
        )


def check_export_path(settings: Settings, export: Path, never_inside: Iterable[Path]) -> None:
    """The folder of copies to post: a folder of its own, outside every checked and private folder."""
    if export.is_symlink() and not export.exists():
        raise CannotRun(
            f"--export {export} is a link to {os.readlink(export)}, which does not exist. "
            "Choose a folder for the copies (or create the one the link points to)."
        )
    for folder in never_inside:
        if is_inside(export, folder):
            raise CannotRun(
                f"--export {export} is inside {folder}, a folder of photos photoaudit checks: the next "
                "audit would find the copies there. Put the copies in a folder outside it."
            )
    for what, path, is_folder in _protected(settings):
        if is_inside(export, path) if is_folder else _same(export, path):
            raise CannotRun(f"--export {export} would be inside {what} ({path}): choose a folder of its own.")


_LOG_LINE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \[\d+\] ")


def log_refusal(settings: Settings, folders: Iterable[Path] = ()) -> str | None:
    """Why the log file must not be written (appended to), or None.

    The log is only ever appended to, so it may be a log photoaudit already writes (its
    lines start with a time and a process id) or a new file; never a register, a photo,
    a file in faces/ or the quarantine, or anything inside a folder being checked.
    """
    log = Path(settings.log_path)
    for folder in folders:
        if is_inside(log, folder):
            return (f"The log {log} would be inside the folder being audited or checked ({folder}). "
                    "photoaudit never writes into that folder: choose a place outside it.")
    for what, path, is_folder in _protected(settings):
        if is_inside(log, path) if is_folder else _same(log, path):
            return f"The log {log} would be {what} ({path}): give the log a file of its own, such as photoaudit.log."
    if kind_of(log.name) is not MediaKind.OTHER:
        return f"The log {log} has a photo's or a video's name: give the log a name such as photoaudit.log."
    if not os.path.lexists(log):
        return None
    if log.is_symlink() or not log.is_file():
        return f"The log {log} is not a plain file: give the log a file of its own, such as photoaudit.log."
    try:
        with open(log, "rb") as handle:
            start = handle.read(64)
    except OSError as err:
        return f"The log {log} cannot be read ({err.strerror or err})."
    if start and not _LOG_LINE.match(start):
        return (f"{log} already exists and is not a photoaudit log, so nothing is added to it. "
                "Give the log a file of its own (--log), such as photoaudit.log.")
    return None


def _places(settings: Settings) -> list[tuple[str, Path, str]]:
    """(what, path, how to choose another) for every place photoaudit writes, the innermost first."""
    return [
        ("The log", settings.log_path, "--log, or log in photoaudit.toml"),
        ("The reports folder", settings.reports_path, "--reports, or reports in photoaudit.toml"),
        ("The quarantine folder", settings.quarantine_path,
         "--quarantine, PHOTOAUDIT_QUARANTINE, or quarantine in photoaudit.toml"),
        ("The state folder", settings.state_path, "--state, or state in photoaudit.toml"),
        ("The data folder", settings.data_dir, "--data, PHOTOAUDIT_DATA, or data in photoaudit.toml"),
    ]


def disk_error_words(err: OSError, settings: Settings | None) -> str:
    """An error of the disk in a manager's words: which of photoaudit's places it was in (the
    state folder, the quarantine, ...), why, and how to choose another; never a bare
    ``[Errno 2] No such file or directory: '/proc/1/locks'``."""
    why = err.strerror or str(err)
    if not err.filename:
        return str(err)
    path = Path(os.fsdecode(err.filename)).absolute()
    for what, place, how in _places(settings) if settings is not None else []:
        place = Path(place).absolute()
        if path == place or place in path.parents:
            return (f"{what} {place} cannot be used: {why} ({path}). Choose a folder of your own that "
                    f"photoaudit can create files in ({how}).")
    return f"{why}: {path}."


def _same(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()


@dataclass(frozen=True)
class Placed:
    """Where a report was written: ``path``, or beside it when ``path`` is another run's (``why``)."""

    path: Path
    asked: Path
    why: str | None = None

    @property
    def moved(self) -> bool:
        return self.why is not None

    def words(self) -> str:
        """What the command says when the report went beside the path it was given."""
        return (f"{self.asked} was left as it is ({self.why}); this run's report was written beside it "
                f"as {self.path}.")


def place_for(settings: Settings, path: Path, run: Run | None) -> Placed:
    """Where this run's report for ``path`` goes: ``path`` itself, unless another run wrote the
    report there; then the first ``NAME-2.json``, ``NAME-3.json``... that is free or this same
    kind of run's own earlier report (never someone's file, never another run's report)."""
    path = Path(path)
    known = records(settings)
    why = known[record_key(path)].by_another(run) if record_key(path) in known else None
    if why is None or not os.path.lexists(path):
        return Placed(path, path)
    for n in range(2, 10_000):
        candidate = path.with_name(fit_name(path.stem, f"-{n}{path.suffix}"))
        if not os.path.lexists(candidate):
            return Placed(candidate, path, why)
        mine = known.get(record_key(candidate))
        if (mine is not None and mine.by_another(run) is None and mine.run is not None
                and candidate.is_file() and not candidate.is_symlink() and sha256_file(candidate) == mine.sha256):
            return Placed(candidate, path, why)  # this kind of run's own earlier report, unchanged
    raise CannotRun(f"{path} and the names beside it hold other runs' reports: give this report a name of its own.")


def write_report(settings: Settings, path: Path, text: str, force: bool = False, run: Run | None = None) -> Placed:
    """Write a report (private, atomic) and record it as photoaudit's own, written by ``run``.

    Checked again just before writing: a file may have appeared while the command ran, and a
    report another run wrote (another folder's audit, or one written while this run worked)
    is never replaced: this one goes beside it (:func:`place_for`), and the caller says so.
    """
    with record_held(settings):  # two runs finishing together: one decides, writes and records at a time
        placed = place_for(settings, Path(path), run)
        check_replaceable(settings, placed.path, force)
        make_private_dir(placed.path.absolute().parent)
        write_private(placed.path, text)
        remember_written(settings, placed.path, sha256_bytes(text.encode("utf-8")), run)
    return placed


#: How long a run waits for another to finish writing a report (it takes milliseconds).
RECORD_WAIT_SECONDS = 30.0


@contextmanager
def record_held(settings: Settings) -> Iterator[None]:
    """Hold the record of reports (``outputs.json``) for one report's writing, waiting while
    another run holds it; raises lock.AlreadyRunning if it is held for longer than
    :data:`RECORD_WAIT_SECONDS`."""
    deadline = time.monotonic() + RECORD_WAIT_SECONDS
    while True:
        try:
            held = lock.acquire(settings.state_path, RECORD_NAME, "the record of reports (outputs.json)")
            break
        except lock.AlreadyRunning:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield
    finally:
        held.release()
