"""``photoaudit init`` and ``photoaudit demo`` as a person runs them: a new setting that
``doctor`` accepts and says what to do next about; the demo built, enrolled and audited; a
folder either did not make left alone; the demo's faces missing said in words, with the
command that installs them, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.media import samples
from photoaudit.operations import demo

runner = CliRunner()


def cli(*args: str | Path):  # noqa: ANN201
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "300"})
    return result, " ".join(result.output.split())


def test_init_then_doctor_says_what_to_do_next(tmp_path: Path) -> None:
    folder = tmp_path / "little-acorns"
    result, said = cli("init", folder)
    assert result.exit_code == 0, said
    assert f"Next: photoaudit --data {folder} doctor" in said
    result, said = cli("--data", folder, "doctor")
    assert result.exit_code == 0, said  # runs: notes, no failure
    assert "note Consent register" in said and "no children yet" in said
    assert f"Next: open {folder / 'children.csv'} in Excel" in said and f"photoaudit --data {folder} doctor" in said


def test_init_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    cli("init", tmp_path / "s")
    (tmp_path / "s" / "children.csv").write_text("child_id,name\nC001,Amelia\n")
    result, said = cli("init", tmp_path / "s")
    assert result.exit_code == 2 and "never overwrites" in said and "Traceback" not in said
    assert (tmp_path / "s" / "children.csv").read_text() == "child_id,name\nC001,Amelia\n"


def test_doctor_without_a_setting_points_at_init(tmp_path: Path) -> None:
    result, said = cli("--data", tmp_path, "doctor")
    assert result.exit_code == 2 and "Next: start a new setting's folder" in said and "photoaudit init FOLDER" in said


def test_the_demo_never_touches_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "transfer").mkdir()
    (tmp_path / "transfer" / "IMG_0001.jpg").write_bytes(b"a real photo")
    result, said = cli("demo", tmp_path)
    assert result.exit_code == 2 and "was not made by `photoaudit demo`" in said
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["IMG_0001.jpg", "transfer"]
    assert (tmp_path / "transfer" / "IMG_0001.jpg").read_bytes() == b"a real photo"


def test_the_demo_builds_again_only_what_it_made(tmp_path: Path) -> None:
    places = demo.DemoPlaces(tmp_path)
    (tmp_path / demo.MARKER).write_bytes(demo.MARKER_TEXT)
    for part in (places.setting, places.transfer):
        part.mkdir()
        (part / "old.jpg").write_bytes(b"old")
    places.reports[2].write_text("old report")
    (tmp_path / "notes.txt").write_text("mine")
    demo.clear_own(places)
    assert sorted(p.name for p in tmp_path.iterdir()) == [demo.MARKER, "notes.txt"]


def test_the_demo_without_its_faces_says_how_to_install_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(samples, "SAMPLE_PACKAGES", {"skimage": "scikit-image>=0.21",
                                                     "no_such_package_here": "matplotlib>=3.7"})
    result, said = cli("demo", tmp_path / "demo")
    assert result.exit_code == 2 and "Traceback" not in said and isinstance(result.exception, SystemExit)
    assert "come with matplotlib, which is not installed here" in said
    assert "-m pip install 'matplotlib>=3.7'" in said
    assert not (tmp_path / "demo").exists()


def test_the_install_command_for_each_way_of_installing() -> None:
    wanted = ["scikit-image>=0.21", "matplotlib>=3.7"]
    pipx = demo.install_command(Path("/home/office/.local/share/pipx/venvs/photoaudit"), Path("/x/python"), wanted)
    assert pipx == "pipx inject photoaudit 'scikit-image>=0.21' 'matplotlib>=3.7'"
    uv = demo.install_command(Path("/home/office/.local/share/uv/tools/photoaudit"), Path("/x/python"), wanted)
    assert uv == "uv tool install --force photoaudit --with 'scikit-image>=0.21' --with 'matplotlib>=3.7'"
    venv = demo.install_command(Path("/srv/photoaudit/.venv"), Path("/srv/photoaudit/.venv/bin/python"), wanted[1:])
    assert venv == "\"/srv/photoaudit/.venv/bin/python\" -m pip install 'matplotlib>=3.7'"


@pytest.mark.slow
def test_the_demo_builds_enrols_audits_and_says_what_to_look_at(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result, said = cli("demo", folder)
    assert result.exit_code == 0, said
    assert "Enrolling, then auditing" in said and f"Reports: {folder / 'report.html'}" in said
    assert "The audit's exit code was 1" in said and "Look at:" in said
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    paths = {image["path"] for image in report["images"]}
    assert {"tablet-1/IMG_0001.jpg", "tablet-2/IMG_0101.heic", "tablet-2/VID_0108.mov"} <= paths
    assert (folder / "setting" / "state").is_dir() and (folder / demo.MARKER).is_file()
