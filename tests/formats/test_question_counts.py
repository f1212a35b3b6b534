"""The terminal's "N face(s) need a person" and the HTML report's "Who is this?" lists count
the same faces: the ones ``review`` asks about (core.decisions.open_faces).

The cause of the old disagreement: the terminal counted unknown and uncertain faces and one
child matched twice, but not a match a person must confirm (a young child, a likeness not
close enough for public uses), while the HTML gave those a list; and the HTML counted its
"no face found" lists as faces too.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_html_report import REGISTER, face, result_of, uses

from photoaudit.core.models import Action, FaceMatch, FaceStatus, PhotoVerdict
from photoaudit.core.safeguards import FACELESS_MARK
from photoaudit.formats import html_report
from photoaudit.formats.terminal import AfterAudit, next_steps


def week(tmp_path: Path):
    unknown = face(FaceStatus.UNKNOWN, (10, 100, 90, 20))
    young = FaceMatch(FaceStatus.MATCHED, (10, 300, 90, 220), "c01", 0.3, caution="a young child: confirm")
    faceless = f"No face was found{FACELESS_MARK}"
    verdicts = [
        PhotoVerdict("a.jpg", Action.REVIEW, uses(), ("c01",), faces=(unknown, young)),
        PhotoVerdict("b.jpg", Action.REVIEW, uses(), faces=(unknown,)),
        PhotoVerdict("c.jpg", Action.REVIEW, uses(), faces=(unknown,)),
        PhotoVerdict("empty.jpg", Action.KEEP, uses(), reasons=(faceless,)),
    ]
    return result_of(tmp_path, verdicts)


def test_the_terminal_and_the_html_count_the_same_faces(tmp_path: Path) -> None:
    result = week(tmp_path)
    steps = " ".join(next_steps(result, AfterAudit("transfer")))
    page = html_report.render(result, REGISTER, thumbnails=None)
    face_lists = re.findall(r'<select class="decide" data-photo="[^"]*" data-face="(\d+)"', page)
    assert "4 face(s) need a person" in steps
    assert len(face_lists) == 4
    assert "1 photo(s) with no face found wait for a person" in steps
    assert len(re.findall(r'<select class="decide" data-photo="[^"]*" data-face=""', page)) == 1


def test_a_group_is_one_question_in_both(tmp_path: Path) -> None:
    from photoaudit.operations.results import IdentifyGroup

    result = week(tmp_path)
    result.people_to_identify = [IdentifyGroup("u1", (("a.jpg", 1), ("b.jpg", 1), ("c.jpg", 1)))]
    steps = " ".join(next_steps(result, AfterAudit("transfer")))
    assert "4 face(s) need a person to say who they are (2 question(s): 1 group(s) of look-alike faces, " \
           "1 face(s) on their own)" in steps
    page = html_report.render(result, REGISTER, thumbnails=None)
    assert len(re.findall(r'data-group="u1"', page)) == 1
    assert len(re.findall(r'<select class="decide" data-photo="[^"]*" data-face="(\d+)"', page)) == 1
    assert page.count('in group <a href="#group-u1">u1</a>') == 3
