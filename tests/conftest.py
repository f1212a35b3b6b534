"""Fixtures shared by the test modules: the enrolled and audited nursery of tests/nursery.py.

Built once per test session (``shared`` caches them); each test gets its own copy of the
audited setting, so tests may change it freely. A module that needs another setting defines
its own fixture of the same name, which takes precedence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nursery import audited_template, enrolled_template, nursery_copy, shared


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
