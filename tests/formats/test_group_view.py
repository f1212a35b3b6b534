"""The group summary's formats on plain data: terminal (never wrapped when piped), CSV, HTML, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

from photoaudit.core.group import AuditDigest, Unreadable, summarise
from photoaudit.core.renewals import Renewal
from photoaudit.formats import group_view
from photoaudit.formats.console import make_console

TODAY = date(2026, 12, 7)
ZARA = Renewal("c09", "Zara Quinn", date(2026, 12, 20))


def digest(name: str, **changes: object) -> AuditDigest:
    values = dict(source=f"{name}.json", setting=name, folder="/srv/transfer",
                  generated=datetime(2026, 12, 1, 2, 30, tzinfo=UTC), judged=date(2026, 12, 1),
                  photos=4, keep=2, delete=1, review=1, takedown=0, renewals=(ZARA,))
    values.update(changes)
    return AuditDigest(**values)  # type: ignore[arg-type]


def summary(names: bool = True, **changes: object):  # noqa: ANN201
    long = "The Very Long Name Of A Nursery That Goes On And On Past Any Terminal's Width Ltd"
    return summarise([digest(long, **changes), digest("<b>Oak</b>", breach_photos=("a/<i>x</i>.jpg",))], TODAY,
                     [Unreadable("bad.json", "it is not valid JSON")], names=names)


def test_the_table_is_never_wrapped_when_piped() -> None:
    out = io.StringIO()
    group_view.show(summary(), make_console(file=out, force_terminal=False, width=80))
    row = next(line for line in out.getvalue().splitlines() if "Very Long Name" in line)
    assert "Width Ltd" in row and "fine" in row and len(row) > 120
    assert "Not read: bad.json: it is not valid JSON." in out.getvalue()


def test_in_a_terminal_the_table_fits_its_width() -> None:
    out = io.StringIO()
    group_view.show(summary(), make_console(file=out, force_terminal=True, width=100))
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    table = shown[:shown.index("Oak</b>: 1 photo")]
    assert max(len(line) for line in table.splitlines()) <= 100 and "Ltd" in table  # folded, not cut off


def test_unknown_counts_are_shown_as_unknown() -> None:
    out = io.StringIO()
    group_view.show(summary(takedown=None, renewals=None), make_console(file=out, force_terminal=False))
    assert "not in the report of" in out.getvalue() and " ? " in out.getvalue()
    lines = group_view.quiet_lines(summary(takedown=None, renewals=None))
    assert "takedown=? renew=?" in lines[1]  # the long name sorts after <b>Oak</b>


def test_json_drops_the_renewals_without_names() -> None:
    named = json.loads(group_view.render_json(summary()))
    assert named["settings"][1]["renewals"] == [{"child_id": "c09", "name": "Zara Quinn", "due": "2026-12-20"}]
    plain = group_view.render_json(summary(names=False))
    assert "Zara" not in plain and "c09" not in plain and '"renew": 1' in plain
    assert json.loads(plain)["names"] is False and json.loads(plain)["exit_code"] == 1


def test_csv_has_a_row_per_setting_and_per_file_not_read() -> None:
    rows = list(csv.reader(io.StringIO(group_view.render_csv(summary()).lstrip("\ufeff"))))
    assert rows[0][12] == "children to renew" and rows[1][0] == "<b>Oak</b>" and rows[1][9] == "a/<i>x</i>.jpg"
    assert rows[2][12] == "Zara Quinn (c09) by 20 December 2026"
    assert rows[3][1] == "not read: it is not valid JSON" and rows[3][-2] == "bad.json"
    assert len({len(r) for r in rows}) == 1
    plain = group_view.render_csv(summary(names=False))
    assert "children to renew" not in plain and "Zara" not in plain


def test_html_escapes_every_name_and_path_and_loads_nothing() -> None:
    page = group_view.render_html(summary())
    assert "<b>Oak</b>" not in page and "&lt;b&gt;Oak&lt;/b&gt;" in page and "a/&lt;i&gt;x&lt;/i&gt;.jpg" in page
    assert "default-src 'none'" in page and "<script" not in page and "src=" not in page
    assert "Zara Quinn" in page and "Keep it private" in page
    plain = group_view.render_html(summary(names=False))
    assert "Zara" not in plain and "no child names" in plain
