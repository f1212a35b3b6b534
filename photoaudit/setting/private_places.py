"""The private folders' defaults on this computer (:mod:`photoaudit.core.private_places`).

On Windows the user's own data folder comes from ``platformdirs`` (``%LOCALAPPDATA%``);
elsewhere nothing changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePath

from ..core.private_places import PrivateDefaults, modes_protect, private_defaults
from ..core.settings import Settings


def user_data_dir() -> Path:
    """The user's own data folder for photoaudit (Windows: ``%LOCALAPPDATA%\\photoaudit``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("photoaudit", appauthor=False, roaming=False))


def defaults_here(settings: Settings, platform: str = sys.platform,
                  user_data: Callable[[], Path] = user_data_dir) -> PrivateDefaults:
    """Where this setting's state folder and quarantine go on this computer when not configured."""
    if modes_protect(platform):
        return PrivateDefaults()
    return private_defaults(platform, Path(settings.data_dir).absolute(), user_data(),
                            (settings.data_dir / "state").exists(), (settings.data_dir / "quarantine").exists())


def with_private_defaults(settings: Settings, platform: str = sys.platform,
                          user_data: Callable[[], Path] = user_data_dir) -> Settings:
    """``settings`` with the state folder and quarantine in the user's profile where the
    platform needs it (Windows) and nothing configured them."""
    found = defaults_here(settings, platform, user_data)
    return replace(
        settings,
        state_dir=settings.state_dir if settings.state_dir is not None else _path(found.state),
        quarantine_dir=settings.quarantine_dir if settings.quarantine_dir is not None else _path(found.quarantine),
    )


def _path(folder: PurePath | None) -> Path | None:
    """A folder the rule chose (a pure path) as a folder on this computer."""
    return None if folder is None else Path(folder)
