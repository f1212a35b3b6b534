"""Staff in the photos with the real face engine and the command line (issue 19).

One public-domain face enrolled as a child (the astronaut: "Ava", c01) and one as a member
of staff (Grace Hopper: "Jo Smith", JS01). Never real photos of children or staff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ImageOps
from review_setting import (
    ROWS,
    TODAY,
    ava_alone,
    ava_and_grace,
    grace_alone,
    grace_portrait,
    make_setting,
)
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.store.database import Store

runner = CliRunner()
STAFF_HEADER = "staff_id,name,status,website,social_media,face_matching"


def run(data: Path, *args: str, input: str | None = None):  # noqa: ANN201
    result = runner.invoke(app, ["--data", str(data), *args], input=input, env={"COLUMNS": "200"})
    result.text = " ".join(result.output.split())
    return result


def audit_json(data: Path, folder: Path, out: Path) -> dict:
    result = run(data, "audit", str(folder), "--json", str(out), "--today", TODAY.isoformat(), "-q")
    assert result.exit_code in (0, 1), result.output
    return {i["path"]: i for i in json.loads(out.read_text())["images"]}


def write_staff(data: Path, row: str = "JS01,Jo Smith,working,yes,no,yes") -> None:
    (data / "staff.csv").write_text(f"{STAFF_HEADER}\n{row}\n", encoding="utf-8")


def staff_references(data: Path) -> None:
    folder = data / "staff" / "JS01"
    folder.mkdir(parents=True, exist_ok=True)
    portrait = grace_portrait()
    for n, photo in enumerate([portrait, ImageOps.mirror(portrait)], 1):
        photo.save(folder / f"reference-{n}.jpg", quality=92)


@pytest.fixture
def setting(tmp_path: Path):
    # Grace is not a child here: only Ava (c01) and Sam (c03) are in the children's register.
    settings = make_setting(tmp_path, [ROWS[0], ROWS[2]])
    write_staff(settings.data_dir)
    staff_references(settings.data_dir)
    folder = tmp_path / "transfer"
    ava_alone(folder / "ava.jpg")
    grace_alone(folder / "jo.jpg")
    ava_and_grace(folder / "activity.jpg")
    return settings, folder, tmp_path


def test_a_practitioner_with_a_child_is_kept_without_review_and_named(setting) -> None:
    settings, folder, tmp = setting
    images = audit_json(settings.data_dir, folder, tmp / "1.json")
    activity = images["activity.jpg"]
    assert activity["action"] == "keep", activity["reasons"]
    staff_face = next(n for n, f in enumerate(activity["faces"], 1) if f["staff_id"])
    assert activity["faces"][staff_face - 1]["staff_id"] == "JS01"
    assert activity["faces"][staff_face - 1]["child_id"] is None
    assert f"Face {staff_face}: Jo Smith (staff)." in activity["notes"]
    # Jo agreed to the website, not to social media; Ava agreed to everything.
    assert activity["purposes"]["website"] == "allowed"
    assert activity["purposes"]["social_media"] == "withheld"
    assert any("Jo Smith (staff JS01) has not agreed to appear in social media" in r for r in activity["reasons"])
    assert activity["journeys"] == ["c01"]
    assert images["jo.jpg"]["action"] == "keep"
    assert "Nothing to review" in run(settings.data_dir, "review").text


def test_without_the_staff_register_the_practitioner_goes_to_review(setting) -> None:
    settings, folder, tmp = setting
    (settings.data_dir / "staff.csv").unlink()
    images = audit_json(settings.data_dir, folder, tmp / "1.json")
    assert images["activity.jpg"]["action"] == "review"
    assert images["jo.jpg"]["action"] == "review"


def test_staff_without_face_matching_are_not_enrolled(setting) -> None:
    settings, folder, tmp = setting
    write_staff(settings.data_dir, "JS01,Jo Smith,working,yes,yes,no")
    images = audit_json(settings.data_dir, folder, tmp / "1.json")
    assert images["activity.jpg"]["action"] == "review"
    with Store(settings.state_path) as store:
        assert "staff:JS01" not in store.stored_child_ids()


def test_a_leaver_is_erased_and_forget_takes_a_staff_id(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    with Store(settings.state_path) as store:
        assert "staff:JS01" in store.stored_child_ids()
    result = run(settings.data_dir, "forget", "JS01")
    assert result.exit_code == 0, result.output
    assert "Erased the face data of Jo Smith (staff JS01)" in result.text and "2 reference template(s)" in result.text
    with Store(settings.state_path) as store:
        assert "staff:JS01" not in store.stored_child_ids()
        assert "staff:JS01" in store.forgotten()
    images = audit_json(settings.data_dir, folder, tmp / "2.json")
    assert images["jo.jpg"]["action"] == "review"
    assert all(f["staff_id"] is None for f in images["activity.jpg"]["faces"])
    # Enrolled again only when asked (the faces erased stay without templates); then a
    # leaver is erased at the next enrolment.
    assert run(settings.data_dir, "enrol").exit_code == 0
    with Store(settings.state_path) as store:
        assert "staff:JS01" not in store.stored_child_ids()
    result = run(settings.data_dir, "enrol", "--allow-again", "JS01")
    assert result.exit_code == 0 and "Jo Smith (staff JS01): 2 reference photo(s) enrolled" in result.text
    write_staff(settings.data_dir, "JS01,Jo Smith,left,yes,no,yes")
    result = run(settings.data_dir, "enrol")
    assert "Erased the face data of Jo Smith (staff JS01) (has left the setting)" in result.text
    with Store(settings.state_path) as store:
        assert "staff:JS01" not in store.stored_child_ids()


def test_review_names_a_face_as_staff_and_enrol_teaches_the_matcher(setting) -> None:
    settings, folder, tmp = setting
    staff_dir = settings.data_dir / "staff" / "JS01"
    for photo in staff_dir.iterdir():
        photo.unlink()
    first = audit_json(settings.data_dir, folder, tmp / "1.json")
    assert first["jo.jpg"]["action"] == "review"
    (tmp / "d.csv").write_text("photo,face,decision\njo.jpg,1,staff JS01\n", encoding="utf-8")
    result = run(settings.data_dir, "review", "--decisions", str(tmp / "d.csv"), "--enrol", "--by", "Manager")
    assert result.exit_code == 0, result.output
    assert "to Jo Smith (staff JS01)'s reference photos" in result.text
    assert len(list(staff_dir.glob("review-*.jpg"))) == 1
    second = audit_json(settings.data_dir, folder, tmp / "2.json")
    jo = second["jo.jpg"]
    assert jo["action"] == "keep"
    assert jo["faces"][0]["decision"]["kind"] == "staff" and jo["faces"][0]["decision"]["staff_id"] == "JS01"
    # The reference learned from the review now matches Jo in the other photo.
    activity = second["activity.jpg"]
    assert activity["action"] == "keep", activity["reasons"]
    assert any(f["staff_id"] == "JS01" for f in activity["faces"])
    shown = run(settings.data_dir, "staff", "--today", TODAY.isoformat())
    assert shown.exit_code == 0, shown.output
    assert "Jo Smith (staff JS01)" in shown.text and "1 (1 from reviews)" in shown.text


def test_an_unknown_staff_id_in_the_decisions_csv_is_refused(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    (tmp / "d.csv").write_text("photo,face,decision\nava.jpg,1,staff XX9\n", encoding="utf-8")
    result = run(settings.data_dir, "review", "--decisions", str(tmp / "d.csv"))
    assert result.exit_code == 2 and "'XX9' is not a staff id" in result.text


def test_a_staff_id_that_is_also_a_child_id_cannot_run(setting) -> None:
    settings, folder, tmp = setting
    write_staff(settings.data_dir, "c01,Jo Smith,working,yes,no,yes")
    result = run(settings.data_dir, "audit", str(folder), "-q")
    assert result.exit_code == 2 and "both a child id" in result.text


def test_interactive_review_takes_a_staff_id(setting) -> None:
    settings, folder, tmp = setting
    for photo in (settings.data_dir / "staff" / "JS01").iterdir():
        photo.unlink()
    audit_json(settings.data_dir, folder, tmp / "1.json")
    # activity.jpg's unknown face comes first (photos in name order), then jo.jpg's.
    result = run(settings.data_dir, "review", input="XX9\nJS01\nstaff js01\n")
    assert result.exit_code == 0, result.output
    assert "There is no child 'XX9'" in result.text and "Recorded 2 decision(s)" in result.text
    images = audit_json(settings.data_dir, folder, tmp / "2.json")
    assert images["jo.jpg"]["action"] == "keep" and images["activity.jpg"]["action"] == "keep"
    assert images["jo.jpg"]["faces"][0]["staff_id"] == "JS01"


def test_staff_without_a_staff_register_says_how_to_start_one(setting) -> None:
    settings, _, _ = setting
    (settings.data_dir / "staff.csv").unlink()
    result = run(settings.data_dir, "staff")
    assert result.exit_code == 2 and "consent_data/template/staff.csv" in result.text
