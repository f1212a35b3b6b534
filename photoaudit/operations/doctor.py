"""``photoaudit doctor``: is everything in place to audit? Reads only; changes nothing.

Each check is one :class:`Check`: ``ok``, ``warn`` (photoaudit runs, but something is
missing or could be safer) or ``fail`` (a command would stop with "could not run").
The words are for a nursery manager: what was found, and what to do about it.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from .. import __version__
from ..core.settings import Settings

MARKS = {"ok": "ok  ", "warn": "note", "fail": "FAIL"}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True)
class Check:
    level: str  # "ok", "warn" or "fail"
    what: str
    words: str
    #: What to do next about it, for the "Next:" line (empty: nothing this check asks for).
    step: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.level]


def check_models() -> Check:
    from ..faces.model_files import EngineUnavailable, models_dir

    try:
        return Check("ok", "Face models", f"found in {models_dir()}")
    except EngineUnavailable as err:
        return Check("fail", "Face models", str(err))


def check_detector(detector: str) -> Check:
    """Which detector runs and why (photoaudit.faces.detectors.choice); a note when it is
    dlib's CNN, the slow last resort, and a failure when the one asked for cannot run."""
    from ..faces.detectors import choose, explain
    from ..faces.detectors.choice import DetectorUnavailable

    try:
        choice = choose(detector)
    except DetectorUnavailable as err:
        return Check("fail", "Face detector", str(err))
    words = explain(detector)
    if choice.last_resort and detector == "auto":
        return Check("warn", "Face detector", words + ". Run the set-up again (make setup) to get CenterFace")
    return Check("ok", "Face detector", words)


def detector_line(detector: str = "auto") -> str:
    """What ``--version`` says of the face detector: the one that runs here and why, or why none can."""
    from ..faces.detectors import explain
    from ..faces.detectors.choice import DetectorUnavailable

    try:
        return f"Face detector: {explain(detector)}"
    except DetectorUnavailable as err:
        return f"Face detector: none. {err}"


def check_sends_nothing(environ: Mapping[str, str] | None = None, home: Path | None = None,
                        platform: str = sys.platform) -> Check:
    """Network: none; files outside the setting's folders: none. Fails where ONNX Runtime's
    telemetry queue is on this computer (``environ``/``home``: whose cache folders to look
    in; this user's by default), or its telemetry is on in this process
    (:mod:`photoaudit.faces.onnx_runtime`, which this check uses to load it)."""
    import importlib.util

    from ..faces import onnx_runtime

    what = "Network and files"
    environ = os.environ if environ is None else environ
    queues = [p for p in onnx_runtime.telemetry_folders(environ, Path.home() if home is None else home, platform)
              if p.exists()]
    if queues:
        return Check("fail", what, f"ONNX Runtime's telemetry queue (usage data for Microsoft) is in {queues[0]}: "
                                   "ONNX Runtime ran on this computer with its telemetry on, in an older photoaudit "
                                   "or another program. photoaudit switches it off in every process it runs. Delete "
                                   "that folder, then run photoaudit doctor again")
    said = "network: none; files outside the setting's folders: none"
    if importlib.util.find_spec("onnxruntime") is None:
        return Check("ok", what, f"{said} (docs/setting-up.md: What photoaudit sends anywhere)")
    try:
        version = onnx_runtime.load().__version__
    except onnx_runtime.TelemetryOn as err:
        return Check("fail", what, str(err))
    except (ImportError, OSError) as err:  # a broken install: the detector's check says what to do
        return Check("warn", what, f"{said}; ONNX Runtime could not be loaded here ({err})")
    if onnx_runtime.version_of(version) > onnx_runtime.LAST_MEASURED:
        return Check("warn", what, f"{said}, as far as photoaudit can tell: ONNX Runtime {version} is newer than the "
                                   "versions photoaudit has checked its telemetry switch on (up to 1.32). Install "
                                   "a checked one: pip install 'onnxruntime<1.33' (make setup does)")
    return Check("ok", what, f"{said} (ONNX Runtime {version}: its telemetry is switched off in every photoaudit "
                             "process, and no telemetry queue is on this computer; a Dask cluster is used only "
                             "when you name one with --cluster. docs/setting-up.md: What photoaudit sends anywhere)")


def check_config(config: Path | None) -> Check:
    if config is None:
        return Check("ok", "Settings file", "none (photoaudit.toml in the data folder, in this folder, or "
                     "--config): the defaults are used")
    return Check("ok", "Settings file", str(config))


def check_register(settings: Settings) -> list[Check]:
    from ..setting.register import RegisterError, load_register

    path = settings.register_path
    if not settings.data_dir.is_dir():
        return [Check("fail", "Data folder", f"{settings.data_dir} does not exist: give the setting's folder with --data.",
                      "give your setting's folder with --data, or start a new one: photoaudit init FOLDER")]
    if not path.is_file():
        return [Check("fail", "Consent register",
                      f"no children.csv in {settings.data_dir}.",
                      "start a new setting's folder, with a blank children.csv to fill in: photoaudit init FOLDER")]
    try:
        register = load_register(path, purposes=settings.purposes)
    except (RegisterError, OSError, ValueError) as err:
        return [Check("fail", "Consent register", f"{path} cannot be used: {err}")]
    children = list(register.children.values())
    matching = [c for c in children if c.face_matching and not c.has_left]
    if not children:
        return [Check("warn", "Consent register", f"{path}: no children yet",
                      f"open {path} in Excel and fill it in, one row per child (docs/setting-up.md: The consent register), "
                      "then photoaudit doctor")]
    found = [Check("ok", "Consent register", f"{path}: {len(children)} children, {len(matching)} with face matching")]
    faces = settings.faces_dir
    with_photos = [c for c in matching if (faces / c.child_id).is_dir() and any((faces / c.child_id).iterdir())]
    if matching and not with_photos:
        found.append(Check("warn", "Reference photos",
                           f"no child with face matching has photos in {faces}/<child_id>/: every face will need a person.",
                           f"put two to five photos of each child with face matching in {faces}/<child_id>/, then "
                           "photoaudit enrol"))
    elif matching:
        every = len(with_photos) == len(matching)
        found.append(Check("ok" if every else "warn", "Reference photos",
                           f"{len(with_photos)} of {len(matching)} children with face matching have photos in {faces}",
                           "" if every else f"put photos of the others in {faces}/<child_id>/, then photoaudit enrol"))
    return found


def check_devices(settings: Settings) -> Check:
    from ..setting.devices import load_devices

    path = settings.devices_path
    if not path.is_file():
        return Check("warn", "Device register",
                     f"no devices.csv in {settings.data_dir}: photos are not checked for coming from the setting's "
                     "own devices. `photoaudit devices FOLDER` helps fill it in.")
    from ..setting.register import RegisterError

    try:
        devices = load_devices(path)
    except (RegisterError, OSError, ValueError) as err:  # a broken devices.csv stops every audit
        return Check("fail", "Device register", f"{path} cannot be used: {err}")
    return Check("ok", "Device register", f"{path}: {len(devices.devices)} devices")


def private_words(path: Path) -> str | None:
    """Why ``path`` is not private (readable by others), or None."""
    if os.name == "nt":  # no such modes on Windows
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return None if not mode & 0o077 else f"{path} can be read by other users (mode {mode:o}; should be 700)"


def folder_privacy(what: str, folder: Path, holds: str, platform: str, mode: int | None,
                   default: PurePath | None = None) -> Check:
    """Whether ``folder`` is private, from plain facts: ``platform`` (``sys.platform``), its
    ``mode`` (None: it does not exist yet) and, on Windows, the private ``default`` in the
    user's own profile. Where modes make nothing private (Windows) it cannot be checked: the
    check says so and where the default is, and warns when the folder is elsewhere."""
    from ..core.private_places import modes_protect

    if not modes_protect(platform):
        inside = default is not None and (folder == default or default in folder.parents)
        if inside:
            return Check("ok", what, f"{folder}, in your own Windows profile (other accounts on this computer "
                                     "cannot open it; photoaudit cannot check Windows permissions itself)")
        where = f"the private default is {default}, in your own profile" if default else \
            "keep it inside your own user folder"
        return Check("warn", what, f"{folder}: photoaudit cannot check on Windows who can open it, and it holds "
                                   f"{holds}. Make sure only you can (right-click, Properties, Security), or move it: "
                                   f"{where}.")
    if mode is None:
        return Check("ok", what, f"{folder} does not exist yet: photoaudit creates it private (700)")
    if mode & 0o077:
        return Check("warn", what, f"{folder} can be read by other users (mode {mode:o}; should be 700): "
                                   f"it holds {holds}. Run: chmod 700 {folder}")
    return Check("ok", what, f"{folder}, private")


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def check_private_folders(settings: Settings, platform: str = sys.platform) -> list[Check]:
    """The state folder, the reports and the quarantine: private, or what to do."""
    from ..setting.private_places import defaults_here

    profile = defaults_here(settings, platform).profile
    state = folder_privacy("State folder", settings.state_path, "the children's face templates", platform,
                           _mode(settings.state_path), profile)
    checks = [state]
    store = settings.state_path / "photoaudit.sqlite3"
    if state.level == "ok" and store.exists() and private_words(store):
        checks = [Check("warn", "State folder", f"{private_words(store)}. Run: chmod 600 {store}")]
    if settings.reports_path.parent != settings.state_path or settings.reports_path.name != "reports":
        checks.append(folder_privacy("Reports folder", settings.reports_path, "reports that show children",
                                     platform, _mode(settings.reports_path), profile))
    checks.append(folder_privacy("Quarantine", settings.quarantine_path, "photos that must not be kept",
                                 platform, _mode(settings.quarantine_path), profile))
    return checks


def check_command_on_path() -> Check:
    found = shutil.which("photoaudit")
    if found:
        return Check("ok", "photoaudit command", f"on the PATH: {found}")
    here = Path(sys.executable).parent / ("photoaudit.exe" if os.name == "nt" else "photoaudit")
    return Check("warn", "photoaudit command",
                 f"not on the PATH, so a new terminal says 'command not found'. Use {here}; from a clone, "
                 "`make install-command` puts it there (README: Install), and `pipx install` does for a wheel.")


def check_browser() -> Check:
    found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if found:
        return Check("ok", "Browser (for the tests)", found)
    return Check("warn", "Browser (for the tests)",
                 "no Chromium: the HTML report's browser test is skipped (photoaudit itself does not need it)")


def run_checks(settings: Settings, detector: str = "auto", config: Path | None = None) -> list[Check]:
    """Every check, in the order a person sets photoaudit up."""
    checks = [Check("ok", "photoaudit", f"{__version__} on Python {sys.version.split()[0]}"), check_command_on_path(),
              check_models(), check_detector(detector), check_sends_nothing(), check_config(config)]
    checks += check_register(settings)
    if settings.data_dir.is_dir():
        checks.append(check_devices(settings))
    checks += [*check_private_folders(settings), check_browser()]
    return checks


def next_step(checks: list[Check]) -> str:
    """The "Next:" line: the step of the first failure, else of the first note, else of the
    first check that has one, else the week's audit."""
    for level in ("fail", "warn", "ok"):
        step = next((c.step for c in checks if c.level == level and c.step), "")
        if step:
            return step
        if level == "fail" and any(c.level == "fail" for c in checks):
            return "fix the problems marked FAIL above, then photoaudit doctor"
    return "photoaudit audit /path/to/transfer --html report.html"


def checkup(load_settings: Callable[[], Settings], detector: str, config: Path | None,
            data: Path | None) -> list[Check]:
    """``photoaudit doctor``: every check; a settings file that cannot be read is one of them.

    ``config`` and ``data`` are what ``--config`` and ``--data`` named (None: not given);
    ``load_settings`` reads the settings as every command does.
    """
    from ..setting.config import ConfigError, find_config

    try:
        settings = load_settings()
    except ConfigError as err:  # said as one of the checks, like every other problem
        return [Check("fail", "Settings file", str(err))]
    return run_checks(settings, detector, find_config(config, data=data))
