"""The device register (devices.csv) and the survey behind `photoaudit devices`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photoaudit.core.provenance import Camera
from photoaudit.media.sources import iter_media
from photoaudit.setting.devices import DeviceRegisterError, load_devices, survey
from photoaudit.setting.register import RegisterError
from tests.faces import camera_exif

HEADER = "device_id,label,make,model,serial,folder\n"


def devices_csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "devices.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_register_is_read_with_optional_serial_and_folder(tmp_path: Path) -> None:
    path = devices_csv(tmp_path, HEADER + "tablet-1,Butterflies tablet,samsung,SM-T220,,tablet-1\n"
                       "ipad,,Apple,iPad (9th generation),DMPXK1,\n\n")
    register = load_devices(path)
    first, second = register.devices
    assert (first.device_id, first.folder, first.label) == ("tablet-1", "tablet-1", "Butterflies tablet")
    assert second.serial == "DMPXK1" and second.folder == ""
    assert register.matching(Camera("Apple", "iPad (9th generation)")) == [second]
    assert register.folder_owner("tablet-1/IMG_1.jpg") is first
    assert register.folder_owner("tablet-10/IMG_1.jpg") is None


def test_excel_style_semicolons_and_a_bom_are_fine(tmp_path: Path) -> None:
    path = devices_csv(tmp_path, "\ufeffDevice ID;Label;Make;Model\nt1;Tablet;samsung;SM-T220\n")
    assert load_devices(path).devices[0].make == "samsung"


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    path = devices_csv(tmp_path, HEADER + "t1,,samsung,SM-T220,,tablet\n"
                       "t1,,samsung,,,tablet\n"
                       ",,Apple,iPad,,../outside\n")
    with pytest.raises(DeviceRegisterError) as caught:
        load_devices(path)
    text = str(caught.value)
    assert isinstance(caught.value, RegisterError)  # the CLI turns it into exit code 2
    assert "line 3" in text and "already used on line 2" in text
    assert 'line 3, column "model"' in text
    assert "already the folder of t1" in text
    assert "line 4" in text and "no device_id" in text and "not a sub-folder" in text


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(DeviceRegisterError, match="no model column"):
        load_devices(devices_csv(tmp_path, "device_id,label,make\nt1,x,samsung\n"))


def test_empty_file_says_what_it_needs(tmp_path: Path) -> None:
    with pytest.raises(DeviceRegisterError, match="header row"):
        load_devices(devices_csv(tmp_path, ""))


def test_survey_counts_cameras_per_folder_and_says_which_are_registered(tmp_path: Path) -> None:
    folder = tmp_path / "transfer"
    (folder / "tablet-1").mkdir(parents=True)
    shot = datetime(2026, 11, 18, 10, 0)
    image = Image.new("RGB", (32, 32))
    for n in range(3):
        image.save(folder / "tablet-1" / f"IMG_{n}.jpg", exif=camera_exif("samsung", "SM-T220", shot))
    image.save(folder / "tablet-1" / "IMG_9.jpg", exif=camera_exif("Apple", "iPhone 14 Pro", shot))
    image.save(folder / "shot.png")
    register = load_devices(devices_csv(tmp_path, HEADER + "t1,,samsung,SM-T220,,tablet-1\n"))
    seen = survey(iter_media(folder), register)
    assert [(e.camera, e.files, e.device_ids) for e in seen] == [
        (Camera("samsung", "SM-T220"), 3, ("t1",)),
        (Camera("Apple", "iPhone 14 Pro"), 1, ()),
        (None, 1, ()),
    ]
    assert seen[0].folders == {"tablet-1": 3} and seen[2].folders == {".": 1}
