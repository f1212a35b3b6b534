"""Every relative link in README.md and the guides under docs/ leads somewhere.

A link to a file names a file of the repository; a link to a section (``page.md#anchor``
or ``#anchor``) names a heading of that page, as GitHub makes its anchors. The guides were
made by moving README's sections, so a link left pointing at the old place fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "consent_data" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def without_code(text: str) -> str:
    """The text outside fenced code blocks and inline code (a link there is not a link)."""
    text = re.sub(r"^ *```.*?^ *```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings (``## A: b`` is ``#a-b``; repeats get -1, -2)."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    text = re.sub(r"^ *```.*?^ *```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    for title in re.findall(r"^#{1,6} +(.*?) *$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        n = counts.get(slug, 0)
        counts[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(page: Path) -> list[str]:
    """The relative link targets of ``page`` (web addresses left out)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", without_code(page.read_text(encoding="utf-8")))
    return [t for t in targets if not re.match(r"[a-z]+:", t)]


def test_the_pages_have_links() -> None:
    assert len(links(ROOT / "README.md")) >= 10
    assert {"#exit-codes", "#the-first-week-in-five-commands"} <= {f"#{a}" for a in anchors(ROOT / "README.md")}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading with that anchor in {file.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)} has links that lead nowhere:\n" + "\n".join(broken)
