"""Issue 13 item 13: kill -9 of the audit must not leave its worker processes running.

A small program starts the parallel examination (two workers) and stops in the middle; the
test kills it with SIGKILL (no clean-up can run) and checks that its workers end soon after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

PROGRAM = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from photoaudit.faces.engine import FaceEngine
    from photoaudit.operations.parallel import examine_all
    from photoaudit.media.samples import astronaut
    from photoaudit.media.sources import MediaFile, MediaKind

    folder = Path(sys.argv[1])
    files = []
    for n in range(6):
        astronaut().resize((200, 200)).save(folder / f"p{n}.jpg")
        files.append(MediaFile(folder / f"p{n}.jpg", f"p{n}.jpg", MediaKind.PHOTO, 0))

    def done(media, examined):
        print("examined", media.relative, flush=True)
        time.sleep(600)  # the audit is busy: its workers wait for more work

    examine_all(files, FaceEngine(), 2, done)
    """
)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_workers_end_when_the_audit_is_killed(tmp_path: Path) -> None:
    program = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    workers: list[int] = []
    try:
        assert program.stdout is not None
        assert program.stdout.readline().startswith("examined"), "the examination never started"
        workers = children(program.pid)
        assert len(workers) == 2
        os.kill(program.pid, signal.SIGKILL)
        program.wait(10)
        deadline = time.monotonic() + 15
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(alive, workers)), "workers kept running after the audit was killed"
    finally:
        program.kill()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
