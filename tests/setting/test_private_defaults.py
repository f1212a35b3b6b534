"""Issue 17: the settings a command runs with put the private folders in the user's profile on
Windows unless configured (photoaudit.setting.private_places), run here with the platform and
the user data folder passed in."""

from __future__ import annotations

from pathlib import Path

from photoaudit.core.settings import Settings
from photoaudit.setting.private_places import with_private_defaults


def test_windows_defaults_go_to_the_profile_unless_configured(tmp_path: Path) -> None:
    profile = tmp_path / "AppData" / "Local" / "photoaudit"
    data = tmp_path / "acorns"
    data.mkdir()
    found = with_private_defaults(Settings(data_dir=data), "win32", lambda: profile)
    assert found.state_path.parent.parent == profile and found.state_path.name == "state"
    assert found.reports_path == found.state_path / "reports"  # the reports follow the state folder
    assert found.log_path.parent == found.state_path
    assert found.quarantine_path.parent == found.state_path.parent and found.quarantine_path.name == "quarantine"
    configured = Settings(data_dir=data, state_dir=tmp_path / "mine", quarantine_dir=tmp_path / "q")
    assert with_private_defaults(configured, "win32", lambda: profile) == configured  # configured: kept


def test_windows_keeps_a_state_folder_already_beside_the_data(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    found = with_private_defaults(Settings(data_dir=tmp_path), "win32", lambda: tmp_path / "profile")
    assert found.state_path == tmp_path / "state"
    assert found.quarantine_path.parent.parent == tmp_path / "profile"


def test_linux_and_macos_change_nothing(tmp_path: Path) -> None:
    def never() -> Path:
        raise AssertionError("the user data folder is not looked up here")

    for platform in ("linux", "darwin"):
        settings = Settings(data_dir=tmp_path)
        assert with_private_defaults(settings, platform, never) == settings
        assert settings.state_path == tmp_path / "state"
