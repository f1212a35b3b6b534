"""A small audited nursery for the tests of the audit's memory: register, reference photos, photos.

The "children" are the public-domain faces of :mod:`photoaudit.media.samples` (never real
children): c01 Ava (the astronaut, every consent), c02 Grace (Grace Hopper, no website
or social media), c03 Sam (the cameraman, parents refused every use). Photos are small
(640 x 480) so the real face engine stays quick.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageOps

from photoaudit.core.settings import Settings
from photoaudit.faces.engine import EngineSettings
from photoaudit.media.samples import (
    astronaut,
    astronaut_face,
    cameraman,
    grace_hopper,
    grace_hopper_face,
    scene,
)
from photoaudit.operations.workflow import prepare

HEADER = (
    "child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
    "social_media,face_matching,consent_review_due\n"
)
ROWS = {
    "c01": "c01,Ava Patel,Butterflies,attending,,yes,yes,yes,yes,yes,yes,2030-09-01\n",
    "c02": "c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01\n",
    "c03": "c03,Sam Jones,Caterpillars,attending,,no,no,no,no,no,yes,2030-09-01\n",
}
CAMERAMAN_HEAD = (150, 60, 300, 240)
SIZE = (640, 480)


def sam_face() -> Image.Image:
    return cameraman().crop(CAMERAMAN_HEAD)


def write_register(data: Path, rows: dict[str, str] | None = None) -> None:
    (data / "children.csv").write_text(HEADER + "".join((rows or ROWS).values()), encoding="utf-8")


def review_far_ahead(data: Path) -> None:
    """The register with every consent due for review in 2099, for a command run in a process of
    its own on the real day (a command that changes files refuses --today), so that no test
    depends on the day it runs. The enrolment is unchanged (review dates are not part of it)."""
    write_register(data, {child: row.replace("2030-09-01", "2099-12-31") for child, row in ROWS.items()})


def build_data(data: Path) -> None:
    """children.csv and faces/<child>/ reference photos."""
    data.mkdir(parents=True, exist_ok=True)
    write_register(data)
    refs = {
        "c01": [astronaut(), ImageOps.mirror(astronaut())],
        "c02": [grace_hopper(), ImageOps.mirror(grace_hopper())],
        "c03": [cameraman().resize((1024, 1024)), ImageOps.mirror(cameraman()).resize((1024, 1024))],
    }
    for child_id, photos in refs.items():
        folder = data / "faces" / child_id
        folder.mkdir(parents=True)
        for n, photo in enumerate(photos, start=1):
            photo.save(folder / f"reference-{n}.jpg", quality=92)


#: relative path -> (who is in it, seed); seeds make every photo's bytes different.
PHOTOS: dict[str, tuple[tuple[str, ...], int]] = {
    "tablet-1/ava.jpg": (("c01",), 1),
    "tablet-1/grace.jpg": (("c02",), 2),
    "tablet-1/empty.png": ((), 3),
    "tablet-2/sam.jpg": (("c03",), 4),
    "tablet-2/ava-and-sam.jpg": (("c01", "c03"), 5),
    "tablet-2/sam-again.jpg": (("c03",), 6),
}


def photo(who: tuple[str, ...], seed: int) -> Image.Image:
    heads = {"c01": astronaut_face, "c02": grace_hopper_face, "c03": sam_face}
    width = {"c01": 200, "c02": 200, "c03": 220}
    placed = [(heads[c](), (40 + 300 * i, 60), width[c]) for i, c in enumerate(who)]
    return scene(placed, SIZE, seed=seed)


def build_transfer(folder: Path, photos: dict[str, tuple[tuple[str, ...], int]] | None = None) -> Path:
    for relative, (who, seed) in (photos or PHOTOS).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        image = photo(who, seed)
        if path.suffix == ".png":
            image.save(path)
        else:
            image.save(path, quality=90)
    return folder


def copy_data(template: Path, data: Path) -> Path:
    """A private copy of an enrolled setting (times kept, so it needs no new enrolment)."""
    shutil.copytree(template, data, copy_function=shutil.copy2)
    return data


def settings_for(data: Path, **changes: object) -> Settings:
    return replace(Settings(data_dir=data), **changes)


def enrolled_template(root: Path) -> Path:
    """Build the setting in ``root`` and enrol it once (the slow part, shared by tests)."""
    data = root / "data"
    build_data(data)
    prepare(settings_for(data), EngineSettings(), force_enrol=True)
    return data


_built: dict[str, Path] = {}


def shared(name: str, factory, build) -> Path:  # noqa: ANN001
    """Build something slow once per test session, whichever test module asks first."""
    if name not in _built:
        _built[name] = build(factory.mktemp(name))
    return _built[name]


def audited_template(root: Path, enrolled: Path) -> Path:
    """An enrolled setting whose standard transfer folder was audited once."""
    from datetime import date

    from photoaudit.operations.workflow import audit

    data = copy_data(enrolled, root / "data")
    folder = build_transfer(root / "transfer")
    settings = settings_for(data)
    audit(folder, prepare(settings, EngineSettings()), date(2026, 11, 22))
    return root


def nursery_copy(template: Path, into: Path) -> tuple[Path, Path]:
    """A private copy (data, transfer folder) of an audited setting for one test."""
    data = copy_data(template / "data", into / "data")
    folder = into / "transfer"
    shutil.copytree(template / "transfer", folder, copy_function=shutil.copy2)
    return data, folder
