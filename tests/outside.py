"""Processes started with empty folders of their own: home, cache, configuration, data and
temporary folder (the tests that nothing leaves the computer, and ONNX Runtime's telemetry).

ONNX Runtime keeps its telemetry quiet by itself where a CI variable is set, and photoaudit's
own switch is inherited from the test process: both are removed, so each process has to
switch the telemetry off on its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Variables ONNX Runtime reads as "running in CI" (its telemetry_environment.h).
CI_VARIABLES = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
                "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "BITBUCKET_BUILD_NUMBER",
                "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI")
#: The folders a program keeps its own files in.
OWN_FOLDERS = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "TMPDIR")


def own_folders(root: Path) -> dict[str, Path]:
    """An empty folder under ``root`` for each of :data:`OWN_FOLDERS` (made here)."""
    folders = {name: root / name.lower() for name in OWN_FOLDERS}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def environment(folders: dict[str, Path], **extra: str) -> dict[str, str]:
    """This process's environment with ``folders`` as the own folders, without CI variables
    or ONNX Runtime's, Dask's and matplotlib's settings, and ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if k not in CI_VARIABLES and not k.startswith(("ORT_", "DASK_", "MPL"))}
    return {**env, **{name: str(path) for name, path in folders.items()}, **extra}


def left_in(root: Path) -> list[str]:
    """Every file and folder in the own folders under ``root``, relative to ``root``."""
    return sorted(p.relative_to(root).as_posix() for folder in own_folders(root).values() for p in folder.rglob("*"))


def python(root: Path, code: str, **extra: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """``code`` in a new Python whose own folders are empty ones under ``root`` (started in
    its home); returns what it printed and everything it left in those folders."""
    folders = own_folders(root)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=folders["HOME"], env=environment(folders, **extra))
    return done, left_in(root)
