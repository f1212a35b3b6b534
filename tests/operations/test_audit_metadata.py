"""The metadata rules end to end: photoaudit.toml, devices.csv, EXIF, the CLI and its reports."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from photoaudit.cli.main import app
from tests.faces import camera_exif

TODAY = datetime(2026, 11, 22, 12, 0)
TABLET = ("samsung", "SM-T220")
PHONE = ("Apple", "iPhone 14 Pro")


def photo(path: Path, camera: tuple[str, str] | None, days_ago: int | None, **extra) -> None:  # noqa: ANN003
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (320, 240), (90, 140, 60))
    if camera is None and days_ago is None:
        image.save(path)
        return
    make, model = camera or ("", "")
    when = None if days_ago is None else TODAY - timedelta(days=days_ago)
    image.save(path, exif=camera_exif(make, model, when, **extra))


@pytest.fixture()
def setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "acorns"
    data.mkdir()
    (data / "children.csv").write_text(
        "child_id,name,status,learning_journey,other_journeys,display,website,social_media,"
        "face_matching,consent_review_due\nC1,Amy,,yes,yes,yes,yes,yes,no,2030-01-01\n"
    )
    (data / "devices.csv").write_text("device_id,label,make,model,serial,folder\n"
                                      "tablet-1,Butterflies tablet,samsung,SM-T220,,tablet-1\n")
    (tmp_path / "photoaudit.toml").write_text('[setting]\nname = "Acorns"\ndata = "acorns"\n'
                                              "[transfer]\nwindow_days = 7\n")
    transfer = tmp_path / "transfer"
    photo(transfer / "tablet-1" / "IMG_0001.jpg", TABLET, 2, gps=(51.28, 1.08))
    photo(transfer / "tablet-1" / "IMG_0002.jpg", PHONE, 1)
    photo(transfer / "tablet-1" / "IMG_0003.jpg", TABLET, 400)
    photo(transfer / "tablet-1" / "IMG_0004.jpg", TABLET, 20)
    photo(transfer / "tablet-1" / "Screenshot.png", None, None)
    monkeypatch.chdir(tmp_path)  # photoaudit.toml is found in the working folder
    return tmp_path


def test_json_report_carries_the_metadata_findings(setting: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "transfer", "--json", "-", "--today", "2026-11-22", "--quiet"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    images = {i["path"]: i for i in report["images"]}
    gps, phone, old, late, shot = (images[f"tablet-1/{n}"] for n in (
        "IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg", "Screenshot.png"))
    assert gps["action"] == "keep" and gps["gps"] is True and "gps" in gps["flags"]
    assert gps["camera"] == {"make": "samsung", "model": "SM-T220", "serial": None}
    assert gps["device"] == "tablet-1" and gps["taken"] == "2026-11-20T12:00:00"
    assert gps["retain_until"] == "2027-11-20" and gps["kind"] == "photo" and gps["video"] is None
    assert phone["action"] == "delete" and phone["breach"] is True and phone["device"] is None
    assert old["action"] == "delete" and "retention_expired" in old["flags"]
    assert late["action"] == "keep" and "left_on_device" in late["flags"]
    assert shot["action"] == "review" and shot["camera"] is None and shot["taken"] is None
    assert set(shot["flags"]) == {"no_camera", "no_date"}
    # public_review: both kept photos have no face, so their public uses wait for a person (issue 12)
    assert report["summary"] == {"photos": 5, "keep": 2, "delete": 2, "review": 1, "breaches": 1, "skipped": 0,
                                 "public_review": 2}
    assert any("tablet-1/IMG_0002.jpg" in w and "DSL" in w for w in report["warnings"])
    assert any("tablet-1/IMG_0004.jpg" in w and "R8" in w for w in report["warnings"])
    assert "breaches=1" in result.stderr


def test_csv_report_has_the_metadata_columns(setting: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "transfer", "--csv", "week.csv", "--today", "2026-11-22"])
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO((setting / "week.csv").read_text(encoding="utf-8-sig"))))
    phone = next(r for r in rows if r["photo"].endswith("IMG_0002.jpg"))
    assert phone["breach"] == "yes" and phone["camera"] == "Apple iPhone 14 Pro"
    gps = next(r for r in rows if r["photo"].endswith("IMG_0001.jpg"))
    assert gps["gps"] == "yes" and gps["device"] == "tablet-1" and gps["taken"].startswith("2026-11-20")


def test_terminal_flags_the_breach_for_the_dsl(setting: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "transfer", "--today", "2026-11-22"])
    assert "BREACH" in result.output and "tell the DSL" in result.output


def test_devices_command_lists_the_cameras_seen(setting: Path) -> None:
    result = CliRunner().invoke(app, ["devices", "transfer"])
    assert result.exit_code == 0, result.output
    assert ",,Apple,iPhone 14 Pro,,tablet-1" in result.output.splitlines()  # ready to paste
    assert "SM-T220" in result.output and "no camera" in result.output
    assert "their photos are breaches." in " ".join(result.output.split())  # plain words
    coded = CliRunner().invoke(app, ["devices", "transfer", "--rules"])
    assert "breaches (R6)" in " ".join(coded.output.split())


def test_a_broken_device_register_stops_the_audit(setting: Path) -> None:
    (setting / "acorns" / "devices.csv").write_text("device_id,label,make\n")
    result = CliRunner().invoke(app, ["audit", "transfer"])
    assert result.exit_code == 2 and "model column" in result.output


def test_data_option_overrides_the_config(setting: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data", str(tmp_path / "nowhere"), "audit", "transfer"])
    assert result.exit_code == 2 and "nowhere" in result.output
