"""Let a process that decodes photo after photo reuse its memory instead of returning it.

Each 12-megapixel photo needs tens of megabytes of buffers (the decoded pixels, the
upright and reduced copies, the arrays). glibc's allocator gives large freed blocks
straight back to the operating system and the next photo faults them in again, page
by page: in the benchmark that was about a quarter of an audit's CPU time, all of it
system time. Raising two thresholds keeps those blocks in the process for the next
photo (a few hundred megabytes per worker at most, which it reached anyway).

Linux with glibc only; elsewhere, or where the user tuned the allocator through its
environment variables, nothing changes.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

#: ``mallopt`` parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

#: Blocks up to this size come from the heap, where freed ones are reused (a 12-megapixel
#: photo's largest buffer is about 36 MB; anything larger still goes straight back).
MMAP_THRESHOLD = 256 * 1024 * 1024
#: Free memory at the top of the heap kept for reuse, not given back.
TRIM_THRESHOLD = 512 * 1024 * 1024

_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory(set_by_others: Mapping[str, str] | None = None) -> bool:
    """Tune this process's allocator for photo after photo; whether it was changed.

    ``set_by_others``: allocator variables that, with exactly these values, were set by
    the program that started this process rather than by the user (a Dask worker's
    Nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` for every worker), so they do not count
    as the user's tuning. Without this, Dask's value made a cluster worker spend a third
    of its time in the kernel, faulting each photo's buffers in again.
    """
    others = set_by_others or {}
    user = [name for name in _USER_SETTINGS if name in os.environ and others.get(name) != os.environ[name]]
    if not sys.platform.startswith("linux") or user:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success, 0 when a value is refused (musl's stub always refuses).
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
