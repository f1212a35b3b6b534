"""One child on two faces of one photo, with the real engine (issue 26): the clearly nearer
face is the child and the other an unknown face; two faces too close to call both go to a
person. The "child" is the public-domain astronaut (tests/review_setting.py), pasted twice."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import ImageEnhance, ImageFilter
from review_setting import TODAY, make_setting
from test_review_audit import audit_json, face_number, run

from photoaudit.media.samples import astronaut_face, scene


def two_astronauts(path: Path, second, width: int = 200) -> Path:  # noqa: ANN001
    scene([(astronaut_face(), (60, 150), 260), (second, (560, 180), width)], (1000, 750), seed=5).save(path, quality=92)
    return path


def test_the_clearly_nearer_face_is_the_child_and_the_other_an_unknown_face(tmp_path: Path) -> None:
    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    blurred = astronaut_face().filter(ImageFilter.GaussianBlur(2))  # still her, but much farther
    two_astronauts(folder / "settled.jpg", blurred)
    two_astronauts(folder / "too-close.jpg", ImageEnhance.Brightness(astronaut_face()).enhance(1.1), 250)

    images = audit_json(settings.data_dir, folder, tmp_path / "1.json")
    settled = images["settled.jpg"]
    assert sorted(f["status"] for f in settled["faces"]) == ["matched", "unknown"]
    her = face_number(settled, "matched")
    other = face_number(settled, "unknown")
    assert settled["faces"][her - 1]["child_id"] == "c01" and settled["faces"][other - 1].get("child_id") is None
    assert settled["faces"][other - 1]["box"][3] > 500  # the blurred copy, on the right (top, right, bottom, left)
    reasons = " ".join(settled["reasons"])
    assert f"Face {other} also looked like Ava Patel (c01), but face {her} is clearly closer" in reasons
    assert "at most one" not in reasons and settled["action"] == "review"  # an unknown face: never cleared

    close = images["too-close.jpg"]
    assert [f["status"] for f in close["faces"]] == ["matched", "matched"]
    assert "at most one can be right" in " ".join(close["reasons"]) and close["action"] == "review"

    # `check` shares the judge: the same faces, the same words.
    out = tmp_path / "check.json"
    checked = run(settings.data_dir, "check", str(folder / "settled.jpg"), "--for", "display", "--json", str(out),
                  "--today", TODAY.isoformat())
    assert checked.exit_code in (0, 1), checked.output
    assert f"face {her} is clearly closer" in out.read_text(encoding="utf-8")

    # The unknown face is a question of its own, and review says why it is asked.
    asked = run(settings.data_dir, "review", str(folder), input="skip\n" * 6)
    assert f"settled.jpg, face {other}: unknown: also looked like Ava Patel (c01)" in asked.output, asked.output
    assert f"settled.jpg, face {her}:" not in asked.output
    # A person says who it is, and the photo is cleared.
    (tmp_path / "d.csv").write_text(f"photo,face,decision\nsettled.jpg,{other},adult\n", encoding="utf-8")
    assert run(settings.data_dir, "review", "--decisions", str(tmp_path / "d.csv")).exit_code == 0
    again = audit_json(settings.data_dir, folder, tmp_path / "2.json")["settled.jpg"]
    assert again["action"] == "keep" and again["faces"][her - 1]["child_id"] == "c01"
    assert json.loads((tmp_path / "2.json").read_text())["summary"]["review"] == 1  # too-close.jpg only
