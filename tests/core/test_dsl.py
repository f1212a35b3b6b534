"""The DSL section's rules on plain data: names, numbers, times, flags; no image."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from photoaudit.core.dsl import (
    DslHistory,
    DslKind,
    DslPhoto,
    DslRules,
    camera_number,
    dsl_section,
    edited_by,
    messaging_app,
    parse_days,
    parse_hours,
    time_named,
)
from photoaudit.core.errors import BadValue

MONDAY = datetime(2026, 11, 30, 10, 0)  # a Monday
OPEN = DslRules(open_from=time(7, 30), open_until=time(18, 30), days=frozenset(range(5)))


def week(device: str, names: list[str], start: datetime = MONDAY) -> list[DslPhoto]:
    return [DslPhoto(name, device, True, start + timedelta(minutes=i)) for i, name in enumerate(names)]


def kinds(section) -> list[str]:
    return [f.kind.value for f in section.findings]


@pytest.mark.parametrize("name, number, edited", [
    ("IMG_0101.HEIC", 101, False), ("IMG_E0101.jpg", 101, True), ("DSC_0001.JPG", 1, False),
    ("DSCF0001.JPG", 1, False), ("P1000001.JPG", 1, False), ("_MG_0001.CR2", 1, False),
    ("room 1/IMG_9999.jpg", 9999, False),
])
def test_camera_numbers_of_each_maker(name, number, edited):
    found = camera_number(name)
    assert found is not None and (found.number, found.edited) == (number, edited)


@pytest.mark.parametrize("name", ["PXL_20261201_101530123.jpg", "20261201_101530.jpg", "IMG-20261201-WA0003.jpg",
                                  "holiday.jpg", "IMG_12345.jpg"])
def test_names_without_a_camera_number(name):
    assert camera_number(name) is None


def test_time_named_phones():
    assert time_named("PXL_20261201_101530123.jpg") and time_named("20261201_101530.jpg")
    assert not time_named("IMG_0101.HEIC")


@pytest.mark.parametrize("name, app", [
    ("IMG-20261201-WA0003.jpg", "WhatsApp"), ("PHOTO-2026-12-01-10-15-30.jpg", "WhatsApp (saved on an iPhone)"),
    ("signal-2026-12-01-101530.jpg", "Signal"), ("photo_2026-12-01_10-15-30.jpg", "Telegram"),
    ("received_10158123456789.jpeg", "Messenger"), ("IMG_0101.jpg", None),
])
def test_messaging_app_names(name, app):
    assert messaging_app(name) == app


def test_edited_by_name_and_software():
    assert edited_by("IMG_E0101.jpg", "")
    assert edited_by("DSC_0001.jpg", "Adobe Photoshop Lightroom Classic 13.0")
    assert edited_by("IMG_0101.jpg", "17.1.1") is None  # the phone's own OS version
    assert edited_by("IMG_0101.jpg", "") is None


def test_a_gap_within_the_week():
    photos = week("ipad-1", [f"IMG_{n:04d}.HEIC" for n in (101, 102, 103, 107, 108, 109, 110)])
    section = dsl_section(photos, OPEN)
    assert kinds(section) == ["missing_numbers"]
    finding = section.findings[0]
    assert finding.device == "ipad-1" and finding.photos == ("IMG_0103.HEIC", "IMG_0107.HEIC")
    assert "3 photo(s) numbered 0104 to 0106" in finding.detail
    assert section.last_numbers == {"ipad-1": 110}


def test_no_gap_across_the_wrap_after_9999():
    photos = week("cam-1", ["DSC_9998.JPG", "DSC_9999.JPG", "DSC_0001.JPG", "DSC_0002.JPG"])
    section = dsl_section(photos, OPEN)
    assert section.findings == ()
    assert section.last_numbers == {"cam-1": 2}


def test_a_gap_across_the_wrap():
    photos = week("cam-1", ["DSC_9998.JPG", "DSC_0002.JPG"])
    (finding,) = dsl_section(photos, OPEN).findings
    assert finding.kind is DslKind.MISSING_NUMBERS and "2 photo(s) numbered 9999 to 0001" in finding.detail


def test_an_edited_copy_is_not_a_gap():
    photos = week("ipad-1", ["IMG_0101.HEIC", "IMG_E0101.jpg", "IMG_0102.HEIC"])
    assert kinds(dsl_section(photos, OPEN)) == ["edited"]


def test_several_devices_are_numbered_apart():
    photos = week("ipad-1", ["IMG_0101.HEIC", "IMG_0102.HEIC"]) + week("cam-1", ["DSC_0005.JPG", "DSC_0009.JPG"])
    section = dsl_section(photos, OPEN)
    assert [(f.kind.value, f.device) for f in section.findings] == [("missing_numbers", "cam-1")]
    assert section.last_numbers == {"ipad-1": 102, "cam-1": 9}


def test_numbers_going_backwards_mean_a_reset():
    photos = week("ipad-1", ["IMG_0450.HEIC", "IMG_0451.HEIC", "IMG_0001.HEIC", "IMG_0002.HEIC"])
    assert kinds(dsl_section(photos, OPEN)) == ["numbers_reset"]


def test_a_gap_since_an_earlier_week():
    history = DslHistory(last_numbers={"ipad-1": 95}, seen_devices=frozenset({"ipad-1"}), weeks=1)
    section = dsl_section(week("ipad-1", ["IMG_0101.HEIC", "IMG_0102.HEIC"]), OPEN, history)
    (finding,) = section.findings
    assert finding.kind is DslKind.MISSING_NUMBERS and "5 photo(s) numbered 0096 to 0100" in finding.detail
    assert dsl_section(week("ipad-1", ["IMG_0096.HEIC"]), OPEN, history).findings == ()


def test_a_reset_since_an_earlier_week():
    history = DslHistory(last_numbers={"ipad-1": 456}, seen_devices=frozenset({"ipad-1"}), weeks=1)
    section = dsl_section(week("ipad-1", ["IMG_0001.HEIC", "IMG_0002.HEIC"]), OPEN, history)
    assert kinds(section) == ["numbers_reset"]


def test_the_first_week_says_what_could_not_be_checked():
    section = dsl_section(week("ipad-1", ["IMG_0101.HEIC"]), OPEN, DslHistory(), registered=["ipad-1", "cam-1"])
    assert section.findings == ()
    assert any("first audited week" in note for note in section.not_checked)


def test_time_named_phones_say_the_check_does_not_apply():
    section = dsl_section(week("tablet-2", ["PXL_20261130_100000123.jpg", "PXL_20261130_100500123.jpg"]), OPEN)
    assert section.findings == ()
    assert any("tablet-2" in n and "cannot be checked" in n for n in section.not_checked)


def test_out_of_hours_and_closed_days():
    rules = DslRules(open_from=time(7, 30), open_until=time(18, 30), days=parse_days("Mon-Fri"),
                     closed=frozenset({date(2026, 12, 1)}))
    photos = [
        DslPhoto("IMG_0101.HEIC", "ipad-1", True, datetime(2026, 11, 30, 10, 0)),  # Monday, open
        DslPhoto("IMG_0102.HEIC", "ipad-1", True, datetime(2026, 11, 30, 19, 42)),  # Monday evening
        DslPhoto("IMG_0103.HEIC", "ipad-1", True, datetime(2026, 12, 1, 10, 0)),  # a closed date
        DslPhoto("IMG_0104.HEIC", "ipad-1", True, datetime(2026, 12, 5, 11, 0)),  # Saturday
    ]
    section = dsl_section(photos, rules)
    by_kind = {f.kind.value: f.photos for f in section.findings}
    assert by_kind == {"closed_day": ("IMG_0103.HEIC", "IMG_0104.HEIC"), "out_of_hours": ("IMG_0102.HEIC",)}
    assert "Mon 30 Nov 19:42" in next(f.detail for f in section.findings if f.kind is DslKind.OUT_OF_HOURS)


def test_no_opening_hours_given_says_so():
    photos = [DslPhoto("IMG_0102.HEIC", "ipad-1", True, datetime(2026, 11, 30, 23, 0))]
    section = dsl_section(photos)
    assert section.findings == ()
    assert any("opening hours" in n for n in section.not_checked)


def test_messaging_and_screenshots_and_flags():
    photos = [
        DslPhoto("IMG-20261201-WA0003.jpg"),
        DslPhoto("Screenshot 2026-12-01 at 10.15.30.png"),
        DslPhoto("IMG_0001.JPG", "Apple iPhone 15", False, MONDAY, flags=("unregistered_camera", "gps")),
        DslPhoto("DSC_0001.JPG", "cam-1", True, MONDAY, flags=("left_on_device",)),
    ]
    assert sorted(kinds(dsl_section(photos, OPEN))) == [
        "gps", "late_transfer", "messaging_app", "personal_device", "screenshot"]


def test_a_silent_device():
    history = DslHistory(last_numbers={"cam-1": 20}, seen_devices=frozenset({"cam-1", "ipad-1"}), weeks=2)
    section = dsl_section(week("ipad-1", ["IMG_0101.HEIC"]), OPEN, history, registered=["ipad-1", "cam-1", "new-1"])
    assert [(f.kind.value, f.device) for f in section.findings] == [("silent_device", "cam-1")]


def test_each_check_can_be_switched_off():
    photos = week("ipad-1", ["IMG_0101.HEIC", "IMG_0105.HEIC", "IMG-20261201-WA0003.jpg"], MONDAY.replace(hour=22))
    everything = dsl_section(photos, OPEN)
    assert sorted(kinds(everything)) == ["messaging_app", "missing_numbers", "out_of_hours"]
    off = DslRules(OPEN.open_from, OPEN.open_until, OPEN.days,
                   off=frozenset({DslKind.MISSING_NUMBERS, DslKind.OUT_OF_HOURS, DslKind.MESSAGING_APP}))
    assert dsl_section(photos, off).findings == ()


def test_parse_hours_and_days():
    assert parse_hours("07:30-18:30") == (time(7, 30), time(18, 30))
    assert parse_days("Mon-Fri") == frozenset(range(5))
    assert parse_days("Sat-Mon") == frozenset({5, 6, 0})
    assert parse_days("Mon,Wed") == frozenset({0, 2})
    for bad in ("7-6", "18:30-07:30", "25:00-26:00"):
        with pytest.raises(BadValue):
            parse_hours(bad)
    with pytest.raises(BadValue):
        parse_days("weekdays")


def test_the_rules_are_quick_on_a_week():
    """240 names: the section is pure and linear (docs/managers-week.md gives the measured time)."""
    photos = week("ipad-1", [f"IMG_{n:04d}.HEIC" for n in range(1, 241) if n % 50])
    assert len(dsl_section(photos, OPEN).findings) == 4


def test_a_photo_out_of_order_is_neither_a_gap_nor_a_reset():
    # in the order taken: 0007 (a year ago), 0008, then 0005, 0003, 0004, 0001, 0002, 0006, 0009
    names = ["IMG_0007.jpg", "IMG_0008.jpg", "IMG_0005.jpg", "IMG_0003.jpg", "IMG_0004.jpg",
             "IMG_0001.jpg", "IMG_0002.jpg", "IMG_0006.jpg", "IMG_0009.jpg"]
    section = dsl_section(week("tablet-1", names), OPEN)
    assert section.findings == () and section.last_numbers == {"tablet-1": 9}
    names.remove("IMG_0006.jpg")
    (gap,) = dsl_section(week("tablet-1", names), OPEN).findings
    assert gap.kind is DslKind.MISSING_NUMBERS and "1 photo(s) numbered 0006" in gap.detail


def test_a_number_in_the_folder_on_no_device_is_not_missing():
    photos = week("ipad-1", ["IMG_0101.HEIC", "IMG_0103.HEIC"]) + [DslPhoto("IMG_0102.HEIC")]  # unreadable
    assert dsl_section(photos, OPEN).findings == ()
