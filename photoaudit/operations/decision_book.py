"""People's decisions applied while an audit, reaudit or check runs.

The decisions and the latest audit's faces are kept in the private store
(:mod:`photoaudit.store.decision_book`); this module applies them:
who a face is, "no children in this photo", leaver records and overrides, each
keyed by the photo's content.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.decisions import apply_decisions
from ..core.models import Box, Override, PersonDecision, PhotoDecision, PhotoFacts, Register
from ..media.files import sha256_file
from ..media.sources import MediaFile
from ..store.database import Store
from ..store.decision_book import DecisionBook
from ..store.leavers import leaver_decisions, with_leavers
from .results import AuditResult


@dataclass
class DecisionsInForce:
    """Applies people's decisions and overrides while an audit runs.

    Remembers each file's content hash (the key of every decision) on the way.
    """

    register: Register
    decisions: dict[str, list[tuple[Box, PersonDecision]]] = field(default_factory=dict)
    overrides: dict[str, Override] = field(default_factory=dict)
    photo_decisions: dict[str, PhotoDecision] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256

    def know(self, hashes: dict[str, str]) -> None:
        """Content hashes already computed (by the incremental store), so files are not read again."""
        self.hashes.update(hashes)

    def __call__(self, media: MediaFile, facts: PhotoFacts) -> PhotoFacts:
        sha = self.hashes.get(media.relative)
        if sha is None and not media.entry.opened:  # a link or pipe: never read, no faces
            return facts
        if sha is None:
            try:
                sha = sha256_file(media.path)
            except OSError:  # unreadable: it has no faces to decide about, and goes to review anyway
                return facts
            self.hashes[media.relative] = sha
        facts = apply_decisions(facts, self.decisions.get(sha, ()), self.register)
        photo_decision = self.photo_decisions.get(sha)
        return facts if photo_decision is None else replace(facts, photo_decision=photo_decision)

    def override_of(self, relative: str) -> Override | None:
        """The override a person recorded for this photo (by its content), or None."""
        return self.overrides.get(self.hashes.get(relative, ""))


def load_decisions_in_force(state_dir: Path, register: Register) -> DecisionsInForce:
    """The decisions and overrides recorded in the private store."""
    with Store(state_dir) as store:
        book = DecisionBook(store)
        decisions = with_leavers(book.decisions(), leaver_decisions(store))  # leavers: photoaudit.store.leavers
        return DecisionsInForce(register, decisions, book.overrides(), book.photo_decisions())


def remember(state_dir: Path, result: AuditResult, in_force: DecisionsInForce) -> None:
    """Keep the latest audit's faces, for ``photoaudit review``."""
    with Store(state_dir) as store:
        DecisionBook(store).remember_audit(result.folder, result.generated, result.verdicts, in_force.hashes)
