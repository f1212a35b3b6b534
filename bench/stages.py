"""Where a first audit's time goes, stage by stage, on the benchmark corpus.

For each photo this times, in CPU seconds of this one process: decoding (upright,
with the reduced copy for detection), detection, aligning each face (landmarks and
the 150 px chip from full-resolution pixels), and the templates, computed both by
photoaudit's numpy ResNet and by dlib's own encoder (the face_recognition CLI's),
checking that the two agree. The workers of ``photoaudit audit`` do exactly these
steps, each with one thread; run this with ``OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1`` to match them.

Run ``python -m bench.stages [--corpus bench/out/corpus] [--kind jpeg] [--limit N]``
after ``make bench`` (or ``python -m bench.corpus bench/out/corpus``).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.media.imaging import load_photo
from photoaudit.operations.allocator import keep_freed_memory

from .corpus import load_truth

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("decode", "detect", "align", "templates", "templates_dlib")


def time_stages(corpus: Path, kinds: set[str], limit: int, detector: str = "auto") -> tuple[dict[str, float], int, int, float]:
    """CPU seconds per stage summed over the photos, photos, faces, and the largest
    difference between the two encoders' templates."""
    keep_freed_memory()  # as the workers do
    _, photos = load_truth(corpus)
    photos = [p for p in photos if p.kind in kinds][: limit or None]
    engine = FaceEngine(EngineSettings(detector=detector))
    _ = engine._resnet, engine._encoder, engine._shape_predictor  # load the models untimed
    seconds: dict[str, float] = defaultdict(float)
    faces = 0
    largest_difference = 0.0

    def timed(stage: str, work, *args):  # noqa: ANN001, ANN002, ANN202
        start = time.process_time()
        result = work(*args)
        seconds[stage] += time.process_time() - start
        return result

    for photo in photos:
        path = corpus / "photos" / photo.file
        loaded = timed("decode", lambda p: load_photo(p, detect_scale=engine.detection_scale), path)
        full, reduced = loaded.pixels, loaded.reduced
        if reduced is None:
            reduced = full
        found = timed("detect", engine.locate, full, reduced)  # as the audit: weak ones looked at again
        boxes = [box for box, _ in found]
        chips = timed("align", lambda pixels, boxes: [c for c in (engine.face_chip(pixels, box) for box in boxes)
                                                       if c is not None], full, boxes)
        ours = timed("templates", engine.templates, chips)
        theirs = timed(
            "templates_dlib", lambda chips: [np.asarray(engine._encoder.compute_face_descriptor(c)) for c in chips],
            chips,
        )
        for a, b in zip(ours, theirs, strict=True):
            largest_difference = max(largest_difference, float(np.abs(a - b).max()))
        faces += len(chips)
    return dict(seconds), len(photos), faces, largest_difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "corpus")
    parser.add_argument("--kind", default="jpeg,jpeg-rotated", help="comma-separated photo kinds")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photos")
    parser.add_argument("--detector", default="auto", help="the face detector (as photoaudit's --detector)")
    args = parser.parse_args()
    seconds, photos, faces, difference = time_stages(args.corpus, set(args.kind.split(",")), args.limit,
                                                     args.detector)
    print(f"{photos} photos, {faces} faces; CPU seconds per photo (one process):")
    for stage in STAGES:
        per_face = f" ({seconds[stage] / faces:.4f} per face)" if faces and stage.startswith("templates") else ""
        print(f"  {stage:15s} {seconds[stage] / photos:.3f}{per_face}")
    total = sum(seconds[s] for s in STAGES if s != "templates_dlib")
    print(f"  total (numpy templates) {total / photos:.3f}; with dlib's encoder "
          f"{(total - seconds['templates'] + seconds['templates_dlib']) / photos:.3f}")
    print(f"largest difference between the two encoders' templates: {difference:.2e}")


if __name__ == "__main__":
    main()
