"""Compare face detectors on the benchmark corpus: recall first, then speed.

For each detector and detection scale (the fraction of the 12-megapixel photo's
size the detector sees) this finds the faces in every photo of the corpus and
prints recall by face size band and CPU time per photo. The photos are decoded
once, upright; only detection is timed.

Run ``python -m bench.detectors [--corpus bench/out/corpus] [--limit N]``
after ``make bench`` (or ``python -m bench.corpus bench/out/corpus``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from photoaudit.faces.engine import EngineSettings, FaceEngine, shrink
from photoaudit.media.imaging import load_photo

from .corpus import BANDS, band_of, load_truth
from .scoring import Detection, Score

ROOT = Path(__file__).resolve().parent.parent

#: (detector, scale) pairs tried by default.
CANDIDATES = [
    ("yunet", 0.2), ("yunet", 0.25), ("yunet", 0.3), ("yunet", 0.35), ("yunet", 0.4),
    ("hog", 0.4), ("hog", 0.8),
    ("cnn", 0.4),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "corpus")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos")
    parser.add_argument("--only", default="", help="comma-separated detector names to try")
    args = parser.parse_args()
    _, photos = load_truth(args.corpus)
    if args.limit:
        photos = photos[: args.limit]
    candidates = [c for c in CANDIDATES if not args.only or c[0] in args.only.split(",")]
    engines = {name: FaceEngine(EngineSettings(detector=name)) for name, _ in candidates}
    scores = {c: Score() for c in candidates}
    seconds = {c: 0.0 for c in candidates}
    for photo in photos:
        pixels = load_photo(args.corpus / "photos" / photo.file).pixels
        for name, scale in candidates:
            engine = engines[name]
            start = time.process_time()
            reduced = shrink(pixels, scale)
            found = engine.detect(reduced)
            seconds[(name, scale)] += time.process_time() - start
            detections = [
                Detection((left / scale, top / scale, right / scale, bottom / scale), ())
                for (top, right, bottom, left), _ in found
            ]
            scores[(name, scale)].add(photo, detections)
    bands = [band_of(low) for low, _ in BANDS]
    print(f"{len(photos)} photos, {sum(len(p.faces) for p in photos)} faces")
    print("| detector | scale | " + " | ".join(bands) + " | 80+ | false | CPU s/photo |")
    print("|---|---|" + "---|" * (len(bands) + 3))
    for (name, scale), score in scores.items():
        cells = [f"{100 * r:.1f}%" if (r := score.recall(None, [b])) is not None else "n/a" for b in bands]
        print(
            f"| {name} | {scale} | " + " | ".join(cells)
            + f" | {100 * score.recall():.1f}% | {score.extra_detections} | {seconds[(name, scale)] / len(photos):.2f} |"
        )


if __name__ == "__main__":
    main()
