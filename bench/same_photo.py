"""One person matched to two faces of one photo: how far apart their distances are.

The margin by which the nearer of two faces matched to the same child must be nearer before
it is taken for that child (``photoaudit.core.settings.DEFAULT_PHOTO_MARGIN``) is measured
here on the benchmark's faces: the public-domain astronaut, Grace Hopper and cameraman, each
pasted as a varied head (cropped, scaled, mirrored, tilted, re-lit, sometimes blurred) exactly
as in the corpus (:func:`bench.corpus._head`), matched to the one reference photo the
benchmark's setting enrols. It prints, per person, the distances of their own heads and of
everyone else's heads to their reference, and, for every pair of one person's heads both
within the tolerance (two faces a matcher would give the same person), how many pairs each
margin would settle. Such a pair is the worst case the rule meets: two faces it cannot tell
apart because they are the same face, so a margin that settles few of them settles few
look-alikes.

Run ``python -m bench.same_photo [--heads 40] [--seed 26]`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
from PIL import Image

from photoaudit.core.settings import DEFAULT_TOLERANCE
from photoaudit.faces.engine import FaceEngine

from .corpus import IDENTITIES, _head, source_picture

MARGINS = (0.08, 0.10, 0.15, 0.20)


def reference_templates(engine: FaceEngine) -> dict[str, np.ndarray]:
    """Each identity's template from its reference photo, enlarged as bench.run's setting does."""
    found = {}
    for child_id in IDENTITIES:
        picture = source_picture(child_id)
        if picture.width < 1000:
            picture = picture.resize((picture.width * 2, picture.height * 2), Image.Resampling.LANCZOS)
        faces = engine.find_faces(np.asarray(picture.convert("RGB")))
        found[child_id] = faces[0].template
    return found


def head_distances(engine: FaceEngine, refs: dict[str, np.ndarray], heads: int, seed: int) -> list[tuple[str, dict[str, float]]]:
    """(whose head, distance to every reference) for ``heads`` varied heads of each identity."""
    rng = np.random.default_rng(seed)
    rows = []
    for child_id, identity in IDENTITIES.items():
        for _ in range(heads):
            width = int(np.exp(rng.uniform(np.log(90), np.log(min(420, identity.max_width)))))
            head, _ = _head(rng, identity, width)
            canvas = Image.new("RGB", (head.width + 80, head.height + 80), (120, 130, 110))
            canvas.paste(head, (40, 40), head)
            found = [f for f in engine.find_faces(np.asarray(canvas)) if f.template is not None]
            if len(found) == 1:
                rows.append((child_id, {k: float(np.linalg.norm(found[0].template - r)) for k, r in refs.items()}))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads", type=int, default=40, help="varied heads of each identity")
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    engine = FaceEngine()
    rows = head_distances(engine, reference_templates(engine), args.heads, args.seed)
    print("| person | own heads | own distance: median, 90th pct, max | others' heads: nearest |")
    print("|---|---|---|---|")
    for child_id in IDENTITIES:
        own = np.array([d[child_id] for who, d in rows if who == child_id])
        other = np.array([d[child_id] for who, d in rows if who != child_id])
        print(f"| {child_id} | {len(own)} | {np.median(own):.2f}, {np.percentile(own, 90):.2f}, {own.max():.2f} "
              f"| {other.min():.2f} |")
    pairs = [
        abs(a - b)
        for child_id in IDENTITIES
        for a, b in itertools.combinations([d[child_id] for who, d in rows if who == child_id
                                            and d[child_id] <= DEFAULT_TOLERANCE], 2)
    ]
    print(f"\nPairs of one person's heads both within {DEFAULT_TOLERANCE}: {len(pairs)}")
    for margin in MARGINS:
        settled = sum(gap >= margin for gap in pairs)
        print(f"margin {margin:.2f}: {settled} settled ({100 * settled / max(1, len(pairs)):.0f}%)")


if __name__ == "__main__":
    main()
