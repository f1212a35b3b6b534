"""The CSV report: one row per photo, for the manager's spreadsheet."""

from __future__ import annotations

import csv
import io

from ..auditor import AuditResult
from ..models import FaceStatus
from ..sources import shown

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def render(result: AuditResult) -> str:
    """CSV with a UTF-8 byte order mark, so Excel shows names with accents correctly.

    One row per photo, then one row per skipped file (action ``skipped``, the reason in
    ``reasons``). Names that are not UTF-8 are shown escaped (``\\xff``).
    """
    return "\ufeff" + _rows(result)


def _rows(result: AuditResult) -> str:
    purposes = list(result.verdicts[0].purposes) if result.verdicts else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["photo", "action", *purposes, "journeys", "children", "unidentified faces", "reasons",
                     "breach", "camera", "device", "taken", "gps", "notes"])
    for v in result.verdicts:
        children = [f.child_id for f in v.faces if f.status is FaceStatus.MATCHED and f.child_id]
        unidentified = sum(f.status is not FaceStatus.MATCHED and f.counts_for_consent for f in v.faces)
        found = v.provenance
        writer.writerow(
            [
                cell(shown(v.path)),
                v.action.value,
                *(v.purposes[p].value for p in purposes),
                " ".join(v.journeys),
                " ".join(children),
                unidentified,
                cell(shown(" ".join(v.reasons))),
                "yes" if found and found.breach else "no",
                cell(found.camera.describe()) if found and found.camera else "",
                cell(found.device_id or "") if found else "",
                found.taken.isoformat(sep=" ") if found and found.taken else "",
                "yes" if found and found.gps else "no",
                cell(shown(" ".join(v.notes))),
            ]
        )
    blank = [""] * len(purposes)
    for skipped in result.skipped:
        writer.writerow([cell(shown(skipped.relative)), "skipped", *blank, "", "", "", cell(skipped.reason),
                         "", "", "", "", "", ""])
    return out.getvalue()
