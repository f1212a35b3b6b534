"""A small test setting on disk: register, reference photos and a transfer folder.

The "children" are public-domain adult faces (see photoaudit.media.samples), never real
children. Used by the tests that run the real face engine end to end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PIL import Image, ImageOps

from photoaudit.core.settings import Settings
from photoaudit.media.samples import (
    astronaut,
    astronaut_face,
    grace_hopper,
    grace_hopper_face,
    scene,
)

TODAY = date(2026, 11, 20)
HEADER = (
    "child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
    "social_media,face_matching,consent_review_due"
)
#: c01 Ava (the astronaut): enrolled, yes to everything. c02 Grace (Grace Hopper): no face
#: matching, no website or social media. c03 Sam: no to everything, no face matching.
ROWS = [
    "c01,Ava Patel,Butterflies,attending,,yes,yes,yes,yes,yes,yes,2030-09-01",
    "c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,no,2030-09-01",
    "c03,Sam Jones,Caterpillars,attending,,no,no,no,no,no,no,2030-09-01",
]


def write_register(data: Path, rows: list[str] = ROWS) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / "children.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def make_setting(root: Path, rows: list[str] = ROWS) -> Settings:
    """A setting in ``root/data`` with Ava's reference photos, and an empty ``root/transfer``."""
    data = root / "data"
    write_register(data, rows)
    refs = data / "faces" / "c01"
    refs.mkdir(parents=True)
    for n, photo in enumerate(
        [astronaut(), ImageOps.mirror(astronaut()), astronaut().crop((80, 0, 430, 350)).resize((500, 500))], 1
    ):
        photo.save(refs / f"reference-{n}.jpg", quality=92)
    (root / "transfer").mkdir()
    return Settings(data_dir=data)


def ava_alone(path: Path, seed: int = 1) -> Path:
    scene([(astronaut_face(), (300, 150), 260)], (900, 700), seed=seed).save(path, quality=90)
    return path


def grace_alone(path: Path, seed: int = 2) -> Path:
    scene([(grace_hopper_face(), (300, 120), 300)], (900, 700), seed=seed).save(path, quality=90)
    return path


def ava_and_grace(path: Path, seed: int = 3) -> Path:
    scene(
        [(astronaut_face(), (80, 200), 240), (grace_hopper_face(), (520, 180), 260)], (1000, 750), seed=seed
    ).save(path, quality=90)
    return path


def grace_portrait(size: int = 700) -> Image.Image:
    return grace_hopper().resize((size, round(size * 600 / 512)))
