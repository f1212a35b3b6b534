"""ONNX Runtime's telemetry, switched off in every process (photoaudit.faces.onnx_runtime).

The processes here run with empty folders of their own (tests/outside.py), so whatever
ONNX Runtime writes with its telemetry on (a test below makes it) stays in the test's folders.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from outside import python

from photoaudit.faces import onnx_runtime
from photoaudit.faces.onnx_runtime import (
    QUEUE,
    TelemetryOn,
    check_quiet,
    has_telemetry,
    loaded_before,
    open_telemetry_files,
    telemetry_folders,
)

pytestmark = pytest.mark.skipif(importlib.util.find_spec("onnxruntime") is None,
                                reason="ONNX Runtime is not installed (make setup installs it)")

def test_loaded_through_photoaudit_it_writes_nothing_whatever_the_environment_said(tmp_path: Path) -> None:
    code = ("import os\nfrom photoaudit.faces import onnx_runtime\nort = onnx_runtime.load()\n"
            "ort.InferenceSession  # loaded\nprint(os.environ['ORT_DISABLE_TELEMETRY'], ort.__version__)")
    done, left = python(tmp_path, code, ORT_DISABLE_TELEMETRY="0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "1"  # and so for every process this one starts
    assert left == []


def test_loaded_before_photoaudit_could_switch_it_off_it_is_refused(tmp_path: Path) -> None:
    """As on a Dask worker where another library imported ONNX Runtime first: the telemetry
    is on for the life of that process, so photoaudit will not use it there."""
    code = ("import onnxruntime\n"
            "from photoaudit.faces import onnx_runtime\n"
            "from photoaudit.faces.engine import EngineSettings\n"
            "from photoaudit.operations.cluster import check_worker, worker_identity\n"
            "print(check_worker(worker_identity(), EngineSettings(detector='centerface'), None))\n"
            "for attempt in range(2):  # and again, now that photoaudit's switch is in the environment\n"
            "    try:\n        onnx_runtime.load()\n    except onnx_runtime.TelemetryOn as err:\n"
            "        print('refused:', err)\n"
            "print(check_worker(worker_identity(), EngineSettings(detector='centerface'), None))\n")
    done, left = python(tmp_path, code)
    assert done.returncode == 0, done.stderr
    if not has_telemetry(onnx_runtime.load().__version__):  # before 1.29: nothing to switch off
        assert done.stdout.splitlines() == ["None", "None"] and left == []
        return
    said, refused, again, still = done.stdout.splitlines()
    assert said.startswith("the centerface face detector cannot run there: ONNX Runtime ")
    assert "was loaded in this process before photoaudit could switch off its telemetry" in said
    assert "Start this process again (a Dask worker: restart it" in refused
    assert again == refused and still == said
    assert f"xdg_cache_home/{QUEUE.as_posix()}/onnxruntime.db" in left  # what it did, in this test's folder


def test_loaded_before_with_the_switch_in_the_environment_it_is_used(tmp_path: Path) -> None:
    code = ("import onnxruntime\nfrom photoaudit.faces import onnx_runtime\n"
            "print(onnx_runtime.refused(), onnx_runtime.load().__version__)")
    done, left = python(tmp_path, code, ORT_DISABLE_TELEMETRY="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("None ") and left == []


def test_which_versions_have_the_telemetry_only_the_environment_stops() -> None:
    assert [has_telemetry(v) for v in ("1.17.3", "1.23.2", "1.28.0", "1.29.0", "1.32.0", "2.0", "dev")] == [
        False, False, False, True, True, True, False]
    module = type(sys)("onnxruntime")
    module.__version__ = "1.31.1"
    assert "ONNX Runtime 1.31.1 was loaded" in loaded_before(module, quiet_before=False)
    assert loaded_before(module, quiet_before=True) is None
    module.__version__ = "1.28.0"
    assert loaded_before(module, quiet_before=False) is None


def test_where_the_queue_would_be_on_each_platform() -> None:
    home = Path("/home/m")
    assert telemetry_folders({}, home, "linux") == (home / ".cache" / QUEUE,)
    assert telemetry_folders({"XDG_CACHE_HOME": "/c"}, home, "linux") == (Path("/c") / QUEUE, home / ".cache" / QUEUE)
    assert home / "Library" / "Application Support" / QUEUE in telemetry_folders({}, home, "darwin")
    windows = telemetry_folders({"LOCALAPPDATA": "/w/AppData/Local"}, home, "win32")
    assert Path("/w/AppData/Local") / QUEUE in windows and home / "AppData" / "Local" / QUEUE in windows


def test_a_telemetry_queue_held_open_is_seen_and_refused(tmp_path: Path) -> None:
    """As /proc/self/fd shows an open file: a link to it."""
    fds = tmp_path / "fd"
    fds.mkdir()
    queue = tmp_path / "cache" / QUEUE / "onnxruntime.db"
    (fds / "3").symlink_to(tmp_path / "photo.jpg")
    assert open_telemetry_files(fds) == []
    check_quiet("1.32.0", fds)
    (fds / "4").symlink_to(queue)
    assert open_telemetry_files(fds) == [str(queue)]
    with pytest.raises(TelemetryOn, match="keeps its telemetry queue open .*onnxruntime<1.33"):
        check_quiet("1.99.0", fds)
