"""The audit's memory (photoaudit.operations.incremental, photoaudit.store.database, photoaudit.operations.parallel), with the real engine.

Engine work is counted by wrapping FaceEngine.find_faces: a re-audit of an unchanged
folder must not call it at all.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from nursery import (
    PHOTOS,
    build_transfer,
    copy_data,
    photo,
    settings_for,
)

from photoaudit.core.models import Action, FaceStatus
from photoaudit.core.settings import VideoSettings
from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.media.samples import camera_exif, save_video
from photoaudit.media.sources import MediaKind
from photoaudit.operations import incremental
from photoaudit.operations.parallel import WORKER_STOPPED
from photoaudit.operations.workflow import audit, prepare
from photoaudit.store.database import Store

TODAY = date(2026, 11, 22)



@pytest.fixture
def detections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Every call of the face engine on a photo, as the photo's shape."""
    calls: list[tuple[int, ...]] = []
    original = FaceEngine.find_faces

    def counting(self: FaceEngine, full, reduced=None):  # noqa: ANN001, ANN202
        calls.append(full.shape)
        return original(self, full, reduced)

    monkeypatch.setattr(FaceEngine, "find_faces", counting)
    return calls


def run(
    data: Path, folder: Path, calls: list | None = None, jobs: int = 1,
    video: VideoSettings | None = None, **engine: object,
):
    """Audit ``folder``; ``calls`` is emptied after enrolment so it counts the audit only.

    Engine settings given apply to the audit only (the enrolment keeps the default
    ones, so the test need not enrol again).
    """
    changes = {} if video is None else {"video": video}
    prepared = prepare(settings_for(data, **changes), EngineSettings())
    if engine:
        prepared = replace(prepared, engine=FaceEngine(EngineSettings(**engine)))
    if calls is not None:
        calls.clear()
    return audit(folder, prepared, TODAY, jobs=jobs)


def summary(result) -> dict[str, tuple]:  # noqa: ANN001
    """path -> (action, purposes, matched children): what a verdict says."""
    return {
        v.path: (
            v.action,
            tuple(sorted((p, u.value) for p, u in v.purposes.items())),
            tuple(f.child_id for f in v.faces if f.status is FaceStatus.MATCHED),
        )
        for v in result.verdicts
    }


def test_unchanged_folder_is_audited_again_without_any_face_detection(
    tmp_path: Path, enrolled: Path, detections: list
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build_transfer(tmp_path / "transfer")
    first = run(data, folder, detections)
    assert len(detections) == len(PHOTOS)  # every photo examined once
    assert first.cache == {"examined": len(PHOTOS), "reused": 0}

    second = run(data, folder, detections)
    assert detections == []  # no face detection at all
    assert second.cache == {"examined": 0, "reused": len(PHOTOS)}
    assert summary(second) == summary(first)
    assert second.hashes == first.hashes and len(first.hashes) == len(PHOTOS)
    # The verdicts really are the photos' own (not an empty store answering "no faces").
    assert summary(second)["tablet-2/sam.jpg"][0] is Action.DELETE
    assert summary(second)["tablet-1/ava.jpg"][2] == ("c01",)


def test_unchanged_files_are_not_even_hashed_again(
    nursery: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, folder = nursery
    run(data, folder)  # this copy's paths and times are now known
    hashed: list[Path] = []
    original = incremental.sha256_file
    monkeypatch.setattr(incremental, "sha256_file", lambda p: hashed.append(p) or original(p))
    run(data, folder)
    assert hashed == []
    touched = folder / "tablet-1" / "grace.jpg"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    run(data, folder)
    assert hashed == [touched]  # a file whose time changed is hashed again


def test_renamed_and_moved_photos_are_recognised_by_content(
    nursery: tuple[Path, Path], detections: list
) -> None:
    data, folder = nursery
    before = run(data, folder, detections)
    (folder / "tablet-3").mkdir()
    (folder / "tablet-1" / "ava.jpg").rename(folder / "tablet-3" / "renamed.JPG")
    after = run(data, folder, detections)
    assert detections == []
    assert after.hashes["tablet-3/renamed.JPG"] == before.hashes["tablet-1/ava.jpg"]
    assert summary(after)["tablet-3/renamed.JPG"] == summary(before)["tablet-1/ava.jpg"]
    assert "tablet-1/ava.jpg" not in summary(after)


def test_copied_folder_is_recognised_by_content(nursery: tuple[Path, Path], detections: list) -> None:
    data, folder = nursery  # a copy of a folder audited elsewhere: new paths, same bytes
    result = run(data, folder, detections)
    assert detections == []
    assert result.cache == {"examined": 0, "reused": len(PHOTOS)}


def test_changed_and_new_photos_are_examined_again(nursery: tuple[Path, Path], detections: list) -> None:
    data, folder = nursery
    before = run(data, folder, detections)
    photo(("c01",), 40).save(folder / "tablet-2" / "sam.jpg", quality=90)  # same name, Ava now
    photo(("c02",), 41).save(folder / "tablet-2" / "new.jpg", quality=90)
    after = run(data, folder, detections)
    assert len(detections) == 2
    assert after.cache == {"examined": 2, "reused": len(PHOTOS) - 1}
    assert after.hashes["tablet-2/sam.jpg"] != before.hashes["tablet-2/sam.jpg"]
    assert summary(after)["tablet-2/sam.jpg"][0] is Action.KEEP
    assert summary(after)["tablet-2/sam.jpg"][2] == ("c01",)
    assert summary(after)["tablet-2/new.jpg"][2] == ("c02",)


def test_changed_engine_settings_invalidate_stored_faces(nursery: tuple[Path, Path], detections: list) -> None:
    data, folder = nursery
    default = run(data, folder, detections)
    assert detections == []
    stricter = run(data, folder, detections, min_confidence=0.6)
    assert len(detections) == len(PHOTOS)  # other settings: every photo examined afresh
    assert summary(stricter) == summary(default)
    run(data, folder, detections, min_confidence=0.6)
    run(data, folder, detections)
    assert detections == []  # both settings' faces are kept, each under its own key


def test_a_new_examine_version_invalidates_stored_faces(
    nursery: tuple[Path, Path], detections: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, folder = nursery
    monkeypatch.setattr(incremental, "EXAMINE_VERSION", incremental.EXAMINE_VERSION + 1)
    run(data, folder, detections)
    assert len(detections) == len(PHOTOS)


def test_unreadable_files_and_broken_videos_are_looked_at_afresh_and_kept_only_for_reaudit(
    nursery: tuple[Path, Path], detections: list
) -> None:
    data, folder = nursery
    whole = (folder / "tablet-1" / "ava.jpg").read_bytes()
    (folder / "tablet-1" / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    (folder / "tablet-1" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    for _ in range(2):
        result = run(data, folder, detections)
        verdicts = {v.path: v for v in result.verdicts}
        assert verdicts["tablet-1/cut.jpg"].action is Action.REVIEW
        assert verdicts["tablet-1/clip.mp4"].action is Action.REVIEW
        assert result.cache == {"examined": 2, "reused": len(PHOTOS)}  # looked at afresh each time
    assert detections == []  # neither reached face detection
    with Store(data / "state") as store:  # what was wrong is kept (reaudit judges it), with no face
        cut = store.examination(result.hashes["tablet-1/cut.jpg"], incremental.examine_key(EngineSettings()))
        clip = store.examination(result.hashes["tablet-1/clip.mp4"],
                                 incremental.examine_key(EngineSettings(), MediaKind.VIDEO))
        assert cut is not None and cut.problem and cut.faces == ()
        assert clip is not None and clip.problem and clip.faces == ()


def test_a_photo_that_changes_while_examined_is_not_stored(
    nursery: tuple[Path, Path], detections: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, folder = nursery
    photo(("c02",), 50).save(folder / "tablet-1" / "late.jpg", quality=90)
    monkeypatch.setattr(incremental, "unchanged_since", lambda path, state: path.name != "late.jpg")
    first = run(data, folder, detections)
    assert "tablet-1/late.jpg" not in first.hashes
    monkeypatch.undo()
    second = run(data, folder)
    assert second.cache["examined"] == 1  # examined again, not trusted


def test_store_and_state_folder_are_private(nursery: tuple[Path, Path]) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    data, folder = nursery
    run(data, folder)
    state = data / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "photoaudit.sqlite3").stat().st_mode) == 0o600


def test_store_keeps_box_confidence_and_template_per_face(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    result = run(data, folder)
    key = incremental.examine_key(EngineSettings())
    with Store(data / "state") as store:
        faces = store.faces(result.hashes["tablet-2/ava-and-sam.jpg"], key)
        empty = store.faces(result.hashes["tablet-1/empty.png"], key)
    assert faces is not None and len(faces) == 2
    assert all(f.template is not None and f.template.shape == (128,) for f in faces)
    assert all(0 < f.confidence <= 1 for f in faces)
    assert faces[0].box != faces[1].box
    assert empty == ()  # "no faces" is remembered too (not the same as "never examined")


def test_parallel_workers_give_the_same_verdicts(
    tmp_path: Path, enrolled: Path, nursery: tuple[Path, Path]
) -> None:
    data, folder = nursery
    expected = summary(run(data, folder))
    fresh_data = copy_data(enrolled, tmp_path / "fresh")
    fresh = build_transfer(tmp_path / "fresh-transfer")
    result = run(fresh_data, fresh, jobs=2)
    assert result.cache == {"examined": len(PHOTOS), "reused": 0}
    assert summary(result) == expected
    assert run(fresh_data, fresh, jobs=2).cache == {"examined": 0, "reused": len(PHOTOS)}


def test_a_worker_that_dies_costs_only_its_own_photo(
    tmp_path: Path, enrolled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build_transfer(tmp_path / "transfer", {k: PHOTOS[k] for k in list(PHOTOS)[:3]})
    monkeypatch.setenv("PHOTOAUDIT_TEST_WORKER_CRASH", "tablet-1/ava.jpg")
    result = run(data, folder, jobs=2)
    verdicts = {v.path: v for v in result.verdicts}
    assert verdicts["tablet-1/ava.jpg"].action is Action.REVIEW  # fails closed
    assert WORKER_STOPPED in verdicts["tablet-1/ava.jpg"].reasons[0]
    assert verdicts["tablet-1/grace.jpg"].faces[0].child_id == "c02"  # the others were checked
    monkeypatch.delenv("PHOTOAUDIT_TEST_WORKER_CRASH")
    again = {v.path: v for v in run(data, folder, jobs=1).verdicts}
    assert again["tablet-1/ava.jpg"].faces[0].child_id == "c01"  # not remembered as a problem


def test_a_photo_whose_worker_died_once_is_checked_on_its_own_and_reported_once(
    tmp_path: Path, enrolled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    three = {k: PHOTOS[k] for k in list(PHOTOS)[:3]}
    folder = build_transfer(tmp_path / "transfer", three)
    attempts = tmp_path / "attempts"  # the hook adds a line per attempt and kills the first only
    monkeypatch.setenv("PHOTOAUDIT_TEST_WORKER_CRASH", "tablet-1/ava.jpg")
    monkeypatch.setenv("PHOTOAUDIT_TEST_WORKER_CRASH_ONCE", str(attempts))
    rows: list[str] = []
    prepared = prepare(settings_for(data), EngineSettings())
    result = audit(folder, prepared, TODAY, on_file=lambda media: rows.append(media.relative), jobs=2)
    tried = attempts.read_text().split()
    assert len(tried) == 2 and tried[0] != tried[1]  # died in one worker, checked in another
    assert sorted(rows) == sorted(three)  # every photo once
    assert result.cache == {"examined": 3, "reused": 0}
    assert [f.child_id for f in {v.path: v for v in result.verdicts}["tablet-1/ava.jpg"].faces] == ["c01"]


def test_store_schema_upgrades_an_enrolment_only_database(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    db = sqlite3.connect(state / "photoaudit.sqlite3")
    db.executescript(
        "CREATE TABLE reference (sha256 TEXT NOT NULL, engine TEXT NOT NULL, child_id TEXT NOT NULL, "
        "path TEXT NOT NULL, template BLOB, problem TEXT, PRIMARY KEY (sha256, engine, child_id));"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    )
    db.close()
    with Store(state) as store:
        assert store.faces("0" * 64, "any") is None
        assert store.locations("/nowhere") == {}


def test_state_folder_inside_the_audited_folder_is_not_audited(tmp_path: Path, nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    shutil.copytree(data / "state", folder / "state")
    settings = settings_for(data, state_dir=folder / "state")
    result = audit(folder, prepare(settings, EngineSettings()), TODAY)
    assert not any(v.path.startswith("state/") for v in result.verdicts)


def test_videos_are_remembered_too_per_sampling(nursery: tuple[Path, Path], detections: list) -> None:
    data, folder = nursery
    frames = [photo(("c01",), 60 + n) for n in range(3)]  # three seconds of Ava
    save_video(frames, folder / "tablet-1" / "clip.mp4", fps=1)
    first = run(data, folder, detections)
    assert len(detections) == 3  # one detection per sampled frame
    clip = {v.path: v for v in first.verdicts}["tablet-1/clip.mp4"]
    assert [f.child_id for f in clip.faces] == ["c01"] and clip.provenance.video.frames_sampled == 3
    again = run(data, folder, detections)
    assert detections == []
    assert summary(again) == summary(first)
    assert {v.path: v for v in again.verdicts}["tablet-1/clip.mp4"].provenance == clip.provenance
    run(data, folder, detections, video=VideoSettings(sample_every=2.0))
    assert len(detections) == 2  # sampled differently: the video is looked at again, photos are not


def test_what_files_say_about_themselves_is_remembered_with_their_faces(
    nursery: tuple[Path, Path], detections: list
) -> None:
    data, folder = nursery
    (data / "devices.csv").write_text(
        "device_id,label,make,model,serial,folder\ntablet-1,Butterflies tablet,samsung,SM-T220,,tablet-1\n"
    )
    taken = datetime(2026, 11, 20, 10, 30)
    photo(("c01",), 70).save(folder / "tablet-1" / "exif.jpg", exif=camera_exif("samsung", "SM-T220", taken))
    photo(("c01",), 71).save(folder / "tablet-1" / "phone.jpg", exif=camera_exif("Apple", "iPhone 14 Pro", taken))
    first = {v.path: v for v in run(data, folder, detections).verdicts}
    assert len(detections) == 2
    again = {v.path: v for v in run(data, folder, detections).verdicts}
    assert detections == []
    for name in ("exif.jpg", "phone.jpg"):
        assert again[f"tablet-1/{name}"] == first[f"tablet-1/{name}"]
    assert again["tablet-1/exif.jpg"].provenance.device_id == "tablet-1"
    assert again["tablet-1/exif.jpg"].provenance.taken == taken
    assert again["tablet-1/phone.jpg"].provenance.breach and again["tablet-1/phone.jpg"].action is Action.DELETE
