"""photoaudit.store.lock: one run per folder; a lock left by a killed run is taken over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from photoaudit.store import lock

HOLD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from photoaudit.store import lock
    held = lock.acquire(Path(sys.argv[1]), sys.argv[2], "the folder")
    print(os.getpid(), flush=True)
    if sys.argv[3] == "die":
        os._exit(9)  # killed: no release, no clean-up
    sys.stdin.readline()  # hold it until told
    held.release()
    """
)


def holder(state: Path, name: str, how: str) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state), name, how],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    child.pid_seen = int(child.stdout.readline())  # type: ignore[attr-defined]
    return child


def test_second_run_on_the_same_folder_is_refused_while_the_first_holds_it(tmp_path: Path) -> None:
    child = holder(tmp_path, "/srv/transfer", "hold")
    try:
        with pytest.raises(lock.AlreadyRunning) as refused:
            lock.acquire(tmp_path, "/srv/transfer", "the folder /srv/transfer")
        assert refused.value.holder["pid"] == child.pid_seen  # type: ignore[attr-defined]
        assert "already working on the folder /srv/transfer" in str(refused.value)
        assert f"process {child.pid_seen}" in str(refused.value)  # type: ignore[attr-defined]
        with lock.acquire(tmp_path, "/srv/other", "another folder"):  # other folders are free
            pass
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=30)
    with lock.acquire(tmp_path, "/srv/transfer", "the folder") as held:
        assert held.stale is None  # released cleanly: nothing stale


def test_lock_of_a_killed_run_is_recovered_and_reported(tmp_path: Path) -> None:
    child = holder(tmp_path, "/srv/transfer", "die")
    child.wait(timeout=30)
    assert child.returncode == 9
    with lock.acquire(tmp_path, "/srv/transfer", "the folder") as held:
        assert held.stale is not None
        assert held.stale["pid"] == child.pid_seen  # type: ignore[attr-defined]
        assert json.loads(held.path.read_text())["pid"] == os.getpid()


def test_one_process_cannot_take_its_own_lock_twice(tmp_path: Path) -> None:
    with lock.acquire(tmp_path, "x", "x"):
        with pytest.raises(lock.AlreadyRunning):
            lock.acquire(tmp_path, "x", "x")
    lock.acquire(tmp_path, "x", "x").release()


def test_acquire_every_refuses_while_any_run_holds_a_lock(tmp_path: Path) -> None:
    # Lock files are taken in the order of their names (hashes): pick a held lock whose file
    # comes after a free one, so acquire_every really takes a lock before it is refused.
    free = "a"
    held_name = next(n for n in (f"b{i}" for i in range(100))
                     if lock.lock_path(tmp_path, n).name > lock.lock_path(tmp_path, free).name)
    lock.acquire(tmp_path, free, free).release()
    with lock.acquire(tmp_path, held_name, held_name):
        order = sorted(p.name for p in (tmp_path / "locks").glob("*.lock"))
        assert order.index(lock.lock_path(tmp_path, free).name) < order.index(lock.lock_path(tmp_path, held_name).name)
        with pytest.raises(lock.AlreadyRunning) as refused:  # kept: its traceback keeps what it held alive
            lock.acquire_every(tmp_path, "the face data")
        # the ones it took before the refusal were given back (this process could not take
        # its own lock twice, so this would be refused if the free one were still held)
        assert lock.lock_path(tmp_path, free).read_text() == ""  # released, not merely dropped
        lock.acquire(tmp_path, free, free).release()
        assert refused.value.holder["name"] == held_name
    held = lock.acquire_every(tmp_path, "the face data")
    assert len(held) == 3  # the two, and the store's
    for one in held:
        one.release()


def test_lock_files_are_private(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    with lock.acquire(tmp_path, "x", "x") as held:
        assert (held.path.stat().st_mode & 0o777) == 0o600
        assert (held.path.parent.stat().st_mode & 0o777) == 0o700


SHARE = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from photoaudit.store import lock
    held = lock.acquire_store_shared(Path(sys.argv[1]))
    print(os.getpid(), flush=True)
    if sys.argv[2] == "hold":
        sys.stdin.readline()  # hold it until told
    held.release()
    """
)


def test_refused_by_a_shared_lock_names_the_run_holding_it_not_one_that_has_ended(tmp_path: Path) -> None:
    """Issue 25, item 13: an audit holds the store lock shared; a second audit shares it and ends;
    forget is refused, and must name the audit still running, not the one that ended."""
    running = subprocess.Popen([sys.executable, "-c", SHARE, str(tmp_path), "hold"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert running.stdout is not None
    running_pid = int(running.stdout.readline())
    try:
        ended = subprocess.run([sys.executable, "-c", SHARE, str(tmp_path), "end"],
                               capture_output=True, text=True, timeout=60, check=True)
        ended_pid = int(ended.stdout)
        with pytest.raises(lock.AlreadyRunning) as refused:
            lock.acquire_every(tmp_path, "the face data")
        assert refused.value.holder["pid"] == running_pid
        assert f"process {running_pid} " in str(refused.value)
        assert str(ended_pid) not in str(refused.value)
    finally:
        assert running.stdin is not None
        running.stdin.write("\n")
        running.stdin.close()
        running.wait(timeout=30)
    assert list((tmp_path / "locks").glob("*.seat")) == []  # each run took its record with it
    for one in lock.acquire_every(tmp_path, "the face data"):
        one.release()


def test_a_seat_left_by_a_killed_run_never_names_it(tmp_path: Path) -> None:
    code = SHARE.replace("held.release()", "os._exit(9)")
    killed = subprocess.run([sys.executable, "-c", code, str(tmp_path), "end"], capture_output=True, text=True,
                            timeout=60)
    assert killed.returncode == 9 and list((tmp_path / "locks").glob("*.seat"))  # left behind
    with lock.acquire_store_shared(tmp_path):
        with pytest.raises(lock.AlreadyRunning) as refused:
            lock.acquire_every(tmp_path, "the face data")
        assert refused.value.holder["pid"] == os.getpid()  # this process holds it; the killed run does not
    assert list((tmp_path / "locks").glob("*.seat")) == []
