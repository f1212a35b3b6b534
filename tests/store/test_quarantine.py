"""photoaudit.store.quarantine: moves that never lose a photo, a manifest that says where each went.

Plain files, no face engine. The crash tests run the move in a child process that a
test hook ends abruptly (os._exit, as a kill would) at a chosen step of a chosen move,
then check that a re-run leaves every photo in exactly one place and the manifest complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from unprivileged import as_unprivileged, give_away, open_folder  # noqa: F401 (a fixture)

from photoaudit.store import quarantine as q

FILES = {
    "tablet-1/IMG_0001.jpg": b"photo one " * 50,
    "tablet-1/IMG_0002.jpg": b"photo two " * 60,
    "tablet-2/week 47/IMG_0003.heic": b"photo three " * 70,
    "tablet-2/IMG_0004.jpg": b"photo four " * 80,
    "tablet-2/IMG_0005.jpg": b"photo five, to keep " * 90,
}
TO_MOVE = [r for r in FILES if "IMG_0005" not in r]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_folder(root: Path) -> Path:
    for relative, data in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def plan(relatives: list[str] = TO_MOVE) -> list[q.Planned]:
    return [q.Planned(r, sha(FILES[r]), f"no use allowed for {r}") for r in relatives]


def contents(*roots: Path) -> dict[str, list[Path]]:
    """sha256 -> every file holding it, under the given folders (the manifest aside)."""
    found: dict[str, list[Path]] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.name != q.MANIFEST_NAME:
                found.setdefault(sha(path.read_bytes()), []).append(path)
    return found


def assert_each_photo_once_and_manifest_complete(folder: Path, quarantine_dir: Path) -> None:
    found = contents(folder, quarantine_dir)
    for relative, data in FILES.items():
        places = found.get(sha(data), [])
        assert len(places) == 1, f"{relative} is in {len(places)} places: {places}"
        in_quarantine = quarantine_dir in places[0].parents
        assert in_quarantine == (relative in TO_MOVE), relative
    assert not list(quarantine_dir.rglob(f"*{q.PARTIAL_SUFFIX}"))
    entries = q.Manifest(quarantine_dir).entries()
    assert q.open_operations(entries) == []  # every started move has an end
    items = q.quarantined_items(entries)
    assert sorted(i.relative for i in items) == sorted(TO_MOVE)
    for item in items:
        assert item.quarantined.is_file() and sha(item.quarantined.read_bytes()) == item.sha256
        assert item.original == folder.resolve() / item.relative
        assert item.reason == f"no use allowed for {item.relative}"


CHILD = """
import json, sys
from pathlib import Path
from photoaudit.store import quarantine as q
folder, qdir, planned = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
outcome = q.quarantine(folder, [q.Planned(*p) for p in planned], qdir)
print(json.dumps({"moved": [i.relative for i in outcome.done], "recovered": outcome.recovered}))
"""


def run_child(folder: Path, quarantine_dir: Path, crash: str | None, cross_device: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOAUDIT_TEST_")}
    if crash:
        env["PHOTOAUDIT_TEST_CRASH"] = crash
    if cross_device:
        env["PHOTOAUDIT_TEST_CROSS_DEVICE"] = "1"
    planned = json.dumps([[p.relative, p.sha256, p.reason] for p in plan()])
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(quarantine_dir), planned],
        env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("cross_device", [False, True], ids=["rename", "copy"])
@pytest.mark.parametrize("crash", ["started:1", "started:3", "copied:2", "moved:1", "moved:4"])
def test_killed_mid_apply_a_rerun_finishes_with_every_photo_once(
    tmp_path: Path, crash: str, cross_device: bool
) -> None:
    if crash.startswith("copied") and not cross_device:
        pytest.skip("a rename has no copied step")
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    killed = run_child(folder, quarantine_dir, crash, cross_device)
    assert killed.returncode == q.CRASH_EXIT, killed.stderr
    [interrupted] = q.open_operations(q.Manifest(quarantine_dir).entries())  # it died mid-move
    src, dest = Path(interrupted["original"]), Path(interrupted["quarantined"])
    step = crash.split(":")[0]
    assert src.exists() == (step in ("started", "copied"))  # the original goes last
    assert dest.exists() == (step in ("copied", "moved"))

    rerun = run_child(folder, quarantine_dir, None, cross_device)
    assert rerun.returncode == 0, rerun.stderr
    said = json.loads(rerun.stdout)
    assert said["recovered"]  # the interrupted move was looked at and finished
    assert_each_photo_once_and_manifest_complete(folder, quarantine_dir)


def test_move_across_filesystems_is_copied_checked_then_removed(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK) or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a second, writable filesystem (/dev/shm)")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as other:
        folder, quarantine_dir = make_folder(tmp_path / "transfer"), Path(other) / "quarantine"
        outcome = q.quarantine(folder, plan(), quarantine_dir)
        assert len(outcome.done) == len(TO_MOVE)
        assert_each_photo_once_and_manifest_complete(folder, quarantine_dir)
        # and back again, across the filesystems the other way
        q.restore(quarantine_dir, q.quarantined_items(q.Manifest(quarantine_dir).entries()))
        assert {sha(d) for d in FILES.values()} == set(contents(folder))


def test_manifest_records_each_move_with_paths_hash_reason_and_time(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    lines = (quarantine_dir / q.MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    start, end = (json.loads(line) for line in lines)
    relative = TO_MOVE[0]
    assert start["step"] == "started" and end["step"] == "done" and start["id"] == end["id"]
    assert start["original"] == str(folder.resolve() / relative)
    assert start["quarantined"] == str(quarantine_dir.absolute() / "transfer" / relative)
    assert start["sha256"] == sha(FILES[relative])
    assert start["reason"] == f"no use allowed for {relative}"
    assert datetime.fromisoformat(start["time"]).tzinfo is not None
    assert not (folder / relative).exists()
    assert (quarantine_dir / "transfer" / relative).read_bytes() == FILES[relative]


def test_quarantine_never_overwrites_an_earlier_photo_of_the_same_name(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    relative = TO_MOVE[0]
    q.quarantine(folder, plan([relative]), quarantine_dir)
    (folder / relative).write_bytes(b"next week's photo with the same name")
    q.quarantine(folder, [q.Planned(relative, sha(b"next week's photo with the same name"), "again")], quarantine_dir)
    first = quarantine_dir / "transfer" / relative
    second = first.with_name(f"{first.stem} (2){first.suffix}")
    assert first.read_bytes() == FILES[relative]
    assert second.read_bytes() == b"next week's photo with the same name"


def test_a_photo_changed_since_the_audit_is_not_moved(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    relative = TO_MOVE[0]
    (folder / relative).write_bytes(b"replaced after the audit looked at it")
    outcome = q.quarantine(folder, plan([relative]), quarantine_dir)
    assert outcome.done == [] and outcome.skipped[0][0] == relative
    assert (folder / relative).read_bytes() == b"replaced after the audit looked at it"
    assert q.Manifest(quarantine_dir).entries() == []


def test_a_move_that_fails_leaves_the_photo_where_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", "1")
    real_unlink = q._unlink

    def refuse(spot: q.Spot) -> None:
        if folder.resolve() in spot.path.parents:
            raise PermissionError(13, "Permission denied", str(spot.path))
        real_unlink(spot)

    monkeypatch.setattr(q, "_unlink", refuse)
    outcome = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    monkeypatch.undo()
    assert outcome.done == [] and "could not be moved" in outcome.skipped[0][1]
    assert (folder / TO_MOVE[0]).read_bytes() == FILES[TO_MOVE[0]]
    assert len(contents(folder, quarantine_dir)[sha(FILES[TO_MOVE[0]])]) == 1  # the copy was taken back
    entries = q.Manifest(quarantine_dir).entries()
    assert [e["step"] for e in entries] == ["started", "abandoned"]


def test_quarantine_inside_the_audited_folder_is_refused(tmp_path: Path) -> None:
    assert q.check_outside(tmp_path / "t" / "q", tmp_path / "t")
    assert q.check_outside(tmp_path / "t", tmp_path / "t")
    assert q.check_outside(tmp_path, tmp_path / "t")
    assert q.check_outside(tmp_path / "q", tmp_path / "t") is None


def test_a_line_cut_short_by_a_crash_does_not_spoil_the_manifest(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    with (quarantine_dir / q.MANIFEST_NAME).open("ab") as handle:
        handle.write(b'{"id": "half-writ')
    q.quarantine(folder, plan(TO_MOVE[1:2]), quarantine_dir)
    items = q.quarantined_items(q.Manifest(quarantine_dir).entries())
    assert sorted(i.relative for i in items) == sorted(TO_MOVE[:2])


def test_restore_puts_photos_back_and_never_overwrites(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(), quarantine_dir)
    items = q.quarantined_items(q.Manifest(quarantine_dir).entries())
    (folder / TO_MOVE[1]).write_bytes(b"a new photo took the name meanwhile")
    chosen, unknown = q.select(items, [TO_MOVE[0], str(folder.resolve() / TO_MOVE[1]), "nothing.jpg"])
    assert unknown == ["nothing.jpg"] and len(chosen) == 2
    outcome = q.restore(quarantine_dir, chosen)
    assert (folder / TO_MOVE[0]).read_bytes() == FILES[TO_MOVE[0]]
    beside = folder / TO_MOVE[1]
    beside = beside.with_name(f"{beside.stem} (restored){beside.suffix}")
    assert beside.read_bytes() == FILES[TO_MOVE[1]]
    assert (folder / TO_MOVE[1]).read_bytes() == b"a new photo took the name meanwhile"
    assert len(outcome.done) == 2
    left = q.quarantined_items(q.Manifest(quarantine_dir).entries())
    assert sorted(i.relative for i in left) == sorted(TO_MOVE[2:])


def test_purge_deletes_only_what_is_old_enough_and_records_it(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(), quarantine_dir)
    now = datetime.now(UTC)
    assert q.purgeable(quarantine_dir, timedelta(days=30), now=now + timedelta(days=29)) == []
    old = q.purgeable(quarantine_dir, timedelta(days=30), now=now + timedelta(days=31))
    assert len(old) == len(TO_MOVE)
    (old[0].quarantined).write_bytes(b"changed inside the quarantine")
    outcome = q.purge(quarantine_dir, old)
    assert len(outcome.done) == len(TO_MOVE) - 1 and outcome.skipped[0][0] == str(old[0].quarantined)
    assert old[0].quarantined.exists()  # not the photo that was quarantined: never deleted
    assert all(not i.quarantined.exists() for i in outcome.done)
    entries = q.Manifest(quarantine_dir).entries()
    purged = [e for e in entries if e.get("op") == "purge" and e["step"] == "started"]
    assert sorted(e["sha256"] for e in purged) == sorted(i.sha256 for i in outcome.done)
    assert all(e["original"] and e["quarantined"] for e in purged)
    assert [i.id for i in q.quarantined_items(entries)] == [old[0].id]
    assert contents(folder)  # the photo that was never planned is untouched


def test_an_interrupted_purge_is_finished(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    item = q.quarantined_items(q.Manifest(quarantine_dir).entries())[0]
    q.Manifest(quarantine_dir).append({
        "id": "p1", "op": "purge", "step": "started", "item": item.id, "original": str(item.original),
        "quarantined": str(item.quarantined), "sha256": item.sha256, "time": q.now_text(),
    })
    said = q.recover(quarantine_dir)
    assert said and not item.quarantined.exists()
    assert q.quarantined_items(q.Manifest(quarantine_dir).entries()) == []


def test_recovery_warns_when_a_photo_is_in_neither_place(tmp_path: Path) -> None:
    quarantine_dir = tmp_path / "quarantine"
    q.Manifest(quarantine_dir).append({
        "id": "m1", "op": "quarantine", "step": "started", "original": str(tmp_path / "gone.jpg"),
        "quarantined": str(quarantine_dir / "t" / "gone.jpg"), "sha256": sha(b"x"), "time": q.now_text(),
    })
    said = q.recover(quarantine_dir)
    assert said[0].startswith("WARNING") and "neither place" in said[0]
    assert q.open_operations(q.Manifest(quarantine_dir).entries()) == []


@pytest.mark.parametrize("text, days", [("30d", 30), ("4w", 28), ("0d", 0), (" 12H ", 0.5)])
def test_parse_age(text: str, days: float) -> None:
    assert q.parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["30", "d", "-1d", "1 month", "1.5d"])
def test_parse_age_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError):
        q.parse_age(text)


def test_quarantine_folder_and_manifest_are_private(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    q.quarantine(folder, plan(), quarantine_dir)
    assert (quarantine_dir.stat().st_mode & 0o777) == 0o700
    assert ((quarantine_dir / "transfer" / "tablet-2").stat().st_mode & 0o777) == 0o700
    assert ((quarantine_dir / q.MANIFEST_NAME).stat().st_mode & 0o777) == 0o600


# -- issue 13: modes, long names, and the hash checks really exercised -----------------------

@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_quarantined_photos_are_private_and_get_their_mode_back_on_restore(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    for relative in TO_MOVE:
        (folder / relative).chmod(0o644)
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    assert outcome.done
    for item in outcome.done:
        assert (item.quarantined.stat().st_mode & 0o777) == 0o600
    restored = q.restore(quarantine_dir, outcome.done)
    for item in restored.done:
        assert (item.original.stat().st_mode & 0o777) == 0o644


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX umask")
@pytest.mark.parametrize("cross_device", ["0", "1"])
def test_every_folder_is_created_with_explicit_modes_under_umask_000(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cross_device: str
) -> None:
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", cross_device)
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "new" / "quarantine"
    old = os.umask(0)
    try:
        outcome = q.quarantine(folder, plan(), quarantine_dir)
        shutil_rmtree_tablet(folder)
        q.restore(quarantine_dir, outcome.done)
    finally:
        os.umask(old)
    for path in [tmp_path / "new", quarantine_dir, *(p for p in quarantine_dir.rglob("*"))]:
        want = 0o700 if path.is_dir() else 0o600
        assert (path.stat().st_mode & 0o777) == want, path
    assert ((folder / "tablet-2" / "week 47").stat().st_mode & 0o777) == 0o700  # made again by restore


def shutil_rmtree_tablet(folder: Path) -> None:
    """Photos were moved out; the tablet's emptied sub-folder is removed by someone."""
    (folder / "tablet-2" / "week 47").rmdir()


def long_name_folder(root: Path) -> tuple[Path, list[q.Planned], dict[str, bytes]]:
    """A 255-byte photo name (the most ext4 allows) among photos to move, then an ordinary one."""
    files = {
        "tablet-1/" + "x" * 251 + ".jpg": b"a photo with the longest name " * 40,
        "tablet-1/IMG_0009.jpg": b"a photo after it " * 40,
    }
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root, [q.Planned(r, sha(d), "delete") for r, d in files.items()], files


@pytest.mark.parametrize("cross_device", ["0", "1"])
def test_a_255_byte_name_is_moved_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cross_device: str
) -> None:
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", cross_device)
    folder, planned, files = long_name_folder(tmp_path / "transfer")
    quarantine_dir = tmp_path / "quarantine"
    outcome = q.quarantine(folder, planned, quarantine_dir)
    assert outcome.skipped == [] and len(outcome.done) == 2
    # the same names again: the second copies need a " (2)" that still fits
    folder2, planned2, _ = long_name_folder(tmp_path / "again" / "transfer")
    second = q.quarantine(folder2, planned2, quarantine_dir)
    assert second.skipped == [] and len(second.done) == 2
    assert all(len(os.fsencode(i.quarantined.name)) <= q.NAME_MAX for i in second.done)
    # put back while the original name is taken again: "(restored)" fits too
    for relative in files:
        (folder / relative).write_bytes(b"a new photo with that name")
    back = q.restore(quarantine_dir, outcome.done)
    assert back.skipped == [] and len(back.done) == 2
    for item in back.done:
        assert item.original.read_bytes() in files.values()


def test_one_failed_move_is_a_row_and_the_later_photos_are_still_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    real = q.free_path

    def too_long(wanted: Path, taken: set[Path]) -> Path:
        if wanted.name == "IMG_0001.jpg":
            raise OSError(36, "File name too long", str(wanted))
        return real(wanted, taken)

    monkeypatch.setattr(q, "free_path", too_long)
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    assert [r for r, _ in outcome.skipped] == ["tablet-1/IMG_0001.jpg"]
    assert "File name too long" in outcome.skipped[0][1]
    assert len(outcome.done) == len(TO_MOVE) - 1
    assert (folder / "tablet-1" / "IMG_0001.jpg").read_bytes() == FILES["tablet-1/IMG_0001.jpg"]


def test_a_copy_corrupted_mid_move_is_caught_and_the_photo_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """quarantine.copy_verified's hash check: without it the damaged copy would replace the photo."""
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", "1")
    real = q.shutil.copyfileobj

    def flip_a_byte(reader, writer, length=0):  # type: ignore[no-untyped-def]
        real(reader, writer, length)
        writer.seek(10)
        writer.write(b"\x00")

    monkeypatch.setattr(q.shutil, "copyfileobj", flip_a_byte)
    outcome = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    monkeypatch.undo()
    assert outcome.done == []
    assert "does not match" in outcome.skipped[0][1]
    assert (folder / TO_MOVE[0]).read_bytes() == FILES[TO_MOVE[0]]
    assert [p for p in quarantine_dir.rglob("*") if p.is_file() and p.name != q.MANIFEST_NAME] == []
    assert [e["step"] for e in q.Manifest(quarantine_dir).entries()] == ["started", "abandoned"]


def test_a_quarantined_photo_changed_before_restore_is_not_put_back(tmp_path: Path) -> None:
    """The hash check before a restore: a changed file is not the photo that was quarantined."""
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    outcome = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    item = outcome.done[0]
    item.quarantined.write_bytes(b"something else entirely")
    back = q.restore(quarantine_dir, [item])
    assert back.done == []
    assert "changed there" in back.skipped[0][1]
    assert not (folder / TO_MOVE[0]).exists()
    assert item.quarantined.read_bytes() == b"something else entirely"
    assert [i.id for i in q.quarantined_items(q.Manifest(quarantine_dir).entries())] == [item.id]


def test_a_copy_corrupted_mid_restore_is_caught_and_the_photo_stays_in_quarantine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    item = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir).done[0]
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", "1")
    real = q.shutil.copyfileobj

    def flip_a_byte(reader, writer, length=0):  # type: ignore[no-untyped-def]
        real(reader, writer, length)
        writer.seek(3)
        writer.write(b"\x00")

    monkeypatch.setattr(q.shutil, "copyfileobj", flip_a_byte)
    back = q.restore(quarantine_dir, [item])
    monkeypatch.undo()
    assert back.done == [] and "does not match" in back.skipped[0][1]
    assert item.quarantined.read_bytes() == FILES[TO_MOVE[0]]
    assert not (folder / TO_MOVE[0]).exists()


# -- issue 25: never through a link, never another name's permissions, a full disk ------------------

def test_restore_never_writes_through_a_link(tmp_path: Path) -> None:
    """A sub-folder replaced by a link after --apply: its photos stay in quarantine, with why."""
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "tablet-1").rmdir()  # both its photos were moved: empty
    (folder / "tablet-1").symlink_to(elsewhere, target_is_directory=True)
    back = q.restore(quarantine_dir, outcome.done)
    assert list(elsewhere.iterdir()) == []  # nothing written where the link points
    through_link = sorted(r for r in TO_MOVE if r.startswith("tablet-1/"))
    refused = {Path(path).relative_to(folder.resolve()).as_posix(): why for path, why in back.skipped}
    assert sorted(refused) == through_link
    assert all("is a link now, and photoaudit never moves a photo through a link" in w for w in refused.values())
    assert sorted(i.relative for i in back.done) == sorted(set(TO_MOVE) - set(through_link))
    left = q.quarantined_items(q.Manifest(quarantine_dir).entries())
    assert sorted(i.relative for i in left) == through_link
    assert all(i.quarantined.read_bytes() == FILES[i.relative] for i in left)


def test_restore_refuses_when_the_audited_folder_itself_is_now_a_link(tmp_path: Path) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    folder.rename(tmp_path / "moved-away")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere, target_is_directory=True)
    back = q.restore(quarantine_dir, outcome.done)
    assert back.done == [] and len(back.skipped) == len(TO_MOVE)
    assert list(elsewhere.rglob("*")) == []
    assert len(q.quarantined_items(q.Manifest(quarantine_dir).entries())) == len(TO_MOVE)


def test_apply_never_moves_a_photo_through_a_link(tmp_path: Path) -> None:
    """A sub-folder swapped for a link between the audit and the move (same photos behind it):
    nothing is taken from where the link points."""
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    elsewhere = tmp_path / "elsewhere"
    (folder / "tablet-1").rename(elsewhere)
    (folder / "tablet-1").symlink_to(elsewhere, target_is_directory=True)
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    assert sorted(r for r, _ in outcome.skipped) == sorted(r for r in TO_MOVE if r.startswith("tablet-1/"))
    assert all("is a link now" in why for _, why in outcome.skipped)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["IMG_0001.jpg", "IMG_0002.jpg"]


def test_a_photo_written_to_while_it_moves_is_put_back_and_not_quarantined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    real = q._new_name

    def written_to_meanwhile(old: q.Spot, new: q.Spot) -> None:
        if folder.resolve() in old.path.parents:
            with open(old.path, "ab") as handle:
                handle.write(b" and a little more")
        real(old, new)

    monkeypatch.setattr(q, "_new_name", written_to_meanwhile)
    outcome = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
    monkeypatch.undo()
    assert outcome.done == [] and "changed while it was being moved" in outcome.skipped[0][1]
    assert (folder / TO_MOVE[0]).read_bytes() == FILES[TO_MOVE[0]] + b" and a little more"
    assert not (quarantine_dir / "transfer" / TO_MOVE[0]).exists()
    assert [e["step"] for e in q.Manifest(quarantine_dir).entries()] == ["started", "abandoned"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and hard links")
@pytest.mark.parametrize("cross_device", ["0", "1"])
def test_another_name_of_a_quarantined_photo_keeps_its_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cross_device: str
) -> None:
    """A hard link outside the audited folder (a backup, say) shares the file's permissions:
    quarantining copies such a file, so the other name is never made private, nor changed later."""
    monkeypatch.setenv("PHOTOAUDIT_TEST_CROSS_DEVICE", cross_device)
    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    relative = TO_MOVE[0]
    (folder / relative).chmod(0o644)
    backup = tmp_path / "backup"
    backup.mkdir()
    os.link(folder / relative, backup / "copy.jpg")
    outcome = q.quarantine(folder, plan([relative]), quarantine_dir)
    [item] = outcome.done
    assert (backup / "copy.jpg").stat().st_mode & 0o777 == 0o644
    assert (backup / "copy.jpg").read_bytes() == FILES[relative]
    assert item.quarantined.stat().st_mode & 0o777 == 0o600
    assert item.quarantined.stat().st_nlink == 1 and not (folder / relative).exists()
    back = q.restore(quarantine_dir, [item])
    assert back.skipped == []
    assert (folder / relative).stat().st_mode & 0o777 == 0o644
    assert (backup / "copy.jpg").stat().st_mode & 0o777 == 0o644


FULL_DISK = """
import json, resource, signal, sys
from pathlib import Path
from photoaudit.store import quarantine as q
folder, qdir, planned, room = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
if room:  # no file may grow past this many bytes: the manifest's disk is full from there on
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))
outcome = q.quarantine(folder, [q.Planned(*p) for p in planned], qdir)
print(json.dumps({"moved": [i.relative for i in outcome.done], "skipped": outcome.skipped,
                  "stopped": outcome.stopped}))
"""


def quarantine_with_room(folder: Path, quarantine_dir: Path, room: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOAUDIT_TEST_")}
    planned = json.dumps([[p.relative, p.sha256, p.reason] for p in plan()])
    return subprocess.run([sys.executable, "-c", FULL_DISK, str(folder), str(quarantine_dir), planned, str(room)],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
@pytest.mark.parametrize("line", range(8))
def test_a_full_disk_while_writing_the_manifest_leaves_no_half_line_and_no_unrecorded_move(
    tmp_path: Path, line: int
) -> None:
    """The disk fills up in the middle of manifest line N (the kernel refuses to let the file grow,
    as on a full disk): the run stops moving, says why, lists what it left, and never leaves half
    a line; every photo it moved is in the manifest, and the next run completes the record."""
    # The lines' lengths, from the same moves in a folder whose paths are as long.
    sample = make_folder(tmp_path / "a" / "transfer")
    assert quarantine_with_room(sample, tmp_path / "a" / "quarantine", 0).returncode == 0
    lengths = [len(x) for x in (tmp_path / "a" / "quarantine" / q.MANIFEST_NAME).read_bytes().splitlines(True)]
    room = sum(lengths[:line]) + lengths[line] // 2  # the disk is full half-way through line N

    folder, quarantine_dir = make_folder(tmp_path / "b" / "transfer"), tmp_path / "b" / "quarantine"
    full = quarantine_with_room(folder, quarantine_dir, room)
    assert full.returncode == 0, full.stderr  # no crash
    said = json.loads(full.stdout)
    assert said["stopped"] and "disk is full" in said["stopped"]
    text = (quarantine_dir / q.MANIFEST_NAME).read_bytes()
    assert len(text) == sum(lengths[:line]) and (not text or text.endswith(b"\n"))  # the half line: taken back
    entries = [json.loads(x) for x in text.splitlines()]
    recorded = {e["relative"] for e in entries if e["step"] == "started"}
    moved = {r for r in TO_MOVE if not (folder / r).exists()}
    assert moved == set(said["moved"]) and moved <= recorded  # every photo moved is in the manifest
    assert sorted(r for r, _ in said["skipped"]) == sorted(set(TO_MOVE) - moved)  # the rest: listed, with why
    assert all("disk is full" in why for _, why in said["skipped"])

    again = quarantine_with_room(folder, quarantine_dir, 0)  # space freed: the next run finishes the record
    assert again.returncode == 0, again.stderr
    assert_each_photo_once_and_manifest_complete(folder, quarantine_dir)


def test_no_space_left_while_a_manifest_line_is_written_takes_the_half_line_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with the error a full disk gives (ENOSPC), on the third line: half of it reaches
    the disk before the write fails."""
    import errno as errnos

    folder, quarantine_dir = make_folder(tmp_path / "transfer"), tmp_path / "quarantine"
    real, writes = q.write_all, []

    def disk_fills_up(fd: int, data: bytes) -> None:
        writes.append(data)
        if len(writes) == 3:
            real(fd, data[: len(data) // 2])
            raise OSError(errnos.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(q, "write_all", disk_fills_up)
    outcome = q.quarantine(folder, plan(), quarantine_dir)
    monkeypatch.undo()
    assert [i.relative for i in outcome.done] == TO_MOVE[:1]
    assert outcome.stopped is not None and outcome.stopped.startswith("the quarantine's disk is full")
    assert [r for r, _ in outcome.skipped] == TO_MOVE[1:]
    assert all(why == "not moved: the quarantine's disk is full" for _, why in outcome.skipped)
    assert (quarantine_dir / q.MANIFEST_NAME).read_bytes() == b"".join(writes[:2])  # whole lines only
    assert all((folder / r).read_bytes() == FILES[r] for r in TO_MOVE[1:])


@pytest.mark.skipif(not hasattr(os, "O_PATH"), reason="needs O_PATH (Linux); elsewhere such a folder refuses the move, "
                    "listed with why")
def test_a_folder_on_the_way_that_may_be_entered_but_not_listed_is_no_obstacle(open_folder: Path) -> None:
    """A home folder others may pass through but not list (mode 0311 here): reaching every folder
    without a link must not need to list the ones on the way (run unprivileged, even as root)."""
    home = open_folder / "home"
    folder, quarantine_dir = make_folder(home / "transfer"), open_folder / "quarantine"
    give_away(home, *home.rglob("*"))

    def move_and_restore() -> tuple[list[str], list[str]]:
        home.chmod(0o311)  # enter, but not list
        try:
            moved = q.quarantine(folder, plan(TO_MOVE[:1]), quarantine_dir)
            back = q.restore(quarantine_dir, moved.done)
        finally:
            home.chmod(0o755)
        return [i.relative for i in moved.done], [i.relative for i in back.done]

    assert as_unprivileged(move_and_restore) == (TO_MOVE[:1], TO_MOVE[:1])
    assert (folder / TO_MOVE[0]).read_bytes() == FILES[TO_MOVE[0]]
