"""Living consent: judge every stored photo again against today's register, no faces recomputed.

A parent withdraws social-media consent on Tuesday: which photos, already
audited (and perhaps already used), show that child? ``reaudit`` takes the
faces stored for each photo, matches them against today's enrolment, applies
today's consent rules, with people's decisions, overrides and leaver records exactly as
the audit applies them, and lists every photo whose verdict changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..core.exit_status import ExitStatus
from ..core.judging import Judging
from ..core.models import PhotoVerdict
from ..faces.engine import EngineSettings
from ..media.sources import MediaFile, kind_of
from ..store.database import Store, StoredVerdict
from .decision_book import DecisionsInForce
from .examine import verdict_of_examined
from .incremental import examine_key, from_stored, now_text, stored_verdict


@dataclass(frozen=True)
class Change:
    """One stored photo whose verdict is not what it was."""

    folder: str
    path: str
    sha256: str
    before: StoredVerdict | None
    after: PhotoVerdict

    def changed_purposes(self) -> list[str]:
        before = self.before.body.get("purposes", {}) if self.before else {}
        return [p for p, use in self.after.purposes.items() if before.get(p) != use.value]


@dataclass
class ReauditResult:
    """Every stored photo judged again; the ones whose verdict changed."""

    today: date
    photos: int = 0
    changes: list[Change] = field(default_factory=list)
    not_rejudged: list[tuple[str, str]] = field(default_factory=list)  # folder, path
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def exit_code(self) -> ExitStatus:
        """CLEAR when no verdict changed, FINDINGS when some did."""
        return ExitStatus.FINDINGS if self.changes else ExitStatus.CLEAR


def verdict_changed(before: StoredVerdict | None, after: PhotoVerdict) -> bool:
    """A different action, or a different verdict for any purpose."""
    if before is None:
        return True
    purposes = {p: use.value for p, use in after.purposes.items()}
    return before.action != after.action.value or before.body.get("purposes") != purposes


def reaudit(
    store: Store,
    engine: EngineSettings,
    judging: Judging,
    folder: str | None = None,
    in_force: DecisionsInForce | None = None,
) -> ReauditResult:
    """Re-judge every file last seen in an audited folder (or in ``folder``) from what is stored,
    with people's decisions and overrides (``in_force``) applied as the audit applies them."""
    result = ReauditResult(judging.today)
    judged: dict[str, PhotoVerdict] = {}
    for where, relative, sha256, mtime_ns in store.all_locations(folder):
        kind = kind_of(relative)
        stored = store.examination(sha256, examine_key(engine, kind, judging.video))
        if stored is None:  # unreadable, or examined with other settings
            result.not_rejudged.append((where, relative))
            continue
        result.photos += 1
        modified = datetime.fromtimestamp(mtime_ns / 1e9)  # as the audit quoted it
        examined = from_stored(relative, stored, modified)
        if in_force is not None:
            in_force.know({relative: sha256})
        media = MediaFile(Path(where) / relative, relative, kind, 0)
        verdict = verdict_of_examined(examined, kind, judging, media=media, settle=in_force)
        judged[sha256] = verdict
        before = store.verdict(sha256)  # the new verdicts are only stored at the end
        if verdict_changed(before, verdict):
            result.changes.append(Change(where, relative, sha256, before, verdict))
    when = now_text()
    store.put_verdicts([stored_verdict(sha, v, when) for sha, v in judged.items()])
    return result
