"""The renewal list for parents (core/renewals.py): ``children --renewals``, on plain data."""

from __future__ import annotations

from datetime import date

from photoaudit.core.models import PURPOSES, Child, Register
from photoaudit.core.renewals import Answer, parent_words, renewal_letters

TODAY = date(2026, 11, 20)


def child(child_id: str, due: date | None, *, no: tuple[str, ...] = (), **kwargs: object) -> Child:
    return Child(child_id, f"Child {child_id}", {p: p not in no for p in PURPOSES}, True, due, **kwargs)  # type: ignore[arg-type]


def test_consents_due_within_the_days_soonest_first_with_each_use_as_recorded() -> None:
    register = Register({
        "c1": child("c1", date(2026, 12, 15), no=("social_media",)),
        "c2": child("c2", date(2026, 11, 25), withdrawn={"website": date(2026, 10, 1)}),
        "c3": child("c3", date(2027, 3, 1)),  # not due yet
        "c4": child("c4", date(2026, 11, 19)),  # lapsed yesterday: not a renewal, children says lapsed
        "c5": child("c5", date(2026, 11, 30), status="left"),  # has left
        "c6": child("c6", None),  # no review date: lapsed
    })
    letters = renewal_letters(register, TODAY, within=30)
    assert [(lt.child_id, lt.due) for lt in letters] == [("c2", date(2026, 11, 25)), ("c1", date(2026, 12, 15))]
    c2, c1 = letters
    assert dict(c1.uses)["social_media"] is Answer.NO and dict(c1.uses)["website"] is Answer.YES
    assert dict(c2.uses)["website"] is Answer.WITHDRAWN
    assert [p for p, _ in c1.uses] == list(PURPOSES)  # the register's order
    assert parent_words("social_media") in c1.not_agreed() and parent_words("website") in c1.agreed()
    assert parent_words("website") in c2.not_agreed()
    assert [lt.child_id for lt in renewal_letters(register, TODAY, within=5)] == ["c2"]
    assert renewal_letters(register, TODAY, within=0) == ()


def test_parent_words_name_the_use_without_codes() -> None:
    assert parent_words("social_media") == (
        "photos of your child on the setting's social media (such as its Facebook group)")
    assert parent_words("forest_school_blog") == "forest school blog"  # a use the setting added
