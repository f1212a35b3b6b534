"""Plain data shared by every layer: children, faces, photos and verdicts.

Nothing here touches files, images or the face engine, so the consent rules in
:mod:`photoaudit.core.consent` can be tested on these values alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from .provenance import Provenance

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

    def get(self, child_id: str) -> Child | None:
        return self.children.get(child_id)


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


@dataclass(frozen=True)
class Face:
    """A face found in a photo: where it is (full-resolution pixels) and its template."""

    box: Box  # (top, right, bottom, left)
    confidence: float
    template: np.ndarray | None  # None when the face was too small to encode reliably
