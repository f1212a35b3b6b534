"""Parents' data rights through the command line, with the real engine (issue 14):
forget (the register's id rule, erasure tests that would notice), find, published
copies and takedowns, leavers, and report retention.

The "children" are the public-domain sample faces of tests/nursery.py: c01 Ava (the
astronaut, every consent), c02 Grace (Grace Hopper, no website or social media),
c03 Sam (the cameraman, no use at all).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from pathlib import Path

import numpy as np
import pytest
from nursery import ROWS, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.faces.engine import EngineSettings
from photoaudit.operations.incremental import examine_key
from photoaudit.store.database import Store
from photoaudit.store.erasure import FORGET_DISTANCE

TODAY = "2026-11-22"


#: Commands that change files refuse --today: the real day is set to the test day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_test_day")



def cli(data: Path, *args: object):  # noqa: ANN201
    return CliRunner().invoke(app, ["--data", str(data), *map(str, args)], env={"COLUMNS": "250"})


def audit(data: Path, folder: Path, *args: object):  # noqa: ANN201
    """An audit judged as on TODAY; with --apply as on the real day (--today never moves files)."""
    today = () if "--apply" in args else ("--today", TODAY)
    return cli(data, "audit", folder, "--jobs", "1", *today, *args)


def audit_json(data: Path, folder: Path, *args: object) -> dict:
    result = audit(data, folder, "--json", "-", *args)
    assert result.exit_code in (ExitStatus.CLEAR, ExitStatus.FINDINGS), result.output
    return json.loads(result.stdout)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state_bytes(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((data / "state").glob("photoaudit.sqlite3*")))


def stored_faces(data: Path, photo: Path) -> list:
    with Store(data / "state") as store:
        return list(store.faces(sha(photo), examine_key(EngineSettings())) or [])


def reference_templates(data: Path, child_id: str) -> list[np.ndarray]:
    with Store(data / "state") as store:
        return store.references_of(child_id)


# -- forget: the register's id rule -------------------------------------------------------------

def test_forget_names_the_child_as_the_register_does_and_a_later_audit_matches_no_face_to_them(
    nursery: tuple[Path, Path],
) -> None:
    data, folder = nursery
    refs = [t.tobytes() for t in reference_templates(data, "c01")]
    faces = [f.template.tobytes() for f in stored_faces(data, folder / "tablet-1" / "ava.jpg")]
    assert refs and faces and all(t in state_bytes(data) for t in refs + faces)

    result = cli(data, "forget", "C01")  # the register says c01
    assert result.exit_code == ExitStatus.CLEAR, result.output
    assert "Erased the face data of Ava Patel (c01)" in result.stdout
    with Store(data / "state") as store:
        assert set(store.forgotten()) == {"c01"}
    raw = state_bytes(data)
    assert not any(t in raw for t in refs + faces)  # gone from the store's bytes

    report = audit_json(data, folder)  # the register still gives c01 face matching
    matched = [f for i in report["images"] for f in i["faces"] if f["child_id"] == "c01"]
    assert matched == []
    assert not any("c01" in json.dumps(f["candidates"]) for i in report["images"] for f in i["faces"])


def test_forget_of_an_id_no_child_has_is_refused_and_records_nothing(nursery: tuple[Path, Path]) -> None:
    data, _ = nursery
    before = state_bytes(data)
    result = cli(data, "forget", "c09")
    assert result.exit_code == ExitStatus.CANNOT_RUN
    assert "c09" in result.stderr and "c01" in result.stderr  # the closest ids
    assert "Erased" not in result.output
    with Store(data / "state") as store:
        assert store.forgotten() == {} and store.references_of("c01")
    assert state_bytes(data) == before


# -- erasure tests that would notice: the child's face was unknown or ambiguous when audited ----------

def audit_matching(data: Path, folder: Path, tolerance: float, margin: float = 0.08) -> dict:
    """An audit with matching settings outside what the command line allows (to make a face
    unknown or too close to call on purpose), as its JSON report."""
    from dataclasses import replace
    from datetime import date

    from photoaudit.core.settings import MatchSettings, Settings
    from photoaudit.formats.json_report import report_json
    from photoaudit.operations.workflow import audit as run_audit
    from photoaudit.operations.workflow import prepare

    prepared = prepare(Settings(data_dir=data), EngineSettings())  # enrolled as usual
    strict = replace(prepared.settings, match=MatchSettings(tolerance=tolerance, margin=margin))
    return report_json(run_audit(folder, replace(prepared, settings=strict), date.fromisoformat(TODAY)))


def test_forget_erases_a_face_that_was_unknown_when_audited(nursery: tuple[Path, Path]) -> None:
    """Found by template distance only: the stored verdict did not name the child."""
    data, folder = nursery
    ava = folder / "tablet-1" / "ava.jpg"
    report = audit_matching(data, folder, tolerance=0.05)
    image = {i["path"]: i for i in report["images"]}["tablet-1/ava.jpg"]
    assert [f["status"] for f in image["faces"]] == ["unknown"]
    [face] = stored_faces(data, ava)
    assert face.template is not None
    template = face.template.tobytes()

    assert cli(data, "forget", "c01").exit_code == ExitStatus.CLEAR
    assert stored_faces(data, ava) == []
    assert template not in state_bytes(data)


def test_forget_erases_a_face_that_was_too_close_to_call_when_audited(nursery: tuple[Path, Path]) -> None:
    """Found among the ambiguous candidates only: the face is far from the child's templates."""
    data, folder = nursery
    ava = folder / "tablet-1" / "ava.jpg"
    report = audit_matching(data, folder, tolerance=1.0, margin=0.9)
    image = {i["path"]: i for i in report["images"]}["tablet-1/ava.jpg"]
    [judged] = image["faces"]
    assert judged["status"] == "ambiguous" and "c02" in {c["child_id"] for c in judged["candidates"]}
    [face] = stored_faces(data, ava)
    grace = np.stack(reference_templates(data, "c02"))
    assert np.linalg.norm(grace - face.template, axis=1).min() > FORGET_DISTANCE  # not found by distance
    template = face.template.tobytes()

    assert cli(data, "forget", "c02").exit_code == ExitStatus.CLEAR
    assert stored_faces(data, ava) == []
    assert template not in state_bytes(data)


# -- published copies and takedowns -----------------------------------------------------------------

WITHDRAWN_HEADER = (
    "child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
    "social_media,face_matching,consent_review_due,social_media_withdrawn\n"
)


def withdraw_social_media(data: Path, child_id: str, when: str) -> None:
    rows = "".join(row.rstrip("\n") + ("," + when if cid == child_id else ",") + "\n" for cid, row in ROWS.items())
    (data / "children.csv").write_text(WITHDRAWN_HEADER + rows, encoding="utf-8")


def quiet_fields(line: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def test_exported_copies_are_recorded_and_come_down_after_a_withdrawal(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    data, folder = nursery
    ava, out = folder / "tablet-1" / "ava.jpg", tmp_path / "to-post"
    check = cli(data, "check", ava, "--for", "social-media", "--export", out, "--posted-to", "Facebook group")
    assert check.exit_code == ExitStatus.CLEAR, check.output
    assert "Recorded 1 copy(ies) as made for publishing" in check.stdout

    listed = cli(data, "published", "--json", "-")
    assert listed.exit_code == ExitStatus.CLEAR
    body = json.loads(listed.stdout)
    assert body["version"] == 1 and body["kind"] == "published"
    [copy] = body["copies"]
    assert copy["sha256"] == sha(ava) and copy["original"] == str(ava.absolute())
    assert Path(copy["copy"]).parent == out.absolute() and Path(copy["copy"]).is_file()
    assert (copy["purpose"], copy["children"], copy["posted_to"]) == ("social_media", ["c01"], "Facebook group")
    assert copy["exported"][:2] == "20" and copy["taken_down"] is None

    nothing = cli(data, "takedown", "--today", TODAY)
    assert nothing.exit_code == ExitStatus.CLEAR and "Nothing to take down" in nothing.stdout
    assert quiet_fields(audit(data, folder, "--quiet").stdout.strip())["takedown"] == "0"

    withdraw_social_media(data, "c01", "2026-11-20")  # the parents withdraw social media consent
    down = cli(data, "takedown", "--today", TODAY)
    assert down.exit_code == ExitStatus.FINDINGS
    assert "Facebook group" in down.stdout and "withdrawn on 20 November 2026" in down.stdout
    assert "Ava Patel (c01)" in down.stdout
    body = json.loads(cli(data, "takedown", "--json", "-", "--today", TODAY).stdout)
    assert (body["version"], body["kind"], body["count"]) == (1, "takedown", 1)
    [item] = body["takedown"]
    assert item["id"] == copy["id"] and item["posted_to"] == "Facebook group"
    assert item["reasons"][0]["child_id"] == "c01" and "withdrawn" in item["reasons"][0]["why"]

    quiet = audit(data, folder, "--quiet")  # the weekly cron audit says so the morning after
    assert quiet.exit_code == ExitStatus.FINDINGS and quiet_fields(quiet.stdout.strip())["takedown"] == "1"
    report = audit_json(data, folder)
    assert report["takedown"] == 1
    assert any("1 published copy must be taken down" in w for w in report["warnings"])

    marked = cli(data, "takedown", "--done", copy["id"], "--by", "Jo", "--today", TODAY)
    assert marked.exit_code == ExitStatus.CLEAR and "taken down" in marked.stdout
    [after] = json.loads(cli(data, "published", "--json", "-").stdout)["copies"]
    assert after["taken_down_by"] == "Jo" and after["taken_down"]


def test_published_filters_and_refuses_what_names_nothing(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    data, folder = nursery
    for name, purpose in (("tablet-1/ava.jpg", "social_media"), ("tablet-1/grace.jpg", "display"),
                          ("tablet-2/ava-and-sam.jpg", "website")):
        result = cli(data, "check", folder / name, "--for", purpose, "--export", tmp_path / purpose)
        assert result.exit_code in (ExitStatus.CLEAR, ExitStatus.FINDINGS), result.output
    [pair] = json.loads(cli(data, "published", "--json", "-", "--for", "website").stdout)["copies"]
    assert pair["children"] == ["c01"] and pair["covered_faces"] == 1  # Sam is covered: not shown

    def ids(*args: object) -> list[list[str]]:
        result = cli(data, "published", "--json", "-", *args)
        assert result.exit_code == ExitStatus.CLEAR, result.output
        return [c["children"] for c in json.loads(result.stdout)["copies"]]

    assert ids() == [["c01"], ["c02"], ["c01"]]
    assert ids("--child", "C02") == [["c02"]]  # ids as the register matches them
    assert ids("--child", "c03") == []  # covered in the copy, so not in what was published
    assert ids("--for", "display") == [["c02"]]
    assert ids("--since", "2000-01-01", "--until", "2999-12-31") == [["c01"], ["c02"], ["c01"]]
    assert ids("--until", "2000-01-01") == []
    assert cli(data, "published", "--child", "c09").exit_code == ExitStatus.CANNOT_RUN
    assert cli(data, "published", "--since", "last week").exit_code == ExitStatus.CANNOT_RUN
    assert cli(data, "check", folder / "tablet-1" / "ava.jpg", "--for", "display", "--posted-to", "x").exit_code == ExitStatus.CANNOT_RUN


# -- leavers: the face is erased, the photos stay tracked --------------------------------------------

def leave(data: Path, child_id: str, when: str) -> None:
    rows = dict(ROWS)
    rows[child_id] = rows[child_id].replace("attending,,", f"left,{when},")
    write_register(data, rows)


def test_a_leaver_s_photos_stay_withheld_and_are_flagged_for_deletion_after_their_face_is_erased(
    nursery: tuple[Path, Path],
) -> None:
    data, folder = nursery
    refs = [t.tobytes() for t in reference_templates(data, "c01")]
    leave(data, "c01", "2026-11-01")
    report = audit_json(data, folder)  # enrolment erases Ava's templates first
    assert report["erased"][0]["child_id"] == "c01"
    assert not any(t in state_bytes(data) for t in refs)
    images = {i["path"]: i for i in report["images"]}
    ava = images["tablet-1/ava.jpg"]
    assert ava["action"] == "delete", ava["reasons"]  # not "review" as an unknown face
    assert set(ava["purposes"].values()) == {"withheld"}
    assert "leaver_retention" in ava["flags"]
    [face] = ava["faces"]
    assert face["child_id"] == "c01" and face["decision"]["kind"] == "child"
    assert any("left the setting" in n and "leaver record" in n for n in ava["notes"])
    assert images["tablet-2/ava-and-sam.jpg"]["action"] == "delete"
    assert images["tablet-1/grace.jpg"]["action"] == "keep"  # nobody else is touched

    again = {i["path"]: i for i in audit_json(data, folder)["images"]}  # and it lasts
    assert again["tablet-1/ava.jpg"]["action"] == "delete"


def test_the_leaver_record_holds_no_face_data(nursery: tuple[Path, Path]) -> None:
    import sqlite3

    data, folder = nursery
    leave(data, "c01", "2026-11-01")
    audit_json(data, folder)
    db = sqlite3.connect(data / "state" / "photoaudit.sqlite3")
    try:
        columns = [r[1] for r in db.execute("PRAGMA table_info(leaver_photo)")]
        rows = db.execute("SELECT child_id, sha256 FROM leaver_photo ORDER BY sha256").fetchall()
    finally:
        db.close()
    assert columns == ["child_id", "sha256", "box", "recorded"]
    assert sorted(rows) == sorted([("c01", sha(folder / "tablet-1" / "ava.jpg")),
                                   ("c01", sha(folder / "tablet-2" / "ava-and-sam.jpg"))])


# -- find: every photo of a child, from the store alone ---------------------------------------------

@pytest.fixture
def detections(monkeypatch: pytest.MonkeyPatch) -> list:
    from photoaudit.faces.engine import FaceEngine

    calls: list = []
    original = FaceEngine.find_faces

    def counting(self: FaceEngine, full, reduced=None):  # noqa: ANN001, ANN202
        calls.append(full.shape)
        return original(self, full, reduced)

    monkeypatch.setattr(FaceEngine, "find_faces", counting)
    return calls


def find_json(data: Path, *args: object) -> dict:
    result = cli(data, "find", *args, "--json", "-")
    assert result.exit_code == ExitStatus.CLEAR, result.output
    body = json.loads(result.stdout)
    assert (body["version"], body["kind"]) == (1, "find")
    return body


def by_path(body: dict) -> dict[str, dict]:
    return {p["places"][0]["path"] if p["places"] else p["sha256"]: p for p in body["photos"]}


def places_in(photo: dict, folder: Path) -> list[dict]:
    """The photo's places in ``folder`` (the shared template's own folder is audited too)."""
    return [p for p in photo["places"] if p["folder"] == str(folder.resolve())]


def test_find_lists_every_photo_of_a_child_without_looking_for_faces_again(
    nursery: tuple[Path, Path], detections: list
) -> None:
    data, folder = nursery
    audit(data, folder, "--quiet")
    detections.clear()
    body = find_json(data, "C01", "--others")  # ids as the register matches them
    assert detections == []
    assert body["child_id"] == "c01"
    photos = by_path(body)
    assert set(photos) == {"tablet-1/ava.jpg", "tablet-2/ava-and-sam.jpg"}
    ava, pair = photos["tablet-1/ava.jpg"], photos["tablet-2/ava-and-sam.jpg"]
    assert ava["sha256"] == sha(folder / "tablet-1" / "ava.jpg") and ava["found_by"] == ["matched"]
    assert places_in(ava, folder) == [{"folder": str(folder.resolve()), "path": "tablet-1/ava.jpg", "state": "there"}]
    assert set(ava["cleared_for"]) == {"learning_journey", "other_journeys", "display", "website", "social_media"}
    assert pair["cleared_for"] == [] and pair["action"] == "delete"  # Sam's parents refused every use
    assert ava["others"] == {"children": [], "unidentified_faces": 0, "known": True}
    assert pair["others"]["children"] == ["c03"]
    assert "others" not in by_path(find_json(data, "c01"))["tablet-1/ava.jpg"]  # only when asked (or --copy)
    assert len(find_json(data, "c03")["photos"]) == 3

    (folder / "tablet-1" / "ava.jpg").rename(folder / "tablet-1" / "renamed.jpg")
    moved = by_path(find_json(data, "c01"))["tablet-1/ava.jpg"]
    assert [p["state"] for p in places_in(moved, folder)] == ["gone"] and "no longer in" in moved["where_now"]

    shown = cli(data, "find", "c01")
    assert "Photos of Ava Patel (c01) (2)" in shown.stdout and "tablet-2/ava-and-sam.jpg" in shown.stdout
    unknown = cli(data, "find", "c09")
    assert unknown.exit_code == ExitStatus.CANNOT_RUN and "c01" in unknown.stderr


def test_find_says_which_photos_are_in_quarantine_and_which_were_published(
    nursery: tuple[Path, Path], tmp_path: Path
) -> None:
    data, folder = nursery
    audit(data, folder, "--apply", "--quiet")  # Sam's three photos go to quarantine
    sam = find_json(data, "c03")["photos"]
    assert len(sam) == 3 and all(p["quarantined"] and places_in(p, folder) == [] for p in sam)
    assert all("in quarantine as" in p["where_now"] for p in sam)
    assert cli(data, "check", folder / "tablet-1" / "ava.jpg", "--for", "display", "--export", tmp_path / "out").exit_code == ExitStatus.CLEAR
    [copy] = json.loads(cli(data, "published", "--json", "-").stdout)["copies"]
    ava = by_path(find_json(data, "c01"))["tablet-1/ava.jpg"]
    assert ava["published"] == [copy["id"]] and "1 copy made for publishing" in ava["where_now"]


def test_find_copy_hands_over_copies_that_show_no_other_child(nursery: tuple[Path, Path], tmp_path: Path) -> None:
    from PIL import Image

    from photoaudit.media.export import COVER_RGB

    data, folder = nursery
    out = tmp_path / "for-the-parents"
    body = find_json(data, "c01", "--copy", out)
    [written] = body["copies"]["written"]
    assert Path(written["copy"]).read_bytes() == (folder / "tablet-1" / "ava.jpg").read_bytes()
    [held] = body["copies"]["held"]  # Ava with Sam: never handed over with Sam's face in it
    assert held["sha256"] == sha(folder / "tablet-2" / "ava-and-sam.jpg") and "--cover" in held["why"]
    assert "others" in body["photos"][0]  # on by default with --copy
    assert (out.stat().st_mode & 0o777) == 0o700

    again = find_json(data, "c01", "--copy", out, "--cover")  # never overwrites
    names = sorted(Path(w["copy"]).name for w in again["copies"]["written"])
    assert names == ["ava-2.jpg", "ava-and-sam.jpg"]
    assert Path(written["copy"]).read_bytes() == (folder / "tablet-1" / "ava.jpg").read_bytes()
    [covered] = [w for w in again["copies"]["written"] if w["covered_faces"]]
    assert covered["covered_faces"] == 1
    pixels = np.asarray(Image.open(covered["copy"]).convert("RGB"), dtype=int)
    [pair] = [p for p in body["photos"] if p["sha256"] == held["sha256"]]
    report = audit_json(data, folder)
    faces = {f["child_id"]: f["box"] for i in report["images"] if i["path"] == "tablet-2/ava-and-sam.jpg" for f in i["faces"]}
    def centre(box: list[int]) -> np.ndarray:
        top, right, bottom, left = box
        return pixels[(top + bottom) // 2, (left + right) // 2]
    assert np.abs(centre(faces["c03"]) - COVER_RGB).max() <= 8  # Sam covered
    assert np.abs(centre(faces["c01"]) - COVER_RGB).max() > 8  # Ava, the child asked about, not

    inside = cli(data, "find", "c01", "--copy", folder / "parents")
    assert inside.exit_code == ExitStatus.CANNOT_RUN and "audited folder" in inside.stderr
    assert not (folder / "parents").exists()
    assert cli(data, "find", "c01", "--cover").exit_code == ExitStatus.CANNOT_RUN


def test_find_still_answers_for_a_leaver_whose_face_was_erased(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    leave(data, "c01", "2026-11-01")
    cli(data, "enrol")  # erases her templates (and the stored verdicts of her photos)
    body = find_json(data, "c01")
    assert set(by_path(body)) == {"tablet-1/ava.jpg", "tablet-2/ava-and-sam.jpg"}
    assert all("leaver record" in p["found_by"] for p in body["photos"])


@pytest.mark.parametrize("how", ["forget, then --allow-again", "face matching withdrawn, then agreed again"])
def test_a_child_enrolled_again_is_recognised_again_in_photos_whose_faces_were_erased(
    nursery: tuple[Path, Path], how: str
) -> None:
    """Issue 25: her erasure left her faces in the stored photos without templates; enrolled
    again, those photos are examined again, her face is hers again, and find lists them."""
    data, folder = nursery
    audit(data, folder, "--quiet")
    if how.startswith("forget"):
        assert cli(data, "forget", "c01").exit_code == ExitStatus.CLEAR
    else:
        write_register(data, {**ROWS, "c01": ROWS["c01"].replace("yes,yes,yes,yes,yes,yes", "yes,yes,yes,yes,yes,no")})
    erased = {i["path"]: i for i in audit_json(data, folder)["images"]}
    assert erased["tablet-1/ava.jpg"]["faces"][0]["status"] == "unknown"
    if how.startswith("forget"):
        assert cli(data, "enrol", "--allow-again", "c01").exit_code == ExitStatus.CLEAR
    else:
        write_register(data, ROWS)
    again = {i["path"]: i for i in audit_json(data, folder)["images"]}
    ava = again["tablet-1/ava.jpg"]
    assert ava["action"] == "keep" and ava["faces"][0]["child_id"] == "c01"
    assert {f["child_id"] for f in again["tablet-2/ava-and-sam.jpg"]["faces"]} == {"c01", "c03"}
    assert set(by_path(find_json(data, "c01"))) == {"tablet-1/ava.jpg", "tablet-2/ava-and-sam.jpg"}


# -- reports are personal data too ------------------------------------------------------------------

def test_each_audit_removes_its_own_dated_reports_and_log_lines_past_their_age(nursery: tuple[Path, Path]) -> None:
    from datetime import datetime, timedelta

    data, folder = nursery
    reports, log = data / "state" / "reports", data / "state" / "photoaudit.log"
    reports.mkdir(parents=True, exist_ok=True)
    old = (datetime.now(UTC) - timedelta(days=400)).strftime("audit-%Y-%m-%d-%H%M%S.json")
    recent = (datetime.now(UTC) - timedelta(days=30)).strftime("audit-%Y-%m-%d-%H%M%S.json")
    for name in (old, recent, "kept-by-the-manager.json"):
        (reports / name).write_text("{}", encoding="utf-8")
    stamp = (datetime.now(UTC) - timedelta(days=400)).isoformat(timespec="seconds")
    log.write_text(f"{stamp} [1] audit /old: Ava Patel (c01) ...\n", encoding="utf-8")

    assert audit(data, folder, "--quiet").exit_code == ExitStatus.FINDINGS
    names = {p.name for p in reports.iterdir()}
    assert old not in names and {recent, "kept-by-the-manager.json"} <= names
    assert len([n for n in names if n.startswith("audit-")]) == 2  # the recent one and this run's
    text = log.read_text(encoding="utf-8")
    assert "/old" not in text
    assert "removed 1 dated report(s) and 1 log line(s) older than 12 months" in text

    (data / "photoaudit.toml").write_text("[retention]\nreports_months = 1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(data / "photoaudit.toml"), "--data", str(data), "audit",
                                      str(folder), "--jobs", "1", "--today", TODAY, "--quiet"])
    assert result.exit_code == ExitStatus.FINDINGS, result.output
    assert recent not in {p.name for p in reports.iterdir()}
    assert "older than 1 months" in log.read_text(encoding="utf-8")


def test_a_state_folder_from_before_these_records_answers_every_rights_command(nursery: tuple[Path, Path]) -> None:
    import sqlite3

    data, _ = nursery
    db = sqlite3.connect(data / "state" / "photoaudit.sqlite3")
    db.executescript("DROP TABLE IF EXISTS published; DROP TABLE IF EXISTS leaver_photo;")
    db.close()
    assert cli(data, "takedown", "--today", TODAY).exit_code == ExitStatus.CLEAR
    assert json.loads(cli(data, "published", "--json", "-").stdout)["copies"] == []
    assert len(find_json(data, "c01")["photos"]) == 2
    assert cli(data, "forget", "c02").exit_code == ExitStatus.CLEAR


def test_enrol_allow_again_names_the_child_by_the_same_rule(nursery: tuple[Path, Path]) -> None:
    data, _ = nursery
    assert cli(data, "forget", "c01").exit_code == ExitStatus.CLEAR
    wrong = cli(data, "enrol", "--allow-again", "c09")
    assert wrong.exit_code == ExitStatus.CANNOT_RUN and "c01" in wrong.stderr and "erased on request" in wrong.stderr
    with Store(data / "state") as store:
        assert set(store.forgotten()) == {"c01"}
    again = cli(data, "enrol", "--allow-again", "C01")
    assert again.exit_code == ExitStatus.CLEAR, again.output
    assert "c01 may be enrolled again" in again.stdout
    assert "Ava Patel (c01): 2 reference photo(s) enrolled" in again.stdout
