"""Fixtures shared by the test modules: the enrolled and audited nursery of tests/nursery.py.

Built once per test session (``shared`` caches them); each test gets its own copy of the
audited setting, so tests may change it freely. A module that needs another setting defines
its own fixture of the same name, which takes precedence.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from nursery import audited_template, enrolled_template, nursery_copy, shared

#: Where programs keep their own files for a user. The tests get empty ones of their own,
#: removed afterwards, so nothing a test or a library it loads writes there (chromium's
#: profile data, a library's cache) lands in the home of the person running the tests, and
#: `photoaudit doctor`'s check of ONNX Runtime's telemetry queue sees this run only.
HOME_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
_own_home: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    # The tests run as a person who ran `make install-command` (or pipx): `photoaudit` on the PATH
    # is this program, so the hints the commands print say `photoaudit review`. The tests of the
    # hints before that (`.venv/bin/photoaudit review`) take it off the PATH again.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    home = Path(tempfile.mkdtemp(prefix="photoaudit-tests-home-"))
    _own_home.append(home)
    for name in HOME_VARIABLES:
        folder = home if name == "HOME" else home / name.lower()
        folder.mkdir(exist_ok=True)
        os.environ[name] = str(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    for home in _own_home:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def enrolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared("enrolled", tmp_path_factory, enrolled_template)


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory, enrolled: Path) -> Path:
    return shared("audited", tmp_path_factory, lambda root: audited_template(root, enrolled))


@pytest.fixture
def nursery(tmp_path: Path, audited: Path) -> tuple[Path, Path]:
    """(data, transfer folder): an enrolled setting whose photos the store already knows."""
    return nursery_copy(audited, tmp_path)


#: The day the tests' registers and photos are written for (their TODAY).
TEST_DAY = date(2026, 11, 22)


@pytest.fixture
def on_the_test_day(monkeypatch: pytest.MonkeyPatch) -> date:
    """The commands' real day set to TEST_DAY: a command that changes files refuses --today, and is
    then judged on the real day, so no test depends on when it runs."""
    from photoaudit.cli import shared as cli_shared

    monkeypatch.setattr(cli_shared, "today", lambda: TEST_DAY, raising=False)
    return TEST_DAY
