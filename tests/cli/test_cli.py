"""The command line end to end, with the real face engine, on a small setting built in tmp_path.

The "children" are played by public-domain faces (tests/faces.py): Ava by the astronaut
(every use allowed), Grace by Grace Hopper (social media refused), Sam by the cameraman
(his parents refused every use). With Sam enrolled, a group photo with him is deleted; the
unknown-face test withdraws his face-matching permission, so his face is then unknown.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from faces import (
    ASTRONAUT_HEAD,
    astronaut,
    astronaut_face,
    cameraman,
    grace_hopper,
    grace_hopper_face,
    save_jpeg_with_orientation,
    scene,
)
from PIL import ImageOps
from setting import child, save_reference, write_register
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.exit_status import ExitStatus
from photoaudit.core.models import PURPOSES

TODAY = "2026-11-20"
ENV = {"COLUMNS": "400"}  # wide output: messages are not wrapped
ROWS = [
    child("c01", "Ava Patel"),
    child("c02", "Grace Okafor", refuse=("social_media",)),
    child("c03", "Sam Jones", refuse=("all",)),
    child("c05", "Mia Brown"),  # face-matching permission, no reference photos
]
CAMERAMAN_HEAD = (150, 60, 300, 240)
#: Where Ava's head is pasted in the cleared photo: top-left corner and width.
AVA_AT, AVA_WIDTH = (600, 300), 360


def cameraman_face():  # noqa: ANN201
    return cameraman().crop(CAMERAMAN_HEAD)


def build_references(faces: Path) -> None:
    save_reference(astronaut(), faces, "c01", "ava-1.jpg")
    save_reference(ImageOps.mirror(astronaut()), faces, "c01", "ava-2.jpg")
    save_reference(grace_hopper(), faces, "c02", "grace-1.jpg")
    save_reference(ImageOps.mirror(grace_hopper()), faces, "c02", "grace-2.jpg")
    save_reference(scene([], (640, 480), seed=3), faces, "c02", "blank.jpg")  # rejected: no face
    save_reference(cameraman().resize((1024, 1024)), faces, "c03", "sam-1.jpg")
    save_reference(ImageOps.mirror(cameraman()).resize((1024, 1024)), faces, "c03", "sam-2.jpg")


def build_transfer(folder: Path) -> None:
    """This week's photos: one of each thing the audit must notice."""
    t1, t2 = folder / "tablet-1", folder / "tablet-2"
    t1.mkdir(parents=True)
    t2.mkdir(parents=True)
    ava, grace, sam = astronaut_face(), grace_hopper_face(), cameraman_face()
    scene([(ava, AVA_AT, AVA_WIDTH)], (1600, 1200), seed=1).save(t1 / "IMG_0001.jpg", quality=90)
    scene([(grace, (500, 250), 420)], (1600, 1200), seed=2).save(t1 / "IMG_0002.jpg", quality=90)
    scene([(ava, (200, 300), 320), (sam, (900, 300), 320)], (1600, 1200), seed=3).save(
        t1 / "IMG_0003.jpg", quality=90
    )
    # A portrait photo stored sideways (EXIF orientation 6), as tablets do.
    save_jpeg_with_orientation(scene([(ava, (300, 500), 400)], (1000, 1400), seed=4), t1 / "IMG_0004.jpg", 6)
    scene([], (1600, 1200), seed=5).save(t1 / "IMG_0005.jpg", quality=90)  # nobody in it
    # A PNG that was renamed .jpg: judged by its content.
    scene([(ava, (500, 300), 300)], (1200, 900), seed=6).save(t2 / "IMG_0101.jpg", format="PNG")
    whole = scene([(grace, (500, 250), 420)], (1600, 1200), seed=7)
    whole.save(t2 / "IMG_0102.jpg", quality=90)
    data = (t2 / "IMG_0102.jpg").read_bytes()
    (t2 / "IMG_0102.jpg").write_bytes(data[: len(data) // 2])  # did not finish copying
    (t2 / "IMG_0103.jpg").write_bytes(b"")  # zero bytes
    (t2 / "MOV_0104.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    # A hidden photo is audited like any other (issue 13: a photo of Sam, who may not be
    # photographed for anything, must show); a thumbnail cache gets a row (delete); Finder's
    # .DS_Store is the one file skipped, and the report lists it.
    scene([(sam, (600, 300), 380)], (1600, 1200), seed=8).save(t2 / ".IMG_0105.jpg", quality=90)
    (t2 / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0 thumbnail cache")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")


EXPECTED_PATHS = [
    "tablet-1/IMG_0001.jpg",
    "tablet-1/IMG_0002.jpg",
    "tablet-1/IMG_0003.jpg",
    "tablet-1/IMG_0004.jpg",
    "tablet-1/IMG_0005.jpg",
    "tablet-2/.IMG_0105.jpg",
    "tablet-2/IMG_0101.jpg",
    "tablet-2/IMG_0102.jpg",
    "tablet-2/IMG_0103.jpg",
    "tablet-2/MOV_0104.mp4",
    "tablet-2/Thumbs.db",
]


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under ``folder`` (hidden ones too): content hash, mtime and mode."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        found[path.relative_to(folder).as_posix()] = (digest, info.st_mtime_ns, stat.S_IMODE(info.st_mode))
    return found


runner = CliRunner()


def cli(config: Path, *args: str | Path):  # noqa: ANN201
    """Run the CLI in-process with an explicit (empty) settings file, so that a
    photoaudit.toml in the folder the tests run from is never used."""
    return runner.invoke(app, ["--config", str(config), *(str(a) for a in args)], env=ENV)


def doc_section(page: str, title: str) -> str:
    """The section of ``page`` (README.md, docs/...) headed ``title``, to the next heading of its level or above."""
    text = (Path(__file__).resolve().parents[2] / page).read_text(encoding="utf-8")
    start = re.search(rf"^(#+) {re.escape(title)}", text, flags=re.M)
    assert start is not None, f"{page} has no section {title!r}"
    level = len(start.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", flags=re.M).search(text, start.end())
    return text[start.start() : end.start() if end else None]


def documented_json_fields() -> set[str]:
    """Every field name the "The JSON report" section of docs/reports.md mentions (example or text)."""
    section = doc_section("docs/reports.md", "The JSON report")
    names: set[str] = set()
    for example in re.findall(r"```json\n(.*?)```", section, flags=re.S):
        names.update(re.findall(r'"([a-z_][a-z0-9_]*)"\s*:', example))
    prose = re.sub(r"```.*?```", "", section, flags=re.S)
    for code in re.findall(r"`([^`\n]+)`", prose):  # `kind`, `summary.breaches`, `{"make", "model"}`
        names.update(re.findall(r"[a-z_][a-z0-9_]*", code))
    return names


def quiet_fields(line: str) -> dict[str, str]:
    """``photoaudit: photos=1 keep=1 ... folder=/x`` as a dict (a folder with spaces is quoted as a shell would)."""
    assert line.startswith("photoaudit: "), line
    head, _, folder = line.removeprefix("photoaudit: ").partition(" folder=")
    fields = dict(item.split("=", 1) for item in head.split())
    [fields["folder"]] = shlex.split(folder)
    return fields


#: Fields of the --quiet line that are there only sometimes (docs/setting-up.md says when).
OPTIONAL_QUIET_KEYS = ("quarantined", "devices")


#: The --quiet line's fields, in the order of docs/setting-up.md, "The `--quiet` line".
QUIET_LINE = doc_section("docs/setting-up.md", "The `--quiet` line")
QUIET_KEYS = list(quiet_fields(re.search(r"`(photoaudit: photos=[^`]*)`", QUIET_LINE).group(1)))


@dataclass
class Setting:
    root: Path
    config: Path
    data: Path
    transfer: Path
    clear: Path  # a folder where every photo is cleared
    out: Path
    before: dict[str, tuple[str, int, int]]
    enrol_output: str
    enrol_code: int


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Setting:
    root = tmp_path_factory.mktemp("cli")
    data = root / "setting"
    write_register(data / "children.csv", ROWS)
    build_references(data / "faces")
    transfer = root / "transfer"
    build_transfer(transfer)
    clear = root / "clear"
    clear.mkdir()
    shutil.copy2(transfer / "tablet-1" / "IMG_0001.jpg", clear / "IMG_0001.jpg")
    out = root / "out"
    out.mkdir()
    before = snapshot(transfer)
    # An empty settings file, so a photoaudit.toml in the folder the tests run from is not used.
    (root / "photoaudit.toml").write_text("")
    enrolled = cli(root / "photoaudit.toml", "--data", data, "enrol")
    return Setting(root, root / "photoaudit.toml", data, transfer, clear, out, before, enrolled.stdout, enrolled.exit_code)


@pytest.fixture(scope="module")
def audited(setting: Setting) -> tuple[int, str, dict]:
    """One full audit of the transfer folder with both reports."""
    result = cli(setting.config, "--data", setting.data, "audit", setting.transfer,
                 "--json", setting.out / "report.json", "--csv", setting.out / "report.csv", "--today", TODAY)
    report = json.loads((setting.out / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, result.stdout, report


def image(report: dict, path: str) -> dict:
    [found] = [i for i in report["images"] if i["path"] == path]
    return found


# ------------------------------------------------------------ enrol


def test_enrol_lists_enrolled_children_rejections_and_warnings(setting: Setting) -> None:
    out = setting.enrol_output
    assert setting.enrol_code == 0, out
    assert "Ava Patel (c01): 2 reference photo(s) enrolled" in out
    assert "Grace Okafor (c02): 2 reference photo(s) enrolled" in out
    assert "Sam Jones (c03): 2 reference photo(s) enrolled" in out
    assert re.search(r"Rejected faces/c02/blank\.jpg: no face found", out)
    assert "Mia Brown (c05) has face-matching permission but no reference photos" in out


# ------------------------------------------------------------ the audit and its JSON contract


def test_findings_give_exit_code_1(audited: tuple[int, str, dict]) -> None:
    code, stdout, _ = audited
    assert code == 1, stdout


def test_json_report_follows_the_documented_contract(setting: Setting, audited: tuple[int, str, dict]) -> None:
    _, _, report = audited
    # The version 1 fields (docs/reports.md, "The JSON report"), with their types.
    assert {"version", "generated", "today", "folder", "summary", "warnings", "images"} <= set(report)
    assert report["version"] == 1
    assert datetime.fromisoformat(report["generated"]).tzinfo is not None
    assert report["today"] == TODAY
    assert report["folder"] == str(setting.transfer)
    assert isinstance(report["warnings"], list) and all(isinstance(w, str) for w in report["warnings"])
    assert [i["path"] for i in report["images"]] == EXPECTED_PATHS  # hidden files too
    assert report["skipped"] == [{"path": ".DS_Store", "reason": "Finder folder settings (.DS_Store), not a photo",
                                  "path_hex": None}]
    assert report["summary"]["skipped"] == 1
    actions = [i["action"] for i in report["images"]]
    summary = report["summary"]
    assert {k: summary[k] for k in ("photos", "keep", "delete", "review")} == {
        "photos": len(EXPECTED_PATHS),
        "keep": actions.count("keep"),
        "delete": actions.count("delete"),
        "review": actions.count("review"),
    }
    for img in report["images"]:
        assert {"path", "action", "purposes", "journeys", "faces", "reasons", "notes"} <= set(img)
        assert "\\" not in img["path"] and not img["path"].startswith("/")
        assert img["action"] in ("keep", "delete", "review")
        assert list(img["purposes"]) == list(PURPOSES)
        assert set(img["purposes"].values()) <= {"allowed", "withheld", "review"}
        assert all(isinstance(c, str) for c in img["journeys"])
        assert all(isinstance(n, str) and n for n in img["notes"])
        if img["action"] != "keep" or set(img["purposes"].values()) != {"allowed"}:
            assert img["reasons"] and all(isinstance(r, str) and r for r in img["reasons"]), img
        for face in img["faces"]:
            assert {"child_id", "status", "distance", "box", "candidates"} <= set(face)
            assert face["status"] in ("matched", "unknown", "ambiguous")
            assert (face["child_id"] is not None) == (face["status"] == "matched")
            top, right, bottom, left = face["box"]
            assert all(isinstance(v, int) for v in face["box"]) and top < bottom and left < right
            assert face["distance"] is None or isinstance(face["distance"], float)
            distances = [c["distance"] for c in face["candidates"]]
            assert distances == sorted(distances)
            assert all(set(c) == {"child_id", "distance"} for c in face["candidates"])


def test_every_json_field_is_documented(audited: tuple[int, str, dict]) -> None:
    """Cron jobs and other tools read the report: a field docs/reports.md does not mention is a
    contract change nobody wrote down."""
    documented = documented_json_fields()
    report = audited[2]
    data_keys = set(PURPOSES)  # purposes are keys of "purposes", documented by the register

    def undocumented(value: object, where: str) -> list[str]:
        found = []
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in documented and key not in data_keys:
                    found.append(f"{where}.{key}")
                found += undocumented(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for inner in value:
                found += undocumented(inner, f"{where}[]")
        return found

    assert undocumented(report, "report") == []
    # ... and the check can fail: the documented names are field names, not every word.
    assert "version" in documented and "child_id" in documented and "nonsense" not in documented


def test_cleared_photo(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-1/IMG_0001.jpg")
    assert img["action"] == "keep"
    assert set(img["purposes"].values()) == {"allowed"}
    assert img["journeys"] == ["c01"]
    [face] = img["faces"]
    assert face["child_id"] == "c01" and face["status"] == "matched" and face["distance"] < 0.5
    assert [c["child_id"] for c in face["candidates"]][:1] == ["c01"]
    # The box is where Ava's face was put: inside her pasted head.
    top, right, bottom, left = face["box"]
    head_w = ASTRONAUT_HEAD[2] - ASTRONAUT_HEAD[0]
    head_h = round((ASTRONAUT_HEAD[3] - ASTRONAUT_HEAD[1]) * AVA_WIDTH / head_w)
    x, y = AVA_AT
    assert x <= left < right <= x + AVA_WIDTH and y <= top < bottom <= y + head_h
    assert img["reasons"] == []


def test_photo_withheld_from_social_media(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-1/IMG_0002.jpg")
    assert img["action"] == "keep"
    assert img["purposes"] == {
        "learning_journey": "allowed", "other_journeys": "allowed", "display": "allowed",
        "website": "allowed", "social_media": "withheld",
    }
    assert img["journeys"] == ["c02"]
    assert [f["child_id"] for f in img["faces"]] == ["c02"]
    assert any("Grace Okafor (c02)" in r and "social media" in r and "R2" in r for r in img["reasons"])


def test_group_photo_with_a_child_who_refused_everything_is_deleted(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-1/IMG_0003.jpg")
    assert img["action"] == "delete"
    assert set(img["purposes"].values()) == {"withheld"}
    assert img["journeys"] == []
    assert sorted(f["child_id"] for f in img["faces"]) == ["c01", "c03"]
    assert all(f["status"] == "matched" for f in img["faces"])
    assert any("Sam Jones (c03)" in r for r in img["reasons"])
    assert any("R4" in r for r in img["reasons"])


def test_sideways_photo_box_is_in_the_upright_photo(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-1/IMG_0004.jpg")
    assert img["action"] == "keep" and img["journeys"] == ["c01"]
    [face] = img["faces"]
    top, right, bottom, left = face["box"]
    # Upright, the photo is 1000 wide and 1400 high; Ava's head is at (300, 500), 400 wide.
    assert 300 <= left < right <= 700 and 500 <= top < bottom <= 1000


def test_photo_without_faces_is_kept_but_public_uses_need_a_look(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-1/IMG_0005.jpg")
    assert img["action"] == "keep" and img["faces"] == []
    assert img["purposes"]["social_media"] == "review" and img["purposes"]["display"] == "allowed"
    assert any("No face found: check by eye" in r for r in img["reasons"])


def test_png_named_jpg_is_read_by_its_content(audited: tuple[int, str, dict]) -> None:
    img = image(audited[2], "tablet-2/IMG_0101.jpg")
    assert img["action"] == "keep"
    assert [f["child_id"] for f in img["faces"]] == ["c01"]


@pytest.mark.parametrize(
    "path, words",
    [
        ("tablet-2/IMG_0102.jpg", "cut short"),
        ("tablet-2/IMG_0103.jpg", "empty"),
        ("tablet-2/MOV_0104.mp4", "video"),
    ],
)
def test_files_that_cannot_be_checked_go_to_review(audited: tuple[int, str, dict], path: str, words: str) -> None:
    img = image(audited[2], path)
    assert img["action"] == "review"
    assert set(img["purposes"].values()) == {"review"}
    assert any(words in r for r in img["reasons"]), img["reasons"]


def test_terminal_output_shows_summary_and_reasons(audited: tuple[int, str, dict]) -> None:
    _, stdout, _ = audited
    assert "11 photos checked: 5 keep, 3 delete, 3 for a person to look at" in stdout
    assert "tablet-1/IMG_0003.jpg" in stdout and "Sam Jones (c03)" in stdout
    assert "tablet-1/IMG_0001.jpg" not in stdout  # cleared: nothing to do
    assert ".IMG_0105" in stdout and "Thumbs.db" in stdout and "thumbnail cache" in stdout
    assert "1 file(s) skipped, not photos:" in stdout and ".DS_Store: Finder folder settings" in stdout


def test_the_terminal_says_what_to_do_next_with_commands_ready_to_paste(
    setting: Setting, audited: tuple[int, str, dict]
) -> None:
    _, stdout, report = audited
    assert "Next:" in stdout
    prefix = f"photoaudit --config {setting.config} --data {setting.data}"
    deletes = report["summary"]["delete"]
    assert f"{deletes} photo(s) to delete." in stdout
    assert f"{prefix} audit {setting.transfer} --apply" in stdout
    assert f"{prefix} audit {setting.transfer} --html report.html" in stdout
    assert "(R2)" not in stdout and "(R5)" not in stdout  # plain words in the terminal
    assert any("(R" in r for i in report["images"] for r in i["reasons"])  # the JSON keeps the codes


def test_only_tables_are_laid_out_to_a_width_when_piped(setting: Setting, audited: tuple[int, str, dict]) -> None:
    """Piped (cron's mail), a sentence is never cut in two, however narrow the width."""
    result = runner.invoke(app, ["--config", str(setting.config), "--data", str(setting.data), "audit",
                                 str(setting.transfer), "--today", TODAY], env={"COLUMNS": "40"})
    lines = result.output.splitlines()
    [step] = [line for line in lines if "photo(s) to delete." in line]
    assert step.endswith(f"audit {setting.transfer} --apply")
    assert any(line.startswith("Note: ") and len(line) > 40 for line in lines)


@pytest.mark.skipif(os.name == "nt", reason="these names are not allowed on Windows")
def test_names_with_markup_or_escapes_are_printed_literally(setting: Setting) -> None:
    """Issue 13 (12): a file name is a name, never Rich markup, and no escape reaches the terminal."""
    odd = setting.root / "odd names"
    odd.mkdir()
    names = ["a[/]x.jpg", "[bold red]y.jpg", "\x1b[2Jz.jpg"]
    for name in names:  # "a[/]x.jpg" is "]x.jpg" in a folder "a["
        (odd / name).parent.mkdir(exist_ok=True)
        (odd / name).write_bytes(b"")  # empty: each gets a row in the table
    result = cli(setting.config, "--data", setting.data, "audit", odd, "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "a[/]x.jpg" in result.output and "[bold red]y.jpg" in result.output
    assert "\x1b" not in result.output and "\\x1b[2Jz.jpg" in result.output


def test_csv_report_has_a_row_per_photo(setting: Setting, audited: tuple[int, str, dict]) -> None:
    text = (setting.out / "report.csv").read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    report = audited[2]
    assert [r["photo"] for r in table] == [i["path"] for i in report["images"]] + [".DS_Store"]
    assert [r["action"] for r in table] == [i["action"] for i in report["images"]] + ["skipped"]
    assert "not a photo" in table[-1]["reasons"]
    for row, img in zip(table[:-1], report["images"], strict=True):  # the last row: the skipped file
        assert [row[p] for p in PURPOSES] == [img["purposes"][p] for p in PURPOSES]
    assert table[2]["children"].split() == ["c01", "c03"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_reports_are_private(setting: Setting, audited: tuple[int, str, dict]) -> None:
    for name in ("report.json", "report.csv"):
        assert stat.S_IMODE((setting.out / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in setting.out.iterdir()) == ["report.csv", "report.json"]  # no temp files left


def test_audit_never_touches_the_audited_folder(setting: Setting, audited: tuple[int, str, dict]) -> None:
    """Same files, same bytes, same times and modes, and nothing new (hidden files included)."""
    assert snapshot(setting.transfer) == setting.before


# ------------------------------------------------------------ all clear, quiet, JSON on stdout


def test_all_clear_quiet_gives_exit_0_and_one_line(setting: Setting) -> None:
    result = cli(setting.config, "--data", setting.data, "audit", setting.clear, "--quiet", "--today", TODAY)
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    fields = quiet_fields(line)
    assert [k for k in fields if k not in OPTIONAL_QUIET_KEYS] == QUIET_KEYS  # the documented fields, in their order
    assert {k: fields[k] for k in ("photos", "keep", "delete", "review", "folder")} == {
        "photos": "1", "keep": "1", "delete": "0", "review": "0", "folder": str(setting.clear)
    }
    assert fields["devices"] == "unchecked"  # this setting has no devices.csv


def test_quiet_line_quotes_a_folder_with_spaces_and_makes_it_absolute(setting: Setting) -> None:
    spaced = setting.root / "week 47's photos"
    spaced.mkdir()
    shutil.copy2(setting.clear / "IMG_0001.jpg", spaced / "IMG_0001.jpg")
    result = runner.invoke(app, ["--config", str(setting.config), "--data", str(setting.data), "audit",
                                 os.path.relpath(spaced), "--quiet", "--today", TODAY], env={"COLUMNS": "30"})
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.endswith(" folder=" + shlex.quote(str(spaced)))
    assert quiet_fields(line)["folder"] == str(spaced)


def test_json_to_stdout_is_pure_json(setting: Setting) -> None:
    """The installed console script, as cron would run it."""
    script = Path(sys.executable).parent / ("photoaudit.exe" if os.name == "nt" else "photoaudit")
    if not script.exists():
        pytest.skip("the photoaudit console script is not installed next to this Python")
    done = subprocess.run(
        [str(script), "--config", str(setting.config), "--data", str(setting.data),
         "audit", str(setting.clear), "--json", "-", "--today", TODAY],
        capture_output=True, text=True, timeout=300, cwd=setting.root,
        env={**{k: v for k, v in os.environ.items() if k != "PHOTOAUDIT_DATA"}, **ENV},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # nothing but the JSON on standard output
    assert {k: report["summary"][k] for k in ("photos", "keep", "delete", "review")} == {
        "photos": 1, "keep": 1, "delete": 0, "review": 0
    }
    assert [i["path"] for i in report["images"]] == ["IMG_0001.jpg"]
    assert "1 photos checked" in done.stderr  # the summary goes to standard error


# ------------------------------------------------------------ an unknown face


def test_child_without_face_matching_is_an_unknown_face(setting: Setting, tmp_path: Path) -> None:
    """Sam's parents withdraw face-matching permission: his templates are erased and his face is
    then unknown, so the photo goes to a person (never kept, never deleted on a guess)."""
    data = tmp_path / "setting"
    shutil.copytree(setting.data, data)
    write_register(data / "children.csv",
                   [dict(r, face_matching="no") if r["child_id"] == "c03" else r for r in ROWS])
    folder = tmp_path / "transfer"
    folder.mkdir()
    shutil.copy2(setting.transfer / "tablet-1" / "IMG_0003.jpg", folder / "group.jpg")

    result = cli(setting.config, "--data", data, "audit", folder, "--quiet", "--json", tmp_path / "r.json", "--today", TODAY)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    fields = quiet_fields(line)
    assert (fields["photos"], fields["keep"], fields["delete"], fields["review"]) == ("1", "0", "0", "1")
    assert fields["folder"] == str(folder)
    [img] = json.loads((tmp_path / "r.json").read_text())["images"]
    assert img["action"] == "review"
    faces = sorted(img["faces"], key=lambda f: f["box"][3])  # left to right: Ava, then Sam
    assert [f["child_id"] for f in faces] == ["c01", None]
    assert faces[1]["status"] == "unknown"
    assert faces[1]["distance"] is None or faces[1]["distance"] > 0.5
    assert {c["child_id"] for c in faces[1]["candidates"]} <= {"c01", "c02"}
    assert any("Face 2" in r and "person must check" in r for r in img["reasons"])
    assert "c03" not in json.dumps(img)


# ------------------------------------------------------------ exit code 2: could not run


def test_broken_register_names_file_line_and_column(setting: Setting, tmp_path: Path) -> None:
    data = tmp_path / "broken"
    write_register(data / "children.csv", [ROWS[0], dict(ROWS[1], social_media="maybe")])
    result = cli(setting.config, "--data", data, "audit", setting.clear, "--today", TODAY)
    assert result.exit_code == 2
    assert "children.csv, line 3, column \"social_media\"" in result.stderr
    assert "maybe" in result.stderr
    assert result.stdout == ""


def test_missing_register(setting: Setting, tmp_path: Path) -> None:
    result = cli(setting.config, "--data", tmp_path / "nowhere", "audit", setting.clear, "--today", TODAY)
    assert result.exit_code == 2
    assert "No consent register found" in result.stderr


def test_missing_folder(setting: Setting, tmp_path: Path) -> None:
    result = cli(setting.config, "--data", setting.data, "audit", tmp_path / "no-such-folder", "--today", TODAY)
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("option", ["--json", "--csv"])
def test_report_inside_the_audited_folder_is_refused(setting: Setting, option: str) -> None:
    target = setting.transfer / "tablet-1" / "report.out"
    result = cli(setting.config, "--data", setting.data, "audit", setting.transfer, option, target, "--today", TODAY)
    assert result.exit_code == 2
    assert "inside the folder being audited" in result.stderr
    assert snapshot(setting.transfer) == setting.before


def test_bad_today_is_refused(setting: Setting) -> None:
    # A UK date like the register's (20/11/2026) is a date; the US order has no month 20.
    result = cli(setting.config, "--data", setting.data, "audit", setting.clear, "--today", "11/20/2026")
    assert result.exit_code == 2
    assert "--today" in result.stderr


def test_an_unexpected_error_is_exit_2_not_the_findings_code() -> None:
    """A crash (a fault in photoaudit) must not end with Python's 1, which cron reads as findings."""
    import subprocess
    import sys

    from photoaudit.__main__ import ExitStatus as MainExitStatus

    assert MainExitStatus.CANNOT_RUN is ExitStatus.CANNOT_RUN == 2
    probe = (
        "import photoaudit.cli.main as cli\n"
        "def broken(**kwargs):\n"
        "    raise ValueError('a fault nobody foresaw')\n"
        "cli.app = broken\n"
        "from photoaudit.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "unexpected error" in done.stderr and "a fault nobody foresaw" in done.stderr
    assert "do not rely on any report from this run" in done.stderr
