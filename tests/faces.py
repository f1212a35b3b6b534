"""The tests' sample faces: see :mod:`photoaudit.media.samples` (never real children)."""

from photoaudit.media.samples import *  # noqa: F401,F403
from photoaudit.media.samples import (
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
