"""dlib's CNN detector: workers limited by free memory, and the words that say why it is slow."""

from __future__ import annotations

import sys

import pytest

from photoaudit.operations.memory_limit import (
    GB,
    WorkerLimit,
    available_memory,
    slow_detector_words,
    workers_for_memory,
)


@pytest.mark.parametrize(
    ("asked", "free_gb", "jobs"),
    [
        (8, 64, 8),  # plenty: as asked
        (8, 8, 2),  # 8 GB - 1 reserved = 7 GB: two workers of 3.5 GB
        (8, 7.9, 1),  # not quite two
        (4, 2, 1),  # less than one worker's need: still one (nothing else would run at all)
        (1, 64, 1),  # never more than asked
    ],
)
def test_workers_are_limited_by_free_memory(asked: int, free_gb: float, jobs: int) -> None:
    limit = workers_for_memory(asked, int(free_gb * GB))
    assert limit == WorkerLimit(jobs, asked, int(free_gb * GB))
    assert limit.limited == (jobs < asked)


def test_unknown_free_memory_means_one_photo_at_a_time() -> None:
    assert workers_for_memory(8, None) == WorkerLimit(1, 8, None)


def test_the_words_say_why_it_is_slow_and_what_was_limited() -> None:
    limited = slow_detector_words(workers_for_memory(8, 8 * GB), "neither CenterFace nor YuNet is installed")
    assert "dlib's CNN face detector (neither CenterFace nor YuNet is installed)" in limited
    assert "much slower" in limited and "8.0 GB of memory free" in limited
    assert limited.endswith("2 photos are checked at a time instead of 8.")
    unlimited = slow_detector_words(workers_for_memory(2, 64 * GB), "--detector cnn")
    assert unlimited.endswith("With 64.0 GB of memory free, 2 photos are checked at a time.")
    unknown = slow_detector_words(workers_for_memory(2, None), "--detector cnn")
    assert unknown.endswith("so photos are checked one at a time.")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/meminfo")
def test_free_memory_is_read_on_linux() -> None:
    free = available_memory()
    assert free is not None and 0 < free < 16 * 1024 * GB


def test_only_dlib_cnn_is_limited_and_the_audit_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from photoaudit.operations import memory_limit

    monkeypatch.setattr(memory_limit, "available_memory", lambda: 8 * GB)
    assert memory_limit.workers_for("centerface", 8, "auto") == (8, None)
    assert memory_limit.workers_for("yunet", 8, "yunet") == (8, None)
    jobs, words = memory_limit.workers_for("cnn", 8, "cnn")
    assert jobs == 2
    assert words is not None and "(chosen with --detector cnn)" in words and words.endswith("instead of 8.")
