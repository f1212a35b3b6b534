"""Videos (R11): sampled with PyAV, faces found and matched across frames, judged like a photo.

The combining rules are tested on plain vectors; then real short videos, encoded
in the test from the package-shipped faces, go through the real face engine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from photoaudit.core.judging import Judging
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceMatch,
    FaceStatus,
    Register,
    Use,
)
from photoaudit.core.provenance import Device, DeviceRegister
from photoaudit.core.settings import MatchSettings, VideoSettings
from photoaudit.faces.engine import FaceEngine
from photoaudit.media.sources import iter_media
from photoaudit.media.video import (
    SeenFace,
    UnreadableVideo,
    VideoFrames,
    combine,
    meta_from_tags,
    read_video_meta,
)
from photoaudit.operations.examine import examine_and_judge
from tests.faces import (
    astronaut,
    astronaut_face,
    grace_hopper,
    grace_hopper_face,
    save_video,
    scene,
)

BOX = (0, 10, 10, 0)
SETTINGS = MatchSettings()
TODAY = date(2026, 11, 22)


def vec(*values: float) -> np.ndarray:
    out = np.zeros(128)
    out[: len(values)] = values
    return out


def seen(frame: int, status: FaceStatus, child: str | None, template: np.ndarray | None,
         distance: float | None = None, candidates: tuple[Candidate, ...] = ()) -> SeenFace:
    return SeenFace(frame, float(frame), FaceMatch(status, BOX, child, distance, candidates), template)


# --- combining faces across frames (plain data) ---------------------------------------

def test_a_child_seen_in_many_frames_counts_once_at_the_surest_frame() -> None:
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.4), seen(1, FaceStatus.MATCHED, "A", vec(0), 0.2),
             seen(2, FaceStatus.MATCHED, "A", vec(0), 0.35)]
    (only,) = combine(faces, SETTINGS)
    assert only.child_id == "A" and only.time == 1.0 and only.distance == 0.2


def test_a_child_matched_twice_in_one_frame_stays_twice() -> None:
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3), seen(1, FaceStatus.MATCHED, "A", vec(0), 0.3),
             seen(1, FaceStatus.MATCHED, "A", vec(1), 0.4)]
    assert [f.child_id for f in combine(faces, SETTINGS)] == ["A", "A"]


def test_an_unknown_person_seen_in_many_frames_counts_once_when_first_seen() -> None:
    faces = [seen(n, FaceStatus.UNKNOWN, None, vec(5, 0.05 * n)) for n in (3, 4, 5)]
    (only,) = combine(faces, SETTINGS)
    assert only.status is FaceStatus.UNKNOWN and only.time == 3.0


def test_different_unknown_people_stay_apart() -> None:
    faces = [seen(0, FaceStatus.UNKNOWN, None, vec(5)), seen(1, FaceStatus.UNKNOWN, None, vec(0, 5)),
             seen(2, FaceStatus.UNKNOWN, None, vec(5, 0.1), None)]
    assert len(combine(faces, SETTINGS)) == 2


def test_two_unknown_faces_in_one_frame_are_two_people_however_alike() -> None:
    faces = [seen(0, FaceStatus.UNKNOWN, None, vec(5)), seen(0, FaceStatus.UNKNOWN, None, vec(5.01))]
    assert len(combine(faces, SETTINGS)) == 2


def test_a_turned_head_of_a_child_matched_in_other_frames_is_that_child() -> None:
    near_a = (Candidate("A", 0.55), Candidate("B", 0.9))
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3),
             seen(1, FaceStatus.UNKNOWN, None, vec(0.3), 0.55, near_a)]
    (only,) = combine(faces, SETTINGS)
    assert only.child_id == "A"


def test_an_unknown_face_is_not_absorbed_when_the_child_is_already_in_that_frame() -> None:
    near_a = (Candidate("A", 0.55),)
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3), seen(1, FaceStatus.MATCHED, "A", vec(0), 0.3),
             seen(1, FaceStatus.UNKNOWN, None, vec(0.3), 0.55, near_a)]
    assert [f.status for f in combine(faces, SETTINGS)].count(FaceStatus.UNKNOWN) == 1


def test_an_unknown_face_not_plainly_nearer_one_child_stays_unknown() -> None:
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3), seen(1, FaceStatus.MATCHED, "B", vec(0.4), 0.3),
             seen(2, FaceStatus.UNKNOWN, None, vec(0.2), 0.55, (Candidate("A", 0.55),))]
    assert FaceStatus.UNKNOWN in [f.status for f in combine(faces, SETTINGS)]


def test_an_unknown_face_too_far_from_the_childs_video_faces_stays_unknown() -> None:
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3),
             seen(1, FaceStatus.UNKNOWN, None, vec(0.45), 0.6, (Candidate("A", 0.6),))]
    assert FaceStatus.UNKNOWN in [f.status for f in combine(faces, SETTINGS)]


def test_an_unknown_face_whose_nearest_enrolled_child_is_another_stays_unknown() -> None:
    faces = [seen(0, FaceStatus.MATCHED, "A", vec(0), 0.3),
             seen(1, FaceStatus.UNKNOWN, None, vec(0.1), 0.55, (Candidate("B", 0.55), Candidate("A", 0.6)))]
    assert FaceStatus.UNKNOWN in [f.status for f in combine(faces, SETTINGS)]


def test_ambiguous_faces_stay_ambiguous_across_frames() -> None:
    both = (Candidate("A", 0.4), Candidate("B", 0.42))
    faces = [seen(n, FaceStatus.AMBIGUOUS, None, vec(3), 0.4, both) for n in range(3)]
    (only,) = combine(faces, SETTINGS)
    assert only.status is FaceStatus.AMBIGUOUS and only.candidates == both


def test_faces_too_small_to_encode_count_by_the_most_in_one_frame() -> None:
    faces = [seen(0, FaceStatus.UNKNOWN, None, None), seen(1, FaceStatus.UNKNOWN, None, None),
             seen(1, FaceStatus.UNKNOWN, None, None)]
    assert len(combine(faces, SETTINGS)) == 2


def test_no_faces_in_any_frame_is_no_faces() -> None:
    assert combine([], SETTINGS) == ()


# --- metadata ------------------------------------------------------------------------

def test_quicktime_tags_give_camera_date_and_location() -> None:
    meta = meta_from_tags({"com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 14 Pro",
                           "com.apple.quicktime.creationdate": "2026-11-18T10:15:00+0100",
                           "com.apple.quicktime.location.iso6709": "+51.2798+001.0789/"})
    assert meta.camera.make == "Apple" and meta.camera.model == "iPhone 14 Pro"
    assert meta.taken.isoformat() == "2026-11-18T10:15:00+01:00"
    assert meta.gps


def test_an_unset_container_date_is_no_date() -> None:
    assert meta_from_tags({"creation_time": "1970-01-01T00:00:00.000000Z"}).taken is None
    assert meta_from_tags({}).camera is None


def test_tags_are_read_from_a_real_mov(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (64, 48), (n * 20, 0, 0)) for n in range(4)]
    path = save_video(frames, tmp_path / "v.mov", metadata={
        "make": "Apple", "model": "iPhone 14 Pro", "creation_time": "2026-11-18T10:15:00.000000Z",
        "location": "+51.2798+001.0789/"})
    meta = read_video_meta(path)
    assert meta.camera.model == "iPhone 14 Pro" and meta.gps
    assert meta.taken == datetime(2026, 11, 18, 10, 15, tzinfo=UTC)


# --- real videos through the real engine ----------------------------------------------

@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine()


@pytest.fixture(scope="module")
def enrolled(engine: FaceEngine) -> dict[str, list[np.ndarray]]:
    def template(image: Image.Image) -> np.ndarray:
        (face,) = engine.find_faces(np.asarray(image))
        assert face.template is not None
        return face.template

    return {"ava": [template(astronaut())], "grace": [template(grace_hopper())]}


def kid(child_id: str, name: str, *, no: tuple[str, ...] = ()) -> Child:
    return Child(child_id, name, {p: p not in no for p in PURPOSES}, True, date(2030, 1, 1))


REGISTER = Register({"ava": kid("ava", "Ava"), "grace": kid("grace", "Grace", no=("social_media",))})


def walking_video(path: Path, codec: str = "mpeg4", *, grace_from: int | None = 8, frames: int = 16,
                  fps: int = 4, metadata: dict[str, str] | None = None) -> Path:
    """Ava walks across; Grace comes in at frame ``grace_from``."""
    ava, grace = astronaut_face(), grace_hopper_face()
    images = [
        scene([(ava, (30 + 10 * n, 60), 220)] + ([(grace, (400, 90), 200)] if grace_from is not None
                                                  and n >= grace_from else []), (640, 480), seed=3)
        for n in range(frames)
    ]
    return save_video(images, path, fps=fps, codec=codec, metadata=metadata)


def audit_folder(folder: Path, engine: FaceEngine, enrolled, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """``kwargs``: what else the rules judge against (devices, rules, video: see core.judging.Judging)."""
    return examine_and_judge(iter_media(folder), engine, Judging(REGISTER, TODAY, enrolled, SETTINGS, **kwargs))


@pytest.mark.parametrize("codec,name", [("mpeg4", "VID_0001.mp4"), ("libx264", "VID_0002.m4v"),
                                        ("h263", "VID_0004.3gp")])
def test_a_real_video_is_judged_by_everyone_in_it_with_times(
    tmp_path: Path, engine: FaceEngine, enrolled, codec: str, name: str  # noqa: ANN001
) -> None:
    try:
        av.codec.Codec(codec, "w")
    except Exception:  # noqa: BLE001
        pytest.skip(f"this PyAV wheel has no {codec} encoder")
    size = {"h263": (352, 288)}.get(codec)
    path = tmp_path / name
    if size:  # h263 only encodes a few fixed sizes; Grace comes in beside Ava, not over her face
        images = [scene([(astronaut_face(), (20 + 4 * n, 30), 150)] + ([(grace_hopper_face(), (210, 40), 130)] if n >= 8 else []),
                        size, seed=3) for n in range(16)]
        save_video(images, path, fps=4, codec=codec)
    else:
        walking_video(path, codec)
    (verdict,) = audit_folder(tmp_path, engine, enrolled)
    by_child = {f.child_id: f for f in verdict.faces}
    assert set(by_child) == {"ava", "grace"} and len(verdict.faces) == 2
    assert by_child["ava"].time is not None and by_child["grace"].time >= 2.0  # she comes in at 2 s
    assert verdict.purposes["social_media"] is Use.WITHHELD and verdict.purposes["display"] is Use.ALLOWED
    assert verdict.action is Action.KEEP
    assert verdict.provenance.kind == "video" and verdict.provenance.video.frames_sampled == 4
    assert any("Seen in the video" in n and "Grace (grace) at 0:0" in n for n in verdict.notes)


def test_sampling_follows_the_settings_and_thins_out_long_videos(tmp_path: Path) -> None:
    path = walking_video(tmp_path / "v.mp4", grace_from=None, frames=40, fps=10)
    reader = VideoFrames(path, VideoSettings(sample_every=0.5, max_samples=4))
    times = [t for t, _ in reader.frames()]
    assert len(times) == 4 and reader.info.sample_every == pytest.approx(1.0)
    assert times == pytest.approx([0.0, 1.0, 2.0, 3.0])
    pixels = next(VideoFrames(path, VideoSettings()).frames())[1]
    assert pixels.shape == (480, 640, 3) and pixels.dtype == np.uint8


@pytest.mark.parametrize("rotation", [90, -90, 180])
def test_frames_come_out_upright_whatever_the_phone_recorded(tmp_path: Path, rotation: int) -> None:
    upright = scene([(astronaut_face(), (60, 200), 200)], (320, 480), seed=5)  # portrait
    stored = upright.rotate(-rotation, expand=True)  # what the phone stores: turned back
    path = save_video([stored] * 2, tmp_path / "portrait.mp4", rotation=rotation)
    pixels = next(VideoFrames(path, VideoSettings()).frames())[1]
    assert pixels.shape == (480, 320, 3)
    assert np.abs(pixels.astype(int) - np.asarray(upright, dtype=int)).mean() < 12


@pytest.mark.parametrize("content", [b"", b"this is not a video at all" * 50, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200])
def test_an_undecodable_video_goes_to_review(tmp_path: Path, engine: FaceEngine, enrolled, content: bytes) -> None:  # noqa: ANN001
    (tmp_path / "VID_0009.mp4").write_bytes(content)
    (verdict,) = audit_folder(tmp_path, engine, enrolled)
    assert verdict.action is Action.REVIEW
    assert set(verdict.purposes.values()) == {Use.REVIEW}
    assert verdict.provenance.kind == "video"


def test_a_video_cut_short_goes_to_review(tmp_path: Path, engine: FaceEngine, enrolled) -> None:  # noqa: ANN001
    whole = walking_video(tmp_path / "whole.mov")
    data = whole.read_bytes()
    whole.unlink()
    (tmp_path / "VID_cut.mov").write_bytes(data[: len(data) * 2 // 3])
    (verdict,) = audit_folder(tmp_path, engine, enrolled)
    assert verdict.action is Action.REVIEW
    with pytest.raises(UnreadableVideo):
        list(VideoFrames(tmp_path / "VID_cut.mov", VideoSettings()).frames())


def test_a_video_from_a_personal_phone_is_a_breach(tmp_path: Path, engine: FaceEngine, enrolled) -> None:  # noqa: ANN001
    walking_video(tmp_path / "IMG_0042.mov", grace_from=None,
                  metadata={"make": "Apple", "model": "iPhone 14 Pro", "creation_time": "2026-11-20T10:00:00.000000Z"})
    devices = DeviceRegister((Device("tablet-1", "samsung", "SM-T220"),))
    (verdict,) = audit_folder(tmp_path, engine, enrolled, devices=devices)
    assert verdict.action is Action.DELETE and verdict.provenance.breach
    assert "This video was taken with Apple iPhone 14 Pro" in " ".join(verdict.reasons)


def faststart_video(path: Path, frames: int = 80, fps: int = 4) -> Path:
    """A .mov as phones write it: the index (moov) first, so a cut-short copy still opens."""
    ava = astronaut_face()
    images = [scene([(ava, (30 + 4 * n, 60), 220)], (320, 240), seed=3) for n in range(frames)]
    with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = images[0].size
        stream.pix_fmt = "yuv420p"
        for image in images:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_video_cut_short_that_decodes_without_an_error_is_partly_checked(
    tmp_path: Path, engine: FaceEngine, enrolled  # noqa: ANN001
) -> None:
    """Issue 12, hole 8: half a 0:20 .mov decoded without a decoder error and was 'keep'."""
    whole = faststart_video(tmp_path / "whole.mov")
    assert len(list(VideoFrames(whole, VideoSettings()).frames())) == 20  # the whole video is fine
    data = whole.read_bytes()
    whole.unlink()
    cut = tmp_path / "IMG_0100.mov"
    cut.write_bytes(data[: len(data) // 2])
    reader = VideoFrames(cut, VideoSettings())
    frames = []
    with pytest.raises(UnreadableVideo, match=r"Partly checked: only the first 0:\d\d of this 0:20 video"):
        for item in reader.frames():
            frames.append(item)
    assert 0 < len(frames) < 20  # it did decode part of it
    (verdict,) = audit_folder(tmp_path, engine, enrolled)
    assert verdict.action is Action.REVIEW and set(verdict.purposes.values()) == {Use.REVIEW}
    assert "Partly checked" in " ".join(verdict.reasons)


def test_a_partly_checked_video_is_not_stored_as_complete(tmp_path: Path) -> None:
    """The next audit looks at it afresh (it may have finished copying by then)."""
    from photoaudit.core.settings import Settings
    from photoaudit.operations.workflow import audit, prepare
    from tests.setting import child, write_register

    write_register(tmp_path / "data" / "children.csv", [child("c01", "Ava")])
    folder = tmp_path / "week"
    folder.mkdir()
    whole = faststart_video(tmp_path / "whole.mov", frames=24)
    (folder / "IMG_0101.mov").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    prepared = prepare(Settings(data_dir=tmp_path / "data"))
    for _ in range(2):
        result = audit(folder, prepared, TODAY)
        assert result.cache == {"examined": 1, "reused": 0}
        assert result.verdicts[0].action is Action.REVIEW


def test_ended_early() -> None:
    from photoaudit.media.video import ended_early

    assert ended_early(20.0, 10.0, 40, 80, 4.0).startswith("Partly checked: only the first 0:10 of this 0:20")
    assert ended_early(20.0, 20.0, 80, 80, 4.0) == ""
    assert ended_early(20.0, 19.9, 80, 80, 4.0) == ""  # rounding of the last frame
    assert "only 40 of this video's 80 frames" in ended_early(None, 10.0, 40, 80, 4.0)
