"""Unknown faces grouped by likeness: the rule on plain templates, no image."""

from __future__ import annotations

import numpy as np
import pytest

from photoaudit.core.unknown_groups import (
    GroupRule,
    UnknownFace,
    group_faces,
    is_group_id,
    number_groups,
)


def person(seed: int) -> np.ndarray:
    """A made-up person: a point on the sphere of radius 0.6 (templates of two people ~0.85 apart)."""
    v = np.random.default_rng(seed).normal(size=128)
    return v / np.linalg.norm(v) * 0.6


def looks(base: np.ndarray, spread: float, seed: int) -> np.ndarray:
    """One photo of that person: ``spread`` away from them."""
    v = np.random.default_rng(seed).normal(size=128)
    return base + v / np.linalg.norm(v) * spread


def faces_of(base: np.ndarray, n: int, name: str, spread: float = 0.12) -> list[UnknownFace]:
    return [UnknownFace(f"{name}-{i}", f"photo-{name}-{i}", looks(base, spread, 1000 + i)) for i in range(n)]


@pytest.mark.parametrize("rule", list(GroupRule))
def test_many_photos_of_one_person_make_one_group(rule: GroupRule) -> None:
    faces = faces_of(person(1), 20, "a")
    assert group_faces(faces, rule=rule) == [tuple(sorted(f.key for f in faces))]


def test_two_people_make_two_groups_largest_first() -> None:
    faces = faces_of(person(1), 5, "a") + faces_of(person(2), 8, "b")
    groups = group_faces(faces)
    assert [len(g) for g in groups] == [8, 5]
    assert all(k.startswith("b") for k in groups[0]) and all(k.startswith("a") for k in groups[1])


@pytest.mark.parametrize("rule", list(GroupRule))
def test_two_faces_of_one_photo_never_share_a_group(rule: GroupRule) -> None:
    base = person(3)
    faces = faces_of(base, 6, "a")
    # the same person twice in one photo (a mirror, a poster): both look like the group
    faces += [UnknownFace("twin-1", "one-photo", looks(base, 0.1, 1)), UnknownFace("twin-2", "one-photo", looks(base, 0.1, 2))]
    groups = group_faces(faces, rule=rule)
    for group in groups:
        assert not {"twin-1", "twin-2"} <= set(group)
    assert tuple(sorted(f"a-{i}" for i in range(6))) in groups  # the rest stay one group


def test_a_face_that_fits_two_groups_stays_alone() -> None:
    a, b = person(4), person(5)
    middle = (a + b) / 2
    # two tight groups, close to each other, and one face halfway that fits both
    faces = [UnknownFace(f"a{i}", f"pa{i}", looks(a, 0.02, i)) for i in range(4)]
    faces += [UnknownFace(f"b{i}", f"pb{i}", looks(b, 0.02, 50 + i)) for i in range(4)]
    # bring the two people within reach of the middle face only
    shrink = 0.35 / np.linalg.norm(a - b)
    faces = [UnknownFace(f.key, f.photo, middle + (f.template - middle) * shrink) for f in faces]
    faces.append(UnknownFace("m", "pm", middle))
    groups = group_faces(faces, distance=0.3)
    assert ("m",) in groups
    assert sorted(len(g) for g in groups) == [1, 4, 4]


def test_a_chain_of_look_alikes_is_not_one_group_under_the_strict_rule() -> None:
    """Chinese whispers joins A to C through B; the strict rule does not."""
    start, end = person(6), person(7)
    chain = [start + (end - start) * t for t in np.linspace(0, 1, 12)]
    faces = [UnknownFace(f"c{i:02d}", f"p{i}", v) for i, v in enumerate(chain)]
    strict = group_faces(faces, distance=0.3)
    assert all(len(g) < 12 for g in strict)
    assert not any("c00" in g and "c11" in g for g in strict)


def test_a_face_without_a_template_is_alone() -> None:
    faces = faces_of(person(8), 3, "a") + [UnknownFace("small", "p-small", None)]
    groups = group_faces(faces)
    assert ("small",) in groups and len(groups) == 2


def test_the_same_faces_give_the_same_groups_in_any_order() -> None:
    faces = faces_of(person(1), 6, "a") + faces_of(person(2), 4, "b")
    assert group_faces(faces) == group_faces(list(reversed(faces)))


def test_group_ids_stay_while_their_faces_stay_and_are_never_reused() -> None:
    first, after = number_groups([("a1", "a2", "a3"), ("b1", "b2")], {}, 1)
    assert [(g.group_id, g.size) for g in first] == [("u1", 3), ("u2", 2)]
    before = {k: g.group_id for g in first for k in g.faces}
    # next week: u1 gains a face, u2's faces are gone, a new person arrives
    again, after = number_groups([("a1", "a2", "a3", "a4"), ("c1",)], before, after)
    assert [(g.group_id, g.faces) for g in again] == [("u1", ("a1", "a2", "a3", "a4")), ("u3", ("c1",))]
    assert after == 4


def test_a_group_split_in_two_keeps_its_id_for_the_larger_part() -> None:
    groups, _ = number_groups([("a1", "a2"), ("a3", "a4", "a5")], {k: "u7" for k in ("a1", "a2", "a3", "a4", "a5")}, 8)
    assert [g.group_id for g in groups] == ["u7", "u8"]
    assert groups[0].faces == ("a3", "a4", "a5")


def test_group_ids_are_told_apart_from_child_ids() -> None:
    assert is_group_id("u3") and is_group_id("U12")
    assert not is_group_id("u") and not is_group_id("c01") and not is_group_id("u0") and not is_group_id("ux")


def test_a_group_named_as_a_person_leaves_out_the_faces_far_from_their_reference_photos() -> None:
    from photoaudit.core.unknown_groups import too_far

    ava = person(20)
    faces = {"near": looks(ava, 0.3, 1), "far": looks(ava, 0.8, 2), "small": None}
    assert too_far(faces, [ava]) == {"far", "small"}
    assert too_far(faces, []) == set()  # not enrolled: nothing to compare with


def test_of_two_faces_of_one_photo_the_clearly_closer_one_stays_in_the_group() -> None:
    base = person(9)
    faces = [UnknownFace(f"a-{i}", f"pa-{i}", looks(base, 0.05, 300 + i)) for i in range(5)]
    faces += [UnknownFace("close", "one-photo", looks(base, 0.05, 1)),
              UnknownFace("farther", "one-photo", looks(base, 0.3, 2))]
    groups = group_faces(faces)
    assert tuple(sorted([*(f"a-{i}" for i in range(5)), "close"])) in groups
    assert ("farther",) in groups
