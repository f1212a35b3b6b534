"""`photoaudit check` and `--export`, end to end with the real face engine.

The demo's public-domain faces play the children: the astronaut is Ava (c01, every
use allowed), Grace Hopper is Grace (c02, no website or social media), and the
cameraman is nobody in the register (an unknown face). The tests prove on real
pixels that an exported copy hides Grace from the face engine, keeps Ava, carries
no metadata, is upright, and that originals are never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import numpy
import pytest
from faces import astronaut, astronaut_face, cameraman, grace_hopper, grace_hopper_face, scene
from metadata import (
    SERIAL,
    XMP_PACKET,
    identifying_exif,
    metadata_left,
    save_jpeg_with_everything,
    save_png_with_everything,
)
from PIL import Image, ImageOps
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.cover import head_region
from photoaudit.core.matching import nearest_children
from photoaudit.core.models import Action, FaceStatus
from photoaudit.core.settings import Settings
from photoaudit.faces.engine import EngineSettings
from photoaudit.media.export import COVER_RGB
from photoaudit.media.imaging import load_photo
from photoaudit.operations.examine import Examined, identify
from photoaudit.operations.workflow import Prepared, audit, prepare

TODAY = "2026-11-22"
REGISTER = """child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,social_media,face_matching,consent_review_due
c01,Ava Patel,Butterflies,attending,,yes,yes,yes,yes,yes,yes,2030-09-01
c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01
"""
CAMERAMAN_HEAD = (150, 60, 300, 240)


#: Commands that change files refuse --today: the real day is set to the test day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_test_day")


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A setting's data folder with Ava and Grace enrolled."""
    data = tmp_path_factory.mktemp("setting")
    (data / "children.csv").write_text(REGISTER, encoding="utf-8")
    references = {
        "c01": [astronaut(), ImageOps.mirror(astronaut()), astronaut().crop((80, 0, 430, 350)).resize((500, 500))],
        "c02": [grace_hopper(), ImageOps.mirror(grace_hopper()), grace_hopper().crop((60, 40, 460, 520))],
    }
    for child_id, photos in references.items():
        (data / "faces" / child_id).mkdir(parents=True)
        for n, img in enumerate(photos, start=1):
            img.save(data / "faces" / child_id / f"reference-{n}.jpg", quality=92)
    return data


@pytest.fixture(scope="module")
def prepared(setting: Path) -> Prepared:
    result = prepare(Settings(data_dir=setting), EngineSettings())
    assert sorted(result.enrolled) == ["c01", "c02"]
    return result


def group_scene() -> Image.Image:
    """Ava on the left, Grace on the right."""
    return scene([(astronaut_face(), (150, 300), 360), (grace_hopper_face(), (800, 250), 400)], (1400, 1000), seed=3)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of photos as they come off a tablet, full of identifying metadata."""
    folder = tmp_path_factory.mktemp("photos")
    group = group_scene()
    exif = identifying_exif(thumbnail=group)  # the thumbnail shows Grace uncovered
    save_jpeg_with_everything(group, folder / "group.jpg", exif)
    # Stored sideways, shown upright by EXIF orientation 6 (as tablets do), with GPS too.
    save_jpeg_with_everything(group.transpose(Image.Transpose.ROTATE_90), folder / "sideways.jpg",
                              identifying_exif(orientation=6, thumbnail=group))
    save_png_with_everything(group, folder / "group.png", exif)
    import pillow_heif

    pillow_heif.register_heif_opener()
    group.save(folder / "group.heic", "HEIF", quality=90, exif=exif, xmp=XMP_PACKET)  # as an iPhone writes
    ava = scene([(astronaut_face(), (500, 250), 380)], (1400, 1000), seed=4)
    save_jpeg_with_everything(ava, folder / "ava.jpg", identifying_exif(gps=False))
    stranger = cameraman().crop(CAMERAMAN_HEAD)
    save_jpeg_with_everything(
        scene([(astronaut_face(), (150, 300), 360), (stranger, (850, 300), 360)], (1400, 1000), seed=5),
        folder / "stranger.jpg", identifying_exif(),
    )
    return folder


def run(setting: Path, *args: str):  # noqa: ANN201
    """``check`` judged as on TODAY; with --export as on the real day (--today never makes copies to post)."""
    today = () if "--export" in args else ("--today", TODAY)
    result = CliRunner().invoke(
        app, ["--data", str(setting), "check", *today, *args], env={"COLUMNS": "400"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def digests(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def faces_in(path: Path, prepared: Prepared):  # noqa: ANN201
    """What the face engine finds in an image file: (match, distance to Grace's templates)."""
    pixels = load_photo(path).pixels
    found = tuple(prepared.engine.find_faces(pixels))
    facts = identify(Examined(path.name, found), prepared.enrolled, prepared.settings.match)
    out = []
    for face, match in zip(found, facts.faces, strict=True):
        to_grace = None
        if face.template is not None:
            to_grace = {c.child_id: c.distance for c in nearest_children(face.template, prepared.enrolled)}["c02"]
        out.append((match, to_grace))
    return out


# --- the check ------------------------------------------------------------------------

def test_a_cleared_photo_exits_0(setting: Path, photos: Path) -> None:
    result = run(setting, "--for", "social_media", str(photos / "ava.jpg"))
    assert result.exit_code == 0, result.output
    assert "ava.jpg: cleared for social media." in result.stdout


def test_facebook_and_instagram_are_checked_as_social_media_and_the_check_says_so(setting: Path, photos: Path) -> None:
    for word in ("facebook", "Instagram"):
        result = run(setting, "--for", word, str(photos / "group.jpg"))
        assert result.exit_code == 1, result.output
        assert f"Checking for social media (--for social_media): {word!r} is read as that use." in result.stdout
        assert "Grace Okafor (c02) has no consent for social media" in result.stdout
    press = run(setting, "--for", "press", "-q", str(photos / "ava.jpg"))
    assert "purpose=website" in press.stdout, press.output


def test_one_photo_not_cleared_exits_1_and_names_the_child_and_rule(setting: Path, photos: Path) -> None:
    result = run(setting, "--for", "social_media", str(photos / "ava.jpg"), str(photos / "group.jpg"))
    assert result.exit_code == 1, result.output
    line = next(l for l in result.stdout.splitlines() if "group.jpg: " in l)
    assert "NOT cleared for social media" in line
    assert "Grace Okafor (c02) has no consent for social media" in line
    assert "(R2)" not in result.stdout  # plain words: rule codes only with --rules
    assert "1 of 2 photos cleared" in result.stdout
    coded = run(setting, "--for", "social_media", "--rules", str(photos / "group.jpg"))
    assert "Grace Okafor (c02) has no consent for social media (R2)" in coded.stdout


def test_quiet_output_is_one_line_however_narrow(setting: Path, photos: Path, tmp_path: Path) -> None:
    """Piped (cron's mail, a log), --quiet's line is never wrapped, even with --export."""
    result = CliRunner().invoke(app, [
        "--data", str(setting), "check", "--for", "social_media", "-q",
        "--export", str(tmp_path / "out"), str(photos / "ava.jpg"), str(photos / "group.jpg"),
    ], env={"COLUMNS": "40"})
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("photoaudit check: purpose=social_media"), result.stdout
    assert lines[0].endswith("copies=2 held=0 warnings=1")  # no devices.csv


def test_the_same_photo_is_cleared_for_a_use_every_child_allows(setting: Path, photos: Path) -> None:
    assert run(setting, "--for", "display", str(photos / "group.jpg")).exit_code == 0


def test_a_photo_recording_its_location_is_not_cleared_to_go_outside_the_setting(
    setting: Path, photos: Path, tmp_path: Path
) -> None:
    """R10: ava-gps.jpg is Ava alone, cleared for everything, but it says where it was taken."""
    located = tmp_path / "in" / "ava-gps.jpg"
    located.parent.mkdir()
    save_jpeg_with_everything(Image.open(photos / "ava.jpg"), located, identifying_exif())
    result = run(setting, "--for", "social_media", str(located))
    assert result.exit_code == 1
    assert "GPS location" in result.stdout and "--export" in result.stdout
    assert run(setting, "--for", "display", str(located)).exit_code == 0  # inside the setting
    out = tmp_path / "out"
    result = run(setting, "--for", "social_media", "--export", str(out), str(located))
    assert [p.name for p in out.iterdir()] == ["ava-gps.jpg"]  # the copy carries no location
    assert metadata_left((out / "ava-gps.jpg").read_bytes()) == []


def test_a_photo_from_a_personal_phone_is_not_cleared_and_gets_no_copy(
    setting: Path, photos: Path, tmp_path: Path
) -> None:
    """R6: with a device register, a photo from an unregistered camera is a breach: no copy."""
    data = tmp_path / "setting"
    shutil.copytree(setting, data)
    (data / "devices.csv").write_text(
        "device_id,label,make,model,serial,folder\nt1,Tablet 1,Setting Tablets Ltd,Tab 9,,\n", encoding="utf-8")
    phone = tmp_path / "in" / "phone.jpg"
    phone.parent.mkdir()
    save_jpeg_with_everything(Image.open(photos / "ava.jpg"), phone, identifying_exif(gps=False, make="Personal Phones Inc"))
    out = tmp_path / "out"
    result = run(data, "--for", "display", "--export", str(out), str(phone), str(photos / "ava.jpg"))
    assert result.exit_code == 1
    line = next(l for l in result.stdout.splitlines() if "phone.jpg: " in l)
    assert "NOT cleared" in line and "not one of the setting's registered devices" in line and "(R6)" not in line
    assert [p.name for p in out.iterdir()] == ["ava.jpg"]  # the registered tablet's photo only
    assert "no copy made" in result.stdout


def test_an_unknown_face_needs_a_person(setting: Path, photos: Path) -> None:
    result = run(setting, "--for", "display", str(photos / "stranger.jpg"))
    assert result.exit_code == 1
    assert "not a child photoaudit can identify" in result.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--for", "tiktok", "ava.jpg"], "not a use photoaudit knows"),
        (["--for", "website", "missing.jpg"], "No such file"),
        (["--for", "website", "--unknown", "blur", "--export", "out", "ava.jpg"], "--unknown"),
        (["--for", "website", "--export", ".", "ava.jpg"], "folder of their own"),
        (["--for", "website", "--export", "ava.jpg", "group.jpg"], "not a folder"),
        (["--for", "website", "--today", "11/22/2026", "ava.jpg"], "--today"),  # US order: no month 22
    ],
)
def test_could_not_run_exits_2_and_writes_nothing(
    setting: Path, photos: Path, args: list[str], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(photos)
    before = digests(photos)
    result = run(setting, *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert digests(photos) == before


def test_a_report_inside_the_export_folder_is_refused(setting: Path, photos: Path, tmp_path: Path) -> None:
    result = run(setting, "--for", "website", "--export", str(tmp_path / "out"),
                 "--json", str(tmp_path / "out" / "report.json"), str(photos / "ava.jpg"))
    assert result.exit_code == 2 and "reports name children" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_register_exits_2(tmp_path: Path, photos: Path) -> None:
    assert run(tmp_path, "--for", "website", str(photos / "ava.jpg")).exit_code == 2


def test_json_report_is_the_audit_contract_plus_the_check(setting: Path, photos: Path, tmp_path: Path) -> None:
    result = run(setting, "--for", "website", "--json", "-", "--export", str(tmp_path / "out"),
                 str(photos / "ava.jpg"), str(photos / "group.jpg"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)  # standard output carries only the JSON
    assert report["version"] == 1
    assert {"generated", "today", "folder", "summary", "warnings", "images"} <= set(report)
    assert report["check"]["purpose"] == "website"
    assert (report["check"]["photos"], report["check"]["cleared"], report["check"]["not_cleared"]) == (2, 1, 1)
    assert report["check"]["export"]["copies"] == 2
    ava, group = report["images"]
    assert set(ava) >= {"path", "action", "purposes", "journeys", "faces", "reasons", "notes"}
    assert ava["check"] == {"purpose": "website", "cleared": True, "why": []}
    assert group["purposes"]["website"] == "withheld" and group["action"] == "keep"
    assert group["check"]["cleared"] is False and "Grace Okafor (c02)" in group["check"]["why"][0]
    assert any("covered could be used" in n for n in group["notes"])
    covered = group["export"]["covered"]
    assert [c["child_id"] for c in covered] == ["c02"] and group["export"]["kept"] == ["c01"]
    grace_box = next(f["box"] for f in group["faces"] if f["child_id"] == "c02")
    assert covered[0]["box"] == grace_box
    assert group["export"]["copy"] == "group.jpg" and ava["export"]["covered"] == []


# --- the export -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(setting: Path, photos: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Every photo exported for social media (Grace and the stranger covered)."""
    out = tmp_path_factory.mktemp("export") / "ready_to_post"
    before = digests(photos)
    result = run(setting, "--for", "social_media", "--export", str(out), *sorted(str(p) for p in photos.iterdir()))
    assert result.exit_code == 1, result.output  # not every photo was cleared as it is
    return out, result, before


def test_the_export_makes_one_copy_per_photo(exported) -> None:  # noqa: ANN001
    out, result, _ = exported
    assert sorted(p.name for p in out.iterdir()) == [
        "ava.jpg", "group-2.jpg", "group.jpg", "group.png", "sideways.jpg", "stranger.jpg"]
    # group.heic and group.jpg both want group.jpg: the second gets a new name, and says so
    assert "group.jpg was already there" in result.stdout


def test_originals_are_never_touched(exported, photos: Path) -> None:  # noqa: ANN001
    _, _, before = exported
    assert digests(photos) == before


def test_no_metadata_survives_in_any_copy(exported) -> None:  # noqa: ANN001
    out, _, _ = exported
    for copy in out.iterdir():
        assert metadata_left(copy.read_bytes()) == [], copy.name
    assert (out / "group.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # PNG stays PNG


def test_the_originals_did_carry_metadata(photos: Path) -> None:
    """Otherwise the test above would prove nothing."""
    for name in ("group.jpg", "sideways.jpg", "group.png", "ava.jpg"):
        assert metadata_left((photos / name).read_bytes()), name
    heic = (photos / "group.heic").read_bytes()
    assert SERIAL.encode() in heic and b"GPS" in heic and b"xmpmeta" in heic


def test_the_covered_child_is_not_found_in_the_copy(exported, photos: Path, prepared: Prepared) -> None:  # noqa: ANN001
    out, result, _ = exported
    tolerance = prepared.settings.match.tolerance
    original = faces_in(photos / "group.jpg", prepared)
    assert sorted(m.child_id for m, _ in original) == ["c01", "c02"]  # she was there before
    for name in ("group.jpg", "group-2.jpg", "group.png", "sideways.jpg"):
        found = faces_in(out / name, prepared)
        assert [m.child_id for m, _ in found] == ["c01"], name  # Ava is still there, matched
        assert all(m.status is FaceStatus.MATCHED for m, _ in found)
        assert all(d is None or d > tolerance for _, d in found), name  # nothing near Grace
    line = next(l for l in result.stdout.splitlines() if "copy written" in l and "group.png" in l)
    assert re.search(r"face \d \(Grace Okafor \(c02\)\) covered", line) and "Ava Patel (c01)" in line


def test_the_cover_is_solid_over_the_whole_head(exported, photos: Path, prepared: Prepared) -> None:  # noqa: ANN001
    out, _, _ = exported
    grace = next(m for m, _ in faces_in(photos / "group.png", prepared) if m.child_id == "c02")
    copy = numpy.asarray(Image.open(out / "group.png").convert("RGB"))
    left, top, right, bottom = head_region(grace.box, copy.shape[1], copy.shape[0])
    assert (copy[top:bottom, left:right] == COVER_RGB).all()  # lossless PNG: exactly solid
    # the whole of Grace's pasted head (cap and hair included) is inside the cover
    x, y, width = 800, 250, 400
    height = round(grace_hopper_face().height * width / grace_hopper_face().width)
    assert left <= x + 40 and right >= x + width - 40 and top <= y + 40 and bottom >= y + height - 60


def test_orientation_is_baked_into_the_pixels(exported) -> None:  # noqa: ANN001
    out, _, _ = exported
    with Image.open(out / "sideways.jpg") as im:
        assert im.size == group_scene().size  # upright: landscape again
        assert 0x0112 not in im.getexif()
    upright = numpy.asarray(Image.open(out / "sideways.jpg").convert("RGB"), dtype=int)
    expected = numpy.asarray(group_scene(), dtype=int)
    # Ava's side (left half, uncovered) is the upright picture, not a rotated one
    assert numpy.abs(upright[:, :600] - expected[:, :600]).mean() < 8


def test_unknown_faces_are_covered_by_default(exported, prepared: Prepared) -> None:  # noqa: ANN001
    out, result, _ = exported
    found = faces_in(out / "stranger.jpg", prepared)
    assert [m.child_id for m in (f for f, _ in found)] == ["c01"]
    assert re.search(r"stranger\.jpg, with face \d \(not identified\) covered", result.stdout)


def test_unknown_hold_holds_photos_with_unknown_faces_back(setting: Path, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(setting, "--for", "display", "--unknown", "hold", "--export", str(out), "--json", "-",
                 str(photos / "stranger.jpg"), str(photos / "group.jpg"))
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["group.jpg"]
    report = json.loads(result.stdout)
    stranger = report["images"][0]
    assert stranger["export"]["copy"] is None
    assert "not a child photoaudit can identify" in stranger["export"]["held"][0]
    assert report["check"]["export"] == {"folder": str(out), "unknown": "hold", "copies": 1, "held": 1}


def test_an_existing_file_is_never_overwritten(setting: Path, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "ava.jpg").write_bytes(b"yesterday's copy, edited by hand")
    result = run(setting, "--for", "website", "--export", str(out), str(photos / "ava.jpg"))
    assert result.exit_code == 0
    assert (out / "ava.jpg").read_bytes() == b"yesterday's copy, edited by hand"
    assert (out / "ava-2.jpg").is_file()
    assert "ava-2.jpg" in result.stdout and "nothing was overwritten" in result.stdout


def test_a_photo_that_cannot_be_read_gets_no_copy(setting: Path, photos: Path, tmp_path: Path) -> None:
    broken = tmp_path / "in" / "half.jpg"
    broken.parent.mkdir()
    data = (photos / "ava.jpg").read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    result = run(setting, "--for", "website", "--export", str(out), str(broken))
    assert result.exit_code == 1
    assert list(out.iterdir()) == []
    assert "no copy made" in result.stdout and "truncated" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_copies_are_private_files(exported) -> None:  # noqa: ANN001
    out, _, _ = exported
    assert out.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())


def test_a_folder_can_be_checked_and_quiet_prints_one_line(setting: Path, photos: Path) -> None:
    result = run(setting, "--for", "display", "--quiet", str(photos))
    assert result.exit_code == 1  # the stranger
    assert result.stdout.strip().splitlines() == [
        "photoaudit check: purpose=display photos=6 cleared=5 not_cleared=1 warnings=1"]  # no devices.csv


# --- the weekly audit's note ------------------------------------------------------------

def test_the_audit_says_a_covered_copy_could_be_used(prepared: Prepared, photos: Path) -> None:
    result = audit(photos, prepared, date.fromisoformat(TODAY))
    group = next(v for v in result.verdicts if v.path == "group.jpg")
    assert group.action is Action.KEEP
    assert any(
        re.search(r"face \d \(Grace Okafor \(c02\)\) covered could be used for the website, "
                  r"brochure or press and social media", n)
        for n in group.notes
    ), group.notes
    ava = next(v for v in result.verdicts if v.path == "ava.jpg")
    assert not any("covered" in n for n in ava.notes)
