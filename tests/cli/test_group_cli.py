"""`photoaudit group` end to end, over the dated reports that real audits leave.

Two settings are audited with the real command: "Little Acorns" (the test nursery of
tests/nursery.py, public-domain faces; audited twice, so its latest report must win; one
consent due for renewal) and "Oak Tree" (a photo from a personal phone: a breach, R6). A third,
"Willow", is a real report made stale by hand, and hand-made JSON files cover the odd cases.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nursery import HEADER, ROWS, nursery_copy, write_register
from PIL import Image
from typer.testing import CliRunner

from photoaudit.cli.main import app
from photoaudit.media.samples import camera_exif

TODAY = date.today()
RENEW_BY = TODAY + timedelta(days=20)

#: Every child's name in the registers of the settings audited here (first and last names).
NAMES = ("Ava Patel", "Grace Okafor", "Sam Jones", "Amy Thornbury")


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def audit(config: Path, folder: Path) -> None:
    result = run("--config", config, "audit", folder, "--quiet")
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, audited: Path) -> dict[str, Path]:
    """Two settings audited by the command, and a reports folder of a third: name -> its reports folder."""
    root = tmp_path_factory.mktemp("group")
    data, transfer = nursery_copy(audited, root / "acorns")
    rows = {**ROWS, "c02": ROWS["c02"].replace("2030-09-01", RENEW_BY.isoformat())}
    write_register(data, rows)
    acorns = root / "acorns" / "photoaudit.toml"
    acorns.write_text('[setting]\nname = "Little Acorns"\ndata = "data"\n')
    audit(acorns, transfer)
    posted = run("--config", acorns, "check", transfer / "tablet-1" / "ava.jpg", "--for", "social_media",
                 "--export", root / "to-post", "--quiet")
    assert posted.exit_code == 0, posted.output
    # Ava's parents then withdraw social media: the copy posted must come down.
    (data / "children.csv").write_text(
        HEADER.rstrip("\n") + ",social_media_withdrawn\n"
        + "".join(row.rstrip("\n") + ("," + TODAY.isoformat() if cid == "c01" else ",") + "\n"
                  for cid, row in rows.items()), encoding="utf-8")
    time.sleep(1.1)  # the dated reports are named to the second
    Image.new("RGB", (320, 240), (200, 180, 40)).save(transfer / "tablet-1" / "new.png")
    audit(acorns, transfer)  # the latest: one photo more, and a copy to take down

    oak = root / "oak"
    (oak / "data").mkdir(parents=True)
    (oak / "data" / "children.csv").write_text(
        "child_id,name,status,learning_journey,other_journeys,display,website,social_media,"
        "face_matching,consent_review_due\nC1,Amy Thornbury,,yes,yes,yes,yes,yes,no,2030-01-01\n")
    (oak / "data" / "devices.csv").write_text("device_id,label,make,model,serial,folder\n"
                                              "tablet-1,Butterflies tablet,samsung,SM-T220,,tablet-1\n")
    (oak / "photoaudit.toml").write_text('[setting]\nname = "Oak Tree"\ndata = "data"\n')
    phone = oak / "transfer" / "tablet-1" / "IMG_0002.jpg"
    phone.parent.mkdir(parents=True)
    Image.new("RGB", (320, 240), (90, 140, 60)).save(
        phone, exif=camera_exif("Apple", "iPhone 14 Pro", datetime.now() - timedelta(days=1)))
    audit(oak / "photoaudit.toml", oak / "transfer")

    willow = root / "willow-reports"
    willow.mkdir()
    first = sorted((data / "state" / "reports").glob("audit-*.json"))[0]
    report = json.loads(first.read_text(encoding="utf-8"))
    report["setting"]["name"] = "Willow"
    report["generated"] = (datetime.now(UTC) - timedelta(days=10)).isoformat(timespec="seconds")
    (willow / "audit-old.json").write_text(json.dumps(report), encoding="utf-8")
    return {"Little Acorns": data / "state" / "reports", "Oak Tree": oak / "data" / "state" / "reports",
            "Willow": willow}


def group(settings: dict[str, Path], *args: object, state: Path | None = None) -> object:
    where = state or next(iter(settings.values())).parent.parent / "group-state"
    return run("--state", where, "group", *settings.values(), *args)


# ------------------------------------------------------------ the audit's own report carries what the group reads


def test_the_audit_report_names_its_setting_and_the_consents_to_renew(settings: dict[str, Path]) -> None:
    latest = sorted(settings["Little Acorns"].glob("audit-*.json"))[-1]
    report = json.loads(latest.read_text(encoding="utf-8"))
    assert report["version"] == 1 and report["setting"] == {"name": "Little Acorns"}
    assert report["renewals"] == [{"child_id": "c02", "name": "Grace Okafor", "due": RENEW_BY.isoformat()}]
    assert {"summary", "images", "takedown", "warnings", "skipped"} <= set(report)  # every older field still there
    assert report["takedown"] == 1 and report["summary"]["photos"] == 7


# ------------------------------------------------------------ the summary


def test_the_summary_shows_each_settings_latest_audit(settings: dict[str, Path]) -> None:
    result = group(settings, "--json", "-")
    assert result.exit_code == 1, result.output  # a copy to take down, a breach and a stale setting
    summary = json.loads(result.stdout)
    assert summary["version"] == 1 and summary["kind"] == "group" and summary["today"] == TODAY.isoformat()
    rows = {s["setting"]: s for s in summary["settings"]}
    assert list(rows) == ["Little Acorns", "Oak Tree", "Willow"]
    acorns, oak, willow = rows["Little Acorns"], rows["Oak Tree"], rows["Willow"]
    assert acorns["reports"] == 2 and acorns["photos"] == 7  # the latest of its two audits
    assert acorns["photos"] == acorns["keep"] + acorns["delete"] + acorns["review"] and acorns["delete"] >= 1
    assert acorns["renew"] == 1 and acorns["renewals"][0]["name"] == "Grace Okafor"
    assert acorns["stale"] is False and acorns["date"] == TODAY.isoformat()
    assert acorns["takedown"] == 1 and acorns["findings"] == ["takedown"]
    assert oak["breaches"] == 1 and oak["breach_photos"] == ["tablet-1/IMG_0002.jpg"]
    assert oak["findings"] == ["breaches"] and oak["takedown"] == 0 and oak["delete"] == 1
    assert willow["stale"] is True and willow["days_since"] == 10 and willow["findings"] == ["stale"]
    assert willow["takedown"] == 0  # the first audit of Little Acorns, before the withdrawal
    assert summary["totals"]["settings"] == 3 and summary["totals"]["breaches"] == 1
    assert summary["totals"]["takedown"] == 1
    assert summary["unreadable"] == []


def test_the_terminal_table_is_not_wrapped_when_piped(settings: dict[str, Path]) -> None:
    result = group(settings)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    acorns = next(line for line in lines if "Little Acorns" in line and "days ago" in line)
    assert "copies to take down" in acorns and " 7 " in acorns  # the whole row on one line
    oak = next(line for line in lines if "Oak Tree" in line and "days ago" in line)
    assert "breach: tell the DSL" in oak
    assert "Little Acorns: 1 published copy must be taken down" in result.output
    assert any(len(line) > 80 for line in lines)
    assert "Oak Tree: 1 photo(s) not from a setting device, tell the DSL: tablet-1/IMG_0002.jpg" in result.output
    assert "Grace Okafor (c02)" in result.output
    assert "Willow: no audit since" in result.output and "the weekly audit did not run" in result.output


def test_today_is_injectable(settings: dict[str, Path]) -> None:
    later = group(settings, "--json", "-", "--today", (TODAY + timedelta(days=8)).isoformat())
    assert all(s["stale"] for s in json.loads(later.stdout)["settings"])
    earlier = group(settings, "--quiet", "--today", (TODAY - timedelta(days=3)).isoformat())
    assert "setting=Willow" in earlier.output and "stale=no" in earlier.output.split("setting=Willow")[1]


def test_the_quiet_lines_are_parseable(settings: dict[str, Path]) -> None:
    result = group(settings, "--quiet")
    lines = result.output.splitlines()
    assert len(lines) == 4 and all(line.startswith("photoaudit group: ") for line in lines)
    assert "setting='Oak Tree'" in lines[1] and "breaches=1" in lines[1]
    assert lines[-1].startswith("photoaudit group: settings=3 stale=1 breaches=1 takedown=1 renew=2 unreadable=0")


# ------------------------------------------------------------ data minimisation


def test_no_names_leaves_every_child_name_out_of_every_output(settings: dict[str, Path], tmp_path: Path) -> None:
    surnames = [n.split()[-1] for n in NAMES]

    def outputs(*extra: str) -> str:
        out = tmp_path / ("named" if not extra else "plain")
        out.mkdir()
        terminal = group(settings, *extra, "--json", out / "g.json", "--csv", out / "g.csv", "--html", out / "g.html",
                         state=tmp_path / "state")
        quiet = group(settings, *extra, "--quiet", state=tmp_path / "state")
        stdout = group(settings, *extra, "--json", "-", state=tmp_path / "state")
        files = [(out / n).read_text(encoding="utf-8-sig") for n in ("g.json", "g.csv", "g.html")]
        return "\n".join([terminal.output, quiet.output, stdout.stdout, *files])

    named = outputs()
    assert "Grace Okafor" in named  # the test can fail: without --no-names the renewals name the child
    plain = outputs("--no-names")
    for name in [*NAMES, *surnames]:
        assert name not in plain, name
    assert "renew=1" in plain and "tablet-1/IMG_0002.jpg" in plain  # counts and photo paths are still there
    assert "c02" not in plain  # nor the child's id
    reports = "".join(p.read_text(encoding="utf-8") for folder in settings.values() for p in folder.glob("*.json"))
    assert "Grace Okafor" in reports and "Sam Jones" in reports  # the reports read do name the children


def test_the_summary_carries_no_face_data(settings: dict[str, Path]) -> None:
    text = group(settings, "--json", "-").stdout
    for key in ('"faces"', '"box"', '"distance"', '"candidates"', '"sha256"', '"reasons"'):
        assert key not in text


# ------------------------------------------------------------ the files it writes


def test_html_and_csv_are_private_self_contained_and_escaped(settings: dict[str, Path], tmp_path: Path) -> None:
    result = group(settings, "--html", tmp_path / "g.html", "--csv", tmp_path / "g.csv", "--csv-sep", ";",
                   state=tmp_path / "state")
    assert result.exit_code == 1, result.output
    for name in ("g.html", "g.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "Little Acorns" in page and "Keep it private" in page
    rows = list(csv.reader(io.StringIO((tmp_path / "g.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["setting", "status", "latest audit"] and [r[0] for r in rows[1:]] == [
        "Little Acorns", "Oak Tree", "Willow"]
    again = group(settings, "--html", tmp_path / "g.html", state=tmp_path / "state")
    assert again.exit_code == 1, again.output  # its own report is replaced


def test_a_file_photoaudit_did_not_write_is_never_replaced(settings: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "minutes.html"
    mine.write_text("the group's meeting notes")
    result = group(settings, "--html", mine, state=tmp_path / "state")
    assert result.exit_code == 2 and "did not write it" in result.output
    assert mine.read_text() == "the group's meeting notes"


def test_the_summary_is_never_written_among_the_reports_it_reads(settings: dict[str, Path], tmp_path: Path) -> None:
    inside = group(settings, "--json", settings["Willow"] / "group.json", state=tmp_path / "state")
    assert inside.exit_code == 2 and not (settings["Willow"] / "group.json").exists()
    report = settings["Willow"] / "audit-old.json"
    before = report.read_bytes()
    same = run("--state", tmp_path / "state", "group", report, "--json", report)
    assert same.exit_code == 2 and report.read_bytes() == before


# ------------------------------------------------------------ odd files


def test_bad_old_and_foreign_files_get_a_line_each(settings: dict[str, Path], tmp_path: Path) -> None:
    odd = tmp_path / "odd"
    (odd / "deeper").mkdir(parents=True)
    (odd / "deeper" / "cut.json").write_text('{"version": 1, "images": [')
    (odd / "new.json").write_text(json.dumps({"version": 2, "images": [], "summary": {}}))
    (odd / "takedown.json").write_text(json.dumps({"version": 1, "kind": "takedown", "takedown": []}))
    (odd / "photo.json").write_bytes(b"\xff\xd8\xff\xe0 a photo named .json")
    (odd / "notes.txt").write_text("not read: not JSON by its name")
    (odd / "link.json").symlink_to(sorted(settings["Willow"].glob("*.json"))[0])
    (odd / "elsewhere").symlink_to(settings["Willow"], target_is_directory=True)
    result = run("--state", tmp_path / "state", "group", *settings.values(), odd)
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert f"Not read: {odd}/deeper/cut.json: it is not valid JSON" in out
    assert f"{odd}/new.json: it is version 2 of the report, made by a newer photoaudit" in out
    assert f"{odd}/takedown.json: it is photoaudit's 'takedown' list, not an audit report" in out
    assert f"{odd}/photo.json: it is not text (UTF-8)" in out
    assert f"{odd}/link.json: it is a link" in out and f"{odd}/elsewhere: it is a link" in out
    assert "notes.txt" not in out
    assert "Little Acorns" in out and "Oak Tree" in out and "Willow" in out  # the rest is still summarised


def test_nothing_readable_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "x.json").write_text("[]")
    result = run("--state", tmp_path / "state", "group", tmp_path / "r", tmp_path / "missing")
    assert result.exit_code == 2
    assert "there is no such file or folder" in result.output and "No audit report could be read" in result.output
    empty = run("--state", tmp_path / "state", "group", tmp_path / "r", "--quiet")
    assert empty.exit_code == 2 and "settings=0" in empty.output


def test_an_older_report_without_the_new_fields_is_summarised_by_its_folder(settings: dict[str, Path],
                                                                           tmp_path: Path) -> None:
    report = json.loads(sorted(settings["Oak Tree"].glob("*.json"))[0].read_text(encoding="utf-8"))
    for key in ("setting", "renewals", "takedown"):
        del report[key]
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "old.json").write_text(json.dumps(report), encoding="utf-8")
    result = run("--state", tmp_path / "state", "group", tmp_path / "r", "--json", "-")
    row = json.loads(result.stdout)["settings"][0]
    assert row["setting"] is None and row["takedown"] is None and row["renew"] is None
    assert row["breaches"] == 1 and result.exit_code == 1
    shown = run("--state", tmp_path / "state", "group", tmp_path / "r").output
    assert "(no name)" in shown and "Set [setting] name" in " ".join(shown.split()) and "?" in shown


def test_a_cell_that_would_run_as_a_formula_is_escaped(settings: dict[str, Path], tmp_path: Path) -> None:
    report = json.loads(sorted(settings["Oak Tree"].glob("*.json"))[0].read_text(encoding="utf-8"))
    report["setting"]["name"] = "=HYPERLINK(\"http://x\")"
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "evil.json").write_text(json.dumps(report), encoding="utf-8")
    result = run("--state", tmp_path / "state", "group", tmp_path / "r", "--csv", tmp_path / "g.csv",
                 "--html", tmp_path / "g.html")
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO((tmp_path / "g.csv").read_text(encoding="utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert "=HYPERLINK(&quot;http://x&quot;)" in (tmp_path / "g.html").read_text(encoding="utf-8")
