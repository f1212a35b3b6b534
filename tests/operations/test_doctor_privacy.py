"""Issue 17: ``photoaudit doctor`` warns when a private folder can be read by others where that
can be checked (POSIX modes), and on Windows says it cannot be checked and where the default is."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from photoaudit.core.settings import Settings
from photoaudit.operations.doctor import check_private_folders, folder_privacy

HOLDS = "the children's face templates"


def test_posix_modes_are_checked() -> None:
    folder = Path("/srv/acorns/state")
    assert folder_privacy("State folder", folder, HOLDS, "linux", 0o700).level == "ok"
    opened = folder_privacy("State folder", folder, HOLDS, "darwin", 0o755)
    assert opened.level == "warn" and "can be read by other users (mode 755" in opened.words
    assert "chmod 700 /srv/acorns/state" in opened.words and HOLDS in opened.words
    missing = folder_privacy("Quarantine", folder, HOLDS, "linux", None)
    assert missing.level == "ok" and "creates it private (700)" in missing.words


def test_windows_says_it_cannot_check_and_where_the_private_default_is() -> None:
    default = Path("C:/Users/manager/AppData/Local/photoaudit/acorns-1a2b3c4d")
    inside = folder_privacy("State folder", default / "state", HOLDS, "win32", 0o777, default)
    assert inside.level == "ok" and "in your own Windows profile" in inside.words
    assert "cannot check Windows permissions" in inside.words
    shared = folder_privacy("State folder", Path("S:/Shared/acorns/state"), HOLDS, "win32", 0o777, default)
    assert shared.level == "warn"  # modes mean nothing there: never "private"
    assert "cannot check on Windows who can open it" in shared.words
    assert f"the private default is {default}" in shared.words and HOLDS in shared.words


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_doctor_checks_the_state_a_configured_reports_folder_and_the_quarantine(tmp_path: Path) -> None:
    for name, mode in (("state", 0o700), ("reports", 0o750), ("quarantine", 0o755)):
        (tmp_path / name).mkdir()
        os.chmod(tmp_path / name, mode)
    settings = Settings(data_dir=tmp_path, reports_dir=tmp_path / "reports")
    checks = {c.what: c for c in check_private_folders(settings)}
    assert checks["State folder"].level == "ok"
    assert checks["Reports folder"].level == "warn" and "mode 750" in checks["Reports folder"].words
    assert checks["Quarantine"].level == "warn" and "photos that must not be kept" in checks["Quarantine"].words
    assert "Reports folder" not in {c.what for c in check_private_folders(Settings(data_dir=tmp_path))}
