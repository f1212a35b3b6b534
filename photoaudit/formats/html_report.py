"""The HTML report: one self-contained page to look at, not just read.

Everything is inside the one file: thumbnails are embedded as ``data:`` URIs,
the style and the filter script are inline, and a Content-Security-Policy
forbids loading anything else, so it opens from a USB stick on a PC with no
network. It shows children, so it is written as a private file and says at the
top that it must not be shared (R10). Every name, path and reason is escaped:
they come from files and registers, and are never trusted as HTML.

Rendered from the JSON report (the versioned contract), so fields other parts
of photoaudit add (breaches, overrides, decisions) show up here too.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image

from ..auditor import AuditResult
from ..imaging import UnreadablePhoto, load_photo
from ..models import PURPOSE_WORDS, PURPOSES, Register, staff_id_of, staff_key
from ..policy import standing
from .json_report import report_json

#: Longest side of an embedded thumbnail, in pixels (shown at up to half that on screen).
THUMB_SIDE = 480
THUMB_QUALITY = 70

WARNING = (
    "This report contains photos of children. Keep it private: do not email, print, upload "
    "or share it, keep it on the setting's own computer or encrypted stick, and delete it "
    "when you have finished with it."
)

#: Box colours, by what the face means for the photo's uses.
COLOURS = {
    "all": "#1a7f37",  # a child cleared for every use
    "some": "#d97706",  # a child cleared for some uses
    "none": "#c62828",  # a child cleared for no use (refused, left, or consent lapsed)
    "review": "#1d4ed8",  # a face a person must identify
    "ignored": "#6b7280",  # a person decided: an adult, or not a face
}
LEGEND = {
    "all": "child cleared for every use",
    "some": "child cleared for some uses",
    "none": "child cleared for no use (no consent, left, or consent lapsed)",
    "review": "a person must say who this is",
    "ignored": "staff, or an adult or not a face (a person decided)",
}
ACTION_WORDS = {"keep": "keep", "delete": "delete", "review": "needs a person"}
#: Cards come in this order: what needs doing first, then by path.
ACTION_ORDER = {"delete": 0, "review": 1, "keep": 2}
USE_WORDS = {"allowed": "allowed", "withheld": "withheld", "review": "a person must look"}
USE_MARK = {"allowed": "\u2713", "withheld": "\u2717", "review": "?"}


def esc(value: object) -> str:
    """Escape any value for HTML text and attribute values (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


Thumbnailer = Callable[[Path], "Thumbnail | None"]


class Thumbnail:
    """A small, metadata-free JPEG of the upright photo, and the full photo's size."""

    def __init__(self, data_uri: str, full_size: tuple[int, int]) -> None:
        self.data_uri = data_uri
        self.full_size = full_size


def make_thumbnail(path: Path, side: int = THUMB_SIDE) -> Thumbnail | None:
    """Thumbnail of the upright photo (None when it cannot be read).

    Made from the decoded pixels, so none of the original's metadata (GPS,
    camera serial) is carried into the report.
    """
    try:
        photo = load_photo(path, max_side=side)
    except UnreadablePhoto:
        return None
    buffer = io.BytesIO()
    Image.fromarray(photo.pixels).save(buffer, "JPEG", quality=THUMB_QUALITY, optimize=True)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    height, width = photo.pixels.shape[:2]
    return Thumbnail(f"data:image/jpeg;base64,{data}", photo.full_size if photo.full_size[0] else (width, height))


def render(
    result: AuditResult,
    register: Register,
    *,
    thumbnails: Thumbnailer | None = make_thumbnail,
    on_photo: Callable[[str], None] | None = None,
) -> str:
    """The whole report as one HTML document."""
    report = report_json(result)
    page = HtmlPage(report, register, result.today, Path(report["folder"]), thumbnails, on_photo)
    return page.render()


class HtmlPage:
    def __init__(
        self,
        report: Mapping[str, Any],
        register: Register,
        today: date,
        folder: Path,
        thumbnails: Thumbnailer | None,
        on_photo: Callable[[str], None] | None,
    ) -> None:
        self.report = report
        self.register = register
        self.today = today
        self.folder = folder
        self.thumbnails = thumbnails
        self.on_photo = on_photo
        images = report.get("images", [])
        self.purposes = [p for p in PURPOSES if images and p in images[0]["purposes"]] or list(PURPOSES)
        if images:  # any purpose the report has that photoaudit does not name, in its order
            self.purposes += [p for p in images[0]["purposes"] if p not in self.purposes]

    # -- names and colours -----------------------------------------------------
    def name(self, child_id: str | None) -> str:
        child = self.register.get(child_id) if child_id else None
        if child is None:
            return str(child_id)
        return child.name or child.child_id

    def cleared_for(self, child_id: str | None) -> list[str]:
        """The purposes this child's consent allows today (none when they left or lapsed)."""
        child = self.register.get(child_id) if child_id else None
        if child is None or standing(child, self.today).blocked_by:
            return []
        return [p for p in self.purposes if child.allows(p)]

    def face_kind(self, face: Mapping[str, Any], twice: bool) -> str:
        decision = face.get("decision") or {}
        if decision.get("kind") in ("adult", "not_a_face", "staff"):
            return "ignored"
        if face.get("staff_id") and not decision:  # staff: an adult (twice: one could be a child)
            return "review" if twice else "ignored"
        if face["status"] != "matched" or twice or self.register.get(face.get("child_id")) is None:
            return "review"
        cleared = self.cleared_for(face["child_id"])
        return "all" if len(cleared) == len(self.purposes) else "some" if cleared else "none"

    def face_label(self, face: Mapping[str, Any]) -> str:
        decision = face.get("decision") or {}
        kind = decision.get("kind")
        if kind == "adult":
            return "adult"
        if kind == "not_a_face":
            return "not a face"
        if face.get("staff_id") and kind in (None, "staff"):
            member = self.register.staff.get(face["staff_id"])
            label = f"{member.name if member and member.name else face['staff_id']} (staff)"
            return label + " (confirmed)" if kind == "staff" else label
        if face["status"] == "matched":
            label = self.name(face.get("child_id"))
            return label + " (confirmed)" if kind == "child" else label
        if face["status"] == "ambiguous":
            names = [self.name(c["child_id"]) if not c.get("staff") else f"{c['child_id']} (staff)"
                     for c in face.get("candidates", [])]
            return "uncertain: " + " or ".join(names) + "?"
        return "unknown"

    def face_detail(self, face: Mapping[str, Any]) -> str:
        decision = face.get("decision") or {}
        if decision:
            who = f" by {decision['by']}" if decision.get("by") else ""
            return f"decided by a person{who}"
        candidates = face.get("candidates", [])
        if face["status"] == "matched" and face.get("distance") is not None:
            return f"distance {face['distance']:.2f}"
        if candidates:
            near = ", ".join(
                f"{self.name(c['child_id']) if not c.get('staff') else c['child_id'] + ' (staff)'} {c['distance']:.2f}"
                for c in candidates
            )
            return f"nearest: {near}"
        if face.get("distance") is None:
            return "too small or unclear to compare"
        return ""

    # -- the page --------------------------------------------------------------
    def render(self) -> str:
        images = self.report.get("images", [])
        cards = []
        for image in sorted(images, key=lambda i: (ACTION_ORDER.get(i.get("action"), 1), i["path"])):
            if self.on_photo:
                self.on_photo(image["path"])
            cards.append(self.card(image))
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>Photo audit {esc(self.report.get('today', ''))} (private: shows children)</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<div class=\"warning\" id=\"warning\" role=\"alert\"><strong>Private.</strong> {esc(WARNING)}</div>\n"
            + self.header()
            + self.filters(images)
            + "<main id=\"cards\">\n"
            + "\n".join(cards)
            + "\n</main>\n"
            + f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
        )

    def header(self) -> str:
        summary = self.report.get("summary", {})
        parts = [
            f"<span class=\"count\">{esc(summary.get('photos', 0))} photos</span>",
            f"<span class=\"count keep\">{esc(summary.get('keep', 0))} keep</span>",
            f"<span class=\"count delete\">{esc(summary.get('delete', 0))} delete</span>",
            f"<span class=\"count review\">{esc(summary.get('review', 0))} need a person</span>",
        ]
        if "breaches" in summary:
            n = summary["breaches"]
            parts.append(f"<span class=\"count breach\">{esc(n)} breach{'' if n == 1 else 'es'}</span>")
        skipped = self.report.get("skipped") or []
        if skipped:
            parts.append(f"<span class=\"count\">{len(skipped)} skipped (not photos)</span>")
        overrides = sum(1 for i in self.report.get("images", []) if i.get("override"))
        if overrides:
            parts.append(f"<span class=\"count\">{overrides} forced by a person</span>")
        warnings = "".join(f"<li>{esc(w)}</li>" for w in self.report.get("warnings", []))
        legend = "".join(
            f"<li><span class=\"swatch {k}\"></span>{esc(v)}</li>" for k, v in LEGEND.items()
        )
        return (
            "<header>\n<h1>Photo consent audit</h1>\n"
            f"<p class=\"meta\">Folder <code>{esc(self.report.get('folder', ''))}</code>, judged on "
            f"{esc(self.report.get('today', ''))} (report made {esc(self.report.get('generated', ''))}).</p>\n"
            f"<p class=\"summary\" id=\"summary\">{' '.join(parts)}</p>\n"
            + (f"<ul class=\"warnings\">{warnings}</ul>\n" if warnings else "")
            + self.skipped_list(skipped)
            + f"<ul class=\"legend\">{legend}</ul>\n"
            "<details class=\"howto\"><summary>Deciding faces from this report</summary>"
            "<p>Each face has a number on its box. To record who the faces are, make a spreadsheet "
            "with the columns <code>photo</code>, <code>face</code> and <code>decision</code>: the "
            "photo as written on its card, the face's number, and a child id, <code>adult</code>, "
            "<code>not a face</code> or <code>skip</code>. Save it as CSV and run "
            "<code>photoaudit review --decisions FILE</code>. To force a photo's action, run "
            "<code>photoaudit override PHOTO --action keep --reason \"...\"</code>.</p></details>\n"
            "</header>\n"
        )

    def skipped_list(self, skipped: list[Mapping[str, Any]]) -> str:
        """Every file the audit skipped, with why (none is left out silently)."""
        if not skipped:
            return ""
        items = "".join(f"<li><code>{esc(s['path'])}</code>: {esc(s['reason'])}</li>" for s in skipped)
        return (
            f"<details class=\"skipped\" id=\"skipped\"><summary>{len(skipped)} file(s) skipped, "
            f"not photos</summary><ul>{items}</ul></details>\n"
        )

    def filters(self, images: list[Mapping[str, Any]]) -> str:
        children = sorted(
            {f["child_id"] for i in images for f in i.get("faces", []) if f["status"] == "matched" and f.get("child_id")},
            key=lambda c: (self.name(c).casefold(), c),
        )
        child_options = "".join(
            f"<option value=\"{esc(c)}\">{esc(self.name(c))} ({esc(c)})</option>" for c in children
        )
        purpose_options = "".join(
            f"<option value=\"{esc(p)}\">{esc(PURPOSE_WORDS.get(p, p.replace('_', ' ')))}</option>"
            for p in self.purposes
        )
        return (
            "<nav class=\"filters\" id=\"filters\">\n"
            "<label>Show <select id=\"f-show\"><option value=\"\">every photo</option>"
            "<option value=\"review\">needs a person</option><option value=\"delete\">delete</option>"
            "<option value=\"keep\">keep</option></select></label>\n"
            f"<label>Child <select id=\"f-child\"><option value=\"\">any child</option>{child_options}</select></label>\n"
            f"<label>Cleared for <select id=\"f-purpose\"><option value=\"\">any use</option>{purpose_options}</select></label>\n"
            f"<span id=\"shown\">Showing {len(images)} of {len(images)} photos</span>\n"
            "</nav>\n"
        )

    def card(self, image: Mapping[str, Any]) -> str:
        path = image["path"]
        faces = image.get("faces", [])
        counted = [
            face_key(f) for f in faces
            if f["status"] == "matched" and (f.get("decision") or {}).get("kind") not in ("adult", "not_a_face", "staff")
        ]
        twice = {c for c in counted if counted.count(c) > 1}
        children = sorted({c for c in counted if c and staff_id_of(c) is None})
        cleared = [p for p, use in image.get("purposes", {}).items() if use == "allowed"]
        action = image.get("action", "review")
        badges = [f"<span class=\"action {esc(action)}\">{esc(ACTION_WORDS.get(action, action))}</span>"]
        if image.get("breach"):
            badges.append("<span class=\"action breach\">breach: tell the DSL</span>")
        if image.get("gps"):
            badges.append("<span class=\"action gps\">records a location</span>")
        if image.get("override"):
            badges.append("<span class=\"action forced\">forced by a person</span>")
        return (
            f"<article class=\"card\" data-action=\"{esc(action)}\" data-children=\"{esc('|'.join(children))}\" "
            f"data-cleared=\"{esc(' '.join(cleared))}\">\n"
            + self.picture(path, faces, twice, image.get("path_hex"))
            + "<div class=\"details\">\n"
            f"<h2 class=\"path\">{esc(path)}</h2>\n<p class=\"badges\">{' '.join(badges)}</p>\n"
            + self.override(image.get("override"))
            + self.uses(image.get("purposes", {}))
            + self.face_list(faces, twice)
            + listing("reasons", "Why", image.get("reasons", []))
            + listing("notes", "Notes", image.get("notes", []))
            + "</div>\n</article>"
        )

    def picture(
        self, path: str, faces: list[Mapping[str, Any]], twice: set[str], path_hex: str | None = None
    ) -> str:
        exact = os.fsdecode(bytes.fromhex(path_hex)) if path_hex else path  # a name not in UTF-8
        thumb = self.thumbnails(self.folder / Path(exact)) if self.thumbnails else None
        if thumb is None:
            return "<div class=\"picture none\"><p>No preview: see the reasons.</p></div>\n"
        width, height = thumb.full_size
        boxes = []
        for number, face in enumerate(faces, start=1):
            top, right, bottom, left = face["box"]
            kind = self.face_kind(face, face_key(face) in twice and face["status"] == "matched")
            style = (
                f"left:{100 * left / width:.2f}%;top:{100 * top / height:.2f}%;"
                f"width:{100 * (right - left) / width:.2f}%;height:{100 * (bottom - top) / height:.2f}%"
            )
            ok = " ".join(self.cleared_for(face.get("child_id"))) if kind in ("all", "some", "none") else ""
            place = " up" if bottom / height > 0.85 else ""  # label above a box at the bottom edge
            boxes.append(
                f"<div class=\"face {kind}{place}\" data-kind=\"{kind}\" data-ok=\"{esc(ok)}\" style=\"{style}\">"
                f"<span class=\"tag\">{number} \u00b7 {esc(self.face_label(face))}</span></div>"
            )
        return (
            "<div class=\"picture\"><div class=\"frame\">"
            f"<img src=\"{thumb.data_uri}\" alt=\"{esc(path)}\" decoding=\"async\">"
            + "".join(boxes)
            + "</div></div>\n"
        )

    def override(self, override: Mapping[str, Any] | None) -> str:
        if not override:
            return ""
        who = f" by {esc(override.get('by'))}" if override.get("by") else ""
        when = f" on {esc(str(override.get('at', ''))[:10])}" if override.get("at") else ""
        original = override.get("original_action")
        was = f" (photoaudit said: {esc(ACTION_WORDS.get(original, original))})" if original else ""
        return (
            f"<p class=\"override\">Action forced to <strong>{esc(override.get('action'))}</strong>{who}{when}"
            f"{was}: {esc(override.get('reason'))}</p>\n"
        )

    def uses(self, purposes: Mapping[str, str]) -> str:
        rows = "".join(
            f"<tr class=\"{esc(use)}\"><td>{esc(PURPOSE_WORDS.get(p, p.replace('_', ' ')))}</td>"
            f"<td>{USE_MARK.get(use, '')} {esc(USE_WORDS.get(use, use))}</td></tr>"
            for p, use in purposes.items()
        )
        return f"<table class=\"uses\">{rows}</table>\n"

    def face_list(self, faces: list[Mapping[str, Any]], twice: set[str]) -> str:
        if not faces:
            return ""
        items = []
        for number, face in enumerate(faces, start=1):
            kind = self.face_kind(face, face_key(face) in twice and face["status"] == "matched")
            detail = self.face_detail(face)
            child = f" ({esc(face['child_id'])})" if face["status"] == "matched" and face.get("child_id") else ""
            items.append(
                f"<li class=\"{kind}\"><span class=\"swatch {kind}\"></span>Face {number}: "
                f"{esc(self.face_label(face))}{child}"
                + (f" <small>{esc(detail)}</small>" if detail else "")
                + "</li>"
            )
        return f"<ul class=\"faces\">{''.join(items)}</ul>\n"


def face_key(face: Mapping[str, Any]) -> str | None:
    """Who a face of the JSON report was matched to: a child id, or ``staff:<id>``."""
    return staff_key(face["staff_id"]) if face.get("staff_id") else face.get("child_id")


def listing(css: str, title: str, lines: list[str]) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return f"<div class=\"{css}\"><h3>{title}</h3><ul>{items}</ul></div>\n"


STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;padding:0 1rem 2rem;color:#111;background:#f6f6f4}
[hidden]{display:none!important}
.warning{position:sticky;top:0;z-index:5;background:#7f1d1d;color:#fff;padding:.6rem 1rem;margin:0 -1rem;font-size:1rem}
header h1{margin:.8rem 0 .2rem;font-size:1.5rem}
.meta{margin:.2rem 0;color:#444}
.summary{font-size:1.1rem;margin:.5rem 0}
.count{display:inline-block;margin-right:.8rem;font-weight:600}
.count.keep{color:#1a7f37}.count.delete{color:#c62828}.count.review{color:#1d4ed8}.count.breach{color:#7f1d1d}
.warnings{background:#fff7e6;border:1px solid #f0c36d;padding:.5rem 1.5rem;margin:.5rem 0}
.legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;font-size:.9rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;border:3px solid;margin-right:.35rem;vertical-align:-2px}
.swatch.all{border-color:#1a7f37}.swatch.some{border-color:#d97706}.swatch.none{border-color:#c62828}
.swatch.review{border-color:#1d4ed8;border-style:dashed}.swatch.ignored{border-color:#6b7280;border-style:dotted}
.howto{margin:.4rem 0;font-size:.9rem}
.filters{position:sticky;top:2.4rem;z-index:4;background:#e9e9e4;padding:.5rem;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;align-items:center;border-radius:6px}
.filters select{font-size:1rem}
#shown{font-weight:600}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);display:flex;gap:.8rem;padding:.7rem;align-items:flex-start}
.picture{flex:0 0 240px}
.picture.none{height:160px;display:flex;align-items:center;justify-content:center;background:#eee;color:#555;text-align:center;padding:.5rem}
.frame{position:relative;width:240px;line-height:0;overflow:hidden;border-radius:4px}
.frame img{width:100%;height:auto;display:block;border-radius:4px}
.face{position:absolute;border:3px solid}
.face.all{border-color:#1a7f37}.face.some{border-color:#d97706}.face.none{border-color:#c62828}
.face.review{border-color:#1d4ed8;border-style:dashed}.face.ignored{border-color:#6b7280;border-style:dotted}
.tag{position:absolute;left:-3px;top:100%;white-space:nowrap;font-size:11px;line-height:1.3;color:#fff;padding:0 3px}
.face.up .tag{top:auto;bottom:100%}
.face.all .tag{background:#1a7f37}.face.some .tag{background:#d97706}.face.none .tag{background:#c62828}
.face.review .tag{background:#1d4ed8}.face.ignored .tag{background:#6b7280}
.details{flex:1;min-width:0;font-size:.9rem}
.path{font-size:1rem;margin:0 0 .3rem;word-break:break-all}
.badges{margin:0 0 .4rem}
.action{display:inline-block;padding:.1rem .5rem;border-radius:3px;color:#fff;font-weight:700;margin-right:.3rem}
.action.keep{background:#1a7f37}.action.delete{background:#c62828}.action.review{background:#1d4ed8}
.action.breach{background:#7f1d1d}.action.gps{background:#92400e}.action.forced{background:#6b21a8}
.override{background:#f3e8ff;padding:.3rem .5rem;border-radius:4px}
.uses{border-collapse:collapse;margin:.3rem 0}
.uses td{padding:.05rem .5rem .05rem 0}
.uses td:last-child{white-space:nowrap}
.uses tr.allowed td:last-child{color:#1a7f37}.uses tr.withheld td:last-child{color:#c62828}.uses tr.review td:last-child{color:#1d4ed8}
.faces{list-style:none;padding:0;margin:.3rem 0}
.reasons h3,.notes h3{font-size:.9rem;margin:.4rem 0 .1rem}
.reasons ul,.notes ul{margin:0;padding-left:1.1rem}
.notes{color:#444}
@media print{.filters,.howto{display:none}}
"""

SCRIPT = """
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll('article.card'));
  var show = document.getElementById('f-show');
  var child = document.getElementById('f-child');
  var purpose = document.getElementById('f-purpose');
  var shown = document.getElementById('shown');
  function wanted() {
    var found = {show: '', child: '', purpose: ''};
    [location.search, location.hash].forEach(function (part) {
      var params = new URLSearchParams(part.replace(/^[?#]/, ''));
      Object.keys(found).forEach(function (key) {
        if (params.has(key)) { found[key] = params.get(key); }
      });
    });
    return found;
  }
  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    select.value = known ? value : '';
    return select.value;
  }
  function apply() {
    var want = wanted();
    var s = choose(show, want.show), c = choose(child, want.child), p = choose(purpose, want.purpose);
    var count = 0;
    cards.forEach(function (card) {
      var visible = (!s || card.dataset.action === s) &&
        (!c || card.dataset.children.split('|').indexOf(c) >= 0) &&
        (!p || card.dataset.cleared.split(' ').indexOf(p) >= 0);
      card.hidden = !visible;
      if (visible) { count += 1; }
      card.querySelectorAll('.face').forEach(function (box) {
        var kind = box.dataset.kind;
        if (p && (kind === 'all' || kind === 'some' || kind === 'none')) {
          kind = box.dataset.ok.split(' ').indexOf(p) >= 0 ? 'all' : 'none';
        }
        box.className = 'face ' + kind + (box.classList.contains('up') ? ' up' : '');
      });
    });
    shown.textContent = 'Showing ' + count + ' of ' + cards.length + ' photos';
  }
  function update() {
    var params = new URLSearchParams();  // every key, so the hash wins over a query
    params.set('show', show.value);
    params.set('child', child.value);
    params.set('purpose', purpose.value);
    location.hash = params.toString();
  }
  [show, child, purpose].forEach(function (select) { select.addEventListener('change', update); });
  window.addEventListener('hashchange', apply);
  apply();
})();
"""
