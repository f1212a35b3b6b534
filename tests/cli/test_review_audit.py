"""The review loop end to end, with the real face engine and the command line.

Audit, decide (CSV, interactive, override), audit again: the decisions must
survive the re-audit, and a face confirmed with --enrol must teach the matcher.
The "children" are public-domain adult faces (photoaudit.media.samples).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image
from review_setting import ROWS, TODAY, ava_alone, ava_and_grace, grace_alone, make_setting
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.models import FaceStatus, Use
from photoaudit.operations.workflow import audit, prepare
from photoaudit.store.database import Store
from photoaudit.store.decision_book import DecisionBook

POSIX = sys.platform != "win32"
runner = CliRunner()


class Ran:
    """A command's exit code and its output with line wrapping undone."""

    def __init__(self, result) -> None:  # noqa: ANN001
        self.exit_code = result.exit_code
        self.output = " ".join(result.output.split())
        self.stdout = result.stdout  # as written (JSON to standard output: --json -)


def run(data: Path, *args: str, input: str | None = None) -> Ran:
    return Ran(runner.invoke(app, ["--data", str(data), *args], input=input, env={"COLUMNS": "200"}))


def audit_json(data: Path, folder: Path, out: Path, *extra: str) -> dict:
    result = run(data, "audit", str(folder), "--json", str(out), "--today", TODAY.isoformat(), "-q", *extra)
    assert result.exit_code in (0, 1), result.output
    return {i["path"]: i for i in json.loads(out.read_text())["images"]}


def face_number(image: dict, status: str) -> int:
    return next(n for n, f in enumerate(image["faces"], 1) if f["status"] == status)


@pytest.fixture
def setting(tmp_path: Path):
    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    ava_alone(folder / "ava.jpg")
    grace_alone(folder / "grace.jpg")
    ava_and_grace(folder / "party.jpg")
    return settings, folder, tmp_path


def test_csv_decisions_survive_a_re_audit_and_a_rename(setting) -> None:
    settings, folder, tmp = setting
    first = audit_json(settings.data_dir, folder, tmp / "1.json")
    assert first["grace.jpg"]["action"] == "review" and first["party.jpg"]["action"] == "review"
    grace_face = face_number(first["party.jpg"], "unknown")
    decisions = tmp / "decisions.csv"
    decisions.write_text(
        f"photo,face,decision\ngrace.jpg,1,c02\nparty.jpg,{grace_face},adult\nava.jpg,1,skip\n", encoding="utf-8"
    )
    result = run(settings.data_dir, "review", "--decisions", str(decisions), "--by", "Jo Manager")
    assert result.exit_code == 0, result.output
    assert "Recorded 2 decision(s), skipped 1" in result.output

    second = audit_json(settings.data_dir, folder, tmp / "2.json")
    grace = second["grace.jpg"]
    assert grace["action"] == "keep"
    assert grace["purposes"]["website"] == "withheld" and grace["purposes"]["display"] == "allowed"
    face = grace["faces"][0]
    assert face["status"] == "matched" and face["child_id"] == "c02"
    assert face["decision"]["kind"] == "child" and face["decision"]["by"] == "Jo Manager"
    assert any("confirmed by a person" in n for n in grace["notes"])
    party = second["party.jpg"]
    assert party["action"] == "keep" and set(party["purposes"].values()) == {"allowed"}
    assert party["faces"][grace_face - 1]["decision"]["kind"] == "adult"

    # Nothing is left for a person; a renamed, moved copy keeps its decisions.
    assert "Nothing to review" in run(settings.data_dir, "review").output
    (folder / "moved").mkdir()
    os.replace(folder / "grace.jpg", folder / "moved" / "IMG_renamed.jpg")
    third = audit_json(settings.data_dir, folder, tmp / "3.json")
    assert third["moved/IMG_renamed.jpg"]["faces"][0]["child_id"] == "c02"


def test_a_decision_never_overrides_consent_even_after_the_register_changes(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    (tmp / "d.csv").write_text("photo,face,decision\ngrace.jpg,1,c02\n", encoding="utf-8")
    assert run(settings.data_dir, "review", "--decisions", str(tmp / "d.csv")).exit_code == 0
    # Grace leaves; then she is removed from the register altogether.
    register = settings.register_path
    register.write_text(register.read_text().replace(
        "c02,Grace Okafor,Butterflies,attending,", "c02,Grace Okafor,Butterflies,left,2026-10-01"), encoding="utf-8")
    left = audit_json(settings.data_dir, folder, tmp / "2.json")["grace.jpg"]
    assert left["action"] == "delete" and "has left the setting" in " ".join(left["reasons"])
    register.write_text("\n".join(line for line in register.read_text().splitlines() if not line.startswith("c02,")) + "\n")
    gone = audit_json(settings.data_dir, folder, tmp / "3.json")["grace.jpg"]
    assert gone["action"] == "review" and "not in the consent register" in " ".join(gone["reasons"])


def test_interactive_review_on_the_command_line(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    # Grace's two unknown faces (grace.jpg, party.jpg) look alike: one question for both
    result = run(settings.data_dir, "review", input="c02\n")
    assert result.exit_code == 0, result.output
    assert "Face crop: " in result.output and "These 2 faces look like the same person" in result.output
    assert "Recorded 2 decision(s)" in result.output
    with Store(settings.state_path) as store:
        kinds = sorted(d.kind.value for ds in DecisionBook(store).decisions().values() for _, d in ds)
    assert kinds == ["child", "child"]
    # each face on its own: one taken back, the next review asks about that face alone
    assert run(settings.data_dir, "review", "--undo", "grace.jpg", "--face", "1").exit_code == 0
    result = run(settings.data_dir, "review", input="not a face\n")
    assert "[1/1]" in result.output and "grace.jpg, face 1: unknown" in result.output, result.output
    assert "Recorded 1 decision(s)" in result.output


def test_review_before_any_audit_exits_2(setting) -> None:
    settings, _, _ = setting
    result = run(settings.data_dir, "review")
    assert result.exit_code == 2
    # The hint is ready to paste: it carries the --data this run was given.
    assert f"run photoaudit --data {settings.data_dir} audit FOLDER first" in result.output


def test_a_bad_decisions_file_exits_2_and_records_nothing(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    (tmp / "d.csv").write_text("photo,face,decision\ngrace.jpg,1,c02\ngrace.jpg,7,adult\n", encoding="utf-8")
    result = run(settings.data_dir, "review", "--decisions", str(tmp / "d.csv"))
    assert result.exit_code == 2 and "has no face 7" in result.output
    with Store(settings.state_path) as store:
        assert DecisionBook(store).decisions() == {}


def test_override_is_recorded_with_who_and_when_and_shown_in_every_report(setting) -> None:
    settings, folder, tmp = setting
    audit_json(settings.data_dir, folder, tmp / "1.json")
    refused = run(settings.data_dir, "override", "grace.jpg", "--action", "delete")
    assert refused.exit_code == 2 and "needs a reason" in refused.output
    result = run(settings.data_dir, "override", str(folder / "grace.jpg"), "--action", "delete",
                 "--reason", "Blurred; a better one was taken", "--by", "Jo Manager")
    assert result.exit_code == 0, result.output
    images = audit_json(settings.data_dir, folder, tmp / "2.json", "--csv", str(tmp / "2.csv"),
                        "--html", str(tmp / "2.html"))
    grace = images["grace.jpg"]
    assert grace["action"] == "delete"
    override = grace["override"]
    assert override["action"] == "delete" and override["original_action"] == "review"
    assert override["by"] == "Jo Manager" and override["reason"] == "Blurred; a better one was taken"
    assert override["at"].startswith("20")
    assert images["ava.jpg"]["override"] is None
    assert "Blurred; a better one was taken" in (tmp / "2.csv").read_text(encoding="utf-8-sig")
    html = (tmp / "2.html").read_text()
    assert "forced by a person" in html and "Blurred; a better one was taken" in html
    assert "Jo Manager" in html
    removed = run(settings.data_dir, "override", "grace.jpg", "--remove")
    assert removed.exit_code == 0 and "Removed" in removed.output
    assert audit_json(settings.data_dir, folder, tmp / "3.json")["grace.jpg"]["override"] is None


def test_enrol_from_review_teaches_the_matcher_and_children_shows_it(tmp_path: Path) -> None:
    rows = [ROWS[0], "c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,no,yes,2030-09-01"]
    settings = make_setting(tmp_path, rows)  # Grace may be matched, but has no reference photos
    folder = tmp_path / "transfer"
    big = Image.open(grace_alone(tmp_path / "tmp.jpg"))
    big.resize((1800, 1400)).save(folder / "grace-big.jpg", quality=92)  # a face large enough to learn from
    first = audit_json(settings.data_dir, folder, tmp_path / "1.json")
    assert first["grace-big.jpg"]["faces"][0]["status"] == "unknown"

    result = run(settings.data_dir, "review", "--enrol", "--by", "Jo", input="c02\n")
    assert result.exit_code == 0, result.output
    assert "to Grace Okafor (c02)'s reference photos" in result.output
    assert "Enrolment refreshed with 1 new reference photo(s)" in result.output
    (added,) = list((settings.faces_dir / "c02").iterdir())
    assert added.name.startswith("review-")

    # Another photo of Grace (different bytes, no decision) is now recognised by the matcher.
    grace_alone(folder / "grace-other.jpg", seed=11)
    prepared = prepare(settings)
    verdicts = {v.path: v for v in audit(folder, prepared, TODAY).verdicts}
    other = verdicts["grace-other.jpg"].faces[0]
    assert other.status is FaceStatus.MATCHED and other.child_id == "c02" and other.decision is None
    assert verdicts["grace-other.jpg"].purposes["website"] is Use.WITHHELD

    listing = run(settings.data_dir, "children", "--today", "2027-09-01")
    assert listing.exit_code == 0, listing.output
    assert "1 (1 from reviews)" in listing.output
    assert "newest reference photo is" in listing.output  # more than 6 months later: a warning
    fresh = run(settings.data_dir, "children", "--today", TODAY.isoformat())
    assert "newest reference photo is" not in fresh.output


def test_children_warns_about_a_child_with_permission_but_no_photos(setting) -> None:
    settings, _, _ = setting
    register = settings.register_path
    register.write_text(register.read_text().replace("yes,yes,no,no,no,2030", "yes,yes,no,no,yes,2030"))
    result = run(settings.data_dir, "children", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "Grace Okafor (c02) has face-matching permission but no enrolled reference photo" in result.output
    assert "Ava Patel (c01)" in result.output


def test_audit_html_is_private_and_refused_inside_the_folder(setting) -> None:
    settings, folder, tmp = setting
    inside = run(settings.data_dir, "audit", str(folder), "--html", str(folder / "r.html"))
    assert inside.exit_code == 2 and not (folder / "r.html").exists()
    audit_json(settings.data_dir, folder, tmp / "1.json", "--html", str(tmp / "out" / "r.html"))
    html = (tmp / "out" / "r.html").read_text()
    assert html.count('<article class="card"') == 3
    if POSIX:
        assert stat.S_IMODE((tmp / "out" / "r.html").stat().st_mode) == 0o600
    assert "Ava Patel" in html and "unknown" in html


def test_a_reviewed_face_enrolment_rejects_is_named_with_why(tmp_path: Path) -> None:
    """Grace's face confirmed as Ava (c01): unlike Ava's other reference photos, so enrolment does
    not keep it, and the review says which photo it did not keep."""
    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    Image.open(grace_alone(tmp_path / "tmp.jpg")).resize((1800, 1400)).save(folder / "grace-big.jpg", quality=92)
    audit_json(settings.data_dir, folder, tmp_path / "1.json")
    result = run(settings.data_dir, "review", "--enrol", "--by", "Jo", input="c01\ny\n")
    assert result.exit_code == 0, result.output
    added = re.search(r"Added faces/(c01/review-\w+-face1\.jpg)", result.output)
    assert added is not None, result.output
    assert f"Not kept as a reference photo: {added.group(1)}: does not look like" in result.output, result.output
    assert not (settings.faces_dir / added.group(1)).exists()
