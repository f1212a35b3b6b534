"""Parents' data rights, the pure parts: which child an id names, what must be taken down,
which dated reports are past their retention (issue 14). The engine-backed commands are
tested in tests/test_rights_cli.py."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from photoaudit.child_ids import UnknownChildId, resolve_child_id


# ------------------------------------------------------------ which child an id names

def test_an_id_names_the_child_exactly_or_ignoring_case_as_the_register_does() -> None:
    known = ["LA01", "LA02", "c03"]
    assert resolve_child_id("LA01", known) == "LA01"
    assert resolve_child_id("la01", known) == "LA01"  # the register refuses ids differing only in case
    assert resolve_child_id(" C03 ", known) == "c03"


def test_an_unknown_id_is_an_error_listing_the_closest_ids() -> None:
    with pytest.raises(UnknownChildId) as err:
        resolve_child_id("LA09", ["LA01", "LA02", "BX77"])
    assert sorted(err.value.closest) == ["LA01", "LA02"]  # equally close
    assert "LA09" in str(err.value) and "LA01" in str(err.value)
    assert isinstance(err.value, ValueError)  # the CLI's "could not run" (exit 2)


def test_an_id_with_nothing_close_says_where_to_look() -> None:
    with pytest.raises(UnknownChildId, match="children.csv") as err:
        resolve_child_id("zzz", ["LA01"])
    assert err.value.closest == ()
