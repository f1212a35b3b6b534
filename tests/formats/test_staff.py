"""Staff in the photos (issue 19) on plain data: the staff register, matching a face to a
member of staff, and the staff step of the consent rules. No images, no face engine.

A member of staff is an adult: matched to them, a face no longer counts for the children's
consent and goes to nobody for review; but a public use is withheld when a member of staff in
the photo did not agree to it, and matching fails closed in both directions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from photoaudit.core.consent import consent_verdict
from photoaudit.core.decisions import apply_decisions, parse_decision
from photoaudit.core.matching import match_face
from photoaudit.core.models import (
    PURPOSES,
    Action,
    Candidate,
    Child,
    FaceDecision,
    FaceMatch,
    FaceStatus,
    PersonDecision,
    PhotoFacts,
    Register,
    StaffMember,
    StaffRegister,
    Use,
    staff_key,
)
from photoaudit.core.settings import MatchSettings, Settings
from photoaudit.setting.config import ConfigError, load_config
from photoaudit.setting.register import RegisterError, load_staff_register

TODAY = date(2026, 3, 10)
BOX = (0, 10, 10, 0)
BOX2 = (0, 30, 10, 20)
PUBLIC = ("website", "social_media")
EXACT = MatchSettings(tolerance=0.5, margin=0.125)


def child(child_id: str = "C001", *, no: tuple[str, ...] = ()) -> Child:
    return Child(child_id, f"Child {child_id}", {p: p not in no for p in PURPOSES},
                 face_matching=True, consent_review_due=date(2026, 9, 1))


def member(staff_id: str = "JS01", *, no: tuple[str, ...] = (), status: str = "working",
           purposes: tuple[str, ...] = PUBLIC) -> StaffMember:
    return StaffMember(staff_id, "Jo Smith", {p: p not in no for p in purposes}, True, status)


def register(*children: Child, staff: tuple[StaffMember, ...] = (),
             staff_purposes: tuple[str, ...] = PUBLIC) -> Register:
    return Register({c.child_id: c for c in children},
                    staff=StaffRegister({m.staff_id: m for m in staff}, staff_purposes))


def kid(child_id: str = "C001", box: tuple[int, int, int, int] = BOX) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, box, child_id, 0.3)


def adult(staff_id: str = "JS01", box: tuple[int, int, int, int] = BOX2) -> FaceMatch:
    return FaceMatch(FaceStatus.MATCHED, box, None, 0.3, (Candidate(staff_id, 0.3, staff=True),),
                     staff_id=staff_id)


def judge(faces: tuple[FaceMatch, ...], reg: Register):
    return consent_verdict(PhotoFacts("p.jpg", faces), reg, TODAY)


# --- the consent rules -------------------------------------------------------------------

def test_a_staff_face_does_not_count_for_the_childrens_consent_nor_goes_to_review() -> None:
    verdict = judge((kid(), adult()), register(child(), staff=(member(),)))
    assert verdict.action is Action.KEEP
    assert all(v is Use.ALLOWED for v in verdict.purposes.values())
    assert verdict.journeys == ("C001",)
    assert "Face 2: Jo Smith (staff)." in verdict.notes
    assert not verdict.reasons


def test_an_unknown_adult_still_goes_to_review_where_a_staff_match_does_not() -> None:
    unknown = FaceMatch(FaceStatus.UNKNOWN, BOX2)
    verdict = judge((kid(), unknown), register(child(), staff=(member(),)))
    assert verdict.action is Action.REVIEW


def test_a_staff_refusal_withholds_a_public_use_and_says_so() -> None:
    verdict = judge((kid(), adult()), register(child(), staff=(member(no=("social_media",)),)))
    assert verdict.purposes["social_media"] is Use.WITHHELD
    assert verdict.purposes["website"] is Use.ALLOWED
    assert verdict.purposes["learning_journey"] is Use.ALLOWED
    assert verdict.action is Action.KEEP
    assert any("Jo Smith (staff JS01) has not agreed to appear in social media" in r
               for r in verdict.reasons)


def test_internal_uses_need_no_staff_consent_by_default() -> None:
    verdict = judge((kid(), adult()), register(child(), staff=(member(no=PUBLIC),)))
    assert verdict.purposes["display"] is Use.ALLOWED
    assert verdict.purposes["learning_journey"] is Use.ALLOWED
    assert verdict.purposes["website"] is Use.WITHHELD


def test_consent_needed_for_an_internal_use_withholds_it_and_the_journeys() -> None:
    purposes = PUBLIC + ("learning_journey",)
    staff = member(no=("learning_journey",), purposes=purposes)
    verdict = judge((kid(), adult()), register(child(), staff=(staff,), staff_purposes=purposes))
    assert verdict.purposes["learning_journey"] is Use.WITHHELD
    assert verdict.journeys == ()


def test_a_leaver_or_unregistered_member_of_staff_withholds_every_public_use() -> None:
    left = judge((kid(), adult()), register(child(), staff=(member(status="left"),)))
    assert left.purposes["website"] is Use.WITHHELD and left.purposes["social_media"] is Use.WITHHELD
    assert any("has left the setting" in r for r in left.reasons)
    named = FaceMatch(FaceStatus.UNKNOWN, BOX2)
    facts = apply_decisions(PhotoFacts("p.jpg", (kid(), named)),
                            [(BOX2, PersonDecision(FaceDecision.STAFF, staff_id="XX9"))],
                            register(child()))
    verdict = consent_verdict(facts, register(child()), TODAY)
    assert verdict.purposes["website"] is Use.WITHHELD
    assert verdict.purposes["display"] is Use.ALLOWED
    assert any("not in the staff register" in r for r in verdict.reasons)


def test_a_staff_match_never_hides_a_childs_refusal() -> None:
    verdict = judge((kid(), adult()), register(child(no=("website",)), staff=(member(),)))
    assert verdict.purposes["website"] is Use.WITHHELD


def test_one_member_of_staff_matched_to_two_faces_goes_to_review() -> None:
    verdict = judge((adult(box=BOX), adult()), register(staff=(member(),)))
    assert verdict.action is Action.REVIEW
    assert verdict.purposes["learning_journey"] is Use.REVIEW
    assert any("matched to 2 faces" in r for r in verdict.reasons)


def test_a_photo_of_staff_only_is_kept_with_a_note_to_look_for_children() -> None:
    verdict = judge((adult(),), register(staff=(member(),)))
    assert verdict.action is Action.KEEP
    assert any("No child's face found" in n and "staff" in n for n in verdict.notes)


def test_a_person_naming_a_staff_face_a_child_puts_the_child_back_in_the_check() -> None:
    reg = register(child(no=("website",)), staff=(member(),))
    facts = apply_decisions(PhotoFacts("p.jpg", (adult(),)),
                            [(BOX2, PersonDecision(FaceDecision.CHILD, "C001"))], reg)
    verdict = consent_verdict(facts, reg, TODAY)
    assert verdict.faces[0].staff_id is None and verdict.faces[0].child_id == "C001"
    assert verdict.purposes["website"] is Use.WITHHELD


# --- matching: fail closed both ways ----------------------------------------------------

def at(distance: float, axis: int = 0) -> np.ndarray:
    v = np.zeros(128)
    v[axis] = distance
    return v


PROBE = np.zeros(128)


def test_a_face_clearly_nearest_a_member_of_staff_is_matched_to_them() -> None:
    found = match_face(PROBE, BOX, {"C001": [at(0.8, 1)], staff_key("JS01"): [at(0.25)]}, EXACT)
    assert found.status is FaceStatus.MATCHED
    assert found.staff_id == "JS01" and found.child_id is None
    assert not found.counts_for_consent


def test_a_face_close_to_a_child_and_to_staff_is_ambiguous_never_staff() -> None:
    enrolled = {"C001": [at(0.3125, 1)], staff_key("JS01"): [at(0.25)]}
    found = match_face(PROBE, BOX, enrolled, EXACT)
    assert found.status is FaceStatus.AMBIGUOUS
    assert found.staff_id is None and found.counts_for_consent
    assert {(c.child_id, c.staff) for c in found.candidates} == {("C001", False), ("JS01", True)}
    verdict = judge((found,), register(child(), staff=(member(),)))
    assert verdict.action is Action.REVIEW
    assert any("Jo Smith (staff JS01)" in r and "Child C001" in r for r in verdict.reasons)


def test_a_child_close_to_staff_is_ambiguous_too() -> None:
    enrolled = {"C001": [at(0.25, 1)], staff_key("JS01"): [at(0.3)]}
    assert match_face(PROBE, BOX, enrolled, EXACT).status is FaceStatus.AMBIGUOUS


def test_staff_beyond_tolerance_is_unknown() -> None:
    found = match_face(PROBE, BOX, {staff_key("JS01"): [at(0.625)]}, EXACT)
    assert found.status is FaceStatus.UNKNOWN and found.counts_for_consent


# --- decisions --------------------------------------------------------------------------

def test_parse_decision_accepts_a_staff_id() -> None:
    assert parse_decision("JS01", ["C001"], ["JS01"]) == PersonDecision(FaceDecision.STAFF, staff_id="JS01")
    assert parse_decision("js01", ["C001"], ["JS01"]) == PersonDecision(FaceDecision.STAFF, staff_id="JS01")
    assert parse_decision("staff JS01", ["C001"], ["JS01"]).staff_id == "JS01"
    assert parse_decision("C001", ["C001"], ["JS01"]).kind is FaceDecision.CHILD
    assert parse_decision("adult", ["C001"], ["JS01"]).kind is FaceDecision.ADULT


# --- the staff register -----------------------------------------------------------------

def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_the_staff_register_template_is_a_blank_register() -> None:
    template = Path(__file__).resolve().parents[2] / "consent_data" / "template" / "staff.csv"
    found = load_staff_register(template, purposes=PUBLIC)
    assert found.members == {} and found.purposes == PUBLIC


def test_staff_register_reads_excel_exports(tmp_path: Path) -> None:
    path = write(tmp_path, "sep=;\nStaff ID;Name;Status;Website;Social media;Face matching\n"
                           "JS01;Jo Smith;;yes;no;Y\nAB02;Al Brown;left;n;n;n\n", "utf-16")
    found = load_staff_register(path, purposes=PUBLIC)
    assert found.members["JS01"] == StaffMember("JS01", "Jo Smith", {"website": True, "social_media": False},
                                                True, "working", 3)
    assert found.members["AB02"].has_left


def test_staff_register_errors_name_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,name,status,website,social_media,face_matching\n"
                           "JS01,Jo Smith,working,maybe,no,yes\nJS01,Jo Again,on leave,no,no,no\n")
    with pytest.raises(RegisterError) as err:
        load_staff_register(path, purposes=PUBLIC)
    text = str(err.value)
    assert 'line 2, column "website": "maybe" is not yes or no' in text
    assert "line 3" in text and "already used on line 2" in text
    assert "Each member of staff needs their own staff_id" in text


def test_staff_register_needs_a_column_per_purpose_needing_consent(tmp_path: Path) -> None:
    path = write(tmp_path, "staff_id,name,status,website,face_matching\nJS01,Jo,,yes,yes\n")
    with pytest.raises(RegisterError, match="no social_media column"):
        load_staff_register(path, purposes=PUBLIC)


# --- settings ---------------------------------------------------------------------------

def test_public_purposes_need_staff_consent_and_internal_ones_only_when_listed(tmp_path: Path) -> None:
    assert Settings().staff_purposes == PUBLIC
    config = tmp_path / "photoaudit.toml"
    config.write_text('[setting]\npurposes = ["learning_journey", "display", "website", "press"]\n'
                      '[staff]\nconsent_needed_for = ["display"]\n')
    assert load_config(config).staff_purposes == ("display", "website", "press")
    config.write_text('[staff]\nconsent_needed_for = ["newsletter"]\n')
    with pytest.raises(ConfigError, match="newsletter"):
        load_config(config)


# --- the HTML report --------------------------------------------------------------------

def test_the_html_report_names_staff_and_does_not_ask_about_them(tmp_path: Path) -> None:
    from photoaudit.formats import html_report
    from photoaudit.operations.examine import AuditResult

    reg = register(child(), staff=(member(), StaffMember("KT03", "Kim Taylor", {}, True)))
    faces = (kid(), adult())
    two = (adult("JS01", BOX), adult("KT03"))
    twice = (adult("JS01", BOX), adult("JS01"))
    result = AuditResult(tmp_path, TODAY, [judge(faces, reg), judge(two, reg), judge(twice, reg)])
    for verdict, name in zip(result.verdicts, ("a.jpg", "b.jpg", "c.jpg"), strict=True):
        object.__setattr__(verdict, "path", name)
    page = html_report.render(result, reg)
    cards = {name: page[page.index(f'<h2 class="path">{name}</h2>'):] for name in ("a.jpg", "b.jpg", "c.jpg")}
    assert 'class="ignored" data-face="2"><span class="swatch ignored"></span>Face 2: Jo Smith (staff)' in cards["a.jpg"]
    # Two different members of staff are two adults; one member matched twice needs a person.
    assert "Face 1: Jo Smith (staff)" in cards["b.jpg"] and 'class="review"' not in cards["b.jpg"].split("</article>")[0]
    assert '<li class="review" data-face="1"><span class="swatch review"></span>Face 1: Jo Smith (staff)' in cards["c.jpg"]
    # ... and gets a "Who is this?" list with that member of staff first; two different members get none.
    assert 'data-photo="c.jpg" data-face="1"' in cards["c.jpg"] and 'data-photo="b.jpg"' not in page
    first = cards["c.jpg"].split('data-photo="c.jpg" data-face="1"')[1].split("</select>")[0]
    assert first.split('<option value="')[2].startswith('staff JS01"')


# --- videos -----------------------------------------------------------------------------

def test_a_member_of_staff_seen_in_many_frames_of_a_video_is_one_adult() -> None:
    from photoaudit.media.video import SeenFace, combine

    def seen_staff(frame: int, distance: float) -> SeenFace:
        v = np.zeros(128)
        v[0] = 1.0
        return SeenFace(frame, float(frame), FaceMatch(FaceStatus.MATCHED, BOX2, None, distance,
                                                       (Candidate("JS01", distance, staff=True),),
                                                       staff_id="JS01"), v)

    (only,) = combine([seen_staff(0, 0.4), seen_staff(1, 0.2), seen_staff(2, 0.3)], MatchSettings())
    assert only.status is FaceStatus.MATCHED and only.staff_id == "JS01" and only.time == 1.0
    verdict = judge((kid(), only), register(child(), staff=(member(),)))
    assert verdict.action is Action.KEEP


# --- check --export: covering ------------------------------------------------------------

def test_check_clears_a_photo_with_staff_who_agreed_and_covers_one_who_did_not() -> None:
    from photoaudit.core.cover import plan_cover

    reg = register(child(), staff=(member(no=("social_media",)),))
    facts = PhotoFacts("p.jpg", (kid(), adult()))
    website = plan_cover(facts, reg, TODAY, "website")
    assert website.cleared and not any(c.cover for c in website.faces)
    social = plan_cover(facts, reg, TODAY, "social_media")
    assert not social.cleared
    assert [c.cover for c in social.faces] == [False, True]
    assert "has not agreed to appear in social media" in social.faces[1].why
    assert social.copy_verdict is not None and social.copy_verdict.purposes["social_media"] is Use.ALLOWED


def test_only_staff_enrolled_still_warns_that_no_child_is() -> None:
    from photoaudit.operations.workflow import Prepared

    def prepared(keys: list[str]) -> Prepared:
        return Prepared(Settings(), Register({}), None, {k: [np.zeros(128)] for k in keys}, None)  # type: ignore[arg-type]

    assert not prepared([staff_key("JS01")]).children_enrolled
    assert prepared([staff_key("JS01"), "C001"]).children_enrolled


# --- properties: a child never disappears by matching an adult ---------------------------

def test_a_staff_match_is_always_clearly_nearer_than_every_child() -> None:
    rng = np.random.default_rng(19)
    settings = MatchSettings()
    staff_matches = 0
    for _ in range(3000):
        spread = rng.uniform(0.015, 0.035)
        enrolled = {f"C{n}": [rng.normal(0, spread, 128)] for n in range(rng.integers(0, 4))}
        enrolled |= {staff_key(f"S{n}"): [rng.normal(0, 0.02, 128)] for n in range(rng.integers(1, 3))}
        probe = rng.normal(0, 0.02, 128)
        found = match_face(probe, BOX, enrolled, settings)
        if found.staff_id is None:
            continue
        staff_matches += 1
        mine = found.distance
        assert mine is not None and mine <= settings.tolerance
        for key, templates in enrolled.items():
            if key == staff_key(found.staff_id):
                continue
            nearest = min(float(np.linalg.norm(t - probe)) for t in templates)
            assert nearest - mine >= settings.margin and nearest > mine
    assert staff_matches > 100  # the property was really exercised


def test_an_allowed_use_means_every_child_and_every_member_of_staff_agreed() -> None:
    import random

    rnd = random.Random(19)
    for _ in range(2000):
        children = [child(f"C{n}", no=tuple(p for p in PURPOSES if rnd.random() < 0.3)) for n in range(3)]
        staff = [member(f"S{n}", no=tuple(p for p in PUBLIC if rnd.random() < 0.4),
                        status="left" if rnd.random() < 0.1 else "working") for n in range(2)]
        reg = register(*children, staff=tuple(staff))
        faces = []
        for n in range(rnd.randint(0, 4)):
            box = (0, 10 * n + 10, 10, 10 * n)
            pick = rnd.random()
            if pick < 0.4:
                faces.append(kid(rnd.choice(children).child_id, box))
            elif pick < 0.8:
                faces.append(adult(rnd.choice(staff).staff_id, box))
            else:
                faces.append(FaceMatch(FaceStatus.UNKNOWN, box))
        verdict = judge(tuple(faces), reg)
        in_photo_children = [reg.children[f.child_id] for f in faces if f.child_id]
        in_photo_staff = [reg.staff.members[f.staff_id] for f in faces if f.staff_id]
        for purpose, use in verdict.purposes.items():
            if use is not Use.ALLOWED:
                continue
            assert not any(f.status is FaceStatus.UNKNOWN for f in faces)
            if purpose != "learning_journey":
                assert all(c.allows(purpose) for c in in_photo_children)
            if purpose in PUBLIC:
                assert all(m.allows(purpose) and not m.has_left for m in in_photo_staff)
