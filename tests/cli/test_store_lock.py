"""Issue 13, item 5: `enrol` (and every command that enrols) takes the store lock that
`forget` takes, so an erasure is never undone by an enrolment running at the same time.

The race is made deterministic: a child process enrols and stops in the middle (after the
first reference photo), while the test runs `forget`; then the other way round.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from review_setting import make_setting
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.store import lock
from photoaudit.store.database import Store

runner = CliRunner()

ENROL_AND_PAUSE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from photoaudit.core.settings import Settings
    from photoaudit.operations.workflow import prepare

    paused = []

    def progress(what):
        if not paused:  # in the middle of enrolling: say so, and wait to be told to go on
            paused.append(what)
            print("enrolling", flush=True)
            sys.stdin.readline()

    prepare(Settings(data_dir=Path(sys.argv[1])), force_enrol=True, progress=progress)
    print("enrolled", flush=True)
    """
)


def forget(root: Path, child_id: str):  # noqa: ANN201
    (root / "photoaudit.toml").write_text("")
    return runner.invoke(app, ["--config", str(root / "photoaudit.toml"), "--data", str(root / "data"),
                               "forget", child_id], env={"COLUMNS": "400"})


def has_templates(root: Path, child_id: str) -> bool:
    with Store(root / "data" / "state") as store:
        return child_id in store.stored_child_ids()


def test_forget_during_an_enrolment_is_refused_and_the_erasure_is_never_undone(tmp_path: Path) -> None:
    make_setting(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", ENROL_AND_PAUSE, str(tmp_path / "data")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "enrolling"
        raced = forget(tmp_path, "c01")
        assert raced.exit_code == 3, raced.output  # already running: nothing erased, nothing claimed
        assert "Erased" not in raced.output
    finally:
        child.stdin.write("\n")
        child.stdin.close()
        assert child.stdout.readline().strip() == "enrolled"
        child.wait(timeout=120)
    assert child.returncode == 0
    assert has_templates(tmp_path, "c01")
    done = forget(tmp_path, "c01")
    assert done.exit_code == 0, done.output
    assert not has_templates(tmp_path, "c01")


def test_an_enrolment_during_forget_is_refused(tmp_path: Path) -> None:
    make_setting(tmp_path)
    state = tmp_path / "data" / "state"
    held = lock.acquire_every(state, "the face data")  # as forget holds them while it erases
    try:
        (tmp_path / "photoaudit.toml").write_text("")
        result = runner.invoke(app, ["--config", str(tmp_path / "photoaudit.toml"), "--data",
                                     str(tmp_path / "data"), "enrol"], env={"COLUMNS": "400"})
        assert result.exit_code == 3, result.output
    finally:
        for one in held:
            one.release()
    with Store(state) as store:
        assert store.stored_child_ids() == set()


def test_store_lock_is_shared_between_runs_but_not_with_forget(tmp_path: Path) -> None:
    one = lock.acquire_store_shared(tmp_path)
    two = lock.acquire_store_shared(tmp_path)  # two audits (or an audit and an enrolment) side by side
    with pytest.raises(lock.AlreadyRunning):
        lock.acquire_every(tmp_path, "the face data")
    one.release()
    two.release()
    held = lock.acquire_every(tmp_path, "the face data")
    with pytest.raises(lock.AlreadyRunning):
        lock.acquire_store_shared(tmp_path)
    for h in held:
        h.release()


def test_check_which_can_enrol_is_refused_during_forget(tmp_path: Path) -> None:
    make_setting(tmp_path)
    photo = tmp_path / "transfer" / "a.jpg"
    from review_setting import ava_alone

    ava_alone(photo)
    held = lock.acquire_every(tmp_path / "data" / "state", "the face data")
    try:
        (tmp_path / "photoaudit.toml").write_text("")
        result = runner.invoke(app, ["--config", str(tmp_path / "photoaudit.toml"), "--data", str(tmp_path / "data"),
                                     "check", "--for", "website", str(photo)], env={"COLUMNS": "400"})
        assert result.exit_code == 3, result.output
    finally:
        for one in held:
            one.release()
