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
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..media.imaging import PHOTO_SUFFIXES
from ..core.models import Register

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


def closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, or None when none is close."""
    same = [c for c in candidates if c != name and squashed(c) == squashed(name)]
    if same:
        return sorted(same)[0]
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1, cutoff=0.8)
    return close[0] if close else None


def lost_zeros(child_id: str, others: Sequence[str]) -> str | None:
    """The id as it probably was before a spreadsheet dropped its leading zeros, or None.

    ``others`` are the other ids and the faces/ folder names. An all-digit id is
    suspect when an id or folder is the same number with zeros in front, or when the
    other all-digit ids are longer and start with a zero (``001``, ``002``, then ``7``).
    """
    if not child_id.isdigit() or child_id.startswith("0"):
        return None
    padded = [o for o in others if o.isdigit() and o.startswith("0") and o.lstrip("0") == child_id]
    if padded:
        return padded[0]
    widths = {len(o) for o in others if o.isdigit() and o.startswith("0")}
    if len(widths) == 1 and (width := widths.pop()) > len(child_id):
        return child_id.zfill(width)
    return None


def register_warnings(register: Register, listing: FacesListing) -> list[str]:
    """Ids that look changed by a spreadsheet (an id with a space or other sign is an error
    of the register itself: :mod:`photoaudit.setting.register`)."""
    ids = sorted(register.children)
    found = []
    for child_id in ids:
        child = register.children[child_id]
        where = f"{child.name} ({child_id})" + (f", line {child.line} of the register" if child.line else "")
        others = [i for i in ids if i != child_id] + [f for f in listing if f]
        was = lost_zeros(child_id, others)
        if was is not None:
            found.append(
                f"The child_id {child_id} of {where} may have lost its leading zeros in a spreadsheet "
                f"(did you mean {was}?). Excel removes them from numbers: format the child_id column "
                "as Text and type the id again."
            )
    return found


def folder_warnings(register: Register, listing: FacesListing, eligible: Sequence[str]) -> list[str]:
    """faces/ folders no child uses, children whose folder is missing, and files skipped.

    ``eligible`` are the children who may be enrolled (attending, face matching yes).
    """
    ids = sorted(register.children)
    folders = sorted(f for f in listing if f)
    found = []
    for name in listing.get("", []):
        found.append(f"faces/{name} is not in a child's folder, so it is not used: move it into "
                     "faces/<child_id>/.")
    for folder in folders:
        if folder in register.children:
            continue
        meant = closest(folder, ids)
        hint = (f" Did you mean {meant} ({register.children[meant].name})? Rename the folder to "
                f"faces/{meant}: it must be named exactly as the child_id." if meant else "")
        found.append(f"faces/{folder}: no child with this id in the register; not enrolled.{hint}")
    for child_id in eligible:
        for name in listing.get(child_id, []):
            if Path(name).suffix.lower() not in PHOTO_SUFFIXES:
                why = ("photoaudit does not read .webp photos" if name.lower().endswith(".webp")
                       else "it is not a kind of photo photoaudit reads")
                found.append(f"faces/{child_id}/{name} is not used: {why}. Reference photos must be "
                             f"{READABLE} files (save it as JPEG).")
    return found


def missing_folder_hint(child_id: str, listing: FacesListing, register: Register) -> str:
    """' There is a folder faces/c6: ...' when a child's folder seems to be misnamed, else ''."""
    unused = [f for f in listing if f and f not in register.children]
    meant = closest(child_id, unused)
    if meant is None:
        return ""
    return (f" There is a folder faces/{meant}: if those are their photos, the folder must be named "
            f"exactly as the child_id (rename it to faces/{child_id}, or correct the child_id if a "
            "spreadsheet changed it).")
