"""The speed and recall benchmark: photoaudit against the face_recognition CLI.

``make bench`` (or ``python -m bench.run``) does, in one run on one corpus:

1. writes (or reuses) the corpus of :mod:`bench.corpus` in ``bench/out/corpus``
   and a setting whose register and reference photos enrol its three "children";
2. in each of ``--repeats`` rounds, times on the same JPEG photos a first
   ``photoaudit audit`` with its default ``--jobs`` (one worker per core; the
   children enrolled, nothing stored about any photo: a fresh ``--state`` folder,
   a copy of the one enrolment made), a re-audit of the unchanged folder (the
   incremental store), and ``face_recognition --cpus 2 known/ unknown/``; then a
   first audit (fresh state again) and re-audit of the HEIC photos (which the CLI
   cannot read), ``photoaudit check`` of one photo with cold start, and a first
   audit and re-audit of a week-sized folder (``--week-photos``, default 240 more
   JPEGs: on 24 photos a re-audit is mostly the fixed start-up, while a setting's
   week is hundreds of photos);
3. scores detection recall by photo kind and face size, and identification,
   for photoaudit (from its JSON report) and for the CLI (from
   :mod:`bench.cli_reference`, checked against the CLI's own output);
4. prints the table, saves ``bench/out/results.json`` and, with
   ``--write-docs``, puts the table into docs/benchmarks.md.

Photos per second and ratios are medians over rounds; each ratio is taken
within a round, so a noisy neighbour slows both sides alike. Peak memory is
read from /proc for the command's whole process tree (the parent and every
worker) every 50 ms: the largest sum of resident memory (RSS; pages shared
between processes count once per process, so it errs high) and the largest sum
of proportional set size (PSS; shared pages divided among their sharers).
A peak shorter than 50 ms can be missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from .corpus import (
    BANDS,
    IDENTITIES,
    KINDS,
    PhotoTruth,
    band_of,
    ensure_corpus,
    ensure_week,
    source_picture,
)
from .scoring import (
    FOUND_RIGHT,
    FOUND_UNSURE,
    FOUND_WRONG,
    MISSED,
    Detection,
    Score,
    from_trbl,
    stored_to_upright,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TODAY = "2026-10-01"
DOC_BEGIN = "<!-- bench:begin (written by bench/run.py; do not edit by hand) -->"
DOC_END = "<!-- bench:end -->"

REGISTER_HEADER = (
    "child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
    "social_media,face_matching,consent_review_due"
)


# -- running and measuring commands --------------------------------------------
@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system time of the whole process tree
    peak_tree_mb: float  # largest sum of RSS over the process tree
    peak_tree_pss_mb: float  # largest sum of PSS over the process tree
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _pss_bytes(pid: int) -> int:
    """Proportional set size: resident pages, shared ones divided among their sharers (Linux)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def measure(command: list[str], timeout: float, cwd: Path | None = None) -> Measured:
    """Run ``command``, returning its wall time, output and peak process-tree memory."""
    peak = peak_pss = 0
    done = threading.Event()
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    seen_cpu: dict[int, float] = {}

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            tree = _tree(proc.pid)
            peak = max(peak, sum(_rss_bytes(p) for p in tree))
            peak_pss = max(peak_pss, sum(_pss_bytes(p) for p in tree))
            for p in tree:
                seen_cpu[p] = max(seen_cpu.get(p, 0.0), _cpu_seconds(p))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sys.platform.startswith("linux"):
        sampler.start()
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if sampler.is_alive():
        sampler.join()
    # Worker processes that their parent does not wait for (a forkserver's) are
    # missing from the rusage of children; the sampled sum catches them.
    cpu = max(_children_cpu() - cpu_before, sum(seen_cpu.values()))
    return Measured(seconds, cpu, peak / 2**20, peak_pss / 2**20, proc.returncode, stdout, stderr, timed_out)


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no CPU times
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def photoaudit(*args: str) -> list[str]:
    return [str(BIN / "photoaudit"), *args]


def has_command(name: str) -> bool:
    return subprocess.run(photoaudit(name, "--help"), capture_output=True).returncode == 0


def audit_option(option: str) -> bool:
    return option in subprocess.run(photoaudit("audit", "--help"), capture_output=True, text=True).stdout


# -- the setting: register, reference photos, the CLI's known people -------------
def make_setting(out: Path) -> tuple[Path, Path]:
    """A register with the corpus's three children, their reference photos, and the CLI's known/."""
    data, known = out / "setting", out / "known"
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(known, ignore_errors=True)
    known.mkdir(parents=True)
    rows = [REGISTER_HEADER]
    for child_id, identity in sorted(IDENTITIES.items()):
        rows.append(f"{child_id},{identity.name},Room,attending,,yes,yes,yes,yes,yes,yes,2030-09-01")
        picture = source_picture(child_id)
        if picture.width < 1000:  # the cameraman's face is too small in his picture to enrol
            picture = picture.resize((picture.width * 2, picture.height * 2), Image.Resampling.LANCZOS)
        (data / "faces" / child_id).mkdir(parents=True)
        picture.save(data / "faces" / child_id / "reference.jpg", quality=92)
        picture.save(known / f"{child_id}.jpg", quality=92)  # the same photo for the CLI
    (data / "children.csv").write_text("\n".join(rows) + "\n")
    return data, known


def fresh_state(snapshot: Path) -> Path:
    """A new state folder in a temporary directory, holding just the enrolment.

    The children's templates and nothing about any photo, so no audit of one round
    (or of the JPEGs) can leave anything in the store for another to find.
    """
    state = Path(tempfile.mkdtemp(prefix="photoaudit-bench-")) / "state"
    shutil.copytree(snapshot, state)
    return state


# -- reading results --------------------------------------------------------------
def photoaudit_detections(report: Path, folder_name: str) -> dict[str, list[Detection]]:
    """Faces per photo (keyed 'jpeg/IMG_0001.jpg') from a JSON report."""
    found: dict[str, list[Detection]] = {}
    for image in json.loads(report.read_text())["images"]:
        faces = []
        for face in image["faces"]:
            if face["status"] == "matched":
                named = (face["child_id"],)
            elif face["status"] == "ambiguous":
                named = tuple(c["child_id"] for c in face["candidates"])
            else:
                named = ()
            faces.append(Detection(from_trbl(face["box"]), named))
        found[f"{folder_name}/{Path(image['path']).name}"] = faces
    return found


def same_faces(first: Path, again: Path) -> bool:
    """Whether a re-audit's report has the same faces, boxes and names as the first audit's."""
    def faces(report: Path) -> dict[str, list[Detection]]:
        return {k: sorted(v, key=lambda d: d.box) for k, v in photoaudit_detections(report, "").items()}
    return faces(first) == faces(again)


def cli_lines(stdout: str) -> dict[str, list[str]]:
    """The CLI's output: per photo file name, its printed names in order."""
    names: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        if "," in line and not line.startswith("WARNING"):
            path, name = line.rsplit(",", 1)
            names.setdefault(os.path.basename(path), []).append(name)
    return names


def cli_detections(reference: dict, photos: list[PhotoTruth]) -> dict[str, list[Detection]]:
    found = {}
    for photo in photos:
        seen = reference["photos"].get(Path(photo.file).name)
        if seen is None:
            continue
        stored = tuple(seen["stored_size"])
        found[photo.file] = [
            Detection(
                stored_to_upright(from_trbl(face["stored_box"]), photo.orientation, stored),
                tuple(n for n in face["names"] if n != "unknown_person"),
            )
            for face in seen["faces"]
        ]
    return found


def cli_agrees(reference: dict, printed: dict[str, list[str]]) -> tuple[int, int]:
    """How many photos the reference re-run names exactly as the real CLI printed them."""
    same = 0
    for name, seen in reference["photos"].items():
        expected = sorted(n for f in seen["faces"] for n in f["names"]) or ["no_persons_found"]
        same += sorted(printed.get(name, [])) == expected
    return same, len(reference["photos"])


# -- the benchmark ------------------------------------------------------------------
def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run(args: argparse.Namespace) -> dict:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"Corpus in {out / 'corpus'} ...", flush=True)
    photos = ensure_corpus(out / "corpus", args.photos_per_kind)
    photos_dir = out / "corpus" / "photos"
    jpegs = [p for p in photos if p.file.startswith("jpeg/")]
    heics = [p for p in photos if p.file.startswith("heic/")]
    week: list[PhotoTruth] = []
    if args.week_photos:
        print(f"A week's folder ({args.week_photos} photos) in {out / 'week'} ...", flush=True)
        week = ensure_week(out / "week", args.week_photos)
    week_dir = out / "week" / "photos" / "jpeg"

    data, known = make_setting(out)
    # Enrol once; every first audit then starts from a fresh copy of this state folder.
    snapshot = out / "state-enrolled"
    shutil.rmtree(snapshot, ignore_errors=True)
    enrol = measure(photoaudit("--data", str(data), "--state", str(snapshot), "enrol", "--quiet"), timeout=600)
    if enrol.returncode != 0:
        raise SystemExit(f"photoaudit enrol failed:\n{enrol.stdout}\n{enrol.stderr}")
    reports = out / "reports"
    # A fresh folder each run: photoaudit never replaces a file it did not write (each round's
    # --state is new, so it would not know an earlier run's reports as its own).
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir()

    one = out / "one-photo"
    shutil.rmtree(one, ignore_errors=True)
    one.mkdir()
    single = next(p for p in jpegs if len(p.faces) >= 3)
    shutil.copy2(photos_dir / single.file, one / Path(single.file).name)
    use_check = has_command("check")

    def audit(folder: str | Path, report: Path, state: Path, *options: str) -> Measured:
        # No --jobs unless given: the default, one worker per core.
        measured = measure(
            photoaudit("--data", str(data), "--state", str(state), "audit", str(photos_dir / folder),
                       "--quiet", "--today", TODAY, "--json", str(report), *options),
            timeout=args.timeout,
        )
        if measured.returncode not in (0, 1):
            raise SystemExit(f"photoaudit audit {folder} failed:\n{measured.stdout}\n{measured.stderr}")
        return measured

    rounds = []
    for r in range(1, args.repeats + 1):
        row: dict[str, Measured] = {}
        print(f"Round {r}/{args.repeats}: photoaudit on {len(jpegs)} JPEGs ...", flush=True)
        state = fresh_state(snapshot)
        row["jpeg_first"] = audit("jpeg", reports / f"jpeg-first-{r}.json", state)
        row["jpeg_again"] = audit("jpeg", reports / f"jpeg-again-{r}.json", state)
        shutil.rmtree(state.parent)
        print(f"Round {r}/{args.repeats}: face_recognition CLI on the same {len(jpegs)} JPEGs ...", flush=True)
        row["cli"] = measure(
            [str(BIN / "face_recognition"), "--cpus", "2", str(known), str(photos_dir / "jpeg")],
            timeout=args.cli_timeout,
        )
        if row["cli"].returncode != 0 and not row["cli"].timed_out:
            raise SystemExit(f"The face_recognition CLI failed:\n{row['cli'].stderr[-2000:]}")
        print(f"Round {r}/{args.repeats}: photoaudit on {len(heics)} HEICs ...", flush=True)
        state = fresh_state(snapshot)
        row["heic_first"] = audit("heic", reports / f"heic-first-{r}.json", state)
        row["heic_again"] = audit("heic", reports / f"heic-again-{r}.json", state)
        shutil.rmtree(state.parent)
        state = fresh_state(snapshot)
        if use_check:
            command = photoaudit("--data", str(data), "--state", str(state), "check", "--for", "social_media",
                                 str(one / Path(single.file).name), "--today", TODAY)
        else:
            command = photoaudit("--data", str(data), "--state", str(state), "audit", str(one),
                                 "--quiet", "--today", TODAY)
        row["one"] = measure(command, timeout=120)
        shutil.rmtree(state.parent)
        if week:
            print(f"Round {r}/{args.repeats}: photoaudit on a week's {len(week)} JPEGs ...", flush=True)
            state = fresh_state(snapshot)
            row["week_first"] = audit(week_dir, reports / f"week-first-{r}.json", state)
            row["week_again"] = audit(week_dir, reports / f"week-again-{r}.json", state)
            shutil.rmtree(state.parent)
        rounds.append(row)
        cli = row["cli"]
        print(
            f"  first {len(jpegs) / row['jpeg_first'].seconds:.2f} photos/s, again "
            f"{len(jpegs) / row['jpeg_again'].seconds:.2f}, CLI "
            + ("timed out" if cli.timed_out else f"{len(jpegs) / cli.seconds:.2f}")
            + f"; HEIC first {len(heics) / row['heic_first'].seconds:.2f}; one photo {row['one'].seconds:.2f} s"
            + (f"; week first {row['week_first'].seconds:.1f} s, again {row['week_again'].seconds:.2f} s" if week else ""),
            flush=True,
        )

    cluster_week = None
    if week and args.cluster_week and audit_option("--cluster"):
        cluster_week = run_cluster_week(week_dir, reports, snapshot, rounds[-1], len(rounds), audit, len(week))

    # -- scoring (the first round's reports; detection is deterministic) ----
    ours = Score()
    found = photoaudit_detections(reports / "jpeg-first-1.json", "jpeg")
    found.update(photoaudit_detections(reports / "heic-first-1.json", "heic"))
    for photo in photos:
        ours.add(photo, found.get(photo.file, []))
    reaudit_same = all(same_faces(reports / f"{kind}-first-{r}.json", reports / f"{kind}-again-{r}.json")
                       for r in range(1, len(rounds) + 1) for kind in ("jpeg", "heic"))
    week_same = all(same_faces(reports / f"week-first-{r}.json", reports / f"week-again-{r}.json")
                    for r in range(1, len(rounds) + 1)) if week else None

    print("Scoring the CLI (re-running its steps with boxes) ...", flush=True)
    reference_json = out / "cli-reference.json"
    subprocess.run(
        [sys.executable, "-m", "bench.cli_reference", str(known), str(reference_json),
         *(str(photos_dir / p.file) for p in jpegs)],
        check=True, cwd=ROOT, capture_output=True,
    )
    reference = json.loads(reference_json.read_text())
    theirs = Score()
    cli_found = cli_detections(reference, jpegs)
    for photo in photos:
        theirs.add(photo, cli_found.get(photo.file, []))  # HEIC: the CLI skips them, so all missed
    agree = [cli_agrees(reference, cli_lines(r["cli"].stdout)) for r in rounds if not r["cli"].timed_out]

    results = summarise(args, photos, rounds, ours, theirs, reference, agree, use_check, single, enrol, len(week))
    results["cluster_week"] = cluster_week
    results["reaudit_same_faces"] = reaudit_same
    results["week_reaudit_same_faces"] = week_same
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    return results


#: The local Dask cluster of the cluster row: as docs/groups.md tells a group to start its workers
#: (one thread each, single-threaded libraries, Dask's profiler off).
CLUSTER_WORKERS = 2
CLUSTER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def run_cluster_week(week_dir: Path, reports: Path, snapshot: Path, last: dict,  # noqa: ANN001
                     round_number: int, audit, photos: int) -> dict | None:
    """The week's first audit on a local 2-worker Dask cluster (``--cluster``) against ``--jobs 2``.

    One run (it adds about two minutes), right after the last round's week audits. Its
    ``--jobs 2`` side is that round's first week audit where the default is 2 workers (as on a
    2-core machine), else one more run with ``--jobs 2``. The workers start (and load nothing)
    before the clock starts, as a group's cluster is already running; they load the models
    during the audit, as local workers do. CPU time adds the workers' to the command's; the
    scheduler runs in this process and is not counted.
    """
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        print("No cluster row: the cluster extra (distributed) is not installed.", flush=True)
        return None
    from photoaudit.operations.parallel import default_jobs

    if default_jobs() == CLUSTER_WORKERS and "week_first" in last:
        local, local_report = last["week_first"], reports / f"week-first-{round_number}.json"
    else:
        print(f"The week's {photos} JPEGs with --jobs {CLUSTER_WORKERS} ...", flush=True)
        state = fresh_state(snapshot)
        local_report = reports / "week-jobs.json"
        local = audit(week_dir, local_report, state, "--jobs", str(CLUSTER_WORKERS))
        shutil.rmtree(state.parent)
    print(f"The week's {photos} JPEGs on a local {CLUSTER_WORKERS}-worker Dask cluster ...", flush=True)
    saved = dict(os.environ)  # the Nanny sets its workers' variables in this process too
    started = time.perf_counter()
    with dask.config.set({"distributed.worker.profile.enabled": False}):  # as docs/groups.md says to start workers
        cluster = LocalCluster(n_workers=CLUSTER_WORKERS, threads_per_worker=1, processes=True,
                               dashboard_address=":0", env=CLUSTER_ENVIRONMENT)
    os.environ.clear()
    os.environ.update(saved)
    try:
        with Client(cluster, set_as_default=False) as client:
            client.wait_for_workers(CLUSTER_WORKERS, timeout=300)
            start_seconds = time.perf_counter() - started
            workers = list(client.run(os.getpid).values())
            before = sum(_cpu_seconds(pid) for pid in workers)
            state = fresh_state(snapshot)
            measured = audit(week_dir, reports / "week-cluster.json", state, "--cluster", cluster.scheduler_address)
            shutil.rmtree(state.parent)
            workers_cpu = sum(_cpu_seconds(pid) for pid in workers) - before
            peak_workers_mb = sum(_rss_bytes(pid) for pid in workers) / 2**20
    finally:
        cluster.close()
    return {
        "workers": CLUSTER_WORKERS,
        "start_seconds": round(start_seconds, 2),
        "seconds": round(measured.seconds, 2),
        "jobs_seconds": round(local.seconds, 2),
        "ratio_vs_jobs": measured.seconds / local.seconds,
        "cpu_seconds_per_photo": (measured.cpu_seconds + workers_cpu) / photos,
        "jobs_cpu_seconds_per_photo": local.cpu_seconds / photos,
        "workers_rss_mb_at_end": round(peak_workers_mb),
        "same_faces": same_faces(local_report, reports / "week-cluster.json"),
    }


def rate(n: int, m: Measured) -> float | None:
    return None if m.timed_out or m.returncode not in (0, 1) else n / m.seconds


def summarise(args, photos, rounds, ours, theirs, reference, agree, use_check, single, enrol, week=0) -> dict:  # noqa: ANN001
    jpegs = sum(p.file.startswith("jpeg/") for p in photos)
    heics = len(photos) - jpegs

    def med(key: str, n: int) -> float | None:
        return median([v for r in rounds if key in r and (v := rate(n, r[key])) is not None])

    def ratio(a: str, b: str) -> float | None:
        values = []
        for r in rounds:
            if a not in r or b not in r:
                continue
            x, y = rate(jpegs, r[a]), rate(jpegs, r[b])
            if x is not None and y is not None:
                values.append(x / y)
        return median(values)

    bands = [band_of(low) for low, _ in BANDS]
    recall = {
        tool: {
            kind: {band: score.recall([kind], [band]) for band in bands} | {"80+": score.recall([kind])}
            for kind in KINDS
        } | {"all": {band: score.recall(None, [band]) for band in bands} | {"80+": score.recall()}}
        for tool, score in (("photoaudit", ours), ("cli", theirs))
    }
    faces = {kind: {band: ours.count([kind], [band]) for band in bands} for kind in KINDS}
    jpeg_kinds = [k for k in KINDS if k.startswith("jpeg")]
    ident = {
        tool: {
            scope: {o: score.count(kinds, None, [o]) for o in (FOUND_RIGHT, FOUND_WRONG, FOUND_UNSURE, MISSED)}
            for scope, kinds in (("all", None), ("jpeg", jpeg_kinds))
        }
        for tool, score in (("photoaudit", ours), ("cli", theirs))
    }
    from photoaudit.operations.parallel import (
        default_jobs,  # what `audit` uses when --jobs is not given
    )

    def cpu_per_photo(key: str, n: int) -> float | None:
        return median([r[key].cpu_seconds / n for r in rounds if key in r and not r[key].timed_out])

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "corpus": {
            "photos": len(photos), "jpeg": jpegs, "heic": heics, "faces": sum(len(p.faces) for p in photos),
            "faces_by_kind_and_band": faces, "photos_per_kind": args.photos_per_kind,
        },
        "repeats": len(rounds),
        "photos_per_second": {
            "jpeg_first": med("jpeg_first", jpegs), "jpeg_again": med("jpeg_again", jpegs),
            "cli": med("cli", jpegs), "heic_first": med("heic_first", heics), "heic_again": med("heic_again", heics),
            "week_first": med("week_first", week) if week else None,
            "week_again": med("week_again", week) if week else None,
        },
        "cpu_seconds_per_photo": {
            key: cpu_per_photo(key, heics if key.startswith("heic") else week if key.startswith("week") else jpegs)
            for key in ("jpeg_first", "jpeg_again", "cli", "heic_first", *(("week_first", "week_again") if week else ()))
        },
        "week_photos": week,
        # The same photos on both sides, so the ratio of photos/s is the ratio of seconds.
        "ratio_week_again_vs_first": ratio("week_again", "week_first") if week else None,
        "week_seconds": {key: median([r[key].seconds for r in rounds if key in r]) for key in ("week_first", "week_again")}
        if week else None,
        "ratio_first_vs_cli": ratio("jpeg_first", "cli"),
        "ratio_again_vs_first": ratio("jpeg_again", "jpeg_first"),
        "cpu_ratio_cli_vs_first": median([r["cli"].cpu_seconds / r["jpeg_first"].cpu_seconds
                                          for r in rounds if r["jpeg_first"].cpu_seconds and not r["cli"].timed_out]),
        "peak_memory_mb": {
            "photoaudit": max(max(r[k].peak_tree_mb for k in ("jpeg_first", "heic_first", "week_first") if k in r)
                              for r in rounds),
            "photoaudit_jpeg": max(r["jpeg_first"].peak_tree_mb for r in rounds),
            "photoaudit_heic": max(r["heic_first"].peak_tree_mb for r in rounds),
            "cli": max(r["cli"].peak_tree_mb for r in rounds),
        },
        "peak_memory_pss_mb": {
            "photoaudit": max(max(r[k].peak_tree_pss_mb for k in ("jpeg_first", "heic_first", "week_first") if k in r)
                              for r in rounds),
            "cli": max(r["cli"].peak_tree_pss_mb for r in rounds),
        },
        "one_photo_seconds": median([r["one"].seconds for r in rounds]),
        "one_photo_command": "check" if use_check else "audit of a one-photo folder",
        "one_photo_faces": len(single.faces),
        "enrol_seconds": round(enrol.seconds, 2),
        "photoaudit_jobs_option": audit_option("--jobs"),
        "photoaudit_workers": default_jobs() if audit_option("--jobs") else 1,
        "cli_timeouts": sum(r["cli"].timed_out for r in rounds),
        "cli_known": reference["known"],
        "cli_reference_agrees": agree,
        "recall": recall,
        "identification": ident,
        "extra_detections": {"photoaudit": ours.extra_detections, "cli": theirs.extra_detections},
        "raw_seconds": [{k: round(m.seconds, 2) for k, m in r.items()} for r in rounds],
    }


# -- the table ----------------------------------------------------------------------------
def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def table(res: dict) -> str:
    c, pps, cpu = res["corpus"], res["photos_per_second"], res["cpu_seconds_per_photo"]
    lines = [
        f"Corpus: {c['photos']} photos of 4032 x 3024 ({c['jpeg']} JPEG, {c['heic']} HEIC; half of each "
        f"portrait, stored sideways with EXIF orientation 6 or 8), {c['faces']} faces. "
        f"Medians of {res['repeats']} rounds on {res['machine']['cpus']} cores, {res['when'][:10]}; "
        f"whole benchmark {res['bench_seconds'] / 60:.1f} min. Command: `{res['command']}`.",
        "",
        "| on the same JPEGs | photos/s | vs CLI (same round) | CPU s/photo | peak memory |",
        "|---|---|---|---|---|",
        f"| photoaudit, first audit ({res['photoaudit_workers']} workers, the default) | {num(pps['jpeg_first'])} | "
        f"{num(res['ratio_first_vs_cli'], 'x')} | {num(cpu['jpeg_first'])} | "
        f"{num(res['peak_memory_mb']['photoaudit_jpeg'], ' MB', 0)} |",
        f"| photoaudit, re-audit of the unchanged folder | {num(pps['jpeg_again'])} | "
        f"{num(res['ratio_again_vs_first'], 'x', 1)} faster than the first audit | {num(cpu['jpeg_again'])} | |",
        *([f"| photoaudit, re-audit of a week's unchanged folder ({res['week_photos']} more JPEGs) | "
           f"{num(pps['week_again'])} | {num(res['ratio_week_again_vs_first'], 'x', 1)} faster than its first audit "
           f"({num(pps['week_first'])} photos/s) | {num(cpu['week_again'], digits=3)} | |"] if res.get("week_photos") else []),
        *([cluster_row(res["cluster_week"], res["week_photos"])] if res.get("cluster_week") else []),
        f"| face_recognition CLI (`--cpus 2`) | {num(pps['cli'])} | 1x | {num(cpu['cli'])} | "
        f"{num(res['peak_memory_mb']['cli'], ' MB', 0)} |",
        "",
        f"Peak memory is the whole process tree (parent and workers), the largest sum of resident "
        f"memory (RSS) sampled every 50 ms; photoaudit's largest over its JPEG, HEIC"
        f"{' and week' if res.get('week_photos') else ''} first audits: "
        f"{num(res['peak_memory_mb']['photoaudit'], ' MB', 0)} RSS, "
        f"{num(res['peak_memory_pss_mb']['photoaudit'], ' MB', 0)} PSS (shared pages counted once); "
        f"the CLI {num(res['peak_memory_pss_mb']['cli'], ' MB', 0)} PSS.",
        "",
        f"CPU time per photo, CLI / photoaudit first audit: {num(res['cpu_ratio_cli_vs_first'], 'x')} "
        "(a steadier measure than wall time on a shared machine: with both tools keeping every core "
        "busy, it is the photos/s ratio to expect).",
        "",
        f"HEIC (the CLI skips `.heic` files): photoaudit first audit {num(pps['heic_first'])} photos/s, "
        f"re-audit {num(pps['heic_again'])} photos/s. Re-audits reported the same faces, boxes and "
        f"names as the first audits: {'yes' if res.get('reaudit_same_faces') else 'NO'}.",
        f"One photo ({res['one_photo_faces']} faces), cold start: {num(res['one_photo_seconds'], ' s')} "
        f"(`photoaudit {res['one_photo_command']}`).",
        *([f"A week's folder ({res['week_photos']} JPEGs made like the ones above, other scenes, half stored "
           f"sideways): first audit {num(res['week_seconds']['week_first'], ' s', 1)}, re-audit of the unchanged "
           f"folder {num(res['week_seconds']['week_again'], ' s')} (medians); the re-audit reported the same faces, "
           f"boxes and names: {'yes' if res.get('week_reaudit_same_faces') else 'NO'}."] if res.get("week_photos") else []),
        "",
        "Detection recall by face width (px in the 12-megapixel photo), photoaudit / CLI:",
        "",
        "| photo kind | " + " | ".join(b for b in res["recall"]["photoaudit"]["all"]) + " |",
        "|---|" + "---|" * len(res["recall"]["photoaudit"]["all"]),
    ]
    for kind in [*KINDS, "all"]:
        cells = []
        for band, value in res["recall"]["photoaudit"][kind].items():
            n = sum(res["corpus"]["faces_by_kind_and_band"][k].get(band, 0) for k in ([kind] if kind != "all" else KINDS)) \
                if band != "80+" else None
            count = f" (n={n})" if n is not None else ""
            cells.append(f"{pct(value)} / {pct(res['recall']['cli'][kind][band])}{count}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Identification of every face (photoaudit / CLI):",
        "",
        "| faces | identified | wrong child | to a person (unknown or ambiguous) | missed |",
        "|---|---|---|---|---|",
    ]
    for scope, label in (("jpeg", "JPEG photos"), ("all", "all photos")):
        a, b = res["identification"]["photoaudit"][scope], res["identification"]["cli"][scope]
        lines.append(f"| {label} | " + " | ".join(f"{a[o]} / {b[o]}" for o in (FOUND_RIGHT, FOUND_WRONG, FOUND_UNSURE, MISSED)) + " |")
    agree = res["cli_reference_agrees"]
    lines += [
        "",
        f"Detections matching no true face: photoaudit {res['extra_detections']['photoaudit']}, "
        f"CLI {res['extra_detections']['cli']}. The CLI enrolled {', '.join(res['cli_known']) or 'nobody'} "
        f"from the same reference photos photoaudit enrolled"
        + (f"; its per-face names were re-derived with boxes and agree with its printed output on "
           f"{agree[0][0]}/{agree[0][1]} photos." if agree else "."),
        f"Each photoaudit first audit (and `check`) starts from a fresh `--state` folder holding only the "
        f"enrolment. Raw seconds per round: `{json.dumps(res['raw_seconds'])}`.",
    ]
    return "\n".join(lines)


def cluster_row(row: dict, photos: int) -> str:
    """The table's row for the week's first audit on a local Dask cluster (``--cluster``)."""
    overhead = 100 * (row["ratio_vs_jobs"] - 1)
    return (f"| photoaudit, first audit of the week's folder on a local {row['workers']}-worker Dask cluster "
            f"(`--cluster`; one run) | {num(photos / row['seconds'])} | {row['ratio_vs_jobs']:.2f}x the time of "
            f"`--jobs {row['workers']}` in the same round ({overhead:+.1f}%; {num(photos / row['jobs_seconds'])} "
            f"photos/s); "
            f"same faces, boxes and names: {'yes' if row['same_faces'] else 'NO'} | "
            f"{num(row['cpu_seconds_per_photo'])} (`--jobs {row['workers']}`: {num(row['jobs_cpu_seconds_per_photo'])}) | |")


def write_docs(path: Path, text: str) -> None:
    doc = path.read_text() if path.exists() else f"# Benchmarks\n\n{DOC_BEGIN}\n{DOC_END}\n"
    if DOC_BEGIN not in doc:
        doc += f"\n{DOC_BEGIN}\n{DOC_END}\n"
    before, rest = doc.split(DOC_BEGIN, 1)
    after = rest.split(DOC_END, 1)[1]
    path.write_text(f"{before}{DOC_BEGIN}\n{text}\n{DOC_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description="photoaudit vs face_recognition: speed and recall.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--photos-per-kind", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for one photoaudit run")
    parser.add_argument("--cli-timeout", type=float, default=600, help="seconds allowed for one CLI run")
    parser.add_argument("--week-photos", type=int, default=240,
                        help="photos in the week-sized folder whose re-audit is also measured (0: none)")
    parser.add_argument("--no-cluster-week", dest="cluster_week", action="store_false",
                        help="leave out the week's audit on a local Dask cluster (run when distributed is installed)")
    parser.add_argument("--write-docs", type=Path, help="put the table into this Markdown file")
    args = parser.parse_args()
    results = run(args)
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    text = table(results)
    print()
    print(text)
    if args.write_docs:
        write_docs(args.write_docs, text)
        print(f"\nTable written to {args.write_docs}")


if __name__ == "__main__":
    main()
