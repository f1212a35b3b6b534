"""Pictures inside a picture (issue 13 item 4): EXIF thumbnails, MPO images, PNG frames.

The rule (photoaudit.core.inner_pictures.inner_verdict) is tested on plain values; the reading and the
whole audit on test images built with Pillow from the public-domain faces of
tests/nursery.py: c01 Ava (every consent), c02 Grace (no website or social media),
c03 Sam (no use at all).
"""

from __future__ import annotations

import io
import struct
from datetime import date
from pathlib import Path

import numpy
import pytest
from nursery import copy_data, enrolled_template, photo, settings_for, shared
from PIL import Image

from photoaudit.core.consent import consent_verdict
from photoaudit.core.inner_pictures import inner_verdict
from photoaudit.core.judging import Judging
from photoaudit.core.models import (
    Action,
    Child,
    FaceMatch,
    FaceStatus,
    InnerPicture,
    PhotoFacts,
    Register,
    Use,
)
from photoaudit.faces.engine import EngineSettings
from photoaudit.media.imaging import load_photo
from photoaudit.media.inner import exif_thumbnail, same_picture
from photoaudit.media.sources import MediaFile, MediaKind
from photoaudit.operations.examine import examine, file_verdict, identify
from photoaudit.operations.workflow import prepare

TODAY = date(2026, 11, 22)
YES = dict.fromkeys(("learning_journey", "other_journeys", "display", "website", "social_media"), True)
REGISTER = Register({
    "c01": Child("c01", "Ava", dict(YES), face_matching=True, consent_review_due=date(2030, 1, 1)),
    "c02": Child("c02", "Grace", {**YES, "website": False, "social_media": False}, face_matching=True,
                 consent_review_due=date(2030, 1, 1)),
})


def matched(child: str) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, (10, 50, 50, 10), child, 0.1)


# -- the rule, on plain values ------------------------------------------------------------

def test_a_child_only_in_the_thumbnail_holds_back_their_refused_uses() -> None:
    facts = PhotoFacts("crop.jpg", (matched("c01"),), inner=(InnerPicture("the EXIF thumbnail", (matched("c02"),)),))
    alone = consent_verdict(facts, REGISTER, TODAY)
    assert alone.purposes["website"] is Use.ALLOWED  # the main picture alone would be cleared
    verdict = inner_verdict(alone, facts, REGISTER, TODAY)
    assert verdict.purposes["website"] is Use.WITHHELD and verdict.purposes["social_media"] is Use.WITHHELD
    assert verdict.purposes["display"] is Use.ALLOWED and verdict.action is Action.KEEP
    assert any("In the EXIF thumbnail inside this file: Grace (c02) has no consent" in r for r in verdict.reasons)
    assert any("photoaudit check --export" in r for r in verdict.reasons)


def test_an_inner_picture_that_cannot_be_examined_holds_back_public_uses() -> None:
    facts = PhotoFacts("x.heic", (matched("c01"),), inner=(InnerPicture("1 auxiliary image(s)", problem="cannot"),))
    verdict = inner_verdict(consent_verdict(facts, REGISTER, TODAY), facts, REGISTER, TODAY)
    assert verdict.purposes["website"] is Use.REVIEW and verdict.purposes["social_media"] is Use.REVIEW
    assert verdict.purposes["learning_journey"] is Use.ALLOWED and verdict.action is Action.REVIEW
    assert "photoaudit check --export" in verdict.reasons[-1]


def test_the_learning_journeys_stay_open_only_to_owners_the_children_inside_allow() -> None:
    register = Register({**REGISTER.children, "c03": Child(
        "c03", "Sam", {**YES, "other_journeys": False}, face_matching=True, consent_review_due=date(2030, 1, 1))})
    facts = PhotoFacts("a.jpg", (matched("c01"), FaceMatch(FaceStatus.MATCHED, (60, 99, 99, 60), "c02", 0.1)),
                       inner=(InnerPicture("the EXIF thumbnail", (matched("c02"),)),))
    base = consent_verdict(facts, register, TODAY)
    assert base.journeys == ("c01", "c02")
    assert inner_verdict(base, facts, register, TODAY).journeys == ("c01", "c02")  # Grace is in the main picture too
    facts = PhotoFacts("a.jpg", (matched("c01"),), inner=(InnerPicture("image 2 of 2", (matched("c03"),)),))
    verdict = inner_verdict(consent_verdict(facts, register, TODAY), facts, register, TODAY)
    assert verdict.journeys == ("c03",)  # Ava may be in others' journeys; Sam may not
    assert verdict.purposes["learning_journey"] is Use.ALLOWED
    assert [n for n in verdict.notes if n.startswith("May go")] == ["May go in the learning journey of: Sam (c03)."]
    register.children["c01"] = Child("c01", "Ava", {**YES, "other_journeys": False}, face_matching=True,
                                     consent_review_due=date(2030, 1, 1))
    verdict = inner_verdict(consent_verdict(facts, register, TODAY), facts, register, TODAY)
    assert verdict.journeys == () and verdict.purposes["learning_journey"] is Use.WITHHELD
    assert not any(n.startswith("May go") for n in verdict.notes)


def test_an_unknown_face_inside_makes_a_review_and_nothing_inside_changes_nothing() -> None:
    unknown = FaceMatch(FaceStatus.UNKNOWN, (1, 2, 3, 0))
    facts = PhotoFacts("a.jpg", (matched("c01"),), inner=(InnerPicture("image 2 of 2", (unknown,)),))
    assert inner_verdict(consent_verdict(facts, REGISTER, TODAY), facts, REGISTER, TODAY).action is Action.REVIEW
    same = PhotoFacts("a.jpg", (matched("c01"),), inner=(InnerPicture("image 2 of 2", (matched("c01"),)),))
    base = consent_verdict(same, REGISTER, TODAY)
    after = inner_verdict(base, same, REGISTER, TODAY)
    assert after.purposes == base.purposes and after.action is base.action and after.journeys == base.journeys


# -- reading --------------------------------------------------------------------------------

def exif_with_thumbnail(thumb: Image.Image) -> bytes:
    """An EXIF block whose IFD1 holds ``thumb`` as a JPEG (as cameras write it)."""
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    data = buffer.getvalue()
    ifd1 = 8 + 2 + 4  # IFD0 has no entries
    entries = [(0x0103, 3, 1, 6), (0x0201, 4, 1, ifd1 + 2 + 12 * 3 + 4), (0x0202, 4, 1, len(data))]
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<HI", 0, ifd1)
    tiff += struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    tiff += struct.pack("<I", 0) + data
    assert len(tiff) < 65000
    return b"Exif\x00\x00" + tiff


def test_the_exif_thumbnail_is_found_in_the_exif_block() -> None:
    thumb = Image.new("RGB", (40, 30), (200, 10, 10))
    data = exif_thumbnail(exif_with_thumbnail(thumb))
    assert data is not None and Image.open(io.BytesIO(data)).size == (40, 30)
    assert exif_thumbnail(b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00") is None
    with pytest.raises(ValueError):
        exif_thumbnail(exif_with_thumbnail(thumb)[:-10])


def test_a_small_copy_of_the_photo_is_the_same_picture_a_crop_is_not() -> None:
    full = numpy.asarray(photo(("c01", "c02"), 3))
    small = numpy.asarray(Image.fromarray(full).resize((160, 120)))
    assert same_picture(small, full)
    crop = numpy.asarray(Image.fromarray(full).crop((0, 0, 320, 240)))
    assert not same_picture(small, crop)
    boxed = numpy.zeros((120, 160, 3), numpy.uint8)  # a 4:3 thumbnail of a wide photo, with bars
    wide = full[60:420]
    boxed[15:105] = numpy.asarray(Image.fromarray(wide).resize((160, 90)))
    assert same_picture(boxed, wide)
    doctored = full.copy()
    doctored[60:260, 340:540] = 0  # one face changed: not the same picture
    assert not same_picture(numpy.asarray(Image.fromarray(doctored).resize((160, 120))), full)


# -- the audit, with the real engine -----------------------------------------------------

@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    enrolled = shared("enrolled", tmp_path_factory, enrolled_template)
    data = copy_data(enrolled, tmp_path_factory.mktemp("inner") / "data")
    return prepare(settings_for(data), EngineSettings())


def verdict_of(path: Path, prepared):  # noqa: ANN001, ANN201
    media = MediaFile(path, path.name, MediaKind.PHOTO, path.stat().st_size)
    examined = examine(media, prepared.engine)
    facts = identify(examined, prepared.enrolled, prepared.settings.match)
    return file_verdict(media, examined, facts, Judging(prepared.register, TODAY, purposes=prepared.settings.purposes))


def crop_with_stale_thumbnail(path: Path) -> None:
    """A photo of Ava and Grace cropped to Ava, still carrying the thumbnail of the whole photo."""
    full = photo(("c01", "c02"), 41)
    full.crop((0, 0, 320, 480)).save(path, "JPEG", quality=90, exif=exif_with_thumbnail(full.resize((400, 300))))


def test_a_crop_carrying_the_thumbnail_of_the_other_child_is_not_cleared_for_the_website(
    tmp_path: Path, prepared
) -> None:  # noqa: ANN001
    crop_with_stale_thumbnail(tmp_path / "crop.jpg")
    verdict = verdict_of(tmp_path / "crop.jpg", prepared)
    assert verdict.purposes["website"] is not Use.ALLOWED and verdict.purposes["social_media"] is not Use.ALLOWED
    assert any("EXIF thumbnail" in r for r in verdict.reasons)


def test_a_photo_with_its_own_thumbnail_stays_cleared(tmp_path: Path, prepared) -> None:  # noqa: ANN001
    full = photo(("c01",), 42)
    full.save(tmp_path / "ava.jpg", "JPEG", quality=90, exif=exif_with_thumbnail(full.resize((160, 120))))
    assert load_photo(tmp_path / "ava.jpg", inner=True).inner == ()
    verdict = verdict_of(tmp_path / "ava.jpg", prepared)
    assert verdict.action is Action.KEEP and verdict.purposes["website"] is Use.ALLOWED


def test_an_mpo_whose_second_image_shows_a_child_without_consent_is_not_kept(
    tmp_path: Path, prepared
) -> None:  # noqa: ANN001
    path = tmp_path / "two.jpg"
    photo(("c01",), 43).save(path, "MPO", save_all=True, append_images=[photo(("c03",), 44)], quality=90)
    assert Image.open(path).format == "MPO" and Image.open(path).n_frames == 2
    verdict = verdict_of(path, prepared)
    assert verdict.action is Action.DELETE, verdict.reasons
    assert all(use is Use.WITHHELD for use in verdict.purposes.values())


def test_an_animated_png_frame_is_examined(tmp_path: Path, prepared) -> None:  # noqa: ANN001
    path = tmp_path / "anim.png"
    photo(("c01",), 45).save(path, save_all=True, append_images=[photo(("c02",), 46)], duration=500)
    verdict = verdict_of(path, prepared)
    assert verdict.purposes["website"] is Use.WITHHELD and verdict.purposes["display"] is Use.ALLOWED


def test_the_export_copy_carries_no_inner_picture(tmp_path: Path, prepared) -> None:  # noqa: ANN001
    from photoaudit.operations.check import gather, run_check

    crop_with_stale_thumbnail(tmp_path / "crop.jpg")
    photos = tmp_path / "photos"
    photos.mkdir()
    (tmp_path / "crop.jpg").rename(photos / "crop.jpg")
    out = tmp_path / "export"
    result = run_check(gather([photos / "crop.jpg"]), prepared, TODAY, "website", out, "cover", [])
    (checked,) = result.photos
    assert checked.verdict.purposes["website"] is not Use.ALLOWED  # the file itself is not cleared
    assert not checked.cleared and result.exit_code == 1, checked.plan.blockers  # and check says so
    (copy,) = list(out.iterdir())
    with Image.open(copy) as im:
        assert not im.info.get("exif") and getattr(im, "n_frames", 1) == 1
    assert load_photo(copy, inner=True).inner == ()


def test_heic_thumbnails_and_images_are_read(tmp_path: Path) -> None:
    from photoaudit.media.imaging import register_heif

    register_heif()
    first, second = photo(("c01",), 47), photo(("c03",), 48)
    first.save(tmp_path / "own.heic", thumbnails=[160])
    assert load_photo(tmp_path / "own.heic", inner=True).inner == ()  # its own thumbnail: a small copy
    first.save(tmp_path / "two.heic", save_all=True, append_images=[second])
    (found,) = load_photo(tmp_path / "two.heic", inner=True).inner
    assert found.label == "image 2 of 2" and found.pixels is not None and found.pixels.shape == (480, 640, 3)
