"""What ``photoaudit children`` shows, and the consents to renew (photoaudit.core.renewals).

Pure: children are plain values, the table is rendered to text. No images, no engine.
"""

from __future__ import annotations

from datetime import date

from rich.console import Console

from photoaudit.core.models import PURPOSES, Child, Register
from photoaudit.core.renewals import RENEW_WITHIN_DAYS, due_soon, renewal_warning, to_renew
from photoaudit.formats import children_view
from photoaudit.setting.references import ChildReferences

TODAY = date(2026, 11, 20)


def kid(child_id: str, name: str, due: date | None = date(2030, 9, 1), **kw: object) -> Child:
    fields = dict(consents={p: p != "website" for p in PURPOSES}, face_matching=True, consent_review_due=due)
    fields.update(kw)
    return Child(child_id, name, **fields)  # type: ignore[arg-type]


AVA = kid("c01", "Ava Patel", withdrawn={"social_media": date(2026, 11, 3)})
GRACE = kid("c02", "Grace Okafor", date(2026, 12, 5))  # due in 15 days
SAM = kid("c03", "Sam Jones", date(2026, 11, 1))  # lapsed
LEO = kid("c04", "Leo Smith", date(2026, 12, 1), status="left")
MIA = kid("c05", "Mia Brown", date(2026, 12, 21))  # in 31 days: not yet


def text(rows: list[ChildReferences]) -> str:
    console = Console(record=True, width=250, color_system=None)
    console.print(children_view.table(rows, TODAY))
    return " ".join(console.export_text().split())


def rows(*children: Child, templates: int = 1, undated: int = 0) -> list[ChildReferences]:
    return [ChildReferences(c, templates, 0, date(2026, 10, 1), False, undated) for c in children]


def test_the_table_shows_each_use_withdrawals_and_the_review_date() -> None:
    shown = text(rows(AVA, GRACE, SAM, LEO))
    assert "own journey: yes" in shown and "website: no" in shown
    assert "social media: withdrawn 3 November 2026" in shown
    assert "current, review 1 September 2030" in shown
    assert "renew by 5 December 2026 (in 15 days)" in shown
    assert "lapsed on 1 November 2026" in shown
    assert "left" in shown


def test_a_consent_due_within_30_days_is_warned_about() -> None:
    found = children_view.warnings(rows(AVA, GRACE, SAM, LEO, MIA), TODAY, 6)
    (renew,) = [w for w in found if "due for review" in w]
    assert renew.startswith("Grace Okafor (c02)'s consent is due for review on 5 December 2026 (in 15 days")


def test_due_soon_is_at_most_30_days_and_never_for_leavers_or_lapsed() -> None:
    assert RENEW_WITHIN_DAYS == 30
    assert due_soon(kid("x", "X", TODAY), TODAY)
    assert due_soon(kid("x", "X", date(2026, 12, 20)), TODAY)
    assert not due_soon(MIA, TODAY) and not due_soon(SAM, TODAY) and not due_soon(LEO, TODAY)
    assert not due_soon(kid("x", "X", None), TODAY)


def test_the_audit_counts_the_consents_to_renew_this_month() -> None:
    register = Register({c.child_id: c for c in (AVA, GRACE, SAM, LEO, MIA, kid("c06", "Zoe Ng", date(2026, 11, 25)))})
    assert [c.child_id for c in to_renew(register, TODAY)] == ["c06", "c02"]
    words = renewal_warning(register, TODAY)
    assert words is not None and words.startswith("2 consents to renew this month")
    assert "Zoe Ng (c06) by 25 November 2026, Grace Okafor (c02) by 5 December 2026" in words
    assert renewal_warning(Register({"c01": AVA}), TODAY) is None


def test_reference_photos_with_no_date_taken_are_said_so() -> None:
    (all_undated,) = children_view.warnings(rows(AVA, templates=2, undated=2), TODAY, 6)
    assert all_undated.startswith("None of Ava Patel (c01)'s reference photos records the date it was taken")
    assert "date unknown" in text(rows(AVA, templates=2, undated=2))
    (some,) = children_view.warnings(rows(AVA, templates=3, undated=1), TODAY, 6)
    assert some.startswith("1 of Ava Patel (c01)'s 3 reference photos record no date taken")
    assert children_view.warnings(rows(AVA), TODAY, 6) == []


def test_overview_counts_the_reference_photos_that_record_no_date(tmp_path) -> None:  # noqa: ANN001
    import piexif
    from PIL import Image

    from photoaudit.setting.references import overview

    folder = tmp_path / "c01"
    folder.mkdir()
    Image.new("RGB", (64, 64)).save(folder / "undated.png")
    exif = piexif.dump({"Exif": {piexif.ExifIFD.DateTimeOriginal: b"2026:10:01 10:00:00"}})
    Image.new("RGB", (64, 64)).save(folder / "dated.jpg", exif=exif)
    (row,) = overview(Register({"c01": AVA}), tmp_path, {"c01": ["c01/undated.png", "c01/dated.jpg"]}, set(), TODAY)
    assert row.templates == 2 and row.undated == 1
