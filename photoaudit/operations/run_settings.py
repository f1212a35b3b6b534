"""What every command runs with: its settings (``photoaudit.toml``, then the command line on
top), where it may write (checked before it writes, :mod:`photoaudit.store.outputs`), its log
line, and the words for a disk's error. The command line calls these with what it was given
(its ``Environment``); the values it builds (``Writes``, ``Run``) are named here for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from ..core.settings import Settings
from ..setting.config import ConfigError, command_line_match, find_config, load_config
from ..setting.private_places import with_private_defaults
from ..setting.register import parse_date
from ..store.lock import AlreadyRunning
from ..store.outputs import (
    Run,
    Writes,
    check_writes,
    disk_error_words,
    log_refusal,
    names_a_folder,
    write_report,
)
from ..store.runlog import try_log

__all__ = ["AlreadyRunning", "Run", "Writes", "check_writes", "disk_words", "load", "log_line", "names_a_folder",
           "parse_date", "write_report"]


def load(config: Path | None, data_dir: Path | None, state_dir: Path | None, quarantine_dir: Path | None,
         log_file: Path | None, tolerance: float | None, margin: float | None) -> Settings:
    """photoaudit.toml (``config``, else the one in ``data_dir``, if any), then the command line
    on top (None: not given); on Windows, the private folders not configured in the user's own
    profile (photoaudit/core/private_places.py)."""
    found = find_config(config, data=data_dir)  # --data DIR: DIR/photoaudit.toml too
    settings = load_config(found) if found is not None else Settings()
    match = command_line_match(settings.match, tolerance, margin)
    return with_private_defaults(replace(
        settings,
        data_dir=data_dir if data_dir is not None else settings.data_dir,
        state_dir=state_dir if state_dir is not None else settings.state_dir,
        match=match,
        quarantine_dir=quarantine_dir if quarantine_dir is not None else settings.quarantine_dir,
        log_file=log_file if log_file is not None else settings.log_file,
    ))


def log_line(settings: Callable[[], Settings], folders: Iterable[Path], message: str) -> None:
    """One line in the log file (never stops a run, even one stopped by bad settings), never
    into one of ``folders`` (being checked), a register or a photo (store/outputs.py)."""
    try:
        loaded = settings()
        if log_refusal(loaded, folders):
            return  # refused (and said so): never into a folder being checked, a register, a photo...
    except (ConfigError, OSError, ValueError):
        return
    try_log(loaded.log_path, message)


def disk_words(err: OSError, settings: Callable[[], Settings]) -> str:
    """A disk's error named by the place it happened in (the state folder, ...: store/outputs.py)."""
    try:
        loaded = settings()
    except (ConfigError, OSError, ValueError):
        loaded = None
    return disk_error_words(err, loaded)
