"""The CSV report: one row per photo, for the manager's spreadsheet."""

from __future__ import annotations

import csv
import io

from ..auditor import AuditResult
from ..models import FaceStatus
from ..sources import shown

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One CSV cell, safe in a spreadsheet: text that would start a formula gets a ' before it.

    The one helper for every CSV cell photoaudit writes (CSV injection: ``=1+1``,
    ``+44...``, ``-2``, ``@SUM(...)``), whatever column it is in.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(values: list[object]) -> list[str]:
    return [cell(v) for v in values]


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
    writer.writerow(row(["photo", "action", *purposes, "journeys", "children", "unidentified faces", "reasons",
                     "breach", "camera", "device", "taken", "gps", "notes"]))
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
                unidentified,
                shown(" ".join(v.reasons)),
                "yes" if found and found.breach else "no",
                found.camera.describe() if found and found.camera else "",
                (found.device_id or "") if found else "",
                found.taken.isoformat(sep=" ") if found and found.taken else "",
                "yes" if found and found.gps else "no",
                shown(" ".join(v.notes)),
            ]
        ))
    blank = [""] * len(purposes)
    for skipped in result.skipped:
        writer.writerow(row([shown(skipped.relative), "skipped", *blank, "", "", "", skipped.reason,
                             "", "", "", "", "", ""]))
    return out.getvalue()
