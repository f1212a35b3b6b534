"""Run part of a test as an unprivileged user, so permission tests really run as root (as on CI).

Root reads every file whatever its mode, so a test of "permission denied" proves nothing
as root, and used to be skipped there. :func:`as_unprivileged` forks, drops to the
``nobody`` user in the child (when the tests run as root; otherwise it just calls), runs
the function there and hands back its result. The interpreter is already loaded in the
forked child, so it needs no access to where Python is installed. :func:`open_folder`
is a folder that user can reach, for the files the child must (or must not) read.
"""

from __future__ import annotations

import os
import pickle
import pwd
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) of the user to drop to when running as root; None when not root."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def as_unprivileged(fn: Callable[[], Any]) -> Any:
    """``fn()`` as an unprivileged user: its return value, or an AssertionError naming what it raised."""
    ids = unprivileged_ids()
    if ids is None:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root for good, then run
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(ids[1])
            os.setuid(ids[0])
            try:
                outcome = ("ok", fn())
            except BaseException as err:  # noqa: BLE001 - reported to the parent
                outcome = ("raised", f"{type(err).__name__}: {err}")
            with os.fdopen(write, "wb") as out:
                out.write(pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as incoming:
        data = incoming.read()
    os.waitpid(pid, 0)
    if not data:
        raise AssertionError("the unprivileged child ended without a result")
    kind, value = pickle.loads(data)
    if kind != "ok":
        raise AssertionError(f"in the unprivileged child: {value}")
    return value


def give_away(*paths: Path) -> None:
    """Make these files and folders the unprivileged user's own (as a user's own files are)."""
    ids = unprivileged_ids()
    if ids is None:
        return
    for path in paths:
        os.chown(path, *ids, follow_symlinks=False)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A fresh folder the unprivileged user owns and can reach (pytest's tmp_path is root's, 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="photoaudit-unprivileged-"))
    folder.chmod(0o755)
    give_away(folder)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
