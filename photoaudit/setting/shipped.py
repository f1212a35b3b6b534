"""The settings that ship inside the package: the blank one ``photoaudit init`` writes, and
the demo's register that ``photoaudit demo`` writes. Package data, so an installed
photoaudit has them without a clone (``pyproject.toml``, ``[tool.setuptools.package-data]``).

The blank registers are a header row only, saved as Excel saves "CSV UTF-8" (a byte order
mark, Windows line ends), which the register readers accept (``setting/register.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from importlib import resources


class Shipped(Enum):
    """A setting shipped in the package: its folder there."""

    BLANK = "blank_setting"
    DEMO = "demo_setting"


@dataclass(frozen=True)
class ShippedFile:
    """One file of a shipped setting, written under the same name in the setting's folder."""

    name: str

    def read(self, setting: Shipped) -> bytes:
        """The file's bytes, as shipped."""
        return resources.files(__package__).joinpath(setting.value, self.name).read_bytes()


REGISTERS = (ShippedFile("children.csv"), ShippedFile("staff.csv"), ShippedFile("devices.csv"))
CONFIG = ShippedFile("photoaudit.toml")
#: The blank setting's files, in the order init writes them.
BLANK_FILES = (CONFIG, *REGISTERS, ShippedFile("how-to-add-reference-photos.txt"))
#: The demo setting's files.
DEMO_FILES = (CONFIG, *REGISTERS)
#: The folders of a new setting: reference photos of children, and of staff.
REFERENCE_FOLDERS = ("faces", "staff")
