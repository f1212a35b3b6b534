"""Reasons are listed by what decides the action: the finding that makes the photo a delete
comes before a face a person must check (issue 15: "order reasons by what decides the action")."""

from __future__ import annotations

from test_provenance import BOX, DEVICES, PHONE, TODAY, child, meta, register

from photoaudit.core.consent import consent_verdict
from photoaudit.core.models import Action, FaceMatch, FaceStatus, PhotoFacts
from photoaudit.core.provenance import provenance_verdict


def test_a_photo_past_retention_says_so_first_then_the_face_to_check() -> None:
    reg = register(child())
    facts = PhotoFacts("tablet-1/IMG_0001.jpg", (FaceMatch(FaceStatus.UNKNOWN, BOX),))
    consent = consent_verdict(facts, reg, TODAY)
    assert consent.action is Action.REVIEW and consent.reasons
    v = provenance_verdict(consent, meta(days_ago=400), reg, TODAY, devices=DEVICES)
    assert v.action is Action.DELETE
    assert "12 months" in v.reasons[0]  # the retention reason decides: it comes first
    assert any(r in v.reasons for r in consent.reasons)  # the face is still mentioned


def test_a_breach_comes_before_an_unknown_face() -> None:
    reg = register(child())
    facts = PhotoFacts("x.jpg", (FaceMatch(FaceStatus.UNKNOWN, BOX),))
    v = provenance_verdict(consent_verdict(facts, reg, TODAY), meta(PHONE), reg, TODAY, devices=DEVICES)
    assert v.action is Action.DELETE and "personal phone" in v.reasons[0]


def test_consent_first_when_consent_decides() -> None:
    reg = register(child(consents={p: False for p in ("learning_journey", "other_journeys", "display",
                                                        "website", "social_media")}))
    consent = consent_verdict(PhotoFacts("x.jpg", (FaceMatch(FaceStatus.MATCHED, BOX, "C001", 0.3),)), reg, TODAY)
    v = provenance_verdict(consent, meta(None), reg, TODAY, devices=DEVICES)  # no camera: review at most
    assert v.action is Action.DELETE and v.reasons[: len(consent.reasons)] == consent.reasons
