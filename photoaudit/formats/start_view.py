"""What ``photoaudit init`` and ``photoaudit demo`` print: what was made, and what to do next.

Each command line shown can be pasted as it is (folders quoted for this system's shell).
"""

from __future__ import annotations

from pathlib import Path

from ..operations.demo import DemoPlaces
from ..operations.new_setting import NewSetting
from .console import shell_word


def setting_command(folder: Path, command: str) -> str:
    """``photoaudit --data FOLDER COMMAND``, ready to paste."""
    return f"photoaudit --data {shell_word(str(folder))} {command}"


def init_lines(made: NewSetting) -> list[str]:
    """What init made, and what to fill in (:func:`init_next` is the command to run then)."""
    folder = made.folder
    return [
        f"New setting in {folder}:",
        *(f"  {path.relative_to(folder)}{'/' if path.is_dir() else ''}" for path in made.written),
        "Private: only you can open these files and folders (they will hold personal data about children).",
        "What to do now:",
        f"  1. Open {folder / 'children.csv'} in Excel (or LibreOffice): one row per child, their "
        "parents' yes or no for each use of photos (docs/setting-up.md: The consent register). Save as CSV.",
        f"  2. Put each device's details in {folder / 'devices.csv'} (`photoaudit devices FOLDER` lists "
        "the cameras a folder of photos came from), and the staff in staff.csv.",
        f"  3. Reference photos: {folder / 'how-to-add-reference-photos.txt'}.",
        f"  4. Give the setting's name in {folder / 'photoaudit.toml'}.",
    ]


def init_next(made: NewSetting) -> str:
    """The step after init: the command that checks the new setting."""
    return setting_command(made.folder, "doctor")


def demo_built_lines(places: DemoPlaces) -> list[str]:
    """What the demo built, before it enrols and audits."""
    return [f"Demo setting in {places.setting} (register, reference photos), its week's photos in "
            f"{places.transfer}. Public-domain faces only: never a real child. Enrolling, then auditing:"]


def demo_done_lines(places: DemoPlaces, audit_exit: int) -> list[str]:
    """What to look at once the demo's audit ran (``audit_exit``: 0 all kept, 1 some need action)."""
    json_report, csv_report, html_report = places.reports
    return [
        f"Reports: {html_report} (open it in a web browser: a picture of each photo and why), "
        f"{csv_report} (a spreadsheet) and {json_report}.",
        f"The audit's exit code was {audit_exit}" + (": 1 means some photos need action, as the demo's do."
                                                      if audit_exit == 1 else "."),
        "Look at: the photo from a personal phone and the one taken after closing (For the DSL), the photos "
        "withheld from the website and social media, and the faces a person must look at.",
    ]
