"""The CSV reports, for the manager's spreadsheet: one row per photo, or one per face.

Both start with a UTF-8 byte order mark, so Excel shows names with accents correctly,
and guard every text cell against being run as a formula. The separator is a comma,
or (``--csv-sep ';'``) a semicolon for Excel set to a European language, where a comma
is the decimal mark and Excel expects semicolons; or a tab.

The per-face CSV (``--faces-csv``) has the columns ``photo``, ``face`` and ``decision``
first, with the decision left blank: fill it in (a child id, ``adult``, ``not a face``
or ``skip``) and give the file as it is to ``photoaudit review --decisions``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core.decisions import STAFF_WORD, needs_person
from ..core.errors import BadValue
from ..core.models import Candidate, FaceMatch, FaceStatus, PhotoVerdict, Register
from ..core.staff_rules import staff_label
from ..core.words import literal
from ..media.sources import shown
from ..operations.results import AuditResult

if TYPE_CHECKING:
    from _csv import Writer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: What ``--csv-sep`` accepts, and the character each one means.
SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}


def separator(text: str) -> str:
    """The separator character for ``--csv-sep``; ValueError in plain words for anything else."""
    try:
        return SEPARATORS[text if text in SEPARATORS else text.strip().lower()]
    except KeyError:
        raise BadValue(
            f"--csv-sep {text!r} is not a separator photoaudit writes: use ',' (the default), "
            "';' (Excel in most European languages) or 'tab'."
        ) from None


def cell(value: object) -> str:
    """One CSV cell, safe in a spreadsheet: text that would start a formula gets a ' before it,
    and control characters (an escape byte in a file name or a camera's EXIF ``Make``) are
    shown as ``\\x1b`` (:func:`~photoaudit.core.words.literal`), never written raw.

    The one helper for every CSV cell photoaudit writes (CSV injection: ``=1+1``,
    ``+44...``, ``-2``, ``@SUM(...)``), whatever column it is in.
    """
    text = "" if value is None else str(value)
    return literal("'" + text if text.startswith(FORMULA_START) else text)


def row(values: Iterable[object]) -> list[str]:
    return [cell(v) for v in values]


def name_of(child_id: str | None, register: Register | None) -> str:
    child = register.get(child_id) if register is not None and child_id else None
    return child.name if child is not None and child.name else ""


def writer_for(out: io.StringIO, sep: str) -> Writer:
    return csv.writer(out, delimiter=sep, lineterminator="\r\n")


def render(result: AuditResult, register: Register | None = None, sep: str = ",") -> str:
    """CSV with a UTF-8 byte order mark, so Excel shows names with accents correctly.

    One row per photo, then one row per skipped file (action ``skipped``, the reason in
    ``reasons``). Names that are not UTF-8 are shown escaped (``\\xff``). The ``names``
    column gives the children's names beside their ids.
    """
    return "\ufeff" + _rows(result, register, sep)


def _rows(result: AuditResult, register: Register | None, sep: str) -> str:
    purposes = list(result.verdicts[0].purposes) if result.verdicts else []
    out = io.StringIO()
    writer = writer_for(out, sep)
    writer.writerow(row(["photo", "action", *purposes, "journeys", "children", "names", "unidentified faces",
                         "reasons", "breach", "camera", "device", "taken", "gps", "notes", "dsl"]))
    dsl: dict[str, list[str]] = {}
    for finding in result.dsl.findings if result.dsl is not None else ():
        for photo in finding.photos:
            dsl.setdefault(photo, []).append(finding.kind.value)
    for v in result.verdicts:
        children = [f.child_id for f in v.faces if f.status is FaceStatus.MATCHED and f.child_id]
        unidentified = sum(f.status is not FaceStatus.MATCHED and f.counts_for_consent for f in v.faces)
        found = v.provenance
        writer.writerow(row(
            [
                shown(v.path),
                v.action.value,
                *(v.purposes[p].value for p in purposes),
                " ".join(v.journeys),
                " ".join(children),
                "; ".join(name_of(c, register) or c for c in children),
                unidentified,
                shown(" ".join(v.reasons)),
                "yes" if found and found.breach else "no",
                found.camera.describe() if found and found.camera else "",
                (found.device_id or "") if found else "",
                found.taken.isoformat(sep=" ") if found and found.taken else "",
                "yes" if found and found.gps else "no",
                shown(" ".join(v.notes)),
                " ".join(dict.fromkeys(dsl.get(v.path, ()))),
            ]
        ))
    blank = [""] * len(purposes)
    for skipped in result.skipped:
        writer.writerow(row([shown(skipped.relative), "skipped", *blank, "", "", "", "", skipped.reason,
                             "", "", "", "", "", "", ""]))
    return out.getvalue()


def twice_key(face: FaceMatch) -> str | None:
    """Who a face counts as for "matched twice": a counted child, or an undecided member of staff."""
    if face.status is not FaceStatus.MATCHED:
        return None
    if face.counts_for_consent and face.child_id:
        return face.child_id
    return face.key if face.staff_id and face.decision is None else None


def matched_twice(verdict: PhotoVerdict) -> set[str]:
    counted = Counter(key for f in verdict.faces if (key := twice_key(f)) is not None)
    return {c for c, n in counted.items() if n > 1}


def decided_words(face: FaceMatch, register: Register | None) -> str:
    decision = face.decision
    if decision is None:
        return ""
    who = f" by {decision.by}" if decision.by else ""
    if decision.staff_id:
        member = register.staff.get(decision.staff_id) if register is not None else None
        return staff_label(member, decision.staff_id) + who
    if decision.child_id:
        name = name_of(decision.child_id, register)
        return f"{decision.child_id}" + (f" ({name})" if name else "") + who
    return decision.kind.value.replace("_", " ") + who


def candidate_words(candidate: Candidate, register: Register | None) -> str:
    if candidate.staff:
        member = register.staff.get(candidate.child_id) if register is not None else None
        return f"{staff_label(member, candidate.child_id)} {candidate.distance:.2f}"
    name = name_of(candidate.child_id, register)
    return f"{candidate.child_id} {name} {candidate.distance:.2f}" if name else f"{candidate.child_id} {candidate.distance:.2f}"


def render_faces(result: AuditResult, register: Register | None = None, sep: str = ",") -> str:
    """One row per face, numbered as in every report; ``decision`` is left blank to fill in."""
    out = io.StringIO()
    writer = writer_for(out, sep)
    writer.writerow(row(["photo", "face", "decision", "needs a person", "photoaudit thinks", "child_id", "name",
                         "distance", "nearest children", "decided already", "photo action", "time in video"]))
    for v in result.verdicts:
        twice = matched_twice(v)
        for number, face in enumerate(v.faces, start=1):
            again = twice_key(face) in twice
            member = register.staff.get(face.staff_id) if register is not None and face.staff_id else None
            status = "matched twice" if again else face.status.value
            writer.writerow(row(
                [
                    shown(v.path),
                    number,
                    "",
                    "yes" if needs_person(face.status, face.decision is not None, again, face.caution) else "no",
                    status,
                    (f"{STAFF_WORD} {face.staff_id}" if face.staff_id else face.child_id or "")
                    if face.status is FaceStatus.MATCHED else "",
                    (staff_label(member, face.staff_id) if face.staff_id else name_of(face.child_id, register))
                    if face.status is FaceStatus.MATCHED else "",
                    "" if face.distance is None else f"{face.distance:.2f}",
                    ("; ".join(candidate_words(c, register) for c in face.candidates)),
                    (decided_words(face, register)),
                    v.action.value,
                    "" if face.time is None else f"{face.time:.1f}",
                ]
            ))
    return "\ufeff" + out.getvalue()
