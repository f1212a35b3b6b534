"""Sample pictures: public-domain adult faces shipped inside installed packages.

Used by the tests, the demo setting (``photoaudit demo``) and the benchmark corpus; needs
scikit-image and matplotlib (the ``demo`` and ``test`` extras), which photoaudit itself never
imports: :func:`missing` names those not installed.

Never real children. ``astronaut`` (Eileen Collins, NASA) comes with scikit-image and
``grace_hopper`` (US Navy) with matplotlib; both are read straight from the package
folders, so nothing is downloaded, and neither package is imported (``import matplotlib``
alone makes a folder in the user's configuration folder). ``cameraman`` is a person seen
from the side.
The ``*_HEAD`` boxes are (left, top, right, bottom) crops around each head with margin.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import numpy
import piexif
from PIL import Image

ASTRONAUT_HEAD = (135, 5, 315, 205)
GRACE_HOPPER_HEAD = (130, 20, 390, 370)

#: Transpose that undoes EXIF orientation N (so that applying N gives the original back).
_UNDO_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _open_rgb(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


#: The packages the sample pictures come from, each with the version the extras ask for.
SAMPLE_PACKAGES = {"skimage": "scikit-image>=0.21", "matplotlib": "matplotlib>=3.7"}


def missing() -> list[str]:
    """The requirements (``scikit-image>=0.21``...) of sample packages not installed here."""
    return [wanted for package, wanted in SAMPLE_PACKAGES.items() if importlib.util.find_spec(package) is None]


def _package_folder(package: str) -> Path:
    """Where an installed package's files are, found without importing it (importing
    matplotlib would create its configuration folder in the user's home)."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is not installed"
    return Path(spec.origin).parent


def _skimage_data(name: str) -> Path:
    return _package_folder("skimage") / "data" / name


def astronaut() -> Image.Image:
    """512x512 RGB portrait, one frontal face."""
    return _open_rgb(_skimage_data("astronaut.png"))


def cameraman() -> Image.Image:
    """512x512 greyscale photo of a man with a camera, converted to RGB."""
    return _open_rgb(_skimage_data("camera.png"))


def grace_hopper() -> Image.Image:
    """512x600 RGB portrait, one frontal face with glasses."""
    return _open_rgb(_package_folder("matplotlib") / "mpl-data" / "sample_data" / "grace_hopper.jpg")


def astronaut_face() -> Image.Image:
    """The astronaut's head and shoulders, cropped."""
    return astronaut().crop(ASTRONAUT_HEAD)


def grace_hopper_face() -> Image.Image:
    """Grace Hopper's head (with cap), cropped."""
    return grace_hopper().crop(GRACE_HOPPER_HEAD)


def undo_orientation(img: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera would store so that EXIF ``orientation`` shows ``img`` upright."""
    method = _UNDO_ORIENTATION[orientation]
    return img.copy() if method is None else img.transpose(method)


def orientation_exif(orientation: int) -> bytes:
    """A minimal EXIF block (piexif) holding just the orientation tag."""
    return piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})


def camera_exif(
    make: str = "",
    model: str = "",
    taken: datetime | None = None,
    *,
    serial: str = "",
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    software: str = "",
) -> bytes:
    """An EXIF block (piexif) like a camera writes: make, model, serial, when, where (and the
    app that last saved it, ``software``).

    ``taken`` becomes DateTimeOriginal, and OffsetTimeOriginal when it is time-zone aware.
    """
    zeroth: dict[int, object] = {}
    details: dict[int, object] = {}
    where: dict[int, object] = {}
    if make:
        zeroth[piexif.ImageIFD.Make] = make.encode()
    if model:
        zeroth[piexif.ImageIFD.Model] = model.encode()
    if orientation is not None:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    if software:
        zeroth[piexif.ImageIFD.Software] = software.encode()
    if serial:
        details[piexif.ExifIFD.BodySerialNumber] = serial.encode()
    if taken is not None:
        details[piexif.ExifIFD.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S").encode()
        offset = taken.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sign = "-" if minutes < 0 else "+"
            details[piexif.ExifIFD.OffsetTimeOriginal] = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}".encode()
    if gps is not None:
        def dms(value: float) -> tuple[tuple[int, int], ...]:
            value = abs(value)
            degrees, minutes = int(value), int(value * 60) % 60
            return ((degrees, 1), (minutes, 1), (round((value * 3600) % 60 * 100), 100))

        where = {
            piexif.GPSIFD.GPSLatitudeRef: b"N" if gps[0] >= 0 else b"S",
            piexif.GPSIFD.GPSLatitude: dms(gps[0]),
            piexif.GPSIFD.GPSLongitudeRef: b"E" if gps[1] >= 0 else b"W",
            piexif.GPSIFD.GPSLongitude: dms(gps[1]),
        }
    return piexif.dump({"0th": zeroth, "Exif": details, "GPS": where})


def save_jpeg_with_orientation(
    img: Image.Image, path: Path, orientation: int, *, quality: int = 95, exif: bytes | None = None
) -> Path:
    """Write a JPEG whose EXIF orientation ``orientation`` turns it back into ``img``.

    ``exif`` (e.g. from :func:`camera_exif`) replaces the minimal block; it must
    carry the same orientation.
    """
    stored = undo_orientation(img.convert("RGB"), orientation)
    stored.save(path, "JPEG", quality=quality, exif=exif or orientation_exif(orientation))
    return path


def save_heic(
    img: Image.Image,
    path: Path,
    orientation: int = 1,
    *,
    quality: int = 90,
    exif: bytes | None = None,
    preset: str | None = None,
) -> Path:
    """Write a HEIC that displays as ``img``.

    pillow-heif turns an EXIF orientation given at save time into the HEIF
    rotation/mirror boxes (irot/imir), which decoders apply, like an iPhone does.
    ``preset`` is the x265 encoder speed ("ultrafast" writes 12 megapixels ~10x faster).
    """
    import pillow_heif

    pillow_heif.register_heif_opener()
    stored = undo_orientation(img.convert("RGB"), orientation)
    kwargs: dict[str, object] = {"exif": orientation_exif(orientation)} if orientation != 1 else {}
    if exif is not None:
        kwargs = {"exif": exif}
    if preset is not None:
        kwargs["enc_params"] = {"preset": preset}
    stored.save(path, "HEIF", quality=quality, **kwargs)
    return path


def scene(
    faces: list[tuple[Image.Image, tuple[int, int], int]],
    size: tuple[int, int] = (1280, 960),
    background: str | tuple[int, int, int] = "noise",
    *,
    seed: int = 0,
) -> Image.Image:
    """A fake group photo: each ``(image, (x, y), width)`` is scaled to ``width``
    (keeping its aspect ratio) and pasted with its top-left corner at ``(x, y)``.

    ``background`` is an RGB colour or "noise" (smooth random texture, no faces).
    """
    if background == "noise":
        rng = numpy.random.default_rng(seed)
        coarse = rng.integers(60, 200, size=(size[1] // 32 + 1, size[0] // 32 + 1, 3), dtype=numpy.uint8)
        canvas = Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)
    else:
        canvas = Image.new("RGB", size, background)
    for face, (x, y), width in faces:
        height = max(1, round(face.height * width / face.width))
        canvas.paste(face.convert("RGB").resize((width, height), Image.Resampling.LANCZOS), (x, y))
    return canvas


def save_video(
    frames: list[Image.Image],
    path: Path,
    *,
    fps: int = 4,
    codec: str = "mpeg4",
    metadata: dict[str, str] | None = None,
    rotation: int = 0,
) -> Path:
    """Encode ``frames`` (same size, even width and height) into a video with PyAV.

    ``metadata`` becomes container tags (``make``, ``model``, ``creation_time``,
    ``location`` ...); for .mov files any key is kept, as an iPhone's are.
    ``rotation`` (degrees counter-clockwise) is stored as the display rotation a
    phone records for portrait videos: players turn the frames by it.
    """
    import av
    from av.video.stream import VideoStream

    options = {"movflags": "use_metadata_tags"} if Path(path).suffix.lower() == ".mov" else {}
    with av.open(str(path), "w", options=options) as container:
        for key, value in (metadata or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=fps)
        assert isinstance(stream, VideoStream)  # a video codec's stream
        stream.width, stream.height = frames[0].size
        stream.pix_fmt = "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for image in frames:
            frame = av.VideoFrame.from_ndarray(numpy.asarray(image.convert("RGB")), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)
