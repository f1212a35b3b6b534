"""Groups of unknown faces with the real face engine: audit, JSON report, review.

Grace Hopper (c02, no face-matching permission, so never enrolled) appears in many photos,
cropped, rescaled and mirrored; the cameraman (nobody in the register) in a few; Ava (c01,
the astronaut) is enrolled. Public-domain faces (photoaudit.media.samples), never children.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ImageOps
from review_setting import TODAY, ava_alone, make_setting
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.media.samples import cameraman, grace_hopper_face, scene

runner = CliRunner()
#: (crop of Grace's face as left, top, right, bottom shares, width pasted, mirrored, where)
GRACE_SHOTS = [
    ((0.0, 0.0, 1.0, 1.0), 300, False, (300, 120)),
    ((0.05, 0.0, 0.95, 1.0), 260, True, (100, 200)),
    ((0.0, 0.05, 1.0, 0.95), 340, False, (500, 80)),
    ((0.03, 0.03, 0.97, 0.97), 220, True, (350, 300)),
    ((0.0, 0.0, 0.95, 1.0), 280, False, (60, 60)),
    ((0.05, 0.05, 1.0, 1.0), 320, True, (420, 150)),
    ((0.0, 0.0, 1.0, 0.97), 240, False, (200, 250)),
]


def grace(share: tuple[float, float, float, float], mirrored: bool):
    face = grace_hopper_face()
    w, h = face.size
    cut = face.crop((round(share[0] * w), round(share[1] * h), round(share[2] * w), round(share[3] * h)))
    return ImageOps.mirror(cut) if mirrored else cut


def sam():
    return cameraman().crop((150, 60, 300, 240)).convert("RGB")


def run(data: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["--data", str(data), *args], input=input, env={"COLUMNS": "200"})


def people(data: Path, folder: Path, out: Path) -> list[dict]:
    result = run(data, "audit", str(folder), "--json", str(out), "--today", TODAY.isoformat(), "-q")
    assert result.exit_code in (0, 1), result.output
    return json.loads(out.read_text())["people_to_identify"]


@pytest.fixture
def week(tmp_path: Path):
    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    for n, (share, width, mirrored, where) in enumerate(GRACE_SHOTS, start=1):
        scene([(grace(share, mirrored), where, width)], (900, 700), seed=10 + n).save(folder / f"grace-{n}.jpg", quality=90)
    for n in range(1, 4):
        scene([(sam(), (150 * n, 100), 260 + 20 * n)], (900, 700), seed=30 + n).save(folder / f"sam-{n}.jpg", quality=90)
    # Grace twice in one photo (a mirror): both look like her, never one group
    scene([(grace(GRACE_SHOTS[0][0], False), (40, 150), 280), (grace(GRACE_SHOTS[0][0], True), (520, 150), 280)],
          (900, 700), seed=40).save(folder / "grace-twice.jpg", quality=90)
    ava_alone(folder / "ava.jpg")
    return settings, folder, tmp_path


def test_many_photos_of_one_unenrolled_face_are_one_group_with_a_stable_id(week) -> None:
    settings, folder, tmp = week
    first = people(settings.data_dir, folder, tmp / "1.json")
    faces = {(f["path"], f["face"]): g["group"] for g in first for f in g["faces"]}
    # every unknown face is in exactly one group, largest first
    assert len(faces) == sum(len(g["faces"]) for g in first)
    assert [len(g["faces"]) for g in first] == sorted((len(g["faces"]) for g in first), reverse=True)
    assert ("ava.jpg", 1) not in faces  # matched: not a person to identify
    grace_group = {faces[(f"grace-{n}.jpg", 1)] for n in range(1, len(GRACE_SHOTS) + 1)}
    assert len(grace_group) == 1, first
    sam_group = {faces[(f"sam-{n}.jpg", 1)] for n in range(1, 4)}
    assert len(sam_group) == 1 and sam_group != grace_group
    assert faces[("grace-twice.jpg", 1)] != faces[("grace-twice.jpg", 2)]
    # the next audit, with one more photo of her: the same id
    scene([(grace(GRACE_SHOTS[1][0], False), (200, 100), 300)], (900, 700), seed=99).save(folder / "grace-new.jpg")
    again = people(settings.data_dir, folder, tmp / "2.json")
    faces_again = {(f["path"], f["face"]): g["group"] for g in again for f in g["faces"]}
    assert faces_again[("grace-new.jpg", 1)] == faces_again[("grace-1.jpg", 1)] == grace_group.pop()
    assert faces_again[("sam-1.jpg", 1)] == sam_group.pop()


def test_a_group_named_as_a_child_it_does_not_look_like_leaves_its_faces_out(week) -> None:
    settings, folder, tmp = week
    groups = people(settings.data_dir, folder, tmp / "1.json")
    sam_group = next(g["group"] for g in groups if g["faces"][0]["path"].startswith("sam-"))
    decisions = tmp / "d.csv"
    decisions.write_text(f"group,decision\n{sam_group},c01\n", encoding="utf-8")  # Sam is not Ava
    result = run(settings.data_dir, "review", "--decisions", str(decisions), "--by", "Jo")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "3 face(s) left out, too far from Ava Patel (c01)'s reference photos" in said
    assert "Recorded 0 decision(s)" in said
    decisions.write_text(f"group,decision\n{sam_group},adult\n", encoding="utf-8")
    result = run(settings.data_dir, "review", "--decisions", str(decisions), "--by", "Jo")
    assert "Recorded 3 decision(s)" in " ".join(result.output.split()), result.output


def test_review_asks_once_per_group_and_takes_names(week) -> None:
    settings, folder, tmp = week
    people(settings.data_dir, folder, tmp / "1.json")
    result = run(settings.data_dir, "review", "--by", "Jo", input="grace okafor\nsam jones\nq\n")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"These {len(GRACE_SHOTS)} faces look like the same person: who is it?" in said
    assert "These 3 faces look like the same person" in said
    assert "Who is it? A name, a child id" in said and "(y)es as matched" not in said
    assert f"Recorded {len(GRACE_SHOTS) + 3} decision(s)" in said
    assert "has no reference photos to compare with" in said  # Grace and Sam are not enrolled
