"""The public-domain sample faces (photoaudit.media.samples) are read without writing anything:
neither scikit-image nor matplotlib is imported (``import matplotlib`` alone makes a folder in
the user's configuration folder)."""

from __future__ import annotations

from pathlib import Path

from outside import python


def test_the_sample_faces_are_read_without_writing_anything(tmp_path: Path) -> None:
    code = ("import sys\nfrom photoaudit.media.samples import astronaut, cameraman, grace_hopper\n"
            "print([f().size for f in (astronaut, cameraman, grace_hopper)], "
            "sorted(m for m in ('matplotlib', 'skimage') if m in sys.modules))")
    done, left = python(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(512, 512), (512, 512), (512, 600)] []"
    assert left == []
