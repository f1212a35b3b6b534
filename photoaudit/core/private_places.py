"""Where the private folders go when the setting's photoaudit.toml does not say (R10).

The state folder (face templates, the audit's memory, the log), its reports and the
quarantine show children. On Linux and macOS photoaudit makes the folders it creates
readable by their owner only (``chmod 700``), so they stay beside the data as before:
``<data>/state`` and ``<data>/quarantine``. On Windows ``chmod`` does nothing, so a folder
is only as private as the folder it is in; there they default to the user's own profile
(the user data folder, ``%LOCALAPPDATA%\\photoaudit\\...``), which other accounts on the
computer cannot open. A folder already beside the data is kept where it is (moving it would
leave the audit without its memory and a child's face data behind), and ``photoaudit doctor``
says where the private default is. Pure functions over plain values: the platform and the
user data folder are passed in (:mod:`photoaudit.setting.private_places` reads them).
See docs/rules.md (R10).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath


def modes_protect(platform: str) -> bool:
    """Whether file modes (``chmod``) make a folder private on ``platform`` (``sys.platform``)."""
    return not platform.startswith(("win", "cygwin"))


@dataclass(frozen=True)
class PrivateDefaults:
    """The folders to use when none is configured; None: beside the data, as on Linux."""

    state: PurePath | None = None
    quarantine: PurePath | None = None
    #: the folder of this setting in the user's own profile (Windows), whether used or not
    profile: PurePath | None = None


def profile_folder(data_dir: PurePath, user_data_dir: PurePath) -> PurePath:
    """This setting's folder in the user's profile: the data folder's name and 8 characters of
    its full path, so two settings on one computer never share a state folder."""
    key = hashlib.sha256(str(data_dir).lower().encode("utf-8")).hexdigest()[:8]  # Windows ignores case
    return user_data_dir / f"{data_dir.name or 'setting'}-{key}"


def private_defaults(
    platform: str,
    data_dir: PurePath,
    user_data_dir: PurePath | None,
    state_beside: bool,
    quarantine_beside: bool,
) -> PrivateDefaults:
    """Where the state folder and the quarantine go when not configured.

    ``data_dir`` is the setting's data folder as a full path, ``user_data_dir`` the user's own
    data folder (None where unknown), ``state_beside``/``quarantine_beside`` whether
    ``<data>/state`` and ``<data>/quarantine`` exist already (then they stay in use).
    """
    if modes_protect(platform) or user_data_dir is None:
        return PrivateDefaults()
    profile = profile_folder(data_dir, user_data_dir)
    return PrivateDefaults(
        state=None if state_beside else profile / "state",
        quarantine=None if quarantine_beside else profile / "quarantine",
        profile=profile,
    )
