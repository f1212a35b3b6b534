"""Wording shared by the rules and the reports: dates, times, names and lists in plain words.

Pure functions over plain values; every message a nursery manager reads is built from these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from .models import PURPOSE_WORDS, Child, Note, NoteKind, Register

#: C0 and C1 control characters, DEL included (tab is ordinary layout), and the bidirectional
#: controls that make a name display in another order ("gpj.exe").
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def literal(text: str, keep_lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``, ``\\u202e``).

    The one helper for text that comes from outside (file names, EXIF ``Make``, register
    cells) on its way into any text photoaudit writes: the terminal, the CSV and HTML
    reports and the log. An escape byte in a name must never reach a terminal, a
    spreadsheet or a page. Ordinary text, accents and tabs included, is unchanged; with
    ``keep_lines`` line breaks are kept (text photoaudit itself laid out in lines).
    """
    if keep_lines:
        return "\n".join(literal(line) for line in text.split("\n"))
    return CONTROL_CHARACTERS.sub(lambda m: _escape(m.group()), text)


#: How the learning-journey note starts (the metadata rules drop it when they block the photo).
JOURNEY_NOTE_PREFIX = "May go in the learning journey of:"


def journey_note(names: str) -> Note:
    """The note naming the children whose learning journeys the photo may go in (R3)."""
    return Note(f"{JOURNEY_NOTE_PREFIX} {names}.", NoteKind.JOURNEY)



def long_date(day: date) -> str:
    """A date no reader can misread: 1 September 2026."""
    return f"{day.day} {day:%B %Y}"



def child_label(child: Child) -> str:
    """'Ava Patel (c01)', or the id alone when the register gives no name."""
    return f"{child.name} ({child.child_id})" if child.name else child.child_id


def label_of(child_id: str, register: Register) -> str:
    """The child's label (:func:`child_label`) when the register has them, else the id as it is."""
    child = register.get(child_id)
    return child_label(child) if child else child_id



def and_list(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c' ('' for none): a list as a sentence says it."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def purpose_words(purposes: Iterable[str]) -> str:
    """'social media', or 'displays in the setting and social media': purposes in plain words."""
    return and_list(PURPOSE_WORDS.get(p, p.replace("_", " ")) for p in purposes)



def clock(seconds: float) -> str:
    """A time into a video as a person reads it: 0:07, 1:02:03."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"



def withdrawal_words(child: Child, purposes: Iterable[str]) -> str:
    """' (social media consent withdrawn on 1 October 2026)', or '' when none was withdrawn."""
    parts = [
        f"{purpose_words([p])} consent withdrawn on {long_date(child.withdrawn[p])}"
        for p in purposes
        if p in child.withdrawn
    ]
    return f" ({'; '.join(parts)})" if parts else ""


def local_time(moment: datetime) -> str:
    """A time for a report: this computer's local time, with its offset from UTC
    (``2026-07-01T10:00:00+01:00``), so it reads as the clock on the wall and is never ambiguous."""
    return moment.astimezone().isoformat(timespec="seconds")



def local_day(text: str) -> str:
    """The local date (2026-07-02) of a stored ISO time; a time with no offset is taken as local."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)[:10]
    return (moment.astimezone() if moment.tzinfo else moment).date().isoformat()



def time_words(text: str) -> str:
    """'1 July 2026 at 10:00 (UTC+01:00)' from a report's ISO time; the text itself if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}{zone}"


#: The reason on a thumbnail cache's row (its action is delete).
THUMBNAIL_CACHE_WORDS = (
    "This is a thumbnail cache: it holds small copies of photos (including any that were "
    "deleted), so it shows children without any consent check. Delete it."
)
