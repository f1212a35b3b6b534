"""``photoaudit children`` and the audit's warnings, on the command line with the real engine.

The "children" are public-domain adult faces (photoaudit.media.samples), never real children.
"""

from __future__ import annotations

import json
from pathlib import Path

from review_setting import ROWS, TODAY, ava_alone, make_setting
from test_review_audit import run


def test_children_shows_uses_review_dates_renewals_and_faces_folder_mistakes(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "10/12/2026"), ROWS[1], ROWS[2]]  # Ava: due in 20 days
    settings = make_setting(tmp_path, rows)
    (settings.faces_dir / "c 02").mkdir()
    (settings.faces_dir / "c01" / "new.webp").write_bytes(b"RIFF\0\0\0\0WEBPVP8 ")
    result = run(settings.data_dir, "children", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "own journey: yes" in result.output and "website: no" in result.output
    assert "renew by 10 December 2026 (in 20 days)" in result.output
    assert "Ava Patel (c01)'s consent is due for review on 10 December 2026" in result.output
    assert "faces/c 02: no child with this id in the register; not enrolled. Did you mean c02 (Grace Okafor)?" in result.output
    assert "faces/c01/new.webp is not used: photoaudit does not read .webp photos" in result.output


def test_the_audit_says_how_many_consents_to_renew_this_month(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2030-09-01", "2026-12-10"), ROWS[1].replace("2030-09-01", "2026-11-30"), ROWS[2]]
    settings = make_setting(tmp_path, rows)
    ava_alone(tmp_path / "transfer" / "ava.jpg")
    out = tmp_path / "report.json"
    result = run(settings.data_dir, "audit", str(tmp_path / "transfer"), "--json", str(out), "--today", TODAY.isoformat())
    assert result.exit_code in (0, 1), result.output
    assert "2 consents to renew this month" in result.output
    warnings = json.loads(out.read_text())["warnings"]
    assert any(w.startswith("2 consents to renew this month (review date within 30 days): Grace Okafor (c02) by "
                            "30 November 2026, Ava Patel (c01) by 10 December 2026") for w in warnings)
