"""ONNX Runtime, loaded only through this module, with Microsoft's telemetry switched off.

The official ONNX Runtime wheels collect usage data for Microsoft. From 1.29 on Linux and
macOS (and in Windows builds other than Windows' own) it is the 1DS SDK: ``import
onnxruntime`` alone creates an event queue (``onnxruntime.db``) and a persistent
``deviceid`` in ``Microsoft/DeveloperTools/.onnxruntime`` under the user's cache folder
(:func:`telemetry_folders`) and a ``.ses`` file in the temporary folder (1.29 and 1.30 a
``mat-debug-<pid>.log`` there too), and some seconds later looks up and sends to
``mobile.events.data.microsoft.com``: the computer, the CPU, the Python program, the
library's version. Measured on 1.29.0, 1.30.0, 1.31.1 and 1.32.0:

- ``ORT_DISABLE_TELEMETRY=1`` in the environment before the library starts leaves nothing:
  no file, no socket (ONNX Runtime's own notes call it the full opt-out; it is latched for
  the life of the process, so it must come before the first import);
- ``disable_telemetry_events()`` alone still leaves the queue, the device id and one event;
- 1.28 and earlier have no telemetry on Linux and macOS.

Windows' own ONNX Runtime (ETW, collected by the operating system) listens only to
``disable_telemetry_events()``. So :func:`load` does both, in that order, before the first
import in the process, whatever the environment said (``ORT_TELEMETRY_DISABLED``, the name
ONNX Runtime's development sources read, is set too). On Linux it then checks that the
process holds no telemetry file open.

Every process that examines photos loads ONNX Runtime through here: the command, its
worker processes, a Dask worker (whoever started it, with whatever environment), the
benchmark. ``tests/test_layers.py`` fails when any other module imports it. Where ONNX
Runtime was already loaded in a process before photoaudit could switch the telemetry off
(another library on a Dask worker, say), it may be on for the life of that process:
photoaudit will not use it there (:class:`TelemetryOn`) and says how to start it afresh.
docs/setting-up.md, "What photoaudit sends anywhere: nothing".
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from .model_files import EngineUnavailable

#: Set before ONNX Runtime is imported, in every process: the first is the one the released
#: versions read (1.29-1.32), the second the one their development sources read.
SWITCHES = {"ORT_DISABLE_TELEMETRY": "1", "ORT_TELEMETRY_DISABLED": "1"}
#: The first version with telemetry on Linux and macOS, and the last one measured quiet with
#: the switch (pyproject.toml allows no later one until it is measured).
FIRST_WITH_TELEMETRY = (1, 29)
LAST_MEASURED = (1, 32)
#: Where 1DS keeps its queue and device id, under the user's cache or application data folder.
QUEUE = Path("Microsoft", "DeveloperTools", ".onnxruntime")
#: This process's open files (Linux).
OPEN_FILES = Path("/proc/self/fd")


class TelemetryOn(EngineUnavailable):
    """ONNX Runtime's telemetry is, or may be, on in this process: photoaudit will not use it."""


def version_of(text: str) -> tuple[int, int]:
    """``"1.32.0"`` -> (1, 32); (0, 0) for what is not a version."""
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (0, 0)


def has_telemetry(version: str) -> bool:
    """Whether this version of ONNX Runtime has the telemetry that only the environment stops."""
    return version_of(version) >= FIRST_WITH_TELEMETRY


def switched_off(environ: Mapping[str, str]) -> bool:
    """Whether ``environ`` holds the switch the released versions read."""
    return environ.get("ORT_DISABLE_TELEMETRY", "").strip() == "1"


def telemetry_folders(environ: Mapping[str, str], home: Path, platform: str) -> tuple[Path, ...]:
    """Where ONNX Runtime's telemetry queue and device id would be for this user: the cache
    folder (``$XDG_CACHE_HOME``, else ``~/.cache``: measured, Linux), ``~/Library/Application
    Support`` (macOS) and ``%LOCALAPPDATA%`` (Windows), as its sources say."""
    places = [Path(environ["XDG_CACHE_HOME"]) if environ.get("XDG_CACHE_HOME") else None, home / ".cache"]
    if platform == "darwin":
        places.append(home / "Library" / "Application Support")
    if platform == "win32":
        places += [Path(environ["LOCALAPPDATA"]) if environ.get("LOCALAPPDATA") else None,
                   home / "AppData" / "Local"]
    return tuple(dict.fromkeys(place / QUEUE for place in places if place is not None))


def open_telemetry_files(fd_folder: Path = OPEN_FILES) -> list[str]:
    """The telemetry files this process holds open (Linux; elsewhere nothing can be seen)."""
    found = []
    try:
        links = list(fd_folder.iterdir())
    except OSError:
        return []
    for link in links:
        try:
            target = os.readlink(link)
        except OSError:  # closed meanwhile
            continue
        if f"/{QUEUE.as_posix()}/" in target:
            found.append(target)
    return sorted(set(found))


def loaded_before(module: ModuleType, quiet_before: bool) -> str | None:
    """Why ONNX Runtime, imported in this process before photoaudit's :func:`load`, cannot be
    trusted to be quiet; None when it can (no telemetry in that version, or the switch was
    in the environment before photoaudit set it)."""
    version = str(getattr(module, "__version__", ""))
    if quiet_before or not has_telemetry(version):
        return None
    return (f"ONNX Runtime {version} was loaded in this process before photoaudit could switch off its "
            "telemetry (usage data sent to Microsoft), so photoaudit will not use it here. Start this "
            "process again (a Dask worker: restart it; photoaudit switches the telemetry off itself), or "
            "start it with ORT_DISABLE_TELEMETRY=1 in its environment")


#: This process's verdict on ONNX Runtime, once it is loaded: None until then, "" when it is
#: quiet, else why it is not (kept: a later look would see photoaudit's own switch).
_verdict: str | None = None


def refused() -> str | None:
    """Why ONNX Runtime cannot be used in this process, seen without importing anything: it
    was loaded before photoaudit could switch off its telemetry (:func:`loaded_before`)."""
    if _verdict is not None:
        return _verdict or None
    module = sys.modules.get("onnxruntime")
    return None if module is None else loaded_before(module, switched_off(os.environ))


def check_quiet(version: str, fd_folder: Path = OPEN_FILES) -> None:
    """Raise :class:`TelemetryOn` when this process holds ONNX Runtime's telemetry queue open."""
    held = open_telemetry_files(fd_folder)
    if held:
        raise TelemetryOn(f"ONNX Runtime {version} keeps its telemetry queue open ({held[0]}) although photoaudit "
                          "switched its telemetry off, so photoaudit will not use it. Install a version "
                          "photoaudit has checked: pip install 'onnxruntime<1.33' (make setup does).")


def load() -> ModuleType:
    """The ``onnxruntime`` module, its telemetry off in this process (see the module's notes).

    Raises :class:`TelemetryOn` where it was loaded before with its telemetry on (then every
    time, in this process), or is on despite the switch.
    """
    global _verdict
    if _verdict is None:
        _verdict = refused() or ""
        os.environ.update(SWITCHES)  # inherited by every process this one starts
    if _verdict:
        raise TelemetryOn(_verdict + ".")
    import onnxruntime

    onnxruntime.disable_telemetry_events()  # Windows' ETW; elsewhere the events the switch left
    check_quiet(onnxruntime.__version__)
    return onnxruntime
