"""Warnings about the register and the faces/ folder that are not errors, but usually mistakes.

A spreadsheet quietly changes what the manager typed: Excel turns the id ``007`` into
``7``. A child's reference photos must be in ``faces/<child_id>/``, named exactly as the
id, or they are never used; and only some kinds of file can be read as reference photos.
None of this stops an audit (a child whose photos are not used just shows as unknown
and goes to a person, which fails safe), but each is said in plain words, with the
close match when there is one ("did you mean").

Pure functions over the register and a listing of the folder; :func:`list_faces_dir`
is the one that reads the disk. Rules in docs/rules.md ("The register").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..core.models import Register
from ..media.imaging import PHOTO_SUFFIXES

#: What the warnings call the kinds of file a reference photo may be.
READABLE = ", ".join(sorted(PHOTO_SUFFIXES))

FacesListing = Mapping[str, Sequence[str]]  # folder name -> file names in it ("" = faces/ itself)


def list_faces_dir(faces_dir: Path) -> dict[str, list[str]]:
    """Folder name -> visible file names, for faces/ itself ("") and each child folder."""
    found: dict[str, list[str]] = {}
    if not faces_dir.is_dir():
        return found
    for entry in sorted(faces_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found[entry.name] = sorted(p.name for p in entry.iterdir() if p.is_file() and not p.name.startswith("."))
        elif entry.is_file():
            found.setdefault("", []).append(entry.name)
    return found


def squashed(text: str) -> str:
    """An id with case, spaces and punctuation removed, and leading zeros of numbers dropped."""
    plain = re.sub(r"[^0-9a-z]", "", text.casefold())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", plain)


#: Looking for a close name with difflib costs a comparison per pair of names: it is used
#: only while the names to look for times the names to look among stay below this, so a
#: register or faces/ folder of any size gets its warnings in seconds (the "same but for
#: case, spaces, punctuation and zeros" match is a lookup, and is always made).
FUZZY_BUDGET = 200_000


class Names:
    """Names to look a slip up among (ids, folder names): each lookup costs one dict access,
    and the fuzzy one (difflib) only when ``fuzzy``."""

    def __init__(self, candidates: Iterable[str], fuzzy: bool = True) -> None:
        self.candidates = sorted(set(candidates))
        self.fuzzy = fuzzy
        self.by_squashed: dict[str, list[str]] = {}
        for name in self.candidates:
            self.by_squashed.setdefault(squashed(name), []).append(name)

    def closest(self, name: str) -> str | None:
        """The candidate ``name`` was most likely meant to be, or None when none is close."""
        same = [c for c in self.by_squashed.get(squashed(name), ()) if c != name]
        if same:
            return same[0]
        if not self.fuzzy:
            return None
        close = difflib.get_close_matches(name, [c for c in self.candidates if c != name], n=1, cutoff=0.8)
        return close[0] if close else None


def closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, or None when none is close."""
    return Names(candidates).closest(name)


class PaddedIds:
    """The all-digit ids and folder names that start with a zero (``001``), indexed once, so
    that :meth:`lost_zeros` costs a lookup, not a pass over every other id."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_number: dict[str, str] = {}  # "7" -> the first of "007", "0007"... in order
        self.widths: set[int] = set()
        for name in names:
            if name.isdigit() and name.startswith("0"):
                self.by_number.setdefault(name.lstrip("0"), name)
                self.widths.add(len(name))

    def lost_zeros(self, child_id: str) -> str | None:
        """See :func:`lost_zeros`."""
        if not child_id.isdigit() or child_id.startswith("0"):
            return None
        padded = self.by_number.get(child_id)
        if padded is not None:
            return padded
        if len(self.widths) == 1 and (width := next(iter(self.widths))) > len(child_id):
            return child_id.zfill(width)
        return None


def lost_zeros(child_id: str, others: Sequence[str]) -> str | None:
    """The id as it probably was before a spreadsheet dropped its leading zeros, or None.

    ``others`` are the other ids and the faces/ folder names. An all-digit id is
    suspect when an id or folder is the same number with zeros in front, or when the
    other all-digit ids are longer and start with a zero (``001``, ``002``, then ``7``).
    """
    return PaddedIds(others).lost_zeros(child_id)


#: Warnings of one kind said one by one in a report; past this, one line counts the rest
#: (``photoaudit children`` lists every one).
MOST_SAID = 10


def at_most(lines: list[str], most: int | None, what: str) -> list[str]:
    """``lines``, the first ``most`` of them and a line counting the rest (all of them: None)."""
    if most is None or len(lines) <= most:
        return lines
    return [*lines[:most], f"... and {len(lines) - most} more {what} like these: "
                           "`photoaudit children` lists every one."]


def register_warnings(register: Register, listing: FacesListing, most: int | None = MOST_SAID) -> list[str]:
    """Ids that look changed by a spreadsheet (an id with a space or other sign is an error
    of the register itself: :mod:`photoaudit.setting.register`); past ``most``, counted.

    Linear in the register's size: the ids are indexed once (:class:`PaddedIds`).
    """
    ids = sorted(register.children)
    padded = PaddedIds([*ids, *(f for f in listing if f)])  # an id never counts for itself: it has no zero
    found = []
    for child_id in ids:
        was = padded.lost_zeros(child_id)
        if was is not None:
            child = register.children[child_id]
            where = f"{child.name} ({child_id})" + (f", line {child.line} of the register" if child.line else "")
            found.append(
                f"The child_id {child_id} of {where} may have lost its leading zeros in a spreadsheet "
                f"(did you mean {was}?). Excel removes them from numbers: format the child_id column "
                "as Text and type the id again."
            )
    return at_most(found, most, "child_ids that may have lost their leading zeros")


def folder_warnings(register: Register, listing: FacesListing, eligible: Sequence[str],
                    most: int | None = MOST_SAID) -> list[str]:
    """faces/ folders no child uses, children whose folder is missing, and files skipped;
    past ``most`` of a kind, counted.

    ``eligible`` are the children who may be enrolled (attending, face matching yes).
    """
    unknown = sorted(f for f in listing if f and f not in register.children)
    ids = Names(register.children, fuzzy=len(unknown) * len(register.children) <= FUZZY_BUDGET)
    loose = [f"faces/{name} is not in a child's folder, so it is not used: move it into faces/<child_id>/."
             for name in listing.get("", [])]
    found = at_most(loose, most, "photos not in a child's folder")
    folders = []
    for folder in unknown:
        meant = ids.closest(folder)
        hint = (f" Did you mean {meant} ({register.children[meant].name})? Rename the folder to "
                f"faces/{meant}: it must be named exactly as the child_id." if meant else "")
        folders.append(f"faces/{folder}: no child with this id in the register; not enrolled.{hint}")
    found += at_most(folders, most, "folders with no child's id")
    files = []
    for child_id in eligible:
        for name in listing.get(child_id, []):
            if Path(name).suffix.lower() not in PHOTO_SUFFIXES:
                why = ("photoaudit does not read .webp photos" if name.lower().endswith(".webp")
                       else "it is not a kind of photo photoaudit reads")
                files.append(f"faces/{child_id}/{name} is not used: {why}. Reference photos must be "
                             f"{READABLE} files (save it as JPEG).")
    return found + at_most(files, most, "files that are not reference photos")


def unused_folders(listing: FacesListing, register: Register, lookups: int = 1) -> Names:
    """The faces/ folders no child uses, to look ``lookups`` misnamed folders up among."""
    unused = [f for f in listing if f and f not in register.children]
    return Names(unused, fuzzy=lookups * len(unused) <= FUZZY_BUDGET)


def missing_folder_hint(child_id: str, listing: FacesListing, register: Register,
                        unused: Names | None = None) -> str:
    """' There is a folder faces/c6: ...' when a child's folder seems to be misnamed, else ''.

    ``unused`` (:func:`unused_folders`, made once) saves indexing the folders for every child.
    """
    meant = (unused or unused_folders(listing, register)).closest(child_id)
    if meant is None:
        return ""
    return (f" There is a folder faces/{meant}: if those are their photos, the folder must be named "
            f"exactly as the child_id (rename it to faces/{child_id}, or correct the child_id if a "
            "spreadsheet changed it).")
