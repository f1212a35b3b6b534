"""The everyday names of the uses (core/use_names.py): ``check --for facebook``."""

from __future__ import annotations

import pytest

from photoaudit.core.errors import CannotRun
from photoaudit.core.models import PURPOSES
from photoaudit.core.use_names import read_use


@pytest.mark.parametrize("typed, purpose", [
    ("facebook", "social_media"), ("Instagram", "social_media"), ("Facebook group", "social_media"),
    ("press", "website"), ("brochure", "website"), ("website", "website"), ("social-media", "social_media"),
    ("Tapestry", "learning_journey"),
])
def test_everyday_names_are_read_as_their_use(typed: str, purpose: str) -> None:
    asked = read_use(typed, PURPOSES)
    assert asked.purpose == purpose
    assert asked.everyday == (typed.lower().replace("-", "_").replace(" ", "_") != purpose)


def test_a_use_the_setting_added_keeps_its_own_name() -> None:
    assert read_use("press", (*PURPOSES, "press")).purpose == "press"


def test_an_everyday_name_of_a_use_the_setting_does_not_have_is_refused() -> None:
    with pytest.raises(CannotRun, match="not a use photoaudit knows"):
        read_use("facebook", ("learning_journey", "display"))


def test_an_unknown_word_is_refused_with_the_uses_listed() -> None:
    with pytest.raises(CannotRun, match="choose from: learning_journey, other_journeys"):
        read_use("tiktok", PURPOSES)
