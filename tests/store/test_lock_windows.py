"""The lock's Windows code path (:func:`photoaudit.store.lock.windows_locking`), run here.

``msvcrt.locking`` is played by POSIX byte-range locks (``fcntl.lockf``) on the same bytes,
which behave as Windows' do between processes: a byte one process locked cannot be locked
by another until it is unlocked or the process ends. Each process in these tests (this one
and the holders it starts) swaps the lock's functions for the Windows ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from photoaudit.store import lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="plays Windows with POSIX locks")

FAKE_MSVCRT = textwrap.dedent(
    """
    import fcntl, os
    from photoaudit.store import lock

    class FakeMsvcrt:
        '''msvcrt.locking(fd, mode, nbytes): lock nbytes from the file's position, never waiting.'''
        LK_UNLCK, LK_NBLCK = 0, 2

        @staticmethod
        def locking(fd, mode, nbytes):
            start = os.lseek(fd, 0, os.SEEK_CUR)
            how = fcntl.LOCK_UN if mode == FakeMsvcrt.LK_UNLCK else fcntl.LOCK_EX | fcntl.LOCK_NB
            fcntl.lockf(fd, how, nbytes, start, os.SEEK_SET)  # raises OSError when held

    lock._try_lock, lock._unlock = lock.windows_locking(FakeMsvcrt)
    """
)

HOLD = FAKE_MSVCRT + textwrap.dedent(
    """
    import sys
    from pathlib import Path
    state, how = Path(sys.argv[1]), sys.argv[2]
    held = (lock.acquire_store_shared(state) if how == "shared"
            else lock.acquire(state, "/srv/transfer", "the folder /srv/transfer"))
    print(os.getpid(), flush=True)
    if sys.argv[3] == "die":
        os._exit(9)  # killed: no release, no clean-up
    sys.stdin.readline()
    held.release()
    """
)


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict = {}
    exec(FAKE_MSVCRT.replace("lock._try_lock, lock._unlock = ", "made = "), namespace)
    try_lock, unlock = namespace["made"]
    monkeypatch.setattr(lock, "_try_lock", try_lock)
    monkeypatch.setattr(lock, "_unlock", unlock)


class Holder:
    def __init__(self, state: Path, how: str, end: str = "hold") -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD, str(state), how, end, "photoaudit-holder"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.strip().isdigit(), "the holder could not take its lock"
        self.pid = int(line)

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.close()
        self.process.wait(timeout=30)


def test_a_second_run_is_refused_on_windows_and_told_who_holds_the_folder(tmp_path: Path, windows: None) -> None:
    holder = Holder(tmp_path, "exclusive")
    try:
        with pytest.raises(lock.AlreadyRunning) as refused:
            lock.acquire(tmp_path, "/srv/transfer", "the folder /srv/transfer")
        message = str(refused.value)
        assert "already working on the folder /srv/transfer" in message
        assert f"process {holder.pid}" in message
        assert f"started {refused.value.holder['started']}" in message
        assert "command: -c " in message and "exclusive hold photoaudit-holder)" in message  # how it was started
        with lock.acquire(tmp_path, "/srv/other", "another folder"):  # other folders are free
            pass
    finally:
        holder.release()
    with lock.acquire(tmp_path, "/srv/transfer", "the folder") as held:
        assert held.stale is None


def test_a_lock_left_by_a_killed_run_on_windows_is_taken_over(tmp_path: Path, windows: None) -> None:
    holder = Holder(tmp_path, "exclusive", "die")
    holder.process.wait(timeout=30)
    with lock.acquire(tmp_path, "/srv/transfer", "the folder") as held:
        assert held.stale is not None and held.stale["pid"] == holder.pid


def test_audits_share_the_store_lock_on_windows_and_forget_waits_for_them(tmp_path: Path, windows: None) -> None:
    first = Holder(tmp_path, "shared")
    second = Holder(tmp_path, "shared")  # a second audit beside the first: not refused
    try:
        with pytest.raises(lock.AlreadyRunning) as refused:  # forget: every lock, alone
            lock.acquire_every(tmp_path, "the face data")
        assert refused.value.holder["pid"] in (first.pid, second.pid)
        first.release()
        with pytest.raises(lock.AlreadyRunning) as refused:  # one audit is still working: named, not the first
            lock.acquire_every(tmp_path, "the face data")
        assert refused.value.holder["pid"] == second.pid
    finally:
        first.release()
        second.release()
    held = lock.acquire_every(tmp_path, "the face data")
    try:
        # while forget holds it, an audit's shared lock is refused
        refused_run = subprocess.run([sys.executable, "-c", HOLD, str(tmp_path), "shared", "hold"],
                                     input="\n", capture_output=True, text=True, timeout=60)
        assert refused_run.returncode != 0 and refused_run.stdout == ""
        assert "AlreadyRunning: Another photoaudit run is already working on the face data" in refused_run.stderr
        assert f"process {os.getpid()}" in refused_run.stderr
    finally:
        for one in held:
            one.release()
    shared = Holder(tmp_path, "shared")  # and taken again once forget is done
    shared.release()


def test_the_windows_functions_hold_separate_bytes_for_shared_and_exclusive_locks(tmp_path: Path) -> None:
    """Within one process: which bytes each kind of lock holds, and that unlocking gives them all back."""
    calls: list[tuple[int, int]] = []

    class Recorder:
        LK_UNLCK, LK_NBLCK = 0, 2

        @staticmethod
        def locking(fd: int, mode: int, nbytes: int) -> None:
            calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR)))

    try_lock, unlock = lock.windows_locking(Recorder)
    with open(tmp_path / "x.lock", "w+", encoding="utf-8") as handle:
        door = lock._WINDOWS_LOCK_OFFSET
        assert try_lock(handle, True)
        assert calls == [(2, door), (2, door + 1), (0, door)]  # through the door, one seat kept
        calls.clear()
        unlock(handle)
        assert calls == [(0, door + 1)]
        calls.clear()
        assert try_lock(handle, False)
        assert [offset for mode, offset in calls] == [door, *range(door + 1, door + 1 + lock.WINDOWS_SHARED_SLOTS)]
        calls.clear()
        unlock(handle)
        assert sorted(offset for mode, offset in calls) == list(range(door, door + 1 + lock.WINDOWS_SHARED_SLOTS))
        assert handle.tell() == 0  # the holder's text is read and written from the start


def test_the_running_command_is_named_without_its_folder_and_kept_short() -> None:
    assert lock.running_command(["/opt/photoaudit/.venv/bin/photoaudit", "audit", "/srv/transfer", "--quiet"]) == \
        "photoaudit audit /srv/transfer --quiet"
    assert lock.running_command([r"C:\Users\manager\photoaudit.exe", "audit", "D:\\Photos"]).startswith("photoaudit.exe audit")
    assert len(lock.running_command(["photoaudit", "x" * 500])) == 200
    assert lock.running_command([]) == ""
