"""How many workers fit in memory: dlib's CNN detector, the last resort, uses gigabytes.

dlib's CNN face detector is used only where neither CenterFace nor YuNet can run. On a
12-megapixel photo it held 3.3 GB resident in one process (issue 17, macOS) and took
33-76 s; one worker per core could exhaust a laptop's memory. So with that detector the
number of workers is limited by the memory that is free when the audit starts, and the
audit says why it is slow. The arithmetic is a pure function of plain numbers; reading
the free memory is the platform's business (:func:`available_memory`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

GB = 1024**3
#: What one worker with dlib's CNN detector may hold at the largest detection size
#: (3.3 GB measured, rounded up).
CNN_WORKER_BYTES = int(3.5 * GB)
#: Left for the audit's own process, the decoders and everything else on the computer.
RESERVE_BYTES = 1 * GB


@dataclass(frozen=True)
class WorkerLimit:
    jobs: int  # the workers to start
    asked: int  # the workers asked for (--jobs, or one per core)
    #: Free memory when the audit started, or None when this platform does not say.
    available: int | None

    @property
    def limited(self) -> bool:
        return self.jobs < self.asked


def workers_for_memory(asked: int, available: int | None, per_worker: int = CNN_WORKER_BYTES,
                       reserve: int = RESERVE_BYTES) -> WorkerLimit:
    """At most ``asked`` workers, as many as ``available`` bytes hold after ``reserve``,
    and never fewer than one. Unknown free memory means one worker (the safe side)."""
    if available is None:
        return WorkerLimit(1, asked, None)
    return WorkerLimit(max(1, min(asked, (available - reserve) // per_worker)), asked, available)


def slow_detector_words(limit: WorkerLimit, why_cnn: str) -> str:
    """What the audit says when it runs with dlib's CNN detector, in plain words."""
    words = (f"This audit uses dlib's CNN face detector ({why_cnn}). It is much slower: "
             "up to a minute a photo, and about 3.5 GB of memory for each photo checked at once.")
    if limit.available is None:
        return words + " The free memory of this computer is not known, so photos are checked one at a time."
    free = f"{limit.available / GB:.1f} GB of memory free"
    if limit.limited:
        return words + f" With {free}, {_photos(limit.jobs)} at a time instead of {limit.asked}."
    return words + f" With {free}, {_photos(limit.jobs)} at a time."


def _photos(n: int) -> str:
    return "one photo is checked" if n == 1 else f"{n} photos are checked"


def available_memory() -> int | None:
    """Bytes of memory free for new work now, or None where the platform does not say."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/meminfo", encoding="ascii") as meminfo:
                for line in meminfo:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return None
        return None
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        class MemoryStatus(ctypes.Structure):
            _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                        ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                        ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                        ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                        ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

        status = MemoryStatus()
        status.dwLength = ctypes.sizeof(MemoryStatus)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return int(status.ullAvailPhys)
        return None
    try:  # macOS and other Unix: half the physical memory, as nothing says what is free
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return None


def workers_for(detector: str, asked: int, requested: str) -> tuple[int, str | None]:
    """The workers an audit with ``detector`` starts when ``asked`` were asked for (--jobs, or
    one per core), and what to tell the person running it (None: nothing to say).

    Only dlib's CNN detector is limited (by the memory free now); ``requested`` is what
    --detector said ("auto" or a name), for the words that say why it runs.
    """
    if detector != "cnn":
        return asked, None
    from ..faces.detectors import choose

    limit = workers_for_memory(asked, available_memory())
    return limit.jobs, slow_detector_words(limit, choose(requested).why())
