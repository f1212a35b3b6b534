"""Reference photos of one person that disagree, settled by a person or by a third photo (issue 26).

The astronaut plays Ava (c01). A solarised copy of her photo is still her but far from it
(distance about 0.77, over the tolerance 0.5): two such reference photos disagree and nothing
says which is wrong, until a person checks them (``enrol --confirm``). A heavily compressed
copy (about 0.42 from her photo) agrees with it, and the cameraman is someone else.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from faces import astronaut, cameraman, grace_hopper
from PIL import Image, ImageOps
from setting import child, save_reference, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.settings import Settings
from photoaudit.operations.workflow import prepare
from photoaudit.store.database import Store


def squeezed(img: Image.Image) -> Image.Image:
    """The photo saved at JPEG quality 5: blocky, the same face."""
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=5)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def setting(data: Path, photos: list[Image.Image]) -> Settings:
    write_register(data / "children.csv", [child("c01", "Ava Patel"), child("c02", "Grace Okafor", face_matching="no")])
    for n, image in enumerate(photos, start=1):
        save_reference(image, data / "faces", "c01", f"ref-{n}.jpg")
    return Settings(data_dir=data)


def enrol(data: Path, *args: str) -> str:
    out = CliRunner().invoke(app, ["--data", str(data), "enrol", *args], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    return " ".join(out.output.split())


def test_two_reference_photos_that_disagree_are_used_once_a_person_checked_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    settings = setting(data, [astronaut(), ImageOps.solarize(astronaut(), 128)])
    first = enrol(data)
    assert "Ava Patel (c01): 0 reference photo(s) enrolled" in first
    assert "Neither is used until a person removes the wrong one" in first
    assert ("Next: look at the photos in faces/c01/. Remove any that is not Ava Patel (c01); if all show them, "
            f"run: photoaudit --data {data} enrol --confirm c01") in first

    confirmed = enrol(data, "--confirm", "c01")
    assert "You checked the reference photos of Ava Patel (c01) in faces/c01/: ref-1.jpg ref-2.jpg" in confirmed
    assert "all 2 are used for as long as they stay exactly these files" in confirmed
    assert "Ava Patel (c01): 2 reference photo(s) enrolled" in confirmed and "Next:" not in confirmed
    with Store(settings.state_path) as store:
        record = store.reference_confirmation("c01")
    assert record is not None and sorted(record.photos) == ["c01/ref-1.jpg", "c01/ref-2.jpg"]
    assert len(prepare(settings).enrolled["c01"]) == 2  # an audit's enrolment keeps them

    # A photo added: the check was of two other photos, so it no longer applies.
    save_reference(grace_hopper(), data / "faces", "c01", "ref-3.jpg")
    changed = enrol(data)
    assert "faces/c01/: a person checked these reference photos on" in changed
    assert "so that check no longer applies" in changed
    assert "Ava Patel (c01): 0 reference photo(s) enrolled" in changed
    assert f"run: photoaudit --data {data} enrol --confirm c01" in changed


def test_a_third_photo_that_agrees_with_one_settles_it_without_a_person(tmp_path: Path) -> None:
    """Before, each of the three was rejected (each one's median distance to the others was
    over 0.55), and Ava was never recognised."""
    big_cameraman = cameraman().resize((1024, 1024))
    settings = setting(tmp_path / "data", [astronaut(), big_cameraman, squeezed(astronaut())])
    report = prepare(settings, force_enrol=True).enrolment
    assert report is not None
    assert report.enrolled["c01"] == 2 and report.conflicts == []
    rejected = {path: why for _, path, why in report.rejected}
    assert set(rejected) == {"c01/ref-2.jpg"}
    assert "does not look like the child's other reference photos" in rejected["c01/ref-2.jpg"]


def test_only_someone_who_may_be_enrolled_can_be_confirmed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    setting(data, [astronaut()])
    for given, words in (("c02", "has no face-matching permission"), ("c9", "No child has the id 'c9'")):
        out = CliRunner().invoke(app, ["--data", str(data), "enrol", "--confirm", given], env={"COLUMNS": "200"})
        assert out.exit_code == 2 and words in " ".join(out.output.split()), out.output
    with Store(data / "state") as store:
        assert store.reference_confirmation("c02") is None


def test_forget_erases_the_record_of_the_check_with_the_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    settings = setting(data, [astronaut(), ImageOps.solarize(astronaut(), 128)])
    enrol(data, "--confirm", "c01")
    out = CliRunner().invoke(app, ["--data", str(data), "forget", "c01"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    with Store(settings.state_path) as store:
        assert store.reference_confirmation("c01") is None and "c01" not in store.stored_child_ids()
