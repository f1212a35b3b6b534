"""The pre-posting check: is each photo cleared for one use, and a publishable copy if asked.

A photo gets the audit's own answer: the same examination (stored faces reused when the
store already examined the same bytes with the same settings, as the audit does), the same
people's decisions, overrides and leaver records, and the one judge
(:func:`photoaudit.core.judge.judge`), whose plan for the use says what a copy must cover;
:mod:`photoaudit.media.export` does the pixels. No printing here: the CLI shows the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from ..core.cover import UNKNOWN_CHOICES, CoverPlan, FaceCall, Region, head_region
from ..core.decisions import apply_decisions
from ..core.errors import CannotRun
from ..core.exit_status import ExitStatus
from ..core.judge import copy_cleared
from ..core.models import PhotoFacts, PhotoVerdict, Use
from ..core.provenance import audit_warnings
from ..core.use_names import read_use
from ..media.export import (
    copy_format,
    cover_regions,
    decode,
    encode,
    make_private_folder,
    rgb_icc_profile,
    write_new,
)
from ..media.files import sha256_file
from ..media.imaging import UnreadablePhoto, load_photo
from ..media.metadata import modified_time
from ..media.sources import MediaFile, MediaKind, Skipped, describe
from ..store.database import Store
from ..store.outputs import is_inside
from ..store.published import PublishedBook, PublishedCopy
from .decision_book import DecisionsInForce, load_decisions_in_force
from .examine import Examined, examine, identify, judged, list_media
from .incremental import examine_key, from_stored
from .incremental import file_state as hashed_state
from .results import AuditResult
from .workflow import Prepared


@dataclass
class PhotoCheck:
    """One photo: its full audit verdict, the plan for the purpose checked, and its copy."""

    media: MediaFile
    verdict: PhotoVerdict  # every purpose, exactly as the weekly audit judges it
    plan: CoverPlan
    copy: Path | None = None  # the publishable copy written, when one was
    wanted_name: str | None = None  # the name the copy would have had, when that was taken
    regions: tuple[tuple[FaceCall, Region], ...] = ()  # what was covered, where
    held: tuple[str, ...] = ()  # why no copy was made (export only)

    @property
    def cleared(self) -> bool:
        return self.plan.cleared


@dataclass
class CheckResult:
    """Every photo checked for one purpose, and where copies went."""

    purpose: str
    today: date
    photos: list[PhotoCheck]
    export_dir: Path | None = None
    unknown: str = "cover"
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    warnings: list[str] = field(default_factory=list)

    @property
    def cleared(self) -> int:
        return sum(p.cleared for p in self.photos)

    @property
    def copies(self) -> int:
        return sum(p.copy is not None for p in self.photos)

    @property
    def exit_code(self) -> ExitStatus:
        """CLEAR only when every photo, as it is, is cleared for the purpose; FINDINGS otherwise."""
        return ExitStatus.CLEAR if self.photos and all(p.cleared for p in self.photos) else ExitStatus.FINDINGS

    def as_audit(self) -> AuditResult:
        """The same verdicts as an audit result, for the JSON report (same contract)."""
        result = AuditResult(Path.cwd(), self.today, [p.verdict for p in self.photos], self.generated)
        result.warnings.extend(self.warnings)
        return result


def gather(paths: Iterable[Path]) -> list[MediaFile]:
    """The files named, and every file inside the folders named; each file once.

    A path that does not exist is an error (a typing mistake must not pass as "checked").
    """
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise CannotRun("No such file or folder: " + ", ".join(missing))
    files: list[MediaFile] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = [
                replace(m, relative=f"{path.as_posix().rstrip('/')}/{m.relative}")
                for m in list_media(path)
            ]
        else:
            described = describe(path, path.as_posix())  # named on purpose: a row even if skippable
            if isinstance(described, Skipped):
                described = MediaFile(path, path.as_posix(), MediaKind.OTHER, path.lstat().st_size)
            found = [described]
        for media in found:
            real = media.path.resolve() if media.entry.opened else media.path.absolute()
            if real not in seen:
                seen.add(real)
                files.append(media)
    return files


def check_export_dir(export_dir: Path, files: list[MediaFile], reports: Iterable[Path]) -> None:
    """Copies go to a folder of their own: not beside the originals, and no report inside it."""
    if export_dir.exists() and not export_dir.is_dir():
        raise CannotRun(f"{export_dir} is a file, not a folder: choose a folder for the copies.")
    target = export_dir.resolve()
    for media in files:
        if media.path.resolve().parent == target:
            raise CannotRun(
                f"{export_dir} holds the original {media.relative}: put the copies in a folder "
                "of their own, so an original and a copy can never be mixed up."
            )
    for report in reports:
        if str(report) != "-" and target in report.resolve().parents:
            raise CannotRun(
                f"The report {report} would be inside {export_dir}, the folder of copies to post; "
                "reports name children, so write it somewhere else."
            )


def file_state(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def parse_purpose(text: str, purposes: tuple[str, ...]) -> str:
    """'social-media', 'Social_Media' or 'facebook' -> 'social_media'; an unknown use cannot run
    (core/use_names.py)."""
    return read_use(text, purposes).purpose


def validate(
    purpose: str,
    purposes: tuple[str, ...],
    files: list[MediaFile],
    export_dir: Path | None,
    unknown: str,
    reports: Iterable[Path] = (),
    folders: Iterable[Path] = (),
) -> None:
    """Everything that can be refused before any photo is looked at (exit code 2).

    ``folders`` are folders given to check: like the audit, the check never
    writes into them (neither reports nor copies).
    """
    parse_purpose(purpose, purposes)
    if unknown not in UNKNOWN_CHOICES:
        raise CannotRun(f"--unknown must be one of: {', '.join(UNKNOWN_CHOICES)}, not {unknown!r}.")
    if not files:
        raise CannotRun("There is no file to check in what was given.")
    reports = list(reports)
    if export_dir is not None:
        check_export_dir(export_dir, files, reports)
    outputs = [p for p in reports if str(p) != "-"] + ([export_dir] if export_dir is not None else [])
    for folder in folders:
        for out in outputs:
            if is_inside(out, folder):
                raise CannotRun(
                    f"{out} is inside {folder}, a folder being checked: photoaudit never writes "
                    "into it, so choose another place."
                )


def run_check(
    files: list[MediaFile],
    prepared: Prepared,
    today: date,
    purpose: str,
    export_dir: Path | None = None,
    unknown: str = "cover",
    reports: Iterable[Path] = (),
    on_start: Callable[[list[MediaFile]], None] | None = None,
    on_file: Callable[[MediaFile], None] | None = None,
) -> CheckResult:
    """Check each photo for ``purpose``; with ``export_dir``, write a publishable copy of each.

    ``files`` come from :func:`gather`; ``reports`` are the report paths this run
    writes (none may go inside ``export_dir``).
    """
    validate(purpose, prepared.settings.purposes, files, export_dir, unknown, reports)
    if export_dir is not None:
        make_private_folder(export_dir)
    if on_start:
        on_start(files)
    result = CheckResult(purpose, today, [], export_dir, unknown)
    # People's decisions and overrides, exactly as the weekly audit applies them.
    in_force = load_decisions_in_force(prepared.settings.state_path, prepared.register)
    if not prepared.children_enrolled:
        result.warnings.append("No child is enrolled for face matching, so no face can be cleared.")
    with Store(prepared.settings.state_path) as store:
        for media in files:
            before = file_state(media.path)
            photo = check_one(media, prepared, today, purpose, unknown, in_force, store)
            if export_dir is not None:
                export_copy(photo, prepared, today, export_dir, before)
            result.photos.append(photo)
            if on_file:
                on_file(media)
    # Only what limits the check itself (no device register: R6 unchecked); each
    # photo's own findings are on its line.
    result.warnings[:0] = audit_warnings([], prepared.settings.records, prepared.devices)
    result.warnings.extend(prepared.warnings)  # the register's and faces/' (every run, while they hold)
    return result


def examined_or_stored(media: MediaFile, prepared: Prepared, store: Store | None, in_force: DecisionsInForce | None
                       ) -> Examined:
    """What the audit found in the file: stored when the store examined the same bytes with the
    same engine settings (and :data:`~photoaudit.operations.incremental.EXAMINE_VERSION`), else
    examined now."""
    if store is not None and media.entry.opened:
        state = hashed_state(media.path)
        key = examine_key(prepared.engine.settings, media.kind, prepared.settings.video)
        stored = None if state is None else store.examination(state.sha256, key)
        if state is not None and stored is not None and not stored.problem:  # a problem is looked at afresh
            if in_force is not None:
                in_force.know({media.relative: state.sha256})
            return from_stored(media.relative, stored, modified_time(media.path))
    return examine(media, prepared.engine, video=prepared.settings.video)


def check_one(
    media: MediaFile, prepared: Prepared, today: date, purpose: str, unknown: str,
    in_force: DecisionsInForce | None = None, store: Store | None = None,
) -> PhotoCheck:
    """The audit's verdict on one file, and the judge's plan for ``purpose``.

    What the file's own metadata rules out (a breach of R6, past retention, ...)
    blocks the purpose and any copy; a GPS location blocks uses outside the setting.
    ``in_force`` applies people's decisions about faces and photos, and their
    overrides, as the audit does: an override to delete or review blocks the use.
    The copy carries nothing but the main picture, so what is inside the file (EXIF
    thumbnail, more images) holds back the file itself, never its copy.
    """
    # judged by its path inside the audited folder that holds it, as the audit judged it (the
    # device folders of R6 are named from there); reported by the path it was given by
    as_audited = replace(media, relative=audited_path(media, store))
    examined = examined_or_stored(as_audited, prepared, store, in_force)
    judgement = judged(examined, media.kind, prepared.judging(today), media=as_audited, settle=in_force)
    verdict = replace(judgement.verdict, path=media.relative)
    return PhotoCheck(media, verdict, replace(judgement.plan(purpose, unknown), path=media.relative))


def audited_path(media: MediaFile, store: Store | None) -> str:
    """The file's path inside the audited folder that holds it (the deepest), else as given."""
    if store is None:
        return media.relative
    real = media.path.absolute().parent.resolve() / media.path.name
    for folder in sorted(store.location_folders(), key=len, reverse=True):
        try:
            return real.relative_to(Path(folder)).as_posix()
        except ValueError:
            continue
    return media.relative


def export_copy(
    photo: PhotoCheck, prepared: Prepared, today: date, export_dir: Path, before: tuple[int, int] | None
) -> None:
    """Write the photo's publishable copy, or record why none can be made."""
    plan = photo.plan
    if not plan.copy_allowed:
        photo.held = plan.hold
        return
    if photo.media.kind is MediaKind.VIDEO:
        photo.held = ("This is a video: photoaudit makes copies of photos only.",)
        return
    try:
        loaded = load_photo(photo.media.path)
    except UnreadablePhoto as err:
        photo.held = (f"{err.reason} No copy was made.",)
        return
    if file_state(photo.media.path) != before:
        photo.held = ("The file changed while it was being checked: check it again.",)
        return
    height, width = loaded.pixels.shape[:2]
    regions = tuple((call, head_region(call.face.box, width, height)) for call in plan.covered)
    pixels = cover_regions(loaded.pixels, (region for _, region in regions))
    fmt, suffix = copy_format(loaded.format)
    data = encode(pixels, fmt, rgb_icc_profile(photo.media.path))
    if regions:
        problem = verify_copy(data, photo, prepared, today)
        if problem:
            photo.held = (problem,)
            return
    name = Path(photo.media.path.name).stem + suffix
    written = write_new(export_dir, name, data)
    photo.copy = written
    photo.wanted_name = name if written.name != name else None
    photo.regions = regions


def verify_copy(data: bytes, photo: PhotoCheck, prepared: Prepared, today: date) -> str:
    """Look for faces in the covered copy itself: '' when what is left is cleared, else why not."""
    faces = tuple(prepared.engine.find_faces(decode(data)))
    facts: PhotoFacts = identify(Examined(photo.media.relative, faces), prepared.enrolled, prepared.settings.match)
    # the faces left uncovered keep what people decided about them (an adult stays an adult)
    decided = [(call.face.box, call.face.decision) for call in photo.plan.kept if call.face.decision is not None]
    facts = apply_decisions(facts, decided, prepared.register)
    verdict = copy_cleared(facts, photo.plan.purpose, prepared.judging(today))
    if verdict.purposes[photo.plan.purpose] is Use.ALLOWED:
        return ""
    return (
        "After covering, photoaudit looked at the copy again and still found a face it cannot "
        "clear, so no copy was made: a person must look. " + " ".join(verdict.reasons)
    )


def copies_of_check(result: CheckResult, posted_to: str | None, when: str) -> list[PublishedCopy]:
    """One record per copy a ``check --export`` wrote (the originals are hashed here)."""
    found = []
    for photo in result.photos:
        if photo.copy is None:
            continue
        shown = tuple(dict.fromkeys(c.child.child_id for c in photo.plan.kept if c.child))
        found.append(PublishedCopy(
            0, sha256_file(photo.media.path), str(photo.media.path.absolute()), str(photo.copy.absolute()),
            result.purpose, shown, len(photo.regions), posted_to, when,
        ))
    return found



def record_check(state_path: Path, result: CheckResult, posted_to: str | None) -> list[PublishedCopy]:
    """Record every copy of a ``check --export`` run, as made now, in the store at
    ``state_path``; returns the records with their ids."""
    copies = copies_of_check(result, posted_to, datetime.now(UTC).isoformat(timespec="seconds"))
    with Store(state_path) as store:
        ids = PublishedBook(store).record(copies)
    return [replace(c, id=i) for i, c in zip(ids, copies, strict=True)]
