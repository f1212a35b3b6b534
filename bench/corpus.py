"""The benchmark corpus: realistic tablet photos with no real child in them.

Every photo is a 12-megapixel (4032 x 3024) scene, as a tablet or phone camera
takes it, showing several faces at the sizes a nursery photographs them: about
80 px wide across a room, a few hundred pixels in a group shot, close-ups. The
faces are the public-domain adults of :mod:`photoaudit.media.samples` (the astronaut
Eileen Collins, Grace Hopper, the cameraman), each pasted as a differently
cropped, scaled, mirrored, slightly rotated and re-lit head, so no two faces
are identical pastes. Backgrounds are textures and photos that ship with
scikit-image (no faces in them), with sensor noise so files have real sizes.

Four kinds of photo, in equal numbers:

- ``jpeg``: landscape JPEG, EXIF orientation 1;
- ``jpeg-rotated``: portrait JPEG stored sideways with EXIF orientation 6 or 8;
- ``heic``: landscape HEIC, as iPads save them;
- ``heic-rotated``: portrait HEIC stored sideways (HEIF rotation box).

``truth.json`` holds, for every photo, its kind, orientation and upright size,
and every face's identity and box (left, top, right, bottom) in the upright
(displayed) photo, which is how photoaudit reports boxes.

Run ``python -m bench.corpus OUT`` to write one; the benchmark does it itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from photoaudit.media import samples

GENERATOR_VERSION = 2
KINDS = ("jpeg", "jpeg-rotated", "heic", "heic-rotated")
FULL_SIZE = (4032, 3024)  # a 12-megapixel tablet photo, landscape

#: Face size bands (face width in pixels of the full-size photo) the results are split by.
BANDS = ((80, 120), (120, 200), (200, 400), (400, None))


@dataclass(frozen=True)
class Identity:
    """A sample face: who plays the child, and where the face is in the source picture."""

    child_id: str
    name: str
    face: tuple[int, int, int, int]  # (left, top, right, bottom) in the source picture
    #: Largest face width worth making: beyond ~6x the source the face is mush.
    max_width: int


#: Face boxes measured once with YuNet and dlib's CNN and HOG detectors on the
#: sources (their consensus, eyebrows to chin, cheek to cheek).
IDENTITIES = {
    "c01": Identity("c01", "astronaut", (172, 68, 268, 172), 620),
    "c02": Identity("c02", "grace_hopper", (186, 130, 360, 325), 950),
    "c03": Identity("c03", "cameraman", (185, 112, 258, 196), 420),
}


def _skimage_data_dir() -> Path:
    spec = importlib.util.find_spec("skimage")
    assert spec is not None and spec.origin is not None, "scikit-image is not installed"
    return Path(spec.origin).parent / "data"


def source_picture(child_id: str) -> Image.Image:
    name = IDENTITIES[child_id].name
    if name == "astronaut":
        return samples.astronaut()
    if name == "grace_hopper":
        return samples.grace_hopper()
    return samples.cameraman()


@dataclass(frozen=True)
class FaceTruth:
    identity: str
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass
class PhotoTruth:
    file: str  # relative to the corpus's photos/ folder
    kind: str
    orientation: int  # EXIF orientation stored in the file (1, 6 or 8)
    width: int  # upright (displayed) size
    height: int
    faces: list[FaceTruth] = field(default_factory=list)


def band_of(width: float) -> str:
    """The size band a face width falls in, e.g. '80-119' or '400+' ('<80' below)."""
    for low, high in BANDS:
        if width >= low and (high is None or width < high):
            return f"{low}+" if high is None else f"{low}-{high - 1}"
    return f"<{BANDS[0][0]}"


# -- pictures ----------------------------------------------------------------
def _background(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A room-like background: a tiled texture or a stretched photo, tinted and lit unevenly."""
    data = _skimage_data_dir()
    textures = ["brick.png", "grass.png"]
    photos = ["coffee.png", "rocket.jpg", "motorcycle_left.png"]
    choice = rng.choice(textures + photos)
    with Image.open(data / choice) as im:
        source = im.convert("RGB")
    width, height = size
    if choice in textures:
        tint = rng.uniform(0.6, 1.2, 3)
        tile = Image.fromarray(np.clip(np.asarray(source) * tint, 0, 255).astype(np.uint8))
        tile = tile.resize((tile.width * 2, tile.height * 2), Image.Resampling.BILINEAR)
        canvas = Image.new("RGB", size)
        for x in range(0, width, tile.width):
            for y in range(0, height, tile.height):
                canvas.paste(tile, (x, y))
    else:
        canvas = source.resize(size, Image.Resampling.BICUBIC)
    # Uneven light: a smooth left-to-right and top-to-bottom gradient.
    gx = np.linspace(rng.uniform(0.7, 1.1), rng.uniform(0.7, 1.1), width, dtype=np.float32)
    gy = np.linspace(rng.uniform(0.8, 1.1), rng.uniform(0.8, 1.1), height, dtype=np.float32)
    light = gy[:, None, None] * gx[None, :, None]
    return Image.fromarray(np.clip(np.asarray(canvas, dtype=np.float32) * light, 0, 255).astype(np.uint8))


def _head(rng: np.random.Generator, identity: Identity, face_width: int) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """One varied head: an RGBA patch and the face's (centre x, centre y, width, height) in it."""
    source = source_picture(identity.child_id)
    left, top, right, bottom = identity.face
    fw, fh = right - left, bottom - top
    # Close-ups are cropped tighter, so the patch still fits in the photo.
    loose = 1.0 if face_width < 300 else 0.5
    crop = (
        max(0, round(left - fw * rng.uniform(0.35, 0.9) * loose)),
        max(0, round(top - fh * rng.uniform(0.4, 0.8) * loose)),
        min(source.width, round(right + fw * rng.uniform(0.35, 0.9) * loose)),
        min(source.height, round(bottom + fh * rng.uniform(0.3, 1.2) * loose)),
    )
    head = source.crop(crop)
    scale = face_width / fw
    head = head.resize((max(1, round(head.width * scale)), max(1, round(head.height * scale))), Image.Resampling.LANCZOS)
    cx, cy = (left + right) / 2 - crop[0], (top + bottom) / 2 - crop[1]
    cx, cy = cx * scale, cy * scale
    if rng.random() < 0.5:
        head = head.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        cx = head.width - cx
    head = ImageEnhance.Brightness(head).enhance(rng.uniform(0.65, 1.3))
    head = ImageEnhance.Contrast(head).enhance(rng.uniform(0.75, 1.2))
    head = ImageEnhance.Color(head).enhance(rng.uniform(0.6, 1.2))
    if rng.random() < 0.3:  # a little camera shake or focus blur
        head = head.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2) * max(1.0, face_width / 300)))
    # Soft edges, then a small tilt of the head (the alpha keeps the corners transparent).
    mask = Image.new("L", head.size, 0)
    border = max(2, min(head.size) // 25)
    mask.paste(255, (border, border, head.width - border, head.height - border))
    mask = mask.filter(ImageFilter.GaussianBlur(border / 2))
    head.putalpha(mask)
    angle = float(rng.uniform(-12, 12))
    old_w, old_h = head.size
    head = head.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    cx, cy = _rotated_point(cx, cy, angle, (old_w, old_h), head.size)
    return head, (cx, cy, face_width, face_width * fh / fw)


def _rotated_point(x: float, y: float, angle: float, old: tuple[int, int], new: tuple[int, int]) -> tuple[float, float]:
    """Where (x, y) lands after PIL's ``rotate(angle, expand=True)`` (counter-clockwise)."""
    a = math.radians(angle)
    dx, dy = x - old[0] / 2, y - old[1] / 2
    return (new[0] / 2 + dx * math.cos(a) + dy * math.sin(a), new[1] / 2 - dx * math.sin(a) + dy * math.cos(a))


#: Shots a nursery takes: how many faces and how wide (px at full size).
SHOTS = {
    "room": ((3, 5), (80, 220)),
    "group": ((2, 4), (120, 450)),
    "close-up": ((1, 2), (350, 950)),
}


def make_scene(
    rng: np.random.Generator, upright: tuple[int, int], scale: float = 1.0
) -> tuple[Image.Image, list[FaceTruth]]:
    """One upright scene of ``upright`` size, its faces sized for a full-size photo times ``scale``."""
    shot = str(rng.choice(list(SHOTS), p=[0.45, 0.35, 0.2]))
    (fewest, most), (smallest, largest) = SHOTS[shot]
    canvas = _background(rng, upright)
    taken: list[tuple[int, int, int, int]] = []
    faces: list[FaceTruth] = []
    for _ in range(int(rng.integers(fewest, most + 1))):
        identity = IDENTITIES[str(rng.choice(sorted(IDENTITIES)))]
        top_width = min(largest, identity.max_width)
        width = round(math.exp(rng.uniform(math.log(smallest), math.log(max(smallest, top_width)))) * scale)
        head, (cx, cy, fw, fh) = _head(rng, identity, width)
        for _attempt in range(200):
            x = int(rng.integers(-head.width // 4, max(1, upright[0] - head.width * 3 // 4)))
            y = int(rng.integers(-head.height // 6, max(1, upright[1] - head.height * 3 // 4)))
            box = (round(x + cx - fw / 2), round(y + cy - fh / 2), round(x + cx + fw / 2), round(y + cy + fh / 2))
            inside = box[0] >= 4 and box[1] >= 4 and box[2] <= upright[0] - 4 and box[3] <= upright[1] - 4
            patch = (max(0, x), max(0, y), min(upright[0], x + head.width), min(upright[1], y + head.height))
            if inside and not any(_overlap(patch, other) for other in taken):
                canvas.paste(head, (x, y), head)
                taken.append(patch)
                faces.append(FaceTruth(identity.child_id, *box))
                break
    return _sensor_noise(rng, canvas), faces


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _sensor_noise(rng: np.random.Generator, image: Image.Image) -> Image.Image:
    pixels = np.asarray(image, dtype=np.int16)
    noise = rng.normal(0.0, 2.0, pixels.shape[:2] + (1,)).astype(np.int16)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


# -- the corpus ----------------------------------------------------------------
def _write_photo(
    photos_dir: Path, rng: np.random.Generator, number: int, kind: str, landscape: tuple[int, int], scale: float
) -> PhotoTruth:
    """Write photo ``number`` of ``kind`` (its scene drawn from ``rng``) and return its truth."""
    rotated = kind.endswith("rotated")
    orientation = int(rng.choice([6, 8])) if rotated else 1
    upright = (landscape[1], landscape[0]) if rotated else landscape
    picture, faces = make_scene(rng, upright, scale)
    if kind.startswith("jpeg"):
        name = f"jpeg/IMG_{number:04d}.jpg"
        samples.save_jpeg_with_orientation(picture, photos_dir / name, orientation, quality=92)
    else:
        name = f"heic/IMG_{number:04d}.heic"
        samples.save_heic(picture, photos_dir / name, orientation, quality=60, preset="ultrafast")
    return PhotoTruth(name, kind, orientation, upright[0], upright[1], faces)


def write_corpus(out: Path, photos_per_kind: int = 12, seed: int = 7, scale: float = 1.0) -> list[PhotoTruth]:
    """Write ``photos_per_kind`` photos of each kind under ``out/photos`` and ``out/truth.json``."""
    photos_dir = out / "photos"
    (photos_dir / "jpeg").mkdir(parents=True, exist_ok=True)
    (photos_dir / "heic").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    landscape = (round(FULL_SIZE[0] * scale), round(FULL_SIZE[1] * scale))
    truths: list[PhotoTruth] = []
    number = 0
    for _ in range(photos_per_kind):
        for kind in KINDS:
            number += 1
            truths.append(_write_photo(photos_dir, rng, number, kind, landscape, scale))
    parameters = {"generator": GENERATOR_VERSION, "photos_per_kind": photos_per_kind, "seed": seed, "scale": scale}
    (out / "truth.json").write_text(json.dumps(
        {"parameters": parameters, "photos": [asdict(t) for t in truths]}, indent=1
    ))
    return truths


def load_truth(out: Path) -> tuple[dict, list[PhotoTruth]]:
    data = json.loads((out / "truth.json").read_text())
    photos = [
        PhotoTruth(p["file"], p["kind"], p["orientation"], p["width"], p["height"], [FaceTruth(**f) for f in p["faces"]])
        for p in data["photos"]
    ]
    return data["parameters"], photos


def ensure_corpus(out: Path, photos_per_kind: int, seed: int = 7) -> list[PhotoTruth]:
    """The corpus in ``out``, written again only when missing or made with other parameters."""
    wanted = {"generator": GENERATOR_VERSION, "photos_per_kind": photos_per_kind, "seed": seed, "scale": 1.0}
    if (out / "truth.json").is_file():
        parameters, photos = load_truth(out)
        if parameters == wanted and all((out / "photos" / p.file).is_file() for p in photos):
            return photos
    import shutil

    shutil.rmtree(out / "photos", ignore_errors=True)
    return write_corpus(out, photos_per_kind, seed)


# -- a week's folder ---------------------------------------------------------------
#: A week's photos are JPEGs (the CLI's format too), half of them portrait stored sideways.
WEEK_KINDS = ("jpeg", "jpeg-rotated")


def _week_photo(job: tuple[Path, int, int, float]) -> PhotoTruth:
    """One photo of the week set, from its own random stream (so photos can be made in parallel)."""
    photos_dir, number, seed, scale = job
    rng = np.random.default_rng([seed, number])
    landscape = (round(FULL_SIZE[0] * scale), round(FULL_SIZE[1] * scale))
    return _write_photo(photos_dir, rng, number, WEEK_KINDS[number % len(WEEK_KINDS)], landscape, scale)


def write_week(out: Path, photos: int, seed: int = 8, scale: float = 1.0, workers: int = 0) -> list[PhotoTruth]:
    """Write a week-sized folder, ``photos`` JPEGs under ``out/photos/jpeg``, and ``out/truth.json``.

    The scenes are made like the corpus's JPEGs (other photos: another seed), by
    ``workers`` processes (0: one per core).
    """
    photos_dir = out / "photos"
    (photos_dir / "jpeg").mkdir(parents=True, exist_ok=True)
    jobs = [(photos_dir, number, seed, scale) for number in range(1, photos + 1)]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and photos > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            truths = list(pool.map(_week_photo, jobs, chunksize=4))
    else:
        truths = [_week_photo(job) for job in jobs]
    parameters = {"generator": GENERATOR_VERSION, "week_photos": photos, "seed": seed, "scale": scale}
    (out / "truth.json").write_text(json.dumps(
        {"parameters": parameters, "photos": [asdict(t) for t in truths]}, indent=1
    ))
    return truths


def ensure_week(out: Path, photos: int, seed: int = 8, scale: float = 1.0) -> list[PhotoTruth]:
    """The week folder in ``out``, written again only when missing or made with other parameters."""
    wanted = {"generator": GENERATOR_VERSION, "week_photos": photos, "seed": seed, "scale": scale}
    if (out / "truth.json").is_file():
        parameters, truths = load_truth(out)
        if parameters == wanted and all((out / "photos" / p.file).is_file() for p in truths):
            return truths
    import shutil

    shutil.rmtree(out / "photos", ignore_errors=True)
    return write_week(out, photos, seed, scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--photos-per-kind", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    photos = ensure_corpus(args.out, args.photos_per_kind, args.seed)
    print(f"{len(photos)} photos, {sum(len(p.faces) for p in photos)} faces in {args.out}")


if __name__ == "__main__":
    main()
