"""bench/stages.py times each stage of examining a photo and checks the two encoders agree."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from bench.stages import STAGES, time_stages  # noqa: E402


def test_stages_are_timed_and_the_encoders_agree_on_corpus_faces(tmp_path: Path) -> None:
    write_corpus(tmp_path, photos_per_kind=1, seed=5, scale=0.5)
    seconds, photos, faces, difference = time_stages(tmp_path, {"jpeg", "jpeg-rotated"}, 0)
    assert photos == 2
    assert faces >= 2
    assert set(seconds) == set(STAGES)
    assert all(value > 0 for value in seconds.values())
    assert difference < 1e-5
