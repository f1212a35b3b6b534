"""The group summary (``photoaudit group``) as a terminal table, a quiet line, CSV, HTML and JSON.

One row per setting: its latest audit's date, photos, keep / delete / review, breaches (R6),
published copies to take down, consents to renew (R1), and whether the weekly audit did not
run (stale). No face data is ever shown; child names only in the consents to renew, and not
at all with ``names=False`` (``--no-names``): then every output holds counts and photo paths
only, and can go to a group office under data minimisation. Photo paths are shown as they
are. The JSON is a versioned contract (docs/groups.md, "The group summary's JSON").
"""

from __future__ import annotations

import io
import json
import shlex
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..core.group import GroupSummary, SettingSummary
from ..core.words import and_list, local_time, long_date
from .csv_report import row, writer_for
from .html_report import esc

#: The version of the group summary's JSON (fields are only ever added within a version).
VERSION = 1

UNKNOWN = "?"  # a count the report did not carry (made by an older photoaudit)


def count_words(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


def status_words(one: SettingSummary) -> str:
    """'fine', or what makes the setting a finding, in plain words."""
    words = {"breaches": "breach: tell the DSL", "takedown": "copies to take down",
             "stale": f"no audit for {one.days_since} days"}
    return ", ".join(words[f] for f in one.findings) or "fine"


def unknown_note(summary: GroupSummary) -> list[str]:
    old = [s.shown_name for s in summary.settings if s.latest.takedown is None or s.renew is None]
    if not old:
        return []
    return [f"{UNKNOWN}: not in the report of {and_list(old)} (made by an older photoaudit); the next audit "
            "there will say."]


# -- terminal ------------------------------------------------------------------------------

def table(summary: GroupSummary) -> Table:
    out = Table(title=f"Latest audit of each setting ({len(summary.settings)}), today {long_date(summary.today)}",
                show_lines=False)
    out.add_column("Setting", overflow="fold")
    out.add_column("Latest audit")
    for name in ("Photos", "Keep", "Delete", "Review", "Breaches", "Take down", "Renew"):
        out.add_column(name, justify="right")
    out.add_column("Status")
    for one in summary.settings:
        latest = one.latest
        status = status_words(one)
        out.add_row(
            one.shown_name, f"{latest.audited.isoformat()} ({one.days_since} days ago)",
            str(latest.photos), str(latest.keep), str(latest.delete), str(latest.review),
            Text(str(latest.breaches), style="bold red" if latest.breaches else ""),
            count_words(latest.takedown), count_words(one.renew),
            Text(status, style="green" if status == "fine" else "bold red"),
        )
    return out


def print_unwrapped(console: Console, renderable: Table) -> None:
    """In a terminal, laid out to its width; piped (a file, cron's mail), never wrapped."""
    if console.is_terminal:
        console.print(renderable)
        return
    wide = console.options.update(width=10_000, max_width=10_000)
    width = Measurement.get(console, wide, renderable).maximum
    before = console.width
    console.width = max(before, width)
    try:
        console.print(renderable)
    finally:
        console.width = before


def show(summary: GroupSummary, console: Console) -> None:
    """The table, then the breaches, takedowns, consents to renew, stale settings, files not read."""
    if summary.settings:
        print_unwrapped(console, table(summary))
    for one in summary.settings:
        latest = one.latest
        if latest.breaches:
            console.print(f"{one.shown_name}: {latest.breaches} photo(s) not from a setting device, tell the DSL: "
                          f"{', '.join(latest.breach_photos)}", style="bold red")
        if latest.takedown:
            console.print(f"{one.shown_name}: {latest.takedown} published cop{'y' if latest.takedown == 1 else 'ies'} "
                          "must be taken down (`photoaudit takedown` there says which).", style="bold red")
        if one.renew:
            listed = f": {', '.join(r.words for r in latest.renewals or ())}" if summary.names else ""
            console.print(f"{one.shown_name}: {one.renew} consent(s) to renew this month{listed}.", style="yellow")
        if one.stale:
            console.print(f"{one.shown_name}: no audit since {long_date(latest.audited)} ({one.days_since} days): "
                          "the weekly audit did not run.", style="bold red")
    for line in [*summary.notes, *unknown_note(summary)]:
        console.print(line, style="yellow")
    for bad in summary.unreadable:
        console.print(f"Not read: {bad.source}: {bad.why}.", style="yellow")
    if not summary.settings:
        console.print("No audit report could be read: nothing to summarise.", style="bold red")


def quiet_lines(summary: GroupSummary) -> list[str]:
    """One parseable line per setting and one for the group, never wrapped (for cron)."""
    lines = []
    for one in summary.settings:
        latest = one.latest
        lines.append(
            f"photoaudit group: setting={shlex.quote(one.shown_name)} audited={latest.audited.isoformat()} "
            f"days={one.days_since} photos={latest.photos} keep={latest.keep} delete={latest.delete} "
            f"review={latest.review} breaches={latest.breaches} takedown={count_words(latest.takedown)} "
            f"renew={count_words(one.renew)} stale={'yes' if one.stale else 'no'}"
        )
    for bad in summary.unreadable:
        lines.append(f"photoaudit group: not read {shlex.quote(bad.source)}: {bad.why}")
    lines.append(
        f"photoaudit group: settings={len(summary.settings)} stale={len(summary.stale)} "
        f"breaches={summary.total('breaches')} takedown={known_total(summary, 'takedown')} "
        f"renew={sum(s.renew or 0 for s in summary.settings)} unreadable={len(summary.unreadable)} "
        f"today={summary.today.isoformat()}"
    )
    return lines


def known_total(summary: GroupSummary, field_name: str) -> int:
    return sum(getattr(s.latest, field_name) or 0 for s in summary.settings)


# -- JSON ----------------------------------------------------------------------------------

def setting_json(one: SettingSummary, names: bool) -> dict[str, Any]:
    latest = one.latest
    found: dict[str, Any] = {
        "setting": latest.setting or None,
        "folder": latest.folder,
        "report": latest.source,
        "reports": one.reports,
        "audited": latest.generated.isoformat(),
        "date": latest.audited.isoformat(),
        "judged": latest.judged.isoformat(),
        "days_since": one.days_since,
        "stale": one.stale,
        "photos": latest.photos,
        "keep": latest.keep,
        "delete": latest.delete,
        "review": latest.review,
        "breaches": latest.breaches,
        "breach_photos": list(latest.breach_photos),
        "takedown": latest.takedown,
        "renew": one.renew,
        "findings": list(one.findings),
    }
    if names:
        found["renewals"] = None if latest.renewals is None else [
            {"child_id": r.child_id, "name": r.name, "due": r.due.isoformat()} for r in latest.renewals
        ]
    return found


def summary_json(summary: GroupSummary, generated: datetime | None = None) -> dict[str, Any]:
    return {
        "version": VERSION,
        "kind": "group",
        "generated": local_time(generated or datetime.now(UTC)),
        "today": summary.today.isoformat(),
        "stale_after_days": summary.stale_after,
        "names": summary.names,
        "totals": {
            "settings": len(summary.settings),
            "photos": summary.total("photos"),
            "keep": summary.total("keep"),
            "delete": summary.total("delete"),
            "review": summary.total("review"),
            "breaches": summary.total("breaches"),
            "takedown": known_total(summary, "takedown"),
            "renew": sum(s.renew or 0 for s in summary.settings),
            "stale": len(summary.stale),
            "unreadable": len(summary.unreadable),
        },
        "settings": [setting_json(s, summary.names) for s in summary.settings],
        "unreadable": [{"file": u.source, "why": u.why} for u in summary.unreadable],
        "notes": list(summary.notes),
        "exit_code": summary.exit_code,
    }


def render_json(summary: GroupSummary, generated: datetime | None = None) -> str:
    return json.dumps(summary_json(summary, generated), indent=2, ensure_ascii=False) + "\n"


# -- CSV -----------------------------------------------------------------------------------

def render_csv(summary: GroupSummary, sep: str = ",") -> str:
    """A row per setting, then a row per file not read; every cell through csv_report's escaping."""
    out = io.StringIO()
    writer = writer_for(out, sep)
    header = ["setting", "status", "latest audit", "days since", "photos", "keep", "delete", "review",
              "breaches", "breach photos", "take down", "consents to renew"]
    if summary.names:
        header.append("children to renew")
    header += ["folder", "report", "reports read"]
    writer.writerow(row(header))
    for one in summary.settings:
        latest = one.latest
        cells: list[object] = [
            one.shown_name, status_words(one), latest.audited.isoformat(), one.days_since, latest.photos,
            latest.keep, latest.delete, latest.review, latest.breaches, "; ".join(latest.breach_photos),
            count_words(latest.takedown), count_words(one.renew),
        ]
        if summary.names:
            cells.append("; ".join(r.words for r in latest.renewals or ()))
        cells += [latest.folder, latest.source, one.reports]
        writer.writerow(row(cells))
    for bad in summary.unreadable:
        blank: list[object] = [""] * (len(header) - 3)
        blank[1] = f"not read: {bad.why}"
        writer.writerow(row([*blank, "", bad.source, ""]))
    return "\ufeff" + out.getvalue()


# -- HTML ----------------------------------------------------------------------------------

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}"
    "td.n{text-align:right}.finding{color:#a00;font-weight:bold}.fine{color:#070}"
    ".warning{background:#fff3cd;border:1px solid #e0c060;padding:.6em;margin-bottom:1em}"
    "ul.notes li{color:#664d03}code{font-size:90%}"
)

PRIVATE_WORDS = (
    "This summary names children (the consents to renew). Keep it private: do not email, print, "
    "upload or share it, and delete it when you have finished with it."
)
SHAREABLE_WORDS = (
    "This summary holds no child names and no face data: counts and photo paths only "
    "(photo paths are shown as they are)."
)


def render_html(summary: GroupSummary, generated: datetime | None = None) -> str:
    """One self-contained page: no script, nothing loaded from anywhere (Content-Security-Policy)."""
    made = local_time(generated or datetime.now(UTC))
    head = ["Setting", "Status", "Latest audit", "Photos", "Keep", "Delete", "Review", "Breaches",
            "Take down", "Consents to renew"]
    rows = []
    for one in summary.settings:
        latest = one.latest
        status = status_words(one)
        renew = count_words(one.renew)
        if summary.names and latest.renewals:
            renew += ": " + ", ".join(r.words for r in latest.renewals)
        breaches = str(latest.breaches) + (": " + ", ".join(latest.breach_photos) if latest.breaches else "")
        cells = [
            f"<td>{esc(one.shown_name)}</td>",
            f"<td class=\"{'fine' if status == 'fine' else 'finding'}\">{esc(status)}</td>",
            f"<td>{esc(latest.audited.isoformat())} ({esc(one.days_since)} days ago)</td>",
            *(f"<td class=\"n\">{esc(v)}</td>" for v in (latest.photos, latest.keep, latest.delete, latest.review)),
            f"<td class=\"{'finding' if latest.breaches else 'n'}\">{esc(breaches)}</td>",
            f"<td class=\"{'finding' if latest.takedown else 'n'}\">{esc(count_words(latest.takedown))}</td>",
            f"<td>{esc(renew)}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    notes = [*summary.notes, *unknown_note(summary)]
    notes += [f"Not read: {u.source}: {u.why}." for u in summary.unreadable]
    warning = PRIVATE_WORDS if summary.names else SHAREABLE_WORDS
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
        f"<title>Photo audits of {len(summary.settings)} settings, {esc(summary.today.isoformat())}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<div class=\"warning\" role=\"alert\">{esc(warning)}</div>\n"
        f"<h1>Photo audits of {len(summary.settings)} settings</h1>\n"
        f"<p>Today {esc(long_date(summary.today))}; a setting with no audit for more than "
        f"{esc(summary.stale_after)} days is stale (the weekly audit did not run). Made {esc(made)}.</p>\n"
        "<table>\n<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        + ("<ul class=\"notes\">" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>\n" if notes else "")
        + "</body>\n</html>\n"
    )
