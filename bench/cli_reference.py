"""What the face_recognition CLI sees, with face boxes: for scoring the reference.

``face_recognition KNOWN UNKNOWN`` prints one line per face (the names it
matched, or ``unknown_person``) but no boxes, so its detection recall by face
size cannot be read from its output. This module repeats exactly the CLI's
steps for one photo (face_recognition 1.3.0, ``face_recognition_cli.test_image``:
load without applying EXIF orientation, shrink to 1600 px, HOG detection with
one upsample, encode, compare with tolerance 0.6) and also keeps each face's
box. The benchmark checks that the names it gives agree with the real CLI's
output for every photo, and times only the real CLI.

Run as ``python -m bench.cli_reference KNOWN OUT.json PHOTO...``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

#: How the CLI reads a photo: the stored pixels, orientation tag ignored.
CLI_MAX_SIDE = 1600
CLI_TOLERANCE = 0.6


def known_people(known_dir: Path) -> tuple[list[str], list[np.ndarray]]:
    """As the CLI's ``scan_known_people``: one template per file, named by the file."""
    import face_recognition

    names, templates = [], []
    for path in sorted(known_dir.iterdir()):
        if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            continue
        found = face_recognition.face_encodings(face_recognition.load_image_file(str(path)))
        if found:
            names.append(path.stem)
            templates.append(found[0])
    return names, templates


def look(photo: Path, names: list[str], templates: list[np.ndarray]) -> dict:
    """The CLI's ``test_image`` for one photo, keeping the boxes (in stored full-size pixels)."""
    import face_recognition
    import PIL.Image

    image = face_recognition.load_image_file(str(photo))
    stored_height, stored_width = image.shape[:2]
    if max(image.shape) > CLI_MAX_SIDE:
        small = PIL.Image.fromarray(image)
        small.thumbnail((CLI_MAX_SIDE, CLI_MAX_SIDE), PIL.Image.LANCZOS)
        image = np.array(small)
    sy, sx = stored_height / image.shape[0], stored_width / image.shape[1]
    locations = face_recognition.face_locations(image)
    encodings = face_recognition.face_encodings(image, locations)
    faces = []
    for (top, right, bottom, left), encoding in zip(locations, encodings, strict=True):
        distances = face_recognition.face_distance(templates, encoding) if templates else np.array([])
        matched = [name for name, d in zip(names, distances, strict=True) if d <= CLI_TOLERANCE]
        faces.append({
            "stored_box": [round(top * sy), round(right * sx), round(bottom * sy), round(left * sx)],
            "names": matched or ["unknown_person"],
        })
    return {"stored_size": [stored_width, stored_height], "faces": faces}


def main() -> None:
    known, out, *photos = sys.argv[1:]
    names, templates = known_people(Path(known))
    results = {os.path.basename(p): look(Path(p), names, templates) for p in photos}
    Path(out).write_text(json.dumps({"known": names, "photos": results}, indent=1))


if __name__ == "__main__":
    main()
