"""The demo setting's pictures, made from public-domain faces that registry packages ship.

No real children: the "children" of the demo register (photoaudit/setting/demo_setting/)
are played by the astronaut Eileen Collins (scikit-image) and Grace Hopper (matplotlib);
the practitioner of its staff register by the cameraman (scikit-image). Those packages are
the ``demo`` extra (``photoaudit[demo]``): photoaudit itself never needs them, and
:func:`photoaudit.media.samples.missing` says when they are not installed.

- :func:`references`: reference photos for enrolment (``faces/<child_id>/``, ``staff/<staff_id>/``);
- :func:`transfer`: this week's transfer folder to audit.

Every photo carries the EXIF a camera writes (make, model, date; one a location),
dated relative to today, so the audit's device, date and location rules have
something to find.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageOps

from .samples import (
    astronaut,
    astronaut_face,
    camera_exif,
    cameraman,
    grace_hopper,
    grace_hopper_face,
    save_heic,
    save_jpeg_with_orientation,
    save_video,
    scene,
)

CAMERAMAN_HEAD = (150, 60, 300, 240)
#: The demo setting's devices, as in its devices.csv (photoaudit/setting/demo_setting/).
TABLET_1 = ("samsung", "SM-T220")
TABLET_2 = ("Apple", "iPad (9th generation)")
PERSONAL_PHONE = ("Apple", "iPhone 14 Pro")


def taken_at(days_ago: float, hour: int = 10, minute: int = 15) -> datetime:
    """``days_ago`` days before now at ``hour``:``minute`` (opening hours unless asked otherwise)."""
    now = datetime.now(UTC).astimezone().replace(microsecond=0)
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0)


def exif(camera: tuple[str, str] | None, days_ago: float, hour: int = 10, minute: int = 15,
         **extra: Any) -> bytes:
    """EXIF for a photo taken ``days_ago`` days before now on ``camera`` (None: no camera)."""
    make, model = camera or ("", "")
    return camera_exif(make, model, taken_at(days_ago, hour, minute), **extra)


def cameraman_face() -> Image.Image:
    """The cameraman's head (the demo's practitioner, Jo Smith)."""
    return cameraman().crop(CAMERAMAN_HEAD)


def references(faces: Path, staff: Path) -> None:
    """Two or three reference photos per enrolled child in ``faces``, and two of the
    practitioner in ``staff`` (each person's folder new: an existing one is an error, never replaced)."""
    refs = {
        faces / "c01": [astronaut(), ImageOps.mirror(astronaut()), astronaut().crop((80, 0, 430, 350)).resize((500, 500))],
        faces / "c02": [grace_hopper(), ImageOps.mirror(grace_hopper()), grace_hopper().crop((60, 40, 460, 520))],
        # c05 (Mia) has face-matching permission but no photos yet: enrolment says so.
        # JS01 (Jo Smith, a practitioner) agreed to face matching herself (staff.csv).
        staff / "JS01": [cameraman().resize((1024, 1024)), ImageOps.mirror(cameraman()).resize((1024, 1024))],
    }
    for folder, photos in refs.items():
        folder.mkdir(parents=True)
        for n, photo in enumerate(photos, start=1):
            photo.save(folder / f"reference-{n}.jpg", quality=92)


def transfer(folder: Path) -> None:
    """A week of photos from two tablets in ``folder`` (its tablet folders new), each showing
    something the audit must notice."""
    tablet1, tablet2 = folder / "tablet-1", folder / "tablet-2"
    tablet1.mkdir(parents=True)
    tablet2.mkdir(parents=True)
    ava, grace, jo = astronaut_face(), grace_hopper_face(), cameraman_face()

    # Ava alone: cleared for everything.
    scene([(ava, (600, 300), 360)], (1600, 1200), seed=1).save(
        tablet1 / "IMG_0001.jpg", quality=90, exif=exif(TABLET_1, 2)
    )
    # Grace alone: no website consent, and her social media consent was withdrawn.
    scene([(grace, (500, 250), 420)], (1600, 1200), seed=2).save(
        tablet1 / "IMG_0002.jpg", quality=90, exif=exif(TABLET_1, 2)
    )
    # Ava and Grace together at the Christmas party: both journeys, not online (R5).
    scene([(ava, (250, 400), 300), (grace, (950, 350), 320)], (1600, 1200), seed=3).save(
        tablet1 / "IMG_0003.jpg", quality=90, exif=exif(TABLET_1, 3)
    )
    # A portrait photo stored sideways with an EXIF orientation tag, as tablets do.
    save_jpeg_with_orientation(
        scene([(ava, (300, 500), 400)], (1000, 1400), seed=4), tablet1 / "IMG_0004.jpg", 6,
        exif=exif(TABLET_1, 3, orientation=6),
    )
    # No one in it: a painting on the easel.
    scene([], (1600, 1200), seed=5).save(tablet1 / "IMG_0005.png", exif=exif(TABLET_1, 4))
    # Taken on a member of staff's own phone, then copied in with the tablet's photos: a breach (R6).
    scene([(ava, (500, 300), 380)], (1600, 1200), seed=11).save(
        tablet1 / "IMG_0006.jpg", quality=90, exif=exif(PERSONAL_PHONE, 1)
    )
    # Taken 14 months ago and never deleted: past the 12-month retention period (R7).
    scene([(ava, (600, 250), 360)], (1600, 1200), seed=12).save(
        tablet1 / "IMG_0007.jpg", quality=90, exif=exif(TABLET_1, 426)
    )
    # Left on the tablet for three weeks before it was emptied (R8): kept, with a note.
    scene([(ava, (400, 350), 340)], (1600, 1200), seed=13).save(
        tablet1 / "IMG_0008.jpg", quality=90, exif=exif(TABLET_1, 21)
    )

    # For the DSL: taken at 19:42, after the setting closed, and numbered 0010 when the last
    # number before it is 0008: photo 0009 was deleted on the tablet or never copied off it.
    scene([], (1600, 1200), seed=17).save(
        tablet1 / "IMG_0010.jpg", quality=90, exif=exif(TABLET_1, 1, hour=19, minute=42)
    )

    # iPad HEIC: Ava with Jo Smith, her key person (staff register): Jo is an adult, so the
    # photo is kept without review; she agreed to the website but not to social media.
    save_heic(
        scene([(ava, (200, 300), 320), (jo, (900, 300), 320)], (1600, 1200), seed=6),
        tablet2 / "IMG_0101.heic", exif=exif(TABLET_2, 1),
    )
    # Jo alone, setting up the room: no child in it; not for social media.
    scene([(jo, (600, 300), 380)], (1600, 1200), seed=7).save(
        tablet2 / "IMG_0102.jpg", quality=90, exif=exif(TABLET_2, 1)
    )
    # Two children look alike in this one: too close to call, a person decides.
    blend = Image.blend(ava.resize((300, 340)), grace.resize((300, 340)), 0.46)
    scene([(blend, (650, 400), 300)], (1600, 1200), seed=8).save(
        tablet2 / "IMG_0103.jpg", quality=90, exif=exif(TABLET_2, 2)
    )
    # A blurred face nobody can identify.
    blurred = ava.resize((27, 30)).resize((300, 333), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1))
    scene([(blurred, (650, 400), 300)], (1600, 1200), seed=9).save(
        tablet2 / "IMG_0104.jpg", quality=90, exif=exif(TABLET_2, 2)
    )
    # A photo that did not finish copying.
    whole = tablet2 / "IMG_0105.jpg"
    scene([(grace, (500, 250), 420)], (1600, 1200), seed=10).save(whole, quality=90, exif=exif(TABLET_2, 2))
    whole.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    # Location services were on: the photo records where it was taken (R10).
    scene([(ava, (550, 300), 360)], (1600, 1200), seed=14).save(
        tablet2 / "IMG_0106.jpg", quality=90, exif=exif(TABLET_2, 1, gps=(51.2798, 1.0789))
    )
    # A screenshot: no camera recorded, so nobody can say which device it came from.
    scene([(grace, (500, 250), 420)], (1600, 1200), seed=15).save(tablet2 / "IMG_0107.png")
    # A short video: Ava, then Grace walks in (no social media or website for her).
    video_frames = [
        scene([(ava, (40 + 8 * n, 60), 200)] + ([(grace, (380, 80), 200)] if n >= 10 else []), (640, 480), seed=16)
        for n in range(24)
    ]
    taken = taken_at(1).astimezone(UTC)
    save_video(
        video_frames, tablet2 / "VID_0108.mov", fps=4,
        metadata={"make": TABLET_2[0], "model": TABLET_2[1],
                  "creation_time": taken.strftime("%Y-%m-%dT%H:%M:%S.000000Z")},
    )

