"""Build a nursery setting for tests in a temporary folder: register CSV and reference photos.

Every picture is made from the public-domain sample faces (tests/faces.py), never real children.
"""

from __future__ import annotations

import csv
from pathlib import Path

from PIL import Image

from photoaudit.core.models import PURPOSES

HEADER = ("child_id", "name", "room", "status", "leave_date", *PURPOSES, "face_matching", "consent_review_due")


def child(
    child_id: str,
    name: str,
    *,
    status: str = "attending",
    refuse: tuple[str, ...] = (),
    face_matching: str = "yes",
    review_due: str = "2030-09-01",
    leave_date: str = "",
) -> dict[str, str]:
    """A register row: every purpose "yes" except those in ``refuse`` ("all" refuses every one)."""
    refused = PURPOSES if refuse == ("all",) else refuse
    row = {"child_id": child_id, "name": name, "room": "Butterflies", "status": status,
           "leave_date": leave_date, "face_matching": face_matching, "consent_review_due": review_due}
    row.update({p: "no" if p in refused else "yes" for p in PURPOSES})
    return row


def write_register(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def save_reference(img: Image.Image, faces_dir: Path, child_id: str, name: str) -> Path:
    folder = faces_dir / child_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    img.convert("RGB").save(path, quality=92)
    return path
