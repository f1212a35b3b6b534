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
from PIL import Image

from photoaudit.formats import html_report
from test_html_report import REGISTER, build, cards

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
    # For displays, the evil-named child (yes) is green, Sam (no) and Leo (left) red.
    assert re.findall(r'<div class="face (\w+)', evil) == ["all", "ignored", "review", "none", "none"]


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
