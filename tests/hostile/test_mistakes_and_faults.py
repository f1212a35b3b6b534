"""Issue 25: ordinary mistakes and faults must never make anything irreversible, nor pass in silence.

- A register emptied of one child for one run (a row deleted by mistake, a filter left on, a
  register saved half-way from Excel): nothing is erased, every run says so, and once the row is
  back the child is recognised again and ``find`` still lists their photos.
- The quarantine's disk fills up during ``--apply``, in the middle of writing the manifest: the
  run ends with a report of what it did, no photo is lost or moved without a record, and the
  manifest never holds half a line.

The "children" are the public-domain sample faces of tests/nursery.py (never real children).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_folder import PHOTOS, build
from nursery import ROWS, copy_data, enrolled_template, review_far_ahead, shared, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.faces.engine import EngineSettings
from photoaudit.operations.incremental import examine_key
from photoaudit.store import quarantine as q
from photoaudit.store.database import Store

TODAY = "2026-11-22"


def cli(data: Path, *args: object):  # noqa: ANN201
    return CliRunner().invoke(app, ["--data", str(data), *map(str, args)], env={"COLUMNS": "250"})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def templates_of(data: Path, child_id: str) -> tuple[list[bytes], dict[str, list[bytes]]]:
    """The child's reference templates, and (by photo) the stored faces of photos that were judged to show them."""
    with Store(data / "state") as store:
        references = [t.tobytes() for t in store.references_of(child_id)]
        shown = [v.sha256 for v in store.verdicts() if any(f.get("child_id") == child_id for f in v.body["faces"])]
        faces = {sha256: [f.template.tobytes() for f in store.faces(sha256, examine_key(EngineSettings())) or ()
                          if f.template is not None] for sha256 in shown}
    return references, faces


def still_stored(data: Path, child_id: str, references: list[bytes], faces: dict[str, list[bytes]]) -> bool:
    """True when the child's reference templates and those stored faces are all still there, unchanged."""
    with Store(data / "state") as store:
        kept = [t.tobytes() for t in store.references_of(child_id)]
        found = {sha256: [f.template.tobytes() for f in store.faces(sha256, examine_key(EngineSettings())) or ()
                          if f.template is not None] for sha256 in faces}
    return kept == references and found == faces


def test_a_register_emptied_of_one_child_for_one_run_erases_nothing(nursery: tuple[Path, Path]) -> None:
    data, folder = nursery
    audit = ("audit", folder, "--jobs", "1", "--today", TODAY)
    first = json.loads(cli(data, *audit, "--json", "-").stdout)
    assert {i["path"]: i for i in first["images"]}["tablet-1/grace.jpg"]["action"] == "keep"
    references, faces = templates_of(data, "c02")
    assert len(references) == 2 and faces and all(faces.values())

    write_register(data, {k: v for k, v in ROWS.items() if k != "c02"})  # Grace's row gone, for one run
    result = cli(data, *audit, "--json", "-")
    assert result.exit_code == ExitStatus.FINDINGS, result.output
    report = json.loads(result.stdout)
    assert report["erased"] == [] and not any("Erased" in w for w in report["warnings"])
    assert report["not_in_register"] == [{"id": "c02", "kind": "child"}]
    [said] = [w for w in report["warnings"] if w.startswith("c02 is not in the register")]
    assert "nothing was erased" in said and said.endswith(" forget c02.")
    grace = {i["path"]: i for i in report["images"]}["tablet-1/grace.jpg"]
    assert grace["action"] == "review" and grace["faces"][0]["child_id"] is None  # never matched meanwhile
    quiet = cli(data, *audit, "--quiet")  # the cron line says so on every run while it holds
    assert " not_in_register=1 " in quiet.stdout
    assert still_stored(data, "c02", references, faces)  # nothing erased
    assert "erased the face data" not in (data / "state" / "photoaudit.log").read_text()

    write_register(data, ROWS)  # the row is back
    again = json.loads(cli(data, *audit, "--json", "-").stdout)
    grace = {i["path"]: i for i in again["images"]}["tablet-1/grace.jpg"]
    assert grace["action"] == "keep" and grace["faces"][0]["child_id"] == "c02"
    assert again["not_in_register"] == [] and again["summary"]["review"] == first["summary"]["review"]
    found = cli(data, "find", "c02", "--json", "-")
    assert found.exit_code == ExitStatus.CLEAR, found.output
    photos = {p["places"][0]["path"] for p in json.loads(found.stdout)["photos"] if p["places"]}
    assert "tablet-1/grace.jpg" in photos
    assert still_stored(data, "c02", references, faces)


# -- a full quarantine disk during --apply ------------------------------------------------------------

@pytest.fixture(scope="session")
def enrolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared("enrolled", tmp_path_factory, enrolled_template)


#: How large a file may grow in the run below: the manifest is filled to just under it first, so
#: the disk is "full" a few manifest lines into --apply, whichever line that is (the store, the
#: reports and the log stay far smaller, and the photos are moved without being written).
ROOM = 4 << 20


def run_with_room(data: Path, *args: str, room: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """photoaudit in a process of its own, where no file may grow past ``room`` bytes (as on a full disk)."""
    import resource

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "photoaudit", "--data", str(data), *args], capture_output=True,
                          timeout=300, env=env, check=False, preexec_fn=full_disk if room else None)


def regular_files(*folders: Path) -> list[str]:
    found = []
    for folder in folders:
        for top, _, names in os.walk(folder):
            for name in names:
                path = Path(top) / name
                if path.is_file() and not path.is_symlink() and name != q.MANIFEST_NAME:
                    found.append(sha(path))
    return sorted(found)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform == "win32", reason="needs POSIX and RLIMIT_FSIZE")
def test_a_full_quarantine_disk_during_apply_loses_nothing_and_says_what_it_did(
    tmp_path: Path, enrolled: Path
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    review_far_ahead(data)  # --apply runs on the real day
    folder = build(tmp_path / "transfer", tmp_path / "outside")
    everyone = regular_files(folder)
    to_delete = {rel for rel, (who, _) in PHOTOS.items() if who == ("c03",)} | {"Thumbs.db"}
    quarantine = data / "quarantine"
    quarantine.mkdir(mode=0o700)
    history = b"".join(  # earlier runs' lines (restores of photos long gone): the manifest is nearly full
        json.dumps({"id": f"old-{n}", "op": "restore", "step": "abandoned", "why": "x" * 400}).encode() + b"\n"
        for n in range(ROOM // 450))
    prefill = history[: history.rfind(b"\n", 0, ROOM - 1500) + 1]
    manifest = quarantine / q.MANIFEST_NAME
    manifest.write_bytes(prefill)
    manifest.chmod(0o600)

    full = run_with_room(data, "audit", str(folder), "--jobs", "2", "--apply", "-q", room=ROOM)
    out, err = full.stdout.decode(errors="replace"), full.stderr.decode(errors="replace")
    assert full.returncode == ExitStatus.FINDINGS, err  # it finished, and says there is something to delete
    fields = dict(part.split("=", 1) for part in out.split() if "=" in part and not part.startswith("folder="))
    moved, left = int(fields["quarantined"]), int(fields["not_quarantined"])
    assert moved >= 1 and left >= 1 and moved + left == len(to_delete)
    [report] = (data / "state" / "reports").glob("audit-*.json")  # a report of what it did
    body = json.loads(report.read_text(encoding="utf-8"))
    assert len(body["quarantined"]) == moved and len(body["not_quarantined"]) == left
    assert all("the quarantine's disk is full" in n["why"] for n in body["not_quarantined"])
    assert any(w.startswith("--apply stopped part way: the quarantine's disk is full") for w in body["warnings"])
    lines = manifest.read_bytes()[len(prefill):].splitlines(True)
    assert lines and all(line.endswith(b"\n") and json.loads(line) for line in lines)  # no half line
    recorded = {json.loads(line)["sha256"] for line in lines if json.loads(line)["step"] == "started"}
    assert {entry["sha256"] for entry in body["quarantined"]} <= recorded  # every photo moved is in the manifest
    assert regular_files(folder, quarantine) == everyone  # every photo exactly once, unchanged

    again = run_with_room(data, "audit", str(folder), "--jobs", "2", "--apply", "-q")  # space freed
    assert again.returncode == ExitStatus.FINDINGS, again.stderr.decode(errors="replace")
    assert "not_quarantined=0" in again.stdout.decode()
    entries = q.Manifest(quarantine).entries()
    assert q.open_operations(entries) == []
    assert {i.relative for i in q.quarantined_items(entries)} == to_delete
    assert regular_files(folder, quarantine) == everyone
