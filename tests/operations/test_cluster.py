"""The examination on a Dask cluster (photoaudit.operations.cluster), on a real LocalCluster.

Two worker processes with one thread each, as docs/groups.md "Checking a whole archive on a
cluster" tells a group to start them. The photos are the small nursery of
tests/nursery.py (public-domain faces, never real children). Every cluster is closed
after its tests, and the variables Dask's Nanny writes into this process's environment
for its workers are put back, so no later test sees them.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster
from nursery import PHOTOS, build_transfer, copy_data, settings_for
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.errors import CannotRun
from photoaudit.core.models import Action, FaceStatus
from photoaudit.core.report_shape import verdict_json
from photoaudit.core.settings import ClusterSettings, VideoSettings
from photoaudit.faces.detectors import detector_class
from photoaudit.faces.engine import EngineSettings, FaceEngine
from photoaudit.media.sources import walk
from photoaudit.operations import cluster as cluster_module
from photoaudit.operations.cluster import (
    EXTRA_MISSING,
    ClusterExaminer,
    ClusterOptions,
    WorkerMismatch,
    check_worker,
    cluster_options,
    examine_on_worker,
    worker_identity,
)
from photoaudit.operations.examine import examine
from photoaudit.operations.incremental import examine_key
from photoaudit.operations.parallel import WORKER_STOPPED
from photoaudit.operations.workflow import audit, prepare
from photoaudit.store.database import Store

TODAY = date(2026, 11, 22)
#: What docs/groups.md tells a group to start its workers with: one thread per core.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
#: Generous: a LocalCluster on a busy 2-core machine can take a while to start.
START_SECONDS = 180
THREE = {k: PHOTOS[k] for k in ("tablet-1/ava.jpg", "tablet-1/grace.jpg", "tablet-2/sam.jpg")}


@contextmanager
def local_cluster(env: dict[str, str] | None = None, allowed_failures: int | None = None,
                  profiler: bool = False, workers: int = 2, threads: int = 1) -> Iterator[str]:
    """A LocalCluster of ``workers`` processes of ``threads`` threads (2 of 1 by default, and
    Dask's profiler off unless ``profiler``: as docs/groups.md says to start them); yields its
    scheduler's address."""
    saved = dict(os.environ)  # the Nanny sets its workers' variables in this process too
    config: dict[str, object] = {"distributed.comm.timeouts.connect": f"{START_SECONDS}s",
                                 "distributed.worker.profile.enabled": profiler}
    if allowed_failures is not None:
        config["distributed.scheduler.allowed-failures"] = allowed_failures
    try:
        with dask.config.set(config):
            cluster = LocalCluster(n_workers=workers, processes=True, threads_per_worker=threads,
                                   dashboard_address=":0",
                                   env={**WORKER_ENVIRONMENT, **(env or {})}, silence_logs=logging.ERROR)
        os.environ.clear()  # at once, for the tests that use it too (a restarted worker sets them again)
        os.environ.update(saved)
        try:
            with Client(cluster, set_as_default=False) as client:
                client.wait_for_workers(workers, timeout=START_SECONDS)
            yield cluster.scheduler_address
        finally:
            cluster.close(timeout=START_SECONDS)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with local_cluster() as where:
        yield where


def options(address: str, **changes: object) -> ClusterOptions:
    return replace(ClusterOptions(address, connect_seconds=START_SECONDS, workers_seconds=START_SECONDS), **changes)


def audit_with(data: Path, folder: Path, examiner=None, on_file=None):  # noqa: ANN001, ANN201
    return audit(folder, prepare(settings_for(data), EngineSettings()), TODAY, on_file=on_file, examiner=examiner)


def on_cluster(data: Path, folder: Path, where: ClusterOptions, on_file=None,  # noqa: ANN001, ANN201
               notes: list | None = None):
    with ClusterExaminer.connect(where, EngineSettings()) as examiner:
        said = examiner.check(folder)
        if notes is not None:
            notes.extend(said)
        else:
            assert said == []  # workers started as docs/groups.md says: nothing to say
        return audit_with(data, folder, examiner, on_file)


def report(result) -> list[dict]:  # noqa: ANN001
    """Every verdict as the JSON report writes it: faces, boxes, matches, uses, reasons."""
    return [verdict_json(v) for v in sorted(result.verdicts, key=lambda v: v.path)]


def stored_faces(data: Path, result) -> dict[str, list]:  # noqa: ANN001
    """What the private store kept of each photo: boxes, confidences and templates."""
    with Store(data / "state") as store:
        return {path: [(f.box, f.confidence, None if f.template is None else f.template.tobytes())
                       for f in store.faces(sha256, examine_key(EngineSettings()))]
                for path, sha256 in result.hashes.items()}


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, enrolled: Path) -> tuple:
    """The nursery's transfer folder audited by this computer: (data, folder, result)."""
    root = tmp_path_factory.mktemp("local")
    data = copy_data(enrolled, root / "data")
    folder = build_transfer(root / "transfer")
    return data, folder, audit_with(data, folder)


@pytest.mark.parametrize("send_bytes", [False, True], ids=["workers read the folder", "bytes sent"])
def test_a_cluster_audit_gives_the_same_report_as_a_local_one(
    tmp_path: Path, enrolled: Path, address: str, local: tuple, send_bytes: bool
) -> None:
    local_data, folder, expected = local
    data = copy_data(enrolled, tmp_path / "data")  # the same photos, a store of its own
    result = on_cluster(data, folder, options(address, send_bytes=send_bytes))
    assert result.cache == {"examined": len(PHOTOS), "reused": 0}
    assert report(result) == report(expected)
    assert stored_faces(data, result) == stored_faces(local_data, expected)  # templates to the bit
    assert {v.path: tuple(f.child_id for f in v.faces if f.status is FaceStatus.MATCHED)
            for v in result.verdicts}["tablet-2/ava-and-sam.jpg"] == ("c01", "c03")
    again = on_cluster(data, folder, options(address, send_bytes=send_bytes))
    assert again.cache == {"examined": 0, "reused": len(PHOTOS)}  # stored here, once
    assert report(again) == report(expected)


def test_a_cluster_audit_of_a_relative_folder_gives_the_same_report(
    tmp_path: Path, enrolled: Path, address: str, local: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cd setting && photoaudit audit week --cluster ...``: the workers do not share this
    process's working folder, so a relative path must not reach them as it is (issue 24)."""
    data = copy_data(enrolled, tmp_path / "data")
    build_transfer(tmp_path / "week")
    monkeypatch.chdir(tmp_path)
    result = on_cluster(data, Path("week"), options(address))
    assert result.cache == {"examined": len(PHOTOS), "reused": 0}
    assert not [v.path for v in result.verdicts if "no longer there" in " ".join(v.reasons)]
    assert report(result) == report(local[2])


def test_a_worker_examines_the_bytes_it_is_sent_not_the_path(tmp_path: Path) -> None:
    folder = build_transfer(tmp_path / "transfer", THREE)
    media = next(m for m in walk(folder).files if m.relative == "tablet-1/ava.jpg")
    engine = FaceEngine(EngineSettings())
    expected = examine(media, engine)
    gone = replace(media, path=tmp_path / "nowhere" / "ava.jpg")  # no such file on this "worker"
    before = set(Path(tempfile.gettempdir()).glob("photoaudit-*"))
    found = examine_on_worker(gone, EngineSettings(detector=engine.detector), VideoSettings(),
                              media.path.read_bytes(), worker_identity())
    assert [(f.box, f.confidence) for f in found.faces] == [(f.box, f.confidence) for f in expected.faces]
    assert all(np.array_equal(a.template, b.template) for a, b in zip(found.faces, expected.faces, strict=True))
    assert found.meta.camera == expected.meta.camera and found.problem is None
    assert set(Path(tempfile.gettempdir()).glob("photoaudit-*")) == before  # its copy is removed


def test_a_worker_that_dies_mid_photo_gets_it_retried_and_reported_once(tmp_path: Path, enrolled: Path) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build_transfer(tmp_path / "transfer", THREE)
    attempts = tmp_path / "attempts"  # the hook adds a line per attempt and kills only the first
    rows: Counter[str] = Counter()
    env = {"PHOTOAUDIT_TEST_WORKER_CRASH": "tablet-1/grace.jpg", "PHOTOAUDIT_TEST_WORKER_CRASH_ONCE": str(attempts)}
    notes: list[str] = []
    with local_cluster(env, profiler=True) as where:  # Dask's own retry: allowed-failures as it comes (3)
        result = on_cluster(data, folder, options(where), on_file=lambda media: rows.update([media.relative]),
                            notes=notes)
    assert notes == [cluster_module.PROFILER_NOTE.format(count=2)]  # Dask's default: said, not refused
    tried = attempts.read_text().split()
    assert len(tried) == 2 and tried[0] != tried[1]  # died in one worker process, done in another
    assert rows == {relative: 1 for relative in THREE}  # every photo reported once
    assert result.cache == {"examined": 3, "reused": 0}
    grace = {v.path: v for v in result.verdicts}["tablet-1/grace.jpg"]
    assert [f.child_id for f in grace.faces] == ["c02"] and not grace.reasons[0].startswith("photoaudit stopped")
    with Store(data / "state") as store:  # stored once, as found
        assert len(store.faces(result.hashes["tablet-1/grace.jpg"], examine_key(EngineSettings()))) == 1


def test_a_photo_that_keeps_killing_its_worker_is_for_a_person_and_the_others_are_checked(
    tmp_path: Path, enrolled: Path
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build_transfer(tmp_path / "transfer")
    rows: Counter[str] = Counter()
    # Workers with two threads each: a photo in flight with Ava's (the first) sits on her worker,
    # waiting its turn (one photo at a time per process), and Dask gives up on both at the first
    # death (allowed-failures 0). Two workers: the others are checked while hers restarts.
    crash = {"PHOTOAUDIT_TEST_WORKER_CRASH": "tablet-1/ava.jpg"}
    with local_cluster(crash, allowed_failures=0, threads=2) as where:
        result = on_cluster(data, folder, options(where), on_file=lambda media: rows.update([media.relative]))
    assert rows == {relative: 1 for relative in PHOTOS}
    verdicts = {v.path: v for v in result.verdicts}
    assert verdicts["tablet-1/ava.jpg"].action is Action.REVIEW  # fails closed
    assert WORKER_STOPPED in verdicts["tablet-1/ava.jpg"].reasons[0]
    # a photo that only shared the dying worker was tried again alone, and checked
    assert [f.child_id for f in verdicts["tablet-1/grace.jpg"].faces] == ["c02"]
    assert [f.child_id for f in verdicts["tablet-2/sam.jpg"].faces] == ["c03"]
    assert sum(WORKER_STOPPED in v.reasons[0] for v in result.verdicts if v.reasons) == 1
    again = audit_with(data, folder)  # the problem was not stored: examined afresh here
    assert again.cache == {"examined": 1, "reused": len(PHOTOS) - 1}
    assert [f.child_id for f in {v.path: v for v in again.verdicts}["tablet-1/ava.jpg"].faces] == ["c01"]


def test_workers_that_cannot_see_the_folder_cannot_run(tmp_path: Path, address: str) -> None:
    hidden = tmp_path / "only-here"
    hidden.mkdir()
    with ClusterExaminer.connect(options(address), EngineSettings()) as examiner:
        assert "2 workers" in examiner.describe()
        assert examiner.check(hidden) == []  # LocalCluster's workers see this computer's folders
        with pytest.raises(CannotRun, match="cannot see the folder .*--cluster-send-bytes"):
            examiner.check(tmp_path / "not-on-the-workers")
    with ClusterExaminer.connect(options(address, send_bytes=True), EngineSettings()) as examiner:
        examiner.check(tmp_path / "not-on-the-workers")  # the photos are sent: no need to see them


def test_workers_of_another_photoaudit_version_cannot_run(
    tmp_path: Path, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "install the same version on every worker" in check_worker("0.0.1 (examine 1)", EngineSettings(), None)
    assert check_worker(worker_identity(), EngineSettings(), str(tmp_path)) is None
    hog = detector_class("hog")
    monkeypatch.setattr(hog, "available", classmethod(lambda cls: False))  # as on a worker without it
    assert check_worker(worker_identity(), EngineSettings(detector="hog"), None) == (
        "the hog face detector cannot run there: dlib is not installed (package dlib-bin)")
    monkeypatch.undo()
    with pytest.raises(WorkerMismatch):
        examine_on_worker(None, EngineSettings(), VideoSettings(), None, "0.0.1 (examine 1)")  # type: ignore[arg-type]
    folder = build_transfer(tmp_path / "transfer", {"tablet-1/ava.jpg": PHOTOS["tablet-1/ava.jpg"]})
    monkeypatch.setattr(cluster_module, "worker_identity", lambda: "0.0.1 (examine 1)")  # this side only
    with ClusterExaminer.connect(options(address), EngineSettings()) as examiner:
        with pytest.raises(CannotRun, match="photoaudit 0.1"):
            examiner.check(folder)
        with pytest.raises(CannotRun, match="install the same version on every worker"):
            examiner.examine_all(walk(folder).files, lambda media, found: pytest.fail("nothing is reported"))


def test_a_worker_knows_dasks_own_allocator_setting_from_the_users() -> None:
    # keep_freed_memory() leaves a user's MALLOC_ settings alone; Dask's Nanny sets this one
    # for every worker, so a worker passes Dask's values as not the user's (tests/test_detection_speedups.py)
    assert cluster_module._dask_environment()["MALLOC_TRIM_THRESHOLD_"] == "65536"


def test_an_unreachable_cluster_cannot_run() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CannotRun, match=f"Could not reach the Dask cluster at tcp://127.0.0.1:{port}"):
        with ClusterExaminer.connect(ClusterOptions(f"tcp://127.0.0.1:{port}", connect_seconds=2), EngineSettings()):
            pass


def test_where_the_photos_are_examined_comes_from_the_command_line_then_photoaudit_toml() -> None:
    configured = ClusterSettings("tcp://10.0.0.5:8786", send_bytes=True)
    assert cluster_options(ClusterSettings()) is None  # this computer, by default
    assert cluster_options(configured) == ClusterOptions("tcp://10.0.0.5:8786", send_bytes=True)
    assert cluster_options(configured, "tcp://10.0.0.9:8786").address == "tcp://10.0.0.9:8786"
    assert cluster_options(ClusterSettings(), "tcp://h:1", send_bytes=True).send_bytes
    with pytest.raises(CannotRun, match="--jobs .*Leave out --jobs, or leave out the cluster"):
        cluster_options(configured, jobs=2)
    with pytest.raises(CannotRun, match="no cluster was given"):
        cluster_options(ClusterSettings(), send_bytes=True)


def test_without_the_cluster_extra_the_option_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enrolled: Path
) -> None:
    data = copy_data(enrolled, tmp_path / "data")
    folder = build_transfer(tmp_path / "transfer", {"tablet-1/ava.jpg": PHOTOS["tablet-1/ava.jpg"]})
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails, as without the extra
    result = CliRunner().invoke(app, ["--data", str(data), "audit", str(folder), "--cluster", "tcp://10.0.0.5:8786"],
                                env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert "pip install 'photoaudit[cluster]'" in " ".join(result.output.split())
    assert EXTRA_MISSING.split(":")[0] in " ".join(result.output.split())
    assert not (data / "state" / "reports").exists() or not any((data / "state" / "reports").iterdir())


def test_the_command_audits_on_the_cluster_in_photoaudit_toml(tmp_path: Path, enrolled: Path, address: str,
                                                               local: tuple) -> None:
    _, local_folder, expected = local
    data = copy_data(enrolled, tmp_path / "data")
    config = tmp_path / "photoaudit.toml"
    config.write_text(f'[setting]\ndata = "data"\n\n[cluster]\naddress = "{address}"\n', encoding="utf-8")
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "photoaudit", "--config", str(config), "audit", str(local_folder),
               "--today", TODAY.isoformat(), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "400"})
    assert done.returncode == expected.exit_code, done.stdout + done.stderr
    assert f"New photos are checked on the Dask cluster at {address} (2 workers)" in done.stdout
    logged = (data / "state" / "photoaudit.log").read_text(encoding="utf-8")
    assert f"New photos are checked on the Dask cluster at {address}" in logged
    images = json.loads(out.read_text())["images"]
    same = ("path", "action", "purposes", "journeys", "faces")  # the reasons' hints name this run's options
    assert [{k: image[k] for k in same} for image in sorted(images, key=lambda i: i["path"])] == [
        {k: verdict[k] for k in same} for verdict in report(expected)]
    jobs = subprocess.run(command + ["--jobs", "2"], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "400"})
    assert jobs.returncode == 2 and "Leave out --jobs" in " ".join(jobs.stderr.split())


def test_a_cluster_without_workers_cannot_run() -> None:
    saved = dict(os.environ)
    try:
        with LocalCluster(n_workers=0, processes=True, dashboard_address=":0", silence_logs=logging.ERROR) as empty:
            with pytest.raises(CannotRun, match="has no workers .*Start its workers"):
                with ClusterExaminer.connect(ClusterOptions(empty.scheduler_address, workers_seconds=1),
                                             EngineSettings()):
                    pass
            with Client(empty, set_as_default=False) as client:  # workers gone while photos wait
                with pytest.raises(CannotRun, match="has no workers any more"):
                    examiner = ClusterExaminer(client, ClusterOptions(empty.scheduler_address), EngineSettings())
                    examiner._still_has_workers()
    finally:
        os.environ.clear()
        os.environ.update(saved)
