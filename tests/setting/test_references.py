"""How old each child's reference photos are (photoaudit.setting.references)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import piexif
import pytest
from PIL import Image

from photoaudit.core.models import PURPOSES, Child, Register
from photoaudit.setting.references import (
    age_words,
    exif_time,
    months_later,
    overview,
    taken_time,
    too_old,
)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 5, 5), 12, date(2027, 5, 5)),
    ],
)
def test_months_later(day: date, months: int, expected: date) -> None:
    assert months_later(day, months) == expected


def test_too_old_after_the_maximum_age_and_when_undated() -> None:
    taken = date(2026, 3, 1)
    assert not too_old(taken, date(2026, 9, 1), 6)
    assert too_old(taken, date(2026, 9, 2), 6)
    assert not too_old(taken, date(2026, 9, 2), 7)
    assert too_old(None, date(2026, 9, 2), 6)


def test_age_words() -> None:
    assert age_words(date(2026, 3, 1), date(2026, 11, 20)) == "8 months old"
    assert age_words(date(2026, 10, 21), date(2026, 11, 20)) == "30 days old"
    assert age_words(date(2026, 10, 20), date(2026, 11, 20)) == "1 month old"


def test_exif_time() -> None:
    assert exif_time("2026:03:01 10:20:30") == datetime(2026, 3, 1, 10, 20, 30)
    assert exif_time(b"2026:03:01 10:20:30\x00") == datetime(2026, 3, 1, 10, 20, 30)
    assert exif_time("0000:00:00 00:00:00") is None
    assert exif_time(None) is None


def test_taken_time_from_exif_or_the_file_date(tmp_path: Path) -> None:
    dated = tmp_path / "dated.jpg"
    exif = piexif.dump({"Exif": {piexif.ExifIFD.DateTimeOriginal: b"2025:12:24 15:00:00"}})
    Image.new("RGB", (20, 20)).save(dated, exif=exif)
    assert taken_time(dated) == datetime(2025, 12, 24, 15, 0)
    plain = tmp_path / "plain.jpg"
    Image.new("RGB", (20, 20)).save(plain)
    stamp = datetime(2026, 2, 2, 8, 0).timestamp()
    os.utime(plain, (stamp, stamp))
    assert taken_time(plain) == datetime(2026, 2, 2, 8, 0)


def test_overview_counts_templates_and_finds_the_newest_photo(tmp_path: Path) -> None:
    def child(child_id: str, name: str, face_matching: bool = True) -> Child:
        return Child(child_id, name, {p: True for p in PURPOSES}, face_matching, date(2030, 1, 1))

    register = Register({c.child_id: c for c in (child("c01", "Ava"), child("c02", "Grace"), child("c03", "Sam", False))})
    faces = tmp_path / "faces"
    (faces / "c01").mkdir(parents=True)
    for name, when in (("old.jpg", b"2025:01:10 09:00:00"), ("review-x.jpg", b"2026:10:01 09:00:00")):
        Image.new("RGB", (20, 20)).save(faces / "c01" / name, exif=piexif.dump({"Exif": {piexif.ExifIFD.DateTimeOriginal: when}}))
    rows = {r.child.child_id: r for r in overview(
        register, faces, {"c01": ["c01/old.jpg", "c01/review-x.jpg"]}, {"c01/review-x.jpg"}, date(2026, 11, 20), 6
    )}
    assert (rows["c01"].templates, rows["c01"].from_review) == (2, 1)
    assert rows["c01"].newest == date(2026, 10, 1) and not rows["c01"].stale
    assert rows["c02"].templates == 0 and rows["c02"].newest is None and not rows["c02"].stale
    later = overview(register, faces, {"c01": ["c01/old.jpg"]}, set(), date(2026, 11, 20), 6)
    assert next(r for r in later if r.child.child_id == "c01").stale
