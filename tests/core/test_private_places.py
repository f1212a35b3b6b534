"""Issue 17: on Windows (where chmod does nothing) the private folders default to the user's
own profile; elsewhere they stay beside the data. Plain data, the platform passed in."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from photoaudit.core.private_places import (
    PrivateDefaults,
    modes_protect,
    private_defaults,
    profile_folder,
)

DATA = PureWindowsPath(r"C:\Users\manager\Documents\Little Acorns")
PROFILE = PureWindowsPath(r"C:\Users\manager\AppData\Local\photoaudit")


def test_linux_and_macos_keep_the_folders_beside_the_data() -> None:
    for platform in ("linux", "darwin"):
        assert modes_protect(platform)
        assert private_defaults(platform, PurePosixPath("/srv/acorns"), PurePosixPath("/home/m/.local/share/photoaudit"),
                                False, False) == PrivateDefaults()


def test_windows_puts_state_and_quarantine_in_the_users_profile() -> None:
    assert not modes_protect("win32")
    found = private_defaults("win32", DATA, PROFILE, False, False)
    assert found.profile is not None and found.profile.parent == PROFILE
    assert found.profile.name.startswith("Little Acorns-") and len(found.profile.name) == len("Little Acorns-") + 8
    assert found.state == found.profile / "state"
    assert found.quarantine == found.profile / "quarantine"


def test_windows_keeps_folders_already_beside_the_data_and_says_where_the_default_is() -> None:
    """Moving them would leave the audit without its memory and face data behind: kept, and doctor warns."""
    found = private_defaults("win32", DATA, PROFILE, True, False)
    assert found.state is None and found.quarantine == found.profile / "quarantine"  # type: ignore[operator]
    assert private_defaults("win32", DATA, PROFILE, True, True).profile == found.profile
    assert private_defaults("win32", DATA, None, False, False) == PrivateDefaults()  # profile unknown: as before


def test_two_settings_never_share_a_profile_folder_and_case_does_not_matter() -> None:
    other = PureWindowsPath(r"C:\Users\manager\Documents\Oak Tree")
    assert profile_folder(DATA, PROFILE) != profile_folder(other, PROFILE)
    assert profile_folder(PureWindowsPath(str(DATA).upper()), PROFILE).name[-8:] == profile_folder(DATA, PROFILE).name[-8:]
