"""Every command gives a photo the same answer (issue 24): one week, every kind of case.

One generated week (the demo's pictures, public-domain faces only, never real children),
with a decision of every kind (a child id, an adult, a member of staff, not a face, "no
children"), an override, a leaver record, staff, a twin, a young child, look-alikes, a
picture inside a picture, a video, GPS, a personal phone (breach) and a file that did not
finish copying. Then, for every photo and every use, what each command says must be the
same: the audit's JSON, ``check --for USE`` (its exit code and its words), ``reaudit`` right
after the audit (nothing changed, nothing left unjudged), an audit on a Dask LocalCluster
started from a relative folder, the CSV and the HTML report.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import piexif
import pytest
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.core.cover import GPS_WORDS
from photoaudit.media import demo_pictures
from photoaudit.media.files import sha256_file
from photoaudit.media.samples import astronaut_face, grace_hopper_face, scene
from photoaudit.store.database import Store
from photoaudit.store.leavers import _table

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "photoaudit" / "setting" / "demo_setting"
TODAY = date.today()  # the demo's photos are dated relative to now
runner = CliRunner()

HEADER = ("child_id,name,room,status,leave_date,learning_journey,other_journeys,display,website,"
          "social_media,face_matching,consent_review_due,social_media_withdrawn,date_of_birth,twin_of\n")
#: The demo's register, with Ava (c01) a young child (under the public-use age) with a twin,
#: Ella (c07, not enrolled, no social media): her matches need a person for public uses.
BORN = (TODAY - timedelta(days=600)).isoformat()
ROWS = (
    f"c01,Ava Patel,Butterflies,attending,,yes,yes,yes,yes,yes,yes,2030-09-01,,{BORN},\n"
    "c02,Grace Okafor,Butterflies,attending,,yes,yes,yes,no,yes,yes,2030-09-01,2026-10-01,,\n"
    "c03,Sam Jones,Caterpillars,attending,,no,no,no,no,no,no,2030-09-01,,,\n"
    "c04,Leo Smith,Caterpillars,left,2026-07-18,yes,yes,yes,yes,yes,no,2030-09-01,,,\n"
    f"c07,Ella Patel,Butterflies,attending,,yes,yes,yes,yes,no,no,2030-09-01,,{BORN},c01\n"
)


def run(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(config), *args], env={"COLUMNS": "300"})
    return result.exit_code, " ".join(result.output.split())


def cluster_tests():  # noqa: ANN201
    """tests/operations/test_cluster.py, for its ``local_cluster``."""
    spec = importlib.util.spec_from_file_location("cluster_tests", ROOT / "tests" / "operations" / "test_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def build_week(root: Path) -> tuple[Path, Path]:
    """The setting (root/data, its photoaudit.toml) and the week's folder (root/week)."""
    data = root / "data"
    data.mkdir()
    for name in ("staff.csv", "devices.csv", "photoaudit.toml"):
        shutil.copy(DEMO / name, data / name)
    (data / "children.csv").write_text(HEADER + ROWS, encoding="utf-8")
    demo_pictures.references(data / "faces", data / "staff")
    demo_pictures.transfer(root / "week")
    # A picture inside a picture: Ava, carrying the EXIF thumbnail of a photo of Grace.
    thumb = io.BytesIO()
    small = scene([(grace_hopper_face(), (40, 20), 90)], (160, 120), seed=21)
    small.save(thumb, "JPEG", quality=85)
    taken = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y:%m:%d %H:%M:%S").encode()
    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"samsung", piexif.ImageIFD.Model: b"SM-T220"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: taken},
        "1st": {piexif.ImageIFD.JPEGInterchangeFormat: 0, piexif.ImageIFD.JPEGInterchangeFormatLength: 0},
        "thumbnail": thumb.getvalue(),
    })
    scene([(astronaut_face(), (600, 300), 360)], (1600, 1200), seed=22).save(
        root / "week" / "tablet-1" / "IMG_0009.jpg", quality=90, exif=exif)
    return data / "photoaudit.toml", root / "week"


def images(report: Path) -> dict[str, dict]:
    return {i["path"]: i for i in json.loads(report.read_text(encoding="utf-8"))["images"]}


def face_of(image: dict, **wanted: str) -> int:
    return next(n for n, f in enumerate(image["faces"], 1) if all(f.get(k) == v for k, v in wanted.items()))


def answer(image: dict) -> dict:
    """What a report says about a photo: its action, each use, what it is cleared for as it is, why."""
    said = {k: image.get(k) for k in ("action", "purposes", "cleared_for", "journeys", "override")}
    return said | {"reasons": [re.sub(r" --config \S+", "", r) for r in image["reasons"]]}  # commands to copy


def same_words(why: str, image: dict) -> bool:
    """Whether a reason ``check`` gives is what the audit says: one of its sentences, its words
    about a location, or a sentence about the same children and faces as its reasons."""
    said = [re.sub(r" --config \S+", "", s) for s in image["reasons"] + image["notes"]]  # commands to copy
    if why in said or (why == GPS_WORDS and image["gps"]):
        return True
    named = {a or b for a, b in re.findall(r"\(((?:staff )?[A-Za-z]+\d+)\)|(Face \d+)", why)}
    return bool(named) and all(any(n in s for s in said) for n in named)


def csv_rows(text: str) -> dict[str, dict]:
    return {row["photo"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


def html_cards(text: str) -> dict[str, tuple[set[str], dict[str, str]]]:
    """path -> (the uses its card says it is cleared for, use word -> the verdict class shown)."""
    cards = {}
    for card in re.findall(r"<article class=\"card\".*?</article>", text, flags=re.S):
        path = unescape(re.search(r"<h2 class=\"path\">(.*?)</h2>", card).group(1))
        cleared = set(unescape(re.search(r"data-cleared=\"(.*?)\"", card).group(1)).split())
        uses = dict((word, use) for use, word in re.findall(r"<tr class=\"(\w+)\"><td>(.*?)</td>", card))
        cards[path] = (cleared, uses)
    return cards


def test_every_command_gives_every_photo_the_same_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local_cluster = cluster_tests().local_cluster  # a LocalCluster, as docs/groups.md says to start one
    config, week = build_week(tmp_path)
    code, said = run(config, "audit", str(week), "--json", str(tmp_path / "first.json"), "-q")
    assert code in (0, 1), said
    first = images(tmp_path / "first.json")

    # A decision of every kind, an override and a leaver record.
    jo = face_of(first["tablet-2/IMG_0101.heic"], staff_id="JS01")
    (tmp_path / "decisions.csv").write_text(
        "photo,face,decision\n"
        "tablet-2/IMG_0103.jpg,1,c02\n"
        "tablet-2/IMG_0104.jpg,1,adult\n"
        f"tablet-2/IMG_0101.heic,{jo},staff JS01\n"
        "tablet-2/IMG_0107.png,1,not a face\n"
        "tablet-1/IMG_0005.png,,no children\n",
        encoding="utf-8",
    )
    code, said = run(config, "review", "--decisions", str(tmp_path / "decisions.csv"), "--by", "Jo Manager")
    assert code == 0, said
    code, said = run(config, "override", str(week / "tablet-1" / "IMG_0001.jpg"), "--action", "review",
                     "--reason", "Waiting for the parents' word")
    assert code == 0, said
    data = config.parent
    with Store(data / "state") as store:  # Leo (c04) left: the record says IMG_0008's face was him
        _table(store)
        box = first["tablet-1/IMG_0008.jpg"]["faces"][0]["box"]
        with store.transaction() as db:
            db.execute("INSERT INTO leaver_photo VALUES (?, ?, ?, ?)",
                       ("c04", sha256_file(week / "tablet-1" / "IMG_0008.jpg"), json.dumps(box),
                        "2026-07-18T12:00:00+00:00"))
    # The cluster's audit starts from this setting, decisions and all, but must examine every file.
    shutil.copytree(data, tmp_path / "cluster-data")
    with sqlite3.connect(tmp_path / "cluster-data" / "state" / "photoaudit.sqlite3") as db:
        db.execute("DELETE FROM photo_face")
        db.execute("DELETE FROM photo")

    code, said = run(config, "audit", str(week), "--json", str(tmp_path / "audit.json"),
                     "--csv", str(tmp_path / "audit.csv"), "--html", str(tmp_path / "audit.html"), "-q")
    assert code == 1, said
    audited = images(tmp_path / "audit.json")
    purposes = list(next(iter(audited.values()))["purposes"])
    kinds = {  # the week has every kind of case it claims to have
        "decision": {f.get("decision", {}).get("kind") for i in audited.values() for f in i["faces"]
                     if f.get("decision")},
        "override": [p for p, i in audited.items() if i.get("override")],
        "breach": [p for p, i in audited.items() if i.get("breach")],
        "gps": [p for p, i in audited.items() if i.get("gps")],
    }
    assert kinds["decision"] >= {"child", "adult", "staff", "not_a_face"}, kinds
    assert kinds["override"] and kinds["breach"] and kinds["gps"], kinds
    assert "person decided" in " ".join(audited["tablet-1/IMG_0005.png"]["notes"])  # no children
    assert any("has left" in r or "left" in r for r in audited["tablet-1/IMG_0008.jpg"]["reasons"])
    everything = " ".join(r for i in audited.values() for r in i["reasons"])
    assert "twin" in everything and "months old" in everything  # a twin, a young child
    assert any("inside this file" in r for r in audited["tablet-1/IMG_0009.jpg"]["reasons"])
    assert audited["tablet-2/VID_0108.mov"]["faces"]
    assert any("look at this file" in r for r in audited["tablet-2/IMG_0105.jpg"]["reasons"])

    for path, image in audited.items():  # cleared as it is: only ever what the verdict allows
        assert set(image["cleared_for"]) <= {p for p, u in image["purposes"].items() if u == "allowed"}, path

    # reaudit, straight after the audit: nothing changed, and nothing left unjudged
    code, said = run(config, "reaudit", "-q")
    assert code == 0 and "changed=0" in said and "could not be judged" not in said, said

    # check --for USE, photo by photo: the same answer and the same words
    for use in purposes:
        for path, image in audited.items():
            out = tmp_path / f"check-{use}.json"
            code, said = run(config, "check", "--for", use, str(week / path), "--json", str(out), "-q")
            checked = json.loads(out.read_text(encoding="utf-8"))["images"][0]
            cleared = use in image["cleared_for"]
            assert (code, checked["check"]["cleared"]) == (0 if cleared else 1, cleared), (use, path, said)
            assert {k: checked[k] for k in ("action", "purposes", "cleared_for")} == \
                {k: image[k] for k in ("action", "purposes", "cleared_for")}, (use, path)
            assert cleared or checked["check"]["why"], (use, path)
            for why in checked["check"]["why"]:
                assert same_words(why, image), (use, path, why)

    # the CSV and the HTML report say the same
    rows = csv_rows((tmp_path / "audit.csv").read_text(encoding="utf-8-sig"))
    cards = html_cards((tmp_path / "audit.html").read_text(encoding="utf-8"))
    for path, image in audited.items():
        assert rows[path]["action"] == image["action"], path
        assert {p: rows[path][p] for p in purposes} == image["purposes"], path
        cleared, shown = cards[path]
        assert cleared == set(image["cleared_for"]), path
        assert sorted(shown.values()) == sorted(image["purposes"].values()), path

    # a cluster audit, started from inside the setting with a relative folder
    with local_cluster() as address:
        monkeypatch.chdir(tmp_path)
        code, said = run(Path("cluster-data/photoaudit.toml"), "audit", "week", "--cluster", address,
                         "--json", "cluster.json", "-q")
    assert code == 1, said
    on_cluster = images(tmp_path / "cluster.json")
    assert {p: answer(i) for p, i in on_cluster.items()} == {p: answer(i) for p, i in audited.items()}
