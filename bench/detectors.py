"""Compare face detectors on the benchmark corpus: recall first, then speed, then memory.

For each detector and detection scale (the fraction of the 12-megapixel photo's size the
detector sees) this finds the faces in every photo of the corpus, exactly as the audit
does (``FaceEngine.locate``: the detector on the reduced copy, then a second look at weak
detections of a detector that asks for one), and prints recall by face size band and by
photo kind, detections that match no true face, CPU time per photo and peak memory. The
photos are decoded once, upright; only the reduction and detection are timed. Each
detector runs in a process of its own (one thread, as in the audit's workers), so its
peak memory (resident, the process's largest) is its own plus one decoded photo.

Run ``python -m bench.detectors [--corpus bench/out/corpus] [--limit N] [--only a,b]``
after ``make bench`` (or ``python -m bench.corpus bench/out/corpus``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .corpus import BANDS, KINDS, band_of, load_truth
from .scoring import Detection, Score

ROOT = Path(__file__).resolve().parent.parent

#: (detector, scale) pairs tried by default.
CANDIDATES = [
    ("centerface", 0.2), ("centerface", 0.25), ("centerface", 0.3),
    ("yunet", 0.25), ("yunet", 0.3), ("yunet", 0.35), ("yunet", 0.4),
    ("hog", 0.4),
    ("cnn", 0.6),  # the scale the audit uses for it on a 12-megapixel photo (2400 px long side)
]


def measure(name: str, scales: list[float], corpus: Path, limit: int) -> list[dict]:
    """Rows for one detector at each scale, in this process."""
    from photoaudit.faces.engine import EngineSettings, FaceEngine, shrink
    from photoaudit.media.imaging import load_photo

    _, photos = load_truth(corpus)
    photos = photos[: limit or None]
    engine = FaceEngine(EngineSettings(detector=name))
    scores = {s: Score() for s in scales}
    seconds = {s: 0.0 for s in scales}
    for photo in photos:
        pixels = load_photo(corpus / "photos" / photo.file).pixels
        for scale in scales:
            start = time.process_time()
            found = engine.locate(pixels, shrink(pixels, scale))
            seconds[scale] += time.process_time() - start
            scores[scale].add(photo, [Detection((left, top, right, bottom), ())
                                      for (top, right, bottom, left), _ in found])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    bands = [band_of(low) for low, _ in BANDS]
    rows = []
    for scale in scales:
        score = scores[scale]
        rows.append({
            "detector": name, "scale": scale, "photos": len(photos),
            "bands": {b: score.recall(None, [b]) for b in bands},
            "kinds": {k: score.recall([k]) for k in KINDS},
            "all": score.recall(), "false": score.extra_detections,
            "cpu_s_per_photo": seconds[scale] / len(photos), "peak_mb": peak_mb,
        })
    return rows


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def table(rows: list[dict]) -> str:
    bands = [band_of(low) for low, _ in BANDS]
    lines = ["| detector | scale | " + " | ".join(bands) + " | 80+ | " + " | ".join(KINDS)
             + " | false | CPU s/photo | peak memory |",
             "|---|---|" + "---|" * (len(bands) + len(KINDS) + 4)]
    for r in rows:
        lines.append(f"| {r['detector']} | {r['scale']} | " + " | ".join(percent(r["bands"][b]) for b in bands)
                     + f" | {percent(r['all'])} | " + " | ".join(percent(r["kinds"][k]) for k in KINDS)
                     + f" | {r['false']} | {r['cpu_s_per_photo']:.2f} | {r['peak_mb']:.0f} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "corpus")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos")
    parser.add_argument("--only", default="", help="comma-separated detector names to try")
    parser.add_argument("--one", default="", help=argparse.SUPPRESS)  # a worker: one detector, JSON out
    parser.add_argument("--scales", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, [float(s) for s in args.scales.split(",")], args.corpus, args.limit)))
        return
    wanted = [n for n in dict.fromkeys(n for n, _ in CANDIDATES) if not args.only or n in args.only.split(",")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}  # as the audit's workers
    rows: list[dict] = []
    for name in wanted:
        scales = ",".join(str(s) for n, s in CANDIDATES if n == name)
        done = subprocess.run(
            [sys.executable, "-m", "bench.detectors", "--one", name, "--scales", scales,
             "--corpus", str(args.corpus), "--limit", str(args.limit)],
            capture_output=True, text=True, cwd=ROOT, env=env,
        )
        if done.returncode != 0:
            print(f"{name}: could not run ({done.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
            continue
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    if rows:
        _, photos = load_truth(args.corpus)
        photos = photos[: args.limit or None]
        print(f"{len(photos)} photos, {sum(len(p.faces) for p in photos)} faces")
    print(table(rows))


if __name__ == "__main__":
    main()
