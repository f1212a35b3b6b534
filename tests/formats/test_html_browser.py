"""The HTML report in a real browser: headless Chromium (Debian's ``chromium`` package).

``make test`` installs chromium when it is missing and it can (root with apt-get, as on
CI); where it cannot, these tests are skipped and say why. The page is opened from
a file, with no server and no network, as a manager would open it from a USB stick;
the tests read the DOM after the page's script ran, and a screenshot.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import Browser
from PIL import Image
from test_html_report import REGISTER, build, cards

from photoaudit.formats import html_report

BROWSERS = ("chromium", "chromium-browser")
CHROMIUM = next((found for name in BROWSERS if (found := shutil.which(name))), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: `make test` installs it with apt-get when run as root on "
    "Debian/Ubuntu; otherwise install it (apt-get install chromium) to run the browser tests",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium with a fresh profile and nothing that reaches the network."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def dump_dom(tmp_path: Path, url: str) -> str:
    done = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", url)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def visible_cards(dom: str) -> list[str]:
    """The cards the page's script left visible (hidden ones carry the hidden attribute)."""
    found = re.findall(r"<article class=\"card\"[^>]*>", dom)
    return [c for c in found if " hidden" not in c]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "report.html"
    path.parent.mkdir()
    path.write_text(html_report.render(build(tmp_path), REGISTER), encoding="utf-8")
    return path


def test_the_page_shows_the_warning_and_every_card(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri())
    assert "This report contains photos of children" in dom
    assert len(visible_cards(dom)) == 4
    assert "Showing 4 of 4 photos" in dom  # written by the page's script once it ran


def test_the_needs_a_person_filter_from_the_address(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri() + "#show=review")
    shown = visible_cards(dom)
    assert len(shown) == 1 and 'data-action="review"' in shown[0]
    assert "Showing 1 of 4 photos" in dom


def test_the_delete_filter_as_a_query(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri() + "?show=delete")
    shown = visible_cards(dom)
    assert len(shown) == 1 and 'data-action="delete"' in shown[0]


def test_the_child_filter(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri() + "#child=c01")
    assert len(visible_cards(dom)) == 2 and "Showing 2 of 4 photos" in dom
    assert all("c01" in c for c in visible_cards(dom))


def test_the_purpose_filter_shows_cleared_photos_and_recolours_the_boxes(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri() + "#purpose=website")
    shown = visible_cards(dom)
    assert len(shown) == 1  # only the portrait is cleared for the website
    assert shown[0] == next(re.search(r"<article[^>]*>", c).group(0) for c in cards(dom) if "portrait.jpg" in c)
    party = next(c for c in cards(dom) if "party.jpg" in c)
    assert re.search(r'class="face review"', party)  # the uncertain face stays blue
    display = dump_dom(tmp_path, report.as_uri() + "#purpose=display")
    evil = next(c for c in cards(display) if "evil.jpg" in c)
    # The evil photo is to be deleted: its children stay "on a photo to delete", never green.
    assert re.findall(r'<div class="face (\w+)', evil) == ["gone", "ignored", "review", "gone", "gone"]
    colours = next(c for c in cards(display) if "portrait.jpg" in c)
    assert re.findall(r'<div class="face (\w+)', colours) == ["all"]  # Ava: yes to displays


def test_an_unknown_filter_value_shows_everything(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri() + "#show=<b>&child=nobody")
    assert len(visible_cards(dom)) == 4


def test_injected_markup_never_runs(tmp_path: Path, report: Path) -> None:
    dom = dump_dom(tmp_path, report.as_uri())
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom, flags=re.S).group(1)
    assert "<img src=\"x\"" not in dom and "<b>Jo</b>" not in dom
    assert "&lt;img src=x onerror=" in dom  # shown as text


def test_a_screenshot_shows_the_warning_banner_and_the_photos(tmp_path: Path, report: Path) -> None:
    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, "--hide-scrollbars", "--window-size=1200,900", f"--screenshot={shot}", report.as_uri())
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    with Image.open(shot) as im:
        rgb = im.convert("RGB")
        assert rgb.size == (1200, 900)
        red, green, blue = rgb.getpixel((600, 8))  # the banner: dark red (#7f1d1d)
        assert red > 100 and green < 60 and blue < 60
        colours = rgb.crop((0, 300, 1200, 900)).getcolors(maxcolors=1 << 24) or []
        assert len(colours) > 2000  # photos, not just flat boxes of colour


# -- issue 15: a phone's width, face numbers, enlarging, deciding faces ---------------------
#: Where every face number and its photo are on the page, per card (CSS pixels).
PLACES = """
Array.prototype.map.call(document.querySelectorAll('article.card .frame'), function (frame) {
  var box = function (el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {frame: box(frame), tags: Array.prototype.map.call(frame.querySelectorAll('.tag'), box)};
})
"""


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [400, 1200])
def test_face_numbers_never_overlap_nor_leave_the_photo(tmp_path: Path, report: Path, width: int) -> None:
    with Browser(tmp_path / "profile", width, 900) as browser:
        browser.open(report.as_uri())
        places = browser.js(PLACES)
    assert len(places) == 3 and sum(len(p["tags"]) for p in places) == 2 + 1 + 5
    for place in places:
        left, top, right, bottom = place["frame"]
        for tag in place["tags"]:
            assert left <= tag[0] and top <= tag[1] and tag[2] <= right + 0.5 and tag[3] <= bottom + 0.5, (tag, place)
        for i, a in enumerate(place["tags"]):
            assert not any(overlaps(a, b) for b in place["tags"][i + 1:]), place


def test_at_a_phones_width_cards_are_one_column_and_nothing_is_cut_off(tmp_path: Path, report: Path) -> None:
    with Browser(tmp_path / "profile", 400, 800) as browser:
        browser.open(report.as_uri())
        assert browser.js("document.documentElement.scrollWidth") <= 400
        assert browser.js("document.body.scrollWidth") <= 400
        lefts = browser.js("Array.prototype.map.call(document.querySelectorAll('article.card'), "
                           "function (c) { return Math.round(c.getBoundingClientRect().left); })")
        assert len(lefts) == 4 and len(set(lefts)) == 1  # one column
        rights = browser.js("Array.prototype.map.call(document.querySelectorAll('.uses, .frame, .path, select.decide'), "
                            "function (e) { return e.getBoundingClientRect().right; })")
        assert rights and max(rights) <= 400  # the verdicts, photos and lists all fit


def test_clicking_a_photo_enlarges_it_with_a_close_up_of_each_face(tmp_path: Path, report: Path) -> None:
    with Browser(tmp_path / "profile", 1200, 900) as browser:
        browser.open(report.as_uri())
        assert browser.js("document.getElementById('viewer').hidden") is True
        small = browser.js("document.querySelector('article.card:nth-of-type(3) .frame').getBoundingClientRect().width")
        browser.js("document.querySelector('article.card:nth-of-type(3) .frame').click()")
        assert browser.js("document.getElementById('viewer').hidden") is False
        assert browser.js("document.getElementById('viewer-title').textContent") == "party.jpg"
        big = browser.js("document.querySelector('#viewer .frame').getBoundingClientRect().width")
        assert big >= 3 * small
        assert browser.js("document.querySelectorAll('#viewer .tag').length") == 2
        sizes = browser.js("Array.prototype.map.call(document.querySelectorAll('#viewer-faces img'), "
                           "function (i) { return [i.naturalWidth, i.getBoundingClientRect().width]; })")
        assert len(sizes) == 2 and all(natural > 0 and shown >= 100 for natural, shown in sizes)
        browser.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
        assert browser.js("document.getElementById('viewer').hidden") is True


def test_faces_decided_in_the_page_are_saved_as_a_csv_that_review_records(tmp_path: Path) -> None:
    """End to end: audit with the real engine, decide two faces in the page, save the CSV
    (a real download), and give that file as it is to photoaudit review --decisions. The two
    unknown faces are two people (Grace, the cameraman), so each has a list of its own."""
    from review_setting import TODAY, ava_alone, grace_alone, make_setting
    from test_review_audit import audit_json, run

    from photoaudit.media.samples import astronaut_face, cameraman, scene

    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    ava_alone(folder / "ava.jpg")
    grace_alone(folder / "grace.jpg")
    scene([(astronaut_face(), (80, 200), 240), (cameraman().crop((150, 60, 300, 240)).convert("RGB"), (520, 180), 260)],
          (1000, 750), seed=3).save(folder / "party.jpg", quality=90)
    page = tmp_path / "report.html"
    first = audit_json(settings.data_dir, folder, tmp_path / "1.json", "--html", str(page))
    party_face = next(n for n, f in enumerate(first["party.jpg"]["faces"], 1) if f["status"] != "matched")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with Browser(tmp_path / "profile", 400, 900) as browser:  # on a phone
        browser.allow_downloads(downloads)
        browser.open(page.as_uri())
        lists = browser.js("Array.prototype.map.call(document.querySelectorAll('select.decide'), "
                           "function (s) { return s.dataset.photo + ' ' + s.dataset.face; })")
        assert sorted(lists) == sorted(["grace.jpg 1", f"party.jpg {party_face}"])
        assert browser.js("document.getElementById('decided').textContent") == "0 of 2 faces decided"
        for photo, choice in (("grace.jpg", "c02"), ("party.jpg", "adult")):
            browser.js(f"(function () {{ var s = document.querySelector('select.decide[data-photo=\"{photo}\"]'); "
                       f"s.value = '{choice}'; s.dispatchEvent(new Event('change')); }})()")
        assert browser.js("document.getElementById('decided').textContent") == "2 of 2 faces decided"
        browser.js("document.getElementById('save-decisions').click()")
        browser.wait_for_download()
    (saved,) = downloads.iterdir()
    assert saved.name == f"decisions-{TODAY.isoformat()}.csv"
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "photo,face,decision,name"
    assert "grace.jpg,1,c02,Grace Okafor" in text and f"party.jpg,{party_face},adult," in text

    result = run(settings.data_dir, "review", "--decisions", str(saved), "--by", "Jo Manager")
    assert result.exit_code == 0, result.output
    assert "Recorded 2 decision(s), skipped 0" in result.output
    second = audit_json(settings.data_dir, folder, tmp_path / "2.json")
    assert second["grace.jpg"]["faces"][0]["decision"]["child_id"] == "c02"
    assert second["party.jpg"]["faces"][party_face - 1]["decision"]["kind"] == "adult"
    assert second["grace.jpg"]["action"] == "keep"


def awkward_week(root: Path) -> tuple[Path, Path]:
    """A week as tablets and phones leave it (issue 26): a 0-byte file, a text file named .jpg, a
    truncated JPEG, a PNG screenshot and a HEIC, in three sub-folders with long names, and one
    255-byte file name. Returns the setting's data folder and the transfer folder."""
    from review_setting import ava_alone, grace_alone, make_setting

    from photoaudit.media.samples import grace_hopper_face, save_heic, scene

    settings = make_setting(root)
    folder = root / "transfer"
    ipad = folder / "Caterpillars room iPad"
    tablet = folder / "Butterflies-room-tablet-2" / "DCIM" / "100APPLE"
    garden = folder / "Garden_and_outdoor_play_area_photos_from_the_staff_phone"
    for sub in (ipad, tablet, garden):
        sub.mkdir(parents=True)
    (ipad / "IMG_0001.JPG").write_bytes(b"")
    (ipad / "notes-from-the-parents-evening-2026.jpg").write_text("not a photo\n" * 20, encoding="utf-8")
    whole = ava_alone(tablet / "IMG_20261118_101512.jpg").read_bytes()
    (tablet / "IMG_20261118_101513_truncated_while_copying.jpg").write_bytes(whole[: len(whole) // 2])
    grace_alone(garden / "Screenshot_2026-11-18-10-15-12-123_com.whatsapp.png")
    save_heic(scene([(grace_hopper_face(), (100, 100), 200)], (600, 500), seed=3), garden / "IMG_4567.HEIC")
    ava_alone(garden / ("L" * 251 + ".jpg"))
    return settings.data_dir, folder


@pytest.mark.parametrize("width", [400, 320])
def test_an_awkward_week_fits_a_phone(tmp_path: Path, width: int) -> None:
    """Not only the demo: every name wraps and nothing is wider than the phone. The window is
    emulated at ``width`` CSS pixels (a plain headless window is never narrower than 500, so a
    page measured in it is laid out at 485 and looks too wide for 400: the test checks it
    really measures at ``width``)."""
    from test_review_audit import audit_json

    data, folder = awkward_week(tmp_path)
    page = tmp_path / "week.html"
    images = audit_json(data, folder, tmp_path / "week.json", "--html", str(page))
    assert len(images) == 7
    with Browser(tmp_path / "profile", width, 800) as browser:
        browser.open(page.as_uri())
        assert browser.js("window.innerWidth") == width
        assert browser.js("document.documentElement.scrollWidth") <= width
        assert browser.js("document.body.scrollWidth") <= width
        rights = browser.js("Array.prototype.map.call(document.querySelectorAll('body *'), "
                            "function (e) { return e.getBoundingClientRect().right; })")
        assert max(rights) <= width + 0.5  # the paths, the tables of uses, the reasons, the lists
        paths = browser.js("Array.prototype.map.call(document.querySelectorAll('h2.path'), "
                           "function (e) { return e.textContent; })")
        assert any(p.endswith("L" * 251 + ".jpg") for p in paths)


def test_a_group_decided_in_the_page_is_saved_and_recorded_for_each_face(tmp_path: Path) -> None:
    """One list for a group of look-alike unknown faces: its answer is saved as ``u1,,adult``
    and review --decisions records it for each face of the group."""
    from PIL import ImageOps
    from review_setting import TODAY, make_setting
    from typer.testing import CliRunner

    from photoaudit.cli.main import app
    from photoaudit.media.samples import grace_hopper_face, scene

    def run(*args: str):
        return CliRunner().invoke(app, ["--data", str(settings.data_dir), *args], env={"COLUMNS": "200"})

    settings = make_setting(tmp_path)
    folder = tmp_path / "transfer"
    for n, (width, where) in enumerate(((300, (300, 120)), (260, (100, 200)), (340, (500, 80)), (220, (350, 300))), 1):
        face = ImageOps.mirror(grace_hopper_face()) if n % 2 else grace_hopper_face()
        scene([(face, where, width)], (900, 700), seed=10 + n).save(folder / f"g{n}.jpg", quality=90)
    page = tmp_path / "report.html"
    ran = run("audit", str(folder), "--json", str(tmp_path / "1.json"), "--html", str(page), "--today",
              TODAY.isoformat(), "-q")
    assert ran.exit_code in (0, 1), ran.output
    group = json_groups(tmp_path / "1.json")[0]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with Browser(tmp_path / "profile", 400, 900) as browser:
        browser.allow_downloads(downloads)
        browser.open(page.as_uri())
        assert browser.js("document.getElementById('decided').textContent") == "0 of 1 group decided"
        browser.js(f"(function () {{ var s = document.querySelector('select.decide[data-group=\"{group}\"]'); "
                   "s.value = 'adult'; s.dispatchEvent(new Event('change')); })()")
        assert browser.js("document.getElementById('decided').textContent") == "1 of 1 group decided"
        browser.js("document.getElementById('save-decisions').click()")
        browser.wait_for_download()
    (saved,) = downloads.iterdir()
    assert f"{group},,adult," in saved.read_text(encoding="utf-8-sig")
    result = run("review", "--decisions", str(saved), "--by", "Jo Manager")
    assert result.exit_code == 0, result.output
    assert "Recorded 4 decision(s), skipped 0" in " ".join(result.output.split())


def json_groups(report: Path) -> list[str]:
    import json

    return [g["group"] for g in json.loads(report.read_text())["people_to_identify"]]
