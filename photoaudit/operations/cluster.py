"""Examine photos on the workers of a Dask cluster (``audit --cluster ADDRESS``).

A group's archive of hundreds of thousands of photos outgrows one computer the first
time it is audited, or when the engine settings change. The examination (decoding,
finding the faces, their templates: :func:`photoaudit.operations.examine.examine`)
can then run on an existing Dask cluster, one task per file. Everything else stays on
the computer that runs the audit: the register, the private store, the verdicts, the
reports and ``--apply``. The workers keep nothing: a result is collected and released
as soon as it is done, and with ``send_bytes`` the worker's private copy of the photo
is removed after it was examined. (Faces and their templates do cross the network back
to the audit: docs/groups.md, "Checking a whole archive on a cluster", says how to keep that
network private.)

- The workers read each photo from its path (the folder must be at the same path on
  every worker), or, with ``send_bytes``, the audit reads it and sends its bytes.
- Each worker process loads the face models once (one engine per worker process,
  kept between tasks) and examines one file at a time, however many threads it has:
  decoding is not thread-safe (:mod:`photoaudit.operations.parallel`).
- At most two files per worker thread are in flight, so sending bytes never holds
  more than a few photos in memory.
- A worker that dies mid-photo (a decoder crash, out of memory): Dask gives its files
  to another worker (up to the scheduler's ``allowed-failures``, 3 by default). A file
  that still ended with its worker killed is tried once more with nothing else in
  flight, so a file that only shared the worker is not blamed; one that kills its
  worker again becomes a problem for a person (fail closed), as with local workers.
  Each file is reported exactly once, whatever was retried.
- The cluster is checked before the first photo: every worker must run this version
  of photoaudit, with the detector this audit asked for, and (without ``send_bytes``)
  see the audited folder. Anything else cannot run (exit code 2), in plain words.

Dask (the ``distributed`` package) is an optional extra: ``pip install 'photoaudit[cluster]'``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any

from .. import __version__
from ..core.errors import CannotRun
from ..core.settings import ClusterSettings, VideoSettings
from ..faces.detectors import REGISTRY, detector_class
from ..faces.engine import EngineSettings, FaceEngine
from ..faces.model_files import EngineUnavailable, import_dlib, models_dir
from ..media.files import open_regular
from ..media.metadata import modified_time
from ..media.sources import Entry, MediaFile
from ..setting.config import cluster_address
from .allocator import keep_freed_memory
from .examine import examine
from .incremental import EXAMINE_VERSION
from .parallel import WORKER_STOPPED, crash_for_tests
from .results import Examined

#: What ``--cluster`` says where the extra is not installed (exit code 2).
EXTRA_MISSING = (
    "Checking photos on a Dask cluster needs photoaudit's cluster extra, which is not "
    "installed here. Install it into the environment photoaudit runs from: "
    "pip install 'photoaudit[cluster]' (in a checkout: .venv/bin/python -m pip install -e '.[cluster]'). "
    "Or leave out --cluster (and [cluster] address in photoaudit.toml) to check the photos on this computer."
)

#: Seconds to wait for the scheduler to answer, and for a first worker to join it.
CONNECT_SECONDS = 30.0
WORKERS_SECONDS = 60.0

#: Files in flight per worker thread (the next one is ready when one finishes).
IN_FLIGHT_PER_THREAD = 2


@dataclass(frozen=True)
class ClusterOptions:
    """Where the cluster is and how photos get to its workers."""

    address: str  # the scheduler's, e.g. "tcp://10.0.0.5:8786"
    send_bytes: bool = False  # send each file's bytes (the workers need not see the folder)
    connect_seconds: float = CONNECT_SECONDS
    workers_seconds: float = WORKERS_SECONDS


def cluster_options(settings: ClusterSettings, address: str | None = None, send_bytes: bool = False,
                    jobs: int | None = None) -> ClusterOptions | None:
    """Where this audit examines its photos: ``--cluster`` (``address``), else ``[cluster]
    address``; None for this computer. Raises CannotRun (exit code 2) for options that
    contradict each other, and when the cluster extra is not installed."""
    chosen = cluster_address(address, "--cluster") if address is not None else settings.address
    if chosen is None:
        if send_bytes:
            raise CannotRun("--cluster-send-bytes sends the photos to the workers of a Dask cluster, but no "
                            "cluster was given: add --cluster ADDRESS (or [cluster] address in photoaudit.toml).")
        return None
    if jobs is not None:
        where = "--cluster" if address is not None else "[cluster] address in photoaudit.toml"
        raise CannotRun(f"--jobs is how many photos this computer checks at once, but the photos go to the "
                        f"Dask cluster at {chosen} ({where}). Leave out --jobs, or leave out the cluster.")
    distributed_module()  # no extra: say so before anything else happens
    return ClusterOptions(chosen, send_bytes or settings.send_bytes)


def distributed_module() -> Any:
    """The ``distributed`` package, or :class:`CannotRun` saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise CannotRun(EXTRA_MISSING) from None
    return distributed


# -- on the workers -----------------------------------------------------------------

_engines: dict[EngineSettings, FaceEngine] = {}
#: One file at a time per worker process, whatever its number of threads.
_one_at_a_time = threading.Lock()


class WorkerMismatch(RuntimeError):
    """A worker runs another version of photoaudit than the audit."""


def worker_identity() -> str:
    """What must be the same on the audit's computer and every worker for their results to
    be filed together: photoaudit's version and the version of what examining finds."""
    return f"{__version__} (examine {EXAMINE_VERSION})"


def _worker_engine(settings: EngineSettings) -> FaceEngine:
    """This worker process's engine for ``settings``: made (and the allocator tuned) once,
    its models loaded on first use and then kept for every later file."""
    engine = _engines.get(settings)
    if engine is None:
        keep_freed_memory(_dask_environment())
        engine = _engines[settings] = FaceEngine(settings)
    return engine


def _dask_environment() -> dict[str, str]:
    """The variables a Dask Nanny sets for its workers (they are Dask's, not the user's)."""
    try:
        import dask

        values = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    except ImportError:  # pragma: no cover - a worker always has dask
        return {}
    return {name: str(value) for name, value in values.items() if value is not None}


def examine_on_worker(
    media: MediaFile, settings: EngineSettings, video: VideoSettings, data: bytes | None, identity: str
) -> Examined:
    """One file, on a worker: from its path, or from ``data`` (its bytes) when given."""
    if identity != worker_identity():
        raise WorkerMismatch(f"runs photoaudit {worker_identity()}, the audit {identity}")
    with _one_at_a_time:
        crash_for_tests(media)
        engine = _worker_engine(settings)
        if data is None:
            return examine(media, engine, video=video)
        with tempfile.TemporaryDirectory(prefix="photoaudit-") as folder:  # private (0700)
            copy = Path(folder) / media.path.name
            copy.write_bytes(data)
            return examine(replace(media, path=copy), engine, video=video)


def check_worker(identity: str, settings: EngineSettings, folder: str | None) -> str | None:
    """Why this worker cannot examine the audit's files, or None (run on every worker)."""
    if identity != worker_identity():
        return (f"it runs photoaudit {worker_identity()}, this computer {identity}: install the same "
                "version on every worker")
    detector = settings.detector  # the audit sends it resolved: never "auto" here
    try:
        detector = settings.resolved_detector()
        why = detector_class(detector).unavailable()
    except CannotRun as err:  # the detector asked for cannot run on this worker
        why = (detector_class(detector).unavailable() if detector in REGISTRY else None) or str(err)
    if why:  # not installed, or (CenterFace) ONNX Runtime loaded there with its telemetry on
        return f"the {detector} face detector cannot run there: {why}"
    try:
        import_dlib()
        models_dir()
    except EngineUnavailable as err:
        return str(err)
    if folder is not None and not os.path.isdir(folder):
        return (f"it cannot see the folder {folder}: share it at the same path on every worker, "
                "or use --cluster-send-bytes")
    return None


def worker_profiles() -> bool:
    """Whether Dask's statistical profiler runs in this worker (run on every worker)."""
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled", default=True))


#: Said when workers run Dask's profiler (its default): measured in docs/scaling.md.
PROFILER_NOTE = (
    "{count} of the cluster's workers run Dask's profiler, which took about 15% of their time "
    "here. Start them with DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False to check more photos "
    "an hour (docs/groups.md, \"Checking a whole archive on a cluster\")."
)


# -- on the computer that runs the audit ------------------------------------------------

class ClusterExaminer:
    """The examiner of :mod:`photoaudit.operations.examiner` whose workers are a Dask cluster's.

    Made with :meth:`connect`, which checks the cluster first and closes the
    connection afterwards.
    """

    def __init__(self, client: Any, options: ClusterOptions, settings: EngineSettings,
                 video: VideoSettings = VideoSettings()) -> None:
        self._client = client
        self.options = options
        # "auto" is resolved here: a worker without YuNet must not quietly use another detector.
        self._settings = settings
        self._sent = replace(settings, detector=settings.resolved_detector())
        self._video = video
        self._local: FaceEngine | None = None

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    @property
    def video(self) -> VideoSettings:
        return self._video

    @classmethod
    @contextmanager
    def connect(cls, options: ClusterOptions, settings: EngineSettings,
                video: VideoSettings = VideoSettings()) -> Iterator[ClusterExaminer]:
        """Connect to the scheduler at ``options.address`` and wait for a worker; raises
        :class:`CannotRun` when there is no extra, no answer or no worker."""
        distributed = distributed_module()
        quiet = _quiet_dask_logs()
        try:
            try:
                client = distributed.Client(options.address, timeout=options.connect_seconds,
                                            set_as_default=False)
            except (OSError, TimeoutError, ValueError, TypeError) as err:
                raise CannotRun(
                    f"Could not reach the Dask cluster at {options.address} ({_said(err)}). Check the "
                    "address ([cluster] address or --cluster, e.g. tcp://10.0.0.5:8786) and that its "
                    "scheduler is running."
                ) from None
            try:
                try:
                    client.wait_for_workers(1, timeout=options.workers_seconds)
                except TimeoutError:
                    raise CannotRun(
                        f"The Dask cluster at {options.address} has no workers (waited "
                        f"{options.workers_seconds:.0f} s), so no photo could be checked. Start its workers, "
                        "then audit again."
                    ) from None
                yield cls(client, options, settings, video)
            finally:
                client.close()
        finally:
            quiet()

    def describe(self) -> str:
        """'the Dask cluster at ADDRESS (N workers)', for the person running the audit."""
        workers = len(self._client.nthreads())
        return f"the Dask cluster at {self.options.address} ({workers} worker{'s' if workers != 1 else ''})"

    def check(self, folder: Path) -> list[str]:
        """Every worker can examine this audit's files (:func:`check_worker`), or CannotRun;
        returns what the person running the audit should know (slow workers)."""
        seen = None if self.options.send_bytes else str(folder.resolve())
        answers = self._client.run(check_worker, worker_identity(), self._sent, seen)
        problems = [f"{worker}: {why}" for worker, why in sorted(answers.items()) if why]
        if problems:
            raise CannotRun(f"Workers of the Dask cluster at {self.options.address} cannot check the photos: "
                            + "; ".join(problems) + ".")
        profiling = sum(self._client.run(worker_profiles).values())
        return [PROFILER_NOTE.format(count=profiling)] if profiling else []

    def examine_all(self, files: Sequence[MediaFile], on_done: Callable[[MediaFile, Examined], None]) -> None:
        """Examine every file on the cluster, calling ``on_done`` once for each as it finishes."""
        reported: set[str] = set()

        def once(media: MediaFile, examined: Examined) -> None:
            if media.relative in reported:  # never a second row for one file, whatever was retried
                return
            reported.add(media.relative)
            on_done(media, examined)

        suspects = self._run(list(files), once, self._in_flight())
        for media in suspects:  # each alone: only a file that kills its worker again is a problem
            if self._run([media], once, 1):
                once(media, Examined(media.relative, problem=WORKER_STOPPED))

    def _in_flight(self) -> int:
        threads = sum(self._client.nthreads().values())
        return IN_FLIGHT_PER_THREAD * max(1, threads)

    def _run(self, files: list[MediaFile], on_done: Callable[[MediaFile, Examined], None],
             in_flight: int) -> list[MediaFile]:
        """Examine ``files`` with at most ``in_flight`` at a time; returns those whose worker
        was killed (Dask's ``KilledWorker``), unreported."""
        queue = list(reversed(files))
        pending: dict[Any, MediaFile] = {}
        finished: SimpleQueue[Any] = SimpleQueue()  # each task once it is done, erred or cancelled
        killed: list[MediaFile] = []

        def feed() -> None:
            while queue and len(pending) < in_flight:
                media = queue.pop()
                future = self._submit(media)
                if future is None:  # its bytes could not be read: examined here, as it would fail there
                    on_done(media, self._examine_here(media))
                    continue
                pending[future] = media
                future.add_done_callback(finished.put)

        try:
            feed()
            while pending:
                try:
                    future = finished.get(timeout=self.options.workers_seconds)
                except Empty:  # a long video, or a cluster left without workers
                    self._still_has_workers()
                    continue
                media = pending.pop(future)
                found = self._result(future, media)
                future.release()
                if found is None:
                    killed.append(media)
                else:
                    on_done(media, found)
                feed()
        finally:
            if pending:  # stopped by an error: nothing is left running for nobody
                self._client.cancel(list(pending))
        return killed

    def _still_has_workers(self) -> None:
        if not self._client.nthreads():
            raise CannotRun(f"The Dask cluster at {self.options.address} has no workers any more, so not every "
                            "photo was checked. Start its workers, then audit again.")

    def _submit(self, media: MediaFile) -> Any | None:
        """The task examining ``media``; None when its bytes were to be sent and could not be read."""
        data = None
        if self.options.send_bytes and media.entry is Entry.FILE:
            try:
                with open_regular(media.path) as handle:
                    data = handle.read()
            except OSError:
                return None
        # The workers do not share this process's working folder: they get the file's full path.
        there = replace(media, path=media.path.absolute())
        return self._client.submit(examine_on_worker, there, self._sent, self._video, data, worker_identity(),
                                   pure=False)

    def _examine_here(self, media: MediaFile) -> Examined:
        if self._local is None:
            self._local = FaceEngine(self._settings)  # models are only loaded if a face is looked at
        return examine(media, self._local, video=self._video)

    def _result(self, future: Any, media: MediaFile) -> Examined | None:
        """What a finished task found, with the file's own modification time; None when its
        worker was killed. Raises CannotRun when the cluster cannot go on."""
        distributed = distributed_module()
        try:
            found: Examined = future.result()
        except distributed.KilledWorker:
            return None
        except WorkerMismatch as err:
            raise CannotRun(f"A worker of the Dask cluster at {self.options.address} {err}: install the "
                            "same version on every worker.") from None
        except EngineUnavailable as err:
            raise CannotRun(f"A worker of the Dask cluster at {self.options.address} cannot run the face "
                            f"engine: {err}") from None
        except (CancelledError, OSError, TimeoutError) as err:
            raise CannotRun(f"The connection to the Dask cluster at {self.options.address} was lost "
                            f"({_said(err)}), so not every photo was checked. Audit again.") from None
        if found.meta is not None:  # the worker saw its own clock and time zone, or its copy's time
            found = replace(found, meta=replace(found.meta, file_modified=modified_time(media.path)))
        return found


def _said(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _quiet_dask_logs() -> Callable[[], None]:
    """Dask's own log lines (a worker restarting, keys rescheduled) are not for the person
    reading the audit; its errors still show. Returns how to put the levels back."""
    loggers = [logging.getLogger(name) for name in ("distributed", "distributed.client", "distributed.worker")]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)

    def restore() -> None:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)

    return restore
