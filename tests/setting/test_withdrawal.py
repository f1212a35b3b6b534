"""Consent withdrawal dates in the register: <purpose>_withdrawn columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from photoaudit.setting.register import RegisterError, load_register

HEADER = ("child_id,name,status,learning_journey,other_journeys,display,website,social_media,"
          "face_matching,consent_review_due")


def write(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "children.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_the_columns_are_optional(tmp_path: Path) -> None:
    register = load_register(write(tmp_path, HEADER, "C1,Amy,,yes,yes,yes,yes,yes,no,2030-01-01"))
    assert register.children["C1"].withdrawn == {}


def test_a_withdrawal_date_makes_the_purpose_a_no_even_if_the_cell_says_yes(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ",Social media withdrawn,website_withdrawn",
                 "C1,Amy,,yes,yes,yes,yes,yes,no,2030-01-01,03/10/2026,",
                 "C2,Ben,,yes,yes,yes,yes,yes,no,2030-01-01,,")
    amy, ben = load_register(path).children["C1"], load_register(path).children["C2"]
    assert amy.withdrawn == {"social_media": date(2026, 10, 3)}
    assert not amy.allows("social_media") and amy.allows("website")
    assert ben.allows("social_media")


def test_a_bad_withdrawal_date_is_an_error_naming_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ",display_withdrawn", "C1,Amy,,yes,yes,yes,yes,yes,no,2030-01-01,last week")
    with pytest.raises(RegisterError, match='line 2, column "display_withdrawn"'):
        load_register(path)
