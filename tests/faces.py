"""The tests' sample faces: see :mod:`photoaudit.samples` (never real children)."""

from photoaudit.samples import *  # noqa: F401,F403
from photoaudit.samples import (  # noqa: F401  (explicit names for readers and linters)
    ASTRONAUT_HEAD,
    GRACE_HOPPER_HEAD,
    astronaut,
    astronaut_face,
    cameraman,
    grace_hopper,
    grace_hopper_face,
    orientation_exif,
    save_heic,
    save_jpeg_with_orientation,
    scene,
    undo_orientation,
)
