"""Warnings about the register and faces/ that are usually mistakes (photoaudit.setting.register_checks).

Pure functions over a register and a listing of faces/: no images, no engine. One test at
the end checks that an enrolment says them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from photoaudit.core.models import PURPOSES, Child, Register
from photoaudit.setting.register_checks import (
    FUZZY_BUDGET,
    MOST_SAID,
    Names,
    closest,
    folder_warnings,
    list_faces_dir,
    lost_zeros,
    missing_folder_hint,
    register_warnings,
)


def register(*ids: str) -> Register:
    return Register({i: Child(i, f"Child {i}", {p: True for p in PURPOSES}, True, line=n + 2)
                     for n, i in enumerate(ids)})


def test_an_id_that_lost_its_leading_zeros_is_named_with_the_id_it_probably_was() -> None:
    assert lost_zeros("7", ["001", "002"]) == "007"
    assert lost_zeros("7", ["007"]) == "007"  # a faces/ folder still called 007
    assert lost_zeros("7", ["8", "9"]) is None
    assert lost_zeros("007", ["001"]) is None
    assert lost_zeros("c7", ["c001"]) is None  # Excel keeps text as it is
    (warning,) = register_warnings(register("001", "002", "7"), {})
    assert "The child_id 7 of Child 7 (7), line 4 of the register" in warning
    assert "did you mean 007?" in warning and "format the child_id column as Text" in warning


def test_a_folder_no_child_uses_suggests_the_id_it_was_meant_for() -> None:
    reg = register("7", "c06", "ava")
    found = folder_warnings(reg, {"007": ["a.jpg"], "c 06": ["b.jpg"], "C06": [], "zz": [], "ava": []}, [])
    assert "faces/007: no child with this id in the register; not enrolled. Did you mean 7 (Child 7)?" in found[0]
    assert "Did you mean c06" in found[1] and "Did you mean c06" in found[2]
    assert found[3] == "faces/zz: no child with this id in the register; not enrolled."
    assert len(found) == 4  # faces/ava is used


def test_closest_ignores_case_spaces_punctuation_and_leading_zeros() -> None:
    assert closest("C-06", ["c6", "c07"]) == "c6"
    assert closest("ava patel", ["ava_patel"]) == "ava_patel"
    assert closest("zz", ["c01"]) is None


def test_files_that_are_not_reference_photos_are_said_to_be_skipped() -> None:
    listing = {"c01": ["a.jpg", "b.webp", "notes.txt", "c.PNG", "d.heic"], "": ["loose.jpg"], "c02": ["x.webp"]}
    found = folder_warnings(register("c01", "c02"), listing, ["c01"])
    assert any("faces/loose.jpg is not in a child's folder" in w for w in found)
    assert any(w.startswith("faces/c01/b.webp is not used: photoaudit does not read .webp photos") for w in found)
    assert any(w.startswith("faces/c01/notes.txt is not used") for w in found)
    assert not any("a.jpg" in w or "c.PNG" in w or "d.heic" in w for w in found)
    assert not any("c02/x.webp" in w for w in found)  # c02 is not enrolled anyway: said elsewhere
    assert ".jpg" in found[-1] and "save it as JPEG" in found[-1]


def test_a_child_without_photos_is_pointed_at_a_misnamed_folder() -> None:
    reg = register("c6", "c07")
    assert "There is a folder faces/C 6" in missing_folder_hint("c6", {"C 6": ["a.jpg"]}, reg)
    assert missing_folder_hint("c6", {"c07": ["a.jpg"]}, reg) == ""  # that folder is c07's


def test_list_faces_dir(tmp_path: Path) -> None:
    (tmp_path / "c01").mkdir()
    (tmp_path / "c01" / "a.jpg").write_bytes(b"x")
    (tmp_path / "c01" / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "loose.webp").write_bytes(b"x")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    assert list_faces_dir(tmp_path) == {"c01": ["a.jpg"], "": ["loose.webp"]}
    assert list_faces_dir(tmp_path / "missing") == {}


def test_enrolment_says_them(tmp_path: Path) -> None:
    from setting import child, write_register

    from photoaudit.faces.engine import FaceEngine
    from photoaudit.operations.enrolment import enrol
    from photoaudit.setting.register import load_register
    from photoaudit.store.database import Store

    write_register(tmp_path / "children.csv", [child("001", "Ava Patel"), child("7", "Sam Jones")])
    faces = tmp_path / "faces"
    (faces / "007").mkdir(parents=True)
    (faces / "001").mkdir()
    (faces / "001" / "ava.webp").write_bytes(b"RIFF....WEBP")
    with Store(tmp_path / "state") as store:
        report = enrol(load_register(tmp_path / "children.csv"), faces, store, FaceEngine())
    text = "\n".join(report.warnings)
    assert "The child_id 7 of Sam Jones (7)" in text and "did you mean 007?" in text
    assert "faces/007: no child with this id in the register; not enrolled. Did you mean 7" in text
    assert "faces/001/ava.webp is not used" in text
    assert "Sam Jones (7) has face-matching permission but no reference photos" in text
    assert "There is a folder faces/007" in text


# -- issue 25, item 14: the checks are linear in the register's size ------------------------

class CountedId(str):
    """A child id that counts how often it is looked at (each look is a digit test)."""

    looks = 0

    def isdigit(self) -> bool:
        CountedId.looks += 1
        return super().isdigit()


@pytest.mark.parametrize("size", [500, 2000])
def test_each_id_is_looked_at_a_bounded_number_of_times_whatever_the_register_size(size: int) -> None:
    """40,000 rows took over a minute (each id compared with every other); now each id is
    indexed once and looked up once."""
    ids = [CountedId(f"{n:05d}" if n % 2 else str(n)) for n in range(1, size + 1)]
    CountedId.looks = 0
    found = register_warnings(register(*ids), {})
    assert CountedId.looks <= 4 * size, CountedId.looks  # a pass over every other id would be size**2
    assert len(found) == MOST_SAID + 1  # every even id may have lost its zeros: ten said, the rest counted
    assert f"... and {size // 2 - MOST_SAID} more child_ids that may have lost their leading zeros" in found[-1]
    assert len(register_warnings(register(*ids), {}, most=None)) == size // 2  # photoaudit children: every one


def test_close_names_are_looked_up_among_many_without_comparing_every_pair() -> None:
    """Thousands of misnamed folders and of children: the 'same but for case and zeros'
    hint is still given for each, and difflib is not run over every pair."""
    size = 3000
    ids = [f"C{n:04d}" for n in range(size)]
    listing = {f"c{n}": ["a.jpg"] for n in range(size)}  # each folder is a child's id, but in lower case
    found = folder_warnings(register(*ids), listing, [])
    assert len(found) == MOST_SAID + 1 and "Did you mean C0000" in found[0]
    assert Names(ids, fuzzy=False).closest("c7") == "C0007"
    assert size * size > FUZZY_BUDGET  # so the fuzzy look-up was not made for every pair
