"""photoaudit.core.erasure_rule: face data is erased on request, on leaving or when face matching is
withdrawn, and for no other reason; a person missing from the register is kept and said (issue 25)."""

from __future__ import annotations

import numpy as np

from photoaudit.core.erasure_rule import (
    ErasureReason,
    erasure_plan,
    may_store_again,
    not_in_register_warning,
    reason_words,
    why_erase,
)
from photoaudit.core.models import Child, Register, StaffMember, StaffRegister, staff_key
from photoaudit.core.settings import MatchSettings

REGISTER = Register(
    {
        "c01": Child("c01", "Ava", {}, face_matching=True),
        "c02": Child("c02", "Grace", {}, face_matching=False),
        "c03": Child("c03", "Sam", {}, face_matching=True, status="left"),
    },
    staff=StaffRegister({
        "JS01": StaffMember("JS01", "Jo", {}, face_matching=True),
        "JS02": StaffMember("JS02", "Kim", {}, face_matching=False),
        "JS03": StaffMember("JS03", "Lee", {}, face_matching=True, status="left"),
    }),
)


def test_only_a_request_leaving_or_withdrawn_face_matching_erases() -> None:
    assert why_erase("c01", REGISTER, forgotten=()) is None
    assert why_erase("c01", REGISTER, forgotten={"c01"}) is ErasureReason.REQUEST
    assert why_erase("c02", REGISTER, forgotten=()) is ErasureReason.NO_FACE_MATCHING
    assert why_erase("c03", REGISTER, forgotten=()) is ErasureReason.LEFT
    assert why_erase(staff_key("JS01"), REGISTER, forgotten=()) is None
    assert why_erase(staff_key("JS02"), REGISTER, forgotten=()) is ErasureReason.NO_FACE_MATCHING
    assert why_erase(staff_key("JS03"), REGISTER, forgotten=()) is ErasureReason.LEFT
    assert reason_words(ErasureReason.NO_FACE_MATCHING, staff_key("JS02")) == "face-matching agreement withdrawn"


def test_someone_missing_from_the_register_is_kept_and_listed_never_erased() -> None:
    stored = ["c01", "c02", "c03", "c09", staff_key("JS01"), staff_key("JS09")]
    plan = erasure_plan(stored, REGISTER, forgotten=())
    assert plan.erase == (("c02", ErasureReason.NO_FACE_MATCHING), ("c03", ErasureReason.LEFT))
    assert plan.not_in_register == ("c09", staff_key("JS09"))
    # an empty register (saved half-way, a filter left on) or no staff.csv at all: nobody is erased
    emptied = erasure_plan(stored, Register({}), forgotten=())
    assert emptied.erase == () and emptied.not_in_register == tuple(sorted(stored))
    # ... unless a person asked
    assert erasure_plan(["c09"], Register({}), forgotten={"c09"}).erase == (("c09", ErasureReason.REQUEST),)


def test_the_warning_names_each_person_and_how_to_settle_it() -> None:
    assert not_in_register_warning(()) is None
    words = not_in_register_warning(("c09", staff_key("JS09")))
    assert words is not None and words.startswith("c09, staff JS09 are not in the register")
    assert "nothing was erased" in words and "photoaudit forget c09; photoaudit forget JS09." in words


def test_an_erased_face_gets_its_template_back_only_as_someone_enrolled_now() -> None:
    rng = np.random.default_rng(1)
    ava = rng.normal(size=128)
    ava /= np.linalg.norm(ava)
    near = ava + 0.01
    stranger = -ava
    settings = MatchSettings()
    assert may_store_again(near, {"c01": [ava]}, settings)
    assert not may_store_again(stranger, {"c01": [ava]}, settings)
    assert not may_store_again(near, {}, settings)
    assert not may_store_again(None, {"c01": [ava]}, settings)
