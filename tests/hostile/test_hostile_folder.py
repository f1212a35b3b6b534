"""Issue 13 "Must show": audit, --apply, restore and purge over a hostile transfer folder
(tests/hostile/hostile_folder.py). Every photo is present exactly once with its content
unchanged after each step, and every file in the folder has a row or a listed skip reason.

The commands run as separate processes with a time limit: a named pipe or a link to
/dev/zero must never make photoaudit wait for ever.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_folder import FIFO, LINKS, NOT_UTF8, OTHERS, PHOTOS, SKIPPED, build, everything, raw
from nursery import copy_data, enrolled_template, review_far_ahead, shared

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX links and named pipes")

TODAY = "2026-11-22"
DELETE = {rel for rel, (who, _) in PHOTOS.items() if who == ("c03",)} | {"Thumbs.db"}


@pytest.fixture(scope="session")
def enrolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared("enrolled", tmp_path_factory, enrolled_template)


def run(data: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "photoaudit", "--data", str(data), *args]
    return subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(*folders: Path) -> list[str]:
    """The hash of every regular file (links and pipes left alone) under these folders."""
    found = []
    for folder in folders:
        for top, _, files in os.walk(folder):
            for name in files:
                path = Path(top) / name
                if path.is_file() and not path.is_symlink() and name != "manifest.jsonl":
                    found.append(sha(path))
    return found


def exact(entry: dict) -> bytes:
    """The exact bytes of a report entry's path (path_hex for names that are not UTF-8)."""
    return bytes.fromhex(entry["path_hex"]) if entry.get("path_hex") else entry["path"].encode("utf-8")


@pytest.fixture
def hostile(tmp_path: Path, enrolled: Path) -> tuple[Path, Path, Path, dict[str, str]]:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build(tmp_path / "transfer", tmp_path / "outside")
    photos = {rel: sha(folder / rel) for rel in [*PHOTOS, *OTHERS, *SKIPPED]}  # every regular file
    return data, folder, tmp_path, photos


def links_untouched(folder: Path, tmp_path: Path) -> None:
    for name in LINKS:
        assert (folder / name).is_symlink(), name
    assert os.readlink(folder / "zero.jpg") == "/dev/zero"
    assert (folder / FIFO).is_fifo()
    assert (tmp_path / "outside" / "elsewhere.jpg").is_file()


def test_audit_gives_every_file_a_row_or_a_skip_reason(hostile) -> None:  # noqa: ANN001
    data, folder, tmp_path, photos = hostile
    out = tmp_path / "reports"
    out.mkdir()
    done = run(data, "audit", str(folder), "--today", TODAY, "--jobs", "2", "--json", str(out / "r.json"),
               "--csv", str(out / "r.csv"), "--html", str(out / "r.html"))
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    report = json.loads((out / "r.json").read_text(encoding="utf-8"))
    rows = {exact(i): i for i in report["images"]}
    skipped = {exact(s): s for s in report["skipped"]}
    names = {raw(rel) for rel, what in everything(folder).items() if what != "dir"} | {b"linked-folder"}
    assert names == set(rows) | set(skipped)
    assert not set(rows) & set(skipped)
    assert set(skipped) == {raw(rel) for rel in SKIPPED} and report["summary"]["skipped"] == len(SKIPPED)
    for rel in PHOTOS:
        row = rows[raw(rel)]
        assert row["sha256"] == photos[rel] and row["entry"] == "file"
        assert row["action"] == ("delete" if rel in DELETE else "keep"), rel
    assert rows[b"Thumbs.db"]["action"] == "delete" and rows[b"Thumbs.db"]["entry"] == "thumbnail_cache"
    for name in LINKS:
        row = rows[name.encode()]
        assert row["entry"] == "link" and row["sha256"] is None and row["action"] == "review"
        assert "a link, not a photo: check what it points to" in " ".join(row["reasons"])
    assert rows[FIFO.encode()]["entry"] == "fifo" and rows[FIFO.encode()]["action"] == "review"
    odd = rows[raw(NOT_UTF8)]
    assert odd["path"] == "x_\\xff\\xfe.jpg" and odd["path_hex"] == raw(NOT_UTF8).hex()
    csv_text = (out / "r.csv").read_text(encoding="utf-8-sig")
    assert "x_\\xff\\xfe.jpg" in csv_text and "._ava.jpg" in csv_text and "skipped" in csv_text
    html_text = (out / "r.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html_text and "skipped" in html_text
    # the manager's view finishes too, names printed as they are
    shown = run(data, "audit", str(folder), "--today", TODAY, "--jobs", "2")
    assert shown.returncode == 1, shown.stderr.decode(errors="replace")
    text = shown.stdout.decode("utf-8")
    assert "[bold red]x.jpg" in text and r"x_\xff\xfe.jpg" in text and "3 file(s) skipped" in text
    assert sorted(contents(folder)) == sorted(photos.values())  # nothing changed
    links_untouched(folder, tmp_path)


def test_apply_restore_and_purge_keep_every_photo_exactly_once(hostile) -> None:  # noqa: ANN001
    data, folder, tmp_path, photos = hostile
    quarantine = data / "quarantine"
    everyone = sorted(photos.values())
    review_far_ahead(data)  # --apply runs on the real day

    applied = run(data, "audit", str(folder), "--jobs", "2", "--apply", "-q")
    assert applied.returncode == 1, applied.stderr.decode(errors="replace")
    assert "quarantined=" in applied.stdout.decode()
    assert sorted(contents(folder, quarantine)) == everyone  # each exactly once, unchanged
    left = {rel for rel in photos if (folder / rel).is_file()}
    assert left == set(photos) - DELETE, applied.stdout.decode()
    links_untouched(folder, tmp_path)

    restored = run(data, "restore", "--all")
    assert restored.returncode == 0, restored.stdout.decode(errors="replace")
    assert sorted(contents(folder, quarantine)) == everyone
    assert {rel: sha(folder / rel) for rel in photos} == photos  # back where they were, unchanged
    links_untouched(folder, tmp_path)

    again = run(data, "audit", str(folder), "--jobs", "2", "--apply", "-q")
    assert again.returncode == 1
    purged = run(data, "purge", "--older-than", "0h", "--yes")
    assert purged.returncode == 0, purged.stdout.decode(errors="replace")
    kept = {rel: h for rel, h in photos.items() if rel not in DELETE}
    assert sorted(contents(folder, quarantine)) == sorted(kept.values())
    assert {rel: sha(folder / rel) for rel in kept} == kept
    links_untouched(folder, tmp_path)
