"""The CSV reports: per photo (names beside ids, the separator) and per face (--faces-csv),
whose filled-in rows ``photoaudit review --decisions`` records.

Hand-made verdicts for the format; one test runs the real engine end to end on the
public-domain sample faces (never real children).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    PersonDecision,
    PhotoVerdict,
    Register,
    Use,
)
from photoaudit.formats import csv_report
from photoaudit.operations.examine import AuditResult

TODAY = date(2026, 11, 20)
REGISTER = Register({c.child_id: c for c in (
    Child("c01", "Ava Patel", {p: True for p in PURPOSES}, True, date(2030, 9, 1)),
    Child("c02", "Zoë Okafor", {p: True for p in PURPOSES}, True, date(2030, 9, 1)),
)})
ALLOWED = {p: Use.ALLOWED for p in PURPOSES}


def result() -> AuditResult:
    return AuditResult(Path("/t"), TODAY, [
        PhotoVerdict("party.jpg", Action.REVIEW, ALLOWED, faces=(
            FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), "c01", 0.31),
            FaceMatch(FaceStatus.AMBIGUOUS, (0, 30, 10, 20), None, None, (Candidate("c02", 0.42), Candidate("c01", 0.45))),
            FaceMatch(FaceStatus.UNKNOWN, (0, 50, 10, 40), decision=PersonDecision(FaceDecision.ADULT, None, "Jo")),
        )),
        PhotoVerdict("=evil.jpg", Action.REVIEW, ALLOWED, faces=(
            FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), "c02", 0.2),
            FaceMatch(FaceStatus.MATCHED, (0, 30, 10, 20), "c02", 0.3),
        )),
        PhotoVerdict("empty.jpg", Action.KEEP, ALLOWED),
    ])


def rows(text: str, sep: str = ",") -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=sep))


def test_the_photo_csv_has_names_beside_the_ids() -> None:
    table = rows(csv_report.render(result(), REGISTER))
    assert table[0]["children"] == "c01" and table[0]["names"] == "Ava Patel"
    assert table[1]["names"] == "Zoë Okafor; Zoë Okafor" and table[1]["photo"] == "'=evil.jpg"


@pytest.mark.parametrize("given, sep", [(",", ","), (";", ";"), ("tab", "\t"), ("TAB", "\t"), ("\t", "\t")])
def test_the_separator(given: str, sep: str) -> None:
    assert csv_report.separator(given) == sep
    text = csv_report.render(result(), REGISTER, csv_report.separator(given))
    assert text.splitlines()[0].startswith(f"\ufeffphoto{sep}action{sep}")
    assert [r["photo"] for r in rows(text, sep)] == ["party.jpg", "'=evil.jpg", "empty.jpg"]


def test_an_unknown_separator_is_refused_in_plain_words() -> None:
    with pytest.raises(ValueError, match="use ',' .*';' .*'tab'"):
        csv_report.separator("|")


def test_the_faces_csv_has_a_row_per_face_with_a_blank_decision() -> None:
    table = rows(csv_report.render_faces(result(), REGISTER, ";"), ";")
    assert list(table[0])[:3] == ["photo", "face", "decision"]
    assert [(r["photo"], r["face"]) for r in table] == [
        ("party.jpg", "1"), ("party.jpg", "2"), ("party.jpg", "3"), ("'=evil.jpg", "1"), ("'=evil.jpg", "2")]
    assert all(r["decision"] == "" for r in table)
    assert [r["needs a person"] for r in table] == ["no", "yes", "no", "yes", "yes"]
    assert table[0]["name"] == "Ava Patel" and table[0]["distance"] == "0.31"
    assert table[1]["nearest children"] == "c02 Zoë Okafor 0.42; c01 Ava Patel 0.45"
    assert table[2]["decided already"] == "adult by Jo"
    assert table[3]["photoaudit thinks"] == "matched twice"


def test_a_filled_in_faces_csv_is_recorded_by_review(tmp_path: Path) -> None:
    from review_setting import TODAY as DAY
    from review_setting import ava_and_grace, grace_alone, make_setting
    from test_review_audit import audit_json, run

    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    grace_alone(folder / "grace.jpg")
    ava_and_grace(folder / "party.jpg")
    faces = tmp_path / "faces.csv"
    audit_json(settings.data_dir, folder, tmp_path / "1.json", "--faces-csv", str(faces), "--csv-sep", ";")
    text = faces.read_text(encoding="utf-8-sig")
    assert text.startswith("photo;face;decision;")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    for row in table[1:]:  # as a manager would in a spreadsheet: fill in the faces that need a person
        if row[3] == "yes":
            row[2] = "c02" if row[0] == "grace.jpg" else "adult"
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(table)
    result = run(settings.data_dir, "review", "--decisions", str(filled), "--by", "Jo")
    assert result.exit_code == 0, result.output
    assert f"Recorded 2 decision(s), skipped {len(table) - 3}" in result.output
    second = audit_json(settings.data_dir, folder, tmp_path / "2.json", "--today", DAY.isoformat())
    assert second["grace.jpg"]["faces"][0]["decision"]["child_id"] == "c02"


def test_audit_refuses_an_unknown_separator_before_it_starts(tmp_path: Path) -> None:
    from review_setting import make_setting
    from test_review_audit import run

    settings = make_setting(tmp_path)
    result = run(settings.data_dir, "audit", str(tmp_path / "transfer"), "--csv-sep", "|")
    assert result.exit_code == 2 and "is not a separator photoaudit writes" in result.output


def test_needs_person_is_what_review_asks_about() -> None:
    from photoaudit.core.decisions import needs_person

    assert needs_person(FaceStatus.UNKNOWN, False, False) and needs_person(FaceStatus.AMBIGUOUS, False, False)
    assert needs_person(FaceStatus.MATCHED, False, True)  # one child matched to two faces
    assert not needs_person(FaceStatus.MATCHED, False, False)
    assert not needs_person(FaceStatus.UNKNOWN, True, False) and not needs_person(FaceStatus.MATCHED, True, True)


def test_the_faces_csv_names_staff_and_a_member_matched_twice_needs_a_person() -> None:
    from dataclasses import replace

    from photoaudit.core.models import StaffMember, StaffRegister

    register = replace(REGISTER, staff=StaffRegister({"JS01": StaffMember("JS01", "Jo Smith", {}, True)}))
    result = AuditResult(Path("/t"), TODAY, [
        PhotoVerdict("one.jpg", Action.KEEP, ALLOWED, faces=(FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), staff_id="JS01"),)),
        PhotoVerdict("two.jpg", Action.REVIEW, ALLOWED, faces=(
            FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), staff_id="JS01"),
            FaceMatch(FaceStatus.MATCHED, (0, 30, 10, 20), staff_id="JS01"))),
    ])
    table = rows(csv_report.render_faces(result, register))
    assert table[0]["child_id"] == "staff JS01" and table[0]["name"] == "Jo Smith (staff JS01)"
    assert [r["needs a person"] for r in table] == ["no", "yes", "yes"]
