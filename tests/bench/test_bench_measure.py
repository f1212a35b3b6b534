"""The benchmark's measuring helpers: memory of the whole process tree, fresh state folders,
and the check that a re-audit reports what the first audit found."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import fresh_state, measure, same_faces  # noqa: E402

# A parent that stays small while its child holds about 200 MB, then both exit.
CHILD_HOLDS_MEMORY = """
import subprocess, sys
child = "b = bytearray(200 * 2**20); import time; time.sleep(1.0)"
sys.exit(subprocess.run([sys.executable, "-c", child]).returncode)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the tree is read from /proc")
def test_peak_memory_counts_the_children_of_the_command() -> None:
    measured = measure([sys.executable, "-c", CHILD_HOLDS_MEMORY], timeout=60)
    assert measured.returncode == 0
    assert measured.peak_tree_mb >= 200  # the child's memory, not just the parent's
    assert measured.peak_tree_pss_mb >= 200


def test_each_fresh_state_is_a_new_copy_of_the_enrolment(tmp_path: Path) -> None:
    snapshot = tmp_path / "enrolled"
    snapshot.mkdir()
    (snapshot / "photoaudit.sqlite3").write_bytes(b"templates")
    first, second = fresh_state(snapshot), fresh_state(snapshot)
    try:
        assert first != second
        assert (first / "photoaudit.sqlite3").read_bytes() == b"templates"
        (first / "photoaudit.sqlite3").write_bytes(b"templates and stored photos")
        assert (second / "photoaudit.sqlite3").read_bytes() == b"templates"
        assert (snapshot / "photoaudit.sqlite3").read_bytes() == b"templates"
    finally:
        shutil.rmtree(first.parent)
        shutil.rmtree(second.parent)


def _report(path: Path, faces: list[dict]) -> Path:
    path.write_text(json.dumps({"images": [{"path": "/photos/IMG_1.jpg", "faces": faces}]}))
    return path


def test_a_reaudit_must_report_the_same_faces_boxes_and_names(tmp_path: Path) -> None:
    child = {"status": "matched", "child_id": "c01", "box": [10, 60, 60, 10]}
    stranger = {"status": "unknown", "box": [100, 160, 160, 100]}
    first = _report(tmp_path / "first.json", [child, stranger])
    assert same_faces(first, _report(tmp_path / "order.json", [stranger, child]))
    assert not same_faces(first, _report(tmp_path / "lost.json", [child]))
    moved = dict(child, box=[12, 60, 60, 10])
    assert not same_faces(first, _report(tmp_path / "moved.json", [moved, stranger]))
    renamed = dict(child, child_id="c02")
    assert not same_faces(first, _report(tmp_path / "renamed.json", [renamed, stranger]))


def test_the_cluster_row_gives_the_overhead_against_the_same_number_of_local_workers() -> None:
    from bench.run import cluster_row

    row = {"workers": 2, "seconds": 110.0, "jobs_seconds": 100.0, "ratio_vs_jobs": 1.1,
           "cpu_seconds_per_photo": 0.8, "jobs_cpu_seconds_per_photo": 0.75, "same_faces": True}
    text = cluster_row(row, 240)
    assert text.startswith("| photoaudit, first audit of the week's folder on a local 2-worker Dask cluster")
    assert "| 2.18 | 1.10x the time of `--jobs 2` in the same round (+10.0%; 2.40 photos/s)" in text
    assert "same faces, boxes and names: yes | 0.80 (`--jobs 2`: 0.75) |" in text
    assert "same faces, boxes and names: NO" in cluster_row(dict(row, same_faces=False), 240)
