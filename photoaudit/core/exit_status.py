"""The exit codes of every command: one ``IntEnum``, used by name everywhere (README, "Exit codes").

A scheduled job reads them, so each number keeps its meaning: 0 nothing to do, 1 something
needs a person, 2 the command could not run (:class:`photoaudit.core.errors.CannotRun`),
3 another run holds the lock, 4 the audit finished but some photos were not checked,
5 ``purge`` listed what it would delete and nobody confirmed it, 6 the audited folder held
nothing photoaudit can judge (never "all clear": a share not mounted, a copy that never happened).
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a command's exit code says, by name."""

    CLEAR = 0  # nothing needs doing
    FINDINGS = 1  # something needs deleting, reviewing, taking down, or is not cleared
    CANNOT_RUN = 2  # the command could not run at all
    ALREADY_RUNNING = 3  # another run holds the lock
    UNCHECKED = 4  # the audit finished, but the photos in an unreadable sub-folder were not checked
    NOT_CONFIRMED = 5  # purge listed what it would delete, but nobody confirmed it: nothing was deleted
    #: the audited folder holds nothing photoaudit can judge (empty, or only files that are not
    #: photos): a share not mounted, a copy that never happened. Never "all clear".
    NOTHING_FOUND = 6

    @property
    def words(self) -> str:
        """What the code tells whoever reads it, in one line (``photoaudit --help`` lists them)."""
        return EXIT_WORDS[self]


#: Each exit code in words: the help lists these (photoaudit/cli/main.py), the README's table
#: says the same at length.
EXIT_WORDS: dict[ExitStatus, str] = {
    ExitStatus.CLEAR: "all clear: nothing needs deleting or a person to look",
    ExitStatus.FINDINGS: "something needs a person: photos to delete, review or hold back, copies to take down",
    ExitStatus.CANNOT_RUN: "the command could not run (it says why)",
    ExitStatus.ALREADY_RUNNING: "another photoaudit run was working on it: nothing was done",
    ExitStatus.UNCHECKED: "the audit ran, but a sub-folder could not be read: its photos were not checked",
    ExitStatus.NOT_CONFIRMED: "purge was not confirmed: nothing was deleted",
    ExitStatus.NOTHING_FOUND: "the audited folder held nothing to check (never \"all clear\")",
}
