"""The one judge: what was found in a file, and the setting's rules, make its verdict.

Every command (audit, reaudit, check and its copies, the cluster's audit) calls
:func:`judge` and every report shows its result; nothing judges a photo a second time
(issue 24). The rules it applies, in this order, each only ever stricter than the last:

1. the consent rules (R1-R5, :mod:`.consent`) with the safeguards (:mod:`.safeguards`) and the
   staff rules (:mod:`.staff_rules`), on the faces as people decided them (:mod:`.decisions`);
2. the pictures inside the file (:mod:`.inner_pictures`);
3. the file's own metadata (R6-R8, R10: :mod:`.provenance`);
4. then a covered copy is suggested where one would do (:mod:`.cover`), and a person's
   override forces the action (:func:`.decisions.apply_override`);
5. for every use, whether the photo is cleared for it as it is, and what a copy for it must
   cover (:func:`.cover.plan_cover`): ``PhotoVerdict.cleared_for`` and :meth:`Judgement.plan`.

To add a rule: a pure function in the module of its kind, called from here (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .consent import consent_verdict
from .cover import CoverPlan, add_cover_notes, copy_guard, plan_cover
from .decisions import apply_override
from .inner_pictures import inner_verdict
from .judging import Judging
from .models import (
    Action,
    MediaKind,
    MediaMeta,
    Override,
    PhotoFacts,
    PhotoVerdict,
    UnknownFaces,
    Use,
    VideoInfo,
)
from .provenance import provenance_verdict
from .safeguards import Safeguards
from .words import THUMBNAIL_CACHE_WORDS


@dataclass(frozen=True)
class Found:
    """What was found in one file, as plain data: all the judge reads besides the setting's rules."""

    facts: PhotoFacts  # the faces (after people's decisions), inner pictures, a problem, the day taken
    kind: MediaKind = MediaKind.PHOTO
    meta: MediaMeta | None = None  # what the file says about itself; None when it could not be read
    video: VideoInfo | None = None  # how a video was sampled
    thumbnail_cache: bool = False  # Thumbs.db and the like: small copies of photos, never looked into
    override: Override | None = None  # a person forced the photo's action


@dataclass(frozen=True)
class Judgement:
    """The verdict on one file for every use, and what it was built on (for copies)."""

    verdict: PhotoVerdict  # what every report shows
    consent: PhotoVerdict  # the consent rules and the inner pictures, before the file's metadata
    facts: PhotoFacts
    file_blockers: tuple[str, ...]  # the metadata rules' findings, and a person's override: no copy helps
    gps: bool
    judging: Judging

    def plan(self, purpose: str, unknown: str = UnknownFaces.COVER.value) -> CoverPlan:
        """Is the photo cleared for ``purpose`` as it is, and what must a copy for it cover?"""
        judging = self.judging
        return plan_cover(self.facts, judging.register, judging.today, purpose, unknown,
                          file_blockers=self.file_blockers, gps=self.gps, guard=judging.guard, consent=self.consent)


def judge(found: Found, judging: Judging) -> Judgement:
    """The verdict on one file for every use of the setting, with reasons (see the module)."""
    register, today, purposes, guard = judging.register, judging.today, judging.purposes, judging.guard
    facts = found.facts
    if found.thumbnail_cache:
        cache = PhotoVerdict(facts.path, Action.DELETE, {p: Use.WITHHELD for p in purposes},
                             reasons=(THUMBNAIL_CACHE_WORDS,))
        return finish(Judgement(cache, cache, facts, (THUMBNAIL_CACHE_WORDS,), False, judging), found.override)
    consent = inner_verdict(consent_verdict(facts, register, today, purposes, guard), facts, register, today,
                            purposes, guard)
    verdict = provenance_verdict(consent, found.meta, register, today, judging.rules, judging.devices, found.kind,
                                 found.video)
    from_file = tuple(r for r in verdict.reasons if r not in consent.reasons)
    if found.kind is not MediaKind.VIDEO and not from_file:
        verdict = add_cover_notes(verdict, facts, register, today, guard)
    gps = found.meta is not None and found.meta.gps
    return finish(Judgement(verdict, consent, facts, from_file, gps, judging), found.override)


def finish(judged: Judgement, override: Override | None) -> Judgement:
    """A person's override, then the uses the photo is cleared for as it is."""
    verdict = apply_override(judged.verdict, override)
    blockers = judged.file_blockers
    if verdict.override is not None and verdict.override.action is not Action.KEEP:
        blockers = (*blockers, verdict.reasons[-1])  # the person's word stands
    judged = replace(judged, verdict=verdict, file_blockers=blockers)
    plans = [judged.plan(p) for p in verdict.purposes]
    cleared = tuple(plan.purpose for plan in plans if plan.cleared)
    by_face = tuple(
        tuple(plan.purpose for plan in plans if plan.faces and not plan.faces[i].why)
        for i in range(len(verdict.faces))
    ) if all(len(plan.faces) == len(verdict.faces) for plan in plans) else ()
    return replace(judged, verdict=replace(verdict, cleared_for=cleared, faces_cleared_for=by_face))


def copy_cleared(facts: PhotoFacts, purpose: str, judging: Judging) -> PhotoVerdict:
    """A covered copy's own faces (found again in its pixels) judged for ``purpose``: faces were
    found in the original and covered, so the copy is not a photo "with no face found"."""
    guard = replace(judging.guard or Safeguards(), faceless=False)
    return consent_verdict(facts, judging.register, judging.today, (purpose,), copy_guard(facts, guard))
