"""``photoaudit demo [FOLDER]``: the demo setting and its week's transfer folder, built from
public-domain faces that registry packages ship (:mod:`photoaudit.media.demo_pictures`).

The folder holds ``setting/`` (the demo's register, ``photoaudit.toml``, reference photos,
and later its private state), ``transfer/`` (the week's photos) and the reports the audit
writes. A folder the demo did not make is never touched: the demo marks its own folder
(``.photoaudit-demo``) and builds again only where that mark is, replacing only what it
made (``setting/``, ``transfer/`` and the three reports). Nothing else is deleted.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CannotRun
from ..media import samples
from ..media.export import create_exclusively
from ..media.files import make_private_dir
from ..setting.shipped import DEMO_FILES, Shipped

#: The file that says "the demo made this folder": it may build there again.
MARKER = ".photoaudit-demo"
MARKER_TEXT = b"Made by `photoaudit demo`: it may delete and build again setting/, transfer/ and report.*.\n"
#: The extra that brings the demo's faces.
EXTRA = "photoaudit[demo]"


class DemoUnavailable(CannotRun):
    """The demo cannot be built here: its faces' packages are missing, or the folder is not its own."""


@dataclass(frozen=True)
class DemoPlaces:
    """Where the demo's parts are, inside its ``folder``."""

    folder: Path

    @property
    def setting(self) -> Path:
        return self.folder / "setting"

    @property
    def config(self) -> Path:
        return self.setting / "photoaudit.toml"

    @property
    def transfer(self) -> Path:
        return self.folder / "transfer"

    @property
    def reports(self) -> tuple[Path, Path, Path]:
        """report.json, report.csv and report.html."""
        return tuple(self.folder / f"report.{kind}" for kind in ("json", "csv", "html"))  # type: ignore[return-value]


def install_command(prefix: Path, python: Path, wanted: list[str]) -> str:
    """The command that installs ``wanted`` into this photoaudit's environment (``prefix``,
    ``sys.prefix``): ``pipx inject`` for pipx's, ``uv tool install`` for uv's, else pip of
    this ``python``."""
    quoted = " ".join(f"'{w}'" for w in wanted)
    parts = prefix.parts
    if "pipx" in parts and "venvs" in parts:
        return f"pipx inject {prefix.name} {quoted}"
    if "uv" in parts and "tools" in parts:
        return "uv tool install --force photoaudit " + " ".join(f"--with '{w}'" for w in wanted)
    return f'"{python}" -m pip install {quoted}'


def check_faces() -> None:
    """:class:`DemoUnavailable`, with the exact install command, when the faces' packages are missing."""
    wanted = samples.missing()
    if wanted:
        names = " and ".join(w.split(">")[0] for w in wanted)
        raise DemoUnavailable(
            f"the demo's faces (public-domain photos, never real children) come with {names}, which "
            f"{'is' if len(wanted) == 1 else 'are'} not installed here (photoaudit itself does not need "
            f"{'it' if len(wanted) == 1 else 'them'}). Install: "
            f"{install_command(Path(sys.prefix), Path(sys.executable), wanted)}   then run the demo again")


def clear_own(places: DemoPlaces) -> None:
    """Make ``places.folder`` ready: new, empty, or the demo's own (its earlier parts removed);
    any other folder is :class:`DemoUnavailable`, untouched."""
    folder = places.folder
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise DemoUnavailable(f"{folder} is not a folder: give the name of a new folder for the demo.")
    if not folder.exists() or not any(folder.iterdir()):
        return
    if not (folder / MARKER).is_file():
        raise DemoUnavailable(f"{folder} is not empty and was not made by `photoaudit demo`: it is left as it "
                              "is. Give the name of a new folder: photoaudit demo NEW-FOLDER")
    for part in (places.setting, places.transfer):
        if part.is_symlink():
            raise DemoUnavailable(f"{part} is a link: the demo builds only in its own folders; nothing was changed.")
    for part in (places.setting, places.transfer):
        if part.exists():
            shutil.rmtree(part)
    for report in places.reports:
        report.unlink(missing_ok=True)


def build(folder: Path) -> DemoPlaces:
    """Build the demo setting and its transfer folder in ``folder`` (nothing is enrolled or audited)."""
    from ..media import demo_pictures  # PIL and the sample pictures: only when the demo is built

    check_faces()
    places = DemoPlaces(folder)
    clear_own(places)
    make_private_dir(folder)
    create_exclusively(folder / MARKER, MARKER_TEXT)  # False: the demo's mark is there already
    make_private_dir(places.setting)
    for shipped in DEMO_FILES:
        if not create_exclusively(places.setting / shipped.name, shipped.read(Shipped.DEMO)):
            raise DemoUnavailable(f"{places.setting / shipped.name} appeared while the demo was being built.")
    for folder in (places.setting / "faces", places.setting / "staff", places.transfer):
        make_private_dir(folder)  # as a real setting's: only its owner may open them
    demo_pictures.references(places.setting / "faces", places.setting / "staff")
    demo_pictures.transfer(places.transfer)
    return places
