"""dlib's face ResNet run with numpy (photoaudit/faces/resnet.py) must give dlib's own templates.

Real faces (the public-domain astronaut, Grace Hopper and cameraman, never a
child) are aligned by the engine, then encoded by dlib's encoder and by the
numpy network; the two must agree to float rounding, chip by chip and in
batches. A model file that is not exactly the network the module knows must
be refused, and the engine must then fall back to dlib's encoder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from faces import astronaut, cameraman, grace_hopper, scene
from PIL import Image

from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.faces.model_files import RESNET_MODEL, models_dir
from photoaudit.faces.resnet import FaceResNet, UnsupportedModel, _add
from photoaudit.operations import parallel

MODEL = models_dir() / RESNET_MODEL
#: dlib computes in float32; the only differences allowed are summation order.
TOLERANCE = 1e-5


@cache
def _engine() -> FaceEngine:
    return FaceEngine(EngineSettings())


@cache
def _chips() -> np.ndarray:
    """Aligned chips of real faces at several sizes, mirrored and turned."""
    engine = _engine()
    chips = []
    for picture in (astronaut(), grace_hopper(), cameraman()):
        rgb = np.asarray(picture.convert("RGB"))
        for scale in (1.0, 0.5):
            size = (int(rgb.shape[1] * scale), int(rgb.shape[0] * scale))
            image = np.asarray(Image.fromarray(rgb).resize(size))
            for face in engine.find_faces(image):
                chip = engine.face_chip(image, face.box)
                assert chip is not None
                chips += [chip, chip[:, ::-1], np.rot90(chip)]
    assert len(chips) >= 12, "the sample pictures should give at least two faces each"
    return np.stack([np.ascontiguousarray(chip) for chip in chips])


def _dlib_templates(chips: np.ndarray) -> np.ndarray:
    encoder = _engine()._encoder
    return np.stack([np.asarray(encoder.compute_face_descriptor(np.ascontiguousarray(c))) for c in chips])


def test_numpy_templates_equal_dlibs_on_real_faces() -> None:
    chips = _chips()
    expected = _dlib_templates(chips)
    got = FaceResNet.load(MODEL).descriptors(chips)
    assert got.shape == (len(chips), 128) and got.dtype == np.float64
    assert np.abs(got - expected).max() < TOLERANCE
    # The check has teeth: different faces differ by far more than the tolerance.
    assert np.abs(expected[0] - expected[3]).max() > 100 * TOLERANCE


def test_one_chip_at_a_time_equals_the_batch() -> None:
    chips = _chips()[:4]
    net = FaceResNet.load(MODEL)
    batch = net.descriptors(chips)
    for chip, template in zip(chips, batch, strict=True):
        assert np.abs(net.descriptors(chip)[0] - template).max() < TOLERANCE


def test_engine_templates_come_from_the_numpy_network() -> None:
    engine = FaceEngine(EngineSettings())
    assert engine._resnet is not None
    picture = np.asarray(scene([(grace_hopper(), (900, 700), 500)], (2000, 1500), seed=5).convert("RGB"))
    faces = engine.find_faces(picture)
    assert faces and all(face.template is not None for face in faces)
    chips = np.stack([engine.face_chip(picture, face.box) for face in faces])
    expected = _dlib_templates(chips)
    for face, template in zip(faces, expected, strict=True):
        assert np.abs(face.template - template).max() < TOLERANCE
        assert np.abs(engine.encode(picture, face.box) - template).max() < TOLERANCE


def test_engine_falls_back_to_dlib_when_the_model_is_not_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> FaceResNet:
        raise UnsupportedModel("test: a different network")

    monkeypatch.setattr(FaceResNet, "load", classmethod(lambda cls, path: refuse(path)))
    engine = FaceEngine(EngineSettings())
    with pytest.warns(UserWarning, match="slower face encoder"):
        assert engine._resnet is None
    chips = _chips()[:3]
    got = np.stack(engine.templates(list(chips)))
    assert np.abs(got - _dlib_templates(chips)).max() == 0


def _model_bytes() -> bytes:
    return MODEL.read_bytes()


@pytest.mark.parametrize("cut", [10, 400, 5_000_000, -60])
def test_truncated_model_is_refused(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "model.dat"
    path.write_bytes(_model_bytes()[:cut])
    with pytest.raises(UnsupportedModel):
        FaceResNet.load(path)


def test_other_networks_are_refused(tmp_path: Path) -> None:
    data = _model_bytes()
    path = tmp_path / "model.dat"
    # Another loss layer (another kind of network).
    path.write_bytes(data.replace(b"loss_metric_2", b"loss_multi_2", 1))
    with pytest.raises(UnsupportedModel, match="metric"):
        FaceResNet.load(path)
    # Another input size: 150 is stored as the packed integer 01 96, twice.
    input_at = data.index(b"input_rgb_image_sized")
    sizes_at = data.index(b"\x01\x96\x01\x96", input_at)
    path.write_bytes(data[:sizes_at] + b"\x01\x97\x01\x97" + data[sizes_at + 4 :])
    with pytest.raises(UnsupportedModel, match="150"):
        FaceResNet.load(path)
    # A layer this module does not run, in place of the first ReLU.
    relu_at = data.index(b"\x01\x05relu_")
    path.write_bytes(data[:relu_at] + b"\x01\x05gelu_" + data[relu_at + 7 :])
    with pytest.raises(UnsupportedModel, match="gelu_"):
        FaceResNet.load(path)


def test_chips_of_another_size_are_rejected() -> None:
    with pytest.raises(ValueError, match="150"):
        FaceResNet.load(MODEL).descriptors(np.zeros((1, 120, 120, 3), np.uint8))


def test_add_of_different_sizes_is_dlibs() -> None:
    """dlib's add: the larger size, the smaller tensor counted as zero beyond its extent."""
    a = np.ones((1, 3, 3, 2), np.float32)
    b = np.full((1, 4, 4, 2), 2.0, np.float32)
    out = _add(a, b)
    assert out.shape == (1, 4, 4, 2)
    assert (out[:, :3, :3] == 3).all()
    assert (out[:, 3, :] == 2).all() and (out[:, :, 3] == 2).all()


def test_workers_start_with_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting wins
    with parallel._worker_environment():
        assert parallel.os.environ["OPENBLAS_NUM_THREADS"] == "1"
        assert parallel.os.environ["OMP_NUM_THREADS"] == "3"
    assert "OPENBLAS_NUM_THREADS" not in parallel.os.environ
    assert parallel.os.environ["OMP_NUM_THREADS"] == "3"


def test_the_pool_is_started_inside_the_worker_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    seen: list[str | None] = []

    def feed(pool, queue, jobs, on_done, most=None):  # noqa: ANN001, ANN202
        seen.append(parallel.os.environ.get("OPENBLAS_NUM_THREADS"))
        queue.clear()
        pool.shutdown()
        return []

    monkeypatch.setattr(parallel, "_feed_pool", feed)
    parallel._run_pool(parallel.deque([object()]), EngineSettings(), parallel.VideoSettings(), 2, lambda m, e: None)
    assert seen == ["1"]



@pytest.mark.parametrize("threads", ["2", "3"])
def test_templates_are_the_same_whatever_blas_threads_the_process_has(
    tmp_path: Path, threads: str
) -> None:
    """A template is the same bits in every process: the audit's workers run OpenBLAS with one
    thread, `check`, `enrol` and a Dask worker may have more, and OpenBLAS's sums with several
    threads round differently on some processors (AMD EPYC here). One verdict everywhere needs
    one template everywhere."""
    import subprocess
    import sys

    np.save(tmp_path / "chips.npy", _chips()[:3])
    script = (
        "import sys, numpy as np\n"
        "from photoaudit.faces.resnet import FaceResNet\n"
        f"chips = np.load({str(tmp_path / 'chips.npy')!r})\n"
        f"sys.stdout.write(FaceResNet.load({str(MODEL)!r}).descriptors(chips).tobytes().hex())\n"
    )

    def templates(blas_threads: str) -> str:
        env = {**__import__("os").environ, "OPENBLAS_NUM_THREADS": blas_threads, "OMP_NUM_THREADS": blas_threads}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        return done.stdout

    assert templates(threads) == templates("1")
