"""Notes have a kind: the rules find the learning-journey note by its kind, not its words."""

from __future__ import annotations

import json
import pickle

from photoaudit.core.models import MediaKind, Note, NoteKind, UnknownFaces, without_notes
from photoaudit.core.words import journey_note


def test_the_journey_note_reads_as_before_and_knows_its_kind():
    note = journey_note("Ava Patel (c01), Ben Jones (c02)")
    assert note == "May go in the learning journey of: Ava Patel (c01), Ben Jones (c02)."
    assert note.kind is NoteKind.JOURNEY
    assert json.dumps([note]) == json.dumps([str(note)])  # the reports see the words alone


def test_notes_are_dropped_by_kind_never_by_their_words():
    lookalike = "May go in the learning journey of: someone."  # a plain note with the same start
    notes = [journey_note("Ava Patel (c01)"), lookalike, Note("Face 1 was named by a person.")]
    assert without_notes(notes, NoteKind.JOURNEY) == [lookalike, "Face 1 was named by a person."]


def test_a_note_keeps_its_kind_across_processes():
    note = pickle.loads(pickle.dumps(journey_note("Ava Patel (c01)")))
    assert note.kind is NoteKind.JOURNEY and note == journey_note("Ava Patel (c01)")


def test_the_choices_keep_their_words_in_json():
    assert json.dumps({"kind": MediaKind.VIDEO, "unknown": UnknownFaces.HOLD}) == '{"kind": "video", "unknown": "hold"}'
