"""The grouping rule on real templates of a chain of look-alikes: Grace Hopper's face blended
step by step into the astronaut's (public-domain faces, photoaudit.media.samples). Chinese
whispers joins the two people through the blends; the strict rule never does."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from photoaudit.core.unknown_groups import (
    DEFAULT_GROUP_DISTANCE,
    GroupRule,
    UnknownFace,
    group_faces,
)
from photoaudit.faces.engine import FaceEngine
from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene

STEPS = 21


@pytest.fixture(scope="module")
def blends() -> tuple[list[UnknownFace], dict[str, float]]:
    engine = FaceEngine()
    grace = grace_hopper_face().convert("RGB").resize((300, 360))
    astronaut = astronaut_face().convert("RGB").resize((300, 360))
    faces, share = [], {}
    for n in range(STEPS):
        t = n / (STEPS - 1)
        pixels = np.asarray(scene([(Image.blend(grace, astronaut, t), (300, 150), 300)], (900, 700), seed=n))
        (face,) = engine.find_faces(pixels)
        faces.append(UnknownFace(f"b{n:02d}", f"p{n}", face.template))
        share[f"b{n:02d}"] = t
    return faces, share


def both_people(groups: list[tuple[str, ...]], share: dict[str, float]) -> bool:
    return any(min(share[k] for k in g) <= 0.2 and max(share[k] for k in g) >= 0.8 for g in groups)


def test_the_strict_rule_never_joins_two_people_through_look_alikes(blends) -> None:
    faces, share = blends
    for distance in (0.3, DEFAULT_GROUP_DISTANCE, 0.5):
        assert not both_people(group_faces(faces, distance, GroupRule.STRICT), share)


def test_chinese_whispers_does_which_is_why_it_is_not_used(blends) -> None:
    faces, share = blends
    assert both_people(group_faces(faces, DEFAULT_GROUP_DISTANCE, GroupRule.CHINESE_WHISPERS), share)
