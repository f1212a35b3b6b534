"""bench/detectors.py: each detector measured as the audit finds faces, and the table it prints."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from bench.detectors import measure, table  # noqa: E402


@pytest.mark.skipif(importlib.util.find_spec("onnxruntime") is None, reason="CenterFace needs onnxruntime")
def test_centerface_finds_the_corpus_faces_as_the_audit_would(tmp_path: Path) -> None:
    write_corpus(tmp_path, photos_per_kind=1, seed=5, scale=0.5)
    (row,) = measure("centerface", [0.5], tmp_path, 0)  # a half-size corpus: 0.5 sees what 0.25 sees full size
    assert row["photos"] == 4 and row["all"] == 1.0
    assert all(row["kinds"][kind] in (1.0, None) for kind in row["kinds"])
    assert row["cpu_s_per_photo"] > 0 and row["peak_mb"] > 50


def test_the_table_shows_bands_kinds_false_time_and_memory() -> None:
    row = {"detector": "centerface", "scale": 0.25, "photos": 2, "bands": {"80-119": 1.0, "120-199": 0.5, "200-399": None,
           "400+": None}, "kinds": {"jpeg": 1.0, "jpeg-rotated": 0.75, "heic": None, "heic-rotated": None},
           "all": 0.8, "false": 3, "cpu_s_per_photo": 0.196, "peak_mb": 512.4}
    lines = table([row]).splitlines()
    assert lines[0].startswith("| detector | scale | 80-119 | 120-199 | 200-399 | 400+ | 80+ | jpeg |")
    assert lines[2] == ("| centerface | 0.25 | 100.0% | 50.0% | n/a | n/a | 80.0% | 100.0% | 75.0% | n/a | n/a "
                        "| 3 | 0.20 | 512 MB |")
