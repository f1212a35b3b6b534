"""Nothing leaves this computer, proven (docs/setting-up.md, "What photoaudit sends anywhere: nothing").

Each command runs as its own process, as a manager or cron runs it, where every folder a
program may keep its own files in is empty: HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME,
XDG_DATA_HOME, TMPDIR and the folder it is started from. ``ORT_DISABLE_TELEMETRY`` is 0
there and no CI variable is set (ONNX Runtime keeps quiet in CI by itself), so photoaudit
has to switch the telemetry off on its own. The commands: an enrolment, an audit with two
worker processes, a ``check --export``, and an ``audit --cluster`` on a Dask scheduler and
worker started in that same environment, as a group would start them (without
photoaudit's environment). Afterwards those folders hold nothing but the Dask worker's own
scratch folder (docs/setting-up.md lists it), none holds ONNX Runtime's telemetry queue, the setting's
data folder holds nothing new but its state folder, and the photos are untouched.

Where strace can run (``make test`` installs it where it can), each run is traced whole,
every process it starts and the cluster's scheduler and worker too: no socket of the
internet families (the cluster: connections to this computer's loopback only), no DNS
lookup, no file of ONNX Runtime's telemetry opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from nursery import PHOTOS, ROWS, build_transfer, copy_data, write_register
from outside import environment, left_in, own_folders

from photoaudit.media.samples import astronaut

#: What docs/setting-up.md lists as written outside the setting's folders: the Dask worker's own scratch
#: folder, made by Dask when the worker starts (``dask worker --local-directory`` moves it).
DASK_WORKER_OWN = {"tmpdir/dask-scratch-space", "tmpdir/dask-scratch-space/global.lock",
                   "tmpdir/dask-scratch-space/purge.lock"}
TODAY = "2026-11-22"
TWO = {k: PHOTOS[k] for k in ("tablet-1/ava.jpg", "tablet-2/ava-and-sam.jpg")}
SECONDS = 300


def _strace_works() -> str | None:
    """Why strace cannot trace here, or None."""
    if shutil.which("strace") is None:
        return "strace is not installed (make test installs it where it can: as root, with apt-get)"
    probe = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"strace cannot trace processes here ({probe.stderr.strip()[:120]})"
    return None


NO_STRACE = _strace_works()
TRACED = "trace=socket,connect,sendto,sendmsg,openat"


# -- what a trace shows ------------------------------------------------------------------

LOOPBACK = re.compile(r'^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$')
ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')
#: A DNS lookup: the resolver's files and sockets, or anything to port 53.
DNS = re.compile(r'"/etc/resolv\.conf"|nscd/socket|io\.systemd\.Resolve|htons\(53\)')


def network_use(lines: list[str], loopback: bool = False) -> list[str]:
    """The lines of an strace log that use the network: a socket of the internet families
    (``loopback``: only connections elsewhere than this computer), a DNS lookup, or a file
    of ONNX Runtime's telemetry."""
    found = []
    for line in lines:
        if DNS.search(line) or "/DeveloperTools/.onnxruntime" in line:
            found.append(line)
        elif re.search(r"\bsocket\(AF_INET6?,", line) and not loopback:
            found.append(line)
        elif re.search(r"\b(connect|sendto|sendmsg)\(.*sa_family=AF_INET6?\b", line):
            address = next((a or b for a, b in ADDRESS.findall(line)), "")
            if not loopback or not LOOPBACK.match(address):
                found.append(line)
    return found


def test_the_trace_reader_finds_what_onnx_runtime_did() -> None:
    """Lines as strace wrote them for ONNX Runtime 1.32 with its telemetry on, and for a
    Dask worker on this computer's loopback."""
    uploader = ['13663 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 8',
                '13665 openat(AT_FDCWD, "/etc/resolv.conf", O_RDONLY|O_CLOEXEC) = 8',
                '14072 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 8',
                '14072 sendto(8, "\\1\\2", 40, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), '
                'sin_addr=inet_addr("10.255.255.53")}, 16) = 40',
                '9 openat(AT_FDCWD, "/h/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db", O_RDWR) = 3']
    assert network_use(uploader) == uploader
    assert network_use(uploader, loopback=True) == [uploader[1], uploader[3], uploader[4]]
    dask = ['7 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 9',
            '7 connect(9, {sa_family=AF_INET, sin_port=htons(40123), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            '7 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
            'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) <unfinished ...>',
            '8 connect(5, {sa_family=AF_UNIX, sun_path="/tmp/x"}, 110) = 0']
    assert network_use(dask, loopback=True) == [dask[2]]
    assert network_use(dask) == dask[:3]


# -- running a command as a person would, in empty folders ------------------------------

@dataclass(frozen=True)
class Outside:
    """The empty folders one command runs with, and where its traces go."""

    root: Path

    @property
    def cwd(self) -> Path:
        return self.root / "cwd"

    def folders(self) -> dict[str, Path]:
        return own_folders(self.root)

    def env(self) -> dict[str, str]:
        return environment(self.folders(), ORT_DISABLE_TELEMETRY="0", COLUMNS="200")  # photoaudit must switch it off

    def make(self) -> Outside:
        own_folders(self.root)
        for folder in (self.cwd, self.root / "traces"):
            folder.mkdir(parents=True)
        return self

    def left(self) -> set[str]:
        """Everything in those folders now, as paths relative to the root."""
        return {*left_in(self.root), *(p.relative_to(self.root).as_posix() for p in self.cwd.rglob("*"))}

    def queues(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.name in ("onnxruntime.db", "deviceid")]

    def traced(self, name: str, command: list[str]) -> list[str]:
        """``command``, under strace -f where it can run (its log: traces/NAME)."""
        if NO_STRACE:
            return command
        return ["strace", "-f", "-qq", "-s", "200", "-e", TRACED, "-o", str(self.root / "traces" / name), *command]

    def trace(self, name: str) -> list[str]:
        return (self.root / "traces" / name).read_text(encoding="utf-8", errors="replace").splitlines()

    def run(self, name: str, *args: str) -> subprocess.CompletedProcess:
        command = self.traced(name, [sys.executable, "-m", "photoaudit", *args])
        return subprocess.run(command, cwd=self.cwd, env=self.env(), capture_output=True, text=True, timeout=SECONDS)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: (size, modification time in ns)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def new_in_data(before: dict[str, tuple[int, int]], data: Path) -> set[str]:
    """What the command changed or added in the data folder outside its state folder."""
    after = listing(data)
    return {path for path in {*before, *after}
            if before.get(path) != after.get(path) and not path.startswith("state/")}


@dataclass(frozen=True)
class Ran:
    outside: Outside
    done: subprocess.CompletedProcess
    changed_in_data: set[str]
    photos_untouched: bool
    traces: tuple[str, ...]
    loopback: bool = False


def ran(outside: Outside, name: str, data: Path, photos: Path, *args: str) -> Ran:
    """One photoaudit command run in ``outside``'s empty folders."""
    data_before, photos_before = listing(data), listing(photos)
    done = outside.run(name, "--data", str(data), *args)
    return Ran(outside, done, new_in_data(data_before, data), listing(photos) == photos_before, (name,))


@pytest.fixture(scope="module")
def enrolment(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """A new setting's first enrolment: one child, one reference photo."""
    root = tmp_path_factory.mktemp("enrolment")
    data = root / "data"
    data.mkdir()
    write_register(data, {"c01": ROWS["c01"]})
    (data / "faces" / "c01").mkdir(parents=True)
    astronaut().save(data / "faces" / "c01" / "reference-1.jpg", quality=92)
    return ran(Outside(root / "outside").make(), "enrol", data, data / "faces", "enrol")


@pytest.fixture(scope="module")
def local_audit(tmp_path_factory: pytest.TempPathFactory, enrolled: Path) -> Ran:
    """Two new photos audited by two worker processes of this computer."""
    root = tmp_path_factory.mktemp("audit")
    data = copy_data(enrolled, root / "data")
    photos = build_transfer(root / "transfer", TWO)
    return ran(Outside(root / "outside").make(), "audit", data, photos,
               "audit", str(photos), "--jobs", "2", "--today", TODAY, "--json", str(root / "report.json"))


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, enrolled: Path) -> Ran:
    """One photo checked for the display board, and its publishable copy made."""
    root = tmp_path_factory.mktemp("export")
    data = copy_data(enrolled, root / "data")
    photos = build_transfer(root / "transfer", {"tablet-1/ava.jpg": PHOTOS["tablet-1/ava.jpg"]})
    done = ran(Outside(root / "outside").make(), "check", data, photos, "check", "--for", "display",
               "--export", str(root / "ready"), str(photos / "tablet-1" / "ava.jpg"))
    assert [p.name for p in (root / "ready").iterdir()] == ["ava.jpg"], done.done.stdout + done.done.stderr
    return done


def _started(outside: Outside, name: str, command: list[str]) -> subprocess.Popen:
    """A Dask process started as a group would start it, in a session of its own (so it and
    everything it starts can be stopped together)."""
    log = open(outside.root / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(outside.traced(name, command), cwd=outside.cwd, env=outside.env(), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _session(sid: int) -> dict[int, int]:
    """The processes still running in session ``sid``, each with its parent (zombies, left
    to their parent to collect, are not running)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[1])
    return found


def _stop(process: subprocess.Popen) -> None:
    """End the Dask process this test started as Dask ends it, with SIGTERM to the command
    itself (under strace: strace's child, so strace writes its log to the end); after 60 s,
    SIGKILL to whatever is left in its session."""
    running = _session(process.pid)
    top = [pid for pid, parent in running.items() if parent == process.pid] if not NO_STRACE else [process.pid]
    for pid in top:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (process.poll() is None or _session(process.pid)):
        time.sleep(0.2)
    for pid in _session(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def _registered(outside: Outside, worker: subprocess.Popen) -> None:
    """Wait until the worker has joined its scheduler (its log says so)."""
    log = outside.root / "worker.log"
    deadline = time.monotonic() + SECONDS
    while "Registered to" not in log.read_text(encoding="utf-8", errors="replace"):
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster_audit(tmp_path_factory: pytest.TempPathFactory, enrolled: Path) -> Ran:
    """Two new photos audited on a Dask scheduler and worker started in the same empty
    folders, on this computer's loopback, without photoaudit's environment."""
    root = tmp_path_factory.mktemp("cluster")
    data = copy_data(enrolled, root / "data")
    photos = build_transfer(root / "transfer", TWO)
    outside = Outside(root / "outside").make()
    where = root / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    scheduler = _started(outside, "scheduler", [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                                "--dashboard-address", ":0", "--scheduler-file", str(where)])
    worker = None
    try:
        deadline = time.monotonic() + SECONDS
        while not (where.is_file() and where.read_text(encoding="utf-8").strip()) and time.monotonic() < deadline:
            assert scheduler.poll() is None, (root / "scheduler.log").read_text(encoding="utf-8")
            time.sleep(0.2)
        address = json.loads(where.read_text(encoding="utf-8"))["address"]
        worker = _started(outside, "worker", [*dask, "worker", address, "--host", "127.0.0.1", "--nworkers", "1",
                                              "--nthreads", "1", "--no-dashboard"])
        _registered(outside, worker)
        done = ran(outside, "audit", data, photos, "audit", str(photos), "--cluster", address, "--today", TODAY,
                   "--json", str(root / "report.json"))
    finally:
        for process in (worker, scheduler):
            if process is not None:
                _stop(process)
    assert f"New photos are checked on the Dask cluster at {address}" in done.done.stdout, done.done.stderr
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    assert report["cache"] == {"examined": 2, "reused": 0}  # examined on the worker, none here
    return Ran(outside, done.done, done.changed_in_data, done.photos_untouched,
               ("scheduler", "worker", "audit"), loopback=True)


RUNS = ["enrolment", "local_audit", "export", "cluster_audit"]


@pytest.mark.parametrize("run", RUNS)
def test_nothing_is_written_outside_the_settings_folders(run: str, request: pytest.FixtureRequest) -> None:
    done: Ran = request.getfixturevalue(run)
    assert done.done.returncode in (0, 1), done.done.stdout + done.done.stderr
    assert done.outside.queues() == []  # no telemetry queue or device id of ONNX Runtime
    allowed = DASK_WORKER_OWN if run == "cluster_audit" else set()
    assert done.outside.left() - allowed == set()
    assert done.changed_in_data == set()  # in the data folder, only the state folder changed
    assert done.photos_untouched


@pytest.mark.skipif(NO_STRACE is not None, reason=NO_STRACE or "")
@pytest.mark.parametrize("run", RUNS)
def test_nothing_goes_on_the_network(run: str, request: pytest.FixtureRequest) -> None:
    done: Ran = request.getfixturevalue(run)
    for name in done.traces:
        lines = done.outside.trace(name)
        assert any("openat(" in line for line in lines), f"{name}: nothing traced"
        assert network_use(lines, loopback=done.loopback) == [], name
    if done.loopback:  # the cluster was reached, over the loopback only
        assert any(re.search(r'connect\(.*inet_addr\("127\.0\.0\.1"\)', line) for line in done.outside.trace("audit"))
