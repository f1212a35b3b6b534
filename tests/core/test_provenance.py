"""The metadata rules (photoaudit.core.provenance) on plain data: devices, dates, location.

No images. Each test builds a consent verdict with photoaudit.core.consent.consent_verdict,
then adds what the file's metadata says. The rules may only make a verdict
stricter, never clear anything (checked over random cases at the end).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from photoaudit.core.consent import consent_verdict
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Child,
    FaceMatch,
    FaceStatus,
    PhotoFacts,
    Register,
    Use,
)
from photoaudit.core.provenance import (
    FLAG_FUTURE,
    FLAG_GPS,
    FLAG_LEAVER,
    FLAG_LEFT_ON_DEVICE,
    FLAG_NO_CAMERA,
    FLAG_NO_DATE,
    FLAG_RETENTION,
    FLAG_UNREGISTERED,
    FLAG_WRONG_FOLDER,
    Camera,
    Device,
    DeviceRegister,
    MediaMeta,
    RecordRules,
    VideoInfo,
    add_months,
    audit_warnings,
    provenance_verdict,
)

TODAY = date(2026, 11, 22)
BOX = (0, 10, 10, 0)
TABLET = Camera("samsung", "SM-T220")
IPAD = Camera("Apple", "iPad (9th generation)")
PHONE = Camera("Apple", "iPhone 14 Pro")
DEVICES = DeviceRegister(
    (
        Device("tablet-1", "samsung", "SM-T220", label="Butterflies tablet", folder="tablet-1"),
        Device("tablet-2", "Apple", "iPad (9th generation)", serial="DMPXK1", folder="tablet-2"),
    )
)


def child(child_id: str = "C001", **kwargs) -> Child:  # noqa: ANN003
    consents = {p: True for p in PURPOSES}
    consents.update(kwargs.pop("consents", {}))
    return Child(child_id, kwargs.pop("name", "Amelia Jones"), consents, face_matching=True,
                 consent_review_due=date(2030, 1, 1), **kwargs)


def register(*children: Child) -> Register:
    return Register({c.child_id: c for c in children})


def verdict(reg: Register, *ids: str, path: str = "tablet-1/IMG_0001.jpg"):  # noqa: ANN201
    faces = tuple(FaceMatch(FaceStatus.MATCHED, BOX, i, 0.3) for i in ids)
    return consent_verdict(PhotoFacts(path, faces), reg, TODAY)


def taken(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(hour=10)


def meta(camera: Camera | None = TABLET, days_ago: int | None = 2, **kwargs) -> MediaMeta:  # noqa: ANN003
    return MediaMeta(camera=camera, taken=None if days_ago is None else taken(days_ago), **kwargs)


def judge(m: MediaMeta | None, *, path: str = "tablet-1/IMG_0001.jpg", reg: Register | None = None,
          ids: tuple[str, ...] = ("C001",), rules: RecordRules = RecordRules(),
          devices: DeviceRegister | None = DEVICES, kind: str = "photo", video: VideoInfo | None = None):
    reg = reg or register(child())
    return provenance_verdict(verdict(reg, *ids, path=path), m, reg, TODAY, rules, devices, kind, video)


def test_a_photo_from_the_folders_registered_tablet_stays_cleared() -> None:
    v = judge(meta())
    assert v.action is Action.KEEP
    assert set(v.purposes.values()) == {Use.ALLOWED}
    assert v.provenance.device_id == "tablet-1" and not v.provenance.breach and v.provenance.flags == ()
    assert v.journeys == ("C001",)


# --- R6: setting devices -----------------------------------------------------------------

def test_unregistered_camera_is_a_breach_to_delete_naming_the_camera() -> None:
    v = judge(meta(PHONE), path="IMG_0001.jpg")
    assert v.action is Action.DELETE and v.provenance.breach
    assert set(v.purposes.values()) == {Use.WITHHELD} and v.journeys == ()
    assert FLAG_UNREGISTERED in v.provenance.flags
    why = " ".join(v.reasons)
    assert "Apple iPhone 14 Pro" in why and "DSL" in why and "R6" in why
    assert not any(n.startswith("May go in the learning journey") for n in v.notes)


def test_photo_in_a_devices_folder_from_another_camera_is_a_breach() -> None:
    v = judge(meta(IPAD), path="tablet-1/IMG_0001.jpg")  # an iPad photo in the Samsung's folder
    assert v.action is Action.DELETE and v.provenance.breach
    assert "Butterflies tablet (tablet-1)" in " ".join(v.reasons)


def test_photo_proven_by_serial_to_be_another_setting_device_is_misfiled_not_a_breach() -> None:
    v = judge(meta(Camera("Apple", "iPad (9th generation)", "DMPXK1")), path="tablet-1/IMG_0001.jpg")
    assert v.action is Action.REVIEW and not v.provenance.breach
    assert FLAG_WRONG_FOLDER in v.provenance.flags and v.provenance.device_id == "tablet-2"
    assert "wrong folder" in " ".join(v.reasons)


def test_same_model_with_another_serial_is_not_the_registered_device() -> None:
    v = judge(meta(Camera("Apple", "iPad (9th generation)", "OTHER1")), path="tablet-2/IMG_0001.jpg")
    assert v.action is Action.DELETE and v.provenance.breach


def test_camera_names_compare_without_case_or_padding() -> None:
    v = judge(meta(Camera("SAMSUNG ", "sm-t220\x00")), path="tablet-1/x.jpg")
    assert v.action is Action.KEEP and v.provenance.device_id == "tablet-1"


def test_registered_camera_outside_any_device_folder_is_fine() -> None:
    v = judge(meta(IPAD), path="week47/IMG_0001.jpg")
    assert v.action is Action.KEEP and v.provenance.device_id == "tablet-2"


def test_no_camera_metadata_is_unknown_provenance_for_review() -> None:
    v = judge(meta(None), path="tablet-1/screenshot.png")
    assert v.action is Action.REVIEW and not v.provenance.breach
    assert FLAG_NO_CAMERA in v.provenance.flags
    assert all(use is Use.REVIEW for use in v.purposes.values()) and v.journeys == ()
    assert "screenshots" in " ".join(v.reasons)


def test_a_camera_with_only_a_make_is_unknown_provenance() -> None:
    v = judge(meta(Camera("Apple", "")))
    assert v.action is Action.REVIEW and FLAG_NO_CAMERA in v.provenance.flags


def test_without_a_device_register_devices_are_not_checked_and_the_audit_says_so() -> None:
    v = judge(meta(PHONE), devices=None)
    assert v.action is Action.KEEP and not v.provenance.breach
    assert any("devices.csv" in w for w in audit_warnings([v], RecordRules(), None))


def test_a_breach_stays_a_delete_even_when_consent_said_review() -> None:
    reg = register(child())
    facts = PhotoFacts("x.jpg", (FaceMatch(FaceStatus.UNKNOWN, BOX),))
    v = provenance_verdict(consent_verdict(facts, reg, TODAY), meta(PHONE), reg, TODAY, devices=DEVICES)
    assert v.action is Action.DELETE and v.provenance.breach


def test_a_consent_delete_is_not_softened_by_unknown_provenance() -> None:
    reg = register(child(consents={p: False for p in PURPOSES}))
    v = provenance_verdict(verdict(reg, "C001"), meta(None), reg, TODAY, devices=DEVICES)
    assert v.action is Action.DELETE


def test_undecodable_file_keeps_its_review() -> None:
    reg = register(child())
    facts = PhotoFacts("x.jpg", problem="The file is cut short (truncated).")
    v = provenance_verdict(consent_verdict(facts, reg, TODAY), None, reg, TODAY, devices=DEVICES)
    assert v.action is Action.REVIEW and v.provenance.flags == ()


# --- R7, R8: dates -----------------------------------------------------------------------

def test_old_photo_left_on_the_device_is_flagged_but_kept() -> None:
    v = judge(meta(days_ago=21))
    assert v.action is Action.KEEP
    assert FLAG_LEFT_ON_DEVICE in v.provenance.flags
    assert any("21 days" in n and "7-day transfer window" in n for n in v.notes)


def test_photo_within_the_transfer_window_is_not_flagged() -> None:
    assert FLAG_LEFT_ON_DEVICE not in judge(meta(days_ago=7)).provenance.flags


def test_transfer_window_is_configurable() -> None:
    v = judge(meta(days_ago=5), rules=RecordRules(transfer_window_days=3))
    assert FLAG_LEFT_ON_DEVICE in v.provenance.flags


def test_photo_past_retention_is_deleted_with_the_reason() -> None:
    v = judge(meta(days_ago=400))
    assert v.action is Action.DELETE and FLAG_RETENTION in v.provenance.flags
    assert set(v.purposes.values()) == {Use.WITHHELD}
    assert "12 months" in " ".join(v.reasons) and "R7" in " ".join(v.reasons)
    assert FLAG_LEFT_ON_DEVICE not in v.provenance.flags  # one finding is enough


def test_retention_ends_exactly_n_months_after_the_photo() -> None:
    shot = datetime(2025, 11, 22, 9, 0)
    on_the_day = provenance_verdict(verdict(register(child()), "C001"), MediaMeta(TABLET, shot),
                                  register(child()), TODAY, devices=DEVICES)
    assert on_the_day.action is Action.KEEP and on_the_day.provenance.retain_until == date(2026, 11, 22)
    day_before = MediaMeta(TABLET, shot - timedelta(days=1))
    assert provenance_verdict(verdict(register(child()), "C001"), day_before, register(child()), TODAY,
                            devices=DEVICES).action is Action.DELETE


def test_retention_period_is_configurable() -> None:
    assert judge(meta(days_ago=100), rules=RecordRules(retention_months=3)).action is Action.DELETE
    assert judge(meta(days_ago=100), rules=RecordRules(retention_months=4)).action is Action.KEEP


def test_future_date_is_flagged_as_a_wrong_clock() -> None:
    v = judge(MediaMeta(TABLET, datetime(2027, 1, 5, 10, 0)))
    assert FLAG_FUTURE in v.provenance.flags and v.action is Action.KEEP
    assert any("clock" in n for n in v.notes)
    assert v.provenance.retain_until is None
    assert any("future" in w for w in audit_warnings([v], RecordRules(), DEVICES))


def test_no_date_is_said_to_be_unknown_and_file_time_is_only_quoted() -> None:
    modified = datetime(2024, 1, 1, 12, 0)  # an old file time must not trigger retention
    v = judge(MediaMeta(TABLET, None, file_modified=modified))
    assert v.action is Action.KEEP and FLAG_NO_DATE in v.provenance.flags
    assert FLAG_RETENTION not in v.provenance.flags
    note = next(n for n in v.notes if "unknown" in n)
    assert "1 January 2024" in note and "not necessarily when it was taken" in note


def test_unreadable_date_says_what_was_there() -> None:
    v = judge(MediaMeta(TABLET, None, taken_problem='the date recorded, "2026:13:45", is not a real date'))
    assert any("2026:13:45" in n for n in v.notes)


def test_time_zone_aware_dates_are_judged_by_their_own_day() -> None:
    shot = datetime(2026, 11, 14, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    v = judge(MediaMeta(TABLET, shot))
    assert FLAG_LEFT_ON_DEVICE in v.provenance.flags  # 8 days before 22 November


def test_add_months_clamps_to_the_end_of_a_short_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


# --- R7: leavers ------------------------------------------------------------------------

def test_photo_of_a_child_who_left_is_deleted_after_the_leaver_period() -> None:
    leaver = child("C002", name="Harry Smith", status="left", leave_date=date(2026, 7, 18))
    reg = register(child(), leaver)
    v = judge(meta(), reg=reg, ids=("C001", "C002"), rules=RecordRules(leaver_retention_months=3))
    assert v.action is Action.DELETE and FLAG_LEAVER in v.provenance.flags
    assert "Harry Smith (C002) left the setting on 18 July 2026" in " ".join(v.reasons)
    assert "3 months" in " ".join(v.reasons)


def test_leaver_within_the_leaver_period_gets_no_retention_reason() -> None:
    leaver = child("C002", status="left", leave_date=date(2026, 10, 1))
    v = judge(meta(), reg=register(leaver), ids=("C002",), rules=RecordRules(leaver_retention_months=3))
    assert FLAG_LEAVER not in v.provenance.flags
    assert v.action is Action.DELETE  # the consent rules already withhold leavers' photos


def test_attending_child_past_their_leave_date_counts_as_a_leaver() -> None:
    gone = child(leave_date=date(2026, 8, 31))  # the register still says attending
    v = judge(meta(), reg=register(gone))
    assert v.action is Action.DELETE and FLAG_LEAVER in v.provenance.flags


def test_a_future_leave_date_changes_nothing() -> None:
    v = judge(meta(), reg=register(child(leave_date=date(2027, 7, 31))))
    assert v.action is Action.KEEP


def test_unidentified_faces_never_trigger_leaver_rules_for_anyone() -> None:
    leaver = child("C002", status="left", leave_date=date(2020, 1, 1))
    reg = register(child(), leaver)
    facts = PhotoFacts("tablet-1/a.jpg", (FaceMatch(FaceStatus.MATCHED, BOX, "C001", 0.3),))
    v = provenance_verdict(consent_verdict(facts, reg, TODAY), meta(), reg, TODAY, devices=DEVICES)
    assert FLAG_LEAVER not in v.provenance.flags


# --- withdrawn consent --------------------------------------------------------------------

def test_withdrawn_consent_is_a_no_and_the_reason_says_when() -> None:
    grace = child(withdrawn={"social_media": date(2026, 10, 3)})
    assert not grace.allows("social_media") and grace.allows("website")
    v = judge(meta(days_ago=2), reg=register(grace))
    assert v.purposes["social_media"] is Use.WITHHELD and v.purposes["website"] is Use.ALLOWED
    assert "social media consent withdrawn on 3 October 2026" in " ".join(v.reasons)


def test_photo_taken_before_the_withdrawal_gets_a_take_it_down_note() -> None:
    grace = child(withdrawn={"social_media": date(2026, 11, 10)})
    before = judge(meta(days_ago=30), reg=register(grace))
    after = judge(meta(days_ago=2), reg=register(grace))
    assert any("take it down" in n for n in before.notes)
    assert not any("take it down" in n for n in after.notes)
    assert before.purposes["social_media"] is Use.WITHHELD  # judged by today's consent


# --- R10: location ------------------------------------------------------------------------

def test_gps_is_marked_with_what_to_do() -> None:
    v = judge(meta(gps=True))
    assert v.provenance.gps and FLAG_GPS in v.provenance.flags
    assert v.action is Action.KEEP
    assert any("remove the location" in n and "R10" in n for n in v.notes)
    assert any("GPS" in w for w in audit_warnings([v], RecordRules(), DEVICES))


# --- videos -------------------------------------------------------------------------------

def test_video_verdict_notes_how_it_was_sampled_and_when_each_child_was_seen() -> None:
    reg = register(child())
    faces = (FaceMatch(FaceStatus.MATCHED, BOX, "C001", 0.3, time=4.0),)
    base = consent_verdict(PhotoFacts("tablet-1/VID.mov", faces), reg, TODAY)
    v = provenance_verdict(base, meta(), reg, TODAY, devices=DEVICES, kind="video",
                         video=VideoInfo(12.5, 13, 1.0))
    assert v.provenance.kind == "video" and v.provenance.video.frames_sampled == 13
    assert any("Amelia Jones (C001) at 0:04" in n for n in v.notes)
    assert any("13 frames" in n for n in v.notes)


def test_unknown_face_in_a_video_reason_gives_its_time() -> None:
    reg = register(child())
    faces = (FaceMatch(FaceStatus.UNKNOWN, BOX, time=65.0),)
    v = consent_verdict(PhotoFacts("VID.mp4", faces), reg, TODAY)
    assert v.action is Action.REVIEW and "Face 1 (at 1:05 in the video)" in v.reasons[0]


def test_a_video_from_a_personal_phone_is_a_breach() -> None:
    v = judge(meta(PHONE), path="VID_0001.mov", kind="video")
    assert v.provenance.breach and "This video was taken with" in " ".join(v.reasons)


# --- only ever stricter ---------------------------------------------------------------------

STRICT = {Action.KEEP: 0, Action.REVIEW: 1, Action.DELETE: 2}


def test_metadata_rules_never_clear_anything() -> None:
    rng = random.Random(4)
    statuses = list(FaceStatus)
    for _ in range(2000):
        kids = [
            child(f"C{n}", consents={p: rng.random() < 0.7 for p in PURPOSES},
                  leave_date=rng.choice([None, date(2026, 1, 1), date(2027, 1, 1)]),
                  withdrawn=rng.choice([{}, {"website": date(2026, 5, 1)}]))
            for n in range(3)
        ]
        reg = register(*kids)
        faces = tuple(
            FaceMatch(s, BOX, f"C{rng.randrange(3)}" if s is FaceStatus.MATCHED else None, 0.3)
            for s in rng.choices(statuses, k=rng.randrange(4))
        )
        problem = "damaged" if rng.random() < 0.05 else None
        base = consent_verdict(PhotoFacts(rng.choice(["tablet-1/a.jpg", "tablet-2/a.jpg", "a.jpg"]), faces, problem),
                           reg, TODAY)
        m = None if rng.random() < 0.1 else MediaMeta(
            rng.choice([None, TABLET, IPAD, PHONE, Camera("Apple", "")]),
            rng.choice([None, taken(1), taken(30), taken(500), taken(-20)]),
            gps=rng.random() < 0.3,
        )
        v = provenance_verdict(base, m, reg, TODAY, RecordRules(), rng.choice([None, DEVICES]))
        assert STRICT[v.action] >= STRICT[base.action]
        for purpose, use in v.purposes.items():
            if base.purposes[purpose] is not Use.ALLOWED:
                assert use is base.purposes[purpose] or use is Use.WITHHELD
        assert set(v.journeys) <= set(base.journeys)
        assert set(base.reasons) <= set(v.reasons)
        if v.action is Action.DELETE:
            assert Use.ALLOWED not in v.purposes.values()
        if v.action is not Action.KEEP:
            assert Use.ALLOWED not in v.purposes.values() or v.action is base.action


@pytest.mark.parametrize("camera,expected", [
    (Camera("Canon", "Canon EOS 80D"), "Canon EOS 80D"),
    (Camera("Apple", "iPhone 14 Pro", "X1"), "Apple iPhone 14 Pro (serial X1)"),
    (Camera("", "", "X1"), "an unnamed camera (serial X1)"),
])
def test_cameras_are_named_the_way_people_say_them(camera: Camera, expected: str) -> None:
    assert camera.describe() == expected
