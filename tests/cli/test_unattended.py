"""Unattended and living consent, through the command line, with the real engine:
cron output and exit codes, the lock, --apply (killed mid-run and run again), restore,
purge, reaudit, forget (checked byte by byte in the store file) and leavers.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nursery import ROWS, review_far_ahead, write_register
from typer.testing import CliRunner

from photoaudit.cli import quarantine as cli_quarantine
from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.operations.incremental import examine_key, folder_key
from photoaudit.store import quarantine as q
from photoaudit.store.database import Store
from photoaudit.store.lock import acquire

TODAY = "2026-11-22"
DELETED = {"tablet-2/sam.jpg", "tablet-2/ava-and-sam.jpg", "tablet-2/sam-again.jpg"}  # Sam: no use at all


#: Commands that change files refuse --today: the real day is set to the test day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_test_day")



@pytest.fixture
def detections(monkeypatch: pytest.MonkeyPatch) -> list:
    calls: list = []
    original = FaceEngine.find_faces

    def counting(self: FaceEngine, full, reduced=None):  # noqa: ANN001, ANN202
        calls.append(full.shape)
        return original(self, full, reduced)

    monkeypatch.setattr(FaceEngine, "find_faces", counting)
    return calls


def cli(data: Path, *args: str, input: str | None = None):  # noqa: ANN201, A002
    return CliRunner().invoke(app, ["--data", str(data), *args], input=input, env={"COLUMNS": "250"})


def audit(data: Path, folder: Path, *args: str):  # noqa: ANN201
    """An audit judged as on TODAY; with --apply as on the real day (--today never moves files)."""
    today = () if "--apply" in args else ("--today", TODAY)
    return cli(data, "audit", str(folder), "--jobs", "1", *today, *args)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state_bytes(data: Path) -> bytes:
    """Everything SQLite keeps on disk for the store: the file and any journal beside it."""
    return b"".join(p.read_bytes() for p in sorted((data / "state").glob("photoaudit.sqlite3*")))


def log_text(data: Path) -> str:
    return (data / "state" / "photoaudit.log").read_text(encoding="utf-8")


# -- cron: one line, a dated report, a log, exit codes --------------------------------------------

def test_cron_run_prints_one_line_and_leaves_a_dated_report_and_a_log(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    result = audit(data, folder, "--quiet")
    assert result.exit_code == ExitStatus.FINDINGS
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("photoaudit: photos=6 keep=3 delete=3 review=0 ")
    [report] = (data / "state" / "reports").glob("audit-*.json")
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["version"] == 1 and body["summary"]["delete"] == 3
    assert body["cache"] == {"examined": 0, "reused": 6}
    assert all(len(image["sha256"]) == 64 for image in body["images"])
    assert f"exit=1 report={report}" in log_text(data)
    if sys.platform != "win32":
        assert (report.stat().st_mode & 0o777) == 0o600
        assert ((data / "state" / "photoaudit.log").stat().st_mode & 0o777) == 0o600
    audit(data, folder, "--quiet")
    assert len(list((data / "state" / "reports").glob("audit-*.json"))) == 2  # one per run


def test_exit_codes_tell_clear_findings_could_not_run_and_already_running(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    for relative in ("tablet-1/grace.jpg", *DELETED):
        (folder / relative).unlink()
    assert audit(data, folder, "--quiet").exit_code == ExitStatus.CLEAR
    assert audit(data, folder / "missing", "--quiet").exit_code == ExitStatus.CANNOT_RUN
    assert "could not run" in log_text(data)
    with acquire(data / "state", folder_key(folder), "the folder"):
        busy = audit(data, folder, "--quiet")
    assert busy.exit_code == ExitStatus.ALREADY_RUNNING
    assert "already working on the folder" in " ".join(busy.stderr.split())
    assert "already running, exit=3" in log_text(data)
    assert audit(data, folder, "--quiet").exit_code == ExitStatus.CLEAR  # free again


def test_a_lock_left_by_a_killed_audit_is_recovered_and_reported(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    code = (
        "import os, sys; from pathlib import Path; from photoaudit.store.lock import acquire; "
        "acquire(Path(sys.argv[1]), sys.argv[2], 'x'); os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", code, str(data / "state"), folder_key(folder)], check=False)
    result = audit(data, folder, "--quiet", "--json", str(data / "report.json"))
    assert result.exit_code == ExitStatus.FINDINGS
    warnings = json.loads((data / "report.json").read_text(encoding="utf-8"))["warnings"]
    assert any("ended without finishing; its lock was recovered" in w for w in warnings)
    assert "its lock was recovered" in log_text(data)


# -- --apply, killed and run again; restore; purge -------------------------------------------------

def test_apply_killed_mid_run_then_run_again_has_every_photo_once_and_the_manifest_complete(
    nursery: tuple[Path, Path],
) -> None:
    data, folder = nursery
    quarantine_dir = data.parent / "quarantine"
    before = {sha(p): p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    review_far_ahead(data)  # the killed run is a process of its own, on the real day
    env = {**os.environ, "PHOTOAUDIT_TEST_CRASH": "moved:2", "PHOTOAUDIT_TEST_CROSS_DEVICE": "1"}
    killed = subprocess.run(
        [sys.executable, "-m", "photoaudit", "--data", str(data), "--quarantine", str(quarantine_dir),
         "audit", str(folder), "--apply", "--quiet", "--jobs", "1"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert killed.returncode == q.CRASH_EXIT, killed.stderr
    assert len(q.open_operations(q.Manifest(quarantine_dir).entries())) == 1

    rerun = cli(data, "--quarantine", str(quarantine_dir), "audit", str(folder), "--apply", "--quiet",
                "--jobs", "1")
    assert rerun.exit_code == ExitStatus.FINDINGS
    assert "quarantined=1" in rerun.stdout  # the two moved before the kill are not moved again

    where: dict[str, list[Path]] = {}
    for root in (folder, quarantine_dir):
        for path in root.rglob("*"):
            if path.is_file() and path.name != q.MANIFEST_NAME:
                where.setdefault(sha(path), []).append(path)
    assert set(where) == set(before)  # nothing lost, nothing new
    assert all(len(paths) == 1 for paths in where.values())  # every photo exactly once
    for digest, relative in before.items():
        assert (quarantine_dir in where[digest][0].parents) == (relative in DELETED), relative
    entries = q.Manifest(quarantine_dir).entries()
    assert q.open_operations(entries) == []
    items = q.quarantined_items(entries)
    assert {i.relative for i in items} == DELETED
    assert all(i.reason.endswith("must not be kept (R4).") and i.quarantined.is_file() for i in items)


def test_apply_refuses_a_quarantine_inside_the_audited_folder(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    result = cli(data, "--quarantine", str(folder / "q"), "audit", str(folder), "--apply", "--jobs", "1")
    assert result.exit_code == ExitStatus.CANNOT_RUN
    assert all((folder / r).exists() for r in DELETED)


def test_restore_lists_and_puts_back(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    assert audit(data, folder, "--apply", "--quiet").exit_code == ExitStatus.FINDINGS
    assert not any((folder / r).exists() for r in DELETED)
    listing = cli(data, "restore")
    assert listing.exit_code == ExitStatus.CLEAR and "sam-again.jpg" in listing.stdout
    one = cli(data, "restore", "tablet-2/sam.jpg")
    assert one.exit_code == ExitStatus.CLEAR and (folder / "tablet-2/sam.jpg").exists()
    assert cli(data, "restore", "--all").exit_code == ExitStatus.CLEAR
    assert all((folder / r).exists() for r in DELETED)
    assert cli(data, "restore", "nothing-like-it.jpg").exit_code == ExitStatus.CANNOT_RUN


def test_purge_asks_first_deletes_for_good_and_records_what_it_deleted(
    nursery: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, folder = nursery
    audit(data, folder, "--apply", "--quiet")
    quarantined = [i.quarantined for i in q.quarantined_items(q.Manifest(data / "quarantine").entries())]
    assert len(quarantined) == 3
    assert cli(data, "purge", "--older-than", "30d", "--yes").exit_code == ExitStatus.CLEAR  # too young
    piped = cli(data, "purge", "--older-than", "0d", input="y\n")  # no terminal: piped input never confirms
    assert piped.exit_code == ExitStatus.NOT_CONFIRMED and all(p.exists() for p in quarantined)
    monkeypatch.setattr(cli_quarantine, "interactive", lambda: True)  # a person at a terminal from here on
    declined = cli(data, "purge", "--older-than", "0d", input="n\n")
    assert declined.exit_code == ExitStatus.NOT_CONFIRMED and all(p.exists() for p in quarantined)
    no_answer = cli(data, "purge", "--older-than", "0d", input="")
    assert no_answer.exit_code == ExitStatus.NOT_CONFIRMED and all(p.exists() for p in quarantined)
    done = cli(data, "purge", "--older-than", "0d", input="y\n")
    assert done.exit_code == ExitStatus.CLEAR
    assert not any(p.exists() for p in quarantined)
    entries = q.Manifest(data / "quarantine").entries()
    assert sum(e.get("op") == "purge" and e["step"] == "done" for e in entries) == 3
    assert log_text(data).count("purge: deleted") == 3
    assert all((folder / r).exists() for r in ("tablet-1/ava.jpg", "tablet-1/grace.jpg"))


# -- living consent -------------------------------------------------------------------------------------

def test_reaudit_lists_photos_whose_verdict_changed_without_finding_faces(
    nursery: tuple[Path, Path], detections: list
) -> None:
    data, folder = nursery
    audit(data, folder, "--quiet")
    rows = dict(ROWS)
    rows["c01"] = rows["c01"].replace("yes,yes,yes,yes,yes,yes", "yes,yes,yes,yes,no,yes")  # no social media
    write_register(data, rows)
    detections.clear()
    result = cli(data, "reaudit", str(folder), "--json", "-", "--today", TODAY)
    assert detections == []  # no face found again, only matched and judged
    assert result.exit_code == ExitStatus.FINDINGS
    report = json.loads(result.stdout)
    assert report["kind"] == "reaudit" and report["summary"]["photos"] == 6
    changed = {c["path"]: c for c in report["changes"]}
    assert set(changed) == {"tablet-1/ava.jpg"}  # the other photo of Ava was already blocked by Sam
    assert changed["tablet-1/ava.jpg"]["before"]["purposes"]["social_media"] == "allowed"
    assert changed["tablet-1/ava.jpg"]["after"]["purposes"]["social_media"] == "withheld"
    again = cli(data, "reaudit", str(folder), "--quiet", "--today", TODAY)
    assert again.exit_code == ExitStatus.CLEAR and "changed=0" in again.stdout


# -- erasure ---------------------------------------------------------------------------------------------

def templates_of(data: Path, child_id: str) -> tuple[list[bytes], list[bytes]]:
    """The child's reference template bytes, and the bytes of stored photo faces matched to them."""
    with Store(data / "state") as store:
        refs = [t.tobytes() for t in store.references_of(child_id)]
        faces = []
        key = examine_key(EngineSettings())
        for stored in store.verdicts():
            found = store.faces(stored.sha256, key) or ()
            for face, judged in zip(found, stored.body["faces"], strict=True):
                if judged["child_id"] == child_id and face.template is not None:
                    faces.append(face.template.tobytes())
    return refs, faces


def test_forget_erases_the_child_for_real_and_for_good(nursery: tuple[Path, Path], detections: list) -> None:
    data, folder = nursery
    audit(data, folder, "--quiet")
    refs, faces = templates_of(data, "c01")
    kept_refs, kept_faces = templates_of(data, "c02")
    assert len(refs) == 2 and len(faces) == 2 and kept_faces
    raw = state_bytes(data)
    assert all(t in raw for t in refs + faces + kept_refs + kept_faces)  # the check can see them

    result = cli(data, "forget", "c01")
    assert result.exit_code == ExitStatus.CLEAR
    assert "2 reference template(s), and 3 stored face(s) in 2 photo(s)" in result.stdout
    raw = state_bytes(data)
    assert not any(t in raw for t in refs + faces)  # gone from every byte of the store
    assert all(t in raw for t in kept_refs + kept_faces)  # and nobody else's
    assert "forget: Erased the face data of Ava Patel (c01)" in log_text(data)

    enrol = cli(data, "enrol")
    assert "was erased on request" in enrol.stdout and "Ava Patel (c01): " not in enrol.stdout
    detections.clear()
    after = audit(data, folder, "--json", "-")
    images = {i["path"]: i for i in json.loads(after.stdout)["images"]}
    assert len(detections) == 2  # only the two photos that showed her are examined again
    assert images["tablet-1/ava.jpg"]["action"] == "review"  # her face is now nobody's
    assert images["tablet-1/ava.jpg"]["faces"][0]["status"] == "unknown"
    assert images["tablet-2/ava-and-sam.jpg"]["faces"][1]["child_id"] == "c03"  # Sam still known
    raw = state_bytes(data)
    assert not any(t in raw for t in faces)  # examining her photos again did not store her face

    again = cli(data, "enrol", "--allow-again", "c01")
    assert "Ava Patel (c01): 2 reference photo(s) enrolled" in again.stdout


def test_forget_is_refused_while_an_audit_is_running(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    with acquire(data / "state", folder_key(folder), "the folder"):
        assert cli(data, "forget", "c01").exit_code == ExitStatus.ALREADY_RUNNING
    with Store(data / "state") as store:
        assert store.references_of("c01")


@pytest.mark.parametrize(
    "change, why",
    [
        (("attending,,", "left,2026-11-01,"), "has left the setting"),
        (("yes,yes,yes,yes,yes,yes,2030", "yes,yes,yes,yes,yes,no,2030"), "face-matching permission withdrawn"),
    ],
)
def test_leavers_and_withdrawn_face_matching_are_forgotten_at_the_next_audit(
    nursery: tuple[Path, Path], change: tuple[str, str], why: str
) -> None:
    data, folder = nursery
    audit(data, folder, "--quiet")
    refs, faces = templates_of(data, "c01")
    rows = dict(ROWS)
    rows["c01"] = rows["c01"].replace(*change)
    write_register(data, rows)
    result = audit(data, folder, "--quiet", "--json", str(data.parent / "report.json"))
    assert " erased=1 " in result.stdout  # the cron line says so too
    body = json.loads((data.parent / "report.json").read_text(encoding="utf-8"))
    said = [w for w in body["warnings"] if w.startswith("Erased the face data of Ava Patel (c01)")]
    assert len(said) == 1 and why in said[0]
    assert body["erased"][0]["child_id"] == "c01" and body["erased"][0]["references"] == 2
    raw = state_bytes(data)
    assert not any(t in raw for t in refs + faces)
    assert "erased the face data of c01" in log_text(data)


def test_progress_bar_only_for_a_person_at_a_terminal_and_not_with_quiet() -> None:
    import io

    from rich.console import Console

    from photoaudit.cli.shared import progress_bar

    def shown(terminal: bool, enabled: bool) -> str:
        out = io.StringIO()
        with progress_bar(Console(file=out, force_terminal=terminal, width=100), enabled) as (start, advance):
            start(["a.jpg", "b.jpg"])
            advance("a.jpg")
            advance("b.jpg")
        return out.getvalue()

    assert "Checking photos" in shown(terminal=True, enabled=True)
    assert shown(terminal=True, enabled=False) == ""  # --quiet
    assert shown(terminal=False, enabled=True) == ""  # cron, a pipe, a file


def test_private_folders_created_on_the_way_are_private_too(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    from photoaudit.media.files import make_private_dir

    make_private_dir(tmp_path / "state" / "locks")
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "state" / "locks").stat().st_mode & 0o777 == 0o700


def test_reaudit_recognises_a_child_enrolled_later_in_photos_already_audited(
    nursery: tuple[Path, Path], detections: list
) -> None:
    import shutil

    data, folder = nursery
    shutil.move(data / "faces" / "c02", data / "c02-photos")  # Grace has no reference photos yet
    first = json.loads(audit(data, folder, "--json", "-").stdout)
    grace = {i["path"]: i for i in first["images"]}["tablet-1/grace.jpg"]
    assert grace["action"] == "review" and grace["faces"][0]["status"] == "unknown"
    shutil.move(data / "c02-photos", data / "faces" / "c02")  # now they are there
    detections.clear()
    result = cli(data, "reaudit", str(folder), "--json", "-", "--today", TODAY)
    assert len(detections) == 2  # her two reference photos, enrolled; no audited photo looked at again
    changes = {c["path"]: c for c in json.loads(result.stdout)["changes"]}
    assert set(changes) == {"tablet-1/grace.jpg"}
    assert changes["tablet-1/grace.jpg"]["before"]["action"] == "review"
    assert changes["tablet-1/grace.jpg"]["after"]["action"] == "keep"
    assert changes["tablet-1/grace.jpg"]["after"]["faces"][0]["child_id"] == "c02"


def test_forget_says_so_when_a_registered_child_had_no_face_data(nursery: tuple[Path, Path]) -> None:
    """An id no child has is refused (tests/cli/test_rights_cli.py); a registered child who was
    never enrolled is recorded as erased on request, and the manager is told nothing was stored."""
    data, _ = nursery
    rows = dict(ROWS)
    rows["c04"] = "c04,Leo Smith,Butterflies,attending,,yes,yes,yes,yes,yes,no,2030-09-01\n"
    write_register(data, rows)
    result = cli(data, "forget", "c04")
    assert result.exit_code == ExitStatus.CLEAR
    assert "No face data was stored for Leo Smith (c04)" in result.stdout
    with Store(data / "state") as store:
        assert set(store.forgotten()) == {"c04"} and store.references_of("c01")
