"""photoaudit.store.outputs: an output path never replaces a file photoaudit did not write, and
nothing (state, log, report, quarantine, copies) is ever written inside a folder being checked.

A small setting with no child enrolled and one plain picture, so each audit is quick;
every refusal happens before any photo is looked at.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image
from setting import child, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.errors import CannotRun
from photoaudit.core.settings import Settings
from photoaudit.store import outputs

runner = CliRunner()
ENV = {"COLUMNS": "400"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(*roots: Path) -> dict[str, str]:
    return {str(p): digest(p) for root in roots for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """tmp/data (register, devices.csv, faces/), tmp/transfer with one picture, tmp/out."""
    data = tmp_path / "data"
    write_register(data / "children.csv", [child("c01", "Ava Patel", face_matching="no")])
    (data / "devices.csv").write_text("device_id,label,make,model,serial,folder\n", encoding="utf-8")
    (data / "faces" / "c01").mkdir(parents=True)
    Image.new("RGB", (64, 48), (200, 180, 160)).save(data / "faces" / "c01" / "ref.jpg")
    transfer = tmp_path / "transfer"
    transfer.mkdir()
    Image.new("RGB", (64, 48), (120, 140, 160)).save(transfer / "IMG_0001.jpg")
    (tmp_path / "out").mkdir()
    (tmp_path / "photoaudit.toml").write_text("")
    return tmp_path


def cli(place: Path, *args: str | Path):  # noqa: ANN201
    return runner.invoke(app, ["--config", str(place / "photoaudit.toml"), "--data", str(place / "data"),
                               *(str(a) for a in args)], env=ENV)


def audit(place: Path, *args: str | Path):  # noqa: ANN201
    return cli(place, "audit", place / "transfer", "--today", "2026-11-22", *args)


def settings(place: Path) -> Settings:
    return Settings(data_dir=place / "data")


# -- item 1: a report never replaces a file photoaudit did not write -----------------------

@pytest.mark.parametrize("option", ["--json", "--csv", "--html"])
def test_a_report_named_like_a_photo_in_the_folder_never_replaces_it(place: Path, option: str) -> None:
    photo = place / "transfer" / "IMG_0001.jpg"
    before = snapshot(place / "transfer", place / "data" / "faces")
    result = audit(place, option, photo)
    assert result.exit_code == 2, result.output
    assert snapshot(place / "transfer", place / "data" / "faces") == before


@pytest.mark.parametrize("option", ["--json", "--csv", "--html"])
def test_a_report_over_a_photo_elsewhere_is_refused(place: Path, option: str) -> None:
    """check --for website --json photos/*.jpg: the shell gives the first photo as the report."""
    photos = place / "photos"
    photos.mkdir()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(photos / "a.jpg")
    before = digest(photos / "a.jpg")
    result = audit(place, option, photos / "a.jpg")
    assert result.exit_code == 2, result.output
    assert digest(photos / "a.jpg") == before
    assert "photo" in result.stderr


@pytest.mark.parametrize("target", ["data/children.csv", "data/devices.csv", "data/faces/c01/notes.csv",
                                    "data/staff.csv", "data/staff/notes.csv"])
def test_a_report_is_never_the_register_devices_or_inside_faces(place: Path, target: str) -> None:
    (place / "data" / "staff").mkdir()
    (place / "data" / "staff.csv").write_text("staff_id,name\n", encoding="utf-8")
    before = snapshot(place / "data")
    result = audit(place, "--csv", place / target)
    assert result.exit_code == 2, result.output
    after = snapshot(place / "data")
    after.pop(str(place / "data" / "state" / "photoaudit.log"), None)  # the refusal, logged
    assert after == before
    assert not (place / "data" / "faces" / "c01" / "notes.csv").exists()


def test_a_report_never_replaces_an_unknown_file_even_with_force(place: Path) -> None:
    notes = place / "out" / "notes.csv"
    notes.write_text("the manager's own spreadsheet\n")
    for extra in ([], ["--force"]):
        result = audit(place, "--csv", notes, *extra)
        assert result.exit_code == 2, result.output
        assert "did not write it" in result.stderr
        assert notes.read_text() == "the manager's own spreadsheet\n"


def test_check_json_over_a_photo_is_refused(place: Path) -> None:
    photo = place / "transfer" / "IMG_0001.jpg"
    other = place / "IMG_0002.jpg"
    Image.new("RGB", (32, 32), (10, 20, 30)).save(other)
    before = digest(other)
    result = cli(place, "check", "--for", "website", "--json", other, photo)
    assert result.exit_code == 2, result.output
    assert digest(other) == before


def test_its_own_report_is_replaced_and_a_changed_one_needs_force(place: Path) -> None:
    report = place / "out" / "report.csv"
    first = audit(place, "--csv", report, "-q")
    assert first.exit_code in (0, 1), first.output
    record = json.loads((place / "data" / "state" / outputs.RECORD_NAME).read_text())
    assert record[str(report)]["sha256"] == digest(report)  # and which run wrote it, when
    again = audit(place, "--csv", report, "-q")  # unchanged since: replaced
    assert again.exit_code in (0, 1), again.output
    report.write_text(report.read_text(encoding="utf-8-sig") + "my notes\n")  # saved from a spreadsheet
    refused = audit(place, "--csv", report, "-q")
    assert refused.exit_code == 2
    assert "--force" in refused.stderr and "my notes" in report.read_text()
    forced = audit(place, "--csv", report, "-q", "--force")
    assert forced.exit_code in (0, 1), forced.output
    assert "my notes" not in report.read_text()


def test_a_report_is_known_by_the_record_not_its_name(place: Path) -> None:
    """A file that merely looks like a report is not photoaudit's."""
    fake = place / "out" / "report.json"
    fake.write_text(json.dumps({"format": "photoaudit-report", "version": 1}))
    result = audit(place, "--json", fake)
    assert result.exit_code == 2
    assert json.loads(fake.read_text()) == {"format": "photoaudit-report", "version": 1}


def test_a_file_appearing_while_the_run_works_is_not_replaced(place: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = place / "out" / "late.json"
    checked = outputs.check_replaceable
    calls = []

    def check_then_appear(s: Settings, path: Path, force: bool = False) -> None:
        calls.append(path)
        if len(calls) == 2:  # the second check, just before writing
            report.write_text("someone else's")
        checked(s, path, force)

    monkeypatch.setattr(outputs, "check_replaceable", check_then_appear)
    result = audit(place, "--json", report)
    assert result.exit_code == 2, result.output
    assert report.read_text() == "someone else's"


# -- items 3 and 6: the quarantine and private folders never meet the audited folder ------

@pytest.mark.parametrize("where", ["transfer", ".", "transfer/q"])
def test_quarantine_at_or_around_the_audited_folder_is_an_error_without_apply(place: Path, where: str) -> None:
    result = cli(place, "--quarantine", place / where, "audit", place / "transfer", "-q", "--today", "2026-11-22")
    assert result.exit_code == 2, result.output
    assert "quarantine" in result.stderr


@pytest.mark.parametrize("command", [["devices"], ["check", "--for", "website"], ["reaudit"]])
def test_quarantine_around_the_folder_is_an_error_for_every_command(place: Path, command: list[str]) -> None:
    result = cli(place, "--quarantine", place, *command, place / "transfer")
    assert result.exit_code == 2, result.output
    assert "quarantine" in result.stderr


def test_state_inside_the_audited_folder_is_refused_and_nothing_is_written_there(place: Path) -> None:
    before = snapshot(place / "transfer")
    state = place / "transfer" / "state"
    result = cli(place, "--state", state, "audit", place / "transfer", "-q")
    assert result.exit_code == 2, result.output
    assert "state folder" in result.stderr
    assert snapshot(place / "transfer") == before
    assert sorted(p.name for p in (place / "transfer").iterdir()) == ["IMG_0001.jpg"]  # no log either


@pytest.mark.parametrize("option", ["--log", "--quarantine"])
def test_log_or_quarantine_inside_the_audited_folder_is_refused(place: Path, option: str) -> None:
    target = place / "transfer" / "sub" / ("pa.log" if option == "--log" else "q")
    result = cli(place, option, target, "audit", place / "transfer", "-q")
    assert result.exit_code == 2, result.output
    assert not (place / "transfer" / "sub").exists()


def test_reports_folder_inside_the_audited_folder_is_refused(place: Path) -> None:
    result = audit(place, "--reports", place / "transfer" / "reports")
    assert result.exit_code == 2, result.output
    assert not (place / "transfer" / "reports").exists()


def test_reaudit_json_inside_a_folder_audited_before_is_refused(place: Path) -> None:
    assert audit(place, "-q").exit_code in (0, 1)
    result = cli(place, "reaudit", "--json", place / "transfer" / "changes.json")
    assert result.exit_code == 2, result.output
    assert not (place / "transfer" / "changes.json").exists()


# -- items 16 and 17: copies to post never go where the next audit finds them -------------

@pytest.mark.parametrize("where", ["transfer", "transfer/to post"])
def test_check_export_into_the_transfer_folder_is_refused(place: Path, where: str) -> None:
    before = snapshot(place / "transfer")
    result = cli(place, "check", "--for", "website", "--export", place / where, place / "transfer")
    assert result.exit_code == 2, result.output
    assert snapshot(place / "transfer") == before
    assert not (place / "transfer" / "to post").exists()


def test_check_export_into_a_folder_audited_before_is_refused(place: Path) -> None:
    """One photo checked by name, copies into a sub-folder of its (audited) transfer folder."""
    assert audit(place, "-q").exit_code in (0, 1)
    (place / "transfer" / "week 48").mkdir()
    photo = place / "transfer" / "week 48" / "IMG_0002.jpg"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photo)
    result = cli(place, "check", "--for", "website", "--export", place / "transfer" / "to post", photo)
    assert result.exit_code == 2, result.output
    assert not (place / "transfer" / "to post").exists()


def test_check_export_into_a_sub_folder_of_a_photo_checked_by_name_is_refused(place: Path) -> None:
    photos = place / "photos"
    photos.mkdir()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photos / "a.jpg")
    result = cli(place, "check", "--for", "website", "--export", photos / "copies", photos / "a.jpg")
    assert result.exit_code == 2, result.output
    assert not (photos / "copies").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need special rights on Windows")
def test_export_at_a_dangling_link_says_so(place: Path) -> None:
    link = place / "out" / "copies"
    link.symlink_to(place / "nowhere")
    result = cli(place, "check", "--for", "website", "--export", link, place / "transfer" / "IMG_0001.jpg")
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.stderr and "File exists" not in result.stderr


# -- the pure checks, without the CLI -------------------------------------------------------

def test_check_writes_refuses_a_report_with_a_photo_name(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data")
    with pytest.raises(CannotRun, match="photo's or a video's name"):
        outputs.check_writes(s, outputs.Writes(reports=(tmp_path / "new.jpg",)))
    outputs.check_writes(s, outputs.Writes(reports=(tmp_path / "new.json", "-")))


def test_nothing_is_created_by_checking(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data")
    outputs.check_writes(s, outputs.Writes(folders=(tmp_path / "transfer",), reports=(tmp_path / "r.json",)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_folder_open_to_others_is_said_and_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    s = Settings(data_dir=tmp_path / "data")
    said = outputs.check_writes(s, outputs.Writes(reports=(shared / "r.json",)))
    assert any("can be read by other users" in w for w in said)
    outputs.write_report(s, shared / "r.json", "{}")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "r.json").stat().st_mode) == 0o600
    os.chmod(shared, 0o700)


# -- item 7: only folders photoaudit creates are made private ------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_log_in_a_shared_folder_leaves_the_folder_as_it_was_and_says_so(place: Path) -> None:
    shared = place / "shared" / "logs"
    shared.mkdir(parents=True)
    shared.chmod(0o1777)
    result = cli(place, "--log", shared / "pa.log", "audit", place / "transfer", "-q", "--today", "2026-11-22")
    assert result.exit_code in (0, 1), result.output
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "pa.log").stat().st_mode) == 0o600
    assert "can be read by other users" in result.stderr
    shared.chmod(0o700)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_make_private_dir_makes_only_new_folders_private(tmp_path: Path) -> None:
    from photoaudit.media.files import make_private_dir

    there = tmp_path / "there"
    there.mkdir()
    there.chmod(0o755)
    old = os.umask(0)
    try:
        make_private_dir(there / "a" / "b")
    finally:
        os.umask(old)
    assert stat.S_IMODE(there.stat().st_mode) == 0o755
    assert stat.S_IMODE((there / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((there / "a" / "b").stat().st_mode) == 0o700
    make_private_dir(there)
    assert stat.S_IMODE(there.stat().st_mode) == 0o755


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX umask")
def test_a_reports_new_parent_folder_is_private_under_umask_000(place: Path) -> None:
    old = os.umask(0)
    try:
        result = audit(place, "--json", place / "out" / "new" / "deeper" / "r.json", "-q")
    finally:
        os.umask(old)
    assert result.exit_code in (0, 1), result.output
    for folder in (place / "out" / "new", place / "out" / "new" / "deeper"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((place / "out" / "new" / "deeper" / "r.json").stat().st_mode) == 0o600


# -- the log is an output too: appended to, so never anyone else's file --------------------

@pytest.mark.parametrize("target", ["data/children.csv", "data/devices.csv", "out/notes.txt", "transfer/IMG_0001.jpg"])
def test_the_log_is_never_appended_to_a_file_that_is_not_a_photoaudit_log(place: Path, target: str) -> None:
    (place / "out" / "notes.txt").write_text("my notes\n")
    before = snapshot(place / "data", place / "out", place / "transfer")
    result = cli(place, "--log", place / target, "audit", place / "transfer", "-q", "--today", "2026-11-22")
    assert result.exit_code == 2, result.output
    assert "log" in result.stderr
    assert snapshot(place / "data", place / "out", place / "transfer") == before


def test_an_existing_photoaudit_log_is_appended_to(place: Path) -> None:
    log = place / "out" / "pa.log"
    assert cli(place, "--log", log, "audit", place / "transfer", "-q").exit_code in (0, 1)
    first = log.read_text()
    assert cli(place, "--log", log, "audit", place / "transfer", "-q").exit_code in (0, 1)
    assert log.read_text().startswith(first) and len(log.read_text()) > len(first)


@pytest.mark.parametrize("command", [["restore"], ["purge", "--older-than", "30d", "--yes"]])
def test_restore_and_purge_refuse_a_quarantine_around_a_folder_audited_before(place: Path, command: list[str]) -> None:
    assert audit(place, "-q").exit_code in (0, 1)
    result = cli(place, "--quarantine", place, *command)
    assert result.exit_code == 2, result.output
    assert "quarantine" in result.stderr
    assert not (place / "manifest.jsonl").exists()


@pytest.mark.parametrize("command", [["enrol"], ["forget", "c01"], ["children"]])
def test_commands_without_a_folder_refuse_a_log_over_the_register(place: Path, command: list[str]) -> None:
    before = digest(place / "data" / "children.csv")
    result = cli(place, "--log", place / "data" / "children.csv", *command)
    assert result.exit_code == 2, result.output
    assert digest(place / "data" / "children.csv") == before


def test_the_docs_give_the_output_rules_force_and_exit_code_4() -> None:
    root = Path(__file__).resolve().parents[2]
    guide = (root / "docs" / "setting-up.md").read_text(encoding="utf-8")
    start = guide.index("### What photoaudit writes, and what it refuses")
    section = guide[start:guide.index("\n### ", start + 4)]
    for words in ("--force", "outputs.json", "0700", "left exactly as it is", "never the audited folder"):
        assert words in section, words
    readme = (root / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Exit codes")
    codes = readme[start:readme.index("\n## ", start)]
    assert "| 4 |" in codes and "purge" in codes


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_an_existing_state_folder_open_to_others_is_left_alone_with_a_warning(place: Path) -> None:
    state = place / "data" / "state"
    state.mkdir()
    state.chmod(0o755)
    result = audit(place, "-q")
    assert result.exit_code in (0, 1), result.output
    assert stat.S_IMODE(state.stat().st_mode) == 0o755  # not photoaudit's folder: not changed
    assert stat.S_IMODE((state / "photoaudit.sqlite3").stat().st_mode) == 0o600
    assert f"The folder {state} can be read by other users" in " ".join(result.stderr.split())


# -- issue 25, item 7: no two outputs of one run, and no two runs, to one path ----------------

@pytest.mark.parametrize("second", ["--csv", "--html", "--faces-csv"])
def test_two_outputs_of_one_run_to_one_path_are_refused_before_any_work(place: Path, second: str) -> None:
    """--json X --csv X replaced the JSON with the CSV (exit 1): now nothing is done (exit 2)."""
    report = place / "out" / "report.json"
    result = audit(place, "--json", report, second, report)
    assert result.exit_code == 2, result.output
    assert f"--json and {second} both name {report}" in " ".join(result.stderr.split())
    assert not report.exists()
    assert not (place / "data" / "state" / "photoaudit.db").exists()  # no photo was looked at


def test_a_report_on_the_log_is_refused(place: Path) -> None:
    log = place / "out" / "pa.log"
    result = cli(place, "--log", log, "audit", place / "transfer", "--today", "2026-11-22", "--json", log)
    assert result.exit_code == 2, result.output
    assert f"--json and --log both name {log}" in " ".join(result.stderr.split())


@pytest.mark.parametrize("option", ["--json", "--csv", "--html", "--faces-csv"])
def test_a_path_ending_in_a_separator_is_a_folder_never_a_file(place: Path, option: str) -> None:
    """--json newdir/ wrote a file called newdir."""
    result = audit(place, option, f"{place / 'out' / 'newdir'}/")
    assert result.exit_code == 2, result.output
    assert "names a folder, not a file" in " ".join(result.output.split())
    assert not (place / "out" / "newdir").exists()


def test_a_path_ending_in_a_separator_is_refused_by_every_command_with_a_report(place: Path) -> None:
    for args in (["check", "--for", "website", place / "transfer" / "IMG_0001.jpg", "--json"],
                 ["reaudit", "--json"], ["published", "--json"], ["takedown", "--json"], ["find", "c01", "--json"],
                 ["group", place / "out", "--csv"]):
        result = cli(place, *args, f"{place / 'out' / 'newdir'}/")
        assert result.exit_code == 2, (args, result.output)
        assert "names a folder, not a file" in " ".join(result.output.split()), args
        assert not (place / "out" / "newdir").exists()


def test_another_audits_report_is_never_replaced_this_one_goes_beside_it_and_says_so(place: Path) -> None:
    """Two audits of different folders sharing a state and one --json path: one report was lost."""
    other = place / "other"
    other.mkdir()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(other / "IMG_0900.jpg")
    report = place / "out" / "week.json"
    first = cli(place, "audit", other, "--today", "2026-11-22", "--json", report, "-q")
    assert first.exit_code in (0, 1), first.output
    before = report.read_bytes()

    second = audit(place, "--json", report, "-q")
    assert second.exit_code in (0, 1), second.output
    beside = place / "out" / "week-2.json"
    assert report.read_bytes() == before  # the other folder's report is still there
    assert json.loads(beside.read_text())["folder"] == str(place / "transfer")
    said = " ".join(second.stderr.split())
    assert f"{report} was left as it is (it is the report of another run (audit {other}" in said
    assert f"this run's report was written beside it as {beside}" in said
    assert len(second.stdout.strip().splitlines()) == 1  # cron's one line stays one line
    assert "written beside it" in (place / "data" / "state" / "photoaudit.log").read_text()

    again = audit(place, "--json", report, "-q")  # next week: its own report beside is replaced, no -3
    assert again.exit_code in (0, 1), again.output
    assert report.read_bytes() == before and not (place / "out" / "week-3.json").exists()
    assert json.loads(beside.read_text())["folder"] == str(place / "transfer")


def test_a_report_another_run_wrote_while_this_one_worked_is_not_replaced(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data")
    report = tmp_path / "r.json"
    mine = outputs.Run("check --for website")
    outputs.write_report(s, report, "theirs", run=outputs.Run("check --for website"))  # started after mine
    placed = outputs.write_report(s, report, "mine", run=mine)
    assert placed.moved and placed.path == tmp_path / "r-2.json"
    assert report.read_text() == "theirs" and placed.path.read_text() == "mine"
    assert "wrote it while this one worked" in placed.words()
    later = outputs.write_report(s, report, "next", run=outputs.Run("check --for website"))  # a later run
    assert not later.moved and report.read_text() == "next"


def test_a_list_written_by_a_rights_command_never_replaces_a_file_photoaudit_did_not_write(place: Path) -> None:
    """published, takedown and find wrote their --json without any check (over a photo, too)."""
    photo = place / "transfer" / "IMG_0001.jpg"
    notes = place / "out" / "notes.json"
    notes.write_text("the manager's own notes")
    before = digest(photo)
    for args in (["published", "--json", notes], ["takedown", "--json", notes], ["find", "c01", "--json", photo]):
        result = cli(place, *args)
        assert result.exit_code == 2, (args, result.output)
    assert notes.read_text() == "the manager's own notes" and digest(photo) == before
