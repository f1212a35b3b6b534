"""The HTML report: one self-contained page to look at, not just read.

Everything is inside the one file: thumbnails are embedded as ``data:`` URIs,
the style and the filter script are inline, and a Content-Security-Policy
forbids loading anything else, so it opens from a USB stick on a PC with no
network. It shows children, so it is written as a private file and says at the
top that it must not be shared (R10). Every name, path and reason is escaped:
they come from files and registers, and are never trusted as HTML.

Rendered from the JSON report (the versioned contract), so fields other parts
of photoaudit add (breaches, overrides, decisions) show up here too.

Faces are decided in the page: each face that needs a person has a "Who is this?"
list (the register's children, nearest first, and :data:`photoaudit.core.decisions.FACE_CHOICES`),
and a button saves the choices as a decisions CSV made in the page itself (a download,
no server) that ``photoaudit review --decisions FILE`` reads as it is. Clicking a photo
enlarges it, with a close-up of every face cut from the photo at a higher resolution;
thumbnails and close-ups are re-encoded from pixels, so no metadata reaches the page.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image

from ..core.decisions import FACE_CHOICES, STAFF_WORD, needs_person
from ..core.models import PURPOSE_WORDS, PURPOSES, Box, FaceStatus, Register, staff_id_of, staff_key
from ..core.safeguards import FACELESS_MARK
from ..core.staff_rules import staff_label
from ..core.words import literal, local_day, time_words
from ..media.imaging import UnreadablePhoto, load_photo
from ..operations.results import AuditResult
from .json_report import report_json

#: How many faces of a group the report names.
GROUP_SHOWN = 4

#: The decisions CSV's word for a photo a person looked at and found no child in.
NO_CHILDREN_CHOICE = "no children"

#: Longest side of an embedded thumbnail, in pixels (shown at up to half that on screen).
THUMB_SIDE = 480
THUMB_QUALITY = 70
#: Longest side of a face close-up in the enlarged view, in pixels.
CLOSEUP_SIDE = 160
#: How much of the photo around a face its close-up shows, as a share of the face's size per side.
CLOSEUP_MARGIN = 0.35
#: Close-ups are cut from the photo decoded at up to this size (small faces stay sharp).
CLOSEUP_SOURCE_SIDE = 2400

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
    "gone": "#7f1d1d",  # a child on a photo to delete: never green, whatever their consent
}
LEGEND = {
    "all": "child cleared for every use",
    "some": "child cleared for some uses",
    "none": "child cleared for no use (no consent, left, or consent lapsed)",
    "review": "a person must say who this is",
    "ignored": "staff, or an adult or not a face (a person decided)",
    "gone": "a child on a photo to delete",
}
ACTION_WORDS = {"keep": "keep", "delete": "delete", "review": "needs a person"}
#: Cards come in this order: what needs doing first, then by path.
ACTION_ORDER = {"delete": 0, "review": 1, "keep": 2}
USE_WORDS = {"allowed": "allowed", "withheld": "withheld", "review": "a person must look"}
USE_MARK = {"allowed": "\u2713", "withheld": "\u2717", "review": "?"}


def esc(value: object) -> str:
    """Escape any value for HTML text and attribute values (quotes included); control
    characters (an escape byte in a file name or a camera's EXIF ``Make``) are shown as
    ``\\x1b`` (:func:`~photoaudit.core.words.literal`), never written raw into the page."""
    return html.escape(literal("" if value is None else str(value), keep_lines=True), quote=True)


Thumbnailer = Callable[[Path, Sequence[Box]], "Thumbnail | None"]


class Thumbnail:
    """A small, metadata-free JPEG of the upright photo, the full photo's size, and a
    close-up of each face (a data URI, or "" when the face's box is empty)."""

    def __init__(self, data_uri: str, full_size: tuple[int, int], closeups: Sequence[str] = ()) -> None:
        self.data_uri = data_uri
        self.full_size = full_size
        self.closeups = list(closeups)


def jpeg_uri(image: Image.Image) -> str:
    """A JPEG data URI of the pixels alone: no EXIF, no other metadata."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def closeup(photo: Image.Image, box: Box, full_size: tuple[int, int]) -> str:
    """The face in ``box`` (full-photo pixels) with a margin, at most CLOSEUP_SIDE px."""
    scale = photo.width / full_size[0]
    top, right, bottom, left = (v * scale for v in box)
    pad_x, pad_y = (right - left) * CLOSEUP_MARGIN, (bottom - top) * CLOSEUP_MARGIN
    x0, y0 = max(0, int(left - pad_x)), max(0, int(top - pad_y))
    x1, y1 = min(photo.width, int(right + pad_x)), min(photo.height, int(bottom + pad_y))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return ""
    face = photo.crop((x0, y0, x1, y1))
    face.thumbnail((CLOSEUP_SIDE, CLOSEUP_SIDE), Image.Resampling.LANCZOS)
    return jpeg_uri(face)


def make_thumbnail(path: Path, boxes: Sequence[Box] = (), side: int = THUMB_SIDE) -> Thumbnail | None:
    """Thumbnail of the upright photo, and close-ups of the faces in ``boxes`` (None when
    the photo cannot be read).

    Made from the decoded pixels, so none of the original's metadata (GPS,
    camera serial) is carried into the report.
    """
    try:
        photo = load_photo(path, max_side=CLOSEUP_SOURCE_SIDE if boxes else side)
    except UnreadablePhoto:
        return None
    image = Image.fromarray(photo.pixels)
    full_size = photo.full_size if photo.full_size[0] else image.size
    closeups = [closeup(image, box, full_size) for box in boxes]
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return Thumbnail(jpeg_uri(image), full_size, closeups)


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
        self.undecided = 0  # faces with a "Who is this?" list, counted as the cards are made
        #: (photo, face number) -> its group of look-alike unknown faces, for groups of two or more
        self.in_group = {(f["path"], f["face"]): g["group"] for g in report.get("people_to_identify") or []
                         if len(g.get("faces", [])) > 1 for f in g["faces"]}
        everyone = sorted(register.children.values(), key=lambda c: ((c.name or c.child_id).casefold(), c.child_id))
        self.children_options = "".join(self.child_option(c.child_id) for c in everyone)
        staff = sorted(register.staff.members.values(), key=lambda m: ((m.name or m.staff_id).casefold(), m.staff_id))
        self.staff_options = "".join(self.staff_option(m.staff_id) for m in staff)
        self.other_options = "".join(
            f"<option value=\"{esc(value)}\" data-name=\"\">{esc(words)}</option>" for value, words in FACE_CHOICES
        )

    # -- names and colours -----------------------------------------------------
    def name(self, child_id: str | None) -> str:
        child = self.register.get(child_id) if child_id else None
        if child is None:
            return str(child_id)
        return child.name or child.child_id

    @staticmethod
    def cleared_for(face: Mapping[str, Any]) -> list[str]:
        """The uses this face may be seen in, as the judge said (photoaudit.core.judge)."""
        return list(face.get("cleared_for") or [])

    def child_option(self, child_id: str, distance: float | None = None) -> str:
        child = self.register.get(child_id)
        words = f"{self.name(child_id)} ({child_id})"
        if child is not None and child.has_left:
            words += ", has left"
        if distance is not None:
            words += f", distance {distance:.2f}"
        return f"<option value=\"{esc(child_id)}\" data-name=\"{esc(self.name(child_id))}\">{esc(words)}</option>"

    def staff_option(self, staff_id: str, distance: float | None = None) -> str:
        """A member of staff in a "Who is this?" list; the decisions CSV says "staff <id>"."""
        member = self.register.staff.get(staff_id)
        words = staff_label(member, staff_id)
        if member is not None and member.has_left:
            words += ", has left"
        if distance is not None:
            words += f", distance {distance:.2f}"
        name = member.name if member is not None and member.name else ""
        return (f"<option value=\"{esc(STAFF_WORD)} {esc(staff_id)}\" data-name=\"{esc(name)}\">"
                f"{esc(words)}</option>")

    def face_kind(self, face: Mapping[str, Any], twice: bool, action: str = "") -> str:
        decision = face.get("decision") or {}
        if decision.get("kind") in ("adult", "not_a_face", "staff"):
            return "ignored"
        if face.get("staff_id") and not decision:  # staff: an adult (twice: one could be a child)
            return "review" if twice or face.get("caution") else "ignored"
        if face["status"] != "matched" or twice or self.register.get(face.get("child_id")) is None:
            return "review"
        if action == "delete":  # never a green box on a photo that is to go
            return "gone"
        cleared = self.cleared_for(face)
        return "all" if len(cleared) == len(self.purposes) else "some" if cleared else "none"

    @staticmethod
    def needs_person(face: Mapping[str, Any], twice: bool) -> bool:
        """What ``photoaudit review`` asks about: the report's ``needs_person``
        (:func:`photoaudit.core.decisions.open_faces`, as the terminal counts it)."""
        if "needs_person" in face:
            return bool(face["needs_person"])
        return needs_person(FaceStatus(face["status"]), bool(face.get("decision")), twice, face.get("caution") or "")

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
            + self.groups_section()
            + "<main id=\"cards\">\n"
            + "\n".join(cards)
            + "\n</main>\n"
            + VIEWER
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
            f"{esc(self.report.get('today', ''))} (report made {esc(time_words(self.report.get('generated', '')))}).</p>\n"
            f"<p class=\"summary\" id=\"summary\">{' '.join(parts)}</p>\n"
            + self.dsl_section()
            + (f"<ul class=\"warnings\">{warnings}</ul>\n" if warnings else "")
            + self.skipped_list(skipped)
            + f"<ul class=\"legend\">{legend}</ul>\n"
            "<details class=\"howto\"><summary>Deciding faces from this report</summary>"
            "<p>Each face that needs a person has a <strong>Who is this?</strong> list: choose the child, "
            "<em>an adult</em> or <em>not a face</em> (click a photo to see it larger, with a close-up "
            "of each face). Then press <strong>Save decisions</strong>: your browser saves a "
            "decisions file (CSV) in its downloads folder. Run "
            "<code>photoaudit review --decisions FILE</code> with that file to record them; faces "
            "left on <em>not decided yet</em> are skipped. The file can also be opened and "
            "finished in a spreadsheet first (columns <code>photo</code>, <code>face</code> and "
            "<code>decision</code>: a child id, <code>adult</code>, <code>not a face</code> or "
            "<code>skip</code>). To force a photo's action, run "
            "<code>photoaudit override PHOTO --action keep --reason \"...\"</code>.</p></details>\n"
            "</header>\n"
        )

    def dsl_section(self) -> str:
        """ "For the DSL" at the top: each finding in plain words with the photos it concerns."""
        findings = self.report.get("dsl")
        if findings is None:
            return ""
        items = "".join(
            f"<li><strong>{esc(f['kind'].replace('_', ' '))}</strong>"
            + (f" <code>{esc(f['device'])}</code>" if f.get("device") else "")
            + f": {esc(f['detail'])}"
            + (f"<br><small>{esc(', '.join(f['photos']))}</small>" if f.get("photos") else "")
            + "</li>"
            for f in findings
        )
        unchecked = "".join(f"<li>{esc(w)}</li>" for w in self.report.get("dsl_not_checked") or [])
        if not items and not unchecked:
            return ""
        return (
            "<section class=\"dsl\" id=\"dsl\"><h2>For the DSL</h2>\n"
            + (f"<ul>{items}</ul>\n" if items else "<p>Nothing found about how the setting's cameras were used.</p>\n")
            + (f"<p>Not checked:</p><ul class=\"unchecked\">{unchecked}</ul>\n" if unchecked else "")
            + "</section>\n"
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
            "<span class=\"save\"><button type=\"button\" id=\"save-decisions\" "
            f"data-file=\"decisions-{esc(self.report.get('today', ''))}.csv\">Save decisions</button> "
            "<span id=\"decided\"></span></span>\n"
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
        cleared = image.get("cleared_for", [])  # as it is: what `check --for` clears
        action = image.get("action", "review")
        badges = [f"<span class=\"action {esc(action)}\">{esc(ACTION_WORDS.get(action, action))}</span>"]
        if image.get("breach"):
            badges.append("<span class=\"action breach\">breach: tell the DSL</span>")
        if image.get("gps"):
            badges.append("<span class=\"action gps\">records a location</span>")
        if image.get("override"):
            badges.append("<span class=\"action forced\">forced by a person</span>")
        path_hex = image.get("path_hex")
        exact = os.fsdecode(bytes.fromhex(path_hex)) if path_hex else path  # a name not in UTF-8
        boxes = [tuple(f["box"]) for f in faces]
        thumb = self.thumbnails(self.folder / Path(exact), boxes) if self.thumbnails else None
        return (
            f"<article class=\"card\" data-action=\"{esc(action)}\" data-children=\"{esc('|'.join(children))}\" "
            f"data-cleared=\"{esc(' '.join(cleared))}\">\n"
            + self.picture(path, faces, twice, action, thumb)
            + "<div class=\"details\">\n"
            f"<h2 class=\"path\">{esc(path)}</h2>\n<p class=\"badges\">{' '.join(badges)}</p>\n"
            + self.override(image.get("override"))
            + self.uses(image.get("purposes", {}))
            + self.face_list(path, faces, twice, action, thumb)
            + self.no_children_choice(path, image)
            + listing("reasons", "Why", image.get("reasons", []))
            + listing("notes", "Notes", image.get("notes", []))
            + "</div>\n</article>"
        )

    def is_twice(self, face: Mapping[str, Any], twice: set[str | None]) -> bool:
        return face_key(face) in twice and face["status"] == "matched"

    def picture(self, path: str, faces: list[Mapping[str, Any]], twice: set[str | None], action: str = "",
                thumb: Thumbnail | None = None) -> str:
        if thumb is None:
            return "<div class=\"picture none\"><p>No preview: see the reasons.</p></div>\n"
        width, height = thumb.full_size
        boxes = []
        for number, face in enumerate(faces, start=1):
            top, right, bottom, left = face["box"]
            kind = self.face_kind(face, self.is_twice(face, twice), action)
            style = (
                f"left:{100 * left / width:.2f}%;top:{100 * top / height:.2f}%;"
                f"width:{100 * (right - left) / width:.2f}%;height:{100 * (bottom - top) / height:.2f}%"
            )
            ok = " ".join(self.cleared_for(face)) if kind in ("all", "some", "none") else ""
            # The number sits inside its box's top corner, so it is never cut off by the photo's
            # edge nor laid over another face's label; the words are in the list beside it.
            place = " right" if right / width > 0.85 else ""
            boxes.append(
                f"<div class=\"face {kind}{place}\" data-kind=\"{kind}\" data-ok=\"{esc(ok)}\" style=\"{style}\" "
                f"title=\"{number} \u00b7 {esc(self.face_label(face))}\">"
                f"<span class=\"tag\">{number}</span></div>"
            )
        return (
            "<div class=\"picture\"><div class=\"frame\" role=\"button\" tabindex=\"0\" "
            f"title=\"Click to enlarge\" aria-label=\"Enlarge {esc(path)}\">"
            f"<img src=\"{thumb.data_uri}\" alt=\"{esc(path)}\" decoding=\"async\">"
            + "".join(boxes)
            + "</div><p class=\"enlarge\">Click the photo to enlarge it</p></div>\n"
        )
    def override(self, override: Mapping[str, Any] | None) -> str:
        if not override:
            return ""
        who = f" by {esc(override.get('by'))}" if override.get("by") else ""
        when = f" on {esc(local_day(override['at']))}" if override.get("at") else ""
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

    def face_list(self, path: str, faces: list[Mapping[str, Any]], twice: set[str | None], action: str = "",
                  thumb: Thumbnail | None = None) -> str:
        if not faces:
            return ""
        items = []
        closeups = thumb.closeups if thumb is not None else []
        for number, face in enumerate(faces, start=1):
            kind = self.face_kind(face, self.is_twice(face, twice), action)
            detail = self.face_detail(face)
            child = f" ({esc(face['child_id'])})" if face["status"] == "matched" and face.get("child_id") else ""
            seen = closeups[number - 1] if number <= len(closeups) else ""
            items.append(
                f"<li class=\"{kind}\" data-face=\"{number}\">"
                + (f"<img class=\"closeup\" src=\"{seen}\" alt=\"Face {number}\">" if seen else "")
                + f"<span class=\"swatch {kind}\"></span>Face {number}: "
                f"{esc(self.face_label(face))}{child}"
                + (f" <small>{esc(detail)}</small>" if detail else "")
                + self.face_question(path, number, face, self.needs_person(face, self.is_twice(face, twice)))
                + "</li>"
            )
        return f"<ul class=\"faces\">{''.join(items)}</ul>\n"

    def face_question(self, path: str, number: int, face: Mapping[str, Any], asked: bool) -> str:
        """The face's own "Who is this?" list, or, for a face in a group of look-alike faces,
        where that group's one list is (at the top of the report)."""
        if not asked:
            return ""
        group = self.in_group.get((path, number))
        if group is not None:
            return (f" <small class=\"in-group\">in group <a href=\"#group-{esc(group)}\">{esc(group)}</a>: "
                    "decided once for the group, at the top</small>")
        return self.decide(path, number, face)

    def groups_section(self) -> str:
        """"People to identify": one "Who is it?" list per group of look-alike unknown faces.

        Each list's answer is exported as ``u3,,adult`` (the group's id where a photo goes);
        ``photoaudit review --decisions`` records it for every face of the group."""
        groups = [g for g in self.report.get("people_to_identify") or [] if len(g.get("faces", [])) > 1]
        if not groups:
            return ""
        items = []
        for group in groups:
            faces = group["faces"]
            shown = ", ".join(f"{f['path']} face {f['face']}" for f in faces[:GROUP_SHOWN])
            more = f" and {len(faces) - GROUP_SHOWN} more" if len(faces) > GROUP_SHOWN else ""
            earlier = f" (and {group['elsewhere']} in other audited folders)" if group.get("elsewhere") else ""
            items.append(
                f"<li id=\"group-{esc(group['group'])}\"><strong>{esc(group['group'])}</strong>: these "
                f"{len(faces)} faces{esc(earlier)} look like the same person: {esc(shown)}{esc(more)}. "
                f"<label class=\"decide\">Who is it? <select class=\"decide\" data-photo=\"{esc(group['group'])}\" "
                f"data-face=\"\" data-group=\"{esc(group['group'])}\" data-size=\"{len(faces)}\">"
                "<option value=\"\" data-name=\"\">not decided yet</option>"
                f"<optgroup label=\"Children in the register\">{self.children_options}</optgroup>"
                + (f"<optgroup label=\"Staff\">{self.staff_options}</optgroup>" if self.staff_options else "")
                + f"<optgroup label=\"Not a child\">{self.other_options}</optgroup></select></label></li>"
            )
        return (
            "<section class=\"groups\" id=\"people-to-identify\">\n<h2>People to identify</h2>\n"
            "<p>Unknown faces that look alike, grouped so you decide once per person. A group is a "
            "suggestion: check its faces before you answer. Your answer is recorded for each face (each "
            "can be taken back on its own); a face too far from the child you name is left out and asked "
            "about on its own.</p>\n"
            f"<ul>{''.join(items)}</ul>\n</section>\n"
        )

    def no_children_choice(self, path: str, image: Mapping[str, Any]) -> str:
        """A photo in which no face was found waits for a person's eye before any public use:
        its list records "no children in this photo" (a blank face in the decisions CSV)."""
        if not any(FACELESS_MARK in reason for reason in image.get("reasons", [])):
            return ""
        self.undecided += 1
        return (
            f"<p><label class=\"decide\">No face was found. Looked at it? <select class=\"decide\" "
            f"data-photo=\"{esc(path)}\" data-face=\"\"><option value=\"\" data-name=\"\">not decided yet"
            f"</option><option value=\"{esc(NO_CHILDREN_CHOICE)}\" data-name=\"\">no children in this photo"
            "</option></select></label></p>\n"
        )

    def decide(self, path: str, number: int, face: Mapping[str, Any]) -> str:
        """The "Who is this?" list of a face that needs a person: nothing is chosen until a person does."""
        self.undecided += 1
        near = [c for c in face.get("candidates", []) if c.get("child_id")]
        if face["status"] == "matched" and face.get("staff_id"):
            matched = {"child_id": face["staff_id"], "distance": face.get("distance"), "staff": True}
        elif face["status"] == "matched" and face.get("child_id"):
            matched = {"child_id": face["child_id"], "distance": face.get("distance")}
        else:
            matched = None
        same = lambda a, b: a["child_id"] == b["child_id"] and bool(a.get("staff")) == bool(b.get("staff"))  # noqa: E731
        if matched is not None and not any(same(matched, c) for c in near):
            near.insert(0, matched)
        nearest = "".join(
            (self.staff_option if c.get("staff") else self.child_option)(c["child_id"], c.get("distance")) for c in near
        )
        return (
            f"<label class=\"decide\">Who is this? <select class=\"decide\" data-photo=\"{esc(path)}\" "
            f"data-face=\"{number}\"><option value=\"\" data-name=\"\">not decided yet</option>"
            + (f"<optgroup label=\"Nearest\">{nearest}</optgroup>" if nearest else "")
            + f"<optgroup label=\"Children in the register\">{self.children_options}</optgroup>"
            + (f"<optgroup label=\"Staff\">{self.staff_options}</optgroup>" if self.staff_options else "")
            + f"<optgroup label=\"Not a child\">{self.other_options}</optgroup></select></label>"
        )


def face_key(face: Mapping[str, Any]) -> str | None:
    """Who a face of the JSON report was matched to: a child id, or ``staff:<id>``."""
    return staff_key(face["staff_id"]) if face.get("staff_id") else face.get("child_id")


def listing(css: str, title: str, lines: list[str]) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return f"<div class=\"{css}\"><h3>{title}</h3><ul>{items}</ul></div>\n"


VIEWER = (
    "<div id=\"viewer\" hidden role=\"dialog\" aria-modal=\"true\" aria-label=\"The photo, enlarged\">"
    "<p><button type=\"button\" id=\"viewer-close\">Close</button> <span id=\"viewer-title\"></span></p>"
    "<div id=\"viewer-photo\"></div><div class=\"closeups\" id=\"viewer-faces\"></div></div>\n"
)

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;padding:0 1rem 2rem;color:#111;background:#f6f6f4;overflow-wrap:anywhere}
[hidden]{display:none!important}
.warning{position:sticky;top:0;z-index:5;background:#7f1d1d;color:#fff;padding:.6rem 1rem;margin:0 -1rem;font-size:1rem}
header h1{margin:.8rem 0 .2rem;font-size:1.5rem}
.meta{margin:.2rem 0;color:#444}
.summary{font-size:1.1rem;margin:.5rem 0}
.count{display:inline-block;margin-right:.8rem;font-weight:600}
.count.keep{color:#1a7f37}.count.delete{color:#c62828}.count.review{color:#1d4ed8}.count.breach{color:#7f1d1d}
.dsl{background:#fdecea;border:1px solid #e0a0a0;padding:.5rem 1.5rem;margin:.5rem 0}
.warnings{background:#fff7e6;border:1px solid #f0c36d;padding:.5rem 1.5rem;margin:.5rem 0}
.legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;font-size:.9rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;border:3px solid;margin-right:.35rem;vertical-align:-2px}
.swatch.all{border-color:#1a7f37}.swatch.some{border-color:#d97706}.swatch.none{border-color:#c62828}
.swatch.review{border-color:#1d4ed8;border-style:dashed}.swatch.ignored{border-color:#6b7280;border-style:dotted}.swatch.gone{border-color:#7f1d1d;border-style:double}
.howto{margin:.4rem 0;font-size:.9rem}
.filters{position:sticky;top:2.4rem;z-index:4;background:#e9e9e4;padding:.5rem;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;align-items:center;border-radius:6px}
.filters select{font-size:1rem}
.filters label{max-width:100%}
select{max-width:100%}
#shown{font-weight:600}
.save button{font-size:1rem;font-weight:600;padding:.2rem .8rem}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr));gap:1rem}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);display:flex;gap:.8rem;padding:.7rem;align-items:flex-start}
.picture{flex:0 0 240px}
.picture.none{height:160px;display:flex;align-items:center;justify-content:center;background:#eee;color:#555;text-align:center;padding:.5rem}
.frame{position:relative;width:240px;line-height:0;overflow:hidden;border-radius:4px;cursor:zoom-in}
.enlarge{margin:.2rem 0 0;font-size:.75rem;color:#555}
.frame img{width:100%;height:auto;display:block;border-radius:4px}
.face{position:absolute;border:3px solid}
.face.all{border-color:#1a7f37}.face.some{border-color:#d97706}.face.none{border-color:#c62828}
.face.review{border-color:#1d4ed8;border-style:dashed}.face.ignored{border-color:#6b7280;border-style:dotted}
.face.gone{border-color:#7f1d1d;border-style:double}
.tag{position:absolute;left:0;top:0;white-space:nowrap;font-size:11px;line-height:1.3;color:#fff;padding:0 3px;min-width:1.3em;text-align:center}
.face.right .tag{left:auto;right:0}
.face.all .tag{background:#1a7f37}.face.some .tag{background:#d97706}.face.none .tag{background:#c62828}
.face.review .tag{background:#1d4ed8}.face.ignored .tag{background:#6b7280}.face.gone .tag{background:#7f1d1d}
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
.faces li{margin:.3rem 0}
.faces img.closeup{width:40px;height:40px;object-fit:cover;vertical-align:middle;margin-right:.4rem;border-radius:3px}
label.decide{display:block;margin:.2rem 0 .1rem;font-weight:600}
select.decide{max-width:100%;font-size:1rem}
#viewer{position:fixed;inset:0;z-index:10;background:rgba(0,0,0,.88);color:#fff;overflow:auto;padding:.8rem}
#viewer .frame{width:min(100%,960px);margin:0 auto;cursor:default}
#viewer .tag{font-size:14px}
#viewer-close{font-size:1rem;padding:.2rem .8rem}
.closeups{display:flex;flex-wrap:wrap;gap:.6rem;justify-content:center;margin:.8rem 0}
.closeups figure{margin:0;text-align:center;font-size:.9rem}
.closeups img{display:block;width:160px;max-width:40vw;height:auto;border-radius:4px}
@media (max-width:640px){
.card{flex-direction:column;align-items:stretch}
.picture{flex:none;width:100%}
.frame{width:100%}
.warning,.filters{position:static}
}
.reasons h3,.notes h3{font-size:.9rem;margin:.4rem 0 .1rem}
.reasons ul,.notes ul{margin:0;padding-left:1.1rem}
.notes{color:#444}
@media print{.filters,.howto,.enlarge,label.decide,#viewer{display:none}}
"""

SCRIPT = r"""
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
        box.className = 'face ' + kind + (box.classList.contains('right') ? ' right' : '');
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

  // Click a photo to see it larger, with a close-up of each face.
  var viewer = document.getElementById('viewer');
  var viewerPhoto = document.getElementById('viewer-photo');
  var viewerFaces = document.getElementById('viewer-faces');
  function enlarge(card) {
    var frame = card.querySelector('.frame');
    viewerPhoto.textContent = '';
    viewerFaces.textContent = '';
    viewerPhoto.appendChild(frame.cloneNode(true));
    document.getElementById('viewer-title').textContent = card.querySelector('.path').textContent;
    card.querySelectorAll('.faces li').forEach(function (item) {
      var seen = item.querySelector('img.closeup');
      if (!seen) { return; }
      var figure = document.createElement('figure');
      var image = seen.cloneNode(true);
      image.className = '';
      var words = document.createElement('figcaption');
      words.textContent = 'Face ' + item.dataset.face;
      figure.appendChild(image);
      figure.appendChild(words);
      viewerFaces.appendChild(figure);
    });
    viewer.hidden = false;
    document.getElementById('viewer-close').focus();
  }
  function shrink() { viewer.hidden = true; viewerPhoto.textContent = ''; viewerFaces.textContent = ''; }
  cards.forEach(function (card) {
    var frame = card.querySelector('.frame');
    if (!frame) { return; }
    frame.addEventListener('click', function () { enlarge(card); });
    frame.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); enlarge(card); }
    });
  });
  document.getElementById('viewer-close').addEventListener('click', shrink);
  viewer.addEventListener('click', function (e) { if (e.target === viewer) { shrink(); } });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !viewer.hidden) { shrink(); } });

  // "Who is this?" lists: the Save decisions button writes them as a decisions CSV, made here.
  var lists = Array.prototype.slice.call(document.querySelectorAll('select.decide'));
  var save = document.getElementById('save-decisions');
  var decided = document.getElementById('decided');
  // One count per kind of question, as the terminal says them: groups of look-alike faces,
  // faces on their own, photos with no face found.
  function counted() {
    var kinds = [
      ['group', 'groups', function (l) { return l.dataset.group; }],
      ['face', 'faces', function (l) { return !l.dataset.group && l.dataset.face; }],
      ['photo with no face found', 'photos with no face found', function (l) { return !l.dataset.group && !l.dataset.face; }]
    ];
    var parts = [];
    kinds.forEach(function (kind) {
      var these = lists.filter(kind[2]);
      if (!these.length) { return; }
      var n = these.filter(function (list) { return list.value; }).length;
      parts.push(n + ' of ' + these.length + ' ' + (these.length === 1 ? kind[0] : kind[1]));
    });
    decided.textContent = parts.join(', ') + ' decided';
  }
  function cell(text, guard) {
    if (guard && /^[=+\-@\t\r]/.test(text)) { text = "'" + text; }  // never a spreadsheet formula
    return /[",;\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function decisionsCsv() {
    var rows = [['photo', 'face', 'decision', 'name'].join(',')];
    lists.forEach(function (list) {
      var chosen = list.options[list.selectedIndex];
      rows.push([cell(list.dataset.photo, true), list.dataset.face, cell(list.value, false),
                 cell(list.value ? chosen.dataset.name : '', true)].join(','));
    });
    return '\ufeff' + rows.join('\r\n') + '\r\n';
  }
  function download() {
    var blob = new Blob([decisionsCsv()], {type: 'text/csv;charset=utf-8'});
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = save.dataset.file;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  save.parentNode.hidden = !lists.length;
  lists.forEach(function (list) { list.addEventListener('change', counted); });
  save.addEventListener('click', download);
  counted();
})();
"""
