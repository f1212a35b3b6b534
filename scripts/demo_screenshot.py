"""Make docs/demo-report.png: a screenshot of the demo's HTML report, for the README,
filtered to the photos that need a person (where faces are decided in the page).

Run `make demo` first (on a fresh demo state, so no review decisions are applied).
Needs Debian's chromium (`make test` installs it when it can). The demo's photos are
public-domain faces only (see photoaudit/media/demo_pictures.py): never a real child.

    .venv/bin/python scripts/demo_screenshot.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "demo" / "report.html"
OUT = ROOT / "docs" / "demo-report.png"
WINDOW = (1100, 1250)
#: The report filtered to the photos that need a person: their faces' "Who is this?" lists.
ADDRESS = "#show=review"
#: The README's screenshot stays small: at most this many bytes.
MAX_BYTES = 300_000


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    if not REPORT.is_file():
        print(f"{REPORT} is missing: run make demo first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--user-data-dir={Path(tmp) / 'profile'}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                f"--screenshot={shot}", REPORT.as_uri() + ADDRESS,
            ],
            check=True,
            capture_output=True,
        )
        with Image.open(shot) as im:
            small = im.convert("RGB").quantize(colors=160, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            OUT.parent.mkdir(exist_ok=True)
            small.save(OUT, optimize=True)
    size = OUT.stat().st_size
    print(f"Wrote {OUT.relative_to(ROOT)} ({size // 1024} KB)")
    return 0 if size <= MAX_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
