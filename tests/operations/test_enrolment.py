"""Enrolment with the real face engine and a real Store: who is enrolled, which reference
photos are rejected and why, real erasure, private files, and the refresh before an audit.

The "children" are played by public-domain faces (tests/faces.py): Ava by the astronaut,
Grace by Grace Hopper, Sam by the cameraman.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from faces import astronaut, astronaut_face, cameraman, grace_hopper, grace_hopper_face, scene
from PIL import ImageFilter, ImageOps
from setting import child, save_reference, write_register

import photoaudit.operations.enrolment
from photoaudit.core.settings import Settings
from photoaudit.faces.engine import FaceEngine
from photoaudit.operations.enrolment import (
    EnrolmentReport,
    check_reference,
    enrol,
    inputs_fingerprint,
)
from photoaudit.operations.workflow import ENROLMENT_KEY, prepare
from photoaudit.setting.register import load_register
from photoaudit.store.database import DB_NAME, Store

ROWS = [
    child("c01", "Ava Patel"),
    child("c02", "Grace Okafor", refuse=("social_media",)),
    child("c03", "Sam Jones", face_matching="no"),  # photos in faces/c03, but no permission
    child("c04", "Leo Smith", status="left", leave_date="2026-07-18"),  # left, photos still there
    child("c05", "Mia Brown"),  # permission, but no photos yet
]
MISFILED = "c01/zz-misfiled.jpg"  # a photo of Grace put in Ava's folder


def build_setting(data: Path) -> None:
    write_register(data / "children.csv", ROWS)
    faces = data / "faces"
    ava = astronaut()
    save_reference(ava, faces, "c01", "ava-1.jpg")
    save_reference(ImageOps.mirror(ava), faces, "c01", "ava-2.jpg")
    save_reference(ava.crop((80, 0, 430, 350)).resize((500, 500)), faces, "c01", "ava-3.jpg")
    save_reference(grace_hopper().crop((40, 30, 480, 560)), faces, "c01", "zz-misfiled.jpg")
    save_reference(ava.filter(ImageFilter.GaussianBlur(4)), faces, "c01", "blurred.jpg")
    save_reference(ava.resize((256, 256)), faces, "c01", "small.jpg")  # face ~44 px wide

    grace = grace_hopper()
    save_reference(grace, faces, "c02", "grace-1.jpg")
    save_reference(ImageOps.mirror(grace), faces, "c02", "grace-2.jpg")
    save_reference(scene([], (640, 480), seed=1), faces, "c02", "no-face.jpg")
    save_reference(
        scene([(astronaut_face(), (40, 60), 260), (grace_hopper_face(), (340, 60), 260)], (640, 480), seed=2),
        faces, "c02", "two-faces.jpg",
    )
    (faces / "c02" / "unreadable.jpg").write_text("not a photo at all\n")
    (faces / "c02" / ".hidden.jpg").write_bytes((faces / "c02" / "grace-1.jpg").read_bytes())
    (faces / "c02" / "notes.txt").write_text("not a photo, not a reference\n")

    save_reference(cameraman().resize((1024, 1024)), faces, "c03", "sam.jpg")
    save_reference(ava, faces, "c04", "leo.jpg")
    save_reference(ava, faces, "c99", "who.jpg")  # a folder for nobody in the register


@dataclass
class Run:
    report: EnrolmentReport
    loaded: list[str]  # reference photos opened, as "child_id/name"
    engine_calls: int


def run_enrol(data: Path, engine: FaceEngine) -> Run:
    """Enrol the setting in ``data``, recording which photos were opened and the engine calls."""
    loaded: list[str] = []
    calls = 0
    real_load, real_find = photoaudit.operations.enrolment.load_photo, engine.find_faces

    def load(path: Path, **kwargs: object):  # noqa: ANN202
        loaded.append(f"{path.parent.name}/{path.name}")
        return real_load(path, **kwargs)

    def find_faces(*args: object, **kwargs: object):  # noqa: ANN202
        nonlocal calls
        calls += 1
        return real_find(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(photoaudit.operations.enrolment, "load_photo", load)
        mp.setattr(engine, "find_faces", find_faces)
        register = load_register(data / "children.csv")
        with Store(data / "state") as store:
            report = enrol(register, data / "faces", store, engine)
    return Run(report, loaded, calls)


def rows(data: Path) -> list[tuple[str, str, bytes | None, str | None]]:
    """The reference table, read with sqlite3 directly (not through Store)."""
    db = sqlite3.connect(data / "state" / DB_NAME)
    try:
        return db.execute("SELECT child_id, path, template, problem FROM reference ORDER BY path").fetchall()
    finally:
        db.close()


def state_bytes(data: Path) -> bytes:
    """Every byte in the state folder (the database and any journal beside it)."""
    return b"".join(p.read_bytes() for p in sorted((data / "state").iterdir()) if p.is_file())


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine()


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory: pytest.TempPathFactory, engine: FaceEngine) -> tuple[Path, Run]:
    """The setting, enrolled once for the module. Tests that change it work on a copy."""
    data = tmp_path_factory.mktemp("setting") / "data"
    build_setting(data)
    return data, run_enrol(data, engine)


@pytest.fixture
def copy(enrolled: tuple[Path, Run], tmp_path: Path) -> Path:
    """A private copy of the enrolled setting (state included) to change."""
    data = tmp_path / "data"
    shutil.copytree(enrolled[0], data)
    return data


# ------------------------------------------------------------ who is enrolled


def test_only_attending_children_with_face_matching_are_enrolled(enrolled: tuple[Path, Run]) -> None:
    data, run = enrolled
    assert run.report.enrolled == {"c01": 3, "c02": 2}
    assert {r[0] for r in rows(data)} == {"c01", "c02"}
    # The photos of children who may not be enrolled are never even opened.
    assert not [p for p in run.loaded if p.split("/")[0] in ("c03", "c04", "c99")]
    assert ".hidden.jpg" not in " ".join(run.loaded) and "notes.txt" not in " ".join(run.loaded)


def test_children_not_enrolled_are_explained(enrolled: tuple[Path, Run]) -> None:
    warnings = enrolled[1].report.warnings
    [sam] = [w for w in warnings if "faces/c03" in w]
    assert "Sam Jones" in sam and "no face-matching permission" in sam
    [leo] = [w for w in warnings if "faces/c04" in w]
    assert "Leo Smith" in leo and "has left" in leo
    [nobody] = [w for w in warnings if "faces/c99" in w]
    assert "no child with this id" in nobody
    [mia] = [w for w in warnings if "c05" in w]
    assert "Mia Brown" in mia and "no reference photos" in mia


@pytest.mark.parametrize(
    "photo, why",
    [
        ("c02/no-face.jpg", "no face found"),
        ("c02/two-faces.jpg", "2 faces found"),
        ("c01/small.jpg", "too small"),
        ("c01/blurred.jpg", "too blurred"),
        ("c02/unreadable.jpg", "not a photo"),
        (MISFILED, "does not look like the child's other reference photos"),
    ],
)
def test_rejected_reference_photos_say_why(enrolled: tuple[Path, Run], photo: str, why: str) -> None:
    rejected = {path: reason for _, path, reason in enrolled[1].report.rejected}
    assert why in rejected[photo], rejected[photo]
    assert photo.split("/")[0] == next(c for c, p, _ in enrolled[1].report.rejected if p == photo)


def test_only_good_references_are_rejected(enrolled: tuple[Path, Run]) -> None:
    rejected = {path for _, path, _ in enrolled[1].report.rejected}
    assert rejected == {
        "c02/no-face.jpg", "c02/two-faces.jpg", "c01/small.jpg", "c01/blurred.jpg",
        "c02/unreadable.jpg", MISFILED,
    }


def test_stored_templates_are_the_usable_references(enrolled: tuple[Path, Run]) -> None:
    data, _ = enrolled
    with_template = {path: blob for _, path, blob, problem in rows(data) if blob is not None}
    assert sorted(with_template) == ["c01/ava-1.jpg", "c01/ava-2.jpg", "c01/ava-3.jpg",
                                     "c02/grace-1.jpg", "c02/grace-2.jpg"]
    for blob in with_template.values():
        template = np.frombuffer(blob, dtype=np.float64)
        assert template.shape == (128,) and np.all(np.isfinite(template))


def test_misfiled_photo_is_never_stored(enrolled: tuple[Path, Run], engine: FaceEngine) -> None:
    """Grace's face filed under Ava must not make Grace match Ava: no row, no bytes left."""
    data, _ = enrolled
    assert MISFILED not in [r[1] for r in rows(data)]
    template, problem = check_reference(engine, data / "faces" / MISFILED)
    assert problem is None and template is not None
    assert template.astype(np.float64).tobytes()[:64] not in state_bytes(data)


# ------------------------------------------------------------ erasure


@pytest.mark.parametrize(
    "child_id, change",
    [("c02", {"face_matching": "no"}), ("c01", {"status": "left", "leave_date": "2026-11-01"})],
)
def test_erasure_is_real(copy: Path, engine: FaceEngine, child_id: str, change: dict[str, str]) -> None:
    before = rows(copy)
    blobs = [blob for c, _, blob, _ in before if c == child_id and blob is not None]
    assert len(blobs) >= 2
    assert all(blob in state_bytes(copy) for blob in blobs)  # the test can see them ...

    new_rows = [dict(r, **change) if r["child_id"] == child_id else r for r in ROWS]
    write_register(copy / "children.csv", new_rows)
    run = run_enrol(copy, engine)

    assert run.report.erased == [child_id]
    assert child_id not in run.report.enrolled
    after = rows(copy)
    assert [r for r in after if r[0] == child_id] == []
    assert [r for r in after if r[0] != child_id] == [r for r in before if r[0] != child_id]
    content = state_bytes(copy)  # ... and after erasure (secure_delete + VACUUM) they are gone
    for blob in blobs:
        assert blob not in content
        assert blob[:32] not in content and blob[-32:] not in content


# ------------------------------------------------------------ private files


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_state_folder_and_database_are_private(enrolled: tuple[Path, Run]) -> None:
    state = enrolled[0] / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / DB_NAME).stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_new_store_is_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        with Store(tmp_path / "a" / "state"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "state" / DB_NAME).stat().st_mode) == 0o600


# ------------------------------------------------------------ caching and refresh


def test_re_enrolment_reuses_stored_templates(copy: Path, engine: FaceEngine) -> None:
    again = run_enrol(copy, engine)
    assert again.report.enrolled == {"c01": 3, "c02": 2}
    # Unchanged photos are never looked at again. (The misfiled photo is the exception:
    # its template is not kept, on purpose, so it is checked again each time.)
    assert again.engine_calls <= 1
    assert set(again.loaded) <= {MISFILED}

    save_reference(ImageOps.mirror(astronaut().crop((80, 0, 430, 350))), copy / "faces", "c01", "ava-4.jpg")
    more = run_enrol(copy, engine)
    assert set(more.loaded) - {MISFILED} == {"c01/ava-4.jpg"}
    assert more.engine_calls == len(more.loaded)
    assert more.report.enrolled == {"c01": 4, "c02": 2}


def test_changed_photo_is_enrolled_again(copy: Path, engine: FaceEngine) -> None:
    """Same file name, new content: the old template goes, the new photo is checked."""
    target = copy / "faces" / "c02" / "grace-2.jpg"
    old = [blob for _, p, blob, _ in rows(copy) if p == "c02/grace-2.jpg"]
    save_reference(grace_hopper().crop((60, 40, 460, 520)), copy / "faces", "c02", target.name)
    run = run_enrol(copy, engine)
    assert "c02/grace-2.jpg" in run.loaded
    new = [blob for _, p, blob, _ in rows(copy) if p == "c02/grace-2.jpg"]
    assert len(new) == 1 and new[0] is not None and new != old
    assert old[0] not in state_bytes(copy)


def test_prepare_refreshes_enrolment_only_when_inputs_change(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, ...]] = []
    real_find = FaceEngine.find_faces

    def counting(self: FaceEngine, full: np.ndarray, reduced: np.ndarray | None = None):  # noqa: ANN202
        calls.append(full.shape)
        return real_find(self, full, reduced)

    monkeypatch.setattr(FaceEngine, "find_faces", counting)
    settings = Settings(data_dir=copy)

    first = prepare(settings)  # never prepared before: enrols (from the stored templates)
    assert first.enrolment is not None
    assert sorted(first.enrolled) == ["c01", "c02"]
    assert len(first.enrolled["c01"]) == 3

    calls.clear()
    unchanged = prepare(settings)
    assert unchanged.enrolment is None and calls == []
    assert sorted(unchanged.enrolled) == ["c01", "c02"]

    # The register changes: Grace's parents withdraw face-matching permission.
    write_register(copy / "children.csv",
                   [dict(r, face_matching="no") if r["child_id"] == "c02" else r for r in ROWS])
    withdrawn = prepare(settings)
    assert withdrawn.enrolment is not None and withdrawn.enrolment.erased == ["c02"]
    assert sorted(withdrawn.enrolled) == ["c01"]
    assert {r[0] for r in rows(copy)} == {"c01"}
    assert prepare(settings).enrolment is None

    # A new reference photo is added: enrolled at the next audit without being asked.
    calls.clear()
    save_reference(ImageOps.mirror(astronaut().crop((80, 0, 430, 350))), copy / "faces", "c01", "ava-4.jpg")
    added = prepare(settings)
    assert added.enrolment is not None
    assert len(added.enrolled["c01"]) == 4
    assert 1 <= len(calls) <= 2  # the new photo (and the misfiled one, never kept)
    calls.clear()
    assert prepare(settings).enrolment is None and calls == []


def test_prepare_never_matches_against_children_the_register_no_longer_allows(copy: Path) -> None:
    """Belt and braces: even when stale templates are still stored (the enrolment inputs
    look unchanged), a child who has left is never matched."""
    settings = Settings(data_dir=copy)
    prepare(settings)
    write_register(copy / "children.csv",
                   [dict(r, status="left") if r["child_id"] == "c01" else r for r in ROWS])
    register = load_register(copy / "children.csv")
    with Store(copy / "state") as store:
        store.set_meta(ENROLMENT_KEY, inputs_fingerprint(register, copy / "faces", FaceEngine().settings.fingerprint()))
        assert "c01" in store.stored_child_ids()  # stale
    prepared = prepare(settings)
    assert prepared.enrolment is None
    assert sorted(prepared.enrolled) == ["c02"]


def test_no_reference_photos_folder_at_all(tmp_path: Path, engine: FaceEngine) -> None:
    write_register(tmp_path / "children.csv", ROWS[:2])
    run = run_enrol(tmp_path, engine)
    assert run.report.enrolled == {}
    assert run.engine_calls == 0
    assert len([w for w in run.report.warnings if "no reference photos" in w]) == 2
