"""The "For the DSL" section end to end: a generated week of named files with EXIF, two weeks in a row,
the command line's reports, -q line and exit code, and purge keeping the evidence (issue 27)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.media.samples import camera_exif

TABLET = ("samsung", "SM-T220")
CAMERA = ("NIKON CORPORATION", "NIKON D3500")
PHONE = ("Apple", "iPhone 14 Pro")
MONDAY = datetime(2026, 11, 23, 10, 0)  # week 1: Mon 23 - Fri 27 November 2026


def photo(path: Path, camera: tuple[str, str] | None, taken: datetime | None, software: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (160, 120), (90, 140, 60 + len(path.name)))
    make, model = camera or ("", "")
    image.save(path, exif=camera_exif(make, model, taken, software=software))


@pytest.fixture()
def setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "acorns"
    data.mkdir()
    (data / "children.csv").write_text(
        "child_id,name,status,learning_journey,other_journeys,display,website,social_media,"
        "face_matching,consent_review_due\nC1,Amy,,yes,yes,yes,yes,yes,no,2099-01-01\n"
    )
    (data / "devices.csv").write_text("device_id,label,make,model,serial,folder\n"
                                      "tablet-1,Butterflies tablet,samsung,SM-T220,,tablet-1\n"
                                      "camera-1,Garden camera,NIKON CORPORATION,NIKON D3500,,camera-1\n")
    (tmp_path / "photoaudit.toml").write_text(
        '[setting]\nname = "Acorns"\ndata = "acorns"\nopen = "07:30-18:30"\ndays = "Mon-Fri"\n'
        'closed = ["2026-12-02"]\n[transfer]\nwindow_days = 7\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def audit(folder: str, today: str, *extra: str):  # noqa: ANN201
    return CliRunner().invoke(app, ["audit", folder, "--json", "-", "--today", today, "--quiet", *extra])


def week_one(root: Path) -> None:
    for n in range(101, 104):
        photo(root / "week1/tablet-1" / f"IMG_{n:04d}.jpg", TABLET, MONDAY + timedelta(minutes=n))
    photo(root / "week1/camera-1/DSC_0010.JPG", CAMERA, MONDAY)


def test_the_first_week_says_what_it_could_not_check(setting: Path) -> None:
    week_one(setting)
    result = audit("week1", "2026-11-27")
    report = json.loads(result.stdout)
    assert report["version"] == 1 and report["dsl"] == []
    assert any("first audited week" in words for words in report["dsl_not_checked"])
    assert " dsl=0 " in result.stderr


def test_a_week_with_findings_for_the_dsl(setting: Path) -> None:
    week_one(setting)
    assert audit("week1", "2026-11-27").exit_code == 0
    week2 = setting / "week2"
    monday = MONDAY + timedelta(days=7)
    # tablet-1: 0104-0105 never came in (since last week), 0108 missing within this week
    for n in (106, 107, 109):
        photo(week2 / "tablet-1" / f"IMG_{n:04d}.jpg", TABLET, monday + timedelta(minutes=n))
    photo(week2 / "tablet-1" / "IMG_0110.jpg", TABLET, monday.replace(hour=21, minute=5))  # after closing
    photo(week2 / "tablet-1" / "IMG_0111.jpg", TABLET, datetime(2026, 12, 2, 10, 0))  # a closed date
    photo(week2 / "tablet-1" / "IMG_E0107.jpg", TABLET, monday + timedelta(minutes=107))  # edited on the device
    photo(week2 / "tablet-1" / "IMG_0112.jpg", TABLET, datetime(2026, 12, 3, 10, 0), software="Snapseed 2.0")
    photo(week2 / "tablet-1" / "IMG-20261201-WA0003.jpg", None, None)  # through WhatsApp
    photo(week2 / "tablet-1" / "IMG_5001.jpg", PHONE, monday)  # a personal phone
    # camera-1 took no photos this week: it has gone silent
    result = audit("week2", "2026-12-04")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    found = {(f["kind"], f["device"]): f for f in report["dsl"]}
    gaps = [f for f in report["dsl"] if f["kind"] == "missing_numbers"]
    assert sorted(f["detail"].split(" were ")[0] for f in gaps) == [
        "1 photo(s) numbered 0108", "2 photo(s) numbered 0104 to 0105"]
    assert found[("out_of_hours", "tablet-1")]["photos"] == ["tablet-1/IMG_0110.jpg"]
    assert found[("closed_day", "tablet-1")]["photos"] == ["tablet-1/IMG_0111.jpg"]
    assert sorted(found[("edited", "tablet-1")]["photos"]) == ["tablet-1/IMG_0112.jpg", "tablet-1/IMG_E0107.jpg"]
    assert found[("messaging_app", None)]["photos"] == ["tablet-1/IMG-20261201-WA0003.jpg"]
    assert found[("personal_device", "Apple iPhone 14 Pro")]["photos"] == ["tablet-1/IMG_5001.jpg"]
    assert found[("silent_device", "camera-1")]["photos"] == []
    assert f" dsl={len(report['dsl'])} " in result.stderr
    # the personal phone's photo stays on its own row too
    images = {i["path"]: i for i in report["images"]}
    assert "unregistered_camera" in images["tablet-1/IMG_5001.jpg"]["flags"]


def test_the_terminal_and_csv_show_the_section(setting: Path) -> None:
    photo(setting / "week/tablet-1/IMG_0001.jpg", TABLET, MONDAY.replace(hour=6))
    result = CliRunner().invoke(app, ["audit", "week", "--today", "2026-11-27", "--csv", "week.csv"])
    assert result.exit_code == 1, result.output
    assert "For the DSL: 1 finding(s)" in result.output and "outside opening hours (07:30-18:30)" in result.output
    assert "out of hours [tablet-1]" in result.output and "tablet-1/IMG_0001.jpg" in result.output
    assert "out_of_hours" in (setting / "week.csv").read_text()


def test_switched_off_checks_find_nothing(setting: Path) -> None:
    toml = setting / "photoaudit.toml"
    toml.write_text(toml.read_text() + '[dsl]\noff = ["out_of_hours"]\n')
    photo(setting / "week/tablet-1/IMG_0001.jpg", TABLET, MONDAY.replace(hour=6))
    result = audit("week", "2026-11-27")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dsl"] == []


def test_a_bad_setting_is_refused_in_words(setting: Path) -> None:
    toml = setting / "photoaudit.toml"
    toml.write_text(toml.read_text().replace('"07:30-18:30"', '"half seven"'))
    photo(setting / "week/tablet-1/IMG_0001.jpg", TABLET, MONDAY)
    result = audit("week", "2026-11-27")
    assert result.exit_code == 2 and "opening hours" in result.output


def test_purge_keeps_evidence_until_a_person_records_the_dsl_decision(setting: Path) -> None:
    photo(setting / "week/tablet-1/IMG_0001.jpg", PHONE, datetime.now() - timedelta(days=1))  # a personal phone
    runner = CliRunner()
    moved = runner.invoke(app, ["audit", "week", "--apply", "--quiet"])
    assert moved.exit_code == 1, moved.output
    quarantined = [p for p in (setting / "acorns" / "quarantine").rglob("IMG_0001.jpg")]
    assert len(quarantined) == 1
    kept = runner.invoke(app, ["purge", "--older-than", "0h", "--yes"])
    assert "evidence for the DSL" in kept.output and quarantined[0].exists()
    decided = runner.invoke(app, ["override", str(quarantined[0]), "--action", "delete",
                                  "--reason", "DSL spoke to the member of staff on 8/12; delete"])
    assert decided.exit_code == 0, decided.output
    purged = runner.invoke(app, ["purge", "--older-than", "0h", "--yes"])
    assert purged.exit_code == 0, purged.output
    assert not quarantined[0].exists()
