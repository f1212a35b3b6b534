"""Every CSV cell photoaudit writes is escaped the same way against CSV injection (issue 13, item 15)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from photoaudit.cli.shared import csv_line
from photoaudit.core.models import Action, FaceMatch, FaceStatus, PhotoVerdict, Use
from photoaudit.formats import csv_report
from photoaudit.operations.examine import AuditResult

FORMULAS = ["=1+1", "+44 7700", "-2", "@SUM(A1)", "\t=1", "\r=1"]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_every_column_of_the_csv_report_is_escaped(formula: str) -> None:
    """journeys and children too (they were not), not only the free-text columns."""
    face = FaceMatch(FaceStatus.MATCHED, (0, 10, 10, 0), child_id=formula)
    verdict = PhotoVerdict(formula + ".jpg", Action.KEEP, {"website": Use.ALLOWED}, journeys=(formula,),
                           faces=(face,), reasons=(formula,), notes=(formula,))
    result = AuditResult(Path("/srv/transfer"), date(2026, 11, 22), [verdict])
    header, line = rows(csv_report.render(result))
    cells = dict(zip(header, line, strict=True))
    for column in ("photo", "journeys", "children", "reasons", "notes"):
        assert cells[column].startswith("'"), (column, cells[column])
    assert not any(c.startswith(csv_report.FORMULA_START) for c in line)


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_devices_rows_are_escaped_the_same_way(formula: str) -> None:
    line = csv_line(["", "", formula, "Model, with a comma", formula, "tablet-1"])
    (cells,) = rows(line)
    assert cells[2] == csv_report.cell(formula) and cells[4] == csv_report.cell(formula)
    assert cells[3] == "Model, with a comma"
    assert not any(c.startswith(csv_report.FORMULA_START) for c in cells)


def test_plain_cells_are_left_as_they_are() -> None:
    assert csv_report.cell("tablet-1/IMG_0001.jpg") == "tablet-1/IMG_0001.jpg"
    assert csv_report.cell(3) == "3" and csv_report.cell(None) == ""


# -- issue 25, item 15: no control character is written raw into a report ------------------

ESCAPE = "\x1b[2J\x1b[31m"  # clears a terminal that `cat`s the file, then writes in red


def test_escape_bytes_in_a_name_or_a_camera_make_never_reach_the_csv() -> None:
    from photoaudit.core.provenance import Camera, Provenance

    camera = Camera(f"Evil{ESCAPE}Corp", "Tab\x07let")
    verdict = PhotoVerdict(f"a{ESCAPE}b.jpg", Action.REVIEW, {"website": Use.REVIEW},
                           reasons=(f"from {ESCAPE} here",), notes=("bell\x07",),
                           provenance=Provenance(camera=camera))
    result = AuditResult(Path("/srv/transfer"), date(2026, 11, 22), [verdict])
    for text in (csv_report.render(result), csv_report.render_faces(result)):
        assert not any(c in text for c in "\x1b\x07"), text
    (cells,) = rows(csv_report.render(result))[1:]
    assert cells[0] == "a\\x1b[2J\\x1b[31mb.jpg"
    assert "Evil\\x1b[2J\\x1b[31mCorp" in " ".join(cells) and "Tab\\x07let" in " ".join(cells)
