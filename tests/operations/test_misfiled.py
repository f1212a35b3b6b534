"""Misfiled reference photos, with the real face engine (issue 12, hole 1).

The public-domain faces play the children (tests/faces.py): the astronaut is Ava (c01)
and Grace Hopper is Grace (c02); both are allowed every use. A photo of the one filed
in the other's folder must never let the stranger be cleared.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from faces import astronaut, astronaut_face, grace_hopper, grace_hopper_face, scene
from PIL import ImageOps
from setting import child, save_reference, write_register

from photoaudit.core.models import Action, FaceStatus, Use
from photoaudit.core.settings import Settings
from photoaudit.operations.check import gather, run_check
from photoaudit.operations.workflow import audit, prepare

TODAY = date(2026, 11, 22)


def setting(data: Path, refs: dict[str, list]) -> Settings:  # noqa: ANN001
    write_register(data / "children.csv", [child("c01", "Ava Patel"), child("c02", "Grace Okafor")])
    for child_id, photos in refs.items():
        for n, image in enumerate(photos, start=1):
            save_reference(image, data / "faces", child_id, f"ref-{n}.jpg")
    return Settings(data_dir=data)


def photos_of(folder: Path, heads: dict[str, object]) -> Path:
    folder.mkdir(parents=True)
    for n, (name, head) in enumerate(heads.items(), start=1):
        scene([(head, (60, 60), 220)], (640, 480), seed=n).save(folder / f"{name}.jpg", quality=90)
    return folder


def test_two_reference_photos_of_different_people_enrol_neither(tmp_path: Path) -> None:
    """Grace's photo put next to Ava's one real photo: neither is used, and a photo of
    Grace is never cleared as Ava (before, check --for social_media cleared it, exit 0)."""
    settings = setting(tmp_path / "data", {"c01": [astronaut(), grace_hopper()], "c02": []})
    prepared = prepare(settings, force_enrol=True)
    report = prepared.enrolment
    assert report is not None
    assert report.enrolled["c01"] == 0 and "c01" not in prepared.enrolled
    rejected = {path: why for _, path, why in report.rejected}
    assert set(rejected) == {"c01/ref-1.jpg", "c01/ref-2.jpg"}
    assert "does not look like the same person as faces/c01/ref-2.jpg" in rejected["c01/ref-1.jpg"]
    assert "Neither is used until a person removes the wrong one" in rejected["c01/ref-2.jpg"]

    folder = photos_of(tmp_path / "post", {"grace-1": grace_hopper_face(), "grace-2": grace_hopper_face()})
    result = run_check(gather([folder]), prepared, TODAY, "social_media")
    assert result.cleared == 0 and result.exit_code == 1
    assert all(p.verdict.faces[0].status is FaceStatus.UNKNOWN for p in result.photos)


def test_one_reference_photo_is_enrolled_with_a_plain_warning(tmp_path: Path) -> None:
    settings = setting(tmp_path / "data", {"c01": [astronaut()], "c02": [grace_hopper(), ImageOps.mirror(grace_hopper())]})
    report = prepare(settings, force_enrol=True).enrolment
    assert report is not None and report.enrolled == {"c01": 1, "c02": 2}
    [warning] = [w for w in report.warnings if "only one reference photo" in w]
    assert "Ava Patel (c01)" in warning and "faces/c01/ref-1.jpg" in warning
    assert "misfiled" in warning and "two to five" in warning
    [closest] = report.notes
    assert "Ava Patel (c01) and Grace Okafor (c02)" in closest and "distance" in closest


def test_the_same_photo_in_two_folders_is_named_and_matching_between_them_refused(tmp_path: Path) -> None:
    ava = astronaut()
    settings = setting(tmp_path / "data", {
        "c01": [ava, ImageOps.mirror(ava)],
        "c02": [ava],  # Ava's photo filed for Grace too
    })
    prepared = prepare(settings, force_enrol=True)
    report = prepared.enrolment
    assert report is not None
    [same] = [w for w in report.warnings if "are the same photo" in w]
    assert "faces/c01/ref-1.jpg and faces/c02/ref-1.jpg" in same
    assert "Ava Patel (c01)" in same and "Grace Okafor (c02)" in same
    assert prepared.guard is not None
    assert [(p.a, p.b) for p in prepared.guard.look_alikes] == [("c01", "c02")]

    folder = photos_of(tmp_path / "week", {"ava": astronaut_face(), "grace": grace_hopper_face()})
    result = audit(folder, prepared, TODAY)
    for verdict in result.verdicts:
        assert verdict.action is Action.REVIEW, verdict
        assert Use.ALLOWED not in verdict.purposes.values()
        assert verdict.faces[0].status is not FaceStatus.MATCHED
    ava_verdict = next(v for v in result.verdicts if v.path == "ava.jpg")
    assert "too alike" in " ".join(ava_verdict.reasons)
    checked = run_check(gather([folder]), prepared, TODAY, "social_media")
    assert checked.cleared == 0

    # Fixed: the misfiled copy replaced by photos of Grace, both are told apart again.
    (tmp_path / "data" / "faces" / "c02" / "ref-1.jpg").unlink()
    save_reference(grace_hopper(), tmp_path / "data" / "faces", "c02", "grace-1.jpg")
    save_reference(ImageOps.mirror(grace_hopper()), tmp_path / "data" / "faces", "c02", "grace-2.jpg")
    fixed = prepare(settings)
    assert fixed.guard is not None and fixed.guard.look_alikes == ()
    again = {v.path: v for v in audit(folder, fixed, TODAY).verdicts}
    assert again["ava.jpg"].faces[0].child_id == "c01" and again["grace.jpg"].faces[0].child_id == "c02"
    assert again["ava.jpg"].purposes["display"] is Use.ALLOWED


def test_children_command_shows_the_reference_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from photoaudit.cli.main import app

    data = tmp_path / "data"
    setting(data, {"c01": [astronaut()], "c02": [grace_hopper(), ImageOps.mirror(grace_hopper())]})
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["--data", str(data), "enrol"])
    assert out.exit_code == 0, out.output
    assert "only one reference photo" in out.output and "most alike" in out.output
    shutil.rmtree(data / "state" / "reports", ignore_errors=True)
    shown = CliRunner().invoke(app, ["--data", str(data), "children", "--today", "2026-11-22"])
    assert shown.exit_code == 0, shown.output
    assert "only one reference photo" in " ".join(shown.output.split())
