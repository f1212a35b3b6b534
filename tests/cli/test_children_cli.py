"""``photoaudit children`` and the audit's warnings, on the command line with the real engine.

The "children" are public-domain adult faces (photoaudit.media.samples), never real children.
"""

from __future__ import annotations

import json
from pathlib import Path

from review_setting import ROWS, TODAY, ava_alone, make_setting
from test_review_audit import run


def test_children_shows_uses_review_dates_renewals_and_faces_folder_mistakes(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "10/12/2026"), ROWS[1], ROWS[2]]  # Ava: due in 20 days
    settings = make_setting(tmp_path, rows)
    (settings.faces_dir / "c 02").mkdir()
    (settings.faces_dir / "c01" / "new.webp").write_bytes(b"RIFF\0\0\0\0WEBPVP8 ")
    result = run(settings.data_dir, "children", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "own journey: yes" in result.output and "website: no" in result.output
    assert "renew by 10 December 2026 (in 20 days)" in result.output
    assert "Ava Patel (c01)'s consent is due for review on 10 December 2026" in result.output
    assert "faces/c 02: no child with this id in the register; not enrolled. Did you mean c02 (Grace Okafor)?" in result.output
    assert "faces/c01/new.webp is not used: photoaudit does not read .webp photos" in result.output


def test_the_audit_says_how_many_consents_to_renew_this_month(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "2026-12-10"), ROWS[1].replace("2030-09-01", "2026-11-30"), ROWS[2]]
    settings = make_setting(tmp_path, rows)
    ava_alone(tmp_path / "transfer" / "ava.jpg")
    out = tmp_path / "report.json"
    result = run(settings.data_dir, "audit", str(tmp_path / "transfer"), "--json", str(out), "--today", TODAY.isoformat())
    assert result.exit_code in (0, 1), result.output
    assert "2 consents to renew this month" in result.output
    warnings = json.loads(out.read_text())["warnings"]
    assert any(w.startswith("2 consents to renew this month (review date within 30 days): Grace Okafor (c02) by "
                            "30 November 2026, Ava Patel (c01) by 10 December 2026") for w in warnings)


# ------------------------------------------------------------ the renewal list and --json


def test_children_renewals_lists_consents_due_in_n_days_and_writes_a_csv_for_a_mail_merge(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "2026-12-10"), ROWS[1].replace("2030-09-01", "2026-11-30"),
            ROWS[2].replace("2030-09-01", "2027-02-01")]
    settings = make_setting(tmp_path, rows)
    out = tmp_path / "renewals.csv"
    result = run(settings.data_dir, "children", "--renewals", "--csv", str(out), "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "Consents to renew in the next 30 days" in result.output
    assert "Grace Okafor (c02)" in result.output and "Sam Jones" not in result.output  # Sam: not for 73 days
    assert "30 November 2026 (in 10 days)" in result.output
    assert "2 consents to renew in the next 30 days" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == ("child_id,name,room,renew_by,renew_by_words,agreed_to,not_agreed_to,"
                        "learning_journey,other_journeys,display,website,social_media")
    assert lines[1].startswith("c02,Grace Okafor,Butterflies,2026-11-30,30 November 2026,")
    assert lines[1].endswith(",yes,yes,yes,no,no")
    assert "photos of your child on the setting's social media (such as its Facebook group)" in lines[1]
    assert lines[2].startswith("c01,Ava Patel,") and len(lines) == 3
    more = run(settings.data_dir, "children", "--renewals", "--days", "90", "--json", "-", "--today", TODAY.isoformat())
    listed = json.loads(more.stdout)
    assert listed["within_days"] == 90 and [r["child_id"] for r in listed["renewals"]] == ["c02", "c01", "c03"]
    assert listed["renewals"][0]["uses"]["website"] == "no" and listed["renewals"][0]["renew_by"] == "2026-11-30"


def test_children_renewals_never_replaces_a_file_photoaudit_did_not_write(tmp_path: Path) -> None:
    settings = make_setting(tmp_path, [ROWS[0].replace("2030-09-01", "2026-12-10")])
    mine = tmp_path / "letters.csv"
    mine.write_text("my own mail merge\n", encoding="utf-8")
    result = run(settings.data_dir, "children", "--renewals", "--csv", str(mine), "--today", TODAY.isoformat())
    assert result.exit_code == 2, result.output
    assert mine.read_text(encoding="utf-8") == "my own mail merge\n"
    alone = run(settings.data_dir, "children", "--csv", str(tmp_path / "x.csv"))
    assert alone.exit_code == 2 and "add --renewals" in alone.output


def test_children_json_has_each_child_s_consent_uses_and_enrolment(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "2026-12-10"), ROWS[1], ROWS[2]]
    settings = make_setting(tmp_path, rows)
    out = tmp_path / "children.json"
    result = run(settings.data_dir, "children", "--json", str(out), "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    body = json.loads(out.read_text(encoding="utf-8"))
    assert body["version"] == 1 and body["today"] == TODAY.isoformat()
    ava, grace, _ = body["children"]
    assert ava["child_id"] == "c01" and ava["consent"] == "renew_soon" and ava["consent_review_due"] == "2026-12-10"
    assert ava["face_matching"] is True and ava["templates"] == 3 and ava["newest_reference_photo"] is not None
    assert grace["uses"] == {"learning_journey": "yes", "other_journeys": "yes", "display": "yes",
                             "website": "no", "social_media": "no"}
    assert grace["consent"] == "current" and grace["templates"] == 0
    assert any("Ava Patel (c01)'s consent is due for review" in w for w in body["warnings"])


def test_staff_and_doctor_json(tmp_path: Path) -> None:
    settings = make_setting(tmp_path)
    (settings.data_dir / "staff.csv").write_text(
        "staff_id,name,status,website,social_media,face_matching\nJS01,Jo Smith,working,yes,no,no\n", encoding="utf-8")
    staff = run(settings.data_dir, "staff", "--json", "-", "--today", TODAY.isoformat())
    assert staff.exit_code == 0, staff.output
    body = json.loads(staff.stdout)
    assert body["version"] == 1
    assert body["staff"] == [{"staff_id": "JS01", "name": "Jo Smith", "status": "working", "agreed_to": ["website"],
                              "face_matching": False, "templates": 0, "templates_from_review": 0,
                              "newest_reference_photo": None, "reference_photo_too_old": False}]
    doctor = run(settings.data_dir, "doctor", "--json", "-")
    checks = json.loads(doctor.stdout)
    assert checks["version"] == 1 and checks["ready"] is (doctor.exit_code == 0)
    assert {"level", "what", "words"} == set(checks["checks"][0])
    assert any(c["what"] == "Consent register" and c["level"] == "ok" for c in checks["checks"])
    written = tmp_path / "doctor.json"
    assert run(settings.data_dir, "doctor", "--json", str(written)).exit_code == doctor.exit_code
    assert json.loads(written.read_text(encoding="utf-8"))["checks"] == checks["checks"]
