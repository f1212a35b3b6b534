"""The HTML report's content, without a browser (tests/formats/test_html_browser.py opens it in one).

Reports are built from hand-made verdicts over real image files in tmp_path: the
public-domain sample faces, never real children.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import piexif
import pytest
from PIL import Image

from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    Override,
    PersonDecision,
    PhotoVerdict,
    Register,
    Use,
)
from photoaudit.formats import html_report
from photoaudit.media.samples import (
    astronaut_face,
    grace_hopper_face,
    save_jpeg_with_orientation,
    scene,
)
from photoaudit.operations.results import AuditResult

TODAY = date(2026, 11, 20)
FUTURE = date(2030, 9, 1)
EVIL_NAME = '<img src=x onerror="document.title=\'pwned\'">Evil & "Co"'
EVIL_PATH = 'tablet/<script>alert("x")</script>.jpg'


def child(child_id: str, name: str, no: tuple[str, ...] = (), **kw: object) -> Child:
    fields = dict(consents={p: p not in no for p in PURPOSES}, face_matching=True, consent_review_due=FUTURE)
    fields.update(kw)
    return Child(child_id=child_id, name=name, **fields)  # type: ignore[arg-type]


REGISTER = Register({c.child_id: c for c in (
    child("c01", "Ava Patel"),
    child("c02", "Grace Okafor", ("website", "social_media")),
    child("c03", "Sam Jones", PURPOSES),
    child("c04", "Leo Smith", status="left"),
    child("c07", EVIL_NAME),
)})


def as_judged(verdict: PhotoVerdict) -> PhotoVerdict:
    """A hand-made verdict with what the judge adds (photoaudit.core.judge): the uses it is
    cleared for as it is, and each face's (a registered child's consent; never a doubtful face)."""
    def face_uses(f: FaceMatch) -> tuple[str, ...]:
        child = REGISTER.get(f.child_id) if f.status is FaceStatus.MATCHED and f.decision is None or (
            f.decision is not None and f.decision.kind is FaceDecision.CHILD) else None
        return tuple(p for p in PURPOSES if child is not None and not child.has_left and child.allows(p))
    return replace(verdict, cleared_for=tuple(p for p, u in verdict.purposes.items() if u is Use.ALLOWED),
                   faces_cleared_for=tuple(face_uses(f) for f in verdict.faces))


def result_of(folder: Path, verdicts: list[PhotoVerdict], **kw: object) -> AuditResult:
    return AuditResult(folder, TODAY, [as_judged(v) for v in verdicts], **kw)  # type: ignore[arg-type]


def uses(**overrides: Use) -> dict[str, Use]:
    return {p: overrides.get(p, Use.ALLOWED) for p in PURPOSES}


def face(status: FaceStatus, box, child_id=None, candidates=(), decision=None) -> FaceMatch:
    return FaceMatch(status, box, child_id, 0.1 if child_id else None, tuple(candidates), decision=decision)


def build(tmp_path: Path) -> AuditResult:
    """Four photos, each showing something the report must get right."""
    folder = tmp_path / "transfer"
    (folder / "tablet").mkdir(parents=True)
    ava, grace = astronaut_face(), grace_hopper_face()
    scene([(ava, (100, 150), 240), (grace, (560, 120), 260)], (1000, 750), seed=3).save(folder / "party.jpg", quality=90)
    # A photo stored sideways (EXIF orientation 6), with GPS and a camera serial that must not leak.
    upright = scene([(ava, (300, 500), 400)], (1000, 1400), seed=4)
    save_jpeg_with_orientation(upright, folder / "portrait.jpg", 6)
    exif = piexif.load(str(folder / "portrait.jpg"))
    exif["GPS"] = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((51, 1), (30, 1), (0, 1))}
    exif["Exif"][piexif.ExifIFD.BodySerialNumber] = b"SERIAL-1234"
    piexif.insert(piexif.dump(exif), str(folder / "portrait.jpg"))
    (folder / "tablet" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    scene([(grace, (300, 120), 300)], (900, 700), seed=2).save(folder / "evil.jpg", quality=90)

    verdicts = [
        PhotoVerdict(
            "party.jpg", Action.KEEP, uses(website=Use.WITHHELD, social_media=Use.WITHHELD), ("c01", "c02"),
            faces=(
                face(FaceStatus.MATCHED, (150, 340, 384, 100), "c01"),
                face(FaceStatus.AMBIGUOUS, (120, 820, 470, 560), candidates=(Candidate("c02", 0.4), Candidate("c03", 0.45))),
            ),
            reasons=("Grace Okafor (c02) has no consent for the website.",),
        ),
        PhotoVerdict(
            "portrait.jpg", Action.KEEP, uses(), ("c01",),
            faces=(face(FaceStatus.MATCHED, (500, 700, 860, 300), "c01"),),
            notes=("May go in the learning journey of: Ava Patel (c01).",),
        ),
        PhotoVerdict(
            "tablet/broken.jpg", Action.REVIEW, uses(**{p: Use.REVIEW for p in PURPOSES}),
            reasons=("The photo is damaged (corrupt data) and cannot be opened. A person must look at this file.",),
        ),
        PhotoVerdict(
            "evil.jpg", Action.DELETE, uses(**{p: Use.WITHHELD for p in PURPOSES}),
            faces=(
                face(FaceStatus.MATCHED, (120, 600, 470, 300), "c07",
                     decision=PersonDecision(FaceDecision.CHILD, "c07", "<b>Jo</b>", "2026-11-20T10:00:00")),
                face(FaceStatus.UNKNOWN, (10, 100, 90, 20), decision=PersonDecision(FaceDecision.ADULT, None, "Jo", "")),
                face(FaceStatus.UNKNOWN, (10, 300, 90, 220)),
                face(FaceStatus.MATCHED, (10, 500, 90, 420), "c03"),
                face(FaceStatus.MATCHED, (100, 500, 190, 420), "c04"),
            ),
            reasons=(f"{EVIL_NAME} has no consent </li><li>injected",),
            override=Override(Action.DELETE, 'Parent asked: "remove" <now>', "Jo </p>", "2026-11-20T11:00:00", Action.KEEP),
        ),
    ]
    return result_of(folder, verdicts, warnings=["A warning with <markup>"])


@pytest.fixture
def page(tmp_path: Path) -> str:
    return html_report.render(build(tmp_path), REGISTER)


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card".*?</article>', html, flags=re.S)


def card(html: str, path: str) -> str:
    (found,) = [c for c in cards(html) if f'<h2 class="path">{path}</h2>' in c]
    return found


def test_the_warning_comes_first(page: str) -> None:
    assert page.index("This report contains photos of children") < page.index("<article")
    assert "do not email, print, upload or share it" in page


def test_a_card_per_photo_with_its_action_and_uses(page: str) -> None:
    found = cards(page)
    assert len(found) == 4  # what needs doing first, then by path
    assert [re.search(r'data-action="(\w+)"', c).group(1) for c in found] == ["delete", "review", "keep", "keep"]
    party = card(page, "party.jpg")
    assert 'data-children="c01"' in party  # the uncertain face is nobody's yet
    assert 'data-cleared="learning_journey other_journeys display"' in party
    assert "✗ withheld" in party and "✓ allowed" in party


def test_summary_counts(page: str) -> None:
    summary = re.search(r'<p class="summary".*?</p>', page, flags=re.S).group(0)
    assert "4 photos" in summary and "2 keep" in summary and "1 delete" in summary and "1 need a person" in summary
    assert "0 breaches" in summary  # the JSON report counts them
    assert "1 forced by a person" in summary


def test_breaches_are_shown_when_the_report_has_them(tmp_path: Path) -> None:
    report = html_report.report_json(build(tmp_path))
    without = dict(report, summary={k: v for k, v in report["summary"].items() if k != "breaches"})
    assert "count breach" not in html_report.HtmlPage(without, REGISTER, TODAY, tmp_path, None, None).header()
    report["summary"]["breaches"] = 1
    report["images"][0]["breach"] = True
    report["images"][0]["gps"] = True
    page = html_report.HtmlPage(report, REGISTER, TODAY, tmp_path / "transfer", None, None).render()
    assert "1 breach<" in page and "breach: tell the DSL" in card(page, "party.jpg")
    assert "records a location" in card(page, "party.jpg") and "records a location" not in card(page, "evil.jpg")


def test_every_face_is_boxed_numbered_labelled_and_coloured(page: str) -> None:
    party, broken, evil = card(page, "party.jpg"), card(page, "tablet/broken.jpg"), card(page, "evil.jpg")
    assert re.search(r'class="face all"[^>]*title="1 · Ava Patel"', party)
    assert re.search(r'class="face review"[^>]*title="2 · uncertain: Grace Okafor or Sam Jones\?"', party)
    assert "Face 2: uncertain: Grace Okafor or Sam Jones?" in party and "Grace Okafor 0.40" in party
    assert 'class="face some"' not in party  # Grace is only a candidate here
    assert "No preview" in broken and "<img" not in broken
    kinds = re.findall(r'<div class="face (\w+)[^"]*" data-kind', evil)
    # A photo to delete: its children are never green (evil child, Sam, Leo); adult, unknown.
    assert kinds == ["gone", "ignored", "review", "gone", "gone"]
    assert "2 · adult" in evil and "3 · unknown" in evil
    assert "decided by a person" in evil


def test_the_colour_follows_each_childs_consent(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    scene([], (400, 300)).save(folder / "x.jpg")
    faces = tuple(face(FaceStatus.MATCHED, (10, 60 * i + 50, 50, 60 * i + 10), c) for i, c in enumerate(["c01", "c02", "c03", "c04"]))
    result = result_of(folder, [PhotoVerdict("x.jpg", Action.KEEP, uses(), faces=faces)])
    page = html_report.render(result, REGISTER)
    assert re.findall(r'<div class="face (\w+)', page) == ["all", "some", "none", "none"]
    assert 'data-ok="learning_journey other_journeys display"' in page  # Grace, for the purpose filter


def test_boxes_are_placed_on_the_upright_photo(page: str) -> None:
    portrait = card(page, "portrait.jpg")
    # The photo is 1000 x 1400 upright (stored 1400 x 1000 and turned by EXIF).
    assert "left:30.00%;top:35.71%;width:40.00%;height:25.71%" in portrait


def thumbnails(page: str) -> list[bytes]:
    found = re.findall(r'<div class="frame"[^>]*><img src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    return [base64.b64decode(m) for m in found]


def closeups(page: str) -> list[bytes]:
    found = re.findall(r'<img class="closeup" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page)
    return [base64.b64decode(m) for m in found]


def test_thumbnails_are_small_metadata_free_jpegs_of_the_upright_photo(page: str) -> None:
    thumbs = thumbnails(page)
    assert len(thumbs) == 3  # not the broken file
    for data in thumbs:
        assert b"SERIAL-1234" not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "JPEG" and max(im.size) <= html_report.THUMB_SIDE
            assert not im.getexif()
    (portrait,) = thumbnails(card(page, "portrait.jpg"))
    with Image.open(io.BytesIO(portrait)) as im:
        assert im.size[1] > im.size[0]  # upright: taller than wide
    assert len(page) < 3 * 80_000 + 40_000  # small enough to open quickly


def test_nothing_is_loaded_from_outside_the_file(page: str) -> None:
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    text = re.sub(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", "data:", page)
    assert not re.search(r"https?:|//[a-z]|<link|@import|<iframe|<object|<embed", text, flags=re.I)
    # No CSS url(...) anywhere (the script's URL.createObjectURL makes the download in the page).
    assert not re.search(r"url\(", re.sub(r"URL\.(create|revoke)ObjectURL\(", "", text), flags=re.I)
    assert not re.search(r'src="(?!data:)', page)


def test_every_string_is_escaped(page: str) -> None:
    for raw in ('<img src=x onerror', "<script>alert", "</li><li>injected", "<b>Jo</b>", "<markup>", "<now>", "Jo </p>"):
        assert raw not in page
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;Evil &amp; &quot;Co&quot;" in page
    assert "&lt;/li&gt;&lt;li&gt;injected" in page
    assert page.count("<script>") == 1  # only the report's own filter script


def test_a_hostile_path_is_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    result = result_of(folder, [PhotoVerdict(EVIL_PATH, Action.REVIEW, uses(), reasons=("x",))])
    page = html_report.render(result, REGISTER)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_override_is_shown_with_who_when_and_why(page: str) -> None:
    evil = card(page, "evil.jpg")
    assert "forced by a person" in evil
    assert "Action forced to <strong>delete</strong> by Jo &lt;/p&gt; on 2026-11-20 (photoaudit said: keep)" in evil
    assert "Parent asked: &quot;remove&quot; &lt;now&gt;" in evil


def test_filters_list_the_children_and_purposes_in_the_report(page: str) -> None:
    nav = re.search(r'<nav class="filters".*?</nav>', page, flags=re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', nav)
    assert {"review", "delete", "keep"} <= set(options)
    assert {"c01", "c03", "c04", "c07"} <= set(options) and "c02" not in options
    assert set(PURPOSES) <= set(options)
    assert "Showing 4 of 4 photos" in nav


def test_faces_get_the_numbers_the_decisions_csv_uses(page: str) -> None:
    assert "photoaudit review --decisions FILE" in page
    evil = card(page, "evil.jpg")
    assert [int(n) for n in re.findall(r'<span class="tag">(\d+)</span>', evil)] == [1, 2, 3, 4, 5]


def test_an_empty_audit_renders(tmp_path: Path) -> None:
    page = html_report.render(result_of(tmp_path, []), REGISTER)
    assert "0 photos" in page and "Showing 0 of 0 photos" in page


# -- issue 15: deciding faces in the page, close-ups, delete cards -----------------------
def decide_lists(html: str) -> list[str]:
    return re.findall(r'<select class="decide".*?</select>', html, flags=re.S)


def test_a_photo_to_delete_never_shows_a_green_box(page: str) -> None:
    evil = card(page, "evil.jpg")  # the evil-named child is cleared for everything, but the photo goes
    assert 'class="face all' not in evil and 'class="face some' not in evil
    assert 'class="face all' in card(page, "portrait.jpg")  # a photo to keep still does


def test_labels_on_the_photo_are_numbers_and_the_words_are_in_the_list(page: str) -> None:
    party = card(page, "party.jpg")
    assert re.findall(r'<span class="tag">([^<]*)</span>', party) == ["1", "2"]
    assert "Face 1: Ava Patel (c01)" in party and "Face 2: uncertain: Grace Okafor or Sam Jones?" in party


def test_each_face_needing_a_person_gets_a_who_is_this_list(page: str) -> None:
    party, evil = card(page, "party.jpg"), card(page, "evil.jpg")
    (uncertain,) = decide_lists(party)  # face 1 is matched: no list
    assert 'data-photo="party.jpg" data-face="2"' in uncertain
    values = re.findall(r'<option value="([^"]*)"', uncertain)
    assert values[0] == ""  # "not decided yet" comes first and is what is chosen
    assert values[1:3] == ["c02", "c03"]  # the nearest children first, nearest at the top
    assert set(REGISTER.children) <= set(values) and "adult" in values and "not a face" in values
    assert "selected" not in uncertain  # nothing is chosen for the person
    assert "Grace Okafor (c02), distance 0.40" in uncertain
    assert "Leo Smith (c04), has left" in uncertain
    (unknown,) = decide_lists(evil)  # face 3; face 2 was decided (adult), the others are matched
    assert 'data-face="3"' in unknown
    assert len(decide_lists(page)) == 2
    assert 'id="save-decisions"' in page and 'data-file="decisions-2026-11-20.csv"' in page


def test_a_child_matched_twice_gets_lists_with_that_child_first(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    scene([], (400, 300)).save(folder / "x.jpg")
    faces = (face(FaceStatus.MATCHED, (10, 60, 50, 10), "c02"), face(FaceStatus.MATCHED, (10, 160, 50, 110), "c02"))
    result = result_of(folder, [PhotoVerdict("x.jpg", Action.REVIEW, uses(), faces=faces)])
    lists = decide_lists(html_report.render(result, REGISTER))
    assert len(lists) == 2
    assert all(re.findall(r'<option value="([^"]*)"', found)[1] == "c02" for found in lists)


def test_the_lists_choices_come_from_one_place_and_review_reads_each(page: str) -> None:
    from photoaudit.core.decisions import FACE_CHOICES, parse_decision

    (uncertain, _) = decide_lists(page)
    for value, words in FACE_CHOICES:
        assert f'<option value="{value}" data-name="">{words}</option>' in uncertain
        decision = parse_decision(value, sorted(REGISTER.children))
        assert decision is not None and decision.kind is not FaceDecision.CHILD


def test_every_face_has_a_metadata_free_close_up(page: str) -> None:
    found = closeups(page)
    assert len(found) == 2 + 1 + 5  # party, portrait, evil
    for data in found:
        assert b"SERIAL-1234" not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "JPEG" and max(im.size) <= html_report.CLOSEUP_SIDE
            assert not im.getexif()
    (portrait,) = closeups(card(page, "portrait.jpg"))
    with Image.open(io.BytesIO(portrait)) as im:  # the 360 px face, cut from the full photo
        assert max(im.size) == html_report.CLOSEUP_SIDE


def test_staff_are_choices_in_the_lists_and_review_reads_them(tmp_path: Path) -> None:
    from dataclasses import replace

    from photoaudit.core.decisions import parse_decision
    from photoaudit.core.models import StaffMember, StaffRegister

    staff = StaffRegister({"JS01": StaffMember("JS01", "Jo Smith", {}, True)})
    register = replace(REGISTER, staff=staff)
    folder = tmp_path / "t"
    folder.mkdir()
    scene([], (400, 300)).save(folder / "x.jpg")
    near = (Candidate("c02", 0.40), Candidate("JS01", 0.42, staff=True))
    faces = (face(FaceStatus.AMBIGUOUS, (10, 60, 50, 10), candidates=near),)
    result = result_of(folder, [PhotoVerdict("x.jpg", Action.REVIEW, uses(), faces=faces)])
    (found,) = decide_lists(html_report.render(result, register))
    values = re.findall(r'<option value="([^"]*)"', found)
    assert values[1:3] == ["c02", "staff JS01"]  # nearest first, the member of staff among them
    assert '<optgroup label="Staff">' in found and "Jo Smith (staff JS01), distance 0.42" in found
    decision = parse_decision("staff JS01", sorted(register.children), sorted(staff.members))
    assert decision is not None and decision.kind is FaceDecision.STAFF and decision.staff_id == "JS01"


def test_a_match_a_person_must_confirm_gets_a_who_is_this_list(tmp_path: Path) -> None:
    """The review queue, the HTML lists and the faces CSV ask about the same faces: a match
    the safeguards want confirmed (a young child, a twin, a loose likeness) is one of them."""
    from dataclasses import replace

    folder = tmp_path / "t"
    folder.mkdir()
    scene([], (400, 300)).save(folder / "x.jpg")
    sure = face(FaceStatus.MATCHED, (10, 60, 50, 10), "c02")
    doubt = replace(face(FaceStatus.MATCHED, (10, 160, 50, 110), "c03"), caution="a person must confirm")
    result = result_of(folder, [PhotoVerdict("x.jpg", Action.KEEP, uses(), faces=(sure, doubt))])
    (found,) = decide_lists(html_report.render(result, REGISTER))
    assert 'data-face="2"' in found


def test_a_photo_with_no_face_found_can_be_decided_no_children_in_the_page(tmp_path: Path) -> None:
    """Rule 5 of issue 12: the page offers "no children in this photo", written as the
    decisions CSV's photo-level row (face blank, decision "no children")."""
    from photoaudit.core.decisions import is_no_children
    from photoaudit.core.safeguards import FACELESS_MARK

    folder = tmp_path / "t"
    folder.mkdir()
    scene([], (400, 300)).save(folder / "empty.jpg")
    scene([], (400, 300)).save(folder / "seen.jpg")
    waiting = PhotoVerdict("empty.jpg", Action.KEEP, uses(), reasons=(f"No face found: {FACELESS_MARK}.",))
    plain = PhotoVerdict("seen.jpg", Action.KEEP, uses())
    page = html_report.render(result_of(folder, [waiting, plain]), REGISTER)
    (found,) = decide_lists(page)
    assert 'data-photo="empty.jpg" data-face=""' in found
    (value,) = [v for v in re.findall(r'<option value="([^"]*)"', found) if v]
    assert is_no_children(value)


def test_escape_bytes_in_names_and_camera_makes_never_reach_the_page() -> None:
    """Issue 25, item 15: an escape byte (from a file name, EXIF Make) is shown as \\x1b."""
    evil = "\x1b[2J\x1b]0;pwned\x07"
    verdict = PhotoVerdict(
        f"tablet/a{evil}.jpg", Action.DELETE, uses(**{p: Use.WITHHELD for p in PURPOSES}),
        reasons=(f"The camera Evil{evil}Corp Tablet is not one of the setting's devices (R6).",),
        notes=("bidi \u202egpj.exe",),
    )
    result = AuditResult(Path("/srv/transfer"), TODAY, [verdict], warnings=[f"warning {evil}"])
    page = html_report.render(result, REGISTER, thumbnails=None)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", page)
    assert "tablet/a\\x1b[2J\\x1b]0;pwned\\x07.jpg" in page and "Evil\\x1b[2J" in page
    assert "warning \\x1b[2J" in page and "\\u202egpj.exe" in page
