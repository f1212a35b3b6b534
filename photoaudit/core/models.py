"""Plain data shared by every layer: children, faces, photos and verdicts.

Nothing here touches files, images or the face engine, so the consent rules in
:mod:`photoaudit.core.consent` can be tested on these values alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The uses a photo can be put to, in the order reports show them (docs/rules.md R2, R3).
PURPOSES: tuple[str, ...] = (
    "learning_journey",
    "other_journeys",
    "display",
    "website",
    "social_media",
)

#: Uses inside the setting: a member of staff in the photo need not agree to them, unless the
#: setting lists them in ``[staff] consent_needed_for``. Every other purpose, including any
#: the setting adds, is public and needs the agreement of every member of staff in the photo.
INTERNAL_PURPOSES: frozenset[str] = frozenset({"learning_journey", "other_journeys", "display"})

#: How each purpose is called in sentences meant for a nursery manager.
PURPOSE_WORDS: dict[str, str] = {
    "learning_journey": "their own learning journey",
    "other_journeys": "other children's learning journeys",
    "display": "displays in the setting",
    "website": "the website, brochure or press",
    "social_media": "social media",
}

#: Short names of the uses, for narrow table columns (``photoaudit children``).
PURPOSE_SHORT_WORDS: dict[str, str] = {
    "learning_journey": "own journey",
    "other_journeys": "others' journeys",
    "display": "displays",
    "website": "website",
    "social_media": "social media",
}

#: Uses that show a photo to the public: never cleared by a doubtful match (docs/rules.md,
#: "No wrong cleared"); a setting can add its own with ``[setting] public_purposes``.
PUBLIC_PURPOSES: tuple[str, ...] = ("website", "social_media")


class MediaKind(str, Enum):
    """What a file in the transfer folder is: by its extension, else by its content."""

    PHOTO = "photo"
    VIDEO = "video"
    OTHER = "other"


class UnknownFaces(str, Enum):
    """What ``check --export`` does with a face nobody could identify: cover its head in the
    copy, or hold the photo back (docs/rules.md R5)."""

    COVER = "cover"
    HOLD = "hold"


class NoteKind(str, Enum):
    """What a verdict's note is about, so a rule finds its notes by kind, never by their words."""

    JOURNEY = "journey"  # whose learning journeys the photo may go in (R3): dropped with them
    OTHER = "other"


class Note(str):
    """A note's words, exactly as every report shows them, with its :class:`NoteKind`.

    A ``str``, so reports, the JSON and the store see the words alone; a note read back from
    the store is a plain ``str`` and counts as :attr:`NoteKind.OTHER`.
    """

    kind: NoteKind = NoteKind.OTHER

    def __new__(cls, text: str, kind: NoteKind = NoteKind.OTHER) -> Note:
        note = super().__new__(cls, text)
        note.kind = kind
        return note


def without_notes(notes: Iterable[str], kind: NoteKind) -> list[str]:
    """The notes that are not of ``kind``."""
    return [n for n in notes if getattr(n, "kind", NoteKind.OTHER) is not kind]


class Action(str, Enum):
    """What should happen to a photo as a whole."""

    KEEP = "keep"
    DELETE = "delete"
    REVIEW = "review"


class Use(str, Enum):
    """The verdict for one purpose."""

    ALLOWED = "allowed"
    WITHHELD = "withheld"
    REVIEW = "review"


#: The one strictness ordering (issue 24): keep < review < delete, allowed < review < withheld.
ACTION_STRICTNESS: dict[Action, int] = {Action.KEEP: 0, Action.REVIEW: 1, Action.DELETE: 2}
USE_STRICTNESS: dict[Use, int] = {Use.ALLOWED: 0, Use.REVIEW: 1, Use.WITHHELD: 2}


def stricter_action(a: Action, b: Action) -> Action:
    """The stricter of two actions (``a`` when they are as strict)."""
    return b if ACTION_STRICTNESS[b] > ACTION_STRICTNESS[a] else a


def stricter_use(a: Use, b: Use) -> Use:
    """The stricter of two verdicts for a use (``a`` when they are as strict)."""
    return b if USE_STRICTNESS[b] > USE_STRICTNESS[a] else a


def action_of(uses: Iterable[Use], at_least: Action = Action.KEEP) -> Action:
    """The action the verdicts for every use call for: review when a person must look, keep
    when some use is allowed, delete when none is; never less strict than ``at_least``
    unless it is keep."""
    values = set(uses)
    action = Action.REVIEW if Use.REVIEW in values else Action.KEEP if Use.ALLOWED in values else Action.DELETE
    return Action.REVIEW if at_least is Action.REVIEW else action


class FaceStatus(str, Enum):
    """How sure the matcher is about a face."""

    MATCHED = "matched"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


class FaceDecision(str, Enum):
    """What a person decided a face is (``photoaudit review``)."""

    CHILD = "child"  # this is the named child
    STAFF = "staff"  # this is the named member of staff (an adult, with their own consent)
    ADULT = "adult"  # not a child: an adult
    NOT_A_FACE = "not_a_face"  # the detector was wrong


@dataclass(frozen=True)
class PersonDecision:
    """A person's decision about one face, with who made it and when (ISO date-time)."""

    kind: FaceDecision
    child_id: str | None = None  # set for CHILD
    by: str = ""
    at: str = ""
    staff_id: str | None = None  # set for STAFF


class PhotoDecisionKind(str, Enum):
    """What a person decided about a photo as a whole (``photoaudit review``)."""

    #: A person looked at a photo in which no face was found and saw no child in it
    #: (decisions CSV: ``no children`` with the face column blank).
    NO_CHILDREN = "no_children"


@dataclass(frozen=True)
class PhotoDecision:
    """A person's decision about a whole photo, with who made it and when (ISO date-time)."""

    kind: PhotoDecisionKind = PhotoDecisionKind.NO_CHILDREN
    by: str = ""
    at: str = ""


@dataclass(frozen=True)
class Override:
    """A photo's action forced by a person, with their reason, who and when."""

    action: Action
    reason: str
    by: str = ""
    at: str = ""
    original: Action | None = None  # what photoaudit itself decided


# A face box in the upright image, in face_recognition's order.
Box = tuple[int, int, int, int]  # (top, right, bottom, left)


def as_box(values: Iterable[int | str | float]) -> Box:
    """A box from its four numbers as stored (top, right, bottom, left), as whole pixels."""
    top, right, bottom, left = (int(v) for v in values)
    return (top, right, bottom, left)


@dataclass(frozen=True)
class Child:
    """One row of the consent register."""

    child_id: str
    name: str
    consents: dict[str, bool]
    face_matching: bool = False
    consent_review_due: date | None = None
    status: str = "attending"  # "attending" or "left"
    leave_date: date | None = None
    room: str = ""
    line: int = 0  # line of the register file this child came from
    #: purpose -> the date its consent was withdrawn; a withdrawn purpose is a "no"
    withdrawn: dict[str, date] = field(default_factory=dict)
    date_of_birth: date | None = None
    twin_of: str = ""  # the child id of this child's twin, if registered
    siblings: tuple[str, ...] = ()  # child ids of brothers and sisters in the setting

    def allows(self, purpose: str) -> bool:
        """True when the register records a "yes" for this purpose (blank is no)
        and no withdrawal of it."""
        return bool(self.consents.get(purpose, False)) and purpose not in self.withdrawn

    @property
    def has_left(self) -> bool:
        return self.status == "left"

    def left_by(self, today: date) -> bool:
        """A leaver for consent: marked left, or their leave date has passed (whatever the status)."""
        return self.has_left or (self.leave_date is not None and self.leave_date < today)

    def consent_lapsed(self, today: date) -> bool:
        """Consent counts as lapsed past its review date, or when no date is recorded."""
        return self.consent_review_due is None or today > self.consent_review_due


#: Staff templates share the store (and the matcher's enrolled mapping) with children's,
#: keyed ``staff:<staff_id>``. A child id can never contain ":", so the keys never collide.
STAFF_KEY_PREFIX = "staff:"


def staff_key(staff_id: str) -> str:
    """The key of a member of staff's templates in the store and the enrolled mapping."""
    return STAFF_KEY_PREFIX + staff_id


def staff_id_of(key: str) -> str | None:
    """The staff id of a store key made by :func:`staff_key`, or None for a child's key."""
    return key[len(STAFF_KEY_PREFIX):] if key.startswith(STAFF_KEY_PREFIX) else None


def folder_of(key: str) -> str:
    """Where a store key's reference photos are: 'faces' for a child's, 'staff' for a member of staff's."""
    return "staff" if staff_id_of(key) is not None else "faces"


@dataclass(frozen=True)
class StaffMember:
    """One row of the staff register (``staff.csv``): a practitioner, with their own consent."""

    staff_id: str
    name: str
    consents: dict[str, bool]  # purpose -> the staff member agreed (only purposes needing it)
    face_matching: bool = False  # the staff member's own agreement to face recognition
    status: str = "working"  # "working" or "left"
    line: int = 0

    def allows(self, purpose: str) -> bool:
        return bool(self.consents.get(purpose, False))

    @property
    def has_left(self) -> bool:
        return self.status == "left"


@dataclass(frozen=True)
class StaffRegister:
    """The staff register, and the purposes for which a member of staff in a photo must agree.

    ``purposes`` are the public uses (every purpose but the learning journeys and displays)
    plus any listed in ``[staff] consent_needed_for``; an empty register (no staff.csv)
    matches nobody.
    """

    members: dict[str, StaffMember] = field(default_factory=dict)
    purposes: tuple[str, ...] = ()
    source: str = ""

    def get(self, staff_id: str | None) -> StaffMember | None:
        return self.members.get(staff_id) if staff_id else None


@dataclass(frozen=True)
class Register:
    """The consent register: every registered child by id (and the staff register)."""

    children: dict[str, Child]
    source: str = ""
    staff: StaffRegister = field(default_factory=StaffRegister)

    def get(self, child_id: str | None) -> Child | None:
        """The child with this id; None when there is none (or no id)."""
        return None if child_id is None else self.children.get(child_id)


@dataclass(frozen=True)
class Candidate:
    """A child a face might be, with the distance to that child's nearest template."""

    child_id: str  # the staff id when ``staff``
    distance: float
    staff: bool = False  # a member of staff, not a child

    @property
    def key(self) -> str:
        """The enrolled mapping's key for this candidate (see :func:`staff_key`)."""
        return staff_key(self.child_id) if self.staff else self.child_id


@dataclass(frozen=True)
class FaceMatch:
    """One face found in a photo and who, if anyone, it was matched to."""

    status: FaceStatus
    box: Box
    child_id: str | None = None
    distance: float | None = None
    candidates: tuple[Candidate, ...] = ()  # nearest children first
    time: float | None = None  # videos: seconds into the video of the deciding frame
    decision: PersonDecision | None = None  # set when a person decided who this is
    #: Set by :mod:`photoaudit.core.safeguards`: why a person must confirm this face (matched,
    #: but not surely enough for some uses), or why it could not be matched at all.
    caution: str = ""
    staff_id: str | None = None  # set (and child_id None) when matched to a member of staff

    @property
    def counts_for_consent(self) -> bool:
        """False for a face that is staff, an adult a person decided, or not a face at all."""
        if self.decision is not None:
            return self.decision.kind is FaceDecision.CHILD
        return self.staff_id is None

    @property
    def key(self) -> str | None:
        """Who the face was matched to, as the enrolled mapping's key (None when nobody)."""
        return staff_key(self.staff_id) if self.staff_id else self.child_id


@dataclass(frozen=True)
class InnerPicture:
    """A picture inside a photo file (EXIF thumbnail, second MPO image, APNG frame, HEIC
    thumbnail ...): the faces found in it, or why it could not be examined."""

    label: str
    faces: tuple[FaceMatch, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class PhotoFacts:
    """Everything the consent rules need to know about one photo.

    ``problem`` is set when the file could not be read as a photo; the faces are
    then unknown and the photo must go to a person.
    """

    path: str
    faces: tuple[FaceMatch, ...] = ()
    problem: str | None = None
    notes: tuple[str, ...] = ()  # informational (e.g. decisions people made), passed to the verdict
    taken: date | None = None  # when the photo was taken, when the file says
    photo_decision: PhotoDecision | None = None  # what a person decided about the whole photo
    inner: tuple[InnerPicture, ...] = ()  # pictures inside the file (photoaudit.media.inner)


# -- what a file says about itself (the metadata rules of photoaudit.core.provenance read it) --

def _norm(text: str) -> str:
    """Camera names compare without case, padding or repeated spaces."""
    return " ".join(text.replace("\x00", " ").split()).casefold()


def _norm_folder(text: str) -> str:
    return "/".join(part for part in re.split(r"[\\/]+", text.strip()) if part).casefold()


@dataclass(frozen=True)
class Camera:
    """The camera a file says took it (EXIF Make, Model, BodySerialNumber)."""

    make: str = ""
    model: str = ""
    serial: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.make.strip() and self.model.strip())

    def describe(self) -> str:
        """Words for a manager: "Apple iPhone 13 (serial 123)"."""
        make, model = self.make.strip(), self.model.strip()
        if make and _norm(model).startswith(_norm(make)):
            name = model  # "Canon Canon EOS 80D" reads better as "Canon EOS 80D"
        else:
            name = " ".join(p for p in (make, model) if p) or "an unnamed camera"
        return f"{name} (serial {self.serial.strip()})" if self.serial.strip() else name


@dataclass(frozen=True)
class MediaMeta:
    """What a photo or video file says about itself, as plain data.

    ``taken`` is naive when the file records no time zone. ``file_modified`` is
    never used by a rule (a copy changes it); it is only quoted to the manager
    when the file records no date of its own.
    """

    camera: Camera | None = None  # None when the file names no camera at all
    taken: datetime | None = None
    taken_problem: str | None = None  # the date was there but unreadable
    gps: bool = False
    file_modified: datetime | None = None
    software: str = ""  # EXIF Software: the firmware, or the app that last saved the file


@dataclass(frozen=True)
class Device:
    """One of the setting's own cameras, tablets or phones (a row of devices.csv)."""

    device_id: str
    make: str
    model: str
    label: str = ""
    serial: str = ""
    folder: str = ""  # the transfer sub-folder this device is emptied into, "" if none
    line: int = 0

    @property
    def name(self) -> str:
        label = self.label.strip()
        return f"{label} ({self.device_id})" if label and label != self.device_id else self.device_id

    def same_model(self, camera: Camera) -> bool:
        return _norm(self.make) == _norm(camera.make) and _norm(self.model) == _norm(camera.model)

    def matches(self, camera: Camera) -> bool:
        """Same make and model, and the same serial where both record one."""
        if not self.same_model(camera):
            return False
        if self.serial.strip() and camera.serial.strip():
            return _norm(self.serial) == _norm(camera.serial)
        return True

    def confirmed_by_serial(self, camera: Camera) -> bool:
        return self.matches(camera) and bool(self.serial.strip() and camera.serial.strip())

    def holds(self, path: str) -> bool:
        """True when ``path`` (relative, / separated) is inside this device's folder."""
        folder = _norm_folder(self.folder)
        return bool(folder) and _norm_folder(path).startswith(folder + "/")


@dataclass(frozen=True)
class DeviceRegister:
    """The setting's devices (R6), from ``devices.csv``."""

    devices: tuple[Device, ...] = ()
    source: str = ""

    def matching(self, camera: Camera) -> list[Device]:
        return [d for d in self.devices if d.matches(camera)]

    def folder_owner(self, path: str) -> Device | None:
        """The device whose folder holds ``path`` (the deepest folder wins)."""
        owners = [d for d in self.devices if d.holds(path)]
        return max(owners, key=lambda d: len(_norm_folder(d.folder))) if owners else None


@dataclass(frozen=True)
class RecordRules:
    """How long photos may stay on devices and in storage (from photoaudit.toml)."""

    transfer_window_days: int = 7
    retention_months: int = 12
    leaver_retention_months: int = 0


@dataclass(frozen=True)
class VideoInfo:
    """How a video was looked at."""

    duration: float | None  # seconds; None when unknown
    frames_sampled: int
    sample_every: float  # seconds between samples


@dataclass(frozen=True)
class Provenance:
    """The metadata findings for one file, reported next to its verdict."""

    kind: MediaKind = MediaKind.PHOTO
    camera: Camera | None = None
    device_id: str | None = None
    breach: bool = False
    taken: datetime | None = None
    gps: bool = False
    retain_until: date | None = None
    flags: tuple[str, ...] = ()
    video: VideoInfo | None = None
    software: str = ""  # EXIF Software, for the DSL section (an editing app)



@dataclass(frozen=True)
class PhotoVerdict:
    """The decision for one photo: an action, a verdict per purpose, and why."""

    path: str
    action: Action
    purposes: dict[str, Use]
    journeys: tuple[str, ...] = ()
    faces: tuple[FaceMatch, ...] = ()
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # informational, never change the action
    provenance: Provenance | None = None  # camera, dates, location (photoaudit.core.provenance)
    override: Override | None = None  # set when a person forced the action
    #: the uses the photo may be put to as it is, with nothing covered or removed (``check --for``
    #: clears exactly these; a use allowed but not here needs a copy: a location, an override ...)
    cleared_for: tuple[str, ...] = ()
    #: for each face (in order), the uses it may be seen in (the reports' green and red boxes)
    faces_cleared_for: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Face:
    """A face found in a photo: where it is (full-resolution pixels) and its template."""

    box: Box  # (top, right, bottom, left)
    confidence: float
    template: np.ndarray | None  # None when the face was too small to encode reliably
