"""How long `photoaudit check` takes on one photo, start-up included, as a person would run it.

Builds a throw-away setting (two enrolled "children" played by public-domain faces),
writes one 12-megapixel phone-sized photo of both, then runs the real command in a
fresh process several times: each run pays the whole cold start (Python, imports,
register, enrolment check, face models) plus the photo itself. Prints each run and
the median. Nothing is timed inside the tests; this is the measurement.

Run from the repository root after `make setup`:  .venv/bin/python scripts/time_check.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageOps

from photoaudit.media.samples import (
    astronaut,
    astronaut_face,
    grace_hopper,
    grace_hopper_face,
    scene,
)

REGISTER = """child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,social_media,face_matching,consent_review_due
c01,Ava Patel,Butterflies,attending,,yes,yes,yes,yes,yes,yes,2030-09-01
c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01
"""


def build(root: Path) -> Path:
    data = root / "setting"
    data.mkdir()
    (data / "children.csv").write_text(REGISTER, encoding="utf-8")
    for child_id, img in (("c01", astronaut()), ("c02", grace_hopper())):
        folder = data / "faces" / child_id
        folder.mkdir(parents=True)
        img.save(folder / "reference-1.jpg", quality=92)
        ImageOps.mirror(img).save(folder / "reference-2.jpg", quality=92)
    photo = root / "IMG_0001.jpg"
    scene(
        [(astronaut_face(), (900, 900), 700), (grace_hopper_face(), (2300, 800), 760)], (4032, 3024), seed=1
    ).save(photo, quality=90)
    return data


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``command`` in a fresh process."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, _children_cpu() - cpu_before


def _children_cpu() -> float:
    """CPU time used by finished child processes (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("photoaudit"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = build(root)
        photo = str(root / "IMG_0001.jpg")
        subprocess.run([exe, "--data", str(data), "enrol", "--quiet"], check=True)
        base = [exe, "--data", str(data), "check", "--for", "social_media"]
        print(f"photoaudit check, one 4032x3024 JPEG with two faces, {platform.processor() or platform.machine()}, "
              f"Python {platform.python_version()}")
        for label, extra in (("check", []), ("check --export", ["--export"])):
            walls, cpus = [], []
            for n in range(args.runs):
                command = base + (extra + [str(root / f"out-{label[-6:]}-{n}")] if extra else []) + [photo]
                wall, cpu = timed(command)
                walls.append(wall)
                cpus.append(cpu)
            print(f"{label:15s} median {statistics.median(walls):.2f} s wall, "
                  f"{statistics.median(cpus):.2f} s CPU;  runs: " + ", ".join(f"{w:.2f}" for w in walls))
        if hasattr(os, "getloadavg"):
            print("load average while measuring: " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
                  + f" on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
