"""Every photo of one child, from the store alone: a parent's subject access request (issue 14).

``photoaudit find CHILD_ID`` answers from what earlier audits stored: each stored
verdict's faces (matched to the child, or confirmed as them by a person), people's
face decisions, and leaver records (:mod:`photoaudit.store.leavers`). No face is searched
for again. For each photo it says where it was seen and whether it is still there,
in quarantine or deleted for good, which copies were made of it for publishing,
which uses it was cleared for, and who else is in it. ``--copy`` hands the photos
that still exist to the parent in a private folder, never overwriting a file; a
photo that also shows anyone else (another child, or a face photoaudit could not
identify) is only copied with ``--cover``, which covers every other face as
``check --export`` does (:func:`photoaudit.core.cover.head_region`,
:func:`photoaudit.media.export.cover_regions`), because a copy given to one parent must
not show another parent's child.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.cover import head_region
from ..core.models import Box, FaceDecision
from ..media.export import (
    copy_format,
    cover_regions,
    encode,
    make_private_folder,
    rgb_icc_profile,
    write_new,
)
from ..media.files import sha256_file
from ..media.imaging import UnreadablePhoto, load_photo
from ..media.sources import MediaKind, kind_of
from ..store.database import Store
from ..store.leavers import leaver_records
from ..store.published import PublishedBook, PublishedCopy
from ..store.quarantine import Manifest, quarantined_items

if TYPE_CHECKING:
    from ..core.settings import Settings

class Found(StrEnum):
    """How photoaudit knows a photo shows the child."""

    MATCHED = "matched"
    CONFIRMED = "confirmed by a person"
    LEAVER = "leaver record"


class State(StrEnum):
    """Whether a photo is still where an audit saw it."""

    THERE = "there"
    CHANGED = "changed"  # another file has that name now
    GONE = "gone"


@dataclass(frozen=True)
class Place:
    """Where an audit last saw the photo, and whether it is still there unchanged."""

    folder: str
    relative: str
    state: State

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.relative


@dataclass(frozen=True)
class FacesSeen:
    """Who is in one stored verdict, as far as the child is concerned (boxes only)."""

    child: tuple[Box, ...] = ()
    others: tuple[str, ...] = ()  # other identified children
    unidentified: tuple[Box, ...] = ()  # faces nobody identified (could be anyone)
    other_boxes: tuple[Box, ...] = ()  # every face that is not the child (to cover)
    confirmed: bool = False  # a person named one of the child's faces


@dataclass(frozen=True)
class ChildPhoto:
    """One photo that shows the child."""

    sha256: str
    found_by: tuple[Found, ...]
    places: tuple[Place, ...] = ()
    quarantined: tuple[str, ...] = ()  # where it is in quarantine now
    deleted_for_good: bool = False  # purged from quarantine
    exports: tuple[PublishedCopy, ...] = ()
    judged: bool = False  # a stored verdict says who is in it
    taken: str | None = None
    action: str | None = None
    cleared_for: tuple[str, ...] = ()
    faces: FacesSeen = field(default_factory=FacesSeen)

    @property
    def shows_others(self) -> bool:
        """True when anyone else may be in it (unknown when it has no stored verdict)."""
        return not self.judged or bool(self.faces.other_boxes)

    @property
    def name(self) -> str:
        for place in self.places:
            return Path(place.relative).name
        return Path(self.quarantined[0]).name if self.quarantined else f"{self.sha256[:12]}.jpg"

    def where_now(self) -> str:
        """Where the photo is now, in words."""
        parts = []
        for place in self.places:
            words = {State.THERE: "still in", State.CHANGED: "changed since it was audited, in",
                     State.GONE: "no longer in"}[place.state]
            parts.append(f"{words} {place.path}")
        parts += [f"in quarantine as {q}" for q in self.quarantined]
        if self.deleted_for_good:
            parts.append("deleted for good from the quarantine")
        if not parts:
            parts.append("not seen in any audited folder since (moved or deleted)")
        if self.exports:
            parts.append(f"{len(self.exports)} cop{'y' if len(self.exports) == 1 else 'ies'} made for publishing")
        return "; ".join(parts)

    def source(self) -> Path | None:
        """A file that is this photo now (where it was seen, else in quarantine), or None."""
        for place in self.places:
            if place.state == State.THERE:
                return place.path
        for path in self.quarantined:
            if Path(path).is_file():
                return Path(path)
        return None


def faces_seen(body: dict, child_id: str) -> FacesSeen:
    """The child's faces and everyone else's in one stored verdict (pure)."""
    child: list[Box] = []
    others: list[str] = []
    unidentified: list[Box] = []
    other_boxes: list[Box] = []
    confirmed = False
    for face in body.get("faces", []):
        top, right, bottom, left = (int(v) for v in face["box"])
        box = (top, right, bottom, left)
        decision = face.get("decision") or {}
        kind = decision.get("kind")
        named = decision.get("child_id") if kind == FaceDecision.CHILD.value else None
        who = named if kind == FaceDecision.CHILD.value else (face.get("child_id") if face.get("status") == "matched" else None)
        if kind is not None and kind != FaceDecision.CHILD.value:
            other_boxes.append(box)  # an adult, or not a face: not a child, but covered all the same
            continue
        if who == child_id:
            child.append(box)
            confirmed = confirmed or named == child_id
            continue
        other_boxes.append(box)
        if who:
            others.append(who)
        else:
            unidentified.append(box)
    return FacesSeen(tuple(child), tuple(dict.fromkeys(others)), tuple(unidentified), tuple(other_boxes), confirmed)


def file_state(path: Path, mtime_ns: int, sha256: str) -> State:
    """Whether the file at ``path`` is still the photo with this content."""
    try:
        if not path.is_file():
            return State.GONE
        if path.stat().st_mtime_ns == mtime_ns:
            return State.THERE
        return State.THERE if sha256_file(path) == sha256 else State.CHANGED
    except OSError:
        return State.GONE


def quarantine_facts(quarantine_dir: Path) -> tuple[dict[str, list[str]], set[str]]:
    """photo content -> where it is in quarantine now; and the contents purged for good."""
    if not quarantine_dir.is_dir():  # never create it just to look
        return {}, set()
    entries = Manifest(quarantine_dir).entries()
    now: dict[str, list[str]] = {}
    for item in quarantined_items(entries):
        now.setdefault(item.sha256, []).append(str(item.quarantined))
    starts = {e["id"]: e for e in entries if e.get("step") == "started"}
    purged = {
        starts[e["id"]].get("sha256", "")
        for e in entries
        if e.get("step") == "done" and e.get("op") == "purge" and e["id"] in starts
    }
    return now, purged - set(now)


def photos_of(store: Store, child_id: str, quarantine_dir: Path) -> list[ChildPhoto]:
    """Every photo the store knows shows ``child_id``, each once (by content), oldest first."""
    found: dict[str, set[Found]] = {}
    seen: dict[str, FacesSeen] = {}
    verdicts = {v.sha256: v for v in store.verdicts()}
    for sha256, verdict in verdicts.items():
        faces = faces_seen(verdict.body, child_id)
        if faces.child:
            seen[sha256] = faces
            found.setdefault(sha256, set()).add(Found.CONFIRMED if faces.confirmed else Found.MATCHED)
    if store.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='face_decision'").fetchone():
        for (sha256,) in store.db.execute(
            "SELECT sha256 FROM face_decision WHERE kind=? AND child_id=?", (FaceDecision.CHILD.value, child_id)
        ):
            found.setdefault(sha256, set()).add(Found.CONFIRMED)
    for leaver, sha256, _, _ in leaver_records(store):
        if leaver == child_id:
            found.setdefault(sha256, set()).add(Found.LEAVER)
    places: dict[str, list[Place]] = {}
    for folder, relative, sha256, mtime_ns in store.all_locations():
        if sha256 in found:
            places.setdefault(sha256, []).append(Place(folder, relative, file_state(Path(folder) / relative, mtime_ns, sha256)))
    quarantined, purged = quarantine_facts(quarantine_dir)
    exports: dict[str, list[PublishedCopy]] = {}
    for copy in PublishedBook(store).copies():
        exports.setdefault(copy.sha256, []).append(copy)
    photos = []
    for sha256, how in found.items():
        stored = verdicts.get(sha256)
        body = stored.body if stored else {}
        photos.append(ChildPhoto(
            sha256,
            tuple(h for h in Found if h in how),
            tuple(places.get(sha256, ())),
            tuple(quarantined.get(sha256, ())),
            sha256 in purged,
            tuple(exports.get(sha256, ())),
            judged=stored is not None,
            taken=body.get("taken"),
            action=stored.action if stored else None,
            cleared_for=tuple(p for p, use in body.get("purposes", {}).items() if use == "allowed"),
            faces=seen.get(sha256, FacesSeen()),
        ))
    return sorted(photos, key=lambda p: (p.taken or "9999", p.name, p.sha256))


@dataclass
class CopyOutcome:
    """What ``find --copy`` wrote, and what it held back and why."""

    folder: Path
    written: list[tuple[ChildPhoto, Path, int]] = field(default_factory=list)  # photo, copy, faces covered
    held: list[tuple[ChildPhoto, str]] = field(default_factory=list)


def copy_photos(photos: Iterable[ChildPhoto], folder: Path, cover: bool) -> CopyOutcome:
    """Copy each photo that still exists into ``folder`` (private, never overwriting).

    A photo that may show anyone else is copied only with ``cover``, with every
    other face covered; the original is only ever read, and must still be the
    photo the store knows (same content hash).
    """
    make_private_folder(folder)
    outcome = CopyOutcome(folder)
    for photo in photos:
        source = photo.source()
        if source is None:
            outcome.held.append((photo, "photoaudit no longer finds this photo anywhere: nothing to copy."))
            continue
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != photo.sha256:
            outcome.held.append((photo, f"{source} changed since it was audited: audit its folder again."))
            continue
        if not photo.shows_others:
            outcome.written.append((photo, write_new(folder, source.name, data), 0))
            continue
        if not photo.judged:
            outcome.held.append((photo, "it was not audited since the child's face was erased, so who else is in "
                                        "it is not known: audit its folder, then copy it again."))
            continue
        if not cover:
            outcome.held.append((photo, "it also shows someone else (another child, or a face photoaudit could "
                                        "not identify): copy it with --cover to cover the other faces."))
            continue
        if kind_of(source.name) is not MediaKind.PHOTO:
            outcome.held.append((photo, "it is a video and shows someone else: photoaudit covers faces in photos only."))
            continue
        try:
            loaded = load_photo(source)
        except UnreadablePhoto as err:
            outcome.held.append((photo, f"{err.reason} No copy was made."))
            continue
        height, width = loaded.pixels.shape[:2]
        regions = [head_region(box, width, height) for box in photo.faces.other_boxes]
        fmt, suffix = copy_format(loaded.format)
        encoded = encode(cover_regions(loaded.pixels, regions), fmt, rgb_icc_profile(source))
        outcome.written.append((photo, write_new(folder, Path(source.name).stem + suffix, encoded), len(regions)))
    return outcome


def photo_json(photo: ChildPhoto, with_others: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "sha256": photo.sha256,
        "found_by": [f.value for f in photo.found_by],
        "taken": photo.taken,
        "action": photo.action,
        "cleared_for": list(photo.cleared_for),
        "places": [{"folder": p.folder, "path": p.relative, "state": p.state.value} for p in photo.places],
        "quarantined": list(photo.quarantined),
        "deleted_for_good": photo.deleted_for_good,
        "published": [c.id for c in photo.exports],
        "where_now": photo.where_now(),
    }
    if with_others:
        body["others"] = {
            "children": list(photo.faces.others),
            "unidentified_faces": len(photo.faces.unidentified),
            "known": photo.judged,
        }
    return body


def find_json(child_id: str, photos: list[ChildPhoto], with_others: bool, copies: CopyOutcome | None) -> dict:
    """The ``find --json`` body (docs/parents-rights.md, "The commands")."""
    return {
        "kind": "find",
        "child_id": child_id,
        "photos": [photo_json(p, with_others) for p in photos],
        "copies": None if copies is None else {
            "folder": str(copies.folder),
            "written": [{"sha256": p.sha256, "copy": str(path), "covered_faces": n} for p, path, n in copies.written],
            "held": [{"sha256": p.sha256, "why": why} for p, why in copies.held],
        },
    }


@dataclass(frozen=True)
class SubjectAccess:
    """What ``photoaudit find`` found: the child (their id as the register writes it, and their
    name where the register has it), every photo of them, and the copies made (``--copy``)."""

    child_id: str
    label: str
    photos: list[ChildPhoto]
    copies: CopyOutcome | None = None


def find(settings: Settings, child_id: str, copy_to: Path | None = None, cover: bool = False) -> SubjectAccess:
    """Every photo photoaudit has seen of ``child_id``, from the store alone; with ``copy_to``,
    copies of those that still exist (never into an audited folder)."""
    from ..core.child_ids import resolve_child_id
    from ..core.errors import BadValue
    from ..core.words import child_label
    from ..setting.register import load_register
    from ..store.outputs import is_inside
    from .workflow import known_child_ids

    register = load_register(settings.register_path, purposes=settings.purposes) if settings.register_path.is_file() else None
    with Store(settings.state_path) as store:
        child_id = resolve_child_id(child_id, known_child_ids(settings, store))
        photos = photos_of(store, child_id, settings.quarantine_path)
        folders = sorted({folder for folder, *_ in store.all_locations()})
    copies = None
    if copy_to is not None:
        for folder in folders:
            if is_inside(copy_to, Path(folder)):
                raise BadValue(f"{copy_to} is inside {folder}, an audited folder: photoaudit never writes "
                               "into it, so choose another place.")
        copies = copy_photos(photos, copy_to, cover)
    child = register.get(child_id) if register else None
    return SubjectAccess(child_id, child_label(child) if child else child_id, photos, copies)
